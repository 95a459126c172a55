"""Plots for the chapter on seci (filled in with the chapter)."""

__all__: list[str] = []
