"""Issue 14, item 8: an inject's From/To/Subject block shows one header a line on the
console and on the projector; the paragraph under it still wraps as one text."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from scenarios import Loaded, harbour_drill_data, scenario
from textual.geometry import Region
from textual.widget import Widget
from textual.widgets import Static
from textual.widgets.markdown import MarkdownBlock

from tabletop.session.session import Session
from tabletop.tui.console.app import make_app, make_present_app
from tabletop.tui.screens.present import InjectCard

from .conftest import FakeClock
from .helpers import wait_until

SIZE = (120, 36)
HEADERS = ["From: Harbour master", "To: All ministries", "Subject: Smoke over pier 4"]
BODY = ("**From:** Harbour master\n**To:** All ministries\n**Subject:** Smoke over pier 4\n\n"
        "The fire started in a warehouse at the end of the\npier and is spreading.")


@pytest.fixture
def mail(tmp_path: Path, clock: FakeClock) -> Iterator[Session]:
    data = harbour_drill_data()
    data["injects"][0]["body"] = BODY
    loaded = Loaded(scenario(data), tmp_path / "harbour-drill.yaml", "0" * 64)
    s = Session.create(tmp_path / "mail.db", loaded, clock=clock)
    yield s
    s.close()


def shown_lines(widget: Widget) -> list[str]:
    """The widget's lines as drawn, trailing blanks removed."""
    width, height = widget.size
    strips = widget.render_lines(Region(0, 0, width, height))
    return [line for line in (strip.text.strip() for strip in strips) if line]


async def test_the_console_shows_each_header_on_its_own_line(mail: Session) -> None:
    mail.deliver("harbour-alarm")
    app = make_app(mail, where="mail.db")
    async with app.run_test(size=SIZE) as pilot:
        body = app.console_screen.query_one("#inject-body", Static)
        await wait_until(pilot, lambda: bool(shown_lines(body)))
        lines = shown_lines(body)
        assert lines[:3] == HEADERS
        # The paragraph's soft break is no line of its own.
        assert not any(line.startswith("pier and") for line in lines)
        assert "end of the pier and" in " ".join(lines)


async def test_the_projector_shows_each_header_on_its_own_line(mail: Session) -> None:
    mail.deliver("harbour-alarm")
    reader = Session.open_readonly(Path(mail.location))
    try:
        app = make_present_app(reader)
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: len(app.screen.query(InjectCard)) == 1)
            card = app.screen.query_one(InjectCard)
            await wait_until(pilot, lambda: len(card.query(MarkdownBlock)) == 2)
            headers, paragraph = card.query(MarkdownBlock)
            await wait_until(pilot, lambda: bool(shown_lines(paragraph)))
            assert shown_lines(headers) == HEADERS
            assert not any(line.startswith("pier and") for line in shown_lines(paragraph))
    finally:
        reader.close()
