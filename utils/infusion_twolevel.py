"""The infusion-use study without aggregation: customers nested in employees (chapter 35).

The study, like chapters 31-34, averages each employee's customers and fits an employee-level
model. Here every customer is a row and the model has two levels (``utils.sem.fit_twolevel``):

- **within employees** (level 1): a customer's confirmation and satisfaction as deviations from
  their employee's mean, each measured by its three items (factors ``CONF_W``, ``CSAT_W``), with
  confirmation raising satisfaction;
- **between employees** (level 2): the employee-level model of chapter 33
  (``utils.infusion.models.LATENT_SEM``): infusion use and user satisfaction (the employee's
  own answers, between-only variables), confirmation and satisfaction (the between-employee
  part of the customers' answers: the employee's true customer mean, free of the sampling noise
  of averaging a few customers), and the archival controls.

The data are the book's simulated study (``utils.infusion.simulate``): nothing here is an
estimate of Chen et al., whose data are not public and whose sources print no estimate.

- :data:`MODEL`: the chapter's model; the between-level residual variances of the six customer
  items are fixed at 0 (in the population an employee's mean of an item is the factor plus the
  averaged customers' noise, which the within level already holds; left free they estimate at
  about 0, some below: Heywood cases). :data:`MODEL_FREE`: lavaan's defaults, all free.
- :func:`customer_data`: one row per customer of the analysis sample, with the employee's
  variables.
- :func:`fit_channels`: the two-level model in each channel.
- :func:`aggregation_costs`: what averaging does to the population's standardized paths
  (ICC(2) attenuation), from the population model.
- :func:`path_comparison`: population, aggregated expectation, the single-level estimate on
  employee means and the two-level estimate, side by side.
- :func:`hypothesis_tests`: H1-H3 on the two-level model with Monte Carlo intervals,
  equivalence tests for the null verdicts and one-sided tests of the channel differences.
- :func:`conflation`: what a customer-level regression and a regression on employee means
  estimate when the within- and between-employee effects differ.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from utils import _checks as check
from utils import inference, sem
from utils.infusion import aggregation, hypotheses, models, population
from utils.infusion.population import CHANNELS
from utils.infusion.simulate import ITEMS, Study
from utils._checks import validated
from utils.errors import InputError

__all__ = [
    "WITHIN", "MODEL", "MODEL_FREE", "CUSTOMER_ITEMS", "EMPLOYEE_COLUMNS", "PATHS", "EFFECTS", "EQUIVALENCE_BOUND",
    "MC_DRAWS", "MC_SEED", "customer_data", "fit_channels", "with_label", "aggregation_costs", "path_comparison",
    "hypothesis_tests", "conflation", "attenuation_curve",
]

# The within-employee model: customers' confirmation and satisfaction as deviations from their
# employee's mean.
WITHIN = """CONF_W =~ conf1 + conf2 + conf3
CSAT_W =~ csat1 + csat2 + csat3
CSAT_W ~ CONF_W"""
CUSTOMER_ITEMS = (*ITEMS["conf"], *ITEMS["csat"])
_ZERO_BETWEEN = "\n".join(f"{item} ~~ 0*{item}" for item in CUSTOMER_ITEMS)
MODEL_FREE = f"level: 1\n{WITHIN}\nlevel: 2\n{models.LATENT_SEM}"
MODEL = f"{MODEL_FREE}\n{_ZERO_BETWEEN}"
# The employee's variables each customer row carries (between-only variables of the model).
EMPLOYEE_COLUMNS = (*ITEMS["infusion"], *ITEMS["usat"], *models.CONTROLS)
# Between-level regression paths (outcome, predictor) → the population model's parameter name.
PATHS: dict[tuple[str, str], str] = {
    ("INF", "log_tenure"): "tenure_infusion", ("USAT", "INF"): "infusion_usat", ("CONF", "INF"): "infusion_conf",
    ("CONF", "USAT"): "usat_conf", ("CONF", "log_tenure"): "tenure_conf", ("CONF", "log_contacts"): "contacts_conf",
    ("CSAT", "CONF"): "conf_csat", ("CSAT", "log_contacts"): "contacts_csat",
}
# H1-H3: the effect each hypothesis compares, as a chain of between-level variables.
EFFECTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "direct": ("H1", ("INF", "CONF")),
    "indirect": ("H2", ("INF", "USAT", "CONF")),
    "conf_csat": ("H3", ("CONF", "CSAT")),
}
# The equivalence bound for a null verdict, in standardized units (an effect of less than a
# tenth of a standard deviation per standard deviation counts as no effect). The sources give no
# bound: this is the book's assumption, the "small" correlation of Cohen's conventions.
EQUIVALENCE_BOUND = 0.10
MC_DRAWS = 20_000
MC_SEED = 35


@validated
def customer_data(study: Study) -> pd.DataFrame:
    """One row per customer of the analysis sample (the employees of
    ``aggregation.employee_data(study)``: answered both waves, at least seven customers), in
    the order of ``study.customers``: customer_id, employee_id, channel, the six customer items
    and the employee's infusion-use and user-satisfaction items and logged controls."""
    if not isinstance(study, Study):
        raise InputError(f"study must be a utils.infusion.simulate.Study, got {type(study).__name__}")
    employees = aggregation.employee_data(study)
    keep = ["employee_id", "channel", *EMPLOYEE_COLUMNS]
    customers = study.customers[study.customers["employee_id"].isin(employees["employee_id"])]
    out = customers[["customer_id", "employee_id", *CUSTOMER_ITEMS]].merge(employees[keep], on="employee_id",
                                                                          how="left", validate="many_to_one")
    return out[["customer_id", "employee_id", "channel", *CUSTOMER_ITEMS, *EMPLOYEE_COLUMNS]].reset_index(drop=True)


@validated
def fit_channels(customers: pd.DataFrame, desc: str = MODEL) -> dict[str, sem.TwoLevelFit]:
    """The two-level model ``desc`` fitted in each channel: {channel: TwoLevelFit}."""
    check.columns(customers, ["employee_id", "channel"], "customers")
    return {channel: sem.fit_twolevel(desc, customers[customers["channel"] == channel], "employee_id")
            for channel in CHANNELS}


@validated
def with_label(desc: str, outcome: str, predictor: str, label: str) -> str:
    """``desc`` with its (only) regression line ``outcome ~ …`` labelling ``predictor``:
    ``with_label(MODEL, "CONF", "INF", "h1")`` writes ``CONF ~ h1*INF + …``."""
    lines = desc.splitlines()
    at = [i for i, line in enumerate(lines) if line.strip().startswith(f"{outcome} ~ ")]
    if len(at) != 1:
        raise InputError(f"the model must have exactly one regression line for {outcome!r}, it has {len(at)}")
    left, right = lines[at[0]].split("~", 1)
    terms = [t.strip() for t in right.split("+")]
    if predictor not in terms:
        raise InputError(f"the model has no path {outcome} ~ {predictor}")
    lines[at[0]] = f"{left.rstrip()} ~ " + " + ".join(f"{label}*{t}" if t == predictor else t for t in terms)
    return "\n".join(lines)


# --------------------------------------------------------------------------- what aggregation costs


@validated
def aggregation_costs(table: pd.DataFrame | None = None) -> pd.DataFrame:
    """What averaging customers does to the population's standardized paths, per channel.

    For each structural path: ``population`` (the standardized path among the employee-level
    constructs, ``population.targets(aggregated=False)``), ``aggregated`` (what an analysis of
    customers' means estimates, ``aggregated=True``: the means carry the customers' own
    deviations), their ``ratio``, and the reliability of an employee's mean of confirmation,
    ``icc2`` = τ² / (τ² + σ² E[1/k]) (the population's ICC(1), k customers as the design draws
    them): a path *into* confirmation shrinks by exactly √ICC(2). Ignores the 1-7 rounding and
    the response styles. ``table`` defaults to the book's population."""
    table = population.load_population() if table is None else population.validate_population(table)
    true = population.targets(table, aggregated=False)
    agg = population.targets(table, aggregated=True)
    for frame in (true, agg):  # a path of 0 comes out as ±1e-17 from the matrix algebra
        frame["value"] = frame["value"].where(frame["value"].abs() > 1e-12, 0.0)
    out = true.rename(columns={"value": "population", "r2": "r2_population"}).merge(
        agg.rename(columns={"value": "aggregated", "r2": "r2_aggregated"}),
        on=["channel", "predictor", "outcome", "parameter"])
    icc2 = {}
    for channel in CHANNELS:
        p = population.parameters(table, channel)
        inv_k = population.mean_inverse_customers(p["min_customers"], p["extra_customers_mean"])
        icc2[channel] = p["icc_conf"] / (p["icc_conf"] + (1 - p["icc_conf"]) * inv_k)
    out["ratio"] = out["aggregated"] / out["population"].where(out["population"] != 0)  # NaN for a zero path
    out["icc2_conf"] = out["channel"].map(icc2)
    out["sqrt_icc2_conf"] = np.sqrt(out["icc2_conf"])
    return out[["channel", "parameter", "predictor", "outcome", "population", "aggregated", "ratio",
                "icc2_conf", "sqrt_icc2_conf"]]


@validated(max_customers=(1, 100_000))
def attenuation_curve(icc1: tuple[float, ...] = (0.1, 0.25, 0.5), max_customers: int = 40) -> pd.DataFrame:
    """√ICC(2) = √(ICC(1) / (ICC(1) + (1 − ICC(1)) / k)) for k = 1 … ``max_customers`` customers per
    employee and each ICC(1): the factor by which a standardized path into an employee mean
    shrinks. Columns customers, icc1, icc2, factor."""
    max_customers = check.whole("max_customers", max_customers, 1)
    rows = []
    for icc in icc1:
        icc = check.number("icc1", icc)
        if not 0 < icc < 1:
            raise InputError(f"every icc1 must lie strictly between 0 and 1, got {icc:g}")
        for k in range(1, max_customers + 1):
            icc2 = icc / (icc + (1 - icc) / k)
            rows.append({"customers": k, "icc1": icc, "icc2": icc2, "factor": float(np.sqrt(icc2))})
    return pd.DataFrame(rows)


def _standardized_paths(fit: sem.TwoLevelFit, n_draws: int, seed: int, level: float) -> pd.DataFrame:
    chains = [(predictor, outcome) for (outcome, predictor) in PATHS]
    table = fit.indirect_effects(chains, at=2, n_draws=n_draws, seed=seed, standardized=True, level=level)
    table["outcome"] = [c.split(" → ")[1] for c in table["chain"]]
    table["predictor"] = [c.split(" → ")[0] for c in table["chain"]]
    table["parameter"] = [PATHS[(o, p)] for o, p in zip(table["outcome"], table["predictor"])]
    return table


@validated
def path_comparison(two_level: dict[str, sem.TwoLevelFit], single_level: dict[str, sem.SemFit],
                    table: pd.DataFrame | None = None, *, n_draws: int = MC_DRAWS, seed: int = MC_SEED,
                    level: float = 0.95) -> pd.DataFrame:
    """The standardized between-employee paths four ways, per channel and path: ``population``
    and ``aggregated`` (:func:`aggregation_costs`), ``single_level`` (chapter 33's latent model
    on employee means, ``hypotheses.latent_fits``) and ``two_level`` (the between level of
    :func:`fit_channels`), with the two-level Monte Carlo interval ``ci_low``, ``ci_high`` at
    ``level`` (standardized paths drawn from the estimates' sampling distribution)."""
    costs = aggregation_costs(table)
    single = hypotheses.latent_paths(single_level)
    rows = []
    for channel in CHANNELS:
        paths = _standardized_paths(two_level[channel], n_draws, seed, level).set_index("parameter")
        one = single[single["channel"] == channel].set_index(["lhs", "rhs"])["std_all"]
        for (outcome, predictor), name in PATHS.items():
            cost = costs[(costs["channel"] == channel) & (costs["parameter"] == name)].iloc[0]
            rows.append({"channel": channel, "parameter": name, "path": f"{outcome} ~ {predictor}",
                         "population": cost["population"], "aggregated": cost["aggregated"],
                         "single_level": float(one[(outcome, predictor)]),
                         "two_level": paths.loc[name, "estimate"], "ci_low": paths.loc[name, "ci_low"],
                         "ci_high": paths.loc[name, "ci_high"]})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- H1-H3


def _equivalence(draws: np.ndarray, bound: float, alpha: float) -> tuple[str, float, float]:
    """TOST from Monte Carlo draws: equivalent when the (1 − 2α) percentile interval lies inside
    (−bound, bound). Not shown equivalent when an end lies outside its bound by more than
    inference.MARGIN Monte Carlo standard errors (no other seed would change that); otherwise
    borderline when an end lies within that margin of its bound."""
    low, high = np.quantile(draws, [alpha, 1 - alpha])
    margin = inference.MARGIN
    ends = ((low + bound, inference.quantile_mcse(draws, alpha)),  # > 0 when the lower end is inside
            (bound - high, inference.quantile_mcse(draws, 1 - alpha)))  # > 0 when the upper end is inside
    if any(gap < 0 and -gap >= margin * se for gap, se in ends):  # an end clearly outside: no seed flips it
        label = "not shown equivalent"
    elif any(abs(gap) < margin * se for gap, se in ends):
        label = "borderline"
    else:
        label = "equivalent to 0"
    return label, float(low), float(high)


@validated
def hypothesis_tests(fits: dict[str, sem.TwoLevelFit], *, n_draws: int = MC_DRAWS, seed: int = MC_SEED,
                     bound: float = EQUIVALENCE_BOUND, alpha: float = 0.05) -> pd.DataFrame:
    """H1-H3 on the between level of the two-level model, in standardized units.

    Each effect (:data:`EFFECTS`) is drawn ``n_draws`` times per channel from the estimates'
    normal sampling distribution (the channels' fits are independent, so are their draws).
    Per channel: the estimate, the two-sided (1 − α) percentile interval and its verdict
    (``inference.interval_verdict``: "supported" = the interval excludes 0; "borderline" when an
    end lies within 3 Monte Carlo standard errors of 0), two-sided because the source reports
    significance in each channel without a direction; and the equivalence test (TOST at α: the
    (1 − 2α) interval inside ±``bound``), which a "not significant" result needs before it counts
    as reproduced. The difference (hypothesized channel − other, as ``hypotheses.HYPOTHESIZED``):
    one-sided at α, because each hypothesis names the stronger channel: supported when the lower
    end of the (1 − 2α) interval lies above 0. Returns one row per hypothesis and channel
    (and "difference"): hypothesis, effect, channel, estimate, ci_low, ci_high (the two-sided
    interval, or the one-sided bound and +inf for differences), mcse (of the deciding end),
    verdict, tost_low, tost_high, equivalence (per channel), published, reproduced."""
    if not isinstance(n_draws, (int, np.integer)) or n_draws < 1000:
        raise InputError(f"n_draws must be a whole number of at least 1000, got {n_draws!r}")
    bound = check.positive("bound", bound)
    published = hypotheses.load_published().set_index(["hypothesis", "channel"])["published"]
    seeds = np.random.SeedSequence(seed).spawn(len(CHANNELS))
    draws, estimates = {}, {}
    for channel, child in zip(CHANNELS, seeds):
        chains = [chain for _, chain in EFFECTS.values()]
        frame = fits[channel].effect_draws(chains, at=2, n_draws=n_draws, seed=child, standardized=True)
        draws[channel], estimates[channel] = frame, frame.attrs["estimate"]
    rows = []
    for effect, (hypothesis, chain) in EFFECTS.items():
        name = " → ".join(chain)
        for channel in CHANNELS:
            values = draws[channel][name].to_numpy()
            low, high = np.quantile(values, [alpha / 2, 1 - alpha / 2])
            low_se, high_se = inference.quantile_mcse(values, alpha / 2), inference.quantile_mcse(values, 1 - alpha / 2)
            verdict = inference.interval_verdict(low, high, lower_mcse=low_se, upper_mcse=high_se, sided="two-sided",
                                                 test=f"{100 * (1 - alpha):g}% Monte Carlo interval, two-sided")
            label = {"supported": "significant, positive" if low > 0 else "significant, negative",
                     "not supported": "not significant", "borderline": "borderline"}[verdict.label]
            equivalence, tost_low, tost_high = _equivalence(values, bound, alpha)
            said = published.get((hypothesis, channel), "")
            reproduced = (label == "significant, positive" if said in ("significant", "positive")
                          else equivalence == "equivalent to 0" if said == "not significant" else None)
            rows.append({"hypothesis": hypothesis, "effect": effect, "channel": channel,
                         "estimate": estimates[channel][name], "ci_low": float(low), "ci_high": float(high),
                         "mcse": verdict.mcse, "verdict": label, "tost_low": tost_low, "tost_high": tost_high,
                         "equivalence": equivalence, "published": said, "reproduced": reproduced})
        strong = hypotheses.HYPOTHESIZED[hypothesis]
        weak = next(c for c in CHANNELS if c != strong)
        diff = draws[strong][name].to_numpy() - draws[weak][name].to_numpy()
        low = float(np.quantile(diff, alpha))
        low_se = inference.quantile_mcse(diff, alpha)
        verdict = inference.interval_verdict(low, float(np.max(diff)), lower_mcse=low_se, sided="greater",
                                             test=f"one-sided {100 * (1 - alpha):g}% Monte Carlo bound")
        label = {"supported": f"{strong} > {weak}", "not supported": "no significant difference",
                 "borderline": "borderline"}[verdict.label]
        said = published.get((hypothesis, "difference"), "")
        rows.append({"hypothesis": hypothesis, "effect": effect, "channel": "difference",
                     "estimate": estimates[strong][name] - estimates[weak][name], "ci_low": low, "ci_high": np.inf,
                     "mcse": low_se, "verdict": label, "tost_low": np.nan, "tost_high": np.nan, "equivalence": "",
                     "published": said, "reproduced": label == said})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- conflation


@validated
def conflation(b_within: float, b_between: float, icc_x: float, cluster_size: float) -> pd.DataFrame:
    """What three analyses estimate for the effect of x on y when customers (rows) are nested in
    employees and the effect differs within (``b_within``) and between (``b_between``)
    employees; ``icc_x`` is the share of x's variance between employees, ``cluster_size`` the
    customers per employee. With τ² and σ² x's between and within variances:

    - customer-level OLS, ignoring the nesting: (τ² b_B + σ² b_W) / (τ² + σ²), weights ICC(1);
    - OLS on employee means: (τ² b_B + σ²/k b_W) / (τ² + σ²/k), weights ICC(2) of x;
    - the two-level model: b_W within and b_B between, each on its own.

    Returns one row per analysis: analysis, estimates (the formula), weight_between."""
    b_w = check.number("b_within", b_within)
    b_b = check.number("b_between", b_between)
    icc = check.number("icc_x", icc_x)
    if not 0 < icc < 1:
        raise InputError(f"icc_x must lie strictly between 0 and 1, got {icc:g}")
    k = check.positive("cluster_size", cluster_size)
    icc2 = icc / (icc + (1 - icc) / k)
    rows = [("customers, OLS (ignores nesting)", icc), ("employee means, OLS", icc2),
            ("two-level, between employees", 1.0), ("two-level, within employees", 0.0)]
    return pd.DataFrame([{"analysis": a, "estimate": w * b_b + (1 - w) * b_w, "weight_between": w} for a, w in rows])
