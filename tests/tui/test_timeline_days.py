"""Timeline rows name the day when the story spans several days."""

from __future__ import annotations

import msgspec

from tabletop.authoring.loading import load_scenario
from tabletop.core.bundled import bundled_dir
from tabletop.session.state import SessionState
from tabletop.tui.widgets.timeline import story_time_format


def test_multi_day_story_shows_the_weekday() -> None:
    scenario = load_scenario(bundled_dir() / "exercises" / "border-tension.yaml").scenario
    assert story_time_format(SessionState(scenario)) == "%a %H:%M"


def test_single_day_story_shows_the_time_only() -> None:
    scenario = load_scenario(bundled_dir() / "exercises" / "border-tension.yaml").scenario
    first_day = scenario.story_start_at.date()
    same_day = msgspec.structs.replace(
        scenario,
        injects=[i for i in scenario.injects if scenario.story_time_of(i).date() == first_day],
    )
    assert story_time_format(SessionState(same_day)) == "%H:%M"
