"""The book as the course tools see it: chapters in ``_toc.yml`` order, their sidecars, the
bibliography, and the checks that tie a sidecar to its chapter."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from course.chapter import Chapter, chapter_number, read_chapter, source
from course.myst import Context
from course.references import Bibliography
from course.sidecar import Sidecar, load


def read_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def toc_entries(root: Path) -> list[tuple[str, str]]:
    """``(file without suffix, part caption)`` for every entry of ``_toc.yml``, root first."""
    toc = read_yaml(root / "_toc.yml")
    entries = [(toc["root"], "")]

    def walk(node: object, caption: str) -> None:
        if isinstance(node, dict):
            caption = node.get("caption", caption)
            if "file" in node:
                entries.append((node["file"], caption))
            for key, value in node.items():
                if key not in {"file", "caption"}:
                    walk(value, caption)
        elif isinstance(node, list):
            for item in node:
                walk(item, caption)

    walk({key: value for key, value in toc.items() if key != "root"}, "")
    return [(re.sub(r"\.(ipynb|md)$", "", name), caption) for name, caption in entries]


def answer_assigned_last(code: str) -> bool:
    """Whether a code cell assigns ``answer = <expression>`` at its top level (not inside a loop,
    a branch or a function), so that ``answer`` holds the value when the cell has run; lines after
    it may display the value or its context."""
    try:
        body = ast.parse(code).body
    except SyntaxError:  # IPython magics: fall back to the lines that start at the margin
        return any(re.match(r"^answer\s*=[^=]", line) for line in code.splitlines())
    return any(isinstance(statement, ast.Assign)
               and [getattr(t, "id", None) for t in statement.targets] == ["answer"]
               for statement in body)


def _title(path: Path) -> str:
    if path.suffix == ".ipynb":
        return read_chapter(path).title
    match = re.search(r"^#\s+(.+)$", path.read_text(encoding="utf-8"), re.M)
    return match.group(1).strip() if match else path.stem


@dataclass
class Book:
    """The book at ``root``: chapters (``chapters/NN_name.ipynb`` in toc order) and pages."""

    root: Path

    @cached_property
    def entries(self) -> list[tuple[str, str]]:
        return toc_entries(self.root)

    @cached_property
    def chapters(self) -> list[Chapter]:
        found = []
        for name, _ in self.entries:
            path = self.root / f"{name}.ipynb"
            if name.startswith("chapters/") and chapter_number(path.stem) is not None and path.is_file():
                found.append(read_chapter(path))
        return found

    @cached_property
    def parts(self) -> dict[str, str]:
        """Each chapter's part caption in the toc."""
        return {name.split("/")[-1]: caption for name, caption in self.entries if name.startswith("chapters/")}

    def chapter(self, stem: str) -> Chapter:
        for chapter in self.chapters:
            if chapter.stem == stem:
                return chapter
        raise KeyError(f"no chapter {stem!r} in _toc.yml")

    @cached_property
    def sidecars(self) -> dict[str, Sidecar]:
        return {c.stem: load(c.path, c.labels) for c in self.chapters}

    @cached_property
    def bibliography(self) -> Bibliography:
        return Bibliography.read(self.root / "references.bib")

    @cached_property
    def config(self) -> dict[str, Any]:
        return read_yaml(self.root / "_config.yml") or {}

    @property
    def repository_url(self) -> str:
        return str(self.config.get("repository", {}).get("url", "")).rstrip("/")

    @property
    def branch(self) -> str:
        return str(self.config.get("repository", {}).get("branch", "main"))

    @cached_property
    def numbers(self) -> dict[str, tuple[str, str]]:
        """Every exercise label of the book → (chapter stem, "11.3")."""
        return {e.label: (c.stem, e.number) for c in self.chapters for e in c.exercises}

    @cached_property
    def titles(self) -> dict[str, str]:
        """Document names as a chapter's ``{doc}`` writes them → titles."""
        titles = {}
        for name, _ in self.entries:
            path = next((p for p in (self.root / f"{name}.ipynb", self.root / f"{name}.md") if p.is_file()), None)
            if path is None:
                continue
            relative = name.split("/", 1)[1] if name.startswith("chapters/") else f"../{name}"
            titles[relative] = _title(path)
        return titles

    def context(self, chapter: Chapter) -> Context:
        """What :func:`myst.to_plain` needs for one chapter's notebooks."""
        cited: list[str] = []
        for cell in chapter.cells:
            if cell["cell_type"] == "markdown":
                for match in re.finditer(r"\{cite(?::\w+)?\}`([^`]*)`", source(cell)):
                    cited += [key.strip() for key in match.group(1).split(",")]
        bib = self.bibliography
        return Context(stem=chapter.stem, numbers=self.numbers, titles=self.titles,
                       cite=bib.cite, references=lambda: bib.reference_list(cited))

    def problems(self) -> list[str]:
        """Sentences naming every self-checking exercise whose solution's last code cell does not
        assign ``answer = ...`` at its top level (the build collects expected answers from that line)."""
        found = []
        for chapter in self.chapters:
            cells = {cell.get("id"): cell for cell in chapter.cells}
            for label, meta in self.sidecars[chapter.stem].exercises.items():
                if not meta.self_checking:
                    continue
                exercise = chapter.exercise(label)
                if exercise.solution != "gated" or not exercise.solution_code:
                    found.append(f"{chapter.stem}: {label} self-checks, so its solution needs code "
                                 "cells (solution-start … solution-end), the last assigning `answer = ...`")
                elif not answer_assigned_last(source(cells[exercise.solution_code[-1]])):
                    found.append(f"{chapter.stem}: the last code cell of the solution of {label} "
                                 "must assign `answer = <expression>` at its top level")
        return found
