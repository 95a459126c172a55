"""Each chapter's stated times, generated from the chapter itself and the last benchmark.

Every chapter's front matter has a **Time.** paragraph. Nothing in it is typed by hand:

- **time to read**: the words of the chapter's body (every markdown and code cell after the front
  matter, up to the ``## Exercises`` heading; directive fences and their ``:option:`` lines are
  not words) at :data:`WORDS_PER_MINUTE`, rounded to the nearest :data:`READ_STEP` minutes (the
  paragraph shows the words to the nearest hundred);
- **the exercises**: their number and the sum of their ``minutes`` in the chapter's sidecar
  ``chapters/meta/<chapter>.yml``;
- **time to run**: the chapter's total in the newest run of ``python3 tools/book.py benchmark``
  recorded in ``tools/benchmark_history.csv`` (a fresh kernel, the setup cell and every other
  cell; with ``--repeat N``, the fastest of the chapter's N runs), rounded to the nearest :data:`RUN_STEP` seconds, with the machine's number of cores. A
  chapter the history does not list (or no history at all) states the book's limit instead:
  "under 20 seconds", the developers' guide's rule for every chapter.

``python3 tools/book.py build`` rewrites the paragraphs before it builds (as it writes the Colab
step), ``python3 tools/book.py times`` does only that, and ``tests/test_chapter_times.py`` fails
when a paragraph is not what this module computes. So after a benchmark run or an edit that
changes a chapter's length, the next build brings the headers up to date.
"""

from __future__ import annotations

import csv
import json
import math
import re
import textwrap
from pathlib import Path

WORDS_PER_MINUTE = 100
READ_STEP = 5  # minutes
RUN_STEP = 5  # seconds
RUN_LIMIT = 20  # seconds: the guide's limit for a chapter, stated when there is no measurement
WIDTH = 96  # the wrapping of the chapters' markdown

ROOT = Path(__file__).resolve().parents[1]
HISTORY = Path(__file__).with_name("benchmark_history.csv")
TIME_PARAGRAPH = re.compile(r"\*\*Time\.\*\*.*?(?=\n\s*\n|\n```|\Z)", re.S)
_MARKUP_LINE = re.compile(r"^\s*(```|:[a-z-]+:)")
_EXERCISES = re.compile(r"^## Exercises", re.M)


def _source(cell: dict) -> str:
    source = cell["source"]
    return source if isinstance(source, str) else "".join(source)


def count_words(text: str) -> int:
    """Whitespace-separated words of ``text``, without directive fences and option lines."""
    return sum(len(line.split()) for line in text.splitlines() if not _MARKUP_LINE.match(line))


def body_words(cells: list[dict]) -> int:
    """Words of every cell after the front matter (cell 0) up to the ``## Exercises`` heading."""
    words = 0
    for cell in cells[1:]:
        text = _source(cell)
        end = _EXERCISES.search(text) if cell["cell_type"] == "markdown" else None
        words += count_words(text[:end.start()] if end else text)
        if end:
            break
    return words


def reading_minutes(words: int) -> int:
    """``words`` at WORDS_PER_MINUTE, to the nearest READ_STEP minutes (at least READ_STEP)."""
    return max(READ_STEP, READ_STEP * math.floor(words / WORDS_PER_MINUTE / READ_STEP + 0.5))


def exercise_minutes(sidecar: Path) -> tuple[int, int]:
    """Number of exercises in the sidecar and the sum of their ``minutes``."""
    import yaml

    if not sidecar.is_file():
        return 0, 0
    exercises = (yaml.safe_load(sidecar.read_text(encoding="utf-8")) or {}).get("exercises") or {}
    return len(exercises), sum(int(e.get("minutes") or 0) for e in exercises.values())


def measured_seconds(history: Path = HISTORY) -> dict[str, tuple[float, int | None]]:
    """For each notebook (``chapters/NN_x.ipynb``) its total seconds in the newest benchmark run
    that timed it, and the cores of that machine (None if the machine column names none)."""
    if not history.is_file():
        return {}
    newest: dict[str, tuple[str, float, int | None]] = {}
    with history.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            cores = re.search(r"(\d+) cores?$", row["machine"])
            entry = (row["date"], float(row["total"]), int(cores.group(1)) if cores else None)
            if row["what"] not in newest or entry[0] >= newest[row["what"]][0]:
                newest[row["what"]] = entry
    return {what: (seconds, cores) for what, (_, seconds, cores) in newest.items()}


def run_seconds(seconds: float) -> int:
    """A measured run time, to the nearest RUN_STEP seconds (at least RUN_STEP)."""
    return max(RUN_STEP, RUN_STEP * math.floor(seconds / RUN_STEP + 0.5))


def time_paragraph(path: Path, measured: dict[str, tuple[float, int | None]] | None = None) -> str:
    """The **Time.** paragraph the chapter at ``path`` should state (wrapped as the chapters are)."""
    measured = measured_seconds() if measured is None else measured
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    words = body_words(cells)
    shown = max(100, round(words, -2))  # to the nearest hundred, so that a small edit changes nothing
    text = (f"**Time.** About {reading_minutes(words)} minutes to read (about {shown:,} words of text "
            f"and code before the exercises, at {WORDS_PER_MINUTE} words a minute)")
    count, minutes = exercise_minutes(path.parent / "meta" / f"{path.stem}.yml")
    if count:
        text += f"; the {count} exercises take about {minutes} minutes in all"
    key = f"chapters/{path.name}"
    if key in measured:
        seconds, cores = measured[key]
        on = f" on {cores} cores" if cores else ""
        text += f"; the notebook runs in about {run_seconds(seconds)} seconds{on} (the last benchmark)."
    else:
        text += (f"; the notebook runs in under {RUN_LIMIT} seconds (the book's limit for a chapter; "
                 "not benchmarked yet).")
    return textwrap.fill(text, width=WIDTH, break_long_words=False, break_on_hyphens=False)


def stated_paragraph(path: Path) -> str | None:
    """The **Time.** paragraph of the chapter's front matter as it stands (None if it has none)."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    found = TIME_PARAGRAPH.search(_source(cells[0])) if cells else None
    return found.group(0) if found else None


def chapters(root: Path = ROOT) -> list[Path]:
    return sorted((root / "chapters").glob("*.ipynb"))


def stale(root: Path = ROOT, history: Path = HISTORY) -> list[tuple[Path, str | None, str]]:
    """Chapters whose **Time.** paragraph differs from the generated one: (path, stated, wanted)."""
    measured = measured_seconds(history)
    out = []
    for path in chapters(root):
        wanted, stated = time_paragraph(path, measured), stated_paragraph(path)
        if stated != wanted:
            out.append((path, stated, wanted))
    return out


def sync_chapter_times(root: Path = ROOT, history: Path = HISTORY) -> list[Path]:
    """Write the generated **Time.** paragraph into every chapter's front matter; return the files
    changed. A chapter without a **Time.** paragraph is left alone (the shape test names it)."""
    changed = []
    for path, stated, wanted in stale(root, history):
        if stated is None:
            continue
        notebook = json.loads(path.read_text(encoding="utf-8"))
        first = notebook["cells"][0]
        new = _source(first).replace(stated, wanted, 1)
        first["source"] = new if isinstance(first["source"], str) else new.splitlines(keepends=True)
        path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        changed.append(path)
    return changed


if __name__ == "__main__":
    for changed_path in sync_chapter_times():
        print(f"wrote the times of {changed_path.relative_to(ROOT)}")
