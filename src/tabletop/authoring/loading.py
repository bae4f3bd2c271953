"""From YAML files to validated models and a resolved :class:`Scenario`.

``resolve_exercise`` merges library injects (:mod:`tabletop.authoring.library`)
into an exercise parsed by :mod:`tabletop.authoring.parsing` and runs the
semantic checks. ``load_scenario`` is what the console and tests call.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec

from tabletop.authoring.checks import check_exercise
from tabletop.authoring.library import Library, Origin, load_library
from tabletop.authoring.locating import locate_exercise
from tabletop.authoring.model import (
    Checklist,
    Exercise,
    ExerciseHeader,
    Framework,
    Inject,
)
from tabletop.authoring.parsing import parse_file
from tabletop.authoring.workspace import Workspace, exercise_ids, file_digest
from tabletop.core import scenario as resolved
from tabletop.core.problems import KeyPath, Problem, ProblemsFound, did_you_mean, excerpt
from tabletop.core.scenario import Scenario, ScenarioInject, ScenarioPhase, derived_teams

if TYPE_CHECKING:
    # The YAML reader and the error translator load with the first file parsed:
    # resuming a session whose exercise file is unchanged never needs them.
    from tabletop.authoring.yamlsource import Document

# ---------------------------------------------------------------- exercises


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
    checklists = [lib.checklists[c][0] for c in used]
    # The header's nested models (objectives, teams...) become structs by their
    # attributes; the resolved phases and injects are structs already.
    header = {name: getattr(exercise, name) for name in _HEADER_FIELDS}
    team_ids = [t.id for t in exercise.teams]
    header["objectives"] = [
        {
            **objective.model_dump(),
            "teams": objective.teams or derived_teams(team_ids, injects, objective.evaluated_by),
        }
        for objective in exercise.objectives
    ]
    frameworks = [lib.frameworks[f][0] for f in dict.fromkeys(exercise.frameworks)]
    header["frameworks"] = [
        {"id": f.id, "title": f.title, "source": f.source} for f in frameworks
    ]
    scenario = resolved.build(
        Scenario,
        {
            **header,
            "phases": phases,
            "injects": injects,
            "checklists": checklists,
            "capabilities": _capabilities_used(exercise, checklists, frameworks),
        },
    )
    return Resolved(scenario, origins, [])


def _capabilities_used(
    exercise: Exercise, checklists: list[Checklist], frameworks: list[Framework]
) -> list[dict[str, object]]:
    """The capabilities the objectives and checklists name, each once, from the
    first declared framework that has it (the checks made sure one does)."""
    names = [o.capability for o in exercise.objectives if o.capability]
    names += [item.capability for c in checklists for item in c.items]
    out: list[dict[str, object]] = []
    for name in dict.fromkeys(names):
        for framework in frameworks:
            found = next((c for c in framework.capabilities if c.name == name), None)
            if found is not None:
                out.append(
                    {"name": name, "framework": framework.id, "mission_areas": found.mission_areas}
                )
                break
    return out


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
    return problem.file in files or "checklists" in problem.file or "frameworks" in problem.file
