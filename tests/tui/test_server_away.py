"""A console on a PostgreSQL session whose connections are cut mid-form: the
header says so, the form keeps its text, and what is saved afterwards is saved
once (skipped, saying why, without a server)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pgserver import cut, server_url, unique_session

from tabletop.session.session import Session
from tabletop.session.store.location import parse_url
from tabletop.tui.console.app import make_app
from tabletop.tui.widgets.header import ExerciseHeader

from .conftest import FakeClock, loaded_scenario
from .helpers import type_text, wait_until


def _cut_connections(url: str, session: Session) -> None:
    """What a dropped network does: the server ends every connection to this test's
    session (its consoles' writers and listeners alike)."""
    cut(url, "application_name = %s", session.store.name)


async def test_a_form_survives_the_server_going_away(tmp_path: Path, clock: FakeClock) -> None:
    url = server_url()
    session = Session.create(parse_url(unique_session(url)), loaded_scenario(tmp_path),
                             clock=clock)
    session.record("clock_resumed")
    session.deliver(session.scenario.injects[0].id)
    said: list[str] = []
    app = make_app(session, where=session.location)
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            header = app.console_screen.query_one(ExerciseHeader)
            where = header.query_one("#where")
            original = header.show_connection  # note every state the header shows

            def noted(trouble: str | None) -> None:
                said.append(trouble or "")
                original(trouble)

            header.show_connection = noted  # type: ignore[method-assign]
            await pilot.press("d")
            await type_text(pilot, "Hold the ferry at the quay")
            form = app.screen
            _cut_connections(url, session)
            await wait_until(pilot, lambda: any("reconnecting" in s for s in said))
            await wait_until(pilot, lambda: said[-1] == "")  # back
            assert not where.has_class("-lost")
            assert app.screen is form  # the half-typed form is still open
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: app.screen is app.console_screen)
    finally:
        session.close()
    with Session.open_readonly(parse_url(session.location)) as reader:
        texts = [e.data.get("text") for e in reader.state.history if e.kind == "decision_recorded"]
    assert texts == ["Hold the ferry at the quay"]


async def test_a_console_outlives_a_server_that_is_away(tmp_path: Path) -> None:
    """The evaluator's console while its server cannot be reached at all: it keeps
    running (its clock, its screen), says so in the header, and comes back. On the
    real clock: the console asks after the facilitator once a second."""
    import time

    from tabletop.session.authors import new_recorder

    clock = time.time
    url = server_url()
    place = parse_url(unique_session(url))
    facilitator = Session.create(place, loaded_scenario(tmp_path), clock=clock)
    facilitator.record("clock_resumed")
    evaluator = Session.open(place, clock=clock, recorder=new_recorder("evaluator", "K. O"))
    app = make_app(evaluator, where="here")
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            screen = app.console_screen
            header = screen.query_one(ExerciseHeader).query_one("#where")
            follower = screen._follower
            store = evaluator.store
            away = parse_url(f"postgresql:///x?host={tmp_path}&session=gone")
            real = store.where  # type: ignore[attr-defined]
            store.where = away  # type: ignore[attr-defined]
            follower._where = away  # type: ignore[union-attr]
            _cut_connections(url, evaluator)
            await wait_until(pilot, lambda: header.has_class("-lost"))
            await pilot.pause(2.5)  # ticks and heartbeats while away: no crash
            assert app.is_running and app.screen is screen
            store.where = real  # type: ignore[attr-defined]
            follower._where = real  # type: ignore[union-attr]
            await wait_until(pilot, lambda: not header.has_class("-lost"), timeout=15)
            facilitator.record("note_added", text="after the outage")
            await wait_until(pilot, lambda: any(
                e.kind == "note_added" for e in evaluator.state.history))
    finally:
        evaluator.close()
        facilitator.close()


async def test_a_facilitator_takes_its_lock_back_as_soon_as_the_server_is(
    tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cut connection drops the facilitator's lock with it; the console takes it
    back as soon as its follower is back (the wake-up after reconnecting reads, on
    a new connection that takes the lock), not at its next heartbeat or keystroke
    (none comes here)."""
    from tabletop.session.store.stores import writer_of
    from tabletop.tui.console import screen as console_screen

    monkeypatch.setattr(console_screen, "HEARTBEAT_EVERY", 1e9)
    url = server_url()
    place = parse_url(unique_session(url))
    session = Session.create(place, loaded_scenario(tmp_path), clock=clock)
    store: Any = session.store
    app = make_app(session, where="here")
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            before = store._conn.info.backend_pid
            _cut_connections(url, session)

            def reconnected() -> bool:
                conn = store._conn
                return (conn is not None and not conn.closed
                        and conn.info.backend_pid != before and writer_of(place) is not None)

            await wait_until(pilot, reconnected)
    finally:
        session.close()
