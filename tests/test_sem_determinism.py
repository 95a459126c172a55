"""utils.sem prints the same bytes whatever the hash seed and the BLAS thread count.

semopy iterates Python sets when it frees the covariances of exogenous latent variables and fixes
those of observed exogenous variables, so row order, covariance orientation and the optimizer's
last digits used to change with PYTHONHASHSEED; and OpenBLAS sums in another order with 2 threads
than with 1. The probe below fits a single-group model (with vcov), two multi-group models (one
with observed exogenous variables), two bootstraps (the OLS route and the scoring route under
metric invariance) and Monte Carlo intervals, and prints every number in hexadecimal (all 53
bits). Two subprocesses — PYTHONHASHSEED 1 with 1 BLAS thread, PYTHONHASHSEED 2 with 2 — must
print identical bytes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROBE = r'''
import warnings
import numpy as np, pandas as pd
from pathlib import Path
from utils import sem
from utils.infusion import models
warnings.simplefilter("ignore")
REF = Path("tests/reference/sem")
hs = pd.read_csv(REF / "HolzingerSwineford1939.csv")
emp = pd.read_csv(REF.parent / "infusion" / "employee_data.csv")
CFA = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"

def show(frame):
    print(frame.map(lambda v: float(v).hex() if isinstance(v, (float, np.floating)) else v).to_string())

single = sem.fit(CFA, hs)
show(single.estimates); show(single.vcov()); print({k: float(v).hex() for k, v in single.fit_table.items()})
metric = sem.fit_groups(CFA, hs, "school", equal=["loadings"])
show(metric.estimates); print({k: float(v).hex() for k, v in metric.fit_table.items()})
latent = sem.fit_groups(models.LATENT_SEM, emp, "channel")
show(latent.estimates)
show(sem.indirect_effects(models.COMPOSITE_SEM, emp, [models.INDIRECT], group="channel", n_boot=200, seed=1))
show(sem.indirect_effects(models.LATENT_SEM, emp, [("INF", "USAT", "CONF")], group="channel", n_boot=20,
                          seed=1, equal=["loadings"]))
show(sem.monte_carlo_effects(latent, ("INF", "USAT", "CONF"), n_draws=500, seed=2))
'''


def _start(hash_seed: str, threads: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONHASHSEED=hash_seed, OMP_NUM_THREADS=threads, OPENBLAS_NUM_THREADS=threads,
               MKL_NUM_THREADS=threads, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-c", PROBE], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_output_is_byte_identical_across_hash_seeds_and_thread_counts():
    runs = [_start("1", "1"), _start("2", "2")]  # side by side
    outputs = []
    for run in runs:
        out, err = run.communicate(timeout=600)
        assert run.returncode == 0, err
        outputs.append(out)
    assert len(outputs[0]) > 10_000
    assert outputs[0] == outputs[1]
