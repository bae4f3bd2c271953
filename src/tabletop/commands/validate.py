"""``tabletop validate [PATH...]``: check files and report every problem at once."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from tabletop.commands.arguments import user_path
from tabletop.core.problems import Problem


def register(sub: argparse._SubParsersAction[Any]) -> None:
    parser = sub.add_parser(
        "validate",
        help="check exercise, inject and checklist files",
        description="Check files or folders; with no path, the workspace's exercises/. "
        "Prints every problem as file:line:col: key.path: message. "
        "Exit 0 when all is valid, 1 when there is any problem, 2 on a usage error.",
    )
    parser.add_argument("paths", nargs="*", type=user_path, metavar="PATH")
    parser.add_argument("-q", "--quiet", action="store_true", help="print problems only")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from tabletop.authoring.validation import collect_files, validate_files

    try:
        files = collect_files(args.paths)
    except FileNotFoundError as exc:
        print(f"tabletop validate: {exc}", file=sys.stderr)
        return 2
    report = validate_files(files)
    for problem in report.problems:
        print(problem)
    if not args.quiet:
        print(_summary(len(files), report.problems), file=sys.stderr)
    return 1 if report.problems else 0


def _summary(count: int, problems: list[Problem]) -> str:
    noun = "file" if count == 1 else "files"
    if not problems:
        return f"{count} {noun} checked: all valid"
    bad = len({p.file for p in problems})
    return f"{count} {noun} checked: {len(problems)} problem(s) in {bad} file(s)"
