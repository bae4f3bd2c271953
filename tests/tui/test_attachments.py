"""Attachments on screen: listed with the inject on the console and the projector,
opened by the facilitator from the palette (the viewer replaced), never shown
to the room when they are the facilitator's."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from scenarios import harbour_attachments_loaded
from textual.widgets import Static

from tabletop.app import attachments
from tabletop.session.authors import new_recorder
from tabletop.session.session import Session
from tabletop.tui.console.app import make_app, make_present_app
from tabletop.tui.screens.present import InjectCard
from tabletop.tui.widgets.inject_view import InjectView

from .conftest import FakeClock
from .helpers import palette, wait_until

SIZE = (120, 36)


@pytest.fixture
def session(tmp_path: Path, clock: FakeClock) -> Iterator[Session]:
    s = Session.create(tmp_path / "harbour.db", harbour_attachments_loaded(tmp_path), clock=clock)
    yield s
    s.close()


def heading(app: object) -> str:
    view = app.console_screen.query_one(InjectView)  # type: ignore[attr-defined]
    return str(view.query_one("#inject-heading", Static).render())


def open_titles(app: object) -> list[str]:
    commands = app.console_screen.palette_commands("")  # type: ignore[attr-defined]
    return [c.title for c in commands if c.title.startswith("attachment:")]


async def test_the_facilitator_sees_and_opens_the_inject_s_attachments(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[Path] = []
    monkeypatch.setattr(attachments, "viewer", lambda: shown.append)
    session.deliver("harbour-alarm")
    app = make_app(session, where="harbour.db")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        text = heading(app)
        assert "Attachments: pier-4.png (image)" in text
        assert "Facilitator only: fire-plan.pdf (PDF)" in text
        assert open_titles(app) == ["attachment: open pier-4.png",
                                    "attachment: open fire-plan.pdf"]
        await palette(pilot, "attachment: open fire-plan.pdf")
        assert shown == [(tmp_path / "ws" / "control" / "fire-plan.pdf").resolve()]
        messages = [n.message for n in app._notifications]
        assert any("Opened in the system viewer" in m for m in messages)

        monkeypatch.setattr(attachments, "viewer", lambda: None)  # over SSH, say
        await palette(pilot, "attachment: open pier-4.png")
        real = str((tmp_path / "ws" / "handouts" / "pier-4.png").resolve())
        await wait_until(pilot, lambda: any(real in n.message for n in app._notifications))
        assert app.clipboard == real

        # Its file was removed after the start.
        app.console_screen.attempt("deliver", lambda: session.deliver("minister-call"))
        await wait_until(pilot, lambda: "missing.pdf" in heading(app))
        await palette(pilot, "attachment: open missing.pdf")
        await wait_until(pilot, lambda: any("handouts/missing.pdf: not found" in n.message
                                            for n in app._notifications))
        assert app.screen is app.console_screen  # a message, not a crash
    assert len(shown) == 1


async def test_a_scribe_sees_its_team_s_handouts_and_opens_none(
    session: Session, clock: FakeClock
) -> None:
    session.deliver("harbour-alarm")
    scribe = Session.open(Path(session.location), clock=clock,
                          recorder=new_recorder("scribe", "P. Ndiaye", ("civ",)))
    app = make_app(scribe, where="harbour.db")
    async with app.run_test(size=SIZE):
        text = heading(app)
        assert "Attachments: pier-4.png (image)" in text
        assert "fire-plan" not in text and "Facilitator only" not in text
        assert open_titles(app) == []


async def test_an_observer_sees_the_facilitator_s_files_but_opens_none(
    session: Session, clock: FakeClock
) -> None:
    session.deliver("harbour-alarm")
    observer = Session.open(Path(session.location), clock=clock,
                            recorder=new_recorder("observer", "A. Guest", ()))
    app = make_app(observer, where="harbour.db")
    async with app.run_test(size=SIZE):
        assert "Facilitator only: fire-plan.pdf (PDF)" in heading(app)
        assert open_titles(app) == []


async def test_the_projector_names_the_handouts_only(session: Session) -> None:
    session.deliver("harbour-alarm")
    reader = Session.open_readonly(session.store.path)
    app = make_present_app(reader, poll=0.05)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: len(app.screen.query(InjectCard)) == 1)
            card = app.screen.query_one(InjectCard)
            text = "\n".join(str(w.render()) for w in card.query(Static))
            assert "Attachments: pier-4.png" in text
            assert "fire-plan" not in text
    finally:
        reader.close()
