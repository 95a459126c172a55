"""The toy SECI spiral (closed forms, identities, the stochastic version) and the tallies by mode."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from utils import seci, tallies
from utils.seci import BASELINE, MODES, Rates

RATES = Rates(socialization=0.10, externalization=0.25, combination=0.05, internalization=0.15)


def closed_form_growth(r: Rates) -> float:
    """The larger root of λ² − tr·λ + det = 0 for the cycle matrix, written out by hand."""
    s, e, c, i = r.socialization, r.externalization, r.combination, r.internalization
    trace = (1 + s) * (1 + e * i * (1 + c)) + (1 + c)
    det = (1 + s) * (1 + c)
    return (trace + math.sqrt(trace ** 2 - 4 * det)) / 2


# ---------------------------------------------------------------- one cycle, closed form

def test_one_cycle_matches_the_closed_form():
    t0, e0 = 3.0, 2.0
    s, e, c, i = 0.10, 0.25, 0.05, 0.15
    explicit = (1 + c) * (e0 + e * (1 + s) * t0)          # after S, E and C
    tacit = (1 + s) * t0 + i * explicit                   # then I
    row = seci.simulate_spiral(RATES, tacit0=t0, explicit0=e0, cycles=1).iloc[1]
    assert row["tacit"] == pytest.approx(tacit, rel=1e-12)
    assert row["explicit"] == pytest.approx(explicit, rel=1e-12)
    assert row["socialization"] == pytest.approx(s * t0)
    assert row["externalization"] == pytest.approx(e * (1 + s) * t0)
    assert row["combination"] == pytest.approx(c * (e0 + e * (1 + s) * t0))
    assert row["internalization"] == pytest.approx(i * explicit)
    assert seci.cycle_matrix(RATES) @ np.array([t0, e0]) == pytest.approx([tacit, explicit])


def test_cycle_matrix_entries_and_determinant():
    s, e, c, i = 0.10, 0.25, 0.05, 0.15
    expected = [[(1 + s) * (1 + e * i * (1 + c)), i * (1 + c)], [e * (1 + s) * (1 + c), 1 + c]]
    assert seci.cycle_matrix(RATES) == pytest.approx(np.array(expected))
    # Externalization and internalization only move knowledge across the line: det = (1+s)(1+c).
    assert np.linalg.det(seci.cycle_matrix(RATES)) == pytest.approx((1 + s) * (1 + c))


def test_zero_rates_leave_the_stocks_unchanged():
    still = seci.simulate_spiral(Rates(0, 0, 0, 0), tacit0=4, explicit0=7, cycles=3)
    assert still[["tacit", "explicit"]].to_numpy().tolist() == [[4, 7]] * 4


# ---------------------------------------------------------------- identities over many cycles

def test_stock_gained_is_the_sum_of_the_flows():
    path = seci.simulate_spiral(RATES, tacit0=2, explicit0=5, cycles=12)
    gained_t = path["tacit"].diff().iloc[1:]
    gained_e = path["explicit"].diff().iloc[1:]
    assert gained_t.to_numpy() == pytest.approx((path["socialization"] + path["internalization"]).iloc[1:].to_numpy())
    assert gained_e.to_numpy() == pytest.approx((path["externalization"] + path["combination"]).iloc[1:].to_numpy())
    assert (path[list(MODES)] >= 0).all().all() and (path[["tacit", "explicit"]].diff().iloc[1:] >= 0).all().all()


@pytest.mark.parametrize("rates", [BASELINE, RATES, Rates(0.3, 0.01, 0.0, 0.4)])
def test_growth_factor_is_the_closed_form_root(rates):
    assert seci.growth_factor(rates) == pytest.approx(closed_form_growth(rates), rel=1e-12)


def test_both_stocks_settle_to_the_growth_factor_and_the_balanced_ratio():
    path = seci.simulate_spiral(RATES, tacit0=1, explicit0=9, cycles=80)
    last, before = path.iloc[-1], path.iloc[-2]
    assert last["tacit"] / before["tacit"] == pytest.approx(seci.growth_factor(RATES), rel=1e-9)
    assert last["explicit"] / before["explicit"] == pytest.approx(seci.growth_factor(RATES), rel=1e-9)
    assert last["tacit"] / last["explicit"] == pytest.approx(seci.balanced_ratio(RATES), rel=1e-9)


def test_growth_depends_on_externalization_and_internalization_only_through_their_product():
    a = Rates(0.1, 0.4, 0.1, 0.1)
    b = Rates(0.1, 0.1, 0.1, 0.4)
    assert seci.growth_factor(a) == pytest.approx(seci.growth_factor(b), rel=1e-12)
    assert seci.balanced_ratio(a) != pytest.approx(seci.balanced_ratio(b))
    # ... and is symmetric in socialization and combination.
    assert seci.growth_factor(Rates(0.3, 0.2, 0.0, 0.2)) == pytest.approx(seci.growth_factor(Rates(0.0, 0.2, 0.3, 0.2)))


def test_a_closed_externalization_leaves_only_the_within_form_modes():
    # e = 0: the matrix is triangular and growth falls to max(1 + s, 1 + c), whatever i is.
    for i in (0.0, 0.2, 0.5):
        assert seci.growth_factor(Rates(0.1, 0.0, 0.05, i)) == pytest.approx(1.1)
    assert seci.growth_factor(BASELINE.with_rate("externalization", 0.02)) < seci.growth_factor(BASELINE)
    assert seci.balanced_ratio(Rates(0.1, 0.0, 0.05, 0.2)) == math.inf


def test_the_chapters_baseline_and_bottleneck_numbers():
    assert seci.growth_factor(BASELINE) == pytest.approx(1.3562, abs=5e-5)
    assert seci.growth_factor(BASELINE.with_rate("externalization", 0.02)) == pytest.approx(1.1754, abs=5e-5)
    assert seci.balanced_ratio(BASELINE) == pytest.approx(1.0587, abs=5e-5)
    assert seci.balanced_ratio(BASELINE.with_rate("externalization", 0.02)) == pytest.approx(3.1168, abs=5e-5)


def test_growth_by_rate_is_tidy_and_monotone():
    curves = seci.growth_by_rate(BASELINE, np.linspace(0, 0.5, 11))
    assert list(curves.columns) == ["mode", "rate", "growth"] and len(curves) == 44
    for _, part in curves.groupby("mode"):
        assert part["growth"].is_monotonic_increasing
    at_baseline = curves[np.isclose(curves["rate"], 0.2) & (curves["mode"] == "externalization")]
    assert at_baseline["growth"].iloc[0] == pytest.approx(seci.growth_factor(BASELINE))


# ---------------------------------------------------------------- the stochastic spiral

def test_same_seed_same_runs_and_other_seed_other_runs():
    a = seci.simulate_spiral_runs(RATES, runs=50, cycles=6, seed=7)
    b = seci.simulate_spiral_runs(RATES, runs=50, cycles=6, seed=7)
    c = seci.simulate_spiral_runs(RATES, runs=50, cycles=6, seed=8)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)
    assert list(a.columns) == ["run", "cycle", "tacit", "explicit", *MODES] and len(a) == 50 * 7


def test_stochastic_runs_keep_the_stock_identity():
    runs = seci.simulate_spiral_runs(RATES, runs=30, cycles=5, seed=1)
    by_run = runs.groupby("run")
    gained_t = by_run["tacit"].diff().dropna()
    gained_e = by_run["explicit"].diff().dropna()
    later = runs["cycle"] > 0
    assert (gained_t == (runs["socialization"] + runs["internalization"])[later]).all()
    assert (gained_e == (runs["externalization"] + runs["combination"])[later]).all()


def test_one_stochastic_cycle_averages_to_the_deterministic_cycle():
    # n = 20,000 runs from 100 + 100 units. Each cycle's expectation is the deterministic cycle
    # exactly (every step is linear in expectation), so the sample mean must lie within 4
    # standard errors of it: a seeded test, and a 4-SE band fails by chance about 6 times in 100,000.
    runs = seci.simulate_spiral_runs(RATES, tacit0=100, explicit0=100, cycles=1, runs=20_000, seed=2021)
    after = runs[runs["cycle"] == 1]
    expected = seci.simulate_spiral(RATES, tacit0=100, explicit0=100, cycles=1).iloc[1]
    for column in ("tacit", "explicit", *MODES):
        se = after[column].std() / math.sqrt(len(after))
        assert abs(after[column].mean() - expected[column]) < 4 * se, column


def test_estimate_rates_recovers_the_rates():
    # n = 20,000 runs of 3 cycles from 50 + 50 units: each mode's exposure is over 3 million
    # units, so the standard error of each rate is below 0.0003; a tolerance of 0.003 (10 SE)
    # leaves room for any seed, and the exact 95% interval must contain the true rate.
    runs = seci.simulate_spiral_runs(RATES, tacit0=50, explicit0=50, cycles=3, runs=20_000, seed=1994)
    estimates = seci.estimate_rates(runs).set_index("mode")
    for mode, true in RATES.as_dict().items():
        assert estimates.loc[mode, "rate"] == pytest.approx(true, abs=0.003), mode
        assert estimates.loc[mode, "ci_low"] <= true <= estimates.loc[mode, "ci_high"], mode
    assert list(estimates.index) == list(MODES)


def test_estimate_rates_handles_a_mode_that_never_fires():
    runs = seci.simulate_spiral_runs(Rates(0.1, 0.2, 0.0, 0.2), runs=200, cycles=3, seed=3)
    row = seci.estimate_rates(runs).set_index("mode").loc["combination"]
    assert row["new_units"] == 0 and row["rate"] == 0 and row["ci_low"] == 0 and 0 < row["ci_high"] < 0.01


def test_conversions_hold_each_flow_with_the_stock_it_converted():
    runs = seci.simulate_spiral_runs(BASELINE, tacit0=5, explicit0=5, cycles=3, runs=4, seed=7)
    table = seci.conversions(runs)
    assert len(table) == 4 * 3 * len(MODES)
    assert list(table.columns) == ["run", "cycle", "mode", "new_units", "exposure"]
    # run 0, cycle 1 by hand: socialization converts the 5 starting tacit units, externalization
    # the tacit stock after socialization, combination the explicit stock after
    # externalization, internalization the explicit stock after combination
    row = runs[(runs["run"] == 0) & (runs["cycle"] == 1)].iloc[0]
    first = table[(table["run"] == 0) & (table["cycle"] == 1)].set_index("mode")
    assert first["exposure"].tolist() == [5, 5 + row["socialization"], 5 + row["externalization"],
                                          5 + row["externalization"] + row["combination"]]
    assert first["new_units"].tolist() == [row[mode] for mode in MODES]


def test_a_poisson_regression_on_the_conversions_gives_the_rate_estimates():
    # The Poisson maximum-likelihood estimate of a rate with an exposure is sum(count) /
    # sum(exposure) (set the score of log-rate to zero), which is what estimate_rates computes
    # directly; the chapter shows the GLM call, so the two must agree to the optimizer's precision.
    import statsmodels.api as sm
    import statsmodels.formula.api as smf

    runs = seci.simulate_spiral_runs(BASELINE, tacit0=5, explicit0=5, cycles=6, runs=50, seed=11)
    table = seci.conversions(runs)
    glm = smf.glm("new_units ~ 0 + mode", data=table, family=sm.families.Poisson(),
                  exposure=table["exposure"]).fit()
    direct = seci.estimate_rates(runs).set_index("mode")
    for mode in MODES:
        assert np.exp(glm.params[f"mode[{mode}]"]) == pytest.approx(direct.loc[mode, "rate"], rel=1e-8)
        sub = table[table["mode"] == mode]
        assert sub["new_units"].sum() == direct.loc[mode, "new_units"]
        assert sub["exposure"].sum() == pytest.approx(direct.loc[mode, "exposure"])


# ---------------------------------------------------------------- the tallies by mode

def test_support_shares_by_system_within_mode():
    counts = tallies.load_counts()
    shares = seci.support_shares(counts, "system").set_index(["process", "system"])
    assert shares.loc[("combination", "analytical"), "count"] == 31
    assert shares.loc[("combination", "analytical"), "total"] == 45
    assert shares.loc[("combination", "analytical"), "share"] == pytest.approx(31 / 45)
    assert shares.loc[("externalization", "collaborative"), "share"] == pytest.approx(47 / 60)
    assert shares.groupby("process", observed=True)["share"].sum().to_numpy() == pytest.approx([1, 1, 1, 1])
    assert shares["count"].sum() == 193


def test_support_shares_by_knowledge_and_within_system():
    counts = tallies.load_counts()
    knowledge = seci.support_shares(counts, "knowledge").set_index(["process", "knowledge"])
    assert knowledge.loc[("combination", "about"), "share"] == pytest.approx(43 / 45)
    assert knowledge.loc[("socialization", "from"), "count"] == 6
    by_system = seci.support_shares(counts, "system", within="system").set_index(["process", "system"])
    assert by_system.loc[("socialization", "operational"), "share"] == pytest.approx(19 / 52)
    assert by_system.groupby("system", observed=True)["share"].sum().to_numpy() == pytest.approx([1, 1, 1])


# ---------------------------------------------------------------- bad input

@pytest.mark.parametrize("value", [-0.1, float("nan"), float("inf"), "0.2", True])
def test_a_bad_rate_is_named(value):
    with pytest.raises(ValueError, match=r"rates\.externalization must be"):
        Rates(0.1, value, 0.1, 0.1)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"tacit0": -1.0}, r"tacit0 must be zero or more, got -1"),
    ({"explicit0": float("nan")}, r"explicit0 must be a finite number, got nan"),
    ({"cycles": -2}, r"cycles must be a whole number of at least 0, got -2"),
    ({"cycles": 2.5}, r"cycles must be a whole number of at least 0, got 2\.5"),
])
def test_bad_simulation_input_is_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        seci.simulate_spiral(BASELINE, **kwargs)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"runs": 0}, r"runs must be a whole number of at least 1, got 0"),
    ({"tacit0": 2.5}, r"tacit0 must be a whole number of at least 0, got 2\.5"),
    ({"cycles": -1}, r"cycles must be a whole number of at least 0, got -1"),
])
def test_bad_run_input_is_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        seci.simulate_spiral_runs(BASELINE, **kwargs)


def test_other_bad_input_is_named():
    with pytest.raises(ValueError, match=r"rates must be a (seci\.)?Rates, got dict"):
        seci.growth_factor({"socialization": 0.1})
    with pytest.raises(ValueError, match=r"mode must be one of .*, got 'learning'"):
        BASELINE.with_rate("learning", 0.1)
    with pytest.raises(ValueError, match=r"values must be zero or more, got -0\.5"):
        seci.growth_by_rate(BASELINE, [0.1, -0.5])
    with pytest.raises(ValueError, match=r"by must be 'system' or 'knowledge', got 'process'"):
        seci.support_shares(tallies.load_counts(), "process")
    with pytest.raises(ValueError, match=r"within must be 'process' or 'system', got 'knowledge'"):
        seci.support_shares(tallies.load_counts(), "system", within="knowledge")
    with pytest.raises(ValueError, match=r"runs lacks the column\(s\) internalization"):
        seci.estimate_rates(seci.simulate_spiral_runs(BASELINE, runs=2, seed=0).drop(columns="internalization"))
    with pytest.raises(ValueError, match=r"runs lacks the column\(s\) run, tacit"):
        seci.conversions(pd.DataFrame({"cycle": [0]}))
    with pytest.raises(ValueError, match=r"alpha must lie strictly between 0 and 1, got 1\.5"):
        seci.estimate_rates(seci.simulate_spiral_runs(BASELINE, runs=2, seed=0), alpha=1.5)
