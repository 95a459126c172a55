"""Explorer for the infusion-use replication (chapter 33): channel-specific paths.

The static figure beside the explorer in the chapter comes from the same two functions
(``infusion.scenario.scenario`` and ``plots.infusion_scenario``), so a reader of the HTML sees
what a Binder user sees at the explorer's starting values.
"""

from __future__ import annotations

import ipywidgets as widgets

from utils import plots
from utils.infusion import scenario as _scenario
from utils.widgets._display import STYLE as _STYLE
from utils.widgets._display import show_figure as _show_figure
from utils._checks import validated

__all__ = ["channel_explorer"]


@validated
def channel_explorer(*, direct_store: float = 0.35, direct_center: float = 0.0, usat_store: float = 0.0,
                     usat_center: float = 0.35, n_studies: int = _scenario.SCENARIO_STUDIES,
                     seed: int = 0, initial: tuple | None = None) -> widgets.VBox:
    """Sliders for the direct path (infusion → confirmation) and the user-satisfaction path
    (user satisfaction → confirmation) in each channel; shows the implied effects and how often a
    study of the book's size would reproduce each published verdict. ``initial``, the
    ``(effects, rates)`` of ``scenario.scenario`` at the starting values with the same
    ``n_studies`` and ``seed`` (as the chapter's static figure computes them), is shown without
    recomputing it."""
    start = (direct_store, direct_center, usat_store, usat_center)
    shown = {start: initial} if initial is not None else {}
    def slider(value: float, description: str) -> widgets.FloatSlider:
        return widgets.FloatSlider(value=value, min=-0.2, max=0.6, step=0.05, description=description,
                                   style=_STYLE, continuous_update=False)

    sliders = {
        "direct_store": slider(direct_store, "Direct path, retail stores"),
        "direct_center": slider(direct_center, "Direct path, contact centers"),
        "usat_store": slider(usat_store, "User satisfaction → confirmation, retail stores"),
        "usat_center": slider(usat_center, "User satisfaction → confirmation, contact centers"),
    }

    def draw(direct_store: float, direct_center: float, usat_store: float, usat_center: float) -> None:
        key = (direct_store, direct_center, usat_store, usat_center)
        try:
            effects, rates = shown[key] if key in shown else _scenario.scenario(
                infusion_conf={"retail_store": direct_store, "contact_center": direct_center},
                usat_conf={"retail_store": usat_store, "contact_center": usat_center},
                n_studies=n_studies, seed=seed)
        except ValueError as error:  # paths that explain more than all the variance
            print(f"Not a possible population: {error}")
            return
        _show_figure(plots.infusion_scenario(effects, rates, title=f"Simulated scenario ({n_studies} studies "
                                             "of the book's design); not the study's data"))

    output = widgets.interactive_output(draw, sliders)
    keys = list(sliders)
    return widgets.VBox([widgets.HBox([sliders[keys[0]], sliders[keys[1]]]),
                         widgets.HBox([sliders[keys[2]], sliders[keys[3]]]), output])
