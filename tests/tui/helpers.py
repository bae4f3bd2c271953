"""Driving the console by keys, as a facilitator would."""

from __future__ import annotations

import time
from collections.abc import Callable

from textual import events
from textual.pilot import Pilot

KEY_NAMES = {" ": "space", ":": "colon", "-": "minus", "(": "left_parenthesis",
             ")": "right_parenthesis", "/": "slash", ".": "full_stop", "+": "plus",
             "?": "question_mark"}


async def wait_until(
    pilot: Pilot[None], condition: Callable[[], object], timeout: float = 10.0
) -> None:
    """Let the app run until ``condition()`` holds: a wait on what the test needs,
    not on a guess of how long a slow machine takes."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for the app")
        await pilot.pause(0.01)


async def press_in_a_burst(pilot: Pilot[None], *keys: str) -> None:
    """Press ``keys`` back to back, as a facilitator hammering a key does: the
    app handles each in order but draws only the frames it has time for."""
    for key in keys:
        pilot.app.post_message(events.Key(key, key if len(key) == 1 else None))
    await pilot.pause()


async def type_text(pilot: Pilot[None], text: str) -> None:
    """Type ``text`` as a fast typist does: every key arrives before the first is
    handled (``pilot.press`` lets the app settle after each key, about 50 ms a
    key here). The console must take keys in bursts anyway: a paste is one."""
    for ch in text:
        pilot.app.post_message(events.Key(KEY_NAMES.get(ch, ch), ch))
    await pilot.pause()


async def palette(pilot: Pilot[None], title: str) -> None:
    """Run a command palette command by typing its title and pressing enter."""
    from textual.command import CommandList, CommandPalette
    from textual.widgets import Input

    await pilot.press("ctrl+p")
    await pilot.pause()
    assert isinstance(pilot.app.screen, CommandPalette)
    # Setting the query at once searches exactly as typing it would, only faster.
    palette_screen = pilot.app.screen
    results = palette_screen.query_one(CommandList)
    palette_screen.query_one(Input).value = title

    def found() -> bool:
        highlighted = results.highlighted
        if highlighted is None or not results.option_count:
            return False
        return str(results.get_option_at_index(highlighted).prompt).startswith(title)

    await wait_until(pilot, found)
    await pilot.press("enter")
    await pilot.pause()
