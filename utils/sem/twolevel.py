"""Two-level structural equation models by full-information maximum likelihood.

When rows (customers) are nested in clusters (the employees who served them), every variable
measured on the rows splits into a part that varies within clusters and a cluster-level part:
y_ij = μ + b_j + w_ij. A two-level SEM gives each part its own model, written as lavaan writes it
(Rosseel 2021)::

    level: 1
      CONF_W =~ conf1 + conf2 + conf3      # within employees: customers differ
      CSAT_W =~ csat1 + csat2 + csat3
      CSAT_W ~ CONF_W
    level: 2
      INF =~ inf1 + inf2 + inf3            # between employees
      CONF =~ conf1 + conf2 + conf3
      CONF ~ INF

A variable named under both levels has a within and a between part; one named only under
``level: 2`` is a between-only variable (constant within clusters, such as what employees report
about themselves; :func:`fit_twolevel` checks that it is); one named only under ``level: 1`` is
within-only. Latent and observed variables can appear at both levels, with regressions,
covariances, labels (``a*x``, shared labels are one parameter, also across levels), fixed values
(``1*x``) and ``NA*x`` to free a first loading, as in lavaan; lavaan's ``sem()`` defaults are
added (see ``_twolevel_spec``).

**The likelihood** (McDonald & Goldstein 1989; Muthén 1994; Rosseel 2021): the deviations of a
cluster's rows from their cluster mean carry the within covariance Σ_W only; the cluster's
means, stacked with its between-only values, are normal with covariance Σ_B + Σ_W / n_j (Σ_B
from the between model); clusters of one size share one matrix inverse (``_twolevel_stats``).
It is maximised by Fisher scoring (the expected information of the cluster-mean vectors and the
within-cluster Wishart part, with a backtracking line search; scipy's L-BFGS-B when scoring
fails) with an analytic gradient (the chain rule through each level's RAM matrices,
``_twolevel_ram``), then polished by Newton steps. Standard errors come from the observed
information (the Hessian of −log L, by central differences of the analytic gradient), which is
lavaan's default for two-level models (``information = "observed"``).

**Fit table** (``TwoLevelFit.fit_table``) as lavaan's ``fitMeasures``: ``chi2`` = 2(log L of the
unrestricted two-level model − log L), per group and floored at 0, ``df``, ``pvalue``; ``cfi``,
``tli`` against lavaan's two-level baseline (every non-exogenous variable independent at both
levels); ``rmsea`` (with N the number of rows, × √G for G groups) and its 90 % interval;
``srmr_within``, ``srmr_between`` (residual correlations against the unrestricted model, each
level); ``loglik``, ``aic``, ``bic`` (log of the number of rows); ``n`` (rows), ``clusters``,
``npar``, ``groups``, ``baseline_chi2``, ``baseline_df``, ``unrestricted_loglik``. The
unrestricted model is fitted by lavaan's own EM algorithm with lavaan's start and stopping rule
(``_twolevel_stats.saturated_em``), so χ² is lavaan's. The EM stops when a step gains less than
1e-4 in log L: on lavaan's Demo.twolevel 19 iterations and 6.5e-5 short of the maximum (χ² 1.3e-4
low); on the book's customers, whose between-level covariance of the customer items is nearly
singular, 1,541 iterations, still creeping towards the boundary of positive semi-definite Σ_B
(the unconstrained maximum lies beyond it, 4.4 higher). There lavaan's χ², and so this one, falls short of
the likelihood-ratio statistic against the constrained maximum by an amount the EM does not
reveal (it was still gaining 1e-4 an iteration). Nested models compared with ``lr_test`` share
the unrestricted model, so their χ² differences are exact.
Exogenous covariates (``fixed.x``) have their moments fixed at that fit's values, as lavaan does,
and log L is conditional on the within-only and between-only ones.

**Estimates** (``TwoLevelFit.estimates``): lavaan's ``parameterEstimates`` with a ``level``
column (1 within, 2 between; a ``group`` column first when there are groups): lhs, op
(``=~``, ``~``, ``~~``, ``~1``), rhs, label, est, se, z, pvalue, std_all (standardized by the
implied variances of the row's level; a covariance by its two variance parameters). Fixed rows
have se 0 and no z or p.

**Groups.** ``group=`` fits the model in each group (its own within and between parts) and
holds equal across groups the sets in ``equal``: ``"loadings"`` (both levels), ``"regressions"``
and labels written in the description, as :func:`utils.sem.fit_groups` does (a label not listed
is a separate parameter in each group). :func:`utils.sem.lr_test` compares nested fits.

**Indirect effects** (:meth:`TwoLevelFit.indirect_effects`): products of paths along chains of
one level, with Monte Carlo intervals drawn from the estimates' normal sampling distribution
(N(θ̂, V̂)), their Monte Carlo errors, and optionally standardized.

**Verified against lavaan 0.6-14** (``tests/test_sem_twolevel.py``; R scripts and outputs in
``tests/reference/twolevel/``): lavaan's ``Demo.twolevel`` example; the infusion-use model on the
book's simulated customers in each channel and in two groups; a model with labels shared across
levels and a within-only endogenous variable. χ² within 0.01, estimates and standard errors within
0.001, df exact; and a large-sample recovery of known within and between parameters.

**Not covered**: missing data (two-level FIML), random slopes, more than two levels, categorical
variables, robust (MLR) statistics, ``:=``, ``==`` and inequality constraints, per-group labels
``c(a, b)*x``, and holding intercepts equal across groups. A cluster bootstrap is not offered (one
refit takes about as long as the fit). Single-row clusters are allowed (they inform only the
between level), as in lavaan.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats

from utils.sem import _twolevel_stats as tstats
from utils.sem._twolevel_ram import LevelRAM
from utils.sem._twolevel_spec import LevelRoles, Row, level_roles, parameter_rows, parse
from utils.sem.errors import SemError, SemWarning
from utils._checks import validated

try:  # installed with semopy (via scikit-learn)
    from threadpoolctl import threadpool_limits
except ImportError:  # pragma: no cover
    threadpool_limits = None

__all__ = ["TwoLevelFit", "fit_twolevel", "SETS", "ESTIMATE_COLUMNS", "FIT_KEYS"]

SETS = ("loadings", "regressions")
ESTIMATE_COLUMNS = ["level", "lhs", "op", "rhs", "label", "est", "se", "z", "pvalue", "std_all"]
FIT_KEYS = (
    "chi2", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea_ci_lower", "rmsea_ci_upper", "srmr_within",
    "srmr_between", "loglik", "unrestricted_loglik", "aic", "bic", "n", "clusters", "npar", "groups",
    "baseline_chi2", "baseline_df",
)
# The Hessian: central differences of the analytic gradient (lavaan's lav_model_hessian uses five
# points and step 1e-6); with a gradient exact to ~1e-13, step 1e-5 leaves errors of ~1e-8.
_HESSIAN_STEP = 1e-5
_NEWTON_STEPS = 3
MC_DRAWS_DEFAULT = 20_000
_MC_CHUNK = 5_000


# --------------------------------------------------------------------------- results


@dataclass
class TwoLevelFit:
    """A fitted two-level model: ``fit_table`` (dict, keys ``FIT_KEYS``), ``estimates``
    (DataFrame, columns ``ESTIMATE_COLUMNS``, plus ``group`` first with groups), ``vcov`` (the
    covariance matrix of the free parameters, labelled by the ``estimates`` row of each
    parameter's first appearance), ``desc``, ``cluster``, ``group`` (None for one group),
    ``groups`` (group values in order of first appearance), ``equal``, and per group the rows
    ``n_by_group`` and clusters ``clusters_by_group``."""

    desc: str
    cluster: str
    group: str | None
    groups: list[Any]
    equal: tuple[str, ...]
    fit_table: dict[str, float]
    estimates: pd.DataFrame = field(repr=False)
    vcov: pd.DataFrame = field(repr=False)
    n_by_group: dict[Any, int] = field(default_factory=dict)
    clusters_by_group: dict[Any, int] = field(default_factory=dict)
    _model: Any = field(default=None, repr=False)
    _theta: np.ndarray | None = field(default=None, repr=False)
    _cov: np.ndarray | None = field(default=None, repr=False)

    def summary(self) -> str:
        """Return (and print) the fit table and the estimates as readable text."""
        t = self.fit_table
        where = "" if self.group is None else (
            f" by {self.group!r}: " + ", ".join(f"{g} ({self.clusters_by_group[g]} clusters, {self.n_by_group[g]} rows)"
                                                for g in self.groups))
        lines = [
            f"Two-level SEM (ML), {t['n']} rows in {t['clusters']} clusters of {self.cluster!r}{where}",
            *(["Held equal across groups: " + (", ".join(self.equal) or "nothing")] if self.group else []),
            f"  chi2 = {t['chi2']:.3f}, df = {t['df']}, p = {t['pvalue']:.4g}; free parameters = {t['npar']}",
            f"  CFI = {t['cfi']:.3f}, TLI = {t['tli']:.3f}, RMSEA = {t['rmsea']:.3f} "
            f"(90% CI {t['rmsea_ci_lower']:.3f}–{t['rmsea_ci_upper']:.3f})",
            f"  SRMR within = {t['srmr_within']:.3f}, between = {t['srmr_between']:.3f}",
            f"  logL = {t['loglik']:.3f}, AIC = {t['aic']:.3f}, BIC = {t['bic']:.3f}",
            "",
            self.estimates.to_string(index=False, float_format=lambda v: f"{v:.3f}", na_rep=""),
        ]
        text = "\n".join(lines)
        print(text)
        return text

    def effect_draws(self, chains, *, at: int = 2, group: Any = None, n_draws: int = MC_DRAWS_DEFAULT,
                     seed: int | None = None, standardized: bool = False) -> pd.DataFrame:
        """Monte Carlo draws of the effects along ``chains`` at level ``at`` (1 or 2): the
        parameter vector is drawn ``n_draws`` times from N(θ̂, V̂) (``numpy.random.default_rng
        (seed)``) and each chain's product of path coefficients (standardized with
        ``standardized``) computed on every draw. A chain is a sequence of variable names along
        regression paths (``("INF", "USAT", "CONF")`` for ``USAT ~ INF`` and ``CONF ~ USAT``); a
        two-name chain is one path. Returns a DataFrame, one column per chain (names joined by
        " → "), one row per draw; ``attrs["estimate"]`` holds each chain's estimate at θ̂."""
        return _effect_draws(self, chains, at, group, n_draws, seed, standardized)

    def indirect_effects(self, chains, *, at: int = 2, n_draws: int = MC_DRAWS_DEFAULT,
                         seed: int | None = None, standardized: bool = False,
                         level: float = 0.95) -> pd.DataFrame:
        """Effects along ``chains`` at level ``at`` with Monte Carlo intervals (see
        :meth:`effect_draws`), per group. Returns columns chain, group (None without groups),
        estimate (at θ̂), se (SD of the draws), ci_low, ci_high (the ``level`` percentile interval
        of the draws), ci_low_mcse, ci_high_mcse (Monte Carlo standard errors of the two ends,
        :func:`utils.inference.quantile_mcse`), n_draws. The Monte Carlo interval assumes the
        estimates are normal; it does not assume the product is."""
        from utils.inference import quantile_mcse

        if not 0 < level < 1:
            raise SemError(f"level must lie strictly between 0 and 1, not {level!r}")
        rows = []
        for g in (self.groups if self.group is not None else [None]):
            draws = self.effect_draws(chains, at=at, group=g, n_draws=n_draws, seed=seed, standardized=standardized)
            tail = (1 - level) / 2
            for name in draws.columns:
                values = draws[name].to_numpy()
                low, high = np.quantile(values, [tail, 1 - tail])
                rows.append({"chain": name, "group": g, "estimate": draws.attrs["estimate"][name],
                             "se": float(np.std(values, ddof=1)), "ci_low": float(low), "ci_high": float(high),
                             "ci_low_mcse": quantile_mcse(values, tail), "ci_high_mcse": quantile_mcse(values, 1 - tail),
                             "n_draws": len(values)})
        return pd.DataFrame(rows)


# --------------------------------------------------------------------------- model structure


@dataclass
class _Group:
    name: Any
    stats: tstats.ClusterStats
    saturated: tstats.Saturated
    levels: dict[int, LevelRAM]
    rows: list[tuple[Row, int, float]]  # (row, position in θ or −1, fixed value)


@dataclass
class _Model:
    roles: dict[int, LevelRoles]
    groups: list[_Group]
    npar: int
    start: np.ndarray
    keys: list[Any]
    total_n: int


def _one_thread():
    """BLAS on one thread: the matrices are small and threaded BLAS only adds overhead (on a
    busy 2-core machine it made the multi-group fits 5-6 times slower)."""
    return threadpool_limits(limits=1, user_api="blas") if threadpool_limits else contextlib.nullcontext()


def _exo_value(row: Row, sat: tstats.Saturated, stats: tstats.ClusterStats) -> float:
    """lavaan's fixed value of an exogenous moment: the unrestricted model's (variances at least
    0.001); a level-1 mean of a variable that also lives at level 2 is 0."""
    names = stats.names1 if row.level == 1 else stats.names2
    cov = (sat.sigma_w if row.level == 1 else sat.sigma_b).copy()
    mean = sat.mu_w if row.level == 1 else sat.mu_b
    diag = np.diag(cov).copy()
    cov[np.diag_indices_from(cov)] = np.maximum(diag, 0.001)
    if row.op == "~1":
        if row.level == 1 and row.lhs in stats.names2:
            return 0.0
        return float(mean[names.index(row.lhs)])
    return float(cov[names.index(row.lhs), names.index(row.rhs)])


def _key(row: Row, gi: int, multi: bool, equal: tuple[str, ...]):
    if row.label:
        return ("label", row.label) if (not multi or row.label in equal) else ("label", row.label, gi)
    if multi and ((row.op == "=~" and "loadings" in equal) or (row.op == "~" and "regressions" in equal)):
        return (row.level, row.lhs, row.op, row.rhs)
    return (row.level, row.lhs, row.op, row.rhs, gi)


def _start_value(row: Row, roles: dict[int, LevelRoles], sat: tstats.Saturated, stats: tstats.ClusterStats) -> float:
    """A starting value: loadings from the unrestricted moments (FABIN-like ratio), latent
    variances from the marker, residual variances half the observed variance, means the
    observed means, regressions and covariances 0."""
    level = row.level
    names = stats.names1 if level == 1 else stats.names2
    cov = sat.sigma_w if level == 1 else sat.sigma_b
    mean = sat.mu_w if level == 1 else sat.mu_b
    r = roles[level]
    scale = max(float(np.median(np.abs(np.diag(sat.sigma_w)))), 1e-8)

    def var(v: str) -> float:
        return float(cov[names.index(v), names.index(v)]) if v in names else np.nan

    if row.op == "=~" and row.rhs in names:
        inds = [v for v in r.indicators_of[row.lhs] if v in names]
        marker = inds[0]
        ratios = []
        for other in inds:
            if other in (marker, row.rhs):
                continue
            denom = cov[names.index(marker), names.index(other)]
            if abs(denom) > 1e-8:
                ratios.append(cov[names.index(row.rhs), names.index(other)] / denom)
        value = float(np.median(ratios)) if ratios else 1.0
        return float(np.clip(value, -3, 3)) if np.isfinite(value) else 1.0
    if row.op == "~~" and row.lhs == row.rhs:
        if row.lhs in r.latent:
            inds = [v for v in r.indicators_of.get(row.lhs, []) if v in names]
            if len(inds) >= 2:
                c = cov[names.index(inds[0]), names.index(inds[1])]
                if c > 0:
                    return float(c)
            return 0.05 * scale if level == 1 else 0.05 * max(float(np.median(np.abs(np.diag(cov)))), 1e-8)
        v = var(row.lhs)
        floor = 1e-3 * scale if level == 2 else 1e-6
        return max(0.5 * v, floor) if np.isfinite(v) else 0.5
    if row.op == "~1":
        if row.lhs in names:
            return float(mean[names.index(row.lhs)])
        return 0.0
    return 0.0


def _build(rows: list[Row], roles: dict[int, LevelRoles], per_group: list[tuple[Any, tstats.ClusterStats, tstats.Saturated]],
           equal: tuple[str, ...]) -> _Model:
    multi = len(per_group) > 1
    keys: dict[Any, int] = {}
    starts: list[list[float]] = []
    groups = []
    for gi, (name, st, sat) in enumerate(per_group):
        levels = {}
        placed = []
        for level in (1, 2):
            r = roles[level]
            size = len(r.observed) + len(r.latent)
            a0, s0, m0 = np.zeros((size, size)), np.zeros((size, size)), np.zeros(size)
            idx = {"A": ([], [], []), "S": ([], [], []), "m": ([], [], [])}
            for row in (row for row in rows if row.level == level):
                if not row.free:
                    value = _exo_value(row, sat, st) if row.exo else row.value
                    if row.matrix == "A":
                        a0[row.i, row.j] = value
                    elif row.matrix == "S":
                        s0[row.i, row.j] = s0[row.j, row.i] = value
                    else:
                        m0[row.i] = value
                    placed.append((row, -1, value))
                    continue
                key = _key(row, gi, multi, equal)
                if key not in keys:
                    keys[key] = len(keys)
                    starts.append([])
                pos = keys[key]
                starts[pos].append(_start_value(row, roles, sat, st))
                lists = idx[row.matrix]
                lists[0].append(row.i)
                lists[1].append(row.j)
                lists[2].append(pos)
                placed.append((row, pos, np.nan))
            arr = {k: tuple(np.array(v, dtype=int) for v in lst) for k, lst in idx.items()}
            levels[level] = LevelRAM(len(r.observed), a0, s0, m0, *arr["A"], *arr["S"], arr["m"][0], arr["m"][2])
        groups.append(_Group(name, st, sat, levels, placed))
    start = np.array([float(np.mean(s)) for s in starts])
    ordered = sorted(keys, key=keys.get)
    return _Model(roles, groups, len(keys), start, ordered, sum(st.n for _, st, _ in per_group))


# --------------------------------------------------------------------------- objective


def _moments(group: _Group, theta: np.ndarray):
    out = {}
    for level, ram in group.levels.items():
        sigma, mu, parts = ram.implied(theta)
        if sigma is None:
            return None
        out[level] = (sigma, mu, parts)
    return out


def _objective(theta: np.ndarray, model: _Model, with_grad: bool = True):
    """(−2 log L)/N summed over groups, and its gradient; (inf, 0) outside the admissible region."""
    value = 0.0
    grad = np.zeros_like(theta)
    for group in model.groups:
        moments = _moments(group, theta)
        if moments is None:
            return (np.inf, np.zeros_like(theta)) if with_grad else np.inf
        (sw, mw, p1), (sb, mb, p2) = moments[1], moments[2]
        f, g = tstats.objective(group.stats, sw, mw, sb, mb, gradient=with_grad)
        if not np.isfinite(f):
            return (np.inf, np.zeros_like(theta)) if with_grad else np.inf
        value += f
        if with_grad:
            g_sw, g_mw, g_sb, g_mb = g
            group.levels[1].chain(p1, g_sw, g_mw, grad)
            group.levels[2].chain(p2, g_sb, g_mb, grad)
    if not with_grad:
        return value / model.total_n
    return value / model.total_n, grad / model.total_n


def _fun_grad(theta, model):
    value, grad = _objective(theta, model)
    if not np.isfinite(value):
        return 1e10, np.zeros_like(theta)
    return value, grad


def _hessian(theta: np.ndarray, model: _Model) -> np.ndarray:
    """Hessian of the objective by central differences of the analytic gradient (step 1e-5 ×
    max(1, |θ_j|); lavaan differentiates its analytic gradient numerically too)."""
    n = len(theta)
    hess = np.zeros((n, n))
    for j in range(n):
        h = _HESSIAN_STEP * max(1.0, abs(theta[j]))
        grads = []
        for step in (-h, h):
            shifted = theta.copy()
            shifted[j] += step
            value, grad = _objective(shifted, model)
            if not np.isfinite(value):
                raise SemError("the information matrix cannot be computed: the estimates lie on the edge of "
                               "the admissible region (a covariance matrix is singular)")
            grads.append(grad)
        hess[:, j] = (grads[1] - grads[0]) / (2 * h)
    return (hess + hess.T) / 2


def _information(theta: np.ndarray, model: _Model) -> np.ndarray:
    """Expected information of log L at ``theta``, summed over groups."""
    info = np.zeros((model.npar, model.npar))
    for group in model.groups:
        moments = _moments(group, theta)
        (sw, _, p1), (sb, _, p2) = moments[1], moments[2]
        d_sw, d_mw = group.levels[1].jacobian(p1, model.npar)
        d_sb, d_mb = group.levels[2].jacobian(p2, model.npar)
        info += tstats.information(group.stats, sw, sb, d_sw, d_mw, d_sb, d_mb)
    return info


def _scoring(model: _Model, theta: np.ndarray, max_iter: int = 200) -> tuple[np.ndarray, bool]:
    """Fisher scoring with a backtracking line search: θ ← θ + t I(θ)⁻¹ ∂log L/∂θ. Converges in
    a few dozen steps where L-BFGS needs hundreds of gradients. Returns the estimates and
    whether the steps became negligible."""
    value, grad = _objective(theta, model)
    if not np.isfinite(value):
        return theta, False
    half_n = model.total_n / 2
    for _ in range(max_iter):
        try:
            direction = -np.linalg.solve(_information(theta, model), half_n * grad)
        except np.linalg.LinAlgError:
            return theta, False
        slope = grad @ direction
        if not np.isfinite(slope) or slope >= 0:
            return theta, False
        t = 1.0
        while True:
            trial = theta + t * direction
            trial_value, trial_grad = _objective(trial, model)
            if np.isfinite(trial_value) and trial_value <= value + 1e-4 * t * slope:
                break
            t /= 2
            if t < 1e-10:
                return theta, False
        theta, value, grad = trial, trial_value, trial_grad
        if np.max(np.abs(t * direction)) < 1e-9 * max(1.0, float(np.max(np.abs(theta)))):
            return theta, True
    return theta, False


def _minimise(model: _Model, start: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fisher scoring from ``start`` (L-BFGS-B when scoring fails), then Newton steps with the
    finite-difference Hessian (computed once: the steps move the estimates by far less than
    their standard errors); returns the estimates and that Hessian."""
    theta, converged = _scoring(model, start)
    message, iterations = "Fisher scoring", 0
    if not converged:
        result = optimize.minimize(_fun_grad, start, args=(model,), jac=True, method="L-BFGS-B",
                                   options={"ftol": 1e-13, "gtol": 1e-9, "maxiter": 20000, "maxcor": 30})
        theta, message, iterations = result.x, result.message, result.nit
    value, grad = _objective(theta, model)
    if not np.isfinite(value):
        raise SemError(f"the two-level fit did not converge ({message}): the optimizer left the region "
                       "where the implied covariance matrices are positive definite; try a simpler model")
    hess = _hessian(theta, model)
    for _ in range(_NEWTON_STEPS):
        try:
            step = np.linalg.solve(hess, grad)
        except np.linalg.LinAlgError:
            break
        trial = theta - step
        trial_value, trial_grad = _objective(trial, model)
        if not np.isfinite(trial_value) or trial_value > value + 1e-13 * abs(value):
            break
        theta, value, grad = trial, trial_value, trial_grad
        if np.max(np.abs(grad)) < 1e-12:
            break
    largest = float(np.max(np.abs(grad))) if grad.size else 0.0
    if largest > 1e-6:
        raise SemError(
            f"the two-level fit did not converge (largest gradient {largest:.2g} after {message}"
            f"{f', {iterations} iterations' if iterations else ''}); try a simpler model, or check for a "
            "between-level variance near zero"
        )
    return theta, hess


# --------------------------------------------------------------------------- fit statistics


def _ndat(roles: dict[int, LevelRoles], stats: tstats.ClusterStats) -> int:
    """lavaan's number of sample statistics of one group (lav_partable_ndat, two levels)."""
    p1, p2 = len(stats.names1), len(stats.names2)
    x1, x2 = len(roles[1].exogenous), len(roles[2].exogenous)
    within_y = [v for v in stats.names1 if v not in stats.names2 and v not in roles[1].exogenous]
    level1 = p1 * (p1 + 1) // 2 + len(within_y) - x1 * (x1 + 1) // 2
    level2 = p2 * (p2 + 1) // 2 + p2 - x2 * (x2 + 1) // 2 - x2
    return level1 + level2


def _baseline(roles: dict[int, LevelRoles], group: _Group) -> tuple[float, int]:
    """lavaan's two-level baseline of one group: log L and free parameters of the model in which
    every non-exogenous variable has its own variance at each level and nothing else (level-2
    means and within-only level-1 means free). Exogenous moments are fixed at the unrestricted
    model's values as lavaan's baseline fixes them: covariances and means as they are (level-1
    means of variables that also live at level 2 included), variances from that matrix forced
    positive definite with lavaan's tolerance 0.001 (which moves a between-level variance near 0)."""
    st, sat = group.stats, group.saturated
    x1, x2 = roles[1].exogenous, roles[2].exogenous
    free_w = [k for k, v in enumerate(st.names1) if v not in x1]
    free_b = [k for k, v in enumerate(st.names2) if v not in x2]
    mean_w = [k for k, v in enumerate(st.names1) if v not in x1 and v not in st.names2]
    xw = [k for k, v in enumerate(st.names1) if v in x1]
    xb = [k for k, v in enumerate(st.names2) if v in x2]

    def fixed_cov(cov: np.ndarray, idx: list[int]) -> np.ndarray:
        # lavaan (lav_partable_indep_or_unrestricted): the exogenous covariances from the
        # unrestricted model, their variances from its matrix forced positive definite (tol 0.001)
        out = np.zeros_like(cov)
        block = cov[np.ix_(idx, idx)].copy()
        block[np.diag_indices_from(block)] = np.diag(_force_pd(cov, tol=0.001))[idx]
        out[np.ix_(idx, idx)] = block
        return out

    sw0 = fixed_cov(sat.sigma_w, xw)
    sb0 = fixed_cov(sat.sigma_b, xb)
    mw0 = np.where([v in x1 for v in st.names1], sat.mu_w, 0.0)
    mb0 = np.where([v in x2 for v in st.names2], sat.mu_b, 0.0)
    # the free parameters as linear maps into (Σ_W, μ_W, Σ_B, μ_B): one unit entry each
    k = len(free_w) + len(free_b) + len(mean_w) + len(free_b)
    p1, p2 = len(st.names1), len(st.names2)
    d_sw, d_mw = np.zeros((k, p1, p1)), np.zeros((k, p1))
    d_sb, d_mb = np.zeros((k, p2, p2)), np.zeros((k, p2))
    pos = 0
    for j in free_w:
        d_sw[pos, j, j] = 1.0
        pos += 1
    for j in free_b:
        d_sb[pos, j, j] = 1.0
        pos += 1
    for j in mean_w:
        d_mw[pos, j] = 1.0
        pos += 1
    for j in free_b:
        d_mb[pos, j] = 1.0
        pos += 1

    def unpack(theta):
        return (sw0 + np.tensordot(theta, d_sw, 1), mw0 + theta @ d_mw,
                sb0 + np.tensordot(theta, d_sb, 1), mb0 + theta @ d_mb)

    def fun(theta):
        value, g = tstats.objective(st, *unpack(theta))
        if not np.isfinite(value):
            return np.inf, None
        g_sw, g_mw, g_sb, g_mb = g
        grad = (np.einsum("kij,ij->k", d_sw, g_sw) + d_mw @ g_mw + np.einsum("kij,ij->k", d_sb, g_sb) + d_mb @ g_mb)
        return value, grad

    theta = np.concatenate([np.diag(sat.sigma_w)[free_w], np.maximum(np.diag(sat.sigma_b)[free_b], 1e-3),
                            sat.mu_w[mean_w], sat.mu_b[free_b] + np.array([sat.mu_w[st.names1.index(v)]
                                                                            if v in st.names1 else 0.0
                                                                            for v in np.array(st.names2)[free_b]])])
    value, grad = fun(theta)
    for _ in range(500):  # Fisher scoring (−2 log L has gradient grad; its expected Hessian is 2 I)
        sw, _, sb, _ = unpack(theta)
        step = -np.linalg.solve(2 * tstats.information(st, sw, sb, d_sw, d_mw, d_sb, d_mb), grad)
        t = 1.0
        while True:
            trial_value, trial_grad = fun(theta + t * step)
            if np.isfinite(trial_value) and trial_value <= value + 1e-4 * t * (grad @ step):
                break
            t /= 2
            if t < 1e-10:
                raise SemError("the baseline (independence) model could not be fitted")
        theta, value, grad = theta + t * step, trial_value, trial_grad
        if np.max(np.abs(t * step)) < 1e-10 * max(1.0, float(np.max(np.abs(theta)))):
            break
    return tstats.loglik(st, *unpack(theta)), k


def _force_pd(matrix: np.ndarray, tol: float = 1e-6) -> np.ndarray:
    """lavaan's lav_matrix_symmetric_force_pd."""
    if matrix.shape[0] == 1:
        return np.maximum(matrix, tol)
    values, vectors = np.linalg.eigh(matrix)
    values, vectors = values[::-1], vectors[:, ::-1]
    values = np.where(values / abs(values[0]) < tol, tol * abs(values[0]), values)
    return vectors @ np.diag(values) @ vectors.T


def _srmr(sample: np.ndarray, implied: np.ndarray) -> float:
    def corr(m):
        sd = np.sqrt(np.diag(m))
        return m / np.outer(sd, sd)

    if np.any(np.diag(implied) <= 0):
        return np.nan
    resid = corr(sample) - corr(implied)
    return float(np.sqrt(np.mean(resid[np.tril_indices(len(resid))] ** 2)))


def _fit_table(model: _Model, theta: np.ndarray) -> dict[str, float]:
    from utils.sem.single import rmsea_interval

    total = model.total_n
    loglik = h1 = chi2 = base_chi2 = 0.0
    srmr_w = srmr_b = 0.0
    ndat = base_npar = 0
    for group in model.groups:
        moments = _moments(group, theta)
        (sw, mw, _), (sb, mb, _) = moments[1], moments[2]
        ll = tstats.loglik(group.stats, sw, mw, sb, mb)
        loglik += ll
        h1 += group.saturated.loglik
        chi2 += max(0.0, 2 * (group.saturated.loglik - ll))
        base_ll, base_k = _baseline(model.roles, group)
        base_chi2 += max(0.0, 2 * (group.saturated.loglik - base_ll))
        base_npar += base_k
        ndat += _ndat(model.roles, group.stats)
        weight = group.stats.n / total
        srmr_w += weight * _srmr(group.saturated.sigma_w, sw)
        srmr_b += weight * _srmr(group.saturated.sigma_b, _force_pd(sb))
    npar = model.npar
    df = ndat - npar
    base_df = ndat - base_npar
    pvalue = float(stats.chi2.sf(chi2, df)) if df > 0 else np.nan
    t1, t2 = max(chi2 - df, 0.0), max(chi2 - df, base_chi2 - base_df, 0.0)
    cfi = 1.0 if np.isclose(t1, 0) and np.isclose(t2, 0) else 1 - t1 / t2
    u1, u2 = (chi2 - df) * base_df, (base_chi2 - base_df) * df
    tli = 1 - u1 / u2 if df > 0 and abs(u2) > 0 else 1.0
    g = len(model.groups)
    rmsea = float(np.sqrt(max(chi2 / total / df - 1 / total, 0.0)) * np.sqrt(g)) if df > 0 else 0.0
    lower, upper = rmsea_interval(chi2, df, total) if df > 0 else (0.0, 0.0)
    return {
        "chi2": float(chi2), "df": int(df), "pvalue": pvalue, "cfi": float(cfi), "tli": float(tli),
        "rmsea": rmsea, "rmsea_ci_lower": float(lower * np.sqrt(g)), "rmsea_ci_upper": float(upper * np.sqrt(g)),
        "srmr_within": float(srmr_w), "srmr_between": float(srmr_b), "loglik": float(loglik),
        "unrestricted_loglik": float(h1), "aic": float(-2 * loglik + 2 * npar),
        "bic": float(-2 * loglik + npar * np.log(total)), "n": int(total),
        "clusters": int(sum(gr.stats.clusters for gr in model.groups)), "npar": int(npar), "groups": g,
        "baseline_chi2": float(base_chi2), "baseline_df": int(base_df),
    }


# --------------------------------------------------------------------------- estimates


def _estimates(model: _Model, theta: np.ndarray, se: np.ndarray | None, multi: bool) -> pd.DataFrame:
    records = []
    for group in model.groups:
        sd = {}
        params = {}
        for level, ram in group.levels.items():
            r = model.roles[level]
            names = r.observed + r.latent
            total = ram.total_variances(theta)
            sd[level] = dict(zip(names, np.sqrt(np.clip(total, 0, None))))
            _, s, _ = ram.matrices(theta)
            params[level] = {v: s[i, i] for i, v in enumerate(names)}
        for row, pos, value in group.rows:
            est = float(theta[pos]) if pos >= 0 else float(value)
            sds = sd[row.level]
            with np.errstate(divide="ignore", invalid="ignore"):
                if row.op == "=~":
                    std = est * sds[row.lhs] / sds[row.rhs]
                elif row.op == "~":
                    std = est * sds[row.rhs] / sds[row.lhs]
                elif row.op == "~1":
                    std = est / sds[row.lhs] if sds[row.lhs] > 0 else np.nan
                elif row.lhs == row.rhs:
                    std = est / sds[row.lhs] ** 2
                else:
                    var = params[row.level]
                    std = est / np.sqrt(var[row.lhs] * var[row.rhs])
            s = (float(se[pos]) if se is not None else np.nan) if pos >= 0 else 0.0
            z = est / s if pos >= 0 and se is not None and s > 0 else np.nan
            record = {"level": row.level, "lhs": row.lhs, "op": row.op, "rhs": row.rhs, "label": row.label,
                      "est": est, "se": s, "z": z,
                      "pvalue": float(2 * stats.norm.sf(abs(z))) if np.isfinite(z) else np.nan,
                      "std_all": float(std)}
            if multi:
                record = {"group": group.name, **record}
            records.append(record)
    columns = (["group"] if multi else []) + ESTIMATE_COLUMNS
    table = pd.DataFrame.from_records(records, columns=columns)
    order = {"=~": 0, "~": 1, "~~": 2, "~1": 3}
    table["_op"] = table["op"].map(order)
    table["_group"] = table["group"].map({g.name: k for k, g in enumerate(model.groups)}) if multi else 0
    table = table.sort_values(["_group", "level", "_op"], kind="stable").drop(columns=["_op", "_group"])
    return table.reset_index(drop=True)


def _warn_heywood(estimates: pd.DataFrame) -> None:
    variances = estimates[(estimates["op"] == "~~") & (estimates["lhs"] == estimates["rhs"]) & (estimates["se"] > 0)]
    for row in variances[variances["est"] < 0].itertuples():
        where = f" in group {row.group!r}" if "group" in estimates.columns else ""
        warnings.warn(
            f"negative variance estimate for {row.lhs} at level {row.level}{where} ({row.est:.4g}): a Heywood case; "
            "at the between level this often means the variable has (almost) no between-cluster variance "
            "left after the model's factors", SemWarning, stacklevel=3)


# --------------------------------------------------------------------------- Monte Carlo effects


def _chain_positions(fit: TwoLevelFit, chains, at: int, group: Any):
    """For each chain, the (row, position or −1, fixed value) of each of its paths."""
    if at not in (1, 2):
        raise SemError(f"at must be 1 (within) or 2 (between), not {at!r}")
    model = fit._model
    if fit.group is None:
        if group is not None:
            raise SemError(f"group={group!r} given, but the model was fitted without groups")
        chosen = model.groups[0]
    else:
        matches = [g for g in model.groups if g.name == group]
        if not matches:
            raise SemError(f"group={group!r} is not one of the groups {fit.groups}")
        chosen = matches[0]
    if isinstance(chains, str) or (len(chains) > 0 and isinstance(chains[0], str)):
        chains = [chains]
    if len(chains) == 0:
        raise SemError("no chains given: name at least one chain of variables, e.g. ('INF', 'USAT', 'CONF')")
    paths = {(row.rhs, row.lhs): (row, pos, value) for row, pos, value in chosen.rows
             if row.level == at and row.op == "~"}
    out = []
    for chain in chains:
        chain = tuple(chain)
        if len(chain) < 2:
            raise SemError(f"chain {chain!r} must name at least two variables along regression paths")
        links = []
        for a, b in zip(chain, chain[1:]):
            if (a, b) not in paths:
                raise SemError(f"chain {' → '.join(chain)}: the model has no regression path {b} ~ {a} at level {at}")
            links.append(paths[(a, b)])
        out.append((chain, links))
    return chosen, out


def _effect_draws(fit: TwoLevelFit, chains, at, group, n_draws, seed, standardized) -> pd.DataFrame:
    if not isinstance(n_draws, (int, np.integer)) or n_draws < 100:
        raise SemError(f"n_draws must be a whole number of at least 100, not {n_draws!r}")
    chosen, parsed = _chain_positions(fit, chains, at, group)
    ram = chosen.levels[at]
    r = fit._model.roles[at]
    names = r.observed + r.latent
    theta = fit._theta
    rng = np.random.default_rng(seed)
    columns = {}
    estimate = {}
    blocks = []
    for start in range(0, n_draws, _MC_CHUNK):
        k = min(_MC_CHUNK, n_draws - start)
        blocks.append(rng.multivariate_normal(theta, fit._cov, size=k, method="cholesky"))
    draws = np.vstack(blocks)
    sd_draws = sd_hat = None
    if standardized:
        needed = sorted({names.index(v) for chain, _ in parsed for v in chain})
        sds = np.sqrt(np.clip(np.vstack([ram.total_variances_batch(b, needed) for b in blocks]), 0, None))
        sd_draws = {v: sds[:, k] for k, v in enumerate(needed)}
        sd_hat = np.sqrt(np.clip(ram.total_variances(theta), 0, None))
    for chain, links in parsed:
        name = " → ".join(chain)
        values = np.ones(len(draws))
        point = 1.0
        for row, pos, value in links:
            coef = draws[:, pos] if pos >= 0 else np.full(len(draws), value)
            coef_hat = theta[pos] if pos >= 0 else value
            if standardized:
                i, j = names.index(row.rhs), names.index(row.lhs)
                coef = coef * sd_draws[i] / sd_draws[j]
                coef_hat = coef_hat * sd_hat[i] / sd_hat[j]
            values = values * coef
            point *= coef_hat
        columns[name] = values
        estimate[name] = float(point)
    frame = pd.DataFrame(columns)
    frame.attrs["estimate"] = estimate
    return frame


# --------------------------------------------------------------------------- public


def _check_equal(equal, label_count: dict[str, int], multi: bool) -> tuple[str, ...]:
    if isinstance(equal, str):
        equal = (equal,)
    equal = tuple(equal)
    if equal and not multi:
        raise SemError(f"equal={equal!r} holds parameters equal across groups, but no group= column was given")
    for item in equal:
        if item == "intercepts":
            raise SemError("equal='intercepts' is not supported by fit_twolevel (lavaan 0.6-14 cannot hold "
                           "intercepts equal in two-level models either); hold loadings, regressions or labels equal")
        if item not in SETS and item not in label_count:
            raise SemError(f"equal={item!r} is neither a parameter set ({', '.join(SETS)}) nor a label written in "
                           f"the model description (labels: {', '.join(sorted(label_count)) or 'none'})")
    if multi:
        for label, count in label_count.items():
            if count == 1 and label not in equal:
                raise SemError(f"label {label!r} is used in only one place of the model description and is not in "
                               "equal=: it holds nothing equal (list it in equal= to hold that parameter equal "
                               "across groups)")
    return equal


@validated
def fit_twolevel(desc: str, data: pd.DataFrame, cluster: str, *, group: str | None = None,
                 equal: str | Sequence[str] = ()) -> TwoLevelFit:
    """Fit the two-level model ``desc`` (lavaan syntax with ``level: 1`` and ``level: 2``
    blocks) by maximum likelihood to ``data``, one row per level-1 unit, with ``cluster`` naming
    each row's cluster. With ``group``, fit it in each group of that column, holding equal the
    sets and labels in ``equal`` (module docstring). Returns a :class:`TwoLevelFit`.

    Raises SemError, in one sentence naming the argument or variable, for: a description it
    cannot read; a missing cluster or group column; model variables missing from the data,
    non-numeric, constant or with missing values; every cluster holding a single row; a
    between-only variable that varies within a cluster; a level-1 variable that never varies
    within a cluster; too few clusters (or rows) for the free parameters of a level; a fit that
    does not converge. Warns (SemWarning) for a negative variance estimate."""
    terms = parse(desc)
    roles = level_roles(terms)
    names1, names2 = roles[1].observed, roles[2].observed
    both = [v for v in names1 if v in names2]
    between = [v for v in names2 if v not in names1]
    within = [v for v in names1 if v not in names2]
    rows = parameter_rows(terms, roles, set(both))
    label_count: dict[str, int] = {}
    for row in rows:
        if row.label:
            label_count[row.label] = label_count.get(row.label, 0) + 1
    if not isinstance(data, pd.DataFrame):
        raise SemError(f"data must be a pandas DataFrame, not {type(data).__name__}")
    if group is not None:
        if group not in data.columns:
            raise SemError(f"group={group!r} is not a column of the data (columns: {', '.join(map(str, data.columns))})")
        if data[group].isna().any():
            raise SemError(f"the group column {group!r} has {int(data[group].isna().sum())} missing value(s)")
        values = list(pd.unique(data[group]))
        if len(values) < 2:
            raise SemError(f"the group column {group!r} has {len(values)} group(s); a multi-group fit needs at least 2")
        parts = [(v, data[data[group] == v], f" in group {v!r}") for v in values]
    else:
        parts = [(None, data, "")]
    equal = _check_equal(equal, label_count, group is not None)
    x_within = [v for v in roles[1].exogenous if v in within]
    x_between = [v for v in roles[2].exogenous if v in between]
    per_group = []
    for name, part, where in parts:
        sub = tstats.check_data(part, cluster, names1, between, where)
        if group is not None and cluster in data.columns:
            shared = set(sub[cluster]) & set(data.loc[data[group] != name, cluster])
            if shared:
                raise SemError(f"cluster {sorted(shared, key=str)[0]!r} of {cluster!r} has rows in more than one group "
                               f"of {group!r}; every cluster must belong to one group")
        st = tstats.cluster_stats(sub, cluster, names1, names2, between, x_within, x_between, where)
        per_group.append((name, st))
    with _one_thread():
        per_group = [(name, st, tstats.saturated_em(st)) for name, st in per_group]
        model = _build(rows, roles, per_group, equal)
        for g in model.groups:
            where = f" in group {g.name!r}" if group is not None else ""
            n_between = len({pos for row, pos, _ in g.rows if pos >= 0 and row.level == 2})
            n_within = len({pos for row, pos, _ in g.rows if pos >= 0 and row.level == 1})
            if g.stats.clusters <= max(n_between, len(names2)):
                raise SemError(
                    f"too few clusters{where}: {g.stats.clusters} clusters of {cluster!r} for a between model with "
                    f"{len(names2)} variables and {n_between} free parameters; the between level needs more clusters "
                    "than either"
                )
            if g.stats.n - g.stats.clusters <= n_within:
                raise SemError(f"too few rows within clusters{where}: {g.stats.n} rows in {g.stats.clusters} clusters "
                               f"leave {g.stats.n - g.stats.clusters} within-cluster degrees of freedom for "
                               f"{n_within} within-level parameters")
        theta, hess = _minimise(model, model.start)
        vcov_matrix = None
        se = None
        try:
            info = hess * model.total_n / 2  # Hessian of −log L
            vcov_matrix = np.linalg.inv(info)
            if np.any(np.diag(vcov_matrix) < 0) or np.any(np.linalg.eigvalsh(info) <= 0):
                raise np.linalg.LinAlgError("not positive definite")
            se = np.sqrt(np.diag(vcov_matrix))
        except np.linalg.LinAlgError:
            warnings.warn("the observed information matrix is not positive definite: the model may not be identified "
                          "(or the fit sits at a boundary); no standard errors", SemWarning, stacklevel=2)
            vcov_matrix = None
        table = _fit_table(model, theta)
    multi = group is not None
    estimates = _estimates(model, theta, se, multi)
    _warn_heywood(estimates)
    labels = []
    for key in model.keys:
        labels.append(key[1] if key[0] == "label" and len(key) == 2 else
                      (f"{key[1]}[{model.groups[key[2]].name}]" if key[0] == "label" else
                       f"{key[1]} {key[2]} {key[3]} (level {key[0]})" + (f" [{model.groups[key[4]].name}]" if len(key) > 4 and multi else "")))
    vcov = pd.DataFrame(vcov_matrix if vcov_matrix is not None else np.full((model.npar, model.npar), np.nan),
                        index=labels, columns=labels)
    return TwoLevelFit(
        desc=desc, cluster=cluster, group=group, groups=[g.name for g in model.groups] if multi else [],
        equal=equal, fit_table=table, estimates=estimates, vcov=vcov,
        n_by_group={g.name: g.stats.n for g in model.groups} if multi else {},
        clusters_by_group={g.name: g.stats.clusters for g in model.groups} if multi else {},
        _model=model, _theta=theta, _cov=vcov_matrix,
    )
