"""Small helpers for the wording of error messages."""

from __future__ import annotations

import numbers


def show(value: object) -> str:
    """A value as a reader would write it: 2.5, -2, 'six' (no numpy type names)."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return f"{float(value):g}"
    return repr(value.item() if hasattr(value, "item") else value)
