"""The IS success model (chapter 2): simulation, estimation, implied effects, figures, explorer.

Tolerances. On n = 20,000 simulated respondents the standard error of a standardized path is at
most about sqrt(1 / (n (1 - R²_x))) ≈ 0.008 here (R²_x, the share of a predictor explained by the
other predictors, stays below 0.3), so 0.03 is more than 3.5 standard errors: a correct
simulation and estimator fail it with probability well below 1 in 1,000 per path, and a wrong
path value (the smallest assumed difference between paths is 0.05) fails it. The seed is fixed,
so the test is also reproducible.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from utils import is_success, plots, widgets
from utils.is_success import ILLUSTRATIVE_PATHS, QUALITIES

N_LARGE = 20_000
TOLERANCE = 0.03


@pytest.fixture(scope="module")
def large() -> pd.DataFrame:
    return is_success.simulate(N_LARGE, seed=11)


# ---------------------------------------------------------------- the model's structure

def test_model_edges_state_the_published_models():
    old, new = is_success.model_edges(1992), is_success.model_edges(2003)
    assert len(old) == 8 and len(new) == 11
    assert set(old["target"]) >= {"individual_impact", "organizational_impact"}
    assert "service_quality" not in set(old["source"]) and "service_quality" in set(new["source"])
    feedback = new[new["kind"] == "feedback"]
    assert set(zip(feedback["source"], feedback["target"])) == {
        ("net_benefits", "intention_to_use"), ("net_benefits", "user_satisfaction")}
    assert (new["kind"] == "two-way").sum() == 1 and (old["kind"] == "two-way").sum() == 1
    # every quality points to both (intention to) use and satisfaction
    for q in QUALITIES:
        assert set(new.loc[new["source"] == q, "target"]) == {"intention_to_use", "user_satisfaction"}


# ---------------------------------------------------------------- simulation

def test_simulation_recovers_every_path(large):
    estimates = is_success.fit_paths(large, assumed=ILLUSTRATIVE_PATHS)
    assert len(estimates) == len(ILLUSTRATIVE_PATHS)
    error = (estimates["estimate"] - estimates["assumed"]).abs()
    assert error.max() < TOLERANCE, estimates


def test_simulated_variables_are_standardized(large):
    assert np.allclose(large.mean(), 0, atol=TOLERANCE)
    assert np.allclose(large.std(), 1, atol=TOLERANCE)
    implied = is_success.implied_correlations()
    assert np.abs(large.corr().to_numpy() - implied.to_numpy()).max() < TOLERANCE


def test_same_seed_same_data_and_different_seed_different_data():
    a, b = is_success.simulate(50, seed=3), is_success.simulate(50, seed=3)
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a.to_numpy(), is_success.simulate(50, seed=4).to_numpy())
    assert list(a.columns) == list(is_success.VARIABLES)


# ---------------------------------------------------------------- closed-form quantities

def test_implied_correlation_of_use_and_satisfaction():
    # corr(use, sat) = b_use→sat + sum_q b_q→sat · corr(q, use), with corr(q, use) from the qualities
    r = 0.3
    b_use = np.array([0.35, 0.00, 0.10])
    b_sat = np.array([0.15, 0.35, 0.20])
    q_corr = np.full((3, 3), r) + (1 - r) * np.eye(3)
    expected = 0.20 + b_sat @ q_corr @ b_use
    assert is_success.implied_correlations().loc["use", "user_satisfaction"] == pytest.approx(expected)
    assert expected == pytest.approx(0.34525)


def test_residual_variances_make_variances_one():
    psi = is_success.residual_variances()
    b = np.array([0.35, 0.00, 0.10])
    q_corr = np.full((3, 3), 0.3) + 0.7 * np.eye(3)
    assert psi["use"] == pytest.approx(1 - b @ q_corr @ b)
    assert psi["net_benefits"] == pytest.approx(1 - (0.09 + 0.16 + 2 * 0.3 * 0.4 * 0.34525))


def test_leaving_a_mechanism_out_gives_the_omitted_variable_value(large):
    r = is_success.implied_correlations().loc["use", "user_satisfaction"]
    use_only = is_success.population_coefficients("net_benefits", ["use"])
    sat_only = is_success.population_coefficients("net_benefits", ["user_satisfaction"])
    assert use_only["use"] == pytest.approx(0.30 + 0.40 * r)  # 0.438
    assert sat_only["user_satisfaction"] == pytest.approx(0.40 + 0.30 * r)  # 0.504
    both = is_success.population_coefficients("net_benefits", ["use", "user_satisfaction"])
    assert both.tolist() == pytest.approx([0.30, 0.40])
    fitted = is_success.fit_paths(large, {"net_benefits": ["use"]})
    assert fitted["estimate"].iloc[0] == pytest.approx(use_only["use"], abs=TOLERANCE)


def test_implied_effects_are_products_along_routes():
    effects = is_success.implied_effects(sources=("system_quality", "use"))
    table = effects.set_index(["source", "route"])["effect"]
    assert table[("system_quality", "use")] == pytest.approx(0.35 * 0.30)
    assert table[("system_quality", "use → user_satisfaction")] == pytest.approx(0.35 * 0.20 * 0.40)
    assert table[("system_quality", "user_satisfaction")] == pytest.approx(0.15 * 0.40)
    assert table[("use", "direct")] == pytest.approx(0.30)
    assert table[("use", "user_satisfaction")] == pytest.approx(0.08)
    assert effects.loc[effects["source"] == "system_quality", "route"].tolist() == [
        "use", "use → user_satisfaction", "user_satisfaction"]
    totals = is_success.total_effects()
    assert totals.round(3).tolist() == [0.193, 0.14, 0.118]


def test_total_effects_equal_the_reduced_form_regression(large):
    # regressing net benefits on the qualities alone estimates their total effects
    population = is_success.population_coefficients("net_benefits", list(QUALITIES))
    assert population.to_numpy() == pytest.approx(is_success.total_effects().to_numpy())
    fitted = is_success.fit_paths(large, {"net_benefits": list(QUALITIES)})
    assert np.abs(fitted["estimate"].to_numpy() - population.to_numpy()).max() < TOLERANCE


def test_a_direct_path_is_traced_and_absorbed_when_omitted():
    paths = {**ILLUSTRATIVE_PATHS, ("system_quality", "net_benefits"): 0.15}
    routes = is_success.implied_effects(paths, sources=["system_quality"])
    assert routes["route"].iloc[0] == "direct" and routes["effect"].iloc[0] == pytest.approx(0.15)
    absorbed = is_success.population_coefficients("net_benefits", ["use", "user_satisfaction"], paths)
    assert absorbed.round(3).tolist() == [0.342, 0.444]


def test_as_paths_round_trips(large):
    estimates = is_success.fit_paths(large)
    paths = is_success.as_paths(estimates)
    assert set(paths) == set(ILLUSTRATIVE_PATHS)


# ---------------------------------------------------------------- bad input

@pytest.mark.parametrize("n", [0, -5, 2.5, True])
def test_bad_n(n):
    with pytest.raises(ValueError, match=r"n must be a whole number of at least 1, got"):
        is_success.simulate(n)


@pytest.mark.parametrize("r, message", [(1.5, r"quality_correlation must be in \[-1, 1\], got 1.5"),
                                        (-1.2, r"quality_correlation must be in \[-1, 1\], got -1.2"),
                                        (-0.7, r"quality_correlation = -0.7 makes"),
                                        (1.0, r"quality_correlation = 1.0 makes")])
def test_bad_quality_correlation(r, message):
    with pytest.raises(ValueError, match=message):
        is_success.simulate(10, quality_correlation=r)


def test_bad_paths():
    with pytest.raises(ValueError, match=r"unknown variable 'loyalty'"):
        is_success.simulate(10, {("use", "loyalty"): 0.2})
    with pytest.raises(ValueError, match=r"'net_benefits' → 'use' is not allowed"):
        is_success.simulate(10, {("net_benefits", "use"): 0.2})
    with pytest.raises(ValueError, match=r"must be a finite number, got nan"):
        is_success.simulate(10, {("use", "net_benefits"): float("nan")})
    with pytest.raises(ValueError, match=r"paths into 'net_benefits' explain 1.2"):
        is_success.simulate(10, {("use", "net_benefits"): 1.1})
    with pytest.raises(ValueError, match=r"paths keys must be \(source, target\) pairs, got 'use'"):
        is_success.paths_table({"use": 0.2})


def test_bad_data_and_equations():
    data = is_success.simulate(30, seed=1)
    with pytest.raises(ValueError, match=r"data lacks column 'use'"):
        is_success.fit_paths(data.drop(columns="use"))
    with pytest.raises(ValueError, match=r"data has 3 rows, too few for 3 predictors of 'use'"):
        is_success.fit_paths(data.head(3))
    with pytest.raises(ValueError, match=r"equations\['use'\] must list at least one predictor"):
        is_success.fit_paths(data, {"use": []})
    with pytest.raises(ValueError, match=r"version must be 1992 or 2003, got 2010"):
        is_success.model_edges(2010)
    with pytest.raises(ValueError, match=r"sources: unknown variable 'quality'"):
        is_success.implied_effects(sources=["quality"])
    with pytest.raises(ValueError, match=r"unknown variable 'benefits'"):
        is_success.population_coefficients("benefits", ["use"])


# ---------------------------------------------------------------- figures and the explorer

def test_figures_have_titles_and_labels():
    paths = dict(ILLUSTRATIVE_PATHS)
    figures = [
        plots.is_success_diagram(is_success.paths_table(paths), values=paths, title="model"),
        plots.is_success_models({"1992": is_success.model_edges(1992), "2003": is_success.model_edges(2003)}, title="both"),
        plots.is_success_effects(is_success.implied_effects(paths, sources=(*QUALITIES, "use")), title="effects"),
        plots.is_success_estimates(is_success.fit_paths(is_success.simulate(200, seed=2), assumed=paths), title="estimates"),
    ]
    for fig in figures:
        axes = fig.get_axes()
        assert axes and (fig.get_suptitle() or axes[0].get_title())
        assert all(ax.get_xlabel() for ax in axes)
        plt.close(fig)


def test_explorer_starts_at_the_given_paths():
    box = widgets.is_success_explorer()
    sliders = [w for row in box.children[0].children for w in row.children]
    assert [s.value for s in sliders] == [0.35, 0.15, 0.20, 0.30, 0.40]
    with pytest.raises(ValueError, match=r"quality must be one of"):
        widgets.is_success_explorer(quality="price")
    plt.close("all")
