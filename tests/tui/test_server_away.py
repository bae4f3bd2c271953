"""A console on a PostgreSQL session whose connections are cut mid-form: the
header says so, the form keeps its text, and what is saved afterwards is saved
once (skipped, saying why, without a server)."""

from __future__ import annotations

from pathlib import Path

from pgserver import server_url, unique_session

from tabletop.session.session import Session
from tabletop.session.store.location import parse_url
from tabletop.tui.console.app import make_app
from tabletop.tui.widgets.header import ExerciseHeader

from .conftest import FakeClock, loaded_scenario
from .helpers import type_text, wait_until


def _cut_connections(url: str, session: Session) -> None:
    """What a dropped network does: the server ends this console's connections."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
            "application_name = 'tabletop' AND pid != pg_backend_pid()"
        )


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
