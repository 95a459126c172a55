"""Expected answers, taken from the solutions when the book executes, and the encoded keys.

When the HTML build reads a chapter, :func:`capture_cells` adds one hidden cell (tag
``remove-cell``) after the last code cell of every self-checking exercise's solution; it prints
the value of ``answer`` there (:func:`utils.exercises.record_answer`). myst-nb writes the executed
notebook to ``_build/jupyter_execute/``, where :func:`read_answers` finds the values. So an
expected answer is whatever the book's own solution computes, never typed a second time.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from course.chapter import Chapter
from course.sidecar import Sidecar
from course.variants import code_cell
from utils.exercises import ANSWER_MARK, answer_key, encode

QUIZ_PREFIX = "crm-quiz-1:"


class AnswerMissing(RuntimeError):
    """A self-checking exercise whose answer the executed notebook does not hold."""


def capture_code(label: str, check_type: str) -> str:
    return ("from utils.exercises import record_answer as _record_answer\n"
            f'_record_answer("{label}", "{check_type}", answer)')


def capture_cells(chapter: Chapter, sidecar: Sidecar) -> dict[str, dict[str, Any]]:
    """``{id of a solution's last code cell: the hidden cell to insert after it}``."""
    cells = {}
    for exercise in chapter.exercises:
        meta = sidecar.exercises.get(exercise.label)
        if meta is None or not meta.self_checking or not exercise.solution_code:
            continue
        cell = code_cell(f"{exercise.label}-capture", capture_code(exercise.label, meta.check["type"]),
                         {"tags": ["remove-cell"]})
        cells[exercise.solution_code[-1]] = cell
    return cells


def with_captures(notebook: dict[str, Any], captures: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A copy of ``notebook`` with each capture cell after the cell whose id it is keyed by."""
    cells = []
    for cell in notebook["cells"]:
        cells.append(cell)
        if cell.get("id") in captures:
            cells.append(captures[cell["id"]])
    return dict(notebook, cells=cells)


def read_answers(executed: dict[str, Any]) -> dict[str, Any]:
    """``{label: expected value}`` from the printed lines of an executed notebook."""
    found = {}
    for cell in executed.get("cells", []):
        # A kernel may deliver one printed line in several stream messages (and the executed
        # notebook keeps them as separate outputs): join a cell's stdout before reading lines.
        text = "".join("".join(t) if isinstance(t := output.get("text", ""), list) else t
                       for output in cell.get("outputs", [])
                       if output.get("output_type") == "stream" and output.get("name", "stdout") == "stdout")
        if text:
            for line in text.splitlines():
                if line.startswith(ANSWER_MARK + " "):
                    _, label, value = line.split(" ", 2)
                    found[label] = json.loads(value)
    return found


def key_entries(chapter: Chapter, sidecar: Sidecar, answers: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The answer key's entry for every exercise (open ones carry only their number)."""
    entries = {}
    for exercise in chapter.exercises:
        meta = sidecar.exercises.get(exercise.label)
        if meta is None or not meta.self_checking:
            entries[exercise.label] = {"number": exercise.number, "type": "open"}
            continue
        if exercise.label not in answers:
            raise AnswerMissing(f"{chapter.stem}: the executed notebook holds no answer for "
                                f"{exercise.label} (the last code cell of its solution must assign `answer = ...` and run)")
        entry = {"number": exercise.number, "type": meta.check["type"], "expected": answers[exercise.label]}
        entry.update({k: meta.check[k] for k in ("rtol", "atol", "hint") if k in meta.check})
        entries[exercise.label] = entry
    return entries


def chapter_key(chapter: Chapter, sidecar: Sidecar, answers: dict[str, Any]) -> str | None:
    """The encoded key, or None when the chapter has no self-checking exercise."""
    entries = key_entries(chapter, sidecar, answers)
    if not any(entry["type"] != "open" for entry in entries.values()):
        return None
    return answer_key(chapter.stem, entries)


def chapter_quiz(sidecar: Sidecar) -> str | None:
    """The sidecar's quiz, encoded for the notebooks (None without a quiz)."""
    return encode({"questions": sidecar.quiz}, prefix=QUIZ_PREFIX) if sidecar.quiz else None


def load_executed(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))
