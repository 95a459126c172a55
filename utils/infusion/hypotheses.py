"""The structural model per channel, hypotheses H1-H3, the hypothesis table and the scorecard.

Hypotheses, as source 001 states them (the direction of each comparison is the hypothesis):

- **H1** the direct effect of infusion use on customers' expectation confirmation is stronger in
  retail stores (face-to-face) than in contact centers (virtual);
- **H2** the indirect effect through employees' user satisfaction is stronger in contact centers;
- **H3** the effect of expectation confirmation on customer satisfaction is stronger in retail
  stores.

**How the book tests them.** One bootstrap of the structural model on scale scores
(``models.COMPOSITE_SEM``) by channel, with ``utils.sem.indirect_effects``: rows are resampled
within each channel, and each effect (the direct path, the indirect product a·b, the
confirmation → satisfaction path) gets a percentile interval in each channel and for the channel
difference. An effect is *significant* when its 95 % percentile interval excludes 0; a difference
supports the hypothesis when its interval lies entirely on the hypothesized side. Percentile
rather than bias-corrected intervals: the BC interval's type-I error for indirect effects runs
above the nominal level when one path is 0 (Fritz, Taylor & MacKinnon 2012).

The latent-variable model (``models.LATENT_SEM``, maximum likelihood with ``utils.sem``) gives the
measurement-corrected paths, R², fit and path diagrams (:func:`latent_fits`, :func:`latent_paths`)
and a second test of the three path differences: likelihood-ratio tests of each path held equal
across channels (:func:`equality_tests`).

**The scorecard** (:func:`scorecard`) sets each verdict beside the published result
(``data/chen2021/published_results.csv``). For H1 and H2 the source reports significance in each
channel and calls the hypothesis supported; it reports no test of the difference. The scorecard
therefore judges those two rows the way the source argued (significant in one channel, not in
the other) and shows the formal difference test beside them; for H3 the source says the
difference was tested, and so does the scorecard.
"""

from __future__ import annotations

import re
import warnings

import pandas as pd

from utils import _checks as check
from utils import data, sem
from utils.infusion import models
from utils.infusion.population import CHANNELS

__all__ = [
    "PUBLISHED_FILE", "BOOTSTRAP_DEFAULT", "BOOTSTRAP_SEED", "EFFECTS", "HYPOTHESIZED",
    "load_published", "hypothesis_tests", "baseline_tests", "hypothesis_table", "scorecard",
    "latent_fits", "latent_paths", "r_squared", "equality_tests", "compare_with_targets",
]

PUBLISHED_FILE = "chen2021/published_results.csv"
BOOTSTRAP_DEFAULT = 5000
BOOTSTRAP_SEED = 31
LEVEL = 0.95
# Effect → (hypothesis, chain in the composite model).
EFFECTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "direct": ("H1", models.DIRECT),
    "indirect": ("H2", models.INDIRECT),
    "conf_csat": ("H3", models.CONF_CSAT),
}
# The channel each hypothesis expects to be stronger.
HYPOTHESIZED: dict[str, str] = {"H1": "retail_store", "H2": "contact_center", "H3": "retail_store"}
_PUBLISHED_COLUMNS = ("key", "hypothesis", "effect", "channel", "published", "quote", "source")


def load_published() -> pd.DataFrame:
    """The published results (``data/chen2021/published_results.csv``), checked: one row per
    hypothesis × channel, with the source's wording and a quote."""
    table = data.read_csv(PUBLISHED_FILE)
    check.columns(table, _PUBLISHED_COLUMNS, PUBLISHED_FILE)
    if table["key"].duplicated().any():
        raise ValueError(f"{PUBLISHED_FILE} repeats keys {table.loc[table['key'].duplicated(), 'key'].tolist()}")
    allowed = {"significant", "not significant", "positive",
               "retail_store > contact_center", "contact_center > retail_store"}
    bad = table.loc[~table["published"].isin(allowed), "key"].tolist()
    if bad:
        raise ValueError(f"{PUBLISHED_FILE}: rows {bad} state a result other than {sorted(allowed)}")
    return table


def _check_employees(employees: pd.DataFrame) -> None:
    needed = ["channel", *models.CONTROLS, "infusion", "usat", "conf", "csat"]
    check.columns(employees, needed, "employees")
    unknown = sorted(set(employees["channel"]) - set(CHANNELS))
    if unknown:
        raise ValueError(f"employees has unknown channel(s) {unknown}; expected {list(CHANNELS)}")
    missing = [c for c in CHANNELS if c not in set(employees["channel"])]
    if missing:
        raise ValueError(f"employees has no rows for channel(s) {missing}")


def _verdict(low: float, high: float) -> str:
    if low > 0:
        return "significant, positive"
    if high < 0:
        return "significant, negative"
    return "not significant"


def hypothesis_tests(employees: pd.DataFrame, *, n_boot: int = BOOTSTRAP_DEFAULT, seed: int = BOOTSTRAP_SEED,
                     level: float = LEVEL) -> pd.DataFrame:
    """Bootstrap tests of H1-H3 on the employee-level data (``aggregation.employee_data``).

    Returns one row per hypothesis and channel (retail_store, contact_center, difference) with
    hypothesis, effect, chain, channel, estimate, se, ci_low, ci_high (percentile interval at
    ``level``), verdict and n_boot. For the difference rows the estimate is the hypothesized
    stronger channel minus the other (``HYPOTHESIZED``), so a positive difference is in the
    hypothesis's direction, and the verdict says whether the interval supports it."""
    _check_employees(employees)
    chains = [chain for _, chain in EFFECTS.values()]
    boot = sem.indirect_effects(models.COMPOSITE_SEM, employees, chains, group="channel",
                                n_boot=n_boot, seed=seed, level=level)
    rows = []
    for effect, (hypothesis, chain) in EFFECTS.items():
        part = boot[boot["chain"] == " → ".join(chain)].set_index("group")
        for channel in CHANNELS:
            r = part.loc[channel]
            rows.append({"hypothesis": hypothesis, "effect": effect, "chain": " → ".join(chain), "channel": channel,
                         "estimate": r["estimate"], "se": r["se"], "ci_low": r["pct_low"], "ci_high": r["pct_high"],
                         "verdict": _verdict(r["pct_low"], r["pct_high"]), "n_boot": int(r["n_boot"])})
        # indirect_effects' difference is the second sorted group minus the first:
        # retail_store − contact_center. Turn it to "hypothesized minus other".
        r = part.loc["difference"]
        sign = 1.0 if HYPOTHESIZED[hypothesis] == sorted(CHANNELS)[1] else -1.0
        low, high = sorted((sign * r["pct_low"], sign * r["pct_high"]))
        other = next(c for c in CHANNELS if c != HYPOTHESIZED[hypothesis])
        verdict = (f"{HYPOTHESIZED[hypothesis]} > {other}" if low > 0 else
                   f"{other} > {HYPOTHESIZED[hypothesis]}" if high < 0 else "no significant difference")
        rows.append({"hypothesis": hypothesis, "effect": effect, "chain": " → ".join(chain), "channel": "difference",
                     "estimate": sign * r["estimate"], "se": r["se"], "ci_low": low, "ci_high": high,
                     "verdict": verdict, "n_boot": int(r["n_boot"])})
    return pd.DataFrame(rows)


def baseline_tests(employees: pd.DataFrame, *, n_boot: int = BOOTSTRAP_DEFAULT, seed: int = BOOTSTRAP_SEED,
                   level: float = LEVEL) -> pd.DataFrame:
    """The baseline model (source 000: infusion use works directly and through user satisfaction)
    on both channels pooled: the direct and the indirect effect with percentile intervals.
    Whether the study fitted its baseline model on the pooled sample the sources do not say; this
    is the book's reading. Columns as :func:`hypothesis_tests` with channel 'pooled'."""
    _check_employees(employees)
    boot = sem.indirect_effects(models.COMPOSITE_SEM, employees, [models.DIRECT, models.INDIRECT],
                                n_boot=n_boot, seed=seed, level=level)
    rows = []
    for effect, r in zip(("direct", "indirect"), boot.itertuples()):
        rows.append({"hypothesis": "baseline", "effect": effect, "chain": r.chain, "channel": "pooled",
                     "estimate": r.estimate, "se": r.se, "ci_low": r.pct_low, "ci_high": r.pct_high,
                     "verdict": _verdict(r.pct_low, r.pct_high), "n_boot": int(r.n_boot)})
    return pd.DataFrame(rows)


def hypothesis_table(tests: pd.DataFrame) -> pd.DataFrame:
    """The hypothesis table: one row per hypothesis, one column per channel and one for the
    difference, each cell "estimate [ci_low, ci_high]: verdict"; plus a column ``supported``
    (yes when the difference lies on the hypothesized side, as the formal test requires)."""
    check.columns(tests, ["hypothesis", "channel", "estimate", "ci_low", "ci_high", "verdict"], "tests")
    cells = tests.assign(cell=[f"{e:.3f} [{lo:.3f}, {hi:.3f}]: {v}" for e, lo, hi, v in
                               zip(tests["estimate"], tests["ci_low"], tests["ci_high"], tests["verdict"])])
    table = cells.pivot(index="hypothesis", columns="channel", values="cell")[[*CHANNELS, "difference"]]
    differences = tests[tests["channel"] == "difference"].set_index("hypothesis")
    table["supported"] = ["yes" if differences.loc[h, "ci_low"] > 0 else "no" for h in table.index]
    table.columns.name = None
    return table


def _replicates(published: str, row: pd.Series) -> bool:
    if published == "not significant":
        return row["verdict"] == "not significant"
    if published in ("significant", "positive"):
        return row["verdict"] == "significant, positive"
    return row["verdict"] == published  # an ordering such as "retail_store > contact_center"


def scorecard(tests: pd.DataFrame, baseline: pd.DataFrame | None = None,
              published: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each published result beside the replication's verdict.

    ``tests`` from :func:`hypothesis_tests`, ``baseline`` from :func:`baseline_tests` (rows for
    the baseline model are left out when it is None), ``published`` defaults to
    :func:`load_published`. Returns one row per published result: key, hypothesis, effect,
    channel, published, replicated (the book's verdict), estimate, ci_low, ci_high, match (bool)
    and note. For the H1 and H2 differences ``match`` asks what the source's support rests on
    (significant in the hypothesized channel, not significant in the other); the formal
    difference test is in ``replicated`` and the note."""
    published = load_published() if published is None else published
    results = tests if baseline is None else pd.concat([tests, baseline], ignore_index=True)
    check.columns(results, ["hypothesis", "effect", "channel", "estimate", "ci_low", "ci_high", "verdict"], "tests")
    index = results.set_index(["hypothesis", "effect", "channel"])
    rows = []
    for p in published.itertuples():
        if (p.hypothesis, p.effect, p.channel) not in index.index:
            continue
        r = index.loc[(p.hypothesis, p.effect, p.channel)]
        match = _replicates(p.published, r)
        note = ""
        if p.channel == "difference" and p.hypothesis in ("H1", "H2"):
            strong = HYPOTHESIZED[p.hypothesis]
            weak = next(c for c in CHANNELS if c != strong)
            per_channel = (index.loc[(p.hypothesis, p.effect, strong), "verdict"] == "significant, positive"
                           and index.loc[(p.hypothesis, p.effect, weak), "verdict"] == "not significant")
            note = (f"judged as the source argues: significant in {strong}, not in {weak} "
                    f"({'holds' if per_channel else 'does not hold'}); the formal difference test "
                    f"{'agrees' if match else 'does not'}")
            match = per_channel
        rows.append({"key": p.key, "hypothesis": p.hypothesis, "effect": p.effect, "channel": p.channel,
                     "published": p.published, "replicated": r["verdict"], "estimate": r["estimate"],
                     "ci_low": r["ci_low"], "ci_high": r["ci_high"], "match": bool(match), "note": note})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- latent model


def latent_fits(employees: pd.DataFrame, desc: str = models.LATENT_SEM) -> dict[str, sem.SemFit]:
    """The latent-variable structural model fitted by ML in each channel: {channel: SemFit}."""
    _check_employees(employees)
    return {channel: sem.fit(desc, employees[employees["channel"] == channel]) for channel in CHANNELS}


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
        raise ValueError(f"no population target for the path(s) {missing}")
    out = joined.rename(columns={"value": "target", "std_all": "estimate"})
    out["difference"] = out["estimate"] - out["target"]
    return out[["channel", "parameter", "target", "estimate", "difference", "pvalue"]]


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


def _with_label(desc: str, outcome: str, predictor: str, label: str) -> str:
    """``desc`` with the regression ``outcome ~ predictor`` labelled ``label``."""
    pattern = re.compile(rf"^(\s*{re.escape(outcome)}\s*~(?!~)\s*)(.*)$", flags=re.MULTILINE)
    match = pattern.search(desc)
    if not match:
        raise ValueError(f"the model has no regression line for {outcome!r}")
    terms = [t.strip() for t in match.group(2).split("+")]
    if predictor not in terms:
        raise ValueError(f"the model has no path {outcome} ~ {predictor}")
    terms = [f"{label}*{t}" if t == predictor else t for t in terms]
    return desc[:match.start()] + match.group(1) + " + ".join(terms) + desc[match.end():]


def equality_tests(employees: pd.DataFrame, desc: str = models.LATENT_SEM) -> pd.DataFrame:
    """Likelihood-ratio tests, in the latent model, of each key path held equal across channels
    (against the model with every path free): one row per path with est_retail_store,
    est_contact_center, chi2_diff, df_diff, pvalue."""
    _check_employees(employees)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sem.SemWarning)
        free = sem.fit_groups(desc, employees, "channel")
        rows = []
        for path, (outcome, predictor) in {"H1: CONF ~ INF": ("CONF", "INF"), "H2 (b): CONF ~ USAT": ("CONF", "USAT"),
                                           "H2 (a): USAT ~ INF": ("USAT", "INF"),
                                           "H3: CSAT ~ CONF": ("CSAT", "CONF")}.items():
            held = sem.fit_groups(_with_label(desc, outcome, predictor, "p"), employees, "channel", equal=["p"])
            test = sem.lr_test(held, free)
            est = free.estimates[(free.estimates["op"] == "~") & (free.estimates["lhs"] == outcome)
                                 & (free.estimates["rhs"] == predictor)].set_index("group")["est"]
            rows.append({"path": path, **{f"est_{c}": float(est[c]) for c in CHANNELS},
                         "chi2_diff": test["chi2_diff"], "df_diff": int(test["df_diff"]), "pvalue": test["pvalue"]})
    return pd.DataFrame(rows).set_index("path")
