"""Chapter 01, the pilot of the course conversion: its p-values are printed as a reader should
see them (issue 15: they showed as "0.0"), with the text rule checked against hand values."""

from __future__ import annotations

import json

import pytest

from bookcli import ROOT
from utils.inference import p_text


@pytest.mark.parametrize(("p", "kwargs", "text"), [
    (0.0, {"n_resamples": 1000}, "< 0.002"),  # two-sided: the rarer tail counted twice, 2/1000
    (0.0, {"n_resamples": 1000, "sides": 1}, "< 0.001"),
    (0.0, {"n_resamples": 100}, "< 0.02"),
    (0.0, {"n_resamples": 100_000}, "< 0.001"),  # finer than the digits shown
    (0.212, {"n_resamples": 1000}, "0.212"),
    (0.0004, {}, "< 0.001"),
    (0.5, {}, "0.500"),
    (0.04567, {"digits": 2}, "0.05"),
])
def test_p_text(p, kwargs, text):
    assert p_text(p, **kwargs) == text


@pytest.mark.parametrize(("p", "kwargs", "message"), [
    (1.5, {}, "p must lie between 0 and 1, got 1.5"),
    (0.1, {"sides": 3}, "sides must be 1 or 2, got 3"),
    (0.1, {"n_resamples": 0}, "n_resamples must be a whole number of at least 1, got 0"),
])
def test_p_text_refuses_bad_input_in_one_sentence(p, kwargs, message):
    with pytest.raises(ValueError, match=message):
        p_text(p, **kwargs)


def test_chapter_01_prints_its_mediation_p_values_with_p_text():
    cells = json.loads((ROOT / "chapters" / "01_crm_systems.ipynb").read_text(encoding="utf-8"))["cells"]
    code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    tables = [c for c in code if "mediation_analysis(" in c and "n_rep=1000" in c]
    assert len(tables) == 2 and all("inference.p_text(p, n_resamples=1000)" in c for c in tables)
