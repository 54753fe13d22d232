"""Keep the pickled doctrees and the pickled environment to the size of their content.

Sphinx pickles every doctree after reading it (with its ``settings.env`` cut
off) and the environment after the read. Two things of this stack reach past
what Sphinx cuts off, so that every doctree used to carry the whole
environment, and the environment every chapter:

- myst-parser's ``{eval-rst}`` parses into a separate docutils document that
  shares the chapter's ``settings`` (and so ``settings.env``); the parsed nodes
  keep that document as their ``document``. Each chapter with an ``{eval-rst}``
  block (the minigallery at its end) pickled the environment with it: 4–7 MB
  per chapter, growing with the chapters read before it.
- sphinx-exercise's registry (``env.sphinx_exercise_registry``) keeps, for each
  exercise and solution, a node that still knows its document (and a solution
  node its parents): the pickled environment held every chapter's tree.

With ``numfig`` on, Sphinx loads every doctree at every build to number
figures, so a rebuild with nothing to do spent most of its time unpickling
them. At ``doctree-read`` (after the transforms, before Sphinx pickles the
doctree) this module points every node of the doctree that names another
document at the doctree itself, and replaces the registry's nodes of that
chapter by copies detached from any tree (sphinx-exercise only reads their
type, attributes and title).
"""

from docutils import nodes


def _nodes_of(doctree):
    """Every node reachable from the doctree: its tree, and the nodes its ids name."""
    seen = set()
    for root in [doctree, *doctree.ids.values()]:
        for node in root.findall():
            if id(node) not in seen:
                seen.add(id(node))
                yield node


def adopt_foreign_nodes(doctree):
    """Make ``doctree`` the document of every node that names another one."""
    for node in _nodes_of(doctree):
        own = node.__dict__.get("_document")
        if node is not doctree and own is not None and own is not doctree:
            node._document = doctree


def detached(node):
    """A deep copy of ``node`` that belongs to no tree and no document."""
    copy = node.deepcopy()
    for sub in copy.findall():
        if "_document" in sub.__dict__:
            sub._document = None
    copy.parent = None
    return copy


def detach_registry_nodes(registry, docname):
    """Detach the registry's nodes of ``docname`` (sphinx-exercise's registry layout)."""
    for entry in registry.values():
        if not isinstance(entry, dict):
            continue
        node = entry.get("node")
        if entry.get("docname") == docname and isinstance(node, nodes.Node):
            entry["node"] = detached(node)


def _doctree_read(app, doctree):
    adopt_foreign_nodes(doctree)
    registry = getattr(app.env, "sphinx_exercise_registry", None)
    if registry:
        detach_registry_nodes(registry, app.env.docname)


def setup(app):
    # late: after the other doctree-read handlers have added their nodes
    app.connect("doctree-read", _doctree_read, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
