"""fit_groups on a two-group Heywood case against lavaan 0.6-14.

lavaan leaves variances unbounded; so does fit_groups (semopy bounds them at 0). Group g1 of
tests/reference/sem/heywood_two_group.csv (make_heywood.py) has a negative residual variance of
a; lavaan's estimates, standard errors and fit measures (lavaan_heywood.R, committed) are
matched configural and under metric invariance, and fit_groups warns naming the variable and
the group. Tolerances as in the other SEM tests: χ², logL, AIC, BIC within 0.01; estimates,
standard errors and the other fit measures within 0.001.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from utils import sem

REF = Path(__file__).resolve().parent / "reference" / "sem"
MODEL = "F =~ a + b + c + d"
EQUAL = {"configural": (), "metric": ("loadings",)}


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return pd.read_csv(REF / "heywood_two_group.csv")


@pytest.mark.parametrize("name", list(EQUAL))
def test_heywood_case_matches_lavaan_and_warns(data, name):
    with pytest.warns(sem.SemWarning, match=r"negative variance estimate for a in group 'g1' of 'group' \(-0\.\d+"):
        result = sem.fit_groups(MODEL, data, "group", equal=EQUAL[name])
    fit = pd.read_csv(REF / "lavaan_heywood_fit.csv").query("model == @name").set_index("measure")["value"]
    for key, measure, tol in (("chi2", "chisq", 0.01), ("loglik", "logl", 0.01), ("aic", "aic", 0.01),
                              ("bic", "bic", 0.01), ("cfi", "cfi", 0.001), ("tli", "tli", 0.001),
                              ("rmsea", "rmsea", 0.001), ("srmr", "srmr", 0.001)):
        assert result.fit_table[key] == pytest.approx(fit[measure], abs=tol), key
    assert (result.fit_table["df"], result.fit_table["npar"]) == (fit["df"], fit["npar"])
    lavaan = pd.read_csv(REF / "lavaan_heywood_estimates.csv").query("model == @name and op != '~1'")
    ours = result.estimates.set_index(["group", "lhs", "op", "rhs"])
    for row in lavaan.itertuples():
        mine = ours.loc[(row.group, row.lhs, row.op, row.rhs)]
        assert mine["est"] == pytest.approx(row.est, abs=0.001), (row.group, row.lhs, row.op, row.rhs)
        assert mine["se"] == pytest.approx(row.se, abs=0.001), (row.group, row.lhs, row.op, row.rhs)
    assert ours.loc[("g1", "a", "~~", "a"), "est"] < 0
