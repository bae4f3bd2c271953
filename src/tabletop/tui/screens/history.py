"""The full event log, with corrections linked to what they correct, filterable
by team and by inject. Enter on a linked row jumps to the other end of the link.

The rows are worked out once when the view opens (the team and inject of each
event, and its links), in one pass over the history; each row's sentence waits
until the row is shown, and only the rows on screen are ever rendered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar, overload

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Select, Static

from tabletop.session.events import Event
from tabletop.session.state import SessionState, StateNames
from tabletop.tui.keys.bindings import HISTORY_BINDINGS
from tabletop.tui.widgets.fields import FieldInput
from tabletop.tui.widgets.history_table import HistoryTable, Row, columns_for, header_text


@dataclass(frozen=True, slots=True)
class HistoryRow:
    event: Event
    team: str | None
    inject: str | None
    corrects: int | None
    corrected_by: tuple[int, ...]


class HistoryRows(Sequence[HistoryRow]):
    """Every event as a row, each worked out when first asked for: the team and
    inject it concerns (a correction inherits them from the event it corrects,
    which is never itself a correction). Opening the view costs nothing per
    event; a filter reads every row once."""

    def __init__(self, state: SessionState) -> None:
        self.state = state
        self.history = state.history
        self._rows: dict[int, HistoryRow] = {}

    def __len__(self) -> int:
        return len(self.history)

    @overload
    def __getitem__(self, index: int) -> HistoryRow: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[HistoryRow]: ...

    def __getitem__(self, index: int | slice) -> HistoryRow | Sequence[HistoryRow]:
        if isinstance(index, slice):
            return [self[n] for n in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        row = self._rows.get(index)
        if row is None:
            row = self._rows[index] = self._row(self.history[index])
        return row

    def _row(self, event: Event) -> HistoryRow:
        payload = event.payload
        corrects = payload.target
        team, inject = payload.team_ref, payload.inject_ref
        target = self.state.event(corrects) if corrects is not None else None
        if target is not None:
            team = team or target.payload.team_ref
            inject = inject or target.payload.inject_ref
        return HistoryRow(
            event=event,
            team=team,
            inject=inject,
            corrects=corrects,
            corrected_by=tuple(self.state.corrections.get(event.seq, ())),
        )


def history_rows(state: SessionState) -> list[HistoryRow]:
    """Every event as a row (see HistoryRows)."""
    return list(HistoryRows(state))


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
    BINDINGS: ClassVar[list[BindingType]] = HISTORY_BINDINGS
    DEFAULT_CSS = """
    HistoryScreen { align: center middle; }
    HistoryScreen > Vertical {
        width: 100%; height: 100%; border: thick $accent; background: $surface;
    }
    HistoryScreen Horizontal { height: auto; }
    HistoryScreen Select { width: 40; }
    HistoryScreen Input { width: 1fr; }
    HistoryScreen #history-header { height: 1; padding: 0 0 0 0; }
    HistoryScreen HistoryTable { height: 1fr; }
    """

    def __init__(self, state: SessionState) -> None:
        super().__init__()
        self.state = state
        self.names = StateNames(state)
        self.rows = HistoryRows(state)
        self.shown: Sequence[HistoryRow] = ()

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "History: every event, corrections linked"
            box.border_subtitle = "enter follow link · f filter · escape close"
            with Horizontal():
                teams = [(Text(t.name), t.id) for t in self.state.scenario.teams]
                yield Select(teams, prompt="All teams", id="history-team")
                yield FieldInput(placeholder="filter by inject id", id="history-inject")
            scenario = self.state.scenario
            columns = columns_for(
                self.state.last_seq, [t.id for t in scenario.teams], list(self.state.injects),
                authors=len(self.state.authors) > 1 or any(a.name for a in self.state.authors),
            )
            yield Static(header_text(columns), id="history-header")
            yield HistoryTable(columns, self._cells, id="history-table")
        yield Footer()

    def _cells(self, row: Row) -> tuple[str, str]:
        assert isinstance(row, HistoryRow)
        return link_text(row), row.event.payload.describe(self.names)

    def on_mount(self) -> None:
        self.fill()
        self.query_one(HistoryTable).focus()

    def fill(self) -> None:
        team_value = self.query_one("#history-team", Select).value
        team = team_value if isinstance(team_value, str) else None
        inject = self.query_one("#history-inject", Input).value.strip()
        if team is None and not inject:
            self.shown = self.rows
        else:
            self.shown = [row for row in self.rows if matches(row, team, inject)]
        self.query_one(HistoryTable).show(self.shown)

    def on_select_changed(self, event: Select.Changed) -> None:
        self.fill()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.fill()

    def on_history_table_selected(self, event: HistoryTable.Selected) -> None:
        if event.index >= len(self.shown):
            return
        row = self.shown[event.index]
        target = row.corrects if row.corrects is not None else next(iter(row.corrected_by), None)
        if target is None:
            return
        table = self.query_one(HistoryTable)
        if self.shown is self.rows:  # unfiltered: event seq N is row N - 1
            table.move_cursor(row=target - 1)
            return
        for n, other in enumerate(self.shown):
            if other.event.seq == target:
                table.move_cursor(row=n)
                return
        self.notify(f"Event #{target} is hidden by the filter", severity="warning")

    def action_focus_filter(self) -> None:
        self.query_one("#history-inject", Input).focus()

    def action_close(self) -> None:
        self.dismiss(None)
