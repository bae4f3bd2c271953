"""Rows of a store as events and consoles, checked: a session store is data, and a
crafted one may hold anything in any column. Shared by every store."""

from __future__ import annotations

from tabletop.core.roles import FACILITATOR, ROLES
from tabletop.session.authors import FACILITATOR_RECORDER, Author
from tabletop.session.events import KIND_PATTERN, Event, Payload, PayloadError, kind_of
from tabletop.session.events import decode as decode_payload
from tabletop.session.events import encode as encode_payload
from tabletop.session.store.base import Presence
from tabletop.session.store.errors import SessionCorrupt

MAX_WALL = 1e11  # seconds since 1970: the year 5138; anything later is damage
MAX_PAYLOAD = 1 << 20  # one event's JSON; a decision's text is a few hundred bytes


def event_from_row(
    where_from: object,
    seq: object,
    kind: object,
    wall: object,
    data: object,
    actor: object,
    role: object,
    console: object,
    received: object,
) -> Event:
    """One row as an event, or SessionCorrupt naming it: a session file is data,
    and a crafted one may hold anything in any column."""
    where = f"{where_from}: event {seq!r:.20}"
    if not isinstance(seq, int) or seq < 1:
        raise SessionCorrupt(f"{where} is damaged: its number is not a positive whole number")
    if not isinstance(kind, str) or not KIND_PATTERN.match(kind):
        raise SessionCorrupt(f"{where} is damaged: its kind is not a name")
    if not isinstance(wall, int | float) or not 0 <= wall < MAX_WALL:
        raise SessionCorrupt(f"{where} is damaged: its time is not a time ({wall!r:.30})")
    if not isinstance(data, str | bytes) or len(data) > MAX_PAYLOAD:
        raise SessionCorrupt(f"{where} is damaged: its payload is not JSON text of a sane size")
    try:
        payload = decode_payload(kind, data)
    except PayloadError as exc:
        raise SessionCorrupt(f"{where} ({kind[:40]}) is damaged: {exc}") from None
    author = author_from_row(where, actor, role, console)
    if received is not None and (not isinstance(received, int | float)
                                 or not 0 <= received < MAX_WALL):
        raise SessionCorrupt(f"{where} is damaged: its received time is not a time")
    return Event(seq, kind, float(wall), payload, author,
                 None if received is None else float(received))


def author_from_row(where: str, actor: object, role: object, console: object) -> Author:
    if not isinstance(role, str) or role not in ROLES:
        raise SessionCorrupt(f"{where} is damaged: its recorder's role is not a role")
    if not isinstance(actor, str) or len(actor) > 200 or not isinstance(console, str) \
            or len(console) > 64:
        raise SessionCorrupt(f"{where} is damaged: its recorder is not a name")
    if not actor and role == FACILITATOR and not console:
        return FACILITATOR_RECORDER.author  # every event before authors: one object
    return Author(actor, ROLES[ROLES.index(role)], console)


def presence_from_row(
    where_from: object, console: object, actor: object, role: object, teams: object,
    opened: object, seen: object, closed: object,
) -> Presence:
    where = f"{where_from}: console {console!r:.20}"
    author = author_from_row(where, actor, role, console)
    times = (opened, seen) + (() if closed is None else (closed,))
    if not isinstance(teams, str) or not all(
        isinstance(t, int | float) and 0 <= t < MAX_WALL for t in times
    ):
        raise SessionCorrupt(f"{where} is damaged")
    return Presence(
        author,
        tuple(t for t in teams.split(",") if t),
        float(opened),  # type: ignore[arg-type]
        float(seen),  # type: ignore[arg-type]
        None if closed is None else float(closed),  # type: ignore[arg-type]
    )


def storable(payload: Payload) -> bytes:
    """A payload's stored JSON; ValueError when it is too big for any store to keep."""
    stored = encode_payload(payload)
    if len(stored) > MAX_PAYLOAD:
        raise ValueError(
            f"the {kind_of(payload)} event cannot be stored: it holds {len(stored):,} bytes, "
            f"more than {MAX_PAYLOAD:,}"
        )
    return stored
