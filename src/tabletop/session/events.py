"""The session's event vocabulary: what can be appended to the journal.

Events are facts, never edited or deleted. A correction is a new event that
points at the one it corrects (by ``seq``) and carries a reason. All derived
state (deliveries, decisions, ratings, clocks, branches) comes from replaying
these in order; see :mod:`tabletop.session.state`.

Each event stores its kind, its sequence number, the wall-clock time it was
recorded (UTC seconds since the epoch) and a small JSON payload whose keys are
listed per kind below.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

EventKind = Literal[
    # session lifecycle and clocks
    "session_opened",  # {} - a console opened the session; play clock starts paused
    "clock_paused",  # {}
    "clock_resumed",  # {}
    "story_clock_jumped",  # {"to": ISO datetime, "reason": str}
    "phase_started",  # {"phase": phase id}
    "team_selected",  # {"team": team id} - view state, so resume restores it
    "exercise_ended",  # {} - ENDEX
    # the timeline
    "inject_delivered",  # {"inject": id}
    "unscripted_inject",  # {"inject": {id,title,channel,from,to,body}} - delivered at once
    "inject_skipped",  # {"inject": id, "reason": str}
    "inject_held",  # {"inject": id, "reason": str}
    "inject_released",  # {"inject": id, "reason": str}
    "inject_retimed",  # {"inject": id, "play_minute": int, "reason": str}
    "delivery_undone",  # {"event": seq of inject_delivered/unscripted_inject, "reason": str}
    # decisions
    "decision_recorded",  # {"team", "inject": id|None, "text", "option": id|None, "items": [ref]}
    "decision_amended",  # {"event": seq, "text", "option", "items", "reason"}
    "decision_retracted",  # {"event": seq, "reason"}
    "decision_moved",  # {"event": seq, "team": team id, "reason"}
    # evaluation
    "item_rated",  # {"team", "item": "checklist/item", "rating": Rating, "note": str}
    "rating_corrected",  # {"event": seq of item_rated, "rating": Rating, "note", "reason"}
    "objective_rated",  # {"objective": id, "rating": "P"|"S"|"M"|"U", "reason": str}
    "note_added",  # {"text", "team": id|None, "inject": id|None}
    "hotwash_entry",  # {"objective": id|None, "kind": "strength"|"improvement", "text", "team"}
    "improvement_action",  # {"action", "item": ref|None, "capability": str, "owner", "due": date}
]

EVENT_KINDS: frozenset[str] = frozenset(EventKind.__args__)  # type: ignore[attr-defined]

# Events that change what the record says happened; corrections point at these.
CORRECTABLE: dict[str, frozenset[str]] = {
    "delivery_undone": frozenset({"inject_delivered", "unscripted_inject"}),
    "decision_amended": frozenset({"decision_recorded"}),
    "decision_retracted": frozenset({"decision_recorded"}),
    "decision_moved": frozenset({"decision_recorded"}),
    "rating_corrected": frozenset({"item_rated"}),
}


@dataclass(frozen=True)
class Event:
    seq: int
    """Position in the journal, from 1, without gaps."""
    kind: str
    """One of :data:`EventKind`."""
    wall: float
    """When it was recorded: UTC seconds since the epoch."""
    data: dict[str, Any] = field(default_factory=dict)
    """The payload; keys per kind as listed above."""

    def to_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "kind": self.kind, "wall": self.wall, "data": self.data}
