"""Derived session state: what the journal's events add up to.

``SessionState`` is rebuilt by replaying events and then kept current by
``apply(event)`` for each new event, so that a keystroke costs O(1)-ish work,
not a replay. Nothing here is stored; the journal is the only truth.

CONTRACT (shared by the journal, the console and the report; keep it stable):

* ``SessionState(scenario)`` then ``apply(e)`` for each event in seq order.
* ``apply`` never raises on a well-formed event whose references are unknown
  (an old session replayed against changed code); it records the event in
  ``history`` and ignores what it cannot place.
* Branches: a conditional inject is eligible when the deciding team's latest
  non-retracted decision on the decision inject chose one of the condition's
  options; with no such decision the decision's ``default`` applies. An inject
  whose condition is false is shown as ``skipped-branch`` (never hidden).
  Deliveries are facts: an amendment never undoes a delivery that happened.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from tabletop.model import Scenario, ScenarioInject
from tabletop.session.events import Event

InjectStatus = Literal["pending", "held", "delivered", "skipped", "skipped-branch"]


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


@dataclass
class DecisionRevision:
    seq: int
    kind: str
    """decision_recorded / decision_amended / decision_moved / decision_retracted."""
    wall: float
    reason: str = ""


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


@dataclass
class ObjectiveOverride:
    seq: int
    objective: str
    rating: str
    reason: str


@dataclass
class HotwashEntry:
    seq: int
    objective: str | None
    kind: Literal["strength", "improvement"]
    text: str
    team: str | None


@dataclass
class ImprovementAction:
    seq: int
    action: str
    item: str | None
    capability: str
    owner: str
    due: str


@dataclass
class Note:
    seq: int
    text: str
    team: str | None
    inject: str | None
    wall: float
    story_time: datetime
