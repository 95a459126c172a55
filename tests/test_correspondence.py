"""Tests of utils.correspondence on the Khodakarami & Chan (2014) system × process table and on
made-up tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from utils import data
from utils import loglinear as ll
from utils.correspondence import correspondence


@pytest.fixture(scope="module")
def system_process() -> pd.DataFrame:
    return ll.two_way(data.read_csv("khodakarami2014/counts.csv"), "system", "process")


def test_total_inertia_is_pearson_chi2_over_n(system_process):
    result = correspondence(system_process)
    chi2 = stats.chi2_contingency(system_process, correction=False).statistic
    assert result.total_inertia == pytest.approx(chi2 / system_process.to_numpy().sum(), rel=1e-10)
    assert result.inertia.sum() == pytest.approx(result.total_inertia, rel=1e-10)
    assert result.explained.sum() == pytest.approx(1.0)
    assert list(result.inertia.index) == [1, 2]  # min(3, 4) − 1 dimensions
    assert result.inertia.is_monotonic_decreasing


def test_coordinates_reconstitute_the_table(system_process):
    """p_ij = r_i c_j (1 + Σ_k f_ik g_jk / sqrt(λ_k)), and each dimension is centred with
    mass-weighted sum of squares equal to its inertia."""
    result = correspondence(system_process)
    f, g = result.row_coordinates.to_numpy(), result.column_coordinates.to_numpy()
    r, c = result.row_masses.to_numpy(), result.column_masses.to_numpy()
    reconstituted = np.outer(r, c) * (1 + f @ np.diag(1 / np.sqrt(result.inertia.to_numpy())) @ g.T)
    np.testing.assert_allclose(reconstituted, system_process.to_numpy() / result.n, atol=1e-12)
    np.testing.assert_allclose(r @ f, 0, atol=1e-12)
    np.testing.assert_allclose(c @ g, 0, atol=1e-12)
    np.testing.assert_allclose(r @ f**2, result.inertia, rtol=1e-10)
    np.testing.assert_allclose(c @ g**2, result.inertia, rtol=1e-10)
    assert list(result.row_coordinates.index) == list(system_process.index)
    assert list(result.column_coordinates.index) == list(system_process.columns)


def test_sign_convention_is_deterministic(system_process):
    result = correspondence(system_process)
    for dim in result.inertia.index:
        column = result.row_coordinates[dim]
        assert column[column.abs().idxmax()] > 0
    shuffled = correspondence(system_process.iloc[::-1, ::-1])
    pd.testing.assert_frame_equal(shuffled.row_coordinates.loc[result.row_coordinates.index], result.row_coordinates)
    pd.testing.assert_frame_equal(
        shuffled.column_coordinates.loc[result.column_coordinates.index], result.column_coordinates
    )


def test_independent_counts_have_no_inertia():
    table = pd.DataFrame(np.outer([2, 4, 6], [3, 1, 5, 1]), index=list("abc"), columns=list("wxyz"))
    result = correspondence(table)
    assert result.total_inertia == pytest.approx(0, abs=1e-20)
    assert (result.explained == 0).all()
    assert not result.row_coordinates.isna().any().any()
    assert "total inertia = 0.00000" in str(result)


def test_a_zero_row_and_column_are_dropped(system_process):
    table = system_process.copy()
    table.loc["empty"] = 0
    table["none"] = 0
    result = correspondence(table)
    assert result.dropped == {"rows": ["empty"], "columns": ["none"]}
    assert "empty" not in result.row_coordinates.index and "none" not in result.column_coordinates.index
    assert result.total_inertia == pytest.approx(correspondence(system_process).total_inertia)
    assert not result.row_coordinates.isna().any().any()
    assert "dropped (total 0): rows ['empty'], columns ['none']" in result.summary()


def test_bad_tables_are_named():
    with pytest.raises(ValueError, match="negative"):
        correspondence([[1, -1], [2, 3]])
    with pytest.raises(ValueError, match="missing or non-numeric"):
        correspondence(pd.DataFrame([[1, np.nan], [2, 3]]))
    with pytest.raises(ValueError, match="at least 2×2"):
        correspondence([[1, 2, 3], [0, 0, 0]])
    with pytest.raises(ValueError, match="non-empty"):
        correspondence(pd.DataFrame())
