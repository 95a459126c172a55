"""What every explorer shares: how a figure is shown inside a widget's output, and label style."""

from __future__ import annotations

import matplotlib.pyplot as plt
from IPython.display import display

# Widget descriptions as wide as their text (the default cuts long labels).
STYLE = {"description_width": "initial"}


def show_figure(fig: plt.Figure) -> None:
    """Display ``fig`` in the current output and close it, so it is not shown a second time."""
    display(fig)
    plt.close(fig)
