"""``tabletop export SESSION``: a session's metadata, event log and derived state as JSON."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tabletop.commands.arguments import session_location, user_path

if TYPE_CHECKING:
    from tabletop.session.store.location import Location


def register(sub: argparse._SubParsersAction[Any]) -> None:
    parser = sub.add_parser(
        "export",
        help="print a session as JSON",
        description=(
            "Print a session file as JSON: its metadata, every event in order, the "
            "state they add up to (deliveries, decisions with their revisions, ratings, "
            "notes, hotwash, improvement actions, clocks) and the scenario it was played "
            "from. `tabletop import` rebuilds a session from it; the format is described "
            "in docs/export.md. The session file is opened read-only."
        ),
    )
    parser.add_argument(
        "session", type=session_location, metavar="SESSION",
        help="a session file (.db), or its PostgreSQL URL",
    )
    parser.add_argument(
        "-o",
        "--output",
        type=user_path,
        metavar="FILE",
        help="write the JSON to FILE instead of the standard output (never over a session)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from tabletop.core.files import UnsafeOutput, reason, write_output
    from tabletop.core.safetext import for_terminal, json_text
    from tabletop.session.exporting import export_session
    from tabletop.session.session import Session
    from tabletop.session.store.errors import SessionError, SessionNotFound
    from tabletop.session.store.stores import own_files, writer_of

    path: Location = args.session
    try:
        session = Session.open_readonly(path)
    except SessionError as exc:
        print(f"tabletop export: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, SessionNotFound) else 1
    with session:
        # A session nobody is running stopped at its last event, not now.
        live = writer_of(path) is not None
        last = session.state.last_activity()
        now = time.time() if live or last is None else last
        data = export_session(session, now, live=live)
    text = json_text(data) + "\n"
    output: Path | None = args.output
    if output is None or str(output) == "-":
        sys.stdout.write(text)
        return 0
    try:
        write_output(output, text, protect=own_files(path))
    except UnsafeOutput as exc:
        print(f"tabletop export: {for_terminal(str(exc), one_line=True)}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"tabletop export: cannot write {for_terminal(str(output), one_line=True)}: "
              f"{reason(exc)}", file=sys.stderr)
        return 1
    print(output)
    return 0
