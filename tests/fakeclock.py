"""A wall clock for tests: it moves only when the test moves it.

Sessions take any ``Callable[[], float]`` as their clock; each test suite
starts this one at its own fixed moment, so recorded times are deterministic.
"""

from __future__ import annotations


class FakeClock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
