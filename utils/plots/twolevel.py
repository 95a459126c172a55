"""Figures for the infusion-use study without aggregation (chapter 35).

Every function draws what it is given and returns the matplotlib Figure, with a title and
labelled axes; the chapter adds the alt text. The numbers come from ``utils.infusion_twolevel``.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from utils._checks import validated

__all__ = ["twolevel_path_comparison", "aggregation_attenuation", "conflation_bars"]

CHANNEL_NAMES = {"retail_store": "Retail stores (face-to-face)", "contact_center": "Contact centers (virtual)"}
# Colour-blind-safe (Okabe-Ito) and told apart by marker shape as well.
MARKERS = {
    "population": ("Population value (employee level)", "D", "#000000"),
    "aggregated": ("Expected from customers' means", "o", "#999999"),
    "single_level": ("Estimate on customers' means (ch. 33)", "s", "#d55e00"),
    "two_level": ("Two-level estimate, 95% MC interval", "o", "#0072b2"),
}
PATH_LABELS = {
    "tenure_infusion": "tenure → infusion use", "infusion_usat": "infusion use → user satisfaction",
    "infusion_conf": "infusion use → confirmation (H1)", "usat_conf": "user satisfaction → confirmation (H2)",
    "tenure_conf": "tenure → confirmation", "contacts_conf": "contacts → confirmation",
    "conf_csat": "confirmation → satisfaction (H3)", "contacts_csat": "contacts → satisfaction",
}


@validated
def twolevel_path_comparison(comparison: pd.DataFrame, *, title: str) -> plt.Figure:
    """One panel per channel, one row per structural path: the population's standardized value,
    what customers' means lead one to expect, the single-level estimate on means and the
    two-level estimate with its interval. ``comparison`` has channel, parameter, population,
    aggregated, single_level, two_level, ci_low, ci_high (``infusion_twolevel.path_comparison``)."""
    channels = list(dict.fromkeys(comparison["channel"]))
    params = list(dict.fromkeys(comparison["parameter"]))
    fig, axes = plt.subplots(1, len(channels), figsize=(6.4 * len(channels), 0.5 * len(params) + 2.2), sharey=True)
    axes = np.atleast_1d(axes)
    y = np.arange(len(params))[::-1]
    offsets = {"population": 0.27, "aggregated": 0.09, "single_level": -0.09, "two_level": -0.27}
    for ax, channel in zip(axes, channels):
        part = comparison[comparison["channel"] == channel].set_index("parameter").loc[params]
        ax.axvline(0, color="#bbbbbb", lw=0.8, zorder=0)
        for key, (label, marker, colour) in MARKERS.items():
            yy = y + offsets[key]
            if key == "two_level":
                ax.errorbar(part[key], yy, xerr=[part[key] - part["ci_low"], part["ci_high"] - part[key]],
                            fmt=marker, color=colour, ms=5, capsize=2, lw=1.2, label=label)
            else:
                ax.plot(part[key], yy, marker, color=colour, ms=5 if marker != "D" else 4.5,
                        mfc="white" if key == "aggregated" else colour, label=label, ls="none")
        ax.set_title(CHANNEL_NAMES.get(channel, channel), fontsize=10)
        ax.set_xlabel("Standardized path")
        ax.set_yticks(y)
        ax.set_yticklabels([PATH_LABELS.get(p, p) for p in params], fontsize=8.5)
        ax.grid(axis="x", color="#eeeeee")
    axes[0].set_ylabel("Path (between employees)")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=2, fontsize=8.5, frameon=False)
    fig.suptitle(title, fontsize=11)
    fig.tight_layout(rect=(0, 0.1, 1, 0.95))
    return fig


@validated
def aggregation_attenuation(curve: pd.DataFrame, *, design_k: float, title: str) -> plt.Figure:
    """√ICC(2), the factor by which a path into an employee mean shrinks, against the number of
    customers per employee, one line per ICC(1); ``curve`` has customers, icc1, factor. A dashed
    line marks the design's ``design_k``."""
    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    styles = ["-", "--", ":", "-."]
    for (icc, part), style in zip(curve.groupby("icc1", sort=True), styles * 4):
        ax.plot(part["customers"], part["factor"], style, color="#0072b2", label=f"ICC(1) = {icc:g}")
    ax.axvline(design_k, color="#d55e00", ls="--", lw=1)
    ax.text(design_k, 0.02, f" the book's design\n (about {design_k:.1f} customers)", color="#d55e00", fontsize=8,
            va="bottom")
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("Customers per employee")
    ax.set_ylabel("√ICC(2): share of a standardized path left")
    ax.set_title(title, fontsize=11)
    ax.legend(fontsize=8.5, frameon=False, loc="lower right")
    ax.grid(color="#eeeeee")
    fig.tight_layout()
    return fig


@validated
def conflation_bars(table: pd.DataFrame, *, title: str) -> plt.Figure:
    """What each analysis estimates (``infusion_twolevel.conflation``: analysis, estimate,
    weight_between), as horizontal bars."""
    fig, ax = plt.subplots(figsize=(6.4, 2.9))
    y = np.arange(len(table))[::-1]
    colours = ["#999999", "#d55e00", "#0072b2", "#56b4e9"]
    ax.barh(y, table["estimate"], color=colours[: len(table)])
    for yy, value in zip(y, table["estimate"]):
        ax.text(value, yy, f" {value:.2f}", va="center", fontsize=8.5)
    ax.axvline(0, color="#666666", lw=0.8)
    ax.set_yticks(y)
    ax.set_yticklabels(table["analysis"], fontsize=8.5)
    ax.set_xlabel("Estimated effect of x on y")
    ax.set_ylabel("Analysis")
    low, high = min(0.0, float(table["estimate"].min())), max(0.0, float(table["estimate"].max()))
    ax.set_xlim(low - 0.1 * (high - low + 0.1), high + 0.25 * (high - low + 0.1))
    ax.set_title(title, fontsize=11)
    fig.tight_layout()
    return fig
