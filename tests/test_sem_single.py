"""utils.sem.single.fit against lavaan 0.6-14.

Reference files in tests/reference/sem/ are written by tests/reference/sem/lavaan_reference.R
(fitMeasures and parameterEstimates(standardized = TRUE) of three models); these tests never need R.

Tolerances (the brief of issue 4): χ² within 0.01; estimates, standard errors and std.all within
0.001; the other fit measures within 0.001 (logL, AIC, BIC within 0.01 like χ²). The numbers of
the book's notes on semopy are checked too, at the precision the notes print them. Measured
agreement (ftol 1e-12): fit measures within 1e-8, estimates within 1e-5, standard errors within
1e-6, z within 1e-5, std.all within 1e-6.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import semopy

from utils import lavaan_reference
from utils.sem.errors import SemError, SemWarning
from utils.sem.single import ESTIMATE_COLUMNS, FIT_KEYS, SemFit, fit

REF = Path(__file__).resolve().parent / "reference" / "sem"

CHI2_TOL = 0.01
EST_TOL = 0.001

# The models of the lavaan reference files, as utils.lavaan_reference (and its R script) states them.
MODELS = {key: (f"{data}.csv", lavaan_reference.MODELS[key])
          for key, data in (("hs_cfa", "HolzingerSwineford1939"), ("poldem_sem", "PoliticalDemocracy"),
                            ("poldem_path", "PoliticalDemocracy"))}

# Our key -> lavaan's fitMeasures name, and the tolerance.
MEASURES = {
    "chi2": ("chisq", CHI2_TOL),
    "df": ("df", 0),
    "pvalue": ("pvalue", 0.001),
    "cfi": ("cfi", 0.001),
    "tli": ("tli", 0.001),
    "rmsea": ("rmsea", 0.001),
    "rmsea_ci_lower": ("rmsea.ci.lower", 0.001),
    "rmsea_ci_upper": ("rmsea.ci.upper", 0.001),
    "rmsea_pvalue": ("rmsea.pvalue", 0.001),
    "srmr": ("srmr", 0.001),
    "loglik": ("logl", CHI2_TOL),
    "aic": ("aic", CHI2_TOL),
    "bic": ("bic", CHI2_TOL),
    "n": ("ntotal", 0),
    "npar": ("npar", 0),
    "baseline_chi2": ("baseline.chisq", CHI2_TOL),
    "baseline_df": ("baseline.df", 0),
}


@pytest.fixture(scope="module")
def fits() -> dict[str, SemFit]:
    out = {}
    for name, (csv, desc) in MODELS.items():
        out[name] = fit(desc, pd.read_csv(REF / csv))
    return out


def _lavaan_measures(name: str) -> dict[str, float]:
    table = pd.read_csv(REF / f"single_{name}_fit.csv")
    return dict(zip(table["measure"], table["value"].astype(float)))


def _lavaan_estimates(name: str) -> pd.DataFrame:
    table = pd.read_csv(REF / f"single_{name}_estimates.csv", keep_default_na=False, na_values=["NA"])
    return table.rename(columns={"std.all": "std_all"})


def _key(lhs: str, op: str, rhs: str) -> tuple[str, str, str]:
    """A covariance is the same parameter whichever way round it is written."""
    if op == "~~":
        lhs, rhs = sorted((lhs, rhs))
    return (lhs, op, rhs)


@pytest.mark.parametrize("name", list(MODELS))
def test_fit_measures_match_lavaan(fits, name):
    ours, theirs = fits[name].fit_table, _lavaan_measures(name)
    assert set(FIT_KEYS) <= set(ours)
    for key, (lavaan_name, tol) in MEASURES.items():
        assert ours[key] == pytest.approx(theirs[lavaan_name], abs=tol), (name, key)


@pytest.mark.parametrize("name", list(MODELS))
def test_estimates_match_lavaan(fits, name):
    ours, theirs = fits[name].estimates, _lavaan_estimates(name)
    assert list(ours.columns) == ESTIMATE_COLUMNS
    ours_by_key = {_key(r.lhs, r.op, r.rhs): r for r in ours.itertuples()}
    theirs_keys = [_key(r.lhs, r.op, r.rhs) for r in theirs.itertuples()]
    assert sorted(ours_by_key) == sorted(theirs_keys), name
    for row in theirs.itertuples():
        mine = ours_by_key[_key(row.lhs, row.op, row.rhs)]
        where = (name, row.lhs, row.op, row.rhs)
        assert mine.est == pytest.approx(row.est, abs=EST_TOL), where
        assert mine.se == pytest.approx(row.se, abs=EST_TOL), where
        assert mine.std_all == pytest.approx(row.std_all, abs=EST_TOL), where
        if np.isnan(row.z):
            assert np.isnan(mine.z) and np.isnan(mine.pvalue), where
        else:
            assert mine.z == pytest.approx(row.z, abs=EST_TOL), where
            assert mine.pvalue == pytest.approx(row.pvalue, abs=EST_TOL), where


def test_notes_reference_values(fits):
    """The lavaan numbers printed in the book's notes on semopy."""
    hs = fits["hs_cfa"].fit_table
    assert hs["chi2"] == pytest.approx(85.306, abs=CHI2_TOL)
    assert hs["df"] == 24
    assert round(hs["cfi"], 3) == 0.931 and round(hs["tli"], 3) == 0.896
    assert round(hs["rmsea"], 3) == 0.092
    assert round(hs["rmsea_ci_lower"], 3) == 0.071 and round(hs["rmsea_ci_upper"], 3) == 0.114
    assert round(hs["srmr"], 3) == 0.065
    assert hs["loglik"] == pytest.approx(-3737.745, abs=0.001)
    assert hs["aic"] == pytest.approx(7517.490, abs=0.001)
    assert hs["bic"] == pytest.approx(7595.339, abs=0.001)
    pd_ = fits["poldem_sem"].fit_table
    assert pd_["chi2"] == pytest.approx(38.125, abs=CHI2_TOL) and pd_["df"] == 35
    assert round(pd_["pvalue"], 3) == 0.329 and round(pd_["cfi"], 3) == 0.995
    assert round(pd_["tli"], 3) == 0.993 and round(pd_["rmsea"], 3) == 0.035
    assert round(pd_["srmr"], 3) == 0.044
    assert pd_["aic"] == pytest.approx(3157.582, abs=0.001)
    assert pd_["bic"] == pytest.approx(3229.424, abs=0.001)
    path = fits["poldem_path"].fit_table
    assert path["df"] == 1 and path["npar"] == 6 and path["cfi"] == 1.0


def test_labels_are_reported():
    data = pd.read_csv(REF / "HolzingerSwineford1939.csv")
    result = fit("visual =~ x1 + x2 + x3\ntextual =~ x4 + a*x5 + a*x6\nspeed =~ x7 + x8 + x9", data)
    est = result.estimates.set_index(["lhs", "op", "rhs"])
    assert est.loc[("textual", "=~", "x5"), "label"] == "a"
    assert est.loc[("textual", "=~", "x6"), "label"] == "a"
    assert est.loc[("textual", "=~", "x5"), "est"] == est.loc[("textual", "=~", "x6"), "est"]
    assert est.loc[("visual", "=~", "x2"), "label"] == ""
    assert result.fit_table["npar"] == 20 and result.fit_table["df"] == 25


def test_equality_constraint_counts_like_lavaan():
    """`CONSTRAINT(a - b = 0)` against lavaan's `a == b`: every fit measure (one parameter less,
    one df more). Standard errors are not compared: semopy's ignore the constraint."""
    data = pd.read_csv(REF / "HolzingerSwineford1939.csv")
    desc = "visual =~ x1 + a*x2 + b*x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\nCONSTRAINT(a - b = 0)"
    ours, theirs = fit(desc, data), _lavaan_measures("hs_cfa_ceq")
    for key, (lavaan_name, tol) in MEASURES.items():
        assert ours.fit_table[key] == pytest.approx(theirs[lavaan_name], abs=tol), key
    assert (ours.fit_table["df"], ours.fit_table["npar"]) == (25, 20)
    est = ours.estimates.set_index("label")["est"]
    lavaan_est = _lavaan_estimates("hs_cfa_ceq").set_index("label")["est"]
    assert est["a"] == pytest.approx(lavaan_est["a"], abs=EST_TOL) == est["b"]


def test_summary_prints_fit_and_estimates(fits, capsys):
    text = fits["hs_cfa"].summary()
    assert capsys.readouterr().out.strip() == text.strip()
    assert "chi2 = 85.306, df = 24" in text and "RMSEA = 0.092 (90% CI 0.071–0.114)" in text
    assert "visual =~" in text


# --------------------------------------------------------------------------- bad input

PATH = "y1 ~ x1 + x2\ny5 ~ y1 + x1"


@pytest.fixture(scope="module")
def poldem() -> pd.DataFrame:
    return pd.read_csv(REF / "PoliticalDemocracy.csv")


def test_names_not_in_data_are_listed(poldem):
    with pytest.raises(SemError, match=r"not columns of the data: .*zz1.*zz2|zz2.*zz1"):
        fit("y1 ~ zz1 + x2\ny5 ~ y1 + zz2", poldem)


def test_constant_and_all_missing_columns_are_named(poldem):
    data = poldem.assign(x2=3.0)
    with pytest.raises(SemError, match=r"constant columns.*x2"):
        fit(PATH, data)
    with pytest.raises(SemError, match=r"no values at all: x2"):
        fit(PATH, poldem.assign(x2=np.nan))


def test_missing_values_are_counted_per_column(poldem):
    data = poldem.copy()
    data.loc[[0, 1, 2], "y1"] = np.nan
    data.loc[[5], "x1"] = np.nan
    with pytest.raises(SemError, match=r"missing values \(.*x1: 1.*y1: 3|y1: 3.*x1: 1"):
        fit(PATH, data)


def test_fewer_cases_than_parameters(poldem):
    desc = MODELS["poldem_sem"][1]
    with pytest.raises(SemError, match=r"fewer cases \(25\) than free parameters \(31\)"):
        fit(desc, poldem.iloc[:25])


def test_exogenous_covariances_in_the_description_are_refused(poldem):
    with pytest.raises(SemError, match=r"observed exogenous variables \(x1 ~~ x2\)"):
        fit("y1 ~ x1 + x2\nx1 ~~ x2", poldem)


def test_covariance_not_positive_definite(poldem):
    data = poldem.assign(x2=poldem["x1"] * 2 + poldem["y1"])
    with pytest.raises(SemError, match=r"not positive definite.*x1.*x2.*y1"):
        fit("y1 ~ x1 + x2\ny5 ~ y1 + x1", data)


def test_non_convergence_is_an_error(poldem, monkeypatch):
    """semopy's SLSQP stopped after 3 iterations (its result says so): fit() must not return it."""
    original = semopy.Model.fit

    def stopped_early(self, data, **kwargs):
        return original(self, data, options={"maxiter": 3})

    monkeypatch.setattr(semopy.Model, "fit", stopped_early)
    with pytest.raises(SemError, match=r"did not converge after 3 iterations"):
        fit(MODELS["poldem_sem"][1], poldem)


def _with_covariance(cov: np.ndarray, n: int, names: list[str], seed: int = 1) -> pd.DataFrame:
    """n normal cases whose sample covariance (divided by n) is exactly ``cov``."""
    z = np.random.default_rng(seed).normal(size=(n, len(names)))
    z -= z.mean(axis=0)
    z = z @ np.linalg.inv(np.linalg.cholesky(np.cov(z, rowvar=False, bias=True))).T
    return pd.DataFrame(z @ np.linalg.cholesky(cov).T, columns=names)


def test_heywood_case_warns_naming_the_variable():
    """One factor, three indicators (df 0) with r_ab = r_ac = .8, r_bc = .5: the exact solution
    has Var(e_a) = 1 − .8·.8/.5 = −0.28, which lavaan (no bounds) reports and so must we."""
    cov = np.array([[1, 0.8, 0.8], [0.8, 1, 0.5], [0.8, 0.5, 1]])
    data = _with_covariance(cov, 100, ["a", "b", "c"])
    with pytest.warns(SemWarning, match=r"negative variance estimate for a \(-0.28"):
        result = fit("F =~ a + b + c", data)
    est = result.estimates.set_index(["lhs", "op", "rhs"])["est"]
    assert est[("a", "~~", "a")] == pytest.approx(-0.28, abs=EST_TOL)
    assert est[("F", "~~", "F")] == pytest.approx(1.28, abs=EST_TOL)
    assert result.fit_table["chi2"] == pytest.approx(0, abs=CHI2_TOL) and result.fit_table["df"] == 0

