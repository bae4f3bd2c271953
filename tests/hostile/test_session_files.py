"""Session files that are planted, linked, pulled away or crafted."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from tabletop.authoring.loading import LoadedScenario
from tabletop.cli import main
from tabletop.session.session import Session
from tabletop.session.store.errors import (
    JournalWriteError,
    SessionCorrupt,
    SessionFileGone,
    SessionLocked,
)
from tabletop.session.store.locking import lock_path

# ------------------------------------------------------- creation and the lock


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_symlink_planted_at_the_lock_is_neither_followed_nor_truncated(
    tmp_path: Path, exercise: LoadedScenario
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    path = tmp_path / "s.db"
    lock_path(path).symlink_to(victim)
    with pytest.raises(JournalWriteError, match="a symbolic link sits where the lock file"):
        Session.create(path, exercise)
    assert victim.read_text(encoding="utf-8") == "keep me"


def test_a_fifo_planted_at_the_lock_is_refused_without_hanging(
    tmp_path: Path, closed_session: Path
) -> None:
    os.mkfifo(lock_path(closed_session))
    with pytest.raises(JournalWriteError, match="is not a regular file"):
        Session.open(closed_session)


def test_new_sessions_are_made_under_unpredictable_names(
    tmp_path: Path, exercise: LoadedScenario
) -> None:
    """The name an older version used (pid-based) is planted as a symlink; it is ignored."""
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    path = tmp_path / "s.db"
    (tmp_path / f".s.db.{os.getpid()}.tmp").symlink_to(victim)
    Session.create(path, exercise).close()
    assert victim.read_text(encoding="utf-8") == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == [f".s.db.{os.getpid()}.tmp", "s.db",
                                                          "victim.txt"]


def test_a_session_is_never_created_through_a_dangling_symlink(
    tmp_path: Path, exercise: LoadedScenario
) -> None:
    path = tmp_path / "s.db"
    path.symlink_to(tmp_path / "elsewhere.db")
    with pytest.raises(Exception, match="already exists"):
        Session.create(path, exercise)
    assert not (tmp_path / "elsewhere.db").exists()


@pytest.mark.parametrize("link", ["symlink", "hardlink"])
def test_one_writer_per_file_whatever_name_reaches_it(
    link: str, tmp_path: Path, closed_session: Path
) -> None:
    other = tmp_path / "other-name.db"
    if link == "symlink":
        other.symlink_to(closed_session)
    else:
        os.link(closed_session, other)
    with Session.open(closed_session) as first:
        with pytest.raises(SessionLocked, match="already has a facilitator console"):
            Session.open(other)
        first.record("note_added", text="still the only writer")
    with Session.open(other) as second:  # free again once the first has closed
        assert any(e.data.get("text") == "still the only writer" for e in second.state.history)


# ------------------------------------------------------- the file pulled away


@pytest.mark.parametrize("how", ["removed", "replaced", "renamed"])
def test_a_file_pulled_away_is_noticed_before_the_next_event_is_acknowledged(
    how: str, tmp_path: Path, closed_session: Path
) -> None:
    session = Session.open(closed_session)
    try:
        held = len(session.state.history)
        if how == "removed":
            closed_session.unlink()
        elif how == "replaced":
            stranger = tmp_path / "stranger"
            stranger.write_bytes(b"x")
            os.replace(stranger, closed_session)
        else:
            os.rename(closed_session, tmp_path / "moved.db")
        with pytest.raises(SessionFileGone, match="was removed or replaced"):
            session.record("note_added", text="never acknowledged")
        assert len(session.state.history) == held
        assert not session.store.in_place()
        from tabletop.session.importing import save_copy

        copy = save_copy(session, tmp_path / "rescued.db")
        assert copy.events == held
    finally:
        session.close()
    with Session.open_readonly(tmp_path / "rescued.db") as rescued:
        assert [e.kind for e in rescued.state.history][-1] == "facilitator_opened"
        assert len(rescued.state.history) == held


# ------------------------------------------------------- a session is data


def craft(path: Path, *statements: str) -> None:
    conn = sqlite3.connect(path)
    try:
        for statement in statements:
            conn.execute(statement)
        conn.commit()
    finally:
        conn.close()


@pytest.mark.parametrize(
    "statements,what",
    [
        (["CREATE TRIGGER t AFTER INSERT ON events BEGIN DELETE FROM events; END"],
         "trigger 't'"),
        (["ALTER TABLE events RENAME TO old_events",
          "CREATE VIEW events AS SELECT * FROM old_events"], "table 'old_events'"),
        (["CREATE INDEX x ON events (length(data))"], "index 'x'"),
        (["CREATE TABLE extra (a)"], "table 'extra'"),
    ],
)
def test_a_schema_tabletop_did_not_make_is_refused_before_any_write(
    statements: list[str], what: str, closed_session: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    craft(closed_session, *statements)
    before = digest(closed_session)
    with pytest.raises(SessionCorrupt, match=what):
        Session.open(closed_session)
    with pytest.raises(SessionCorrupt, match="did not create"):
        Session.open_readonly(closed_session)
    assert main(["report", str(closed_session), "-o", "-"]) == 1
    err = capsys.readouterr().err
    assert "refusing to open it" in err and "Traceback" not in err
    assert digest(closed_session) == before


def test_a_wal_planted_beside_a_cleanly_closed_session_is_reported_not_replayed(
    tmp_path: Path, closed_session: Path, exercise: LoadedScenario
) -> None:
    # A real WAL from another copy of the session, with an event that never happened here.
    donor = tmp_path / "donor" / "s.db"
    donor.parent.mkdir()
    shutil.copy(closed_session, donor)
    conn = sqlite3.connect(donor, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    conn.execute("INSERT INTO events (seq, kind, wall, data) VALUES (99, 'note_added', 1, '{}')")
    shutil.copy(donor.with_name("s.db-wal"), closed_session.with_name("s.db-wal"))
    conn.close()
    before = digest(closed_session)
    with pytest.raises(SessionCorrupt, match=r"sits beside .* closed cleanly"):
        Session.open(closed_session)
    assert digest(closed_session) == before


def test_a_file_at_the_lock_path_that_is_not_ours_is_refused_and_kept(
    tmp_path: Path, closed_session: Path
) -> None:
    lock_path(closed_session).write_text("precious notes", encoding="utf-8")
    with pytest.raises(JournalWriteError, match="is not tabletop's lock file"):
        Session.open(closed_session)
    assert lock_path(closed_session).read_text(encoding="utf-8") == "precious notes"


@pytest.mark.parametrize("suffix", ["-wal", "-shm", "-journal", ".lock"])
def test_a_session_is_never_made_under_a_name_that_belongs_to_a_sessions_own_files(
    suffix: str, tmp_path: Path, closed_session: Path, exercise: LoadedScenario,
    capsys: pytest.CaptureFixture[str],
) -> None:
    target = tmp_path / f"{closed_session.name}{suffix}"
    with pytest.raises(Exception, match="belong to a session's own files"):
        Session.create(target, exercise)
    assert main(["export", str(closed_session), "-o", str(tmp_path / "e.json")]) == 0
    assert main(["import", str(tmp_path / "e.json"), "-o", str(target)]) == 1
    assert "belong to a session's own files" in capsys.readouterr().err
    assert not target.exists()


def test_a_session_whose_name_is_not_utf8_is_made_and_read(
    tmp_path: Path, exercise: LoadedScenario, capsys: pytest.CaptureFixture[str]
) -> None:
    name = tmp_path / os.fsdecode(b"caf\xff\xfe.db")
    Session.create(name, exercise).close()
    assert main(["export", str(name)]) == 0
    assert main(["sessions", str(tmp_path)]) == 0
    assert "caf\\xff\\xfe.db" in capsys.readouterr().out
