"""Timeline rows name the day when the story spans several days, and the date when
it spans more than a week (a weekday would then name two days)."""

from __future__ import annotations

import msgspec
import pytest
from scenarios import harbour_drill_data, scenario
from textual.app import App

from tabletop.authoring.loading import load_scenario
from tabletop.core.bundled import bundled_dir
from tabletop.session.session import Session
from tabletop.session.state import SessionState
from tabletop.tui.console.app import make_app
from tabletop.tui.console.screen import ConsoleScreen
from tabletop.tui.widgets.timeline import Timeline, story_time_format

from .helpers import wait_until


def test_multi_day_story_shows_the_weekday() -> None:
    scenario = load_scenario(bundled_dir() / "exercises" / "border-tension.yaml").scenario
    assert story_time_format(SessionState(scenario)) == "%a %H:%M"  # six days: Tue to Mon


def test_single_day_story_shows_the_time_only() -> None:
    scenario = load_scenario(bundled_dir() / "exercises" / "border-tension.yaml").scenario
    first_day = scenario.story_start_at.date()
    same_day = msgspec.structs.replace(
        scenario,
        injects=[i for i in scenario.injects if scenario.story_time_of(i).date() == first_day],
    )
    assert story_time_format(SessionState(same_day)) == "%H:%M"


def test_a_story_of_more_than_a_week_shows_the_date() -> None:
    scenario = load_scenario(bundled_dir() / "exercises" / "cyber-incident.yaml").scenario
    assert story_time_format(SessionState(scenario)) == "%a %d %b %H:%M"  # 12 to 21 May


@pytest.mark.parametrize(("last", "expected"), [
    ("+6d 17:59", "%a %H:%M"),  # Sat 14 to Fri 20 March: every weekday once
    ("+6d 18:00", "%a %d %b %H:%M"),  # Sat 21 00:00: a second Saturday
    ("+7d 00:00", "%a %d %b %H:%M"),
])
def test_the_date_appears_once_a_weekday_would_repeat(last: str, expected: str) -> None:
    data = harbour_drill_data()  # starts Sat 14 March 06:00 UTC, first inject at 06:10
    data["injects"][-1]["story_time"] = last
    assert story_time_format(SessionState(scenario(data))) == expected


def rows(app: App[None]) -> list[str]:
    timeline = app.screen.query_one(Timeline)
    return ["".join(s.text for s in timeline.render_line(y)).rstrip()
            for y in range(len(timeline.rows))]


async def test_an_unscripted_inject_past_a_week_brings_in_the_date(session: Session) -> None:
    app = make_app(session, where="s.db")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert any("› 06:10 Fire reported at the harbour" in line for line in rows(app))
        session.deliver_next()
        session.record("story_clock_jumped", to="2026-03-22T09:00Z", reason="a week on")
        session.record("unscripted_inject", inject={
            "id": "ferry", "title": "Ferry collision", "channel": "news",
            "from": "Coast Guard", "to": "all", "body": "A ferry hit the quay."})
        console = app.screen
        assert isinstance(console, ConsoleScreen)
        console.refresh_view()  # as a saved form does
        await wait_until(pilot, lambda: any("Ferry" in line for line in rows(app)))
        shown = rows(app)
        assert any("● Sat 14 Mar 06:10 Fire" in line for line in shown), shown
        assert any("▶ Sun 22 Mar 09:00 ★ Ferry collision" in line for line in shown), shown
