"""The batched Fisher-scoring bootstrap (utils.sem.scoring) resample by resample.

Independent expectations:
- lavaan 0.6-14 refits of the same 50 resamples of each channel of the infusion-use employee data
  (tests/reference/sem/lavaan_resamples.R, resamples from make_resamples.py): the latent model
  in each channel on its own, and both channels at once under metric invariance. Every free
  parameter of every resample must agree within 1e-5.
- Full refits of some of those resamples with utils.sem.fit (semopy's optimizer) and
  utils.sem.fit_groups (L-BFGS-B), within 1e-5.
- indirect_effects end to end: its draws for a latent chain with the same seed are the products
  of lavaan's estimates on those resamples, within 1e-5, separately and under metric invariance.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from utils import sem
from utils.infusion import models
from utils.sem.bootstrap import _counts
from utils.sem.scoring import Engine

REF = Path(__file__).resolve().parent / "reference" / "sem"
TOL = 1e-5
CHANNELS = ["contact_center", "retail_store"]  # sorted, the order indirect_effects draws them
SEED, N_BOOT = 2024, 50  # as make_resamples.py
CHAINS = [("INF", "USAT", "CONF"), ("INF", "CONF")]


@pytest.fixture(scope="module")
def employees() -> pd.DataFrame:
    return pd.read_csv(REF.parent / "infusion" / "employee_data.csv")


@pytest.fixture(scope="module")
def resamples() -> dict[str, np.ndarray]:
    table = pd.read_csv(REF / "resamples_infusion.csv")
    return {c: np.array([list(map(int, r.split())) for r in table[table["channel"] == c].sort_values("resample")["rows"]])
            for c in CHANNELS}


@pytest.fixture(scope="module")
def lavaan() -> pd.DataFrame:
    return pd.read_csv(REF / "lavaan_resamples.csv")


def test_reference_model_is_the_books(lavaan):
    assert (REF / "lavaan_resamples_model.txt").read_text().strip() == models.LATENT_SEM.strip()


def _engine(employees, channels, equal=()):
    observed = sem.fit(models.LATENT_SEM, employees[employees["channel"] == channels[0]]).data.columns
    frames = [employees[employees["channel"] == c][list(observed)].assign(g=c) for c in channels]
    return Engine(models.LATENT_SEM, pd.concat(frames), "g", list(channels), equal)


def _compare(ours: pd.DataFrame, theirs: pd.DataFrame) -> float:
    merged = theirs.merge(ours, on=["group", "lhs", "op", "rhs"], suffixes=("_lavaan", ""), how="outer",
                          indicator=True)
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"]
    return float(np.max(np.abs(merged["est"] - merged["est_lavaan"])))


@pytest.mark.parametrize("channel", CHANNELS)
def test_each_channel_matches_lavaan_resample_by_resample(employees, resamples, lavaan, channel):
    engine = _engine(employees, [channel])
    g = engine.groups[0]
    theta, ok, iterations = engine.fit([engine.moments(g.x, _counts(resamples[channel], g.n))], engine.theta_hat)
    assert ok.all()
    worst = 0.0
    for b in range(N_BOOT):
        theirs = lavaan.query("fit == 'separate' and channel == @channel and resample == @b + 1")
        worst = max(worst, _compare(engine.estimates(theta[b]), theirs.rename(columns={"channel": "group"})
                                    .drop(columns=["resample", "fit"])))
    assert worst < TOL


def test_metric_invariance_matches_lavaan_resample_by_resample(employees, resamples, lavaan):
    engine = _engine(employees, CHANNELS, ("loadings",))
    covs = [engine.moments(g.x, _counts(resamples[g.name], g.n)) for g in engine.groups]
    theta, ok, _ = engine.fit(covs, engine.theta_hat)
    assert ok.all()
    worst = 0.0
    for b in range(N_BOOT):
        theirs = lavaan.query("fit == 'metric' and resample == @b + 1").rename(columns={"channel": "group"})
        worst = max(worst, _compare(engine.estimates(theta[b]), theirs.drop(columns=["resample", "fit"])))
    assert worst < TOL


def test_full_refits_agree(employees, resamples):
    # semopy's fit (one channel) and fit_groups (metric, both channels) on three resamples
    engine = _engine(employees, ["retail_store"])
    g = engine.groups[0]
    theta, _, _ = engine.fit([engine.moments(g.x, _counts(resamples["retail_store"][:3], g.n))], engine.theta_hat)
    part = employees[employees["channel"] == "retail_store"].reset_index(drop=True)
    for b in range(3):
        refit = sem.fit(models.LATENT_SEM, part.iloc[resamples["retail_store"][b]].reset_index(drop=True))
        free = refit.estimates[refit.estimates["se"] > 0].assign(group="retail_store")
        assert _compare(engine.estimates(theta[b]), free[["group", "lhs", "op", "rhs", "est"]]) < TOL
    joint = _engine(employees, CHANNELS, ("loadings",))
    covs = [joint.moments(h.x, _counts(resamples[h.name][:2], h.n)) for h in joint.groups]
    theta, _, _ = joint.fit(covs, joint.theta_hat)
    for b in range(2):
        stacked = pd.concat([employees[employees["channel"] == c].reset_index(drop=True).iloc[resamples[c][b]]
                             for c in CHANNELS])
        refit = sem.fit_groups(models.LATENT_SEM, stacked, "channel", equal=["loadings"])
        free = refit.estimates[(refit.estimates["se"] > 0) & (refit.estimates["op"] != "~1")]
        assert _compare(joint.estimates(theta[b]), free[["group", "lhs", "op", "rhs", "est"]]) < TOL


def _lavaan_chain(lavaan, fit, channel, chain):
    out = np.ones(N_BOOT)
    for a, b in zip(chain, chain[1:]):
        rows = lavaan.query("fit == @fit and channel == @channel and op == '~' and lhs == @b and rhs == @a")
        out *= rows.sort_values("resample")["est"].to_numpy()
    return out


@pytest.mark.parametrize("equal", [(), ("loadings",)])
def test_indirect_effects_draws_are_lavaans_products(employees, lavaan, equal):
    table = sem.indirect_effects(models.LATENT_SEM, employees, CHAINS, group="channel", n_boot=N_BOOT,
                                 seed=SEED, equal=equal)
    assert table.attrs["method"] == "scoring" and table.attrs["fallbacks"] == 0
    fit = "metric" if equal else "separate"
    draws = table.attrs["draws"]
    for index, row in table.iterrows():
        chain = tuple(row["chain"].split(" → "))
        if row["group"] == "difference":
            expected = (_lavaan_chain(lavaan, fit, CHANNELS[1], chain) - _lavaan_chain(lavaan, fit, CHANNELS[0], chain))
        else:
            expected = _lavaan_chain(lavaan, fit, row["group"], chain)
        np.testing.assert_allclose(draws[index], expected, atol=TOL, rtol=0)
