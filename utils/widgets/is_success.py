"""Explorer for the IS success model (chapter 2).

The static figure beside the explorer in the chapter comes from the same two functions
(:func:`utils.is_success.implied_effects` and :func:`utils.plots.is_success_effects`), so a
reader of the HTML sees what a Binder user sees at the explorer's starting values.
"""

from __future__ import annotations

from collections.abc import Mapping

import ipywidgets as widgets

from utils import is_success, plots
from utils.widgets._display import STYLE as _STYLE
from utils.widgets._display import show_figure as _show_figure
from utils._checks import validated
from utils.errors import InputError

__all__ = ["is_success_explorer"]

EXPLORER_TITLE = "Effects on net benefits implied by the paths"


@validated
def is_success_explorer(paths: Mapping[tuple[str, str], float] | None = None,
                        quality: str = "system_quality") -> widgets.VBox:
    """Sliders for ``quality``'s two paths and the three paths after them; the figure shows
    every quality's (and use's) effect on net benefits through use, through satisfaction and
    through both. Starts from ``paths`` (default: the book's illustrative paths)."""
    start = dict(is_success.ILLUSTRATIVE_PATHS if paths is None else paths)
    if quality not in is_success.QUALITIES:
        raise InputError(f"quality must be one of {is_success.QUALITIES}, got {quality!r}")
    name = is_success.LABELS[quality]
    keys = {"q_use": (quality, "use"), "q_sat": (quality, "user_satisfaction"),
            "use_sat": ("use", "user_satisfaction"), "use_nb": ("use", "net_benefits"),
            "sat_nb": ("user_satisfaction", "net_benefits")}
    descriptions = {"q_use": f"{name} → use", "q_sat": f"{name} → satisfaction",
                    "use_sat": "Use → satisfaction", "use_nb": "Use → net benefits",
                    "sat_nb": "Satisfaction → net benefits"}
    sliders = {k: widgets.FloatSlider(value=start.get(key, 0.0), min=-0.3, max=0.8, step=0.05,
                                      description=descriptions[k], readout_format=".2f", style=_STYLE,
                                      continuous_update=False, layout=widgets.Layout(width="26em"))
               for k, key in keys.items()}

    def draw(**values: float) -> None:
        chosen = {**start, **{keys[k]: v for k, v in values.items()}}
        effects = is_success.implied_effects(chosen, sources=(*is_success.QUALITIES, "use"))
        _show_figure(plots.is_success_effects(effects, title=EXPLORER_TITLE))

    output = widgets.interactive_output(draw, sliders)
    controls = widgets.VBox([widgets.HBox([sliders["q_use"], sliders["q_sat"]]),
                             widgets.HBox([sliders["use_sat"]]),
                             widgets.HBox([sliders["use_nb"], sliders["sat_nb"]])])
    return widgets.VBox([controls, output])
