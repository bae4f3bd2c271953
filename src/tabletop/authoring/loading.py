"""From YAML files to validated models and a resolved :class:`Scenario`.

``parse_file`` reads one file of any kind and collects every problem in it.
``load_library`` indexes the workspace's and the bundled checklists and
injects. ``resolve_exercise`` merges library injects into an exercise and runs
the semantic checks. ``load_scenario`` is what the console and tests call.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec
from pydantic import ValidationError

from tabletop.authoring.model import (
    FILE_MODELS,
    FORMAT,
    Checklist,
    Exercise,
    ExerciseHeader,
    Inject,
    InjectLibrary,
    LibraryInject,
    Strict,
)
from tabletop.authoring.workspace import Workspace, exercise_ids, file_digest, locate_exercise
from tabletop.core import scenario as resolved
from tabletop.core.problems import KeyPath, Problem, ProblemsFound, did_you_mean, dotted, excerpt
from tabletop.core.scenario import Scenario, ScenarioInject, ScenarioPhase

if TYPE_CHECKING:
    # The YAML reader and the error translator load with the first file parsed:
    # resuming a session whose exercise file is unchanged never needs them.
    from tabletop.authoring.yamlsource import Document

_FORMAT_RE = re.compile(r"tabletop/(\d+)\Z")
_FOLDER_KINDS = {"exercises": "exercise", "injects": "injects", "checklists": "checklist"}


@dataclass
class ParsedFile:
    path: Path
    doc: Document | None
    model: Strict | None
    problems: list[Problem] = field(default_factory=list)


def parse_file(path: Path, ws: Workspace, expected_kind: str | None = None) -> ParsedFile:
    """Read, check the header of, and validate one file; never raises for bad input."""
    from tabletop.authoring.pydantic_errors import problems_from
    from tabletop.authoring.yamlsource import load_file

    name = ws.display(path)
    try:
        doc = load_file(path, name)
    except ProblemsFound as exc:
        return ParsedFile(path, None, None, list(exc.problems))
    data = doc.data
    if not isinstance(data, dict):
        what = "empty" if data is None else f"a {type(data).__name__}"
        message = (
            "the file is empty; expected a mapping starting with 'format: tabletop/1'"
            if data is None
            else f"the top level must be a mapping of keys, but it is {what}"
        )
        return ParsedFile(path, doc, None, [Problem(name, 1, 1, (), message)])
    header = _check_header(doc, path, expected_kind)
    if isinstance(header, Problem):
        return ParsedFile(path, doc, None, [header])
    model_cls = FILE_MODELS[header]
    try:
        model = model_cls.model_validate(data)
    except ValidationError as exc:
        return ParsedFile(path, doc, None, problems_from(exc, doc))
    del data
    doc.release_data()  # the model holds the values; later checks need only positions
    return ParsedFile(path, doc, model, [])


def _check_header(doc: Document, path: Path, expected_kind: str | None) -> str | Problem:
    data: dict[str, Any] = doc.data
    fmt = data.get("format")
    if fmt is None:
        return doc.problem((), f"missing 'format: {FORMAT}' at the top of the file")
    match = _FORMAT_RE.match(fmt) if isinstance(fmt, str) else None
    if not match:
        return doc.problem(("format",), f"unknown format '{excerpt(fmt)}'; expected '{FORMAT}'")
    if int(match.group(1)) != 1:
        return doc.problem(
            ("format",),
            f"this file uses format '{excerpt(fmt)}', but this version of tabletop reads "
            f"'{FORMAT}' only; upgrade tabletop to open it",
        )
    kind = data.get("kind")
    if not isinstance(kind, str) or kind not in FILE_MODELS:
        guess = _FOLDER_KINDS.get(path.parent.name, "exercise")
        if kind is None:
            return doc.problem((), f"missing key 'kind' (for this folder: 'kind: {guess}')")
        return doc.problem(
            ("kind",),
            f"unknown kind '{excerpt(kind)}'; expected one of: {', '.join(FILE_MODELS)}"
            + did_you_mean(str(kind), FILE_MODELS),
        )
    if expected_kind and kind != expected_kind:
        return doc.problem(("kind",), f"expected a file of kind '{expected_kind}', not '{kind}'")
    return str(kind)


# ------------------------------------------------------------------ library


@dataclass
class LibraryEntry:
    inject: LibraryInject
    doc: Document
    path: KeyPath


@dataclass
class Library:
    checklists: dict[str, tuple[Checklist, Document]] = field(default_factory=dict)
    injects: dict[str, LibraryEntry] = field(default_factory=dict)
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
    _LIBRARIES[ws.roots] = lib
    return lib


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


# ---------------------------------------------------------------- exercises


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


@dataclass
class Resolved:
    scenario: Scenario | None
    origins: dict[str, Origin]
    problems: list[Problem]


_SITE_FIELDS = ("story_time", "play_minute", "when", "to", "from", "facilitator_notes")


def resolve_exercise(
    exercise: Exercise, doc: Document, lib: Library, ws: Workspace, *, build: bool = True
) -> Resolved:
    """Merge library injects into the exercise and run every semantic check.

    With ``build=False`` (validation only) the final Scenario is not assembled.
    """
    from tabletop.authoring.checks import check_exercise  # checks import this module's types

    problems: list[Problem] = []
    injects: list[ScenarioInject] = []
    origins: dict[str, Origin] = {}
    phases: list[ScenarioPhase] = []
    for p, phase in enumerate(exercise.phases):
        ids: list[str] = []
        for i, entry in enumerate(phase.injects):
            site: KeyPath = ("phases", p, "injects", i)
            if isinstance(entry, Inject):
                origin = Origin(doc, site, doc, site)
                if entry.id in origins:
                    problems.append(origin.problem(("id",), _duplicate(entry.id)))
                    continue
                # Every field was validated with the exercise: the struct takes
                # them from the model's attributes, without a dump and re-parse.
                values = {name: getattr(entry, name) for name in _INJECT_FIELDS}
                values["from"] = values.pop("sender")  # the struct reads dicts by alias
                injects.append(resolved.build(ScenarioInject, {**values, "phase": phase.id}))
                ids.append(entry.id)
                origins[entry.id] = origin
                continue
            found = lib.injects.get(entry.use)
            if found is None:
                problems.append(
                    doc.problem(
                        (*site, "use"),
                        f"no library inject '{excerpt(entry.use)}' in injects/"
                        + did_you_mean(entry.use, lib.injects),
                    )
                )
                continue
            fields = found.inject.model_dump(by_alias=True, exclude_unset=True)
            overrides = entry.model_dump(by_alias=True, exclude_unset=True)
            for key in _SITE_FIELDS:
                if key in overrides:
                    fields[key] = overrides[key]
            fields["id"] = entry.id or entry.use
            fields["library"] = entry.use
            if entry.decision_team and "decision" not in fields:
                problems.append(
                    doc.problem(
                        (*site, "decision_team"),
                        f"library inject '{entry.use}' carries no decision to give a team",
                    )
                )
            elif entry.decision_team:
                fields["decision"] = {**fields["decision"], "team": entry.decision_team}
            origin = Origin(doc, site, found.doc, found.path)
            fields["phase"] = phase.id
            if fields["id"] in origins:
                problems.append(
                    origin.problem(
                        ("id",) if entry.id else ("use",),
                        _duplicate(fields["id"]),
                    )
                )
                continue
            try:
                injects.append(resolved.build(ScenarioInject, fields))
            except msgspec.ValidationError as exc:  # pragma: no cover - parts were validated
                problems.append(doc.problem(site, f"cannot merge inject: {excerpt(str(exc))}"))
                continue
            ids.append(injects[-1].id)
            origins[injects[-1].id] = origin
        phases.append(
            ScenarioPhase(
                id=phase.id,
                title=phase.title,
                duration=phase.duration,
                narrative=phase.narrative,
                questions=phase.questions,
                injects=ids,
            )
        )
    problems += check_exercise(exercise, doc, injects, origins, lib, ws)
    if problems or not build:
        return Resolved(None, origins, problems)
    used = _used_checklists(exercise, injects)
    # The header's nested models (objectives, teams...) become structs by their
    # attributes; the resolved phases and injects are structs already.
    header = {name: getattr(exercise, name) for name in _HEADER_FIELDS}
    scenario = resolved.build(
        Scenario,
        {
            **header,
            "phases": phases,
            "injects": injects,
            "checklists": [lib.checklists[c][0] for c in used],
        },
    )
    return Resolved(scenario, origins, [])


_INJECT_FIELDS = tuple(Inject.model_fields)
_HEADER_FIELDS = tuple(ExerciseHeader.model_fields)


def _duplicate(inject_id: str) -> str:
    return (
        f"duplicate inject id '{inject_id}' (inject ids are unique in an "
        "exercise; give a reused library inject its own 'id')"
    )


def _used_checklists(exercise: Exercise, injects: list[ScenarioInject]) -> list[str]:
    refs = [ref for o in exercise.objectives for ref in o.evaluated_by]
    refs += [a.item for inj in injects for a in inj.expected_actions]
    return sorted({ref.split("/", 1)[0] for ref in refs})


@dataclass
class LoadedScenario:
    scenario: Scenario
    path: Path
    sha256: str


def load_scenario(target: str | Path, cwd: Path | None = None) -> LoadedScenario:
    """Load, resolve and check one exercise; raise ProblemsFound listing every problem."""
    target_text = str(target)
    path, ws = locate_exercise(target_text, cwd)
    if path is None:
        hint = did_you_mean(target_text, exercise_ids(ws))
        raise ProblemsFound([Problem(target_text, 0, 0, (), f"no such exercise file or id{hint}")])
    parsed = parse_file(path, ws, "exercise")
    lib = load_library(ws)
    if parsed.problems or not isinstance(parsed.model, Exercise) or parsed.doc is None:
        raise ProblemsFound(parsed.problems)
    resolved = resolve_exercise(parsed.model, parsed.doc, lib, ws)
    lib_problems = [p for p in lib.problems if _relevant(p, resolved)]
    if resolved.scenario is None or lib_problems:
        raise ProblemsFound(resolved.problems + lib_problems)
    return LoadedScenario(resolved.scenario, path.resolve(), file_digest(path))


def _relevant(problem: Problem, resolved: Resolved) -> bool:
    """Library problems matter to an exercise only in files it draws on."""
    files = {o.content_doc.file for o in resolved.origins.values()}
    return problem.file in files or "checklists" in problem.file
