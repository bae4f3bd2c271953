"""Rebuilding a session from an export (``docs/export.md``).

An export made by ``tabletop export`` carries the resolved scenario, so the
session can be rebuilt anywhere. Older exports (version 1) and hand-written
ones may name only the exercise: the caller then finds its file, and an
export's digest, when it has one, must match that file.

Every event is checked exactly as live play checks it (the same
``Session.record_payload``), in order, against the state built so far. The
new session is built under a temporary name in the target's folder and gets
its name only once every event has passed (in a database: in one transaction),
so a refused import leaves nothing behind: no file, no ``-wal``, no lock.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

import msgspec

from tabletop import __version__
from tabletop.core.roles import FACILITATOR, Role
from tabletop.core.scenario import Scenario, decode, encode
from tabletop.core.struct_errors import explain
from tabletop.session.authors import UNNAMED_FACILITATOR, Author
from tabletop.session.checks import check_branches
from tabletop.session.events import EVENT_KINDS, convert
from tabletop.session.exporting import EXPORT_VERSION, conflicting_deliveries
from tabletop.session.session import Session
from tabletop.session.store import stores
from tabletop.session.store.base import LoadedScenario, SessionStore
from tabletop.session.store.errors import SessionError
from tabletop.session.store.location import Location, PostgresLocation
from tabletop.session.store.migrations import FORMAT_VERSION
from tabletop.session.store.sqlite import check_new_name

MAX_EXPORT_BYTES = 256 * 1024 * 1024


class ExportRefused(SessionError):
    """The export cannot become a session; ``str()`` is one line."""


class _Actor(msgspec.Struct, kw_only=True):
    name: Annotated[str, msgspec.Meta(max_length=200)] = ""
    role: Role = FACILITATOR
    console: Annotated[str, msgspec.Meta(max_length=64)] = ""


class _Event(msgspec.Struct, kw_only=True):
    kind: str
    seq: int | None = None
    wall: float | None = None
    received: float | None = None
    actor: _Actor | None = None
    """Who recorded it (export 3); an event without one imports as the facilitator."""
    data: dict[str, Any] = msgspec.field(default_factory=dict)
    kept_unread: bool = False
    """Set by export on an event of a kind it could not read (see docs/export.md)."""

    def author(self) -> Author:
        actor = self.actor
        if actor is None:
            return UNNAMED_FACILITATOR
        return Author(actor.name, actor.role, actor.console)


class _Meta(msgspec.Struct, kw_only=True):
    exercise_id: str | None = None
    scenario_sha256: str | None = None
    source_path: str | None = None
    format_version: int | None = None
    tabletop_version: str | None = None
    exported_by: str | None = None
    branch_conflicts: list[int] = msgspec.field(default_factory=list)
    """Deliveries recorded against the branch rule before it existed (export 4)."""


class _Export(msgspec.Struct, kw_only=True):
    """The fields import reads; any others (``state``, later additions) are ignored."""

    export_version: int = 1
    meta: _Meta = msgspec.field(default_factory=_Meta)
    exercise_id: str | None = None
    """A hand-written export may name its exercise here instead of in ``meta``."""
    scenario: msgspec.Raw = msgspec.field(default_factory=msgspec.Raw)
    """Kept as raw JSON for the scenario's own typed decoder; empty or null when absent."""
    events: list[_Event] = msgspec.field(default_factory=list)


@dataclass(frozen=True)
class ExportedScenario:
    """A scenario for a new session, with the file identity it was played from."""

    scenario: Scenario
    path: str
    sha256: str


FindExercise = Callable[[str], LoadedScenario | None]
"""Looks an exercise up by id (in the workspace and the bundled library)."""


@dataclass(frozen=True)
class Imported:
    path: Location
    exercise_id: str
    events: int
    unreadable: int = 0
    """Of the events, those of kinds this version cannot read: kept, not applied."""


def parse_export(raw: bytes) -> _Export:
    """The export's fields, type-checked; ExportRefused says what and where."""
    try:
        return msgspec.json.decode(raw, type=_Export)
    except msgspec.ValidationError as exc:
        raise ExportRefused(f"not a tabletop export: {exc}") from None
    except msgspec.DecodeError as exc:
        raise ExportRefused(_json_syntax(raw, str(exc))) from None
    except RecursionError:
        raise ExportRefused("not a tabletop export: its JSON is nested too deeply") from None


def _json_syntax(raw: bytes, message: str) -> str:
    """msgspec's "JSON is malformed: … (byte N)" as a line and column people can find."""
    found = re.search(r"\(byte (\d+)\)", message)
    what = re.sub(r"^JSON is malformed: |\s*\(byte \d+\)", "", message)
    if found is None:
        return f"not valid JSON: {what}"
    offset = min(int(found.group(1)), len(raw))
    line = raw.count(b"\n", 0, offset) + 1
    column = offset - (raw.rfind(b"\n", 0, offset) + 1) + 1
    return f"not valid JSON at line {line}, column {column}: {what}"


def resolve_scenario(export: _Export, find_exercise: FindExercise) -> LoadedScenario:
    """The export's own scenario, or the exercise it names when it carries none."""
    if export.export_version > EXPORT_VERSION:
        raise ExportRefused(
            f"the export is version {export.export_version}; this tabletop reads version "
            f"{EXPORT_VERSION} at most: upgrade tabletop to import it"
        )
    named = export.meta.exercise_id or export.exercise_id
    digest = export.meta.scenario_sha256
    if bytes(export.scenario) not in (b"", b"null"):
        try:
            scenario = decode(export.scenario)
        except msgspec.MsgspecError as exc:
            raise ExportRefused(
                f"the scenario in the export cannot be read ({explain(exc, Scenario)})"
            ) from None
        if named is not None and named != scenario.id:
            raise ExportRefused(
                f"the export names exercise '{named}' but holds the scenario of '{scenario.id}'"
            )
        return ExportedScenario(scenario, export.meta.source_path or "", digest or "")
    if not named:
        raise ExportRefused(
            "the export holds no scenario and names no exercise (give meta.exercise_id)"
        )
    loaded = find_exercise(named)
    if loaded is None:
        raise ExportRefused(
            f"the export holds no scenario, and exercise '{named}' is not in this "
            "workspace or the bundled library: import it where its file is"
        )
    if digest and digest != loaded.sha256:
        raise ExportRefused(
            f"the export holds no scenario, and {loaded.path} has changed since the "
            f"session was recorded (sha256 {loaded.sha256[:12]}…, the export names "
            f"{digest[:12]}…): import it where that version of the file is"
        )
    return loaded


def import_session(
    export: _Export,
    target: Location,
    find_exercise: FindExercise,
    *,
    clock: Callable[[], float] = time.time,
) -> Imported:
    """Build a new session at ``target`` (a file or a PostgreSQL session) from
    ``export``; never over an existing one.

    Raises ExportRefused (the export is at fault) or SessionError (the session
    could not be made); either way nothing is left at or beside ``target``.
    """
    if not isinstance(target, PostgresLocation):
        check_new_name(target)  # before anything is read: a plain mistake, said first
    loaded = resolve_scenario(export, find_exercise)
    created = float(clock())
    with stores.building(target, loaded, clock=lambda: created) as journal:
        exempt = _before_the_branch_rule(export)
        count = _build(journal, export.events, _from_newer(export.meta), created, exempt)
    unreadable = sum(1 for event in export.events if event.kind not in EVENT_KINDS)
    return Imported(target, loaded.scenario.id, count, unreadable)


def _build(
    journal: SessionStore,
    events: list[_Event],
    from_newer: bool,
    created: float,
    exempt: Callable[[int], bool],
) -> int:
    session = Session(journal)
    wall = created
    with journal.transaction():
        for position, event in enumerate(events, start=1):
            wall = _wall_of(event, position, wall)
            received = _received_of(event, position)
            where = f"event seq {position} ({event.kind[:40]})"
            if event.seq is not None and event.seq != position:
                raise ExportRefused(
                    f"{where}: its seq is {event.seq}; events are numbered 1, 2, 3 … "
                    "in order, without gaps"
                )
            try:
                if event.kind not in EVENT_KINDS and (from_newer or event.kept_unread):
                    # Kept as it came, as replay keeps it.
                    session.keep_unreadable(
                        event.kind, dict(event.data), wall=wall, author=event.author()
                    )
                else:  # a kind this version knows, or a misspelling of one
                    if event.kind in EVENT_KINDS and not exempt(position):
                        check_branches(convert(event.kind, dict(event.data)), session.state)
                    session.record_payload(
                        event.kind, dict(event.data), wall=wall, author=event.author(),
                        received=received,
                    )
            except ValueError as exc:
                raise ExportRefused(f"{where}: {exc}") from None
    return len(events)


def _before_the_branch_rule(export: _Export) -> Callable[[int], bool]:
    """Which events the branch rule spares: all of an export made before it existed
    (version 3 and older), and the deliveries a later one lists as made before it."""
    if export.export_version < 4:
        return lambda _seq: True
    listed = frozenset(export.meta.branch_conflicts)
    return listed.__contains__


def _from_newer(meta: _Meta) -> bool:
    """Whether a newer tabletop made the export: its events of kinds this version
    does not know are then kept. Anywhere else such a kind is a mistake (a
    hand-written ``endex``) and refused, unless export marked it ``kept_unread``."""
    if meta.format_version is not None and meta.format_version > FORMAT_VERSION:
        return True
    ours = _release(__version__)
    return any(
        ours < _release(version)
        for version in (meta.exported_by, meta.tabletop_version)
        if version is not None
    )


def _release(version: str) -> tuple[int, ...]:
    """The leading numbers of a version ("0.3.1.dev2" is (0, 3, 1))."""
    found = re.match(r"\d+(?:\.\d+)*", version)
    return tuple(int(part) for part in found.group().split(".")) if found else ()


def _wall_of(event: _Event, position: int, previous: float) -> float:
    """An event's time; one that a hand-written export leaves out is the one before."""
    if event.wall is None:
        return previous
    if not math.isfinite(event.wall) or not 0 <= event.wall < 1e11:
        raise ExportRefused(
            f"event seq {position}: 'wall' must be a time in seconds since 1970, "
            f"not {event.wall!r}"
        )
    return event.wall


def _received_of(event: _Event, position: int) -> float | None:
    received = event.received
    if received is not None and (not math.isfinite(received) or not 0 <= received < 1e11):
        raise ExportRefused(
            f"event seq {position}: 'received' must be a time in seconds since 1970, "
            f"not {received!r}"
        )
    return received


def save_copy(session: Session, target: Location) -> Imported:
    """Write everything ``session`` holds in memory to a new session file at ``target``.

    For a console whose file was removed or replaced under it: the record it
    has replayed and appended is complete, so it becomes a new file, checked
    event by event as an import is.
    """
    meta = session.meta
    export = _Export(
        export_version=EXPORT_VERSION,
        meta=_Meta(
            exercise_id=meta.exercise_id,
            scenario_sha256=meta.scenario_sha256,
            source_path=meta.source_path,
            branch_conflicts=conflicting_deliveries(session.state),
        ),
        scenario=msgspec.Raw(encode(meta.scenario)),
        events=[
            _Event(
                kind=e.kind, seq=e.seq, wall=e.wall, received=e.received,
                actor=_Actor(name=e.author.name, role=e.author.role, console=e.author.console),
                data=e.data, kept_unread=not e.readable,
            )
            for e in session.state.history
        ],
    )
    return import_session(export, target, lambda _id: None)
