"""The scenario format, version 1: what authors write, validated by pydantic.

Three kinds of file share one format version:

* an **exercise** (``exercises/*.yaml``): header, objectives, teams, phases and
  the timeline of injects;
* an **inject library** (``injects/*.yaml``): reusable injects that exercises
  pull in by id with ``use:``;
* a **checklist** (``checklists/*.yaml``): best-practice items that objectives
  and expected actions point at as ``checklist-id/item-id``;
* a **capability framework** (``frameworks/*.yaml``): the capabilities, with
  their source, that objectives and checklist items may name.

Every field carries a docstring; pydantic turns them into the descriptions of
the JSON Schema that authors' editors show. What participants may see and what
only the facilitator may see is split by field: ``facilitator_notes``,
``expected_actions`` and ``decision`` never leave the facilitator's console, nor
do attachments marked ``facilitator_only``.

:mod:`tabletop.core.scenario` holds the resolved form (library injects merged in,
checklists attached) that a session stores and plays.
"""

from __future__ import annotations

import ast
from datetime import datetime, timedelta
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag

from tabletop.core.timefmt import (
    DATETIME_PATTERN,
    DURATION_PATTERN,
    OFFSET_PATTERN,
    parse_datetime,
    parse_duration,
)
from tabletop.core.vocabulary import (
    CLAIM_MIN_RATINGS,
    DEFAULT_FRAMEWORK,
    ID_PATTERN,
    ITEM_REF_PATTERN,
    PLAY_MINUTE_MAX,
    WEIGHT_MAX,
    WEIGHT_MIN,
    Channel,
    ExerciseType,
    MissionArea,
)

FORMAT = "tabletop/1"

Id = Annotated[
    str, Field(pattern=ID_PATTERN, description="Lowercase letters, digits, '-' and '_'.")
]
ItemRef = Annotated[
    str,
    Field(
        pattern=ITEM_REF_PATTERN,
        description="A checklist item, addressed as 'checklist-id/item-id'.",
    ),
]
Offset = Annotated[
    str,
    Field(
        pattern=OFFSET_PATTERN,
        description="Story time after the story start: '+30m', '+2h15m', '+1d 04:30' or '+04:30'.",
    ),
]
Duration = Annotated[
    str, Field(pattern=DURATION_PATTERN, description="A play duration: '3h', '2h30m' or '45m'.")
]
DateTimeText = Annotated[
    str,
    Field(
        pattern=DATETIME_PATTERN,
        description="ISO 8601 date and time with a zone, e.g. '2026-03-14T06:00:00Z'.",
    ),
]
Text = Annotated[str, Field(min_length=1)]

class Strict(BaseModel):
    # Field docstrings become descriptions only for the JSON Schema, through
    # ``document_fields()``: pydantic's ``use_attribute_docstrings`` would read
    # the source of every model at import, a cost every command would pay.
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        populate_by_name=True,
        regex_engine="python-re",  # the time patterns use look-ahead
        # Validators are built at first use: a command pays only for the kinds
        # of file it reads (resuming a session reads none).
        defer_build=True,
    )


# ---------------------------------------------------------------- checklists


class ChecklistItem(Strict):
    id: Id
    """Stable id, unique within the checklist."""
    text: Text
    """An observable behaviour an evaluator can rate during play."""
    weight: int = Field(default=1, ge=WEIGHT_MIN, le=WEIGHT_MAX)
    """3 = critical, 2 = important, 1 = good practice."""
    capability: Text
    """The capability the item evidences, by its name in one of the exercise's
    frameworks (e.g. 'Operational Coordination')."""


class Checklist(Strict):
    format: Literal["tabletop/1"]
    """Format version of this file."""
    kind: Literal["checklist"]
    """This file is a checklist."""
    id: Id
    """Checklist id; items are addressed as '<id>/<item-id>'."""
    title: Text
    """Title shown in the console and the report."""
    source: Text
    """The doctrine or documents the checklist draws on."""
    description: str = ""
    """What the checklist evaluates and when to use it."""
    items: list[ChecklistItem] = Field(min_length=1)
    """The best-practice items."""


# ---------------------------------------------------------------- frameworks


class Capability(Strict):
    name: Text
    """The capability's name as its source spells it, e.g. 'Operational Coordination'."""
    mission_areas: list[MissionArea] = Field(default_factory=list)
    """The mission areas it belongs to (Prevention, Protection, Mitigation, Response, Recovery)."""


class Framework(Strict):
    format: Literal["tabletop/1"]
    """Format version of this file."""
    kind: Literal["framework"]
    """This file is a capability framework."""
    id: Id
    """Framework id, named by an exercise's 'frameworks'."""
    title: Text
    """Title shown in the report."""
    source: Text
    """The document that defines the capabilities (title, edition, date, publisher)."""
    description: str = ""
    """What the framework covers and when to use it."""
    capabilities: list[Capability] = Field(min_length=1)
    """The capabilities objectives and checklist items may name."""


# ------------------------------------------------------------------- injects


class ExpectedAction(Strict):
    text: Text
    """What a well-prepared team would do on receiving the inject."""
    item: ItemRef
    """The checklist item this action evidences."""
    team: Id | None = None
    """The team that owns the action; by default every team the inject is addressed to."""


class DecisionOption(Strict):
    id: Id
    """Option id, referenced by branch conditions."""
    label: Text
    """Short label shown to the facilitator, e.g. 'Escalate'."""
    description: str = ""
    """What choosing this option means in the story."""


class Decision(Strict):
    team: Id | None = None
    """The team whose choice decides the branch (an inject library may leave it to the exercise)."""
    prompt: Text
    """The question put to the deciding team."""
    options: list[DecisionOption] = Field(min_length=2)
    """The choices open to the team."""
    default: Id
    """The option that applies when no choice is recorded."""


class Condition(Strict):
    inject: Id
    """An earlier inject that carries a decision."""
    option: Id | list[Id]
    """The option (or any of the options) that must have been chosen there."""

    @property
    def options(self) -> tuple[str, ...]:
        return (self.option,) if isinstance(self.option, str) else tuple(self.option)


Audience = Literal["all"] | list[Id]


class Attachment(Strict):
    """An attachment written as a mapping, to mark it for the facilitator only."""

    path: Text
    """The file, relative to the workspace."""
    facilitator_only: bool = False
    """True: listed on the facilitator's console only; never shown to participants
    and never copied into the report's handouts."""


def _attachment_kind(value: Any) -> str:
    return "entry[mapping]" if isinstance(value, dict | Attachment) else "entry[path]"


AttachmentEntry = Annotated[
    Annotated[Text, Tag("entry[path]")] | Annotated[Attachment, Tag("entry[mapping]")],
    Discriminator(_attachment_kind),
]
"""A path, or a mapping that says more about the file (a tagged union: an error
names the form the entry took, not both)."""


class InjectContent(Strict):
    """Fields that an inline inject and a library inject share."""

    id: Id
    """Inject id, unique within the exercise (or the library)."""
    title: Text
    """Headline shown on the timeline."""
    channel: Channel
    """How the inject reaches the players."""
    sender: Text = Field(alias="from")
    """Who it is from, in the story."""
    to: Audience = "all"
    """Team ids that receive it, or 'all'."""
    body: str = ""
    """The message itself, in Markdown. Participants see this."""
    expected_actions: list[ExpectedAction] = Field(default_factory=list)
    """Facilitator only: what good looks like, mapped to checklist items."""
    questions: list[Text] = Field(default_factory=list)
    """Discussion questions to put to the room."""
    facilitator_notes: str = ""
    """Facilitator only: prompts, pitfalls and what to watch for."""
    decision: Decision | None = None
    """A decision point: the options a team chooses between."""
    attachments: list[AttachmentEntry] = Field(default_factory=list)
    """Files handed out with the inject, relative to the workspace; an entry
    '{path: ..., facilitator_only: true}' is for the facilitator only."""


class Inject(InjectContent):
    """An inject written inline in an exercise."""

    story_time: Offset
    """When it happens in the story, as an offset from the story start."""
    play_minute: int | None = Field(default=None, ge=0, le=PLAY_MINUTE_MAX)
    """Optional: minutes into the session at which the facilitator plans to deliver it."""
    when: Condition | None = None
    """Deliver only if an earlier decision went this way (a branch)."""


class InjectRef(Strict):
    """Pulls an inject from the library in ``injects/`` and places it on the timeline."""

    use: Id
    """The library inject's id."""
    id: Id | None = None
    """Id within this exercise; defaults to the library id."""
    to: Audience | None = None
    """Override the audience: team ids or 'all'."""
    sender: Text | None = Field(default=None, alias="from")
    """Override the sender."""
    story_time: Offset
    """When it happens in the story, as an offset from the story start."""
    play_minute: int | None = Field(default=None, ge=0, le=PLAY_MINUTE_MAX)
    """Optional: minutes into the session at which the facilitator plans to deliver it."""
    when: Condition | None = None
    """Deliver only if an earlier decision went this way (a branch)."""
    decision_team: Id | None = None
    """The team that decides, when the library inject carries a decision."""
    facilitator_notes: str | None = None
    """Replace the library's facilitator notes for this exercise."""


def _entry_kind(value: Any) -> str:
    if isinstance(value, dict):
        return "use" if "use" in value else "inject"
    return "use" if isinstance(value, InjectRef) else "inject"


InjectEntry = Annotated[
    Annotated[Inject, Tag("inject")] | Annotated[InjectRef, Tag("use")],
    Discriminator(_entry_kind),
]


class LibraryInject(InjectContent):
    """A reusable inject; the exercise that uses it sets its timing."""


class InjectLibrary(Strict):
    format: Literal["tabletop/1"]
    """Format version of this file."""
    kind: Literal["injects"]
    """This file is an inject library."""
    title: str = ""
    """What the injects in this file have in common."""
    injects: list[LibraryInject] = Field(min_length=1)
    """The reusable injects."""


# ----------------------------------------------------------------- exercises


class Organisation(Strict):
    name: Text
    """Full name, e.g. 'Ministry of Defence, Republic of Aldoria'."""
    role: str = ""
    """Its part in the exercise."""


class Objective(Strict):
    id: Id
    """Objective id."""
    text: Text
    """A specific, measurable statement of what the exercise tests."""
    capability: str = ""
    """The core capability it exercises, by its name in one of the exercise's frameworks."""
    evaluated_by: list[ItemRef] = Field(min_length=1)
    """Checklist items whose ratings evaluate this objective."""
    teams: list[Id] = Field(default_factory=list)
    """The teams the objective concerns; by default every team that receives an
    inject expecting one of its items."""


class Contact(Strict):
    name: Text
    """Who to contact about the exercise and its report."""
    title: str = ""
    """Their position."""
    organisation: str = ""
    """Their organisation."""
    email: str = ""
    """Their e-mail address."""
    phone: str = ""
    """Their phone number."""


class Team(Strict):
    id: Id
    """Team id, used by injects' 'to' and by decisions."""
    name: Text
    """Name shown in the console and the report."""
    role: Text
    """Who sits at this table and what they are responsible for."""
    briefing: str = ""
    """What the team knows at the start (participants see this)."""


class Phase(Strict):
    id: Id
    """Phase (module) id."""
    title: Text
    """Phase title."""
    duration: Duration
    """Planned play time for the phase."""
    narrative: str = ""
    """The situation as the phase opens (participants see this)."""
    questions: list[Text] = Field(min_length=1)
    """Discussion questions for the phase."""
    injects: list[InjectEntry] = Field(min_length=1)
    """The phase's injects, in timeline order."""


class ScoringConfig(Strict):
    """Thresholds that turn a weighted checklist score into an HSEEP rating."""

    performed: float = Field(default=0.85, ge=0, le=1)
    """At or above this score: P, performed without challenges."""
    some_challenges: float = Field(default=0.65, ge=0, le=1)
    """At or above this: S, performed with some challenges."""
    major_challenges: float = Field(default=0.4, ge=0, le=1)
    """From this score up to 'some_challenges': M, performed with major challenges.
    A lower score is M as well, its basis saying it fell below this: U needs
    evidence that a critical task was not performed, never a low score alone."""
    min_coverage: float = Field(default=0.5, ge=0, le=1)
    """Below this share of the expected weight rated, the objective stays 'Not rated'
    and says which items are missing. Only the (team, item) pairs of delivered
    injects' expected actions for the objective's teams count."""
    critical_weight: int = Field(default=WEIGHT_MAX, ge=WEIGHT_MIN, le=WEIGHT_MAX)
    """Items of at least this weight are critical tasks: one rated not met for an
    owning team rates the objective U, unable to be performed."""
    claim_min_ratings: int = Field(default=CLAIM_MIN_RATINGS, ge=1)
    """The report calls a team or capability strongest or weakest only on at least
    this many ratings."""


class ExerciseHeader(Strict):
    format: Literal["tabletop/1"]
    """Format version of this file."""
    kind: Literal["exercise"]
    """This file is an exercise."""
    id: Id
    """Exercise id, unique in the workspace."""
    title: Text
    """Exercise title."""
    summary: Text
    """The scenario in a paragraph."""
    scope: str = ""
    """What is in and out of play."""
    sponsor: str = ""
    """Who sponsors the exercise."""
    exercise_type: ExerciseType = "tabletop"
    """The kind of exercise, in HSEEP's terms (tabletop, workshop, seminar, game,
    drill, functional, full-scale)."""
    mission_areas: list[MissionArea] = Field(default_factory=list)
    """The mission areas the exercise covers."""
    location: str = ""
    """Where the exercise takes place."""
    threat_or_hazard: str = ""
    """The threat or hazard the scenario plays out (e.g. 'Cyber attack on the port')."""
    handling_instructions: str = ""
    """How the report and materials are to be handled, for the report's cover."""
    points_of_contact: list[Contact] = Field(default_factory=list)
    """Who to contact about the exercise."""
    frameworks: list[Id] = Field(default_factory=lambda: [DEFAULT_FRAMEWORK])
    """The capability frameworks (ids of files in frameworks/) whose capabilities
    objectives and checklist items may name."""
    marking: Text = "EXERCISE EXERCISE EXERCISE"
    """Handling marking shown wherever the content appears (e.g. 'TLP:AMBER')."""
    duration: Duration
    """Planned play time in the room."""
    story_start: DateTimeText
    """In-story date and time at which the scenario opens."""
    organisations: list[Organisation] = Field(default_factory=list)
    """Participating organisations."""
    objectives: list[Objective] = Field(min_length=1)
    """What the exercise sets out to test."""
    teams: list[Team] = Field(min_length=1)
    """The player teams."""
    scoring: ScoringConfig = Field(default_factory=ScoringConfig)
    """How checklist scores become objective ratings."""

    @cached_property
    def story_start_at(self) -> datetime:
        return parse_datetime(self.story_start)

    @cached_property
    def planned_duration(self) -> timedelta:
        return parse_duration(self.duration)


class Exercise(ExerciseHeader):
    """An exercise file as authored."""

    phases: list[Phase] = Field(min_length=1)
    """Phases (modules) in order."""


FILE_MODELS: dict[str, type[Strict]] = {
    "exercise": Exercise,
    "injects": InjectLibrary,
    "checklist": Checklist,
    "framework": Framework,
}


_documented = False


def document_fields() -> None:
    """Give every field without a description its docstring, as pydantic's
    ``use_attribute_docstrings`` would, and rebuild the models to carry them.

    Only the JSON Schema shows descriptions, so only its generation calls this;
    the models validate the same before and after.
    """
    global _documented
    if _documented:
        return
    import inspect
    import sys

    module = sys.modules[__name__]
    docs: dict[str, dict[str, str]] = {}
    for node in ast.parse(inspect.getsource(module)).body:
        if isinstance(node, ast.ClassDef):
            docs[node.name] = _attribute_docstrings(node)
    models = [
        obj for obj in vars(module).values()
        if isinstance(obj, type) and issubclass(obj, Strict) and obj.__module__ == __name__
    ]
    for model in models:  # definition order: a model's parts are rebuilt before it
        for name, info in model.model_fields.items():
            if info.description is not None:
                continue
            owner = next(c for c in model.__mro__ if name in inspect.get_annotations(c))
            doc = docs.get(owner.__name__, {}).get(name)
            if doc is not None:
                info.description = doc
        model.model_rebuild(force=True)
    _documented = True


def _attribute_docstrings(cls: ast.ClassDef) -> dict[str, str]:
    """``name: type`` followed by a string: the string documents the name."""
    import inspect

    found: dict[str, str] = {}
    previous: ast.stmt | None = None
    for stmt in cls.body:
        if (
            isinstance(previous, ast.AnnAssign)
            and isinstance(previous.target, ast.Name)
            and isinstance(stmt, ast.Expr)
            and isinstance(stmt.value, ast.Constant)
            and isinstance(stmt.value.value, str)
        ):
            found[previous.target.id] = inspect.cleandoc(stmt.value.value)
        previous = stmt
    return found
