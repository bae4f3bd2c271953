"""The session journal: an append-only event log in one SQLite file.

Layout: a ``meta`` table (key/value: format version, tabletop version, exercise
id, the full resolved scenario as JSON, the exercise file's sha256, its path
and the creation time), an ``events`` table with one row per event
(``seq INTEGER PRIMARY KEY, kind, wall, data JSON``) and, from format 2, the
``migrations`` that made the file (:mod:`.migrations`). From format 4 each
event also says who recorded it (``actor``, ``role``, ``console``) and when the
store received it (``received``), and a ``consoles`` table keeps each console's
presence and own view state beside the record. A writer brings an older file up
to date on opening; a reader reads it as it is.

Several writers: one facilitator (holding the lock of :mod:`.locking`) and any
number of other consoles append to one file. Each append is a transaction that
assigns the next seq itself and, when asked, first checks that no event came in
since the ones the writer's checks were made against (``after``); otherwise it
raises :class:`StaleAppend` and records nothing, and the writer re-checks.

Durability: every writer runs in WAL mode with ``synchronous=FULL`` and commits
every event on its own, so ``append`` returns only once the event is on disk.
A clean ``close`` checkpoints the WAL and switches the file back to a rollback
journal, so the ``.db`` alone is complete and readers then create no sidecar
files. After a crash the WAL is still there and SQLite replays it on the next
open.

Safety: a file is checked (it exists, has the SQLite header, and its metadata
reads back through a read-only connection) before anything opens it for
writing, so a damaged or foreign file is never modified.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import os
import sqlite3
import stat
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import msgspec

from tabletop import __version__
from tabletop.core.files import SESSION_APPLICATION_ID as APPLICATION_ID
from tabletop.core.files import SQLITE_HEADER, fsync_folder, link_new, temporary_beside
from tabletop.core.roles import FACILITATOR
from tabletop.core.scenario import Scenario, decode, encode_parts
from tabletop.session.authors import FACILITATOR_RECORDER, Author, Recorder
from tabletop.session.events import Event, Payload, kind_of
from tabletop.session.follow import Follower
from tabletop.session.store.base import LoadedScenario, Presence, SessionMeta, StaleAppend, Tally
from tabletop.session.store.errors import (
    JournalWriteError,
    SessionCorrupt,
    SessionError,
    SessionFileGone,
    SessionLocked,
    SessionNotFound,
    SessionTooNew,
    SessionWrongExercise,
)
from tabletop.session.store.locking import (
    FilePin,
    Holder,
    LockHeld,
    WriterLock,
    current_holder,
    lock_path,
)
from tabletop.session.store.migrations import (
    FORMAT_VERSION,
    expected_names,
    expected_schema,
    migrate,
    recorded,
)
from tabletop.session.store.rows import MAX_WALL, event_from_row, presence_from_row, storable

BUSY_TIMEOUT = 5.0  # seconds SQLite waits for another connection's brief lock
BUSY_PATIENCE = 30.0
"""Seconds an append keeps retrying, with backoff, while other consoles hold the
file: a console never shows "database is locked" for a busy moment."""
AUTHORS_FROM = 4
"""The first format whose events say who recorded them, with a ``consoles`` table."""

_META_KEYS = (
    "format_version",
    "tabletop_version",
    "exercise_id",
    "scenario",
    "scenario_sha256",
    "source_path",
    "created",
)
# Also "session_id", optional: files made before it existed lack it.


_SQLITE_SUFFIXES = ("-wal", "-shm", "-journal")
RESERVED_SUFFIXES = (*_SQLITE_SUFFIXES, ".lock")
"""The files SQLite and tabletop keep beside a session: never a session's own name."""


class Journal:
    """An open session file: a writer (the facilitator holds the lock; any number
    of other consoles write beside it) or a reader.

    The SQLite implementation of :class:`~tabletop.session.store.base.SessionStore`.
    """

    def __init__(
        self,
        path: Path,
        conn: sqlite3.Connection,
        meta: SessionMeta,
        *,
        pin: FilePin | None,
        clock: Callable[[], float],
        recorder: Recorder = FACILITATOR_RECORDER,
    ) -> None:
        self.path = path
        self.meta = meta
        self.recorder = recorder
        self.read_only = pin is None
        self._conn: sqlite3.Connection | None = conn
        self._pin = pin
        self._clock = clock
        self._mutex = threading.Lock()
        self._in_transaction = False
        self._authors = meta.format_version >= AUTHORS_FROM
        self._last_seq = self._max_seq() if pin else 0
        self._snapshot: Path | None = None  # a private copy read instead (read-only media)
        self._registered = False
        if pin is not None and recorder.author.console:
            self._register()

    # ------------------------------------------------------------ opening

    @classmethod
    def create(
        cls,
        path: Path,
        loaded: LoadedScenario,
        *,
        clock: Callable[[], float] = time.time,
        recorder: Recorder = FACILITATOR_RECORDER,
    ) -> Journal:
        """Make a new session file and open it for writing; never overwrites a file."""
        path = Path(path)
        check_new_name(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise JournalWriteError(
                f"cannot create the folder {path.parent}: {_os_reason(exc)}"
            ) from exc
        scenario = loaded.scenario
        meta: dict[str, str | Scenario] = {
            "format_version": str(FORMAT_VERSION),
            "tabletop_version": __version__,
            "exercise_id": scenario.id,
            "scenario": scenario,
            "scenario_sha256": loaded.sha256,
            "source_path": str(loaded.path),
            "created": repr(float(clock())),
            "session_id": os.urandom(16).hex(),  # random, as a uuid4; no import at start-up
        }
        # Build the file under a temporary name and link it into place, so a
        # crash here never leaves a half-made session under the real name. The
        # name is unpredictable and made with O_EXCL | O_NOFOLLOW, so a symlink
        # planted in the folder cannot redirect the write; the link never
        # follows or replaces anything at the real name.
        tmp: Path | None = None
        try:
            fd, tmp = temporary_beside(path)
            os.close(fd)
            _write_new_file(tmp, meta, clock)
            link_new(tmp, path)
            fsync_folder(path.parent)
        except FileExistsError as exc:
            raise SessionError(f"{path}: a file with this name already exists") from exc
        except OSError as exc:
            raise JournalWriteError(f"cannot create {path}: {_os_reason(exc)}") from exc
        except sqlite3.Error as exc:
            raise JournalWriteError(f"cannot create {path}: {_sqlite_reason(exc)}") from exc
        finally:
            if tmp is not None:
                for leftover in (tmp, tmp.with_name(tmp.name + "-journal")):
                    with contextlib.suppress(OSError):
                        leftover.unlink()
        # The scenario was validated on loading: hand it over rather than
        # reading back and validating a second copy of what was just written.
        return cls._open(
            path, clock=clock, expect_exercise=None, scenario=scenario, recorder=recorder
        )

    @classmethod
    def open(
        cls,
        path: Path,
        *,
        clock: Callable[[], float] = time.time,
        expect_exercise: str | None = None,
        recorder: Recorder = FACILITATOR_RECORDER,
    ) -> Journal:
        """Open for writing: check the file read-only first, then (the facilitator)
        take the lock that says who steers."""
        return cls._open(
            path, clock=clock, expect_exercise=expect_exercise, scenario=None, recorder=recorder
        )

    @classmethod
    def _open(
        cls,
        path: Path,
        *,
        clock: Callable[[], float],
        expect_exercise: str | None,
        scenario: Scenario | None,
        recorder: Recorder,
    ) -> Journal:
        path = Path(path)
        probe, meta = _inspect(path, scenario)
        probe.close()
        if expect_exercise is not None and meta.exercise_id != expect_exercise:
            raise SessionWrongExercise(
                f"{path} is a session of exercise '{meta.exercise_id}', not '{expect_exercise}'"
            )
        pin = _pin(path, recorder)
        try:
            conn = _connect_writer(path)
        except sqlite3.Error as exc:
            pin.release()
            raise JournalWriteError(
                f"cannot open {path} for writing: {_sqlite_reason(exc)}"
            ) from exc
        try:
            if meta.format_version < FORMAT_VERSION:
                meta = _bring_up_to_date(path, conn, meta, clock)
            return cls(path, conn, meta, pin=pin, clock=clock, recorder=recorder)
        except BaseException:
            conn.close()
            pin.release()
            raise

    @classmethod
    def open_readonly(cls, path: Path) -> Journal:
        """Open for reading only; never creates or changes the file.

        A session that crashed (its WAL still beside it) on read-only media, a
        CD or a write-protected stick, cannot be read in place: SQLite needs to
        create its shared-memory file. It is intact, so a private copy of the
        file and its WAL is read instead, and removed on close.
        """
        path = Path(path)
        try:
            conn, meta = _inspect(path)
        except _ReadOnlyMedia:
            return cls._from_snapshot(path)
        return cls(path, conn, meta, pin=None, clock=time.time)

    @classmethod
    def _from_snapshot(cls, path: Path) -> Journal:
        import shutil
        import tempfile

        folder = Path(tempfile.mkdtemp(prefix="tabletop-readonly-"))
        try:
            copy = folder / path.name
            for suffix in ("", "-wal"):
                shutil.copyfile(
                    path.with_name(path.name + suffix), copy.with_name(copy.name + suffix)
                )
            conn, meta = _inspect(copy)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        journal = cls(path, conn, meta, pin=None, clock=time.time)
        journal._snapshot = folder
        return journal

    # ------------------------------------------------------------ reading and writing

    @property
    def last_seq(self) -> int:
        """The seq of this writer's last append, or of the last event when it opened
        (readers: 0; use ``events``)."""
        return self._last_seq

    def append(
        self,
        payload: Payload,
        *,
        wall: float | None = None,
        after: int | None = None,
        author: Author | None = None,
        received: float | None = None,
    ) -> Event:
        """Record one event durably; on failure raise JournalWriteError and record nothing.

        ``after`` is the seq of the last event the payload was checked against:
        when another console appended since, StaleAppend is raised and nothing
        is recorded. ``wall`` (when it happened), ``author`` and ``received``
        are given only for an event that happened elsewhere (an import).
        """
        conn = self._writable()
        kind = kind_of(payload)
        stored = storable(payload)
        author = self.recorder.author if author is None else author
        with self._mutex:
            self._check_file_in_place()
            wall = float(self._clock()) if wall is None else float(wall)
            row = (kind, wall, stored.decode(), author.name, author.role, author.console)
            seq, received = self._insert(conn, row, after, received)
            self._last_seq = seq
            # Written, but into a file that may have lost its name meanwhile:
            # then it is not acknowledged (the caller offers to save a copy).
            self._check_file_in_place()
        return Event(seq, kind, wall, payload, author, received)

    def _insert(
        self,
        conn: sqlite3.Connection,
        row: tuple[object, ...],
        after: int | None,
        received: float | None,
    ) -> tuple[int, float]:
        """Append one row as the next seq, in its own synced transaction (or in the
        caller's, inside ``transaction``), retrying while another console holds
        the file."""
        own = not self._in_transaction
        waiting = _Patience()
        while True:
            try:
                if own:
                    conn.execute("BEGIN IMMEDIATE")
                try:
                    (top,) = conn.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()
                    if after is not None and top != after:
                        raise StaleAppend(int(top))
                    # Received now that the store is ours: after the writer's own
                    # time, whatever the ms precision of SQLite's clock.
                    at = time.time() if received is None else received
                    conn.execute(
                        "INSERT INTO events (seq, kind, wall, data, actor, role, console, "
                        "received) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        (top + 1, *row, at),
                    )
                    if own:
                        conn.execute("COMMIT")
                except BaseException:
                    if own:
                        with contextlib.suppress(sqlite3.Error):
                            conn.execute("ROLLBACK")
                    raise
                return int(top) + 1, at
            except sqlite3.Error as exc:
                if own and waiting.again(exc):
                    continue  # another console's commit; never shown as an error
                self._after_failed_write(conn)
                raise JournalWriteError(
                    f"could not save to {self.path}: {_sqlite_reason(exc)}; nothing was recorded"
                ) from exc

    @property
    def location(self) -> str:
        return str(self.path)

    @property
    def name(self) -> str:
        return self.path.name

    def in_place(self) -> bool:
        """Whether the path still names the file this writer opened (readers: it exists)."""
        if self._pin is None:
            return self.path.exists()
        return self._pin.file_is_in_place(self.path)

    def _check_file_in_place(self) -> None:
        if not self.in_place():
            raise SessionFileGone(
                f"the session file {self.path} was removed or replaced while it was open, so "
                "nothing more can be saved there; save a copy of everything recorded so far "
                "to a new file (palette: 'session: save a copy')"
            )

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Make the appends inside one transaction: all are kept, or none.

        For building a session from an export, where one commit for thousands
        of events beats a synced commit each; live recording never uses it.
        """
        conn = self._writable()
        waiting = _Patience()
        while True:
            try:
                conn.execute("BEGIN IMMEDIATE")
                break
            except sqlite3.Error as exc:
                if not waiting.again(exc):
                    raise JournalWriteError(
                        f"could not save to {self.path}: {_sqlite_reason(exc)}; "
                        "nothing was recorded"
                    ) from exc
        self._in_transaction = True
        try:
            yield
        except BaseException:
            self._in_transaction = False
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            with contextlib.suppress(SessionError):
                self._last_seq = self._max_seq()
            raise
        self._in_transaction = False
        try:
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            self._after_failed_write(conn)
            raise JournalWriteError(
                f"could not save to {self.path}: {_sqlite_reason(exc)}; nothing was recorded"
            ) from exc

    def events(self, after: int = 0) -> list[Event]:
        """Events with seq > ``after``, in order."""
        conn = self._open_conn()
        try:
            with self._mutex:
                rows = conn.execute(
                    f"SELECT seq, kind, wall, data, {self._author_columns} FROM events "
                    "WHERE seq > ? ORDER BY seq",
                    (after,),
                ).fetchall()
            return [event_from_row(self.path, *row) for row in rows]
        except sqlite3.DatabaseError as exc:
            raise SessionCorrupt(
                f"{self.path}: the event log cannot be read ({_sqlite_reason(exc)})"
            ) from exc

    def tally(self) -> Tally:
        conn = self._open_conn()
        try:
            with self._mutex:
                # Format 3 indexes the kinds; an older file opened read-only is scanned.
                rows = conn.execute("SELECT kind, count(*) FROM events GROUP BY kind").fetchall()
                found = conn.execute("SELECT wall FROM events ORDER BY seq DESC LIMIT 1").fetchone()
                # What can be checked without reading a payload: no gaps, and every
                # column of the type it must have (SQLite reads types, not values).
                total, top, odd = conn.execute(
                    "SELECT count(*), coalesce(max(seq), 0), coalesce(sum("
                    "typeof(seq) != 'integer' OR typeof(wall) NOT IN ('real', 'integer')"
                    f" OR wall < 0 OR wall >= {MAX_WALL} OR typeof(data) != 'text'"
                    " OR typeof(kind) != 'text' OR length(kind) NOT BETWEEN 1 AND 64"
                    "), 0) FROM events"
                ).fetchone()
        except sqlite3.DatabaseError as exc:
            raise SessionCorrupt(
                f"{self.path}: the event log cannot be read ({_sqlite_reason(exc)})"
            ) from exc
        if total != top or odd:
            raise SessionCorrupt(f"{self.path}: the event log is damaged")
        last = found[0] if found else None
        counts = {str(kind): int(n) for kind, n in rows}
        return Tally(counts, float(last) if isinstance(last, int | float) else None)

    def close(self) -> None:
        """Release the file; a writer first folds the WAL into the .db and drops the lock."""
        if self._registered:
            with contextlib.suppress(SessionError, sqlite3.Error):
                now = self._clock()
                self._console_update("closed = ?, seen = ?", now, now)
        conn, self._conn = self._conn, None
        if conn is None:
            return
        if self._pin is not None:
            with contextlib.suppress(sqlite3.Error):
                # Never wait on the consoles still reading or writing: they keep
                # the WAL, and the last to close folds it in.
                conn.execute("PRAGMA busy_timeout = 0")
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                # Only possible when nobody else is attached; then readers of the
                # closed file need no -wal/-shm files at all.
                conn.execute("PRAGMA journal_mode = DELETE")
        conn.close()
        if self._pin is not None:
            self._pin.release()
            self._pin = None
        if self._snapshot is not None:
            import shutil

            shutil.rmtree(self._snapshot, ignore_errors=True)
            self._snapshot = None

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ internals

    def _open_conn(self) -> sqlite3.Connection:
        if self._conn is None:
            raise SessionError(f"{self.path} has been closed")
        return self._conn

    def _writable(self) -> sqlite3.Connection:
        conn = self._open_conn()
        if self.read_only:
            raise SessionError(f"{self.path} is open read-only")
        return conn

    @property
    def _author_columns(self) -> str:
        if self._authors:
            return "actor, role, console, received"
        return "'', 'facilitator', '', NULL"  # a file from before authors (read-only)

    # ------------------------------------------------------------ consoles

    def _register(self) -> None:
        """Say that this console is open: for the others, and for its own next run."""
        author = self.recorder.author
        now = self._clock()
        self._write_console(
            "INSERT INTO consoles (id, actor, role, teams, opened, seen) VALUES (?, ?, ?, ?, ?, ?)",
            (author.console, author.name, author.role, ",".join(self.recorder.teams), now, now),
        )
        self._registered = True

    def _console_update(self, assignments: str, *values: object) -> None:
        self._write_console(
            f"UPDATE consoles SET {assignments} WHERE id = ?",
            (*values, self.recorder.author.console),
        )

    def _write_console(self, sql: str, values: tuple[object, ...]) -> None:
        conn = self._writable()
        waiting = _Patience()
        with self._mutex:
            while True:
                try:
                    conn.execute(sql, values)
                    return
                except sqlite3.Error as exc:
                    if not waiting.again(exc):
                        raise JournalWriteError(
                            f"could not save to {self.path}: {_sqlite_reason(exc)}"
                        ) from exc

    def heartbeat(self) -> None:
        """This console is still here (its last sign of life, if it is lost)."""
        if self._registered:
            self._console_update("seen = ?", self._clock())

    def remember_team(self, team: str) -> None:
        """The team this console shows, kept for its recorder's next run."""
        if self._registered:
            self._console_update("selected_team = ?", team)

    def remembered_team(self) -> str | None:
        """The team this recorder's last console showed, if it said."""
        if not self._authors:
            return None
        author = self.recorder.author
        with self._mutex:
            row = self._open_conn().execute(
                "SELECT selected_team FROM consoles WHERE actor = ? AND role = ? AND "
                "selected_team IS NOT NULL AND id != ? ORDER BY seen DESC LIMIT 1",
                (author.name, author.role, author.console),
            ).fetchone()
        return row[0] if row and isinstance(row[0], str) else None

    def presence(self) -> list[Presence]:
        """Every console that has opened the session for writing, the latest last."""
        if not self._authors:
            return []
        try:
            with self._mutex:
                rows = self._open_conn().execute(
                    "SELECT id, actor, role, teams, opened, seen, closed FROM consoles "
                    "ORDER BY opened LIMIT 10000"
                ).fetchall()
        except sqlite3.DatabaseError as exc:
            raise SessionCorrupt(
                f"{self.path}: the list of consoles cannot be read ({_sqlite_reason(exc)})"
            ) from exc
        return [presence_from_row(self.path, *row) for row in rows]

    def facilitator_present(self) -> bool:
        """Whether a facilitator console holds the session now."""
        return current_holder(self.path) is not None

    def follower(
        self, wake: Callable[[], None], status: Callable[[str | None], None] | None = None
    ) -> Follower:
        """Polls the change counter (a file is always within reach: no status)."""
        return Follower(self.change_counter, wake)

    def change_counter(self) -> int:
        """A number that changes whenever another connection commits to the file
        (SQLite's ``data_version``): cheap enough to poll every few milliseconds."""
        with self._mutex:
            (version,) = self._open_conn().execute("PRAGMA data_version").fetchone()
        return int(version)

    def _max_seq(self) -> int:
        conn = self._open_conn()
        try:
            row = conn.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()
        except sqlite3.DatabaseError as exc:
            raise SessionCorrupt(
                f"{self.path}: the event log cannot be read ({_sqlite_reason(exc)})"
            ) from exc
        return int(row[0])

    def _after_failed_write(self, conn: sqlite3.Connection) -> None:
        with contextlib.suppress(sqlite3.Error):
            if conn.in_transaction:
                conn.execute("ROLLBACK")
        # SQLite rolls a failed commit back; re-read in case it had landed after all.
        with contextlib.suppress(SessionError):
            self._last_seq = self._max_seq()


def stored_digest(path: Path) -> tuple[str, str] | None:
    """``(exercise_id, scenario_sha256)`` from a session file's metadata, without
    reading its scenario; None when the file cannot be read that way (then
    ``Journal.open`` says why)."""
    path = Path(path)
    try:
        if not _read_header(path).startswith(SQLITE_HEADER):
            return None
        conn = _connect_readonly(path)
    except (OSError, sqlite3.Error):
        return None
    try:
        if conn.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
            return None
        rows = dict(
            conn.execute(
                "SELECT key, value FROM meta WHERE key IN ('exercise_id', 'scenario_sha256')"
            ).fetchall()
        )
    except sqlite3.Error:
        return None
    finally:
        conn.close()
    exercise_id, digest = rows.get("exercise_id"), rows.get("scenario_sha256")
    if not isinstance(exercise_id, str) or not isinstance(digest, str):
        return None
    return exercise_id, digest


def own_files(path: Path) -> list[Path]:
    """A session file and every file SQLite and tabletop keep beside it: none of them
    may ever be the target of an output."""
    path = Path(path)
    beside = [path.with_name(path.name + suffix) for suffix in _SQLITE_SUFFIXES]
    return [path, *beside, lock_path(path)]


def check_new_name(path: Path) -> None:
    """Raise SessionError unless ``path`` may become a new session: nothing is
    there (not even a dangling symlink) and the name is not one of a session's own."""
    if os.path.lexists(path):
        raise SessionError(f"{path}: a file with this name already exists")
    if path.name.endswith(RESERVED_SUFFIXES):
        raise SessionError(
            f"{path}: names ending in {', '.join(RESERVED_SUFFIXES)} belong to a session's "
            "own files; choose another name"
        )


def writer_of(path: Path) -> Holder | None:
    """Who holds the session's facilitator console right now, if anyone."""
    return current_holder(Path(path))


def _pin(path: Path, recorder: Recorder) -> FilePin:
    """The facilitator takes the lock (one at a time); any other console a pin."""
    try:
        if recorder.author.role != FACILITATOR:
            return FilePin.open(path)
        return WriterLock.acquire(path, recorder.author.name)
    except LockHeld as held:
        raise SessionLocked(
            f"{path} already has a facilitator console: {held}; close it there, "
            "or join with another role (--role observer to watch)",
            held.holder,
        ) from None
    except OSError as exc:
        raise JournalWriteError(f"cannot open {path} for writing: {_os_reason(exc)}") from exc


class _Patience:
    """Retries, with backoff, while other consoles hold the file (SQLITE_BUSY beyond
    SQLite's own wait), for BUSY_PATIENCE seconds at most."""

    def __init__(self) -> None:
        self._deadline = time.monotonic() + BUSY_PATIENCE
        self._pause = 0.002

    def again(self, exc: sqlite3.Error) -> bool:
        """Whether to try again after ``exc`` (having waited a little); False: give up."""
        name = str(getattr(exc, "sqlite_errorname", "") or "")
        if not name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
            return False
        if time.monotonic() >= self._deadline:
            return False
        time.sleep(self._pause)
        self._pause = min(self._pause * 2, 0.05)
        return True


# ---------------------------------------------------------------- file helpers


def _inspect(
    path: Path, scenario: Scenario | None = None
) -> tuple[sqlite3.Connection, SessionMeta]:
    """Check a session file through a read-only connection and read its metadata.

    ``scenario``, when given, is the scenario this process has just stored in
    the file: it is used instead of reading and validating the stored copy.
    """
    try:
        head = _read_header(path)
    except FileNotFoundError:
        raise SessionNotFound(f"{path}: no such session file") from None
    except IsADirectoryError:
        raise SessionCorrupt(f"{path} is a folder, not a session file") from None
    except OSError as exc:
        raise SessionError(f"cannot read {path}: {_os_reason(exc)}") from exc
    if len(head) < 100 or not head.startswith(SQLITE_HEADER):
        raise SessionCorrupt(f"{path} is not a tabletop session file (not an SQLite database)")
    _refuse_planted_journal(path, head)
    try:
        conn = _connect_readonly(path)
    except sqlite3.Error as exc:
        raise SessionCorrupt(f"{path} cannot be opened: {_sqlite_reason(exc)}") from exc
    try:
        if conn.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
            raise SessionCorrupt(f"{path} is an SQLite database but not a tabletop session")
        # One read transaction for the schema and the metadata: a writer bringing
        # the file up to date meanwhile is seen wholly before or wholly after.
        conn.execute("BEGIN")
        version = _format_of(path, conn)
        rows: dict[str, Any] = dict(
            conn.execute("SELECT key, value FROM meta WHERE key != 'scenario'").fetchall()
        )
        # The scenario is the bulk of the metadata: read it as UTF-8 bytes, which
        # msgspec parses directly, rather than decoding a str first.
        stored = conn.execute(
            "SELECT CAST(value AS BLOB) FROM meta WHERE key = 'scenario'"
            if scenario is None
            else "SELECT 1 FROM meta WHERE key = 'scenario'"
        ).fetchone()
        if stored is not None:
            rows["scenario"] = stored[0] if scenario is None else scenario
        conn.execute("SELECT seq, kind, wall, data FROM events LIMIT 0").fetchall()
        conn.execute("COMMIT")
        meta = _parse_meta(path, rows, version)
    except sqlite3.DatabaseError as exc:
        conn.close()
        if _on_read_only_media(path, exc):
            raise _ReadOnlyMedia(str(path)) from exc
        raise SessionCorrupt(f"{path} is damaged: {_sqlite_reason(exc)}") from exc
    except SessionError:
        conn.close()
        raise
    return conn, meta


class _ReadOnlyMedia(Exception):
    """A crashed session SQLite cannot read in place: its folder cannot be written."""


def _on_read_only_media(path: Path, exc: sqlite3.Error) -> bool:
    name = str(getattr(exc, "sqlite_errorname", "") or "")
    wal = path.with_name(path.name + "-wal")
    return name.startswith(("SQLITE_CANTOPEN", "SQLITE_READONLY")) and wal.is_file()


def _read_header(path: Path) -> bytes:
    """The first 100 bytes of a regular file. A FIFO or a device is refused before
    it is opened: reading one could wait forever or never end."""
    info = os.stat(path)
    if stat.S_ISDIR(info.st_mode):
        raise IsADirectoryError(errno.EISDIR, "is a folder", str(path))
    if not stat.S_ISREG(info.st_mode):
        raise SessionCorrupt(f"{path} is not a regular file (a FIFO, a device or a socket)")
    with path.open("rb") as fh:
        return fh.read(100)


def _format_of(path: Path, conn: sqlite3.Connection) -> int:
    """The file's format version, once its schema is exactly what that version's
    migrations make: a session file is data, and any other object in its schema
    (a trigger, a view standing in for a table, an index on an expression) would
    run code of someone else's choosing in our connection."""
    found = frozenset(
        conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master LIMIT 100").fetchall()
    )
    # The version is read from the meta table only once that is the real table:
    # every format has it, made by the first migration.
    meta_table = next(o for o in expected_schema(1) if o[:2] == ("table", "meta"))
    if meta_table not in found:
        raise SessionCorrupt(f"{path} is damaged: its tables are missing")
    row = conn.execute("SELECT value FROM meta WHERE key = 'format_version'").fetchone()
    try:
        version = int(row[0])
    except (TypeError, ValueError):
        raise SessionCorrupt(f"{path} is damaged: unreadable format version") from None
    if version > FORMAT_VERSION:
        raise SessionTooNew(
            f"{path} uses session format {version}; this tabletop ({__version__}) reads "
            f"formats 1 to {FORMAT_VERSION}: upgrade tabletop to open it"
        )
    if version < 1:
        raise SessionCorrupt(f"{path} is damaged: format version {version} does not exist")
    expected = expected_schema(version)
    order = {"table": 0, "view": 1, "trigger": 2}  # then indexes: name the table first
    foreign = min(found - expected, key=lambda o: (order.get(str(o[0]), 3), str(o)), default=None)
    if foreign is not None:
        kind, name, _table, _sql = foreign
        what = str(kind)[:20]
        raise SessionCorrupt(
            f"{path} holds {'an' if what[:1] in 'aeiou' else 'a'} {what} '{str(name)[:60]}' "
            "that tabletop did not create; refusing to open it"
        )
    if found != expected:
        raise SessionCorrupt(f"{path} is damaged: its tables are missing")
    names = recorded(conn, version)
    if names is not None and names != expected_names(version):
        raise SessionCorrupt(
            f"{path} is damaged: it is format {version} but records the migrations "
            f"{', '.join(names)[:200] or 'none'}"
        )
    return version


def _refuse_planted_journal(path: Path, head: bytes) -> None:
    """A WAL or rollback journal beside a cleanly closed session was not left by us.

    A clean close switches the file back to rollback mode (header byte 18 is 1)
    and removes the WAL; SQLite would replay a WAL found beside it as soon as a
    writer switched back to WAL mode, and a rollback journal on the next open.
    """
    deadline = time.monotonic() + _SWITCH_PATIENCE
    while head[18] == 1:  # in WAL mode a -wal beside it is the crash-safe record
        planted = _journal_beside(path)
        if planted is None or current_holder(path) is not None:
            return
        # A console joining the session switches it from rollback to WAL mode, and
        # one leaving switches it back, through a journal that lasts an instant; a
        # journal still there a moment later, in rollback mode, was not ours.
        if time.monotonic() >= deadline:
            raise SessionCorrupt(
                f"{planted} sits beside {path}, which was closed cleanly: tabletop did not "
                "leave it there and will not replay it; move it away to open the session"
            )
        time.sleep(0.02)
        with contextlib.suppress(OSError):
            head = _read_header(path)


_SWITCH_PATIENCE = 1.0
"""Seconds a journal beside a cleanly closed session may take to go (see above)."""


def _journal_beside(path: Path) -> Path | None:
    for suffix in ("-wal", "-journal"):
        planted = path.with_name(path.name + suffix)
        try:
            if planted.lstat().st_size > 0:
                return planted
        except OSError:
            continue
    return None


def _parse_meta(path: Path, rows: dict[str, Any], version: int) -> SessionMeta:
    missing = [key for key in _META_KEYS if key not in rows]
    session_id = rows.get("session_id")
    if missing:
        raise SessionCorrupt(f"{path} is damaged: its metadata lacks {', '.join(missing)}")
    try:
        created = float(rows["created"])
    except ValueError:
        raise SessionCorrupt(f"{path} is damaged: unreadable creation date") from None
    stored = rows["scenario"]
    try:
        scenario = stored if isinstance(stored, Scenario) else decode(stored)
    except msgspec.MsgspecError as exc:
        from tabletop.core.struct_errors import explain

        raise SessionCorrupt(
            f"{path}: the scenario stored in the session cannot be read "
            f"({explain(exc, Scenario)})"
        ) from None
    return SessionMeta(
        exercise_id=rows["exercise_id"],
        scenario=scenario,
        scenario_sha256=rows["scenario_sha256"],
        source_path=rows["source_path"],
        created=created,
        format_version=version,
        tabletop_version=rows["tabletop_version"],
        session_id=session_id if isinstance(session_id, str) else None,
    )


def _connect_readonly(path: Path) -> sqlite3.Connection:
    # As bytes: a file name that is not UTF-8 (surrogate-escaped) stays exact.
    uri = "file:" + urllib.parse.quote(os.fsencode(path.resolve())) + "?mode=ro"
    conn = sqlite3.connect(
        uri, uri=True, isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT
    )
    _distrust_schema(conn)
    return conn


def _distrust_schema(conn: sqlite3.Connection) -> None:
    """Functions with side effects may never run from the file's own schema."""
    conn.execute("PRAGMA trusted_schema = OFF")


def _connect_writer(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(
        os.fsencode(path), isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT
    )
    try:
        _distrust_schema(conn)
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise sqlite3.OperationalError("the file cannot be switched to WAL mode")
        conn.execute("PRAGMA synchronous = FULL")
        # A read-only file opens "successfully" read-only; find out now, not mid-exercise.
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
    except sqlite3.Error:
        conn.close()
        raise
    return conn


def _bring_up_to_date(
    path: Path, conn: sqlite3.Connection, meta: SessionMeta, clock: Callable[[], float]
) -> SessionMeta:
    """Run the migrations an older file lacks, all in one transaction: the file is
    either at FORMAT_VERSION afterwards or exactly as it was."""
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = _format_of(path, conn)  # again, now that we hold the file
            migrate(conn, version, clock)
            conn.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise
    except sqlite3.Error as exc:
        raise JournalWriteError(
            f"cannot bring {path} from session format {meta.format_version} to "
            f"{FORMAT_VERSION}: {_sqlite_reason(exc)}; the file is unchanged"
        ) from exc
    return dataclasses.replace(meta, format_version=FORMAT_VERSION, upgraded_from=version)


def _write_new_file(
    path: Path, meta: dict[str, str | Scenario], clock: Callable[[], float]
) -> None:
    conn = sqlite3.connect(os.fsencode(path), isolation_level=None)
    try:
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute("BEGIN")
        migrate(conn, 0, clock)  # a new file is made by the same migrations
        for key, value in meta.items():
            if isinstance(value, str):
                conn.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (key, value))
                continue
            # The scenario's JSON (megabytes for a big exercise) goes into a
            # reserved blob piece by piece, measured in a first pass: neither
            # this process nor SQLite ever holds all of it at once.
            size = sum(len(part) for part in encode_parts(value))
            row = conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, zeroblob(?))", (key, size)
            ).lastrowid
            assert row is not None
            with conn.blobopen("meta", "value", row) as blob:
                for part in encode_parts(value):
                    blob.write(part)
        conn.execute("COMMIT")
    finally:
        conn.close()


def _os_reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


_SQLITE_REASONS = {
    "SQLITE_FULL": "the disk is full",
    "SQLITE_READONLY": "the file or its folder is read-only",
    "SQLITE_CANTOPEN": "the file or its folder cannot be written",
    "SQLITE_IOERR": "a disk input/output error occurred",
    "SQLITE_NOTADB": "the file is not a database",
    "SQLITE_CORRUPT": "the file is damaged",
    "SQLITE_BUSY": "another program is holding the file",
    "SQLITE_PERM": "permission denied",
}


def _sqlite_reason(exc: sqlite3.Error) -> str:
    name = str(getattr(exc, "sqlite_errorname", "") or "")
    for prefix, reason in _SQLITE_REASONS.items():
        if name.startswith(prefix):
            return f"{reason} ({name})"
    return str(exc)
