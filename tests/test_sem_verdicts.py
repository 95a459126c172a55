"""utils.sem.verdicts: verdicts on a stated direction from resampled tables, against hand-computed
p-values and the 3-Monte-Carlo-SE borderline rule of utils.inference."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from utils.sem import verdicts


def _table(p_greater: float, p_less: float, n: int = 999, low: float = 0.1, high: float = 0.5,
           mcse: float = 0.01) -> pd.DataFrame:
    return pd.DataFrame([{"chain": "x → m → y", "group": None, "estimate": 0.3, "se": 0.1,
                          "pct_low": low, "pct_high": high, "pct_low_mcse": mcse, "pct_high_mcse": mcse,
                          "p_greater": p_greater, "p_less": p_less, "n_boot": n}])


def test_direction_picks_the_p_value_and_two_sided_doubles_the_smaller():
    table = _table(0.004, 0.997)
    assert verdicts(table, "greater")["p"].iloc[0] == 0.004
    assert verdicts(table, "less")["p"].iloc[0] == 0.997
    assert verdicts(table, "two-sided")["p"].iloc[0] == pytest.approx(0.008)
    assert verdicts(_table(0.7, 0.6), "two-sided")["p"].iloc[0] == 1.0


def test_borderline_within_three_monte_carlo_se():
    # p = 0.045 from 999 resamples: MC SE √(.045·.955/999) = 0.00656, 0.76 SE from 0.05
    row = verdicts(_table(0.045, 0.956), "greater").iloc[0]
    assert row.p_mcse == pytest.approx(math.sqrt(0.045 * 0.955 / 999))
    assert row.verdict == "borderline" and row.distance == pytest.approx(0.005 / row.p_mcse)
    assert verdicts(_table(0.001, 1.0, n=9999), "greater")["verdict"].iloc[0] == "supported"
    assert verdicts(_table(0.4, 0.6), "greater")["verdict"].iloc[0] == "not supported"


def test_interval_verdict_uses_the_ends_and_their_mcse():
    assert verdicts(_table(0.001, 1.0, low=0.1, mcse=0.01))["interval_verdict"].iloc[0] == "supported"
    assert verdicts(_table(0.02, 0.98, low=0.01, mcse=0.01))["interval_verdict"].iloc[0] == "borderline"
    assert verdicts(_table(0.999, 0.001, low=-0.5, high=-0.1), "less")["interval_verdict"].iloc[0] == "supported"


def test_one_direction_per_row():
    table = pd.concat([_table(0.001, 1.0), _table(1.0, 0.001)], ignore_index=True)
    result = verdicts(table, ["greater", "less"])
    assert list(result["verdict"]) == ["supported", "supported"]
    assert list(result.index) == [0, 1]


@pytest.mark.parametrize("call, words", [
    (lambda: verdicts(_table(0.1, 0.9), "up"), "direction must be 'greater', 'less' or 'two-sided', got 'up'"),
    (lambda: verdicts(_table(0.1, 0.9), ["greater", "less"]), "one per row of the table \\(1\\), got 2"),
    (lambda: verdicts(_table(0.1, 0.9), alpha=1.5), "alpha must lie strictly between 0 and 1, got 1.5"),
    (lambda: verdicts(_table(0.1, 0.9).drop(columns="n_boot")), "column n_boot"),
    (lambda: verdicts(_table(0.1, 0.9).drop(columns="p_less")), "lacks the column\\(s\\) p_less"),
    (lambda: verdicts("table"), "table must be a pandas DataFrame, got str"),
])
def test_bad_input_gets_one_sentence(call, words):
    with pytest.raises(ValueError, match=words):
        call()
