"""CRM systems by case (Khodakarami & Chan 2014, Table 4 and Appendix C) and the mediation model
CRM use → customer knowledge → satisfaction (Mithas, Krishnan & Fornell 2005)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from utils import crm_knowledge as ck
from utils import plots
from utils.data import read_csv

# n = 20,000 firms with unit variances: the standard errors of a, b and c′ are about 0.007-0.008
# and that of a·b about 0.005, so a tolerance of 0.03 is about four standard errors.
N_LARGE = 20_000
TOL = 0.03


@pytest.fixture(scope="module")
def table4() -> pd.DataFrame:
    return read_csv("khodakarami2014/table4_systems.csv")


@pytest.fixture(scope="module")
def appendix_c() -> pd.DataFrame:
    return read_csv("khodakarami2014/appendix_c_systems.csv")


@pytest.fixture(scope="module")
def large() -> pd.DataFrame:
    return ck.simulate_firms(N_LARGE, a=0.5, b=0.4, c_prime=0.1, seed=11)


# ---------------------------------------------------------------- Table 4 and Appendix C

def test_systems_by_case_keeps_table4(table4):
    states = ck.systems_by_case(table4)
    assert states.shape == (11, 3) and list(states.columns) == ["A", "B", "C"]
    assert list(dict.fromkeys(states.index.get_level_values("type"))) == list(ck.SYSTEM_TYPES)
    assert states.loc[("operational", "Sales force automation")].tolist() == ["used", "used", "not_used"]
    assert states.loc[("analytical", "Data warehouse")].tolist() == ["used", "used", "not_reported"]
    assert (states.loc["collaborative"] == "used").all().all()
    assert (states["A"] == "used").all()
    assert (states == "not_used").sum().sum() == 1


def test_system_use_counts(table4):
    counts = ck.system_use_counts(table4).set_index(["case", "type"])
    assert counts.loc[("A", "operational"), ["used", "not_used", "not_reported", "listed"]].tolist() == [4, 0, 0, 4]
    assert counts.loc[("B", "analytical"), ["used", "not_reported"]].tolist() == [1, 2]
    assert counts.loc[("C", "operational"), ["used", "not_used", "not_reported"]].tolist() == [2, 1, 1]
    assert counts["used"].groupby("case").sum().tolist() == [11, 7, 7]
    assert counts["listed"].sum() == 33


def test_catalogue_matches_appendix_c(table4, appendix_c):
    catalogue = ck.systems_catalogue(table4, appendix_c).set_index("system")
    assert len(catalogue) == 11 and catalogue["description"].notna().sum() == 6
    assert catalogue.loc["Excel", "used_in"] == "A, C"
    assert catalogue.loc["Data/web mining", "cases_used"] == 1
    assert catalogue.loc[catalogue["type"] == "collaborative", "description"].isna().all()


def test_table4_errors(table4, appendix_c):
    with pytest.raises(ValueError, match="table4 lacks the column.*state"):
        ck.systems_by_case(table4.drop(columns="state"))
    with pytest.raises(ValueError, match="column 'state' has the value.*'maybe'"):
        ck.systems_by_case(table4.assign(state="maybe"))
    with pytest.raises(ValueError, match="twice"):
        ck.system_use_counts(pd.concat([table4, table4.head(1)]))
    with pytest.raises(ValueError, match="appendix_c has system_name.*'CRM cloud'"):
        ck.systems_catalogue(table4, pd.DataFrame({"system_name": ["CRM cloud"], "description": ["x"]}))


# ---------------------------------------------------------------- closed forms

def test_implied_effects_closed_form():
    effects = ck.implied_effects(0.5, 0.4, 0.1)
    assert effects["indirect"] == pytest.approx(0.2)
    assert effects["direct"] == pytest.approx(0.1)
    assert effects["total"] == pytest.approx(0.3)
    assert effects["proportion_mediated"] == pytest.approx(2 / 3)
    assert np.isnan(ck.implied_effects(0.5, 0.4, -0.2)["proportion_mediated"])
    assert ck.implied_effects(0.6, 0.5, -0.2)["proportion_mediated"] == pytest.approx(3.0)


@pytest.mark.parametrize(("paths", "kind"), [
    ((0.5, 0.4, 0.1), "complementary"), ((0.5, 0.4, -0.1), "competitive"),
    ((0.5, 0.4, 0.0), "indirect-only"), ((0.0, 0.4, 0.1), "direct-only"),
    ((0.5, 0.0, 0.0), "no effect"), ((-0.5, 0.4, -0.1), "complementary"),
])
def test_mediation_type(paths, kind):
    assert ck.mediation_type(*paths) == kind


def test_expected_estimates_closed_form():
    clean = ck.expected_estimates(0.5, 0.4, 0.1)
    assert clean.to_dict() == pytest.approx({"a": 0.5, "b": 0.4, "c_prime": 0.1, "c": 0.3, "indirect": 0.2})
    # g = 0.5, sigma_m = 1: k = 0.25 / 1.25 = 0.2, so b → 0.6, c′ → 0.1 − 0.5 · 0.2 = 0.0.
    biased = ck.expected_estimates(0.5, 0.4, 0.1, confounding=0.5)
    assert biased.to_dict() == pytest.approx({"a": 0.5, "b": 0.6, "c_prime": 0.0, "c": 0.3, "indirect": 0.3})


# ---------------------------------------------------------------- simulation and estimation

def test_same_seed_same_firms():
    first = ck.simulate_firms(500, seed=3)
    pd.testing.assert_frame_equal(first, ck.simulate_firms(500, seed=3))
    assert not first.equals(ck.simulate_firms(500, seed=4))
    assert list(first.columns) == list(ck.COLUMNS)


def test_large_sample_recovers_the_paths(large):
    paths = ck.estimate_paths(large)["estimate"]
    assert paths["a"] == pytest.approx(0.5, abs=TOL)
    assert paths["b"] == pytest.approx(0.4, abs=TOL)
    assert paths["c_prime"] == pytest.approx(0.1, abs=TOL)
    assert paths["indirect"] == pytest.approx(0.2, abs=TOL)
    assert paths["c"] == pytest.approx(0.3, abs=TOL)
    # OLS identity: the total effect is exactly the direct plus the indirect estimate.
    assert paths["c"] == pytest.approx(paths["c_prime"] + paths["indirect"], abs=1e-10)


def test_large_sample_matches_the_confounded_limits():
    firms = ck.simulate_firms(N_LARGE, confounding=0.5, seed=12)
    estimates = ck.estimate_paths(firms)["estimate"]
    expected = ck.expected_estimates(confounding=0.5)
    for path in expected.index:
        assert estimates[path] == pytest.approx(expected[path], abs=TOL), path


def test_mediation_analysis_interval_covers_the_truth():
    firms = ck.simulate_firms(2_000, seed=13)
    table = ck.mediation_analysis(firms, n_rep=200, seed=14)
    paths = ck.estimate_paths(firms)["estimate"]
    assert list(table.index) == ["indirect", "direct", "total", "proportion_mediated"]
    assert table.loc["indirect", "estimate"] == pytest.approx(paths["a"] * paths["b"])
    assert table.loc["total", "estimate"] == pytest.approx(paths["c"])
    for effect, truth in ck.implied_effects(**ck.ASSUMED_PATHS)[["indirect", "direct", "total"]].items():
        low, high = table.loc[effect, ["ci_low", "ci_high"]]
        assert low < truth < high, effect
    assert table.loc["indirect", "ci_low"] > 0
    again = ck.mediation_analysis(firms, n_rep=200, seed=14)
    pd.testing.assert_frame_equal(table, again)


def test_fast_mediator_draws_are_statsmodels_own():
    """The mediator model swaps scipy's frozen normal (slow to build, once per draw) for a plain
    draw; Mediation on the stock statsmodels OLS pair must give the very same draws."""
    import statsmodels.api as sm
    from statsmodels.stats.mediation import Mediation

    firms = ck.simulate_firms(120, seed=21)
    outcome, mediator = ck._models(firms)
    stock = sm.OLS(mediator.endog, mediator.exog)
    ours = Mediation(outcome, mediator, (1, 1), 2).fit(n_rep=40, rng=np.random.default_rng(5))
    theirs = Mediation(sm.OLS(outcome.endog, outcome.exog), stock, (1, 1), 2).fit(
        n_rep=40, rng=np.random.default_rng(5))
    pd.testing.assert_frame_equal(ours.summary(), theirs.summary(), check_exact=True)


def test_mediation_bootstrap_runs():
    table = ck.mediation_analysis(ck.simulate_firms(300, seed=15), n_rep=50, method="bootstrap", seed=16)
    assert (table["ci_low"] <= table["ci_high"]).all()


# ---------------------------------------------------------------- bad input

@pytest.mark.parametrize(("kwargs", "message"), [
    ({"n": -5}, "n must be a whole number of at least 3, got -5"),
    ({"n": 10.5}, "n must be a whole number.*10.5"),
    ({"n": 100, "sigma_m": 0}, "sigma_m must be greater than zero, got 0"),
    ({"n": 100, "sigma_y": -1.0}, "sigma_y must be greater than zero, got -1"),
    ({"n": 100, "a": float("nan")}, "a must be a finite number, got nan"),
    ({"n": 100, "confounding": "high"}, "confounding must be a number, got 'high'"),
])
def test_simulate_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ck.simulate_firms(**kwargs)


def test_estimation_errors():
    firms = ck.simulate_firms(100, seed=1)
    with pytest.raises(ValueError, match="data lacks the column.*customer_knowledge"):
        ck.estimate_paths(firms.drop(columns="customer_knowledge"))
    with pytest.raises(ValueError, match="numeric and finite"):
        ck.estimate_paths(firms.assign(satisfaction=np.nan))
    with pytest.raises(ValueError, match="alpha must lie strictly between 0 and 1, got 1.5"):
        ck.estimate_paths(firms, alpha=1.5)
    with pytest.raises(ValueError, match="n_rep must be a whole number of at least 10, got 0"):
        ck.mediation_analysis(firms, n_rep=0)
    with pytest.raises(ValueError, match="method must be 'parametric' or 'bootstrap', not 'sobel'"):
        ck.mediation_analysis(firms, method="sobel")
    with pytest.raises(ValueError, match="b must be a finite number, got inf"):
        ck.implied_effects(0.5, float("inf"), 0.1)
    with pytest.raises(ValueError, match="sigma_m must be greater than zero, got 0"):
        ck.expected_estimates(sigma_m=0)


# ---------------------------------------------------------------- figures and explorer

def test_figures_have_titles_and_labels(table4):
    grid = plots.crm_systems_grid(ck.systems_by_case(table4), title="Table 4")
    split = plots.crm_effect_split(ck.implied_effects(0.5, 0.4, -0.3), title="split")
    table = pd.DataFrame({"estimate": [0.2], "ci_low": [0.1], "ci_high": [0.3]}, index=["indirect"])
    intervals = plots.crm_effect_intervals(table, truth={"indirect": 0.2}, title="intervals")
    diagram = plots.crm_mediation_diagram({"a": 0.5, "b": 0.4, "c_prime": 0.1}, title="paths")
    for fig in (grid, intervals):
        ax = fig.axes[0]
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    assert split.axes[1].get_xlabel() and split.get_suptitle() == "split"
    assert diagram.axes[0].get_title() == "paths"
    plt.close("all")


def test_explorer_builds():
    from utils import widgets

    explorer = widgets.crm_mediation_explorer()
    sliders = explorer.children[0].children
    assert [s.value for s in sliders] == [0.5, 0.4, 0.1]
    plt.close("all")
