"""``tabletop import EXPORT.json [-o NEW]``: a new session file from an export."""

from __future__ import annotations

import argparse
import re
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tabletop.commands.arguments import session_location, user_path

if TYPE_CHECKING:
    from tabletop.session.store.base import LoadedScenario
    from tabletop.session.store.location import Location


def register(sub: argparse._SubParsersAction[Any]) -> None:
    parser = sub.add_parser(
        "import",
        help="build a new session (a file, or in PostgreSQL) from an export",
        description=(
            "Build a new session (a file, or in PostgreSQL with -o URL) from the JSON "
            "that `tabletop export` writes (or a "
            "hand-written one: see docs/export.md). Every event is checked as live play "
            "checks it; the first one refused is named by its seq, and then no file is "
            "made. An export without a scenario is matched to its exercise file in the "
            "workspace, which must be unchanged. An existing file is never overwritten."
        ),
    )
    parser.add_argument(
        "export", type=user_path, metavar="EXPORT", help="an export (.json), or '-' for stdin"
    )
    parser.add_argument(
        "-o",
        "--output",
        type=session_location,
        metavar="NEW",
        help="the session file to create (default: sessions/<exercise-id>-<UTC time>.db "
        "in the workspace), or a PostgreSQL URL (postgresql://host/db?session=NAME); "
        "it must not exist",
    )
    parser.set_defaults(func=run)


def _fail(message: str, code: int = 1) -> int:
    from tabletop.core.safetext import for_terminal

    print(f"tabletop import: {for_terminal(message, one_line=True)}", file=sys.stderr)
    return code


def run(args: argparse.Namespace) -> int:
    from tabletop.authoring.workspace import find_workspace
    from tabletop.core.files import TooLarge, read_bounded, reason
    from tabletop.session.importing import (
        MAX_EXPORT_BYTES,
        ExportRefused,
        import_session,
        parse_export,
    )
    from tabletop.session.session import default_session_path, named_location
    from tabletop.session.store.errors import SessionError

    source: Path = args.export
    name = "stdin" if str(source) == "-" else str(source)
    try:
        raw = read_bounded(Path("/dev/stdin") if name == "stdin" else source, MAX_EXPORT_BYTES)
    except TooLarge as exc:
        return _fail(f"{name}: {exc}")
    except FileNotFoundError:
        return _fail(f"{name}: no such file", 2)
    except (OSError, ValueError) as exc:
        return _fail(f"cannot read {name}: {reason(exc) if isinstance(exc, OSError) else exc}")
    try:
        export = parse_export(raw)
        del raw
        exercise = export.meta.exercise_id or export.exercise_id or "imported"
        now = datetime.now(UTC)
        target: Location = (
            named_location(args.output, exercise, now) if args.output is not None
            else default_session_path(find_workspace(Path.cwd()), exercise, now)
        )
        imported = import_session(export, target, _find_exercise)
    except ExportRefused as exc:
        return _fail(f"{name}: {exc}; no session was made")
    except SessionError as exc:
        return _fail(str(exc))
    print(f"Imported {imported.events} events of '{imported.exercise_id}' into {imported.path}")
    if imported.unreadable == 1:
        print("1 of them is of a kind this version of tabletop cannot read (a newer version "
              "wrote it): kept as it came, left out of the report's figures")
    elif imported.unreadable:
        print(
            f"{imported.unreadable} of them are of kinds this version of tabletop cannot read "
            "(a newer version wrote them): kept as they came, left out of the report's figures"
        )
    return 0


def _find_exercise(exercise_id: str) -> LoadedScenario | None:
    """The exercise by id in the workspace (or the bundled library), loaded and checked."""
    from tabletop.authoring.loading import load_scenario
    from tabletop.authoring.locating import locate_exercise
    from tabletop.core.problems import ProblemsFound
    from tabletop.core.vocabulary import ID_PATTERN
    from tabletop.session.importing import ExportRefused

    if not re.fullmatch(ID_PATTERN, exercise_id):
        return None
    path, _ = locate_exercise(exercise_id, Path.cwd())
    if path is None:
        return None
    try:
        return load_scenario(path, Path.cwd())
    except ProblemsFound as exc:
        first = str(exc).splitlines()[0] if str(exc) else "it does not load"
        raise ExportRefused(
            f"the export holds no scenario, and exercise '{exercise_id}' has problems "
            f"({first})"
        ) from None
