"""Write heywood_two_group.csv: a small simulated two-group data set with a Heywood case
(a negative residual variance) in one group, for the Heywood references of fit_groups
(lavaan_heywood.R fits it in R; tests/test_sem_heywood.py in Python).

One factor F measured by a, b, c, d in two groups of 120 cases. Group "g1" is drawn from a
population whose standardized loading of a is 1.05 (assumed value, chosen to make the case): its
population residual variance is 1 − 1.05² = −0.1025, and the covariance matrix is still positive
definite, so a sample from it gives lavaan's negative estimate. Group "g2" has ordinary loadings
(0.8, 0.7, 0.6, 0.5). Rerun from the repository root with
``python tests/reference/sem/make_heywood.py``; the file is byte-identical each time.
"""

from pathlib import Path

import numpy as np
import pandas as pd

NAMES = ["a", "b", "c", "d"]


def simulate(loadings: list[float], n: int, seed: int) -> pd.DataFrame:
    lam = np.array(loadings)
    cov = np.outer(lam, lam) + np.diag(1 - lam**2)
    x = np.random.default_rng(seed).multivariate_normal(np.zeros(4), cov, size=n, method="cholesky")
    return pd.DataFrame(x, columns=NAMES)


frames = [simulate([1.05, 0.7, 0.6, 0.5], 120, 41).assign(group="g1"),
          simulate([0.8, 0.7, 0.6, 0.5], 120, 42).assign(group="g2")]
data = pd.concat(frames, ignore_index=True)[["group", *NAMES]]
data.round(6).to_csv(Path(__file__).with_name("heywood_two_group.csv"), index=False)
