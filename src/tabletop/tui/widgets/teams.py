"""The teams, with the selected one marked (by a pointer, not by colour alone), and
those that received the inject on screen marked with ``»``."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from tabletop.session.state import SessionState

RECEIVED = "»"


def teams_text(
    state: SessionState,
    selected_team: str,
    mine: tuple[str, ...] = (),
    received: frozenset[str] = frozenset(),
) -> Text:
    """Every team, numbered for its key, ``»`` before those in ``received``; a console
    that records for some teams only shows the others dimmed."""
    text = Text()
    for n, team in enumerate(state.scenario.teams, 1):
        selected = team.id == selected_team
        key = str(n) if n <= 9 else " "
        mark = RECEIVED if team.id in received else " "
        # The id first: it is short, unique, and what --team takes; long names that
        # share their first words ("Averna MoD …", "Averna MFA …") then stay apart.
        line = f"{'▶' if selected else ' '} {key} {mark} {team.id}  {team.name}"
        dim = bool(mine) and team.id not in mine
        text.append(line, style="bold reverse" if selected else "dim" if dim else "")
        text.append("\n")
    text.rstrip()
    return text


class TeamsPanel(Static):
    DEFAULT_CSS = """
    TeamsPanel {
        height: auto; max-height: 11; padding: 0 1;
        text-wrap: nowrap; text-overflow: ellipsis;  /* one line per team */
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = "Teams (t / 1-9)"
        self.border_subtitle = f"{RECEIVED} got it"

    def show(
        self,
        state: SessionState,
        selected_team: str,
        mine: tuple[str, ...] = (),
        received: frozenset[str] = frozenset(),
    ) -> None:
        self.update(teams_text(state, selected_team, mine, received))
