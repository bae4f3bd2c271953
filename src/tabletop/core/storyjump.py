"""What a facilitator may type to move the story clock, resolved to one moment.

The console's "story clock: jump" form reads these against the current story
time; the event it records holds only the absolute time it resolved to
(docs/export.md), so replaying a session never reads them again.

- ``2026-03-15 07:00`` (or ISO, ``T`` and a zone optional): that moment; without
  a zone, in the zone of the current story time.
- ``07:00``: the next 07:00 at or after now (tomorrow's if today's has passed).
- ``next 07:00``: the next 07:00 strictly after now.
- ``+18h``, ``+2d``, ``+1d6h``, ``+90m``, ``+1d 06:00``: that far ahead;
  ``-2h`` and the like, that far back.

Only a date and time or a ``-`` step can move the clock back.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from tabletop.core.problems import excerpt

ACCEPTED = "2026-03-15 07:00, 07:00, next 07:00, +18h, +2d, +1d6h, +90m or -2h"
"""The accepted forms, as the error names them."""

_STEP = re.compile(
    r"(?P<sign>[+-]) ?(?=\d)(?:(?P<d>\d{1,4}) ?d)? ?"
    r"(?:(?P<hh>\d{1,3}):(?P<mm>[0-5]\d)|(?:(?P<h>\d{1,5}) ?h)? ?(?:(?P<m>\d{1,6}) ?m)?)",
    re.IGNORECASE,
)
_CLOCK = re.compile(r"(?:(?P<next>next) )?(?P<h>[01]?\d|2[0-3]):(?P<m>[0-5]\d)", re.IGNORECASE)
_ABSOLUTE = re.compile(
    r"(?P<date>\d{4}-\d\d-\d\d)[T ](?P<h>\d{1,2}):(?P<m>\d\d)(?::(?P<s>\d\d))?"
    r" ?(?P<zone>Z|[+-]\d\d:?\d\d)?",
    re.IGNORECASE,
)


def resolve_jump(text: str, now: datetime) -> datetime:
    """The story time ``text`` names, seen from the current story time ``now``.

    Raises ValueError, one line naming the accepted forms, for anything else.
    """
    entry = " ".join(text.split())
    try:
        if match := _STEP.fullmatch(entry):
            return now + _step(match)
        if match := _CLOCK.fullmatch(entry):
            at = now.replace(hour=int(match["h"]), minute=int(match["m"]), second=0,
                             microsecond=0)
            if at < now or (match["next"] and at == now):
                at += timedelta(days=1)
            return at
        if match := _ABSOLUTE.fullmatch(entry):
            return _absolute(match, now)
    except OverflowError:
        raise ValueError(f"'{_shown(text)}' is beyond the calendar") from None
    raise ValueError(f"'{_shown(text)}' is not a story time: use {ACCEPTED}")


def zone_label(moment: datetime) -> str:
    """``UTC`` or ``UTC+02:00``: the zone a time without one is read in."""
    offset = moment.utcoffset()
    if not offset:
        return "UTC"
    minutes = int(offset.total_seconds() // 60)
    hours, mins = divmod(abs(minutes), 60)
    return f"UTC{'-' if minutes < 0 else '+'}{hours:02d}:{mins:02d}"


def _step(match: re.Match[str]) -> timedelta:
    g = {k: int(match[k] or 0) for k in ("d", "hh", "mm", "h", "m")}
    delta = timedelta(days=g["d"], hours=g["hh"] + g["h"], minutes=g["mm"] + g["m"])
    return -delta if match["sign"] == "-" else delta


def _absolute(match: re.Match[str], now: datetime) -> datetime:
    zone = (match["zone"] or "").upper().replace("Z", "+00:00")
    if len(zone) == 5:  # +0200
        zone = zone[:3] + ":" + zone[3:]
    iso = f"{match['date']}T{int(match['h']):02d}:{match['m']}:{match['s'] or '00'}{zone}"
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        raise ValueError(f"'{_shown(match[0])}' is not a real date and time") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=now.tzinfo)


def _shown(text: str) -> str:
    return excerpt(" ".join(text.split()))

