"""The play clock across a quit and after ENDEX, as the facilitator sees it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tabletop.cli import main
from tabletop.session.session import Session
from tabletop.tui.console.app import make_app

from .conftest import START_WALL, FakeClock, kinds, loaded_scenario
from .helpers import palette

SIZE = (120, 36)


async def test_quitting_with_the_clock_running_keeps_the_play_time(tmp_path: Path) -> None:
    clock = FakeClock(START_WALL)
    path = tmp_path / "quit.db"
    session = Session.create(path, loaded_scenario(tmp_path), clock=clock)
    app = make_app(session, where="quit.db")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")
        await pilot.press("n")
        clock.advance(600)  # ten minutes of discussion, nothing recorded
        await pilot.press("q")  # no dialog: the plain path quits
    assert app.clock_stopped_at == 600  # what `tabletop run` then says
    with Session.open_readonly(path) as written:
        assert [e.kind for e in written.store.events()][-1] == "clock_paused"

    clock.advance(3600)  # lunch
    again = Session.open(path, clock=clock)
    try:
        assert again.state.paused
        assert again.play_seconds() == 600  # not rolled back to the last delivery
    finally:
        again.close()


async def test_after_endex_space_does_not_restart_the_clock(
    session: Session, clock: FakeClock
) -> None:
    app = make_app(session, where="s.db")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")
        clock.advance(120)
        await palette(pilot, "exercise: end (ENDEX)")
        await pilot.press("y")
        await pilot.pause()
        await pilot.press("space")
        await pilot.pause()
        clock.advance(300)
        assert session.state.paused
        assert session.play_seconds() == 120
        messages = [n.message for n in app._notifications]
        assert any("ENDEX" in m for m in messages), messages
        assert app.is_running
    assert kinds(session).count("clock_resumed") == 1


def test_run_reports_a_console_crash_with_a_failing_exit_code(
    workspace: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tabletop.commands import run as run_command

    async def crash(pilot: Any) -> None:
        def boom() -> None:
            raise RuntimeError("boom")  # an unexpected bug inside the running console

        pilot.app.call_later(boom)

    monkeypatch.setattr(run_command, "_exit_when_ready", crash)
    assert main(["run", "mini", "--session", "s.db", "--headless-smoke"]) == 1
    captured = capsys.readouterr()
    assert "stopped on an error" in captured.err
    assert "Session saved: s.db" in captured.out
    assert "tabletop run mini --session s.db" in captured.out


def test_a_session_folder_that_cannot_be_made_gets_a_clear_message(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workspace / "blocker").write_text("a file, not a folder")
    assert main(["run", "mini", "--session", "blocker/sub/s.db"]) == 1
    err = capsys.readouterr().err
    assert "cannot create the folder" in err and "Errno" not in err
