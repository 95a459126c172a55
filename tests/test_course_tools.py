"""The course tools on small hand-made chapters: MyST made plain, student and full notebooks,
sidecars, exercise numbers, answer capture, the week plan and the course pack. A marker planted
in every kind of solution must reach no student notebook and nothing in the pack."""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools" / "sphinx"))
import course_html  # noqa: E402
from course import generate as course_generate  # noqa: E402
from course.answers import capture_cells, read_answers, with_captures
from course.book import Book, answer_assigned_last
from course.chapter import ChapterError, exercise_number, read_chapter
from course.myst import Context, split_blocks, to_plain
from course.pack import PACK_NAME, requirements
from course.sidecar import PLACEHOLDER_RUBRIC, SidecarError, load
from course.syllabus import ChapterLoad, plan
from course.variants import markdown_text
from utils.exercises import ANSWER_MARK, Checker

ROOT = Path(__file__).resolve().parents[1]
MARKER = "SOLUTION-MARKER-Q7Z3"


def md(cell_id: str, text: str) -> dict:
    return {"cell_type": "markdown", "id": cell_id, "metadata": {}, "source": text}


def code(cell_id: str, text: str) -> dict:
    return {"cell_type": "code", "id": cell_id, "metadata": {}, "outputs": [], "execution_count": None,
            "source": text}


CELLS = [
    md("a0", "# A small chapter\n\n```{admonition} Before you start\n:class: tip\n\n"
             "**Time.** About 12 minutes to read.\n```"),
    code("a1", 'import sys\nif "google.colab" in sys.modules:\n    pass\n\nx = 2'),
    md("a2", "## Overview\n\nAs {cite:t}`mithas2005crm` argue, see {term}`Operational CRM` and "
             "{doc}`07_other`.\n\n```{note}\nA note with {cite:p}`mithas2005crm`.\n```\n\n"
             "## Summary\n\nDone.\n\n## Exercises\n\n"
             "```{exercise} Plain\n:label: ex-demo-plain\n\nWhat is {math}`x`?\n```\n\n"
             f"```{{solution}} ex-demo-plain\n:class: dropdown\n\nThe answer is two. {MARKER} in text.\n```\n\n"
             "```{exercise} Gated\n:label: ex-demo-gated\n\nCompute twice x. See {ref}`ex-demo-plain`.\n```\n\n"
             "```{solution-start} ex-demo-gated\n:class: dropdown\n```"),
    code("a3", f"# {MARKER} in a comment\nvalue = 2 * x\nanswer = value"),
    md("a4", f"Because {MARKER} says so.\n\n```{{solution-end}}\n```\n\n"
             "```{exercise} Open\n:label: ex-demo-open\n\nDiscuss.\n```\n\n## References\n\n"
             "```{bibliography}\n:filter: docname in docnames\n```"),
]
SIDECAR = """exercises:
  ex-demo-plain: {kind: recall, minutes: 5, rubric: "Two."}
  ex-demo-gated:
    kind: computation
    minutes: 10
    check: {type: number, rtol: 0.01, hint: "Multiply by two."}
  ex-demo-open: {kind: design, minutes: 15, rubric: "Any two designs."}
quiz:
  - {question: "One?", type: choice, options: ["a", "b"], answer: 0, explanation: "Because."}
  - {question: "Two?", type: number, answer: 2, tol: 0.1, explanation: "Because."}
  - {question: "Three?", options: ["a", "b", "c"], answer: 2, explanation: "Because."}
"""


@pytest.fixture()
def small_book(tmp_path: Path) -> Book:
    chapters = tmp_path / "chapters"
    (chapters / "meta").mkdir(parents=True)
    notebook = {"cells": CELLS, "metadata": {"kernelspec": {"name": "python3"}}, "nbformat": 4, "nbformat_minor": 5}
    (chapters / "07_demo.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    (chapters / "meta" / "07_demo.yml").write_text(SIDECAR, encoding="utf-8")
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: intro\nchapters:\n  - file: chapters/07_demo\n")
    (tmp_path / "intro.md").write_text("# Intro\n")
    (tmp_path / "references.bib").write_text((ROOT / "references.bib").read_text(encoding="utf-8"))
    (tmp_path / "_config.yml").write_text("repository:\n  url: https://github.com/someone/book\n")
    for name in ("requirements.txt", "constraints.txt", "LICENSE"):
        (tmp_path / name).write_text((ROOT / name).read_text(encoding="utf-8"))
    for folder, name in (("utils", "__init__.py"), ("data", "counts.csv")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / name).write_text("# a stand-in\n")
    return Book(tmp_path)


def executed(book: Book, answer: float = 4.0) -> Path:
    """A stand-in for the build's jupyter_execute folder: the chapter with its capture outputs."""
    chapter = book.chapter("07_demo")
    notebook = with_captures(chapter.notebook, capture_cells(chapter, book.sidecars["07_demo"]))
    for cell in notebook["cells"]:
        if cell["id"].endswith("-capture"):
            cell["outputs"] = [{"output_type": "stream", "name": "stdout",
                                "text": f"{ANSWER_MARK} ex-demo-gated {answer}\n"}]
    folder = book.root / "_build" / "jupyter_execute"
    (folder / "chapters").mkdir(parents=True)
    (folder / "chapters" / "07_demo.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    return folder


def test_blocks_split_at_top_level_fences_only():
    text = "intro\n\n````{note}\ninner\n```{tip}\nnested\n```\n````\n\n```python\n{cite:t}`x`\n```\ntail"
    blocks = split_blocks(text)
    assert [(b.name, b.fence) for b in blocks] == [("", ""), ("note", "````"), ("", "```"), ("", "")]
    assert blocks[1].body == "inner\n```{tip}\nnested\n```"


def test_myst_becomes_plain_markdown():
    context = Context(stem="07_demo", numbers={"ex-a": ("07_demo", "7.1"), "ex-b": ("11_x", "11.3")},
                      titles={"11_x": "Eleven", "../pages/glossary": "Glossary"},
                      cite=lambda keys, mode: f"<{mode}:{','.join(keys)}>", references=lambda: "- A ref")
    text = ("(sec-x)=\n% a comment\n## Head\n\n{term}`Operational CRM`, {term}`systems <Operational CRM>`, "
            "{doc}`11_x`, {doc}`the glossary <../pages/glossary>`, {ref}`ex-a`, {ref}`ex-b`, "
            "{cite:t}`k1,k2`, {cite:p}`k3`, {math}`a^2`, {sub}`2`\n\n"
            "```{warning}\nCareful {term}`x`.\n```\n\n```{admonition} Own *title*\n:class: tip\n\nBody\n```\n\n"
            "```{exercise} Do it\n:label: ex-a\n\nWork.\n```\n\n```{math}\nx = 1\n```\n\n"
            "```{figure} ../assets/f.png\n:alt: A figure\n\nIts caption\n```\n\n```{mystery} Arg\nInside\n```\n\n"
            "```python\n{cite:t}`kept` in code\n```\n\n```{bibliography}\n```")
    plain = to_plain(text, context)
    assert '<a id="sec-x"></a>' in plain and "% a comment" not in plain
    assert "Operational CRM, systems, [Eleven](11_x.ipynb), the glossary, [Exercise 7.1](#ex-a), " \
           "[Exercise 11.3](11_x.ipynb#ex-b), <t:k1,k2>, <p:k3>, $a^2$, <sub>2</sub>" in plain
    assert "> **Warning**\n>\n> Careful x." in plain
    assert "> **Own *title***\n>\n> Body" in plain
    assert '<a id="ex-a"></a>\n\n**Exercise 7.1** Do it\n\nWork.' in plain
    assert "$$\nx = 1\n$$" in plain and "![A figure](../assets/f.png)\n\n*Its caption*" in plain
    assert "> **Arg**\n>\n> Inside" in plain
    assert "```python\n{cite:t}`kept` in code\n```" in plain
    assert plain.rstrip().endswith("- A ref")


def test_exercises_are_numbered_per_chapter_with_the_file_number(small_book):
    chapter = small_book.chapter("07_demo")
    assert [(e.label, e.number, e.solution) for e in chapter.exercises] == [
        ("ex-demo-plain", "7.1", "plain"), ("ex-demo-gated", "7.2", "gated"), ("ex-demo-open", "7.3", "")]
    assert exercise_number("11_tallies_audit", 3) == "11.3" and exercise_number("welcome", 2) == "2"
    assert chapter.exercise("ex-demo-gated").solution_code == ["a3"]
    assert chapter.reading_minutes == 12 and chapter.title == "A small chapter"


@pytest.mark.parametrize(("text", "message"), [
    ("```{exercise} No label\n\nx\n```", "has no :label:"),
    ("```{solution} ex-none\n\nx\n```", "names 'ex-none', which is no exercise above it"),
    ("```{exercise} A\n:label: ex-a\n```\n\n```{solution-start} ex-a\n```", "has no solution-end"),
    ("```{solution-end}\n```", "closes no solution-start"),
])
def test_broken_exercise_markup_is_one_sentence(tmp_path, text, message):
    notebook = {"cells": [md("x", text)]}
    with pytest.raises(ChapterError, match=message):
        read_chapter(tmp_path / "07_x.ipynb", notebook)


def test_student_notebook_has_no_solution_and_an_answer_and_check_cell(small_book):
    executed_dir = executed(small_book)
    out = small_book.root / "_build" / "html" / "course"
    generated = course_generate.generate(small_book, executed_dir, out)
    student = json.loads(generated.notebooks["student"]["07_demo.ipynb"])
    full = json.loads(generated.notebooks["full"]["07_demo.ipynb"])
    text = json.dumps(student)
    assert MARKER not in text and "The answer is two" not in text and "value = 2 * x" not in text
    assert MARKER in json.dumps(full) and "value = 2 * x" in json.dumps(full)
    ids = [c["id"] for c in student["cells"]]
    assert ids.index("a1") + 1 == ids.index("course-answer-key"), "the key follows the setup cell"
    assert ids.index("course-quiz-intro") < ids.index("course-quiz") < ids.index("a2-2"), "quiz before Exercises"
    assert ["ex-demo-gated-answer", "ex-demo-gated-check"] == [i for i in ids if i.startswith("ex-demo-gated")]
    assert {"ex-demo-plain-work", "ex-demo-plain-answer", "ex-demo-open-work", "ex-demo-open-answer"} <= set(ids)
    plain = markdown_text(student)
    assert "**Exercise 7.2** Gated" in plain and "[Exercise 7.1](#ex-demo-plain)" in plain
    assert "Mithas et al. (2005)" in plain and "(Mithas et al., 2005)" in plain
    assert "Mithas, S., Krishnan, M. S., & Fornell, C. (2005)" in plain
    for raw in ("```{", "{cite", "{term}", "{doc}", "{ref}", "{math}", ":label:"):
        assert raw not in plain, f"{raw} left in the student notebook"
    check_cell = next(c for c in full["cells"] if c["id"] == "ex-demo-gated-check")
    assert full["cells"][full["cells"].index(check_cell) - 1]["id"] == "a3", "full: check after the answer"
    assert "**Solution to Exercise 7.1**" in markdown_text(full)


def test_the_key_checks_the_captured_answer(small_book):
    generated = course_generate.generate(small_book, executed(small_book, 4.0), small_book.root / "out")
    student = json.loads(generated.notebooks["student"]["07_demo.ipynb"])
    key_source = "".join(next(c for c in student["cells"] if c["id"] == "course-answer-key")["source"])
    key = key_source.split('Checker("', 1)[1].split('")', 1)[0]
    check = Checker(key)
    assert check.grade("ex-demo-gated", 4.02).status == "right"
    assert check.grade("ex-demo-gated", 5).status == "wrong"
    assert check.grade("ex-demo-open", "x").status == "open"


def test_marker_reaches_nothing_in_the_course_pack(small_book):
    generated = course_generate.generate(small_book, executed(small_book), small_book.root / "out")
    with zipfile.ZipFile(generated.pack) as archive:
        names = archive.namelist()
        assert "crm-course/07_demo.ipynb" in names and "crm-course/README.md" in names
        leaks = [n for n in names if MARKER.encode() in archive.read(n)]
    assert leaks == []


def test_a_missing_answer_stops_the_generation(small_book):
    empty = small_book.root / "nothing"
    (empty / "chapters").mkdir(parents=True)
    with pytest.raises(RuntimeError, match="holds no answer for ex-demo-gated"):
        course_generate.generate(small_book, empty, small_book.root / "out")


def test_capture_reads_what_record_answer_printed(small_book):
    chapter = small_book.chapter("07_demo")
    captures = capture_cells(chapter, small_book.sidecars["07_demo"])
    assert list(captures) == ["a3"]
    assert captures["a3"]["metadata"]["tags"] == ["remove-cell"]
    outputs = {"cells": [{"outputs": [{"output_type": "stream", "text": ["noise\n", f"{ANSWER_MARK} ex-q [1, 2]\n"]}]}]}
    assert read_answers(outputs) == {"ex-q": [1, 2]}


@pytest.mark.parametrize(("code_text", "ok"), [
    ("x = 1\nanswer = x", True), ("answer = (1,\n  2)", True), ("answer = 1\nprint(answer)", True),
    ("result = 1", False), ("%time y = 1\nanswer = 2", True), ("for i in range(2):\n    answer = i", False),
    ("answer == 1", False), ("%time y = 1\n    answer = 2", False)])
def test_a_solution_must_assign_answer(code_text, ok):
    assert answer_assigned_last(code_text) is ok


def test_a_self_check_without_code_is_a_problem(small_book):
    (small_book.root / "chapters" / "meta" / "07_demo.yml").write_text(
        SIDECAR.replace('ex-demo-plain: {kind: recall, minutes: 5, rubric: "Two."}',
                        'ex-demo-plain: {kind: recall, minutes: 5, check: {type: number}}'))
    assert Book(small_book.root).problems() == [
        "07_demo: ex-demo-plain self-checks, so its solution needs code cells (solution-start … "
        "solution-end), the last assigning `answer = ...`"]


LABELS = ["ex-demo-plain", "ex-demo-gated", "ex-demo-open"]


@pytest.mark.parametrize(("edit", "message"), [
    (lambda s: s.replace("kind: recall", "kind: remembering"), "exercises.ex-demo-plain.kind must be one of recall"),
    (lambda s: s.replace("minutes: 5", "minutes: 0"), "exercises.ex-demo-plain.minutes must be a whole number of at least 1, got 0"),
    (lambda s: s.replace("type: number", "type: float"), "exercises.ex-demo-gated.check.type must be one of number"),
    (lambda s: s.replace("rtol: 0.01", "rtol: -1"), "check.rtol must be a number of at least 0, got -1"),
    (lambda s: s.replace(', rubric: "Any two designs."', ""), "exercises.ex-demo-open needs a check"),
    (lambda s: s.replace("ex-demo-open:", "ex-demo-other:"), "missing ex-demo-open; not in the chapter: ex-demo-other"),
    (lambda s: s.replace("answer: 2, explanation", "answer: 5, explanation"), r"quiz\[2\].answer must be the index \(0 to 2\)"),
    (lambda s: s.replace("answer: 2, tol: 0.1,", "answer: 2,"), r"quiz\[1\] is a number question and needs tol"),
    (lambda s: s + "extra: 1\n", "the file has unknown key"),
    (lambda s: s.replace("  - {question: \"Three?\"", "#"), "quiz must have 3 to 5 questions, got 2"),
])
def test_sidecar_mistakes_are_one_sentence(small_book, edit, message):
    path = small_book.root / "chapters" / "meta" / "07_demo.yml"
    path.write_text(edit(SIDECAR))
    with pytest.raises(SidecarError, match=message) as error:
        load(small_book.root / "chapters" / "07_demo.ipynb", LABELS)
    assert str(error.value).startswith("meta/07_demo.yml: ") and "\n" not in str(error.value)


def test_a_chapter_without_sidecar_gets_placeholders(small_book):
    (small_book.root / "chapters" / "meta" / "07_demo.yml").unlink()
    sidecar = load(small_book.root / "chapters" / "07_demo.ipynb", LABELS)
    assert not sidecar.exists and sidecar.placeholder_exercises == LABELS
    assert {m.rubric for m in sidecar.exercises.values()} == {PLACEHOLDER_RUBRIC}
    (small_book.root / "chapters" / "meta" / "07_demo.yml").write_text("claims: []\n")
    assert load(small_book.root / "chapters" / "07_demo.ipynb", LABELS).placeholder_exercises == LABELS


def _load(minutes: int, stem: str) -> ChapterLoad:
    return ChapterLoad(stem, stem, "", minutes, True, (), False)


def test_the_week_plan_keeps_order_and_minimizes_the_heaviest_week():
    loads = [_load(m, f"{i:02d}_c") for i, m in enumerate([10, 20, 30, 40], start=1)]
    assert [[c.minutes for c in week] for week in plan(loads, 2)] == [[10, 20, 30], [40]]
    assert [[c.minutes for c in week] for week in plan(loads, 3)] == [[10, 20], [30], [40]]
    assert [len(week) for week in plan(loads, 6)] == [1, 1, 1, 1, 0, 0]


def test_pack_requirements_leave_out_the_build_tools():
    text = requirements("-c constraints.txt\njupyter-book==1.0.4.post1\nsphinx-exercise==1.2.1\npandas==3.1.1\n")
    assert text.splitlines()[1:] == ["-c constraints.txt", "pandas==3.1.1"]


def test_the_pack_is_the_same_bytes_every_time(small_book, tmp_path):
    first = course_generate.generate(small_book, executed(small_book), tmp_path / "one").pack.read_bytes()
    second = course_generate.write_pack(tmp_path / "two" / PACK_NAME, small_book.root,
                                        {"07_demo.ipynb": json.dumps({"cells": []}).encode()}, "u")
    again = course_generate.write_pack(tmp_path / "three" / PACK_NAME, small_book.root,
                                       {"07_demo.ipynb": json.dumps({"cells": []}).encode()}, "u")
    assert second.read_bytes() == again.read_bytes() and first != second.read_bytes()


def test_sync_writes_the_variants_and_the_utils_stand_in(small_book, tmp_path):
    generated = course_generate.generate(small_book, executed(small_book), tmp_path / "out")
    target = tmp_path / "notebooks"
    (target / "student").mkdir(parents=True)
    (target / "student" / "99_gone.ipynb").write_text("{}")
    changed = course_generate.sync(generated.notebooks, target)
    assert (target / "student" / "07_demo.ipynb").read_bytes() == generated.notebooks["student"]["07_demo.ipynb"]
    assert not (target / "student" / "99_gone.ipynb").exists()
    assert (target / "full" / "utils" / "__init__.py").read_text() == course_generate.STAND_IN
    assert len(changed) == 5 and course_generate.sync(generated.notebooks, target) == []


COLAB = ('import sys\nif "google.colab" in sys.modules:  # Colab\n    import subprocess\n'
         '    sys.path.insert(0, "/content/book")\n\nimport pandas as pd\n\nSEED = 1')


def test_the_html_hides_the_colab_step_in_a_cell_of_its_own():
    cells = [md("t", "# T"), code("s", COLAB)]
    course_html._split_colab(cells)
    assert [c["id"] for c in cells] == ["t", "s-colab", "s"]
    assert cells[1]["metadata"]["tags"] == ["remove-cell"] and cells[1]["source"].endswith('"/content/book")')
    assert cells[2]["source"] == "import pandas as pd\n\nSEED = 1"


def test_the_html_quiz_goes_before_the_exercises_heading():
    cells = [md("x", "## Summary\n\nDone.\n\n## Exercises\n\n```{exercise} A\n:label: ex-a\n```")]
    course_html._insert_quiz(cells)
    assert [c["id"] for c in cells] == ["x", "course-quiz", "x-exercises"]
    assert cells[0]["source"] == "## Summary\n\nDone." and cells[2]["source"].startswith("## Exercises")


def test_quiz_html_is_labelled_and_carries_no_address():
    page = course_html.quiz_html("07_demo", [
        {"question": "Is $a$ `b`?", "type": "choice", "options": ["x", "y"], "answer": 1, "explanation": "E."},
        {"question": "N?", "type": "number", "answer": 0.3, "tol": 0.01, "explanation": "F."}])
    assert page.count("<fieldset") == 2 and page.count("<legend>") == 2
    assert '<span class="math notranslate nohighlight">\\(a\\)</span> <code>b</code>' in page
    assert 'data-type="number" data-answer="0.3" data-tol="0.01"' in page
    assert '<label class="course-quiz-option" for="quiz-07_demo-2">' in page
    assert "http" not in page


def test_an_answer_printed_in_two_stream_messages_is_read():
    """A kernel may split one printed line over two stream outputs (seen in a build)."""
    outputs = {"cells": [{"outputs": [{"output_type": "stream", "name": "stdout", "text": [ANSWER_MARK]},
                                      {"output_type": "stream", "name": "stdout", "text": [" ex-q 0.34\n"]}]}]}
    assert read_answers(outputs) == {"ex-q": 0.34}
