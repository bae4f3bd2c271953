"""What every budget shares: the sizes of this run and its generated inputs."""

from __future__ import annotations

import fcntl
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import generate
import long_session
from measure import BenchError

from tabletop.authoring.loading import LoadedScenario, load_scenario


@dataclass(frozen=True)
class Sizes:
    corpus: int
    """Files in the validation corpus; the growth check also runs a tenth of it."""
    big_injects: int
    big_phases: int
    teams: int
    small_injects: int
    decisions: int
    """Decisions in the report session; the growth check also runs a tenth of it."""
    process_rounds: int
    """Alternations for budgets that launch whole processes."""
    memory_rounds: int
    validation_rounds: int
    step_rounds: int
    steps_per_round: int
    write_rounds: int
    writes_per_round: int
    report_rounds: int
    record_events: tuple[int, ...]
    """Sizes of the long-record sessions (each against one of 10 events)."""
    recorder_writers: tuple[int, ...]
    """Writer processes appending to one session at once (latencies judged at 16)."""
    recorder_followers: int
    """Follower processes beside them, per side (tabletop and bare sqlite3)."""
    recorder_rounds: int
    recorder_human_seconds: float
    """Length of one block of appends at a human pace, per side and round."""
    recorder_flat_seconds: float
    """Length of one block of appends flat out, per side and round."""
    idle_follow_rounds: int
    idle_follow_seconds: float
    """Length of one block of the idle follower's CPU measure, per side and round."""


FULL = Sizes(
    corpus=1000,
    big_injects=5000,
    big_phases=50,
    teams=20,
    small_injects=20,
    decisions=10_000,
    process_rounds=7,
    memory_rounds=5,
    validation_rounds=3,
    step_rounds=4,
    steps_per_round=15,
    write_rounds=10,
    writes_per_round=30,
    report_rounds=5,
    record_events=(1_000, 10_000, 100_000),
    recorder_writers=(1, 4, 16, 64),
    recorder_followers=2,
    recorder_rounds=3,
    recorder_human_seconds=5.0,
    recorder_flat_seconds=3.0,
    idle_follow_rounds=3,
    idle_follow_seconds=1.0,
)
QUICK = Sizes(
    corpus=100,
    big_injects=1000,
    big_phases=10,
    teams=20,
    small_injects=20,
    decisions=2000,
    process_rounds=3,
    memory_rounds=3,
    validation_rounds=2,
    step_rounds=3,
    steps_per_round=10,
    write_rounds=4,
    writes_per_round=15,
    report_rounds=3,
    record_events=(2_000,),
    recorder_writers=(1, 4, 16),
    recorder_followers=2,
    recorder_rounds=1,
    recorder_human_seconds=2.5,
    recorder_flat_seconds=1.0,
    idle_follow_rounds=2,
    idle_follow_seconds=0.75,
)


@dataclass
class Context:
    sizes: Sizes
    work: Path
    figures: dict[str, float] = field(default_factory=dict)
    """Informative numbers that are not budgets (input sizes, generation times)."""
    _loaded: dict[str, LoadedScenario] = field(default_factory=dict)
    _lock: IO[str] | None = None

    @classmethod
    def fresh(cls, sizes: Sizes, work: Path) -> Context:
        """Wipe and claim ``work``; a second run on the same folder would wipe it mid-run."""
        lock = _claim(work)
        if work.exists():
            shutil.rmtree(work)
        work.mkdir(parents=True)
        return cls(sizes, work, _lock=lock)

    def folder(self, name: str) -> Path:
        path = self.work / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    def corpus(self, count: int) -> Path:
        """A folder of ``count`` realistic exercises (its workspace has no library of its own)."""
        folder = self.work / f"corpus-{count}" / "exercises"
        if not folder.is_dir():
            start = time.perf_counter()
            generate.write_corpus(folder.parent, count)
            self.figures[f"generate corpus of {count} files (s)"] = time.perf_counter() - start
            size = sum(p.stat().st_size for p in folder.iterdir())
            self.figures[f"corpus of {count} files (MB)"] = size / 1e6
        return folder

    def big_scenario(self) -> Path:
        s = self.sizes
        return self._scenario("big", generate.large_shape(s.big_injects, s.big_phases, s.teams))

    def small_scenario(self) -> Path:
        """The step-latency baseline: same teams as the big one, a short timeline."""
        s = self.sizes
        return self._scenario("small", generate.large_shape(s.small_injects, 2, s.teams))

    def report_scenario(self) -> Path:
        return self._scenario("report", generate.Shape(phases=5, injects=40, teams=8))

    def _scenario(self, name: str, shape: generate.Shape) -> Path:
        path = self.work / name / "exercises" / f"{name}.yaml"
        if not path.exists():
            generate.write_scenario(path.parent.parent, name, shape)
            self.figures[f"{name} scenario: injects"] = shape.injects
            self.figures[f"{name} scenario file (MB)"] = path.stat().st_size / 1e6
        return path

    def loaded(self, path: Path) -> LoadedScenario:
        key = str(path)
        if key not in self._loaded:
            self._loaded[key] = load_scenario(path)
        return self._loaded[key]

    def session(self, decisions: int) -> Path:
        """A closed session file of the report scenario with ``decisions`` decisions."""
        path = self.work / "sessions" / f"decisions-{decisions}.db"
        if not path.exists():
            start = time.perf_counter()
            path.parent.mkdir(parents=True, exist_ok=True)
            long_session.write_session(path, self.loaded(self.report_scenario()), decisions)
            self.figures[f"generate session of {decisions} decisions (s)"] = (
                time.perf_counter() - start
            )
        return path


def _claim(work: Path) -> IO[str]:
    """An exclusive lock on ``work``, held until this process exits."""
    work.parent.mkdir(parents=True, exist_ok=True)
    handle = (work.parent / f".{work.name}.lock").open("a+", encoding="utf-8")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise BenchError(
            f"another benchmark run is using {work}; wait for it to finish "
            "(two runs at once also skew each other's timings) or pass --work DIR"
        ) from None
    return handle
