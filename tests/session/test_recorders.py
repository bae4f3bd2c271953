"""Several recorders on one session: roles, authors, conflicts and the clock."""

from __future__ import annotations

import shutil
from pathlib import Path

import msgspec
import pytest
from conftest import Loaded, scenario_data
from fakeclock import FakeClock
from scenarios import scenario as scenario_from

from tabletop.session.authors import Recorder, new_recorder
from tabletop.session.events import NoteAdded, payload_of
from tabletop.session.importing import _Export, import_session
from tabletop.session.permissions import refusal
from tabletop.session.session import Conflict, Refused, Session
from tabletop.session.state import SessionState
from tabletop.session.store.base import StaleAppend
from tabletop.session.store.errors import SessionError, SessionLocked
from tabletop.session.store.sqlite import Journal

OLD = Path(__file__).parent.parent / "fixtures" / "sessions"


def evaluator(name: str = "K. Oswald", *teams: str) -> Recorder:
    return new_recorder("evaluator", name, teams)


def scribe(team: str = "ops", name: str = "P. Ndiaye") -> Recorder:
    return new_recorder("scribe", name, (team,))


@pytest.fixture
def expecting(tmp_path: Path) -> Loaded:
    """The drill, with 'intro' expecting drill/share (and nothing else expecting it)."""
    data = scenario_data()
    data["injects"][0]["expected_actions"] = [{"text": "Share it", "item": "drill/share"}]
    return Loaded(scenario_from(data), tmp_path / "exercises" / "drill.yaml", "ab" * 32)


# ------------------------------------------------------------ who may record what


def _check(recorder: Recorder, kind: str, state: SessionState, **data: object) -> str | None:
    return refusal(recorder, payload_of(kind, dict(data)), state)


def test_each_role_records_only_what_its_seat_does(scenario: object) -> None:
    state = SessionState(scenario)  # type: ignore[arg-type]
    controller = new_recorder("controller", "SimCell")
    observer = new_recorder("observer", "Sponsor")
    facilitator = new_recorder("facilitator")
    unscripted = {"inject": {"title": "Call", "channel": "phone", "from": "Mayor",
                             "to": ["ops"], "body": ""}}
    assert _check(facilitator, "inject_delivered", state, inject="intro") is None
    assert _check(evaluator(), "item_rated", state, team="ops", item="drill/share",
                  rating="met") is None
    assert _check(scribe(), "decision_recorded", state, team="ops", text="Go") is None
    assert _check(controller, "unscripted_inject", state, **unscripted) is None
    assert _check(evaluator(), "inject_delivered", state, inject="intro") == (
        "an evaluator cannot steer the exercise (deliveries, clocks, branches, ENDEX): "
        "the facilitator can"
    )
    assert _check(scribe(), "item_rated", state, team="ops", item="drill/share",
                  rating="met") == "a scribe cannot rate: evaluators and the facilitator can"
    assert _check(controller, "clock_resumed", state) is not None
    assert _check(evaluator(), "decision_recorded", state, team="ops", text="Go") is not None
    assert _check(observer, "note_added", state, text="hm") == (
        "an observer console records nothing; join with another role to record"
    )
    for role in (controller, evaluator(), scribe()):
        assert _check(role, "note_added", state, text="seen") is None
        assert _check(role, "improvement_action", state, action="Fix it") is not None


def test_a_console_given_teams_records_only_for_them(scenario: object) -> None:
    state = SessionState(scenario)  # type: ignore[arg-type]
    mine = evaluator("K. Oswald", "ops")
    assert _check(mine, "item_rated", state, team="ops", item="drill/share", rating="met") is None
    assert _check(mine, "item_rated", state, team="policy", item="drill/share",
                  rating="met") == "this evaluator console records for ops, not for 'policy'"
    controller = new_recorder("controller", "SimCell", ("ops",))
    to_all = {"title": "Call", "channel": "phone", "from": "Mayor", "to": "all", "body": ""}
    assert _check(controller, "unscripted_inject", state, inject=to_all) is not None
    assert _check(controller, "unscripted_inject", state,
                  inject={**to_all, "to": ["ops"]}) is None


def test_a_correction_belongs_to_the_team_of_what_it_corrects(session: Session) -> None:
    decision = session.record_decision("policy", "Talk first")
    other = scribe("ops")
    assert _check(other, "decision_retracted", session.state, event=decision.seq,
                  reason="mine") == "this scribe console records for ops, not for 'policy'"
    assert _check(scribe("policy"), "decision_retracted", session.state, event=decision.seq,
                  reason="mine") is None


@pytest.mark.parametrize(
    ("role", "name", "teams", "message"),
    [
        ("evaluator", None, (), "a evaluator console needs --name"),
        ("scribe", "P. Ndiaye", (), "a scribe console needs --team"),
        ("observer", "Sponsor", ("ops",), "--team is for controllers"),
        ("judge", "X", (), "'judge' is not a role"),
        ("evaluator", "K.\x1b[2J", (), "control characters"),
        ("evaluator", "x" * 81, (), "81 characters long"),
    ],
)
def test_a_recorder_is_checked_in_one_line(
    role: str, name: str | None, teams: tuple[str, ...], message: str
) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        new_recorder(role, name, teams)


# ------------------------------------------------------------ consoles side by side


def test_any_number_of_consoles_record_beside_one_facilitator(
    session: Session, session_path: Path, clock: FakeClock
) -> None:
    with Session.open(session_path, clock=clock, recorder=evaluator()) as rating, \
            Session.open(session_path, clock=clock, recorder=scribe("ops")) as deciding:
        with pytest.raises(SessionLocked, match="already has a facilitator console"):
            Session.open(session_path, clock=clock)
        session.record("clock_resumed")
        rated = rating.rate_item("ops", "drill/share", "met")
        decided = deciding.record_decision("ops", "Share the picture")
        noted = session.record("note_added", text="Both at once")
        assert [rated.seq, decided.seq, noted.seq] == [3, 4, 5]  # the store numbers them
        assert rated.author.name == "K. Oswald" and rated.author.role == "evaluator"
        assert decided.received is not None
        for console in (session, rating, deciding):
            console.refresh()
            assert console.state.last_seq == 5
        # Opening the other consoles recorded nothing and paused nothing.
        kinds = [e.kind for e in session.state.history]
        assert kinds == ["facilitator_opened", "clock_resumed", "item_rated",
                         "decision_recorded", "note_added"]
        assert not session.state.paused
    with Session.open_readonly(session_path) as reader:
        authors = [(e.author.name, e.author.role) for e in reader.state.history]
    assert authors[2:4] == [("K. Oswald", "evaluator"), ("P. Ndiaye", "scribe")]


def test_an_append_checked_against_an_older_state_catches_up_first(
    session: Session, session_path: Path, clock: FakeClock
) -> None:
    with Session.open(session_path, clock=clock, recorder=evaluator()) as late:
        session.deliver("intro")
        session.record_decision("policy", "Talk")
        # ``late`` has not seen either: its note is checked again and numbered after them.
        note = late.record("note_added", text="Seen from table two")
        assert note.seq == 4
        assert late.state.injects["intro"].status == "delivered"
    store = session.store
    with pytest.raises(StaleAppend):  # the store itself refuses a stale append
        store.append(payload_of("note_added", {"text": "late"}), after=2)
    assert [e.seq for e in store.events()] == [1, 2, 3, 4]


def test_the_same_inject_written_twice_is_a_conflict_that_names_who(
    session: Session, session_path: Path, clock: FakeClock
) -> None:
    first = new_recorder("controller", "SimCell North")
    second = new_recorder("controller", "SimCell South")
    spec = {"id": "power-cut", "title": "Power cut", "channel": "phone", "from": "Grid",
            "to": ["ops"], "body": ""}
    with Session.open(session_path, clock=clock, recorder=first) as north, \
            Session.open(session_path, clock=clock, recorder=second) as south:
        north.record("unscripted_inject", inject=spec)
        with pytest.raises(Conflict) as refused:
            south.record("unscripted_inject", inject=spec)
    assert str(refused.value) == (
        "an inject with id 'power-cut' already exists: SimCell North (controller) recorded "
        "\"Unscripted inject: Power cut\" a moment ago"
    )
    assert [e.kind for e in session.store.events()].count("unscripted_inject") == 1


def test_a_correction_of_a_decision_retracted_meanwhile_is_refused_with_who(
    session: Session, session_path: Path, clock: FakeClock
) -> None:
    decision = session.record_decision("ops", "Send the ferry")
    with Session.open(session_path, clock=clock, recorder=scribe("ops", "K. Oswald")) as other:
        session.record("decision_retracted", event=decision.seq, reason="wrong table")
        with pytest.raises(Conflict) as refused:
            other.record("decision_amended", event=decision.seq, text="Send two ferries",
                         reason="typo")
        assert str(refused.value) == (
            "decision #1 has been retracted: the facilitator recorded "
            "\"Decision #1 retracted (reason: wrong table)\" a moment ago"
        )
        assert other.state.decisions[decision.seq].retracted
    assert [e.kind for e in session.store.events()][-1] == "decision_retracted"


def test_a_rating_of_an_item_whose_only_inject_was_undone_meanwhile_is_refused(
    tmp_path: Path, expecting: Loaded, clock: FakeClock
) -> None:
    path = tmp_path / "s.db"
    with Session.create(path, expecting, clock=clock) as facilitator, \
            Session.open(path, clock=clock, recorder=evaluator()) as rating:
        delivered = facilitator.deliver("intro")
        rating.refresh()
        facilitator.record("delivery_undone", event=delivered.seq, reason="too early")
        with pytest.raises(Conflict, match=r"'drill/share' is expected only after inject "
                           r"'intro', whose delivery was undone.*the facilitator recorded "
                           r"\"Delivery #2 undone"):
            rating.rate_item("ops", "drill/share", "met")
        assert rating.rate_item("ops", "drill/liaise", "met").seq == 4  # never expected


def test_a_rating_refused_live_still_imports_from_an_older_record(
    tmp_path: Path, expecting: Loaded, clock: FakeClock
) -> None:
    """The rule is for events from now on: an export of an older record keeps it."""
    with Session.create(tmp_path / "s.db", expecting, clock=clock) as s:
        delivered = s.deliver("intro")
        s.record("delivery_undone", event=delivered.seq, reason="too early")
        with pytest.raises(ValueError, match="expected only after"):
            s.rate_item("ops", "drill/share", "met")
        events = [e.to_json() for e in s.state.history]
    events.append({"kind": "item_rated", "data": {"team": "ops", "item": "drill/share",
                                                  "rating": "met"}})
    export = msgspec.json.decode(
        msgspec.json.encode({"exercise_id": "drill", "events": events}), type=_Export
    )
    imported = import_session(export, tmp_path / "copy.db", lambda _id: expecting)
    assert imported.events == len(events)


def test_an_export_claiming_an_observer_recorded_is_refused(
    tmp_path: Path, loaded: Loaded
) -> None:
    from tabletop.session.importing import ExportRefused

    raw = msgspec.json.encode({
        "exercise_id": "drill",
        "events": [{"kind": "note_added", "data": {"text": "hi"},
                    "actor": {"name": "Sponsor", "role": "observer"}}],
    })
    export = msgspec.json.decode(raw, type=_Export)
    with pytest.raises(ExportRefused, match=r"event seq 1 .* observer console records nothing"):
        import_session(export, tmp_path / "new.db", lambda _id: loaded)
    assert not (tmp_path / "new.db").exists()


def test_each_console_keeps_its_own_selected_team(
    session: Session, session_path: Path, clock: FakeClock
) -> None:
    session.select_team("comms")
    with Session.open(session_path, clock=clock, recorder=evaluator("K. Oswald")) as other:
        assert other.selected_team == "ops"  # not the facilitator's
        other.select_team("policy")
    assert session.selected_team == "comms"
    with Session.open(session_path, clock=clock, recorder=evaluator("K. Oswald")) as again:
        assert again.selected_team == "policy"  # restored for the same person
    with Session.open(session_path, clock=clock, recorder=evaluator("J. Mensah")) as stranger:
        assert stranger.selected_team == "ops"
    with Session.open(session_path, clock=clock, recorder=scribe("policy")) as bound:
        assert bound.selected_team == "policy"
        with pytest.raises(Refused, match="records for policy, not for 'ops'"):
            bound.select_team("ops")
    assert "team_selected" not in {e.kind for e in session.store.events()}


def test_an_observer_records_nothing(session: Session, session_path: Path) -> None:
    with Session.open(session_path, recorder=new_recorder("observer", "Sponsor")) as watching:
        assert watching.read_only
        with pytest.raises(Refused, match="observer console records nothing"):
            watching.record("note_added", text="hello")
    assert [e.kind for e in session.store.events()] == ["facilitator_opened"]


def test_only_the_facilitator_starts_a_session(tmp_path: Path, loaded: Loaded) -> None:
    with pytest.raises(SessionError, match="the facilitator starts a session"):
        Session.create(tmp_path / "new.db", loaded, recorder=evaluator())
    assert not (tmp_path / "new.db").exists()


def test_an_unknown_team_for_a_console_is_refused_with_a_suggestion(
    session: Session, session_path: Path
) -> None:
    with pytest.raises(SessionError, match=r"--team opps: .*did you mean 'ops'"):
        Session.open(session_path, recorder=evaluator("K. Oswald", "opps"))


# ------------------------------------------------------------ the facilitator's clock


def test_a_lost_facilitator_stops_the_clock_at_its_last_sign_of_life(
    session: Session, session_path: Path, clock: FakeClock
) -> None:
    with Session.open(session_path, clock=clock, recorder=evaluator()) as rating:
        session.record("clock_resumed")
        clock.advance(60)
        session.heartbeat()  # its last sign of life
        clock.advance(30)
        # The facilitator's process dies here: the lock goes, the heartbeat stays.
        lost = session.store
        assert isinstance(lost, Journal)
        lost._registered = False  # a kill leaves no "closed"
        lost.close()
        clock.advance(100)
        rating.rate_item("ops", "drill/share", "met")  # the room carries on
        rating.refresh()
        assert rating.play_seconds() == 60  # stopped where it was last seen, for everyone
        clock.advance(600)
        with Session.open(session_path, clock=clock) as back:
            assert back.state.paused
            assert back.play_seconds() == 60
            opened = back.state.history[-1]
            assert opened.kind == "facilitator_opened"
            assert opened.data["clock_stopped_at"] == pytest.approx(clock.now - 730)


def test_a_facilitator_console_that_closed_stops_the_clock_when_it_closed(
    session: Session, session_path: Path, clock: FakeClock
) -> None:
    session.record("clock_resumed")
    clock.advance(45)
    session.close()
    clock.advance(500)
    with Session.open_readonly(session_path) as reader:
        reader.clock = clock
        assert reader.play_seconds() == 45


# ------------------------------------------------------------ older files


def test_a_format_3_file_opens_for_writing_and_its_events_read_as_the_facilitator(
    tmp_path: Path,
) -> None:
    copy = tmp_path / "old.db"
    shutil.copyfile(OLD / "harbour-format3.db", copy)
    with Session.open(copy, recorder=evaluator("K. Oswald")) as session:
        assert session.meta.upgraded_from == 3 and session.meta.format_version == 4
        old = session.state.history
        assert {(e.author.name, e.author.role) for e in old} == {("", "facilitator")}
        assert session.selected_team == "comms"  # from the old file's team_selected
        event = session.record("note_added", text="An evaluator's note", team=None, inject=None)
        assert isinstance(event.payload, NoteAdded)
    with Session.open_readonly(copy) as reader:
        assert reader.state.history[-1].author.name == "K. Oswald"
        assert reader.state.history[-1].received is not None
        assert reader.state.history[-2].received is None  # from before the store kept it


def test_a_file_busy_beyond_sqlite_s_own_wait_is_waited_for_not_shown(
    session_path: Path, loaded: Loaded, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3
    import threading
    import time

    from tabletop.session.store import sqlite as store

    monkeypatch.setattr(store, "BUSY_TIMEOUT", 0.02)  # SQLite gives up at once
    with Session.create(session_path, loaded) as session:
        other = sqlite3.connect(session_path, isolation_level=None, check_same_thread=False)
        other.execute("BEGIN IMMEDIATE")  # another console mid-commit, for a long moment
        release = threading.Timer(0.4, lambda: other.execute("COMMIT"))
        release.start()
        started = time.monotonic()
        note = session.record("note_added", text="Waited for the file")
        assert time.monotonic() - started >= 0.3
        release.join()
        other.close()
    assert note.seq == 2


def test_a_damaged_list_of_consoles_never_stops_a_follower(
    session: Session, session_path: Path, clock: FakeClock
) -> None:
    import sqlite3

    session.record("clock_resumed")
    clock.advance(30)
    session.record("note_added", text="The facilitator's last event")
    clock.advance(30)
    session.close()
    conn = sqlite3.connect(session_path)
    conn.execute("UPDATE consoles SET role = 'king', seen = 'soon'")
    conn.commit()
    conn.close()
    with Session.open_readonly(session_path) as reader:
        reader.clock = clock
        assert reader.play_seconds() == 30  # at its last event, not when it closed
    with pytest.raises(SessionError, match=r"console .* is damaged|role is not a role"):
        Session.open(session_path, clock=clock)


def test_a_form_left_open_while_another_console_undid_its_inject_names_who(
    session: Session, session_path: Path, clock: FakeClock
) -> None:
    """The scribe's console had already followed the undo; the refusal still says why."""
    delivered = session.deliver("intro")
    with Session.open(session_path, clock=clock, recorder=scribe("ops")) as table:
        table.refresh()
        session.record("delivery_undone", event=delivered.seq, reason="sent too early")
        table.refresh()  # the follower has shown the undo
        with pytest.raises(Conflict) as refused:
            table.record_decision("ops", "Stand up the crisis cell", inject="intro")
        assert str(refused.value) == (
            "inject 'intro' is not delivered; its delivery was undone: record the decision "
            "without it, or on a delivered inject: the facilitator recorded "
            f"\"Delivery #{delivered.seq} undone (reason: sent too early)\" a moment ago"
        )
        clock.advance(3600)  # long after, it is the console's own mistake, said plainly
        with pytest.raises(ValueError, match="not delivered") as plain:
            table.record_decision("ops", "Stand up the crisis cell", inject="intro")
        assert not isinstance(plain.value, Conflict)


def test_a_decision_on_an_inject_not_yet_delivered_is_refused(session: Session) -> None:
    with pytest.raises(ValueError, match="inject 'choice' is not delivered: record"):
        session.record_decision("policy", "Talk", inject="choice")
