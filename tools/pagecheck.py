"""Open every page of a built book in headless Chromium, as a reader's browser would, and say what
is wrong with each.

A page is served from this machine with every request to another host blocked, its dropdowns
(solutions) opened, and checked once in the theme's light mode and once in its dark mode. What
fails it (a ``Problem``):

- a script error on the page or a console error, other than the one listed in
  ``ALLOWED_SCRIPT_ERRORS`` with its reason;
- a request to another host, or a request to the book that it cannot answer (a 404);
- math that MathJax did not typeset, or typeset with an error;
- an embedded ipywidget that did not render;
- an image without alt text (no ``alt``, a blank one, or the file name docutils puts there when
  a notebook output has none), or one that did not load;
- a link to a page or file of the book that does not exist, or to an anchor the page lacks;
- a WCAG 2.1 A or AA violation found by axe-core (``vendor/axe-core``), in either mode, unless an
  exception covers it (rule, page, reason and, for the theme's own, the upstream issue);
- in dark mode, a figure whose ink no longer stands out from the paper behind it (contrast
  sampled from the image as the page composites it, see ``figure_contrast``);
- a check that cannot finish (a page that never loads, a wait that times out).

A page that only redirects (the root ``index.html``) must land on an existing page. Dark mode is
the one the theme shows a reader whose system prefers dark (its default mode is "auto").

``check_page`` returns a ``PageResult`` that also holds the page's load time and weight; the
tests write one JSON file per page and ``merge_reports`` joins them into
``_build/browser/report.json`` and ``report.csv``, which the benchmark summarises.
"""

from __future__ import annotations

import base64
import csv
import fnmatch
import functools
import http.server
import io
import json
import os
import re
import shutil
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "_build"
# The two builds `python3 tools/book.py test` always makes; builds() adds any other.
BUILDS = {"book": BUILD / "html", "assignments": BUILD / "assignments" / "_build" / "html"}
REPORT_DIR = BUILD / "browser"
AXE = ROOT / "vendor" / "axe-core" / "axe.min.js"

# The flags this machine's notes give for a headless Chromium that makes no connection of its own.
# Playwright adds a fresh, empty --user-data-dir for every launch.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
INSTALL_HINT = ("no Chromium found for the browser tests: install it (Debian/Ubuntu: "
                "`sudo apt-get install chromium`; macOS: `brew install --cask chromium`) or set "
                "BOOK_CHROMIUM to a Chrome or Chromium executable")
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
VIEWPORT = {"width": 1280, "height": 900}
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
# Script errors that are known, harmless and not ours to fix, by their exact text, with the reason.
ALLOWED_SCRIPT_ERRORS = {
    "Identifier 'THEBE_JS_URL' has already been declared":
        "sphinx-thebe 0.3.1 declares this constant in two scripts of every page; the second "
        "declaration throws, but Thebe itself is never started (the book has no Thebe button).",
}
FAILED_LOAD = "Failed to load resource"
REDIRECT = re.compile(r"""<meta\s+http-equiv=["']refresh["']\s+content=["']\d+;\s*url=([^"']+)["']""", re.I)
# Folders of a build that hold assets, not pages.
NOT_PAGE_FOLDERS = re.compile(r"^(_|@|reports$)")
# In dark mode a figure's ink must keep this contrast with the paper behind it (WCAG 1.4.3, text).
# Ink is what is near-black in the file: text, axes and lines (matplotlib draws them black).
FIGURE_CONTRAST = 4.5
INK_LUMINANCE = 0.05
TIMEOUT_MS = 30_000


@dataclass
class Problem:
    """One thing wrong with a page: its kind (a short fixed phrase), what exactly, in which mode."""

    kind: str
    detail: str
    mode: str = ""

    def __str__(self) -> str:
        return f"{self.kind}{f' ({self.mode})' if self.mode else ''}: {self.detail}"


@dataclass
class PageResult:
    """What one page did in the browser."""

    build: str
    page: str
    load_ms: float = 0.0      # navigation start to the load event
    ready_ms: float = 0.0     # navigation start to math typeset and widgets drawn
    check_s: float = 0.0      # wall time of the whole check, both modes
    bytes: int = 0            # the page and every file it fetched, as served (uncompressed)
    requests: int = 0
    problems: list[Problem] = field(default_factory=list)
    violations: list[dict] = field(default_factory=list)   # axe, not covered by an exception
    excepted: list[dict] = field(default_factory=list)     # axe, covered by an exception
    figures: list[dict] = field(default_factory=list)      # dark-mode contrast of each image

    def failures(self) -> list[str]:
        """Every problem and every axe violation, one line each."""
        lines = [str(p) for p in self.problems]
        for v in self.violations:
            lines.append(f"accessibility ({v['mode']}): {v['rule']} ({v['impact']}): {v['help']} "
                         f"at {v['target']} [{v['html']}]")
        return lines


@dataclass(frozen=True)
class AxeException:
    """An axe violation accepted on purpose: which rule, where, why."""

    rule: str
    reason: str
    pages: str = "*"          # fnmatch pattern on "build:page", e.g. "*:chapters/*"
    target: str = ""          # substring of the offending element's CSS selector
    modes: tuple[str, ...] = ("light", "dark")
    upstream: str = ""        # the theme's issue, when the fault is the theme's

    def covers(self, build: str, page: str, mode: str, rule: str, target: str) -> bool:
        return (rule == self.rule and mode in self.modes and self.target in target
                and fnmatch.fnmatchcase(f"{build}:{page}", self.pages))


# --------------------------------------------------------------------------- pages and browser


def builds() -> dict[str, Path]:
    """Every HTML build to check, by name: the book, the assignments build, and any other build
    made the same way (``_build/NAME/_build/html``, e.g. a student or instructor edition)."""
    found = dict(BUILDS)
    for index in sorted(BUILD.glob("*/_build/html/index.html")):
        found.setdefault(index.parents[2].name, index.parent)
    return found


def pages(html_dir: Path, toc_pages: list[str]) -> list[str]:
    """Every HTML page of the build in ``html_dir`` (paths relative to it), and every ``_toc.yml``
    page even if the build did not make it (so that it is checked, and fails)."""
    found = set()
    if html_dir.is_dir():
        for path in html_dir.rglob("*.html"):
            parts = path.relative_to(html_dir).parts
            if not any(NOT_PAGE_FOLDERS.match(part) for part in parts[:-1]):
                found.add("/".join(parts))
    return sorted(found | {f"{name}.html" for name in toc_pages})


def find_chromium() -> str | None:
    """The Chromium to use: ``BOOK_CHROMIUM`` if set, else the first Chromium or Chrome on PATH."""
    chosen = os.environ.get("BOOK_CHROMIUM")
    if chosen:
        return chosen if Path(chosen).is_file() else None
    names = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
    return next((path for path in map(shutil.which, names) if path), None)


def launch(playwright, executable: str):
    """A headless Chromium that opens no connection of its own."""
    return playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)


class Server:
    """Serve ``folder`` on 127.0.0.1 at a free port from a background thread, quietly."""

    def __init__(self, folder: Path) -> None:
        class Quiet(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

        handler = functools.partial(Quiet, directory=str(folder))
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


# --------------------------------------------------------------------------- in-page scripts

_EAGER_IMAGES = """async () => {
  for (const img of document.images) img.loading = "eager";
  await Promise.all(Array.from(document.images, img => img.decode().catch(() => null)));
}"""
_HAS_MATH = "() => document.querySelector('.math') !== null"
_MATHJAX_LOADED = "() => Boolean(window.MathJax && MathJax.startup && MathJax.startup.promise)"
_MATH = """async () => {
  await MathJax.startup.promise;
  const math = Array.from(document.querySelectorAll(".math"));
  return {
    total: math.length,
    untypeset: math.filter(m => !m.querySelector("mjx-container")).map(m => m.textContent.trim().slice(0, 80)),
    errors: Array.from(document.querySelectorAll("mjx-merror"),
                       e => e.getAttribute("data-mjx-error") || e.textContent.slice(0, 80)),
  };
}"""
_WIDGET_VIEWS = "script[type='application/vnd.jupyter.widget-view+json']"
# The embed script puts a div.widget-subarea before each view's script tag and draws into it.
_UNRENDERED_WIDGETS = """() => Array.from(document.querySelectorAll("%s"))
  .filter(tag => {
    const area = tag.previousElementSibling;
    return !(area && area.classList.contains("widget-subarea") && area.firstElementChild
             && area.getBoundingClientRect().height > 0);
  })
  .map(tag => { try { return JSON.parse(tag.textContent).model_id; } catch (e) { return "?"; } })""" % _WIDGET_VIEWS
_IMAGES = """() => Array.from(document.images)
  .filter(img => !img.closest("[aria-hidden='true']"))
  .map(img => ({src: img.getAttribute("src") || "", url: img.currentSrc || img.src,
                alt: img.getAttribute("alt"), loaded: img.complete && img.naturalWidth > 0}))"""
_LINKS = """() => ({
  ids: Array.from(document.querySelectorAll("[id]"), e => e.id)
         .concat(Array.from(document.querySelectorAll("a[name]"), e => e.name)),
  links: Array.from(new Set(Array.from(document.querySelectorAll("a[href]"), a => a.href))),
})"""
_TIMING = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const files = performance.getEntriesByType("resource");
  return {load: nav.loadEventEnd - nav.startTime, now: performance.now(),
          bytes: nav.encodedBodySize + files.reduce((sum, f) => sum + (f.encodedBodySize || 0), 0),
          requests: 1 + files.length};
}"""
# Open what a reader can open (solutions in dropdowns, <details>), so that it is checked too.
_OPEN_ALL = """() => {
  const closed = Array.from(document.querySelectorAll('button.toggle-button[aria-expanded="false"]'));
  closed.forEach(button => (button.closest(".admonition-title") || button).click());
  const details = Array.from(document.querySelectorAll("details:not([open])"));
  details.forEach(d => { d.open = true; });
  return closed.length + details.length;
}"""
# Wait for the page's scripts to react (two frames) and for its finite transitions to end.
_SETTLE = """async () => {
  await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
  const finite = document.getAnimations().filter(a => a.effect && a.effect.getComputedTiming().endTime !== Infinity);
  await Promise.all(finite.map(a => a.finished.catch(() => null)));
}"""
_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return result.violations.flatMap(v => v.nodes.map(n => ({
    rule: v.id, impact: v.impact, help: v.help, target: n.target.join(" "), html: n.html.slice(0, 160)})));
}"""
# Each content image twice, at most 400 px wide: as its file is (``source``) and as the page
# composites it (``rendered``): over the colour behind it (its ancestors' backgrounds, from the
# root down), on its own background, through its own CSS filter (the theme dims images in dark mode).
_FIGURES = """() => {
  const rgba = css => {
    const m = css.match(/rgba?\\(([^)]*)\\)/);
    if (!m) return [0, 0, 0, 0];
    const v = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return [v[0], v[1], v[2], v.length > 3 ? v[3] : 1];
  };
  const canvas = (w, h) => Object.assign(document.createElement("canvas"), {width: w, height: h});
  return Array.from(document.querySelectorAll("article img")).filter(img => img.naturalWidth > 0).map(img => {
    const w = Math.min(img.naturalWidth, 400), h = Math.max(1, Math.round(img.naturalHeight * w / img.naturalWidth));
    let behind = [255, 255, 255];
    const chain = [];
    for (let e = img.parentElement; e; e = e.parentElement) chain.unshift(e);
    for (const e of chain) {
      const [r, g, b, a] = rgba(getComputedStyle(e).backgroundColor);
      behind = behind.map((v, k) => v * (1 - a) + [r, g, b][k] * a);
    }
    const style = getComputedStyle(img);
    const source = canvas(w, h), layer = canvas(w, h), drawn = canvas(w, h);
    source.getContext("2d").drawImage(img, 0, 0, w, h);
    const l = layer.getContext("2d");
    l.fillStyle = style.backgroundColor;
    l.fillRect(0, 0, w, h);
    l.drawImage(img, 0, 0, w, h);
    const d = drawn.getContext("2d");
    d.fillStyle = `rgb(${behind.map(Math.round).join(",")})`;
    d.fillRect(0, 0, w, h);
    d.filter = style.filter || "none";
    d.drawImage(layer, 0, 0);
    return {src: img.getAttribute("src") || "", source: source.toDataURL(), rendered: drawn.toDataURL()};
  });
}"""


# --------------------------------------------------------------------------- the check


def check_page(browser, base_url: str, html_dir: Path, build: str, page: str, *,
               exceptions: list[AxeException] = (), screenshots: Path | None = None,
               timeout_ms: int = TIMEOUT_MS) -> PageResult:
    """Open ``page`` of the build in ``html_dir`` (served at ``base_url``) and check it in light
    and dark mode; save full-page screenshots into ``screenshots`` if given. ``timeout_ms`` bounds
    each wait (the page's load, MathJax, the widgets)."""
    start = time.perf_counter()
    result = PageResult(build, page)
    problems = result.problems
    context = browser.new_context(viewport=VIEWPORT, color_scheme="light")
    context.add_init_script("performance.setResourceTimingBufferSize(100000)")

    def only_local(route) -> None:
        url = route.request.url
        if urlparse(url).hostname in LOCAL_HOSTS or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            problems.append(Problem("request to another host", url))
            route.abort()

    context.route("**/*", only_local)
    tab = context.new_page()
    failed_loads: list[str] = []  # also what the browser asks for itself, such as /favicon.ico
    tab.on("pageerror", lambda error: _script_error(problems, "script error", str(error)))
    tab.on("console", lambda message: (failed_loads.append(message.location.get("url", "?"))
                                       if message.text.startswith(FAILED_LOAD) else
                                       _script_error(problems, "console error", message.text))
           if message.type == "error" else None)
    tab.on("response", lambda response: problems.append(
        Problem("missing file", f"{response.status} {response.url}"))
        if response.status >= 400 and urlparse(response.url).hostname in LOCAL_HOSTS else None)
    tab.on("requestfailed", lambda request: problems.append(
        Problem("failed request", f"{request.failure} {request.url}"))
        if urlparse(request.url).hostname in LOCAL_HOSTS else None)
    try:
        redirect = REDIRECT.search((html_dir / page).read_text(encoding="utf-8", errors="replace")[:2000]) \
            if (html_dir / page).is_file() else None
        if redirect:
            _follow_redirect(tab, base_url, html_dir, page, redirect.group(1), problems, timeout_ms)
        else:
            _check_loaded_page(tab, result, base_url, html_dir, exceptions, screenshots, timeout_ms)
    except Exception as error:  # a timeout or a page that navigated away: say so, keep the rest
        problems.append(Problem("check did not finish", f"{type(error).__name__}: {str(error).splitlines()[0]}"))
    finally:
        context.close()
    missing = " ".join(p.detail for p in problems if p.kind in {"missing file", "request to another host"})
    # a 404 also fails the request and logs a console error: say it once
    problems[:] = [p for p in problems if not (p.kind == "failed request" and p.detail.split()[-1] in missing)]
    problems.extend(Problem("missing file", f"{url} (the browser could not load it)")
                    for url in dict.fromkeys(failed_loads) if url not in missing)
    result.check_s = round(time.perf_counter() - start, 2)
    return result


def _follow_redirect(tab, base_url: str, html_dir: Path, page: str, to: str, problems: list[Problem],
                     timeout_ms: int) -> None:
    """A page that only sends the reader on (the root index.html): it must land on a page."""
    target = (html_dir / page).parent / unquote(to)
    if not target.is_file():
        problems.append(Problem("broken link", f"{page} redirects to {to}, which does not exist"))
        return
    tab.goto(f"{base_url}/{page}", wait_until="commit", timeout=timeout_ms)
    tab.wait_for_url(f"**/{target.relative_to(html_dir).as_posix()}", wait_until="load", timeout=timeout_ms)


def _check_loaded_page(tab, result: PageResult, base_url: str, html_dir: Path,
                       exceptions: list[AxeException], screenshots: Path | None, timeout_ms: int) -> None:
    build, page, problems = result.build, result.page, result.problems
    tab.goto(f"{base_url}/{page}", wait_until="load", timeout=timeout_ms)
    _wait_until_drawn(tab, problems, timeout_ms)
    tab.evaluate(_OPEN_ALL)
    tab.evaluate(_SETTLE)
    timing = tab.evaluate(_TIMING)
    result.load_ms, result.ready_ms = round(timing["load"], 1), round(timing["now"], 1)
    result.bytes, result.requests = int(timing["bytes"]), int(timing["requests"])
    _check_images(tab, problems)
    _check_links(tab, base_url, html_dir, page, problems)
    tab.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    for mode in ("light", "dark"):
        if mode == "dark":
            _go_dark(tab, problems)
            result.figures = figure_contrast(tab, problems)
        for violation in tab.evaluate(_AXE, WCAG_TAGS):
            violation["mode"] = mode
            covered = any(e.covers(build, page, mode, violation["rule"], violation["target"])
                          for e in exceptions)
            (result.excepted if covered else result.violations).append(violation)
        if screenshots is not None:
            path = screenshots / build / f"{page.removesuffix('.html')}-{mode}.png"
            path.parent.mkdir(parents=True, exist_ok=True)
            tab.screenshot(path=str(path), full_page=True)


def _script_error(problems: list[Problem], kind: str, text: str) -> None:
    if text not in ALLOWED_SCRIPT_ERRORS:
        problems.append(Problem(kind, text))


def _wait_until_drawn(tab, problems: list[Problem], timeout_ms: int = TIMEOUT_MS) -> None:
    """Wait for images, math and widgets; a Problem for each that does not come."""
    tab.evaluate(_EAGER_IMAGES)
    if tab.evaluate(_HAS_MATH):
        try:
            tab.wait_for_function(_MATHJAX_LOADED, timeout=timeout_ms)
        except Exception:  # playwright's TimeoutError
            problems.append(Problem("math not typeset", "the page has math but MathJax never started"))
        else:
            math = tab.evaluate(_MATH)
            for source in math["untypeset"]:
                problems.append(Problem("math not typeset", source))
            for error in math["errors"]:
                problems.append(Problem("math error", error))
    if tab.locator(_WIDGET_VIEWS).count():
        try:
            tab.wait_for_function(f"() => ({_UNRENDERED_WIDGETS})().length === 0", timeout=timeout_ms)
        except Exception:
            for model in tab.evaluate(_UNRENDERED_WIDGETS):
                problems.append(Problem("widget not rendered", f"model {model}"))


def _short(src: str) -> str:
    """An image's address for a message (a data: URI cut to its start)."""
    return src[:48] + "..." if src.startswith("data:") and len(src) > 48 else src


def _check_images(tab, problems: list[Problem]) -> None:
    for image in tab.evaluate(_IMAGES):
        alt = (image["alt"] or "").strip()
        name = image["src"].rsplit("/", 1)[-1]
        # docutils writes the file's address as alt text when a notebook output has none
        if not alt or alt == image["src"] or alt.rsplit("/", 1)[-1] == name:
            problems.append(Problem("image without alt text", _short(image["src"])))
        if not image["loaded"]:
            problems.append(Problem("image did not load", _short(image["src"])))


@functools.lru_cache(maxsize=256)
def _anchors_in(path: Path) -> frozenset[str]:
    text = path.read_text(encoding="utf-8", errors="replace")
    return frozenset(re.findall(r"""\b(?:id|name)=["']([^"']+)["']""", text))


def _check_links(tab, base_url: str, html_dir: Path, page: str, problems: list[Problem]) -> None:
    found = tab.evaluate(_LINKS)
    here = set(found["ids"])
    origin = urlparse(base_url).netloc
    for link in found["links"]:
        url = urlparse(link)
        if url.scheme not in {"http", "https"} or url.netloc != origin:
            continue  # another site (not followed: the book must work offline) or mailto:
        relative = unquote(url.path).lstrip("/")
        target = html_dir / relative
        if relative == "" or relative.endswith("/"):
            target = target / "index.html"
        if not target.is_file():
            problems.append(Problem("broken link", f"{link} (no file {target.relative_to(html_dir)})"))
            continue
        anchor = unquote(url.fragment)
        if not anchor or target.suffix != ".html":
            continue
        anchors = here if target.relative_to(html_dir).as_posix() == page else _anchors_in(target)
        if anchor not in anchors:
            problems.append(Problem("broken anchor", link))


def _go_dark(tab, problems: list[Problem]) -> None:
    """Switch the reader's system to dark mode, as the theme's default "auto" mode follows it."""
    tab.emulate_media(color_scheme="dark")
    try:
        tab.wait_for_function("() => document.documentElement.dataset.theme === 'dark'", timeout=5_000)
    except Exception:
        problems.append(Problem("dark mode", "the theme did not switch to dark", "dark"))
    tab.evaluate(_SETTLE)


# --------------------------------------------------------------------------- figures in dark mode


def relative_luminance(rgb):
    """WCAG relative luminance of sRGB values in 0..1 (any array shape ending in 3)."""
    import numpy as np

    rgb = np.asarray(rgb, dtype=float)
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return linear @ np.array([0.2126, 0.7152, 0.0722])


def contrast_ratio(first: float, second: float) -> float:
    """WCAG contrast ratio of two relative luminances (1 to 21)."""
    light, dark = max(first, second), min(first, second)
    return (light + 0.05) / (dark + 0.05)


def sample_contrast(source, rendered) -> dict:
    """Compare a figure's file with how the page drew it.

    ``source`` is the image file (PIL, any mode) and ``rendered`` the same picture as the page
    draws it (PIL, same size). The *paper* is where the file is transparent, or, for an opaque file, its most
    common colour (its own background); the *ink* is where the file is opaque and near-black
    (text, axes, lines; relative luminance below ``INK_LUMINANCE``). Returns the luminance of each
    as the page drew it and their contrast ratio (None when the file has no dark ink, e.g. a
    photograph).
    """
    import numpy as np
    from PIL import Image

    rgba = np.asarray(source.convert("RGBA").resize(rendered.size, Image.Resampling.NEAREST), dtype=float) / 255
    drawn = relative_luminance(np.asarray(rendered.convert("RGB"), dtype=float) / 255)
    alpha = rgba[..., 3]
    transparent = alpha < 0.1
    if transparent.mean() >= 0.01:
        paper = transparent
    else:
        colours = (rgba[..., :3] * 255).round().astype(int) @ np.array([65536, 256, 1])
        values, counts = np.unique(colours, return_counts=True)
        paper = colours == values[counts.argmax()]
    ink = (alpha > 0.9) & (relative_luminance(rgba[..., :3]) < INK_LUMINANCE) & ~paper
    paper_l = float(np.median(drawn[paper]))
    ink_l = float(np.median(drawn[ink])) if ink.sum() >= 20 else None
    return {"transparent": round(float(transparent.mean()), 3), "paper": round(paper_l, 3),
            "ink": None if ink_l is None else round(ink_l, 3),
            "contrast": None if ink_l is None else round(contrast_ratio(paper_l, ink_l), 2)}


def figure_contrast(tab, problems: list[Problem]) -> list[dict]:
    """Sample the ink-on-paper contrast of every image in the article as the page draws it now.

    The page composites each image in a canvas as its CSS says (``_FIGURES``); what this does not
    model (an ancestor's opacity or blend mode) the screenshots show. A Problem for each image
    whose contrast falls below ``FIGURE_CONTRAST``."""
    from PIL import Image

    def picture(data_url: str):
        return Image.open(io.BytesIO(base64.b64decode(data_url.split(",", 1)[1])))

    figures = []
    for image in tab.evaluate(_FIGURES):
        src = _short(image["src"])
        sample = {"src": src, **sample_contrast(picture(image["source"]), picture(image["rendered"]))}
        figures.append(sample)
        if sample["contrast"] is not None and sample["contrast"] < FIGURE_CONTRAST:
            problems.append(Problem("figure illegible", f"{src}: ink-on-paper contrast "
                                    f"{sample['contrast']} < {FIGURE_CONTRAST}", "dark"))
    return figures


# --------------------------------------------------------------------------- the report


def page_report_path(build: str, page: str) -> Path:
    return REPORT_DIR / "pages" / build / (page.removesuffix(".html") + ".json")


def save(result: PageResult) -> Path:
    """Write one page's result where ``merge_reports`` finds it."""
    path = page_report_path(result.build, result.page)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.tmp")  # another process may be merging now
    partial.write_text(json.dumps(asdict(result), indent=1) + "\n", encoding="utf-8")
    partial.replace(path)
    return path


def merge_reports(current: set[tuple[str, str]] | None = None) -> Path | None:
    """Join the per-page results into ``_build/browser/report.json`` and ``report.csv``; keep only
    the pages in ``current`` (build, page) when given. Returns the JSON path, or None."""
    folder = REPORT_DIR / "pages"
    if not folder.is_dir():
        return None
    rows = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.rglob("*.json"))]
    if current is not None:
        rows = [r for r in rows if (r["build"], r["page"]) in current]
    rows.sort(key=lambda r: (r["build"], r["page"]))
    report = REPORT_DIR / "report.json"
    report.write_text(json.dumps({"pages": rows}, indent=1) + "\n", encoding="utf-8")
    with (REPORT_DIR / "report.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["build", "page", "load_ms", "ready_ms", "check_s", "bytes", "requests",
                         "problems", "violations", "excepted", "figures", "lowest_figure_contrast"])
        for r in rows:
            contrasts = [f["contrast"] for f in r["figures"] if f["contrast"] is not None]
            writer.writerow([r["build"], r["page"], r["load_ms"], r["ready_ms"], r["check_s"], r["bytes"],
                             r["requests"], len(r["problems"]), len(r["violations"]), len(r["excepted"]),
                             len(r["figures"]), min(contrasts) if contrasts else ""])
    return report
