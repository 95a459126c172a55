"""Every page of the built book and of the assignments build, opened in headless Chromium with the
network cut off, in light and dark mode (``tools/pagecheck.py`` says what fails a page); and the
checks themselves, shown to catch each fault on a page made faulty on purpose.

The pages are found in the built HTML trees and ``_toc.yml`` when the tests are collected, so a
page that another part of the book adds is checked without a change here. Each page's load time,
weight, violations and figure contrasts go to ``_build/browser/report.json`` (and ``.csv``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import bookcli
import pagecheck

EXCEPTIONS_FILE = Path(__file__).with_name("accessibility_exceptions.yml")
FIXTURE = {"book": "html", "assignments": "assignments_html"}  # fail or skip when not built
BUILDS = pagecheck.builds()
CASES = [(build, page) for build, folder in BUILDS.items()
         for page in pagecheck.pages(folder, bookcli.toc_files())]


def accessibility_exceptions() -> list[pagecheck.AxeException]:
    entries = yaml.safe_load(EXCEPTIONS_FILE.read_text(encoding="utf-8")) or []
    return [pagecheck.AxeException(**{**e, "modes": tuple(e.get("modes", ("light", "dark")))})
            for e in entries]


@pytest.mark.parametrize(("build", "page"), CASES, ids=[f"{b}:{p}" for b, p in CASES])
def test_page_in_a_browser(browser, served, request, build, page):
    html_dir = request.getfixturevalue(FIXTURE[build]) if build in FIXTURE else BUILDS[build]
    shots = os.environ.get("BOOK_SCREENSHOTS")
    result = pagecheck.check_page(browser, served[html_dir], html_dir, build, page,
                                  exceptions=accessibility_exceptions(),
                                  screenshots=Path(shots) if shots else None)
    pagecheck.save(result)
    failures = result.failures()
    assert not failures, f"{build}:{page} has {len(failures)} problem(s):\n  " + "\n  ".join(failures)


# --------------------------------------------------------------------------- the page list


def test_pages_are_found_in_the_tree_and_the_toc(tmp_path):
    for name in ("index.html", "genindex.html", "pages/a.html", "course/week1/b.html",
                 "_static/x.html", "_sources/y.html", "reports/z.html",
                 "pages/@jupyter-widgets/html-manager/dist/w.html"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("<html></html>")
    assert pagecheck.pages(tmp_path, ["pages/a", "chapters/missing"]) == [
        "chapters/missing.html", "course/week1/b.html", "genindex.html", "index.html", "pages/a.html"]


def test_every_toc_page_of_every_build_is_checked(tmp_path, monkeypatch):
    for build in BUILDS:
        checked = {page for b, page in CASES if b == build}
        assert {f"{name}.html" for name in bookcli.toc_files()} <= checked
    # another edition built like the assignments one is found too
    monkeypatch.setattr(pagecheck, "BUILD", tmp_path)
    monkeypatch.setattr(pagecheck, "BUILDS", {"book": tmp_path / "html"})
    (tmp_path / "student" / "_build" / "html").mkdir(parents=True)
    (tmp_path / "student" / "_build" / "html" / "index.html").write_text("<html></html>")
    assert pagecheck.builds() == {"book": tmp_path / "html", "student": tmp_path / "student" / "_build" / "html"}


def test_axe_core_is_used_by_the_tests_but_not_published(html):
    assert pagecheck.AXE.read_text(encoding="utf-8").startswith("/*! axe v4.14.1")
    assert not (html / "_static" / "axe-core").exists()
    assert (html / "_static" / "mathjax" / "tex-chtml.js").is_file()


def test_every_exception_says_why_and_the_themes_name_their_issue():
    for exception in accessibility_exceptions():
        assert len(exception.reason) > 20, exception
        assert set(exception.modes) <= {"light", "dark"}, exception
        if "theme" in exception.reason.lower():
            assert exception.upstream.startswith("https://github.com/"), exception


# --------------------------------------------------------------------------- contrast arithmetic


def _grey(value: int) -> float:
    return float(pagecheck.relative_luminance([value / 255] * 3))


def test_contrast_ratio_matches_wcag_reference_values():
    assert pagecheck.contrast_ratio(_grey(0), _grey(255)) == pytest.approx(21.0)
    # #767676 is the lightest grey with AA contrast on white: 4.54 to 1 (WebAIM, WCAG 1.4.3)
    assert pagecheck.contrast_ratio(_grey(0x76), _grey(255)) == pytest.approx(4.54, abs=0.005)
    assert pagecheck.contrast_ratio(_grey(0x77), _grey(255)) < 4.5


def _figure(size=(60, 40)):
    """A transparent picture with a thick black bar: ink on no paper, as a transparent plot."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", size, (0, 0, 0, 0))
    ImageDraw.Draw(image).rectangle((10, 15, 50, 25), fill=(0, 0, 0, 255))
    return image


def _drawn_on(image, paper):
    from PIL import Image

    page = Image.new("RGB", image.size, paper)
    page.paste(image, mask=image)
    return page


def test_contrast_sample_of_a_transparent_figure_follows_the_page_behind_it():
    figure = _figure()
    on_white = pagecheck.sample_contrast(figure, _drawn_on(figure, (255, 255, 255)))
    assert on_white["contrast"] == pytest.approx(21.0) and on_white["transparent"] > 0.5
    dark = (18, 18, 18)
    on_dark = pagecheck.sample_contrast(figure, _drawn_on(figure, dark))
    assert on_dark["contrast"] == pytest.approx((_grey(18) + 0.05) / 0.05, rel=1e-3)
    assert on_dark["contrast"] < pagecheck.FIGURE_CONTRAST


def test_contrast_sample_of_an_opaque_figure_uses_its_own_background():
    from PIL import Image

    figure = Image.new("RGB", (60, 40), (255, 255, 255))
    figure.paste((0, 0, 0), (10, 15, 50, 25))
    sample = pagecheck.sample_contrast(figure, figure)
    assert sample["transparent"] == 0 and sample["paper"] == 1 and sample["contrast"] == pytest.approx(21.0)


# --------------------------------------------------------------------------- the checks catch faults

FAULTS = """
<p style="color:#c8c8c8">Text too pale to read.</p>
<img src="faulty-figure.png" alt="A transparent test figure on the theme's dark-mode paper">
<img src="faulty-figure.png" alt="The same figure with no paper" style="background: transparent">
<img src="faulty-figure.png">
<img src="faulty-figure.png" alt="faulty-figure.png">
<img src="no-such-figure.png" alt="A figure that is not there">
<img src="https://example.org/tracker.png" alt="A picture from another host">
<span class="math notranslate nohighlight"><code>\\(x^{2}\\)</code></span>
<div class="math notranslate nohighlight">\\[x^2^3\\]</div>
<script type="application/vnd.jupyter.widget-view+json">
{"version_major": 2, "version_minor": 0, "model_id": "no-such-model"}</script>
<a href="no-such-page.html">a missing page</a>
<a href="glossary.html#no-such-term">a missing term</a>
<a href="#no-such-section">a missing section</a>
<script>console.error("a console error on purpose");</script>
<script>throw new Error("a script error on purpose");</script>
"""


def _faulty_site(html: Path, site: Path) -> None:
    """A copy of the book (links to the real files) whose page pages/faulty.html is the welcome
    page with FAULTS added at the top of its article."""
    site.mkdir()
    for entry in html.iterdir():
        if entry.name != "pages":
            (site / entry.name).symlink_to(entry)
    (site / "pages").mkdir()
    for entry in (html / "pages").iterdir():
        (site / "pages" / entry.name).symlink_to(entry)
    welcome = (html / "pages" / "welcome.html").read_text(encoding="utf-8")
    marker = '<article class="bd-article">'
    assert marker in welcome
    (site / "pages" / "faulty.html").write_text(welcome.replace(marker, marker + FAULTS, 1), encoding="utf-8")
    _figure((240, 160)).save(site / "pages" / "faulty-figure.png")


def test_the_checks_find_each_fault_on_a_faulty_page(browser, served, html, tmp_path):
    site = tmp_path / "site"
    _faulty_site(html, site)
    result = pagecheck.check_page(browser, served[site], site, "book", "pages/faulty.html", timeout_ms=10_000)
    found = {(p.kind, p.mode) for p in result.problems}
    assert found == {
        ("request to another host", ""), ("missing file", ""), ("image did not load", ""),
        ("script error", ""), ("console error", ""), ("math not typeset", ""), ("math error", ""),
        ("widget not rendered", ""), ("image without alt text", ""), ("broken link", ""),
        ("broken anchor", ""), ("figure illegible", "dark")}
    details = "\n".join(map(str, result.problems))
    for needle in ("example.org/tracker.png", "404", "no-such-figure.png", "a script error on purpose",
                   "a console error on purpose", "x^{2}", "Double exponent", "no-such-model", "no-such-page.html",
                   "#no-such-term", "#no-such-section"):
        assert needle in details
    assert len([p for p in result.problems if p.kind == "image without alt text"]) == 2
    # the two figures with alt text: legible on the theme's paper, illegible without it
    contrasts = sorted(f["contrast"] for f in result.figures if f["src"] == "faulty-figure.png")
    assert contrasts[0] < 1.5 and contrasts[-1] > 10
    rules = {(v["rule"], v["mode"]) for v in result.violations}
    assert {("color-contrast", "light"), ("image-alt", "light"), ("image-alt", "dark")} <= rules
    # the known sphinx-thebe error is on the welcome page too, and allowed by its exact text
    assert not any("THEBE_JS_URL" in p.detail for p in result.problems)


def test_an_exception_covers_only_its_rule_page_mode_and_element():
    exception = pagecheck.AxeException(rule="color-contrast", reason="a test exception", pages="book:pages/*",
                                       target=".highlight", modes=("dark",))
    assert exception.covers("book", "pages/a.html", "dark", "color-contrast", "div.highlight > pre")
    assert not exception.covers("book", "pages/a.html", "light", "color-contrast", "div.highlight > pre")
    assert not exception.covers("assignments", "pages/a.html", "dark", "color-contrast", "div.highlight")
    assert not exception.covers("book", "chapters/a.html", "dark", "color-contrast", "div.highlight")
    assert not exception.covers("book", "pages/a.html", "dark", "link-name", "div.highlight")
    assert not exception.covers("book", "pages/a.html", "dark", "color-contrast", "p.caption")


# --------------------------------------------------------------------------- no silent skip


def _run_one_page_test(env: dict[str, str]) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "pytest", "-p", "no:xdist", "-p", "no:cacheprovider", "-rs", "-vv",
               "tests/test_browser.py", "-k", "test_page_in_a_browser and book and welcome"]
    return subprocess.run(command, cwd=bookcli.ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_without_a_browser_ci_fails_with_the_install_hint_and_a_laptop_skips(tmp_path, html):
    env = {k: v for k, v in os.environ.items() if k not in {"CI", "BOOK_CHROMIUM"}}
    env["PATH"] = str(tmp_path)  # a PATH with no browser on it
    under_ci = _run_one_page_test({**env, "CI": "true"})
    assert under_ci.returncode == 1, under_ci.stdout[-2000:]
    assert pagecheck.INSTALL_HINT in under_ci.stdout
    local = _run_one_page_test(env)
    assert local.returncode == 0, local.stdout[-2000:]
    assert "1 skipped" in local.stdout and "install it" in local.stdout


# --------------------------------------------------------------------------- the report


def test_page_results_merge_into_json_and_csv_and_the_benchmark_sums_them(tmp_path, monkeypatch, capsys):
    import benchmark

    monkeypatch.setattr(pagecheck, "REPORT_DIR", tmp_path)
    pages = [("book", "a.html", 2_000_000, 900.0), ("book", "b/c.html", 5_000_000, 1500.0),
             ("assignments", "a.html", 1_000_000, 300.0)]
    for build, page, size, load in pages:
        result = pagecheck.PageResult(build, page, load_ms=load, ready_ms=load + 100, check_s=2.0,
                                      bytes=size, requests=10, figures=[{"src": "x.png", "contrast": 7.5}])
        pagecheck.save(result)
    pagecheck.save(pagecheck.PageResult("book", "gone.html"))  # a page no longer built
    current = {(b, p) for b, p, _, _ in pages}
    report = pagecheck.merge_reports(current)
    rows = json.loads(report.read_text())["pages"]
    assert [(r["build"], r["page"]) for r in rows] == [("assignments", "a.html"), ("book", "a.html"), ("book", "b/c.html")]
    csv_lines = (tmp_path / "report.csv").read_text().splitlines()
    assert csv_lines[0].startswith("build,page,load_ms") and len(csv_lines) == 4
    assert csv_lines[3].endswith(",1,7.5")
    benchmark.print_browser_report(heaviest=2)
    out = capsys.readouterr().out
    assert "pages: 3 (1 assignments, 2 book); weight 8.0 MB in 30 requests" in out
    assert "load median 900 ms, max 1500 ms" in out
    heaviest = out.split("heaviest pages", 1)[1].splitlines()[1:3]
    assert heaviest[0].split()[0] == "book:b/c.html" and heaviest[1].split()[0] == "book:a.html"
