"""A built page requests nothing from a third-party host: MathJax and the ipywidgets scripts are
served from the book itself (vendor/). This reads the HTML; tests/test_browser.py proves it on
every page in a real browser with the network cut off."""

from __future__ import annotations

import hashlib
import re

from bookcli import ROOT

VENDOR = ROOT / "vendor"
# Attributes through which a page makes the browser fetch something by itself. Plain links
# (<a href>) are not requests: the reader decides to follow them.
RESOURCE = re.compile(
    r"<(?:script|img|iframe|source|audio|video|embed)\b[^>]*\bsrc=[\"'](?P<src>[^\"']+)"
    r"|<link\b(?=[^>]*\brel=[\"'](?:stylesheet|preload|modulepreload|icon|shortcut icon|prefetch|manifest)[\"'])"
    r"[^>]*\bhref=[\"'](?P<href>[^\"']+)"
    r"|url\([\"']?(?P<css>[^)\"']+)",
    re.IGNORECASE,
)


def test_vendored_files_match_their_checksums():
    listed = {}
    for line in (VENDOR / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split("  ", 1)
        listed[name] = digest
    present = {p.relative_to(VENDOR).as_posix() for p in VENDOR.rglob("*")
               if p.is_file() and p.name not in {"SHA256SUMS", "README.md"}}
    assert present == set(listed)
    changed = [n for n, d in listed.items() if hashlib.sha256((VENDOR / n).read_bytes()).hexdigest() != d]
    assert changed == []


def external_resources(text: str) -> list[str]:
    """The addresses on other hosts that an HTML text makes a browser fetch."""
    urls = (m.group("src") or m.group("href") or m.group("css") for m in RESOURCE.finditer(text))
    return [url for url in urls if url.startswith(("http:", "https:", "//"))]


def test_the_scan_finds_each_kind_of_request_and_ignores_links():
    page = """<script src="https://cdn.example/a.js"></script><img src='//img.example/b.png'>
    <link rel="stylesheet" href="https://fonts.example/c.css"><style>x{background:url(https://d.example/d.png)}</style>
    <a href="https://doi.org/10.1/x">a reference</a><link rel="next" href="https://example.org/next">
    <script src="../_static/local.js"></script><img src="data:image/png;base64,AAAA">"""
    assert external_resources(page) == ["https://cdn.example/a.js", "//img.example/b.png",
                                        "https://fonts.example/c.css", "https://d.example/d.png"]


def test_no_built_page_loads_anything_from_another_host(html):
    pages = sorted(html.rglob("*.html"))
    assert len(pages) >= 5
    offenders = {p.relative_to(html).as_posix(): external_resources(p.read_text(encoding="utf-8")) for p in pages}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_welcome_page_uses_the_books_own_scripts(html):
    text = (html / "pages" / "welcome.html").read_text(encoding="utf-8")
    for script in ("_static/mathjax/tex-chtml.js", "_static/widgets/require.js", "_static/widgets/embed-amd.js"):
        assert f'src="../{script}' in text
    assert 'type="application/vnd.jupyter.widget-state+json"' in text
    assert (html / "_static" / "mathjax" / "output" / "chtml" / "fonts" / "woff-v2").is_dir()
