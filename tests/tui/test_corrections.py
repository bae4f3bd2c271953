"""Issue 6: every facilitator correction, reached through the command palette,
asks for a reason and records it."""

from __future__ import annotations

from tabletop.session.session import Session
from tabletop.tui.console.app import ConsoleApp, make_app
from tabletop.tui.screens.form import FormScreen
from tabletop.tui.screens.history import HistoryScreen, history_rows
from tabletop.tui.widgets.timeline import Timeline

from .helpers import palette, type_text

SIZE = (120, 36)


def last(session: Session, kind: str) -> dict[str, object]:
    events = [e for e in session.journal.events() if e.kind == kind]
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


async def test_hold_then_release(session: Session) -> None:
    app = app_for(session)
    async with app.run_test(size=SIZE) as pilot:
        await palette(pilot, "inject: hold")
        await give_reason(pilot, "waiting for the minister")
        assert session.state.injects["harbour-alarm"].status == "held"
        await pilot.press("n")  # delivers the next one, not the held inject
        assert session.state.current_inject == "press-call"
        app.console_screen.query_one(Timeline).move_to("harbour-alarm")
        await palette(pilot, "inject: release")
        await give_reason(pilot, "minister arrived")
    assert last(session, "inject_held")["reason"] == "waiting for the minister"
    assert last(session, "inject_released")["reason"] == "minister arrived"
    assert session.state.injects["harbour-alarm"].status == "pending"


async def test_retime(session: Session) -> None:
    app = app_for(session)
    async with app.run_test(size=SIZE) as pilot:
        app.console_screen.query_one(Timeline).move_to("minister-call")
        await palette(pilot, "inject: re-time")
        await pilot.press("backspace", "backspace", "5", "5", "tab")
        await give_reason(pilot, "running late")
    assert last(session, "inject_retimed") == {
        "inject": "minister-call", "play_minute": 55, "reason": "running late",
    }
    assert session.state.injects["minister-call"].play_minute == 55


async def test_retime_rejects_a_bad_minute_and_keeps_the_form(session: Session) -> None:
    app = app_for(session)
    async with app.run_test(size=SIZE) as pilot:
        app.console_screen.query_one(Timeline).move_to("minister-call")
        await palette(pilot, "inject: re-time")
        await pilot.press("backspace", "backspace", "x", "tab")
        await give_reason(pilot, "late")
        assert isinstance(app.screen, FormScreen)
        assert "whole number" in str(app.screen.query_one("#form-error").render())
    assert not [e for e in session.journal.events() if e.kind == "inject_retimed"]


async def test_deliver_out_of_order_keeps_the_reason(session: Session) -> None:
    app = app_for(session)
    async with app.run_test(size=SIZE) as pilot:
        app.console_screen.query_one(Timeline).move_to("minister-call")
        await palette(pilot, "inject: deliver out of order")
        await give_reason(pilot, "minister called early")
    assert last(session, "inject_delivered") == {"inject": "minister-call"}
    note = last(session, "note_added")
    assert note["inject"] == "minister-call"
    assert "minister called early" in str(note["text"])
    assert session.state.current_inject == "minister-call"


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


async def test_undo_a_delivery(session: Session) -> None:
    app = app_for(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "n")
        await palette(pilot, "delivery: undo")
        await give_reason(pilot, "delivered by mistake")
    undo = last(session, "delivery_undone")
    delivered = [e for e in session.journal.events() if e.kind == "inject_delivered"]
    assert undo == {"event": delivered[-1].seq, "reason": "delivered by mistake"}
    assert session.state.injects["press-call"].status == "pending"
    assert session.state.current_inject == "harbour-alarm"


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


async def test_move_a_decision_to_another_team(session: Session) -> None:
    app = app_for(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await record_one_decision(pilot, "Call the embassy")
        await palette(pilot, "decision: move to team")
        await pilot.press("tab", "enter", "down", "enter")  # team: Defence -> Foreign Office
        await pilot.press("tab")
        await give_reason(pilot, "it was the foreign office")
    (decision,) = session.state.decisions.values()
    assert decision.team == "mfa"
    assert last(session, "decision_moved")["reason"] == "it was the foreign office"


async def test_amend_a_decision(session: Session) -> None:
    app = app_for(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await record_one_decision(pilot, "Call the embassy")
        await palette(pilot, "decision: amend")
        await pilot.press("tab")
        await type_text(pilot, "Call both embassies")
        await pilot.press("tab")
        await give_reason(pilot, "typo")
    (decision,) = session.state.decisions.values()
    assert decision.text == "Call both embassies"
    assert decision.corrected


async def test_correct_a_rating(session: Session) -> None:
    app = app_for(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("r", "ctrl+s", "escape")  # first item: met
        await palette(pilot, "rating: correct")
        await pilot.press("tab", "enter", "down", "down", "enter")  # not met
        await pilot.press("tab")
        await type_text(pilot, "no lead named")
        await pilot.press("tab")
        await give_reason(pilot, "rated the wrong team")
    rating = session.state.ratings[("mod", "coord/share")]
    assert (rating.rating, rating.note) == ("not_met", "no lead named")
    assert rating.corrected_by
    assert last(session, "rating_corrected")["reason"] == "rated the wrong team"


async def test_correcting_a_rating_without_a_note_keeps_its_note(session: Session) -> None:
    session.rate_item("mod", "coord/share", "met", "shared at once with the MFA")
    app = app_for(session)
    async with app.run_test(size=SIZE) as pilot:
        await palette(pilot, "rating: correct")
        await pilot.press("tab", "enter", "down", "enter")  # partially met
        await pilot.press("tab", "tab")  # past the note, left empty
        await give_reason(pilot, "only shared with one ministry")
    rating = session.state.ratings[("mod", "coord/share")]
    assert (rating.rating, rating.note) == ("partial", "shared at once with the MFA")


async def test_jump_the_story_clock(session: Session) -> None:
    app = app_for(session)
    async with app.run_test(size=SIZE) as pilot:
        await palette(pilot, "story clock: jump")
        await pilot.press("ctrl+u")  # clear the prefilled time
        await type_text(pilot, "2026-03-15T08:00Z")
        await pilot.press("tab")
        await give_reason(pilot, "overnight")
        assert "Sun 15 Mar 08:00" in str(app.console_screen.query_one("#clocks").render())
    assert last(session, "story_clock_jumped")["reason"] == "overnight"


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
        assert session.state.selected_team == "civ"
        await palette(pilot, "inject: jump to minister-call")
        assert app.console_screen.viewing == "minister-call"
        assert app.console_screen.query_one(Timeline).cursor_inject == "minister-call"
        assert session.state.current_inject is None  # viewing never delivers


async def test_history_links_corrections_and_filters(session: Session) -> None:
    app = app_for(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await record_one_decision(pilot, "Close the port")
        await pilot.press("2")
        await record_one_decision(pilot, "Brief the press")
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
