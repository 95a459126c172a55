"""Figures for the service-profit chain (chapter 5).

Each function draws what it is given and computes nothing; the numbers come from
``utils.service_profit``. Every function returns the matplotlib Figure with a title and
labelled axes; the chapter adds the alt text.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import FancyBboxPatch

from utils.plots._canvas import blank_axes
from utils._checks import validated

__all__ = ["service_profit_diagram", "service_profit_survival", "service_profit_monte_carlo",
           "service_profit_link_recovery"]

# Where each stage sits in the path diagram: (column, row). Retention and productivity stand
# one above the other, as in Heskett et al. (1994).
_STEP = 1.45
_POSITIONS = {
    "internal_service_quality": (0 * _STEP, 0.0),
    "employee_satisfaction": (1 * _STEP, 0.0),
    "employee_retention": (2 * _STEP, 0.6),
    "employee_productivity": (2 * _STEP, -0.6),
    "external_service_value": (3 * _STEP, 0.0),
    "customer_satisfaction": (4 * _STEP, 0.0),
    "customer_loyalty": (5 * _STEP, 0.0),
    "profitability": (6 * _STEP, 0.0),
}
# Shaded groups: (name, first column, last column, colour).
_GROUPS = (("Employees (the internal market)", 0, 2, "#e8f0f8"),
           ("Value delivered", 3, 3, "#f4f4f4"),
           ("Customers", 4, 5, "#fdf1e3"),
           ("Results", 6, 6, "#eaf5ea"))
_WIDTH, _HEIGHT = 0.95, 0.5
_BLUE, _ORANGE, _GREY = "#1f4e79", "#d9822b", "#7f7f7f"


def _wrap(text: str, width: int = 13) -> str:
    return "\n".join(textwrap.wrap(text, width))


@validated
def service_profit_diagram(labels: Mapping[str, str], links: Mapping[tuple[str, str], float | None], *,
                           title: str, notes: Mapping[str, str] | None = None) -> plt.Figure:
    """Path diagram of the chain: one box per stage, one arrow per link.

    ``labels`` maps each stage to its box text; ``links`` maps (source, target) to the number
    written on the arrow (``None`` draws the arrow without one); ``notes`` puts a short text
    under a stage's box.
    """
    fig, ax = plt.subplots(figsize=(12.5, 3.5), layout="constrained")
    for name, first, last, colour in _GROUPS:
        left, right = first * _STEP - 0.66, last * _STEP + 0.66
        ax.add_patch(plt.Rectangle((left, -1.3), right - left, 2.2, facecolor=colour, edgecolor="none", zorder=0))
        ax.text((left + right) / 2, -1.25, name, ha="center", va="bottom", fontsize=9, color="#333333",
                style="italic")
    for stage, (x, y) in _POSITIONS.items():
        if stage not in labels:
            continue
        ax.add_patch(FancyBboxPatch((x - _WIDTH / 2, y - _HEIGHT / 2), _WIDTH, _HEIGHT,
                                    boxstyle="round,pad=0.02,rounding_size=0.06", facecolor="white",
                                    edgecolor=_BLUE, linewidth=1.6, zorder=2))
        ax.text(x, y, _wrap(labels[stage]), ha="center", va="center", fontsize=9, zorder=3)
        if notes and stage in notes:
            ax.text(x, y - _HEIGHT / 2 - 0.08, _wrap(notes[stage], 18), ha="center", va="top",
                    fontsize=8, color=_ORANGE, zorder=3)
    for (source, target), value in links.items():
        (x0, y0), (x1, y1) = _POSITIONS[source], _POSITIONS[target]
        start = (x0 + _WIDTH / 2, y0) if y0 == y1 or x1 > x0 else (x0, y0)
        end = (x1 - _WIDTH / 2, y1)
        ax.annotate("", xy=end, xytext=start, zorder=1,
                    arrowprops={"arrowstyle": "-|>", "color": _GREY, "linewidth": 1.5, "shrinkA": 0, "shrinkB": 2})
        if value is not None:
            mx, my = (start[0] + end[0]) / 2, (start[1] + end[1]) / 2
            ax.text(mx, my + 0.07, f"{value:.2f}", ha="center", va="bottom", fontsize=9, color=_BLUE,
                    fontweight="bold", zorder=4,
                    bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.85})
    ax.set_xlim(-0.7, 6 * _STEP + 0.7)
    ax.set_ylim(-1.3, 0.9)
    ax.set_aspect("equal")
    blank_axes(ax)
    ax.set_xlabel("The chain runs left to right: from the workplace, through employees and customers, to profit")
    ax.set_ylabel("")
    ax.set_title(title)
    return fig


@validated
def service_profit_survival(effects: pd.DataFrame, *, title: str) -> plt.Figure:
    """Bars: how much of a +1 SD improvement at the start reaches each stage.

    ``effects`` has ``label`` and ``effect`` (one row per stage, in chain order) and, to
    compare several sets of links, a ``scenario`` column (one group of bars per scenario).
    """
    frame = effects if "scenario" in effects.columns else effects.assign(scenario="")
    scenarios = list(dict.fromkeys(frame["scenario"]))
    labels = list(dict.fromkeys(frame["label"]))
    colours = [_BLUE, _ORANGE, "#4c9a2a", "#8e44ad"]
    width = 0.8 / len(scenarios)
    fig, ax = plt.subplots(figsize=(10, 4.4), layout="constrained")
    x = np.arange(len(labels))
    for i, scenario in enumerate(scenarios):
        part = frame[frame["scenario"] == scenario].set_index("label").loc[labels, "effect"]
        offset = (i - (len(scenarios) - 1) / 2) * width
        bars = ax.bar(x + offset, part.to_numpy(), width=width * 0.95, color=colours[i % len(colours)],
                      label=scenario or None)
        ax.bar_label(bars, labels=[f"{v:.2f}" for v in part], fontsize=8, padding=2)
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xticks(x, [_wrap(label, 14) for label in labels], fontsize=8.5)
    ax.set_ylim(min(0.0, float(frame["effect"].min()) * 1.15), max(1.0, float(frame["effect"].max())) * 1.12)
    ax.set_xlabel("Stage of the service-profit chain")
    ax.set_ylabel("Change at this stage (SD)\nafter +1 SD of internal service quality")
    ax.set_title(title)
    if any(scenarios):
        ax.legend(frameon=False, loc="upper right")
    return fig


@validated
def service_profit_monte_carlo(draws: pd.DataFrame, truth: float, *, title: str,
                               names: Mapping[str, str] | None = None) -> plt.Figure:
    """Histograms of an effect estimated in many simulated studies, one per ``estimator``.

    ``draws`` has ``estimator`` and ``estimate``; ``truth`` is drawn as a vertical line;
    ``names`` gives each estimator a legend label.
    """
    names = dict(names or {})
    fig, ax = plt.subplots(figsize=(8.5, 4.2), layout="constrained")
    edges = np.linspace(float(draws["estimate"].min()), float(draws["estimate"].max()), 41)
    for colour, (estimator, part) in zip((_ORANGE, _BLUE, "#4c9a2a"), draws.groupby("estimator", sort=False)):
        ax.hist(part["estimate"], bins=edges, color=colour, alpha=0.6,
                label=f"{names.get(estimator, estimator)} (SD {part['estimate'].std():.3f})")
    ax.axvline(truth, color="black", linestyle="--", linewidth=1.4, label=f"assumed effect {truth:.3f}")
    ax.axvline(0, color=_GREY, linewidth=0.8)
    ax.set_xlabel("Estimated effect on profitability of +1 SD internal service quality (SD)")
    ax.set_ylabel("Number of simulated studies")
    ax.set_title(title)
    ax.legend(frameon=False, fontsize=9)
    return fig


@validated
def service_profit_link_recovery(table: pd.DataFrame, *, title: str) -> plt.Figure:
    """Each link's estimate with its confidence interval, beside the value it was simulated with.

    ``table`` has ``link``, ``estimate``, ``ci_low``, ``ci_high`` and ``strength`` (assumed).
    """
    fig, ax = plt.subplots(figsize=(8.5, 4.4), layout="constrained")
    y = np.arange(len(table))[::-1]
    ax.hlines(y, table["ci_low"], table["ci_high"], color=_BLUE, linewidth=2.2, label="confidence interval")
    ax.plot(table["estimate"], y, "o", color=_BLUE, label="OLS estimate")
    ax.plot(table["strength"], y, "x", color=_ORANGE, markersize=9, markeredgewidth=2, label="assumed link")
    ax.set_yticks(y, [_wrap(str(label), 60) for label in table["link"]], fontsize=8.5)
    ax.set_xlabel("Standardized link strength")
    ax.set_ylabel("Link")
    ax.set_title(title)
    fig.legend(frameon=False, fontsize=8.5, loc="outside lower center", ncols=3)
    return fig
