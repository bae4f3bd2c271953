"""Startup: the console on a realistic exercise against a bare Textual app.

Both are whole processes, launched the same way (headless, exiting as soon as
the app is ready), so the figure is what a facilitator waits for.
"""

from __future__ import annotations

from pathlib import Path

from context import Context
from measure import python, run_process, side_by_side
from results import Outcome

EXERCISE = "disaster-relief"  # bundled flagship, opened by id as a facilitator would
LIMIT = 1.3
BARE_APP = Path(__file__).resolve().parent.parent / "bare_app.py"


def bare_app_run(cwd: Path) -> list[float]:
    return [run_process(python(str(BARE_APP)), cwd=cwd, label="bare Textual app").seconds]


def measure(ctx: Context) -> list[Outcome]:
    cwd = ctx.folder("startup")
    session = cwd / "startup.db"
    argv = python("-m", "tabletop", "run", EXERCISE, "--session", str(session), "--headless-smoke")

    def console() -> list[float]:
        return [run_process(argv, cwd=cwd, label="tabletop run --headless-smoke").seconds]

    # Warm-up: byte-code caches, the page cache, and the session file (later runs resume it).
    created = run_process(argv, cwd=cwd, label="tabletop run (creating the session)")
    ctx.figures["startup: first run, creating the session (s)"] = created.seconds
    bare_app_run(cwd)
    base, subj = side_by_side(lambda: bare_app_run(cwd), console, ctx.sizes.process_rounds)
    return [
        Outcome.of(
            "startup",
            subject=(f"tabletop run {EXERCISE} --session S --headless-smoke (resuming S)", subj),
            baseline=("bare Textual app (Static + Footer), headless, exits when ready", base),
            unit="s",
            limit=LIMIT,
        )
    ]
