"""Child processes for the tests that need real ones (kill -9, several writers)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import tabletop

SRC = str(Path(tabletop.__file__).resolve().parents[1])


def python(code: str, *args: str) -> subprocess.Popen[str]:
    """Run ``code`` in a new interpreter that imports this checkout's tabletop, with
    its standard output and error piped."""
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
