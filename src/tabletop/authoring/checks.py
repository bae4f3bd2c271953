"""Semantic checks that a schema cannot express: ids, references, time, branches,
the teams objectives and expected actions name, and capabilities."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path

from tabletop.authoring.library import Library, Origin, duplicate_ids
from tabletop.authoring.model import Exercise
from tabletop.authoring.workspace import Workspace
from tabletop.authoring.yamlsource import Document
from tabletop.core.problems import KeyPath, Problem, did_you_mean, excerpt
from tabletop.core.scenario import ScenarioInject, action_owners
from tabletop.core.timefmt import parse_duration, parse_offset


def check_exercise(
    exercise: Exercise,
    doc: Document,
    injects: list[ScenarioInject],
    origins: dict[str, Origin],
    lib: Library,
    ws: Workspace,
) -> list[Problem]:
    problems: list[Problem] = []
    problems += duplicate_ids(doc, ("objectives",), [o.id for o in exercise.objectives])
    problems += duplicate_ids(doc, ("teams",), [t.id for t in exercise.teams])
    problems += duplicate_ids(doc, ("phases",), [p.id for p in exercise.phases])
    problems += _scoring_order(exercise, doc)
    problems += _item_refs(exercise, doc, injects, origins, lib)
    problems += _teams_and_decisions(exercise, injects, origins)
    problems += _timing(exercise, doc, injects, origins)
    problems += _branches(injects, origins)
    problems += _objectives_evaluated(exercise, doc, injects)
    problems += _objective_teams(exercise, doc, injects)
    problems += _action_teams(exercise, injects, origins)
    problems += _capabilities(exercise, doc, injects, lib)
    problems += _attachments(injects, origins, ws)
    return problems


def _scoring_order(exercise: Exercise, doc: Document) -> list[Problem]:
    scoring = exercise.scoring
    if scoring.performed >= scoring.some_challenges >= scoring.major_challenges:
        return []
    return [
        doc.problem(
            ("scoring",),
            "thresholds must not increase: performed >= some_challenges >= major_challenges",
        )
    ]


def _item_problem(
    ref: str, lib: Library, report: Origin | Document, key: KeyPath, content: bool = False
) -> Problem | None:
    checklist_id, _, item_id = ref.partition("/")
    found = lib.checklists.get(checklist_id)
    if found is None:
        message = f"no checklist '{excerpt(checklist_id)}'" + did_you_mean(
            checklist_id, lib.checklists
        )
    else:
        items = [i.id for i in found[0].items]
        if item_id in items:
            return None
        message = f"checklist '{checklist_id}' has no item '{excerpt(item_id)}'" + did_you_mean(
            item_id, items
        )
    if isinstance(report, Origin):
        return report.problem(key, message, content=content)
    return report.problem(key, message)


def _item_refs(
    exercise: Exercise,
    doc: Document,
    injects: list[ScenarioInject],
    origins: dict[str, Origin],
    lib: Library,
) -> list[Problem]:
    out: list[Problem | None] = []
    for o, objective in enumerate(exercise.objectives):
        for r, ref in enumerate(objective.evaluated_by):
            out.append(_item_problem(ref, lib, doc, ("objectives", o, "evaluated_by", r)))
    for inject in injects:
        origin = origins[inject.id]
        for a, action in enumerate(inject.expected_actions):
            key = ("expected_actions", a, "item")
            out.append(_item_problem(action.item, lib, origin, key, content=True))
    return [p for p in out if p is not None]


def _team_problem(team: str, teams: list[str], origin: Origin, key: KeyPath) -> Problem | None:
    if team in teams:
        return None
    return origin.problem(key, f"no team '{excerpt(team)}'" + did_you_mean(team, teams))


def _teams_and_decisions(
    exercise: Exercise, injects: list[ScenarioInject], origins: dict[str, Origin]
) -> list[Problem]:
    teams = [t.id for t in exercise.teams]
    out: list[Problem | None] = []
    for inject in injects:
        origin = origins[inject.id]
        if inject.to != "all":
            for n, team in enumerate(inject.to):
                out.append(_team_problem(team, teams, origin, ("to", n)))
        decision = inject.decision
        if decision is None:
            continue
        options = [o.id for o in decision.options]
        lib_site = origin.content_doc is not origin.doc
        if decision.team is None:
            out.append(
                origin.problem(
                    ("decision_team",) if lib_site else ("decision",),
                    "this inject carries a decision; say which team decides"
                    + (" with 'decision_team'" if lib_site else " with 'team'"),
                )
            )
        else:
            key: KeyPath = ("decision_team",) if lib_site else ("decision", "team")
            out.append(_team_problem(decision.team, teams, origin, key))
            if decision.team in teams and decision.team not in exercise_audience(inject, teams):
                out.append(
                    origin.problem(
                        key, f"team '{decision.team}' decides here but does not receive this inject"
                    )
                )
        if decision.default not in options:
            out.append(
                origin.problem(
                    ("decision", "default"),
                    f"default '{excerpt(decision.default)}' is not one of the options "
                    f"({', '.join(options)})" + did_you_mean(decision.default, options),
                    content=True,
                )
            )
        seen: set[str] = set()
        for n, option in enumerate(options):
            if option in seen:
                out.append(
                    origin.problem(
                        ("decision", "options", n, "id"),
                        f"duplicate option id '{option}'",
                        content=True,
                    )
                )
            seen.add(option)
    return [p for p in out if p is not None]


def exercise_audience(inject: ScenarioInject, teams: list[str]) -> list[str]:
    return teams if inject.to == "all" else list(inject.to)


def _timing(
    exercise: Exercise, doc: Document, injects: list[ScenarioInject], origins: dict[str, Origin]
) -> list[Problem]:
    out: list[Problem] = []
    total = exercise.planned_duration
    phase_sum = sum((parse_duration(p.duration) for p in exercise.phases), start=total * 0)
    if phase_sum > total:
        out.append(
            doc.problem(
                ("duration",),
                f"the phases' durations add up to {_hm(phase_sum.total_seconds())}, "
                f"more than the exercise's {exercise.duration}",
            )
        )
    last_story = None
    last_play: int | None = None
    last_id = ""
    for inject in injects:
        origin = origins[inject.id]
        offset = parse_offset(inject.story_time)
        if last_story is not None and offset < last_story:
            out.append(
                origin.problem(
                    ("story_time",),
                    f"story time {inject.story_time} is earlier than the inject before it "
                    f"('{last_id}'); injects are listed in story order",
                )
            )
        last_story = offset if last_story is None else max(last_story, offset)
        if inject.play_minute is not None:
            if inject.play_minute > total.total_seconds() / 60:
                out.append(
                    origin.problem(
                        ("play_minute",),
                        f"planned at minute {inject.play_minute}, after the exercise's "
                        f"{exercise.duration} of play",
                    )
                )
            if last_play is not None and inject.play_minute < last_play:
                out.append(
                    origin.problem(
                        ("play_minute",),
                        f"planned at minute {inject.play_minute}, before the inject listed "
                        f"before it (minute {last_play})",
                    )
                )
            last_play = max(last_play or 0, inject.play_minute)
        last_id = inject.id
    return out


def _hm(seconds: float) -> str:
    hours, minutes = divmod(int(seconds) // 60, 60)
    return f"{hours}h{minutes:02d}m"


def _branches(injects: list[ScenarioInject], origins: dict[str, Origin]) -> list[Problem]:
    out: list[Problem] = []
    position = {inject.id: n for n, inject in enumerate(injects)}
    by_id = {inject.id: inject for inject in injects}
    unreachable: set[str] = set()
    for n, inject in enumerate(injects):
        condition = inject.when
        if condition is None:
            continue
        origin = origins[inject.id]
        target = by_id.get(condition.inject)
        if target is None:
            out.append(
                origin.problem(
                    ("when", "inject"),
                    f"no inject '{excerpt(condition.inject)}'"
                    + did_you_mean(condition.inject, by_id),
                )
            )
            unreachable.add(inject.id)
            continue
        if position[target.id] >= n:
            out.append(
                origin.problem(
                    ("when", "inject"),
                    f"the condition names '{target.id}', which is not earlier on the timeline",
                )
            )
            unreachable.add(inject.id)
            continue
        if target.decision is None:
            out.append(
                origin.problem(
                    ("when", "inject"), f"inject '{target.id}' has no decision to branch on"
                )
            )
            unreachable.add(inject.id)
            continue
        options = [o.id for o in target.decision.options]
        for option in condition.options:
            if option not in options:
                out.append(
                    origin.problem(
                        ("when", "option"),
                        f"inject '{target.id}' has no option '{excerpt(option)}' "
                        f"(options: {', '.join(options)})" + did_you_mean(option, options),
                    )
                )
        if target.id in unreachable:
            unreachable.add(inject.id)
            out.append(
                origin.problem(
                    ("when",),
                    f"unreachable: it depends on '{target.id}', which can never be delivered",
                )
            )
    return out


def _objectives_evaluated(
    exercise: Exercise, doc: Document, injects: list[ScenarioInject]
) -> list[Problem]:
    expected = {a.item for inject in injects for a in inject.expected_actions}
    out = []
    for n, objective in enumerate(exercise.objectives):
        if not any(ref in expected for ref in objective.evaluated_by):
            out.append(
                doc.problem(
                    ("objectives", n, "evaluated_by"),
                    f"objective '{objective.id}' is never evaluated: none of its items is an "
                    "expected action of any inject",
                )
            )
    return out


def _objective_teams(
    exercise: Exercise, doc: Document, injects: list[ScenarioInject]
) -> list[Problem]:
    """Each team an objective names exists and is expected, by some inject, to act
    on one of the objective's items: else nothing could ever rate it for that team."""
    teams = [t.id for t in exercise.teams]
    out: list[Problem] = []
    for o, objective in enumerate(exercise.objectives):
        refs = set(objective.evaluated_by)
        expected: set[str] = set()
        for inject in injects:
            for action in inject.expected_actions:
                if action.item in refs:
                    expected.update(action_owners(inject, action, teams))
        for n, team in enumerate(objective.teams):
            key = ("objectives", o, "teams", n)
            if team not in teams:
                message = f"no team '{excerpt(team)}'" + did_you_mean(team, teams)
                out.append(doc.problem(key, message))
            elif team not in expected:
                out.append(
                    doc.problem(
                        key,
                        f"team '{team}' receives no inject that expects an item of objective "
                        f"'{objective.id}' ({', '.join(objective.evaluated_by)}), so it could "
                        "never be rated on it",
                    )
                )
    return out


def _action_teams(
    exercise: Exercise, injects: list[ScenarioInject], origins: dict[str, Origin]
) -> list[Problem]:
    """An expected action's own team exists and receives the inject."""
    teams = [t.id for t in exercise.teams]
    out: list[Problem] = []
    for inject in injects:
        origin = origins[inject.id]
        audience = exercise_audience(inject, teams)
        for a, action in enumerate(inject.expected_actions):
            if action.team is None:
                continue
            key: KeyPath = ("expected_actions", a, "team")
            if action.team not in teams:
                out.append(
                    origin.problem(
                        key,
                        f"no team '{excerpt(action.team)}'" + did_you_mean(action.team, teams),
                        content=True,
                    )
                )
            elif action.team not in audience:
                out.append(
                    origin.problem(
                        key,
                        f"team '{action.team}' owns this action but does not receive the "
                        f"inject (it goes to {', '.join(audience)})",
                        content=True,
                    )
                )
    return out


def _capabilities(
    exercise: Exercise, doc: Document, injects: list[ScenarioInject], lib: Library
) -> list[Problem]:
    """The declared frameworks exist, and every capability an objective or a used
    checklist's item names is one of theirs."""
    out: list[Problem] = []
    known: dict[str, str] = {}
    missing = False
    for n, framework_id in enumerate(exercise.frameworks):
        found = lib.frameworks.get(framework_id)
        if found is None:
            missing = True
            out.append(
                doc.problem(
                    ("frameworks", n),
                    f"no capability framework '{excerpt(framework_id)}' in frameworks/"
                    + did_you_mean(framework_id, lib.frameworks),
                )
            )
            continue
        for capability in found[0].capabilities:
            known.setdefault(capability.name, framework_id)
    if missing:
        return out  # every capability would be reported too: fix the framework first
    declared = ", ".join(dict.fromkeys(exercise.frameworks)) or "none"

    def unknown(name: str) -> str | None:
        if name in known:
            return None
        return (
            f"capability '{excerpt(name)}' is in none of the exercise's frameworks "
            f"({declared})" + _closest(name, known)
        )

    for o, objective in enumerate(exercise.objectives):
        if objective.capability and (message := unknown(objective.capability)):
            out.append(doc.problem(("objectives", o, "capability"), message))
    used = {ref.split("/", 1)[0] for o in exercise.objectives for ref in o.evaluated_by}
    used |= {a.item.split("/", 1)[0] for inj in injects for a in inj.expected_actions}
    for checklist_id in sorted(used):
        found_checklist = lib.checklists.get(checklist_id)
        if found_checklist is None:
            continue  # reported with the item reference
        checklist, checklist_doc = found_checklist
        for n, item in enumerate(checklist.items):
            if message := unknown(item.capability):
                out.append(checklist_doc.problem(("items", n, "capability"), message))
    return out


def _closest(word: str, choices: Iterable[str]) -> str:
    """A "did you mean" that ignores case: capability names are title-cased."""
    by_lower = {c.lower(): c for c in choices}
    matches = difflib.get_close_matches(word.lower(), list(by_lower), n=1, cutoff=0.6)
    return f" (did you mean '{by_lower[matches[0]]}'?)" if matches else ""


def _attachments(
    injects: Iterable[ScenarioInject], origins: dict[str, Origin], ws: Workspace
) -> list[Problem]:
    out = []
    for inject in injects:
        origin = origins[inject.id]
        base = Path(origin.content_doc.file)
        for n, entry in enumerate(inject.attachments):
            # A mapping entry ({path: ..., facilitator_only: true}) points at its path.
            key: KeyPath = ("attachments", n)
            if isinstance(entry, str):
                name = entry
            else:
                name, key = entry.path, (*key, "path")
            candidate = Path(name)
            if candidate.is_absolute() or ".." in candidate.parts:
                out.append(
                    origin.problem(
                        key,
                        f"attachment '{excerpt(name)}' must be a path inside the workspace, "
                        "without '..'",
                        content=True,
                    )
                )
                continue
            resolved = (ws.root / candidate).resolve()
            if not ws.contains(resolved):
                out.append(
                    origin.problem(
                        key,
                        f"attachment '{excerpt(name)}' leads outside the workspace",
                        content=True,
                    )
                )
            elif not resolved.is_file():
                out.append(
                    origin.problem(
                        key,
                        f"attachment '{excerpt(name)}' not found in the workspace ({base.name})",
                        content=True,
                    )
                )
    return out
