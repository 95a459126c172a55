"""Explorer for expectation-confirmation theory (chapter 3).

The static figure beside the explorer in the chapter comes from the same two functions
(``expectation.satisfaction_outlook`` and ``plots.ect_outlook``), so a reader of the HTML sees
what a Binder user sees at the explorer's starting values.
"""

from __future__ import annotations

import ipywidgets as widgets

from utils import expectation, plots
from utils.widgets._display import STYLE as _STYLE
from utils.widgets._display import show_figure as _show_figure
from utils._checks import validated

__all__ = ["expectation_explorer"]


@validated
def expectation_explorer(*, mean_expectation: float = 6.0, mean_performance: float = 6.5,
                         sd_expectation: float = 1.0, n: int = 2000, seed: int = 3) -> widgets.VBox:
    """Move customers' mean expectation, the delivered performance and how much expectations
    vary; see the satisfaction distribution and the share dissatisfied."""
    sliders = {
        "mean_expectation": widgets.FloatSlider(value=mean_expectation, min=2, max=9, step=0.1,
                                                description="Mean expectation", style=_STYLE),
        "mean_performance": widgets.FloatSlider(value=mean_performance, min=2, max=9, step=0.1,
                                                description="Delivered performance (mean)", style=_STYLE),
        "sd_expectation": widgets.FloatSlider(value=sd_expectation, min=0.2, max=2.0, step=0.1,
                                              description="Spread of expectations (sd)", style=_STYLE),
    }

    def draw(mean_expectation: float, mean_performance: float, sd_expectation: float) -> None:
        customers, shares = expectation.satisfaction_outlook(mean_expectation, mean_performance,
                                                             sd_expectation=sd_expectation, n=n, seed=seed)
        print(shares.round(3).to_string())
        _show_figure(plots.ect_outlook(customers, shares, threshold=expectation.DISSATISFIED_BELOW,
                                       title=f"Mean expectation {mean_expectation:g}, delivered performance "
                                             f"{mean_performance:g} (simulated customers)"))

    output = widgets.interactive_output(draw, sliders)
    return widgets.VBox([widgets.HBox(list(sliders.values())[:2]), list(sliders.values())[2], output])
