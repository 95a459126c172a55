"""Figures for the SECI chapter: the model's diagrams, the toy spiral, and the tallies by mode.

Every function returns the matplotlib Figure, with a title and labelled axes; the chapter adds
the alt text. The functions draw what they are given (trajectories and shares come from
``utils.seci``); the diagrams draw fixed geometry.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from utils._checks import validated

__all__ = ["seci_diagram", "seci_level_spiral", "seci_trajectory", "seci_scenarios",
           "seci_growth_curves", "seci_runs_fan", "seci_support_bars"]

MODE_COLOURS = {"socialization": "#2a9d8f", "externalization": "#e76f51",
                "combination": "#264653", "internalization": "#e9c46a"}
STOCK_COLOURS = {"tacit": "#8e3b46", "explicit": "#1f4e79"}
CATEGORY_COLOURS = {"operational": "#4c78a8", "analytical": "#f58518", "collaborative": "#54a24b",
                    "for": "#b279a2", "about": "#72b7b2", "from": "#e45756"}
# (row, column) of each mode in the 2 × 2: rows = from (tacit, explicit), columns = to.
_QUADRANT = {"socialization": (0, 0), "externalization": (0, 1),
             "internalization": (1, 0), "combination": (1, 1)}
_CONVERTS = {"socialization": "tacit → tacit", "externalization": "tacit → explicit",
             "combination": "explicit → explicit", "internalization": "explicit → tacit"}


@validated
def seci_diagram(notes: Mapping[str, str] | None = None, *, title: str) -> plt.Figure:
    """The SECI 2 × 2: rows say what a mode converts *from*, columns what it creates.

    Socialization (tacit → tacit) top left, externalization (tacit → explicit) top right,
    combination (explicit → explicit) bottom right, internalization (explicit → tacit) bottom
    left, with arrows S → E → C → I → S. ``notes`` maps a mode to a line of text shown in its
    quadrant (for example, a CRM example).
    """
    notes = dict(notes or {})
    fig, ax = plt.subplots(figsize=(7.6, 6.4), layout="constrained")
    for mode, (row, column) in _QUADRANT.items():
        x, y = column, 1 - row
        ax.add_patch(FancyBboxPatch((x + 0.04, y + 0.04), 0.92, 0.92, boxstyle="round,pad=0,rounding_size=0.05",
                                    facecolor=MODE_COLOURS[mode], alpha=0.22, edgecolor=MODE_COLOURS[mode], linewidth=2))
        ax.text(x + 0.5, y + 0.68, mode.capitalize(), ha="center", va="center", fontsize=13, weight="bold")
        ax.text(x + 0.5, y + 0.55, _CONVERTS[mode], ha="center", va="center", fontsize=10.5, style="italic")
        if mode in notes:
            ax.text(x + 0.5, y + 0.3, notes[mode], ha="center", va="center", fontsize=8.8, wrap=True)
    centres = {mode: (column + 0.5, 1 - row + 0.5) for mode, (row, column) in _QUADRANT.items()}
    order = ["socialization", "externalization", "combination", "internalization", "socialization"]
    for start, end in zip(order, order[1:]):
        (x0, y0), (x1, y1) = centres[start], centres[end]
        # From the edge of one quadrant to the edge of the next, bending clockwise.
        a = (x0 + 0.42 * (x1 - x0), y0 + 0.42 * (y1 - y0))
        b = (x0 + 0.58 * (x1 - x0), y0 + 0.58 * (y1 - y0))
        ax.add_patch(FancyArrowPatch(a, b, arrowstyle="-|>", mutation_scale=22, color="black", linewidth=1.8))
    ax.set_xlim(0, 2)
    ax.set_ylim(0, 2)
    ax.set_xticks([0.5, 1.5], ["tacit knowledge", "explicit knowledge"], fontsize=11)
    ax.set_yticks([1.5, 0.5], ["tacit knowledge", "explicit knowledge"], fontsize=11, rotation=90, va="center")
    ax.xaxis.set_ticks_position("top")
    ax.xaxis.set_label_position("top")
    ax.set_xlabel("to (the form of the knowledge created)")
    ax.set_ylabel("from (the form of the knowledge converted)")
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_title(title, pad=12)
    return fig


@validated
def seci_level_spiral(levels: Sequence[str], *, title: str, turns_per_level: float = 1.0) -> plt.Figure:
    """A schematic knowledge spiral: loops that widen as they move across ``levels``.

    The horizontal axis is Nonaka's ontological dimension (``levels``, from the individual
    outwards), the vertical axis the epistemological one (tacit below, explicit above). Each
    loop passes through both forms; the loops widen as knowledge reaches more people.
    """
    n = len(levels)
    fig, ax = plt.subplots(figsize=(8.2, 4.4), layout="constrained")
    # A prolate trochoid: the centre moves one level per turn while the loop widens, so each
    # turn passes from tacit (bottom) to explicit (top) and back, one level further on.
    t = np.linspace(0, 2 * np.pi * turns_per_level * (n - 0.6), 1200)
    progress = t / t[-1]
    radius = 0.18 + 0.22 * progress
    height = 0.25 + 0.7 * progress
    x = 0.2 + t / (2 * np.pi * turns_per_level) - radius * np.sin(t)
    y = -height * np.cos(t)
    ax.plot(x, y, color="#444444", linewidth=2)
    ax.annotate("", xy=(x[-1], y[-1]), xytext=(x[-12], y[-12]),
                arrowprops={"arrowstyle": "-|>", "color": "#444444", "lw": 2, "mutation_scale": 20})
    ax.axhline(0, color="grey", linewidth=0.6, linestyle=":")
    ax.set_xticks(np.arange(n) + 0.2, list(levels))
    ax.set_yticks([-0.8, 0.8], ["tacit", "explicit"])
    ax.set_xlim(-0.4, n - 0.1)
    ax.set_ylim(-1.2, 1.25)
    ax.set_xlabel("ontological dimension: who holds the knowledge")
    ax.set_ylabel("epistemological dimension")
    ax.text(-0.35, 1.15, "each loop: socialization (tacit), externalization (up to explicit),\n"
            "combination (explicit), internalization (back to tacit), one level further on",
            fontsize=8.5, va="top")
    ax.set_title(title)
    for spine in ("top", "right"):
        ax.spines[spine].set_visible(False)
    return fig


@validated
def seci_trajectory(trajectory: pd.DataFrame, *, title: str) -> plt.Figure:
    """Two panels from one run of the spiral (``utils.seci.simulate_spiral``): the tacit and
    explicit stocks by cycle, and the new knowledge each mode created in each cycle (log scales).
    """
    fig, (left, right) = plt.subplots(1, 2, figsize=(10.5, 3.9), layout="constrained")
    for stock, colour in STOCK_COLOURS.items():
        left.plot(trajectory["cycle"], trajectory[stock], marker="o", markersize=3, color=colour, label=stock)
    left.set_yscale("log")
    left.set_xlabel("cycle")
    left.set_ylabel("stock of knowledge (units, log scale)")
    left.set_title("Stocks")
    left.legend(frameon=False)
    later = trajectory[trajectory["cycle"] > 0]
    for mode, colour in MODE_COLOURS.items():
        flows = later[mode].where(later[mode] > 0)
        right.plot(later["cycle"], flows, marker="o", markersize=3, color=colour, label=mode)
    right.set_yscale("log")
    right.set_xlabel("cycle")
    right.set_ylabel("new knowledge in the cycle (units, log scale)")
    right.set_title("What each mode created")
    right.legend(frameon=False, fontsize=8.5)
    fig.suptitle(title)
    return fig


@validated
def seci_scenarios(scenarios: Mapping[str, pd.DataFrame], *, title: str) -> plt.Figure:
    """Tacit (left) and explicit (right) stocks by cycle, one line per scenario (log scale).

    ``scenarios`` maps a label to a trajectory from ``utils.seci.simulate_spiral``.
    """
    fig, axes = plt.subplots(1, 2, figsize=(10.5, 3.9), sharey=True, layout="constrained")
    styles = ["-", "--", ":", "-."]
    for ax, stock in zip(axes, ("tacit", "explicit")):
        for k, (label, trajectory) in enumerate(scenarios.items()):
            ax.plot(trajectory["cycle"], trajectory[stock], linestyle=styles[k % len(styles)],
                    color=f"C{k}", linewidth=2, label=label)
        ax.set_yscale("log")
        ax.set_xlabel("cycle")
        ax.set_title(f"{stock.capitalize()} knowledge")
    axes[0].set_ylabel("stock of knowledge (units, log scale)")
    axes[0].legend(frameon=False, fontsize=9)
    fig.suptitle(title)
    return fig


@validated
def seci_growth_curves(curves: pd.DataFrame, *, title: str, marked: Mapping[str, float] | None = None) -> plt.Figure:
    """Long-run growth per cycle against one mode's rate, one line per mode.

    ``curves`` has the columns ``mode``, ``rate``, ``growth`` (``utils.seci.growth_by_rate``);
    ``marked`` maps each mode to the rate to mark with a dot (the baseline).
    """
    fig, ax = plt.subplots(figsize=(6.8, 4.4), layout="constrained")
    styles = {"socialization": "-", "externalization": "-", "combination": "--", "internalization": "--"}
    for mode, part in curves.groupby("mode", sort=False):
        ax.plot(part["rate"], (part["growth"] - 1) * 100, color=MODE_COLOURS.get(mode), linewidth=2.2,
                linestyle=styles.get(mode, "-"), label=f"vary {mode}")
    if marked:
        for mode, rate in marked.items():
            part = curves[curves["mode"] == mode]
            y = np.interp(rate, part["rate"], part["growth"])
            ax.plot(rate, (y - 1) * 100, "o", color=MODE_COLOURS.get(mode), markeredgecolor="black")
    ax.set_xlabel("rate of the varied mode (new units per unit converted, per cycle)")
    ax.set_ylabel("long-run growth of both stocks (% per cycle)")
    ax.set_title(title)
    ax.legend(frameon=False)
    return fig


@validated
def seci_runs_fan(runs: pd.DataFrame, expected: pd.DataFrame, *, title: str, shown: int = 40) -> plt.Figure:
    """Stochastic runs (thin lines, the first ``shown`` runs) around the deterministic path.

    ``runs`` comes from ``utils.seci.simulate_spiral_runs`` and ``expected`` from
    ``utils.seci.simulate_spiral`` with the same rates and starting stocks.
    """
    fig, axes = plt.subplots(1, 2, figsize=(10.5, 3.9), sharey=True, layout="constrained")
    chosen = runs[runs["run"] < shown]
    for ax, stock in zip(axes, ("tacit", "explicit")):
        colour = STOCK_COLOURS[stock]
        for _, run in chosen.groupby("run"):
            ax.plot(run["cycle"], run[stock], color=colour, alpha=0.18, linewidth=0.9)
        ax.plot(expected["cycle"], expected[stock], color="black", linewidth=2.2, label="deterministic spiral")
        ax.set_yscale("log")
        ax.set_xlabel("cycle")
        ax.set_title(f"{stock.capitalize()} knowledge: {chosen['run'].nunique()} of {runs['run'].nunique()} runs")
        ax.legend(frameon=False, loc="upper left")
    axes[0].set_ylabel("stock of knowledge (units, log scale)")
    fig.suptitle(title)
    return fig


@validated
def seci_support_bars(panels: Mapping[str, pd.DataFrame], *, title: str,
                      xlabel: str = "share of the mode's mentions") -> plt.Figure:
    """One panel per table of ``utils.seci.support_shares(..., within="process")``: a stacked
    bar of shares per mode.

    Each frame has the columns ``process``, one category column (``system`` or ``knowledge``),
    ``count``, ``total`` and ``share``; segments show shares and are labelled with counts, and
    each bar is labelled with its total (n).
    """
    fig, axes = plt.subplots(1, len(panels), figsize=(5.6 * len(panels), 3.6), sharey=True,
                             layout="constrained", squeeze=False)
    for ax, (name, frame) in zip(axes[0], panels.items()):
        category = next(c for c in frame.columns if c not in ("process", "count", "total", "share"))
        shares = frame.pivot(index="process", columns=category, values="share")
        counts = frame.pivot(index="process", columns=category, values="count")
        totals = frame.groupby("process", observed=True, sort=False)["total"].first()
        rows = list(dict.fromkeys(frame["process"]))[::-1]
        left = np.zeros(len(rows))
        for label in dict.fromkeys(frame[category]):
            widths = shares.loc[rows, label].to_numpy(dtype=float)
            ax.barh(rows, widths, left=left, color=CATEGORY_COLOURS.get(str(label)), edgecolor="white", label=str(label))
            for y, (w, x, n) in enumerate(zip(widths, left, counts.loc[rows, label])):
                if w >= 0.07:
                    ax.text(x + w / 2, y, str(int(n)), ha="center", va="center", fontsize=8.5, color="white", weight="bold")
            left += widths
        for y, row in enumerate(rows):
            ax.text(1.01, y, f"n = {int(totals[row])}", va="center", fontsize=8.5)
        ax.set_xlim(0, 1.16)
        ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0], ["0%", "25%", "50%", "75%", "100%"])
        ax.set_xlabel(xlabel)
        ax.set_title(name, fontsize=10.5)
        ax.legend(title=category, frameon=False, fontsize=8.5, loc="upper center",
                  bbox_to_anchor=(0.5, -0.2), ncols=3)
    axes[0][0].set_ylabel("SECI mode")
    fig.suptitle(title)
    return fig
