"""The decision log, newest first, with story time and team; corrections flagged.

It shows the newest :data:`SHOWN` decisions, whatever the length of the record:
what a facilitator glances at is the last few, and a log that wrapped and
rendered every decision ever recorded made each save slower than the one
before (seconds per save after a few thousand). The history view and the
report hold every decision.
"""

from __future__ import annotations

from itertools import islice

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from tabletop.core.timefmt import format_story
from tabletop.session.state import DecisionState, SessionState


def decision_line(state: SessionState, decision: DecisionState) -> Text:
    team = state.scenario.team_by_id.get(decision.team)
    text = Text()
    text.append(f"#{decision.number} {format_story(decision.story_time)} ", style="bold")
    text.append(f"{team.name if team else decision.team}", style="underline")
    if decision.option:
        text.append(f"  [{_option_label(state, decision)}]")
    if decision.retracted:
        text.append("  ✗ RETRACTED", style="bold")
    elif decision.corrected:
        text.append("  ✎ corrected")
    text.append("\n  ")
    text.append(decision.text, style="strike dim" if decision.retracted else "")
    if decision.items:
        text.append(f"\n  items: {', '.join(decision.items)}", style="italic")
    return text


def _option_label(state: SessionState, decision: DecisionState) -> str:
    inject = state.scenario.inject_by_id.get(decision.inject or "")
    if inject is not None and inject.decision is not None:
        for option in inject.decision.options:
            if option.id == decision.option:
                return option.label
    return decision.option or ""


SHOWN = 50
"""How many of the newest decisions the log shows."""


def log_text(state: SessionState, teams: tuple[str, ...] = (), *, hint: bool = True) -> Text:
    """The newest decisions; only those of ``teams`` when given (a scribe's table
    sees its own team's, never what other teams decided on injects it never got)."""
    # Decisions are kept in the order they were recorded (by seq): the newest
    # are the last, reached without touching the rest.
    recorded = reversed(state.decisions.values())
    if teams:
        recorded = (d for d in recorded if d.team in teams)
    newest = list(islice(recorded, SHOWN))
    if not newest:
        return Text("No decisions yet."
                    + (" Press d to record one for the selected team." if hint else ""))
    text = Text("\n").join(decision_line(state, d) for d in newest)
    older = (len(state.decisions) if not teams
             else sum(d.team in teams for d in state.decisions.values())) - len(newest)
    if older:
        text.append(
            f"\n\n{older:,} older decision{'s' if older != 1 else ''}: "
            "the history (y) and the report hold them all",
            style="italic dim",
        )
    return text


class DecisionLog(VerticalScroll):
    DEFAULT_CSS = """
    DecisionLog { height: 1fr; }
    DecisionLog > Static { padding: 0 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(Static(id="decision-text"), id=id)
        self.border_title = "Decisions (newest first)"

    hint = True
    """Whether an empty log tells how to record a decision (consoles that can)."""

    def show(self, state: SessionState, teams: tuple[str, ...] = ()) -> None:
        self.query_one("#decision-text", Static).update(log_text(state, teams, hint=self.hint))
