"""Where exercises, injects, checklists and templates are found.

The workspace is the folder that holds ``exercises/``. Its own ``injects/``,
``checklists/`` and ``frameworks/`` come first; the library bundled with tabletop fills in behind.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterator
from pathlib import Path

from tabletop.core.attachments import Unreachable
from tabletop.core.bundled import bundled_dir

KINDS = ("exercises", "injects", "checklists", "frameworks")


def find_workspace(start: Path | None = None) -> Path:
    """The nearest folder at or above ``start`` that holds ``exercises/``; else the cwd."""
    cwd = Path.cwd().resolve()
    probe = (start or cwd).resolve()
    if probe.is_file() or not probe.exists():
        probe = probe.parent
    return _workspace_above(probe) or cwd


def session_workspace(source_path: str) -> Path:
    """The workspace of the exercise file a session was started from, where its
    attachments are: found by the rule used at the start (an exercise file outside
    any workspace means the current folder, as it did then). Raises Unreachable
    when the session names no file, or when the file's folder is not on this
    machine (a session moved or imported from elsewhere)."""
    if not source_path:
        why = "the session does not say which exercise file it was started from"
        raise Unreachable(why, why)
    source = Path(source_path).absolute()
    if not source.parent.is_dir():
        raise Unreachable(
            f"the exercise's folder {source.parent} is not on this machine "
            "(was the session moved or imported?)",
            "the exercise's workspace is not on this machine",
        )
    return find_workspace(source)


@functools.lru_cache(maxsize=256)
def _workspace_above(folder: Path) -> Path | None:
    # Cached: validating a thousand files in one folder walks the tree once.
    for candidate in (folder, *folder.parents):
        if (candidate / "exercises").is_dir():
            return candidate
    return None


class Workspace:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        bundled = bundled_dir().resolve()
        self.roots: tuple[Path, ...] = (
            (self.root,) if bundled == self.root else (self.root, bundled)
        )

    @classmethod
    def discover(cls, start: Path | None = None) -> Workspace:
        return cls(find_workspace(start))

    @property
    def is_bundled_only(self) -> bool:
        return not (self.root / "exercises").is_dir()

    def files(self, kind: str) -> Iterator[Path]:
        """YAML files of one kind, workspace first, then the bundled library."""
        for root in self.roots:
            folder = root / kind
            if folder.is_dir():
                yield from sorted(
                    p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file()
                )

    def display(self, path: Path) -> str:
        """A short name for messages: relative to the workspace where possible."""
        resolved = path.resolve()
        bundled = bundled_dir().resolve()
        cwd = Path.cwd().resolve()
        if resolved.is_relative_to(cwd):
            return str(resolved.relative_to(cwd))
        if resolved.is_relative_to(bundled) and bundled != self.root:
            return f"<bundled>/{resolved.relative_to(bundled)}"
        return str(resolved)

    def contains(self, path: Path) -> bool:
        return any(path.resolve().is_relative_to(root) for root in self.roots)


def exercise_ids(ws: Workspace) -> list[str]:
    return [p.stem for p in ws.files("exercises")]


def file_digest(path: Path) -> str:
    """The sha256 of a file's bytes, as sessions store it for their exercise file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()
