"""The contract every session store keeps, run against each one: the SQLite file
and a session in PostgreSQL (skipped, saying why, without a server).

One suite, parametrised by ``place`` (tests/session/conftest.py): whatever a
test proves here holds for both stores.
"""

from __future__ import annotations

import json
import signal
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from children import python
from conftest import Loaded, wait_for
from fakeclock import FakeClock

from tabletop.core.scenario import Scenario
from tabletop.session.authors import new_recorder
from tabletop.session.events import payload_of
from tabletop.session.exporting import export_session
from tabletop.session.importing import import_session, parse_export
from tabletop.session.session import Conflict, Session
from tabletop.session.store import stores
from tabletop.session.store.base import StaleAppend
from tabletop.session.store.errors import (
    SessionError,
    SessionLocked,
    SessionNotFound,
    SessionWrongExercise,
)
from tabletop.session.store.location import Location
from tabletop.session.store.migrations import FORMAT_VERSION


def note(text: str) -> Any:
    return payload_of("note_added", {"text": text, "team": None, "inject": None})


def test_a_new_session_keeps_its_scenario_and_metadata(
    place: Location, loaded: Loaded, clock: FakeClock, scenario: Scenario
) -> None:
    with stores.create(place, loaded, clock=clock) as store:
        assert not store.read_only
        assert store.events() == []
    with stores.open_readonly(place) as reader:
        meta = reader.meta
        assert reader.read_only
        assert (meta.exercise_id, meta.scenario) == ("drill", scenario)
        assert (meta.scenario_sha256, meta.source_path) == (loaded.sha256, str(loaded.path))
        assert meta.created == clock.now
        assert meta.format_version == FORMAT_VERSION
        assert meta.session_id and len(meta.session_id) == 32
    assert stores.stored_digest(place) == ("drill", loaded.sha256)


def test_events_are_numbered_from_one_without_gaps_and_read_back_exactly(
    place: Location, loaded: Loaded
) -> None:
    with stores.create(place, loaded) as store:
        first = store.append(note("één ✓"))
        second = store.append(payload_of("clock_resumed", {}))
        assert (first.seq, second.seq) == (1, 2)
        assert first.received is not None and first.received >= first.wall - 5
        assert store.events() == [first, second]
        assert store.events(after=1) == [second]
    with stores.open_writer(place) as store:
        assert store.append(payload_of("clock_paused", {})).seq == 3
    with stores.open_readonly(place) as reader:
        assert [e.seq for e in reader.events()] == [1, 2, 3]
        assert reader.events()[0].payload == first.payload
        assert reader.tally().counts == {"note_added": 1, "clock_resumed": 1, "clock_paused": 1}


def test_another_connection_sees_an_append_at_once(place: Location, loaded: Loaded) -> None:
    with stores.create(place, loaded) as writer, stores.open_readonly(place) as reader:
        before = reader.change_counter()
        event = writer.append(note("committed?"))
        assert reader.change_counter() != before
        assert reader.events() == [event]


def test_a_new_session_never_replaces_one_that_is_there(place: Location, loaded: Loaded) -> None:
    with stores.create(place, loaded) as store:
        store.append(note("keep me"))
    with pytest.raises(SessionError, match="already exists"):
        stores.create(place, loaded)
    with stores.open_readonly(place) as reader:
        assert [e.payload for e in reader.events()] == [note("keep me")]


def test_a_missing_session_is_refused_in_one_line_and_not_made(
    place: Location, loaded: Loaded
) -> None:
    for opening in (stores.open_readonly, stores.open_writer):
        with pytest.raises(SessionNotFound) as refused:
            opening(place)
        assert "\n" not in str(refused.value)
    assert not stores.exists(place)


def test_a_session_of_another_exercise_is_refused(place: Location, loaded: Loaded) -> None:
    stores.create(place, loaded).close()
    with pytest.raises(SessionWrongExercise, match="not 'other'"):
        stores.open_writer(place, expect_exercise="other")


def test_a_stale_append_is_refused_and_records_nothing(place: Location, loaded: Loaded) -> None:
    with stores.create(place, loaded) as one, stores.open_writer(
        place, recorder=new_recorder("evaluator", "E. Val")
    ) as two:
        one.append(note("first"))
        with pytest.raises(StaleAppend) as stale:
            two.append(note("checked against nothing"), after=0)
        assert stale.value.last_seq == 1
        assert two.append(note("checked against the first"), after=1).seq == 2
        assert [e.payload.text for e in one.events()] == ["first", "checked against the first"]


def test_concurrent_appends_get_every_seq_once(place: Location, loaded: Loaded) -> None:
    """Eight consoles appending as fast as they can, each on its own connection:
    every event lands, numbered 1..N without gaps or repeats."""
    stores.create(place, loaded).close()
    writers = [
        stores.open_writer(place, recorder=new_recorder("controller", f"C{n}"))
        for n in range(8)
    ]
    per_writer = 25
    failures: list[BaseException] = []

    def append_all(store: Any, n: int) -> None:
        try:
            for i in range(per_writer):
                store.append(note(f"{n}:{i}"))
        except BaseException as exc:  # pragma: no cover - reported below
            failures.append(exc)

    threads = [threading.Thread(target=append_all, args=(w, n)) for n, w in enumerate(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for writer in writers:
        writer.close()
    assert failures == []
    with stores.open_readonly(place) as reader:
        events = reader.events()
    assert [e.seq for e in events] == list(range(1, 8 * per_writer + 1))
    assert sorted(e.payload.text for e in events) == sorted(
        f"{n}:{i}" for n in range(8) for i in range(per_writer)
    )
    # Each writer's own events are in the order it appended them.
    for n in range(8):
        mine = [e.payload.text for e in events if e.payload.text.startswith(f"{n}:")]
        assert mine == [f"{n}:{i}" for i in range(per_writer)]


def test_two_consoles_follow_the_conflict_rules(place: Location, loaded: Loaded) -> None:
    """Through the session: a console that has not seen another's event is caught
    up, checked again, and told in one line who recorded what meanwhile."""
    clock = FakeClock(1_800_000_000.0)
    facilitator = Session.create(place, loaded, clock=clock)
    spec = {"id": "power-cut", "title": "Power cut", "channel": "phone", "from": "Grid",
            "to": ["ops"], "body": ""}
    try:
        with Session.open(place, clock=clock,
                          recorder=new_recorder("controller", "SimCell North")) as north, \
                Session.open(place, clock=clock,
                             recorder=new_recorder("controller", "SimCell South")) as south:
            north.record("unscripted_inject", inject=spec)
            with pytest.raises(Conflict) as refused:
                south.record("unscripted_inject", inject=spec)
        assert str(refused.value) == (
            "an inject with id 'power-cut' already exists: SimCell North (controller) "
            "recorded \"Unscripted inject: Power cut\" a moment ago"
        )
        facilitator.refresh()
        kinds = [e.kind for e in facilitator.state.history]
        assert kinds.count("unscripted_inject") == 1
    finally:
        facilitator.close()


def test_a_read_only_opener_never_writes(place: Location, loaded: Loaded) -> None:
    with stores.create(place, loaded) as store:
        store.append(note("one"))
    before = _fingerprint(place)
    with stores.open_readonly(place) as reader:
        with pytest.raises(SessionError, match="read-only"):
            reader.append(note("sneaked in"))
        reader.events()
        reader.tally()
        reader.presence()
    assert _fingerprint(place) == before


def _fingerprint(place: Location) -> Any:
    """Everything a store holds, as one comparable value."""
    if isinstance(place, Path):
        return sorted((p.name, p.read_bytes()) for p in place.parent.iterdir())
    with stores.open_readonly(place) as reader:
        return (reader.events(), reader.presence(), reader.tally(), reader.meta)


def test_appends_inside_a_transaction_are_all_kept_or_none(
    place: Location, loaded: Loaded
) -> None:
    with stores.create(place, loaded) as store:
        with store.transaction():
            store.append(note("a"))
            store.append(note("b"))
        with pytest.raises(RuntimeError), store.transaction():
            store.append(note("c"))
            raise RuntimeError("the import found a bad event")
        assert [e.payload.text for e in store.events()] == ["a", "b"]
        assert store.append(note("d")).seq == 3


def test_a_payload_too_big_to_store_is_refused(place: Location, loaded: Loaded) -> None:
    with stores.create(place, loaded) as store, pytest.raises(ValueError, match="bytes"):
        store.append(note("x" * (1 << 21)))


def test_one_facilitator_at_a_time_named_to_the_second(place: Location, loaded: Loaded) -> None:
    first = stores.create(place, loaded, recorder=new_recorder("facilitator", "Col. R. Vance"))
    try:
        assert first.facilitator_present()
        with pytest.raises(SessionLocked, match=r"Col\. R\. Vance"):
            stores.open_writer(place, recorder=new_recorder("facilitator", "Maj. Two"))
        holder = stores.writer_of(place)
        assert holder is not None and holder.name == "Col. R. Vance"
        with stores.open_readonly(place) as reader:
            assert reader.facilitator_present()
    finally:
        first.close()
    assert stores.writer_of(place) is None
    stores.open_writer(place, recorder=new_recorder("facilitator", "Maj. Two")).close()


def test_consoles_are_present_until_they_close(place: Location, loaded: Loaded) -> None:
    clock = FakeClock(1_800_000_000.0)
    store = stores.create(place, loaded, clock=clock, recorder=new_recorder("facilitator"))
    evaluator = stores.open_writer(
        place, clock=clock, recorder=new_recorder("evaluator", "K. Oswald", ("ops",))
    )
    clock.advance(30)
    evaluator.heartbeat()
    evaluator.remember_team("ops")
    evaluator.close()
    try:
        consoles = store.presence()
        assert [(p.author.role, p.teams) for p in consoles] == [
            ("facilitator", ()), ("evaluator", ("ops",))
        ]
        assert consoles[1].seen == clock.now and consoles[1].closed == clock.now
        assert consoles[0].closed is None
    finally:
        store.close()
    again = stores.open_writer(place, recorder=new_recorder("evaluator", "K. Oswald", ("ops",)))
    try:
        assert again.remembered_team() == "ops"
    finally:
        again.close()


def test_a_follower_wakes_when_another_console_appends(
    place: Location, loaded: Loaded
) -> None:
    with stores.create(place, loaded) as writer, stores.open_readonly(place) as reader:
        woken = threading.Event()
        follower = reader.follower(woken.set)
        follower.start()
        try:
            assert woken.wait(5), "the first look wakes the console to catch up"
            woken.clear()
            started = time.monotonic()
            writer.append(note("wake up"))
            assert woken.wait(5)
            assert time.monotonic() - started < 1.0
        finally:
            follower.stop()


@pytest.mark.slow
def test_every_acknowledged_event_survives_kill_9(place: Location, loaded: Loaded) -> None:
    """A console appends as fast as it can and says each seq once ``append`` has
    returned; killed mid-stream, every seq it acknowledged is in the store, and the
    facilitator's place is free again at once."""
    stores.create(place, loaded, recorder=new_recorder("facilitator", "Killed")).close()
    child = python(
        """
        import sys
        from tabletop.session.events import payload_of
        from tabletop.session.store import stores
        from tabletop.session.store.location import parse_location
        from tabletop.session.authors import new_recorder
        store = stores.open_writer(parse_location(sys.argv[1]),
                                   recorder=new_recorder("facilitator", "Killed"))
        n = 0
        while True:
            n += 1
            event = store.append(payload_of("note_added", {"text": f"n{n}"}))
            print(event.seq, flush=True)
        """,
        str(place),
    )
    acknowledged: list[int] = []
    assert child.stdout is not None
    for line in child.stdout:
        acknowledged.append(int(line))
        if len(acknowledged) >= 40:
            break
    child.send_signal(signal.SIGKILL)
    child.wait(10)
    with stores.open_readonly(place) as reader:
        stored = [e.seq for e in reader.events()]
    assert set(acknowledged) <= set(stored)
    assert stored == list(range(1, len(stored) + 1))
    wait_for(lambda: stores.writer_of(place) is None, timeout=10)
    stores.open_writer(place, recorder=new_recorder("facilitator", "Next")).close()


def test_an_export_imports_into_either_store_and_back_losslessly(
    place: Location, loaded: Loaded, tmp_path: Path
) -> None:
    """export → import (into this store) → export → import (into a file) → export:
    all three exports are the same but for the session's identity; actors and
    received times are kept."""
    clock = FakeClock(1_800_000_000.0)
    source = tmp_path / "source.db"
    facilitator = Session.create(source, loaded, clock=clock)
    evaluator = Session.open(source, clock=clock,
                             recorder=new_recorder("evaluator", "K. Oswald", ("ops",)))
    try:
        facilitator.record("clock_resumed")
        clock.advance(60)
        facilitator.record("inject_delivered", inject="intro")
        clock.advance(5)
        evaluator.refresh()
        evaluator.record("note_added", text="ops shared early", team="ops", inject="intro")
        facilitator.refresh()
        first = _export(facilitator)
    finally:
        evaluator.close()
        facilitator.close()

    import_session(parse_export(json.dumps(first).encode()), place, lambda _id: None)
    with Session.open_readonly(place) as moved:
        second = _export(moved)
    back = tmp_path / "back.db"
    import_session(parse_export(json.dumps(second).encode()), back, lambda _id: None)
    with Session.open_readonly(back) as returned:
        third = _export(returned)
    assert _without_identity(second) == _without_identity(first)
    assert _without_identity(third) == _without_identity(first)
    actors = [e.get("actor", {}).get("name") for e in second["events"]]
    assert "K. Oswald" in actors
    assert [e["received"] for e in second["events"]] == [e["received"] for e in first["events"]]


def _export(session: Session) -> dict[str, Any]:
    last = session.state.last_activity() or 0.0
    return json.loads(json.dumps(export_session(session, last, live=False)))


def _without_identity(export: dict[str, Any]) -> dict[str, Any]:
    meta = {k: v for k, v in export["meta"].items()
            if k not in ("file", "session_id", "created", "exported_at", "exported_by")}
    return {**export, "meta": meta}


def test_a_refused_import_leaves_nothing_behind(place: Location, loaded: Loaded) -> None:
    export = {
        "export_version": 3,
        "meta": {"exercise_id": "drill"},
        "events": [{"kind": "clock_resumed"}, {"kind": "inject_delivered",
                                               "data": {"inject": "nope"}}],
    }
    with pytest.raises(SessionError, match=r"event seq 2 .*unknown inject 'nope'"):
        import_session(parse_export(json.dumps(export).encode()), place, lambda _id: loaded)
    assert not stores.exists(place)


def test_nobody_else_appends_inside_a_transaction(place: Location, loaded: Loaded) -> None:
    """What a console overtaken twice relies on: holding the store's lock, its
    catch-up and append cannot be overtaken a third time."""
    with stores.create(place, loaded) as one, stores.open_writer(
        place, recorder=new_recorder("controller", "Waiting")
    ) as two:
        done: list[int] = []
        other = threading.Thread(target=lambda: done.append(two.append(note("later")).seq))
        with one.transaction():  # before its first append: it is a catch-up's lock
            other.start()
            time.sleep(0.3)
            assert done == []  # still waiting for the lock
            one.append(note("first"))
        other.join(10)
        assert done == [2]


def test_a_closed_store_still_counts_as_in_place(place: Location, loaded: Loaded) -> None:
    """The console asks after closing whether the session is where it was: a
    clean quit is never reported as a session removed."""
    store = stores.create(place, loaded)
    store.close()
    assert store.in_place()
