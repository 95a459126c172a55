"""Expectation-confirmation theory: closed forms, recovery of the simulated coefficients, errors.

Recovery tests use n = 20,000 customers (or users). At that size the OLS standard errors are
about 0.004 to 0.005 for the slopes of the satisfaction equation, 0.025 for its intercept and
0.006 to 0.007 for the standardized paths of the continuance model, so the tolerances below
(0.02, 0.1 and 0.03) are four to five standard errors: a correct simulation fails them with
negligible probability, and a wrong coefficient (off by 0.05 or more) cannot pass. The seeds are
fixed, so the tests are deterministic anyway.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from utils import expectation as ect

N = 20_000
B = ect.OLIVER_COEFFICIENTS


@pytest.fixture(scope="module")
def customers() -> pd.DataFrame:
    return ect.simulate_customers(N, seed=2024)


@pytest.fixture(scope="module")
def users() -> pd.DataFrame:
    return ect.simulate_continuance(N, seed=2024)


# ---------------------------------------------------------------- closed forms

def test_same_performance_gives_opposite_confirmation_signs():
    # Performance 6: Ana expected 4 (confirmation +2), Ben expected 7 (confirmation -1).
    table = ect.same_performance(6, {"Ana": 4, "Ben": 7}).set_index("customer")
    assert table["confirmation"].tolist() == [2.0, -1.0]
    assert table["sign"].tolist() == [1, -1]
    # Satisfaction = 3.5 + 0.3 E + 0.8 (P - E): 3.5 + 1.2 + 1.6 = 6.3 and 3.5 + 2.1 - 0.8 = 4.8.
    assert table["satisfaction"].tolist() == pytest.approx([6.3, 4.8])
    assert table["dissatisfied"].tolist() == [False, True]


@settings(max_examples=60, deadline=None)
@given(low=st.floats(0, 10), gap_below=st.floats(0.01, 5), gap_above=st.floats(0.01, 5))
def test_any_performance_between_two_expectations_splits_the_signs(low, gap_below, gap_above):
    performance = low + gap_below
    high = performance + gap_above
    assert ect.confirmation_sign(performance, low) == 1
    assert ect.confirmation_sign(performance, high) == -1
    assert ect.confirmation_sign(performance, performance) == 0
    assert ect.confirmation(performance, high) == pytest.approx(-gap_above)


def test_curves_are_parallel_with_the_closed_form_gap():
    grid = np.linspace(2, 9, 15)
    curves = ect.satisfaction_curves([4, 7], grid)
    low = curves[curves["expectation"] == 4]["satisfaction"].to_numpy()
    high = curves[curves["expectation"] == 7]["satisfaction"].to_numpy()
    # Each line has slope b_C; raising the expectation by 3 moves it by (b_E - b_C) * 3 = -1.5.
    assert np.allclose(np.diff(low) / np.diff(grid), B["confirmation"])
    assert np.allclose(high - low, (B["expectation"] - B["confirmation"]) * 3)
    assert np.allclose(high - low, -1.5)


def test_population_shares_closed_form():
    shares = ect.population_shares(6, 6.5)
    # Confirmation ~ N(0.5, sqrt(2)); satisfaction ~ N(3.5 - 0.5*6 + 0.8*6.5, sqrt(0.25 + 0.64 + 0.25)).
    assert shares["disappointed"] == pytest.approx(stats.norm.cdf(-0.5 / math.sqrt(2)))
    assert shares["disappointed"] == pytest.approx(0.3618, abs=1e-4)
    assert shares["mean_satisfaction"] == pytest.approx(5.7)
    assert shares["sd_satisfaction"] == pytest.approx(math.sqrt(1.14))
    # Independent: satisfaction ~ N(5.7, sqrt(1.14)) below the threshold.
    assert shares["dissatisfied"] == pytest.approx(stats.norm.cdf((ect.DISSATISFIED_BELOW - 5.7) / math.sqrt(1.14)))
    assert shares["dissatisfied"] == pytest.approx(0.2560, abs=1e-4)  # regression pin: value from the code at 20008ef


def test_simulated_shares_match_the_population():
    # Share standard error at n = 20,000 is at most 0.0035; tolerance 0.015.
    _, shares = ect.satisfaction_outlook(6, 6.5, n=N, seed=7)
    assert shares["simulated"].to_numpy() == pytest.approx(shares["population"].to_numpy(), abs=0.015)


def test_total_effects_closed_form():
    total = ect.total_effects()
    # Confirmation -> continuance: 0.5*0.3 + 0.5*0.3*0.5 + 0.4*0.5 = 0.425.
    assert total.loc["continuance", "confirmation"] == pytest.approx(0.425)
    assert total.loc["satisfaction", "confirmation"] == pytest.approx(0.4 + 0.5 * 0.3)
    assert total.loc["continuance", "usefulness"] == pytest.approx(0.3 + 0.3 * 0.5)
    assert total.loc["confirmation", "continuance"] == 0


# ---------------------------------------------------------------- simulation and recovery

def test_same_seed_same_data():
    one = ect.simulate_customers(500, seed=11)
    pd.testing.assert_frame_equal(one, ect.simulate_customers(500, seed=11))
    assert not one.equals(ect.simulate_customers(500, seed=12))
    pd.testing.assert_frame_equal(ect.simulate_continuance(300, seed=5), ect.simulate_continuance(300, seed=5))


def test_ols_recovers_the_satisfaction_equation(customers):
    table = ect.coefficient_table(ect.fit_satisfaction(customers), B).set_index("term")
    assert table.loc["expectation", "estimate"] == pytest.approx(0.3, abs=0.02)
    assert table.loc["confirmation", "estimate"] == pytest.approx(0.8, abs=0.02)
    assert table.loc["Intercept", "estimate"] == pytest.approx(3.5, abs=0.1)
    assert table.loc[["expectation", "confirmation"], "std_error"].max() < 0.006


def test_difference_score_is_a_reparametrization(customers):
    with_difference = ect.fit_satisfaction(customers, ["expectation", "confirmation"])
    with_parts = ect.fit_satisfaction(customers, ["expectation", "performance"])
    # Same model, same fit; the expectation weight becomes b_E - b_C = -0.5.
    assert with_parts.rsquared == pytest.approx(with_difference.rsquared, abs=1e-10)
    assert with_parts.params["expectation"] == pytest.approx(-0.5, abs=0.02)
    assert with_parts.params["performance"] == pytest.approx(with_difference.params["confirmation"])
    # The difference score alone forces equal and opposite weights; the data reject that.
    test = with_parts.t_test("expectation + performance = 0")
    assert float(test.effect[0]) == pytest.approx(0.3, abs=0.02) and float(test.pvalue) < 1e-6
    assert ect.fit_satisfaction(customers, ["confirmation"]).rsquared < with_difference.rsquared - 0.02


def test_reported_confirmation_is_noisy(customers):
    error = customers["reported_confirmation"] - customers["confirmation"]
    assert error.std() == pytest.approx(0.5, abs=0.02)


def test_continuance_variables_are_standardized(users):
    spread = users[list(ect.CONTINUANCE_ORDER)].std()
    assert spread.to_numpy() == pytest.approx(1.0, abs=0.03)


def test_ols_recovers_the_continuance_paths(users):
    table = ect.fit_continuance(users)
    assert len(table) == 5
    assert (table["estimate"] - table["true"]).abs().max() < 0.03
    # Confirmation is exogenous, so its simple slope on continuance is its total effect.
    slope = ect.fit_satisfaction(users, ["confirmation"], outcome="continuance").params["confirmation"]
    assert slope == pytest.approx(0.425, abs=0.03)


# ---------------------------------------------------------------- bad input

@pytest.mark.parametrize(("kwargs", "message"), [
    ({"n": -5}, r"n must be a whole number of at least 1, got -5"),
    ({"n": 0}, r"n must be .* got 0"),
    ({"n": 2.5}, r"n must be .* got 2\.5"),
    ({"n": 10, "sd_expectation": 0}, r"sd_expectation must be greater than zero, got 0"),
    ({"n": 10, "sd_performance": -1}, r"sd_performance must be greater than zero, got -1"),
    ({"n": 10, "noise_sd": -0.1}, r"noise_sd must be zero or more, got -0\.1"),
    ({"n": 10, "mean_expectation": float("nan")}, r"mean_expectation must be a finite number, got nan"),
    ({"n": 10, "coefficients": {"Intercept": 1, "expectation": 0.3}}, r"missing \['confirmation'\]"),
])
def test_simulate_customers_rejects_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ect.simulate_customers(**kwargs)


def test_fit_rejects_bad_data(customers):
    with pytest.raises(ValueError, match=r"data lacks the column\(s\) delight; it has customer"):
        ect.fit_satisfaction(customers, ["expectation", "delight"])
    with pytest.raises(ValueError, match=r"predictors must name at least one column"):
        ect.fit_satisfaction(customers, [])
    with pytest.raises(ValueError, match=r"more rows than coefficients to estimate \(3\), got 3 rows"):
        ect.fit_satisfaction(customers.head(3))
    with pytest.raises(ValueError, match=r"level must lie strictly between 0 and 1, got 1\.5"):
        ect.coefficient_table(ect.fit_satisfaction(customers.head(50)), level=1.5)


def test_closed_forms_reject_bad_input():
    with pytest.raises(ValueError, match=r"expectations must name at least one customer"):
        ect.same_performance(6, {})
    with pytest.raises(ValueError, match=r"performance must be a number, got 'high'"):
        ect.same_performance("high", {"Ana": 4})
    with pytest.raises(ValueError, match=r"sd_expectation must be greater than zero, got -1"):
        ect.population_shares(5, 5, sd_expectation=-1)


def test_continuance_rejects_bad_paths():
    with pytest.raises(ValueError, match=r"path \('continuance', 'satisfaction'\) runs against the causal order"):
        ect.simulate_continuance(10, paths={("continuance", "satisfaction"): 0.3})
    with pytest.raises(ValueError, match=r"paths must join two of .* got \('confirmation', 'loyalty'\)"):
        ect.total_effects({("confirmation", "loyalty"): 0.3})
    with pytest.raises(ValueError, match=r"the paths into 'satisfaction' explain 1\.21 of its variance"):
        ect.simulate_continuance(10, paths={("confirmation", "satisfaction"): 1.1})
    with pytest.raises(ValueError, match=r"n must be a whole number of at least 1, got -1"):
        ect.simulate_continuance(-1)
