"""Multi-group structural equation models: parameters held equal across groups, pooled fit,
likelihood-ratio tests, measurement invariance and per-path group differences.

semopy has no multi-group maximum likelihood (``semopy.multigroup`` fits each group on its own).
Here semopy parses the model and builds each group's matrices (Λ, B, Ψ, Θ, the implied Σ and its
derivatives); this module adds a mean structure, ties the groups' parameters together and
minimises lavaan's multi-group ML discrepancy with scipy (L-BFGS-B, analytic gradient):

    F = Σ_g (n_g/N) [log|Σ_g| + tr(S_g Σ_g⁻¹) − log|S_g| − p + (x̄_g − μ_g)' Σ_g⁻¹ (x̄_g − μ_g)]

with S_g dividing by n_g, μ_g = ν_g + Λ_g (I − B_g)⁻¹ α_g. χ² = N·F = Σ_g n_g F_g, as in lavaan
(``likelihood = "normal"``). Standard errors come from the expected information,
Σ_g n_g [½ tr(Σ⁻¹ ∂Σ_k Σ⁻¹ ∂Σ_l) + ∂μ_k' Σ⁻¹ ∂μ_l].

Parameters held equal (``equal=`` of :func:`fit_groups`):

- ``"loadings"`` (``=~``), ``"regressions"`` (``~``), ``"intercepts"`` (intercepts of observed
  variables; the latent means are then free in every group but the first, fixed 0 there — lavaan's
  ``group.equal = c("loadings", "intercepts")``);
- a label written in the model description (``textual ~ b*visual``) names one parameter that is
  equal across groups when the label is listed in ``equal``. A label that is not listed is a
  separate parameter in each group (equal only to the other places of the same label *within* the
  group); a label that appears in only one place and is not listed holds nothing equal and raises
  :class:`SemError` (it is almost always a forgotten entry of ``equal``).

semopy, unlike lavaan's ``sem()`` (``auto.cov.y``), does not free the residual covariances of
endogenous latent variables: write them (``textual ~~ speed``) to fit lavaan's default model.

Without ``"intercepts"`` the mean structure is saturated (intercepts free in each group, latent
means 0): it adds as many parameters as data, so χ² and df are those of the covariance structure.

Fit table (``GroupFit.fit_table``) as lavaan's ``fitMeasures`` of a multi-group model:
``chi2``, ``df`` (Σ_g [p(p+1)/2 + p] − npar), ``pvalue``, ``cfi`` (capped at 1) and ``tli`` against
lavaan's baseline (independence within each group, no equality constraints), ``rmsea`` with
lavaan's multi-group convention √max(0, (χ² − df)/(N·df)) · √G, ``srmr`` (lavaan's Bentler SRMR:
the n_g-weighted mean of the groups' SRMR, residuals of covariances and means over the sample
standard deviations), ``loglik``, ``aic``, ``bic``
(log N), ``n`` (total), ``npar``, ``groups`` (G). Observed exogenous variables follow lavaan's
``fixed.x``: their means, variances and covariances are fixed at the group's sample values and
counted neither as data nor as parameters, and ``loglik`` (so AIC and BIC) is conditional on them,
as lavaan's.

Matches lavaan 0.6-14 (``tests/test_sem_groups.py``, reference from
``tests/reference/sem/lavaan_groups.R``) on Holzinger–Swineford by school: the CFA configural,
metric and scalar; a structural model with a labelled path held equal, with all regressions held
equal, and with nothing equal; a path model with observed exogenous variables, configural and with
regressions and intercepts equal. χ², logL, AIC and BIC within 1e-7; CFI, TLI, RMSEA, SRMR and p
within 1e-6; df and npar exactly; every estimate, standard error and std_all within 2e-5 (the
tests use 0.01 for χ², logL, AIC, BIC and 0.001 for the rest). The L-BFGS-B solution is polished
by Fisher-scoring steps (``_polish``), so estimates sit at the optimum to about 1e-8; lavaan's own
default stopping rule leaves some of its estimates 1e-5 to 3e-5 away (checked with tightly
converged lavaan fits in ``tests/test_sem_scoring.py``).

Variances are unbounded, as in lavaan and :func:`utils.sem.fit` (semopy bounds them at 0): a
Heywood case gives lavaan's negative estimate, its standard error from the same expected
information, and a :class:`SemWarning` naming the variable and the group (a two-group Heywood
case, configural and metric, matches lavaan in ``tests/test_sem_heywood.py``).

Not covered: missing data (rows with a missing value are dropped, with a warning, as lavaan's
listwise default; no FIML), ``CONSTRAINT(...)`` lines and intercept lines (``x1 ~ 1``) in the
description, equality sets other than the three above (residuals, residual covariances, latent
variances and covariances, means), partial invariance (``group.partial``), lavaan's
``c(a1, a2)*x`` per-group labels, and robust/scaled statistics.

``GroupFit.vcov()`` is the inverse expected information with one row per group and free
parameter, as lavaan's ``vcov()`` (``tests/test_sem_vcov.py``: within 1e-5 on the configural,
metric and labelled-path models). :func:`path_equality` tests a path held equal across groups
against a stated baseline, metric invariance by default (a path comparison presumes equal
loadings), and matches lavaan's ``anova()`` on the metric and configural baselines
(``tests/test_sem_metric_paths.py``).

Timing (2 cores shared with other jobs): a fit of the Holzinger–Swineford CFA in two groups,
with standard errors, takes 0.05–0.2 s (configural, metric or scalar); :func:`path_differences`
costs about 30 ms a permutation (``PERMUTATION_DEFAULT`` = 250 permutations, 6–9 s).
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import optimize, stats

from utils import inference
from utils.sem.errors import SemError, SemWarning
from utils.sem._threads import one_blas_thread, single_threaded
from utils.sem.syntax import canonical
from utils._checks import validated

if TYPE_CHECKING:  # semopy is imported when a fit runs (it pulls in scikit-learn and sympy)
    import semopy


SETS = ("loadings", "regressions", "intercepts")
ESTIMATE_COLUMNS = ["group", "lhs", "op", "rhs", "label", "est", "se", "z", "pvalue", "std_all"]
# path_differences: one permutation refits the two groups of the Holzinger–Swineford model with two
# structural paths in about 30 ms (estimates only, BLAS on one thread; measured on 2 busy cores:
# 250 permutations took 6–9 s), so the default keeps a call near 10 s.
PERMUTATION_DEFAULT = 250
# An implied Σ whose smallest eigenvalue is at most this share of its largest is treated as
# singular (the discrepancy is then infinite and the optimizer steps back).
_SINGULAR = 1e-10


# --------------------------------------------------------------------------- results


@dataclass
class GroupFit:
    """A multi-group ML fit: pooled ``fit_table`` (a dict, keys as in the module docstring),
    ``estimates`` (one row per parameter and group, columns ``ESTIMATE_COLUMNS``; ops ``=~``,
    ``~``, ``~~`` and ``~1`` for intercepts and latent means; fixed parameters such as the first
    loadings have se 0 and no z or p; std_all as lavaan's), ``groups``
    (group values in order of first appearance in the data, as lavaan), ``equal`` (what was held
    equal), ``desc``, ``group`` (the group column) and ``n_by_group``."""

    fit_table: dict[str, float]
    estimates: pd.DataFrame
    groups: list[Any]
    equal: tuple[str, ...]
    desc: str
    group: str
    n_by_group: dict[Any, int] = field(default_factory=dict)
    # the global parameter vector, its covariance (None when the information is singular) and,
    # for every row of estimates, the position of its parameter (−1 for fixed rows)
    theta: np.ndarray | None = field(default=None, repr=False)
    cov: np.ndarray | None = field(default=None, repr=False)
    positions: np.ndarray | None = field(default=None, repr=False)

    @single_threaded
    def vcov(self) -> pd.DataFrame:
        """The covariance matrix of the free parameter estimates (the inverse expected
        information of the whole sample, whose diagonal gives the ``se`` column), as a DataFrame
        with one row and column per free row of ``estimates`` (each group's own row, as
        lavaan's ``vcov()``: a parameter held equal across groups appears once per group, with
        identical rows and columns, so the matrix is singular then, as lavaan's is).

        Names as lavaan's for unlabelled parameters: ``lhs op rhs`` without spaces, ``.gK``
        appended for the K-th group (K > 1, groups in ``self.groups`` order), e.g.
        ``visual=~x2``, ``x1~1.g2``; labelled and equality-constrained parameters are named the
        same way (lavaan uses their labels, such as ``.p2.``). Matches lavaan's ``vcov()``
        within 1e-6 on the reference models (``tests/test_sem_vcov.py``). Raises SemError when
        the information matrix was singular (the model is not identified)."""
        if self.cov is None or self.positions is None:
            raise SemError("this fit has no parameter covariance: its information matrix is singular "
                           "(the model is not identified)")
        from utils.sem.single import _lavaan_name

        number = {g: i + 1 for i, g in enumerate(self.groups)}
        free = np.flatnonzero(self.positions >= 0)
        names = [_lavaan_name(self.estimates.iloc[i], number[self.estimates.iloc[i]["group"]]) for i in free]
        index = self.positions[free]
        return pd.DataFrame(self.cov[np.ix_(index, index)], index=names, columns=names)

    def summary(self) -> str:
        """A short text report: groups, what is held equal, the fit table and the estimates."""
        f = self.fit_table
        lines = [
            f"Multi-group ML fit by {self.group!r}: "
            + ", ".join(f"{g} (n = {n})" for g, n in self.n_by_group.items()),
            "Held equal across groups: " + (", ".join(self.equal) if self.equal else "nothing (configural)"),
            f"chi2 = {f['chi2']:.3f}, df = {f['df']:.0f}, p = {f['pvalue']:.4g}; CFI = {f['cfi']:.3f}, "
            f"TLI = {f['tli']:.3f}, RMSEA = {f['rmsea']:.3f}, SRMR = {f['srmr']:.3f}",
            f"logL = {f['loglik']:.3f}, AIC = {f['aic']:.3f}, BIC = {f['bic']:.3f}, npar = {f['npar']:.0f}",
            "",
            self.estimates.to_string(index=False, float_format=lambda v: f"{v:.3f}"),
        ]
        return "\n".join(lines)


# --------------------------------------------------------------------------- model structure


@dataclass
class _GroupModel:
    """One group's semopy model and data, and where its parameters sit in the global vector."""

    name: Any
    model: semopy.Model
    n: int
    mean: np.ndarray  # sample means of the observed variables (semopy's order)
    cov: np.ndarray  # sample covariance dividing by n
    index: np.ndarray  # global position of each active semopy parameter
    nu_index: np.ndarray  # global position of each observed intercept, −1 if fixed
    nu_fixed: np.ndarray
    alpha_index: np.ndarray  # global position of each inner mean/intercept, −1 if fixed
    alpha_fixed: np.ndarray
    rows: list[tuple[str, str, str, str, int, float]]  # (lhs, op, rhs, label, global index or −1, fixed value)


def _labels(desc: str) -> tuple[dict[tuple[str, str, str], str], dict[str, int]]:
    """The labels of the model description: (lhs, op, rhs) → label, and label → places used."""
    from semopy.parser import parse_desc

    ops, _ = parse_desc(desc)
    labelled, count = {}, {}
    for op, lefts in ops.items():
        for lhs, rights in lefts.items():
            for rhs, mod in rights.items():
                if mod is None:
                    continue
                try:
                    float(mod)
                except ValueError:
                    labelled[(lhs, op, rhs)] = mod
                    count[mod] = count.get(mod, 0) + 1
    return labelled, count


def _measurements(desc: str) -> set[tuple[str, str]]:
    """(factor, indicator) pairs written with ``=~``."""
    from semopy.parser import parse_desc

    ops, _ = parse_desc(desc)
    return {(lhs, rhs) for lhs, rights in ops.get("=~", {}).items() for rhs in rights}


def _describe(model: semopy.Model, name: str, measured: set[tuple[str, str]]) -> tuple[str, str, str]:
    """(lhs, op, rhs) of a semopy parameter, written as lavaan writes it."""
    loc = model.parameters[name].locations[0]
    n = next(i for i in range(4) if model.matrices[i] is loc.matrix)
    rows, cols = model.names[n]
    row, col = rows[loc.indices[0]], cols[loc.indices[1]]
    if n in (0, 1):
        if (col, row) in measured:
            return col, "=~", row
        return row, "~", col
    return row, "~~", col


def _orient(lhs: str, rhs: str, written: set[tuple[str, str]], order: list[str]) -> tuple[str, str]:
    """A covariance as lavaan writes it: as in the description, else the variable named first in
    the description on the left (``visual ~~ textual``)."""
    if (lhs, rhs) in written or lhs == rhs:
        return lhs, rhs
    if (rhs, lhs) in written:
        return rhs, lhs
    rank = {v: i for i, v in enumerate(order)}
    return (lhs, rhs) if rank.get(lhs, len(rank)) <= rank.get(rhs, len(rank)) else (rhs, lhs)


def _order(desc: str) -> tuple[set[tuple[str, str]], list[str]]:
    """The covariances written with ``~~`` and the variables in order of first appearance."""
    from semopy.parser import parse_desc

    ops, _ = parse_desc(desc)
    order: list[str] = []
    for line in desc.splitlines():
        for token in line.replace("=~", " ").replace("~~", " ").replace("~", " ").replace("+", " ").split():
            name = token.split("*")[-1]
            if name.isidentifier() and name not in order:
                order.append(name)
    written = {(lhs, rhs) for lhs, rights in ops.get("~~", {}).items() for rhs in rights}
    return written, order


def _check_equal(equal: Sequence[str], label_count: dict[str, int]) -> tuple[str, ...]:
    if isinstance(equal, str):
        equal = (equal,)
    for item in equal:
        if item not in SETS and item not in label_count:
            raise SemError(
                f"equal={item!r} is neither a parameter set ({', '.join(SETS)}) nor a label written in "
                f"the model description (labels: {', '.join(sorted(label_count)) or 'none'})"
            )
    for label, count in label_count.items():
        if count == 1 and label not in equal:
            raise SemError(
                f"label {label!r} is used in only one place of the model description and is not in equal=: "
                f"it holds nothing equal (list it in equal= to hold that parameter equal across groups)"
            )
    return tuple(equal)


def _check_data(desc: str, data: pd.DataFrame, group: str) -> tuple[pd.DataFrame, list[str], list[Any]]:
    """The rows and columns the model needs (complete cases), the observed names and the groups."""
    if group not in data.columns:
        raise SemError(f"group column {group!r} is not in the data (columns: {', '.join(map(str, data.columns))})")
    try:
        import semopy

        observed = semopy.Model(desc).vars["observed"]
    except Exception as error:  # semopy's parser raises bare exceptions
        raise SemError(f"the model description cannot be parsed: {error}") from error
    missing = [v for v in observed if v not in data.columns]
    if missing:
        raise SemError(f"variables of the model are not in the data: {', '.join(missing)}")
    sub = data[[*observed, group]]
    if sub[group].isna().any():
        raise SemError(f"group column {group!r} has {int(sub[group].isna().sum())} missing value(s)")
    incomplete = sub[observed].isna().any(axis=1)
    if incomplete.all():
        raise SemError("no case is complete on the variables of the model")
    if incomplete.any():
        columns = [v for v in observed if sub[v].isna().any()]
        warnings.warn(
            f"{int(incomplete.sum())} case(s) with missing values dropped (listwise) in {', '.join(columns)}",
            SemWarning,
            stacklevel=3,
        )
        sub = sub[~incomplete]
    for v in observed:
        if not pd.api.types.is_numeric_dtype(sub[v]):
            raise SemError(f"variable {v!r} is not numeric")
        if np.isinf(sub[v].to_numpy(dtype=float)).any():
            raise SemError(f"variable {v!r} has infinite values; the fit needs finite data")
    groups = list(pd.unique(sub[group]))
    if len(groups) < 2:
        raise SemError(f"group column {group!r} has {len(groups)} group(s); a multi-group fit needs at least 2")
    for g in groups:
        part = sub.loc[sub[group] == g, observed]
        constant = [v for v in observed if part[v].nunique() < 2]
        if constant:
            raise SemError(f"in group {g!r} of {group!r}, variable(s) {', '.join(constant)} are constant")
    return sub, observed, groups


def _build(desc: str, sub: pd.DataFrame, group: str, groups: list[Any], equal: tuple[str, ...]):
    """Each group's model, with global parameter positions; the starting vector."""
    import semopy

    labelled, _ = _labels(desc)
    measured = _measurements(desc)
    written, order = _order(desc)
    keys: dict[Any, int] = {}
    starts: list[list[float]] = []
    bounds: list[tuple] = []

    def position(key: Any, start: float, bound: tuple = (None, None)) -> int:
        if key not in keys:
            keys[key] = len(keys)
            starts.append([])
            bounds.append(bound)
        starts[keys[key]].append(start)
        return keys[key]

    shared_ops = {"=~"} if "loadings" in equal else set()
    if "regressions" in equal:
        shared_ops.add("~")
    scalar = "intercepts" in equal
    built = []
    for gi, g in enumerate(groups):
        part = sub.loc[sub[group] == g]
        model = semopy.Model(canonical(desc))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.load(part)
        obs = model.vars["observed"]
        x = part[obs].to_numpy(dtype=float)
        n = x.shape[0]
        rows = []
        index = []
        for name, param in model.parameters.items():
            lhs, op, rhs = _describe(model, name, measured)
            if op == "~~":
                lhs, rhs = _orient(lhs, rhs, written, order)
            label = labelled.get((lhs, op, rhs)) or (labelled.get((rhs, op, lhs), "") if op == "~~" else "")
            if label:
                key = ("label", label) if label in equal else ("label", label, gi)
            elif op in shared_ops:
                key = (lhs, op, rhs)
            else:
                key = (lhs, op, rhs, gi)
            if not param.active:  # a fixed loading, an observed exogenous (co)variance
                rows.append((lhs, op, rhs, label, -1, float(param.start)))
                continue
            # variances unbounded, as in lavaan and fit(): a Heywood case shows as lavaan's negative
            # estimate (and is warned about) instead of a variance stuck at semopy's bound 0
            bound = (None, None) if param.bound == (0, None) else param.bound
            index.append(position(key, float(param.start), bound))
            rows.append((lhs, op, rhs, label, index[-1], np.nan))
        # semopy creates the fixed (co)variances of observed exogenous variables in an order
        # that depends on the hash seed (combinations of a set): put them in the order of the
        # description, in the places they take
        exo_obs = {v for v in model.vars["observed"] if v in model.vars["exogenous"] and v in model.vars["inner"]}
        places = [i for i, r in enumerate(rows) if r[1] == "~~" and r[4] == -1 and r[0] in exo_obs and r[2] in exo_obs]
        rank = {v: i for i, v in enumerate(order)}
        ordered = sorted((rows[i] for i in places), key=lambda r: (rank.get(r[0], len(rank)), rank.get(r[2], len(rank))))
        for i, row in zip(places, ordered):
            rows[i] = row
        index = np.array(index, dtype=int)
        mean = x.mean(axis=0)
        inner = model.vars["inner"]
        latent = model.vars["latent"]
        exogenous = model.vars["exogenous"]
        nu_index = np.full(len(obs), -1)
        nu_fixed = np.zeros(len(obs))
        alpha_index = np.full(len(inner), -1)
        alpha_fixed = np.zeros(len(inner))
        for j, v in enumerate(obs):
            if v in inner:
                continue
            key = ("~1", v) if scalar else ("~1", v, gi)
            nu_index[j] = position(key, float(mean[j]))
            rows.append((v, "~1", "", "", int(nu_index[j]), np.nan))
        for j, v in enumerate(inner):
            if v in latent:
                if scalar and gi > 0:
                    alpha_index[j] = position(("~1", v, gi), 0.0)
                    rows.append((v, "~1", "", "", int(alpha_index[j]), np.nan))
            elif v in exogenous:
                alpha_fixed[j] = mean[obs.index(v)]
            else:
                key = ("~1", v) if scalar else ("~1", v, gi)
                alpha_index[j] = position(key, float(mean[obs.index(v)]))
                rows.append((v, "~1", "", "", int(alpha_index[j]), np.nan))
        cov = np.atleast_2d(np.cov(x, rowvar=False, bias=True))
        if np.linalg.eigvalsh(cov).min() <= 1e-10 * np.abs(cov).max():
            raise SemError(f"the sample covariance matrix of group {g!r} is not positive definite")
        built.append(_GroupModel(g, model, n, mean, cov, index, nu_index, nu_fixed, alpha_index, alpha_fixed, rows))
    start = np.array([np.mean(s) for s in starts])
    return built, start, bounds


def _npar_group(gm: _GroupModel) -> int:
    return len(set(gm.index) | set(gm.nu_index[gm.nu_index >= 0]) | set(gm.alpha_index[gm.alpha_index >= 0]))


# --------------------------------------------------------------------------- ML discrepancy


def _one_thread():
    """BLAS limited to one thread: the matrices are small, and on a busy machine threaded BLAS
    inside scipy's L-BFGS-B made a fit 5–6 times slower (measured on 2 cores)."""
    return one_blas_thread()


def _implied(gm: _GroupModel, theta: np.ndarray):
    """Σ, μ and the auxiliary matrices of one group at the global vector ``theta``."""
    model = gm.model
    model.update_matrices(theta[gm.index])
    sigma, (m, c) = model.calc_sigma()
    nu = np.where(gm.nu_index >= 0, theta[gm.nu_index], gm.nu_fixed)
    alpha = np.where(gm.alpha_index >= 0, theta[gm.alpha_index], gm.alpha_fixed)
    return sigma, nu + m @ alpha, m, c, alpha


def _derivatives(gm: _GroupModel, theta: np.ndarray, npar: int):
    """Σ, μ and their derivatives wrt the global parameters: (npar, p, p) and (npar, p)."""
    sigma, mu, m, c, alpha = _implied(gm, theta)
    p = len(mu)
    d_sigma = np.zeros((npar, p, p))
    d_mu = np.zeros((npar, p))
    for k, (g, diffs) in enumerate(zip(gm.model.calc_sigma_grad(m, c), gm.model.mx_diffs)):
        d_sigma[gm.index[k]] += g
        if diffs[0] is not None:
            d_mu[gm.index[k]] += m @ diffs[0] @ c @ alpha
        if diffs[1] is not None:
            d_mu[gm.index[k]] += diffs[1] @ c @ alpha
    for j, pos in enumerate(gm.nu_index):
        if pos >= 0:
            d_mu[pos, j] += 1.0
    for j, pos in enumerate(gm.alpha_index):
        if pos >= 0:
            d_mu[pos] += m[:, j]
    return sigma, mu, d_sigma, d_mu


def _discrepancy(gm: _GroupModel, sigma: np.ndarray, mu: np.ndarray) -> float:
    """lavaan's F_g: log|Σ| + tr(SΣ⁻¹) − log|S| − p + (x̄ − μ)'Σ⁻¹(x̄ − μ); inf if Σ is not PD.

    "Not PD" includes numerically singular: semopy bounds variances at 0, and an L-BFGS-B step
    that puts several residual variances exactly on that bound gives a Σ whose eigenvalues are
    ±1e-16 while slogdet still reports sign +1 and a huge negative log|Σ| (F ≈ −3e33), which the
    optimizer would follow; whether that happened depended on the process's hash seed."""
    values = np.linalg.eigvalsh(sigma)
    if values[0] <= _SINGULAR * values[-1]:
        return np.inf
    logdet = float(np.sum(np.log(values)))
    inv = np.linalg.inv(sigma)
    d = gm.mean - mu
    return float(logdet + np.trace(gm.cov @ inv) - np.linalg.slogdet(gm.cov)[1] - len(mu) + d @ inv @ d)


def _objective(theta: np.ndarray, built: list[_GroupModel], total: int) -> tuple[float, np.ndarray]:
    value, grad = 0.0, np.zeros_like(theta)
    for gm in built:
        sigma, mu, d_sigma, d_mu = _derivatives(gm, theta, len(theta))
        f = _discrepancy(gm, sigma, mu)
        if not np.isfinite(f):
            return 1e10, np.zeros_like(theta)
        inv = np.linalg.inv(sigma)
        d = gm.mean - mu
        w = inv @ (sigma - gm.cov - np.outer(d, d)) @ inv
        weight = gm.n / total
        value += weight * f
        grad += weight * (np.einsum("ij,kji->k", w, d_sigma) - 2 * d_mu @ (inv @ d))
    return value, grad


def _information(theta: np.ndarray, built: list[_GroupModel]) -> np.ndarray:
    """Expected information of the whole sample, Σ_g n_g I_g."""
    info = np.zeros((len(theta), len(theta)))
    for gm in built:
        sigma, _, d_sigma, d_mu = _derivatives(gm, theta, len(theta))
        inv = np.linalg.inv(sigma)
        a = np.einsum("ij,kjl->kil", inv, d_sigma)
        info += gm.n * (0.5 * np.einsum("kij,lji->kl", a, a) + d_mu @ inv @ d_mu.T)
    return info


def _polish(built: list[_GroupModel], theta: np.ndarray, steps: int = 20) -> np.ndarray:
    """Fisher-scoring steps from ``theta`` (an L-BFGS-B solution) to the optimum's last digits:
    θ ← θ − (N/2) I⁻¹ ∇F with I the expected information (``_information``), halving a step
    that does not lower F. L-BFGS-B's stopping rule left estimates of the infusion-use latent
    model up to 3e-5 from the optimum; after these steps they agree with tightly converged lavaan
    fits within 1e-6. Returns ``theta`` unchanged if the information is singular."""
    total = sum(gm.n for gm in built)
    value, grad = _objective(theta, built, total)
    for _ in range(steps):
        try:
            step = -(total / 2) * np.linalg.solve(_information(theta, built), grad)
        except np.linalg.LinAlgError:
            return theta
        scale = 1.0
        while scale > 1e-6:
            trial = theta + scale * step
            trial_value, trial_grad = _objective(trial, built, total)
            if trial_value <= value:
                break
            scale /= 2
        else:
            return theta
        theta, value, grad = trial, trial_value, trial_grad
        if np.max(np.abs(scale * step)) < 1e-10:
            break
    return theta


def _minimise(built: list[_GroupModel], start: np.ndarray, bounds: list[tuple], ftol: float) -> np.ndarray:
    total = sum(gm.n for gm in built)
    result = optimize.minimize(
        _objective, start, args=(built, total), jac=True, method="L-BFGS-B", bounds=bounds,
        options={"ftol": ftol, "gtol": 1e-9, "maxiter": 20000, "maxcor": 30},
    )
    if not result.success and np.max(np.abs(result.jac)) > 1e-5:
        largest = np.max(np.abs(result.jac))
        raise SemError(f"the multi-group fit did not converge: {result.message} (largest gradient {largest:.2g})")
    return result.x


# --------------------------------------------------------------------------- statistics


def _srmr_group(gm: _GroupModel, sigma: np.ndarray, mu: np.ndarray) -> float:
    """lavaan's ``srmr`` (Bentler) of one group with a mean structure: residuals of the covariances
    and means divided by the *sample* standard deviations, root mean square over the p(p+1)/2
    covariance elements and the p means."""
    sd = np.sqrt(np.diag(gm.cov))
    r = (gm.cov - sigma) / np.outer(sd, sd)
    low = r[np.tril_indices(len(mu))]
    means = (gm.mean - mu) / sd
    return float(np.sqrt((np.sum(low**2) + np.sum(means**2)) / (len(low) + len(means))))


def _exogenous_count(gm: _GroupModel) -> int:
    k = sum(1 for v in gm.model.vars["inner"] if v in gm.model.vars["exogenous"] and v not in gm.model.vars["latent"])
    return k * (k + 1) // 2 + k


def _fit_table(built: list[_GroupModel], theta: np.ndarray) -> dict[str, float]:
    total = sum(gm.n for gm in built)
    chi2, base, loglik, srmr, data_points, base_df = 0.0, 0.0, 0.0, 0.0, 0, 0
    for gm in built:
        sigma, mu, *_ = _implied(gm, theta)
        p = len(mu)
        f = _discrepancy(gm, sigma, mu)
        chi2 += gm.n * f
        logdet_s = np.linalg.slogdet(gm.cov)[1]
        loglik += -gm.n / 2 * (p * np.log(2 * np.pi) + logdet_s + p + f)
        exo = [i for i, v in enumerate(gm.model.vars["observed"]) if v in gm.model.vars["exogenous"]]
        if exo:  # lavaan's fixed.x log-likelihood is conditional on the observed exogenous variables
            k = len(exo)
            loglik += gm.n / 2 * (k * np.log(2 * np.pi) + np.linalg.slogdet(gm.cov[np.ix_(exo, exo)])[1] + k)
        endo = [i for i in range(p) if i not in exo]
        # lavaan's baseline: endogenous variables independent, exogenous ones saturated (fixed.x).
        sx = gm.cov[np.ix_(exo, exo)] if exo else np.zeros((0, 0))
        base_sigma = np.diag(np.diag(gm.cov)).copy()
        if exo:
            base_sigma[np.ix_(exo, exo)] = sx
        base += gm.n * (np.linalg.slogdet(base_sigma)[1] - logdet_s)
        base_df += len(endo) * (len(endo) - 1) // 2 + len(endo) * len(exo)
        srmr += gm.n / total * _srmr_group(gm, sigma, mu)
        data_points += p * (p + 1) // 2 + p - _exogenous_count(gm)
    npar = len(theta)
    df = data_points - npar
    pvalue = float(stats.chi2.sf(chi2, df)) if df > 0 else np.nan
    d_model, d_base = max(chi2 - df, 0.0), max(base - base_df, 0.0)
    cfi = 1.0 if max(d_model, d_base) == 0 else 1 - d_model / max(d_model, d_base)
    # a saturated model (df 0): TLI 1 and RMSEA 0, as lavaan reports them
    tli = (base / base_df - chi2 / df) / (base / base_df - 1) if df > 0 else 1.0
    rmsea = np.sqrt(max(0.0, (chi2 - df) / (total * df))) * np.sqrt(len(built)) if df > 0 else 0.0
    return {
        "chi2": float(chi2), "df": int(df), "pvalue": pvalue, "cfi": float(min(cfi, 1.0)), "tli": float(tli),
        "rmsea": float(rmsea), "srmr": float(srmr), "loglik": float(loglik),
        "aic": float(-2 * loglik + 2 * npar), "bic": float(-2 * loglik + npar * np.log(total)),
        "n": int(total), "npar": int(npar), "groups": len(built),
        "baseline_chi2": float(base), "baseline_df": int(base_df),
    }


def _estimates(built: list[_GroupModel], theta: np.ndarray, se: np.ndarray | None) -> pd.DataFrame:
    records = []
    for gm in built:
        sigma, _, m, c, _ = _implied(gm, theta)
        inner = gm.model.vars["inner"]
        obs = gm.model.vars["observed"]
        inner_var = np.diag(c @ gm.model.mx_psi @ c.T)
        psi = gm.model.mx_psi

        def total_sd(v: str) -> float:
            return float(np.sqrt(sigma[obs.index(v), obs.index(v)] if v in obs else inner_var[inner.index(v)]))

        for lhs, op, rhs, label, pos, value in gm.rows:
            est = float(theta[pos]) if pos >= 0 else value
            if op == "=~":
                std = est * total_sd(lhs) / total_sd(rhs)
            elif op == "~":
                std = est * total_sd(rhs) / total_sd(lhs)
            elif op == "~1":
                std = est / total_sd(lhs)
            elif lhs == rhs:
                std = est / total_sd(lhs) ** 2
            else:
                def residual(v: str) -> float:
                    if v in inner:
                        return float(psi[inner.index(v), inner.index(v)])
                    return float(gm.model.mx_theta[obs.index(v), obs.index(v)])

                std = est / np.sqrt(residual(lhs) * residual(rhs))
            s = (float(se[pos]) if se is not None else np.nan) if pos >= 0 else 0.0
            z = est / s if se is not None and s > 0 else np.nan
            records.append({
                "group": gm.name, "lhs": lhs, "op": op, "rhs": rhs, "label": label, "est": est, "se": s,
                "z": z, "pvalue": float(2 * stats.norm.sf(abs(z))) if np.isfinite(z) else np.nan, "std_all": std,
            })
    return pd.DataFrame.from_records(records, columns=ESTIMATE_COLUMNS)


def _warn_heywood(estimates: pd.DataFrame, group: str) -> None:
    """Warn with SemWarning for every negative free variance, naming the variable and the group."""
    variances = estimates[(estimates["op"] == "~~") & (estimates["lhs"] == estimates["rhs"]) & (estimates["se"] != 0)]
    for row in variances[variances["est"] < 0].itertuples():
        warnings.warn(
            f"negative variance estimate for {row.lhs} in group {row.group!r} of {group!r} ({row.est:.4g}): "
            "a Heywood case; the model may be misspecified or the group too small", SemWarning, stacklevel=3,
        )


# --------------------------------------------------------------------------- public API


def _prepare(desc, data, group, equal):
    _, label_count = _labels(desc)
    equal = _check_equal(equal, label_count)
    sub, _, groups = _check_data(desc, data, group)
    built, start, bounds = _build(desc, sub, group, groups, equal)
    for gm in built:
        npar = _npar_group(gm)
        if gm.n <= npar:
            raise SemError(f"group {gm.name!r} of {group!r} has {gm.n} case(s), no more than its {npar} free parameters")
    return equal, groups, built, start, bounds


@validated
@single_threaded
def fit_groups(
    desc: str, data: pd.DataFrame, group: str, *, equal: str | Sequence[str] = (), ftol: float = 1e-12
) -> GroupFit:
    """Fit ``desc`` (semopy/lavaan syntax) by ML in each group of column ``group`` of ``data``,
    holding equal across groups the parameter sets and labels in ``equal`` (see the module
    docstring). Returns a :class:`GroupFit`; raises :class:`SemError` on bad input (unknown group
    column or variable, an unknown ``equal`` entry, a label used once and not held equal, a group
    with no more cases than its parameters, a constant variable, a fit that does not converge)."""
    equal, groups, built, start, bounds = _prepare(desc, data, group, equal)
    data_points = sum(len(gm.model.vars["observed"]) * (len(gm.model.vars["observed"]) + 3) // 2
                      - _exogenous_count(gm) for gm in built)
    if data_points < len(start):
        raise SemError(f"the model is not identified: {len(start)} free parameters for {data_points} "
                       f"sample moments (df {data_points - len(start)}); fix a parameter or drop a path")
    with _one_thread():
        theta = _polish(built, _minimise(built, start, bounds, ftol))
        info = _information(theta, built)
    try:
        cov = np.linalg.inv(info)
        se = np.sqrt(np.clip(np.diag(cov), 0, None))
    except np.linalg.LinAlgError:
        warnings.warn("the information matrix is singular: the model is not identified; no standard errors",
                      SemWarning, stacklevel=2)
        cov = se = None
    estimates = _estimates(built, theta, se)
    _warn_heywood(estimates, group)
    positions = np.array([pos for gm in built for *_, pos, _ in gm.rows], dtype=int)
    return GroupFit(
        fit_table=_fit_table(built, theta), estimates=estimates, groups=groups,
        equal=equal, desc=desc, group=group, n_by_group={gm.name: gm.n for gm in built},
        theta=theta, cov=cov, positions=positions,
    )


@validated
def lr_test(smaller: Any, larger: Any) -> pd.Series:
    """Likelihood-ratio (χ² difference) test of two nested ML fits, anything with a ``fit_table``
    holding chi2 and df (a ``GroupFit`` or a single-group ``SemFit``). ``smaller`` is the model
    with fewer parameters (more df), e.g. the metric model against the configural ``larger``.
    Returns chi2_diff, df_diff, pvalue and each model's chi2 and df; raises :class:`SemError` when
    the df difference is not positive or the two cannot be nested: fitted to different cases
    (sample sizes, groups) or variables, or the constrained model fitting better than the larger
    one (χ² lower by more than the optimizer's tolerance). Passing these is necessary, not
    sufficient: that every constraint of ``smaller`` restricts ``larger`` stays the caller's claim."""
    for name, result in (("smaller", smaller), ("larger", larger)):
        table = getattr(result, "fit_table", None)
        if table is None or "chi2" not in table or "df" not in table:
            raise SemError(f"lr_test: {name} has no fit_table with chi2 and df")
    _check_same_data(smaller, larger)
    s, l = smaller.fit_table, larger.fit_table
    df_diff = int(s["df"]) - int(l["df"])
    if df_diff <= 0:
        raise SemError(
            f"lr_test: the smaller (more constrained) model must have more df than the larger one; "
            f"got df {s['df']} (smaller) and {l['df']} (larger) — are the arguments in the right order?"
        )
    _check_chi2_order(s, l)
    chi2_diff = float(s["chi2"]) - float(l["chi2"])
    return pd.Series({
        "chi2_diff": chi2_diff, "df_diff": df_diff, "pvalue": float(stats.chi2.sf(max(chi2_diff, 0.0), df_diff)),
        "chi2_smaller": float(s["chi2"]), "df_smaller": int(s["df"]),
        "chi2_larger": float(l["chi2"]), "df_larger": int(l["df"]),
    })


def _check_same_data(smaller: Any, larger: Any) -> None:
    """Refuse two fits of different cases, groups or variables (see :func:`lr_test`)."""
    s, l = smaller.fit_table, larger.fit_table
    if "n" in s and "n" in l and int(s["n"]) != int(l["n"]):
        raise SemError(f"lr_test: the models were fitted to different data (n {int(s['n'])} and {int(l['n'])}); "
                       "a likelihood-ratio test compares two models of the same cases")
    for attribute in ("n_by_group", "group"):
        a, b = getattr(smaller, attribute, None), getattr(larger, attribute, None)
        if a is not None and b is not None and a != b:
            raise SemError(f"lr_test: the models were fitted to different groups ({attribute} {a!r} and {b!r})")
    variables = [getattr(getattr(f, "data", None), "columns", None) for f in (smaller, larger)]
    if all(v is not None for v in variables) and set(variables[0]) != set(variables[1]):
        raise SemError("lr_test: the models use different variables "
                       f"({', '.join(map(str, variables[0]))} and {', '.join(map(str, variables[1]))}); "
                       "nested models describe the same observed variables")


def _check_chi2_order(s: Any, l: Any) -> None:
    """A constrained model cannot fit better than the model it is nested in."""
    chi2_s, chi2_l = float(s["chi2"]), float(l["chi2"])
    if chi2_s < chi2_l - 1e-6 * max(1.0, abs(chi2_l)):
        raise SemError(f"lr_test: the constrained model fits better than the larger one (chi2 {chi2_s:.6g} "
                       f"< {chi2_l:.6g}), so it is not nested in it: are the arguments in the right order (smaller first)?")


@validated
@single_threaded
def invariance(desc: str, data: pd.DataFrame, group: str, *, ftol: float = 1e-12) -> pd.DataFrame:
    """The measurement-invariance sequence of a CFA: configural (nothing equal), metric (equal
    loadings), scalar (equal loadings and intercepts, latent means free but in the first group).
    One row per model: chi2, df, pvalue, cfi, tli, rmsea, srmr, aic, bic, and the test against the
    previous model (chi2_diff, df_diff, pvalue_diff; empty for configural)."""
    steps = {"configural": (), "metric": ("loadings",), "scalar": ("loadings", "intercepts")}
    fits = {name: fit_groups(desc, data, group, equal=eq, ftol=ftol) for name, eq in steps.items()}
    rows, previous = [], None
    for name, result in fits.items():
        keys = ("chi2", "df", "pvalue", "cfi", "tli", "rmsea", "srmr", "aic", "bic")
        row = {"model": name, **{k: result.fit_table[k] for k in keys}}
        if previous is not None:
            test = lr_test(result, previous)
            row.update(chi2_diff=test["chi2_diff"], df_diff=test["df_diff"], pvalue_diff=test["pvalue"])
        else:
            row.update(chi2_diff=np.nan, df_diff=np.nan, pvalue_diff=np.nan)
        rows.append(row)
        previous = result
    return pd.DataFrame(rows).set_index("model")


def _with_label(desc: str, lhs: str, rhs: str, label: str) -> str:
    """``desc`` with the regression ``lhs ~ rhs`` labelled ``label``; SemError if the model has
    no such term, or if the term already carries a label or a fixed value."""
    lines = desc.splitlines()
    for i, line in enumerate(lines):
        code, hash_, comment = line.partition("#")
        if "~" not in code or "=~" in code or "~~" in code:
            continue
        left, right = code.split("~", 1)
        if [v.strip() for v in left.split(",")] != [lhs]:
            continue
        terms = [t.strip() for t in right.split("+")]
        names = [t.split("*")[-1].strip() for t in terms]
        if rhs not in names:
            continue
        j = names.index(rhs)
        if "*" in terms[j]:
            raise SemError(f"the path {lhs} ~ {rhs} already has a label or value ({terms[j]}): "
                           "hold that label equal with fit_groups(..., equal=[label]) instead")
        terms[j] = f"{label}*{rhs}"
        lines[i] = f"{left.rstrip()} ~ {' + '.join(terms)}" + (f" {hash_}{comment}" if hash_ else "")
        return "\n".join(lines)
    raise SemError(f"the model has no regression path {lhs} ~ {rhs}")


@validated
@single_threaded
def path_equality(desc: str, data: pd.DataFrame, group: str, paths: str | Sequence[str], *,
                  baseline: str | Sequence[str] = ("loadings",), ftol: float = 1e-12) -> pd.DataFrame:
    """Likelihood-ratio tests of each regression path (``"textual ~ visual"``) held equal across
    groups, against a stated ``baseline``: the model with the sets or labels of ``baseline``
    held equal (default ``("loadings",)``, metric invariance, the prerequisite for comparing
    structural paths across groups; ``()`` is the configural baseline).

    For each path the baseline is refitted with that one path held equal as well
    (``equal = (*baseline, label)``) and compared with :func:`lr_test` (χ² difference, df 1,
    asymptotic p). Returns one row per path, indexed by the path: est_<group> (the baseline's
    estimate in each group, groups in order of appearance), chi2_diff, df_diff, pvalue and
    baseline (what was held equal in the baseline, as text). The same test by hand:
    ``lr_test(fit_groups(labelled_desc, data, group, equal=[*baseline, label]),
    fit_groups(desc, data, group, equal=baseline))``. Matches lavaan's ``anova()`` on the metric
    and configural baselines (``tests/test_sem_metric_paths.py``)."""
    if isinstance(paths, str):
        paths = [paths]
    if isinstance(baseline, str):
        baseline = (baseline,)
    if len(paths) == 0:
        raise SemError("paths is empty: name at least one regression path, e.g. 'textual ~ visual'")
    parsed = [_parse_path(p) for p in paths]
    base = fit_groups(desc, data, group, equal=tuple(baseline), ftol=ftol)
    taken = set(_labels(desc)[1])
    label = next(f"equal_path{i}" for i in range(len(taken) + 1) if f"equal_path{i}" not in taken)
    rows = []
    for path, (lhs, rhs) in zip(paths, parsed):
        est = base.estimates[(base.estimates["op"] == "~") & (base.estimates["lhs"] == lhs)
                             & (base.estimates["rhs"] == rhs)].set_index("group")["est"]
        held = fit_groups(_with_label(desc, lhs, rhs, label), data, group, equal=(*baseline, label), ftol=ftol)
        test = lr_test(held, base)
        rows.append({"path": path, **{f"est_{g}": float(est[g]) for g in base.groups},
                     "chi2_diff": test["chi2_diff"], "df_diff": int(test["df_diff"]), "pvalue": test["pvalue"],
                     "baseline": ", ".join(baseline) if baseline else "configural"})
    return pd.DataFrame(rows).set_index("path")


def _parse_path(path: str) -> tuple[str, str]:
    if not isinstance(path, str):
        raise SemError(f"each path must be a string such as 'textual ~ visual', got {path!r}")
    if "~" not in path or "=~" in path or "~~" in path:
        raise SemError(f"path {path!r} is not a regression written 'lhs ~ rhs'")
    lhs, rhs = (part.strip() for part in path.split("~", 1))
    return lhs, rhs


def _resample(built: list[_GroupModel], data: pd.DataFrame, group: str) -> list[_GroupModel]:
    """The same group models with the sample moments of ``data`` (no observed exogenous
    variables, whose moments semopy fixes inside its matrices)."""
    out = []
    for gm in built:
        x = data.loc[data[group] == gm.name, gm.model.vars["observed"]].to_numpy(dtype=float)
        out.append(dataclasses.replace(gm, n=x.shape[0], mean=x.mean(axis=0), cov=np.atleast_2d(np.cov(x, rowvar=False, bias=True))))
    return out


def _path_estimates(built, start, bounds, ftol, paths) -> np.ndarray:
    """Estimates (groups × paths) of a configural fit (identical to separate group fits)."""
    theta = _minimise(built, start, bounds, ftol)
    out = np.empty((len(built), len(paths)))
    for gi, gm in enumerate(built):
        lookup = {(lhs, rhs): pos for lhs, op, rhs, _, pos, _ in gm.rows if op == "~" and pos >= 0}
        for j, path in enumerate(paths):
            out[gi, j] = theta[lookup[path]]
    return out


@validated(n_perm=5_000, choices={"direction": ("two-sided", "greater", "less")})
@single_threaded
def path_differences(
    desc: str,
    data: pd.DataFrame,
    group: str,
    paths: str | Sequence[str],
    *,
    n_perm: int = PERMUTATION_DEFAULT,
    seed: int | None = None,
    ftol: float = 1e-9,
    direction: str = "two-sided",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Group differences of regression paths (``"textual ~ visual"``) between two groups.

    For each path: the estimate and SE in each group from separate group fits (the configural
    model, whose estimates and SEs are those of fitting each group alone), d = est₁ − est₂, the
    parametric z = d / √(se₁² + se₂²) with its two-sided p, and a permutation test of group
    membership: the group labels are shuffled ``n_perm`` times (``numpy.random.default_rng(seed)``),
    both groups refitted, and p_perm = (1 + #{d* as or more extreme than d}) / (1 + n_perm), where
    "more extreme" follows ``direction``: "two-sided" (H1: d ≠ 0, |d*| ≥ |d|, the default),
    "greater" (H1: d > 0, d* ≥ d) or "less" (H1: d < 0, d* ≤ d). The same seed gives the same p
    values. Each permutation costs one two-group fit, started from the observed estimates
    (about 30 ms for the Holzinger–Swineford CFA with two paths; the default 250 permutations
    take 6–9 s on 2 cores); permutation fits use ``ftol`` 1e-9, which leaves the permuted
    estimates within about 1e-5 of their exact values. Returns one row per path, indexed by the
    path: est_<group>, se_<group> for both groups, diff (first − second group, in order of
    appearance), z, pvalue_z, pvalue_perm, n_perm, then direction, pvalue_perm_mcse (the Monte
    Carlo SE of pvalue_perm, √(p(1 − p)/n_perm)) and verdict (:func:`utils.inference.p_verdict`
    of pvalue_perm at ``alpha``: "supported", "not supported", or "borderline" when p lies within
    3 Monte Carlo SE of ``alpha``)."""
    if isinstance(paths, str):
        paths = [paths]
    parsed = [_parse_path(p) for p in paths]
    if isinstance(n_perm, bool) or not isinstance(n_perm, (int, np.integer)) or n_perm < 1:
        raise SemError(f"n_perm must be a whole number of at least 1, got {n_perm!r}")
    if direction not in ("two-sided", "greater", "less"):
        raise SemError(f"direction must be 'two-sided', 'greater' or 'less', got {direction!r}")
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not 0 < alpha < 1:
        raise SemError(f"alpha must be a number strictly between 0 and 1, got {alpha!r}")
    observed = fit_groups(desc, data, group)
    if len(observed.groups) != 2:
        raise SemError(f"path_differences compares two groups; {group!r} has {len(observed.groups)}")
    est = observed.estimates
    rows = []
    for path, (lhs, rhs) in zip(paths, parsed):
        sel = est[(est.op == "~") & (est.lhs == lhs) & (est.rhs == rhs) & (est.se > 0)]
        if len(sel) != 2:
            raise SemError(f"path {path!r} is not a free regression of the model")
        (e1, s1), (e2, s2) = sel[["est", "se"]].to_numpy()
        d = e1 - e2
        z = d / np.sqrt(s1**2 + s2**2)
        rows.append({"path": path, "est_1": e1, "se_1": s1, "est_2": e2, "se_2": s2, "diff": d, "z": z,
                     "pvalue_z": float(2 * stats.norm.sf(abs(z)))})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SemWarning)  # fit_groups above has warned already
        sub, _, groups = _check_data(desc, data, group)
    labels = sub[group].to_numpy()
    rng = np.random.default_rng(seed)
    diffs = np.array([r["diff"] for r in rows])
    exceed = np.zeros(len(rows), dtype=int)
    _, _, built, _, bounds = _prepare(desc, data, group, ())
    reuse = not any(_exogenous_count(gm) for gm in built)
    with _one_thread():
        start = _minimise(built, _prepare(desc, data, group, ())[3], bounds, ftol)
        for _ in range(n_perm):
            shuffled = sub.assign(**{group: rng.permutation(labels)})
            if reuse:  # same models, new sample moments; start from the observed estimates
                values = _path_estimates(_resample(built, shuffled, group), start, bounds, ftol, parsed)
            else:  # observed exogenous moments are fixed inside semopy's matrices: rebuild
                rebuilt, first, _ = _build(desc, shuffled, group, groups, ())
                values = _path_estimates(rebuilt, first, bounds, ftol, parsed)
            permuted = values[0] - values[1]
            if direction == "two-sided":
                exceed += np.abs(permuted) >= np.abs(diffs) - 1e-12
            elif direction == "greater":
                exceed += permuted >= diffs - 1e-12
            else:
                exceed += permuted <= diffs + 1e-12
    result = pd.DataFrame(rows)
    result["pvalue_perm"] = (1 + exceed) / (1 + n_perm)
    result["n_perm"] = n_perm
    result["direction"] = direction
    result["pvalue_perm_mcse"] = [inference.p_mcse(p, n_perm) for p in result["pvalue_perm"]]
    result["verdict"] = [inference.p_verdict(p, alpha=alpha, n_resamples=n_perm).label
                         for p in result["pvalue_perm"]]
    result = result.rename(columns={
        "est_1": f"est_{groups[0]}", "se_1": f"se_{groups[0]}", "est_2": f"est_{groups[1]}", "se_2": f"se_{groups[1]}",
    })
    return result.set_index("path")
