r"""The printed book.

The landing page (``index.md``) is a web page: its sections would become stray
chapters in LaTeX. The PDF starts from ``book_pdf.md``, generated from the
toctrees of ``index.md`` (so the table of contents is written once):

- the preface is front matter (``\frontmatter``: unnumbered, roman pages);
- each toctree captioned "Part N · Title" opens with ``\part{Title}``;
- a lab keeps its own name ("Lab 1", in its title) and takes no chapter number;
- the toctree captioned ``optbook_appendix_caption`` follows ``\appendix``
  (lettered chapters), then the reference toctree: the API reference is the
  last appendix and the bibliography, after ``\backmatter``, closes the book;
- toctrees wrapped in an HTML-only block (the gallery) are left out.

In print, a cell tagged ``hide-input`` shows its output only (paper has no
toggle), and a proof is set as in a textbook: "*Proof.*", the text, and a
square at the end, without the coloured frame of theorem-like blocks.
"""

import re
from pathlib import Path

from docutils import nodes

from .api import write_if_changed

TOCTREE_RE = re.compile(r"```\{toctree\}\n(.*?)```", re.S)
ONLY_HTML_RE = re.compile(r"::::\{only\} html\n.*?::::", re.S)
CAPTION_RE = re.compile(r"^:caption:\s*(.+)$", re.M)
PART_RE = re.compile(r"^Part\s+[IVXLC]+\s*[·:.-]\s*(.+)$")


def _raw(latex):
    return f"```{{raw}} latex\n{latex}\n```\n"


def _entries(block):
    return [line.strip() for line in block.splitlines()
            if line.strip() and not line.strip().startswith(":")]


def pdf_root(index_source, title, appendix_caption="Appendices", preface="preface"):
    """Return the source of ``book_pdf.md`` built from the toctrees of ``index_source``."""
    source = ONLY_HTML_RE.sub("", index_source)
    parts = ["---", "orphan: true", "---", "", f"# {title}", "",
             _raw(r"\frontmatter\optbookunnumbered"),
             "```{toctree}", ":hidden:", "", preface, "```", "",
             _raw(r"\mainmatter\optbooknumbered")]
    for block in TOCTREE_RE.findall(source):
        caption = CAPTION_RE.search(block)
        caption = caption.group(1).strip() if caption else None
        entries = _entries(block)
        part = PART_RE.match(caption) if caption else None
        if part:
            parts.append(_raw(rf"\part{{{part.group(1)}}}"))
        elif caption == appendix_caption:
            parts.append(_raw(r"\appendix"))
        if any("lab" in Path(e).name for e in entries) and not part:
            # labs: "Lab 1" headings, no chapter number taken from the main sequence
            parts.append(_raw(r"\optbookunnumbered"))
            for entry in entries:
                parts.append(f"```{{toctree}}\n:hidden:\n\n{entry}\n```\n")
            parts.append(_raw(r"\optbooknumbered"))
            continue
        if caption and caption.startswith("Reference"):
            # the API reference is the last appendix, the bibliography closes the book
            for entry in entries:
                if entry == "checked":
                    continue  # the index of checked results links to HTML pages
                if "bibliography" in entry:
                    parts.append(_raw(r"\backmatter"))
                parts.append(f"```{{toctree}}\n:hidden:\n\n{entry}\n```\n")
            continue
        # Not numbered here: the numbers come from index.md's toctrees, which
        # every build reads (two numbered toctrees listing one chapter conflict).
        block = re.sub(r"^:numbered:.*\n", "", block, flags=re.M)
        parts.append(f"```{{toctree}}\n{block}```\n")
    return "\n".join(parts)


#: LaTeX preamble lines the generated root needs. The preface and the labs are
#: unnumbered chapters with unnumbered sections (listed in the contents), so that
#: the chapters keep the numbers 1-12 that the text uses.
PREAMBLE = r"""
\newcounter{optbooksecnumdepth}
\newcommand{\optbookunnumbered}{%
  \setcounter{optbooksecnumdepth}{\value{secnumdepth}}\setcounter{secnumdepth}{-1}}
\newcommand{\optbooknumbered}{\setcounter{secnumdepth}{\value{optbooksecnumdepth}}}
\renewcommand{\qedsymbol}{\ensuremath{\blacksquare}}
"""


def write_pdf_root(root, title, appendix_caption):
    root = Path(root)
    write_if_changed(root / "book_pdf.md",
                     pdf_root((root / "index.md").read_text(), title, appendix_caption))


def _generate(app, config):
    write_pdf_root(app.srcdir, config.project, config.optbook_appendix_caption)


def drop_hidden_code(app, doctree, docname):
    """In print, a cell tagged ``hide-input`` shows its output only."""
    if app.builder.format != "latex":
        return
    for cell in list(doctree.findall(nodes.container)):
        if cell.get("hide_mode") in ("input", "input+output", "all"):
            for child in list(cell.children):
                if child.get("nb_element") == "cell_code_source":
                    cell.remove(child)


def textbook_proofs(app, doctree, docname):
    """Set each ``{prf:proof}`` as amsthm's ``proof`` environment in LaTeX."""
    if app.builder.format != "latex":
        return
    from sphinx_proof.nodes import proof_node

    for node in list(doctree.findall(proof_node)):
        body = node[0] if len(node) and isinstance(node[0], nodes.admonition) else node
        children = [child.deepcopy() for child in body.children]
        if children and isinstance(children[0], nodes.paragraph):
            first = children[0]
            if first.children and isinstance(first[0], nodes.Text):
                text = str(first[0])
                if text.startswith("Proof. "):
                    first.replace(first[0], nodes.Text(text[len("Proof. "):]))
        node.replace_self([nodes.raw("", "\\begin{proof}\n", format="latex"), *children,
                           nodes.raw("", "\n\\end{proof}\n", format="latex")])


def exercise_targets(app, doctree, docname):
    """Give each exercise the LaTeX label that the links of its solution point to.

    sphinx-exercise labels an exercise ``exercise:<label>`` in LaTeX, while the
    title of its solution links to ``<docname>:<label>``; a LaTeX label placed
    before the exercise provides the second one.
    """
    if app.builder.format != "latex":
        return
    from sphinx_exercise.nodes import exercise_enumerable_node, exercise_node

    registry = getattr(app.env, "sphinx_exercise_registry", {})
    for node in list(doctree.findall(lambda n: isinstance(
            n, (exercise_enumerable_node, exercise_node)))):
        entry = registry.get(node.get("label"), {})
        if entry.get("docname"):
            latex = rf"\phantomsection\label{{\detokenize{{{entry['docname']}:{node['label']}}}}}"
            node.parent.insert(node.parent.index(node), nodes.raw("", latex, format="latex"))


def setup(app):
    app.connect("config-inited", _generate)
    app.connect("doctree-resolved", exercise_targets)
    app.connect("doctree-resolved", drop_hidden_code)
    app.connect("doctree-resolved", textbook_proofs)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
