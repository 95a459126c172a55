"""Two-level data: checks, cluster summaries, the likelihood and lavaan's saturated model
(private to utils.sem; see utils.sem.twolevel for the model).

**Data.** Rows are level-1 units (customers), ``cluster`` names their level-2 unit (employee).
Level-1 variables (named under ``level: 1``) vary within clusters; between-only variables (named
only under ``level: 2``) are constant within each cluster. :func:`cluster_stats` reduces the data
to what the likelihood needs: the pooled within-cluster scatter of the level-1 variables, and for
each distinct cluster size the number of clusters of that size and the mean and covariance of
their vectors b_j = (z_j, ȳ_j) (between-only values, then cluster means).

**Likelihood** (random intercepts, complete data; McDonald & Goldstein 1989; Muthén 1994;
Rosseel 2021, lavaan's ``lav_mvnorm_cluster_loglik_samplestats_2l``). With Σ_W, μ_W the
within-level moments of the level-1 variables and Σ_B, μ_B the between-level moments of the
level-2 variables, the cluster vector b_j of a cluster of size n is normal with mean
μ_V = E₂μ_B + E₁μ_W and covariance V_n = E₂Σ_BE₂' + E₁Σ_WE₁'/n (E₁, E₂ place the level-1 and
level-2 variables in b_j; a within-only variable has no between part, a between-only one no
within part), and the deviations from the cluster means carry Σ_W only:

    −2 log L = Σ_n c_n [log|V_n| + p₁ log n + tr(V_n⁻¹ M_n)] + (N − J) log|Σ_W| + tr(Σ_W⁻¹ A)
               + (N p₁ + J p_z) log 2π,

summed over the distinct cluster sizes n (c_n clusters, M_n the second moments of their b_j about
μ_V), with A the pooled within-cluster scatter, N rows, J clusters, p₁ level-1 and p_z
between-only variables. Clusters of one size share one matrix inverse: that is what makes a fit
fast. :func:`objective` returns −2 log L and its gradient with respect to Σ_W, μ_W, Σ_B, μ_B.

**Saturated model.** lavaan's χ² compares the model with the unrestricted two-level model (Σ_W,
Σ_B, μ free), which lavaan fits by EM (``lav_mvnorm_cluster_em_sat``: start at identity matrices
and zero means, stop when an iteration raises log L by less than 1e-4, at most 5,000
iterations). :func:`saturated_em` is that algorithm step for step, so χ², the baseline model and
the fixed moments of exogenous covariates (lavaan takes them from this fit) match lavaan.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from utils.sem.errors import SemError

LOG_2PI = float(np.log(2 * np.pi))
EM_TOLERANCE = 1e-4  # lavaan's lav_h1_implied_logl: tol = 1e-04, max.iter = 5000, min.variance = 1e-05
EM_MAX_ITER = 5000
EM_MIN_VARIANCE = 1e-5
_X_MIN_VARIANCE = 0.001  # lavaan's lav_start: fixed exogenous variances below this are set to it


@dataclass
class ClusterStats:
    """One group's data reduced for the two-level likelihood.

    ``names1``: level-1 variables (vary within clusters); ``names2``: level-2 variables (those
    named at both levels, then the between-only ones, in model order); ``between``: the
    between-only names. ``e1`` (q × p₁) and ``e2`` (q × p₂) place Σ_W and Σ_B in the covariance
    of b_j = (z_j, ȳ_j), q = p_z + p₁. Per distinct cluster size (``sizes``): ``counts``,
    ``means`` (S × q) and ``covs`` (S × q × q, divided by the count). ``scatter``: pooled
    within-cluster sum of squares and products of the level-1 variables; ``crossprod``: their raw
    Σ y yᵀ over rows (for the EM); ``n`` rows, ``clusters`` J; ``loglik_x``: lavaan's saturated
    log-likelihood of the exogenous covariates that are within-only or between-only (subtracted
    from log L, as lavaan's fixed.x does); ``cluster_ids`` in order of first appearance."""

    names1: list[str]
    names2: list[str]
    between: list[str]
    e1: np.ndarray
    e2: np.ndarray
    sizes: np.ndarray
    counts: np.ndarray
    means: np.ndarray
    covs: np.ndarray
    scatter: np.ndarray
    crossprod: np.ndarray
    n: int
    clusters: int
    loglik_x: float
    cluster_ids: list

    def __post_init__(self) -> None:
        self.inv_sizes = 1.0 / self.sizes
        self.log_size_term = float(self.counts @ np.log(self.sizes)) * len(self.names1)
        self.pick2 = np.argmax(self.e2, axis=0)  # the row of b_j holding each level-2 variable

    def fingerprint(self) -> bytes:
        """A digest of everything the likelihood reads (for caching fits to the same data)."""
        digest = hashlib.sha256()
        for part in (self.names1, self.names2, self.between):
            digest.update(("|".join(part) + "#").encode())
        for array in (self.sizes, self.counts, self.means, self.covs, self.scatter, self.crossprod,
                      np.array([self.n, self.clusters, self.loglik_x])):
            digest.update(np.ascontiguousarray(array, dtype=float).tobytes())
        return digest.digest()


def _h1_loglik(n: int, cov: np.ndarray) -> float:
    p = cov.shape[0]
    return float(-n / 2 * (p * LOG_2PI + np.linalg.slogdet(cov)[1] + p))


def check_data(data: pd.DataFrame, cluster: str, names1: list[str], between: list[str], where: str) -> pd.DataFrame:
    """The model's columns of ``data`` (level-1 names, between-only names, cluster) after the
    checks of the module; SemError naming the column and the problem otherwise."""
    if not isinstance(data, pd.DataFrame):
        raise SemError(f"data must be a pandas DataFrame, not {type(data).__name__}")
    if not isinstance(cluster, str) or cluster not in data.columns:
        shown = ", ".join(map(str, data.columns))
        raise SemError(f"cluster={cluster!r} is not a column of the data (columns: {shown})")
    names = names1 + between
    missing = [v for v in names if v not in data.columns]
    if missing:
        raise SemError(f"the model names variables that are not columns of the data{where}: {', '.join(missing)}")
    if cluster in names:
        raise SemError(f"the cluster column {cluster!r} is also a variable of the model")
    sub = data[names + [cluster]]
    non_numeric = [v for v in names if not pd.api.types.is_numeric_dtype(sub[v])]
    if non_numeric:
        raise SemError(f"non-numeric column(s){where}: {', '.join(non_numeric)}")
    if sub[cluster].isna().any():
        raise SemError(f"the cluster column {cluster!r} has {int(sub[cluster].isna().sum())} missing value(s){where}")
    n_missing = sub[names].isna().sum()
    if n_missing.any():
        counts = ", ".join(f"{v}: {int(k)}" for v, k in n_missing.items() if k)
        raise SemError(f"missing values{where} ({counts}); fit_twolevel needs complete data: drop or impute "
                       "those rows first")
    constant = [v for v in names if sub[v].nunique() < 2]
    if constant:
        raise SemError(f"constant column(s){where} (zero variance): {', '.join(constant)}")
    return sub


def cluster_stats(sub: pd.DataFrame, cluster: str, names1: list[str], names2: list[str],
                  between: list[str], x_within: list[str], x_between: list[str], where: str) -> ClusterStats:
    """Cluster summaries of checked data ``sub`` (see :class:`ClusterStats`); SemError when every
    cluster has one row, when a between-only variable varies within a cluster, or when a
    level-1 variable does not vary within any cluster."""
    codes, ids = pd.factorize(sub[cluster], sort=False)
    sizes_per = np.bincount(codes)
    n, clusters = len(sub), len(ids)
    if clusters == n:
        raise SemError(f"every cluster of {cluster!r} has one row{where}: with no two rows in a cluster the "
                       "within and between levels cannot be told apart")
    y = sub[names1].to_numpy(dtype=float)
    z = sub[between].to_numpy(dtype=float)
    order = np.argsort(codes, kind="stable")
    starts = np.concatenate([[0], np.cumsum(sizes_per)[:-1]])

    def per_cluster(values: np.ndarray, fn) -> np.ndarray:
        return fn.reduceat(values[order], starts, axis=0)

    for k, name in enumerate(between):
        spread = per_cluster(z[:, k], np.maximum) - per_cluster(z[:, k], np.minimum)
        varying = np.flatnonzero(spread > 1e-12 * max(1.0, float(np.max(np.abs(z[:, k])))))
        if varying.size:
            shown = ", ".join(map(str, ids[varying[:3]]))
            raise SemError(
                f"{name!r} is named only under 'level: 2' (a between-only variable) but varies within "
                f"{varying.size} cluster(s) of {cluster!r}{where} (e.g. {shown}); name it under 'level: 1' "
                "too, or use its cluster means"
            )
    ybar = per_cluster(y, np.add) / sizes_per[:, None]
    zbar = per_cluster(z, np.add) / sizes_per[:, None] if between else np.zeros((clusters, 0))
    deviation = y - ybar[codes]
    scatter = deviation.T @ deviation
    flat = [names1[k] for k in range(len(names1)) if scatter[k, k] <= 1e-12 * max(1.0, float(y[:, k] @ y[:, k]))]
    if flat:
        raise SemError(
            f"{', '.join(map(repr, flat))} named under 'level: 1' do(es) not vary within any cluster{where}: "
            "a variable that is constant within clusters is a between-level variable; name it only under 'level: 2'"
        )
    b = np.hstack([zbar, ybar])
    sizes = np.array(pd.unique(sizes_per))  # lavaan keeps the order of first appearance
    counts, means, covs = [], [], []
    for size in sizes:
        rows = b[sizes_per == size]
        counts.append(len(rows))
        means.append(rows.mean(axis=0))
        centred = rows - rows.mean(axis=0)
        covs.append(centred.T @ centred / len(rows))
    p1, pz = len(names1), len(between)
    q = pz + p1
    e1 = np.zeros((q, p1))
    e1[pz:, :] = np.eye(p1)
    e2 = np.zeros((q, len(names2)))
    for k, name in enumerate(names2):
        if name in between:
            e2[between.index(name), k] = 1.0
        else:
            e2[pz + names1.index(name), k] = 1.0
    loglik_x = 0.0
    if x_within:
        idx = [names1.index(v) for v in x_within]
        loglik_x += _h1_loglik(n, np.cov(y[:, idx], rowvar=False, bias=True).reshape(len(idx), len(idx)))
    if x_between:
        idx = [between.index(v) for v in x_between]
        loglik_x += _h1_loglik(clusters, np.cov(zbar[:, idx], rowvar=False, bias=True).reshape(len(idx), len(idx)))
    return ClusterStats(names1, names2, list(between), e1, e2, sizes.astype(float), np.array(counts, dtype=float),
                        np.array(means), np.array(covs), scatter, y.T @ y, n, clusters, loglik_x, list(ids))


# --------------------------------------------------------------------------- likelihood


def objective(stats: ClusterStats, sigma_w: np.ndarray, mu_w: np.ndarray, sigma_b: np.ndarray,
              mu_b: np.ndarray, *, gradient: bool = True):
    """−2 log L (without the 2π constant and lavaan's exogenous term) of one group, and, with
    ``gradient``, its derivatives with respect to Σ_W, μ_W, Σ_B, μ_B (symmetric matrices: the
    change of −2 log L is tr(G dΣ)). Returns (inf, None) when Σ_W or some V_n is not positive
    definite."""
    e1, e2 = stats.e1, stats.e2
    vb = e2 @ sigma_b @ e2.T
    vw = e1 @ sigma_w @ e1.T
    v = vb + vw * stats.inv_sizes[:, None, None]
    try:
        chol_w = np.linalg.cholesky(sigma_w)
        chol = np.linalg.cholesky(v)
    except np.linalg.LinAlgError:
        return np.inf, None
    logdet_w = 2 * np.log(np.diag(chol_w)).sum()
    logdet_v = 2 * np.log(np.diagonal(chol, axis1=1, axis2=2)).sum(axis=1)
    inv_w = np.linalg.inv(sigma_w)
    inv_v = np.linalg.inv(v)
    d = stats.means - (e2 @ mu_b + e1 @ mu_w)  # S × q
    second = stats.covs + d[:, :, None] * d[:, None, :]
    c = stats.counts
    within_n = stats.n - stats.clusters
    value = float(c @ (logdet_v + (inv_v * second).sum(axis=(1, 2))) + stats.log_size_term
                  + within_n * logdet_w + (inv_w * stats.scatter).sum())
    if not gradient:
        return value, None
    g_v = c[:, None, None] * (inv_v - inv_v @ second @ inv_v)
    g_mu = -2 * (c[:, None] * (inv_v @ d[:, :, None])[:, :, 0]).sum(axis=0)
    g_vw = (g_v * stats.inv_sizes[:, None, None]).sum(axis=0)
    g_sigma_w = e1.T @ g_vw @ e1 + within_n * inv_w - inv_w @ stats.scatter @ inv_w
    g_sigma_b = e2.T @ g_v.sum(axis=0) @ e2
    return value, (g_sigma_w, e1.T @ g_mu, g_sigma_b, e2.T @ g_mu)


def information(stats: ClusterStats, sigma_w: np.ndarray, sigma_b: np.ndarray, d_sigma_w: np.ndarray,
                d_mu_w: np.ndarray, d_sigma_b: np.ndarray, d_mu_b: np.ndarray) -> np.ndarray:
    """Expected (Fisher) information of log L for parameters θ, given ∂Σ_W/∂θ, ∂μ_W/∂θ (K × p₁ ×
    p₁, K × p₁) and ∂Σ_B/∂θ, ∂μ_B/∂θ: each cluster's b_j is N(μ_V, V_n) and the within scatter is
    Wishart(Σ_W, N − J), so

        I_kl = Σ_n c_n [½ tr(V_n⁻¹ ∂_k V_n V_n⁻¹ ∂_l V_n) + ∂_k μ_Vᵀ V_n⁻¹ ∂_l μ_V]
               + (N − J)/2 tr(Σ_W⁻¹ ∂_k Σ_W Σ_W⁻¹ ∂_l Σ_W)."""
    e1, e2 = stats.e1, stats.e2
    v = e2 @ sigma_b @ e2.T + (e1 @ sigma_w @ e1.T) * stats.inv_sizes[:, None, None]
    inv_v = np.linalg.inv(v)
    d_vb = e2 @ d_sigma_b @ e2.T  # K × q × q
    d_vw = e1 @ d_sigma_w @ e1.T
    x = inv_v[:, None] @ (d_vb[None] + d_vw[None] * stats.inv_sizes[:, None, None, None])  # S × K × q × q
    k = x.shape[1]
    flat = x.reshape(len(v), k, -1)
    flat_t = np.swapaxes(x, 2, 3).reshape(len(v), k, -1)
    info = 0.5 * np.einsum("s,skl->kl", stats.counts, flat @ np.swapaxes(flat_t, 1, 2))
    d_mu = d_mu_b @ e2.T + d_mu_w @ e1.T  # K × q
    info += np.einsum("s,ki,sij,lj->kl", stats.counts, d_mu, inv_v, d_mu, optimize=True)
    y = np.linalg.inv(sigma_w) @ d_sigma_w
    yk = y.reshape(k, -1)
    yt = np.swapaxes(y, 1, 2).reshape(k, -1)
    info += 0.5 * (stats.n - stats.clusters) * (yk @ yt.T)
    return (info + info.T) / 2


def loglik(stats: ClusterStats, sigma_w, mu_w, sigma_b, mu_b) -> float:
    """lavaan's log-likelihood of one group (with the 2π constant, minus ``loglik_x``)."""
    value, _ = objective(stats, sigma_w, mu_w, sigma_b, mu_b, gradient=False)
    p1, pz = len(stats.names1), len(stats.between)
    constant = (stats.n * p1 + stats.clusters * pz) * LOG_2PI
    return -0.5 * (value + constant) - stats.loglik_x


# --------------------------------------------------------------------------- lavaan's saturated model


@dataclass
class Saturated:
    """The unrestricted two-level model of one group as lavaan's EM fits it: ``sigma_w``,
    ``mu_w`` (level-1 variables), ``sigma_b``, ``mu_b`` (level-2 variables), ``loglik`` and the
    number of EM ``iterations``."""

    sigma_w: np.ndarray
    mu_w: np.ndarray
    sigma_b: np.ndarray
    mu_b: np.ndarray
    loglik: float
    iterations: int


def _assemble(stats: ClusterStats, sw, sb, syz, szz, mz, mw, mb):
    """lavaan's lav_mvnorm_cluster_2l2implied: the EM's blocks as Σ_W, μ_W, Σ_B, μ_B."""
    pz = len(stats.between)
    q = stats.e1.shape[0]
    full_b = np.zeros((q, q))
    full_b[:pz, :pz] = szz
    full_b[pz:, pz:] = sb
    full_b[pz:, :pz] = syz
    full_b[:pz, pz:] = syz.T
    mean_b = np.concatenate([mz, mb])
    pick = stats.pick2
    return sw, mw, full_b[np.ix_(pick, pick)], mean_b[pick]


def saturated_em(stats: ClusterStats) -> Saturated:
    """lavaan 0.6's EM fit of the unrestricted two-level model (see the module docstring).

    One iteration: the E-step at the current moments, the M-step, then log L at the new moments.
    The covariance of b_j at the new moments is the E-step's matrix of the next iteration, so
    each iteration inverts it once (stacked with Σ_W, padded to the same size, so that one call
    inverts both and one call gives both log-determinants). Results are cached by the data's
    summaries: fits of several models to the same data share them."""
    key = stats.fingerprint()
    if key in _SATURATED_CACHE:
        return _SATURATED_CACHE[key]
    result = _saturated_em(stats)
    if len(_SATURATED_CACHE) >= _CACHE_SIZE:
        _SATURATED_CACHE.pop(next(iter(_SATURATED_CACHE)))
    _SATURATED_CACHE[key] = result
    return result


_SATURATED_CACHE: dict[bytes, Saturated] = {}
_CACHE_SIZE = 64


def _saturated_em(stats: ClusterStats) -> Saturated:
    p1, pz = len(stats.names1), len(stats.between)
    q = p1 + pz
    both = stats.e2[pz:, :].sum(axis=1)  # 1 for level-1 variables that also live at level 2
    sw = np.eye(p1)
    sb = np.diag(both)
    syz = np.zeros((p1, pz))
    mw = np.zeros(p1)
    mb = np.zeros(p1)
    fx_old = loglik(stats, np.eye(p1), np.zeros(p1), np.eye(stats.e2.shape[1]), np.zeros(stats.e2.shape[1]))
    z_all = stats.means[:, :pz]
    # the between-only block is saturated and fixed at its cluster-level moments
    mz = stats.counts @ z_all / stats.clusters
    szz = (np.einsum("s,sij->ij", stats.counts, stats.covs[:, :pz, :pz])
           + np.einsum("s,si,sj->ij", stats.counts, z_all, z_all)) / stats.clusters - mz[:, None] * mz[None, :]
    n, j = stats.n, stats.clusters
    sizes, counts, means, covs = stats.sizes, stats.counts, stats.means, stats.covs
    n_sizes = len(sizes)
    c3 = counts[:, None, None]
    s3 = sizes[:, None, None]
    ybar, zbar = means[:, pz:], means[:, :pz]
    cov_yb, cov_zb = covs[:, pz:, :], covs[:, :pz, :]
    inv_sizes = stats.inv_sizes[:, None, None]
    # stack: the S matrices V_n, then Σ_W padded with an identity block (same log|·|, inverse)
    stack = np.zeros((n_sizes + 1, q, q))
    stack[:n_sizes, :pz, :pz] = szz
    stack[n_sizes, :pz, :pz] = np.eye(pz)
    sigma1 = np.zeros((p1, q))
    weights = np.append(counts, stats.n - stats.clusters)
    within_scatter = np.zeros((q, q))
    within_scatter[pz:, pz:] = stats.scatter
    constant = (stats.n * p1 + stats.clusters * pz) * LOG_2PI
    size_weight = (sizes * counts) / n

    def fill():
        stack[:n_sizes, pz:, :pz] = syz
        stack[:n_sizes, :pz, pz:] = syz.T
        stack[:n_sizes, pz:, pz:] = sw * inv_sizes + sb
        stack[n_sizes, pz:, pz:] = sw

    fill()
    inverse = np.linalg.inv(stack)
    fx = fx_old
    iterations = 0
    for iterations in range(1, EM_MAX_ITER + 1):
        # E-step (lav_mvnorm_cluster_em_estepb, summed over the clusters of each size)
        sigma1[:, :pz] = syz
        sigma1[:, pz:] = sb
        mu = np.concatenate([mz, mw + mb])
        k = sigma1 @ inverse[:n_sizes]  # S × p1 × q
        kt = np.swapaxes(k, 1, 2)
        ev = mb + (k @ (means - mu)[:, :, None])[:, :, 0]  # mean E(v_j) over clusters of each size
        ck = c3 * k
        covv = c3 * sb - ck @ sigma1.T
        evv = 0.5 * (covv + np.swapaxes(covv, 1, 2)) + ck @ covs @ kt + c3 * (ev[:, :, None] * ev[:, None, :])
        ybar_ev = c3 * (ybar[:, :, None] * ev[:, None, :] + cov_yb @ kt)
        cw2 = (s3 * (evv - ybar_ev - np.swapaxes(ybar_ev, 1, 2))).sum(axis=0)
        # M-step
        mw = size_weight @ (ybar - ev)
        mb = counts @ ev / j
        sw = (stats.crossprod + cw2) / n - mw[:, None] * mw[None, :]
        sb = evv.sum(axis=0) / j - mb[:, None] * mb[None, :]
        if pz:
            zy = (c3 * (zbar[:, :, None] * ev[:, None, :] + cov_zb @ kt)).sum(axis=0)
            syz = (zy / j - mz[:, None] * mb[None, :]).T
        small = np.flatnonzero(np.diag(sw) < EM_MIN_VARIANCE)
        if small.size:
            sw[small, :] = 0.0
            sw[:, small] = 0.0
            sw[small, small] = EM_MIN_VARIANCE
        # log L at the new moments (lav_mvnorm_cluster_loglik_samplestats_2l)
        fill()
        sign, logdet = np.linalg.slogdet(stack)
        if np.any(sign <= 0):
            raise SemError("the unrestricted two-level model could not be fitted (a covariance matrix "
                           "became singular): check for variables that are (nearly) linearly dependent")
        inverse = np.linalg.inv(stack)
        d = means - np.concatenate([mz, mw + mb])
        quad = (inverse[:n_sizes] * (covs + d[:, :, None] * d[:, None, :])).sum(axis=(1, 2))
        value = weights @ logdet + counts @ quad + stats.log_size_term + (inverse[n_sizes] * within_scatter).sum()
        fx = -0.5 * (value + constant) - stats.loglik_x
        if fx - fx_old < EM_TOLERANCE:
            break
        fx_old = fx
    implied = _assemble(stats, sw, sb, syz, szz, mz, mw, mb)
    return Saturated(implied[0], implied[1], implied[2], implied[3], float(fx), iterations)
