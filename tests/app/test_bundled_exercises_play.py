"""Every bundled exercise played to the end through the services the console
calls, with every text the console would show built from real content.

The console's own key-driven run of one exercise is in
tests/tui/test_run_command.py; this covers all of them in a second, so a
content change that breaks a view, a form or the report fails here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fakeclock import FakeClock
from markdown_it import MarkdownIt
from rich.console import Console

from tabletop.app import forms
from tabletop.authoring.loading import load_scenario
from tabletop.report.build import build_report_model
from tabletop.report.render import render
from tabletop.session.session import Session
from tabletop.tui.screens.history import history_rows
from tabletop.tui.widgets.decision_log import log_text
from tabletop.tui.widgets.facilitator_panel import facilitator_text
from tabletop.tui.widgets.inject_view import inject_heading
from tabletop.tui.widgets.teams import teams_text

BUNDLED = ("border-tension", "cyber-incident", "disaster-relief")


@pytest.mark.parametrize("exercise", BUNDLED)
def test_bundled_exercise_plays_to_the_end(exercise: str, tmp_path: Path) -> None:
    console = Console(width=100, file=open(Path("/dev/null"), "w"))  # noqa: SIM115
    markdown = MarkdownIt("gfm-like")  # the parser Textual's Markdown widget uses
    clock = FakeClock(1_773_468_000.0)
    with Session.create(tmp_path / "s.db", load_scenario(exercise, tmp_path), clock=clock) as s:
        s.toggle_pause()
        while (event := s.deliver_next()) is not None:
            clock.advance(60)
            inject_id = event.data["inject"]
            shown = s.state.injects[inject_id]
            console.print(inject_heading(s.state, shown))
            console.print(facilitator_text(s.state, inject_id))
            assert markdown.parse(shown.inject.body) is not None
        state = s.state
        assert all(i.status != "pending" for i in state.injects.values())
        team = s.selected_team
        forms.record_decision(s, team, state.current_inject).submit(
            {"text": "We open the line", "option": None, "items": []}
        )
        item = forms.items_to_rate(state, state.current_inject)[0]
        s.rate_item(team, item, "met", "clear")
        forms.hotwash_entry(s).submit({"text": "Calm", "kind": "strength", "objective": None,
                                       "team": None})
        s.end_exercise()
        for text in (log_text(state), teams_text(state, s.selected_team)):
            console.print(text)
        assert len(history_rows(state)) == len(state.history)
        html = render(build_report_model(s), "html", None)
    assert "We open the line" in html
    console.file.close()
