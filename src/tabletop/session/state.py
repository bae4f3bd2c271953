"""Derived session state: what the journal's events add up to.

``SessionState`` is rebuilt by replaying events and then kept current by
``apply(event)`` for each new event, so that a keystroke costs O(1)-ish work,
not a replay. Nothing here is stored; the journal is the only truth.

CONTRACT (shared by the journal, the console and the report; keep it stable):

* ``SessionState(scenario)`` then ``apply(e)`` for each event in seq order.
* ``apply`` never raises on a well-formed event whose references are unknown
  (an old session replayed against changed code); it records the event in
  ``history`` and ignores what it cannot place. An event of a kind this
  version does not know is kept in ``history`` and ``unreadable``, not applied.
  A handler that fails raises.
* Branches: a conditional inject is eligible when the deciding team's latest
  non-retracted decision on the decision inject chose one of the condition's
  options; with no such decision the decision's ``default`` applies. An inject
  whose condition is false is shown as ``skipped-branch`` (never hidden).
  Deliveries are facts: an amendment never undoes a delivery that happened.
* A decision point is *settled* once an inject of one of its branches is
  delivered: from then on the branches follow what was delivered, not the
  decisions, so a late decision or an amendment is recorded but never opens a
  second branch. Undoing the deliveries unsettles it. Records made before this
  rule may hold two contradicting branches: ``branch_conflicts`` names them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal, TypeVar

import msgspec
from msgspec import UNSET

from tabletop.core.roles import ParticipantRole
from tabletop.core.scenario import Scenario, ScenarioInject, build
from tabletop.core.timefmt import LONGEST_OFFSET, format_offset, parse_datetime
from tabletop.session import events as ev
from tabletop.session.authors import Author
from tabletop.session.events import Event
from tabletop.session.playclock import PlayClock

InjectStatus = Literal["pending", "held", "delivered", "skipped", "skipped-branch"]

P = TypeVar("P", bound=ev.Payload)
Handler = Callable[["SessionState", Event, P], None]

HANDLERS: dict[type[ev.Payload], Callable[[SessionState, Event, Any], None]] = {}
"""The handler of each kind in the vocabulary, by payload type."""


def _applies(kind: type[P]) -> Callable[[Handler[P]], Handler[P]]:
    def register(handler: Handler[P]) -> Handler[P]:
        HANDLERS[kind] = handler
        return handler

    return register


@dataclass
class Delivery:
    seq: int
    """The inject_delivered / unscripted_inject event."""
    inject: str
    wall: float
    play_seconds: float
    """Play-clock time at delivery."""
    story_time: datetime
    """Story clock right after delivery."""
    undone: bool = False
    undo_reason: str = ""


@dataclass
class InjectState:
    inject: ScenarioInject
    status: InjectStatus = "pending"
    delivery: Delivery | None = None
    unscripted: bool = False
    skip_reason: str = ""
    hold_reason: str = ""
    play_minute: int | None = None
    """Planned play minute, after any re-timing."""
    retime_reason: str = ""
    held: bool = False
    """Held by the facilitator (shown as held unless something outranks it)."""
    skipped: bool = False
    """Skipped by the facilitator; an undone unscripted inject counts as skipped."""
    branch_open: bool = True
    """False when its branch condition is not met."""


@dataclass
class DecisionRevision:
    seq: int
    kind: str
    """decision_recorded / decision_amended / decision_moved / decision_retracted."""
    wall: float
    reason: str = ""
    team: str = ""
    """The decision as it read after this revision."""
    text: str = ""
    option: str | None = None
    items: list[str] = field(default_factory=list)


@dataclass
class DecisionState:
    seq: int
    """The original decision_recorded event; the decision's stable id."""
    team: str
    inject: str | None
    text: str
    option: str | None
    items: list[str]
    wall: float
    """When first recorded."""
    play_seconds: float
    story_time: datetime
    retracted: bool = False
    revisions: list[DecisionRevision] = field(default_factory=list)
    """Every event that touched this decision, oldest first (the original included)."""
    number: int = 0
    """1, 2, 3 … in the order recorded: what people call it ("#3"). A retracted
    decision keeps its number, and numbers never change; ``seq`` is the journal's."""

    @property
    def corrected(self) -> bool:
        return len(self.revisions) > 1


@dataclass
class RatingState:
    seq: int
    """The item_rated event (corrections keep pointing at it)."""
    team: str
    item: str
    rating: str
    note: str
    wall: float
    corrected_by: list[int] = field(default_factory=list)
    original_rating: str = ""
    """The rating as first recorded, before any correction."""
    original_note: str = ""
    correction_reasons: list[str] = field(default_factory=list)


@dataclass
class ObjectiveOverride:
    seq: int
    objective: str
    rating: str
    reason: str


@dataclass
class HotwashEntry:
    seq: int
    """The hotwash_entry event; its corrections point at it. The fields below are
    the entry as corrected (``SessionState.corrections`` lists the corrections)."""
    objective: str | None
    kind: ev.HotwashKind
    text: str
    team: str | None


@dataclass
class ImprovementAction:
    seq: int
    """The improvement_action event; its corrections point at it."""
    action: str
    item: str | None
    capability: str
    element: str = ""
    """Planning, Organization, Equipment, Training or Exercise; empty when not said."""
    organisation: str = ""
    """The primary responsible organisation."""
    poc: str = ""
    """The organisation's point of contact (format 4's ``owner``)."""
    start: str = ""
    completion: str = ""
    """ISO dates or empty (format 4's ``due`` is the completion date)."""
    observation: int | None = None
    """The seq of the area-for-improvement observation it answers."""

    @property
    def owner(self) -> str:
        """Format 4's name for the point of contact."""
        return self.poc

    @property
    def due(self) -> str:
        """Format 4's name for the completion date."""
        return self.completion


@dataclass
class ObservationState:
    seq: int
    """The observation_recorded event; its corrections point at it. The fields
    below are the observation as corrected."""
    number: int
    """1, 2, 3 … in the order recorded; a retracted one keeps its number."""
    text: str
    team: str | None
    objective: str | None
    item: str | None
    kind: ev.ObservationKind
    not_performed: bool
    """It marks a critical task not performed (evidence for a U)."""
    reference: str
    analysis: str
    recommendation: str
    inject: str | None
    wall: float
    story_time: datetime
    retracted: bool = False
    corrected: bool = False


@dataclass
class ParticipantState:
    seq: int
    """The participant_added event; its corrections point at it."""
    name: str
    organisation: str
    nation: str
    role: ParticipantRole
    team: str | None
    name_in_report: bool
    """Whether the report may name them (else it counts them only)."""
    removed: bool = False
    corrected: bool = False


@dataclass
class Note:
    seq: int
    """The note_added event; its corrections point at it."""
    text: str
    team: str | None
    inject: str | None
    wall: float
    story_time: datetime


Entry = TypeVar("Entry", HotwashEntry, ImprovementAction, Note, ObservationState,
                ParticipantState)


_RENAMED = {"owner": "poc", "due": "completion"}
"""An improvement action's fields as format 4 named them, and their names now."""


class SessionState:
    """Everything the events of one session add up to; see the module docstring.

    Rules beyond the contract above:

    * A decision counts for its branch at its original seq: the latest live
      decision is the newest *recorded* one; amending an older decision
      changes what it says, not when it was taken.
    * Only the deciding team's decisions with an option count (any team's when
      the decision names no team). A facilitator-skipped decision inject
      falls back to its default; an inject whose condition points at a
      ``skipped-branch`` inject is itself ``skipped-branch``.
    * Status precedence: delivered > skipped > skipped-branch > held > pending.
      Releasing clears a hold or a facilitator skip.
    * Undoing a scripted delivery returns the inject to pending; an undone
      unscripted inject is withdrawn (``skipped``, the undo reason as reason).
      The story clock and the current phase go back to where the remaining
      deliveries leave them (a jump or an explicit phase start still stands).
    * The current phase follows ``phase_started`` and moves forward on its own
      when an inject of a later phase is delivered; the first ``clock_resumed``
      enters the first phase if none has started.
    * ``exercise_ended`` stops the play clock for good: a later ``clock_resumed``
      (refused when recorded, but possible in older journals) is ignored.
    * A note, hot wash entry or improvement action is corrected in place and keeps
      its place in ``notes``, ``hotwash`` or ``actions``; a retracted one leaves
      them (and later corrections of it are ignored). ``corrections`` names both.
    * Observations and roster entries are corrected in place too; a retracted
      observation or a removed participant stays in ``observations`` or
      ``participants``, marked, and later corrections of it are ignored.
    """

    def __init__(self, scenario: Scenario, *, first_team: str | None = None) -> None:
        self.scenario = scenario
        self.injects: dict[str, InjectState] = {
            inject.id: InjectState(inject=inject, play_minute=inject.play_minute)
            for inject in scenario.injects
        }
        self.order: list[str] = [inject.id for inject in scenario.injects]
        self.decisions: dict[int, DecisionState] = {}
        self.ratings: dict[tuple[str, str], RatingState] = {}
        self.rating_history: list[RatingState] = []
        self.objective_overrides: dict[str, ObjectiveOverride] = {}
        self.notes: list[Note] = []
        self.hotwash: list[HotwashEntry] = []
        self.actions: list[ImprovementAction] = []
        """Notes, hot wash entries and improvement actions as corrected, oldest first;
        retracted ones are left out (the history keeps them)."""
        self.observations: dict[int, ObservationState] = {}
        """Every observation by seq, oldest first, as corrected; retracted ones stay,
        marked ``retracted``."""
        self.participants: dict[int, ParticipantState] = {}
        """The roster by seq, in the order added, as corrected; removed ones stay,
        marked ``removed``."""
        self.history: list[Event] = []
        self.unreadable: list[Event] = []
        """Events of kinds this version cannot read: kept, reported, never applied."""
        self.corrections: dict[int, list[int]] = {}
        self.selected_team: str = first_team or scenario.teams[0].id
        self.ended = False
        self.current_inject: str | None = None
        self.story_now: datetime = scenario.story_start_at
        self.last_seq = 0
        """The seq of the last event applied."""
        self.facilitator_last_wall: float | None = None
        """When the facilitator last recorded anything: a sign of life."""
        self.authors: set[Author] = set()
        """Everyone who has recorded in this session."""
        self.changed: list[str] = []
        """Ids of injects whose status or planned minute changed, or that were
        added, in the order it happened (a log: a view that remembers how far it
        has read redraws only those)."""

        self._clock = PlayClock()
        self._story_base: tuple[int, datetime] = (0, scenario.story_start_at)
        """(seq, time) of the last story-clock jump; later deliveries move it forward."""
        self._phase_base: tuple[int, str | None] = (0, None)
        """(seq, phase) of the last phase set by an event; later deliveries move it on."""
        self._last_wall: float | None = None
        self._by_seq: dict[int, Event] = {}
        self._deliveries: list[Delivery] = []
        self._delivery_by_seq: dict[int, Delivery] = {}
        self._rating_by_seq: dict[int, RatingState] = {}
        self._note_by_seq: dict[int, Note] = {}
        self._hotwash_by_seq: dict[int, HotwashEntry] = {}
        self._action_by_seq: dict[int, ImprovementAction] = {}
        self._retracted: set[int] = set()
        """The seqs of the notes, hot wash entries, improvement actions and observations
        retracted, and of the participants removed."""
        self._decisions_by_inject: dict[str, list[int]] = {}
        self._numbered: list[int] = []
        """The seq of decision #1, #2, … in the order recorded."""
        self._dependents: dict[str, list[str]] = {}
        for inject in scenario.injects:
            if inject.when is not None:
                self._dependents.setdefault(inject.when.inject, []).append(inject.id)
        self._pos: dict[str, int] = {inject_id: n for n, inject_id in enumerate(self.order)}
        self._phase_index = {phase.id: n for n, phase in enumerate(scenario.phases)}
        self._cursor = 0
        """Every inject in ``order`` before the cursor is known not to be pending."""
        for inject in scenario.injects:
            if inject.id in self._dependents:
                self._resolve_branches(inject.id)

    # ------------------------------------------------------------ queries

    @property
    def paused(self) -> bool:
        return self._clock.paused

    @property
    def current_phase(self) -> str | None:
        return self._clock.phase

    def play_seconds(self, now: float) -> float:
        return self._clock.seconds(now)

    def phase_play_seconds(self, phase_id: str, now: float) -> float:
        return self._clock.phase_seconds(phase_id, now)

    def last_activity(self) -> float | None:
        """Wall time of the latest event."""
        return self._last_wall

    def event(self, seq: int) -> Event | None:
        return self._by_seq.get(seq)

    def delivery(self, seq: int) -> Delivery | None:
        """The delivery made by event ``seq``."""
        return self._delivery_by_seq.get(seq)

    def rating(self, seq: int) -> RatingState | None:
        """The rating made by item_rated event ``seq``, corrections applied."""
        return self._rating_by_seq.get(seq)

    def note(self, seq: int) -> Note | None:
        """The note made by note_added event ``seq``, corrected, retracted or not."""
        return self._note_by_seq.get(seq)

    def hotwash_entry(self, seq: int) -> HotwashEntry | None:
        """The entry made by hotwash_entry event ``seq``, corrected, retracted or not."""
        return self._hotwash_by_seq.get(seq)

    def improvement_action(self, seq: int) -> ImprovementAction | None:
        """The action made by improvement_action event ``seq``, corrected, retracted or not."""
        return self._action_by_seq.get(seq)

    def observation(self, seq: int) -> ObservationState | None:
        """The observation made by observation_recorded event ``seq``, retracted or not."""
        return self.observations.get(seq)

    def participant(self, seq: int) -> ParticipantState | None:
        """The roster entry made by participant_added event ``seq``, removed or not."""
        return self.participants.get(seq)

    def retracted(self, seq: int) -> bool:
        """Whether the note, hot wash entry, improvement action or observation made by
        event ``seq`` has been retracted, or the participant removed (a decision says
        so itself: ``DecisionState.retracted``)."""
        return seq in self._retracted

    def next_inject(self) -> InjectState | None:
        while self._cursor < len(self.order):
            state = self.injects[self.order[self._cursor]]
            if state.status == "pending":
                return state
            self._cursor += 1
        return None

    def expecting(self, item: str) -> list[str]:
        """The injects whose expected actions name checklist item ``item``."""
        return [
            inject_id
            for inject_id in self.order
            if any(a.item == item for a in self.injects[inject_id].inject.expected_actions)
        ]

    def delivered(self) -> list[InjectState]:
        return [self.injects[d.inject] for d in self._deliveries if not d.undone]

    def deliveries(self) -> list[Delivery]:
        """Every delivery in order, undone ones included (flagged)."""
        return list(self._deliveries)

    def visible_to(self, team: str | None) -> list[InjectState]:
        return self.delivered() if team is None else self.delivered_to((team,))

    def delivered_to(self, teams: Sequence[str]) -> list[InjectState]:
        """The delivered injects any of ``teams`` received, in the order delivered."""
        return [
            s for s in self.delivered()
            if s.inject.to == "all" or any(team in s.inject.to for team in teams)
        ]

    def chosen_option(self, inject_id: str) -> str | None:
        state = self.injects.get(inject_id)
        if state is None or state.inject.decision is None:
            return None
        decision = state.inject.decision
        if state.status == "skipped":
            return decision.default
        valid = {option.id for option in decision.options}
        for seq in reversed(self._decisions_by_inject.get(inject_id, ())):
            taken = self.decisions[seq]
            if taken.retracted or taken.option not in valid:
                continue
            if decision.team is not None and taken.team != decision.team:
                continue
            return taken.option
        return decision.default

    def dependents(self, inject_id: str) -> Sequence[str]:
        """The injects whose condition names ``inject_id``, in timeline order."""
        return self._dependents.get(inject_id, ())

    def decision_numbered(self, number: int) -> DecisionState | None:
        """Decision #``number`` (1, 2, 3 … in the order recorded)."""
        if 1 <= number <= len(self._numbered):
            return self.decisions[self._numbered[number - 1]]
        return None

    def settled_options(self, inject_id: str) -> frozenset[str] | None:
        """The options of decision point ``inject_id`` that the delivered branches
        leave open, or None while none of its branches has been delivered."""
        settled: frozenset[str] | None = None
        for dependent in self._dependents.get(inject_id, ()):
            state = self.injects[dependent]
            if state.status == "delivered" and state.inject.when is not None:
                options = frozenset(state.inject.when.options)
                settled = options if settled is None else settled & options
        return settled

    def branch_taken(self, inject_id: str) -> str | None:
        """The option decision point ``inject_id`` played, once settled on one; else
        the option its decisions (or its default) choose."""
        settled = self.settled_options(inject_id)
        if settled is not None and len(settled) == 1:
            return next(iter(settled))
        chosen = self.chosen_option(inject_id)
        return chosen if settled is None or chosen in settled else None

    def undecided_point(self, inject_id: str) -> str | None:
        """The delivered decision point that ``inject_id`` is a branch of, when nobody
        has chosen one of its options and none of its branches has played yet:
        delivering ``inject_id`` then follows the default without anyone saying so."""
        condition = self.injects[inject_id].inject.when
        if condition is None:
            return None
        source = self.injects.get(condition.inject)
        if source is None or source.inject.decision is None or source.status != "delivered":
            return None
        if self.settled_options(condition.inject) is not None:
            return None
        decision = source.inject.decision
        valid = {option.id for option in decision.options}
        for seq in self._decisions_by_inject.get(condition.inject, ()):
            taken = self.decisions[seq]
            if (not taken.retracted and taken.option in valid
                    and decision.team in (None, taken.team)):
                return None
        return condition.inject

    def branch_conflicts(self) -> list[tuple[str, list[str]]]:
        """Decision points whose delivered branches contradict each other (possible
        only in records made before the rule): (decision inject, the injects)."""
        conflicts = []
        for source, dependents in self._dependents.items():
            if self.settled_options(source) == frozenset():
                played = [d for d in dependents if self.injects[d].status == "delivered"]
                conflicts.append((source, played))
        return conflicts

    def live_observations(self) -> list[ObservationState]:
        """The observations that stand, oldest first (retracted ones left out)."""
        return [o for o in self.observations.values() if not o.retracted]

    def roster(self) -> list[ParticipantState]:
        """The people on the roster, in the order added (removed ones left out)."""
        return [p for p in self.participants.values() if not p.removed]

    def live_decisions(
        self, team: str | None = None, inject: str | None = None
    ) -> list[DecisionState]:
        return [
            d
            for d in reversed(self.decisions.values())
            if not d.retracted
            and (team is None or d.team == team)
            and (inject is None or d.inject == inject)
        ]

    # ------------------------------------------------------------ applying events

    def apply(self, event: Event) -> None:
        """Fold one event into the state; events already applied are ignored.

        An event of a kind this version cannot read stays in the history and in
        ``unreadable``, and places nothing. A handler that fails raises: a bug
        must never pass for "the event placed nothing".
        """
        if event.seq <= self.last_seq:
            return
        self.last_seq = event.seq
        self.history.append(event)
        self._by_seq[event.seq] = event
        self.authors.add(event.author)
        if event.author.role == "facilitator":
            self.facilitator_last_wall = event.wall
        handler = HANDLERS.get(type(event.payload))
        if handler is None:
            self.unreadable.append(event)
        else:
            handler(self, event, event.payload)
        self._last_wall = event.wall

    @_applies(ev.SessionOpened)
    def _on_session_opened(self, event: Event, data: ev.SessionOpened) -> None:
        # The previous run ended (quit or crash) at its last event.
        self._clock.pause(self._last_wall if self._last_wall is not None else event.wall)

    @_applies(ev.FacilitatorOpened)
    def _on_facilitator_opened(self, event: Event, data: ev.FacilitatorOpened) -> None:
        # A clock the previous facilitator console left running stopped when it was
        # last seen; without that (an imported record), at the last event before.
        stopped = data.clock_stopped_at
        if stopped is None:
            stopped = self._last_wall if self._last_wall is not None else event.wall
        self._clock.pause(stopped)

    @_applies(ev.ClockPaused)
    def _on_clock_paused(self, event: Event, data: ev.ClockPaused) -> None:
        self._clock.pause(event.wall)

    @_applies(ev.ClockResumed)
    def _on_clock_resumed(self, event: Event, data: ev.ClockResumed) -> None:
        if self.ended:
            return
        self._clock.resume(event.wall)
        if self._clock.phase is None and self.scenario.phases:
            self._clock.enter_phase(self.scenario.phases[0].id, event.wall)
            self._phase_base = (event.seq, self._clock.phase)

    @_applies(ev.StoryClockJumped)
    def _on_story_clock_jumped(self, event: Event, data: ev.StoryClockJumped) -> None:
        moment = parse_datetime(data.to)
        if moment.tzinfo is not None:
            self.story_now = moment
            self._story_base = (event.seq, moment)

    @_applies(ev.PhaseStarted)
    def _on_phase_started(self, event: Event, data: ev.PhaseStarted) -> None:
        phase = data.phase
        if phase in self.scenario.phase_by_id:
            self._phase_base = (event.seq, phase)
            if phase != self._clock.phase:
                self._clock.enter_phase(phase, event.wall)

    @_applies(ev.TeamSelected)
    def _on_team_selected(self, event: Event, data: ev.TeamSelected) -> None:
        if data.team in self.scenario.team_by_id:
            self.selected_team = data.team

    @_applies(ev.ExerciseEnded)
    def _on_exercise_ended(self, event: Event, data: ev.ExerciseEnded) -> None:
        self._clock.pause(event.wall)
        self.ended = True

    @_applies(ev.InjectDelivered)
    def _on_inject_delivered(self, event: Event, data: ev.InjectDelivered) -> None:
        state = self.injects.get(data.inject)
        if state is not None and state.status != "delivered" and not state.unscripted:
            self._deliver(state, event)

    @_applies(ev.UnscriptedInject)
    def _on_unscripted_inject(self, event: Event, data: ev.UnscriptedInject) -> None:
        spec = data.inject
        if not isinstance(spec.id, str) or spec.id in self.injects:
            return
        inject = self._unscripted_model(spec)
        at = self._pos[self.current_inject] + 1 if self.current_inject else 0
        self.order.insert(at, inject.id)
        for n in range(at, len(self.order)):
            self._pos[self.order[n]] = n
        if at <= self._cursor:
            self._cursor += 1
        state = InjectState(inject=inject, unscripted=True)
        self.injects[inject.id] = state
        self.changed.append(inject.id)
        self._deliver(state, event)

    @_applies(ev.InjectSkipped)
    def _on_inject_skipped(self, event: Event, data: ev.InjectSkipped) -> None:
        state = self.injects.get(data.inject)
        if state is not None and state.status != "delivered" and not state.unscripted:
            state.skipped = True
            state.skip_reason = data.reason
            self._refresh(state)

    @_applies(ev.InjectHeld)
    def _on_inject_held(self, event: Event, data: ev.InjectHeld) -> None:
        state = self.injects.get(data.inject)
        if state is not None and state.status != "delivered" and not state.unscripted:
            state.held = True
            state.hold_reason = data.reason
            self._refresh(state)

    @_applies(ev.InjectReleased)
    def _on_inject_released(self, event: Event, data: ev.InjectReleased) -> None:
        state = self.injects.get(data.inject)
        if state is not None and not state.unscripted:
            state.held = False
            state.skipped = False
            self._refresh(state)

    @_applies(ev.InjectRetimed)
    def _on_inject_retimed(self, event: Event, data: ev.InjectRetimed) -> None:
        state = self.injects.get(data.inject)
        if state is not None:
            state.play_minute = data.play_minute
            state.retime_reason = data.reason
            self.changed.append(state.inject.id)

    @_applies(ev.DeliveryUndone)
    def _on_delivery_undone(self, event: Event, data: ev.DeliveryUndone) -> None:
        target = data.event
        delivery = self._delivery_by_seq.get(target)
        if delivery is None or delivery.undone:
            return
        self._note_correction(target, event)
        delivery.undone = True
        delivery.undo_reason = data.reason
        state = self.injects[delivery.inject]
        if state.unscripted:
            state.skipped = True
            state.skip_reason = delivery.undo_reason
        else:
            self._rewind_clocks(event.wall)
        self._refresh(state)
        if self.current_inject == delivery.inject:
            live = [d for d in self._deliveries if not d.undone]
            self.current_inject = live[-1].inject if live else None

    @_applies(ev.DecisionRecorded)
    def _on_decision_recorded(self, event: Event, data: ev.DecisionRecorded) -> None:
        team, inject, text, option = data.team, data.inject, data.text, data.option
        items = list(data.items)
        self.decisions[event.seq] = DecisionState(
            seq=event.seq,
            team=team,
            inject=inject,
            text=text,
            option=option,
            items=items,
            wall=event.wall,
            play_seconds=self.play_seconds(event.wall),
            story_time=self.story_now,
            revisions=[
                DecisionRevision(
                    event.seq, event.kind, event.wall, "", team, text, option, list(items)
                )
            ],
            number=len(self._numbered) + 1,
        )
        self._numbered.append(event.seq)
        if inject is not None:
            self._decisions_by_inject.setdefault(inject, []).append(event.seq)
            self._resolve_branches(inject)

    @_applies(ev.DecisionAmended)
    def _on_decision_amended(self, event: Event, data: ev.DecisionAmended) -> None:
        decision = self._decision_for(event, data.event)
        if decision is not None:
            if data.text is not UNSET:
                decision.text = data.text
            if data.option is not UNSET:
                decision.option = data.option
            if data.items is not UNSET:
                decision.items = list(data.items)
            self._revise(decision, event, data.reason)

    @_applies(ev.DecisionRetracted)
    def _on_decision_retracted(self, event: Event, data: ev.DecisionRetracted) -> None:
        decision = self._decision_for(event, data.event)
        if decision is not None:
            decision.retracted = True
            self._revise(decision, event, data.reason)

    @_applies(ev.DecisionMoved)
    def _on_decision_moved(self, event: Event, data: ev.DecisionMoved) -> None:
        decision = self._decision_for(event, data.event)
        if decision is not None:
            decision.team = data.team
            self._revise(decision, event, data.reason)

    @_applies(ev.ItemRated)
    def _on_item_rated(self, event: Event, data: ev.ItemRated) -> None:
        team, item, rating, note = data.team, data.item, data.rating, data.note
        state = RatingState(
            event.seq,
            team,
            item,
            rating,
            note,
            event.wall,
            original_rating=rating,
            original_note=note,
        )
        self.rating_history.append(state)
        self._rating_by_seq[event.seq] = state
        current = self.ratings.get((team, item))
        if current is None or current.seq < event.seq:
            self.ratings[(team, item)] = state

    @_applies(ev.RatingCorrected)
    def _on_rating_corrected(self, event: Event, data: ev.RatingCorrected) -> None:
        target = data.event
        state = self._rating_by_seq.get(target)
        if state is None:
            return
        self._note_correction(target, event)
        state.rating = data.rating
        if data.note is not UNSET:
            state.note = data.note
        state.corrected_by.append(event.seq)
        state.correction_reasons.append(data.reason)

    @_applies(ev.ObjectiveRated)
    def _on_objective_rated(self, event: Event, data: ev.ObjectiveRated) -> None:
        self.objective_overrides[data.objective] = ObjectiveOverride(
            event.seq, data.objective, data.rating, data.reason
        )

    @_applies(ev.NoteAdded)
    def _on_note_added(self, event: Event, data: ev.NoteAdded) -> None:
        note = Note(event.seq, data.text, data.team, data.inject, event.wall, self.story_now)
        self.notes.append(note)
        self._note_by_seq[event.seq] = note

    @_applies(ev.NoteCorrected)
    def _on_note_corrected(self, event: Event, data: ev.NoteCorrected) -> None:
        self._correct(self._note_by_seq, event, data)

    @_applies(ev.NoteRetracted)
    def _on_note_retracted(self, event: Event, data: ev.NoteRetracted) -> None:
        self._retract(self.notes, self._note_by_seq, event, data.event)

    @_applies(ev.HotwashEntry)
    def _on_hotwash_entry(self, event: Event, data: ev.HotwashEntry) -> None:
        entry = HotwashEntry(event.seq, data.objective, data.kind, data.text, data.team)
        self.hotwash.append(entry)
        self._hotwash_by_seq[event.seq] = entry

    @_applies(ev.HotwashEntryCorrected)
    def _on_hotwash_entry_corrected(self, event: Event, data: ev.HotwashEntryCorrected) -> None:
        self._correct(self._hotwash_by_seq, event, data)

    @_applies(ev.HotwashEntryRetracted)
    def _on_hotwash_entry_retracted(self, event: Event, data: ev.HotwashEntryRetracted) -> None:
        self._retract(self.hotwash, self._hotwash_by_seq, event, data.event)

    @_applies(ev.ImprovementAction)
    def _on_improvement_action(self, event: Event, data: ev.ImprovementAction) -> None:
        action = ImprovementAction(event.seq, data.action, data.item, data.capability)
        for name in ("element", "organisation", "poc", "start", "completion", "observation",
                     *_RENAMED):
            value = getattr(data, name)
            if value is not UNSET:  # left out: format 4 had no such column
                setattr(action, _RENAMED.get(name, name), value)
        self.actions.append(action)
        self._action_by_seq[event.seq] = action

    @_applies(ev.ImprovementActionCorrected)
    def _on_improvement_action_corrected(
        self, event: Event, data: ev.ImprovementActionCorrected
    ) -> None:
        self._correct(self._action_by_seq, event, data)

    @_applies(ev.ImprovementActionRetracted)
    def _on_improvement_action_retracted(
        self, event: Event, data: ev.ImprovementActionRetracted
    ) -> None:
        self._retract(self.actions, self._action_by_seq, event, data.event)

    @_applies(ev.ObservationRecorded)
    def _on_observation_recorded(self, event: Event, data: ev.ObservationRecorded) -> None:
        self.observations[event.seq] = ObservationState(
            event.seq, len(self.observations) + 1, data.text, data.team, data.objective,
            data.item, data.kind, data.not_performed, data.reference, data.analysis,
            data.recommendation, data.inject, event.wall, self.story_now,
        )

    @_applies(ev.ObservationCorrected)
    def _on_observation_corrected(self, event: Event, data: ev.ObservationCorrected) -> None:
        observation = self._correct(self.observations, event, data)
        if observation is not None:
            observation.corrected = True

    @_applies(ev.ObservationRetracted)
    def _on_observation_retracted(self, event: Event, data: ev.ObservationRetracted) -> None:
        observation = self._correcting(self.observations, event, data.event)
        if observation is not None:
            observation.retracted = True
            self._retracted.add(data.event)

    @_applies(ev.ParticipantAdded)
    def _on_participant_added(self, event: Event, data: ev.ParticipantAdded) -> None:
        self.participants[event.seq] = ParticipantState(
            event.seq, data.name, data.organisation, data.nation, data.role, data.team,
            data.name_in_report,
        )

    @_applies(ev.ParticipantCorrected)
    def _on_participant_corrected(self, event: Event, data: ev.ParticipantCorrected) -> None:
        participant = self._correct(self.participants, event, data)
        if participant is not None:
            participant.corrected = True

    @_applies(ev.ParticipantRemoved)
    def _on_participant_removed(self, event: Event, data: ev.ParticipantRemoved) -> None:
        participant = self._correcting(self.participants, event, data.event)
        if participant is not None:
            participant.removed = True
            self._retracted.add(data.event)

    # ------------------------------------------------------------ internals

    def _deliver(self, state: InjectState, event: Event) -> None:
        inject = state.inject
        if not state.unscripted:
            self.story_now = max(self.story_now, self.scenario.story_time_of(inject))
            self._follow_phase(inject.phase, event.wall)
        delivery = Delivery(
            event.seq, inject.id, event.wall, self.play_seconds(event.wall), self.story_now
        )
        state.delivery = delivery
        state.held = False
        state.skipped = False
        self._deliveries.append(delivery)
        self._delivery_by_seq[event.seq] = delivery
        self.current_inject = inject.id
        self._refresh(state)

    def _rewind_clocks(self, wall: float) -> None:
        """Story clock and phase as the live deliveries leave them (after an undo)."""
        story_seq, story = self._story_base
        phase_seq, phase = self._phase_base
        index = self._phase_index
        for delivery in self._deliveries:
            state = self.injects[delivery.inject]
            if delivery.undone or state.unscripted:
                continue
            if delivery.seq > story_seq:
                story = max(story, self.scenario.story_time_of(state.inject))
            later = index.get(state.inject.phase, -1) > index.get(phase or "", -1)
            if delivery.seq > phase_seq and later:
                phase = state.inject.phase
        self.story_now = story
        if phase is None and self._clock.phase is not None and self.scenario.phases:
            phase = self.scenario.phases[0].id
        if phase is not None and phase != self._clock.phase:
            self._clock.enter_phase(phase, wall)

    def _follow_phase(self, phase: str, wall: float) -> None:
        current = self._clock.phase
        index = self._phase_index
        if current is None or index.get(phase, -1) > index.get(current, -1):
            self._clock.enter_phase(phase, wall)

    def _unscripted_model(self, spec: ev.UnscriptedSpec) -> ScenarioInject:
        phase = self._clock.phase
        if phase is None and self.current_inject is not None:
            phase = self.injects[self.current_inject].inject.phase
        if phase is None:
            phase = self.scenario.phases[0].id
        # A story clock jumped years ahead places it at the furthest offset the
        # format can write (its delivery keeps the true story time).
        offset = max(self.story_now - self.scenario.story_start_at, timedelta(0))
        offset = min(offset, LONGEST_OFFSET)
        # The spec was checked against the same constrained types on writing
        # and on replay, and the offset and phase are the format's: building
        # the inject cannot fail.
        return build(
            ScenarioInject,
            {**msgspec.to_builtins(spec), "story_time": format_offset(offset), "phase": phase},
        )

    def _status_of(self, state: InjectState) -> InjectStatus:
        if state.delivery is not None and not state.delivery.undone:
            return "delivered"
        if state.skipped:
            return "skipped"
        if not state.branch_open:
            return "skipped-branch"
        if state.held:
            return "held"
        return "pending"

    def _refresh(self, state: InjectState) -> None:
        status = self._status_of(state)
        if status == state.status:
            return
        was_delivered = state.status == "delivered"
        state.status = status
        inject_id = state.inject.id
        self.changed.append(inject_id)
        if status == "pending":
            self._cursor = min(self._cursor, self._pos[inject_id])
        if inject_id in self._dependents:
            self._resolve_branches(inject_id)
        condition = state.inject.when
        if condition is not None and was_delivered != (status == "delivered"):
            self._resolve_branches(condition.inject)  # its decision point (un)settled

    def _resolve_branches(self, inject_id: str) -> None:
        """Re-evaluate the injects whose condition points at ``inject_id``."""
        for dependent in self._dependents.get(inject_id, ()):
            state = self.injects[dependent]
            holds = self._condition_holds(state.inject)
            if holds != state.branch_open:
                state.branch_open = holds
                self._refresh(state)

    def _condition_holds(self, inject: ScenarioInject) -> bool:
        condition = inject.when
        if condition is None:
            return True
        source = self.injects.get(condition.inject)
        if source is None:
            return True
        if not source.branch_open and source.status != "delivered":
            return False
        settled = self.settled_options(condition.inject)
        if settled is not None:
            return not settled.isdisjoint(condition.options)
        chosen = self.chosen_option(condition.inject)
        return chosen is None or chosen in condition.options

    def _decision_for(self, event: Event, target: int) -> DecisionState | None:
        decision = self.decisions.get(target)
        if decision is not None:
            self._note_correction(target, event)
        return decision

    def _revise(self, decision: DecisionState, event: Event, reason: str) -> None:
        decision.revisions.append(
            DecisionRevision(
                event.seq,
                event.kind,
                event.wall,
                reason,
                decision.team,
                decision.text,
                decision.option,
                list(decision.items),
            )
        )
        if decision.inject is not None:
            self._resolve_branches(decision.inject)

    def _note_correction(self, target: int, event: Event) -> None:
        self.corrections.setdefault(target, []).append(event.seq)

    def _correcting(self, by_seq: dict[int, Entry], event: Event, target: int) -> Entry | None:
        """The live note, entry or action ``event`` corrects, the correction noted."""
        entry = by_seq.get(target)
        if entry is None or target in self._retracted:
            return None
        self._note_correction(target, event)
        return entry

    def _correct(
        self, by_seq: dict[int, Entry], event: Event, data: ev.Correction
    ) -> Entry | None:
        """Apply the fields a correction sets to the live record it names (its fields
        are named as the record's, or by format 4's names in ``_RENAMED``; the checks
        fill in every one). Returns the record, None when there is none to correct."""
        entry = self._correcting(by_seq, event, data.event)
        if entry is not None:
            for name in data.__struct_fields__:
                value = getattr(data, name)
                if name not in ("event", "reason") and value is not UNSET:
                    setattr(entry, _RENAMED.get(name, name), value)
        return entry

    def _retract(
        self, live: list[Entry], by_seq: dict[int, Entry], event: Event, target: int
    ) -> None:
        entry = self._correcting(by_seq, event, target)
        if entry is not None:
            self._retracted.add(target)
            live[:] = [kept for kept in live if kept is not entry]



class StateNames:
    """Names as the scenario gives them, for event descriptions (``events.Names``):
    team names, phase titles, inject titles (unscripted ones included)."""

    def __init__(self, state: SessionState) -> None:
        self.state = state

    def team(self, team_id: str) -> str:
        team = self.state.scenario.team_by_id.get(team_id)
        return team.name if team else team_id

    def phase(self, phase_id: str) -> str:
        phase = self.state.scenario.phase_by_id.get(phase_id)
        return phase.title if phase else phase_id

    def inject(self, inject_id: str) -> str:
        inject = self.state.injects.get(inject_id)
        return inject.inject.title if inject else inject_id

    def decision(self, seq: int) -> str:
        decision = self.state.decisions.get(seq)
        return f"#{decision.number}" if decision else f"at event {seq}"
