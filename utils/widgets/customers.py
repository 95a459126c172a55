"""Explorer for the real-customer chapter (chapter 22): one path, three methods.

The static figure beside the explorer in the chapter comes from the same two functions
(``customers.path_draws`` and ``plots.path_draws``), so a reader of the HTML sees what a Binder
user sees at the explorer's starting path.
"""

from __future__ import annotations

from collections.abc import Mapping

import ipywidgets as widgets
import pandas as pd

from utils import customers
from utils.plots import customers as customer_plots
from utils.widgets._display import STYLE as _STYLE
from utils.widgets._display import show_figure as _show_figure
from utils._checks import validated

__all__ = ["path_explorer"]


@validated
def path_explorer(paths: pd.DataFrame, boots: Mapping[str, pd.DataFrame], labels: Mapping[str, str], *,
                  start: tuple[str, str]) -> widgets.VBox:
    """Choose a structural path (``start`` = (predictor, outcome) first); see the bootstrap draws
    of each method in ``boots`` beside the CB-SEM estimate and Wald interval from ``paths``."""
    options = {f"{labels.get(r, r)} → {labels.get(l, l)}": (r, l)
               for r, l in dict.fromkeys(zip(paths["rhs"], paths["lhs"]))}
    choice = widgets.Dropdown(options=options, value=tuple(start), description="Path", style=_STYLE)

    def draw(path: tuple[str, str]) -> None:
        predictor, outcome = path
        draws, reference = customers.path_draws(paths, boots, outcome, predictor)
        _show_figure(customer_plots.path_draws(
            draws, reference, xlabel="standardized path coefficient",
            title=f"{labels.get(predictor, predictor)} → {labels.get(outcome, outcome)}: three methods"))

    return widgets.VBox([choice, widgets.interactive_output(draw, {"path": choice})])
