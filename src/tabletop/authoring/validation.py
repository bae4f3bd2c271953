"""Validate a set of files of any kind, as ``tabletop validate`` does."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tabletop.authoring.library import load_library
from tabletop.authoring.loading import resolve_exercise
from tabletop.authoring.model import Exercise
from tabletop.authoring.parsing import parse_file
from tabletop.authoring.workspace import Workspace, find_workspace
from tabletop.core.problems import Problem


@dataclass
class ValidationReport:
    problems: list[Problem] = field(default_factory=list)
    exercises: dict[str, Path] = field(default_factory=dict)


def collect_files(paths: Sequence[Path]) -> list[Path]:
    """Expand folders into their YAML files; default to the workspace's exercises/."""
    if not paths:
        folder = find_workspace() / "exercises"
        if not folder.is_dir():
            from tabletop.core.bundled import bundled_dir

            folder = bundled_dir() / "exercises"
        paths = [folder]
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(
                p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file()
            )
        elif path.exists():
            files.append(path)
        else:
            raise FileNotFoundError(f"no such file or folder: {path}")
    return files


def validate_files(files: Sequence[Path]) -> ValidationReport:
    report = ValidationReport()
    reported_libs: set[tuple[Path, ...]] = set()
    for path in files:
        ws = Workspace.discover(path)
        lib = load_library(ws)
        parsed = parse_file(path, ws)
        report.problems += parsed.problems
        if ws.roots not in reported_libs:
            # A broken checklist or library file breaks the exercises that use it, so
            # its problems are reported even when only an exercise was named.
            reported_libs.add(ws.roots)
            report.problems += [p for p in lib.problems if not p.file.startswith("<bundled>")]
        if isinstance(parsed.model, Exercise) and parsed.doc is not None:
            exercise = parsed.model
            first = report.exercises.get(exercise.id)
            if first is not None and first.resolve() != path.resolve():
                report.problems.append(
                    parsed.doc.problem(
                        ("id",), f"exercise id '{exercise.id}' is also used by {ws.display(first)}"
                    )
                )
            report.exercises.setdefault(exercise.id, path)
            report.problems += resolve_exercise(exercise, parsed.doc, lib, ws, build=False).problems
    report.problems = sorted(set(report.problems), key=lambda p: (p.file, p.line, p.col, p.message))
    return report
