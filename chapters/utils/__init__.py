"""Stand-in that makes ``import utils`` in a chapter load the book's own ``utils/`` package.

Jupyter, Binder, nbmake and jupyter-book all start a chapter's kernel in ``chapters/``, and
Python looks in the working directory before site-packages, so this folder is found before any
other installed package that happens to be called ``utils``. It loads ``../utils`` (the real
package, two folders up from this file) under the name ``utils`` and puts it in ``sys.modules``,
so ``import utils`` returns the real package, with its own ``__file__`` and submodules.
"""

import importlib.util
import sys
from pathlib import Path

_real = Path(__file__).resolve().parents[2] / "utils" / "__init__.py"
_spec = importlib.util.spec_from_file_location("utils", _real, submodule_search_locations=[str(_real.parent)])
_module = importlib.util.module_from_spec(_spec)
sys.modules["utils"] = _module
_spec.loader.exec_module(_module)
