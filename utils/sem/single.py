"""One-group structural equation models: semopy's fit with a correct, complete fit table.

:func:`fit` takes a model description in semopy/lavaan syntax (``=~``, ``~``, ``~~``, labels as
``a*x2``) and a DataFrame with one column per observed variable, and returns a :class:`SemFit`.
semopy does the maximum-likelihood fit (sample covariance divided by N, expected information);
this module recomputes the fit statistics that semopy gets wrong or leaves out, the way lavaan
0.6 computes them (``fitMeasures``), and checks the input first.

Fit table (``SemFit.fit_table``, a mapping):

- ``chi2`` = N·F_ML, ``df``, ``pvalue``; ``npar`` free parameters, ``n`` cases.
- ``df`` and ``npar`` follow lavaan's ``fixed.x = TRUE``: the variances and covariances of
  observed exogenous variables (semopy fixes them at their sample values) are neither data nor
  parameters, so ``df = p(p+1)/2 − px(px+1)/2 − npar`` (semopy counts ``p(p+1)/2`` and reports
  df 4 for ``y1 ~ x1 + x2; y5 ~ y1 + x1``, where lavaan has 1).
- ``cfi`` (capped at 1, as lavaan) and ``tli`` against the baseline model of lavaan: observed
  endogenous variables independent, observed exogenous ones saturated (``baseline_chi2``,
  ``baseline_df``).
- ``rmsea`` = √max(0, (χ² − df)/(N·df)) (N, not N − 1), its 90 % interval ``rmsea_ci_lower``,
  ``rmsea_ci_upper`` from inverting the noncentral χ² in its noncentrality, and ``rmsea_pvalue``
  (close fit, H0: RMSEA ≤ .05).
- ``srmr``: lavaan's "srmr" (= its ``srmr_bentler``): root mean square of the residuals
  ``(s_ij − σ_ij)/√(s_ii s_jj)`` (both scaled by the *sample* standard deviations) over the
  p(p+1)/2 elements on and below the diagonal. Where the model reproduces the variances exactly
  this is the SRMR on correlations; where it does not (PoliticalDemocracy SEM: .0444 here and in
  lavaan), the version that standardizes Σ by its own diagonal differs (.0445).
- ``loglik`` = −N/2 (p log 2π + log|S| + p + F_ML) (semopy's ``LogLik`` is F, not a
  log-likelihood); with observed exogenous variables, lavaan's (fixed.x) conditional
  log-likelihood: that minus the saturated log-likelihood of the exogenous block,
  −N/2 (px log 2π + log|S_xx| + px). ``aic`` = −2 loglik + 2 npar, ``bic`` = −2 loglik + npar log N.

Estimates (``SemFit.estimates``): lavaan's ``parameterEstimates`` columns lhs, op, rhs, label
(empty if none), est, se, z, pvalue, std_all. Loadings are written ``factor =~ indicator``; fixed
parameters (first loadings, the exogenous covariances) have se 0 and no z or p, as in lavaan.
``std_all`` is lavaan's: semopy's standardized column, except for covariances, which lavaan
standardizes by the two variance parameters (a residual correlation for residual covariances)
where semopy divides by the total variances.

Parameter covariance (``SemFit.vcov()``): the inverse expected information over the free
parameters, named as lavaan's ``vcov()`` names them; matches lavaan within 1e-5 on the three
reference models (``tests/test_sem_vcov.py``).

Variances are unbounded, as in lavaan (semopy bounds them at 0): a Heywood case gives lavaan's
negative estimate and a :class:`SemWarning` naming the variable.

Matches lavaan 0.6-14 (tests/test_sem_single.py) on Holzinger–Swineford's CFA, the
PoliticalDemocracy SEM and a path model with observed exogenous variables; and on models with
zero, one and two observed exogenous variables, including the textbook mediation model
``m ~ x; y ~ m + x`` (tests/test_sem_exogenous.py: estimates, SEs, χ², df, CFI).
Equality constraints: a shared label (``a*x2 + a*x3``) is one parameter; each equality
``CONSTRAINT(a - b = 0)`` takes one from ``npar`` and adds one to ``df`` as in lavaan (χ², df,
npar, logL and AIC then match lavaan), but semopy's standard errors ignore such constraints (the
two constrained estimates get different SEs), so prefer shared labels. Not covered: mean
structures, missing data (FIML), inequality constraints.

Timing (2 cores, ftol 1e-12, median of 5 warm fits, checks and statistics included): the
Holzinger–Swineford 3-factor CFA 0.023 s, the PoliticalDemocracy SEM 0.050 s, the path model
0.013 s. The first fit in a process costs the same; importing semopy takes about 1.3 s. See
``tests/test_sem_single.py::test_warm_fit_time``.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import optimize, stats

from utils.sem.errors import SemError, SemWarning
from utils.sem._threads import single_threaded
from utils.sem.syntax import canonical
from utils._checks import validated

if TYPE_CHECKING:  # semopy is imported when a fit runs (it pulls in scikit-learn and sympy)
    import semopy


ESTIMATE_COLUMNS = ["lhs", "op", "rhs", "label", "est", "se", "z", "pvalue", "std_all"]
FIT_KEYS = (
    "chi2", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea_ci_lower", "rmsea_ci_upper",
    "rmsea_pvalue", "srmr", "loglik", "aic", "bic", "n", "npar", "baseline_chi2", "baseline_df",
)
# The smallest eigenvalue of the sample covariance, relative to the largest, below which it is
# treated as not positive definite.
_PD_TOLERANCE = 1e-10


@dataclass
class SemFit:
    """A fitted one-group model: ``fit_table`` (mapping, keys in ``FIT_KEYS``), ``estimates``
    (DataFrame, columns ``ESTIMATE_COLUMNS``), the semopy ``model``, the ``data`` it was fitted
    on (the observed columns only) and the ``desc``."""

    desc: str
    data: pd.DataFrame
    model: semopy.Model
    fit_table: Mapping[str, float]
    estimates: pd.DataFrame = field(repr=False)

    @single_threaded
    def vcov(self) -> pd.DataFrame:
        """The covariance matrix of the free parameter estimates (the inverse expected
        information, the same matrix whose diagonal gives the ``se`` column), as a DataFrame.

        Rows and columns are named as lavaan's ``vcov()`` names unlabelled free parameters,
        ``lhs op rhs`` without spaces (``visual=~x2``, ``x1~~x1``, ``dem60~ind60``), in the order
        of the free rows of ``estimates``; labelled parameters are named the same way (lavaan
        uses the label, which repeats when a label is shared), so a label shared by two rows
        gives two identical rows and columns. Fixed parameters are left out. Matches lavaan's
        ``vcov()`` within 1e-5 on the reference models (``tests/test_sem_vcov.py``)."""
        theta, cov, positions = _parameter_covariance(self)
        free = [i for i, pos in enumerate(positions) if pos >= 0]
        names = [_lavaan_name(self.estimates.iloc[i]) for i in free]
        index = positions[free]
        return pd.DataFrame(cov[np.ix_(index, index)], index=names, columns=names)

    def summary(self) -> str:
        """Return (and print) the fit table and the estimates as readable text."""
        t = self.fit_table
        lines = [
            f"SEM fit (ML), N = {t['n']}, free parameters = {t['npar']}",
            f"  chi2 = {t['chi2']:.3f}, df = {t['df']}, p = {t['pvalue']:.4g}",
            f"  CFI = {t['cfi']:.3f}, TLI = {t['tli']:.3f}",
            f"  RMSEA = {t['rmsea']:.3f} (90% CI {t['rmsea_ci_lower']:.3f}–{t['rmsea_ci_upper']:.3f}),"
            f" SRMR = {t['srmr']:.3f}",
            f"  logL = {t['loglik']:.3f}, AIC = {t['aic']:.3f}, BIC = {t['bic']:.3f}",
            "",
            self.estimates.to_string(index=False, float_format=lambda v: f"{v:.3f}", na_rep=""),
        ]
        text = "\n".join(lines)
        print(text)
        return text


# --------------------------------------------------------------------------- the description


def _terms(desc: str) -> list[tuple[str, str, str, str]]:
    """Return (lhs, op, rhs, label) for every term of the ``=~``, ``~`` and ``~~`` lines of
    ``desc``; ``label`` is the name before ``*`` when it is not a number ("" otherwise)."""
    out = []
    for line in re.split(r"[\n;]", desc):
        line = line.split("#")[0].strip()
        match = re.match(r"^(.+?)\s*(=~|~~|~)\s*(.+)$", line)
        if not match or match.group(2) not in ("=~", "~~", "~"):
            continue
        lhs_part, op, rhs_part = match.groups()
        for lhs in (s.strip() for s in lhs_part.split(",")):
            for term in rhs_part.split("+"):
                *mods, rhs = (s.strip() for s in term.split("*"))
                label = ""
                if mods and re.fullmatch(r"[A-Za-z_.][A-Za-z0-9_.]*", mods[0]):
                    label = mods[0]
                out.append((lhs, op, rhs, label))
    return out


# --------------------------------------------------------------------------- parameters


def _lavaan_name(row: pd.Series, group_number: int = 1) -> str:
    """lavaan's name of an unlabelled free parameter: ``lhs op rhs`` without spaces, ``.gK``
    appended for group K > 1."""
    name = f"{row['lhs']}{row['op']}{row['rhs']}"
    return name if group_number == 1 else f"{name}.g{group_number}"


def _location_keys(model: semopy.Model, measured: set[tuple[str, str]]) -> dict[tuple[str, str, str], int]:
    """(lhs, op, rhs) → position in ``model.param_vals`` for every location of every active
    parameter; covariances are keyed both ways round, loadings as ``factor =~ indicator``."""
    active = [name for name, p in model.parameters.items() if p.active]
    position = {name: i for i, name in enumerate(active)}
    ops = {0: "~", 1: "~", 2: "~~", 3: "~~"}
    keys = {}
    for name, parameter in model.parameters.items():
        if name not in position:
            continue
        for loc in parameter.locations:
            n = next(i for i in range(4) if model.matrices[i] is loc.matrix)
            rows, cols = model.names[n]
            lhs, rhs = rows[loc.indices[0]], cols[loc.indices[1]]
            op = ops[n]
            if op == "~" and (rhs, lhs) in measured:
                lhs, op, rhs = rhs, "=~", lhs
            keys[(lhs, op, rhs)] = position[name]
            if op == "~~":
                keys[(rhs, op, lhs)] = position[name]
    return keys


def _parameter_covariance(result: "SemFit") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The estimates θ̂ of semopy's active parameters, their covariance (inverse expected
    information, as semopy's and lavaan's SEs) and, for every row of ``result.estimates``, the
    position of its parameter in θ̂ (−1 for fixed rows)."""
    model = result.model
    measured = {(lhs, rhs) for lhs, op, rhs, _ in _terms(result.desc) if op == "=~"}
    keys = _location_keys(model, measured)
    positions = np.array([keys.get((r.lhs, r.op, r.rhs), -1) if r.se > 0 else -1
                          for r in result.estimates.itertuples()], dtype=int)
    _, cov = model.calc_fim(inverse=True)
    return np.array(model.param_vals, dtype=float), np.asarray(cov, dtype=float), positions


# --------------------------------------------------------------------------- input checks


def _check_data(model: semopy.Model, data: pd.DataFrame) -> pd.DataFrame:
    """Return the observed columns of ``data`` as floats, or raise SemError naming the names
    missing from the data, non-numeric, all-missing or constant columns, missing values per
    column, or the variables of a sample covariance that is not positive definite."""
    observed = list(model.vars["observed"])
    missing_names = [v for v in observed if v not in data.columns]
    if missing_names:
        raise SemError(f"the model names variables that are not columns of the data: {', '.join(missing_names)}")
    sub = data[observed]
    non_numeric = [v for v in observed if not pd.api.types.is_numeric_dtype(sub[v])]
    if non_numeric:
        raise SemError(f"non-numeric columns: {', '.join(non_numeric)}")
    sub = sub.astype(float)
    infinite = [v for v in observed if np.isinf(sub[v]).any()]
    if infinite:
        raise SemError(f"infinite values in the column(s) {', '.join(infinite)}; fit() needs finite data")
    all_missing = [v for v in observed if sub[v].isna().all()]
    if all_missing:
        raise SemError(f"columns with no values at all: {', '.join(all_missing)}")
    n_missing = sub.isna().sum()
    if n_missing.any():
        counts = ", ".join(f"{v}: {int(k)}" for v, k in n_missing.items() if k)
        raise SemError(f"missing values ({counts}); fit() needs complete data: drop or impute those rows first")
    constant = [v for v in observed if sub[v].nunique() < 2]
    if constant:
        raise SemError(f"constant columns (zero variance): {', '.join(constant)}")
    cov = np.atleast_2d(np.cov(sub.to_numpy(), rowvar=False, bias=True))
    values, vectors = np.linalg.eigh(cov)
    if values[0] <= _PD_TOLERANCE * values[-1]:
        weights = np.abs(vectors[:, 0])
        involved = [v for v, w in zip(observed, weights) if w > 0.1]
        raise SemError(
            "the sample covariance matrix is not positive definite (smallest eigenvalue "
            f"{values[0]:.3g}): the variables {', '.join(involved)} are (nearly) linearly dependent"
            + (f", or there are too few cases ({len(sub)}) for {len(observed)} variables" if len(sub) <= len(observed) else "")
        )
    return sub


# --------------------------------------------------------------------------- fit statistics


def _observed_exogenous(model: semopy.Model) -> list[str]:
    """The observed exogenous variables, whose (co)variances semopy fixes at sample values."""
    return [v for v in model.vars["observed"] if v in model.vars["exogenous"] and v not in model.vars["latent"]]


@validated
def rmsea_interval(chi2: float, df: int, n: int, level: float = 0.90) -> tuple[float, float]:
    """The ``level`` interval of RMSEA (lavaan's convention, N): the noncentralities λ at which
    χ² is the upper and lower (1 − level)/2 quantile of χ²(df, λ), as √(λ/(N·df))."""
    if df <= 0:
        return (np.nan, np.nan)
    tail = (1 - level) / 2

    def bound(prob: float) -> float:
        def f(lam: float) -> float:
            cdf = stats.ncx2.cdf(chi2, df, lam) if lam > 0 else stats.chi2.cdf(chi2, df)
            return cdf - prob

        if f(0.0) < 0:
            return 0.0
        hi = max(n, chi2 * 4, 1.0)
        while f(hi) > 0:
            hi *= 2
        return optimize.brentq(f, 0.0, hi, xtol=1e-12)

    return (np.sqrt(bound(1 - tail) / (n * df)), np.sqrt(bound(tail) / (n * df)))


def _fit_statistics(model: semopy.Model, sub: pd.DataFrame, npar: int) -> dict[str, float]:
    """The fit table (see the module docstring) of a fitted ``model`` on complete data ``sub``."""
    observed = list(model.vars["observed"])
    n = len(sub)
    p = len(observed)
    exo = _observed_exogenous(model)
    px = len(exo)
    S = np.atleast_2d(np.cov(sub[observed].to_numpy(), rowvar=False, bias=True))
    sigma = model.calc_sigma()[0]
    _, logdet_s = np.linalg.slogdet(S)
    _, logdet_sigma = np.linalg.slogdet(sigma)
    F = logdet_sigma - logdet_s + np.trace(S @ np.linalg.inv(sigma)) - p
    chi2 = n * F
    df = p * (p + 1) // 2 - px * (px + 1) // 2 - npar
    pvalue = float(stats.chi2.sf(chi2, df)) if df > 0 else np.nan

    # Baseline: endogenous observed variables independent, exogenous block saturated.
    is_exo = np.array([v in exo for v in observed])
    logdet_base = np.sum(np.log(np.diag(S)[~is_exo]))
    if px:
        logdet_base += np.linalg.slogdet(S[np.ix_(is_exo, is_exo)])[1]
    base_chi2 = n * (logdet_base - logdet_s)
    base_df = p * (p + 1) // 2 - px * (px + 1) // 2 - (p - px)

    t1 = max(chi2 - df, 0.0)
    t2 = max(chi2 - df, base_chi2 - base_df, 0.0)
    cfi = 1.0 if t2 == 0 else 1 - t1 / t2
    tli = ((base_chi2 / base_df) - (chi2 / df)) / ((base_chi2 / base_df) - 1) if df > 0 else 1.0

    rmsea = np.sqrt(max(chi2 - df, 0.0) / (n * df)) if df > 0 else 0.0
    lower, upper = rmsea_interval(chi2, df, n)
    rmsea_p = float(stats.ncx2.sf(chi2, df, n * df * 0.05**2)) if df > 0 else np.nan

    sd_s = np.sqrt(np.diag(S))
    resid = (S - sigma) / np.outer(sd_s, sd_s)
    srmr = float(np.sqrt(np.mean(resid[np.tril_indices(p)] ** 2)))

    loglik = -n / 2 * (p * np.log(2 * np.pi) + logdet_s + p + F)
    if px:  # lavaan's fixed.x: the likelihood of the endogenous variables given the exogenous ones
        logdet_xx = np.linalg.slogdet(S[np.ix_(is_exo, is_exo)])[1]
        loglik += n / 2 * (px * np.log(2 * np.pi) + logdet_xx + px)
    return {
        "chi2": float(chi2), "df": int(df), "pvalue": pvalue, "cfi": float(cfi), "tli": float(tli),
        "rmsea": float(rmsea), "rmsea_ci_lower": float(lower), "rmsea_ci_upper": float(upper),
        "rmsea_pvalue": rmsea_p, "srmr": srmr, "loglik": float(loglik),
        "aic": float(-2 * loglik + 2 * npar), "bic": float(-2 * loglik + npar * np.log(n)),
        "n": int(n), "npar": int(npar), "baseline_chi2": float(base_chi2), "baseline_df": int(base_df),
    }


# --------------------------------------------------------------------------- estimates


def _estimates(model: semopy.Model, desc: str, sub: pd.DataFrame) -> pd.DataFrame:
    """semopy's parameter table in lavaan's form (see the module docstring), with the fixed
    variances and covariances of observed exogenous variables added as lavaan lists them."""
    raw = model.inspect(std_est=True)
    terms = _terms(desc)
    measurement = {(lhs, rhs) for lhs, op, rhs, _ in terms if op == "=~"}
    labels = {}
    for lhs, op, rhs, label in terms:
        if label:
            labels[(lhs, op, rhs)] = label
            if op == "~~":
                labels[(rhs, op, lhs)] = label
    rows = []
    for r in raw.itertuples(index=False):
        lhs, op, rhs = r.lval, r.op, r.rval
        if op == "~" and (rhs, lhs) in measurement:
            lhs, op, rhs = rhs, "=~", lhs
        se = pd.to_numeric(r[5], errors="coerce")
        z = pd.to_numeric(r[6], errors="coerce")
        pv = pd.to_numeric(r[7], errors="coerce")
        rows.append({
            "lhs": lhs, "op": op, "rhs": rhs, "label": labels.get((lhs, op, rhs), ""),
            "est": float(r.Estimate), "se": 0.0 if pd.isna(se) else float(se),
            "z": float(z), "pvalue": float(pv), "std_all": float(r[4]),
        })
    exo = _observed_exogenous(model)
    if exo:
        S = np.atleast_2d(np.cov(sub[exo].to_numpy(), rowvar=False, bias=True))
        for i, a in enumerate(exo):
            for j in range(i, len(exo)):
                rows.append({
                    "lhs": a, "op": "~~", "rhs": exo[j], "label": "", "est": float(S[i, j]), "se": 0.0,
                    "z": np.nan, "pvalue": np.nan, "std_all": float(S[i, j] / np.sqrt(S[i, i] * S[j, j])),
                })
    # lavaan's std.all of a covariance is a correlation of the (residual) terms: the estimate over
    # the square roots of the two variance parameters (semopy divides by the total variances).
    variance = {r["lhs"]: r["est"] for r in rows if r["op"] == "~~" and r["lhs"] == r["rhs"]}
    for r in rows:
        if r["op"] == "~~" and r["lhs"] != r["rhs"] and r["lhs"] in variance and r["rhs"] in variance:
            with np.errstate(invalid="ignore"):
                r["std_all"] = float(r["est"] / np.sqrt(variance[r["lhs"]] * variance[r["rhs"]]))
    order = {"=~": 0, "~": 1, "~~": 2}
    table = pd.DataFrame(rows, columns=ESTIMATE_COLUMNS)
    table = table.sort_values("op", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)
    return table


def _warn_heywood(estimates: pd.DataFrame) -> None:
    """Warn with SemWarning for every negative variance estimate, naming the variable."""
    variances = estimates[(estimates["op"] == "~~") & (estimates["lhs"] == estimates["rhs"])]
    for row in variances[variances["est"] < 0].itertuples():
        warnings.warn(
            f"negative variance estimate for {row.lhs} ({row.est:.4g}): a Heywood case; the model "
            "may be misspecified or the sample too small", SemWarning, stacklevel=3,
        )


# --------------------------------------------------------------------------- fit


def _check_exogenous_terms(model: semopy.Model, desc: str) -> None:
    """Raise SemError for ``~~`` terms among observed exogenous variables: their variances and
    covariances are taken from the data (lavaan's fixed.x), and semopy would estimate some of them
    and fix the others, which changes npar, AIC and BIC."""
    exo = set(_observed_exogenous(model))
    named = [f"{lhs} ~~ {rhs}" for lhs, op, rhs, _ in _terms(desc) if op == "~~" and lhs in exo and rhs in exo]
    if named:
        raise SemError(
            f"the description sets (co)variances of observed exogenous variables ({', '.join(named)}); "
            "fit() takes them from the data, as lavaan does by default: remove those terms"
        )


def _free_variance_bounds(model: semopy.Model, desc: str) -> None:
    """Drop semopy's lower bound 0 on variances, as lavaan has none: a Heywood case then shows
    as the negative estimate lavaan reports (and is warned about) instead of a variance stuck at
    0 with every other estimate shifted. Kept when ``desc`` sets bounds itself (``BOUND``)."""
    if re.search(r"\bbound\b", desc, flags=re.IGNORECASE):
        return
    for parameter in model.parameters.values():
        if parameter.bound == (0, None):
            parameter.bound = (None, None)


@validated
@single_threaded
def fit(desc: str, data: pd.DataFrame, *, ftol: float = 1e-12) -> SemFit:
    """Fit the model ``desc`` (semopy/lavaan syntax) by maximum likelihood on the complete
    observed columns of ``data`` and return a :class:`SemFit` (fit table and estimates as in the
    module docstring). ``ftol`` is the optimizer tolerance (1e-12 reproduces lavaan's z-values).

    Raises SemError for names in ``desc`` missing from ``data``, ``~~`` terms among observed
    exogenous variables (their (co)variances come from the data), non-numeric, constant or
    all-missing columns, missing values, a sample covariance that is not positive definite, fewer
    cases than free parameters, or a fit that does not converge; warns with SemWarning for a
    negative variance estimate."""
    import semopy

    try:
        model = semopy.Model(canonical(desc))
    except Exception as exc:  # semopy's parser raises assorted errors
        raise SemError(f"cannot read the model description: {' '.join(str(exc).split())}") from exc
    if not model.vars["observed"]:
        raise SemError(f"the model description names no observed variable, got {desc!r}")
    sub = _check_data(model, data)
    _check_exogenous_terms(model, desc)
    _free_variance_bounds(model, desc)
    model.load(sub)
    # lavaan counts each equality constraint (CONSTRAINT(a - b = 0)) as one parameter less.
    n_equalities = sum(1 for c in (model.constraints or []) if c.get("type") == "eq")
    npar = len(model.param_vals) - n_equalities
    if len(sub) < npar:
        raise SemError(f"fewer cases ({len(sub)}) than free parameters ({npar})")
    p, px = len(model.vars["observed"]), len(_observed_exogenous(model))
    df = p * (p + 1) // 2 - px * (px + 1) // 2 - npar
    if df < 0:
        raise SemError(f"the model is not identified: {npar} free parameters for "
                       f"{p * (p + 1) // 2 - px * (px + 1) // 2} variances and covariances (df {df}); "
                       "fix a parameter or drop a path")
    try:  # BLAS on one thread (fit is single_threaded, see utils.sem._threads)
        result = model.fit(sub, options={"ftol": ftol})
    except np.linalg.LinAlgError as exc:
        raise SemError(f"the fit failed: {exc}") from exc
    if not result.success or not np.isfinite(result.fun):
        raise SemError(
            f"the fit did not converge after {result.n_it} iterations ({result.message}); "
            "try other starting values or a simpler model"
        )
    estimates = _estimates(model, desc, sub)
    _warn_heywood(estimates)
    table = _fit_statistics(model, sub, npar)
    return SemFit(desc=desc, data=sub, model=model, fit_table=table, estimates=estimates)
