"""`tabletop present SESSION [--team TEAM | --all]`: the read-only participant view.

Without a team it is the room's projector, and shows only what went to everyone."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tabletop.commands.arguments import session_location
from tabletop.core.problems import did_you_mean

if TYPE_CHECKING:
    from tabletop.session.store.location import Location


def register(sub: argparse._SubParsersAction[Any]) -> None:
    parser = sub.add_parser(
        "present",
        help="show participants what they have received (read-only)",
        description="A participant view of a session, for a projector or a team's screen. "
        "It follows the facilitator's console live and never changes the session.",
    )
    parser.add_argument("session", metavar="SESSION", type=session_location,
                        help="the session file, or its PostgreSQL URL")
    shown = parser.add_mutually_exclusive_group()
    shown.add_argument("--team", metavar="TEAM",
                       help="show what this team received, and its briefing")
    shown.add_argument("--all", action="store_true", dest="show_all",
                       help="show every delivered inject, those sent to single teams too: "
                       "for the facilitator's own second screen, never the room's projector")
    parser.add_argument("--poll", type=float, default=1.0, help=argparse.SUPPRESS)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from tabletop.session.session import Session
    from tabletop.session.store.errors import SessionError, SessionNotFound

    path: Location = args.session
    if isinstance(path, Path) and not path.is_file():
        print(f"tabletop present: no session file at {path}", file=sys.stderr)
        return 2
    try:
        session = Session.open_readonly(path)
    except SessionError as exc:
        print(f"tabletop present: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, SessionNotFound) else 1
    try:
        teams = session.scenario.team_by_id
        if args.team is not None and args.team not in teams:
            hint = did_you_mean(args.team, teams)
            known = ", ".join(teams)
            print(f"tabletop present: no team '{args.team}'{hint}; teams: {known}",
                  file=sys.stderr)
            return 2
        from tabletop.tui.console.app import make_present_app

        make_present_app(session, team=args.team, poll=max(0.2, args.poll),
                         show_all=args.show_all).run()
    finally:
        session.close()
    return 0
