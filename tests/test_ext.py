"""The book's Sphinx extensions (_ext/optbook_sphinx), each on a tiny input."""

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "_ext"))

from optbook_sphinx import api, cache, checked, links, pdf  # noqa: E402

INDEX = """# Book

```{toctree}
:caption: Part I · Foundations
:numbered: 2

chapters/one
```

```{toctree}
:caption: Part II · Methods
:numbered: 2

chapters/two
chapters/three
```

```{toctree}

chapters/lab1_x
```

```{toctree}
:caption: Appendices
:numbered: 2

chapters/appendix_a
```

::::{only} html
```{toctree}
:caption: Gallery

gallery_build/index
```
::::

```{toctree}
:caption: Reference

checked
api/index
bibliography
```
"""


def test_pdf_root_has_parts_front_matter_labs_appendices_and_back_matter():
    text = pdf.pdf_root(INDEX, "Title")
    order = [r"\frontmatter", "preface", r"\mainmatter", r"\part{Foundations}", "chapters/one",
             r"\part{Methods}", "chapters/two", "chapters/three", "latex\n\\optbookunnumbered\n",
             "chapters/lab1_x", "latex\n\\optbooknumbered\n", r"\appendix", "chapters/appendix_a",
             "api/index", r"\backmatter", "bibliography"]
    positions = [text.index(item) for item in order]
    assert positions == sorted(positions)
    assert "gallery_build" not in text  # HTML only
    assert ":numbered:" not in text     # numbers come from index.md
    assert "checked" not in text        # the index of checked results is HTML only


def test_theme_options_without_address_show_no_address_button():
    options = links.theme_options("", "main", {"use_repository_button": True,
                                               "use_source_button": True,
                                               "use_download_button": True})
    assert not options["use_repository_button"] and not options["use_source_button"]
    assert options["launch_buttons"] == {} and "repository_url" not in options
    assert options["use_download_button"]


def test_theme_options_with_address():
    options = links.theme_options("https://example.org/book", "main", {})
    assert options["repository_url"] == "https://example.org/book"
    assert options["launch_buttons"]["binderhub_url"] == "https://mybinder.org"
    assert "colab_url" not in options["launch_buttons"]  # Colab cannot read MyST text files


def test_colab_opens_the_executed_notebook_of_the_published_site():
    url = links.colab_url("https://github.com/owner/book", "gh-pages", "chapters/03_acceleration")
    assert url == ("https://colab.research.google.com/github/owner/book/blob/gh-pages/"
                   "_sources/chapters/03_acceleration.ipynb")
    assert links.colab_url("https://github.com/owner/book", "", "chapters/x") is None
    assert links.colab_url("", "gh-pages", "chapters/x") is None


def test_package_fingerprint_follows_the_sources(tmp_path):
    (tmp_path / "src" / "optbook").mkdir(parents=True)
    (tmp_path / ".ipython" / "profile_default").mkdir(parents=True)
    (tmp_path / ".ipython" / "profile_default" / "ipython_kernel_config.py").write_text("")
    module = tmp_path / "src" / "optbook" / "a.py"
    module.write_text("x = 1\n")
    first = cache.package_fingerprint(tmp_path)
    assert cache.package_fingerprint(tmp_path) == first
    module.write_text("x = 2\n")
    assert cache.package_fingerprint(tmp_path) != first


def test_gallery_md5s_are_forgotten_when_the_package_changes(tmp_path):
    md5 = tmp_path / "gallery_build" / "topic" / "plot_a.py.md5"
    md5.parent.mkdir(parents=True)
    md5.write_text("abc")
    stamp = tmp_path / "stamp"
    stamp.write_text("old")
    assert not cache.forget_gallery_md5s(stamp, tmp_path / "gallery_build", "old")
    assert md5.exists()
    assert cache.forget_gallery_md5s(stamp, tmp_path / "gallery_build", "new")
    assert not md5.exists()


def test_api_page_lists_every_public_name():
    import optbook.prox as prox

    page = api.module_page("optbook.prox", "Proximal operators")
    for name in prox.__all__:
        assert f"optbook.prox.{name}" in page


def test_api_page_of_a_subpackage_lists_its_reexported_names():
    """optbook.autodiff is a package (engine, ops, transforms): one page, every public name."""
    import optbook.autodiff as ad

    page = api.module_page("optbook.autodiff", "Automatic differentiation")
    for name in ad.__all__:
        kind = "autoclass" if isinstance(getattr(ad, name), type) else "autofunction"
        assert f".. {kind}:: optbook.autodiff.{name}\n" in page
        assert f".. minigallery:: optbook.autodiff.{name}\n" in page
    assert "optbook.autodiff.engine" not in page  # documented where users import them


def test_api_pages_include_packages_and_skip_missing_modules(tmp_path):
    (tmp_path / "src" / "optbook" / "autodiff").mkdir(parents=True)
    (tmp_path / "src" / "optbook" / "autodiff" / "__init__.py").write_text("")
    (tmp_path / "src" / "optbook" / "prox.py").write_text("")
    entries = api.generate_api_pages(tmp_path, [("prox", "Prox"), ("autodiff", "AD"),
                                                ("missing", "Not written yet")])
    assert entries == ["generated/prox", "generated/autodiff"]
    assert (tmp_path / "api" / "generated" / "autodiff.rst").is_file()
    assert "generated/missing" not in (tmp_path / "api" / "index.rst").read_text()


RST_CHAPTER = """{title}
{bar}

.. _fig-{name}:

.. figure:: /img.png

   A caption.

Section
-------

Text.
"""


@pytest.fixture(scope="module")
def tiny_book(tmp_path_factory):
    """A three-part book built with the numbering extension (rst, no notebooks)."""
    from sphinx.application import Sphinx

    src = tmp_path_factory.mktemp("book")
    (src / "img.png").write_bytes(b"")
    (src / "conf.py").write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(ROOT / '_ext')!r})\n"
        "extensions = ['optbook_sphinx.numbering']\n"
        "numfig = True\nnumfig_secnum_depth = 1\n"
    )
    (src / "chapters").mkdir()
    for name in ("one", "two", "three", "lab", "appendix_a"):
        title = name.capitalize()
        (src / "chapters" / f"{name}.rst").write_text(
            RST_CHAPTER.format(title=title, bar="=" * len(title), name=name))
    (src / "index.rst").write_text(
        "Book\n====\n\n"
        ".. toctree::\n   :caption: Part I\n   :numbered: 2\n\n   chapters/one\n\n"
        ".. toctree::\n   :caption: Part II\n   :numbered: 2\n\n   chapters/two\n   chapters/three\n\n"
        ".. toctree::\n\n   chapters/lab\n\n"
        ".. toctree::\n   :caption: Appendices\n   :numbered: 2\n\n   chapters/appendix_a\n"
    )
    out = src / "_build"
    app = Sphinx(str(src), str(src), str(out), str(out / ".doctrees"), "html",
                 status=None, warning=None, freshenv=True)
    app.build()
    return app


def test_chapter_numbers_run_on_across_parts(tiny_book):
    numbers = tiny_book.env.toc_secnumbers
    assert numbers["chapters/one"][""] == (1,)
    assert numbers["chapters/two"][""] == (2,)
    assert numbers["chapters/three"][""] == (3,)
    assert numbers["chapters/three"]["#section"] == (3, 1)
    assert numbers["chapters/appendix_a"][""] == ("A",)
    assert "chapters/lab" not in numbers or not numbers["chapters/lab"].get("")


def test_figures_are_numbered_per_chapter(tiny_book):
    figures = tiny_book.env.toc_fignumbers
    assert figures["chapters/three"]["figure"] and list(figures["chapters/three"]["figure"].values()) == [(3, 1)]
    assert list(figures["chapters/appendix_a"]["figure"].values()) == [("A", 1)]


def test_html_opens_chapters_with_their_number(tiny_book):
    html = (Path(tiny_book.outdir) / "chapters" / "three.html").read_text()
    assert '<span class="chapter-label">Chapter 3</span>' in html
    html = (Path(tiny_book.outdir) / "chapters" / "appendix_a.html").read_text()
    assert '<span class="chapter-label">Appendix A</span>' in html


CHAPTER_WITH_RATE = """(chap-x)=
# X

:::{prf:theorem} A rate
:label: thm-x-rate
:class: rate

Text.
:::

:::{prf:theorem} Not a rate
:label: thm-x-other

Text.
:::

:::{prf:algorithm} Method
:label: alg-x

Steps.
:::

The implementation is {py:func}`optbook.first_order.fista`.
"""


def test_index_of_checked_results(tmp_path):
    (tmp_path / "chapters").mkdir()
    chapter = tmp_path / "chapters" / "x.md"
    chapter.write_text(CHAPTER_WITH_RATE)
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_theorems_x.py").write_text(
        'def test_rate():\n    """thm-x-rate: the bound."""\n\n\n'
        'def test_thm_x_rate_longer():\n    pass\n\n\ndef test_fista():\n    fista\n')
    (tmp_path / "gallery" / "topic").mkdir(parents=True)
    (tmp_path / "gallery" / "topic" / "plot_f.py").write_text("optbook.fista\n")
    assert checked.rate_theorems([chapter]) == {"thm-x-rate": ("x", "A rate")}
    assert checked.algorithms([chapter]) == [("alg-x", "x", "Method", "optbook.first_order.fista")]
    page = checked.index_page(tmp_path, [chapter])
    assert "{prf:ref}`thm-x-rate`" in page and "thm-x-other" not in page
    assert ":pyobject: test_rate" in page
    assert "test_thm_x_rate_longer" not in page  # a longer label is another label
    assert "{py:obj}`optbook.first_order.fista`" in page
    assert "`test_theorems_x.py`" in page and "/gallery_build/topic/plot_f" in page
