"""A chapter notebook as the course tools see it: its number, title, exercises and solutions.

A chapter is cut into *pieces*: each markdown cell into its top-level blocks (plain text and
fenced directives, :func:`myst.split_blocks`), each code cell whole. Every piece knows which
exercise's solution it belongs to, if any, so that a variant can keep or drop solutions (the
text of a ``{solution}`` block, and everything between ``{solution-start}`` and
``{solution-end}``) without knowing the chapter.

Exercises are numbered per chapter with the chapter's file number: the third exercise of
``11_tallies_audit`` is Exercise 11.3, in the HTML, the notebooks and the instructor tables.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from course.myst import Block, split_blocks

STEM = re.compile(r"^(?P<number>\d+)_[a-z0-9_]+$")
READ_TIME = re.compile(r"(\d+)\s+minutes\s+to\s+read", re.I)


class ChapterError(ValueError):
    """A chapter whose exercise markup the course tools cannot follow (one sentence)."""


def chapter_number(stem: str) -> int | None:
    """The number in a chapter's file name (``11_tallies_audit`` → 11), None for other pages."""
    match = STEM.match(stem)
    return int(match.group("number")) if match else None


def exercise_number(stem: str, index: int) -> str:
    """The number shown for the ``index``-th (from 1) exercise of a chapter: "11.3"."""
    number = chapter_number(stem)
    return f"{number}.{index}" if number is not None else str(index)


@dataclass
class Piece:
    """A markdown block or a code cell of a chapter, in order.

    ``cell`` is the source cell's index; ``block`` the markdown block (None for a code cell);
    ``solution_of`` the label of the exercise whose solution holds the piece ("" if none);
    ``role`` one of ``text``, ``exercise``, ``solution`` (a whole ``{solution}`` block),
    ``solution-start``, ``solution-end`` or ``code``."""

    cell: int
    role: str
    block: Block | None = None
    solution_of: str = ""
    label: str = ""


@dataclass
class Exercise:
    """One exercise: its label, number ("11.3"), title, and how its solution is written."""

    label: str
    number: str
    title: str
    solution: str = ""  # "plain" ({solution} block), "gated" (solution-start … end) or ""
    solution_code: list[str] = field(default_factory=list)  # ids of the solution's code cells


@dataclass
class Chapter:
    """A chapter notebook and what the course tools read from it."""

    path: Path
    notebook: dict[str, Any]
    pieces: list[Piece]
    exercises: list[Exercise]

    @property
    def stem(self) -> str:
        return self.path.stem

    @property
    def cells(self) -> list[dict[str, Any]]:
        return self.notebook["cells"]

    @property
    def title(self) -> str:
        first = "".join(self.cells[0]["source"]) if self.cells else ""
        match = re.search(r"^#\s+(.+)$", first, re.M)
        return match.group(1).strip() if match else self.stem

    @property
    def reading_minutes(self) -> int | None:
        """The time to read that the front matter states ("About 35 minutes to read"), if any."""
        front = "".join("".join(c["source"]) for c in self.cells[:2] if c["cell_type"] == "markdown")
        match = READ_TIME.search(front)
        return int(match.group(1)) if match else None

    def exercise(self, label: str) -> Exercise:
        for exercise in self.exercises:
            if exercise.label == label:
                return exercise
        raise KeyError(label)

    @property
    def labels(self) -> list[str]:
        return [e.label for e in self.exercises]


def source(cell: dict[str, Any]) -> str:
    text = cell.get("source", "")
    return "".join(text) if isinstance(text, list) else text


def _pieces(path: Path, cells: list[dict[str, Any]]) -> tuple[list[Piece], list[Exercise]]:
    pieces: list[Piece] = []
    exercises: list[Exercise] = []
    by_label: dict[str, Exercise] = {}
    gated = ""  # the label whose gated solution is open
    for index, cell in enumerate(cells):
        if cell["cell_type"] == "code":
            pieces.append(Piece(index, "code", solution_of=gated))
            if gated:
                by_label[gated].solution_code.append(cell.get("id", str(index)))
            continue
        if cell["cell_type"] != "markdown":
            continue
        for block in split_blocks(source(cell)):
            name = block.name if block.is_directive else ""
            if name == "exercise":
                label = block.options.get("label", "")
                if not label:
                    raise ChapterError(f"{path.name}: an exercise ({block.argument or 'untitled'}) has no :label:")
                if label in by_label:
                    raise ChapterError(f"{path.name}: two exercises are labelled {label}")
                exercise = Exercise(label, exercise_number(path.stem, len(exercises) + 1), block.argument)
                exercises.append(exercise)
                by_label[label] = exercise
                pieces.append(Piece(index, "exercise", block, solution_of=gated, label=label))
            elif name in {"solution", "solution-start"}:
                label = block.argument.strip()
                if label not in by_label:
                    raise ChapterError(f"{path.name}: a {name} names {label!r}, which is no exercise "
                                       "above it (the solution must follow its exercise)")
                if gated:
                    raise ChapterError(f"{path.name}: the solution of {label} starts inside the gated "
                                       f"solution of {gated}; close that one with solution-end first")
                by_label[label].solution = "plain" if name == "solution" else "gated"
                pieces.append(Piece(index, name, block, solution_of=label, label=label))
                if name == "solution-start":
                    gated = label
            elif name == "solution-end":
                if not gated:
                    raise ChapterError(f"{path.name}: a solution-end closes no solution-start")
                pieces.append(Piece(index, name, block, solution_of=gated, label=gated))
                gated = ""
            else:
                pieces.append(Piece(index, "text", block, solution_of=gated))
    if gated:
        raise ChapterError(f"{path.name}: the gated solution of {gated} has no solution-end")
    return pieces, exercises


def read_chapter(path: Path, notebook: dict[str, Any] | None = None) -> Chapter:
    """Read ``path`` (or the already loaded ``notebook``) into a :class:`Chapter`."""
    if notebook is None:
        notebook = json.loads(path.read_text(encoding="utf-8"))
    pieces, exercises = _pieces(path, notebook["cells"])
    return Chapter(path, notebook, pieces, exercises)


def last_solution_code(chapter: Chapter, label: str) -> str | None:
    """The id of the last code cell of an exercise's gated solution (None if it has none)."""
    code = chapter.exercise(label).solution_code
    return code[-1] if code else None
