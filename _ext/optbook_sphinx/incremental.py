"""Work that a rebuild in which no document was read does not redo.

After the read, whether or not anything was read, two handlers of this stack
recompute results that depend on the environment's content only:

- Sphinx's ``TocTreeCollector.assign_figure_numbers`` (``numfig``) loads every
  pickled doctree to number figures, tables, code blocks and the theorem-like
  blocks of sphinx-proof and sphinx-exercise (about 2 s of a 9 s rebuild of the
  book with nothing to do);
- sphinxcontrib-bibtex's ``env-updated`` formats every entry of the
  bibliography twice, as the entry and as its tooltip (about 1.5 s).

The environment's content changes only through documents: Sphinx emits
``env-purge-doc``, in the main process, for every document it removes and for
every document it is about to read (serial or parallel read), and a change of
a configuration value that the environment depends on makes it read every
document. So when no ``env-purge-doc`` was emitted in a build, the figure
numbers (``env.toc_fignumbers``) restored from the pickled environment are the
ones a recomputation would give, and are kept. The formatted citations (the
``cite`` domain's ``citations``) also depend on what no document records: the
``bibtex_*`` values, which sphinxcontrib-bibtex registers as HTML options (a
change rewrites the pages but reads nothing), the bibliography files (parsed
again whenever their modification time differs, even to an older one) and the
versions of pybtex and sphinxcontrib-bibtex. They are kept only when these are
those of their last computation and that computation gave no warning, so that a
warning about the bibliography (a duplicate label, a missing field) is given
again on every build, as without this module. (A pybtex style defined in
``conf.py`` and edited there is not seen: build with ``-E`` after such an edit.
Sphinx pickles the environment only when it has read a document, so after a
change of these inputs alone the citations are formatted at every rebuild until
a document is read again: slower, not wrong.)

The module also mends what a rebuild loses: Sphinx's search index is
rewritten at every HTML build from the previous ``searchindex.js`` and the
pages written in this build, but its loader drops the previous file's index
entries (``indexentries``, what the search box shows for the general index:
every function of the API reference), so that after any rebuild they were
left only for the pages written again; after a rebuild with nothing written,
none (Sphinx issue #12599, open in Sphinx 9.0). Here the loader restores them,
the pruning drops those of the pages rewritten or removed, and the freezing
puts the documents in the order of a full build.

These are patches of upstream classes, process-wide but inert in a Sphinx
project that does not load this extension (tested in ``tests/test_ext.py``).
"""

import logging
import weakref
from importlib import metadata

from sphinx.environment.collectors.toctree import TocTreeCollector
from sphinx.search import IndexBuilder
from sphinx.util.logging import is_suppressed_warning
from sphinxcontrib.bibtex.domain import BibtexDomain

# For each environment being built: has a document been purged (read or removed)?
_purged = weakref.WeakKeyDictionary()


def _unchanged(env):
    """True when this module is on and no document was purged in this build."""
    return (getattr(env.config, "optbook_incremental", False)
            and _purged.get(env) is False)


def start_build(app):
    _purged[app.env] = False


def note_purge(app, env, docname):
    _purged[env] = True


_assign_figure_numbers = TocTreeCollector.assign_figure_numbers


def assign_figure_numbers(self, env):
    """Sphinx's figure numbering, unless no document was purged in this build."""
    if _unchanged(env):
        return []  # env.toc_fignumbers, restored from the pickle, is still right
    return _assign_figure_numbers(self, env)


class _WarningCounter(logging.Handler):
    """Counts the warnings logged while it is attached, as Sphinx would show them."""

    def __init__(self, suppress_warnings):
        super().__init__(level=logging.WARNING)
        self.suppress_warnings = suppress_warnings
        self.count = 0

    def emit(self, record):
        if not is_suppressed_warning(getattr(record, "type", ""), getattr(record, "subtype", ""),
                                     self.suppress_warnings):
            self.count += 1


def _citation_inputs(domain):
    """What the formatted citations depend on besides the documents (see above)."""
    config = domain.env.config
    return (
        sorted((value.name, repr(value.value)) for value in config if value.name.startswith("bibtex_")),
        sorted((str(path), bibfile.mtime) for path, bibfile in domain.bibdata.bibfiles.items()),
        metadata.version("pybtex"), metadata.version("sphinxcontrib-bibtex"),
    )


_bibtex_env_updated = BibtexDomain.env_updated


def bibtex_env_updated(self):
    """sphinxcontrib-bibtex's citation formatting, unless nothing can have changed."""
    inputs_key = "optbook_citation_inputs"  # the inputs of a computation that gave no warning
    inputs = _citation_inputs(self)
    if _unchanged(self.env) and self.data.get(inputs_key) == inputs and self.citations:
        return []  # the citations restored from the pickle are still right
    # the read's warnings are held back until it ends: count them as they are logged
    counter = _WarningCounter(self.env.config.suppress_warnings)
    sphinx_logger = logging.getLogger("sphinx")
    sphinx_logger.addHandler(counter)
    try:
        result = _bibtex_env_updated(self)
    finally:
        sphinx_logger.removeHandler(counter)
    self.data[inputs_key] = inputs if counter.count == 0 else None
    return result


_index_init, _index_load = IndexBuilder.__init__, IndexBuilder.load
_index_prune, _index_freeze = IndexBuilder.prune, IndexBuilder.freeze


def index_init(self, env, *args, **kwargs):
    _index_init(self, env, *args, **kwargs)
    self._optbook_restore = getattr(env.config, "optbook_incremental", False)


class _Parsed:
    """A stand-in for the index format whose ``load`` returns what was parsed already."""

    def __init__(self, frozen):
        self.frozen = frozen

    def load(self, stream):
        return self.frozen


def index_load(self, stream, format):
    """Sphinx's loader, then the index entries of the loaded file (see above)."""
    if not getattr(self, "_optbook_restore", False):
        return _index_load(self, stream, format)
    if isinstance(format, str):
        format = self.formats[format]
    frozen = format.load(stream)  # the file is parsed once, for Sphinx and for this
    _index_load(self, stream, _Parsed(frozen))  # a file of another version raises ValueError
    index2fn = frozen["docnames"]
    entries = {}
    # freeze() wrote entry -> [(document index, target id, main entry?)], lower-cased
    # entries; freezing again lower-cases them anyway, so nothing is lost
    for entry, refs in frozen.get("indexentries", {}).items():
        for doc, target, main in refs:
            entries.setdefault(index2fn[doc], []).append((entry, target, "main" if main else ""))
    # each document's entries sorted, as feed() leaves them
    self._index_entries = {doc: sorted(refs) for doc, refs in entries.items()}


def index_freeze(self):
    """Sphinx's freezing, with the documents' index entries in the order of a full build."""
    if getattr(self, "_optbook_restore", False):
        self._index_entries = dict(sorted(self._index_entries.items()))
    return _index_freeze(self)


def index_prune(self, docnames):
    """Sphinx's pruning, and the index entries of the pages that are not kept."""
    docnames = set(docnames)
    _index_prune(self, docnames)
    if getattr(self, "_optbook_restore", False):
        self._index_entries = {doc: entries for doc, entries in self._index_entries.items()
                               if doc in docnames}


def setup(app):
    # False turns the module off (every build recomputes, as upstream does)
    app.add_config_value("optbook_incremental", True, "")  # no rebuild when toggled
    TocTreeCollector.assign_figure_numbers = assign_figure_numbers
    BibtexDomain.env_updated = bibtex_env_updated
    IndexBuilder.__init__, IndexBuilder.load = index_init, index_load
    IndexBuilder.prune, IndexBuilder.freeze = index_prune, index_freeze
    # builder-inited comes after the environment is loaded and before the read
    app.connect("builder-inited", start_build)
    app.connect("env-purge-doc", note_purge)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
