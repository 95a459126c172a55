"""Figures for the chapter on CRM systems and customer knowledge (chapter 1).

Each function draws what it is given (computed by ``utils.crm_knowledge``) and returns the
matplotlib Figure with a title; the chapter adds the alt text. Axes carry labels wherever the
figure has axes; the path diagram is a drawing and has none.
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import ListedColormap
from matplotlib.patches import FancyBboxPatch, Patch
from utils._checks import validated

__all__ = ["crm_systems_grid", "crm_mediation_diagram", "crm_effect_split", "crm_effect_intervals"]

STATE_STYLE = {  # state → (fill colour, mark printed in the paper, legend label)
    "used": ("#2e7d4f", "✓", "used (✓)"),
    "not_used": ("#c0392b", "×", "not used (×)"),
    "not_reported": ("#e6e6e6", "", "not reported (blank)"),
}
EFFECT_COLOURS = {"indirect": "#1f4e79", "direct": "#e08a1e", "total": "#555555"}
EFFECT_LABELS = {"indirect": "indirect  a × b", "direct": "direct  c′", "total": "total  c′ + a × b"}
NODE_LABELS = ("CRM application\nuse", "Customer\nknowledge", "Customer\nsatisfaction")


@validated
def crm_systems_grid(states: pd.DataFrame, *, title: str,
                     case_names: Mapping[str, str] | None = None) -> plt.Figure:
    """One tile per system × case, coloured by state, systems grouped by type.

    ``states`` is indexed by (type, system) with one column per case and the values ``used``,
    ``not_used`` or ``not_reported`` (as :func:`utils.crm_knowledge.systems_by_case` returns).
    ``case_names`` adds a name under each case letter.
    """
    order = list(STATE_STYLE)
    codes = states.apply(lambda column: column.map(order.index)).to_numpy(float)
    n_rows, n_cols = codes.shape
    fig, ax = plt.subplots(figsize=(2.0 + 1.3 * n_cols + 3.2, 0.42 * n_rows + 1.6), layout="constrained")
    ax.imshow(codes, cmap=ListedColormap([STATE_STYLE[s][0] for s in order]), vmin=-0.5,
              vmax=len(order) - 0.5, aspect="auto")
    for (r, c), code in np.ndenumerate(codes):
        ax.text(c, r, STATE_STYLE[order[int(code)]][1], ha="center", va="center",
                color="white", fontsize=12, fontweight="bold")
    ax.set_xticks(range(n_cols), [f"{case}\n{case_names[case]}" if case_names else str(case)
                                  for case in states.columns])
    ax.set_yticks(range(n_rows), [system for _, system in states.index])
    types = [kind for kind, _ in states.index]
    starts = [i for i, kind in enumerate(types) if i == 0 or kind != types[i - 1]]
    for start in starts:
        kind = types[start]
        end = start + types.count(kind)
        if start:
            ax.axhline(start - 0.5, color="black", linewidth=2)
        ax.text(n_cols - 0.4, (start + end - 1) / 2, str(kind), ha="left", va="center",
                fontsize=10, fontstyle="italic")
    ax.set_xticks(np.arange(-0.5, n_cols), minor=True)
    ax.set_yticks(np.arange(-0.5, n_rows), minor=True)
    ax.grid(which="minor", color="white", linewidth=1.5)
    ax.tick_params(which="minor", length=0)
    ax.set_xlabel("case (organization)")
    ax.set_ylabel("CRM system")
    ax.set_title(title)
    handles = [Patch(facecolor=STATE_STYLE[s][0], edgecolor="grey", label=STATE_STYLE[s][2]) for s in order]
    fig.legend(handles=handles, loc="outside lower center", ncols=3, frameon=False)
    return fig


def _draw_diagram(ax: plt.Axes, paths: Mapping[str, float] | None) -> None:
    """Three boxes (X, M, Y) and the arrows a, b, c′, labelled with their values if given."""
    spots = {"x": (0.13, 0.22), "m": (0.5, 0.78), "y": (0.87, 0.22)}
    for (x, y), label in zip(spots.values(), NODE_LABELS):
        ax.add_patch(FancyBboxPatch((x - 0.12, y - 0.1), 0.24, 0.2, boxstyle="round,pad=0.01",
                                    facecolor="#eef3f8", edgecolor="#1f4e79", linewidth=1.5))
        ax.text(x, y, label, ha="center", va="center", fontsize=10)

    def text(name: str, symbol: str) -> str:
        return symbol if paths is None else f"{symbol} = {paths[name]:.2f}"

    arrows = (("x", "m", "a", "a", (-0.06, 0.03), EFFECT_COLOURS["indirect"]),
              ("m", "y", "b", "b", (0.06, 0.03), EFFECT_COLOURS["indirect"]),
              ("x", "y", "c_prime", "c′", (0.0, -0.07), EFFECT_COLOURS["direct"]))
    for start, end, name, symbol, offset, colour in arrows:
        (x0, y0), (x1, y1) = spots[start], spots[end]
        if start == "x" and end == "y":
            begin, finish = (x0 + 0.12, y0), (x1 - 0.12, y1)
        else:
            begin = (x0 + (0.06 if x1 > x0 else -0.06), y0 + (0.1 if y1 > y0 else -0.1))
            finish = (x1 + (-0.06 if x1 > x0 else 0.06), y1 + (-0.1 if y1 > y0 else 0.1))
        ax.annotate("", xy=finish, xytext=begin,
                    arrowprops={"arrowstyle": "-|>", "color": colour, "linewidth": 2, "mutation_scale": 16})
        ax.text((begin[0] + finish[0]) / 2 + offset[0], (begin[1] + finish[1]) / 2 + offset[1],
                text(name, symbol), ha="center", va="center", color=colour, fontsize=11, fontweight="bold")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_axis_off()


@validated
def crm_mediation_diagram(paths: Mapping[str, float] | None = None, *, title: str) -> plt.Figure:
    """The path model CRM use → customer knowledge → satisfaction, with a direct path.

    ``paths`` maps ``a``, ``b`` and ``c_prime`` to values to print on the arrows; without it
    the arrows carry only their names.
    """
    fig, ax = plt.subplots(figsize=(6.4, 3.4), layout="constrained")
    _draw_diagram(ax, paths)
    ax.set_title(title)
    return fig


@validated
def crm_effect_split(effects: Mapping[str, float], *, title: str, limit: float = 1.5) -> plt.Figure:
    """The path diagram beside bars for the indirect, direct and total effects.

    ``effects`` holds ``a``, ``b``, ``c_prime``, ``indirect``, ``direct``, ``total`` and
    ``proportion_mediated`` (as :func:`utils.crm_knowledge.implied_effects` returns). The bars
    share a fixed axis from ``-limit`` to ``limit`` so that figures can be compared.
    """
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.6), layout="constrained",
                                      gridspec_kw={"width_ratios": [1.15, 1]})
    _draw_diagram(left, effects)
    left.set_title("Population paths")
    names = ["indirect", "direct", "total"]
    values = [effects[name] for name in names]
    positions = np.arange(len(names))[::-1]
    right.barh(positions, values, color=[EFFECT_COLOURS[n] for n in names], height=0.6)
    for position, value in zip(positions, values):
        right.text(value + (0.03 if value >= 0 else -0.03), position, f"{value:+.2f}",
                   ha="left" if value >= 0 else "right", va="center", fontsize=10)
    right.axvline(0, color="black", linewidth=0.8)
    right.set_yticks(positions, [EFFECT_LABELS[n] for n in names])
    right.set_xlim(-limit, limit)
    right.set_xlabel("change in satisfaction per unit of CRM use")
    right.set_ylabel("effect")
    share = effects["proportion_mediated"]
    shown = "undefined (total = 0)" if not np.isfinite(share) else f"{share:.0%}"
    right.set_title(f"Implied effects (share mediated: {shown})")
    fig.suptitle(title)
    return fig


@validated
def crm_effect_intervals(table: pd.DataFrame, *, title: str, truth: Mapping[str, float] | None = None,
                         interval_label: str = "estimate and 95% interval") -> plt.Figure:
    """Point estimates with their intervals, one row per effect, optionally with the truth.

    ``table`` is indexed by effect (e.g. ``indirect``, ``direct``, ``total``) with the columns
    ``estimate``, ``ci_low`` and ``ci_high``; ``truth`` maps the same effects to the population
    values, drawn as hollow diamonds. ``interval_label`` names the intervals in the legend.
    """
    names = list(table.index)
    positions = np.arange(len(names))[::-1]
    fig, ax = plt.subplots(figsize=(7.2, 0.7 * len(names) + 1.6), layout="constrained")
    for position, name in zip(positions, names):
        row = table.loc[name]
        colour = EFFECT_COLOURS.get(name, "#333333")
        ax.plot([row["ci_low"], row["ci_high"]], [position, position], color=colour, linewidth=3)
        ax.plot(row["estimate"], position, "o", color=colour, markersize=8)
        if truth is not None and name in truth:
            ax.plot(truth[name], position, "D", markerfacecolor="none", markeredgecolor="black",
                    markersize=9)
    ax.axvline(0, color="black", linewidth=0.8, linestyle=":")
    ax.set_yticks(positions, [EFFECT_LABELS.get(n, n) for n in names])
    ax.set_ylim(-0.6, len(names) - 0.4)
    ax.set_xlabel("effect on satisfaction per unit of CRM use")
    ax.set_ylabel("effect")
    ax.set_title(title)
    handles = [plt.Line2D([], [], color="grey", marker="o", linewidth=3, label=interval_label)]
    if truth is not None:
        handles.append(plt.Line2D([], [], marker="D", linestyle="", markerfacecolor="none",
                                  markeredgecolor="black", label="population value (assumed)"))
    fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), frameon=False, fontsize=9)
    return fig
