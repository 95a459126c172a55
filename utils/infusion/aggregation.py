"""From customers' answers to employee-level scores: composition, reliability of means, agreement, nesting.

Customers rate the employee who served them, so customers are nested in employees. Each customer
rates *their own* encounter, not one shared object, so the employee-level score (the mean of
the employee's customers) is what Chan (1998) calls an **additive** composition: the employee's
average effect on the customers they serve. What justifies it is not that customers agree but
that employees differ (ICC(1) > 0, tested by the one-way ANOVA F test) and that the mean of k̄
customers is a reliable score for the employee (ICC(2)) (Bliese 2000). Agreement (r_wg(j)) is the
argument of a *consensus* composition (raters describing one shared object) and is reported
for comparison, with the nulls that make it meaningful on skewed satisfaction scales.

- ICC(1) = τ² / (τ² + σ²): :func:`icc` fits a random-intercept model by REML with statsmodels'
  ``MixedLM`` (τ² between employees, σ² within); :func:`icc_anova` uses the one-way ANOVA
  (Bliese 2000; what R's ``multilevel::ICC1`` computes): ICC(1) = (F − 1) / (F + n₀ − 1) with
  F = MSB / MSW and n₀ = (N − Σ n_j² / N) / (G − 1) the effective group size, and ICC(2) =
  1 − 1/F = (MSB − MSW) / MSB. The F test of "no differences between employees" (τ² = 0) is
  one-sided by nature: only MSB > MSW speaks against it.
- ICC(2) in :func:`icc` = τ² / (τ² + σ² / k̄), the reliability of an employee's mean over k̄
  customers (the Spearman-Brown step-up of ICC(1); k̄ is the mean number of customers).
- r_wg(j) (James, Demaree & Wolf 1984) for a J-item scale: with s̄² the mean of the item
  variances among one employee's customers and σ²_E the variance of an answer under "no
  agreement", r_wg(j) = J(1 − s̄²/σ²_E) / [J(1 − s̄²/σ²_E) + s̄²/σ²_E], set to 0 when
  s̄² > σ²_E. The *uniform* null, σ²_E = (A² − 1)/12 = 4 on a 7-point scale, assumes random
  answers would spread evenly over the scale; satisfaction answers never do (they pile up at
  the top), so against it even customers of interchangeable employees look as if they agreed.
  LeBreton & Senter (2008) tabulate skewed nulls (:data:`NULL_VARIANCES`), and **random-group
  resampling** (Bliese 2000; ``multilevel::rgr.agree``) takes the null from the data:
  :func:`random_group_agreement` reshuffles customers into pseudo-employees of the same sizes,
  so "no agreement" is what customers of *random* employees show.

:func:`employee_data` builds the analysis sample: employees who answered both waves, with their
customers' item means and the scale scores (item means). :func:`nesting_comparison` shows what
goes wrong when a customer-level analysis ignores that customers share an employee;
:func:`within_between` splits the customer-level confirmation → satisfaction slope into its
within- and between-employee parts (a Mundlak model).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats

from utils import _checks as check
from utils import inference
from utils._text import show
from utils.infusion.population import CHANNELS
from utils.infusion.simulate import CUSTOMER_COLUMNS, EMPLOYEE_COLUMNS, ITEMS, Study
from utils._checks import validated
from utils.errors import ConvergenceError, InputError

__all__ = ["SCALE_POINTS", "RWG_CUTOFF", "NULL_VARIANCES", "RANDOM_GROUPS", "scale_scores", "answer_shares",
           "employee_data", "icc", "icc_anova", "icc_table", "rwg_j", "random_group_agreement", "agreement_summary",
           "agreement_table", "nesting_comparison", "customer_scores", "within_between"]

SCALE_POINTS = 7
# The conventional cut-off for "enough agreement" (James, Demaree & Wolf 1984 and later practice).
RWG_CUTOFF = 0.70
CUSTOMER_CONSTRUCTS = ("conf", "csat")
# The variance of one answer on a 7-point scale when respondents do not agree, under the null
# distributions of LeBreton & Senter (2008), as tabulated in LeBreton's WGA package for R: the
# uniform (A² − 1)/12 and three distributions skewed towards one end of the scale, as the answers
# of mostly satisfied customers are.
NULL_VARIANCES: dict[str, float] = {"uniform": 4.00, "slight_skew": 2.90, "moderate_skew": 2.14, "heavy_skew": 1.39}
# Random-group resampling: each reshuffle is one set of pseudo-employees. With 1,000 the p-value's
# Monte Carlo SE is at most 0.016, and the null variance's below 0.001 on the book's data.
RANDOM_GROUPS = 1000


def _check_study(study: Study) -> None:
    if not isinstance(study, Study):
        raise InputError(f"study must be a Study (from simulate_study or load_study), got {type(study).__name__}")
    check.columns(study.employees, EMPLOYEE_COLUMNS, "study.employees")
    check.columns(study.customers, CUSTOMER_COLUMNS, "study.customers")
    unknown = sorted(set(study.customers["employee_id"]) - set(study.employees["employee_id"]))
    if unknown:
        raise InputError(f"study.customers names {len(unknown)} employee(s) not in study.employees, "
                         f"e.g. {unknown[:3]}")
    answers = study.customers[[i for c in CUSTOMER_CONSTRUCTS for i in ITEMS[c]]]
    if answers.isna().any().any():
        bad = answers.columns[answers.isna().any()].tolist()
        raise InputError(f"study.customers has missing answers in {bad}")
    if not study.likert:  # continuous latent responses (simulate_study(likert=False)) have no range
        return
    for frame, name, items in ((study.customers, "study.customers", answers.columns),
                               (study.employees, "study.employees", [*ITEMS["infusion"], *ITEMS["usat"]])):
        values = frame[list(items)]
        rows, cols = np.nonzero(((values < 1) | (values > SCALE_POINTS)).to_numpy())
        if len(rows):
            row, column, value = values.index[rows[0]], values.columns[cols[0]], values.iat[rows[0], cols[0]]
            raise InputError(f"{name} has answers outside 1-{SCALE_POINTS}: {column} = {value:g} in row {row}")


@validated
def scale_scores(frame: pd.DataFrame, constructs: tuple[str, ...] = ("infusion", "usat", "conf", "csat")) -> pd.DataFrame:
    """``frame`` with one column per construct added: the mean of its three items (``infusion`` from
    inf1-inf3, …). Raises a ValueError naming missing item columns."""
    check.columns(frame, [i for c in constructs for i in ITEMS[c]], "the data")
    return frame.assign(**{c: frame[list(ITEMS[c])].mean(axis=1, skipna=False) for c in constructs})


@validated
def employee_data(study: Study, *, min_customers: int = 7) -> pd.DataFrame:
    """The analysis sample, one row per employee who answered wave 2 and has at least
    ``min_customers`` customers: employee_id, channel, the archival controls (tenure_months,
    monthly_contacts and their logs log_tenure, log_contacts), inf1-inf3 and usat1-usat3 (the
    employee's answers), conf1-conf3 and csat1-csat3 (the means of the customers' answers),
    n_customers, and the scale scores infusion, usat, conf, csat."""
    _check_study(study)
    min_customers = check.whole("min_customers", min_customers, 1)
    customer_items = [i for c in CUSTOMER_CONSTRUCTS for i in ITEMS[c]]
    means = study.customers.groupby("employee_id")[customer_items].mean()
    means["n_customers"] = study.customers.groupby("employee_id").size()
    employees = study.employees[study.employees["wave2"] == 1]
    incomplete = employees[list(ITEMS["usat"])].isna().any(axis=1)
    if incomplete.any():
        raise InputError(f"{int(incomplete.sum())} employee(s) marked wave2 = 1 lack wave-2 answers, "
                         f"e.g. {employees.loc[incomplete, 'employee_id'].iloc[0]}")
    out = employees.drop(columns="wave2").merge(means, left_on="employee_id", right_index=True, how="left")
    out["n_customers"] = out["n_customers"].fillna(0).astype(int)
    out = out[out["n_customers"] >= min_customers]
    out = out.assign(log_tenure=np.log(out["tenure_months"]), log_contacts=np.log(out["monthly_contacts"]))
    return scale_scores(out).reset_index(drop=True)


def _smf():
    """statsmodels' formula API, imported when a regression is first fitted: chapter 32 uses this
    module's data helpers without fitting one, and the import (statsmodels, formulaic) is about
    0.4 s of CPU beyond what that chapter loads anyway (measured on a loaded 2-core machine)."""
    import statsmodels.formula.api as smf

    return smf


def _convergence_warning() -> type[Warning]:
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    return ConvergenceWarning


@validated
def icc(frame: pd.DataFrame, value: str, group: str = "employee_id") -> pd.Series:
    """ICC(1) and ICC(2) of column ``value`` in ``frame`` (one row per rater, ``group`` naming the
    rated unit), from a random-intercept model fitted by REML (statsmodels ``MixedLM``), with the
    F test of :func:`icc_anova`. Returns tau2 (between), sigma2 (within), icc1, icc2, mean_k
    (raters per unit), n_groups, n, f, df_between, df_within, pvalue. Raises InputError (a
    ValueError) for missing columns or values, fewer than two groups or a group with one rater
    only, and ConvergenceError (a RuntimeError) for a fit that does not converge. About a second
    per call (statsmodels' optimizer loops over the groups);
    :func:`icc_anova` gives the ANOVA estimates in milliseconds."""
    sizes = _groups(frame, value, group, "icc")
    with warnings.catch_warnings():
        # statsmodels 0.15's gradient optimizers fail on these data (bfgs stops unconverged,
        # lbfgs "converges" to tau2 = 0 where the ANOVA estimate is clearly positive); Powell's
        # derivative-free search finds the REML optimum (tests check it against ANOVA).
        warnings.simplefilter("ignore", _convergence_warning())
        data = frame[[value, group]].reset_index(drop=True)
        result = _smf().mixedlm(f"Q('{value}') ~ 1", data, groups=group).fit(reml=True, method="powell")
    if not result.converged:
        raise ConvergenceError(f"icc: the mixed model for {value!r} did not converge; icc_anova gives the "
                               "ANOVA estimates, which need no optimizer")
    tau2 = float(result.cov_re.iloc[0, 0])
    sigma2 = float(result.scale)
    k = float(sizes.mean())
    anova = icc_anova(frame, value, group)
    return pd.Series({"tau2": tau2, "sigma2": sigma2, "icc1": tau2 / (tau2 + sigma2),
                      "icc2": tau2 / (tau2 + sigma2 / k), "mean_k": k, "n_groups": len(sizes), "n": len(frame),
                      "f": anova["f"], "df_between": anova["df_between"], "df_within": anova["df_within"],
                      "pvalue": anova["pvalue"]})


def _groups(frame: pd.DataFrame, value: str, group: str, where: str) -> pd.Series:
    check.columns(frame, [value, group], "the data")
    if frame[[value, group]].isna().any().any():
        raise InputError(f"{where}: missing values in {value!r} or {group!r}")
    check.numeric(frame, [value], "the data")
    if frame[value].nunique() < 2 and len(frame):
        raise check.InputError(f"{where}: the column {value!r} is constant ({show(frame[value].iloc[0])} "
                               "everywhere); an intraclass correlation needs variation")
    sizes = frame.groupby(group).size()
    if len(sizes) < 2:
        raise InputError(f"{where}: {group!r} has {len(sizes)} group(s); it needs at least two")
    if sizes.min() < 2:
        raise InputError(f"{where}: {int((sizes < 2).sum())} group(s) of {group!r} have a single rater, "
                         f"e.g. {sizes[sizes < 2].index[0]!r}; drop them first")
    return sizes


@validated
def icc_anova(frame: pd.DataFrame, value: str, group: str = "employee_id") -> pd.Series:
    """ICC(1), ICC(2) and the F test of column ``value`` from the one-way ANOVA by ``group``
    (``scipy.stats.f_oneway``): icc1 = (F − 1)/(F + n₀ − 1), icc2 = 1 − 1/F (both may be
    negative when F < 1: no between-group variance), f, df_between, df_within, pvalue (of F,
    one-sided: H0 τ² = 0), n0 (the effective group size), mean_k, n_groups, n. Raises a
    ValueError for missing columns or values, fewer than two groups or a group with one rater."""
    sizes = _groups(frame, value, group, "icc_anova")
    values = frame[value].astype(float)
    if values.groupby(frame[group]).var(ddof=1).sum() == 0:
        raise InputError(f"icc_anova: {value!r} does not vary within any group; the F test is undefined")
    samples = [part.to_numpy() for _, part in values.groupby(frame[group])]
    f, pvalue = stats.f_oneway(*samples)
    n, g = len(values), len(sizes)
    n0 = (n - float((sizes**2).sum()) / n) / (g - 1)
    return pd.Series({"icc1": (f - 1) / (f + n0 - 1), "icc2": 1 - 1 / f, "f": float(f), "df_between": g - 1,
                      "df_within": n - g, "pvalue": float(pvalue), "n0": n0, "mean_k": float(sizes.mean()),
                      "n_groups": g, "n": n})


def _customers_with_channel(study: Study, sample: pd.DataFrame | None) -> pd.DataFrame:
    ids = sample["employee_id"] if sample is not None else study.employees["employee_id"]
    channel = study.employees.set_index("employee_id")["channel"]
    customers = study.customers[study.customers["employee_id"].isin(ids)]
    return scale_scores(customers.assign(channel=customers["employee_id"].map(channel).to_numpy()),
                        CUSTOMER_CONSTRUCTS)


@validated
def icc_table(study: Study) -> pd.DataFrame:
    """ICC(1) with its F test, ICC(2) and r_wg(j) (uniform null) summaries of the customer-rated
    scales (conf, csat), by channel, in the analysis sample (:func:`employee_data`): one row per
    channel and scale with the columns of :func:`icc_anova` plus rwg_mean, rwg_median and
    rwg_share_ok (share of employees with r_wg(j) ≥ RWG_CUTOFF under the uniform null; see
    :func:`agreement_summary` for the other nulls)."""
    _check_study(study)
    customers = _customers_with_channel(study, employee_data(study))
    rows = []
    for channel in CHANNELS:
        part = customers[customers["channel"] == channel]
        for construct in CUSTOMER_CONSTRUCTS:
            agreement = rwg_j(part, ITEMS[construct])
            rows.append({"channel": channel, "scale": construct, **icc_anova(part, construct).to_dict(),
                         "rwg_mean": float(agreement.mean()), "rwg_median": float(agreement.median()),
                         "rwg_share_ok": float((agreement >= RWG_CUTOFF).mean())})
    return pd.DataFrame(rows)


def _null_variance(null: str | float, scale_points: int) -> float:
    if isinstance(null, str):
        if null == "uniform":
            return (scale_points**2 - 1) / 12
        if null not in NULL_VARIANCES:
            raise InputError(f"null must be one of {list(NULL_VARIANCES)} or a variance (a positive number), "
                             f"got {null!r}")
        if scale_points != SCALE_POINTS:
            raise InputError(f"the skewed null {null!r} is tabulated for {SCALE_POINTS}-point scales only; "
                             f"for {scale_points} points pass its variance as a number")
        return NULL_VARIANCES[null]
    return check.positive("null (a null variance)", null)


@validated
def rwg_j(frame: pd.DataFrame, items: tuple[str, ...] | list[str], group: str = "employee_id", *,
          scale_points: int = SCALE_POINTS, null: str | float = "uniform") -> pd.Series:
    """r_wg(j) of the ``items`` (a J-item scale of ``scale_points`` points) for every value of
    ``group``, against the variance σ²_E of one answer under "no agreement": ``null`` is
    "uniform" ((A² − 1)/12), a skewed null of :data:`NULL_VARIANCES` (7-point scales), or a
    variance (e.g. ``random_group_agreement(...)["null_variance"]``). 0 where the customers
    disagree more than the null would. A Series indexed by group. Raises a ValueError for missing
    columns or values, an unknown null and groups with fewer than two raters (no variance)."""
    items = list(items)
    check.columns(frame, [*items, group], "the data")
    scale_points = check.whole("scale_points", scale_points, 2)
    null_variance = _null_variance(null, scale_points)
    if frame[items].isna().any().any():
        raise InputError(f"rwg_j: missing values in {items}")
    sizes = frame.groupby(group).size()
    if sizes.min() < 2:
        raise InputError(f"rwg_j: {int((sizes < 2).sum())} group(s) have a single rater, e.g. {sizes.idxmin()!r}")
    ratio = frame.groupby(group)[items].var(ddof=1).mean(axis=1) / null_variance
    j = len(items)
    agreement = j * (1 - ratio) / (j * (1 - ratio) + ratio)
    return agreement.where(ratio <= 1, 0.0).rename("rwg_j")


def _within_variances(codes: np.ndarray, sizes: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Within-group variances (ddof 1) of each column of ``values`` (rows × columns) for the
    integer group ``codes``: groups × columns."""
    out = np.empty((len(sizes), values.shape[1]))
    for j in range(values.shape[1]):
        total = np.bincount(codes, weights=values[:, j], minlength=len(sizes))
        squares = np.bincount(codes, weights=values[:, j] ** 2, minlength=len(sizes))
        out[:, j] = (squares - total**2 / sizes) / (sizes - 1)
    return out


@validated
def random_group_agreement(frame: pd.DataFrame, items: tuple[str, ...] | list[str], group: str = "employee_id", *,
                           n_random: int = RANDOM_GROUPS, seed: int = 0) -> pd.Series:
    """Random-group resampling (Bliese 2000; R's ``multilevel::rgr.agree``) for a J-item scale.

    The rows of ``frame`` (one per customer) are reshuffled ``n_random`` times among the values
    of ``group``, keeping every group's size: each reshuffle gives pseudo-groups whose members
    share nothing. Returns observed_variance (the mean over groups of the within-group variance
    of the scale score, the mean of ``items``), random_variance and random_sd (its mean and SD
    over the reshuffles), pvalue = (1 + #{random ≤ observed}) / (1 + n_random) (one-sided: real
    groups agree *more* than random ones when their variance is smaller), p_mcse (its Monte Carlo
    standard error), null_variance (the pseudo-groups' mean item variance: the σ²_E of r_wg(j)
    when "no agreement" means "no more than customers of random employees"), n_random and seed.
    ``seed`` seeds numpy's generator: the same seed gives the same numbers."""
    items = list(items)
    check.columns(frame, [*items, group], "the data")
    n_random = check.whole("n_random", n_random, 1)
    seed = check.whole("seed", seed, 0)
    if frame[items].isna().any().any():
        raise InputError(f"random_group_agreement: missing values in {items}")
    codes, _ = pd.factorize(frame[group], sort=True)
    sizes = np.bincount(codes).astype(float)
    if len(sizes) < 2 or sizes.min() < 2:
        raise InputError(f"random_group_agreement: {group!r} needs at least two groups of at least two rows")
    values = frame[items].to_numpy(dtype=float)
    values = np.column_stack([values, values.mean(axis=1)])  # the items, then the scale score
    observed = float(_within_variances(codes, sizes, values)[:, -1].mean())
    rng = np.random.default_rng(seed)
    random = np.empty(n_random)
    item_variance = np.empty(n_random)
    for b in range(n_random):
        within = _within_variances(rng.permutation(codes), sizes, values)
        random[b] = within[:, -1].mean()
        item_variance[b] = within[:, :-1].mean()
    pvalue = (1 + int(np.sum(random <= observed))) / (1 + n_random)
    return pd.Series({"observed_variance": observed, "random_variance": float(random.mean()),
                      "random_sd": float(random.std(ddof=1)) if n_random > 1 else float("nan"),
                      "pvalue": pvalue, "p_mcse": inference.p_mcse(pvalue, n_random),
                      "null_variance": float(item_variance.mean()), "n_random": n_random, "seed": seed})


@validated
def agreement_summary(study: Study, *, n_random: int = RANDOM_GROUPS, seed: int = 0) -> pd.DataFrame:
    """r_wg(j) of the customer-rated scales under every null, by channel and scale, in the analysis
    sample: one row per channel, scale and null (the four of :data:`NULL_VARIANCES` and
    "random_group", from :func:`random_group_agreement` with ``n_random`` reshuffles and
    ``seed``), with null_variance, rwg_median, rwg_mean, rwg_share_ok (share ≥ RWG_CUTOFF) and,
    for the random-group null, its permutation pvalue and p_mcse (NaN for the fixed nulls)."""
    _check_study(study)
    customers = _customers_with_channel(study, employee_data(study))
    rows = []
    for channel in CHANNELS:
        part = customers[customers["channel"] == channel]
        for construct in CUSTOMER_CONSTRUCTS:
            items = ITEMS[construct]
            resampled = random_group_agreement(part, items, n_random=n_random, seed=seed)
            nulls = {**NULL_VARIANCES, "random_group": resampled["null_variance"]}
            for null, variance in nulls.items():
                agreement = rwg_j(part, items, null=variance)
                random = null == "random_group"
                rows.append({"channel": channel, "scale": construct, "null": null, "null_variance": variance,
                             "rwg_median": float(agreement.median()), "rwg_mean": float(agreement.mean()),
                             "rwg_share_ok": float((agreement >= RWG_CUTOFF).mean()),
                             "pvalue": resampled["pvalue"] if random else np.nan,
                             "p_mcse": resampled["p_mcse"] if random else np.nan})
    return pd.DataFrame(rows)


@validated
def agreement_table(study: Study, *, null: str | float = "uniform", summary: pd.DataFrame | None = None,
                    n_random: int = RANDOM_GROUPS, seed: int = 0) -> pd.DataFrame:
    """r_wg(j) of conf and csat for every employee of the analysis sample against ``null`` (as in
    :func:`rwg_j`, or "random_group": each channel's and scale's null variance from
    :func:`random_group_agreement` with ``n_random`` and ``seed``, or read from ``summary``, the
    :func:`agreement_summary` of the same study, which saves reshuffling again): employee_id,
    channel, scale, rwg_j (a tidy table for plotting)."""
    _check_study(study)
    customers = _customers_with_channel(study, employee_data(study))
    if summary is not None:
        check.columns(summary, ["channel", "scale", "null", "null_variance"], "summary")
        summary = summary.set_index(["channel", "scale", "null"])["null_variance"]
    frames = []
    for channel in CHANNELS:
        part = customers[customers["channel"] == channel]
        for construct in CUSTOMER_CONSTRUCTS:
            if null == "random_group" and summary is not None:
                variance = float(summary[(channel, construct, "random_group")])
            elif null == "random_group":
                variance = random_group_agreement(part, ITEMS[construct], n_random=n_random, seed=seed)["null_variance"]
            else:
                variance = null
            values = rwg_j(part, ITEMS[construct], null=variance)
            frames.append(pd.DataFrame({"employee_id": values.index, "channel": channel, "scale": construct,
                                        "rwg_j": values.to_numpy()}))
    return pd.concat(frames, ignore_index=True)


@validated
def customer_scores(study: Study) -> pd.DataFrame:
    """The customers of the analysis sample (:func:`employee_data`), one row each: their items,
    employee_id, channel and the scale scores conf and csat (item means)."""
    _check_study(study)
    return _customers_with_channel(study, employee_data(study)).reset_index(drop=True)


@validated
def within_between(study: Study, channel: str, *, outcome: str = "csat", predictor: str = "conf") -> pd.DataFrame:
    """The customer-level slope of ``outcome`` on ``predictor`` in ``channel``, split into its
    within- and between-employee parts (a Mundlak model): with x̄_j the mean of employee j's
    customers, OLS of

        outcome ~ x_within + x_between,   x_within = x − x̄_j,  x_between = x̄_j

    on every customer of the analysis sample, standard errors clustered by employee. The
    coefficient of x_within compares customers of the *same* employee (expectation-confirmation
    theory is a customer-level theory); that of x_between compares employees (what H3 tested on
    employee means estimates); their difference is the contextual effect, tested two-sided
    (equality is the assumption, a difference either way breaks it). Returns one row per term
    (within, between, contextual = between − within) with estimate, se, z, pvalue, ci_low,
    ci_high (95 %), n (customers) and n_employees."""
    _check_study(study)
    if channel not in CHANNELS:
        raise InputError(f"channel must be one of {list(CHANNELS)}, got {channel!r}")
    if {outcome, predictor} != set(CUSTOMER_CONSTRUCTS):
        raise InputError(f"outcome and predictor must be the two customer scales {list(CUSTOMER_CONSTRUCTS)}, "
                         f"got {outcome!r} and {predictor!r}")
    customers = customer_scores(study)
    part = customers[customers["channel"] == channel].copy()
    part["x_between"] = part.groupby("employee_id")[predictor].transform("mean")
    part["x_within"] = part[predictor] - part["x_between"]
    clusters = pd.factorize(part["employee_id"])[0]
    result = _smf().ols(f"{outcome} ~ x_within + x_between", part).fit(cov_type="cluster",
                                                                       cov_kwds={"groups": clusters})
    contrast = result.t_test("x_between - x_within = 0")
    rows = []
    for term, estimate, se in (("within", result.params["x_within"], result.bse["x_within"]),
                               ("between", result.params["x_between"], result.bse["x_between"]),
                               ("contextual", float(np.squeeze(contrast.effect)), float(np.squeeze(contrast.sd)))):
        z = estimate / se
        rows.append({"term": term, "estimate": float(estimate), "se": float(se), "z": float(z),
                     "pvalue": float(2 * stats.norm.sf(abs(z))), "ci_low": float(estimate - 1.959963984540054 * se),
                     "ci_high": float(estimate + 1.959963984540054 * se), "n": len(part),
                     "n_employees": int(part["employee_id"].nunique())})
    return pd.DataFrame(rows)


@validated
def nesting_comparison(study: Study, channel: str, *, outcome: str = "conf", predictor: str = "infusion") -> pd.DataFrame:
    """The effect of an employee's ``predictor`` score on customers' ``outcome`` in ``channel``,
    estimated four ways on the same analysis sample: customer-level OLS that treats every customer
    as independent ("ignores nesting"), the same OLS with standard errors clustered by employee,
    a random-intercept mixed model (REML), and employee-level OLS on the customers' mean. Returns
    one row per method with estimate, se, ci_low, ci_high (95%), n (rows analysed) and
    se_ratio (se over the clustered se)."""
    _check_study(study)
    if channel not in CHANNELS:
        raise InputError(f"channel must be one of {list(CHANNELS)}, got {channel!r}")
    if outcome not in CUSTOMER_CONSTRUCTS or predictor not in ("infusion", "usat"):
        raise InputError(f"outcome must be one of {list(CUSTOMER_CONSTRUCTS)} and predictor 'infusion' or 'usat'; "
                         f"got {outcome!r}, {predictor!r}")
    employees = employee_data(study)
    employees = employees[employees["channel"] == channel]
    customers = _customers_with_channel(study, employees)
    long = customers.merge(employees[["employee_id", predictor]], on="employee_id")
    formula = f"{outcome} ~ {predictor}"
    fits = {
        "customers, OLS (ignores nesting)": _smf().ols(formula, long).fit(),
        "customers, OLS, SEs clustered by employee": _smf().ols(formula, long).fit(
            cov_type="cluster", cov_kwds={"groups": pd.factorize(long["employee_id"])[0]}),
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", _convergence_warning())
        fits["customers, random-intercept mixed model"] = _smf().mixedlm(
            formula, long.reset_index(drop=True), groups="employee_id").fit(reml=True, method="powell")
    fits["employees, OLS on customers' means"] = _smf().ols(formula, employees).fit()
    rows = []
    for method, result in fits.items():
        low, high = result.conf_int().loc[predictor]
        rows.append({"method": method, "estimate": float(result.params[predictor]),
                     "se": float(result.bse[predictor]), "ci_low": float(low), "ci_high": float(high),
                     "n": int(result.nobs)})
    table = pd.DataFrame(rows)
    table["se_ratio"] = table["se"] / table.loc[1, "se"]
    return table


@validated
def answer_shares(study: Study) -> pd.DataFrame:
    """The share of each answer 1-7 for every item (employees' items over the employees who
    answered them, customers' items over all customers): one row per item, columns 1..7."""
    _check_study(study)
    rows = {}
    for construct, items in ITEMS.items():
        frame = study.employees if construct in ("infusion", "usat") else study.customers
        for item in items:
            answers = frame[item].dropna()
            rows[item] = answers.value_counts(normalize=True).reindex(range(1, SCALE_POINTS + 1), fill_value=0.0)
    return pd.DataFrame(rows).T
