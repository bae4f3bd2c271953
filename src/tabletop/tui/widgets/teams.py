"""The teams, with the selected one marked (by a pointer, not by colour alone)."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from tabletop.session.state import SessionState


def teams_text(state: SessionState) -> Text:
    text = Text()
    for n, team in enumerate(state.scenario.teams, 1):
        selected = team.id == state.selected_team
        key = str(n) if n <= 9 else " "
        line = f"{'▶' if selected else ' '} {key} {team.name}"
        text.append(line, style="bold reverse" if selected else "")
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

    def show(self, state: SessionState) -> None:
        self.update(teams_text(state))
