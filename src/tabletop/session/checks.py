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

from msgspec import UNSET
from msgspec.structs import replace

from tabletop.core.problems import did_you_mean, excerpt
from tabletop.core.timefmt import parse_datetime
from tabletop.session import events as ev
from tabletop.session.state import (
    DecisionState,
    HotwashEntry,
    ImprovementAction,
    Note,
    SessionState,
)

P = TypeVar("P", bound=ev.Payload)
E = TypeVar("E", HotwashEntry, ImprovementAction, Note)
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


def _due(due: str) -> str:
    if due:
        try:
            date.fromisoformat(due)
        except ValueError:
            raise ValueError(f"due date '{excerpt(due)}' must look like 2026-06-30") from None
    return due


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
    """The note, hot wash entry or improvement action ``payload`` corrects, not retracted."""
    seq = _target(payload, state)
    entry = find(seq)
    if entry is None:
        raise ValueError(f"{payload.KIND}: there is no {what} {seq}")
    if state.retracted(seq):
        raise ValueError(f"{what} {seq} has been retracted")
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


@_checks(ev.ImprovementAction)
def _action(p: ev.ImprovementAction, state: SessionState) -> ev.ImprovementAction:
    item = _item(state, p.item) if p.item else None
    _due(p.due)
    return replace(p, item=item)


@_checks(ev.ImprovementActionCorrected)
def _correct_action(
    p: ev.ImprovementActionCorrected, state: SessionState
) -> ev.ImprovementActionCorrected:
    old = _live_entry(p, state, state.improvement_action, "improvement action")
    action = old.action if p.action is UNSET else p.action
    item = old.item if p.item is UNSET else (_item(state, p.item) if p.item else None)
    capability = old.capability if p.capability is UNSET else p.capability
    owner = old.owner if p.owner is UNSET else p.owner
    due = old.due if p.due is UNSET else _due(p.due)
    _changes_something("improvement action", p.event,
                       (old.action, old.item, old.capability, old.owner, old.due),
                       (action, item, capability, owner, due))
    return replace(p, action=action, item=item, capability=capability, owner=owner, due=due)


@_checks(ev.ImprovementActionRetracted)
def _retract_action(
    p: ev.ImprovementActionRetracted, state: SessionState
) -> ev.ImprovementActionRetracted:
    _live_entry(p, state, state.improvement_action, "improvement action")
    return p

