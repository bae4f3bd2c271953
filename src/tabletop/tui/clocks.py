"""The clock bar: story clock, play clock (PAUSED in words), and pace."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from tabletop.session.state import SessionState
from tabletop.timefmt import format_duration, format_story
from tabletop.tui.pace import Pace, countdown, minutes, pace


def clock_text(state: SessionState, now: float) -> Text:
    """Two lines: the clocks, then the pace against the plan."""
    p = pace(state, now)
    line = Text()
    line.append(" STORY ", style="bold reverse")
    line.append(f" {format_story(state.story_now)}   ", style="bold")
    line.append(" PLAY ", style="bold reverse")
    line.append(f" {format_duration(p.play)}   ", style="bold")
    if state.ended:
        line.append(" ■ ENDEX — exercise ended ", style="bold white on dark_red")
    elif state.paused:
        line.append(" ‖ PAUSED ", style="bold black on yellow")
    else:
        line.append(" ▶ RUNNING ", style="bold black on green")
    line.append("\n")
    line.append_text(pace_text(state, p))
    return line


def pace_text(state: SessionState, p: Pace) -> Text:
    text = Text()
    if p.behind:  # first, so that a narrow screen never cuts it off
        text.append(" ⚠ BEHIND SCHEDULE ", style="bold white on red")
        text.append("  ")
    if p.phase is not None:
        number = state.scenario.phases.index(p.phase.phase) + 1
        style = "bold red" if p.phase.over else ""
        title = p.phase.phase.title
        title = title if len(title) <= 24 else title[:23] + "…"
        text.append(f"Phase {number}/{len(state.scenario.phases)} {title}: ", style="bold")
        text.append(
            f"{minutes(p.phase.actual)} of {minutes(p.phase.planned)} planned", style=style
        )
    if p.next_inject is None:
        text.append("  ·  no inject pending")
    elif p.due_in is None:
        text.append(f"  ·  next {p.next_inject}: no planned minute")
    elif p.due_in >= 0:
        text.append(f"  ·  next {p.next_inject} in {countdown(p.due_in)}")
    else:
        text.append(f"  ·  next {p.next_inject} late by {countdown(p.due_in)}", style="bold")
    return text


class ClockBar(Static):
    DEFAULT_CSS = """
    ClockBar { height: 2; padding: 0 1; background: $boost; }
    """

    def show(self, state: SessionState, now: float) -> None:
        self.update(clock_text(state, now))
