"""What can be wrong with a column of counts: the check that every table of counts shares."""

from __future__ import annotations

import numpy as np
import pandas as pd

from utils._checks import EXACT_COUNT

# The problems in the order a reader should hear about them.
PROBLEMS = ("is missing", "is not a number", "is infinite", "is not a whole number", "is negative",
            "is too large (2**53 or more: beyond exact arithmetic and near int64's wrap)")


def count_problems(values: pd.Series) -> tuple[pd.Series, dict[str, pd.Series]]:
    """Check a column of counts.

    Returns the values as floats (NaN where missing or not a number) and, for each problem in
    ``PROBLEMS``, a boolean mask of the rows that have it; a valid count has none. Callers word
    the error their own way (naming a cell, or summarising a column).
    """
    numbers = pd.to_numeric(values, errors="coerce").astype(float)
    finite = numbers.notna() & np.isfinite(numbers)
    masks = {
        "is missing": values.isna(),
        "is not a number": numbers.isna() & values.notna(),
        "is infinite": numbers.notna() & ~finite,
        "is not a whole number": finite & (numbers % 1 != 0),
        "is negative": finite & (numbers < 0),
        PROBLEMS[-1]: finite & (numbers >= EXACT_COUNT),
    }
    return numbers, masks
