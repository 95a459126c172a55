"""The claims checker (tools/claims.py): every sidecar's claims can be checked, the numbers are
read and rounded as documented, and the checked copies run, import the book's utils and fail
with the chapter, the cell, the text and the computed value when the prose is wrong."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import bookcli
import claims

SIDECARS = sorted((bookcli.ROOT / "chapters" / "meta").glob("*.yml"))


# --------------------------------------------------------------------------- the book's sidecars


@pytest.mark.parametrize("sidecar", SIDECARS, ids=lambda p: p.name)
def test_every_claim_can_be_checked(sidecar):
    """Cell ids exist, texts stand in their cells as numbers, expressions are Python (no kernel)."""
    assert claims.problems(sidecar.stem) == []


def test_the_tallies_chapters_have_claims():
    assert {"11_tallies_audit", "12_tallies_statistics"} <= set(claims.chapters_with_claims())


# --------------------------------------------------------------------------- reading numbers


@pytest.mark.parametrize("text, value, expected", [
    ("118.6", 118.5864, True),
    ("118.6", 118.66, False),
    ("118.6", -118.6, False),
    ("193", 193, True),
    ("193", 193.4, True),
    ("193", 193.6, False),
    ("0.02", 0.0217, True),
    ("9,999", 9999, True),
    ("10,000", 10_000.2, True),
    ("−3.4", -3.41, True),
    ("-3.4", -3.41, True),
    ("43%", 42.9, True),
    ("72 %", 72.4, True),
    ("15.7", 15.65, True),   # a tie may round either way
    ("15.7", 15.749, True),
    ("15.7", 15.751, False),
    ("1", True, False),      # a boolean is not a number
    ("1", "1", False),       # nor is a string
    ("1", float("nan"), False),
])
def test_a_value_agrees_when_it_rounds_to_the_text(text, value, expected):
    assert claims.agrees(text, value) is expected


def test_numpy_scalars_are_numbers():
    np = pytest.importorskip("numpy")
    assert claims.agrees("0.62", np.float64(0.619048))
    assert claims.agrees("13", np.int64(13))


@pytest.mark.parametrize("text", ["abc", "1.2.3", "", "12 cells", "1e-3"])
def test_a_text_that_is_not_a_printed_number_is_refused(text):
    with pytest.raises(claims.ClaimError, match="not a number as prose prints it"):
        claims.parse(text)


@pytest.mark.parametrize("text, source, count", [
    ("3", "Table 6 gives 3.", 1),
    ("3", "31 and 13 and 3.4 and 0.3", 0),
    ("3", "a 3, then 3; and 3", 3),
    ("2", "G² and X² and ex2", 0),
    ("10,000", "at its floor, 1/10,000.", 1),
    ("10", "1/10,000", 0),
    ("43%", "from 43% to 76%", 1),
    ("43", "from 43% to 76%", 0),
    ("72", "72 % of them", 0),
    ("−3.4", "residual −3.4 here", 1),
    ("3.4", "residual −3.4 here", 0),
    ("5.3", "section 5.3 says", 1),
])
def test_a_text_occurs_only_as_a_whole_number(text, source, count):
    assert claims.occurrences(text, source) == count


# --------------------------------------------------------------------------- a made-up chapter


def _chapter(tmp_path: Path, numbers: dict, *, cell: str = "m1", after: str | None = None) -> Path:
    """A chapters/ folder with one chapter (x = 1.234, then prose) and its sidecar."""
    chapters = tmp_path / "chapters"
    (chapters / "meta").mkdir(parents=True)
    (chapters / "utils").mkdir()
    (chapters / "utils" / "__init__.py").write_text(
        (bookcli.ROOT / "chapters" / "utils" / "__init__.py").read_text().replace(
            "Path(__file__).resolve().parents[2]", repr(str(bookcli.ROOT)).join(["Path(", ")"])))
    cells = [
        {"cell_type": "markdown", "id": "m0", "metadata": {}, "source": ["# A chapter\n"]},
        {"cell_type": "code", "id": "k1", "metadata": {}, "execution_count": None, "outputs": [],
         "source": ["x = 1.234\n", "y = 10 * x"]},
        {"cell_type": "markdown", "id": "m1", "metadata": {}, "source": ["x is 1.23, y is 12 and 12 again.\n"]},
        {"cell_type": "code", "id": "k2", "metadata": {}, "execution_count": None, "outputs": [],
         "source": ["x = 99"]},
    ]
    notebook = {"cells": cells, "nbformat": 4, "nbformat_minor": 5,
                "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}}
    (chapters / "01_made_up.ipynb").write_text(json.dumps(notebook))
    claim = {"cell": cell, "numbers": numbers}
    if after:
        claim["after"] = after
    (chapters / "meta" / "01_made_up.yml").write_text(yaml.safe_dump({"claims": [claim]}, allow_unicode=True))
    return chapters


def test_problems_are_named_one_sentence_each(tmp_path):
    chapters = _chapter(tmp_path, {"1.23": "x", "7": "y", "12": ["y", "y", "y"], "2.5": "x +", "abc": "x"})
    found = claims.problems("01_made_up", chapters=chapters)
    assert any("'7' occurs 0 time(s)" in p for p in found)
    assert any("'12' occurs 2 time(s) as a number in the cell, but 3 expression(s)" in p for p in found)
    assert any("not valid Python: 'x +'" in p for p in found)
    assert any("'abc' is not a number" in p for p in found)
    assert not any("'1.23'" in p for p in found)
    assert claims.problems("01_made_up", chapters=_chapter(tmp_path / "b", {"1": "x"}, cell="zz")) == [
        "01_made_up.yml, cell zz: 01_made_up.ipynb has no cell with this id"]
    assert "claims are about prose" in claims.problems("01_made_up", chapters=_chapter(tmp_path / "c", {"1": "x"}, cell="k1"))[0]
    assert "is not the id of a code cell" in claims.problems(
        "01_made_up", chapters=_chapter(tmp_path / "d", {"1.23": "x"}, after="m0"))[0]


def _run_checks(copy: Path, monkeypatch) -> dict:
    """Execute the copy's code cells in one namespace, as a kernel would (no kernel needed)."""
    monkeypatch.syspath_prepend(str(copy.parent))
    monkeypatch.delitem(sys.modules, claims.RUNTIME, raising=False)
    namespace: dict = {}
    for cell in json.loads(copy.read_text())["cells"]:
        if cell["cell_type"] == "code":
            exec("".join(cell["source"]), namespace)
    return namespace


def test_a_copy_checks_right_after_the_anchor_cell(tmp_path, monkeypatch):
    # y is checked after k1, before k2 changes x: "1.23" is right there, wrong after k2.
    chapters = _chapter(tmp_path, {"1.23": "x", "12": ["y", "round(y)"]})
    copy, = claims.write_copies(tmp_path / "out", chapters=chapters)
    cells = json.loads(copy.read_text())["cells"]
    assert [c["id"] for c in cells] == ["m0", "k1", "claims-k1", "m1", "k2"]
    original = json.loads((chapters / "01_made_up.ipynb").read_text())["cells"]
    assert [c for c in cells if c["id"] != "claims-k1"] == original
    _run_checks(copy, monkeypatch)  # passes silently


def test_a_wrong_number_fails_with_chapter_cell_text_and_value(tmp_path, monkeypatch):
    chapters = _chapter(tmp_path, {"1.23": "x * 2", "12": "z"})
    copy, = claims.write_copies(tmp_path / "out", chapters=chapters)
    with pytest.raises(AssertionError) as failure:
        _run_checks(copy, monkeypatch)
    message = str(failure.value)
    assert message.startswith("01_made_up: 2 number(s) in the prose disagree")
    assert "cell m1: the text says 1.23, but x * 2 gives 2.47 at 2 decimals (exactly 2.468)" in message
    assert "cell m1: the text says 12, but z raised NameError" in message


def test_the_copies_import_the_books_utils(tmp_path):
    out = tmp_path / "out"
    claims.write_copies(out)
    probe = f"import utils, {claims.RUNTIME}; print(utils.__file__); print({claims.RUNTIME}.__file__)"
    result = subprocess.run([sys.executable, "-c", probe], cwd=out, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    utils_file, runtime_file = result.stdout.split()
    assert utils_file == str(bookcli.ROOT / "utils" / "__init__.py")
    assert Path(runtime_file).read_text() == Path(claims.__file__).read_text()


def test_nbmake_runs_each_chapter_once_with_its_copy_where_it_has_claims(tmp_path):
    targets = claims.nbmake_targets(tmp_path / "out")
    chapters = sorted((bookcli.ROOT / "chapters").glob("*.ipynb"))
    assert [t.name for t in targets] == [c.name for c in chapters]
    for target in targets:
        checked = target.stem in claims.chapters_with_claims()
        assert target.parent == (tmp_path / "out" if checked else bookcli.ROOT / "chapters")


def test_a_wrong_claim_fails_nbmake(tmp_path):
    """End to end: a real kernel under nbmake, started in the copies' folder inside a _build
    folder (which nbmake alone would skip), as the test command runs it."""
    chapters = _chapter(tmp_path, {"1.23": "x + 1", "12": "y"})
    copy, = claims.write_copies(tmp_path / "_build" / "claims" / "chapters", chapters=chapters)
    result = subprocess.run([sys.executable, "-m", "pytest", "--nbmake", "-p", "no:cacheprovider",
                             f"--confcutdir={tmp_path}", str(copy)], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 1, result.stdout
    assert "1 failed" in result.stdout
    assert "01_made_up: 1 number(s) in the prose disagree" in result.stdout
    assert "cell m1: the text says 1.23, but x + 1 gives 2.23" in result.stdout


def test_the_test_command_runs_the_copies(monkeypatch, tmp_path):
    """bookcli.test hands nbmake the copies instead of the chapters that have claims."""
    commands = []
    monkeypatch.setattr(bookcli, "BUILD", tmp_path / "_build")
    monkeypatch.setattr(bookcli, "build", lambda **kwargs: 0)
    monkeypatch.setattr(claims, "OUTPUT", tmp_path / "claims")
    monkeypatch.setattr(bookcli.subprocess, "run", lambda command, **kwargs: commands.append(command) or
                        subprocess.CompletedProcess(command, 0))
    assert bookcli.test([]) == 0
    command = commands[-1]
    assert "chapters" not in command
    for chapter in sorted((bookcli.ROOT / "chapters").glob("*.ipynb")):
        sidecar = chapter.parent / "meta" / f"{chapter.stem}.yml"
        has_claims = sidecar.is_file() and bool(claims.read_claims(sidecar))
        copy, original = str(tmp_path / "claims" / chapter.name), str(chapter)
        assert (copy in command, original in command) == (has_claims, not has_claims), chapter.name


def test_a_number_text_written_twice_is_refused(tmp_path):
    """YAML keeps the last of two equal keys without a word; the checker refuses them instead."""
    sidecar = tmp_path / "x.yml"
    sidecar.write_text('claims:\n  - cell: c1\n    numbers:\n      "0.10": "a"\n      "0.10": "b"\n')
    with pytest.raises(claims.ClaimError, match=r"x.yml, line 5: the key '0.10' is written twice"):
        claims.read_claims(sidecar)
