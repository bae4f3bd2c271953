"""One-line summaries of journal events for the report's appendices."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tabletop.core.scenario import Scenario
from tabletop.core.vocabulary import OBJECTIVE_RATING_LABELS, RATING_LABELS
from tabletop.report.model import HistoryRow
from tabletop.report.timetext import wall_text
from tabletop.session.events import CORRECTABLE, Event

# Events that change or overrule what was recorded earlier.
CORRECTION_KINDS = frozenset(CORRECTABLE) | {"objective_rated"}


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    return "" if value is None else str(value)


def _with_reason(text: str, data: dict[str, Any]) -> str:
    reason = _text(data, "reason")
    return f"{text} (reason: {reason})" if reason else text


class Summariser:
    """Turns events into readable lines, naming teams and injects as the scenario does."""

    def __init__(self, scenario: Scenario, inject_titles: dict[str, str]) -> None:
        self.scenario = scenario
        self.titles = inject_titles
        self._by_kind: dict[str, Callable[[dict[str, Any]], str]] = {
            "session_opened": lambda d: "Session opened",
            "clock_paused": lambda d: "Play clock paused",
            "clock_resumed": lambda d: "Play clock resumed",
            "story_clock_jumped": lambda d: _with_reason(f"Story clock set to {_text(d, 'to')}", d),
            "phase_started": lambda d: f"Phase started: {self.phase(_text(d, 'phase'))}",
            "team_selected": lambda d: f"Console switched to {self.team(_text(d, 'team'))}",
            "exercise_ended": lambda d: "Exercise ended (ENDEX)",
            "inject_delivered": lambda d: f"Delivered: {self.inject(_text(d, 'inject'))}",
            "unscripted_inject": self._unscripted,
            "inject_skipped": lambda d: _with_reason(
                f"Skipped: {self.inject(_text(d, 'inject'))}", d
            ),
            "inject_held": lambda d: _with_reason(f"Held: {self.inject(_text(d, 'inject'))}", d),
            "inject_released": lambda d: _with_reason(
                f"Released: {self.inject(_text(d, 'inject'))}", d
            ),
            "inject_retimed": lambda d: _with_reason(
                f"Re-timed: {self.inject(_text(d, 'inject'))} to play minute "
                f"{_text(d, 'play_minute')}",
                d,
            ),
            "delivery_undone": lambda d: _with_reason(f"Delivery #{_text(d, 'event')} undone", d),
            "decision_recorded": lambda d: (
                f"{self.team(_text(d, 'team'))} decided: {_text(d, 'text')}"
            ),
            "decision_amended": lambda d: _with_reason(
                f"Decision #{_text(d, 'event')} amended to: {_text(d, 'text')}", d
            ),
            "decision_retracted": lambda d: _with_reason(
                f"Decision #{_text(d, 'event')} retracted", d
            ),
            "decision_moved": lambda d: _with_reason(
                f"Decision #{_text(d, 'event')} moved to {self.team(_text(d, 'team'))}", d
            ),
            "item_rated": lambda d: (
                f"{self.team(_text(d, 'team'))}, {_text(d, 'item')}: "
                f"{RATING_LABELS.get(_text(d, 'rating'), _text(d, 'rating'))}"
            ),
            "rating_corrected": lambda d: _with_reason(
                f"Rating #{_text(d, 'event')} corrected to "
                f"{RATING_LABELS.get(_text(d, 'rating'), _text(d, 'rating'))}",
                d,
            ),
            "objective_rated": lambda d: _with_reason(
                f"Objective {_text(d, 'objective')} rated "
                f"{OBJECTIVE_RATING_LABELS.get(_text(d, 'rating'), _text(d, 'rating'))}",
                d,
            ),
            "note_added": lambda d: f"Note: {_text(d, 'text')}",
            "hotwash_entry": lambda d: f"Hot wash ({_text(d, 'kind')}): {_text(d, 'text')}",
            "improvement_action": lambda d: f"Action: {_text(d, 'action')}",
        }

    def team(self, team_id: str) -> str:
        team = self.scenario.team_by_id.get(team_id)
        return team.name if team else team_id

    def phase(self, phase_id: str) -> str:
        phase = self.scenario.phase_by_id.get(phase_id)
        return phase.title if phase else phase_id

    def inject(self, inject_id: str) -> str:
        return self.titles.get(inject_id, inject_id)

    def _unscripted(self, data: dict[str, Any]) -> str:
        inject = data.get("inject")
        title = _text(inject, "title") if isinstance(inject, dict) else ""
        return f"Unscripted inject: {title}"

    def row(self, event: Event) -> HistoryRow:
        describe = self._by_kind.get(event.kind)
        data = event.data if isinstance(event.data, dict) else {}
        summary = describe(data) if describe else event.kind
        target = data.get("event") if event.kind in CORRECTABLE else None
        return HistoryRow(
            seq=event.seq,
            kind=event.kind,
            when=wall_text(event.wall),
            summary=summary,
            target=target if isinstance(target, int) else None,
        )
