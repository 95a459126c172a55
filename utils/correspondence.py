"""Simple correspondence analysis (CA) of a two-way table of counts.

CA places the rows and the columns of a table in a few dimensions so that distances show how far
each row's (column's) profile is from the average profile. It is the singular value decomposition
of the matrix of standardized residuals

    S = D_r^(-1/2) (P − r cᵀ) D_c^(-1/2),   P = N / n,  r, c its row and column masses,

whose squared singular values are the principal inertias; they add up to the total inertia
X² / n (Pearson's chi-square of independence over the sample size). Principal coordinates are
F = D_r^(-1/2) U Σ for rows and G = D_c^(-1/2) V Σ for columns (Greenacre, *Correspondence
Analysis in Practice*).

Rows or columns whose total is 0 have no profile: they are dropped and listed in
``CAResult.dropped``. Signs are fixed so that, in each dimension, the row with the largest absolute
coordinate is positive, which keeps figures stable from run to run.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from utils._checks import validated
from utils.errors import InputError

# Below this the total inertia counts as 0 (a table of exactly independent counts).
_NO_INERTIA = 1e-12


@dataclass(frozen=True)
class CAResult:
    """The result of :func:`correspondence`.

    ``row_coordinates``/``column_coordinates``: principal coordinates, one column per dimension
    1..k (k = min(rows, columns) − 1 of the retained table). ``inertia``: principal inertia per
    dimension; ``explained``: its share of ``total_inertia`` (all 0 when the total is 0).
    ``row_masses``/``column_masses``: the margins as shares of n. ``dropped``: the labels of rows
    and columns left out because their total is 0.
    """

    row_coordinates: pd.DataFrame
    column_coordinates: pd.DataFrame
    inertia: pd.Series
    explained: pd.Series
    total_inertia: float
    row_masses: pd.Series
    column_masses: pd.Series
    n: float
    dropped: dict[str, list]

    def summary(self) -> str:
        """A readable report: inertias, shares and coordinates of the first two dimensions."""
        shown = list(self.inertia.index[:2])
        dims = pd.DataFrame({"inertia": self.inertia, "explained": self.explained})
        lines = [
            f"Correspondence analysis of a {len(self.row_masses)}×{len(self.column_masses)} table, n = {self.n:g}",
            f"total inertia = {self.total_inertia:.5f} (= X²/n, X² = {self.total_inertia * self.n:.4f})",
            dims.round(4).to_string(),
            "row principal coordinates:",
            self.row_coordinates[shown].round(4).to_string(),
            "column principal coordinates:",
            self.column_coordinates[shown].round(4).to_string(),
        ]
        if self.dropped["rows"] or self.dropped["columns"]:
            lines.append(f"dropped (total 0): rows {self.dropped['rows']}, columns {self.dropped['columns']}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


def _check(table: pd.DataFrame | np.ndarray) -> pd.DataFrame:
    """Return ``table`` as a float DataFrame after checking it holds finite non-negative numbers."""
    if not isinstance(table, pd.DataFrame):
        try:
            array = np.asarray(table)
        except (TypeError, ValueError):
            array = np.asarray(None)
        if array.ndim != 2:
            raise InputError(f"table must be a two-way table (a DataFrame or a 2-d array of counts), got {type(table).__name__}")
    frame = table if isinstance(table, pd.DataFrame) else pd.DataFrame(np.asarray(table))
    if frame.ndim != 2 or frame.size == 0:
        raise InputError("correspondence analysis needs a non-empty two-way table")
    values = frame.apply(pd.to_numeric, errors="coerce")
    if values.isna().to_numpy().any():
        raise InputError("the table holds missing or non-numeric values")
    array = values.to_numpy(dtype=float)
    if not np.isfinite(array).all():
        raise InputError("the table holds infinite values")
    if (array < 0).any():
        raise InputError("the table holds negative counts")
    return pd.DataFrame(array, index=frame.index, columns=frame.columns)


@validated
def correspondence(table: pd.DataFrame | np.ndarray) -> CAResult:
    """Simple correspondence analysis of a two-way table of counts.

    In: a DataFrame of non-negative counts, rows × columns (labels from its index and columns; a
    2-D array gets 0, 1, ... labels). Out: a :class:`CAResult`. Rows/columns with total 0 are
    dropped and recorded; ValueError if fewer than 2 rows or 2 columns remain.
    """
    frame = _check(table)
    row_totals, column_totals = frame.sum(axis=1), frame.sum(axis=0)
    dropped = {"rows": list(frame.index[row_totals == 0]), "columns": list(frame.columns[column_totals == 0])}
    frame = frame.loc[row_totals > 0, column_totals > 0]
    if min(frame.shape) < 2:
        raise InputError(
            f"after dropping empty rows {dropped['rows']} and columns {dropped['columns']} the table is "
            f"{frame.shape[0]}×{frame.shape[1]}: correspondence analysis needs at least 2×2"
        )

    n = float(frame.to_numpy().sum())
    p = frame.to_numpy() / n
    r, c = p.sum(axis=1), p.sum(axis=0)
    residuals = (p - np.outer(r, c)) / np.sqrt(np.outer(r, c))
    u, singular, vt = np.linalg.svd(residuals, full_matrices=False)
    k = min(frame.shape) - 1
    rows = u[:, :k] * singular[:k] / np.sqrt(r)[:, None]
    columns = vt.T[:, :k] * singular[:k] / np.sqrt(c)[:, None]
    largest = np.abs(rows).argmax(axis=0)
    signs = np.where(rows[largest, np.arange(k)] < 0, -1.0, 1.0)
    rows, columns = rows * signs, columns * signs

    dims = pd.RangeIndex(1, k + 1, name="dimension")
    inertia = pd.Series(singular[:k] ** 2, index=dims, name="inertia")
    total = float((residuals**2).sum())
    explained = inertia / total if total > _NO_INERTIA else inertia * 0.0
    return CAResult(
        row_coordinates=pd.DataFrame(rows, index=frame.index, columns=dims),
        column_coordinates=pd.DataFrame(columns, index=frame.columns, columns=dims),
        inertia=inertia,
        explained=explained.rename("explained"),
        total_inertia=total,
        row_masses=pd.Series(r, index=frame.index, name="mass"),
        column_masses=pd.Series(c, index=frame.columns, name="mass"),
        n=n,
        dropped=dropped,
    )
