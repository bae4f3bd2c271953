"""Format versions: named migrations, run by a writer, recorded in the file."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from scenarios import Loaded

from tabletop.session.session import Session
from tabletop.session.store import migrations
from tabletop.session.store.errors import JournalWriteError, SessionCorrupt, SessionTooNew
from tabletop.session.store.migrations import FORMAT_VERSION, MIGRATIONS, Migration
from tabletop.session.store.sqlite import Journal

OLD = Path(__file__).parent.parent / "fixtures" / "sessions" / "harbour-0.1.0.db"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def recorded(path: Path) -> list[str]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return [name for (name,) in conn.execute("SELECT name FROM migrations ORDER BY name")]
    finally:
        conn.close()


@pytest.fixture
def old_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "old.db"
    shutil.copyfile(OLD, copy)
    return copy


def test_a_new_file_is_made_by_every_migration_and_records_them(
    session_path: Path, loaded: Loaded
) -> None:
    Journal.create(session_path, loaded).close()
    assert recorded(session_path) == [m.name for m in MIGRATIONS]
    with Journal.open_readonly(session_path) as journal:
        assert journal.meta.format_version == FORMAT_VERSION == len(MIGRATIONS)


def test_a_reader_reads_an_older_file_as_it_is(old_copy: Path) -> None:
    before = digest(old_copy)
    with Session.open_readonly(old_copy) as session:
        assert session.meta.format_version == 1
        assert len(session.state.history) > 50
    assert digest(old_copy) == before
    assert not old_copy.with_name("old.db-wal").exists()


def test_a_writer_brings_an_older_file_up_to_date(old_copy: Path) -> None:
    with Session.open_readonly(old_copy) as session:
        before = [e.to_json() for e in session.state.history]
    with Session.open(old_copy) as session:
        assert session.meta.format_version == FORMAT_VERSION
    assert recorded(old_copy) == [m.name for m in MIGRATIONS]
    with Session.open_readonly(old_copy) as session:
        assert session.meta.format_version == FORMAT_VERSION
        after = [e.to_json() for e in session.state.history]
    assert after[: len(before)] == before
    assert [e["kind"] for e in after[len(before) :]] == ["facilitator_opened"]


def test_a_newer_file_is_refused_naming_both_versions(session_path: Path, loaded: Loaded) -> None:
    Journal.create(session_path, loaded).close()
    conn = sqlite3.connect(session_path, isolation_level=None)
    conn.execute("CREATE TABLE actors (id TEXT)")
    conn.execute("UPDATE meta SET value = ? WHERE key = 'format_version'", (FORMAT_VERSION + 1,))
    conn.close()
    before = digest(session_path)
    said = rf"uses session format {FORMAT_VERSION + 1}\b.* reads formats 1 to {FORMAT_VERSION}:"
    with pytest.raises(SessionTooNew, match=said):
        Session.open_readonly(session_path)
    with pytest.raises(SessionTooNew, match=said):
        Session.open(session_path)
    assert digest(session_path) == before


def test_a_file_whose_record_disagrees_with_its_version_is_damaged(
    session_path: Path, loaded: Loaded
) -> None:
    Journal.create(session_path, loaded).close()
    conn = sqlite3.connect(session_path, isolation_level=None)
    conn.execute("DELETE FROM migrations WHERE name = ?", (MIGRATIONS[0].name,))
    conn.close()
    with pytest.raises(SessionCorrupt, match="records the migrations"):
        Session.open_readonly(session_path)


ADD_ACTORS = Migration("9001_actors_for_the_test", ("CREATE TABLE actors (id TEXT)",))


@pytest.fixture
def one_more(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A version of tabletop with one migration more than this one."""
    from tabletop.session.store import sqlite as store

    longer = (*MIGRATIONS, ADD_ACTORS)
    monkeypatch.setattr(migrations, "MIGRATIONS", longer)
    monkeypatch.setattr(migrations, "FORMAT_VERSION", len(longer))
    monkeypatch.setattr(store, "FORMAT_VERSION", len(longer))
    migrations.expected_schema.cache_clear()
    yield
    migrations.expected_schema.cache_clear()


def test_a_writer_runs_each_missing_migration_once(
    session_path: Path, loaded: Loaded, one_more: None
) -> None:
    Journal.create(session_path, loaded).close()  # made at the longer format
    conn = sqlite3.connect(session_path, isolation_level=None)
    conn.execute("DROP TABLE actors")  # as this version would have made it
    conn.execute("DELETE FROM migrations WHERE name = ?", (ADD_ACTORS.name,))
    conn.execute("UPDATE meta SET value = ? WHERE key = 'format_version'", (len(MIGRATIONS),))
    conn.close()
    with Journal.open_readonly(session_path) as journal:
        assert journal.meta.format_version == len(MIGRATIONS)
    with Journal.open(session_path) as journal:
        assert journal.meta.format_version == len(MIGRATIONS) + 1
    assert recorded(session_path) == sorted([m.name for m in MIGRATIONS] + [ADD_ACTORS.name])
    with Journal.open(session_path) as journal:  # nothing left to run
        assert journal.meta.format_version == len(MIGRATIONS) + 1


def test_a_failing_migration_leaves_the_file_as_it_was(
    old_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tabletop.session.store import sqlite as store

    broken = (*MIGRATIONS, Migration("9001_broken", ("CREATE TABLE events (x)",)))
    monkeypatch.setattr(migrations, "MIGRATIONS", broken)
    monkeypatch.setattr(migrations, "FORMAT_VERSION", len(broken))
    monkeypatch.setattr(store, "FORMAT_VERSION", len(broken))
    migrations.expected_schema.cache_clear()
    try:
        said = rf"from session format 1 to {len(broken)}: .* unchanged"
        with pytest.raises(JournalWriteError, match=said):
            Session.open(old_copy)
    finally:
        migrations.expected_schema.cache_clear()
    with Session.open_readonly(old_copy) as session:
        assert session.meta.format_version == 1


def test_a_listing_counts_what_a_replay_finds(tmp_path: Path) -> None:
    from test_export_import import played_session

    from tabletop.session.summary import summarise

    path = played_session(tmp_path, "cyber-incident")
    with Session.open(path) as session:  # a decision moved and one retracted, a delivery undone
        session.record_decision(session.scenario.teams[0].id, "One more")
    with Session.open_readonly(path) as session:
        state = session.state
        summary = summarise(session.store)
    assert summary.delivered == len(state.delivered())
    assert summary.decisions == len(state.live_decisions())
    assert summary.ended == state.ended
    assert summary.last_wall == state.last_activity()


def test_a_listing_of_an_older_file_needs_no_migration(old_copy: Path) -> None:
    from tabletop.session.summary import summarise

    before = digest(old_copy)
    with Journal.open_readonly(old_copy) as store:
        summary = summarise(store)
    with Session.open_readonly(old_copy) as session:
        assert summary.delivered == len(session.state.delivered())
        assert summary.decisions == len(session.state.live_decisions())
    assert digest(old_copy) == before


def test_bringing_a_file_up_to_date_is_said_once(old_copy: Path) -> None:
    from tabletop.app.opening import upgrade_notices

    with Session.open(old_copy) as session:
        assert session.meta.upgraded_from == 1
        (notice,) = upgrade_notices(session)
        assert f"from format 1 to format {FORMAT_VERSION}" in notice
    with Session.open(old_copy) as session:
        assert upgrade_notices(session) == []
