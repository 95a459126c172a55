"""Write two_group_mediation.csv: the book's own simulated data for the two-group mediation
references (lavaan_mediation.R fits it in R; tests/test_sem_mediation.py in Python).

Firms simulated with ``utils.crm_knowledge.simulate_firms`` in two channels whose paths differ
(assumed values, illustrative): in "face_to_face" most of the effect of CRM use on satisfaction
is direct, in "virtual" it runs through customer knowledge. Rerun from the repository root with
``python tests/reference/sem/make_two_group_mediation.py``; the file is byte-identical each time.
"""

from pathlib import Path

import pandas as pd

from utils.crm_knowledge import simulate_firms

CHANNELS = {"face_to_face": dict(a=0.5, b=0.15, c_prime=0.35, seed=21),
            "virtual": dict(a=0.5, b=0.5, c_prime=0.05, seed=22)}

frames = [simulate_firms(300, **paths).assign(channel=name) for name, paths in CHANNELS.items()]
data = pd.concat(frames, ignore_index=True).rename(
    columns={"crm_use": "x", "customer_knowledge": "m", "satisfaction": "y"})
data[["channel", "x", "m", "y"]].round(6).to_csv(Path(__file__).with_name("two_group_mediation.csv"), index=False)
