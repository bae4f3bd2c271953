"""The full event log, with corrections linked to what they correct, filterable
by team and by inject. Enter on a linked row jumps to the other end of the link."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Input, Select

from tabletop.session.events import Event
from tabletop.session.state import SessionState, StateNames


@dataclass(frozen=True)
class HistoryRow:
    event: Event
    team: str | None
    inject: str | None
    corrects: int | None
    corrected_by: tuple[int, ...]
    summary: str


def history_rows(state: SessionState) -> list[HistoryRow]:
    """Every event, with the team and inject it concerns (a correction inherits
    them from the event it corrects) and its sentence, as the report gives it."""
    names = StateNames(state)
    by_seq: dict[int, HistoryRow] = {}
    rows: list[HistoryRow] = []
    for event in state.history:
        payload = event.payload
        corrects = payload.target
        target = by_seq.get(corrects) if corrects is not None else None
        team, inject = payload.team_ref, payload.inject_ref
        if target is not None:
            team = team or target.team
            inject = inject or target.inject
        row = HistoryRow(
            event=event,
            team=team,
            inject=inject,
            corrects=corrects,
            corrected_by=tuple(state.corrections.get(event.seq, ())),
            summary=payload.describe(names),
        )
        by_seq[event.seq] = row
        rows.append(row)
    return rows


def matches(row: HistoryRow, team: str | None, inject: str) -> bool:
    if team is not None and row.team != team:
        return False
    return not inject or (row.inject is not None and inject.lower() in row.inject.lower())


def link_text(row: HistoryRow) -> str:
    parts = []
    if row.corrects is not None:
        parts.append(f"↳ corrects #{row.corrects}")
    if row.corrected_by:
        parts.append("✎ corrected by " + ", ".join(f"#{s}" for s in row.corrected_by))
    return "  ".join(parts)


class HistoryScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="history-close", tooltip="Back to the console"),
        Binding("f", "focus_filter", "Filter", id="history-filter",
                tooltip="Filter by inject id"),
    ]
    DEFAULT_CSS = """
    HistoryScreen { align: center middle; }
    HistoryScreen > Vertical {
        width: 100%; height: 100%; border: thick $accent; background: $surface;
    }
    HistoryScreen Horizontal { height: auto; }
    HistoryScreen Select { width: 40; }
    HistoryScreen Input { width: 1fr; }
    HistoryScreen DataTable { height: 1fr; }
    """

    def __init__(self, state: SessionState) -> None:
        super().__init__()
        self.state = state
        self.rows = history_rows(state)
        self.shown: list[HistoryRow] = []

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "History: every event, corrections linked"
            box.border_subtitle = "enter follow link · f filter · escape close"
            with Horizontal():
                teams = [(Text(t.name), t.id) for t in self.state.scenario.teams]
                yield Select(teams, prompt="All teams", id="history-team")
                yield Input(placeholder="filter by inject id", id="history-inject")
            yield DataTable(id="history-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("#", "time (UTC)", "event", "team", "inject", "link", "details")
        self.fill()
        table.focus()

    def fill(self) -> None:
        team_value = self.query_one("#history-team", Select).value
        team = team_value if isinstance(team_value, str) else None
        inject = self.query_one("#history-inject", Input).value.strip()
        table = self.query_one(DataTable)
        table.clear()
        self.shown = [row for row in self.rows if matches(row, team, inject)]
        for row in self.shown:
            event = row.event
            when = datetime.fromtimestamp(event.wall, UTC).strftime("%H:%M:%S")
            # Text, not str: a str cell is read as markup, and the details hold
            # what people typed (a decision reading "[/]" must not crash the table).
            cells = (str(event.seq), when, event.kind, row.team or "", row.inject or "",
                     link_text(row), row.summary[:80])
            table.add_row(*(Text(cell) for cell in cells), key=str(event.seq))

    def on_select_changed(self, event: Select.Changed) -> None:
        self.fill()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.fill()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.cursor_row >= len(self.shown):
            return
        row = self.shown[event.cursor_row]
        target = row.corrects if row.corrects is not None else next(iter(row.corrected_by), None)
        if target is None:
            return
        table = self.query_one(DataTable)
        for n, other in enumerate(self.shown):
            if other.event.seq == target:
                table.move_cursor(row=n)
                return
        self.notify(f"Event #{target} is hidden by the filter", severity="warning")

    def action_focus_filter(self) -> None:
        self.query_one("#history-inject", Input).focus()

    def action_close(self) -> None:
        self.dismiss(None)
