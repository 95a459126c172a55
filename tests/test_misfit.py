"""utils.misfit (chapter 21): the assumed population, exact samples and the fit statistics of a
model that leaves out a cross-loading.

Independent expectations: the population covariances are products of loadings and factor
correlations (written out by hand below); a model fitted to data whose covariance *is* its own
population matrix must return the population values with χ² = 0; ML's χ² on exact data is n
times a fixed discrepancy, so it doubles with n; and a large simulated sample recovers the
population covariances and RMSEA within their sampling error.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from utils import misfit, plots, sem, widgets


def test_population_covariances_are_products_of_loadings_and_correlations():
    sigma = misfit.population_covariance(0.0)
    assert np.allclose(np.diag(sigma), 1.0)
    assert sigma.loc["x1", "x2"] == pytest.approx(0.77 * 0.42)          # same factor
    assert sigma.loc["x1", "x4"] == pytest.approx(0.77 * 0.46 * 0.85)   # visual with textual
    assert sigma.loc["x7", "x9"] == pytest.approx(0.57 * 0.67)
    with_cross = misfit.population_covariance(0.3)
    # x9 = 0.67 speed + 0.3 visual + e: its covariance with x1 = 0.77 (0.67 r_vs + 0.3)
    assert with_cross.loc["x1", "x9"] == pytest.approx(0.77 * (0.67 * 0.47 + 0.3))
    assert with_cross.loc["x9", "x9"] == pytest.approx(1.0)
    assert np.all(np.linalg.eigvalsh(with_cross.to_numpy()) > 0)


def test_a_cross_loading_that_leaves_x9_no_variance_is_refused():
    with pytest.raises(ValueError, match=r"cross_loading must lie between -1\.09 and 0\.46.*got 0\.6"):
        misfit.population_covariance(0.6)
    with pytest.raises(ValueError, match=r"cross_loading must be a number, got 'big'"):
        misfit.population_covariance("big")


def test_exact_sample_has_the_population_covariance():
    data = misfit.exact_sample(500, 0.2, seed=3)
    observed = np.cov(data.to_numpy(), rowvar=False, ddof=0)
    assert np.allclose(observed, misfit.population_covariance(0.2).to_numpy(), atol=1e-10)
    assert np.allclose(data.mean(), 0.0, atol=1e-12)


def test_the_right_model_on_exact_data_returns_the_population():
    result = sem.fit(misfit.MODEL, misfit.exact_sample(1000, 0.0, seed=1))
    assert result.fit_table["chi2"] == pytest.approx(0.0, abs=1e-6)
    standardized = result.estimates.query("op == '=~'").set_index("rhs")["std_all"]
    for indicator, (_, loading) in misfit.LOADINGS.items():
        assert standardized[indicator] == pytest.approx(loading, abs=1e-4), indicator
    assert misfit.population_rmsea(0.0) == 0.0
    assert misfit._population_rmsea(0.0) == pytest.approx(0.0, abs=1e-4)  # the fitted value agrees


def test_chi2_on_exact_data_is_n_times_a_fixed_discrepancy():
    small = sem.fit(misfit.MODEL, misfit.exact_sample(1000, 0.3, seed=1)).fit_table["chi2"]
    large = sem.fit(misfit.MODEL, misfit.exact_sample(2000, 0.3, seed=2)).fit_table["chi2"]
    assert small > 10
    assert large / small == pytest.approx(2.0, rel=1e-4)


def test_population_rmsea_grows_with_the_left_out_loading():
    values = [misfit.population_rmsea(lam) for lam in (0.0, 0.15, 0.3, 0.45)]
    assert values[0] == 0 and all(a < b for a, b in zip(values, values[1:]))


def test_a_large_sample_recovers_the_population():
    # n = 20,000: a covariance's standard error is at most √(2/n) ≈ 0.01, so 0.04 is 4 SE
    data = misfit.simulate(20_000, 0.3, seed=5)
    assert np.abs(np.cov(data.to_numpy(), rowvar=False) - misfit.population_covariance(0.3).to_numpy()).max() < 0.04
    # the sample RMSEA is consistent for the population RMSEA; its 90% interval at this n is
    # about ±0.003 wide, so 0.01 is over 3 interval half-widths
    found = misfit.fit_indices(20_000, 0.3, seed=5)
    assert found["rmsea"] == pytest.approx(misfit.population_rmsea(0.3), abs=0.01)
    assert found["df"] == 24 and set(found) == {*misfit.FIT_COLUMNS, "heywood"} and not found["heywood"]


def test_the_grid_is_tidy_and_repeats_with_its_seed():
    grid = misfit.misfit_grid([100, 400], [0.0, 0.3], seed=7)
    assert len(grid) == 4
    assert list(grid.columns) == ["cross_loading", "n", *misfit.FIT_COLUMNS, "heywood", "population_rmsea"]
    pd.testing.assert_frame_equal(grid, misfit.misfit_grid([100, 400], [0.0, 0.3], seed=7))
    assert grid.groupby("cross_loading")["population_rmsea"].nunique().eq(1).all()
    assert not grid.equals(misfit.misfit_grid([100, 400], [0.0, 0.3], seed=8))


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"sizes": [10]}, r"sizes must be a whole number of at least 20, got 10"),
    ({"sizes": []}, r"sizes and cross_loadings must each hold at least one value, got 0 and 2"),
    ({"sizes": [100], "seed": -1}, r"seed must be a whole number of at least 0, got -1"),
])
def test_bad_grid_input_is_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        misfit.misfit_grid(**{"cross_loadings": [0.0, 0.3], **kwargs})


def test_bad_sample_size_is_named():
    with pytest.raises(ValueError, match=r"n must be a whole number of at least 20, got 5"):
        misfit.simulate(5)


def test_misfit_figure_and_explorer():
    grid = misfit.misfit_grid([100, 400], [0.0, 0.3], seed=0)
    fig = plots.sem_misfit(grid, title="misfit")
    assert fig.get_suptitle() == "misfit" and all(ax.get_xlabel() and ax.get_ylabel() for ax in fig.get_axes())
    plt.close(fig)
    explorer = widgets.sem_misfit_explorer(0.2, sizes=(100, 200), seed=20261122)
    loading, samples, output = explorer.children
    assert (loading.value, samples.value, output.outputs) == (0.2, 0, ())  # nothing drawn until a move
    samples.value = 1  # draws: two fits per size, no error
    plt.close("all")
