"""The measurement model of the infusion-use study: reliability, validity, invariance, common method.

Every scale has three items; the four-factor CFA (``models.CFA``: INF, USAT, CONF, CSAT) is
fitted by maximum likelihood through ``utils.sem``, separately in each channel (the study reports
its results per channel). What each function computes:

- Cronbach's α of k items: α = k/(k − 1) · (1 − Σ s²_i / s²_total), with the item variances s²_i
  and the variance of the item sum s²_total (ddof = 1). For items of equal variance and equal
  correlations r̄ it is the Spearman-Brown value k·r̄ / (1 + (k − 1)·r̄).
- Composite reliability from the standardized loadings λ_i of a factor (Fornell & Larcker 1981):
  CR = (Σλ_i)² / ((Σλ_i)² + Σ(1 − λ_i²)).
- Average variance extracted: AVE = mean of λ_i² (Fornell & Larcker 1981).
- Fornell-Larcker criterion: √AVE of each factor should exceed the absolute value of its
  correlation with every other factor (the factor correlations are the standardized ``F1 ~~ F2``
  covariances of the CFA).
- HTMT, the heterotrait-monotrait ratio (Henseler, Ringle & Sarstedt 2015), from the item
  correlations: for factors i and j, the mean absolute correlation between an item of i and an
  item of j, divided by the geometric mean of the mean absolute correlation among the items of i
  and the mean absolute correlation among the items of j (off-diagonal, within factor). With
  equal loadings it estimates the factor correlation; values below ``HTMT_CUTOFF`` (.85)
  indicate discriminant validity.
- Measurement invariance across channels: ``utils.sem.invariance`` (configural, metric = equal
  loadings, scalar = equal loadings and intercepts), each step judged by the χ² difference test
  and the change in CFI (a drop of more than .01 rejects the step, Cheung & Rensvold 2002).
- Harman's single-factor check for common-method variance: all twelve items on one factor
  (``models.ONE_FACTOR``) against the four-factor CFA, with the likelihood-ratio test of the
  one-factor model (nested in the four-factor model: factor correlations all 1).

What goes in: the analysis sample of ``aggregation.employee_data`` (one row per employee, the
twelve items and ``channel``). What comes out: tidy DataFrames, Series and plain values. Bad input
(a missing item column, an unknown channel, missing values) raises a ValueError naming the
problem; a model that cannot be fitted raises ``utils.sem.SemError`` (a ValueError).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from utils import _checks as check
from utils import sem
from utils.infusion import models
from utils.infusion.population import CHANNELS
from utils.sem import SemFit
from utils._checks import validated
from utils.errors import InputError

__all__ = [
    "ALPHA_CUTOFF", "CR_CUTOFF", "AVE_CUTOFF", "HTMT_CUTOFF", "INVARIANCE_P", "DELTA_CFI_CUTOFF",
    "cfa_fits", "loadings", "cronbach_alpha", "composite_reliability", "average_variance_extracted",
    "reliability", "fornell_larcker", "fornell_larcker_ok", "htmt", "measurement_invariance",
    "harman_test", "validity_summary",
]

# Cronbach's α of at least .70 (Nunnally 1978, the usual reading of his threshold for research).
ALPHA_CUTOFF = 0.70
# Composite reliability of at least .70 (Fornell & Larcker 1981, after Nunnally 1978).
CR_CUTOFF = 0.70
# Average variance extracted of at least .50: the factor explains more of its items' variance
# than error does (Fornell & Larcker 1981).
AVE_CUTOFF = 0.50
# HTMT below .85 indicates discriminant validity (Henseler, Ringle & Sarstedt 2015; .90 is their
# more lenient alternative).
HTMT_CUTOFF = 0.85
# An invariance step holds when the χ² difference test does not reject at this level ...
INVARIANCE_P = 0.05
# ... and CFI drops by no more than this (Cheung & Rensvold 2002).
DELTA_CFI_CUTOFF = 0.01

ITEMS: list[str] = [item for items in models.FACTORS.values() for item in items]


# --------------------------------------------------------------------------- checks


def _check_employees(employees: pd.DataFrame) -> None:
    """Raise a ValueError unless ``employees`` has the twelve items and a channel column whose
    values are all in CHANNELS, with rows for each channel."""
    check.columns(employees, [*ITEMS, "channel"], "employees")
    unknown = sorted(set(employees["channel"].dropna()) - set(CHANNELS), key=str)
    if unknown or employees["channel"].isna().any():
        shown = unknown + (["missing"] if employees["channel"].isna().any() else [])
        raise InputError(f"employees has channel value(s) {shown}; channel must be one of {list(CHANNELS)}")
    absent = [c for c in CHANNELS if not (employees["channel"] == c).any()]
    if absent:
        raise InputError(f"employees has no rows for channel(s) {absent}")


def _check_channel(channel: str) -> str:
    if channel not in CHANNELS:
        raise InputError(f"channel must be one of {list(CHANNELS)}, got {channel!r}")
    return channel


def _check_fit(fit: object, name: str = "fit") -> SemFit:
    if not isinstance(fit, SemFit):
        raise InputError(f"{name} must be a SemFit from utils.sem.fit (e.g. from cfa_fits), got {type(fit).__name__}")
    return fit


def _check_fits(fits: object) -> Mapping[str, SemFit]:
    if not isinstance(fits, Mapping):
        raise InputError(f"fits must be a dict of SemFit by channel (from cfa_fits), got {type(fits).__name__}")
    missing = [c for c in CHANNELS if c not in fits]
    if missing:
        raise InputError(f"fits lacks the channel(s) {missing}; it has {list(fits)}")
    for channel in CHANNELS:
        _check_fit(fits[channel], f"fits[{channel!r}]")
    return fits


def _in_channel(employees: pd.DataFrame, channel: str) -> pd.DataFrame:
    return employees[employees["channel"] == channel]


# --------------------------------------------------------------------------- CFA and loadings


@validated
def cfa_fits(employees: pd.DataFrame) -> dict[str, SemFit]:
    """The four-factor CFA (``models.CFA``) fitted by ML in each channel of ``employees`` (the
    analysis sample of ``aggregation.employee_data``). Returns ``{channel: SemFit}`` in the order
    of CHANNELS. Raises a ValueError for missing item columns, unknown channels or a channel
    without rows (and ``SemError`` for data the model cannot be fitted to)."""
    _check_employees(employees)
    return {channel: sem.fit(models.CFA, _in_channel(employees, channel)) for channel in CHANNELS}


def _std_loadings(fit: SemFit) -> dict[str, pd.Series]:
    """Standardized loadings (std_all) of each factor of ``fit``, indexed by item, in model order."""
    rows = fit.estimates[fit.estimates["op"] == "=~"]
    if rows.empty:
        raise InputError("the fit has no loadings (=~ rows): is it a CFA?")
    return {factor: part.set_index("rhs")["std_all"].rename(factor)
            for factor, part in rows.groupby("lhs", sort=False)}


@validated
def loadings(fits: Mapping[str, SemFit]) -> pd.DataFrame:
    """The loadings of the channel fits (``cfa_fits``) as a tidy table, one row per channel and
    item: channel, factor, item, est (unstandardized; the first item of each factor is fixed at 1
    with se 0), se, std (the completely standardized loading, lavaan's std_all)."""
    fits = _check_fits(fits)
    frames = []
    for channel in CHANNELS:
        rows = fits[channel].estimates
        rows = rows[rows["op"] == "=~"]
        frames.append(pd.DataFrame({"channel": channel, "factor": rows["lhs"].to_numpy(),
                                    "item": rows["rhs"].to_numpy(), "est": rows["est"].to_numpy(),
                                    "se": rows["se"].to_numpy(), "std": rows["std_all"].to_numpy()}))
    return pd.concat(frames, ignore_index=True)


# --------------------------------------------------------------------------- reliability


@validated
def cronbach_alpha(frame: pd.DataFrame, items: str | Sequence[str]) -> float:
    """Cronbach's α of the columns ``items`` of ``frame``: k/(k − 1) · (1 − Σ item variances /
    variance of the item sum), variances with ddof = 1. Raises a ValueError for fewer than two
    items, missing columns, missing values, fewer than two rows or a constant item sum."""
    if isinstance(items, str):
        items = [items]
    items = list(items)
    if len(items) < 2:
        raise InputError(f"cronbach_alpha needs at least two items, got {len(items)} ({items})")
    check.columns(frame, items, "the data")
    values = frame[items]
    if values.isna().any().any():
        bad = values.columns[values.isna().any()].tolist()
        raise InputError(f"cronbach_alpha: missing values in {bad}; drop or impute those rows first")
    if len(values) < 2:
        raise InputError(f"cronbach_alpha needs at least two rows, got {len(values)}")
    values = values.astype(float)
    total_variance = float(values.sum(axis=1).var(ddof=1))
    if total_variance == 0:
        raise InputError(f"cronbach_alpha: the sum of {items} is constant; α is undefined")
    k = len(items)
    return k / (k - 1) * (1 - float(values.var(ddof=1).sum()) / total_variance)


def _lambdas(std_loadings: Sequence[float] | pd.Series) -> np.ndarray:
    try:
        values = np.asarray(std_loadings, dtype=float)
    except (TypeError, ValueError):
        values = np.array([np.nan])
    if values.ndim == 1 and len(values) and np.all(np.isfinite(values)) and np.any(np.abs(values) > 1):
        raise check.InputError("standardized loadings lie between -1 and 1 (a larger one is a Heywood case "
                               f"or an unstandardized loading), got {list(values)}")
    if values.ndim != 1 or len(values) == 0 or not np.all(np.isfinite(values)):
        raise check.InputError("standardized loadings must be a non-empty list of finite numbers, "
                         f"got {list(values.ravel())}")
    return values


@validated
def composite_reliability(std_loadings: Sequence[float] | pd.Series) -> float:
    """Composite reliability of a factor from its standardized loadings λ (Fornell & Larcker 1981):
    (Σλ)² / ((Σλ)² + Σ(1 − λ²))."""
    lam = _lambdas(std_loadings)
    common = lam.sum() ** 2
    return float(common / (common + np.sum(1 - lam**2)))


@validated
def average_variance_extracted(std_loadings: Sequence[float] | pd.Series) -> float:
    """Average variance extracted of a factor from its standardized loadings λ: the mean of λ²
    (Fornell & Larcker 1981)."""
    return float(np.mean(_lambdas(std_loadings) ** 2))


@validated
def reliability(employees: pd.DataFrame, fits: Mapping[str, SemFit] | None = None) -> pd.DataFrame:
    """Reliability and convergent validity of each factor in each channel: one row per channel ×
    factor with n (employees), alpha (Cronbach's α of the factor's items in that channel), cr and
    ave (from the standardized loadings of the channel's CFA; pass ``fits`` from
    :func:`cfa_fits` on the same ``employees`` to avoid refitting) and the flags alpha_ok (α ≥
    ALPHA_CUTOFF), cr_ok (CR ≥ CR_CUTOFF), ave_ok (AVE ≥ AVE_CUTOFF)."""
    _check_employees(employees)
    fits = cfa_fits(employees) if fits is None else _check_fits(fits)
    rows = []
    for channel in CHANNELS:
        part = _in_channel(employees, channel)
        std = _std_loadings(fits[channel])
        for factor, items in models.FACTORS.items():
            if factor not in std:
                raise InputError(f"the {channel} fit has no factor {factor!r}: fits must come from cfa_fits")
            lam = std[factor].reindex(list(items))
            if lam.isna().any():
                raise InputError(f"the {channel} fit lacks loadings of {factor} on {lam.index[lam.isna()].tolist()}")
            alpha = cronbach_alpha(part, items)
            cr, ave = composite_reliability(lam), average_variance_extracted(lam)
            rows.append({"channel": channel, "factor": factor, "n": len(part), "alpha": alpha, "cr": cr, "ave": ave,
                         "alpha_ok": alpha >= ALPHA_CUTOFF, "cr_ok": cr >= CR_CUTOFF, "ave_ok": ave >= AVE_CUTOFF})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- discriminant validity


@validated
def fornell_larcker(fit: SemFit) -> pd.DataFrame:
    """The Fornell-Larcker matrix of a CFA fit: factors × factors (in model order), √AVE on the
    diagonal, the factor correlations (std_all of the ``F1 ~~ F2`` rows) off it. Raises a
    ValueError when the fit has no loadings or lacks a factor covariance."""
    fit = _check_fit(fit)
    std = _std_loadings(fit)
    factors = list(std)
    matrix = pd.DataFrame(np.nan, index=pd.Index(factors, name="factor"), columns=factors)
    for factor, lam in std.items():
        matrix.loc[factor, factor] = np.sqrt(average_variance_extracted(lam))
    est = fit.estimates
    pairs = est[(est["op"] == "~~") & (est["lhs"] != est["rhs"])
                & est["lhs"].isin(factors) & est["rhs"].isin(factors)]
    for row in pairs.itertuples(index=False):
        matrix.loc[row.lhs, row.rhs] = matrix.loc[row.rhs, row.lhs] = row.std_all
    if matrix.isna().any().any():
        missing = [f"{a} ~~ {b}" for i, a in enumerate(factors) for b in factors[i + 1:] if pd.isna(matrix.loc[a, b])]
        raise InputError(f"the fit has no factor covariance for {', '.join(missing)}")
    return matrix


@validated
def fornell_larcker_ok(fit: SemFit) -> bool:
    """True when every factor's √AVE exceeds the absolute value of each of its correlations with
    the other factors (the Fornell-Larcker criterion)."""
    matrix = fornell_larcker(fit).to_numpy()
    diagonal = np.diag(matrix)
    off = np.abs(matrix - np.diag(diagonal))
    return bool(np.all(diagonal > off.max(axis=1)))


@validated
def htmt(frame: pd.DataFrame, factors: Mapping[str, Sequence[str]] = models.FACTORS) -> pd.DataFrame:
    """The heterotrait-monotrait ratio (Henseler, Ringle & Sarstedt 2015) of every pair of
    ``factors`` (name → its items, at least two each) from the Pearson correlations of the items in
    ``frame``: mean |heterotrait correlation| / √(mean |monotrait correlation of i| · mean
    |monotrait correlation of j|). A square symmetric DataFrame, factors in the given order, NaN on
    the diagonal. Raises a ValueError for missing columns or values, a factor with fewer than two
    items, an item in two factors, or a factor whose items do not correlate."""
    if not isinstance(factors, Mapping) or len(factors) < 2:
        raise InputError("factors must map at least two factor names to their items")
    groups = {name: [items] if isinstance(items, str) else list(items) for name, items in factors.items()}
    short = [name for name, items in groups.items() if len(items) < 2]
    if short:
        raise InputError(f"htmt needs at least two items per factor; {short} have fewer")
    columns = [item for items in groups.values() for item in items]
    repeated = sorted({item for item in columns if columns.count(item) > 1})
    if repeated:
        raise InputError(f"items {repeated} belong to more than one factor")
    check.columns(frame, columns, "the data")
    values = frame[columns]
    if values.isna().any().any():
        raise InputError(f"htmt: missing values in {values.columns[values.isna().any()].tolist()}")
    r = values.astype(float).corr().abs()
    if r.isna().any().any():
        raise InputError(f"htmt: constant item(s) {values.columns[values.nunique() < 2].tolist()}")
    monotrait = {}
    for name, items in groups.items():
        block = r.loc[items, items].to_numpy()
        monotrait[name] = float(block[np.triu_indices(len(items), 1)].mean())
        if monotrait[name] <= 0:
            raise InputError(f"htmt: the items of {name} do not correlate (mean monotrait correlation 0)")
    names = list(groups)
    out = pd.DataFrame(np.nan, index=pd.Index(names, name="factor"), columns=names)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            hetero = float(r.loc[groups[a], groups[b]].to_numpy().mean())
            out.loc[a, b] = out.loc[b, a] = hetero / np.sqrt(monotrait[a] * monotrait[b])
    return out


# --------------------------------------------------------------------------- invariance, common method


@validated
def measurement_invariance(employees: pd.DataFrame) -> pd.DataFrame:
    """The invariance sequence of the four-factor CFA across channels (``utils.sem.invariance``:
    configural, metric, scalar; columns chi2, df, pvalue, cfi, tli, rmsea, srmr, aic, bic,
    chi2_diff, df_diff, pvalue_diff), plus delta_cfi (CFI minus the previous step's; NaN for
    configural) and verdict: 'holds' when pvalue_diff ≥ INVARIANCE_P and CFI drops by no more
    than DELTA_CFI_CUTOFF, otherwise 'rejected'; '' for configural (nothing to compare)."""
    _check_employees(employees)
    # ftol 1e-9: fit_groups polishes its optimum by Fisher scoring, so χ² and the tests agree
    # with ftol 1e-12 to six decimals in a quarter less time
    table = sem.invariance(models.CFA, employees[[*ITEMS, "channel"]], "channel", ftol=1e-9)
    table["delta_cfi"] = table["cfi"].diff()
    holds = (table["pvalue_diff"] >= INVARIANCE_P) & (table["delta_cfi"] >= -DELTA_CFI_CUTOFF)
    table["verdict"] = np.where(holds, "holds", "rejected")
    table.loc[table["pvalue_diff"].isna(), "verdict"] = ""
    return table


@validated
def harman_test(employees: pd.DataFrame, channel: str) -> pd.Series:
    """Harman's single-factor check in ``channel``: the one-factor model (``models.ONE_FACTOR``)
    and the four-factor CFA fitted to the same employees, and the likelihood-ratio test of the
    one-factor model against the CFA (``utils.sem.lr_test``). Returns chi2_one, df_one, cfi_one,
    rmsea_one, chi2_four, df_four, cfi_four, rmsea_four, chi2_diff, df_diff, pvalue; a small
    pvalue rejects "one factor accounts for the items" (no dominant common-method factor)."""
    _check_channel(channel)
    _check_employees(employees)
    part = _in_channel(employees, channel)
    one = sem.fit(models.ONE_FACTOR, part)
    four = sem.fit(models.CFA, part)
    test = sem.lr_test(one, four)
    out = {}
    for suffix, result in (("one", one), ("four", four)):
        for key in ("chi2", "df", "cfi", "rmsea"):
            out[f"{key}_{suffix}"] = result.fit_table[key]
    out.update(chi2_diff=float(test["chi2_diff"]), df_diff=int(test["df_diff"]), pvalue=float(test["pvalue"]))
    return pd.Series(out, name=channel, dtype=float)


@validated
def validity_summary(employees: pd.DataFrame) -> pd.DataFrame:
    """One row per channel summarising the measurement model: n, alpha_min, cr_min, ave_min
    (the smallest over the four factors), fornell_larcker_ok, htmt_max (largest HTMT of any pair)
    and htmt_ok (htmt_max < HTMT_CUTOFF), and the CFA's chi2, df, cfi, rmsea, srmr."""
    _check_employees(employees)
    fits = cfa_fits(employees)
    table = reliability(employees, fits)
    rows = []
    for channel in CHANNELS:
        rel = table[table["channel"] == channel]
        h = htmt(_in_channel(employees, channel))
        htmt_max = float(np.nanmax(h.to_numpy()))
        fit_table = fits[channel].fit_table
        rows.append({"channel": channel, "n": int(fit_table["n"]), "alpha_min": float(rel["alpha"].min()),
                     "cr_min": float(rel["cr"].min()), "ave_min": float(rel["ave"].min()),
                     "fornell_larcker_ok": fornell_larcker_ok(fits[channel]), "htmt_max": htmt_max,
                     "htmt_ok": htmt_max < HTMT_CUTOFF,
                     **{key: fit_table[key] for key in ("chi2", "df", "cfi", "rmsea", "srmr")}})
    return pd.DataFrame(rows)
