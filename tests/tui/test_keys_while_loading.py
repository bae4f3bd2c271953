"""Keys pressed while the console is still loading: kept, applied in order, no crash."""

from __future__ import annotations

from tabletop.session.session import Session
from tabletop.tui.console.app import make_app

from .helpers import wait_until


async def test_keys_before_the_screen_is_ready_are_applied_in_order(session: Session) -> None:
    app = make_app(session, where="s.db")
    screen = app.console_screen
    assert not screen.ready
    # As a terminal delivers them while the screen is composed: before it is mounted.
    assert await app.run_action("deliver_next", screen)
    assert await app.run_action("deliver_next", screen)
    assert session.state.current_inject is None  # kept, not run against missing widgets
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_until(pilot, lambda: session.state.current_inject == "press-call")
        assert [s.inject.id for s in session.state.delivered()] == ["harbour-alarm", "press-call"]
        assert screen.viewing == "press-call"
