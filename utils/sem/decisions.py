"""Verdicts on a stated direction for tables of resampled effects, borderline within 3 Monte Carlo SE.

:func:`verdicts` takes a table from :func:`utils.sem.indirect_effects` (bootstrap) or
:func:`utils.sem.monte_carlo_effects` (Monte Carlo draws of the parameters) and, for each row,
the direction the hypothesis states:

- ``"greater"`` (H1: effect > 0, one-sided), ``"less"`` (H1: effect < 0, one-sided) or
  ``"two-sided"`` (H1: effect ≠ 0). A directional hypothesis is tested one-sided; say why in the
  text that reports it.

The verdict rests on the resampling p-value for that direction (``p_greater``, ``p_less``, or for
two-sided twice the smaller, capped at 1) through :func:`utils.inference.p_verdict` with the
number of resamples, so a p-value within ``utils.inference.MARGIN`` = 3 Monte Carlo standard errors
of ``alpha`` is "borderline": another seed could flip it. Beside it, ``interval_verdict`` reads
the table's percentile interval (``pct_low``/``pct_high`` or ``lower``/``upper``) with the Monte
Carlo SE of its ends through :func:`utils.inference.interval_verdict`; a two-sided interval at
``level`` 0.95 tests a one-sided hypothesis at α = 0.025 and a two-sided one at 0.05, so the two
columns agree when ``alpha`` matches the interval.

Verified in ``tests/test_sem_verdicts.py`` against hand-computed p-values and the borderline rule.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from utils import _checks, inference
from utils.sem.errors import SemError
from utils._checks import validated

DIRECTIONS = ("greater", "less", "two-sided")
VERDICT_COLUMNS = ["chain", "group", "direction", "estimate", "p", "p_mcse", "verdict", "distance",
                   "interval_verdict", "test"]


def _resamples(table: pd.DataFrame) -> pd.Series:
    for column in ("n_boot", "n_draws"):
        if column in table.columns:
            return table[column]
    raise SemError("table must come from indirect_effects (column n_boot) or monte_carlo_effects "
                   f"(column n_draws); it has the columns {', '.join(map(str, table.columns))}")


def _ends(table: pd.DataFrame) -> tuple[str, str]:
    if "pct_low" in table.columns:
        return "pct_low", "pct_high"
    return "lower", "upper"


@validated
def verdicts(table: pd.DataFrame, direction: str | Sequence[str] = "greater", *,
             alpha: float = 0.05) -> pd.DataFrame:
    """The verdict of every row of ``table`` for the stated ``direction`` (one string for all
    rows, or one per row), at level ``alpha``.

    Returns one row per row of ``table`` (same index) with chain, group, direction, estimate,
    p (the resampling p-value for the direction), p_mcse (its Monte Carlo SE), verdict
    ("supported", "not supported" or "borderline", from the p-value), distance (Monte Carlo SEs
    between p and alpha), interval_verdict (from the percentile interval's ends and their
    Monte Carlo SEs) and test (what was tested, one- or two-sided)."""
    _checks.columns(table, ["chain", "group", "estimate", "p_greater", "p_less"], "table")
    n = _resamples(table)
    low, high = _ends(table)
    _checks.columns(table, [low, high, f"{low}_mcse", f"{high}_mcse"], "table")
    alpha = _checks.number("alpha", alpha)
    if not 0 < alpha < 1:
        raise SemError(f"alpha must lie strictly between 0 and 1, got {alpha:g}")
    if isinstance(direction, str):
        directions = [direction] * len(table)
    else:
        directions = list(direction)
        if len(directions) != len(table):
            raise SemError(f"direction must be one string or one per row of the table ({len(table)}), "
                           f"got {len(directions)} directions")
    bad = [d for d in directions if d not in DIRECTIONS]
    if bad:
        raise SemError(f"direction must be 'greater', 'less' or 'two-sided', got {bad[0]!r}")
    rows = []
    for (index, row), sided, resamples in zip(table.iterrows(), directions, n):
        if sided == "greater":
            p = float(row["p_greater"])
        elif sided == "less":
            p = float(row["p_less"])
        else:
            p = float(min(1.0, 2 * min(row["p_greater"], row["p_less"])))
        name = {"greater": "H1: effect > 0, one-sided", "less": "H1: effect < 0, one-sided",
                "two-sided": "H1: effect ≠ 0, two-sided"}[sided]
        by_p = inference.p_verdict(p, alpha=alpha, n_resamples=int(resamples), test=name)
        lower, upper = float(row[low]), float(row[high])
        lower_mcse, upper_mcse = (float(np.nan_to_num(row[f"{low}_mcse"])),
                                  float(np.nan_to_num(row[f"{high}_mcse"])))
        by_interval = inference.interval_verdict(lower, upper, lower_mcse=lower_mcse,
                                                 upper_mcse=upper_mcse, sided=sided)
        rows.append({"chain": row["chain"], "group": row["group"], "direction": sided,
                     "estimate": float(row["estimate"]), "p": p, "p_mcse": by_p.mcse,
                     "verdict": by_p.label, "distance": by_p.distance,
                     "interval_verdict": by_interval.label,
                     "test": f"{name}, resampling p < {alpha:g}"})
    return pd.DataFrame(rows, columns=VERDICT_COLUMNS, index=table.index)
