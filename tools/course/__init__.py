"""The book as a notebook course: student and full notebooks, answer keys, quizzes, the course
pack and the instructor kit's tables, generated from the chapters and their sidecars.

Modules: ``myst`` (MyST blocks, plain Markdown), ``references`` (citations as text),
``chapter`` (exercises and solutions of a notebook), ``sidecar`` (``chapters/meta/*.yml``),
``book`` (chapters in toc order), ``variants`` (student and full notebooks), ``answers``
(expected answers from the executed solutions), ``pack`` (the course pack), ``syllabus`` (week
plans and exercise tables), ``generate`` (all of it from a build's executed notebooks).
Used by ``tools/sphinx/course_html.py`` during the build and by ``tools/book.py course``.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The answer keys are encoded and checked by the book's own utils.exercises (the same code the
# students run), so the repository root must be importable from the build's process too.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
