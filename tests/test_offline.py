"""A built page requests nothing from a third-party host: MathJax and the ipywidgets scripts are
served from the book itself (vendor/), and the welcome page proves it in a real browser."""

from __future__ import annotations

import functools
import hashlib
import http.server
import os
import re
import shutil
import threading
from urllib.parse import urlparse

import pytest

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


def _chromium() -> str | None:
    candidates = [os.environ.get("BOOK_CHROMIUM"), shutil.which("chromium"),
                  shutil.which("chromium-browser"), shutil.which("google-chrome")]
    return next((c for c in candidates if c), None)


@pytest.fixture()
def local_server(html):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(html))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_welcome_page_renders_math_and_widget_with_the_network_cut_off(local_server):
    chromium = _chromium()
    if chromium is None:
        pytest.skip("no Chromium found (install Debian's `chromium` or set BOOK_CHROMIUM)")
    from playwright.sync_api import sync_playwright

    blocked: list[str] = []
    missing: list[str] = []

    def only_local(route):
        host = urlparse(route.request.url).hostname
        if host in {"127.0.0.1", "localhost"} or route.request.url.startswith("data:"):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"])
        page = browser.new_page()
        page.route("**/*", only_local)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("response", lambda r: missing.append(r.url) if r.status == 404 and not r.url.endswith("favicon.ico") else None)
        page.goto(f"{local_server}/pages/welcome.html", wait_until="networkidle")
        page.wait_for_selector("mjx-container", timeout=20_000)
        page.wait_for_selector(".widget-slider", timeout=20_000)
        math = page.locator("mjx-container").count()
        bar = page.locator(".widget-hprogress").count()
        browser.close()
    assert blocked == []
    assert missing == [], "files the page asked the book for and did not find"
    assert math >= 3, "the welcome page's formulas were not typeset"
    assert bar == 1, "the linked progress bar of the welcome widget is missing"
    # sphinx-thebe 0.3.1 declares its constant twice on every page (a known bug; thebe itself is
    # never loaded because the book has no Thebe button). Any other script error fails the test.
    assert [e for e in errors if "THEBE_JS_URL" not in e] == []
