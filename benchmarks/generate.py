"""Input generators: exercise files of any size, corpora of them, and long sessions.

Everything is deterministic for a given seed, so two runs measure the same
inputs. Exercises draw their checklist items and library injects from the
bundled library, so they validate without any files of their own.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any

import prose
import yaml

from tabletop.core.bundled import bundled_dir
from tabletop.core.timefmt import format_offset


@dataclass(frozen=True)
class Shape:
    """The size and texture of a generated exercise."""

    phases: int
    injects: int
    teams: int
    objectives: int = 6
    minutes: int = 180
    """Planned play time; the phases share it."""
    story_step: int = 25
    """Story minutes between consecutive injects."""
    paragraphs: int = 2
    """Body paragraphs per inject."""
    decision_every: int = 7
    branch_every: int = 11
    library_uses: int = 2
    play_minutes: bool = True


REALISTIC = Shape(phases=4, injects=22, teams=5)
"""About the size of the bundled flagship exercises (tens of kilobytes)."""


def large_shape(injects: int, phases: int, teams: int) -> Shape:
    """A long timeline: lighter bodies, no planned minutes (a day has too few)."""
    return Shape(
        phases=phases,
        injects=injects,
        teams=teams,
        objectives=8,
        minutes=phases * 6,
        story_step=7,
        paragraphs=1,
        decision_every=25,
        branch_every=50,
        library_uses=0,
        play_minutes=False,
    )


# ---------------------------------------------------------------- library


@cache
def checklist_items() -> tuple[str, ...]:
    """Every bundled checklist item, as 'checklist/item'."""
    refs: list[str] = []
    for path in sorted((bundled_dir() / "checklists").glob("*.yaml")):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        refs += [f"{data['id']}/{item['id']}" for item in data["items"]]
    return tuple(refs)


@cache
def library_injects() -> tuple[str, ...]:
    """Bundled library injects that need no decision team, by id."""
    ids: list[str] = []
    for path in sorted((bundled_dir() / "injects").glob("*.yaml")):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        ids += [inject["id"] for inject in data["injects"] if not inject.get("decision")]
    return tuple(ids)


# ---------------------------------------------------------------- exercises


def exercise_data(ident: str, shape: Shape, seed: int) -> dict[str, Any]:
    """One valid exercise as plain data, ready to dump as YAML."""
    rng = random.Random(seed)
    teams = [f"team-{n:02d}" for n in range(1, shape.teams + 1)]
    items = checklist_items()
    objective_items = [rng.sample(items, 3) for _ in range(shape.objectives)]
    header: dict[str, Any] = {
        "format": "tabletop/1",
        "kind": "exercise",
        "id": ident,
        "title": f"Benchmark exercise {ident}: {prose.title(rng)}",
        "summary": prose.paragraph(rng, 4),
        "scope": prose.paragraph(rng, 2),
        "sponsor": "Benchmark suite (generated)",
        "marking": "EXERCISE EXERCISE EXERCISE",
        "duration": _duration(shape.minutes),
        "story_start": "2026-05-04T06:00:00Z",
        # the bundled checklists draw on both bundled capability frameworks
        "frameworks": ["fema-core-capabilities", "defence-diplomacy"],
        "organisations": [
            {"name": f"Organisation {n}", "role": prose.sentence(rng)} for n in range(1, 4)
        ],
        "objectives": [
            {
                "id": f"objective-{n + 1}",
                "text": prose.sentence(rng),
                "capability": "Operational Coordination",
                "evaluated_by": refs,
            }
            for n, refs in enumerate(objective_items)
        ],
        "teams": [
            {
                "id": team,
                "name": f"Team {team[-2:]}",
                "role": prose.paragraph(rng, 2),
                "briefing": prose.markdown_body(rng, 1),
            }
            for team in teams
        ],
    }
    return {**header, "phases": _phases(rng, shape, teams, objective_items)}


def _phases(
    rng: random.Random, shape: Shape, teams: list[str], objective_items: list[list[str]]
) -> list[dict[str, Any]]:
    library = list(library_injects())
    use_at = set(rng.sample(range(shape.injects), min(shape.library_uses, len(library))))
    decisions: list[dict[str, Any]] = []
    entries: list[dict[str, Any]] = []
    for n in range(shape.injects):
        timing: dict[str, Any] = {"story_time": format_offset_minutes((n + 1) * shape.story_step)}
        if shape.play_minutes:
            timing["play_minute"] = n * shape.minutes // shape.injects
        if n in use_at:
            entries.append({"use": library.pop(rng.randrange(len(library))), **timing})
            continue
        # Round-robin over the objectives so that every one of them is evaluated.
        must_cover = objective_items[n % len(objective_items)][0]
        inject = _inject(rng, n, teams, must_cover, timing, shape.paragraphs)
        if n % shape.decision_every == 2:
            inject["decision"] = _decision(rng, inject)
            decisions.append(inject)
        elif n % shape.branch_every == shape.branch_every - 1 and decisions:
            source = decisions[-1]
            options = [o["id"] for o in source["decision"]["options"]]
            taken = options[0] if n % 2 else options[1]  # half of the branches are not taken
            inject["when"] = {"inject": source["id"], "option": taken}
        entries.append(inject)
    per_phase = -(-shape.injects // shape.phases)
    return [
        {
            "id": f"phase-{p + 1:02d}",
            "title": f"Phase {p + 1}: {prose.title(rng)}",
            "duration": f"{shape.minutes // shape.phases}m",
            "narrative": prose.markdown_body(rng, 1),
            "questions": prose.questions(rng, 2),
            "injects": entries[p * per_phase : (p + 1) * per_phase],
        }
        for p in range(shape.phases)
        if entries[p * per_phase : (p + 1) * per_phase]
    ]


def _inject(
    rng: random.Random,
    n: int,
    teams: list[str],
    cover: str,
    timing: dict[str, Any],
    paragraphs: int,
) -> dict[str, Any]:
    audience: Any = "all" if rng.random() < 0.5 else sorted(rng.sample(teams, min(3, len(teams))))
    actions = [cover, *rng.sample(checklist_items(), rng.randint(0, 2))]
    return {
        "id": f"inject-{n + 1:05d}",
        "title": prose.title(rng),
        "channel": rng.choice(("email", "phone", "news", "sitrep", "cable", "meeting", "intel")),
        "from": prose.ACTORS[n % len(prose.ACTORS)].capitalize(),
        "to": audience,
        **timing,
        "body": prose.markdown_body(rng, paragraphs + (n % 3 == 0)),
        "expected_actions": [{"text": prose.sentence(rng), "item": ref} for ref in actions],
        "questions": prose.questions(rng, rng.randint(1, 3)),
        "facilitator_notes": prose.paragraph(rng, paragraphs + 1),
    }


def _decision(rng: random.Random, inject: dict[str, Any]) -> dict[str, Any]:
    audience = inject["to"]
    team = rng.choice(audience) if isinstance(audience, list) else "team-01"
    options = [
        {
            "id": f"option-{letter}",
            "label": f"Option {letter.upper()}",
            "description": prose.sentence(rng),
        }
        for letter in "abc"[: rng.randint(2, 3)]
    ]
    return {"team": team, "prompt": prose.QUESTIONS[0], "options": options, "default": "option-a"}


def format_offset_minutes(minutes: int) -> str:
    return format_offset(timedelta(minutes=minutes))


def _duration(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return f"{hours}h{rest}m" if rest else f"{hours}h"


# ---------------------------------------------------------------- files


class _Dumper(yaml.CSafeDumper):
    """Writes multi-line text as literal blocks, the way authors do."""


def _represent_str(dumper: _Dumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def write_exercise(path: Path, data: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    path.write_text(text, encoding="utf-8")
    return path


def write_corpus(root: Path, count: int, seed: int = 1) -> Path:
    """``count`` realistic exercises in ``root/exercises``; returns that folder."""
    folder = root / "exercises"
    for n in range(1, count + 1):
        ident = f"bench-{n:04d}"
        write_exercise(
            folder / f"{ident}.yaml", exercise_data(ident, REALISTIC, seed * 100_003 + n)
        )
    return folder


def write_scenario(root: Path, ident: str, shape: Shape, seed: int = 7) -> Path:
    """One exercise file in ``root/exercises``, so ``root`` is its workspace."""
    return write_exercise(root / "exercises" / f"{ident}.yaml", exercise_data(ident, shape, seed))
