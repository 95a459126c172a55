"""Figures for the IS success model (chapter 2): path diagrams, implied effects, estimates.

Every function draws what it is given and returns the matplotlib Figure, with a title and
labelled axes; the chapter adds the alt text. Variable names are shown with the labels in
:data:`utils.is_success.LABELS` (a mapping of names to words, not a computation).
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from utils.is_success import LABELS
from utils.plots._canvas import blank_axes
from utils._checks import validated
from utils.errors import InputError

__all__ = ["is_success_diagram", "is_success_models", "is_success_effects", "is_success_estimates"]

# Where each box sits (x, y). The 1992 model has impacts instead of net benefits and no service
# quality; the 2003 layout serves the update and the book's simulated model ("use").
LAYOUT_2003 = {"system_quality": (1.2, 5.4), "information_quality": (1.2, 3.0), "service_quality": (1.2, 0.6),
               "intention_to_use": (5.0, 4.2), "use": (5.0, 4.2), "user_satisfaction": (5.0, 1.8),
               "net_benefits": (8.8, 3.0)}
LAYOUT_1992 = {"system_quality": (1.2, 4.6), "information_quality": (1.2, 1.4), "use": (4.6, 4.6),
               "user_satisfaction": (4.6, 1.4), "individual_impact": (8.0, 3.0),
               "organizational_impact": (11.4, 3.0)}
BOX = (2.1, 1.0)
QUALITY_COLOUR, MEDIATOR_COLOUR, OUTCOME_COLOUR = "#dbe9f6", "#fde7c8", "#d9f0d3"
ROUTE_COLOURS = {"direct": "#7f7f7f", "use": "#1f77b4", "use → user_satisfaction": "#8e6cc0",
                 "user_satisfaction": "#ff7f0e"}
KIND_STYLE = {"causal": dict(arrowstyle="-|>", linestyle="-"),
              "two-way": dict(arrowstyle="<|-|>", linestyle="-"),
              "feedback": dict(arrowstyle="-|>", linestyle=(0, (4, 3)))}
KIND_LABEL = {"causal": "causal path (→)", "two-way": "affect each other (↔)", "feedback": "feedback over time (dashed)"}
ROUTE_ORDER = ("direct", "use", "use → user_satisfaction", "user_satisfaction")


def _label(name: str) -> str:
    return LABELS.get(name, name.replace("_", " "))


def _route_label(route: str) -> str:
    if route == "direct":
        return "direct"
    return "through " + " → ".join(_label(part).lower() for part in route.split(" → "))


def _colour(name: str) -> str:
    if name.endswith("quality"):
        return QUALITY_COLOUR
    if name in ("net_benefits", "individual_impact", "organizational_impact"):
        return OUTCOME_COLOUR
    return MEDIATOR_COLOUR


@validated
def is_success_diagram(edges: pd.DataFrame, *, title: str, values: Mapping[tuple[str, str], float] | None = None,
                       ax: plt.Axes | None = None, legend: bool = True) -> plt.Figure:
    """A path diagram: one box per variable, one arrow per row of ``edges``.

    ``edges`` has columns ``source``, ``target`` and optionally ``kind`` ("causal", "two-way",
    "feedback"); ``values`` maps (source, target) to a number written on the arrow.
    """
    nodes = list(dict.fromkeys([*edges["source"], *edges["target"]]))
    layout = LAYOUT_1992 if "individual_impact" in nodes else LAYOUT_2003
    missing = [n for n in nodes if n not in layout]
    if missing:
        raise InputError(f"edges name variables the diagram has no place for: {missing}")
    if ax is None:
        width = max(layout[n][0] for n in nodes) + BOX[0] / 2 + 0.2
        fig, ax = plt.subplots(figsize=(0.85 * width, 4.6))
    fig = ax.figure
    boxes = {}
    for name in nodes:
        x, y = layout[name]
        box = FancyBboxPatch((x - BOX[0] / 2, y - BOX[1] / 2), BOX[0], BOX[1], boxstyle="round,pad=0.04",
                             facecolor=_colour(name), edgecolor="#333333", linewidth=1.0, zorder=3)
        ax.add_patch(box)
        ax.text(x, y, textwrap.fill(_label(name), 15), ha="center", va="center", fontsize=9, zorder=4)
        boxes[name] = box
    kinds = edges["kind"] if "kind" in edges.columns else pd.Series("causal", index=edges.index)
    for (source, target), kind in zip(zip(edges["source"], edges["target"]), kinds):
        style = KIND_STYLE[kind]
        rad = 0.35 if kind == "feedback" else 0.0
        if kind == "feedback" and layout[target][1] < layout[source][1]:
            rad = -rad
        arrow = FancyArrowPatch(layout[source], layout[target], patchA=boxes[source], patchB=boxes[target],
                                arrowstyle=style["arrowstyle"], linestyle=style["linestyle"],
                                connectionstyle=f"arc3,rad={rad}", mutation_scale=13, linewidth=1.2,
                                color="#8a1c1c" if kind == "feedback" else "#333333", shrinkA=3, shrinkB=3, zorder=2)
        ax.add_patch(arrow)
        if values is not None and (source, target) in values:
            (x0, y0), (x1, y1) = layout[source], layout[target]
            # labels of the steep, crossing arrows sit nearer their source, so no two labels meet
            t = 0.5 if not source.endswith("quality") else (0.36 if abs(y1 - y0) > 2 else 0.55)
            ax.text(x0 + t * (x1 - x0), y0 + t * (y1 - y0) + (0.0 if y0 != y1 else 0.2),
                    f"{values[(source, target)]:.2f}", ha="center", va="center", fontsize=8.5, zorder=5,
                    bbox=dict(boxstyle="round,pad=0.15", facecolor="white", edgecolor="none"))
    xs = [layout[n][0] for n in nodes]
    ys = [layout[n][1] for n in nodes]
    ax.set_xlim(min(xs) - BOX[0] / 2 - 0.2, max(xs) + BOX[0] / 2 + 0.2)
    ax.set_ylim(min(ys) - BOX[1] / 2 - (0.9 if legend else 0.3), max(ys) + BOX[1] / 2 + 0.3)
    ax.set_aspect("equal")
    blank_axes(ax)
    ax.set_xlabel("causal order, left to right", fontsize=9)
    ax.set_ylabel("")
    ax.set_title(title)
    if legend:
        shown = list(dict.fromkeys(kinds))
        handles = [Line2D([], [], color="#8a1c1c" if k == "feedback" else "#333333",
                          linestyle=KIND_STYLE[k]["linestyle"], label=KIND_LABEL[k]) for k in shown]
        ax.legend(handles=handles, loc="lower center", ncol=len(handles), frameon=False, fontsize=8,
                  borderaxespad=0.1)
    return fig


@validated
def is_success_models(models: Mapping[str, pd.DataFrame], *, title: str) -> plt.Figure:
    """Several path diagrams side by side: ``models`` maps a panel title to its edges."""
    widths = [12.8 if "individual_impact" in set(e["target"]) else 10.3 for e in models.values()]
    fig, axes = plt.subplots(1, len(models), figsize=(0.62 * sum(widths), 4.4),
                             gridspec_kw={"width_ratios": widths}, squeeze=False)
    for ax, (name, edges) in zip(axes[0], models.items()):
        is_success_diagram(edges, title=name, ax=ax)
    fig.suptitle(title)
    fig.set_layout_engine("constrained")
    return fig


@validated
def is_success_effects(effects: pd.DataFrame, *, title: str) -> plt.Figure:
    """Grouped bars: each source's effect on net benefits along each route, and its total (◆).

    ``effects`` has columns ``source``, ``route`` and ``effect`` (as from
    :func:`utils.is_success.implied_effects`).
    """
    sources = list(dict.fromkeys(effects["source"]))
    routes = sorted(dict.fromkeys(effects["route"]),
                    key=lambda r: ROUTE_ORDER.index(r) if r in ROUTE_ORDER else len(ROUTE_ORDER))
    height = 0.8 / len(routes)
    fig, ax = plt.subplots(figsize=(7.6, 1.4 + 0.85 * len(sources)), layout="constrained")
    for i, route in enumerate(routes):
        part = effects[effects["route"] == route].set_index("source")
        ys = [sources.index(s) - 0.4 + height * (i + 0.5) for s in part.index]
        ax.barh(ys, part["effect"], height=height * 0.9, color=ROUTE_COLOURS.get(route, f"C{i}"),
                label=_route_label(route))
    totals = effects.groupby("source", sort=False)["effect"].sum()
    ax.scatter([totals[s] for s in sources], range(len(sources)), marker="D", color="black", zorder=3,
               label="total (sum of routes)")
    for y, s in enumerate(sources):
        ax.annotate(f"{totals[s]:.2f}", (totals[s], y), textcoords="offset points", xytext=(7, 0), va="center", fontsize=8.5)
    ax.axvline(0, color="grey", linewidth=0.8)
    ax.set_yticks(range(len(sources)), [_label(s) for s in sources])
    ax.invert_yaxis()
    lo, hi = min(0.0, effects["effect"].min(), totals.min()), max(0.0, effects["effect"].max(), totals.max())
    ax.set_xlim(lo - 0.05, hi + 0.12)
    ax.set_xlabel("effect on net benefits (SD change per 1 SD more of the source)")
    ax.set_ylabel("source")
    ax.set_title(title)
    fig.legend(frameon=False, fontsize=8.5, loc="outside lower center", ncol=3)
    return fig


@validated
def is_success_estimates(table: pd.DataFrame, *, title: str) -> plt.Figure:
    """Estimated paths with their 95% intervals, and the assumed values (red bars) when given.

    ``table`` has columns ``source``, ``target``, ``estimate``, ``ci_low``, ``ci_high``, optionally
    ``assumed`` and ``model`` (one marker per model, for comparing specifications).
    """
    table = table.assign(path=[f"{_label(s)} → {_label(t)}" for s, t in zip(table["source"], table["target"])])
    if "model" not in table.columns:
        table = table.assign(model="estimate")
    paths = list(dict.fromkeys(table["path"]))
    models = list(dict.fromkeys(table["model"]))
    fig, ax = plt.subplots(figsize=(7.6, 1.4 + 0.45 * len(paths) * max(1, len(models) / 2)), layout="constrained")
    step = 0.6 / max(1, len(models))
    markers = "osD^v"
    for i, model in enumerate(models):
        part = table[table["model"] == model]
        ys = np.array([paths.index(p) for p in part["path"]]) - 0.3 + step * (i + 0.5)
        ax.errorbar(part["estimate"], ys, xerr=[part["estimate"] - part["ci_low"], part["ci_high"] - part["estimate"]],
                    fmt=markers[i % len(markers)], color=f"C{i}", capsize=3, label=model if len(models) > 1 else "estimate (95% CI)")
    if "assumed" in table.columns:
        assumed = table.drop_duplicates("path").set_index("path")["assumed"]
        ax.scatter([assumed[p] for p in paths], range(len(paths)), marker="|", s=500, color="#c81e1e",
                   linewidths=2, zorder=3, label="assumed value")
    ax.axvline(0, color="grey", linewidth=0.8)
    ax.set_yticks(range(len(paths)), paths)
    ax.invert_yaxis()
    ax.set_xlabel("standardized path coefficient")
    ax.set_ylabel("path")
    ax.set_title(title)
    fig.legend(frameon=False, fontsize=8.5, loc="outside lower center", ncol=4)
    return fig
