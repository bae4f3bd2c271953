"""The inject on screen: channel, sender, audience, title and the Markdown body."""

from __future__ import annotations

from typing import cast

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from tabletop.core.headers import keep_header_lines
from tabletop.core.timefmt import format_story
from tabletop.session.state import InjectState, SessionState

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

    def compose(self) -> ComposeResult:
        # The body (and the Markdown parser it imports) is added when the first
        # inject is shown: a console that opens on no inject has none. It is one
        # Static holding Rich's Markdown, not Textual's Markdown widget, which
        # mounts a widget per block: each delivery then laid the screen out
        # three or four times over, not twice.
        yield Static(self.nothing_yet, id="inject-heading")

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
        heading.update(inject_heading(state, inject_state))
        from rich.markdown import Markdown

        text = Markdown(keep_header_lines(inject_state.inject.body) or "*(no text)*")
        if body is None:
            self.mount(Static(text, id="inject-body"))
        else:
            body.update(text)
        self.scroll_home(animate=False)
