"""How the report writes times: UTC wall clock, story time with its zone, signed delays."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

from tabletop.core.timefmt import format_duration, format_offset


def wall_iso(wall: float) -> str:
    return datetime.fromtimestamp(wall, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def wall_text(wall: float) -> str:
    return datetime.fromtimestamp(wall, UTC).strftime("%a %d %b %Y %H:%M UTC")


def story_iso(moment: datetime) -> str:
    return moment.isoformat()


def story_text(moment: datetime) -> str:
    """``Sat 14 Mar 2026 06:00 UTC`` (or the story's own offset, e.g. ``+02:00``)."""
    offset = moment.utcoffset()
    zone = "UTC" if not offset else moment.strftime("%z")[:3] + ":" + moment.strftime("%z")[3:]
    return moment.strftime("%a %d %b %Y %H:%M ") + zone


def story_short(moment: datetime) -> str:
    """``14 Mar 06:00``: enough on a timeline that spans days, not years."""
    return moment.strftime("%d %b %H:%M")


def signed_offset(delta: timedelta) -> str:
    """A story delay as ``+01:30`` / ``+1d 02:00``; ``-00:10`` if the clock ran backwards."""
    if delta < timedelta(0):
        return "-" + format_offset(-delta)[1:]
    return format_offset(delta)


def signed_duration(seconds: float) -> str:
    return ("-" if seconds < 0 else "") + format_duration(abs(seconds))


def generated_at() -> datetime:
    """Now, unless SOURCE_DATE_EPOCH fixes it (reproducible builds)."""
    fixed = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if fixed.isdigit():
        return datetime.fromtimestamp(int(fixed), UTC)
    return datetime.now(UTC)
