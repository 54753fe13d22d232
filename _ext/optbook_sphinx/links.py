"""Repository, source and launch buttons appear only when the book has an address.

``REPOSITORY_URL`` in ``conf.py`` (or the environment variable
``OPTBOOK_REPOSITORY_URL``) is the public repository of the book. When it is
empty, the built pages show no repository, source, issue or launch button, so
that no link leads to an address that does not exist. With an address, the
pages offer Binder (which opens the chapters' text notebooks through
jupytext, see ``binder/requirements.txt``) and, when
``OPTBOOK_NOTEBOOK_BRANCH`` names the branch where the built site is published
(e.g. ``gh-pages``), Colab, on the executed ``.ipynb`` of the page: Colab reads
notebooks, not the MyST text files of the repository.

Whatever the address, the download menu of every chapter offers its executed
notebook (``_sources/<page>.ipynb``, written by :func:`copy_executed_notebook`)
and its source.
"""

from pathlib import Path
from shutil import copy2
from urllib.parse import urlparse

ADDRESS_BUTTONS = ("use_repository_button", "use_source_button", "use_issues_button",
                   "use_edit_page_button")


def theme_options(url, branch, options):
    """Return the theme options with the address-dependent buttons on or off."""
    options = dict(options)
    if url:
        options.update(repository_url=url, repository_branch=branch, path_to_docs="")
        options.setdefault("launch_buttons", {"binderhub_url": "https://mybinder.org",
                                              "notebook_interface": "jupyterlab"})
    else:
        for key in ADDRESS_BUTTONS:
            options[key] = False
        options.pop("repository_url", None)
        options["launch_buttons"] = {}
    return options


def colab_url(repository_url, notebook_branch, pagename):
    """Colab's address for the executed notebook of ``pagename`` on ``notebook_branch``."""
    parts = urlparse(repository_url)
    if parts.netloc != "github.com" or not notebook_branch:
        return None
    org_repo = parts.path.strip("/").removesuffix(".git")
    return (f"https://colab.research.google.com/github/{org_repo}/blob/"
            f"{notebook_branch}/_sources/{pagename}.ipynb")


def copy_executed_notebook(app, pagename, templatename, context, doctree):
    """Publish the executed notebook of a chapter next to its source, for download."""
    if app.builder.format != "html":
        return
    executed = Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"
    if not executed.is_file():
        return
    dest = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    dest.parent.mkdir(parents=True, exist_ok=True)
    if not dest.is_file() or dest.read_bytes() != executed.read_bytes():
        copy2(executed, dest)
    context["ipynb_source"] = f"{pagename}.ipynb"


def add_colab_button(app, pagename, templatename, context, doctree):
    url = colab_url(app.config.optbook_repository_url, app.config.optbook_notebook_branch, pagename)
    if not url or not context.get("ipynb_source") or "header_buttons" not in context:
        return
    button = {"type": "link", "text": "Colab", "tooltip": "Launch on Colab",
              "icon": "_static/images/logo_colab.png", "url": url}
    for group in context["header_buttons"]:
        if group.get("label") == "launch-buttons":
            group["buttons"].append(button)
            return
    context["header_buttons"].append({"type": "group", "tooltip": "Launch interactive content",
                                      "icon": "fas fa-rocket", "buttons": [button],
                                      "label": "launch-buttons"})


def setup(app):
    app.add_config_value("optbook_repository_url", "", "html")
    app.add_config_value("optbook_notebook_branch", "", "html")
    # before the theme builds its download menu (priority 500), after its launch buttons
    app.connect("html-page-context", copy_executed_notebook, priority=400)
    app.connect("html-page-context", add_colab_button, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
