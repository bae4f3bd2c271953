"""Session: checked recording, conveniences, resume and readers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from conftest import FakeClock, Loaded, Script

from tabletop.session.session import Session, default_session_path
from tabletop.session.store.errors import SessionError


def test_new_session_is_paused_and_records_that_it_was_opened(session: Session) -> None:
    assert [e.kind for e in session.store.events()] == ["facilitator_opened"]
    assert session.state.paused
    assert session.play_seconds() == 0


def test_conveniences_record_one_event_each(session: Session, clock: FakeClock) -> None:
    assert session.toggle_pause().kind == "clock_resumed"
    clock.advance(90)
    delivered = session.deliver_next()
    assert delivered is not None and delivered.data == {"inject": "intro"}
    session.deliver("choice")
    decision = session.record_decision(
        "policy", "Open talks", inject="choice", option="talk", items=("drill/share",)
    )
    assert decision.data == {
        "team": "policy",
        "inject": "choice",
        "text": "Open talks",
        "option": "talk",
        "items": ["drill/share"],
    }
    assert session.rate_item("ops", "drill/liaise", "met").data["note"] == ""
    session.select_team("comms")  # the console's own state: no event
    assert session.selected_team == "comms"
    assert session.toggle_pause().kind == "clock_paused"
    assert session.end_exercise().kind == "exercise_ended"
    assert session.play_seconds() == 90
    assert session.state.ended
    assert len(session.store.events()) == 8


def test_hotwash_payload_may_carry_a_kind_key(session: Session) -> None:
    event = session.record("hotwash_entry", kind="improvement", text="Slow start")
    assert event.data == {
        "objective": None,
        "kind": "improvement",
        "text": "Slow start",
        "team": None,
    }


BAD: list[tuple[str, dict[str, Any], str]] = [
    ("made_up", {}, "unknown event kind"),
    ("inject_delivred", {}, "did you mean 'inject_delivered'"),
    ("team_selected", {"team": "opps"}, "unknown team 'opps' (did you mean 'ops'?)"),
    ("inject_delivered", {"inject": "nowhere"}, "unknown inject 'nowhere'"),
    ("inject_delivered", {"inject": "intro", "extra": 1}, "unexpected field 'extra'"),
    (
        "decision_recorded",
        {"team": "policy", "text": "x", "inject": "choice", "option": "flee"},
        "'flee' is not an option of 'choice'",
    ),
    (
        "decision_recorded",
        {"team": "ops", "text": "x", "inject": "choice", "option": "talk"},
        "only team 'policy' decides 'choice'",
    ),
    (
        "decision_recorded",
        {"team": "ops", "text": "x", "inject": "intro", "option": "talk"},
        "not a decision point",
    ),
    ("decision_recorded", {"team": "ops", "text": "  "}, "'text' must not be empty"),
    (
        "decision_recorded",
        {"team": "ops", "text": "x", "items": ["drill/nope"]},
        "unknown checklist item 'drill/nope'",
    ),
    (
        "item_rated",
        {"team": "ops", "item": "drill/share", "rating": "great"},
        "'rating' must be one of met, partial, not_met, na, not 'great'",
    ),
    (
        "item_rated",
        {"team": "ops", "item": "drill/shar", "rating": "met"},
        "did you mean 'drill/share'",
    ),
    ("objective_rated", {"objective": "o1", "rating": "A", "reason": "x"}, "one of P, S, M, U"),
    ("objective_rated", {"objective": "o1", "rating": "P"}, "'reason' is missing"),
    (
        "rating_corrected",
        {"event": 1, "rating": "met", "reason": "x"},
        "rating_corrected corrects item_rated events, but event 1 is facilitator_opened",
    ),
    ("delivery_undone", {"event": 42, "reason": "x"}, "there is no event 42"),
    ("story_clock_jumped", {"to": "2026-03-14T06:00:00"}, "with a zone"),
    ("inject_retimed", {"inject": "wrapup", "play_minute": -5}, "from 0 to 1440"),
    ("inject_released", {"inject": "intro"}, "neither held nor skipped"),
    ("phase_started", {"phase": "p4"}, "unknown phase 'p4'"),
    ("hotwash_entry", {"kind": "meh", "text": "x"}, "'kind' must be one of strength, improvement"),
    ("improvement_action", {"action": "x", "due": "next week"}, "must look like 2026-06-30"),
    (
        "unscripted_inject",
        {"inject": {"title": "x", "channel": "pigeon", "from": "y"}},
        "unscripted_inject: 'inject.channel' must be one of email, phone, hotline,",
    ),
    (
        "unscripted_inject",
        {"inject": {"id": "intro", "title": "x", "channel": "news", "from": "y"}},
        "already exists",
    ),
    (
        "unscripted_inject",
        {"inject": {"title": "x", "channel": "news", "from": "y", "to": ["navy"]}},
        "unknown team 'navy'",
    ),
]


@pytest.mark.parametrize(("kind", "data", "message"), BAD, ids=[m for _, _, m in BAD])
def test_bad_payloads_are_refused_and_nothing_is_written(
    session: Session, kind: str, data: dict[str, Any], message: str
) -> None:
    before = session.store.events()
    seq = session.state.last_seq
    with pytest.raises(ValueError) as refused:
        session.record(kind, **data)
    assert message in str(refused.value)
    assert "\n" not in str(refused.value)
    assert session.store.events() == before
    assert session.state.last_seq == seq


def test_state_dependent_refusals(session: Session) -> None:
    delivered = session.deliver("intro")
    with pytest.raises(ValueError, match="already been delivered"):
        session.deliver("intro")
    with pytest.raises(ValueError, match="already been delivered; undo the delivery first"):
        session.record("inject_skipped", inject="intro", reason="x")
    session.record("delivery_undone", event=delivered.seq, reason="too early")
    with pytest.raises(ValueError, match="already been undone"):
        session.record("delivery_undone", event=delivered.seq, reason="again")
    session.deliver("choice")
    decision = session.record_decision("policy", "Talk", inject="choice", option="talk")
    session.record("decision_retracted", event=decision.seq, reason="not said")
    with pytest.raises(ValueError, match="has been retracted"):
        session.record("decision_amended", event=decision.seq, text="y", reason="z")
    other = session.record_decision("ops", "Wait")
    with pytest.raises(ValueError, match="already belongs to team 'ops'"):
        session.record("decision_moved", event=other.seq, team="ops", reason="x")
    with pytest.raises(ValueError, match="'reason' is missing"):
        session.record("decision_retracted", event=other.seq)
    session.record("inject_held", inject="talks", reason="later")
    with pytest.raises(ValueError, match="already held"):
        session.record("inject_held", inject="talks", reason="later")


def test_after_endex_the_play_clock_stays_stopped(session: Session, clock: FakeClock) -> None:
    session.toggle_pause()
    clock.advance(60)
    session.end_exercise()
    with pytest.raises(ValueError, match="ended"):
        session.toggle_pause()  # would resume the clock under an ENDEX banner
    with pytest.raises(ValueError, match="already ended"):
        session.end_exercise()
    clock.advance(600)
    assert session.state.paused and session.state.ended
    assert session.play_seconds() == 60
    assert [e.kind for e in session.store.events()][-1] == "exercise_ended"


def test_a_resume_after_endex_in_an_old_journal_is_ignored(script: Script) -> None:
    script.add("clock_resumed")
    script.add("exercise_ended", after=60)
    script.add("clock_resumed", after=5)  # written before resuming was refused
    state = script.state
    assert state.ended and state.paused
    assert state.play_seconds(script.wall + 600) == 60


def test_amendment_fills_in_what_it_does_not_change(session: Session) -> None:
    session.deliver("choice")
    decision = session.record_decision(
        "policy", "Talk", inject="choice", option="talk", items=["drill/share"]
    )
    amended = session.record("decision_amended", event=decision.seq, text="Talk now", reason="r")
    assert amended.data == {
        "event": decision.seq,
        "text": "Talk now",
        "option": "talk",
        "items": ["drill/share"],
        "reason": "r",
    }


def test_unscripted_inject_gets_an_id_and_defaults(session: Session) -> None:
    event = session.record(
        "unscripted_inject", inject={"title": "Phone call", "channel": "phone", "from": "Mayor"}
    )
    assert event.data["inject"] == {
        "id": "unscripted-1",
        "title": "Phone call",
        "channel": "phone",
        "from": "Mayor",
        "to": "all",
        "body": "",
    }
    assert session.state.injects["unscripted-1"].status == "delivered"


def test_resume_restores_the_session(session_path: Path, loaded: Loaded, clock: FakeClock) -> None:
    with Session.create(session_path, loaded, clock=clock) as first:
        first.toggle_pause()
        clock.advance(300)
        first.deliver_next()
        first.deliver_next()
        decision = first.record_decision("policy", "Go", inject="choice", option="escalate")
        first.record("decision_amended", event=decision.seq, text="Go now", reason="precise")
        first.rate_item("ops", "drill/share", "partial", "slow")
        first.select_team("policy")
        first.record("story_clock_jumped", to="2026-03-15T08:00:00Z", reason="overnight")
        clock.advance(60)
        first.deliver("escalation")
        clock.advance(30)
        snapshot = (
            [s.inject.id for s in first.state.delivered()],
            first.state.decisions[decision.seq].text,
            first.state.ratings[("ops", "drill/share")].rating,
            first.state.current_phase,
            first.state.story_now,
            first.play_seconds(),
            first.state.next_inject(),
        )
        # quit without pausing: the clock was running
    clock.advance(7200)  # two hours later, someone reopens it
    with Session.open(session_path, clock=clock, expect_exercise="drill") as again:
        state = again.state
        assert state.paused
        assert again.selected_team == "policy"  # kept for the facilitator's next console
        restored = (
            [s.inject.id for s in state.delivered()],
            state.decisions[decision.seq].text,
            state.ratings[("ops", "drill/share")].rating,
            state.current_phase,
            state.story_now,
            again.play_seconds(),
            state.next_inject(),
        )
        # Play time stops when the previous facilitator console closed (390 s), not
        # at its last event (360 s), nor now.
        assert restored[:5] == snapshot[:5]
        assert restored[5] == 390
        assert restored[6] == snapshot[6]
        assert state.story_now == datetime(2026, 3, 15, 8, tzinfo=UTC)


def test_reader_cannot_record_and_refresh_follows(session: Session, session_path: Path) -> None:
    reader = Session.open_readonly(session_path)
    try:
        assert reader.read_only
        with pytest.raises(SessionError, match="read-only"):
            reader.deliver_next()
        assert reader.refresh() == []
        session.deliver_next()
        session.record("note_added", text="seen?")
        fresh = reader.refresh()
        assert [e.kind for e in fresh] == ["inject_delivered", "note_added"]
        assert [s.inject.id for s in reader.state.delivered()] == ["intro"]
    finally:
        reader.close()


def test_default_session_path_uses_utc(tmp_path: Path) -> None:
    local = datetime(2026, 3, 14, 9, 30, 5, tzinfo=timezone(timedelta(hours=2)))
    assert default_session_path(tmp_path, "drill", local) == (
        tmp_path / "sessions" / "drill-20260314T073005Z.db"
    )


def test_blank_optional_references_mean_none(session: Session) -> None:
    event = session.record("note_added", text="General remark", team="", inject="")
    assert event.data == {"text": "General remark", "team": None, "inject": None}
