"""Week plans and the exercise table of the instructor kit, from the toc and the sidecars.

A chapter's workload is its time to read (from its front matter), its exercises' minutes (from
its sidecar) and the quiz. :func:`plan` cuts the chapters, in reading order, into the given number
of weeks so that the heaviest week is as light as it can be; with fewer chapters than weeks, the
last weeks are left for a project. Values the sources do not give are estimated and flagged.
"""

from __future__ import annotations

from dataclasses import dataclass

from course.book import Book

ASSUMED_READING = 40  # minutes, for a chapter whose front matter states no time to read
ASSUMED_EXERCISE = 20  # minutes, for an exercise whose sidecar does not give its minutes yet
QUIZ_MINUTES = 10


@dataclass(frozen=True)
class ExerciseRow:
    label: str
    number: str
    stem: str
    kind: str | None
    minutes: int | None
    check: str | None  # the check type, None for an open question
    rubric: str | None
    placeholder: bool


@dataclass(frozen=True)
class ChapterLoad:
    stem: str
    title: str
    part: str
    reading: int
    reading_stated: bool
    exercises: tuple[ExerciseRow, ...]
    has_quiz: bool

    @property
    def exercise_minutes(self) -> int:
        return sum(row.minutes or ASSUMED_EXERCISE for row in self.exercises)

    @property
    def estimated(self) -> bool:
        return not self.reading_stated or any(row.minutes is None for row in self.exercises)

    @property
    def minutes(self) -> int:
        return self.reading + self.exercise_minutes + (QUIZ_MINUTES if self.has_quiz else 0)


def exercise_rows(book: Book) -> list[ExerciseRow]:
    """One row per exercise of the book, in reading order."""
    rows = []
    for chapter in book.chapters:
        sidecar = book.sidecars[chapter.stem]
        for exercise in chapter.exercises:
            meta = sidecar.exercises[exercise.label]
            rows.append(ExerciseRow(exercise.label, exercise.number, chapter.stem, meta.kind, meta.minutes,
                                    meta.check["type"] if meta.check else None, meta.rubric, meta.placeholder))
    return rows


def chapter_loads(book: Book) -> list[ChapterLoad]:
    rows = exercise_rows(book)
    loads = []
    for chapter in book.chapters:
        stated = chapter.reading_minutes
        loads.append(ChapterLoad(chapter.stem, chapter.title, book.parts.get(chapter.stem, ""),
                                 stated or ASSUMED_READING, stated is not None,
                                 tuple(r for r in rows if r.stem == chapter.stem),
                                 bool(book.sidecars[chapter.stem].quiz)))
    return loads


def plan(loads: list[ChapterLoad], weeks: int) -> list[list[ChapterLoad]]:
    """``weeks`` lists of consecutive chapters (empty lists for project weeks at the end) whose
    largest total workload is the smallest possible (a linear partition)."""
    if weeks < 1:
        raise ValueError(f"weeks must be at least 1, got {weeks}")
    n = len(loads)
    if n <= weeks:
        return [[load] for load in loads] + [[] for _ in range(weeks - n)]
    cost = [load.minutes for load in loads]
    prefix = [0]
    for c in cost:
        prefix.append(prefix[-1] + c)
    inf = float("inf")
    # best[k][i]: the smallest largest week when the first i chapters fill k weeks
    best = [[inf] * (n + 1) for _ in range(weeks + 1)]
    cut = [[0] * (n + 1) for _ in range(weeks + 1)]
    best[0][0] = 0
    for k in range(1, weeks + 1):
        for i in range(k, n + 1):
            for j in range(k - 1, i):
                value = max(best[k - 1][j], prefix[i] - prefix[j])
                if value < best[k][i]:
                    best[k][i], cut[k][i] = value, j
    groups = []
    i = n
    for k in range(weeks, 0, -1):
        j = cut[k][i]
        groups.append(loads[j:i])
        i = j
    return groups[::-1]


def self_check_share(rows: list[ExerciseRow]) -> float:
    """The share of exercises that check themselves (0 when there are none)."""
    return sum(r.check is not None for r in rows) / len(rows) if rows else 0.0
