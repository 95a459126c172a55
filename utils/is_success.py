"""The DeLone & McLean IS success model as a recursive path model on observed scores (chapter 2).

What goes in and what comes out:

- The models' structure: :func:`model_edges` gives the boxes and arrows of the 1992 model or the
  2003 update as a tidy DataFrame (``source``, ``target``, ``kind``), for drawing.
- Path values are plain dicts ``{(source, target): value}`` of *standardized* path coefficients.
  :data:`ILLUSTRATIVE_PATHS` holds the book's assumed values; they are illustrations, not
  estimates from any study.
- :func:`simulate` draws a seeded sample (a DataFrame, one column per variable of
  :data:`VARIABLES`) from a recursive version of the 2003 model: the three qualities drive use and
  user satisfaction, use drives user satisfaction, and both drive net benefits. Every variable has
  variance 1 in the population, so the paths are standardized coefficients.
- :func:`fit_paths` estimates a recursive path model equation by equation with statsmodels OLS
  and returns one row per path (estimate, standard error, 95% interval).
- :func:`implied_effects` traces every route from a source to net benefits and multiplies the
  path values along it (the effect *through use*, *through user satisfaction*, …);
  :func:`implied_correlations` and :func:`population_coefficients` give the population values a
  regression would estimate, including regressions that leave a mechanism out.

The 2003 model's feedback loops (net benefits back to use and satisfaction) act over time; one
cross-section cannot estimate them, so the simulated model is the recursive, one-period part.
Bad input raises ``ValueError`` naming the parameter and its value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType

import numpy as np
import pandas as pd
from statsmodels.regression.linear_model import OLS
from statsmodels.tools.tools import add_constant

from utils import _checks
from utils._checks import validated
from utils.errors import InputError

__all__ = [
    "QUALITIES", "MEDIATORS", "OUTCOME", "VARIABLES", "LABELS", "STRUCTURE", "ILLUSTRATIVE_PATHS",
    "QUALITY_CORRELATION", "model_edges", "paths_table", "implied_correlations", "residual_variances",
    "population_coefficients", "simulate", "fit_paths", "as_paths", "implied_effects", "total_effects",
]

QUALITIES: tuple[str, ...] = ("system_quality", "information_quality", "service_quality")
MEDIATORS: tuple[str, ...] = ("use", "user_satisfaction")
OUTCOME = "net_benefits"
# Causal order of the simulated model: a path may only point from an earlier to a later variable.
VARIABLES: tuple[str, ...] = (*QUALITIES, *MEDIATORS, OUTCOME)

LABELS: Mapping[str, str] = MappingProxyType({
    "system_quality": "System quality",
    "information_quality": "Information quality",
    "service_quality": "Service quality",
    "use": "Use",
    "intention_to_use": "Intention to use / Use",
    "user_satisfaction": "User satisfaction",
    "net_benefits": "Net benefits",
    "individual_impact": "Individual impact",
    "organizational_impact": "Organizational impact",
})

# The recursive 2003 model the book simulates and fits: each equation's predictors.
STRUCTURE: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "use": QUALITIES,
    "user_satisfaction": (*QUALITIES, "use"),
    "net_benefits": ("use", "user_satisfaction"),
})

# Assumed, illustrative standardized paths (not published estimates). System quality works
# mainly through use; information quality raises satisfaction but not use; service quality a
# little of both.
ILLUSTRATIVE_PATHS: Mapping[tuple[str, str], float] = MappingProxyType({
    ("system_quality", "use"): 0.35,
    ("information_quality", "use"): 0.00,
    ("service_quality", "use"): 0.10,
    ("system_quality", "user_satisfaction"): 0.15,
    ("information_quality", "user_satisfaction"): 0.35,
    ("service_quality", "user_satisfaction"): 0.20,
    ("use", "user_satisfaction"): 0.20,
    ("use", "net_benefits"): 0.30,
    ("user_satisfaction", "net_benefits"): 0.40,
})
# Assumed correlation between any two of the three qualities.
QUALITY_CORRELATION = 0.3

_EDGES_1992 = (
    ("system_quality", "use", "causal"), ("system_quality", "user_satisfaction", "causal"),
    ("information_quality", "use", "causal"), ("information_quality", "user_satisfaction", "causal"),
    ("use", "user_satisfaction", "two-way"),
    ("use", "individual_impact", "causal"), ("user_satisfaction", "individual_impact", "causal"),
    ("individual_impact", "organizational_impact", "causal"),
)
_EDGES_2003 = (
    *((q, m, "causal") for q in QUALITIES for m in ("intention_to_use", "user_satisfaction")),
    ("intention_to_use", "user_satisfaction", "two-way"),
    ("intention_to_use", "net_benefits", "causal"), ("user_satisfaction", "net_benefits", "causal"),
    ("net_benefits", "intention_to_use", "feedback"), ("net_benefits", "user_satisfaction", "feedback"),
)


@validated
def model_edges(version: int = 2003) -> pd.DataFrame:
    """The arrows of DeLone & McLean's model: ``version`` 1992 (the original) or 2003 (the update).

    Returns columns ``source``, ``target`` and ``kind``: ``"causal"`` (one-way arrow),
    ``"two-way"`` (use and satisfaction affect each other) or ``"feedback"`` (net benefits back to
    use and satisfaction, 2003 only).
    """
    edges = {1992: _EDGES_1992, 2003: _EDGES_2003}
    if version not in edges:
        raise InputError(f"version must be 1992 or 2003, got {version!r}")
    return pd.DataFrame(edges[version], columns=["source", "target", "kind"])


def _check_paths(paths: Mapping[tuple[str, str], float] | None) -> dict[tuple[str, str], float]:
    if paths is None:
        return dict(ILLUSTRATIVE_PATHS)
    checked = {}
    for key, value in paths.items():
        if not (isinstance(key, tuple) and len(key) == 2):
            raise InputError(f"paths keys must be (source, target) pairs, got {key!r}")
        source, target = key
        for name in key:
            if name not in VARIABLES:
                raise InputError(f"paths: unknown variable {name!r} in path {key!r}; use names from {VARIABLES}")
        if VARIABLES.index(source) >= VARIABLES.index(target) or target in QUALITIES:
            raise InputError(f"paths: {source!r} → {target!r} is not allowed; paths point from a quality "
                             f"towards net benefits, in the order {VARIABLES}")
        if not np.isfinite(value):
            raise InputError(f"paths: the value of {key!r} must be a finite number, got {value!r}")
        checked[key] = float(value)
    return checked


def _check_correlation(quality_correlation: float) -> float:
    r = float(quality_correlation)
    if not -1 <= r <= 1:
        raise InputError(f"quality_correlation must be in [-1, 1], got {quality_correlation!r}")
    if not -0.5 < r < 1:
        raise InputError(f"quality_correlation = {quality_correlation!r} makes the three qualities' "
                         "correlation matrix singular or not positive definite; use a value in (-0.5, 1)")
    return r


@validated
def paths_table(paths: Mapping[tuple[str, str], float] | None = None) -> pd.DataFrame:
    """``paths`` (default: :data:`ILLUSTRATIVE_PATHS`) as a table: ``source``, ``target``, ``value``."""
    rows = [(s, t, v) for (s, t), v in _check_paths(paths).items()]
    return pd.DataFrame(rows, columns=["source", "target", "value"])


def _coefficients(paths: Mapping[tuple[str, str], float]) -> np.ndarray:
    """B[target, source] in the order of :data:`VARIABLES`."""
    beta = np.zeros((len(VARIABLES), len(VARIABLES)))
    for (source, target), value in paths.items():
        beta[VARIABLES.index(target), VARIABLES.index(source)] = value
    return beta


def _implied(paths: Mapping[tuple[str, str], float], r: float) -> tuple[np.ndarray, np.ndarray]:
    """Population correlations and residual variances when every variable has variance 1."""
    k, q = len(VARIABLES), len(QUALITIES)
    sigma = np.full((k, k), np.nan)
    sigma[:q, :q] = r
    np.fill_diagonal(sigma[:q, :q], 1.0)
    psi = np.zeros(k)
    beta = _coefficients(paths)
    for j in range(q, k):
        b = beta[j, :j]
        cov = sigma[:j, :j] @ b
        explained = float(b @ cov)
        psi[j] = 1.0 - explained
        sigma[j, :j] = sigma[:j, j] = cov
        sigma[j, j] = 1.0
    return sigma, psi


@validated
def residual_variances(paths: Mapping[tuple[str, str], float] | None = None,
                       quality_correlation: float = QUALITY_CORRELATION) -> pd.Series:
    """Variance of each endogenous variable's error term (1 − R²), so that its variance is 1.

    Raises ValueError when the paths into a variable explain all of its variance or more.
    """
    checked, r = _check_paths(paths), _check_correlation(quality_correlation)
    _, psi = _implied(checked, r)
    result = pd.Series(psi[len(QUALITIES):], index=list(VARIABLES[len(QUALITIES):]), name="residual_variance")
    for name, value in result.items():
        if value <= 0:
            raise InputError(f"paths: the paths into {name!r} explain {1 - value:.3f} of its variance "
                             "(R² must stay below 1); make them smaller")
    return result


@validated
def implied_correlations(paths: Mapping[tuple[str, str], float] | None = None,
                         quality_correlation: float = QUALITY_CORRELATION) -> pd.DataFrame:
    """The population correlation matrix of :data:`VARIABLES` implied by ``paths``."""
    residual_variances(paths, quality_correlation)  # validates
    sigma, _ = _implied(_check_paths(paths), _check_correlation(quality_correlation))
    return pd.DataFrame(sigma, index=list(VARIABLES), columns=list(VARIABLES))


@validated
def population_coefficients(target: str, predictors: Sequence[str],
                            paths: Mapping[tuple[str, str], float] | None = None,
                            quality_correlation: float = QUALITY_CORRELATION) -> pd.Series:
    """The coefficients an OLS regression of ``target`` on ``predictors`` converges to.

    Equal to the path values when the regression is the model's own equation; different when it
    leaves out a variable that matters (for example, net benefits on use alone).
    """
    for name in (target, *predictors):
        if name not in VARIABLES:
            raise InputError(f"unknown variable {name!r}; use names from {VARIABLES}")
    if not predictors:
        raise InputError("predictors must name at least one variable, got an empty list")
    corr = implied_correlations(paths, quality_correlation)
    x = list(predictors)
    coef = np.linalg.solve(corr.loc[x, x].to_numpy(), corr.loc[x, target].to_numpy())
    return pd.Series(coef, index=x, name=target)


@validated
def simulate(n: int, paths: Mapping[tuple[str, str], float] | None = None, *,
             quality_correlation: float = QUALITY_CORRELATION, seed: int | None = 0) -> pd.DataFrame:
    """Draw ``n`` respondents from the recursive IS success model.

    The qualities are standard normal with pairwise correlation ``quality_correlation``; each
    later variable is the sum of its paths times its causes plus a normal error whose variance
    makes its own variance 1. Returns a DataFrame with the columns of :data:`VARIABLES`.
    The same ``seed`` gives identical data.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise InputError(f"n must be a positive integer, got {n!r}")
    checked, r = _check_paths(paths), _check_correlation(quality_correlation)
    psi = residual_variances(checked, r)
    rng = np.random.default_rng(seed)
    q = len(QUALITIES)
    corr = np.full((q, q), r)
    np.fill_diagonal(corr, 1.0)
    values = np.zeros((int(n), len(VARIABLES)))
    values[:, :q] = rng.multivariate_normal(np.zeros(q), corr, size=int(n))
    beta = _coefficients(checked)
    for j in range(q, len(VARIABLES)):
        noise = rng.normal(0.0, np.sqrt(psi[VARIABLES[j]]), size=int(n))
        values[:, j] = values[:, :j] @ beta[j, :j] + noise
    return pd.DataFrame(values, columns=list(VARIABLES))


@validated
def fit_paths(data: pd.DataFrame, equations: Mapping[str, Sequence[str]] | None = None, *,
              assumed: Mapping[tuple[str, str], float] | None = None) -> pd.DataFrame:
    """Estimate a recursive path model equation by equation with OLS (statsmodels).

    ``equations`` maps each dependent variable to its predictors (default :data:`STRUCTURE`, the
    2003 model). Returns one row per path: ``source``, ``target``, ``estimate``, ``std_error``,
    ``ci_low``, ``ci_high`` (95%); with ``assumed`` (the paths the data were simulated from) also
    ``assumed``, 0 for a path the simulation did not have.
    """
    equations = dict(STRUCTURE if equations is None else equations)
    if not equations:
        raise InputError("equations must name at least one dependent variable, got none")
    rows = []
    for target, predictors in equations.items():
        predictors = list(predictors)
        if not predictors:
            raise InputError(f"equations[{target!r}] must list at least one predictor, got {predictors!r}")
        for name in (target, *predictors):
            if name not in data.columns:
                raise InputError(f"data lacks column {name!r} (needed by the equation for {target!r})")
        if len(data) <= len(predictors) + 1:
            raise InputError(f"data has {len(data)} rows, too few for {len(predictors)} predictors of {target!r}")
        _checks.numeric(data, [target, *predictors])
        _checks.design(data, predictors)
        result = OLS(data[target], add_constant(data[predictors])).fit()
        interval = result.conf_int(0.05)
        for name in predictors:
            rows.append((name, target, result.params[name], result.bse[name],
                         interval.loc[name, 0], interval.loc[name, 1]))
    table = pd.DataFrame(rows, columns=["source", "target", "estimate", "std_error", "ci_low", "ci_high"])
    if assumed is not None:
        truth = _check_paths(assumed)
        table["assumed"] = [truth.get((s, t), 0.0) for s, t in zip(table["source"], table["target"])]
    return table


@validated
def as_paths(estimates: pd.DataFrame) -> dict[tuple[str, str], float]:
    """The ``estimate`` column of :func:`fit_paths` as a paths dict."""
    for column in ("source", "target", "estimate"):
        if column not in estimates.columns:
            raise InputError(f"estimates lacks column {column!r}")
    return {(s, t): float(v) for s, t, v in zip(estimates["source"], estimates["target"], estimates["estimate"])}


def _routes(paths: Mapping[tuple[str, str], float], source: str, outcome: str) -> list[list[str]]:
    children: dict[str, list[str]] = {}
    for s, t in paths:
        children.setdefault(s, []).append(t)
    found: list[list[str]] = []

    def walk(route: list[str]) -> None:
        for child in sorted(children.get(route[-1], []), key=VARIABLES.index):
            if child == outcome:
                found.append([*route, child])
            else:
                walk([*route, child])

    walk([source])
    # direct first, then through use, use then satisfaction, satisfaction
    return sorted(found, key=lambda route: [VARIABLES.index(v) for v in route[1:-1]])


@validated
def implied_effects(paths: Mapping[tuple[str, str], float] | None = None,
                    sources: Sequence[str] = QUALITIES, outcome: str = OUTCOME) -> pd.DataFrame:
    """Each route from each source to ``outcome`` and its effect (the product of its paths).

    Returns columns ``source``, ``route`` (the variables in between, joined by " → ", or
    ``"direct"``) and ``effect``. Routes through use, through user satisfaction and through
    use then satisfaction are the two mechanisms of the IS success model and their chain.
    Any coefficient values are allowed here (the effects are defined for unstandardized paths too).
    """
    checked = _check_paths(paths)
    if outcome not in VARIABLES:
        raise InputError(f"outcome must be one of {VARIABLES}, got {outcome!r}")
    rows = []
    for source in sources:
        if source not in VARIABLES:
            raise InputError(f"sources: unknown variable {source!r}; use names from {VARIABLES}")
        for route in _routes(checked, source, outcome):
            effect = float(np.prod([checked[(a, b)] for a, b in zip(route, route[1:])]))
            middle = " → ".join(route[1:-1]) or "direct"
            rows.append((source, middle, effect))
    return pd.DataFrame(rows, columns=["source", "route", "effect"])


@validated
def total_effects(paths: Mapping[tuple[str, str], float] | None = None,
                  sources: Sequence[str] = QUALITIES, outcome: str = OUTCOME) -> pd.Series:
    """The sum of :func:`implied_effects` over routes: each source's total effect on ``outcome``."""
    effects = implied_effects(paths, sources, outcome)
    return effects.groupby("source", sort=False)["effect"].sum().reindex(list(sources), fill_value=0.0)
