"""Explorer for chapter 21: what a left-out cross-loading does to the fit statistics, by sample size.

The static figure beside the explorer in the chapter comes from the same two functions
(``misfit.misfit_grid`` and ``plots.sem_misfit``), so a reader of the HTML sees what a Binder
user sees at the explorer's starting values.
"""

from __future__ import annotations

import ipywidgets as widgets

from utils import misfit, plots
from utils.widgets._display import STYLE as _STYLE
from utils.widgets._display import show_figure as _show_figure
from utils._checks import validated

__all__ = ["sem_misfit_explorer"]


@validated
def sem_misfit_explorer(cross_loading: float = 0.3, *, sizes: tuple[int, ...] = (100, 400, 1600, 6400),
                        seed: int = 0) -> widgets.VBox:
    """A slider for the left-out cross-loading of x9 on the visual factor and one that draws other
    simulated samples (0: those of the chapter's figure, drawn with ``seed``);
    moving either draws the χ² test, RMSEA and CFI of the three-factor model at each sample
    size, beside the same statistics when the model is right (cross-loading 0)."""
    loading = widgets.FloatSlider(value=cross_loading, min=0.0, max=0.45, step=0.05, readout_format=".2f",
                                  continuous_update=False, description="Left-out cross-loading of x9",
                                  style=_STYLE, layout=widgets.Layout(width="30em"))
    # Sample 0 is the chapter's static figure (seed ``seed``); sample k uses seed ``seed + k``.
    seeds = widgets.IntSlider(value=0, min=0, max=20, continuous_update=False, description="Simulated samples no.",
                              style=_STYLE, layout=widgets.Layout(width="30em"))

    output = widgets.Output()

    def draw(_change: object = None) -> None:
        grid = misfit.misfit_grid(sizes, sorted({0.0, loading.value}), seed=seed + seeds.value)
        output.clear_output(wait=True)
        with output:
            _show_figure(plots.sem_misfit(grid, title="Fitting the three-factor model: fit statistics by sample size"))

    # The chapter shows the starting values as a static figure just above, so the explorer draws
    # only when a slider moves (a draw costs ten model fits).
    loading.observe(draw, names="value")
    seeds.observe(draw, names="value")
    return widgets.VBox([loading, seeds, output])
