"""Turn counts into ordered levels (Low … High) by a stated rule.

Papers that report counts often colour or describe them as "low", "medium" or "high" without
saying where one level ends and the next begins. A :class:`Binning` makes the rule explicit:
what each count is measured against (its ``basis``) and the cut points between levels. The
same rule object turns a whole table into levels, so a chapter can show how a picture or a
verdict changes when the rule changes.
"""

from __future__ import annotations

from utils.errors import BookError

from dataclasses import dataclass

import numpy as np
import pandas as pd

from utils._text import show
from utils._checks import validated

THREE_LEVELS = ("Low", "Medium", "High")
FOUR_LEVELS = ("Low", "Medium", "Medium/high", "High")
# Table 1 of Khodakarami & Chan (2014) predicts on a five-step scale; the in-between steps are
# ranges ("Low/medium" = low to medium). Scores put all scales on one line: 0 = Low, 2 = High.
SCORES = {"Low": 0.0, "Low/medium": 0.5, "Medium": 1.0, "Medium/high": 1.5, "High": 2.0}
BASES = {
    "count": "the count itself",
    "share of max": "the count as a share of the largest count in the table",
    "share of row": "the count as a share of its row's total",
    "percentile": "the count's percentile rank among the table's counts",
}


class BinningError(BookError, ValueError):
    """A binning rule that cannot be applied: the message says which part is wrong."""


@dataclass(frozen=True)
class Binning:
    """A rule that puts counts into ordered levels.

    ``basis`` is one of ``BASES``; ``cuts`` are the increasing cut points on that basis (a value
    equal to a cut point goes to the higher level); ``labels`` name the ``len(cuts) + 1``
    levels from lowest to highest. ``per_panel`` says, for a table shown in several panels,
    that the rule is applied to each panel on its own rather than to all cells together.
    """

    name: str
    basis: str
    cuts: tuple[float, ...]
    labels: tuple[str, ...] = THREE_LEVELS
    per_panel: bool = False

    def __post_init__(self) -> None:
        if self.basis not in BASES:
            raise BinningError(f"unknown basis {self.basis!r}; use one of {', '.join(BASES)}")
        if len(self.labels) != len(self.cuts) + 1:
            raise BinningError(f"{len(self.cuts)} cut points make {len(self.cuts) + 1} levels, "
                               f"but {len(self.labels)} labels were given")
        if any(b <= a for a, b in zip(self.cuts, self.cuts[1:])):
            raise BinningError(f"cut points must increase: {self.cuts}")

    def describe(self) -> str:
        """One sentence that states the rule, for a figure caption or a table note."""
        bounds = [f"{c:.3g}" for c in self.cuts]
        steps = [f"{self.labels[0]} below {bounds[0]}"]
        steps += [f"{self.labels[i]} from {bounds[i - 1]} to below {bounds[i]}" for i in range(1, len(bounds))]
        steps.append(f"{self.labels[-1]} from {bounds[-1]}")
        return f"{self.name}: measured by {BASES[self.basis]}; " + ", ".join(steps) + "."

    def values(self, table: pd.DataFrame) -> pd.DataFrame:
        """The numbers the cut points apply to: ``table`` re-expressed on the rule's basis."""
        counts = _checked(table)
        if self.basis == "count":
            return counts
        if self.basis == "share of max":
            largest = counts.to_numpy().max()
            return counts / largest if largest > 0 else counts * 0.0
        if self.basis == "share of row":
            totals = counts.sum(axis=1).replace(0, np.nan)
            return counts.div(totals, axis=0).fillna(0.0)
        flat = counts.stack()
        return flat.rank(pct=True, method="average").unstack().loc[counts.index, counts.columns]

    def apply(self, table: pd.DataFrame) -> pd.DataFrame:
        """Return a table of the same shape holding each count's level label."""
        values = self.values(table)
        positions = np.searchsorted(np.asarray(self.cuts, dtype=float), values.to_numpy(dtype=float), side="right")
        return pd.DataFrame(np.asarray(self.labels, dtype=object)[positions],
                            index=values.index, columns=values.columns)

    def codes(self, table: pd.DataFrame) -> pd.DataFrame:
        """Like :meth:`apply` but the level's position (0 = lowest) instead of its label."""
        values = self.values(table)
        positions = np.searchsorted(np.asarray(self.cuts, dtype=float), values.to_numpy(dtype=float), side="right")
        return pd.DataFrame(positions, index=values.index, columns=values.columns)


def _checked(table: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(table, pd.DataFrame) or table.empty:
        raise BinningError("a binning rule needs a non-empty table (DataFrame) of counts")
    numbers = table.apply(pd.to_numeric, errors="coerce")
    if numbers.isna().any().any():
        row, column = numbers.isna().stack().idxmax()
        raise BinningError(f"the cell ({row}, {column}) is not a number: {show(table.loc[row, column])}")
    if (numbers < 0).any().any():
        row, column = (numbers < 0).stack().idxmax()
        raise BinningError(f"the cell ({row}, {column}) is negative: {show(table.loc[row, column])}")
    return numbers.astype(float)


@validated
def score(level: str) -> float:
    """The position of a level on the common 0 (Low) to 2 (High) line; see ``SCORES``."""
    if level not in SCORES:
        raise BinningError(f"unknown level {level!r}; expected one of {', '.join(SCORES)}")
    return SCORES[level]


@validated
def agrees(predicted: str, observed: str) -> bool:
    """Whether an observed level (Low, Medium or High) falls in a predicted level's range.

    A prediction of Low, Medium or High must be met exactly; an in-between prediction
    ("Low/medium", "Medium/high") is met by either of its two ends.
    """
    return abs(score(predicted) - score(observed)) <= 0.5
