"""Citations and reference lists in plain text, from ``references.bib``, for the notebooks.

The HTML book formats citations with sphinxcontrib-bibtex; a notebook opened in plain Jupyter
cannot, so the generated notebooks carry "Khodakarami and Chan (2014)" for ``{cite:t}``,
"(Mithas et al., 2005)" for ``{cite:p}`` and a reference list in place of ``{bibliography}``,
in the same author-year style as the HTML.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import latexcodec  # noqa: F401  (registers the "ulatex" codec; pybtex depends on it)
from pybtex.database import Entry, Person, parse_file


@lru_cache(maxsize=None)
def _latex(text: str) -> str:
    """A BibTeX field without its LaTeX markup ({CRM} → CRM, \\& → &, -- → –, {\\"o} → ö).

    latexcodec's decoder, not pybtex's ``Text.from_latex``, which takes most of a second a call."""
    return codecs.decode(text, "ulatex").replace("{", "").replace("}", "").replace("$", "")


def _last(person: Person) -> str:
    return _latex(" ".join(person.prelast_names + person.last_names))


def _initials(person: Person) -> str:
    names = person.first_names + person.middle_names
    return " ".join(_latex(n)[0] + "." for n in names if _latex(n))


@dataclass
class Bibliography:
    """The entries of a ``.bib`` file, formatted the way the book cites them."""

    entries: dict[str, Entry]

    @classmethod
    def read(cls, path: Path) -> Bibliography:
        return cls(dict(parse_file(str(path), bib_format="bibtex").entries))

    def _authors(self, key: str) -> str:
        people = self.entries[key].persons.get("author") or self.entries[key].persons.get("editor") or []
        names = [_last(p) for p in people]
        if len(names) >= 3:
            return f"{names[0]} et al."
        return " and ".join(names) or key

    def _year(self, key: str) -> str:
        return self.entries[key].fields.get("year", "n.d.")

    def cite(self, keys: list[str], mode: str = "p") -> str:
        """``mode`` t: "Author (2014)"; p: "(Author, 2014; Other, 2010)"; author, year: one part."""
        known = [k for k in keys if k in self.entries]
        unknown = [k for k in keys if k not in self.entries]
        if unknown:
            raise KeyError(f"citation key(s) {', '.join(unknown)} are not in references.bib")
        if mode in {"t", "ts"}:
            return "; ".join(f"{self._authors(k)} ({self._year(k)})" for k in known)
        if mode == "author":
            return "; ".join(self._authors(k) for k in known)
        if mode == "year":
            return "; ".join(self._year(k) for k in known)
        return "(" + "; ".join(f"{self._authors(k)}, {self._year(k)}" for k in known) + ")"

    def reference(self, key: str) -> str:
        """One entry as a Markdown line: authors (year). Title. *Journal*, volume(issue), pages. DOI."""
        entry = self.entries[key]
        fields = {name: _latex(value) for name, value in entry.fields.items()}
        people = entry.persons.get("author") or entry.persons.get("editor") or []
        authors = [f"{_last(p)}, {_initials(p)}".rstrip(", ") for p in people]
        who = authors[0] if len(authors) == 1 else ", ".join(authors[:-1]) + ", & " + authors[-1] if authors else key
        parts = [f"{who} ({fields.get('year', 'n.d.')}). {fields.get('title', '').rstrip('.')}."]
        venue = fields.get("journal") or fields.get("booktitle")
        if venue:
            detail = f"*{venue}*"
            if fields.get("volume"):
                detail += f", {fields['volume']}"
                if fields.get("number"):
                    detail += f"({fields['number']})"
            if fields.get("pages"):
                detail += f", {fields['pages']}"
            parts.append(detail + ".")
        elif fields.get("publisher"):
            parts.append(fields["publisher"] + ".")
        if fields.get("doi"):
            parts.append(f"https://doi.org/{entry.fields['doi']}")
        return " ".join(parts)

    def reference_list(self, keys: list[str]) -> str:
        """The cited entries, sorted by author and year, as a Markdown list (empty if none)."""
        unique = sorted({k for k in keys if k in self.entries}, key=lambda k: (self._authors(k), self._year(k)))
        return "\n".join(f"- {self.reference(k)}" for k in unique)
