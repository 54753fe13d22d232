"""The built book in a real browser: headless Chromium driven by Playwright.

The site is served on localhost and every request to another host is refused
and recorded, so these tests also prove that the book works offline (math
included). Screenshots of a chapter in light and dark mode are saved in
``test-artifacts/`` for a human to look at.
"""

import functools
import http.server
import re
import shutil
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
ARTIFACTS = ROOT / "test-artifacts"
CHAPTERS = sorted(p.stem for p in (ROOT / "chapters").glob("*.md"))
# Flags that let Chromium run headless as root on a machine with no network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [pytest.mark.book, pytest.mark.xdist_group("book_output")]


def test_html_loads_nothing_from_other_hosts():
    """No page of the built site refers to a script or stylesheet on another host."""
    if not (HTML / "index.html").is_file():
        pytest.fail("_build/html is missing: run `make html` first")
    offenders = []
    pattern = re.compile(
        r"<script[^>]+src=\"(https?:)?//[^\"]+\"|<link[^>]+href=\"(https?:)?//[^\"]+\"[^>]*>"
    )
    for page in HTML.rglob("*.html"):
        for match in pattern.finditer(page.read_text(errors="replace")):
            tag = match.group(0)
            if tag.startswith("<link") and not re.search(r'rel="(stylesheet|preload|modulepreload)"', tag):
                continue  # plain hyperlinks in <link> (canonical...) load nothing
            offenders.append(f"{page.relative_to(HTML)}: {tag[:120]}")
    assert not offenders, "external resources:\n" + "\n".join(offenders[:20])
    assert (HTML / "_static" / "mathjax" / "tex-chtml.js").is_file(), "MathJax is served locally"


@pytest.fixture(scope="module")
def site():
    """Serve _build/html on an ephemeral localhost port."""
    if not (HTML / "index.html").is_file():
        pytest.fail("_build/html is missing: run `make html` first")
    handler = functools.partial(_QuietHandler, directory=str(HTML))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def browser():
    from playwright import sync_api as playwright
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.fail("Chromium is missing: apt-get install chromium")
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Page:
    """A browser page that refuses and records requests to other hosts."""

    def __init__(self, browser, site, color_scheme="light"):
        self.context = browser.new_context(viewport={"width": 1280, "height": 900},
                                           color_scheme=color_scheme)
        self.page = self.context.new_page()
        self.errors = []
        self.external = []
        host = urlparse(site).netloc
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("console", lambda msg: msg.type == "error" and self.errors.append(msg.text))
        self.page.route("**/*", functools.partial(self._route, host))
        self.site = site

    def _route(self, host, route):
        url = urlparse(route.request.url)
        if url.scheme in ("http", "https") and url.netloc != host:
            self.external.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    def goto(self, path):
        self.page.goto(f"{self.site}/{path}", wait_until="load")
        return self.page

    def close(self):
        self.context.close()


@pytest.fixture()
def page(browser, site):
    p = Page(browser, site)
    yield p
    p.close()


def _wait_for_math(page):
    page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise",
                           timeout=30_000)
    page.evaluate("() => MathJax.startup.promise")


RAW_MATH_JS = """() => {
  const article = document.querySelector('article') || document.body;
  const clone = article.cloneNode(true);
  clone.querySelectorAll('pre, code, script, mjx-container, .highlight').forEach(e => e.remove());
  return clone.innerText;
}"""


@pytest.mark.parametrize("path", ["index.html"] + [f"chapters/{c}.html" for c in CHAPTERS])
def test_page_loads_with_math_and_figures(page, path):
    """No JavaScript error, math typeset from the local MathJax, every image displayed."""
    p = page.goto(path)
    has_math = p.evaluate("() => document.querySelectorAll('.math').length") > 0
    if has_math:
        _wait_for_math(p)
        assert p.evaluate("() => document.querySelectorAll('mjx-container').length") > 0
        text = p.evaluate(RAW_MATH_JS)
        for raw in ("\\(", "\\)", "$$", "\\[", "\\begin{"):
            assert raw not in text, f"untypeset math {raw!r} left in {path}"
    broken = p.evaluate("""() => Array.from(document.querySelectorAll('article img'))
        .filter(img => !(img.complete && img.naturalWidth > 0)).map(img => img.src)""")
    assert not broken, f"images not displayed in {path}: {broken}"
    assert not page.errors, f"JavaScript errors in {path}: {page.errors}"
    assert not page.external, f"requests to other hosts from {path}: {page.external}"


SEARCHES = [
    ("Moreau envelope", "01_convex_analysis"),
    ("Nesterov", "03_acceleration"),
    ("Adam", "04_stochastic"),
]


@pytest.mark.parametrize("query,chapter", [s for s in SEARCHES if s[1] in CHAPTERS])
def test_search_lists_the_right_chapter_first(page, query, chapter):
    p = page.goto(f"search.html?q={query.replace(' ', '+')}")
    p.wait_for_selector("#search-results ul.search li a", timeout=30_000)
    first = p.eval_on_selector("#search-results ul.search li a", "a => a.getAttribute('href')")
    assert f"chapters/{chapter}" in first, f"{query!r}: first result is {first}"
    assert not page.errors, page.errors


def test_solutions_are_collapsed_until_clicked(page):
    p = page.goto("chapters/01_convex_analysis.html")
    solutions = p.locator("div.solution.dropdown")
    assert solutions.count() >= 6, "the chapter has its solutions"
    first = solutions.first
    body = first.locator("section").first
    first.scroll_into_view_if_needed()
    assert not body.is_visible(), "a solution is visible before a click"
    first.locator("button.toggle-button").first.click()
    body.wait_for(state="visible", timeout=5_000)
    assert body.is_visible(), "a click shows the solution"


def test_dark_mode_toggles_and_screenshots(page):
    ARTIFACTS.mkdir(exist_ok=True)
    p = page.goto("chapters/01_convex_analysis.html")
    p.evaluate("() => MathJax.startup.promise")
    p.screenshot(path=str(ARTIFACTS / "convex_analysis_light.png"))
    before = p.evaluate("() => document.documentElement.dataset.theme")
    assert before in ("light", "auto")
    p.locator("button.theme-switch-button").first.click()
    p.locator("button.theme-change-button[data-mode=dark]").first.click()
    assert p.evaluate("() => document.documentElement.dataset.theme") == "dark"
    p.keyboard.press("Escape")
    p.mouse.move(600, 600)
    background = p.evaluate("() => getComputedStyle(document.body).backgroundColor")
    rgb = [int(v) for v in re.findall(r"\d+", background)[:3]]
    assert sum(rgb) < 3 * 80, f"dark mode has a dark background, got {background}"
    p.screenshot(path=str(ARTIFACTS / "convex_analysis_dark.png"))
    assert not page.errors, page.errors
