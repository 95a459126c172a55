"""What the book's diagram figures share: an axes with no ticks and no frame."""

from __future__ import annotations

import matplotlib.pyplot as plt


def blank_axes(ax: plt.Axes) -> None:
    """Remove ``ax``'s ticks and frame, keeping its labels and title (for path diagrams)."""
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
