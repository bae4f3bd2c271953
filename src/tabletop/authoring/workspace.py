"""Where exercises, injects, checklists and templates are found.

The workspace is the folder that holds ``exercises/``. Its own ``injects/`` and
``checklists/`` come first; the library bundled with tabletop fills in behind.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterator
from pathlib import Path

import tabletop

KINDS = ("exercises", "injects", "checklists")


@functools.cache
def bundled_dir() -> Path:
    """The bundled library: inside the installed package, or the source checkout."""
    packaged = Path(tabletop.__file__).resolve().parent / "_bundled"
    if packaged.is_dir():
        return packaged
    return Path(tabletop.__file__).resolve().parents[2]


def templates_dir() -> Path:
    return bundled_dir() / "templates"


def find_workspace(start: Path | None = None) -> Path:
    """The nearest folder at or above ``start`` that holds ``exercises/``; else the cwd."""
    cwd = Path.cwd().resolve()
    probe = (start or cwd).resolve()
    if probe.is_file() or not probe.exists():
        probe = probe.parent
    return _workspace_above(probe) or cwd


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


def find_exercise(target: str, ws: Workspace) -> Path | None:
    """An exercise by path, or by id among the workspace's and the bundled exercises."""
    as_path = Path(target)
    if as_path.suffix in (".yaml", ".yml") or as_path.exists():
        return as_path
    for path in ws.files("exercises"):
        if path.stem == target:
            return path
    # Only a file named unlike its id needs parsing, and with it the format models.
    from tabletop.authoring.loading import parse_file
    from tabletop.authoring.model import Exercise

    for path in ws.files("exercises"):
        parsed = parse_file(path, ws, "exercise")
        if isinstance(parsed.model, Exercise) and parsed.model.id == target:
            return path
    return None


def exercise_ids(ws: Workspace) -> list[str]:
    return [p.stem for p in ws.files("exercises")]


def locate_exercise(target: str | Path, cwd: Path | None = None) -> tuple[Path | None, Workspace]:
    """The file an exercise target (a path or an id) names, if any, and its workspace."""
    target_text = str(target)
    start = Path(target_text) if Path(target_text).exists() else cwd
    ws = Workspace.discover(start)
    path = find_exercise(target_text, ws)
    return (path if path is not None and path.exists() else None), ws


def file_digest(path: Path) -> str:
    """The sha256 of a file's bytes, as sessions store it for their exercise file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()
