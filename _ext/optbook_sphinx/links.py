"""Repository, source and launch buttons appear only when the book has an address.

``optbook_repository_url`` (``conf.py``, or the environment variable
``OPTBOOK_REPOSITORY_URL``) is the public repository of the book. When it is
empty, the built pages show no repository, source, issue or launch button:
no link leads to an address that does not exist. The download button (the
page's ``.ipynb`` and ``.md``) needs no address and stays.
"""

ADDRESS_BUTTONS = ("use_repository_button", "use_source_button", "use_issues_button",
                   "use_edit_page_button")


def theme_options(url, branch, options):
    """Return the theme options with the address-dependent buttons on or off."""
    options = dict(options)
    if url:
        options.update(repository_url=url, repository_branch=branch, path_to_docs="")
        options.setdefault("launch_buttons", {
            "binderhub_url": "https://mybinder.org",
            "colab_url": "https://colab.research.google.com",
            "notebook_interface": "jupyterlab",
        })
    else:
        for key in ADDRESS_BUTTONS:
            options[key] = False
        options.pop("repository_url", None)
        options["launch_buttons"] = {}
    return options
