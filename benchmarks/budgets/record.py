"""A long record: resuming and pressing keys in sessions of 10 to 100,000 events.

Sessions hold a realistic mix (decisions, some amended, ratings, notes and
deliveries) on the bundled ``border-tension`` exercise.

* Resume: ``tabletop run --headless-smoke`` on the session, a whole process,
  against the bare Textual app, side by side; and the console's peak RSS
  against the same console on a 10-event session, per event recorded.
* Keys, in process with Pilot: save a decision (``d``, type, ``ctrl+s``), open
  the history (``y``), open the amend form and type a palette query, at each
  size against the same keys at 10 events, side by side. Pilot's settling
  waits are in both sides.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

import long_session
from context import Context
from measure import BenchError, median, python, run_process, side_by_side
from results import Outcome

from budgets.startup import BARE_APP
from tabletop.core.bundled import bundled_dir

EXERCISE = bundled_dir() / "exercises" / "border-tension.yaml"
BASE_EVENTS = 10
KEY_LIMIT = 1.5
RSS_KB_PER_EVENT = 5.0
SIZE = (120, 40)
SHORT = {
    "save a decision": "save",
    "open the history": "history",
    "open the amend form": "amend",
    "type in the palette": "palette",
}
"""Each timed action's budget name (with the event count)."""


def resume_limit(events: int) -> float:
    """3× the bare app up to 10,000 events, 15× at 100,000 (the issue's budgets)."""
    return 3.0 if events <= 10_000 else 15.0


def sessions(ctx: Context) -> dict[int, Path]:
    folder = ctx.folder("record")
    made = {}
    for events in (BASE_EVENTS, *ctx.sizes.record_events):
        path = folder / f"record-{events}.db"
        if not path.exists():
            start = time.perf_counter()
            long_session.write_record(path, ctx.loaded(EXERCISE), events)
            ctx.figures[f"generate a session of {events:,} events (s)"] = (
                time.perf_counter() - start
            )
        made[events] = path
    return made


def measure(ctx: Context) -> list[Outcome]:
    made = sessions(ctx)
    return [*_resume(ctx, made), *_keys(ctx, made)]


def _resume(ctx: Context, made: dict[int, Path]) -> list[Outcome]:
    cwd = ctx.folder("record-runs")

    def console(path: Path) -> Callable[[], list[float]]:
        argv = python("-m", "tabletop", "run", str(EXERCISE), "--session", str(path),
                      "--headless-smoke")
        rss: list[float] = []
        runs: list[float] = []

        def run() -> list[float]:
            done = run_process(argv, cwd=cwd, label=f"tabletop run on {path.name}")
            rss.append(done.peak_rss_mb)
            runs.append(done.seconds)
            return [done.seconds]

        run.rss = rss  # type: ignore[attr-defined]
        return run

    def bare() -> list[float]:
        return [run_process(python(str(BARE_APP)), cwd=cwd, label="bare Textual app").seconds]

    small = console(made[BASE_EVENTS])
    small()  # warm-up: caches, and the session_opened of a first resume
    outcomes = []
    for events in ctx.sizes.record_events:
        big = console(made[events])
        big()
        base, subj = side_by_side(bare, big, ctx.sizes.process_rounds)
        for _ in range(2):  # RSS samples of the 10-event console, beside these
            small()
        outcomes.append(Outcome.of(
            f"resume-{events:,}",
            subject=(f"tabletop run --headless-smoke resuming {events:,} events", subj),
            baseline=("bare Textual app, headless, exits when ready", base),
            unit="s",
            limit=resume_limit(events),
        ))
        grown = median(big.rss) - median(small.rss)  # type: ignore[attr-defined]
        outcomes.append(Outcome(
            budget=f"rss-{events:,}",
            subject=f"peak RSS of the console resuming {events:,} events",
            baseline=f"the same console resuming {BASE_EVENTS} events",
            subject_value=median(big.rss),  # type: ignore[attr-defined]
            baseline_value=median(small.rss),  # type: ignore[attr-defined]
            unit="MB",
            limit=RSS_KB_PER_EVENT * events / 1024,
            kind="excess",
            notes=[f"{grown * 1024 / events:.2f} kB per event"],
        ))
    return outcomes


class Keys:
    """A console over a copy of one session; each call times one round of keys."""

    def __init__(self, path: Path, folder: Path) -> None:
        self.path = path
        self.folder = folder
        self.rounds = 0

    def __call__(self) -> dict[str, float]:
        import shutil

        self.rounds += 1
        copy = self.folder / f"{self.path.stem}-{self.rounds}.db"
        shutil.copyfile(self.path, copy)
        return asyncio.run(self._round(copy))

    async def _round(self, path: Path) -> dict[str, float]:
        from textual.command import CommandPalette
        from textual.widgets import Input

        from tabletop.session.session import Session
        from tabletop.tui.console.app import make_app
        from tabletop.tui.screens.form import FormScreen
        from tabletop.tui.screens.history import HistoryScreen

        session = Session.open(path)
        times: dict[str, float] = {}
        try:
            app = make_app(session, where=path.name)
            async with app.run_test(headless=True, size=SIZE) as pilot:
                await pilot.pause()
                before = session.state.last_seq
                start = time.perf_counter()
                await pilot.press("d", *"Close the border crossing", "ctrl+s")
                await pilot.pause()
                times["save a decision"] = time.perf_counter() - start
                if session.state.event(before + 1) is None:
                    raise BenchError("ctrl+s saved no decision")
                start = time.perf_counter()
                await pilot.press("y")
                while not isinstance(app.screen, HistoryScreen):
                    await pilot.pause(0.005)
                await pilot.pause()
                times["open the history"] = time.perf_counter() - start
                await pilot.press("escape")
                start = time.perf_counter()
                app.console_screen.decision_amend()
                while not isinstance(app.screen, FormScreen):
                    await pilot.pause(0.005)
                await pilot.pause()
                times["open the amend form"] = time.perf_counter() - start
                await pilot.press("escape")
                await pilot.press("ctrl+p")
                while not isinstance(app.screen, CommandPalette):
                    await pilot.pause(0.005)
                start = time.perf_counter()
                await pilot.press(*"jump to")
                await pilot.pause()
                times["type in the palette"] = time.perf_counter() - start
                app.screen.query_one(Input).value = ""
                await pilot.press("escape")
        finally:
            session.close()
        return times


def _keys(ctx: Context, made: dict[int, Path]) -> list[Outcome]:
    folder = ctx.folder("record-keys")
    base_keys = Keys(made[BASE_EVENTS], folder)
    base_keys()  # warm-up
    outcomes = []
    for events in ctx.sizes.record_events:
        big_keys = Keys(made[events], folder)
        big_keys()  # warm-up, as for the baseline: the page cache holds this file too
        base, subj = side_by_side(
            lambda: [base_keys()], lambda keys=big_keys: [keys()], ctx.sizes.step_rounds
        )
        for action in base[0]:
            outcomes.append(Outcome.of(
                f"{SHORT[action]}-{events:,}",
                subject=(f"{action} with {events:,} events, Pilot",
                         [round_[action] for round_ in subj]),
                baseline=(f"{action} with {BASE_EVENTS} events", [r[action] for r in base]),
                unit="s",
                limit=KEY_LIMIT,
            ))
    return outcomes
