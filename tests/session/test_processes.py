"""Real processes: kill -9 while writing, a reader in another process, a full disk."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
from children import python
from conftest import Loaded

from tabletop.session.session import Session
from tabletop.session.store.sqlite import Journal

pytestmark = pytest.mark.slow


class Lines:
    """Collects a child's stdout lines on a thread, so the test can wait for them."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        self._thread = threading.Thread(target=self._pump, args=(proc,), daemon=True)
        self._thread.start()

    def _pump(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.endswith("\n"):  # a line cut off by the kill was never acknowledged
                self.lines.append(line.rstrip("\n"))

    def wait_for(self, count: int, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.lines) < count:
            assert time.monotonic() < deadline, f"child printed only {self.lines!r}"
            time.sleep(0.005)

    def finish(self) -> list[str]:
        self._thread.join(timeout=30)
        return self.lines


WRITER = """
    import sys
    from pathlib import Path
    from tabletop.session.session import Session

    session = Session.open(Path(sys.argv[1]))
    n = 0
    while True:
        n += 1
        if n % 7 == 0:
            event = session.toggle_pause()
        else:
            event = session.record("note_added", text=f"{sys.argv[2]}-{n}", team="ops")
        # Printed only after record() returned: the event is acknowledged.
        print(event.seq, event.kind, event.data.get("text", ""), flush=True)
"""


def test_every_acknowledged_event_survives_kill_9(session_path: Path, loaded: Loaded) -> None:
    Session.create(session_path, loaded).close()
    rng = random.Random()
    acked: dict[int, tuple[str, str]] = {}
    for round_ in range(5):
        proc = python(WRITER, str(session_path), f"r{round_}")
        lines = Lines(proc)
        lines.wait_for(1)
        delay = rng.uniform(0.0, 0.3)
        time.sleep(delay)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert proc.returncode == -signal.SIGKILL
        for line in lines.finish():
            seq, kind, text = [*line.split(" ", 2), ""][:3]
            acked[int(seq)] = (kind, text)
        assert acked, f"round {round_}: nothing acknowledged"

    with Session.open_readonly(session_path) as reader:
        stored = {e.seq: (e.kind, e.data.get("text", "")) for e in reader.state.history}
        seqs = [e.seq for e in reader.state.history]
    assert seqs == list(range(1, len(seqs) + 1))  # no gaps, no half-written rows
    missing = {seq: what for seq, what in acked.items() if stored.get(seq) != what}
    assert not missing, f"acknowledged but lost: {missing}"
    # Each round opened the session as a writer: the lock of a killed writer is never stale.
    assert sum(1 for kind, _ in stored.values() if kind == "facilitator_opened") == 6


RECORDER = """
    import sys
    from pathlib import Path
    from tabletop.session.authors import new_recorder
    from tabletop.session.session import Session

    role, name = sys.argv[2], sys.argv[3]
    recorder = new_recorder(role, name, ("ops",) if role == "scribe" else ())
    session = Session.open(Path(sys.argv[1]), recorder=recorder)
    n = 0
    while True:
        n += 1
        text = f"{name}-{n}"
        if role == "evaluator":
            event = session.rate_item("ops", "drill/share", "met", text)
            said = event.data["note"]
        elif role == "scribe":
            event = session.record_decision("ops", text)
            said = event.data["text"]
        else:
            event = session.record("note_added", text=text, team="ops")
            said = event.data["text"]
        print(event.seq, said, flush=True)  # acknowledged: record() returned
"""


def test_several_writers_killed_at_random_lose_no_acknowledged_event(
    session_path: Path, loaded: Loaded
) -> None:
    """Four consoles write flat out; one at a time is killed and another started in
    its place while the rest go on. Every acknowledged event of every writer is
    there afterwards, in one gap-free sequence."""
    Session.create(session_path, loaded).close()
    rng = random.Random()
    seats = [("facilitator", "Col. Vance"), ("evaluator", "K. Oswald"),
             ("evaluator", "J. Mensah"), ("scribe", "P. Ndiaye")]
    running: dict[int, tuple[subprocess.Popen[str], Lines]] = {}
    acked: dict[int, str] = {}

    def start(seat: int, round_: int) -> None:
        role, name = seats[seat]
        proc = python(RECORDER, str(session_path), role, f"{name} r{round_}")
        running[seat] = (proc, Lines(proc))

    def collect(seat: int) -> None:
        _proc, lines = running.pop(seat)
        for line in lines.finish():
            seq, said = line.split(" ", 1)
            assert int(seq) not in acked, f"seq {seq} acknowledged twice"
            acked[int(seq)] = said

    for seat in range(len(seats)):
        start(seat, 0)
    for seat in range(len(seats)):
        running[seat][1].wait_for(1)
    for round_ in range(1, 7):
        seat = rng.randrange(len(seats))
        time.sleep(rng.uniform(0.05, 0.3))
        proc, _ = running[seat]
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        collect(seat)
        start(seat, round_)
        running[seat][1].wait_for(1)
    for seat in list(running):
        os.kill(running[seat][0].pid, signal.SIGKILL)
        running[seat][0].wait()
        collect(seat)

    with Session.open_readonly(session_path) as reader:
        history = reader.state.history
    seqs = [e.seq for e in history]
    assert seqs == list(range(1, len(seqs) + 1))
    stored = {e.seq: e.data.get("text", e.data.get("note", "")) for e in history}
    lost = {seq: said for seq, said in acked.items() if stored.get(seq) != said}
    assert not lost, f"acknowledged but lost: {lost}"
    writers = {e.author.name.rsplit(" r", 1)[0] for e in history if e.author.name}
    assert writers == {name for _, name in seats}
    assert len(acked) > 40


READER = """
    import json, sys, time
    from pathlib import Path
    from tabletop.session.store.errors import SessionLocked
    from tabletop.session.session import Session

    path = Path(sys.argv[1])
    try:
        Session.open(path)
    except SessionLocked as exc:
        print("locked:", exc, flush=True)
    session = Session.open_readonly(path)
    print("ready", flush=True)
    seen = [event.seq for event in session.state.history]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for event in session.refresh():
            seen.append(event.seq)
            if event.kind == "exercise_ended":
                state = session.state
                print(json.dumps({
                    "seqs": seen,
                    "delivered": [s.inject.id for s in state.delivered()],
                    "chosen": state.chosen_option("choice"),
                }), flush=True)
                sys.exit(0)
        time.sleep(0.005)
    sys.exit(3)
"""


def test_reader_process_follows_the_writer_live(session_path: Path, loaded: Loaded) -> None:
    writer = Session.create(session_path, loaded)
    writer.deliver_next()
    proc = python(READER, str(session_path))
    lines = Lines(proc)
    lines.wait_for(2)
    assert lines.lines[0].startswith("locked:")
    assert f"process {os.getpid()}" in lines.lines[0]
    assert lines.lines[1] == "ready"
    writer.deliver_next()
    writer.record_decision("policy", "Escalate", inject="choice", option="escalate")
    writer.deliver_next()
    writer.end_exercise()
    assert proc.wait(timeout=30) == 0, proc.stderr.read() if proc.stderr else ""
    report = json.loads(lines.finish()[-1])
    assert report["seqs"] == list(range(1, writer.state.last_seq + 1))
    assert report["delivered"] == ["intro", "choice", "escalation"]
    assert report["chosen"] == "escalate"
    writer.close()


FILLER = """
    import resource, signal, sys
    from pathlib import Path
    from tabletop.session.store.errors import JournalWriteError
    from tabletop.session.session import Session

    session = Session.open(Path(sys.argv[1]))
    limit = int(sys.argv[2])
    # Every file this process writes may grow to `limit` bytes: the disk is "full".
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    n = 0
    while True:
        n += 1
        try:
            event = session.record("note_added", text=f"{n:05d}" + "x" * 3000)
        except JournalWriteError as exc:
            print("error:", exc, flush=True)
            break
        print(event.seq, flush=True)
    # The session is still usable for reading after the failure.
    print("state:", session.state.last_seq, flush=True)
    session.close()
"""


def test_full_disk_is_reported_and_loses_nothing_acknowledged(
    session_path: Path, loaded: Loaded
) -> None:
    Session.create(session_path, loaded).close()
    limit = session_path.stat().st_size + 256 * 1024
    proc = python(FILLER, str(session_path), str(limit))
    lines = Lines(proc)
    assert proc.wait(timeout=60) == 0, proc.stderr.read() if proc.stderr else ""
    out = lines.finish()
    errors = [line for line in out if line.startswith("error:")]
    assert len(errors) == 1, out[-5:]
    assert "could not save" in errors[0] and "nothing was recorded" in errors[0]
    acked = [int(line) for line in out if line.isdigit()]
    assert len(acked) > 10
    assert out[-1] == f"state: {acked[-1]}"
    with Journal.open_readonly(session_path) as reader:
        events = reader.events()
    assert [e.seq for e in events] == list(range(1, acked[-1] + 1))
    assert all(len(e.data["text"]) == 3005 for e in events if e.kind == "note_added")
