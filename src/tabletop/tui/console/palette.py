"""The command palette: every console action, titled "noun: verb"."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Protocol

from textual import work
from textual.command import CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher

from tabletop.session.state import SessionState

# Searching thousands of "inject: jump to" titles on every keystroke is wasted
# work until the query says which inject is meant.
JUMP_QUERY_MIN = 2
JUMP_SHOWN = 30
"""At most this many "inject: jump to" commands reach the fuzzy matcher."""
_COMMAND_WORDS = ("inject", "jump", "to")


def jump_targets(state: SessionState, query: str) -> list[str]:
    """The injects a palette query may mean, in timeline order, at most JUMP_SHOWN:
    each word of the query (besides the command's own, "inject: jump to") must be
    in the inject's id or title. A plain substring test per inject is cheap next
    to fuzzy-matching thousands of titles, and it keeps each key as fast at 5,000
    injects as at 20."""
    words = [
        word
        for word in query.lower().replace(":", " ").split()
        if not any(command.startswith(word) for command in _COMMAND_WORDS)
    ]
    if not words:
        return []
    found: list[str] = []
    for inject_id in state.order:
        haystack = f"{inject_id} {state.injects[inject_id].inject.title}".lower()
        if all(word in haystack for word in words):
            found.append(inject_id)
            if len(found) == JUMP_SHOWN:
                break
    return found


@dataclass(frozen=True)
class PaletteCommand:
    title: str
    run: Callable[[], object]
    help: str = ""
    discover: bool = True
    """Listed before anything is typed (per-inject jumps are not)."""


def highlighted(matcher: Matcher, title: str) -> Content:
    """``title`` with the matched letters marked, as plain text: titles hold inject
    titles and team names, which must never be read as Textual markup."""
    content = Content(title)
    _score, offsets = matcher.fuzzy_search.match(matcher.query, title)
    for offset in offsets:
        if not title[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


_TEXTUAL_SEARCH = CommandPalette._gather_commands.__wrapped__  # type: ignore[attr-defined]


class ConsolePalette(CommandPalette):
    """Textual's command palette without two crashes that fast typing could cause
    inside Textual, each taking the whole console down mid-exercise:

    * page up/down while the result list is not laid out yet (just after a search
      that matched nothing) raised KeyError;
    * a search still starting as the palette closed found no result list
      (NoMatches) in a worker that exits the app on error.
    """

    # Upstream: CommandPalette._gather_commands runs as a worker with
    # exit_on_error=True and queries the CommandList, which is gone once the
    # palette closes (NoMatches). Test:
    # tests/tui/test_no_crash.py::test_a_search_left_running_as_the_palette_closes_does_not_crash
    @work(exclusive=True, group=CommandPalette._GATHER_COMMANDS_GROUP, exit_on_error=False)
    async def _gather_commands(self, search_value: str) -> None:
        await _TEXTUAL_SEARCH(self, search_value)

    # Upstream: OptionList's page_up/page_down index the line cache, which is
    # empty between fresh results and their first layout (KeyError). Test:
    # tests/tui/test_no_crash.py::test_paging_a_palette_list_not_laid_out_does_not_crash
    def _action_command_list(self, action: str) -> None:
        try:
            super()._action_command_list(action)
        except (KeyError, IndexError):
            if action not in ("page_up", "page_down"):
                raise


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
                yield Hit(score, highlighted(matcher, command.title), partial(command.run),
                          text=command.title, help=command.help)

    async def discover(self) -> Hits:
        source = self._source()
        if source is None:
            return
        for command in source.palette_commands(""):
            if command.discover:
                yield DiscoveryHit(Content(command.title), partial(command.run),
                                   text=command.title, help=command.help)
