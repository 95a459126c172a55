"""The simulated reference data sets of tests/reference/sem are what their scripts write.

Each ``make_*.py`` there writes one committed CSV that lavaan fits (its R script's outputs are
committed too); rerunning the script must give the committed bytes, so the lavaan references
stay tied to data anyone can regenerate.
"""

from __future__ import annotations

import runpy
import shutil
from pathlib import Path

import pytest

REF = Path(__file__).resolve().parent / "reference" / "sem"


@pytest.mark.parametrize("script, output", [
    ("make_exogenous.py", "exogenous.csv"),
    ("make_heywood.py", "heywood_two_group.csv"),
    ("make_resamples.py", "resamples_infusion.csv"),
])
def test_script_rewrites_the_committed_file(tmp_path, script, output):
    # run a copy of the script in a scratch folder shaped like tests/reference/sem
    folder = tmp_path / "reference" / "sem"
    folder.mkdir(parents=True)
    (tmp_path / "reference" / "infusion").mkdir()
    shutil.copy(REF.parent / "infusion" / "employee_data.csv", tmp_path / "reference" / "infusion")
    shutil.copy(REF / script, folder / script)
    runpy.run_path(str(folder / script), run_name="__main__")
    assert (folder / output).read_bytes() == (REF / output).read_bytes()
