"""Write exogenous.csv: simulated data for models with zero, one and two observed exogenous
variables (lavaan_exogenous.R fits them in R; tests/test_sem_exogenous.py in Python).

Two groups ("a", "b") of 150 cases: x and w observed exogenous, X a latent factor measured by
x1-x3 (loadings 1, 0.8, 0.7), m a mediator, y the outcome. Paths (assumed values, illustrative):
m = 0.5 x + 0.3 w + 0.4 X + e, y = 0.4 m + 0.2 x + e in group "a"; in group "b" the x → m path is
0.3 and m → y is 0.5. Rerun from the repository root with
``python tests/reference/sem/make_exogenous.py``; the file is byte-identical each time.
"""

from pathlib import Path

import numpy as np
import pandas as pd


def simulate(n: int, a: float, b: float, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    w = 0.3 * x + rng.normal(size=n)
    latent = rng.normal(size=n)
    items = {f"x{i}": loading * latent + rng.normal(scale=0.6, size=n)
             for i, loading in zip((1, 2, 3), (1.0, 0.8, 0.7))}
    m = a * x + 0.3 * w + 0.4 * latent + rng.normal(size=n)
    y = b * m + 0.2 * x + rng.normal(size=n)
    return pd.DataFrame({"x": x, "w": w, **items, "m": m, "y": y})


frames = [simulate(150, 0.5, 0.4, 31).assign(group="a"), simulate(150, 0.3, 0.5, 32).assign(group="b")]
data = pd.concat(frames, ignore_index=True)
columns = ["group", "x", "w", "x1", "x2", "x3", "m", "y"]
data[columns].round(6).to_csv(Path(__file__).with_name("exogenous.csv"), index=False)
