"""``tabletop export SESSION``: a session's metadata, event log and derived state as JSON."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any


def register(sub: argparse._SubParsersAction[Any]) -> None:
    parser = sub.add_parser(
        "export",
        help="print a session as JSON",
        description=(
            "Print a session file as JSON: its metadata, every event in order and the "
            "state they add up to (deliveries, decisions with their revisions, ratings, "
            "notes, hotwash, improvement actions, clocks). The file is opened read-only."
        ),
    )
    parser.add_argument("session", type=Path, metavar="SESSION", help="a session file (.db)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from tabletop.session.exporting import export_session
    from tabletop.session.journal import SessionError, writer_of
    from tabletop.session.session import Session

    path: Path = args.session
    try:
        session = Session.open_readonly(path)
    except SessionError as exc:
        print(f"tabletop export: {exc}", file=sys.stderr)
        return 1
    with session:
        # A session nobody is running stopped at its last event, not now.
        live = writer_of(path) is not None
        last = session.state.last_activity()
        now = time.time() if live or last is None else last
        data = export_session(session, now, live=live)
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0
