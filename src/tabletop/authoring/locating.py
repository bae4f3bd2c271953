"""Finding an exercise by path or by id, in the workspace and the bundled library.

Resuming a session calls this on every start, so it imports neither the YAML
reader nor the format models unless a file must be parsed to learn its id.
"""

from __future__ import annotations

from pathlib import Path

from tabletop.authoring.workspace import Workspace


def find_exercise(target: str, ws: Workspace) -> Path | None:
    """An exercise by path, or by id among the workspace's and the bundled exercises."""
    as_path = Path(target)
    if as_path.suffix in (".yaml", ".yml") or as_path.exists():
        return as_path
    for path in ws.files("exercises"):
        if path.stem == target:
            return path
    # Only a file named unlike its id needs parsing, and with it the format models.
    from tabletop.authoring.model import Exercise
    from tabletop.authoring.parsing import parse_file

    for path in ws.files("exercises"):
        parsed = parse_file(path, ws, "exercise")
        if isinstance(parsed.model, Exercise) and parsed.model.id == target:
            return path
    return None


def locate_exercise(target: str | Path, cwd: Path | None = None) -> tuple[Path | None, Workspace]:
    """The file an exercise target (a path or an id) names, if any, and its workspace."""
    target_text = str(target)
    start = Path(target_text) if Path(target_text).exists() else cwd
    ws = Workspace.discover(start)
    path = find_exercise(target_text, ws)
    return (path if path is not None and path.exists() else None), ws


