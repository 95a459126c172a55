"""Colab installs exactly the versions the book is tested with; JupyterLab renders MyST."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import bookcli

COLAB = bookcli.ROOT / "requirements-colab.txt"
# Packages of requirements.txt that Colab does not get, and why: they build the HTML book, or
# Colab brings its own (its kernel and its notebook interface).
NOT_FOR_COLAB = {"jupyter-book", "sphinx-exercise", "ipykernel", "jupyterlab", "jupyterlab-myst"}


def pins(path: Path) -> dict[str, str]:
    found = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            match = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([^\s;#]+)", line.strip())
            assert match, f"{path.name}: {line!r} is not an exact == pin"
            found[match.group(1).lower()] = match.group(2)
    return found


def test_colab_installs_the_books_own_versions():
    book = {name: version for name, version in bookcli.pinned_requirements().items()}
    colab = pins(COLAB)
    assert {name: book.get(name) for name in colab} == colab, "a Colab pin differs from requirements.txt"
    runtime = {line.split("==")[0].strip().lower() for line in (bookcli.ROOT / "requirements.txt").read_text().splitlines()
               if "==" in line and not line.startswith("#")}
    assert set(colab) == runtime - NOT_FOR_COLAB, "requirements-colab.txt must pin every runtime package"


def test_jupyterlab_loads_the_myst_renderer():
    result = subprocess.run([str(Path(sys.executable).parent / "jupyter"), "labextension", "list"],
                            capture_output=True, text=True)
    text = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout + result.stderr)
    assert re.search(r"jupyterlab-myst v2\.7\.0 enabled OK", text), text
    assert "not compatible" not in text, text
