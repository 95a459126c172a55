"""Notebook variants generated from a chapter: ``student`` (no solutions) and ``full``.

Both turn the chapter's MyST into plain Markdown (:mod:`course.myst`), add the answer key after
the setup cell and the quiz before the exercises. The **student** notebook drops every solution
(the text of ``{solution}`` blocks and everything between ``{solution-start}`` and
``{solution-end}``) and puts under each exercise an answer cell and, for a self-checking exercise,
a check cell. The **full** notebook keeps the solutions and checks each solution's ``answer``.

A variant is a function ``(chapter, inputs) -> notebook`` in :data:`VARIANTS`; a new one (the
claims copies, say) is one more entry built from the same pieces.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from course.chapter import Chapter, Piece, source
from course.myst import Context, exercise_heading, plain_directive, plain_inline, to_plain
from course.sidecar import Sidecar

EXERCISES_HEADING = re.compile(r"^##\s+Exercises\s*$", re.M)
REFERENCES_HEADING = re.compile(r"^##\s+References\s*$", re.M)
ANSWER_FORMS = {
    "number": "a number, for example 0.25",
    "choice": 'one choice as a string, for example "b"',
    "set": 'a list or a set, for example {"a", "b"}',
    "table": "a pandas Series or DataFrame (a dict of values works too)",
}


@dataclass
class Inputs:
    """What a variant needs besides the chapter: the plain-Markdown context, the sidecar, and
    the encoded answer key and quiz (None when the chapter has none)."""

    context: Context
    sidecar: Sidecar
    key: str | None = None
    quiz: str | None = None


def markdown_cell(cell_id: str, text: str) -> dict[str, Any]:
    return {"cell_type": "markdown", "id": cell_id, "metadata": {}, "source": _lines(text)}


def code_cell(cell_id: str, text: str, metadata: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"cell_type": "code", "execution_count": None, "id": cell_id, "metadata": metadata or {},
            "outputs": [], "source": _lines(text)}


def _lines(text: str) -> list[str]:
    return text.strip("\n").splitlines(keepends=True)


# An item of a variant before cells are formed: markdown text from source cell ``cell``, or a
# finished cell. Consecutive markdown items from one source cell become one markdown cell.
Item = tuple[str, Any, int]


def regroup(chapter: Chapter, items: list[Item]) -> list[dict[str, Any]]:
    """Cells from items, keeping each source cell's id on its first part ("id-2", … after)."""
    cells: list[dict[str, Any]] = []
    buffer: list[str] = []
    buffer_cell = -1
    parts: dict[int, int] = {}

    def flush() -> None:
        nonlocal buffer
        text = "\n\n".join(t.strip("\n") for t in buffer if t.strip())
        if text:
            base = chapter.cells[buffer_cell].get("id", f"cell-{buffer_cell}")
            parts[buffer_cell] = parts.get(buffer_cell, 0) + 1
            cell_id = base if parts[buffer_cell] == 1 else f"{base}-{parts[buffer_cell]}"
            cells.append(markdown_cell(cell_id, text))
        buffer = []

    for kind, value, cell in items:
        if kind == "md":
            if cell != buffer_cell:
                flush()
                buffer_cell = cell
            buffer.append(value)
        else:
            flush()
            cells.append(value)
    flush()
    return cells


def _clean_code(chapter: Chapter, piece: Piece) -> dict[str, Any]:
    cell = copy.deepcopy(chapter.cells[piece.cell])
    cell["outputs"], cell["execution_count"] = [], None
    return cell


def _quiz_items(inputs: Inputs, count: int) -> list[Item]:
    if not inputs.quiz:
        return []
    intro = (f"## Quiz\n\nRun the next cell to answer {count} questions on this chapter's learning "
             "objectives; each question has its own Check button.")
    code = f'from utils import quiz\n\nquiz.show("{inputs.quiz}")'
    return [("cell", markdown_cell("course-quiz-intro", intro), -1), ("cell", code_cell("course-quiz", code), -1)]


def _key_cell(inputs: Inputs) -> dict[str, Any]:
    code = ("from utils.exercises import Checker\n\n"
            f'check = Checker("{inputs.key}")  # the answer key, encoded: not readable at a glance')
    return code_cell("course-answer-key", code, {"tags": ["answer-key"]})


def _text_items(chapter: Chapter, piece: Piece, inputs: Inputs, quiz: list[Item],
                state: dict[str, bool]) -> Iterator[Item]:
    """A text block as plain Markdown, with the quiz placed before "## Exercises"."""
    text = piece.block.text if piece.block is not None else ""
    converted = (plain_directive(piece.block, inputs.context) if piece.block is not None and piece.block.fence
                 else None)
    if converted is not None:
        yield "md", converted, piece.cell
        return
    match = EXERCISES_HEADING.search(text)
    if match and not state["quiz"]:
        state["quiz"] = True
        yield "md", plain_inline(text[:match.start()], inputs.context), piece.cell
        yield from quiz
        yield "md", plain_inline(text[match.start():], inputs.context), piece.cell
        return
    yield "md", plain_inline(text, inputs.context), piece.cell


def _quiz_fallback(items: list[Item], quiz: list[Item]) -> list[Item]:
    """Place the quiz before the first exercise or the references when there is no heading."""
    for index, (kind, value, _) in enumerate(items):
        if kind == "md" and (value.lstrip().startswith('<a id="ex-') or REFERENCES_HEADING.search(value)):
            return items[:index] + quiz + items[index:]
    return items + quiz


def _exercise_markdown(piece: Piece, inputs: Inputs, number: str) -> str:
    block = piece.block
    body = to_plain(block.body, inputs.context)
    title = plain_inline(block.argument, inputs.context)
    return exercise_heading(number, title, piece.label) + ("\n\n" + body if body else "")


def _variant(chapter: Chapter, inputs: Inputs, *, solutions: bool) -> list[dict[str, Any]]:
    numbers = {e.label: e.number for e in chapter.exercises}
    quiz = _quiz_items(inputs, len(inputs.sidecar.quiz))
    state = {"quiz": False, "key": False}
    items: list[Item] = []
    for piece in chapter.pieces:
        in_solution = bool(piece.solution_of) and piece.role != "exercise"
        if in_solution and not solutions:
            continue
        if piece.role == "code":
            items.append(("cell", _clean_code(chapter, piece), piece.cell))
            if not state["key"]:
                state["key"] = True
                if inputs.key:
                    items.append(("cell", _key_cell(inputs), -1))
            if solutions and piece.solution_of:
                meta = inputs.sidecar.exercises.get(piece.solution_of)
                last = chapter.exercise(piece.solution_of).solution_code[-1]
                if meta and meta.self_checking and chapter.cells[piece.cell].get("id") == last:
                    items.append(("cell", code_cell(f"{piece.solution_of}-check",
                                                    f'check("{piece.solution_of}", answer)'), -1))
        elif piece.role == "exercise":
            items.append(("md", _exercise_markdown(piece, inputs, numbers[piece.label]), piece.cell))
            if not solutions:
                items += _answer_items(piece.label, numbers[piece.label], inputs)
        elif piece.role == "solution":
            body = to_plain(piece.block.body, inputs.context)
            items.append(("md", f"**Solution to Exercise {numbers[piece.label]}**\n\n{body}", piece.cell))
        elif piece.role == "solution-start":
            items.append(("md", f"**Solution to Exercise {numbers[piece.label]}**", piece.cell))
        elif piece.role == "solution-end":
            continue
        else:
            items += list(_text_items(chapter, piece, inputs, quiz, state))
    if quiz and not state["quiz"]:
        items = _quiz_fallback(items, quiz)
    return regroup(chapter, items)


def _answer_items(label: str, number: str, inputs: Inputs) -> list[Item]:
    meta = inputs.sidecar.exercises.get(label)
    if meta is not None and meta.self_checking:
        form = ANSWER_FORMS[meta.check["type"]]
        work = f"# Exercise {number}: work here, then set answer to {form}.\nanswer = ..."
        return [("cell", code_cell(f"{label}-answer", work), -1),
                ("cell", code_cell(f"{label}-check", f'check("{label}", answer)'), -1)]
    return [("cell", code_cell(f"{label}-work", f"# Exercise {number}: your work (if the exercise needs code)"), -1),
            ("cell", markdown_cell(f"{label}-answer", f"**Your answer to Exercise {number}:** "
                                                      "(double-click this cell to write it)"), -1)]


def _notebook(chapter: Chapter, cells: list[dict[str, Any]], variant: str) -> dict[str, Any]:
    metadata = copy.deepcopy(chapter.notebook.get("metadata", {}))
    metadata["course"] = {"chapter": chapter.stem, "variant": variant,
                          "generated_from": f"chapters/{chapter.path.name}"}
    return {"cells": cells, "metadata": metadata, "nbformat": 4, "nbformat_minor": 5}


def student(chapter: Chapter, inputs: Inputs) -> dict[str, Any]:
    """The chapter without its solutions, with an answer (and check) cell under each exercise."""
    return _notebook(chapter, _variant(chapter, inputs, solutions=False), "student")


def full(chapter: Chapter, inputs: Inputs) -> dict[str, Any]:
    """The chapter with its solutions, each self-checking one followed by its check."""
    return _notebook(chapter, _variant(chapter, inputs, solutions=True), "full")


VARIANTS: dict[str, Callable[[Chapter, Inputs], dict[str, Any]]] = {"student": student, "full": full}


def markdown_text(notebook: dict[str, Any]) -> str:
    """All markdown of a notebook, for tests and searches."""
    return "\n".join(source(c) for c in notebook["cells"] if c["cell_type"] == "markdown")
