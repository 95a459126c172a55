"""Write resamples_infusion.csv: the rows of 50 bootstrap resamples of each channel of the
infusion-use employee data (tests/reference/infusion/employee_data.csv), exactly as
``utils.sem.indirect_effects(..., group="channel", n_boot=50, seed=SEED)`` draws them: numpy's
``default_rng(SEED)``, every resample of the first channel in sorted order (contact_center),
then every resample of the second (retail_store). lavaan_resamples.R refits the same resamples
in lavaan; tests/test_sem_scoring.py compares them with utils.sem's batched scoring.

One line per resample and channel: resample (1-50), channel, rows (0-based positions within the
channel's rows in data order, space-separated). Rerun from the repository root with
``PYTHONPATH=. python tests/reference/sem/make_resamples.py``; the file is byte-identical each time.
"""

from pathlib import Path

import numpy as np
import pandas as pd

from utils.sem.bootstrap import _draws

SEED, N_BOOT = 2024, 50
HERE = Path(__file__).resolve().parent
data = pd.read_csv(HERE.parent / "infusion" / "employee_data.csv")
rng = np.random.default_rng(SEED)
lines = []
for channel in sorted(data["channel"].unique()):
    n = int((data["channel"] == channel).sum())
    indices = np.vstack(list(_draws(n, N_BOOT, rng)))
    for b, rows in enumerate(indices, start=1):
        lines.append({"resample": b, "channel": channel, "rows": " ".join(map(str, rows))})
pd.DataFrame(lines).to_csv(HERE / "resamples_infusion.csv", index=False)
