"""The command palette: every console action, titled "noun: verb"."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Protocol

from textual.command import DiscoveryHit, Hit, Hits, Provider

# Searching thousands of "inject: jump to" titles on every keystroke is wasted
# work until the query says which inject is meant.
JUMP_QUERY_MIN = 2


@dataclass(frozen=True)
class PaletteCommand:
    title: str
    run: Callable[[], object]
    help: str = ""
    discover: bool = True
    """Listed before anything is typed (per-inject jumps are not)."""


class HasCommands(Protocol):
    def palette_commands(self, query: str) -> Iterable[PaletteCommand]: ...


class ConsoleCommands(Provider):
    """Asks the console screen for its commands each time the palette opens."""

    def _source(self) -> HasCommands | None:
        screen = getattr(self.app, "console_screen", None)
        return screen if screen is not None else None

    async def search(self, query: str) -> Hits:
        source = self._source()
        if source is None:
            return
        matcher = self.matcher(query)
        for command in source.palette_commands(query):
            score = matcher.match(command.title)
            if score > 0:
                yield Hit(score, matcher.highlight(command.title), partial(command.run),
                          help=command.help)

    async def discover(self) -> Hits:
        source = self._source()
        if source is None:
            return
        for command in source.palette_commands(""):
            if command.discover:
                yield DiscoveryHit(command.title, partial(command.run), help=command.help)
