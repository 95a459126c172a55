"""Independent expectations for the measurement and aggregation formulas (issue 13, item 3):
closed forms and large-sample recoveries instead of numbers copied from the code's own output."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from utils import customers
from utils.infusion import aggregation, measurement


@pytest.mark.parametrize("k, loading", [(3, 0.7), (4, 0.8), (6, 0.5)])
def test_composite_reliability_and_ave_of_equal_loadings_have_closed_forms(k, loading):
    """k equal standardized loadings λ: ρ_C = (kλ)² / ((kλ)² + k(1 − λ²)), which for equal loadings
    is also the Spearman–Brown reliability of k items correlating λ²; AVE = λ²."""
    r = loading**2
    spearman_brown = k * r / (1 + (k - 1) * r)
    for module in (measurement, customers):
        assert module.composite_reliability([loading] * k) == pytest.approx(spearman_brown, rel=1e-12)
        assert module.average_variance_extracted([loading] * k) == pytest.approx(r, rel=1e-12)


def test_cronbach_alpha_recovers_spearman_brown_in_a_large_sample():
    """Parallel items (equal loadings and error variances) correlating r: α → k r / (1 + (k − 1) r)."""
    rng = np.random.default_rng(13)
    n, k, loading = 200_000, 4, 0.6
    factor = rng.normal(size=n)
    frame = pd.DataFrame({f"i{j}": loading * factor + np.sqrt(1 - loading**2) * rng.normal(size=n) for j in range(k)})
    r = loading**2
    assert measurement.cronbach_alpha(frame, list(frame)) == pytest.approx(k * r / (1 + (k - 1) * r), abs=0.005)


def test_icc_anova_recovers_the_population_icc():
    """One-way random effects with τ² = 0.25 and σ² = 0.75: ICC(1) = 0.25 and ICC(2) with k = 5
    raters = 5·0.25 / (1 + 4·0.25) = 0.625, recovered in a large sample of groups."""
    rng = np.random.default_rng(14)
    groups, k = 4_000, 5
    unit = np.repeat(np.arange(groups), k)
    score = rng.normal(scale=0.5, size=groups)[unit] + rng.normal(scale=np.sqrt(0.75), size=groups * k)
    result = aggregation.icc_anova(pd.DataFrame({"employee_id": unit, "score": score}), "score")
    assert result["icc1"] == pytest.approx(0.25, abs=0.02)
    assert result["icc2"] == pytest.approx(0.625, abs=0.02)
