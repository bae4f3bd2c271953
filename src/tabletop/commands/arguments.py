"""Argument types shared by the subcommands."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tabletop.session.store.location import Location

NAME_MAX = 255  # bytes in one file name, on every file system we run on


def user_path(text: str) -> Path:
    """A path from the command line; refused in one line (argparse: exit 2) when no
    file system could hold it: a NUL byte, or a name longer than NAME_MAX bytes."""
    if "\0" in text:
        raise argparse.ArgumentTypeError("the path contains a NUL byte")
    for part in text.split(os.sep):
        size = len(os.fsencode(part))
        if size > NAME_MAX:
            raise argparse.ArgumentTypeError(
                f"a name in the path is {size} bytes long; file names hold {NAME_MAX} at most"
            )
    return Path(text)


def session_location(text: str) -> Location:
    """A session's place: a file path, or a PostgreSQL URL (``postgresql://…?session=NAME``).

    A URL holding a password is accepted, with a warning on stderr: other users
    can read a command line in ``ps``.
    """
    from tabletop.session.store.location import is_url, parse_url, password_warning

    if not is_url(text):
        return user_path(text)
    try:
        location = parse_url(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    warning = password_warning(location)
    if warning:
        print(f"tabletop: warning: {warning}", file=sys.stderr)
    return location
