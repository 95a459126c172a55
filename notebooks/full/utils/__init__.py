"""Stand-in that makes ``import utils`` in a generated notebook load the book's ``utils/``.

Jupyter, Binder and nbmake start a notebook's kernel in its own folder, which Python searches
first; this file loads the real package (three folders up) under the name ``utils``. Written by
``python3 tools/book.py build``; do not edit.
"""

import importlib.util
import sys
from pathlib import Path

_real = Path(__file__).resolve().parents[3] / "utils" / "__init__.py"
_spec = importlib.util.spec_from_file_location("utils", _real, submodule_search_locations=[str(_real.parent)])
_module = importlib.util.module_from_spec(_spec)
sys.modules["utils"] = _module
_spec.loader.exec_module(_module)
