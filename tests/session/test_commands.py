"""``tabletop sessions`` and ``tabletop export``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import FakeClock, Loaded

from tabletop.cli import main
from tabletop.session.session import Session


@pytest.fixture
def played(session_path: Path, loaded: Loaded, clock: FakeClock) -> Path:
    """A closed session with a little of everything in it."""
    with Session.create(session_path, loaded, clock=clock) as session:
        session.toggle_pause()
        clock.advance(120)
        first = session.deliver_next()
        assert first is not None
        session.deliver_next()
        decision = session.record_decision("policy", "Talk", inject="choice", option="talk")
        session.record("decision_amended", event=decision.seq, option="escalate", reason="r")
        wrong = session.record_decision("ops", "Noise")
        session.record("decision_retracted", event=wrong.seq, reason="not a decision")
        session.record("delivery_undone", event=first.seq, reason="repeat later")
        rating = session.rate_item("ops", "drill/share", "met")
        session.record("rating_corrected", event=rating.seq, rating="partial", reason="r")
        session.record("hotwash_entry", kind="strength", text="Calm", objective="o1")
        session.record("improvement_action", action="Fix roster", owner="J1", due="2026-05-01")
        session.record("note_added", text="Observer note")
        clock.advance(60)
        session.end_exercise()
    return session_path


def test_export_prints_meta_events_and_state(
    played: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", str(played)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["meta"]["exercise_id"] == "drill"
    assert data["meta"]["scenario_sha256"] == "ab" * 32
    assert "scenario" not in data["meta"]
    kinds = [e["kind"] for e in data["events"]]
    assert kinds[0] == "facilitator_opened" and kinds[-1] == "exercise_ended"
    assert [e["seq"] for e in data["events"]] == list(range(1, len(kinds) + 1))
    state = data["state"]
    assert state["clocks"]["play_seconds"] == 180
    assert state["clocks"]["ended"] is True
    assert [d["inject"] for d in state["deliveries"]] == ["intro", "choice"]
    assert [d["undone"] for d in state["deliveries"]] == [True, False]
    statuses = {i["id"]: i["status"] for i in state["injects"]}
    assert statuses["intro"] == "pending" and statuses["escalation"] == "pending"
    assert state["branches"]["choice"] == "escalate"
    decisions = {d["text"]: d for d in state["decisions"]}
    assert [r["option"] for r in decisions["Talk"]["revisions"]] == ["talk", "escalate"]
    assert decisions["Noise"]["retracted"] is True
    assert state["ratings"][0]["rating"] == "partial"
    assert state["ratings"][0]["original_rating"] == "met"
    assert state["hotwash"][0]["text"] == "Calm"
    assert state["actions"][0]["completion"] == "2026-05-01"
    assert state["notes"][0]["text"] == "Observer note"


@pytest.mark.parametrize("content", [None, b"not a database at all, sorry" * 8])
def test_export_refuses_missing_or_corrupt_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes | None
) -> None:
    path = tmp_path / "s.db"
    if content is not None:
        path.write_bytes(content)
    assert main(["export", str(path)]) == (2 if content is None else 1)  # missing: usage error
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("tabletop export: ")
    assert captured.err.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == (["s.db"] if content else [])
    if content is not None:
        assert path.read_bytes() == content


def test_sessions_lists_readable_and_unreadable_files(
    played: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = played.parent
    (folder / "junk.db").write_bytes(b"garbage" * 30)
    assert main(["sessions", str(folder)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == [
        "FILE",
        "EXERCISE",
        "STARTED",
        "LAST",
        "ACTIVITY",
        "DELIVERED",
        "DECISIONS",
        "STATE",
    ]
    rows = {line.split()[0]: line for line in lines[1:]}
    assert set(rows) == {"drill.db", "junk.db"}
    drill = rows["drill.db"].split()
    # exercise, started (date time), last activity (date time), delivered, decisions, state
    assert drill[1] == "drill"
    assert drill[6:9] == ["1", "1", "ended"]
    assert "(unreadable)" in rows["junk.db"]
    assert "not a tabletop session" in rows["junk.db"]
    assert sorted(p.name for p in folder.iterdir()) == ["drill.db", "junk.db"]


def test_sessions_shows_who_has_a_session_open(
    session: Session, session_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sessions", str(session_path.parent)]) == 0
    out = capsys.readouterr().out
    assert "open by" in out


def test_sessions_defaults_to_the_workspace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "exercises").mkdir()
    (tmp_path / "exercises" / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "exercises" / "sub")
    assert main(["sessions"]) == 0
    assert "No sessions yet" in capsys.readouterr().out
    assert main(["sessions", str(tmp_path / "missing")]) == 2
    assert "no such folder" in capsys.readouterr().err
    assert not (tmp_path / "missing").exists()


def test_sessions_names_the_facilitator_who_holds_it(
    session_path: Path, loaded: object, capsys: pytest.CaptureFixture[str]
) -> None:
    from tabletop.session.authors import new_recorder

    recorder = new_recorder("facilitator", "Col. R. Vance")
    with Session.create(session_path, loaded, recorder=recorder):  # type: ignore[arg-type]
        assert main(["sessions", str(session_path.parent)]) == 0
    assert "open by Col. R. Vance, " in capsys.readouterr().out
