"""Monte Carlo power of the design: how often does a study like Chen et al.'s reproduce each verdict?

The population model (``population.csv``) encodes the published pattern. Drawing many studies
from it and analysing each one as the chapter does shows how often a study of a given size
would reproduce each published verdict, and so how much weight one study's pattern can bear.

**The verdicts** (``data/chen2021/published_results.csv``), each a key of :data:`VERDICTS`, tested
as chapter 33 tests them (per-channel effects two-sided, differences one-sided in the
hypothesized direction, both at 5 %):

1. ``h1_retail_store``: the direct path infusion → confirmation is significant and positive;
2. ``h1_contact_center``: the direct path is not significant (in either direction);
3. ``h2_retail_store``: the indirect path infusion → user satisfaction → confirmation is not
   significant;
4. ``h2_contact_center``: the indirect path is significant and positive;
5. ``h3_retail_store`` and 6. ``h3_contact_center``: confirmation → satisfaction significant and
   positive;
7. ``h3_difference``: confirmation → satisfaction larger in retail stores (one-sided 5 % test);

``all`` is every one of 1-7 in the same study. The other keys are the formal tests of what the
source argued without one: ``h1_difference_test`` (the direct path is larger in retail stores,
one-sided) and ``h2_difference_test`` (the indirect path is larger in contact centers,
one-sided); ``h1_contact_center_equivalence`` and ``h2_retail_store_equivalence``, the
equivalence tests (TOST at 5 %) that the null effect lies within ±``EQUIVALENCE_BOUND`` standard
deviations of confirmation per standard deviation of infusion use (the bound chapter 33 uses);
and ``all_formal``, the scorecard's formal column in one study: 1, 4, 5, 6, 7, both difference
tests and both equivalence tests.

**What a rate is** (:data:`KINDS`). For a verdict that needs a significant result where the
population has an effect, the rate is the test's **power**. For "not significant" where the
population's effect is 0, it is **1 − size** (one minus the test's type-I error rate): it says
how rarely the test cries wolf, not how well a study "reproduces" a null; a test with no power
at all would reach 1 − size = 1. Only the equivalence test can show a null, and its rate is the
power of that test. ``all`` and ``all_formal`` are joint rates.

**One simulated study** is drawn exactly as :func:`utils.infusion.simulate.simulate_study` draws
it: one ``numpy.random.default_rng(seed)`` for the whole study, the channels in ``CHANNELS``
order, each by ``simulate._draw_channel`` (so a seed here and in ``simulate_study`` gives the same
data). It is then analysed like :func:`utils.infusion.aggregation.employee_data` and
``models.COMPOSITE_SEM`` do, but on arrays, with no DataFrame: employees who left before wave 2
are dropped; the customers' answers are averaged per employee (``numpy.bincount`` over the
customers' employee index); the scale scores are item means; the archival controls enter as logs.
Every employee has at least ``min_customers`` customers by design, so no employee is dropped for
having too few. Each equation of ``COMPOSITE_SEM`` is then fitted by OLS (its ML estimates are the
OLS coefficients equation by equation, see ``utils.sem.bootstrap``) with classical standard
errors (residual variance on n − p − 1 degrees of freedom).

**The tests are cheaper than the chapter's.** The chapter judges each hypothesis by percentile
bootstrap intervals (``utils.sem.indirect_effects``); bootstrapping inside every simulated study
would cost thousands of fits per study. Here, with z = estimate / standard error and the normal
critical value 1.96 (two-sided 5%):

- a *path* is significant when |z| > 1.96;
- an *indirect effect* a·b is significant by the joint-significance test: a (infusion → user
  satisfaction) and b (user satisfaction → confirmation) are both significant; it is
  significant and positive when, in addition, a·b > 0. The joint-significance test keeps its
  nominal Type I error and has power close to the percentile bootstrap's (MacKinnon, Lockwood,
  Hoffman, West & Sheets 2002, *Psychological Methods* 7, 83-104; Fritz & MacKinnon 2007,
  *Psychological Science* 18, 233-239), so the rates here approximate those of the bootstrap;
- a *difference between the channels* (independent samples) is tested one-sided, in the
  hypothesized direction, by z = (b₁ − b₂) / √(se₁² + se₂²) > 1.645; for the indirect effects
  the standard errors are the first-order delta-method (Sobel) ones, √(a²·se_b² + b²·se_a²),
  which is conservative when the effects are small (MacKinnon et al. 2002);
- an *equivalence test* (TOST) of a null effect: with the bound δ = EQUIVALENCE_BOUND ·
  sd(conf) / sd(infusion) in that channel's sample, equivalence when (b + δ)/se > 1.645 and
  (δ − b)/se > 1.645 (for the indirect effect with the Sobel SE).

A verdict's rate is the share of simulated studies that reproduce it; ``mc_se`` =
√(rate·(1 − rate)/n_studies) is its Monte Carlo standard error.

**Seeds.** ``power(seed=s, n_studies=n)`` draws the studies' seeds as the first ``n`` values of
``numpy.random.default_rng(s).integers(0, 2**63)``: study i can be redrawn with
:func:`replicate_once` or ``simulate_study`` from ``study_seeds(s, n)[i]``, and a larger
``n_studies`` extends a smaller run. :func:`power_curve` uses the same seeds at every point of a
sweep (common random numbers), so neighbouring points differ less by chance.

**Cost.** Measured on the book's shared 2-core machine under heavy load (CPU time, one core
used), default population (300 employees a channel, 7 + Poisson(1.5) customers each): drawing and
analysing a study takes about 5 ms (``simulate_study`` takes 20 ms a study, so it is not used).
:func:`power` with ``DEFAULT_STUDIES`` = 200 takes about 1 s, with Monte Carlo standard errors up
to 0.035; :func:`power_curve` with ``DEFAULT_CURVE_STUDIES`` = 100 at each of its 8 points about
5 s. The full setting ``FULL_STUDIES`` = 2000 (standard errors at most 0.011) takes 12-14 s for
:func:`power`; chapter 34 reads it, and the 500-study power curves, from ``utils.infusion.cache``.

**A caveat the simulation exposes.** A path that is 0 in the population is not always 0 for the
composite analysis. In contact centers infusion → confirmation is 0 but user satisfaction →
confirmation is not; the usat score measures true user satisfaction with error, so controlling
for it leaves part of its effect in the equation, and infusion use, which correlates with true
user satisfaction, picks that part up. In the book's population the direct path's mean z is
about 0.35 instead of 0 (200 studies, :func:`z_values`) and "not significant" fails in 6.8% of
2,000 studies instead of 5% (with ``method_employee`` = 0 the bias is no smaller, so the
employees' shared response style does not cause it). The same holds for usat →
confirmation in retail stores. The tests check the nominal 5% with ``usat_conf`` = 0 in contact
centers, where the null holds for the composite analysis too.

What goes in: a population table (``population.load_population()`` by default; change it with
``population.with_values``), numbers of studies, sizes and a seed. What comes out: plain dicts
of booleans (one study) and tidy DataFrames. Bad arguments raise a ValueError naming the
parameter.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from utils import _checks as check
from utils.infusion.models import COMPOSITE_SEM
from utils.infusion.population import CHANNELS, load_population, parameters, validate_population, with_values
from utils.infusion.simulate import _draw_channel
from utils._checks import validated
from utils.errors import InputError

__all__ = [
    "DEFAULT_STUDIES", "DEFAULT_CURVE_STUDIES", "FULL_STUDIES", "CRITICAL_Z", "ONE_SIDED_Z", "EQUIVALENCE_BOUND",
    "VERDICTS", "PATTERN", "FORMAL", "KINDS",
    "study_seeds", "estimates_once", "replicate_once", "power", "power_curve", "z_values", "sizes",
]

# Small enough that power() and power_curve() with their defaults each take seconds (see above).
DEFAULT_STUDIES = 200
DEFAULT_CURVE_STUDIES = 100
# The documented full setting: Monte Carlo standard errors at most √(0.25/2000) ≈ 0.011.
FULL_STUDIES = 2000
# Two-sided 5% critical value of the standard normal (scipy.stats.norm.ppf(0.975)).
CRITICAL_Z = 1.959963984540054
# One-sided 5% critical value (scipy.stats.norm.ppf(0.95)): the difference and equivalence tests.
ONE_SIDED_Z = 1.6448536269514722
# The equivalence bound of chapter 33 (hypotheses.EQUIVALENCE_BOUND), in SDs of conf per SD of infusion.
EQUIVALENCE_BOUND = 0.10

# Verdict key → what a study must show to reproduce it.
VERDICTS: dict[str, str] = {
    "h1_retail_store": "direct path infusion → conf significant, positive, in retail stores",
    "h1_contact_center": "direct path infusion → conf not significant in contact centers",
    "h2_retail_store": "indirect path infusion → usat → conf not significant in retail stores",
    "h2_contact_center": "indirect path infusion → usat → conf significant, positive, in contact centers",
    "h3_retail_store": "conf → csat significant, positive, in retail stores",
    "h3_contact_center": "conf → csat significant, positive, in contact centers",
    "h3_difference": "conf → csat larger in retail stores (one-sided difference test)",
    "all": "verdicts 1-7 all reproduced in the same study",
    "h1_difference_test": "direct path larger in retail stores (one-sided difference test; not in the source)",
    "h2_difference_test": "indirect path larger in contact centers (one-sided difference test; not in the source)",
    "h1_contact_center_equivalence": "direct path in contact centers shown equivalent to 0 (TOST within ±0.10 SD)",
    "h2_retail_store_equivalence": "indirect path in retail stores shown equivalent to 0 (TOST within ±0.10 SD)",
    "all_formal": "every published result reproduced by a formal test in the same study",
}
# The seven published verdicts that make up "all".
PATTERN: tuple[str, ...] = tuple(list(VERDICTS)[:7])
# The verdicts of the scorecard's formal column: nulls by equivalence, differences by their tests.
FORMAL: tuple[str, ...] = ("h1_retail_store", "h1_contact_center_equivalence", "h1_difference_test",
                           "h2_contact_center", "h2_retail_store_equivalence", "h2_difference_test",
                           "h3_retail_store", "h3_contact_center", "h3_difference")
# What each rate measures when the book's population holds (see the module docstring).
KINDS: dict[str, str] = {
    "h1_retail_store": "power", "h1_contact_center": "1 − size", "h2_retail_store": "1 − size",
    "h2_contact_center": "power", "h3_retail_store": "power", "h3_contact_center": "power",
    "h3_difference": "power", "all": "joint", "h1_difference_test": "power", "h2_difference_test": "power",
    "h1_contact_center_equivalence": "power (equivalence)", "h2_retail_store_equivalence": "power (equivalence)",
    "all_formal": "joint",
}

# The analysis variables, in the column order of the per-study score matrix.
_VARIABLES = ("log_tenure", "log_contacts", "infusion", "usat", "conf", "csat")


def _equations(model: str = COMPOSITE_SEM) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The regressions of the composite model, ``((outcome, predictors), ...)``."""
    equations = []
    for line in model.strip().splitlines():
        outcome, _, right = line.partition("~")
        predictors = tuple(term.strip() for term in right.split("+"))
        names = (outcome.strip(), *predictors)
        unknown = [name for name in names if name not in _VARIABLES]
        if unknown or not predictors:
            raise InputError(f"cannot read the regression {line!r} of COMPOSITE_SEM (unknown {unknown})")
        equations.append((outcome.strip(), predictors))
    return tuple(equations)


_EQUATIONS = _equations()
# Every path of the model, as (outcome, predictor), in the order the estimate arrays hold them.
_PATHS: tuple[tuple[str, str], ...] = tuple((outcome, x) for outcome, xs in _EQUATIONS for x in xs)
_INDEX = {path: i for i, path in enumerate(_PATHS)}
_DIRECT = _INDEX[("conf", "infusion")]
_A = _INDEX[("usat", "infusion")]
_B = _INDEX[("conf", "usat")]
_CONF_CSAT = _INDEX[("csat", "conf")]


# --------------------------------------------------------------------------- arguments


def _population(population: pd.DataFrame | None) -> list[dict[str, float]]:
    """The parameters of each channel (in CHANNELS order) of a validated population table."""
    table = load_population() if population is None else validate_population(population)
    return [parameters(table, channel, checked=False) for channel in CHANNELS]


def _sizes(name: str, values: object, minimum: int) -> tuple[int, ...]:
    """``values`` as a non-empty tuple of whole numbers of at least ``minimum``."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise InputError(f"{name} must be a sequence of whole numbers, got {values!r}")
    sizes = tuple(check.whole(f"{name} (each value)", v, minimum) for v in values)
    if not sizes:
        raise InputError(f"{name} must hold at least one value")
    return sizes


@validated(n_studies=10**7)
def study_seeds(seed: int, n_studies: int) -> np.ndarray:
    """The seeds of the ``n_studies`` simulated studies of a run with ``seed`` (int64 array):
    the first ``n_studies`` draws of ``numpy.random.default_rng(seed).integers(0, 2**63)``."""
    seed = check.whole("seed", seed, 0)
    n_studies = check.whole("n_studies", n_studies, 1)
    return np.random.default_rng(seed).integers(0, 2**63 - 1, size=n_studies, dtype=np.int64)


# --------------------------------------------------------------------------- one study


def _scores(d: dict[str, np.ndarray]) -> np.ndarray:
    """The analysis sample of one channel (employees who answered wave 2) as an array with the
    columns of _VARIABLES: the controls' logs and the scale scores, customers' answers averaged
    per employee."""
    n = len(d["k"])
    k = d["k"].astype(float)
    conf = np.bincount(d["owner"], weights=d["conf_items"].sum(axis=1), minlength=n) / (3 * k)
    csat = np.bincount(d["owner"], weights=d["csat_items"].sum(axis=1), minlength=n) / (3 * k)
    columns = (np.log(d["tenure_months"]), np.log(d["monthly_contacts"]), d["inf_items"].mean(axis=1),
               d["usat_items"].mean(axis=1), conf, csat)
    return np.column_stack(columns)[d["stays"]]


def _fit(z: np.ndarray, channel: str) -> tuple[np.ndarray, np.ndarray]:
    """OLS estimates and classical standard errors of every path in _PATHS, on the score matrix
    ``z`` of one channel (intercepts through centring)."""
    n = len(z)
    largest = max(len(xs) for _, xs in _EQUATIONS)
    if n < largest + 2:
        raise InputError(f"a simulated {channel} sample kept {n} employee(s) after attrition; the model needs at "
                         f"least {largest + 2}: increase n_employees")
    centred = z - z.mean(axis=0)
    gram = centred.T @ centred
    col = {name: i for i, name in enumerate(_VARIABLES)}
    est, se = [], []
    for outcome, predictors in _EQUATIONS:
        x, y = [col[p] for p in predictors], col[outcome]
        xx = gram[np.ix_(x, x)]
        try:
            inverse = np.linalg.inv(xx)
        except np.linalg.LinAlgError:
            raise InputError(f"in a simulated {channel} sample the predictors of {outcome} are collinear "
                             "(e.g. every answer the same): use a larger sample") from None
        beta = inverse @ gram[x, y]
        rss = max(float(gram[y, y] - beta @ gram[x, y]), 0.0)
        sigma2 = rss / (n - len(x) - 1)
        est.append(beta)
        se.append(np.sqrt(sigma2 * np.diag(inverse)))
    return np.concatenate(est), np.concatenate(se)


# Analysed studies by (parameters, seed): a study is a pure function of both, and chapter 34 asks
# for the same 200 studies three times (power(), z_values() and an exercise's power()). Oldest
# entries go first beyond _STUDY_CACHE_SIZE (about 1 kB each).
_STUDIES: dict[tuple, list[tuple[np.ndarray, np.ndarray, int, float]]] = {}
_STUDY_CACHE_SIZE = 5000


def _study(params: Sequence[dict[str, float]], seed: int) -> list[tuple[np.ndarray, np.ndarray, int, float]]:
    """(estimates, standard errors, employees analysed, equivalence bound) of each channel of the
    study ``seed``; the bound is EQUIVALENCE_BOUND · sd(conf) / sd(infusion) of the sample.
    Kept in :data:`_STUDIES` (read-only arrays), so a study analysed before is not redrawn."""
    key = (tuple(tuple(sorted(p.items())) for p in params), int(seed))
    if key not in _STUDIES:
        _STUDIES[key] = _draw_study(params, seed)
        while len(_STUDIES) > _STUDY_CACHE_SIZE:
            _STUDIES.pop(next(iter(_STUDIES)))
    return _STUDIES[key]


def _draw_study(params: Sequence[dict[str, float]], seed: int) -> list[tuple[np.ndarray, np.ndarray, int, float]]:
    """:func:`_study` without the cache."""
    rng = np.random.default_rng(seed)
    out = []
    col = {name: i for i, name in enumerate(_VARIABLES)}
    for channel, p in zip(CHANNELS, params):
        z = _scores(_draw_channel(p, rng, True))
        bound = EQUIVALENCE_BOUND * float(z[:, col["conf"]].std(ddof=1) / z[:, col["infusion"]].std(ddof=1))
        est, se = _fit(z, channel)
        est.setflags(write=False)
        se.setflags(write=False)
        out.append((est, se, len(z), bound))
    return out


def _verdicts(fits: Sequence[tuple[np.ndarray, np.ndarray, int, float]]) -> dict[str, bool]:
    """The verdict outcomes (keys of VERDICTS) from the two channels' estimates."""
    (est_rs, se_rs, _, bound_rs), (est_cc, se_cc, _, bound_cc) = fits
    z_rs, z_cc = est_rs / se_rs, est_cc / se_cc
    c, one = CRITICAL_Z, ONE_SIDED_Z

    def joint(est: np.ndarray, z: np.ndarray) -> tuple[bool, bool]:
        significant = abs(z[_A]) > c and abs(z[_B]) > c
        return significant, significant and est[_A] * est[_B] > 0

    def difference(b1: float, s1: float, b2: float, s2: float) -> bool:
        return (b1 - b2) / np.sqrt(s1**2 + s2**2) > one

    def sobel(est: np.ndarray, se: np.ndarray) -> tuple[float, float]:
        a, b = est[_A], est[_B]
        return a * b, np.sqrt(a**2 * se[_B] ** 2 + b**2 * se[_A] ** 2)

    def equivalent(b: float, se: float, bound: float) -> bool:
        return (b + bound) / se > one and (bound - b) / se > one

    out = {
        "h1_retail_store": z_rs[_DIRECT] > c,
        "h1_contact_center": abs(z_cc[_DIRECT]) <= c,
        "h2_retail_store": not joint(est_rs, z_rs)[0],
        "h2_contact_center": joint(est_cc, z_cc)[1],
        "h3_retail_store": z_rs[_CONF_CSAT] > c,
        "h3_contact_center": z_cc[_CONF_CSAT] > c,
        "h3_difference": difference(est_rs[_CONF_CSAT], se_rs[_CONF_CSAT], est_cc[_CONF_CSAT], se_cc[_CONF_CSAT]),
    }
    out["all"] = all(out[key] for key in PATTERN)
    out["h1_difference_test"] = difference(est_rs[_DIRECT], se_rs[_DIRECT], est_cc[_DIRECT], se_cc[_DIRECT])
    out["h2_difference_test"] = difference(*sobel(est_cc, se_cc), *sobel(est_rs, se_rs))
    out["h1_contact_center_equivalence"] = equivalent(est_cc[_DIRECT], se_cc[_DIRECT], bound_cc)
    out["h2_retail_store_equivalence"] = equivalent(*sobel(est_rs, se_rs), bound_rs)
    out["all_formal"] = all(out[key] for key in FORMAL)
    return {key: bool(out[key]) for key in VERDICTS}


@validated
def estimates_once(population: pd.DataFrame | None = None, seed: int = 0) -> pd.DataFrame:
    """The composite model's OLS estimates in the study that ``seed`` draws from ``population``
    (default: the book's) — the same data as ``simulate_study(population, seed=seed)``.
    One row per channel and path: channel, outcome, predictor, path (``"conf ~ infusion"``),
    est, se (classical), z, n (employees analysed)."""
    seed = check.whole("seed", seed, 0)
    rows = []
    for channel, (est, se, n, _) in zip(CHANNELS, _study(_population(population), seed)):
        for (outcome, predictor), b, s in zip(_PATHS, est, se):
            rows.append({"channel": channel, "outcome": outcome, "predictor": predictor,
                         "path": f"{outcome} ~ {predictor}", "est": float(b), "se": float(s),
                         "z": float(b / s), "n": n})
    return pd.DataFrame(rows)


@validated
def replicate_once(population: pd.DataFrame | None, seed: int) -> dict[str, bool]:
    """Whether the study that ``seed`` draws from ``population`` (None: the book's) reproduces
    each verdict: ``{key: bool}`` over the keys of :data:`VERDICTS` (the seven published
    verdicts, ``all`` and the two extra difference tests)."""
    seed = check.whole("seed", seed, 0)
    return _verdicts(_study(_population(population), seed))


# --------------------------------------------------------------------------- many studies


def _rates(params: Sequence[dict[str, float]], seeds: np.ndarray) -> pd.DataFrame:
    """One row per verdict: verdict, description, kind, rate, mc_se, n_studies."""
    hits = np.zeros(len(VERDICTS))
    for seed in seeds:
        hits += np.fromiter(_verdicts(_study(params, int(seed))).values(), dtype=float, count=len(VERDICTS))
    n = len(seeds)
    rate = hits / n
    return pd.DataFrame({"verdict": list(VERDICTS), "description": list(VERDICTS.values()),
                         "kind": [KINDS[key] for key in VERDICTS], "rate": rate,
                         "mc_se": np.sqrt(rate * (1 - rate) / n), "n_studies": n})


@validated(n_studies=10_000)
def power(population: pd.DataFrame | None = None, *, n_studies: int = DEFAULT_STUDIES, seed: int = 0) -> pd.DataFrame:
    """How often a study drawn from ``population`` (default: the book's) reproduces each verdict.

    Draws ``n_studies`` studies (seeds from :func:`study_seeds`) and returns one row per key of
    :data:`VERDICTS`: verdict, description, kind (power, 1 − size or joint, :data:`KINDS`), rate
    (share of studies reproducing it), mc_se (its Monte Carlo standard error
    √(rate·(1 − rate)/n_studies)) and n_studies."""
    params = _population(population)
    seeds = study_seeds(seed, n_studies)
    table = _rates(params, seeds)
    table.attrs.update({"seed": int(seed), "n_studies": int(n_studies)})
    return table


def _common(table: pd.DataFrame, name: str) -> float:
    """The value of ``name`` if both channels share it, otherwise NaN."""
    values = {parameters(table, channel, checked=False)[name] for channel in CHANNELS}
    return values.pop() if len(values) == 1 else float("nan")


@validated(n_studies=2_000)
def power_curve(population: pd.DataFrame | None = None, *, employees: Sequence[int] = (100, 200, 300, 400),
                customers: Sequence[int] = (3, 5, 7, 10), n_studies: int = DEFAULT_CURVE_STUDIES,
                seed: int = 0) -> pd.DataFrame:
    """How the verdicts' rates change with the size of the study: two one-dimensional sweeps.

    - ``sweep = "employees"``: ``n_employees`` per channel takes each value of ``employees``; the
      customers keep the population's design (7 + Poisson(1.5) each in the book's population);
    - ``sweep = "customers"``: every employee has exactly ``min_customers`` customers, each value
      of ``customers`` in turn (``extra_customers_mean`` is set to 0, so no Poisson extras); the
      number of employees stays the population's (300 per channel in the book's).

    Each point is :func:`power` with ``n_studies`` studies and the same ``seed``. Returns a tidy
    DataFrame: sweep, n_employees, min_customers, extra_customers_mean (NaN where the channels
    differ), verdict, rate, mc_se, n_studies. ``employees`` must hold whole numbers of at least 1
    and ``customers`` whole numbers of at least 2."""
    base = load_population() if population is None else validate_population(population)
    employees = _sizes("employees", employees, 1)
    customers = _sizes("customers", customers, 2)
    seeds = study_seeds(seed, n_studies)
    settings = [("employees", with_values(base, n_employees=e)) for e in employees]
    settings += [("customers", with_values(base, min_customers=k, extra_customers_mean=0.0)) for k in customers]
    frames = []
    for sweep, table in settings:
        rates = _rates(_population(table), seeds)
        rates.insert(0, "sweep", sweep)
        rates.insert(1, "n_employees", _common(table, "n_employees"))
        rates.insert(2, "min_customers", _common(table, "min_customers"))
        rates.insert(3, "extra_customers_mean", _common(table, "extra_customers_mean"))
        frames.append(rates.drop(columns=["description", "kind"]))
    out = pd.concat(frames, ignore_index=True)
    out.attrs.update({"seed": int(seed), "n_studies": int(n_studies)})
    return out


@validated(n_studies=10_000)
def z_values(population: pd.DataFrame | None = None, *, outcome: str = "conf", predictor: str = "infusion",
             channel: str = "contact_center", n_studies: int = DEFAULT_STUDIES, seed: int = 0) -> pd.Series:
    """z = estimate / standard error of the composite model's path ``outcome ~ predictor`` in
    ``channel``, one per simulated study (the studies of :func:`power` with the same ``seed``), as
    a Series indexed by study. Under a true null its mean is 0 and its SD 1; a mean away from 0
    (by more than about 3/√n_studies) is a bias of the analysis."""
    if channel not in CHANNELS:
        raise InputError(f"channel must be one of {list(CHANNELS)}, got {channel!r}")
    if (outcome, predictor) not in _INDEX:
        raise InputError(f"the composite model has no path {outcome} ~ {predictor}; paths: "
                         f"{', '.join(f'{o} ~ {p}' for o, p in _PATHS)}")
    params = _population(population)
    position, which = _INDEX[(outcome, predictor)], CHANNELS.index(channel)
    z = [est[position] / se[position] for est, se, _, _ in (_study(params, int(s))[which]
                                                             for s in study_seeds(seed, n_studies))]
    return pd.Series(z, name=f"z of {outcome} ~ {predictor} in {channel}")


@validated(n_studies=2_000)
def sizes(population: pd.DataFrame | None = None, *, employees: Sequence[int] = (300, 600, 1200, 2400),
          n_studies: int = DEFAULT_STUDIES, seed: int = 0) -> pd.DataFrame:
    """:func:`power` at each number of employees per channel in ``employees`` (customers as the
    population designs them), stacked: n_employees, verdict, kind, rate, mc_se, n_studies. For
    sizing a study beyond the published one, e.g. for the equivalence tests."""
    base = load_population() if population is None else validate_population(population)
    employees = _sizes("employees", employees, 1)
    frames = [power(with_values(base, n_employees=n), n_studies=n_studies, seed=seed)
              .drop(columns="description").assign(n_employees=n) for n in employees]
    out = pd.concat(frames, ignore_index=True)
    return out[["n_employees", "verdict", "kind", "rate", "mc_se", "n_studies"]]
