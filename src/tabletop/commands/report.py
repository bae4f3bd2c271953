"""``tabletop report SESSION``: the after-action report (AAR/IP) as HTML, Markdown, JSON,
an editable Word document (DOCX) or PDF."""

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

FORMATS = ("html", "md", "json", "docx", "pdf")
BINARY = ("docx", "pdf")
"""Formats that are bytes for a program, never text for a terminal."""
EXTENSIONS = {".html": "html", ".htm": "html", ".md": "md", ".markdown": "md", ".json": "json",
              ".docx": "docx", ".pdf": "pdf"}


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
        help="html (default), md, json, docx (an editable Word document) or pdf (printed "
        "from the HTML by Chromium, which must be installed); else taken from the -o "
        "file's extension",
    )
    parser.add_argument(
        "--templates",
        type=user_path,
        metavar="DIR",
        help="a folder of templates (report.html, report.md, report.css) that override "
        "the bundled ones, to brand or translate the report; for docx, report.docx is the "
        "base document (its styles, headers and footers) and docx-headings.yaml translates "
        "the headings; pdf prints the templated HTML",
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
    from tabletop.report.build import build_report_model
    from tabletop.report.render import RenderError, render
    from tabletop.session.session import Session
    from tabletop.session.store.errors import SessionError, SessionNotFound

    output: Path | None = args.output
    fmt = choose_format(args.format, output)
    if fmt is None:
        return _fail(f"cannot tell the format from '{output}'; use --format "
                     f"{', '.join(FORMATS[:-1])} or {FORMATS[-1]}", 2)
    to_stdout = output is not None and str(output) == "-"
    if fmt in BINARY and to_stdout and sys.stdout.isatty():
        return _fail(f"a {fmt.upper()} file is not for a terminal; write it to a file with "
                     "-o FILE, or redirect the output", 2)
    if fmt == "pdf":
        from tabletop.report.pdf import NO_RENDERER, find_browser

        if find_browser() is None:
            return _fail(NO_RENDERER)
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
    target = output or default_output(args.session, fmt)
    if report.handouts and not to_stdout:
        report = copy_handouts(report, source_path, target)
    if fmt in BINARY:
        return _binary(report, fmt, templates, args, target, to_stdout)
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
    return _write(target, text, args.session)


def _write(target: Path, data: str | bytes, session: Location) -> int:
    """Write the report; never over one of the session's own files."""
    from tabletop.core.files import UnsafeOutput, reason, write_output
    from tabletop.session.store.stores import own_files

    try:
        write_output(target, data, protect=own_files(session))
    except UnsafeOutput as error:
        return _fail(str(error))
    except OSError as error:
        return _fail(f"cannot write {target}: {reason(error)}")
    print(target)
    return 0


def _binary(
    report: Report, fmt: str, templates: Path | None, args: argparse.Namespace,
    target: Path, to_stdout: bool,
) -> int:
    """DOCX from the model; PDF printed from the (templated) HTML."""
    from tabletop.report.render import RenderError, render

    try:
        if fmt == "docx":
            from tabletop.report.docx import DocxError, render_docx

            try:
                data = render_docx(report, templates)
            except DocxError as error:
                return _fail(str(error))
        else:
            from datetime import UTC, datetime

            from tabletop.report.pdf import PdfError, render_pdf

            created = datetime.strptime(report.meta.generated, "%Y-%m-%dT%H:%M:%SZ")
            html = render(report, "html", templates, timeout=args.render_timeout)
            try:
                data = render_pdf(html, created=created.replace(tzinfo=UTC))
            except PdfError as error:
                return _fail(str(error))
    except RenderError as error:
        return _fail(str(error))
    if to_stdout:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return 0
    return _write(target, data, args.session)
