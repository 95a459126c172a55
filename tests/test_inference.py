"""utils.inference against independent expectations: closed forms and repeated simulation."""

import math

import numpy as np
import pytest
from scipy import stats

from utils import inference


def test_p_mcse_is_the_binomial_standard_error():
    assert inference.p_mcse(0.04, 2500) == pytest.approx(math.sqrt(0.04 * 0.96 / 2500))


def test_quantile_mcse_matches_the_spread_of_quantiles_over_repeated_resampling():
    # Independent expectation: the standard deviation of the 2.5 % quantile over many
    # independent sets of B draws from a known distribution.
    rng = np.random.default_rng(1)
    b, q = 4000, 0.025
    repeated = [np.quantile(rng.standard_normal(b), q) for _ in range(400)]
    empirical = float(np.std(repeated, ddof=1))
    estimates = [inference.quantile_mcse(rng.standard_normal(b), q) for _ in range(50)]
    # closed form for the normal: sqrt(q(1-q)/B) / phi(z_q)
    closed = math.sqrt(q * (1 - q) / b) / stats.norm.pdf(stats.norm.ppf(q))
    assert empirical == pytest.approx(closed, rel=0.15)
    assert float(np.mean(estimates)) == pytest.approx(closed, rel=0.15)


def test_interval_verdict_is_borderline_within_three_mc_se():
    clear = inference.interval_verdict(0.05, 0.2, lower_mcse=0.01)
    assert clear.label == "supported" and clear.distance == pytest.approx(5)
    near = inference.interval_verdict(-0.001, 0.08, lower_mcse=0.002)
    assert near.label == "borderline"
    exact = inference.interval_verdict(-0.001, 0.08)
    assert exact.label == "not supported"
    two = inference.interval_verdict(-0.5, -0.1, sided="two-sided")
    assert two.label == "supported" and two.statistic == -0.1


def test_p_verdict_uses_the_resampling_error():
    assert inference.p_verdict(0.045, n_resamples=999).label == "borderline"
    assert inference.p_verdict(0.001, n_resamples=9999).label == "supported"
    assert inference.p_verdict(0.30).label == "not supported"


def test_tost_agrees_with_the_interval_rule():
    # Equivalent exactly when the 90 % interval lies inside the bounds (Schuirmann 1987).
    result = inference.tost(0.02, 0.03, 0.1)
    z = stats.norm.ppf(0.95)
    assert result.ci_lower == pytest.approx(0.02 - z * 0.03)
    assert result.equivalent == (result.ci_lower > -0.1 and result.ci_upper < 0.1)
    assert result.p == pytest.approx(stats.norm.cdf((0.02 - 0.1) / 0.03))
    assert not inference.tost(0.08, 0.05, 0.1).equivalent


@pytest.mark.parametrize("call, words", [
    (lambda: inference.p_mcse(1.5, 10), "p must lie between 0 and 1"),
    (lambda: inference.quantile_mcse([1.0], 0.5), "draws must hold at least 2"),
    (lambda: inference.quantile_mcse([1.0, np.nan], 0.5), "draws must be finite"),
    (lambda: inference.interval_verdict(1, 0), "lower must not exceed upper"),
    (lambda: inference.interval_verdict(0, 1, sided="up"), "sided must be"),
    (lambda: inference.tost(0, 0, 0.1), "se must be greater than zero"),
])
def test_bad_input_gets_one_sentence(call, words):
    with pytest.raises(ValueError, match=words):
        call()
