"""Console operations that record two events, safe to retry.

The first delivery of a session starts its play clock (:func:`deliver_next`).

Some things a facilitator does are two facts: an inject delivered out of order
and the note that says why; an unscripted inject and the reason it was
written. If the second write fails (a full disk), the form stays open and the
facilitator saves again: the first event must then not be recorded twice.
Each operation remembers what it has already recorded.
"""

from __future__ import annotations

from typing import Any

from tabletop.session.checks import normalise
from tabletop.session.events import Event, UnscriptedInject
from tabletop.session.session import Session


def clock_never_ran(session: Session) -> bool:
    """Nothing delivered yet and the play clock never started: a new session."""
    state = session.state
    return (session.recorder.is_facilitator and state.paused and not state.ended
            and not state.deliveries() and state.play_seconds(session.clock()) == 0)


def deliver(session: Session, inject_id: str) -> tuple[Event, bool]:
    """Deliver ``inject_id``; the first delivery of a session whose play clock never
    ran starts the clock first (a facilitator who forgot ``space`` must not end with
    a report of 0:00 played). Says whether it started the clock."""
    started = clock_never_ran(session)
    if started:
        # Checked first: no clock is started for a delivery that will be refused.
        normalise("inject_delivered", {"inject": inject_id}, session.state)
        session.record("clock_resumed")
    return session.deliver(inject_id), started


def deliver_next(session: Session) -> tuple[Event | None, bool]:
    """:func:`deliver` the next pending inject (None when there is none)."""
    upcoming = session.state.next_inject()
    if upcoming is None:
        return None, False
    return deliver(session, upcoming.inject.id)


class DeliverOutOfOrder:
    """Deliver ``inject_id`` now, then note the reason (``inject_delivered`` has none)."""

    def __init__(self, session: Session, inject_id: str) -> None:
        self.session = session
        self.inject_id = inject_id
        self.delivered = False

    def __call__(self, reason: str) -> None:
        if not self.delivered:
            deliver(self.session, self.inject_id)
            self.delivered = True
        self.session.record("note_added", text=f"Delivered out of order: {reason}",
                            team=None, inject=self.inject_id)


class WriteUnscripted:
    """Write and deliver an unscripted inject, then note the reason it was written.

    Without an id the session gives it the next free ``unscripted-N``: there is
    one id generator, in the session's checks.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self.inject_id: str | None = None

    def __call__(self, inject: dict[str, Any], reason: str) -> str:
        if self.inject_id is None:
            spec = {key: value for key, value in inject.items() if value is not None}
            event = self.session.record("unscripted_inject", inject=spec)
            payload = event.payload
            assert isinstance(payload, UnscriptedInject) and isinstance(payload.inject.id, str)
            self.inject_id = payload.inject.id
        # The event has no reason field; a note on the new inject keeps it.
        self.session.record("note_added", text=f"Unscripted: {reason}", team=None,
                            inject=self.inject_id)
        return self.inject_id
