"""Path equality on the metric-invariant baseline against lavaan 0.6-14.

Comparing a structural path across groups presumes the factors mean the same in both (metric
invariance: equal loadings), so the test of a path held equal belongs on the metric baseline,
not the configural one. Reference: lavaan_metric_paths.R (committed outputs): the
Holzinger–Swineford CFA by school with the latent chain visual → textual → speed; anova() of
each path held equal against the configural and the metric baseline. Tolerances: χ² difference
within 0.01, p within 1e-4, estimates and SEs within 0.001.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from utils import sem
from utils.sem.groups import _with_label

REF = Path(__file__).resolve().parent / "reference" / "sem"
CFA = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
MODEL = CFA + "\ntextual ~ visual\nspeed ~ textual + visual"
PATHS = {"a": "textual ~ visual", "b": "speed ~ textual"}
BASELINES = {"configural": (), "metric": ("loadings",)}


@pytest.fixture(scope="module")
def hs() -> pd.DataFrame:
    return pd.read_csv(REF / "HolzingerSwineford1939.csv")


@pytest.mark.parametrize("baseline", list(BASELINES))
def test_path_equality_matches_lavaan_anova(hs, baseline):
    result = sem.path_equality(MODEL, hs, "school", list(PATHS.values()), baseline=BASELINES[baseline])
    lavaan = pd.read_csv(REF / "lavaan_metric_paths_lrt.csv").query("baseline == @baseline").set_index("path")
    for key, path in PATHS.items():
        assert result.loc[path, "chi2_diff"] == pytest.approx(lavaan.loc[key, "chisq_diff"], abs=0.01)
        assert result.loc[path, "df_diff"] == lavaan.loc[key, "df_diff"] == 1
        assert result.loc[path, "pvalue"] == pytest.approx(lavaan.loc[key, "pvalue"], abs=1e-4)
    assert (result["baseline"] == ("loadings" if baseline == "metric" else "configural")).all()


def test_the_same_test_by_hand(hs):
    # fit_groups with equal=["loadings", label] against equal=["loadings"], then lr_test
    labelled = CFA + "\ntextual ~ a*visual\nspeed ~ textual + visual"
    held = sem.fit_groups(labelled, hs, "school", equal=["loadings", "a"])
    metric = sem.fit_groups(MODEL, hs, "school", equal=["loadings"])
    by_hand = sem.lr_test(held, metric)
    tool = sem.path_equality(MODEL, hs, "school", "textual ~ visual")
    assert by_hand["chi2_diff"] == pytest.approx(tool.loc["textual ~ visual", "chi2_diff"], abs=1e-9)
    lavaan = pd.read_csv(REF / "lavaan_metric_paths_lrt.csv").set_index(["baseline", "path"])
    assert held.fit_table["chi2"] == pytest.approx(lavaan.loc[("metric", "a"), "chisq_held"], abs=0.01)
    assert metric.fit_table["chi2"] == pytest.approx(lavaan.loc[("metric", "a"), "chisq_baseline"], abs=0.01)


def test_metric_model_estimates_match_lavaan(hs):
    ours = sem.fit_groups(MODEL, hs, "school", equal=["loadings"]).estimates.set_index(["group", "lhs", "op", "rhs"])
    lavaan = pd.read_csv(REF / "lavaan_metric_paths_estimates.csv")
    for row in lavaan.itertuples():
        mine = ours.loc[(row.group, row.lhs, row.op, row.rhs)]
        assert mine["est"] == pytest.approx(row.est, abs=0.001) and mine["se"] == pytest.approx(row.se, abs=0.001)


def test_with_label_edits_only_the_named_term():
    assert _with_label("y ~ x + w # note\nm ~ x", "y", "w", "p") == "y ~ x + p*w # note\nm ~ x"
    with pytest.raises(sem.SemError, match="already has a label or value \\(b\\*w\\)"):
        _with_label("y ~ x + b*w", "y", "w", "p")
    with pytest.raises(sem.SemError, match="no regression path m ~ w"):
        _with_label("y ~ x + w\nm ~ x", "m", "w", "p")


def test_latent_indirect_difference_bootstrap_and_monte_carlo(hs):
    # a1·b1 − a2·b2 under metric invariance, two ways: the bootstrap refits both groups jointly
    # with equal loadings on every resample (checked resample by resample against lavaan in
    # test_sem_scoring.py); the Monte Carlo method draws from the metric fit's vcov (checked in
    # test_sem_montecarlo.py). Here: both start from lavaan's estimates, and the difference row
    # is the difference of the groups' draws. Their SDs are not compared: these data are not
    # normal, so the bootstrap SDs run 10-30 % above the ML-based Monte Carlo ones.
    chain = ("visual", "textual", "speed")
    boot = sem.indirect_effects(MODEL, hs, [chain], group="school", equal=["loadings"], n_boot=200, seed=5)
    assert boot.attrs["method"] == "scoring" and boot.attrs["equal"] == ["loadings"]
    mc = sem.monte_carlo_effects(sem.fit_groups(MODEL, hs, "school", equal=["loadings"]), chain, seed=5)
    lavaan = pd.read_csv(REF / "lavaan_metric_paths_defined.csv").set_index("lhs")
    expected = {"Pasteur": lavaan.loc["ind1", "est"], "Grant-White": lavaan.loc["ind2", "est"],
                "difference": lavaan.loc["diff", "est"]}  # sorted groups: Pasteur − Grant-White
    for table in (boot, mc):
        rows = table.set_index("group")
        for group, value in expected.items():
            assert rows.loc[group, "estimate"] == pytest.approx(value, abs=1e-4)
        draws = table.attrs["draws"]
        np.testing.assert_allclose(draws[2], draws[1] - draws[0], atol=1e-12)


@pytest.mark.parametrize("paths, baseline, words", [
    ([], ("loadings",), "paths is empty"),
    (["textual =~ x4"], ("loadings",), "is not a regression written 'lhs ~ rhs'"),
    ([3], ("loadings",), "each path must be a string such as 'textual ~ visual', got 3"),
    (["textual ~ speed"], ("loadings",), "no regression path textual ~ speed"),
    (["textual ~ visual"], ("loading",), "equal='loading' is neither a parameter set"),
])
def test_path_equality_bad_input(hs, paths, baseline, words):
    with pytest.raises(sem.SemError, match=words):
        sem.path_equality(MODEL, hs, "school", paths, baseline=baseline)
