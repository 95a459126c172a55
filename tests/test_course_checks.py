"""The student-facing checks (utils.exercises) and the notebook quiz (utils.quiz): right, close,
wrong, not answered, and one sentence, never a traceback, for any other input. The expected
values here are written by hand, independently of the code under test."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from utils import exercises, quiz
from utils.exercises import ANSWER_MARK, Checker, answer_key, decode, encode, expected_value

KEY = answer_key("99_demo", {
    "ex-number": {"number": "99.1", "type": "number", "expected": 0.5, "rtol": 0.01, "hint": "Halve it."},
    "ex-exact": {"number": "99.2", "type": "number", "expected": 3.0},
    "ex-choice": {"number": "99.3", "type": "choice", "expected": "b"},
    "ex-set": {"number": "99.4", "type": "set", "expected": expected_value("set", ["Portals", "Excel", "CRM"])},
    "ex-series": {"number": "99.5", "type": "table", "atol": 0.001,
                  "expected": expected_value("table", pd.Series({"a": 0.25, "b": "collaborative"}))},
    "ex-frame": {"number": "99.6", "type": "table", "rtol": 0.01,
                 "expected": expected_value("table", pd.DataFrame({"x": [1.0, 2.0], "y": [3.0, 4.0]},
                                                                  index=["r1", "r2"]))},
    "ex-open": {"number": "99.7", "type": "open"},
})
check = Checker(KEY)


def status(label, answer):
    return check.grade(label, answer).status


def test_the_key_is_not_readable_and_decodes_to_what_was_encoded():
    assert KEY.startswith("crm-key-1:")
    assert "collaborative" not in KEY and "0.5" not in KEY
    assert decode(KEY)["exercises"]["ex-choice"]["expected"] == "b"
    assert encode({"b": 1, "a": [1, 2]}) == encode({"a": [1, 2], "b": 1}), "same data, same string"


@pytest.mark.parametrize("bad", ["crm-key-1:%%%", "crm-key-1:AAAA", "not a key", 42])
def test_a_damaged_key_is_one_sentence(bad):
    with pytest.raises(ValueError, match=r"(damaged|must be a string)") as error:
        Checker(bad)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize(("answer", "expected"), [
    (0.5, "right"), (0.504, "right"), (np.float64(0.496), "right"), ("0.5", "right"),
    (np.array([0.5]), "right"), (pd.Series([0.5]), "right"),
    (0.512, "close"), (0.6, "wrong"), (-0.5, "wrong"),
])
def test_number_within_the_tolerance_is_right_a_little_outside_close(answer, expected):
    assert status("ex-number", answer) == expected


def test_default_tolerance_is_tight_and_close_catches_early_rounding():
    assert status("ex-exact", 3) == "right"
    assert status("ex-exact", 3.0000000001) == "right"
    assert status("ex-exact", 3.02) == "close"  # within 1 % of 3
    assert status("ex-exact", 3.2) == "wrong"


def test_wrong_and_close_carry_the_hint_right_does_not():
    assert check.grade("ex-number", 0.9).message == "✗ Exercise 99.1: not right yet. Hint: Halve it."
    assert "Hint: Halve it." in check.grade("ex-number", 0.512).message
    assert check.grade("ex-number", 0.5).message == "✓ Exercise 99.1: right."


@pytest.mark.parametrize("answer", [..., None])
def test_unanswered_is_said_not_judged(answer):
    verdict = check.grade("ex-number", answer)
    assert verdict.status == "unanswered"
    assert "not answered yet" in verdict.message


@pytest.mark.parametrize(("label", "answer", "words"), [
    ("ex-number", "half", "expects one number (for example 0.25), but `answer` is the text 'half'"),
    ("ex-number", [0.5, 0.6], "expects one number"),
    ("ex-number", True, "expects one number"),
    ("ex-number", float("nan"), "expects a finite number"),
    ("ex-choice", 2, 'expects one choice written as a string (for example "b"), but `answer` is the number 2'),
    ("ex-set", "Excel", "expects a collection of items"),
    ("ex-series", 3.0, "expects a table (a Series of 2 rows), but `answer` is the number 3"),
    ("ex-series", pd.Series([0.25, "collaborative", 1]), "expects a Series of 2 rows, but `answer` has 3 rows"),
    ("ex-series", pd.Series({"x": 0.25, "y": "collaborative"}), "expects rows labelled a, b"),
    ("ex-frame", pd.DataFrame({"x": [1.0, 2.0]}, index=["r1", "r2"]),
     "expects a DataFrame of 2 rows and 2 columns, but `answer` has 2 rows and 1 columns"),
])
def test_wrong_type_or_shape_is_one_sentence_saying_what_was_expected(label, answer, words):
    verdict = check.grade(label, answer)
    assert verdict.status == "invalid"
    assert words in verdict.message
    assert "\n" not in verdict.message and verdict.message.endswith(".")


def test_unknown_label_names_the_labels_there_are():
    verdict = check.grade("ex-nope", 1)
    assert verdict.status == "invalid"
    assert verdict.message.startswith("There is no self-checking exercise 'ex-nope' in this notebook")
    assert "ex-number" in verdict.message and "ex-open" not in verdict.message


def test_an_open_exercise_has_no_check():
    assert status("ex-open", "my essay") == "open"


@pytest.mark.parametrize(("answer", "expected"), [
    ("b", "right"), ("B", "right"), (" (b) ", "right"), ("b.", "right"), ("c", "wrong")])
def test_choice_ignores_case_space_and_brackets(answer, expected):
    assert status("ex-choice", answer) == expected


@pytest.mark.parametrize(("answer", "expected"), [
    ({"excel", "portals", "CRM"}, "right"), (["CRM", "Excel", "Portals"], "right"),
    (pd.Index(["Excel", "Portals", "CRM"]), "right"), (np.array(["Excel", "Portals", "CRM"]), "right"),
    ({"Excel", "Portals"}, "close"), ({"Excel", "Portals", "CRM", "Mail"}, "close"), ({"Mail"}, "wrong"),
])
def test_set_ignores_order_and_case_and_says_how_many_are_right(answer, expected):
    assert status("ex-set", answer) == expected
    if expected == "wrong":
        assert "0 of your 1 items are right and 3 are missing" in check.grade("ex-set", answer).message


@pytest.mark.parametrize(("answer", "expected"), [
    (pd.Series({"a": 0.25, "b": "collaborative"}), "right"),
    ({"b": "Collaborative", "a": 0.2504}, "right"),  # a dict, rows in another order, case ignored
    (pd.DataFrame({"v": [0.25, "collaborative"]}, index=["a", "b"]), "right"),  # one column is a Series
    ({"a": 0.2525, "b": "collaborative"}, "close"),
    ({"a": 0.25, "b": "analytical"}, "wrong"),
])
def test_a_series_compares_by_label_with_the_tolerance(answer, expected):
    assert status("ex-series", answer) == expected


def test_a_frame_compares_cells_by_row_and_column_label():
    right = pd.DataFrame({"y": [3.0, 4.0], "x": [1.0, 2.0]}, index=["r1", "r2"])
    assert status("ex-frame", right) == "right"
    assert status("ex-frame", right.assign(y=[3.0, 9.0])) == "wrong"
    assert "1 of 4 values differ" in check.grade("ex-frame", right.assign(y=[3.0, 9.0])).message
    assert status("ex-frame", [[1.0, 3.0], [2.0, 4.0]]) == "right"  # unlabelled: taken in the expected order
    assert status("ex-frame", pd.DataFrame([[1.0, 3.0]], index=["r1"], columns=["x", "y"])) == "invalid"


answers = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=10,
)


@settings(max_examples=200, deadline=None)
@given(label=st.sampled_from(["ex-number", "ex-choice", "ex-set", "ex-series", "ex-frame", "ex-open", "other"]),
       answer=answers)
def test_any_answer_gets_one_line_and_never_raises(label, answer):
    verdict = check.grade(label, answer)
    assert verdict.status in {"right", "close", "wrong", "unanswered", "invalid", "open"}
    assert verdict.message and "\n" not in verdict.message


def test_check_prints_the_verdict(capsys):
    check("ex-number", 0.5)
    assert capsys.readouterr().out == "✓ Exercise 99.1: right.\n"


@pytest.mark.parametrize(("kind", "value", "stored"), [
    ("number", np.float64(0.1) + np.float64(0.2), 0.3),
    ("number", 5, 5.0),
    ("choice", " b ", "b"),
    ("set", {"b", "a"}, ["a", "b"]),
    ("table", {"x": 1, "y": "two"}, {"index": ["x", "y"], "columns": [None], "data": [[1.0], ["two"]], "series": True}),
])
def test_expected_values_are_stored_as_json(kind, value, stored):
    assert expected_value(kind, value) == stored
    json.dumps(expected_value(kind, value))


@pytest.mark.parametrize(("kind", "value"), [("number", "0.3"), ("number", float("inf")), ("choice", 3),
                                             ("set", "ab"), ("set", []), ("table", 3), ("nonsense", 1)])
def test_a_solution_answer_of_the_wrong_form_fails_the_build_in_one_sentence(kind, value):
    with pytest.raises(exercises.AnswerError):
        expected_value(kind, value)


def test_record_answer_prints_one_marked_line(capsys):
    exercises.record_answer("ex-x", "set", ["b", "a"])
    assert capsys.readouterr().out == f'{ANSWER_MARK} ex-x ["a", "b"]\n'
    with pytest.raises(exercises.AnswerError, match="the solution of ex-y ends with an answer that does not fit"):
        exercises.record_answer("ex-y", "number", "text")


QUESTIONS = [
    {"question": "Which?", "type": "choice", "options": ["x", "y"], "answer": 1, "explanation": "Because y."},
    {"question": "How much is $a b$?", "type": "number", "answer": 0.3, "tol": 0.01, "explanation": "0.5 × 0.6."},
]


@pytest.mark.parametrize(("index", "response", "expected"), [
    (0, 1, "right"), (0, 0, "wrong"), (0, None, "invalid"),
    (1, "0.305", "right"), (1, "−0.3", "wrong"), (1, 0.3, "right"), (1, "a third", "invalid"),
])
def test_quiz_judges_choices_and_numbers(index, response, expected):
    verdict, sentence = quiz.judge(QUESTIONS[index], response)
    assert verdict == expected
    if expected == "right":
        assert sentence.startswith("Right.") and QUESTIONS[index]["explanation"] in sentence


def test_quiz_shows_from_the_encoded_form(capsys):
    encoded = encode({"questions": QUESTIONS}, prefix=quiz.QUIZ_PREFIX)
    assert "Because y" not in encoded
    assert quiz.questions(encoded) == QUESTIONS
    quiz.show(encoded)  # builds the widgets without a front end
    with pytest.raises(ValueError, match="a quiz needs a non-empty list of questions"):
        quiz.questions([])
