"""The event vocabulary is declared once; every kind has its check, handler and sentence.

And an event of a kind this version cannot read is kept and reported, never
applied; a handler that fails raises instead of passing for "placed nothing".
"""

from __future__ import annotations

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
    assert set(sentences) == ev.EVENT_KINDS
    assert all(s.strip() and "\n" not in s for s in sentences.values()), sentences


def test_a_handler_that_fails_raises(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: Any) -> None:
        raise KeyError("a bug")

    monkeypatch.setitem(HANDLERS, ev.InjectDelivered, broken)
    with pytest.raises(KeyError, match="a bug"):
        session.deliver("intro")


def _plant_future_event(path: Path, seq: int) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(
        "INSERT INTO events (seq, kind, wall, data) VALUES (?, 'vote_cast', 1800000100, ?)",
        (seq, '{"team": "ops", "votes": [1, 2]}'),
    )
    conn.close()


def test_an_event_a_newer_version_wrote_is_kept_and_reported_not_applied(
    session: Session, capsys: pytest.CaptureFixture[str]
) -> None:
    session.deliver("intro")
    path = session.store.path
    seq = session.state.last_seq + 1
    session.close()
    _plant_future_event(path, seq)

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
    assert "1 of them are of kinds this version of tabletop cannot read" in capsys.readouterr().out
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
    with pytest.raises(SessionCorrupt, match="rating must be one of met, partial, not_met, na"):
        Session.open_readonly(path)
