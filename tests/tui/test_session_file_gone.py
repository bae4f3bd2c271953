"""A session file removed under a running console: noticed, said, and a copy offered."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from tabletop.session.session import Session
from tabletop.tui.console.app import make_app
from tabletop.tui.screens.form import FormScreen


async def test_a_removed_file_is_noticed_and_a_copy_saved(
    session: Session, tmp_path: Path
) -> None:
    app = make_app(session, where="harbour.db")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await pilot.pause()
        held = len(session.state.history)
        (tmp_path / "harbour.db").unlink()
        await pilot.press("n")
        await pilot.pause()
        assert len(session.state.history) == held  # nothing acknowledged
        assert isinstance(app.screen, FormScreen)  # the copy is offered at once
        app.screen.query_one(Input).value = str(tmp_path / "rescued.db")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, FormScreen)
    with Session.open_readonly(tmp_path / "rescued.db") as rescued:
        assert len(rescued.state.history) == held
