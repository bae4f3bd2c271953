"""Checks an event's payload against the scenario and the state before it is written.

``normalise(kind, data, state)`` returns the payload exactly as it will be
stored (optional keys filled in, so every stored event is self-contained) or
raises ``ValueError`` with a message fit to show the facilitator. Nothing is
written when it raises.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from tabletop.core.problems import did_you_mean, excerpt
from tabletop.core.timefmt import parse_datetime
from tabletop.core.vocabulary import CHANNELS, ID_PATTERN, OBJECTIVE_RATING_LABELS, RATINGS
from tabletop.session.events import CORRECTABLE, EVENT_KINDS
from tabletop.session.state import UNSCRIPTED_FIELDS, DecisionState, SessionState

Payload = dict[str, Any]
_ID = re.compile(ID_PATTERN)


def normalise(kind: str, data: Payload, state: SessionState) -> Payload:
    if kind not in EVENT_KINDS:
        raise ValueError(f"unknown event kind '{excerpt(kind)}'" + did_you_mean(kind, EVENT_KINDS))
    return _CHECKS[kind](_Payload(kind, data), state)


class _Payload:
    """Reads fields of one payload, each read failing with a clear message."""

    def __init__(self, kind: str, data: Payload) -> None:
        self.kind = kind
        self.data = data
        self.read: set[str] = set()

    def _get(self, key: str, default: Any, required: bool) -> Any:
        self.read.add(key)
        if key not in self.data:
            if required:
                raise ValueError(f"{self.kind}: '{key}' is missing")
            return default
        return self.data[key]

    def text(self, key: str, *, required: bool = True, default: str = "") -> str:
        value = self._get(key, default, required)
        if not isinstance(value, str):
            raise ValueError(f"{self.kind}: '{key}' must be text")
        if required and not value.strip():
            raise ValueError(f"{self.kind}: '{key}' must not be empty")
        return value

    def optional_ref(self, key: str) -> str | None:
        """An optional id; an empty string (a blank form field) means none."""
        value = self._get(key, None, False)
        if value is not None and not isinstance(value, str):
            raise ValueError(f"{self.kind}: '{key}' must be text or null")
        return value or None

    def seq(self) -> int:
        value = self._get("event", None, True)
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueError(f"{self.kind}: 'event' must be the seq number of an event")
        return value

    def done(self, payload: Payload) -> Payload:
        unknown = sorted(set(self.data) - self.read)
        if unknown:
            raise ValueError(f"{self.kind}: unexpected field '{excerpt(unknown[0])}'")
        return payload


Check = Callable[[_Payload, SessionState], Payload]


# ------------------------------------------------------------- lookups


def _known_team(state: SessionState, team: str) -> str:
    if team not in state.scenario.team_by_id:
        known = state.scenario.team_by_id
        raise ValueError(f"unknown team '{excerpt(team)}'" + did_you_mean(team, known))
    return team


def _team(p: _Payload, state: SessionState) -> str:
    return _known_team(state, p.text("team"))


def _optional_team(p: _Payload, state: SessionState) -> str | None:
    team = p.optional_ref("team")
    return None if team is None else _known_team(state, team)


def _known_inject(state: SessionState, inject: str) -> str:
    if inject not in state.injects:
        raise ValueError(
            f"unknown inject '{excerpt(inject)}'" + did_you_mean(inject, state.injects)
        )
    return inject


def _inject(p: _Payload, state: SessionState) -> str:
    return _known_inject(state, p.text("inject"))


def _optional_inject(p: _Payload, state: SessionState) -> str | None:
    inject = p.optional_ref("inject")
    return None if inject is None else _known_inject(state, inject)


def _item(state: SessionState, item: Any) -> str:
    if not isinstance(item, str) or item not in state.scenario.item_by_ref:
        known = state.scenario.item_by_ref
        raise ValueError(
            f"unknown checklist item '{excerpt(item)}'" + did_you_mean(str(item), known)
        )
    return item


def _items(p: _Payload, state: SessionState, default: list[str] | None = None) -> list[str]:
    value = p._get("items", default or [], False)
    if not isinstance(value, list | tuple):
        raise ValueError(f"{p.kind}: 'items' must be a list of checklist items")
    return [_item(state, item) for item in value]


def _option(state: SessionState, inject: str | None, option: Any) -> str | None:
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
    return str(option)


def _rating(p: _Payload, key: str = "rating") -> str:
    rating = p.text(key)
    if rating not in RATINGS:
        raise ValueError(f"rating must be one of {', '.join(RATINGS)}, not '{excerpt(rating)}'")
    return rating


def _target(p: _Payload, state: SessionState) -> int:
    seq = p.seq()
    event = state.event(seq)
    if event is None:
        raise ValueError(f"{p.kind}: there is no event {seq} to correct")
    allowed = CORRECTABLE[p.kind]
    if event.kind not in allowed:
        raise ValueError(
            f"{p.kind} corrects {' or '.join(sorted(allowed))} events, "
            f"but event {seq} is {event.kind}"
        )
    return seq


def _live_decision(p: _Payload, state: SessionState) -> tuple[int, DecisionState]:
    seq = _target(p, state)
    decision = state.decisions[seq]
    if decision.retracted:
        raise ValueError(f"decision {seq} has been retracted")
    return seq, decision


def _deciding_team_ok(state: SessionState, team: str, inject: str | None, option: Any) -> None:
    if option is None or inject is None:
        return
    decision = state.injects[inject].inject.decision
    if decision is not None and decision.team is not None and decision.team != team:
        raise ValueError(
            f"only team '{decision.team}' decides '{inject}'; "
            f"record '{team}''s view without an option"
        )


# ------------------------------------------------------------- per kind


def _bare(p: _Payload, state: SessionState) -> Payload:
    return p.done({})


def _resume(p: _Payload, state: SessionState) -> Payload:
    if state.ended:
        raise ValueError("the exercise has ended (ENDEX); the play clock stays stopped")
    return p.done({})


def _end(p: _Payload, state: SessionState) -> Payload:
    if state.ended:
        raise ValueError("the exercise has already ended (ENDEX)")
    return p.done({})


def _jump(p: _Payload, state: SessionState) -> Payload:
    to = p.text("to")
    try:
        moment = parse_datetime(to)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise ValueError(
            f"'{excerpt(to)}' is not a date and time with a zone, e.g. 2026-03-14T06:00Z"
        )
    return p.done({"to": moment.isoformat(), "reason": p.text("reason", required=False)})


def _phase(p: _Payload, state: SessionState) -> Payload:
    phase = p.text("phase")
    if phase not in state.scenario.phase_by_id:
        known = state.scenario.phase_by_id
        raise ValueError(f"unknown phase '{excerpt(phase)}'" + did_you_mean(phase, known))
    return p.done({"phase": phase})


def _select_team(p: _Payload, state: SessionState) -> Payload:
    return p.done({"team": _team(p, state)})


def _deliver(p: _Payload, state: SessionState) -> Payload:
    inject = _inject(p, state)
    current = state.injects[inject]
    if current.status == "delivered":
        raise ValueError(f"inject '{inject}' has already been delivered")
    if current.unscripted:
        raise ValueError(f"inject '{inject}' was unscripted and has been withdrawn")
    return p.done({"inject": inject})


def _unscripted(p: _Payload, state: SessionState) -> Payload:
    spec = p._get("inject", None, True)
    if not isinstance(spec, dict):
        raise ValueError("unscripted_inject: 'inject' must be a mapping")
    extra = sorted(set(spec) - set(UNSCRIPTED_FIELDS))
    if extra:
        raise ValueError(f"unscripted inject: unexpected field '{excerpt(extra[0])}'")
    fields = dict(spec)
    fields.setdefault("id", _free_id(state))
    fields.setdefault("to", "all")
    fields.setdefault("body", "")
    if not isinstance(fields["id"], str) or not _ID.match(fields["id"]):
        raise ValueError(
            f"unscripted inject id '{excerpt(fields['id'])}' must be lowercase letters, "
            "digits, '-' and '_'"
        )
    if fields["id"] in state.injects:
        raise ValueError(f"an inject with id '{fields['id']}' already exists")
    to = fields["to"]
    if isinstance(to, list):
        for team in to:
            if team not in state.scenario.team_by_id:
                raise ValueError(f"unknown team '{excerpt(team)}' in 'to'")
    problem = _unscripted_problem(fields)
    if problem:
        raise ValueError(f"unscripted inject: {problem}")
    return p.done({"inject": {key: fields[key] for key in UNSCRIPTED_FIELDS}})


def _unscripted_problem(fields: Payload) -> str | None:
    """The format's rules for an inject's own fields, from the shared vocabulary
    (the session never loads the authoring models), in the format's field order."""
    for key in ("title", "channel", "from"):
        value = fields.get(key)
        if value is None:
            return f"{key}: this field is required"
        if not isinstance(value, str) or not value:
            return f"{key}: must be text of at least one character"
        if key == "channel" and value not in CHANNELS:
            return (
                f"channel: '{excerpt(value)}' is not one of {', '.join(CHANNELS)}"
                + did_you_mean(value, CHANNELS)
            )
    to = fields["to"]
    if to != "all" and not (
        isinstance(to, list) and all(isinstance(t, str) and _ID.match(t) for t in to)
    ):
        return "to: must be 'all' or a list of team ids"
    if not isinstance(fields["body"], str):
        return "body: must be text"
    return None


def _free_id(state: SessionState) -> str:
    n = sum(1 for s in state.injects.values() if s.unscripted) + 1
    while f"unscripted-{n}" in state.injects:
        n += 1
    return f"unscripted-{n}"


def _not_delivered(p: _Payload, state: SessionState) -> str:
    inject = _inject(p, state)
    current = state.injects[inject]
    if current.unscripted:
        raise ValueError(f"inject '{inject}' is unscripted; undo its delivery instead")
    if current.status == "delivered":
        raise ValueError(f"inject '{inject}' has already been delivered; undo the delivery first")
    return inject


def _skip(p: _Payload, state: SessionState) -> Payload:
    inject = _not_delivered(p, state)
    if state.injects[inject].skipped:
        raise ValueError(f"inject '{inject}' is already skipped")
    return p.done({"inject": inject, "reason": p.text("reason", required=False)})


def _hold(p: _Payload, state: SessionState) -> Payload:
    inject = _not_delivered(p, state)
    current = state.injects[inject]
    if current.held or current.skipped:
        raise ValueError(f"inject '{inject}' is already {'held' if current.held else 'skipped'}")
    return p.done({"inject": inject, "reason": p.text("reason", required=False)})


def _release(p: _Payload, state: SessionState) -> Payload:
    inject = _not_delivered(p, state)
    current = state.injects[inject]
    if not (current.held or current.skipped):
        raise ValueError(f"inject '{inject}' is neither held nor skipped")
    return p.done({"inject": inject, "reason": p.text("reason", required=False)})


def _retime(p: _Payload, state: SessionState) -> Payload:
    inject = _not_delivered(p, state)
    minute = p._get("play_minute", None, True)
    if not isinstance(minute, int) or isinstance(minute, bool) or not 0 <= minute <= 24 * 60:
        raise ValueError("play_minute must be a whole number of minutes from 0 to 1440")
    reason = p.text("reason", required=False)
    return p.done({"inject": inject, "play_minute": minute, "reason": reason})


def _undo(p: _Payload, state: SessionState) -> Payload:
    seq = _target(p, state)
    delivery = state.delivery(seq)
    if delivery is None or delivery.undone:
        raise ValueError(f"the delivery in event {seq} has already been undone")
    return p.done({"event": seq, "reason": p.text("reason")})


def _decide(p: _Payload, state: SessionState) -> Payload:
    team = _team(p, state)
    inject = _optional_inject(p, state)
    text = p.text("text")
    option = _option(state, inject, p._get("option", None, False))
    _deciding_team_ok(state, team, inject, option)
    items = _items(p, state)
    return p.done({"team": team, "inject": inject, "text": text, "option": option, "items": items})


def _amend(p: _Payload, state: SessionState) -> Payload:
    seq, decision = _live_decision(p, state)
    text = p.text("text") if "text" in p.data else decision.text
    option = _option(state, decision.inject, p._get("option", decision.option, False))
    _deciding_team_ok(state, decision.team, decision.inject, option)
    items = _items(p, state, decision.items)
    reason = p.text("reason")
    return p.done({"event": seq, "text": text, "option": option, "items": items, "reason": reason})


def _retract(p: _Payload, state: SessionState) -> Payload:
    seq, _ = _live_decision(p, state)
    return p.done({"event": seq, "reason": p.text("reason")})


def _move(p: _Payload, state: SessionState) -> Payload:
    seq, decision = _live_decision(p, state)
    team = _team(p, state)
    if team == decision.team:
        raise ValueError(f"decision {seq} already belongs to team '{team}'")
    return p.done({"event": seq, "team": team, "reason": p.text("reason")})


def _rate(p: _Payload, state: SessionState) -> Payload:
    team = _team(p, state)
    item = _item(state, p.text("item"))
    rating = _rating(p)
    return p.done(
        {"team": team, "item": item, "rating": rating, "note": p.text("note", required=False)}
    )


def _correct_rating(p: _Payload, state: SessionState) -> Payload:
    seq = _target(p, state)
    rating = _rating(p)
    rated = state.rating(seq)
    note = p.text("note", required=False, default=rated.note if rated else "")
    return p.done({"event": seq, "rating": rating, "note": note, "reason": p.text("reason")})


def _rate_objective(p: _Payload, state: SessionState) -> Payload:
    objective = p.text("objective")
    known = {o.id for o in state.scenario.objectives}
    if objective not in known:
        raise ValueError(
            f"unknown objective '{excerpt(objective)}'" + did_you_mean(objective, known)
        )
    rating = p.text("rating")
    if rating not in OBJECTIVE_RATING_LABELS:
        raise ValueError(f"objective rating must be one of P, S, M, U, not '{excerpt(rating)}'")
    return p.done({"objective": objective, "rating": rating, "reason": p.text("reason")})


def _note(p: _Payload, state: SessionState) -> Payload:
    text = p.text("text")
    team = _optional_team(p, state)
    inject = _optional_inject(p, state)
    return p.done({"text": text, "team": team, "inject": inject})


def _hotwash(p: _Payload, state: SessionState) -> Payload:
    objective = p.optional_ref("objective")
    if objective is not None and objective not in {o.id for o in state.scenario.objectives}:
        raise ValueError(f"unknown objective '{excerpt(objective)}'")
    kind = p.text("kind")
    if kind not in ("strength", "improvement"):
        raise ValueError(f"hotwash kind must be 'strength' or 'improvement', not '{excerpt(kind)}'")
    text = p.text("text")
    team = _optional_team(p, state)
    return p.done({"objective": objective, "kind": kind, "text": text, "team": team})


def _action(p: _Payload, state: SessionState) -> Payload:
    action = p.text("action")
    item = p.optional_ref("item")
    if item is not None:
        _item(state, item)
    due = p.text("due", required=False)
    if due:
        try:
            date.fromisoformat(due)
        except ValueError:
            raise ValueError(f"due date '{excerpt(due)}' must look like 2026-06-30") from None
    return p.done(
        {
            "action": action,
            "item": item,
            "capability": p.text("capability", required=False),
            "owner": p.text("owner", required=False),
            "due": due,
        }
    )


_CHECKS: dict[str, Check] = {
    "session_opened": _bare,
    "clock_paused": _bare,
    "clock_resumed": _resume,
    "story_clock_jumped": _jump,
    "phase_started": _phase,
    "team_selected": _select_team,
    "exercise_ended": _end,
    "inject_delivered": _deliver,
    "unscripted_inject": _unscripted,
    "inject_skipped": _skip,
    "inject_held": _hold,
    "inject_released": _release,
    "inject_retimed": _retime,
    "delivery_undone": _undo,
    "decision_recorded": _decide,
    "decision_amended": _amend,
    "decision_retracted": _retract,
    "decision_moved": _move,
    "item_rated": _rate,
    "rating_corrected": _correct_rating,
    "objective_rated": _rate_objective,
    "note_added": _note,
    "hotwash_entry": _hotwash,
    "improvement_action": _action,
}
