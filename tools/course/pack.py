"""The course pack: one zip an instructor hands out, with everything a student notebook needs.

Inside, one folder ``crm-course/``: the student notebooks (no solutions), ``utils/``, ``data/``,
the pinned requirements, the licences and a README on running it locally. The zip is the same
bytes on every build from the same sources (sorted entries, fixed dates and permissions).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from pathlib import Path

PACK_NAME = "crm-course-pack.zip"
FOLDER = "crm-course"
# Packages the book needs to build its HTML, which a student running notebooks does not.
BUILD_ONLY = ("jupyter-book", "sphinx-exercise")
FIXED_DATE = (2020, 1, 1, 0, 0, 0)

README = """# CRM Systems, Satisfaction and Customer Knowledge: the course notebooks

The student notebooks of the book, one per chapter ({count} chapters), with the code (`utils/`)
and the data (`data/`) they use. Exercises come without solutions; the ones whose answer is a
value check themselves: write your answer in the cell under the exercise (`answer = ...`) and run
the `check(...)` cell below it. Each chapter also ends its body with a short quiz.

## Run the notebooks on your computer

You need Python 3.11 (<https://www.python.org/downloads/>). In a terminal, in this folder:

```bash
python3.11 -m venv .venv
.venv/bin/python -m pip install -r requirements.txt
.venv/bin/jupyter lab
```

On Windows, write `py -3.11 -m venv .venv`, then `.venv\\Scripts\\python -m pip install -r
requirements.txt` and `.venv\\Scripts\\jupyter lab`. Installing takes a few minutes the first
time. JupyterLab opens in your browser; open a chapter, for example `{first}`, and run it from
the top (*Run → Run All Cells*). The notebooks must stay in this folder, beside `utils/` and
`data/`, because they import `utils` from here.

`requirements.txt` pins the versions the book is tested with (`constraints.txt` pins everything
they pull in), so your numbers match the book's. It includes `jupyterlab-myst`, which renders
the notebooks' formatting in JupyterLab.

## What is in this folder

- `NN_name.ipynb`: the student notebooks, in reading order.
- `utils/`: the book's tested code, which the notebooks import.
- `data/`: the data files, described in `data/README.md`.
- `requirements.txt`, `constraints.txt`: the pinned packages.
- `LICENSE` (MIT, for the code) and `LICENSE-TEXT.md` (CC BY 4.0, for the text).

The full book, with solutions, is at {url}.
"""


def requirements(book_requirements: str) -> str:
    """The book's ``requirements.txt`` without the packages that only build the HTML."""
    lines = ["# What the course notebooks need (pinned as in the book; constraints.txt pins the rest)."]
    for line in book_requirements.splitlines():
        name = line.split("==")[0].strip().lower()
        if line.startswith("#") or not line.strip() or name in BUILD_ONLY:
            continue
        lines.append(line)
    return "\n".join(lines) + "\n"


def _files(folder: Path) -> Iterable[Path]:
    for path in sorted(folder.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc" \
                and ".ipynb_checkpoints" not in path.parts:
            yield path


def _add(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(f"{FOLDER}/{name}", date_time=FIXED_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)


def write_pack(target: Path, root: Path, notebooks: dict[str, bytes], url: str) -> Path:
    """Write the pack to ``target``: ``notebooks`` maps file names to the student notebooks'
    bytes; ``root`` is the repository (for utils/, data/, requirements, licences)."""
    entries: dict[str, bytes] = {}
    first = sorted(notebooks)[0] if notebooks else "a chapter"
    entries["README.md"] = README.format(count=len(notebooks), first=first, url=url).encode("utf-8")
    entries["requirements.txt"] = requirements((root / "requirements.txt").read_text(encoding="utf-8")).encode()
    entries["constraints.txt"] = (root / "constraints.txt").read_bytes()
    for name in ("LICENSE", "LICENSE-TEXT.md"):
        if (root / name).is_file():
            entries[name] = (root / name).read_bytes()
    entries.update(notebooks)
    for folder in ("utils", "data"):
        for path in _files(root / folder):
            entries[path.relative_to(root).as_posix()] = path.read_bytes()
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w") as archive:
        for name in sorted(entries):
            _add(archive, name, entries[name])
    return target
