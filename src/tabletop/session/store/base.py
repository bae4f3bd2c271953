"""What every session store shares: the interface the session talks to, the
metadata a store keeps beside the events, and what it needs from a loaded
exercise to make a new session."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from tabletop.core.scenario import Scenario
from tabletop.session.authors import Author, Recorder
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


@dataclass(frozen=True)
class Presence:
    """A console that opened the session for writing."""

    author: Author
    teams: tuple[str, ...]
    opened: float
    seen: float
    """Its last sign of life: when it opened, beat or closed."""
    closed: float | None
    """When it closed cleanly; None while open, or when it was lost."""


class StaleAppend(Exception):
    """Another console appended since the events an append was checked against:
    nothing was recorded; re-check against the newer events and try again."""

    def __init__(self, last_seq: int) -> None:
        self.last_seq = last_seq
        super().__init__(f"the session has moved on to event {last_seq}")


class Watcher(Protocol):
    """Wakes a console when another one has appended (see ``SessionStore.follower``)."""

    def start(self) -> None: ...

    def stop(self) -> None: ...


class SessionStore(Protocol):
    """Where a session's events live: the one interface the session talks to.

    Several consoles append and any number of readers follow; every
    implementation keeps the same contract: append-only, seqs from 1 without
    gaps assigned by the store as it commits, an append refused (StaleAppend)
    when the store has moved past the seq it was checked against, an appended
    event durable before ``append`` returns, and a read-only opener that never
    writes. The SQLite journal (:mod:`.sqlite`) is the embedded one; the
    PostgreSQL journal (:mod:`.postgres`) serves exercises across sites.
    """

    recorder: Recorder
    """Who this store's appends are recorded as, unless an append says otherwise
    (an observer's read-only store is told who watches)."""

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

    def append(
        self,
        payload: Payload,
        *,
        wall: float | None = None,
        after: int | None = None,
        author: Author | None = None,
        received: float | None = None,
    ) -> Event:
        """Record one event durably as the next seq, or raise and record nothing:
        StaleAppend when events past ``after`` exist, JournalWriteError when the
        store refused."""
        ...

    def change_counter(self) -> int:
        """Changes whenever another connection has appended: what followers poll."""
        ...

    def follower(
        self, wake: Callable[[], None], status: Callable[[str | None], None] | None = None
    ) -> Watcher:
        """A watcher that calls ``wake`` (from its own thread) whenever another
        connection may have appended, and ``status`` with a line to show while the
        store cannot be reached (None once it can again)."""
        ...

    def heartbeat(self) -> None:
        """This console is still here."""
        ...

    def presence(self) -> list[Presence]:
        """Every console that has opened the session for writing, the latest last."""
        ...

    def facilitator_present(self) -> bool: ...

    def remember_team(self, team: str) -> None:
        """Keep the team this console shows, for its recorder's next run."""
        ...

    def remembered_team(self) -> str | None: ...

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
