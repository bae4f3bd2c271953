"""Several recorders: N writer processes append to one session while others follow it.

Writers (scribes recording decisions, evaluators rating items, alternately)
append through ``Session.record`` at a human pace (3 events a second each,
jittered) and flat out. Follower processes open the session read-only and
follow it as the console does: a :class:`~tabletop.session.follow.Follower`
polls the change counter every 30 ms and ``Session.refresh`` applies what came.

The baseline is bare ``sqlite3`` doing the same appends side by side: the same
processes, the same folder, the same schedule of appends (one seeded jitter per
writer, round and pace), into durable.py's ``BareTable`` (WAL,
``synchronous=FULL``, one transaction per row). Its followers poll
``PRAGMA data_version`` every 10 ms, then select the rows past the last seen.
Blocks of the two sides alternate, each going first in turn.

Judged, as PASS/FAIL lines:

* every acknowledged append is in the session afterwards, under its writer's
  console, and the seqs run from 1 to the last without a gap (all sizes);
* no "database is locked" (SQLITE_BUSY) reaches a writer, nor any other error;
* p99 append latency at 16 writers, human pace: at most 3× bare sqlite3;
* p99 follow latency at 16 writers, human pace (the writer's acknowledgement
  to a follower having the event applied): at most 100 ms, absolute;
* an idle Follower thread costs under 2% of a core.

The other sizes and the flat-out runs are figures, printed under the table.

The workers are this module run as ``python -m budgets.recorders``; each is
told its part of a run on stdin, one JSON line at a time, and says ``ready``
and ``done`` on stdout. A pool of them is kept across the sizes.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import random
import select
import sqlite3
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from context import Context, Sizes
from measure import BenchError, measured_env, median, python
from results import Outcome

from budgets.durable import TEXT, BareTable
from tabletop.authoring.loading import LoadedScenario
from tabletop.core.bundled import bundled_dir

EXERCISE = bundled_dir() / "exercises" / "cyber-incident.yaml"
JUDGED_AT = 16
"""The number of writers the latency budgets are judged at."""
APPEND_LIMIT = 3.0
FOLLOW_LIMIT_MS = 100.0
IDLE_LIMIT_PERCENT = 2.0
RATE = 3.0
"""Appends a second per writer at a human pace (each gap jittered ±50%)."""
BARE_POLL = 0.01
"""Seconds between the bare follower's looks at ``PRAGMA data_version``."""
GAP = 0.5
"""Seconds between two blocks: the followers catch up before the next starts."""
SIDES = ("bare", "tabletop")
PACES = ("human", "flat")
PACE_NAMES = {"human": f"human pace ({RATE:g}/s each)", "flat": "flat out"}
BENCHMARKS = Path(__file__).resolve().parents[1]


# ---------------------------------------------------------------- outcomes


@dataclass
class Absolute(Outcome):
    """Judged on the subject's figure alone; the baseline's is shown beside it."""

    kind: str = "absolute"  # type: ignore[assignment]

    @property
    def measured(self) -> float:
        return self.subject_value

    def line(self) -> str:
        verdict = "PASS" if self.passed else "FAIL"
        return (
            f"{verdict}  {self.budget:<18} {_shown(self.subject_value, self.unit):>11} "
            f"vs {_shown(self.baseline_value, self.unit):>11}  "
            f"{_shown(self.measured, self.unit):>9}  (limit {self.limit:g} {self.unit}, absolute)"
        )


def _shown(value: float, unit: str) -> str:
    if unit in ("events", "errors"):
        return f"{value:.0f} {unit}"
    if unit == "%":
        return f"{value:.2f} %"
    return f"{value:.1f} {unit}"


def _writers(count: int) -> str:
    return f"{count} writer" + ("" if count == 1 else "s")


def percentile(values: list[float], q: float) -> float:
    """The nearest-rank percentile (``q`` from 0 to 1)."""
    if not values:
        raise BenchError("no samples were taken")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


# ---------------------------------------------------------------- the parent


@dataclass
class Tally:
    """One side at one pace at one size, over all its blocks."""

    latencies: list[float] = field(default_factory=list)
    """Seconds of each acknowledged append."""
    follow: list[float] = field(default_factory=list)
    """Seconds from a writer's acknowledgement to a follower having the event."""
    from_received: list[float] = field(default_factory=list)
    """Tabletop: from the store's receive time to a follower having the event."""
    events: int = 0
    stale: int = 0
    """Tabletop appends that found another console's events first (caught up, retried)."""
    seconds: float = 0.0
    unseen: int = 0
    """Acknowledged events a follower never had (counted as infinitely late)."""

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


@dataclass
class Run:
    writers: int
    tallies: dict[tuple[str, str], Tally]
    lost: dict[str, int]
    busy: dict[str, int]
    other: dict[str, int]
    messages: list[str]
    """The first few errors that reached a writer or a follower."""
    gaps: int
    unacknowledged: int
    """Events in the session from a writer that never had them acknowledged."""


def measure(ctx: Context) -> list[Outcome]:
    s = ctx.sizes
    loaded = ctx.loaded(EXERCISE)
    folder = ctx.folder("recorders")
    runs: dict[int, Run] = {}
    with Pool(folder) as pool:
        for writers in s.recorder_writers:
            started = time.perf_counter()
            runs[writers] = _run(ctx, pool, loaded, writers)
            ctx.figures[f"recorders: run with {_writers(writers)} (s)"] = (
                time.perf_counter() - started
            )
        idle = _idle(ctx, pool, loaded)
    for run in runs.values():
        for pace in PACES:  # one line of text per size and pace (the table prints it as is)
            ctx.figures[f"recorders: {_writers(run.writers)}, {PACE_NAMES[pace]}"] = _summary(
                run, pace
            )  # type: ignore[assignment]
    return [*_judged(runs), idle]


def _run(ctx: Context, pool: Pool, loaded: LoadedScenario, writers: int) -> Run:
    """One size: the facilitator's console holds the session open throughout, as in
    play (so the file is in WAL mode before anyone joins); it records nothing more."""
    from tabletop.session.session import Session

    folder = ctx.folder(f"recorders/{writers}-writers")
    paths = {"tabletop": folder / "session.db", "bare": folder / "bare.db"}
    with Session.create(paths["tabletop"], loaded):
        BareTable(paths["bare"]).conn.close()
        return _play(ctx, pool, writers, folder, paths)


def _play(
    ctx: Context, pool: Pool, writers: int, folder: Path, paths: dict[str, Path]
) -> Run:
    s = ctx.sizes
    followers = [side for side in SIDES for _ in range(s.recorder_followers)]
    workers = pool.take(writers + len(followers))
    results = {name: folder / f"{name}.json" for name in
               [f"writer-{i}" for i in range(writers)] +
               [f"follower-{side}-{j}" for j, side in enumerate(followers)]}
    common = {"tabletop": str(paths["tabletop"]), "bare": str(paths["bare"])}
    for i, worker in enumerate(workers[:writers]):
        worker.send(cmd="write", index=i, result=str(results[f"writer-{i}"]), **common)
    for j, (worker, side) in enumerate(zip(workers[writers:], followers, strict=True)):
        worker.send(cmd="follow", side=side, result=str(results[f"follower-{side}-{j}"]),
                    **common)
    ready_by = time.monotonic() + 60 + writers
    for worker in workers:
        worker.expect("ready", ready_by)
    blocks = _blocks(s, time.time() + 0.5)
    for worker in workers[:writers]:
        worker.send(cmd="go", blocks=blocks, rate=RATE)
    done_by = time.monotonic() + (blocks[-1]["end"] - time.time()) + 120
    for worker in workers[:writers]:
        worker.expect("done", done_by)
    last = {side: _max_seq(paths[side]) for side in SIDES}
    for worker, side in zip(workers[writers:], followers, strict=True):
        worker.send(cmd="stop", until=last[side])
    for worker in workers[writers:]:
        worker.expect("done", time.monotonic() + 60)
    written = [_read(results[f"writer-{i}"]) for i in range(writers)]
    followed = [(side, _read(results[f"follower-{side}-{j}"]))
                for j, side in enumerate(followers)]
    return _tally(writers, blocks, written, followed, paths)


def _blocks(s: Sizes, start: float) -> list[dict[str, Any]]:
    """The run's schedule: per round and pace, one block of each side, each first in turn."""
    blocks: list[dict[str, Any]] = []
    at = start
    for round_ in range(s.recorder_rounds):
        for p, pace in enumerate(PACES):
            seconds = s.recorder_human_seconds if pace == "human" else s.recorder_flat_seconds
            order = SIDES if (round_ + p) % 2 == 0 else SIDES[::-1]
            for side in order:
                blocks.append({"id": len(blocks), "side": side, "pace": pace,
                               "round": round_, "start": at, "end": at + seconds})
                at += seconds + GAP
    return blocks


def _read(path: Path) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise BenchError(f"{path.name}: no readable result ({exc})") from exc
    return data


def _max_seq(path: Path) -> int:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return int(conn.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()[0])
    finally:
        conn.close()


def _stored(path: Path, columns: str) -> dict[int, Any]:
    """seq -> the row's other column, read with plain sqlite3 (not through tabletop)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return dict(conn.execute(f"SELECT {columns} FROM events").fetchall())
    finally:
        conn.close()


def _tally(
    writers: int,
    blocks: list[dict[str, Any]],
    written: list[dict[str, Any]],
    followed: list[tuple[str, dict[str, Any]]],
    paths: dict[str, Path],
) -> Run:
    from tabletop.session.session import Session

    tallies = {(side, pace): Tally() for side in SIDES for pace in PACES}
    for planned in blocks:
        tallies[planned["side"], planned["pace"]].seconds += planned["end"] - planned["start"]
    pace_of: dict[int, str] = {planned["id"]: planned["pace"] for planned in blocks}
    lost = dict.fromkeys(SIDES, 0)
    busy = dict.fromkeys(SIDES, 0)
    other = dict.fromkeys(SIDES, 0)
    messages: list[str] = []
    acked: dict[str, dict[int, tuple[float, int]]] = {side: {} for side in SIDES}
    """side -> seq -> (acknowledged at, block)."""
    stored = {"tabletop": _stored(paths["tabletop"], "seq, console"),
              "bare": _stored(paths["bare"], "seq, kind")}
    consoles = set()
    for result in written:
        consoles.add(result["console"])
        for side in SIDES:
            for block, seq, ack, latency, stale in result["acks"][side]:
                duplicate = seq in acked[side]
                acked[side][seq] = (ack, block)
                here = seq in stored[side] and (
                    side == "bare" or stored[side][seq] == result["console"])
                if duplicate or not here:
                    lost[side] += 1
                if block < 0:
                    continue  # a warm-up append: checked, not timed
                tally = tallies[side, pace_of[block]]
                tally.latencies.append(latency)
                tally.events += 1
                tally.stale += stale
            for _block, kind, message in result["errors"][side]:
                (busy if kind == "busy" else other)[side] += 1
                if len(messages) < 5:
                    messages.append(f"{side} writer: {message}")
    for side, result in followed:
        for message in result["errors"]:
            other[side] += 1
            if len(messages) < 5:
                messages.append(f"{side} follower: {message}")
        had = set()
        for seq, seen, received in result["seen"]:
            had.add(seq)
            if seq not in acked[side]:
                continue  # the facilitator's opening, or an append that was not acknowledged
            ack, block = acked[side][seq]
            if block < 0:
                continue
            tally = tallies[side, pace_of[block]]
            tally.follow.append(seen - ack)
            if received is not None:
                tally.from_received.append(seen - received)
        for seq, (_ack, block) in acked[side].items():
            if block >= 0 and seq not in had:
                tallies[side, pace_of[block]].unseen += 1
                tallies[side, pace_of[block]].follow.append(math.inf)
    top = max(stored["tabletop"], default=0)
    gaps = top - len(stored["tabletop"])
    lost["tabletop"] += gaps
    # The whole log replays through tabletop's own checks (a gap raises).
    with Session.open_readonly(paths["tabletop"]) as session:
        if session.state.last_seq != top:
            raise BenchError(f"the session replays to {session.state.last_seq}, not {top}")
    unacknowledged = sum(
        1 for seq, console in stored["tabletop"].items()
        if console in consoles and seq not in acked["tabletop"]
    )
    return Run(writers, tallies, lost, busy, other, messages, gaps, unacknowledged)


def _summary(run: Run, pace: str) -> str:
    def side(name: str, label: str) -> str:
        t = run.tallies[name, pace]
        text = (f"{label} {t.rate:.0f} events/s, append p50 {median(t.latencies) * 1e3:.2f} ms "
                f"p99 {percentile(t.latencies, 0.99) * 1e3:.2f} ms, "
                f"follow p99 {percentile(t.follow, 0.99) * 1e3:.1f} ms")
        if name == "tabletop":
            text += f" ({percentile(t.from_received, 0.99) * 1e3:.1f} ms from receipt)"
            text += f", {100 * t.stale / max(t.events, 1):.0f}% caught up first"
        if t.unseen:
            text += f", {t.unseen} never followed"
        return text

    return f"{side('tabletop', 'tabletop')} | {side('bare', 'bare sqlite3')}"


def _judged(runs: dict[int, Run]) -> list[Outcome]:
    every = list(runs.values())
    per_size = ", ".join(
        f"{_writers(r.writers)}: tabletop {r.lost['tabletop']}, bare {r.lost['bare']}"
        for r in every
    )
    counts = [
        Absolute(
            budget="recorders-lost",
            subject="acknowledged appends missing from the session, or a seq gap (all sizes)",
            baseline="acknowledged bare sqlite3 rows missing from its table",
            subject_value=sum(r.lost["tabletop"] for r in every),
            baseline_value=sum(r.lost["bare"] for r in every),
            unit="events",
            limit=0,
            notes=[per_size,
                   *(f"{_writers(r.writers)}: {r.gaps} seqs missing from the session"
                     for r in every if r.gaps),
                   *(f"{_writers(r.writers)}: {r.unacknowledged} events recorded but not "
                     "acknowledged (an error after the commit)" for r in every
                     if r.unacknowledged)],
        ),
        Absolute(
            budget="recorders-busy",
            subject="'database is locked' (SQLITE_BUSY) reaching a tabletop writer (all sizes)",
            baseline="the same reaching a bare sqlite3 writer (busy timeout 5 s)",
            subject_value=sum(r.busy["tabletop"] for r in every),
            baseline_value=sum(r.busy["bare"] for r in every),
            unit="errors",
            limit=0,
            notes=[", ".join(f"{_writers(r.writers)}: tabletop {r.busy['tabletop']}, "
                             f"bare {r.busy['bare']}" for r in every),
                   *(m for r in every for m in r.messages)],
        ),
        Absolute(
            budget="recorders-errors",
            subject="any other error reaching a tabletop writer or follower (all sizes)",
            baseline="the same for bare sqlite3",
            subject_value=sum(r.other["tabletop"] for r in every),
            baseline_value=sum(r.other["bare"] for r in every),
            unit="errors",
            limit=0,
            notes=[m for r in every for m in r.messages],
        ),
    ]
    n = JUDGED_AT if JUDGED_AT in runs else max(runs)
    run = runs[n]
    human = {side: run.tallies[side, "human"] for side in SIDES}
    flat = {side: run.tallies[side, "flat"] for side in SIDES}
    notes = [_summary(r, pace) for r in every for pace in PACES]
    append = Outcome(
        budget=f"append-p99-{n}",
        subject=f"p99 of Session.record by {n} writer processes on one session, "
                f"{PACE_NAMES['human']}",
        baseline="p99 of a bare sqlite3 INSERT + COMMIT by as many processes, WAL, "
                 "synchronous=FULL, same folder",
        subject_value=percentile(human["tabletop"].latencies, 0.99),
        baseline_value=percentile(human["bare"].latencies, 0.99),
        unit="s",
        limit=APPEND_LIMIT,
        samples={"subject": human["tabletop"].latencies, "baseline": human["bare"].latencies},
        notes=[f"flat out: p99 {percentile(flat['tabletop'].latencies, 0.99) * 1e3:.2f} ms vs "
               f"{percentile(flat['bare'].latencies, 0.99) * 1e3:.2f} ms", *notes],
    )
    follow = Absolute(
        budget=f"follow-p99-{n}",
        subject=f"p99 from a writer's acknowledgement to a follower (Follower every 30 ms, "
                f"Session.refresh) having the event, {n} writers, human pace",
        baseline="the same for a bare sqlite3 follower (data_version every 10 ms, then SELECT)",
        subject_value=percentile(human["tabletop"].follow, 0.99) * 1e3,
        baseline_value=percentile(human["bare"].follow, 0.99) * 1e3,
        unit="ms",
        limit=FOLLOW_LIMIT_MS,
        samples={side: [x * 1e3 for x in human[name].follow if math.isfinite(x)]
                 for side, name in (("subject", "tabletop"), ("baseline", "bare"))},
        notes=[f"flat out: p99 {percentile(flat['tabletop'].follow, 0.99) * 1e3:.1f} ms vs "
               f"{percentile(flat['bare'].follow, 0.99) * 1e3:.1f} ms",
               f"from the store's receipt, human pace: p99 "
               f"{percentile(human['tabletop'].from_received, 0.99) * 1e3:.1f} ms"],
    )
    return [*counts, append, follow]


def _idle(ctx: Context, pool: Pool, loaded: LoadedScenario) -> Outcome:
    """One Follower on a session nobody writes to (held open by a facilitator, so in
    WAL mode as in play), against a bare data_version poller on an idle table."""
    from tabletop.session.session import Session

    s = ctx.sizes
    folder = ctx.folder("recorders/idle")
    path, bare_path, result = folder / "session.db", folder / "bare.db", folder / "idle.json"
    (worker,) = pool.take(1)
    with Session.create(path, loaded):
        bare = BareTable(bare_path)
        try:
            worker.send(cmd="idle", tabletop=str(path), bare=str(bare_path), result=str(result),
                        rounds=s.idle_follow_rounds, seconds=s.idle_follow_seconds)
            worker.expect("ready", time.monotonic() + 60)
            budget = 2 * s.idle_follow_rounds * (s.idle_follow_seconds + 1)
            worker.expect("done", time.monotonic() + budget + 60)
        finally:
            bare.conn.close()
    shares = _read(result)["shares"]
    return Absolute(
        budget="follow-idle-cpu",
        subject="CPU of one idle Follower thread (change counter every 30 ms), % of a core",
        baseline="a bare sqlite3 data_version poller every 10 ms",
        subject_value=median(shares["tabletop"]),
        baseline_value=median(shares["bare"]),
        unit="%",
        limit=IDLE_LIMIT_PERCENT,
        samples={"subject": shares["tabletop"], "baseline": shares["bare"]},
    )


class Worker:
    """One process of this module, told what to do one JSON line at a time."""

    def __init__(self, name: str, folder: Path) -> None:
        self.name = name
        self.stderr_path = folder / f"{name}.stderr"
        self._stderr = self.stderr_path.open("wb")
        self._buffer = b""
        self.proc = subprocess.Popen(
            python("-m", "budgets.recorders"),
            cwd=BENCHMARKS,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            bufsize=0,
            env=measured_env(),
        )

    def send(self, **message: Any) -> None:
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write((json.dumps(message) + "\n").encode())
        except BrokenPipeError:
            raise BenchError(f"{self.name} exited: {self._tail()}") from None

    def expect(self, word: str, deadline: float) -> None:
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise BenchError(f"{self.name} did not say '{word}' in time: {self._tail()}")
            readable, _, _ = select.select([fd], [], [], remaining)
            if readable:
                chunk = os.read(fd, 4096)
                if not chunk:
                    raise BenchError(f"{self.name} exited: {self._tail()}")
                self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        if line.decode(errors="replace").strip() != word:
            raise BenchError(f"{self.name} said {line[:200]!r}, not '{word}': {self._tail()}")

    def _tail(self) -> str:
        self._stderr.flush()
        lines = self.stderr_path.read_text("utf-8", "replace").strip().splitlines()[-3:]
        return " | ".join(lines) or "no message"

    def close(self) -> None:
        if self.proc.stdin is not None:
            with contextlib.suppress(OSError):
                self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self._stderr.close()


class Pool:
    """Worker processes kept across the sizes, grown as a size needs more."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.workers: list[Worker] = []

    def take(self, count: int) -> list[Worker]:
        while len(self.workers) < count:
            self.workers.append(Worker(f"worker-{len(self.workers)}", self.folder))
        return self.workers[:count]

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, *exc: object) -> None:
        for worker in self.workers:
            worker.close()


# ---------------------------------------------------------------- the workers


def _say(word: str) -> None:
    sys.stdout.write(word + "\n")
    sys.stdout.flush()


def _next(stdin: IO[str]) -> dict[str, Any]:
    line = stdin.readline()
    if not line:
        raise SystemExit(0)
    message: dict[str, Any] = json.loads(line)
    return message


def _classify(exc: BaseException) -> str:
    """'busy' for SQLite's "database is locked" however it is wrapped, else 'other'."""
    text = " ".join(f"{type(e).__name__} {e} {getattr(e, 'sqlite_errorname', '')}"
                    for e in (exc, exc.__cause__, exc.__context__) if e is not None).lower()
    return "busy" if "locked" in text or "busy" in text else "other"


def _write(job: dict[str, Any], stdin: IO[str]) -> None:
    from tabletop.session.authors import new_recorder
    from tabletop.session.session import Session

    index = job["index"]
    path = Path(job["tabletop"])
    probe = Session.open_readonly(path)
    teams = [team.id for team in probe.scenario.teams]
    items = sorted(probe.scenario.item_by_ref)
    probe.close()
    scribe = index % 2 == 0
    team = teams[(index // 2) % len(teams)]
    if scribe:
        recorder = new_recorder("scribe", f"Scribe {index}", teams=(team,))
    else:
        recorder = new_recorder("evaluator", f"Evaluator {index}")
    session = Session.open(path, recorder=recorder)
    bare = BareTable(Path(job["bare"]))
    made = [0]

    def target() -> tuple[str, str]:
        made[0] += 1
        k = made[0]
        if scribe:
            return team, items[(index * 7 + k) % len(items)]
        return teams[(index // 2 + k) % len(teams)], items[(index * 7 + k) % len(items)]

    def tabletop() -> tuple[int, bool]:
        which, item = target()
        before = session.state.last_seq
        if scribe:
            event = session.record_decision(which, TEXT)
        else:
            event = session.rate_item(which, item, "met", "")
        return event.seq, event.seq != before + 1

    def plain() -> tuple[int, bool]:
        bare.insert(*target())
        return int(bare.conn.execute("SELECT last_insert_rowid()").fetchone()[0]), False

    appends: dict[str, Callable[[], tuple[int, bool]]] = {"tabletop": tabletop, "bare": plain}
    acks: dict[str, list[list[Any]]] = {side: [] for side in SIDES}
    errors: dict[str, list[list[Any]]] = {side: [] for side in SIDES}

    def once(side: str, block: int) -> None:
        start = time.perf_counter()
        try:
            seq, stale = appends[side]()
        except Exception as exc:
            errors[side].append([block, _classify(exc), f"{type(exc).__name__}: {exc}"[:300]])
            time.sleep(0.01)
            return
        latency = time.perf_counter() - start
        acks[side].append([block, seq, time.time(), latency, int(stale)])

    try:
        for side in SIDES:
            once(side, -1)  # warm-up: first statements, first check of the kind
        _say("ready")
        go = _next(stdin)
        for block in go["blocks"]:
            side, end = block["side"], block["end"]
            _sleep_until(block["start"])
            if block["pace"] == "flat":
                while time.time() < end:
                    once(side, block["id"])
                continue
            rng = random.Random(f"{index}/{block['round']}/{block['pace']}")
            due = block["start"] + rng.uniform(0, 1 / go["rate"])
            while due < end:
                _sleep_until(due)
                once(side, block["id"])
                due += rng.uniform(0.5, 1.5) / go["rate"]
    finally:
        session.close()
        bare.conn.close()
    result = {"console": recorder.author.console, "acks": acks, "errors": errors}
    Path(job["result"]).write_text(json.dumps(result), encoding="utf-8")
    _say("done")


def _sleep_until(moment: float) -> None:
    delay = moment - time.time()
    if delay > 0:
        time.sleep(delay)


class _TabletopFollower:
    """What the console does: a Follower thread wakes it, and it refreshes."""

    def __init__(self, path: Path) -> None:
        from tabletop.session.follow import Follower
        from tabletop.session.session import Session

        self.session = Session.open_readonly(path)
        self.seen: list[list[Any]] = []
        self.errors: list[str] = []
        self._woke = threading.Event()
        self._stopping = False
        self._follower = Follower(self.session.store.change_counter, self._woke.set)
        self._thread = threading.Thread(target=self._refresh, daemon=True)

    @property
    def last(self) -> int:
        return self.session.state.last_seq

    def start(self) -> None:
        self._thread.start()
        self._follower.start()

    def _refresh(self) -> None:
        while True:
            self._woke.wait()
            self._woke.clear()
            if self._stopping:
                return
            try:
                fresh = self.session.refresh()
            except Exception as exc:
                self.errors.append(f"{type(exc).__name__}: {exc}"[:300])
                return
            now = time.time()
            self.seen += [[e.seq, now, e.received] for e in fresh]

    def stop(self) -> None:
        self._follower.stop()
        self._stopping = True
        self._woke.set()
        self._thread.join(timeout=10)
        self.session.close()


class _BareFollower:
    """The baseline: ``PRAGMA data_version`` every 10 ms, then the rows past the last."""

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.last = int(self.conn.execute("SELECT coalesce(max(seq), 0) FROM events")
                        .fetchone()[0])
        self.seen: list[list[Any]] = []
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        version = None
        while not self._stop.wait(BARE_POLL):
            try:
                now_version = self.conn.execute("PRAGMA data_version").fetchone()[0]
                if now_version == version:
                    continue
                version = now_version
                rows = self.conn.execute(
                    "SELECT seq, kind, wall, data FROM events WHERE seq > ? ORDER BY seq",
                    (self.last,),
                ).fetchall()
            except sqlite3.Error as exc:
                self.errors.append(f"{type(exc).__name__}: {exc}"[:300])
                return
            now = time.time()
            if rows:
                self.last = rows[-1][0]
                self.seen += [[row[0], now, None] for row in rows]

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        self.conn.close()


def _follow(job: dict[str, Any], stdin: IO[str]) -> None:
    path = Path(job[job["side"]])
    follower = _TabletopFollower(path) if job["side"] == "tabletop" else _BareFollower(path)
    follower.start()
    _say("ready")
    until = _next(stdin)["until"]
    deadline = time.monotonic() + 30
    while follower.last < until and not follower.errors and time.monotonic() < deadline:
        time.sleep(0.01)
    follower.stop()
    result = {"seen": follower.seen, "errors": follower.errors}
    Path(job["result"]).write_text(json.dumps(result), encoding="utf-8")
    _say("done")


def _idle_cpu(job: dict[str, Any], stdin: IO[str]) -> None:
    """CPU share of each side's follower alone in this process, blocks alternating."""
    from tabletop.session.follow import Follower
    from tabletop.session.session import Session

    session = Session.open_readonly(Path(job["tabletop"]))
    woke = threading.Event()

    def tabletop() -> Callable[[], None]:
        follower = Follower(session.store.change_counter, woke.set)
        follower.start()
        return follower.stop

    def bare() -> Callable[[], None]:
        follower = _BareFollower(Path(job["bare"]))
        follower.start()
        return follower.stop

    starts = {"tabletop": tabletop, "bare": bare}
    shares: dict[str, list[float]] = {side: [] for side in SIDES}
    _say("ready")
    for round_ in range(job["rounds"]):
        for side in SIDES if round_ % 2 == 0 else SIDES[::-1]:
            stop = starts[side]()
            time.sleep(0.1)  # past the thread's start and its first look
            cpu, wall = time.process_time(), time.perf_counter()
            time.sleep(job["seconds"])
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            stop()
            shares[side].append(100 * cpu / wall)
    session.close()
    Path(job["result"]).write_text(json.dumps({"shares": shares}), encoding="utf-8")
    _say("done")


JOBS = {"write": _write, "follow": _follow, "idle": _idle_cpu}


def worker_main() -> int:
    stdin = sys.stdin
    while True:
        job = _next(stdin)
        try:
            JOBS[job["cmd"]](job, stdin)
        except SystemExit:
            raise
        except BaseException:
            traceback.print_exc()
            _say("failed")
            return 1


if __name__ == "__main__":
    sys.exit(worker_main())
