"""Fixtures for the console tests: the harbour drill (``tests/scenarios.py``), a
fixed clock, and a session in tmp_path, so no test depends on the bundled content."""

from __future__ import annotations

import asyncio
import gc
import inspect
from collections.abc import Iterator
from pathlib import Path

import pytest
from fakeclock import FakeClock
from scenarios import harbour_drill as make_scenario
from scenarios import harbour_drill_data as scenario_data
from scenarios import harbour_drill_loaded as loaded_scenario

from tabletop.session.session import Session

__all__ = ["START_WALL", "FakeClock", "kinds", "loaded_scenario", "make_scenario", "scenario_data"]

START_WALL = 1_773_468_000.0  # 2026-03-14 06:00 UTC


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run ``async def`` tests on a fresh event loop (no async plugin needed)."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    names = pyfuncitem._fixtureinfo.argnames
    asyncio.run(pyfuncitem.obj(**{name: pyfuncitem.funcargs[name] for name in names}))
    return True


@pytest.fixture(autouse=True)
def _unfreeze_after_run() -> Iterator[None]:
    """`tabletop run` in-process freezes the heap (gc.freeze); give it back."""
    yield
    gc.unfreeze()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START_WALL)


@pytest.fixture
def session(tmp_path: Path, clock: FakeClock) -> Iterator[Session]:
    s = Session.create(tmp_path / "harbour.db", loaded_scenario(tmp_path), clock=clock)
    yield s
    s.close()


def kinds(session: Session) -> list[str]:
    """The kinds of every event in the journal, read back from disk."""
    return [e.kind for e in session.store.events()]
