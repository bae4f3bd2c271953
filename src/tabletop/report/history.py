"""One-line summaries of journal events for the report's appendices."""

from __future__ import annotations

from tabletop.report.model import HistoryRow
from tabletop.report.timetext import wall_text
from tabletop.session import events as ev
from tabletop.session.events import Event, Names

_SCORES = (ev.ItemRated, ev.RatingCorrected, ev.ObjectiveRated)
"""Events that are scores: the report names their recorder's role, never the person."""
_UNNAMED: frozenset[str] = frozenset({"evaluator"})
"""Roles the report never names, on any event: with one evaluator per table, a name
beside a hot wash entry would say who scored that table."""


def history_row(event: Event, names: Names) -> HistoryRow:
    """One event as a line of the report's history (its payload's own sentence)."""
    return HistoryRow(
        seq=event.seq,
        kind=event.kind,
        when=wall_text(event.wall),
        summary=event.payload.describe(names),
        target=event.payload.target,
        by=recorded_by(event),
    )


def recorded_by(event: Event) -> str:
    author = event.author
    if isinstance(event.payload, _SCORES) or author.role in _UNNAMED or not author.name:
        return author.role
    return f"{author.name} ({author.role})"
