"""Tests of utils/infusion/hypotheses.py: the bootstrap tests of H1-H3 (estimates equal to OLS,
differences oriented as the hypotheses), the hypothesis table, the replication scorecard on the
committed data, and the latent model's equality tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from utils.infusion import aggregation, hypotheses, simulate


@pytest.fixture(scope="module")
def employees() -> pd.DataFrame:
    return aggregation.employee_data(simulate.load_study())


@pytest.fixture(scope="module")
def tests_(employees) -> pd.DataFrame:
    return hypotheses.hypothesis_tests(employees, n_boot=2000)


@pytest.fixture(scope="module")
def baseline(employees) -> pd.DataFrame:
    return hypotheses.baseline_tests(employees, n_boot=2000)


def _ols(employees, channel):
    d = employees[employees["channel"] == channel]
    a = smf.ols("usat ~ infusion", d).fit().params["infusion"]
    conf = smf.ols("conf ~ infusion + usat + log_tenure + log_contacts", d).fit().params
    d_path = smf.ols("csat ~ conf + log_contacts", d).fit().params["conf"]
    return {"direct": conf["infusion"], "indirect": a * conf["usat"], "conf_csat": d_path}


def test_estimates_are_the_ols_paths_and_differences_point_as_hypothesized(employees, tests_):
    t = tests_.set_index(["effect", "channel"])
    ols = {c: _ols(employees, c) for c in ("retail_store", "contact_center")}
    for effect in ("direct", "indirect", "conf_csat"):
        for channel in ols:
            assert t.loc[(effect, channel), "estimate"] == pytest.approx(ols[channel][effect], abs=1e-10)
    # H1 and H3: retail_store − contact_center; H2: contact_center − retail_store
    assert t.loc[("direct", "difference"), "estimate"] == pytest.approx(
        ols["retail_store"]["direct"] - ols["contact_center"]["direct"], abs=1e-10)
    assert t.loc[("indirect", "difference"), "estimate"] == pytest.approx(
        ols["contact_center"]["indirect"] - ols["retail_store"]["indirect"], abs=1e-10)
    assert (t["ci_low"] < t["estimate"]).all() and (t["estimate"] < t["ci_high"]).all()


def test_committed_data_verdicts(tests_):
    verdicts = tests_.set_index(["hypothesis", "channel"])["verdict"].to_dict()
    assert verdicts == {
        ("H1", "retail_store"): "significant, positive", ("H1", "contact_center"): "not significant",
        ("H1", "difference"): "retail_store > contact_center",
        ("H2", "retail_store"): "not significant", ("H2", "contact_center"): "significant, positive",
        ("H2", "difference"): "no significant difference",
        ("H3", "retail_store"): "significant, positive", ("H3", "contact_center"): "significant, positive",
        ("H3", "difference"): "retail_store > contact_center",
    }


def test_scorecard_matches_the_published_pattern_on_the_committed_data(tests_, baseline):
    card = hypotheses.scorecard(tests_, baseline)
    assert len(card) == len(hypotheses.load_published()) == 11
    assert card["match"].all(), card.loc[~card["match"], ["key", "published", "replicated"]]
    h2 = card.set_index("key").loc["h2_difference"]
    assert "formal difference test does not" in h2["note"]  # judged as the source argued


def test_scorecard_reports_a_failed_replication(tests_, baseline):
    flipped = tests_.copy()
    row = (flipped["hypothesis"] == "H1") & (flipped["channel"] == "contact_center")
    flipped.loc[row, "verdict"] = "significant, positive"
    card = hypotheses.scorecard(flipped, baseline).set_index("key")
    assert not card.loc["h1_contact_center", "match"]
    assert not card.loc["h1_difference", "match"]  # no longer "significant in one channel only"
    assert card.drop(["h1_contact_center", "h1_difference"])["match"].all()


def test_hypothesis_table(tests_):
    table = hypotheses.hypothesis_table(tests_)
    assert list(table.columns) == ["retail_store", "contact_center", "difference", "supported"]
    assert table["supported"].to_dict() == {"H1": "yes", "H2": "no", "H3": "yes"}
    assert table.loc["H3", "difference"].endswith("retail_store > contact_center")


def test_same_seed_same_intervals(employees, tests_):
    again = hypotheses.hypothesis_tests(employees, n_boot=2000)
    pd.testing.assert_frame_equal(tests_, again)


def test_latent_model_agrees_on_the_direction_of_every_hypothesis(employees):
    fits = hypotheses.latent_fits(employees)
    paths = hypotheses.latent_paths(fits).set_index(["channel", "lhs", "rhs"])
    assert paths.loc[("retail_store", "CONF", "INF"), "pvalue"] < 0.05
    assert paths.loc[("contact_center", "CONF", "INF"), "pvalue"] > 0.05
    assert paths.loc[("contact_center", "CONF", "USAT"), "pvalue"] < 0.05
    assert paths.loc[("retail_store", "CONF", "USAT"), "pvalue"] > 0.05
    r2 = hypotheses.r_squared(fits)
    assert list(r2.index) == ["INF", "USAT", "CONF", "CSAT"]
    assert r2.loc["CSAT", "retail_store"] > r2.loc["CSAT", "contact_center"]
    std = paths["std_all"]
    assert r2.loc["USAT", "retail_store"] == pytest.approx(std[("retail_store", "USAT", "INF")] ** 2, abs=1e-6)


def test_equality_tests(employees):
    table = hypotheses.equality_tests(employees)
    assert (table["df_diff"] == 1).all()
    assert table.loc["H1: CONF ~ INF", "pvalue"] < 0.05 and table.loc["H3: CSAT ~ CONF", "pvalue"] < 0.05
    assert table.loc["H3: CSAT ~ CONF", "est_retail_store"] > table.loc["H3: CSAT ~ CONF", "est_contact_center"]


def test_with_label():
    desc = "CONF ~ INF + USAT\nUSAT ~ INF"
    assert hypotheses._with_label(desc, "CONF", "USAT", "b") == "CONF ~ INF + b*USAT\nUSAT ~ INF"
    with pytest.raises(ValueError, match="no path CONF ~ CSAT"):
        hypotheses._with_label(desc, "CONF", "CSAT", "b")


@pytest.mark.parametrize("change, message", [
    (lambda e: e.drop(columns="usat"), "lacks the column(s) usat"),
    (lambda e: e.assign(channel="online"), "unknown channel"),
    (lambda e: e[e["channel"] == "retail_store"], "no rows for channel"),
])
def test_bad_employee_data_is_named(employees, change, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        hypotheses.hypothesis_tests(change(employees), n_boot=100)


def test_published_results_hold_only_known_wordings():
    published = hypotheses.load_published()
    assert set(published["published"]) <= {"significant", "not significant", "positive",
                                            "retail_store > contact_center", "contact_center > retail_store"}
    assert published["quote"].str.len().min() > 3


def test_compare_with_targets(employees):
    from utils.infusion import population

    paths = hypotheses.latent_paths(hypotheses.latent_fits(employees))
    table = hypotheses.compare_with_targets(paths, population.targets(population.load_population()))
    assert len(table) == 16
    row = table[(table["channel"] == "retail_store") & (table["parameter"] == "conf_csat")].iloc[0]
    assert row["target"] == pytest.approx(0.70, abs=1e-9)
    assert row["difference"] == pytest.approx(row["estimate"] - 0.70)
    # one study of ~260 employees a channel: every path within 0.2 of its target
    assert table["difference"].abs().max() < 0.2
    with pytest.raises(ValueError, match="no population target"):
        hypotheses.compare_with_targets(paths.assign(rhs="INF"), population.targets(population.load_population()))
