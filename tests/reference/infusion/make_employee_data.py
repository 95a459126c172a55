"""Write employee_data.csv: the infusion-use replication's employee-level analysis data, for the
lavaan references (lavaan_infusion.R fits it in R; tests/test_infusion_lavaan.py compares the
book's utils.sem fits with them).

The rows are ``utils.infusion.aggregation.employee_data(load_study())`` (the book's committed
simulated study, data/chen2021/), in its order; the columns are those the models of
utils/infusion/models.py name, the channel (the group) and employee_id (for reading only).
Numbers are written with 10 significant digits (``%.10g``; the customer items are means of
several answers and the controls are logs, so they are not short decimals): R then reads the
data the book fits to within 5e-10 (relative), far below the tests' tolerances.

Rerun from the repository root (then rerun the R script, whose outputs depend on this file)::

    PYTHONPATH=. .venv/bin/python tests/reference/infusion/make_employee_data.py
    Rscript tests/reference/infusion/lavaan_infusion.R

The file is byte-identical on every rerun as long as the dataset and ``employee_data`` do not
change; tests/test_infusion_lavaan.py fails (and says to rerun both) when they do.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from utils.infusion.aggregation import employee_data
from utils.infusion.simulate import load_study

TARGET = Path(__file__).with_name("employee_data.csv")
COLUMNS = ["employee_id", "channel",
           "inf1", "inf2", "inf3", "usat1", "usat2", "usat3",
           "conf1", "conf2", "conf3", "csat1", "csat2", "csat3",
           "log_tenure", "log_contacts", "infusion", "usat", "conf", "csat"]
FLOAT_FORMAT = "%.10g"


def frame() -> pd.DataFrame:
    """The columns of employee_data(load_study()) that the reference needs."""
    return employee_data(load_study())[COLUMNS]


def csv_text(data: pd.DataFrame) -> str:
    """``data`` as written to employee_data.csv."""
    return data.to_csv(index=False, lineterminator="\n", float_format=FLOAT_FORMAT)


if __name__ == "__main__":
    TARGET.write_text(csv_text(frame()), encoding="utf-8")
    print(f"wrote {TARGET}")
