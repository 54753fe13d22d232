"""Checks of the built book: HTML, search index, PDF, failing cells, gallery scripts.

The HTML and PDF checks read the output of ``make html`` and ``make pdf``
(``make test`` runs both first); they fail, and do not skip, when it is missing.
"""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "_build"
HTML = BUILD / "html"
PDF = BUILD / "latex" / "optbook.pdf"
CHAPTERS = sorted((ROOT / "chapters").glob("*.md"))

# These tests read _build, and one of them rebuilds it in place: one worker runs them all.
pytestmark = [pytest.mark.book, pytest.mark.xdist_group("book_output")]


def _require(path, command):
    if not path.exists():
        pytest.fail(f"{path.relative_to(ROOT)} is missing: run `{command}` first")


def _chapter_title(source):
    match = re.search(r"^# (.+)$", source, re.M)
    assert match, "a chapter has a level-1 title"
    return match.group(1).strip()


QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})


def _strip_markup(text):
    """Drop inline math and MyST roles so that a title can be searched in plain text."""
    text = text.translate(QUOTES)
    text = re.sub(r"\$[^$]*\$", " ", text)
    text = re.sub(r"\{[a-z:]+\}`([^`<]*)(<[^>]*>)?`", r"\1", text)
    return re.sub(r"\s+", " ", text).strip()


def test_there_are_chapters():
    assert CHAPTERS, "chapters/ holds at least one chapter"


# -- HTML ------------------------------------------------------------------


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_html_has_its_executed_figures(chapter):
    """Every figure named in a chapter's cells is in the page, with an image."""
    _require(HTML / "index.html", "make html")
    page = HTML / "chapters" / f"{chapter.stem}.html"
    assert page.is_file(), f"{page.name} was not built"
    html = page.read_text()
    names = re.findall(r"^:?\s*name:\s*(fig-[\w-]+)", chapter.read_text(), re.M)
    for name in names:
        match = re.search(rf'<figure[^>]*id="{re.escape(name)}".*?</figure>', html, re.S)
        assert match, f"figure {name} of {chapter.name} is not in the HTML"
        assert re.search(r"<img[^>]+src=\"[^\"]+\.(svg|png)\"", match.group(0)), (
            f"figure {name} of {chapter.name} has no image"
        )
        image = re.search(r'<img[^>]+src="([^"]+)"', match.group(0)).group(1)
        assert (page.parent / image).resolve().is_file(), f"{image} is missing"
    # No cell of a chapter may leave a traceback in the page.
    assert "Traceback (most recent call last)" not in html


def test_convex_analysis_chapter_has_figures():
    _require(HTML / "index.html", "make html")
    html = (HTML / "chapters" / "01_convex_analysis.html").read_text()
    images = re.findall(r'<img[^>]+src="\.\./_images/[^"]+\.svg"', html)
    assert len(images) >= 4, "the convex analysis chapter shows its executed figures"


def _search_index():
    text = (HTML / "searchindex.js").read_text()
    payload = text[text.index("(") + 1 : text.rindex(")")]
    return json.loads(payload)


@pytest.mark.parametrize("term", ["Moreau", "Fenchel", "subdifferential"])
def test_search_index_finds_convex_analysis_terms(term):
    """The search index maps the chapter's key terms to the chapter."""
    from sphinx.search.en import SearchEnglish

    _require(HTML / "searchindex.js", "make html")
    index = _search_index()
    stem = SearchEnglish({}).stem(term.lower())
    docs = index["docnames"]
    hits = index["terms"].get(stem, [])
    hits = [hits] if isinstance(hits, int) else hits
    hits += [d for d in index["titleterms"].get(stem, [])] if isinstance(
        index["titleterms"].get(stem, []), list) else [index["titleterms"][stem]]
    assert "chapters/01_convex_analysis" in {docs[i] for i in hits}, (
        f"searching {term!r} does not find the convex analysis chapter"
    )


def test_landing_page_lists_the_chapters():
    _require(HTML / "index.html", "make html")
    html = (HTML / "index.html").read_text()
    for chapter in CHAPTERS:
        assert f'href="chapters/{chapter.stem}.html"' in html, chapter.name


def test_api_pages_show_gallery_backreferences():
    """Each function used by a gallery example lists that example on its API page."""
    _require(HTML / "index.html", "make html")
    html = (HTML / "api" / "generated" / "prox.html").read_text()
    assert "Gallery examples using" in html
    assert "sphx-glr-thumbcontainer" in html


def test_chapters_download_as_notebook_and_source():
    _require(HTML / "index.html", "make html")
    html = (HTML / "chapters" / "01_convex_analysis.html").read_text()
    assert "01_convex_analysis.ipynb" in html
    assert "_sources/chapters/01_convex_analysis.md" in html
    assert (HTML / "_sources" / "chapters" / "01_convex_analysis.md").is_file()


# -- PDF -------------------------------------------------------------------


@pytest.fixture(scope="module")
def pdf_text():
    _require(PDF, "make pdf")
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is missing: apt-get install poppler-utils")
    out = subprocess.run(["pdftotext", "-layout", str(PDF), "-"], capture_output=True,
                         text=True, check=True)
    # Undo hyphenation at line ends, straighten typographic quotes, normalise spaces.
    text = re.sub(r"-\n\s*", "", out.stdout)
    text = text.translate(QUOTES)
    return re.sub(r"\s+", " ", text)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_pdf_contains_chapter_and_its_theorems(chapter, pdf_text):
    source = chapter.read_text()
    title = _chapter_title(source)
    assert title.lower() in pdf_text.lower(), f"chapter title {title!r} not in the PDF"
    titles = re.findall(r"^:{3,}\{prf:(?:theorem|lemma|proposition)\}[ \t]*(.+)$", source, re.M)
    for raw in titles:
        plain = _strip_markup(raw)
        if len(plain) < 4:
            continue
        assert plain.lower() in pdf_text.lower(), f"result {plain!r} of {chapter.name} not in the PDF"
    n_exercises = len(re.findall(r"^:{3,}\{exercise\}", source, re.M))
    if n_exercises:
        assert pdf_text.count("Solution to Exercise") >= n_exercises


def test_pdf_has_no_stray_sections(pdf_text):
    assert "Proof Index" not in pdf_text
    assert "Gallery examples for this chapter" not in pdf_text
    assert "Gallery examples using" not in pdf_text
    assert "Bibliography" in pdf_text


# -- Build behaviour -------------------------------------------------------


def test_no_change_rebuild_reads_and_executes_nothing():
    """A second build with no change re-reads no page and runs no cell or example.

    It also keeps the search index whole: Sphinx alone drops the index entries of
    the pages it does not write again (Sphinx #12599, mended in
    _ext/optbook_sphinx/incremental.py), which here would be all of them.
    """
    _require(HTML / "index.html", "make html")
    before = _search_index()
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-M", "html", ".", "_build", "-W", "--keep-going",
         "-n"],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert "0 added, 0 changed, 0 removed" in output, output[-3000:]
    assert "Executing notebook" not in output
    ran = re.search(r"successfully executed (\d+) out of", output)
    assert ran and ran.group(1) == "0", "no gallery example runs again: " + output[-3000:]
    assert "targets for 0 source files that are out of date" in output
    after = _search_index()
    assert any("(in module optbook" in entry for entry in after["indexentries"])
    for index in (before, after):  # the same entries, in any order
        index["indexentries"] = {k: sorted(map(tuple, v)) for k, v in index["indexentries"].items()}
    for key in ("indexentries", "objects", "docnames", "titles"):
        assert after[key] == before[key], f"the rebuild changed the search index's {key}"


def test_pickled_doctrees_hold_their_own_content_only():
    """Every rebuild unpickles every doctree (numbered figures): they must stay small.

    Before _ext/optbook_sphinx/lean.py, a chapter's doctree pickled the whole build
    environment with it (4-7 MB each, growing with the chapters read before it) and
    the environment every chapter (9 MB): a no-change rebuild took 34 s instead of 10.
    The limits are about three times the sizes of the book's largest ones today.
    """
    doctrees = BUILD / "doctrees"
    _require(doctrees / "environment.pickle", "make html")
    sizes = {p.relative_to(doctrees).as_posix(): p.stat().st_size
             for p in doctrees.rglob("*.doctree")}
    assert len(sizes) > 50
    too_big = {name: size for name, size in sizes.items() if size > 2_500_000}
    assert not too_big, f"doctrees that carry more than their page: {too_big}"
    assert (doctrees / "environment.pickle").stat().st_size < 7_000_000


# -- Theorems and their tests ----------------------------------------------

RATE_THEOREM = re.compile(
    r"^(:{3,})\{prf:theorem\}[^\n]*\n((?::[a-z]+:[^\n]*\n)+)", re.M
)


def _rate_labels():
    labels = {}
    for chapter in CHAPTERS:
        for _, options in RATE_THEOREM.findall(chapter.read_text()):
            if re.search(r"^:class:.*\brate\b", options, re.M):
                label = re.search(r"^:label:\s*(\S+)", options, re.M)
                assert label, f"a rate theorem of {chapter.name} has no label"
                labels[label.group(1)] = chapter.name
    return labels


def test_every_rate_theorem_has_a_test():
    """BOOK_GUIDE §6: each theorem marked `:class: rate` is checked in tests/test_theorems*.py."""
    tests = "\n".join(p.read_text() for p in (ROOT / "tests").glob("test_theorems*.py"))
    labels = _rate_labels()
    missing = [f"{label} ({chapter})" for label, chapter in labels.items() if label not in tests]
    assert not missing, "rate theorems without a test: " + ", ".join(missing)


def test_rate_theorems_are_marked():
    """The labels that tests/test_theorems.py checks are rate theorems of the book."""
    labels = _rate_labels()
    source = (ROOT / "tests" / "test_theorems.py").read_text()
    tested = set(re.findall(r"thm-[a-z0-9-]+", source))
    written = {lab for ch in CHAPTERS for lab in re.findall(r":label:\s*(thm-[a-z0-9-]+)",
                                                         ch.read_text())}
    for label in tested & written:
        assert label in labels, f"{label} states a rate: mark it with `:class: rate`"


# -- Downloads -------------------------------------------------------------


def test_gallery_examples_download_as_script_and_notebook():
    _require(HTML / "index.html", "make html")
    downloads = {p.name for p in (HTML / "_downloads").rglob("*") if p.is_file()}
    for script in (ROOT / "gallery").glob("*/plot_*.py"):
        assert script.name in downloads, f"{script.name} is not downloadable"
        assert script.with_suffix(".ipynb").name in downloads, (
            f"{script.stem}.ipynb is not downloadable"
        )
