"""Each chapter's stated times are generated (tools/chapter_times.py): time to read from the word
count at one rate for every chapter, the exercises from the sidecar, time to run from the newest
benchmark in tools/benchmark_history.csv (or the book's 20 s limit when it has none)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import chapter_times


def notebook(tmp_path: Path, cells: list[tuple[str, str]], name: str = "01_x.ipynb") -> Path:
    path = tmp_path / "chapters" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"cells": [{"cell_type": kind, "source": text} for kind, text in cells]}),
                    encoding="utf-8")
    return path


FRONT = "# Title\n\n```{admonition} Before you start\n\n**Time.** About 1 minute to read.\n\n**Prerequisites.** None.\n```"


@pytest.mark.parametrize("path", chapter_times.chapters(), ids=lambda p: p.name)
def test_chapter_states_the_generated_times(path):
    stated, wanted = chapter_times.stated_paragraph(path), chapter_times.time_paragraph(path)
    assert stated is not None, f"{path.name}: the front matter has no **Time.** paragraph"
    assert stated == wanted, (f"{path.name}: the stated times are not the generated ones; run "
                              f"`python3 tools/book.py times` (the build does it too).\n"
                              f"stated: {stated}\nwanted: {wanted}")


def test_every_chapter_reads_at_one_stated_rate():
    assert chapter_times.WORDS_PER_MINUTE == 100, "the chapters were written for 100 words a minute"
    for path in chapter_times.chapters():
        stated = (chapter_times.stated_paragraph(path) or "").replace("\n", " ")
        assert "at 100 words a minute" in stated, f"{path.name} states no rate, or another one"


def test_words_are_counted_in_the_body_only(tmp_path):
    body = " ".join(["word"] * 2_940)
    path = notebook(tmp_path, [
        ("markdown", FRONT + " " + " ".join(["front"] * 500)),  # the front matter does not count
        ("code", "x = 1 # four"),  # 5 words of code
        ("markdown", "```{admonition} Note\n:class: tip\n" + body + "\n```"),  # fences are not words
        ("markdown", "four words then\n\n## Exercises\n\n" + " ".join(["exercise"] * 900)),
        ("markdown", " ".join(["solution"] * 900)),
    ])
    cells = json.loads(path.read_text())["cells"]
    assert chapter_times.body_words(cells) == 5 + 2_940 + 3  # "## Exercises" ends the count
    assert chapter_times.reading_minutes(2_949) == 30
    assert chapter_times.reading_minutes(2_449) == 25 and chapter_times.reading_minutes(2_451) == 25
    assert chapter_times.reading_minutes(2_551) == 25 and chapter_times.reading_minutes(2_750) == 30
    assert chapter_times.reading_minutes(120) == 5, "never less than one step"


def test_run_time_is_the_newest_measurement_of_each_chapter(tmp_path):
    history = tmp_path / "history.csv"
    history.write_text(
        "date,commit,machine,what,kernel,imports,work,total\n"
        "2026-01-01T00:00:00,a,box 2 cores,chapters/01_x.ipynb,1,2,3,26.00\n"
        "2026-01-02T00:00:00,b,box 2 cores,chapters/01_x.ipynb,1,2,3,11.90\n"
        "2026-01-02T00:00:00,b,box 2 cores,chapters/02_y.ipynb,1,2,3,3.10\n", encoding="utf-8")
    measured = chapter_times.measured_seconds(history)
    assert measured == {"chapters/01_x.ipynb": (11.9, 2), "chapters/02_y.ipynb": (3.1, 2)}
    assert chapter_times.run_seconds(11.9) == 10 and chapter_times.run_seconds(12.6) == 15
    assert chapter_times.run_seconds(3.1) == 5
    first = notebook(tmp_path, [("markdown", FRONT), ("markdown", "## Exercises")])
    other = notebook(tmp_path, [("markdown", FRONT), ("markdown", "## Exercises")], "03_z.ipynb")
    assert "runs in about 10 seconds on 2 cores (the last benchmark)" in \
        chapter_times.time_paragraph(first, measured).replace("\n", " ")
    assert "under 20 seconds (the book's limit" in chapter_times.time_paragraph(other, measured).replace("\n", " ")
    assert chapter_times.measured_seconds(tmp_path / "none.csv") == {}


def test_sync_rewrites_only_the_time_paragraph(tmp_path):
    path = notebook(tmp_path, [("markdown", FRONT), ("markdown", " ".join(["w"] * 700) + "\n\n## Exercises")])
    (tmp_path / "chapters" / "meta").mkdir()
    (tmp_path / "chapters" / "meta" / "01_x.yml").write_text(
        "exercises:\n  ex-a:\n    minutes: 10\n  ex-b:\n    minutes: 15\n", encoding="utf-8")
    assert chapter_times.sync_chapter_times(tmp_path, tmp_path / "none.csv") == [path]
    front = "".join(json.loads(path.read_text())["cells"][0]["source"])
    assert front.startswith("# Title\n\n```{admonition} Before you start\n\n**Time.** About 5 minutes to read (about 700 words")
    assert "the 2 exercises take about 25 minutes in all" in front.replace("\n", " ")
    assert front.endswith("\n\n**Prerequisites.** None.\n```")
    assert chapter_times.sync_chapter_times(tmp_path, tmp_path / "none.csv") == []
