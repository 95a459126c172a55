"""Figures for the infusion-use replication (chapters 31-34).

Every function draws what it is given and returns the matplotlib Figure, with a title and
labelled axes; the chapter adds the alt text. The numbers come from ``utils.infusion``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from utils.plots._canvas import blank_axes
from utils._checks import validated

__all__ = ["VERDICT_LABELS", "infusion_path_diagrams", "infusion_agreement", "infusion_nesting", "infusion_loadings",
           "infusion_hypotheses", "infusion_power_curves", "infusion_scenario", "infusion_item_shares"]

CHANNEL_NAMES = {"retail_store": "Retail stores (face-to-face)", "contact_center": "Contact centers (virtual)",
                 "difference": "Difference (hypothesized channel − other)", "pooled": "Both channels pooled"}
COLOURS = {"retail_store": "#d95f02", "contact_center": "#2a7ab9", "difference": "#555555", "pooled": "#7570b3"}
FACTOR_NAMES = {"INF": "Infusion use\n(employee, wave 1)", "USAT": "User satisfaction\n(employee, wave 2)",
                "CONF": "Expectation\nconfirmation\n(customers)", "CSAT": "Customer\nsatisfaction\n(customers)"}
LAYOUT = {"INF": (0.13, 0.35), "USAT": (0.42, 0.8), "CONF": (0.6, 0.35), "CSAT": (0.9, 0.35)}
# Short names of the verdicts of utils.infusion.power.VERDICTS, for axis labels.
VERDICT_LABELS = {
    "h1_retail_store": "H1 retail: direct significant", "h1_contact_center": "H1 contact: direct n.s. (1 − size)",
    "h2_retail_store": "H2 retail: indirect n.s. (1 − size)", "h2_contact_center": "H2 contact: indirect significant",
    "h3_retail_store": "H3 retail: conf → csat significant", "h3_contact_center": "H3 contact: conf → csat significant",
    "h3_difference": "H3: conf → csat stronger in retail", "all": "all seven at once",
    "h1_difference_test": "H1 difference tested (not in source)", "h2_difference_test": "H2 difference tested (not in source)",
    "h1_contact_center_equivalence": "H1 contact: direct shown ≈ 0 (TOST)",
    "h2_retail_store_equivalence": "H2 retail: indirect shown ≈ 0 (TOST)",
    "all_formal": "every result by a formal test",
}
BOX = {"boxstyle": "round,pad=0.45", "facecolor": "#eef3fb", "edgecolor": "#2f5597", "linewidth": 1.2}


@validated
def infusion_path_diagrams(paths: pd.DataFrame, *, title: str, r2: pd.DataFrame | None = None) -> plt.Figure:
    """One path diagram per channel. ``paths`` has channel, lhs (outcome factor), rhs (predictor
    factor), std_all and pvalue; only paths among the four factors are drawn (controls are
    listed in the chapter). Solid arrows: p < .05; dashed: not significant. ``r2`` (factors ×
    channels) adds each outcome's R² under its box."""
    channels = list(dict.fromkeys(paths["channel"]))
    fig, axes = plt.subplots(1, len(channels), figsize=(6.2 * len(channels), 3.9))
    for ax, channel in zip(np.atleast_1d(axes), channels):
        boxes = {}
        for name, (x, y) in LAYOUT.items():
            label = FACTOR_NAMES[name]
            if r2 is not None and name in r2.index:
                label += f"\nR² = {r2.loc[name, channel]:.2f}"
            boxes[name] = ax.text(x, y, label, ha="center", va="center", fontsize=8.5, bbox=BOX, zorder=2)
        part = paths[(paths["channel"] == channel) & paths["lhs"].isin(LAYOUT) & paths["rhs"].isin(LAYOUT)]
        for row in part.itertuples():
            significant = row.pvalue < 0.05
            ax.annotate("", xy=LAYOUT[row.lhs], xytext=LAYOUT[row.rhs], zorder=3,
                        arrowprops={"arrowstyle": "-|>", "color": "#222222" if significant else "#888888",
                                    "linestyle": "-" if significant else "--", "lw": 1.6 if significant else 1.1,
                                    "mutation_scale": 14, "shrinkA": 4, "shrinkB": 4,
                                    "patchA": boxes[row.rhs].get_bbox_patch(),
                                    "patchB": boxes[row.lhs].get_bbox_patch()})
            (x0, y0), (x1, y1) = LAYOUT[row.rhs], LAYOUT[row.lhs]
            star = "*" if significant else " (n.s.)"
            ax.text((x0 + x1) / 2, (y0 + y1) / 2 + (0.06 if y0 == y1 else 0), f"{row.std_all:.2f}{star}",
                    ha="center", va="center", fontsize=9, zorder=4,
                    bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none"})
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        blank_axes(ax)
        ax.set_title(CHANNEL_NAMES.get(channel, channel), fontsize=11)
    fig.suptitle(title, fontsize=12)
    fig.text(0.5, 0.01, "Standardized estimates; * p < .05 (solid), n.s. = not significant (dashed).",
             ha="center", fontsize=8.5)
    fig.tight_layout(rect=(0, 0.04, 1, 0.95))
    return fig


@validated
def infusion_item_shares(shares: pd.DataFrame, *, title: str) -> plt.Figure:
    """Stacked bars of the answers 1-7: ``shares`` has one row per item and columns 1..7 (shares)."""
    fig, ax = plt.subplots(figsize=(8, 0.35 * len(shares) + 1.6))
    left = np.zeros(len(shares))
    colours = plt.get_cmap("RdYlBu")(np.linspace(0.05, 0.95, 7))
    for answer, colour in zip(shares.columns, colours):
        ax.barh(shares.index.astype(str), shares[answer], left=left, color=colour, label=str(answer))
        left += shares[answer].to_numpy()
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("Share of answers")
    ax.set_ylabel("Item")
    ax.legend(title="Answer", ncols=7, loc="upper center", bbox_to_anchor=(0.5, -0.28), fontsize=8)
    ax.set_title(title, fontsize=11)
    fig.tight_layout()
    return fig


@validated
def infusion_agreement(agreement: pd.DataFrame, *, cutoff: float, title: str) -> plt.Figure:
    """Histograms of r_wg(j) per employee: ``agreement`` has panel (one panel each, e.g. the null
    distribution), series (overlaid, e.g. the study) and rwg_j. The conventional cut-off is a
    dashed vertical line; each series' median is given in the legend."""
    panels = list(dict.fromkeys(agreement["panel"]))
    fig, axes = plt.subplots(1, len(panels), figsize=(5.2 * len(panels), 3.6), sharey=True)
    bins = np.linspace(0, 1, 21)
    colours = ["#2a7ab9", "#d95f02", "#555555", "#7570b3"]
    for ax, panel in zip(np.atleast_1d(axes), panels):
        part = agreement[agreement["panel"] == panel]
        for colour, (series, values) in zip(colours, part.groupby("series", sort=False)):
            median = float(values["rwg_j"].median())
            ax.hist(values["rwg_j"], bins=bins, alpha=0.55, color=colour, label=f"{series} (median {median:.2f})")
        ax.axvline(cutoff, color="black", linestyle="--", lw=1)
        ax.set_xlabel("r_wg(j): agreement among an employee's customers")
        ax.set_title(panel, fontsize=10.5)
        ax.legend(fontsize=8, loc="upper left")
    np.atleast_1d(axes)[0].set_ylabel("Employees")
    fig.suptitle(title, fontsize=12)
    fig.tight_layout()
    return fig


def _interval_rows(ax: plt.Axes, labels: Sequence[str], est: np.ndarray, low: np.ndarray, high: np.ndarray,
                   colours: Sequence[str]) -> None:
    """One row per estimate with its interval; an infinite upper end (a one-sided interval) is drawn
    as an arrow to the right edge of the panel."""
    y = np.arange(len(labels))[::-1]
    finite = np.concatenate([est, low, high[np.isfinite(high)]])
    right = float(finite.max() + 0.25 * (finite.max() - min(finite.min(), 0.0)))
    for yi, e, lo, hi, colour in zip(y, est, low, high, colours):
        if np.isfinite(hi):
            ax.errorbar([e], [yi], xerr=[[e - lo], [hi - e]], fmt="o", color=colour, elinewidth=2, capsize=3)
        else:
            ax.errorbar([e], [yi], xerr=[[e - lo], [0]], fmt="o", color=colour, elinewidth=2, capsize=3)
            ax.annotate("", xy=(right, yi), xytext=(e, yi),
                        arrowprops={"arrowstyle": "->", "color": colour, "lw": 2})
    ax.set_yticks(y, labels)


@validated
def infusion_nesting(table: pd.DataFrame, *, title: str) -> plt.Figure:
    """The same effect estimated four ways (``aggregation.nesting_comparison``): estimate and
    95% interval per method."""
    fig, ax = plt.subplots(figsize=(8, 3))
    colours = ["#c0392b"] + ["#2f5597"] * (len(table) - 1)
    _interval_rows(ax, list(table["method"]), table["estimate"].to_numpy(), table["ci_low"].to_numpy(),
                   table["ci_high"].to_numpy(), colours)
    ax.axvline(0, color="grey", lw=0.8)
    ax.set_xlabel("Effect of the employee's infusion-use score on customers' confirmation (95% interval)")
    ax.set_title(title, fontsize=11)
    fig.tight_layout()
    return fig


@validated
def infusion_loadings(loadings: pd.DataFrame, *, title: str, threshold: float = 0.7) -> plt.Figure:
    """Standardized loadings per item and channel (columns channel, factor, item, std), with a
    reference line at ``threshold``."""
    fig, ax = plt.subplots(figsize=(8, 3.4))
    items = list(dict.fromkeys(loadings["item"]))
    x = np.arange(len(items))
    for offset, (channel, part) in zip((-0.17, 0.17), loadings.groupby("channel", sort=False)):
        values = part.set_index("item").reindex(items)["std"]
        ax.bar(x + offset, values, width=0.34, color=COLOURS.get(channel), label=CHANNEL_NAMES.get(channel))
    ax.axhline(threshold, color="black", linestyle="--", lw=1)
    ax.set_xticks(x, items)
    ax.set_ylim(0, 1)
    ax.set_xlabel("Item")
    ax.set_ylabel("Standardized loading")
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title(title, fontsize=11)
    fig.tight_layout()
    return fig


@validated
def infusion_hypotheses(tests: pd.DataFrame, *, title: str) -> plt.Figure:
    """Forest plot of the hypothesis tests (``hypotheses.hypothesis_tests``): one panel per
    hypothesis, the estimate and its interval in each channel (95 % two-sided) and for the
    difference (one-sided 95 %, [bound, ∞), drawn as an arrow)."""
    hyps = list(dict.fromkeys(tests["hypothesis"]))
    fig, axes = plt.subplots(1, len(hyps), figsize=(4.3 * len(hyps), 2.9))
    for ax, h in zip(np.atleast_1d(axes), hyps):
        part = tests[tests["hypothesis"] == h]
        _interval_rows(ax, [CHANNEL_NAMES.get(c, c).split(" (")[0] for c in part["channel"]],
                       part["estimate"].to_numpy(), part["ci_low"].to_numpy(), part["ci_high"].to_numpy(),
                       [COLOURS.get(c, "#333333") for c in part["channel"]])
        ax.axvline(0, color="grey", lw=0.8)
        ax.set_title(f"{h}: {part['chain'].iloc[0]}", fontsize=10)
        ax.set_xlabel("Estimate (95 % bootstrap interval)")
    fig.suptitle(title, fontsize=12)
    fig.tight_layout()
    return fig


@validated
def infusion_power_curves(curve: pd.DataFrame, *, title: str, verdicts: Mapping[str, str]) -> plt.Figure:
    """Rates of the ``verdicts`` (key → legend label; an empty label uses VERDICT_LABELS) against study size: left the sweep over
    employees per channel, right over customers per employee (``power.power_curve``)."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), sharey=True)
    for ax, (sweep, x, label) in zip(axes, (("employees", "n_employees", "Employees per channel"),
                                             ("customers", "min_customers", "Customers per employee"))):
        part = curve[curve["sweep"] == sweep]
        for key, name in verdicts.items():
            line = part[part["verdict"] == key]
            ax.errorbar(line[x], line["rate"], yerr=1.96 * line["mc_se"], marker="o", capsize=2,
                        label=name or VERDICT_LABELS.get(key, key),
                        lw=2.2 if key == "all" else 1.2)
        ax.axhline(0.8, color="grey", linestyle=":", lw=1)
        ax.set_xlabel(label)
        ax.set_ylim(0, 1.02)
    axes[0].set_ylabel("Share of simulated studies reproducing it")
    axes[1].legend(fontsize=7.5, loc="lower right")
    fig.suptitle(title, fontsize=12)
    fig.tight_layout()
    return fig


@validated
def infusion_scenario(effects: pd.DataFrame, rates: pd.DataFrame, *, title: str) -> plt.Figure:
    """Left: direct and indirect effects of infusion use on confirmation per channel (stacked to
    the total). Right: the share of simulated studies reproducing each published verdict."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(11.5, 3.9), gridspec_kw={"width_ratios": [1, 1.5]})
    x = np.arange(len(effects))
    left.bar(x, effects["direct"], color="#d95f02", label="direct")
    left.bar(x, effects["indirect"], bottom=effects["direct"].clip(lower=0), color="#2a7ab9",
             label="indirect (through user satisfaction)")
    left.scatter(x, effects["total"], color="black", zorder=3, label="total")
    left.set_xticks(x, [CHANNEL_NAMES.get(c, c).split(" (")[0] for c in effects["channel"]])
    left.axhline(0, color="grey", lw=0.8)
    left.set_ylabel("Standardized effect on confirmation")
    top = max(float(effects[["direct", "total"]].max().max()), 0.1)
    left.set_ylim(min(0.0, float(effects[["direct", "indirect"]].min().min()) * 1.2), top * 1.45)
    left.legend(fontsize=7.5, loc="upper right")
    left.set_title("Effects the paths imply", fontsize=10)
    shown = rates[~rates["verdict"].isin(["all", "all_formal"])].iloc[::-1]
    right.barh(shown["verdict"].map(VERDICT_LABELS), shown["rate"], color="#7f7f7f")
    right.set_xlim(0, 1)
    right.axvline(0.8, color="black", linestyle=":", lw=1)
    right.set_xlabel("Share of simulated studies reproducing the verdict")
    everything = rates.loc[rates["verdict"] == "all", "rate"].iloc[0]
    title = f"Verdicts (all seven at once: {everything:.0%}"
    if "all_formal" in set(rates["verdict"]):
        title += f"; all by formal tests: {rates.loc[rates['verdict'] == 'all_formal', 'rate'].iloc[0]:.0%}"
    right.set_title(title + ")", fontsize=10)
    right.tick_params(axis="y", labelsize=7.5)
    fig.suptitle(title, fontsize=12)
    fig.tight_layout()
    return fig
