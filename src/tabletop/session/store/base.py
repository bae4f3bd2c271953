"""What every session store shares: the interface the session talks to, the
metadata a store keeps beside the events, and what it needs from a loaded
exercise to make a new session."""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from tabletop.core.scenario import Scenario
from tabletop.session.events import Event, Payload


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
    upgraded_from: int | None = None
    """The format the file had before this writer brought it up to date, if it did."""


@dataclass(frozen=True)
class Tally:
    counts: dict[str, int]
    """Events by kind."""
    last_wall: float | None
    """When the last event was recorded; None when there is none."""


class SessionStore(Protocol):
    """Where a session's events live: the one interface the session talks to.

    One writer appends, any number of readers follow; every implementation keeps
    the same contract: append-only, seqs from 1 without gaps, an appended event
    durable before ``append`` returns, and a read-only opener that never writes.
    The SQLite journal (:mod:`.sqlite`) is the embedded one.
    """

    @property
    def meta(self) -> SessionMeta:
        """What the store keeps beside the events: the scenario, its digest, versions."""
        ...

    @property
    def read_only(self) -> bool: ...

    @property
    def location(self) -> str:
        """Where the session is, as the user named it (a path): for messages."""
        ...

    @property
    def name(self) -> str:
        """The session's short name, for readers of a report (a file's name)."""
        ...

    def events(self, after: int = 0) -> list[Event]:
        """The events with seq > ``after``, in order."""
        ...

    def append(self, payload: Payload, *, wall: float | None = None) -> Event:
        """Record one event durably, or raise JournalWriteError and record nothing."""
        ...

    def tally(self) -> Tally:
        """How many events of each kind, and when the last was recorded, without
        reading the events themselves (for listings)."""
        ...

    def transaction(self) -> AbstractContextManager[None]:
        """Appends made inside it are all kept, or none (for building from an export)."""
        ...

    def in_place(self) -> bool:
        """Whether the store is still the one opened (a file can be removed or replaced)."""
        ...

    def close(self) -> None: ...
