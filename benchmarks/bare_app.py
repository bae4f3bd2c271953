"""The startup and memory baseline: a bare Textual app with one Static and a Footer.

It is launched exactly like ``tabletop run ... --headless-smoke``: headless,
and it exits as soon as the app is ready (after the first refresh settles).
"""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult
from textual.widgets import Footer, Static


class BareApp(App[None]):
    BINDINGS = [("q", "quit", "Quit")]  # noqa: RUF012 - Textual's own idiom

    def compose(self) -> ComposeResult:
        yield Static("tabletop benchmark baseline")
        yield Footer()


async def _exit_when_ready(pilot: Any) -> None:
    await pilot.pause()
    pilot.app.exit()


def main() -> int:
    BareApp().run(headless=True, auto_pilot=_exit_when_ready)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
