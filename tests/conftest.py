"""Shared fixtures. Tests of the built book need ``_build/`` from ``python3 tools/book.py build``;
``python3 tools/book.py test`` builds first and sets BOOK_REQUIRE_BUILD=1, so there they fail
rather than skip when a page is missing.

The browser fixtures start one headless Chromium per pytest worker and one local server per
build. Without a Chromium the browser tests skip with an install hint, except under CI
(``CI=true``), where they fail with it: CI must never pass without a page opened."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

import pagecheck

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
ASSIGNMENTS_HTML = ROOT / "_build" / "assignments" / "_build" / "html"


def _built(path: Path) -> Path:
    if not (path / "index.html").is_file():
        message = f"no built book at {path}: run `python3 tools/book.py build` first"
        if os.environ.get("BOOK_REQUIRE_BUILD") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def html() -> Path:
    """The built book's HTML folder."""
    return _built(HTML)


@pytest.fixture(scope="session")
def assignments_html() -> Path:
    """The HTML folder of the build without solutions."""
    return _built(ASSIGNMENTS_HTML)


def _under_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


@pytest.fixture(scope="session")
def chromium() -> str:
    """The path of the Chromium the browser tests drive."""
    path = pagecheck.find_chromium()
    if path is None:
        if _under_ci():
            pytest.fail(pagecheck.INSTALL_HINT, pytrace=False)
        pytest.skip(pagecheck.INSTALL_HINT)
    return path


@pytest.fixture(scope="session")
def browser(chromium: str) -> Iterator[object]:
    """One headless Chromium for this worker, with no network of its own."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        running = pagecheck.launch(playwright, chromium)
        yield running
        running.close()


@pytest.fixture(scope="session")
def served() -> Iterator[dict[Path, str]]:
    """Folder -> address of a local server for it, each server started on first use."""
    servers: dict[Path, pagecheck.Server] = {}

    class Addresses(dict):
        def __missing__(self, folder: Path) -> str:
            servers[folder] = pagecheck.Server(folder)
            self[folder] = servers[folder].url
            return self[folder]

    yield Addresses()
    for server in servers.values():
        server.close()


_BROWSER_RAN: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call" and "test_page_in_a_browser" in report.nodeid:
        _BROWSER_RAN.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Join the per-page browser results into _build/browser/report.json (in the main process,
    when pages were checked)."""
    if hasattr(session.config, "workerinput") or not _BROWSER_RAN:
        return
    current = {(build, page) for build, folder in pagecheck.builds().items()
               for page in pagecheck.pages(folder, [])}
    path = pagecheck.merge_reports(current)
    if path is not None and session.config.pluginmanager.hasplugin("terminalreporter"):
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        reporter.write_line(f"browser report: {path.relative_to(pagecheck.ROOT)}")
