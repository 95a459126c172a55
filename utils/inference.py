"""Verdicts a referee would sign: Monte Carlo error, borderline calls and equivalence tests.

Knows no study and no model; every function takes plain numbers or arrays of resampled values.

- :func:`p_mcse` — the Monte Carlo standard error of a resampling p-value, √(p(1 − p)/B).
- :func:`quantile_mcse` — the Monte Carlo standard error of a quantile of B resampled values
  (an interval end), from the order statistics that bracket it: the quantile's rank is
  binomial(B, q), so ±1 binomial standard deviation of the rank spans about ±1 standard error
  of the quantile (the distribution-free method of Maritz & Jarrett 1978, in its simplest form).
- :func:`Verdict` and :func:`interval_verdict`, :func:`p_verdict` — "supported", "not supported"
  or "borderline": a resampling verdict is borderline when its decision statistic (an interval
  end against 0, a p-value against α) lies within ``MARGIN`` = 3 Monte Carlo standard errors of
  the threshold, so that another seed could flip it.
- :func:`p_text` — a p-value as printed: "< 0.001" below the digits shown, and for a resampling
  p-value of 0 the smallest value its draws can give ("< 0.002" for 1,000 draws, two-sided).
- :func:`tost` — the two one-sided tests (TOST) of equivalence for an estimate with a standard
  error: is the effect inside (−bound, +bound)? The only way a null result counts as reproduced.

The one- or two-sidedness of a test is a property of the hypothesis, so every function that
tests says which it does, and callers state why.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from utils import _checks
from utils._checks import validated
from utils.errors import InputError

MARGIN = 3.0
"""A verdict within this many Monte Carlo standard errors of its threshold is borderline."""


@validated
def p_mcse(p: float, n_resamples: int) -> float:
    """Monte Carlo standard error of a p-value estimated from ``n_resamples`` resamples."""
    p = _checks.number("p", p)
    if not 0 <= p <= 1:
        raise InputError(f"p must lie between 0 and 1, got {p:g}")
    n = _checks.whole("n_resamples", n_resamples, 1)
    return math.sqrt(p * (1 - p) / n)


@validated
def quantile_mcse(draws: np.ndarray, q: float) -> float:
    """Monte Carlo standard error of the ``q`` quantile of ``draws`` (one resampled value each).

    Half the distance between the order statistics at ranks B·q ∓ √(B q (1 − q)): the spread of
    the quantile's rank under resampling, carried onto the value scale.
    """
    values = np.sort(np.asarray(draws, dtype=float).ravel())
    if values.size < 2:
        raise InputError(f"draws must hold at least 2 values, got {values.size}")
    if not np.all(np.isfinite(values)):
        raise InputError("draws must be finite numbers; some are NaN or infinite")
    q = _checks.number("q", q)
    if not 0 < q < 1:
        raise InputError(f"q must lie strictly between 0 and 1, got {q:g}")
    b = values.size
    spread = math.sqrt(b * q * (1 - q))
    low = int(np.clip(math.floor(b * q - spread), 0, b - 1))
    high = int(np.clip(math.ceil(b * q + spread), 0, b - 1))
    return float((values[high] - values[low]) / 2)


@dataclass(frozen=True)
class Verdict:
    """A decision, the statistic it rests on, and how far that statistic is from flipping it.

    ``label`` is "supported", "not supported" or "borderline"; ``statistic`` the value compared
    with ``threshold``; ``mcse`` its Monte Carlo standard error (0 when nothing was resampled);
    ``distance`` = |statistic − threshold| / mcse (infinite when mcse is 0); ``test`` says what
    was tested, including one- or two-sided.
    """

    label: str
    statistic: float
    threshold: float
    mcse: float
    distance: float
    test: str

    @property
    def borderline(self) -> bool:
        return self.label == "borderline"

    def __str__(self) -> str:
        extra = "" if self.mcse == 0 else f", {self.distance:.1f} Monte Carlo s.e. from {self.threshold:g}"
        return f"{self.label} ({self.test}: {self.statistic:.4g}{extra})"


def _label(supported: bool, statistic: float, threshold: float, mcse: float) -> tuple[str, float]:
    distance = math.inf if mcse == 0 else abs(statistic - threshold) / mcse
    if distance < MARGIN:
        return "borderline", distance
    return ("supported" if supported else "not supported"), distance


@validated
def interval_verdict(lower: float, upper: float, *, lower_mcse: float = 0.0,
                     upper_mcse: float = 0.0, sided: str = "greater", test: str = "") -> Verdict:
    """Verdict from an interval for an effect (``lower``, ``upper``).

    ``sided="greater"`` (H1: effect > 0, one-sided): supported when ``lower`` > 0, using a
    one-sided interval's lower end. ``"less"``: supported when ``upper`` < 0. ``"two-sided"``:
    supported when the interval excludes 0 (the end nearer 0 decides). Pass the Monte Carlo
    standard errors of the ends when they come from resampling.
    """
    lower = _checks.number("lower", lower)
    upper = _checks.number("upper", upper)
    if lower > upper:
        raise InputError(f"lower must not exceed upper, got lower {lower:g} and upper {upper:g}")
    lower_mcse = _checks.positive("lower_mcse", lower_mcse, allow_zero=True)
    upper_mcse = _checks.positive("upper_mcse", upper_mcse, allow_zero=True)
    if sided == "greater":
        statistic, mcse, supported = lower, lower_mcse, lower > 0
    elif sided == "less":
        statistic, mcse, supported = upper, upper_mcse, upper < 0
    elif sided == "two-sided":
        if abs(lower) <= abs(upper):
            statistic, mcse = lower, lower_mcse
        else:
            statistic, mcse = upper, upper_mcse
        supported = lower > 0 or upper < 0
    else:
        raise InputError(f"sided must be 'greater', 'less' or 'two-sided', got {sided!r}")
    label, distance = _label(supported, statistic, 0.0, mcse)
    return Verdict(label, statistic, 0.0, mcse, distance, test or f"interval, {sided}")


@validated
def p_verdict(p: float, *, alpha: float = 0.05, n_resamples: int | None = None,
              test: str = "") -> Verdict:
    """Verdict from a p-value: supported when p < ``alpha``. With ``n_resamples`` the p-value is
    a resampling estimate and its Monte Carlo error decides whether the verdict is borderline."""
    p = _checks.number("p", p)
    if not 0 <= p <= 1:
        raise InputError(f"p must lie between 0 and 1, got {p:g}")
    alpha = _checks.number("alpha", alpha)
    if not 0 < alpha < 1:
        raise InputError(f"alpha must lie strictly between 0 and 1, got {alpha:g}")
    mcse = 0.0 if n_resamples is None else p_mcse(max(p, 1.0 / n_resamples), n_resamples)
    label, distance = _label(p < alpha, p, alpha, mcse)
    return Verdict(label, p, alpha, mcse, distance, test or f"p < {alpha:g}")


@validated(digits=(1, 15))
def p_text(p: float, *, n_resamples: int | None = None, sides: int = 2, digits: int = 3) -> str:
    """A p-value as a reader should see it: ``"0.212"``, or a bound where the printed digits
    (or the resampling) cannot resolve it, never ``"0.0"``.

    Below 10^-``digits`` the text is ``"< 0.001"``. A resampling p-value of exactly 0 from
    ``n_resamples`` draws only says that no draw crossed the threshold: the smallest nonzero value
    such a test can give is ``sides`` / ``n_resamples`` (a two-sided p counts the rarer tail
    twice), so the text is ``"< 0.002"`` for 1,000 draws and a two-sided test.
    """
    p = _checks.number("p", p)
    if not 0 <= p <= 1:
        raise InputError(f"p must lie between 0 and 1, got {p:g}")
    digits = _checks.whole("digits", digits, 1)
    if sides not in (1, 2):
        raise InputError(f"sides must be 1 or 2, got {sides!r}")
    floor = 10.0 ** -digits
    if n_resamples is not None:
        resolution = sides / _checks.whole("n_resamples", n_resamples, 1)
        if p < resolution and resolution >= floor:
            return f"< {resolution:.{digits}f}".rstrip("0").rstrip(".")
    if p < floor:
        return f"< {floor:.{digits}f}"
    return f"{p:.{digits}f}"


@dataclass(frozen=True)
class Equivalence:
    """Result of :func:`tost`: the two one-sided p-values, their maximum ``p`` and the verdict.

    ``equivalent`` is True when both one-sided tests reject at ``alpha``, i.e. when the
    (1 − 2α) confidence interval lies inside (−bound, +bound).
    """

    estimate: float
    se: float
    bound: float
    alpha: float
    p_lower: float
    p_upper: float
    ci_lower: float
    ci_upper: float

    @property
    def p(self) -> float:
        return max(self.p_lower, self.p_upper)

    @property
    def equivalent(self) -> bool:
        return self.p < self.alpha

    def __str__(self) -> str:
        level = 100 * (1 - 2 * self.alpha)
        verdict = "equivalent to 0" if self.equivalent else "not shown equivalent to 0"
        return (f"TOST within ±{self.bound:g}: p = {self.p:.3g}, {level:g} % CI "
                f"[{self.ci_lower:.3f}, {self.ci_upper:.3f}]; {verdict}")


@validated
def tost(estimate: float, se: float, bound: float, *, alpha: float = 0.05) -> Equivalence:
    """Two one-sided tests (normal theory) that ``estimate`` lies inside (−``bound``, ``bound``).

    H0: |effect| ≥ bound; H1: |effect| < bound. Each one-sided test is at level ``alpha``; the
    equivalent statement is that the (1 − 2α) interval lies inside the bounds (Schuirmann 1987).
    """
    estimate = _checks.number("estimate", estimate)
    se = _checks.positive("se", se)
    bound = _checks.positive("bound", bound)
    alpha = _checks.number("alpha", alpha)
    if not 0 < alpha < 0.5:
        raise InputError(f"alpha must lie strictly between 0 and 0.5, got {alpha:g}")
    p_lower = float(stats.norm.sf((estimate + bound) / se))   # H0: effect ≤ −bound
    p_upper = float(stats.norm.cdf((estimate - bound) / se))  # H0: effect ≥ +bound
    z = stats.norm.ppf(1 - alpha)
    return Equivalence(estimate, se, bound, alpha, p_lower, p_upper,
                       estimate - z * se, estimate + z * se)
