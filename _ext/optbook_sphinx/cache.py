"""Execution-cache keys for chapters and gallery examples.

jupyter-cache keys a notebook on its cells only, and sphinx-gallery an example
on its source only. The book keys both on the package's sources as well: the
cache folder of the chapters is named after a fingerprint of ``src/optbook``
(and of the kernel profile), and the gallery's MD5 files are forgotten when
that fingerprint changes. A prose edit re-executes nothing; a package edit
re-executes what imports the package.
"""

import hashlib
import shutil
from pathlib import Path


def package_fingerprint(root):
    """Hash of every source file of optbook and of the kernel profile under ``root``."""
    root = Path(root)
    digest = hashlib.sha256()
    sources = sorted((root / "src" / "optbook").rglob("*.py"))
    # The kernel profile decides the figure formats: a change must re-execute too.
    sources.append(root / ".ipython" / "profile_default" / "ipython_kernel_config.py")
    for path in sources:
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def prune_caches(cache_root, keep):
    """Remove the cache folders of ``cache_root`` other than ``keep`` (never hit again)."""
    cache_root = Path(cache_root)
    if cache_root.is_dir():
        for old in cache_root.iterdir():
            if old.name != keep:
                shutil.rmtree(old, ignore_errors=True)


def forget_gallery_md5s(stamp, gallery_dir, fingerprint):
    """Delete sphinx-gallery's MD5 files when the package changed since the last build.

    sphinx-gallery runs an example again when its MD5 file is missing. Doing it
    here, rather than with ``run_stale_examples``, keeps the configuration
    constant, so that Sphinx does not rewrite every page later.
    """
    stamp, gallery_dir = Path(stamp), Path(gallery_dir)
    if not stamp.is_file() or stamp.read_text() != fingerprint:
        for md5 in gallery_dir.rglob("*.md5"):
            md5.unlink()
        return True
    return False


def setup_cache(root):
    """Return the cache path (relative to ``root``) and the fingerprint; prune and reset."""
    root = Path(root)
    fingerprint = package_fingerprint(root)
    prune_caches(root / "_build" / ".jupyter_cache", fingerprint)
    forget_gallery_md5s(root / "_build" / ".gallery_package_fingerprint",
                        root / "gallery_build", fingerprint)
    # Relative to the source folder, so that a copy of the project (with its
    # _build) keeps the same configuration and stays up to date.
    return f"_build/.jupyter_cache/{fingerprint}", fingerprint


def _record_gallery_fingerprint(app, exception):
    if exception is None and app.builder.name == "html":
        stamp = Path(app.srcdir) / "_build" / ".gallery_package_fingerprint"
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.write_text(package_fingerprint(app.srcdir))


def setup(app):
    app.connect("build-finished", _record_gallery_fingerprint)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
