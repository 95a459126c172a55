"""A chapter's setup cell imports only what the chapter uses (issue 16): the heavy libraries
(statsmodels, semopy with scikit-learn and sympy, seaborn) load when a cell first needs them.
Checked by the names in ``sys.modules`` after the setup cell runs in a fresh interpreter started
in ``chapters/`` as a kernel is, never by a clock."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bookcli import ROOT

HEAVY = ("statsmodels", "semopy", "sklearn", "sympy", "seaborn")
PROBE = """
import json, sys
cell = next(c for c in json.load(open({path!r}))["cells"] if c["cell_type"] == "code")
exec("".join(cell["source"]), {{}})
print(" ".join(name for name in {heavy!r} if name in sys.modules))
"""

# Chapters whose setup cell needs none of them; chapter 32 relies on utils.infusion.aggregation
# importing statsmodels only when it fits a regression.
LIGHT = ["32_infusion_measurement", "35_beyond_aggregation"]


@pytest.mark.parametrize("chapter", LIGHT)
def test_setup_cell_imports_no_heavy_library(chapter):
    path = ROOT / "chapters" / f"{chapter}.ipynb"
    assert path.is_file(), path
    result = subprocess.run([sys.executable, "-c", PROBE.format(path=str(path), heavy=HEAVY)],
                            cwd=ROOT / "chapters", capture_output=True, text=True,
                            env={"PATH": "", "MPLBACKEND": "Agg"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == []


def test_aggregation_imports_statsmodels_on_first_fit():
    probe = ("import sys\nfrom utils.infusion import aggregation\n"
             "print('statsmodels' in sys.modules)\naggregation._smf()\nprint('statsmodels' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True,
                            env={"PATH": "", "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True"]
