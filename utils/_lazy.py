"""Packages whose names load on first use: ``plots.level_panels`` imports ``utils.plots.tallies``
(and matplotlib, seaborn) only when a chapter first asks for it.

:func:`exports` reads every public submodule's ``__all__`` from its source text (an AST parse,
no import), so a new submodule is found without registering it anywhere; :func:`lazy_package`
returns the module-level ``__getattr__``, ``__dir__`` and ``__all__`` that a package's
``__init__`` assigns.
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Callable
from pathlib import Path


def exports(folder: Path) -> dict[str, str]:
    """Map every name in the ``__all__`` of the public submodules of ``folder`` to its submodule.

    A name listed by two submodules is a mistake that would make one of them unreachable; it
    raises ImportError naming both.
    """
    found: dict[str, str] = {}
    for path in sorted(folder.glob("*.py")):
        if path.name.startswith("_"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in tree.body:
            if (isinstance(node, ast.Assign) and len(node.targets) == 1
                    and isinstance(node.targets[0], ast.Name) and node.targets[0].id == "__all__"):
                for name in ast.literal_eval(node.value):
                    if name in found:
                        raise ImportError(f"{name!r} is exported by both {found[name]} and {path.stem}"
                                          f" in {folder.name}; rename one of them")
                    found[name] = path.stem
    return found


def lazy_package(package: str, init_file: str, on_load: Callable[[], None] | None = None,
                 ) -> tuple[Callable[[str], object], Callable[[], list[str]], list[str]]:
    """``__getattr__``, ``__dir__`` and ``__all__`` for the package ``package`` whose
    ``__init__.py`` is ``init_file``; ``on_load``, if given, is called after each first use of a
    name has imported its submodule."""
    index = exports(Path(init_file).parent)
    namespace = importlib.import_module(package).__dict__

    def __getattr__(name: str) -> object:
        submodule = index.get(name)
        if submodule is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{submodule}"), name)
        namespace[name] = value  # later look-ups skip __getattr__
        if on_load is not None:
            on_load()
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(index))

    return __getattr__, __dir__, sorted(index)
