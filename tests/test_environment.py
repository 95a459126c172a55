"""Mistakes in the environment get a clear message."""

from __future__ import annotations

import runpy
import sys
from importlib import metadata

import pytest

import bookcli
from utils import _environment


def test_old_python_is_refused_with_a_sentence(monkeypatch, capsys):
    monkeypatch.setattr(sys, "version_info", (3, 10, 4, "final", 0))
    monkeypatch.setattr(sys, "argv", ["tools/book.py", "build"])
    with pytest.raises(SystemExit) as exit_info:
        runpy.run_path(str(bookcli.ROOT / "tools" / "book.py"), run_name="__main__")
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "needs Python 3.11 or newer, but this is Python 3.10" in err
    assert "python3.11 tools/book.py build" in err


def test_utils_refuses_old_python():
    with pytest.raises(RuntimeError, match=r"needs Python 3\.11 or newer; this is Python 3\.9"):
        _environment.check_environment((3, 9))


def test_utils_names_a_missing_package(monkeypatch):
    real = _environment.importlib.util.find_spec
    monkeypatch.setattr(_environment.importlib.util, "find_spec",
                        lambda name: None if name == "semopy" else real(name))
    with pytest.raises(ImportError, match=r"cannot import: semopy\. .*tools/book\.py build"):
        _environment.check_environment()


def test_jupyter_book_2_is_refused(monkeypatch):
    real = metadata.version
    monkeypatch.setattr(metadata, "version",
                        lambda name: "2.1.7" if name == "jupyter-book" else real(name))
    with pytest.raises(SystemExit, match=r"jupyter-book 2\.1\.7 is installed.*'jupyter-book>=1\.0\.4,<2'"):
        bookcli.check_installed()


def test_missing_pinned_package_is_named(monkeypatch):
    real = metadata.version

    def version(name):
        if name == "semopy":
            raise metadata.PackageNotFoundError(name)
        return real(name)

    monkeypatch.setattr(metadata, "version", version)
    with pytest.raises(SystemExit, match=r"not installed: semopy==2\.3\.11"):
        bookcli.check_installed()


def test_every_requirement_is_pinned_exactly():
    pins = bookcli.pinned_requirements()
    lines = [
        line.strip()
        for path in bookcli.REQUIREMENT_FILES
        for line in path.read_text().splitlines()
        if line.strip() and not line.startswith(("#", "-r", "-c"))
    ]
    assert len(lines) == len(pins), "a requirement line is not an exact == pin"
    assert pins["jupyter-book"].startswith("1.")
    assert {"pandas", "semopy", "statsmodels", "seaborn", "ipywidgets", "nbmake"} <= set(pins)


def test_installed_versions_match_the_pins():
    wrong = {name: metadata.version(name) for name, version in bookcli.pinned_requirements().items()
             if metadata.version(name) != version}
    assert wrong == {}


def test_constraints_cover_every_pin_at_the_same_version():
    constraints = {}
    for line in bookcli.CONSTRAINTS.read_text().splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            constraints[name.lower().replace("_", "-")] = version
    pins = {name.replace("_", "-"): version for name, version in bookcli.pinned_requirements().items()}
    assert {name: constraints.get(name) for name in pins} == pins
