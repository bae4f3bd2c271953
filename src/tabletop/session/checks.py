"""Checks an event's payload against the scenario and the state before it is written.

The payload's type (:mod:`.events`) already holds its shape: which keys, of
which types, within which bounds. The check for each kind adds what needs the
session: the team, inject or item exists, the decision is not retracted, the
delivery is not already undone. ``normalise(kind, data, state)`` returns the
payload exactly as it will be stored (optional keys filled in, so every stored
event is self-contained) or raises ``ValueError`` with a message fit to show
the facilitator. Nothing is written when it raises. Replay runs the same
checks on every stored event (:meth:`Session._replay`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any, TypeVar

from msgspec import UNSET, UnsetType
from msgspec.structs import replace

from tabletop.core.problems import did_you_mean, excerpt
from tabletop.core.timefmt import parse_datetime
from tabletop.session import events as ev
from tabletop.session.state import (
    DecisionState,
    HotwashEntry,
    ImprovementAction,
    Note,
    ObservationState,
    ParticipantState,
    SessionState,
)

P = TypeVar("P", bound=ev.Payload)
T = TypeVar("T")
E = TypeVar("E", HotwashEntry, ImprovementAction, Note, ObservationState, ParticipantState)
Check = Callable[[P, SessionState], P]

CHECKS: dict[type[ev.Payload], Callable[[Any, SessionState], ev.Payload]] = {}
"""The check of each kind in the vocabulary, by payload type."""


def _checks(kind: type[P]) -> Callable[[Check[P]], Check[P]]:
    def register(check: Check[P]) -> Check[P]:
        CHECKS[kind] = check
        return check

    return register


def normalise(kind: str, data: dict[str, Any], state: SessionState) -> ev.Payload:
    """A payload given as plain data, typed and checked; raises ValueError."""
    if kind not in ev.EVENT_KINDS:
        raise ValueError(
            f"unknown event kind '{excerpt(kind)}'" + did_you_mean(kind, ev.EVENT_KINDS)
        )
    return check(ev.convert(kind, data), state)


def check(payload: ev.Payload, state: SessionState) -> ev.Payload:
    """A typed payload checked against ``state``; raises ValueError."""
    return CHECKS[type(payload)](payload, state)


def check_new(payload: ev.Payload, state: SessionState) -> None:
    """Rules for events recorded from now on, not applied on replay: records made
    before a rule existed still open as they were. Raises ValueError."""
    if isinstance(payload, ev.ItemRated):
        _expected_still(payload.item, state)
    elif isinstance(payload, ev.DecisionRecorded) and payload.inject is not None:
        _answers_a_delivered_inject(payload.inject, state)
    check_branches(payload, state)


def check_branches(payload: ev.Payload, state: SessionState) -> None:
    """A decision point's branches never both play: a delivery on a branch its
    decision point's delivered injects have ruled out is refused (live, and in an
    import of an export made under this rule). Raises ValueError."""
    if not isinstance(payload, ev.InjectDelivered):
        return
    current = state.injects.get(payload.inject)
    condition = current.inject.when if current is not None else None
    if condition is None:
        return
    settled = state.settled_options(condition.inject)
    if settled is None or not settled.isdisjoint(condition.options):
        return
    played = [d for d in state.dependents(condition.inject)
              if state.injects[d].status == "delivered"]
    raise ValueError(
        f"decision point '{condition.inject}' has already played another branch "
        f"('{played[0]}' was delivered); undo that delivery, with a reason, to switch "
        "branches"
    )


def _answers_a_delivered_inject(inject: str, state: SessionState) -> None:
    """A decision answers an inject the teams have: not one whose delivery was undone,
    nor one not yet delivered (it would be dated before its own question)."""
    current = state.injects.get(inject)
    if current is None or current.status == "delivered":
        return
    undone = any(d.undone and d.inject == inject for d in state.deliveries())
    raise ValueError(
        f"inject '{inject}' is not delivered"
        + ("; its delivery was undone" if undone else "")
        + ": record the decision without it, or on a delivered inject"
    )


def _expected_still(item: str, state: SessionState) -> None:
    """An item expected only by injects whose deliveries were all undone is no longer
    one to rate (items no inject expects stay rateable, from the full list)."""
    expecting = state.expecting(item)
    if not expecting or any(state.injects[i].status == "delivered" for i in expecting):
        return
    undone = [d.inject for d in state.deliveries() if d.undone and d.inject in expecting]
    if undone:
        raise ValueError(
            f"'{item}' is expected only after inject '{undone[-1]}', whose delivery was "
            "undone; it is not delivered now"
        )


# ------------------------------------------------------------- lookups


def _team(state: SessionState, team: str) -> str:
    if team not in state.scenario.team_by_id:
        known = state.scenario.team_by_id
        raise ValueError(f"unknown team '{excerpt(team)}'" + did_you_mean(team, known))
    return team


def _optional_team(state: SessionState, team: str | None) -> str | None:
    """An optional team; an empty string (a blank form field) means none."""
    return _team(state, team) if team else None


def _inject(state: SessionState, inject: str) -> str:
    if inject not in state.injects:
        raise ValueError(
            f"unknown inject '{excerpt(inject)}'" + did_you_mean(inject, state.injects)
        )
    return inject


def _optional_inject(state: SessionState, inject: str | None) -> str | None:
    return _inject(state, inject) if inject else None


def _item(state: SessionState, item: str) -> str:
    if item not in state.scenario.item_by_ref:
        known = state.scenario.item_by_ref
        raise ValueError(f"unknown checklist item '{excerpt(item)}'" + did_you_mean(item, known))
    return item


def _items(state: SessionState, items: Iterable[str]) -> tuple[str, ...]:
    return tuple(_item(state, item) for item in items)


def _objective(state: SessionState, objective: str) -> str:
    known = {o.id for o in state.scenario.objectives}
    if objective not in known:
        raise ValueError(
            f"unknown objective '{excerpt(objective)}'" + did_you_mean(objective, known)
        )
    return objective


def _optional_objective(state: SessionState, objective: str | None) -> str | None:
    return _objective(state, objective) if objective else None


def _date(label: str, value: str) -> str:
    """An ISO date as stored (``2026-06-30``), or empty."""
    if not value:
        return ""
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise ValueError(f"{label} date '{excerpt(value)}' must look like 2026-06-30") from None


def _renamed(now: Any, before: Any, old: str, new: str, kept: str = "") -> str:
    """A field format 4 named ``old`` (``owner``, ``due``), given by its name now, its
    old one, or neither (``kept`` then: what the record already says)."""
    if before is UNSET:
        return kept if now is UNSET else str(now)
    if now is UNSET or not now or now == before:
        return str(before)
    if not before:
        return str(now)
    raise ValueError(f"'{old}' is the old name of '{new}', and they differ: give '{new}' only")


def _option(state: SessionState, inject: str | None, option: str | None) -> str | None:
    if option is None:
        return None
    if inject is None:
        raise ValueError("an option can only be chosen for a decision inject")
    decision = state.injects[inject].inject.decision
    if decision is None:
        raise ValueError(f"inject '{inject}' is not a decision point; it has no options")
    ids = [o.id for o in decision.options]
    if option not in ids:
        raise ValueError(
            f"'{excerpt(option)}' is not an option of '{inject}' (options: {', '.join(ids)})"
        )
    return option


def _target(payload: ev.Correction, state: SessionState) -> int:
    seq = payload.event
    event = state.event(seq)
    if event is None:
        raise ValueError(f"{payload.KIND}: there is no event {seq} to correct")
    allowed = payload.CORRECTS
    if event.kind not in allowed:
        raise ValueError(
            f"{payload.KIND} corrects {' or '.join(sorted(allowed))} events, "
            f"but event {seq} is {event.kind}"
        )
    return seq


def _live_decision(payload: ev.Correction, state: SessionState) -> DecisionState:
    seq = _target(payload, state)
    decision = state.decisions[seq]
    if decision.retracted:
        raise ValueError(f"decision #{decision.number} has been retracted")
    return decision


def _live_entry(
    payload: ev.Correction, state: SessionState, find: Callable[[int], E | None], what: str
) -> E:
    """The record ``payload`` corrects (a note, hot wash entry, improvement action,
    observation or roster entry), not retracted (nor removed)."""
    seq = _target(payload, state)
    entry = find(seq)
    if entry is None:
        raise ValueError(f"{payload.KIND}: there is no {what} {seq}")
    if state.retracted(seq):
        done = "removed from the roster" if what == "participant" else "retracted"
        raise ValueError(f"{what} {seq} has been {done}")
    return entry


def _changes_something(
    what: str, seq: int, before: tuple[Any, ...], after: tuple[Any, ...]
) -> None:
    """A correction that leaves everything as it was is a slip (a form saved unchanged)."""
    if before == after:
        raise ValueError(f"{what} {seq} already says that: change something, or retract it")


def _deciding_team_ok(
    state: SessionState, team: str, inject: str | None, option: str | None
) -> None:
    if option is None or inject is None:
        return
    decision = state.injects[inject].inject.decision
    if decision is not None and decision.team is not None and decision.team != team:
        raise ValueError(
            f"only team '{decision.team}' decides '{inject}'; "
            f"record '{team}''s view without an option"
        )


def _not_delivered(state: SessionState, inject: str) -> str:
    _inject(state, inject)
    current = state.injects[inject]
    if current.unscripted:
        raise ValueError(f"inject '{inject}' is unscripted; undo its delivery instead")
    if current.status == "delivered":
        raise ValueError(f"inject '{inject}' has already been delivered; undo the delivery first")
    return inject


# ------------------------------------------------------------- per kind


@_checks(ev.SessionOpened)
def _opened(p: ev.SessionOpened, state: SessionState) -> ev.SessionOpened:
    return p


@_checks(ev.FacilitatorOpened)
def _facilitator_opened(p: ev.FacilitatorOpened, state: SessionState) -> ev.FacilitatorOpened:
    stopped = p.clock_stopped_at
    if stopped is not None and not 0 <= stopped < 1e11:
        raise ValueError(f"clock_stopped_at must be a time in seconds since 1970, not {stopped!r}")
    return p


@_checks(ev.ClockPaused)
def _paused(p: ev.ClockPaused, state: SessionState) -> ev.ClockPaused:
    return p


@_checks(ev.ClockResumed)
def _resume(p: ev.ClockResumed, state: SessionState) -> ev.ClockResumed:
    if state.ended:
        raise ValueError("the exercise has ended (ENDEX); the play clock stays stopped")
    return p


@_checks(ev.ExerciseEnded)
def _end(p: ev.ExerciseEnded, state: SessionState) -> ev.ExerciseEnded:
    if state.ended:
        raise ValueError("the exercise has already ended (ENDEX)")
    return p


@_checks(ev.StoryClockJumped)
def _jump(p: ev.StoryClockJumped, state: SessionState) -> ev.StoryClockJumped:
    try:
        moment = parse_datetime(p.to)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise ValueError(
            f"'{excerpt(p.to)}' is not a date and time with a zone, e.g. 2026-03-14T06:00Z"
        )
    return replace(p, to=moment.isoformat())


@_checks(ev.PhaseStarted)
def _phase(p: ev.PhaseStarted, state: SessionState) -> ev.PhaseStarted:
    if p.phase not in state.scenario.phase_by_id:
        known = state.scenario.phase_by_id
        raise ValueError(f"unknown phase '{excerpt(p.phase)}'" + did_you_mean(p.phase, known))
    return p


@_checks(ev.TeamSelected)
def _select_team(p: ev.TeamSelected, state: SessionState) -> ev.TeamSelected:
    _team(state, p.team)
    return p


@_checks(ev.InjectDelivered)
def _deliver(p: ev.InjectDelivered, state: SessionState) -> ev.InjectDelivered:
    current = state.injects[_inject(state, p.inject)]
    if current.status == "delivered":
        raise ValueError(f"inject '{p.inject}' has already been delivered")
    if current.unscripted:
        raise ValueError(f"inject '{p.inject}' was unscripted and has been withdrawn")
    return p


@_checks(ev.UnscriptedInject)
def _unscripted(p: ev.UnscriptedInject, state: SessionState) -> ev.UnscriptedInject:
    spec = p.inject
    if spec.id is UNSET:
        spec = replace(spec, id=_free_id(state))
    elif spec.id in state.injects:
        raise ValueError(f"an inject with id '{spec.id}' already exists")
    if isinstance(spec.to, list):
        for team in spec.to:
            if team not in state.scenario.team_by_id:
                raise ValueError(f"unknown team '{excerpt(team)}' in 'to'")
    return replace(p, inject=spec)


def _free_id(state: SessionState) -> str:
    n = sum(1 for s in state.injects.values() if s.unscripted) + 1
    while f"unscripted-{n}" in state.injects:
        n += 1
    return f"unscripted-{n}"


@_checks(ev.InjectSkipped)
def _skip(p: ev.InjectSkipped, state: SessionState) -> ev.InjectSkipped:
    if state.injects[_not_delivered(state, p.inject)].skipped:
        raise ValueError(f"inject '{p.inject}' is already skipped")
    return p


@_checks(ev.InjectHeld)
def _hold(p: ev.InjectHeld, state: SessionState) -> ev.InjectHeld:
    current = state.injects[_not_delivered(state, p.inject)]
    if current.held or current.skipped:
        raise ValueError(
            f"inject '{p.inject}' is already {'held' if current.held else 'skipped'}"
        )
    return p


@_checks(ev.InjectReleased)
def _release(p: ev.InjectReleased, state: SessionState) -> ev.InjectReleased:
    current = state.injects[_not_delivered(state, p.inject)]
    if not (current.held or current.skipped):
        raise ValueError(f"inject '{p.inject}' is neither held nor skipped")
    return p


@_checks(ev.InjectRetimed)
def _retime(p: ev.InjectRetimed, state: SessionState) -> ev.InjectRetimed:
    _not_delivered(state, p.inject)
    return p


@_checks(ev.DeliveryUndone)
def _undo(p: ev.DeliveryUndone, state: SessionState) -> ev.DeliveryUndone:
    seq = _target(p, state)
    delivery = state.delivery(seq)
    if delivery is None or delivery.undone:
        raise ValueError(f"the delivery in event {seq} has already been undone")
    return p


@_checks(ev.DecisionRecorded)
def _decide(p: ev.DecisionRecorded, state: SessionState) -> ev.DecisionRecorded:
    team = _team(state, p.team)
    inject = _optional_inject(state, p.inject)
    option = _option(state, inject, p.option)
    _deciding_team_ok(state, team, inject, option)
    return replace(p, inject=inject, items=_items(state, p.items))


@_checks(ev.DecisionAmended)
def _amend(p: ev.DecisionAmended, state: SessionState) -> ev.DecisionAmended:
    decision = _live_decision(p, state)
    text = decision.text if p.text is UNSET else p.text
    option = _option(state, decision.inject, decision.option if p.option is UNSET else p.option)
    _deciding_team_ok(state, decision.team, decision.inject, option)
    items = _items(state, decision.items if p.items is UNSET else p.items)
    return replace(p, text=text, option=option, items=items)


@_checks(ev.DecisionRetracted)
def _retract(p: ev.DecisionRetracted, state: SessionState) -> ev.DecisionRetracted:
    _live_decision(p, state)
    return p


@_checks(ev.DecisionMoved)
def _move(p: ev.DecisionMoved, state: SessionState) -> ev.DecisionMoved:
    decision = _live_decision(p, state)
    if _team(state, p.team) == decision.team:
        raise ValueError(f"decision #{decision.number} already belongs to team '{p.team}'")
    return p


@_checks(ev.ItemRated)
def _rate(p: ev.ItemRated, state: SessionState) -> ev.ItemRated:
    _team(state, p.team)
    _item(state, p.item)
    return p


@_checks(ev.RatingCorrected)
def _correct_rating(p: ev.RatingCorrected, state: SessionState) -> ev.RatingCorrected:
    seq = _target(p, state)
    if p.note is not UNSET:
        return p
    rated = state.rating(seq)
    return replace(p, note=rated.note if rated else "")


@_checks(ev.ObjectiveRated)
def _rate_objective(p: ev.ObjectiveRated, state: SessionState) -> ev.ObjectiveRated:
    _objective(state, p.objective)
    return p


@_checks(ev.NoteAdded)
def _note(p: ev.NoteAdded, state: SessionState) -> ev.NoteAdded:
    team = _optional_team(state, p.team)
    return replace(p, team=team, inject=_optional_inject(state, p.inject))


@_checks(ev.NoteCorrected)
def _correct_note(p: ev.NoteCorrected, state: SessionState) -> ev.NoteCorrected:
    note = _live_entry(p, state, state.note, "note")
    text = note.text if p.text is UNSET else p.text
    team = note.team if p.team is UNSET else _optional_team(state, p.team)
    inject = note.inject if p.inject is UNSET else _optional_inject(state, p.inject)
    _changes_something("note", p.event, (note.text, note.team, note.inject), (text, team, inject))
    return replace(p, text=text, team=team, inject=inject)


@_checks(ev.NoteRetracted)
def _retract_note(p: ev.NoteRetracted, state: SessionState) -> ev.NoteRetracted:
    _live_entry(p, state, state.note, "note")
    return p


@_checks(ev.HotwashEntry)
def _hotwash(p: ev.HotwashEntry, state: SessionState) -> ev.HotwashEntry:
    objective = _optional_objective(state, p.objective)
    return replace(p, objective=objective, team=_optional_team(state, p.team))


@_checks(ev.HotwashEntryCorrected)
def _correct_hotwash(
    p: ev.HotwashEntryCorrected, state: SessionState
) -> ev.HotwashEntryCorrected:
    entry = _live_entry(p, state, state.hotwash_entry, "hot wash entry")
    objective = (entry.objective if p.objective is UNSET
                 else _optional_objective(state, p.objective))
    kind = entry.kind if p.kind is UNSET else p.kind
    text = entry.text if p.text is UNSET else p.text
    team = entry.team if p.team is UNSET else _optional_team(state, p.team)
    _changes_something("hot wash entry", p.event,
                       (entry.objective, entry.kind, entry.text, entry.team),
                       (objective, kind, text, team))
    return replace(p, objective=objective, kind=kind, text=text, team=team)


@_checks(ev.HotwashEntryRetracted)
def _retract_hotwash(
    p: ev.HotwashEntryRetracted, state: SessionState
) -> ev.HotwashEntryRetracted:
    _live_entry(p, state, state.hotwash_entry, "hot wash entry")
    return p


def _dates(start: str, completion: str) -> tuple[str, str]:
    start, completion = _date("start", start), _date("completion", completion)
    if start and completion and start > completion:
        raise ValueError(f"the start date {start} is after the completion date {completion}")
    return start, completion


def _answered(state: SessionState, seq: int | None) -> int | None:
    """The area-for-improvement observation an action answers, live."""
    if seq is None:
        return None
    observation = state.observation(seq)
    if observation is None:
        raise ValueError(f"event {seq} is not an observation")
    if observation.retracted:
        raise ValueError(f"observation {seq} has been retracted")
    if observation.kind != "improvement":
        raise ValueError(
            f"observation {seq} is a {ev.OBSERVATION_KIND_LABELS[observation.kind]}; "
            "a corrective action answers an area for improvement"
        )
    return seq


@_checks(ev.ImprovementAction)
def _action(p: ev.ImprovementAction, state: SessionState) -> ev.ImprovementAction:
    item = _item(state, p.item) if p.item else None
    poc = _renamed(p.poc, p.owner, "owner", "poc")
    completion = _renamed(p.completion, p.due, "due", "completion")
    start, completion = _dates(_kept(p.start, ""), completion)
    return replace(p, item=item, element=_kept(p.element, ""),
                   organisation=_kept(p.organisation, ""), poc=poc, start=start,
                   completion=completion, observation=_answered(state, _kept(p.observation, None)),
                   owner=UNSET, due=UNSET)


def _kept(new: T | UnsetType, old: T) -> T:
    """What a correction gives a field: the new value, or the old one when left out."""
    return old if isinstance(new, UnsetType) else new


@_checks(ev.ImprovementActionCorrected)
def _correct_action(
    p: ev.ImprovementActionCorrected, state: SessionState
) -> ev.ImprovementActionCorrected:
    old = _live_entry(p, state, state.improvement_action, "improvement action")
    action = _kept(p.action, old.action)
    item = old.item if p.item is UNSET else (_item(state, p.item) if p.item else None)
    capability = _kept(p.capability, old.capability)
    element = _kept(p.element, old.element)
    organisation = _kept(p.organisation, old.organisation)
    poc = _renamed(p.poc, p.owner, "owner", "poc", old.poc)
    completion = _renamed(p.completion, p.due, "due", "completion", old.completion)
    start, completion = _dates(_kept(p.start, old.start), completion)
    observation = (old.observation if p.observation is UNSET
                   else _answered(state, p.observation))
    before = (old.action, old.item, old.capability, old.element, old.organisation, old.poc,
              old.start, old.completion, old.observation)
    after = (action, item, capability, element, organisation, poc, start, completion,
             observation)
    _changes_something("improvement action", p.event, before, after)
    return replace(p, action=action, item=item, capability=capability, element=element,
                   organisation=organisation, poc=poc, start=start, completion=completion,
                   observation=observation, owner=UNSET, due=UNSET)


@_checks(ev.ImprovementActionRetracted)
def _retract_action(
    p: ev.ImprovementActionRetracted, state: SessionState
) -> ev.ImprovementActionRetracted:
    _live_entry(p, state, state.improvement_action, "improvement action")
    return p



# ------------------------------------------------------------- observations

CRITICAL = 3
"""The weight of a critical task: the only kind an observation marks not performed."""


def _observed(
    state: SessionState, kind: str, team: str | None, objective: str | None,
    item: str | None, inject: str | None, not_performed: bool,
    notes: tuple[str, str, str],
) -> tuple[str | None, str | None, str | None, str | None]:
    """An observation's links, checked with its kind: (team, objective, item, inject).

    It names an objective, a checklist item or both (an item of that objective). Only
    an area for improvement carries a reference, an analysis and a recommendation,
    and only an area for improvement about a critical (weight 3) item can mark a
    task not performed: that is evidence for a U, which nothing less may give."""
    team = _optional_team(state, team)
    objective = _optional_objective(state, objective)
    item = _item(state, item) if item else None
    inject = _optional_inject(state, inject)
    if objective is None and item is None:
        raise ValueError("an observation names an objective, a checklist item, or both")
    if objective is not None and item is not None:
        evaluated_by = next(o.evaluated_by for o in state.scenario.objectives
                            if o.id == objective)
        if item not in evaluated_by:
            raise ValueError(f"objective '{objective}' is not evaluated by '{item}' "
                             f"(its items: {', '.join(evaluated_by)})")
    label = ev.OBSERVATION_KIND_LABELS.get(kind, kind)
    a_label = ("an " if label[:1] in "aeiou" else "a ") + label
    if kind != "improvement" and any(notes):
        raise ValueError("only an area for improvement carries a reference, an analysis "
                         f"and a recommendation; this is {a_label}")
    if not_performed:
        if kind != "improvement":
            raise ValueError(f"a critical task not performed is an area for improvement, "
                             f"not {a_label}")
        if item is None:
            raise ValueError("name the critical checklist item that was not performed")
        weight = state.scenario.item_by_ref[item][1].weight
        if weight != CRITICAL:
            raise ValueError(f"'{item}' has weight {weight}; only a critical item "
                             f"(weight {CRITICAL}) is marked not performed")
    return team, objective, item, inject


@_checks(ev.ObservationRecorded)
def _observe(p: ev.ObservationRecorded, state: SessionState) -> ev.ObservationRecorded:
    team, objective, item, inject = _observed(
        state, p.kind, p.team, p.objective, p.item, p.inject, p.not_performed,
        (p.reference, p.analysis, p.recommendation))
    return replace(p, team=team, objective=objective, item=item, inject=inject)


@_checks(ev.ObservationCorrected)
def _correct_observation(
    p: ev.ObservationCorrected, state: SessionState
) -> ev.ObservationCorrected:
    old = _live_entry(p, state, state.observation, "observation")
    kind = _kept(p.kind, old.kind)
    text = _kept(p.text, old.text)
    not_performed = _kept(p.not_performed, old.not_performed)
    notes = (_kept(p.reference, old.reference), _kept(p.analysis, old.analysis),
             _kept(p.recommendation, old.recommendation))
    team, objective, item, inject = _observed(
        state, kind, _kept(p.team, old.team), _kept(p.objective, old.objective),
        _kept(p.item, old.item), _kept(p.inject, old.inject), not_performed, notes)
    before = (old.kind, old.text, old.team, old.objective, old.item, old.inject,
              old.not_performed, old.reference, old.analysis, old.recommendation)
    after = (kind, text, team, objective, item, inject, not_performed, *notes)
    _changes_something("observation", p.event, before, after)
    reference, analysis, recommendation = notes
    return replace(p, kind=kind, text=text, team=team, objective=objective, item=item,
                   inject=inject, not_performed=not_performed, reference=reference,
                   analysis=analysis, recommendation=recommendation)


@_checks(ev.ObservationRetracted)
def _retract_observation(
    p: ev.ObservationRetracted, state: SessionState
) -> ev.ObservationRetracted:
    _live_entry(p, state, state.observation, "observation")
    return p


# ------------------------------------------------------------- the roster

PARTICIPANT_TEXT_MAX = 200
"""A name, an organisation or a nation is a line on a sign-in sheet, not a page."""


def _roster_text(label: str, value: str) -> str:
    """One line, spaces collapsed; refused with control characters or too long."""
    clean = " ".join(value.split())
    if not clean.isprintable():
        raise ValueError(f"{label} holds control characters")
    if len(clean) > PARTICIPANT_TEXT_MAX:
        raise ValueError(f"{label} is {len(clean)} characters long; "
                         f"{PARTICIPANT_TEXT_MAX} at most")
    return clean


def same_person(name: str, organisation: str) -> tuple[str, str]:
    """What makes two roster entries the same person: name and organisation, in any case."""
    return " ".join(name.split()).casefold(), " ".join(organisation.split()).casefold()


def _not_on_roster(state: SessionState, name: str, organisation: str, but: int = 0) -> None:
    who = same_person(name, organisation)
    for entry in state.participants.values():
        if (entry.seq != but and not entry.removed
                and same_person(entry.name, entry.organisation) == who):
            of = f" of {entry.organisation}" if entry.organisation else ""
            raise ValueError(f"{entry.name}{of} is already on the roster (#{entry.seq}); "
                             "correct that entry instead")


@_checks(ev.ParticipantAdded)
def _add_participant(p: ev.ParticipantAdded, state: SessionState) -> ev.ParticipantAdded:
    name = _roster_text("name", p.name)
    organisation = _roster_text("organisation", p.organisation)
    nation = _roster_text("nation", p.nation)
    _not_on_roster(state, name, organisation)
    return replace(p, name=name, organisation=organisation, nation=nation,
                   team=_optional_team(state, p.team))


@_checks(ev.ParticipantCorrected)
def _correct_participant(
    p: ev.ParticipantCorrected, state: SessionState
) -> ev.ParticipantCorrected:
    old = _live_entry(p, state, state.participant, "participant")
    name = _roster_text("name", _kept(p.name, old.name))
    if not name:
        raise ValueError("a participant's name cannot be empty")
    organisation = _roster_text("organisation", _kept(p.organisation, old.organisation))
    nation = _roster_text("nation", _kept(p.nation, old.nation))
    role = _kept(p.role, old.role)
    team = old.team if p.team is UNSET else _optional_team(state, p.team)
    name_in_report = _kept(p.name_in_report, old.name_in_report)
    _not_on_roster(state, name, organisation, but=p.event)
    _changes_something(
        "participant", p.event,
        (old.name, old.organisation, old.nation, old.role, old.team, old.name_in_report),
        (name, organisation, nation, role, team, name_in_report))
    return replace(p, name=name, organisation=organisation, nation=nation, role=role,
                   team=team, name_in_report=name_in_report)


@_checks(ev.ParticipantRemoved)
def _remove_participant(p: ev.ParticipantRemoved, state: SessionState) -> ev.ParticipantRemoved:
    _live_entry(p, state, state.participant, "participant")
    return p
