"""Widgets for the chapter on is success (filled in with the chapter)."""

__all__: list[str] = []
