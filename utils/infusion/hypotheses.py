"""The structural model per channel, hypotheses H1-H3, the hypothesis table and the scorecard.

Hypotheses, as source 001 states them (the direction of each comparison is the hypothesis):

- **H1** the direct effect of infusion use on customers' expectation confirmation is stronger in
  retail stores (face-to-face) than in contact centers (virtual);
- **H2** the indirect effect through employees' user satisfaction is stronger in contact centers;
- **H3** the effect of expectation confirmation on customer satisfaction is stronger in retail
  stores.

**How the book tests them.** One nonparametric bootstrap of the structural model on scale scores
(``models.COMPOSITE_SEM``) by channel, with ``utils.sem.indirect_effects``: rows are resampled
within each channel, and each effect (the direct path, the indirect product a·b, the
confirmation → satisfaction path) gets a bootstrap distribution in each channel and for the
channel difference, oriented so that a positive difference is in the hypothesized direction.

- **Per-channel effects: two-sided** bootstrap tests at α = 0.05, p = 2·min(p_greater, p_less).
  The source's "significant" and "not significant" are read as the conventional two-sided
  statements, and a "not significant" verdict needs a test that would catch an effect of either
  sign. Interval: the 95 % percentile interval.
- **Differences: one-sided** (H1: hypothesized channel − other > 0) at α = 0.05, p = p_greater
  of the oriented difference. Each hypothesis names the stronger channel, so a difference in the
  other direction would not support it. Interval: the one-sided 95 % bound (the 5 % quantile),
  [bound, ∞).
- **Monte Carlo error.** Every p-value and interval end comes with its Monte Carlo standard
  error (``utils.inference``): with B resamples, √(p(1 − p)/B) for a one-sided p (twice that
  of the smaller one-sided p for a two-sided p) and the order-statistic SE of a quantile. A
  verdict whose p lies within 3 Monte Carlo SE of α is **borderline**: another seed could flip
  it. ``BOOTSTRAP_DEFAULT`` = 10,000 resamples leave every verdict on the book's data more than
  4 Monte Carlo SE from α (with 5,000 the pooled direct effect's p lay 4.0 SE from it, close
  enough for another seed to call it borderline); rerun over 200 bootstrap seeds, no verdict
  and no borderline label changed.
- **Null verdicts** (the direct path in contact centers, the indirect path in stores) are
  "reproduced" formally only by an equivalence test: the bootstrap TOST (two one-sided tests)
  of |effect| < ``EQUIVALENCE_BOUND`` standard deviations of confirmation per standard deviation
  of infusion use (the bound in the scores' units is 0.10 · sd(conf) / sd(infusion) in that
  channel): p_TOST = max(share ≤ −bound, share ≥ +bound) with the (1 + count)/(1 + B)
  convention; equivalent when p_TOST < 0.05, i.e. when the 90 % percentile interval lies inside
  the bounds (Schuirmann 1987). 0.10 is Cohen's "small" standardized effect and well below the
  effects the hypotheses are about; it is the book's choice, not the study's.

Percentile rather than bias-corrected intervals: the BC interval's type-I error for indirect
effects runs above the nominal level when one path is 0 (Fritz, Taylor & MacKinnon 2012).

The latent-variable model (``models.LATENT_SEM``, maximum likelihood with ``utils.sem``) gives the
measurement-corrected paths, R², fit and path diagrams (:func:`latent_fits`, :func:`latent_paths`)
and a second test of the path differences: likelihood-ratio tests of each path held equal across
channels (:func:`equality_tests`) on the **metric-invariant** baseline (loadings equal across
channels, the prerequisite for comparing paths; the configural baseline is kept as an option).

**The scorecard** (:func:`scorecard`) sets each verdict beside the published result
(``data/chen2021/published_results.csv``) in two columns. ``as_argued``: reproduced the way the
source argued (for H1 and H2, whose difference the source reports no test of, "significant in
the hypothesized channel, not in the other"; a null as "not significant"). ``formal``:
reproduced by a formal test (the one-sided difference test; a null by the equivalence test).
A borderline verdict is shown as "borderline" in ``formal`` and counted apart.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping

import numpy as np
import pandas as pd

from utils import _checks as check
from utils import data, inference, sem
from utils.infusion import models
from utils.infusion.population import CHANNELS
from utils._checks import validated
from utils.errors import InputError

__all__ = [
    "PUBLISHED_FILE", "BOOTSTRAP_DEFAULT", "BOOTSTRAP_SEED", "ALPHA", "EQUIVALENCE_BOUND", "EFFECTS",
    "LATENT_EFFECTS", "LATENT_BOOTSTRAP", "MONTE_CARLO_DRAWS", "MONTE_CARLO_SEED", "HYPOTHESIZED", "NULL_KEYS", "KEY_PATHS",
    "load_published", "hypothesis_tests", "latent_tests", "latent_bootstrap_tests", "compare_tests", "baseline_tests", "hypothesis_table",
    "scorecard", "scorecard_headline", "latent_fits", "latent_paths", "r_squared", "equality_tests",
    "compare_with_targets",
]

PUBLISHED_FILE = "chen2021/published_results.csv"
BOOTSTRAP_DEFAULT = 10000
BOOTSTRAP_SEED = 31
ALPHA = 0.05
# Equivalence bound of the null verdicts, in standard deviations of confirmation per standard
# deviation of infusion use (Cohen's "small"; the book's choice, see the module docstring).
EQUIVALENCE_BOUND = 0.10
# Effect → (hypothesis, chain in the composite model).
EFFECTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "direct": ("H1", models.DIRECT),
    "indirect": ("H2", models.INDIRECT),
    "conf_csat": ("H3", models.CONF_CSAT),
}
# The same effects in the latent model (factors in capitals).
LATENT_EFFECTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "direct": ("H1", ("INF", "CONF")),
    "indirect": ("H2", ("INF", "USAT", "CONF")),
    "conf_csat": ("H3", ("CONF", "CSAT")),
}
# The latent bootstrap (stored by utils.infusion.cache): 5,000 resamples, about 15 s.
LATENT_BOOTSTRAP = 5000
# Monte Carlo intervals of the latent model: 20,000 draws (p's Monte Carlo SE at most 0.0035).
MONTE_CARLO_DRAWS = 20000
MONTE_CARLO_SEED = 33
# The channel each hypothesis expects to be stronger.
HYPOTHESIZED: dict[str, str] = {"H1": "retail_store", "H2": "contact_center", "H3": "retail_store"}
# The published null results: (hypothesis, effect, channel).
NULL_KEYS = {("H1", "direct", "contact_center"), ("H2", "indirect", "retail_store")}
_PUBLISHED_COLUMNS = ("key", "hypothesis", "effect", "channel", "published", "quote", "translation", "source")


@validated
def load_published() -> pd.DataFrame:
    """The published results (``data/chen2021/published_results.csv``), checked: one row per
    hypothesis × channel, with the source's wording, a quote and its English translation."""
    table = data.read_csv(PUBLISHED_FILE)
    check.columns(table, _PUBLISHED_COLUMNS, PUBLISHED_FILE)
    if table["key"].duplicated().any():
        raise InputError(f"{PUBLISHED_FILE} repeats keys {table.loc[table['key'].duplicated(), 'key'].tolist()}")
    allowed = {"significant", "not significant", "positive",
               "retail_store > contact_center", "contact_center > retail_store"}
    bad = table.loc[~table["published"].isin(allowed), "key"].tolist()
    if bad:
        raise InputError(f"{PUBLISHED_FILE}: rows {bad} state a result other than {sorted(allowed)}")
    return table


def _check_employees(employees: pd.DataFrame) -> None:
    needed = ["channel", *models.CONTROLS, "infusion", "usat", "conf", "csat"]
    check.columns(employees, needed, "employees")
    unknown = sorted(set(employees["channel"]) - set(CHANNELS))
    if unknown:
        raise InputError(f"employees has unknown channel(s) {unknown}; expected {list(CHANNELS)}")
    missing = [c for c in CHANNELS if c not in set(employees["channel"])]
    if missing:
        raise InputError(f"employees has no rows for channel(s) {missing}")


def _borderline(p: float, mcse: float, alpha: float = ALPHA) -> bool:
    return mcse > 0 and abs(p - alpha) < inference.MARGIN * mcse


def _two_sided(row: pd.Series) -> tuple[float, float]:
    """Two-sided bootstrap p = 2·min(p_greater, p_less) (capped at 1) and its Monte Carlo SE."""
    smaller = "p_greater" if row["p_greater"] <= row["p_less"] else "p_less"
    return min(1.0, 2 * float(row[smaller])), 2 * float(row[f"{smaller}_mcse"])


def _tost(draws: np.ndarray, bound: float) -> tuple[float, float]:
    """Bootstrap TOST p of |effect| < bound and its Monte Carlo SE."""
    b = len(draws)
    p = max((1 + int(np.sum(draws <= -bound))) / (1 + b), (1 + int(np.sum(draws >= bound))) / (1 + b))
    return p, inference.p_mcse(p, b)


def _channel_verdict(estimate: float, p: float) -> str:
    if p >= ALPHA:
        return "not significant"
    return "significant, positive" if estimate > 0 else "significant, negative"


def _bound(employees: pd.DataFrame, channel: str | None) -> float:
    """EQUIVALENCE_BOUND in the scores' units: 0.10 · sd(conf) / sd(infusion) in ``channel``."""
    part = employees if channel is None else employees[employees["channel"] == channel]
    return EQUIVALENCE_BOUND * float(part["conf"].std(ddof=1) / part["infusion"].std(ddof=1))


def _channel_row(hypothesis: str, effect: str, chain: str, channel: str, r: pd.Series, draws: np.ndarray,
                 bound: float | None, ends: tuple[str, str] = ("pct_low", "pct_high"), size: str = "n_boot") -> dict:
    """One per-channel row: two-sided test, 95 % interval with Monte Carlo SEs, and (with a
    ``bound``) the equivalence test."""
    p, p_mcse = _two_sided(r)
    low, high = ends
    row = {"hypothesis": hypothesis, "effect": effect, "chain": chain, "channel": channel,
           "estimate": float(r["estimate"]), "se": float(r["se"]), "ci_low": float(r[low]), "ci_high": float(r[high]),
           "ci_low_mcse": float(r[f"{low}_mcse"]), "ci_high_mcse": float(r[f"{high}_mcse"]),
           "interval": "95 % two-sided", "test": "two-sided", "p": p, "p_mcse": p_mcse,
           "verdict": _channel_verdict(r["estimate"], p), "borderline": _borderline(p, p_mcse),
           "tost_bound": np.nan, "tost_p": np.nan, "tost_p_mcse": np.nan, "equivalent": False,
           "tost_borderline": False, "equivalence_limit": np.nan, size: int(r[size])}
    if bound is not None:
        tost_p, tost_mcse = _tost(draws, bound)
        # the smallest bound the data would show equivalence for, in the units of EQUIVALENCE_BOUND
        limit = float(np.max(np.abs(np.quantile(draws, [ALPHA, 1 - ALPHA])))) * EQUIVALENCE_BOUND / bound
        row.update(tost_bound=bound, tost_p=tost_p, tost_p_mcse=tost_mcse, equivalent=tost_p < ALPHA,
                   tost_borderline=_borderline(tost_p, tost_mcse), equivalence_limit=limit)
    return row


def _difference_row(hypothesis: str, effect: str, chain: str, r: pd.Series, draws: np.ndarray,
                    size: str = "n_boot") -> dict:
    """The difference row: ``draws`` and ``r`` are retail_store − contact_center (the second
    sorted channel minus the first), turned to "hypothesized minus other" and tested one-sided."""
    sign = 1.0 if HYPOTHESIZED[hypothesis] == sorted(CHANNELS)[1] else -1.0
    oriented = sign * draws
    b = len(oriented)
    p = (1 + int(np.sum(oriented <= 0))) / (1 + b)
    p_mcse = inference.p_mcse(p, b)
    other = next(c for c in CHANNELS if c != HYPOTHESIZED[hypothesis])
    verdict = f"{HYPOTHESIZED[hypothesis]} > {other}" if p < ALPHA else "no significant difference"
    return {"hypothesis": hypothesis, "effect": effect, "chain": chain, "channel": "difference",
            "estimate": sign * float(r["estimate"]), "se": float(r["se"]),
            "ci_low": float(np.quantile(oriented, ALPHA)), "ci_high": np.inf,
            "ci_low_mcse": inference.quantile_mcse(oriented, ALPHA), "ci_high_mcse": 0.0,
            "interval": "95 % one-sided", "test": "one-sided", "p": p, "p_mcse": p_mcse,
            "verdict": verdict, "borderline": _borderline(p, p_mcse), "tost_bound": np.nan,
            "tost_p": np.nan, "tost_p_mcse": np.nan, "equivalent": False, "tost_borderline": False,
            "equivalence_limit": np.nan, size: b}


def _test_rows(table: pd.DataFrame, effects: dict[str, tuple[str, tuple[str, ...]]],
               bounds: dict[str, float] | None, ends: tuple[str, str] = ("pct_low", "pct_high"),
               size: str = "n_boot") -> pd.DataFrame:
    """The rows of :func:`hypothesis_tests` from a resampling table by channel
    (``indirect_effects`` or ``monte_carlo_effects``, with its draws in ``attrs``): for each
    effect, the two channels and the difference."""
    draws = table.attrs["draws"]
    rows = []
    for effect, (hypothesis, chain) in effects.items():
        name = " → ".join(chain)
        part = table[table["chain"] == name]
        for channel in CHANNELS:
            index = part.index[part["group"] == channel][0]
            bound = None if bounds is None else bounds[channel]
            rows.append(_channel_row(hypothesis, effect, name, channel, part.loc[index], draws[index], bound,
                                     ends=ends, size=size))
        index = part.index[part["group"] == "difference"][0]
        rows.append(_difference_row(hypothesis, effect, name, part.loc[index], draws[index], size=size))
    return pd.DataFrame(rows)


@validated
def hypothesis_tests(employees: pd.DataFrame, *, n_boot: int = BOOTSTRAP_DEFAULT,
                     seed: int = BOOTSTRAP_SEED) -> pd.DataFrame:
    """Bootstrap tests of H1-H3 on the employee-level data (``aggregation.employee_data``).

    Returns one row per hypothesis and channel (retail_store, contact_center, difference) with
    hypothesis, effect, chain, channel, estimate, se (bootstrap SD), ci_low, ci_high and their
    Monte Carlo SEs ci_low_mcse, ci_high_mcse, interval ("95 % two-sided" per channel, "95 %
    one-sided" [bound, ∞) for differences), test ("two-sided" or "one-sided"), p and p_mcse,
    verdict, borderline (p within 3 Monte Carlo SE of α = 0.05), the equivalence test of each
    per-channel effect (tost_bound, tost_p, tost_p_mcse, equivalent, tost_borderline, and
    equivalence_limit: the smallest bound, in standard deviations of confirmation per standard
    deviation of infusion use, at which the data would show equivalence; NaN for differences) and
    n_boot. Difference rows are the hypothesized stronger channel minus the
    other (``HYPOTHESIZED``); their verdict names the supported ordering or says "no significant
    difference". See the module docstring for why per-channel tests are two-sided and
    differences one-sided."""
    _check_employees(employees)
    chains = [chain for _, chain in EFFECTS.values()]
    boot = sem.indirect_effects(models.COMPOSITE_SEM, employees, chains, group="channel",
                                n_boot=n_boot, seed=seed, level=0.95)
    bounds = {channel: _bound(employees, channel) for channel in CHANNELS}
    out = _test_rows(boot, EFFECTS, bounds)
    out.attrs.update(seed=seed, n_boot=n_boot)
    return out


@validated
def latent_tests(employees: pd.DataFrame, *, n_draws: int = MONTE_CARLO_DRAWS,
                 seed: int = MONTE_CARLO_SEED) -> pd.DataFrame:
    """H1-H3 on the latent model, fitted to both channels at once under metric invariance
    (loadings equal: the same unit for each factor in both channels), with Monte Carlo intervals
    (``utils.sem.monte_carlo_effects``: ``n_draws`` parameter vectors from N(θ̂, vcov)). The same
    rows, columns and rules as :func:`hypothesis_tests` (per channel two-sided, differences
    one-sided, Monte Carlo SEs, borderline), with n_draws instead of n_boot; no equivalence test
    (its bound would need the factors' model-implied variances; the composite model's equivalence
    tests are the book's). Estimates are on the factors' metric (each factor scaled by its first
    item), corrected for the items' error, so they are larger than the composite ones."""
    _check_employees(employees)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sem.SemWarning)
        # ftol 1e-9: the estimates move by < 1e-4 against 1e-12 (a Monte Carlo interval's own
        # error is larger) and the fit takes two thirds of the time
        fit = sem.fit_groups(models.LATENT_SEM, employees, "channel", equal=["loadings"], ftol=1e-9)
    chains = [chain for _, chain in LATENT_EFFECTS.values()]
    table = sem.monte_carlo_effects(fit, chains, n_draws=n_draws, seed=seed, level=0.95)
    out = _test_rows(table, LATENT_EFFECTS, None, ends=("lower", "upper"), size="n_draws")
    out.attrs.update(seed=seed, n_draws=n_draws, fit=fit)
    return out


@validated(n_boot=20_000)
def latent_bootstrap_tests(employees: pd.DataFrame, *, n_boot: int = LATENT_BOOTSTRAP,
                           seed: int = BOOTSTRAP_SEED) -> pd.DataFrame:
    """H1-H3 on the latent model under metric invariance by the nonparametric bootstrap of the
    data: ``utils.sem.indirect_effects`` with ``equal=["loadings"]`` resamples employees within
    each channel and refits both channels jointly on every resample (batched Fisher scoring).
    Rows, columns and rules as :func:`latent_tests`, with n_boot. Unlike the Monte Carlo
    intervals it does not lean on the normal approximation of the estimates. 5,000 resamples take
    about 15 s (``utils.infusion.cache`` stores the result for the chapter)."""
    _check_employees(employees)
    chains = [chain for _, chain in LATENT_EFFECTS.values()]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sem.SemWarning)
        boot = sem.indirect_effects(models.LATENT_SEM, employees, chains, group="channel", n_boot=n_boot,
                                    seed=seed, level=0.95, equal=["loadings"])
    out = _test_rows(boot, LATENT_EFFECTS, None)
    out.attrs.update(seed=seed, n_boot=n_boot, fallbacks=boot.attrs.get("fallbacks", 0))
    return out


@validated
def compare_tests(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Several analyses' verdicts side by side: ``tables`` maps a name (e.g. "composite") to a
    table from :func:`hypothesis_tests`, :func:`latent_tests` or :func:`latent_bootstrap_tests`.
    One row per hypothesis and channel with estimate_<name>, p_<name> and verdict_<name> (" (borderline)"
    appended where it is) for each, and ``agree`` (every analysis gives the same verdict)."""
    if not isinstance(tables, Mapping) or len(tables) < 2:
        raise InputError("tables must map at least two names to test tables, e.g. "
                         "{'composite': hypothesis_tests(...), 'latent': latent_tests(...)}")
    columns = ["hypothesis", "channel", "estimate", "p", "verdict", "borderline"]
    out = None
    for name, frame in tables.items():
        check.columns(frame, columns, f"tables[{name!r}]")
        part = frame[columns[:4]].assign(verdict=frame["verdict"] + np.where(frame["borderline"], " (borderline)", ""))
        part = part.rename(columns={c: f"{c}_{name}" for c in ("estimate", "p", "verdict")})
        out = part if out is None else out.merge(part, on=["hypothesis", "channel"])
    verdicts = out[[f"verdict_{name}" for name in tables]]
    out["agree"] = verdicts.nunique(axis=1) == 1
    return out


@validated
def baseline_tests(employees: pd.DataFrame, *, n_boot: int = BOOTSTRAP_DEFAULT,
                   seed: int = BOOTSTRAP_SEED) -> pd.DataFrame:
    """The baseline model (source 000: infusion use works directly and through user satisfaction)
    on both channels pooled: the direct and the indirect effect, two-sided bootstrap tests.
    Whether the study fitted its baseline model on the pooled sample the sources do not say; this
    is the book's reading. Columns as :func:`hypothesis_tests` with channel 'pooled'."""
    _check_employees(employees)
    boot = sem.indirect_effects(models.COMPOSITE_SEM, employees, [models.DIRECT, models.INDIRECT],
                                n_boot=n_boot, seed=seed, level=0.95)
    draws = boot.attrs["draws"]
    bound = _bound(employees, None)
    rows = [_channel_row("baseline", effect, r["chain"], "pooled", r, draws[index], bound)
            for effect, (index, r) in zip(("direct", "indirect"), boot.iterrows())]
    return pd.DataFrame(rows)


def _cell(estimate: float, low: float, high: float, verdict: str, borderline: bool) -> str:
    upper = "∞)" if np.isinf(high) else f"{high:.3f}]"
    return f"{estimate:.3f} [{low:.3f}, {upper}: {verdict}{' (borderline)' if borderline else ''}"


@validated
def hypothesis_table(tests: pd.DataFrame) -> pd.DataFrame:
    """The hypothesis table: one row per hypothesis, one column per channel and one for the
    difference, each cell "estimate [interval]: verdict" (per channel the 95 % two-sided
    percentile interval, for the difference the one-sided 95 % bound [bound, ∞)); plus
    ``p_difference`` (the one-sided p with its Monte Carlo SE) and ``supported`` ("yes" when the
    one-sided difference test supports the hypothesized ordering, "no", or "borderline")."""
    check.columns(tests, ["hypothesis", "channel", "estimate", "ci_low", "ci_high", "verdict", "borderline",
                          "p", "p_mcse"], "tests")
    cells = tests.assign(cell=[_cell(*values) for values in zip(tests["estimate"], tests["ci_low"], tests["ci_high"],
                                                              tests["verdict"], tests["borderline"])])
    table = cells.pivot(index="hypothesis", columns="channel", values="cell")[[*CHANNELS, "difference"]]
    differences = tests[tests["channel"] == "difference"].set_index("hypothesis")
    table["p_difference"] = [f"{differences.loc[h, 'p']:.4f} ± {differences.loc[h, 'p_mcse']:.4f}" for h in table.index]
    table["supported"] = ["borderline" if differences.loc[h, "borderline"] else
                          "yes" if differences.loc[h, "p"] < ALPHA else "no" for h in table.index]
    table.columns.name = None
    return table


def _formal(published: str, row: pd.Series) -> bool | str:
    """Reproduced by a formal test: the one-sided difference test, the two-sided test of an
    effect, or for a published null the equivalence test; "borderline" when that test is."""
    if published == "not significant":
        return "borderline" if row["tost_borderline"] else bool(row["equivalent"])
    if row["borderline"]:
        return "borderline"
    if published in ("significant", "positive"):
        return row["verdict"] == "significant, positive"
    return row["verdict"] == published  # an ordering such as "retail_store > contact_center"


@validated
def scorecard(tests: pd.DataFrame, baseline: pd.DataFrame | None = None,
              published: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each published result beside the replication's verdict, in two columns.

    ``tests`` from :func:`hypothesis_tests`, ``baseline`` from :func:`baseline_tests` (rows for
    the baseline model are left out when it is None), ``published`` defaults to
    :func:`load_published`. Returns one row per published result: key, hypothesis, effect,
    channel, published, replicated (the book's verdict), estimate, ci_low, ci_high, p,
    as_argued (bool: reproduced as the source argued), formal (True, False or "borderline":
    reproduced by a formal test) and note. As the source argued: a significant effect by the
    two-sided test, a null by "not significant", the H1 and H2 differences by "significant in
    the hypothesized channel, not in the other" (the source reports no test of them), H3's
    difference by its test (the source says it was tested). Formally: a null by the
    equivalence test, a difference by the one-sided test."""
    published = load_published() if published is None else published
    results = tests if baseline is None else pd.concat([tests, baseline], ignore_index=True)
    check.columns(results, ["hypothesis", "effect", "channel", "estimate", "ci_low", "ci_high", "verdict",
                            "borderline", "p", "equivalent", "tost_borderline", "tost_p"], "tests")
    index = results.set_index(["hypothesis", "effect", "channel"])
    rows = []
    for p in published.itertuples():
        if (p.hypothesis, p.effect, p.channel) not in index.index:
            continue
        r = index.loc[(p.hypothesis, p.effect, p.channel)]
        formal = _formal(p.published, r)
        if p.published == "not significant":
            as_argued = r["verdict"] == "not significant"
            note = (f"equivalence test (TOST) within ±{r['tost_bound']:.3f}: p = {r['tost_p']:.3f}; "
                    f"{'equivalent to 0' if r['equivalent'] else 'not shown equivalent to 0'}")
        elif p.channel == "difference" and p.hypothesis in ("H1", "H2"):
            strong = HYPOTHESIZED[p.hypothesis]
            weak = next(c for c in CHANNELS if c != strong)
            as_argued = (index.loc[(p.hypothesis, p.effect, strong), "verdict"] == "significant, positive"
                         and index.loc[(p.hypothesis, p.effect, weak), "verdict"] == "not significant")
            note = (f"as argued: significant in {strong}, not in {weak} ({'holds' if as_argued else 'does not hold'}); "
                    f"formal one-sided difference test p = {r['p']:.3f}")
        else:
            wanted = "significant, positive" if p.published in ("significant", "positive") else p.published
            as_argued = r["verdict"] == wanted
            note = "borderline: within 3 Monte Carlo SE of α" if formal == "borderline" else ""
        rows.append({"key": p.key, "hypothesis": p.hypothesis, "effect": p.effect, "channel": p.channel,
                     "published": p.published, "replicated": r["verdict"], "estimate": r["estimate"],
                     "ci_low": r["ci_low"], "ci_high": r["ci_high"], "p": r["p"], "as_argued": bool(as_argued),
                     "formal": formal, "note": note})
    return pd.DataFrame(rows)


@validated
def scorecard_headline(card: pd.DataFrame) -> str:
    """The scorecard's headline: how many published results are reproduced as the source argued
    and how many by a formal test (borderline ones counted apart)."""
    check.columns(card, ["as_argued", "formal"], "card")
    total = len(card)
    formal = int((card["formal"] == True).sum())  # noqa: E712 (the column also holds "borderline")
    borderline = int((card["formal"] == "borderline").sum())
    extra = f", {borderline} borderline" if borderline else ""
    return (f"{int(card['as_argued'].sum())} of {total} published results reproduced as the source argued; "
            f"{formal} of {total} by a formal test{extra}")


# --------------------------------------------------------------------------- latent model


@validated
def latent_fits(employees: pd.DataFrame, desc: str = models.LATENT_SEM) -> dict[str, sem.SemFit]:
    """The latent-variable structural model fitted by ML in each channel: {channel: SemFit}."""
    _check_employees(employees)
    return {channel: sem.fit(desc, employees[employees["channel"] == channel]) for channel in CHANNELS}


@validated
def latent_paths(fits: dict[str, sem.SemFit]) -> pd.DataFrame:
    """The regression paths of each channel's latent fit: channel, lhs, rhs, est, se, z,
    pvalue, std_all."""
    frames = []
    for channel, fit in fits.items():
        e = fit.estimates
        frames.append(e[e["op"] == "~"].assign(channel=channel)[
            ["channel", "lhs", "rhs", "est", "se", "z", "pvalue", "std_all"]])
    return pd.concat(frames, ignore_index=True)


# Latent factors and controls of the SEM → the population model's names.
_POPULATION_NAMES = {"INF": "infusion", "USAT": "usat", "CONF": "conf", "CSAT": "csat",
                     "log_tenure": "tenure", "log_contacts": "contacts"}


@validated
def compare_with_targets(paths: pd.DataFrame, targets: pd.DataFrame) -> pd.DataFrame:
    """Standardized estimates (:func:`latent_paths`) beside the values the population implies
    for them (``population.targets``): channel, parameter, target, estimate (std_all),
    difference (estimate − target), pvalue. Raises a ValueError when a path has no target."""
    check.columns(paths, ["channel", "lhs", "rhs", "std_all", "pvalue"], "paths")
    check.columns(targets, ["channel", "predictor", "outcome", "parameter", "value"], "targets")
    named = paths.assign(outcome=paths["lhs"].map(_POPULATION_NAMES), predictor=paths["rhs"].map(_POPULATION_NAMES))
    joined = named.merge(targets, on=["channel", "predictor", "outcome"], how="left")
    if joined["value"].isna().any():
        missing = joined.loc[joined["value"].isna(), ["lhs", "rhs"]].drop_duplicates().to_numpy().tolist()
        raise InputError(f"no population target for the path(s) {missing}")
    out = joined.rename(columns={"value": "target", "std_all": "estimate"})
    out["difference"] = out["estimate"] - out["target"]
    return out[["channel", "parameter", "target", "estimate", "difference", "pvalue"]]


@validated
def r_squared(fits: dict[str, sem.SemFit]) -> pd.DataFrame:
    """R² of every endogenous factor in each channel (1 − its standardized residual variance):
    a table with one row per factor and one column per channel."""
    rows = {}
    for channel, fit in fits.items():
        e = fit.estimates
        endogenous = sorted(set(e.loc[e["op"] == "~", "lhs"]), key=list(models.FACTORS).index)
        residual = e[(e["op"] == "~~") & (e["lhs"] == e["rhs"])].set_index("lhs")["std_all"]
        rows[channel] = {f: 1 - float(residual[f]) for f in endogenous}
    return pd.DataFrame(rows)


# Key paths of the latent model: name → (outcome, predictor, the channel the hypothesis expects stronger).
KEY_PATHS: dict[str, tuple[str, str, str]] = {
    "H1: CONF ~ INF": ("CONF", "INF", "retail_store"),
    "H2 (b): CONF ~ USAT": ("CONF", "USAT", "contact_center"),
    "H2 (a): USAT ~ INF": ("USAT", "INF", "contact_center"),
    "H3: CSAT ~ CONF": ("CSAT", "CONF", "retail_store"),
}
BASELINES = {"metric": ("loadings",), "configural": ()}


@validated
def equality_tests(employees: pd.DataFrame, desc: str = models.LATENT_SEM, *, baseline: str = "metric") -> pd.DataFrame:
    """Likelihood-ratio tests, in the latent model, of each key path (``KEY_PATHS``) held equal
    across channels, against the baseline model (``utils.sem.path_equality``): ``"metric"``
    (default; loadings equal across channels, the prerequisite for comparing paths between
    groups) or ``"configural"`` (nothing equal). One row per path with est_retail_store,
    est_contact_center (the baseline's estimates), chi2_diff, df_diff, pvalue (two-sided: the χ²
    test of equality) and the one-sided p of the signed likelihood-ratio root for the
    hypothesized ordering (``expected``): p_one_sided = p/2 when the estimates differ in that
    direction, 1 − p/2 otherwise. Five multi-group fits of the latent model: 10-20 s
    (``utils.infusion.cache`` stores the result for the chapter)."""
    _check_employees(employees)
    if baseline not in BASELINES:
        raise InputError(f"baseline must be one of {list(BASELINES)}, got {baseline!r}")
    paths = {name: f"{outcome} ~ {predictor}" for name, (outcome, predictor, _) in KEY_PATHS.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sem.SemWarning)
        table = sem.path_equality(desc, employees, "channel", list(paths.values()), baseline=BASELINES[baseline])
    rows = []
    for name, (outcome, predictor, stronger) in KEY_PATHS.items():
        r = table.loc[paths[name]]
        other = next(c for c in CHANNELS if c != stronger)
        p = float(r["pvalue"])
        rows.append({"path": name, **{f"est_{c}": float(r[f"est_{c}"]) for c in CHANNELS},
                     "chi2_diff": float(r["chi2_diff"]), "df_diff": int(r["df_diff"]), "pvalue": p,
                     "expected": f"{stronger} > {other}",
                     "p_one_sided": p / 2 if r[f"est_{stronger}"] > r[f"est_{other}"] else 1 - p / 2})
    out = pd.DataFrame(rows).set_index("path")
    out.attrs["baseline"] = baseline
    return out
