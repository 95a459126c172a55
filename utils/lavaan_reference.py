"""lavaan's own example data and outputs, committed with the book, and comparisons against them.

Chapter 21 checks the book's SEM numbers against lavaan 0.6-14 without needing R: the R scripts in
``tests/reference/sem/`` wrote lavaan's results to CSV files, and this module reads them.

What goes in and what comes out:

- :func:`dataset` — one of lavaan's example data sets (``"HolzingerSwineford1939"``,
  ``"PoliticalDemocracy"``) as a DataFrame.
- :data:`MODELS` — the model strings of the committed single-group references, by name
  (``"hs_cfa"``, ``"hs_cfa_ceq"``, ``"poldem_sem"``, ``"poldem_path"``).
- :func:`fit_measures` and :func:`estimates` — lavaan's ``fitMeasures()`` (a Series indexed by
  lavaan's names) and ``parameterEstimates()`` (a DataFrame) of one of :data:`MODELS`;
  :func:`group_tests` — lavaan's ``anova()`` of the invariance steps by school;
  :func:`bootstrap` — lavaan's bootstrap of the path model's indirect effect.
- :func:`paired_estimates` — the book's and lavaan's estimates side by side, one row per
  parameter (a covariance ``a ~~ b`` is the same parameter as ``b ~~ a``);
  :func:`largest_differences` — the largest absolute book − lavaan difference per column.
- :func:`fit_comparison` — semopy's ``calc_stats``, the book's ``fit_table`` and lavaan's
  ``fitMeasures`` in one table, one row per statistic (the table of the chapter's note on
  semopy).
- :func:`bootstrap_comparison` — the book's bootstrap interval ends beside lavaan's, with the
  difference in units of its Monte Carlo standard error.

Bad input (an unknown name, a table without the needed columns) raises ``ValueError`` naming the
argument, the value and what was expected. Nothing here fits a model: the book's numbers come
from :mod:`utils.sem`.
"""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd
from utils._checks import validated
from utils.errors import InputError

__all__ = ["REFERENCE", "DATASETS", "MODELS", "FIT_ROWS", "dataset", "fit_measures", "estimates",
           "group_tests", "bootstrap", "paired_estimates", "largest_differences", "fit_comparison",
           "bootstrap_comparison"]

# The committed lavaan outputs (written by the R scripts beside them).
REFERENCE = Path(__file__).resolve().parents[1] / "tests" / "reference" / "sem"
DATASETS = ("HolzingerSwineford1939", "PoliticalDemocracy")

_HS_CFA = """visual  =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed   =~ x7 + x8 + x9"""
MODELS = MappingProxyType({
    # lavaan tutorial's CFA of the Holzinger-Swineford tests
    "hs_cfa": _HS_CFA,
    # the same with the loadings of x2 and x3 held equal
    "hs_cfa_ceq": _HS_CFA.replace("x2 + x3", "a*x2 + a*x3"),
    # lavaan tutorial's SEM of Bollen's PoliticalDemocracy data, with correlated residuals
    "poldem_sem": """ind60 =~ x1 + x2 + x3
dem60 =~ y1 + y2 + y3 + y4
dem65 =~ y5 + y6 + y7 + y8
dem60 ~ ind60
dem65 ~ ind60 + dem60
y1 ~~ y5
y2 ~~ y4 + y6
y3 ~~ y7
y4 ~~ y8
y6 ~~ y8""",
    # a path model with two observed exogenous variables
    "poldem_path": """y1 ~ x1 + x2
y5 ~ y1 + x1""",
})

# Row label: (semopy's calc_stats name, the book's fit_table key, lavaan's fitMeasures name);
# None where a program does not report the statistic.
FIT_ROWS = MappingProxyType({
    "chi2": ("chi2", "chi2", "chisq"),
    "df": ("DoF", "df", "df"),
    "p": ("chi2 p-value", "pvalue", "pvalue"),
    "baseline chi2": ("chi2 Baseline", "baseline_chi2", "baseline.chisq"),
    "baseline df": ("DoF Baseline", "baseline_df", "baseline.df"),
    "CFI": ("CFI", "cfi", "cfi"),
    "TLI": ("TLI", "tli", "tli"),
    "NFI": ("NFI", None, "nfi"),
    "GFI": ("GFI", None, "gfi"),
    "RMSEA": ("RMSEA", "rmsea", "rmsea"),
    "RMSEA 90% lower": (None, "rmsea_ci_lower", "rmsea.ci.lower"),
    "RMSEA 90% upper": (None, "rmsea_ci_upper", "rmsea.ci.upper"),
    "SRMR": (None, "srmr", "srmr"),
    "log-likelihood": ("LogLik", "loglik", "logl"),
    "AIC": ("AIC", "aic", "aic"),
    "BIC": ("BIC", "bic", "bic"),
})

_KEY = ["lhs", "op", "rhs"]


def _choice(argument: str, value: object, allowed) -> str:
    if value not in allowed:
        raise InputError(f"{argument} must be one of {', '.join(map(repr, allowed))}, got {value!r}")
    return str(value)


@validated
def dataset(name: str) -> pd.DataFrame:
    """lavaan's example data set ``name`` (one of :data:`DATASETS`) as a DataFrame."""
    return pd.read_csv(REFERENCE / f"{_choice('name', name, DATASETS)}.csv")


@validated
def fit_measures(name: str) -> pd.Series:
    """lavaan's ``fitMeasures()`` of the single-group model ``name`` (a key of :data:`MODELS`),
    indexed by lavaan's names (``chisq``, ``df``, ``cfi``, ``rmsea``, ``srmr``, ``logl``, …)."""
    table = pd.read_csv(REFERENCE / f"single_{_choice('name', name, tuple(MODELS))}_fit.csv")
    return table.set_index("measure")["value"].astype(float)


@validated
def estimates(name: str) -> pd.DataFrame:
    """lavaan's ``parameterEstimates()`` of the single-group model ``name`` (a key of
    :data:`MODELS`), with its ``std.all`` column renamed ``std_all`` as in the book's tables."""
    table = pd.read_csv(REFERENCE / f"single_{_choice('name', name, tuple(MODELS))}_estimates.csv")
    return table.rename(columns={"std.all": "std_all"})


@validated
def group_tests() -> pd.DataFrame:
    """lavaan's ``anova()`` of the invariance steps of the Holzinger–Swineford CFA by school:
    one row per comparison (``configural_vs_metric``, ``metric_vs_scalar``) with ``chi2_diff``,
    ``df_diff`` and ``pvalue``."""
    return pd.read_csv(REFERENCE / "lavaan_groups_lrt.csv").set_index("comparison")


@validated
def bootstrap() -> pd.DataFrame:
    """lavaan's nonparametric bootstrap (5,000 resamples, one seed) of the path model's indirect
    effect x1 → y1 → y5 (row ``ind``) and of its first path (row ``direct_a``): estimate, se,
    percentile and bias-corrected ("bca.simple") 95% interval ends."""
    return pd.read_csv(REFERENCE / "lavaan_bootstrap.csv").set_index("effect")


def _keyed(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    missing = [column for column in _KEY if column not in frame.columns]
    if missing:
        raise InputError(f"{name} must have the columns lhs, op and rhs of a parameter table; "
                         f"it lacks {', '.join(missing)}")
    swap = (frame["op"] == "~~") & (frame["lhs"] > frame["rhs"])
    return frame.assign(lhs=frame["lhs"].where(~swap, frame["rhs"]),
                        rhs=frame["rhs"].where(~swap, frame["lhs"]))


@validated
def paired_estimates(book: pd.DataFrame, lavaan: pd.DataFrame) -> pd.DataFrame:
    """The book's and lavaan's parameter tables side by side, one row per parameter.

    Rows are paired by ``lhs``, ``op`` and ``rhs``, with ``a ~~ b`` and ``b ~~ a`` treated as the
    same covariance. Columns present in both tables get the suffixes ``_book`` and ``_lavaan``.
    Raises ``ValueError`` when a table lacks the key columns or when no parameter pairs up.
    """
    pairs = _keyed(book, "book").merge(_keyed(lavaan, "lavaan"), on=_KEY, suffixes=("_book", "_lavaan"))
    if pairs.empty:
        raise InputError("book and lavaan share no parameter (lhs, op, rhs): are they the same model?")
    return pairs


@validated
def largest_differences(book: pd.DataFrame, lavaan: pd.DataFrame,
                        columns: tuple[str, ...] = ("est", "se", "std_all")) -> pd.Series:
    """The largest absolute difference book − lavaan in each of ``columns`` over the paired
    parameters (see :func:`paired_estimates`); the Series is named by the number of pairs."""
    pairs = paired_estimates(book, lavaan)
    result = {}
    for column in columns:
        if f"{column}_book" not in pairs.columns:
            raise InputError(f"columns: {column!r} is not a column of both tables")
        result[column] = float((pairs[f"{column}_book"] - pairs[f"{column}_lavaan"]).abs().max())
    return pd.Series(result, name=f"{len(pairs)} parameters")


@validated
def fit_comparison(semopy_stats: pd.Series | pd.DataFrame, book_fit_table, lavaan: pd.Series) -> pd.DataFrame:
    """One row per fit statistic of :data:`FIT_ROWS`, with three columns: ``semopy`` (from
    ``semopy.calc_stats(model)``, a one-row DataFrame, or its ``Value`` column as a Series),
    ``book`` (a :class:`utils.sem.SemFit`'s ``fit_table``) and ``lavaan`` (:func:`fit_measures`).
    NaN where a program does not report the statistic."""
    if isinstance(semopy_stats, pd.DataFrame):
        if len(semopy_stats) != 1:
            raise InputError(f"semopy_stats must be semopy.calc_stats(model), a one-row table; got {len(semopy_stats)} rows")
        semopy_stats = semopy_stats.iloc[0]
    rows = {}
    for label, (own, book, theirs) in FIT_ROWS.items():
        for argument, table, key in (("semopy_stats", semopy_stats, own), ("book_fit_table", book_fit_table, book),
                                     ("lavaan", lavaan, theirs)):
            if key is not None and key not in table:
                raise InputError(f"{argument} has no {key!r}: pass semopy.calc_stats(model), "
                                 "SemFit.fit_table and fit_measures(name)")
        rows[label] = {"semopy": float(semopy_stats[own]) if own else np.nan,
                       "book": float(book_fit_table[book]) if book else np.nan,
                       "lavaan": float(lavaan[theirs])}
    return pd.DataFrame(rows).T


_ENDS = {"percentile, lower": "pct_low", "percentile, upper": "pct_high", "BC, lower": "bc_low", "BC, upper": "bc_high"}


@validated
def bootstrap_comparison(book: pd.Series | pd.DataFrame, effect: str = "ind") -> pd.DataFrame:
    """The book's bootstrap interval ends beside lavaan's (:func:`bootstrap`, row ``effect``).

    ``book`` is one row of :func:`utils.sem.indirect_effects` (a Series, or a one-row frame)
    with ``pct_low``, ``pct_high``, ``bc_low``, ``bc_high`` and the Monte Carlo standard error
    of each (``…_mcse``). Returns one row per interval end ("percentile, lower", "percentile,
    upper", "BC, lower", "BC, upper") with ``book``, ``book_mcse``, ``lavaan``, ``difference``
    (book − lavaan) and ``z``: the difference divided by √2 × book_mcse, the standard error of
    the difference between two independent runs with the same number of resamples, assuming
    lavaan's end has the same Monte Carlo error as the book's (lavaan reports none).
    """
    if isinstance(book, pd.DataFrame):
        if len(book) != 1:
            raise InputError(f"book must be one row of indirect_effects, got {len(book)} rows")
        book = book.iloc[0]
    needed = [column for end in _ENDS.values() for column in (end, f"{end}_mcse")]
    missing = [column for column in needed if column not in book.index]
    if missing:
        raise InputError(f"book lacks {', '.join(missing)}: pass a row of utils.sem.indirect_effects")
    lavaan = bootstrap()
    if effect not in lavaan.index:
        raise InputError(f"effect must be one of {', '.join(map(repr, lavaan.index))}, got {effect!r}")
    rows = {}
    for label, end in _ENDS.items():
        value, mcse, theirs = float(book[end]), float(book[f"{end}_mcse"]), float(lavaan.loc[effect, end])
        rows[label] = {"book": value, "book_mcse": mcse, "lavaan": theirs, "difference": value - theirs,
                       "z": (value - theirs) / (np.sqrt(2) * mcse) if mcse > 0 else np.nan}
    return pd.DataFrame(rows).T
