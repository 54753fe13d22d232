"""MathJax served by the built site, never from a CDN: the book typesets math offline.

The files come from PyPI (django-static-mathjax ships MathJax 3) and are copied
into ``_static/mathjax`` once per output folder. ``conf.py`` sets
``mathjax_path = "mathjax/tex-chtml.js"``.
"""

import shutil
from pathlib import Path


def mathjax_source():
    import mathjax  # the django-static-mathjax distribution

    return Path(mathjax.__path__[0]) / "static" / "mathjax" / "es5"


def _copy_mathjax(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    dest = Path(app.outdir) / "_static" / "mathjax"
    if not (dest / "tex-chtml.js").is_file():
        shutil.copytree(mathjax_source(), dest, dirs_exist_ok=True)


def setup(app):
    app.connect("build-finished", _copy_mathjax)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
