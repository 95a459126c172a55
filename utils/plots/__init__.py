"""Figures. Each function draws what it is given and computes nothing of its own.

One submodule per part of the book; every name in a submodule's ``__all__`` is also available
here, so chapters write ``plots.level_panels(...)``. Each function returns the matplotlib
Figure, with a title and labelled axes; the chapter adds the alt text.
"""

# ruff: noqa: F401, F403
from utils.plots.tallies import *
from utils.plots.crm_knowledge import *
from utils.plots.is_success import *
from utils.plots.expectation import *
from utils.plots.seci import *
from utils.plots.service_profit import *
from utils.plots.infusion import *
from utils.plots.twolevel import *
