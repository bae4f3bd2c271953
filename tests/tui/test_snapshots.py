"""Snapshots of the console (fixed clock, session in tmp_path): look at the
report (pytest --snapshot-report) before accepting a changed snapshot."""

from __future__ import annotations

from typing import Any

from tabletop.session.session import Session
from tabletop.tui.console.app import make_app

WHERE = "sessions/harbour-drill-20260314T060000Z.db"


def played(session: Session) -> Session:
    """Two injects delivered, a decision on each, one rating, a team change."""
    session.deliver_next()
    session.record_decision("mod", "Navy leads; fire brigade informed", inject="harbour-alarm",
                            items=["coord/share"])
    session.deliver_next()
    session.record_decision("mod", "Send two frigates", inject="press-call", option="send")
    session.rate_item("mod", "coord/share", "met", "shared within minutes")
    session.select_team("mfa")
    return session


def test_main_screen_120x36(snap_compare: Any, session: Session) -> None:
    assert snap_compare(make_app(played(session), where=WHERE), terminal_size=(120, 36))


def test_main_screen_80x24(snap_compare: Any, session: Session) -> None:
    assert snap_compare(make_app(played(session), where=WHERE), terminal_size=(80, 24))


def test_decision_form(snap_compare: Any, session: Session) -> None:
    app = make_app(played(session), where=WHERE)
    assert snap_compare(app, press=["d", *"Ask", "space", *"NATO"], terminal_size=(120, 36))


def test_history_view(snap_compare: Any, session: Session) -> None:
    played(session)
    first = min(session.state.decisions)
    session.record("decision_retracted", event=first, reason="recorded twice")
    app = make_app(session, where=WHERE)
    assert snap_compare(app, press=["y"], terminal_size=(120, 36))
