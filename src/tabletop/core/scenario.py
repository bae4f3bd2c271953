"""The resolved scenario: what a session stores, plays, scores and reports on.

Authors' files are validated by the pydantic format models in
:mod:`tabletop.authoring.model`; resolving an exercise (library injects merged in,
checklists attached) produces the frozen structs below. A session keeps them as
JSON and decodes them with msgspec, which checks every type and refuses unknown
keys without pydantic: resuming an exercise then costs a few milliseconds,
not a schema build, and 5,000 injects stay compact in memory.

Field meanings are documented once, on the format models. The structs carry
the format's constraints (ids, channels, bounds) from the shared vocabulary,
so a damaged stored copy is refused on decoding, and
``tests/core/test_scenario.py`` compares the two JSON Schemas field by field.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timedelta
from functools import cached_property
from typing import Annotated, Literal, TypeVar

import msgspec

from tabletop.core.timefmt import parse_datetime, parse_duration, parse_offset
from tabletop.core.vocabulary import (
    CLAIM_MIN_RATINGS,
    WEIGHT_MAX,
    AtLeastOneCount,
    Audience,
    Channel,
    DateTimeText,
    Duration,
    ExerciseType,
    Id,
    ItemRef,
    MissionArea,
    Offset,
    PlayMinute,
    Share,
    Text,
    Weight,
)

T = TypeVar("T")
AtLeastOne = Annotated[list[T], msgspec.Meta(min_length=1)]


class Frozen(
    msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, dict=True
):
    """Immutable, strict on decoding; ``dict=True`` lets indexes be cached properties.

    Subclasses repeat ``frozen`` and ``kw_only`` because type checkers read
    them per class; msgspec would inherit them.
    """


class ChecklistItem(Frozen, frozen=True, kw_only=True):
    id: Id
    text: Text
    weight: Weight = 1
    capability: Text


class Checklist(Frozen, frozen=True, kw_only=True):
    format: Literal["tabletop/1"]
    kind: Literal["checklist"]
    id: Id
    title: Text
    source: Text
    description: str = ""
    items: AtLeastOne[ChecklistItem]


class ExpectedAction(Frozen, frozen=True, kw_only=True):
    text: Text
    item: ItemRef
    team: Id | None = None
    """The owning team; None: every team the inject is addressed to."""


class DecisionOption(Frozen, frozen=True, kw_only=True):
    id: Id
    label: Text
    description: str = ""


class Decision(Frozen, frozen=True, kw_only=True):
    team: Id | None = None
    prompt: Text
    options: Annotated[list[DecisionOption], msgspec.Meta(min_length=2)]
    default: Id


class Condition(Frozen, frozen=True, kw_only=True):
    inject: Id
    option: Id | list[Id]

    @property
    def options(self) -> tuple[str, ...]:
        return (self.option,) if isinstance(self.option, str) else tuple(self.option)


class Attachment(Frozen, frozen=True, kw_only=True):
    """An attachment given as a mapping; a plain path is stored as it was written,
    so the stored form of an exercise without these is unchanged."""

    path: Text
    facilitator_only: bool = False


class ScenarioInject(Frozen, frozen=True, kw_only=True):
    """An inject on the resolved timeline."""

    id: Id
    title: Text
    channel: Channel
    sender: Text = msgspec.field(name="from")
    to: Audience = "all"
    body: str = ""
    expected_actions: list[ExpectedAction] = msgspec.field(default_factory=list)
    questions: list[Text] = msgspec.field(default_factory=list)
    facilitator_notes: str = ""
    decision: Decision | None = None
    attachments: list[Text | Attachment] = msgspec.field(default_factory=list)
    story_time: Offset
    play_minute: PlayMinute | None = None
    when: Condition | None = None
    phase: Id
    library: Id | None = None
    """The library inject it came from, if any."""

    @cached_property
    def story_offset(self) -> timedelta:
        return parse_offset(self.story_time)


class ScenarioPhase(Frozen, frozen=True, kw_only=True):
    id: Id
    title: Text
    duration: Duration
    narrative: str = ""
    questions: AtLeastOne[Text]
    injects: AtLeastOne[Id]
    """Ids of the phase's injects, in order."""

    @cached_property
    def planned(self) -> timedelta:
        return parse_duration(self.duration)


class Organisation(Frozen, frozen=True, kw_only=True):
    name: Text
    role: str = ""


class Objective(Frozen, frozen=True, kw_only=True):
    id: Id
    text: Text
    capability: str = ""
    evaluated_by: AtLeastOne[ItemRef]
    teams: list[Id] = msgspec.field(default_factory=list)
    """Filled in on resolving; empty only in scenarios stored before objectives
    named their teams (scoring then derives them, see :meth:`Scenario.objective_teams`)."""

    def concerns(self, objective: str | None, item: str | None) -> bool:
        """Whether something that names ``objective`` and/or ``item`` (an observation)
        is about this objective: the one it names, or, naming none, every objective
        its item evaluates."""
        if objective is not None:
            return objective == self.id
        return item is not None and item in self.evaluated_by


class Contact(Frozen, frozen=True, kw_only=True):
    name: Text
    title: str = ""
    organisation: str = ""
    email: str = ""
    phone: str = ""


class Framework(Frozen, frozen=True, kw_only=True):
    """A capability framework the exercise declares (its capabilities are in
    :attr:`Scenario.capabilities`, as far as the exercise uses them)."""

    id: Id
    title: Text
    source: Text


class Capability(Frozen, frozen=True, kw_only=True):
    """A capability the exercise names, with the framework that defines it."""

    name: Text
    framework: Id
    mission_areas: list[MissionArea] = msgspec.field(default_factory=list)


class Team(Frozen, frozen=True, kw_only=True):
    id: Id
    name: Text
    role: Text
    briefing: str = ""


class ScoringConfig(Frozen, frozen=True, kw_only=True):
    performed: Share = 0.85
    some_challenges: Share = 0.65
    major_challenges: Share = 0.4
    min_coverage: Share = 0.5
    critical_weight: Weight = WEIGHT_MAX
    claim_min_ratings: AtLeastOneCount = CLAIM_MIN_RATINGS


class Scenario(Frozen, frozen=True, kw_only=True):
    """A resolved exercise."""

    format: Literal["tabletop/1"]
    kind: Literal["exercise"]
    id: Id
    title: Text
    summary: Text
    scope: str = ""
    sponsor: str = ""
    exercise_type: ExerciseType = "tabletop"
    mission_areas: list[MissionArea] = msgspec.field(default_factory=list)
    location: str = ""
    threat_or_hazard: str = ""
    handling_instructions: str = ""
    points_of_contact: list[Contact] = msgspec.field(default_factory=list)
    frameworks: list[Framework] = msgspec.field(default_factory=list)
    """The frameworks the exercise declares (empty in scenarios stored before them)."""
    marking: Text = "EXERCISE EXERCISE EXERCISE"
    duration: Duration
    story_start: DateTimeText
    organisations: list[Organisation] = msgspec.field(default_factory=list)
    objectives: AtLeastOne[Objective]
    teams: AtLeastOne[Team]
    scoring: ScoringConfig = msgspec.field(default_factory=ScoringConfig)
    phases: AtLeastOne[ScenarioPhase]
    injects: list[ScenarioInject]
    """Every inject in timeline order."""
    checklists: list[Checklist]
    """Every checklist the exercise refers to."""
    capabilities: list[Capability] = msgspec.field(default_factory=list)
    """The capabilities the objectives and the checklists name, each once."""

    @cached_property
    def story_start_at(self) -> datetime:
        return parse_datetime(self.story_start)

    @cached_property
    def planned_duration(self) -> timedelta:
        return parse_duration(self.duration)

    @cached_property
    def inject_by_id(self) -> dict[str, ScenarioInject]:
        return {inject.id: inject for inject in self.injects}

    @cached_property
    def team_by_id(self) -> dict[str, Team]:
        return {team.id: team for team in self.teams}

    @cached_property
    def phase_by_id(self) -> dict[str, ScenarioPhase]:
        return {phase.id: phase for phase in self.phases}

    @cached_property
    def item_by_ref(self) -> dict[str, tuple[Checklist, ChecklistItem]]:
        return {f"{c.id}/{i.id}": (c, i) for c in self.checklists for i in c.items}

    @cached_property
    def position(self) -> dict[str, int]:
        """Timeline index of each inject id."""
        return {inject.id: n for n, inject in enumerate(self.injects)}

    def audience(self, inject: ScenarioInject) -> list[str]:
        return [t.id for t in self.teams] if inject.to == "all" else list(inject.to)

    def owners(self, inject: ScenarioInject, action: ExpectedAction) -> list[str]:
        """The teams an expected action is expected of: its own team, else the audience."""
        return action_owners(inject, action, [t.id for t in self.teams])

    @cached_property
    def capability_by_name(self) -> dict[str, Capability]:
        return {c.name: c for c in self.capabilities}

    def objective_teams(self, objective: Objective) -> list[str]:
        """The teams an objective concerns: as resolved, or, for a scenario stored
        before objectives named them, every team that receives an inject expecting
        one of its items (scenario team order)."""
        if objective.teams:
            return list(objective.teams)
        return derived_teams([t.id for t in self.teams], self.injects, objective.evaluated_by)

    def story_time_of(self, inject: ScenarioInject) -> datetime:
        return self.story_start_at + inject.story_offset


def action_owners(
    inject: ScenarioInject, action: ExpectedAction, teams: list[str]
) -> list[str]:
    """The teams an expected action is expected of: its own team, else the inject's
    audience (``teams`` are all the exercise's team ids)."""
    if action.team is not None:
        return [action.team]
    return list(teams) if inject.to == "all" else list(inject.to)


def derived_teams(
    teams: list[str], injects: Iterable[ScenarioInject], refs: Iterable[str]
) -> list[str]:
    """Every team that some inject expects to act on one of ``refs``, in ``teams`` order."""
    wanted = set(refs)
    found: set[str] = set()
    for inject in injects:
        for action in inject.expected_actions:
            if action.item in wanted:
                found.update(action_owners(inject, action, teams))
    return [t for t in teams if t in found]


S = TypeVar("S", bound=Frozen)


def build(cls: type[S], data: Mapping[str, object] | object) -> S:
    """Make a struct from plain data or from objects with the same attributes
    (validated format models); raises msgspec.ValidationError."""
    return msgspec.convert(data, cls, from_attributes=True)


def encode(scenario: Scenario) -> bytes:
    return msgspec.json.encode(scenario)


def encode_parts(scenario: Scenario) -> Iterator[bytes]:
    """The bytes of :func:`encode`, in pieces of at most one inject each.

    A session writes these straight into its file: a big exercise then never
    needs its whole JSON (10 MB for 5,000 injects) in memory at once.
    """
    yield b"{"
    for n, spec in enumerate(msgspec.structs.fields(Scenario)):
        yield (b"," if n else b"") + msgspec.json.encode(spec.encode_name) + b":"
        value = getattr(scenario, spec.name)
        if spec.name == "injects":
            yield b"["
            for i, inject in enumerate(value):
                yield (b"," if i else b"") + msgspec.json.encode(inject)
            yield b"]"
        else:
            yield msgspec.json.encode(value)
    yield b"}"


def decode(stored: bytes | str) -> Scenario:
    """A stored scenario; raises msgspec.ValidationError or DecodeError (both
    ``msgspec.MsgspecError``) on anything that is not one."""
    scenario = msgspec.json.decode(stored, type=Scenario)
    _check_times(scenario)
    return scenario


def _check_times(scenario: Scenario) -> None:
    """Read every time once, so that a damaged copy is refused here rather than
    failing mid-exercise (the values are cached for later use)."""
    where = "$.story_start"
    try:
        scenario.story_start_at  # noqa: B018 - read for the check and the cache
        where = "$.duration"
        scenario.planned_duration  # noqa: B018
        for n, phase in enumerate(scenario.phases):
            where = f"$.phases[{n}].duration"
            phase.planned  # noqa: B018
        for n, inject in enumerate(scenario.injects):
            where = f"$.injects[{n}].story_time"
            inject.story_offset  # noqa: B018
    except ValueError as exc:
        raise msgspec.ValidationError(f"{exc} - at `{where}`") from None
