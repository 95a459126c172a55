"""Notebooks are stored clean, every chapter has the book's shape, and _toc.yml lists them all."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import bookcli

ROOT = bookcli.ROOT
NOTEBOOKS = sorted([*ROOT.glob("chapters/*.ipynb"), *ROOT.glob("pages/*.ipynb")])
CHAPTERS = sorted(ROOT.glob("chapters/*.ipynb"))


def cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def source(cell: dict) -> str:
    return "".join(cell["source"])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_stored_without_outputs(path):
    dirty = [i for i, c in enumerate(cells(path)) if c["cell_type"] == "code"
             and (c.get("outputs") or c.get("execution_count") is not None)]
    assert dirty == [], f"{path.name}: clear the outputs of cells {dirty} before committing"


def test_every_notebook_and_page_is_in_the_toc():
    in_toc = set(bookcli.toc_files())
    sources = {p.relative_to(ROOT).with_suffix("").as_posix()
               for folder in ("chapters", "pages") for p in (ROOT / folder).glob("*.*")
               if p.suffix in {".ipynb", ".md"}}
    assert sources - in_toc == set(), "files the book would not show"
    assert in_toc - sources == set(), "_toc.yml entries without a file"


def test_chapters_are_numbered_in_toc_order():
    chapters = [f for f in bookcli.toc_files() if f.startswith("chapters/")]
    names = [f.split("/")[1] for f in chapters]
    assert all(re.fullmatch(r"\d\d_[a-z0-9_]+", n) for n in names), names
    assert names == sorted(names), "chapters/NN_ numbers must follow the reading order of _toc.yml"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_has_the_book_shape(path):
    all_cells = cells(path)
    markdown = "\n".join(source(c) for c in all_cells if c["cell_type"] == "markdown")
    first = source(all_cells[0])
    assert first.startswith("# "), "a chapter opens with its title"
    assert len(re.findall(r"^# ", markdown, flags=re.M)) == 1, "one # heading, the title"
    front = first + source(all_cells[1])
    for needed in ("Learning objectives", "Time", "Prerequisites"):
        assert needed in front, f"the front matter names its {needed}"
    for section in ("## Overview", "## Summary", "## Exercises", "## References"):
        assert section in markdown, f"missing section {section!r}"
    assert "```{exercise}" in markdown
    assert "```{solution}" in markdown or "```{solution-start}" in markdown
    assert "```{bibliography}" in markdown


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_setup_cell_brings_utils_to_colab(path):
    setup = next(source(c) for c in cells(path) if c["cell_type"] == "code")
    colab = COLAB_STEP.replace("{url}", bookcli.repository_url())
    assert setup.startswith(colab), (
        f"{path.name}: the first code cell must start with the book's Colab step (see "
        "tests/test_notebooks.py COLAB_STEP); run `python3 tools/book.py build` to write the "
        "repository address from _config.yml into it"
    )


# The first lines of every chapter's setup cell. Colab opens a notebook without the rest of the
# repository, so this step clones it and puts it first on the import path; elsewhere it does
# nothing and chapters/utils/ makes `import utils` find the book's package.
COLAB_STEP = '''import sys
if "google.colab" in sys.modules:  # Colab opened this notebook alone: fetch utils/ and data/
    import subprocess
    BOOK_REPOSITORY = "{url}"  # written from _config.yml by tools/book.py
    subprocess.run(["git", "clone", "-q", "--depth=1", BOOK_REPOSITORY, "/content/book"], check=True)
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "-r", "/content/book/requirements-colab.txt"], check=True)
    sys.path.insert(0, "/content/book")
'''


def test_sync_writes_the_configured_address(tmp_path, monkeypatch):
    chapter = tmp_path / "chapters" / "01_x.ipynb"
    chapter.parent.mkdir()
    step = COLAB_STEP.replace("{url}", "https://example.org/old")
    chapter.write_text(json.dumps({"cells": [{"cell_type": "code", "source": [step]}]}))
    monkeypatch.setattr(bookcli, "ROOT", tmp_path)
    monkeypatch.setattr(bookcli, "repository_url", lambda: "https://example.org/new")
    assert bookcli.sync_colab_cells() == [chapter]
    assert 'BOOK_REPOSITORY = "https://example.org/new"' in source(cells(chapter)[0])
    assert bookcli.sync_colab_cells() == []


def test_strip_clears_outputs_and_counts_only(tmp_path, monkeypatch):
    (tmp_path / "chapters").mkdir()
    (tmp_path / "pages").mkdir()
    dirty = tmp_path / "chapters" / "01_x.ipynb"
    clean = tmp_path / "pages" / "y.ipynb"
    code = {"cell_type": "code", "source": ["1 + 1\n"], "metadata": {"tags": ["keep"]}}
    dirty.write_text(json.dumps({"cells": [dict(code, outputs=[{"output_type": "stream", "text": "2"}],
                                                 execution_count=3)]}))
    clean.write_text(json.dumps({"cells": [dict(code, outputs=[], execution_count=None)]}))
    monkeypatch.setattr(bookcli, "ROOT", tmp_path)
    assert bookcli.strip_outputs() == [dirty]
    cell = cells(dirty)[0]
    assert (cell["outputs"], cell["execution_count"], cell["metadata"], source(cell)) == ([], None, {"tags": ["keep"]}, "1 + 1\n")
