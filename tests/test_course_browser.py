"""The course in a real browser (headless Chromium via Playwright): a chapter's quiz answers in
the static page with the network cut off, and JupyterLab on localhost renders the MyST of a
chapter and the plain Markdown of its student notebook, with no raw directive fence showing."""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

import bookcli

ROOT = bookcli.ROOT
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
INSTALL_HINT = ("no Chromium found: install Debian's package (apt-get install -y chromium) or set "
                "BOOK_CHROMIUM to a Chromium or Chrome binary")


def chromium() -> str:
    """The browser to drive; under CI a missing browser fails with the install hint."""
    found = next((c for c in (os.environ.get("BOOK_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                              shutil.which("chromium-browser"), shutil.which("google-chrome"))
                  if c and Path(c).is_file()), None)
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail(INSTALL_HINT)
        pytest.skip(INSTALL_HINT)
    return found


def local_only(blocked: list[str]):
    def route(request_route):
        url = request_route.request.url
        if urlparse(url).hostname in {"127.0.0.1", "localhost"} or url.startswith(("data:", "blob:")):
            request_route.continue_()
        else:
            blocked.append(url)
            request_route.abort()
    return route


@pytest.fixture()
def served_book(html):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(html)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_quiz_answers_in_the_static_page_with_the_network_cut_off(served_book):
    from playwright.sync_api import sync_playwright

    browser_path = chromium()
    blocked: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=browser_path, args=FLAGS)
        page = browser.new_page()
        page.route("**/*", local_only(blocked))
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{served_book}/chapters/01_crm_systems.html", wait_until="networkidle")
        questions = page.locator(".course-quiz-question")
        first, number = questions.nth(0), questions.nth(2)
        answer = int(first.get_attribute("data-answer"))
        first.locator(".course-quiz-check").click()
        unanswered = first.locator(".course-quiz-feedback").inner_text()
        first.locator("input[type=radio]").nth((answer + 1) % 3).check()
        first.locator(".course-quiz-check").click()
        wrong = first.locator(".course-quiz-feedback").inner_text()
        first.locator("input[type=radio]").nth(answer).check()
        first.locator(".course-quiz-check").click()
        right = first.locator(".course-quiz-feedback").inner_text()
        explained = first.locator(".course-quiz-explanation").is_visible()
        number.locator("input[type=text]").fill("0.3")
        number.locator(".course-quiz-check").click()
        typed = number.locator(".course-quiz-feedback").inner_text()
        browser.close()
    assert blocked == []
    assert [e for e in errors if "THEBE_JS_URL" not in e] == []
    assert unanswered == "Choose one of the options first."
    assert wrong.startswith("✗ Not quite") and right == "✓ Right." and explained
    assert typed == "✓ Right."


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture()
def jupyterlab(tmp_path):
    """JupyterLab on localhost serving copies of chapter 01 and its student notebook (so that
    nothing it saves can touch the repository), every cell rendered (no windowing), no autosave."""
    settings = tmp_path / "settings" / "@jupyterlab"
    (settings / "notebook-extension").mkdir(parents=True)
    (settings / "notebook-extension" / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    (settings / "docmanager-extension").mkdir()
    (settings / "docmanager-extension" / "plugin.jupyterlab-settings").write_text(json.dumps({"autosave": False}))
    served = tmp_path / "served"
    for relative in ("chapters/01_crm_systems.ipynb", "notebooks/student/01_crm_systems.ipynb"):
        (served / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / relative, served / relative)
    port, token = _free_port(), "course-test-token"
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"), JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
               IPYTHONDIR=str(tmp_path / "ipython"))
    command = [str(Path(sys.executable).parent / "jupyter"), "lab", "--no-browser", f"--ServerApp.port={port}",
               "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={served}",
               f"--LabApp.user_settings_dir={tmp_path / 'settings'}",
               f"--LabApp.workspaces_dir={tmp_path / 'workspaces'}",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate", "--ServerApp.allow_root=True"]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail("JupyterLab did not start: " + (server.stderr.read() if server.stderr else ""))
            time.sleep(0.5)
    yield base, token
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()


def _rendered_text(page, url: str, expect: str) -> str:
    """The notebook's text once ``expect`` shows in it (the MyST renderer works asynchronously)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page.goto(url)
    page.wait_for_selector(".jp-Notebook .jp-MarkdownCell", timeout=180_000)
    try:
        page.wait_for_function("text => document.querySelector('.jp-Notebook').innerText.includes(text)",
                               arg=expect, timeout=120_000)
    except PlaywrightTimeout:
        pass  # the assertions below say what is missing
    page.wait_for_timeout(2_000)
    return page.locator(".jp-Notebook").inner_text()


def test_jupyterlab_renders_the_myst_of_a_chapter_and_a_student_notebook(jupyterlab, tmp_path):
    from playwright.sync_api import sync_playwright

    base, token = jupyterlab
    browser_path = chromium()
    blocked: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=browser_path, args=FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.route("**/*", local_only(blocked))
        chapter = _rendered_text(page, f"{base}/lab/tree/chapters/01_crm_systems.ipynb?token={token}",
                                 "Exercise 5 (Design a study that could see the confounder)")
        chapter_admonitions = page.locator(".jp-Notebook .jp-MarkdownCell aside.myst-admonition").count()
        chapter_exercises = page.locator(".jp-Notebook .jp-MarkdownCell .myst-exercise").count()
        page.close()
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.route("**/*", local_only(blocked))
        student = _rendered_text(page, f"{base}/lab/tree/notebooks/student/01_crm_systems.ipynb?token={token}&reset",
                                 "Exercise 1.5 Design a study that could see the confounder")
        student_quotes = page.locator(".jp-Notebook .jp-MarkdownCell blockquote").count()
        browser.close()
    for text in (chapter, student):
        assert "```{" not in text and "{admonition}" not in text and "{exercise}" not in text
        assert "{cite:t}" not in text and "{term}" not in text
    assert chapter_admonitions >= 1, "jupyterlab-myst rendered no admonition in the chapter"
    assert chapter_exercises >= 1, "jupyterlab-myst rendered no exercise in the chapter"
    assert "Before you start" in chapter and "Exercise 1 (Which kind of CRM system?)" in chapter
    assert student_quotes >= 1 and "Before you start" in student
    assert "Exercise 1.1 Which kind of CRM system?" in student
    assert blocked == [], "JupyterLab and its MyST renderer work offline"
