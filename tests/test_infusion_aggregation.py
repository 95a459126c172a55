"""Tests of utils/infusion/aggregation.py: ICC(1) and ICC(2) from statsmodels' mixed model
against the ANOVA formulas, r_wg(j) by hand, the employee-level analysis sample, and what
ignoring the nesting of customers in employees does to standard errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from utils.infusion import aggregation, simulate


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


def test_icc_on_the_committed_data(study):
    table = aggregation.icc_table(study).set_index(["channel", "scale"])
    assert table.loc[("retail_store", "conf"), "icc1"] == pytest.approx(0.201, abs=1e-3)
    assert table.loc[("contact_center", "csat"), "icc2"] == pytest.approx(0.617, abs=1e-3)
    # every scale: a real between-employee share, and a mean of ~8.5 customers reliable enough
    assert (table["icc1"] > 0.15).all() and (table["icc2"] > 0.6).all()
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
