"""The built book: a page for every _toc.yml entry, solutions shown or left out, citations with
DOIs, the execution table, and a failing cell that fails the build."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import bookcli


def test_every_toc_entry_has_a_page(html, assignments_html):
    assert bookcli.missing_pages(html) == []
    assert bookcli.missing_pages(assignments_html) == []
    assert (html / "index.html").is_file()


def test_solutions_are_dropdowns_and_absent_from_the_assignments_build(html, assignments_html):
    page = "pages/how_to_use.html"
    with_solutions = (html / page).read_text(encoding="utf-8")
    without = (assignments_html / page).read_text(encoding="utf-8")
    assert "ex-how-to-use-shape" in with_solutions and "ex-how-to-use-shape" in without
    assert 'class="solution dropdown' in with_solutions
    # every page of the assignments build keeps its exercises and loses every solution,
    # including gated solutions whose executed code cells sit between solution-start/-end
    pages = sorted(assignments_html.rglob("*.html"))
    assert not [p.name for p in pages if 'class="solution' in p.read_text(encoding="utf-8")]
    chapter = "chapters/11_tallies_audit.html"
    assert "fitted_rule" in (html / chapter).read_text(encoding="utf-8")
    hidden = (assignments_html / chapter).read_text(encoding="utf-8")
    assert "fitted_rule" not in hidden and 'id="ex-tallies-dashboard"' in hidden


def test_bibliography_is_author_year_with_dois(html):
    text = (html / "pages" / "bibliography.html").read_text(encoding="utf-8")
    bib = (bookcli.ROOT / "references.bib").read_text(encoding="utf-8")
    dois = re.findall(r"doi\s*=\s*\{([^}]+)\}", bib)
    assert len(dois) >= 15
    assert all(f"https://doi.org/{doi}" in text for doi in dois)
    welcome = re.sub(r"<[^>]+>", "", (html / "pages" / "welcome.html").read_text(encoding="utf-8"))
    assert "Khodakarami and Chan [2014]" in welcome  # author-year, not [1]


def test_execution_status_lists_every_notebook(html):
    text = (html / "pages" / "execution_status.html").read_text(encoding="utf-8")
    notebooks = [f for f in bookcli.toc_files()
                 if (bookcli.ROOT / f"{f}.ipynb").is_file()]
    assert notebooks
    for name in notebooks:
        assert name.split("/")[-1] in text


def _book_with_a_failing_chapter(tmp_path):
    """A copy of the book's configuration with one chapter whose second cell raises."""
    book = tmp_path / "book"
    book.mkdir()
    for name in ("_config.yml", "references.bib"):
        shutil.copy(bookcli.ROOT / name, book / name)
    for folder in ("vendor", "assets", "tools"):
        (book / folder).symlink_to(bookcli.ROOT / folder)
    (book / "_toc.yml").write_text("format: jb-book\nroot: broken\n")
    cells = [{"cell_type": "markdown", "id": "a", "metadata": {}, "source": ["# Broken\n"]},
             {"cell_type": "code", "id": "b", "metadata": {}, "execution_count": None, "outputs": [],
              "source": ["x = 1\n"]},
             {"cell_type": "code", "id": "c", "metadata": {}, "execution_count": None, "outputs": [],
              "source": ["raise ValueError('this cell fails on purpose')\n"]}]
    notebook = {"cells": cells, "nbformat": 4, "nbformat_minor": 5,
                "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}}
    (book / "broken.ipynb").write_text(json.dumps(notebook))
    return book


def test_a_failing_cell_fails_the_build_and_nbmake(tmp_path):
    book = _book_with_a_failing_chapter(tmp_path)
    build = subprocess.run(bookcli.build_command(book), capture_output=True, text=True, cwd=book)
    assert build.returncode != 0
    assert "this cell fails on purpose" in build.stdout + build.stderr or \
        any("this cell fails on purpose" in p.read_text() for p in (book / "_build" / "html" / "reports").rglob("*"))
    nbmake = subprocess.run([sys.executable, "-m", "pytest", "--nbmake", "-p", "no:cacheprovider",
                             str(book / "broken.ipynb")], capture_output=True, text=True, cwd=book)
    assert nbmake.returncode == 1
    assert "this cell fails on purpose" in nbmake.stdout
