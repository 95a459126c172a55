"""Time every notebook of the book and a full clean build; print a table and keep a history.

Run it with ``python3 tools/book.py benchmark`` (``--no-build`` skips the clean build, ``--no-sem``
the SEM benchmarks of ``tools/bench_sem.py``, which it runs last; ``--no-history`` does not append
to the history file; ``--no-browser`` the summary of the last browser run,
``_build/browser/report.json``, which the browser tests write; ``--only TEXT`` times only the
notebooks whose path contains ``TEXT``, and may be given more than once, e.g.
``--only 01_ --only 12_``; ``--no-loglinear`` skips the timing of the log-linear parametric
bootstrap, which once sat in a test as a speed assertion and belongs here; ``--repeat N`` runs the
notebooks N times, in N rounds, and keeps each notebook's fastest run, as ``timeit`` does: on a
shared virtual machine other work only ever adds time, and between two runs minutes apart the
same notebook was measured up to a third slower, CPU seconds included; the table then says how
far the slowest run of each notebook was from its fastest).
Each notebook runs from a fresh kernel in its own folder, as in the book build and under nbmake,
and its time is split into three parts: **kernel** (starting the kernel), **imports** (the setup
cell, the first code cell: imports and loading data) and **work** (every other cell), in wall
seconds; **cpu** is the CPU time (user + system) the kernel process spent on the cells, which a
loaded, shared machine disturbs far less than the wall clock. The clean
build goes to a temporary folder with an empty execution cache, so it executes every notebook.
The marks are the developers' guide's: median chapter at most 10 s, no chapter over 20 s, the
whole book under 3 minutes.

Every run appends its rows to ``tools/benchmark_history.csv`` (date, commit, machine, what,
kernel, imports, work, total) and prints, for each notebook, the change against the previous run
on the same machine, so that a change that slows a chapter shows up.
"""

from __future__ import annotations

import csv
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

import bookcli
import pagecheck

CHAPTER_TARGET, CHAPTER_LIMIT, BOOK_LIMIT = 10.0, 20.0, 180.0
HISTORY = Path(__file__).with_name("benchmark_history.csv")
HISTORY_COLUMNS = ["date", "commit", "machine", "what", "kernel", "imports", "work", "total", "cpu"]
SLOWER = 1.25  # a notebook this much slower than in the previous run on the machine is flagged


def kernel_cpu_seconds(client: NotebookClient) -> float:
    """User + system CPU seconds used so far by the kernel process of ``client`` (0.0 where the
    process or ``/proc`` cannot be read, e.g. off Linux)."""
    process = getattr(getattr(client.km, "provisioner", None), "process", None)
    try:
        fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (AttributeError, OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def time_notebook(path: Path) -> dict[str, float]:
    """Execute the notebook at ``path`` in a fresh kernel; return the wall time in seconds of
    starting the kernel (``kernel``), of the first code cell (``imports``) and of the other cells
    (``work``), their sum (``total``), and the kernel's CPU seconds over all cells (``cpu``)."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    code = [i for i, cell in enumerate(notebook.cells) if cell.cell_type == "code"]
    parts = {"kernel": 0.0, "imports": 0.0, "work": 0.0}
    start = time.perf_counter()
    with client.setup_kernel():
        parts["kernel"] = time.perf_counter() - start
        cpu_start = kernel_cpu_seconds(client)
        for index in code:
            started = time.perf_counter()
            client.execute_cell(notebook.cells[index], index)
            seconds = time.perf_counter() - started
            parts["imports" if index == code[0] else "work"] += seconds
            if seconds > CHAPTER_LIMIT:  # name the cell: a stall shows where it happened
                print(f"  {path.name}: cell {notebook.cells[index].get('id', index)} took {seconds:.0f} s",
                      file=sys.stderr, flush=True)
        cpu = kernel_cpu_seconds(client) - cpu_start
    parts["total"] = sum(parts.values())
    parts["cpu"] = cpu
    return parts


def _commit() -> str:
    result = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=bookcli.ROOT,
                            capture_output=True, text=True)
    return result.stdout.strip() or "unknown"


def _machine() -> str:
    return f"{platform.node()} {os.cpu_count()} cores"


def previous_totals(machine: str) -> dict[str, float]:
    """Total seconds of each entry in the newest earlier run on ``machine`` (empty if none)."""
    if not HISTORY.is_file():
        return {}
    with HISTORY.open(newline="", encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle) if row["machine"] == machine]
    if not rows:
        return {}
    newest = rows[-1]["date"]
    return {row["what"]: float(row["total"]) for row in rows if row["date"] == newest}


def append_history(rows: list[dict[str, object]]) -> None:
    new = not HISTORY.is_file()
    if not new:  # a file written before a column was added gets the new header, old rows blank
        with HISTORY.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            old = list(reader) if reader.fieldnames != HISTORY_COLUMNS else None
        if old is not None:
            HISTORY.unlink()
            new = True
            rows = [{key: row.get(key, "") for key in HISTORY_COLUMNS} for row in old] + list(rows)
    with HISTORY.open("a", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=HISTORY_COLUMNS, lineterminator="\n")
        if new:
            writer.writeheader()
        for row in rows:
            writer.writerow({key: (f"{value:.2f}" if isinstance(value, float) else value)
                             for key, value in row.items()})


def time_clean_build() -> float:
    """Build the whole book into a temporary folder (empty cache) as ``book.py build`` does, the
    notebooks executed ahead two at a time (``bookcli.pre_execute``); return the wall time."""
    with tempfile.TemporaryDirectory() as output:
        command = bookcli.build_command(bookcli.ROOT) + ["--path-output", output]
        start = time.perf_counter()
        bookcli.pre_execute(cache_dir=Path(output) / "_build" / ".jupyter_cache")
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


def repeats(argv: list[str]) -> int:
    """The number after ``--repeat`` in ``argv`` (1 without it)."""
    if "--repeat" not in argv:
        return 1
    at = argv.index("--repeat")
    try:
        count = int(argv[at + 1])
    except (IndexError, ValueError):
        count = 0
    if count < 1:
        raise SystemExit("benchmark: --repeat needs a whole number of runs, e.g. --repeat 3")
    return count


def chosen(argv: list[str]) -> list[str]:
    """The texts given after each ``--only`` in ``argv``."""
    texts = [argv[i + 1] for i, arg in enumerate(argv[:-1]) if arg == "--only"]
    if argv and argv[-1] == "--only":
        raise SystemExit("benchmark: --only needs a text, e.g. --only 01_")
    return texts


def main(argv: list[str]) -> int:
    notebooks = [bookcli.ROOT / f"{f}.ipynb" for f in bookcli.toc_files()
                 if (bookcli.ROOT / f"{f}.ipynb").is_file()]
    only = chosen(argv)
    if only:
        notebooks = [p for p in notebooks if any(t in p.relative_to(bookcli.ROOT).as_posix() for t in only)]
        if not notebooks:
            raise SystemExit(f"benchmark: no notebook in _toc.yml matches --only {' '.join(only)}")
    machine, stamp = _machine(), datetime.datetime.now().isoformat(timespec="seconds")
    before = previous_totals(machine)
    rounds = repeats(argv)
    runs: dict[Path, list[dict[str, float]]] = {path: [] for path in notebooks}
    for round_ in range(rounds):  # rounds, not repeats in a row: a slow spell hits every notebook once
        for path in notebooks:
            runs[path].append(time_notebook(path))
            name, parts = path.relative_to(bookcli.ROOT).as_posix(), runs[path][-1]
            of = f" (run {round_ + 1} of {rounds})" if rounds > 1 else ""
            print(f"  timed {name}{of}: {parts['total']:.1f} s, cpu {parts['cpu']:.1f} s", file=sys.stderr, flush=True)
    rows: list[dict[str, object]] = []
    for path in notebooks:
        parts = min(runs[path], key=lambda run: run["total"])
        name = path.relative_to(bookcli.ROOT).as_posix()
        target = CHAPTER_TARGET if name.startswith("chapters/") else None
        rows.append({"what": name, **parts, "mark": verdict(parts["total"], target, CHAPTER_LIMIT)})
    spread = {path.relative_to(bookcli.ROOT).as_posix(): max(r["total"] for r in found) / min(r["total"] for r in found)
              for path, found in runs.items()}
    chapters = [row["total"] for row in rows if str(row["what"]).startswith("chapters/")]
    median = statistics.median(chapters) if chapters else 0.0
    if "--no-build" not in argv:
        seconds = time_clean_build()
        rows.append({"what": "full clean build (all pages, every notebook executed)", "kernel": 0.0,
                     "imports": 0.0, "work": seconds, "total": seconds, "cpu": 0.0,
                     "mark": verdict(seconds, None, BOOK_LIMIT)})
    width = max(len(str(r["what"])) for r in rows)
    print(f"\nMachine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}")
    print(f"{'what':<{width}}  {'kernel':>6}  {'imports':>7}  {'work':>6}  {'total':>6}  {'cpu':>6}  {'before':>6}  mark")
    print(f"{'-' * width}  {'-' * 6}  {'-' * 7}  {'-' * 6}  {'-' * 6}  {'-' * 6}  {'-' * 6}  ----")
    for row in rows:
        old = before.get(str(row["what"]))
        mark = str(row["mark"])
        if old and row["total"] > SLOWER * old:
            mark += f"; SLOWER than {old:.1f} s"
        print(f"{row['what']:<{width}}  {row['kernel']:6.1f}  {row['imports']:7.1f}  {row['work']:6.1f}"
              f"  {row['total']:6.1f}  {row['cpu']:6.1f}  {(f'{old:.1f}' if old else '-'):>6}  {mark}")
    median_mark = verdict(median, None, CHAPTER_TARGET)
    cpus = [row["cpu"] for row in rows if str(row["what"]).startswith("chapters/")]
    if cpus:
        print(f"median chapter cpu: {statistics.median(cpus):.1f} s")
    print(f"median chapter: {median:.1f} s ({'ok' if median_mark == 'ok' else 'OVER the 10 s mark'})")
    if rounds > 1:
        worst = max(spread, key=spread.__getitem__)
        print(f"each notebook's fastest of {rounds} runs; its slowest run took "
              f"{statistics.median(spread.values()):.2f} × as long (median over notebooks; "
              f"largest {spread[worst]:.2f} × for {worst})")
    if "--no-history" not in argv:
        append_history([{"date": stamp, "commit": _commit(), "machine": machine,
                         **{k: row[k] for k in ("what", "kernel", "imports", "work", "total", "cpu")}}
                        for row in rows])
        print(f"appended to {HISTORY.relative_to(bookcli.ROOT)}")
    if "--no-loglinear" not in argv:
        print_loglinear_timing()
    if "--no-sem" not in argv:
        from bench_sem import main as sem_benchmark

        print("\nSEM bootstrap (tools/bench_sem.py)")
        sem_benchmark()
    if "--no-browser" not in argv:
        print_browser_report()
    over = any(str(row["mark"]).startswith("OVER") for row in rows) or median > CHAPTER_TARGET
    return 1 if over else 0


def print_loglinear_timing(n_sim: int = 4999, repeats: int = 3) -> None:
    """CPU seconds per 1,000 simulated tables of ``utils.loglinear.parametric_bootstrap`` for the
    homogeneous-association model against the saturated one on the tallies (chapter 12's largest
    test), the median of ``repeats`` runs with the result cache cleared."""
    if str(bookcli.ROOT) not in sys.path:
        sys.path.insert(0, str(bookcli.ROOT))
    from utils import loglinear, tallies

    counts = tallies.load_counts()
    models = loglinear.standard_models(["system", "process", "knowledge"])
    homogeneous, saturated = (loglinear.fit(counts, models[label]) for label in list(models)[-2:])
    runs = []
    for _ in range(repeats):
        loglinear._BOOTSTRAPS.clear()
        start = time.process_time()
        loglinear.parametric_bootstrap(homogeneous, saturated, n_sim=n_sim, seed=1)
        runs.append(time.process_time() - start)
    print(f"\nLog-linear parametric bootstrap ({homogeneous.label} vs saturated, {n_sim} tables): "
          f"{1000 * statistics.median(runs) / n_sim:.3f} CPU s per 1,000 tables (median of {repeats})")


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
