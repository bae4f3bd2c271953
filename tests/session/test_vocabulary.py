"""The event vocabulary is declared once; every kind has its check, handler and sentence.

And an event of a kind this version cannot read is kept and reported, never
applied; a handler that fails raises instead of passing for "placed nothing".
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import msgspec
import pytest

from tabletop.cli import main
from tabletop.report.build import build_report_model
from tabletop.report.render import render
from tabletop.session import events as ev
from tabletop.session.checks import CHECKS
from tabletop.session.session import Session
from tabletop.session.state import HANDLERS, StateNames

KINDS = [payload.KIND for payload in ev.VOCABULARY]
DOCS = Path(__file__).resolve().parents[2] / "docs" / "export.md"


def _declared_kinds() -> set[type[ev.Payload]]:
    found: set[type[ev.Payload]] = set()
    todo = list(ev.Payload.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if "KIND" in vars(cls) and cls is not ev.Unreadable:
            found.add(cls)
    return found


def test_every_declared_kind_is_in_the_vocabulary_once() -> None:
    assert set(ev.VOCABULARY) == _declared_kinds()
    assert len(KINDS) == len(set(KINDS)) == len(ev.EVENT_KINDS)
    assert all(ev.KIND_PATTERN.match(kind) for kind in KINDS)


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_has_its_check_handler_and_sentence(kind: str) -> None:
    payload = ev.PAYLOAD_OF[kind]
    assert payload in CHECKS, f"{kind} has no check (session/checks.py)"
    assert payload in HANDLERS, f"{kind} has no handler (session/state.py)"
    assert payload.describe is not ev.Payload.describe, f"{kind} has no description"


def test_corrections_name_kinds_of_the_vocabulary() -> None:
    for payload in ev.VOCABULARY:
        assert payload.CORRECTS <= ev.EVENT_KINDS
        assert bool(payload.CORRECTS) == issubclass(payload, ev.Correction), payload.KIND
    assert ev.CORRECTABLE["decision_amended"] == {"decision_recorded"}
    assert "objective_rated" in ev.CORRECTION_KINDS


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_s_stored_keys_are_the_documented_ones(kind: str) -> None:
    row = re.search(rf"^\| `{kind}` \|(?P<keys>.*)\|$", DOCS.read_text(encoding="utf-8"), re.M)
    assert row is not None, f"docs/export.md does not list {kind}"
    documented = set(re.findall(r"`([a-z_]+)`", row["keys"]))
    fields = {f.encode_name for f in msgspec.structs.fields(ev.PAYLOAD_OF[kind])}
    assert fields <= documented, f"{kind}: {sorted(fields - documented)} are not documented"


def test_every_kind_describes_itself_in_one_line(tmp_path: Path) -> None:
    from test_export_import import played_session

    with Session.open_readonly(played_session(tmp_path, "border-tension")) as session:
        names = StateNames(session.state)
        sentences = {e.kind: e.payload.describe(names) for e in session.state.history}
    assert set(sentences) == ev.EVENT_KINDS - ev.LEGACY_KINDS
    legacy = [ev.SessionOpened(), ev.TeamSelected(team="mfa")]
    sentences.update({p.KIND: p.describe(names) for p in legacy})
    assert all(s.strip() and "\n" not in s for s in sentences.values()), sentences


def test_a_handler_that_fails_raises(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: Any) -> None:
        raise KeyError("a bug")

    monkeypatch.setitem(HANDLERS, ev.InjectDelivered, broken)
    with pytest.raises(KeyError, match="a bug"):
        session.deliver("intro")


def _plant_future_event(session: Session) -> tuple[Path, int]:
    """Close ``session`` after one delivery and add an event a newer version wrote."""
    session.deliver("intro")
    path = session.store.path
    seq = session.state.last_seq + 1
    session.close()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(
        "INSERT INTO events (seq, kind, wall, data) VALUES (?, 'vote_cast', 1800000100, ?)",
        (seq, '{"team": "ops", "votes": [1, 2]}'),
    )
    conn.close()
    return path, seq


def test_an_event_a_newer_version_wrote_is_kept_and_reported_not_applied(
    session: Session, capsys: pytest.CaptureFixture[str]
) -> None:
    path, seq = _plant_future_event(session)

    with Session.open_readonly(path) as reader:
        kept = reader.state.event(seq)
        assert kept is not None and not kept.readable
        assert kept.data == {"team": "ops", "votes": [1, 2]}
        assert [e.seq for e in reader.state.unreadable] == [seq]
        report = build_report_model(reader)
        html, md = render(report, "html"), render(report, "md")
    assert [h.kind for h in report.appendices.unreadable] == ["vote_cast"]
    assert "1 event in this session was written by a newer version" in html
    assert "(kinds: vote\\_cast)" in md
    assert "An event of kind 'vote\\_cast'" in md

    with Session.open(path) as writer:  # resumed: kept as it was, play goes on after it
        writer.record("note_added", text="after the future", team=None, inject=None)
        assert writer.state.event(seq) == kept

    # An export of it imports, keeping the event as it came.
    assert main(["export", str(path), "-o", str(path.with_suffix(".json"))]) == 0
    copy = path.with_name("copy.db")
    assert main(["import", str(path.with_suffix(".json")), "-o", str(copy)]) == 0
    assert "1 of them is of a kind this version of tabletop cannot read" in capsys.readouterr().out
    with Session.open_readonly(copy) as imported:
        event = imported.state.event(seq)
        assert event is not None and event.kind == "vote_cast" and not event.readable
        assert event.data == kept.data


def test_a_known_kind_with_a_payload_not_of_its_shape_makes_the_file_damaged(
    session: Session,
) -> None:
    from tabletop.session.store.errors import SessionCorrupt

    path = session.store.path
    seq = session.state.last_seq + 1
    session.close()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(
        "INSERT INTO events (seq, kind, wall, data) VALUES (?, 'item_rated', 1800000100, ?)",
        (seq, '{"team": "ops", "item": "drill/share", "rating": "superb", "note": ""}'),
    )
    conn.close()
    with pytest.raises(SessionCorrupt, match="'rating' must be one of met, partial, not_met, na"):
        Session.open_readonly(path)


def _export_with(tmp_path: Path, events: list[dict[str, Any]], **meta: Any) -> Path:
    from test_export_import import played_session

    path = played_session(tmp_path, "border-tension")
    out = tmp_path / "export.json"
    assert main(["export", str(path), "-o", str(out)]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    data["meta"].update(meta)
    data["events"] += [{"seq": len(data["events"]) + n, **e} for n, e in enumerate(events, 1)]
    out.write_text(json.dumps(data), encoding="utf-8")
    return out


def test_an_unknown_kind_in_an_export_of_this_version_is_refused_as_a_mistake(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _export_with(tmp_path, [{"kind": "endex", "data": {}}])
    assert main(["import", str(out), "-o", str(tmp_path / "new.db")]) == 1
    assert "unknown event kind 'endex'" in capsys.readouterr().err
    assert not (tmp_path / "new.db").exists()


def test_an_unknown_kind_in_an_export_of_a_newer_version_is_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _export_with(
        tmp_path, [{"kind": "note_edited", "data": {"event": 3, "text": "x"}}], exported_by="9.0"
    )
    assert main(["import", str(out), "-o", str(tmp_path / "new.db")]) == 0
    assert "1 of them is of a kind" in capsys.readouterr().out
    with Session.open_readonly(tmp_path / "new.db") as session:
        assert [e.kind for e in session.state.unreadable] == ["note_edited"]


def test_an_export_too_deeply_nested_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for depth in (ev.MAX_UNREAD_DEPTH + 1, 5000):
        (tmp_path / str(depth)).mkdir()
        out = _export_with(tmp_path / str(depth), [{"kind": "poll_opened", "data": {"x": 0}}],
                           exported_by="9.0")
        deep = "[" * depth + "1" + "]" * depth
        out.write_text(out.read_text(encoding="utf-8").replace('{"x": 0}', f'{{"x": {deep}}}'))
        assert main(["import", str(out), "-o", str(tmp_path / "deep.db")]) == 1
        err = capsys.readouterr().err
        assert "nest" in err and len(err.strip().splitlines()) == 1, err
        assert not (tmp_path / "deep.db").exists()


def test_a_copy_of_a_session_keeps_what_this_version_cannot_read(session: Session) -> None:
    from tabletop.session.importing import save_copy

    path, _ = _plant_future_event(session)
    with Session.open_readonly(path) as reader:
        copy = save_copy(reader, path.with_name("copy.db"))
    assert copy.unreadable == 1
    with Session.open_readonly(copy.path) as session_copy:
        assert [e.kind for e in session_copy.state.unreadable] == ["vote_cast"]


def test_an_unscripted_inject_years_into_the_story_is_placed_and_reopens(
    session: Session,
) -> None:
    session.record("story_clock_jumped", to="2031-01-01T00:00Z", reason="a typo in the year")
    event = session.record(
        "unscripted_inject", inject={"title": "Late call", "channel": "phone", "from": "HQ"}
    )
    placed = session.state.injects[event.payload.inject_ref or ""]
    assert placed.inject.story_time == "+999d 23:59"
    path = session.store.path
    session.close()
    with Session.open_readonly(path) as reader:
        assert reader.state.injects[placed.inject.id].status == "delivered"


def test_every_kind_says_who_may_record_it() -> None:
    from tabletop.session.permissions import ACTIVITY, MAY_RECORD

    assert set(ACTIVITY) == set(ev.VOCABULARY), sorted(
        k.KIND for k in set(ev.VOCABULARY) - set(ACTIVITY)
    )
    assert MAY_RECORD["facilitator"] == frozenset(ev.VOCABULARY)
    assert MAY_RECORD["observer"] == frozenset()
