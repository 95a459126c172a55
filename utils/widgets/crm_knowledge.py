"""Explorers for the chapter on CRM systems and customer knowledge (chapter 1).

The static figure beside each explorer in the chapter comes from the same two functions, so a
reader of the HTML sees what a Binder user sees at the explorer's starting values.
"""

from __future__ import annotations

import ipywidgets as widgets

from utils import crm_knowledge, plots
from utils.widgets._display import STYLE as _STYLE
from utils.widgets._display import show_figure as _show_figure
from utils._checks import validated

__all__ = ["crm_mediation_explorer"]


@validated
def crm_mediation_explorer(a: float = crm_knowledge.ASSUMED_PATHS["a"],
                           b: float = crm_knowledge.ASSUMED_PATHS["b"],
                           c_prime: float = crm_knowledge.ASSUMED_PATHS["c_prime"]) -> widgets.VBox:
    """Sliders for the paths a, b (the indirect effect) and c′ (the direct effect); see the
    total, direct and indirect effects they imply."""
    def slider(value: float, description: str) -> widgets.FloatSlider:
        return widgets.FloatSlider(value=value, min=-1.0, max=1.0, step=0.05, description=description,
                                   readout_format=".2f", continuous_update=False, style=_STYLE,
                                   layout=widgets.Layout(width="30em"))

    sliders = {"a": slider(a, "a: CRM use → knowledge"), "b": slider(b, "b: knowledge → satisfaction"),
               "c_prime": slider(c_prime, "c′: CRM use → satisfaction (direct)")}

    def draw(a: float, b: float, c_prime: float) -> None:
        kind = crm_knowledge.mediation_type(a, b, c_prime)
        _show_figure(plots.crm_effect_split(crm_knowledge.implied_effects(a, b, c_prime),
                                            title=f"Total = direct + indirect ({kind} pattern)"))

    output = widgets.interactive_output(draw, sliders)
    return widgets.VBox([widgets.VBox(list(sliders.values())), output])
