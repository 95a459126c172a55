"""Explorer for the SECI chapter: the four conversion rates of the toy spiral.

The static figure beside the explorer in the chapter comes from the same two functions
(``seci.simulate_spiral`` and ``plots.seci_trajectory``), so a reader of the HTML sees what a
Binder user sees at the explorer's starting values.
"""

from __future__ import annotations

import ipywidgets as widgets

from utils import plots, seci
from utils.widgets._display import STYLE as _STYLE
from utils.widgets._display import show_figure as _show_figure
from utils._checks import validated

__all__ = ["seci_spiral_explorer"]


@validated
def seci_spiral_explorer(start: seci.Rates = seci.BASELINE, *, cycles: int = 15) -> widgets.VBox:
    """Four sliders, one rate per SECI mode; see the stocks and flows of the toy spiral."""
    sliders = {mode: widgets.FloatSlider(value=getattr(start, mode), min=0.0, max=0.5, step=0.01,
                                         description=mode.capitalize(), readout_format=".2f",
                                         style=_STYLE, layout=widgets.Layout(width="24em"))
               for mode in seci.MODES}

    def draw(**rates: float) -> None:
        chosen = seci.Rates(**rates)
        print(f"Long-run growth of both stocks: {seci.growth_factor(chosen) - 1:.1%} per cycle "
              f"(toy model, illustrative rates)")
        _show_figure(plots.seci_trajectory(seci.simulate_spiral(chosen, cycles=cycles),
                                           title="The toy spiral at the chosen rates"))

    output = widgets.interactive_output(draw, sliders)
    controls = widgets.VBox([widgets.HBox([sliders["socialization"], sliders["externalization"]]),
                             widgets.HBox([sliders["internalization"], sliders["combination"]])])
    return widgets.VBox([controls, output])
