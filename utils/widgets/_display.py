"""What every explorer shares: how a figure is shown inside a widget's output, and label style."""

from __future__ import annotations

import html

import matplotlib.pyplot as plt
from IPython.core.pylabtools import print_figure
from IPython.display import display

# Widget descriptions as wide as their text (the default cuts long labels).
STYLE = {"description_width": "initial"}


def figure_alt_text(fig: plt.Figure) -> str:
    """A text alternative built from what ``fig`` says about itself: its title, and each panel's
    title and axis labels. For the figure an explorer redraws, whose full description is in the
    alt text of the static figure beside it."""
    parts = []
    title = fig.get_suptitle()
    if title:
        parts.append(title)
    for ax in fig.axes:
        panel = [ax.get_title()] + [f"{name} axis: {label}" for name, label
                                    in (("horizontal", ax.get_xlabel()), ("vertical", ax.get_ylabel())) if label]
        panel = [p for p in panel if p]
        if panel:
            parts.append("; ".join(panel))
    text = ". ".join(parts) or "a figure"
    return f"Figure drawn by the explorer for the chosen inputs: {text}."


def show_figure(fig: plt.Figure, alt: str | None = None) -> None:
    """Display ``fig`` in the current output with alt text and close it, so it is not shown twice.

    The output carries the picture as HTML (``<img alt=...>``) and as plain PNG: Jupyter and the
    book's static pages show the HTML, so the figure inside a widget has a text alternative like
    every other figure of the book (a PNG output has none); a front end without HTML shows the PNG.
    ``alt`` defaults to ``figure_alt_text(fig)``.
    """
    png = print_figure(fig, "png", base64=True)
    text = alt if alt is not None else figure_alt_text(fig)
    img = f'<img src="data:image/png;base64,{png}" alt="{html.escape(text, quote=True)}">'
    display({"text/html": img, "image/png": png, "text/plain": text}, raw=True)
    plt.close(fig)
