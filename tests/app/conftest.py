"""The app layer's tests: forms and operations on a real session, no terminal."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fakeclock import FakeClock
from scenarios import harbour_drill_loaded

from tabletop.session.session import Session

START_WALL = 1_773_468_000.0  # 2026-03-14 06:00 UTC


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START_WALL)


@pytest.fixture
def session(tmp_path: Path, clock: FakeClock) -> Iterator[Session]:
    s = Session.create(tmp_path / "harbour.db", harbour_drill_loaded(tmp_path), clock=clock)
    yield s
    s.close()
