"""What a listing shows of a session, counted from its store without a replay.

``tabletop sessions`` lists a folder of sessions: replaying each took seconds
for a folder of long ones. The store counts its events by kind, and the checks
that every event passed on writing make the counts exact: an undo names a live
delivery, a retraction a live decision, and ENDEX comes once.
"""

from __future__ import annotations

from dataclasses import dataclass

from tabletop.session import events as ev
from tabletop.session.store.base import SessionMeta, SessionStore


@dataclass(frozen=True)
class SessionSummary:
    meta: SessionMeta
    delivered: int
    """Injects delivered and not undone."""
    decisions: int
    """Decisions recorded and not retracted."""
    ended: bool
    last_wall: float | None


def summarise(store: SessionStore) -> SessionSummary:
    tally = store.tally()
    count = tally.counts.get

    def of(*kinds: type[ev.Payload]) -> int:
        return sum(count(kind.KIND, 0) for kind in kinds)

    return SessionSummary(
        meta=store.meta,
        delivered=of(ev.InjectDelivered, ev.UnscriptedInject) - of(ev.DeliveryUndone),
        decisions=of(ev.DecisionRecorded) - of(ev.DecisionRetracted),
        ended=of(ev.ExerciseEnded) > 0,
        last_wall=tally.last_wall,
    )
