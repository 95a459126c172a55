"""Widgets for the chapter on expectation (filled in with the chapter)."""

__all__: list[str] = []
