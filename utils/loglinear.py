"""Hierarchical log-linear models for multi-way tables of counts, fitted as Poisson GLMs.

The table is a tidy DataFrame: one row per cell of the full cross-classification, one column per
factor (any names) and one column of counts. A model is named by its *generating class*, the
highest-order terms it contains:

- a string ``"system*process + knowledge"`` (``*`` joins the factors of one term, ``+`` separates
  terms), or
- a sequence of terms, each a factor name or a tuple of names:
  ``[("system", "process"), "knowledge"]``.

Both say the model ``[system×process][knowledge]``; lower-order terms are implied (the model is
hierarchical). A factor named in no term is modelled as uniform over its levels.

**Zeros.** A cell whose margin for one of the generating terms is 0 has fitted value 0 under the
model (the fitted margins must equal the observed ones). Such *forced-zero* cells are dropped before
fitting and reported; they add 0 to G² and X², and the degrees of freedom are those of the retained
cells: retained cells minus the rank of the design on them, which is statsmodels' ``df_resid``
(statsmodels computes the rank with ``numpy.linalg.matrix_rank``, so the parameters the dropped
cells leave inestimable are not counted). ``nominal_df`` is the count without that adjustment
(all cells minus all parameters), which is what R's ``loglin`` and ``glm`` report. A zero pattern
can also make the maximum-likelihood estimate fail to exist although no margin is 0; :func:`fit`
then warns with a :class:`LoglinearWarning` that names the cells.

**Which df a test should use.** For a goodness-of-fit test (a model against the saturated one),
tables simulated from the fitted model keep its forced zeros, so the adjusted df describe the
null distribution. For two nested models that force *different* cells to zero, they do not: the
smaller model, which the test assumes true, gives positive probability to cells the larger model
forces to zero in this sample, so the difference of the adjusted df overstates the df of ΔG².
:func:`parametric_bootstrap` settles it by simulation; :func:`compare` reports both counts.

**Speed.** :func:`fit` is statsmodels' Poisson GLM, the method the book teaches. The bootstrap
refits thousands of simulated tables, so it fits them all at once by iterative proportional
fitting (IPF, the algorithm of R's ``loglin``; Deming & Stephan 1940), which reaches the same
maximum-likelihood fit; a table on which IPF has not converged within ``IPF_CYCLES`` cycles (an
estimate on the boundary, where IPF crawls) is refitted with statsmodels instead.

Public functions: :func:`fit`, :func:`hierarchy`, :func:`standard_models`, :func:`compare`,
:func:`drop_term`, :func:`drop_tests`, :func:`parametric_bootstrap`,
:func:`monte_carlo_independence`, :func:`expected_below_5`, :func:`residual_panels`,
:func:`collapse`, :func:`two_way`. ``ALPHA`` is the level at which verdicts are called.
"""

from __future__ import annotations

import itertools
import math
import numbers
import warnings
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf
from scipy import stats
from statsmodels.genmod.families import Poisson
from statsmodels.genmod.generalized_linear_model import GLM, GLMResults
from statsmodels.tools.sm_exceptions import PerfectSeparationWarning, SingularMatrixWarning

from utils import _checks, inference
from utils._counts import PROBLEMS, count_problems
from utils._text import show
from utils._checks import validated
from utils.errors import ConvergenceError, InputError, InputTypeError

Term = tuple[str, ...]
Terms = str | Sequence[str | Sequence[str]]

# Below this a fitted value of a retained cell counts as 0 (a maximum-likelihood estimate on the
# boundary); a leverage within this of 1 counts as 1 (the cell is fitted exactly).
_BOUNDARY = 1e-6
_LEVERAGE_ONE = 1e-8
BOOTSTRAP_DEFAULT_N_SIM = 1999
"""Default number of simulated tables: its Monte Carlo s.e. of p is at most 0.011, and 0.0049
at p = 0.05, so a p-value outside 0.035–0.065 gives a verdict at α = 0.05 that is not borderline."""
ALPHA = 0.05
"""Level of the verdicts (a convention, not a value from any source)."""
IPF_CYCLES = 100
"""IPF cycles after which a simulated table is refitted by statsmodels instead (see the docstring)."""
_IPF_TOLERANCE = 1e-9  # largest gap between a fitted and an observed margin, in counts
_BLOCK = 5000  # simulated tables fitted at once (bounds memory)
_CACHE_SIZE = 64
_BOOTSTRAPS: dict[tuple, "BootstrapResult"] = {}  # seeded bootstrap results, oldest first
NESTED_TEST = ("parametric bootstrap of ΔG², upper tail: every departure from the smaller model "
               "raises ΔG², so only large values count against it (one-sided in ΔG², no direction "
               "in the parameters)")
INDEPENDENCE_TEST = ("Monte Carlo conditional test of G², upper tail: every departure from "
                     "independence raises G² (one-sided in G², no direction in the association)")


class LoglinearWarning(UserWarning):
    """A fit whose result needs care: the maximum-likelihood estimate is on the boundary."""


# --------------------------------------------------------------------------- input checks


def _check_counts(values: pd.Series, where: str) -> np.ndarray:
    """Return ``values`` as int64 after checking they are present, finite, non-negative integers."""
    numbers, problems = count_problems(values)
    if problems["is not a number"].any():
        raise InputError(f"{where} holds non-numeric counts, e.g. {values[problems['is not a number']].iloc[0]!r}")
    if problems["is missing"].any():
        raise InputError(f"{where} has {int(problems['is missing'].sum())} missing count(s)")
    wording = {"is infinite": "infinite", "is negative": "negative", "is not a whole number": "non-integer"}
    for problem in ("is infinite", "is negative", "is not a whole number"):
        if problems[problem].any():
            example = "" if problem == "is infinite" else f", e.g. {numbers[problems[problem]].iloc[0]:g}"
            raise InputError(f"{where} holds {wording[problem]} counts{example}")
    too_large = problems[PROBLEMS[-1]]
    if too_large.any():
        raise InputError(f"{where} holds counts of 2**53 or more (e.g. {numbers[too_large].iloc[0]:g}), beyond "
                         "exact arithmetic and near int64's wrap")
    return numbers.to_numpy().astype(np.int64)


def _check_table(counts: pd.DataFrame, count: str) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """Check a tidy table of counts; return (a clean copy, its factor names in column order).

    The copy has the factor columns and ``count`` as int64, one row per cell of the full
    cross-classification. Raises TypeError or ValueError naming the problem.
    """
    if not isinstance(counts, pd.DataFrame):
        raise InputTypeError(f"counts must be a pandas DataFrame, not {type(counts).__name__}")
    if counts.empty:
        raise InputError("the table of counts is empty")
    if count not in counts.columns:
        raise InputError(f"the table has no count column {count!r}; its columns are {list(counts.columns)}")
    factors = tuple(str(c) for c in counts.columns if c != count)
    if not factors:
        raise InputError(f"the table has no factor columns besides the count column {count!r}")
    if len(set(factors)) != len(factors):
        raise InputError(f"the table has repeated column names: {list(counts.columns)}")
    table = counts.rename(columns=str).reset_index(drop=True)
    for factor in factors:
        if table[factor].isna().any():
            raise InputError(f"factor column {factor!r} has missing labels")
    table[count] = _check_counts(table[count], f"count column {count!r}")
    duplicated = table.duplicated(list(factors), keep=False)
    if duplicated.any():
        example = ", ".join(f"{f}={table.loc[duplicated, f].iloc[0]}" for f in factors)
        raise InputError(f"duplicate cells: {int(duplicated.sum())} rows share their factor labels, e.g. {example}")
    full = int(np.prod([table[f].nunique() for f in factors]))
    if len(table) != full:
        raise InputError(
            f"the table has {len(table)} of the {full} cells of the full cross-classification of "
            f"{', '.join(factors)}; add the missing cells with count 0 if they are sampling zeros"
        )
    if table[count].sum() == 0:
        raise InputError("every count is zero: there is nothing to fit")
    return table, factors


@validated
def parse_terms(terms: Terms, factors: Sequence[str]) -> tuple[Term, ...]:
    """Turn a generating class into its maximal terms, each a tuple of factor names.

    In: ``terms`` as a string ``"a*b + c"`` or a sequence of names / tuples of names; ``factors``,
    the table's factor names in column order. Out: the terms no other term contains, factors in
    table order, larger terms first. Raises ValueError for an empty class or an unknown factor.
    """
    if isinstance(terms, str):
        items: list[Sequence[str]] = [part.split("*") for part in terms.split("+")]
    elif not isinstance(terms, Iterable):
        raise InputTypeError(f"terms must be a string such as 'a*b + c' or a list of terms, got {show(terms)}")
    else:
        items = [[t] if isinstance(t, str) else list(t) for t in terms]
        items = [sum((str(name).split("*") for name in item), []) for item in items]
    order = {name: i for i, name in enumerate(factors)}
    parsed: set[Term] = set()
    for item in items:
        names = [str(name).strip() for name in item if str(name).strip()]
        if not names:
            continue
        for name in names:
            if name not in order:
                raise InputError(f"term {'*'.join(names)!r} names unknown factor {name!r}; the factors are {list(factors)}")
        parsed.add(tuple(sorted(set(names), key=order.__getitem__)))
    if not parsed:
        raise InputError("the model has no terms: give at least one factor")
    maximal = [t for t in parsed if not any(set(t) < set(u) for u in parsed)]
    return tuple(sorted(maximal, key=lambda t: (-len(t), [order[f] for f in t])))


@validated
def model_label(terms: Sequence[Term]) -> str:
    """The bracket label of a generating class, e.g. ``[system×process][knowledge]``."""
    return "".join("[" + "×".join(term) + "]" for term in terms)


@validated
def collapse(counts: pd.DataFrame, factors: Sequence[str], *, count: str = "count") -> pd.DataFrame:
    """Sum a tidy table of counts over every factor not in ``factors``.

    In: a tidy table (checked as in :func:`fit`) and the factors to keep. Out: a tidy table with
    columns ``factors`` + ``count``, one row per cell of their cross-classification.
    """
    table, known = _check_table(counts, count)
    factors = [str(f) for f in factors]
    for factor in factors:
        if factor not in known:
            raise InputError(f"unknown factor {factor!r}; the factors are {list(known)}")
    return table.groupby(factors, sort=False, observed=True)[count].sum().reset_index()


@validated
def two_way(counts: pd.DataFrame, rows: str, columns: str, *, count: str = "count") -> pd.DataFrame:
    """The two-way table rows × columns of a tidy table of counts, summed over the other factors.

    Out: a DataFrame of int counts, index = levels of ``rows``, columns = levels of ``columns``,
    levels in order of first appearance.
    """
    table = collapse(counts, [rows, columns], count=count)
    wide = table.pivot(index=rows, columns=columns, values=count)
    return wide.loc[table[rows].unique(), table[columns].unique()].astype(np.int64)


# --------------------------------------------------------------------------- fitting


def _codes(table: pd.DataFrame, factors: Sequence[str]) -> pd.DataFrame:
    """Integer level codes of each factor, in internal columns f0, f1, ... (safe in formulas)."""
    return pd.DataFrame({f"f{i}": pd.factorize(table[f])[0] for i, f in enumerate(factors)})


def _formula(terms: Sequence[Term], factors: Sequence[str]) -> str:
    position = {f: i for i, f in enumerate(factors)}
    return "y ~ " + " + ".join("*".join(f"C(f{position[f]})" for f in term) for term in terms)


def _forced_zero(codes: pd.DataFrame, y: np.ndarray, terms: Sequence[Term], factors: Sequence[str]) -> np.ndarray:
    """Cells whose observed margin for some generating term is 0 (so their fitted value is 0)."""
    position = {f: i for i, f in enumerate(factors)}
    forced = np.zeros(len(y), dtype=bool)
    frame = codes.assign(y=y)
    for term in terms:
        margin = frame.groupby([f"f{position[f]}" for f in term])["y"].transform("sum")
        forced |= margin.to_numpy() == 0
    return forced


def _glm(formula: str, frame: pd.DataFrame) -> GLMResults:
    """Fit a Poisson GLM; raise RuntimeError if IRLS does not converge."""
    # A saturated model leaves statsmodels' inner WLS 0 residual df (a harmless 0/0 in its scale).
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        # Dropping forced-zero cells leaves all-zero design columns: a rank-deficient design is
        # expected here and its rank is what df uses. Boundary estimates are checked by the caller.
        warnings.simplefilter("ignore", SingularMatrixWarning)
        warnings.simplefilter("ignore", PerfectSeparationWarning)
        result = smf.glm(formula, frame, family=Poisson()).fit(maxiter=100)
    if not result.converged:
        raise ConvergenceError(
            f"the Poisson GLM {formula!r} did not converge in {result.fit_history['iteration']} "
            "iterations; its fitted values would be unreliable"
        )
    return result


def _nominal_df(terms: Sequence[Term], levels: dict[str, int]) -> int:
    """Cells minus parameters, ignoring zeros: each term of the hierarchical closure of ``terms``
    (every subset of a generating term, the empty one being the intercept) has the product of
    its factors' (levels − 1) parameters."""
    closure = {tuple(sub) for term in terms for k in range(len(term) + 1) for sub in itertools.combinations(term, k)}
    parameters = sum(math.prod(levels[f] - 1 for f in term) for term in closure)
    return math.prod(levels.values()) - parameters


@dataclass(frozen=True)
class LoglinearFit:
    """A fitted hierarchical log-linear model (made by :func:`fit`).

    ``df`` is adjusted for forced-zero cells; ``nominal_df`` is not (cells minus parameters, as R
    reports it). ``fitted`` has one row per cell: the factor columns, ``observed``, ``fitted``,
    ``pearson_residual``, ``std_residual`` (Pearson residual / sqrt(1 − leverage), the adjusted
    residual) and ``forced_zero``. Forced-zero cells have fitted 0 and residuals 0.0; so do cells
    with leverage 1, which the model fits exactly. ``aic`` is statsmodels' −2 log L + 2 × rank of
    the design on the retained cells (a forced-zero cell adds 0 to log L). ``pvalue`` is the
    asymptotic chi-square p of G² on ``df`` (1.0 when df = 0). ``glm`` is the statsmodels result
    on the retained cells.
    """

    terms: tuple[Term, ...]
    factors: tuple[str, ...]
    deviance: float
    pearson_chi2: float
    df: int
    nominal_df: int
    pvalue: float
    aic: float
    n: int
    fitted: pd.DataFrame = field(repr=False, compare=False)
    glm: GLMResults = field(repr=False, compare=False)

    @property
    def label(self) -> str:
        """The model's bracket label, e.g. ``[system×process][knowledge]``."""
        return model_label(self.terms)

    @property
    def forced_zero_cells(self) -> pd.DataFrame:
        """The cells dropped because a margin of the model is 0 (factor columns only)."""
        return self.fitted.loc[self.fitted["forced_zero"], list(self.factors)].reset_index(drop=True)

    def summary(self) -> str:
        """A readable report: fit statistics, the dropped cells, the largest residuals."""
        forced = self.forced_zero_cells
        lines = [
            f"Log-linear model {self.label}  (Poisson GLM, statsmodels)",
            f"cells: {len(self.fitted)}, n = {self.n}, forced to zero by a zero margin and dropped: {len(forced)}",
            f"G² = {self.deviance:.4f}   X² = {self.pearson_chi2:.4f}   df = {self.df} "
            f"(nominal {self.nominal_df})   p = {self.pvalue:.4g}   AIC = {self.aic:.3f}",
            f"retained cells with fitted value < 5: {expected_below_5(self):.0%}",
        ]
        if len(forced):
            lines.append("forced-zero cells: " + "; ".join(", ".join(map(str, row)) for row in forced.itertuples(index=False)))
        top = self.fitted.reindex(self.fitted["std_residual"].abs().sort_values(ascending=False).index).head(5)
        lines.append("largest standardized residuals:")
        lines.append(top[[*self.factors, "observed", "fitted", "std_residual"]].round(3).to_string(index=False))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


@validated
def fit(counts: pd.DataFrame, terms: Terms, *, count: str = "count") -> LoglinearFit:
    """Fit the hierarchical log-linear model with generating class ``terms`` as a Poisson GLM.

    In: a tidy table of counts (every column but ``count`` is a factor; one row per cell of the
    full cross-classification) and the generating class (see the module docstring). Out: a
    :class:`LoglinearFit`. Cells forced to zero by a zero margin are dropped and reported; df is
    that of the retained cells. Raises ValueError for bad input, RuntimeError if the GLM does not
    converge; warns (LoglinearWarning) naming the cells if the estimate lies on the boundary.
    """
    table, factors = _check_table(counts, count)
    parsed = parse_terms(terms, factors)
    y = table[count].to_numpy()
    codes = _codes(table, factors)
    forced = _forced_zero(codes, y, parsed, factors)
    keep = ~forced
    result = _glm(_formula(parsed, factors), codes.assign(y=y)[keep])

    fitted = np.zeros(len(y))
    fitted[keep] = result.fittedvalues.to_numpy()
    leverage = np.zeros(len(y))
    leverage[keep] = result.get_influence().hat_matrix_diag
    exact = leverage > 1 - _LEVERAGE_ONE
    pearson = np.zeros(len(y))
    pearson[keep] = result.resid_pearson.to_numpy()
    pearson[exact] = 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        adjusted = np.where(keep & ~exact, pearson / np.sqrt(np.where(exact, 1.0, 1 - leverage)), 0.0)

    boundary = keep & (fitted < _BOUNDARY)
    if boundary.any():
        cells = "; ".join(", ".join(map(str, row)) for row in table.loc[boundary, list(factors)].itertuples(index=False))
        warnings.warn(
            f"{model_label(parsed)}: the maximum-likelihood estimate does not exist; the fitted values "
            f"of these cells go to 0 although none of the model's margins is 0: {cells}. G² and X² are "
            "those of the limiting fit, but df may be too large by up to the number of these cells.",
            LoglinearWarning,
            stacklevel=2,
        )

    frame = table[list(factors)].copy()
    frame["observed"] = y
    frame["fitted"] = fitted
    frame["pearson_residual"] = pearson
    frame["std_residual"] = adjusted
    frame["forced_zero"] = forced
    df = int(round(result.df_resid))
    deviance = max(float(result.deviance), 0.0)  # IRLS can leave -1e-12 for a saturated model
    return LoglinearFit(
        terms=parsed,
        factors=factors,
        deviance=deviance,
        pearson_chi2=float(result.pearson_chi2),
        df=df,
        nominal_df=_nominal_df(parsed, {f: table[f].nunique() for f in factors}),
        # A model with df = 0 reproduces the data: there is nothing left to test.
        pvalue=float(stats.chi2.sf(deviance, df)) if df > 0 else 1.0,
        aic=float(result.aic),
        n=int(y.sum()),
        fitted=frame,
        glm=result,
    )


@validated
def standard_models(factors: Sequence[str]) -> dict[str, tuple[Term, ...]]:
    """The standard hierarchy for two or three factors, as ``{label: generating class}``.

    Three factors A, B, C: [A][B][C]; [AB][C], [AC][B], [BC][A]; [AB][AC], [AB][BC], [AC][BC];
    [AB][AC][BC]; [ABC]. Two factors: [A][B]; [AB].
    """
    factors = tuple(str(f) for f in factors)
    if len(set(factors)) != len(factors) or len(factors) not in (2, 3):
        raise InputError(f"the standard hierarchy needs two or three distinct factors, not {list(factors)}")
    singles = [(f,) for f in factors]
    pairs = list(itertools.combinations(factors, 2))
    classes: list[list[Term]] = [singles]
    if len(factors) == 3:
        classes += [[pair, *(s for s in singles if s[0] not in pair)] for pair in pairs]
        classes += [list(two) for two in itertools.combinations(pairs, 2)]
        classes += [pairs]
    classes += [[factors]]
    models = {}
    for generating in classes:
        parsed = parse_terms(generating, factors)
        models[model_label(parsed)] = parsed
    return models


@validated
def hierarchy(counts: pd.DataFrame, factors: Sequence[str], *, count: str = "count",
              n_sim: int | None = None, seed: int | np.random.Generator | None = None,
              alpha: float = ALPHA) -> pd.DataFrame:
    """Fit the standard hierarchy of :func:`standard_models` to ``counts`` summed over ``factors``.

    Out: one row per model with columns model (label), G2, X2, df (adjusted for forced zeros),
    nominal_df, p (asymptotic, on df), AIC, forced_zero (the number of cells dropped because a
    margin is 0), below_5 (share of retained cells with fitted < 5). With ``n_sim``, each model
    is also tested against the saturated one by :func:`parametric_bootstrap` (with ``seed``),
    adding bootstrap_p, mc_se, null_mean (the mean of G²
    over the simulated tables) and verdict ("rejected", "not rejected" or "borderline" at
    ``alpha``; "fits exactly" for the saturated model).
    """
    models = standard_models(factors)
    table = collapse(counts, list(factors), count=count)
    fits = {label: fit(table, terms, count=count) for label, terms in models.items()}
    saturated = fits[list(models)[-1]]
    rows = []
    for label, result in fits.items():
        row = {"model": label, "G2": result.deviance, "X2": result.pearson_chi2, "df": result.df,
               "nominal_df": result.nominal_df, "p": result.pvalue}
        if n_sim is not None:
            if result is saturated:
                row.update(bootstrap_p=1.0, mc_se=0.0, null_mean=0.0, verdict="fits exactly")
            else:
                test = parametric_bootstrap(result, saturated, n_sim=n_sim, seed=seed, alpha=alpha)
                row.update(bootstrap_p=test.bootstrap_p, mc_se=test.mc_se, null_mean=test.null_mean,
                           verdict=_FIT_WORDS[test.verdict.label])
        row.update(AIC=result.aic, forced_zero=int(result.fitted["forced_zero"].sum()),
                   below_5=expected_below_5(result))
        rows.append(row)
    return pd.DataFrame(rows)


@validated
def expected_below_5(result: LoglinearFit) -> float:
    """Share of the retained (not forced-zero) cells whose fitted value is below 5.

    The usual rule of thumb trusts the asymptotic chi-square only if this share is small
    (Cochran: at most 20 %, and no fitted value below 1).
    """
    retained = result.fitted.loc[~result.fitted["forced_zero"], "fitted"]
    return float((retained < 5).mean())


# --------------------------------------------------------------------------- comparing models


def _check_nested(smaller: LoglinearFit, larger: LoglinearFit) -> None:
    if not isinstance(smaller, LoglinearFit) or not isinstance(larger, LoglinearFit):
        raise InputTypeError("compare needs two LoglinearFit results from fit()")
    same = (
        smaller.factors == larger.factors
        and smaller.fitted[list(smaller.factors)].equals(larger.fitted[list(larger.factors)])
        and np.array_equal(smaller.fitted["observed"], larger.fitted["observed"])
    )
    if not same:
        raise InputError("the two models were fitted to different tables")
    for term in smaller.terms:
        if not any(set(term) <= set(other) for other in larger.terms):
            raise InputError(
                f"the models are not nested: term [{'×'.join(term)}] of {smaller.label} is in no term of "
                f"{larger.label} (give the smaller model first)"
            )
    if set(smaller.terms) == set(larger.terms):
        raise InputError(f"both models are {smaller.label}: there is nothing to compare")


@validated
def compare(smaller: LoglinearFit, larger: LoglinearFit) -> dict[str, object]:
    """Likelihood-ratio (deviance) test of ``smaller`` against the ``larger`` model containing it.

    Out: ``{"smaller", "larger", "delta_g2", "delta_df", "nominal_delta_df", "pvalue",
    "pvalue_nominal"}`` with ΔG² = G²(smaller) − G²(larger), Δdf = df(smaller) − df(larger)
    (both adjusted for forced zeros), the nominal Δdf (the number of parameters the larger model
    adds) and the asymptotic chi-square p on each. When the two models force different cells to
    zero the two Δdf differ and neither p is reliable: use :func:`parametric_bootstrap`. Raises
    ValueError if the models are not nested, are fitted to different tables, or if the larger
    model has no extra degree of freedom after the zero adjustment.
    """
    _check_nested(smaller, larger)
    delta_df = smaller.df - larger.df
    if delta_df < 1:
        raise InputError(
            f"{smaller.label} has {smaller.df} df and {larger.label} {larger.df}: after the zero "
            "adjustment the larger model has no extra parameter to test"
        )
    nominal = smaller.nominal_df - larger.nominal_df
    delta_g2 = max(smaller.deviance - larger.deviance, 0.0)
    return {
        "smaller": smaller.label,
        "larger": larger.label,
        "delta_g2": delta_g2,
        "delta_df": int(delta_df),
        "nominal_delta_df": int(nominal),
        "pvalue": float(stats.chi2.sf(delta_g2, delta_df)),
        "pvalue_nominal": float(stats.chi2.sf(delta_g2, nominal)),
    }


# Verdict words: a nested test asks whether the larger model's extra terms are needed; a
# goodness-of-fit test whether the model is rejected against the saturated one.
_TERM_WORDS = {"supported": "needed", "not supported": "not shown", "borderline": "borderline"}
_FIT_WORDS = {"supported": "rejected", "not supported": "not rejected", "borderline": "borderline"}


@dataclass(frozen=True)
class BootstrapResult:
    """Parametric-bootstrap test of nested log-linear models (made by :func:`parametric_bootstrap`).

    ``delta_df``/``nominal_delta_df`` and ``asymptotic_p``/``asymptotic_p_nominal`` are those of
    :func:`compare`; ``bootstrap_p`` = (1 + #{simulated ΔG² ≥ observed}) / (1 + n_sim), with Monte
    Carlo standard error ``mc_se``; ``statistics`` holds the simulated ΔG²; ``null_mean``, their
    mean, is the df that the chi-square approximation should have used. ``verdict`` is
    :func:`utils.inference.p_verdict` at ``alpha``: "supported" means the larger model's extra
    terms are needed, "borderline" that ±3 Monte Carlo s.e. could flip the call.
    """

    smaller: str
    larger: str
    delta_g2: float
    delta_df: int
    nominal_delta_df: int
    asymptotic_p: float
    asymptotic_p_nominal: float
    bootstrap_p: float
    mc_se: float
    n_sim: int
    alpha: float
    statistics: np.ndarray = field(repr=False, compare=False)

    @property
    def null_mean(self) -> float:
        """Mean of the simulated ΔG² (a chi-square variable's mean is its df)."""
        return float(self.statistics.mean())

    @property
    def verdict(self) -> inference.Verdict:
        """Whether the larger model's extra terms are needed at ``alpha``, with its Monte Carlo error."""
        return inference.p_verdict(self.bootstrap_p, alpha=self.alpha, n_resamples=self.n_sim,
                                   test=NESTED_TEST)

    def summary(self) -> str:
        """A readable report of the test."""
        verdict = self.verdict
        return (
            f"Parametric bootstrap: {self.smaller} against {self.larger}\n"
            f"ΔG² = {self.delta_g2:.4f}; Δdf = {self.delta_df} adjusted for forced zeros "
            f"(asymptotic p = {self.asymptotic_p:.4g}), {self.nominal_delta_df} nominal "
            f"(asymptotic p = {self.asymptotic_p_nominal:.4g})\n"
            f"bootstrap p = {self.bootstrap_p:.4g} (Monte Carlo s.e. {self.mc_se:.2g}, {self.n_sim} "
            f"simulated tables); mean of the simulated ΔG² = {self.null_mean:.2f}\n"
            f"test: {NESTED_TEST}\n"
            f"verdict at α = {self.alpha:g}: the extra terms are {_TERM_WORDS[verdict.label]} "
            f"(p is {verdict.distance:.1f} Monte Carlo s.e. from α; borderline below {inference.MARGIN:g})"
        )

    def __str__(self) -> str:
        return self.summary()


def _ipf(tables: np.ndarray, axes: Sequence[tuple[int, ...]]) -> tuple[np.ndarray, np.ndarray]:
    """Fitted values of one hierarchical log-linear model for a stack of tables, by IPF.

    In: ``tables`` of shape (B, d1, …, dk) and, per generating term, the table axes (0 … k−1) it
    spans. Each cycle rescales the fitted values to every generating margin in turn; a table
    stops after a cycle in which no fitted margin was further than ``_IPF_TOLERANCE`` from the
    observed one before its rescaling. Out:
    the fitted values and whether each table converged within ``IPF_CYCLES`` cycles (those that
    did not hold their last iterate).
    """
    sums = [tuple(1 + a for a in range(tables.ndim - 1) if a not in term) for term in axes]
    fitted = np.ones_like(tables, dtype=float)
    converged = np.zeros(len(tables), dtype=bool)
    active = np.arange(len(tables))
    targets = [tables.sum(axis=axis, keepdims=True) for axis in sums]
    current = fitted
    for _ in range(IPF_CYCLES):
        # The gap is measured on each margin just before it is rescaled (as R's loglin does):
        # a cycle in which no margin needed to move by more than the tolerance ends the table.
        gap = np.zeros(len(current))
        for axis, target in zip(sums, targets):
            margin = current.sum(axis=axis, keepdims=True)
            gap = np.maximum(gap, np.abs(margin - target).reshape(len(current), -1).max(axis=1))
            current = current * np.divide(target, margin, out=np.zeros_like(margin), where=margin > 0)
        done = gap <= _IPF_TOLERANCE
        fitted[active[done]] = current[done]
        converged[active[done]] = True
        active, current, targets = active[~done], current[~done], [t[~done] for t in targets]
        if not len(active):
            break
    fitted[active] = current
    return fitted, converged


def _deviances(model: LoglinearFit, tables: np.ndarray) -> np.ndarray:
    """G² of ``model`` refitted to each row of ``tables`` (B × cells, cells in the order of
    ``model.fitted``): IPF for all, statsmodels for the tables IPF did not converge on."""
    codes = _codes(model.fitted, model.factors)
    index = tuple(codes[column].to_numpy() for column in codes.columns)
    stack = np.zeros((len(tables), *(int(i.max()) + 1 for i in index)))
    stack[(slice(None), *index)] = tables
    axes = [tuple(model.factors.index(f) for f in term) for term in model.terms]
    fitted, converged = _ipf(stack, axes)
    with np.errstate(divide="ignore", invalid="ignore"):
        g2 = 2 * np.where(stack > 0, stack * np.log(stack / fitted), 0.0).reshape(len(tables), -1).sum(axis=1)
    if not converged.all():
        design, margins = _fast_parts(model)
        for i in np.flatnonzero(~converged):
            g2[i] = _deviance_fast(design, margins, tables[i])
    return np.maximum(g2, 0.0)


def _deviance_fast(design: np.ndarray, margins: list[np.ndarray], y: np.ndarray) -> float:
    """G² of a model on table ``y`` by statsmodels, reusing a design matrix built once.

    ``margins`` holds, per generating term, each cell's margin-group id; cells in an all-zero
    margin group are dropped as in :func:`fit`.
    """
    keep = np.ones(len(y), dtype=bool)
    for group in margins:
        keep &= np.bincount(group, weights=y)[group] > 0
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore", SingularMatrixWarning)
        warnings.simplefilter("ignore", PerfectSeparationWarning)
        result = GLM(y[keep], design[keep], family=Poisson()).fit(maxiter=100)
    if not result.converged:
        raise ConvergenceError("a bootstrap refit did not converge")
    return max(float(result.deviance), 0.0)


def _fast_parts(model: LoglinearFit) -> tuple[np.ndarray, list[np.ndarray]]:
    """The full-table design matrix of a fitted model and its margin-group ids."""
    codes = _codes(model.fitted, model.factors)
    formula = _formula(model.terms, model.factors)
    design = np.asarray(smf.glm(formula, codes.assign(y=model.fitted["observed"].to_numpy()), family=Poisson()).exog)
    position = {f: i for i, f in enumerate(model.factors)}
    margins = [codes.groupby([f"f{position[f]}" for f in term]).ngroup().to_numpy() for term in model.terms]
    return design, margins


def _generator(seed: int | np.random.Generator | None, smaller: LoglinearFit,
               larger: LoglinearFit) -> np.random.Generator:
    """The random generator of one nested test: an integer seed is combined with the models'
    labels (by CRC-32, which unlike ``hash`` does not change with PYTHONHASHSEED)."""
    if seed is None or isinstance(seed, np.random.Generator):
        return np.random.default_rng(seed)
    key = [zlib.crc32(model.label.encode("utf-8")) for model in (smaller, larger)]
    return np.random.default_rng([_checks.whole("seed", seed, 0), *key])


@validated
def parametric_bootstrap(
    smaller: LoglinearFit,
    larger: LoglinearFit,
    n_sim: int = BOOTSTRAP_DEFAULT_N_SIM,
    seed: int | np.random.Generator | None = None,
    *,
    alpha: float = ALPHA,
) -> BootstrapResult:
    """p-value of ΔG² between nested models by simulation from the smaller model.

    Each replicate draws a multinomial table with the observed total and cell probabilities
    fitted(smaller) / n, refits both models to it (forced zeros handled as in :func:`fit`; a
    simulated table whose estimate lies on the boundary gets the limiting fit) and records ΔG².
    p = (1 + #{ΔG²_sim ≥ ΔG²_obs}) / (1 + n_sim): an upper-tail test, since every departure from
    the smaller model raises ΔG². Out: a :class:`BootstrapResult` with its verdict at ``alpha``.

    An integer ``seed`` is combined with the two models' labels, so that one test gets the same
    simulated tables whether it is run alone, in :func:`hierarchy` or in :func:`drop_tests`; a
    Generator is used as it is. With an integer seed the result is also kept (the last
    ``_CACHE_SIZE`` tests), so a chapter that shows one test twice computes it once. About 0.1–0.3 s per 1,000 tables on a 3×4×3 table (one core).
    """
    observed = compare(smaller, larger)
    n_sim = _checks.whole("n_sim", n_sim, 1)
    alpha = _checks.number("alpha", alpha)
    if not 0 < alpha < 1:
        raise InputError(f"alpha must lie strictly between 0 and 1, got {alpha:g}")
    key = None
    if isinstance(seed, numbers.Integral):
        cells = smaller.fitted[list(smaller.factors)].astype(str).itertuples(index=False, name=None)
        key = (smaller.label, larger.label, tuple(cells), tuple(smaller.fitted["observed"]), n_sim, int(seed), alpha)
        if key in _BOOTSTRAPS:
            return _BOOTSTRAPS[key]
    rng = _generator(seed, smaller, larger)
    probabilities = smaller.fitted["fitted"].to_numpy() / smaller.n
    probabilities = probabilities / probabilities.sum()
    simulated = np.empty(n_sim)
    for start in range(0, n_sim, _BLOCK):
        size = min(_BLOCK, n_sim - start)
        tables = rng.multinomial(smaller.n, probabilities, size=size).astype(float)
        simulated[start:start + size] = _deviances(smaller, tables) - _deviances(larger, tables)
    # Ties up to rounding count as "at least as extreme".
    exceed = int((simulated >= observed["delta_g2"] - 1e-8 * max(1.0, observed["delta_g2"])).sum())
    p = (1 + exceed) / (1 + n_sim)
    simulated.setflags(write=False)  # results are shared through the cache below
    result = BootstrapResult(
        smaller=smaller.label,
        larger=larger.label,
        delta_g2=float(observed["delta_g2"]),
        delta_df=int(observed["delta_df"]),
        nominal_delta_df=int(observed["nominal_delta_df"]),
        asymptotic_p=float(observed["pvalue"]),
        asymptotic_p_nominal=float(observed["pvalue_nominal"]),
        bootstrap_p=p,
        mc_se=inference.p_mcse(p, n_sim),
        n_sim=n_sim,
        alpha=alpha,
        statistics=simulated,
    )
    if key is not None:
        _BOOTSTRAPS[key] = result
        while len(_BOOTSTRAPS) > _CACHE_SIZE:
            _BOOTSTRAPS.pop(next(iter(_BOOTSTRAPS)))
    return result


@validated
def drop_term(terms: Sequence[Term], term: Sequence[str], factors: Sequence[str] | None = None) -> tuple[Term, ...]:
    """The generating class without ``term`` but with its lower-order parts (hierarchical
    backward elimination): from ``[A×B][A×C][B×C]`` dropping A×B leaves ``[A×C][B×C]``.

    ``factors`` gives the order of factors within terms (default: order of first appearance).
    """
    terms = tuple(tuple(t) for t in terms)
    term = tuple(term)
    if term not in terms:
        raise InputError(f"[{'×'.join(term)}] is not a generating term of {model_label(terms)}; "
                         f"drop one of {', '.join('[' + '×'.join(t) + ']' for t in terms)}")
    factors = list(factors) if factors is not None else list(dict.fromkeys(f for t in terms for f in t))
    rest = [t for t in terms if t != term] + [sub for sub in itertools.combinations(term, len(term) - 1) if sub]
    if not rest:
        raise InputError(f"dropping [{'×'.join(term)}] would leave no term in the model")
    return parse_terms(rest, factors)


@validated
def drop_tests(larger: LoglinearFit, *, n_sim: int = BOOTSTRAP_DEFAULT_N_SIM,
               seed: int | np.random.Generator | None = None, alpha: float = ALPHA) -> pd.DataFrame:
    """Test each generating term of ``larger`` by dropping it (:func:`drop_term`) and comparing.

    Out: one row per term with ``term`` (the term dropped, e.g. ``system×process``), ``smaller``
    (the model without it), ``delta_g2``, ``delta_df``, ``nominal_delta_df``, ``pvalue`` and
    ``pvalue_nominal`` (asymptotic, as in :func:`compare`), ``bootstrap_p``, ``mc_se``,
    ``null_mean`` and ``verdict`` ("needed", "not shown" or "borderline" at ``alpha``). Each
    test is :func:`parametric_bootstrap` with ``seed``.
    """
    if not isinstance(larger, LoglinearFit):
        raise InputTypeError(f"larger must be a LoglinearFit from fit(), not {type(larger).__name__}")
    column = "__count__"
    table = larger.fitted[list(larger.factors)].assign(**{column: larger.fitted["observed"].to_numpy()})
    rows = []
    for term in larger.terms:
        smaller = fit(table, drop_term(larger.terms, term, larger.factors), count=column)
        test = parametric_bootstrap(smaller, larger, n_sim=n_sim, seed=seed, alpha=alpha)
        rows.append({
            "term": "×".join(term), "smaller": smaller.label, "delta_g2": test.delta_g2,
            "delta_df": test.delta_df, "nominal_delta_df": test.nominal_delta_df,
            "pvalue": test.asymptotic_p, "pvalue_nominal": test.asymptotic_p_nominal,
            "bootstrap_p": test.bootstrap_p, "mc_se": test.mc_se, "null_mean": test.null_mean,
            "verdict": _TERM_WORDS[test.verdict.label],
        })
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- exact conditional test


@dataclass(frozen=True)
class MonteCarloResult:
    """Monte Carlo conditional test of independence (made by :func:`monte_carlo_independence`).

    ``g2``/``x2`` are the observed statistics, ``df`` = (rows − 1)(columns − 1) of the retained
    table, ``asymptotic_p_*`` the chi-square p, ``mc_p_*`` the Monte Carlo p and ``mc_se_*`` its
    Monte Carlo standard error. ``dropped_rows``/``dropped_columns`` list labels whose margin is 0.
    ``verdict`` calls the G² test at ``alpha`` ("supported": the factors are associated).
    """

    g2: float
    x2: float
    df: int
    asymptotic_p_g2: float
    asymptotic_p_x2: float
    mc_p_g2: float
    mc_p_x2: float
    mc_se_g2: float
    mc_se_x2: float
    n_sim: int
    alpha: float = ALPHA
    dropped_rows: list = field(default_factory=list)
    dropped_columns: list = field(default_factory=list)
    table: pd.DataFrame = field(default=None, repr=False, compare=False)

    @property
    def verdict(self) -> inference.Verdict:
        """Whether the G² test finds an association at ``alpha``, with its Monte Carlo error."""
        return inference.p_verdict(self.mc_p_g2, alpha=self.alpha, n_resamples=self.n_sim,
                                   test=INDEPENDENCE_TEST)

    def summary(self) -> str:
        """A readable report of the test."""
        lines = [
            f"Independence in a {self.table.shape[0]}×{self.table.shape[1]} table, n = {int(self.table.to_numpy().sum())}, "
            f"df = {self.df}; Monte Carlo over {self.n_sim} tables with the observed margins",
            f"G² = {self.g2:.4f}: asymptotic p = {self.asymptotic_p_g2:.4g}, Monte Carlo p = {self.mc_p_g2:.4g} (s.e. {self.mc_se_g2:.2g})",
            f"X² = {self.x2:.4f}: asymptotic p = {self.asymptotic_p_x2:.4g}, Monte Carlo p = {self.mc_p_x2:.4g} (s.e. {self.mc_se_x2:.2g})",
        ]
        if min(self.mc_p_g2, self.mc_p_x2) == 1 / (1 + self.n_sim):
            lines.append("(1/(1 + n_sim) is the smallest p this many tables can give: no simulated table was as extreme)")
        verdict = self.verdict
        words = {"supported": "associated", "not supported": "no association shown", "borderline": "borderline"}
        lines.append(f"test: {INDEPENDENCE_TEST}")
        lines.append(f"verdict at α = {self.alpha:g}: {words[verdict.label]} (the G² p is {verdict.distance:.1f} "
                     f"Monte Carlo s.e. from α; borderline below {inference.MARGIN:g})")
        if self.dropped_rows or self.dropped_columns:
            lines.append(f"dropped (margin 0): rows {self.dropped_rows}, columns {self.dropped_columns}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


def _g2_x2(tables: np.ndarray, expected: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """G² and X² of each table in a stack (…, r, c) against one expected table (0·log 0 = 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        g2 = 2 * np.where(tables > 0, tables * np.log(tables / expected), 0.0).sum(axis=(-2, -1))
    x2 = ((tables - expected) ** 2 / expected).sum(axis=(-2, -1))
    return g2, x2


@validated
def monte_carlo_independence(
    table_2d: pd.DataFrame | np.ndarray,
    n_sim: int = 9999,
    seed: int | np.random.Generator | None = None,
    *,
    alpha: float = ALPHA,
) -> MonteCarloResult:
    """Exact conditional test of independence in a two-way table, by Monte Carlo.

    In: a two-way table of counts (DataFrame, labels from index/columns, or a 2-D array). Rows and
    columns whose total is 0 are dropped (and listed in the result). Tables with the observed
    margins are drawn with ``scipy.stats.random_table``; p = (1 + #{sim ≥ obs}) / (1 + n_sim) for
    G² and for X². Out: a :class:`MonteCarloResult`.
    """
    if not isinstance(table_2d, pd.DataFrame):
        try:
            shape = np.asarray(table_2d).shape
        except (TypeError, ValueError):
            shape = ()
        if len(shape) != 2:
            raise InputTypeError("table_2d must be a two-way table (a DataFrame or a 2-d array of counts), "
                                 f"got {type(table_2d).__name__}")
    frame = table_2d if isinstance(table_2d, pd.DataFrame) else pd.DataFrame(np.asarray(table_2d))
    if frame.ndim != 2 or frame.size == 0:
        raise InputError("the table must be a non-empty two-way table")
    values = _check_counts(pd.Series(frame.to_numpy().ravel()), "the table").reshape(frame.shape)
    n_sim = _checks.whole("n_sim", n_sim, 1)
    rows, columns = values.sum(axis=1), values.sum(axis=0)
    dropped_rows = list(frame.index[rows == 0])
    dropped_columns = list(frame.columns[columns == 0])
    kept = frame.loc[rows > 0, columns > 0]
    values = values[np.ix_(rows > 0, columns > 0)]
    if min(values.shape) < 2:
        raise InputError(
            f"after dropping empty rows {dropped_rows} and columns {dropped_columns} the table is "
            f"{values.shape[0]}×{values.shape[1]}: independence needs at least 2×2"
        )
    row_totals, column_totals = values.sum(axis=1), values.sum(axis=0)
    expected = np.outer(row_totals, column_totals) / values.sum()
    g2, x2 = _g2_x2(values.astype(float), expected)
    df = (values.shape[0] - 1) * (values.shape[1] - 1)

    rng = np.random.default_rng(seed)
    distribution = stats.random_table(row_totals, column_totals, seed=rng)
    exceed_g2 = exceed_x2 = 0
    for start in range(0, n_sim, 2000):  # in blocks, so a large table never fills memory
        sim_g2, sim_x2 = _g2_x2(distribution.rvs(size=min(2000, n_sim - start)).astype(float), expected)
        exceed_g2 += int((sim_g2 >= g2 - 1e-8 * max(1.0, g2)).sum())
        exceed_x2 += int((sim_x2 >= x2 - 1e-8 * max(1.0, x2)).sum())
    p_g2, p_x2 = (1 + exceed_g2) / (1 + n_sim), (1 + exceed_x2) / (1 + n_sim)
    return MonteCarloResult(
        g2=float(g2), x2=float(x2), df=df,
        asymptotic_p_g2=float(stats.chi2.sf(g2, df)), asymptotic_p_x2=float(stats.chi2.sf(x2, df)),
        mc_p_g2=p_g2, mc_p_x2=p_x2,
        mc_se_g2=inference.p_mcse(p_g2, n_sim), mc_se_x2=inference.p_mcse(p_x2, n_sim),
        n_sim=n_sim, alpha=alpha, dropped_rows=dropped_rows, dropped_columns=dropped_columns, table=kept.copy(),
    )


@validated
def residual_panels(result: LoglinearFit, by: str, rows: str, columns: str) -> dict[str, pd.DataFrame]:
    """The standardized residuals of ``result`` as one ``rows`` × ``columns`` table per level of
    ``by`` (forced-zero cells hold 0.0, as in ``result.fitted``)."""
    missing = [f for f in (by, rows, columns) if f not in result.factors]
    if missing:
        raise InputError(f"unknown factor(s) {', '.join(missing)}; the model's factors are "
                         f"{', '.join(result.factors)}")
    frame = result.fitted
    panels = {}
    for level, part in frame.groupby(by, observed=True, sort=False):
        wide = part.pivot(index=rows, columns=columns, values="std_residual")
        order_r = list(dict.fromkeys(part[rows]))
        order_c = list(dict.fromkeys(part[columns]))
        panels[str(level)] = wide.loc[order_r, order_c].rename_axis(index=rows, columns=columns)
    return panels
