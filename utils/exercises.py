"""Exercises that check themselves: the answer key a notebook carries and the check a student runs.

A generated notebook (the student and the full versions, made by ``tools/course``) carries its
chapter's answer key as one encoded string, and each self-checking exercise gets two cells::

    answer = ...                                   # the student replaces ... with the answer
    check("ex-crm_knowledge-confounding", answer)  # prints one line: right, close, wrong, ...

``check`` prints a verdict and never raises: an answer of the wrong type or shape, or an unknown
label, gets one sentence saying what was expected. :meth:`Checker.grade` returns the
:class:`Verdict` instead of printing it.

The expected values come from the book's own solutions: when the book is built, each solution's
last code cell ends with ``answer = <expression>``, and :func:`record_answer` (run right after it)
prints that value in the form :func:`expected_value` gives it. The key is compressed and
base64-encoded so that the answers are not readable at a glance; anyone can decode it (the book
is open), which is why the checks are for learning, not for grading.
"""

from __future__ import annotations

from utils.errors import BookError

import base64
import json
import math
import numbers
import sys
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from utils._checks import validated
from utils.errors import InputError

CHECK_TYPES = ("number", "choice", "set", "table")
KEY_PREFIX = "crm-key-1:"
# Printed before a recorded answer, so that the build can find it among a cell's outputs.
ANSWER_MARK = "COURSE-ANSWER"
DEFAULT_RTOL = 1e-6
DEFAULT_ATOL = 1e-9
# An answer outside the tolerance but within this many tolerances (or 1 % of the expected
# value, whichever is larger) is called "close", so a student who rounded too early is told so.
CLOSE_FACTOR = 3.0
CLOSE_RELATIVE = 0.01
SIGNIFICANT_DIGITS = 9  # expected numbers are stored to this precision (stable across machines)
UNANSWERED = (Ellipsis, None)


class AnswerError(BookError, ValueError):
    """An answer (or a solution's expected value) that does not have the form its check needs."""


@dataclass(frozen=True)
class Verdict:
    """The outcome of one check: ``status`` is one of ``right``, ``close``, ``wrong``,
    ``unanswered``, ``invalid`` (wrong type or shape, unknown label) or ``open`` (no check)."""

    label: str
    status: str
    message: str

    def __str__(self) -> str:
        return self.message


# --------------------------------------------------------------------------- encoding the key


@validated
def encode(data: Mapping[str, Any], prefix: str = KEY_PREFIX) -> str:
    """JSON-able ``data`` as one printable string: compressed, base64, with a version prefix.

    The same ``data`` always gives the same string (sorted keys, fixed compression level)."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    packed = base64.b64encode(zlib.compress(text.encode("utf-8"), 9)).decode("ascii")
    return prefix + packed


@validated
def decode(text: str, prefix: str = KEY_PREFIX) -> dict[str, Any]:
    """The data :func:`encode` packed into ``text``; a ValueError in one sentence if it is not one."""
    if not isinstance(text, str) or not text.startswith(prefix):
        raise InputError(f"an encoded key must be a string starting with {prefix!r}, got "
                         f"{_describe(text)}; regenerate the notebook (python3 tools/book.py build)")
    try:
        return json.loads(zlib.decompress(base64.b64decode(text[len(prefix):], validate=True)))
    except (ValueError, zlib.error) as error:
        raise InputError(f"the encoded key is damaged ({error}); regenerate the notebook "
                         "(python3 tools/book.py build) or download it again") from None


# --------------------------------------------------------------------------- values


def _describe(value: object) -> str:
    """How a value looks to a student, in a few words."""
    if value is Ellipsis:
        return "... (not answered)"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the text {shown!r}"
    if isinstance(value, bool | np.bool_):
        return f"the truth value {bool(value)}"
    if isinstance(value, pd.DataFrame):
        return f"a DataFrame of {value.shape[0]} rows and {value.shape[1]} columns"
    if isinstance(value, pd.Series):
        return f"a Series of {len(value)} values"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if isinstance(value, numbers.Real):
        return f"the number {float(value):g}"
    if isinstance(value, Mapping):
        return f"a dict of {len(value)} entries"
    if isinstance(value, set | frozenset | list | tuple):
        return f"a {type(value).__name__} of {len(value)} items"
    return f"a {type(value).__name__}"


def _as_number(value: object) -> float | None:
    """``value`` as a float if it is one number (a 1-element array or Series counts), else None."""
    if isinstance(value, pd.DataFrame | pd.Series | np.ndarray) and value.size == 1:
        value = value.to_numpy().reshape(-1)[0] if not isinstance(value, np.ndarray) else value.reshape(-1)[0]
    if isinstance(value, bool | np.bool_):
        return None
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip().replace("\u2212", "-"))
        except ValueError:
            return None
    return None


def _round(value: float) -> float:
    return float(f"{value:.{SIGNIFICANT_DIGITS}g}")


def _text(value: object) -> str:
    """A label or an item compared as text: case, surrounding space, quotes and brackets ignored."""
    if isinstance(value, tuple | list):
        return " / ".join(_text(part) for part in value)
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        number = float(value)
        return f"{number:g}" if math.isfinite(number) else "nan"
    text = " ".join(str(value).split()).casefold()
    return text.strip("\"'()[]").rstrip(".)").strip()


def _cell(value: object) -> object:
    """A table cell as JSON: a rounded float, a string, or None for a missing value."""
    if value is None or value is pd.NA or (isinstance(value, float | np.floating) and math.isnan(value)):
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, numbers.Real):
        return _round(float(value))
    return str(value)


def _label(value: object) -> object:
    if value is None:
        return None
    if isinstance(value, tuple):
        return [_label(part) for part in value]
    if isinstance(value, np.generic):
        value = value.item()
    return value if isinstance(value, str | int | float) else str(value)


def _table(value: object) -> dict[str, Any] | None:
    """A Series, DataFrame, dict or list of rows as ``{"index", "columns", "data", "series"}``."""
    if isinstance(value, Mapping):
        values = list(value.values())
        scalar = all(not isinstance(v, Mapping | list | tuple | np.ndarray | pd.Series) for v in values)
        value = pd.Series(dict(value)) if scalar else pd.DataFrame(dict(value))
    elif isinstance(value, list | tuple | np.ndarray) and not isinstance(value, str):
        value = pd.DataFrame(list(value)) if len(value) and isinstance(value[0], list | tuple | np.ndarray) \
            else pd.Series(list(value))
    if isinstance(value, pd.Series):
        return {"index": [_label(i) for i in value.index], "columns": [_label(value.name)],
                "data": [[_cell(v)] for v in value.tolist()], "series": True}
    if isinstance(value, pd.DataFrame):
        return {"index": [_label(i) for i in value.index], "columns": [_label(c) for c in value.columns],
                "data": [[_cell(v) for v in row] for row in value.itertuples(index=False, name=None)],
                "series": False}
    return None


@validated
def expected_value(check_type: str, value: object) -> object:
    """A solution's ``answer`` in the JSON form its check compares against.

    number → a float (rounded to 9 significant digits); choice → a string; set → a sorted list of
    items; table → a dict of index, columns and cell values. Raises :class:`AnswerError` in one
    sentence if the value does not fit ``check_type`` (the build then fails, naming the exercise).
    """
    if check_type not in CHECK_TYPES:
        raise AnswerError(f"check type must be one of {', '.join(CHECK_TYPES)}, got {check_type!r}")
    if check_type == "number":
        number = _as_number(value)
        if number is None or isinstance(value, str) or not math.isfinite(number):
            raise AnswerError(f"a number check needs a finite number as answer, got {_describe(value)}")
        return _round(number)
    if check_type == "choice":
        if not isinstance(value, str) or not value.strip():
            raise AnswerError(f"a choice check needs a non-empty string as answer, got {_describe(value)}")
        return value.strip()
    if check_type == "set":
        items = _items(value)
        if items is None or not items:
            raise AnswerError(f"a set check needs a non-empty collection as answer, got {_describe(value)}")
        return sorted({_cell(item) for item in items}, key=_text)
    table = _table(value)
    if table is None or not table["data"]:
        raise AnswerError(f"a table check needs a Series, DataFrame or dict as answer, got {_describe(value)}")
    return table


def _items(value: object) -> list | None:
    if isinstance(value, str | bytes | Mapping) or value is None:
        return None
    if isinstance(value, pd.DataFrame):
        return None
    if isinstance(value, pd.Series | pd.Index | np.ndarray):
        return list(np.asarray(value).reshape(-1).tolist())
    if isinstance(value, Iterable):
        return list(value)
    return None


@validated
def record_answer(label: str, check_type: str, value: object) -> None:
    """Print a solution's answer for the build to collect (one line: mark, label, JSON)."""
    try:
        expected = expected_value(check_type, value)
    except AnswerError as error:
        raise AnswerError(f"the solution of {label} ends with an answer that does not fit its "
                          f"{check_type!r} check: {error}") from None
    # one write, flushed, so that the line reaches the notebook in one stream message
    sys.stdout.write(f"{ANSWER_MARK} {label} {json.dumps(expected, sort_keys=True, ensure_ascii=False)}\n")
    sys.stdout.flush()


# --------------------------------------------------------------------------- comparing


def _tolerance(spec: Mapping[str, Any], expected: float) -> float:
    rtol = spec.get("rtol")
    atol = spec.get("atol")
    if rtol is None and atol is None:
        rtol, atol = DEFAULT_RTOL, DEFAULT_ATOL
    return float(atol or 0.0) + float(rtol or 0.0) * abs(expected)


def _close_band(spec: Mapping[str, Any], expected: float) -> float:
    return max(CLOSE_FACTOR * _tolerance(spec, expected), CLOSE_RELATIVE * abs(expected))


def _compare_number(spec: Mapping[str, Any], answer: object) -> tuple[str, str]:
    number = _as_number(answer)
    if number is None:
        return "invalid", f"expects one number (for example 0.25), but `answer` is {_describe(answer)}"
    if not math.isfinite(number):
        return "invalid", f"expects a finite number, but `answer` is {number}"
    expected = float(spec["expected"])
    gap = abs(number - expected)
    if gap <= _tolerance(spec, expected):
        return "right", ""
    if gap <= _close_band(spec, expected):
        return "close", "close, but not within the tolerance"
    return "wrong", "not right yet"


def _compare_choice(spec: Mapping[str, Any], answer: object) -> tuple[str, str]:
    if not isinstance(answer, str) or not answer.strip():
        return "invalid", (f"expects one choice written as a string (for example \"b\"), "
                           f"but `answer` is {_describe(answer)}")
    return ("right", "") if _text(answer) == _text(spec["expected"]) else ("wrong", "not right yet")


def _compare_set(spec: Mapping[str, Any], answer: object) -> tuple[str, str]:
    items = _items(answer)
    if items is None:
        return "invalid", (f"expects a collection of items (a list or a set such as {{\"a\", \"b\"}}), "
                           f"but `answer` is {_describe(answer)}")
    given = {_text(item) for item in items}
    wanted = {_text(item) for item in spec["expected"]}
    if given == wanted:
        return "right", ""
    right = len(given & wanted)
    summary = f"{right} of your {len(given)} items are right and {len(wanted) - right} are missing"
    if len(given ^ wanted) == 1:
        return "close", f"close: {summary}"
    return "wrong", f"not right yet: {summary}"


def _compare_table(spec: Mapping[str, Any], answer: object) -> tuple[str, str]:
    expected = spec["expected"]
    given = _table(answer) if not isinstance(answer, str) else None
    want = "a Series" if expected["series"] else "a DataFrame"
    rows, cols = len(expected["index"]), len(expected["columns"])
    if given is None:
        return "invalid", f"expects a table ({want} of {rows} rows), but `answer` is {_describe(answer)}"
    if expected["series"] and not given["series"] and len(given["columns"]) == 1:
        given["series"] = True
    shape = (len(given["index"]), len(given["columns"]))
    if shape != (rows, cols) and not (expected["series"] and shape[0] == rows and given["series"]):
        return "invalid", (f"expects {want} of {rows} rows" + ("" if expected["series"] else f" and {cols} columns")
                           + f", but `answer` has {shape[0]} rows and {shape[1]} columns")
    order = _align([_text(i) for i in given["index"]], [_text(i) for i in expected["index"]])
    if order is None:
        shown = ", ".join(str(_label_text(i)) for i in expected["index"][:12])
        return "invalid", f"expects rows labelled {shown}; label the rows of `answer` that way"
    columns = list(range(cols))
    if not expected["series"]:
        columns = _align([_text(c) for c in given["columns"]], [_text(c) for c in expected["columns"]])
        if columns is None:
            shown = ", ".join(str(_label_text(c)) for c in expected["columns"])
            return "invalid", f"expects columns labelled {shown}; label the columns of `answer` that way"
    wrong = close = 0
    for r, row in enumerate(expected["data"]):
        for c, want_cell in enumerate(row):
            got = given["data"][order[r]][columns[c]]
            status = _compare_cell(spec, want_cell, got)
            wrong += status == "wrong"
            close += status == "close"
    cells = rows * cols
    if wrong == 0 and close == 0:
        return "right", ""
    if wrong == 0:
        return "close", f"close: {close} of {cells} values are near but not within the tolerance"
    return "wrong", f"not right yet: {wrong + close} of {cells} values differ"


def _label_text(label: object) -> str:
    return " / ".join(map(str, label)) if isinstance(label, list) else str(label)


def _align(given: list[str], wanted: list[str]) -> list[int] | None:
    """Positions of ``wanted`` labels in ``given``; the given order if it has default labels."""
    if given == wanted:
        return list(range(len(wanted)))
    if sorted(given) == sorted(wanted) and len(set(wanted)) == len(wanted):
        return [given.index(w) for w in wanted]
    if given == [str(i) for i in range(len(wanted))] and len(given) == len(wanted):
        return list(range(len(wanted)))  # an unlabelled table in the expected order
    return None


def _compare_cell(spec: Mapping[str, Any], want: object, got: object) -> str:
    if want is None:
        return "right" if _cell(got) is None else "wrong"
    if isinstance(want, float) and not isinstance(want, bool):
        number = _as_number(got)
        if number is None or not math.isfinite(number):
            return "wrong"
        gap = abs(number - want)
        if gap <= _tolerance(spec, want):
            return "right"
        return "close" if gap <= _close_band(spec, want) else "wrong"
    return "right" if _text(got) == _text(want) else "wrong"


COMPARE = {"number": _compare_number, "choice": _compare_choice, "set": _compare_set,
           "table": _compare_table}


# --------------------------------------------------------------------------- the checker


class Checker:
    """The checks of one chapter, from its encoded answer key.

    ``Checker(key)(label, answer)`` prints the verdict; :meth:`grade` returns it.
    """

    def __init__(self, key: str) -> None:
        data = decode(key)
        if not isinstance(data.get("exercises"), dict):
            raise InputError("the answer key holds no exercises; regenerate the notebook")
        self.chapter: str = str(data.get("chapter", ""))
        self.exercises: dict[str, dict[str, Any]] = data["exercises"]

    def __call__(self, label: str, answer: object = Ellipsis) -> None:
        print(self.grade(label, answer).message)

    def __repr__(self) -> str:
        checked = sum(spec.get("type") in CHECK_TYPES for spec in self.exercises.values())
        return f"<Checker for {self.chapter}: {checked} self-checking exercises>"

    def grade(self, label: str, answer: object = Ellipsis) -> Verdict:
        """The verdict on ``answer`` for the exercise labelled ``label``."""
        spec = self.exercises.get(label) if isinstance(label, str) else None
        if spec is None:
            labels = ", ".join(name for name, s in self.exercises.items() if s.get("type") in CHECK_TYPES)
            return Verdict(str(label), "invalid",
                           f"There is no self-checking exercise {label!r} in this notebook; "
                           f"its labels are {labels or 'none'}.")
        name = f"Exercise {spec.get('number', label)}"
        if spec.get("type") not in CHECK_TYPES:
            return Verdict(label, "open", f"{name} is an open question with no automatic check: "
                                          "compare your answer with the solution or ask your instructor.")
        if any(answer is empty for empty in UNANSWERED):
            return Verdict(label, "unanswered",
                           f"{name}: not answered yet (replace the ... after `answer =` above, "
                           "run that cell, then run this one).")
        try:
            status, detail = COMPARE[spec["type"]](spec, answer)
        except Exception as error:  # a check must never end in a traceback
            status, detail = "invalid", f"could not compare `answer` ({type(error).__name__}: {error})"
        hint = spec.get("hint")
        if status == "right":
            return Verdict(label, status, f"✓ {name}: right.")
        if status == "invalid":
            return Verdict(label, status, f"{name} {detail}.")
        mark = "≈" if status == "close" else "✗"
        tail = f" Hint: {hint}" if hint else ""
        return Verdict(label, status, f"{mark} {name}: {detail}.{tail}")


@validated
def answer_key(chapter: str, exercises: Mapping[str, Mapping[str, Any]]) -> str:
    """The encoded key of one chapter: ``exercises`` maps each label to its number, check type,
    expected value, tolerances and hint (open exercises: number and ``type: open`` only)."""
    return encode({"chapter": chapter, "exercises": {label: dict(spec) for label, spec in exercises.items()}})
