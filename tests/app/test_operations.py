"""Console operations on a real session, no terminal."""

from __future__ import annotations

import pytest
from fakeclock import FakeClock

from tabletop.app import operations
from tabletop.session.session import Session


def kinds(session: Session) -> list[str]:
    return [e.kind for e in session.store.events()]


def test_the_first_delivery_starts_the_play_clock(session: Session, clock: FakeClock) -> None:
    event, started = operations.deliver_next(session)
    assert started and event is not None
    assert kinds(session)[-2:] == ["clock_resumed", "inject_delivered"]
    assert not session.state.paused
    clock.advance(120)
    assert session.play_seconds() == 120
    session.toggle_pause()
    _event, started = operations.deliver_next(session)  # paused on purpose: it stays so
    assert not started and session.state.paused


def test_a_clock_already_run_is_left_as_the_facilitator_left_it(
    session: Session, clock: FakeClock
) -> None:
    session.toggle_pause()
    clock.advance(60)
    session.toggle_pause()
    _event, started = operations.deliver_next(session)
    assert not started and session.state.paused


def test_a_refused_first_delivery_starts_no_clock(session: Session) -> None:
    before = kinds(session)
    with pytest.raises(ValueError, match="unknown inject 'pier-9'"):
        operations.deliver(session, "pier-9")
    assert kinds(session) == before and session.state.paused


def test_nothing_to_deliver_starts_nothing(session: Session) -> None:
    for inject in session.scenario.injects:
        session.record("inject_skipped", inject=inject.id, reason="cut")
    assert operations.deliver_next(session) == (None, False)
    assert session.state.paused
