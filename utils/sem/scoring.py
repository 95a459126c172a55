"""Many ML fits of one covariance structure at once: batched Fisher scoring for the bootstrap.

A latent-variable bootstrap refits the model on every resample. Refitting with a general
optimizer (semopy's SLSQP, or L-BFGS-B in ``groups.py``) costs 15-100 ms a resample, so 5,000
resamples in two groups take minutes. Here every resample starts at the full-sample estimate θ̂,
which is close to its own optimum, and takes Fisher-scoring steps with analytic derivatives,
for a whole block of resamples at once (numpy arrays with one leading axis per resample):

    θ ← θ − s · H⁻¹ ∇F,   F = Σ_g n_g [log|Σ_g| + tr(S_g Σ_g⁻¹)],
    ∇F_k = Σ_g n_g tr((W_g − W_g S_g W_g) ∂_kΣ_g),  H_kl = Σ_g n_g tr(W_g ∂_kΣ_g W_g ∂_lΣ_g),

with W = Σ⁻¹, H the expected information (up to a factor), and the step s halved until F does not
increase. Σ = Λ C Ψ Cᵀ Λᵀ + Θ with C = (I − B)⁻¹ are semopy's matrices (the same model
``fit_groups`` builds, so labels, fixed values and parameters held equal across groups carry
over), and their derivatives are

    ∂Σ/∂B: L dB M + (·)ᵀ,  ∂Σ/∂Λ: dΛ M + (·)ᵀ,  ∂Σ/∂Ψ: L dΨ Lᵀ,  ∂Σ/∂Θ: dΘ

(L = ΛC, M = CΨCᵀΛᵀ; dX the 0/1 pattern of a parameter in matrix X). A resample has converged
when its largest step is below ``TOLERANCE``; one that has not after ``MAX_ITERATIONS`` (or whose
Σ stops being positive definite) is refitted from scratch with ``groups.py``'s optimizer, and
counted (``fallbacks``).

Only the covariance structure is fitted: the mean structure must be saturated (intercepts free
in every group, the default of ``fit_groups``), which leaves the covariance parameters' ML
estimates unchanged. Observed exogenous variables (lavaan's fixed.x) keep their variances and
covariances at each resample's own sample values, as a full refit would.

Verified resample by resample (``tests/test_sem_scoring.py``): the infusion-use latent model
(12 indicators, 2 observed exogenous variables, 32 parameters per group) on 50 resamples of each
channel, and under metric invariance jointly across channels, against lavaan refits of the same
resamples (``tests/reference/sem/lavaan_resamples.R``) within 1e-5, and against full semopy /
``fit_groups`` refits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from utils.sem.errors import SemError

TOLERANCE = 1e-8  # largest parameter step at convergence
MAX_ITERATIONS = 200
MAX_HALVINGS = 30
RESTART_AFTER = 4  # halvings of a BFGS step before the resample restarts from a scoring step
MAX_RESTARTS = 5


@dataclass
class _Group:
    """One group's covariance structure: fixed parts, parameter patterns, data."""

    name: Any
    n: int
    x: np.ndarray  # the group's observed data (rows × p), semopy's variable order
    base: list[np.ndarray]  # B, Λ, Ψ, Θ with fixed values and zeros where parameters sit
    patterns: list[tuple[np.ndarray, np.ndarray]]  # per matrix: (local params, 0/1 patterns)
    columns: np.ndarray  # each local parameter's column in the engine's parameter vector
    exo_inner: np.ndarray  # Ψ entries (rows, cols) fixed at the sample covariance of observed
    exo_obs: np.ndarray  # exogenous variables, and the matching entries of S
    rows: list[tuple[str, str, str, str, int, float]]  # groups._GroupModel.rows


class Engine:
    """The covariance structure of ``desc`` in the groups ``labels`` of column ``group`` of the
    complete data ``sub``, with ``equal`` held equal across groups, ready for many fits. With
    one group, every label of ``desc`` is one parameter (as in :func:`utils.sem.fit`).

    ``theta_hat`` is the full-sample ML estimate of the covariance parameters; :meth:`fit`
    fits blocks of resamples; :meth:`path` locates a regression coefficient."""

    def __init__(self, desc: str, sub: pd.DataFrame, group: str, labels: list[Any],
                 equal: tuple[str, ...] = ()) -> None:
        from utils.sem import groups

        if "intercepts" in equal:
            raise SemError("the bootstrap fits covariance structures only: equal='intercepts' (a mean "
                           "structure) is not supported")
        _, label_count = groups._labels(desc)
        if len(labels) == 1:
            equal = (*equal, *(label for label in label_count if label not in equal))
        self.desc, self.equal = desc, groups._check_equal(tuple(equal), label_count)
        built, start, bounds = groups._build(desc, sub, group, labels, self.equal)
        self._bounds, self._group = bounds, group
        covariance = sorted({int(i) for gm in built for i in gm.index})
        self._global = np.array(covariance, dtype=int)  # engine column → fit_groups position
        column = {pos: j for j, pos in enumerate(covariance)}
        self.groups = [self._structure(gm, sub, group, column) for gm in built]
        with groups._one_thread():
            theta = groups._minimise(built, start, bounds, 1e-12)
        covs = [np.cov(g.x, rowvar=False, bias=True)[None] for g in self.groups]
        theta_hat, ok, _ = self.fit(covs, theta[self._global])
        if not ok[0]:
            raise SemError("the full-sample fit did not converge under Fisher scoring")
        self.theta_hat = theta_hat[0]
        self._theta_full = theta

    @staticmethod
    def _structure(gm: Any, sub: pd.DataFrame, group: str, column: dict[int, int]) -> _Group:
        model = gm.model
        observed, inner = model.vars["observed"], model.vars["inner"]
        x = sub.loc[sub[group] == gm.name, observed].to_numpy(dtype=float)
        base = [np.array(mx, dtype=float) for mx in model.matrices[:4]]
        patterns = []
        for t in range(4):
            local = [k for k, diffs in enumerate(model.mx_diffs) if diffs[t] is not None]
            stack = np.array([model.mx_diffs[k][t] for k in local], dtype=float).reshape(
                len(local), *base[t].shape)
            if local:
                base[t][stack.sum(axis=0) > 0] = 0.0
            patterns.append((np.array(local, dtype=int), stack))
        exogenous = [v for v in inner if v in observed and v in model.vars["exogenous"]]
        free_psi = patterns[2][1].sum(axis=0) > 0 if len(patterns[2][0]) else np.zeros_like(base[2], bool)
        pairs = [(inner.index(a), inner.index(b), observed.index(a), observed.index(b))
                 for a in exogenous for b in exogenous if not free_psi[inner.index(a), inner.index(b)]]
        exo_inner = np.array([(i, j) for i, j, _, _ in pairs], dtype=int).reshape(-1, 2)
        exo_obs = np.array([(k, l) for _, _, k, l in pairs], dtype=int).reshape(-1, 2)
        columns = np.array([column[int(i)] for i in gm.index], dtype=int)
        return _Group(gm.name, len(x), x, base, patterns, columns, exo_inner, exo_obs, gm.rows)

    # ------------------------------------------------------------------ parameters

    def path(self, group_index: int, predictor: str, outcome: str) -> tuple[int, float]:
        """(engine column, or −1 and the fixed value) of the regression ``outcome ~ predictor``
        in the group at ``group_index``; SemError when the model has no such regression."""
        position = {int(p): j for j, p in enumerate(self._global)}
        for lhs, op, rhs, _, pos, value in self.groups[group_index].rows:
            if op == "~" and lhs == outcome and rhs == predictor:
                return (position[pos], np.nan) if pos >= 0 else (-1, float(value))
        raise SemError(f"the model has no regression path {outcome} ~ {predictor}")

    def estimates(self, theta: np.ndarray) -> pd.DataFrame:
        """The free covariance parameters of ``theta`` (one vector of K), one row per group and
        parameter as in ``fit_groups``: group (the label given to the engine), lhs, op, rhs, est."""
        position = {int(p): j for j, p in enumerate(self._global)}
        rows = []
        for g in self.groups:
            for lhs, op, rhs, _, pos, _ in g.rows:
                if pos >= 0 and int(pos) in position:
                    rows.append({"group": g.name, "lhs": lhs, "op": op, "rhs": rhs,
                                 "est": float(theta[position[int(pos)]])})
        return pd.DataFrame(rows, columns=["group", "lhs", "op", "rhs", "est"])

    # ------------------------------------------------------------------ moments

    @staticmethod
    def moments(x: np.ndarray, counts: np.ndarray) -> np.ndarray:
        """Sample covariances (dividing by n) of the resamples given by ``counts`` (R × n: how
        often each row of ``x`` is drawn): R × p × p."""
        n = counts.sum(axis=1)[:, None]
        mean = counts @ x / n
        outer = (x[:, :, None] * x[:, None, :]).reshape(len(x), -1)
        second = (counts @ outer / n).reshape(len(counts), x.shape[1], x.shape[1])
        cov = second - mean[:, :, None] * mean[:, None, :]
        return (cov + np.swapaxes(cov, 1, 2)) / 2

    # ------------------------------------------------------------------ the objective

    def _matrices(self, g: _Group, theta: np.ndarray, s: np.ndarray) -> list[np.ndarray]:
        """B, Λ, Ψ, Θ for each row of ``theta`` (R × K), with fixed.x entries from ``s``."""
        local = theta[:, g.columns]
        out = []
        for t, (params, stack) in enumerate(g.patterns):
            mx = np.broadcast_to(g.base[t], (len(theta), *g.base[t].shape)).copy()
            if len(params):
                mx += np.tensordot(local[:, params], stack, axes=(1, 0))
            out.append(mx)
        if len(g.exo_inner):
            out[2][:, g.exo_inner[:, 0], g.exo_inner[:, 1]] = s[:, g.exo_obs[:, 0], g.exo_obs[:, 1]]
        return out

    def _sigma(self, g: _Group, theta: np.ndarray, s: np.ndarray):
        beta, lam, psi, th = self._matrices(g, theta, s)
        c = np.linalg.inv(np.eye(beta.shape[1]) - beta)
        left = lam @ c  # L = Λ C
        sigma = left @ psi @ np.swapaxes(left, 1, 2) + th
        return (sigma + np.swapaxes(sigma, 1, 2)) / 2, left, c, psi, lam

    def _objective(self, theta: np.ndarray, covs: list[np.ndarray]) -> np.ndarray:
        """Σ_g n_g [log|Σ_g| + tr(S_g Σ_g⁻¹)] for each row of ``theta``; inf where Σ is not PD."""
        total = np.zeros(len(theta))
        for g, s in zip(self.groups, covs):
            sigma = self._sigma(g, theta, s)[0]
            values = np.linalg.eigvalsh(sigma)
            bad = values[:, 0] <= 1e-10 * values[:, -1]
            logdet = np.sum(np.log(np.where(bad[:, None], 1.0, values)), axis=1)
            inv = np.linalg.inv(np.where(bad[:, None, None], np.eye(len(sigma[0])), sigma))
            trace = np.einsum("rij,rji->r", s, inv)
            total += g.n * np.where(bad, np.inf, logdet + trace)
        return total

    def _derivatives(self, theta: np.ndarray, covs: list[np.ndarray]):
        """Gradient (R × K) and expected information H (R × K × K) of the objective."""
        r, k = theta.shape
        grad, info = np.zeros((r, k)), np.zeros((r, k, k))
        for g, s in zip(self.groups, covs):
            sigma, left, c, psi, lam = self._sigma(g, theta, s)
            q, p = len(g.columns), sigma.shape[1]
            right = c @ psi @ np.swapaxes(c, 1, 2) @ np.swapaxes(lam, 1, 2)  # M = CΨCᵀΛᵀ
            d = np.zeros((r, q, p, p))
            for t, (params, stack) in enumerate(g.patterns):
                if not len(params):
                    continue
                if t == 0:  # B
                    part = left[:, None] @ stack[None] @ right[:, None]
                    part = part + np.swapaxes(part, 2, 3)
                elif t == 1:  # Λ
                    part = stack[None] @ right[:, None]
                    part = part + np.swapaxes(part, 2, 3)
                elif t == 2:  # Ψ
                    part = left[:, None] @ stack[None] @ np.swapaxes(left, 1, 2)[:, None]
                else:  # Θ
                    part = np.broadcast_to(stack[None], (r, *stack.shape))
                d[:, params] += part
            w = np.linalg.inv(sigma)
            resid = w - w @ s @ w
            flat = d.reshape(r, q, p * p)
            wdw = (w[:, None] @ d @ w[:, None]).reshape(r, q, p * p)
            local_grad = g.n * np.einsum("rk,rqk->rq", resid.reshape(r, p * p), flat)
            local_info = g.n * (wdw @ np.swapaxes(flat, 1, 2))
            grad[:, g.columns] += local_grad
            info[:, g.columns[:, None], g.columns[None, :]] += local_info
        return grad, info

    # ------------------------------------------------------------------ fitting

    def _value_and_gradient(self, theta: np.ndarray, covs: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """The objective (inf where Σ is not positive definite) and its gradient, R × K, from
        the matrix derivatives of F: with G = W − WSW, ∂F/∂Θ = G, ∂F/∂Ψ = LᵀGL,
        ∂F/∂Λ = 2GΛP and ∂F/∂B = 2(PΛᵀGL)ᵀ (P = CΨCᵀ), each summed over a parameter's places."""
        r = len(theta)
        value = np.zeros(r)
        grad = np.zeros((r, len(self._global)))
        for g, s in zip(self.groups, covs):
            sigma, left, c, psi, lam = self._sigma(g, theta, s)
            sign, logdet = np.linalg.slogdet(sigma)
            bad = sign <= 0
            if bad.any():
                sigma = np.where(bad[:, None, None], np.eye(sigma.shape[1]), sigma)
            w = np.linalg.inv(sigma)
            ws = w @ s
            value += g.n * np.where(bad, np.inf, logdet + np.einsum("rii->r", ws))
            gmat = w - ws @ w
            local = np.zeros((r, len(g.columns)))
            for t, (params, stack) in enumerate(g.patterns):
                if not len(params):
                    continue
                if t == 3:
                    deriv = gmat
                elif t == 2:
                    deriv = np.swapaxes(left, 1, 2) @ gmat @ left
                else:
                    p_mat = c @ psi @ np.swapaxes(c, 1, 2)
                    if t == 1:
                        deriv = 2 * gmat @ lam @ p_mat
                    else:
                        deriv = 2 * np.swapaxes(p_mat @ np.swapaxes(lam, 1, 2) @ gmat @ left, 1, 2)
                local[:, params] += deriv.reshape(r, -1) @ stack.reshape(len(params), -1).T
            grad[:, g.columns] += g.n * local
        return value, grad

    def fit(self, covs: list[np.ndarray], start: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """ML estimates for R data sets at once: ``covs`` holds each group's R × p × p sample
        covariances (dividing by n, from :meth:`moments`); ``start`` is R × K or K.

        Scoring steps −H⁻¹∇F with H the expected information at ``start`` (the first row): the
        expected information depends on θ only, and the resamples' estimates lie close to θ̂,
        so one H serves every resample and every iteration (Fisher scoring would recompute it
        at each θ; the linear rate of convergence, set by the misfit S − Σ, is the same). A step
        that does not lower F is halved for that resample.

        Returns (θ: R × K, converged: R booleans, iterations: R ints); θ holds NaN where the
        scoring did not converge (callers fall back to a full fit there)."""
        r = len(covs[0])
        theta = np.array(np.broadcast_to(start, (r, len(self._global))), dtype=float)
        _, info = self._derivatives(theta[:1], [c[:1] for c in covs])
        try:
            inverse = np.linalg.inv(info[0])
        except np.linalg.LinAlgError:
            raise SemError("the information matrix is singular: the model is not identified") from None
        approx = np.broadcast_to(inverse, (r, *inverse.shape)).copy()
        value, grad = self._value_and_gradient(theta, covs)
        done = np.zeros(r, dtype=bool)
        iterations = np.zeros(r, dtype=int)
        restarts = np.zeros(r, dtype=int)
        # the resamples still iterating, compacted: index, θ, F, ∇F, step scale, data, and each
        # one's inverse-Hessian approximation, updated by BFGS from the expected information
        rows = np.flatnonzero(np.isfinite(value))
        th, val, gr = theta[rows], value[rows], grad[rows]
        scale = np.ones(len(rows))
        cv = [c[rows] for c in covs]
        approx = approx[rows]
        for _ in range(MAX_ITERATIONS):
            if not len(rows):
                break
            step = -np.einsum("rkl,rl->rk", approx, gr) * scale[:, None]
            trial = th + step
            trial_value, trial_grad = self._value_and_gradient(trial, cv)
            accept = trial_value <= val + 1e-12 * np.abs(val)
            s_k, y_k = step[accept], trial_grad[accept] - gr[accept]
            sy = np.einsum("rk,rk->r", s_k, y_k)
            good = sy > 1e-12 * np.linalg.norm(s_k, axis=1) * np.linalg.norm(y_k, axis=1)
            update = np.flatnonzero(accept)[good]
            if len(update):
                h, s_g, y_g, rho = approx[update], s_k[good], y_k[good], 1.0 / sy[good]
                hy = np.einsum("rkl,rl->rk", h, y_g)
                coef = (rho * rho * np.einsum("rk,rk->r", y_g, hy) + rho)[:, None]
                h -= rho[:, None, None] * (hy[:, :, None] * s_g[:, None, :] + s_g[:, :, None] * hy[:, None, :])
                h += (coef * s_g)[:, :, None] * s_g[:, None, :]
                approx[update] = h
            th[accept], val[accept], gr[accept] = trial[accept], trial_value[accept], trial_grad[accept]
            scale[accept] = 1.0
            iterations[rows] += 1
            size = np.max(np.abs(step), axis=1)
            # converged: a small accepted step, or a tiny step that F can no longer follow
            finished = (accept & (size < TOLERANCE)) | (~accept & (size < 1e3 * TOLERANCE))
            scale[~accept] /= 2
            # a BFGS direction that keeps failing: restart that resample from a Fisher-scoring
            # step (the expected information at its current θ)
            restart = np.flatnonzero(~finished & (scale < 2.0**-RESTART_AFTER))
            if len(restart):
                _, info_now = self._derivatives(th[restart], [c[restart] for c in cv])
                values_now, vectors_now = np.linalg.eigh(info_now)
                ok_now = values_now[:, 0] > 1e-12 * values_now[:, -1]
                fresh = restart[ok_now]
                approx[fresh] = (vectors_now[ok_now] / values_now[ok_now][:, None, :]) @ np.swapaxes(vectors_now[ok_now], 1, 2)
                scale[fresh] = 1.0
                restarts[rows[fresh]] += 1
            stop = finished | (scale < 2.0**-MAX_HALVINGS) | (restarts[rows] > MAX_RESTARTS)
            if stop.any():
                theta[rows[stop]] = th[stop]
                done[rows[finished]] = True
                keep = ~stop
                rows, th, val, gr, scale, approx = rows[keep], th[keep], val[keep], gr[keep], scale[keep], approx[keep]
                cv = [c[keep] for c in cv]
        theta[~done] = np.nan
        return theta, done, iterations

    def refit(self, frames: list[pd.DataFrame]) -> np.ndarray:
        """One resample fitted from scratch with ``groups.py``'s optimizer (the fallback):
        ``frames`` holds each group's resampled rows; returns the K covariance parameters."""
        from utils.sem import groups

        data = pd.concat([f.assign(**{self._group: g.name}) for f, g in zip(frames, self.groups)])
        labels = [g.name for g in self.groups]
        built, _, _ = groups._build(self.desc, data, self._group, labels, self.equal)
        with groups._one_thread():
            theta = groups._polish(built, groups._minimise(built, self._theta_full, self._bounds, 1e-12))
        return theta[self._global]
