"""Opening an inject's attachment for the facilitator: in the system viewer where
the console's machine has one, else by giving the path to copy.

Over SSH or in a terminal without a desktop a viewer would open on the wrong
screen or not at all, so none is used there.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from tabletop.authoring.workspace import session_workspace
from tabletop.core.attachments import Unreachable, locate
from tabletop.session.session import Session

__all__ = ["Opened", "Unreachable", "attachment_file", "open_attachment", "viewer"]


@dataclass(frozen=True)
class Opened:
    path: Path
    """The file's real path, absolute: to copy when no viewer showed it."""
    in_viewer: bool


def attachment_file(session: Session, path: str) -> Path:
    """The real path of one of the session's attachments, checked now (raises Unreachable)."""
    return locate(session_workspace(session.meta.source_path), path)


def viewer() -> Callable[[Path], object] | None:
    """How this machine shows a file to the person at the console, if it can."""
    if any(os.environ.get(name) for name in ("SSH_CONNECTION", "SSH_CLIENT", "SSH_TTY")):
        return None
    startfile = getattr(os, "startfile", None)  # Windows
    if startfile is not None:
        return lambda path: startfile(str(path))
    command = None
    if sys.platform == "darwin":
        command = shutil.which("open")
    elif os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        command = shutil.which("xdg-open")
    return None if command is None else partial(_spawn, command)


def _spawn(command: str, path: Path) -> None:
    # Detached and silent: the viewer's messages must not draw over the console.
    subprocess.Popen(
        [command, str(path)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, start_new_session=True, close_fds=True,
    )


def open_attachment(session: Session, path: str) -> Opened:
    """Show an attachment in the system viewer, or say where it is (raises Unreachable)."""
    real = attachment_file(session, path)
    show = viewer()
    if show is not None:
        try:
            show(real)
        except OSError:
            return Opened(real, in_viewer=False)
        return Opened(real, in_viewer=True)
    return Opened(real, in_viewer=False)
