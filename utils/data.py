"""Where the book's data files are, what their checksums are, and how they load.

Nothing else in the book reads ``data/`` directly. Every file is listed with its SHA-256 in
``data/MANIFEST.sha256`` (the format of ``sha256sum``, so ``sha256sum -c`` checks it too), and
:func:`read_csv` refuses a file whose bytes differ from the manifest.

Update the manifest after a deliberate change to a data file with ``python -m utils.data --write``.
"""

from __future__ import annotations

from utils.errors import BookError

import hashlib
import sys
from pathlib import Path

import pandas as pd
from utils._checks import validated

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
MANIFEST = DATA_DIR / "MANIFEST.sha256"
# Files in data/ that document the data rather than hold it.
UNLISTED_SUFFIXES = (".md",)


class DataError(BookError, ValueError):
    """A data file is unknown, missing, or not the file the manifest describes."""


@validated
def sha256(path: Path) -> str:
    """Return the hex SHA-256 of the file at ``path``."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


@validated
def manifest() -> dict[str, str]:
    """Return ``{relative path: sha256}`` as listed in ``data/MANIFEST.sha256``."""
    entries = {}
    for number, line in enumerate(MANIFEST.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        digest, _, name = line.partition("  ")
        if len(digest) != 64 or not name:
            raise DataError(f"{MANIFEST.name} line {number} is not '<sha256>  <path>': {line!r}")
        entries[name.strip()] = digest
    return entries


@validated
def data_files() -> list[str]:
    """Every data file under ``data/`` (relative paths), documentation files excluded."""
    return sorted(
        p.relative_to(DATA_DIR).as_posix()
        for p in DATA_DIR.rglob("*")
        if p.is_file() and p != MANIFEST and p.suffix not in UNLISTED_SUFFIXES
    )


@validated
def verify() -> list[str]:
    """Compare ``data/`` with the manifest; return one sentence per problem (empty if none)."""
    listed = manifest()
    present = set(data_files())
    problems = [f"{name}: listed in the manifest but missing" for name in sorted(set(listed) - present)]
    problems += [f"{name}: in data/ but not in the manifest" for name in sorted(present - set(listed))]
    for name in sorted(present & set(listed)):
        found = sha256(DATA_DIR / name)
        if found != listed[name]:
            problems.append(f"{name}: checksum {found[:12]}… differs from the manifest's {listed[name][:12]}…")
    return problems


@validated
def path(name: str) -> Path:
    """Return the checked path of data file ``name`` (relative to ``data/``).

    Raises DataError if the file is not in the manifest, is missing, or its checksum differs.
    """
    listed = manifest()
    if name not in listed:
        raise DataError(f"unknown data file {name!r}; known files: {', '.join(sorted(listed))}")
    file = DATA_DIR / name
    if not file.is_file():
        raise DataError(f"data file {name!r} is listed in the manifest but missing from {DATA_DIR}")
    found = sha256(file)
    if found != listed[name]:
        raise DataError(
            f"data file {name!r} has changed: its checksum {found[:12]}… is not the manifest's "
            f"{listed[name][:12]}…. Restore it (git checkout -- data/{name}) or, if the change is "
            "deliberate, update the manifest with `python -m utils.data --write`."
        )
    return file


@validated
def read_csv(name: str, **kwargs) -> pd.DataFrame:
    """Read the checked data file ``name`` with :func:`pandas.read_csv` (``kwargs`` pass through)."""
    return pd.read_csv(path(name), **kwargs)


@validated
def write_manifest() -> None:
    """Rewrite ``data/MANIFEST.sha256`` from the files now in ``data/``."""
    lines = [f"{sha256(DATA_DIR / name)}  {name}" for name in data_files()]
    MANIFEST.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        write_manifest()
        print(f"wrote {MANIFEST}")
    problems = verify()
    print("\n".join(problems) if problems else f"all {len(manifest())} data files match {MANIFEST.name}")
    sys.exit(1 if problems else 0)
