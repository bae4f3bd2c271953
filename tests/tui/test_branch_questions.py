"""The console asks before a branch follows a default nobody chose, and before a
late decision that the timeline can no longer follow (what each form records is
tested without a terminal in tests/app/test_forms.py)."""

from __future__ import annotations

from textual.widgets import Select, Static

from tabletop.session.session import Session
from tabletop.tui.console.app import make_app
from tabletop.tui.screens.choice import ChoiceScreen
from tabletop.tui.screens.confirm import ConfirmScreen
from tabletop.tui.screens.form import FormScreen

from .helpers import type_text, wait_until

SIZE = (120, 36)


def text_of(screen: object) -> str:
    return " ".join(str(s.render()) for s in screen.query(Static))  # type: ignore[attr-defined]


async def test_passing_an_undecided_decision_point_asks_and_can_go_on(session: Session) -> None:
    app = make_app(session, where="s.db")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "n")  # the alarm, then press-call: Defence decides
        await pilot.press("n")
        assert isinstance(app.screen, ChoiceScreen)
        asked = text_of(app.screen)
        assert "Frigates stay in port" in asked and "'Wait'" in asked
        assert [s.inject.id for s in session.state.delivered()] == ["harbour-alarm",
                                                                    "press-call"]
        await pilot.press("escape")  # neither: nothing happens
        assert app.screen is app.console_screen
        assert session.state.current_inject == "press-call"
        await pilot.press("n", "g")
        assert app.screen is app.console_screen
        assert session.state.current_inject == "ships-stay"
        # Settled: the next 'n' asks nothing.
        await pilot.press("n")
        assert app.screen is app.console_screen
        assert session.state.current_inject == "minister-call"


async def test_record_the_decision_now_then_deliver_its_branch(session: Session) -> None:
    app = make_app(session, where="s.db")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "n", "n", "d")
        assert isinstance(app.screen, FormScreen)
        assert app.screen.form_title == "Decision: Defence"
        await type_text(pilot, "Send two frigates")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "no option is chosen" in text_of(app.screen)
        await pilot.press("n")  # back to the form, to choose one
        form = app.screen
        assert isinstance(form, FormScreen)
        form.query_one("#field-option", Select).value = "send"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is app.console_screen)
        await pilot.press("n")
        assert app.screen is app.console_screen
        assert session.state.current_inject == "ships-sail"
    (decision,) = session.state.decisions.values()
    assert (decision.team, decision.text, decision.option) == ("mod", "Send two frigates",
                                                               "send")


async def test_a_late_decision_says_the_timeline_will_not_switch(session: Session) -> None:
    app = make_app(session, where="s.db")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "n", "n", "g")  # the default branch plays
        app.console_screen.view("press-call")
        await pilot.press("d")
        await type_text(pilot, "Send them after all")
        app.screen.query_one("#field-option", Select).value = "send"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        asked = text_of(app.screen)
        assert "'Frigates stay in port' was delivered" in asked
        assert "the timeline does not switch" in asked
        await pilot.press("y")
        await wait_until(pilot, lambda: app.screen is app.console_screen)
        await pilot.press("n")
        assert session.state.current_inject == "minister-call"
    assert session.state.injects["ships-sail"].status == "skipped-branch"
    assert [d.option for d in session.state.decisions.values()] == ["send"]


async def test_amend_opens_on_the_decision_and_follows_the_one_chosen(session: Session) -> None:
    from textual.widgets import TextArea

    from .helpers import palette

    session.deliver_next()
    session.deliver_next()
    first = session.record_decision("mod", "Send two frigates", inject="press-call",
                                    option="send")
    session.record_decision("mfa", "Brief the press at noon")
    app = make_app(session, where="s.db")
    async with app.run_test(size=SIZE) as pilot:
        await palette(pilot, "decision: amend")
        assert isinstance(app.screen, FormScreen)
        text = app.screen.query_one("#field-text", TextArea)
        assert text.text == "Brief the press at noon"
        app.screen.query_one("#field-event", Select).value = str(first.seq)
        await wait_until(pilot, lambda: text.text == "Send two frigates")
        assert app.screen.query_one("#field-option", Select).value == "press-call\tsend"


async def test_the_plain_path_opens_no_new_dialog(session: Session) -> None:
    from textual.screen import ModalScreen

    app = make_app(session, where="s.db")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")  # an unconditional inject: delivered, no question
        assert app.screen is app.console_screen
        await pilot.press("d")
        assert isinstance(app.screen, FormScreen)  # its own form, as ever
        await type_text(pilot, "Call the harbour master")
        await pilot.press("ctrl+s")  # not a decision point: saved, no question
        await wait_until(pilot, lambda: not isinstance(app.screen, ModalScreen))
        await pilot.press("q")  # quits at once, the running clock stopped on the way
        await pilot.pause()
    assert app.session_closed and app.clock_stopped_at is not None
    assert [d.text for d in session.state.decisions.values()] == ["Call the harbour master"]
