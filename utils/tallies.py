"""The counts of Khodakarami & Chan (2014), their tallies, and the audit of the printed tables.

One tidy table holds the 36 counts of the paper's Table 6 (CRM system × SECI process ×
customer-knowledge type): :func:`load_counts`. Every other number is computed from it:
:func:`margin` and :func:`crosstab` give any 1-, 2- or 3-way tally, :func:`table6`,
:func:`table7` and :func:`table8` rebuild the paper's tables, and :func:`audit` compares every
number the paper prints (Tables 6, 7 and 8, totals included) with its recomputed value.

Public names: ``SYSTEMS``, ``PROCESSES``, ``KNOWLEDGE``, ``DIMENSIONS``, ``TallyError``,
``validate``, ``load_counts``, ``margin``, ``crosstab``, ``cell_sum``, ``table6``, ``table7``,
``table8``, ``load_published``, ``recompute``, ``audit``, ``conflicts``.
"""

from __future__ import annotations

from utils.errors import BookError

from collections.abc import Sequence

import numpy as np
import pandas as pd

from utils import data
from utils._counts import count_problems
from utils._text import show
from utils._checks import EXACT_COUNT, validated

SYSTEMS = ("operational", "analytical", "collaborative")
PROCESSES = ("socialization", "externalization", "combination", "internalization")
KNOWLEDGE = ("for", "about", "from")
CATEGORIES = {"system": SYSTEMS, "process": PROCESSES, "knowledge": KNOWLEDGE}
DIMENSIONS = tuple(CATEGORIES)
ALL = "all"  # in a published table: summed over this dimension
TOTAL = "Total"
PUBLISHED_TABLES = (6, 7, 8)


class TallyError(BookError, ValueError):
    """A count table that cannot be tallied: the message names the column, label or cell."""


def _cell(row: pd.Series) -> str:
    return "(" + ", ".join(str(row[d]) for d in DIMENSIONS) + ")"


@validated
def validate(counts: pd.DataFrame) -> pd.DataFrame:
    """Check a tidy table of counts and return a clean copy.

    ``counts`` needs the columns ``system``, ``process``, ``knowledge`` and ``count``, one row
    per cell of the 3 × 4 × 3 table. Returns the 36 rows in the canonical order, the three
    dimensions as ordered categoricals and ``count`` as int64. Raises :class:`TallyError`, naming
    the cell, for an unknown label, a missing, non-numeric, non-integer or negative count, a
    duplicated cell or a cell that is absent (an absent cell is not a zero: write the 0).
    """
    if not isinstance(counts, pd.DataFrame):
        raise TallyError(f"counts must be a pandas DataFrame, not {type(counts).__name__}")
    missing = [c for c in (*DIMENSIONS, "count") if c not in counts.columns]
    if missing:
        raise TallyError(f"the count table lacks the column(s) {', '.join(missing)}; it has "
                         f"{', '.join(map(str, counts.columns))}")
    table = counts[[*DIMENSIONS, "count"]].copy()
    if _is_validated(table):  # what validate() returned: the checks below would change nothing
        return table.reset_index(drop=True)
    for dim, labels in CATEGORIES.items():
        if _is_canonical(table[dim], labels):
            continue
        table[dim] = table[dim].astype("string").str.strip().str.lower()
        unknown = table.loc[~table[dim].isin(labels), dim]
        if len(unknown):
            row = unknown.index[0]
            raise TallyError(f"unknown {dim} label {counts.loc[row, dim]!r} in row {row}; "
                             f"expected one of {', '.join(labels)}")
    raw = table["count"]
    numbers, problems = count_problems(raw)
    for problem, mask in problems.items():
        if mask.any():
            row = mask.idxmax()
            shown = "" if problem == "is missing" else f": {show(raw[row])}"
            raise TallyError(f"the count of cell {_cell(table.loc[row])} {problem}{shown}")
    table["count"] = numbers.astype("int64")
    duplicated = table[table.duplicated(list(DIMENSIONS), keep=False)]
    if len(duplicated):
        first = duplicated.iloc[0]
        rows = duplicated[(duplicated[list(DIMENSIONS)] == first[list(DIMENSIONS)]).all(axis=1)].index
        raise TallyError(f"cell {_cell(first)} appears {len(rows)} times (rows {', '.join(map(str, rows))})")
    full = pd.MultiIndex.from_product(CATEGORIES.values(), names=DIMENSIONS)
    present = pd.MultiIndex.from_frame(table[list(DIMENSIONS)].astype(str))
    absent = full.difference(present)
    if len(absent):
        cells = "; ".join("(" + ", ".join(cell) + ")" for cell in absent[:5])
        more = f" and {len(absent) - 5} more" if len(absent) > 5 else ""
        raise TallyError(f"{len(absent)} cell(s) absent from the count table: {cells}{more} "
                         "(write a zero count explicitly)")
    for dim, labels in CATEGORIES.items():
        if not _is_canonical(table[dim], labels):
            table[dim] = pd.Categorical(table[dim].astype(str), categories=labels, ordered=True)
    return table.sort_values(list(DIMENSIONS)).reset_index(drop=True)


# The cell codes of the canonical order (system slowest, knowledge fastest), for _is_validated.
_CANONICAL_CODES = [codes.ravel() for codes in
                    np.meshgrid(*(np.arange(len(labels)) for labels in CATEGORIES.values()), indexing="ij")]


def _is_validated(table: pd.DataFrame) -> bool:
    """True for a table as validate() returns it: the dimensions canonical, one row per cell in
    the canonical order, whole counts from 0 to below 2**53. Chapters pass the same validated
    table to many functions; this check costs a fraction of a millisecond, the full one ten."""
    if len(table) != len(_CANONICAL_CODES[0]) or table["count"].dtype != np.int64:
        return False
    if not all(_is_canonical(table[dim], labels) for dim, labels in CATEGORIES.items()):
        return False
    if not all(np.array_equal(table[dim].cat.codes.to_numpy(), codes)
               for dim, codes in zip(DIMENSIONS, _CANONICAL_CODES)):
        return False
    count = table["count"].to_numpy()
    return bool(((count >= 0) & (count < EXACT_COUNT)).all())


def _is_canonical(column: pd.Series, labels: tuple[str, ...]) -> bool:
    """True for a column that validate() already made: ordered categorical of ``labels``, no NaN."""
    dtype = column.dtype
    return (isinstance(dtype, pd.CategoricalDtype) and dtype.ordered
            and tuple(dtype.categories) == labels and not column.isna().any())


@validated
def load_counts() -> pd.DataFrame:
    """Return the 36 counts of Table 6 as a validated tidy table
    (columns ``system``, ``process``, ``knowledge``, ``count``)."""
    return validate(data.read_csv("khodakarami2014/counts.csv"))


def _dims(by: str | Sequence[str]) -> list[str]:
    dims = [by] if isinstance(by, str) else list(by)
    unknown = [d for d in dims if d not in DIMENSIONS]
    if unknown:
        raise TallyError(f"unknown dimension(s) {', '.join(unknown)}; use {', '.join(DIMENSIONS)}")
    if len(set(dims)) != len(dims):
        raise TallyError(f"a dimension is named twice in {dims}")
    return dims


def _margin(table: pd.DataFrame, dims: list[str]) -> pd.Series:
    if not dims:
        return pd.Series([int(table["count"].sum())], index=[TOTAL], name="count")
    return table.groupby(dims, observed=False)["count"].sum().astype("int64")


@validated
def margin(counts: pd.DataFrame, by: str | Sequence[str]) -> pd.Series:
    """Sum the counts over every dimension not in ``by``.

    Returns a Series of int64 named ``count`` indexed by ``by`` (all label combinations, zeros
    included, in the canonical order); ``by=[]`` returns the grand total as a one-element Series.
    """
    return _margin(validate(counts), _dims(by))


@validated
def crosstab(counts: pd.DataFrame, rows: str, columns: str, *, totals: bool = True,
             where: dict[str, str] | None = None) -> pd.DataFrame:
    """A two-way tally: ``rows`` × ``columns``, summed over the third dimension.

    ``where`` (e.g. ``{"system": "analytical"}``) keeps only the cells with those labels before
    summing. With ``totals`` a row and a column named ``Total`` hold the margins and the grand
    total.
    """
    return _crosstab(validate(counts), rows, columns, totals=totals, where=where)


def _crosstab(table: pd.DataFrame, rows: str, columns: str, *, totals: bool = True,
              where: dict[str, str] | None = None) -> pd.DataFrame:
    rows_, columns_ = _dims([rows, columns])
    for dim, label in (where or {}).items():
        _dims([dim])
        if label not in CATEGORIES[dim]:
            raise TallyError(f"unknown {dim} label {label!r}; expected one of {', '.join(CATEGORIES[dim])}")
        table = table[table[dim] == label]
    wide = _margin(table, [rows_, columns_]).unstack(columns_)
    wide.index, wide.columns = list(wide.index.astype(str)), list(wide.columns.astype(str))
    if totals:
        wide[TOTAL] = wide.sum(axis=1)
        wide.loc[TOTAL] = wide.sum(axis=0)
    wide.index.name, wide.columns.name = rows_, columns_
    return wide.astype("int64")


def _cell_sum(table: pd.DataFrame, labels: Sequence[str]) -> int:
    keep = np.ones(len(table), dtype=bool)
    for dim, label in zip(DIMENSIONS, labels):
        if label != ALL:
            if label not in CATEGORIES[dim]:
                raise TallyError(f"unknown {dim} label {label!r}; expected one of "
                                 f"{', '.join(CATEGORIES[dim])} or 'all'")
            keep &= (table[dim] == label).to_numpy()
    return int(table.loc[keep, "count"].sum())


@validated
def cell_sum(counts: pd.DataFrame, system: str = ALL, process: str = ALL, knowledge: str = ALL) -> int:
    """The count of one cell or margin: a label fixes a dimension, ``"all"`` sums over it."""
    return _cell_sum(validate(counts), (system, process, knowledge))


@validated
def table6(counts: pd.DataFrame) -> pd.DataFrame:
    """Table 6 rebuilt: rows system × process (with each system's total row and a grand-total
    row), columns the knowledge types, the process total and each system's total."""
    table = validate(counts)
    blocks = []
    for system in SYSTEMS:
        panel = _crosstab(table, "process", "knowledge", where={"system": system})
        panel.index = pd.MultiIndex.from_product([[system], panel.index], names=["system", "process"])
        panel["system total"] = panel.loc[(system, TOTAL), TOTAL]
        blocks.append(panel)
    whole = _crosstab(table, "system", "knowledge").loc[[TOTAL]]
    whole.index = pd.MultiIndex.from_tuples([(TOTAL, TOTAL)], names=["system", "process"])
    whole["system total"] = whole[TOTAL]
    return pd.concat([*blocks, whole])


@validated
def table7(counts: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Table 7 rebuilt: its three two-way panels, each with totals."""
    table = validate(counts)
    return {
        "system × process": _crosstab(table, "system", "process"),
        "system × knowledge": _crosstab(table, "system", "knowledge"),
        "knowledge × process": _crosstab(table, "knowledge", "process"),
    }


@validated
def table8(counts: pd.DataFrame) -> dict[str, dict[str, pd.DataFrame]]:
    """Table 8 rebuilt: the 3-way table shown three ways (one panel per process, per knowledge
    type and per system), each group with its two-way total panel."""
    table = validate(counts)

    def panels(by: str, rows: str, columns: str) -> dict[str, pd.DataFrame]:
        out = {label: _crosstab(table, rows, columns, totals=False, where={by: label})
               for label in CATEGORIES[by]}
        out[TOTAL] = _crosstab(table, rows, columns, totals=False)
        return out

    return {
        "by process": panels("process", "knowledge", "system"),
        "by knowledge": panels("knowledge", "system", "process"),
        "by system": panels("system", "knowledge", "process"),
    }


@validated
def load_published(table: int) -> pd.DataFrame:
    """Every number printed in Table 6, 7 or 8, as transcribed in ``data/khodakarami2014``.

    Returns one row per printed number: ``table`` ("Table 6"…), ``panel``, ``row_label``,
    ``column_label``, the three dimensions (a label, or ``"all"`` where the number sums over
    the dimension), ``published`` and the transcriber's ``note``.
    """
    if table not in PUBLISHED_TABLES:
        raise TallyError(f"the paper prints counts in Tables 6, 7 and 8, not Table {table}")
    printed = data.read_csv(f"khodakarami2014/table{table}.csv", keep_default_na=False)
    for dim, labels in CATEGORIES.items():
        unknown = sorted(set(printed[dim]) - {*labels, ALL})
        if unknown:
            raise TallyError(f"table{table}.csv has unknown {dim} label(s) {unknown}")
    printed.insert(0, "table", f"Table {table}")
    printed["published"] = printed["published"].astype("int64")
    return printed


@validated
def recompute(published: pd.DataFrame, counts: pd.DataFrame) -> pd.Series:
    """For each row of a published table, the same number computed from ``counts``."""
    table = validate(counts)
    values = [_cell_sum(table, labels) for labels in published[list(DIMENSIONS)].itertuples(index=False)]
    return pd.Series(values, index=published.index, name="recomputed", dtype="int64")


def _all_published(counts: pd.DataFrame) -> pd.DataFrame:
    printed = pd.concat([load_published(t) for t in PUBLISHED_TABLES], ignore_index=True)
    printed["recomputed"] = recompute(printed, counts)
    return printed


@validated
def audit(counts: pd.DataFrame | None = None) -> pd.DataFrame:
    """Compare every number printed in Tables 6, 7 and 8 with its value recomputed from the tidy
    table of counts (:func:`load_counts` unless ``counts`` is given).

    Returns one row per printed cell or total that disagrees, with the columns ``table``,
    ``panel``, ``row_label``, ``column_label``, ``system``, ``process``, ``knowledge``,
    ``published``, ``recomputed`` and ``difference`` (published − recomputed); empty if the
    tables agree everywhere.
    """
    counts = load_counts() if counts is None else validate(counts)
    printed = _all_published(counts)
    wrong = printed[printed["published"] != printed["recomputed"]].copy()
    wrong["difference"] = wrong["published"] - wrong["recomputed"]
    columns = ["table", "panel", "row_label", "column_label", *DIMENSIONS, "published",
               "recomputed", "difference"]
    return wrong[columns].reset_index(drop=True)


@validated
def audit_summary(counts: pd.DataFrame | None = None) -> pd.DataFrame:
    """How many numbers each table prints and how many of them the recomputation confirms."""
    counts = load_counts() if counts is None else validate(counts)
    printed = _all_published(counts)
    printed["agrees"] = printed["published"] == printed["recomputed"]
    summary = printed.groupby("table").agg(printed=("agrees", "size"), agree=("agrees", "sum"))
    summary["disagree"] = summary["printed"] - summary["agree"]
    return summary.astype("int64")


@validated
def conflicts(counts: pd.DataFrame | None = None) -> pd.DataFrame:
    """Quantities the paper prints more than once with different values.

    Table 8 prints every cell of the 3-way table three times and Tables 6 to 8 repeat the
    margins; this lists each quantity (a cell or margin) whose printings disagree with each
    other, one row per printing, with the recomputed value beside them.
    """
    counts = load_counts() if counts is None else validate(counts)
    printed = _all_published(counts)
    key = list(DIMENSIONS)
    spread = printed.groupby(key)["published"].transform("nunique")
    columns = [*key, "table", "panel", "row_label", "column_label", "published", "recomputed"]
    return printed.loc[spread > 1, columns].sort_values(key + ["table"]).reset_index(drop=True)
