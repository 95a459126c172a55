"""A chapter's metadata sidecar, ``chapters/meta/<NN_short_name>.yml``: read and checked.

The format is TEAM.md's, written out for authors in ``pages/authoring.md``: up to three keys,
``exercises`` (every exercise in order: kind, minutes, and a ``check`` or a ``rubric``), ``quiz``
(3-5 questions) and ``claims`` (numbers in the prose; checked by the claims tool, only read
here). A chapter without a sidecar, or whose sidecar has no ``exercises`` yet, gets a
placeholder: every exercise open, its rubric "rubric to be written", flagged as such.
A mistake gets one sentence naming the file, the key, the value and what was expected.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

KINDS = ("recall", "by-hand", "computation", "interpretation", "design")
CHECK_TYPES = ("number", "choice", "set", "table")
QUIZ_TYPES = ("choice", "number")
QUIZ_SIZE = (3, 5)
TOP_KEYS = ("exercises", "quiz", "claims")
EXERCISE_KEYS = ("kind", "minutes", "check", "rubric")
CHECK_KEYS = ("type", "rtol", "atol", "hint")
QUESTION_KEYS = ("question", "type", "options", "answer", "explanation", "tol")
PLACEHOLDER_RUBRIC = "rubric to be written"


class SidecarError(ValueError):
    """A sidecar that does not follow the format (one sentence: file, key, value, expectation)."""


@dataclass(frozen=True)
class ExerciseMeta:
    """What the sidecar says about one exercise (``placeholder`` when it says nothing yet)."""

    label: str
    kind: str | None
    minutes: int | None
    check: dict[str, Any] | None
    rubric: str | None
    placeholder: bool = False

    @property
    def self_checking(self) -> bool:
        return self.check is not None


@dataclass
class Sidecar:
    """A chapter's sidecar; ``exists`` is False for a placeholder."""

    path: Path
    exists: bool
    exercises: dict[str, ExerciseMeta]
    quiz: list[dict[str, Any]] = field(default_factory=list)
    claims: list[Any] = field(default_factory=list)

    @property
    def placeholder_exercises(self) -> list[str]:
        return [label for label, meta in self.exercises.items() if meta.placeholder]


def sidecar_path(chapter: Path) -> Path:
    """Where the sidecar of ``chapters/NN_name.ipynb`` lives: ``chapters/meta/NN_name.yml``."""
    return chapter.parent / "meta" / f"{chapter.stem}.yml"


def _fail(path: Path, key: str, message: str) -> SidecarError:
    return SidecarError(f"{path.parent.name}/{path.name}: {key} {message}")


def _number(path: Path, key: str, value: object, *, minimum: float = 0.0, whole: bool = False) -> float:
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value) \
        and value >= minimum and (not whole or float(value).is_integer())
    if not ok:
        kind = "a whole number" if whole else "a number"
        raise _fail(path, key, f"must be {kind} of at least {minimum:g}, got {value!r}")
    return value


def _unknown(path: Path, key: str, entry: dict, allowed: Sequence[str]) -> None:
    extra = [k for k in entry if k not in allowed]
    if extra:
        raise _fail(path, key, f"has unknown key(s) {', '.join(map(str, extra))}; "
                               f"the keys are {', '.join(allowed)}")


def _check(path: Path, key: str, check: object) -> dict[str, Any]:
    if not isinstance(check, dict):
        raise _fail(path, key, f"must be a mapping with a type, got {check!r}")
    _unknown(path, key, check, CHECK_KEYS)
    if check.get("type") not in CHECK_TYPES:
        raise _fail(path, f"{key}.type", f"must be one of {', '.join(CHECK_TYPES)}, got {check.get('type')!r}")
    for tol in ("rtol", "atol"):
        if tol in check:
            _number(path, f"{key}.{tol}", check[tol])
    if "hint" in check and not (isinstance(check["hint"], str) and check["hint"].strip()):
        raise _fail(path, f"{key}.hint", f"must be a sentence, got {check['hint']!r}")
    return dict(check)


def _exercise(path: Path, label: str, entry: object) -> ExerciseMeta:
    key = f"exercises.{label}"
    if not isinstance(entry, dict):
        raise _fail(path, key, f"must be a mapping of kind, minutes and check or rubric, got {entry!r}")
    _unknown(path, key, entry, EXERCISE_KEYS)
    if entry.get("kind") not in KINDS:
        raise _fail(path, f"{key}.kind", f"must be one of {', '.join(KINDS)}, got {entry.get('kind')!r}")
    minutes = int(_number(path, f"{key}.minutes", entry.get("minutes"), minimum=1, whole=True))
    check = _check(path, f"{key}.check", entry["check"]) if "check" in entry else None
    rubric = entry.get("rubric")
    if rubric is not None and not (isinstance(rubric, str) and rubric.strip()):
        raise _fail(path, f"{key}.rubric", f"must be one to three sentences, got {rubric!r}")
    if check is None and rubric is None:
        raise _fail(path, key, "needs a check (an answer that is a value) or a rubric (an open question)")
    return ExerciseMeta(label, entry["kind"], minutes, check, rubric.strip() if rubric else None)


def _question(path: Path, index: int, entry: object) -> dict[str, Any]:
    key = f"quiz[{index}]"
    if not isinstance(entry, dict):
        raise _fail(path, key, f"must be a mapping with question, type, answer, got {entry!r}")
    _unknown(path, key, entry, QUESTION_KEYS)
    if not isinstance(entry.get("question"), str) or not entry["question"].strip():
        raise _fail(path, f"{key}.question", f"must be the question's text, got {entry.get('question')!r}")
    kind = entry.get("type", "choice")
    if kind not in QUIZ_TYPES:
        raise _fail(path, f"{key}.type", f"must be one of {', '.join(QUIZ_TYPES)}, got {kind!r}")
    if kind == "choice":
        options = entry.get("options")
        if not isinstance(options, list) or len(options) < 2 or not all(isinstance(o, str | int | float) for o in options):
            raise _fail(path, f"{key}.options", f"must list at least two options, got {options!r}")
        answer = entry.get("answer")
        if isinstance(answer, bool) or not isinstance(answer, int) or not 0 <= answer < len(options):
            raise _fail(path, f"{key}.answer", f"must be the index (0 to {len(options) - 1}) of the right "
                                               f"option, got {answer!r}")
    else:
        _number(path, f"{key}.answer", entry.get("answer"), minimum=-math.inf)
        if "tol" not in entry:
            raise _fail(path, key, "is a number question and needs tol: (how far from the answer still counts)")
        _number(path, f"{key}.tol", entry["tol"])
    if not isinstance(entry.get("explanation"), str) or not entry["explanation"].strip():
        raise _fail(path, f"{key}.explanation", "must say why the answer is right, in one or two sentences")
    return dict(entry, type=kind)


def placeholder(label: str) -> ExerciseMeta:
    """An exercise the sidecar does not describe yet: open, rubric to be written."""
    return ExerciseMeta(label, None, None, None, PLACEHOLDER_RUBRIC, placeholder=True)


def load(chapter: Path, labels: Sequence[str]) -> Sidecar:
    """The sidecar of ``chapter``, checked against the chapter's exercise ``labels`` (in order).

    A missing file, or a file without ``exercises``, gives placeholder exercises."""
    path = sidecar_path(chapter)
    if not path.is_file():
        return Sidecar(path, False, {label: placeholder(label) for label in labels})
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise SidecarError(f"{path.parent.name}/{path.name} is not valid YAML: {error}") from None
    if not isinstance(data, dict):
        raise _fail(path, "the file", f"must be a mapping with keys {', '.join(TOP_KEYS)}")
    _unknown(path, "the file", data, TOP_KEYS)
    raw = data.get("exercises")
    if raw is None:
        exercises = {label: placeholder(label) for label in labels}
    else:
        if not isinstance(raw, dict):
            raise _fail(path, "exercises", "must map each exercise label to its entry")
        if list(raw) != list(labels):
            missing = [label for label in labels if label not in raw]
            extra = [label for label in raw if label not in labels]
            detail = "; ".join(filter(None, [
                f"missing {', '.join(missing)}" if missing else "",
                f"not in the chapter: {', '.join(extra)}" if extra else "",
                "" if missing or extra else "in another order than the chapter's",
            ]))
            raise _fail(path, "exercises", f"must list every exercise of the chapter in order ({detail}); "
                                           f"the chapter's labels are {', '.join(labels)}")
        exercises = {label: _exercise(path, label, entry) for label, entry in raw.items()}
    quiz_raw = data.get("quiz") or []
    if not isinstance(quiz_raw, list):
        raise _fail(path, "quiz", "must be a list of questions")
    if quiz_raw and not QUIZ_SIZE[0] <= len(quiz_raw) <= QUIZ_SIZE[1]:
        raise _fail(path, "quiz", f"must have {QUIZ_SIZE[0]} to {QUIZ_SIZE[1]} questions, got {len(quiz_raw)}")
    quiz = [_question(path, i, q) for i, q in enumerate(quiz_raw)]
    claims = data.get("claims") or []
    if not isinstance(claims, list):
        raise _fail(path, "claims", "must be a list of {cell, numbers} entries")
    return Sidecar(path, True, exercises, quiz, claims)
