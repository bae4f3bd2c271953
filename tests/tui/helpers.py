"""Driving the console by keys, as a facilitator would."""

from __future__ import annotations

from textual.pilot import Pilot

KEY_NAMES = {" ": "space", ":": "colon", "-": "minus", "(": "left_parenthesis",
             ")": "right_parenthesis", "/": "slash", ".": "full_stop", "+": "plus"}


async def type_text(pilot: Pilot[None], text: str) -> None:
    await pilot.press(*(KEY_NAMES.get(ch, ch) for ch in text))


async def palette(pilot: Pilot[None], title: str) -> None:
    """Run a command palette command by typing its title and pressing enter."""
    from textual.command import CommandPalette
    from textual.widgets import Input

    await pilot.press("ctrl+p")
    await pilot.pause()
    assert isinstance(pilot.app.screen, CommandPalette)
    # Setting the query at once searches exactly as typing it would, only faster.
    pilot.app.screen.query_one(Input).value = title
    await pilot.pause(0.3)
    await pilot.press("enter")
    await pilot.pause()
