"""The tables tabletop keeps in a PostgreSQL database, as named migrations.

Everything lives in one schema, ``tabletop``, so that a database shared with
other programs keeps their tables and ours apart; a ``tabletop`` schema that
holds anything these migrations did not make is refused, never written to.
Each migration is recorded by name in ``tabletop.migrations`` (as the SQLite
files record theirs). Every session of the database shares the tables, keyed
by the session's name.

The events table is append-only in the database itself: a trigger refuses any
UPDATE, DELETE or TRUNCATE, whoever sends it. ``append_event`` assigns the next
seq under the session row's lock, refuses a stale append, and NOTIFYs the
followers in the same transaction, so a wake-up is sent only for a commit.
"""

from __future__ import annotations

from tabletop.session.store.migrations import Migration

SCHEMA = "tabletop"
CHANNEL = "tabletop_events"
"""The LISTEN/NOTIFY channel; a notification's payload is the session's name."""
LOCK_SPACE = 0x7461626C  # 'tabl': the first key of every advisory lock we take
MIGRATION_LOCK = 0
"""The second key of the lock held while the schema is made or brought up to date."""


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        "0001_sessions_events_consoles",
        (
            f"CREATE SCHEMA {SCHEMA}",
            f"CREATE TABLE {SCHEMA}.migrations (name text PRIMARY KEY,"
            " applied double precision NOT NULL)",
            f"CREATE TABLE {SCHEMA}.sessions ("
            " name text PRIMARY KEY,"
            " session_id text NOT NULL,"
            " format_version integer NOT NULL,"
            " tabletop_version text NOT NULL,"
            " exercise_id text NOT NULL,"
            " scenario bytea NOT NULL,"
            " scenario_sha256 text NOT NULL,"
            " source_path text NOT NULL,"
            " created double precision NOT NULL,"
            " last_seq bigint NOT NULL DEFAULT 0)",
            f"CREATE TABLE {SCHEMA}.events ("
            f" session text NOT NULL REFERENCES {SCHEMA}.sessions (name),"
            " seq bigint NOT NULL CHECK (seq > 0),"
            " kind text NOT NULL,"
            " wall double precision NOT NULL,"
            " data text NOT NULL,"
            " actor text NOT NULL,"
            " role text NOT NULL,"
            " console text NOT NULL,"
            " received double precision NOT NULL,"
            # Made by the appending console for each append: an append retried after
            # a lost connection finds its first try instead of recording it twice.
            " token text,"
            " PRIMARY KEY (session, seq))",
            f"CREATE INDEX events_by_kind ON {SCHEMA}.events (session, kind)",
            f"CREATE UNIQUE INDEX events_by_token ON {SCHEMA}.events (session, token)"
            " WHERE token IS NOT NULL",
            f"CREATE TABLE {SCHEMA}.consoles ("
            f" session text NOT NULL REFERENCES {SCHEMA}.sessions (name),"
            " id text NOT NULL,"
            " actor text NOT NULL,"
            " role text NOT NULL,"
            " teams text NOT NULL,"
            " opened double precision NOT NULL,"
            " seen double precision NOT NULL,"
            " closed double precision,"
            " selected_team text,"
            " host text NOT NULL DEFAULT '',"
            " os_user text NOT NULL DEFAULT '',"
            " pid integer NOT NULL DEFAULT 0,"
            " joined bigint GENERATED ALWAYS AS IDENTITY,"  # the order consoles opened in
            " PRIMARY KEY (session, id))",
            f"CREATE FUNCTION {SCHEMA}.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$"
            " BEGIN RAISE EXCEPTION 'tabletop events are append-only'"
            " USING ERRCODE = 'insufficient_privilege'; END $$",
            f"CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON {SCHEMA}.events"
            f" FOR EACH ROW EXECUTE FUNCTION {SCHEMA}.refuse_change()",
            f"CREATE TRIGGER events_never_truncated BEFORE TRUNCATE ON {SCHEMA}.events"
            f" FOR EACH STATEMENT EXECUTE FUNCTION {SCHEMA}.refuse_change()",
            # One round trip per append: lock the session row, compare, insert,
            # count, notify. Returns the seq it found last, and the new seq and
            # received time (NULL when the append was stale); for a token already
            # recorded, the event that has it.
            f"CREATE FUNCTION {SCHEMA}.append_event(p_session text, p_after bigint,"
            " p_kind text, p_wall double precision, p_data text, p_actor text, p_role text,"
            " p_console text, p_received double precision, p_token text)"
            " RETURNS TABLE (found_top bigint, new_seq bigint, new_received double precision)"
            " LANGUAGE plpgsql AS $$"
            " DECLARE t bigint; r double precision;"
            " BEGIN"
            f"  SELECT s.last_seq INTO t FROM {SCHEMA}.sessions s"
            "   WHERE s.name = p_session FOR UPDATE;"
            "  IF NOT FOUND THEN"
            "   RAISE EXCEPTION 'no such session' USING ERRCODE = 'no_data_found';"
            "  END IF;"
            # Under the row's lock, so a first try still committing is waited for.
            "  IF p_token IS NOT NULL THEN"
            "   RETURN QUERY SELECT e.seq - 1, e.seq, e.received"
            f"    FROM {SCHEMA}.events e WHERE e.session = p_session AND e.token = p_token;"
            "   IF FOUND THEN RETURN; END IF;"
            "  END IF;"
            "  IF p_after IS NOT NULL AND t <> p_after THEN"
            "   RETURN QUERY SELECT t, NULL::bigint, NULL::double precision; RETURN;"
            "  END IF;"
            "  r := coalesce(p_received, extract(epoch FROM clock_timestamp())::double precision);"
            f"  INSERT INTO {SCHEMA}.events (session, seq, kind, wall, data, actor, role,"
            "   console, received, token) VALUES (p_session, t + 1, p_kind, p_wall, p_data,"
            "   p_actor, p_role, p_console, r, p_token);"
            f"  UPDATE {SCHEMA}.sessions SET last_seq = t + 1 WHERE name = p_session;"
            f"  PERFORM pg_notify('{CHANNEL}', p_session);"
            "  RETURN QUERY SELECT t, t + 1, r;"
            " END $$",
        ),
    ),
)

TABLES = frozenset({"migrations", "sessions", "events", "consoles"})
"""Every table the migrations make: anything else in the schema is not ours."""
NAMES = tuple(m.name for m in MIGRATIONS)
