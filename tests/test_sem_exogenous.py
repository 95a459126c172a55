"""Models with zero, one and two observed exogenous variables against lavaan 0.6-14.

The textbook mediation model ``m ~ x; y ~ m + x`` (one observed exogenous variable) used to crash
``utils.sem.fit`` with an IndexError (numpy's covariance of one column is 0-dimensional). Data:
tests/reference/sem/exogenous.csv (make_exogenous.py); lavaan outputs from lavaan_exogenous.R,
committed, so the tests need no R. Each model is checked single-group (``fit``), in two groups
(``fit_groups``, configural) and through ``indirect_effects`` (its point estimate is lavaan's
defined parameter ind := a*b). Tolerances as in the other SEM tests: χ², logL, AIC, BIC within
0.01; every other fit measure, estimate and standard error within 0.001; df and npar exactly.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from utils import sem

REF = Path(__file__).resolve().parent / "reference" / "sem"
CHI2_TOL, EST_TOL = 0.01, 0.001
MODELS = {
    "zero": ("X =~ x1 + x2 + x3\nm ~ X\ny ~ m", ("X", "m", "y")),
    "one_saturated": ("m ~ x\ny ~ m + x", ("x", "m", "y")),
    "one": ("m ~ x\ny ~ m", ("x", "m", "y")),
    "two": ("m ~ x + w\ny ~ m + x", ("x", "m", "y")),
}
MEASURES = {"chi2": "chisq", "df": "df", "cfi": "cfi", "tli": "tli", "rmsea": "rmsea", "srmr": "srmr",
            "loglik": "logl", "aic": "aic", "bic": "bic", "npar": "npar"}


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return pd.read_csv(REF / "exogenous.csv")


@pytest.fixture(scope="module")
def lavaan() -> dict[str, pd.DataFrame]:
    return {"fit": pd.read_csv(REF / "lavaan_exogenous_fit.csv"),
            "estimates": pd.read_csv(REF / "lavaan_exogenous_estimates.csv", keep_default_na=False,
                                     na_values=["NA"])}


def _fit_measures(lavaan, name: str, groups: str) -> dict[str, float]:
    table = lavaan["fit"].query("model == @name and groups == @groups")
    return dict(zip(table["measure"], table["value"]))


def _check_fit_table(ours: dict, theirs: dict) -> None:
    for key, name in MEASURES.items():
        tol = CHI2_TOL if key in ("chi2", "loglik", "aic", "bic") else EST_TOL
        if key in ("df", "npar"):
            assert ours[key] == theirs[name], key
        else:
            assert ours[key] == pytest.approx(theirs[name], abs=tol), key


def _check_estimates(ours: pd.DataFrame, theirs: pd.DataFrame) -> None:
    free = theirs[(theirs["op"] != ":=") & (theirs["se"] > 0)]
    assert len(free) > 0
    mine = ours[ours["se"] > 0]
    assert len(mine) == len(free)
    for row in free.itertuples():
        match = mine[(mine["lhs"] == row.lhs) & (mine["op"] == row.op) & (mine["rhs"] == row.rhs)]
        if "group" in mine.columns:
            match = match[match["group"] == row.group]
        assert len(match) == 1, (row.group, row.lhs, row.op, row.rhs)
        assert match["est"].iloc[0] == pytest.approx(row.est, abs=EST_TOL), (row.lhs, row.op, row.rhs)
        assert match["se"].iloc[0] == pytest.approx(row.se, abs=EST_TOL), (row.lhs, row.op, row.rhs)


@pytest.mark.parametrize("name", list(MODELS))
def test_single_group_matches_lavaan(data, lavaan, name):
    result = sem.fit(MODELS[name][0], data)
    _check_fit_table(result.fit_table, _fit_measures(lavaan, name, "single"))
    _check_estimates(result.estimates, lavaan["estimates"].query("model == @name and groups == 'single'"))


@pytest.mark.parametrize("name", list(MODELS))
def test_two_groups_match_lavaan(data, lavaan, name):
    result = sem.fit_groups(MODELS[name][0], data, "group")
    _check_fit_table(result.fit_table, _fit_measures(lavaan, name, "multigroup"))
    theirs = lavaan["estimates"].query("model == @name and groups == 'multigroup'")
    _check_estimates(result.estimates[result.estimates["op"] != "~1"], theirs)


@pytest.mark.parametrize("name", list(MODELS))
def test_indirect_effect_is_lavaans_defined_parameter(data, lavaan, name):
    desc, chain = MODELS[name]
    defined = lavaan["estimates"].query("model == @name and op == ':='").set_index(["groups", "lhs"])["est"]
    n_boot = 200 if name != "zero" else 4  # the latent model is refitted per resample
    single = sem.indirect_effects(desc, data, [chain], n_boot=n_boot, seed=1)
    assert single["estimate"].iloc[0] == pytest.approx(defined[("single", "ind")], abs=EST_TOL)
    groups = sem.indirect_effects(desc, data, [chain], group="group", n_boot=n_boot, seed=1).set_index("group")
    assert groups.loc["a", "estimate"] == pytest.approx(defined[("multigroup", "ind1")], abs=EST_TOL)
    assert groups.loc["b", "estimate"] == pytest.approx(defined[("multigroup", "ind2")], abs=EST_TOL)


def test_one_exogenous_fixed_variance_is_listed_like_lavaan(data):
    estimates = sem.fit("m ~ x\ny ~ m + x", data).estimates.set_index(["lhs", "op", "rhs"])
    assert estimates.loc[("x", "~~", "x"), "se"] == 0
    assert estimates.loc[("x", "~~", "x"), "est"] == pytest.approx(np.var(data["x"]), abs=1e-9)
