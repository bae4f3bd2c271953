"""The play clock: elapsed exercise time, stopped while paused, split by phase.

Times are wall-clock seconds taken from events, so the clock is derived from
the journal like everything else. A wall clock that steps backwards (NTP)
never makes play time shrink.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class PlayClock:
    running_since: float | None = None
    """Wall time at which the clock last started, or None while paused."""
    banked: float = 0.0
    """Play seconds accumulated up to the last pause."""
    phase: str | None = None
    phase_entered: float = 0.0
    """Play seconds at which the current phase began."""
    phase_banked: dict[str, float] = field(default_factory=dict)
    """Play seconds spent in phases that are no longer current."""

    @property
    def paused(self) -> bool:
        return self.running_since is None

    def seconds(self, now: float) -> float:
        if self.running_since is None:
            return self.banked
        return self.banked + max(0.0, now - self.running_since)

    def pause(self, at: float) -> None:
        if self.running_since is not None:
            self.banked += max(0.0, at - self.running_since)
            self.running_since = None

    def resume(self, at: float) -> None:
        if self.running_since is None:
            self.running_since = at

    def enter_phase(self, phase: str, at: float) -> None:
        now = self.seconds(at)
        if self.phase is not None:
            spent = max(0.0, now - self.phase_entered)
            self.phase_banked[self.phase] = self.phase_banked.get(self.phase, 0.0) + spent
        self.phase = phase
        self.phase_entered = now

    def phase_seconds(self, phase: str, now: float) -> float:
        total = self.phase_banked.get(phase, 0.0)
        if phase == self.phase:
            total += max(0.0, self.seconds(now) - self.phase_entered)
        return total
