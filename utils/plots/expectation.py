"""Figures for expectation-confirmation theory (chapter 3).

Every function draws what it is given and returns the matplotlib Figure, with a title and
labelled axes; the chapter adds the alt text. The numbers come from ``utils.expectation``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from utils.plots._canvas import blank_axes
from utils._checks import validated

__all__ = ["ect_model_diagrams", "ect_satisfaction_curves", "ect_estimates", "ect_outlook"]

NAMES = {"expectation": "Expectation", "performance": "Perceived\nperformance",
         "confirmation": "(Dis)confirmation", "satisfaction": "Satisfaction",
         "usefulness": "Perceived\nusefulness", "continuance": "Continuance\nintention"}
# Where each box sits in the two diagrams (axes run from 0 to 1).
OLIVER_LAYOUT = {"expectation": (0.16, 0.78), "performance": (0.16, 0.22), "confirmation": (0.5, 0.4),
                 "satisfaction": (0.84, 0.6)}
CONTINUANCE_LAYOUT = {"confirmation": (0.15, 0.5), "usefulness": (0.5, 0.8), "satisfaction": (0.5, 0.2),
                      "continuance": (0.85, 0.5)}
BOX = {"boxstyle": "round,pad=0.5", "facecolor": "#eef3fb", "edgecolor": "#2f5597", "linewidth": 1.2}
LOW, HIGH = "#2a7ab9", "#d95f02"


def _diagram(ax: plt.Axes, layout: Mapping[str, tuple[float, float]], paths: Sequence[tuple[str, str]],
             dashed: Sequence[tuple[str, str]], labels: Mapping[tuple[str, str], str] | None, title: str) -> None:
    boxes = {name: ax.text(x, y, NAMES.get(name, name), ha="center", va="center", fontsize=10,
                           bbox=BOX, zorder=2) for name, (x, y) in layout.items()}
    for style, edges in (("-", paths), ("--", dashed)):
        for source, target in edges:
            ax.annotate("", xy=layout[target], xytext=layout[source], zorder=3,
                        arrowprops={"arrowstyle": "-|>", "color": "#333333", "linestyle": style, "lw": 1.4,
                                    "mutation_scale": 14, "shrinkA": 4, "shrinkB": 4,
                                    "patchA": boxes[source].get_bbox_patch(),
                                    "patchB": boxes[target].get_bbox_patch()})
            if labels and (source, target) in labels:
                (x0, y0), (x1, y1) = layout[source], layout[target]
                ax.text((x0 + x1) / 2, (y0 + y1) / 2, labels[(source, target)], ha="center", va="center",
                        fontsize=9, zorder=4, bbox={"boxstyle": "round,pad=0.2", "facecolor": "white",
                                                    "edgecolor": "none"})
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    blank_axes(ax)
    ax.set_title(title, fontsize=11)


@validated
def ect_model_diagrams(oliver: Sequence[tuple[str, str]], comparison: Sequence[tuple[str, str]],
                       continuance: Sequence[tuple[str, str]], *, title: str,
                       continuance_labels: Mapping[tuple[str, str], str] | None = None,
                       panel_titles: tuple[str, str] = ("Expectation-disconfirmation (Oliver 1980)",
                                                        "IS continuance (Bhattacherjee 2001)")) -> plt.Figure:
    """Two path diagrams side by side: Oliver's model (left) and Bhattacherjee's (right).

    ``oliver`` and ``continuance`` are (source, target) arrows drawn solid; ``comparison`` are
    the arrows of the comparison that produces (dis)confirmation, drawn dashed.
    ``continuance_labels`` puts a text (for example an estimate) on the right-hand arrows.
    """
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), layout="constrained")
    _diagram(axes[0], OLIVER_LAYOUT, oliver, comparison, None, panel_titles[0])
    _diagram(axes[1], CONTINUANCE_LAYOUT, continuance, (), continuance_labels, panel_titles[1])
    axes[0].set_xlabel("dashed: the comparison of performance with expectation", fontsize=9)
    axes[1].set_xlabel("after first use of the system", fontsize=9)
    fig.suptitle(title)
    return fig


@validated
def ect_satisfaction_curves(curves: pd.DataFrame, *, title: str, customers: pd.DataFrame | None = None,
                            threshold: float | None = None) -> plt.Figure:
    """Satisfaction against performance, one line per expectation level.

    ``curves`` has columns ``expectation``, ``performance``, ``satisfaction`` (from
    ``expectation.satisfaction_curves``); each line gets a hollow marker where performance equals
    its expectation. ``customers`` (``customer``, ``expectation``, ``performance``,
    ``satisfaction``) are drawn as labelled points in their line's colour; ``threshold`` as a
    dashed horizontal line.
    """
    fig, ax = plt.subplots(figsize=(7.2, 4.6), layout="constrained")
    levels = list(dict.fromkeys(curves["expectation"]))
    colours = dict(zip(levels, [LOW, HIGH, "#1b9e77", "#7570b3", "#e7298a"]))
    for level in levels:
        line = curves[curves["expectation"] == level]
        ax.plot(line["performance"], line["satisfaction"], color=colours[level], lw=2,
                label=f"expectation = {level:g}")
        met = line.loc[(line["performance"] - level).abs().idxmin()]
        ax.plot(met["performance"], met["satisfaction"], "o", mfc="white", mec=colours[level], ms=8, zorder=3)
    if threshold is not None:
        ax.axhline(threshold, color="grey", ls="--", lw=1)
        ax.text(curves["performance"].min(), threshold, " dissatisfied below", va="bottom", fontsize=9, color="grey")
    if customers is not None:
        for row in customers.itertuples(index=False):
            colour = colours.get(row.expectation, "black")
            ax.plot(row.performance, row.satisfaction, "o", color=colour, ms=9, zorder=4)
            ax.annotate(f"{row.customer}: expected {row.expectation:g}, got {row.performance:g}",
                        (row.performance, row.satisfaction), xytext=(8, -14 if row.satisfaction < (threshold or 0) else 6),
                        textcoords="offset points", fontsize=9, color=colour)
    ax.set_xlabel("perceived performance (0–10)")
    ax.set_ylabel("satisfaction (expected value, 0–10)")
    ax.set_title(title)
    ax.legend(title="hollow dot: performance = expectation", frameon=False, fontsize=9, title_fontsize=9,
              loc="lower right")
    return fig


@validated
def ect_estimates(table: pd.DataFrame, *, title: str, label: str = "term") -> plt.Figure:
    """Estimates with their confidence intervals (dots and bars) beside the true values (crosses).

    ``table`` has columns ``label`` (the row names), ``estimate``, ``ci_low``, ``ci_high`` and
    ``true``, as ``expectation.coefficient_table`` and ``expectation.fit_continuance`` return.
    """
    fig, ax = plt.subplots(figsize=(6.4, 0.55 * len(table) + 1.3), layout="constrained")
    y = np.arange(len(table))[::-1]
    ax.errorbar(table["estimate"], y, xerr=[table["estimate"] - table["ci_low"], table["ci_high"] - table["estimate"]],
                fmt="o", color=LOW, capsize=4, label="estimate, 95% interval")
    ax.plot(table["true"], y, "x", color=HIGH, ms=10, mew=2, label="value used to simulate")
    ax.set_yticks(y, table[label])
    ax.set_xlabel("coefficient")
    ax.set_ylabel(label)
    ax.set_title(title)
    ax.legend(frameon=False, fontsize=9, loc="best")
    return fig


@validated
def ect_outlook(customers: pd.DataFrame, shares: pd.DataFrame, *, threshold: float, title: str) -> plt.Figure:
    """A population at a glance: expectations and performance (left), satisfaction (right).

    ``customers`` has ``expectation``, ``performance``, ``satisfaction`` and a boolean
    ``disappointed``; ``shares`` has rows ``disappointed`` and ``dissatisfied`` and columns
    ``simulated`` and ``population`` (``expectation.satisfaction_outlook`` returns both).
    """
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2), layout="constrained")
    ratings = customers[["expectation", "performance", "satisfaction"]].to_numpy()
    bins = np.arange(min(0.0, np.floor(ratings.min())), max(10.0, np.ceil(ratings.max())) + 0.25, 0.25)
    left.hist(customers["expectation"], bins=bins, alpha=0.55, color=LOW, label="expectation")
    left.hist(customers["performance"], bins=bins, alpha=0.55, color=HIGH, label="perceived performance")
    left.set_xlabel("rating (0–10 scale)")
    left.set_ylabel("customers")
    left.set_title("What customers expected and what they got", fontsize=11)
    left.legend(frameon=False, fontsize=9, loc="upper left")
    left.set_ylim(top=left.get_ylim()[1] * 1.2)
    disappointed = customers["disappointed"].to_numpy(bool)
    right.hist([customers["satisfaction"][disappointed], customers["satisfaction"][~disappointed]], bins=bins,
               stacked=True, color=["#b2182b", "#4d9221"], alpha=0.8,
               label=["performance < expectation", "performance ≥ expectation"])
    right.axvline(threshold, color="black", ls="--", lw=1)
    right.set_ylim(top=right.get_ylim()[1] * 1.2)
    right.set_xlabel(f"satisfaction (0–10 scale; dashed line: dissatisfied below {threshold:g})")
    right.set_ylabel("customers")
    right.set_title(f"Dissatisfied: {shares.loc['dissatisfied', 'simulated']:.1%} "
                    f"(population {shares.loc['dissatisfied', 'population']:.1%})\n"
                    f"Disappointed: {shares.loc['disappointed', 'simulated']:.1%} "
                    f"(population {shares.loc['disappointed', 'population']:.1%})", fontsize=10)
    right.legend(frameon=False, fontsize=9, loc="upper left")
    fig.suptitle(title)
    return fig
