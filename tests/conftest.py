"""Shared fixtures: the repository layout and a throw-away copy of the test workspace."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of tests/fixtures/workspace that a test may edit; cwd is set to it."""
    from tabletop.authoring import library

    target = tmp_path / "ws"
    shutil.copytree(FIXTURES / "workspace", target)
    monkeypatch.chdir(target)
    library._LIBRARIES.clear()  # the library cache is per process; edits must be seen
    return target
