"""The Khodakarami & Chan counts: validation, tallies, the rebuilt tables and the audit."""

from __future__ import annotations

import itertools

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from utils import tallies
from utils.tallies import KNOWLEDGE, PROCESSES, SYSTEMS, TallyError

CELLS = list(itertools.product(SYSTEMS, PROCESSES, KNOWLEDGE))


@pytest.fixture(scope="module")
def counts() -> pd.DataFrame:
    return tallies.load_counts()


def frame(values) -> pd.DataFrame:
    return pd.DataFrame([(*cell, v) for cell, v in zip(CELLS, values)],
                        columns=["system", "process", "knowledge", "count"])


# ---------------------------------------------------------------- the data and its margins

def test_counts_are_table_6(counts):
    assert len(counts) == 36 and counts["count"].sum() == 193
    assert tallies.cell_sum(counts, "analytical", "combination", "about") == 31
    assert tallies.cell_sum(counts, "collaborative", "externalization", "about") == 24
    assert tallies.cell_sum(counts, "operational", "externalization", "for") == 3


def test_margins_match_the_papers_totals(counts):
    # Table 6's totals for each system (52, 48, 93) and each knowledge type (45, 129, 19).
    assert tallies.margin(counts, "system").tolist() == [52, 48, 93]
    assert tallies.margin(counts, "knowledge").tolist() == [45, 129, 19]
    assert tallies.margin(counts, "process").tolist() == [32, 60, 45, 56]
    assert tallies.margin(counts, []).iloc[0] == 193


def test_table7_panels(counts):
    panels = tallies.table7(counts)
    sp = panels["system × process"]
    assert sp.loc["operational", ["socialization", "externalization", "combination", "internalization"]].tolist() == [19, 13, 11, 9]
    assert sp.loc["collaborative"].tolist() == [13, 47, 3, 30, 93]
    assert panels["system × knowledge"].loc["analytical"].tolist() == [1, 46, 1, 48]
    assert panels["knowledge × process"].loc["about"].tolist() == [17, 33, 43, 36, 129]
    assert sp.loc["Total", "Total"] == 193


def test_table6_and_table8_layouts(counts):
    six = tallies.table6(counts)
    assert six.loc[("collaborative", "Total"), ["for", "about", "from", "Total"]].tolist() == [29, 52, 12, 93]
    assert six.loc[("Total", "Total"), "system total"] == 193
    eight = tallies.table8(counts)
    assert eight["by process"]["externalization"].loc["for"].tolist() == [3, 0, 17]
    assert eight["by knowledge"]["from"].loc["collaborative"].tolist() == [1, 6, 0, 5]
    assert eight["by system"]["Total"].loc["for"].tolist() == [9, 20, 2, 14]


# ---------------------------------------------------------------- the audit

def test_audit_finds_exactly_the_misprinted_cell_of_table_8():
    found = tallies.audit()
    assert len(found) == 1
    row = found.iloc[0]
    assert (row["table"], row["panel"], row["row_label"], row["column_label"]) == \
        ("Table 8", "Externalization", "For", "Opr")
    assert (row["published"], row["recomputed"], row["difference"]) == (8, 3, 5)
    assert {"table", "published", "recomputed"} <= set(found.columns)


def test_audit_checks_every_printed_number():
    summary = tallies.audit_summary()
    assert summary["printed"].to_dict() == {"Table 6": 63, "Table 7": 33, "Table 8": 141}
    assert summary["disagree"].sum() == 1


def test_the_misprint_is_the_odd_one_among_four_printings():
    printings = tallies.conflicts()
    assert set(printings[["system", "process", "knowledge"]].itertuples(index=False, name=None)) == \
        {("operational", "externalization", "for")}
    assert sorted(printings["published"]) == [3, 3, 3, 8]


def test_audit_reports_each_planted_error(counts):
    changed = counts.copy()
    changed.loc[(changed["system"] == "analytical") & (changed["process"] == "combination")
                & (changed["knowledge"] == "about"), "count"] = 30
    found = tallies.audit(changed)
    planted = found[found["difference"] != 5]  # the paper's own misprint stays in the audit
    # The cell and every margin that contains it: 5 numbers in Table 6, 3 in Table 7 and 6 in
    # Table 8 (the cell in three panels, three total panels).
    assert planted.groupby("table").size().to_dict() == {"Table 6": 5, "Table 7": 3, "Table 8": 6}
    assert (planted["difference"] == 1).all()


# ---------------------------------------------------------------- bad input

@pytest.mark.parametrize("change, message", [
    (lambda f: f.drop(columns="count"), r"lacks the column\(s\) count"),
    (lambda f: f.assign(count=f["count"].where(f.index != 4, -2)),
     r"count of cell \(operational, externalization, about\) is negative: -2"),
    (lambda f: f.assign(count=f["count"].astype(float).where(f.index != 0, 2.5)),
     r"count of cell \(operational, socialization, for\) is not a whole number: 2\.5"),
    (lambda f: f.assign(count=f["count"].astype(float).where(f.index != 35, float("nan"))),
     r"count of cell \(collaborative, internalization, from\) is missing"),
    (lambda f: f.assign(count=f["count"].astype(float).where(f.index != 2, float("inf"))),
     r"count of cell \(operational, socialization, from\) is infinite: inf"),
    (lambda f: f.assign(count=f["count"].astype(object).where(f.index != 1, "six")),
     r"count of cell \(operational, socialization, about\) is not a number: 'six'"),
    (lambda f: f.assign(system=f["system"].where(f.index != 3, "social")),
     r"unknown system label 'social' in row 3"),
    (lambda f: pd.concat([f, f.iloc[[7]]], ignore_index=True),
     r"cell \(operational, combination, about\) appears 2 times \(rows 7, 36\)"),
    (lambda f: f.drop(index=10), r"1 cell\(s\) absent from the count table: \(operational, internalization, about\)"),
])
def test_bad_tables_are_refused_naming_the_problem(counts, change, message):
    with pytest.raises(TallyError, match=message):
        tallies.validate(change(frame(counts["count"])))


def test_unknown_dimension_and_label_are_refused(counts):
    with pytest.raises(TallyError, match="unknown dimension"):
        tallies.margin(counts, ["channel"])
    with pytest.raises(TallyError, match="unknown process label 'learning'"):
        tallies.cell_sum(counts, process="learning")
    with pytest.raises(TallyError, match="Tables 6, 7 and 8, not Table 5"):
        tallies.load_published(5)


def test_labels_are_normalised_and_order_does_not_matter(counts):
    shuffled = frame(counts["count"]).sample(frac=1, random_state=1)
    shuffled["system"] = shuffled["system"].str.upper() + " "
    assert tallies.validate(shuffled)["count"].tolist() == counts["count"].tolist()


# ---------------------------------------------------------------- properties

@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=500), min_size=36, max_size=36))
def test_every_margin_sums_to_the_grand_total(values):
    table = frame(values)
    total = sum(values)
    for k in range(0, 4):
        for dims in itertools.combinations(("system", "process", "knowledge"), k):
            assert int(tallies.margin(table, list(dims)).sum()) == total
    for panel in tallies.table7(table).values():
        assert panel.loc["Total", "Total"] == total
        assert (panel.drop(index="Total").sum() == panel.loc["Total"]).all()
    for group in tallies.table8(table).values():
        assert sum(int(p.to_numpy().sum()) for name, p in group.items() if name != "Total") == total
        assert int(group["Total"].to_numpy().sum()) == total


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=50), min_size=36, max_size=36))
def test_a_table_agrees_with_its_own_rebuild(values):
    table = frame(values)
    six = tallies.table6(table)
    assert six.loc[("Total", "Total"), "Total"] == sum(values)
    for system in SYSTEMS:
        assert six.loc[(system, "Total"), "Total"] == tallies.cell_sum(table, system=system)
