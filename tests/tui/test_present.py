"""The participant view: read-only, follows the writer, never shows facilitator material."""

from __future__ import annotations

from pathlib import Path

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

            session.deliver_next()  # press-call carries a decision: its options stay hidden
            await wait_until(pilot, lambda: "Journalist asks for comment" in screen_text(app))
            await wait_until(pilot, lambda: len(app.screen.query(InjectCard)) == 2)
            text = screen_text(app)
            assert "Journalist asks for comment" in text
            assert "Send ships" not in text and "Wait" not in text
            cards = list(app.screen.query(InjectCard))
            assert [c.inject_state.inject.id for c in cards] == ["press-call", "harbour-alarm"]
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
