"""API reference pages, one per module of optbook, generated from the package.

``optbook_api_modules`` (in ``conf.py``) lists ``(module, title)`` pairs; a
module whose file (``optbook/<module>.py``, or ``optbook/<module>/__init__.py``
for a subpackage) does not exist yet is skipped. A subpackage gets one page
for its re-exported public names, wherever they are defined. Each public name (the
module's ``__all__``) gets its autodoc entry and, in HTML, the gallery
examples that use it.

Listing the public names imports every module; the pages are generated again
only when the package's sources or the list of modules change (a stamp in
``api/generated`` records both), so that a rebuild imports nothing.
"""

import hashlib
import importlib
from pathlib import Path

STAMP = ".sources-key"

INTRO = [
    "The companion package, one page per module. Each function lists the",
    "gallery examples that call it. The solvers of :mod:`optbook.first_order`,",
    "the solvers that BOOK_GUIDE marks as top-level and :class:`optbook.trace.Trace`",
    "are also available at the top of the package (``optbook.gradient_descent``,",
    "``optbook.newton``, ``optbook.Trace``...).",
]


def public_names(module):
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n, obj in vars(module).items()
                 if not n.startswith("_") and getattr(obj, "__module__", None) == module.__name__]
    return list(names)


def write_if_changed(path, text):
    """Write ``text`` unless the file already holds it (keeps rebuilds incremental)."""
    path = Path(path)
    if not path.is_file() or path.read_text() != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def module_page(modname, title):
    module = importlib.import_module(modname)
    heading = f"``{modname}``: {title}"
    lines = [heading, "=" * len(heading), "", f".. automodule:: {modname}", "   :no-members:", ""]
    for name in public_names(module):
        obj = getattr(module, name)
        full = f"{modname}.{name}"
        if isinstance(obj, type):
            lines += [f".. autoclass:: {full}", "   :members:", ""]
        elif callable(obj):
            lines += [f".. autofunction:: {full}", ""]
        else:
            continue
        lines += [".. only:: html", "", f"   .. minigallery:: {full}",
                  f"      :add-heading: Gallery examples using ``{name}``",
                  "      :heading-level: -", ""]
    return "\n".join(lines)


def module_exists(root, name):
    """Whether ``optbook.<name>`` exists under ``root``: a module file or a package."""
    base = Path(root) / "src" / "optbook"
    return (base / f"{name}.py").is_file() or (base / name / "__init__.py").is_file()


def sources_key(root, modules):
    """Key of the package's sources (:func:`.cache.fingerprint`), of this module and of ``modules``."""
    from .cache import fingerprint

    package = fingerprint(root, (Path(root) / "src" / "optbook").rglob("*.py"))
    return "\n".join([package, hashlib.sha256(Path(__file__).read_bytes()).hexdigest(),
                      repr(list(modules))])


def generate_api_pages(root, modules):
    """Write ``api/generated/<module>.rst`` and ``api/index.rst`` under ``root``."""
    root = Path(root)
    folder = root / "api" / "generated"
    present = [(name, title) for name, title in modules if module_exists(root, name)]
    entries = [f"generated/{name}" for name, _ in present]
    key = sources_key(root, present)
    stamp = folder / STAMP
    pages = [folder / f"{name}.rst" for name, _ in present] + [root / "api" / "index.rst"]
    if stamp.is_file() and stamp.read_text() == key and all(p.is_file() for p in pages):
        return entries
    for name, title in present:
        write_if_changed(folder / f"{name}.rst", module_page(f"optbook.{name}", title))
    index = ["API reference", "=============", "", ".. automodule:: optbook", "   :no-members:", ""]
    index += INTRO + ["", ".. toctree::", "   :maxdepth: 1", ""] + [f"   {e}" for e in entries]
    write_if_changed(root / "api" / "index.rst", "\n".join(index) + "\n")
    stamp.write_text(key)
    return entries


def _generate(app, config):
    generate_api_pages(app.srcdir, config.optbook_api_modules)


def setup(app):
    app.add_config_value("optbook_api_modules", [], "env")
    app.connect("config-inited", _generate)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
