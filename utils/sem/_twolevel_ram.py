"""The RAM form of one level of a two-level model, and the chain rule to its parameters
(private to utils.sem.twolevel).

Every variable of a level (observed first, then latent) is a row of v = A v + u, Cov(u) = S,
E(u) = m, so the implied moments of the observed variables are

    Σ = F T S Tᵀ Fᵀ,  μ = F T m,  T = (I − A)⁻¹,

with F selecting the observed rows. Given the derivatives G = ∂f/∂Σ (symmetric) and g = ∂f/∂μ of
any function f of the moments, the derivatives with respect to the matrices are

    ∂f/∂A = 2 H S Tᵀ + (Tᵀ Fᵀ g)(T m)ᵀ,  ∂f/∂S = H,  ∂f/∂m = Tᵀ Fᵀ g,  H = Tᵀ Fᵀ G F T,

so one gradient costs a few small matrix products whatever the number of parameters.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class LevelRAM:
    """One level of one group: sizes, fixed values and where the free parameters go.

    ``a_rows``, ``a_cols``, ``a_par``: free entries of A and their positions in the parameter
    vector (likewise ``s_*`` for S, one entry per symmetric pair, and ``m_*`` for m). ``A0``,
    ``S0``, ``m0`` hold the fixed values (zeros elsewhere)."""

    n_observed: int
    A0: np.ndarray
    S0: np.ndarray
    m0: np.ndarray
    a_rows: np.ndarray
    a_cols: np.ndarray
    a_par: np.ndarray
    s_rows: np.ndarray
    s_cols: np.ndarray
    s_par: np.ndarray
    m_rows: np.ndarray
    m_par: np.ndarray

    def matrices(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """A, S and m at the parameter vector ``theta``."""
        a, s, m = self.A0.copy(), self.S0.copy(), self.m0.copy()
        a[self.a_rows, self.a_cols] = theta[self.a_par]
        s[self.s_rows, self.s_cols] = theta[self.s_par]
        s[self.s_cols, self.s_rows] = theta[self.s_par]
        m[self.m_rows] = theta[self.m_par]
        return a, s, m

    def implied(self, theta: np.ndarray):
        """(Σ, μ) of the observed variables and (T, S, m) for :meth:`chain`; None for T when
        I − A is singular."""
        a, s, m = self.matrices(theta)
        try:
            t = np.linalg.inv(np.eye(len(a)) - a)
        except np.linalg.LinAlgError:
            return None, None, (None, s, m)
        p = self.n_observed
        ft = t[:p]
        return ft @ s @ ft.T, ft @ m, (t, s, m)

    def chain(self, parts, g_sigma: np.ndarray, g_mu: np.ndarray, grad: np.ndarray) -> None:
        """Add to ``grad`` the derivatives of f with respect to this level's free parameters,
        given ∂f/∂Σ (``g_sigma``, symmetric) and ∂f/∂μ (``g_mu``)."""
        t, s, m = parts
        ft = t[: self.n_observed]
        h = ft.T @ g_sigma @ ft
        ftg = ft.T @ g_mu
        d_a = 2 * h @ s @ t.T + np.outer(ftg, t @ m)
        np.add.at(grad, self.a_par, d_a[self.a_rows, self.a_cols])
        off = self.s_rows != self.s_cols
        np.add.at(grad, self.s_par, h[self.s_rows, self.s_cols] * np.where(off, 2.0, 1.0))
        np.add.at(grad, self.m_par, ftg[self.m_rows])

    def jacobian(self, parts, npar: int) -> tuple[np.ndarray, np.ndarray]:
        """∂Σ/∂θ (npar × p × p) and ∂μ/∂θ (npar × p) of the observed moments at ``parts`` (from
        :meth:`implied`); zero for parameters of other levels. With U = T S Tᵀ:
        ∂Σ/∂A_rc = F T e_r (U_c·)ᵀ + transpose, ∂μ/∂A_rc = F T e_r (T m)_c,
        ∂Σ/∂S_rc = F T (e_r e_cᵀ + e_c e_rᵀ) Tᵀ Fᵀ (once on the diagonal), ∂μ/∂m_r = F T e_r."""
        t, s, m = parts
        p = self.n_observed
        ft = t[:p]
        u = (t @ s @ t.T)[:, :p]
        tm = t @ m
        d_sigma = np.zeros((npar, p, p))
        d_mu = np.zeros((npar, p))
        r, c = self.a_rows, self.a_cols
        block = ft[:, r].T[:, :, None] * u[c][:, None, :]
        np.add.at(d_sigma, self.a_par, block + np.swapaxes(block, 1, 2))
        np.add.at(d_mu, self.a_par, ft[:, r].T * tm[c][:, None])
        r, c = self.s_rows, self.s_cols
        block = ft[:, r].T[:, :, None] * ft[:, c].T[:, None, :]
        block = block + np.where((r != c)[:, None, None], np.swapaxes(block, 1, 2), 0.0)
        np.add.at(d_sigma, self.s_par, block)
        np.add.at(d_mu, self.m_par, ft[:, self.m_rows].T)
        return d_sigma, d_mu

    def total_variances(self, theta: np.ndarray) -> np.ndarray:
        """Implied variances of every variable of the level (observed, then latent)."""
        a, s, _ = self.matrices(theta)
        t = np.linalg.inv(np.eye(len(a)) - a)
        return ((t @ s) * t).sum(axis=1)

    def _ancestors(self, needed: list[int]) -> np.ndarray:
        """``needed`` and every variable with a path into one of them (in A's pattern of free
        and fixed non-zero entries), sorted."""
        pattern = self.A0 != 0
        pattern[self.a_rows, self.a_cols] = True
        keep = set(needed)
        frontier = list(needed)
        while frontier:
            parents = set(np.flatnonzero(pattern[frontier].any(axis=0))) - keep
            keep |= parents
            frontier = list(parents)
        return np.array(sorted(keep), dtype=int)

    def total_variances_batch(self, thetas: np.ndarray, needed: list[int]) -> np.ndarray:
        """Implied variances of the variables ``needed`` (indices into observed + latent) for
        every row of ``thetas`` (draws × parameters): draws × len(needed). Only the needed
        variables and their ancestors enter (their rows of T = (I − A)⁻¹ involve nothing else),
        so a structural model's indicators cost nothing."""
        sub = self._ancestors(needed)
        where = {v: i for i, v in enumerate(sub)}
        k, n = len(thetas), len(sub)
        inside = np.isin(self.a_rows, sub) & np.isin(self.a_cols, sub)
        a = np.broadcast_to(self.A0[np.ix_(sub, sub)], (k, n, n)).copy()
        rows = np.array([where[r] for r in self.a_rows[inside]], dtype=int)
        cols = np.array([where[c] for c in self.a_cols[inside]], dtype=int)
        a[:, rows, cols] = thetas[:, self.a_par[inside]]
        inside = np.isin(self.s_rows, sub) & np.isin(self.s_cols, sub)
        s = np.broadcast_to(self.S0[np.ix_(sub, sub)], (k, n, n)).copy()
        rows = np.array([where[r] for r in self.s_rows[inside]], dtype=int)
        cols = np.array([where[c] for c in self.s_cols[inside]], dtype=int)
        s[:, rows, cols] = thetas[:, self.s_par[inside]]
        s[:, cols, rows] = thetas[:, self.s_par[inside]]
        t = np.linalg.inv(np.eye(n)[None] - a)
        picked = t[:, [where[v] for v in needed], :]
        return ((picked @ s) * picked).sum(axis=2)  # the needed rows of diag(T S Tᵀ)
