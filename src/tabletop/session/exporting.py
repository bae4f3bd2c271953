"""A session as plain JSON data: its metadata, the full event log, the derived
state and the resolved scenario it was played from.

This is the public, versioned interchange format documented in
``docs/export.md``: ``tabletop import`` rebuilds a session from it without the
exercise file. Fields may be added in later versions; none are removed, and
the one renaming (version 5: an improvement action's ``owner`` and ``due``) is read
under its old names too. ``state`` is for readers and is ignored on import.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

import msgspec

from tabletop import __version__
from tabletop.session.session import Session
from tabletop.session.state import InjectState, SessionState

EXPORT_VERSION = 5
"""1: meta, events and state. 2 adds the resolved ``scenario`` and ``meta.session_id``.
3 adds each event's ``actor`` (name, role, console) and ``received`` time. 4 is made
under the branch rule (a decision point's branches never both play) and lists in
``meta.branch_conflicts`` the deliveries recorded against it before it existed.
5 adds observations and the roster (their event kinds, ``state.observations`` and
``state.participants``) and the improvement plan's columns on improvement actions,
whose ``owner`` and ``due`` became ``poc`` and ``completion`` (an older export's
import reads them so): a version 4 reader refuses it rather than misread it."""


def export_session(session: Session, now: float, *, live: bool = True) -> dict[str, Any]:
    """JSON-ready data; ``now`` is the wall time at which running clocks are read.

    ``live`` says whether a writer has the session open; when none has, the
    clock is reported stopped whatever the last run left it at.
    """
    meta = session.meta
    state = session.state
    return {
        "export_version": EXPORT_VERSION,
        "meta": {
            "file": session.location,
            "session_id": meta.session_id,
            "exercise_id": meta.exercise_id,
            "title": meta.scenario.title,
            "scenario_sha256": meta.scenario_sha256,
            "source_path": meta.source_path,
            "created": _iso(meta.created),
            "format_version": meta.format_version,
            "tabletop_version": meta.tabletop_version,
            "exported_by": __version__,
            "branch_conflicts": conflicting_deliveries(state),
        },
        "events": [event.to_json() for event in state.history],
        "state": _state(state, now, live),
        "scenario": msgspec.to_builtins(meta.scenario),
    }


def conflicting_deliveries(state: SessionState) -> list[int]:
    """The delivery events on the branches of decision points that played more than
    one (recorded before the branch rule): an import accepts these, and only these."""
    branches = {
        inject for source, _played in state.branch_conflicts()
        for inject in state.dependents(source)
    }
    return [d.seq for d in state.deliveries() if d.inject in branches]


def _state(state: SessionState, now: float, live: bool) -> dict[str, Any]:
    last = state.last_activity()
    return {
        "clocks": {
            "read_at": _iso(now),
            "writer_active": live,
            "paused": state.paused or not live,
            "play_seconds": state.play_seconds(now),
            "story_now": state.story_now.isoformat(),
            "current_phase": state.current_phase,
            "phase_play_seconds": {
                p.id: state.phase_play_seconds(p.id, now) for p in state.scenario.phases
            },
            "ended": state.ended,
            "selected_team": state.selected_team,
            "last_activity": _iso(last) if last is not None else None,
        },
        "injects": [_inject(state.injects[inject_id]) for inject_id in state.order],
        "deliveries": [_plain(d) for d in state.deliveries()],
        "branches": {
            inject.id: state.branch_taken(inject.id)
            for inject in state.scenario.injects
            if inject.decision is not None
        },
        "decisions": [_plain(d) for d in state.decisions.values()],
        "ratings": [_plain(r) for r in state.ratings.values()],
        "rating_history": [_plain(r) for r in state.rating_history],
        "objective_overrides": [_plain(o) for o in state.objective_overrides.values()],
        "notes": [_plain(n) for n in state.notes],
        "hotwash": [_plain(h) for h in state.hotwash],
        "actions": [_plain(a) for a in state.actions],
        "observations": [_plain(o) for o in state.observations.values()],
        "participants": [_plain(p) for p in state.participants.values()],
        "corrections": {str(seq): seqs for seq, seqs in state.corrections.items()},
    }


def _inject(state: InjectState) -> dict[str, Any]:
    inject = state.inject
    return {
        "id": inject.id,
        "title": inject.title,
        "phase": inject.phase,
        "status": state.status,
        "unscripted": state.unscripted,
        "to": inject.to,
        "play_minute": state.play_minute,
        "skip_reason": state.skip_reason,
        "hold_reason": state.hold_reason,
        "retime_reason": state.retime_reason,
        "delivery": _plain(state.delivery) if state.delivery else None,
        "body": inject.body if state.unscripted else None,
    }


def _plain(record: Any) -> dict[str, Any]:
    data: dict[str, Any] = _jsonable(dataclasses.asdict(record))
    return data


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    return value


def _iso(wall: float) -> str:
    return datetime.fromtimestamp(wall, UTC).isoformat()
