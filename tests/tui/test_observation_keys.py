"""An evaluator records an observation by key, and each role's palette offers the
observation and roster commands its role may use (issue 15, items 4 and 6)."""

from __future__ import annotations

from pathlib import Path

from tabletop.session.authors import new_recorder
from tabletop.session.session import Session
from tabletop.tui.console.app import make_app
from tabletop.tui.screens.form import FormScreen

from .conftest import FakeClock
from .helpers import type_text, wait_until

SIZE = (120, 36)
OBSERVING = {"observation: record", "observation: correct", "observation: retract"}
ROSTER = {"participant: add", "participant: correct", "participant: remove"}


def join(session: Session, clock: FakeClock, role: str, name: str, *teams: str) -> Session:
    return Session.open(Path(session.location), clock=clock,
                        recorder=new_recorder(role, name, teams))


async def test_an_evaluator_observes_by_key(session: Session, clock: FakeClock) -> None:
    session.deliver("harbour-alarm")
    evaluator = join(session, clock, "evaluator", "K. Oswald", "mod")
    app = make_app(evaluator, where="harbour.db")
    async with app.run_test(size=SIZE) as pilot:
        titles = {c.title for c in app.console_screen.palette_commands("")}
        assert titles >= OBSERVING and not titles & ROSTER
        await pilot.press("o")
        await wait_until(pilot, lambda: isinstance(app.screen, FormScreen))
        form = app.screen
        assert isinstance(form, FormScreen)
        form.query_one("#field-text").focus()
        await type_text(pilot, "Shared the casualty list early")
        form.query_one("#field-objective").value = "coordinate"  # type: ignore[attr-defined]
        form.query_one("#field-kind").value = "strength"  # type: ignore[attr-defined]
        await pilot.pause()
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is app.console_screen)
        await pilot.press("q")
    with Session.open_readonly(Path(session.location)) as reader:
        (observation,) = reader.state.observations.values()
        last = reader.state.history[-1]
    assert (observation.kind, observation.team, observation.objective, observation.inject) == (
        "strength", "mod", "coordinate", "harbour-alarm")
    assert observation.text == "Shared the casualty list early"
    assert last.author.name == "K. Oswald"


async def test_the_roster_is_in_the_palette_of_control_staff_only(
    session: Session, clock: FakeClock
) -> None:
    for role, name, has_roster, observes in [
        ("facilitator", None, True, True),
        ("controller", "SimCell", True, False),
        ("scribe", "Table scribe", False, False),
    ]:
        if role == "facilitator":
            console = session
        else:
            teams = ("mod",) if role == "scribe" else ()
            console = join(session, clock, role, name or "", *teams)
        app = make_app(console, where="harbour.db")
        async with app.run_test(size=SIZE) as pilot:
            titles = {c.title for c in app.console_screen.palette_commands("")}
            assert (titles >= ROSTER) is has_roster, role
            assert (titles >= OBSERVING) is observes, role
            await pilot.press("o")
            await pilot.pause()
            assert isinstance(app.screen, FormScreen) is observes, role
