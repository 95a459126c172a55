"""From customers' answers to employee-level scores: agreement, reliability of means, nesting.

Customers rate the employee who served them, so customers are nested in employees. Averaging
their answers per employee is justified when the employee accounts for a real share of the
variance (ICC(1)), when the mean of an employee's customers is a reliable score (ICC(2)) and,
for the classic agreement argument, when the customers of one employee agree (r_wg(j)):

- ICC(1) = τ² / (τ² + σ²), from a random-intercept model fitted by REML with statsmodels'
  ``MixedLM`` (τ² between employees, σ² within);
- ICC(2) = τ² / (τ² + σ² / k̄), the reliability of an employee's mean over k̄ customers (the
  Spearman-Brown step-up of ICC(1); k̄ is the mean number of customers per employee);
- r_wg(j) (James, Demaree & Wolf 1984) for a J-item scale of A points: with s̄² the mean of the
  item variances among one employee's customers and σ²_E = (A² − 1)/12 the variance of a
  uniform "no agreement" answer, r_wg(j) = J(1 − s̄²/σ²_E) / [J(1 − s̄²/σ²_E) + s̄²/σ²_E];
  set to 0 when s̄² > σ²_E (more disagreement than random answering), as is usual.

:func:`employee_data` builds the analysis sample: employees who answered both waves, with their
customers' item means and the scale scores (item means). :func:`nesting_comparison` shows what
goes wrong when a customer-level analysis ignores that customers share an employee.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf
from statsmodels.tools.sm_exceptions import ConvergenceWarning

from utils import _checks as check
from utils.infusion.population import CHANNELS
from utils.infusion.simulate import CUSTOMER_COLUMNS, EMPLOYEE_COLUMNS, ITEMS, Study

__all__ = ["SCALE_POINTS", "RWG_CUTOFF", "scale_scores", "answer_shares", "employee_data", "icc", "icc_table", "rwg_j",
           "agreement_table", "nesting_comparison"]

SCALE_POINTS = 7
# The conventional cut-off for "enough agreement" (James, Demaree & Wolf 1984 and later practice).
RWG_CUTOFF = 0.70
CUSTOMER_CONSTRUCTS = ("conf", "csat")


def _check_study(study: Study) -> None:
    if not isinstance(study, Study):
        raise ValueError(f"study must be a Study (from simulate_study or load_study), got {type(study).__name__}")
    check.columns(study.employees, EMPLOYEE_COLUMNS, "study.employees")
    check.columns(study.customers, CUSTOMER_COLUMNS, "study.customers")
    unknown = sorted(set(study.customers["employee_id"]) - set(study.employees["employee_id"]))
    if unknown:
        raise ValueError(f"study.customers names {len(unknown)} employee(s) not in study.employees, "
                         f"e.g. {unknown[:3]}")
    answers = study.customers[[i for c in CUSTOMER_CONSTRUCTS for i in ITEMS[c]]]
    if answers.isna().any().any():
        bad = answers.columns[answers.isna().any()].tolist()
        raise ValueError(f"study.customers has missing answers in {bad}")
    if not study.likert:  # continuous latent responses (simulate_study(likert=False)) have no range
        return
    for frame, name, items in ((study.customers, "study.customers", answers.columns),
                               (study.employees, "study.employees", [*ITEMS["infusion"], *ITEMS["usat"]])):
        values = frame[list(items)]
        rows, cols = np.nonzero(((values < 1) | (values > SCALE_POINTS)).to_numpy())
        if len(rows):
            row, column, value = values.index[rows[0]], values.columns[cols[0]], values.iat[rows[0], cols[0]]
            raise ValueError(f"{name} has answers outside 1-{SCALE_POINTS}: {column} = {value:g} in row {row}")


def scale_scores(frame: pd.DataFrame, constructs: tuple[str, ...] = ("infusion", "usat", "conf", "csat")) -> pd.DataFrame:
    """``frame`` with one column per construct added: the mean of its three items (``infusion`` from
    inf1-inf3, …). Raises a ValueError naming missing item columns."""
    check.columns(frame, [i for c in constructs for i in ITEMS[c]], "the data")
    return frame.assign(**{c: frame[list(ITEMS[c])].mean(axis=1, skipna=False) for c in constructs})


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
        raise ValueError(f"{int(incomplete.sum())} employee(s) marked wave2 = 1 lack wave-2 answers, "
                         f"e.g. {employees.loc[incomplete, 'employee_id'].iloc[0]}")
    out = employees.drop(columns="wave2").merge(means, left_on="employee_id", right_index=True, how="left")
    out["n_customers"] = out["n_customers"].fillna(0).astype(int)
    out = out[out["n_customers"] >= min_customers]
    out = out.assign(log_tenure=np.log(out["tenure_months"]), log_contacts=np.log(out["monthly_contacts"]))
    return scale_scores(out).reset_index(drop=True)


def icc(frame: pd.DataFrame, value: str, group: str = "employee_id") -> pd.Series:
    """ICC(1) and ICC(2) of column ``value`` in ``frame`` (one row per rater, ``group`` naming the
    rated unit), from a random-intercept model fitted by REML (statsmodels ``MixedLM``).
    Returns tau2 (between), sigma2 (within), icc1, icc2, mean_k (raters per unit), n_groups,
    n. Raises a ValueError for missing columns or values, fewer than two groups, a group with one
    rater only, or a fit that does not converge."""
    check.columns(frame, [value, group], "the data")
    if frame[[value, group]].isna().any().any():
        raise ValueError(f"icc: missing values in {value!r} or {group!r}")
    sizes = frame.groupby(group).size()
    if len(sizes) < 2:
        raise ValueError(f"icc: {group!r} has {len(sizes)} group(s); the ICC needs at least two")
    if sizes.min() < 2:
        raise ValueError(f"icc: {int((sizes < 2).sum())} group(s) of {group!r} have a single rater, "
                         f"e.g. {sizes[sizes < 2].index[0]!r}; drop them first")
    with warnings.catch_warnings():
        # statsmodels 0.15's gradient optimizers fail on these data (bfgs stops unconverged,
        # lbfgs "converges" to tau2 = 0 where the ANOVA estimate is clearly positive); Powell's
        # derivative-free search finds the REML optimum (tests check it against ANOVA).
        warnings.simplefilter("ignore", ConvergenceWarning)
        data = frame[[value, group]].reset_index(drop=True)
        result = smf.mixedlm(f"Q('{value}') ~ 1", data, groups=group).fit(reml=True, method="powell")
    if not result.converged:
        raise ValueError(f"icc: the mixed model for {value!r} did not converge")
    tau2 = float(result.cov_re.iloc[0, 0])
    sigma2 = float(result.scale)
    k = float(sizes.mean())
    return pd.Series({"tau2": tau2, "sigma2": sigma2, "icc1": tau2 / (tau2 + sigma2),
                      "icc2": tau2 / (tau2 + sigma2 / k), "mean_k": k, "n_groups": len(sizes), "n": len(frame)})


def _customers_with_channel(study: Study, sample: pd.DataFrame | None) -> pd.DataFrame:
    ids = sample["employee_id"] if sample is not None else study.employees["employee_id"]
    channel = study.employees.set_index("employee_id")["channel"]
    customers = study.customers[study.customers["employee_id"].isin(ids)]
    return scale_scores(customers.assign(channel=customers["employee_id"].map(channel).to_numpy()),
                        CUSTOMER_CONSTRUCTS)


def icc_table(study: Study) -> pd.DataFrame:
    """ICC(1), ICC(2) and r_wg(j) summaries of the customer-rated scales (conf, csat), by channel,
    in the analysis sample (:func:`employee_data`): one row per channel and scale with the
    columns of :func:`icc` plus rwg_mean, rwg_median and rwg_share_ok (share of employees with
    r_wg(j) ≥ RWG_CUTOFF)."""
    _check_study(study)
    customers = _customers_with_channel(study, employee_data(study))
    rows = []
    for channel in CHANNELS:
        part = customers[customers["channel"] == channel]
        for construct in CUSTOMER_CONSTRUCTS:
            agreement = rwg_j(part, ITEMS[construct])
            rows.append({"channel": channel, "scale": construct, **icc(part, construct).to_dict(),
                         "rwg_mean": float(agreement.mean()), "rwg_median": float(agreement.median()),
                         "rwg_share_ok": float((agreement >= RWG_CUTOFF).mean())})
    return pd.DataFrame(rows)


def rwg_j(frame: pd.DataFrame, items: tuple[str, ...] | list[str], group: str = "employee_id", *,
          scale_points: int = SCALE_POINTS) -> pd.Series:
    """r_wg(j) of the ``items`` (a J-item scale of ``scale_points`` points) for every value of
    ``group``, against the uniform null (σ²_E = (A² − 1)/12); 0 where the customers disagree
    more than random answering would. A Series indexed by group. Raises a ValueError for missing
    columns or values and for groups with fewer than two raters (no variance)."""
    items = list(items)
    check.columns(frame, [*items, group], "the data")
    scale_points = check.whole("scale_points", scale_points, 2)
    if frame[items].isna().any().any():
        raise ValueError(f"rwg_j: missing values in {items}")
    sizes = frame.groupby(group).size()
    if sizes.min() < 2:
        raise ValueError(f"rwg_j: {int((sizes < 2).sum())} group(s) have a single rater, e.g. {sizes.idxmin()!r}")
    null_variance = (scale_points**2 - 1) / 12
    ratio = frame.groupby(group)[items].var(ddof=1).mean(axis=1) / null_variance
    j = len(items)
    agreement = j * (1 - ratio) / (j * (1 - ratio) + ratio)
    return agreement.where(ratio <= 1, 0.0).rename("rwg_j")


def agreement_table(study: Study) -> pd.DataFrame:
    """r_wg(j) of conf and csat for every employee of the analysis sample: employee_id, channel,
    scale, rwg_j (a tidy table for plotting)."""
    _check_study(study)
    customers = _customers_with_channel(study, employee_data(study))
    frames = []
    for construct in CUSTOMER_CONSTRUCTS:
        values = rwg_j(customers, ITEMS[construct])
        channel = customers.groupby("employee_id")["channel"].first()
        frames.append(pd.DataFrame({"employee_id": values.index, "channel": channel.reindex(values.index).to_numpy(),
                                    "scale": construct, "rwg_j": values.to_numpy()}))
    return pd.concat(frames, ignore_index=True)


def nesting_comparison(study: Study, channel: str, *, outcome: str = "conf", predictor: str = "infusion") -> pd.DataFrame:
    """The effect of an employee's ``predictor`` score on customers' ``outcome`` in ``channel``,
    estimated four ways on the same analysis sample: customer-level OLS that treats every customer
    as independent ("ignores nesting"), the same OLS with standard errors clustered by employee,
    a random-intercept mixed model (REML), and employee-level OLS on the customers' mean. Returns
    one row per method with estimate, se, ci_low, ci_high (95%), n (rows analysed) and
    se_ratio (se over the clustered se)."""
    _check_study(study)
    if channel not in CHANNELS:
        raise ValueError(f"channel must be one of {list(CHANNELS)}, got {channel!r}")
    if outcome not in CUSTOMER_CONSTRUCTS or predictor not in ("infusion", "usat"):
        raise ValueError(f"outcome must be one of {list(CUSTOMER_CONSTRUCTS)} and predictor 'infusion' or 'usat'; "
                         f"got {outcome!r}, {predictor!r}")
    employees = employee_data(study)
    employees = employees[employees["channel"] == channel]
    customers = _customers_with_channel(study, employees)
    long = customers.merge(employees[["employee_id", predictor]], on="employee_id")
    formula = f"{outcome} ~ {predictor}"
    fits = {
        "customers, OLS (ignores nesting)": smf.ols(formula, long).fit(),
        "customers, OLS, SEs clustered by employee": smf.ols(formula, long).fit(
            cov_type="cluster", cov_kwds={"groups": pd.factorize(long["employee_id"])[0]}),
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fits["customers, random-intercept mixed model"] = smf.mixedlm(
            formula, long.reset_index(drop=True), groups="employee_id").fit(reml=True, method="powell")
    fits["employees, OLS on customers' means"] = smf.ols(formula, employees).fit()
    rows = []
    for method, result in fits.items():
        low, high = result.conf_int().loc[predictor]
        rows.append({"method": method, "estimate": float(result.params[predictor]),
                     "se": float(result.bse[predictor]), "ci_low": float(low), "ci_high": float(high),
                     "n": int(result.nobs)})
    table = pd.DataFrame(rows)
    table["se_ratio"] = table["se"] / table.loc[1, "se"]
    return table


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
