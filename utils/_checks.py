"""The book's one layer of argument checks, so that the same mistake gets the same sentence
everywhere: the parameter's name, the value given and what is expected, raised as
:class:`utils.errors.InputError` (a ``ValueError``).

Two parts:

- :func:`validated`, a decorator on every public function of ``utils``. It reads the function's
  signature once and, on each call, checks the arguments that were passed by their name and type
  hint before the function runs (defaults are the function's own and are not re-checked):

  ========================================  ============================================
  parameter                                 refused
  ========================================  ============================================
  ``seed`` (``int``, maybe a Generator)     not whole, negative, 2**63 or more
  ``n`` and ``n_*`` (``int``)               not whole, below 1, above the stated maximum
  other ``int``                             not whole (2.5, "3", True)
  ``alpha``, ``level``, ``q`` (``float``)   outside the open interval (0, 1)
  ``*tol`` (``float``)                      outside (0, 1)
  other ``float``                           not a finite number (NaN, inf, "0.3", True)
  ``bool``                                  anything but True or False ("no", 1)
  ``Literal[...]`` or ``choices=``          a value outside the options
  ``pd.DataFrame``                          not a DataFrame; duplicated column names
  ``Sequence[str]``, ``list[str]`` …        a bare string ("write ['conf1']"), non-strings
  ========================================  ============================================

  A wrong argument name or a missing argument becomes an InputError too. Maxima are stated per
  function where the default does not fit (``@validated(n_studies=10_000)``); the defaults are
  in ``MAXIMA``. The check only refuses: a valid call runs exactly as before.

- Helpers for what a function checks itself (columns present, numeric, finite and complete,
  constant or collinear predictors, counts too large for exact arithmetic, probabilities).
"""

from __future__ import annotations

import ast
import functools
import inspect
import math
import numbers
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from utils._text import show
from utils.errors import InputError, InputTypeError

F = TypeVar("F", bound=Callable[..., Any])

SEED_LIMIT = 2**63
# Largest count held exactly as a float (and far below int64's wrap at 2**63).
EXACT_COUNT = 2**53
# Default maxima: a sample size up to a million rows, a replicate count up to 100,000 (each
# function that is slower per replicate states its own, so that no call runs for hours).
MAXIMA = {"n": 1_000_000, "n_*": 100_000}
# How many replicates a Monte Carlo standard error may be computed for (no work is done per one).
COUNT_ONLY = {"n_resamples": 10**12}
PROBABILITIES = {"alpha", "level", "q"}
NUMBERS = re.compile(r"^(Sequence|list|tuple|Iterable)\[(float|int)(, \.\.\.)?\]$")
# Names that look like classes but stand for many types: no isinstance check against them.
OPEN_TYPES = {"Any", "Path", "Terms", "Term", "Chain"}
ARRAY_LIKE = {"float", "int", "np.ndarray"}
SEQUENCE_OF_STR = re.compile(r"^(Sequence|list|tuple|Iterable|Collection)\[str(, \.\.\.)?\]$")


# --------------------------------------------------------------------------- single values


def whole(name: str, value: object, minimum: int | None = None, maximum: int | None = None) -> int:
    """``value`` as an int from ``minimum`` to ``maximum``; otherwise an InputError naming ``name``
    and the bound it breaks."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        hint = ""
        if isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_)) \
                and math.isfinite(float(value)) and float(value).is_integer():
            hint = f" (write {int(value)})"
        raise InputError(f"{name} must be a whole number{_range(minimum, None)}, got {show(value)}{hint}")
    if minimum is not None and value < minimum:
        raise InputError(f"{name} must be a whole number of at least {minimum:,}, got {show(value)}")
    if maximum is not None and value > maximum:
        raise InputError(f"{name} must be a whole number of at most {maximum:,} (the stated maximum, so that "
                         f"no call runs for hours), got {value:,}")
    return int(value)


def _range(minimum: int | None, maximum: int | None) -> str:
    if minimum is not None and maximum is not None:
        return f" from {minimum:,} to {maximum:,}"
    if minimum is not None:
        return f" of at least {minimum:,}"
    if maximum is not None:
        return f" of at most {maximum:,}"
    return ""


def number(name: str, value: object) -> float:
    """``value`` as a finite float; otherwise an InputError naming ``name``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise InputError(f"{name} must be a number, got {show(value)}")
    result = float(value)
    if not math.isfinite(result):
        raise InputError(f"{name} must be a finite number, got {show(value)}")
    return result


def positive(name: str, value: object, *, allow_zero: bool = False) -> float:
    """``value`` as a finite float above zero (or at least zero with ``allow_zero``)."""
    result = number(name, value)
    if result < 0 or (result == 0 and not allow_zero):
        bound = "zero or more" if allow_zero else "greater than zero"
        raise InputError(f"{name} must be {bound}, got {show(value)}")
    return result


def between(name: str, value: object, low: float, high: float, *, closed: bool = False) -> float:
    """``value`` as a float in the open interval (low, high), or [low, high] with ``closed``."""
    result = number(name, value)
    inside = low <= result <= high if closed else low < result < high
    if not inside:
        wording = f"between {low:g} and {high:g} (inclusive)" if closed else f"strictly between {low:g} and {high:g}"
        raise InputError(f"{name} must lie {wording}, got {show(value)}")
    return result


def probability(name: str, value: object, *, closed: bool = False) -> float:
    """A probability: open (0, 1) for a significance or confidence level, closed with ``closed``."""
    return between(name, value, 0.0, 1.0, closed=closed)


def seed(name: str, value: object, *, generator: bool = False) -> object:
    """A seed for ``numpy.random.default_rng``: a whole number from 0 to 2**63 − 1 (or a numpy
    Generator where the function accepts one). Returns ``value`` unchanged."""
    if isinstance(value, np.random.SeedSequence) or (generator and isinstance(value, np.random.Generator)):
        return value
    also = " (or pass a numpy Generator)" if generator else ""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise InputError(f"{name} must be a whole number from 0 to 2**63 - 1, got {show(value)}{also}")
    if value < 0:
        raise InputError(f"{name} must be a whole number of at least 0, got {show(value)}{also}")
    if value >= SEED_LIMIT:
        raise InputError(f"{name} must be a whole number below 2**63, got {value}{also}")
    return value


def array(name: str, value: object) -> np.ndarray:
    """A number or an array of numbers, all finite (no text, no booleans, no NaN)."""
    if isinstance(value, (str, bytes, bool, np.bool_)) or value is None:
        raise InputError(f"{name} must be a number or an array of numbers, got {show(value)}")
    try:
        result = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a number or an array of numbers, got {show(value)}") from None
    if np.asarray(value).dtype == bool:
        raise InputError(f"{name} must hold numbers, got True/False values")
    if not np.isfinite(result).all():
        raise InputError(f"{name} must be finite numbers, got {int((~np.isfinite(result)).sum())} NaN or "
                         "infinite value(s)")
    return result


def text(name: str, value: object, what: str = "a string") -> str:
    """A string (a name, a label, a model description); anything else is refused."""
    if not isinstance(value, str):
        raise InputTypeError(f"{name} must be {what}, got {show(value) if value is None or isinstance(value, (numbers.Number, list, tuple)) else type(value).__name__}")
    return value


def flag(name: str, value: object) -> bool:
    """True or False (numpy's bool too); a string such as "no" or a number is refused."""
    if not isinstance(value, (bool, np.bool_)):
        raise InputError(f"{name} must be True or False, got {show(value)}")
    return bool(value)


def option(name: str, value: object, choices: Iterable[object]) -> object:
    """``value`` if it is one of ``choices`` (same type: True is not 1); otherwise an InputError."""
    choices = tuple(choices)
    for choice in choices:
        if type(value) is type(choice) and value == choice:
            return value
        if isinstance(choice, str) and isinstance(value, str) and value == choice:
            return value
    listed = " or ".join([", ".join(map(repr, choices[:-1])), repr(choices[-1])] if len(choices) > 1 else [repr(choices[0])])
    raise InputError(f"{name} must be {listed}, got {show(value)}")


def names(name: str, value: object, *, allow_empty: bool = False) -> list[str]:
    """A sequence of column or variable names; a bare string (read letter by letter otherwise)
    and non-string items are refused."""
    if isinstance(value, str):
        raise InputError(f"{name} must be a list of names, got the string {value!r}: write [{value!r}]")
    if isinstance(value, (pd.DataFrame, pd.Series, np.ndarray)) or not isinstance(value, Iterable):
        raise InputTypeError(f"{name} must be a list of names, got {type(value).__name__}")
    items = list(value)
    bad = [item for item in items if not isinstance(item, str)]
    if bad:
        raise InputError(f"{name} must hold names (strings), got {show(bad[0])} among them")
    if not items and not allow_empty:
        raise InputError(f"{name} must name at least one column, got an empty list")
    return items


def frame(name: str, value: object, *, rows: int = 0) -> pd.DataFrame:
    """A DataFrame with unique column names and at least ``rows`` rows."""
    if not isinstance(value, pd.DataFrame):
        raise InputTypeError(f"{name} must be a pandas DataFrame, got {type(value).__name__}")
    duplicated = value.columns[value.columns.duplicated()].unique()
    if len(duplicated):
        raise InputError(f"{name} has duplicated column name(s) {', '.join(map(repr, duplicated))}; "
                         "each column needs its own name")
    if len(value) < rows:
        raise InputError(f"{name} must have at least {rows} row(s), got {len(value)}")
    return value


def count(name: str, value: object) -> int:
    """A count (whole, 0 or more) small enough to be exact in float arithmetic (below 2**53)."""
    result = whole(name, value, 0)
    if result >= EXACT_COUNT:
        raise InputError(f"{name} must be a count below 2**53 (larger counts lose exactness), got {show(value)}")
    return result


# --------------------------------------------------------------------------- frames and columns


def columns(frame: object, needed: Iterable[str] | str, name: str = "data") -> None:
    """Raise an InputError unless ``frame`` is a DataFrame holding every column in ``needed``
    (one name or a list of names)."""
    if not isinstance(frame, pd.DataFrame):
        raise InputTypeError(f"{name} must be a pandas DataFrame, got {type(frame).__name__}")
    needed = [needed] if isinstance(needed, str) else list(needed)
    missing = [column for column in needed if column not in frame.columns]
    if missing:
        raise InputError(f"{name} lacks the column(s) {', '.join(map(str, missing))}; "
                         f"it has {', '.join(map(str, frame.columns))}")


def numeric(frame: pd.DataFrame, needed: Iterable[str], name: str = "data", *,
            missing: str = "error") -> None:
    """Columns ``needed`` present, numeric and finite; missing values refused (``missing="error"``)
    or let through for the caller to handle explicitly (``missing="allow"``)."""
    needed = [needed] if isinstance(needed, str) else list(needed)
    columns(frame, needed, name)
    for column in needed:
        values = frame[column]
        if isinstance(values, pd.DataFrame):
            raise InputError(f"{name} has the column {column!r} more than once")
        if values.dtype == bool or not pd.api.types.is_numeric_dtype(values):
            sample = values.dropna()
            raise InputError(f"{name}[{column!r}] must be numeric, got {values.dtype} values such as "
                             f"{show(sample.iloc[0]) if len(sample) else 'missing ones'}")
        array = values.to_numpy(dtype=float, na_value=np.nan)
        n_missing = int(np.isnan(array).sum())
        if n_missing and missing == "error":
            raise InputError(f"{name}[{column!r}] has {n_missing} missing value(s); the book drops no row "
                             "silently: fill or drop them first (frame.dropna(subset=[...]))")
        if np.isinf(array).any():
            raise InputError(f"{name}[{column!r}] has {int(np.isinf(array).sum())} infinite value(s)")


def design(frame: pd.DataFrame, predictors: Sequence[str], name: str = "data") -> None:
    """Predictors that a regression can separate: none constant, none a linear combination of the
    others (the rank of the design matrix with an intercept is full)."""
    predictors = list(predictors)
    if not predictors:
        return
    x = frame[predictors].to_numpy(dtype=float)
    if len(x) <= len(predictors):
        raise InputError(f"{name} has {len(x)} row(s) for {len(predictors)} predictor(s) and an intercept; "
                         "a regression needs more rows than coefficients")
    spread = x.max(axis=0) - x.min(axis=0)
    constant = [p for p, s in zip(predictors, spread) if not s > 0]
    if constant:
        raise InputError(f"{name}[{constant[0]!r}] is constant; a constant predictor cannot be told "
                         "apart from the intercept")
    centred = (x - x.mean(axis=0)) / spread
    rank = np.linalg.matrix_rank(centred, tol=1e-9 * max(1, len(x)))
    if rank < len(predictors):
        raise InputError(f"{name}: the predictors {', '.join(map(repr, predictors))} are collinear "
                         f"(rank {rank} of {len(predictors)}); drop one that the others determine")


# --------------------------------------------------------------------------- the decorator


def _annotation_parts(annotation: object) -> tuple[list[str], bool]:
    """The union members of a (string) annotation and whether None is one of them."""
    if annotation is inspect.Parameter.empty:
        return [], False
    text = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", repr(annotation))
    text = text.replace("typing.", "").replace("Optional[", "").strip()
    parts, depth, current = [], 0, ""
    for char in text:
        depth += char == "["
        depth -= char == "]"
        if char == "|" and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    parts.append(current.strip())
    optional = "None" in parts
    return [p for p in parts if p != "None"], optional


def _numbers(label: str, value: object, integral: bool) -> None:
    """A list of numbers (finite; whole with ``integral``). One-shot iterators are let through
    unchecked, since checking would consume them."""
    if isinstance(value, (str, bytes, Mapping)):
        raise InputError(f"{label} must be a list of numbers, got {show(value)}")
    if not isinstance(value, (Sequence, np.ndarray, pd.Series, pd.Index)):
        if isinstance(value, Iterable):
            return
        raise InputError(f"{label} must be a list of numbers, got {show(value)}")
    for item in (value.tolist() if hasattr(value, "tolist") else value):
        if integral:
            whole(f"{label} (each value)", item)
        else:
            number(f"{label} (each value)", item)


def _iterable(label: str, value: object) -> None:
    """A name or a list of names: the items are the function's to check (its words for them)."""
    if isinstance(value, (pd.DataFrame, np.ndarray)) or not isinstance(value, Iterable):
        raise InputTypeError(f"{label} must be a name or a list of names, got {type(value).__name__}")


def _mapping(label: str, value: object) -> None:
    if not isinstance(value, (Mapping, pd.Series)):
        raise InputTypeError(f"{label} must be a mapping (a dict), got {type(value).__name__}")


def _instance(label: str, annotation: str, globals_of: dict[str, Any]) -> Callable[[object], None]:
    """An isinstance check against the class the annotation names, resolved at the first call (so
    a lazily imported module is not imported when the function is defined)."""
    resolved: list[type] = []

    def check(value: object) -> None:
        if not resolved:
            try:
                cls = eval(annotation, globals_of)  # noqa: S307 - an annotation of the book's own code
            except Exception:  # a name only imported for type checking: nothing to check against
                cls = object
            resolved.append(cls if isinstance(cls, type) else object)
        if not isinstance(value, resolved[0]):
            cls = resolved[0]
            shown = cls.__name__
            raise InputTypeError(f"{label} must be a {shown}, got {type(value).__name__}")

    return check


def _rule(where: str, parameter: inspect.Parameter, limits: dict[str, Any],
          choices: dict[str, Sequence[object]], globals_of: dict[str, Any]) -> Callable[[object], None] | None:
    """The check of one parameter, from its name and annotation (None when nothing generic fits)."""
    name = parameter.name
    parts, optional = _annotation_parts(parameter.annotation)
    optional = optional or parameter.default is None
    label = f"{where}: {name}"
    check: Callable[[object], object] | None = None
    literal = next((p for p in parts if p.startswith("Literal[")), None)

    if name in choices:
        options = tuple(choices[name])
        check = lambda v: option(label, v, options)  # noqa: E731
    elif literal is not None:
        options = ast.literal_eval("(" + literal[len("Literal["):-1] + ",)")
        check = lambda v: option(label, v, options)  # noqa: E731
    elif name == "seed" and "int" in parts:
        generator = any("Generator" in p for p in parts)
        check = lambda v: seed(label, v, generator=generator)  # noqa: E731
    elif parts == ["bool"]:
        check = lambda v: flag(label, v)  # noqa: E731
    elif parts == ["int"]:
        if name in limits:
            low, high = limits[name] if isinstance(limits[name], tuple) else (1, limits[name])
        elif name in COUNT_ONLY:
            low, high = 1, COUNT_ONLY[name]
        elif name == "n":
            low, high = 1, MAXIMA["n"]
        elif name.startswith("n_"):
            low, high = 1, MAXIMA["n_*"]
        else:
            low, high = None, None
        check = lambda v: whole(label, v, low, high)  # noqa: E731
    elif parts and set(parts) <= {"float", "int"} and "float" in parts:
        if name in limits:
            low, high = limits[name]
            check = lambda v: between(label, v, low, high, closed=True)  # noqa: E731
        elif name in PROBABILITIES:
            check = lambda v: probability(label, v)  # noqa: E731
        elif name.endswith("tol"):
            check = lambda v: between(label, v, 0.0, 1.0)  # noqa: E731
        else:
            check = lambda v: number(label, v)  # noqa: E731
    elif parts == ["str"]:
        what = "a model string" if name == "desc" else "a string"
        check = lambda v: text(label, v, what)  # noqa: E731
    elif len(parts) == 2 and "str" in parts and any(SEQUENCE_OF_STR.match(p) for p in parts):
        check = lambda v: None if isinstance(v, str) else _iterable(label, v)  # noqa: E731
    elif parts == ["pd.DataFrame"]:
        check = lambda v: frame(label, v)  # noqa: E731
    elif parts and all(SEQUENCE_OF_STR.match(p) for p in parts):
        check = lambda v: names(label, v, allow_empty=True)  # noqa: E731
    elif "np.ndarray" in parts and all(p in ARRAY_LIKE or NUMBERS.match(p) for p in parts):
        check = lambda v: array(label, v)  # noqa: E731
    elif parts and all(NUMBERS.match(p) for p in parts):
        integral = all("int" in p for p in parts)
        check = lambda v: _numbers(label, v, integral)  # noqa: E731
    elif parts and all(p.startswith(("Mapping[", "dict[")) or p in ("Mapping", "dict") for p in parts):
        check = lambda v: _mapping(label, v)  # noqa: E731
    elif len(parts) == 1 and re.fullmatch(r"(\w+\.)?[A-Z]\w*", parts[0]) and parts[0] not in OPEN_TYPES:
        check = _instance(label, parts[0], globals_of)
    if check is None:
        return None
    if optional:
        inner = check
        return lambda v: None if v is None else inner(v)
    return check


MODULE_ERRORS = ("SemError", "PlsError", "TallyError", "DataError", "BinningError", "AnswerError")


@functools.cache
def _combined(own: type, kind: type) -> type:
    """An exception type that is both a module's own error and the layer's ``kind``."""
    return type(f"{own.__name__[:-5]}{kind.__name__}", (kind, own), {"__module__": own.__module__})


def validated(func: F | None = None, /, *, choices: dict[str, Sequence[object]] | None = None,
              **limits: Any) -> Any:
    """Decorate a public function with the book's generic argument checks (see the module
    docstring). ``limits`` give per-parameter bounds: ``n_studies=10_000`` (a maximum, minimum 1),
    ``n=(2, 10**6)``, or for a float ``cross_loading=(-0.9, 0.9)`` (closed); ``choices`` the options
    of a string parameter (``choices={"method": ("parametric", "bootstrap")}``)."""

    def decorate(function: F) -> F:
        signature = inspect.signature(function)
        where = function.__name__
        taken = ", ".join(signature.parameters) or "no arguments"
        unknown = set(limits) | set(choices or {})
        unknown -= set(signature.parameters)
        if unknown:
            raise TypeError(f"validated({where}): no parameter(s) {', '.join(sorted(unknown))}")
        # A module with its own error type (SemError, PlsError, ...) raises the refusal as both.
        module_globals = inspect.unwrap(function).__globals__
        own_error = next((module_globals[n] for n in MODULE_ERRORS
                          if isinstance(module_globals.get(n), type)), None)
        rules = {}
        for parameter in signature.parameters.values():
            rule = _rule(where, parameter, limits, choices or {}, module_globals)
            if rule is not None:
                rules[parameter.name] = rule

        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                bound = signature.bind(*args, **kwargs)
            except TypeError as exc:
                raise InputTypeError(f"{where}: {exc}; it takes {taken}") from None
            try:
                for name, value in bound.arguments.items():
                    rule = rules.get(name)
                    if rule is not None:
                        rule(value)
            except InputError as exc:
                if own_error is None:
                    raise
                raise _combined(own_error, type(exc))(str(exc)) from None
            return function(*args, **kwargs)

        wrapper.__book_checks__ = tuple(rules)  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate(func) if func is not None else decorate
