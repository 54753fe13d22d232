"""Chapter numbers that run on across the parts of the book.

Sphinx restarts the numbering in every numbered toctree, and the book has one
toctree per part: without this module, the first chapter of every part would
be "1". After Sphinx has numbered the sections, the chapters of each numbered
toctree are shifted by the number of chapters in the numbered toctrees before
it (in the same document); the toctree whose caption is
``optbook_appendix_caption`` is lettered instead (A, B, ...) and does not
count. Figures, equations and theorem-like blocks are numbered from these
section numbers (``numfig_secnum_depth = 1``), so they read "Theorem 3.2",
"Figure 3.1", "(3.4)", and "Theorem A.1" in an appendix.
"""

import string

from docutils import nodes
from sphinx import addnodes
from sphinx.environment.collectors.toctree import TocTreeCollector


def _shift(number, first):
    return (first, *number[1:]) if number else number


def _letter(n):
    return string.ascii_uppercase[n - 1] if isinstance(n, int) else n


def _renumber_doc(env, ref, first_of):
    """Replace the first component of every section number of document ``ref``."""
    secnums = env.toc_secnumbers.get(ref)
    if not secnums:
        return
    for anchor, number in secnums.items():
        if number:
            secnums[anchor] = _shift(number, first_of(number[0]))
    for node in env.tocs[ref].findall(nodes.reference):
        if node.get("secnumber"):
            node["secnumber"] = list(_shift(node["secnumber"], first_of(node["secnumber"][0])))
    title = env.titles.get(ref)
    if title is not None and title.get("secnumber"):
        title["secnumber"] = list(_shift(title["secnumber"], first_of(title["secnumber"][0])))


def continue_numbering(env, appendix_caption):
    """Shift the chapter numbers of every numbered toctree after the first (see above)."""
    for docname in sorted(env.numbered_toctrees):
        offset = 0
        for toctree in env.get_doctree(docname).findall(addnodes.toctree):
            if not toctree.get("numbered"):
                continue
            refs = [ref for _title, ref in toctree["entries"] if ref in env.toc_secnumbers]
            if appendix_caption and toctree.get("caption") == appendix_caption:
                for ref in refs:
                    _renumber_doc(env, ref, _letter)
                continue
            if offset:
                for ref in refs:
                    _renumber_doc(env, ref, lambda n, o=offset: n + o)
            offset += len(refs)


_original = TocTreeCollector.assign_section_numbers


def assign_section_numbers(self, env):
    """Sphinx's numbering, then :func:`continue_numbering`; report the documents that changed."""
    if "optbook_appendix_caption" not in env.config:
        # the patch is process-wide: another Sphinx project without this extension
        return _original(self, env)
    before = dict(env.toc_secnumbers)
    _original(self, env)
    continue_numbering(env, env.config.optbook_appendix_caption)
    after = env.toc_secnumbers
    return [ref for ref in set(before) | set(after) if before.get(ref) != after.get(ref)]


def chapter_label(app, doctree, docname):
    """In HTML, open a numbered chapter with "Chapter 3" (an appendix with "Appendix A")."""
    if app.builder.format != "html":
        return
    number = app.env.toc_secnumbers.get(docname, {}).get("")
    if not number:
        return
    kind = "Chapter" if isinstance(number[0], int) else "Appendix"
    for section in doctree.findall(nodes.section):
        title = section[0] if len(section) and isinstance(section[0], nodes.title) else None
        if title is not None:
            title.insert(0, nodes.inline("", f"{kind} {number[0]}", classes=["chapter-label"]))
        return


def setup(app):
    app.add_config_value("optbook_appendix_caption", "Appendices", "env")
    TocTreeCollector.assign_section_numbers = assign_section_numbers
    app.connect("doctree-resolved", chapter_label)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
