"""Choosing the store for a session's location: a path is an SQLite file, a
``postgresql://`` URL a session in a PostgreSQL database. Everything above the
store (sessions, commands, the console) names a session by its location and
goes through here, never to one store's module.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from tabletop.session.authors import FACILITATOR_RECORDER, Recorder
from tabletop.session.store.base import LoadedScenario, SessionStore
from tabletop.session.store.errors import SessionError
from tabletop.session.store.location import Location, PostgresLocation
from tabletop.session.store.locking import Holder

Clock = Callable[[], float]


def create(
    location: Location, loaded: LoadedScenario, *, clock: Clock = time.time,
    recorder: Recorder = FACILITATOR_RECORDER,
) -> SessionStore:
    """A new session, open for writing; never over an existing one."""
    if isinstance(location, PostgresLocation):
        from tabletop.session.store.postgres import PgJournal

        return PgJournal.create(location, loaded, clock=clock, recorder=recorder)
    from tabletop.session.store.sqlite import Journal

    return Journal.create(location, loaded, clock=clock, recorder=recorder)


def open_writer(
    location: Location, *, clock: Clock = time.time, expect_exercise: str | None = None,
    recorder: Recorder = FACILITATOR_RECORDER,
) -> SessionStore:
    if isinstance(location, PostgresLocation):
        from tabletop.session.store.postgres import PgJournal

        return PgJournal.open(
            location, clock=clock, expect_exercise=expect_exercise, recorder=recorder
        )
    from tabletop.session.store.sqlite import Journal

    return Journal.open(location, clock=clock, expect_exercise=expect_exercise, recorder=recorder)


def open_readonly(location: Location) -> SessionStore:
    """Open to read; nothing is created or changed."""
    if isinstance(location, PostgresLocation):
        from tabletop.session.store.postgres import PgJournal

        return PgJournal.open_readonly(location)
    from tabletop.session.store.sqlite import Journal

    return Journal.open_readonly(location)


def exists(location: Location) -> bool:
    """Whether something is at the location (a file, or a session of that name)."""
    if isinstance(location, PostgresLocation):
        from tabletop.session.store import postgres

        return postgres.exists(location)
    return location.exists()


def stored_digest(location: Location) -> tuple[str, str] | None:
    """``(exercise_id, scenario_sha256)`` of a session, cheaply; None when unreadable."""
    if isinstance(location, PostgresLocation):
        from tabletop.session.store import postgres

        return postgres.stored_digest(location)
    from tabletop.session.store import sqlite

    return sqlite.stored_digest(location) if location.is_file() else None


def writer_of(location: Location) -> Holder | None:
    """Who holds the session's facilitator console right now, if anyone."""
    if isinstance(location, PostgresLocation):
        from tabletop.session.store import postgres

        return postgres.writer_of(location)
    from tabletop.session.store import sqlite

    return sqlite.writer_of(location)


def own_files(location: Location) -> list[Path]:
    """The files of a session, which no output may ever replace (none in a database)."""
    if isinstance(location, PostgresLocation):
        return []
    from tabletop.session.store import sqlite

    return sqlite.own_files(location)


@contextlib.contextmanager
def building(location: Location, loaded: LoadedScenario, *, clock: Clock) -> Iterator[SessionStore]:
    """A new session that appears only once everything written inside the block is
    kept: a file under a temporary name linked into place at the end, or one
    transaction in a database. Leaves nothing behind when the block raises."""
    if isinstance(location, PostgresLocation):
        from tabletop.session.store.postgres import PgJournal

        with PgJournal.building(location, loaded, clock=clock) as store:
            yield store
        return
    with _building_file(location, loaded, clock) as journal:
        yield journal


@contextlib.contextmanager
def _building_file(target: Path, loaded: LoadedScenario, clock: Clock) -> Iterator[SessionStore]:
    from tabletop.core.files import fsync_folder, link_new
    from tabletop.session.store.sqlite import Journal, check_new_name
    from tabletop.session.store.sqlite import own_files as files_of

    check_new_name(target)
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SessionError(f"cannot create the folder {folder}: {exc.strerror}") from None
    building = folder / f".{target.name[:80]}.import-{os.urandom(8).hex()}"
    try:
        journal = Journal.create(building, loaded, clock=clock)
        try:
            yield journal
        finally:
            journal.close()
        try:
            link_new(building, target)
        except FileExistsError:
            raise SessionError(f"{target}: a file with this name already exists") from None
        except OSError as exc:
            raise SessionError(f"cannot create {target}: {exc.strerror}") from None
        fsync_folder(folder)
    finally:
        for leftover in files_of(building):
            with contextlib.suppress(OSError):
                leftover.unlink()


def list_database(location: PostgresLocation) -> list[PostgresLocation]:
    """Every session in the database a URL names."""
    from tabletop.session.store import postgres

    return [location.with_session(name) for name in postgres.session_names(location)]
