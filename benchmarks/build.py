"""Measure how long the book takes to build, as its authors experience it.

Run from the repository root with the book's environment::

    .venv/bin/python benchmarks/build.py

The script copies the sources to a temporary folder (so that your own
``_build`` is left alone) and measures, in one run and on the same machine:

1. a cold HTML build (empty caches: every chapter and example executes);
2. a rebuild with no change;
3. a rebuild after editing the prose of one chapter (nothing may execute);
4. a rebuild after editing one function of ``src/optbook`` (the chapters and
   examples, which all import the package, execute again);
5. the PDF build (from the HTML build's execution cache).

For each step it prints the wall time, how many notebooks were executed and
how many gallery examples ran, read from Sphinx's own log.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPHINX = [sys.executable, "-m", "sphinx"]
OPTS = ["-W", "--keep-going", "-n"]
IGNORE = shutil.ignore_patterns("_build", ".venv", ".git", "gallery_build", "api",
                                "test-artifacts", "*.egg-info", "__pycache__",
                                ".pytest_cache", ".hypothesis", "book_pdf.md")


def run(args, cwd):
    # Sphinx, the kernels and the examples import the package from the copy.
    env = dict(os.environ, PYTHONPATH=str(Path(cwd) / "src"))
    start = time.perf_counter()
    result = subprocess.run(args, cwd=cwd, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - start
    log = result.stdout + result.stderr
    if result.returncode != 0:
        sys.exit(f"build failed: {' '.join(args)}\n{log[-4000:]}")
    executed = len(re.findall(r"Executing notebook", log))
    ran = re.search(r"successfully executed (\d+) out of", log)
    return elapsed, executed, int(ran.group(1)) if ran else 0


def edit_prose(project):
    chapter = project / "chapters" / "01_convex_analysis.md"
    text = chapter.read_text()
    marker = "## Why this matters in ML\n"
    assert marker in text
    chapter.write_text(text.replace(marker, marker + "\nA sentence added by the benchmark.\n", 1))


def edit_package(project):
    module = project / "src" / "optbook" / "prox.py"
    module.write_text(module.read_text() + "\n# edited by the build benchmark\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-pdf", action="store_true", help="skip the PDF build")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "book"
        shutil.copytree(ROOT, project, ignore=IGNORE)
        html = SPHINX + ["-M", "html", ".", "_build"] + OPTS
        rows.append(("cold HTML build", *run(html, project)))
        rows.append(("no-change rebuild", *run(html, project)))
        edit_prose(project)
        rows.append(("prose edit in one chapter", *run(html, project)))
        edit_package(project)
        rows.append(("edit of src/optbook/prox.py", *run(html, project)))
        if not args.no_pdf:
            pdf = SPHINX + ["-M", "latexpdf", ".", "_build"] + OPTS
            rows.append(("PDF build (after HTML)", *run(pdf, project)))
    width = max(len(r[0]) for r in rows)
    print(f"{'step':<{width}}  {'seconds':>8}  {'notebooks run':>13}  {'examples run':>12}")
    for name, seconds, executed, examples in rows:
        print(f"{name:<{width}}  {seconds:>8.1f}  {executed:>13}  {examples:>12}")


if __name__ == "__main__":
    main()
