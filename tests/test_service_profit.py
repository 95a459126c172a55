"""The service-profit chain simulation: closed forms, recovery of the links, seeds, bad input.

Tolerances: with n = 20,000 simulated units, a standardized OLS coefficient has a standard
error of about 0.006 and a correlation one of about 0.007, so 0.03 is more than four standard
errors. The seeds are fixed, so the tests are deterministic; the tolerance says how far from the
truth a correct simulation can land, not how lucky a seed was.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from utils import plots  # noqa: E402
from utils import service_profit as sp  # noqa: E402

N = 20_000
TOLERANCE = 0.03


@pytest.fixture(scope="module")
def units() -> pd.DataFrame:
    return sp.simulate_units(N, seed=2024)


# ---------------------------------------------------------------- closed forms

def test_assumed_chain_survival_is_the_product_of_the_links():
    # 0.7 × (0.6 × 0.4 + 0.5 × 0.4) × 0.7 × 0.6 × 0.6, the number the chapter quotes.
    effects = sp.survival().set_index("stage")["effect"]
    expected = {"internal_service_quality": 1.0, "employee_satisfaction": 0.7, "employee_retention": 0.42,
                "employee_productivity": 0.35, "external_service_value": 0.308,
                "customer_satisfaction": 0.2156, "customer_loyalty": 0.12936, "profitability": 0.077616}
    for stage, value in expected.items():
        assert effects[stage] == pytest.approx(value, abs=1e-12)
    assert sp.total_effect() == pytest.approx(0.077616, abs=1e-12)


strength = st.floats(0.0, 1.0, allow_nan=False)
half = st.floats(0.0, 0.5, allow_nan=False)  # two links into one stage: at most 0.5 each stays feasible


@settings(max_examples=60, deadline=None)
@given(a=strength, r=strength, p=strength, br=half, bp=half, c=strength, d=strength, e=strength)
def test_path_tracing_rule(a, r, p, br, bp, c, d, e):
    links = dict(zip(sp.LINKS, (a, r, p, br, bp, c, d, e)))
    assert sp.total_effect(links) == pytest.approx(a * (r * br + p * bp) * c * d * e, abs=1e-12)


def test_partial_links_keep_the_other_assumed_values():
    link = ("customer_satisfaction", "customer_loyalty")
    assert sp.total_effect({link: 0.3}) == pytest.approx(0.077616 / 0.6 * 0.3, abs=1e-12)
    assert sp.resolve_links({link: 0.3})[("customer_loyalty", "profitability")] == 0.6
    assert sp.link_table()["strength"].tolist() == [sp.ASSUMED_LINKS[k] for k in sp.LINKS]


# ---------------------------------------------------------------- the simulation

def test_every_stage_is_standardized(units):
    stages = units[list(sp.STAGES)]
    assert np.allclose(stages.mean(), 0, atol=TOLERANCE)
    assert np.allclose(stages.std(), 1, atol=TOLERANCE)
    assert units["unit"].tolist()[:3] == [1, 2, 3] and len(units) == N


def test_correlations_with_the_start_reproduce_the_survival(units):
    # With one exogenous stage, corr(internal service quality, stage) is the total effect.
    correlations = units[list(sp.STAGES)].corr()["internal_service_quality"]
    expected = sp.survival().set_index("stage")["effect"]
    assert np.allclose(correlations[expected.index], expected, atol=TOLERANCE)


def test_ols_recovers_every_link(units):
    estimates = sp.estimate_links(units)
    assert list(zip(estimates["source"], estimates["target"])) == list(sp.LINKS)
    assumed = np.array([sp.ASSUMED_LINKS[link] for link in sp.LINKS])
    assert np.allclose(estimates["estimate"], assumed, atol=TOLERANCE)
    assert (estimates["ci_low"] < estimates["estimate"]).all() and (estimates["estimate"] < estimates["ci_high"]).all()
    assert sp.chain_effect(estimates) == pytest.approx(sp.total_effect(), abs=0.02)


def test_ols_recovers_other_links():
    links = {("customer_loyalty", "profitability"): 0.2, ("employee_retention", "external_service_value"): 0.1}
    estimates = sp.estimate_links(sp.simulate_units(N, links, seed=7)).set_index(["source", "target"])
    for link, value in links.items():
        assert estimates.loc[link, "estimate"] == pytest.approx(value, abs=TOLERANCE)


def test_an_improvement_moves_every_unit_by_the_total_effect():
    before = sp.simulate_units(500, seed=11)
    after = sp.simulate_units(500, seed=11, improvement=1.0)
    shift = (after[list(sp.STAGES)] - before[list(sp.STAGES)]).to_numpy()
    expected = sp.survival()["effect"].to_numpy()
    assert np.allclose(shift, expected, atol=1e-12)


def test_same_seed_same_units_and_different_seed_different_units():
    pd.testing.assert_frame_equal(sp.simulate_units(300, seed=5), sp.simulate_units(300, seed=5))
    assert not sp.simulate_units(300, seed=5).equals(sp.simulate_units(300, seed=6))
    rng_a, rng_b = np.random.default_rng(3), np.random.default_rng(3)
    pd.testing.assert_frame_equal(sp.simulate_units(50, seed=rng_a), sp.simulate_units(50, seed=rng_b))


def test_monte_carlo_estimates_are_the_statsmodels_estimates():
    # monte_carlo computes each study's estimates in NumPy for speed; they must be the OLS
    # estimates that estimate_links (statsmodels) and a direct regression give.
    import statsmodels.api as sm

    draws = sp.monte_carlo(n_units=60, n_studies=3, seed=4).pivot(index="study", columns="estimator", values="estimate")
    rng = np.random.default_rng(4)
    for study in range(1, 4):
        units = sp.simulate_units(60, seed=rng)
        assert draws.loc[study, "product"] == pytest.approx(sp.chain_effect(sp.estimate_links(units)), abs=1e-12)
        z = (units - units.mean()) / units.std()
        slope = sm.OLS(z["profitability"], sm.add_constant(z["internal_service_quality"])).fit().params.iloc[1]
        assert draws.loc[study, "direct"] == pytest.approx(slope, abs=1e-12)


def test_monte_carlo_centres_on_the_product_and_is_seeded():
    draws = sp.monte_carlo(n_units=100, n_studies=100, seed=1)
    again = sp.monte_carlo(n_units=100, n_studies=100, seed=1)
    pd.testing.assert_frame_equal(draws, again)
    summary = draws.groupby("estimator")["estimate"].agg(["mean", "std"])
    truth = sp.total_effect()
    # Standard errors of the means: about 0.002 (product) and 0.01 (direct) over 100 studies.
    assert summary.loc["product", "mean"] == pytest.approx(truth, abs=0.01)
    assert summary.loc["direct", "mean"] == pytest.approx(truth, abs=0.04)
    assert summary.loc["product", "std"] < summary.loc["direct", "std"] / 2
    assert set(draws.columns) == {"study", "estimator", "estimate"} and len(draws) == 200


# ---------------------------------------------------------------- bad input

@pytest.mark.parametrize("links, message", [
    ({("customer_satisfaction", "customer_loyalty"): 1.5}, r"\[-1, 1\], got 1.5"),
    ({("customer_satisfaction", "profitability"): 0.5}, "unknown link"),
    ({("customer_loyalty", "profitability"): "high"}, "must be a number, got 'high'"),
    ({("employee_retention", "external_service_value"): 0.9,
      ("employee_productivity", "external_service_value"): 0.9}, "external_service_value.*more than all"),
    ([0.5], "links must be a mapping"),
])
def test_bad_links_are_refused(links, message):
    with pytest.raises(ValueError, match=message):
        sp.total_effect(links)


@pytest.mark.parametrize("n_units", [-5, 0, 1, 2.5, True, "100"])
def test_bad_unit_counts_are_refused(n_units):
    with pytest.raises(ValueError, match="n_units must be a whole number of at least 2, got "):
        sp.simulate_units(n_units)


def test_other_bad_input_is_refused(units):
    with pytest.raises(ValueError, match="improvement must be a number.*'a lot'"):
        sp.simulate_units(10, improvement="a lot")
    with pytest.raises(ValueError, match=r"missing column\(s\) \['profitability'\]"):
        sp.estimate_links(units.drop(columns="profitability"))
    with pytest.raises(ValueError, match="alpha must lie strictly between 0 and 1, got 2"):
        sp.estimate_links(units, alpha=2)
    with pytest.raises(ValueError, match="at least 5 rows"):
        sp.estimate_links(units.head(3))
    with pytest.raises(ValueError, match="n_studies must be a whole number of at least 1, got 0"):
        sp.monte_carlo(n_studies=0)
    with pytest.raises(ValueError, match="n_units must be a whole number of at least 10, got 5"):
        sp.monte_carlo(n_units=5)
    with pytest.raises(ValueError, match="target must be one of .* got 'sales'"):
        sp.total_effect(target="sales")
    with pytest.raises(ValueError, match="estimates has no row"):
        sp.chain_effect(sp.estimate_links(units).iloc[:-1])


# ---------------------------------------------------------------- figures and explorer

def test_figures_have_titles_and_axis_labels(units):
    table = sp.estimate_links(units).merge(sp.link_table()[["source", "target", "strength"]])
    draws = pd.DataFrame({"study": [1, 1, 2, 2], "estimator": ["direct", "product"] * 2,
                          "estimate": [0.1, 0.08, 0.0, 0.07]})
    figures = [plots.service_profit_diagram(sp.LABELS, sp.ASSUMED_LINKS, title="chain"),
               plots.service_profit_survival(sp.survival(), title="survival"),
               plots.service_profit_monte_carlo(draws, 0.078, title="studies"),
               plots.service_profit_link_recovery(table, title="recovery")]
    for fig in figures:
        ax = fig.axes[0]
        assert ax.get_title() and ax.get_xlabel()
        plt.close(fig)


def test_explorer_has_one_slider_per_link():
    from utils import widgets

    box = widgets.service_profit_explorer()
    sliders = box.children[0].children
    assert len(sliders) == len(sp.LINKS)
    assert [s.value for s in sliders] == [sp.ASSUMED_LINKS[link] for link in sp.LINKS]
    plt.close("all")
