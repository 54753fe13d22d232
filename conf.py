"""Sphinx configuration of *Optimization for Large-Scale Machine Learning*.

Everything a maintainer may want to change sits in the first section:
the repository address (used by the repository and launch buttons), the
math macros (shared by MathJax and LaTeX) and the execution limits.
"""

import hashlib
import importlib
import os
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).parent.resolve()
sys.path.insert(0, str(ROOT / "src"))

# -- Settings a maintainer edits ---------------------------------------------

#: Public repository of the book (repository button, Binder and Colab buttons).
REPOSITORY_URL = "https://github.com/optbook/optimization-for-large-scale-ml"
REPOSITORY_BRANCH = "main"

#: Per-cell execution limit in seconds. Chapters are meant to run in well under
#: a minute; a cell that hangs fails the build after this limit.
CELL_TIMEOUT = 300

#: Math macros, defined once: they are turned into the MathJax configuration
#: and into ``\newcommand`` lines of the LaTeX preamble. A value is either the
#: expansion, or ``[expansion, number_of_arguments]``.
MATH_MACROS = {
    "R": r"\mathbb{R}",
    "N": r"\mathbb{N}",
    "E": r"\mathbb{E}",
    "Prob": r"\mathbb{P}",
    "prox": r"\operatorname{prox}",
    "argmin": r"\operatorname*{arg\,min}",
    "argmax": r"\operatorname*{arg\,max}",
    "dom": r"\operatorname{dom}",
    "epi": r"\operatorname{epi}",
    "env": r"\operatorname{env}",
    "sign": r"\operatorname{sign}",
    "dist": r"\operatorname{dist}",
    "conv": r"\operatorname{conv}",
    "relint": r"\operatorname{ri}",
    "diag": r"\operatorname{diag}",
    "tr": r"\operatorname{tr}",
    "Id": r"\mathrm{Id}",
    "indicator": r"\iota",
    "inner": [r"\left\langle #1, #2 \right\rangle", 2],
    "norm": [r"\left\lVert #1 \right\rVert", 1],
    "abs": [r"\left\lvert #1 \right\rvert", 1],
}


def latex_macros(macros):
    """Return LaTeX preamble lines defining ``macros`` (overriding any default)."""
    lines = []
    for name, value in macros.items():
        body, nargs = (value, 0) if isinstance(value, str) else value
        args = f"[{nargs}]" if nargs else ""
        lines.append(rf"\providecommand{{\{name}}}{{}}")
        lines.append(rf"\renewcommand{{\{name}}}{args}{{{body}}}")
    return "\n".join(lines)


# -- Project -----------------------------------------------------------------

project = "Optimization for Large-Scale Machine Learning"
author = "The optbook authors"
copyright = "2026, the optbook authors"
release = importlib.import_module("optbook").__version__


def _commit_date():
    """Date of the last commit (so that two builds of one commit are identical)."""
    import subprocess

    try:
        out = subprocess.run(["git", "log", "-1", "--format=%cs"], cwd=ROOT,
                             capture_output=True, text=True, check=True, timeout=10)
        return out.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


today = _commit_date() or ""

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_proof",
    "sphinx_exercise",
    "sphinxcontrib.bibtex",
    "sphinx_design",
    "sphinx_copybutton",
    "sphinx_togglebutton",
    "sphinx_gallery.gen_gallery",
]

root_doc = "index"
exclude_patterns = [
    "_build",
    ".venv",
    "**/.ipynb_checkpoints",
    ".pytest_cache",
    "README.md",
    "benchmarks",
    "tests",
    "src",
    "gallery",  # sources of sphinx-gallery; it writes its pages to gallery_build
    "gallery_build/**.ipynb",  # notebooks written by sphinx-gallery are downloads, not pages
    "test-artifacts",
    "_fragments",  # text included by index.md and preface.md
]
suppress_warnings = ["mystnb.unknown_mime_type"]

# Authors' shortcut: OPTBOOK_ONLY="02_gradient_methods,gradient_methods" builds
# only the listed chapters and runs only the listed gallery folders (the other
# chapters are excluded, the other examples are shown without being run).
# The full build (make html, make test, CI) never sets it.
ONLY = [s.strip() for s in os.environ.get("OPTBOOK_ONLY", "").split(",") if s.strip()]
if ONLY:
    exclude_patterns += [
        f"chapters/{p.name}" for p in (ROOT / "chapters").glob("*.md") if p.stem not in ONLY
    ]
    suppress_warnings += ["toc.excluded", "toc.not_readable"]
numfig = True
math_numfig = True
numfig_secnum_depth = 1
nitpicky = True
# Types in docstrings from third-party packages: the book builds offline, so
# there is no intersphinx inventory to resolve them against.
nitpick_ignore_regex = [
    (r"py:.*", r"(numpy|np|scipy|sklearn|matplotlib|collections|typing)(\..*)?"),
    (r"py:.*", r"(array_like|ndarray|callable|optional|default)"),
]

# -- MyST and notebook execution ---------------------------------------------

myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist", "attrs_inline"]
myst_dmath_double_inline = True
myst_heading_anchors = 3


def _package_fingerprint():
    """Hash of every source file of optbook (and of the kernel profile).

    jupyter-cache keys a notebook on its cells only. Keying the cache folder on
    the package's sources as well makes a change in ``src/optbook`` re-execute
    the chapters (which all import it), while a prose edit re-executes nothing.
    """
    digest = hashlib.sha256()
    sources = sorted((ROOT / "src" / "optbook").rglob("*.py"))
    # The kernel profile decides the figure formats: a change must re-execute too.
    sources.append(ROOT / ".ipython" / "profile_default" / "ipython_kernel_config.py")
    for path in sources:
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


PACKAGE_FINGERPRINT = _package_fingerprint()
_cache_root = ROOT / "_build" / ".jupyter_cache"
nb_execution_mode = "cache"
# Relative to the source folder, so that a copy of the project (with its _build)
# keeps the same configuration and stays up to date.
nb_execution_cache_path = f"_build/.jupyter_cache/{PACKAGE_FINGERPRINT}"
nb_execution_timeout = CELL_TIMEOUT
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_merge_streams = True

# Drop caches keyed on older package versions (they can never be hit again).
if _cache_root.is_dir():
    for old in _cache_root.iterdir():
        if old.name != PACKAGE_FINGERPRINT:
            shutil.rmtree(old, ignore_errors=True)

# Kernels started for chapters and examples read the book's IPython profile
# (figure formats: SVG for HTML, PDF for LaTeX) and produce reproducible
# figure files (no creation dates, fixed SVG ids).
os.environ["IPYTHONDIR"] = str(ROOT / ".ipython")
os.environ["SOURCE_DATE_EPOCH"] = "0"

# -- Gallery -----------------------------------------------------------------

_gallery_stamp = ROOT / "_build" / ".gallery_package_fingerprint"
# sphinx-gallery runs an example again when its source changed (it keeps an MD5
# of each). When the package changed, forget those MD5s so that every example
# runs again. (Doing it here, rather than with ``run_stale_examples``, keeps the
# configuration constant, so that Sphinx does not rewrite every page later.)
if not _gallery_stamp.is_file() or _gallery_stamp.read_text() != PACKAGE_FINGERPRINT:
    for _md5 in (ROOT / "gallery_build").rglob("*.md5"):
        _md5.unlink()

sphinx_gallery_conf = {
    "examples_dirs": ["gallery"],
    "gallery_dirs": ["gallery_build"],
    "filename_pattern": (
        r"/(" + "|".join(re.escape(o) for o in ONLY) + r")/plot_" if ONLY else r"/plot_"
    ),
    "within_subsection_order": "FileNameSortKey",
    "doc_module": ("optbook",),
    "backreferences_dir": "api/generated/backreferences",
    "image_scrapers": ("matplotlib",),
    "remove_config_comments": True,
    "download_all_examples": False,
    "write_computation_times": False,
    "show_memory": False,
    "abort_on_example_error": False,
    "only_warn_on_example_error": False,
    "matplotlib_animations": False,
    "reset_modules": ("matplotlib",),
    "capture_repr": ("_repr_html_", "__repr__"),
    "min_reported_time": 0,
}


def _record_gallery_fingerprint(app, exception):
    if exception is None and app.builder.name == "html":
        _gallery_stamp.parent.mkdir(parents=True, exist_ok=True)
        _gallery_stamp.write_text(PACKAGE_FINGERPRINT)


# -- API reference (one page per module, generated from the package) ---------

API_MODULES = [
    ("prox", "Proximal operators and projections"),
    ("convex", "Numerical convex analysis"),
    ("objectives", "Objective functions"),
    ("datasets", "Data sets"),
    ("first_order", "First-order methods"),
    ("trace", "Recording iterations"),
    ("plotting", "Plotting helpers"),
    ("stochastic", "Stochastic methods"),
    ("optim", "Optimizers for deep learning"),
    ("autodiff", "Automatic differentiation"),
    ("checkpoint", "Checkpointing"),
    ("nn", "Neural networks"),
    ("second_order", "Newton and quasi-Newton methods"),
    ("duality", "Duality, coordinate descent and SDCA"),
    ("mirror", "Mirror descent and Bregman methods"),
    ("nonconvex", "Nonconvex and nonsmooth nonconvex methods"),
    ("online", "Online learning"),
    ("lmo", "Linear minimization oracles"),
    ("beyond_gradients", "Frank–Wolfe, variational inequalities and primal–dual splitting"),
    ("implicit", "Implicit differentiation"),
]


def _public_names(module):
    names = getattr(module, "__all__", None)
    if names is None:
        names = [
            n
            for n, obj in vars(module).items()
            if not n.startswith("_") and getattr(obj, "__module__", None) == module.__name__
        ]
    return list(names)


def _write_if_changed(path, text):
    """Write ``text`` unless the file already holds it (keeps rebuilds incremental)."""
    if not path.is_file() or path.read_text() != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def generate_api_pages():
    """Write ``api/generated/<module>.rst`` for each module of optbook that exists."""
    out = ROOT / "api" / "generated"
    entries = []
    for name, title in API_MODULES:
        if not (ROOT / "src" / "optbook" / f"{name}.py").is_file():
            continue
        modname = f"optbook.{name}"
        module = importlib.import_module(modname)
        heading = f"``{modname}``: {title}"
        lines = [heading, "=" * len(heading), "", f".. automodule:: {modname}", "   :no-members:", ""]
        for obj_name in _public_names(module):
            obj = getattr(module, obj_name)
            full = f"{modname}.{obj_name}"
            if isinstance(obj, type):
                lines += [f".. autoclass:: {full}", "   :members:", ""]
            elif callable(obj):
                lines += [f".. autofunction:: {full}", ""]
            else:
                continue
            lines += [
                ".. only:: html",
                "",
                f"   .. minigallery:: {full}",
                f"      :add-heading: Gallery examples using ``{obj_name}``",
                "      :heading-level: -",
                "",
            ]
        _write_if_changed(out / f"{name}.rst", "\n".join(lines))
        entries.append(f"generated/{name}")
    index = ["API reference", "=============", "",
             ".. automodule:: optbook", "   :no-members:", "",
             "The companion package, one page per module. Each function lists the",
             "gallery examples that call it. The solvers of :mod:`optbook.first_order`",
             "and :class:`optbook.trace.Trace` are also available at the top of the",
             "package (``optbook.gradient_descent``, ``optbook.Trace``...).", "",
             ".. toctree::", "   :maxdepth: 1", ""]
    index += [f"   {e}" for e in entries]
    _write_if_changed(ROOT / "api" / "index.rst", "\n".join(index) + "\n")


generate_api_pages()


# -- The printed book's root document ----------------------------------------
#
# The landing page (index.md) is a web page: its sections would become stray
# chapters in LaTeX. The PDF therefore starts from book_pdf.md, generated here
# from the toctrees of index.md (so the table of contents is written once),
# with the preface first and without the HTML-only gallery.

TOCTREE_RE = re.compile(r"```\{toctree\}\n(.*?)```", re.S)


def generate_pdf_root():
    """Write ``book_pdf.md``: the preface, then every toctree of index.md but the gallery's."""
    blocks = [b for b in TOCTREE_RE.findall((ROOT / "index.md").read_text())
              if "gallery_build/index" not in b]
    parts = ["---", "orphan: true", "---", "", f"# {project}", "",
             "```{toctree}", ":hidden:", "", "preface", "```", ""]
    parts += [f"```{{toctree}}\n{b}```\n" for b in blocks]
    _write_if_changed(ROOT / "book_pdf.md", "\n".join(parts))


generate_pdf_root()

autodoc_typehints = "none"
autodoc_member_order = "bysource"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_validation_checks = set()

# -- Theorems, exercises, bibliography ---------------------------------------

# references.bib holds the entries of parts I–III; bib/<chapter>.bib those of later chapters.
bibtex_bibfiles = ["references.bib"] + sorted(p.relative_to(ROOT).as_posix()
                                            for p in (ROOT / "bib").glob("*.bib"))
bibtex_default_style = "plain"
bibtex_reference_style = "author_year"

# -- HTML --------------------------------------------------------------------

html_theme = "sphinx_book_theme"
html_title = "Optimization for Large-Scale ML"
html_static_path = ["_static"]
html_css_files = ["book.css"]
html_search_scorer = "_static/search_scorer.js"
html_last_updated_fmt = None
html_copy_source = True
# Light, dark or following the reader's system (the theme switch cycles through them).
html_context = {"default_mode": "auto"}
html_theme_options = {
    "repository_url": REPOSITORY_URL,
    "repository_branch": REPOSITORY_BRANCH,
    "path_to_docs": "",
    "use_repository_button": True,
    "use_download_button": True,
    "use_source_button": True,
    "use_issues_button": False,
    "use_fullscreen_button": True,
    "home_page_in_toc": True,
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "launch_buttons": {
        "binderhub_url": "https://mybinder.org",
        "colab_url": "https://colab.research.google.com",
        "notebook_interface": "jupyterlab",
    },
}
# MathJax is served by the site itself, never from a CDN: the book typesets its
# math offline. Its files come from PyPI (django-static-mathjax ships MathJax 3)
# and are copied into _static/mathjax once per output folder.
mathjax_path = "mathjax/tex-chtml.js"


def _mathjax_source():
    import mathjax  # the django-static-mathjax distribution

    return Path(mathjax.__path__[0]) / "static" / "mathjax" / "es5"


def _copy_mathjax(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    dest = Path(app.outdir) / "_static" / "mathjax"
    if not (dest / "tex-chtml.js").is_file():
        shutil.copytree(_mathjax_source(), dest, dirs_exist_ok=True)


mathjax3_config = {
    "tex": {
        "macros": {k: (v if isinstance(v, str) else list(v)) for k, v in MATH_MACROS.items()},
        "tags": "ams",
    }
}

# -- LaTeX / PDF -------------------------------------------------------------

latex_engine = "xelatex"
latex_use_xindy = False
latex_domain_indices = False
latex_show_urls = "no"
latex_documents = [
    ("book_pdf", "optbook.tex", project, author, "manual"),
]
latex_elements = {
    "papersize": "a4paper",
    "pointsize": "11pt",
    "preamble": "\n".join(
        [
            r"\usepackage{amssymb}",
            r"\usepackage{amsthm}",
            latex_macros(MATH_MACROS),
            r"\setcounter{tocdepth}{1}",
        ]
    ),
    "printindex": "",
    "figure_align": "htbp",
}


def _drop_hidden_code_from_pdf(app, doctree, docname):
    """In print, a cell tagged ``hide-input`` shows its output only.

    In HTML its code is folded behind a toggle; paper has no toggle, and
    plotting code would otherwise fill pages.
    """
    if app.builder.format != "latex":
        return
    from docutils import nodes

    for cell in list(doctree.findall(nodes.container)):
        if cell.get("hide_mode") in ("input", "input+output", "all"):
            for child in list(cell.children):
                if child.get("nb_element") == "cell_code_source":
                    cell.remove(child)


def setup(app):
    app.connect("doctree-resolved", _drop_hidden_code_from_pdf)
    app.connect("build-finished", _record_gallery_fingerprint)
    app.connect("build-finished", _copy_mathjax)
