"""At 80×24 the inject keeps at least 8 lines of body, and neighbours in the
timeline and the teams panel stay distinguishable (issue 14, item 17)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tabletop.authoring.loading import load_scenario
from tabletop.session.session import Session
from tabletop.tui.console.app import make_app
from tabletop.tui.screens.choice import ChoiceScreen
from tabletop.tui.widgets.teams import TeamsPanel
from tabletop.tui.widgets.timeline import Timeline

from .conftest import START_WALL, FakeClock

BUNDLED = ["border-tension", "cyber-incident", "disaster-relief"]


@pytest.mark.parametrize("exercise", BUNDLED)
async def test_the_body_keeps_eight_lines_at_80_by_24(exercise: str, tmp_path: Path) -> None:
    session = Session.create(tmp_path / "s.db", load_scenario(exercise, tmp_path),
                             clock=FakeClock(START_WALL))
    app = make_app(session, where=f"sessions/{exercise}-20260314T060000Z.db")
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            screen = app.console_screen
            for _ in range(8):
                screen.action_deliver_next()
                await pilot.pause()
                if isinstance(app.screen, ChoiceScreen):
                    await pilot.press("g")
                await pilot.pause()
                view = screen.query_one("#inject")
                body = screen.query_one("#inject-body")
                shown = session.state.current_inject
                assert view.content_region.bottom - body.region.y >= 8, shown
            teams = [line[6:] for line in str(screen.query_one(TeamsPanel).render()).splitlines()]
            assert len(set(teams)) == len(teams) and all(line.strip() for line in teams)
            timeline = screen.query_one(Timeline)
            width = timeline.scrollable_content_region.width
            lines = [timeline.render_line(y).text.rstrip()
                     for y in range(min(len(timeline.rows), timeline.size.height))]
            injects = [line for line in lines if not line.startswith("━")]
            assert all(len(line) <= width for line in lines)
            assert len(set(injects)) == len(injects), injects
    finally:
        session.close()


async def test_the_header_keeps_who_is_at_the_console_whole(tmp_path: Path) -> None:
    from textual.widgets import Static

    from tabletop.session.authors import new_recorder

    from .conftest import loaded_scenario

    path = tmp_path / "sessions" / "harbour-drill-20260314T060000Z-second-day-rerun.db"
    Session.create(path, loaded_scenario(tmp_path), clock=FakeClock(START_WALL)).close()
    evaluator = new_recorder("evaluator", "K. Oswald", ("mfa",))
    session = Session.open(path, clock=FakeClock(START_WALL), recorder=evaluator)
    app = make_app(session, where=str(path))
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            where = str(app.console_screen.query_one("#where", Static).render())
            assert where.endswith("K. Oswald (evaluator) for mfa")
            assert "…" in where and len(where) <= 46  # 60% of the width, less padding
    finally:
        session.close()
