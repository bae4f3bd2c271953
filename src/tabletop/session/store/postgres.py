"""The session journal on PostgreSQL: for exercises across sites, on a server the
organisation already runs and trusts.

The same contract as the SQLite journal (:mod:`.sqlite`): append-only (the
database itself refuses changes to events), seqs assigned in the appending
transaction under the session row's lock with ``(session, seq)`` as the key, a
stale append refused with :class:`StaleAppend`, every append committed with
``synchronous_commit = on`` before it returns, the scenario stored with the
session, named migrations (:mod:`.postgres_schema`), and read-only openers
whose connections cannot write. One facilitator at a time holds a session-level
advisory lock, which the server drops when the facilitator's connection dies,
as the kernel drops the file lock of a killed process.

Connections are made by libpq from the URL (:mod:`.location`), so passwords
come from ``PGPASSWORD``, ``~/.pgpass`` or a service file, and TLS options pass
through. A lost connection is made again on the next call; an append whose
commit was cut off is sent again with the token it first carried, which the
server answers with the first try's event if that one landed, so a console
never shows an event as saved that the server did not commit, nor records it
twice.
"""

from __future__ import annotations

import contextlib
import getpass
import hashlib
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import msgspec

from tabletop import __version__
from tabletop.core.roles import FACILITATOR
from tabletop.core.scenario import Scenario, decode, encode
from tabletop.session.authors import FACILITATOR_RECORDER, Author, Recorder
from tabletop.session.events import Event, Payload, kind_of
from tabletop.session.store.base import LoadedScenario, Presence, SessionMeta, StaleAppend, Tally
from tabletop.session.store.errors import (
    JournalWriteError,
    SessionCorrupt,
    SessionError,
    SessionLocked,
    SessionNotFound,
    SessionTooNew,
    SessionUnreachable,
    SessionWrongExercise,
)
from tabletop.session.store.location import PostgresLocation
from tabletop.session.store.locking import Holder
from tabletop.session.store.migrations import FORMAT_VERSION
from tabletop.session.store.postgres_schema import (
    CHANNEL,
    LOCK_SPACE,
    MIGRATION_LOCK,
    MIGRATIONS,
    NAMES,
    SCHEMA,
    TABLES,
)
from tabletop.session.store.rows import event_from_row, presence_from_row, storable

OLDEST_SERVER = 130000
"""PostgreSQL 13: the oldest release still supported when this was written."""
CONNECT_TIMEOUT = 10
"""Seconds libpq waits for a server, unless the URL says ``connect_timeout``."""
RECONNECT_TIMEOUT = 3
"""Seconds a call waits for a lost server before saying so (the follower keeps trying)."""
EXTRA = "pip install 'tabletop[postgres]'"


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError:
        raise SessionError(
            f"a PostgreSQL session needs the psycopg driver: {EXTRA}"
        ) from None
    return psycopg


def connect(location: PostgresLocation, *, read_only: bool, timeout: int | None = None) -> Any:
    """A connection in autocommit mode, or SessionError in one line saying why not."""
    psycopg = _psycopg()
    extra: dict[str, Any] = {}
    if "connect_timeout" not in location.conninfo:
        extra["connect_timeout"] = timeout or CONNECT_TIMEOUT
    if "application_name" not in location.conninfo:
        extra["application_name"] = "tabletop"
    if "keepalives" not in location.conninfo and "tcp_user_timeout" not in location.conninfo:
        # A half-open TCP connection (a dropped site link) is noticed in seconds,
        # not after the kernel's two hours, so a console never hangs on it.
        extra.update(keepalives=1, keepalives_idle=10, keepalives_interval=5,
                     keepalives_count=3, tcp_user_timeout=30_000)
    try:
        conn = psycopg.connect(location.conninfo, autocommit=True, **extra)
    except psycopg.Error as exc:
        raise _unreachable(location, exc) from None
    try:
        _prepare(location, conn, read_only=read_only)
    except psycopg.Error as exc:
        conn.close()
        raise _unreachable(location, exc) from None
    except BaseException:
        conn.close()
        raise
    return conn


def _prepare(location: PostgresLocation, conn: Any, *, read_only: bool) -> None:
    """A new connection checked and set up: a server new enough, durable commits."""
    if conn.info.server_version < OLDEST_SERVER:
        version = conn.info.server_version
        raise SessionError(
            f"{location.database}: the server runs PostgreSQL {version // 10000}; "
            "tabletop needs PostgreSQL 13 or newer"
        )
    if read_only:
        conn.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
    else:
        (fsync,) = conn.execute("SHOW fsync").fetchone()
        if fsync != "on":
            raise SessionError(
                f"{location.database}: the server runs with fsync off, so an event it "
                "acknowledged could be lost in a crash; tabletop records only on a "
                "server with fsync on"
            )
        conn.execute("SET synchronous_commit = on")


def _unreachable(location: PostgresLocation, exc: Exception) -> SessionError:
    text = reason(exc)
    for secret in location.secrets:
        text = text.replace(secret, "***")
    if "does not exist" in text and "database" in text:
        return SessionNotFound(f"{location.database}: {text}")
    if "password authentication failed" in text or "no pg_hba.conf entry" in text:
        return SessionError(f"{location.database}: cannot connect: {text}")
    return SessionUnreachable(f"{location.database}: cannot connect: {text}")


def reason(exc: BaseException) -> str:
    """libpq's message in one line: the server's own words where it gave some."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    for line in lines:
        if "FATAL:" in line:
            return line.split("FATAL:", 1)[1].strip()
    first = lines[0] if lines else type(exc).__name__
    for prefix in ("connection is bad: ", "connection failed: "):
        first = first.removeprefix(prefix)
    if len(lines) > 1 and lines[1].startswith("Is the server running"):
        first += f" ({lines[1]})"
    return first[:300]


def _lock_key(name: str) -> int:
    """The second key of a session's facilitator lock (signed, as PostgreSQL's int4)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "big", signed=True)


class PgJournal:
    """An open PostgreSQL session: a writer or a reader.

    The PostgreSQL implementation of :class:`~tabletop.session.store.base.SessionStore`.
    """

    def __init__(
        self,
        location: PostgresLocation,
        conn: Any,
        meta: SessionMeta,
        *,
        read_only: bool,
        clock: Callable[[], float],
        recorder: Recorder = FACILITATOR_RECORDER,
    ) -> None:
        assert location.session is not None
        self.where = location
        self.session = location.session
        self.meta = meta
        self.recorder = recorder
        self.read_only = read_only
        self._conn: Any = conn
        self._clock = clock
        self._mutex = threading.RLock()
        self._transaction: Any = None
        self._closed = False
        self._holds_lock = False
        self._wants_lock = not read_only and recorder.is_facilitator and bool(
            recorder.author.console)
        """A facilitator console: its lock is taken again on every new connection."""
        self._registered = False
        if not read_only:
            if recorder.is_facilitator and recorder.author.console:
                self._take_lock(conn)
            if recorder.author.console:
                self._register()

    # ------------------------------------------------------------ opening

    @classmethod
    def create(
        cls,
        location: PostgresLocation,
        loaded: LoadedScenario,
        *,
        clock: Callable[[], float] = time.time,
        recorder: Recorder = FACILITATOR_RECORDER,
    ) -> PgJournal:
        """Make a new session in the database (its schema too, the first time) and
        open it for writing; a session of that name already there is never touched."""
        _named(location)
        conn = connect(location, read_only=False)
        try:
            _bring_schema_up_to_date(location, conn, clock)
            meta = _insert_session(location, conn, loaded, clock)
            return cls(location, conn, meta, read_only=False, clock=clock, recorder=recorder)
        except BaseException:
            conn.close()
            raise

    @classmethod
    @contextlib.contextmanager
    def building(
        cls, location: PostgresLocation, loaded: LoadedScenario, *, clock: Callable[[], float]
    ) -> Iterator[PgJournal]:
        """A new session made in one transaction with everything appended inside the
        block (an import): committed at the end, or never there at all."""
        psycopg = _psycopg()
        conn = connect(location, read_only=False)
        try:
            _bring_schema_up_to_date(location, conn, clock)
            try:
                with conn.transaction() as tx:
                    meta = _insert_session(location, conn, loaded, clock)
                    journal = cls(location, conn, meta, read_only=False, clock=clock)
                    journal._transaction = tx
                    yield journal
                    journal._transaction = None
            except psycopg.Error as exc:
                raise JournalWriteError(
                    f"could not save to {location}: {reason(exc)}; nothing was recorded"
                ) from None
        finally:
            conn.close()

    @classmethod
    def open(
        cls,
        location: PostgresLocation,
        *,
        clock: Callable[[], float] = time.time,
        expect_exercise: str | None = None,
        recorder: Recorder = FACILITATOR_RECORDER,
    ) -> PgJournal:
        conn = connect(location, read_only=False)
        try:
            _check_schema(location, conn, missing_ok=False)
            meta = _read_meta(location, conn)
            if expect_exercise is not None and meta.exercise_id != expect_exercise:
                raise SessionWrongExercise(
                    f"{location} is a session of exercise '{meta.exercise_id}', "
                    f"not '{expect_exercise}'"
                )
            return cls(location, conn, meta, read_only=False, clock=clock, recorder=recorder)
        except BaseException:
            conn.close()
            raise

    @classmethod
    def open_readonly(cls, location: PostgresLocation) -> PgJournal:
        conn = connect(location, read_only=True)
        try:
            _check_schema(location, conn, missing_ok=False)
            meta = _read_meta(location, conn)
            return cls(location, conn, meta, read_only=True, clock=time.time)
        except BaseException:
            conn.close()
            raise

    # ------------------------------------------------------------ the record

    @property
    def location(self) -> str:
        return self.where.shown

    @property
    def name(self) -> str:
        return self.session

    def append(
        self,
        payload: Payload,
        *,
        wall: float | None = None,
        after: int | None = None,
        author: Author | None = None,
        received: float | None = None,
    ) -> Event:
        """Record one event durably; raise (StaleAppend, JournalWriteError) and record
        nothing otherwise."""
        if self.read_only:
            raise SessionError(f"{self.location} is open read-only")
        kind = kind_of(payload)
        stored = storable(payload).decode()
        author = self.recorder.author if author is None else author
        with self._mutex:
            wall = float(self._clock()) if wall is None else float(wall)
            token = os.urandom(12).hex() if self._transaction is None else None
            args = (self.session, after, kind, wall, stored, author.name, author.role,
                    author.console, received, token)
            row = self._append_row(args)
        top, seq, at = row
        if seq is None:
            raise StaleAppend(int(top))
        return Event(int(seq), kind, wall, payload, author, float(at))

    def _append_row(self, args: tuple[Any, ...]) -> tuple[Any, ...]:
        psycopg = _psycopg()
        sql = f"SELECT * FROM {SCHEMA}.append_event(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
        conn = self._live()
        try:
            return tuple(conn.execute(sql, args).fetchone())
        except psycopg.Error as exc:
            if self._transaction is not None or not conn.closed:
                raise self._write_error(exc) from None
        # The connection went down mid-append: whether the commit landed is known
        # only to the server. The same call again, with the same token, returns
        # the first try's event if it did, and records it once if it did not.
        try:
            conn = self._live(lost=True)
            return tuple(conn.execute(sql, args).fetchone())
        except (SessionError, psycopg.Error):
            raise SessionUnreachable(
                f"lost the connection to {self.where.database} while saving; it may have "
                "been saved: the console shows it once the server is back if it was, so "
                "check before recording it again"
            ) from None

    def events(self, after: int = 0) -> list[Event]:
        rows = self._read(
            "SELECT seq, kind, wall, data, actor, role, console, received FROM "
            f"{SCHEMA}.events WHERE session = %s AND seq > %s ORDER BY seq",
            (self.session, after),
        )
        return [event_from_row(self.location, *row) for row in rows]

    def tally(self) -> Tally:
        rows = self._read(
            f"SELECT kind, count(*) FROM {SCHEMA}.events WHERE session = %s GROUP BY kind",
            (self.session,),
        )
        found = self._read(
            f"SELECT e.wall, s.last_seq, (SELECT count(*) FROM {SCHEMA}.events c "
            f"WHERE c.session = s.name) FROM {SCHEMA}.sessions s LEFT JOIN {SCHEMA}.events e "
            "ON e.session = s.name AND e.seq = s.last_seq WHERE s.name = %s",
            (self.session,),
        )
        if not found:
            raise SessionNotFound(f"{self.location}: no such session")
        last, top, total = found[0]
        if total != top:
            raise SessionCorrupt(f"{self.location}: the event log is damaged")
        return Tally({str(kind): int(n) for kind, n in rows},
                     float(last) if last is not None else None)

    def change_counter(self) -> int:
        """The session's last seq: it changes exactly when anyone appends."""
        rows = self._read(
            f"SELECT last_seq FROM {SCHEMA}.sessions WHERE name = %s", (self.session,)
        )
        return int(rows[0][0]) if rows else 0

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """The appends inside one transaction: all kept, or none (imports)."""
        if self.read_only:
            raise SessionError(f"{self.location} is open read-only")
        psycopg = _psycopg()
        with self._mutex:
            conn = self._live()
            try:
                outer = self._transaction
                with conn.transaction() as tx:  # a savepoint inside an outer one
                    if outer is None:
                        # As SQLite's BEGIN IMMEDIATE: nobody else appends until it ends.
                        conn.execute(f"SELECT 1 FROM {SCHEMA}.sessions WHERE name = %s "
                                     "FOR UPDATE", (self.session,))
                    self._transaction = tx
                    try:
                        yield
                    finally:
                        self._transaction = outer
            except psycopg.Error as exc:
                raise self._write_error(exc) from None

    def in_place(self) -> bool:
        """Always: a session in a database has no file to lose, and its events
        cannot be deleted (the console checks this after closing, too)."""
        return True

    # ------------------------------------------------------------ consoles

    def _take_lock(self, conn: Any) -> None:
        (got,) = _run(
            self.where, conn, "SELECT pg_try_advisory_lock(%s, %s)",
            (LOCK_SPACE, _lock_key(self.session)),
        ).fetchone()
        if not got:
            holder = writer_of_connected(self.where, conn)
            who = holder.describe() if holder else "another console"
            raise SessionLocked(
                f"{self.location} already has a facilitator console: {who}; close it "
                "there, or join with another role (--role observer to watch)",
                holder,
            )
        self._holds_lock = True

    def _register(self) -> None:
        author = self.recorder.author
        now = self._clock()
        self._write(
            f"INSERT INTO {SCHEMA}.consoles (session, id, actor, role, teams, opened, seen, "
            "host, os_user, pid) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (self.session, author.console, author.name, author.role,
             ",".join(self.recorder.teams), now, now, socket.gethostname()[:200],
             _user(), os.getpid()),
        )
        self._registered = True

    def _console_update(self, assignments: str, *values: object) -> None:
        self._write(
            f"UPDATE {SCHEMA}.consoles SET {assignments} WHERE session = %s AND id = %s",
            (*values, self.session, self.recorder.author.console),
        )

    def heartbeat(self) -> None:
        if self._registered:
            self._console_update("seen = %s", self._clock())

    def remember_team(self, team: str) -> None:
        if self._registered:
            self._console_update("selected_team = %s", team)

    def remembered_team(self) -> str | None:
        author = self.recorder.author
        rows = self._read(
            f"SELECT selected_team FROM {SCHEMA}.consoles WHERE session = %s AND actor = %s "
            "AND role = %s AND selected_team IS NOT NULL AND id != %s ORDER BY seen DESC LIMIT 1",
            (self.session, author.name, author.role, author.console),
        )
        return rows[0][0] if rows and isinstance(rows[0][0], str) else None

    def presence(self) -> list[Presence]:
        rows = self._read(
            f"SELECT id, actor, role, teams, opened, seen, closed FROM {SCHEMA}.consoles "
            "WHERE session = %s ORDER BY opened, joined LIMIT 10000",
            (self.session,),
        )
        return [presence_from_row(self.location, *row) for row in rows]

    def facilitator_present(self) -> bool:
        if self._holds_lock:
            return True
        rows = self._read(_LOCK_HELD, (LOCK_SPACE, _lock_key(self.session) & 0xFFFFFFFF))
        return bool(rows and rows[0][0])

    # ------------------------------------------------------------ following

    def follower(
        self, wake: Callable[[], None], status: Callable[[str | None], None] | None = None
    ) -> NotifyFollower:
        return NotifyFollower(self.where, wake, status)

    # ------------------------------------------------------------ closing

    def close(self) -> None:
        with self._mutex:  # never while another thread is reconnecting
            if self._closed:
                return
            if self._registered:
                with contextlib.suppress(SessionError):
                    now = self._clock()
                    self._console_update("closed = %s, seen = %s", now, now)
            self._closed = True
            conn, self._conn = self._conn, None
            if conn is not None:
                with contextlib.suppress(Exception):
                    conn.close()  # the server drops the facilitator's lock with it

    def __enter__(self) -> PgJournal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ internals

    def _live(self, *, lost: bool = False) -> Any:
        """The connection, made again when it was lost (a facilitator takes its lock
        back, or learns that another console took over meanwhile)."""
        if self._closed:
            raise SessionError(f"{self.location} has been closed")
        if self._conn is not None and not self._conn.closed and not lost:
            return self._conn
        if self._transaction is not None:
            raise JournalWriteError(
                f"lost the connection to {self.where.database}; nothing was recorded"
            )
        with contextlib.suppress(Exception):
            self._conn.close()
        self._conn = None
        try:
            conn = connect(self.where, read_only=self.read_only, timeout=RECONNECT_TIMEOUT)
        except SessionUnreachable as exc:
            raise SessionUnreachable(
                f"the server is out of reach ({exc}); reconnecting: anything not shown as "
                "saved was not recorded"
            ) from None
        if self._wants_lock:
            self._holds_lock = False
            try:
                self._take_lock(conn)
            except SessionLocked as exc:
                conn.close()
                raise JournalWriteError(
                    f"{exc}: another facilitator console took over while this one was "
                    "disconnected"
                ) from None
        self._conn = conn
        return conn

    def _read(self, sql: str, args: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        """Rows of a query; once again on a new connection if the old one was lost."""
        psycopg = _psycopg()
        with self._mutex:
            for attempt in (1, 2):
                conn = self._live()
                try:
                    return [tuple(row) for row in conn.execute(sql, args).fetchall()]
                except psycopg.Error as exc:
                    if attempt == 2 and conn.closed:
                        raise SessionUnreachable(
                            f"{self.location}: the server is out of reach ({reason(exc)})"
                        ) from None
                    if attempt == 2 or not conn.closed or self._transaction is not None:
                        raise SessionError(f"{self.location}: {reason(exc)}") from None
        raise AssertionError("unreachable")

    def _write(self, sql: str, args: tuple[Any, ...]) -> None:
        """A console's own bookkeeping (presence, its team), not the record: committed
        without waiting for the disk, so 200 consoles' heartbeats every 2 s are not
        100 flushes a second competing with the appends."""
        psycopg = _psycopg()
        with self._mutex:
            conn = self._live()
            try:
                if self._transaction is not None:
                    conn.execute(sql, args)
                    return
                with conn.transaction():
                    conn.execute("SET LOCAL synchronous_commit = off")
                    conn.execute(sql, args)
            except psycopg.Error as exc:
                raise self._write_error(exc) from None

    def _write_error(self, exc: BaseException) -> JournalWriteError:
        return JournalWriteError(
            f"could not save to {self.location}: {reason(exc)}; nothing was recorded"
        )


def _insert_session(
    location: PostgresLocation, conn: Any, loaded: LoadedScenario, clock: Callable[[], float]
) -> SessionMeta:
    """The session's row, with its scenario; SessionError when the name is taken."""
    name = _named(location)
    scenario = loaded.scenario
    meta = SessionMeta(
        exercise_id=scenario.id,
        scenario=scenario,
        scenario_sha256=loaded.sha256,
        source_path=str(loaded.path),
        created=float(clock()),
        format_version=FORMAT_VERSION,
        tabletop_version=__version__,
        session_id=os.urandom(16).hex(),
    )
    inserted = _run(
        location, conn,
        f"INSERT INTO {SCHEMA}.sessions (name, session_id, format_version, "
        "tabletop_version, exercise_id, scenario, scenario_sha256, source_path, "
        "created) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) "
        "ON CONFLICT (name) DO NOTHING RETURNING name",
        (name, meta.session_id, meta.format_version, meta.tabletop_version,
         meta.exercise_id, encode(scenario), meta.scenario_sha256, meta.source_path,
         meta.created),
        writing=True,
    ).fetchone()
    if inserted is None:
        raise SessionError(f"{location}: a session with this name already exists")
    return meta


_LOCK_HELD = (
    "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted "
    "AND objsubid = 2 AND classid::bigint = %s AND objid::bigint = %s "
    "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()))"
)


def _user() -> str:
    try:
        return getpass.getuser()[:100]
    except (KeyError, OSError):
        return str(os.getuid())


def _named(location: PostgresLocation) -> str:
    if location.session is None:
        raise SessionError(f"{location}: name the session: add ?session=NAME to the URL")
    return location.session


def _run(
    location: PostgresLocation, conn: Any, sql: str, args: tuple[Any, ...] = (),
    *, writing: bool = False,
) -> Any:
    psycopg = _psycopg()
    try:
        return conn.execute(sql, args)
    except psycopg.errors.InsufficientPrivilege as exc:
        raise SessionError(f"{location.database}: permission denied ({reason(exc)})") from None
    except psycopg.Error as exc:
        cls = JournalWriteError if writing else SessionError
        raise cls(f"{location.database}: {reason(exc)}") from None


def _check_schema(location: PostgresLocation, conn: Any, *, missing_ok: bool) -> list[str]:
    """The migrations the database's tabletop schema has had, once it is exactly as
    those migrations make it (none: there is no schema, when ``missing_ok``);
    SessionError otherwise."""
    tables = {
        str(name) for (name,) in _run(
            location, conn,
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            (SCHEMA,),
        ).fetchall()
    }
    (schema_exists,) = _run(
        location, conn, "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = %s)",
        (SCHEMA,),
    ).fetchone()
    if not schema_exists:
        if missing_ok:
            return []
        raise SessionNotFound(f"{location.database} holds no tabletop sessions")
    foreign = sorted(tables - TABLES)
    if "migrations" not in tables or foreign:
        what = f"a table '{foreign[0][:60]}'" if foreign else "tables"
        raise SessionCorrupt(
            f"{location.database}: its schema '{SCHEMA}' holds {what} that tabletop did not "
            "create; refusing to use it (give tabletop a database, or a schema, of its own)"
        )
    names = [
        str(name) for (name,) in _run(
            location, conn, f"SELECT name FROM {SCHEMA}.migrations ORDER BY name"
        ).fetchall()
    ]
    unknown = [name for name in names if name not in NAMES]
    if unknown:
        raise SessionTooNew(
            f"{location.database} was set up by a newer tabletop (migration "
            f"{unknown[0][:60]}); this tabletop ({__version__}) cannot use it: upgrade tabletop"
        )
    if tables != TABLES or names != list(NAMES[: len(names)]):
        raise SessionCorrupt(f"{location.database}: tabletop's tables there are damaged")
    return names


def _bring_schema_up_to_date(
    location: PostgresLocation, conn: Any, clock: Callable[[], float]
) -> None:
    """Make tabletop's schema, or run the migrations it lacks, in one transaction
    under a lock, so two consoles setting up one database at once cannot clash."""
    psycopg = _psycopg()
    if len(_check_schema(location, conn, missing_ok=True)) == len(NAMES):
        return
    try:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", (LOCK_SPACE, MIGRATION_LOCK))
            done = _check_schema(location, conn, missing_ok=True)  # again, under the lock
            for migration in MIGRATIONS:
                if migration.name in done:
                    continue
                for statement in migration.statements:
                    conn.execute(statement)
                conn.execute(
                    f"INSERT INTO {SCHEMA}.migrations (name, applied) VALUES (%s, %s)",
                    (migration.name, float(clock())),
                )
    except psycopg.errors.InsufficientPrivilege as exc:
        raise SessionError(
            f"{location.database}: cannot set up tabletop's tables there ({reason(exc)}); "
            f"a database owner can: GRANT CREATE ON DATABASE … TO the user"
        ) from None
    except psycopg.Error as exc:
        raise JournalWriteError(
            f"{location.database}: cannot set up tabletop's tables there: {reason(exc)}"
        ) from None


def _read_meta(location: PostgresLocation, conn: Any) -> SessionMeta:
    name = _named(location)
    row = _run(
        location, conn,
        f"SELECT session_id, format_version, tabletop_version, exercise_id, scenario, "
        f"scenario_sha256, source_path, created FROM {SCHEMA}.sessions WHERE name = %s",
        (name,),
    ).fetchone()
    if row is None:
        raise SessionNotFound(f"{location}: no such session in {location.database}")
    session_id, version, made_by, exercise_id, stored, digest, source, created = row
    if version > FORMAT_VERSION:
        raise SessionTooNew(
            f"{location} uses session format {version}; this tabletop ({__version__}) reads "
            f"formats up to {FORMAT_VERSION}: upgrade tabletop to open it"
        )
    try:
        scenario = decode(bytes(stored))
    except msgspec.MsgspecError as exc:
        from tabletop.core.struct_errors import explain

        raise SessionCorrupt(
            f"{location}: the scenario stored in the session cannot be read "
            f"({explain(exc, Scenario)})"
        ) from None
    return SessionMeta(
        exercise_id=exercise_id, scenario=scenario, scenario_sha256=digest,
        source_path=source, created=float(created), format_version=int(version),
        tabletop_version=made_by, session_id=session_id,
    )


def session_names(location: PostgresLocation) -> list[str]:
    """The sessions a database holds, oldest first (read-only)."""
    conn = connect(location, read_only=True)
    try:
        if not _check_schema(location, conn, missing_ok=True):
            return []
        rows = _run(
            location, conn, f"SELECT name FROM {SCHEMA}.sessions ORDER BY created, name"
        ).fetchall()
        return [str(name) for (name,) in rows]
    finally:
        conn.close()


def digest(location: PostgresLocation) -> tuple[str, str] | None:
    """``(exercise_id, scenario_sha256)`` of a session, without reading its scenario;
    None when the database holds no such session; SessionError when it cannot be
    asked (no server, no database, a wrong password)."""
    conn = connect(location, read_only=True)
    try:
        if not _check_schema(location, conn, missing_ok=True):
            return None
        row = _run(
            location, conn,
            f"SELECT exercise_id, scenario_sha256 FROM {SCHEMA}.sessions WHERE name = %s",
            (_named(location),),
        ).fetchone()
    finally:
        conn.close()
    return None if row is None else (str(row[0]), str(row[1]))


def stored_digest(location: PostgresLocation) -> tuple[str, str] | None:
    """As :func:`digest`, None too when the database cannot be asked."""
    try:
        return digest(location)
    except SessionError:
        return None


def exists(location: PostgresLocation) -> bool:
    """Whether the session is in the database (SessionError when the server cannot tell)."""
    return digest(location) is not None


def writer_of(location: PostgresLocation) -> Holder | None:
    """Who holds the session's facilitator console right now, if anyone."""
    try:
        conn = connect(location, read_only=True)
    except SessionError:
        return None
    try:
        return writer_of_connected(location, conn)
    finally:
        conn.close()


def writer_of_connected(location: PostgresLocation, conn: Any) -> Holder | None:
    name = _named(location)
    key = (LOCK_SPACE, _lock_key(name) & 0xFFFFFFFF)
    (held,) = _run(location, conn, _LOCK_HELD, key).fetchone()
    if not held:
        return None
    row = _run(location, conn,
        f"SELECT pid, host, os_user, opened, actor FROM {SCHEMA}.consoles WHERE session = %s "
        "AND role = %s AND closed IS NULL ORDER BY opened DESC LIMIT 1",
        (name, FACILITATOR),
    ).fetchone()
    if row is None:
        return Holder(0, "?", "?", time.time())
    pid, host, user, opened, actor = row
    return Holder(int(pid), str(host), str(user), float(opened), str(actor))


class NotifyFollower:
    """Wakes a console when its session gets an event: LISTEN on a connection of its
    own, never shared with writes.

    Notifications are wake-ups only; the journal is the truth. The follower
    LISTENs before it first wakes the console, which then reads everything after
    its last seq, so nothing committed between the two is missed; after a lost
    connection it reconnects with backoff, LISTENs again and wakes the console
    again, for the same reason. ``status`` hears "reconnecting …" while the
    server is away, and None once it is back.
    """

    def __init__(
        self,
        location: PostgresLocation,
        wake: Callable[[], None],
        status: Callable[[str | None], None] | None = None,
        *,
        poll: float = 0.25,
    ) -> None:
        self._where = location
        self._wake = wake
        self._tell = status or (lambda _text: None)
        self._troubled = False
        self._poll = poll
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tabletop-listen", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=2.0)

    def _status(self, trouble: str | None) -> None:
        """Tell the console when the server goes away and when it is back: once each,
        not at every retry."""
        if (trouble is not None) != self._troubled:
            self._troubled = trouble is not None
            self._tell(trouble)

    def _run(self) -> None:
        pause = 0.1
        lost_since: float | None = None
        while not self._stop.is_set():
            try:
                conn = connect(self._where, read_only=True, timeout=RECONNECT_TIMEOUT)
            except SessionError as exc:
                lost_since = lost_since or time.monotonic()
                self._status(f"reconnecting to the server ({str(exc)[:120]})")
                self._stop.wait(pause)
                pause = min(pause * 2, 5.0)
                continue
            try:
                conn.execute(f"LISTEN {CHANNEL}")
                pause = 0.1
                if lost_since is not None:
                    self._status(None)
                    lost_since = None
                if not self._listen(conn):
                    return
            except Exception:
                lost_since = time.monotonic()
                self._status("reconnecting to the server (the connection was lost)")
                self._stop.wait(pause)
                pause = min(pause * 2, 5.0)
            finally:
                with contextlib.suppress(Exception):
                    conn.close()

    def _listen(self, conn: Any) -> bool:
        """Wake for every notification of this session; False once the console is gone."""
        if not self._call_wake():
            return False
        session = self._where.session
        while not self._stop.is_set():
            woke = False
            for note in conn.notifies(timeout=self._poll):
                if note.payload == session:
                    woke = True
                    break
            if woke and not self._call_wake():
                return False
        return False

    def _call_wake(self) -> bool:
        try:
            self._wake()
        except Exception:  # the console is going away
            return False
        return True
