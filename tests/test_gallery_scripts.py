"""Every gallery script runs stand-alone with ``python``."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GALLERY_SCRIPTS = sorted((ROOT / "gallery").glob("*/plot_*.py"))

pytestmark = pytest.mark.book


def test_there_are_gallery_examples():
    assert len(list((ROOT / "gallery" / "convex_analysis").glob("plot_*.py"))) >= 3


@pytest.mark.parametrize("script", GALLERY_SCRIPTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_gallery_script_runs_standalone(script, tmp_path):
    env = dict(os.environ, MPLBACKEND="Agg")
    result = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
