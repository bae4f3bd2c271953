"""Step latency: delivering the next inject in a 5,000-inject scenario vs a 20-inject one.

Measured in process with Textual's Pilot: press ``n``, wait until the screen
has settled (``pilot.pause``) and check that the journal holds the delivery.
Rounds alternate between the two consoles, each on a fresh session.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from context import Context
from measure import BenchError, median, side_by_side
from results import Outcome

from tabletop.authoring.loading import LoadedScenario
from tabletop.session.session import Session

LIMIT = 1.5
WARM_UP_STEPS = 2
SIZE = (120, 40)


class Stepper:
    """Opens consoles over fresh sessions of one scenario and times its steps."""

    def __init__(self, loaded: LoadedScenario, folder: Path, steps: int) -> None:
        self.loaded = loaded
        self.folder = folder
        self.steps = steps
        self.rounds = 0
        self.ready: list[float] = []

    def __call__(self) -> list[float]:
        self.rounds += 1
        path = self.folder / f"step-{self.rounds}.db"
        session = Session.create(path, self.loaded)
        try:
            return asyncio.run(self._steps(session))
        finally:
            session.close()

    async def _steps(self, session: Session) -> list[float]:
        from tabletop.tui.console.app import make_app

        app = make_app(session, where=session.store.path.name)
        samples: list[float] = []
        start = time.perf_counter()
        async with app.run_test(headless=True, size=SIZE) as pilot:
            await pilot.pause()
            self.ready.append(time.perf_counter() - start)
            for n in range(WARM_UP_STEPS + self.steps):
                before = session.store.last_seq
                start = time.perf_counter()
                await pilot.press("n")
                await pilot.pause()
                elapsed = time.perf_counter() - start
                last = session.store.events(after=before)
                if not last or last[-1].kind != "inject_delivered":
                    raise BenchError(f"pressing n did not deliver an inject (step {n + 1})")
                if n >= WARM_UP_STEPS:
                    samples.append(elapsed)
        return samples


def measure(ctx: Context) -> list[Outcome]:
    s = ctx.sizes
    if s.steps_per_round + WARM_UP_STEPS > s.small_injects:
        raise BenchError("more steps per round than the small scenario has injects")
    small = Stepper(ctx.loaded(ctx.small_scenario()), ctx.folder("step-small"), s.steps_per_round)
    big = Stepper(ctx.loaded(ctx.big_scenario()), ctx.folder("step-big"), s.steps_per_round)
    base, subj = side_by_side(small, big, s.step_rounds)
    ctx.figures[f"console ready with {s.small_injects} injects, in process (s)"] = median(
        small.ready
    )
    ctx.figures[f"console ready with {s.big_injects} injects, in process (s)"] = median(big.ready)
    return [
        Outcome.of(
            "step-latency",
            subject=(f"press n (deliver next) in a {s.big_injects}-inject scenario, Pilot", subj),
            baseline=(f"the same step in a {s.small_injects}-inject scenario", base),
            unit="s",
            limit=LIMIT,
        )
    ]
