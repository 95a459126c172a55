"""The course in the built book: notebooks and pack published and linked, exercise numbers per
chapter, the Colab step and dead sliders gone from the pages, quizzes, the instructor kit, the
committed notebooks current, no solution text in any student notebook or in the pack, and the
pack running a student notebook from an empty folder."""

from __future__ import annotations

import html as html_module
import json
import os
import re
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path

import pytest

import bookcli
from course.book import Book
from course.chapter import source
from course.pack import PACK_NAME
from course.syllabus import exercise_rows, self_check_share
from utils.exercises import Checker

ROOT = bookcli.ROOT
BOOK = Book(ROOT)
CHAPTERS = [c.stem for c in BOOK.chapters]
SELF_CHECK_TARGET = 0.60  # issue 10: at least 60 % of all exercises check themselves
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def page(html: Path, stem: str) -> str:
    return (html / "chapters" / f"{stem}.html").read_text(encoding="utf-8")


def text_of(page_html: str) -> str:
    return html_module.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page_html)))


def notebook(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def key_of(nb: dict) -> str:
    cell = next(c for c in nb["cells"] if c["id"] == "course-answer-key")
    return re.search(r'Checker\("([^"]+)"\)', source(cell)).group(1)


# --------------------------------------------------------------------------- without a build


def test_every_sidecar_follows_the_format_and_every_check_has_its_answer_line():
    assert set(BOOK.sidecars) == set(CHAPTERS)
    assert BOOK.problems() == []


def test_exercises_waiting_for_a_sidecar_are_counted():
    rows = exercise_rows(BOOK)
    waiting = [r for r in rows if r.placeholder]
    chapters = sorted({r.stem for r in waiting})
    if waiting:
        warnings.warn(f"{len(waiting)} of {len(rows)} exercises, in {len(chapters)} chapters "
                      f"({', '.join(chapters)}), have no sidecar entry yet: open, rubric to be written",
                      UserWarning, stacklevel=1)
    assert all(r.rubric == "rubric to be written" and r.check is None for r in waiting)


def test_at_least_60_percent_of_exercises_check_themselves():
    assert self_check_share(exercise_rows(BOOK)) >= SELF_CHECK_TARGET


# --------------------------------------------------------------------------- the built pages


@pytest.mark.parametrize("stem", CHAPTERS)
def test_chapter_page_links_its_notebooks_and_the_pack(html, assignments_html, stem):
    text = page(html, stem)
    for link in (f"../course/student/{stem}.ipynb", f"../course/full/{stem}.ipynb", f"../course/{PACK_NAME}",
                 "../pages/instructor_kit.html"):
        assert f'href="{link}"' in text
        assert (html / "chapters" / link).resolve().is_file()
    hidden = page(assignments_html, stem)
    assert f'href="../course/student/{stem}.ipynb"' in hidden and "course/full/" not in hidden
    assert not (assignments_html / "course" / "full").exists()


@pytest.mark.parametrize("stem", CHAPTERS)
def test_exercise_numbers_restart_in_every_chapter(html, stem):
    expected = [e.number for e in BOOK.chapter(stem).exercises]
    shown = re.findall(r'<span class="caption-number">Exercise ([\d.]+) </span>', page(html, stem))
    assert shown == expected
    student = notebook(ROOT / "notebooks" / "student" / f"{stem}.ipynb")
    markdown = "\n".join(source(c) for c in student["cells"] if c["cell_type"] == "markdown")
    assert re.findall(r"\*\*Exercise ([\d.]+)\*\*", markdown) == expected


@pytest.mark.parametrize("stem", CHAPTERS)
def test_colab_step_is_hidden_in_the_page_and_kept_in_the_notebooks(html, stem):
    assert "google.colab" not in page(html, stem)
    for variant in ("student", "full"):
        assert "google.colab" in json.dumps(notebook(ROOT / "notebooks" / variant / f"{stem}.ipynb"))


def test_explorers_show_one_line_instead_of_dead_sliders(html):
    notes = {stem: page(html, stem).count("course-explorer-note") for stem in CHAPTERS}
    assert notes["01_crm_systems"] == 1 and notes["11_tallies_audit"] == 2
    assert [stem for stem in CHAPTERS if WIDGET_VIEW in page(html, stem)] == []
    assert "widgets/embed-amd.js" not in page(html, "01_crm_systems"), "no widget scripts left to load"
    assert WIDGET_VIEW in (html / "pages" / "welcome.html").read_text(encoding="utf-8"), "pages keep theirs"


def test_a_chapter_with_a_quiz_shows_it_before_the_exercises(html):
    text = page(html, "01_crm_systems")
    quiz = BOOK.sidecars["01_crm_systems"].quiz
    assert text.count('<fieldset class="course-quiz-question"') == len(quiz) >= 3
    assert text.index('id="quiz"') < text.index('class="course-quiz"') < text.index('id="exercises"')
    assert '_static/course-quiz.js' in text


def test_instructor_kit_has_every_exercise_two_plans_and_run_times(html, assignments_html):
    kit = text_of((html / "pages" / "instructor_kit.html").read_text(encoding="utf-8"))
    hidden = text_of((assignments_html / "pages" / "instructor_kit.html").read_text(encoding="utf-8"))
    for row in exercise_rows(BOOK):
        assert row.label in kit and row.label in hidden
    rubric = BOOK.sidecars["01_crm_systems"].exercises["ex-crm_knowledge-confounding"].rubric
    assert rubric[:60] in kit and rubric[:60] not in hidden, "rubrics stay out of the solution-free build"
    for weeks in (6, 12):
        assert f" {weeks} " in kit
    for chapter in BOOK.chapters:
        assert re.search(re.escape(chapter.title) + r" \d+\.\d ", kit), f"no run time for {chapter.stem}"
    assert "A determined student can decode it" in kit


def test_launch_buttons_open_the_chapter_or_in_the_solution_free_build_the_student_notebook(html, assignments_html):
    for stem in CHAPTERS:
        shown, hidden = page(html, stem), page(assignments_html, stem)
        for opener in (f"?urlpath=lab/tree/chapters/{stem}.ipynb", f"/blob/main/chapters/{stem}.ipynb"):
            assert opener in shown  # course_launch: chapter (the default in _config.yml)
            assert opener not in hidden
        assert f"?urlpath=lab/tree/notebooks/student/{stem}.ipynb" in hidden
        assert f"/blob/main/notebooks/student/{stem}.ipynb" in hidden


def test_downloads_of_the_solution_free_build_are_student_notebooks(assignments_html):
    for stem in CHAPTERS:
        # the page's download button links the file that the build replaced by the student notebook
        assert f'href="../_sources/chapters/{stem}.ipynb"' in page(assignments_html, stem)
        offered = assignments_html / "_sources" / "chapters" / f"{stem}.ipynb"
        assert notebook(offered)["metadata"]["course"]["variant"] == "student"


# --------------------------------------------------------------------------- the notebooks


def test_committed_notebooks_are_what_the_build_writes(html):
    for variant in ("student", "full"):
        built = {p.name: p.read_bytes() for p in (html / "course" / variant).glob("*.ipynb")}
        committed = {p.name: p.read_bytes() for p in (ROOT / "notebooks" / variant).glob("*.ipynb")}
        assert sorted(built) == sorted(f"{stem}.ipynb" for stem in CHAPTERS)
        assert committed == built, f"notebooks/{variant} differs from this build: run `python3 tools/book.py build`"
    try:
        status = subprocess.run(["git", "status", "--porcelain", "--", "notebooks"], cwd=ROOT,
                                capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        if os.environ.get("CI") == "true":
            pytest.fail("git is needed to check that notebooks/ is committed (install git)")
        pytest.skip("not a git checkout: cannot tell whether notebooks/ is committed")
    assert status == "", ("the build rewrote these generated notebooks; commit them (Binder and Colab "
                          "open them from the repository):\n" + status)


def _solution_lines(stem: str) -> set[str]:
    """Distinctive lines of a chapter's solutions: text and code that appear nowhere else."""
    chapter = BOOK.chapter(stem)
    inside, outside = [], []
    for piece in chapter.pieces:
        text = piece.block.body if piece.role == "solution" else (
            piece.block.text if piece.block is not None else source(chapter.cells[piece.cell]))
        (inside if piece.solution_of and piece.role not in {"exercise", "solution-start", "solution-end"}
         else outside).append(text)
    elsewhere = "\n".join(outside)
    lines = {line.strip() for text in inside for line in text.splitlines()}
    return {line for line in lines if len(line) >= 40 and line not in elsewhere and "{" not in line}


@pytest.mark.parametrize("stem", CHAPTERS)
def test_no_solution_text_in_a_student_notebook_or_the_pack(html, stem):
    lines = _solution_lines(stem)
    assert lines, f"{stem}: no solution text found to look for"
    student = json.dumps(notebook(ROOT / "notebooks" / "student" / f"{stem}.ipynb"), ensure_ascii=False)
    with zipfile.ZipFile(html / "course" / PACK_NAME) as archive:
        # the pack's notebooks and README (utils/ may quote a call a solution also makes)
        pack = "\n".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist()
                         if n.endswith((".ipynb", "README.md")))
    for line in lines:
        assert json.dumps(line, ensure_ascii=False)[1:-1] not in student, f"{stem}: solution text in the student notebook"
        assert line not in pack and json.dumps(line, ensure_ascii=False)[1:-1] not in pack
    full = json.dumps(notebook(ROOT / "notebooks" / "full" / f"{stem}.ipynb"), ensure_ascii=False)
    assert any(json.dumps(line, ensure_ascii=False)[1:-1] in full for line in lines)


def test_pilot_answers_agree_with_independent_values(html):
    """Chapter 01's expected answers, from its executed solutions, against hand-derived values."""
    check = Checker(key_of(notebook(ROOT / "notebooks" / "student" / "01_crm_systems.ipynb")))
    effects = {"a": 0.6, "b": 0.5, "c_prime": -0.2, "indirect": 0.3, "direct": -0.2, "total": 0.1,
               "proportion_mediated": 3.0}  # a·b, c′, c′ + a·b, a·b / (c′ + a·b)
    table4_all_three = {"Customer service and support", "Departmental portals", "Social media",
                        "Communication support", "Tele/video/web conferencing"}  # Table 4, p. 33
    expected = {
        "ex-crm_knowledge-types": {"a": "operational", "b": "operational", "c": "collaborative",
                                   "d": "analytical", "e": "collaborative"},
        "ex-crm_knowledge-cases": table4_all_three,
        "ex-crm_knowledge-competitive": effects,
        "ex-crm_knowledge-sample-size": 20 ** 0.5,  # interval width ∝ 1/√n; the check's tolerance is wide
        "ex-crm_knowledge-confounding": 0.5,  # c′ − a·g²/(g² + 1) = 0 with a = 0.5, c′ = 0.1
    }
    for label, value in expected.items():
        assert check.grade(label, value).status == "right", label


def _run(path: Path, cwd: Path) -> dict:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}).execute()
    return nb


def _printed(nb: dict, cell_id: str) -> str:
    cell = next(c for c in nb["cells"] if c["id"] == cell_id)
    return "".join(o.get("text", "") for o in cell["outputs"] if o["output_type"] == "stream")


def test_the_full_pilot_notebook_checks_its_own_solutions():
    path = ROOT / "notebooks" / "full" / "01_crm_systems.ipynb"
    nb = _run(path, path.parent)
    for label in BOOK.sidecars["01_crm_systems"].exercises:
        assert _printed(nb, f"{label}-check").startswith("✓ Exercise 1."), label


def test_the_course_pack_runs_a_student_notebook_from_an_empty_folder(html, tmp_path):
    with zipfile.ZipFile(html / "course" / PACK_NAME) as archive:
        archive.extractall(tmp_path)
    folder = tmp_path / "crm-course"
    assert sorted(p.name for p in folder.glob("*.ipynb")) == sorted(f"{s}.ipynb" for s in CHAPTERS)
    for needed in ("README.md", "requirements.txt", "constraints.txt", "utils/__init__.py", "data/MANIFEST.sha256"):
        assert (folder / needed).is_file(), needed
    requirements = (folder / "requirements.txt").read_text()
    assert "jupyterlab-myst==" in requirements and "jupyter-book" not in requirements
    nb = _run(folder / "01_crm_systems.ipynb", folder)
    for label in BOOK.sidecars["01_crm_systems"].exercises:
        assert "not answered yet" in _printed(nb, f"{label}-check"), label
    probe = subprocess.run([sys.executable, "-c", "import utils, sys; print(utils.__file__)"], cwd=folder,
                           capture_output=True, text=True, check=True)
    assert Path(probe.stdout.strip()).is_relative_to(folder), "the pack must use its own utils/"
