"""Interactive explorers: each wires a model function to a plot function and adds nothing else.

One submodule per part of the book; every name in a submodule's ``__all__`` is also available
here (``widgets.proposition_explorer(...)``). The static figure beside each explorer in a chapter
comes from the same two functions, so a reader of the HTML sees what a Binder user sees at the
explorer's starting values.

Names load on first use (``utils._lazy``): ``from utils import widgets`` imports no submodule, and
a chapter pays for matplotlib, seaborn and the rest only when it draws. A new submodule needs no
line here: its ``__all__`` is read from its source.
"""

from utils._lazy import lazy_package

__getattr__, __dir__, __all__ = lazy_package(__name__, __file__)
