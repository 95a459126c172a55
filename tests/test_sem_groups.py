"""Tests of utils/sem/groups.py against lavaan 0.6-14.

Reference outputs come from tests/reference/sem/lavaan_groups.R (committed with its CSV files;
R is not needed to run these tests). Tolerances: χ² within 0.01, estimates and standard errors
within 0.001, the other fit measures within 0.001 (df and npar exactly).
"""

from __future__ import annotations

import types
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from utils.sem.errors import SemError, SemWarning
from utils.sem.groups import GroupFit, fit_groups, invariance, lr_test, path_differences

REFERENCE = Path(__file__).resolve().parent / "reference" / "sem"
CHI2_TOL = 0.01
EST_TOL = 0.001
FIT_TOL = 0.001

CFA = """visual =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed =~ x7 + x8 + x9"""
# lavaan's sem() frees the residual covariance of the endogenous factors; semopy needs it written.
PATHS = CFA + "\ntextual ~ {b}visual\nspeed ~ visual\ntextual ~~ speed"

MODELS = {
    "configural": (CFA, ()),
    "metric": (CFA, ("loadings",)),
    "scalar": (CFA, ("loadings", "intercepts")),
    "path_label": (PATHS.format(b="b*"), ("b",)),
    "path_regressions": (PATHS.format(b=""), ("regressions",)),
    "path_configural": (PATHS.format(b=""), ()),
    # observed exogenous x1, x2 (lavaan's fixed.x)
    "observed_configural": ("x4 ~ x1 + x2\nx5 ~ x4 + x1", ()),
    "observed_equal": ("x4 ~ x1 + x2\nx5 ~ x4 + x1", ("regressions", "intercepts")),
}


@pytest.fixture(scope="module")
def hs() -> pd.DataFrame:
    return pd.read_csv(REFERENCE / "HolzingerSwineford1939.csv")


@pytest.fixture(scope="module")
def lavaan_fit() -> pd.DataFrame:
    return pd.read_csv(REFERENCE / "lavaan_groups_fit.csv").set_index("model")


@pytest.fixture(scope="module")
def lavaan_estimates() -> pd.DataFrame:
    return pd.read_csv(REFERENCE / "lavaan_groups_estimates.csv", keep_default_na=False)


@pytest.fixture(scope="module")
def fits(hs) -> dict[str, GroupFit]:
    return {name: fit_groups(desc, hs, "school", equal=equal) for name, (desc, equal) in MODELS.items()}


# --------------------------------------------------------------------------- against lavaan


def test_notes_reference_values(fits):
    """The values quoted in the notes (lavaan 0.6-14)."""
    assert fits["configural"].fit_table["chi2"] == pytest.approx(115.851, abs=CHI2_TOL)
    assert fits["configural"].fit_table["df"] == 48
    assert fits["metric"].fit_table["chi2"] == pytest.approx(124.044, abs=CHI2_TOL)
    assert fits["metric"].fit_table["df"] == 54
    assert fits["scalar"].fit_table["chi2"] == pytest.approx(164.103, abs=CHI2_TOL)
    assert fits["scalar"].fit_table["df"] == 60
    test = lr_test(fits["metric"], fits["configural"])
    assert test["chi2_diff"] == pytest.approx(8.192, abs=CHI2_TOL)
    assert test["df_diff"] == 6
    assert test["pvalue"] == pytest.approx(0.2244, abs=1e-4)
    scalar = lr_test(fits["scalar"], fits["metric"])
    assert scalar["chi2_diff"] == pytest.approx(40.059, abs=CHI2_TOL)
    assert scalar["pvalue"] == pytest.approx(4.4e-07, rel=0.02)


@pytest.mark.parametrize("name", list(MODELS))
def test_fit_table_matches_lavaan(fits, lavaan_fit, name):
    ours, ref = fits[name].fit_table, lavaan_fit.loc[name]
    assert ours["chi2"] == pytest.approx(ref["chi2"], abs=CHI2_TOL)
    assert ours["df"] == ref["df"]
    assert ours["npar"] == ref["npar"]
    assert ours["n"] == ref["n"]
    for key in ("pvalue", "cfi", "tli", "rmsea", "srmr"):
        assert ours[key] == pytest.approx(ref[key], abs=FIT_TOL), key
    for key in ("loglik", "aic", "bic"):
        assert ours[key] == pytest.approx(ref[key], abs=CHI2_TOL), key


@pytest.mark.parametrize("name", list(MODELS))
def test_estimates_and_se_match_lavaan(fits, lavaan_estimates, name):
    """Every free parameter of every group (the reference holds lavaan's rows with se > 0)."""
    ref = lavaan_estimates[lavaan_estimates.model == name]
    ours = fits[name].estimates
    merged = ref.merge(ours[ours.se > 0], on=["group", "lhs", "op", "rhs"], how="outer", suffixes=("_lavaan", ""),
                       indicator=True)
    unmatched = merged[merged["_merge"] != "both"]
    assert unmatched.empty, unmatched[["group", "lhs", "op", "rhs", "_merge"]]
    assert np.max(np.abs(merged["est"] - merged["est_lavaan"])) < EST_TOL
    assert np.max(np.abs(merged["se"] - merged["se_lavaan"])) < EST_TOL
    assert np.max(np.abs(merged["std_all"] - merged["std_all_lavaan"])) < EST_TOL


def test_fixed_parameters_listed(fits):
    est = fits["scalar"].estimates
    fixed = est[est.se == 0]
    assert sorted(fixed.query("group == 'Pasteur'").rhs) == ["x1", "x4", "x7"]
    assert (fixed.op == "=~").all() and (fixed.est == 1.0).all() and fixed.z.isna().all()
    means = est[(est.op == "~1") & est.lhs.isin(["visual", "textual", "speed"])]
    assert list(means.group.unique()) == ["Grant-White"]  # latent means free only after the first group


def test_lrt_matches_lavaan_anova(fits):
    ref = pd.read_csv(REFERENCE / "lavaan_groups_lrt.csv").set_index("comparison")
    for key, (smaller, larger) in {"configural_vs_metric": ("metric", "configural"),
                                   "metric_vs_scalar": ("scalar", "metric")}.items():
        test = lr_test(fits[smaller], fits[larger])
        assert test["chi2_diff"] == pytest.approx(ref.loc[key, "chi2_diff"], abs=CHI2_TOL)
        assert test["df_diff"] == ref.loc[key, "df_diff"]
        assert test["pvalue"] == pytest.approx(ref.loc[key, "pvalue"], abs=1e-4)


def test_equal_parameters_are_equal(fits):
    est = fits["metric"].estimates
    loadings = est[est.op == "=~"].pivot(index=["lhs", "rhs"], columns="group", values="est")
    assert np.allclose(loadings["Pasteur"], loadings["Grant-White"])
    labelled = fits["path_label"].estimates.query("label == 'b'")
    assert len(labelled) == 2 and labelled["est"].nunique() == 1
    free = fits["configural"].estimates
    free = free[free.op == "=~"].pivot(index=["lhs", "rhs"], columns="group", values="est")
    assert not np.allclose(free["Pasteur"], free["Grant-White"])


def test_groups_order_and_columns(fits):
    result = fits["configural"]
    assert result.groups == ["Pasteur", "Grant-White"]
    assert result.n_by_group == {"Pasteur": 156, "Grant-White": 145}
    assert list(result.estimates.columns) == ["group", "lhs", "op", "rhs", "label", "est", "se", "z", "pvalue", "std_all"]
    for key in ("chi2", "df", "pvalue", "cfi", "tli", "rmsea", "srmr", "loglik", "aic", "bic", "n", "npar"):
        assert key in result.fit_table
    text = result.summary()
    assert "Pasteur (n = 156)" in text and "configural" in text and "chi2 = 115.851" in text


# --------------------------------------------------------------------------- invariance


def test_invariance_sequence(hs, lavaan_fit):
    table = invariance(CFA, hs, "school")
    assert list(table.index) == ["configural", "metric", "scalar"]
    for name in table.index:
        assert table.loc[name, "chi2"] == pytest.approx(lavaan_fit.loc[name, "chi2"], abs=CHI2_TOL)
        assert table.loc[name, "df"] == lavaan_fit.loc[name, "df"]
    assert np.isnan(table.loc["configural", "chi2_diff"])
    assert table.loc["metric", "chi2_diff"] == pytest.approx(8.192, abs=CHI2_TOL)
    assert table.loc["scalar", "df_diff"] == 6


# --------------------------------------------------------------------------- lr_test arithmetic


def _result(chi2: float, df: int):
    return types.SimpleNamespace(fit_table={"chi2": chi2, "df": df})


def test_lr_test_arithmetic_and_duck_typing():
    test = lr_test(_result(30.0, 12), _result(20.0, 10))
    assert test["chi2_diff"] == pytest.approx(10.0)
    assert test["df_diff"] == 2
    assert test["pvalue"] == pytest.approx(np.exp(-5.0))  # χ²(2) survival is exp(−x/2)
    assert (test["chi2_smaller"], test["df_smaller"], test["chi2_larger"], test["df_larger"]) == (30.0, 12, 20.0, 10)


def test_lr_test_refuses_wrong_order_or_equal_df():
    with pytest.raises(SemError, match="more df"):
        lr_test(_result(20.0, 10), _result(30.0, 12))
    with pytest.raises(SemError, match="more df"):
        lr_test(_result(20.0, 10), _result(30.0, 10))
    with pytest.raises(SemError, match="fit_table"):
        lr_test(object(), _result(30.0, 10))


# --------------------------------------------------------------------------- path differences


def test_path_differences_parametric_and_seeded(hs, fits, lavaan_estimates):
    paths = ["textual ~ visual", "speed ~ visual"]
    first = path_differences(PATHS.format(b=""), hs, "school", paths, n_perm=15, seed=7)
    again = path_differences(PATHS.format(b=""), hs, "school", paths, n_perm=15, seed=7)
    pd.testing.assert_frame_equal(first, again)
    ref = lavaan_estimates[(lavaan_estimates.model == "path_configural") & (lavaan_estimates.op == "~")]
    for path in paths:
        lhs, rhs = (part.strip() for part in path.split("~"))
        row = ref[(ref.lhs == lhs) & (ref.rhs == rhs)].set_index("group")
        for g in ("Pasteur", "Grant-White"):
            assert first.loc[path, f"est_{g}"] == pytest.approx(row.loc[g, "est"], abs=EST_TOL)
            assert first.loc[path, f"se_{g}"] == pytest.approx(row.loc[g, "se"], abs=EST_TOL)
        d = row.loc["Pasteur", "est"] - row.loc["Grant-White", "est"]
        z = d / np.hypot(row.loc["Pasteur", "se"], row.loc["Grant-White", "se"])
        assert first.loc[path, "z"] == pytest.approx(z, abs=0.01)
    counts = first["pvalue_perm"].to_numpy() * 16  # p = (1 + count) / (1 + 15)
    assert np.allclose(counts, np.round(counts))
    assert (first["pvalue_perm"] > 0).all() and (first["pvalue_perm"] <= 1).all()


def test_path_differences_directions_and_monte_carlo_error(hs):
    paths = ["textual ~ visual", "speed ~ visual"]
    desc = PATHS.format(b="")
    runs = {d: path_differences(desc, hs, "school", paths, n_perm=15, seed=7, direction=d)
            for d in ("two-sided", "greater", "less")}
    for direction, table in runs.items():
        assert (table["direction"] == direction).all()
        p = table["pvalue_perm"]
        assert np.allclose(table["pvalue_perm_mcse"], np.sqrt(p * (1 - p) / 15))
        assert set(table["verdict"]) <= {"supported", "not supported", "borderline"}
    # the same permutations: each permuted difference is counted by exactly one one-sided test
    # (ties aside), so the two one-sided counts add up to n_perm
    counts = (runs["greater"]["pvalue_perm"] + runs["less"]["pvalue_perm"]) * 16 - 2
    assert np.allclose(counts, 15)
    with pytest.raises(SemError, match="direction must be 'two-sided', 'greater' or 'less', got 'up'"):
        path_differences(desc, hs, "school", paths, n_perm=1, direction="up")


def test_path_differences_rejects_unknown_path(hs):
    with pytest.raises(SemError, match="not a free regression"):
        path_differences(PATHS.format(b=""), hs, "school", ["visual ~ speed"], n_perm=1, seed=1)
    with pytest.raises(SemError, match="lhs ~ rhs"):
        path_differences(PATHS.format(b=""), hs, "school", ["visual =~ x1"], n_perm=1, seed=1)


# --------------------------------------------------------------------------- bad input


def test_unknown_group_column(hs):
    with pytest.raises(SemError, match="group column 'schoool' is not in the data"):
        fit_groups(CFA, hs, "schoool")


def test_unknown_variable(hs):
    with pytest.raises(SemError, match="not in the data: x10"):
        fit_groups(CFA + "\nspeed =~ x10", hs, "school")


def test_group_with_fewer_cases_than_parameters(hs):
    small = pd.concat([hs[hs.school == "Pasteur"], hs[hs.school == "Grant-White"].head(20)])
    with pytest.raises(SemError, match="group 'Grant-White' of 'school' has 20 case"):
        fit_groups(CFA, small, "school")


def test_unknown_equal_set(hs):
    with pytest.raises(SemError, match="equal='loading' is neither a parameter set"):
        fit_groups(CFA, hs, "school", equal=("loading",))


def test_label_used_in_one_place(hs):
    with pytest.raises(SemError, match="label 'b' is used in only one place"):
        fit_groups(PATHS.format(b="b*"), hs, "school")


def test_constant_column_in_a_group(hs):
    data = hs.copy()
    data.loc[data.school == "Pasteur", "x3"] = 1.0
    with pytest.raises(SemError, match="in group 'Pasteur' of 'school', variable\\(s\\) x3 are constant"):
        fit_groups(CFA, data, "school")


def test_single_group(hs):
    with pytest.raises(SemError, match="at least 2"):
        fit_groups(CFA, hs[hs.school == "Pasteur"], "school")


def test_missing_values_dropped_with_warning(hs):
    data = hs.copy()
    data.loc[[0, 1], "x4"] = np.nan
    with pytest.warns(SemWarning, match="2 case\\(s\\) with missing values dropped \\(listwise\\) in x4"):
        result = fit_groups(CFA, data, "school")
    assert result.fit_table["n"] == 299


def test_a_numerically_singular_implied_covariance_is_rejected():
    """semopy bounds variances at 0; an L-BFGS-B step that puts residual variances on that bound
    can give an implied Σ with eigenvalues ±1e-16 whose slogdet still has sign +1. The
    discrepancy must treat it as not positive definite (infinite), or the optimizer follows a
    log|Σ| near −∞ (this made the infusion-use invariance fits fail for some PYTHONHASHSEEDs)."""
    from utils.sem import groups

    loadings = np.array([[1.0], [0.8], [0.6]])
    singular = loadings @ loadings.T  # rank 1: residual variances all 0
    gm = types.SimpleNamespace(mean=np.zeros(3), cov=np.eye(3))
    assert groups._discrepancy(gm, singular, np.zeros(3)) == np.inf
    assert np.isfinite(groups._discrepancy(gm, singular + 0.5 * np.eye(3), np.zeros(3)))
