"""CRM system types, the systems of Khodakarami & Chan (2014), and the mediation model of
Mithas, Krishnan & Fornell (2005): CRM application use → customer knowledge → satisfaction.

Two parts, both screen-free (plain values and tidy DataFrames in and out):

**CRM systems by case.** :func:`systems_by_case` turns the tidy Table 4 of Khodakarami & Chan
(``data/khodakarami2014/table4_systems.csv``, one row per system × case) into a wide table of
states (``used``, ``not_used``, ``not_reported``), one row per system grouped by system type;
:func:`system_use_counts` counts the states per case and type; :func:`systems_catalogue` lists
each Table 4 system with the cases that used it and, where Appendix C has one, its description.

**The mediation model.** A population of firms in which

    crm_use             X ~ N(0, 1)
    customer_knowledge  M = a·X + g·U + sigma_m·e_M
    satisfaction        Y = c_prime·X + b·M + g·U + sigma_y·e_Y

with U, e_M, e_Y independent N(0, 1). ``a`` and ``b`` are the two paths of the indirect
effect, ``c_prime`` (c′) the direct path, and ``g`` (``confounding``) the effect of an
unmeasured firm trait U on both knowledge and satisfaction (0: no such trait). Every default is
an assumption of the book, not an estimate from Mithas et al. (2005).

- :func:`implied_effects`: the indirect (a·b), direct (c′) and total (c′ + a·b) effects a set of
  paths implies, and the share mediated; :func:`mediation_type` names the pattern
  (Zhao, Lynch & Chen 2010).
- :func:`simulate_firms`: ``n`` simulated firms (seeded with ``numpy.random.default_rng``).
- :func:`estimate_paths`: the OLS estimates of a, b, c′, the total c and a·b (statsmodels).
- :func:`mediation_analysis`: total, direct and indirect effects with intervals from
  ``statsmodels.stats.mediation.Mediation`` (Imai, Keele & Tingley 2010).
- :func:`expected_estimates`: what those OLS estimates converge to when U is left out.

Bad input raises ``ValueError`` naming the parameter and its value.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from statsmodels.regression.linear_model import OLS
from statsmodels.stats.mediation import Mediation
from statsmodels.tools.tools import add_constant

from utils import _checks as check
from utils._checks import validated
from utils.errors import InputError

__all__ = [
    "SYSTEM_TYPES", "STATES", "CASES", "COLUMNS", "ASSUMED_PATHS", "APPENDIX_C_NAMES",
    "systems_by_case", "system_use_counts", "systems_catalogue",
    "implied_effects", "mediation_type", "simulate_firms", "estimate_paths",
    "mediation_analysis", "expected_estimates",
]

SYSTEM_TYPES = ("operational", "analytical", "collaborative")
STATES = ("used", "not_used", "not_reported")
CASES = ("A", "B", "C")
# Column names of a data set of firms: exposure, mediator, outcome.
COLUMNS = ("crm_use", "customer_knowledge", "satisfaction")
# The book's assumed population paths (per standard deviation of CRM application use). They
# make a readable example; they are NOT estimates from Mithas, Krishnan & Fornell (2005).
ASSUMED_PATHS = {"a": 0.5, "b": 0.4, "c_prime": 0.1}
# Appendix C heading → the Table 4 row it describes (the two tables name systems differently).
APPENDIX_C_NAMES = {
    "Customer service and support systems": "Customer service and support (e.g., call center)",
    "Sales force automation system (SFA)": "Sales force automation (e.g., POS)",
    "Marketing automation": "Marketing automation (e.g., e-mail campaign)",
    "Database management system (DBMS)": "Database management system",
    "Data mining and web mining": "Data/web mining",
    "Data warehouse": "Data warehouse",
}
_TABLE4_COLUMNS = ("system_name", "category", "case", "state")


# --- CRM systems by case (Khodakarami & Chan 2014, Table 4 and Appendix C) -------------------

def _short_name(system_name: str) -> str:
    """'Sales force automation (e.g., POS)' → 'Sales force automation'."""
    return str(system_name).split(" (e.g.")[0]


def _checked_table4(table4: pd.DataFrame) -> pd.DataFrame:
    check.columns(table4, _TABLE4_COLUMNS, "table4")
    for column, allowed in (("category", SYSTEM_TYPES), ("state", STATES), ("case", CASES)):
        bad = sorted(set(table4[column].astype(str)) - set(allowed))
        if bad:
            raise InputError(f"table4 column {column!r} has the value(s) {', '.join(map(repr, bad))}; "
                             f"allowed: {', '.join(allowed)}")
    duplicated = table4.duplicated(["system_name", "case"])
    if duplicated.any():
        row = table4.loc[duplicated].iloc[0]
        raise InputError(f"table4 lists system_name={row['system_name']!r}, case={row['case']!r} twice")
    return table4


@validated
def systems_by_case(table4: pd.DataFrame) -> pd.DataFrame:
    """One row per system, one column per case, each cell a state.

    ``table4`` is the tidy Table 4 (columns ``system_name``, ``category``, ``case``, ``state``).
    Returns a DataFrame indexed by (``type``, ``system``): the system type in the order
    operational, analytical, collaborative, and the system's name without its "(e.g., …)"
    examples, systems in the order Table 4 prints them; columns ``A``, ``B``, ``C``; values
    ``used``, ``not_used`` or ``not_reported`` (a blank in the paper is *not reported*).
    """
    table = _checked_table4(table4).assign(
        type=lambda d: pd.Categorical(d["category"], SYSTEM_TYPES, ordered=True),
        system=lambda d: d["system_name"].map(_short_name),
        order=lambda d: d.groupby("system_name", sort=False).ngroup(),
    )
    wide = table.pivot_table(index=["type", "order", "system"], columns="case", values="state",
                             aggfunc="first", observed=True)
    wide = wide.reset_index("order", drop=True).reindex(columns=[c for c in CASES if c in wide.columns])
    wide.columns.name = "case"
    return wide


@validated
def system_use_counts(table4: pd.DataFrame) -> pd.DataFrame:
    """How many systems of each type each case used, did not use, or did not report.

    Returns a tidy DataFrame with one row per case × type and the columns ``case``, ``type``,
    ``used``, ``not_used``, ``not_reported`` and ``listed`` (the number of systems of that type
    in Table 4).
    """
    table = _checked_table4(table4)
    counts = pd.crosstab([table["case"], pd.Categorical(table["category"], SYSTEM_TYPES, ordered=True)],
                         pd.Categorical(table["state"], STATES))
    counts = counts.reindex(columns=list(STATES), fill_value=0)
    counts.index.names = ["case", "type"]
    counts.columns = list(STATES)
    counts["listed"] = counts.sum(axis=1)
    return counts.reset_index()


@validated
def systems_catalogue(table4: pd.DataFrame, appendix_c: pd.DataFrame) -> pd.DataFrame:
    """Every Table 4 system with the cases that used it and its Appendix C description.

    ``appendix_c`` has the columns ``system_name`` and ``description``; its names are matched
    to Table 4 through :data:`APPENDIX_C_NAMES`. Returns one row per Table 4 system with the
    columns ``type``, ``system``, ``used_in`` (e.g. ``"A, B"``), ``cases_used`` (0–3) and
    ``description`` (missing where Appendix C has no entry).
    """
    check.columns(appendix_c, ("system_name", "description"), "appendix_c")
    unknown = sorted(set(appendix_c["system_name"]) - set(APPENDIX_C_NAMES))
    if unknown:
        raise InputError(f"appendix_c has system_name(s) {', '.join(map(repr, unknown))} with no "
                         "matching Table 4 row in APPENDIX_C_NAMES")
    states = systems_by_case(table4)
    used = states.eq("used")
    described = appendix_c.assign(system=lambda d: d["system_name"].map(APPENDIX_C_NAMES).map(_short_name))
    catalogue = pd.DataFrame({
        "used_in": used.apply(lambda row: ", ".join(c for c in states.columns if row[c]), axis=1),
        "cases_used": used.sum(axis=1).astype(int),
    }).reset_index()
    catalogue["type"] = catalogue["type"].astype(str)
    return catalogue.merge(described[["system", "description"]], on="system", how="left")


# --- The mediation model (Mithas, Krishnan & Fornell 2005) -----------------------------------

@validated
def implied_effects(a: float, b: float, c_prime: float) -> pd.Series:
    """The effects a set of population paths implies, per unit of CRM application use.

    Returns a float Series with ``a``, ``b``, ``c_prime``, ``indirect`` (a·b), ``direct`` (c′),
    ``total`` (c′ + a·b) and ``proportion_mediated`` (indirect / total; NaN when the total is 0).
    """
    a, b, c_prime = check.number("a", a), check.number("b", b), check.number("c_prime", c_prime)
    indirect = a * b
    total = c_prime + indirect
    share = indirect / total if total != 0 else float("nan")
    return pd.Series({"a": a, "b": b, "c_prime": c_prime, "indirect": indirect,
                      "direct": c_prime, "total": total, "proportion_mediated": share}, name="effect")


@validated
def mediation_type(a: float, b: float, c_prime: float) -> str:
    """Name the pattern of a set of paths after Zhao, Lynch & Chen (2010).

    ``"complementary"`` (a·b and c′ non-zero, same sign), ``"competitive"`` (opposite signs),
    ``"indirect-only"`` (c′ = 0), ``"direct-only"`` (a·b = 0) or ``"no effect"`` (both 0).
    The names describe population values here; with data, "zero" means "not significant".
    """
    effects = implied_effects(a, b, c_prime)
    indirect, direct = effects["indirect"], effects["direct"]
    if indirect == 0 and direct == 0:
        return "no effect"
    if direct == 0:
        return "indirect-only"
    if indirect == 0:
        return "direct-only"
    return "complementary" if (indirect > 0) == (direct > 0) else "competitive"


@validated(n=(3, 1_000_000))
def simulate_firms(n: int, *, a: float = ASSUMED_PATHS["a"], b: float = ASSUMED_PATHS["b"],
                   c_prime: float = ASSUMED_PATHS["c_prime"], sigma_m: float = 1.0,
                   sigma_y: float = 1.0, confounding: float = 0.0,
                   seed: int | None = None) -> pd.DataFrame:
    """Simulate ``n`` firms from the population model in the module docstring.

    Returns a DataFrame with the columns ``crm_use``, ``customer_knowledge`` and
    ``satisfaction`` (one row per firm). The same ``seed`` gives the same firms. The unmeasured
    trait U is drawn (and affects both knowledge and satisfaction with weight ``confounding``)
    but is not returned, as it would not be in a real study.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 3:
        raise InputError(f"n must be an integer of at least 3 firms, not {n!r}")
    a, b, c_prime = check.number("a", a), check.number("b", b), check.number("c_prime", c_prime)
    sigma_m, sigma_y = check.positive("sigma_m", sigma_m), check.positive("sigma_y", sigma_y)
    g = check.number("confounding", confounding)
    rng = np.random.default_rng(seed)
    x, u, e_m, e_y = rng.standard_normal((4, int(n)))
    m = a * x + g * u + sigma_m * e_m
    y = c_prime * x + b * m + g * u + sigma_y * e_y
    return pd.DataFrame({"crm_use": x, "customer_knowledge": m, "satisfaction": y})


def _checked_firms(data: pd.DataFrame) -> pd.DataFrame:
    check.columns(data, COLUMNS, "data")
    firms = data[list(COLUMNS)]
    if len(firms) < 4:
        raise InputError(f"data must hold at least 4 firms to estimate the paths, not {len(firms)}")
    if not all(pd.api.types.is_numeric_dtype(firms[c]) for c in COLUMNS) or not np.isfinite(firms.to_numpy(float)).all():
        raise InputError(f"data columns {', '.join(COLUMNS)} must be numeric and finite (no missing values)")
    check.design(firms, ["crm_use", "customer_knowledge"])
    return firms.astype(float)


class _NormalDraws:
    """The normal predictive distribution N(``loc``, ``scale``²) reduced to what ``Mediation``
    asks of it: ``rvs(n, rng=...)``, drawing exactly what scipy's ``norm.rvs`` draws
    (``standard_normal(n) * scale + loc`` from the same generator)."""

    def __init__(self, loc: np.ndarray, scale: float) -> None:
        self.loc, self.scale = loc, scale

    def rvs(self, size: int, rng: np.random.Generator | None = None,
            random_state: np.random.Generator | None = None) -> np.ndarray:
        generator = rng if rng is not None else random_state
        return generator.standard_normal(size) * self.scale + self.loc


class _MediatorOLS(OLS):
    """OLS whose ``get_distribution`` returns :class:`_NormalDraws` instead of a frozen
    ``scipy.stats.norm``. ``Mediation`` builds one per simulated draw, and scipy's frozen
    distribution costs about 5 ms to build (its docstring is formatted each time): three
    quarters of a 1,000-draw mediation analysis. The draws, and so every number, are the same."""

    def get_distribution(self, params, scale, exog=None, dist_class=None):  # noqa: D102
        if dist_class is not None:
            return super().get_distribution(params, scale, exog=exog, dist_class=dist_class)
        return _NormalDraws(self.predict(params, exog), np.sqrt(scale))


def _models(firms: pd.DataFrame) -> tuple[OLS, OLS]:
    """The outcome model Y ~ 1 + X + M and the mediator model M ~ 1 + X (array-based, fast)."""
    outcome = OLS(firms["satisfaction"], add_constant(firms[["crm_use", "customer_knowledge"]]))
    mediator = _MediatorOLS(firms["customer_knowledge"], add_constant(firms[["crm_use"]]))
    return outcome, mediator


@validated
def estimate_paths(data: pd.DataFrame, *, alpha: float = 0.05) -> pd.DataFrame:
    """OLS estimates of the paths from a data set of firms (columns as :data:`COLUMNS`).

    Returns a DataFrame indexed by ``path`` (``a``, ``b``, ``c_prime``, ``c``, ``indirect``)
    with the columns ``regression`` (which OLS gives it), ``estimate``, ``std_error``,
    ``ci_low`` and ``ci_high`` (the ``1 - alpha`` t-interval). ``c`` is the total effect from
    the regression of satisfaction on CRM use alone. ``indirect`` is the product of the
    estimates of a and b; it has no OLS standard error, so its interval is left empty — use
    :func:`mediation_analysis` for one.
    """
    alpha = check.number("alpha", alpha)
    if not 0 < alpha < 1:
        raise InputError(f"alpha must lie strictly between 0 and 1, not {alpha!r}")
    firms = _checked_firms(data)
    outcome, mediator = _models(firms)
    fit_y, fit_m = outcome.fit(), mediator.fit()
    fit_c = OLS(firms["satisfaction"], add_constant(firms[["crm_use"]])).fit()
    rows = []
    for path, regression, fit, term in (
        ("a", "customer_knowledge ~ crm_use", fit_m, "crm_use"),
        ("b", "satisfaction ~ crm_use + customer_knowledge", fit_y, "customer_knowledge"),
        ("c_prime", "satisfaction ~ crm_use + customer_knowledge", fit_y, "crm_use"),
        ("c", "satisfaction ~ crm_use", fit_c, "crm_use"),
    ):
        low, high = fit.conf_int(alpha).loc[term]
        rows.append({"path": path, "regression": regression, "estimate": fit.params[term],
                     "std_error": fit.bse[term], "ci_low": low, "ci_high": high})
    rows.append({"path": "indirect", "regression": "a × b",
                 "estimate": fit_m.params["crm_use"] * fit_y.params["customer_knowledge"],
                 "std_error": np.nan, "ci_low": np.nan, "ci_high": np.nan})
    return pd.DataFrame(rows).set_index("path")


@validated(n_rep=(10, 100_000))
def mediation_analysis(data: pd.DataFrame, *, n_rep: int = 1000, method: str = "parametric",
                       alpha: float = 0.05, seed: int | None = None) -> pd.DataFrame:
    """Total, direct and indirect effects of CRM use on satisfaction, with intervals.

    Fits the mediator model (knowledge ~ CRM use) and the outcome model (satisfaction ~ CRM use
    + knowledge) by OLS and hands them to ``statsmodels.stats.mediation.Mediation``, which
    simulates ``n_rep`` draws of the parameters (``method="parametric"``) or refits ``n_rep``
    bootstrap resamples (``method="bootstrap"``) and contrasts CRM use at 0 and 1.

    Returns a DataFrame indexed by ``effect`` (``indirect``, ``direct``, ``total``,
    ``proportion_mediated``) with the columns ``estimate`` (the OLS point estimate: a·b, c′,
    c′ + a·b and their ratio), ``ci_low`` and ``ci_high`` (Mediation's ``1 - alpha`` percentile
    interval) and ``p_value`` (Mediation's). Mediation's own "Estimate" column is the mean of its
    draws, which differs slightly from the OLS point estimate; the book reports the latter.
    """
    if isinstance(n_rep, bool) or not isinstance(n_rep, (int, np.integer)) or n_rep < 10:
        raise InputError(f"n_rep must be an integer of at least 10, not {n_rep!r}")
    if method not in ("parametric", "bootstrap"):
        raise InputError(f"method must be 'parametric' or 'bootstrap', not {method!r}")
    alpha = check.number("alpha", alpha)
    if not 0 < alpha < 1:
        raise InputError(f"alpha must lie strictly between 0 and 1, not {alpha!r}")
    firms = _checked_firms(data)
    outcome, mediator = _models(firms)
    # Exposure = column 1 in both models (after the constant); mediator = column 2 of the outcome model.
    result = Mediation(outcome, mediator, (1, 1), 2).fit(method=method, n_rep=int(n_rep),
                                                         rng=np.random.default_rng(seed))
    summary = result.summary(alpha=alpha)
    paths = estimate_paths(firms, alpha=alpha)["estimate"]
    indirect, direct = paths["indirect"], paths["c_prime"]
    total = indirect + direct
    rows = {"indirect": ("ACME (average)", indirect), "direct": ("ADE (average)", direct),
            "total": ("Total effect", total),
            "proportion_mediated": ("Prop. mediated (average)", indirect / total if total else np.nan)}
    table = pd.DataFrame([
        {"effect": effect, "estimate": estimate, "ci_low": summary.loc[row, "Lower CI bound"],
         "ci_high": summary.loc[row, "Upper CI bound"], "p_value": summary.loc[row, "P-value"]}
        for effect, (row, estimate) in rows.items()
    ])
    return table.set_index("effect")


@validated
def expected_estimates(a: float = ASSUMED_PATHS["a"], b: float = ASSUMED_PATHS["b"],
                       c_prime: float = ASSUMED_PATHS["c_prime"], *, sigma_m: float = 1.0,
                       confounding: float = 0.0) -> pd.Series:
    """What the OLS estimates of :func:`estimate_paths` converge to in a large sample.

    With an unmeasured trait U of weight g = ``confounding`` on knowledge and satisfaction, and
    k = g² / (g² + sigma_m²): a → a, b → b + k, c′ → c′ − a·k, c → c′ + a·b (unbiased) and
    a·b → a·(b + k). With g = 0 every estimate converges to its population value. Returns a
    float Series indexed like :func:`estimate_paths`.
    """
    a, b, c_prime = check.number("a", a), check.number("b", b), check.number("c_prime", c_prime)
    sigma_m, g = check.positive("sigma_m", sigma_m), check.number("confounding", confounding)
    k = g**2 / (g**2 + sigma_m**2)
    return pd.Series({"a": a, "b": b + k, "c_prime": c_prime - a * k, "c": c_prime + a * b,
                      "indirect": a * (b + k)}, name="expected")

