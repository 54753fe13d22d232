"""Every theorem shows its test: the link under each rate theorem, and the index page.

A theorem marked ``:class: rate`` states a rate or a bound, and a test of
``tests/test_theorems*.py`` checks it: the test's name or docstring carries the
theorem's label (BOOK_GUIDE §6). This module reads the chapters and the tests
when the build starts and

- writes ``checked.md``, the index of checked results: every rate theorem
  with its chapter and its test(s), every ``{prf:algorithm}`` block with the
  ``optbook`` function that implements it, the test files that call that
  function and the gallery examples that use it, then the source of each
  theorem test;
- adds, under each rate theorem of a chapter, the line "Checked by
  ``test_name``" linking to that test's source on the index page (in the PDF,
  which has no index page, the line names the test and its file).

Nothing here is written by hand: the page and the lines follow the sources.
"""

import ast
import functools
import re
from pathlib import Path

from docutils import nodes
from sphinx import addnodes

from .api import write_if_changed

DIRECTIVE_RE = re.compile(r"^(:{3,}|`{3,})\{prf:(\w+)\}[ \t]*(.*)$")
OPTION_RE = re.compile(r"^:(\w+):[ \t]*(.*)$")
CHAPTER_LABEL_RE = re.compile(r"^\(((?:chap|appendix)-[\w-]+)\)=", re.M)
FUNC_RE = re.compile(r"\{py:(?:func|class)\}`(?:[^`<]*<)?~?(optbook\.[\w.]+)>?`")
THEOREM_TYPES = {"theorem", "lemma", "proposition", "corollary"}
PAGE = "checked"


def blocks(source):
    """``(type, title, options, line, following_text)`` of every prf block of a chapter source."""
    lines = source.splitlines()
    found = []
    for i, line in enumerate(lines):
        match = DIRECTIVE_RE.match(line)
        if not match:
            continue
        options, j = {}, i + 1
        while j < len(lines) and OPTION_RE.match(lines[j]):
            key, value = OPTION_RE.match(lines[j]).groups()
            options[key] = value.strip()
            j += 1
        found.append((match.group(2), match.group(3).strip(), options, i + 1,
                      "\n".join(lines[j:j + 60])))
    return found


def rate_theorems(chapters):
    """``{label: (chapter stem, title)}`` of the theorems marked ``:class: rate``."""
    out = {}
    for chapter in chapters:
        for kind, title, options, _line, _ in blocks(chapter.read_text()):
            if kind in THEOREM_TYPES and "rate" in options.get("class", "").split():
                if "label" in options:
                    out[options["label"]] = (chapter.stem, title)
    return out


def algorithms(chapters):
    """``[(label, chapter stem, title, optbook function or None)]`` of the algorithm blocks."""
    out = []
    for chapter in chapters:
        for kind, title, options, _line, after in blocks(chapter.read_text()):
            if kind == "algorithm" and "label" in options:
                func = FUNC_RE.search(after)
                out.append((options["label"], chapter.stem, title, func.group(1) if func else None))
    return out


def theorem_tests(test_files):
    """``{label: [(file name, test name)]}``: the tests whose name or docstring carries a label."""
    out = {}
    for path in test_files:
        stat = Path(path).stat()
        for label, name in _labelled_tests(str(path), stat.st_mtime_ns, stat.st_size):
            out.setdefault(label, []).append((Path(path).name, name))
    return out


@functools.lru_cache(maxsize=256)
def _labelled_tests(path, mtime_ns, size):
    """``(label, test name)`` pairs of one file (parsed once per version of the file)."""
    pairs = []
    for node in ast.walk(ast.parse(Path(path).read_text())):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test"):
            text = node.name.replace("_", "-") + "\n" + (ast.get_docstring(node) or "")
            for label in sorted(set(re.findall(r"thm-[a-z0-9]+(?:-[a-z0-9]+)*", text))):
                pairs.append((label, node.name))
    return tuple(pairs)


def test_anchor(file_name, test_name):
    return f"checked-{Path(file_name).stem}-{test_name}".replace("_", "-").lower()


def match_tests(label, tests):
    """The tests of ``label``: exact label matches (a longer label does not count)."""
    return sorted(set(tests.get(label, [])))


def _words(path):
    """The set of words (identifiers) of a file, to look names up in it."""
    return set(re.findall(r"\w+", path.read_text()))


def _uses(name, words):
    """The paths (keys of ``words``) whose text uses the identifier ``name``."""
    return [p for p, found in words.items() if name in found]


def index_page(root, chapters):
    """The source of ``checked.md``."""
    root = Path(root)
    test_files = sorted((root / "tests").glob("test_theorems*.py"))
    tests = theorem_tests(test_files)
    labels = {c.stem: (CHAPTER_LABEL_RE.search(c.read_text()) or [None, None])[1] for c in chapters}
    # each file is read once (every name is looked up in every file)
    all_tests = {p: _words(p) for p in sorted((root / "tests").glob("test_*.py"))}
    examples = {p: _words(p) for p in sorted((root / "gallery").glob("*/plot_*.py"))}
    out = ["---", "orphan: true", "---", "", "(checked-results)=", "# Checked results", "",
           "Every theorem of the book that states a rate or a bound is checked by an",
           "automated test, which runs the algorithm on an instance where the hypotheses",
           "hold, asserts the bound at every iteration, and checks that the bound is not",
           "vacuous there. This page is generated from the chapters and the tests when the",
           "book is built.", "", "## Theorems and their tests", "",
           "| result | chapter | checked by |", "|---|---|---|"]
    for label, (stem, _title) in rate_theorems(chapters).items():
        found = match_tests(label, tests)
        cell = ", ".join(f"{{ref}}`{name} <{test_anchor(f, name)}>`" for f, name in found) or "—"
        chap = f"{{ref}}`{labels[stem]}`" if labels.get(stem) else stem
        out.append(f"| {{prf:ref}}`{label}` | {chap} | {cell} |")
    out += ["", "## Algorithms, their code, tests and examples", "",
            "| algorithm | `optbook` | tests | gallery examples |", "|---|---|---|---|"]
    for label, stem, _title, func in algorithms(chapters):
        if func:
            short = func.rsplit(".", 1)[1]
            test_cell = ", ".join(f"`{p.name}`" for p in _uses(short, all_tests)) or "—"
            ex = _uses(short, examples)
            ex_cell = ", ".join(f"{{doc}}`/gallery_build/{p.parent.name}/{p.stem}`" for p in ex) or "—"
            out.append(f"| {{prf:ref}}`{label}` | {{py:obj}}`{func}` | {test_cell} | {ex_cell} |")
        else:
            out.append(f"| {{prf:ref}}`{label}` | — | — | — |")
    out += ["", "## Sources of the theorem tests", ""]
    shown = set()
    for label in rate_theorems(chapters):
        for file_name, name in match_tests(label, tests):
            if (file_name, name) in shown:
                continue
            shown.add((file_name, name))
            out += [f"({test_anchor(file_name, name)})=", f"### `{name}`", "",
                    f"In `tests/{file_name}`.", "",
                    f"```{{literalinclude}} tests/{file_name}", f":pyobject: {name}",
                    ":language: python", "```", ""]
    return "\n".join(out) + "\n"


def _chapters(srcdir):
    return sorted(Path(srcdir, "chapters").glob("*.md"))


def _generate(app, config):
    # chapters left out of a partial build (OPTBOOK_ONLY) are left out of the page too
    excluded = set(config.exclude_patterns)
    chapters = [c for c in _chapters(app.srcdir) if f"chapters/{c.name}" not in excluded]
    write_if_changed(Path(app.srcdir) / f"{PAGE}.md", index_page(app.srcdir, chapters))


def add_checked_lines(app, doctree):
    """Under each rate theorem, the line naming (and, in HTML, linking) its test."""
    docname = app.env.docname
    if not docname.startswith("chapters/"):
        return
    srcdir = Path(app.srcdir)
    test_files = sorted((srcdir / "tests").glob("test_theorems*.py"))
    for path in test_files:
        app.env.note_dependency(str(path))
    tests = theorem_tests(test_files)
    latex = app.builder.format == "latex"
    for node in list(doctree.traverse(nodes.Element)):
        if "rate" not in node.get("classes", []) or not node.get("label"):
            continue
        found = match_tests(node["label"], tests)
        if not found:
            continue
        para = nodes.paragraph(classes=["checked-by"])
        para += nodes.Text("Checked by ")
        for i, (file_name, name) in enumerate(found):
            if i:
                para += nodes.Text(", ")
            if latex:
                para += nodes.literal("", name)
                para += nodes.Text(f" (tests/{file_name})")
            else:
                ref = addnodes.pending_xref("", refdomain="std", reftype="ref",
                                            reftarget=test_anchor(file_name, name),
                                            refexplicit=True, refwarn=True)
                ref += nodes.literal("", name)
                para += ref
        para += nodes.Text(".")
        node.parent.insert(node.parent.index(node) + 1, para)


def setup(app):
    app.connect("config-inited", _generate)
    app.connect("doctree-read", add_checked_lines)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
