"""Write every chapter's notebook variants and the course pack from a build's executed notebooks.

``generate(book, answers, out)`` takes the expected answers (read by the build from its
execution cache, or from a folder of executed notebooks), writes ``out/<variant>/<chapter>.ipynb`` for each variant and
``out/crm-course-pack.zip``. ``sync(out, target)`` copies the variants into the repository's
``notebooks/`` folder, where Binder and Colab open them by path.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from course.answers import chapter_key, chapter_quiz, load_executed, read_answers
from course.book import Book
from course.pack import PACK_NAME, write_pack
from course.variants import VARIANTS, Inputs

# Placed as notebooks/<variant>/utils/__init__.py so that `import utils` in a generated notebook
# finds the book's package, as chapters/utils/ does for the chapters.
STAND_IN = '''"""Stand-in that makes ``import utils`` in a generated notebook load the book's ``utils/``.

Jupyter, Binder and nbmake start a notebook's kernel in its own folder, which Python searches
first; this file loads the real package (three folders up) under the name ``utils``. Written by
``python3 tools/book.py build``; do not edit.
"""

import importlib.util
import sys
from pathlib import Path

_real = Path(__file__).resolve().parents[3] / "utils" / "__init__.py"
_spec = importlib.util.spec_from_file_location("utils", _real, submodule_search_locations=[str(_real.parent)])
_module = importlib.util.module_from_spec(_spec)
sys.modules["utils"] = _module
_spec.loader.exec_module(_module)
'''


def notebook_bytes(notebook: dict[str, Any]) -> bytes:
    """A notebook as the book stores notebooks (indent 1, UTF-8, final newline)."""
    return (json.dumps(notebook, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


@dataclass
class Generated:
    """What :func:`generate` wrote: ``notebooks[variant][file name]`` and the pack's path."""

    notebooks: dict[str, dict[str, bytes]] = field(default_factory=dict)
    pack: Path | None = None


def answers_from_folder(book: Book, executed: Path) -> dict[str, dict[str, Any]]:
    """``{chapter: {label: expected}}`` from executed notebooks saved as
    ``executed/chapters/<chapter>.ipynb`` (a chapter without one gets no answers)."""
    found = {}
    for chapter in book.chapters:
        path = executed / "chapters" / f"{chapter.stem}.ipynb"
        found[chapter.stem] = read_answers(load_executed(path)) if path.is_file() else {}
    return found


def variant_notebooks(book: Book, answers: dict[str, dict[str, Any]],
                      variants: tuple[str, ...]) -> dict[str, dict[str, bytes]]:
    """``{variant: {"NN_name.ipynb": bytes}}`` for every chapter of the book; ``answers`` holds
    each chapter's expected answers (:func:`course.answers.read_answers`)."""
    result: dict[str, dict[str, bytes]] = {variant: {} for variant in variants}
    for chapter in book.chapters:
        sidecar = book.sidecars[chapter.stem]
        inputs = Inputs(book.context(chapter), sidecar,
                        chapter_key(chapter, sidecar, answers.get(chapter.stem, {})), chapter_quiz(sidecar))
        for variant in variants:
            result[variant][f"{chapter.stem}.ipynb"] = notebook_bytes(VARIANTS[variant](chapter, inputs))
    return result


def _write_folder(folder: Path, files: dict[str, bytes]) -> list[Path]:
    """Make ``folder`` hold exactly ``files`` (other .ipynb files removed); return what changed."""
    folder.mkdir(parents=True, exist_ok=True)
    changed = []
    for stale in sorted(folder.glob("*.ipynb")):
        if stale.name not in files:
            stale.unlink()
            changed.append(stale)
    for name, data in files.items():
        path = folder / name
        if not path.is_file() or path.read_bytes() != data:
            path.write_bytes(data)
            changed.append(path)
    return changed


def generate(book: Book, answers: dict[str, dict[str, Any]] | Path, out: Path, *,
             variants: tuple[str, ...] = ("student", "full"), pack: bool = True) -> Generated:
    """Write the variants (and the pack, made from the student notebooks) under ``out``.
    ``answers`` is ``{chapter: {label: expected}}`` or a folder of executed notebooks."""
    if isinstance(answers, Path):
        answers = answers_from_folder(book, answers)
    notebooks = variant_notebooks(book, answers, tuple(dict.fromkeys(("student", *variants))))
    for variant in variants:
        _write_folder(out / variant, notebooks[variant])
    for extra in out.iterdir() if out.is_dir() else []:
        if extra.is_dir() and extra.name not in variants:
            shutil.rmtree(extra)
    generated = Generated({v: notebooks[v] for v in variants})
    if pack:
        generated.pack = write_pack(out / PACK_NAME, book.root, notebooks["student"], book.repository_url)
    return generated


def sync(generated: dict[str, dict[str, bytes]], target: Path) -> list[Path]:
    """Copy the variants into ``target/<variant>/`` (with the utils stand-in); return changes."""
    changed = []
    for variant, files in generated.items():
        changed += _write_folder(target / variant, files)
        stand_in = target / variant / "utils" / "__init__.py"
        if not stand_in.is_file() or stand_in.read_text(encoding="utf-8") != STAND_IN:
            stand_in.parent.mkdir(parents=True, exist_ok=True)
            stand_in.write_text(STAND_IN, encoding="utf-8")
            changed.append(stand_in)
    return changed
