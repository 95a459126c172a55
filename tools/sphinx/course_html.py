"""The course in the HTML book: what every chapter page gets without editing any chapter.

While a chapter is read (``source-read``), its notebook is edited in memory only:

- the Colab step of the setup cell goes into a cell of its own, hidden (it still runs; it does
  nothing outside Colab), so the page opens with the chapter's own code;
- under the front matter, a line links the chapter's student and full notebooks, the course
  pack and the launchers (``{course-links}``);
- before "## Exercises", the quiz from the chapter's sidecar (``{course-quiz}``), answerable
  in the static page by a small script of the book's own (no kernel, no network);
- after the last code cell of each self-checking solution, a hidden cell that prints the
  solution's ``answer``, from which the build makes the answer keys.

Then an explorer's output (a widget, which cannot run in a static page) becomes one line saying
to run the notebook, under the static figure the chapter already shows; exercises are numbered
per chapter with the chapter's file number (Exercise 11.3); the Binder and Colab buttons open the
notebook the instructor chose (``course_launch``: ``chapter``, ``student`` or ``full``; the
build without solutions always opens the student notebook). After the build, the student and
full notebooks and the course pack are written to ``course/`` beside the pages.

The instructor kit's tables are directives: ``{course-syllabus}`` (``:weeks:``),
``{course-exercises}``, ``{course-timings}`` and ``{course-summary}``.
"""

from __future__ import annotations

import html
import json
import posixpath
import re
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.addnodes import pending_xref
from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tools/, for the course package

from course.answers import capture_cells, read_answers, with_captures  # noqa: E402
from course.book import Book  # noqa: E402
from course.chapter import ChapterError, chapter_number, read_chapter, source  # noqa: E402
from course.generate import generate  # noqa: E402
from course.pack import PACK_NAME  # noqa: E402
from course.sidecar import SidecarError  # noqa: E402
from course.syllabus import (QUIZ_MINUTES, chapter_loads, exercise_rows, plan,  # noqa: E402
                             self_check_share)

LOGGER = logging.getLogger(__name__)
STATIC = Path(__file__).resolve().parent / "course_static"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
EXERCISES_HEADING = re.compile(r"^##\s+Exercises\s*$", re.M)
COLAB_START = re.compile(r'^if\s+"google\.colab"\s+in\s+sys\.modules\s*:', re.M)
LAUNCH_CHOICES = ("chapter", "student", "full")
EXPLORER_NOTE = ("Interactive explorer: run this notebook (Binder, Colab or your own Jupyter) to use "
                 "its controls; the figure above shows its starting values.")
KIT = "pages/instructor_kit"


# --------------------------------------------------------------------------- helpers


def book(app: Sphinx) -> Book:
    """The book being built (read once per build)."""
    if getattr(app, "_course_book", None) is None:
        app._course_book = Book(Path(app.srcdir))
    return app._course_book


def chapter_stem(docname: str) -> str | None:
    """The chapter's file stem if ``docname`` is a chapter (``chapters/NN_name``), else None."""
    folder, _, stem = docname.rpartition("/")
    return stem if folder == "chapters" and chapter_number(stem) is not None else None


def solutions_hidden(app: Sphinx) -> bool:
    return bool(getattr(app.config, "hide_solutions", False))


def launch_variant(app: Sphinx) -> str:
    return "student" if solutions_hidden(app) else app.config.course_launch


def _relative(docname: str, target: str) -> str:
    return posixpath.relpath(target, posixpath.dirname(docname) or ".")


def launch_urls(app: Sphinx, path: str) -> dict[str, str]:
    """Binder and Colab addresses that open ``path`` (relative to the repository root)."""
    options = app.config.html_theme_options
    launch = options.get("launch_buttons", {}) or {}
    repository = str(options.get("repository_url", "")).rstrip("/")
    branch = options.get("repository_branch", "main") or "main"
    match = re.match(r"https://github\.com/([^/]+)/([^/]+)$", repository)
    if not match:
        return {}
    org, repo = match.groups()
    urls = {}
    if launch.get("binderhub_url"):
        prefix = "lab/tree" if launch.get("notebook_interface", "classic") == "jupyterlab" else "tree"
        urls["Binder"] = (f"{launch['binderhub_url'].rstrip('/')}/v2/gh/{org}/{repo}/{branch}"
                          f"?urlpath={quote(f'{prefix}/{path}')}")
    if launch.get("colab_url"):
        urls["Colab"] = f"{launch['colab_url'].rstrip('/')}/github/{org}/{repo}/blob/{branch}/{path}"
    return urls


# --------------------------------------------------------------------------- source-read


def _split_colab(cells: list[dict[str, Any]]) -> None:
    """Move the Colab step at the top of the first code cell into a hidden cell of its own."""
    index = next((i for i, c in enumerate(cells) if c["cell_type"] == "code"), None)
    if index is None:
        return
    text = source(cells[index])
    match = COLAB_START.search(text)
    if match is None:
        return
    lines = text.split("\n")
    start = text[:match.start()].count("\n")
    end = start + 1
    while end < len(lines) and (lines[end].startswith((" ", "\t")) or not lines[end].strip()):
        end += 1
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1
    colab, rest = "\n".join(lines[:end]), "\n".join(lines[end:]).strip("\n")
    hidden = dict(cells[index], id=f"{cells[index].get('id', index)}-colab", source=colab,
                  metadata={"tags": ["remove-cell"]}, outputs=[], execution_count=None)
    if rest:
        cells[index] = dict(cells[index], source=rest)
        cells.insert(index, hidden)
    else:
        cells[index] = hidden


def _insert_quiz(cells: list[dict[str, Any]]) -> None:
    """A quiz cell before "## Exercises" (splitting the cell that holds the heading)."""
    quiz = {"cell_type": "markdown", "id": "course-quiz", "metadata": {},
            "source": "## Quiz\n\n```{course-quiz}\n```\n"}
    for index, cell in enumerate(cells):
        if cell["cell_type"] != "markdown":
            continue
        text = source(cell)
        match = EXERCISES_HEADING.search(text)
        if match:
            before, after = text[:match.start()].rstrip("\n"), text[match.start():]
            rest = dict(cell, id=f"{cell.get('id', index)}-exercises", source=after)
            if before.strip():
                cells[index:index + 1] = [dict(cell, source=before), quiz, rest]
            else:
                cells[index:index + 1] = [quiz, dict(cell, source=after)]
            return
    cells.append(quiz)


def edited(app: Sphinx, docname: str, text: str) -> str | None:
    """The chapter's notebook as the build executes and shows it (None for other documents).

    The same text gives the same result, so after the build the edited notebook can be made
    again to look its outputs up in the execution cache."""
    stem = chapter_stem(docname)
    if stem is None:
        return None
    notebook = json.loads(text)
    chapter = read_chapter(Path(app.srcdir) / f"{docname}.ipynb", notebook)
    sidecar = book(app).sidecars[stem]
    notebook = with_captures(notebook, capture_cells(chapter, sidecar))
    cells = notebook["cells"]
    _split_colab(cells)
    links = {"cell_type": "markdown", "id": "course-links", "metadata": {},
             "source": "```{course-links}\n```\n"}
    cells.insert(1 if cells else 0, links)
    if sidecar.quiz:
        _insert_quiz(cells)
    return json.dumps(notebook, ensure_ascii=False)


def edit_chapter(app: Sphinx, docname: str, content: list[str]) -> None:
    """``source-read``: the in-memory edits listed in the module docstring."""
    try:
        text = edited(app, docname, content[0])
    except (ChapterError, SidecarError, KeyError, ValueError) as error:
        LOGGER.warning(f"course: {error}", location=docname)
        return
    if text is not None:
        content[0] = text


def executed_answers(app: Sphinx) -> dict[str, dict[str, Any]]:
    """Each chapter's expected answers, printed by its capture cells when it ran.

    In ``cache`` mode myst-nb writes the executed notebook to ``jupyter_execute/`` without the
    outputs it took from the cache, so they are looked up in the cache itself (the edited
    notebook made again, as the cache is keyed on its code cells); the saved notebook is the
    fallback for other execution modes."""
    import nbformat
    from jupyter_cache import get_cache

    configured = getattr(app.env, "mystnb_config", None)
    path = getattr(configured, "execution_cache_path", "") or Path(app.outdir).parent / ".jupyter_cache"
    cache = get_cache(str(path)) if Path(path).is_dir() else None
    executed = Path(app.outdir).parent / "jupyter_execute"
    found: dict[str, dict[str, Any]] = {}
    for chapter in book(app).chapters:
        docname = f"chapters/{chapter.stem}"
        answers: dict[str, Any] = {}
        if cache is not None:
            text = edited(app, docname, chapter.path.read_text(encoding="utf-8"))
            try:
                _, merged = cache.merge_match_into_notebook(nbformat.reads(text, as_version=4))
                answers = read_answers(merged)
            except KeyError:
                pass
        saved = executed / "chapters" / f"{chapter.stem}.ipynb"
        if not answers and saved.is_file():
            answers = read_answers(json.loads(saved.read_text(encoding="utf-8")))
        found[chapter.stem] = answers
    return found


# --------------------------------------------------------------------------- page parts


def _raw(text: str) -> nodes.raw:
    return nodes.raw("", text, format="html")


class CourseLinks(SphinxDirective):
    """The chapter's notebooks, the course pack and the launchers, in one line."""

    def run(self) -> list[nodes.Node]:
        docname = self.env.docname
        stem = chapter_stem(docname) or docname.split("/")[-1]
        hidden = solutions_hidden(self.env.app)
        course = _relative(docname, "course")
        kit = _relative(docname, KIT) + ".html"
        variants = ["student"] if hidden else ["student", "full"]
        described = {"student": "student version (exercises without solutions, with checks)",
                     "full": "full version (with solutions)"}
        downloads = " · ".join(
            f'<a href="{course}/{v}/{stem}.ipynb" download>{described[v]}</a>' for v in variants)
        launchers = []
        for variant in variants:
            urls = launch_urls(self.env.app, f"notebooks/{variant}/{stem}.ipynb")
            if urls:
                shown = " or ".join(f'<a href="{html.escape(u)}">{name}</a>' for name, u in urls.items())
                launchers.append(f"the {variant} version in {shown}")
        launch = f" Open {'; '.join(launchers)}." if launchers else ""
        text = (f'<p class="course-links"><strong>Notebooks of this chapter:</strong> {downloads} · '
                f'<a href="{course}/{PACK_NAME}">course pack</a> (every chapter, with <code>utils/</code> '
                f'and <code>data/</code>; see the <a href="{kit}">instructor kit</a>).{launch}</p>')
        return [_raw(text)]


MATH = re.compile(r"\$([^$]+)\$")
CODE = re.compile(r"`([^`]+)`")


def _inline(text: str) -> str:
    """Quiz text as HTML: escaped, with $math$ typeset by the page's MathJax and `code`."""
    escaped = html.escape(str(text))
    escaped = CODE.sub(r"<code>\1</code>", escaped)
    return MATH.sub(r'<span class="math notranslate nohighlight">\\(\1\\)</span>', escaped)


def quiz_html(stem: str, questions: list[dict[str, Any]]) -> str:
    """The quiz as an accessible form: one fieldset per question, answers checked in the page."""
    parts = ['<div class="course-quiz">',
             '<p class="course-quiz-note">Choose or type an answer and press <em>Check</em>. '
             "Everything happens in this page; nothing is sent anywhere.</p>"]
    for number, question in enumerate(questions, start=1):
        name = f"quiz-{stem}-{number}"
        kind = question.get("type", "choice")
        attributes = f'data-type="{kind}" data-answer="{html.escape(str(question["answer"]))}"'
        if kind == "number":
            attributes += f' data-tol="{html.escape(str(question.get("tol", 0)))}"'
        parts.append(f'<fieldset class="course-quiz-question" {attributes}>')
        parts.append(f'<legend><span class="course-quiz-number">{number}.</span> {_inline(question["question"])}</legend>')
        if kind == "choice":
            for index, option in enumerate(question["options"]):
                parts.append(f'<label class="course-quiz-option"><input type="radio" name="{name}" '
                             f'value="{index}"> {_inline(option)}</label>')
        else:
            parts.append(f'<label class="course-quiz-option" for="{name}">Your answer</label> '
                         f'<input type="text" inputmode="decimal" id="{name}" name="{name}" autocomplete="off">')
        parts.append('<div class="course-quiz-actions"><button type="button" class="course-quiz-check">'
                     'Check</button> <span class="course-quiz-feedback" role="status" aria-live="polite">'
                     '</span></div>')
        parts.append(f'<p class="course-quiz-explanation" hidden>{_inline(question["explanation"])}</p>')
        parts.append("</fieldset>")
    parts.append("</div>")
    return "\n".join(parts)


class CourseQuiz(SphinxDirective):
    """The current chapter's quiz, from its sidecar."""

    def run(self) -> list[nodes.Node]:
        stem = chapter_stem(self.env.docname) or ""
        sidecar = book(self.env.app).sidecars.get(stem)
        if sidecar is None or not sidecar.quiz:
            return []
        return [_raw(quiz_html(stem, sidecar.quiz))]


class ExplorerNote(SphinxTransform):
    """An explorer's widget output becomes one line saying to run the notebook (chapters only);
    the page then loads no widget scripts at all."""

    default_priority = 700

    def apply(self, **kwargs: Any) -> None:
        docname = self.env.docname
        if chapter_stem(docname) is None:
            return
        replaced = False
        for raw in list(self.document.findall(nodes.raw)):
            if WIDGET_VIEW not in raw.astext() or raw.parent is None:
                continue
            output = raw.parent
            while output is not None and "cell_output" not in output.get("classes", []):
                output = output.parent
            if output is None:
                continue
            note = nodes.paragraph("", EXPLORER_NOTE, classes=["course-explorer-note"])
            output.replace_self(nodes.container("", note, classes=["cell_output", "course-explorer"]))
            replaced = True
        if replaced and not any(WIDGET_VIEW in r.astext() for r in self.document.findall(nodes.raw)):
            js_files = getattr(self.env, "nb_metadata", {}).get(docname, {}).get("js_files", {})
            for key in [k for k in js_files if k.startswith("ipywidgets")]:
                del js_files[key]


# --------------------------------------------------------------------------- numbering, launch


def renumber_exercises(app: Sphinx, env: Any) -> list[str]:
    """``env-get-updated``: Exercise N.k in every chapter (N its file number, k from 1)."""
    for docname, figtypes in env.toc_fignumbers.items():
        stem = chapter_stem(docname)
        if stem is None or "exercise" not in figtypes:
            continue
        ordered = sorted(figtypes["exercise"].items(), key=lambda item: item[1])
        figtypes["exercise"] = {node_id: (chapter_number(stem), index)
                                for index, (node_id, _) in enumerate(ordered, start=1)}
    return []


def repoint_launch_buttons(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    """``html-page-context`` (after the theme's): launch the chosen variant of a chapter."""
    stem = chapter_stem(pagename)
    variant = launch_variant(app)
    if stem is None or variant == "chapter":
        return
    old, new = f"/{pagename}.ipynb", f"/notebooks/{variant}/{stem}.ipynb"

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                # The download button (``_sources/…``) keeps its path: in a build without
                # solutions write_course puts the student notebook there.
                if key == "url" and isinstance(value, str) and "_sources/" not in value:
                    node[key] = value.replace(old, new).replace(quote(old), quote(new))
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(context.get("header_buttons", []))


# --------------------------------------------------------------------------- instructor kit


def _table(headers: list[str], rows: list[list[Any]], classes: tuple[str, ...] = ()) -> nodes.table:
    table = nodes.table(classes=["colwidths-auto", *classes])
    group = nodes.tgroup(cols=len(headers))
    table += group
    for _ in headers:
        group += nodes.colspec(colwidth=1)
    head = nodes.thead()
    group += head
    row = nodes.row()
    head += row
    for header in headers:
        row += nodes.entry("", nodes.paragraph(text=header))
    body = nodes.tbody()
    group += body
    for values in rows:
        row = nodes.row()
        body += row
        for value in values:
            cell = value if isinstance(value, nodes.Node) else nodes.paragraph(text=str(value))
            row += nodes.entry("", cell)
    return table


def _doc_link(refdoc: str, docname: str, text: str) -> nodes.paragraph:
    xref = pending_xref("", refdoc=refdoc, reftarget="/" + docname, reftype="doc", refdomain="std",
                        refexplicit=True, refwarn=True)
    xref += nodes.inline(text=text)
    return nodes.paragraph("", "", xref)


class CourseSyllabus(SphinxDirective):
    """A week plan: chapters, reading and exercise time, what to assign (``:weeks: 6``)."""

    option_spec = {"weeks": directives.positive_int}

    def run(self) -> list[nodes.Node]:
        weeks = self.options.get("weeks", 12)
        loads = chapter_loads(book(self.env.app))
        rows = []
        for number, group in enumerate(plan(loads, weeks), start=1):
            if not group:
                rows.append([str(number), "Project: a replication of your own with the book's tools",
                             "", "", "", "project"])
                continue
            chapters = nodes.paragraph()
            for i, load in enumerate(group):
                if i:
                    chapters += nodes.Text("; ")
                chapters += _doc_link(self.env.docname, f"chapters/{load.stem}", load.title).children[0]
            checking = [r.number for load in group for r in load.exercises if r.check]
            open_ = [r.number for load in group for r in load.exercises if not r.check]
            assign = "; ".join(filter(None, [
                f"self-checking: {', '.join(checking)}" if checking else "",
                f"open: {', '.join(open_)}" if open_ else "",
                "quizzes" if any(load.has_quiz for load in group) else "",
            ])) or "—"
            reading = sum(load.reading for load in group)
            exercise = sum(load.exercise_minutes for load in group)
            flag = " (estimated)" if any(load.estimated for load in group) else ""
            total = reading + exercise + sum(QUIZ_MINUTES for load in group if load.has_quiz)
            rows.append([str(number), chapters, str(reading), str(exercise), f"{total}{flag}", assign])
        headers = ["Week", "Chapters", "Reading (min)", "Exercises (min)", "Total (min)", "Assign (exercises)"]
        return [_table(headers, rows, ("course-syllabus",))]


class CourseExercises(SphinxDirective):
    """Every exercise: label, chapter, kind, minutes, self-check, rubric (left out of the
    build without solutions, which students read)."""

    def run(self) -> list[nodes.Node]:
        the_book = book(self.env.app)
        titles = {c.stem: c.title for c in the_book.chapters}
        hidden = solutions_hidden(self.env.app)
        headers = ["Exercise", "Label", "Chapter", "Kind", "Minutes", "Self-check"] + ([] if hidden else ["Rubric"])
        rows = []
        for row in exercise_rows(the_book):
            values: list[Any] = [row.number, nodes.paragraph("", "", nodes.literal(text=row.label)),
                                 _doc_link(self.env.docname, f"chapters/{row.stem}", titles[row.stem]),
                                 row.kind or "not yet classified", row.minutes or "—",
                                 f"yes ({row.check})" if row.check else "no"]
            if not hidden:
                if row.placeholder:
                    values.append(nodes.paragraph("", "", nodes.emphasis(text="rubric to be written")))
                else:
                    values.append(row.rubric or "—")
            rows.append(values)
        return [_table(headers, rows, ("course-exercises",))]


class CourseSummary(SphinxDirective):
    """One sentence: how many exercises, how many check themselves, how many lack a rubric."""

    def run(self) -> list[nodes.Node]:
        rows = exercise_rows(book(self.env.app))
        checking = sum(r.check is not None for r in rows)
        waiting = sum(r.placeholder for r in rows)
        text = (f"The book has {len(rows)} exercises; {checking} check themselves "
                f"({100 * self_check_share(rows):.0f} %).")
        if waiting:
            text += (f" {waiting} belong to chapters whose sidecar does not describe them yet: they are "
                     "listed as open, with the rubric still to be written.")
        return [nodes.paragraph(text=text)]


class timings_node(nodes.General, nodes.Element):
    """Placeholder for the run-time table, filled once every chapter has run."""


class CourseTimings(SphinxDirective):
    def run(self) -> list[nodes.Node]:
        return [timings_node()]


class FillTimings(SphinxPostTransform):
    """Each chapter's run time in the last build (myst-nb's execution data)."""

    default_priority = 8  # before references are resolved

    def run(self, **kwargs: Any) -> None:
        from myst_nb.sphinx_ import NbMetadataCollector

        data = NbMetadataCollector.get_doc_data(self.env)
        titles = {c.stem: c.title for c in book(self.app).chapters}
        for node in list(self.document.findall(timings_node)):
            rows = []
            for stem, title in titles.items():
                run = data.get(f"chapters/{stem}", {}).get("exec_data") or {}
                seconds = run.get("runtime")
                rows.append([_doc_link(self.env.docname, f"chapters/{stem}", title),
                             "—" if seconds is None else f"{seconds:.1f}",
                             {"cache": "from the cache (time of its last run)"}.get(run.get("method"),
                                                                                     run.get("method") or "—")])
            node.replace_self(_table(["Chapter", "Run time (s)", "Measured"], rows, ("course-timings",)))


def kit_is_outdated(app: Sphinx, env: Any, added: set, changed: set, removed: set) -> list[str]:
    """The kit's tables read every chapter and sidecar: rebuild it on every build."""
    return [KIT] if KIT in env.found_docs else []


# --------------------------------------------------------------------------- after the build


def write_course(app: Sphinx, exception: Exception | None) -> None:
    """``build-finished``: the notebooks and the course pack, beside the pages."""
    if exception is not None or app.builder.format != "html":
        return
    the_book = book(app)
    if not the_book.chapters:
        return
    out = Path(app.outdir) / "course"
    hidden = solutions_hidden(app)
    for problem in the_book.problems():
        LOGGER.warning(f"course: {problem}")
    try:
        generated = generate(the_book, executed_answers(app), out,
                             variants=("student",) if hidden else ("student", "full"))
    except (RuntimeError, ValueError, KeyError) as error:
        LOGGER.warning(f"course: the notebooks and the course pack could not be made: {error}")
        return
    if hidden:  # the page's download button must not hand out the chapter with its solutions
        for name, data in generated.notebooks["student"].items():
            target = Path(app.outdir) / "_sources" / "chapters" / name
            if target.is_file():
                target.write_bytes(data)
    LOGGER.info(f"course: wrote {len(generated.notebooks['student'])} chapters' notebooks and {PACK_NAME}")


def add_static(app: Sphinx, config: Any) -> None:
    config.html_static_path.append(str(STATIC))
    if config.course_launch not in LAUNCH_CHOICES:
        raise ValueError(f"course_launch must be one of {', '.join(LAUNCH_CHOICES)}, got {config.course_launch!r}")


def setup(app: Sphinx) -> dict[str, object]:
    app.add_config_value("course_launch", "chapter", "html")
    app.connect("config-inited", add_static)
    app.add_css_file("course.css")
    app.add_js_file("course-quiz.js", defer="defer")
    app.connect("source-read", edit_chapter)
    app.connect("env-get-updated", renumber_exercises, priority=900)
    app.connect("env-get-outdated", kit_is_outdated)
    app.connect("html-page-context", repoint_launch_buttons, priority=600)
    app.connect("build-finished", write_course)
    app.add_directive("course-links", CourseLinks)
    app.add_directive("course-quiz", CourseQuiz)
    app.add_directive("course-syllabus", CourseSyllabus)
    app.add_directive("course-exercises", CourseExercises)
    app.add_directive("course-summary", CourseSummary)
    app.add_directive("course-timings", CourseTimings)
    app.add_node(timings_node)
    app.add_transform(ExplorerNote)
    app.add_post_transform(FillTimings)
    return {"parallel_read_safe": False, "parallel_write_safe": True}
