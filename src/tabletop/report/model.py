"""The after-action report as data: what every output format is rendered from.

Plain frozen dataclasses of strings, numbers, booleans and lists, so that the
JSON output is simply this model serialised and templates (ours or a user's)
never need to call back into the core. Times appear both as ISO 8601 values
(for machines) and as display text (for people); wall-clock times are UTC so
that the same session gives the same report anywhere.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from tabletop.core.safetext import json_text

NONE_RECORDED = "None recorded"
NOT_RATED = "Not rated"


@dataclass(frozen=True)
class NamedRole:
    id: str
    name: str
    role: str


@dataclass(frozen=True)
class ObjectiveRef:
    id: str
    text: str
    capability: str


@dataclass(frozen=True)
class Contact:
    """A point of contact for the exercise, as the exercise file names them."""

    name: str
    title: str
    organisation: str
    email: str
    phone: str


@dataclass(frozen=True)
class Overview:
    title: str
    exercise_id: str
    summary: str
    scope: str
    sponsor: str
    organisations: list[NamedRole]
    """The organisations of the story (scenario actors), as the exercise lists them."""
    objectives: list[ObjectiveRef]
    teams: list[NamedRole]
    phases: list[NamedRole]
    """id, title as name, planned duration as role."""
    story_start: str
    story_start_text: str
    story_end: str
    story_end_text: str
    real_start: str | None
    real_start_text: str
    real_end: str | None
    real_end_text: str
    planned_play: str
    """Planned play time, H:MM:SS."""
    planned_minutes: float
    actual_play: str
    """Play time actually used (pauses excluded), H:MM:SS."""
    exercise_type: str = "Tabletop exercise"
    mission_areas: list[str] = dataclasses.field(default_factory=list)
    location: str = ""
    threat_or_hazard: str = ""
    capabilities: list[str] = dataclasses.field(default_factory=list)
    """The capabilities the objectives exercise, in objective order, each once."""
    frameworks: list[str] = dataclasses.field(default_factory=list)
    """The capability frameworks they come from, with their sources."""
    participating: list[str] = dataclasses.field(default_factory=list)
    """The organisations of the people who took part (from the roster)."""
    points_of_contact: list[Contact] = dataclasses.field(default_factory=list)


@dataclass(frozen=True)
class Counts:
    injects_planned: int
    injects_delivered: int
    unscripted: int
    skipped: int
    branch_not_taken: int
    """Conditional injects whose branch was not taken."""
    held: int
    """Injects on hold at the end."""
    undone: int
    decisions: int
    """Live decisions."""
    retracted: int
    corrections: int
    ratings: int
    notes: int
    hotwash: int
    actions: int
    not_reached: int = 0
    """Scripted injects still pending at the end (neither delivered, skipped nor off-branch)."""
    ever_held: int = 0
    """Injects put on hold at some point, released since or not."""
    observations: int = 0
    participants: int = 0


@dataclass(frozen=True)
class RatingCount:
    code: str
    """P, S, M, U or 'Not rated'."""
    label: str
    count: int


@dataclass(frozen=True)
class ExecutiveSummary:
    paragraphs: list[str]
    counts: Counts
    ratings: list[RatingCount]
    """Objectives per standing rating: P, S, M, U and 'Not rated', in that order."""
    coverage: float
    """Rated share of the applicable checklist weight, all teams together."""


@dataclass(frozen=True)
class TeamResponse:
    team: str
    team_name: str
    decision: int | None
    """Seq of the team's first live decision on the inject."""
    story_delay: str
    """Story time to that decision, e.g. '+01:30'; '' when none."""
    wall_delay: str
    """Wall-clock time to it, H:MM:SS; '' when none."""
    play_delay: str


@dataclass(frozen=True)
class TimelineRow:
    inject: str
    title: str
    phase: str
    channel: str
    sender: str
    to: list[str]
    """Team names."""
    status: str
    """pending / held / delivered / skipped / skipped-branch / undone."""
    status_text: str
    unscripted: bool
    reason: str
    """Why it was skipped, held, undone or re-timed."""
    planned_story: str
    planned_story_text: str
    actual_story: str | None
    actual_story_text: str
    planned_minute: int | None
    actual_minute: float | None
    """Play minute of delivery, one decimal."""
    decisions: list[int]
    """Seqs of live decisions on this inject."""
    responses: list[TeamResponse]
    """Per addressed team: how long until its first decision (delivered injects only)."""


@dataclass(frozen=True)
class Finding:
    text: str
    source: str
    """'hot wash' or 'rating'."""
    team: str
    """Team name, or '' for the whole exercise."""
    item: str
    """'checklist/item' for findings drawn from ratings."""
    seq: int | None = None
    """The hot wash entry's seq, for findings from the hot wash."""
    corrected: bool = False
    """A hot wash entry corrected since (the Corrections appendix says how)."""
    reference: str = ""
    """The plan, policy or doctrine the finding is measured against."""
    analysis: str = ""
    """Why it happened: the root cause, for an area for improvement."""
    recommendation: str = ""
    actions: list[int] = dataclasses.field(default_factory=list)
    """Numbers of the Improvement Plan's actions that answer it."""
    when: str = ""
    """Story time of an observation, e.g. '21 May 09:00' (story time)."""
    rating: str = ""
    """For a finding drawn from a checklist rating: met, partial or not_met."""


@dataclass(frozen=True)
class TeamCoverage:
    team: str
    """Team name."""
    rated: int
    expected: int


@dataclass(frozen=True)
class ObjectiveSection:
    id: str
    text: str
    capability: str
    rating: str | None
    """The standing rating code (P/S/M/U) or None."""
    rating_text: str
    """Spelled in full, e.g. 'S: Performed with Some Challenges', or 'Not rated'."""
    computed_text: str
    """What the checklist scores give, whatever the override."""
    overridden: bool
    override_reason: str
    score: float | None
    coverage: float
    items: list[str]
    strengths: list[Finding]
    improvements: list[Finding]
    number: int = 0
    teams: list[str] = dataclasses.field(default_factory=list)
    """Names of the teams the objective concerns."""
    provisional: bool = False
    """Rated from checklist ratings alone, before any observation or override."""
    basis: str = ""
    """One sentence: why the rating is what it is."""
    gap_text: str = ""
    """What is missing for a rating, e.g. '3 of 5 items rated for the policy cell'."""
    coverage_by_team: list[TeamCoverage] = dataclasses.field(default_factory=list)
    other: list[Finding] = dataclasses.field(default_factory=list)
    """Neutral observations about the objective."""


@dataclass(frozen=True)
class CapabilityRow:
    """A row of the summary table (the AAR's Table 1)."""

    objective: str
    """The objective's text, numbered: '1. Coordinate …'."""
    objective_id: str
    capability: str
    rating: str | None
    """P, S, M, U, or None: not rated."""
    overridden: bool
    provisional: bool = False


@dataclass(frozen=True)
class RatingDefinition:
    code: str
    label: str
    definition: str


@dataclass(frozen=True)
class Evidence:
    seq: int
    text: str
    inject: str
    """Inject title, or '' for a decision not tied to one."""
    number: int = 0
    """The decision's number (#1, #2 … in the order recorded)."""


@dataclass(frozen=True)
class ItemRow:
    ref: str
    text: str
    weight: int
    capability: str
    rating: str | None
    rating_text: str
    """'Met', 'Partially met', 'Not met', 'Not applicable' or 'Not rated'."""
    note: str
    corrected: bool
    corrected_from: str
    """The rating first recorded ('Met', ...), when corrected; else ''."""
    evidence: list[Evidence]


@dataclass(frozen=True)
class ChecklistRow:
    team: str
    team_name: str
    checklist: str
    title: str
    score: float | None
    score_text: str
    """'72%' or 'Not rated'."""
    coverage: float
    coverage_text: str
    rated_weight: int
    applicable_weight: int
    items: list[ItemRow]
    unrated_items: int = 0
    """Items of the checklist nobody rated for the team (left out of ``items``)."""


@dataclass(frozen=True)
class TeamScores:
    team: str
    name: str
    checklists: list[ChecklistRow]
    """The checklists with at least one rating for the team (rated items only)."""
    unrated: list[str] = dataclasses.field(default_factory=list)
    """Titles of the checklists nobody rated for the team: one line, not a table."""


@dataclass(frozen=True)
class ParticipantRow:
    name: str
    organisation: str
    nation: str
    role: str
    team: str


@dataclass(frozen=True)
class CountRow:
    label: str
    count: int


@dataclass(frozen=True)
class Participants:
    """Who took part (the roster), as the AAR's Appendix B shows it. Names appear
    only for people marked 'name in report'."""

    total: int
    organisations: list[CountRow]
    """Organisation (and nation) -> people, in the order first signed in."""
    roles: list[CountRow]
    named: list[ParticipantRow]
    unnamed: int
    """People who took part but are not named in the report."""


@dataclass(frozen=True)
class ActionRow:
    seq: int
    action: str
    capability: str
    item: str
    item_text: str
    owner: str
    """The organisation POC (the one 'owner' of older sessions)."""
    due: str
    """The completion date (the one 'due' of older sessions)."""
    corrected: bool = False
    """Corrected since it was recorded (the Corrections appendix says how)."""
    number: int = 0
    issue: str = ""
    """The area for improvement it answers."""
    element: str = ""
    """Planning, Organization, Equipment, Training or Exercise."""
    organisation: str = ""
    """The primary responsible organisation."""
    poc: str = ""
    start: str = ""
    completion: str = ""


@dataclass(frozen=True)
class Revision:
    seq: int
    kind: str
    when: str
    reason: str


@dataclass(frozen=True)
class DecisionRow:
    seq: int
    team: str
    team_name: str
    inject: str
    inject_title: str
    text: str
    option: str
    """Option label, or ''."""
    items: list[str]
    when: str
    play: str
    story: str
    retracted: bool
    corrected: bool
    revisions: list[Revision]
    number: int = 0
    """#1, #2 … in the order recorded; a retracted decision keeps its number."""


@dataclass(frozen=True)
class NoteRow:
    seq: int
    text: str
    team: str
    inject: str
    when: str
    story: str
    corrected: bool = False
    """Corrected since it was recorded (the Corrections appendix says how)."""


@dataclass(frozen=True)
class ChecklistItemDef:
    id: str
    text: str
    weight: int
    capability: str


@dataclass(frozen=True)
class ChecklistDef:
    id: str
    title: str
    source: str
    description: str
    items: list[ChecklistItemDef]


@dataclass(frozen=True)
class HistoryRow:
    seq: int
    kind: str
    when: str
    summary: str
    """One line: what the event says, with its reason where it has one."""
    target: int | None
    """For a correction: the seq of the event it corrects."""
    by: str = ""
    """Who recorded it: name and role, or only the role for a rating (candid
    evaluation means no evaluator's name beside a score)."""


@dataclass(frozen=True)
class Appendices:
    decisions: list[DecisionRow]
    notes: list[NoteRow]
    checklists: list[ChecklistDef]
    corrections: list[HistoryRow]
    history: list[HistoryRow]
    unreadable: list[HistoryRow]
    """Events of kinds this version cannot read (a newer one wrote them): kept in
    the history, left out of every figure; the report says so at the top."""


@dataclass(frozen=True)
class BranchConflict:
    """A decision point whose branches both played: possible only in a record made
    before tabletop refused it; the report says so rather than refuse the file."""

    decision: str
    """The decision inject's title."""
    played: list[str]
    """The titles of its delivered branch injects, in timeline order."""


@dataclass(frozen=True)
class Handout:
    """A file the delivered injects handed out (facilitator-only files never are)."""

    name: str
    """Its file name in the ``handouts/`` folder beside the report."""
    path: str
    """Where the exercise keeps it, relative to its workspace."""
    kind: str
    """'image', 'PDF', 'text' or 'file'."""
    injects: list[str]
    """Titles of the delivered injects that handed it out, in the order delivered."""
    note: str = ""
    """Why it is not in the handouts folder, when the report's writer could not
    copy it; '' otherwise."""


@dataclass(frozen=True)
class ReportMeta:
    title: str
    marking: str
    draft: bool
    generated: str
    """When the report was made (SOURCE_DATE_EPOCH when set)."""
    tabletop_version: str
    session_file: str
    """The session file's name (not its full path, which says nothing to readers)."""
    exercise_id: str
    scenario_sha256: str
    format_version: int


@dataclass(frozen=True)
class Report:
    meta: ReportMeta
    overview: Overview
    summary: ExecutiveSummary
    timeline: list[TimelineRow]
    objectives: list[ObjectiveSection]
    general_strengths: list[Finding]
    """Hot wash strengths not tied to an objective."""
    general_improvements: list[Finding]
    scores: list[TeamScores]
    improvement_plan: list[ActionRow]
    appendices: Appendices
    branch_conflicts: list[BranchConflict] = dataclasses.field(default_factory=list)
    handouts: list[Handout] = dataclasses.field(default_factory=list)
    """The attachments of delivered injects, in the order first delivered."""
    handling_instructions: str = ""
    point_of_contact: list[Contact] = dataclasses.field(default_factory=list)
    participants: Participants = dataclasses.field(
        default_factory=lambda: Participants(0, [], [], [], 0)
    )
    rating_definitions: list[RatingDefinition] = dataclasses.field(default_factory=list)
    capability_summary: list[CapabilityRow] = dataclasses.field(default_factory=list)
    """The AAR's Table 1: objective | core capability | P | S | M | U."""
    observations: list[Finding] = dataclasses.field(default_factory=list)
    """Every live observation, in the order recorded (the evaluation's raw material)."""


def to_dict(report: Report) -> dict[str, Any]:
    return dataclasses.asdict(report)


def to_json(report: Report) -> str:
    """Readable JSON whose control and invisible characters are ``\\uXXXX`` escapes:
    the same strings for a JSON reader, nothing raw for a terminal."""
    return json_text(to_dict(report)) + "\n"
