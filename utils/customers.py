"""Real customers: the ECSI mobile-phone survey and the corporate-reputation survey, fitted by
CB-SEM (``utils.sem``) and PLS-SEM (``utils.pls``) from one model string each.

What goes in: the published data (``load_mobi``, ``load_reputation``, read through
``utils.data``) and fits made by ``sem.fit``, ``pls.fit`` and ``pls.bootstrap``. What comes out:
tidy DataFrames that put the methods side by side.

- ``ECSI_MODEL``: the European Customer Satisfaction Index model of Tenenhaus et al. (2005) in
  lavaan syntax: image → expectations → perceived quality → perceived value → satisfaction →
  complaints and loyalty, with the direct paths the ECSI adds. ``CUSCO`` (complaints) is one
  item, so it enters as an observed variable (a single-item construct in PLS).
- ``REPUTATION_MODEL``: the simple corporate-reputation model of Hair et al. (2017, 2021):
  competence and likeability → satisfaction (one item, ``cusa``) and loyalty; satisfaction →
  loyalty.
- ``latent_correlations``: the model-implied correlations of a CB-SEM fit's constructs
  (latent variables and observed endogenous ones), Φ = (I − B)⁻¹ Ψ (I − B)⁻ᵀ scaled to
  correlations; checked against lavaan's ``lavInspect(fit, "cor.lv")``.
- ``loadings_table``, ``quality_table``, ``paths_table``, ``vif_table``: loadings, reliability
  (α, composite reliability ρ_C, AVE), standardized paths with 95 % intervals, and variance
  inflation factors, one column or row per method.
- ``theory_checks``: the links chapters 3 and 5 predict, each tested in the direction the
  theory predicts, with the Monte Carlo error of every bootstrap verdict.

The CB-SEM intervals are Wald intervals (ML estimate ± 1.96 SE, expected information), scaled to
the standardized metric by the fit's own standardization factor (treated as fixed, so they are
approximate): a bootstrap of this CB-SEM model would refit the whole ML model on every
resample, and one fit of the ECSI model costs about 0.6 s of CPU.
The PLS and PLSc intervals are bootstrap percentile intervals with the Monte Carlo standard
error of each end.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import stats

from utils import _checks, data, inference, pls, sem
from utils.sem import SemFit
from utils._checks import validated
from utils.errors import InputError

__all__ = [
    "ECSI_MODEL", "REPUTATION_MODEL", "ECSI_LABELS", "REPUTATION_LABELS", "MISSING_CODE",
    "HTMT_STRICT", "HTMT_LENIENT", "VIF_CUTOFF", "METHODS", "THEORY_LINKS",
    "load_mobi", "load_reputation", "fit_cb_sem", "latent_correlations", "composite_reliability",
    "average_variance_extracted", "loadings_table", "quality_table", "paths_table", "vif_table",
    "theory_checks", "path_draws",
]

ECSI_MODEL = """
Image =~ IMAG1 + IMAG2 + IMAG3 + IMAG4 + IMAG5
Expectation =~ CUEX1 + CUEX2 + CUEX3
Quality =~ PERQ1 + PERQ2 + PERQ3 + PERQ4 + PERQ5 + PERQ6 + PERQ7
Value =~ PERV1 + PERV2
Satisfaction =~ CUSA1 + CUSA2 + CUSA3
Loyalty =~ CUSL1 + CUSL2 + CUSL3
Expectation ~ Image
Quality ~ Expectation
Value ~ Expectation + Quality
Satisfaction ~ Image + Expectation + Quality + Value
CUSCO ~ Satisfaction
Loyalty ~ Image + Satisfaction + CUSCO
"""
"""The ECSI model (Tenenhaus et al. 2005) for CB-SEM and PLS-SEM alike."""

REPUTATION_MODEL = """
COMP =~ comp_1 + comp_2 + comp_3
LIKE =~ like_1 + like_2 + like_3
CUSL =~ cusl_1 + cusl_2 + cusl_3
cusa ~ COMP + LIKE
CUSL ~ COMP + LIKE + cusa
"""
"""The simple corporate-reputation model (Hair et al. 2017, 2021)."""

ECSI_LABELS = {"Image": "image", "Expectation": "expectations", "Quality": "perceived quality",
               "Value": "perceived value", "Satisfaction": "satisfaction", "CUSCO": "complaints",
               "Loyalty": "loyalty"}
REPUTATION_LABELS = {"COMP": "competence", "LIKE": "likeability", "cusa": "satisfaction",
                     "CUSL": "loyalty"}
MISSING_CODE = -99
"""How the corporate-reputation file codes a missing answer."""
HTMT_STRICT = 0.85
"""HTMT above this questions discriminant validity (Henseler, Ringle & Sarstedt 2015) ..."""
HTMT_LENIENT = 0.90
"""... and above this for conceptually close constructs, their lenient threshold."""
VIF_CUTOFF = 5.0
"""A predictor's VIF of 5 or more signals critical collinearity (Hair et al. 2021, Table 6.1)."""
METHODS = ("CB-SEM", "PLS", "PLSc")
THEORY_LINKS = (
    # (chapter, outcome, predictor, direction, what the chapter predicts)
    ("3", "Satisfaction", "Quality", "greater",
     "expectation confirmation: better performance, at the same expectation, raises satisfaction"),
    ("3", "Satisfaction", "Expectation", "less",
     "expectation confirmation with the chapter's numbers (β_C = 0.8 > β_E = 0.3): a higher "
     "expectation, at the same performance, lowers satisfaction"),
    ("5", "Loyalty", "Satisfaction", "greater",
     "service-profit chain: more satisfied customers are more loyal"),
)
"""The links the theory chapters predict, in the ECSI model's names."""


# --------------------------------------------------------------------------- data


@validated
def load_mobi() -> pd.DataFrame:
    """The ECSI mobile-phone survey: 250 customers × 24 items (1–10), no missing values."""
    return data.read_csv("ecsi/mobi.csv")


@validated
def load_reputation() -> pd.DataFrame:
    """The corporate-reputation survey: 344 customers × 41 columns, the −99 codes as NaN."""
    frame = data.read_csv("reputation/corp_rep_data.csv")
    return frame.mask(frame == MISSING_CODE)


# --------------------------------------------------------------------------- CB-SEM extras


@validated
def fit_cb_sem(desc: str, frame: pd.DataFrame) -> SemFit:
    """``utils.sem.fit(desc, frame)`` after refusing a latent variable measured by one item.

    A factor with a single indicator is not identified (its loading and the item's error variance
    cannot both be estimated); ``utils.sem.fit`` would fit it anyway and return a Heywood case with
    meaningless estimates. Name the item in the structural model instead (``y ~ item``)."""
    model = pls.parse(desc)
    single = [f"{c} (item {items[0]})" for c, items in model.constructs.items()
              if model.modes[c] == "A" and len(items) == 1]
    if single:
        raise sem.SemError(
            f"a latent variable needs at least two items in CB-SEM, but {', '.join(single)} has one: "
            "it is not identified. Name the item in the structural model directly (y ~ item)")
    if any(mode == "B" for mode in model.modes.values()):
        raise sem.SemError("CB-SEM has no Mode B composites (<~): use =~ or fit the model with utils.pls")
    return sem.fit(desc, frame)


@validated
def latent_correlations(fit: SemFit) -> pd.DataFrame:
    """Model-implied correlations of the constructs of a CB-SEM fit (latent variables and the
    observed variables of the structural part), from the fitted B and Ψ matrices."""
    if not isinstance(fit, SemFit):
        raise InputError(f"fit must be a SemFit from utils.sem.fit, got {type(fit).__name__}")
    model = fit.model
    names = list(model.names_beta[0])
    beta = np.asarray(model.mx_beta, dtype=float)
    psi = np.asarray(model.mx_psi, dtype=float)
    inverse = np.linalg.inv(np.eye(len(names)) - beta)
    phi = inverse @ psi @ inverse.T
    sd = np.sqrt(np.diag(phi))
    return pd.DataFrame(phi / np.outer(sd, sd), index=names, columns=names)


def _loadings(values: object, name: str) -> np.ndarray:
    try:
        lam = np.asarray(values, dtype=float).ravel()
    except (TypeError, ValueError):
        raise _checks.InputError(f"{name}: std_loadings must be a list of numbers, got {values!r}") from None
    if lam.size < 2:
        raise _checks.InputError(f"{name} needs the standardized loadings of at least two items, got {lam.size}")
    if not np.all(np.isfinite(lam)):
        raise _checks.InputError(f"{name}: the loadings must be finite numbers")
    if np.any(np.abs(lam) > 1):
        raise _checks.InputError(f"{name}: standardized loadings lie between -1 and 1 (a larger one is a Heywood "
                                 f"case or an unstandardized loading), got {list(lam)}")
    return lam


@validated
def composite_reliability(std_loadings: object) -> float:
    """ρ_C = (Σλ)² / ((Σλ)² + Σ(1 − λ²)) from standardized loadings (Fornell & Larcker 1981)."""
    lam = _loadings(std_loadings, "composite_reliability")
    return float(lam.sum() ** 2 / (lam.sum() ** 2 + (1 - lam**2).sum()))


@validated
def average_variance_extracted(std_loadings: object) -> float:
    """AVE = mean of λ² over standardized loadings (Fornell & Larcker 1981)."""
    return float(np.mean(_loadings(std_loadings, "average_variance_extracted") ** 2))


# --------------------------------------------------------------------------- side by side


def _check_fits(cb: SemFit, fits: Mapping[str, pls.PlsFit]) -> None:
    if not isinstance(cb, SemFit):
        raise InputError(f"cb must be a SemFit from utils.sem.fit, got {type(cb).__name__}")
    for name, fit in fits.items():
        if not isinstance(fit, pls.PlsFit):
            raise InputError(f"{name} must be a PlsFit from utils.pls.fit, got {type(fit).__name__}")


@validated
def loadings_table(cb: SemFit, pls_fit: pls.PlsFit, plsc_fit: pls.PlsFit) -> pd.DataFrame:
    """Standardized loadings of every multi-item construct's items: columns construct, item,
    CB-SEM (lavaan's std.all), PLS and PLSc."""
    _check_fits(cb, {"pls_fit": pls_fit, "plsc_fit": plsc_fit})
    ml = cb.estimates[cb.estimates["op"] == "=~"].set_index(["lhs", "rhs"])["std_all"]
    rows = []
    for construct, items in pls_fit.model.constructs.items():
        if len(items) < 2:
            continue
        for item in items:
            rows.append({"construct": construct, "item": item, "CB-SEM": float(ml[(construct, item)]),
                         "PLS": _est(pls_fit.loadings, construct, item),
                         "PLSc": _est(plsc_fit.loadings, construct, item)})
    return pd.DataFrame(rows)


def _est(table: pd.DataFrame, lhs: str, rhs: str) -> float:
    return float(table.loc[(table["lhs"] == lhs) & (table["rhs"] == rhs), "est"].iloc[0])


@validated
def quality_table(cb: SemFit, pls_fit: pls.PlsFit, plsc_fit: pls.PlsFit) -> pd.DataFrame:
    """Reliability of every multi-item construct: Cronbach's α (from the items alone, the same
    for every method) and, per method, composite reliability ρ_C and AVE from that method's
    standardized loadings. Columns alpha, rho_c CB-SEM, rho_c PLS, rho_c PLSc, ave CB-SEM, …"""
    loads = loadings_table(cb, pls_fit, plsc_fit)
    rows = {}
    for construct, group in loads.groupby("construct", sort=False):
        row = {"alpha": float(pls_fit.reliability.loc[construct, "alpha"])}
        for method in METHODS:
            row[f"rho_c {method}"] = composite_reliability(group[method])
        for method in METHODS:
            row[f"ave {method}"] = average_variance_extracted(group[method])
        rows[construct] = row
    return pd.DataFrame(rows).T


@validated
def paths_table(cb: SemFit, pls_fit: pls.PlsFit, plsc_fit: pls.PlsFit, pls_boot: pd.DataFrame,
                plsc_boot: pd.DataFrame) -> pd.DataFrame:
    """Standardized path coefficients with 95 % intervals, one row per path and method.

    Columns: lhs, rhs, method, estimate, low, high, low_mcse, high_mcse, interval. CB-SEM:
    std.all with the Wald interval of the ML estimate scaled by std.all / est (approximate);
    PLS and PLSc: the bootstrap percentile interval and the Monte Carlo SE of its ends."""
    _check_fits(cb, {"pls_fit": pls_fit, "plsc_fit": plsc_fit})
    ml = cb.estimates[cb.estimates["op"] == "~"].set_index(["lhs", "rhs"])
    z = stats.norm.ppf(0.975)
    rows = []
    for predictor, outcome in pls_fit.model.paths:
        r = ml.loc[(outcome, predictor)]
        scale = r["std_all"] / r["est"]
        low, high = sorted([(r["est"] - z * r["se"]) * scale, (r["est"] + z * r["se"]) * scale])
        rows.append({"lhs": outcome, "rhs": predictor, "method": "CB-SEM", "estimate": float(r["std_all"]),
                     "low": float(low), "high": float(high), "low_mcse": 0.0, "high_mcse": 0.0,
                     "interval": "Wald (ML ± 1.96 SE), standardized"})
        for method, boot in (("PLS", pls_boot), ("PLSc", plsc_boot)):
            b = boot[(boot["op"] == "~") & (boot["lhs"] == outcome) & (boot["rhs"] == predictor)].iloc[0]
            rows.append({"lhs": outcome, "rhs": predictor, "method": method, "estimate": float(b["estimate"]),
                         "low": float(b["pct_low"]), "high": float(b["pct_high"]),
                         "low_mcse": float(b["pct_low_mcse"]), "high_mcse": float(b["pct_high_mcse"]),
                         "interval": f"bootstrap percentile ({int(b['n_boot'])} resamples)"})
    return pd.DataFrame(rows)


@validated
def vif_table(correlations: Mapping[str, pd.DataFrame], model: pls.Model) -> pd.DataFrame:
    """Variance inflation factors of each endogenous construct's predictors, from each method's
    construct correlations: VIF_k = [R⁻¹]_kk for the predictors' correlation matrix R. One row
    per (outcome, predictor), one column per method."""
    rows = []
    for outcome in model.endogenous:
        predictors = model.predictors(outcome)
        if len(predictors) < 2:
            continue
        vifs = {}
        for method, corr in correlations.items():
            _checks.columns(corr, predictors, f"correlations[{method!r}]")
            sub = corr.loc[predictors, predictors].to_numpy(dtype=float)
            vifs[method] = np.diag(np.linalg.inv(sub))
        for k, predictor in enumerate(predictors):
            rows.append({"lhs": outcome, "rhs": predictor, **{m: float(v[k]) for m, v in vifs.items()}})
    return pd.DataFrame(rows)


@validated
def theory_checks(cb: SemFit, boots: Mapping[str, pd.DataFrame], *, alpha: float = 0.05,
                  equivalence_bound: float = 0.1) -> pd.DataFrame:
    """Test each link of ``THEORY_LINKS`` in the direction the theory predicts (one-sided, at
    ``alpha``: the theory names the sign).

    CB-SEM: the one-sided z-test of the ML estimate (no Monte Carlo error). Each bootstrapped
    method in ``boots`` (name → ``pls.bootstrap`` table): the one-sided percentile bound (the
    ``alpha`` or 1 − ``alpha`` quantile of the draws) against 0, borderline when it lies within
    3 Monte Carlo SE of 0 (``utils.inference.interval_verdict``). Where the prediction is not
    supported, a TOST (bootstrap SE, normal theory) says whether the standardized effect is
    shown to lie within ±``equivalence_bound``. Columns: chapter, link, prediction, method,
    estimate, bound, bound_mcse, p (CB-SEM only), verdict, equivalent."""
    if not isinstance(cb, SemFit):
        raise InputError(f"cb must be a SemFit from utils.sem.fit, got {type(cb).__name__}")
    alpha = _checks.number("alpha", alpha)
    if not 0 < alpha < 0.5:
        raise InputError(f"alpha must lie strictly between 0 and 0.5, got {alpha:g}")
    ml = cb.estimates[cb.estimates["op"] == "~"].set_index(["lhs", "rhs"])
    rows = []
    for chapter, outcome, predictor, direction, prediction in THEORY_LINKS:
        link = f"{predictor} → {outcome}"
        base = {"chapter": chapter, "link": link, "prediction": prediction}
        r = ml.loc[(outcome, predictor)]
        zval = r["est"] / r["se"]
        p = float(stats.norm.sf(zval) if direction == "greater" else stats.norm.cdf(zval))
        verdict = inference.p_verdict(p, alpha=alpha, test=f"one-sided z-test ({direction})")
        tost = inference.tost(float(r["std_all"]), float(r["se"] * r["std_all"] / r["est"]), equivalence_bound, alpha=alpha)
        rows.append({**base, "method": "CB-SEM", "estimate": float(r["std_all"]), "bound": np.nan,
                     "bound_mcse": 0.0, "p": p, "verdict": verdict.label,
                     "equivalent": bool(tost.equivalent) if verdict.label != "supported" else None})
        for method, boot in boots.items():
            draws = pls.draws_of(boot, outcome, "~", predictor)
            estimate = float(boot.loc[(boot["lhs"] == outcome) & (boot["op"] == "~") & (boot["rhs"] == predictor), "estimate"].iloc[0])
            q = alpha if direction == "greater" else 1 - alpha
            bound = float(np.quantile(draws, q))
            mcse = inference.quantile_mcse(draws, q)
            if direction == "greater":
                v = inference.interval_verdict(bound, max(bound, float(draws.max())), lower_mcse=mcse, sided="greater")
            else:
                v = inference.interval_verdict(min(bound, float(draws.min())), bound, upper_mcse=mcse, sided="less")
            tost = inference.tost(estimate, float(draws.std(ddof=1)), equivalence_bound, alpha=alpha)
            rows.append({**base, "method": method, "estimate": estimate, "bound": bound, "bound_mcse": mcse,
                         "p": np.nan, "verdict": v.label,
                         "equivalent": bool(tost.equivalent) if v.label != "supported" else None})
    return pd.DataFrame(rows)


@validated
def path_draws(paths: pd.DataFrame, boots: Mapping[str, pd.DataFrame], outcome: str,
               predictor: str) -> tuple[dict[str, np.ndarray], dict[str, float]]:
    """For the path ``predictor → outcome``: the bootstrap draws of each method in ``boots``, and
    the CB-SEM row of ``paths`` (``paths_table``) as {estimate, low, high}."""
    _checks.columns(paths, ["lhs", "rhs", "method", "estimate", "low", "high"], "paths")
    row = paths[(paths["lhs"] == outcome) & (paths["rhs"] == predictor) & (paths["method"] == "CB-SEM")]
    if row.empty:
        raise InputError(f"the model has no path {predictor} → {outcome}")
    reference = {key: float(row[key].iloc[0]) for key in ("estimate", "low", "high")}
    return {m: pls.draws_of(b, outcome, "~", predictor) for m, b in boots.items()}, reference

