"""Indirect effects along chains of regression paths, with nonparametric bootstrap intervals.

An indirect effect is named by a *chain* of variable names along regression paths of the model,
e.g. ``("infusion", "user_sat", "confirmation")`` for ``user_sat ~ infusion`` and
``confirmation ~ user_sat``; its value is the product of the path coefficients along the chain
(maximum-likelihood estimates, as semopy and lavaan give them).

:func:`indirect_effects` resamples rows with replacement (within each group separately when a
group column is given), re-estimates the model on every resample and reports, for each chain
(and each group, and the difference group 2 − group 1 of the sorted group labels), the estimate,
the bootstrap standard deviation and the percentile and bias-corrected (BC) intervals, the Monte
Carlo standard error of each interval end (``utils.inference.quantile_mcse``: how far another seed
could move it), the one-sided bootstrap p-values ``p_greater`` / ``p_less`` with their Monte Carlo
SEs, and keeps every resampled value in ``attrs["draws"]``. Verdicts for a stated direction come
from :func:`utils.sem.verdicts`. The Monte Carlo SEs are checked against the spread of interval
ends over 40 seeds (``tests/test_sem_bootstrap.py``).

**Three routes to the same ML estimator.**

- *Fast path* — recursive path models on observed variables: only ``~`` regressions (no ``=~``,
  so no latent variables), an acyclic regression graph, residual variances free, no residual
  covariance between endogenous variables (covariances among exogenous variables are allowed),
  no fixed values, no shared labels, no constraints. The ML likelihood of such a model factorizes
  into one normal regression per endogenous variable, so the ML path coefficients are the OLS
  coefficients equation by equation (the book's structural models on composite scores are of
  this kind). Each resample is then a handful of small least-squares solves: with ``C`` the
  ``n_boot × n`` matrix of how often each row is drawn and ``O`` the ``n × (p+1)²`` matrix of
  the rows' outer products (with a leading 1 for the intercept), ``C @ O`` gives every
  resample's cross-product matrix in one matrix product, and the normal equations of all
  resamples are solved in one batched ``numpy.linalg.solve``. 5,000 resamples of a
  four-variable model in two groups of 300 take well under a second (``tools/bench_sem.py``).
- *Scoring* — every other model that ``fit_groups`` can fit (latent variables, residual
  covariances, labels, fixed values), and any model with ``equal=`` (groups fitted jointly with
  parameters held equal, e.g. metric invariance): each block of resamples is fitted at once by
  :mod:`utils.sem.scoring`, starting at the full-sample estimate, with BFGS steps from the
  expected information and analytic gradients; a resample that does not converge is refitted
  from scratch (``attrs["fallbacks"]`` counts them). The infusion-use latent model (12
  indicators, 2 observed exogenous variables, 32 parameters per group) takes about 0.7 ms of CPU
  a resample (5,000 resamples × 2 groups in about 8 s on one core, ``tools/bench_sem.py``);
  its resamples agree with lavaan's refits of the same resamples within 1e-5
  (``tests/test_sem_scoring.py``).
- *Refit* — models with semopy operations (``CONSTRAINT``, ``BOUND``, …): each resample is
  refitted with semopy's ML, starting from the full-sample estimates (full sample with ftol
  1e-12, resamples with ftol 1e-9, see RESAMPLE_OPTIONS). The same estimator but slow: about
  16 ms a resample for the three-factor PoliticalDemocracy SEM (N = 75).

The returned frame's ``attrs["method"]`` says which route was taken ("ols", "scoring" or
"refit").

Resamples on which the model cannot be estimated (a singular cross-product matrix on the fast
path, a failed refit) are dropped with a :class:`SemWarning`; the ``n_boot`` column gives the
number of resamples actually used.
"""

from __future__ import annotations

import contextlib
import re
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from typing import TYPE_CHECKING

from utils import inference
from utils.sem.errors import SemError, SemWarning
from utils.sem._threads import one_blas_thread, single_threaded
from utils.sem.syntax import canonical
from utils._checks import validated

if TYPE_CHECKING:  # semopy is imported when a fit runs (it pulls in scikit-learn and sympy)
    import semopy


Chain = Sequence[str]
FIT_OPTIONS = {"ftol": 1e-12}
# Resamples on the refit route: ftol 1e-9 moved PoliticalDemocracy's structural paths by < 1e-4
# (0.0003 bootstrap SDs) against 1e-12 and cut a refit from ~110 ms to ~16 ms.
RESAMPLE_OPTIONS = {"ftol": 1e-9}
COLUMNS = ["chain", "group", "estimate", "se", "pct_low", "pct_high", "bc_low", "bc_high", "n_boot",
           "pct_low_mcse", "pct_high_mcse", "bc_low_mcse", "bc_high_mcse", "p_greater", "p_less",
           "p_greater_mcse", "p_less_mcse"]
# Resamples are drawn and solved in blocks of this many, so memory stays near CHUNK × n numbers
# whatever n_boot is. The draws of a given seed do not depend on CHUNK (numpy's integers fills a
# block row by row from one stream), but keep it fixed anyway.
CHUNK = 500
# A resample whose normal-equation matrix has a condition number above this is dropped.
_MAX_CONDITION = 1e12
_LABEL = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")


# --------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class _Structure:
    """What indirect_effects needs to know of a model description."""

    regressions: dict[str, list[str]]  # endogenous variable → its predictors, in order
    observed: list[str]  # the model's observed variables (columns of the data)
    fast: bool  # True when the ML estimates are the OLS estimates equation by equation
    reason: str  # why not, when fast is False
    scoring: bool = True  # True when utils.sem.scoring can fit it (no CONSTRAINT/BOUND/… lines)


def _is_acyclic(regressions: dict[str, list[str]]) -> bool:
    """True when the graph predictor → outcome of ``regressions`` has no cycle."""
    state: dict[str, int] = {}

    def visit(node: str) -> bool:
        if state.get(node) == 1:
            return False
        if state.get(node) == 2:
            return True
        state[node] = 1
        ok = all(visit(parent) for parent in regressions.get(node, []))
        state[node] = 2
        return ok

    return all(visit(node) for node in regressions)


def _structure(desc: str) -> _Structure:
    """Parse ``desc`` (semopy / lavaan syntax) into its regressions; decide the route."""
    try:
        import semopy

        ops, operations = semopy.parser.parse_desc(desc)
        model = semopy.Model(desc)
    except Exception as error:  # semopy raises bare Exceptions on bad syntax
        raise SemError(f"the model description cannot be parsed: {error}") from error
    regressions = {lhs: list(rhs) for lhs, rhs in ops.get("~", {}).items()}
    if not regressions:
        raise SemError("the model has no regression paths (~), so it has no indirect effects")
    observed = list(model.vars["observed"])
    endogenous = set(regressions)
    reasons = []
    if ops.get("=~"):
        reasons.append("it has latent variables")
    if set(ops) - {"~", "~~", "=~"} or any(operations.values()):
        reasons.append("it has operators or constraints other than ~ and ~~")
    labels = [mod for rhs in ops.get("~", {}).values() for mod in rhs.values() if mod is not None]
    if any(not _LABEL.match(str(mod)) for mod in labels):
        reasons.append("it fixes or starts a regression coefficient")
    if len(labels) != len(set(labels)):
        reasons.append("it holds regression coefficients equal (shared labels)")
    for lhs, rhs in ops.get("~~", {}).items():
        for other, mod in rhs.items():
            if lhs == other and mod is not None and not _LABEL.match(str(mod)):
                reasons.append(f"it fixes the variance of {lhs}")
            if lhs != other and (lhs in endogenous or other in endogenous):
                reasons.append(f"it has a residual covariance {lhs} ~~ {other}")
    if not _is_acyclic(regressions):
        reasons.append("it is not recursive")
    scoring = not any(operations.values())
    return _Structure(regressions, observed, not reasons, "; ".join(reasons), scoring)


def _as_chains(chains: Sequence[Chain] | Chain) -> list[tuple[str, ...]]:
    """``chains`` (or one chain on its own) as a list of tuples of at least two names each."""
    if isinstance(chains, str) or (len(chains) > 0 and isinstance(chains[0], str)):
        chains = [chains]  # a single chain given on its own
    if len(chains) == 0:
        raise SemError("no chains given: name at least one chain of variables, e.g. ('x', 'm', 'y')")
    out = []
    for chain in chains:
        chain = tuple(chain)
        if len(chain) < 2 or not all(isinstance(name, str) for name in chain):
            raise SemError(f"chain {chain!r} must name at least two variables along regression paths")
        out.append(chain)
    return out


def _check_chains(chains: Sequence[Chain], regressions: dict[str, list[str]]) -> list[tuple[str, ...]]:
    """Return ``chains`` as tuples after checking each link is a regression path of the model."""
    checked = _as_chains(chains)
    for chain in checked:
        for start, end in zip(chain, chain[1:]):
            if start not in regressions.get(end, []):
                raise SemError(f"chain {' → '.join(chain)}: the model has no regression path "
                               f"{end} ~ {start} (from {start} to {end})")
    return checked


# --------------------------------------------------------------------------- the data


def _check_data(data: pd.DataFrame, columns: list[str], n_params: int, where: str) -> np.ndarray:
    """Return the model's ``columns`` of ``data`` as floats after checking them; ``where`` names
    the data (e.g. the group) in error messages."""
    missing = [name for name in columns if name not in data.columns]
    if missing:
        raise SemError(f"variables of the model missing from the data: {', '.join(missing)}")
    values = data[columns]
    non_numeric = [name for name in columns if not pd.api.types.is_numeric_dtype(values[name])]
    if non_numeric:
        raise SemError(f"{where}: non-numeric column(s) {', '.join(non_numeric)}")
    matrix = values.to_numpy(dtype=float)
    has_missing = [name for name, bad in zip(columns, np.isnan(matrix).any(axis=0)) if bad]
    if has_missing:
        raise SemError(f"{where}: missing values in {', '.join(has_missing)} (drop or impute them first)")
    if len(matrix) <= n_params:
        raise SemError(f"{where} has {len(matrix)} rows, not more than the model's {n_params} "
                       f"free parameters: too few cases to estimate it")
    constant = [name for name, sd in zip(columns, matrix.std(axis=0)) if sd == 0]
    if constant:
        raise SemError(f"{where}: constant column(s) {', '.join(constant)}")
    return matrix


def _n_params(structure: _Structure) -> int:
    """Free parameters of a recursive path model as lavaan counts them (fixed.x): coefficients
    and residual variances. Used as the minimum number of rows on either route."""
    return sum(len(rhs) + 1 for rhs in structure.regressions.values())


# --------------------------------------------------------------------------- resampling


def _draws(n: int, n_boot: int, rng: np.random.Generator) -> Iterator[np.ndarray]:
    """Yield blocks of resampled row indices (each ``k × n``, at most CHUNK rows), n_boot in all."""
    for start in range(0, n_boot, CHUNK):
        yield rng.integers(0, n, size=(min(CHUNK, n_boot - start), n))


def _counts(indices: np.ndarray, n: int) -> np.ndarray:
    """How often each of the ``n`` rows occurs in each resample (``k × n``) of ``indices``."""
    k = len(indices)
    flat = (indices + n * np.arange(k)[:, None]).ravel()
    return np.bincount(flat, minlength=k * n).reshape(k, n).astype(float)


# --------------------------------------------------------------------------- fast path: OLS


def _ols_paths(matrix: np.ndarray, weights: np.ndarray, columns: list[str],
               regressions: dict[str, list[str]]) -> tuple[dict[tuple[str, str], np.ndarray], np.ndarray]:
    """Path coefficients of every regression for each row of ``weights`` (``k × n`` frequency
    weights of the rows of ``matrix``), by OLS with an intercept from the weighted cross-products.

    Returns ``{(predictor, outcome): k coefficients}`` and a boolean mask of the resamples whose
    normal equations were well conditioned (the others hold NaN)."""
    centred = matrix - matrix.mean(axis=0)  # shifting leaves the slopes unchanged, helps conditioning
    augmented = np.column_stack([np.ones(len(centred)), centred])
    q = augmented.shape[1]
    outer = (augmented[:, :, None] * augmented[:, None, :]).reshape(len(centred), q * q)
    moments = (weights @ outer).reshape(len(weights), q, q)
    position = {name: i + 1 for i, name in enumerate(columns)}
    ok = np.ones(len(weights), dtype=bool)
    paths = {}
    for outcome, predictors in regressions.items():
        design = [0] + [position[name] for name in predictors]
        xx = moments[:, design][:, :, design]
        xy = moments[:, design, position[outcome]]
        good = np.linalg.cond(xx) < _MAX_CONDITION
        beta = np.full((len(weights), len(design)), np.nan)
        if good.any():
            beta[good] = np.linalg.solve(xx[good], xy[good][:, :, None])[:, :, 0]
        ok &= good
        for j, name in enumerate(predictors, start=1):
            paths[(name, outcome)] = beta[:, j]
    return paths, ok


def _chain_values(paths: dict[tuple[str, str], np.ndarray], chains: list[tuple[str, ...]]) -> np.ndarray:
    """Products of the path coefficients along each chain: ``k × len(chains)``."""
    return np.column_stack([np.prod([paths[(a, b)] for a, b in zip(chain, chain[1:])], axis=0)
                            for chain in chains])


# --------------------------------------------------------------------------- refit path: semopy


def _semopy_paths(model: semopy.Model, links: set[tuple[str, str]]) -> dict[tuple[str, str], float]:
    """``{(predictor, outcome): estimate}`` of the regressions ``links`` of a fitted semopy model,
    read from its matrices (no standard errors are computed). semopy keeps a regression in Beta,
    or in Lambda when the outcome is an observed variable that predicts nothing ("output")."""
    matrices = model.inspect(mode="mx")
    beta, loadings = matrices["Beta"], matrices["Lambda"]
    paths = {}
    for predictor, outcome in links:
        if outcome in beta.index and predictor in beta.columns:
            paths[(predictor, outcome)] = float(beta.loc[outcome, predictor])
        else:
            paths[(predictor, outcome)] = float(loadings.loc[outcome, predictor])
    return paths


def _links(chains: list[tuple[str, ...]]) -> set[tuple[str, str]]:
    """The (predictor, outcome) pairs along ``chains``."""
    return {link for chain in chains for link in zip(chain, chain[1:])}


def _fit_semopy(desc: str, frame: pd.DataFrame, where: str) -> semopy.Model:
    """Fit ``desc`` to ``frame`` with semopy's ML; SemError when the fit fails."""
    import semopy

    model = semopy.Model(canonical(desc))
    try:
        result = model.fit(frame, options=dict(FIT_OPTIONS))
    except Exception as error:
        raise SemError(f"{where}: semopy could not fit the model: {error}") from error
    if not getattr(result, "success", True):
        raise SemError(f"{where}: the fit did not converge ({result.message})")
    return model


def _refit_values(frame: pd.DataFrame, chains: list[tuple[str, ...]], indices: np.ndarray,
                  model: semopy.Model, start: np.ndarray) -> np.ndarray:
    """Chain values (``k × len(chains)``) refitting ``model`` on each resample of ``frame`` given
    by the rows of ``indices``, each fit starting from ``start``; NaN rows for failed fits."""
    values = np.full((len(indices), len(chains)), np.nan)
    for b, rows in enumerate(indices):
        model.param_vals = start.copy()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                result = model.fit(frame.iloc[rows].reset_index(drop=True), options=dict(RESAMPLE_OPTIONS))
        except Exception:
            continue
        if getattr(result, "success", True):
            paths = _semopy_paths(model, _links(chains))
            values[b] = [np.prod([paths[(a, c)] for a, c in zip(chain, chain[1:])]) for chain in chains]
    return values


# --------------------------------------------------------------------------- intervals


def _intervals(estimate: float, boot: np.ndarray, level: float) -> dict[str, float]:
    """Bootstrap SD, percentile and bias-corrected intervals of ``boot`` around ``estimate``, the
    Monte Carlo SE of each interval end, and the one-sided bootstrap p-values with theirs.

    The Monte Carlo SE of an end is :func:`utils.inference.quantile_mcse` at the end's quantile
    level (for BC, the adjusted level Φ(2z₀ ± z); the Monte Carlo error of z₀ itself is not
    included, so the BC ends' MC SEs are slightly optimistic). ``p_greater`` tests H1: effect > 0,
    ``p_less`` H1: effect < 0: (1 + #resamples at or below / at or above 0) / (1 + B)."""
    alpha = (1 - level) / 2
    low, high = np.quantile(boot, [alpha, 1 - alpha])
    share = np.mean(boot < estimate) + 0.5 * np.mean(boot == estimate)
    if 0 < share < 1:
        z0 = stats.norm.ppf(share)
        z = stats.norm.ppf([alpha, 1 - alpha])
        levels = stats.norm.cdf(2 * z0 + z)
        bc_low, bc_high = np.quantile(boot, levels)
        bc_mcse = [inference.quantile_mcse(boot, q) if 0 < q < 1 else np.nan for q in levels]
    else:  # every resample on one side of the estimate: the BC interval is undefined
        bc_low = bc_high = np.nan
        bc_mcse = [np.nan, np.nan]
    b = len(boot)
    p_greater = (1 + int(np.sum(boot <= 0))) / (1 + b)
    p_less = (1 + int(np.sum(boot >= 0))) / (1 + b)
    return {"estimate": estimate, "se": float(np.std(boot, ddof=1)), "pct_low": float(low),
            "pct_high": float(high), "bc_low": float(bc_low), "bc_high": float(bc_high),
            "n_boot": b, "pct_low_mcse": inference.quantile_mcse(boot, alpha),
            "pct_high_mcse": inference.quantile_mcse(boot, 1 - alpha),
            "bc_low_mcse": float(bc_mcse[0]), "bc_high_mcse": float(bc_mcse[1]),
            "p_greater": p_greater, "p_less": p_less,
            "p_greater_mcse": inference.p_mcse(p_greater, b), "p_less_mcse": inference.p_mcse(p_less, b)}


class Draws(dict):
    """The resampled values behind a table's rows: row index → array of draws (one per resample).

    A dict whose equality compares the arrays, so that pandas can compare and concatenate frames
    that carry it in ``attrs`` (a plain dict of arrays makes ``pd.concat`` raise)."""

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, dict) and self.keys() == other.keys()
                and all(np.array_equal(self[key], other[key]) for key in self))

    __hash__ = None  # type: ignore[assignment]


# --------------------------------------------------------------------------- one group


def _one_blas_thread() -> contextlib.AbstractContextManager:
    """Limit BLAS to one thread: the fast path's matrix products are small, and on a busy
    2-core machine OpenBLAS's threads made it 3× slower (0.4 s against 0.12 s)."""
    return one_blas_thread()


def _group_bootstrap(desc: str, structure: _Structure, frame: pd.DataFrame, chains: list[tuple[str, ...]],
                     n_boot: int, rng: np.random.Generator, where: str) -> tuple[np.ndarray, np.ndarray, int]:
    """Full-sample chain estimates (``len(chains)``), bootstrap values (``n_boot × len(chains)``,
    NaN rows for resamples that could not be estimated) and the number of resamples the scoring
    route refitted from scratch, for one group, on the route the structure allows (OLS, batched
    Fisher scoring, or semopy refits)."""
    matrix = _check_data(frame, structure.observed, _n_params(structure), where)
    n = len(matrix)
    if structure.fast:
        paths, ok = _ols_paths(matrix, np.ones((1, n)), structure.observed, structure.regressions)
        if not ok.all():
            raise SemError(f"{where}: the predictors are collinear; the regressions cannot be estimated")
        estimate = _chain_values(paths, chains)[0]
        blocks = []
        with _one_blas_thread():
            for indices in _draws(n, n_boot, rng):
                paths, ok = _ols_paths(matrix, _counts(indices, n), structure.observed, structure.regressions)
                blocks.append(_chain_values(paths, chains))
        return estimate, np.vstack(blocks), 0
    if structure.scoring:
        estimates, boots, fallbacks = _scoring_bootstrap(desc, structure, [frame], chains, n_boot, rng, (), [where])
        return estimates[0], boots[0], fallbacks
    sub = pd.DataFrame(matrix, columns=structure.observed)
    model = _fit_semopy(desc, sub, where)
    if n <= len(model.param_vals):
        raise SemError(f"{where} has {n} rows, not more than the model's {len(model.param_vals)} "
                       f"free parameters: too few cases to estimate it")
    paths = _semopy_paths(model, _links(chains))
    estimate = np.array([np.prod([paths[(a, b)] for a, b in zip(chain, chain[1:])]) for chain in chains])
    start = np.array(model.param_vals, dtype=float)
    with _one_blas_thread():
        blocks = [_refit_values(sub, chains, indices, model, start) for indices in _draws(n, n_boot, rng)]
    return estimate, np.vstack(blocks), 0


def _scoring_bootstrap(desc: str, structure: _Structure, frames: list[pd.DataFrame],
                       chains: list[tuple[str, ...]], n_boot: int, rng: np.random.Generator,
                       equal: tuple[str, ...], wheres: list[str]) -> tuple[list[np.ndarray], list[np.ndarray], int]:
    """Full-sample chain estimates and bootstrap values per group (as :func:`_group_bootstrap`),
    fitting every resample by batched Fisher scoring (``utils.sem.scoring``); several frames
    are fitted jointly, with ``equal`` held equal across them, each resampled on its own.
    Returns (estimates per group, bootstrap values per group, resamples refitted from scratch)."""
    from utils.sem.scoring import Engine

    matrices = [_check_data(f, structure.observed, _n_params(structure), w) for f, w in zip(frames, wheres)]
    column = "__group__"
    while column in structure.observed:
        column += "_"
    sub = pd.concat([pd.DataFrame(m, columns=structure.observed).assign(**{column: gi})
                     for gi, m in enumerate(matrices)], ignore_index=True)
    engine = Engine(desc, sub, column, list(range(len(matrices))), equal)
    links = [[[engine.path(gi, a, b) for a, b in zip(chain, chain[1:])] for chain in chains]
             for gi in range(len(matrices))]

    def values(theta: np.ndarray, gi: int) -> np.ndarray:
        out = np.empty((len(theta), len(chains)))
        for j, chain_links in enumerate(links[gi]):
            product = np.ones(len(theta))
            for col, fixed in chain_links:
                product = product * (theta[:, col] if col >= 0 else fixed)
            out[:, j] = product
        return out

    estimates = [values(engine.theta_hat[None], gi)[0] for gi in range(len(matrices))]
    # the same draws as resampling each group on its own: every block of the first group, then
    # every block of the second
    draws = [list(_draws(len(m), n_boot, rng)) for m in matrices]
    boots = [[] for _ in matrices]
    fallbacks = 0
    with _one_blas_thread():
        for blocks in zip(*draws):
            covs = [engine.moments(g.x, _counts(indices, g.n)) for g, indices in zip(engine.groups, blocks)]
            theta, ok, _ = engine.fit(covs, engine.theta_hat)
            for b in np.flatnonzero(~ok):
                fallbacks += 1
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        theta[b] = engine.refit([pd.DataFrame(m[indices[b]], columns=structure.observed)
                                                 for m, indices in zip(matrices, blocks)])
                except (SemError, np.linalg.LinAlgError, ValueError):
                    theta[b] = np.nan
            for gi in range(len(matrices)):
                boots[gi].append(values(theta, gi))
    return estimates, [np.vstack(b) for b in boots], fallbacks


def _drop_failed(boot: np.ndarray, where: str) -> np.ndarray:
    """``boot`` without its NaN rows; a SemWarning saying how many were dropped."""
    good = np.isfinite(boot).all(axis=1)
    if not good.all():
        warnings.warn(f"{where}: {int((~good).sum())} of {len(boot)} resamples could not be estimated "
                      f"(singular or failed fits) and were dropped", SemWarning, stacklevel=3)
    if good.sum() < 2:
        raise SemError(f"{where}: fewer than 2 resamples could be estimated")
    return boot[good]


# --------------------------------------------------------------------------- public


@validated(n_boot=50_000)
@single_threaded
def indirect_effects(desc: str, data: pd.DataFrame, chains: Sequence[Chain] | Chain, *,
                     group: str | None = None, n_boot: int = 5000, seed: int | None = None,
                     level: float = 0.95, equal: str | Sequence[str] = ()) -> pd.DataFrame:
    """Indirect effects along ``chains`` with nonparametric bootstrap intervals.

    ``desc`` is a model in semopy / lavaan syntax; ``data`` holds its observed variables (no
    missing values). ``chains`` is a sequence of chains (or one chain), each a sequence of at
    least two variable names where every consecutive pair ``(a, b)`` is a regression path
    ``b ~ a`` of the model; the effect is the product of the path coefficients along the chain.

    Rows are resampled with replacement ``n_boot`` times — within each group separately when
    ``group`` names a column of ``data`` with exactly two values. ``seed`` seeds numpy's
    generator: the same seed gives identical numbers. ``level`` is the confidence level of the
    intervals. ``equal`` (with ``group``) fits both groups jointly on every resample with the
    parameter sets or labels in ``equal`` held equal across groups, as ``fit_groups`` does
    (``equal=["loadings"]``: metric invariance); without it the groups are fitted separately.

    Returns a tidy DataFrame with the columns chain (the names joined by " → "), group (None
    without ``group``; otherwise each group label in sorted order and then "difference", the
    second group's effect minus the first's), estimate (full-sample ML), se (bootstrap SD),
    pct_low, pct_high (percentile interval), bc_low, bc_high (bias-corrected interval; NaN when
    every resample falls on one side of the estimate), n_boot (resamples used), then the Monte
    Carlo error of the resampling itself: pct_low_mcse, pct_high_mcse, bc_low_mcse, bc_high_mcse
    (Monte Carlo SE of each interval end, :func:`utils.inference.quantile_mcse`), p_greater and
    p_less (one-sided bootstrap p-values for H1: effect > 0 and H1: effect < 0, the share of
    resamples at or below / at or above 0 as (1 + count) / (1 + n_boot)) and their Monte Carlo
    SEs p_greater_mcse, p_less_mcse. For a verdict on a stated direction, borderline within
    3 Monte Carlo SE, pass the table to :func:`utils.sem.verdicts`.

    ``attrs["method"]`` is "ols" on the fast path, "scoring" when every resample is fitted by
    batched Fisher scoring (latent variables, residual covariances, labels, ``equal``) and
    "refit" when every resample is refitted with semopy (models with CONSTRAINT, BOUND or other
    semopy operations); see the module docstring. ``attrs["fallbacks"]`` counts the resamples the
    scoring route refitted from scratch because scoring did not converge. ``attrs["draws"]``
    maps each row index to the array of its resampled values (for a "difference" row, the second
    group's resample minus the first's), so callers can compute further summaries (a one-sided
    interval, a density plot).
    """
    if not isinstance(data, pd.DataFrame):
        raise SemError(f"data must be a pandas DataFrame, not {type(data).__name__}")
    if isinstance(n_boot, bool) or not isinstance(n_boot, (int, np.integer)) or n_boot < 2:
        raise SemError(f"n_boot must be an integer of at least 2, not {n_boot!r}")
    if isinstance(level, bool) or not isinstance(level, (int, float)) or not 0 < level < 1:
        raise SemError(f"level must lie strictly between 0 and 1, not {level!r}")
    equal = (equal,) if isinstance(equal, str) else tuple(equal)
    if equal and group is None:
        raise SemError(f"equal={list(equal)!r} holds parameters equal across groups: name the group column too")
    structure = _structure(desc)
    chains = _check_chains(chains, structure.regressions)
    names = [" → ".join(chain) for chain in chains]
    rng = np.random.default_rng(seed)
    if equal and not structure.scoring:
        raise SemError("equal= needs a model without CONSTRAINT, BOUND or other semopy operations "
                       f"(this one: {structure.reason or 'has such lines'})")
    method = "ols" if structure.fast and not equal else "scoring" if structure.scoring else "refit"
    fallbacks = 0

    if group is None:
        estimate, boot, fallbacks = _group_bootstrap(desc, structure, data, chains, n_boot, rng, "the data")
        boot = _drop_failed(boot, "the data")
        rows, draws = [], Draws()
        for i, name in enumerate(names):
            rows.append({"chain": name, "group": None, **_intervals(float(estimate[i]), boot[:, i], level)})
            draws[len(draws)] = boot[:, i].copy()
    else:
        if group not in data.columns:
            columns = ", ".join(map(str, data.columns))
            raise SemError(f"group column {group!r} is not in the data (columns: {columns})")
        if data[group].isna().any():
            raise SemError(f"group column {group!r} has {int(data[group].isna().sum())} missing value(s)")
        labels = sorted(data[group].unique())
        if len(labels) != 2:
            raise SemError(f"group column {group!r} must have exactly two groups, not {len(labels)}: {labels}")
        wheres = [f"group {group} = {label!r}" for label in labels]
        frames = [data[data[group] == label] for label in labels]
        if equal:
            estimates, boots, fallbacks = _scoring_bootstrap(desc, structure, frames, chains, n_boot, rng,
                                                             equal, wheres)
            results = list(zip(estimates, boots))
        else:
            results = []
            for frame, where in zip(frames, wheres):
                estimate, boot, count = _group_bootstrap(desc, structure, frame, chains, n_boot, rng, where)
                results.append((estimate, boot))
                fallbacks += count
        # drop a resample pair when either group's resample failed, so the difference pairs up
        both = _drop_failed(np.hstack([results[0][1], results[1][1]]), f"group column {group!r}")
        k = len(chains)
        boots = [both[:, :k], both[:, k:]]
        rows, draws = [], Draws()
        for i, name in enumerate(names):
            for label, (estimate, _), boot in zip(labels, results, boots):
                rows.append({"chain": name, "group": label, **_intervals(float(estimate[i]), boot[:, i], level)})
                draws[len(draws)] = boot[:, i].copy()
            difference = float(results[1][0][i] - results[0][0][i])
            spread = boots[1][:, i] - boots[0][:, i]
            rows.append({"chain": name, "group": "difference", **_intervals(difference, spread, level)})
            draws[len(draws)] = spread
    table = pd.DataFrame(rows, columns=COLUMNS)
    table.attrs["method"] = method
    table.attrs["fallbacks"] = fallbacks
    table.attrs["draws"] = draws
    if equal:
        table.attrs["equal"] = list(equal)
    if method != "ols":
        table.attrs["reason"] = structure.reason or "equal= holds parameters equal across groups"
    return table
