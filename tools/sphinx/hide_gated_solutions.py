"""Make ``hide_solutions`` also hide *gated* solutions (``solution-start`` … ``solution-end``).

sphinx-exercise 1.2.1 drops a plain ``{solution}`` when ``hide_solutions`` is true, but for a
gated solution it drops only the start marker: the executed cells between the markers stay on
the page and the end marker crashes the HTML writer ("unknown node type: solution_end_node").
This extension lets sphinx-exercise build gated solutions as usual and then removes every
solution node from the page when ``hide_solutions`` is set, so the assignments build shows the
exercises and nothing of their solutions.

A citation made inside a removed solution leaves a backlink in the chapter's reference list that
points to nothing (sphinxcontrib-bibtex counts citations when it parses, before the removal), so
once the page is resolved the backlinks are limited to the citations still on it.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform
from sphinx_exercise.directive import SolutionStartDirective
from sphinx_exercise.nodes import solution_node


class _BuildGatedSolution(SolutionStartDirective):
    """``solution-start`` that builds its node even when solutions are hidden (removed later)."""

    def run(self) -> list[nodes.Node]:
        config = self.env.app.config
        hidden = config.hide_solutions
        config.hide_solutions = False
        try:
            return super().run()
        finally:
            config.hide_solutions = hidden


class RemoveSolutions(SphinxTransform):
    """After sphinx-exercise merges gated solutions (priority 10), drop them all if hidden."""

    default_priority = 11

    def apply(self) -> None:
        if not self.config.hide_solutions:
            return
        for node in list(self.document.findall(solution_node)):
            node.parent.remove(node)


def drop_dangling_backrefs(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Keep only the backlinks of each citation whose target is still in ``doctree``."""
    if not app.config.hide_solutions:
        return
    ids = {id_ for node in doctree.findall(nodes.Element) for id_ in node["ids"]}
    for citation in doctree.findall(nodes.citation):
        if citation.get("backrefs"):
            citation["backrefs"] = [ref for ref in citation["backrefs"] if ref in ids]


def setup(app: Sphinx) -> dict[str, object]:
    app.setup_extension("sphinx_exercise")
    app.add_directive("solution-start", _BuildGatedSolution, override=True)
    app.add_transform(RemoveSolutions)
    app.connect("doctree-resolved", drop_dangling_backrefs)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
