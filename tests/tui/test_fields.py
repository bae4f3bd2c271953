"""Issue 14, item 19: a form's text fields take a burst of keys in the order typed.

The keys are posted to the app all at once, as the driver does with what one read
from the terminal holds (tests/e2e/test_tmux_run.py does it in a real terminal)."""

from __future__ import annotations

import pytest
from textual import events
from textual.app import App, ComposeResult
from textual.widgets import Input, TextArea

from tabletop.tui.widgets.fields import FieldArea, FieldInput

from .helpers import wait_until


class Fields(App[None]):
    def compose(self) -> ComposeResult:
        yield FieldInput("2026-03-14T06:00+00:00", id="line")
        yield FieldArea("Hold the line", id="area")
        yield FieldInput(id="after")


def focus_at_end(app: App[None], field_id: str) -> None:
    field = app.query_one(f"#{field_id}")
    field.focus()
    if isinstance(field, TextArea):  # its cursor starts at the beginning
        field.move_cursor(field.document.end)


def burst(app: App[None], *keys: str) -> None:
    for key in keys:
        app.post_message(events.Key(key, key if len(key) == 1 else None))


def text_of(app: App[None], field_id: str) -> str:
    field = app.query_one(f"#{field_id}")
    if isinstance(field, Input):
        return field.value
    assert isinstance(field, TextArea)
    return field.text


@pytest.mark.parametrize("field_id", ["line", "area"])
async def test_more_backspaces_than_characters_then_typing_keeps_what_was_typed(
    field_id: str,
) -> None:
    app = Fields()
    async with app.run_test() as pilot:
        focus_at_end(app, field_id)
        for _ in range(5):
            burst(app, *["backspace"] * 30, "a", "b")
            await wait_until(pilot, lambda: text_of(app, field_id) == "ab")
            await pilot.pause(0.05)  # no late backspace takes it away
            assert text_of(app, field_id) == "ab"


@pytest.mark.parametrize("field_id", ["line", "area"])
async def test_cursor_keys_and_deletes_act_where_they_were_typed(field_id: str) -> None:
    app = Fields()
    async with app.run_test() as pilot:
        focus_at_end(app, field_id)
        burst(app, *["backspace"] * 30, "a", "c", "left", "b", "end", "x", "backspace",
              "d", "home", "delete", "A")
        await wait_until(pilot, lambda: text_of(app, field_id) == "Abcd")


async def test_keys_bound_above_the_field_still_reach_their_binding() -> None:
    app = Fields()
    async with app.run_test() as pilot:
        app.query_one("#line", Input).focus()
        # tab is the screen's (focus next), not the field's: it bubbles as before.
        burst(app, "end", "backspace", "tab")
        await wait_until(pilot, lambda: app.focused is app.query_one("#area", TextArea))
        assert text_of(app, "line") == "2026-03-14T06:00+00:0"
