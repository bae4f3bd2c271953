"""The ``tabletop`` command: one entry point, with subcommands."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from tabletop import __version__
from tabletop.commands import (
    export,
    import_,
    listing,
    present,
    report,
    run,
    schema,
    sessions,
    validate,
)

COMMANDS = (validate, listing, schema, run, present, sessions, export, import_, report)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tabletop",
        description="Run tabletop crisis exercises from the terminal.",
    )
    parser.add_argument("--version", action="version", version=f"tabletop {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS:
        command.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        code: int = args.func(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. `tabletop export s.db | head`
        sys.stderr.close()
        return 0
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
