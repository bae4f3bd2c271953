"""The library an exercise draws on: checklists, reusable injects and capability
frameworks, the workspace's own first and the bundled ones behind, indexed once
per workspace."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from tabletop.authoring.model import (
    Checklist,
    Framework,
    InjectLibrary,
    LibraryInject,
)
from tabletop.authoring.parsing import ParsedFile, parse_file
from tabletop.authoring.workspace import Workspace
from tabletop.core.problems import KeyPath, Problem, dotted

if TYPE_CHECKING:
    # The YAML reader and the error translator load with the first file parsed:
    # resuming a session whose exercise file is unchanged never needs them.
    from tabletop.authoring.yamlsource import Document

@dataclass
class LibraryEntry:
    inject: LibraryInject
    doc: Document
    path: KeyPath


@dataclass
class Library:
    checklists: dict[str, tuple[Checklist, Document]] = field(default_factory=dict)
    injects: dict[str, LibraryEntry] = field(default_factory=dict)
    frameworks: dict[str, tuple[Framework, Document]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    files: list[ParsedFile] = field(default_factory=list)


_LIBRARIES: dict[tuple[Path, ...], Library] = {}


def load_library(ws: Workspace) -> Library:
    """Index checklists and library injects; the workspace's own shadow the bundled."""
    cached = _LIBRARIES.get(ws.roots)
    if cached is not None:
        return cached
    lib = Library()
    for root in ws.roots:
        seen_here: dict[str, Document] = {}
        for path in _yaml_files(root / "checklists"):
            parsed = parse_file(path, ws, "checklist")
            lib.files.append(parsed)
            lib.problems += parsed.problems
            if isinstance(parsed.model, Checklist) and parsed.doc:
                checklist = parsed.model
                if checklist.id in seen_here:
                    lib.problems.append(
                        parsed.doc.problem(
                            ("id",),
                            f"checklist id '{checklist.id}' is also used by "
                            f"{seen_here[checklist.id].file}",
                        )
                    )
                seen_here[checklist.id] = parsed.doc
                lib.problems += duplicate_ids(
                    parsed.doc, ("items",), [i.id for i in checklist.items]
                )
                if path.stem != checklist.id:
                    lib.problems.append(
                        parsed.doc.problem(
                            ("id",), f"checklist id '{checklist.id}' should match its file name"
                        )
                    )
                lib.checklists.setdefault(checklist.id, (checklist, parsed.doc))
        seen_injects: dict[str, Document] = {}
        for path in _yaml_files(root / "injects"):
            parsed = parse_file(path, ws, "injects")
            lib.files.append(parsed)
            lib.problems += parsed.problems
            if isinstance(parsed.model, InjectLibrary) and parsed.doc:
                for n, inject in enumerate(parsed.model.injects):
                    where = ("injects", n)
                    if inject.id in seen_injects:
                        lib.problems.append(
                            parsed.doc.problem(
                                (*where, "id"),
                                f"library inject id '{inject.id}' is already defined in "
                                f"{seen_injects[inject.id].file}",
                            )
                        )
                        continue
                    seen_injects[inject.id] = parsed.doc
                    lib.injects.setdefault(inject.id, LibraryEntry(inject, parsed.doc, where))
        _load_frameworks(lib, ws, root)
    _LIBRARIES[ws.roots] = lib
    return lib


def _load_frameworks(lib: Library, ws: Workspace, root: Path) -> None:
    seen_here: dict[str, Document] = {}
    for path in _yaml_files(root / "frameworks"):
        parsed = parse_file(path, ws, "framework")
        lib.files.append(parsed)
        lib.problems += parsed.problems
        if not isinstance(parsed.model, Framework) or parsed.doc is None:
            continue
        framework = parsed.model
        if framework.id in seen_here:
            lib.problems.append(
                parsed.doc.problem(
                    ("id",),
                    f"framework id '{framework.id}' is also used by "
                    f"{seen_here[framework.id].file}",
                )
            )
        seen_here[framework.id] = parsed.doc
        if path.stem != framework.id:
            lib.problems.append(
                parsed.doc.problem(
                    ("id",), f"framework id '{framework.id}' should match its file name"
                )
            )
        first: dict[str, int] = {}
        for n, capability in enumerate(framework.capabilities):
            if capability.name in first:
                lib.problems.append(
                    parsed.doc.problem(
                        ("capabilities", n, "name"),
                        f"duplicate capability '{capability.name}' "
                        f"(also {dotted(('capabilities', first[capability.name]))})",
                    )
                )
            first.setdefault(capability.name, n)
        lib.frameworks.setdefault(framework.id, (framework, parsed.doc))


def _yaml_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def duplicate_ids(doc: Document, where: KeyPath, ids: list[str]) -> list[Problem]:
    """A problem for every id in a list that an earlier entry already uses."""
    first: dict[str, int] = {}
    out = []
    for n, ident in enumerate(ids):
        if ident in first:
            out.append(
                doc.problem(
                    (*where, n, "id"),
                    f"duplicate id '{ident}' (also {dotted((*where, first[ident]))})",
                )
            )
        first.setdefault(ident, n)
    return out



@dataclass
class Origin:
    """Where a resolved inject's fields were written, for error messages."""

    doc: Document
    path: KeyPath
    content_doc: Document
    content_path: KeyPath

    def problem(self, key: KeyPath, message: str, *, content: bool = False) -> Problem:
        if content:
            return self.content_doc.problem((*self.content_path, *key), message)
        return self.doc.problem((*self.path, *key), message)
