"""Serve the ipywidgets embed script's icon fonts where it looks for them.

``embed-amd.js`` (from ``vendor/widgets``) loads its Font Awesome files *relative to the page*,
from a folder named after the module whose style sheet asks for them, a path meant for a CDN:
``@jupyter-widgets/html-manager/dist/`` for the embed script's own, ``@jupyter-widgets/`` for the
controls' (a widget with an icon, on some pages only). After an HTML build this copies the fonts
into both folders beside every page that embeds widgets, so the icons load from the book itself
instead of failing with 404s (tests/test_browser.py fails on any).
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
        for target in (folder / "@jupyter-widgets" / "html-manager" / "dist", folder / "@jupyter-widgets"):
            target.mkdir(parents=True, exist_ok=True)
            for font in fonts:
                shutil.copyfile(font, target / font.name)


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("build-finished", copy_fonts)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
