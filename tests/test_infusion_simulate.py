"""Tests of utils/infusion/population.py and simulate.py: the population table's checks, the
paths and targets it implies, the simulated design, the committed dataset's checksum, and the
recovery of the population by the analysis on a large simulated sample."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from utils import data
from utils.infusion import aggregation, hypotheses, population, simulate
from utils.infusion.population import CHANNELS


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return population.load_population()


@pytest.fixture(scope="module")
def committed() -> simulate.Study:
    return simulate.load_study()


# --------------------------------------------------------------------------- the population file


def test_every_parameter_is_flagged_and_justified(table):
    assert set(table["basis"]) == {"design", "pattern", "assumed"}
    assert table["justification"].str.len().min() > 10
    # The published pattern lives exactly in the channel-specific structural paths and a > 0.
    pattern = set(table.loc[table["basis"] == "pattern", "parameter"])
    assert pattern == {"infusion_usat", "infusion_conf", "usat_conf", "conf_csat"}
    design = table[table["basis"] == "design"].set_index("parameter")["value"]
    assert design.to_dict() == {"n_employees": 300, "min_customers": 7, "survey_lag_days": 7}


def test_assumptions_the_sources_do_not_give_are_flagged(table):
    """Issue 11: the number of items, the 1-7 format, which construct is asked in which wave, the
    mean number of customers and the within-employee slope of H3 are the book's, not the study's."""
    rows = table.set_index("parameter")
    for name in ("items_per_scale", "scale_points", "usat_wave", "extra_customers_mean",
                 "conf_csat_within", "attrition_infusion", "attrition_usat"):
        assert set(table.loc[table["parameter"] == name, "basis"]) == {"assumed"}, name
    assert "8.5" in rows.loc["extra_customers_mean", "justification"]
    for channel in CHANNELS:  # within = between slope, as the H3 analysis on employee means needs
        p = population.parameters(table, channel)
        assert p["conf_csat_within"] == p["conf_csat"]


def test_population_encodes_the_published_pattern(table):
    rs, cc = (population.parameters(table, c) for c in CHANNELS)
    assert rs["infusion_conf"] > 0 and cc["infusion_conf"] == 0  # H1: direct only face-to-face
    assert rs["usat_conf"] == 0 and cc["usat_conf"] > 0 and cc["infusion_usat"] > 0  # H2: indirect only virtual
    assert rs["conf_csat"] > cc["conf_csat"] > 0  # H3


@pytest.mark.parametrize("change, message", [
    (lambda t: t.drop(columns="basis"), "lacks the column(s) basis"),
    (lambda t: t.assign(channel=t["channel"].replace("both", "everywhere")), "unknown channel"),
    (lambda t: t.assign(basis=t["basis"].replace("assumed", "guessed")), "basis other than"),
    (lambda t: pd.concat([t, t.iloc[[0]]]), "more than once"),
    (lambda t: t.assign(value=t["value"].astype(object).where(t["parameter"] != "attrition", "many")), "not a finite number"),
    (lambda t: t[t["parameter"] != "icc_conf"], "'icc_conf' must be given"),
    (lambda t: t.assign(value=t["value"].where(t["parameter"] != "icc_conf", 1.2)), "'icc_conf' (retail_store) is 1.2"),
    (lambda t: t.assign(value=t["value"].where(t["parameter"] != "attrition", 1.0)), "a share in [0, 1)"),
    (lambda t: t.assign(value=t["value"].where(t["parameter"] != "method_employee", 0.7)), "leave no room for error"),
    (lambda t: t.assign(value=t["value"].where(t["parameter"] != "conf_csat", 1.1)), "explain all of its variance"),
    (lambda t: t.assign(value=t["value"].where(t["parameter"] != "scale_points", 5)), "'scale_points' (retail_store) is 5"),
    (lambda t: t.assign(value=t["value"].where(t["parameter"] != "attrition_usat", 9)), "a probit slope between"),
    (lambda t: t.assign(value=t["value"].where(t["parameter"] != "conf_csat_within", 1.9)), "too large for conf_csat_within"),
])
def test_bad_population_tables_are_named(table, change, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")):
        population.validate_population(change(table))


def test_with_values_changes_one_channel_and_marks_it_assumed(table):
    changed = population.with_values(table, usat_conf={"retail_store": 0.2}, attrition=0.3)
    assert population.parameters(changed, "retail_store")["usat_conf"] == 0.2
    assert population.parameters(changed, "contact_center")["usat_conf"] == 0.35
    assert population.parameters(changed, "contact_center")["attrition"] == 0.3
    row = changed[(changed["parameter"] == "usat_conf") & (changed["channel"] == "retail_store")].iloc[0]
    assert row["basis"] == "assumed" and row["justification"].startswith("changed from")
    with pytest.raises(ValueError, match="unknown parameter 'atrition'"):
        population.with_values(table, atrition=0.3)
    with pytest.raises(ValueError, match="unknown channel"):
        population.with_values(table, attrition={"online": 0.3})


def test_targets_without_aggregation_are_the_population_paths(table):
    paths = population.path_table(table).set_index(["channel", "parameter"])["value"]
    targets = population.targets(table, aggregated=False).set_index(["channel", "parameter"])
    assert np.allclose(targets["value"], paths.loc[targets.index], atol=1e-12)
    # R² of user satisfaction is a² (its only predictor has variance 1)
    usat = targets.xs("infusion_usat", level="parameter")
    assert np.allclose(usat["r2"], 0.25)


def test_latent_covariance_has_unit_variances_and_aggregation_dilutes_paths(table):
    p = population.parameters(table, "retail_store")
    assert np.allclose(np.diag(population.latent_covariance(p)), 1.0)
    inv_k = population.mean_inverse_customers(7, 1.5)
    assert inv_k == pytest.approx(sum(stats.poisson.pmf(j, 1.5) / (7 + j) for j in range(60)), abs=1e-12)
    assert population.mean_inverse_customers(7, 0.0) == pytest.approx(1 / 7)
    # Infusion → confirmation: with conf averaged over k customers its variance is
    # 1 + (1 − icc)/icc · E[1/k], so the standardized path shrinks by the square root.
    aggregated = population.targets(table).set_index(["channel", "parameter"])["value"]
    shrink = np.sqrt(1 + (1 - p["icc_conf"]) / p["icc_conf"] * inv_k)
    assert aggregated[("retail_store", "infusion_conf")] == pytest.approx(0.35 / shrink, abs=1e-12)


def test_effects():
    assert population.effects(0.35, 0.5, 0.0) == {"direct": 0.35, "indirect": 0.0, "total": 0.35}
    out = population.effects(0.0, 0.5, 0.35, conf_csat=0.4)
    assert out["indirect"] == pytest.approx(0.175) and out["on_satisfaction"] == pytest.approx(0.07)
    with pytest.raises(ValueError, match="a must be a number"):
        population.effects(0.1, "big", 0.2)


# --------------------------------------------------------------------------- the simulated design


def test_same_seed_same_study_and_another_seed_differs(table):
    a, b = simulate.simulate_study(table, seed=7), simulate.simulate_study(table, seed=7)
    pd.testing.assert_frame_equal(a.employees, b.employees)
    pd.testing.assert_frame_equal(a.customers, b.customers)
    c = simulate.simulate_study(table, seed=8)
    assert not a.customers["conf1"].equals(c.customers["conf1"])


def test_committed_dataset_is_what_its_seed_generates():
    listed = data.manifest()
    for name, content in simulate.dataset_bytes().items():
        assert hashlib.sha256(content).hexdigest() == listed[name], (
            f"{name} is not what seed {simulate.DATASET_SEED} generates: run `python -m utils.infusion.simulate --write`")


def test_committed_design(committed):
    e, c = committed.employees, committed.customers
    assert e.groupby("channel").size().to_dict() == {"contact_center": 300, "retail_store": 300}
    assert c.groupby("employee_id").size().min() >= 7
    # wave 2 missing exactly for the employees who left
    assert (e["usat1"].isna() == (e["wave2"] == 0)).all()
    assert e.groupby("channel")["wave2"].sum().to_dict() == {"contact_center": 263, "retail_store": 253}
    items = [i for items in simulate.ITEMS.values() for i in items]
    answers = np.concatenate([e[items[:6]].stack().dropna().to_numpy(), c[items[6:]].stack().to_numpy()])
    assert set(np.unique(answers)) == set(range(1, 8))
    # satisfaction piles up near 7: negative skew, as customer surveys show
    assert stats.skew(c["csat1"]) < -0.3 and c["csat1"].mean() > 5


def test_design_on_a_large_sample(table):
    big = simulate.simulate_study(population.with_values(table, n_employees=5000), seed=3)
    left = 1 - big.employees.groupby("channel")["wave2"].mean()
    assert np.allclose(left, 0.12, atol=0.015)  # attrition: 12 %, binomial SE 0.005
    extra = big.customers.groupby("employee_id").size() - 7
    assert extra.mean() == pytest.approx(1.5, abs=0.05)  # Poisson(1.5) customers beyond seven
    latent = big.latent[big.latent["channel"] == "retail_store"]
    assert np.allclose(latent[["infusion", "usat", "conf", "csat"]].var(), 1.0, atol=0.06)


def test_selective_attrition_keeps_the_share_and_selects_on_the_score(table):
    """attrition_usat makes the less satisfied leave: the share leaving stays at attrition (the
    probit's cut is scaled by √(1 + var(index))), and those who stay have higher user-satisfaction
    scores than those who leave (whose answers the simulator still draws, then hides)."""
    kw = dict(n_employees=20000, attrition=0.4)
    rng_free = simulate.simulate_study(population.with_values(table, **kw), seed=5)
    selective = population.with_values(table, attrition_usat=1.0, **kw)
    p = population.parameters(selective, "retail_store")
    rng = np.random.default_rng(0)
    usat = rng.integers(1, 8, size=(20000, 3)).astype(float)
    inf = rng.integers(1, 8, size=(20000, 3)).astype(float)
    leave = simulate._leaving_probability(p, inf, usat)
    assert leave.mean() == pytest.approx(0.4, abs=0.01)
    assert leave[usat.mean(axis=1) < 3].mean() > leave[usat.mean(axis=1) > 5].mean()
    study = simulate.simulate_study(selective, seed=5)
    left = 1 - study.employees.groupby("channel")["wave2"].mean()
    assert np.allclose(left, 0.4, atol=0.02)
    stayed = study.employees["wave2"] == 1
    assert stayed.sum() != rng_free.employees["wave2"].sum()  # a different selection than at random


def test_bad_seed_is_named(table):
    with pytest.raises(ValueError, match="seed must be a whole number"):
        simulate.simulate_study(table, seed=-1)


# --------------------------------------------------------------------------- recovery


@pytest.fixture(scope="module")
def large_clean(table):
    """10,000 employees per channel, continuous answers, no response styles, no attrition."""
    clean = population.with_values(table, n_employees=10000, method_employee=0.0, method_customer=0.0, attrition=0.0)
    return clean, simulate.simulate_study(clean, seed=11, likert=False)


def test_latent_model_recovers_the_targets_on_a_large_sample(large_clean):
    """Standardized paths of the latent model on ~10,000 employees per channel lie within 0.04 of
    the targets the population implies for aggregated answers (population.targets). The sampling
    SD of a standardized path at this size is about 0.01, so 0.04 is four SDs; on 20,000
    employees the largest deviation was 0.019."""
    clean, study = large_clean
    paths = hypotheses.latent_paths(hypotheses.latent_fits(aggregation.employee_data(study)))
    names = {"INF": "infusion", "USAT": "usat", "CONF": "conf", "CSAT": "csat",
             "log_tenure": "tenure", "log_contacts": "contacts"}
    paths = paths.assign(outcome=paths["lhs"].map(names), predictor=paths["rhs"].map(names))
    joined = population.targets(clean).merge(paths, on=["channel", "predictor", "outcome"])
    assert len(joined) == 16
    assert np.abs(joined["std_all"] - joined["value"]).max() < 0.04


def test_icc_of_scale_scores_matches_the_population(large_clean):
    """ICC(1) of the mean of three items = λ̄² icc / (λ̄² + Σ(1 − λ²)/9) for continuous items:
    the items' own error dilutes the construct's icc of 0.25 to 0.2107. Estimated on the
    customers of the first 1,500 retail-store employees (about 12,700 customers; the ICC's
    sampling SD is about 0.008 there, so the tolerance 0.025 is three SDs). On 20,000 employees
    per channel all four estimates lay within 0.003."""
    clean, study = large_clean
    p = population.parameters(clean, "retail_store")
    lam = np.array([p["loading_1"], p["loading_2"], p["loading_3"]])
    expected = lam.mean() ** 2 * p["icc_conf"] / (lam.mean() ** 2 + np.sum(1 - lam**2) / 9)
    assert expected == pytest.approx(0.2107, abs=1e-4)
    first = {f"RS-{i:05d}" for i in range(1, 1501)}
    customers = aggregation.scale_scores(study.customers[study.customers["employee_id"].isin(first)], ("conf", "csat"))
    for scale in ("conf", "csat"):
        result = aggregation.icc(customers, scale)
        assert result["n_groups"] == 1500
        assert result["icc1"] == pytest.approx(expected, abs=0.025)
        k = result["mean_k"]
        assert result["icc2"] == pytest.approx(k * result["icc1"] / (1 + (k - 1) * result["icc1"]), abs=1e-12)


def test_with_values_keeps_the_unchanged_channel_as_it_was(table):
    changed = population.with_values(table, usat_conf={"retail_store": 0.2})
    kept = changed[(changed["parameter"] == "usat_conf") & (changed["channel"] == "contact_center")].iloc[0]
    original = table[(table["parameter"] == "usat_conf") & (table["channel"] == "contact_center")].iloc[0]
    assert (kept["value"], kept["basis"], kept["justification"]) == (
        original["value"], original["basis"], original["justification"])
    assert population.with_values(table, attrition=0.12).equals(table)  # no change, same table
