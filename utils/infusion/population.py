"""The population model of the simulated infusion-use study (Chen, Hsieh, Rai & Xu 2021).

The study's data are not public, so the book draws its data from an explicit population model,
held in one data file, ``data/chen2021/population.csv``: one row per parameter and channel, with
its value, its *basis* and a one-line justification. The basis says where the value comes from:

- ``design``: the study's design as source 001 reports it (300 employees per channel, at least
  seven customers each, a survey one week after service);
- ``pattern``: the value encodes a published result (a path present or absent, stronger in one
  channel); its *size* is still assumed, since the sources print no estimates;
- ``assumed``: the book's choice, where the sources say nothing.

The structural model at the employee level, in standardized units (every construct has variance 1
in each channel)::

    infusion     = tenure_infusion · tenure + ζ
    usat         = infusion_usat · infusion + ζ
    conf         = infusion_conf · infusion + usat_conf · usat + tenure_conf · tenure
                   + contacts_conf · contacts + ζ
    csat         = conf_csat · conf + contacts_csat · contacts + ζ

``tenure`` and ``contacts`` are the standardized logs of the archival controls. A customer's
confirmation and satisfaction are the employee's level plus the customer's own deviation (the
between-employee share of their variance is ``icc_conf`` and ``icc_csat``); within an employee,
a customer whose confirmation is higher than the employee's average is more satisfied by
``conf_csat_within``. The book sets it equal to the between-employee ``conf_csat`` and flags that
as an assumption: the analysis of employee means (H3) estimates only the between slope.

Some rows record design choices the simulator and the models are written for and cannot change
(``items_per_scale`` 3, ``scale_points`` 7, ``usat_wave`` 2): they are in the table so that the
assumption is flagged where every other one is; a table with other values is refused.
``attrition_infusion`` and ``attrition_usat`` make leaving depend on an employee's scores (0:
leaving is unrelated to them, missing completely at random).

What goes in: the population table (a DataFrame as the file holds it). What comes out: plain
dicts of parameter values, tidy DataFrames of paths and effects. Bad tables raise a ValueError
that names the parameter, channel and problem.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import stats

from utils import _checks as check
from utils import data
from utils._checks import validated
from utils.errors import InputError

__all__ = [
    "CHANNELS", "CONSTRUCTS", "POPULATION_FILE", "PATHS", "BASES", "FIXED_DESIGN",
    "load_population", "validate_population", "parameters", "with_values", "path_table",
    "latent_covariance", "targets", "effects", "mean_inverse_customers", "within_between_slopes",
]

POPULATION_FILE = "chen2021/population.csv"
CHANNELS: tuple[str, ...] = ("retail_store", "contact_center")
BASES: tuple[str, ...] = ("design", "pattern", "assumed")
# The four constructs, in causal order, with who reports them.
CONSTRUCTS: dict[str, str] = {
    "infusion": "infusion use (employee, wave 1)",
    "usat": "user satisfaction (employee, wave 2)",
    "conf": "expectation confirmation (customers)",
    "csat": "customer satisfaction (customers)",
}
# Structural paths: parameter name → (predictor, outcome).
PATHS: dict[str, tuple[str, str]] = {
    "tenure_infusion": ("tenure", "infusion"),
    "infusion_usat": ("infusion", "usat"),
    "infusion_conf": ("infusion", "conf"),
    "usat_conf": ("usat", "conf"),
    "tenure_conf": ("tenure", "conf"),
    "contacts_conf": ("contacts", "conf"),
    "conf_csat": ("conf", "csat"),
    "contacts_csat": ("contacts", "csat"),
}
_COLUMNS = ("parameter", "channel", "value", "basis", "justification", "source")
_REQUIRED = (
    "n_employees", "min_customers", "survey_lag_days", "items_per_scale", "scale_points", "usat_wave",
    "extra_customers_mean", "attrition", "attrition_infusion", "attrition_usat",
    *PATHS, "conf_csat_within", "icc_conf", "icc_csat", "loading_1", "loading_2", "loading_3",
    "method_employee", "method_customer", "location_inf", "location_usat", "location_conf",
    "location_csat", "threshold_spacing", "tenure_median_years", "tenure_log_sd",
    "contacts_median", "contacts_log_sd",
)
# Design choices the simulator and the models are written for: flagged rows that must hold these values.
FIXED_DESIGN: dict[str, float] = {"items_per_scale": 3, "scale_points": 7, "usat_wave": 2}
# Order of the employee-level variables in latent_covariance.
_ORDER = ("tenure", "contacts", "infusion", "usat", "conf", "csat")


@validated
def load_population() -> pd.DataFrame:
    """The population table of ``data/chen2021/population.csv``, checked (see
    :func:`validate_population`)."""
    return validate_population(data.read_csv(POPULATION_FILE))


def _where(parameter: str, channel: str) -> str:
    return f"parameter {parameter!r} ({channel})"


@validated
def validate_population(table: pd.DataFrame) -> pd.DataFrame:
    """Return ``table`` (columns parameter, channel, value, basis, justification, source) if it
    is a complete population model; otherwise raise a ValueError naming the problem: a missing
    column or parameter, an unknown channel or basis, a duplicate row, a value that is not a
    finite number, or a value outside its range (a share outside [0, 1), a loading and method
    loading whose squares exceed 1, fewer than one customer or employee, …)."""
    check.columns(table, _COLUMNS, "the population table")
    table = table.copy()
    bad_channel = sorted(set(table["channel"]) - {"both", *CHANNELS})
    if bad_channel:
        raise InputError(f"the population table has unknown channel(s) {bad_channel}; "
                         f"use 'both' or one of {list(CHANNELS)}")
    bad_basis = table.loc[~table["basis"].isin(BASES), "parameter"].tolist()
    if bad_basis:
        raise InputError(f"the population table gives parameter(s) {bad_basis} a basis other than {list(BASES)}")
    empty = table.loc[table["justification"].fillna("").str.strip() == "", "parameter"].tolist()
    if empty:
        raise InputError(f"the population table gives no justification for {empty}")
    values = pd.to_numeric(table["value"], errors="coerce")
    bad_value = table.loc[~np.isfinite(values.astype(float)), "parameter"].tolist()
    if bad_value:
        raise InputError(f"the population table's value is not a finite number for {bad_value}")
    table["value"] = values.astype(float)
    duplicated = table[table.duplicated(["parameter", "channel"], keep=False)]
    if len(duplicated):
        raise InputError(f"the population table lists {sorted(set(duplicated['parameter']))} more than once")
    unknown = sorted(set(table["parameter"]) - set(_REQUIRED))
    if unknown:
        raise InputError(f"the population table has unknown parameter(s) {unknown}")
    for name in _REQUIRED:
        rows = table[table["parameter"] == name]
        channels = set(rows["channel"])
        if "both" in channels and len(channels) > 1:
            raise InputError(f"parameter {name!r} is given both for 'both' and for a channel")
        if channels != {"both"} and channels != set(CHANNELS):
            raise InputError(f"parameter {name!r} must be given for 'both' channels or for each of "
                             f"{list(CHANNELS)}; the table has {sorted(channels) or 'no row'}")
    for channel in CHANNELS:
        _check_ranges(parameters(table, channel, checked=False), channel)
    return table.reset_index(drop=True)


def _check_ranges(p: Mapping[str, float], channel: str) -> None:
    def need(ok: bool, name: str, what: str) -> None:
        if not ok:
            raise InputError(f"{_where(name, channel)} is {p[name]:g}; it must be {what}")

    for name in ("n_employees", "min_customers"):
        need(p[name] >= 1 and float(p[name]).is_integer(), name, "a whole number of at least 1")
    for name, value in FIXED_DESIGN.items():
        need(p[name] == value, name, f"{value:g} (the simulator and the models are written for it)")
    for name in ("attrition_infusion", "attrition_usat"):
        need(abs(p[name]) <= 5, name, "a probit slope between -5 and 5")
    need(p["survey_lag_days"] >= 0, "survey_lag_days", "zero or more")
    need(p["extra_customers_mean"] >= 0, "extra_customers_mean", "zero or more")
    need(0 <= p["attrition"] < 1, "attrition", "a share in [0, 1)")
    for name in ("icc_conf", "icc_csat"):
        need(0 < p[name] < 1, name, "a share strictly between 0 and 1")
    for name in ("threshold_spacing", "tenure_median_years", "tenure_log_sd", "contacts_median", "contacts_log_sd"):
        need(p[name] > 0, name, "greater than zero")
    for k in (1, 2, 3):
        for method in ("method_employee", "method_customer"):
            name = f"loading_{k}"
            need(0 < p[name] < 1, name, "strictly between 0 and 1")
            if p[name] ** 2 + p[method] ** 2 >= 1:
                raise InputError(f"{_where(name, channel)} and {method} leave no room for error: "
                                 f"{p[name]:g}² + {p[method]:g}² must be below 1")
    covariance = latent_covariance(p)
    for i, name in enumerate(_ORDER):
        if covariance[i, i] <= 0 or _residual_variance(p, name) <= 0:
            raise InputError(f"in {channel}, the paths into {name!r} explain all of its variance or more "
                             f"(residual variance {_residual_variance(p, name):.3g}); make them smaller")
    within = (1 - p["icc_conf"]) / p["icc_conf"]
    if (1 - p["icc_csat"]) / p["icc_csat"] - p["conf_csat_within"] ** 2 * within <= 0:
        raise InputError(f"in {channel}, icc_csat {p['icc_csat']:g} is too large for conf_csat_within "
                         f"{p['conf_csat_within']:g} and icc_conf {p['icc_conf']:g}: customers' own confirmation "
                         "already gives satisfaction more within-employee variance than icc_csat allows")


@validated
def parameters(table: pd.DataFrame, channel: str, *, checked: bool = True) -> dict[str, float]:
    """``{parameter: value}`` for ``channel`` (one of CHANNELS): its own rows and the rows for
    'both'. With ``checked`` (default) the table is validated first."""
    if channel not in CHANNELS:
        raise InputError(f"channel must be one of {list(CHANNELS)}, got {channel!r}")
    if checked:
        table = validate_population(table)
    rows = table[table["channel"].isin(["both", channel])]
    return {str(k): float(v) for k, v in zip(rows["parameter"], rows["value"])}


@validated
def with_values(table: pd.DataFrame, **changes: float | Mapping[str, float]) -> pd.DataFrame:
    """A copy of ``table`` with parameters changed: ``with_values(t, attrition=0.3)`` sets one
    value for every channel; ``with_values(t, usat_conf={"retail_store": 0.2})`` changes one
    channel and keeps the other. Changed rows get basis 'assumed' and a justification saying they
    were changed. The result is validated."""
    table = validate_population(table)
    for name, value in changes.items():
        if name not in set(table["parameter"]):
            raise InputError(f"unknown parameter {name!r}; parameters: {', '.join(sorted(set(table['parameter'])))}")
        rows = table[table["parameter"] == name]
        per_channel = dict(value) if isinstance(value, Mapping) else {c: value for c in CHANNELS}
        bad = sorted(set(per_channel) - set(CHANNELS))
        if bad:
            raise InputError(f"with_values({name}=...): unknown channel(s) {bad}")
        old = {c: parameters(table, c, checked=False)[name] for c in CHANNELS}
        new = {**old, **{c: check.number(f"{name} ({c})", v) for c, v in per_channel.items()}}
        if new == old:
            continue
        replaced = []
        for c in CHANNELS:
            row = rows[rows["channel"].isin(["both", c])].iloc[0].to_dict()
            if new[c] != old[c]:
                row.update(value=new[c], basis="assumed",
                           justification=f"changed from the book's population ({row['justification']})")
            replaced.append({**row, "channel": c})
        table = pd.concat([table[table["parameter"] != name], pd.DataFrame(replaced)], ignore_index=True)
    return validate_population(table)


@validated
def path_table(table: pd.DataFrame) -> pd.DataFrame:
    """The structural paths, one row per path and channel: parameter, predictor, outcome,
    channel, value, basis, justification."""
    table = validate_population(table)
    rows = []
    for name, (predictor, outcome) in PATHS.items():
        for channel in CHANNELS:
            row = table[(table["parameter"] == name) & table["channel"].isin(["both", channel])].iloc[0]
            rows.append({"parameter": name, "predictor": predictor, "outcome": outcome, "channel": channel,
                         "value": float(row["value"]), "basis": row["basis"], "justification": row["justification"]})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- implied moments


def _coefficients(p: Mapping[str, float]) -> np.ndarray:
    """B with B[outcome, predictor] = path, over _ORDER."""
    index = {name: i for i, name in enumerate(_ORDER)}
    b = np.zeros((len(_ORDER), len(_ORDER)))
    for name, (predictor, outcome) in PATHS.items():
        b[index[outcome], index[predictor]] = p[name]
    return b


def _explained_variance(p: Mapping[str, float], name: str) -> float:
    """Variance of ``name`` explained by its predictors when every variable has variance 1."""
    b = _coefficients(p)
    i = _ORDER.index(name)
    cov = _standardized_covariance(p, upto=i)
    return float(b[i, :i] @ cov @ b[i, :i])


def _standardized_covariance(p: Mapping[str, float], upto: int) -> np.ndarray:
    """Covariance of the first ``upto`` variables of _ORDER, each scaled to variance 1."""
    b = _coefficients(p)
    cov = np.zeros((upto, upto))
    for i in range(upto):
        for j in range(i):
            cov[i, j] = cov[j, i] = b[i, :i] @ cov[:i, j]
        cov[i, i] = 1.0
    return cov


def _residual_variance(p: Mapping[str, float], name: str) -> float:
    return 1.0 - _explained_variance(p, name) if name not in ("tenure", "contacts") else 1.0


@validated
def latent_covariance(p: Mapping[str, float], mean_inverse_k: float = 0.0) -> np.ndarray:
    """Covariance of the employee-level variables tenure, contacts, infusion, usat, conf, csat (in that
    order) for the parameters ``p`` of one channel. With ``mean_inverse_k`` = 0 these are the
    employee-level constructs (each variance 1). With ``mean_inverse_k`` = E[1/k] > 0, conf and
    csat are the *means of k customers' answers*: they carry the average of the customers' own
    deviations too, which is what an employee-level analysis of aggregated answers sees."""
    b = _coefficients(p)
    n = len(_ORDER)
    psi = np.diag([1.0] * 2 + [_residual_variance(p, v) for v in _ORDER[2:]])
    i_b = np.linalg.inv(np.eye(n) - b)
    cov = i_b @ psi @ i_b.T
    if mean_inverse_k > 0:
        within_conf = (1 - p["icc_conf"]) / p["icc_conf"]
        within_csat = (1 - p["icc_csat"]) / p["icc_csat"]
        c, s, d = _ORDER.index("conf"), _ORDER.index("csat"), p["conf_csat_within"]
        cov[c, c] += within_conf * mean_inverse_k
        cov[s, s] += within_csat * mean_inverse_k
        cov[c, s] += d * within_conf * mean_inverse_k
        cov[s, c] = cov[c, s]
    return cov


@validated(min_customers=(1, 10**6), extra_mean=(0, 10**5))
def mean_inverse_customers(min_customers: float, extra_mean: float) -> float:
    """E[1/k] for k = min_customers + Poisson(extra_mean) customers per employee."""
    k = np.arange(0, int(extra_mean * 10 + 50))
    weights = stats.poisson.pmf(k, extra_mean)
    return float(np.sum(weights / (min_customers + k)) / np.sum(weights))


@validated
def targets(table: pd.DataFrame, *, aggregated: bool = True) -> pd.DataFrame:
    """The standardized paths and R² an employee-level analysis estimates, per channel.

    With ``aggregated`` (default) conf and csat are means of the customers' answers (k customers
    per employee as the design draws them), so their paths are those of the aggregated
    variables: the customers' own deviations dilute the between-employee signal (this is what
    ICC(2) measures). Without it, the paths of the employee-level constructs themselves (the
    population's standardized values). Ignores the response styles and the 1-7 rounding of the
    items. Returns columns channel, predictor, outcome, parameter, value (standardized) and
    r2 (the outcome's R²)."""
    table = validate_population(table)
    rows = []
    for channel in CHANNELS:
        p = parameters(table, channel, checked=False)
        inv_k = mean_inverse_customers(p["min_customers"], p["extra_customers_mean"]) if aggregated else 0.0
        cov = latent_covariance(p, inv_k)
        sd = np.sqrt(np.diag(cov))
        corr = cov / np.outer(sd, sd)
        for i, outcome in enumerate(_ORDER):
            predictors = [j for j in range(len(_ORDER)) if _is_predictor(_ORDER[j], outcome)]
            if not predictors:
                continue
            r_xx = corr[np.ix_(predictors, predictors)]
            r_xy = corr[predictors, i]
            beta = np.linalg.solve(r_xx, r_xy)
            r2 = float(r_xy @ beta)
            for j, value in zip(predictors, beta):
                name = next(k for k, (pr, out) in PATHS.items() if pr == _ORDER[j] and out == outcome)
                rows.append({"channel": channel, "predictor": _ORDER[j], "outcome": outcome, "parameter": name,
                             "value": float(value), "r2": r2})
    return pd.DataFrame(rows)


def _is_predictor(predictor: str, outcome: str) -> bool:
    return any(pr == predictor and out == outcome for pr, out in PATHS.values())


@validated
def effects(direct: float, a: float, b: float, conf_csat: float | None = None) -> dict[str, float]:
    """Effects of infusion use on confirmation through the two mechanisms: ``direct`` (infusion →
    confirmation), ``indirect`` = a · b (infusion → user satisfaction → confirmation) and
    ``total``; with ``conf_csat``, also the total effect on customer satisfaction."""
    direct, a, b = (check.number(n, v) for n, v in (("direct", direct), ("a", a), ("b", b)))
    out = {"direct": direct, "indirect": a * b, "total": direct + a * b}
    if conf_csat is not None:
        out["on_satisfaction"] = out["total"] * check.number("conf_csat", conf_csat)
    return out


@validated
def within_between_slopes(table: pd.DataFrame) -> pd.DataFrame:
    """The slopes of customer satisfaction on confirmation that a within/between (Mundlak) model
    of customers' *observed* scale scores (``aggregation.within_between``) estimates in a large
    sample, per channel, for continuous items (``simulate_study(likert=False)``; the 1-7 rounding
    moves them a little).

    Latent slopes: ``within_latent`` is ``conf_csat_within``; ``between_latent`` the slope of an
    employee's satisfaction level on their confirmation level (``conf_csat`` plus what the
    controls it omits carry). Observed slopes: each customer's scale score is λ̄·(construct) +
    response style + the mean of three item errors, so within one employee the score's error
    (variance Σ(1 − λ²  − m²)/9, plus the style m², shared with the customer's satisfaction items)
    attenuates the slope and the shared style inflates it; between employees, means over E[k]
    customers carry only 1/E[k] of that error. So even when the latent slopes are equal (the
    book's assumption) the observed within and between slopes differ. Returns channel,
    within_latent, between_latent, within_observed, between_observed."""
    table = validate_population(table)
    rows = []
    for channel in CHANNELS:
        p = parameters(table, channel, checked=False)
        lam = np.array([p["loading_1"], p["loading_2"], p["loading_3"]])
        lbar2, m2 = lam.mean() ** 2, p["method_customer"] ** 2
        error = float(np.sum(1 - lam**2 - m2)) / 9
        icc_c, icc_s, slope = p["icc_conf"], p["icc_csat"], p["conf_csat_within"]
        k = p["min_customers"] + p["extra_customers_mean"]
        cov = latent_covariance(p)
        c, s_ = _ORDER.index("conf"), _ORDER.index("csat")
        var_w = lbar2 * (1 - icc_c) + m2 + error
        cov_w = lbar2 * slope * (1 - icc_c) * np.sqrt(icc_s / icc_c) + m2
        var_b = lbar2 * icc_c + var_w / k
        cov_b = lbar2 * np.sqrt(icc_c * icc_s) * cov[c, s_] + cov_w / k
        rows.append({"channel": channel, "within_latent": slope, "between_latent": float(cov[c, s_]),
                     "within_observed": float(cov_w / var_w), "between_observed": float(cov_b / var_b)})
    return pd.DataFrame(rows)
