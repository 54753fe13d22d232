"""The notebook a reader downloads runs in a fresh environment (issue 14).

Every page of ``chapters/`` (chapters, labs, appendices) is offered for download
as its executed notebook, ``_build/html/_sources/chapters/<stem>.ipynb``
(written by ``_ext/optbook_sphinx/links.py``). A reader runs it after

    python -m venv env
    env/bin/python -m pip install <the repository> ipykernel

and nothing else: no book tools (myst-nb, PEPit, numba...), no ``PYTHONPATH``
to the sources, no kernel profile of the build. These tests do exactly that.
One virtual environment is built for the session (``pip install`` of a copy of
the repository, not editable, no extras; pip's cache is reused), its kernel
is registered inside the environment, and every notebook runs there top to
bottom with its outputs cleared, two at a time. A last cell checks that the
kernel is the environment's interpreter and imports the installed package.

Like the other book checks, these read the output of ``make html`` and fail,
not skip, when a page's notebook is missing.
"""

import os
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
DOWNLOADS = HTML / "_sources" / "chapters"
PAGES = sorted(p.stem for p in (ROOT / "chapters").glob("*.md"))
KERNEL = "optbook-fresh"
CELL_TIMEOUT = 600  # seconds, as the build's
PARALLEL = 2  # notebooks run at once (CI has two cores)

# One worker builds the environment once and runs every notebook.
pytestmark = [pytest.mark.book, pytest.mark.xdist_group("fresh_venv")]

# What `pip install <repository>` must not see: the outputs of builds and tests.
_NOT_SOURCES = {".git", ".venv", "_build", "build", "dist", "jupyter_execute",
                "gallery_build", "api", "node_modules", "test-artifacts", ".hypothesis",
                ".pytest_cache", ".ruff_cache"}

# Variables of the build or of the test run that a reader's shell does not have.
_NOT_READERS = ("PYTHON", "IPYTHON", "JUPYTER", "OPTBOOK_", "MPLBACKEND", "VIRTUAL_ENV",
                "PYTEST", "COV_CORE")


def _require(path, command):
    if not path.exists():
        pytest.fail(f"{path.relative_to(ROOT)} is missing: run `{command}` first")


def _copy_repository(dest):
    """Copy the repository without its generated folders.

    ``pip install <repository>`` builds in the source tree: setuptools would
    leave a ``build/`` folder there, and a stale one ships deleted modules.
    """
    def ignore(folder, names):
        top = Path(folder) == ROOT
        return [n for n in names if n == "__pycache__" or n.endswith(".egg-info")
                or (top and n in _NOT_SOURCES)]

    shutil.copytree(ROOT, dest, ignore=ignore)
    return dest


def _reader_env(venv):
    env = {k: v for k, v in os.environ.items() if not k.startswith(_NOT_READERS)}
    env["PATH"] = os.pathsep.join([str(venv / "bin"), env.get("PATH", "")])
    env["VIRTUAL_ENV"] = str(venv)
    return env


@pytest.fixture(scope="session")
def fresh_venv(tmp_path_factory):
    """A virtual environment with the package and ipykernel only, and its kernelspec."""
    base = tmp_path_factory.mktemp("fresh_venv")
    venv = base / "env"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    pip_env = _reader_env(venv) | {"PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    # pip's cache is reused (wheels of the book's own install); --no-compile halves
    # the install's processor time: modules are compiled when a notebook imports them.
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--no-compile",
         str(_copy_repository(base / "repository")), "ipykernel"],
        env=pip_env, capture_output=True, text=True)
    assert install.returncode == 0, f"pip install failed:\n{install.stdout}\n{install.stderr}"
    subprocess.run([str(python), "-m", "ipykernel", "install", "--prefix", str(venv),
                    "--name", KERNEL, "--display-name", "optbook (fresh)"],
                   env=pip_env, check=True, capture_output=True)
    # pytest removes the folder with its old temporary folders (it keeps the last three).
    return {"path": venv, "kernels": venv / "share" / "jupyter" / "kernels"}


def _check_cell(venv):
    """A last cell: the kernel runs the environment's Python and its installed optbook."""
    import nbformat

    return nbformat.v4.new_code_cell(
        "import os, sys\nimport optbook\n"
        f"assert os.path.samefile(sys.prefix, {str(venv)!r}), sys.prefix\n"
        "assert os.path.commonpath([optbook.__file__, sys.prefix]) == sys.prefix, "
        "optbook.__file__\n"
        "print('fresh kernel:', sys.executable, optbook.__file__)")


def _run(notebook, venv, workdir):
    """Run ``notebook`` in the fresh environment; return (error or None, seconds)."""
    import nbformat
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(notebook, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    nb.cells.append(_check_cell(venv["path"]))
    # Only the environment's own kernelspec is visible: never the test run's python3.
    specs = KernelSpecManager(kernel_dirs=[str(venv["kernels"])], ensure_native_kernel=False)
    km = KernelManager(kernel_name=KERNEL, kernel_spec_manager=specs)
    workdir.mkdir(parents=True)
    env = _reader_env(venv["path"])
    env["IPYTHONDIR"] = str(workdir / ".ipython")  # a reader's first IPython session
    client = NotebookClient(nb, km=km, timeout=CELL_TIMEOUT,
                            resources={"metadata": {"path": str(workdir)}})
    start = time.perf_counter()
    try:
        client.execute(env=env)
    except CellExecutionError as error:
        return re.sub(r"\x1b\[[0-9;]*m", "", str(error)), time.perf_counter() - start
    return None, time.perf_counter() - start


@pytest.fixture(scope="session")
def fresh_runs(request, fresh_venv, tmp_path_factory):
    """Start every selected notebook in a pool; each test waits for its own."""
    selected = [item.callspec.params["page"] for item in request.session.items
                if item.originalname == "test_downloaded_notebook_runs_in_a_fresh_venv"]
    existing = [page for page in selected if (DOWNLOADS / f"{page}.ipynb").is_file()]
    # Long chapters first, so that the pool ends together.
    existing.sort(key=lambda page: -(ROOT / "chapters" / f"{page}.md").stat().st_size)
    workdirs = tmp_path_factory.mktemp("fresh_runs")
    pool = ThreadPoolExecutor(max_workers=PARALLEL)
    runs = {page: pool.submit(_run, DOWNLOADS / f"{page}.ipynb", fresh_venv, workdirs / page)
            for page in existing}
    yield runs
    pool.shutdown(wait=True, cancel_futures=True)


@pytest.mark.parametrize("page", PAGES)
def test_downloaded_notebook_runs_in_a_fresh_venv(page, request):
    """`<page>.ipynb` runs top to bottom with only `pip install .` and ipykernel."""
    _require(HTML / "index.html", "make html")
    notebook = DOWNLOADS / f"{page}.ipynb"
    assert notebook.is_file(), f"{notebook.relative_to(ROOT)} was not built"
    error, seconds = request.getfixturevalue("fresh_runs")[page].result()
    request.node.user_properties.append(("seconds", round(seconds, 1)))
    if error:
        pytest.fail(f"{page}.ipynb fails in a fresh environment (pip install . and "
                    f"ipykernel only):\n{error}", pytrace=False)
