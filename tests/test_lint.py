"""The code passes ruff with the project's settings (pyproject.toml), so style holds across changes."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO


def test_ruff_finds_nothing():
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed (pip install '.[test]')")
    done = subprocess.run(
        [ruff, "check", "--no-cache", "dlanki", "tests", "bench", "tools"], cwd=REPO, check=False, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
