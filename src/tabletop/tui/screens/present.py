"""The participant view, for a projector or a team's screen.

Shows only what participants may see: the title and marking, the story clock,
the current phase with its narrative and discussion questions, and the injects
delivered. Without a team that is what went to everyone: a room's projector must
never show one table what was sent to another (``show_all`` is the facilitator's
second screen). With a team, it is what that team received, and its briefing.
Facilitator notes, expected actions, decision options, facilitator-only
attachments and ratings never appear here. Attachments are named, never opened.
It follows the session read-only, and says when the facilitator's console has
gone.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import PurePosixPath

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Markdown, Static

from tabletop.core.attachments import handed_out
from tabletop.core.headers import keep_header_lines
from tabletop.core.timefmt import format_story
from tabletop.session.session import Session
from tabletop.session.state import InjectState, SessionState
from tabletop.tui.following import Followed, StoreReach
from tabletop.tui.widgets.header import MarkingBar
from tabletop.tui.widgets.inject_view import audience_names


def situation_text(
    state: SessionState,
    team_name: str | None,
    *,
    facilitator_gone: float | None = None,
    elsewhere: int = 0,
) -> Text:
    """The situation line and the phase's questions. ``facilitator_gone`` is when the
    facilitator's console was last seen, if it has gone; ``elsewhere`` counts the
    deliveries this screen does not show (they went to single teams)."""
    text = Text()
    text.append(" STORY CLOCK ", style="bold reverse")
    text.append(f"  {format_story(state.story_now)}", style="bold")
    if state.ended:
        text.append("     ■ ENDEX: the exercise has ended", style="bold")
    elif facilitator_gone is not None:
        since = datetime.fromtimestamp(facilitator_gone).strftime("%H:%M")
        text.append(f"     ⚠ CONSOLE NOT CONNECTED since {since}", style="bold reverse")
    elif state.paused:
        text.append("     ‖ PAUSED", style="bold")
    if team_name:
        text.append(f"     Team: {team_name}", style="bold")
    if elsewhere:
        plural = "s" if elsewhere != 1 else ""
        text.append(f"\n{elsewhere} message{plural} delivered to individual teams", style="italic")
    phase = state.scenario.phase_by_id.get(state.current_phase or "")
    if phase is not None:
        text.append(f"\n{phase.title}\n", style="bold underline")
        for question in phase.questions:
            text.append(f"  ? {question}\n")
    return text


def shown_on(state: SessionState, team: str | None, show_all: bool) -> list[InjectState]:
    """The delivered injects a screen shows: everything (``show_all``), a team's, or,
    on the room's projector, only what went to everyone."""
    if show_all:
        return state.delivered()
    if team is not None:
        return state.delivered_to((team,))
    return [s for s in state.delivered() if s.inject.to == "all"]


def inject_card_heading(state: SessionState, inject_state: InjectState) -> Text:
    inject = inject_state.inject
    delivery = inject_state.delivery
    when = format_story(delivery.story_time) if delivery else ""
    text = Text()
    text.append(f" {inject.channel.upper()} ", style="bold reverse")
    text.append(f"  {when}   From: {inject.sender}   To: {audience_names(state, inject_state)}")
    text.append(f"\n{inject.title}", style="bold")
    return text


class InjectCard(Vertical):
    DEFAULT_CSS = """
    InjectCard { height: auto; border: heavy $foreground; padding: 0 1; margin-bottom: 1; }
    InjectCard.-latest { border: double $foreground; }
    InjectCard Markdown { margin: 0; padding: 0; background: black; color: white; }
    InjectCard MarkdownBlock { background: black; color: white; }
    InjectCard MarkdownHeader { color: white; background: black; text-style: bold underline;
                                margin: 0; }
    """

    def __init__(self, state: SessionState, inject_state: InjectState) -> None:
        super().__init__()
        self.state = state
        self.inject_state = inject_state

    def compose(self) -> ComposeResult:
        yield Static(inject_card_heading(self.state, self.inject_state))
        yield Markdown(keep_header_lines(self.inject_state.inject.body))
        names = [PurePosixPath(p).name for p in handed_out(self.inject_state.inject)]
        if names:  # facilitator-only files are never named here
            yield Static(Text(f"Attachments: {', '.join(names)}"), classes="attachments")


class BriefingCard(Vertical):
    """A team's briefing: what it knows at the start, under the injects it received."""

    DEFAULT_CSS = """
    BriefingCard { height: auto; border: heavy $foreground; padding: 0 1; margin-bottom: 1; }
    BriefingCard Markdown { margin: 0; padding: 0; background: black; color: white; }
    BriefingCard MarkdownBlock { background: black; color: white; }
    """

    def __init__(self, team_name: str, briefing: str) -> None:
        super().__init__()
        self.border_title = f"BRIEFING: {team_name}"
        self.briefing = briefing

    def compose(self) -> ComposeResult:
        yield Markdown(self.briefing)


class PresentScreen(Screen[None]):
    DEFAULT_CSS = """
    PresentScreen { background: black; color: white; }
    PresentScreen #exercise-title {
        height: auto; text-style: bold; padding: 0 2; content-align: center middle;
    }
    PresentScreen #situation { height: auto; padding: 0 2; }
    PresentScreen #narrative {
        height: auto; max-height: 25%; padding: 0 2; background: black; color: white;
        border-bottom: heavy white;
    }
    PresentScreen #narrative MarkdownBlock { background: black; color: white; }
    PresentScreen #feed { padding: 1 2; }
    PresentScreen #empty { padding: 1 2; text-style: bold; }
    """

    def __init__(
        self, session: Session, *, team: str | None, poll: float, show_all: bool = False
    ) -> None:
        super().__init__()
        self.session = session
        self.team = team
        self.poll = poll
        self.show_all = show_all
        self.shown: list[tuple[int, str]] | None = None
        """(delivery seq, inject id) of the cards on screen, newest first."""
        self.narrated: str | None = None
        """The phase whose narrative is on screen."""

    @property
    def state(self) -> SessionState:
        return self.session.state

    def compose(self) -> ComposeResult:
        scenario = self.session.scenario
        yield MarkingBar(scenario.marking)
        yield Static(scenario.title, id="exercise-title", markup=False)
        yield Static(id="situation")
        yield Markdown(id="narrative")
        yield VerticalScroll(id="feed")
        yield MarkingBar(scenario.marking)

    def on_mount(self) -> None:
        self.redraw()
        # A wake-up on every commit elsewhere, within a frame or two; the slow
        # timer is a safety net (and redraws the situation's clock).
        self._follower = self.session.store.follower(self._wake, self._reach)
        self._follower.start()
        self.set_interval(self.poll, self.follow)

    def _wake(self) -> None:
        self.post_message(Followed())

    def on_followed(self, message: Followed) -> None:
        self.follow()

    def _reach(self, trouble: str | None) -> None:
        self.post_message(StoreReach(trouble))

    def on_store_reach(self, message: StoreReach) -> None:
        """Say on the projector that it may be behind while the server is away."""
        if message.trouble is not None:
            self.notify("Reconnecting to the session's server: this screen may be behind.",
                        severity="warning", timeout=10, markup=False)
        else:
            self.notify("Reconnected.", timeout=3, markup=False)

    def on_unmount(self) -> None:
        self._follower.stop()

    def follow(self) -> None:
        try:
            self.session.refresh()
        except Exception as exc:  # the writer may be mid-checkpoint; try again next tick
            self.notify(str(exc), severity="warning", timeout=self.poll * 2, markup=False)
            return
        self.redraw()  # also on no news: the facilitator's console may have gone

    def _visible(self) -> list[InjectState]:
        visible = shown_on(self.state, self.team, self.show_all)
        return sorted(visible, key=lambda s: s.delivery.seq if s.delivery else 0, reverse=True)

    def _situation(self) -> Text:
        team = self.state.scenario.team_by_id.get(self.team or "")
        gone = self.session.facilitator_gone_since()
        elsewhere = 0
        if self.team is None and not self.show_all:
            elsewhere = sum(1 for s in self.state.delivered() if s.inject.to != "all")
        return situation_text(self.state, team.name if team else None,
                              facilitator_gone=gone, elsewhere=elsewhere)

    def _narrate(self) -> None:
        phase_id = self.state.current_phase
        if phase_id == self.narrated:
            return
        self.narrated = phase_id
        phase = self.state.scenario.phase_by_id.get(phase_id or "")
        narrative = self.query_one("#narrative", Markdown)
        narrative.display = bool(phase and phase.narrative.strip())
        narrative.update(phase.narrative if phase else "")

    def redraw(self) -> None:
        self.query_one("#situation", Static).update(self._situation())
        self._narrate()
        visible = self._visible()
        wanted = [(s.delivery.seq if s.delivery else 0, s.inject.id) for s in visible]
        if wanted == self.shown:
            return
        feed = self.query_one("#feed", VerticalScroll)
        for old in feed.query(InjectCard):
            old.remove_class("-latest")
            old.border_title = None
        fresh = wanted[: len(wanted) - len(self.shown or [])]
        if self.shown and wanted[len(fresh) :] == self.shown:
            # Only new deliveries: add their cards on top, leave the rest alone.
            new_cards = [InjectCard(self.state, s) for s in visible[: len(fresh)]]
            _mark_latest(new_cards[0])
            for empty in feed.query("#empty"):
                empty.remove()
            feed.mount_all(new_cards, before=0)
        else:
            feed.remove_children()
            cards: list[Vertical] = [InjectCard(self.state, s) for s in visible]
            if cards:
                _mark_latest(cards[0])
            else:
                feed.mount(Static("Waiting for the first inject…", id="empty"))
            team = self.state.scenario.team_by_id.get(self.team or "")
            if team is not None and team.briefing.strip():
                cards.append(BriefingCard(team.name, team.briefing))
            if cards:
                feed.mount_all(cards)
        self.shown = wanted
        feed.scroll_home(animate=False)



def _mark_latest(card: Vertical) -> None:
    card.add_class("-latest")
    card.border_title = "LATEST"
