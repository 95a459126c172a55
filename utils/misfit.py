"""What misfit looks like: a three-factor model fitted to data that need one loading more (chapter 21).

The population is the three-factor model of the Holzinger–Swineford tests (visual: x1–x3,
textual: x4–x6, speed: x7–x9) with standardized loadings and factor correlations rounded from
the book's fit of those data (:data:`LOADINGS`, :data:`FACTOR_CORRELATIONS`). They are an
*assumed* population for teaching, not a claim about the tests. One extra path can be switched
on: a cross-loading of x9 on the visual factor (``cross_loading``). The analyst always fits the
plain three-factor model, which leaves that path out, so for ``cross_loading`` ≠ 0 the fitted
model is wrong, and the fit indices should say so.

What goes in and what comes out:

- :func:`population_covariance` — the population covariance (= correlation) matrix of x1–x9
  for a given ``cross_loading``, a DataFrame. Every variable has variance 1.
- :func:`simulate` — ``n`` seeded draws from that population (a DataFrame, columns x1–x9).
- :func:`exact_sample` — ``n`` rows whose sample covariance (divided by n) equals the population
  matrix exactly; fitting it gives the population values of the fit statistics.
- :func:`population_rmsea` — the RMSEA of the fitted model in the population,
  √(F₀ / df) with F₀ the minimum of the ML fit function at the population matrix: what the
  sample RMSEA estimates.
- :func:`fit_indices` — fit :data:`MODEL` to one simulated sample and return its fit
  statistics (chi2, df, pvalue, cfi, tli, rmsea with its 90% interval, srmr) and whether the
  fit was a Heywood case (a negative error variance).
- :func:`misfit_grid` — :func:`fit_indices` over sample sizes and cross-loadings, a tidy table.

Every fit goes through :func:`utils.sem.fit` (semopy's ML with lavaan's fit statistics). Bad
input raises ``ValueError`` naming the argument, the value and what was expected.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Iterable
from types import MappingProxyType

import numpy as np
import pandas as pd

from utils import _checks as check
from utils import sem
from utils._checks import validated
from utils.errors import InputError

__all__ = ["MODEL", "INDICATORS", "LOADINGS", "FACTOR_CORRELATIONS", "FIT_COLUMNS",
           "population_covariance", "simulate", "exact_sample", "population_rmsea",
           "fit_indices", "misfit_grid"]

MODEL = """visual  =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed   =~ x7 + x8 + x9"""
INDICATORS = tuple(f"x{i}" for i in range(1, 10))
FACTORS = ("visual", "textual", "speed")
# Standardized loadings and factor correlations of the three-factor fit to Holzinger-Swineford
# (utils.sem.fit, column std_all), rounded to two decimals: an assumed population.
LOADINGS = MappingProxyType({
    "x1": ("visual", 0.77), "x2": ("visual", 0.42), "x3": ("visual", 0.58),
    "x4": ("textual", 0.85), "x5": ("textual", 0.86), "x6": ("textual", 0.84),
    "x7": ("speed", 0.57), "x8": ("speed", 0.72), "x9": ("speed", 0.67),
})
FACTOR_CORRELATIONS = MappingProxyType({
    ("visual", "textual"): 0.46, ("visual", "speed"): 0.47, ("textual", "speed"): 0.28,
})
# The least unique variance x9 may keep (a loading pattern that explains all of it is refused).
_MIN_UNIQUE = 0.05
FIT_COLUMNS = ("chi2", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea_ci_lower", "rmsea_ci_upper", "srmr")


def _cross_loading(value: object) -> float:
    lam = check.number("cross_loading", value)
    # x9's residual variance 1 - (l_s^2 + lam^2 + 2 l_s lam r_vs) must stay positive
    l_s, r = LOADINGS["x9"][1], FACTOR_CORRELATIONS[("visual", "speed")]
    if 1 - (l_s ** 2 + lam ** 2 + 2 * l_s * lam * r) <= _MIN_UNIQUE:
        # the two roots of lam^2 + 2 l_s r lam + l_s^2 - (1 - _MIN_UNIQUE) = 0
        half, root = l_s * r, np.sqrt((l_s * r) ** 2 - l_s ** 2 + 1 - _MIN_UNIQUE)
        raise InputError(f"cross_loading must lie between {-half - root:.2f} and {-half + root:.2f}, so that "
                         f"x9 keeps some variance of its own; got {value!r}")
    return lam


@validated
def population_covariance(cross_loading: float = 0.0) -> pd.DataFrame:
    """The population covariance matrix of x1–x9: Λ Φ Λᵀ + Θ, with x9 loading
    ``cross_loading`` on the visual factor as well as its loading on speed, and Θ (the unique
    variances) chosen so that every variable has variance 1."""
    lam = _cross_loading(cross_loading)
    loadings = np.zeros((len(INDICATORS), len(FACTORS)))
    for i, name in enumerate(INDICATORS):
        factor, value = LOADINGS[name]
        loadings[i, FACTORS.index(factor)] = value
    loadings[INDICATORS.index("x9"), FACTORS.index("visual")] = lam
    phi = np.eye(len(FACTORS))
    for (a, b), r in FACTOR_CORRELATIONS.items():
        phi[FACTORS.index(a), FACTORS.index(b)] = phi[FACTORS.index(b), FACTORS.index(a)] = r
    common = loadings @ phi @ loadings.T
    sigma = common + np.diag(1.0 - np.diag(common))
    return pd.DataFrame(sigma, index=list(INDICATORS), columns=list(INDICATORS))


@validated(n=(20, 1_000_000))
def simulate(n: int, cross_loading: float = 0.0, *, seed: int | None = 0) -> pd.DataFrame:
    """``n`` draws from the multivariate normal population of :func:`population_covariance`
    (means 0). The same ``seed`` gives the same data."""
    n = check.whole("n", n, 20)
    sigma = population_covariance(cross_loading)
    rng = np.random.default_rng(seed)
    values = rng.multivariate_normal(np.zeros(len(INDICATORS)), sigma.to_numpy(), size=n, method="cholesky")
    return pd.DataFrame(values, columns=list(INDICATORS))


@validated(n=(20, 1_000_000))
def exact_sample(n: int, cross_loading: float = 0.0, *, seed: int | None = 0) -> pd.DataFrame:
    """``n`` rows whose covariance matrix (dividing by n, as ML does) is exactly the population
    matrix: random normal rows, whitened and then given the population's covariance. A model
    fitted to them returns its population values, and its χ² is n times the population
    discrepancy F₀."""
    n = check.whole("n", n, 20)
    sigma = population_covariance(cross_loading).to_numpy()
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, len(INDICATORS)))
    z -= z.mean(axis=0)
    whitened = z @ np.linalg.inv(np.linalg.cholesky(z.T @ z / n)).T
    return pd.DataFrame(whitened @ np.linalg.cholesky(sigma).T, columns=list(INDICATORS))


@functools.lru_cache(maxsize=64)
def _population_rmsea(cross_loading: float) -> float:
    n = 1000
    with warnings.catch_warnings():
        # a large left-out loading drives x9's error variance below zero even in the population
        # (a Heywood case of the wrong model): the minimum of F_ML, and so the RMSEA, is still right
        warnings.filterwarnings("ignore", message="negative variance estimate", category=sem.SemWarning)
        result = sem.fit(MODEL, exact_sample(n, cross_loading)).fit_table
    return float(np.sqrt(max(result["chi2"], 0.0) / n / result["df"]))


@validated
def population_rmsea(cross_loading: float = 0.0) -> float:
    """The RMSEA of :data:`MODEL` in the population: √(F₀ / df), where F₀ = χ² / n on
    :func:`exact_sample` data (the minimum of the ML fit function at the population matrix).
    Exactly 0 when ``cross_loading`` is 0 (the model is then right, F₀ = 0), without a fit;
    other values are remembered per value, since each costs a fit and never changes."""
    lam = _cross_loading(cross_loading)
    return 0.0 if lam == 0 else _population_rmsea(lam)


@validated
def fit_indices(n: int, cross_loading: float = 0.0, *, seed: int | None = 0) -> dict[str, float]:
    """Fit :data:`MODEL` (no cross-loading) by ML to ``n`` simulated rows of the population with
    ``cross_loading``; return the fit statistics named in :data:`FIT_COLUMNS` and ``heywood``
    (True when an error variance was estimated below zero, which small samples of a wrong model
    sometimes give; :func:`utils.sem.fit`'s warning about it is recorded here instead)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", sem.SemWarning)
        result = sem.fit(MODEL, simulate(n, cross_loading, seed=seed)).fit_table
    heywood = any(issubclass(w.category, sem.SemWarning) and "negative variance" in str(w.message) for w in caught)
    for w in caught:  # pass on anything else
        if not (issubclass(w.category, sem.SemWarning) and "negative variance" in str(w.message)):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return {**{key: float(result[key]) for key in FIT_COLUMNS}, "heywood": heywood}


@validated
def misfit_grid(sizes: Iterable[int], cross_loadings: Iterable[float] = (0.0, 0.3), *,
                seed: int = 0) -> pd.DataFrame:
    """:func:`fit_indices` for every sample size in ``sizes`` and cross-loading in
    ``cross_loadings``, one simulated sample each. Samples of different sizes share no rows; the
    seed of each sample is derived from ``seed``, its size and its cross-loading, so the table
    is the same on every run. Returns one row per (``cross_loading``, ``n``) with the columns of
    :data:`FIT_COLUMNS`, ``heywood`` and ``population_rmsea``."""
    sizes = [check.whole("sizes", n, 20) for n in sizes]
    loadings = [_cross_loading(lam) for lam in cross_loadings]
    if not sizes or not loadings:
        raise InputError(f"sizes and cross_loadings must each hold at least one value, got {len(sizes)} and {len(loadings)}")
    seed = check.whole("seed", seed, 0)
    rows = []
    for j, lam in enumerate(loadings):
        truth = population_rmsea(lam)
        for n in sizes:
            stream = np.random.SeedSequence([seed, n, j])
            rows.append({"cross_loading": lam, "n": n, **fit_indices(n, lam, seed=stream),
                         "population_rmsea": truth})
    return pd.DataFrame(rows)
