"""Pace: is the exercise keeping to its plan? Pure arithmetic over session state."""

from __future__ import annotations

from dataclasses import dataclass

from tabletop.core.scenario import ScenarioPhase
from tabletop.session.state import SessionState


@dataclass(frozen=True)
class PhasePace:
    phase: ScenarioPhase
    planned: float
    """Planned play seconds."""
    actual: float
    """Play seconds spent in the phase so far."""

    @property
    def over(self) -> bool:
        return self.actual > self.planned


@dataclass(frozen=True)
class Pace:
    play: float
    """Elapsed play seconds."""
    phase: PhasePace | None
    """The phase in play (the first one before any starts)."""
    next_inject: str | None
    due_in: float | None
    """Seconds until the next inject's planned play minute; negative when late."""

    @property
    def behind(self) -> bool:
        late = self.due_in is not None and self.due_in < 0
        return late or (self.phase is not None and self.phase.over)


def phase_pace(state: SessionState, phase: ScenarioPhase, now: float) -> PhasePace:
    planned = phase.planned.total_seconds()
    return PhasePace(phase, planned, state.phase_play_seconds(phase.id, now))


def pace(state: SessionState, now: float) -> Pace:
    scenario = state.scenario
    phase_id = state.current_phase or (scenario.phases[0].id if scenario.phases else None)
    phase = scenario.phase_by_id.get(phase_id) if phase_id else None
    play = state.play_seconds(now)
    upcoming = state.next_inject()
    due_in: float | None = None
    if upcoming is not None and upcoming.play_minute is not None:
        due_in = upcoming.play_minute * 60 - play
    return Pace(
        play=play,
        phase=phase_pace(state, phase, now) if phase else None,
        next_inject=upcoming.inject.id if upcoming else None,
        due_in=due_in,
    )


def minutes(seconds: float) -> str:
    """A short span for the pace line: ``12m`` or ``1h05m``."""
    total = int(abs(seconds)) // 60
    hours, mins = divmod(total, 60)
    return f"{hours}h{mins:02d}m" if hours else f"{mins}m"


def countdown(seconds: float) -> str:
    """``m:ss`` (or ``h:mm:ss``) of an absolute span."""
    total = int(abs(seconds))
    hours, rest = divmod(total, 3600)
    mins, secs = divmod(rest, 60)
    return f"{hours}:{mins:02d}:{secs:02d}" if hours else f"{mins}:{secs:02d}"
