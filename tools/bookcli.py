"""The book's command line: set up the environment, build the book, run every test.

``python3 tools/book.py build``        build the HTML book into ``_build/html``
``python3 tools/book.py test``         clean build, then pytest, nbmake (chapters and student notebooks)
                                      and the built-book checks
``python3 tools/book.py assignments``  build without solutions into ``_build/assignments``
``python3 tools/book.py course``       copy the last build's student and full notebooks to ``notebooks/``
``python3 tools/book.py benchmark``    time each chapter and a full clean build
``python3 tools/book.py strip``        clear outputs and execution counts from every notebook
``python3 tools/book.py times``        write each chapter's time to read and to run into its front matter

On first use the commands create ``.venv`` in the repository and install the pinned packages of
``requirements-test.txt`` into it; later runs reuse it and reinstall only when a requirements file
changes. ``--here`` uses the running Python instead (Binder, conda, an environment you manage).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import venv
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".venv"
BUILD = ROOT / "_build"
HTML = BUILD / "html"
ASSIGNMENTS = BUILD / "assignments"
EXECUTION_CACHE = BUILD / ".jupyter_cache"
REQUIREMENT_FILES = (ROOT / "requirements.txt", ROOT / "requirements-test.txt")
CONSTRAINTS = ROOT / "constraints.txt"
# The generated notebooks, committed so that Binder and Colab can open them by their path in the
# repository; the build writes them (from _build/html/course/) and tests/test_course_book.py
# checks that what is committed is what the build writes.
NOTEBOOKS = ROOT / "notebooks"
COURSE_OUTPUT = HTML / "course"
COURSE_VARIANTS = ("student", "full")
# What the execution cache does not see (it is keyed on code cells only): when any of these
# change, cached notebook outputs are stale and the cache is dropped.
CACHE_INPUTS = ("utils", "data", "requirements.txt", "constraints.txt")
PLACEHOLDER_URL = "https://github.com/OWNER/REPO"
COLAB_URL_LINE = re.compile(r'(BOOK_REPOSITORY = ")([^"]*)(")')

USAGE = __doc__


class BookError(SystemExit):
    """An error in the reader's environment or the book's sources, said in one paragraph."""

    def __init__(self, message: str) -> None:
        super().__init__("\nbook: " + message.strip() + "\n")


# --------------------------------------------------------------------------- environment


def _venv_python() -> Path:
    scripts = "Scripts" if os.name == "nt" else "bin"
    return VENV / scripts / ("python.exe" if os.name == "nt" else "python")


def _requirements_digest() -> str:
    digest = hashlib.sha256(sys.version.encode())
    for path in (*REQUIREMENT_FILES, CONSTRAINTS):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _in_book_venv() -> bool:
    return Path(sys.prefix).resolve() == VENV.resolve()


def ensure_environment(argv: list[str], here: bool) -> None:
    """Make sure the pinned packages are importable, creating ``.venv`` and re-running there.

    Returns only when the current interpreter has every pinned package; otherwise it re-executes
    this command inside ``.venv`` (after creating or updating it) and exits with its status.
    """
    if here or _in_book_venv():
        check_installed()
        return
    stamp = VENV / ".book-requirements.sha256"
    wanted = _requirements_digest()
    if not _venv_python().exists():
        print("book: creating .venv (first run only) ...", flush=True)
        try:
            venv.EnvBuilder(with_pip=True).create(VENV)
        except (subprocess.CalledProcessError, OSError) as error:
            shutil.rmtree(VENV, ignore_errors=True)
            raise BookError(
                f"could not create a virtual environment in {VENV}: {error}. On Debian or Ubuntu "
                "install the venv module first (sudo apt install python3.11-venv), or run the "
                "command in an environment you manage with --here."
            ) from None
    if not stamp.exists() or stamp.read_text().strip() != wanted:
        print("book: installing the pinned packages into .venv (about a minute, first run only) ...",
              flush=True)
        pip = [str(_venv_python()), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
        result = subprocess.run(pip + ["-r", str(ROOT / "requirements-test.txt")])
        if result.returncode != 0:
            raise BookError(
                "pip could not install the packages of requirements-test.txt into .venv (see its "
                "message above). Check the network connection to the package index and rerun."
            )
        stamp.write_text(wanted + "\n")
    command = [str(_venv_python()), str(ROOT / "tools" / "book.py"), *argv]
    raise SystemExit(subprocess.run(command).returncode)


def pinned_requirements() -> dict[str, str]:
    """Return ``{distribution name: pinned version}`` from both requirements files."""
    pins: dict[str, str] = {}
    for path in REQUIREMENT_FILES:
        for line in path.read_text().splitlines():
            match = re.match(r"^\s*([A-Za-z0-9_.\-\[\]]+)\s*==\s*([^\s;#]+)", line)
            if match:
                pins[re.sub(r"\[.*\]", "", match.group(1)).lower()] = match.group(2)
    return pins


def check_installed() -> None:
    """Fail with one clear message if a pinned package is missing, at another version, or if
    jupyter-book 2 is installed where this v1 book needs version 1."""
    from importlib import metadata

    try:
        jb_version = metadata.version("jupyter-book")
    except metadata.PackageNotFoundError:
        jb_version = None
    if jb_version and int(jb_version.split(".")[0]) >= 2:
        raise BookError(
            f"jupyter-book {jb_version} is installed, but this book is a Jupyter Book 1 project "
            "(_config.yml and _toc.yml); version 2 is a different program and cannot build it. "
            "Install version 1 with: python -m pip install 'jupyter-book>=1.0.4,<2' "
            "(or delete .venv and rerun this command, which installs the pinned version)."
        )
    missing, other = [], []
    for name, version in pinned_requirements().items():
        try:
            found = metadata.version(name)
        except metadata.PackageNotFoundError:
            missing.append(f"{name}=={version}")
            continue
        if found != version:
            other.append(f"{name} {found} (pinned {version})")
    if missing:
        raise BookError(
            "these pinned packages are not installed: " + ", ".join(missing) + ". Run "
            "`python3 tools/book.py build` without --here (it installs them into .venv), or "
            "`python -m pip install -r requirements-test.txt`."
        )
    if other:
        print("book: warning: installed versions differ from the pins, so numbers may differ: "
              + "; ".join(other), file=sys.stderr)


# --------------------------------------------------------------------------- book sources


def read_yaml(path: Path) -> dict:
    import yaml

    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def repository_url() -> str:
    """The book's public address: ``repository.url`` in ``_config.yml``, the one place it lives."""
    return str(read_yaml(ROOT / "_config.yml")["repository"]["url"]).rstrip("/")


def _edit_code_cells(paths: list[Path], edit: Callable[[dict], bool]) -> list[Path]:
    """Apply ``edit`` to every code cell of each notebook (it returns True when it changed the
    cell); write back the notebooks that changed and return their paths."""
    changed = []
    for path in paths:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        touched = [edit(cell) for cell in notebook["cells"] if cell["cell_type"] == "code"]
        if any(touched):
            path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
            changed.append(path)
    return changed


def sync_colab_cells() -> list[Path]:
    """Write ``repository.url`` into the Colab step of every chapter; return the files changed.

    Colab opens a notebook on its own, without the repository, so the address the notebook clones
    from has to be in the notebook. It is copied from ``_config.yml`` here so that the publisher
    sets it in one place only.
    """
    url = repository_url()

    def write_url(cell: dict) -> bool:
        source = "".join(cell["source"])
        new = COLAB_URL_LINE.sub(lambda m: m.group(1) + url + m.group(3), source)
        cell["source"] = new.splitlines(keepends=True)
        return new != source

    return _edit_code_cells(sorted((ROOT / "chapters").glob("*.ipynb")), write_url)


def sync_times() -> list[Path]:
    """Write each chapter's generated **Time.** paragraph (reading time from its word count, run
    time from the last benchmark; see ``tools/chapter_times.py``); return the files changed."""
    from chapter_times import sync_chapter_times

    return sync_chapter_times(ROOT)


def sync_course_notebooks() -> list[Path]:
    """Copy the student and full notebooks of the last build into ``notebooks/``; return the
    files changed. They are committed because Colab opens a notebook by its repository path."""
    sys.path.insert(0, str(ROOT / "tools"))
    from course.generate import sync

    generated = {}
    for variant in COURSE_VARIANTS:
        folder = COURSE_OUTPUT / variant
        files = sorted(folder.glob("*.ipynb")) if folder.is_dir() else []
        if not files:
            raise BookError(f"the build made no {variant} notebooks in {folder}; run "
                            "`python3 tools/book.py build` first (see its messages)")
        generated[variant] = {path.name: path.read_bytes() for path in files}
    return sync(generated, NOTEBOOKS)


def strip_outputs() -> list[Path]:
    """Clear outputs and execution counts of every notebook in chapters/ and pages/ (they are
    stored clean); return the files changed. Needs only the standard library."""

    def clear(cell: dict) -> bool:
        dirty = bool(cell.get("outputs")) or cell.get("execution_count") is not None
        cell["outputs"], cell["execution_count"] = [], None
        return dirty

    return _edit_code_cells(sorted([*ROOT.glob("chapters/*.ipynb"), *ROOT.glob("pages/*.ipynb")]), clear)


def toc_files() -> list[str]:
    """Every document named in ``_toc.yml`` (root first), without its suffix."""
    toc = read_yaml(ROOT / "_toc.yml")
    files = [toc["root"]]

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if "file" in node:
                files.append(node["file"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk({key: value for key, value in toc.items() if key != "root"})
    return [re.sub(r"\.(ipynb|md)$", "", f) for f in files]


def missing_pages(html_dir: Path) -> list[str]:
    """The ``_toc.yml`` entries that have no HTML page in ``html_dir``."""
    return [f for f in toc_files() if not (html_dir / f"{f}.html").is_file()]


def _inputs_digest() -> str:
    digest = hashlib.sha256()
    for name in CACHE_INPUTS:
        path = ROOT / name
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        for file in files:
            if "__pycache__" in file.parts:
                continue
            digest.update(file.relative_to(ROOT).as_posix().encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


def drop_stale_cache() -> None:
    """Delete the execution cache when ``utils/``, ``data/`` or the pins changed since it was made."""
    stamp = BUILD / ".cache-inputs.sha256"
    wanted = _inputs_digest()
    if stamp.exists() and stamp.read_text().strip() == wanted:
        return
    if EXECUTION_CACHE.exists():
        print("book: utils/, data/ or the pins changed: re-executing every notebook", flush=True)
        shutil.rmtree(EXECUTION_CACHE)
    BUILD.mkdir(exist_ok=True)
    stamp.write_text(wanted + "\n")


# --------------------------------------------------------------------------- commands


def _jupyter_book() -> str:
    return str(Path(sys.executable).parent / ("jupyter-book.exe" if os.name == "nt" else "jupyter-book"))


def build_command(source: Path) -> list[str]:
    """The jupyter-book command that builds ``source`` strictly: warnings (a failing cell among
    them) are errors, every page is re-read, and the build goes on to report every problem."""
    return [_jupyter_book(), "build", str(source), "--builder", "html", "-W", "-n", "--keep-going", "--all"]


def _execute_one(path: str, text: str, timeout: int) -> tuple[str, object, float, str | None]:
    """Run one notebook (``text``, as the build reads it) in the folder of ``path``, as myst-nb
    does; return (path, executed notebook, seconds, error text or None). Runs in a worker."""
    import nbformat
    from jupyter_cache.executors.utils import single_nb_execution

    notebook = nbformat.reads(text, as_version=4)
    result = single_nb_execution(notebook, cwd=str(Path(path).parent), timeout=timeout,
                                 allow_errors=False, meta_override=True)
    return path, notebook, result.time, (result.exc_string if result.err is not None else None)


def _as_built(name: str, text: str) -> str:
    """A document's notebook text as the build executes it: a chapter gets the course
    extension's in-memory edits (the hidden cells that record answers change its code cells,
    which key the cache)."""
    import types

    extensions = str(ROOT / "tools" / "sphinx")
    if extensions not in sys.path:
        sys.path.insert(0, extensions)
    import course_html

    app = types.SimpleNamespace(srcdir=str(ROOT), _course_book=None)
    return course_html.edited(app, name, text) or text


def pre_execute(workers: int | None = None, cache_dir: Path = EXECUTION_CACHE) -> None:
    """Execute the book's notebooks that the cache does not hold, ``workers`` at a time, and
    store them in the execution cache exactly as myst-nb does (keyed on the code cells), so that
    the build, which executes one notebook after another, finds them there. On 2 cores this
    halves the execution part of a clean build. A notebook that fails here (or cannot be
    prepared) is left out of the cache: the build then executes it itself and reports the error
    as usual. ``workers`` defaults to two, or one on a one-core machine; ``cache_dir`` is the
    build's execution cache (``<output>/_build/.jupyter_cache``)."""
    import concurrent.futures
    import multiprocessing

    import nbformat
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    workers = min(2, os.cpu_count() or 1) if workers is None else workers
    timeout = int((read_yaml(ROOT / "_config.yml").get("execute") or {}).get("timeout", 120))
    cache = get_cache(str(cache_dir))
    waiting = []
    for name in toc_files():
        path = ROOT / f"{name}.ipynb"
        if path.is_file():
            try:
                text = _as_built(name, path.read_text(encoding="utf-8"))
                cache.match_cache_notebook(nbformat.reads(text, as_version=4))
            except KeyError:
                waiting.append((str(path), text))
            except Exception:  # the build reads it again and reports what is wrong
                continue
    if len(waiting) < 2 or workers < 2:
        return
    # Longest first (by the last benchmark), so that no long notebook starts last.
    from chapter_times import measured_seconds

    measured = measured_seconds()
    waiting.sort(key=lambda item: -measured.get(Path(item[0]).relative_to(ROOT).as_posix(), (0.0, None))[0])
    print(f"book: executing {len(waiting)} notebooks, {workers} at a time", flush=True)
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        jobs = [pool.submit(_execute_one, path, text, timeout) for path, text in waiting]
        for job in concurrent.futures.as_completed(jobs):
            try:
                path, notebook, seconds, error = job.result()
            except Exception as crash:  # a worker that died: the build runs the notebook itself
                print(f"book: a notebook could not be executed ahead of the build ({crash}); "
                      "the build will run it", flush=True)
                continue
            name = Path(path).relative_to(ROOT)
            if error is not None:
                print(f"book: {name} failed; the build will run it again and show the error", flush=True)
                continue
            record = cache.add_nb_to_project(path)
            cache.cache_notebook_bundle(CacheBundleIn(notebook, record.uri,
                                                      data={"execution_seconds": seconds}),
                                        check_validity=False, overwrite=True)
            print(f"book: executed {name} in {seconds:.1f} s", flush=True)


def build(*, hide_solutions: bool = False) -> int:
    """Build the book with warnings as errors; return 0 only if every page was made."""
    changed = sync_colab_cells()
    for path in changed:
        print(f"book: wrote repository.url into the Colab step of {path.relative_to(ROOT)}")
    for path in sync_times():
        print(f"book: wrote the generated times into the front matter of {path.relative_to(ROOT)}")
    drop_stale_cache()
    pre_execute()
    output = ASSIGNMENTS if hide_solutions else ROOT
    command = build_command(ROOT)
    if hide_solutions:
        config = read_yaml(ROOT / "_config.yml")
        config.setdefault("sphinx", {}).setdefault("config", {})["hide_solutions"] = True
        config.setdefault("execute", {})["cache"] = str(EXECUTION_CACHE)
        # jupyter-book resolves local extension paths against the config file's folder
        local = config["sphinx"].get("local_extensions") or {}
        config["sphinx"]["local_extensions"] = {name: str(ROOT / path) for name, path in local.items()}
        ASSIGNMENTS.mkdir(parents=True, exist_ok=True)
        config_path = ASSIGNMENTS / "_config.yml"
        import yaml

        config_path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
        command += ["--config", str(config_path), "--path-output", str(output)]
    result = subprocess.run(command, cwd=ROOT)
    html_dir = output / "_build" / "html"
    missing = missing_pages(html_dir)
    if missing:
        print("book: no HTML page was made for these _toc.yml entries: " + ", ".join(missing),
              file=sys.stderr)
    if result.returncode != 0 or missing:
        print(f"book: the build FAILED (see above; notebook tracebacks are in {html_dir / 'reports'})",
              file=sys.stderr)
        return 1
    if not hide_solutions:
        for path in sync_course_notebooks():
            print(f"book: wrote {path.relative_to(ROOT)} (generated: commit it)")
    if repository_url() == PLACEHOLDER_URL:
        print("book: note: repository.url in _config.yml is still the placeholder "
              f"{PLACEHOLDER_URL}; the launch and repository buttons point nowhere until you set it.")
    print(f"book: built {html_dir / 'index.html'}")
    return 0


def test(extra: list[str]) -> int:
    """Clean build (with and without solutions), then every pytest test and, under nbmake, every
    notebook in chapters/ (as its claims-checked copy where it has claims) and pages/ and every
    student notebook the build wrote."""
    if BUILD.exists():
        shutil.rmtree(BUILD)
    status = build() or build(hide_solutions=True)
    env = dict(os.environ, BOOK_REQUIRE_BUILD="1")
    # A chapter whose sidecar has claims runs as a copy that also checks its prose's numbers.
    from claims import nbmake_targets

    chapters = [str(path) for path in nbmake_targets()]
    command = [sys.executable, "-m", "pytest", "-n", "2", "--nbmake", "--nbmake-timeout=120",
               "tests", *chapters, "pages", str(NOTEBOOKS.relative_to(ROOT) / "student"), *extra]
    tests = subprocess.run(command, cwd=ROOT, env=env).returncode
    if status:
        print("book: tests FAILED because the book build failed (see above)", file=sys.stderr)
    return status or tests


def main(argv: list[str]) -> int:
    here = "--here" in argv or os.environ.get("BOOK_USE_CURRENT_PYTHON") == "1"
    args = [a for a in argv if a != "--here"]
    if not args or args[0] in {"-h", "--help", "help"}:
        print(USAGE)
        return 0
    command, rest = args[0], args[1:]
    if command == "strip":
        for path in strip_outputs():
            print(f"book: cleared the outputs of {path.relative_to(ROOT)}")
        return 0
    if command not in {"build", "test", "assignments", "benchmark", "course", "times"}:
        print(USAGE)
        raise BookError(f"unknown command {command!r}")
    ensure_environment(argv, here)
    if command == "times":
        for path in sync_times():
            print(f"book: wrote the generated times into the front matter of {path.relative_to(ROOT)}")
        return 0
    if command == "build":
        return build()
    if command == "assignments":
        return build(hide_solutions=True)
    if command == "course":
        for path in sync_course_notebooks():
            print(f"book: wrote {path.relative_to(ROOT)}")
        return 0
    if command == "test":
        return test(rest)
    from benchmark import main as benchmark_main

    return benchmark_main(rest)
