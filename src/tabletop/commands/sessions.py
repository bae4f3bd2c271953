"""``tabletop sessions [DIR | URL]``: the sessions in a folder or a database, read-only."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from tabletop.commands.arguments import session_location
from tabletop.core.safetext import for_terminal
from tabletop.session.store.location import Location, PostgresLocation


def register(sub: argparse._SubParsersAction[Any]) -> None:
    parser = sub.add_parser(
        "sessions",
        help="list recorded sessions",
        description=(
            "List session files with their exercise, start, last activity, injects "
            "delivered and decisions recorded. Files are opened read-only; a file that "
            "cannot be read is listed as unreadable."
        ),
    )
    parser.add_argument(
        "folder",
        nargs="?",
        type=session_location,
        metavar="DIR",
        help="folder to look in (default: the workspace's sessions/), or a PostgreSQL "
        "URL (postgresql://host/db) to list the sessions in that database",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from tabletop.authoring.workspace import find_workspace

    if isinstance(args.folder, PostgresLocation):
        return _list_database(args.folder)
    folder: Path = args.folder or find_workspace(Path.cwd()) / "sessions"
    if not folder.exists():
        if args.folder is not None:
            print(f"tabletop sessions: {folder}: no such folder", file=sys.stderr)
            return 2
        print(f"No sessions yet ({folder} does not exist).")
        return 0
    if not folder.is_dir():
        print(f"tabletop sessions: {folder} is not a folder", file=sys.stderr)
        return 2
    files = sorted(p for p in folder.glob("*.db") if not p.name.startswith("."))
    if not files:
        print(f"No sessions in {folder}.")
        return 0
    _print_table("FILE", [(path.name, path) for path in files])
    return 0


def _list_database(database: PostgresLocation) -> int:
    from tabletop.session.store.errors import SessionError
    from tabletop.session.store.stores import list_database

    try:
        found = list_database(database)
    except SessionError as exc:
        print(f"tabletop sessions: {for_terminal(str(exc), one_line=True)}", file=sys.stderr)
        return 1
    if not found:
        print(f"No sessions in {database.database}.")
        return 0
    _print_table("SESSION", [(str(place.session), place) for place in found])
    return 0


def _print_table(first: str, places: list[tuple[str, Location]]) -> None:
    header = (first, "EXERCISE", "STARTED", "LAST ACTIVITY", "DELIVERED", "DECISIONS", "STATE")
    rows = [header, *(tuple(for_terminal(cell, one_line=True) for cell in _row(name, place))
                      for name, place in places)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


def _row(name: str, path: Location) -> tuple[str, ...]:
    from tabletop.session.store import stores
    from tabletop.session.store.errors import SessionError
    from tabletop.session.summary import summarise

    try:
        store = stores.open_readonly(path)
        try:
            summary = summarise(store)
        finally:
            store.close()
    except SessionError as exc:
        reason = str(exc).removeprefix(f"{path}: ").removeprefix(str(path)).strip(" :")
        return (name, "(unreadable)", "", "", "", "", reason)
    holder = stores.writer_of(path)
    if holder is not None:
        who = f"{holder.name}, " if holder.name else ""  # the facilitator, when named
        status = f"open by {who}{holder.user}@{holder.host} (pid {holder.pid})"
    else:
        status = "ended" if summary.ended else "stopped"
    last = summary.last_wall
    return (
        name,
        summary.meta.exercise_id,
        _when(summary.meta.created),
        _when(last) if last is not None else "-",
        str(summary.delivered),
        str(summary.decisions),
        status,
    )


def _when(wall: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(wall))
