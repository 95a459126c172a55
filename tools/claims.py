"""Prose numbers that cannot drift: the ``claims`` key of the chapter sidecars, checked.

A chapter's sidecar ``chapters/meta/<chapter>.yml`` lists under ``claims`` every number in the
chapter's prose (solutions included) that one of its cells computes::

    claims:
      - cell: c004                # id of the markdown cell that prints the numbers
        numbers:                  # the text exactly as printed -> a Python expression
          "118.6": "independence.deviance"
          "6": "independence.df"
      - cell: c002
        after: c003               # optional: evaluate after this code cell
        numbers:
          "12": "len(participants)"
          "2": ["cell_a", "cell_b"]   # the same text printed twice, meaning two things

An expression is evaluated in the chapter's kernel right after the last code cell before the
markdown cell (or after the code cell named by ``after``), and must equal the text when rounded
to the text's number of decimals: "118.6" accepts 118.55 to 118.65. The text may carry
thousands separators ("9,999"), a Unicode minus ("−3.4") and a trailing per cent sign ("72 %",
"43%"); write the expression in the text's unit (``100 * share`` for "72 %"). A list of
expressions checks that many occurrences of the same text, in order. Numbers taken from the
sources are not claims: they carry a citation in the prose instead.

Two checks use this file, and the test command runs both:

- :func:`problems` (no kernel, in ``tests/test_claims.py``): the sidecar's chapter, every cell id
  and ``after`` exist and are markdown or code cells as they should be, every text occurs in its
  cell as a whole number (so "3" does not match "31" or "G²"), and every expression is Python.
- :func:`write_copies` (``python3 tools/book.py test``): for each chapter with claims, a copy in
  ``_build/claims/chapters/`` with one check cell inserted after each code cell that claims are
  evaluated after. nbmake runs these copies *instead of* the chapters (:func:`nbmake_targets`),
  so checking costs no extra kernel work. A failing check names the chapter, the markdown cell,
  the text and the computed value. The copies import ``utils`` through a stand-in that loads
  ``chapters/utils/`` exactly as a chapter does, and this file (copied beside them as
  ``book_claims.py``) for the check itself. nbmake skips notebooks under any ``_build`` folder,
  so a generated ``_build/claims/conftest.py`` collects the copies with nbmake's own item.

Command line: ``python3 tools/claims.py check`` (the fast check, all chapters),
``python3 tools/claims.py write`` (the copies), ``python3 tools/claims.py uncovered CHAPTER``
(numbers in a chapter's prose that no claim covers: a list to read, since numbers from the
sources are rightly left out).
"""

from __future__ import annotations

import json
import math
import numbers
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ROOT / "chapters"
META = CHAPTERS / "meta"
OUTPUT = ROOT / "_build" / "claims" / "chapters"
RUNTIME = "book_claims"  # the name this file has beside the copies

_SEPARATORS = (",", "\u2009", "\u202f", "\u00a0")  # thousands separators a text may use
_TEXT = re.compile(r"[-−]?\d{1,3}(?:[,\u2009\u202f\u00a0]\d{3})*(?:\.\d+)?(?:\s?%)?|[-−]?\d+(?:\.\d+)?(?:\s?%)?")
# Any number in prose, for `uncovered` (a digit run not inside a word or another number).
_ANY_NUMBER = re.compile(r"(?<![\w.,−-])[-−]?\d+(?:[,\u2009\u202f\u00a0]\d{3})*(?:\.\d+)?(?:\s?%)?(?![\w])")


class ClaimError(ValueError):
    """A claim that cannot be checked as written: the message says which and why."""


# --------------------------------------------------------------------------- numbers


def parse(text: str) -> tuple[float, int]:
    """The number a claim's text prints and its number of decimals: "−1,234.50 %" → (-1234.5, 2)."""
    if not isinstance(text, str) or not _TEXT.fullmatch(text.strip()):
        raise ClaimError(f"{text!r} is not a number as prose prints it (digits, an optional "
                         "decimal point, thousands separators, a leading minus, a trailing %)")
    plain = text.strip().replace("−", "-").removesuffix("%").rstrip()
    for separator in _SEPARATORS:
        plain = plain.replace(separator, "")
    decimals = len(plain.partition(".")[2])
    return float(plain), decimals


def agrees(text: str, value: object) -> bool:
    """Whether ``value`` rounds to ``text`` at the text's decimals (a tie may round either way)."""
    number, decimals = parse(text)
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return False
    value = float(value)
    if not math.isfinite(value):
        return False
    return abs(value - number) <= 0.5 * 10.0 ** -decimals * (1 + 1e-9) + 1e-12 * abs(number)


def _shown(value: object, decimals: int) -> str:
    if isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(float(value)):
        return f"{float(value):.{decimals}f} at {decimals} decimal{'s' if decimals != 1 else ''} (exactly {value!r})"
    return f"{value!r}, which is not a finite number"


def occurrences(text: str, source: str) -> int:
    """How many times ``text`` stands in ``source`` as a whole number: not part of a longer
    number, a word ("G²", "ex1") or a decimal."""
    pattern = r"(?<![\w.,−-])" + re.escape(text.strip()) + r"(?![\w%]|[.,]\d|\s%)"
    return len(re.findall(pattern, source))


# --------------------------------------------------------------------------- sidecars


def read_notebook(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def read_claims(sidecar: Path) -> list[dict]:
    """The ``claims`` list of a sidecar (empty if it has none)."""
    import yaml

    class _Strict(yaml.SafeLoader):
        """Refuses a key written twice in one mapping: YAML would keep the last silently, and a
        claim written under a repeated number text would never be checked."""

    def _mapping(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: set = set()
        for key_node, _ in node.value:
            key = loader.construct_object(key_node, deep=True)
            if key in seen:
                raise ClaimError(f"{sidecar.name}, line {key_node.start_mark.line + 1}: the key {key!r} is "
                                 "written twice in one mapping; give a text printed twice as a list "
                                 "of expressions")
            seen.add(key)
        return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)

    _Strict.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
    data = yaml.load(sidecar.read_text(encoding="utf-8"), Loader=_Strict) or {}
    if not isinstance(data, dict):
        raise ClaimError(f"{sidecar.name}: a sidecar is a YAML mapping, not {type(data).__name__}")
    claims = data.get("claims") or []
    if not isinstance(claims, list):
        raise ClaimError(f"{sidecar.name}: claims must be a list of {{cell, numbers}} entries")
    return claims


def _expressions(value: object) -> list[str]:
    return list(value) if isinstance(value, list) else [value]


def _anchor(cells: list[dict], claim: dict) -> str | None:
    """The id of the code cell after which a claim is evaluated."""
    if claim.get("after") is not None:
        return str(claim["after"])
    position = next(i for i, c in enumerate(cells) if c.get("id") == claim["cell"])
    before = [c for c in cells[:position] if c["cell_type"] == "code"]
    return before[-1].get("id") if before else None


def problems(chapter: str, *, chapters: Path | None = None) -> list[str]:
    """Everything wrong with a chapter's claims that can be seen without running it, one
    sentence each (an empty list when the claims can be checked)."""
    chapters = CHAPTERS if chapters is None else chapters
    sidecar = chapters / "meta" / f"{chapter}.yml"
    notebook = chapters / f"{chapter}.ipynb"
    if not notebook.is_file():
        return [f"{sidecar.name}: there is no chapter {notebook.name} for this sidecar"]
    try:
        claims = read_claims(sidecar)
    except ClaimError as error:
        return [str(error)]
    cells = read_notebook(notebook)["cells"]
    by_id = {c.get("id"): c for c in cells}
    found = []
    for number, claim in enumerate(claims, start=1):
        where = f"{sidecar.name}, claim {number}"
        if not isinstance(claim, dict) or "cell" not in claim or not isinstance(claim.get("numbers"), dict):
            found.append(f"{where}: each claim needs a cell id and a numbers mapping (text: expression)")
            continue
        cell = by_id.get(str(claim["cell"]))
        where = f"{sidecar.name}, cell {claim['cell']}"
        if cell is None:
            found.append(f"{where}: {notebook.name} has no cell with this id")
            continue
        if cell["cell_type"] != "markdown":
            found.append(f"{where}: claims are about prose, but this is a {cell['cell_type']} cell")
            continue
        after = claim.get("after")
        if after is not None and (str(after) not in by_id or by_id[str(after)]["cell_type"] != "code"):
            found.append(f"{where}: after: {after} is not the id of a code cell in {notebook.name}")
        elif _anchor(cells, claim) is None:
            found.append(f"{where}: no code cell comes before this cell; name one with after:")
        text_of_cell = _source(cell)
        for text, value in claim["numbers"].items():
            text = str(text)
            try:
                parse(text)
            except ClaimError as error:
                found.append(f"{where}: {error}")
                continue
            expressions = _expressions(value)
            seen = occurrences(text, text_of_cell)
            if seen < len(expressions):
                found.append(f"{where}: the text {text!r} occurs {seen} time(s) as a number in the cell, "
                             f"but {len(expressions)} expression(s) are given for it")
            for expression in expressions:
                if not isinstance(expression, str) or not expression.strip():
                    found.append(f"{where}: the expression for {text!r} must be a string of Python")
                    continue
                try:
                    compile(expression, f"{chapter}:{claim['cell']}", "eval")
                except SyntaxError as error:
                    found.append(f"{where}: the expression for {text!r} is not valid Python: "
                                 f"{expression!r} ({error.msg})")
    return found


def chapters_with_claims(chapters: Path | None = None) -> list[str]:
    """Names (without .ipynb) of the chapters whose sidecar has claims."""
    chapters = CHAPTERS if chapters is None else chapters
    return sorted(p.stem for p in (chapters / "meta").glob("*.yml") if read_claims(p))


# --------------------------------------------------------------------------- the check in the kernel


def check(chapter: str, claims: list[tuple[str, str, str]], namespace: dict) -> None:
    """Evaluate each (cell id, text, expression) in ``namespace`` (the kernel's globals) and raise
    AssertionError listing every text its value does not round to. Called by the inserted cells."""
    failures = []
    for cell, text, expression in claims:
        _, decimals = parse(text)
        try:
            value = eval(expression, namespace)  # noqa: S307 - the book's own sidecar expressions
        except Exception as error:  # report, with the others, rather than stop at the first
            failures.append(f"cell {cell}: the text says {text}, but {expression} raised "
                            f"{type(error).__name__}: {error}")
            continue
        if not agrees(text, value):
            failures.append(f"cell {cell}: the text says {text}, but {expression} gives {_shown(value, decimals)}")
    if failures:
        raise AssertionError(f"{chapter}: {len(failures)} number(s) in the prose disagree with the "
                             "computation (fix the prose or chapters/meta/" + chapter + ".yml):\n  "
                             + "\n  ".join(failures))


# --------------------------------------------------------------------------- the copies


_STAND_IN = '''"""Written by tools/claims.py: makes `import utils` in the checked copies load the book's
utils/ through the chapters' own stand-in, {chapters_utils}."""
import importlib.util

_spec = importlib.util.spec_from_file_location("_chapters_utils", {chapters_utils!r})
_spec.loader.exec_module(importlib.util.module_from_spec(_spec))
'''


# nbmake collects no notebook inside a folder named _build (to skip jupyter-book's executed
# copies), so the copies' folder gets a conftest.py that collects them with nbmake's own item. It
# sits one level above the copies, so that pytest's import mode puts no folder with a `utils`
# stand-in on the test process's path.
_CONFTEST = '''"""Written by tools/claims.py: nbmake skips every notebook inside a folder named _build;
the claims-checked copies in chapters/ beside this file are meant to run, so collect them with
nbmake's own item."""
from pathlib import Path

from nbmake.pytest_items import NotebookFile

COPIES = Path(__file__).resolve().parent / "chapters"


def pytest_collect_file(file_path, parent):
    if parent.config.option.nbmake and file_path.suffix == ".ipynb" and file_path.resolve().parent == COPIES:
        return NotebookFile.from_parent(parent, path=file_path)
'''


def copy_with_checks(chapter: str, output: Path, *, chapters: Path | None = None) -> Path:
    """Write ``output/<chapter>.ipynb``: the chapter with a check cell after each anchor cell."""
    chapters = CHAPTERS if chapters is None else chapters
    found = problems(chapter, chapters=chapters)
    if found:
        raise ClaimError("the claims cannot be checked:\n  " + "\n  ".join(found))
    notebook = read_notebook(chapters / f"{chapter}.ipynb")
    cells = notebook["cells"]
    checks: dict[str, list[tuple[str, str, str]]] = {}
    for claim in read_claims(chapters / "meta" / f"{chapter}.yml"):
        anchor = _anchor(cells, claim)
        for text, value in claim["numbers"].items():
            for expression in _expressions(value):
                checks.setdefault(anchor, []).append((str(claim["cell"]), str(text), expression))
    copied = []
    for cell in cells:
        copied.append(cell)
        if cell.get("id") in checks:
            items = "".join(f"    {item!r},\n" for item in checks[cell["id"]])
            source = ("# Checks of the prose's numbers, inserted by tools/claims.py (not part of the chapter)\n"
                      f"__import__({RUNTIME!r}).check({chapter!r}, [\n{items}], globals())\n")
            copied.append({"cell_type": "code", "id": f"claims-{cell['id']}", "metadata": {},
                           "execution_count": None, "outputs": [], "source": source.splitlines(keepends=True)})
    notebook["cells"] = copied
    output.mkdir(parents=True, exist_ok=True)
    path = output / f"{chapter}.ipynb"
    path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def write_copies(output: Path | None = None, *, chapters: Path | None = None) -> list[Path]:
    """Write the checked copy of every chapter with claims into ``output`` (default ``OUTPUT``),
    with the ``utils`` stand-in and this module beside them (the folder is emptied first) and a
    ``conftest.py`` in its parent that lets nbmake collect them there; return the copies' paths."""
    chapters = CHAPTERS if chapters is None else chapters
    output = OUTPUT if output is None else output
    if output.exists():
        shutil.rmtree(output)
    (output / "utils").mkdir(parents=True)
    (output.parent / "conftest.py").write_text(_CONFTEST, encoding="utf-8")
    stand_in = (chapters / "utils" / "__init__.py").resolve()
    (output / "utils" / "__init__.py").write_text(_STAND_IN.format(chapters_utils=str(stand_in)), encoding="utf-8")
    shutil.copyfile(Path(__file__), output / f"{RUNTIME}.py")
    return [copy_with_checks(name, output, chapters=chapters) for name in chapters_with_claims(chapters)]


def nbmake_targets(output: Path | None = None, *, chapters: Path | None = None) -> list[Path]:
    """The notebooks the test command runs for the chapters: the checked copy of each chapter
    with claims (written now), the chapter itself for the others, in chapter order."""
    chapters = CHAPTERS if chapters is None else chapters
    copies = {p.stem: p for p in write_copies(output, chapters=chapters)}
    return [copies.get(p.stem, p) for p in sorted(chapters.glob("*.ipynb"))]


# --------------------------------------------------------------------------- authoring aid


def uncovered(chapter: str, *, chapters: Path | None = None) -> list[tuple[str, str]]:
    """(cell id, text) of every number in the chapter's markdown that no claim covers."""
    chapters = CHAPTERS if chapters is None else chapters
    sidecar = chapters / "meta" / f"{chapter}.yml"
    claimed: dict[str, set[str]] = {}
    if sidecar.is_file():
        for claim in read_claims(sidecar):
            claimed.setdefault(str(claim.get("cell")), set()).update(str(t) for t in claim.get("numbers", {}))
    found = []
    for cell in read_notebook(chapters / f"{chapter}.ipynb")["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        for match in _ANY_NUMBER.finditer(_source(cell)):
            text = match.group(0).strip()
            if text not in claimed.get(cell.get("id"), set()):
                found.append((cell.get("id"), text))
    return found


def main(argv: list[str]) -> int:
    if argv[:1] == ["check"]:
        found = [p for name in sorted(p.stem for p in META.glob("*.yml")) for p in problems(name)]
        print("\n".join(found) or "claims: every sidecar's claims can be checked")
        return 1 if found else 0
    if argv[:1] == ["write"]:
        for path in write_copies():
            print(f"claims: wrote {path.relative_to(ROOT)}")
        return 0
    if argv[:1] == ["uncovered"] and len(argv) == 2:
        for cell, text in uncovered(Path(argv[1]).stem):
            print(f"{cell}\t{text}")
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
