"""Memory: peak RSS of the console with the big scenario loaded vs the bare Textual app.

Each side is a whole process (``--headless-smoke``, exits when ready); the
figure is that child's own peak RSS as the kernel reports it (``wait4``).
Two ways of loading the console are measured against the same baseline runs:
resuming an existing session file, and starting a new one.
"""

from __future__ import annotations

from itertools import count
from pathlib import Path

from context import Context
from measure import median, python, run_process
from results import Outcome

from budgets.startup import BARE_APP

LIMIT_MB = 60.0


def measure(ctx: Context) -> list[Outcome]:
    cwd = ctx.folder("memory")
    injects = ctx.sizes.big_injects
    scenario = ctx.big_scenario()
    numbers = count(1)

    def console(session: Path, what: str, times: list[float]) -> float:
        argv = python(
            "-m", "tabletop", "run", str(scenario), "--session", str(session), "--headless-smoke"
        )
        run = run_process(argv, cwd=cwd, label=f"tabletop run, {injects} injects, {what}")
        times.append(run.seconds)
        return run.peak_rss_mb

    resumed = cwd / "resumed.db"
    console(resumed, "creating the session to resume", [])
    bare: list[float] = []
    resume: list[float] = []
    fresh: list[float] = []
    resume_t: list[float] = []
    fresh_t: list[float] = []

    def run_bare() -> None:
        bare.append(run_process(python(str(BARE_APP)), cwd=cwd, label="bare app").peak_rss_mb)

    def run_resume() -> None:
        resume.append(console(resumed, "resuming", resume_t))

    def run_fresh() -> None:
        fresh.append(console(cwd / f"new-{next(numbers)}.db", "new session", fresh_t))

    runs = [run_bare, run_resume, run_fresh]
    for n in range(ctx.sizes.memory_rounds):
        # Three-way alternation: each side takes every position in turn.
        for run in runs[n % 3 :] + runs[: n % 3]:
            run()
    ctx.figures[f"console, {injects} injects, resuming: startup (s)"] = median(resume_t)
    ctx.figures[f"console, {injects} injects, new session: startup (s)"] = median(fresh_t)
    return [
        _outcome("memory", f"resuming a session of the {injects}-inject scenario", resume, bare),
        _outcome(
            "memory-new-session", f"a new session of the {injects}-inject scenario", fresh, bare
        ),
    ]


def _outcome(budget: str, what: str, subject: list[float], bare: list[float]) -> Outcome:
    return Outcome.of(
        budget,
        subject=(f"peak RSS of tabletop run --headless-smoke, {what}", subject),
        baseline=("peak RSS of the bare Textual app", bare),
        unit="MB",
        limit=LIMIT_MB,
        kind="excess",
    )
