"""Nonaka's SECI model: a toy knowledge spiral, and the CRM tallies arranged by mode.

A teaching model, not Nonaka's. Nonaka (1994) and Nonaka & Takeuchi (1995) describe the spiral
in words; they give no equations. This module turns the four modes into the simplest dynamics
that keep their logic, so that a student can see what a weak mode does to the whole spiral:

- two stocks, tacit knowledge ``T`` and explicit knowledge ``E`` (in arbitrary units);
- one *cycle* runs the four modes in Nonaka's order, each creating new knowledge in proportion
  to the stock it converts, at its own rate per cycle:

  socialization, rate s     tacit → tacit        creates s · T,  added to T;
  externalization, rate e   tacit → explicit     creates e · T (T after s),  added to E;
  combination, rate c       explicit → explicit  creates c · E (E after e),  added to E;
  internalization, rate i   explicit → tacit     creates i · E (E after c),  added to T;

- converting knowledge does not use it up (telling a colleague what you know leaves you knowing
  it), so the stocks never fall and the stock gained in a cycle is the sum of the four flows.

One cycle is therefore linear, ``(T, E)ₜ₊₁ = M (T, E)ₜ`` with the matrix of
:func:`cycle_matrix`, and in the long run both stocks grow by the same factor, the largest
eigenvalue of ``M`` (:func:`growth_factor`). :func:`simulate_spiral` runs the deterministic
spiral; :func:`simulate_spiral_runs` runs a stochastic one (each flow a Poisson count of new
units whose mean is the deterministic flow) and :func:`estimate_rates` recovers the four rates
from its flows (:func:`conversions` lays the flows out as counts with their exposures, the
shape a Poisson regression takes). :func:`support_shares` arranges the Khodakarami & Chan (2014) interview counts
(``utils.tallies``) by SECI mode.

Inputs are plain numbers, :class:`Rates` and tidy DataFrames; outputs are floats, NumPy arrays
and tidy DataFrames. Bad input raises ``ValueError`` naming the parameter and its value.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import astuple, dataclass, fields, replace

import numpy as np
import pandas as pd
from statsmodels.stats.rates import confint_poisson

from utils import _checks as check
from utils import tallies
from utils._checks import validated
from utils.errors import InputError

__all__ = ["MODES", "CONVERSIONS", "Rates", "BASELINE", "cycle_matrix", "growth_factor",
           "balanced_ratio", "simulate_spiral", "growth_by_rate", "simulate_spiral_runs",
           "conversions", "estimate_rates", "support_shares"]

MODES = ("socialization", "externalization", "combination", "internalization")
# Each mode: (the form it converts from, the form it creates).
CONVERSIONS = {"socialization": ("tacit", "tacit"), "externalization": ("tacit", "explicit"),
               "combination": ("explicit", "explicit"), "internalization": ("explicit", "tacit")}
STOCKS = ("tacit", "explicit")
_COLUMNS = ["cycle", *STOCKS, *MODES]


@dataclass(frozen=True)
class Rates:
    """New knowledge created per cycle by each mode, per unit of the stock it converts.

    ``Rates(socialization=0.1, ...)``: each rate a finite number ≥ 0 (0.1 = ten per cent of the
    converted stock per cycle). Raises ``ValueError`` naming the rate otherwise.
    """

    socialization: float
    externalization: float
    combination: float
    internalization: float

    def __post_init__(self) -> None:
        for field in fields(self):
            object.__setattr__(self, field.name, check.positive(f"rates.{field.name}", getattr(self, field.name), allow_zero=True))

    def with_rate(self, mode: str, value: float) -> Rates:
        """A copy with one mode's rate changed."""
        if mode not in MODES:
            raise InputError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
        return replace(self, **{mode: value})

    def as_dict(self) -> dict[str, float]:
        return dict(zip(MODES, astuple(self)))


# The chapter's baseline: conversions across the tacit/explicit line (e, i) twice as fast as
# the conversions within a form (s, c). Illustrative values, not estimates of anything.
BASELINE = Rates(socialization=0.10, externalization=0.20, combination=0.10, internalization=0.20)


def _rates(rates: object) -> Rates:
    if not isinstance(rates, Rates):
        raise InputError(f"rates must be a seci.Rates, got {type(rates).__name__}")
    return rates


@validated
def cycle_matrix(rates: Rates) -> np.ndarray:
    """The 2 × 2 matrix ``M`` of one cycle: ``(T, E)`` after the cycle is ``M @ (T, E)`` before.

    With ``s, e, c, i`` the four rates::

        M = [[(1+s)(1 + e·i·(1+c)),  i(1+c)],
             [e(1+s)(1+c),           1+c   ]]

    It is the product of the four modes' own matrices, applied in the order S, E, C, I.
    """
    s, e, c, i = astuple(_rates(rates))
    socialize = np.array([[1 + s, 0.0], [0.0, 1.0]])
    externalize = np.array([[1.0, 0.0], [e, 1.0]])
    combine = np.array([[1.0, 0.0], [0.0, 1 + c]])
    internalize = np.array([[1.0, i], [0.0, 1.0]])
    return internalize @ combine @ externalize @ socialize


@validated
def growth_factor(rates: Rates) -> float:
    """The long-run factor by which both stocks grow per cycle: the largest eigenvalue of ``M``.

    1.25 means both stocks grow by 25% per cycle once the spiral has settled, whatever the
    starting stocks (as long as neither the tacit stock nor, if ``e`` is 0, the explicit stock
    starts at zero).
    """
    return float(np.max(np.abs(np.linalg.eigvals(cycle_matrix(rates)))))


@validated
def balanced_ratio(rates: Rates) -> float:
    """The long-run ratio tacit / explicit: the direction of ``M``'s leading eigenvector.

    ``inf`` when the explicit stock falls behind without bound (externalization and combination
    both 0 while the tacit stock grows).
    """
    values, vectors = np.linalg.eig(cycle_matrix(rates))
    leading = vectors[:, int(np.argmax(np.abs(values)))]
    tacit, explicit = np.abs(leading)
    return float("inf") if explicit == 0 else float(tacit / explicit)


def _flows(tacit: np.ndarray, explicit: np.ndarray, rates: Rates,
           draw=None) -> tuple[np.ndarray, ...]:
    """One cycle from stocks ``tacit`` and ``explicit``: the four flows and the two new stocks.

    ``draw`` turns each mode's mean flow into its realized flow (a Poisson draw); without it the
    flow is its mean.
    """
    draw = draw or (lambda mean: mean)
    s, e, c, i = astuple(rates)
    socialized = draw(s * tacit)
    tacit = tacit + socialized
    externalized = draw(e * tacit)
    explicit = explicit + externalized
    combined = draw(c * explicit)
    explicit = explicit + combined
    internalized = draw(i * explicit)
    tacit = tacit + internalized
    return tacit, explicit, socialized, externalized, combined, internalized


@validated(cycles=(0, 10_000))
def simulate_spiral(rates: Rates, *, tacit0: float = 1.0, explicit0: float = 1.0,
                    cycles: int = 20) -> pd.DataFrame:
    """Run the deterministic spiral for ``cycles`` cycles from stocks ``tacit0`` and ``explicit0``.

    Returns one row per cycle, ``cycle`` 0 (the start) to ``cycles``: the stocks ``tacit`` and
    ``explicit`` at the end of the cycle, and the four columns ``socialization`` …
    ``internalization`` with the new knowledge each mode created during it (0 in row 0).
    """
    rates = _rates(rates)
    tacit = np.array(check.positive("tacit0", tacit0, allow_zero=True))
    explicit = np.array(check.positive("explicit0", explicit0, allow_zero=True))
    cycles = check.whole("cycles", cycles, minimum=0)
    rows = [(0, float(tacit), float(explicit), 0.0, 0.0, 0.0, 0.0)]
    for cycle in range(1, cycles + 1):
        tacit, explicit, *flows = _flows(tacit, explicit, rates)
        rows.append((cycle, float(tacit), float(explicit), *map(float, flows)))
    return pd.DataFrame(rows, columns=_COLUMNS)


@validated
def growth_by_rate(rates: Rates, values: Iterable[float]) -> pd.DataFrame:
    """Long-run growth factor as each mode's rate runs over ``values``, the others held at ``rates``.

    Returns a tidy table: ``mode``, ``rate``, ``growth`` (one row per mode and value).
    """
    rates = _rates(rates)
    grid = [check.positive("values", v, allow_zero=True) for v in values]
    if not grid:
        raise InputError("values must hold at least one rate, got none")
    rows = [(mode, v, growth_factor(rates.with_rate(mode, v))) for mode in MODES for v in grid]
    return pd.DataFrame(rows, columns=["mode", "rate", "growth"])


@validated(cycles=(0, 10_000), runs=100_000, tacit0=(0, 10**9), explicit0=(0, 10**9))
def simulate_spiral_runs(rates: Rates, *, tacit0: int = 10, explicit0: int = 10, cycles: int = 10,
                         runs: int = 100, seed: int | None = None) -> pd.DataFrame:
    """Run the stochastic spiral ``runs`` times: each flow is a Poisson count of new units.

    In each mode the number of new units is Poisson with the deterministic flow as its mean
    (for example, socialization creates Poisson(s · T) units), so each cycle's expected result
    is the deterministic cycle. Starting stocks are whole units. Returns one row per run and
    cycle (``run``, then the columns of :func:`simulate_spiral`), all integers. The same
    ``seed`` gives the same table.
    """
    rates = _rates(rates)
    tacit0 = check.whole("tacit0", tacit0, minimum=0)
    explicit0 = check.whole("explicit0", explicit0, minimum=0)
    cycles = check.whole("cycles", cycles, minimum=0)
    runs = check.whole("runs", runs, minimum=1)
    rng = np.random.default_rng(seed)
    tacit = np.full(runs, tacit0, dtype=np.int64)
    explicit = np.full(runs, explicit0, dtype=np.int64)
    zeros = np.zeros(runs, dtype=np.int64)
    frames = [(tacit, explicit, zeros, zeros, zeros, zeros)]
    for _ in range(cycles):
        tacit, explicit, *flows = _flows(tacit, explicit, rates, draw=rng.poisson)
        frames.append((tacit, explicit, *flows))
    table = pd.DataFrame({
        "run": np.tile(np.arange(runs), cycles + 1),
        "cycle": np.repeat(np.arange(cycles + 1), runs),
        **{name: np.concatenate([f[k] for f in frames]) for k, name in enumerate([*STOCKS, *MODES])},
    })
    return table.sort_values(["run", "cycle"], kind="stable").reset_index(drop=True)


def _exposures(runs: pd.DataFrame) -> pd.DataFrame:
    """For each run and cycle ≥ 1, the stock each mode converted (the rate's denominator)."""
    start = runs.groupby("run", sort=False)[list(STOCKS)].shift(1)
    keep = runs["cycle"] > 0
    start, flows = start[keep], runs.loc[keep, list(MODES)]
    tacit_after_s = start["tacit"] + flows["socialization"]
    explicit_after_e = start["explicit"] + flows["externalization"]
    return pd.DataFrame({
        "socialization": start["tacit"],
        "externalization": tacit_after_s,
        "combination": explicit_after_e,
        "internalization": explicit_after_e + flows["combination"],
    })


def _check_runs(runs: object) -> None:
    missing = [c for c in ("run", *_COLUMNS) if c not in getattr(runs, "columns", [])]
    if missing:
        raise InputError(f"runs lacks the column(s) {', '.join(missing)}")


@validated
def conversions(runs: pd.DataFrame) -> pd.DataFrame:
    """The flows of :func:`simulate_spiral_runs` as counts with their exposures, one row per run,
    cycle (≥ 1) and mode.

    Returns columns ``run``, ``cycle``, ``mode`` (ordered like ``MODES``), ``new_units`` (the
    mode's new units in that cycle) and ``exposure`` (the stock it converted). A mode's rate is
    ``new_units / exposure`` in expectation, so a Poisson regression of ``new_units`` with
    ``exposure`` as its exposure (``statsmodels.formula.api.glm(..., exposure=...)``) estimates
    it; :func:`estimate_rates` gives the same estimates directly.
    """
    _check_runs(runs)
    keep = runs["cycle"] > 0
    exposure = _exposures(runs)
    frames = [pd.DataFrame({"run": runs.loc[keep, "run"].to_numpy(), "cycle": runs.loc[keep, "cycle"].to_numpy(),
                            "mode": mode, "new_units": runs.loc[keep, mode].to_numpy(),
                            "exposure": exposure[mode].to_numpy(dtype=float)}) for mode in MODES]
    table = pd.concat(frames, ignore_index=True)
    table["mode"] = pd.Categorical(table["mode"], categories=list(MODES), ordered=True)
    return table.sort_values(["run", "cycle", "mode"], kind="stable").reset_index(drop=True)


@validated
def estimate_rates(runs: pd.DataFrame, *, alpha: float = 0.05) -> pd.DataFrame:
    """Estimate the four rates from the flows of :func:`simulate_spiral_runs`.

    Each rate is a Poisson rate: the mode's new units summed over all runs and cycles, divided
    by the summed stock it converted (its exposure). Returns ``mode``, ``new_units``,
    ``exposure``, ``rate`` and an exact ``1 - alpha`` confidence interval ``ci_low``, ``ci_high``
    (statsmodels' ``confint_poisson``).
    """
    _check_runs(runs)
    alpha = check.positive("alpha", alpha)
    if alpha >= 1:
        raise InputError(f"alpha must be between 0 and 1, got {alpha!r}")
    exposure = _exposures(runs).sum()
    new_units = runs.loc[runs["cycle"] > 0, list(MODES)].sum()
    rows = []
    for mode in MODES:
        count, exposed = int(new_units[mode]), float(exposure[mode])
        if exposed == 0:
            raise InputError(f"runs never exposed {mode} to any stock: its rate cannot be estimated")
        low, high = confint_poisson(count, exposed, method="exact-c", alpha=alpha)
        rows.append((mode, count, exposed, count / exposed, float(low), float(high)))
    return pd.DataFrame(rows, columns=["mode", "new_units", "exposure", "rate", "ci_low", "ci_high"])


@validated
def support_shares(counts: pd.DataFrame, by: str = "system", *, within: str = "process") -> pd.DataFrame:
    """The Khodakarami & Chan (2014) counts arranged by SECI mode, with shares.

    ``counts`` is the tidy table of ``utils.tallies.load_counts()``. Cross-tabulates process ×
    ``by`` (``"system"`` or ``"knowledge"``), summed over the third dimension, and gives each
    cell's share of its ``within`` total: ``within="process"`` answers "of the mentions of this
    mode, what share named each system?"; ``within=by`` answers "of the mentions of this
    system, what share concerned each mode?". Returns a tidy table: ``process`` and ``by``
    (ordered categoricals), ``count``, ``total`` (of the ``within`` group) and ``share``.
    """
    if by not in ("system", "knowledge"):
        raise InputError(f"by must be 'system' or 'knowledge', got {by!r}")
    if within not in ("process", by):
        raise InputError(f"within must be 'process' or {by!r}, got {within!r}")
    table = tallies.crosstab(counts, "process", by, totals=False)
    tidy = table.stack().rename("count").reset_index()
    for dim in ("process", by):  # keep the book's order (modes S, E, C, I) in pivots and plots
        tidy[dim] = pd.Categorical(tidy[dim], categories=tallies.CATEGORIES[dim], ordered=True)
    tidy["total"] = tidy.groupby(within, observed=True)["count"].transform("sum")
    tidy["share"] = tidy["count"] / tidy["total"]
    return tidy
