"""The facilitator console: the main screen, its keys and its actions.

Every action is one call into the session core. The core checks and records
durably; this screen only shows the result. Any exception from the core is
turned into an error notification so that the exercise carries on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from textual import events
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen

from tabletop.core.vocabulary import CHANNELS, OBJECTIVE_RATING_LABELS, RATING_LABELS, RATINGS
from tabletop.session.session import Session
from tabletop.session.state import SessionState
from tabletop.session.store.journal import SessionFileGone
from tabletop.tui.keys.bindings import CONSOLE_BINDINGS
from tabletop.tui.screens.fields import FormField, Values, error_message
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
    # Secondary screens (and the command palette) are imported where they are
    # first opened, keeping them out of the console's start-up.
    from tabletop.tui.console.palette import PaletteCommand
    from tabletop.tui.screens.form import FormScreen

T = TypeVar("T")

NARROW = 110  # below this many columns the side panels shrink
DELIVERY_KINDS = {"inject_delivered", "unscripted_inject", "delivery_undone"}
DECISION_KINDS = {
    "decision_recorded", "decision_amended", "decision_retracted", "decision_moved",
}


def _form_screen(*args: Any, **kwargs: Any) -> FormScreen:
    """A :class:`FormScreen`, its module imported when the first form opens."""
    from tabletop.tui.screens.form import FormScreen

    return FormScreen(*args, **kwargs)


REASON = FormField("reason", "Reason (kept in the record)", required=True)


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
    ConsoleScreen.-narrow #timeline { width: 26; }
    ConsoleScreen.-narrow #side { width: 25; }
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

    @property
    def state(self) -> SessionState:
        return self.session.state

    def now(self) -> float:
        return self.session.clock()

    # --------------------------------------------------------------- layout

    def compose(self) -> ComposeResult:
        scenario = self.session.scenario
        # Settle the width-dependent layout before the first styling pass, as
        # on_resize would: changing it after mount restyles every widget and
        # rebuilds the footer.
        narrow = self.app.size.width < NARROW
        self.set_class(narrow, "-narrow")
        yield ExerciseHeader(scenario.title, scenario.marking, self.where)
        yield ClockBar(id="clocks")
        with Horizontal(id="body"):
            yield Timeline(self.state, self._phase_label, id="timeline")
            with Vertical(id="middle"):
                yield InjectView(id="inject")
                yield DecisionLog(id="decisions")
            with Vertical(id="side"):
                yield TeamsPanel(id="teams")
                yield FacilitatorPanel(id="facilitator")
        yield ConsoleFooter(compact=True, show_command_palette=not narrow)

    def on_mount(self) -> None:
        timeline = self.query_one(Timeline)
        timeline.rebuild()
        self.viewing = self.state.current_inject
        self._seen = len(self.state.history)
        self._redraw_all()
        upcoming = self.state.next_inject()
        timeline.move_to(self.viewing or (upcoming.inject.id if upcoming else ""))
        timeline.focus()
        self.set_interval(1.0, self._tick)
        for notice in self.notices:
            self.notify(notice, severity="warning", timeout=15, markup=False)

    def on_resize(self, event: events.Resize) -> None:
        narrow = event.size.width < NARROW
        self.set_class(narrow, "-narrow")
        # At 80 columns the keys need the whole footer; the header names ctrl+p.
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

    def _tick(self) -> None:
        self.query_one(ClockBar).show(self.state, self.now())
        if not self.state.paused and self.state.current_phase:
            self.query_one(Timeline).refresh_phase(self.state.current_phase)

    def _redraw_all(self) -> None:
        self.query_one(ClockBar).show(self.state, self.now())
        self.query_one(TeamsPanel).show(self.state)
        self.query_one(DecisionLog).show(self.state)
        self._show_viewing()

    def _show_viewing(self) -> None:
        self.query_one(InjectView).show(self.state, self.viewing)
        self.query_one(FacilitatorPanel).show(self.state, self.viewing)

    def refresh_view(self) -> None:
        """Bring every panel up to date with the events recorded since the last call."""
        new = self.state.history[self._seen :]
        self._seen = len(self.state.history)
        kinds = {event.kind for event in new}
        timeline = self.query_one(Timeline)
        timeline.sync()
        self.query_one(ClockBar).show(self.state, self.now())
        if "team_selected" in kinds:
            self.query_one(TeamsPanel).show(self.state)
        if kinds & DECISION_KINDS:
            self.query_one(DecisionLog).show(self.state)
        if kinds & DELIVERY_KINDS:
            self.viewing = self.state.current_inject
            if self.viewing:
                timeline.move_to(self.viewing)
        if new:
            self._show_viewing()
        for phase_id in {e.data.get("phase") for e in new if e.kind == "phase_started"}:
            if isinstance(phase_id, str):
                timeline.refresh_phase(phase_id)

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

    def open_form(self, form: FormScreen) -> None:
        self.app.push_screen(form, lambda _saved: self.refresh_view())

    # ------------------------------------------------------------ targets

    def team_name(self, team_id: str) -> str:
        team = self.state.scenario.team_by_id.get(team_id)
        return team.name if team else team_id

    def target_inject(self) -> str | None:
        """The inject the timeline cursor is on (the one palette actions act on)."""
        return self.query_one(Timeline).cursor_inject

    def _described(self, inject_id: str) -> str:
        inject_state = self.state.injects[inject_id]
        return f"{inject_id}: {inject_state.inject.title} ({inject_state.status})"

    def _needs_target(self, statuses: Iterable[str], verb: str) -> str | None:
        inject_id = self.target_inject()
        allowed = set(statuses)
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

    # -------------------------------------------------------- key actions

    def action_deliver_next(self) -> None:
        ok, event = self.attempt("deliver next inject", self.session.deliver_next)
        if ok and event is None:
            self.notify("No inject is waiting: the rest are delivered, held or skipped.")

    def action_view_previous(self) -> None:
        delivered = [s.inject.id for s in self.state.delivered()]
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
        self.viewing = inject_id
        self.query_one(Timeline).move_to(inject_id)
        self._show_viewing()

    def on_timeline_viewed(self, message: Timeline.Viewed) -> None:
        self.view(message.inject_id)

    def decision_inject(self) -> str | None:
        """The inject a new decision answers: the one on screen if delivered."""
        if self.viewing and self.state.injects[self.viewing].status == "delivered":
            return self.viewing
        return self.state.current_inject

    def action_record_decision(self) -> None:
        team = self.state.selected_team
        inject_id = self.decision_inject()
        inject = self.state.injects[inject_id].inject if inject_id else None
        fields = [FormField("text", "Decision: what the team decided", "text", required=True)]
        intro = "No inject delivered yet."
        if inject is not None:
            intro = f"On inject {inject.id}: {inject.title}"
            if inject.decision is not None:
                decider = inject.decision.team
                who = f" (decided by {self.team_name(decider)})" if decider else ""
                intro += f"\nDecision point: {inject.decision.prompt}{who}"
                fields.append(FormField(
                    "option", "Option chosen (optional)", "select",
                    [(o.label, o.id) for o in inject.decision.options],
                ))
        from tabletop.tui.screens.rating import items_to_rate

        items = items_to_rate(self.state, inject_id)
        fields.append(FormField(
            "items", "Checklist items it addresses (space to tick, optional)", "multi",
            [(self._item_label(ref), ref) for ref in items],
        ))

        def save(values: Values) -> None:
            self.session.record_decision(
                team, values["text"], inject=inject_id, option=values.get("option"),
                items=values.get("items") or (),
            )

        self.open_form(_form_screen(f"Decision: {self.team_name(team)}", fields, save,
                                  intro=intro))

    def _item_label(self, ref: str) -> str:
        found = self.state.scenario.item_by_ref.get(ref)
        text = found[1].text if found else ""
        label = f"{ref}: {text}"
        return label if len(label) <= 80 else label[:79] + "…"

    def action_next_team(self) -> None:
        teams = [t.id for t in self.state.scenario.teams]
        current = teams.index(self.state.selected_team) if self.state.selected_team in teams else -1
        self.select_team(teams[(current + 1) % len(teams)])

    def action_pick_team(self, number: int) -> None:
        teams = self.state.scenario.teams
        if not 1 <= number <= len(teams):
            self.notify(f"There is no team {number}; this exercise has {len(teams)}.",
                        severity="warning")
            return
        self.select_team(teams[number - 1].id)

    def select_team(self, team_id: str) -> None:
        if team_id != self.state.selected_team:
            self.attempt("select team", lambda: self.session.select_team(team_id))

    def action_rate(self) -> None:
        from tabletop.tui.screens.rating import RatingScreen, items_to_rate

        team = self.state.selected_team
        items = items_to_rate(self.state, self.viewing)
        if not items:
            self.notify("This exercise has no checklist items to rate.", severity="warning")
            return

        def save(ref: str, rating: str, note: str) -> None:
            self.session.rate_item(team, ref, rating, note)

        screen = RatingScreen(self.state, team, items, save)
        self.app.push_screen(screen, lambda _none: self.refresh_view())

    def action_toggle_pause(self) -> None:
        self.attempt("pause/resume the clock", self.session.toggle_pause)

    def action_hotwash(self) -> None:
        forms: dict[str, Callable[[], FormScreen]] = {
            "entry": self._hotwash_entry_form,
            "action": self._improvement_action_form,
            "objective": self._objective_form,
        }
        from tabletop.tui.screens.hotwash import HotwashScreen

        self.app.push_screen(HotwashScreen(self.state, forms), lambda _n: self.refresh_view())

    def action_history(self) -> None:
        from tabletop.tui.screens.history import HistoryScreen

        self.app.push_screen(HistoryScreen(self.state))

    # ------------------------------------------------------- hot wash forms

    def _objective_choices(self) -> list[tuple[str, str]]:
        return [(f"{o.id}: {o.text}"[:80], o.id) for o in self.state.scenario.objectives]

    def _team_choices(self) -> list[tuple[str, str]]:
        return [(t.name, t.id) for t in self.state.scenario.teams]

    def _hotwash_entry_form(self) -> FormScreen:
        fields = [
            FormField("text", "What was observed", required=True),
            FormField("kind", "Kind", "select",
                      [("Strength", "strength"), ("Area for improvement", "improvement")],
                      value="strength", required=True),
            FormField("objective", "Objective (none = general)", "select",
                      self._objective_choices()),
            FormField("team", "Team (optional)", "select", self._team_choices()),
        ]

        def save(v: Values) -> None:
            self.session.record("hotwash_entry", objective=v["objective"], kind=v["kind"],
                                text=v["text"], team=v["team"])

        return _form_screen("hot wash: strength or improvement", fields, save)

    def _improvement_action_form(self) -> FormScreen:
        items = [(self._item_label(ref), ref) for ref in self.state.scenario.item_by_ref]
        fields = [
            FormField("action", "Improvement action", required=True),
            FormField("owner", "Owner", required=True),
            FormField("due", "Due date", required=True, placeholder="YYYY-MM-DD"),
            FormField("item", "Checklist item (optional)", "select", items),
            FormField("capability", "Capability (optional)"),
        ]

        def save(v: Values) -> None:
            self.session.record("improvement_action", action=v["action"], item=v["item"],
                                capability=v["capability"], owner=v["owner"], due=v["due"])

        return _form_screen("hot wash: improvement action", fields, save)

    def _objective_form(self) -> FormScreen:
        fields = [
            FormField("objective", "Objective", "select", self._objective_choices(),
                      required=True),
            FormField("rating", "Rating", "select",
                      [(label, key) for key, label in OBJECTIVE_RATING_LABELS.items()],
                      required=True),
            REASON,
        ]

        def save(v: Values) -> None:
            self.session.record("objective_rated", objective=v["objective"],
                                rating=v["rating"], reason=v["reason"])

        return _form_screen("objective: rate", fields, save)

    # ---------------------------------------------- corrections (issue 6)

    def _reason_form(self, title: str, inject_id: str, kind: str,
                     extra: Sequence[FormField] = (),
                     payload: Callable[[Values], dict[str, Any]] | None = None) -> None:
        def save(v: Values) -> None:
            data = payload(v) if payload else {}
            self.session.record(kind, inject=inject_id, reason=v["reason"], **data)

        self.open_form(_form_screen(title, [*extra, REASON], save,
                                  intro=self._described(inject_id)))

    def inject_skip(self) -> None:
        if inject_id := self._needs_target(("pending", "held", "skipped-branch"), "skip"):
            self._reason_form("inject: skip", inject_id, "inject_skipped")

    def inject_hold(self) -> None:
        if inject_id := self._needs_target(("pending",), "hold"):
            self._reason_form("inject: hold", inject_id, "inject_held")

    def inject_release(self) -> None:
        if inject_id := self._needs_target(("held", "skipped"), "release"):
            self._reason_form("inject: release", inject_id, "inject_released")

    def inject_retime(self) -> None:
        inject_id = self._needs_target(("pending", "held", "skipped-branch"), "re-time")
        if inject_id is None:
            return
        current = self.state.injects[inject_id].play_minute
        minute = FormField("play_minute", "Planned play minute", required=True,
                           value="" if current is None else str(current))
        self._reason_form("inject: re-time", inject_id, "inject_retimed", [minute],
                          lambda v: {"play_minute": _whole_minutes(v["play_minute"])})

    def inject_deliver_out_of_order(self) -> None:
        inject_id = self._needs_target(("pending", "held", "skipped", "skipped-branch"),
                                       "deliver")
        if inject_id is None:
            return

        delivered: list[bool] = []  # a retry after a failed note must not deliver twice

        def save(v: Values) -> None:
            if not delivered:
                self.session.deliver(inject_id)
                delivered.append(True)
            # inject_delivered has no reason field; a note on the inject keeps it.
            self.session.record("note_added", text=f"Delivered out of order: {v['reason']}",
                                team=None, inject=inject_id)

        self.open_form(_form_screen("inject: deliver out of order", [REASON], save,
                                  intro=self._described(inject_id)))

    def delivery_undo(self) -> None:
        inject_id = self.target_inject()
        if inject_id is None or self.state.injects[inject_id].status != "delivered":
            inject_id = self.state.current_inject
        inject_state = self.state.injects.get(inject_id or "")
        delivery = inject_state.delivery if inject_state else None
        if inject_id is None or delivery is None or delivery.undone:
            self.notify("No delivery to undo.", severity="warning")
            return
        seq = delivery.seq

        def save(v: Values) -> None:
            self.session.record("delivery_undone", event=seq, reason=v["reason"])

        self.open_form(_form_screen("delivery: undo", [REASON], save,
                                  intro=f"Undo the delivery of {self._described(inject_id)}. "
                                        "The delivery stays in the history, marked undone."))

    def write_unscripted(self) -> None:
        fields = [
            FormField("title", "Title", required=True),
            FormField("channel", "Channel", "select", [(c, c) for c in CHANNELS],
                      value="other", required=True),
            FormField("sender", "From", required=True),
            FormField("to", "To (none ticked = all teams)", "multi", self._team_choices()),
            FormField("body", "Text (Markdown)", "text"),
            FormField("id", "Inject id (optional)", placeholder="e.g. u1-press-leak"),
            REASON,
        ]

        written: list[str] = []  # a retry after a failed note must not write it twice

        def save(v: Values) -> None:
            if not written:
                inject_id = v["id"] or self._unscripted_id()
                self.session.record(
                    "unscripted_inject",
                    inject={"id": inject_id, "title": v["title"], "channel": v["channel"],
                            "from": v["sender"], "to": v["to"] or "all", "body": v["body"]},
                )
                written.append(inject_id)
            inject_id = written[0]
            # The event has no reason field; a note on the new inject keeps it.
            self.session.record("note_added", text=f"Unscripted: {v['reason']}", team=None,
                                inject=inject_id)

        self.open_form(_form_screen("inject: write unscripted", fields, save,
                                  intro="Written now, delivered at once, marked unscripted."))

    def _unscripted_id(self) -> str:
        n = 1
        while f"unscripted-{n}" in self.state.injects:
            n += 1
        return f"unscripted-{n}"

    def _decision_choices(self, *, live_only: bool = True) -> list[tuple[str, str]]:
        decisions = sorted(self.state.decisions.values(), key=lambda d: d.seq, reverse=True)
        return [
            (f"#{d.seq} {self.team_name(d.team)}: {d.text}"[:80], str(d.seq))
            for d in decisions
            if not (live_only and d.retracted)
        ]

    def _decision_form(self, title: str, kind: str, extra: Sequence[FormField],
                       payload: Callable[[Values], dict[str, Any]]) -> None:
        choices = self._decision_choices()
        if not choices:
            self.notify("No decision recorded yet.", severity="warning")
            return
        fields = [FormField("event", "Decision", "select", choices, value=choices[0][1],
                            required=True), *extra, REASON]

        def save(v: Values) -> None:
            self.session.record(kind, event=int(v["event"]), reason=v["reason"], **payload(v))

        self.open_form(_form_screen(title, fields, save))

    def decision_retract(self) -> None:
        self._decision_form("decision: retract", "decision_retracted", [], lambda v: {})

    def decision_move(self) -> None:
        team = FormField("team", "Move to team", "select", self._team_choices(), required=True)
        self._decision_form("decision: move to team", "decision_moved", [team],
                            lambda v: {"team": v["team"]})

    def decision_amend(self) -> None:
        text = FormField("text", "Corrected decision text", "text", required=True)

        def payload(v: Values) -> dict[str, Any]:
            old = self.state.decisions[int(v["event"])]
            return {"text": v["text"], "option": old.option, "items": list(old.items)}

        self._decision_form("decision: amend", "decision_amended", [text], payload)

    def rating_correct(self) -> None:
        ratings = sorted(self.state.ratings.values(), key=lambda r: r.seq, reverse=True)
        if not ratings:
            self.notify("No rating recorded yet.", severity="warning")
            return
        choices = [
            (f"{self.team_name(r.team)} · {r.item}: {RATING_LABELS.get(r.rating, r.rating)}"[:80],
             str(r.seq))
            for r in ratings
        ]
        fields = [
            FormField("event", "Rating to correct", "select", choices, value=choices[0][1],
                      required=True),
            FormField("rating", "Correct rating", "select",
                      [(RATING_LABELS[r], r) for r in RATINGS], required=True),
            FormField("note", "New note (empty keeps the note already given)"),
            REASON,
        ]

        def save(v: Values) -> None:
            # Without a note the core keeps the rating's own; "" would blank it.
            note = {"note": v["note"]} if v["note"] else {}
            self.session.record("rating_corrected", event=int(v["event"]), rating=v["rating"],
                                reason=v["reason"], **note)

        self.open_form(_form_screen("rating: correct", fields, save))

    def story_clock_jump(self) -> None:
        now = self.state.story_now.isoformat(timespec="minutes")
        fields = [FormField("to", "New story time", value=now, required=True,
                            placeholder="2026-03-14T06:00+00:00"), REASON]

        def save(v: Values) -> None:
            self.session.record("story_clock_jumped", to=v["to"], reason=v["reason"])

        self.open_form(_form_screen("story clock: jump", fields, save,
                                  intro="Move the in-story date and time (e.g. overnight)."))

    def note_add(self) -> None:
        fields = [
            FormField("text", "Note", "text", required=True),
            FormField("team", "Team (optional)", "select", self._team_choices()),
        ]
        inject_id = self.viewing

        def save(v: Values) -> None:
            self.session.record("note_added", text=v["text"], team=v["team"], inject=inject_id)

        self.open_form(_form_screen("note: add", fields, save,
                                  intro=f"Attached to inject {inject_id}" if inject_id else ""))

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
        from tabletop.tui.console.palette import JUMP_QUERY_MIN, PaletteCommand

        target = self.target_inject()
        on = f"highlighted inject: {target}" if target else "highlight an inject first"
        yield from (
            PaletteCommand("inject: deliver next", self.action_deliver_next, "key n"),
            PaletteCommand("inject: view previous", self.action_view_previous,
                           "key p; view only, never undoes"),
            PaletteCommand("inject: skip", self.inject_skip, on),
            PaletteCommand("inject: hold", self.inject_hold, on),
            PaletteCommand("inject: release", self.inject_release, on),
            PaletteCommand("inject: re-time", self.inject_retime, on),
            PaletteCommand("inject: deliver out of order", self.inject_deliver_out_of_order, on),
            PaletteCommand("inject: write unscripted", self.write_unscripted,
                           "a new inject, delivered at once"),
            PaletteCommand("delivery: undo", self.delivery_undo,
                           "the highlighted delivered inject, else the current one"),
            PaletteCommand("decision: record", self.action_record_decision, "key d"),
            PaletteCommand("decision: amend", self.decision_amend, "correct a decision's text"),
            PaletteCommand("decision: retract", self.decision_retract, "it stays, struck out"),
            PaletteCommand("decision: move to team", self.decision_move,
                           "recorded against the wrong team"),
            PaletteCommand("rating: record", self.action_rate, "key r"),
            PaletteCommand("rating: correct", self.rating_correct, "replace a rating"),
            PaletteCommand("team: next", self.action_next_team, "key t"),
            PaletteCommand("clock: pause", lambda: self.clock_set(True), "key space"),
            PaletteCommand("clock: resume", lambda: self.clock_set(False), "key space"),
            PaletteCommand("story clock: jump", self.story_clock_jump,
                           "set the in-story date and time"),
            PaletteCommand("note: add", self.note_add, "a facilitator note"),
            PaletteCommand("hot wash: open", self.action_hotwash, "key h"),
            PaletteCommand("objective: rate", lambda: self.open_form(self._objective_form()),
                           "P/S/M/U with a reason"),
            PaletteCommand("history: show", self.action_history, "key y"),
            PaletteCommand("exercise: end (ENDEX)", self.exercise_end, "asks to confirm"),
            PaletteCommand("console: quit", self.action_quit_console, "key q; all is saved"),
            PaletteCommand("session: save a copy", self.session_save_copy,
                           "everything recorded, to a new session file"),
        )
        for n, team in enumerate(self.state.scenario.teams, 1):
            key = f"key {n}" if n <= 9 else ""
            yield PaletteCommand(f"team: select {team.name}",
                                 partial(self.select_team, team.id), key)
        if len(query) >= JUMP_QUERY_MIN:
            for inject_id in self.state.order:
                inject_state = self.state.injects[inject_id]
                yield PaletteCommand(
                    f"inject: jump to {inject_id} {inject_state.inject.title}",
                    partial(self.view, inject_id), inject_state.status, discover=False,
                )

    def session_save_copy(self) -> None:
        """Write everything this console holds to a new file: the way out when the
        session file was removed or replaced under it."""
        from pathlib import Path

        from tabletop.session.importing import save_copy

        current = self.session.journal.path
        suggested = current.with_name(f"{current.stem}-copy{current.suffix or '.db'}")
        fields = [FormField("path", "New session file", required=True, value=str(suggested))]

        def save(v: Values) -> None:
            copy = save_copy(self.session, Path(v["path"]).expanduser())
            self.notify(
                f"Saved a copy with {copy.events} events: {copy.path}. To go on recording "
                f"there, quit (q) and run: tabletop run {copy.exercise_id} --session "
                f"{copy.path}",
                title="Copy saved", timeout=30, markup=False,
            )

        self.open_form(_form_screen("session: save a copy", fields, save,
                                  intro="A new session file with every event recorded so "
                                  "far. It must not exist yet."))

    def action_quit_console(self) -> None:
        # The app closes the session (checkpoint) before it exits.
        leave: Callable[[], object] = getattr(self.app, "action_quit_console", self.app.exit)
        leave()


def _whole_minutes(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"play minute must be a whole number, not {text!r}") from None
    if value < 0:
        raise ValueError("play minute cannot be negative")
    return value
