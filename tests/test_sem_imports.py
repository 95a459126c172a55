"""``import utils.sem`` stays light: semopy (and with it scikit-learn and sympy, about 1.5-4 s
of a chapter's start) is imported when a fit runs, not before (issue 16). Checked by the names in
``sys.modules`` of a fresh interpreter, not by a clock."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("semopy", "sklearn", "sympy")
PROBE = """
import sys
import utils.sem
from utils import sem
loaded = [name for name in ("utils.sem.single", "utils.sem.groups", "utils.sem.bootstrap") if name in sys.modules]
assert not loaded, loaded  # submodules load on first use
from utils.sem import (SemError, SemWarning, SemFit, GroupFit, fit, fit_groups, invariance, lr_test,
                       path_differences, path_equality, indirect_effects, monte_carlo_effects, verdicts)
print(" ".join(name for name in {heavy!r} if name in sys.modules))
print("|")
import pandas as pd
pd.set_option("display.width", 200)
data = pd.read_csv("tests/reference/sem/PoliticalDemocracy.csv")
sem.fit("y1 ~ x1 + x2", data)
print(" ".join(name for name in {heavy!r} if name in sys.modules))
"""


def test_import_utils_sem_does_not_import_semopy_until_a_fit_runs():
    result = subprocess.run([sys.executable, "-c", PROBE.format(heavy=HEAVY)], cwd=ROOT, capture_output=True,
                            text=True, env={"PYTHONPATH": str(ROOT), "PATH": ""})
    assert result.returncode == 0, result.stderr
    before, after = (part.split() for part in result.stdout.split("|"))
    assert before == []
    assert "semopy" in after  # the probe would see it: a fit does import semopy
