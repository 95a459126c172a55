"""Stored results of the infusion-use analysis that take too long to compute in a chapter.

A chapter should run in seconds; a few results need many multi-group maximum-likelihood fits
(each likelihood-ratio test of a path held equal across channels refits the whole latent model,
several seconds a fit) or thousands of simulated studies (chapter 34's full Monte Carlo runs). Those results are computed once by this module, stored as data files in
``data/chen2021/cache/`` (listed, like every data file, in ``data/MANIFEST.sha256``), and read back
by the chapter, which shows the call that computes them. ``tests/test_infusion_cache.py``
recomputes every stored result and checks that the file is what the code gives now.

Recompute and write them all (then the manifest is updated) from the repository root::

    python -m utils.infusion.cache --write

``python -m utils.infusion.cache`` (no flag) recomputes and reports which files are stale.

What goes in: the name of a stored result (:data:`RESULTS`). What comes out: the DataFrame, as
the function named in :data:`RESULTS` returns it (index restored).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from utils import data
from utils._checks import validated
from utils.errors import InputError

__all__ = ["CACHE_DIR", "RESULTS", "compute", "load", "stale", "write"]

CACHE_DIR = "chen2021/cache"
# Numbers are written with 12 significant digits: far below every tolerance the book uses, and
# stable across BLAS builds; a recomputation must agree within TOLERANCE (the optimizer stops within
# about 1e-6 of the optimum, far inside the lavaan tests' 0.001).
FLOAT_FORMAT = "%.12g"
TOLERANCE = 1e-5


@dataclass(frozen=True)
class Result:
    """A stored result: what it is, the call that computes it, and the column that indexes it."""

    description: str
    call: str
    index: str | None  # the column that indexes the table; None: a plain tidy table
    compute: Callable[[], pd.DataFrame]


def _employees() -> pd.DataFrame:
    from utils.infusion.aggregation import employee_data
    from utils.infusion.simulate import load_study

    return employee_data(load_study())


def _equality(baseline: str) -> Callable[[], pd.DataFrame]:
    def run() -> pd.DataFrame:
        from utils.infusion import hypotheses

        return hypotheses.equality_tests(_employees(), baseline=baseline)
    return run


def _latent_bootstrap() -> pd.DataFrame:
    from utils.infusion import hypotheses

    return hypotheses.latent_bootstrap_tests(_employees())


def _power(kind: str) -> Callable[[], pd.DataFrame]:
    def run() -> pd.DataFrame:
        from utils.infusion import power

        if kind == "full":
            return power.power(n_studies=power.FULL_STUDIES, seed=0).set_index("verdict")
        if kind == "curve":
            return power.power_curve(n_studies=CURVE_STUDIES, seed=0)
        return power.sizes(n_studies=SIZE_STUDIES, seed=0)
    return run


# Monte Carlo runs stored for chapter 34: per point of the power curves and per study size.
CURVE_STUDIES = 500
SIZE_STUDIES = 200

RESULTS: dict[str, Result] = {
    "equality_metric": Result(
        "likelihood-ratio tests of the key latent paths held equal across channels, metric-invariant baseline",
        "hypotheses.equality_tests(employees, baseline='metric')", "path", _equality("metric")),
    "equality_configural": Result(
        "the same tests against the configural baseline (nothing held equal)",
        "hypotheses.equality_tests(employees, baseline='configural')", "path", _equality("configural")),
    "latent_bootstrap": Result(
        "H1-H3 on the latent model under metric invariance, 5,000 bootstrap resamples of the employees",
        "hypotheses.latent_bootstrap_tests(employees)", None, _latent_bootstrap),
    "power_full": Result(
        "the Monte Carlo power of every verdict with 2,000 simulated studies",
        "power.power(n_studies=power.FULL_STUDIES, seed=0)", "verdict", _power("full")),
    "power_curve": Result(
        "the power curves over employees per channel and customers per employee, 500 studies a point",
        "power.power_curve(n_studies=500, seed=0)", None, _power("curve")),
    "power_sizes": Result(
        "the power of every verdict with 300 to 2,400 employees per channel, 200 studies each",
        "power.sizes(n_studies=200, seed=0)", None, _power("sizes")),
}


def _file(name: str) -> str:
    if name not in RESULTS:
        raise InputError(f"unknown stored result {name!r}; stored results: {', '.join(RESULTS)}")
    return f"{CACHE_DIR}/{name}.csv"


@validated
def compute(name: str) -> pd.DataFrame:
    """Compute the result ``name`` now (slow: this is what the stored file saves)."""
    _file(name)
    return RESULTS[name].compute()


def _csv_bytes(frame: pd.DataFrame, indexed: bool) -> bytes:
    return frame.to_csv(index=indexed, lineterminator="\n", float_format=FLOAT_FORMAT).encode("utf-8")


@validated
def load(name: str) -> pd.DataFrame:
    """The stored result ``name``, checked against the data manifest, with its index restored
    (when it has one)."""
    frame = data.read_csv(_file(name))
    index = RESULTS[name].index
    return frame if index is None else frame.set_index(index)


@validated
def stale(name: str) -> str:
    """"" when the stored result ``name`` equals a fresh computation (text columns exactly,
    numbers within TOLERANCE); otherwise one sentence saying what differs."""
    stored, fresh = load(name), compute(name)
    if list(stored.columns) != list(fresh.columns) or list(stored.index) != list(fresh.index):
        return f"{name}: the stored rows or columns differ from a fresh computation"
    for column in fresh.columns:
        if pd.api.types.is_numeric_dtype(fresh[column]):
            a, b = stored[column].to_numpy(float), fresh[column].to_numpy(float)
            if not np.allclose(a, b, rtol=TOLERANCE, atol=TOLERANCE, equal_nan=True):
                worst = float(np.nanmax(np.abs(a - b)))
                return f"{name}: column {column!r} differs from a fresh computation by up to {worst:.3g}"
        elif stored[column].astype(str).tolist() != fresh[column].astype(str).tolist():
            return f"{name}: column {column!r} differs from a fresh computation"
    return ""


@validated
def write(names: list[str] | None = None) -> list[str]:
    """Recompute the results ``names`` (default: all), write their files, update the manifest;
    return the files written."""
    written = []
    for name in names or list(RESULTS):
        target = data.DATA_DIR / _file(name)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(_csv_bytes(compute(name), RESULTS[name].index is not None))
        written.append(str(target))
    data.write_manifest()
    return written


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        for path in write():
            print(f"wrote {path}")
        sys.exit(0)
    problems = [message for message in (stale(name) for name in RESULTS) if message]
    print("\n".join(problems) if problems else f"all {len(RESULTS)} stored results are current")
    sys.exit(1 if problems else 0)
