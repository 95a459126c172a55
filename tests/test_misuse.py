"""Misuse of ``utils`` as students and instructors would misuse it (issue 13): a catalogue of bad
calls of every kind the issue lists, and a property-based suite (hypothesis) that starts from
valid, cheap calls of the public functions and replaces one argument with a bad value.

Each call ends in one of five outcomes:

- ``error``: the book's own exception (:class:`utils.errors.BookError`) in one sentence that names
  what was wrong (the catalogue states the word the sentence must contain);
- ``result``: a result with no NaN or infinity in it (the catalogue marks the calls whose result
  is sensible as well as finite, and checks the value);
- ``builtin``: any other exception (KeyError, TypeError, a numpy or statsmodels message);
- ``silent``: a result holding NaN or infinity;
- ``hang``: still running after ``LIMIT`` seconds (stopped by a timer inside the test).

The target of the issue: at least 95 % ``error`` or ``result``, no ``silent``, no ``hang``. This
suite asserts all of them answered (100 %). Speed is not asserted otherwise."""

from __future__ import annotations

import collections
import inspect
import math
import signal
from collections.abc import Callable
from dataclasses import dataclass, is_dataclass, fields
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from utils import (correspondence, crm_knowledge, expectation, inference, is_success, levels, loglinear,
                   misfit, seci, service_profit, tallies)
from utils.errors import BookError
from utils.infusion import aggregation, measurement, population, power, simulate
from utils import customers, infusion_twolevel, sem

LIMIT = 10.0  # seconds a misuse may run before it counts as a hang (imports are warmed up first)


class Hang(Exception):
    pass


def _alarm(signum: int, frame: Any) -> None:
    raise Hang


def run(call: Callable[[], Any], limit: float = LIMIT, allowed: int = 0) -> tuple[str, Any]:
    """The outcome of ``call`` (see the module docstring) and the exception or result; a result
    is ``silent`` when it holds more NaN or infinite numbers than ``allowed`` (what the valid call
    it was made from returns: an interval a method leaves empty by design)."""
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        value = call()
    except Hang as exc:
        return "hang", exc
    except BookError as exc:
        return "error", exc
    except Exception as exc:  # noqa: BLE001 - the point is to classify every exception
        return "builtin", exc
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    return ("result" if nonfinite(value) <= allowed else "silent"), value


def nonfinite(value: Any, depth: int = 0) -> int:
    """How many numbers inside ``value`` are NaN or infinite (frames, series, arrays, mappings,
    sequences, dataclasses and fit results with a fit table)."""
    if depth > 4 or value is None or isinstance(value, (str, bytes, bool, np.bool_)):
        return 0
    if isinstance(value, (int, float, np.number)):
        return int(not math.isfinite(float(value)))
    if isinstance(value, pd.DataFrame):
        return int(sum(_series_nonfinite(value.iloc[:, c]) for c in range(value.shape[1])))
    if isinstance(value, pd.Series):
        return _series_nonfinite(value)
    if isinstance(value, np.ndarray):
        return 0 if value.dtype.kind not in "fc" else int((~np.isfinite(value)).sum())
    if isinstance(value, dict):
        return sum(nonfinite(v, depth + 1) for v in value.values())
    if isinstance(value, (list, tuple)):
        return sum(nonfinite(v, depth + 1) for v in value)
    if hasattr(value, "fit_table"):  # a fit: its fit measures (estimates of fixed parameters have no SE)
        return nonfinite(value.fit_table, depth + 1)
    if is_dataclass(value):
        return sum(nonfinite(getattr(value, f.name), depth + 1) for f in fields(value)
                   if f.name not in {"data", "model", "draws", "cov"})
    if hasattr(value, "params") and hasattr(value, "bse"):  # a statsmodels result
        return nonfinite(value.params, depth + 1) + nonfinite(value.bse, depth + 1)
    return 0


def _series_nonfinite(series: pd.Series) -> int:
    if series.dtype == bool:
        return 0
    if series.dtype == object:
        numbers = [v for v in series if isinstance(v, (int, float, np.number)) and not isinstance(v, bool)]
        return sum(1 for v in numbers if not math.isfinite(float(v)))
    if not pd.api.types.is_numeric_dtype(series):
        return 0
    return int((~np.isfinite(series.to_numpy(dtype=float, na_value=np.nan))).sum())


# --------------------------------------------------------------------------- shared data


def _firms(n: int = 60) -> pd.DataFrame:
    return crm_knowledge.simulate_firms(n, seed=1)


def _customers(n: int = 80) -> pd.DataFrame:
    data = expectation.simulate_customers(n, seed=2)
    return data


def _units(n: int = 40) -> pd.DataFrame:
    return service_profit.simulate_units(n, seed=3)


def _is_data(n: int = 80) -> pd.DataFrame:
    return is_success.simulate(n, seed=4)


def _ratings() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    groups = np.repeat(np.arange(12), 4)
    return pd.DataFrame({"employee_id": groups, "score": rng.normal(size=48) + groups * 0.3,
                         "i1": rng.integers(1, 8, 48), "i2": rng.integers(1, 8, 48)})


CFA = "f =~ x1 + x2 + x3 + x4"


def _cfa_data(n: int = 200) -> pd.DataFrame:
    rng = np.random.default_rng(6)
    f = rng.normal(size=n)
    return pd.DataFrame({f"x{i}": 0.8 * f + rng.normal(scale=0.6, size=n) for i in (1, 2, 3, 4)}
                        | {"g": np.repeat(["a", "b"], n // 2)})


def _counts() -> pd.DataFrame:
    return tallies.load_counts()


def _replace(frame: pd.DataFrame, column: str, values: Any) -> pd.DataFrame:
    out = frame.copy()
    out[column] = values
    return out


def _nan_rows(frame: pd.DataFrame, column: str, k: int = 10) -> pd.DataFrame:
    out = frame.copy()
    out[column] = out[column].astype(float)
    out.loc[out.index[:k], column] = np.nan
    return out


# --------------------------------------------------------------------------- the catalogue


@dataclass(frozen=True)
class Misuse:
    kind: str            # the issue's kind of misuse
    call: str            # the call as a reader would write it
    named: str           # a word the error must contain (the argument, column or problem)
    thunk: Callable[[], Any]
    sensible: Callable[[Any], bool] | None = None   # for a misuse whose answer is a result


def catalogue() -> list[Misuse]:
    firms, cust, units, isd, ratings, cfa = _firms(), _customers(), _units(), _is_data(), _ratings(), _cfa_data()
    counts = _counts()
    items = []
    add = lambda *a, **k: items.append(Misuse(*a, **k))  # noqa: E731

    # Under-identified models: df < 0 refused.
    add("identification", "sem.fit('f =~ x1 + x2; f ~~ x1; f ~~ x2', data)", "identified",
        lambda: sem.fit("f =~ x1 + x2\nx1 ~~ x2", cfa))
    add("identification", "sem.fit_groups(two indicators, correlated errors)", "identified",
        lambda: sem.fit_groups("f =~ x1 + x2\nx1 ~~ x2", cfa, "g"))
    # Counts that would overflow.
    add("overflow", "tallies.validate(count=1e20)", "2**53",
        lambda: tallies.validate(_replace(counts, "count", [1e20] + list(counts["count"][1:]))))
    add("overflow", "loglinear.fit(count=1e20)", "2**53",
        lambda: loglinear.fit(_replace(counts, "count", [1e20] + list(counts["count"][1:])), "system"))
    add("overflow", "loglinear.monte_carlo_independence([[2**62, 1], [1, 1]])", "2**53",
        lambda: loglinear.monte_carlo_independence(np.array([[2**62, 1], [1, 1]]), n_sim=9))
    add("overflow", "inference.p_mcse(0.5, 10**13)", "n_resamples", lambda: inference.p_mcse(0.5, 10**13))
    # Constant and collinear predictors.
    add("collinear", "fit_satisfaction(confirmation = 2*expectation)", "collinear",
        lambda: expectation.fit_satisfaction(_replace(cust, "confirmation", 2 * cust["expectation"])))
    add("collinear", "fit_satisfaction(constant expectation)", "constant",
        lambda: expectation.fit_satisfaction(_replace(cust, "expectation", 5.0)))
    add("collinear", "estimate_paths(customer_knowledge = crm_use)", "collinear",
        lambda: crm_knowledge.estimate_paths(_replace(firms, "customer_knowledge", firms["crm_use"])))
    add("collinear", "estimate_paths(constant crm_use)", "constant",
        lambda: crm_knowledge.estimate_paths(_replace(firms, "crm_use", 1.0)))
    add("collinear", "is_success.fit_paths(constant system_quality)", "constant",
        lambda: is_success.fit_paths(_replace(isd, "system_quality", 0.0)))
    add("collinear", "service_profit.estimate_links(constant stage)", "constant",
        lambda: service_profit.estimate_links(_replace(units, service_profit.STAGES[0], 1.0)))
    add("collinear", "sem.fit on a constant indicator", "constant", lambda: sem.fit(CFA, _replace(cfa, "x1", 1.0)))
    add("collinear", "sem.fit on a duplicated indicator", "positive definite",
        lambda: sem.fit(CFA, _replace(cfa, "x2", cfa["x1"])))
    # Missing values never dropped silently.
    add("missing", "fit_satisfaction(10 NaN rows)", "missing",
        lambda: expectation.fit_satisfaction(_nan_rows(cust, "expectation")))
    add("missing", "fit_satisfaction(NaN outcome rows)", "missing",
        lambda: expectation.fit_satisfaction(_nan_rows(cust, "satisfaction")))
    add("missing", "estimate_paths(NaN rows)", "missing", lambda: crm_knowledge.estimate_paths(_nan_rows(firms, "crm_use")))
    add("missing", "is_success.fit_paths(NaN rows)", "missing",
        lambda: is_success.fit_paths(_nan_rows(isd, "system_quality")))
    add("missing", "estimate_links(NaN rows)", "missing",
        lambda: service_profit.estimate_links(_nan_rows(units, service_profit.STAGES[1])))
    add("missing", "sem.fit(NaN rows)", "missing", lambda: sem.fit(CFA, _nan_rows(cfa, "x1")))
    add("missing", "aggregation.icc(NaN rows)", "missing", lambda: aggregation.icc_anova(_nan_rows(ratings, "score"), "score"))
    add("missing", "cronbach_alpha(NaN rows)", "missing",
        lambda: measurement.cronbach_alpha(_nan_rows(ratings, "i1"), ["i1", "i2"]))
    add("missing", "tallies.validate(a missing count)", "missing",
        lambda: tallies.validate(_replace(counts, "count", [np.nan] + list(counts["count"][1:]))))
    # A string where a list of names goes.
    add("string-for-list", "fit_satisfaction(data, predictors='expectation')", "result",
        lambda: expectation.fit_satisfaction(cust, "expectation"),
        sensible=lambda r: set(r.params.index) == {"Intercept", "expectation"})
    add("string-for-list", "cronbach_alpha(frame, 'i1')", "items", lambda: measurement.cronbach_alpha(ratings, "i1"))
    add("string-for-list", "rwg_j(frame, 'i1')", "items", lambda: aggregation.rwg_j(ratings, "i1"))
    add("string-for-list", "loglinear.standard_models('system')", "factors", lambda: loglinear.standard_models("system"))
    add("string-for-list", "is_success.implied_effects(sources='system_quality')", "sources",
        lambda: is_success.implied_effects(sources="system_quality"))
    add("string-for-list", "sem.fit_groups(..., equal='loadings'): read as ['loadings']", "",
        lambda: sem.fit_groups(CFA, cfa, "g", equal="loadings"),
        sensible=lambda r: r.equal == ("loadings",))
    add("string-for-list", "sem.path_equality(..., paths='x1'): one path, not a regression", "x1",
        lambda: sem.path_equality(CFA, cfa, "g", paths="x1"))
    add("string-for-list", "seci.seci_level_spiral(levels='individual')", "levels",
        lambda: __import__("utils.plots.seci", fromlist=["x"]).seci_level_spiral("individual"))
    # Seeds and replicate counts.
    for name, call in [
        ("simulate_firms", lambda **k: crm_knowledge.simulate_firms(20, **k)),
        ("simulate_customers", lambda **k: expectation.simulate_customers(20, **k)),
        ("simulate_units", lambda **k: service_profit.simulate_units(20, **k)),
        ("is_success.simulate", lambda **k: is_success.simulate(20, **k)),
        ("misfit.simulate", lambda **k: misfit.simulate(50, **k)),
        ("simulate_spiral_runs", lambda **k: seci.simulate_spiral_runs(seci.BASELINE, runs=3, **k)),
        ("simulate_continuance", lambda **k: expectation.simulate_continuance(20, **k)),
        ("monte_carlo_independence", lambda **k: loglinear.monte_carlo_independence([[3, 4], [5, 6]], n_sim=9, **k)),
        ("random_group_agreement", lambda **k: aggregation.random_group_agreement(ratings, ["i1", "i2"], n_random=5, **k)),
        ("simulate_study", lambda **k: simulate.simulate_study(**k)),
    ]:
        for bad in (-1, 2.5, "1", 2**64, True):
            add("seed", f"{name}(seed={bad!r})", "seed", lambda call=call, bad=bad: call(seed=bad))
    for name, call, arg in [
        ("mediation_analysis", lambda v: crm_knowledge.mediation_analysis(firms, n_rep=v, seed=0), "n_rep"),
        ("service_profit.monte_carlo", lambda v: service_profit.monte_carlo(n_units=30, n_studies=v, seed=0), "n_studies"),
        ("monte_carlo_independence", lambda v: loglinear.monte_carlo_independence([[3, 4], [5, 6]], n_sim=v), "n_sim"),
        ("simulate_spiral_runs", lambda v: seci.simulate_spiral_runs(seci.BASELINE, runs=v), "runs"),
        ("random_group_agreement", lambda v: aggregation.random_group_agreement(ratings, ["i1"], n_random=v), "n_random"),
        ("p_mcse", lambda v: inference.p_mcse(0.5, v), "n_resamples"),
        ("simulate_firms", lambda v: crm_knowledge.simulate_firms(v, seed=0), "n"),
        ("simulate_customers", lambda v: expectation.simulate_customers(v, seed=0), "n"),
        ("simulate_units", lambda v: service_profit.simulate_units(v, seed=0), "n_units"),
        ("misfit.simulate", lambda v: misfit.simulate(v), "n"),
    ]:
        for bad in (2.5, 0, -3, "100", None, 10**12):
            sensible = (lambda r: 0 < r < 1e-5) if (name, bad) == ("p_mcse", 10**12) else None
            add("replicates", f"{name}({arg}={bad!r})", arg, lambda call=call, bad=bad: call(bad), sensible=sensible)
    add("replicates", "power(n_studies=10**7)", "at most", lambda: power.power(n_studies=10**7))
    add("replicates", "power_curve(n_studies=10**6)", "at most", lambda: power.power_curve(n_studies=10**6))
    add("replicates", "path_differences(n_perm=10**7)", "at most",
        lambda: sem.path_differences(CFA, cfa, "g", ["f =~ x2"], n_perm=10**7))
    add("replicates", "pls bootstrap(None, n_boot=10**8)", "result", lambda: __import__("utils.pls", fromlist=["x"]).bootstrap(None, n_boot=10**8, seed=0))
    # Tolerances and probabilities.
    for bad in (-1, 0, 1, 5, float("nan"), "1e-6"):
        add("tolerance", f"sem.fit(ftol={bad!r})", "ftol", lambda bad=bad: sem.fit(CFA, cfa, ftol=bad))
        add("tolerance", f"sem.fit_groups(ftol={bad!r})", "ftol", lambda bad=bad: sem.fit_groups(CFA, cfa, "g", ftol=bad))
    for bad in (0, 1, -0.05, 1.5, float("nan"), "0.05", None):
        add("probability", f"estimate_paths(alpha={bad!r})", "alpha",
            lambda bad=bad: crm_knowledge.estimate_paths(firms, alpha=bad))
        add("probability", f"p_verdict(0.03, alpha={bad!r})", "alpha", lambda bad=bad: inference.p_verdict(0.03, alpha=bad))
        add("probability", f"tost(0.1, 0.05, 0.2, alpha={bad!r})", "alpha",
            lambda bad=bad: inference.tost(0.1, 0.05, 0.2, alpha=bad))
        add("probability", f"coefficient_table(level={bad!r})", "level",
            lambda bad=bad: expectation.coefficient_table(expectation.fit_satisfaction(cust), level=bad))
        add("probability", f"quantile_mcse(q={bad!r})", "q", lambda bad=bad: inference.quantile_mcse(np.arange(100.0), bad))
    for bad in (-0.1, 1.5, float("nan")):
        add("probability", f"p_mcse({bad!r}, 100)", "p", lambda bad=bad: inference.p_mcse(bad, 100))
        add("probability", f"p_text({bad!r})", "p", lambda bad=bad: inference.p_text(bad))
    # Infinite values in data.
    add("infinite", "sem.fit with inf in x1", "infinite", lambda: sem.fit(CFA, _replace(cfa, "x1", np.r_[np.inf, cfa["x1"][1:]])))
    add("infinite", "sem.fit_groups with inf in x1", "infinite",
        lambda: sem.fit_groups(CFA, _replace(cfa, "x1", np.r_[np.inf, cfa["x1"][1:]]), "g"))
    add("infinite", "fit_satisfaction with inf", "infinite",
        lambda: expectation.fit_satisfaction(_replace(cust, "expectation", np.r_[np.inf, cust["expectation"][1:]])))
    add("infinite", "estimate_links with inf", "finite",
        lambda: service_profit.estimate_links(_replace(units, service_profit.STAGES[0], np.r_[np.inf, units[service_profit.STAGES[0]][1:]])))
    add("infinite", "tallies.validate(count=inf)", "infinite",
        lambda: tallies.validate(_replace(counts, "count", [np.inf] + list(counts["count"][1:]))))
    # icc on a constant column: refused at once.
    add("constant", "icc(constant score)", "constant", lambda: aggregation.icc(_replace(ratings, "score", 3.0), "score"))
    add("constant", "icc_anova(constant score)", "constant", lambda: aggregation.icc_anova(_replace(ratings, "score", 3.0), "score"))
    # LR tests of models that are not nested.
    add("nesting", "lr_test of fits to different data", "different",
        lambda: sem.lr_test(sem.fit_groups(CFA, cfa, "g", equal=["loadings"]),
                            sem.fit_groups(CFA, cfa.iloc[2:], "g")))
    add("nesting", "lr_test of fits with different variables", "different",
        lambda: sem.lr_test(sem.fit("f =~ x1 + x2 + x3 + x4", cfa),
                            sem.fit("f =~ x1 + x2 + x3 + x5", cfa.assign(x5=cfa["x1"] * 0.5 + cfa["x2"] * 0.2 + np.random.default_rng(0).normal(size=len(cfa))))))
    add("nesting", "lr_test in the wrong order", "order",
        lambda: sem.lr_test(sem.fit_groups(CFA, cfa, "g"), sem.fit_groups(CFA, cfa, "g", equal=["loadings"])))
    add("nesting", "lr_test of a non-fit", "fit_table", lambda: sem.lr_test("metric", "configural"))
    # Options outside their domain.
    add("option", "simulate_study(likert='no')", "likert", lambda: simulate.simulate_study(likert="no"))
    add("option", "crosstab(totals='yes')", "totals", lambda: tallies.crosstab(counts, "system", "process", totals="yes"))
    add("option", "estimate_links(standardize=1)", "standardize", lambda: service_profit.estimate_links(units, standardize=1))
    add("option", "mediation_analysis(method='bayes')", "method",
        lambda: crm_knowledge.mediation_analysis(firms, n_rep=10, method="bayes", seed=0))
    add("option", "p_text(sides=3)", "sides", lambda: inference.p_text(0.04, sides=3))
    add("option", "interval_verdict(sided='up')", "sided", lambda: inference.interval_verdict(0.1, 0.3, sided="up"))
    add("option", "model_edges(version=2010)", "version", lambda: is_success.model_edges(2010))
    add("option", "load_published(table=9)", "Table", lambda: tallies.load_published(9))
    add("option", "levels.score('Huge')", "Huge", lambda: levels.score("Huge"))
    add("option", "sem.path_differences(direction='up')", "direction",
        lambda: sem.path_differences(CFA, cfa, "g", ["f =~ x2"], n_perm=5, direction="up"))
    add("option", "pls.fit(missing='skip')", "missing",
        lambda: __import__("utils.pls", fromlist=["x"]).fit("f =~ x1 + x2 + x3 + x4", cfa, missing="skip"))
    add("option", "rwg_j(null='normal')", "null", lambda: aggregation.rwg_j(ratings, ["i1", "i2"], null="normal"))
    add("option", "tallies.margin(by='systems')", "systems", lambda: tallies.margin(counts, "systems"))
    add("option", "sem.fit_groups(equal=['loading'])", "loading", lambda: sem.fit_groups(CFA, cfa, "g", equal=["loading"]))
    # Impossible loadings.
    for module, label in ((measurement, "measurement"), (customers, "customers")):
        for bad in ([0.9, 1.2, 0.8], [0.7, float("nan"), 0.8], ["0.7", "x"], [], 0.8):
            add("loadings", f"{label}.composite_reliability({bad!r})", "loading",
                lambda module=module, bad=bad: module.composite_reliability(bad))
            add("loadings", f"{label}.average_variance_extracted({bad!r})", "loading",
                lambda module=module, bad=bad: module.average_variance_extracted(bad))
    # Containers and columns.
    for name, call in [
        ("fit_satisfaction", expectation.fit_satisfaction), ("estimate_paths", crm_knowledge.estimate_paths),
        ("estimate_links", service_profit.estimate_links), ("is_success.fit_paths", is_success.fit_paths),
        ("tallies.validate", tallies.validate), ("correspondence", correspondence.correspondence),
        ("seci.conversions", seci.conversions), ("icc_table", aggregation.icc_table),
    ]:
        for bad, label in (([[1, 2], [3, 4]], "a list"), ("data.csv", "a file name"), (None, "None"),
                           (pd.DataFrame(), "an empty frame")):
            sensible = (lambda r: r.inertia.sum() >= 0) if (name, label) == ("correspondence", "a list") else None
            add("container", f"{name}({label})", "", lambda call=call, bad=bad: call(bad), sensible=sensible)
    add("columns", "fit_satisfaction without 'confirmation'", "confirmation",
        lambda: expectation.fit_satisfaction(cust.drop(columns="confirmation")))
    add("columns", "fit_satisfaction with a text column", "numeric",
        lambda: expectation.fit_satisfaction(_replace(cust, "expectation", "high")))
    add("columns", "estimate_paths with a text column", "numeric",
        lambda: crm_knowledge.estimate_paths(_replace(firms, "crm_use", "yes")))
    add("columns", "sem.fit with a text column", "numeric", lambda: sem.fit(CFA, _replace(cfa, "x1", "a")))
    add("columns", "sem.fit with a missing column", "x1", lambda: sem.fit(CFA, cfa.drop(columns="x1")))
    add("columns", "icc with a missing group column", "employee_id", lambda: aggregation.icc_anova(ratings.drop(columns="employee_id"), "score"))
    add("columns", "tallies.validate without count", "count", lambda: tallies.validate(counts.drop(columns="count")))
    add("columns", "duplicated columns in fit_satisfaction", "duplicated",
        lambda: expectation.fit_satisfaction(pd.concat([cust, cust[["expectation"]]], axis=1)))
    # Numbers that are not numbers, or not finite.
    for bad in (float("nan"), float("inf"), "0.3", None, True):
        add("number", f"simulate_firms(a={bad!r})", "a", lambda bad=bad: crm_knowledge.simulate_firms(20, a=bad, seed=0))
        add("number", f"implied_effects(a={bad!r})", "a", lambda bad=bad: crm_knowledge.implied_effects(bad, 0.3, 0.1))
        add("number", f"misfit.population_rmsea({bad!r})", "cross_loading", lambda bad=bad: misfit.population_rmsea(bad))
        add("number", f"conflation(icc_x={bad!r})", "icc_x", lambda bad=bad: infusion_twolevel.conflation(0.2, 0.7, bad, 8.0))
        add("number", f"tost(se={bad!r})", "se", lambda bad=bad: inference.tost(0.1, bad, 0.2))
        add("number", f"seci.Rates(socialization={bad!r})", "socialization",
            lambda bad=bad: seci.Rates(socialization=bad, externalization=0.1, combination=0.1, internalization=0.1))
        add("number", f"confirmation({bad!r}, 5)", "performance", lambda bad=bad: expectation.confirmation(bad, 5.0))
    for bad in (-1.0, 0.0):
        add("number", f"tost(se={bad})", "se", lambda bad=bad: inference.tost(0.1, bad, 0.2))
    add("number", "simulate_customers(noise_sd=-1)", "noise_sd",
        lambda: expectation.simulate_customers(20, noise_sd=-1.0, seed=0))
    add("number", "simulate_customers(noise_sd=0): satisfaction without noise, a teaching case", "",
        lambda: expectation.simulate_customers(20, noise_sd=0.0, seed=0), sensible=lambda r: len(r) == 20)
    add("number", "misfit.population_rmsea(5)", "cross_loading", lambda: misfit.population_rmsea(5.0))
    add("number", "seci.simulate_spiral(cycles=10**6)", "cycles", lambda: seci.simulate_spiral(seci.BASELINE, cycles=10**6))
    add("number", "attenuation_curve(max_customers=10**9)", "max_customers",
        lambda: infusion_twolevel.attenuation_curve(max_customers=10**9))
    add("number", "attenuation_curve(icc1=(1.5,))", "icc1", lambda: infusion_twolevel.attenuation_curve(icc1=(1.5,)))
    # Wrong argument names and missing arguments.
    add("arguments", "simulate_firms(100, sed=1)", "sed", lambda: crm_knowledge.simulate_firms(100, sed=1))
    add("arguments", "sem.fit(data)", "data", lambda: sem.fit(cfa))
    add("arguments", "tallies.margin(counts)", "by", lambda: tallies.margin(counts))
    add("arguments", "power.power(pop, 200)", "positional", lambda: power.power(None, 200))
    return items


def warm_up() -> None:
    """Import and run once what the misuses call, so that no timing includes a first import."""
    cfa = _cfa_data()
    sem.fit(CFA, cfa)
    sem.fit_groups(CFA, cfa, "g")
    expectation.fit_satisfaction(_customers())
    aggregation.icc(_ratings(), "score")
    loglinear.fit(_counts(), "system*process + knowledge")


@pytest.fixture(scope="module")
def outcomes() -> list[tuple[Misuse, str, Any]]:
    warm_up()
    return [(m, *run(m.thunk)) for m in catalogue()]


def test_the_catalogue_covers_every_kind_the_issue_lists(outcomes):
    kinds = {m.kind for m, *_ in outcomes}
    assert {"identification", "overflow", "collinear", "missing", "string-for-list", "seed", "replicates",
            "tolerance", "infinite", "constant", "nesting", "option", "loadings", "container", "columns",
            "number", "probability"} <= kinds
    assert len(outcomes) >= 300


def test_every_misuse_is_answered(outcomes):
    """Each misuse: the book's error naming what was wrong, or a sensible finite result; never a
    builtin exception, a silent NaN or a hang. Prints the counts by outcome and kind."""
    counts = collections.Counter(outcome for _, outcome, _ in outcomes)
    by_kind = collections.defaultdict(collections.Counter)
    for m, outcome, _ in outcomes:
        by_kind[m.kind][outcome] += 1
    print(f"\n{len(outcomes)} misuses: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    for kind, c in sorted(by_kind.items()):
        print(f"  {kind:16s} " + ", ".join(f"{k} {v}" for k, v in sorted(c.items())))
    failures = []
    for m, outcome, value in outcomes:
        if outcome == "error":
            text = str(value)
            if m.named and m.named.lower() not in text.lower():
                failures.append(f"{m.call}: error does not name {m.named!r}: {text}")
        elif outcome == "result":
            if m.sensible is None or not m.sensible(value):
                failures.append(f"{m.call}: returned a result where an error was expected")
        else:
            failures.append(f"{m.call}: {outcome}: {type(value).__name__}: {str(value)[:200]}")
    assert not failures, "\n".join(failures)


def test_error_messages_are_one_sentence(outcomes):
    long = [f"{m.call}: {value}" for m, outcome, value in outcomes
            if outcome == "error" and ("\n" in str(value) or len(str(value)) > 400)]
    assert not long, "\n".join(long)


# --------------------------------------------------------------------------- property-based suite


def _valid_calls() -> list[tuple[str, Callable[..., Any], dict[str, Any]]]:
    """Cheap valid calls (function, keyword arguments) that the properties start from."""
    firms, cust, units, isd, ratings, cfa = _firms(), _customers(), _units(), _is_data(), _ratings(), _cfa_data(120)
    counts = _counts()
    two_by_two = pd.DataFrame([[12, 5], [7, 14]], index=["a", "b"], columns=["c", "d"])
    return [
        ("simulate_firms", crm_knowledge.simulate_firms, {"n": 30, "a": 0.4, "b": 0.3, "c_prime": 0.1, "seed": 1}),
        ("implied_effects", crm_knowledge.implied_effects, {"a": 0.4, "b": 0.3, "c_prime": 0.1}),
        ("mediation_type", crm_knowledge.mediation_type, {"a": 0.4, "b": 0.3, "c_prime": 0.1}),
        ("expected_estimates", crm_knowledge.expected_estimates, {"a": 0.4, "b": 0.3, "c_prime": 0.1, "sigma_m": 1.0}),
        ("estimate_paths", crm_knowledge.estimate_paths, {"data": firms, "alpha": 0.05}),
        ("mediation_analysis", crm_knowledge.mediation_analysis, {"data": firms, "n_rep": 20, "seed": 0}),
        ("simulate_customers", expectation.simulate_customers, {"n": 40, "mean_expectation": 5.0, "noise_sd": 0.5, "seed": 1}),
        ("fit_satisfaction", expectation.fit_satisfaction, {"data": cust, "predictors": ["expectation", "confirmation"]}),
        ("confirmation", expectation.confirmation, {"performance": 5.0, "expectation": 4.0}),
        ("population_shares", expectation.population_shares, {"mean_expectation": 5.0, "mean_performance": 5.5}),
        ("simulate_continuance", expectation.simulate_continuance, {"n": 40, "seed": 1}),
        ("p_mcse", inference.p_mcse, {"p": 0.04, "n_resamples": 1000}),
        ("quantile_mcse", inference.quantile_mcse, {"draws": np.linspace(0, 1, 200), "q": 0.025}),
        ("p_verdict", inference.p_verdict, {"p": 0.03, "alpha": 0.05, "n_resamples": 2000}),
        ("p_text", inference.p_text, {"p": 0.03, "n_resamples": 2000, "sides": 2, "digits": 3}),
        ("tost", inference.tost, {"estimate": 0.02, "se": 0.05, "bound": 0.2, "alpha": 0.05}),
        ("interval_verdict", inference.interval_verdict, {"lower": 0.1, "upper": 0.3}),
        ("simulate_units", service_profit.simulate_units, {"n_units": 30, "seed": 1}),
        ("estimate_links", service_profit.estimate_links, {"units": units, "standardize": True, "alpha": 0.05}),
        ("service_monte_carlo", service_profit.monte_carlo, {"n_units": 30, "n_studies": 5, "seed": 1}),
        ("is_simulate", is_success.simulate, {"n": 40, "quality_correlation": 0.3, "seed": 1}),
        ("fit_paths", is_success.fit_paths, {"data": isd}),
        ("model_edges", is_success.model_edges, {"version": 2003}),
        ("simulate_spiral", seci.simulate_spiral, {"rates": seci.BASELINE, "tacit0": 1.0, "explicit0": 1.0, "cycles": 5}),
        ("simulate_spiral_runs", seci.simulate_spiral_runs, {"rates": seci.BASELINE, "tacit0": 10, "explicit0": 10,
                                                             "cycles": 4, "runs": 5, "seed": 1}),
        ("growth_factor", seci.growth_factor, {"rates": seci.BASELINE}),
        ("misfit_simulate", misfit.simulate, {"n": 50, "cross_loading": 0.2, "seed": 1}),
        ("population_rmsea", misfit.population_rmsea, {"cross_loading": 0.3}),
        ("icc_anova", aggregation.icc_anova, {"frame": ratings, "value": "score", "group": "employee_id"}),
        ("rwg_j", aggregation.rwg_j, {"frame": ratings, "items": ["i1", "i2"], "group": "employee_id"}),
        ("cronbach_alpha", measurement.cronbach_alpha, {"frame": ratings, "items": ["i1", "i2"]}),
        ("composite_reliability", measurement.composite_reliability, {"std_loadings": [0.7, 0.8, 0.75]}),
        ("cr_customers", customers.composite_reliability, {"std_loadings": [0.7, 0.8, 0.75]}),
        ("conflation", infusion_twolevel.conflation, {"b_within": 0.2, "b_between": 0.7, "icc_x": 0.25, "cluster_size": 8.0}),
        ("attenuation_curve", infusion_twolevel.attenuation_curve, {"icc1": (0.1, 0.3), "max_customers": 20}),
        ("validate", tallies.validate, {"counts": counts}),
        ("margin", tallies.margin, {"counts": counts, "by": "system"}),
        ("crosstab", tallies.crosstab, {"counts": counts, "rows": "system", "columns": "process", "totals": True}),
        ("loglinear_fit", loglinear.fit, {"counts": counts, "terms": "system*process + knowledge"}),
        ("monte_carlo_independence", loglinear.monte_carlo_independence, {"table_2d": two_by_two, "n_sim": 99, "seed": 1}),
        ("correspondence", correspondence.correspondence, {"table": tallies.crosstab(counts, "system", "knowledge", totals=False)}),
        ("levels_score", levels.score, {"level": "High"}),
        ("sem_fit", sem.fit, {"desc": CFA, "data": cfa, "ftol": 1e-9}),
        ("mean_inverse_customers", population.mean_inverse_customers, {"min_customers": 7.0, "extra_mean": 2.0}),
        ("effects", population.effects, {"direct": 0.2, "a": 0.3, "b": 0.4}),
    ]


VALID = None


def valid_calls():
    global VALID
    if VALID is None:
        warm_up()
        VALID = _valid_calls()
    return VALID


def menu(function: Callable[..., Any], parameter: str, value: Any) -> list[Any]:
    """``bad_values`` less None where None is the parameter's own default (a valid call)."""
    default = inspect.signature(function).parameters[parameter].default
    return [bad for bad in bad_values(value) if not (bad is None and default is None)]


BASELINES: dict[str, int] = {}


def baseline(name: str) -> int:
    """How many NaN or infinite numbers the valid call ``name`` itself returns."""
    if name not in BASELINES:
        _, function, arguments = next(c for c in valid_calls() if c[0] == name)
        BASELINES[name] = nonfinite(function(**arguments))
    return BASELINES[name]


def bad_values(value: Any) -> list[Any]:
    """The menu of bad replacements for an argument whose valid value is ``value``."""
    common = [None, object(), "nonsense"]
    if isinstance(value, (bool, np.bool_)):
        return common + ["no", 1, 0.5]
    if isinstance(value, (int, np.integer)):
        return common + [-1, 0, 2.5, 10**13, 2**64, float("nan"), float("inf"), True, "10"]
    if isinstance(value, (float, np.floating)):
        return common + [float("nan"), float("inf"), -float("inf"), -1.0, 0.0, 1e12, -1e12, True, "0.3"]
    if isinstance(value, str):
        return [None, 3, "", "nonsense", value.upper() + "X", [value]]
    if isinstance(value, pd.DataFrame):
        first = value.columns[0]
        numeric = [c for c in value.columns if pd.api.types.is_numeric_dtype(value[c])]
        target = numeric[0] if numeric else first
        return common + [
            value.iloc[:0], value.drop(columns=first), value.head(1), value.to_numpy(),
            _replace(value, target, "text"), _nan_rows(value, target, max(1, len(value) // 10)),
            _replace(value, target, 1.0), pd.concat([value, value[[first]]], axis=1),
            _replace(value, target, np.r_[np.inf, value[target].to_numpy(dtype=float)[1:]]),
            _replace(value, target, 1e300),
        ]
    if isinstance(value, (list, tuple)):
        return common + ["conf1", [], [1, 2], ["nope", "nada"], list(value) * 2]
    if isinstance(value, np.ndarray):
        return common + [np.array([]), np.full(value.shape, np.nan), "abc"]
    return common


@settings(max_examples=250, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
@given(st.data())
def test_one_bad_argument_gets_an_error_or_a_finite_result(data):
    name, function, arguments = data.draw(st.sampled_from(valid_calls()), label="call")
    parameter = data.draw(st.sampled_from(sorted(arguments)), label="parameter")
    bad = data.draw(st.sampled_from(menu(function, parameter, arguments[parameter])), label="bad value")
    outcome, value = run(lambda: function(**{**arguments, parameter: bad}), allowed=baseline(name))
    shown = repr(bad)[:60]
    assert outcome in ("error", "result"), f"{name}({parameter}={shown}): {outcome}: {type(value).__name__}: {str(value)[:300]}"
    if outcome == "error":
        assert "\n" not in str(value).strip(), f"{name}({parameter}={shown}): a message of several lines: {value}"


def test_the_valid_calls_themselves_run():
    for name, function, arguments in valid_calls():
        outcome, value = run(lambda: function(**arguments), allowed=baseline(name))
        assert outcome == "result", f"{name}: {outcome}: {value}"
