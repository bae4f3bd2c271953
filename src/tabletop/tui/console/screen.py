"""The console: the main screen, its keys and its actions, for every role.

Every action is one call into the session core. The core checks and records
durably; this screen only shows the result. Any exception from the core is
turned into an error notification so that the exercise carries on.

The console's role (facilitator, controller, evaluator, scribe or observer)
decides which keys and commands it offers, from the same permission rules the
core enforces, and what it shows: a scribe, who may sit with the players, sees
only what its team has received. Every console follows the others live.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, ClassVar, TypeVar

from textual import events
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen

from tabletop.app import forms, operations
from tabletop.app.fields import error_message
from tabletop.session import events as ev
from tabletop.session.events import DECISION_KINDS, DELIVERY_KINDS, Event, PhaseStarted
from tabletop.session.permissions import may_record
from tabletop.session.session import Session
from tabletop.session.state import SessionState
from tabletop.session.store.base import Watcher
from tabletop.session.store.errors import SessionFileGone, SessionUnreachable
from tabletop.tui.following import Followed, StateChanged, StoreReach
from tabletop.tui.keys.bindings import CONSOLE_BINDINGS
from tabletop.tui.widgets.clocks import ClockBar
from tabletop.tui.widgets.decision_log import DecisionLog
from tabletop.tui.widgets.facilitator_panel import FacilitatorPanel
from tabletop.tui.widgets.footer import ConsoleFooter
from tabletop.tui.widgets.header import ExerciseHeader
from tabletop.tui.widgets.inject_view import InjectView
from tabletop.tui.widgets.pace import minutes
from tabletop.tui.widgets.teams import TeamsPanel
from tabletop.tui.widgets.timeline import Timeline

if TYPE_CHECKING:
    from textual.actions import ActionParseResult

    # Secondary screens (and the command palette) are imported where they are
    # first opened, keeping them out of the console's start-up.
    from tabletop.tui.console.palette import PaletteCommand

T = TypeVar("T")

NARROW = 110  # below this many columns the side panels shrink
HEARTBEAT_EVERY = 2.0
"""Seconds between two signs of life a writing console leaves for the others."""

ACTION_RECORDS: dict[str, type[ev.Payload]] = {
    "deliver_next": ev.InjectDelivered,
    "record_decision": ev.DecisionRecorded,
    "rate": ev.ItemRated,
    "toggle_pause": ev.ClockPaused,
    "hotwash": ev.HotwashEntry,
    "observe": ev.ObservationRecorded,
}
"""What each key's action records: a console whose role may not record it hides the key."""


STAFF_VIEWS = frozenset({"history", "evaluation"})
"""Views a scribe's console does not offer: the history names every team's injects,
holds and notes."""
STAFF_PALETTE = frozenset({"history: show", "evaluation: show"})

PALETTE_RECORDS: dict[str, type[ev.Payload]] = {
    "inject: deliver next": ev.InjectDelivered,
    "inject: skip": ev.InjectSkipped,
    "inject: hold": ev.InjectHeld,
    "inject: release": ev.InjectReleased,
    "inject: re-time": ev.InjectRetimed,
    "inject: deliver out of order": ev.InjectDelivered,
    "inject: write unscripted": ev.UnscriptedInject,
    "delivery: undo": ev.DeliveryUndone,
    "decision: record": ev.DecisionRecorded,
    "decision: amend": ev.DecisionAmended,
    "decision: retract": ev.DecisionRetracted,
    "decision: move to team": ev.DecisionMoved,
    "rating: record": ev.ItemRated,
    "rating: correct": ev.RatingCorrected,
    "clock: pause": ev.ClockPaused,
    "clock: resume": ev.ClockResumed,
    "story clock: jump": ev.StoryClockJumped,
    "note: add": ev.NoteAdded,
    "note: correct": ev.NoteCorrected,
    "note: retract": ev.NoteRetracted,
    "hot wash: open": ev.HotwashEntry,
    "hot wash: correct": ev.HotwashEntryCorrected,
    "hot wash: retract": ev.HotwashEntryRetracted,
    "action: correct": ev.ImprovementActionCorrected,
    "action: retract": ev.ImprovementActionRetracted,
    "objective: rate": ev.ObjectiveRated,
    "observation: record": ev.ObservationRecorded,
    "observation: correct": ev.ObservationCorrected,
    "observation: retract": ev.ObservationRetracted,
    "participant: add": ev.ParticipantAdded,
    "participant: correct": ev.ParticipantCorrected,
    "participant: remove": ev.ParticipantRemoved,
    "exercise: end (ENDEX)": ev.ExerciseEnded,
    "session: save a copy": ev.NoteAdded,  # anyone who writes may rescue the record
}
"""What each palette command records: a console whose role may not, does not list it."""




SKIPPABLE = ("pending", "held", "skipped-branch")
"""What skip and re-time apply to."""


class ConsoleScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = CONSOLE_BINDINGS
    DEFAULT_CSS = """
    ConsoleScreen #body { height: 1fr; }
    ConsoleScreen #body * { scrollbar-size-vertical: 1; }
    ConsoleScreen #timeline { width: 38; border: round $primary; }
    ConsoleScreen #middle { width: 1fr; }
    ConsoleScreen #inject { height: 3fr; border: round $accent; }
    ConsoleScreen #decisions { height: 2fr; min-height: 4; border: round $primary; }
    ConsoleScreen #side { width: 36; }
    ConsoleScreen #teams { border: round $primary; }
    ConsoleScreen #facilitator { border: heavy $warning; }
    ConsoleScreen.-narrow #timeline { width: 24; }
    ConsoleScreen.-narrow #side { width: 22; }
    ConsoleScreen.-narrow #inject { height: 1fr; border-bottom: none; }
    ConsoleScreen.-narrow #decisions { height: 5; min-height: 5; }
    ConsoleScreen.-narrow #palette-hint { display: block; }
    ConsoleScreen Timeline:focus, ConsoleScreen InjectView:focus-within { border: round $accent; }
    """

    def __init__(self, session: Session, *, where: str, notices: Sequence[str] = ()) -> None:
        super().__init__()
        self.session = session
        self.where = where
        self.notices = list(notices)
        self.viewing: str | None = None
        self._seen = 0
        self.ready = False
        """True once mounted: its widgets exist and actions may run."""
        self._deferred: list[str | ActionParseResult] = []
        self._follower: Watcher | None = None
        self._unreachable = False
        """The last look at the session found its server out of reach."""
        self._last_beat = 0.0

    @property
    def state(self) -> SessionState:
        return self.session.state

    @property
    def role(self) -> str:
        return self.session.recorder.role

    @property
    def sees_all(self) -> bool:
        """Staff consoles see the whole timeline; a scribe only its team's deliveries."""
        return self.role != "scribe"

    def may(self, payload_type: type[ev.Payload]) -> bool:
        return not self.session.read_only and may_record(self.session.recorder.role,
                                                         payload_type)

    def now(self) -> float:
        """The wall time the play clock is read at (stopped when the facilitator is gone)."""
        return self.session.play_now()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys this console's role may not use are hidden, and do nothing."""
        if action in STAFF_VIEWS and not self.sees_all:
            return False
        needs = ACTION_RECORDS.get(action)
        return needs is None or self.may(needs)

    # --------------------------------------------------------------- layout

    def compose(self) -> ComposeResult:
        scenario = self.session.scenario
        # Settle the width-dependent layout before the first styling pass, as
        # on_resize would: changing it after mount restyles every widget and
        # rebuilds the footer.
        narrow = self.app.size.width < NARROW
        self.set_class(narrow, "-narrow")
        yield ExerciseHeader(scenario.title, scenario.marking, self._where_and_who(),
                             keep=len(self._where_and_who()) - len(self.where))
        yield ClockBar(id="clocks")
        with Horizontal(id="body"):
            yield Timeline(self.state, self._phase_label, id="timeline")
            with Vertical(id="middle"):
                yield InjectView(id="inject")
                yield DecisionLog(id="decisions")
            with Vertical(id="side"):
                yield TeamsPanel(id="teams")
                yield FacilitatorPanel(id="facilitator", role=self.role)
        yield ConsoleFooter(compact=True, show_command_palette=not narrow)

    def _where_and_who(self) -> str:
        recorder = self.session.recorder
        if recorder.is_facilitator and not recorder.author.name:
            return self.where
        who = recorder.author.describe()
        teams = f" for {', '.join(recorder.teams)}" if recorder.teams else ""
        return f"{self.where} · {who}{teams}"

    def on_mount(self) -> None:
        self.query_one(InjectView).staff = self.sees_all
        if not self.may(ev.InjectDelivered):
            self.query_one(InjectView).nothing_yet = "No inject delivered yet."
        self.query_one(DecisionLog).hint = self.may(ev.DecisionRecorded)
        timeline = self.query_one(Timeline)
        timeline.rebuild()
        self.viewing = self._latest_viewable()
        self._seen = len(self.state.history)
        self._redraw_all()
        if self.sees_all:
            upcoming = self.state.next_inject()
            timeline.move_to(self.viewing or (upcoming.inject.id if upcoming else ""))
            timeline.focus()
        else:  # a scribe's console: no timeline (the MSEL is not for the players)
            timeline.display = False
            self.query_one(FacilitatorPanel).display = False
            clocks = self.query_one(ClockBar)
            clocks.plan = False
            clocks.show(self.state, self.now())
            self.query_one(InjectView).focus()
        self.set_interval(1.0, self._tick)
        self._follower = self.session.store.follower(self._wake, self._reach)
        self._follower.start()
        for notice in self.notices:
            self.notify(notice, severity="warning", timeout=15, markup=False)
        self.ready = True
        deferred, self._deferred = self._deferred, []
        for action in deferred:
            self.call_later(self.app.run_action, action, self)

    def defer_action(self, action: str | ActionParseResult) -> None:
        """An action asked for before the screen is ready: run it once it is."""
        self._deferred.append(action)

    def on_resize(self, event: events.Resize) -> None:
        narrow = event.size.width < NARROW
        self.set_class(narrow, "-narrow")
        # At 80 columns the keys need the whole footer; the header names ? and ctrl+p.
        footer = self.query_one(ConsoleFooter)
        if footer.show_command_palette == narrow:
            footer.show_command_palette = not narrow
            footer.refresh(recompose=True)

    def _phase_label(self, phase_id: str) -> str:
        phase = self.state.scenario.phase_by_id.get(phase_id)
        if phase is None:
            return ""
        actual = self.state.phase_play_seconds(phase_id, self.now())
        return f"{minutes(actual)}/{minutes(phase.planned.total_seconds())}"

    def _wake(self) -> None:
        self.post_message(Followed())

    def _reach(self, trouble: str | None) -> None:
        self.post_message(StoreReach(trouble))

    def on_store_reach(self, message: StoreReach) -> None:
        """The server went away or came back: say so where the session is named; a
        form being typed stays open, and what is saved shows as it arrives."""
        self.query_one(ExerciseHeader).show_connection(message.trouble)

    def on_unmount(self) -> None:
        self.stop_following()

    def stop_following(self) -> None:
        if self._follower is not None:
            self._follower.stop()
            self._follower = None

    def on_followed(self, message: Followed) -> None:
        """Show what the other consoles recorded since the last look."""
        try:
            fresh = self.session.refresh()
        except SessionUnreachable as exc:  # the header says so; the next wake-up retries
            self.query_one(ExerciseHeader).show_connection(str(exc)[:200])
            self._unreachable = True
            return
        except Exception as exc:  # damage another process wrote: say so, keep the console
            self.notify(error_message(exc), title="Cannot follow the session",
                        severity="error", timeout=10, markup=False)
            return
        if self._unreachable:  # read again: the server is back
            self._unreachable = False
            self.query_one(ExerciseHeader).show_connection(None)
        if fresh:
            self.refresh_view()

    def _tick(self) -> None:
        clocks = self.query_one(ClockBar)
        clocks.away = self.session.facilitator_away()
        clocks.show(self.state, self.now())
        if not self.state.paused and self.state.current_phase:
            self.query_one(Timeline).refresh_phase(self.state.current_phase)
        now = self.session.clock()
        if now - self._last_beat >= HEARTBEAT_EVERY:
            self._last_beat = now
            with contextlib.suppress(Exception):  # a sign of life, not a record: no error
                self.session.heartbeat()

    def _latest_viewable(self) -> str | None:
        if self.sees_all:
            return self.state.current_inject
        seen = self._team_deliveries()
        return seen[-1] if seen else None

    def _team_deliveries(self) -> list[str]:
        """What the scribe's teams have received, in the order delivered."""
        teams = self.session.recorder.teams or (self.session.selected_team,)
        return [s.inject.id for s in self.state.delivered_to(teams)]

    def _log_teams(self) -> tuple[str, ...]:
        """A scribe's log shows its own teams' decisions; staff see every team's."""
        return () if self.sees_all else self.session.recorder.teams

    def may_view(self, inject_id: str) -> bool:
        return self.sees_all or inject_id in self._team_deliveries()

    def _redraw_all(self) -> None:
        self.query_one(ClockBar).show(self.state, self.now())
        self._show_teams()
        self.query_one(DecisionLog).show(self.state, self._log_teams())
        self._show_viewing()

    def _show_teams(self) -> None:
        self.query_one(TeamsPanel).show(self.state, self.session.selected_team,
                                        self.session.recorder.teams, self._receivers())

    def _receivers(self) -> frozenset[str]:
        """The teams that received the inject on screen (none while it is undelivered)."""
        shown = self.state.injects.get(self.viewing or "")
        if shown is None or shown.status != "delivered":
            return frozenset()
        to = shown.inject.to
        return frozenset(t.id for t in self.state.scenario.teams if to == "all" or t.id in to)

    def _show_viewing(self) -> None:
        view = self.query_one(InjectView)
        view.latest = None if self.sees_all else self._latest_viewable()
        view.show(self.state, self.viewing)
        if self.sees_all:
            self.query_one(FacilitatorPanel).show(self.state, self.viewing,
                                                  self.session.selected_team)

    def refresh_view(self) -> None:
        """Bring every panel up to date with the events recorded since the last call."""
        new = self.state.history[self._seen :]
        self._seen = len(self.state.history)
        kinds = {event.kind for event in new}
        timeline = self.query_one(Timeline)
        timeline.sync()
        self.query_one(ClockBar).show(self.state, self.now())
        self._show_teams()
        if kinds & DECISION_KINDS:
            self.query_one(DecisionLog).show(self.state, self._log_teams())
        if kinds & DELIVERY_KINDS:
            self.viewing = self._latest_viewable()
            if self.viewing and self.sees_all:
                timeline.move_to(self.viewing)
            self._select_the_addressee(new)
        if new:
            self._show_viewing()
            self._show_teams()
        for phase_id in {e.payload.phase for e in new if isinstance(e.payload, PhaseStarted)}:
            timeline.refresh_phase(phase_id)
        if new and self.app.screen is not self:  # a screen over the console shows it too
            self.app.screen.post_message(StateChanged())

    def _select_the_addressee(self, new: list[Event]) -> None:
        """This console delivered an inject for a team to answer: the team that decides
        it, or else (when the selected team did not receive it) the first team it went
        to, is the one to record for next."""
        ours = self.session.recorder.author.console
        for event in reversed(new):
            if event.kind in DELIVERY_KINDS and event.author.console == ours:
                delivery = self.state.delivery(event.seq)
                shown = self.state.injects.get(delivery.inject) if delivery else None
                if shown is None:
                    return
                to, decision = shown.inject.to, shown.inject.decision
                team = decision.team if decision is not None else None
                if team is None and to != "all" and self.session.selected_team not in to:
                    team = next((t for t in to if self.session.recorder.covers(t)), None)
                if team is not None and self.session.recorder.covers(team):
                    self.select_team(team)
                return

    def attempt(self, what: str, call: Callable[[], T]) -> tuple[bool, T | None]:
        """Run a core call; on failure say so and carry on."""
        try:
            result = call()
        except Exception as exc:  # no crash mid-exercise, whatever the core raises
            self.notify(error_message(exc), title=f"Not done: {what}", severity="error",
                        timeout=10, markup=False)
            self.refresh_view()
            if isinstance(exc, SessionFileGone):
                self.session_save_copy()
            return False, None
        self.refresh_view()
        return True, result

    def open_form(self, spec: forms.FormSpec) -> None:
        from tabletop.tui.screens.form import FormScreen

        self.app.push_screen(FormScreen(spec), lambda _saved: self.refresh_view())

    # ------------------------------------------------------------ targets

    def team_name(self, team_id: str) -> str:
        return forms.team_name(self.state, team_id)

    def target_inject(self) -> str | None:
        """The inject the timeline cursor is on (the one palette actions act on)."""
        return self.query_one(Timeline).cursor_inject

    def _needs_target(
        self, statuses: Iterable[str], verb: str, *, or_next: bool = False
    ) -> str | None:
        """The highlighted inject, if ``verb`` applies to it. With ``or_next``, a
        cursor on a delivered inject (or none) means the one the facilitator is
        about to play: the next pending inject (›), or for a release the next held
        or skipped one."""
        inject_id = self.target_inject()
        allowed = set(statuses)
        if or_next and (inject_id is None
                        or self.state.injects[inject_id].status == "delivered"):
            inject_id = self._next_with(allowed, after=inject_id) or inject_id
        if inject_id is None:
            self.notify(f"Highlight an inject in the timeline to {verb} it", severity="warning")
            return None
        status = self.state.injects[inject_id].status
        if status not in allowed:
            self.notify(
                f"Cannot {verb} {inject_id}: it is {status} (needs {' or '.join(sorted(allowed))})",
                severity="warning",
            )
            return None
        return inject_id

    def _acts_on(self, statuses: Iterable[str], on: str) -> str:
        """The palette's subtitle for a command that takes the next inject when the
        cursor sits on a delivered one: it names the inject it will act on."""
        target = self.target_inject()
        if target is None or self.state.injects[target].status == "delivered":
            upcoming = self._next_with(set(statuses), after=target)
            if upcoming is not None:
                return f"next inject: {upcoming}"
        return on

    def _next_with(self, statuses: set[str], *, after: str | None) -> str | None:
        """The next pending inject (›) if ``statuses`` allow it, else the first inject
        after ``after`` whose status they allow."""
        upcoming = self.state.next_inject()
        if upcoming is not None and upcoming.status in statuses:
            return upcoming.inject.id
        order = self.state.order
        start = order.index(after) + 1 if after in order else 0
        return next((i for i in order[start:] if self.state.injects[i].status in statuses),
                    None)

    # -------------------------------------------------------- key actions

    def action_deliver_next(self) -> None:
        upcoming = self.state.next_inject()
        point = self.state.undecided_point(upcoming.inject.id) if upcoming else None
        if upcoming is not None and point is not None:
            self._ask_before_the_default(upcoming.inject.id, point)
            return
        self._deliver_next()

    def _deliver_next(self) -> None:
        ok, done = self.attempt("deliver next inject",
                                lambda: operations.deliver_next(self.session))
        if not ok or done is None:
            return
        event, clock_started = done
        if event is None:
            self.notify("No inject is waiting: the rest are delivered, held or skipped.")
        elif clock_started:
            self.notify("Play clock started with the first delivery (space pauses it).",
                        timeout=6)

    def _ask_before_the_default(self, inject_id: str, point: str) -> None:
        """The next inject is a branch of a decision nobody recorded: say so, and let
        the facilitator record it now or go on with the default, by name."""
        from tabletop.tui.screens.choice import ChoiceScreen

        decision = self.state.injects[point].inject.decision
        assert decision is not None  # undecided_point names decision points only
        default = next(o.label for o in decision.options if o.id == decision.default)
        team = decision.team or self.session.selected_team
        next_title = self.state.injects[inject_id].inject.title

        def answered(answer: str | None) -> None:
            if answer == "default":
                self._deliver_next()
            elif answer == "decide":
                self.open_form(forms.record_decision(self.session, team, point))

        question = (f"Next is '{next_title}', a branch of '{decision.prompt}', and no "
                    f"decision on it is recorded. Going on plays the default: "
                    f"'{default}', and settles it.")
        self.app.push_screen(ChoiceScreen("deliver: no decision recorded", question, [
            ("d", f"Record {self.team_name(team)}'s decision now", "decide"),
            ("g", f"Go on with the default: {default}", "default"),
        ]), answered)

    def action_view_previous(self) -> None:
        delivered = ([s.inject.id for s in self.state.delivered()] if self.sees_all
                     else self._team_deliveries())
        if not delivered:
            self.notify("No inject has been delivered yet.")
            return
        if self.viewing in delivered:
            index = delivered.index(self.viewing) - 1
        else:
            index = len(delivered) - 1
        if index < 0:
            self.notify("This is the first inject delivered.")
            return
        self.view(delivered[index])

    def view(self, inject_id: str) -> None:
        if not self.may_view(inject_id):
            self.notify("This console shows only what its team has received.",
                        severity="warning")
            return
        self.viewing = inject_id
        self.query_one(Timeline).move_to(inject_id)
        self._show_viewing()

    def on_timeline_viewed(self, message: Timeline.Viewed) -> None:
        self.view(message.inject_id)

    def decision_inject(self) -> str | None:
        """The inject a new decision answers: the one on screen if delivered."""
        return forms.decision_inject(self.state, self.viewing)

    def action_record_decision(self) -> None:
        team, inject_id = self.session.selected_team, self.decision_inject()
        answered = self.state.injects.get(inject_id or "")
        if answered is not None and answered.inject.to != "all" \
                and team not in answered.inject.to:
            self.notify(f"{self.team_name(team)} did not receive '{answered.inject.title}'; "
                        "recording its decision on it all the same.", severity="warning",
                        timeout=8, markup=False)
        self.open_form(forms.record_decision(self.session, team, inject_id))

    def action_next_team(self) -> None:
        recorder = self.session.recorder
        teams = [t.id for t in self.state.scenario.teams if recorder.covers(t.id)]
        selected = self.session.selected_team
        current = teams.index(selected) if selected in teams else -1
        self.select_team(teams[(current + 1) % len(teams)])

    def action_pick_team(self, number: int) -> None:
        teams = self.state.scenario.teams
        if not 1 <= number <= len(teams):
            self.notify(f"There is no team {number}; this exercise has {len(teams)}.",
                        severity="warning")
            return
        self.select_team(teams[number - 1].id)

    def select_team(self, team_id: str) -> None:
        if team_id != self.session.selected_team:
            self.attempt("select team", lambda: self.session.select_team(team_id))
            if not self.sees_all:
                self.viewing = self._latest_viewable()
            self._show_viewing()

    def action_rate(self) -> None:
        from tabletop.tui.screens.rating import RatingScreen

        team = self.session.selected_team
        items = forms.items_to_rate(self.state, self.viewing)
        if not items:
            self.notify("This exercise has no checklist items to rate.", severity="warning")
            return

        def save(ref: str, rating: str, note: str) -> None:
            self.session.rate_item(team, ref, rating, note)

        screen = RatingScreen(
            self.state, team, items, save, expected=forms.expected_items(self.state, team)
        )
        self.app.push_screen(screen, lambda _none: self.refresh_view())

    def action_toggle_pause(self) -> None:
        self.attempt("pause/resume the clock", self.session.toggle_pause)

    def action_hotwash(self) -> None:
        from tabletop.tui.screens.hotwash import HotwashScreen

        every: dict[str, tuple[type[ev.Payload], Callable[[], forms.FormSpec]]] = {
            "entry": (ev.HotwashEntry, lambda: forms.hotwash_entry(self.session)),
            "action": (ev.ImprovementAction, lambda: forms.improvement_action(self.session)),
            "objective": (ev.ObjectiveRated, lambda: forms.objective_rating(self.session)),
        }
        specs = {key: make for key, (needs, make) in every.items() if self.may(needs)}
        self.app.push_screen(HotwashScreen(self.state, specs), lambda _n: self.refresh_view())

    def action_evaluation(self) -> None:
        from tabletop.tui.screens.evaluation import EvaluationScreen

        if not self.sees_all:
            return
        self.app.push_screen(EvaluationScreen(self.state))

    def action_history(self) -> None:
        from tabletop.tui.screens.history import HistoryScreen

        if not self.sees_all:
            return

        self.app.push_screen(HistoryScreen(self.state))

    # ---------------------------------------------- corrections (issue 6)

    def inject_skip(self) -> None:
        if inject_id := self._needs_target(SKIPPABLE, "skip", or_next=True):
            self.open_form(forms.inject_skip(self.session, inject_id))

    def inject_hold(self) -> None:
        if inject_id := self._needs_target(("pending",), "hold", or_next=True):
            self.open_form(forms.inject_hold(self.session, inject_id))

    def inject_release(self) -> None:
        if inject_id := self._needs_target(("held", "skipped"), "release", or_next=True):
            self.open_form(forms.inject_release(self.session, inject_id))

    def inject_retime(self) -> None:
        if inject_id := self._needs_target(SKIPPABLE, "re-time", or_next=True):
            self.open_form(forms.inject_retime(self.session, inject_id))

    def inject_deliver_out_of_order(self) -> None:
        statuses = ("pending", "held", "skipped", "skipped-branch")
        if inject_id := self._needs_target(statuses, "deliver"):
            self.open_form(forms.deliver_out_of_order(self.session, inject_id))

    def delivery_undo(self) -> None:
        inject_id = self.target_inject()
        if inject_id is None or self.state.injects[inject_id].status != "delivered":
            inject_id = self.state.current_inject
        self._open_or_say(forms.delivery_undo(self.session, inject_id) if inject_id else None,
                          "No delivery to undo.")

    def write_unscripted(self) -> None:
        self.open_form(forms.write_unscripted(self.session))

    def decision_retract(self) -> None:
        self._open_or_say(forms.decision_retract(self.session), "No decision recorded yet.")

    def decision_move(self) -> None:
        self._open_or_say(forms.decision_move(self.session), "No decision recorded yet.")

    def decision_amend(self) -> None:
        self._open_or_say(forms.decision_amend(self.session), "No decision recorded yet.")

    def rating_correct(self) -> None:
        self._open_or_say(forms.rating_correct(self.session), "No rating recorded yet.")

    def story_clock_jump(self) -> None:
        self.open_form(forms.story_clock_jump(self.session))

    def note_add(self) -> None:
        self.open_form(forms.note_add(self.session, self.viewing))

    def action_observe(self) -> None:
        self.open_form(forms.observation_record(self.session, self.viewing))

    def participant_add(self) -> None:
        self.open_form(forms.participant_add(self.session))

    def entry_correction(self, make: Callable[[Session], forms.FormSpec | None],
                         nothing: str) -> None:
        """A note, hot wash entry or action to correct or retract (``forms``)."""
        self._open_or_say(make(self.session), nothing)

    def _open_or_say(self, spec: forms.FormSpec | None, nothing: str) -> None:
        if spec is None:
            self.notify(nothing, severity="warning")
        else:
            self.open_form(spec)

    def exercise_end(self) -> None:
        from tabletop.tui.screens.confirm import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if yes:
                self.attempt("end the exercise", self.session.end_exercise)

        self.app.push_screen(
            ConfirmScreen("exercise: end (ENDEX)",
                          "End the exercise now? The record stays open for the hot wash."),
            answered,
        )

    def clock_set(self, paused: bool) -> None:
        if self.state.paused == paused:
            self.notify("The play clock is already " + ("paused." if paused else "running."))
            return
        self.action_toggle_pause()

    # ------------------------------------------------------ command palette

    def palette_commands(self, query: str) -> Iterable[PaletteCommand]:
        from tabletop.tui.console.palette import JUMP_QUERY_MIN, PaletteCommand, jump_targets

        target = self.target_inject()
        on = f"highlighted inject: {target}" if target else "highlight an inject first"
        for command in self._every_command(on):
            if command.title in STAFF_PALETTE and not self.sees_all:
                continue
            needs = PALETTE_RECORDS.get(command.title)
            if needs is None or self.may(needs):
                yield command
        for n, team in enumerate(self.state.scenario.teams, 1):
            if not self.session.recorder.covers(team.id):
                continue
            yield PaletteCommand(f"team: select {team.name}",
                                 partial(self.select_team, team.id),
                                 self.key_hint(f"pick-team-{n}"))
        yield from self._attachment_commands()
        if len(query) >= JUMP_QUERY_MIN:
            viewable = None if self.sees_all else set(self._team_deliveries())
            for inject_id in jump_targets(self.state, query):
                if viewable is not None and inject_id not in viewable:
                    continue
                inject_state = self.state.injects[inject_id]
                yield PaletteCommand(
                    f"inject: jump to {inject_id} {inject_state.inject.title}",
                    partial(self.view, inject_id), inject_state.status, discover=False,
                )

    def _every_command(self, on: str) -> tuple[PaletteCommand, ...]:
        from tabletop.tui.console.palette import PaletteCommand

        mine = " of this console's teams" if self.session.recorder.teams else ""
        no_note = f"No note{mine} to correct or retract."
        no_entry = f"No hot wash entry{mine} to correct or retract."
        no_action = "No improvement action to correct or retract."
        no_observation = f"No observation{mine} to correct or retract."
        no_participant = f"No one{mine} on the roster yet."
        key = self.key_hint
        return (
            PaletteCommand("inject: deliver next", self.action_deliver_next, key("deliver-next")),
            PaletteCommand("inject: view previous", self.action_view_previous,
                           key("view-previous", "; view only, never undoes")),
            PaletteCommand("inject: skip", self.inject_skip, self._acts_on(SKIPPABLE, on)),
            PaletteCommand("inject: hold", self.inject_hold, self._acts_on(("pending",), on)),
            PaletteCommand("inject: release", self.inject_release,
                           self._acts_on(("held", "skipped"), on)),
            PaletteCommand("inject: re-time", self.inject_retime, self._acts_on(SKIPPABLE, on)),
            PaletteCommand("inject: deliver out of order", self.inject_deliver_out_of_order, on),
            PaletteCommand("inject: write unscripted", self.write_unscripted,
                           "a new inject, delivered at once"),
            PaletteCommand("delivery: undo", self.delivery_undo,
                           "the highlighted delivered inject, else the current one"),
            PaletteCommand("decision: record", self.action_record_decision, key("record-decision")),
            PaletteCommand("decision: amend", self.decision_amend, "correct a decision's text"),
            PaletteCommand("decision: retract", self.decision_retract, "it stays, struck out"),
            PaletteCommand("decision: move to team", self.decision_move,
                           "recorded against the wrong team"),
            PaletteCommand("rating: record", self.action_rate, key("rate")),
            PaletteCommand("rating: correct", self.rating_correct, "replace a rating"),
            PaletteCommand("team: next", self.action_next_team, key("next-team")),
            PaletteCommand("clock: pause", lambda: self.clock_set(True), key("toggle-pause")),
            PaletteCommand("clock: resume", lambda: self.clock_set(False), key("toggle-pause")),
            PaletteCommand("story clock: jump", self.story_clock_jump,
                           "set the in-story date and time"),
            PaletteCommand("note: add", self.note_add, "a facilitator note"),
            PaletteCommand("note: correct", partial(self.entry_correction, forms.note_correct,
                                                    no_note), "change what a note says"),
            PaletteCommand("note: retract", partial(self.entry_correction, forms.note_retract,
                                                    no_note), "it stays in the history"),
            PaletteCommand("hot wash: open", self.action_hotwash, key("hotwash")),
            PaletteCommand("hot wash: correct", partial(
                self.entry_correction, forms.hotwash_correct, no_entry),
                "change a strength or area for improvement"),
            PaletteCommand("hot wash: retract", partial(
                self.entry_correction, forms.hotwash_retract, no_entry),
                "it leaves the report, stays in the history"),
            PaletteCommand("action: correct", partial(
                self.entry_correction, forms.action_correct, no_action),
                "change an improvement action, its organisation, POC or dates"),
            PaletteCommand("action: retract", partial(
                self.entry_correction, forms.action_retract, no_action),
                "it leaves the improvement plan, stays in the history"),
            PaletteCommand("objective: rate",
                           lambda: self.open_form(forms.objective_rating(self.session)),
                           "P/S/M/U with a reason"),
            PaletteCommand("observation: record", self.action_observe,
                           key("record-observation", "; a strength, area for improvement "
                               "or neutral, for the selected team")),
            PaletteCommand("observation: correct", partial(
                self.entry_correction, forms.observation_correct, no_observation),
                "change an observation, its links or its analysis"),
            PaletteCommand("observation: retract", partial(
                self.entry_correction, forms.observation_retract, no_observation),
                "it leaves the evaluation, stays in the history"),
            PaletteCommand("participant: add", self.participant_add,
                           "someone who took part, for the roster"),
            PaletteCommand("participant: correct", partial(
                self.entry_correction, forms.participant_correct, no_participant),
                "change a roster entry, or whether the report names them"),
            PaletteCommand("participant: remove", partial(
                self.entry_correction, forms.participant_remove, no_participant),
                "off the roster, kept in the history"),
            PaletteCommand("evaluation: show", self.action_evaluation, key("evaluation")),
            PaletteCommand("history: show", self.action_history, key("history")),
            PaletteCommand("exercise: end (ENDEX)", self.exercise_end, "asks to confirm"),
            PaletteCommand("help: keys", self.help_keys,
                           key("help", "; every key and its binding id")),
            PaletteCommand("console: quit", self.action_quit_console,
                           key("quit", "; all is saved")),
            PaletteCommand("session: save a copy", self.session_save_copy,
                           "everything recorded, to a new session file"),
        )

    def _attachment_commands(self) -> Iterable[PaletteCommand]:
        """One "attachment: open" per file of the inject on screen, for the
        facilitator: the console's only role that hands files out."""
        from tabletop.core.attachments import listed
        from tabletop.tui.console.palette import PaletteCommand

        shown = self.state.injects.get(self.viewing or "")
        if shown is None or not self.session.recorder.is_facilitator:
            return
        files = listed(shown.inject, staff=True)
        names = [a.name for a in files]
        for attachment in files:
            # Two files of one name (from two folders) are told apart by their path.
            label = attachment.name if names.count(attachment.name) == 1 else attachment.path
            extra = ", facilitator only" if attachment.facilitator_only else ""
            yield PaletteCommand(f"attachment: open {label}",
                                 partial(self.open_attachment, attachment.path),
                                 f"{attachment.kind}{extra}, of {shown.inject.id}")

    def open_attachment(self, path: str) -> None:
        """Show the file in the system viewer, or give its path to copy."""
        from tabletop.app.attachments import Unreachable, open_attachment

        try:
            opened = open_attachment(self.session, path)
        except Unreachable as exc:
            self.notify(str(exc), title="Cannot open the attachment", severity="warning",
                        timeout=15, markup=False)
            return
        if opened.in_viewer:
            self.notify(f"Opened in the system viewer:\n{opened.path}", timeout=8, markup=False)
            return
        self.app.copy_to_clipboard(str(opened.path))  # where the terminal takes it (OSC 52)
        self.notify(f"No viewer here (over SSH, or no desktop). The file, its path also "
                    f"offered to the terminal's clipboard:\n{opened.path}",
                    title=PurePosixPath(path).name, timeout=30, markup=False)

    def key_hint(self, binding_id: str, more: str = "") -> str:
        """The palette's "key n", as the key is bound now (the user's keymap applied)."""
        from tabletop.tui.keys.reference import keys_for

        keys = keys_for(binding_id, getattr(self.app, "user_keymap", {}))
        return f"key {' / '.join(keys)}{more}" if keys else more.removeprefix("; ")

    def help_keys(self) -> None:
        show: Callable[[], object] = getattr(self.app, "action_help", self.app.bell)
        show()

    def session_save_copy(self) -> None:
        """Offer to write everything this console holds to a new session file."""
        self.open_form(forms.save_a_copy(self.session))

    def action_quit_console(self) -> None:
        # The app closes the session (checkpoint) before it exits; a running play clock
        # stops then, and `tabletop run` says so on the way out (no dialog: 'q' on
        # the plain path quits, and nothing is lost).
        leave: Callable[[], object] = getattr(self.app, "action_quit_console", self.app.exit)
        leave()
