"""Explorer for the service-profit chain (chapter 5).

The static figure beside the explorer in the chapter comes from the same two functions
(``service_profit.survival`` and ``plots.service_profit_survival``), so a reader of the HTML sees
what a Binder user sees at the explorer's starting values.
"""

from __future__ import annotations

import ipywidgets as widgets
import pandas as pd

from utils import plots, service_profit
from utils.widgets._display import STYLE as _STYLE
from utils.widgets._display import show_figure as _show_figure
from utils._checks import validated

__all__ = ["service_profit_explorer"]


@validated
def service_profit_explorer() -> widgets.VBox:
    """One slider per link; see how much of a +1 SD improvement in internal service quality
    reaches each stage, beside the book's assumed links."""
    sliders = {f"link{i}": widgets.FloatSlider(value=service_profit.ASSUMED_LINKS[link], min=0.0, max=1.0,
                                               step=0.05, readout_format=".2f", continuous_update=False,
                                               description=f"{service_profit.LABELS[link[0]]} → "
                                                           f"{service_profit.LABELS[link[1]]}",
                                               style=_STYLE, layout=widgets.Layout(width="34em"))
               for i, link in enumerate(service_profit.LINKS)}

    def draw(**values: float) -> None:
        links = {link: values[f"link{i}"] for i, link in enumerate(service_profit.LINKS)}
        try:
            yours = service_profit.survival(links)
        except ValueError as error:
            print(error)
            return
        print(f"Of a +1 SD improvement in internal service quality, {yours['effect'].iloc[-1]:.3f} SD "
              f"reaches revenue growth and profitability (book's assumed links: "
              f"{service_profit.total_effect():.3f} SD).")
        effects = pd.concat([service_profit.survival().assign(scenario="book's assumed links"),
                             yours.assign(scenario="your links")])
        _show_figure(plots.service_profit_survival(effects, title="How much of the improvement survives"))

    output = widgets.interactive_output(draw, sliders)
    return widgets.VBox([widgets.VBox(list(sliders.values())), output])
