"""In a Jupyter kernel (inline backend) a figure of ``utils.plots`` is drawn once, when the
backend sends it, and still shown once; under a plain Python process nothing changes."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]

COUNT_DRAWS = """
from matplotlib.figure import Figure
DRAWS = []
_draw = Figure.draw
def _counted(self, renderer):
    DRAWS.append(id(self))
    return _draw(self, renderer)
Figure.draw = _counted
"""


def _run(cells: list[str]) -> list[nbformat.NotebookNode]:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    NotebookClient(notebook, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(ROOT)}}).execute()
    return notebook.cells


def _pngs(cell: nbformat.NotebookNode) -> int:
    return sum("image/png" in output.get("data", {}) for output in cell.outputs)


PANELS = ("plots.level_panels(propositions.dashboard(counts), {p: tallies.crosstab(counts, 'knowledge', "
          "'system', totals=False, where={'process': p}) for p in tallies.PROCESSES}, "
          "propositions.DASHBOARD_RULE.labels, title='Dashboard')")
# Draws that sending one figure takes (print_figure alone, the figure closed so nothing else shows it)
SEND_ONLY = ("from IPython.core.pylabtools import print_figure\nDRAWS.clear()\nfig = {make}\n"
             "plt.close(fig)\nprint_figure(fig, 'png', bbox_inches='tight')\nprint(len(DRAWS))")


def test_a_figure_is_drawn_only_to_be_sent_and_shown_once_in_a_kernel():
    cells = _run([
        COUNT_DRAWS,
        "import matplotlib.pyplot as plt\nfrom utils import plots, tallies, propositions\n"
        "counts = tallies.load_counts()",
        f"DRAWS.clear()\nfig = {PANELS}",
        "print(len(DRAWS))",
        SEND_ONLY.format(make=PANELS),
        # a figure made with pyplot alone, after the first use of utils.plots
        "DRAWS.clear()\nplt.plot([1, 2, 3]);",
        "print(len(DRAWS))",
        SEND_ONLY.format(make="plt.figure()\nplt.plot([1, 2, 3])\nfig = plt.gcf()"),
    ])
    shown_panels, shown_plot = _pngs(cells[2]), _pngs(cells[5])
    drawn_panels, drawn_plot = (int(cells[i].outputs[0]["text"]) for i in (3, 6))
    sent_panels, sent_plot = (int(cells[i].outputs[-1]["text"]) for i in (4, 7))
    assert (shown_panels, shown_plot) == (1, 1)
    assert (drawn_panels, drawn_plot) == (sent_panels, sent_plot)


def test_outside_ipython_draw_once_does_nothing():
    from utils.plots._inline import draw_once

    assert draw_once() is None
