"""Text fields that take a burst of keys in the order it was typed.

Textual's ``Input`` and ``TextArea`` insert a printable key in their own
``_on_key``, but run their bound keys (backspace, delete, arrows, home, ...)
only once the key has bubbled up through every ancestor to the app, one
message queue at a time. In a burst (a fast typist, a paste, a terminal
delivering many keys in one read) a character typed after a backspace can
then land first: 30 backspaces and ``ab`` left an empty field, the late
backspaces deleting ``a`` and ``b`` (Textual issue #6605). These fields run
their own bindings where they handle characters, so the order holds.
Tests: tests/tui/test_fields.py, tests/e2e/test_tmux_run.py.
"""

from __future__ import annotations

from textual import events
from textual.widget import Widget
from textual.widgets import Input, TextArea

__all__ = ["FieldArea", "FieldInput", "run_own_binding"]


async def run_own_binding(widget: Widget, event: events.Key) -> None:
    """Run ``event``'s key binding at once if it is ``widget``'s own (what the app
    would run for it later, keymap applied); the key then goes no further."""
    if event.is_printable:
        return  # the widget types it itself, in order already
    active = widget.screen.active_bindings.get(event.key)
    # Priority bindings ran before the key reached the widget; an ancestor's
    # binding is left to bubble as usual.
    if active is None or active.node is not widget or active.binding.priority:
        return
    if await widget.app.run_action(active.binding.action, widget):
        event.stop()  # handled: it bubbles no further, so the app runs it only once


class FieldInput(Input):
    """A single-line field whose editing keys keep their place among typed ones."""

    async def _on_key(self, event: events.Key) -> None:
        await run_own_binding(self, event)


class FieldArea(TextArea):
    """A multi-line field whose editing keys keep their place among typed ones."""

    async def _on_key(self, event: events.Key) -> None:
        await run_own_binding(self, event)
