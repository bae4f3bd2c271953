"""What each role may record, and for which teams.

The facilitator steers and may record everything. The others record what
their seat in the room sees: a controller writes injects and notes to its
teams and keeps the roster, an evaluator rates and observes, a scribe records
its team's decisions, and an observer records nothing. A console given teams
(``--team``) records only for them. The rules are checked before every append,
live or imported, so no console and no export can put an event in the record
its author may not make.
"""

from __future__ import annotations

from tabletop.core.roles import FACILITATOR, ROLES, Role
from tabletop.session import events as ev
from tabletop.session.authors import Recorder
from tabletop.session.state import SessionState

_STEERING: tuple[type[ev.Payload], ...] = (
    ev.SessionOpened,
    ev.FacilitatorOpened,
    ev.ClockPaused,
    ev.ClockResumed,
    ev.StoryClockJumped,
    ev.PhaseStarted,
    ev.TeamSelected,
    ev.ExerciseEnded,
    ev.InjectDelivered,
    ev.InjectSkipped,
    ev.InjectHeld,
    ev.InjectReleased,
    ev.InjectRetimed,
    ev.DeliveryUndone,
)
_DECIDING = (ev.DecisionRecorded, ev.DecisionAmended, ev.DecisionRetracted, ev.DecisionMoved)
_RATING = (ev.ItemRated, ev.RatingCorrected, ev.ObjectiveRated)
_NOTES = (ev.NoteAdded, ev.NoteCorrected, ev.NoteRetracted)
_HOTWASH = (ev.HotwashEntry, ev.HotwashEntryCorrected, ev.HotwashEntryRetracted)
_ACTIONS = (ev.ImprovementAction, ev.ImprovementActionCorrected, ev.ImprovementActionRetracted)
_OBSERVING = (ev.ObservationRecorded, ev.ObservationCorrected, ev.ObservationRetracted)
_ROSTER = (ev.ParticipantAdded, ev.ParticipantCorrected, ev.ParticipantRemoved)

MAY_RECORD: dict[Role, frozenset[type[ev.Payload]]] = {
    "facilitator": frozenset(ev.VOCABULARY),
    "controller": frozenset({ev.UnscriptedInject, *_NOTES, *_ROSTER}),
    "evaluator": frozenset({*_RATING, *_OBSERVING, *_NOTES, *_HOTWASH}),
    "scribe": frozenset({*_DECIDING, *_NOTES, *_HOTWASH}),
    "observer": frozenset(),
}
"""The kinds each role may record: whoever may add a note, a hot wash entry, an
improvement action, an observation or a roster entry may correct and retract one
(for its teams, see ``refusal``). Observations are evaluation, as ratings are: the
evaluators' and the facilitator's. The roster is exercise control's: the
facilitator's and the controllers' (who may sit at the sign-in desk)."""

ACTIVITY: dict[type[ev.Payload], str] = {  # what recording each kind is, for refusals
    **{kind: "steer the exercise (deliveries, clocks, branches, ENDEX)" for kind in _STEERING},
    ev.ImprovementAction: "add improvement actions",
    ev.ImprovementActionCorrected: "correct improvement actions",
    ev.ImprovementActionRetracted: "retract improvement actions",
    ev.UnscriptedInject: "write unscripted injects",
    **{kind: "record decisions" for kind in _DECIDING},
    **{kind: "rate" for kind in _RATING},
    ev.NoteAdded: "add notes",
    ev.NoteCorrected: "correct notes",
    ev.NoteRetracted: "retract notes",
    ev.HotwashEntry: "record hot wash entries",
    ev.HotwashEntryCorrected: "correct hot wash entries",
    ev.HotwashEntryRetracted: "retract hot wash entries",
    ev.ObservationRecorded: "record observations",
    ev.ObservationCorrected: "correct observations",
    ev.ObservationRetracted: "retract observations",
    ev.ParticipantAdded: "add participants to the roster",
    ev.ParticipantCorrected: "correct the roster",
    ev.ParticipantRemoved: "remove participants from the roster",
}


def may_record(role: Role, payload_type: type[ev.Payload]) -> bool:
    return payload_type in MAY_RECORD[role]


def refusal(recorder: Recorder, payload: ev.Payload, state: SessionState) -> str | None:
    """Why ``recorder`` may not record ``payload``, in one line; None when it may."""
    role = recorder.role
    kind = type(payload)
    if kind not in MAY_RECORD[role]:
        return _not_allowed(role, kind)
    if recorder.teams:
        if isinstance(payload, ev.UnscriptedInject):
            to = payload.inject.to
            if to == "all" or any(t not in recorder.teams for t in to):
                return (f"this {role} console writes injects only to {_named(recorder)}, "
                        "not to other teams")
        for team in _teams_concerned(payload, state):
            if not recorder.covers(team):
                return not_covered(recorder, team)
    return None


def not_covered(recorder: Recorder, team: str | None) -> str:
    """Why a console given teams does not record for (or show) ``team``."""
    return f"this {recorder.role} console records for {_named(recorder)}, not for '{team}'"


def _not_allowed(role: Role, kind: type[ev.Payload]) -> str:
    what = ACTIVITY.get(kind, f"record '{kind.KIND}' events")
    able = [r for r in ROLES if kind in MAY_RECORD[r] and r != FACILITATOR]
    who = " and ".join([*(f"{r}s" for r in able), "the facilitator"])
    article = "an" if role[0] in "aeiou" else "a"
    if role == "observer":
        return "an observer console records nothing; join with another role to record"
    return f"{article} {role} cannot {what}: {who} can"


def _named(recorder: Recorder) -> str:
    return ", ".join(recorder.teams)


def _teams_concerned(payload: ev.Payload, state: SessionState) -> tuple[str | None, ...]:
    """The teams an event records for. A correction's is that of what it corrects;
    one that gives a note, hot wash entry, observation or roster entry a team records
    for that team too (a decision moved goes to the team that took it, whichever
    that is)."""
    target = payload.target
    if target is None:
        return (payload.team_ref,)
    if isinstance(payload, ev.DecisionMoved | ev.DecisionAmended | ev.DecisionRetracted):
        decision = state.decisions.get(target)
        return (decision.team if decision else None,)
    if isinstance(payload, ev.RatingCorrected):
        rating = state.rating(target)
        return (rating.team if rating else None,)
    corrected = (state.note(target) or state.hotwash_entry(target)
                 or state.observation(target) or state.participant(target))
    return (corrected.team if corrected else None, payload.team_ref)
