"""Tests of utils.loglinear on the Khodakarami & Chan (2014) 3×4×3 table and on small made-up tables.

Three independent checks of the fits: closed forms (independence), a 15-line iterative
proportional fitting (IPF) written here, and R's loglin()/glm() (tests/reference/loglinear.R and
the CSV it writes). The bootstrap is checked against statsmodels refits of the same simulated
tables and, statistically, against R's own bootstrap (tests/reference/loglinear_bootstrap.R).
"""

from __future__ import annotations

import dataclasses
import itertools
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.genmod.generalized_linear_model import GLM

from utils import data
from utils import loglinear as ll

FACTORS = ["system", "process", "knowledge"]
REFERENCE = Path(__file__).parent / "reference" / "loglinear_r.csv"
BOOTSTRAP_REFERENCE = Path(__file__).parent / "reference" / "loglinear_bootstrap_r.csv"
HOMOGENEOUS = "system*process + system*knowledge + process*knowledge"


@pytest.fixture(scope="module")
def counts() -> pd.DataFrame:
    return data.read_csv("khodakarami2014/counts.csv")


@pytest.fixture(scope="module")
def fits(counts) -> dict[str, ll.LoglinearFit]:
    return {label: ll.fit(counts, terms) for label, terms in ll.standard_models(FACTORS).items()}


def as_array(table: pd.DataFrame, values: str) -> np.ndarray:
    """A tidy table's column ``values`` as an array indexed by the factors' level codes."""
    codes = [pd.factorize(table[f])[0] for f in FACTORS]
    array = np.zeros([c.max() + 1 for c in codes])
    array[tuple(codes)] = table[values].to_numpy()
    return array


def ipf(observed: np.ndarray, terms: list[tuple[int, ...]], tol: float = 1e-12) -> np.ndarray:
    """Iterative proportional fitting: rescale to each generating margin in turn until stable."""
    fitted = np.ones_like(observed, dtype=float)
    for _ in range(100_000):
        before = fitted.copy()
        for axes in terms:
            other = tuple(a for a in range(observed.ndim) if a not in axes)
            target = observed.sum(axis=other, keepdims=True)
            current = fitted.sum(axis=other, keepdims=True)
            fitted = fitted * np.divide(target, current, out=np.zeros_like(current), where=current > 0)
        if np.abs(fitted - before).max() < tol:
            return fitted
    raise AssertionError("IPF did not converge")


def g2(observed: np.ndarray, fitted: np.ndarray) -> float:
    positive = observed > 0
    return float(2 * (observed[positive] * np.log(observed[positive] / fitted[positive])).sum())


def axes_of(terms) -> list[tuple[int, ...]]:
    return [tuple(FACTORS.index(f) for f in term) for term in terms]


# --------------------------------------------------------------------------- fits


def test_independence_fitted_values_are_products_of_margins(counts, fits):
    result = fits["[system][process][knowledge]"]
    n = counts["count"].sum()
    margin = {f: counts.groupby(f)["count"].transform("sum") for f in FACTORS}
    expected = margin["system"] * margin["process"] * margin["knowledge"] / n**2
    np.testing.assert_allclose(result.fitted["fitted"], expected, rtol=1e-7)
    observed = counts["count"].to_numpy()
    assert result.deviance == pytest.approx(g2(observed, expected.to_numpy()), rel=1e-8)
    assert result.pearson_chi2 == pytest.approx(((observed - expected) ** 2 / expected).sum(), rel=1e-8)
    assert result.df == 36 - (1 + 2 + 3 + 2)
    assert result.pvalue == pytest.approx(stats.chi2.sf(result.deviance, 28))


def test_fits_without_zero_margins_agree_with_ipf(counts):
    """All nine models on the table + 1 (no zero margin anywhere), fitted values and G² to 1e-6."""
    shifted = counts.assign(count=counts["count"] + 1)
    observed = as_array(shifted, "count")
    for label, terms in ll.standard_models(FACTORS).items():
        result = ll.fit(shifted, terms)
        expected = ipf(observed, axes_of(terms))
        assert not result.fitted["forced_zero"].any()
        np.testing.assert_allclose(as_array(result.fitted, "fitted"), expected, atol=1e-6, err_msg=label)
        assert result.deviance == pytest.approx(g2(observed, expected), abs=1e-6), label


def test_fits_with_zero_margins_agree_with_ipf(counts, fits):
    """On the real counts IPF reaches the same fitted values, with zeros in the forced-zero cells."""
    observed = as_array(counts, "count")
    for label, result in fits.items():
        expected = ipf(observed, axes_of(result.terms))
        np.testing.assert_allclose(as_array(result.fitted, "fitted"), expected, atol=1e-6, err_msg=label)
        assert result.deviance == pytest.approx(g2(observed, expected), abs=1e-6), label
        forced = as_array(result.fitted, "forced_zero").astype(bool)
        assert (expected[forced] == 0).all(), label
        assert (expected[~forced] > 1e-3).all(), label  # the dropped cells are exactly IPF's zeros


def test_against_r_loglin_and_glm(fits):
    """G² and X² match R to 1e-4. R's df are nominal (not adjusted for zeros); ours are adjusted,
    so they are smaller when a cell is forced to zero (except for the saturated model, 0 in both)."""
    reference = pd.read_csv(REFERENCE)
    assert len(reference) == 9
    for row in reference.itertuples(index=False):
        result = fits[ll.model_label(ll.parse_terms(row.terms, FACTORS))]
        for value in (row.loglin_g2, row.glm_deviance):
            assert result.deviance == pytest.approx(value, abs=1e-4), row.terms
        for value in (row.loglin_x2, row.glm_x2):
            assert result.pearson_chi2 == pytest.approx(value, abs=1e-4), row.terms
        assert row.loglin_df == row.glm_df == result.nominal_df, row.terms
        if result.fitted["forced_zero"].any() and row.loglin_df > 0:
            assert result.df < row.loglin_df, row.terms
        else:
            assert result.df == row.loglin_df, row.terms


def test_adjusted_df_by_hand(fits):
    # Nominal df = 36 cells − parameters. Adjusted df = (36 − forced-zero cells) − (parameters −
    # parameters that only the forced-zero cells inform).
    # [system×process][knowledge]: parameters 12 (system×process cells) + 2 (knowledge) = 14, nominal
    #   df 22. The system×process margin is 0 for analytical×socialization and
    #   analytical×externalization: 2 × 3 knowledge = 6 cells forced to 0, 2 parameters lost.
    #   df = (36 − 6) − (14 − 2) = 18.
    # [system×process][process×knowledge]: parameters 12 + 12 − 4 (process counted twice) = 20,
    #   nominal df 16. Zero margins: the 2 system×process cells above (6 cells) and
    #   combination×from (1 process×knowledge cell, 3 systems): 9 cells, 3 parameters lost.
    #   df = (36 − 9) − (20 − 3) = 10.
    # [system×process][system×knowledge][process×knowledge]: parameters 1 + 7 main + 6 + 4 + 6 =
    #   24, nominal df 12; the system×knowledge margins are all positive, so the same 9 cells and 3
    #   parameters go: df = (36 − 9) − (24 − 3) = 6.
    assert fits["[system×process][knowledge]"].df == 18
    assert fits["[system×process][process×knowledge]"].df == 10
    assert fits["[system×process][system×knowledge][process×knowledge]"].df == 6
    assert fits["[system×process×knowledge]"].df == 0


def test_forced_zero_cells_are_reported_not_nan(fits):
    result = fits["[system×process][knowledge]"]
    forced = result.forced_zero_cells
    assert len(forced) == 6
    assert set(forced["system"]) == {"analytical"}
    assert set(forced["process"]) == {"socialization", "externalization"}
    rows = result.fitted[result.fitted["forced_zero"]]
    assert (rows["fitted"] == 0).all() and (rows["std_residual"] == 0).all() and (rows["observed"] == 0).all()
    for fitted in [result.fitted for result in fits.values()]:
        assert not fitted.isna().any().any()
    assert "forced to zero by a zero margin and dropped: 6" in result.summary()
    assert "analytical, socialization, for" in str(result)


def test_saturated_model(fits, counts):
    result = fits["[system×process×knowledge]"]
    assert result.deviance == pytest.approx(0, abs=1e-8)
    assert result.pearson_chi2 == pytest.approx(0, abs=1e-8)
    assert result.df == 0 and result.pvalue == 1.0
    np.testing.assert_allclose(result.fitted["fitted"], counts["count"], atol=1e-6)
    assert (result.fitted["std_residual"] == 0).all()
    assert result.fitted["forced_zero"].sum() == (counts["count"] == 0).sum() == 12


def test_adjusted_residuals_match_the_two_way_closed_form(counts):
    """Independence in a two-way table: (o − e) / sqrt(e (1 − r_i/n)(1 − c_j/n))."""
    table = ll.collapse(counts, ["system", "knowledge"])
    result = ll.fit(table, "system + knowledge")
    n = table["count"].sum()
    r = table.groupby("system")["count"].transform("sum") / n
    c = table.groupby("knowledge")["count"].transform("sum") / n
    e = r * c * n
    expected = (table["count"] - e) / np.sqrt(e * (1 - r) * (1 - c))
    np.testing.assert_allclose(result.fitted["std_residual"], expected, rtol=1e-6)


def test_term_forms_are_equivalent(counts):
    a = ll.fit(counts, "system*process + knowledge")
    b = ll.fit(counts, [("process", "system"), "knowledge", ("system",)])
    c = ll.fit(counts, ["system*process", "knowledge"])
    assert a.terms == b.terms == c.terms == (("system", "process"), ("knowledge",))
    assert a.label == "[system×process][knowledge]"
    assert a.deviance == pytest.approx(b.deviance) == pytest.approx(c.deviance)


def test_generic_factor_names_and_order():
    """Any column names, including ones that are not Python identifiers; any row order."""
    cells = list(itertools.product(["x", "y"], [1, 2, 3]))
    table = pd.DataFrame(cells, columns=["my factor", "2nd"]).assign(n=[5, 1, 4, 2, 6, 3]).iloc[::-1]
    result = ll.fit(table, [("my factor",), ("2nd",)], count="n")
    assert result.df == 2
    assert result.fitted["fitted"].sum() == pytest.approx(21)


# --------------------------------------------------------------------------- hierarchy and comparisons


def test_hierarchy_table(counts, fits):
    table = ll.hierarchy(counts, FACTORS)
    assert list(table["model"]) == list(fits)
    assert list(table.columns) == ["model", "G2", "X2", "df", "nominal_df", "p", "AIC", "forced_zero", "below_5"]
    assert list(table["forced_zero"]) == [0, 6, 0, 3, 6, 9, 3, 9, 12]
    assert list(table["df"]) == [28, 18, 24, 20, 14, 10, 16, 6, 0]
    # nominal df = 36 − parameters of the hierarchical closure (R's loglin agrees, see above)
    assert list(table["nominal_df"]) == [28, 22, 24, 22, 18, 16, 18, 12, 0]
    for row, result in zip(table.itertuples(index=False), fits.values()):
        assert row.G2 == pytest.approx(result.deviance) and row.AIC == pytest.approx(result.aic)
    assert table.loc[0, "model"] == "[system][process][knowledge]"
    assert table.loc[1, "model"] == "[system×process][knowledge]"
    assert not table.isna().any().any()


def test_hierarchy_of_two_factors_collapses_the_table(counts):
    table = ll.hierarchy(counts, ["system", "process"])
    assert list(table["model"]) == ["[system][process]", "[system×process]"]
    two_way = ll.two_way(counts, "system", "process")
    statistic = stats.chi2_contingency(two_way, correction=False, lambda_="log-likelihood").statistic
    assert table.loc[0, "G2"] == pytest.approx(statistic)
    assert table.loc[0, "df"] == 6 and table.loc[1, "df"] == 0


def test_compare_nested_models(fits):
    small, large = fits["[system][process][knowledge]"], fits["[system×process][system×knowledge][process×knowledge]"]
    test = ll.compare(small, large)
    assert test["delta_g2"] == pytest.approx(small.deviance - large.deviance)
    assert test["delta_df"] == small.df - large.df == 22
    assert test["pvalue"] == pytest.approx(stats.chi2.sf(test["delta_g2"], 22))
    assert test["smaller"] == small.label


def test_compare_refuses_models_that_are_not_nested(fits, counts):
    sp_k, sk_p = fits["[system×process][knowledge]"], fits["[system×knowledge][process]"]
    with pytest.raises(ValueError, match="not nested"):
        ll.compare(sp_k, sk_p)
    with pytest.raises(ValueError, match="not nested.*smaller model first"):
        ll.compare(fits["[system×process×knowledge]"], sp_k)
    with pytest.raises(ValueError, match="nothing to compare"):
        ll.compare(sp_k, sp_k)
    other = ll.fit(counts.assign(count=counts["count"] + 1), "system*process*knowledge")
    with pytest.raises(ValueError, match="different tables"):
        ll.compare(sp_k, other)


def test_parametric_bootstrap_is_reproducible(fits):
    small = fits["[system×process][system×knowledge][process×knowledge]"]
    large = fits["[system×process×knowledge]"]
    first = ll.parametric_bootstrap(small, large, n_sim=40, seed=7)
    second = ll.parametric_bootstrap(small, large, n_sim=40, seed=7)
    np.testing.assert_array_equal(first.statistics, second.statistics)
    assert first.bootstrap_p == second.bootstrap_p
    exceed = (first.statistics >= first.delta_g2 - 1e-8 * first.delta_g2).sum()
    assert first.bootstrap_p == (1 + exceed) / 41
    assert first.mc_se == pytest.approx(np.sqrt(first.bootstrap_p * (1 - first.bootstrap_p) / 40))
    assert (first.statistics > -1e-8).all()
    assert first.delta_df == 6 and first.asymptotic_p == pytest.approx(stats.chi2.sf(first.delta_g2, 6))
    assert first.nominal_delta_df == 12
    assert first.asymptotic_p_nominal == pytest.approx(stats.chi2.sf(first.delta_g2, 12))
    assert first.null_mean == pytest.approx(first.statistics.mean())
    text = str(first)
    assert "bootstrap p" in text and "one-sided in ΔG²" in text and "Monte Carlo s.e." in text


def test_one_test_gets_the_same_tables_wherever_it_runs(counts, fits):
    """An integer seed is combined with the two models' labels: the three-way test is the same
    alone, as the last goodness-of-fit row of hierarchy(), and as drop_tests() of the saturated model."""
    homogeneous, saturated = fits["[system×process][system×knowledge][process×knowledge]"], fits["[system×process×knowledge]"]
    ll._BOOTSTRAPS.clear()  # recompute each time: the cache would make the equalities trivial
    alone = ll.parametric_bootstrap(homogeneous, saturated, n_sim=300, seed=11)
    ll._BOOTSTRAPS.clear()
    table = ll.hierarchy(counts, FACTORS, n_sim=300, seed=11)
    ll._BOOTSTRAPS.clear()
    dropped = ll.drop_tests(saturated, n_sim=300, seed=11)
    assert table.loc[7, "bootstrap_p"] == alone.bootstrap_p == dropped.loc[0, "bootstrap_p"]
    assert table.loc[7, "null_mean"] == alone.null_mean == dropped.loc[0, "null_mean"]
    other = ll.parametric_bootstrap(homogeneous, saturated, n_sim=300, seed=12)
    assert not np.array_equal(other.statistics, alone.statistics)
    generator = np.random.default_rng(11)
    assert ll.parametric_bootstrap(homogeneous, saturated, n_sim=5, seed=generator).n_sim == 5


def test_a_seeded_test_is_computed_once(fits):
    homogeneous, saturated = fits["[system×process][system×knowledge][process×knowledge]"], fits["[system×process×knowledge]"]
    first = ll.parametric_bootstrap(homogeneous, saturated, n_sim=50, seed=5)
    assert ll.parametric_bootstrap(homogeneous, saturated, n_sim=50, seed=5) is first
    assert ll.parametric_bootstrap(homogeneous, saturated, n_sim=51, seed=5) is not first
    assert ll.parametric_bootstrap(homogeneous, saturated, n_sim=50, seed=5, alpha=0.01) is not first
    with pytest.raises(ValueError, match="read-only"):
        first.statistics[0] = 0.0  # shared results cannot be changed by one caller


def test_ipf_refits_equal_statsmodels_refits(counts, fits):
    """The bootstrap's batched IPF (with its statsmodels fallback) gives, table by table, the G²
    that fit() (statsmodels' IRLS, the taught method) gives on the same simulated tables; among
    them are tables with new zero margins and tables whose estimate is on the boundary."""
    rng = np.random.default_rng(3)
    homogeneous = fits["[system×process][system×knowledge][process×knowledge]"]
    probabilities = homogeneous.fitted["fitted"].to_numpy() / homogeneous.n
    tables = rng.multinomial(homogeneous.n, probabilities / probabilities.sum(), size=300).astype(float)
    for label in ("[system×process][system×knowledge]", "[system×process][system×knowledge][process×knowledge]"):
        model = fits[label]
        fast = ll._deviances(model, tables)
        for i in range(0, 300, 10):
            simulated = counts.assign(count=tables[i].astype(int))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ll.LoglinearWarning)  # boundary tables: limiting fit
                slow = ll.fit(simulated, model.terms).deviance
            assert fast[i] == pytest.approx(slow, abs=1e-6), (label, i)


def test_ipf_converges_to_the_fitted_margins_and_flags_boundary_tables():
    # Two tables of the 2×2×2 boundary example (see the last test of this file) and one ordinary
    # table, under no-three-way-interaction: IPF converges on the ordinary table only.
    boundary = np.array([0, 3, 4, 2, 5, 1, 6, 0], dtype=float).reshape(2, 2, 2)
    ordinary = boundary + 1
    fitted, converged = ll._ipf(np.stack([boundary, ordinary]), [(0, 1), (0, 2), (1, 2)])
    assert converged.tolist() == [False, True]
    for axes in [(2,), (1,), (0,)]:
        np.testing.assert_allclose(fitted[1].sum(axis=axes), ordinary.sum(axis=axes), atol=1e-8)


def test_bootstrap_agrees_with_r(counts):
    """Every nested test of the chapter against R's loglin bootstrap with 20,000 tables (its own
    random numbers): p and the mean of ΔG² within 4 combined Monte Carlo standard errors."""
    reference = pd.read_csv(BOOTSTRAP_REFERENCE)
    assert len(reference) == 11
    n_sim = 4000
    for row in reference.itertuples(index=False):
        smaller, larger = ll.fit(counts, row.smaller), ll.fit(counts, row.larger)
        result = ll.parametric_bootstrap(smaller, larger, n_sim=n_sim, seed=2024)
        assert result.delta_g2 == pytest.approx(row.delta_g2, abs=1e-6), row.test
        p_r = row.bootstrap_p
        se = np.sqrt(max(p_r, 1 / n_sim) * (1 - p_r) / n_sim + p_r * (1 - p_r) / row.n_sim)
        assert abs(result.bootstrap_p - p_r) < 4 * se + 1 / n_sim, row.test
        se_mean = np.sqrt(result.statistics.var() / n_sim + row.sd_delta_g2**2 / row.n_sim)
        assert abs(result.null_mean - row.mean_delta_g2) < 4 * se_mean, row.test


def test_which_df_the_nested_tests_need():
    """R's bootstrap (independent of the book's code) settles which df describe ΔG² under the null:
    the zero-adjusted Δdf when both models force the same cells to zero (the three-way test: 6;
    dropping system×knowledge: 4), the nominal Δdf when the larger model forces cells the smaller
    does not (dropping process×knowledge: adjusted 8, nominal 6; system×process: 10 and 6)."""
    reference = pd.read_csv(BOOTSTRAP_REFERENCE).set_index("test")
    means = reference["mean_delta_g2"]
    assert abs(means["fit of system*process + system*knowledge + process*knowledge"] - 6) < 0.5
    assert abs(means["drop system*knowledge"] - 4) < 0.5
    assert abs(means["drop process*knowledge"] - 6) < 0.5
    assert abs(means["drop system*process"] - 6) < 0.5


def test_drop_term_keeps_the_lower_order_parts():
    homogeneous = (("system", "process"), ("system", "knowledge"), ("process", "knowledge"))
    assert ll.drop_term(homogeneous, ("system", "process")) == (("system", "knowledge"), ("process", "knowledge"))
    assert ll.drop_term((("system", "process", "knowledge"),), ("system", "process", "knowledge"),
                        FACTORS) == homogeneous
    assert ll.drop_term((("system", "process"), ("knowledge",)), ("knowledge",)) == (("system", "process"),)
    with pytest.raises(ValueError, match=r"not a generating term.*drop one of \[system×process\]"):
        ll.drop_term((("system", "process"), ("knowledge",)), ("system",))
    with pytest.raises(ValueError, match="no term"):
        ll.drop_term((("system",),), ("system",))


def test_drop_tests_name_the_term_dropped(fits):
    table = ll.drop_tests(fits["[system×process][system×knowledge][process×knowledge]"], n_sim=200, seed=1)
    assert list(table["term"]) == ["system×process", "system×knowledge", "process×knowledge"]
    assert list(table["smaller"]) == ["[system×knowledge][process×knowledge]", "[system×process][process×knowledge]",
                                      "[system×process][system×knowledge]"]
    assert list(table["delta_df"]) == [10, 4, 8] and list(table["nominal_delta_df"]) == [6, 4, 6]
    assert set(table["verdict"]) <= {"needed", "not shown", "borderline"}
    assert not table.isna().any().any()


def test_hierarchy_with_the_bootstrap(counts):
    table = ll.hierarchy(counts, FACTORS, n_sim=200, seed=3)
    assert list(table.columns) == ["model", "G2", "X2", "df", "nominal_df", "p", "bootstrap_p", "mc_se",
                                   "null_mean", "verdict", "AIC", "forced_zero", "below_5"]
    assert table.loc[8, "verdict"] == "fits exactly" and table.loc[8, "bootstrap_p"] == 1.0
    assert set(table.loc[:7, "verdict"]) <= {"rejected", "not rejected", "borderline"}
    assert (table.loc[:7, "bootstrap_p"] >= 1 / 201).all()
    assert not table.isna().any().any()


def test_verdicts_are_borderline_within_three_monte_carlo_errors(fits):
    homogeneous, saturated = fits["[system×process][system×knowledge][process×knowledge]"], fits["[system×process×knowledge]"]
    result = ll.parametric_bootstrap(homogeneous, saturated, n_sim=100, seed=1)
    near = dataclasses.replace(result, bootstrap_p=0.06, mc_se=np.sqrt(0.06 * 0.94 / 100))
    assert near.verdict.label == "borderline" and "borderline" in str(near)
    far = dataclasses.replace(result, n_sim=100_000, bootstrap_p=0.06, mc_se=np.sqrt(0.06 * 0.94 / 1e5))
    assert far.verdict.label == "not supported" and "not shown" in str(far)
    assert "one-sided in ΔG²" in far.verdict.test
    assert ll.parametric_bootstrap(homogeneous, saturated, n_sim=100, seed=1, alpha=0.001).alpha == 0.001


def test_expected_below_5(fits):
    result = fits["[system][process][knowledge]"]
    assert ll.expected_below_5(result) == pytest.approx((result.fitted["fitted"] < 5).mean())
    forced = fits["[system×process][knowledge]"]
    retained = forced.fitted[~forced.fitted["forced_zero"]]
    assert ll.expected_below_5(forced) == pytest.approx((retained["fitted"] < 5).sum() / 30)


# --------------------------------------------------------------------------- exact conditional test


@pytest.mark.parametrize("table", [[[8, 2], [1, 5]], [[2, 7], [8, 2]]])
def test_monte_carlo_agrees_with_fisher_on_2x2(table):
    table = np.array(table)
    # Ordering 2×2 tables by G² gives the same rejection region as Fisher's ordering by
    # probability for these tables: check that exactly, then the Monte Carlo estimate against it.
    r, c, n = table.sum(axis=1), table.sum(axis=0), table.sum()
    a = np.arange(max(0, r[0] + c[0] - n), min(r[0], c[0]) + 1)
    tables = np.stack([[[x, r[0] - x], [c[0] - x, r[1] - c[0] + x]] for x in a]).astype(float)
    statistics = ll._g2_x2(tables, np.outer(r, c) / n)[0]
    observed = ll._g2_x2(table.astype(float), np.outer(r, c) / n)[0]
    exact = stats.hypergeom(n, r[0], c[0]).pmf(a)[statistics >= observed - 1e-9].sum()
    fisher = stats.fisher_exact(table).pvalue
    assert exact == pytest.approx(fisher)
    result = ll.monte_carlo_independence(table, n_sim=9999, seed=1)
    assert abs(result.mc_p_g2 - fisher) < 4 * np.sqrt(fisher * (1 - fisher) / 9999) + 1e-4
    assert result.mc_se_g2 == pytest.approx(np.sqrt(result.mc_p_g2 * (1 - result.mc_p_g2) / 9999))


def test_monte_carlo_is_reproducible_and_matches_asymptotics(counts):
    table = ll.two_way(counts, "system", "knowledge")
    a = ll.monte_carlo_independence(table, n_sim=2000, seed=2014)
    b = ll.monte_carlo_independence(table, n_sim=2000, seed=2014)
    assert a == b
    chi = stats.chi2_contingency(table, correction=False)
    assert a.x2 == pytest.approx(chi.statistic) and a.asymptotic_p_x2 == pytest.approx(chi.pvalue)
    lr = stats.chi2_contingency(table, correction=False, lambda_="log-likelihood")
    assert a.g2 == pytest.approx(lr.statistic) and a.df == 4
    assert a.mc_p_g2 >= 1 / 2001
    assert a.dropped_rows == [] and a.dropped_columns == []
    assert a.verdict.label == "supported" and "upper tail" in a.verdict.test
    assert "verdict at α = 0.05" in a.summary()


def test_monte_carlo_drops_an_empty_row():
    table = pd.DataFrame([[3, 4, 0], [0, 0, 0], [5, 1, 0]], index=["a", "b", "c"], columns=["x", "y", "z"])
    result = ll.monte_carlo_independence(table, n_sim=500, seed=3)
    assert result.dropped_rows == ["b"] and result.dropped_columns == ["z"]
    assert result.table.shape == (2, 2) and result.df == 1
    assert "dropped (margin 0): rows ['b'], columns ['z']" in result.summary()
    with pytest.raises(ValueError, match="at least 2×2"):
        ll.monte_carlo_independence([[1, 2], [0, 0]], n_sim=10)


# --------------------------------------------------------------------------- bad input


def test_bad_input_is_named(counts):
    with pytest.raises(ValueError, match="no count column 'n'"):
        ll.fit(counts, "system", count="n")
    with pytest.raises(ValueError, match="unknown factor 'channel'"):
        ll.fit(counts, "system*channel")
    with pytest.raises(ValueError, match="unknown factor 'channel'"):
        ll.hierarchy(counts, ["system", "channel"])
    with pytest.raises(ValueError, match="negative counts"):
        ll.fit(counts.assign(count=counts["count"] - 1), "system")
    with pytest.raises(ValueError, match="non-integer counts, e.g. 8.5"):
        ll.fit(counts.assign(count=counts["count"] + 0.5), "system")
    with pytest.raises(ValueError, match="1 missing count"):
        ll.fit(counts.assign(count=counts["count"].where(counts.index != 3)), "system")
    with pytest.raises(ValueError, match="non-numeric counts"):
        ll.fit(counts.assign(count=counts["count"].astype(object).where(counts.index != 3, "many")), "system")
    with pytest.raises(ValueError, match="duplicate cells"):
        ll.fit(pd.concat([counts, counts.head(1)]), "system")
    with pytest.raises(ValueError, match="35 of the 36 cells"):
        ll.fit(counts.iloc[1:], "system")
    with pytest.raises(ValueError, match="empty"):
        ll.fit(counts.iloc[:0], "system")
    with pytest.raises(ValueError, match="every count is zero"):
        ll.fit(counts.assign(count=0), "system")
    with pytest.raises(ValueError, match="no terms"):
        ll.fit(counts, [])
    with pytest.raises(ValueError, match="missing labels"):
        ll.fit(counts.assign(system=counts["system"].where(counts.index != 0)), "system")
    with pytest.raises(TypeError, match="DataFrame"):
        ll.fit(counts.to_numpy(), "system")
    with pytest.raises(ValueError, match="two or three distinct factors"):
        ll.hierarchy(counts, ["system"])
    with pytest.raises(ValueError, match="negative counts"):
        ll.monte_carlo_independence([[1, -2], [3, 4]])
    with pytest.raises(ValueError, match="n_sim must be a whole number of at least 1, got 0"):
        ll.monte_carlo_independence([[1, 2], [3, 4]], n_sim=0)


def test_bad_bootstrap_input_is_named(fits):
    small, large = fits["[system×process][system×knowledge]"], fits["[system×process][system×knowledge][process×knowledge]"]
    with pytest.raises(ValueError, match="n_sim must be a whole number of at least 1, got 0"):
        ll.parametric_bootstrap(small, large, n_sim=0)
    with pytest.raises(ValueError, match="alpha must lie strictly between 0 and 1, got 2"):
        ll.parametric_bootstrap(small, large, n_sim=10, alpha=2)
    with pytest.raises(ValueError, match="seed must be a whole number of at least 0, got -1"):
        ll.parametric_bootstrap(small, large, n_sim=10, seed=-1)
    with pytest.raises(TypeError, match="LoglinearFit"):
        ll.drop_tests("not a fit")


def test_a_glm_that_does_not_converge_raises(counts, monkeypatch):
    fit = GLM.fit
    monkeypatch.setattr(GLM, "fit", lambda self, *args, **kwargs: fit(self, *args, **{**kwargs, "maxiter": 1}))
    with pytest.raises(RuntimeError, match="did not converge"):
        ll.fit(counts, HOMOGENEOUS)


def test_a_boundary_estimate_warns_with_its_cells():
    """No three-way interaction in a 2×2×2 table with zeros at (0,0,0) and (1,1,1): every
    two-way margin is positive, yet the MLE does not exist (the fitted values of the two zero
    cells go to 0)."""
    table = pd.DataFrame(list(itertools.product("ab", "cd", "ef")), columns=["A", "B", "C"])
    table["count"] = [0, 3, 4, 2, 5, 1, 6, 0]
    with pytest.warns(ll.LoglinearWarning, match=r"does not exist.*a, c, e; b, d, f"):
        result = ll.fit(table, "A*B + A*C + B*C")
    assert not result.fitted["forced_zero"].any()


# --------------------------------------------------------------------------- explorer


def test_model_explorer_starts_where_its_static_figure_is(counts):
    from utils import widgets

    box = widgets.model_explorer(counts)
    assert box.children[0].value == "[system][process][knowledge]"
    assert widgets.model_explorer(counts, start="[system×process×knowledge]").children[0].value == "[system×process×knowledge]"
    with pytest.raises(ValueError, match="start must be one of the hierarchy's models .* got 'homogeneous'"):
        widgets.model_explorer(counts, start="homogeneous")
