"""``tabletop report SESSION``: the after-action report (AAR/IP) as HTML, Markdown or JSON."""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tabletop.commands.arguments import session_location, user_path

if TYPE_CHECKING:
    from tabletop.report.model import Report
    from tabletop.session.store.location import Location

FORMATS = ("html", "md", "json")
EXTENSIONS = {".html": "html", ".htm": "html", ".md": "md", ".markdown": "md", ".json": "json"}


def register(sub: argparse._SubParsersAction[Any]) -> None:
    parser = sub.add_parser(
        "report",
        help="write the after-action report of a session",
        description=(
            "Write the after-action report and improvement plan of a session: scores "
            "against the checklists, objective ratings, the timeline, hot wash findings "
            "and the full decision log. The session file is opened read-only. Without "
            "-o the report is written next to the session file (for a session in a "
            "database, in the current folder) and its path printed. The files the "
            "delivered injects handed out are copied into a handouts folder beside it "
            "(never replacing a file) and listed in it; facilitator-only files never are."
        ),
    )
    parser.add_argument(
        "session", type=session_location, metavar="SESSION",
        help="a session file (.db), or its PostgreSQL URL",
    )
    parser.add_argument(
        "-o", "--output", type=user_path, metavar="FILE", help="where to write it ('-' for stdout)"
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        help="html (default), md or json; else taken from the -o file's extension",
    )
    parser.add_argument(
        "--templates",
        type=user_path,
        metavar="DIR",
        help="a folder of templates (report.html, report.md, report.css) that override "
        "the bundled ones, to brand or translate the report",
    )
    parser.add_argument(
        "--render-timeout",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="stop a template that renders for longer than this (default: 60)",
    )
    parser.set_defaults(func=run)


def choose_format(explicit: str | None, output: Path | None) -> str | None:
    """--format wins, then -o's extension, then HTML; None when -o's extension is unknown."""
    if explicit:
        return explicit
    if output is None or str(output) == "-":
        return "html"
    return EXTENSIONS.get(output.suffix.lower())


def default_output(session: Location, fmt: str) -> Path:
    """Beside a session file; for a session in a database, in the current folder."""
    if isinstance(session, Path):
        return session.with_name(f"{session.stem}.report.{fmt}")
    return Path(f"{session.session}.report.{fmt}")


def _fail(message: str, code: int = 1) -> int:
    from tabletop.core.safetext import for_terminal

    print(f"tabletop report: {for_terminal(message, one_line=True)}", file=sys.stderr)
    return code


def _warn(message: str) -> None:
    from tabletop.core.safetext import for_terminal

    print(f"tabletop report: warning: {for_terminal(message, one_line=True)}", file=sys.stderr)


def copy_handouts(report: Report, source_path: str, target: Path) -> Report:
    """Copy the handouts into ``handouts/`` beside the report file; the report then
    says which could not be, and each gets a warning line."""
    import dataclasses
    import os
    import stat

    from tabletop.authoring.workspace import session_workspace
    from tabletop.core import attachments

    with contextlib.suppress(OSError):
        if not stat.S_ISREG(os.stat(target).st_mode):  # a FIFO or a device: no "beside"
            _warn(f"handouts not copied: {target} is not a regular file")
            return report
    folder = target.parent / "handouts"
    try:
        workspace = session_workspace(source_path)
    except attachments.Unreachable as gone:
        _warn(f"handouts not copied: {gone}")
        missed = {h.path: gone for h in report.handouts}
    else:
        missed = attachments.copy_handouts(
            workspace, [(h.path, h.name) for h in report.handouts], folder)
        for problem in missed.values():
            _warn(f"handout not copied: {problem}")
    return dataclasses.replace(report, handouts=[
        dataclasses.replace(h, note=missed[h.path].reason) if h.path in missed else h
        for h in report.handouts
    ])


def run(args: argparse.Namespace) -> int:
    from tabletop.core.files import UnsafeOutput, reason, write_output
    from tabletop.report.build import build_report_model
    from tabletop.report.render import RenderError, render
    from tabletop.session.session import Session
    from tabletop.session.store.errors import SessionError, SessionNotFound
    from tabletop.session.store.stores import own_files

    output: Path | None = args.output
    fmt = choose_format(args.format, output)
    if fmt is None:
        return _fail(f"cannot tell the format from '{output}'; use --format html, md or json", 2)
    templates: Path | None = args.templates
    if templates is not None and not templates.is_dir():
        return _fail(f"{templates}: no such templates folder", 2)
    try:
        session = Session.open_readonly(args.session)
    except SessionNotFound as error:
        return _fail(str(error), 2)
    except SessionError as error:
        return _fail(str(error))
    with session:
        report = build_report_model(session)
        source_path = session.meta.source_path
    to_stdout = output is not None and str(output) == "-"
    target = output or default_output(args.session, fmt)
    if report.handouts and not to_stdout:
        report = copy_handouts(report, source_path, target)
    try:
        text = render(report, fmt, templates, timeout=args.render_timeout)
    except RenderError as error:
        return _fail(str(error))
    if to_stdout:
        if fmt != "md" and not sys.stdout.isatty():
            # HTML and JSON on a pipe are data: byte for byte (JSON escapes its
            # controls already, HTML isolates bidi text). Markdown is for people.
            sys.stdout.flush()
            sys.stdout.buffer.write(text.encode("utf-8"))
            sys.stdout.buffer.flush()
        else:
            sys.stdout.write(text)
        return 0
    try:
        write_output(target, text, protect=own_files(args.session))
    except UnsafeOutput as error:
        return _fail(str(error))
    except OSError as error:
        return _fail(f"cannot write {target}: {reason(error)}")
    print(target)
    return 0
