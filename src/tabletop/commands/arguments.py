"""Argument types shared by the subcommands."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

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
