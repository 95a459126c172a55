"""Figures for structural equation models (chapter 21).

Each function draws what it is given and computes nothing; the numbers come from ``utils.sem``,
``utils.misfit`` and ``utils.lavaan_reference``. Every function returns the matplotlib Figure
with a title and labelled axes; the chapter adds the alt text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import Ellipse, FancyBboxPatch

from utils.plots._canvas import blank_axes
from utils._checks import validated

__all__ = ["sem_path_diagram", "sem_cfa_diagram", "sem_fit_indices", "sem_misfit"]

_BLUE, _ORANGE, _GREY, _RED = "#1f4e79", "#d9822b", "#595959", "#b2182b"
_BOX_W, _BOX_H = 0.62, 0.42
_LATENT_W, _LATENT_H = 1.05, 0.55


def _size(label: str, kind: str) -> tuple[float, float]:
    """Width and height of a node: latent ellipses fixed, boxes as wide as their longest line."""
    if kind == "latent":
        return _LATENT_W, _LATENT_H
    longest = max(len(line) for line in label.split("\n"))
    return max(_BOX_W, 0.085 * longest + 0.15), _BOX_H


def _edge_point(centre: tuple[float, float], size: tuple[float, float], kind: str,
                towards: tuple[float, float]) -> tuple[float, float]:
    """Where the line from ``centre`` towards ``towards`` leaves the node's outline."""
    (x, y), (tx, ty) = centre, towards
    dx, dy = tx - x, ty - y
    if dx == 0 and dy == 0:
        return x, y
    a, b = size[0] / 2, size[1] / 2
    if kind == "latent":
        scale = 1 / np.sqrt((dx / a) ** 2 + (dy / b) ** 2)
    else:
        scale = min(a / abs(dx) if dx else np.inf, b / abs(dy) if dy else np.inf)
    return x + dx * scale, y + dy * scale


@validated
def sem_path_diagram(nodes: Mapping[str, tuple[float, float, str, str]],
                     paths: Mapping[tuple[str, str], str | None], *,
                     covariances: Sequence[tuple[str, str, str | None]] = (), title: str,
                     xlabel: str = "", figsize: tuple[float, float] = (8.0, 3.6)) -> plt.Figure:
    """A path diagram: observed variables as boxes, latent variables as ellipses.

    ``nodes`` maps a name to ``(x, y, label, kind)`` with kind ``"observed"`` or ``"latent"``;
    ``paths`` maps ``(source, target)`` to the text written on the one-headed arrow (or None);
    ``covariances`` lists ``(a, b, text)`` drawn as curved two-headed dashed arrows.
    """
    fig, ax = plt.subplots(figsize=figsize, layout="constrained")
    sizes = {name: _size(label, kind) for name, (_, _, label, kind) in nodes.items()}
    for name, (x, y, label, kind) in nodes.items():
        width, height = sizes[name]
        if kind == "latent":
            ax.add_patch(Ellipse((x, y), width, height, facecolor="#e8f0f8", edgecolor=_BLUE, linewidth=1.6, zorder=2))
        else:
            ax.add_patch(FancyBboxPatch((x - width / 2, y - height / 2), width, height,
                                        boxstyle="square,pad=0", facecolor="white", edgecolor=_BLUE,
                                        linewidth=1.4, zorder=2))
        ax.text(x, y, label, ha="center", va="center", fontsize=9, zorder=3)
    for (source, target), text in paths.items():
        (x0, y0, _, k0), (x1, y1, _, k1) = nodes[source], nodes[target]
        start = _edge_point((x0, y0), sizes[source], k0, (x1, y1))
        end = _edge_point((x1, y1), sizes[target], k1, (x0, y0))
        ax.annotate("", xy=end, xytext=start, zorder=1,
                    arrowprops={"arrowstyle": "-|>", "color": _GREY, "linewidth": 1.3, "shrinkA": 0, "shrinkB": 0})
        if text:
            mx, my = start[0] + 0.45 * (end[0] - start[0]), start[1] + 0.45 * (end[1] - start[1])
            ax.text(mx, my, text, ha="center", va="center", fontsize=8.5, color=_ORANGE, zorder=4,
                    bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none"})
    top = max(y + sizes[name][1] / 2 for name, (_, y, _, _) in nodes.items())
    left = min(x - sizes[name][0] / 2 for name, (x, _, _, _) in nodes.items())
    for a, b, text in covariances:
        (x0, y0, _, k0), (x1, y1, _, k1) = nodes[a], nodes[b]
        side_by_side = abs(x1 - x0) >= abs(y1 - y0)
        # side by side: leave both nodes from the top and bow upwards; stacked: from the left, bowing left
        start = _edge_point((x0, y0), sizes[a], k0, (x0, y0 + 1) if side_by_side else (x0 - 1, y0))
        end = _edge_point((x1, y1), sizes[b], k1, (x1, y1 + 1) if side_by_side else (x1 - 1, y1))
        forward = (x1 > x0) if side_by_side else (y1 < y0)
        ax.annotate("", xy=end, xytext=start, zorder=1,
                    arrowprops={"arrowstyle": "<|-|>", "color": _GREY, "linewidth": 1.0, "linestyle": "--",
                                "connectionstyle": f"arc3,rad={-0.4 if forward else 0.4}", "shrinkA": 0,
                                "shrinkB": 0})
        bulge = 0.2 * (abs(x1 - x0) if side_by_side else abs(y1 - y0))
        if side_by_side:
            top = max(top, max(start[1], end[1]) + bulge + 0.1)
        else:
            left = min(left, min(start[0], end[0]) - bulge - 0.1)
        if text:
            mx, my = (start[0] + end[0]) / 2, (start[1] + end[1]) / 2
            if side_by_side:
                ax.text(mx, my + bulge, text, ha="center", va="bottom", fontsize=8, color=_GREY)
            else:
                ax.text(mx - bulge - 0.05, my, text, ha="right", va="center", fontsize=8, color=_GREY)
                left = min(left, mx - bulge - 0.05 - 0.075 * max(len(t) for t in text.split("\n")))
    right = max(x + sizes[name][0] / 2 for name, (x, _, _, _) in nodes.items())
    bottom = min(y - sizes[name][1] / 2 for name, (_, y, _, _) in nodes.items())
    ax.set_xlim(left - 0.1, right + 0.1)
    ax.set_ylim(bottom - 0.1, top + 0.1)
    ax.set_aspect("equal")
    ax.set(title=title, xlabel=xlabel)
    blank_axes(ax)
    return fig


@validated
def sem_cfa_diagram(factors: Mapping[str, Sequence[str]], *, title: str,
                    loadings: Mapping[tuple[str, str], str] | None = None,
                    correlated: bool = True) -> plt.Figure:
    """A confirmatory factor analysis as a path diagram: each factor (an ellipse) above its
    indicators (boxes), one arrow per loading, and two-headed arrows between the factors when
    ``correlated``. ``factors`` maps a factor to its indicators, in drawing order;
    ``loadings`` maps ``(factor, indicator)`` to the text on the arrow (default: none)."""
    nodes: dict[str, tuple[float, float, str, str]] = {}
    column = 0.0
    for factor, indicators in factors.items():
        xs = [column + k for k in range(len(indicators))]
        for x, indicator in zip(xs, indicators):
            nodes[indicator] = (x, 0.0, indicator, "observed")
        nodes[factor] = (float(np.mean(xs)), 1.6, factor, "latent")
        column = xs[-1] + 1.0
    paths = {(factor, indicator): (loadings or {}).get((factor, indicator))
             for factor, indicators in factors.items() for indicator in indicators}
    names = list(factors)
    covariances = [(a, b, None) for i, a in enumerate(names) for b in names[i + 1:]] if correlated else []
    return sem_path_diagram(nodes, paths, covariances=covariances, title=title,
                            figsize=(max(6.0, 1.0 * column), 3.6))


@validated
def sem_fit_indices(table: pd.DataFrame, *, title: str) -> plt.Figure:
    """Fit indices of several models beside the usual cut-offs, one row of ``table`` per model
    (its index names the model; columns cfi, tli, rmsea, rmsea_ci_lower, rmsea_ci_upper, srmr).

    Three panels: CFI and TLI (higher is better; lines at .90 and .95), RMSEA with its 90%
    interval (lower is better; lines at .05 and .08) and SRMR (lower is better; line at .08).
    """
    models = list(table.index)
    y = np.arange(len(models))[::-1]
    fig, axes = plt.subplots(1, 3, figsize=(11, 0.75 * len(models) + 1.9), sharey=True, layout="constrained")
    ax = axes[0]
    ax.scatter(table["cfi"], y + 0.1, color=_BLUE, label="CFI", zorder=3)
    ax.scatter(table["tli"], y - 0.1, color=_ORANGE, marker="s", label="TLI", zorder=3)
    for cut, style in ((0.90, ":"), (0.95, "--")):
        ax.axvline(cut, color=_GREY, linestyle=style, linewidth=1)
    ax.set(xlabel="CFI, TLI (lines at .90, .95)", title="Compared with a baseline model")
    ax.legend(loc="lower left", fontsize=8)
    ax = axes[1]
    ax.errorbar(table["rmsea"], y, xerr=[table["rmsea"] - table["rmsea_ci_lower"], table["rmsea_ci_upper"] - table["rmsea"]],
                fmt="o", color=_BLUE, capsize=4, zorder=3)
    for cut, style in ((0.05, "--"), (0.08, ":")):
        ax.axvline(cut, color=_GREY, linestyle=style, linewidth=1)
    ax.set(xlabel="RMSEA, 90% interval (lines at .05, .08)", title="Misfit per degree of freedom")
    ax = axes[2]
    ax.scatter(table["srmr"], y, color=_BLUE, zorder=3)
    ax.axvline(0.08, color=_GREY, linestyle="--", linewidth=1)
    ax.set(xlabel="SRMR (line at .08)", title="Average residual correlation")
    axes[0].set_yticks(y, models)
    for ax in axes:
        ax.set_ylim(-0.7, len(models) - 0.3)
        ax.grid(axis="x", alpha=0.3)
    fig.suptitle(title)
    return fig


@validated
def sem_misfit(grid: pd.DataFrame, *, title: str) -> plt.Figure:
    """Fit statistics against sample size, one line per cross-loading (``utils.misfit.misfit_grid``).

    Three panels: the χ² test's p-value (line at .05), RMSEA with its 90% interval and the
    population RMSEA (dashed; lines at .05 and .08), and CFI (lines at .90 and .95). The sample
    sizes are spaced evenly along the horizontal axis, whatever their values.
    """
    sizes = sorted(grid["n"].unique())
    where = {n: k for k, n in enumerate(sizes)}
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.7), layout="constrained")
    colours = [_BLUE, _RED, _ORANGE, "#4d9221"]
    groups = list(grid.groupby("cross_loading", sort=True))
    for k, (lam, part) in enumerate(groups):
        part = part.sort_values("n")
        x = part["n"].map(where).to_numpy(dtype=float)
        colour, label = colours[k % len(colours)], f"left-out loading {lam:.2f}"
        axes[0].plot(x, part["pvalue"], "o-", color=colour, label=label)
        shift = 0.06 * (k - (len(groups) - 1) / 2)
        axes[1].errorbar(x + shift, part["rmsea"],
                         yerr=[part["rmsea"] - part["rmsea_ci_lower"], part["rmsea_ci_upper"] - part["rmsea"]],
                         fmt="o-", color=colour, capsize=3, label=label)
        axes[1].axhline(part["population_rmsea"].iloc[0], color=colour, linestyle="--", linewidth=1)
        axes[2].plot(x, part["cfi"], "o-", color=colour, label=label)
    axes[0].axhline(0.05, color=_GREY, linestyle=":", linewidth=1)
    axes[0].set(ylabel="p-value of the χ² test", title="χ² test of exact fit (line at .05)", ylim=(-0.03, 1.03))
    for cut, style in ((0.05, ":"), (0.08, "-.")):
        axes[1].axhline(cut, color=_GREY, linestyle=style, linewidth=1)
    axes[1].set(ylabel="RMSEA (90% interval)", title="RMSEA (dashed: population value)")
    for cut, style in ((0.90, "-."), (0.95, ":")):
        axes[2].axhline(cut, color=_GREY, linestyle=style, linewidth=1)
    axes[2].set(ylabel="CFI", title="CFI (lines at .90 and .95)")
    for ax in axes:
        ax.set_xticks(range(len(sizes)), [f"{n:,}" for n in sizes])
        ax.set_xlabel("sample size N")
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    fig.suptitle(title)
    return fig
