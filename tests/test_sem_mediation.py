"""A mediated two-group model on the book's own simulated data, against lavaan.

two_group_mediation.csv is written by tests/reference/sem/make_two_group_mediation.py (firms
from utils.crm_knowledge.simulate_firms in two channels); lavaan_mediation.R fits the same
models in lavaan 0.6-14 and its outputs are committed, so this test needs no R. Tolerances as
everywhere in the SEM tests: chi2 within 0.01, estimates and standard errors within 0.001.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from utils import sem

REF = Path(__file__).resolve().parent / "reference" / "sem"
CHI2_TOL, EST_TOL = 0.01, 0.001
FREE = "m ~ x\ny ~ m + x"
EQUAL_B = "m ~ x\ny ~ b*m + x"


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return pd.read_csv(REF / "two_group_mediation.csv")


@pytest.fixture(scope="module")
def lavaan() -> dict[str, pd.DataFrame]:
    fit = pd.read_csv(REF / "lavaan_mediation_fit.csv").pivot(index="measure", columns="model", values="value")
    return {"fit": fit,
            "estimates": pd.read_csv(REF / "lavaan_mediation_estimates.csv").rename(columns={"std.all": "std_all"}),
            "lrt": pd.read_csv(REF / "lavaan_mediation_lrt.csv")}


def test_the_data_file_is_the_books_simulation(tmp_path):
    script = REF / "make_two_group_mediation.py"
    namespace = {"__file__": str(tmp_path / "make.py")}
    exec(compile(script.read_text(), str(script), "exec"), namespace)
    assert (tmp_path / "two_group_mediation.csv").read_bytes() == (REF / "two_group_mediation.csv").read_bytes()


def test_equal_b_model_fit_matches_lavaan(data, lavaan):
    result = sem.fit_groups(EQUAL_B, data, "channel", equal=("b",))
    ref = lavaan["fit"]["equal_b"]
    assert result.fit_table["chi2"] == pytest.approx(ref["chisq"], abs=CHI2_TOL)
    assert result.fit_table["df"] == ref["df"] == 1
    for key, name in (("cfi", "cfi"), ("tli", "tli"), ("rmsea", "rmsea"), ("srmr", "srmr")):
        assert result.fit_table[key] == pytest.approx(ref[name], abs=EST_TOL), key
    for key, name in (("loglik", "logl"), ("aic", "aic"), ("bic", "bic")):
        assert result.fit_table[key] == pytest.approx(ref[name], abs=CHI2_TOL), key


def test_free_model_estimates_match_lavaan_per_group(data, lavaan):
    result = sem.fit_groups(FREE, data, "channel")
    ours = result.estimates.query("op == '~'").set_index(["group", "lhs", "rhs"])
    ref = lavaan["estimates"].query("op == '~'")
    groups = list(dict.fromkeys(data["channel"]))  # lavaan numbers groups in order of appearance
    assert len(ref) == 6
    for row in ref.itertuples():
        mine = ours.loc[(groups[row.group - 1], row.lhs, row.rhs)]
        assert mine["est"] == pytest.approx(row.est, abs=EST_TOL)
        assert mine["se"] == pytest.approx(row.se, abs=EST_TOL)
        assert mine["std_all"] == pytest.approx(row.std_all, abs=EST_TOL)


def test_equal_path_lr_test_matches_lavaan(data, lavaan):
    free = sem.fit_groups(FREE, data, "channel")
    equal = sem.fit_groups(EQUAL_B, data, "channel", equal=("b",))
    test = sem.lr_test(equal, free)
    ref = lavaan["lrt"].iloc[0]
    assert test["chi2_diff"] == pytest.approx(ref["chisq_diff"], abs=CHI2_TOL)
    assert test["df_diff"] == ref["df_diff"] == 1
    assert test["pvalue"] == pytest.approx(ref["pvalue"], abs=1e-6)


def test_indirect_effects_match_lavaans_defined_parameters(data, lavaan):
    table = sem.indirect_effects(FREE, data, [("x", "m", "y")], group="channel", n_boot=2000, seed=7)
    defined = lavaan["estimates"].query("op == ':='").set_index("lhs")
    by_group = table.set_index("group")
    assert by_group.loc["face_to_face", "estimate"] == pytest.approx(defined.loc["ind1", "est"], abs=EST_TOL)
    assert by_group.loc["virtual", "estimate"] == pytest.approx(defined.loc["ind2", "est"], abs=EST_TOL)
    assert by_group.loc["difference", "estimate"] == pytest.approx(defined.loc["diff", "est"], abs=EST_TOL)
    # The bootstrap SD and lavaan's delta-method SE estimate the same spread; with 2,000
    # resamples they agree to within 15% here.
    for group, name in (("face_to_face", "ind1"), ("virtual", "ind2"), ("difference", "diff")):
        assert by_group.loc[group, "se"] == pytest.approx(defined.loc[name, "se"], rel=0.15)
    # The channels differ: the difference's interval excludes zero, as lavaan's z = 2.99 says.
    assert by_group.loc["difference", "pct_low"] > 0 and by_group.loc["difference", "bc_low"] > 0
