"""``tabletop sessions [DIR]``: the session files in a folder, read-only."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from tabletop.commands.arguments import user_path
from tabletop.core.safetext import for_terminal


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
        type=user_path,
        metavar="DIR",
        help="folder to look in (default: the workspace's sessions/)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from tabletop.authoring.workspace import find_workspace

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
    header = ("FILE", "EXERCISE", "STARTED", "LAST ACTIVITY", "DELIVERED", "DECISIONS", "STATE")
    rows = [header, *(tuple(for_terminal(cell, one_line=True) for cell in _row(path))
                      for path in files)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    return 0


def _row(path: Path) -> tuple[str, ...]:
    from tabletop.session.store.errors import SessionError
    from tabletop.session.store.sqlite import Journal, writer_of
    from tabletop.session.summary import summarise

    try:
        with Journal.open_readonly(path) as store:
            summary = summarise(store)
    except SessionError as exc:
        reason = str(exc).removeprefix(f"{path}: ").removeprefix(str(path)).strip(" :")
        return (path.name, "(unreadable)", "", "", "", "", reason)
    holder = writer_of(path)
    if holder is not None:
        who = f"{holder.name}, " if holder.name else ""  # the facilitator, when named
        status = f"open by {who}{holder.user}@{holder.host} (pid {holder.pid})"
    else:
        status = "ended" if summary.ended else "stopped"
    last = summary.last_wall
    return (
        path.name,
        summary.meta.exercise_id,
        _when(summary.meta.created),
        _when(last) if last is not None else "-",
        str(summary.delivered),
        str(summary.decisions),
        status,
    )


def _when(wall: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(wall))
