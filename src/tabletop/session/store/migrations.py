"""The session file's format versions, as named migrations recorded in the file.

Format version N is the file after the first N migrations below. A new file
runs all of them; a writer that opens an older file runs the ones it lacks, in
one transaction, and records each by name in the ``migrations`` table (as
sqlite-utils does); a read-only opener never migrates and reads an older file
as it is. A file of a newer format than :data:`FORMAT_VERSION` is refused.

Adding a migration: append it (never edit or reorder one that has shipped),
make the readers cope with the files before it, and add a session file made by
the version before it to ``tests/fixtures/sessions/``.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Migration:
    name: str
    """Recorded in the file once applied; never renamed."""
    statements: tuple[str, ...]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        "0001_meta_and_events",
        (
            "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
            "CREATE TABLE events (seq INTEGER PRIMARY KEY, kind TEXT NOT NULL,"
            " wall REAL NOT NULL, data TEXT NOT NULL)",
        ),
    ),
    Migration(
        "0002_record_migrations",
        ("CREATE TABLE migrations (name TEXT PRIMARY KEY, applied REAL NOT NULL)",),
    ),
    # Listings count events by kind (``tally``) without reading the payloads.
    Migration("0003_index_events_by_kind", ("CREATE INDEX events_by_kind ON events (kind)",)),
    # Several consoles record at once: each event says who recorded it and when
    # the store received it (older events read as the facilitator), and each
    # console's presence and own view state live beside the record, not in it.
    Migration(
        "0004_authors_and_consoles",
        (
            "ALTER TABLE events ADD COLUMN actor TEXT NOT NULL DEFAULT ''",
            "ALTER TABLE events ADD COLUMN role TEXT NOT NULL DEFAULT 'facilitator'",
            "ALTER TABLE events ADD COLUMN console TEXT NOT NULL DEFAULT ''",
            "ALTER TABLE events ADD COLUMN received REAL",
            "CREATE TABLE consoles (id TEXT PRIMARY KEY, actor TEXT NOT NULL,"
            " role TEXT NOT NULL, teams TEXT NOT NULL, opened REAL NOT NULL,"
            " seen REAL NOT NULL, closed REAL, selected_team TEXT)",
        ),
    ),
)

FORMAT_VERSION = len(MIGRATIONS)
"""The format this version writes; it reads every format from 1 up to it."""

RECORDED_FROM = 2
"""The first format that records its migrations (files before it hold no table)."""

SchemaObject = tuple[str, str, str, str | None]
"""A row of ``sqlite_master``: type, name, table name, SQL."""


@functools.cache
def expected_schema(version: int) -> frozenset[SchemaObject]:
    """Exactly the objects the first ``version`` migrations make: anything else in
    a session file (a trigger, a view standing in for a table) was not made by us."""
    conn = sqlite3.connect(":memory:")
    try:
        for migration in MIGRATIONS[:version]:
            for statement in migration.statements:
                conn.execute(statement)
        rows = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall()
    finally:
        conn.close()
    return frozenset(rows)


def migrate(
    conn: sqlite3.Connection, version: int, now: Callable[[], float]
) -> list[str]:
    """Bring a file at ``version`` up to FORMAT_VERSION inside the caller's
    transaction; returns the names of the migrations it ran."""
    ran = []
    for migration in MIGRATIONS[version:]:
        for statement in migration.statements:
            conn.execute(statement)
        ran.append(migration.name)
    if FORMAT_VERSION >= RECORDED_FROM:
        # Files before RECORDED_FROM had nowhere to record theirs: record them now.
        conn.executemany(
            "INSERT OR IGNORE INTO migrations (name, applied) VALUES (?, ?)",
            [(m.name, now()) for m in MIGRATIONS],
        )
    conn.execute(
        "UPDATE meta SET value = ? WHERE key = 'format_version'", (str(FORMAT_VERSION),)
    )
    return ran


def recorded(conn: sqlite3.Connection, version: int) -> list[str] | None:
    """The migration names a file at ``version`` records (None before RECORDED_FROM)."""
    if version < RECORDED_FROM:
        return None
    rows = conn.execute("SELECT name FROM migrations ORDER BY name LIMIT 1000").fetchall()
    return [str(name) for (name,) in rows]


def expected_names(version: int) -> list[str]:
    return sorted(m.name for m in MIGRATIONS[:version])
