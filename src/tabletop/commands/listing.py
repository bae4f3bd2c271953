"""``tabletop list``: the exercises found in the workspace and the bundled library."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from tabletop.commands.arguments import user_path
from tabletop.core.safetext import for_terminal


def register(sub: argparse._SubParsersAction[Any]) -> None:
    parser = sub.add_parser(
        "list",
        help="list the exercises found",
        description="List exercises: the workspace's own, then the bundled library's.",
    )
    parser.add_argument(
        "workspace", nargs="?", type=user_path, help="a folder inside the workspace (default: here)"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from tabletop.authoring.model import Exercise
    from tabletop.authoring.parsing import parse_file
    from tabletop.authoring.workspace import Workspace

    if args.workspace is not None and not args.workspace.is_dir():
        what = "is not a folder" if args.workspace.exists() else "no such folder"
        print(f"tabletop list: {args.workspace}: {what}", file=sys.stderr)
        return 2
    ws = Workspace.discover(args.workspace)
    rows: list[tuple[str, ...]] = []
    seen: set[str] = set()
    broken = 0
    for path in ws.files("exercises"):
        parsed = parse_file(path, ws, "exercise")
        if not isinstance(parsed.model, Exercise):
            broken += 1
            rows.append(
                (path.stem, f"(invalid: run tabletop validate {ws.display(path)})", "", "", "")
            )
            continue
        ex = parsed.model
        if ex.id in seen:
            continue  # the workspace's own copy shadows the bundled one
        seen.add(ex.id)
        injects = sum(len(p.injects) for p in ex.phases)
        rows.append((ex.id, ex.title, ex.duration, str(len(ex.teams)), str(injects)))
    header = ("ID", "TITLE", "DURATION", "TEAMS", "INJECTS")
    if not rows:
        print("No exercises found.")
        return 0
    rows = [tuple(for_terminal(cell, one_line=True) for cell in row) for row in rows]
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header))]
    for row in (header, *rows):
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    return 1 if broken else 0
