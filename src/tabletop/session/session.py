"""A session: its store plus the state derived from the store's events.

This is what the console, the presenter view, ``export`` and the report use.
A console records events through :meth:`Session.record`, which checks the
payload (and that this console's role may record it) first, appends it durably
and only then applies it, so the state never shows anything the store does not
hold. Several consoles record on one session: an append checked against an
older state than the store's is refused by the store, and the session catches
up, checks again under the store's lock, and either records or says in one
line what another console recorded meanwhile. Every console calls
:meth:`Session.refresh` to follow the others. The session knows its store only
through the small :class:`~tabletop.session.store.base.SessionStore` interface;
``create``, ``open`` and ``open_readonly`` pick the store for a location
(:mod:`~tabletop.session.store.stores`): an SQLite file or a PostgreSQL session.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tabletop.core.roles import FACILITATOR
from tabletop.session.authors import Author, Recorder, new_recorder
from tabletop.session.checks import check, check_new, normalise
from tabletop.session.events import (
    EVENT_KINDS,
    KIND_PATTERN,
    Event,
    Payload,
    Unreadable,
    unreadable,
)
from tabletop.session.permissions import not_covered, refusal
from tabletop.session.state import SessionState, StateNames
from tabletop.session.store import stores
from tabletop.session.store.base import (
    LoadedScenario,
    Presence,
    SessionMeta,
    SessionStore,
    StaleAppend,
)
from tabletop.session.store.errors import (
    SessionCorrupt,
    SessionError,
    SessionUnreachable,
    SessionWrongExercise,
)
from tabletop.session.store.location import Location, PostgresLocation

Clock = Callable[[], float]
MakePayload = Callable[[], Payload]

OPTIMISTIC_TRIES = 2
"""Appends tried without the store's lock before one is made holding it."""
RECENT = 300.0
RECENT_EVENTS = 200
"""How far back (seconds, events) a refusal looks for another console's event
that caused it."""
PRESENCE_EVERY = 1.0
"""Seconds a console trusts what it last learnt of the facilitator's presence."""


class Refused(ValueError):
    """This console's role or teams do not allow the event; one line, nothing recorded."""


class Conflict(ValueError):
    """Another console recorded something meanwhile that makes this event wrong."""


class Session:
    def __init__(self, store: SessionStore, *, clock: Clock = time.time) -> None:
        """Wrap an open store and replay its events (closes the store on failure)."""
        self.store = store
        self.scenario = store.meta.scenario
        self.clock = clock
        self.state = SessionState(self.scenario)
        self._seen_counter: int | None = None
        """The store's change counter when this session last caught up."""
        self._facilitator_gone: tuple[float, float | None] | None = None
        """(when asked, since when the facilitator console is gone or None)."""
        try:
            self._check_teams()
            for event in store.events():
                self._replay(event)
            self.selected_team = self._first_team()
        except BaseException:
            store.close()
            raise

    @classmethod
    def create(
        cls,
        path: Location,
        loaded: LoadedScenario,
        *,
        clock: Clock = time.time,
        recorder: Recorder | None = None,
    ) -> Session:
        """Start a new session file for a loaded exercise and open it for writing."""
        recorder = recorder or new_recorder(FACILITATOR)
        if not recorder.is_facilitator:
            raise SessionError(
                f"{path} does not exist: the facilitator starts a session, and the other "
                "consoles join it"
            )
        return cls._started(stores.create(path, loaded, clock=clock, recorder=recorder), clock)

    @classmethod
    def open(
        cls,
        path: Location,
        *,
        clock: Clock = time.time,
        expect_exercise: str | None = None,
        recorder: Recorder | None = None,
    ) -> Session:
        """Join a session to record in it, as ``recorder`` (a new facilitator console
        by default). A facilitator console records ``facilitator_opened`` and starts
        with the clock paused; any other console records nothing by opening."""
        recorder = recorder or new_recorder(FACILITATOR)
        if not recorder.writes:
            watching = cls.open_readonly(path, recorder=recorder)
            if expect_exercise is not None and watching.meta.exercise_id != expect_exercise:
                watching.close()
                raise SessionWrongExercise(
                    f"{path} is a session of exercise '{watching.meta.exercise_id}', "
                    f"not '{expect_exercise}'"
                )
            return watching
        journal = stores.open_writer(
            path, clock=clock, expect_exercise=expect_exercise, recorder=recorder
        )
        return cls._started(journal, clock)

    @classmethod
    def open_readonly(cls, path: Location, *, recorder: Recorder | None = None) -> Session:
        """Open to read and follow; an observer console is one."""
        journal = stores.open_readonly(path)
        if recorder is not None:
            journal.recorder = recorder
        return cls(journal)

    @classmethod
    def _started(cls, store: SessionStore, clock: Clock) -> Session:
        session = cls(store, clock=clock)
        if not store.recorder.is_facilitator:
            return session
        try:
            session.record("facilitator_opened", clock_stopped_at=session._previous_facilitator())
        except BaseException:
            session.close()
            raise
        return session

    def _previous_facilitator(self) -> float | None:
        """When the facilitator console before this one was last seen, if it was."""
        return self._facilitator_last_seen(self.store.presence())

    def _facilitator_last_seen(self, consoles: list[Presence]) -> float | None:
        """The last sign of life of the latest facilitator console other than this
        one: its close, its last heartbeat or its last event; None if none opened."""
        ours = self.recorder.author.console
        theirs = [
            p for p in consoles if p.author.role == FACILITATOR and p.author.console != ours
        ]
        if not theirs:
            return None
        last = theirs[-1]
        seen = last.closed if last.closed is not None else last.seen
        return max(seen, self.state.facilitator_last_wall or 0.0)

    def _check_teams(self) -> None:
        from tabletop.core.problems import did_you_mean

        known = self.scenario.team_by_id
        for team in self.recorder.teams:
            if team not in known:
                raise SessionError(
                    f"--team {team[:40]}: exercise '{self.scenario.id}' has no such team "
                    f"(teams: {', '.join(known)})" + did_you_mean(team, known)
                )

    def _first_team(self) -> str:
        """The team this console shows first: the one its recorder's last console
        showed, else the one an older file recorded, else its own first team."""
        teams = self.scenario.team_by_id
        candidates = [self.store.remembered_team(), self.state.selected_team, *self.recorder.teams]
        for team in candidates:
            if team in teams and self.recorder.covers(team):
                return team
        return self.scenario.teams[0].id

    @property
    def recorder(self) -> Recorder:
        return self.store.recorder

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
        self,
        kind: str,
        data: dict[str, Any],
        *,
        wall: float | None = None,
        author: Author | None = None,
        received: float | None = None,
    ) -> Event:
        """:meth:`record` with the payload as a dict. ``wall``, ``author`` and
        ``received`` are given for an event that happened elsewhere (an import):
        it is checked exactly as live play is, as its author's role allows."""
        self._check_writable()
        return self._append(lambda: normalise(kind, data, self.state), data, wall, author,
                            received)

    def keep_unreadable(
        self, kind: str, data: dict[str, Any], *, wall: float, author: Author | None = None
    ) -> Event:
        """Append an event of a kind this version does not know, as it came (from an
        export a newer version made): kept and reported, never applied."""
        self._check_writable()
        if kind in EVENT_KINDS or not KIND_PATTERN.match(kind):
            raise ValueError(f"'{kind[:40]}' is not the name of an event kind")
        return self._append(lambda: unreadable(kind, data), {}, wall, author, None)

    def _check_writable(self) -> None:
        # Before any check of the payload: "read-only" is the answer, not its problems.
        if self.store.read_only:
            if not self.recorder.writes:
                raise Refused("an observer console records nothing; join with another role "
                              "to record")
            raise SessionError(f"{self.store.location} is open read-only")

    def _checked(self, make: MakePayload, author: Author | None) -> Payload:
        payload = make()
        if not isinstance(payload, Unreadable):
            who = self.recorder if author is None else Recorder(author)
            reason = refusal(who, payload, self.state)
            if reason is not None:
                raise Refused(reason)
            if author is None:
                check_new(payload, self.state)
        return payload

    def _append(
        self,
        make: MakePayload,
        data: dict[str, Any],
        wall: float | None,
        author: Author | None,
        received: float | None,
    ) -> Event:
        """Check, append durably, then apply: the state never shows what the store lacks.

        The event is checked against what this console has shown, then against
        the record as the store has it now (the session catches up first when
        other consoles appended). The append names the last event it was checked
        against; when another console appended in between, the session catches
        up and checks again (under the store's lock once overtaken twice). An
        event that was right on this console and is wrong now raises Conflict,
        saying what the other console recorded.
        """
        def recheck(fresh: list[Event]) -> Payload:
            """Check again after catching up: wrong now means another console's doing."""
            try:
                return self._checked(make, author)
            except ValueError as exc:
                cause = _cause(data, fresh, self.state) or (fresh[-1] if fresh else None)
                raise Conflict(_conflict(str(exc), cause, self.state)) from None

        def append(payload: Payload) -> Event:
            return self.store.append(payload, wall=wall, after=self.state.last_seq,
                                     author=author, received=received)

        try:
            payload = self._checked(make, author)  # against what this console has shown
        except ValueError:
            # Wrong on what this console shows. It may only be what it has not seen
            # yet; else say so, naming another console's recent event behind it if
            # there is one (a form left open while someone retracted its target).
            self._catch_up()
            try:
                payload = self._checked(make, author)
            except ValueError as exc:
                cause = _cause(data, self._recent_from_others(), self.state)
                if cause is None:
                    raise
                raise Conflict(_conflict(str(exc), cause, self.state)) from None
        else:
            if fresh := self._catch_up():
                payload = recheck(fresh)
        for _ in range(OPTIMISTIC_TRIES):
            try:
                return self._apply_own(append(payload))
            except StaleAppend:
                payload = recheck(self.refresh())  # caught up, without holding anyone up
        # Still overtaken (a busy room): catch up and append under the store's lock.
        with self.store.transaction():  # nobody else appends until it ends
            event = append(recheck(self.refresh()))
        return self._apply_own(event)

    def _recent_from_others(self) -> list[Event]:
        """Other consoles' events of the last few minutes, newest last."""
        since = self.clock() - RECENT
        ours = self.recorder.author.console
        recent: list[Event] = []
        for event in reversed(self.state.history[-RECENT_EVENTS:]):
            if event.wall < since:
                break
            if event.author.console != ours:
                recent.append(event)
        return recent[::-1]

    def _catch_up(self) -> list[Event]:
        """Read what other consoles appended, when the store says there is any (a
        look at a counter): then the append is checked against the latest record
        and seldom overtaken. Returns the events read."""
        counter = self.store.change_counter()
        if counter == self._seen_counter:
            return []
        self._seen_counter = counter
        return self.refresh()

    def _apply_own(self, event: Event) -> Event:
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
        return self.state.play_seconds(self.play_now())

    def play_now(self) -> float:
        """The wall time at which this console reads the play clock: now, or, when
        the facilitator console is gone (closed or lost), its last sign of life."""
        now = self.clock()
        if self._steers:
            return now
        gone = self._facilitator_gone_since(now)
        return now if gone is None else min(now, gone)

    def facilitator_away(self) -> bool:
        """Whether the play clock stands still because no facilitator console is open
        (always False on the facilitator's own console)."""
        return self.facilitator_gone_since() is not None

    def facilitator_gone_since(self) -> float | None:
        """When the facilitator's console was last seen, if none is open now (None on
        the facilitator's own console)."""
        return None if self._steers else self._facilitator_gone_since(self.clock())

    @property
    def _steers(self) -> bool:
        """This is the facilitator's console, writing: its clock is the clock."""
        return self.recorder.is_facilitator and not self.read_only

    def _facilitator_gone_since(self, now: float) -> float | None:
        cached = self._facilitator_gone
        if cached is not None and 0 <= now - cached[0] < PRESENCE_EVERY:
            return cached[1]
        gone: float | None = None
        try:
            present = self.store.facilitator_present()
        except SessionUnreachable:  # not known while the server is away: as last known
            return cached[1] if cached is not None else None
        if not present:
            try:
                consoles = self.store.presence()
            except SessionError:  # a damaged list of consoles is no reason to stop the clock
                consoles = []
            gone = self._facilitator_last_seen(consoles)
            if gone is None:  # no facilitator console ever said so: its last event
                gone = self.state.facilitator_last_wall or self.state.last_activity()
        self._facilitator_gone = (now, gone)
        return gone

    def heartbeat(self) -> None:
        """Tell the other consoles this one is still here (a no-op for readers)."""
        if not self.read_only:
            self.store.heartbeat()

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

    def select_team(self, team: str) -> None:
        """Show ``team`` on this console: the console's own state, not the exercise's;
        kept for this recorder's next console."""
        if team not in self.scenario.team_by_id:
            raise ValueError(f"unknown team '{team[:40]}'")
        if not self.recorder.covers(team):
            raise Refused(not_covered(self.recorder, team))
        self.selected_team = team
        if not self.read_only:
            # A convenience for next time, never a reason to stop (a server away).
            with contextlib.suppress(SessionError):
                self.store.remember_team(team)

    def end_exercise(self) -> Event:
        return self.record("exercise_ended")


def _conflict(problem: str, cause: Event | None, state: SessionState) -> str:
    """The refusal, and what another console recorded meanwhile that caused it."""
    if cause is None:
        return problem
    what = cause.payload.describe(StateNames(state)) if cause.readable else cause.kind
    return f"{problem}: {cause.author.describe()} recorded \"{what}\" a moment ago"


def _cause(data: dict[str, Any], events: list[Event], state: SessionState) -> Event | None:
    """The newest of ``events`` that touches what ``data`` names: the event it
    corrects, its inject, or an inject expecting its item."""
    target, inject, item = data.get("event"), data.get("inject"), data.get("item")
    injects = {inject} if isinstance(inject, str) else set()
    if isinstance(item, str):
        injects.update(state.expecting(item))

    def related(event: Event) -> bool:
        payload = event.payload
        if target is not None and payload.target == target:
            return True
        if payload.inject_ref in injects:
            return True
        undone = state.delivery(payload.target) if payload.target is not None else None
        return undone is not None and undone.inject in injects

    return next((e for e in reversed(events) if related(e)), None)


def default_session_name(exercise_id: str, now: datetime) -> str:
    """``<exercise-id>-<UTC timestamp>``: a new session's name, in a folder or a database."""
    moment = now.astimezone(UTC) if now.tzinfo else now.replace(tzinfo=UTC)
    return f"{exercise_id}-{moment:%Y%m%dT%H%M%SZ}"


def default_session_path(workspace: Path, exercise_id: str, now: datetime) -> Path:
    """``sessions/<exercise-id>-<UTC timestamp>.db`` under the workspace."""
    return workspace / "sessions" / f"{default_session_name(exercise_id, now)}.db"


def named_location(location: Location, exercise_id: str, now: datetime) -> Location:
    """A database URL that names no session gets a new session's default name."""
    if isinstance(location, PostgresLocation) and location.session is None:
        return location.with_session(default_session_name(exercise_id, now))
    return location
