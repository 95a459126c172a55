"""Tests of utils/infusion/aggregation.py: ICC(1) and ICC(2) from statsmodels' mixed model
against the ANOVA formulas, the F test of ICC(1), r_wg(j) by hand under each null, random-group
resampling against its expectation, the employee-level analysis sample, what ignoring the
nesting of customers in employees does to standard errors, and the within/between split of H3's
slope against its closed form."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scipy import stats

from utils.infusion import aggregation, population, simulate


@pytest.fixture(scope="module")
def study() -> simulate.Study:
    return simulate.load_study()


def test_icc_equals_the_anova_estimate_in_a_balanced_design():
    """In a balanced design with a positive ANOVA estimate, REML gives τ² = (MSB − MSW)/k and
    σ² = MSW exactly; ICC(2) is then (MSB − MSW)/MSB."""
    rng = np.random.default_rng(4)
    groups, k = 60, 5
    effects = rng.normal(0, 0.7, groups)
    frame = pd.DataFrame({"g": np.repeat(np.arange(groups), k),
                          "y": np.repeat(effects, k) + rng.normal(0, 1, groups * k)})
    means = frame.groupby("g")["y"].mean()
    msb = k * means.var(ddof=1)
    msw = frame.groupby("g")["y"].var(ddof=1).mean()
    result = aggregation.icc(frame, "y", group="g")
    assert result["tau2"] == pytest.approx((msb - msw) / k, rel=1e-4)
    assert result["sigma2"] == pytest.approx(msw, rel=1e-4)
    assert result["icc2"] == pytest.approx((msb - msw) / msb, rel=1e-3)
    assert result["mean_k"] == k and result["n_groups"] == groups


def test_anova_icc_and_f_test_against_hand_formulas():
    """Unbalanced groups: F = MSB / MSW with the textbook mean squares, ICC(1) = (F − 1)/(F + n₀ − 1)
    with n₀ = (N − Σn²/N)/(G − 1), ICC(2) = (MSB − MSW)/MSB, p from the F(G − 1, N − G) tail."""
    rng = np.random.default_rng(8)
    sizes = rng.integers(3, 12, size=40)
    g = np.repeat(np.arange(40), sizes)
    frame = pd.DataFrame({"g": g, "y": rng.normal(0, 0.5, 40)[g] + rng.normal(0, 1, len(g))})
    groups = frame.groupby("g")["y"]
    n, k = len(frame), len(sizes)
    msb = float((sizes * (groups.mean() - frame["y"].mean()) ** 2).sum()) / (k - 1)
    msw = float(((frame["y"] - groups.transform("mean")) ** 2).sum()) / (n - k)
    n0 = (n - float((sizes**2).sum()) / n) / (k - 1)
    result = aggregation.icc_anova(frame, "y", group="g")
    assert result["f"] == pytest.approx(msb / msw, rel=1e-10)
    assert result["icc1"] == pytest.approx((msb - msw) / (msb + (n0 - 1) * msw), rel=1e-10)
    assert result["icc2"] == pytest.approx((msb - msw) / msb, rel=1e-10)
    assert result["pvalue"] == pytest.approx(stats.f.sf(msb / msw, k - 1, n - k), rel=1e-8)
    assert (result["df_between"], result["df_within"], result["n0"]) == (k - 1, n - k, pytest.approx(n0))


def test_icc_f_test_keeps_its_level_when_employees_do_not_differ():
    """No group effect: the F test rejects in about 5 % of 400 data sets (binomial SD 1.1 %)."""
    rng = np.random.default_rng(12)
    g = np.repeat(np.arange(30), 6)
    rejections = [aggregation.icc_anova(pd.DataFrame({"g": g, "y": rng.normal(size=len(g))}), "y", "g")["pvalue"] < 0.05
                  for _ in range(400)]
    assert 0.02 < np.mean(rejections) < 0.085


def test_icc_on_the_committed_data(study):
    """ANOVA (the table) and REML (statsmodels' MixedLM) agree on the committed data; the values
    are regression pins of the committed dataset."""
    table = aggregation.icc_table(study).set_index(["channel", "scale"])
    assert table.loc[("retail_store", "conf"), "icc1"] == pytest.approx(0.201, abs=1e-3)
    assert table.loc[("contact_center", "csat"), "icc2"] == pytest.approx(0.618, abs=1e-3)
    customers = aggregation.customer_scores(study)
    reml = aggregation.icc(customers[customers["channel"] == "retail_store"], "conf")
    assert reml["icc1"] == pytest.approx(table.loc[("retail_store", "conf"), "icc1"], abs=0.005)
    assert reml["pvalue"] == table.loc[("retail_store", "conf"), "pvalue"]
    # every scale: a real between-employee share, and a mean of ~8.5 customers reliable enough
    assert (table["icc1"] > 0.15).all() and (table["icc2"] > 0.6).all() and (table["pvalue"] < 1e-6).all()
    assert (table["rwg_median"] > aggregation.RWG_CUTOFF).all()


def test_rwg_by_hand():
    """Two employees, three items on a 7-point scale (σ²_E = 4). Employee a: item variances
    1, 1, 1 (s̄² = 1, ratio 0.25): r_wg(3) = 3·0.75 / (3·0.75 + 0.25) = 0.9. Employee b: the
    answers 1 and 7 on every item, variance 18 > 4: set to 0."""
    frame = pd.DataFrame({"employee_id": ["a", "a", "b", "b"],
                          "x1": [4, 5.414213562373095, 1, 7], "x2": [3, 4.414213562373095, 1, 7],
                          "x3": [5, 6.414213562373095, 7, 1]})
    agreement = aggregation.rwg_j(frame, ["x1", "x2", "x3"])
    assert agreement["a"] == pytest.approx(0.9, abs=1e-12)
    assert agreement["b"] == 0.0


def test_rwg_under_a_skewed_null_by_hand():
    """Employee a of test_rwg_by_hand (s̄² = 1) against the slightly skewed null 2.90: ratio
    1/2.9, r_wg(3) = 3(1 − 1/2.9) / (3(1 − 1/2.9) + 1/2.9) = 0.8507...; against a null variance
    of 0.9 (below s̄²): 0."""
    frame = pd.DataFrame({"employee_id": ["a", "a"], "x1": [4, 5.414213562373095], "x2": [3, 4.414213562373095],
                          "x3": [5, 6.414213562373095]})
    ratio = 1 / 2.9
    expected = 3 * (1 - ratio) / (3 * (1 - ratio) + ratio)
    assert aggregation.rwg_j(frame, ["x1", "x2", "x3"], null="slight_skew")["a"] == pytest.approx(expected, abs=1e-12)
    assert aggregation.rwg_j(frame, ["x1", "x2", "x3"], null=0.9)["a"] == 0.0
    with pytest.raises(ValueError, match="null must be one of"):
        aggregation.rwg_j(frame, ["x1", "x2", "x3"], null="skewed")
    with pytest.raises(ValueError, match="tabulated for 7-point scales only"):
        aggregation.rwg_j(frame, ["x1", "x2", "x3"], null="heavy_skew", scale_points=5)


def test_random_groups_estimate_the_total_variance_and_keep_their_level():
    """Pseudo-groups share nothing, so their mean within-group item variance (ddof 1) estimates
    each item's total variance; without a group effect the permutation p-value is not small, with
    one it is the smallest possible, 1/(1 + n_random)."""
    rng = np.random.default_rng(3)
    g = np.repeat(np.arange(80), 8)
    noise = rng.integers(1, 8, size=(len(g), 3)).astype(float)
    frame = pd.DataFrame({"g": g, "a": noise[:, 0], "b": noise[:, 1], "c": noise[:, 2]})
    result = aggregation.random_group_agreement(frame, ["a", "b", "c"], "g", n_random=400, seed=1)
    assert result["null_variance"] == pytest.approx(frame[["a", "b", "c"]].var(ddof=1).mean(), rel=0.01)
    assert result["pvalue"] > 0.01
    shifted = frame.assign(a=frame["a"] + 3 * (g % 2), b=frame["b"] + 3 * (g % 2), c=frame["c"] + 3 * (g % 2))
    strong = aggregation.random_group_agreement(shifted, ["a", "b", "c"], "g", n_random=400, seed=1)
    assert strong["pvalue"] == pytest.approx(1 / 401)
    assert strong["p_mcse"] == pytest.approx(np.sqrt((1 / 401) * (400 / 401) / 400))
    again = aggregation.random_group_agreement(shifted, ["a", "b", "c"], "g", n_random=400, seed=1)
    pd.testing.assert_series_equal(strong, again)


def test_uniform_null_cannot_tell_interchangeable_employees_apart():
    """Issue 11: in a study where employees explain nothing (ICC ≈ 0) the uniform null still
    gives median r_wg(j) above 0.7 for every scale, because skewed answers vary less than random
    answering on the whole scale would; the random-group null gives agreement near 0, and ICC(1)'s
    F test finds nothing."""
    table = population.with_values(population.load_population(), icc_conf=0.001, icc_csat=0.001)
    flat = simulate.simulate_study(table, seed=simulate.DATASET_SEED)
    summary = aggregation.agreement_summary(flat, n_random=200).set_index(["channel", "scale", "null"])
    uniform = summary.xs("uniform", level="null")["rwg_median"]
    random = summary.xs("random_group", level="null")["rwg_median"]
    assert (uniform > 0.7).all() and (random < 0.2).all()
    assert (aggregation.icc_table(flat)["icc1"].abs() < 0.03).all()


def test_employee_data_keeps_the_right_employees_and_averages_their_customers(study):
    e = aggregation.employee_data(study)
    assert len(e) == 253 + 263  # everyone who answered wave 2 (all have at least 7 customers)
    first = e.iloc[0]
    mine = study.customers[study.customers["employee_id"] == first["employee_id"]]
    assert first["conf2"] == pytest.approx(mine["conf2"].mean())
    assert first["n_customers"] == len(mine)
    assert first["csat"] == pytest.approx(mine[["csat1", "csat2", "csat3"]].to_numpy().mean())
    assert first["log_tenure"] == pytest.approx(np.log(first["tenure_months"]))
    assert len(aggregation.employee_data(study, min_customers=9)) < len(e)


def test_ignoring_nesting_understates_standard_errors(study):
    """Customer-level OLS treats ~8.5 customers of one employee as independent: its SE is about
    1/√(design effect) of the clustered SE (design effect 1 + (k̄ − 1)·ICC ≈ 2.5 here). The
    mixed model and the employee-level analysis of means give SEs close to the clustered one."""
    table = aggregation.nesting_comparison(study, "retail_store").set_index("method")
    naive = table.loc["customers, OLS (ignores nesting)", "se_ratio"]
    assert 0.55 < naive < 0.8
    others = table["se_ratio"].drop("customers, OLS (ignores nesting)")
    assert np.allclose(others, 1.0, atol=0.1)
    assert np.allclose(table["estimate"], table["estimate"].iloc[0], atol=0.01)


@pytest.mark.parametrize("call, message", [
    (lambda s: aggregation.icc(s.customers, "nothing"), "lacks the column(s) nothing"),
    (lambda s: aggregation.icc(s.customers.groupby("employee_id").head(1), "conf1"), "single rater"),
    (lambda s: aggregation.rwg_j(s.customers.assign(conf1=np.nan), ["conf1"]), "missing values"),
    (lambda s: aggregation.employee_data(simulate.Study(s.employees.drop(columns="inf2"), s.customers, s.population)),
     "lacks the column(s) inf2"),
    (lambda s: aggregation.employee_data(simulate.Study(s.employees, s.customers.assign(csat3=9), s.population)),
     "outside 1-7: csat3 = 9"),
    (lambda s: aggregation.employee_data(simulate.Study(s.employees.iloc[1:], s.customers, s.population)),
     "not in study.employees"),
    (lambda s: aggregation.nesting_comparison(s, "online"), "channel must be one of"),
    (lambda s: aggregation.icc_anova(s.customers, "conf1", "nothing"), "lacks the column(s) nothing"),
    (lambda s: aggregation.within_between(s, "retail_store", outcome="conf1"), "must be the two customer scales"),
    (lambda s: aggregation.random_group_agreement(s.customers, ["conf1"], n_random=0), "n_random must be"),
])
def test_bad_input_is_named(study, call, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call(study)


def test_answer_shares(study):
    shares = aggregation.answer_shares(study)
    assert list(shares.columns) == list(range(1, 8)) and len(shares) == 12
    assert np.allclose(shares.sum(axis=1), 1.0)
    answered = study.employees["usat2"].dropna()
    assert shares.loc["usat2", 7] == pytest.approx((answered == 7).mean())
    # customers' satisfaction leans to the top of the scale
    assert shares.loc["csat1", [6, 7]].sum() > 0.5


def test_within_between_recovers_its_closed_form_on_a_large_sample():
    """On 8,000 employees per channel with continuous answers the Mundlak model's within and
    between slopes lie within 4 standard errors of population.within_between_slopes (measured:
    within 0.3 SE, between 0.7 SE in stores). The latent slopes are equal (the book's assumption)
    yet the observed ones are not: each customer's item error attenuates the within slope."""
    table = population.with_values(population.load_population(), n_employees=8000)
    study = simulate.simulate_study(table, seed=3, likert=False)
    expected = population.within_between_slopes(table).set_index("channel")
    assert (expected["within_latent"] == population.path_table(table).query("parameter == 'conf_csat'")
            .set_index("channel")["value"]).all()
    for channel in ("retail_store", "contact_center"):
        split = aggregation.within_between(study, channel).set_index("term")
        for term in ("within", "between"):
            assert abs(split.loc[term, "estimate"] - expected.loc[channel, f"{term}_observed"]) < 4 * split.loc[term, "se"]
    assert expected.loc["retail_store", "within_observed"] < expected.loc["retail_store", "between_observed"]


def test_within_between_finds_a_within_slope_that_differs():
    """With the within-employee slope set to 0.2 against 0.7 between (stores), the contextual
    effect is positive and significant in a study of 1,000 employees per channel."""
    table = population.with_values(population.load_population(), n_employees=1000,
                                   conf_csat_within={"retail_store": 0.2})
    split = aggregation.within_between(simulate.simulate_study(table, seed=4), "retail_store").set_index("term")
    assert split.loc["contextual", "estimate"] > 0 and split.loc["contextual", "pvalue"] < 0.001
    assert split.loc["contextual", "estimate"] == pytest.approx(
        split.loc["between", "estimate"] - split.loc["within", "estimate"], abs=1e-10)


def test_icc_that_does_not_converge_raises_a_convergence_error(monkeypatch):
    """A mixed model that stops unconverged is a failure to fit (ConvergenceError, a
    RuntimeError), not a bad argument."""
    from utils.errors import ConvergenceError
    from utils.infusion import aggregation

    class Unconverged:
        converged = False

    class Model:
        def fit(self, **options):
            return Unconverged()

    class Formulas:
        @staticmethod
        def mixedlm(*args, **kwargs):
            return Model()

    monkeypatch.setattr(aggregation, "_smf", lambda: Formulas)
    ratings = pd.DataFrame({"employee_id": [1, 1, 2, 2, 3, 3], "score": [1.0, 2.0, 4.0, 5.0, 2.0, 4.0]})
    with pytest.raises(ConvergenceError, match="did not converge; icc_anova"):
        aggregation.icc(ratings, "score")
