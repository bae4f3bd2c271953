"""The participant view: read-only, follows the writer, never shows facilitator material."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Markdown, Static

from tabletop.session.session import Session
from tabletop.tui.console.app import make_present_app
from tabletop.tui.screens.present import InjectCard

from .helpers import wait_until

SIZE = (120, 36)


def screen_text(app: object) -> str:
    """Everything the participant view shows, as text."""
    screen = app.screen  # type: ignore[attr-defined]
    parts = [str(w.render()) for w in screen.query(Static)]
    parts += [w.source for w in screen.query(Markdown)]
    return "\n".join(parts)


async def test_follows_the_writer_and_hides_facilitator_material(session: Session) -> None:
    path = session.store.path
    reader = Session.open_readonly(path)
    app = make_present_app(reader, poll=0.05)
    try:
        async with app.run_test(size=SIZE) as pilot:
            assert "Waiting for the first inject" in screen_text(app)
            session.deliver_next()
            session.record_decision("mod", "Secret choice", inject="harbour-alarm")
            session.rate_item("mod", "coord/share", "met", "rating note")
            session.record("note_added", text="facilitator aside", team=None, inject=None)
            await wait_until(pilot, lambda: "Fire reported at the harbour" in screen_text(app))
            await wait_until(pilot, lambda: len(app.screen.query(InjectCard)) == 1)
            text = screen_text(app)
            assert "Fire reported at the harbour" in text
            assert "smoke" in text
            assert "TLP:AMBER" in text and "Harbour Drill" in text
            assert "Sat 14 Mar 06:10" in text  # story clock
            assert "What do we know?" in text  # the phase's discussion questions
            for hidden in ("Watch whether", "Share the report", "Secret choice",
                           "rating note", "facilitator aside", "Send the navy"):
                assert hidden not in text

            session.deliver_next()  # press-call, to the foreign office only
            await wait_until(pilot, lambda: "1 message delivered to individual teams"
                             in screen_text(app))
            text = screen_text(app)
            assert "Journalist asks for comment" not in text and "reporter" not in text
            session.deliver("minister-call")
            await wait_until(pilot, lambda: len(app.screen.query(InjectCard)) == 2)
            cards = list(app.screen.query(InjectCard))
            assert [c.inject_state.inject.id for c in cards] == ["minister-call",
                                                                 "harbour-alarm"]
            assert cards[0].has_class("-latest")
    finally:
        reader.close()
    # The reader never wrote anything.
    assert [e.kind for e in session.store.events()].count("facilitator_opened") == 1


async def test_team_view_shows_only_what_the_team_received(session: Session) -> None:
    session.deliver_next()  # to all
    session.deliver_next()  # press-call: only the foreign office
    reader = Session.open_readonly(session.store.path)
    try:
        app = make_present_app(reader, team="mod")
        async with app.run_test(size=SIZE):
            text = screen_text(app)
            assert "Fire reported at the harbour" in text
            assert "Journalist asks for comment" not in text
            assert "Team: Defence" in text
        app = make_present_app(reader, team="mfa")
        async with app.run_test(size=SIZE):
            assert "Journalist asks for comment" in screen_text(app)
    finally:
        reader.close()


def test_present_refuses_a_missing_file_and_does_not_create_it(
    tmp_path: Path, capsys: object
) -> None:
    from tabletop.commands import present

    missing = tmp_path / "nope.db"
    parser_args = type("A", (), {"session": missing, "team": None, "poll": 1.0})()
    assert present.run(parser_args) == 2  # type: ignore[arg-type]
    assert not missing.exists()
    assert "no session file" in capsys.readouterr().err  # type: ignore[attr-defined]


def test_present_refuses_a_corrupt_file(tmp_path: Path, capsys: object) -> None:
    from tabletop.commands import present

    bad = tmp_path / "bad.db"
    bad.write_bytes(b"not a database at all" * 10)
    parser_args = type("A", (), {"session": bad, "team": None, "poll": 1.0})()
    assert present.run(parser_args) == 1  # type: ignore[arg-type]
    err = capsys.readouterr().err  # type: ignore[attr-defined]
    assert err.startswith("tabletop present: ") and "Traceback" not in err
    assert bad.read_bytes() == b"not a database at all" * 10


def test_present_refuses_an_unknown_team(session: Session, capsys: object) -> None:
    from tabletop.commands import present

    args = type("A", (), {"session": session.store.path, "team": "mdo", "poll": 1.0})()
    assert present.run(args) == 2  # type: ignore[arg-type]
    assert "did you mean 'mod'" in capsys.readouterr().err  # type: ignore[attr-defined]


async def test_the_facilitators_second_screen_shows_every_delivery(session: Session) -> None:
    session.deliver_next()
    session.deliver_next()  # press-call carries a decision: its options stay hidden
    reader = Session.open_readonly(session.store.path)
    try:
        app = make_present_app(reader, show_all=True)
        async with app.run_test(size=SIZE):
            text = screen_text(app)
            assert "Journalist asks for comment" in text and "To: Foreign Office" in text
            assert "Send ships" not in text and "Wait" not in text
            assert "individual teams" not in text
    finally:
        reader.close()


def test_all_and_team_are_one_or_the_other(capsys: object) -> None:
    from tabletop.cli import main

    with pytest.raises(SystemExit) as exited:
        main(["present", "s.db", "--all", "--team", "mod"])
    assert exited.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err  # type: ignore[attr-defined]


async def test_a_gone_facilitator_console_is_said_on_the_projector(
    session: Session, tmp_path: Path
) -> None:
    import time

    path = session.store.path
    session.deliver_next()
    reader = Session.open_readonly(path)
    app = make_present_app(reader, poll=0.05)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert "NOT CONNECTED" not in screen_text(app)
            closed_at = session.clock()
            session.close()  # the laptop shut: nothing more is written
            await wait_until(pilot, lambda: "CONSOLE NOT CONNECTED since" in screen_text(app),
                             timeout=5)
            since = time.strftime("%H:%M", time.localtime(closed_at))
            assert f"since {since}" in screen_text(app)
    finally:
        reader.close()


async def test_the_phase_narrative_and_the_teams_briefing_are_shown(tmp_path: Path) -> None:
    from scenarios import Loaded, harbour_drill_data, scenario

    data = harbour_drill_data()
    data["phases"][0]["narrative"] = "Smoke rises over **pier 4**; the wind is westerly."
    data["teams"][0]["briefing"] = "You hold the navy's duty roster for the weekend."
    loaded = Loaded(scenario(data), tmp_path / "harbour-drill.yaml", "0" * 64)
    with Session.create(tmp_path / "s.db", loaded) as writer:
        writer.toggle_pause()  # the clock starts: the first phase opens
        reader = Session.open_readonly(tmp_path / "s.db")
        try:
            for team, briefed in ((None, False), ("mod", True), ("mfa", False)):
                app = make_present_app(reader, team=team)
                async with app.run_test(size=SIZE):
                    text = screen_text(app)
                    assert "Smoke rises over **pier 4**" in text
                    assert ("You hold the navy's duty roster" in text) is briefed
            # The facilitator's panel shows both, so staff know what the room was told.
            from tabletop.tui.widgets.facilitator_panel import facilitator_text

            staff = facilitator_text(reader.state, None, team="mod").plain
            assert "NARRATIVE: ALERT (PARTICIPANTS SEE THIS)" in staff
            assert "Smoke rises" in staff and "duty roster" in staff
            assert "duty roster" not in facilitator_text(reader.state, None, team="mfa").plain
        finally:
            reader.close()
