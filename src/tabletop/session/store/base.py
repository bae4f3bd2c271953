"""What every session store shares: the metadata it keeps beside the events,
and what it needs from a loaded exercise to make a new session."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from tabletop.core.scenario import Scenario


class LoadedScenario(Protocol):
    """What ``Journal.create`` needs from a loaded exercise (see ``tabletop.authoring.loading``)."""

    @property
    def scenario(self) -> Scenario: ...

    @property
    def path(self) -> Path | str: ...

    @property
    def sha256(self) -> str: ...


@dataclass(frozen=True)
class SessionMeta:
    exercise_id: str
    scenario: Scenario
    scenario_sha256: str
    source_path: str
    created: float
    format_version: int
    tabletop_version: str
    session_id: str | None = None
    """A random id given at creation (None for files made before ids existed);
    an imported session gets a new one."""
