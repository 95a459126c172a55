"""The service-profit chain as a simulation of business units (chapter 5).

Heskett et al. (1994) describe a chain of links: internal service quality → employee
satisfaction → employee retention and employee productivity → external service value →
customer satisfaction → customer loyalty → revenue growth and profitability. This module
turns the chain into a linear model of business units (stores, branches, contact centres)
in which every stage is a standardized variable (mean 0, standard deviation 1) and every link
is a standardized coefficient. The coefficients are the book's assumptions, chosen for
illustration (``ASSUMED_LINKS``); no published study estimated them.

What goes in and what comes out:

- ``links``: a mapping ``{(source, target): strength}`` over the eight links in ``LINKS``,
  each strength in [-1, 1]. Functions that take ``links`` accept a partial mapping: links not
  given keep their value in ``ASSUMED_LINKS``. ``None`` means ``ASSUMED_LINKS``.
- :func:`total_effect` and :func:`survival`: how much of a one-standard-deviation improvement
  in internal service quality reaches each stage (the sum over paths of the product of the
  links along each path: Wright's path-tracing rule for a recursive model).
- :func:`simulate_units`: one row per business unit, one column per stage.
- :func:`estimate_links`: each link re-estimated from units by ordinary least squares
  (statsmodels), one equation per stage, as a tidy table.
- :func:`monte_carlo`: many small studies of units, each estimating the end-to-end effect
  twice (directly, and as the product of its estimated links).

Bad input raises ``ValueError`` with a message naming the parameter and its value.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from statsmodels.regression.linear_model import OLS
from statsmodels.tools.tools import add_constant

from utils import _checks as check
from utils._checks import validated
from utils.errors import InputError

__all__ = ["STAGES", "LABELS", "LINKS", "ASSUMED_LINKS", "resolve_links", "link_table",
           "survival", "total_effect", "chain_effect", "simulate_units", "estimate_links", "monte_carlo"]

Link = tuple[str, str]

# The stages in the order of the chain (Heskett et al. 1994, "The Links in the Service-Profit
# Chain"); retention and productivity are two parallel results of employee satisfaction.
STAGES: tuple[str, ...] = (
    "internal_service_quality",
    "employee_satisfaction",
    "employee_retention",
    "employee_productivity",
    "external_service_value",
    "customer_satisfaction",
    "customer_loyalty",
    "profitability",
)

LABELS: dict[str, str] = {
    "internal_service_quality": "Internal service quality",
    "employee_satisfaction": "Employee satisfaction",
    "employee_retention": "Employee retention",
    "employee_productivity": "Employee productivity",
    "external_service_value": "External service value",
    "customer_satisfaction": "Customer satisfaction",
    "customer_loyalty": "Customer loyalty",
    "profitability": "Revenue growth and profitability",
}

LINKS: tuple[Link, ...] = (
    ("internal_service_quality", "employee_satisfaction"),
    ("employee_satisfaction", "employee_retention"),
    ("employee_satisfaction", "employee_productivity"),
    ("employee_retention", "external_service_value"),
    ("employee_productivity", "external_service_value"),
    ("external_service_value", "customer_satisfaction"),
    ("customer_satisfaction", "customer_loyalty"),
    ("customer_loyalty", "profitability"),
)

# Assumed, illustrative standardized link strengths: fairly strong links, none of them taken
# from a published estimate.
ASSUMED_LINKS: dict[Link, float] = {
    ("internal_service_quality", "employee_satisfaction"): 0.7,
    ("employee_satisfaction", "employee_retention"): 0.6,
    ("employee_satisfaction", "employee_productivity"): 0.5,
    ("employee_retention", "external_service_value"): 0.4,
    ("employee_productivity", "external_service_value"): 0.4,
    ("external_service_value", "customer_satisfaction"): 0.7,
    ("customer_satisfaction", "customer_loyalty"): 0.6,
    ("customer_loyalty", "profitability"): 0.6,
}

_START = STAGES[0]
_INDEX = {stage: i for i, stage in enumerate(STAGES)}


def _parents(stage: str) -> list[str]:
    return [source for source, target in LINKS if target == stage]


@validated
def resolve_links(links: Mapping[Link, float] | None = None) -> dict[Link, float]:
    """``ASSUMED_LINKS`` updated with ``links``, checked.

    Raises ``ValueError`` for an unknown link, a strength that is not a number in [-1, 1], or
    links into one stage that together explain more than all of its variance (possible only
    where two links meet, at external service value).
    """
    if links is not None and not isinstance(links, Mapping):
        raise InputError(f"links must be a mapping {{(source, target): strength}}, got {type(links).__name__}")
    resolved = dict(ASSUMED_LINKS)
    for link, value in (links or {}).items():
        key = tuple(link) if isinstance(link, (tuple, list)) else link
        if key not in ASSUMED_LINKS:
            raise InputError(f"links: unknown link {link!r}; the links are {list(LINKS)}")
        try:
            strength = float(value)
        except (TypeError, ValueError):
            raise InputError(f"links[{key!r}] must be a number, got {value!r}") from None
        if not -1.0 <= strength <= 1.0:
            raise InputError(f"links[{key!r}] must be a standardized coefficient in [-1, 1], got {value!r}")
        resolved[key] = strength
    explained = _explained(resolved)
    for stage, r2 in explained.items():
        if r2 > 1.0 + 1e-12:
            raise InputError(f"links into {stage!r} explain {r2:.3f} of its variance, more than all of it: "
                             "lower at least one of them")
    return resolved


def _explained(links: Mapping[Link, float]) -> dict[str, float]:
    """R² of each stage on its parents, from the model-implied correlations.

    The correlations are built stage by stage down the chain: a stage's covariance with an
    earlier stage is the weighted sum of its parents' covariances with it, and its residual
    variance is whatever makes its own variance 1.
    """
    k = len(STAGES)
    sigma = np.eye(k)
    explained: dict[str, float] = {}
    for stage in STAGES[1:]:
        i = _INDEX[stage]
        parents = [_INDEX[p] for p in _parents(stage)]
        b = np.array([links[(STAGES[p], stage)] for p in parents])
        explained[stage] = float(b @ sigma[np.ix_(parents, parents)] @ b)
        sigma[i, :i] = sigma[:i, :i][:, parents] @ b
        sigma[:i, i] = sigma[i, :i]
    return explained


def _coefficients(links: Mapping[Link, float]) -> np.ndarray:
    """``B[target, source]`` = strength of the link source → target."""
    b = np.zeros((len(STAGES), len(STAGES)))
    for (source, target), strength in links.items():
        b[_INDEX[target], _INDEX[source]] = strength
    return b


def _effects(links: Mapping[Link, float]) -> np.ndarray:
    """Total effects of internal service quality on every stage: a column of (I - B)⁻¹."""
    return np.linalg.inv(np.eye(len(STAGES)) - _coefficients(links))[:, _INDEX[_START]]


@validated
def link_table(links: Mapping[Link, float] | None = None) -> pd.DataFrame:
    """One row per link: ``source``, ``target``, ``link`` (readable label), ``strength``."""
    resolved = resolve_links(links)
    return pd.DataFrame([{"source": s, "target": t, "link": f"{LABELS[s]} → {LABELS[t]}",
                          "strength": resolved[(s, t)]} for s, t in LINKS])


@validated
def survival(links: Mapping[Link, float] | None = None) -> pd.DataFrame:
    """How much of a +1 SD improvement in internal service quality reaches each stage.

    Returns one row per stage with ``stage``, ``label`` and ``effect``: the change in that
    stage, in its own standard deviations, when internal service quality rises by one standard
    deviation and everything else follows the model. ``effect`` is the sum, over the paths from
    internal service quality to the stage, of the product of the links on each path.
    """
    effect = _effects(resolve_links(links))
    return pd.DataFrame({"stage": list(STAGES), "label": [LABELS[s] for s in STAGES], "effect": effect})


@validated
def total_effect(links: Mapping[Link, float] | None = None, *, target: str = "profitability") -> float:
    """The effect on ``target`` (in SD) of a +1 SD improvement in internal service quality."""
    if target not in _INDEX:
        raise InputError(f"target must be one of {list(STAGES)}, got {target!r}")
    return float(_effects(resolve_links(links))[_INDEX[target]])


@validated
def chain_effect(estimates: pd.DataFrame, *, target: str = "profitability") -> float:
    """:func:`total_effect` computed from estimated links (a table like :func:`estimate_links`).

    Estimates are not checked against [-1, 1]: sampling error can push them past it.
    """
    missing = [c for c in ("source", "target", "estimate") if c not in estimates.columns]
    if missing:
        raise InputError(f"estimates is missing column(s) {missing}")
    if target not in _INDEX:
        raise InputError(f"target must be one of {list(STAGES)}, got {target!r}")
    links = {(s, t): float(v) for s, t, v in zip(estimates["source"], estimates["target"], estimates["estimate"])}
    absent = [link for link in LINKS if link not in links]
    if absent:
        raise InputError(f"estimates has no row for link(s) {absent}")
    return float(_effects(links)[_INDEX[target]])


@validated(n_units=(2, 1_000_000))
def simulate_units(n_units: int, links: Mapping[Link, float] | None = None, *,
                   seed: int | np.random.Generator = 0, improvement: float = 0.0) -> pd.DataFrame:
    """Simulate ``n_units`` business units along the chain.

    Each stage is its parents' weighted sum (weights = the links) plus independent normal noise
    whose variance makes the stage's variance 1; internal service quality is standard normal
    plus ``improvement`` (in SD), so two calls with the same seed and different improvements
    describe the same units before and after a programme that raises internal service quality
    everywhere. Returns one row per unit, one column per stage (``STAGES``), plus ``unit``.
    """
    n_units = check.whole("n_units", n_units, 2)
    try:
        shift = float(improvement)
    except (TypeError, ValueError):
        raise InputError(f"improvement must be a number of standard deviations, got {improvement!r}") from None
    if not np.isfinite(shift):
        raise InputError(f"improvement must be finite, got {improvement!r}")
    resolved = resolve_links(links)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    noise = rng.standard_normal((n_units, len(STAGES)))
    r_squared = _explained(resolved)
    values: dict[str, np.ndarray] = {_START: noise[:, 0] + shift}
    for stage in STAGES[1:]:
        predicted = sum(resolved[(p, stage)] * values[p] for p in _parents(stage))
        values[stage] = predicted + np.sqrt(max(0.0, 1.0 - r_squared[stage])) * noise[:, _INDEX[stage]]
    frame = pd.DataFrame(values, columns=list(STAGES))
    frame.insert(0, "unit", np.arange(1, n_units + 1))
    return frame


@validated
def estimate_links(units: pd.DataFrame, *, standardize: bool = True, alpha: float = 0.05) -> pd.DataFrame:
    """Estimate every link by OLS (statsmodels): each stage regressed on the stages before it.

    ``units`` needs one column per stage (``STAGES``). With ``standardize`` (the default) every
    column is turned into z-scores first, so the estimates are standardized coefficients like
    the links. Returns one row per link with ``source``, ``target``, ``link``, ``estimate``,
    ``std_error``, ``ci_low`` and ``ci_high`` (a ``1 - alpha`` confidence interval) and the
    equation's ``r_squared``.
    """
    if not isinstance(units, pd.DataFrame):
        raise InputError(f"units must be a pandas DataFrame, got {type(units).__name__}")
    missing = [stage for stage in STAGES if stage not in units.columns]
    if missing:
        raise InputError(f"units is missing column(s) {missing}")
    if not 0 < alpha < 1:
        raise InputError(f"alpha must be between 0 and 1, got {alpha!r}")
    check.numeric(units, list(STAGES), "units")
    data = units[list(STAGES)].to_numpy(dtype=float)
    if len(data) < 5:
        raise InputError(f"units must have at least 5 rows to estimate the links, got {len(data)}")
    check.design(units, list(STAGES), "units")
    if standardize:
        data = (data - data.mean(axis=0)) / data.std(axis=0, ddof=1)
    rows = []
    for stage in STAGES[1:]:
        parents = _parents(stage)
        # Plain arrays rather than DataFrames: the same OLS, several times faster to set up.
        x = add_constant(data[:, [_INDEX[p] for p in parents]], has_constant="add")
        fit = OLS(data[:, _INDEX[stage]], x).fit()
        interval = fit.conf_int(alpha)
        for j, parent in enumerate(parents, start=1):
            rows.append({"source": parent, "target": stage, "link": f"{LABELS[parent]} → {LABELS[stage]}",
                         "estimate": fit.params[j], "std_error": fit.bse[j],
                         "ci_low": interval[j, 0], "ci_high": interval[j, 1], "r_squared": fit.rsquared})
    return pd.DataFrame(rows)  # rows come out in the order of LINKS


def _direct_slope(units: pd.DataFrame) -> float:
    """Standardized OLS slope of profitability on internal service quality: their correlation."""
    pair = units[[_START, "profitability"]].to_numpy(dtype=float)
    return float(np.corrcoef(pair, rowvar=False)[0, 1])


def _product_of_links(units: pd.DataFrame) -> float:
    """:func:`chain_effect` of the OLS links on z-scores, by least squares in NumPy.

    The same point estimates as :func:`estimate_links` (which also needs statsmodels' standard
    errors and intervals), computed without them: a Monte Carlo study needs only the estimates,
    and thousands of statsmodels fits cost seconds.
    """
    data = units[list(STAGES)].to_numpy(dtype=float)
    z = (data - data.mean(axis=0)) / data.std(axis=0, ddof=1)
    links = {}
    for stage in STAGES[1:]:
        parents = _parents(stage)
        x = z[:, [_INDEX[p] for p in parents]]  # z-scores have mean 0: no intercept needed
        coef = np.linalg.lstsq(x, z[:, _INDEX[stage]], rcond=None)[0]
        links.update({(parent, stage): float(b) for parent, b in zip(parents, coef)})
    return float(_effects(links)[_INDEX["profitability"]])


@validated(n_units=(10, 1_000_000))
def monte_carlo(links: Mapping[Link, float] | None = None, *, n_units: int = 100, n_studies: int = 200,
                seed: int = 0) -> pd.DataFrame:
    """Repeat a study of ``n_units`` simulated units ``n_studies`` times.

    Each study estimates the end-to-end effect of internal service quality on profitability
    twice: ``direct`` regresses profitability on internal service quality (standardized
    slope); ``product`` estimates every link by OLS on z-scores (as :func:`estimate_links`)
    and combines them with the path-tracing rule (as :func:`chain_effect`). Returns a tidy
    table with ``study``, ``estimator`` and ``estimate``.
    """
    n_units = check.whole("n_units", n_units, 10)
    n_studies = check.whole("n_studies", n_studies, 1)
    resolved = resolve_links(links)
    rng = np.random.default_rng(seed)
    rows = []
    for study in range(1, n_studies + 1):
        units = simulate_units(n_units, resolved, seed=rng)
        rows.append({"study": study, "estimator": "direct", "estimate": _direct_slope(units)})
        rows.append({"study": study, "estimator": "product", "estimate": _product_of_links(units)})
    return pd.DataFrame(rows)
