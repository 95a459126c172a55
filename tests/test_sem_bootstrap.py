"""Tests of utils.sem.bootstrap.indirect_effects.

Tolerances: the fast path's (OLS) path coefficients and products must equal semopy's ML estimates
(fitted with ftol 1e-12) within 1e-4, on the full sample and on single resamples refitted with
semopy. Interval tests use simulated data with known effects and fixed seeds, so they are
deterministic. The file runs in a few seconds (a few hundred to 2,000 resamples per call).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import semopy

from utils.sem.bootstrap import _counts, _draws, _group_bootstrap, _ols_paths, _structure, indirect_effects
from utils.sem.errors import SemError, SemWarning

DESC = """
m1 ~ x
m2 ~ m1 + x
y ~ m2 + m1 + x
"""
CHAIN = ("x", "m1", "m2", "y")
TOL = 1e-4


def simulate(n: int, seed: int, a: float = 0.5, b: float = 0.4, c: float = 0.3) -> pd.DataFrame:
    """X → M1 → M2 → Y plus direct paths; the indirect effect along CHAIN is a·b·c."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    m1 = a * x + rng.normal(size=n)
    m2 = b * m1 + 0.2 * x + rng.normal(size=n)
    y = c * m2 + 0.1 * m1 + 0.1 * x + rng.normal(size=n)
    return pd.DataFrame({"x": x, "m1": m1 + 3, "m2": m2 - 1, "y": y + 10})


def semopy_chain(desc: str, data: pd.DataFrame, chain) -> float:
    """The product of semopy's ML estimates of the paths along ``chain``."""
    model = semopy.Model(desc)
    model.fit(data, options={"ftol": 1e-12})
    table = model.inspect()
    regressions = table[table["op"] == "~"].set_index(["lval", "rval"])["Estimate"]
    return float(np.prod([regressions[(end, start)] for start, end in zip(chain, chain[1:])]))


@pytest.fixture(scope="module")
def two_groups() -> pd.DataFrame:
    return pd.concat([simulate(300, 1).assign(team="north"),
                      simulate(300, 2, a=0.3).assign(team="alpha")], ignore_index=True)


# --------------------------------------------------------------------------- the estimator


def test_point_estimate_is_product_of_semopy_estimates():
    data = simulate(300, 11)
    table = indirect_effects(DESC, data, [CHAIN, ("x", "m1", "y"), ("m1", "m2")], n_boot=50, seed=1)
    assert table.attrs["method"] == "ols"
    for chain, estimate in zip([CHAIN, ("x", "m1", "y"), ("m1", "m2")], table["estimate"]):
        assert estimate == pytest.approx(semopy_chain(DESC, data, chain), abs=TOL)


def test_fast_path_equals_semopy_refit_of_the_same_resamples():
    data = simulate(200, 12)
    structure = _structure(DESC)
    matrix = data[structure.observed].to_numpy(float)
    indices = next(_draws(len(data), 3, np.random.default_rng(5)))
    paths, ok = _ols_paths(matrix, _counts(indices, len(data)), structure.observed, structure.regressions)
    assert ok.all()
    for b, rows in enumerate(indices):
        model = semopy.Model(DESC)
        model.fit(data.iloc[rows].reset_index(drop=True), options={"ftol": 1e-12})
        table = model.inspect()
        for _, row in table[table["op"] == "~"].iterrows():
            assert paths[(row["rval"], row["lval"])][b] == pytest.approx(row["Estimate"], abs=TOL)


def test_the_three_routes_agree_on_the_same_draws():
    # the routes of _group_bootstrap draw the same resamples from the same generator state:
    # OLS (fast), batched Fisher scoring and semopy refits must give the same estimates
    data = simulate(150, 13)
    fast = _structure(DESC)
    scoring = dataclasses.replace(fast, fast=False)
    refit = dataclasses.replace(fast, fast=False, scoring=False)
    chains = [CHAIN, ("x", "m2", "y")]
    results = [_group_bootstrap(DESC, s, data, chains, 6, np.random.default_rng(4), "test")
               for s in (fast, scoring, refit)]
    for estimate, boot, fallbacks in results[1:]:
        np.testing.assert_allclose(estimate, results[0][0], atol=TOL)
        np.testing.assert_allclose(boot, results[0][1], atol=TOL)
        assert fallbacks == 0


def test_counts_match_indices():
    indices = np.array([[0, 0, 2], [1, 2, 2]])
    np.testing.assert_array_equal(_counts(indices, 3), [[2, 0, 1], [0, 1, 2]])


def latent(n: int = 200, seed: int = 3) -> pd.DataFrame:
    """A factor f measured by x1-x3, f → m → y."""
    rng = np.random.default_rng(seed)
    f = rng.normal(size=n)
    data = pd.DataFrame({f"x{i}": f + rng.normal(scale=0.6, size=n) for i in (1, 2, 3)})
    data["m"] = 0.5 * f + rng.normal(size=n)
    data["y"] = 0.5 * data["m"] + rng.normal(size=n)
    return data


def test_model_with_latent_variable_is_fitted_by_scoring():
    data = latent()
    desc = "f =~ x1 + x2 + x3\nm ~ f\ny ~ m"
    table = indirect_effects(desc, data, [("f", "m", "y")], n_boot=8, seed=2)
    assert table.attrs["method"] == "scoring" and table.attrs["fallbacks"] == 0
    assert "latent" in table.attrs["reason"]
    assert table["estimate"].iloc[0] == pytest.approx(semopy_chain(desc, data, ("f", "m", "y")), abs=TOL)
    assert table["n_boot"].iloc[0] == 8
    assert table["pct_low"].iloc[0] <= table["pct_high"].iloc[0]


def test_models_with_semopy_operations_are_refitted_with_semopy():
    data = simulate(120, 14)
    desc = "m1 ~ a*x\ny ~ b*m1 + x\nCONSTRAINT(a - b = 0)"
    table = indirect_effects(desc, data, [("x", "m1", "y")], n_boot=4, seed=2)
    assert table.attrs["method"] == "refit"
    assert table["estimate"].iloc[0] == pytest.approx(semopy_chain(desc, data, ("x", "m1", "y")), abs=TOL)


@pytest.mark.parametrize("desc, reason", [
    ("m1 ~ x\ny ~ m1 + x\nm1 ~~ y", "residual covariance"),
    ("m1 ~ a*x\ny ~ a*m1", "shared labels"),
    ("m1 ~ x\ny ~ 0.5*m1", "fixes"),
])
def test_models_outside_the_fast_path_are_recognised(desc, reason):
    structure = _structure(desc)
    assert not structure.fast and reason in structure.reason


def test_observed_exogenous_covariances_keep_the_fast_path():
    assert _structure("m ~ x + w\ny ~ m\nx ~~ w").fast


# --------------------------------------------------------------------------- intervals


def test_intervals_contain_true_value_on_large_samples():
    # one data set can miss by chance (seed 21 does, at 2.7 SE): check the coverage over ten
    truth = 0.5 * 0.4 * 0.3
    covered = {"pct": 0, "bc": 0}
    for seed in range(30, 40):
        row = indirect_effects(DESC, simulate(2000, seed), [CHAIN], n_boot=500, seed=seed).iloc[0]
        covered["pct"] += row.pct_low < truth < row.pct_high
        covered["bc"] += row.bc_low < truth < row.bc_high
        assert row.se < 0.01
    assert covered["pct"] >= 8 and covered["bc"] >= 8, covered


def test_bc_and_percentile_agree_when_distribution_is_symmetric():
    # a single path: its bootstrap distribution is close to normal, so z0 ≈ 0
    data = simulate(2000, 22)
    row = indirect_effects(DESC, data, [("x", "m1")], n_boot=2000, seed=6).iloc[0]
    assert row.bc_low == pytest.approx(row.pct_low, abs=0.15 * row.se)
    assert row.bc_high == pytest.approx(row.pct_high, abs=0.15 * row.se)


def test_wider_level_gives_wider_interval():
    data = simulate(300, 23)
    narrow = indirect_effects(DESC, data, [CHAIN], n_boot=500, seed=7, level=0.8).iloc[0]
    wide = indirect_effects(DESC, data, [CHAIN], n_boot=500, seed=7, level=0.99).iloc[0]
    assert wide.pct_low < narrow.pct_low and narrow.pct_high < wide.pct_high


def test_same_seed_same_numbers(two_groups):
    first = indirect_effects(DESC, two_groups, [CHAIN], group="team", n_boot=300, seed=8)
    again = indirect_effects(DESC, two_groups, [CHAIN], group="team", n_boot=300, seed=8)
    other = indirect_effects(DESC, two_groups, [CHAIN], group="team", n_boot=300, seed=9)
    pd.testing.assert_frame_equal(first, again)
    assert not np.allclose(first["se"], other["se"])


# --------------------------------------------------------------------------- groups


def test_groups_and_difference(two_groups):
    table = indirect_effects(DESC, two_groups, [CHAIN, ("x", "m1")], group="team", n_boot=1000, seed=10)
    assert list(table.columns) == ["chain", "group", "estimate", "se", "pct_low", "pct_high",
                                   "bc_low", "bc_high", "n_boot", "pct_low_mcse", "pct_high_mcse",
                                   "bc_low_mcse", "bc_high_mcse", "p_greater", "p_less",
                                   "p_greater_mcse", "p_less_mcse"]
    assert list(table["group"]) == ["alpha", "north", "difference"] * 2
    for chain in table["chain"].unique():
        rows = table[table["chain"] == chain].set_index("group")
        assert rows.loc["difference", "estimate"] == pytest.approx(
            rows.loc["north", "estimate"] - rows.loc["alpha", "estimate"], abs=1e-12)
        # independent resamples in the two groups: variances add
        expected = np.hypot(rows.loc["north", "se"], rows.loc["alpha", "se"])
        assert rows.loc["difference", "se"] == pytest.approx(expected, rel=0.1)
    for label in ("alpha", "north"):
        subset = two_groups[two_groups["team"] == label]
        rows = table[(table["chain"] == "x → m1 → m2 → y") & (table["group"] == label)]
        estimate = rows["estimate"].iloc[0]
        assert estimate == pytest.approx(semopy_chain(DESC, subset, CHAIN), abs=TOL)
    # the simulated a differs (0.5 vs 0.3): the difference interval of x → m1 excludes 0
    difference = table[(table["chain"] == "x → m1") & (table["group"] == "difference")].iloc[0]
    assert difference.pct_low > 0 and difference.bc_low > 0


# --------------------------------------------------------------------------- Monte Carlo error


def test_draws_are_kept_and_summarised_by_the_columns(two_groups):
    # consistency of the contract: every column is the summary of attrs["draws"] it claims to be
    table = indirect_effects(DESC, two_groups, [CHAIN, ("x", "m1")], group="team", n_boot=400, seed=3)
    draws = table.attrs["draws"]
    assert sorted(draws) == list(table.index)
    for index, row in table.iterrows():
        values = draws[index]
        assert len(values) == row.n_boot == 400
        assert np.quantile(values, [0.025, 0.975]) == pytest.approx([row.pct_low, row.pct_high], abs=1e-12)
        assert row.p_greater == (1 + np.sum(values <= 0)) / 401
        assert row.p_less == (1 + np.sum(values >= 0)) / 401
        assert row.p_greater_mcse == pytest.approx(np.sqrt(row.p_greater * (1 - row.p_greater) / 400))
        assert row.pct_low_mcse > 0 and row.pct_high_mcse > 0 and row.bc_low_mcse > 0
    for chain in table["chain"].unique():
        part = table[table["chain"] == chain]
        alpha, north, difference = (draws[i] for i in part.index)
        np.testing.assert_array_equal(difference, north - alpha)
    # a table carrying its draws still concatenates and compares (pandas compares attrs)
    both = pd.concat([table, table])
    assert len(both) == 2 * len(table)


def test_interval_mcse_matches_the_spread_over_seeds():
    # Independent expectation: the standard deviation of an interval end over bootstraps of the
    # same data with different seeds. The MC SE reported by one run must estimate it (within 30 %:
    # 40 seeds give the SD to about ±11 %, and the order-statistic estimate is itself noisy).
    data = simulate(300, 24)
    runs = pd.concat([indirect_effects(DESC, data, [CHAIN], n_boot=1000, seed=seed) for seed in range(40)])
    for end in ("pct_low", "pct_high", "bc_low", "bc_high"):
        spread = runs[end].std(ddof=1)
        assert runs[f"{end}_mcse"].mean() == pytest.approx(spread, rel=0.3), end


def test_p_values_are_the_one_sided_bootstrap_p():
    # A clearly positive effect: almost no resample at or below 0, so p_greater is (1 + 0)/(1 + B)
    # and p_less is 1; a null effect gives p-values near 1/2 that sum to about 1.
    data = simulate(1000, 25)
    row = indirect_effects(DESC, data, [("x", "m1")], n_boot=999, seed=1).iloc[0]
    assert row.p_greater == pytest.approx(1 / 1000) and row.p_less == 1.0
    rng = np.random.default_rng(26)
    null = pd.DataFrame({"x": rng.normal(size=400), "m": rng.normal(size=400)})
    row = indirect_effects("m ~ x", null, [("x", "m")], n_boot=999, seed=2).iloc[0]
    assert 0.1 < row.p_greater < 0.9
    assert row.p_greater + row.p_less == pytest.approx(1 + 1 / 1000)


def test_scoring_route_reports_the_same_columns():
    table = indirect_effects("f =~ x1 + x2 + x3\nm ~ f", latent(), [("f", "m")], n_boot=6, seed=2)
    assert table.attrs["method"] == "scoring"
    assert table["p_greater"].iloc[0] == pytest.approx(1 / 7)
    assert len(table.attrs["draws"][0]) == 6


# --------------------------------------------------------------------------- errors


def test_chain_that_is_not_a_path():
    with pytest.raises(SemError, match=r"no regression path x ~ y"):
        indirect_effects(DESC, simulate(100, 1), [("y", "x")], n_boot=10)
    with pytest.raises(SemError, match=r"m1 ~ m2"):
        indirect_effects(DESC, simulate(100, 1), [("m2", "m1")], n_boot=10)


def test_unknown_group_column(two_groups):
    with pytest.raises(SemError, match="'school' is not in the data"):
        indirect_effects(DESC, two_groups, [CHAIN], group="school", n_boot=10)


def test_group_with_too_few_rows(two_groups):
    small = pd.concat([two_groups[two_groups["team"] == "north"],
                       two_groups[two_groups["team"] == "alpha"].head(5)])
    with pytest.raises(SemError, match=r"group team = 'alpha' has 5 rows"):
        indirect_effects(DESC, small, [CHAIN], group="team", n_boot=10)


def test_more_than_two_groups(two_groups):
    data = two_groups.assign(team=np.arange(len(two_groups)) % 3)
    with pytest.raises(SemError, match="exactly two groups"):
        indirect_effects(DESC, data, [CHAIN], group="team", n_boot=10)


def test_bad_data_and_arguments():
    data = simulate(100, 1)
    with pytest.raises(SemError, match="missing from the data: m2"):
        indirect_effects(DESC, data.drop(columns="m2"), [CHAIN], n_boot=10)
    with pytest.raises(SemError, match="missing values in m1"):
        indirect_effects(DESC, data.assign(m1=data["m1"].where(data.index > 0)), [CHAIN], n_boot=10)
    with pytest.raises(SemError, match="constant column"):
        indirect_effects(DESC, data.assign(x=1.0), [CHAIN], n_boot=10)
    with pytest.raises(SemError, match="n_boot"):
        indirect_effects(DESC, data, [CHAIN], n_boot=1)
    with pytest.raises(SemError, match="level"):
        indirect_effects(DESC, data, [CHAIN], n_boot=10, level=95)
    with pytest.raises(SemError, match=r"equal=\['loadings'\] holds parameters equal across groups: name the group column"):
        indirect_effects(DESC, data, [CHAIN], n_boot=10, equal=["loadings"])


def test_equal_with_an_unknown_set(two_groups):
    with pytest.raises(SemError, match="equal='loading' is neither a parameter set"):
        indirect_effects(DESC, two_groups, [CHAIN], group="team", n_boot=10, equal=["loading"])


def test_equal_regressions_on_an_observed_model_uses_scoring(two_groups):
    # a path held equal across groups: OLS per group is no longer ML, so the scoring route runs,
    # and its estimate is fit_groups' (the same path in both groups)
    from utils.sem import fit_groups

    table = indirect_effects(DESC, two_groups, [("x", "m1")], group="team", n_boot=20, seed=1,
                             equal=["regressions"])
    assert table.attrs["method"] == "scoring"
    joint = fit_groups(DESC, two_groups, "team", equal=["regressions"]).estimates
    path = joint[(joint.op == "~") & (joint.lhs == "m1") & (joint.rhs == "x")]["est"]
    assert table.set_index("group").loc["alpha", "estimate"] == pytest.approx(path.iloc[0], abs=1e-6)
    assert table.set_index("group").loc["difference", "estimate"] == pytest.approx(0, abs=1e-9)


# --------------------------------------------------------------------------- lavaan


REFERENCE = Path(__file__).parent / "reference" / "sem"


def test_matches_lavaan_bootstrap_on_political_democracy():
    # lavaan 0.6-14, se = "bootstrap", 5,000 draws (tests/reference/sem/lavaan_bootstrap.R).
    # Estimates within 0.001; the draws differ from numpy's, so the bootstrap SD is compared within
    # 5 % and the interval ends within 0.2 bootstrap SDs (about 3.7 Monte Carlo SDs of the
    # difference of two 2.5 % quantiles of 5,000 draws).
    lavaan = pd.read_csv(REFERENCE / "lavaan_bootstrap.csv").set_index("effect")
    data = pd.read_csv(REFERENCE / "PoliticalDemocracy.csv")
    desc = "y1 ~ x1 + x2\ny5 ~ y1 + x1"
    ours = indirect_effects(desc, data, [("x1", "y1", "y5"), ("x1", "y1")], n_boot=5000, seed=1)
    for effect, (_, row) in zip(["ind", "direct_a"], ours.iterrows()):
        reference = lavaan.loc[effect]
        assert row.estimate == pytest.approx(reference.estimate, abs=0.001)
        assert row.se == pytest.approx(reference.se, rel=0.05)
        for column in ("pct_low", "pct_high", "bc_low", "bc_high"):
            assert row[column] == pytest.approx(reference[column], abs=0.2 * reference.se), column


def test_singular_resamples_are_dropped_with_a_warning():
    # a binary predictor with 2 ones in 12 rows: about 11 % of resamples hold no 1
    rng = np.random.default_rng(0)
    x = np.r_[np.ones(2), np.zeros(10)]
    m = x + rng.normal(size=12)
    data = pd.DataFrame({"x": x, "m": m, "y": m + rng.normal(size=12)})
    with pytest.warns(SemWarning, match=r"23 of 200 resamples could not be estimated"):
        table = indirect_effects("m ~ x\ny ~ m", data, [("x", "m", "y")], n_boot=200, seed=1)
    assert table["n_boot"].iloc[0] == 177
