"""The inject on screen: channel, sender, audience, title, attachments and the Markdown body."""

from __future__ import annotations

import textwrap
from typing import cast

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from tabletop.core.attachments import listed
from tabletop.core.headers import keep_header_lines
from tabletop.core.timefmt import format_story
from tabletop.session.state import InjectState, SessionState
from tabletop.tui.widgets.fitting import shorten_middle

STATUS_WORDS = {
    "pending": "○ pending",
    "delivered": "● delivered",
    "held": "‖ HELD",
    "skipped": "⊘ skipped",
    "skipped-branch": "⤳ skipped (branch not taken)",
}


def audience_names(state: SessionState, inject_state: InjectState) -> str:
    inject = inject_state.inject
    if inject.to == "all":
        return "all teams"
    teams = state.scenario.team_by_id
    return ", ".join(teams[t].name if t in teams else t for t in inject.to)


STATUS_GLYPHS = {"pending": "○", "delivered": "●", "held": "‖", "skipped": "⊘",
                 "skipped-branch": "⤳"}


def compact_heading(state: SessionState, inject_state: InjectState, width: int) -> Text:
    """The heading for a narrow screen: status and time with the id, the title, and
    channel, sender and audience, each but the title on one line, so that the body
    keeps the room (at 80×24, at least 8 lines of it)."""
    inject = inject_state.inject
    delivery = inject_state.delivery
    moment = (delivery.story_time if delivery is not None and not delivery.undone
              else state.scenario.story_time_of(inject))
    star = " ★" if inject_state.unscripted else ""
    first = Text(f"{STATUS_GLYPHS.get(inject_state.status, '?')}{star} "
                 f"{moment.strftime('%a %H:%M')}  ")
    first.append(inject.id, style="bold")
    route = Text(f"{inject.channel.upper()}", style="reverse")
    route.append(f" {inject.sender} → {audience_names(state, inject_state)}")
    for line in (first, route):
        line.truncate(max(width, 8), overflow="ellipsis")
    title = inject.title
    if len(textwrap.wrap(title, max(width, 8))) > 2:  # two lines at most, cut mid-way
        title = shorten_middle(title, 2 * max(width, 8) - 8)
    return Text("\n").join([first, Text(title, style="bold"), route])


def inject_heading(state: SessionState, inject_state: InjectState) -> Text:
    inject = inject_state.inject
    text = Text()
    text.append(f"{inject.id}  ", style="bold")
    text.append(STATUS_WORDS.get(inject_state.status, inject_state.status))
    if inject_state.unscripted:
        text.append("  ★ unscripted")
    delivery = inject_state.delivery
    if delivery is not None and not delivery.undone:
        text.append(f"  at {format_story(delivery.story_time)}")
    else:
        text.append(f"  story {format_story(state.scenario.story_time_of(inject))}")
    text.append("\n")
    text.append(inject.title, style="bold")
    text.append("\n")
    text.append(f"{inject.channel.upper()}", style="reverse")
    text.append(f"  From: {inject.sender}  →  To: {audience_names(state, inject_state)}")
    return text


def attachment_lines(inject_state: InjectState, *, staff: bool) -> Text:
    """The inject's attachments by name and kind; facilitator-only ones on their own
    line, for staff only. Empty when there are none to show."""
    shown = listed(inject_state.inject, staff=staff)
    text = Text()
    for label, group in (
        ("Attachments", [a for a in shown if not a.facilitator_only]),
        ("Facilitator only", [a for a in shown if a.facilitator_only]),
    ):
        if group:
            text.append(f"\n{label}: ", style="bold")
            text.append(" · ".join(f"{a.name} ({a.kind})" for a in group))
    return text


class InjectView(VerticalScroll):
    DEFAULT_CSS = """
    InjectView { height: 1fr; }
    InjectView #inject-heading { padding: 0 1; background: $boost; }
    InjectView Markdown { margin: 0; padding: 0 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = "Inject"
        self.showing: str | None = None
        self.nothing_yet = "No inject delivered yet. Press n to deliver the first."
        """What the view says before the first delivery (a console that cannot
        deliver says less)."""
        self.latest: str | None = None
        """The inject this console counts as current, when not the exercise's (a
        scribe's: its team's latest)."""
        self.staff = True
        """Lists facilitator-only attachments (a scribe's console does not)."""

    def compose(self) -> ComposeResult:
        # The body (and the Markdown parser it imports) is added when the first
        # inject is shown: a console that opens on no inject has none. It is one
        # Static holding Rich's Markdown, not Textual's Markdown widget, which
        # mounts a widget per block: each delivery then laid the screen out
        # three or four times over, not twice.
        yield Static(self.nothing_yet, id="inject-heading")

    _shown_state: SessionState | None = None

    def _heading(self, state: SessionState, inject_state: InjectState) -> None:
        heading = self.query_one("#inject-heading", Static)
        if self.screen.has_class("-narrow"):
            # The heading's own text width once laid out; before that, the view's less
            # the heading's padding and a scroll bar.
            width = heading.content_region.width or self.scrollable_content_region.width - 3
            heading.update(compact_heading(state, inject_state, width if width > 0 else 25)
                           + attachment_lines(inject_state, staff=self.staff))
        else:
            heading.update(inject_heading(state, inject_state)
                           + attachment_lines(inject_state, staff=self.staff))

    def on_resize(self) -> None:
        """A compact heading is cut to the width: cut it again when that changes."""
        state, shown = self._shown_state, self.showing
        if state is not None and shown in state.injects:
            self._heading(state, state.injects[shown])

    def _body(self) -> Static | None:
        found = self.query("#inject-body")
        return cast("Static", found.first()) if found else None

    def show(self, state: SessionState, inject_id: str | None) -> None:
        heading = self.query_one("#inject-heading", Static)
        body = self._body()
        self.showing = inject_id
        inject_state = state.injects.get(inject_id) if inject_id else None
        if inject_state is None:
            heading.update(self.nothing_yet)
            if body is not None:
                body.update("")
            self.border_title = "Inject"
            return
        current = inject_id == (self.latest or state.current_inject)
        self.border_title = "Current inject" if current else "Viewing (not current)"
        self._shown_state = state
        self._heading(state, inject_state)
        from rich.markdown import Markdown

        text = Markdown(keep_header_lines(inject_state.inject.body) or "*(no text)*")
        if body is None:
            self.mount(Static(text, id="inject-body"))
            self.call_after_refresh(self.on_resize)  # a scroll bar may narrow the heading
        else:
            body.update(text)
        self.scroll_home(animate=False)
