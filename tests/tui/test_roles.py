"""Each role's console, driven by keys beside a facilitator's session."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from tabletop.session.authors import new_recorder
from tabletop.session.session import Session
from tabletop.tui.console.app import make_app
from tabletop.tui.widgets.clocks import ClockBar
from tabletop.tui.widgets.decision_log import DecisionLog
from tabletop.tui.widgets.facilitator_panel import FacilitatorPanel
from tabletop.tui.widgets.inject_view import InjectView
from tabletop.tui.widgets.timeline import Timeline

from .conftest import FakeClock, kinds
from .helpers import type_text, wait_until

SIZE = (120, 36)


def shown_keys(app: object) -> set[str]:
    """The keys the footer offers right now."""
    screen = app.screen  # type: ignore[attr-defined]
    return {key for key, active in screen.active_bindings.items() if active.binding.show}


def join(session: Session, clock: FakeClock, role: str, name: str, *teams: str) -> Session:
    return Session.open(Path(session.location), clock=clock,
                        recorder=new_recorder(role, name, teams))


async def test_an_evaluator_rates_but_never_steers(session: Session, clock: FakeClock) -> None:
    session.record("clock_resumed")
    session.deliver("harbour-alarm")
    evaluator = join(session, clock, "evaluator", "K. Oswald", "mod")
    app = make_app(evaluator, where="harbour.db")
    async with app.run_test(size=SIZE) as pilot:
        assert {"n", "d", "space"}.isdisjoint(shown_keys(app))
        assert {"r", "y", "q", "p"} <= shown_keys(app)
        titles = {c.title for c in app.console_screen.palette_commands("")}
        assert {"hot wash: correct", "hot wash: retract", "note: correct",
                "note: retract"} <= titles
        assert not {"action: correct", "action: retract"} & titles  # the facilitator's
        await pilot.press("n", "space", "d")
        assert app.screen is app.console_screen  # no decision form opened
        panel = app.console_screen.query_one(FacilitatorPanel)
        assert "EVALUATOR" in str(panel.border_title)
        await pilot.press("r")
        await pilot.press("ctrl+s")
        await pilot.press("escape")
        await pilot.press("q")
    with Session.open_readonly(Path(session.location)) as reader:
        last = reader.state.history[-1]
    assert (last.kind, last.data["team"], last.author.name) == ("item_rated", "mod", "K. Oswald")
    assert not session.state.paused  # the evaluator leaving stopped nothing
    assert "clock_paused" not in kinds(session)


async def test_a_scribe_sees_only_what_its_team_received(
    session: Session, clock: FakeClock
) -> None:
    session.deliver("harbour-alarm")  # to all teams
    session.deliver("press-call")  # to the foreign office only
    session.record_decision("mfa", "No comment to the press", inject="press-call")
    scribe = join(session, clock, "scribe", "P. Ndiaye", "civ")
    app = make_app(scribe, where="harbour.db")
    async with app.run_test(size=SIZE) as pilot:
        screen = app.console_screen
        assert not screen.query_one(Timeline).display
        assert not screen.query_one(FacilitatorPanel).display
        log = str(screen.query_one(DecisionLog).query_one("#decision-text", Static).render())
        assert "No comment" not in log  # another team's decision, on an inject not theirs
        clocks = str(screen.query_one(ClockBar).render())
        assert "PLAY" in clocks and "next" not in clocks and "minister-call" not in clocks
        assert screen.viewing == "harbour-alarm"
        assert screen.query_one(InjectView).border_title == "Current inject"  # its team's
        await pilot.press("p")
        assert screen.viewing == "harbour-alarm"  # press-call never reachable
        screen.view("press-call")
        assert screen.viewing == "harbour-alarm"
        titles = [c.title for c in screen.palette_commands("")]
        titles += [c.title for c in screen.palette_commands("press")]
        assert not any("press-call" in t for t in titles)
        steering = [t for t in titles if t.startswith(("inject:", "rating:", "clock:"))]
        assert set(steering) == {"inject: view previous"}  # viewing only
        assert "r" not in shown_keys(app)
        assert "y" not in shown_keys(app) and "history: show" not in titles
        await pilot.press("y")  # the history names every team's injects: not here
        assert app.screen is screen
        await pilot.press("d")
        await type_text(pilot, "Open the shelters")
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("q")
    with Session.open_readonly(Path(session.location)) as reader:
        decision = reader.state.history[-1]
    assert decision.data["team"] == "civ" and decision.author.role == "scribe"


async def test_an_observer_watches_the_facilitator_view_and_records_nothing(
    session: Session, clock: FakeClock
) -> None:
    session.record("clock_resumed")
    session.deliver("harbour-alarm")
    before = kinds(session)
    observer = join(session, clock, "observer", "Sponsor")
    app = make_app(observer, where="harbour.db")
    async with app.run_test(size=SIZE) as pilot:
        screen = app.console_screen
        assert screen.query_one(FacilitatorPanel).display
        assert shown_keys(app) & {"n", "d", "r", "space", "h"} == set()
        writing = [c.title for c in screen.palette_commands("") if c.title.startswith(
            ("inject:", "decision:", "rating:", "clock:", "note:", "exercise:"))]
        assert writing == ["inject: view previous"]  # viewing only
        await pilot.press("n", "d", "r", "space", "q")
    assert kinds(session) == before


async def test_a_controller_writes_injects_but_does_not_deliver(
    session: Session, clock: FakeClock
) -> None:
    controller = join(session, clock, "controller", "SimCell")
    app = make_app(controller, where="harbour.db")
    async with app.run_test(size=SIZE) as pilot:
        titles = {c.title for c in app.console_screen.palette_commands("")}
        assert {"inject: write unscripted", "note: add"} <= titles
        screen = app.console_screen
        heading = str(screen.query_one(InjectView).query_one("#inject-heading", Static).render())
        log = str(screen.query_one(DecisionLog).query_one("#decision-text", Static).render())
        assert heading == "No inject delivered yet." and log == "No decisions yet."
        assert "inject: deliver next" not in titles and "decision: record" not in titles
        await pilot.press("n", "q")
    assert kinds(session) == ["facilitator_opened"]


async def test_the_facilitator_console_shows_another_console_s_event_live(
    session: Session, clock: FakeClock
) -> None:
    session.deliver("harbour-alarm")
    app = make_app(session, where="harbour.db")
    async with app.run_test(size=SIZE) as pilot:
        text = app.console_screen.query_one(DecisionLog).query_one("#decision-text", Static)
        with join(session, clock, "scribe", "P. Ndiaye", "mfa") as scribe:
            scribe.record_decision("mfa", "Brief the embassies first", inject="harbour-alarm")
            await wait_until(pilot, lambda: "Brief the embassies" in str(text.render()))
        await wait_until(pilot, lambda: session.state.last_seq == 3)
        assert any("Brief the embassies" in d.text for d in session.state.decisions.values())
        await pilot.press("q")


async def test_another_console_says_so_when_the_facilitator_is_gone(
    session: Session, clock: FakeClock
) -> None:
    session.record("clock_resumed")
    evaluator = join(session, clock, "evaluator", "K. Oswald")
    app = make_app(evaluator, where="harbour.db")
    async with app.run_test(size=SIZE) as pilot:
        screen = app.console_screen
        clocks = screen.query_one(ClockBar)
        screen._tick()
        assert "RUNNING" in str(clocks.render())
        clock.advance(40)
        session.heartbeat()
        session.store._registered = False  # type: ignore[attr-defined]  # lost: no "closed"
        session.close()  # its lock goes, as when the process is killed
        clock.advance(300)
        evaluator._facilitator_gone = None  # do not wait out the presence cache
        screen._tick()
        shown = str(clocks.render())
        assert "STOPPED: no facilitator console" in shown and "0:00:40" in shown
        await pilot.press("q")


def test_a_scribe_corrects_only_its_own_team_s_decisions(
    session: Session, clock: FakeClock
) -> None:
    from tabletop.app import forms

    session.deliver("harbour-alarm")
    theirs = session.record_decision("mod", "Navy leads", inject="harbour-alarm")
    ours = session.record_decision("civ", "Open shelters", inject="harbour-alarm")
    with join(session, clock, "scribe", "P. Ndiaye", "civ") as scribe:
        spec = forms.decision_amend(scribe)
        assert spec is not None
        listed = [value for _label, value in spec.fields[0].choices]
        assert listed == [str(ours.seq)] and str(theirs.seq) not in listed


async def test_a_form_refused_for_a_missing_field_brings_that_field_into_view(
    session: Session, clock: FakeClock
) -> None:
    app = make_app(session, where="harbour.db")
    async with app.run_test(size=(80, 24)) as pilot:  # the reason sits below the fold
        app.console_screen.write_unscripted()
        await pilot.pause()
        await type_text(pilot, "Power cut")  # the title; sender and reason left empty
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.focused is not None
                         and app.focused.id in ("field-sender", "field-reason"))
        assert "required" in str(app.screen.query_one("#form-error", Static).render())
        await pilot.press("escape")
    assert "unscripted_inject" not in kinds(session)
