"""Monte Carlo confidence intervals for indirect effects: draw the parameters, not the data.

The Monte Carlo method (MacKinnon, Lockwood & Williams 2004; Preacher & Selig 2012) takes the
ML estimates θ̂ and their covariance V (``vcov()``, the inverse expected information), draws
θ* ~ N(θ̂, V) many times, and computes the indirect effect, the product of the path coefficients
along a chain, on every draw. The quantiles of those products give the interval. It costs no
refit, so it is instant where a latent-model bootstrap is slow, and it respects the skewness of
a product, which the delta-method (Sobel) interval does not. What it cannot show: it trusts the
normal approximation of the estimates themselves (it is not a bootstrap of the data), and it is
only as good as V (the model's ML standard errors, so the model must be right).

:func:`monte_carlo_effects` takes a fit:

- a :class:`utils.sem.SemFit` (one group): one row per chain;
- a :class:`utils.sem.GroupFit` (several groups; e.g. metric invariance,
  ``fit_groups(desc, data, group, equal=["loadings"])``): one row per chain and group, and for
  two groups a "difference" row, the second group's effect minus the first's with the groups
  in sorted order (as :func:`utils.sem.indirect_effects`). The draws are joint across groups, so
  a loading held equal moves both groups' effects together, as it should.

Columns: chain, group, estimate (the product of the ML estimates), se (SD of the draws), lower,
upper (percentile interval at ``level``), lower_mcse, upper_mcse (Monte Carlo SE of each end,
``utils.inference.quantile_mcse``), p_greater, p_less (the share of draws at or below / at or
above 0, (1 + count) / (1 + n_draws): the Monte Carlo analogue of a one-sided p for H1: effect
> 0 / < 0) with their Monte Carlo SEs, n_draws. ``attrs["method"]`` is "monte_carlo" and
``attrs["draws"]`` maps each row index to its draws. :func:`utils.sem.verdicts` gives the
verdict for a stated direction.

Verified (``tests/test_sem_montecarlo.py``): for a two-path product with independent estimates,
the interval ends and P(a·b ≤ 0) against the exact distribution of a product of two normals
(numerical integration, closed form); the SD of the draws against the exact SD of that product
and the delta-method (Sobel) SE, and against lavaan's delta-method SE of a defined parameter
``:=``, including a latent indirect-effect difference under metric invariance.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from utils import _checks, inference
from utils.sem._threads import single_threaded
from utils.sem.bootstrap import Draws, _as_chains
from utils.sem.errors import SemError
from utils._checks import validated

COLUMNS = ["chain", "group", "estimate", "se", "lower", "upper", "lower_mcse", "upper_mcse",
           "p_greater", "p_less", "p_greater_mcse", "p_less_mcse", "n_draws"]
DRAWS_DEFAULT = 20000


def _parameters(fit: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, pd.DataFrame]:
    """θ̂, V, each estimates row's position in θ̂ (−1 fixed) and the estimates table."""
    from utils.sem.groups import GroupFit
    from utils.sem.single import SemFit, _parameter_covariance

    if isinstance(fit, SemFit):
        theta, cov, positions = _parameter_covariance(fit)
        return theta, cov, positions, fit.estimates.assign(group=None)
    if isinstance(fit, GroupFit):
        if fit.cov is None or fit.theta is None or fit.positions is None:
            raise SemError("fit has no parameter covariance (its information matrix is singular): "
                           "the model is not identified")
        return fit.theta, fit.cov, fit.positions, fit.estimates
    raise SemError(f"fit must be a SemFit (utils.sem.fit) or a GroupFit (utils.sem.fit_groups), "
                   f"got {type(fit).__name__}")


def _link(estimates: pd.DataFrame, positions: np.ndarray, group: Any, start: str, end: str,
          chain: tuple[str, ...]) -> tuple[float, int]:
    """(estimate, position in θ̂ or −1 if fixed) of the regression ``end ~ start`` in ``group``."""
    same_group = estimates["group"].isna() if group is None else estimates["group"] == group
    hit = np.flatnonzero(same_group.to_numpy() & (estimates["op"] == "~").to_numpy()
                         & (estimates["lhs"] == end).to_numpy() & (estimates["rhs"] == start).to_numpy())
    if len(hit) != 1:
        raise SemError(f"chain {' → '.join(chain)}: the model has no regression path {end} ~ {start} "
                       f"(from {start} to {end})")
    return float(estimates["est"].iloc[hit[0]]), int(positions[hit[0]])


def _summary(estimate: float, draws: np.ndarray, level: float) -> dict[str, float]:
    alpha = (1 - level) / 2
    lower, upper = np.quantile(draws, [alpha, 1 - alpha])
    n = len(draws)
    p_greater = (1 + int(np.sum(draws <= 0))) / (1 + n)
    p_less = (1 + int(np.sum(draws >= 0))) / (1 + n)
    return {"estimate": estimate, "se": float(np.std(draws, ddof=1)), "lower": float(lower),
            "upper": float(upper), "lower_mcse": inference.quantile_mcse(draws, alpha),
            "upper_mcse": inference.quantile_mcse(draws, 1 - alpha), "p_greater": p_greater,
            "p_less": p_less, "p_greater_mcse": inference.p_mcse(p_greater, n),
            "p_less_mcse": inference.p_mcse(p_less, n), "n_draws": n}


@validated(n_draws=(100, 1_000_000))
@single_threaded
def monte_carlo_effects(fit: Any, chains: Sequence[Sequence[str]] | Sequence[str], *,
                        n_draws: int = DRAWS_DEFAULT, seed: int | None = None,
                        level: float = 0.95) -> pd.DataFrame:
    """Monte Carlo intervals of the indirect effects along ``chains`` of a fitted model.

    ``fit`` is a :class:`utils.sem.SemFit` or :class:`utils.sem.GroupFit`; ``chains`` a chain
    or a sequence of chains, each naming at least two variables where every consecutive pair
    ``(a, b)`` is a regression ``b ~ a`` of the model (observed or latent). ``n_draws``
    parameter vectors are drawn from N(θ̂, V) with ``numpy.random.default_rng(seed)`` (the same
    seed gives identical numbers); ``level`` is the interval's confidence level. Returns the
    tidy frame described in the module docstring."""
    n_draws = _checks.whole("n_draws", n_draws, 100)
    level = _checks.number("level", level)
    if not 0 < level < 1:
        raise SemError(f"level must lie strictly between 0 and 1, got {level:g}")
    chains = _as_chains(chains)
    theta, cov, positions, estimates = _parameters(fit)
    groups = [None] if estimates["group"].isna().all() else sorted(pd.unique(estimates["group"]))
    # every link of every chain in every group: its estimate and parameter position
    links = {(g, chain): [_link(estimates, positions, g, a, b, chain) for a, b in zip(chain, chain[1:])]
             for chain in chains for g in groups}
    used = sorted({pos for values in links.values() for _, pos in values if pos >= 0})
    rng = np.random.default_rng(seed)
    sub = cov[np.ix_(used, used)]
    # a symmetric square root by eigendecomposition: V may be singular (parameters held equal
    # appear once in θ̂, but a label shared inside a group can make rows repeat)
    values, vectors = np.linalg.eigh((sub + sub.T) / 2)
    root = vectors * np.sqrt(np.clip(values, 0, None))
    drawn = theta[used] + rng.standard_normal((n_draws, len(used))) @ root.T
    column = {pos: j for j, pos in enumerate(used)}
    rows, draws = [], Draws()
    for chain in chains:
        name = " → ".join(chain)
        per_group = {}
        for g in groups:
            estimate, values = 1.0, np.ones(n_draws)
            for est, pos in links[(g, chain)]:
                estimate *= est
                values = values * (drawn[:, column[pos]] if pos >= 0 else est)
            per_group[g] = (estimate, values)
            rows.append({"chain": name, "group": g, **_summary(estimate, values, level)})
            draws[len(draws)] = values
        if len(groups) == 2:
            (e1, v1), (e2, v2) = per_group[groups[0]], per_group[groups[1]]
            rows.append({"chain": name, "group": "difference", **_summary(e2 - e1, v2 - v1, level)})
            draws[len(draws)] = v2 - v1
    table = pd.DataFrame(rows, columns=COLUMNS)
    table.attrs["method"] = "monte_carlo"
    table.attrs["draws"] = draws
    if len(groups) == 2:
        table.attrs["difference"] = f"{groups[1]} − {groups[0]}"
    return table
