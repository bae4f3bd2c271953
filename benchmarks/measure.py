"""Timing primitives: whole processes, side-by-side alternation, medians."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
LAUNCHER = Path(__file__).resolve().parent / "launch.py"


class BenchError(Exception):
    """A benchmark could not measure (a process failed, an input was wrong)."""


@dataclass(frozen=True)
class ProcessRun:
    seconds: float
    """From launch to exit, as the person at the keyboard waits for it."""
    peak_rss_mb: float
    """The child's own peak resident set size."""


def measured_env() -> dict[str, str]:
    """The environment of measured processes: bytecode caches allowed.

    An installed package runs from cached bytecode (pip compiles it). CI sets
    PYTHONDONTWRITEBYTECODE, which would make an editable tabletop recompile its
    sources on every launch while Textual runs from its caches: unfair to one side.
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def run_process(argv: Sequence[str], *, cwd: Path, label: str) -> ProcessRun:
    """Run one process to completion (through ``launch.py``); BenchError unless it exits 0."""
    with tempfile.TemporaryDirectory() as tmp:
        out, err = Path(tmp) / "stdout", Path(tmp) / "stderr"
        launcher = subprocess.run(
            [sys.executable, str(LAUNCHER), str(out), str(err), *argv],
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
            env=measured_env(),
        )
        if launcher.returncode != 0:
            raise BenchError(f"{label}: the launcher failed: {launcher.stderr.strip()[-300:]}")
        report = json.loads(launcher.stdout)
        if report["code"] != 0:
            tail = err.read_text("utf-8", "replace").strip().splitlines()[-3:]
            raise BenchError(
                f"{label} exited with {report['code']}: {' | '.join(tail) or 'no message'}"
            )
    return ProcessRun(report["seconds"], report["peak_rss_kb"] / 1024)


def python(*args: str) -> list[str]:
    """A command line for this interpreter (the one with tabletop installed)."""
    return [sys.executable, *args]


def side_by_side(
    baseline: Callable[[], list[T]], subject: Callable[[], list[T]], rounds: int
) -> tuple[list[T], list[T]]:
    """Alternate baseline and subject ``rounds`` times; who goes first alternates too.

    Each call returns one block of samples. Interleaving means that machine
    noise (another process, thermal state, page cache) hits both sides alike.
    """
    base: list[T] = []
    subj: list[T] = []
    for n in range(rounds):
        if n % 2 == 0:
            base += baseline()
            subj += subject()
        else:
            subj += subject()
            base += baseline()
    return base, subj


def median(values: Sequence[float]) -> float:
    if not values:
        raise BenchError("no samples were taken")
    return statistics.median(values)


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start
