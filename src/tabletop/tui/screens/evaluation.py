"""The evaluation screen: per objective, coverage and the provisional rating.

One key away from the console (``e``), so that the facilitator and evaluators
see which teams still lack ratings while the teams are still in the room. It
redraws when an event arrives while it is open.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from tabletop.app.evaluation import ObjectiveProgress, evaluation_progress
from tabletop.core.safetext import for_terminal as printable
from tabletop.session.state import SessionState
from tabletop.tui.following import StateChanged
from tabletop.tui.keys.bindings import EVALUATION_BINDINGS

RATING_STYLE = {"P": "bold green", "S": "bold yellow", "M": "bold dark_orange", "U": "bold red"}


def _bar(rated: int, expected: int, width: int = 10) -> str:
    if expected <= 0:
        return "·" * width
    filled = round(width * min(rated, expected) / expected)
    return "█" * filled + "░" * (width - filled)


def objective_text(progress: ObjectiveProgress) -> Text:
    text = Text()
    text.append(f"{progress.number}. ", style="bold")
    text.append(printable(progress.text), style="bold")
    if progress.capability:
        text.append(f"  ({printable(progress.capability)})", style="dim")
    text.append("\n   ")
    text.append(f" {progress.rating or '–'} ", style=RATING_STYLE.get(progress.rating or "",
                                                                    "reverse"))
    text.append(f" {progress.rating_text}")
    if progress.overridden:
        text.append("  facilitator override", style="italic")
    elif progress.provisional:
        text.append("  provisional", style="italic")
    text.append(f"   {progress.rated} of {progress.expected} expected items rated\n")
    for team in progress.teams:
        done = team.rated >= team.expected
        text.append(f"    {_bar(team.rated, team.expected)} ", style="green" if done else "yellow")
        text.append(f"{printable(team.team)}: {team.rated} of {team.expected}")
        if team.missing:
            text.append(f"  to rate: {printable(', '.join(team.missing))}", style="yellow")
        text.append("\n")
    if progress.gap_text:
        text.append(f"    missing: {printable(progress.gap_text)}\n", style="yellow")
    repeats = bool(progress.gap_text) and progress.gap_text in progress.basis
    if progress.basis and not repeats:
        text.append(f"    {printable(progress.basis)}\n", style="dim")
    return text


def evaluation_text(state: SessionState) -> Text:
    progress = evaluation_progress(state)
    text = Text()
    rated = sum(1 for p in progress if p.rating)
    text.append(f"{rated} of {len(progress)} objectives can be rated now. ", style="bold")
    text.append("Items count when a delivered inject expected them of one of the "
                "objective's teams.\n\n", style="dim")
    for entry in progress:
        text.append_text(objective_text(entry))
        text.append("\n")
    return text


class EvaluationScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = EVALUATION_BINDINGS
    DEFAULT_CSS = """
    EvaluationScreen { align: center middle; }
    EvaluationScreen > Vertical {
        width: 110; max-width: 100%; height: 90%; border: thick $accent;
        background: $surface; padding: 0 1;
    }
    """

    def __init__(self, state: SessionState) -> None:
        super().__init__()
        self.state = state

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Evaluation so far"
            box.border_subtitle = "escape close"
            with VerticalScroll():
                yield Static(evaluation_text(self.state), id="evaluation-text")
        yield Footer()

    def on_state_changed(self, _message: StateChanged) -> None:
        self.redraw()

    def redraw(self) -> None:
        self.query_one("#evaluation-text", Static).update(evaluation_text(self.state))

    def action_close(self) -> None:
        self.dismiss(None)
