"""A session: its store plus the state derived from the store's events.

This is what the console, the presenter view, ``export`` and the report use.
The writer records events through :meth:`Session.record`, which checks the
payload first, appends it durably and only then applies it, so the state never
shows anything the store does not hold. Readers call :meth:`Session.refresh`
to follow a writer in another process. The session knows its store only
through the small :class:`~tabletop.session.store.base.SessionStore` interface;
``create``, ``open`` and ``open_readonly`` pick the SQLite journal for a path.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tabletop.session.checks import check, normalise
from tabletop.session.events import EVENT_KINDS, KIND_PATTERN, Event, Payload, unreadable
from tabletop.session.state import SessionState
from tabletop.session.store.base import LoadedScenario, SessionMeta, SessionStore
from tabletop.session.store.errors import SessionCorrupt, SessionError
from tabletop.session.store.sqlite import Journal

Clock = Callable[[], float]


class Session:
    def __init__(self, store: SessionStore, *, clock: Clock = time.time) -> None:
        """Wrap an open store and replay its events (closes the store on failure)."""
        self.store = store
        self.scenario = store.meta.scenario
        self.clock = clock
        self.state = SessionState(self.scenario)
        try:
            for event in store.events():
                self._replay(event)
        except BaseException:
            store.close()
            raise

    @classmethod
    def create(cls, path: Path, loaded: LoadedScenario, *, clock: Clock = time.time) -> Session:
        """Start a new session file for a loaded exercise and open it for writing."""
        return cls._started(Journal.create(path, loaded, clock=clock), clock)

    @classmethod
    def open(
        cls, path: Path, *, clock: Clock = time.time, expect_exercise: str | None = None
    ) -> Session:
        """Resume a session for writing; records ``session_opened`` (the clock stays paused)."""
        journal = Journal.open(path, clock=clock, expect_exercise=expect_exercise)
        return cls._started(journal, clock)

    @classmethod
    def open_readonly(cls, path: Path) -> Session:
        return cls(Journal.open_readonly(path))

    @classmethod
    def _started(cls, store: SessionStore, clock: Clock) -> Session:
        session = cls(store, clock=clock)
        try:
            session.record("session_opened")
        except BaseException:
            session.close()
            raise
        return session

    # ------------------------------------------------------------ recording

    def record(self, kind: str, /, **data: Any) -> Event:
        """Check, append durably, then apply one event.

        ``kind`` is positional-only so that a payload key named ``kind``
        (``hotwash_entry``) passes through ``**data``.

        Raises ValueError (bad payload) or JournalWriteError (the disk refused);
        in both cases nothing was recorded and the state is unchanged.
        """
        return self.record_payload(kind, data)

    def record_payload(
        self, kind: str, data: dict[str, Any], *, wall: float | None = None
    ) -> Event:
        """:meth:`record` with the payload as a dict; ``wall`` when it happened
        at another time (an imported event), checked exactly as live play is."""
        self._check_writable()
        return self._append(normalise(kind, data, self.state), wall)

    def keep_unreadable(self, kind: str, data: dict[str, Any], *, wall: float) -> Event:
        """Append an event of a kind this version does not know, as it came (from an
        export a newer version made): kept and reported, never applied."""
        self._check_writable()
        if kind in EVENT_KINDS or not KIND_PATTERN.match(kind):
            raise ValueError(f"'{kind[:40]}' is not the name of an event kind")
        return self._append(unreadable(kind, data), wall)

    def _check_writable(self) -> None:
        # Before any check of the payload: "read-only" is the answer, not its problems.
        if self.store.read_only:
            raise SessionError(f"{self.store.location} is open read-only")

    def _append(self, payload: Payload, wall: float | None) -> Event:
        """Append durably, then apply: the state never shows what the store lacks."""
        event = self.store.append(payload, wall=wall)
        try:
            self.state.apply(event)
        except Exception as exc:  # a bug in a handler: say the event is saved all the same
            exc.add_note(
                f"event {event.seq} ({event.kind}) is saved in {self.location}, but this "
                "console could not apply it; reopen the session"
            )
            raise
        return event

    def refresh(self) -> list[Event]:
        """Apply events another process appended since; returns them."""
        fresh = self.store.events(after=self.state.last_seq)
        for event in fresh:
            self._replay(event)
        return fresh

    def _replay(self, event: Event) -> None:
        """Apply a stored event, checked as live play checked it when it was recorded.

        A session file is evidence and may have been edited by hand: an event that
        live play would have refused (a rating letter that does not exist, a
        number out of range, a payload of the wrong type) makes the file damaged,
        never a wrong state. A kind this version does not know (a newer one wrote
        it) stays in the history and places nothing.
        """
        if event.seq != self.state.last_seq + 1:
            missing = f"{self.state.last_seq + 1}" + (
                f" to {event.seq - 1}" if event.seq - 1 > self.state.last_seq + 1 else ""
            )
            raise SessionCorrupt(
                f"{self.store.location}: events {missing} are missing from the log; "
                "it has been edited or damaged"
            )
        if event.readable:
            try:
                check(event.payload, self.state)
            except ValueError as exc:
                raise SessionCorrupt(
                    f"{self.store.location}: event {event.seq} ({event.kind}) is damaged: {exc}"
                ) from None
        try:
            self.state.apply(event)
        except Exception as exc:  # a bug in a handler, not damage: it raises, with where
            exc.add_note(f"while replaying event {event.seq} ({event.kind}) of {self.location}")
            raise

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def read_only(self) -> bool:
        return self.store.read_only

    @property
    def meta(self) -> SessionMeta:
        return self.store.meta

    @property
    def location(self) -> str:
        """Where the session is, as the user named it: for messages and listings."""
        return self.store.location

    def play_seconds(self) -> float:
        return self.state.play_seconds(self.clock())

    # ------------------------------------------------------------ conveniences

    def deliver_next(self) -> Event | None:
        upcoming = self.state.next_inject()
        return None if upcoming is None else self.deliver(upcoming.inject.id)

    def deliver(self, inject_id: str) -> Event:
        return self.record("inject_delivered", inject=inject_id)

    def record_decision(
        self,
        team: str,
        text: str,
        *,
        inject: str | None = None,
        option: str | None = None,
        items: Sequence[str] = (),
    ) -> Event:
        return self.record(
            "decision_recorded",
            team=team,
            inject=inject,
            text=text,
            option=option,
            items=list(items),
        )

    def rate_item(self, team: str, item: str, rating: str, note: str = "") -> Event:
        return self.record("item_rated", team=team, item=item, rating=rating, note=note)

    def toggle_pause(self) -> Event:
        return self.record("clock_resumed" if self.state.paused else "clock_paused")

    def select_team(self, team: str) -> Event:
        return self.record("team_selected", team=team)

    def end_exercise(self) -> Event:
        return self.record("exercise_ended")


def default_session_path(workspace: Path, exercise_id: str, now: datetime) -> Path:
    """``sessions/<exercise-id>-<UTC timestamp>.db`` under the workspace."""
    moment = now.astimezone(UTC) if now.tzinfo else now.replace(tzinfo=UTC)
    return workspace / "sessions" / f"{exercise_id}-{moment:%Y%m%dT%H%M%SZ}.db"
