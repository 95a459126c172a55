"""Binning rules, and the checks of Table 1, the prose and Table 8 that use them."""

from __future__ import annotations

import pandas as pd
import pytest

from utils import levels, propositions, tallies
from utils.levels import Binning, BinningError


@pytest.fixture(scope="module")
def counts() -> pd.DataFrame:
    return tallies.load_counts()


TABLE = pd.DataFrame({"a": [0, 10, 20], "b": [5, 15, 40]}, index=["x", "y", "z"])


def test_each_basis_computes_what_it_says():
    assert Binning("c", "count", (10, 20)).apply(TABLE).to_dict() == \
        {"a": {"x": "Low", "y": "Medium", "z": "High"}, "b": {"x": "Low", "y": "Medium", "z": "High"}}
    share = Binning("m", "share of max", (0.25, 0.5)).values(TABLE)
    assert share.loc["z", "b"] == 1.0 and share.loc["y", "a"] == 0.25
    assert Binning("m", "share of max", (0.25, 0.5)).apply(TABLE).loc["y", "a"] == "Medium"  # a cut goes up
    row = Binning("r", "share of row", (0.3, 0.6)).values(TABLE)
    assert row.loc["z"].tolist() == pytest.approx([20 / 60, 40 / 60])
    pct = Binning("p", "percentile", (0.5,), ("Low", "High")).values(TABLE)
    assert pct.loc["z", "b"] == 1.0 and pct.loc["x", "a"] == pytest.approx(1 / 6)


def test_all_zero_table_is_all_low():
    zeros = TABLE * 0
    for basis in ("share of max", "share of row"):
        assert (Binning("z", basis, (0.2, 0.5)).apply(zeros) == "Low").all().all()


@pytest.mark.parametrize("kwargs, message", [
    (dict(basis="mean", cuts=(1, 2)), "unknown basis 'mean'"),
    (dict(basis="count", cuts=(2, 1)), "cut points must increase"),
    (dict(basis="count", cuts=(1,)), "1 cut points make 2 levels, but 3 labels"),
])
def test_bad_rules_are_refused(kwargs, message):
    with pytest.raises(BinningError, match=message):
        Binning("bad", **kwargs)


def test_bad_tables_are_refused():
    rule = Binning("c", "count", (10, 20))
    with pytest.raises(BinningError, match=r"cell \(y, a\) is negative: -1"):
        rule.apply(TABLE.assign(a=[0, -1, 2]))
    with pytest.raises(BinningError, match=r"cell \(x, b\) is not a number: 'many'"):
        rule.apply(TABLE.astype(object).assign(b=["many", 1, 2]))
    with pytest.raises(BinningError, match="non-empty table"):
        rule.apply(pd.DataFrame())


def test_agreement_with_in_between_predictions():
    assert levels.agrees("Low/medium", "Low") and levels.agrees("Low/medium", "Medium")
    assert not levels.agrees("Low/medium", "High") and not levels.agrees("Medium", "High")
    assert levels.agrees("High", "High")
    with pytest.raises(BinningError, match="unknown level 'Very high'"):
        levels.score("Very high")


def test_rules_state_themselves():
    text = propositions.BOOK_RULE.describe()
    assert "share of the largest count" in text and "Low below 0.333" in text and "High from 0.667" in text


def test_table1_against_table7_under_the_book_rule(counts):
    rows = propositions.compare(counts)
    assert len(rows) == 21
    # thirds of the panel maximum: 47 for system × process, 52 for system × knowledge
    row = rows.set_index(["system", "target"])
    assert row.loc[("analytical", "combination"), ["count", "observed"]].tolist() == [31, "Medium"]  # 31/47 < 2/3
    assert row.loc[("collaborative", "about"), ["predicted", "observed", "gap"]].tolist() == ["Low", "High", 2.0]
    assert rows["agrees"].sum() == 13
    assert propositions.agreement(counts).round(4).to_dict() == \
        {"process (12)": round(8 / 12, 4), "knowledge (9)": round(5 / 9, 4), "all (21)": round(13 / 21, 4)}


def test_agreement_grid_matches_compare(counts):
    grid = propositions.agreement_grid(counts)
    assert len(grid) == 19 * 18 // 2
    for _, pair in grid.iloc[::37].iterrows():
        rule = Binning("check", "share of max", (pair["low"], pair["high"]))
        assert pair["agreement"] == pytest.approx(propositions.compare(counts, rule)["agrees"].mean())
    assert grid["agreement"].min() == pytest.approx(9 / 21) and grid["agreement"].max() == pytest.approx(16 / 21)


def test_prose_claims_under_the_book_rule(counts):
    claims = propositions.check_claims(counts).set_index("claim_id")
    assert len(claims) == 22
    # 6.2 says knowledge ABOUT customers got "low support from analytical systems": 46 references
    assert claims.loc["c25", ["count", "observed", "holds"]].tolist() == [46, "High", False]
    # "no interviewees talked about" analytical socialization: the count is indeed 0
    assert claims.loc["c14", "holds"] and claims.loc["c17", "holds"]
    # 5.3 ("strongly support") and 6.2 ("medium support") describe the same count, 19
    assert claims.loc[["c05", "c12"], "count"].tolist() == [19, 19]
    assert claims.loc["c05", "claimed"] != claims.loc["c12", "claimed"]
    assert claims["holds"].sum() == 13


def test_dashboard_claims_depend_on_the_rule(counts):
    book = propositions.dashboard_claims(counts)
    assert book.to_dict() == {"cells at the top level": 2,
                              "share of cells at the lowest level": pytest.approx(26 / 36),
                              "knowledge FROM all at the lowest level": True,
                              "collaborative externalization FOR and ABOUT at the top": False}
    quartiles = propositions.dashboard_claims(counts, propositions.DASHBOARD_ALTERNATIVES[1])
    assert quartiles["cells at the top level"] == 12
    assert quartiles["collaborative externalization FOR and ABOUT at the top"]
    codes = propositions.dashboard(counts)
    assert codes["combination"].loc["about", "analytical"] == 3  # 31 is the largest cell
    assert sum(int(c.to_numpy().size) for c in codes.values()) == 36
