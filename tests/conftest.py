"""Shared fixtures. Tests of the built book need ``_build/`` from ``python3 tools/book.py build``;
``python3 tools/book.py test`` builds first and sets BOOK_REQUIRE_BUILD=1, so there they fail
rather than skip when a page is missing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
ASSIGNMENTS_HTML = ROOT / "_build" / "assignments" / "_build" / "html"


def _built(path: Path) -> Path:
    if not (path / "index.html").is_file():
        message = f"no built book at {path}: run `python3 tools/book.py build` first"
        if os.environ.get("BOOK_REQUIRE_BUILD") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def html() -> Path:
    """The built book's HTML folder."""
    return _built(HTML)


@pytest.fixture(scope="session")
def assignments_html() -> Path:
    """The HTML folder of the build without solutions."""
    return _built(ASSIGNMENTS_HTML)
