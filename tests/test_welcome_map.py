"""The welcome page keeps step with _toc.yml: its table of parts names the toc's parts, and its map
of the book links every chapter."""

from __future__ import annotations

import json
import re

import bookcli

ROOT = bookcli.ROOT
FRAME = {"Getting started", "Reference"}  # parts around the book's content, not described there


def welcome_text() -> str:
    cells = json.loads((ROOT / "pages" / "welcome.ipynb").read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")


def section(text: str, heading: str) -> str:
    start = text.index(f"## {heading}\n")
    end = text.find("\n## ", start + 1)
    return text[start:] if end < 0 else text[start:end]


def test_the_parts_table_names_the_toc_parts_in_order():
    captions = [part["caption"] for part in bookcli.read_yaml(ROOT / "_toc.yml")["parts"]]
    rows = re.findall(r"^\| ([^|]+?) \|", section(welcome_text(), "What is in it"), flags=re.M)
    described = [row for row in rows if row not in {"Part", "---"}]
    assert described == [c for c in captions if c not in FRAME]


def test_the_map_links_every_chapter():
    linked = set(re.findall(r"<\.\./chapters/(\d\d_[a-z0-9_]+)>", section(welcome_text(), "A map of the book")))
    chapters = {f.split("/")[1] for f in bookcli.toc_files() if f.startswith("chapters/")}
    assert chapters - linked == set(), "chapters the welcome page's map does not show"
    assert linked - chapters == set(), "links to chapters that do not exist"
