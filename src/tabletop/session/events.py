"""The session's event vocabulary: what can be appended to the journal.

Events are facts, never edited or deleted. A correction is a new event that
points at the one it corrects (by ``seq``) and carries a reason. All derived
state (deliveries, decisions, ratings, clocks, branches) comes from replaying
these in order; see :mod:`tabletop.session.state`.

Each kind is declared once, below, as a typed payload: its fields are the keys
of the stored JSON (``docs/export.md``), its class says which kinds it
corrects, and its ``describe`` is the sentence the history view and the report
show. The checks that run before an event is written (:mod:`.checks`) and the
handler that applies it (:mod:`.state`) are registered against the same class;
``tests/session/test_vocabulary.py`` fails when a kind lacks either.

An event of a kind this version does not know (a newer version wrote it) is
read as :class:`Unreadable`: kept in the history and reported, never applied.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, Protocol, get_args

import msgspec
from msgspec import UNSET, UnsetType

from tabletop.core.roles import ParticipantRole
from tabletop.core.vocabulary import (
    OBJECTIVE_RATING_LABELS,
    RATING_LABELS,
    Audience,
    Channel,
    Filled,
    Id,
    ObjectiveRating,
    PlayMinute,
    Rating,
    Text,
)
from tabletop.session.authors import UNNAMED_FACILITATOR, Author

KIND_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,63}(?!\n)$")
"""What any kind's name looks like, known to this version or not."""


class Names(Protocol):
    """How a description names what an event points at, as the scenario does."""

    def team(self, team_id: str) -> str: ...

    def phase(self, phase_id: str) -> str: ...

    def inject(self, inject_id: str) -> str: ...

    def decision(self, seq: int) -> str:
        """The decision recorded by event ``seq`` as people number it ("#3")."""
        ...


class Payload(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One kind of event: its fields are the stored JSON object's keys, in order."""

    KIND: ClassVar[str]
    CORRECTS: ClassVar[frozenset[str]] = frozenset()
    """The kinds of event this one corrects, named by seq in its ``event`` field."""
    OVERRULES: ClassVar[bool] = False
    """Changes what the record concludes without correcting one event (an objective
    rated by hand); the report counts it with the corrections."""

    def describe(self, names: Names) -> str:
        raise NotImplementedError(f"{type(self).__name__} has no description")

    @property
    def target(self) -> int | None:
        """The seq of the event this one corrects, if it is a correction."""
        return None

    @property
    def team_ref(self) -> str | None:
        """The team the event concerns, if it names one."""
        team = getattr(self, "team", None)
        return team if isinstance(team, str) else None

    @property
    def inject_ref(self) -> str | None:
        """The inject the event concerns, if it names one."""
        inject = getattr(self, "inject", None)
        return inject if isinstance(inject, str) else None

    def stored(self) -> dict[str, Any]:
        """The payload as the journal and an export hold it: its JSON, read back."""
        result: dict[str, Any] = msgspec.json.decode(encode(self))
        return result


class Correction(Payload, frozen=True, kw_only=True):
    """An event that corrects an earlier one, named by its seq."""

    event: int

    @property
    def target(self) -> int | None:
        return self.event


def _because(text: str, reason: str) -> str:
    return f"{text} (reason: {reason})" if reason else text


# ------------------------------------------------------------ session and clocks


class SessionOpened(Payload, frozen=True, kw_only=True):
    """A console opened the session; the play clock starts paused. Written by
    format 3 and before, when every console was the facilitator's; replaced by
    :class:`FacilitatorOpened`."""

    KIND = "session_opened"

    def describe(self, names: Names) -> str:
        return "Session opened"


class FacilitatorOpened(Payload, frozen=True, kw_only=True):
    """The facilitator's console opened the session; the play clock starts paused.

    Other consoles coming and going leave no event: they are no fact of the
    exercise, and never stop its clock.
    """

    KIND = "facilitator_opened"
    clock_stopped_at: float | None = None
    """When the previous facilitator console was last seen (closed, or its last
    sign of life before it was lost): a clock it left running stopped then."""

    def describe(self, names: Names) -> str:
        if self.clock_stopped_at is None:
            return "Facilitator console opened"
        stopped = time.strftime("%H:%M:%S UTC", time.gmtime(self.clock_stopped_at))
        return f"Facilitator console opened (the previous one was last seen at {stopped})"


class ClockPaused(Payload, frozen=True, kw_only=True):
    KIND = "clock_paused"

    def describe(self, names: Names) -> str:
        return "Play clock paused"


class ClockResumed(Payload, frozen=True, kw_only=True):
    KIND = "clock_resumed"

    def describe(self, names: Names) -> str:
        return "Play clock resumed"


class StoryClockJumped(Payload, frozen=True, kw_only=True):
    KIND = "story_clock_jumped"
    to: str
    """A date and time with a zone, as typed (the checks read it and store it as
    ``datetime.isoformat()`` gives it)."""
    reason: str = ""

    def describe(self, names: Names) -> str:
        return _because(f"Story clock set to {self.to}", self.reason)


class PhaseStarted(Payload, frozen=True, kw_only=True):
    KIND = "phase_started"
    phase: str

    def describe(self, names: Names) -> str:
        return f"Phase started: {names.phase(self.phase)}"


class TeamSelected(Payload, frozen=True, kw_only=True):
    """View state, written by format 3 and before so that a resumed console showed
    the same team; a console now keeps its selected team to itself."""

    KIND = "team_selected"
    team: str

    def describe(self, names: Names) -> str:
        return f"Console switched to {names.team(self.team)}"


class ExerciseEnded(Payload, frozen=True, kw_only=True):
    """ENDEX: the play clock stops for good."""

    KIND = "exercise_ended"

    def describe(self, names: Names) -> str:
        return "Exercise ended (ENDEX)"


# ------------------------------------------------------------ the timeline


class InjectDelivered(Payload, frozen=True, kw_only=True):
    KIND = "inject_delivered"
    inject: str

    def describe(self, names: Names) -> str:
        return f"Delivered: {names.inject(self.inject)}"


class UnscriptedSpec(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """An inject written during play, with the format's rules for its fields."""

    id: Id | UnsetType = UNSET
    """Given by the checks (the next free ``unscripted-N``) when left out."""
    title: Text
    channel: Channel
    sender: Text = msgspec.field(name="from")
    to: Audience = "all"
    body: str = ""


class UnscriptedInject(Payload, frozen=True, kw_only=True):
    """An inject written during play, delivered at once."""

    KIND = "unscripted_inject"
    inject: UnscriptedSpec

    def describe(self, names: Names) -> str:
        return f"Unscripted inject: {self.inject.title}"

    @property
    def inject_ref(self) -> str | None:
        return self.inject.id if isinstance(self.inject.id, str) else None


class InjectSkipped(Payload, frozen=True, kw_only=True):
    KIND = "inject_skipped"
    inject: str
    reason: str = ""

    def describe(self, names: Names) -> str:
        return _because(f"Skipped: {names.inject(self.inject)}", self.reason)


class InjectHeld(Payload, frozen=True, kw_only=True):
    KIND = "inject_held"
    inject: str
    reason: str = ""

    def describe(self, names: Names) -> str:
        return _because(f"Held: {names.inject(self.inject)}", self.reason)


class InjectReleased(Payload, frozen=True, kw_only=True):
    """Clears a hold or a facilitator's skip."""

    KIND = "inject_released"
    inject: str
    reason: str = ""

    def describe(self, names: Names) -> str:
        return _because(f"Released: {names.inject(self.inject)}", self.reason)


class InjectRetimed(Payload, frozen=True, kw_only=True):
    KIND = "inject_retimed"
    inject: str
    play_minute: PlayMinute
    reason: str = ""

    def describe(self, names: Names) -> str:
        return _because(
            f"Re-timed: {names.inject(self.inject)} to play minute {self.play_minute}",
            self.reason,
        )


class DeliveryUndone(Correction, frozen=True, kw_only=True):
    KIND = "delivery_undone"
    CORRECTS = frozenset({"inject_delivered", "unscripted_inject"})
    reason: Filled

    def describe(self, names: Names) -> str:
        return _because(f"Delivery #{self.event} undone", self.reason)


# ------------------------------------------------------------ decisions


class DecisionRecorded(Payload, frozen=True, kw_only=True):
    KIND = "decision_recorded"
    team: str
    inject: str | None = None
    text: Filled
    option: str | None = None
    """The decision point's option it chose, when it answers one."""
    items: tuple[str, ...] = ()
    """Checklist items (``checklist/item``) the decision evidences."""

    def describe(self, names: Names) -> str:
        return f"{names.team(self.team)} decided: {self.text}"


class DecisionAmended(Correction, frozen=True, kw_only=True):
    """What a decision says, changed; a field left out keeps what it said
    (the checks fill it in, so a stored amendment is complete)."""

    KIND = "decision_amended"
    CORRECTS = frozenset({"decision_recorded"})
    text: Filled | UnsetType = UNSET
    option: str | UnsetType | None = UNSET
    items: tuple[str, ...] | UnsetType = UNSET
    reason: Filled

    def describe(self, names: Names) -> str:
        text = self.text if isinstance(self.text, str) else ""
        return _because(f"Decision {names.decision(self.event)} amended to: {text}", self.reason)


class DecisionRetracted(Correction, frozen=True, kw_only=True):
    KIND = "decision_retracted"
    CORRECTS = frozenset({"decision_recorded"})
    reason: Filled

    def describe(self, names: Names) -> str:
        return _because(f"Decision {names.decision(self.event)} retracted", self.reason)


class DecisionMoved(Correction, frozen=True, kw_only=True):
    """A decision recorded at the wrong table, given to the team that took it."""

    KIND = "decision_moved"
    CORRECTS = frozenset({"decision_recorded"})
    team: str
    reason: Filled

    def describe(self, names: Names) -> str:
        return _because(f"Decision {names.decision(self.event)} moved to "
                        f"{names.team(self.team)}", self.reason)


# ------------------------------------------------------------ evaluation


class ItemRated(Payload, frozen=True, kw_only=True):
    KIND = "item_rated"
    team: str
    item: str
    """A checklist item, ``checklist/item``."""
    rating: Rating
    note: str = ""

    def describe(self, names: Names) -> str:
        return f"{names.team(self.team)}, {self.item}: {RATING_LABELS[self.rating]}"


class RatingCorrected(Correction, frozen=True, kw_only=True):
    KIND = "rating_corrected"
    CORRECTS = frozenset({"item_rated"})
    rating: Rating
    note: str | UnsetType = UNSET
    """Left out: the rating's note stays (the checks fill it in)."""
    reason: Filled

    def describe(self, names: Names) -> str:
        return _because(
            f"Rating #{self.event} corrected to {RATING_LABELS[self.rating]}", self.reason
        )


class ObjectiveRated(Payload, frozen=True, kw_only=True):
    """An evaluator's own rating of an objective, overruling the computed one."""

    KIND = "objective_rated"
    OVERRULES = True
    objective: str
    rating: ObjectiveRating
    reason: Filled

    def describe(self, names: Names) -> str:
        label = OBJECTIVE_RATING_LABELS[self.rating]
        return _because(f"Objective {self.objective} rated {label}", self.reason)


class NoteAdded(Payload, frozen=True, kw_only=True):
    KIND = "note_added"
    text: Filled
    team: str | None = None
    inject: str | None = None

    def describe(self, names: Names) -> str:
        return f"Note: {self.text}"


class NoteCorrected(Correction, frozen=True, kw_only=True):
    """What a note says, corrected; a field left out keeps what the note said
    (the checks fill it in, so a stored correction is complete)."""

    KIND = "note_corrected"
    CORRECTS = frozenset({"note_added"})
    text: Filled | UnsetType = UNSET
    team: str | UnsetType | None = UNSET
    inject: str | UnsetType | None = UNSET
    reason: Filled

    def describe(self, names: Names) -> str:
        text = self.text if isinstance(self.text, str) else ""
        return _because(f"Note #{self.event} corrected to: {text}", self.reason)


class NoteRetracted(Correction, frozen=True, kw_only=True):
    KIND = "note_retracted"
    CORRECTS = frozenset({"note_added"})
    reason: Filled

    def describe(self, names: Names) -> str:
        return _because(f"Note #{self.event} retracted", self.reason)


# ------------------------------------------------------------ the hot wash

HotwashKind = Literal["strength", "improvement"]


class HotwashEntry(Payload, frozen=True, kw_only=True):
    KIND = "hotwash_entry"
    objective: str | None = None
    kind: HotwashKind
    text: Filled
    team: str | None = None

    def describe(self, names: Names) -> str:
        return f"Hot wash ({self.kind}): {self.text}"


class HotwashEntryCorrected(Correction, frozen=True, kw_only=True):
    """A hot wash entry, corrected; a field left out keeps what the entry said
    (the checks fill it in, so a stored correction is complete)."""

    KIND = "hotwash_entry_corrected"
    CORRECTS = frozenset({"hotwash_entry"})
    objective: str | UnsetType | None = UNSET
    kind: HotwashKind | UnsetType = UNSET
    text: Filled | UnsetType = UNSET
    team: str | UnsetType | None = UNSET
    reason: Filled

    def describe(self, names: Names) -> str:
        kind = self.kind if isinstance(self.kind, str) else ""
        text = self.text if isinstance(self.text, str) else ""
        return _because(f"Hot wash entry #{self.event} corrected to ({kind}): {text}",
                        self.reason)


class HotwashEntryRetracted(Correction, frozen=True, kw_only=True):
    KIND = "hotwash_entry_retracted"
    CORRECTS = frozenset({"hotwash_entry"})
    reason: Filled

    def describe(self, names: Names) -> str:
        return _because(f"Hot wash entry #{self.event} retracted", self.reason)


CapabilityElement = Literal["Planning", "Organization", "Equipment", "Training", "Exercise"]
"""The HSEEP improvement plan's capability elements: what a corrective action changes."""
CAPABILITY_ELEMENTS: tuple[CapabilityElement, ...] = get_args(CapabilityElement)

class ImprovementAction(Payload, frozen=True, kw_only=True):
    """A corrective action of the improvement plan, with the plan's columns.

    Format 4 and before wrote ``owner`` and ``due`` instead of the columns: they
    read as ``poc`` and ``completion`` (the checks move them there, so no new
    event holds them)."""

    KIND = "improvement_action"
    action: Filled
    item: str | None = None
    capability: str = ""
    # The plan's columns (format 5) are filled in by the checks, so every new event
    # holds them; an event from before them is stored, and exported, as it was.
    element: CapabilityElement | Literal[""] | UnsetType = UNSET
    organisation: str | UnsetType = UNSET
    """The primary responsible organisation."""
    poc: str | UnsetType = UNSET
    """The organisation's point of contact."""
    start: str | UnsetType = UNSET
    """An ISO date (``2026-06-30``), or empty; so is ``completion``."""
    completion: str | UnsetType = UNSET
    observation: int | UnsetType | None = UNSET
    """The seq of the area-for-improvement observation the action answers."""
    owner: str | UnsetType = UNSET
    due: str | UnsetType = UNSET

    def describe(self, names: Names) -> str:
        return f"Action: {self.action}"


class ImprovementActionCorrected(Correction, frozen=True, kw_only=True):
    """An improvement action, corrected; a field left out keeps what the action
    said (the checks fill it in, so a stored correction is complete). ``owner``
    and ``due`` are format 4's names of ``poc`` and ``completion``."""

    KIND = "improvement_action_corrected"
    CORRECTS = frozenset({"improvement_action"})
    action: Filled | UnsetType = UNSET
    item: str | UnsetType | None = UNSET
    capability: str | UnsetType = UNSET
    element: CapabilityElement | Literal[""] | UnsetType = UNSET
    organisation: str | UnsetType = UNSET
    poc: str | UnsetType = UNSET
    start: str | UnsetType = UNSET
    completion: str | UnsetType = UNSET
    observation: int | UnsetType | None = UNSET
    owner: str | UnsetType = UNSET
    due: str | UnsetType = UNSET
    reason: Filled

    def describe(self, names: Names) -> str:
        action = self.action if isinstance(self.action, str) else ""
        poc = self.poc if isinstance(self.poc, str) else self.owner
        completion = self.completion if isinstance(self.completion, str) else self.due
        who = [f"{label} {value}" for label, value in (("POC", poc), ("completion", completion))
               if isinstance(value, str) and value]
        said = f"{action} ({', '.join(who)})" if who else action
        return _because(f"Action #{self.event} corrected to: {said}", self.reason)


class ImprovementActionRetracted(Correction, frozen=True, kw_only=True):
    KIND = "improvement_action_retracted"
    CORRECTS = frozenset({"improvement_action"})
    reason: Filled

    def describe(self, names: Names) -> str:
        return _because(f"Action #{self.event} retracted", self.reason)



# ------------------------------------------------------------ observations

ObservationKind = Literal["strength", "improvement", "neutral"]
OBSERVATION_KIND_LABELS: dict[str, str] = {
    "strength": "strength",
    "improvement": "area for improvement",
    "neutral": "observation",
}


class ObservationRecorded(Payload, frozen=True, kw_only=True):
    """What an evaluator saw, by team, linked to an objective and/or a checklist item.

    An area for improvement carries the plan, policy or doctrine it is measured
    against (``reference``), its root cause (``analysis``) and a
    ``recommendation``; ``not_performed`` marks a critical task not performed."""

    KIND = "observation_recorded"
    kind: ObservationKind
    text: Filled
    team: str | None = None
    objective: str | None = None
    item: str | None = None
    inject: str | None = None
    not_performed: bool = False
    reference: str = ""
    analysis: str = ""
    recommendation: str = ""

    def describe(self, names: Names) -> str:
        team = f", {names.team(self.team)}" if self.team else ""
        missed = ", critical task not performed" if self.not_performed else ""
        return f"Observation ({OBSERVATION_KIND_LABELS[self.kind]}{team}{missed}): {self.text}"


class ObservationCorrected(Correction, frozen=True, kw_only=True):
    """An observation, corrected; a field left out keeps what it said (the checks
    fill it in, so a stored correction is complete)."""

    KIND = "observation_corrected"
    CORRECTS = frozenset({"observation_recorded"})
    kind: ObservationKind | UnsetType = UNSET
    text: Filled | UnsetType = UNSET
    team: str | UnsetType | None = UNSET
    objective: str | UnsetType | None = UNSET
    item: str | UnsetType | None = UNSET
    inject: str | UnsetType | None = UNSET
    not_performed: bool | UnsetType = UNSET
    reference: str | UnsetType = UNSET
    analysis: str | UnsetType = UNSET
    recommendation: str | UnsetType = UNSET
    reason: Filled

    def describe(self, names: Names) -> str:
        kind = OBSERVATION_KIND_LABELS[self.kind] if isinstance(self.kind, str) else ""
        text = self.text if isinstance(self.text, str) else ""
        return _because(f"Observation #{self.event} corrected to ({kind}): {text}", self.reason)


class ObservationRetracted(Correction, frozen=True, kw_only=True):
    KIND = "observation_retracted"
    CORRECTS = frozenset({"observation_recorded"})
    reason: Filled

    def describe(self, names: Names) -> str:
        return _because(f"Observation #{self.event} retracted", self.reason)


# ------------------------------------------------------------ the roster


class ParticipantAdded(Payload, frozen=True, kw_only=True):
    """Someone who took part, as the sign-in sheet has them. Descriptions never name
    the person: the history goes into the report, and only people marked
    ``name_in_report`` may be named there (the roster appendix decides)."""

    KIND = "participant_added"
    name: Filled
    organisation: str = ""
    nation: str = ""
    role: ParticipantRole = "player"
    team: str | None = None
    name_in_report: bool = False

    def describe(self, names: Names) -> str:
        return f"Participant added: {_participant(self.role, self.organisation, self.team, names)}"


def _participant(role: str, organisation: str, team: str | None, names: Names) -> str:
    where = [part for part in (organisation, names.team(team) if team else "") if part]
    article = "an" if role[:1] in ("a", "e", "i", "o", "u") else "a"
    return f"{article} {role}" + (f" ({', '.join(where)})" if where else "")


class ParticipantCorrected(Correction, frozen=True, kw_only=True):
    """A roster entry, corrected; a field left out keeps what it said (the checks
    fill it in, so a stored correction is complete)."""

    KIND = "participant_corrected"
    CORRECTS = frozenset({"participant_added"})
    name: Filled | UnsetType = UNSET
    organisation: str | UnsetType = UNSET
    nation: str | UnsetType = UNSET
    role: ParticipantRole | UnsetType = UNSET
    team: str | UnsetType | None = UNSET
    name_in_report: bool | UnsetType = UNSET
    reason: Filled

    def describe(self, names: Names) -> str:
        return _because(f"Participant #{self.event} corrected", self.reason)


class ParticipantRemoved(Correction, frozen=True, kw_only=True):
    """A roster entry taken off the roster (signed in by mistake, or twice)."""

    KIND = "participant_removed"
    CORRECTS = frozenset({"participant_added"})
    reason: Filled

    def describe(self, names: Names) -> str:
        return _because(f"Participant #{self.event} removed from the roster", self.reason)


# ------------------------------------------------------------ the vocabulary

VOCABULARY: tuple[type[Payload], ...] = (
    SessionOpened,
    FacilitatorOpened,
    ClockPaused,
    ClockResumed,
    StoryClockJumped,
    PhaseStarted,
    TeamSelected,
    ExerciseEnded,
    InjectDelivered,
    UnscriptedInject,
    InjectSkipped,
    InjectHeld,
    InjectReleased,
    InjectRetimed,
    DeliveryUndone,
    DecisionRecorded,
    DecisionAmended,
    DecisionRetracted,
    DecisionMoved,
    ItemRated,
    RatingCorrected,
    ObjectiveRated,
    NoteAdded,
    NoteCorrected,
    NoteRetracted,
    HotwashEntry,
    HotwashEntryCorrected,
    HotwashEntryRetracted,
    ImprovementAction,
    ImprovementActionCorrected,
    ImprovementActionRetracted,
    ObservationRecorded,
    ObservationCorrected,
    ObservationRetracted,
    ParticipantAdded,
    ParticipantCorrected,
    ParticipantRemoved,
)
"""Every kind this version reads and writes, in the order ``docs/export.md`` lists them."""

PAYLOAD_OF: dict[str, type[Payload]] = {payload.KIND: payload for payload in VOCABULARY}
LEGACY_KINDS: frozenset[str] = frozenset({SessionOpened.KIND, TeamSelected.KIND})
"""Kinds older formats wrote that consoles no longer record: read, replayed and
imported as ever (an old export holds them), never written by live play."""
EVENT_KINDS: frozenset[str] = frozenset(PAYLOAD_OF)
CORRECTABLE: dict[str, frozenset[str]] = {
    payload.KIND: payload.CORRECTS for payload in VOCABULARY if payload.CORRECTS
}
CORRECTION_KINDS: frozenset[str] = frozenset(
    payload.KIND for payload in VOCABULARY if payload.CORRECTS or payload.OVERRULES
)
"""Events that change or overrule what was recorded earlier."""
DELIVERY_KINDS: frozenset[str] = frozenset(
    payload.KIND for payload in (InjectDelivered, UnscriptedInject, DeliveryUndone)
)
"""Events that change what has been delivered."""
DECISION_KINDS: frozenset[str] = frozenset(
    payload.KIND
    for payload in (DecisionRecorded, DecisionAmended, DecisionRetracted, DecisionMoved)
)
"""Events that change what the decision log shows."""


class Unreadable(Payload, frozen=True, kw_only=True):
    """An event of a kind this version does not know: kept as it was stored."""

    KIND = ""
    kind: str
    raw: dict[str, Any]

    def describe(self, names: Names) -> str:
        return (
            f"An event of kind '{self.kind}', which this version of tabletop cannot read "
            "(a newer version wrote it); kept, not applied"
        )

    @property
    def team_ref(self) -> str | None:
        return None

    @property
    def inject_ref(self) -> str | None:
        return None


class PayloadError(ValueError):
    """A payload that is not one of its kind; ``str()`` is one line for people."""


def kind_of(payload: Payload) -> str:
    """The kind an event with this payload is stored as."""
    return payload.kind if isinstance(payload, Unreadable) else payload.KIND


def convert(kind: str, data: dict[str, Any]) -> Payload:
    """A payload given as plain data (a form, an import), typed; raises PayloadError."""
    payload_type = PAYLOAD_OF[kind]
    try:
        return msgspec.convert(data, payload_type)
    except msgspec.ValidationError as exc:
        raise PayloadError(_said(kind, exc, payload_type)) from None


MAX_UNREAD_DEPTH = 32
"""How deeply a payload this version cannot read may nest; the known kinds nest
three levels at most, so deeper is damage (and would exhaust the stack)."""


def unreadable(kind: str, raw: object) -> Unreadable:
    """A payload of a kind this version does not know, as it came; raises
    PayloadError unless it is a JSON object of a sane depth."""
    if not isinstance(raw, dict):
        raise PayloadError("its payload is not a JSON object")
    todo: list[tuple[object, int]] = [(raw, 1)]
    while todo:
        value, depth = todo.pop()
        if depth > MAX_UNREAD_DEPTH:
            raise PayloadError(f"its payload nests more than {MAX_UNREAD_DEPTH} levels deep")
        if isinstance(value, dict):
            todo.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            todo.extend((item, depth + 1) for item in value)
    return Unreadable(kind=kind, raw=raw)


def payload_of(kind: str, data: dict[str, Any]) -> Payload:
    """Plain data as the payload of ``kind``, as replay would read it: an unknown
    kind is Unreadable; a known one must have its shape (raises PayloadError)."""
    return convert(kind, data) if kind in PAYLOAD_OF else unreadable(kind, data)


def decode(kind: str, stored: bytes | str) -> Payload:
    """A payload as the journal stored it; an unknown kind reads as Unreadable.

    Raises PayloadError when the JSON is not an object, or not one of its kind.
    """
    payload_type = PAYLOAD_OF.get(kind)
    if payload_type is None:
        try:
            raw = msgspec.json.decode(stored)
        except msgspec.DecodeError as exc:
            raise PayloadError(f"its payload is not JSON ({exc})") from None
        except RecursionError:
            raise PayloadError(
                f"its payload nests more than {MAX_UNREAD_DEPTH} levels deep"
            ) from None
        return unreadable(kind, raw)
    try:
        return msgspec.json.decode(stored, type=payload_type)
    except msgspec.MsgspecError as exc:
        raise PayloadError(_said(kind, exc, payload_type)) from None


def encode(payload: Payload) -> bytes:
    return msgspec.json.encode(payload.raw if isinstance(payload, Unreadable) else payload)


def _said(kind: str, exc: msgspec.MsgspecError, payload_type: type[Payload]) -> str:
    from tabletop.core.struct_errors import explain  # only on a refusal: not at start-up

    explained = explain(exc, payload_type)
    if not explained.path:
        return f"{kind}: {explained.problem}"
    return f"{kind}: '{explained.path}' {explained.problem}"


@dataclass(frozen=True, slots=True)
class Event:
    seq: int
    """Position in the journal, from 1, without gaps."""
    kind: str
    """The payload's KIND, or the stored name of a kind this version cannot read."""
    wall: float
    """When it was recorded: UTC seconds since the epoch."""
    payload: Payload
    author: Author = UNNAMED_FACILITATOR
    """Who recorded it; events from before authors existed read as the facilitator."""
    received: float | None = None
    """When the store received it, by the store's clock (``wall`` is the writer's);
    None for events from before the store kept it."""

    @property
    def data(self) -> dict[str, Any]:
        """The payload as stored: a JSON object with the kind's keys."""
        return self.payload.stored()

    @property
    def readable(self) -> bool:
        return not isinstance(self.payload, Unreadable)

    def to_json(self) -> dict[str, Any]:
        event: dict[str, Any] = {
            "seq": self.seq,
            "kind": self.kind,
            "wall": self.wall,
            "received": self.received,
            "actor": {
                "name": self.author.name,
                "role": self.author.role,
                "console": self.author.console,
            },
            "data": self.data,
        }
        if not self.readable:
            event["kept_unread"] = True  # so that an import keeps it too (docs/export.md)
        return event
