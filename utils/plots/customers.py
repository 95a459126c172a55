"""Figures for the real-customer chapter (chapter 22): CB-SEM and PLS-SEM side by side.

Every function draws what it is given and returns the matplotlib Figure, with a title and
labelled axes; the chapter adds the alt text. The numbers come from ``utils.customers`` and
``utils.pls``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from utils._checks import validated

__all__ = ["methods_forest", "htmt_heatmap", "path_draws"]

# One colour and one marker per method (distinguishable without colour too).
STYLE = {"CB-SEM": ("#b2182b", "s"), "PLS": ("#2166ac", "o"), "PLSc": ("#5e3c99", "D")}


@validated
def methods_forest(paths: pd.DataFrame, labels: Mapping[str, str], *, title: str,
                   limits: tuple[float, float] = (-2.5, 3.5)) -> plt.Figure:
    """One row per structural path, one marker and 95 % interval per method.

    ``paths``: ``customers.paths_table`` (lhs, rhs, method, estimate, low, high). Intervals that
    run past ``limits`` are cut there and end in an arrowhead; a marker outside is drawn at the
    limit as a hollow symbol."""
    keys = list(dict.fromkeys(zip(paths["rhs"], paths["lhs"])))
    methods = list(dict.fromkeys(paths["method"]))
    fig, ax = plt.subplots(figsize=(8.5, 0.55 * len(keys) + 1.6), layout="constrained")
    lo, hi = limits
    for i, (rhs, lhs) in enumerate(keys):
        for k, method in enumerate(methods):
            row = paths[(paths["lhs"] == lhs) & (paths["rhs"] == rhs) & (paths["method"] == method)].iloc[0]
            y = i + (k - (len(methods) - 1) / 2) * 0.24
            colour, marker = STYLE.get(method, ("#444444", "o"))
            left, right = max(row["low"], lo), min(row["high"], hi)
            ax.plot([left, right], [y, y], color=colour, lw=1.6)
            for end, value, clipped in ((left, row["low"], row["low"] < lo), (right, row["high"], row["high"] > hi)):
                if clipped:
                    ax.plot(end, y, marker="<" if end == lo else ">", color=colour, ms=6)
            inside = lo <= row["estimate"] <= hi
            ax.plot(min(max(row["estimate"], lo), hi), y, marker=marker, ms=6, color=colour,
                    markerfacecolor=colour if inside else "white",
                    label=method if i == 0 else None)
    ax.axvline(0, color="#666666", lw=0.8, ls="--")
    ax.set_yticks(range(len(keys)))
    ax.set_yticklabels([f"{labels.get(rhs, rhs)} → {labels.get(lhs, lhs)}" for rhs, lhs in keys])
    ax.invert_yaxis()
    ax.set_xlim(lo - 0.1, hi + 0.1)
    ax.set_xlabel("standardized path coefficient with 95 % interval (cut at the plot's edges)")
    ax.set_ylabel("structural path")
    ax.set_title(title)
    ax.legend(loc="lower right", frameon=True, title="method")
    ax.grid(axis="x", color="#dddddd", lw=0.6)
    return fig


@validated
def htmt_heatmap(htmt: pd.DataFrame, labels: Mapping[str, str], *, thresholds: Sequence[float],
                 title: str) -> plt.Figure:
    """Lower triangle of an HTMT matrix, each cell printed; cells above the largest threshold are
    outlined. ``thresholds`` are named in the colour bar."""
    names = list(htmt.index)
    values = htmt.to_numpy(dtype=float)
    mask = np.triu(np.ones_like(values, dtype=bool))
    shown = np.ma.masked_array(values, mask)
    fig, ax = plt.subplots(figsize=(6.8, 5.6), layout="constrained")
    image = ax.imshow(shown, cmap="Blues", vmin=0.3, vmax=1.0)
    for i in range(len(names)):
        for j in range(i):
            v = values[i, j]
            ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=10,
                    color="white" if v > 0.75 else "black", fontweight="bold" if v > max(thresholds) else "normal")
            if v > max(thresholds):
                ax.add_patch(plt.Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor="#b2182b", lw=2))
    ax.set_xticks(range(len(names)))
    ax.set_xticklabels([labels.get(n, n) for n in names], rotation=35, ha="right")
    ax.set_yticks(range(len(names)))
    ax.set_yticklabels([labels.get(n, n) for n in names])
    ax.set_xlabel("construct")
    ax.set_ylabel("construct")
    bar = fig.colorbar(image, ax=ax, shrink=0.8)
    bar.set_label("HTMT (heterotrait-monotrait ratio)")
    for t in thresholds:
        bar.ax.axhline(t, color="#b2182b", lw=1.5)
    ax.set_title(title)
    return fig


@validated
def path_draws(draws: Mapping[str, np.ndarray], reference: Mapping[str, float], *, title: str,
               xlabel: str, limit: float = 3.0) -> plt.Figure:
    """Histograms of bootstrap draws of one path, one per method in ``draws``, and the CB-SEM
    estimate with its Wald interval from ``reference`` (keys estimate, low, high) as lines. The
    axis stops at ±``limit``: draws and interval ends beyond it are piled at the edge."""
    fig, ax = plt.subplots(figsize=(8, 3.8), layout="constrained")
    lowest = max(min(min(d.min() for d in draws.values()), reference["low"]), -limit)
    highest = min(max(max(d.max() for d in draws.values()), reference["high"]), limit)
    edges = np.linspace(lowest, highest, 81)
    for method, values in draws.items():
        colour, _ = STYLE.get(method, ("#444444", "o"))
        ax.hist(np.clip(values, lowest, highest), bins=edges, alpha=0.55, color=colour,
                label=f"{method}: bootstrap draws", density=True)
    colour, _ = STYLE["CB-SEM"]
    ax.axvline(reference["estimate"], color=colour, lw=2, label="CB-SEM estimate")
    for end in ("low", "high"):
        ax.axvline(np.clip(reference[end], lowest, highest), color=colour, lw=1.2, ls="--",
                   label="CB-SEM 95 % Wald interval" if end == "low" else None)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("density")
    ax.set_title(title)
    ax.legend(loc="upper right", fontsize=8)
    return fig
