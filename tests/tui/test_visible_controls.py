"""Control and bidi characters in scenario text and decisions never reach the
terminal raw: the console and present draw them as visible characters."""

from __future__ import annotations

import rich.control
import textual.content
from rich.text import Text
from textual.content import Content

from tabletop.session.session import Session
from tabletop.tui.console.app import make_app, make_present_app
from tabletop.tui.visible_controls import glyphs

from .helpers import wait_until

PAYLOAD = "Leak\x1b[2J\x1b]52;c;eA==\x07X\u009bY\u202eZ\u200bW"
RAW = ("\x1b", "\u009b", "\u202e", "\u200b")


def test_both_libraries_still_translate_through_the_tables_we_extend() -> None:
    """Rich and Textual read these private tables: if an upgrade moves them, this fails."""
    for table in (rich.control._CONTROL_STRIP_TRANSLATE, textual.content._CONTROL_STRIP_TRANSLATE):
        for code, glyph in glyphs().items():
            assert table[code] in (glyph, None)
    text = Text(PAYLOAD)
    assert not any(char in text.plain for char in RAW)
    assert "␛[2J" in text.plain
    content = Content(PAYLOAD)
    assert not any(char in content.plain for char in RAW)
    assert len(Text("a\x1bb", style="bold").plain) == 3  # one column each: spans stay put


def record_payload(session: Session) -> None:
    session.record(
        "unscripted_inject",
        inject={"id": "leak", "title": PAYLOAD, "channel": "news", "from": PAYLOAD,
                "to": "all", "body": f"# {PAYLOAD}\n\n{PAYLOAD}"},
    )
    session.record_decision("mod", PAYLOAD)


async def test_the_console_draws_no_control_character(session: Session) -> None:
    record_payload(session)
    app = make_app(session, where=f"s{PAYLOAD}.db")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        screen = app.export_screenshot()
        assert not any(char in screen for char in RAW)
        assert "␛[2J" in screen


async def test_present_draws_no_control_character(session: Session) -> None:
    record_payload(session)
    reader = Session.open_readonly(session.store.path)
    app = make_present_app(reader, poll=0.05)
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_until(pilot, lambda: "Leak" in app.export_screenshot())
            screen = app.export_screenshot()
            assert not any(char in screen for char in RAW)
    finally:
        reader.close()
