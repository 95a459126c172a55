"""Serve the ipywidgets embed script's icon fonts where it looks for them.

``embed-amd.js`` (from ``vendor/widgets``) loads its Font Awesome files from
``@jupyter-widgets/html-manager/dist/`` *relative to the page*, a path meant for a CDN. After an
HTML build this copies the fonts into that folder beside every page that embeds widgets, so
the icons load from the book itself instead of failing with 404s.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from sphinx.application import Sphinx

FONT_SUFFIXES = {".woff", ".woff2", ".ttf"}
WIDGET_MARK = "application/vnd.jupyter.widget-state+json"


def copy_fonts(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    out = Path(app.outdir)
    fonts = [p for p in (Path(app.srcdir) / "vendor" / "widgets").iterdir() if p.suffix in FONT_SUFFIXES]
    folders = {page.parent for page in out.rglob("*.html") if WIDGET_MARK in page.read_text(encoding="utf-8")}
    for folder in folders:
        target = folder / "@jupyter-widgets" / "html-manager" / "dist"
        target.mkdir(parents=True, exist_ok=True)
        for font in fonts:
            shutil.copyfile(font, target / font.name)


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("build-finished", copy_fonts)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
