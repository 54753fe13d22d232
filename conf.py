"""Sphinx configuration of *Optimization for Large-Scale Machine Learning*.

Everything a maintainer may want to change sits in the first section:
the repository address (used by the repository and launch buttons), the
math macros (shared by MathJax and LaTeX) and the execution limits.
"""

import importlib
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).parent.resolve()
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "_ext"))  # the book's own Sphinx extensions

from optbook_sphinx import links, pdf  # noqa: E402

# -- Settings a maintainer edits ---------------------------------------------

#: Public repository of the book, for the repository, source, Binder and Colab
#: buttons. Set it here or in the environment variable OPTBOOK_REPOSITORY_URL
#: (e.g. "https://github.com/<owner>/<repository>"). While it is empty the book
#: shows none of these buttons, so that no link leads to a missing address.
REPOSITORY_URL = os.environ.get("OPTBOOK_REPOSITORY_URL", "")
REPOSITORY_BRANCH = os.environ.get("OPTBOOK_REPOSITORY_BRANCH", "main")
#: Branch of that repository where the built site is published (e.g. "gh-pages"):
#: with it, chapters get a Colab button on their executed notebook.
NOTEBOOK_BRANCH = os.environ.get("OPTBOOK_NOTEBOOK_BRANCH", "")

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
    # the book's machinery, one module per job (_ext/optbook_sphinx)
    "optbook_sphinx.cache",
    "optbook_sphinx.api",
    "optbook_sphinx.numbering",
    "optbook_sphinx.pdf",
    "optbook_sphinx.mathjax",
    "optbook_sphinx.checked",
    "optbook_sphinx.links",
    "optbook_sphinx.lean",
    "optbook_sphinx.incremental",
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
    "_ext",
    "bib",
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


# Chapters are executed through one jupyter-cache (_build/.jupyter_cache), where each
# chapter is keyed on its code and on the optbook modules it imports, directly or
# through other optbook modules (_ext/optbook_sphinx/cache.py): a prose edit executes
# nothing, an edit of src/optbook/online.py only what uses optbook.online. The
# chapters that miss the cache are executed in parallel before the (serial) Sphinx
# read, while sphinx-gallery runs the examples (_ext/optbook_sphinx/preexecute.py).
nb_execution_mode = "cache"
#: Processes executing chapters at once (0: one per core).
optbook_execution_workers = int(os.environ.get("OPTBOOK_EXECUTION_WORKERS", "0"))
nb_execution_timeout = CELL_TIMEOUT
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_merge_streams = True

# Kernels started for chapters and examples read the book's IPython profile
# (figure formats: SVG for HTML, PDF for LaTeX) and produce reproducible
# figure files (no creation dates, fixed SVG ids).
os.environ["IPYTHONDIR"] = str(ROOT / ".ipython")
os.environ["SOURCE_DATE_EPOCH"] = "0"

# -- Gallery -----------------------------------------------------------------

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
    # examples run in parallel, one process per core (joblib)
    "parallel": max(1, min(4, os.cpu_count() or 1)),
}


# -- API reference (one page per module, generated by _ext/optbook_sphinx/api.py)

optbook_api_modules = [
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
    ("tools", "Timing and power iteration"),
]


autodoc_typehints = "none"
autodoc_member_order = "bysource"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_validation_checks = set()
# numpydoc loads sphinx.ext.autosummary, whose page generation would import every
# documented module at every build (just under 1 s) to look for autosummary directives;
# the book has none (the API pages are generated by _ext/optbook_sphinx/api.py).
autosummary_generate = False

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
optbook_repository_url = REPOSITORY_URL
optbook_notebook_branch = NOTEBOOK_BRANCH
html_theme_options = links.theme_options(REPOSITORY_URL, REPOSITORY_BRANCH, {
    "use_download_button": True,
    "use_repository_button": True,
    "use_source_button": True,
    "use_issues_button": False,
    "use_fullscreen_button": True,
    "home_page_in_toc": True,
    "show_toc_level": 2,
    "navigation_with_keys": False,
})
# MathJax is served by the site itself (_ext/optbook_sphinx/mathjax.py): math
# is typeset offline.
mathjax_path = "mathjax/tex-chtml.js"


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
# The root of the PDF, book_pdf.md, is generated from index.md (_ext/optbook_sphinx/pdf.py).
latex_documents = [
    ("book_pdf", "optbook.tex", project, author, "manual"),
]
# The book class: front matter, parts, appendices and back matter.
latex_docclass = {"manual": "book"}
latex_elements = {
    "papersize": "a4paper",
    "pointsize": "11pt",
    "preamble": "\n".join(
        [
            r"\usepackage{amssymb}",
            r"\usepackage{amsthm}",
            latex_macros(MATH_MACROS),
            pdf.PREAMBLE,
            r"\setcounter{tocdepth}{1}",
        ]
    ),
    "printindex": "",
    "figure_align": "htbp",
}
