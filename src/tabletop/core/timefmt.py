"""Parsing and printing of the format's time values.

Story offsets (``+1d 04:30``, ``+2h30m``, ``+45m``) say how far into the story
an inject happens. Durations (``3h``, ``2h30m``, ``90m``) say how long play
lasts. Both are strings with regular-expression patterns that the JSON Schema
repeats, so an editor and ``tabletop validate`` accept exactly the same values.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

# ECMA-262 compatible (no lookbehind, no named groups) so the JSON Schema can
# carry the same pattern. Each ends "(?!\n)$": in Python "$" also matches before
# a final newline, so "3h\n" would pass; the look-ahead refuses it, and in
# ECMA-262, where "$" is the very end, it changes nothing.
OFFSET_PATTERN = (
    r"^\+(?=\d)(\d{1,3}d)? ?((\d{1,3}):([0-5]\d)|(\d{1,4}h)?([0-9]{1,5}m)?)(?!\n)$"
)
DURATION_PATTERN = r"^(?=\d)(\d{1,2}h)?([0-9]{1,4}m)?(?!\n)$"
DATETIME_PATTERN = (
    r"^\d{4}-[01]\d-[0-3]\dT[0-2]\d:[0-5]\d(:[0-5]\d)?(\.\d+)?(Z|[+-][0-2]\d:[0-5]\d)(?!\n)$"
)

_OFFSET = re.compile(
    r"\+(?=\d)(?:(?P<d>\d{1,3})d)? ?"
    r"(?:(?P<hh>\d{1,3}):(?P<mm>[0-5]\d)|(?:(?P<h>\d{1,4})h)?(?:(?P<m>\d{1,5})m)?)"
)
_DURATION = re.compile(r"(?=\d)(?:(?P<h>\d{1,2})h)?(?:(?P<m>\d{1,4})m)?")


def parse_offset(text: str) -> timedelta:
    """``'+1d 04:30'`` -> 1 day 4.5 hours. Raises ValueError on anything else."""
    match = _OFFSET.fullmatch(text)
    if not match:
        raise ValueError(f"not a story offset: {text!r}")
    g = {k: int(v) if v else 0 for k, v in match.groupdict().items()}
    return timedelta(days=g["d"], hours=g["hh"] + g["h"], minutes=g["mm"] + g["m"])


def parse_duration(text: str) -> timedelta:
    match = _DURATION.fullmatch(text)
    if not match or not text:
        raise ValueError(f"not a duration: {text!r}")
    g = {k: int(v) if v else 0 for k, v in match.groupdict().items()}
    return timedelta(hours=g["h"], minutes=g["m"])


LONGEST_OFFSET = timedelta(days=999, hours=23, minutes=59)
"""The furthest story offset the format can write (three digits of days)."""


def format_offset(delta: timedelta) -> str:
    """The canonical spelling of an offset: ``+1d 04:30`` or ``+04:30``."""
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    return f"+{days}d {hours:02d}:{mins:02d}" if days else f"+{hours:02d}:{mins:02d}"


def format_duration(seconds: float) -> str:
    """Elapsed play time as ``H:MM:SS``."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    mins, secs = divmod(rest, 60)
    return f"{hours}:{mins:02d}:{secs:02d}"


def parse_datetime(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def format_story(moment: datetime) -> str:
    """Story time as a facilitator reads it aloud: ``Sat 14 Mar 06:00``."""
    return moment.strftime("%a %d %b %H:%M")
