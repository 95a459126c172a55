"""Figures. Each function draws what it is given and computes nothing of its own.

One submodule per part of the book; every name in a submodule's ``__all__`` is also available
here, so chapters write ``plots.level_panels(...)``. Each function returns the matplotlib
Figure, with a title and labelled axes; the chapter adds the alt text.

Names load on first use (``utils._lazy``): ``from utils import plots`` imports no submodule, and
a chapter pays for matplotlib, seaborn and the rest only when it draws. A new submodule needs no
line here: its ``__all__`` is read from its source.

In Jupyter a figure is drawn only when it is sent to the page, not also after the cell
(``utils.plots._inline``).
"""

from utils._lazy import lazy_package


def _draw_once() -> None:
    from utils.plots._inline import draw_once
    draw_once()


__getattr__, __dir__, __all__ = lazy_package(__name__, __file__, on_load=_draw_once)
