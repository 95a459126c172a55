"""Plots for the chapter on crm knowledge (filled in with the chapter)."""

__all__: list[str] = []
