"""Execution-cache keys for chapters and gallery examples.

jupyter-cache keys a notebook on its code cells (and kernelspec) only, and
sphinx-gallery an example on its source only. The book keys each of them on the
package modules it actually uses as well:

1. :class:`Package` finds, from the code (``ast``), the ``optbook`` modules a
   chapter or an example imports, directly (``import optbook.prox``,
   ``from optbook.online import hedge``, ``optbook.newton`` through the lazy
   names of ``optbook/__init__.py``...) or through another ``optbook`` module,
   and hashes those files (plus ``optbook/__init__.py`` and, for chapters, the
   kernel profile ``.ipython/profile_default/ipython_kernel_config.py``).
2. Chapters: at ``source-read`` a hidden code cell (``remove-cell``), holding
   only a comment with that fingerprint, is appended to every notebook, so that
   jupyter-cache's own hash of the notebook changes exactly when the chapter's
   code or the modules it uses change. All chapters share one cache folder; a
   chapter whose fingerprint changed is read again (``env-get-outdated``), and
   the cell is removed again from the executed notebook readers download.
3. Gallery: a stamp file records each example's fingerprint; the MD5 file of
   an example whose fingerprint changed is deleted before sphinx-gallery runs,
   so that it runs again (and only it).

The chapters that miss the cache are executed in parallel before the read by
:mod:`.preexecute`.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
import shutil
from pathlib import Path

from sphinx.util import logging

logger = logging.getLogger(__name__)

PACKAGE = "optbook"
KERNEL_PROFILE = Path(".ipython") / "profile_default" / "ipython_kernel_config.py"
#: First line of the hidden cell appended to every chapter notebook.
KEY_PREFIX = "# optbook execution key:"
GALLERY_STAMPS = "_build/.gallery_fingerprints.json"


# -- Dependency analysis -------------------------------------------------------


def code_of_cells(sources):
    """Python source of notebook cells: IPython magics and shell escapes become calls."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager
    except ImportError:  # pragma: no cover - IPython is a dependency of the kernel
        return ["\n".join(line for line in s.splitlines()
                          if not line.lstrip().startswith(("%", "!"))) for s in sources]
    manager = TransformerManager()
    code = [manager.transform_cell(source) for source in sources]
    # The code a magic runs is a string argument once transformed: add it as code.
    for source in sources:
        lines = source.splitlines()
        extras = []
        if lines and lines[0].lstrip().startswith("%%"):
            extras.append("\n".join(lines[1:]))
        extras += [line.lstrip().lstrip("%").partition(" ")[2] for line in lines
                   if line.lstrip().startswith("%") and not line.lstrip().startswith("%%")]
        for extra in extras:
            try:
                ast.parse(extra)
            except SyntaxError:
                continue
            code.append(extra)
    return code


class Package:
    """The modules of a package under ``src`` and the imports between them (from ``ast``).

    Modules may be files (``optbook/prox.py``) or subpackages
    (``optbook/autodiff/__init__.py`` and its submodules).
    """

    def __init__(self, src, name=PACKAGE, memo=None):
        self.src = Path(src).resolve()
        self.name = name
        self.root = self.src / name
        self.memo = memo if memo is not None else Memo(None)
        self._direct, self._closures, self._bytes, self._fingerprints = {}, {}, {}, {}
        self._modules = {}
        for path in self.all_files():
            self._modules[self.module_name(path)] = path
        self.lazy_modules, self.lazy_names = self._lazy_attributes()
        # what the analyses depend on besides their input: the modules that exist
        self.layout = _sha(json.dumps([[p.relative_to(self.src).as_posix()
                                        for p in self.all_files()],
                                       list(self.lazy_modules), self.lazy_names]))[:12]

    # files and modules

    def module_file(self, module):
        """The file of ``module`` (dotted name), or None if it is not a module of the package."""
        return self._modules.get(module)

    def read(self, path):
        """The bytes of a file (read once per build)."""
        path = Path(path)
        if path not in self._bytes:
            self._bytes[path] = path.read_bytes() if path.is_file() else b"<missing>"
        return self._bytes[path]

    def module_name(self, path):
        parts = list(Path(path).relative_to(self.src).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        return ".".join(parts)

    def all_files(self):
        if not self.root.is_dir():
            return []
        return sorted(p for p in self.root.rglob("*.py") if "__pycache__" not in p.parts
                      and all(part.isidentifier() for part in p.relative_to(self.src).parts[:-1]))

    def files_of(self, module):
        """Files executed by ``import module``: the module and its parent packages."""
        parts = module.split(".")
        files = []
        for i in range(1, len(parts) + 1):
            path = self.module_file(".".join(parts[:i]))
            if path is not None:
                files.append(path)
        return files

    def _lazy_attributes(self):
        """``_LAZY_MODULES`` and ``_LAZY_NAMES`` of the package's ``__init__.py`` (PEP 562)."""
        modules, names = (), {}
        init = self.root / "__init__.py"
        if not init.is_file():
            return modules, names
        for node in ast.parse(init.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 \
                    and isinstance(node.targets[0], ast.Name):
                try:
                    value = ast.literal_eval(node.value)
                except ValueError:
                    continue
                if node.targets[0].id == "_LAZY_MODULES":
                    modules = tuple(value)
                elif node.targets[0].id == "_LAZY_NAMES":
                    names = dict(value)
        return modules, names

    # imports of a piece of code

    def modules_used(self, tree, package=None):
        """Modules of the package that the code ``tree`` uses; None means "all of them".

        ``package`` is the package the code belongs to (for relative imports).
        Attribute uses ``optbook.name`` are followed through submodules and
        through the lazy names of the package's ``__init__``. A use of the
        package that cannot be followed statically (``getattr(optbook, ...)``,
        ``from optbook import *``, a dynamic ``import_module``) counts as a use
        of every module.
        """
        used, aliases = set(), {}

        def absolute(level, module):
            if not level:
                return module
            if package is None:
                return None
            base = package.split(".")
            if level > 1:
                base = base[: -(level - 1)]
            return ".".join(base + ([module] if module else []))

        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] != self.name:
                        continue
                    used.add(alias.name)
                    if alias.asname:
                        aliases[alias.asname] = alias.name
                    else:
                        top = alias.name.split(".")[0]
                        aliases[top] = top
            elif isinstance(node, ast.ImportFrom):
                base = absolute(node.level, node.module)
                if base is None or (base != self.name and not base.startswith(self.name + ".")):
                    continue
                used.add(base)
                for alias in node.names:
                    if alias.name == "*":
                        return None
                    candidate = f"{base}.{alias.name}"
                    if self.module_file(candidate) is not None:
                        used.add(candidate)
                        aliases[alias.asname or alias.name] = candidate
                    elif base == self.name and alias.name in self.lazy_names:
                        used.add(f"{self.name}.{self.lazy_names[alias.name]}")
            elif isinstance(node, ast.Call) and _is_dynamic_import(node):
                argument = node.args[0] if node.args else None
                if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                    if argument.value.split(".")[0] == self.name:
                        used.add(argument.value)
                elif package is None:  # the package's own lazy loader is followed above
                    return None

        # attribute chains rooted at a name bound to a module of the package
        parents = {child: parent for parent in ast.walk(tree)
                   for child in ast.iter_child_nodes(parent)}
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Name) and node.id in aliases):
                continue
            if isinstance(node.ctx, ast.Store):
                continue
            chain, parent = [], parents.get(node)
            while isinstance(parent, ast.Attribute):
                chain.append(parent.attr)
                parent = parents.get(parent)
            if not chain:
                if aliases[node.id] == self.name:
                    return None  # the package object escapes (getattr, dir...): lazy names
                continue
            module = aliases[node.id]
            for attr in chain:
                candidate = f"{module}.{attr}"
                if self.module_file(candidate) is not None:
                    used.add(candidate)
                    module = candidate
                    continue
                if module == self.name:
                    if attr in self.lazy_names:
                        used.add(f"{self.name}.{self.lazy_names[attr]}")
                break
        # ``import optbook.x`` runs optbook/__init__.py too: files_of adds the parents
        return {m for m in used if self.module_file(m) is not None}

    def _direct_modules_of_file(self, path):
        if path not in self._direct:
            source = self.read(path)
            key = f"{self.layout}:{path.relative_to(self.src).as_posix()}:{_sha(source)}"
            self._direct[path] = self.memo.get("module", key,
                                               lambda: self._analyse_file(path, source))
        return self._direct[path]

    def _analyse_file(self, path, source):
        module = self.module_name(path)
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        try:
            tree = ast.parse(source)
        except SyntaxError:
            return None
        if path.name == "__init__.py" and module != self.name and any(
                isinstance(n, ast.FunctionDef) and n.name == "__getattr__" for n in tree.body):
            return None  # a subpackage that loads its submodules lazily: all of them count
        used = self.modules_used(tree, package=package)
        return None if used is None else sorted(used)

    def closure(self, modules):
        """Files of ``modules`` and of every package module they import, transitively."""
        if modules is None:
            return self.all_files()
        key = tuple(sorted(modules))
        if key not in self._closures:
            self._closures[key] = self._closure(key)
        return self._closures[key]

    def _closure(self, modules):
        todo = [f for m in modules for f in self.files_of(m)]
        seen = set()
        while todo:
            path = todo.pop()
            if path in seen:
                continue
            seen.add(path)
            direct = self._direct_modules_of_file(path)
            if direct is None:
                if path.name == "__init__.py" and self.module_name(path) != self.name:
                    todo.extend(p for p in path.parent.rglob("*.py")
                                if "__pycache__" not in p.parts)
                else:
                    return self.all_files()
                continue
            todo.extend(f for m in direct for f in self.files_of(m))
        return sorted(seen)

    def modules_of_code(self, sources):
        """Modules used by a list of code sources (notebook cells or one script)."""
        trees = []
        try:
            trees.append(ast.parse("\n".join(sources)))
        except SyntaxError:
            for source in sources:
                try:
                    trees.append(ast.parse(source))
                except SyntaxError:
                    if re.search(rf"\b{self.name}\b", source):
                        return None  # cannot tell what this cell uses: assume everything
        used = set()
        for tree in trees:
            modules = self.modules_used(tree)
            if modules is None:
                return None
            used |= modules
        return used


def _is_dynamic_import(call):
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    return name in ("import_module", "__import__")


def _sha(data):
    if isinstance(data, str):
        data = data.encode()
    return hashlib.sha256(data).hexdigest()[:32]


class Memo:
    """Results of the analyses above, kept between builds, keyed by the hash of their input.

    A rebuild then reads the sources and hashes them, but parses none that did
    not change. Only the entries used by a build are written back.
    """

    def __init__(self, path):
        self.path = Path(path) if path else None
        self.old, self.new = {}, {}
        if self.path is not None:
            try:
                self.old = json.loads(self.path.read_text())
            except (OSError, ValueError):
                self.old = {}

    def get(self, kind, key, compute):
        full = f"{kind}|{key}"
        if full in self.new:
            return self.new[full]
        value = self.old[full] if full in self.old else compute()
        self.new[full] = value
        return value

    def lookup(self, kind, key):
        """The stored value, or None (and nothing is recorded)."""
        full = f"{kind}|{key}"
        value = self.new.get(full, self.old.get(full))
        if value is not None:
            self.new[full] = value
        return value

    def put(self, kind, key, value):
        self.new[f"{kind}|{key}"] = value

    def save(self):
        if self.path is not None and self.new and self.new != self.old:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_text(json.dumps(self.new, sort_keys=True))
            self.old = dict(self.new)


# -- Fingerprints ----------------------------------------------------------------


def fingerprint(root, files, read=None):
    """Hash of the contents (and project-relative paths) of ``files``."""
    root = Path(root).resolve()
    digest = hashlib.sha256()
    for path in sorted(set(Path(p) if Path(p).is_absolute() else Path(p).resolve()
                           for p in files)):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        if read is not None:
            digest.update(read(path))
        else:
            digest.update(path.read_bytes() if path.is_file() else b"<missing>")
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def dependency_files(root, package, modules, kernel=True):
    """Files a chapter (``kernel=True``) or a gallery example depends on."""
    root = Path(root).resolve()
    files = set(package.closure(modules))
    files.add(package.root / "__init__.py")
    if kernel:
        files.add(root / KERNEL_PROFILE)
    return sorted(files)


def notebook_code_cells(text):
    """Sources of the code cells of a MyST text notebook (with their magics turned into calls)."""
    from myst_nb.core.read import read_myst_markdown_notebook

    notebook = read_myst_markdown_notebook(text)
    return code_of_cells([c.source for c in notebook.cells if c.cell_type == "code"])


def _fingerprint_of(root, package, modules, kernel):
    key = (str(root), None if modules is None else tuple(modules), kernel)
    if key not in package._fingerprints:
        package._fingerprints[key] = fingerprint(
            root, dependency_files(root, package, modules, kernel=kernel), package.read)
    return package._fingerprints[key]


def _modules_of(package, kind, text, sources):
    def compute():
        modules = package.modules_of_code(sources())
        return None if modules is None else sorted(modules)
    return package.memo.get(kind, f"{package.layout}:{_sha(text)}", compute)


def notebook_fingerprint(root, package, text):
    """Fingerprint of the package files (and kernel profile) a MyST notebook depends on."""
    modules = _modules_of(package, "notebook", text, lambda: notebook_code_cells(text))
    return _fingerprint_of(root, package, modules, kernel=True)


def script_fingerprint(root, package, path):
    """Fingerprint of the package files a gallery script depends on."""
    text = Path(path).read_text(encoding="utf-8")
    modules = _modules_of(package, "script", text, lambda: [text])
    return _fingerprint_of(root, package, modules, kernel=False)


# -- The hidden cell -------------------------------------------------------------


def key_cell(key):
    """The hidden code cell, in MyST, that carries a chapter's execution key."""
    return ("\n\n```{code-cell} ipython3\n:tags: [remove-cell]\n\n"
            f"{KEY_PREFIX} {key} (cache key of the package sources this notebook uses)\n"
            "```\n")


def with_key(text, key):
    """``text`` with the hidden cell appended."""
    return text.rstrip("\n") + "\n" + key_cell(key)


def is_key_cell(cell):
    return cell.get("cell_type") == "code" and cell.get("source", "").startswith(KEY_PREFIX)


def is_myst_notebook(text):
    from myst_nb.core.read import is_myst_markdown_notebook

    return is_myst_markdown_notebook(text)


def strip_key_cell(path):
    """Remove the hidden cell from the executed notebook at ``path`` (a reader's download)."""
    import nbformat

    path = Path(path)
    if not path.is_file():
        return False
    notebook = nbformat.read(path, as_version=4)
    cells = [c for c in notebook.cells if not is_key_cell(c)]
    if len(cells) == len(notebook.cells):
        return False
    notebook.cells = cells
    path.write_text(nbformat.writes(notebook), encoding="utf-8")
    return True


# -- The gallery -----------------------------------------------------------------


def forget_stale_examples(root, package, examples_dirs, gallery_dirs, stamps_path):
    """Delete the MD5 file of every example whose fingerprint changed; update the stamps.

    sphinx-gallery runs an example again when its MD5 file is missing. Doing it
    here, rather than with ``run_stale_examples``, keeps the configuration
    constant, so that Sphinx does not rewrite every page later. The stamps can
    be written at once: an example whose MD5 file is gone runs at the next build
    that includes it, whatever happens to this one. Returns the examples forgotten.
    """
    root, stamps_path = Path(root), Path(stamps_path)
    try:
        stamps = json.loads(stamps_path.read_text())
    except (OSError, ValueError):
        stamps = {}
    forgotten, new = [], {}
    for examples, gallery in zip(examples_dirs, gallery_dirs):
        examples, gallery = root / examples, root / gallery
        for script in sorted(examples.rglob("*.py")):
            rel = script.relative_to(examples).as_posix()
            key = f"{examples.relative_to(root).as_posix()}/{rel}"
            new[key] = script_fingerprint(root, package, script)
            if stamps.get(key) != new[key]:
                md5 = gallery / (rel + ".md5")
                if md5.is_file():
                    md5.unlink()
                    forgotten.append(key)
    if new != stamps:
        stamps_path.parent.mkdir(parents=True, exist_ok=True)
        stamps_path.write_text(json.dumps(new, indent=1, sort_keys=True))
    return forgotten


def examples_to_run(root, examples_dirs, gallery_dirs, filename_pattern, ignore_pattern):
    """The examples sphinx-gallery will execute: those whose MD5 file is missing or stale.

    sphinx-gallery executes an example whose path matches ``filename_pattern``
    when the MD5 file of its copy in the gallery folder does not hold the MD5 of
    its source (text mode).
    """
    from sphinx_gallery.utils import get_md5sum

    root, out = Path(root), []
    for examples, gallery in zip(examples_dirs, gallery_dirs):
        examples, gallery = root / examples, root / gallery
        for script in sorted(examples.rglob("*.py")):
            if re.search(ignore_pattern, script.name) or not re.search(filename_pattern,
                                                                        str(script)):
                continue
            md5 = gallery / (script.relative_to(examples).as_posix() + ".md5")
            if not md5.is_file() or md5.read_text() != get_md5sum(script, mode="t"):
                out.append(script.relative_to(root).as_posix())
    return out


def prune_old_cache_folders(cache_path):
    """Remove the per-fingerprint cache folders of earlier versions of the book."""
    cache_path = Path(cache_path)
    if cache_path.is_dir():
        for old in cache_path.iterdir():
            if old.is_dir() and re.fullmatch(r"[0-9a-f]{16}", old.name):
                shutil.rmtree(old, ignore_errors=True)


# -- Sphinx ----------------------------------------------------------------------


MEMO = "_build/.optbook_dependencies.json"


def package_of(app):
    """The package analysis of this build (one per Sphinx application)."""
    package = app.__dict__.get("_optbook_package")
    if package is None:
        root = Path(app.srcdir)
        package = app._optbook_package = Package(root / "src", memo=Memo(root / MEMO))
    return package


def save_memo(app, *args):
    package = app.__dict__.get("_optbook_package")
    if package is not None:
        package.memo.save()


def execution_key(app, docname, text):
    """The execution key of a chapter (memoised for the build)."""
    keys = app.__dict__.setdefault("_optbook_keys", {})
    if docname not in keys:
        keys[docname] = notebook_fingerprint(app.srcdir, package_of(app), text)
    return keys[docname]


def _gallery_folders(conf):
    """sphinx-gallery's ``examples_dirs`` and ``gallery_dirs``, as lists."""
    examples = conf.get("examples_dirs", [])
    galleries = conf.get("gallery_dirs", [])
    examples = [examples] if isinstance(examples, str) else examples
    galleries = [galleries] if isinstance(galleries, str) else galleries
    return examples, galleries


def _forget_stale_examples(app, config):
    conf = getattr(config, "sphinx_gallery_conf", None) or {}
    examples, galleries = _gallery_folders(conf)
    root = Path(app.srcdir)
    forgotten = forget_stale_examples(root, package_of(app), examples, galleries,
                                      root / GALLERY_STAMPS)
    if forgotten:
        logger.info("optbook: package sources changed for %d gallery example(s): %s",
                    len(forgotten), ", ".join(forgotten))


def _serial_gallery_when_nothing_runs(app):
    """With no example to run, sphinx-gallery need not start its pool of processes.

    Starting joblib's workers costs about a second of every rebuild. The change is
    made after the builder computed its build information, so that the pages are
    not written again because of it.
    """
    conf = getattr(app.config, "sphinx_gallery_conf", None) or {}
    if not conf.get("parallel") or not conf.get("plot_gallery", True):
        return
    examples, galleries = _gallery_folders(conf)
    if not examples_to_run(app.srcdir, examples, galleries, conf["filename_pattern"],
                           conf.get("ignore_pattern", r"__init__\.py")):
        conf["parallel"] = False


def _add_key_cell(app, docname, source):
    if not _executes(app):
        return
    text = source[0]
    if not is_myst_notebook(text):
        return
    key = execution_key(app, docname, text)
    source[0] = with_key(text, key)
    app.env.__dict__.setdefault("optbook_execution_keys", {})[docname] = key


def _executes(app):
    return app.config.nb_execution_mode in ("cache", "force", "auto", "inline")


def _chapters_with_new_keys(app, env, added, changed, removed):
    """Chapters whose package modules changed since they were read: read them again."""
    stored = env.__dict__.get("optbook_execution_keys", {})
    outdated = []
    for docname, old in sorted(stored.items()):
        if docname in added or docname in changed or docname in removed \
                or docname not in env.found_docs:
            continue
        path = Path(env.doc2path(docname))
        try:
            text = path.read_text(encoding=app.config.source_encoding)
        except OSError:
            continue
        if execution_key(app, docname, text) != old:
            outdated.append(docname)
    if outdated:
        logger.info("optbook: package sources changed for %d chapter(s): %s",
                    len(outdated), ", ".join(outdated))
    return outdated


def _purge(app, env, docname):
    env.__dict__.get("optbook_execution_keys", {}).pop(docname, None)


def _merge(app, env, docnames, other):
    keys = env.__dict__.setdefault("optbook_execution_keys", {})
    theirs = other.__dict__.get("optbook_execution_keys", {})
    keys.update({d: theirs[d] for d in docnames if d in theirs})


def _strip_key_cell_from_download(app, doctree):
    docname = app.env.docname
    if docname not in app.env.__dict__.get("optbook_execution_keys", {}):
        return
    output = getattr(getattr(app.env, "mystnb_config", None), "output_folder", None)
    folder = Path(output) if output else Path(app.outdir).parent / "jupyter_execute"
    strip_key_cell(folder / f"{docname}.ipynb")


def setup(app):
    app.setup_extension("optbook_sphinx.preexecute")
    # after sphinx-gallery fills its defaults (priority 10), before it runs (builder-inited)
    app.connect("config-inited", _forget_stale_examples, priority=800)
    # after sphinx-gallery's own builder-inited update (priority 10), before it runs
    app.connect("builder-inited", _serial_gallery_when_nothing_runs, priority=400)
    app.connect("source-read", _add_key_cell)
    app.connect("env-get-outdated", _chapters_with_new_keys)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("doctree-read", _strip_key_cell_from_download)
    app.connect("env-before-read-docs", save_memo, priority=900)
    app.connect("build-finished", save_memo)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
