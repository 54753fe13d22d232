"""Execute the chapters that miss the execution cache in parallel, before the Sphinx read.

sphinx-proof cannot merge parallel reads, so the Sphinx read is serial, and
myst-nb (execution mode ``cache``) executes a chapter that misses the cache
during its read: one chapter after the other. This module finds those chapters
first (at ``builder-inited``, before sphinx-gallery runs the examples), turns
them into notebooks exactly as myst-nb will (same reader, same configuration,
same hidden key cell of :mod:`.cache`), and executes them in a pool of
``optbook_execution_workers`` processes (default: one per core), each running
jupyter-cache's ``single_nb_execution`` with myst-nb's working folder, timeout
and ``allow_errors``; the gallery examples run meanwhile. Before the read
(``env-before-read-docs``) the executed notebooks are added to the
jupyter-cache under the hash myst-nb looks up, so that the read only hits the
cache. A failing chapter fails the build with its traceback and its name.

Cache records that can no longer hit (an older version of a chapter, a chapter
that no longer exists) are removed, so that the cache does not grow.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from sphinx.errors import SphinxError
from sphinx.util import logging

from . import cache as keys

logger = logging.getLogger(__name__)
WORKER = Path(__file__).with_name("_execute_notebook.py")
#: Versions of a chapter kept in the execution cache (the current one and earlier ones).
KEEP_VERSIONS = 3


class NotebookExecutionError(SphinxError):
    category = "Notebook execution failed"


@dataclass
class Job:
    docname: str
    path: Path
    notebook: object
    hashkey: str
    cwd: str
    timeout: int | None
    allow_errors: bool
    in_temp: bool
    raise_on_error: bool
    expected_seconds: float = 0.0
    result: dict = field(default_factory=dict)


# -- Notebooks as myst-nb reads them -----------------------------------------------


def parser_configs(app):
    """The MyST and myst-nb configurations myst-nb builds at ``builder-inited``."""
    from myst_nb.core.config import NbParserConfig
    from myst_parser.config.main import MdParserConfig

    # Built from the configuration as myst-parser and myst-nb do (not taken from the
    # environment, which may hold those of the previous build).
    md = MdParserConfig(**{name: app.config[f"myst_{name}"]
                           for name, _, fld in MdParserConfig().as_triple()
                           if "sphinx" not in fld.metadata.get("omit", [])})
    nb = NbParserConfig(**{name: app.config[f"nb_{name}"]
                           for name, _, fld in NbParserConfig().as_triple()
                           if not fld.metadata.get("sphinx_exclude")})
    return md, nb


def read_as_myst_nb(path, text, md_config, nb_config):
    """The notebook myst-nb's parser builds from ``text`` and its notebook-level config.

    Mirrors ``myst_nb.sphinx_.Parser.parse`` up to the execution client:
    the reader, the kernel-name aliases and the notebook-level overrides.
    Returns ``(None, nb_config)`` when ``text`` is not a notebook.
    """
    import re

    from myst_nb.core.read import create_nb_reader
    from myst_nb.core.nb_to_tokens import nb_node_to_dict

    reader = create_nb_reader(str(path), md_config, nb_config, text)
    if reader is None:
        return None, nb_config
    notebook = reader.read(text)
    kernel_name = notebook.metadata.get("kernelspec", {}).get("name", None)
    if kernel_name is not None and nb_config.kernel_rgx_aliases:
        for rgx, alias in nb_config.kernel_rgx_aliases.items():
            if re.fullmatch(rgx, kernel_name):
                notebook.metadata["kernelspec"]["name"] = alias
                break
    if nb_config.metadata_key in notebook.metadata:
        overrides = nb_node_to_dict(notebook.metadata[nb_config.metadata_key])
        overrides.pop("output_folder", None)
        try:
            nb_config = nb_config.copy(**overrides)
        except Exception:  # myst-nb warns about it during the read
            pass
    return notebook, nb_config


def cache_folder(app, nb_config):
    """The jupyter-cache folder myst-nb uses (its default: next to the output folder)."""
    path = nb_config.execution_cache_path or Path(app.outdir).parent / ".jupyter_cache"
    return Path(path).resolve()


def excluded_from_execution(path, nb_config):
    from pathlib import PurePosixPath

    posix = PurePosixPath(Path(path).as_posix())
    return any(posix.match(p) for p in nb_config.execution_excludepatterns or ())


def chapter_sources(app):
    """``{docname: path}`` of the documents Sphinx will find (exclusions applied)."""
    from sphinx.project import Project

    project = Project(app.srcdir, app.config.source_suffix)
    docnames = project.discover(list(app.config.exclude_patterns) +
                                list(app.config.templates_path),
                                app.config.include_patterns)
    sources = {}
    for docname in sorted(docnames):
        path = Path(project.doc2path(docname, absolute=True))
        if app.config.source_suffix.get(path.suffix) == "myst-nb" or path.suffix == ".md":
            sources[docname] = path
    return sources


def plan(app):
    """Jobs for the chapters that miss the cache, and ``{uri: hashkey}`` of every chapter."""
    from jupyter_cache import get_cache
    from jupyter_cache.cache.db import NbCacheRecord

    md_config, nb_config = parser_configs(app)
    folder = cache_folder(app, nb_config)
    keys.prune_old_cache_folders(folder)
    jcache = get_cache(str(folder))
    package = keys.package_of(app)
    current, jobs = {}, []
    config_signature = _config_signature(md_config, nb_config)
    for docname, path in chapter_sources(app).items():
        if path.suffix != ".md":
            continue  # .ipynb pages are left to myst-nb
        text = path.read_text(encoding=app.config.source_encoding)
        if not keys.is_myst_notebook(text):
            continue
        key = keys.execution_key(app, docname, text)
        source = keys.with_key(text, key)
        signature = f"{keys._sha(source)}:{config_signature}"
        hashkey = package.memo.lookup("jupyter-hash", signature)
        notebook = None
        if hashkey is None:
            notebook, doc_config = _read(path, source, md_config, nb_config)
            if notebook is None:
                continue
            _, hashkey = jcache.create_hashed_notebook(notebook)
            package.memo.put("jupyter-hash", signature, hashkey)
        current[str(path)] = hashkey
        try:
            NbCacheRecord.record_from_hashkey(hashkey, jcache.db)
            continue  # a hit
        except KeyError:
            pass
        if notebook is None:
            notebook, doc_config = _read(path, source, md_config, nb_config)
            if notebook is None:
                continue
        if doc_config.execution_mode != "cache" or excluded_from_execution(path, doc_config):
            continue  # myst-nb does what the notebook asks for
        jobs.append(Job(docname=docname, path=path, notebook=notebook, hashkey=hashkey,
                        cwd=str(path.parent), timeout=doc_config.execution_timeout,
                        allow_errors=doc_config.execution_allow_errors,
                        in_temp=doc_config.execution_in_temp,
                        raise_on_error=doc_config.execution_raise_on_error))
    # longest first (the times of the last executions), so that the pool ends together
    seconds = {}
    for record in jcache.list_cache_records():
        if record.data and record.data.get("execution_seconds"):
            seconds[record.uri] = float(record.data["execution_seconds"])
    for job in jobs:
        job.expected_seconds = seconds.get(str(job.path), 0.0)
    jobs.sort(key=lambda j: (-j.expected_seconds, j.docname))
    return jcache, current, jobs


def _config_signature(md_config, nb_config):
    """What, besides a chapter's text, decides the notebook myst-nb builds and hashes."""
    import jupyter_cache
    import myst_nb

    reading = {"md": md_config, "aliases": nb_config.kernel_rgx_aliases,
               "key": nb_config.metadata_key, "formats": nb_config.custom_formats,
               "versions": (myst_nb.__version__, jupyter_cache.__version__)}
    return keys._sha(json.dumps(_canonical(reading)))


def _canonical(value):
    """A JSON-able form of ``value`` that does not depend on set order (hash seeds)."""
    import dataclasses

    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _canonical(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return [[repr(k), _canonical(v)] for k, v in sorted(value.items(), key=lambda i: repr(i[0]))]
    if isinstance(value, (set, frozenset)):
        return sorted(repr(v) for v in value)
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return getattr(value, "__qualname__", None) or type(value).__qualname__


def _read(path, source, md_config, nb_config):
    try:
        return read_as_myst_nb(path, source, md_config, nb_config)
    except Exception as error:  # myst-nb reports it, with its location, during the read
        logger.info("optbook: cannot read %s as a notebook ahead of the read (%s)", path, error)
        return None, nb_config


def prune(jcache, current, keep=KEEP_VERSIONS):
    """Remove the records that can no longer hit, or hardly; return how many were removed.

    Per chapter, the record of its current version stays, and the most recent
    records of its earlier versions up to ``keep`` in all (so that undoing an
    edit, or checking out another branch and back, executes nothing). Records
    of a chapter that no longer exists go; those of a chapter this build does
    not see (``OPTBOOK_ONLY``) stay.
    """
    hashes = set(current.values())
    by_uri = {}
    for record in jcache.list_cache_records():
        by_uri.setdefault(record.uri, []).append(record)
    doomed = []
    for uri, records in by_uri.items():
        if uri not in current:
            if not Path(uri).is_file():
                doomed += [r for r in records if r.hashkey not in hashes]
            continue
        older = sorted((r for r in records if r.hashkey not in hashes),
                       key=lambda r: r.created, reverse=True)
        doomed += older[max(0, keep - 1):]
    for record in doomed:
        try:
            jcache.remove_cache(record.pk)
        except KeyError:
            from jupyter_cache.cache.db import NbCacheRecord

            NbCacheRecord.remove_records([record.pk], jcache.db)
    return len(doomed)


# -- Execution -------------------------------------------------------------------


def _execute(job, workdir, origin):
    job.result["start"] = time.perf_counter() - origin
    spec = Path(workdir) / (job.docname.replace("/", "__") + ".json")
    spec.write_text(json.dumps({"notebook": job.notebook, "cwd": job.cwd,
                                "timeout": job.timeout, "allow_errors": job.allow_errors,
                                "in_temp": job.in_temp}), encoding="utf-8")
    process = subprocess.run([sys.executable, str(WORKER), str(spec)],
                             capture_output=True, text=True)
    out = Path(str(spec) + ".out")
    if out.is_file():
        job.result.update(json.loads(out.read_text(encoding="utf-8")))
    else:
        job.result.update(notebook=None, seconds=None, error=f"exit status {process.returncode}",
                          traceback=process.stderr[-10000:])
    job.result["end"] = time.perf_counter() - origin
    return job


def workers(app):
    return max(1, app.config.optbook_execution_workers or os.cpu_count() or 1)


def _start(app):
    if app.config.nb_execution_mode != "cache":
        return
    jcache, current, jobs = plan(app)
    state = {"cache": jcache, "current": current, "jobs": jobs, "futures": []}
    app._optbook_preexecution = state
    total = len(current)
    if not jobs:
        logger.info("optbook: all %d notebooks found in the execution cache", total)
        return
    n = min(workers(app), len(jobs))
    logger.info("optbook: executing %d of %d notebooks in %d parallel worker(s): %s",
                len(jobs), total, n, ", ".join(j.docname for j in jobs))
    state["workdir"] = tempfile.TemporaryDirectory(prefix="optbook-execute-")
    state["pool"] = ThreadPoolExecutor(max_workers=n, thread_name_prefix="optbook-execute")
    state["origin"] = time.perf_counter()
    state["futures"] = [state["pool"].submit(_execute, job, state["workdir"].name,
                                             state["origin"]) for job in jobs]


def _finish(app, env, docnames):
    """Wait for the pool, cache what it executed, report failures, prune the cache."""
    from jupyter_cache.base import CacheBundleIn
    from nbformat import from_dict

    state = app.__dict__.pop("_optbook_preexecution", None)
    if state is None:
        return
    jcache, failures = state["cache"], []
    for future in state["futures"]:
        job = future.result()
        result = job.result
        where = f"{job.path.relative_to(app.srcdir).as_posix()}"
        if result.get("notebook") is None:
            failures.append((job, where))
            continue
        record = jcache.cache_notebook_bundle(
            CacheBundleIn(from_dict(result["notebook"]), str(job.path),
                          data={"execution_seconds": result["seconds"]}),
            check_validity=False, overwrite=True)
        logger.info("optbook: executed notebook %s in %.1f s (worker wall time %.1f–%.1f s)",
                    where, result["seconds"], result["start"], result["end"])
        if record.hashkey != job.hashkey:  # would make myst-nb execute it again
            logger.warning("optbook: %s was cached under %s, not %s", where,
                           record.hashkey, job.hashkey, type="optbook", subtype="cache")
    if "pool" in state:
        state["pool"].shutdown()
        state["workdir"].cleanup()
        logger.info("optbook: parallel execution took %.1f s",
                    time.perf_counter() - state["origin"])
    removed = prune(jcache, state["current"])
    if removed:
        logger.info("optbook: removed %d execution-cache record(s) that can no longer hit",
                    removed)
    fatal = [(job, where) for job, where in failures if job.raise_on_error]
    for job, where in failures:
        if not job.raise_on_error:
            logger.warning("optbook: executing %s failed (%s); myst-nb runs it again in the "
                           "read", where, job.result.get("error"), type="optbook",
                           subtype="exec")
    if fatal:
        raise NotebookExecutionError("\n\n".join(
            f"{where}: {job.result.get('error')}\n{job.result.get('traceback') or ''}"
            for job, where in fatal))


def _abandon(app, exception):
    state = app.__dict__.pop("_optbook_preexecution", None)
    if state is not None and "pool" in state:
        state["pool"].shutdown(wait=True, cancel_futures=True)
        state["workdir"].cleanup()


def setup(app):
    app.add_config_value("optbook_execution_workers", 0, "", types=(int,))
    # before myst-nb and sphinx-gallery (priority 500): the examples run meanwhile
    app.connect("builder-inited", _start, priority=450)
    app.connect("env-before-read-docs", _finish, priority=100)
    app.connect("build-finished", _abandon)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
