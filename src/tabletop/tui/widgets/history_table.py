"""The history's rows: one line per event, for any number of events.

A Line API widget like the timeline: only the rows on screen are rendered, and
each row's sentence is worked out when it is first shown. A DataTable measured
every cell of every row when the view opened and again on each filter key,
seconds at a few thousand events.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import ClassVar, Protocol

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tabletop.session.events import Event
from tabletop.tui.keys.bindings import HISTORY_TABLE_BINDINGS


class Row(Protocol):
    @property
    def event(self) -> Event: ...

    @property
    def team(self) -> str | None: ...

    @property
    def inject(self) -> str | None: ...


Columns = tuple[tuple[str, int], ...]
"""Each column's heading and width; the last takes the rest of the line."""


def columns_for(
    last_seq: int, teams: Sequence[str], injects: Sequence[str], *, authors: bool = False
) -> Columns:
    """Widths from what the cells can hold: the scenario's ids (bounded by the
    exercise, not by the record) and the number of the last event. ``authors``
    adds who recorded each event: when more than the facilitator recorded."""

    def fit(heading: str, values: Sequence[str], most: int) -> tuple[str, int]:
        widest = max((len(v) for v in values), default=0)
        return heading, min(most, max(len(heading), widest)) + 2

    return (
        fit("#", [str(last_seq)], 9),
        ("time (UTC)", 12),
        *((("by", 16),) if authors else ()),
        fit("event", ["decision_retracted"], 20),
        fit("team", teams, 16),
        fit("inject", injects, 24),
        ("link", 22),
        ("details", 0),
    )


def _cells(columns: Columns, values: Sequence[str]) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    for (_, width), value in zip(columns, values, strict=True):
        if width:
            cell = Text(value, no_wrap=True, overflow="ellipsis")
            cell.truncate(width - 2, overflow="ellipsis", pad=True)
            text.append_text(cell)
            text.append("  ")
        else:
            text.append(value)
    return text


def header_text(columns: Columns) -> Text:
    text = _cells(columns, [heading for heading, _ in columns])
    text.stylize("bold")
    return text


class HistoryTable(ScrollView, can_focus=True):
    COMPONENT_CLASSES: ClassVar[set[str]] = {"history-table--cursor"}
    DEFAULT_CSS = """
    HistoryTable { background: $surface; overflow-x: hidden; }
    HistoryTable > .history-table--cursor { background: $accent; color: $text; }
    """
    BINDINGS: ClassVar[list[BindingType]] = HISTORY_TABLE_BINDINGS

    class Selected(Message):
        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def __init__(
        self,
        columns: Columns,
        describe: Callable[[Row], tuple[str, str]],
        *,
        id: str | None = None,
    ) -> None:
        """``describe(row)`` gives a row's link and details cells."""
        super().__init__(id=id)
        self.columns = columns
        self.authors = int(any(heading == "by" for heading, _ in columns))
        self.describe = describe
        self.rows: Sequence[Row] = ()
        self.cursor = 0
        self._cells: dict[int, tuple[str, str]] = {}
        """Link and details by seq, worked out when a row is first shown."""

    def show(self, rows: Sequence[Row]) -> None:
        self.rows = rows
        self.cursor = min(self.cursor, max(0, len(rows) - 1))
        self.virtual_size = Size(0, len(rows))
        self.scroll_to(y=min(self.scroll_y, max(0, len(rows) - 1)), animate=False)
        self.refresh()

    @property
    def cursor_row(self) -> int:
        return self.cursor

    def move_cursor(self, row: int) -> None:
        if not self.rows:
            return
        index = max(0, min(row, len(self.rows) - 1))
        self.cursor = index
        top = round(self.scroll_y)
        height = max(1, self.scrollable_content_region.height)
        if index < top:
            self.scroll_to(y=index, animate=False)
        elif index >= top + height:
            self.scroll_to(y=index - height + 1, animate=False)
        self.refresh()

    def action_cursor(self, step: int) -> None:
        self.move_cursor(self.cursor + step)

    def action_page(self, direction: int) -> None:
        self.move_cursor(self.cursor + direction * max(1, self.size.height - 1))

    def action_edge(self, end: int) -> None:
        self.move_cursor(len(self.rows) - 1 if end else 0)

    def action_select(self) -> None:
        if self.rows:
            self.post_message(self.Selected(self.cursor))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is not None:
            self.move_cursor(round(self.scroll_y) + offset.y)

    def render_line(self, y: int) -> Strip:
        base = self.rich_style
        width = self.scrollable_content_region.width
        index = round(self.scroll_y) + y
        if index >= len(self.rows):
            return Strip.blank(width, base)
        row = self.rows[index]
        event = row.event
        cells = self._cells.get(event.seq)
        if cells is None:
            cells = self._cells[event.seq] = self.describe(row)
        when = datetime.fromtimestamp(event.wall, UTC).strftime("%H:%M:%S")
        author = event.author
        by = (author.name or author.role,)
        values = (str(event.seq), when, *by[: self.authors], event.kind, row.team or "",
                  row.inject or "", *cells)
        # Text, never markup: the details hold what people typed.
        text = _cells(self.columns, values)
        style = Style()
        if index == self.cursor:
            style = self.get_component_rich_style("history-table--cursor", partial=True)
            if not self.has_focus:
                style = Style(underline=True)
        text.truncate(width, overflow="ellipsis", pad=True)
        text.stylize(style)
        return Strip(list(text.render(self.app.console))).crop_extend(0, width, base + style)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
