"""Explorer for the infusion-use study without aggregation (chapter 35): within/between conflation.

The static figure beside the explorer in the chapter comes from the same two functions
(``infusion_twolevel.conflation`` and ``plots.conflation_bars``), so a reader of the HTML sees
what a Binder user sees at the explorer's starting values.
"""

from __future__ import annotations

import ipywidgets as widgets

from utils import infusion_twolevel as _twolevel
from utils import plots
from utils.widgets._display import STYLE as _STYLE
from utils.widgets._display import show_figure as _show_figure
from utils._checks import validated

__all__ = ["conflation_explorer"]


@validated
def conflation_explorer(*, b_within: float = 0.2, b_between: float = 0.7, icc_x: float = 0.25,
                        cluster_size: float = 8.5) -> widgets.VBox:
    """Sliders for the within- and between-employee effects, the predictor's ICC(1) and the
    customers per employee; shows what each analysis estimates."""
    sliders = {
        "b_within": widgets.FloatSlider(value=b_within, min=-0.5, max=1.0, step=0.05, description="Within effect",
                                        style=_STYLE, continuous_update=False),
        "b_between": widgets.FloatSlider(value=b_between, min=-0.5, max=1.0, step=0.05, description="Between effect",
                                         style=_STYLE, continuous_update=False),
        "icc_x": widgets.FloatSlider(value=icc_x, min=0.05, max=0.95, step=0.05, description="ICC(1) of x",
                                     style=_STYLE, continuous_update=False),
        "cluster_size": widgets.FloatSlider(value=cluster_size, min=2, max=50, step=0.5,
                                            description="Customers per employee", style=_STYLE,
                                            continuous_update=False),
    }

    def draw(b_within: float, b_between: float, icc_x: float, cluster_size: float) -> None:
        table = _twolevel.conflation(b_within, b_between, icc_x, cluster_size)
        _show_figure(plots.conflation_bars(table, title="What each analysis estimates (population values)"))

    output = widgets.interactive_output(draw, sliders)
    keys = list(sliders)
    return widgets.VBox([widgets.HBox([sliders[keys[0]], sliders[keys[1]]]),
                         widgets.HBox([sliders[keys[2]], sliders[keys[3]]]), output])
