"""Expectation-confirmation theory: simulated customers and users, and the equations that explain them.

Two models (chapter 3):

- Oliver's (1980) expectation-disconfirmation model of satisfaction. A customer compares the
  performance they perceive with what they expected; the result, (dis)confirmation, and the
  expectation itself drive satisfaction. The book simulates it as

      confirmation = performance − expectation
      satisfaction = Intercept + b_expectation · expectation + b_confirmation · confirmation + noise

  with expectations and performance on a 0–10 rating scale (continuous, not clipped).
- Bhattacherjee's (2001) post-acceptance model of IS continuance: confirmation → perceived
  usefulness and satisfaction; usefulness → satisfaction and continuance intention; satisfaction
  → continuance intention. The book simulates it with standardized variables, so each path is a
  standardized coefficient.

What goes in: plain numbers (means, spreads, coefficients, a sample size, a seed) or a tidy
DataFrame with one row per customer. What comes out: tidy DataFrames (one row per customer, per
coefficient or per path), floats, and statsmodels results. Every simulation draws from
``numpy.random.default_rng(seed)``, so the same seed gives the same data. Bad input raises a
ValueError that names the parameter and its value. This module draws nothing.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf
from scipy import stats

from utils import _checks as check
from utils._text import show
from utils._checks import validated
from utils.errors import InputError

__all__ = [
    "OLIVER_COEFFICIENTS", "OLIVER_PATHS", "COMPARISON_PATHS", "CONTINUANCE_ORDER", "CONTINUANCE_PATHS",
    "DISSATISFIED_BELOW",
    "confirmation", "confirmation_sign", "expected_satisfaction", "satisfaction_curves", "same_performance",
    "simulate_customers", "fit_satisfaction", "coefficient_table", "population_shares", "satisfaction_outlook",
    "simulate_continuance", "fit_continuance", "total_effects",
]

# The book's illustrative coefficients (invented for teaching, not estimates from any study).
# Names match statsmodels' formula names, so estimates and truth line up by name.
OLIVER_COEFFICIENTS: dict[str, float] = {"Intercept": 3.5, "expectation": 0.3, "confirmation": 0.8}
# Oliver (1980): expectation and (dis)confirmation drive satisfaction ...
OLIVER_PATHS: tuple[tuple[str, str], ...] = (("expectation", "satisfaction"), ("confirmation", "satisfaction"))
# ... and (dis)confirmation is the result of comparing perceived performance with the expectation.
COMPARISON_PATHS: tuple[tuple[str, str], ...] = (("expectation", "confirmation"), ("performance", "confirmation"))
# Satisfaction below the midpoint of the 0-10 scale counts as dissatisfied.
DISSATISFIED_BELOW = 5.0

# Bhattacherjee (2001): the five paths of the post-acceptance model, in causal order, with the
# book's illustrative standardized values (invented for teaching, not the paper's estimates).
CONTINUANCE_ORDER: tuple[str, ...] = ("confirmation", "usefulness", "satisfaction", "continuance")
CONTINUANCE_PATHS: dict[tuple[str, str], float] = {
    ("confirmation", "usefulness"): 0.5,
    ("confirmation", "satisfaction"): 0.4,
    ("usefulness", "satisfaction"): 0.3,
    ("usefulness", "continuance"): 0.3,
    ("satisfaction", "continuance"): 0.5,
}


# ---------------------------------------------------------------- checks

def _coefficients(coefficients: Mapping[str, float]) -> dict[str, float]:
    missing = [key for key in OLIVER_COEFFICIENTS if key not in coefficients]
    if missing:
        raise InputError(f"coefficients must name {list(OLIVER_COEFFICIENTS)}; missing {missing}")
    return {key: check.number(f"coefficients[{key!r}]", coefficients[key]) for key in OLIVER_COEFFICIENTS}


# ---------------------------------------------------------------- Oliver: closed forms

@validated
def confirmation(performance: float | np.ndarray, expectation: float | np.ndarray) -> float | np.ndarray:
    """(Dis)confirmation as a difference: perceived performance minus expectation.

    Positive: performance beat the expectation (positive disconfirmation, or "confirmation" in
    Bhattacherjee's wording); zero: the expectation was just met; negative: performance fell
    short (negative disconfirmation). Works on numbers and on arrays.
    """
    result = np.subtract(performance, expectation, dtype=float)
    return float(result) if result.ndim == 0 else result


@validated
def confirmation_sign(performance: float | np.ndarray, expectation: float | np.ndarray) -> int | np.ndarray:
    """+1 when performance beats the expectation, 0 when it meets it exactly, −1 when it falls short."""
    result = np.sign(np.subtract(performance, expectation, dtype=float)).astype(int)
    return int(result) if result.ndim == 0 else result


@validated
def expected_satisfaction(expectation: float | np.ndarray, performance: float | np.ndarray,
                          coefficients: Mapping[str, float] = OLIVER_COEFFICIENTS) -> float | np.ndarray:
    """The satisfaction equation without its noise: Intercept + b_E · E + b_C · (P − E)."""
    b = _coefficients(coefficients)
    result = (b["Intercept"] + b["expectation"] * np.asarray(expectation, dtype=float)
              + b["confirmation"] * np.subtract(performance, expectation, dtype=float))
    return float(result) if np.ndim(result) == 0 else result


@validated
def satisfaction_curves(expectations: Sequence[float], performance: Sequence[float] | np.ndarray,
                        coefficients: Mapping[str, float] = OLIVER_COEFFICIENTS) -> pd.DataFrame:
    """Expected satisfaction over a range of performance, one curve per expectation level.

    Returns one row per (expectation, performance) pair: ``expectation``, ``performance``,
    ``confirmation`` and ``satisfaction``. The curves are parallel lines with slope
    ``b_confirmation``; a higher expectation shifts its line by (b_expectation − b_confirmation)
    per scale point.
    """
    levels = [check.number("expectations", e) for e in expectations]
    grid = np.asarray([check.number("performance", p) for p in performance], dtype=float)
    if not levels or grid.size == 0:
        raise InputError(f"expectations and performance must not be empty, got {len(levels)} and {grid.size} values")
    rows = [pd.DataFrame({"expectation": level, "performance": grid,
                          "confirmation": confirmation(grid, level),
                          "satisfaction": expected_satisfaction(level, grid, coefficients)}) for level in levels]
    return pd.concat(rows, ignore_index=True)


@validated
def same_performance(performance: float, expectations: Mapping[str, float], *,
                     coefficients: Mapping[str, float] = OLIVER_COEFFICIENTS,
                     threshold: float = DISSATISFIED_BELOW) -> pd.DataFrame:
    """Several customers who receive the same performance but expected different things.

    ``expectations`` maps a customer's name to their expectation. Returns one row per customer:
    ``customer``, ``expectation``, ``performance``, ``confirmation``, ``sign`` (+1, 0, −1),
    ``satisfaction`` (expected value, no noise) and ``dissatisfied`` (below ``threshold``).
    """
    level = check.number("performance", performance)
    cut = check.number("threshold", threshold)
    if not expectations:
        raise InputError("expectations must name at least one customer, got an empty mapping")
    names = list(expectations)
    values = np.asarray([check.number(f"expectations[{name!r}]", expectations[name]) for name in names])
    satisfaction = expected_satisfaction(values, level, coefficients)
    return pd.DataFrame({"customer": names, "expectation": values, "performance": level,
                         "confirmation": confirmation(level, values), "sign": confirmation_sign(level, values),
                         "satisfaction": satisfaction, "dissatisfied": satisfaction < cut})


# ---------------------------------------------------------------- Oliver: simulation and estimation

@validated
def simulate_customers(n: int, *, mean_expectation: float = 5.0, sd_expectation: float = 1.0,
                       mean_performance: float = 5.0, sd_performance: float = 1.0,
                       coefficients: Mapping[str, float] = OLIVER_COEFFICIENTS, noise_sd: float = 0.5,
                       report_sd: float = 0.5, seed: int | None = None) -> pd.DataFrame:
    """Simulate ``n`` customers of one service under Oliver's model.

    Each customer's expectation and perceived performance are drawn independently from normal
    distributions (0–10 scale, not clipped); their confirmation is performance − expectation;
    their satisfaction follows the satisfaction equation plus normal noise with sd ``noise_sd``.
    ``reported_confirmation`` is what a survey item asking "better or worse than expected?"
    would record: the confirmation plus normal measurement error with sd ``report_sd``.

    Returns one row per customer: ``customer`` (0 … n−1), ``expectation``, ``performance``,
    ``confirmation``, ``reported_confirmation``, ``satisfaction``.
    """
    n = check.whole("n", n, 1)
    mean_e, mean_p = check.number("mean_expectation", mean_expectation), check.number("mean_performance", mean_performance)
    sd_e, sd_p = check.positive("sd_expectation", sd_expectation), check.positive("sd_performance", sd_performance)
    noise = check.positive("noise_sd", noise_sd, allow_zero=True)
    report = check.positive("report_sd", report_sd, allow_zero=True)
    b = _coefficients(coefficients)
    rng = np.random.default_rng(seed)
    expectation = rng.normal(mean_e, sd_e, n)
    performance = rng.normal(mean_p, sd_p, n)
    confirmed = performance - expectation
    satisfaction = (b["Intercept"] + b["expectation"] * expectation + b["confirmation"] * confirmed
                    + rng.normal(0.0, noise, n))
    return pd.DataFrame({"customer": np.arange(n), "expectation": expectation, "performance": performance,
                         "confirmation": confirmed, "reported_confirmation": confirmed + rng.normal(0.0, report, n),
                         "satisfaction": satisfaction})


@validated
def fit_satisfaction(data: pd.DataFrame, predictors: str | Sequence[str] = ("expectation", "confirmation"), *,
                     outcome: str = "satisfaction"):
    """Ordinary least squares of ``outcome`` on ``predictors`` (with an intercept), by statsmodels.

    Returns the statsmodels results object: ``.params``, ``.bse``, ``.conf_int()``,
    ``.rsquared``, ``.t_test("expectation + performance = 0")`` and the rest.
    """
    predictors = [predictors] if isinstance(predictors, str) else list(predictors)
    if not predictors:
        raise InputError("predictors must name at least one column, got none")
    check.columns(data, [outcome, *predictors])
    if len(data) <= len(predictors) + 1:
        raise InputError(f"data must have more rows than coefficients to estimate ({len(predictors) + 1}), "
                         f"got {len(data)} rows")
    # statsmodels' formulas would drop rows with missing values without a word.
    check.numeric(data, [outcome, *predictors])
    check.design(data, predictors)
    formula = f"{outcome} ~ " + " + ".join(predictors)
    return smf.ols(formula, data=data).fit()


@validated
def coefficient_table(result, truth: Mapping[str, float] | None = None, *, level: float = 0.95) -> pd.DataFrame:
    """A fitted model's coefficients as a tidy table, beside the values that generated the data.

    Returns one row per ``term``: ``estimate``, ``std_error``, ``ci_low``, ``ci_high`` (a
    ``level`` confidence interval) and, when ``truth`` is given, ``true`` and ``covered`` (the
    interval contains the true value; terms ``truth`` does not name get NaN and False).
    """
    if not 0 < level < 1:
        raise InputError(f"level must lie strictly between 0 and 1, got {show(level)}")
    interval = result.conf_int(alpha=1 - level)
    table = pd.DataFrame({"term": result.params.index, "estimate": result.params.to_numpy(),
                          "std_error": result.bse.to_numpy(), "ci_low": interval.iloc[:, 0].to_numpy(),
                          "ci_high": interval.iloc[:, 1].to_numpy()})
    if truth is not None:
        table["true"] = [float(truth[t]) if t in truth else np.nan for t in table["term"]]
        table["covered"] = (table["ci_low"] <= table["true"]) & (table["true"] <= table["ci_high"])
    return table


@validated
def population_shares(mean_expectation: float, mean_performance: float, *, sd_expectation: float = 1.0,
                      sd_performance: float = 1.0, coefficients: Mapping[str, float] = OLIVER_COEFFICIENTS,
                      noise_sd: float = 0.5, threshold: float = DISSATISFIED_BELOW) -> dict[str, float]:
    """The exact shares of a population that :func:`simulate_customers` draws from (no sampling).

    Confirmation P − E is normal with mean μ_P − μ_E and variance σ_P² + σ_E²; satisfaction,
    rewritten as Intercept + (b_E − b_C)·E + b_C·P + noise, is normal too. Returns
    ``disappointed`` (share with performance below expectation), ``dissatisfied`` (share with
    satisfaction below ``threshold``), ``mean_satisfaction`` and ``sd_satisfaction``.
    """
    mean_e, mean_p = check.number("mean_expectation", mean_expectation), check.number("mean_performance", mean_performance)
    sd_e, sd_p = check.positive("sd_expectation", sd_expectation), check.positive("sd_performance", sd_performance)
    noise = check.positive("noise_sd", noise_sd, allow_zero=True)
    cut = check.number("threshold", threshold)
    b = _coefficients(coefficients)
    gap = stats.norm(mean_p - mean_e, math.hypot(sd_p, sd_e))
    weight_e = b["expectation"] - b["confirmation"]
    mean_s = b["Intercept"] + weight_e * mean_e + b["confirmation"] * mean_p
    sd_s = math.sqrt((weight_e * sd_e) ** 2 + (b["confirmation"] * sd_p) ** 2 + noise ** 2)
    dissatisfied = float(stats.norm(mean_s, sd_s).cdf(cut)) if sd_s > 0 else float(mean_s < cut)
    return {"disappointed": float(gap.cdf(0.0)), "dissatisfied": dissatisfied,
            "mean_satisfaction": mean_s, "sd_satisfaction": sd_s}


@validated
def satisfaction_outlook(mean_expectation: float, mean_performance: float, *, sd_expectation: float = 1.0,
                         sd_performance: float = 1.0, coefficients: Mapping[str, float] = OLIVER_COEFFICIENTS,
                         noise_sd: float = 0.5, threshold: float = DISSATISFIED_BELOW, n: int = 2000,
                         seed: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A population of customers with given mean expectation and delivered performance.

    Returns ``(customers, shares)``. ``customers`` is :func:`simulate_customers`'s table plus
    ``disappointed`` (performance below expectation) and ``dissatisfied`` (satisfaction below
    ``threshold``). ``shares`` has rows ``disappointed`` and ``dissatisfied`` and columns
    ``simulated`` (share among the ``n`` simulated customers) and ``population`` (the exact
    share in the population they are drawn from, :func:`population_shares`).
    """
    customers = simulate_customers(n, mean_expectation=mean_expectation, sd_expectation=sd_expectation,
                                   mean_performance=mean_performance, sd_performance=sd_performance,
                                   coefficients=coefficients, noise_sd=noise_sd, seed=seed)
    exact = population_shares(mean_expectation, mean_performance, sd_expectation=sd_expectation,
                              sd_performance=sd_performance, coefficients=coefficients, noise_sd=noise_sd,
                              threshold=threshold)
    customers["disappointed"] = customers["confirmation"] < 0
    customers["dissatisfied"] = customers["satisfaction"] < threshold
    shares = pd.DataFrame({"simulated": [customers["disappointed"].mean(), customers["dissatisfied"].mean()],
                           "population": [exact["disappointed"], exact["dissatisfied"]]},
                          index=pd.Index(["disappointed", "dissatisfied"], name="share"))
    return customers, shares


# ---------------------------------------------------------------- Bhattacherjee: continuance

def _paths(paths: Mapping[tuple[str, str], float] | Iterable[tuple[str, str]]) -> dict[tuple[str, str], float]:
    values = dict(paths) if isinstance(paths, Mapping) else {tuple(p): np.nan for p in paths}
    if not values:
        raise InputError("paths must name at least one (source, target) pair, got none")
    position = {name: i for i, name in enumerate(CONTINUANCE_ORDER)}
    for path in values:
        if len(path) != 2 or any(node not in position for node in path):
            raise InputError(f"paths must join two of {list(CONTINUANCE_ORDER)}, got {path!r}")
        source, target = path
        if position[source] >= position[target]:
            raise InputError(f"path {path!r} runs against the causal order {' → '.join(CONTINUANCE_ORDER)}")
    return values


@validated
def total_effects(paths: Mapping[tuple[str, str], float] = CONTINUANCE_PATHS) -> pd.DataFrame:
    """Total (direct plus indirect) effects in a recursive path model, in closed form.

    With B the matrix of direct paths (row = target, column = source), the total effects are
    (I − B)⁻¹ − I. Returns a square table over ``CONTINUANCE_ORDER``: rows are targets, columns
    are sources.
    """
    values = _paths(paths)
    names = list(CONTINUANCE_ORDER)
    direct = pd.DataFrame(0.0, index=names, columns=names)
    for (source, target), value in values.items():
        direct.loc[target, source] = check.number(f"paths[{(source, target)!r}]", value)
    identity = np.eye(len(names))
    total = np.linalg.solve(identity - direct.to_numpy(), identity) - identity
    return pd.DataFrame(total, index=pd.Index(names, name="target"), columns=pd.Index(names, name="source"))


@validated
def simulate_continuance(n: int, *, paths: Mapping[tuple[str, str], float] = CONTINUANCE_PATHS,
                         seed: int | None = None) -> pd.DataFrame:
    """Simulate ``n`` users of an information system under Bhattacherjee's (2001) model.

    Every variable is normal with mean 0 and variance 1 in the population: confirmation is
    drawn first, and each later variable (usefulness, satisfaction, continuance) is the sum of
    its paths times its causes plus a disturbance whose variance makes its total variance 1. So
    ``paths`` are standardized coefficients; they must leave each variable some unexplained
    variance. Returns one row per user: ``user``, ``confirmation``, ``usefulness``,
    ``satisfaction``, ``continuance``.
    """
    n = check.whole("n", n, 1)
    values = _paths(paths)
    names = list(CONTINUANCE_ORDER)
    rng = np.random.default_rng(seed)
    cov = np.zeros((len(names), len(names)))
    cov[0, 0] = 1.0
    columns = {names[0]: rng.normal(0.0, 1.0, n)}
    for j, target in enumerate(names[1:], start=1):
        weights = np.zeros(j)
        for i, source in enumerate(names[:j]):
            weights[i] = check.number(f"paths[{(source, target)!r}]", values.get((source, target), 0.0))
        explained = float(weights @ cov[:j, :j] @ weights)
        if explained >= 1:
            raise InputError(f"the paths into {target!r} explain {explained:.3g} of its variance; "
                             "standardized paths must explain less than 1")
        cov[j, :j] = cov[:j, j] = weights @ cov[:j, :j]
        cov[j, j] = 1.0
        columns[target] = (sum(w * columns[s] for w, s in zip(weights, names[:j]))
                           + rng.normal(0.0, math.sqrt(1.0 - explained), n))
    return pd.DataFrame({"user": np.arange(n), **columns})


@validated
def fit_continuance(data: pd.DataFrame,
                    paths: Mapping[tuple[str, str], float] | Iterable[tuple[str, str]] = CONTINUANCE_PATHS,
                    *, level: float = 0.95) -> pd.DataFrame:
    """Estimate a recursive path model one equation at a time with statsmodels OLS.

    Each variable that ``paths`` points into is regressed on all its causes (with an
    intercept). For a recursive model with uncorrelated disturbances these are the
    maximum-likelihood path estimates. Returns one row per path: ``source``, ``target``,
    ``estimate``, ``std_error``, ``ci_low``, ``ci_high`` and, when ``paths`` is a mapping to
    values, ``true`` and ``covered``.
    """
    values = _paths(paths)
    targets = list(dict.fromkeys(target for _, target in values))
    check.columns(data, dict.fromkeys(node for path in values for node in path))
    rows = []
    for target in targets:
        sources = [source for source, t in values if t == target]
        table = coefficient_table(fit_satisfaction(data, sources, outcome=target), level=level)
        for row in table[table["term"] != "Intercept"].itertuples(index=False):
            rows.append({"source": row.term, "target": target, "estimate": row.estimate,
                         "std_error": row.std_error, "ci_low": row.ci_low, "ci_high": row.ci_high})
    result = pd.DataFrame(rows)
    if isinstance(paths, Mapping):
        result["true"] = [float(values[(s, t)]) for s, t in zip(result["source"], result["target"])]
        result["covered"] = (result["ci_low"] <= result["true"]) & (result["true"] <= result["ci_high"])
    return result
