"""Widgets for the chapter on service profit (filled in with the chapter)."""

__all__: list[str] = []
