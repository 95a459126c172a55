"""utils.sem.fit_twolevel against lavaan 0.6-14, against known parameters, and on bad input.

tests/reference/twolevel/lavaan_twolevel.R fits two-level models in lavaan and writes the
lavaan_twolevel_*.csv files (committed: these tests need no R): lavaan's Demo.twolevel example
(written to demo_twolevel.csv by the same script), six variants of it (a label shared by both
levels, a within-only dependent variable and a residual covariance; a covariate named at both
levels; two factors at each level; a between-only dependent variable, with two clusters of a
single row; a saturated between level; observed paths at both levels), and the infusion-use model (utils/infusion_twolevel.py) on the book's simulated customers,
in each channel and as two groups. Compared (see ``_compare``): the fit table (χ² and baseline
χ² within 0.01; CFI, TLI, RMSEA and its interval, SRMR within and between, p within 0.001;
log-likelihoods, AIC and BIC within 0.01; df, baseline df, npar, rows and clusters exactly),
every row of the parameter table (est, se, std_all within 0.001), and the likelihood-ratio tests
of nested two-group models (χ² difference within 0.01, df exactly). lavaan's optimizer stops a
little short of the maximum where the likelihood is flat, so the fit measures are compared at
lavaan's estimates and the estimates within what lavaan's shortfall allows. Measured: at lavaan's
estimates our log-likelihood equals lavaan's to 1e-10 and our standard errors equal lavaan's to
2e-8; our maxima lie 3e-6 to 0.0056 above lavaan's (the two-group model with equal loadings),
each shortfall equal to ½ Δθᵀ I Δθ to 0.2 %; χ² at our maxima is up to 0.011 lower than lavaan's.

Independent of lavaan: the analytic gradient against finite differences of the likelihood;
the likelihood of a one-cluster-size model against the closed form of a multivariate normal;
a large-sample recovery of known within and between parameters; Monte Carlo effects against
the delta method.

Regenerate the references (from the repository root) with
``Rscript tests/reference/twolevel/lavaan_twolevel.R``.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from utils import infusion_twolevel as twolevel_study
from utils import sem
from utils.infusion.population import CHANNELS
from utils.infusion.simulate import load_study
from utils.sem import _twolevel_stats as tstats
from utils.sem import twolevel

REF = Path(__file__).resolve().parent / "reference" / "twolevel"
CHI2_TOL = 0.01
EST_TOL = 0.001
FIT_TOL = 0.001
LOGLIK_TOL = 0.01
REGENERATE = "regenerate the references: `Rscript tests/reference/twolevel/lavaan_twolevel.R` (from the repository root)"
FIT_MEASURES = {
    "chi2": ("chisq", CHI2_TOL), "baseline_chi2": ("baseline.chisq", CHI2_TOL), "pvalue": ("pvalue", FIT_TOL),
    "cfi": ("cfi", FIT_TOL), "tli": ("tli", FIT_TOL), "rmsea": ("rmsea", FIT_TOL),
    "rmsea_ci_lower": ("rmsea.ci.lower", FIT_TOL), "rmsea_ci_upper": ("rmsea.ci.upper", FIT_TOL),
    "srmr_within": ("srmr_within", FIT_TOL), "srmr_between": ("srmr_between", FIT_TOL),
    "loglik": ("logl", LOGLIK_TOL), "unrestricted_loglik": ("unrestricted.logl", LOGLIK_TOL),
    "aic": ("aic", LOGLIK_TOL), "bic": ("bic", LOGLIK_TOL),
}
EXACT = {"df": "df", "baseline_df": "baseline.df", "npar": "npar", "n": "ntotal", "clusters": "clusters"}


@pytest.fixture(scope="module")
def lavaan() -> dict[str, pd.DataFrame]:
    return {name: pd.read_csv(REF / f"lavaan_twolevel_{name}.csv", keep_default_na=False, na_values=["NA"])
            for name in ("fit", "estimates", "lrt", "models")}


@pytest.fixture(scope="module")
def demo() -> pd.DataFrame:
    return pd.read_csv(REF / "demo_twolevel.csv")


@pytest.fixture(scope="module")
def customers() -> pd.DataFrame:
    return twolevel_study.customer_data(load_study())


def _syntax(lavaan: dict[str, pd.DataFrame], name: str) -> str:
    return lavaan["models"].set_index("name").loc[name, "syntax"]


def _quiet(function, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sem.SemWarning)
        return function(*args, **kwargs)


def _key(frame: pd.DataFrame) -> pd.Series:
    """group level lhs op rhs, the two sides of a covariance sorted."""
    def one(group, level, lhs, op, rhs):
        if op == "~~":
            lhs, rhs = sorted((lhs, rhs))
        return f"{group}|{level}|{lhs} {op} {rhs}"
    groups = frame["group"] if "group" in frame.columns else pd.Series("", index=frame.index)
    return pd.Series([one(g, int(lv), a, o, b) for g, lv, a, o, b in
                      zip(groups.astype(str), frame["level"], frame["lhs"], frame["op"], frame["rhs"])],
                     index=frame.index)


def _loglik(fit: sem.TwoLevelFit, theta: np.ndarray) -> float:
    """fit_twolevel's log-likelihood of ``fit``'s model at the parameter vector ``theta``."""
    total = 0.0
    for group in fit._model.groups:
        moments = twolevel._moments(group, theta)
        (sw, mw, _), (sb, mb, _) = moments[1], moments[2]
        total += tstats.loglik(group.stats, sw, mw, sb, mb)
    return total


def _lavaan_theta(fit: sem.TwoLevelFit, theirs: pd.DataFrame) -> np.ndarray:
    """lavaan's estimates as fit_twolevel's parameter vector."""
    theirs = theirs.assign(key=_key(theirs)).set_index("key")
    theta = np.full(fit._model.npar, np.nan)
    for group in fit._model.groups:
        for row, pos, _ in group.rows:
            if pos >= 0:
                one = pd.DataFrame([{"group": "" if fit.group is None else group.name, "level": row.level,
                                     "lhs": row.lhs, "op": row.op, "rhs": row.rhs}])
                theta[pos] = theirs.loc[_key(one).iloc[0], "est"]
    assert np.isfinite(theta).all()
    return theta


def _compare(fit: sem.TwoLevelFit, lavaan: dict[str, pd.DataFrame], model: str) -> float:
    """fit_twolevel against lavaan on ``model``; returns the shortfall of lavaan's log-likelihood.

    lavaan's optimizer stops when its objective changes by less than 1e-10 (relative); where the
    likelihood is nearly flat that leaves it a little short of the maximum. So the comparison has
    three parts. (1) The formulas: at lavaan's estimates, fit_twolevel's log-likelihood equals
    lavaan's (to 1e-5) and so does every fit measure (the tolerances of the module docstring).
    (2) The optimizer: fit_twolevel's maximum is no lower than lavaan's, and the shortfall
    equals ½ Δθᵀ I Δθ (Δθ the difference of the estimates, I the observed information) to 2 %
    plus 1e-7, i.e. lavaan's estimates lie on the same likelihood surface below our maximum.
    (3) The estimates: est within 0.001, or, where lavaan stopped short, within
    1.1·√(2·shortfall) standard errors (the largest difference that shortfall allows, by the
    Cauchy-Schwarz inequality); std_all within 0.001 or the same bound carried to the
    standardized scale; se within 0.001 when computed at lavaan's estimates, and at ours within
    0.001 or, where lavaan stopped short, 2 % (the information matrix moves with the point); and
    our χ² within 0.01 + 2·shortfall of lavaan's."""
    ref = lavaan["fit"].set_index("model").loc[model]
    theirs = lavaan["estimates"][lavaan["estimates"]["model"] == model].fillna({"group": ""})
    theta = _lavaan_theta(fit, theirs)
    assert _loglik(fit, theta) == pytest.approx(float(ref["logl"]), abs=1e-5), f"{model}: not lavaan's likelihood"
    at_lavaan = twolevel._fit_table(fit._model, theta)
    for key, (name, tol) in FIT_MEASURES.items():
        assert at_lavaan[key] == pytest.approx(float(ref[name]), abs=tol, nan_ok=True), f"{model}: {key} ({REGENERATE})"
    for key, name in EXACT.items():
        assert fit.fit_table[key] == int(ref[name]), f"{model}: {key}"
    shortfall = fit.fit_table["loglik"] - float(ref["logl"])
    delta = theta - fit._theta
    quadratic = 0.5 * delta @ np.linalg.solve(fit._cov, delta)
    assert shortfall > -1e-6, f"{model}: lavaan's maximum is higher by {-shortfall:.2g}"
    assert quadratic == pytest.approx(shortfall, rel=0.02, abs=1e-7), f"{model}: lavaan's estimates are off our surface"
    assert fit.fit_table["chi2"] == pytest.approx(float(ref["chisq"]), abs=CHI2_TOL + 2 * max(shortfall, 0.0))
    ours = fit.estimates.assign(key=_key(fit.estimates)).set_index("key")
    theirs = theirs.assign(key=_key(theirs)).set_index("key")
    assert sorted(ours.index) == sorted(theirs.index), f"{model}: the parameter tables list different rows"
    joined = ours.join(theirs[["est", "se", "std_all"]].add_suffix("_lavaan"))
    information = twolevel._hessian(theta, fit._model) * fit._model.total_n / 2
    se_at_lavaan = pd.Series(np.sqrt(np.diag(np.linalg.inv(information))))
    positions = {}
    for group in fit._model.groups:
        for row, pos, _ in group.rows:
            frame = pd.DataFrame([{"group": "" if fit.group is None else group.name, "level": row.level,
                                   "lhs": row.lhs, "op": row.op, "rhs": row.rhs}])
            positions[_key(frame).iloc[0]] = pos
    free = joined[[positions[k] >= 0 for k in joined.index]]
    formula = (se_at_lavaan[[positions[k] for k in free.index]].to_numpy() - free["se_lavaan"].to_numpy())
    assert np.max(np.abs(formula)) < EST_TOL, f"{model}: standard errors at lavaan's estimates differ"
    reach = 1.1 * np.sqrt(2 * max(shortfall, 0.0)) * joined["se"]
    ratio = (joined["std_all"] / joined["est"]).abs().replace(np.inf, 0).fillna(0)
    se_slack = 0.02 * joined["se"] if shortfall > 1e-6 else 0.0
    allowed = {"est": np.maximum(EST_TOL, reach), "se": np.maximum(EST_TOL, se_slack),
               "std_all": np.maximum(EST_TOL, reach * ratio)}
    for column in ("est", "se", "std_all"):
        gap = (joined[column] - joined[f"{column}_lavaan"]).abs()
        excess = gap - allowed[column]
        worst = excess.idxmax()
        assert (excess <= 0).all(), f"{model}: {column} of {worst} differs by {gap[worst]:.2g} ({REGENERATE})"
    return shortfall


# --------------------------------------------------------------------------- against lavaan


def test_demo_twolevel_as_in_lavaans_tutorial(demo, lavaan):
    fit = sem.fit_twolevel(_syntax(lavaan, "demo"), demo, "cluster")
    _compare(fit, lavaan, "demo")
    # the numbers of the book's notes (lavaan-twolevel.md), rounded as lavaan prints them
    assert (round(fit.fit_table["chi2"], 3), fit.fit_table["df"]) == (8.092, 10)
    assert round(fit.fit_table["loglik"], 3) == -12076.566
    paths = fit.estimates[fit.estimates["op"] == "~"].set_index("rhs")
    assert paths.loc["x1", ["est", "se"]].round(3).tolist() == [0.510, 0.023]
    assert paths.loc["w1", ["est", "se"]].round(3).tolist() == [0.165, 0.079]


def _singletons(demo: pd.DataFrame) -> pd.DataFrame:
    """Demo.twolevel with clusters 3 and 7 cut to their first row, as the R script does."""
    return demo[~demo["cluster"].isin([3, 7]) | ~demo["cluster"].duplicated()]


@pytest.mark.parametrize("model", ["demo_labels", "demo_contextual", "demo_cfa2", "demo_between_endogenous",
                                   "demo_saturated_between", "demo_paths"])
def test_demo_variants(demo, lavaan, model):
    data = _singletons(demo) if model == "demo_between_endogenous" else demo
    fit = sem.fit_twolevel(_syntax(lavaan, model), data, "cluster")
    _compare(fit, lavaan, model)
    if model == "demo_between_endogenous":
        assert fit.fit_table["clusters"] == 200 and (data.groupby("cluster").size() == 1).sum() == 2


def test_cross_level_label_is_one_parameter(demo, lavaan):
    fit = sem.fit_twolevel(_syntax(lavaan, "demo_labels"), demo, "cluster")
    labelled = fit.estimates[fit.estimates["label"] == "a"]
    assert labelled["level"].tolist() == [1, 2]
    assert labelled["est"].nunique() == 1 and labelled["se"].nunique() == 1


def test_infusion_model_strings_are_the_references(lavaan):
    assert _syntax(lavaan, "MODEL") == twolevel_study.MODEL
    assert _syntax(lavaan, "MODEL_FREE") == twolevel_study.MODEL_FREE
    free = twolevel_study.MODEL_FREE
    assert _syntax(lavaan, "infusion_groups_h1") == twolevel_study.with_label(free, "CONF", "INF", "h1")
    assert _syntax(lavaan, "infusion_groups_h3") == twolevel_study.with_label(free, "CSAT", "CONF", "h3")
    assert set(lavaan["models"]["lavaan"]) == {"0.6.14"}


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("free", [False, True], ids=["zero_between", "free"])
def test_infusion_model_per_channel(customers, lavaan, channel, free):
    desc = twolevel_study.MODEL_FREE if free else twolevel_study.MODEL
    part = customers[customers["channel"] == channel]
    if free:  # the between-level residual variances of the customer items estimate near 0, some below
        with pytest.warns(sem.SemWarning, match="negative variance estimate"):
            fit = sem.fit_twolevel(desc, part, "employee_id")
    else:
        fit = sem.fit_twolevel(desc, part, "employee_id")
    _compare(fit, lavaan, f"infusion_{'free_' if free else ''}{channel}")


@pytest.fixture(scope="module")
def group_fits(customers):
    """MODEL_FREE in two groups (lavaan 0.6-14 fails at its starting values with MODEL in two
    groups; see the R script)."""
    model = twolevel_study.MODEL_FREE
    fit = sem.fit_twolevel
    return {
        "configural": _quiet(fit, model, customers, "employee_id", group="channel"),
        "loadings": _quiet(fit, model, customers, "employee_id", group="channel", equal=["loadings"]),
        "h1": _quiet(fit, twolevel_study.with_label(model, "CONF", "INF", "h1"), customers, "employee_id",
                     group="channel", equal=["h1"]),
        "h3": _quiet(fit, twolevel_study.with_label(model, "CSAT", "CONF", "h3"), customers, "employee_id",
                     group="channel", equal=["h3"]),
    }


@pytest.mark.parametrize("name", ["configural", "loadings", "h1", "h3"])
def test_infusion_model_in_two_groups(group_fits, lavaan, name):
    fit = group_fits[name]
    assert fit.groups == list(CHANNELS)
    _compare(fit, lavaan, f"infusion_groups_{name}")


def test_likelihood_ratio_tests_of_two_group_models(group_fits, customers, lavaan):
    """χ² differences as lavaan's anova(), within 0.01 plus twice the two fits' shortfalls (see
    _compare: lavaan stopped the model with equal loadings 0.0056 below its maximum)."""
    ref = lavaan["lrt"].set_index("test")
    logl = lavaan["fit"].set_index("model")["logl"]
    for name in ("loadings", "h1", "h3"):
        test = sem.lr_test(group_fits[name], group_fits["configural"])
        shortfalls = [group_fits[n].fit_table["loglik"] - logl[f"infusion_groups_{n}"] for n in (name, "configural")]
        slack = 2 * sum(max(s, 0.0) for s in shortfalls)
        assert test["chi2_diff"] == pytest.approx(ref.loc[name, "chisq_diff"], abs=CHI2_TOL + slack)
        assert test["df_diff"] == int(ref.loc[name, "df_diff"])
        assert test["pvalue"] == pytest.approx(ref.loc[name, "pvalue"], abs=FIT_TOL)
    part = customers[customers["channel"] == "retail_store"]
    zero = sem.fit_twolevel(twolevel_study.MODEL, part, "employee_id")
    free = _quiet(sem.fit_twolevel, twolevel_study.MODEL_FREE, part, "employee_id")
    test = sem.lr_test(zero, free)
    assert test["chi2_diff"] == pytest.approx(ref.loc["zero_between_retail_store", "chisq_diff"], abs=CHI2_TOL)
    assert test["df_diff"] == 6


def test_configural_two_groups_equal_the_separate_fits(group_fits, customers):
    """With nothing held equal, the two-group fit is the two channel fits side by side."""
    separate = _quiet(twolevel_study.fit_channels, customers, twolevel_study.MODEL_FREE)
    assert group_fits["configural"].fit_table["chi2"] == pytest.approx(
        sum(f.fit_table["chi2"] for f in separate.values()), abs=1e-6)
    assert group_fits["configural"].fit_table["df"] == sum(f.fit_table["df"] for f in separate.values())
    joint = group_fits["configural"].estimates
    for channel, fit in separate.items():
        mine = joint[joint["group"] == channel]["est"].to_numpy()
        assert np.allclose(mine, fit.estimates["est"].to_numpy(), atol=1e-6)


# --------------------------------------------------------------------------- independent of lavaan


def test_gradient_matches_finite_differences(demo, lavaan):
    fit = sem.fit_twolevel(_syntax(lavaan, "demo_labels"), demo, "cluster")
    model = fit._model
    rng = np.random.default_rng(1)
    theta = fit._theta + rng.normal(scale=0.02, size=fit._theta.size)  # away from the optimum
    _, grad = twolevel._objective(theta, model)
    numeric = np.zeros_like(theta)
    for j in range(theta.size):
        step = np.zeros_like(theta)
        step[j] = 1e-6
        numeric[j] = (twolevel._objective(theta + step, model, with_grad=False)
                      - twolevel._objective(theta - step, model, with_grad=False)) / 2e-6
    assert np.allclose(grad, numeric, rtol=1e-5, atol=1e-8)


def test_expected_information_is_the_expected_hessian_at_a_large_sample(demo, lavaan):
    """At the estimates, observed and expected information agree to sampling error (here within
    10 % on the diagonal), a check of the Fisher-scoring matrix independent of lavaan."""
    fit = sem.fit_twolevel(_syntax(lavaan, "demo"), demo, "cluster")
    observed = twolevel._hessian(fit._theta, fit._model) * fit._model.total_n / 2
    expected = twolevel._information(fit._theta, fit._model)
    assert np.allclose(np.diag(expected), np.diag(observed), rtol=0.1)


def test_likelihood_of_balanced_clusters_is_the_multivariate_normal():
    """One cluster size, no between-only variable: each cluster's rows stacked are normal with
    covariance I⊗Σ_W + 11ᵀ⊗Σ_B; the likelihood must equal scipy's density of that."""
    rng = np.random.default_rng(3)
    n, clusters, p = 4, 30, 2
    sigma_w = np.array([[1.0, 0.3], [0.3, 0.8]])
    sigma_b = np.array([[0.5, 0.1], [0.1, 0.4]])
    mu = np.array([0.2, -0.1])
    y = rng.normal(size=(clusters * n, p))
    data = pd.DataFrame(y, columns=["a", "b"]).assign(g=np.repeat(np.arange(clusters), n))
    sub = tstats.check_data(data, "g", ["a", "b"], [], "")
    st = tstats.cluster_stats(sub, "g", ["a", "b"], ["a", "b"], [], [], [], "")
    ours = tstats.loglik(st, sigma_w, np.zeros(p), sigma_b, mu)
    cov = np.kron(np.eye(n), sigma_w) + np.kron(np.ones((n, n)), sigma_b)
    expected = sum(stats.multivariate_normal(np.tile(mu, n), cov).logpdf(y[j * n:(j + 1) * n].ravel())
                   for j in range(clusters))
    assert ours == pytest.approx(expected, abs=1e-8)


def _simulate_two_level(rng: np.random.Generator, clusters: int) -> pd.DataFrame:
    """Known values: within, fw → y1..y3 (loadings 1, 0.8, 0.6; residual variances 0.5, 0.6,
    0.7; var fw 1.0) regressed on x (0.4); between, fb → y1..y3 (1, 0.9, 0.5; residuals 0.1,
    0.2, 0.15; residual variance of fb 0.3), fb ~ 0.5 w, intercepts 1, 2, 3; sizes 3-12."""
    sizes = rng.integers(3, 13, size=clusters)
    g = np.repeat(np.arange(clusters), sizes)
    w = rng.normal(size=clusters)
    fb = 0.5 * w + rng.normal(scale=np.sqrt(0.3), size=clusters)
    x = rng.normal(size=len(g))
    fw = 0.4 * x + rng.normal(scale=np.sqrt(1.0), size=len(g))
    cols = {}
    for name, lw, rw, lb, rb, mean in (("y1", 1.0, 0.5, 1.0, 0.1, 1.0), ("y2", 0.8, 0.6, 0.9, 0.2, 2.0),
                                        ("y3", 0.6, 0.7, 0.5, 0.15, 3.0)):
        between = mean + lb * fb + rng.normal(scale=np.sqrt(rb), size=clusters)
        cols[name] = between[g] + lw * fw + rng.normal(scale=np.sqrt(rw), size=len(g))
    return pd.DataFrame({**cols, "x": x, "w": w[g], "g": g})


RECOVERY_MODEL = """
level: 1
  fw =~ y1 + y2 + y3
  fw ~ x
level: 2
  fb =~ y1 + y2 + y3
  fb ~ w
"""
TRUE = {(1, "fw", "=~", "y2"): 0.8, (1, "fw", "=~", "y3"): 0.6, (1, "fw", "~", "x"): 0.4,
        (1, "y1", "~~", "y1"): 0.5, (1, "y2", "~~", "y2"): 0.6, (1, "y3", "~~", "y3"): 0.7, (1, "fw", "~~", "fw"): 1.0,
        (2, "fb", "=~", "y2"): 0.9, (2, "fb", "=~", "y3"): 0.5, (2, "fb", "~", "w"): 0.5,
        (2, "y1", "~~", "y1"): 0.1, (2, "y2", "~~", "y2"): 0.2, (2, "y3", "~~", "y3"): 0.15, (2, "fb", "~~", "fb"): 0.3,
        (2, "y1", "~1", ""): 1.0, (2, "y2", "~1", ""): 2.0, (2, "y3", "~1", ""): 3.0}


def test_large_sample_recovers_known_within_and_between_parameters():
    data = _simulate_two_level(np.random.default_rng(2024), clusters=3000)
    fit = sem.fit_twolevel(RECOVERY_MODEL, data, "g")
    table = fit.estimates.set_index(["level", "lhs", "op", "rhs"])
    for key, value in TRUE.items():
        est, se = table.loc[key, "est"], table.loc[key, "se"]
        assert abs(est - value) < 4 * se, f"{key}: {est:.4f} (se {se:.4f}) is not near the true {value}"
        assert se < 0.05, f"{key}: a large sample should pin it down (se {se:.4f})"
    assert fit.fit_table["pvalue"] > 0.001  # the true model fits


def test_standard_errors_match_the_spread_of_estimates_over_simulated_samples():
    """Observed-information SEs against the standard deviation of 60 replications' estimates of
    the two structural paths (each within 30 %, the sampling error of an SD over 60 draws plus
    margin)."""
    rng = np.random.default_rng(11)
    estimates, ses = [], []
    for _ in range(60):
        fit = sem.fit_twolevel(RECOVERY_MODEL, _simulate_two_level(rng, clusters=150), "g")
        paths = fit.estimates[fit.estimates["op"] == "~"]
        estimates.append(paths["est"].to_numpy())
        ses.append(paths["se"].to_numpy())
    spread, typical = np.std(estimates, axis=0, ddof=1), np.median(ses, axis=0)
    assert np.allclose(typical, spread, rtol=0.3)


def test_monte_carlo_effects_match_the_delta_method(customers):
    fit = sem.fit_twolevel(twolevel_study.MODEL, customers[customers["channel"] == "contact_center"], "employee_id")
    draws = fit.effect_draws([("INF", "USAT"), ("USAT", "CONF"), ("INF", "USAT", "CONF")], n_draws=40_000, seed=5)
    table = fit.estimates[(fit.estimates["level"] == 2) & (fit.estimates["op"] == "~")].set_index(["lhs", "rhs"])
    a, se_a = table.loc[("USAT", "INF"), ["est", "se"]]
    b, se_b = table.loc[("CONF", "USAT"), ["est", "se"]]
    assert draws["INF → USAT"].mean() == pytest.approx(a, abs=3 * se_a / np.sqrt(40_000) * 2)
    assert draws["INF → USAT"].std() == pytest.approx(se_a, rel=0.02)
    cov = np.cov(draws["INF → USAT"], draws["USAT → CONF"])[0, 1]
    delta = np.sqrt(b**2 * se_a**2 + a**2 * se_b**2 + 2 * a * b * cov)
    assert draws["INF → USAT → CONF"].std() == pytest.approx(delta, rel=0.05)
    assert draws.attrs["estimate"]["INF → USAT → CONF"] == pytest.approx(a * b)
    again = fit.effect_draws([("INF", "USAT", "CONF")], n_draws=1000, seed=5)
    assert again.equals(fit.effect_draws([("INF", "USAT", "CONF")], n_draws=1000, seed=5))


def test_indirect_effects_table_and_standardized_paths(customers):
    fit = sem.fit_twolevel(twolevel_study.MODEL, customers[customers["channel"] == "retail_store"], "employee_id")
    table = fit.indirect_effects([("INF", "CONF")], n_draws=5000, seed=1, standardized=True)
    std = fit.estimates[(fit.estimates["level"] == 2) & (fit.estimates["lhs"] == "CONF")
                        & (fit.estimates["rhs"] == "INF")]["std_all"].iloc[0]
    row = table.iloc[0]
    assert row["estimate"] == pytest.approx(std)
    assert row["ci_low"] < std < row["ci_high"]
    assert 0 < row["ci_low_mcse"] < 0.02 and row["n_draws"] == 5000
    # the draws' variances come from the ancestors of the chain only: the same as the full model's
    ram = fit._model.groups[0].levels[2]
    names = fit._model.roles[2].observed + fit._model.roles[2].latent
    needed = [names.index("INF"), names.index("CONF"), names.index("CSAT")]
    assert np.allclose(ram.total_variances_batch(fit._theta[None], needed)[0], ram.total_variances(fit._theta)[needed])


def test_saturated_em_stops_as_lavaan_and_is_cached(customers, lavaan):
    part = customers[customers["channel"] == "retail_store"]
    fit = sem.fit_twolevel(twolevel_study.MODEL, part, "employee_id")
    ref = lavaan["fit"].set_index("model").loc["infusion_retail_store", "unrestricted.logl"]
    assert fit.fit_table["unrestricted_loglik"] == pytest.approx(ref, abs=1e-3)
    group = fit._model.groups[0]
    assert tstats.saturated_em(group.stats) is group.saturated  # the second model on the data reuses it


# --------------------------------------------------------------------------- bad input


def _small(rng=None, clusters=40):
    return _simulate_two_level(rng or np.random.default_rng(7), clusters)


@pytest.mark.parametrize("desc, message", [
    ("fw =~ y1 + y2 + y3", "before any 'level: 1'"),
    ("level: 1\n fw =~ y1 + y2 + y3", "no 'level: 2' block"),
    ("level: 1\n fw =~ y1 + y2 + y3\nlevel: 3\n fb =~ y1 + y2", "unknown level"),
    ("level: 1\n fw =~ y1 + y2 + y3\nlevel: 2\n fb =~ y1 + y2 + y3\n ab := a*b", "':='"),
    ("level: 1\n fw =~ y1 + c(a, b)*y2 + y3\nlevel: 2\n fb =~ y1 + y2 + y3", "not supported"),
    ("level: 1\n fw =~ y1 + y2 + 2y3\nlevel: 2\n fb =~ y1 + y2 + y3", "not a valid variable name"),
    ("level: 1\n fw =~ y1 + y2 + y3\nlevel: 2\n fb =~ y1 + y2 + y9", "not columns of the data: y9"),
])
def test_unreadable_or_unknown_model(desc, message):
    with pytest.raises(sem.SemError, match=message):
        sem.fit_twolevel(desc, _small(), "g")


def test_missing_cluster_column():
    with pytest.raises(sem.SemError, match=r"cluster='team' is not a column of the data"):
        sem.fit_twolevel(RECOVERY_MODEL, _small(), "team")


def test_every_cluster_a_single_row():
    data = _small().assign(g=lambda d: np.arange(len(d)))
    with pytest.raises(sem.SemError, match="every cluster of 'g' has one row"):
        sem.fit_twolevel(RECOVERY_MODEL, data, "g")


def test_between_only_variable_that_varies_within_clusters():
    data = _small()
    data.loc[data.index[1], "w"] += 0.5
    with pytest.raises(sem.SemError, match=r"'w' is named only under 'level: 2'.*varies within 1 cluster"):
        sem.fit_twolevel(RECOVERY_MODEL, data, "g")


def test_level_one_variable_constant_within_clusters():
    desc = RECOVERY_MODEL.replace("fw ~ x", "fw ~ x + w")
    with pytest.raises(sem.SemError, match=r"'w' named under 'level: 1' do\(es\) not vary within any cluster"):
        sem.fit_twolevel(desc, _small(), "g")


def test_too_few_clusters_for_the_between_model():
    data = _small(clusters=6)
    with pytest.raises(sem.SemError, match="too few clusters: 6 clusters of 'g'"):
        sem.fit_twolevel(RECOVERY_MODEL, data, "g")


def test_missing_values_and_non_numeric_columns():
    data = _small()
    data.loc[data.index[3], "y2"] = np.nan
    with pytest.raises(sem.SemError, match=r"missing values \(y2: 1\)"):
        sem.fit_twolevel(RECOVERY_MODEL, data, "g")
    with pytest.raises(sem.SemError, match="non-numeric column"):
        sem.fit_twolevel(RECOVERY_MODEL, _small().assign(x="a"), "g")


def test_a_fit_that_does_not_converge():
    """A model whose between part cannot be estimated (a factor measured by one both-level
    variable whose between variance is a few thousandths, with its loading free): no optimum."""
    data = _small()
    data["y1"] = data["y1"] - data.groupby("g")["y1"].transform("mean") + 1e-3 * data["g"] % 3
    desc = "level: 1\n fw =~ y1 + y2 + y3\nlevel: 2\n fb =~ NA*y1 + y2\n fb ~~ 1*fb\n y1 ~~ 0*y1"
    with pytest.raises(sem.SemError, match="did not converge|not positive definite|edge of the admissible"):
        _quiet(sem.fit_twolevel, desc, data, "g")


def test_groups_and_equalities_are_checked():
    data = _small().assign(team=lambda d: np.where(d["g"] % 2 == 0, "a", "b"))
    with pytest.raises(sem.SemError, match="group='unit' is not a column"):
        sem.fit_twolevel(RECOVERY_MODEL, data, "g", group="unit")
    with pytest.raises(sem.SemError, match="no group= column"):
        sem.fit_twolevel(RECOVERY_MODEL, data, "g", equal=["loadings"])
    with pytest.raises(sem.SemError, match="equal='intercepts' is not supported"):
        sem.fit_twolevel(RECOVERY_MODEL, data, "g", group="team", equal=["intercepts"])
    mixed = data.assign(team=np.where(np.arange(len(data)) % 2 == 0, "a", "b"))
    with pytest.raises(sem.SemError, match="has rows in more than one group"):
        sem.fit_twolevel(RECOVERY_MODEL, mixed, "g", group="team")
    once = RECOVERY_MODEL.replace("fw ~ x", "fw ~ p*x")
    with pytest.raises(sem.SemError, match="label 'p' is used in only one place"):
        sem.fit_twolevel(once, data, "g", group="team")


def test_effect_draws_check_their_arguments(demo, lavaan):
    fit = sem.fit_twolevel(_syntax(lavaan, "demo"), demo, "cluster")
    with pytest.raises(sem.SemError, match="no regression path fb ~ x1 at level 2"):
        fit.effect_draws([("x1", "fb")], at=2)
    with pytest.raises(sem.SemError, match="at must be 1"):
        fit.effect_draws([("x1", "fw")], at=3)
    with pytest.raises(sem.SemError, match="n_draws must be"):
        fit.effect_draws([("x1", "fw")], at=1, n_draws=5)
    assert fit.effect_draws([("x1", "fw")], at=1, n_draws=200, seed=0).shape == (200, 1)


def test_summary_names_the_fit(demo, lavaan, capsys):
    fit = sem.fit_twolevel(_syntax(lavaan, "demo"), demo, "cluster")
    text = fit.summary()
    assert "2500 rows in 200 clusters" in text and "SRMR within = 0.004, between = 0.034" in text
    assert list(fit.vcov.index) == list(fit.vcov.columns) and fit.vcov.shape == (20, 20)
