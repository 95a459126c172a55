"""utils.sem.monte_carlo_effects against independent expectations.

- The exact distribution of a product of two independent normals (numerical integration of its
  CDF; P(A·B ≤ 0) in closed form): the Monte Carlo interval ends must lie within 4 reported
  Monte Carlo SEs of the exact quantiles, and p_greater within 4 of its.
- The exact SD of such a product, √(a²σ_b² + b²σ_a² + σ_a²σ_b²), and the delta-method (Sobel)
  SE √(a²σ_b² + b²σ_a²) where the last term is negligible; lavaan's delta-method SE of the
  defined parameter ind := a*b (lavaan_exogenous.R).
- A latent indirect-effect difference under metric invariance (Holzinger–Swineford by school,
  lavaan_metric_paths.R): the SD of the draws of a1·b1 − a2·b2 against the exact variance of a
  difference of products of jointly normal estimates (Isserlis' theorem, from vcov()), and
  against lavaan's delta-method SE of diff := a1*b1 - a2*b2.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, optimize, stats

from utils import sem

REF = Path(__file__).resolve().parent / "reference" / "sem"
CFA = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
LATENT = CFA + "\ntextual ~ visual\nspeed ~ textual + visual"


def product_cdf(t: float, a: float, sa: float, b: float, sb: float) -> float:
    """P(A·B ≤ t) for independent A ~ N(a, sa²), B ~ N(b, sb²), by numerical integration over A."""
    def inner(x: float) -> float:
        if x == 0:
            return float(t >= 0)
        tail = stats.norm.cdf((t / x - b) / sb)
        return stats.norm.pdf(x, a, sa) * (tail if x > 0 else 1 - tail)

    lo, hi = a - 12 * sa, a + 12 * sa
    pieces = [lo, 0.0, hi] if lo < 0 < hi else [lo, hi]
    return sum(integrate.quad(inner, u, v, limit=200, epsabs=1e-12)[0] for u, v in zip(pieces, pieces[1:]))


def product_quantile(q: float, a: float, sa: float, b: float, sb: float) -> float:
    sd = math.sqrt(a * a * sb * sb + b * b * sa * sa + sa * sa * sb * sb)
    return optimize.brentq(lambda t: product_cdf(t, a, sa, b, sb) - q, a * b - 12 * sd, a * b + 12 * sd, xtol=1e-10)


@pytest.fixture(scope="module")
def weak_mediation():
    """A mediation model whose indirect effect is near the edge: a ≈ 0.3, b ≈ 0.2, n = 120."""
    rng = np.random.default_rng(5)
    x = rng.normal(size=120)
    m = 0.3 * x + rng.normal(size=120)
    y = 0.2 * m + rng.normal(size=120)
    return sem.fit("m ~ x\ny ~ m", pd.DataFrame({"x": x, "m": m, "y": y}))


def _path(fit, lhs, rhs):
    row = fit.estimates[(fit.estimates.op == "~") & (fit.estimates.lhs == lhs) & (fit.estimates.rhs == rhs)].iloc[0]
    return row.est, row.se


def test_interval_and_p_match_the_exact_product_distribution(weak_mediation):
    (a, sa), (b, sb) = _path(weak_mediation, "m", "x"), _path(weak_mediation, "y", "m")
    vcov = weak_mediation.vcov()
    assert abs(vcov.loc["m~x", "y~m"]) < 1e-12  # the premise: the two estimates are independent
    row = sem.monte_carlo_effects(weak_mediation, ("x", "m", "y"), n_draws=200_000, seed=11).iloc[0]
    assert row.estimate == pytest.approx(a * b)
    assert abs(row.lower - product_quantile(0.025, a, sa, b, sb)) < 4 * row.lower_mcse
    assert abs(row.upper - product_quantile(0.975, a, sa, b, sb)) < 4 * row.upper_mcse
    below = stats.norm.cdf(-a / sa) * stats.norm.sf(-b / sb) + stats.norm.sf(-a / sa) * stats.norm.cdf(-b / sb)
    assert 0.001 < below < 0.2  # a p-value worth checking
    assert abs(row.p_greater - below) < 4 * row.p_greater_mcse
    exact_sd = math.sqrt(a * a * sb * sb + b * b * sa * sa + sa * sa * sb * sb)
    draws = sem.monte_carlo_effects(weak_mediation, ("x", "m", "y"), n_draws=200_000, seed=11).attrs["draws"][0]
    sd_se = math.sqrt((np.mean((draws - draws.mean()) ** 4) - np.var(draws) ** 2) / len(draws)) / (2 * np.std(draws))
    assert abs(row.se - exact_sd) < 4 * sd_se
    assert len(draws) == 200_000


def test_sd_agrees_with_sobel_and_lavaans_delta_method():
    data = pd.read_csv(REF / "exogenous.csv")
    fit = sem.fit("m ~ x\ny ~ m", data)
    (a, sa), (b, sb) = _path(fit, "m", "x"), _path(fit, "y", "m")
    sobel = math.sqrt(a * a * sb * sb + b * b * sa * sa)
    row = sem.monte_carlo_effects(fit, ("x", "m", "y"), n_draws=100_000, seed=3).iloc[0]
    assert row.se == pytest.approx(sobel, rel=0.02)
    lavaan = pd.read_csv(REF / "lavaan_exogenous_estimates.csv", keep_default_na=False)
    defined = lavaan.query("model == 'one' and groups == 'single' and lhs == 'ind'").iloc[0]
    assert row.estimate == pytest.approx(defined.est, abs=1e-4)
    assert row.se == pytest.approx(defined.se, rel=0.02)


def test_latent_difference_under_metric_invariance():
    hs = pd.read_csv(REF / "HolzingerSwineford1939.csv")
    fit = sem.fit_groups(LATENT, hs, "school", equal=["loadings"])
    table = sem.monte_carlo_effects(fit, ("visual", "textual", "speed"), n_draws=100_000, seed=4)
    assert table.attrs["method"] == "monte_carlo" and table.attrs["difference"] == "Pasteur − Grant-White"
    rows = table.set_index("group")
    lavaan = pd.read_csv(REF / "lavaan_metric_paths_defined.csv").set_index("lhs")
    # lavaan: group 1 Pasteur (ind1), group 2 Grant-White (ind2), diff = ind1 - ind2
    assert rows.loc["Pasteur", "estimate"] == pytest.approx(lavaan.loc["ind1", "est"], abs=1e-4)
    assert rows.loc["Grant-White", "estimate"] == pytest.approx(lavaan.loc["ind2", "est"], abs=1e-4)
    assert rows.loc["difference", "estimate"] == pytest.approx(lavaan.loc["diff", "est"], abs=1e-4)
    # exact variance of a1·b1 − a2·b2 for jointly normal estimates (Isserlis), from vcov()
    v = fit.vcov()
    names = {"a1": "textual~visual", "b1": "speed~textual", "a2": "textual~visual.g2", "b2": "speed~textual.g2"}
    paths = fit.estimates[fit.estimates.op == "~"].set_index(["group", "lhs", "rhs"])["est"]
    mean = {"a1": paths[("Pasteur", "textual", "visual")], "b1": paths[("Pasteur", "speed", "textual")],
            "a2": paths[("Grant-White", "textual", "visual")], "b2": paths[("Grant-White", "speed", "textual")]}
    c = {(i, j): v.loc[names[i], names[j]] for i in names for j in names}

    def var_product(x, y):
        return (mean[x] ** 2 * c[y, y] + mean[y] ** 2 * c[x, x] + 2 * mean[x] * mean[y] * c[x, y]
                + c[x, x] * c[y, y] + c[x, y] ** 2)

    cov_products = (mean["a1"] * mean["a2"] * c["b1", "b2"] + mean["a1"] * mean["b2"] * c["b1", "a2"]
                    + mean["b1"] * mean["a2"] * c["a1", "b2"] + mean["b1"] * mean["b2"] * c["a1", "a2"]
                    + c["a1", "a2"] * c["b1", "b2"] + c["a1", "b2"] * c["b1", "a2"])
    exact = math.sqrt(var_product("a1", "b1") + var_product("a2", "b2") - 2 * cov_products)
    assert c["a1", "a2"] != 0  # equal loadings tie the groups' estimates together
    assert rows.loc["difference", "se"] == pytest.approx(exact, rel=0.01)
    # lavaan's delta-method SE leaves out the second-order terms: within 10 % here
    assert rows.loc["difference", "se"] == pytest.approx(lavaan.loc["diff", "se"], rel=0.1)
    draws = table.attrs["draws"]
    assert list(table["group"]) == ["Grant-White", "Pasteur", "difference"]  # sorted, as indirect_effects
    np.testing.assert_array_equal(draws[2], draws[1] - draws[0])


def test_same_seed_same_numbers(weak_mediation):
    first = sem.monte_carlo_effects(weak_mediation, [("x", "m", "y"), ("x", "m")], n_draws=1000, seed=1)
    again = sem.monte_carlo_effects(weak_mediation, [("x", "m", "y"), ("x", "m")], n_draws=1000, seed=1)
    pd.testing.assert_frame_equal(first, again)
    assert list(first.columns) == ["chain", "group", "estimate", "se", "lower", "upper", "lower_mcse",
                                   "upper_mcse", "p_greater", "p_less", "p_greater_mcse", "p_less_mcse", "n_draws"]
    assert set(sem.verdicts(first, "greater")["verdict"]) <= {"supported", "not supported", "borderline"}


@pytest.mark.parametrize("call, words", [
    (lambda f: sem.monte_carlo_effects("fit", ("x", "m")), "fit must be a SemFit .* got str"),
    (lambda f: sem.monte_carlo_effects(f, ("m", "x")), "no regression path x ~ m"),
    (lambda f: sem.monte_carlo_effects(f, ("x",)), "at least two variables"),
    (lambda f: sem.monte_carlo_effects(f, []), "no chains given"),
    (lambda f: sem.monte_carlo_effects(f, ("x", "m"), n_draws=10), "n_draws must be a whole number of at least 100, got 10"),
    (lambda f: sem.monte_carlo_effects(f, ("x", "m"), level=95), "level must lie strictly between 0 and 1, got 95"),
])
def test_bad_input_gets_one_sentence(weak_mediation, call, words):
    with pytest.raises(ValueError, match=words):
        call(weak_mediation)
