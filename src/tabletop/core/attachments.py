"""Files handed out with injects: which a screen may list, what kind each is, and
reaching one safely in its workspace while the session is played or reported.

A session stores the names its exercise gave (relative to the workspace), not
the files. Each time one is opened or copied it is looked up again and held to
the rules validation applied (inside the workspace once links are followed, a
regular file): the workspace may have changed since, moved, or never been on
this machine (an imported session).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from tabletop.core.bundled import bundled_dir
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
    """An attachment that cannot be opened or copied now; ``str()`` is one line for people."""


def locate(workspace: Path, path: str) -> Path:
    """The real path of an attachment, checked now: inside the workspace (or the
    bundled library, as validation allows) after every link is followed, and a
    regular file. Raises Unreachable."""
    written = Path(path)
    if written.is_absolute() or ".." in written.parts:
        raise Unreachable(f"{path}: not a path inside the workspace; refusing to open it")
    root = workspace.resolve()
    if not root.is_dir():
        raise Unreachable(f"{path}: the workspace {root} is not on this machine")
    real = (root / written).resolve()
    bundled = bundled_dir().resolve()
    if not (real.is_relative_to(root) or real.is_relative_to(bundled)):
        raise Unreachable(f"{path}: leads outside the workspace {root}; refusing to open it")
    if not real.exists():
        raise Unreachable(f"{path}: not found in the workspace {root}")
    if not real.is_file():
        raise Unreachable(f"{path}: not a file")
    return real
