"""Execute one notebook, as myst-nb's cache mode does, in a process of its own.

Run by :mod:`optbook_sphinx.preexecute` (``python _execute_notebook.py JOB``):
``JOB`` is a JSON file holding the notebook, the working folder, the timeout
and ``allow_errors``; the executed notebook, the time and the error (if any)
are written back to ``JOB + ".out"``. The kernel inherits this process's
environment, which is the Sphinx process's one (``IPYTHONDIR``...).
"""

import json
import sys
import tempfile
import traceback
from pathlib import Path


def main(job_path):
    import nbformat
    from jupyter_cache.executors.utils import single_nb_execution

    job = json.loads(Path(job_path).read_text(encoding="utf-8"))
    notebook = nbformat.from_dict(job["notebook"])
    result = {"notebook": None, "seconds": None, "error": None, "traceback": None}
    try:
        if job["in_temp"]:
            with tempfile.TemporaryDirectory() as cwd:
                run = single_nb_execution(notebook, cwd=cwd, timeout=job["timeout"],
                                          allow_errors=job["allow_errors"], meta_override=True)
        else:
            run = single_nb_execution(notebook, cwd=job["cwd"], timeout=job["timeout"],
                                      allow_errors=job["allow_errors"], meta_override=True)
    except Exception as error:  # a dead kernel, a missing kernel...: not a cell error
        result.update(error=type(error).__name__, traceback=traceback.format_exc())
    else:
        result["seconds"] = run.time
        if run.err is not None:
            result.update(error=type(run.err).__name__, traceback=run.exc_string)
        else:
            result["notebook"] = run.nb
    Path(job_path + ".out").write_text(json.dumps(result), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1])
