"""Give bibliography entries the ARIA role of a list item, not the deprecated ``doc-biblioentry``.

docutils 0.21 writes each citation as ``<div role="doc-biblioentry">`` inside a
``<div role="list">``. DPUB-ARIA 1.1 deprecates ``doc-biblioentry`` and says to use list items
instead; assistive technology then finds a list with no items in it (axe-core rules
``aria-deprecated-role`` and ``aria-required-children``, WCAG 4.1.2). This extension writes the
same HTML with ``role="listitem"``; everything else is docutils' own output.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.writers.html5 import HTML5Translator


def visit_citation(self: HTML5Translator, node: nodes.citation) -> None:
    HTML5Translator.visit_citation(self, node)
    self.body[-1] = self.body[-1].replace('role="doc-biblioentry"', 'role="listitem"')


def depart_citation(self: HTML5Translator, node: nodes.citation) -> None:
    HTML5Translator.depart_citation(self, node)


def setup(app: Sphinx) -> dict[str, object]:
    app.add_node(nodes.citation, override=True, html=(visit_citation, depart_citation))
    return {"parallel_read_safe": True, "parallel_write_safe": True}
