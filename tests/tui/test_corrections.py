"""Issue 6, by keys: corrections reached through the command palette ask for a
reason and record it. What each form records is tested fast, without a
terminal, in tests/app/test_forms.py; these drive a few of them as a
facilitator would."""

from __future__ import annotations

from tabletop.session.session import Session
from tabletop.tui.console.app import ConsoleApp, make_app
from tabletop.tui.screens.form import FormScreen
from tabletop.tui.screens.history import HistoryScreen, history_rows
from tabletop.tui.widgets.timeline import Timeline

from .helpers import palette, type_text

SIZE = (120, 36)


def last(session: Session, kind: str) -> dict[str, object]:
    events = [e for e in session.store.events() if e.kind == kind]
    assert events, f"no {kind} event recorded"
    return events[-1].data


async def give_reason(pilot: object, reason: str) -> None:
    await type_text(pilot, reason)  # type: ignore[arg-type]
    await pilot.press("ctrl+s")  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]


def app_for(session: Session) -> ConsoleApp:
    return make_app(session, where="s.db")


async def test_skip_the_highlighted_inject(session: Session) -> None:
    app = app_for(session)
    async with app.run_test(size=SIZE) as pilot:
        assert app.console_screen.query_one(Timeline).cursor_inject == "harbour-alarm"
        await palette(pilot, "inject: skip")
        assert isinstance(app.screen, FormScreen)
        await give_reason(pilot, "fire brigade already on scene")
        assert app.screen is app.console_screen
    assert last(session, "inject_skipped") == {
        "inject": "harbour-alarm", "reason": "fire brigade already on scene",
    }
    assert session.state.injects["harbour-alarm"].status == "skipped"
    assert session.state.next_inject().inject.id == "press-call"  # type: ignore[union-attr]


async def test_retime_rejects_a_bad_minute_and_keeps_the_form(session: Session) -> None:
    app = app_for(session)
    async with app.run_test(size=SIZE) as pilot:
        app.console_screen.query_one(Timeline).move_to("minister-call")
        await palette(pilot, "inject: re-time")
        await pilot.press("backspace", "backspace", "x", "tab")
        await give_reason(pilot, "late")
        assert isinstance(app.screen, FormScreen)
        assert "whole number" in str(app.screen.query_one("#form-error").render())
    assert not [e for e in session.store.events() if e.kind == "inject_retimed"]


async def test_write_unscripted(session: Session) -> None:
    app = app_for(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await palette(pilot, "inject: write unscripted")
        await type_text(pilot, "Ferry collision")
        await pilot.press("tab", "tab")  # past the channel
        await type_text(pilot, "Coast Guard")
        await pilot.press("tab", "space")  # to: the first team only
        await pilot.press("tab")
        await type_text(pilot, "A ferry hit the quay.")
        await pilot.press("tab", "tab")  # past the optional id
        await give_reason(pilot, "players ahead of the script")
        assert app.screen is app.console_screen
    spec = last(session, "unscripted_inject")["inject"]
    assert isinstance(spec, dict)
    assert (spec["title"], spec["from"], spec["to"]) == ("Ferry collision", "Coast Guard", ["mod"])
    new_id = spec["id"]
    assert session.state.injects[new_id].unscripted
    assert session.state.current_inject == new_id
    # Placed right after the inject that was current when it was written.
    order = session.state.order
    assert order.index(new_id) == order.index("harbour-alarm") + 1
    assert "players ahead of the script" in str(last(session, "note_added")["text"])


async def record_one_decision(pilot: object, text: str) -> None:
    await pilot.press("d")  # type: ignore[attr-defined]
    await type_text(pilot, text)  # type: ignore[arg-type]
    await pilot.press("ctrl+s")  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]


async def test_retract_a_decision(session: Session) -> None:
    app = app_for(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await record_one_decision(pilot, "Close the port")
        await palette(pilot, "decision: retract")
        await pilot.press("tab")  # the newest decision is preselected
        await give_reason(pilot, "misheard the team")
        assert "RETRACTED" in str(app.console_screen.query_one("#decision-text").render())
    (decision,) = session.state.decisions.values()
    assert decision.retracted
    assert last(session, "decision_retracted") == {
        "event": decision.seq, "reason": "misheard the team",
    }


async def test_end_the_exercise_after_confirming(session: Session) -> None:
    app = app_for(session)
    async with app.run_test(size=SIZE) as pilot:
        await palette(pilot, "exercise: end (ENDEX)")
        await pilot.press("n")  # declined: nothing recorded
        assert not session.state.ended
        await palette(pilot, "exercise: end (ENDEX)")
        await pilot.press("y")
        await pilot.pause()
        assert "ENDEX" in str(app.console_screen.query_one("#clocks").render())
    assert session.state.ended


async def test_team_and_jump_commands(session: Session) -> None:
    app = app_for(session)
    async with app.run_test(size=SIZE) as pilot:
        await palette(pilot, "team: select Civil Protection")
        assert session.selected_team == "civ"
        await palette(pilot, "inject: jump to minister-call")
        assert app.console_screen.viewing == "minister-call"
        assert app.console_screen.query_one(Timeline).cursor_inject == "minister-call"
        assert session.state.current_inject is None  # viewing never delivers


async def test_history_links_corrections_and_filters(session: Session) -> None:
    # Recording decisions by keys is tested in test_play_by_keys; start from two.
    session.deliver_next()
    session.record_decision("mod", "Close the port", inject="harbour-alarm")
    session.select_team("mfa")
    session.record_decision("mfa", "Brief the press", inject="harbour-alarm")
    app = app_for(session)
    async with app.run_test(size=SIZE) as pilot:
        await palette(pilot, "decision: retract")
        await pilot.press("tab")
        await give_reason(pilot, "wrong")
        await pilot.press("y")
        screen = app.screen
        assert isinstance(screen, HistoryScreen)
        assert len(screen.shown) == len(session.state.history)
        await pilot.press("f")
        await type_text(pilot, "harbour")
        await pilot.pause()
        assert {row.inject for row in screen.shown} == {"harbour-alarm"}
        assert {row.event.kind for row in screen.shown} >= {
            "inject_delivered", "decision_recorded", "decision_retracted",
        }
        await pilot.press("escape")

    rows = {row.event.seq: row for row in history_rows(session.state)}
    retraction = next(r for r in rows.values() if r.event.kind == "decision_retracted")
    target = rows[retraction.corrects]  # type: ignore[index]
    assert target.event.kind == "decision_recorded"
    assert target.corrected_by == (retraction.event.seq,)
    assert retraction.team == target.team == "mfa"  # inherited from what it corrects


async def test_a_cursor_on_a_delivered_inject_means_the_next_one(session: Session) -> None:
    app = app_for(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")  # the alarm: delivered, and the cursor is on it
        assert app.console_screen.query_one(Timeline).cursor_inject == "harbour-alarm"
        helps = {c.title: c.help for c in app.console_screen.palette_commands("")}
        assert helps["inject: hold"] == "next inject: press-call"  # says what it acts on
        await palette(pilot, "inject: hold")
        assert isinstance(app.screen, FormScreen)
        assert "press-call" in app.screen.intro  # the next pending inject, not "needs pending"
        await give_reason(pilot, "the journalist has not called yet")
        assert session.state.injects["press-call"].status == "held"
        # Release: the cursor still on a delivered inject means the held one.
        app.console_screen.query_one(Timeline).move_to("harbour-alarm")
        await palette(pilot, "inject: release")
        assert isinstance(app.screen, FormScreen) and "press-call" in app.screen.intro
        await give_reason(pilot, "now he has")
    assert session.state.injects["press-call"].status == "pending"


async def test_correct_a_hot_wash_entry_from_the_palette(session: Session) -> None:
    older = session.record("hotwash_entry", kind="strength", text="Calm chairing")
    newest = session.record("hotwash_entry", kind="improvement", text="Slow start",
                            objective="coordinate")
    app = app_for(session)
    async with app.run_test(size=SIZE) as pilot:
        await palette(pilot, "hot wash: correct")
        assert isinstance(app.screen, FormScreen)
        text = app.screen.query_one("#field-text")
        assert text.value == "Slow start"  # type: ignore[attr-defined]
        await pilot.press("tab", "end")
        await type_text(pilot, " after the alarm")
        await pilot.press("tab", "tab", "tab", "tab")  # kind, objective, team: kept
        await give_reason(pilot, "said more")
        assert app.screen is app.console_screen
        await palette(pilot, "hot wash: retract")
        await pilot.press("tab")  # the newest is preselected
        await give_reason(pilot, "said of another drill")
    assert last(session, "hotwash_entry_corrected") == {
        "event": newest.seq, "objective": "coordinate", "kind": "improvement",
        "text": "Slow start after the alarm", "team": None, "reason": "said more",
    }
    assert [e.seq for e in session.state.hotwash] == [older.seq]


async def test_the_palette_never_opens_over_a_form(session: Session) -> None:
    app = app_for(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "d")
        form = app.screen
        assert isinstance(form, FormScreen)
        await pilot.press("ctrl+p")  # its commands would act on the console behind
        await pilot.pause()
        assert app.screen is form
        await pilot.press("escape", "ctrl+p")
        await pilot.pause()
        assert app.screen is not app.console_screen  # over the console it opens
