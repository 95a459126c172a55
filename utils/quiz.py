"""A chapter's quiz in Jupyter: questions with radio buttons or a number box, checked on the spot.

The quiz comes from the chapter's sidecar (``chapters/meta/<chapter>.yml``, key ``quiz``); the
generated notebooks carry it encoded (:func:`utils.exercises.encode`, prefix ``crm-quiz-1:``) so
that the answers are not readable at a glance. The book's HTML shows the same questions with a
small script of its own (no kernel needed); here they are ipywidgets, so they need a running
kernel (Jupyter, Binder, Colab).

    from utils import quiz
    quiz.show("crm-quiz-1:...")
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from typing import Any

import ipywidgets as widgets
from IPython.display import display

from utils.exercises import decode
from utils._checks import validated
from utils.errors import InputError

QUIZ_PREFIX = "crm-quiz-1:"


@validated
def questions(quiz: str | Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The quiz's questions: ``quiz`` is the encoded string or the sidecar's list itself."""
    if isinstance(quiz, str):
        data = decode(quiz, prefix=QUIZ_PREFIX)
        items = data.get("questions")
    else:
        items = list(quiz)
    if not isinstance(items, list) or not items:
        raise InputError(f"a quiz needs a non-empty list of questions, got {type(items).__name__}")
    return [dict(item) for item in items]


@validated
def judge(question: Mapping[str, Any], response: object) -> tuple[str, str]:
    """``("right" | "wrong" | "invalid", sentence)`` for one response to one question.

    A choice question takes the index of the chosen option; a number question takes a number
    or its text (within ``tol`` of the answer, 0 if the sidecar gives none)."""
    explanation = str(question.get("explanation", "")).strip()
    if question.get("type", "choice") == "choice":
        if response is None:
            return "invalid", "Choose one option first."
        right = response == question["answer"]
    else:
        try:
            value = float(str(response).strip().replace("\u2212", "-").replace(",", ""))
        except ValueError:
            return "invalid", f"Type a number (for example 0.25), not {str(response)!r}."
        if not math.isfinite(value):
            return "invalid", "Type a finite number."
        right = abs(value - float(question["answer"])) <= float(question.get("tol", 0) or 0)
    if right:
        return "right", f"Right. {explanation}".strip()
    return "wrong", "Not quite; read the question again and try once more."


def _question_box(number: int, question: Mapping[str, Any]) -> widgets.VBox:
    prompt = widgets.HTMLMath(f"<b>{number}.</b> {html.escape(str(question['question']))}")
    if question.get("type", "choice") == "choice":
        field = widgets.RadioButtons(options=[(str(o), i) for i, o in enumerate(question["options"])],
                                     value=None, layout=widgets.Layout(width="auto"))
    else:
        field = widgets.Text(placeholder="a number", layout=widgets.Layout(width="12em"))
    button = widgets.Button(description="Check", button_style="")
    feedback = widgets.HTML("")

    def on_click(_: object) -> None:
        status, sentence = judge(question, field.value)
        mark = {"right": "✓", "wrong": "✗"}.get(status, "")
        feedback.value = f"<span>{mark} {html.escape(sentence)}</span>"

    button.on_click(on_click)
    return widgets.VBox([prompt, field, widgets.HBox([button, feedback])])


@validated
def show(quiz: str | Sequence[Mapping[str, Any]]) -> None:
    """Display the quiz: one box per question, each with its own Check button."""
    items = questions(quiz)
    display(widgets.VBox([_question_box(i, q) for i, q in enumerate(items, start=1)]))
