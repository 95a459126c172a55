"""Interactive explorers: each wires a model function to a plot function and adds nothing else.

One submodule per part of the book; every name in a submodule's ``__all__`` is also available
here (``widgets.proposition_explorer(...)``). The static figure beside each explorer in a chapter
comes from the same two functions, so a reader of the HTML sees what a Binder user sees at the
explorer's starting values.
"""

# ruff: noqa: F401, F403
from utils.widgets.tallies import *
from utils.widgets.crm_knowledge import *
from utils.widgets.is_success import *
from utils.widgets.expectation import *
from utils.widgets.seci import *
from utils.widgets.service_profit import *
from utils.widgets.infusion import *
from utils.widgets.twolevel import *
