"""Checks of arguments shared by the book's modules, so that the same mistake gets the same
sentence everywhere: the parameter's name, what it must be, and what it got."""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable

import pandas as pd

from utils._text import show


def whole(name: str, value: object, minimum: int) -> int:
    """``value`` as an int of at least ``minimum``; otherwise a ValueError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} must be a whole number of at least {minimum}, got {show(value)}")
    return int(value)


def number(name: str, value: object) -> float:
    """``value`` as a finite float; otherwise a ValueError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a number, got {show(value)}")
    result = float(value)
    if not math.isfinite(result):
        raise ValueError(f"{name} must be a finite number, got {show(value)}")
    return result


def positive(name: str, value: object, *, allow_zero: bool = False) -> float:
    """``value`` as a finite float above zero (or at least zero with ``allow_zero``)."""
    result = number(name, value)
    if result < 0 or (result == 0 and not allow_zero):
        bound = "zero or more" if allow_zero else "greater than zero"
        raise ValueError(f"{name} must be {bound}, got {show(value)}")
    return result


def columns(frame: object, needed: Iterable[str], name: str = "data") -> None:
    """Raise a ValueError unless ``frame`` is a DataFrame holding every column in ``needed``."""
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"{name} must be a pandas DataFrame, got {type(frame).__name__}")
    missing = [column for column in needed if column not in frame.columns]
    if missing:
        raise ValueError(f"{name} lacks the column(s) {', '.join(map(str, missing))}; "
                         f"it has {', '.join(map(str, frame.columns))}")
