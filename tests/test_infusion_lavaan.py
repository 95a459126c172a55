"""The infusion-use replication's SEM numbers against lavaan 0.6-14 on the same data.

tests/reference/infusion/employee_data.csv is ``employee_data(load_study())`` (written by
make_employee_data.py there); lavaan_infusion.R fits the book's models (utils/infusion/models.py)
to it in lavaan and writes the lavaan_infusion_*.csv files, committed, so these tests need no R.
Compared: per channel, the CFA, the latent SEM (``hypotheses.latent_fits``) and the composite
SEM: fit tables, every estimate, SE and std_all, R²; the invariance sequence by channel
(``utils.sem.invariance``); the tests of key paths held equal across channels on the metric and
configural baselines (``hypotheses.equality_tests``, as stored by ``utils.infusion.cache``); the point estimates of H1-H3 (``hypotheses.hypothesis_tests``,
the composite model). Tolerances as in the other SEM tests: χ² and χ² differences within 0.01;
estimates, SEs, std_all, R² and the other fit measures (log-likelihood, AIC and BIC included)
within 0.001; df, npar and n exactly. (Measured: everything agrees far closer, χ² to 1e-7 and
estimates to 6e-6.)

When the dataset or ``employee_data`` changes, regenerate the references (from the repository root)::

    PYTHONPATH=. .venv/bin/python tests/reference/infusion/make_employee_data.py
    Rscript tests/reference/infusion/lavaan_infusion.R
"""

from __future__ import annotations

import contextlib
import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from utils import sem
from utils.infusion import hypotheses, models
from utils.infusion.aggregation import employee_data
from utils.infusion.population import CHANNELS
from utils.infusion.simulate import load_study

try:  # installed with semopy (via scikit-learn), as utils.sem.groups assumes
    from threadpoolctl import threadpool_limits
except ImportError:  # pragma: no cover
    threadpool_limits = None

REF = Path(__file__).resolve().parent / "reference" / "infusion"
CHI2_TOL = 0.01
EST_TOL = 0.001
FIT_TOL = 0.001
REGENERATE = ("regenerate the references: `PYTHONPATH=. .venv/bin/python tests/reference/infusion/make_employee_data.py` "
              "then `Rscript tests/reference/infusion/lavaan_infusion.R` (from the repository root)")
# utils.sem fit_table key → lavaan fitMeasures name, and the tolerance.
FIT_MEASURES = {
    "chi2": ("chisq", CHI2_TOL), "pvalue": ("pvalue", FIT_TOL), "cfi": ("cfi", FIT_TOL), "tli": ("tli", FIT_TOL),
    "rmsea": ("rmsea", FIT_TOL), "rmsea_ci_lower": ("rmsea.ci.lower", FIT_TOL),
    "rmsea_ci_upper": ("rmsea.ci.upper", FIT_TOL), "srmr": ("srmr", FIT_TOL),
    "loglik": ("logl", FIT_TOL), "aic": ("aic", FIT_TOL), "bic": ("bic", FIT_TOL),
}
EXACT = {"df": "df", "npar": "npar", "n": "ntotal"}
SINGLE = {"cfa": models.CFA, "latent_sem": models.LATENT_SEM, "composite_sem": models.COMPOSITE_SEM}
# equality_tests' row names → the path names of lavaan_infusion_lrt.csv
PATHS = {"H1: CONF ~ INF": "CONF~INF", "H2 (b): CONF ~ USAT": "CONF~USAT", "H2 (a): USAT ~ INF": "USAT~INF",
         "H3: CSAT ~ CONF": "CSAT~CONF"}
def _key(frame: pd.DataFrame) -> pd.Series:
    """lhs op rhs, with the two sides of a covariance sorted (lavaan and semopy orient some differently)."""
    def one(lhs, op, rhs):
        if op == "~~":
            lhs, rhs = sorted((lhs, rhs))
        return f"{lhs} {op} {rhs}"
    return pd.Series([one(*row) for row in frame[["lhs", "op", "rhs"]].itertuples(index=False)], index=frame.index)


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def employees() -> pd.DataFrame:
    return employee_data(load_study())


@pytest.fixture(scope="module")
def lavaan() -> dict[str, pd.DataFrame]:
    return {name: pd.read_csv(REF / f"lavaan_infusion_{name}.csv", keep_default_na=False, na_values=["NA"])
            for name in ("fit", "estimates", "lrt", "r2", "models")}


@pytest.fixture(scope="module")
def single_fits(employees) -> dict[tuple[str, str], sem.SemFit]:
    """Per channel: the CFA and the composite SEM by utils.sem.fit, the latent SEM by the book's
    hypotheses.latent_fits. BLAS on one thread: these matrices are small, and with threaded BLAS
    on a busy 2-core machine the six fits took 4-9 s instead of 0.3 s."""
    with threadpool_limits(limits=1, user_api="blas") if threadpool_limits else contextlib.nullcontext():
        latent = hypotheses.latent_fits(employees)
        fits = {}
        for channel in CHANNELS:
            part = employees[employees["channel"] == channel]
            fits[("cfa", channel)] = sem.fit(models.CFA, part)
            fits[("latent_sem", channel)] = latent[channel]
            fits[("composite_sem", channel)] = sem.fit(models.COMPOSITE_SEM, part)
    return fits


@pytest.fixture(scope="module")
def invariance_table(employees):
    return sem.invariance(models.CFA, employees, "channel")


@pytest.fixture(scope="module")
def equality() -> dict[str, pd.DataFrame]:
    """hypotheses.equality_tests on both baselines, as stored by utils.infusion.cache (the chapter
    reads the stored tables; tests/test_infusion_cache.py checks that they are what the code
    computes now)."""
    from utils.infusion import cache

    return {"metric": cache.load("equality_metric"), "configural": cache.load("equality_configural")}


# --------------------------------------------------------------------------- the references are current


def _make_script():
    path = REF / "make_employee_data.py"
    spec = importlib.util.spec_from_file_location("make_employee_data", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # defines frame() and csv_text(); writes only as __main__
    return module


def test_employee_data_file_is_current(employees):
    """employee_data.csv is what employee_data(load_study()) gives now (to the 10 digits written)."""
    make = _make_script()
    fresh = employees[make.COLUMNS].reset_index(drop=True)
    committed = pd.read_csv(REF / "employee_data.csv")
    stale = f"tests/reference/infusion/employee_data.csv is not employee_data(load_study()) any more; {REGENERATE}"
    assert list(committed.columns) == make.COLUMNS, stale
    assert len(committed) == len(fresh), f"{len(committed)} rows in the file, {len(fresh)} now; {stale}"
    for column in ("employee_id", "channel"):
        assert committed[column].tolist() == fresh[column].tolist(), f"{column} differs; {stale}"
    numeric = make.COLUMNS[2:]
    diff = np.abs(committed[numeric].to_numpy(float) - fresh[numeric].to_numpy(float))
    bound = 1e-9 * np.maximum(1.0, np.abs(fresh[numeric].to_numpy(float)))  # %.10g rounding
    worst = np.unravel_index(np.argmax(diff - bound), diff.shape)
    assert (diff <= bound).all(), (f"{numeric[worst[1]]} of row {worst[0]} differs by {diff[worst]:.3g}; {stale}")


def test_model_strings_are_the_books(lavaan):
    """lavaan fitted utils/infusion/models.py's strings: the R script holds them verbatim, and
    lavaan_infusion_models.csv (written by that script) records what it fitted."""
    used = lavaan["models"].set_index("name")["syntax"]
    script = (REF / "lavaan_infusion.R").read_text(encoding="utf-8")
    for name in ("CFA", "LATENT_SEM", "COMPOSITE_SEM"):
        expected = getattr(models, name)
        assert used[name] == expected, f"lavaan fitted another {name} than models.{name}; {REGENERATE}"
        assert f'{name} <- "{expected}"\n' in script, f"lavaan_infusion.R's {name} is not models.{name}"
    assert set(lavaan["models"]["lavaan"]) == {"0.6.14"}


def test_lavaan_group_order_is_the_books(lavaan):
    """In lavaan's multi-group fits group 1 is retail_store: its free (configural) latent model
    gives each channel's single-group estimates."""
    est = lavaan["estimates"]
    free = est[(est.model == "latent_free") & (est.op != "~~")].set_index(["channel", "lhs", "op", "rhs"])["est"]
    single = est[(est.model == "latent_sem") & (est.op != "~~")].set_index(["channel", "lhs", "op", "rhs"])["est"]
    assert np.max(np.abs(free - single.reindex(free.index))) < 1e-4


# --------------------------------------------------------------------------- per channel


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("model", list(SINGLE))
def test_fit_table_matches_lavaan(single_fits, lavaan, model, channel):
    ours = single_fits[(model, channel)].fit_table
    ref = lavaan["fit"].set_index(["model", "channel"]).loc[(model, channel)]
    for key, name in EXACT.items():
        assert ours[key] == ref[name], key
    for key, (name, tol) in FIT_MEASURES.items():
        assert ours[key] == pytest.approx(ref[name], abs=tol), key


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("model", list(SINGLE))
def test_estimates_match_lavaan(single_fits, lavaan, model, channel):
    """Every parameter (loadings, regressions, (residual) variances and covariances, the fixed ones
    with se 0): est, se and std_all."""
    ref = lavaan["estimates"].query("model == @model and channel == @channel")
    ours = single_fits[(model, channel)].estimates
    merged = ref.assign(key=_key(ref)).merge(ours.assign(key=_key(ours)), on="key", how="outer",
                                             suffixes=("_lavaan", ""), indicator=True)
    unmatched = merged[merged["_merge"] != "both"]
    assert unmatched.empty, unmatched[["key", "_merge"]]
    assert len(merged) == len(ref) == len(ours)
    for column in ("est", "se", "std_all"):
        assert np.max(np.abs(merged[column] - merged[f"{column}_lavaan"])) < EST_TOL, column
    if model != "cfa":
        assert (merged["op_lavaan"] == "~").sum() == 8  # the eight structural paths


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("model", ["latent_sem", "composite_sem"])
def test_r_squared_matches_lavaan(single_fits, lavaan, model, channel):
    """lavInspect(fit, "r2") against 1 − the standardized residual variance, for every endogenous
    variable (the factors and, in the latent model, the items); for the factors also the book's
    hypotheses.r_squared."""
    ref = lavaan["r2"].query("model == @model and channel == @channel").set_index("variable")["r2"]
    est = single_fits[(model, channel)].estimates
    residual = est[(est.op == "~~") & (est.lhs == est.rhs)].set_index("lhs")["std_all"]
    assert np.max(np.abs((1 - residual.reindex(ref.index)) - ref)) < EST_TOL
    if model == "latent_sem":
        book = hypotheses.r_squared({channel: single_fits[(model, channel)]})[channel]
        assert sorted(book.index) == ["CONF", "CSAT", "INF", "USAT"]
        assert np.max(np.abs(book - ref.reindex(book.index))) < EST_TOL
    else:
        assert sorted(ref.index) == ["conf", "csat", "infusion", "usat"]


# --------------------------------------------------------------------------- multi-group


def test_invariance_table_matches_lavaan(invariance_table, lavaan):
    table = invariance_table
    fit = lavaan["fit"].set_index("model")
    steps = {"configural": "cfa_configural", "metric": "cfa_metric", "scalar": "cfa_scalar"}
    assert list(table.index) == list(steps)
    for step, name in steps.items():
        ref = fit.loc[name]
        assert table.loc[step, "df"] == ref["df"], step
        for key in ("chi2", "pvalue", "cfi", "tli", "rmsea", "srmr", "aic", "bic"):
            lavaan_name, tol = FIT_MEASURES[key]
            assert table.loc[step, key] == pytest.approx(ref[lavaan_name], abs=tol), (step, key)
    assert table.loc["configural", ["chi2_diff", "df_diff", "pvalue_diff"]].isna().all()
    for step, previous in (("metric", "configural"), ("scalar", "metric")):
        chi2_diff = fit.loc[steps[step], "chisq"] - fit.loc[steps[previous], "chisq"]
        df_diff = fit.loc[steps[step], "df"] - fit.loc[steps[previous], "df"]
        assert table.loc[step, "chi2_diff"] == pytest.approx(chi2_diff, abs=CHI2_TOL), step
        assert table.loc[step, "df_diff"] == df_diff == 8, step
        assert table.loc[step, "pvalue_diff"] == pytest.approx(stats.chi2.sf(chi2_diff, df_diff), abs=FIT_TOL), step


@pytest.mark.parametrize("baseline", ["metric", "configural"])
def test_equality_tests_match_lavaan_anova(equality, lavaan, baseline):
    """Each key path held equal across channels against the metric baseline (loadings equal) and
    against the configural one: χ² difference, df and p from lavaan's anova(), and the baseline's
    path estimates."""
    table = equality[baseline]
    lrt = lavaan["lrt"].query("baseline == @baseline").set_index("path")
    model = {"metric": "latent_metric", "configural": "latent_free"}[baseline]
    est = lavaan["estimates"].query("model == @model and op == '~'").set_index(["channel", "lhs", "rhs"])["est"]
    assert list(table.index) == list(PATHS)
    for path, name in PATHS.items():
        ref = lrt.loc[name]
        assert table.loc[path, "chi2_diff"] == pytest.approx(ref["chisq_diff"], abs=CHI2_TOL), path
        assert table.loc[path, "df_diff"] == ref["df_diff"] == 1, path
        assert table.loc[path, "pvalue"] == pytest.approx(ref["pvalue"], abs=FIT_TOL), path
        lhs, rhs = name.split("~")
        for channel in CHANNELS:
            assert table.loc[path, f"est_{channel}"] == pytest.approx(est[(channel, lhs, rhs)], abs=EST_TOL), path


# --------------------------------------------------------------------------- H1-H3 (composite model)


def test_hypothesis_estimates_match_lavaan_paths(employees, lavaan):
    """The full-sample estimates behind the hypothesis table (the bootstrap only adds intervals):
    H1 the direct path conf ~ infusion, H2 the product (usat ~ infusion)(conf ~ usat), H3
    csat ~ conf, per channel and as hypothesized-minus-other difference, from lavaan's composite fits."""
    tests = hypotheses.hypothesis_tests(employees, n_boot=200, seed=1)
    _assert_effects_match(tests, lavaan, "composite_sem", ("infusion", "usat", "conf", "csat"))


def _assert_effects_match(tests: pd.DataFrame, lavaan: dict[str, pd.DataFrame], model: str,
                          names: tuple[str, str, str, str]) -> None:
    """H1 (direct path), H2 (a·b) and H3 (confirmation → satisfaction) per channel and as
    hypothesized-minus-other differences in ``tests``, against lavaan's ``model`` estimates;
    ``names`` are infusion use, user satisfaction, confirmation and satisfaction in that model."""
    inf, usat, conf, csat = names
    table = tests.set_index(["hypothesis", "channel"])
    paths = lavaan["estimates"].query("model == @model and op == '~'").set_index(["channel", "lhs", "rhs"])["est"]
    effects = {channel: {"H1": paths[(channel, conf, inf)],
                         "H2": paths[(channel, usat, inf)] * paths[(channel, conf, usat)],
                         "H3": paths[(channel, csat, conf)]} for channel in CHANNELS}
    for hypothesis, stronger in hypotheses.HYPOTHESIZED.items():
        other = next(c for c in CHANNELS if c != stronger)
        for channel in CHANNELS:
            assert table.loc[(hypothesis, channel), "estimate"] == pytest.approx(effects[channel][hypothesis], abs=EST_TOL)
        difference = effects[stronger][hypothesis] - effects[other][hypothesis]
        assert table.loc[(hypothesis, "difference"), "estimate"] == pytest.approx(difference, abs=EST_TOL)


def test_latent_tests_estimates_match_lavaans_metric_model(employees, lavaan):
    """H1-H3 on the latent model under metric invariance (hypotheses.latent_tests, fitted with
    ftol 1e-9): the direct path, the product a·b and the confirmation → satisfaction path in each
    channel, and the hypothesized-minus-other differences, against lavaan's latent_metric fit."""
    latent = hypotheses.latent_tests(employees, n_draws=200, seed=1)
    _assert_effects_match(latent, lavaan, "latent_metric", ("INF", "USAT", "CONF", "CSAT"))
