"""Explorers for the knowledge-creation tallies (chapters 11 and 12).

The static figure beside each explorer in a chapter comes from the same two functions, so a
reader of the HTML sees what a Binder user sees at the explorer's starting values.
"""

from __future__ import annotations

import ipywidgets as widgets
import pandas as pd

from utils import plots, propositions, tallies
from utils.levels import Binning
from utils.widgets._display import STYLE as _STYLE
from utils.widgets._display import show_figure as _show_figure
from utils._checks import validated
from utils.errors import InputError

__all__ = ["proposition_explorer", "dashboard_explorer", "model_explorer"]


@validated
def proposition_explorer(counts: pd.DataFrame) -> widgets.VBox:
    """Choose a basis and two cut points; see Table 1's propositions against the counts."""
    basis = widgets.Dropdown(options=["share of max", "percentile", "share of row"],
                             value=propositions.BOOK_RULE.basis, description="Measure counts by", style=_STYLE)
    start = tuple(round(c, 2) for c in propositions.BOOK_RULE.cuts)
    cuts = widgets.FloatRangeSlider(value=start, min=0.05, max=0.95, step=0.01,
                                    description="Low | Medium | High cuts", readout_format=".2f",
                                    style=_STYLE, layout=widgets.Layout(width="32em"))

    def draw(basis: str, cuts: tuple[float, float]) -> None:
        low, high = cuts
        if high <= low:
            print("Choose two different cut points.")
            return
        rule = Binning(f"{basis}, cuts {low:.2f} and {high:.2f}", basis, (low, high))
        shares = propositions.agreement(counts, rule)
        print(f"{rule.describe()}\nPropositions met: " +
              ", ".join(f"{name} {share:.0%}" for name, share in shares.items()))
        _show_figure(plots.proposition_grid(propositions.compare(counts, rule),
                                            title="Table 1's predictions → levels observed in Table 7"))

    output = widgets.interactive_output(draw, {"basis": basis, "cuts": cuts})
    return widgets.VBox([widgets.HBox([basis, cuts]), output])


@validated
def dashboard_explorer(counts: pd.DataFrame) -> widgets.VBox:
    """Choose one of the book's colouring rules for Table 8 and see the dashboard it draws."""
    rules = {rule.name: rule for rule in (propositions.DASHBOARD_RULE, *propositions.DASHBOARD_ALTERNATIVES)}
    choice = widgets.Dropdown(options=list(rules), description="Colouring rule", style=_STYLE,
                              layout=widgets.Layout(width="32em"))
    panels = {name: panel for name, panel in tallies.table8(counts)["by process"].items() if name != tallies.TOTAL}

    def draw(name: str) -> None:
        rule = rules[name]
        print(rule.describe())
        print(propositions.dashboard_claims(counts, rule).to_string())
        _show_figure(plots.level_panels(propositions.dashboard(counts, rule), panels, rule.labels,
                                        title=f"Table 8 as a dashboard: {name}"))

    output = widgets.interactive_output(draw, {"name": choice})
    return widgets.VBox([choice, output])


@validated
def model_explorer(counts: pd.DataFrame, start: str = "[system][process][knowledge]") -> widgets.VBox:
    """Choose a log-linear model of the standard hierarchy, starting at ``start`` (a label of
    ``loglinear.standard_models``); see its fit and where its residuals are large."""
    from utils import loglinear

    models = loglinear.standard_models(["system", "process", "knowledge"])
    if start not in models:
        raise InputError(f"start must be one of the hierarchy's models ({', '.join(models)}), got {start!r}")
    choice = widgets.Dropdown(options=list(models), value=start, description="Model",
                              style=_STYLE, layout=widgets.Layout(width="40em"))

    def draw(label: str) -> None:
        result = loglinear.fit(counts, models[label])
        print(f"G² = {result.deviance:.2f} on {result.df} df (p = {result.pvalue:.3g}); "
              f"{len(result.forced_zero_cells)} cells forced to zero")
        _show_figure(plots.residual_panels(loglinear.residual_panels(result, "process", "knowledge", "system"),
                                           title=f"Standardized residuals of {label}"))

    output = widgets.interactive_output(draw, {"label": choice})
    return widgets.VBox([choice, output])
