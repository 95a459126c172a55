"""The argument-checking layer (``utils._checks``, issue 13): every public function of ``utils``
carries the book's checks, each check words its refusal as one sentence naming the argument, the
value and what was expected, and the refusals are the book's own exception types."""

from __future__ import annotations

import ast
import importlib
import inspect
import re
from pathlib import Path
from typing import Literal, Sequence

import numpy as np
import pandas as pd
import pytest

from utils import _checks
from utils.errors import BookError, InputError

ROOT = Path(__file__).resolve().parents[1]

# Public classes are result or data containers built by the book's own functions (whose
# arguments are checked there), or exception and warning types: no argument layer of their own.
CLASS_EXEMPTIONS = {
    "CAResult": "result container returned by correspondence()",
    "BookError": "exception type", "InputError": "exception type", "InputTypeError": "exception type",
    "ConvergenceError": "exception type", "DataError": "exception type", "AnswerError": "exception type", "BinningError": "exception type",
    "TallyError": "exception type", "PlsError": "exception type", "PlsWarning": "warning type",
    "LoglinearWarning": "warning type", "SemError": "exception type", "SemWarning": "warning type",
    "Verdict": "result container", "Checker": "notebook self-check object built by the course tools",
    "Equivalence": "result container returned by tost()", "Result": "cached result container",
    "Study": "result container returned by simulate_study()", "Binning": "rule object; checks its fields itself",
    "LoglinearFit": "result container returned by fit()", "BootstrapResult": "result container",
    "MonteCarloResult": "result container", "Model": "parsed PLS model returned by parse()",
    "PlsFit": "result container returned by fit()", "Rates": "value object; checks its fields itself",
    "Draws": "result container", "GroupFit": "result container returned by fit_groups()",
    "Engine": "internal scoring engine exposed for tests", "SemFit": "result container returned by fit()",
    "TwoLevelFit": "result container returned by fit_twolevel()",
}


def public_definitions() -> list[tuple[str, str, str]]:
    """(module, name, kind) of every public function and class defined in a non-underscore module."""
    found = []
    for path in sorted((ROOT / "utils").rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if any(p.startswith("_") and p != "__init__" for p in parts):
            continue
        module = ".".join(p for p in parts if p != "__init__")
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and not node.name.startswith("_"):
                found.append((module, node.name, "class" if isinstance(node, ast.ClassDef) else "function"))
    return found


def test_every_public_function_is_checked_and_every_class_exempted_with_a_reason():
    unchecked, unexplained = [], []
    definitions = public_definitions()
    assert len(definitions) > 250
    for module, name, kind in definitions:
        if kind == "class":
            if name not in CLASS_EXEMPTIONS:
                unexplained.append(f"{module}.{name}")
            continue
        function = getattr(importlib.import_module(module), name)
        if not hasattr(function, "__book_checks__"):
            unchecked.append(f"{module}.{name}")
    assert not unchecked, f"public functions without @validated: {unchecked}"
    assert not unexplained, f"public classes with no exemption reason: {unexplained}"


def test_the_modules_errors_are_book_errors_and_value_errors():
    from utils.data import DataError
    from utils.exercises import AnswerError
    from utils.levels import BinningError
    from utils.pls import PlsError
    from utils.sem import SemError
    from utils.tallies import TallyError

    for error in (DataError, AnswerError, BinningError, PlsError, SemError, TallyError, InputError):
        assert issubclass(error, BookError) and issubclass(error, ValueError), error


# --------------------------------------------------------------------------- the decorator


@_checks.validated(n_boot=5_000)
def _example(data: pd.DataFrame, items: Sequence[str], *, n_boot: int = 100, seed: int | None = None,
             alpha: float = 0.05, ftol: float = 1e-9, likert: bool = True, weight: float = 1.0,
             kind: Literal["a", "b"] = "a", n: int = 10, sizes: Sequence[int] = (1, 2)) -> str:
    return "ran"


FRAME = pd.DataFrame({"x": [1.0, 2.0, 3.0]})


@pytest.mark.parametrize("change, message", [
    ({"items": "conf1"}, r"_example: items must be a list of names, got the string 'conf1': write \['conf1'\]"),
    ({"items": ["a", 3]}, r"items must hold names \(strings\), got 3"),
    ({"n_boot": 2.5}, r"n_boot must be a whole number of at least 1, got 2.5"),
    ({"n_boot": 3.0}, r"got 3 \(write 3\)"),
    ({"n_boot": 0}, r"n_boot must be a whole number of at least 1, got 0"),
    ({"n_boot": 10**7}, r"n_boot must be a whole number of at most 5,000 \(the stated maximum"),
    ({"n": 10**9}, r"n must be a whole number of at most 1,000,000"),
    ({"seed": -1}, r"seed must be a whole number of at least 0, got -1"),
    ({"seed": 2**63}, r"seed must be a whole number below 2\*\*63"),
    ({"seed": 1.5}, r"seed must be a whole number from 0 to 2\*\*63 - 1, got 1.5"),
    ({"seed": True}, r"seed must be a whole number"),
    ({"alpha": 0}, r"alpha must lie strictly between 0 and 1, got 0"),
    ({"alpha": float("nan")}, r"alpha must be a finite number, got nan"),
    ({"ftol": -1}, r"ftol must lie strictly between 0 and 1, got -1"),
    ({"likert": "no"}, r"likert must be True or False, got 'no'"),
    ({"likert": 1}, r"likert must be True or False, got 1"),
    ({"weight": float("inf")}, r"weight must be a finite number, got inf"),
    ({"weight": "0.3"}, r"weight must be a number, got '0.3'"),
    ({"kind": "c"}, r"kind must be 'a' or 'b', got 'c'"),
    ({"data": [[1, 2]]}, r"data must be a pandas DataFrame, got list"),
    ({"data": pd.DataFrame([[1, 2]], columns=["x", "x"])}, r"data has duplicated column name\(s\) 'x'"),
    ({"sizes": [1, 2.5]}, r"sizes \(each value\) must be a whole number, got 2.5"),
    ({"sizes": "12"}, r"sizes must be a list of numbers, got '12'"),
    ({"nonsense": 1}, r"_example: got an unexpected keyword argument 'nonsense'; it takes data, items, n_boot"),
])
def test_the_decorator_refuses_each_kind_in_one_sentence(change, message):
    arguments = {"data": FRAME, "items": ["x"], **change}
    with pytest.raises(InputError, match=message) as caught:
        _example(**arguments)
    assert "\n" not in str(caught.value)


def test_the_decorator_lets_valid_calls_through_unchanged():
    assert _example(FRAME, ["x"]) == "ran"
    assert _example(FRAME, ("x",), n_boot=np.int64(5_000), seed=2**63 - 1, alpha=np.float64(0.5),
                    likert=np.bool_(False), kind="b", sizes=np.array([3, 4])) == "ran"
    assert _example(FRAME, iter(["x"]), seed=None) == "ran"
    assert inspect.signature(_example).parameters["n_boot"].default == 100


def test_a_missing_argument_is_named():
    with pytest.raises(InputError, match="missing a required argument: 'items'"):
        _example(FRAME)


def test_limits_must_name_real_parameters():
    with pytest.raises(TypeError, match="no parameter"):
        _checks.validated(n_bogus=3)(lambda n=1: n)


# --------------------------------------------------------------------------- frame helpers


def test_numeric_refuses_text_missing_and_infinite_columns():
    frame = pd.DataFrame({"a": [1.0, 2.0, np.nan], "b": ["x", "y", "z"], "c": [1.0, np.inf, 2.0], "d": [1, 2, 3]})
    with pytest.raises(InputError, match=r"data\['a'\] has 1 missing value\(s\); the book drops no row silently"):
        _checks.numeric(frame, ["a"])
    with pytest.raises(InputError, match=r"data\['b'\] must be numeric, got (str|object) values such as 'x'"):
        _checks.numeric(frame, ["b"])
    with pytest.raises(InputError, match=r"data\['c'\] has 1 infinite value"):
        _checks.numeric(frame, ["c"])
    with pytest.raises(InputError, match=r"data lacks the column\(s\) e"):
        _checks.numeric(frame, ["e"])
    _checks.numeric(frame, ["d"])
    _checks.numeric(frame, ["a"], missing="allow")


def test_columns_reads_one_name_as_one_name_not_letters():
    with pytest.raises(InputError, match=r"lacks the column\(s\) conf1;"):
        _checks.columns(pd.DataFrame({"x": [1]}), "conf1")


def test_design_refuses_constant_and_collinear_predictors():
    rng = np.random.default_rng(0)
    x = rng.normal(size=50)
    frame = pd.DataFrame({"x": x, "z": rng.normal(size=50), "twice": 2 * x + 1, "one": 1.0})
    _checks.design(frame, ["x", "z"])
    with pytest.raises(InputError, match=r"data\['one'\] is constant"):
        _checks.design(frame, ["x", "one"])
    with pytest.raises(InputError, match=r"collinear \(rank 1 of 2\)"):
        _checks.design(frame, ["x", "twice"])
    with pytest.raises(InputError, match="more rows than coefficients"):
        _checks.design(frame.head(2), ["x", "z"])


def test_counts_beyond_exact_arithmetic_are_refused():
    assert _checks.count("n", 2**53 - 1) == 2**53 - 1
    with pytest.raises(InputError, match=r"n must be a count below 2\*\*53"):
        _checks.count("n", 2**53)


# --------------------------------------------------------------------------- item 4


def test_no_test_asserts_wall_clock_time():
    """Speed is measured in tools/benchmark.py and tools/bench_sem.py, never asserted in a test
    (timings on a shared 2-core machine are noise). A deadline that only bounds a wait for a
    server to start is not a speed assertion and is allowed."""
    pattern = re.compile(r"assert[^\n]*(perf_counter|process_time|time\.time\(|time\.monotonic|timeit)"
                         r"|assert\s+[\w.]*(elapsed|seconds|duration)\w*\s*[<>]")
    offenders = [f"{path.name}:{number}" for path in sorted((ROOT / "tests").glob("test_*.py"))
                 for number, line in enumerate(path.read_text().splitlines(), start=1)
                 if pattern.search(line) and path.name != "test_checks.py"]
    assert not offenders, f"wall-clock assertions belong in the benchmark: {offenders}"
