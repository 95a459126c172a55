"""Time utils.sem.indirect_effects against refitting semopy for every resample; print a table.

``python3 tools/book.py benchmark`` runs it after timing the notebooks (or run
``.venv/bin/python tools/bench_sem.py`` on its own). The model is a four-construct recursive path model on
observed (composite) scores, X → M1 → M2 → Y with direct paths, in two groups of 300 rows; the
bootstrap draws 5,000 resamples per group. The semopy loops refit 50 resamples per group and are
extrapolated to 5,000:

- "semopy refit, fresh model": ``Model(desc).fit(resample, options={"ftol": 1e-12})`` per
  resample, the precision the book uses for every fit;
- "semopy refit, warm start": one model refitted on each resample with semopy's default tolerance,
  starting from the previous estimates (the cheapest semopy loop).
"""

from __future__ import annotations

import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import semopy

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from utils.sem.bootstrap import indirect_effects  # noqa: E402

DESC = """
m1 ~ x
m2 ~ m1 + x
y ~ m2 + m1 + x
"""
CHAINS = [("x", "m1", "m2", "y"), ("x", "m1", "y"), ("x", "m2", "y")]
N_GROUP, N_BOOT, N_REFIT = 300, 5000, 50


def simulate(n: int, seed: int) -> pd.DataFrame:
    """Composite scores of four constructs, X → M1 → M2 → Y with direct paths."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    m1 = 0.5 * x + rng.normal(size=n)
    m2 = 0.4 * m1 + 0.2 * x + rng.normal(size=n)
    y = 0.3 * m2 + 0.1 * m1 + 0.1 * x + rng.normal(size=n)
    return pd.DataFrame({"x": x, "m1": m1, "m2": m2, "y": y})


def time_semopy(data: pd.DataFrame, warm: bool, seed: int) -> float:
    """Seconds for N_REFIT semopy refits of resamples of each group (both groups)."""
    rng = np.random.default_rng(seed)
    total = 0.0
    for _, frame in data.groupby("group"):
        frame = frame.drop(columns="group").reset_index(drop=True)
        model = semopy.Model(DESC)
        model.fit(frame)
        start = time.perf_counter()
        for _ in range(N_REFIT):
            sample = frame.iloc[rng.integers(0, len(frame), len(frame))].reset_index(drop=True)
            if warm:
                model.fit(sample)
            else:
                semopy.Model(DESC).fit(sample, options={"ftol": 1e-12})
        total += time.perf_counter() - start
    return total


def main() -> None:
    data = pd.concat([simulate(N_GROUP, 1).assign(group="a"), simulate(N_GROUP, 2).assign(group="b")],
                     ignore_index=True)
    indirect_effects(DESC, data, CHAINS, group="group", n_boot=50, seed=0)  # warm up imports
    runs = []
    for repeat in range(3):
        start = time.perf_counter()
        table = indirect_effects(DESC, data, CHAINS, group="group", n_boot=N_BOOT, seed=repeat)
        runs.append(time.perf_counter() - start)
    ours = float(np.median(runs))
    fresh = time_semopy(data, warm=False, seed=1) / N_REFIT * N_BOOT
    warm = time_semopy(data, warm=True, seed=1) / N_REFIT * N_BOOT

    print(f"indirect effects, {len(CHAINS)} chains, 2 groups × {N_GROUP} rows, {N_BOOT} resamples per group")
    print(f"Python {platform.python_version()}, numpy {np.__version__}, semopy {semopy.__version__}, "
          f"{os.cpu_count()} CPU(s), method = {table.attrs['method']}")
    print()
    print(f"| {'route':<50} | {'seconds':>9} | {'ms / resample':>13} | {'ratio to ours':>13} |")
    print(f"| {'-' * 50} | {'-' * 9}:| {'-' * 13}:| {'-' * 13}:|")
    rows = [("indirect_effects (batched OLS = ML), median of 3", ours),
            (f"semopy refit, fresh model, ftol 1e-12 (×{N_BOOT // N_REFIT})", fresh),
            (f"semopy refit, warm start, default tol (×{N_BOOT // N_REFIT})", warm)]
    for name, seconds in rows:
        per = 1000 * seconds / (2 * N_BOOT)
        print(f"| {name:<50} | {seconds:9.2f} | {per:13.3f} | {seconds / ours:13.0f} |")
    print()
    print(table.round(4).to_string(index=False))


if __name__ == "__main__":
    main()
