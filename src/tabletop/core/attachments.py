"""Files handed out with injects: which a screen may list, what kind each is, and
reaching one safely in its workspace while the session is played or reported.

A session stores the names its exercise gave (relative to the workspace), not
the files. Each time one is opened or copied it is looked up again and held to
the rules validation applied (inside the workspace once links are followed, a
regular file): the workspace may have changed since, moved, or never been on
this machine (an imported session).
"""

from __future__ import annotations

import filecmp
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from tabletop.core.bundled import bundled_dir
from tabletop.core.files import copy_new, reason
from tabletop.core.scenario import Attachment, ScenarioInject

_KINDS = {
    **dict.fromkeys(
        (".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".bmp", ".tif", ".tiff"), "image"
    ),
    ".pdf": "PDF",
    **dict.fromkeys(
        (".txt", ".md", ".markdown", ".csv", ".log", ".json", ".yaml", ".yml", ".xml"), "text"
    ),
}


def kind_of(path: str) -> str:
    """'image', 'PDF', 'text' or 'file', by the name's extension."""
    return _KINDS.get(PurePosixPath(path).suffix.lower(), "file")


@dataclass(frozen=True)
class Listed:
    """One attachment of an inject, as a screen lists it."""

    path: str
    """As the exercise wrote it, relative to the workspace."""
    facilitator_only: bool

    @property
    def name(self) -> str:
        return PurePosixPath(self.path).name

    @property
    def kind(self) -> str:
        return kind_of(self.path)


def listed(inject: ScenarioInject, *, staff: bool) -> list[Listed]:
    """The attachments a console may list: all of them for staff, else the
    participants' only."""
    out = []
    for entry in inject.attachments:
        if isinstance(entry, Attachment):
            if staff or not entry.facilitator_only:
                out.append(Listed(entry.path, entry.facilitator_only))
        else:
            out.append(Listed(entry, False))
    return out


def handed_out(inject: ScenarioInject) -> list[str]:
    """The paths of the attachments participants are given (facilitator-only left out)."""
    return [a.path for a in listed(inject, staff=False)]


def handout_names(paths: Iterable[str]) -> dict[str, str]:
    """A file name in the handouts folder for each path: its own name, or with
    '-2', '-3' … before the extension when an earlier path took it (compared
    without case, as some file systems do)."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for path in paths:
        if path in names:
            continue
        pure = PurePosixPath(path)
        name, n = pure.name, 1
        while name.casefold() in taken:
            n += 1
            name = f"{pure.stem}-{n}{pure.suffix}"
        taken.add(name.casefold())
        names[path] = name
    return names


class Unreachable(Exception):
    """An attachment that cannot be opened or copied now; ``str()`` is one line for
    people, ``reason`` the same without paths (for a report that others read)."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def locate(workspace: Path, path: str) -> Path:
    """The real path of an attachment, checked now: inside the workspace (or the
    bundled library, as validation allows) after every link is followed, and a
    regular file. Raises Unreachable."""
    written = Path(path)
    if written.is_absolute() or ".." in written.parts:
        why = "not a path inside the workspace"
        raise Unreachable(f"{path}: {why}; refusing to open it", why)
    root = workspace.resolve()
    if not root.is_dir():
        raise Unreachable(f"{path}: the workspace {root} is not on this machine",
                          "the workspace is not on this machine")
    real = (root / written).resolve()
    bundled = bundled_dir().resolve()
    if not (real.is_relative_to(root) or real.is_relative_to(bundled)):
        raise Unreachable(f"{path}: leads outside the workspace {root}; refusing to open it",
                          "it leads outside the workspace")
    if not real.exists():
        raise Unreachable(f"{path}: not found in the workspace {root}",
                          "not found in the workspace")
    if not real.is_file():
        raise Unreachable(f"{path}: not a file", "not a file")
    return real


def copy_handouts(
    workspace: Path, files: Iterable[tuple[str, str]], folder: Path
) -> dict[str, Unreachable]:
    """Copy each (path, name) from the workspace to ``folder/name``, making the
    folder when there is something to put in it. Returns the paths not copied and
    why. A file already there with the same bytes counts as copied; a different
    one is left as it is. Every source is located afresh (see :func:`locate`)."""
    missed: dict[str, Unreachable] = {}
    for path, name in files:
        try:
            real = locate(workspace, path)
            folder.mkdir(exist_ok=True)
            target = folder / name
            try:
                copy_new(real, target)
            except FileExistsError:
                same = stat.S_ISREG(target.lstat().st_mode) and filecmp.cmp(
                    real, target, shallow=False)
                if not same:
                    why = f"a different file named {name} is already in the handouts folder"
                    raise Unreachable(f"{target}: {why}; left as it is", why) from None
        except Unreachable as exc:
            missed[path] = exc
        except OSError as exc:
            missed[path] = Unreachable(f"{path}: cannot copy it to {folder}: {reason(exc)}",
                                       f"cannot copy it: {reason(exc)}")
    return missed
