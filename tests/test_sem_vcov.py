"""SemFit.vcov and GroupFit.vcov against lavaan's vcov() (lavaan 0.6-14).

Reference: tests/reference/sem/lavaan_vcov.csv, written by lavaan_vcov.R (committed; no R
needed): the lower triangle of vcov() of three single-group models (Holzinger–Swineford CFA,
the PoliticalDemocracy SEM, a path model with observed exogenous variables) and three
two-group models by school (configural, metric, a structural path held equal by a label).
Every element must agree within 1e-5, the book's tolerance against lavaan (measured: 2.1e-6 at
most on the PoliticalDemocracy SEM, 1.6e-6 on the configural CFA, below 4e-7 elsewhere);
the diagonal's square roots are the ``se`` columns exactly.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from test_sem_single import MODELS as SINGLE_MODELS
from utils import sem

REF = Path(__file__).resolve().parent / "reference" / "sem"
CFA = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
PATH_LABEL = CFA + "\ntextual ~ b*visual\nspeed ~ visual\ntextual ~~ speed"
SINGLE = {name: (desc, csv) for name, (csv, desc) in SINGLE_MODELS.items()}  # lavaan_vcov.R's models
GROUPS = {"configural": (CFA, ()), "metric": (CFA, ("loadings",)), "path_label": (PATH_LABEL, ("b",))}
TOL = 1e-5


def _canonical(name: str) -> str:
    """A covariance is the same parameter whichever way round it is written."""
    base, dot, group = name.partition(".g")
    if "~~" in base:
        base = "~~".join(sorted(base.split("~~")))
    return base + dot + group


def _lavaan(model: str) -> pd.DataFrame:
    table = pd.read_csv(REF / "lavaan_vcov.csv").query("model == @model")
    names = list(dict.fromkeys(table["row"]))
    matrix = pd.DataFrame(np.nan, index=names, columns=names)
    for row in table.itertuples():
        matrix.loc[row.row, row.col] = matrix.loc[row.col, row.row] = row.value
    return matrix.rename(index=_canonical, columns=_canonical)


def _compare(ours: pd.DataFrame, theirs: pd.DataFrame) -> None:
    ours = ours.rename(index=_canonical, columns=_canonical)
    assert sorted(ours.index) == sorted(theirs.index)
    assert list(ours.index) == list(ours.columns)
    aligned = ours.loc[theirs.index, theirs.columns]
    assert np.max(np.abs(aligned.to_numpy() - theirs.to_numpy())) < TOL


@pytest.mark.parametrize("name", list(SINGLE))
def test_single_group_vcov_matches_lavaan(name):
    desc, csv = SINGLE[name]
    result = sem.fit(desc, pd.read_csv(REF / csv))
    vcov = result.vcov()
    _compare(vcov, _lavaan(name))
    free = result.estimates[result.estimates["se"] > 0]
    assert np.sqrt(np.diag(vcov)) == pytest.approx(free["se"].to_numpy(), abs=1e-12)


@pytest.mark.parametrize("name", list(GROUPS))
def test_multi_group_vcov_matches_lavaan(name):
    desc, equal = GROUPS[name]
    result = sem.fit_groups(desc, pd.read_csv(REF / "HolzingerSwineford1939.csv"), "school", equal=equal)
    vcov = result.vcov()
    _compare(vcov, _lavaan(name))
    free = result.estimates[result.estimates["se"] > 0]
    assert np.sqrt(np.diag(vcov)) == pytest.approx(free["se"].to_numpy(), abs=1e-12)


def test_names_follow_lavaan():
    result = sem.fit_groups(CFA, pd.read_csv(REF / "HolzingerSwineford1939.csv"), "school", equal=("loadings",))
    names = list(result.vcov().index)
    assert names[0] == "visual=~x2" and "x1~1.g2" in names and "visual=~x2.g2" in names
    vcov = result.vcov()
    # a loading held equal: the two groups' rows are the same parameter
    assert vcov.loc["visual=~x2", "visual=~x2.g2"] == pytest.approx(vcov.loc["visual=~x2", "visual=~x2"])


def test_label_shared_within_a_group_gives_identical_rows():
    data = pd.read_csv(REF / "HolzingerSwineford1939.csv")
    vcov = sem.fit("visual =~ x1 + x2 + x3\ntextual =~ x4 + a*x5 + a*x6\nspeed =~ x7 + x8 + x9", data).vcov()
    assert vcov.loc["textual=~x5"].to_numpy() == pytest.approx(vcov.loc["textual=~x6"].to_numpy())
