"""Exercises across sites: 200 consoles on one PostgreSQL session, on loopback.

Writer processes (controllers adding notes) append through the PostgreSQL
store at a human pace, jittered; follower processes each hold many read-only
consoles, each on its own connection, and one ``NotifyFollower`` (one LISTEN
connection per process, as a site's fan-out would): on every wake-up each
console reads what is new after its own last seq, as the console does.

Side by side, in the same writer processes and the same schedule, every
append is paired with a bare psycopg ``INSERT … COMMIT`` of the same text into
a table of its own, with ``synchronous_commit = on``: the baseline.

Judged, as PASS/FAIL lines:

* 0 events lost: every acknowledged append is in the session, under its
  writer, seqs 1..N without a gap, and every console had every event;
* p99 from a writer's acknowledgement until every console has the event:
  at most 100 ms (bare LISTEN/NOTIFY to 200 listeners takes about 13 ms p99);
* p99 append latency: at most 3× the bare INSERT's p99, measured beside it.

A third run gives a figure, not a baseline: the NOTIFY alone, one LISTEN
connection per console and no read, which is what every follower waits for
before it reads.

Without a server (``TABLETOP_TEST_POSTGRES`` unset and none can be started
with ``.ci/postgres``) it prints a SKIP line and judges nothing.

Workers are this module run as ``python -m budgets.sites ROLE SPEC``; each
writes its figures as JSON to the file its spec names.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from context import Context
from measure import BenchError, measured_env, median, python
from results import Outcome

from budgets.recorders import Absolute, percentile

BENCHMARKS = Path(__file__).resolve().parents[1]
REPO = BENCHMARKS.parent
FOLLOW_LIMIT_MS = 100.0
APPEND_LIMIT = 3.0
RATE = 0.5
"""Appends a second per writer (each gap jittered ±50%): a busy room at each site."""
CONSOLES_PER_PROCESS = 5
"""Consoles one follower process holds, reading one after another on a wake-up: few,
so that the reads of 180 consoles wait on the server side by side."""
GRACE = 3.0
"""Seconds the followers keep reading after the writers stop."""


def measure(ctx: Context) -> list[Outcome]:
    quick = ctx.sizes.record_events == (2_000,)  # the QUICK sizes
    writers, consoles, seconds = (20, 180, 6.0) if quick else (20, 180, 30.0)
    with _server(ctx) as url:
        if url is None:
            print("SKIP  sites: no PostgreSQL server (set TABLETOP_TEST_POSTGRES, or install "
                  "Debian's postgresql for .ci/postgres)", file=sys.stderr)
            ctx.figures["sites: skipped (no PostgreSQL server)"] = 1.0
            return []
        return _measure(ctx, url, writers, consoles, seconds)


class _server:
    """The server to measure against: the one the tests use, else a throwaway one."""

    def __init__(self, ctx: Context) -> None:
        self.folder = ctx.work / "pg"
        self.started = False

    def __enter__(self) -> str | None:
        url = os.environ.get("TABLETOP_TEST_POSTGRES")
        if url:
            return url
        script = REPO / ".ci" / "postgres"
        try:
            done = subprocess.run([str(script), "start", str(self.folder)], capture_output=True,
                                  text=True, timeout=120, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return None
        if done.returncode != 0:
            return None
        self.started = True
        return done.stdout.strip()

    def __exit__(self, *exc: object) -> None:
        if self.started:
            subprocess.run([str(REPO / ".ci" / "postgres"), "stop", str(self.folder)],
                           capture_output=True, timeout=60, check=False)


def _measure(ctx: Context, url: str, writers: int, consoles: int, seconds: float) -> list[Outcome]:
    import uuid

    import psycopg

    from budgets.recorders import EXERCISE
    from tabletop.session.authors import new_recorder
    from tabletop.session.session import Session
    from tabletop.session.store.location import parse_url

    table = f"public.bench_bare_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as admin:
        (limit,) = admin.execute("SHOW max_connections").fetchone()
        admin.execute(f"CREATE TABLE {table} (id bigserial PRIMARY KEY, "
                      "writer int NOT NULL, data text NOT NULL)")
    processes = -(-consoles // CONSOLES_PER_PROCESS)
    needed = writers + consoles + processes + 5
    if int(limit) < needed:
        raise BenchError(f"the server allows {limit} connections; {writers + consoles} "
                         f"consoles need {needed} (max_connections)")
    place = parse_url(url + ("&" if "?" in url else "?") + f"session=sites-{uuid.uuid4().hex[:8]}")
    loaded = ctx.loaded(EXERCISE)
    facilitator = Session.create(place, loaded, recorder=new_recorder("facilitator", "Control"))
    sides: dict[str, Side] = {}
    try:
        for side in ("tabletop", "bare", "notify"):
            folder = ctx.folder(f"sites/{side}")
            common = {"url": str(place), "bare": url, "table": table, "side": side}
            specs: list[tuple[str, dict[str, Any]]] = []
            for p in range(processes):  # followers first: listening before anyone writes
                count = min(CONSOLES_PER_PROCESS, consoles - p * CONSOLES_PER_PROCESS)
                specs.append(({"tabletop": "follower", "bare": "bare-follower",
                               "notify": "notify-follower"}[side],
                              {**common, "consoles": count, "seconds": seconds + GRACE,
                               "out": str(folder / f"follower-{p}.json")}))
            for n in range(writers):
                specs.append(("writer", {**common, "n": n, "seconds": seconds, "rate": RATE,
                                         "out": str(folder / f"writer-{n}.json")}))
            _play(specs, seconds)
            sides[side] = _tally(folder, writers)
        stored = facilitator.store.events()
        with psycopg.connect(url, autocommit=True) as admin:
            bare_rows = [int(i) for (i,) in admin.execute(f"SELECT id FROM {table}").fetchall()]
            admin.execute(f"DROP TABLE {table}")
    finally:
        facilitator.close()
    return _judge(ctx, sides, [e.seq for e in stored], bare_rows, writers, seconds)


def _play(specs: list[tuple[str, dict[str, Any]]], seconds: float) -> None:
    children = [
        subprocess.Popen(python("-m", "budgets.sites", role, json.dumps(spec)),
                         cwd=BENCHMARKS, env=measured_env(), stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for role, spec in specs
    ]
    try:
        for child in children:  # each says "ready" once connected (or dies saying why)
            assert child.stdout is not None and child.stderr is not None
            if child.stdout.readline().strip() != "ready":
                child.wait(30)
                raise BenchError(f"a worker did not start: {child.stderr.read()[-300:]}")
        start_at = time.time() + 0.5
        for child in children:
            assert child.stdin is not None
            child.stdin.write(f"{start_at!r}\n")
            child.stdin.close()
        failures = []
        for child in children:
            child.wait(timeout=seconds + GRACE + 60)
            assert child.stderr is not None
            err = child.stderr.read()
            if child.returncode != 0:
                failures.append(err.strip().splitlines()[-1] if err.strip() else "no output")
        if failures:
            raise BenchError(f"{len(failures)} worker(s) failed: {failures[0]}")
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
                child.wait()


@dataclass
class Side:
    acked: dict[int, float]
    """Seq (or row id) → when its writer had the commit acknowledged."""
    latencies: list[float]
    follow_ms: list[float]
    """Per event: from the acknowledgement until the last console had it."""
    missing: int
    """(event, console) pairs where the console never had the event."""
    consoles: int


def _tally(folder: Path, writers: int) -> Side:
    acked: dict[int, float] = {}
    latencies: list[float] = []
    for n in range(writers):
        data = json.loads((folder / f"writer-{n}.json").read_text())
        acked.update({int(seq): at for seq, at in data["acks"]})
        latencies += [x * 1000 for x in data["latencies"]]
    seen_by_all: dict[int, float] = {}
    missing = consoles = 0
    for path in sorted(folder.glob("follower-*.json")):
        for console in json.loads(path.read_text())["consoles"]:
            consoles += 1
            got = {int(seq): at for seq, at in console}
            for seq in acked:
                if seq in got:
                    seen_by_all[seq] = max(seen_by_all.get(seq, 0.0), got[seq])
                else:
                    missing += 1
    follow = [(seen_by_all[seq] - acked[seq]) * 1000 for seq in acked if seq in seen_by_all]
    if not follow:
        raise BenchError("no event reached the consoles")
    return Side(acked, latencies, follow, missing, consoles)


def _judge(
    ctx: Context, sides: dict[str, Side], stored: list[int], bare_rows: list[int],
    writers: int, seconds: float,
) -> list[Outcome]:
    ours, bare = sides["tabletop"], sides["bare"]
    notified = sides["notify"]
    ctx.figures["sites: NOTIFY alone to every console, p50 / p99 (ms)"] = (  # type: ignore[assignment]
        f"{median(notified.follow_ms):.1f} / {percentile(notified.follow_ms, 0.99):.1f}"
    )
    gaps = int(stored != list(range(1, len(stored) + 1)))
    in_store = set(stored)
    lost = sum(1 for seq in ours.acked if seq not in in_store) + ours.missing + gaps
    bare_lost = sum(1 for i in bare.acked if i not in set(bare_rows)) + bare.missing
    label = f"{writers} writers + {ours.consoles} consoles"
    for name, side in ((name, side) for name, side in sides.items() if name != "notify"):
        ctx.figures[f"sites: {name}, append p50 / p99 (ms)"] = (  # type: ignore[assignment]
            f"{median(side.latencies):.2f} / {percentile(side.latencies, 0.99):.2f}"
        )
        ctx.figures[f"sites: {name}, follow p50 / p99 / max (ms)"] = (  # type: ignore[assignment]
            f"{median(side.follow_ms):.1f} / {percentile(side.follow_ms, 0.99):.1f} / "
            f"{max(side.follow_ms):.1f}"
        )
        ctx.figures[f"sites: {name}, events"] = float(len(side.acked))
    ctx.figures["sites: seconds per side"] = seconds
    return [
        # The baseline's followers read "ids past the last one seen", and a bigserial
        # id can commit after a higher one: what they miss is why the store takes
        # its seq under the session row's lock.
        Absolute("sites: lost", label, "bare followers' misses", float(lost),
                 float(bare_lost), "events", 0.0),
        Absolute("sites: follow p99", label, "bare LISTEN + SELECT",
                 percentile(ours.follow_ms, 0.99), percentile(bare.follow_ms, 0.99),
                 "ms", FOLLOW_LIMIT_MS),
        Outcome("sites: append p99", f"append, {label}", "bare psycopg INSERT … COMMIT",
                percentile(ours.latencies, 0.99), percentile(bare.latencies, 0.99), "ms",
                APPEND_LIMIT, samples={"subject": ours.latencies, "baseline": bare.latencies}),
    ]


# ---------------------------------------------------------------- the workers


def _writer(spec: dict[str, Any]) -> None:
    """Appends at a human pace: through the store, or (the baseline) as a bare
    ``INSERT … COMMIT`` that notifies in the same statement."""
    import psycopg

    from tabletop.session.authors import new_recorder
    from tabletop.session.events import payload_of
    from tabletop.session.store import stores
    from tabletop.session.store.location import parse_url

    n = int(spec["n"])
    bare = spec["side"] != "tabletop"
    if bare:
        conn = psycopg.connect(spec["bare"], autocommit=True)
        conn.execute("SET synchronous_commit = on")
        insert = (f"WITH row AS (INSERT INTO {spec['table']} (writer, data) VALUES (%s, %s) "
                  "RETURNING id) SELECT id, pg_notify('bench_bare', id::text) FROM row")
    else:
        store = stores.open_writer(parse_url(spec["url"]),
                                   recorder=new_recorder("controller", f"Site cell {n}"))
    jitter = random.Random(n)
    acks: list[tuple[int, float]] = []
    latencies: list[float] = []
    end = _ready() + spec["seconds"]
    i = 0
    while time.time() < end:
        text = f"site {n} note {i}: the liaison officer reports the crossing is calm"
        began = time.perf_counter()
        if bare:
            seq = conn.execute(insert, (n, text)).fetchone()[0]
        else:
            seq = store.append(payload_of("note_added", {"text": text})).seq
        latencies.append(time.perf_counter() - began)
        acks.append((seq, time.time()))
        i += 1
        time.sleep(jitter.uniform(0.5, 1.5) / spec["rate"])
    (conn if bare else store).close()
    Path(spec["out"]).write_text(json.dumps({"acks": acks, "latencies": latencies}))


def _follower(spec: dict[str, Any]) -> None:
    """A few consoles in one process, one LISTEN connection for all of them; on
    every wake-up each console reads what is new on its own connection."""
    from tabletop.session.store import postgres, stores
    from tabletop.session.store.location import parse_url

    place = parse_url(spec["url"])
    readers = [stores.open_readonly(place) for _ in range(int(spec["consoles"]))]
    last = [0] * len(readers)
    seen: list[list[tuple[int, float]]] = [[] for _ in readers]
    woken = threading.Event()
    follower = postgres.NotifyFollower(place, woken.set)
    follower.start()
    end = _ready() + spec["seconds"]
    while time.time() < end:
        if not woken.wait(0.2):
            continue
        woken.clear()
        for k, reader in enumerate(readers):
            fresh = reader.events(after=last[k])
            at = time.time()
            if fresh:
                last[k] = fresh[-1].seq
                seen[k] += [(e.seq, at) for e in fresh]
    follower.stop()
    for reader in readers:
        reader.close()
    Path(spec["out"]).write_text(json.dumps({"consoles": seen}))


def _bare_follower(spec: dict[str, Any]) -> None:
    """The baseline: the same consoles as bare psycopg, a raw LISTEN and a raw SELECT."""
    import psycopg

    url, table = spec["bare"], spec["table"]
    readers = [psycopg.connect(url, autocommit=True) for _ in range(int(spec["consoles"]))]
    listener = psycopg.connect(url, autocommit=True)
    listener.execute("LISTEN bench_bare")
    last = [0] * len(readers)
    seen: list[list[tuple[int, float]]] = [[] for _ in readers]
    end = _ready() + spec["seconds"]
    while time.time() < end:
        if not any(True for _ in listener.notifies(timeout=0.2, stop_after=1)):
            continue
        for k, reader in enumerate(readers):
            rows = reader.execute(f"SELECT id, data FROM {table} WHERE id > %s ORDER BY id",
                                  (last[k],)).fetchall()
            at = time.time()
            if rows:
                last[k] = rows[-1][0]
                seen[k] += [(row[0], at) for row in rows]
    for conn in (*readers, listener):
        conn.close()
    Path(spec["out"]).write_text(json.dumps({"consoles": seen}))


def _notify_follower(spec: dict[str, Any]) -> None:
    """A figure, not a baseline to beat: the notification alone, one LISTEN
    connection per console and no read at all (what every follower waits for)."""
    import select

    import psycopg

    listeners = [psycopg.connect(spec["bare"], autocommit=True)
                 for _ in range(int(spec["consoles"]))]
    for conn in listeners:
        conn.execute("LISTEN bench_bare")
    seen: list[list[tuple[int, float]]] = [[] for _ in listeners]
    by_fd = {conn.fileno(): k for k, conn in enumerate(listeners)}
    end = _ready() + spec["seconds"]
    while time.time() < end:
        ready, _, _ = select.select(list(by_fd), [], [], 0.2)
        for fd in ready:
            k = by_fd[fd]
            for note in listeners[k].notifies(timeout=0.0):
                seen[k].append((int(note.payload), time.time()))
    for conn in listeners:
        conn.close()
    Path(spec["out"]).write_text(json.dumps({"consoles": seen}))


def _ready() -> float:
    """Say so, wait for the common start time, and wait until it comes."""
    print("ready", flush=True)
    moment = float(sys.stdin.readline())
    pause = moment - time.time()
    if pause > 0:
        time.sleep(pause)
    return moment


if __name__ == "__main__":
    role, raw = sys.argv[1], sys.argv[2]
    workers = {"writer": _writer, "follower": _follower, "bare-follower": _bare_follower,
               "notify-follower": _notify_follower}
    workers[role](json.loads(raw))
