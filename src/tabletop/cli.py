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
    roster,
    run,
    schema,
    sessions,
    validate,
)
from tabletop.core.safetext import TerminalSafe, for_terminal

COMMANDS = (validate, listing, schema, run, present, sessions, export, import_, roster, report)


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
    out, err = sys.stdout, sys.stderr
    # Every line the CLI prints may hold text from a file or a session.
    sys.stdout, sys.stderr = TerminalSafe(out), TerminalSafe(err)
    try:
        code: int = args.func(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. `tabletop export s.db | head`
        err.close()
        return 0
    except (OSError, ValueError, UnicodeError) as exc:
        # The last net: a system refusal the command did not expect (a path too
        # long for the kernel, a name the file system cannot encode) is still
        # one line, never a traceback.
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        if err is not None:
            print(f"tabletop {args.command}: {for_terminal(reason, one_line=True)}", file=err)
        return 1
    finally:
        sys.stdout, sys.stderr = out, err
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
