"""Figures for the knowledge-creation tallies (chapters 11 and 12) and other tables of counts.

Every function returns the matplotlib Figure, with a title and labelled axes; the caller adds
the alt text in the chapter (a MyST figure or the cell's ``alt`` metadata).

The figures with several panels draw their heatmaps with matplotlib's ``pcolormesh`` and one
``text`` per cell (the annotated heatmap of matplotlib's gallery) rather than ``seaborn.heatmap``:
seaborn draws the whole figure once per heatmap to check whether tick labels overlap, so a grid
of 16 panels cost 16 full draws (8 s of CPU for the rule comparison of chapter 11; one draw
now). The single-panel agreement map uses the same helper, which halves its drawing time too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import BoundaryNorm, Colormap, ListedColormap, Normalize, to_rgb
from matplotlib.patches import Patch
from utils._checks import validated

__all__ = ["level_panels", "rule_comparison", "agreement_map", "proposition_grid", "residual_panels", "ca_map"]

# The paper's dashboard colours: yellow (little support) to red (the most).
LEVEL_COLOURS = ("#fff1a8", "#fdbe5c", "#f47b20", "#c81e1e")
SHORT = {"operational": "Opr", "analytical": "Analyt", "collaborative": "Coll",
         "socialization": "Soc", "externalization": "Ext", "combination": "Com",
         "internalization": "Int", "for": "For", "about": "About", "from": "From"}


def _short(labels: Sequence[str]) -> list[str]:
    return [SHORT.get(str(label), str(label)) for label in labels]


def _ink(colour: tuple[float, float, float, float]) -> str:
    """Black text on light cells, white on dark ones (WCAG relative luminance, as seaborn does)."""
    channels = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in to_rgb(colour)]
    luminance = 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]
    return "black" if luminance > 0.408 else "white"


def _heatmap(ax: plt.Axes, values: pd.DataFrame, *, cmap: Colormap, norm: Normalize,
             text: pd.DataFrame | None = None, fontsize: float = 9, linewidth: float = 0.8,
             square: bool = True):
    """One annotated heatmap: a cell per value, coloured by ``cmap``/``norm``, labelled by
    ``text`` (same shape; None for no labels), rows from the top, ticks at the cell centres."""
    data = values.to_numpy(dtype=float)
    mesh = ax.pcolormesh(data, cmap=cmap, norm=norm, edgecolors="white", linewidth=linewidth)
    if text is not None:
        labels = text.to_numpy()
        for (r, c), value in np.ndenumerate(data):
            ax.text(c + 0.5, r + 0.5, str(labels[r, c]), ha="center", va="center", fontsize=fontsize,
                    color=_ink(cmap(norm(value))))
    ax.set_xlim(0, data.shape[1])
    ax.set_ylim(data.shape[0], 0)
    ax.set_xticks(np.arange(data.shape[1]) + 0.5, _short(values.columns))
    ax.set_yticks(np.arange(data.shape[0]) + 0.5, _short(values.index))
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    if square:
        ax.set_aspect("equal")
    return mesh


@validated
def level_panels(codes: Mapping[str, pd.DataFrame], counts: Mapping[str, pd.DataFrame],
                 labels: Sequence[str], *, title: str, axes: Sequence[plt.Axes] | None = None,
                 legend: bool = True) -> plt.Figure:
    """One heatmap per panel: colour = level code (0 = lowest), text = count.

    ``codes`` and ``counts`` map panel names to same-shaped tables; ``labels`` name the levels.
    """
    n = len(codes)
    standalone = axes is None
    if standalone:
        fig, axes = plt.subplots(1, n, figsize=(2.6 * n + 0.6, 2.6), sharey=True)
    else:
        fig = axes[0].figure
    cmap = ListedColormap(LEVEL_COLOURS[-len(labels):] if len(labels) < 4 else LEVEL_COLOURS)
    norm = BoundaryNorm(np.arange(-0.5, len(labels)), cmap.N)
    for ax, (name, code) in zip(axes, codes.items()):
        shown = counts[name].loc[code.index, code.columns].astype(int)
        _heatmap(ax, code, cmap=cmap, norm=norm, text=shown)
        ax.set_title(str(name).capitalize(), fontsize=10)
        ax.set_xlabel(code.columns.name or "")
        ax.set_ylabel(code.index.name or "" if ax is axes[0] else "")
    if standalone:
        fig.suptitle(title)
        fig.set_layout_engine("constrained")
    if legend:
        handles = [Patch(facecolor=cmap(i), edgecolor="grey", label=label) for i, label in enumerate(labels)]
        fig.legend(handles=handles, loc="outside right center", title="Level", frameon=False)
    return fig


@validated
def rule_comparison(rows: Mapping[str, Mapping[str, pd.DataFrame]], counts: Mapping[str, pd.DataFrame],
                    labels: Sequence[str], *, title: str) -> plt.Figure:
    """A grid of :func:`level_panels`: one row per rule (``rows`` maps rule name → codes)."""
    n_rows, n_cols = len(rows), len(next(iter(rows.values())))
    fig, grid = plt.subplots(n_rows, n_cols, figsize=(2.4 * n_cols + 1.4, 2.3 * n_rows),
                             sharex=True, sharey=True, squeeze=False)
    for r, (rule, codes) in enumerate(rows.items()):
        level_panels(codes, counts, labels, title="", axes=list(grid[r]), legend=False)
        grid[r][0].set_ylabel(f"{rule}\n\n{grid[r][0].get_ylabel()}", fontsize=9)
        for ax in grid[r]:
            if r:
                ax.set_title("")
            if r < n_rows - 1:
                ax.set_xlabel("")
    fig.suptitle(title)
    fig.set_layout_engine("constrained")
    cmap = ListedColormap(LEVEL_COLOURS)
    handles = [Patch(facecolor=cmap(i), edgecolor="grey", label=label) for i, label in enumerate(labels)]
    fig.legend(handles=handles, loc="outside right center", title="Level", frameon=False)
    return fig


@validated
def agreement_map(grid: pd.DataFrame, *, marked: tuple[float, float] | None = None,
                  title: str, xlabel: str, ylabel: str) -> plt.Figure:
    """Heatmap of ``agreement`` over the cut points ``low`` (x) and ``high`` (y).

    ``marked`` outlines one (low, high) pair, for example the book's rule.
    """
    wide = grid.pivot(index="high", columns="low", values="agreement").sort_index(ascending=False)
    fig, ax = plt.subplots(figsize=(6.4, 5.2), layout="constrained")
    labelled = wide.set_axis([f"{v:.2f}" for v in wide.index], axis=0).set_axis([f"{v:.2f}" for v in wide.columns], axis=1)
    mesh = _heatmap(ax, labelled, cmap=plt.get_cmap("viridis"), norm=Normalize(0, 1), linewidth=0)
    fig.colorbar(mesh, ax=ax, label="share of the 21 propositions met")
    ax.tick_params(axis="x", rotation=90)
    if marked is not None:
        column = int(np.argmin(np.abs(wide.columns.to_numpy() - marked[0])))
        row = int(np.argmin(np.abs(wide.index.to_numpy() - marked[1])))
        ax.add_patch(plt.Rectangle((column, row), 1, 1, fill=False, edgecolor="red", linewidth=2))
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return fig


@validated
def proposition_grid(rows: pd.DataFrame, *, title: str) -> plt.Figure:
    """Table 1's propositions beside the observed levels: one tile per proposition, coloured by
    ``gap`` (observed minus predicted), labelled "predicted → observed (count)"."""
    fig, axes = plt.subplots(1, 2, figsize=(10.5, 3.2), layout="constrained",
                             gridspec_kw={"width_ratios": [4, 3]})
    for ax, dim in zip(axes, ("process", "knowledge")):
        part = rows[rows["dimension"] == dim]
        gap = part.pivot(index="system", columns="target", values="gap")
        text = part.assign(label=lambda d: d["predicted"] + "\n→ " + d["observed"] + " (" + d["count"].astype(str) + ")")
        text = text.pivot(index="system", columns="target", values="label")
        order_r = list(dict.fromkeys(part["system"]))
        order_c = list(dict.fromkeys(part["target"]))
        mesh = _heatmap(ax, gap.loc[order_r, order_c], cmap=plt.get_cmap("RdBu"), norm=Normalize(-2, 2),
                        text=text.loc[order_r, order_c], fontsize=7.5, linewidth=1, square=False)
        if dim == "knowledge":
            fig.colorbar(mesh, ax=ax, label="observed − predicted level")
        for (r, c), ok in np.ndenumerate(part.pivot(index="system", columns="target", values="agrees").loc[order_r, order_c].to_numpy()):
            if not ok:
                ax.add_patch(plt.Rectangle((c, r), 1, 1, fill=False, edgecolor="black", linewidth=2))
        ax.set_title(f"System × {dim}")
        ax.set_xlabel(dim)
        ax.set_ylabel("CRM system" if dim == "process" else "")
    fig.suptitle(title)
    return fig


@validated
def residual_panels(residuals: Mapping[str, pd.DataFrame], *, title: str, limit: float = 4.0) -> plt.Figure:
    """Heatmaps of standardized residuals, one per panel, with a shared diverging scale."""
    n = len(residuals)
    fig, axes = plt.subplots(1, n, figsize=(2.7 * n + 1.2, 2.8), sharey=True, layout="constrained")
    axes = np.atleast_1d(axes)
    for i, (ax, (name, table)) in enumerate(zip(axes, residuals.items())):
        mesh = _heatmap(ax, table, cmap=plt.get_cmap("RdBu_r"), norm=Normalize(-limit, limit),
                        text=table.astype(float).map(lambda v: f"{v:.1f}"), fontsize=8)
        ax.set_title(str(name).capitalize(), fontsize=10)
        ax.set_xlabel(table.columns.name or "")
        ax.set_ylabel(table.index.name or "" if i == 0 else "")
    fig.colorbar(mesh, ax=list(axes), label="standardized residual")
    fig.suptitle(title)
    return fig


@validated
def ca_map(rows: pd.DataFrame, columns: pd.DataFrame, explained: Sequence[float], *, title: str,
           row_name: str, column_name: str) -> plt.Figure:
    """Symmetric correspondence-analysis map: principal coordinates on dimensions 1 and 2."""
    explained = list(explained)
    fig, ax = plt.subplots(figsize=(6.2, 5.0), layout="constrained")
    ax.axhline(0, color="grey", linewidth=0.6)
    ax.axvline(0, color="grey", linewidth=0.6)
    for frame, marker, colour, name in ((rows, "o", "#1f4e79", row_name), (columns, "^", "#c81e1e", column_name)):
        y = frame.iloc[:, 1] if frame.shape[1] > 1 else np.zeros(len(frame))
        ax.scatter(frame.iloc[:, 0], y, marker=marker, s=70, color=colour, label=name)
        for label, xv, yv in zip(frame.index, frame.iloc[:, 0], y):
            ax.annotate(str(label), (xv, yv), textcoords="offset points", xytext=(6, 5), color=colour)
    ax.set_xlabel(f"Dimension 1 ({explained[0]:.0%} of inertia)")
    ax.set_ylabel(f"Dimension 2 ({explained[1]:.0%} of inertia)" if len(explained) > 1 else "")
    ax.set_title(title)
    ax.legend(frameon=False, loc="best")
    ax.margins(0.2)
    return fig
