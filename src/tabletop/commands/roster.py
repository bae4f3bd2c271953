"""``tabletop import-roster SESSION FILE.csv``: the sign-in sheet into the roster.

The sheet is read and checked whole against the session first, read-only: a
bad row (an unknown role or team, a name twice) is named by line and column,
and then nothing is recorded at all. Only then is the session opened for
writing, as ``tabletop run`` opens it (the facilitator by default, or
``--role controller --name NAME`` beside a facilitator console that is open),
and the entries are appended in one transaction: all of them, or none.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from tabletop.commands.arguments import session_location, user_path
from tabletop.core.roles import FACILITATOR, ROLES


def register(sub: argparse._SubParsersAction[Any]) -> None:
    parser = sub.add_parser(
        "import-roster",
        help="add the participants of a sign-in sheet (CSV) to a session's roster",
        description=(
            "Add who took part, from a CSV sign-in sheet, to the session's roster. Columns "
            "(in any order, headers in any case): name (required), organisation or "
            "organization, nation or country, role (player, facilitator, controller, "
            "evaluator, scribe, observer; default player), team (its id or name), name in "
            "report (yes/no; default no: the report then counts the person without naming "
            "them). See docs/roster.md. Every row is checked first; when one is wrong, "
            "each problem is named by line and column and nothing is added. People "
            "already on the roster as the sheet has them are left as they are."
        ),
    )
    parser.add_argument("session", type=session_location, metavar="SESSION",
                        help="the session file (or a PostgreSQL session URL)")
    parser.add_argument("sheet", type=user_path, metavar="FILE.csv",
                        help="the sign-in sheet, or '-' for stdin")
    parser.add_argument(
        "--role", choices=ROLES, default=FACILITATOR,
        help="who records the roster (default: facilitator; a controller may, beside "
        "an open facilitator console)",
    )
    parser.add_argument("--name", metavar="NAME",
                        help="who is recording (required for every role but the facilitator)")
    parser.set_defaults(func=run)


def _fail(message: str, code: int = 1) -> int:
    from tabletop.core.safetext import for_terminal

    print(f"tabletop import-roster: {for_terminal(message, one_line=True)}", file=sys.stderr)
    return code


def run(args: argparse.Namespace) -> int:
    from tabletop.core.files import TooLarge, read_bounded, reason
    from tabletop.core.safetext import for_terminal
    from tabletop.session import events as ev
    from tabletop.session.authors import new_recorder
    from tabletop.session.permissions import refusal
    from tabletop.session.roster import MAX_PROBLEMS, MAX_ROSTER_BYTES, RosterRefused, read_roster
    from tabletop.session.session import Session
    from tabletop.session.store.errors import SessionError, SessionLocked

    try:
        recorder = new_recorder(args.role, args.name)
    except ValueError as exc:
        return _fail(str(exc), 2)
    source: Path = args.sheet
    name = "stdin" if str(source) == "-" else str(source)
    try:
        raw = read_bounded(Path("/dev/stdin") if name == "stdin" else source, MAX_ROSTER_BYTES)
    except TooLarge as exc:
        return _fail(f"{name}: {exc}")
    except FileNotFoundError:
        return _fail(f"{name}: no such file", 2)
    except OSError as exc:
        return _fail(f"cannot read {name}: {reason(exc)}")
    try:
        with Session.open_readonly(args.session) as reader:
            refused = refusal(recorder, ev.ParticipantAdded(name="-"), reader.state)
            if refused is not None:
                return _fail(refused, 2)
            roster = read_roster(raw, name, reader.state)
        if roster.problems:
            for problem in roster.problems[:MAX_PROBLEMS]:
                print(for_terminal(problem, one_line=True), file=sys.stderr)
            more = len(roster.problems) - MAX_PROBLEMS
            if more > 0:
                print(f"… and {more} more", file=sys.stderr)
            return _fail(f"{name}: {len(roster.problems)} problem"
                         f"{'' if len(roster.problems) == 1 else 's'}; nobody was added")
        if not roster.entries:
            print(f"Nobody to add: {_people(roster.already)} on the sheet "
                  f"{'is' if roster.already == 1 else 'are'} already on the roster.")
            return 0
        try:
            writer = Session.open(args.session, recorder=recorder)
        except SessionLocked as exc:
            return _fail(f"{exc}; to add the roster while it is open: tabletop import-roster "
                         "--role controller --name NAME …")
        with writer:
            roster = read_roster(raw, name, writer.state)  # as the record is now
            if roster.problems:
                return _fail(f"{roster.problems[0]}; nobody was added")
            at = 0
            try:
                with writer.store.transaction():  # all of them, or none
                    for line, data in roster.entries:
                        at = line
                        writer.record("participant_added", **data)
            except ValueError as exc:
                return _fail(f"{name}:{at}: {exc}; nobody was added")
            where = writer.location
    except RosterRefused as exc:
        return _fail(f"{exc}; nobody was added")
    except SessionError as exc:
        return _fail(str(exc))
    added = len(roster.entries)
    already = f" ({_people(roster.already)} already on it)" if roster.already else ""
    print(f"Added {_people(added)} to the roster of {where}{already}")
    if roster.ignored:
        print(f"Columns left out (not roster columns): {', '.join(roster.ignored)}")
    return 0


def _people(count: int) -> str:
    return f"{count} {'person' if count == 1 else 'people'}"
