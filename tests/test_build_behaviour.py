"""How the build behaves: a failing cell fails it; two clean builds agree.

Each check builds a throw-away copy of the book's machinery with one chapter.
"""

import filecmp
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.book


def _throwaway_project(tmp_path, chapter_source, name="book"):
    """A copy of the book's machinery with a single chapter and no gallery example."""
    dest = tmp_path / name
    ignore = shutil.ignore_patterns("_build", ".venv", "gallery_build", "api", ".git",
                                    "chapters", "benchmarks", "tests", "*.egg-info",
                                    "__pycache__", ".pytest_cache", ".hypothesis")
    shutil.copytree(ROOT, dest, ignore=ignore)
    for sub in (dest / "gallery").iterdir():
        if sub.is_dir():
            shutil.rmtree(sub)
    (dest / "chapters").mkdir()
    (dest / "chapters" / "tiny.md").write_text(chapter_source)
    (dest / "index.md").write_text(
        "# Test book\n\n```{toctree}\n:caption: Part\n\nchapters/tiny\n```\n\n"
        "```{toctree}\n:caption: Reference\n\napi/index\nbibliography\n```\n\n"
        "::::{only} html\n```{toctree}\n\ngallery_build/index\n```\n::::\n"
    )
    return dest


CHAPTER_TEMPLATE = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---

# Tiny chapter

```{{code-cell}} ipython3
import optbook
x = {expression}
```
"""


def _sphinx(project):
    env = dict(os.environ, PYTHONPATH=str(project / "src"))
    return subprocess.run(
        # The copy holds one chapter: references to the others (from the package's
        # docstrings, say) cannot resolve there, and are not what these tests check.
        [sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-n",
         "-D", "suppress_warnings=ref.ref,ref.numref,mystnb.unknown_mime_type",
         ".", "_build/html"],
        cwd=project, capture_output=True, text=True, timeout=900, env=env,
    )


def test_failing_cell_fails_the_build_and_names_the_file(tmp_path):
    project = _throwaway_project(tmp_path, CHAPTER_TEMPLATE.format(expression="1 / 0"))
    result = _sphinx(project)
    output = result.stdout + result.stderr
    assert result.returncode != 0, "a failing cell must fail the build"
    assert "chapters/tiny.md" in output, "the error names the chapter"
    assert "ZeroDivisionError" in output, "the error shows the traceback"

    # The same project with a working cell builds: the failure came from the cell.
    (project / "chapters" / "tiny.md").write_text(CHAPTER_TEMPLATE.format(expression="1 / 2"))
    result = _sphinx(project)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_failing_gallery_example_fails_the_build_and_names_it(tmp_path):
    project = _throwaway_project(tmp_path, CHAPTER_TEMPLATE.format(expression="1 / 2"))
    folder = project / "gallery" / "broken"
    folder.mkdir()
    (folder / "GALLERY_HEADER.rst").write_text("Broken\n------\n\nA failing example.\n")
    (folder / "plot_broken.py").write_text(
        '"""\nBroken example\n==============\n\nIt fails.\n"""\n'
        "import optbook\n\nraise RuntimeError('this example is broken')\n"
    )
    result = _sphinx(project)
    output = result.stdout + result.stderr
    assert result.returncode != 0, "a failing example must fail the build"
    assert "plot_broken.py" in output, "the error names the example"
    assert "this example is broken" in output, "the error shows the exception"


def _normalised_html(path):
    """A page's HTML without what legitimately differs between two builds."""
    text = path.read_text()
    text = re.sub(r"\?v=[0-9a-f]+", "", text)  # cache-busting hashes of static files
    return text


def test_two_clean_builds_are_identical(tmp_path):
    """Same sources, two fresh builds: same figures (bit for bit) and same HTML."""
    source = (ROOT / "chapters" / "01_convex_analysis.md").read_text()
    outputs = []
    for name in ("first", "second"):
        project = _throwaway_project(tmp_path, source, name=name)
        result = _sphinx(project)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        outputs.append(project / "_build" / "html")
    first, second = outputs
    images = sorted(p.name for p in (first / "_images").iterdir())
    assert images, "the chapter has figures"
    assert images == sorted(p.name for p in (second / "_images").iterdir())
    match, mismatch, errors = filecmp.cmpfiles(first / "_images", second / "_images", images,
                                               shallow=False)
    assert not mismatch and not errors, f"figures differ between builds: {mismatch + errors}"
    page = Path("chapters") / "tiny.html"
    assert _normalised_html(first / page) == _normalised_html(second / page)
