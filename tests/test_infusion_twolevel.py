"""The infusion-use study without aggregation (utils.infusion_twolevel, chapter 35).

Independent expectations: the closed form of ICC(2) attenuation (every standardized path into
an averaged outcome shrinks by √ICC(2)); large simulated samples for what pooled and averaged
regressions estimate when within and between effects differ; hand-built draws for the
Monte Carlo equivalence rule. The two-level fits themselves are checked against lavaan in
tests/test_sem_twolevel.py.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from utils import infusion_twolevel as twolevel  # noqa: E402
from utils import plots, widgets  # noqa: E402
from utils.infusion import aggregation, population  # noqa: E402
from utils.infusion.population import CHANNELS  # noqa: E402
from utils.infusion.simulate import load_study  # noqa: E402


@pytest.fixture(scope="module")
def study():
    return load_study()


@pytest.fixture(scope="module")
def customers(study):
    return twolevel.customer_data(study)


@pytest.fixture(scope="module")
def fits(customers):
    return twolevel.fit_channels(customers)


def test_customer_data_is_the_analysis_sample_one_row_per_customer(study, customers):
    employees = aggregation.employee_data(study)
    assert len(customers) == employees["n_customers"].sum() == customers["customer_id"].nunique()
    assert set(customers["employee_id"]) == set(employees["employee_id"])
    per_employee = customers.groupby("employee_id")[list(twolevel.EMPLOYEE_COLUMNS) + ["channel"]].nunique()
    assert (per_employee == 1).all().all(), "an employee's own variables are constant over their customers"
    means = customers.groupby("employee_id")[list(twolevel.CUSTOMER_ITEMS)].mean()
    merged = employees.set_index("employee_id")[list(twolevel.CUSTOMER_ITEMS)]
    assert np.allclose(means.loc[merged.index], merged)  # the means chapter 33 analyses


def test_the_between_model_is_chapter_33s_model():
    between = twolevel.MODEL_FREE.split("level: 2\n")[1]
    from utils.infusion import models
    assert between == models.LATENT_SEM
    assert twolevel.MODEL.count("~~ 0*") == 6


def test_with_label():
    labelled = twolevel.with_label(twolevel.MODEL, "CONF", "INF", "h1")
    assert "CONF ~ h1*INF + USAT + log_tenure + log_contacts" in labelled
    with pytest.raises(ValueError, match="no path CONF ~ CSAT"):
        twolevel.with_label(twolevel.MODEL, "CONF", "CSAT", "x")
    with pytest.raises(ValueError, match="exactly one regression line for 'NONE'"):
        twolevel.with_label(twolevel.MODEL, "NONE", "INF", "x")


def test_paths_into_an_averaged_outcome_shrink_by_the_root_of_icc2():
    costs = twolevel.aggregation_costs()
    for channel in CHANNELS:
        p = population.parameters(population.load_population(), channel)
        inv_k = population.mean_inverse_customers(p["min_customers"], p["extra_customers_mean"])
        icc2 = p["icc_conf"] / (p["icc_conf"] + (1 - p["icc_conf"]) * inv_k)
        part = costs[costs["channel"] == channel].set_index("parameter")
        assert part["icc2_conf"].iloc[0] == pytest.approx(icc2)
        into_conf = [name for name in ("infusion_conf", "usat_conf", "tenure_conf", "contacts_conf")
                     if part.loc[name, "population"] != 0]
        assert np.allclose(part.loc[into_conf, "ratio"], np.sqrt(icc2))
        # the employee's own answers are not averaged; with equal ICCs and equal within and between
        # effects, confirmation → satisfaction keeps its standardized size
        assert np.allclose(part.loc[["tenure_infusion", "infusion_usat", "conf_csat"], "ratio"], 1.0)
    zero = costs[costs["population"] == 0]
    assert (zero["aggregated"] == 0).all() and zero["ratio"].isna().all()


def test_attenuation_curve():
    curve = twolevel.attenuation_curve(icc1=(0.1, 0.5), max_customers=30)
    first = curve[curve["customers"] == 1].set_index("icc1")["factor"]
    assert np.allclose(first, np.sqrt([0.1, 0.5]))  # one customer: ICC(2) = ICC(1)
    assert (curve.groupby("icc1")["factor"].diff().dropna() > 0).all()
    with pytest.raises(ValueError, match="icc1"):
        twolevel.attenuation_curve(icc1=(1.2,))


def test_conflation_formulas_match_large_simulated_samples():
    rng = np.random.default_rng(3)
    clusters, size, icc, b_w, b_b = 20_000, 6, 0.3, 0.1, 0.8
    x_between = rng.normal(scale=np.sqrt(icc), size=clusters)
    x_within = rng.normal(scale=np.sqrt(1 - icc), size=(clusters, size))
    y = b_b * x_between[:, None] + b_w * x_within + rng.normal(size=(clusters, size))
    x = x_between[:, None] + x_within
    pooled = np.polyfit(x.ravel(), y.ravel(), 1)[0]
    means = np.polyfit(x.mean(axis=1), y.mean(axis=1), 1)[0]
    table = twolevel.conflation(b_w, b_b, icc, size).set_index("analysis")["estimate"]
    assert pooled == pytest.approx(table["customers, OLS (ignores nesting)"], abs=0.01)
    assert means == pytest.approx(table["employee means, OLS"], abs=0.015)
    assert table["two-level, within employees"] == b_w and table["two-level, between employees"] == b_b
    with pytest.raises(ValueError, match="icc_x must lie strictly between 0 and 1"):
        twolevel.conflation(0.1, 0.2, 1.0, 5)


@pytest.mark.parametrize("centre, spread, expected", [
    (0.0, 0.02, "equivalent to 0"),      # the 90 % interval is about ±0.033
    (0.0, 0.2, "not shown equivalent"),  # about ±0.33
    (0.0, 0.0608, "borderline"),         # upper end about 0.1000: within 3 Monte Carlo errors
])
def test_monte_carlo_equivalence_rule(centre, spread, expected):
    draws = np.random.default_rng(0).normal(centre, spread, size=20_000)
    label, low, high = twolevel._equivalence(draws, 0.10, 0.05)
    assert label == expected
    assert low < centre < high


def test_a_clear_failure_at_one_end_is_not_borderline_at_the_other():
    """An interval from about −0.23 to 0.10: whatever the upper end's Monte Carlo error, the lower
    end decides, so the verdict is "not shown equivalent" (chapter 35's H1 in contact centers)."""
    draws = np.random.default_rng(1).normal(-0.065, 0.1005, size=20_000)
    label, low, high = twolevel._equivalence(draws, 0.10, 0.05)
    assert high == pytest.approx(0.10, abs=0.01) and low < -0.2
    assert label == "not shown equivalent"


def test_hypothesis_tests_are_reproducible_and_oriented(fits):
    first = twolevel.hypothesis_tests(fits, n_draws=2000, seed=1)
    again = twolevel.hypothesis_tests(fits, n_draws=2000, seed=1)
    pd.testing.assert_frame_equal(first, again)
    table = first.set_index(["hypothesis", "channel"])
    for hypothesis, strong, weak in (("H1", "retail_store", "contact_center"), ("H2", "contact_center", "retail_store")):
        assert table.loc[(hypothesis, "difference"), "estimate"] == pytest.approx(
            table.loc[(hypothesis, strong), "estimate"] - table.loc[(hypothesis, weak), "estimate"])
    assert set(first["verdict"]) <= {"significant, positive", "significant, negative", "not significant",
                                     "borderline", "retail_store > contact_center", "contact_center > retail_store",
                                     "no significant difference"}
    with pytest.raises(ValueError, match="n_draws"):
        twolevel.hypothesis_tests(fits, n_draws=10)


def test_path_comparison_and_figures(study, fits):
    from utils.infusion import hypotheses
    single = hypotheses.latent_fits(aggregation.employee_data(study))
    comparison = twolevel.path_comparison(fits, single, n_draws=2000, seed=2)
    assert len(comparison) == 2 * len(twolevel.PATHS)
    assert (comparison["ci_low"] <= comparison["two_level"]).all() and (comparison["two_level"] <= comparison["ci_high"]).all()
    figures = [
        plots.twolevel_path_comparison(comparison, title="paths"),
        plots.aggregation_attenuation(twolevel.attenuation_curve(), design_k=8.5, title="attenuation"),
        plots.conflation_bars(twolevel.conflation(0.2, 0.7, 0.25, 8.5), title="conflation"),
    ]
    for fig in figures:
        axes = fig.get_axes()
        assert axes and (fig.get_suptitle() or axes[0].get_title())
        assert all(ax.get_xlabel() for ax in axes) and axes[0].get_ylabel()
        plt.close(fig)


def test_explorer_starts_at_the_given_values():
    box = widgets.conflation_explorer(b_within=0.1)
    sliders = [child for row in box.children[:2] for child in row.children]
    assert [s.value for s in sliders] == [0.1, 0.7, 0.25, 8.5]


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="study must be a (utils.infusion.simulate.)?Study"):
        twolevel.customer_data(pd.DataFrame())
