"""`tabletop run EXERCISE [--session FILE]`: the facilitator console.

Without ``--session`` a new session file is created under the workspace's
``sessions/``. With an existing file the console resumes it, playing the
scenario copy stored inside (the YAML on disk may have changed since).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import shlex
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tabletop.core.problems import ProblemsFound
from tabletop.core.scenario import ID_PATTERN

if TYPE_CHECKING:
    from tabletop.authoring.loading import LoadedScenario
    from tabletop.session.session import Session


def register(sub: argparse._SubParsersAction[Any]) -> None:
    parser = sub.add_parser(
        "run",
        help="run a live exercise in the facilitator console",
        description="Open the facilitator console for an exercise. Every keystroke that "
        "records something is saved to the session file at once.",
    )
    parser.add_argument("exercise", metavar="EXERCISE", help="exercise id or path to its file")
    parser.add_argument(
        "--session",
        metavar="FILE",
        type=Path,
        help="session file to resume, or to create if missing "
        "(default: sessions/<exercise-id>-<UTC time>.db in the workspace)",
    )
    parser.add_argument(
        "--headless-smoke",
        action="store_true",
        help="for scripts and CI: open or create the session, load the console without a "
        "screen, and exit 0 once it is ready for keys (records only that it was opened)",
    )
    parser.set_defaults(func=run)


@dataclass
class Opened:
    session: Session
    notices: list[str] = field(default_factory=list)


def run(args: argparse.Namespace) -> int:
    from tabletop.session.store.journal import SessionError

    with _collector_paused():
        try:
            opened = open_session(args.exercise, args.session)
        except ProblemsFound as exc:
            print(str(exc), file=sys.stderr)
            print("tabletop run: the exercise has problems (listed above); nothing was started",
                  file=sys.stderr)
            return 1
        except (SessionError, OSError) as exc:
            print(f"tabletop run: {exc}", file=sys.stderr)
            return 1
        session = opened.session
        where = shown_path(session.journal.path)
        print(f"Session: {where}")
        try:
            app = _console(session, where, opened.notices)
        except BaseException:
            session.close()
            raise
        # What is alive now (modules, the scenario, the journal) lives as long
        # as the console: keep the collector from scanning it again and again,
        # in the first frame and through the exercise. Loading leaves only a few
        # hundred cyclic objects behind (probed), which this keeps too.
        gc.freeze()
    in_place = False
    try:
        if args.headless_smoke:
            app.run(headless=True, auto_pilot=_exit_when_ready)
        else:
            app.run()
    finally:
        in_place = session.journal.file_in_place()
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
    typed = shlex.quote(where)  # ready to paste, even with spaces in the name
    print(f"Resume it: tabletop run {shlex.quote(args.exercise)} --session {typed}" if crashed
          else f"Build its report: tabletop report {typed}")
    return 1 if crashed else 0


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while loading: it makes many objects and
    almost no reference cycles, so the collector would only re-scan them."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def open_session(target: str, session_file: Path | None) -> Opened:
    """Resume ``session_file`` if it exists, else create a session for ``target``."""
    cwd = Path.cwd()
    if session_file is not None and session_file.exists():
        return _resume(target, session_file, cwd)
    from tabletop.authoring.loading import load_scenario
    from tabletop.authoring.workspace import find_workspace
    from tabletop.session.session import Session, default_session_path

    loaded = load_scenario(target, cwd)
    path = session_file or default_session_path(
        find_workspace(cwd), loaded.scenario.id, datetime.now(UTC)
    )
    # Session.create makes the folder, and says clearly when it cannot.
    return Opened(Session.create(path, loaded))


def _resume(target: str, session_file: Path, cwd: Path) -> Opened:
    """Resume a session, reading the exercise file only when it has changed.

    The session plays its stored copy of the scenario, so the file on disk
    matters only for the notices. When its bytes hash to the digest the session
    stored, it is the very file the session began from: nothing to parse.
    """
    from tabletop.authoring.workspace import file_digest, locate_exercise
    from tabletop.session.session import Session
    from tabletop.session.store.journal import stored_digest

    stored = stored_digest(session_file)
    if stored is not None:
        exercise_id, digest = stored
        path, _ = locate_exercise(target, cwd)
        try:
            unchanged = path is not None and file_digest(path) == digest
        except OSError:
            unchanged = False
        if unchanged:
            return Opened(Session.open(session_file, expect_exercise=exercise_id))
    from tabletop.authoring.loading import load_scenario  # the YAML reader and the format models

    loaded: LoadedScenario | None = None
    problems: ProblemsFound | None = None
    try:
        loaded = load_scenario(target, cwd)
    except ProblemsFound as exc:
        # Without its traceback: the frames it holds reference the whole parse,
        # a cycle that the gc.freeze() in run() would keep for the whole session.
        problems = exc.with_traceback(None)
    expect = loaded.scenario.id if loaded else _id_of(target)
    session = Session.open(session_file, expect_exercise=expect)
    return Opened(session, resume_notices(session, loaded, problems))


def resume_notices(
    session: Session, loaded: LoadedScenario | None, problems: ProblemsFound | None
) -> list[str]:
    """What the facilitator should know about the exercise file on disk."""
    if problems is not None:
        first = str(problems).splitlines()[0] if str(problems) else "it does not load"
        return [
            "The exercise file no longer validates; playing the copy stored in the "
            f"session. First problem: {first}"
        ]
    if loaded is not None and loaded.sha256 != session.journal.meta.scenario_sha256:
        return [
            "The exercise file has changed since this session began; "
            "playing the copy stored in the session."
        ]
    return []


def _id_of(target: str) -> str | None:
    """The exercise id a target names, when it is an id rather than a path."""
    import re

    return target if re.fullmatch(ID_PATTERN, target) and not Path(target).exists() else None


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
