"""Time every notebook of the book and a full clean build; print a table.

Run it with ``python3 tools/book.py benchmark`` (``--no-build`` skips the clean build, ``--no-sem``
the SEM bootstrap benchmark of ``tools/bench_sem.py``, ``--no-browser`` the summary of the last
browser run, ``_build/browser/report.json``, which the browser tests write).
Each notebook runs from a fresh kernel in its own folder, as in the book build and under nbmake;
the clean build goes to a temporary folder with an empty execution cache, so it executes every
notebook. The marks are the developers' guide's: most chapters under 10 s, none over 60 s, the
whole book under 3 minutes.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

import bookcli
import pagecheck

CHAPTER_TARGET, CHAPTER_LIMIT, BOOK_LIMIT = 10.0, 60.0, 180.0


def time_notebook(path: Path) -> float:
    """Execute the notebook at ``path`` in a fresh kernel; return the wall time in seconds."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    return time.perf_counter() - start


def time_clean_build() -> float:
    """Build the whole book into a temporary folder (empty cache); return the wall time."""
    with tempfile.TemporaryDirectory() as output:
        command = bookcli.build_command(bookcli.ROOT) + ["--path-output", output]
        start = time.perf_counter()
        result = subprocess.run(command, cwd=bookcli.ROOT, capture_output=True, text=True)
        elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-3000:] + result.stderr[-3000:])
        raise SystemExit("benchmark: the clean build failed")
    return elapsed


def verdict(seconds: float, target: float | None, limit: float) -> str:
    if seconds > limit:
        return f"OVER {limit:.0f} s"
    if target is not None and seconds > target:
        return f"over {target:.0f} s target"
    return "ok"


def main(argv: list[str]) -> int:
    notebooks = [bookcli.ROOT / f"{f}.ipynb" for f in bookcli.toc_files()
                 if (bookcli.ROOT / f"{f}.ipynb").is_file()]
    rows = []
    for path in notebooks:
        seconds = time_notebook(path)
        rows.append((path.relative_to(bookcli.ROOT).as_posix(), seconds,
                     verdict(seconds, CHAPTER_TARGET, CHAPTER_LIMIT)))
        print(f"  timed {rows[-1][0]}: {seconds:.1f} s", file=sys.stderr, flush=True)
    if "--no-build" not in argv:
        seconds = time_clean_build()
        rows.append(("full clean build (all pages, every notebook executed)", seconds,
                     verdict(seconds, None, BOOK_LIMIT)))
    width = max(len(r[0]) for r in rows)
    print(f"\nMachine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}")
    print(f"{'what':<{width}}  {'seconds':>8}  mark")
    print(f"{'-' * width}  {'-' * 8}  ----")
    for name, seconds, mark in rows:
        print(f"{name:<{width}}  {seconds:8.1f}  {mark}")
    if "--no-sem" not in argv:
        from bench_sem import main as sem_benchmark

        print("\nSEM bootstrap (tools/bench_sem.py)")
        sem_benchmark()
    if "--no-browser" not in argv:
        print_browser_report()
    return 1 if any(mark.startswith("OVER") for *_, mark in rows) else 0


def print_browser_report(heaviest: int = 5) -> None:
    """Totals of the last browser run over every page (``_build/browser/report.json``, written by
    ``tests/test_browser.py``), then its heaviest and slowest pages."""
    path = pagecheck.REPORT_DIR / "report.json"
    print("\nPages in a browser (last run of tests/test_browser.py)")
    if not path.is_file():
        print(f"  no report at {path.relative_to(bookcli.ROOT)}: run `python3 tools/book.py test` "
              "(or the browser tests alone: .venv/bin/python -m pytest tests/test_browser.py -n 2)")
        return
    rows = json.loads(path.read_text(encoding="utf-8"))["pages"]
    if not rows:
        print("  the report lists no page")
        return
    count = {build: sum(r["build"] == build for r in rows) for build in sorted({r["build"] for r in rows})}
    loads = sorted(r["load_ms"] for r in rows)
    print(f"  pages: {len(rows)} ({', '.join(f'{n} {b}' for b, n in count.items())}); "
          f"weight {sum(r['bytes'] for r in rows) / 1e6:.1f} MB in {sum(r['requests'] for r in rows)} requests; "
          f"load median {loads[len(loads) // 2]:.0f} ms, max {loads[-1]:.0f} ms; "
          f"checks {sum(r['check_s'] for r in rows):.0f} s in all (both modes, one browser)")
    print(f"  problems {sum(len(r['problems']) for r in rows)}, accessibility violations "
          f"{sum(len(r['violations']) for r in rows)}, excepted {sum(len(r['excepted']) for r in rows)}")
    width = max(len(f"{r['build']}:{r['page']}") for r in rows)
    print(f"\n  {'heaviest pages':<{width}}  {'MB':>6}  {'requests':>8}  {'load ms':>7}  {'ready ms':>8}")
    for r in sorted(rows, key=lambda r: -r["bytes"])[:heaviest]:
        print(f"  {r['build'] + ':' + r['page']:<{width}}  {r['bytes'] / 1e6:6.2f}  {r['requests']:8d}  "
              f"{r['load_ms']:7.0f}  {r['ready_ms']:8.0f}")
    print(f"\n  {'slowest to draw (math and widgets)':<{width}}  {'ready ms':>8}  {'check s':>7}")
    for r in sorted(rows, key=lambda r: -r["ready_ms"])[:heaviest]:
        print(f"  {r['build'] + ':' + r['page']:<{width}}  {r['ready_ms']:8.0f}  {r['check_s']:7.1f}")
