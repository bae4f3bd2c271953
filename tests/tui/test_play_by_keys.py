"""A whole small exercise played by keys; assertions are on the journal."""

from __future__ import annotations

from pathlib import Path

from tabletop.session.session import Session
from tabletop.tui.console.app import make_app
from tabletop.tui.widgets.timeline import Timeline

from .conftest import START_WALL, FakeClock, kinds
from .helpers import type_text, wait_until

SIZE = (120, 36)


async def test_play_a_whole_exercise_by_keys(session: Session, clock: FakeClock) -> None:
    path = session.store.path
    app = make_app(session, where="sessions/harbour.db")
    async with app.run_test(size=SIZE) as pilot:
        # Deliver the first inject and record a decision on it.
        await pilot.press("n")
        assert app.console_screen.viewing == "harbour-alarm"
        await pilot.press("d")
        await type_text(pilot, "Navy leads the response")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is app.console_screen

        # The second inject is a decision point: choose "Send ships" and tick an item.
        await pilot.press("n")
        await pilot.press("d")
        await type_text(pilot, "Send two frigates")
        await pilot.press("tab", "enter", "down", "enter")  # option: (none) -> Send ships
        await pilot.press("tab", "space")  # tick the first checklist item
        await pilot.press("ctrl+s")
        await pilot.pause()

        # Rate two items for the selected team: the first "met", the next "partial"
        # ('a' shows every item: the injects so far expect one of this team).
        await pilot.press("r", "a")
        await pilot.press("ctrl+s")
        await pilot.press("tab", "enter", "down", "enter")  # rating: met -> partial
        await pilot.press("tab")
        await type_text(pilot, "slow start")
        await pilot.press("ctrl+s", "escape")

        # The first delivery started the play clock: five minutes, then pause it.
        clock.advance(300)
        await pilot.press("space")

        # Another team, then a team by number.
        await pilot.press("t")
        await pilot.press("3")

        # Hot wash: a strength and an improvement action.
        await pilot.press("h")
        await pilot.press("e")
        await type_text(pilot, "Early information sharing")
        await pilot.press("ctrl+s")
        await pilot.press("a")
        await type_text(pilot, "Write a harbour fire plan")
        await pilot.press("tab")
        await type_text(pilot, "Port Authority")
        await pilot.press("tab", "tab", "tab")  # no POC, no start date
        await type_text(pilot, "2026-06-30")
        await pilot.press("ctrl+s")
        await pilot.press("escape")
        await pilot.press("q")
        await pilot.pause()
    assert app.session_closed

    recorded = Session.open_readonly(path)
    try:
        state = recorded.state
        assert [s.inject.id for s in state.delivered()] == ["harbour-alarm", "press-call"]
        decisions = sorted(state.decisions.values(), key=lambda d: d.seq)
        assert [(d.team, d.inject, d.text) for d in decisions] == [
            ("mod", "harbour-alarm", "Navy leads the response"),
            ("mod", "press-call", "Send two frigates"),
        ]
        assert decisions[1].option == "send"
        assert decisions[1].items == ["coord/share"]
        assert state.chosen_option("press-call") == "send"
        assert state.injects["ships-stay"].status == "skipped-branch"
        assert state.ratings[("mod", "coord/share")].rating == "met"
        partial = state.ratings[("mod", "coord/lead")]
        assert (partial.rating, partial.note) == ("partial", "slow start")
        assert state.play_seconds(clock.now + 1000) == 300
        assert state.paused
        assert recorded.selected_team == "civ"
        assert [(e.kind, e.text) for e in state.hotwash] == [
            ("strength", "Early information sharing")
        ]
        action = state.actions[0]
        assert (action.action, action.organisation, action.completion) == (
            "Write a harbour fire plan", "Port Authority", "2026-06-30",
        )
    finally:
        recorded.close()


async def test_previous_only_views_and_never_undoes(session: Session) -> None:
    app = make_app(session, where="s.db")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "n")
        before = kinds(session)
        await pilot.press("p")
        assert app.console_screen.viewing == "harbour-alarm"
        await pilot.press("p")  # already the first one: stays
        assert app.console_screen.viewing == "harbour-alarm"
        assert kinds(session) == before
        assert session.state.current_inject == "press-call"
        # Delivering again follows the new current inject (past the undecided
        # decision point, on its default).
        await pilot.press("n", "g")
        assert app.console_screen.viewing == "ships-stay"


async def test_keys_work_whichever_panel_has_focus(session: Session) -> None:
    app = make_app(session, where="s.db")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        app.console_screen.query_one("#facilitator").focus()
        await pilot.press("n")
        app.console_screen.query_one("#inject").focus()
        await pilot.press("2")
        assert [s.inject.id for s in session.state.delivered()] == ["harbour-alarm", "press-call"]
        assert session.selected_team == "mfa"


async def test_keys_typed_into_a_form_are_text_not_commands(session: Session) -> None:
    app = make_app(session, where="s.db")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("d")
        await type_text(pilot, "n q t")
        await pilot.press("escape")
        await pilot.pause()
        assert app.is_running
        assert kinds(session) == ["facilitator_opened"]


async def test_write_failure_keeps_the_form_open_with_its_text(
    session: Session, monkeypatch: object
) -> None:
    from tabletop.session.store.errors import JournalWriteError
    from tabletop.tui.screens.form import FormScreen

    def refuse(payload: object, **_: object) -> object:
        raise JournalWriteError("cannot write harbour.db: disk full")

    app = make_app(session, where="s.db")
    async with app.run_test(size=SIZE) as pilot:
        real_append = session.store.append
        session.store.append = refuse  # type: ignore[method-assign]
        await pilot.press("d")
        await type_text(pilot, "Evacuate pier 4")
        await pilot.press("ctrl+s")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormScreen)
        assert form.values()["text"] == "Evacuate pier 4"
        assert "disk full" in str(form.query_one("#form-error").render())
        # Once the disk is back, the same form saves.
        session.store.append = real_append  # type: ignore[method-assign]
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is app.console_screen
    assert [d.text for d in session.state.decisions.values()] == ["Evacuate pier 4"]


async def test_a_failing_core_call_is_shown_and_the_console_carries_on(
    session: Session,
) -> None:
    def broken(*_args: object) -> None:
        raise RuntimeError("something unexpected")

    app = make_app(session, where="s.db")
    async with app.run_test(size=SIZE) as pilot:
        session.deliver = broken  # type: ignore[method-assign,assignment]
        await pilot.press("space", "n")
        await pilot.pause()
        assert app.is_running
        messages = [n.message for n in app._notifications]
        assert any("something unexpected" in m for m in messages)
        await pilot.press("space")
    assert kinds(session)[-2:] == ["clock_resumed", "clock_paused"]


async def test_resume_restores_where_the_session_stopped(tmp_path: Path) -> None:
    from .conftest import loaded_scenario

    path = tmp_path / "resume.db"
    first = Session.create(path, loaded_scenario(tmp_path), clock=FakeClock(START_WALL))
    first.deliver_next()
    first.record_decision("mfa", "Issue a statement", inject="harbour-alarm")
    first.select_team("mfa")
    first.toggle_pause()
    first.close()

    again = Session.open(path, clock=FakeClock(START_WALL), expect_exercise="harbour-drill")
    app = make_app(again, where="resume.db")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.console_screen
        assert screen.viewing == "harbour-alarm"
        assert again.selected_team == "mfa"
        assert again.state.paused  # a resumed session starts paused
        assert "PAUSED" in str(screen.query_one("#clocks").render())
        assert "▶ 2 » mfa  Foreign Office" in str(screen.query_one("#teams").render())
        assert "Issue a statement" in str(screen.query_one("#decision-text").render())
        assert screen.query_one(Timeline).cursor_inject == "harbour-alarm"
        await pilot.press("q")
    again.close()


async def test_ctrl_s_right_after_fast_typing_loses_no_character(session: Session) -> None:
    from textual import events

    app = make_app(session, where="s.db")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("d")
        text = "Evacuate pier four now"
        # All at once, as a paste or a fast typist delivers them: ctrl+s is a
        # priority binding and must still see every character before it.
        for ch in text:
            app.post_message(events.Key("space" if ch == " " else ch, ch))
        app.post_message(events.Key("ctrl+s", None))
        await wait_until(pilot, lambda: app.screen is app.console_screen)
    assert [d.text for d in session.state.decisions.values()] == [text]


async def test_clicking_a_timeline_row_views_that_inject(session: Session) -> None:
    app = make_app(session, where="s.db")
    async with app.run_test(size=SIZE) as pilot:
        timeline = app.console_screen.query_one(Timeline)
        row = timeline.row_of["minister-call"]
        await pilot.click(Timeline, offset=(5, row + 1))  # +1: the border
        assert app.console_screen.viewing == "minister-call"
        assert session.state.current_inject is None


async def test_the_first_delivery_starts_the_clock_and_says_so(session: Session) -> None:
    app = make_app(session, where="s.db")
    async with app.run_test(size=SIZE) as pilot:
        assert session.state.paused
        await pilot.press("n")
        await pilot.pause()
        assert not session.state.paused
        messages = [n.message for n in app._notifications]
        assert any("Play clock started" in m for m in messages)
        await pilot.press("n")  # the next one says nothing more
        await pilot.pause()
        assert sum("Play clock started" in n.message for n in app._notifications) == 1


async def test_a_delivery_to_one_team_selects_it_and_the_panel_marks_who_got_it(
    tmp_path: Path,
) -> None:
    from scenarios import Loaded, harbour_drill_data, scenario

    from tabletop.tui.widgets.teams import TeamsPanel

    data = harbour_drill_data()
    minister = next(i for i in data["injects"] if i["id"] == "minister-call")
    minister["to"] = ["civ", "mfa"]  # the minister calls civil protection and the MFA
    loaded = Loaded(scenario(data), tmp_path / "harbour-drill.yaml", "0" * 64)
    session = Session.create(tmp_path / "s.db", loaded, clock=FakeClock(START_WALL))
    app = make_app(session, where="s.db")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")  # to all: the selection stays
        panel = app.console_screen.query_one(TeamsPanel)
        assert session.selected_team == "mod"
        assert [("»" in line) for line in str(panel.render()).splitlines()] == [True] * 3
        await pilot.press("3")
        await pilot.press("n")  # press-call: to the foreign office, for Defence to decide
        assert session.selected_team == "mod"
        lines = str(panel.render()).splitlines()
        assert [("»" in line) for line in lines] == [False, True, False]
        await pilot.press("d")  # Defence did not receive it: said, and allowed
        await pilot.pause()
        assert any("Defence did not receive 'Journalist asks for comment'" in n.message
                   for n in app._notifications)
        assert app.screen.form_title == "Decision: Defence"  # type: ignore[attr-defined]
        await pilot.press("escape")
        session.deliver("ships-stay")  # to all: the selection stays
        await pilot.pause()
        assert session.selected_team == "mod"
        app.console_screen.action_deliver_next()  # Defence did not get this one
        await pilot.pause()
        assert session.selected_team == "civ"  # the first team that did
    session.close()
