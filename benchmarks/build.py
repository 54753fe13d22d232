"""Measure how long the book takes to build, as its authors experience it.

Run from the repository root with the book's environment::

    .venv/bin/python benchmarks/build.py

The script copies the sources to a temporary folder (so that your own
``_build`` is left alone) and measures, in one run and on the same machine:

1. a cold HTML build (empty caches: every chapter and example executes; the
   chapters in parallel, one worker per core, while the examples run);
2. rebuilds with no change (nothing may execute), three times in a row by
   default (``--no-change N``), since the shorter a build the more it shows
   the machine's noise;
3. a rebuild after editing the prose of one chapter (nothing may execute);
4. a rebuild after editing a leaf module of the package, ``src/optbook/online.py``
   (only what imports ``optbook.online`` executes again: chapter 10 and the
   online-learning examples);
5. the PDF build (from the HTML build's execution cache: nothing executes).

For each step it prints the wall time, how many notebooks were executed and
how many gallery examples ran, and which. ``OPTBOOK_ONLY`` is passed on to
the builds (e.g. ``OPTBOOK_ONLY=01_convex_analysis,10_online_learning,convex_analysis,online_learning``
for a quick check of the script itself); the figures of the README come from
a run without it.
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


LEAF_MODULE = "online.py"


def _example_stamps(project):
    """sphinx-gallery writes an example's MD5 file when (and only when) it ran it."""
    return {p: p.stat().st_mtime_ns for p in (project / "gallery_build").rglob("*.py.md5")}


def run(args, cwd, strict=True):
    # Sphinx, the kernels and the examples import the package from the copy.
    env = dict(os.environ, PYTHONPATH=str(Path(cwd) / "src"))
    before = _example_stamps(Path(cwd))
    start = time.perf_counter()
    result = subprocess.run(args, cwd=cwd, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - start
    log = result.stdout + result.stderr
    if result.returncode != 0 and strict:
        sys.exit(f"build failed: {' '.join(args)}\n{log[-4000:]}")
    # chapters executed by the parallel pool, or (a cache miss left) by myst-nb in the read
    notebooks = re.findall(r"optbook: executed notebook (\S+) in", log)
    notebooks += [Path(p).relative_to(cwd).as_posix() for p in
                  re.findall(r"^(\S+\.(?:md|ipynb)): Executing notebook", log, re.MULTILINE)]
    after = _example_stamps(Path(cwd))
    examples = sorted(p.relative_to(Path(cwd) / "gallery_build").as_posix().removesuffix(".md5")
                      for p, t in after.items() if before.get(p) != t)
    pool = re.search(r"optbook: parallel execution took ([\d.]+) s", log)
    return {"seconds": elapsed, "notebooks": sorted(notebooks), "examples": examples,
            "pool": float(pool.group(1)) if pool else None, "failed": result.returncode != 0}


def edit_prose(project, chapter_stem):
    chapter = project / "chapters" / f"{chapter_stem}.md"
    text = chapter.read_text()
    marker = "## Why this matters in ML\n"
    assert marker in text, f"{chapter} has no '{marker.strip()}' section"
    chapter.write_text(text.replace(marker, marker + "\nA sentence added by the benchmark.\n", 1))


def edit_package(project, module=LEAF_MODULE):
    module = project / "src" / "optbook" / module
    module.write_text(module.read_text() + "\n# edited by the build benchmark\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-pdf", action="store_true", help="skip the PDF build")
    parser.add_argument("--no-change", type=int, default=3, metavar="N",
                        help="how many rebuilds with no change to time (default: %(default)s)")
    parser.add_argument("--prose-chapter", default="01_convex_analysis",
                        help="chapter whose prose step 3 edits (default: %(default)s)")
    parser.add_argument("--module", default=LEAF_MODULE,
                        help="module of src/optbook that step 4 edits (default: %(default)s)")
    args = parser.parse_args()
    only = os.environ.get("OPTBOOK_ONLY")
    # A partial build reports the references to the chapters it leaves out as warnings.
    strict = not only
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "book"
        shutil.copytree(ROOT, project, ignore=IGNORE)
        html = SPHINX + ["-M", "html", ".", "_build"] + OPTS
        rows.append(("cold HTML build", run(html, project, strict)))
        for i in range(args.no_change):
            rows.append((f"no-change rebuild {i + 1}/{args.no_change}", run(html, project, strict)))
        edit_prose(project, args.prose_chapter)
        rows.append(("prose edit in one chapter", run(html, project, strict)))
        edit_package(project, args.module)
        rows.append((f"edit of src/optbook/{args.module}", run(html, project, strict)))
        if not args.no_pdf:
            pdf = SPHINX + ["-M", "latexpdf", ".", "_build"] + OPTS
            rows.append(("PDF build (after HTML)", run(pdf, project, strict)))
    if only:
        print(f"OPTBOOK_ONLY={only} (a partial build: not the book's figures; its builds "
              "report the references to the chapters left out as warnings)")
    width = max(len(r[0]) for r in rows)
    print(f"{'step':<{width}}  {'seconds':>8}  {'notebooks run':>13}  {'examples run':>12}")
    for name, r in rows:
        print(f"{name:<{width}}  {r['seconds']:>8.1f}  {len(r['notebooks']):>13}  "
              f"{len(r['examples']):>12}")
    for name, r in rows:
        if r["notebooks"] or r["examples"]:
            pool = f", parallel chapter execution {r['pool']:.1f} s" if r["pool"] else ""
            print(f"\n{name}{pool}:")
            print("  notebooks: " + (", ".join(r["notebooks"]) or "none"))
            print("  examples:  " + (", ".join(r["examples"]) or "none"))


if __name__ == "__main__":
    main()
