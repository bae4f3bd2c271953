"""What only the PostgreSQL store has: URLs, a server's own failures, a database
shared with others, lost connections. The contract both stores keep is in
test_store_contract.py."""

from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import Loaded, wait_for
from pgserver import cut, fresh_database, server_url, tls_url, unique_session, with_param

from tabletop.commands.arguments import session_location
from tabletop.session.authors import new_recorder
from tabletop.session.events import payload_of
from tabletop.session.store import postgres, stores
from tabletop.session.store.errors import (
    SessionCorrupt,
    SessionError,
    SessionNotFound,
    SessionTooNew,
)
from tabletop.session.store.location import PostgresLocation, parse_location, parse_url


def note(text: str) -> Any:
    return payload_of("note_added", {"text": text, "team": None, "inject": None})


# ---------------------------------------------------------------- URLs (no server)


def test_the_session_parameter_names_the_session_and_the_rest_goes_to_libpq() -> None:
    place = parse_url("postgresql:///ops?host=/run/postgresql&user=u&session=ex-1&sslmode=verify-full")
    assert place.session == "ex-1"
    assert "session" not in place.conninfo
    assert place.conninfo == "postgresql:///ops?host=/run/postgresql&user=u&sslmode=verify-full"
    assert place.shown.endswith("&session=ex-1")
    assert not place.has_password
    assert parse_location("postgres://db.example/ops?session=a").session == "a"
    assert parse_location("sessions/a.db") == Path("sessions/a.db")


def test_a_password_in_the_url_is_never_shown() -> None:
    for url in ("postgresql://u:hunter2@db.example/ops?session=s",
                "postgresql://db.example/ops?user=u&password=hunter2&session=s"):
        place = parse_url(url)
        assert place.has_password
        assert "hunter2" not in place.shown and "hunter2" not in place.database
        assert "hunter2" in place.conninfo  # libpq still gets it


def test_a_url_with_a_password_is_accepted_with_a_warning(capsys: pytest.CaptureFixture[str]) -> None:
    place = session_location("postgresql://u:hunter2@db.example/ops?session=s")
    assert isinstance(place, PostgresLocation)
    warning = capsys.readouterr().err
    assert "PGPASSWORD" in warning and "~/.pgpass" in warning and "hunter2" not in warning


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("postgresql:///ops?session=../../etc", "not a session name"),
        ("postgresql:///ops?session=a&session=b", "more than one session"),
        ("postgresql:///ops?session=a\x1b[2J", "control characters"),
        ("postgresql:///ops?session=", "not a session name"),
    ],
)
def test_a_url_that_cannot_name_a_session_is_refused_in_one_line(url: str, message: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match=message) as refused:
        session_location(url)
    assert "\n" not in str(refused.value)


def test_without_psycopg_a_url_says_which_extra_to_install(
    monkeypatch: pytest.MonkeyPatch, loaded: Loaded
) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)
    with pytest.raises(SessionError, match=r"pip install 'tabletop\[postgres\]'"):
        stores.open_readonly(parse_url("postgresql:///ops?session=s"))


# ---------------------------------------------------------------- a real server


@pytest.fixture
def url() -> str:
    return server_url()


def test_a_missing_database_is_one_line(url: str) -> None:
    base = url.split("?")[0].rsplit("/", 1)[0]
    query = url.split("?", 1)[1]
    with pytest.raises(SessionNotFound) as refused:
        stores.open_readonly(parse_url(f"{base}/no_such_db?{query}&session=s"))
    assert 'database "no_such_db" does not exist' in str(refused.value)
    assert "\n" not in str(refused.value)


def test_a_missing_session_and_an_empty_database_are_one_line(
    url: str, loaded: Loaded
) -> None:
    with fresh_database(url) as db:
        with pytest.raises(SessionNotFound, match="holds no tabletop sessions"):
            stores.open_readonly(parse_url(with_param(db, session="s")))
        assert stores.list_database(parse_url(db)) == []
        stores.create(parse_url(with_param(db, session="there")), loaded).close()
        with pytest.raises(SessionNotFound, match="no such session"):
            stores.open_readonly(parse_url(with_param(db, session="not-there")))


def test_a_wrong_password_is_one_line(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import psycopg

    other = url.replace("user=tabletop", "user=tabletop_pw")
    monkeypatch.setenv("PGPASSWORD", "right-password")
    try:
        psycopg.connect(other).close()
    except psycopg.Error:
        pytest.skip("the test server has no role 'tabletop_pw' (made by .ci/postgres)")
    monkeypatch.setenv("PGPASSWORD", "wrong-password")
    with pytest.raises(SessionError) as refused:
        stores.open_readonly(parse_url(with_param(other, session="s")))
    assert 'password authentication failed for user "tabletop_pw"' in str(refused.value)
    assert "\n" not in str(refused.value) and "wrong-password" not in str(refused.value)


def test_a_server_that_is_not_there_is_one_line(tmp_path: Path) -> None:
    server_url()  # needs psycopg, like the others
    with pytest.raises(SessionError) as refused:
        stores.open_readonly(parse_url(f"postgresql:///db?host={tmp_path}&session=s"))
    text = str(refused.value)
    assert "cannot connect" in text and "\n" not in text


def test_a_server_older_than_13_is_refused(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import psycopg

    real = psycopg.connect

    class Old:
        def __init__(self, conn: Any) -> None:
            self._conn = conn
            self.info = type("Info", (), {"server_version": 120017})()

        def __getattr__(self, name: str) -> Any:
            return getattr(self._conn, name)

    monkeypatch.setattr(psycopg, "connect", lambda *a, **k: Old(real(*a, **k)))
    with pytest.raises(SessionError, match="PostgreSQL 12; tabletop needs PostgreSQL 13"):
        stores.open_readonly(parse_url(unique_session(url)))


def test_someone_elses_tables_in_our_schema_are_refused_and_left_alone(
    url: str, loaded: Loaded
) -> None:
    import psycopg

    with fresh_database(url) as db:
        with psycopg.connect(db, autocommit=True) as conn:
            conn.execute("CREATE SCHEMA tabletop")
            conn.execute("CREATE TABLE tabletop.payroll (who text)")
            conn.execute("INSERT INTO tabletop.payroll VALUES ('keep')")
        with pytest.raises(SessionCorrupt, match="'payroll' that tabletop did not create"):
            stores.create(parse_url(with_param(db, session="s")), loaded)
        with psycopg.connect(db) as conn:
            tables = conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'tabletop'"
            ).fetchall()
            assert tables == [("payroll",)]


def test_other_programs_tables_beside_ours_are_left_alone(url: str, loaded: Loaded) -> None:
    import psycopg

    with fresh_database(url) as db:
        with psycopg.connect(db, autocommit=True) as conn:
            conn.execute("CREATE TABLE public.events (id int)")
            conn.execute("INSERT INTO public.events VALUES (7)")
        place = parse_url(with_param(db, session="s"))
        with stores.create(place, loaded) as store:
            store.append(note("ours"))
        with psycopg.connect(db) as conn:
            assert conn.execute("SELECT id FROM public.events").fetchall() == [(7,)]
        assert [p.session for p in stores.list_database(parse_url(db))] == ["s"]


def test_a_database_set_up_by_a_newer_tabletop_is_refused(url: str, loaded: Loaded) -> None:
    import psycopg

    with fresh_database(url) as db:
        place = parse_url(with_param(db, session="s"))
        stores.create(place, loaded).close()
        with psycopg.connect(db, autocommit=True) as conn:
            conn.execute("INSERT INTO tabletop.migrations VALUES ('0999_from_the_future', 0)")
        with pytest.raises(SessionTooNew, match="upgrade tabletop"):
            stores.open_readonly(place)


def test_events_are_append_only_in_the_database_itself(url: str, loaded: Loaded) -> None:
    import psycopg

    place = parse_url(unique_session(url))
    with stores.create(place, loaded) as store:
        store.append(note("evidence"))
    with psycopg.connect(url, autocommit=True) as conn:
        for sql in ("UPDATE tabletop.events SET data = '{}' WHERE session = %s",
                    "DELETE FROM tabletop.events WHERE session = %s"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
                conn.execute(sql, (place.session,))
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
            conn.execute("TRUNCATE tabletop.events CASCADE")
    with stores.open_readonly(place) as reader:
        assert [e.payload.text for e in reader.events()] == ["evidence"]


def test_a_reader_connection_cannot_write_even_by_hand(url: str, loaded: Loaded) -> None:
    import psycopg

    place = parse_url(unique_session(url))
    stores.create(place, loaded).close()
    reader = postgres.PgJournal.open_readonly(place)
    try:
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            reader._conn.execute(
                "SELECT * FROM tabletop.append_event(%s, NULL, 'note_added', 1, '{}', '', "
                "'facilitator', '', NULL, NULL)", (place.session,)
            )
    finally:
        reader.close()


def test_a_lost_connection_is_made_again_and_the_facilitator_keeps_the_session(
    url: str, loaded: Loaded
) -> None:
    place = parse_url(unique_session(url))
    store = postgres.PgJournal.create(place, loaded, recorder=new_recorder("facilitator", "F"))
    try:
        store.append(note("before"))
        (pid,) = store._conn.execute("SELECT pg_backend_pid()").fetchone()
        assert cut(url, "pid = %s", pid) == 1
        assert store.append(note("after")).seq == 2
        assert store.facilitator_present()
        assert stores.writer_of(place) is not None
        with pytest.raises(SessionError, match="already has a facilitator console"):
            stores.open_writer(place, recorder=new_recorder("facilitator", "Usurper"))
    finally:
        store.close()
    with stores.open_readonly(place) as reader:
        assert [e.payload.text for e in reader.events()] == ["before", "after"]


def test_an_append_sent_again_after_a_lost_reply_is_recorded_once(
    url: str, loaded: Loaded
) -> None:
    """The worst case of a cut link: the first try is still committing on the
    server when the retry arrives. The retry waits for it and gets its event."""
    import psycopg

    place = parse_url(unique_session(url))
    stores.create(place, loaded).close()
    call = ("SELECT * FROM tabletop.append_event(%s, NULL, 'note_added', 1800000000, "
            "'{\"text\":\"once\",\"team\":null,\"inject\":null}', 'K', 'facilitator', "
            "'c1', NULL, 'token-1')")
    first = psycopg.connect(url)  # not autocommit: its commit waits for the test
    first.execute(call, (place.session,))
    answers: list[tuple[Any, ...]] = []
    retry = psycopg.connect(url, autocommit=True)
    waiting = threading.Thread(
        target=lambda: answers.append(tuple(retry.execute(call, (place.session,)).fetchone()))
    )
    waiting.start()
    time.sleep(0.3)
    assert answers == []  # held by the first try's lock
    first.commit()
    waiting.join(10)
    assert answers == [(0, 1, answers[0][2])]
    with stores.open_readonly(place) as reader:
        assert [e.seq for e in reader.events()] == [1]
    first.close()
    retry.close()


def test_a_follower_reconnects_says_so_and_catches_up(url: str, loaded: Loaded) -> None:
    place = parse_url(unique_session(url))
    wakes: list[float] = []
    said: list[str | None] = []
    with stores.create(place, loaded) as writer:
        follower = postgres.NotifyFollower(place, lambda: wakes.append(time.monotonic()),
                                           said.append)
        follower.start()
        try:
            wait_for(lambda: len(wakes) == 1)
            wait_for(lambda: cut(url, "application_name = %s AND query LIKE 'LISTEN%%'",
                                 place.session) >= 1)
            wait_for(lambda: len(wakes) >= 2)  # woken again after reconnecting: catch up
            assert said and said[0] is not None and "reconnecting" in said[0]
            assert said[-1] is None
            count = len(wakes)
            writer.append(note("after the reconnect"))
            wait_for(lambda: len(wakes) > count)
        finally:
            follower.stop()


def test_a_follower_is_woken_for_its_own_session_only(url: str, loaded: Loaded) -> None:
    mine, other = parse_url(unique_session(url)), parse_url(unique_session(url))
    woken = threading.Event()
    with stores.create(mine, loaded) as writer, stores.create(other, loaded) as elsewhere:
        follower = postgres.NotifyFollower(mine, woken.set)
        follower.start()
        try:
            assert woken.wait(5)
            woken.clear()
            elsewhere.append(note("not yours"))
            assert not woken.wait(0.5)
            writer.append(note("yours"))
            assert woken.wait(5)
        finally:
            follower.stop()


# ---------------------------------------------------------------- TLS


def test_a_session_over_tls_with_the_certificate_checked(loaded: Loaded) -> None:
    url = tls_url()
    place = parse_url(unique_session(url))
    with stores.create(place, loaded) as store:
        store.append(note("over TLS"))
        (encrypted,) = store._conn.execute(  # type: ignore[attr-defined]
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"
        ).fetchone()
        assert encrypted is True
    with stores.open_readonly(place) as reader:
        assert [e.payload.text for e in reader.events()] == ["over TLS"]


def test_a_server_whose_certificate_does_not_check_out_is_one_line(tmp_path: Path) -> None:
    import subprocess

    url = tls_url()
    other_ca = tmp_path / "other-ca.crt"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=someone else", "-keyout", str(tmp_path / "k"), "-out", str(other_ca)],
        check=True, capture_output=True,
    )
    base, _, query = url.partition("?")
    params = [p for p in query.split("&") if not p.startswith("sslrootcert=")]
    wrong = f"{base}?{'&'.join(params)}&sslrootcert={other_ca}&session=s"
    with pytest.raises(SessionError) as refused:
        stores.open_readonly(parse_url(wrong))
    assert "certificate verify failed" in str(refused.value)
    assert "\n" not in str(refused.value)


def test_the_tls_address_refuses_a_connection_in_clear_text() -> None:
    url = tls_url().replace("sslmode=verify-full", "sslmode=disable")
    with pytest.raises(SessionError, match="no encryption") as refused:
        stores.open_readonly(parse_url(with_param(url, session="s")))
    assert "\n" not in str(refused.value)


# ---------------------------------------------------------------- the commands


def test_run_names_a_close_session_when_the_one_asked_for_is_not_there(
    url: str, loaded: Loaded, capsys: pytest.CaptureFixture[str]
) -> None:
    from tabletop.cli import main

    place = parse_url(unique_session(url))
    stores.create(place, loaded).close()
    typo = str(place).replace(f"session={place.session}", f"session={place.session}x")
    assert main(["run", typo, "--role", "evaluator", "--name", "E"]) == 2
    err = capsys.readouterr().err
    assert f"no such session (did you mean '{place.session}'?)" in err
    assert err.count("\n") == 1


def test_a_new_session_next_to_a_close_name_says_so(url: str, loaded: Loaded) -> None:
    from tabletop.app.opening import _near_sessions

    with fresh_database(url) as db:
        stores.create(parse_url(with_param(db, session="play1")), loaded).close()
        [notice] = _near_sessions(parse_url(with_param(db, session="Play1")))
        assert "the database also holds 'play1'" in notice
        assert _near_sessions(parse_url(with_param(db, session="other"))) == []


def test_a_console_header_names_the_session_first() -> None:
    assert parse_url("postgresql://db.example:5433/ops?session=ex-1").brief == "ex-1 in db.example/ops"
    assert parse_url("postgresql:///ops?host=/very/long/socket/folder&session=ex-1").brief == (
        "ex-1 in ops"
    )


def test_a_percent_encoded_password_is_kept_out_of_messages_both_ways() -> None:
    place = parse_url("postgresql://u:hun%25ter@db.example/ops?session=s")
    assert {"hun%25ter", "hun%ter"} <= set(place.secrets)
