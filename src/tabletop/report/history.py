"""One-line summaries of journal events for the report's appendices."""

from __future__ import annotations

from tabletop.report.model import HistoryRow
from tabletop.report.timetext import wall_text
from tabletop.session.events import Event, Names


def history_row(event: Event, names: Names) -> HistoryRow:
    """One event as a line of the report's history (its payload's own sentence)."""
    return HistoryRow(
        seq=event.seq,
        kind=event.kind,
        when=wall_text(event.wall),
        summary=event.payload.describe(names),
        target=event.payload.target,
    )
