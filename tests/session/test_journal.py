"""The journal file: layout, durability on close, refusals and the writer lock."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from conftest import FakeClock, Loaded

from tabletop import __version__
from tabletop.core.scenario import Scenario
from tabletop.session.events import payload_of
from tabletop.session.store.errors import (
    JournalWriteError,
    SessionCorrupt,
    SessionError,
    SessionLocked,
    SessionNotFound,
    SessionTooNew,
    SessionWrongExercise,
)
from tabletop.session.store.locking import lock_path
from tabletop.session.store.sqlite import FORMAT_VERSION, Journal


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_create_stores_meta_and_scenario(
    session_path: Path, loaded: Loaded, clock: FakeClock, scenario: Scenario
) -> None:
    with Journal.create(session_path, loaded, clock=clock) as journal:
        assert not journal.read_only
        assert journal.events() == []
    with Journal.open_readonly(session_path) as reader:
        meta = reader.meta
        assert reader.read_only
        assert meta.exercise_id == "drill"
        assert meta.scenario == scenario
        assert meta.scenario_sha256 == loaded.sha256
        assert meta.source_path == str(loaded.path)
        assert meta.created == clock.now
        assert meta.format_version == FORMAT_VERSION
        assert meta.tabletop_version == __version__


def test_events_are_numbered_from_one_and_read_back(session_path: Path, loaded: Loaded) -> None:
    with Journal.create(session_path, loaded) as journal:
        first = journal.append(payload_of("note_added", {"text": "één", "team": None, "inject": None}))
        second = journal.append(payload_of("clock_resumed", {}))
        assert (first.seq, second.seq) == (1, 2)
        assert journal.events() == [first, second]
        assert journal.events(after=1) == [second]
    with Journal.open(session_path) as journal:
        assert journal.append(payload_of("clock_paused", {})).seq == 3


def test_an_appended_event_is_visible_to_another_connection_at_once(
    session_path: Path, loaded: Loaded
) -> None:
    with Journal.create(session_path, loaded) as writer:
        event = writer.append(payload_of("note_added", {"text": "committed?"}))
        raw = sqlite3.connect(f"file:{session_path}?mode=ro", uri=True)
        rows = raw.execute("SELECT seq, kind, data FROM events").fetchall()
        raw.close()
        assert rows == [(event.seq, "note_added", '{"text":"committed?","team":null,"inject":null}')]


def test_reader_follows_a_writer_that_holds_the_wal_open(
    session_path: Path, loaded: Loaded
) -> None:
    writer = Journal.create(session_path, loaded)
    writer.append(payload_of("clock_resumed", {}))
    assert (session_path.parent / (session_path.name + "-wal")).exists()
    reader = Journal.open_readonly(session_path)
    assert [e.seq for e in reader.events()] == [1]
    writer.append(payload_of("clock_paused", {}))
    assert [e.kind for e in reader.events(after=1)] == ["clock_paused"]
    with pytest.raises(SessionError, match="read-only"):
        reader.append(payload_of("clock_resumed", {}))
    writer.close()  # the reader is still attached: the checkpoint must not wait for it
    assert [e.seq for e in reader.events()] == [1, 2]
    reader.close()


def test_clean_close_leaves_a_complete_db_alone(
    session_path: Path, loaded: Loaded, tmp_path: Path
) -> None:
    with Journal.create(session_path, loaded) as journal:
        for n in range(50):
            journal.append(payload_of("note_added", {"text": f"note {n}"}))
    assert listing(session_path.parent) == ["drill.db"]
    copy = tmp_path / "copy.db"
    shutil.copyfile(session_path, copy)  # the .db alone, no sidecars
    with Journal.open_readonly(copy) as reader:
        assert len(reader.events()) == 50
    assert listing(tmp_path).count("copy.db-wal") == 0


def test_create_never_overwrites(session_path: Path, loaded: Loaded) -> None:
    Journal.create(session_path, loaded).close()
    before = session_path.read_bytes()
    with pytest.raises(SessionError, match="already exists"):
        Journal.create(session_path, loaded)
    assert session_path.read_bytes() == before


def test_missing_file_is_refused_and_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "nope.db"
    with pytest.raises(SessionNotFound, match="no such session file"):
        Journal.open_readonly(missing)
    with pytest.raises(SessionNotFound):
        Journal.open(missing)
    assert listing(tmp_path) == []


CORRUPT_CASES = {
    "text": b"this is a shopping list, not a session\n" * 10,
    "empty": b"",
    "truncated sqlite": b"SQLite format 3\x00" + b"\x10\x00\x01\x01" + bytes(80),
}


@pytest.mark.parametrize("case", sorted(CORRUPT_CASES))
def test_unreadable_file_is_refused_and_left_untouched(tmp_path: Path, case: str) -> None:
    path = tmp_path / "bad.db"
    path.write_bytes(CORRUPT_CASES[case])
    for opener in (Journal.open, Journal.open_readonly):
        with pytest.raises(SessionCorrupt):
            opener(path)
    assert path.read_bytes() == CORRUPT_CASES[case]
    assert listing(tmp_path) == ["bad.db"]


def test_foreign_sqlite_database_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE recipes (name TEXT)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(SessionCorrupt, match="not a tabletop session"):
        Journal.open(path)
    assert path.read_bytes() == before
    assert listing(tmp_path) == ["other.db"]


def test_damaged_session_is_refused_and_left_untouched(session_path: Path, loaded: Loaded) -> None:
    with Journal.create(session_path, loaded) as journal:
        journal.append(payload_of("note_added", {"text": "x" * 5000}))
    data = bytearray(session_path.read_bytes())
    cut = bytes(data[: len(data) // 2])  # lose the second half
    session_path.write_bytes(cut)
    with pytest.raises(SessionCorrupt):
        Journal.open(session_path)
    assert session_path.read_bytes() == cut


def test_damaged_event_payload_is_reported(session_path: Path, loaded: Loaded) -> None:
    with Journal.create(session_path, loaded) as journal:
        journal.append(payload_of("note_added", {"text": "fine"}))
    conn = sqlite3.connect(session_path)
    conn.execute("UPDATE events SET data = '{broken' WHERE seq = 1")
    conn.commit()
    conn.close()
    with (
        Journal.open_readonly(session_path) as reader,
        pytest.raises(SessionCorrupt, match="damaged"),
    ):
        reader.events()


def test_newer_format_is_refused(session_path: Path, loaded: Loaded) -> None:
    Journal.create(session_path, loaded).close()
    conn = sqlite3.connect(session_path)
    conn.execute("UPDATE meta SET value = '99' WHERE key = 'format_version'")
    conn.commit()
    conn.close()
    before = session_path.read_bytes()
    with pytest.raises(SessionTooNew, match=r"format 99.*upgrade tabletop"):
        Journal.open(session_path)
    with pytest.raises(SessionTooNew):
        Journal.open_readonly(session_path)
    assert session_path.read_bytes() == before


def _set_stored_scenario(path: Path, sql_value: str, *params: object) -> None:
    conn = sqlite3.connect(path)
    conn.execute(f"UPDATE meta SET value = {sql_value} WHERE key = 'scenario'", params)
    conn.commit()
    conn.close()


def test_a_scenario_stored_as_text_by_earlier_versions_still_opens(
    session_path: Path, loaded: Loaded, scenario: Scenario
) -> None:
    Journal.create(session_path, loaded).close()
    _set_stored_scenario(session_path, "CAST(value AS TEXT)")
    with Journal.open(session_path) as journal:
        assert journal.meta.scenario == scenario


def test_a_damaged_stored_scenario_is_refused_saying_where(
    session_path: Path, loaded: Loaded
) -> None:
    Journal.create(session_path, loaded).close()
    _set_stored_scenario(session_path, "json_set(CAST(value AS TEXT), '$.teams[0].id', 7)")
    before = session_path.read_bytes()
    with pytest.raises(SessionCorrupt, match=r"cannot be read \(teams\[0\]\.id must be an id: "):
        Journal.open(session_path)
    with pytest.raises(SessionCorrupt):
        Journal.open_readonly(session_path)
    assert session_path.read_bytes() == before


def test_session_of_another_exercise_is_refused(session_path: Path, loaded: Loaded) -> None:
    Journal.create(session_path, loaded).close()
    with pytest.raises(SessionWrongExercise, match="'drill', not 'cyber-incident'"):
        Journal.open(session_path, expect_exercise="cyber-incident")
    assert not lock_path(session_path).exists()
    Journal.open(session_path, expect_exercise="drill").close()


def test_second_writer_is_told_who_holds_the_lock(session_path: Path, loaded: Loaded) -> None:
    first = Journal.create(session_path, loaded)
    with pytest.raises(SessionLocked) as refused:
        Journal.open(session_path)
    assert f"process {os.getpid()}" in str(refused.value)
    assert refused.value.holder is not None
    assert refused.value.holder.pid == os.getpid()
    assert "\n" not in str(refused.value)
    # Readers are welcome meanwhile.
    Journal.open_readonly(session_path).close()
    first.close()
    assert not lock_path(session_path).exists()
    Journal.open(session_path).close()


def test_create_under_a_file_fails_cleanly(tmp_path: Path, loaded: Loaded) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("plain file")
    with pytest.raises(JournalWriteError, match="cannot create the folder"):
        Journal.create(blocker / "sessions" / "s.db", loaded)
    assert listing(tmp_path) == ["not-a-folder"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores folder permissions")
def test_create_in_a_read_only_folder_fails_cleanly(tmp_path: Path, loaded: Loaded) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(JournalWriteError, match="cannot create"):
            Journal.create(folder / "s.db", loaded)
        assert listing(folder) == []
    finally:
        folder.chmod(0o755)


def test_write_failure_raises_and_records_nothing(
    session_path: Path, loaded: Loaded, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal = Journal.create(session_path, loaded)
    journal.append(payload_of("note_added", {"text": "kept"}))

    class FailingConnection:
        """Stands in for a connection whose disk has just failed."""

        def __init__(self, real: sqlite3.Connection) -> None:
            self.real = real
            self.in_transaction = False

        def execute(self, sql: str, *args: object) -> sqlite3.Cursor:
            if sql.startswith("INSERT"):
                raise sqlite3.OperationalError("disk I/O error")
            return self.real.execute(sql, *args)

    real = journal._conn
    assert real is not None
    monkeypatch.setattr(journal, "_conn", FailingConnection(real))
    with pytest.raises(JournalWriteError, match="nothing was recorded"):
        journal.append(payload_of("note_added", {"text": "lost"}))
    monkeypatch.setattr(journal, "_conn", real)
    assert journal.append(payload_of("note_added", {"text": "next"})).seq == 2
    journal.close()
    with Journal.open_readonly(session_path) as reader:
        assert [e.data["text"] for e in reader.events()] == ["kept", "next"]


def test_a_payload_too_big_to_store_is_a_value_error(session_path: Path, loaded: Loaded) -> None:
    with Journal.create(session_path, loaded) as journal:
        with pytest.raises(ValueError, match="cannot be stored: it holds 1,048,"):
            journal.append(payload_of("note_added", {"text": "x" * (1 << 20)}))
        assert journal.events() == []


def test_paths_with_uri_characters_work(tmp_path: Path, loaded: Loaded) -> None:
    path = tmp_path / "odd name #1?%20.db"
    with Journal.create(path, loaded) as journal:
        journal.append(payload_of("clock_resumed", {}))
    with Journal.open_readonly(path) as reader:
        assert [e.kind for e in reader.events()] == ["clock_resumed"]
    assert listing(tmp_path) == ["odd name #1?%20.db"]
