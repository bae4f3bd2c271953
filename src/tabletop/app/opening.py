"""Opening a session for a front end: resume the file if it exists, else create it.

A resumed session plays the scenario copy stored inside it; the exercise file on
disk matters only for the notices (it has changed, or no longer validates).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from tabletop.core.problems import ProblemsFound
from tabletop.core.vocabulary import ID_PATTERN
from tabletop.session.store.location import Location, PostgresLocation

if TYPE_CHECKING:
    from tabletop.authoring.loading import LoadedScenario
    from tabletop.session.authors import Recorder
    from tabletop.session.session import Session


@dataclass
class Opened:
    session: Session
    notices: list[str] = field(default_factory=list)


def session_named(target: str) -> tuple[str, Path] | None:
    """``(exercise id, session file)`` when ``target`` is an existing session file
    (``tabletop run FILE``), not an exercise (``tabletop run URL`` is the command's)."""
    from tabletop.session.store.stores import stored_digest

    path = Path(target)
    if not path.is_file():
        return None
    stored = stored_digest(path)
    return None if stored is None else (stored[0], path)


def open_session(
    target: str, session_file: Location | None, recorder: Recorder | None = None
) -> Opened:
    """Resume ``session_file`` if it exists, else create a session for ``target``;
    as ``recorder`` (a facilitator console by default). A database URL that names
    no session starts a new one under the default name."""
    from tabletop.session.store.stores import exists

    cwd = Path.cwd()
    unnamed = isinstance(session_file, PostgresLocation) and session_file.session is None
    if session_file is not None and not unnamed and exists(session_file):
        return _resume(target, session_file, cwd, recorder)
    if recorder is not None and not recorder.is_facilitator:
        from tabletop.session.store.errors import SessionNotFound

        where = f"{session_file} does not exist" if session_file else "no --session given"
        raise SessionNotFound(
            f"{where}: the facilitator starts the session, then the other consoles join "
            "it with --session FILE"
        )
    from tabletop.authoring.loading import load_scenario
    from tabletop.authoring.workspace import find_workspace
    from tabletop.session.session import Session, default_session_path, named_location

    loaded = load_scenario(target, cwd)
    now = datetime.now(UTC)
    path = (
        named_location(session_file, loaded.scenario.id, now) if session_file is not None
        else default_session_path(find_workspace(cwd), loaded.scenario.id, now)
    )
    # Session.create makes the folder, and says clearly when it cannot.
    named = isinstance(session_file, PostgresLocation) and session_file.session is not None
    notices = _near_sessions(path) if named and isinstance(path, PostgresLocation) else []
    return Opened(Session.create(path, loaded, recorder=recorder), notices)


def _near_sessions(place: PostgresLocation) -> list[str]:
    """A new session whose name is close to one the database holds is most likely a
    typo for it: say so before anything is recorded there."""
    import difflib

    from tabletop.session.store import postgres
    from tabletop.session.store.errors import SessionError

    try:
        names = postgres.session_names(place)
    except SessionError:
        return []
    name = str(place.session)
    close = [n for n in names if n != name and n.lower() == name.lower()]
    close = close or difflib.get_close_matches(name, [n for n in names if n != name],
                                               n=1, cutoff=0.85)
    if not close:
        return []
    return [
        f"This is a new session, '{place.session}'; the database also holds "
        f"'{close[0]}'. To go on with that one, quit (q) and run it with "
        f"--session …session={close[0]}."
    ]


def _resume(
    target: str, session_file: Location, cwd: Path, recorder: Recorder | None
) -> Opened:
    """Resume a session, reading the exercise file only when it has changed.

    The session plays its stored copy of the scenario, so the file on disk
    matters only for the notices. When its bytes hash to the digest the session
    stored, it is the very file the session began from: nothing to parse.
    """
    from tabletop.authoring.locating import locate_exercise
    from tabletop.authoring.workspace import file_digest
    from tabletop.session.session import Session
    from tabletop.session.store.stores import stored_digest

    stored = stored_digest(session_file)
    if stored is not None:
        exercise_id, digest = stored
        path, _ = locate_exercise(target, cwd)
        try:
            unchanged = path is not None and file_digest(path) == digest
        except OSError:
            unchanged = False
        if unchanged:
            session = Session.open(session_file, expect_exercise=exercise_id, recorder=recorder)
            return Opened(session, upgrade_notices(session))
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
    session = Session.open(session_file, expect_exercise=expect, recorder=recorder)
    return Opened(session, upgrade_notices(session) + resume_notices(session, loaded, problems))


def upgrade_notices(session: Session) -> list[str]:
    """Say so when opening the file brought it to a newer format: older versions of
    tabletop can no longer open it."""
    before = session.meta.upgraded_from
    if before is None:
        return []
    return [
        f"This session file was brought from format {before} to format "
        f"{session.meta.format_version}; older versions of tabletop can no longer open it."
    ]


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
    if loaded is not None and loaded.sha256 != session.meta.scenario_sha256:
        return [
            "The exercise file has changed since this session began; "
            "playing the copy stored in the session."
        ]
    return []


def _id_of(target: str) -> str | None:
    """The exercise id a target names, when it is an id rather than a path."""
    return target if re.fullmatch(ID_PATTERN, target) and not Path(target).exists() else None


