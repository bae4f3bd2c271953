"""The clock bar: story clock, play clock (PAUSED in words), and pace."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from tabletop.core.timefmt import format_duration, format_story
from tabletop.session.state import SessionState
from tabletop.tui.widgets.pace import Pace, countdown, minutes, pace


def clock_text(
    state: SessionState,
    now: float,
    *,
    compact: bool = False,
    plan: bool = True,
    away: bool = False,
) -> Text:
    """Two lines: the clocks, then the pace against the plan (``compact`` for 80
    columns). Without ``plan`` (a scribe's console, beside the players) the second
    line names the phase only: never the next inject, nor how far behind play is."""
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
    elif away:  # running by the record, but nobody steers: stopped where last seen
        line.append(" ‖ STOPPED: no facilitator console ", style="bold black on yellow")
    else:
        line.append(" ▶ RUNNING ", style="bold black on green")
    line.append("\n")
    line.append_text(pace_text(state, p, compact=compact, plan=plan))
    return line


def pace_text(state: SessionState, p: Pace, *, compact: bool = False, plan: bool = True) -> Text:
    """The pace line; ``compact`` leaves out the phase title, so that the time to
    the next inject still fits on a narrow screen."""
    text = Text()
    gap = " · " if compact else "  ·  "
    if p.behind and plan and not state.ended:  # first, so that a narrow screen never cuts it
        text.append(" ⚠ BEHIND SCHEDULE ", style="bold white on red")
        text.append("  ")
    if p.phase is not None:
        number = state.scenario.phases.index(p.phase.phase) + 1
        style = "bold red" if p.phase.over else ""
        title = p.phase.phase.title
        title = title if len(title) <= 24 else title[:23] + "…"
        if compact:
            text.append(f"Phase {number}/{len(state.scenario.phases)}: ", style="bold")
            text.append(f"{minutes(p.phase.actual)}/{minutes(p.phase.planned)}", style=style)
        else:
            text.append(f"Phase {number}/{len(state.scenario.phases)} {title}: ", style="bold")
            text.append(
                f"{minutes(p.phase.actual)} of {minutes(p.phase.planned)} planned", style=style
            )
    if not plan:
        return text
    if state.ended:  # after ENDEX nothing is due, whatever is left on the timeline
        text.append(f"{gap}nothing more due")
    elif p.next_inject is None:
        text.append(f"{gap}no inject pending")
    elif p.due_in is None:
        text.append(f"{gap}next {p.next_inject}: no planned minute")
    elif compact:  # the time first: a long inject id may be cut, the time must not
        due = f"in {countdown(p.due_in)}" if p.due_in >= 0 else f"late by {countdown(p.due_in)}"
        text.append(f"{gap}next {due}: {p.next_inject}", style="" if p.due_in >= 0 else "bold")
    elif p.due_in >= 0:
        text.append(f"{gap}next {p.next_inject} in {countdown(p.due_in)}")
    else:
        text.append(f"{gap}next {p.next_inject} late by {countdown(p.due_in)}", style="bold")
    return text


class ClockBar(Static):
    DEFAULT_CSS = """
    ClockBar {
        height: 2; padding: 0 1; background: $boost;
        text-wrap: nowrap; text-overflow: ellipsis;  /* one line each, cut at the end */
    }
    """

    _shown: tuple[SessionState, float] | None = None
    plan = True
    """Whether the pace against the plan (the next inject) is shown."""
    away = False
    """Whether the facilitator's console is gone (the clock stands still)."""

    def show(self, state: SessionState, now: float) -> None:
        self._shown = (state, now)
        text = clock_text(state, now, plan=self.plan, away=self.away)
        width = self.content_size.width
        if width and any(line.cell_len > width for line in text.split()):
            text = clock_text(state, now, compact=True, plan=self.plan, away=self.away)
        # Two lines across the width whatever they say: the text never changes
        # the layout, so the screen is not laid out again (every second, too).
        self.update(text, layout=False)

    def on_resize(self) -> None:
        # The width decides between the full and the compact pace line.
        if self._shown is not None:
            self.show(*self._shown)
