"""`tabletop run EXERCISE [--session FILE] [--role ROLE --name NAME --team T]`: a console.

Without ``--session`` a new session file is created under the workspace's
``sessions/``. With an existing file the console resumes it, playing the
scenario copy stored inside (the YAML on disk may have changed since).
``tabletop run FILE`` joins the session FILE itself. ``--role`` opens a console
for a controller, evaluator, scribe or observer beside the facilitator's.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tabletop.app.opening import open_session, session_named
from tabletop.app.startup import collector_paused, freeze_survivors
from tabletop.commands.arguments import session_location
from tabletop.core.problems import ProblemsFound
from tabletop.core.roles import DUTIES, FACILITATOR, ROLES
from tabletop.core.timefmt import format_duration
from tabletop.session.store.location import Location, PostgresLocation, is_url

if TYPE_CHECKING:
    from tabletop.session.session import Session


def register(sub: argparse._SubParsersAction[Any]) -> None:
    roles = "; ".join(f"{role}: {duty}" for role, duty in DUTIES.items())
    parser = sub.add_parser(
        "run",
        help="run a live exercise in a console (the facilitator's, or another role's)",
        description="Open a console for an exercise. Every keystroke that records "
        "something is saved to the session (a file, or a session in PostgreSQL) at once. "
        "Several consoles may record on one session, one per person, each in its role "
        f"({roles}).",
    )
    parser.add_argument(
        "exercise", metavar="EXERCISE",
        help="exercise id or path to its file, or an existing session (file or "
        "PostgreSQL URL) to join",
    )
    parser.add_argument(
        "--session",
        type=session_location,
        metavar="FILE|URL",
        help="session file to resume, or to create if missing "
        "(default: sessions/<exercise-id>-<UTC time>.db in the workspace); or a "
        "session in PostgreSQL: postgresql://host/db?session=NAME",
    )
    parser.add_argument(
        "--role", choices=ROLES, default=FACILITATOR,
        help="who sits at this console (default: facilitator; one facilitator at a time)",
    )
    parser.add_argument(
        "--name", metavar="NAME",
        help="who is recording, as the record should name them (required for every role "
        "but the facilitator)",
    )
    parser.add_argument(
        "--team", metavar="TEAM", action="append", default=[],
        help="a team this console records for (repeat for several; a scribe needs one)",
    )
    parser.add_argument(
        "--headless-smoke",
        action="store_true",
        help="for scripts and CI: open or create the session, load the console without a "
        "screen, and exit 0 once it is ready for keys (records only that it was opened)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from tabletop.session.authors import new_recorder
    from tabletop.session.store.errors import SessionError

    try:
        recorder = new_recorder(args.role, args.name, tuple(args.team))
    except ValueError as exc:
        print(f"tabletop run: {exc}", file=sys.stderr)
        return 2
    target, session_file = args.exercise, args.session
    try:
        if session_file is None and is_url(target):  # `tabletop run URL`: join that session
            target, session_file = _session_at(target)
        elif session_file is None and (joined := session_named(target)) is not None:
            target, session_file = joined
        if not recorder.is_facilitator:
            _check_joinable(target, session_file)
    except _CannotJoin as exc:
        print(f"tabletop run: {exc}", file=sys.stderr)
        return exc.code
    with collector_paused():
        try:
            opened = open_session(target, session_file, recorder)
        except ProblemsFound as exc:
            if _names_no_exercise(exc):
                print(f"tabletop run: {exc.problems[0].file}: {exc.problems[0].message}",
                      file=sys.stderr)
                return 2
            print(str(exc), file=sys.stderr)
            print("tabletop run: the exercise has problems (listed above); nothing was started",
                  file=sys.stderr)
            return 1
        except (SessionError, OSError) as exc:
            print(f"tabletop run: {exc}", file=sys.stderr)
            return 1
        session = opened.session
        where = shown_place(session_file, session.location)
        print(f"Session: {where}")
        try:
            app = _console(session, _brief(session_file, where), opened.notices)
        except BaseException:
            session.close()
            raise
        freeze_survivors()
    in_place = False
    try:
        if args.headless_smoke:
            app.run(headless=True, auto_pilot=_exit_when_ready)
        else:
            app.run()
    finally:
        in_place = session.store.in_place()
        session.close()
    if not in_place:
        print(f"tabletop run: the session file {where} was removed or replaced while the "
              "console ran; what was saved is only in the copies made from the console "
              "('session: save a copy')", file=sys.stderr)
        return 1
    crashed = bool(app.return_code)
    if crashed:
        print("tabletop run: the console stopped on an error (shown above); everything "
              "recorded before it is saved", file=sys.stderr)
    print(f"Session saved: {where}")
    stopped = getattr(app, "clock_stopped_at", None)
    if stopped is not None:
        print(f"The play clock was running: it stopped at {format_duration(stopped)} played, "
              "and a resumed session starts paused (space runs it).")
    typed = shlex.quote(where)  # ready to paste, even with spaces in the name
    again = f"tabletop run {shlex.quote(target)} --session {typed}" + _role_args(args)
    print(f"Resume it: {again}" if crashed else f"Build its report: tabletop report {typed}")
    return 1 if crashed else 0


class _CannotJoin(Exception):
    """One line saying why there is no session to join, and the exit code."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


_FACILITATOR_STARTS = "; the facilitator starts the session, then the others join it"
_START_ONE = " (to start one: tabletop run EXERCISE --session URL)"


def _check_joinable(target: str, session_file: Location | None) -> None:
    """For a console that is not the facilitator's: raise _CannotJoin when there is
    no session to join (the facilitator starts a session, the others join it)."""
    after = _FACILITATOR_STARTS
    if isinstance(session_file, PostgresLocation):
        _exercise_of(session_file, after)
    elif session_file is not None:
        if not session_file.exists():
            raise _CannotJoin(f"{session_file}: no such session file{after}", 2)
    elif Path(target).suffix == ".db" or os.sep in target:
        raise _CannotJoin(f"{target}: no such session file{after}", 2)
    else:
        raise _CannotJoin("this console joins a session: name its file (tabletop run FILE "
                          f"--role …, or --session FILE){after}", 2)


def _session_at(target: str) -> tuple[str, PostgresLocation]:
    """The exercise and the session a URL names (``tabletop run URL``); _CannotJoin
    when there is none."""
    from tabletop.session.store.location import parse_url

    try:
        place = parse_url(target)
    except ValueError as exc:
        raise _CannotJoin(f"{target[:200]}: {exc}", 2) from None
    return _exercise_of(place, _START_ONE), place


def _exercise_of(place: PostgresLocation, after: str) -> str:
    """The exercise of the session at ``place``, asked of the server once."""
    from tabletop.session.store import postgres
    from tabletop.session.store.errors import SessionError

    if place.session is None:
        raise _CannotJoin(
            f"{place}: name the session to join: add ?session=NAME to the URL{after}", 2
        )
    try:
        found = postgres.digest(place)
    except SessionError as exc:
        raise _CannotJoin(str(exc), 1) from None
    if found is None:
        raise _CannotJoin(_no_such_session(place) + after, 2)
    return found[0]


def _no_such_session(place: PostgresLocation) -> str:
    """"No such session", naming a close one in the same database when there is one."""
    from tabletop.core.problems import did_you_mean
    from tabletop.session.store import postgres
    from tabletop.session.store.errors import SessionError

    try:
        names = postgres.session_names(place)
    except SessionError:
        names = []
    return f"{place}: no such session" + did_you_mean(str(place.session), names)


def _role_args(args: argparse.Namespace) -> str:
    """The role options as given, to paste back."""
    if args.role == FACILITATOR and not args.name:
        return ""
    parts = ["--role", args.role] + (["--name", args.name] if args.name else [])
    for team in args.team:
        parts += ["--team", team]
    return " " + " ".join(shlex.quote(part) for part in parts)


def _brief(asked: Location | None, where: str) -> str:
    """What the console's header names: a path, or the session and its database."""
    if isinstance(asked, PostgresLocation) and asked.session is not None:
        return asked.brief
    if isinstance(asked, PostgresLocation):  # a new session under the default name
        from tabletop.session.store.location import parse_url

        return parse_url(where).brief
    return where


def shown_place(asked: Location | None, location: str) -> str:
    """The session's place as the facilitator would type it: a relative path, or the
    URL (without its password)."""
    if isinstance(asked, PostgresLocation):
        return location
    return shown_path(Path(location))


def shown_path(path: Path) -> str:
    """The session's place as the facilitator would type it."""
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)


def _console(session: Session, where: str, notices: list[str]) -> Any:
    from tabletop.tui.console.app import make_app
    from tabletop.tui.keys.keymap import keymap_path

    return make_app(session, where=where, notices=notices, keymap_file=keymap_path())


async def _exit_when_ready(pilot: Any) -> None:
    await pilot.pause()
    pilot.app.exit()


def _names_no_exercise(exc: ProblemsFound) -> bool:
    """The target is no exercise at all (a usage error), not one with problems."""
    return len(exc.problems) == 1 and exc.problems[0].message.startswith("no such exercise")
