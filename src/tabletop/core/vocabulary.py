"""The words every layer shares: ids, item references, channels, ratings, bounds.

The format models (authoring), the resolved structs, the session's checks, the
console and the report all read these, so they live once, in the core. The
constrained types at the end carry them for msgspec (the resolved scenario and
the event payloads); the pydantic format models build theirs from the same
constants, and a test compares the JSON Schemas of the two.
"""

from __future__ import annotations

from typing import Annotated, Literal, get_args

import msgspec

from tabletop.core.timefmt import DATETIME_PATTERN, DURATION_PATTERN, OFFSET_PATTERN

# Each pattern ends "(?!\n)$": in Python "$" also matches before a final newline,
# so "intro\n" would pass as an id; the look-ahead refuses it, and in the JSON
# Schema (ECMA-262), where "$" is the very end, it changes nothing.
ID_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,63}(?!\n)$"
"""An id: lowercase letters, digits, '-' and '_', starting with a letter or digit."""
ITEM_REF_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,63}/[a-z0-9][a-z0-9_-]{0,63}(?!\n)$"
"""A checklist item, addressed as ``checklist-id/item-id``."""

Channel = Literal[
    "email",
    "phone",
    "hotline",
    "radio",
    "news",
    "social-media",
    "intel",
    "sitrep",
    "cable",
    "meeting",
    "video",
    "letter",
    "other",
]
CHANNELS: tuple[str, ...] = get_args(Channel)

Rating = Literal["met", "partial", "not_met", "na"]
RATINGS: tuple[Rating, ...] = ("met", "partial", "not_met", "na")
RATING_LABELS: dict[str, str] = {
    "met": "Met",
    "partial": "Partially met",
    "not_met": "Not met",
    "na": "Not applicable",
}
RATING_SCORES: dict[str, float | None] = {"met": 1.0, "partial": 0.5, "not_met": 0.0, "na": None}

ObjectiveRating = Literal["P", "S", "M", "U"]
OBJECTIVE_RATING_LABELS: dict[str, str] = {
    "P": "P: Performed without Challenges",
    "S": "S: Performed with Some Challenges",
    "M": "M: Performed with Major Challenges",
    "U": "U: Unable to be Performed",
}

RATING_DEFINITIONS: dict[str, str] = {
    "P": "The targets and critical tasks of the capability were achieved in a way that "
    "did not hurt other activities, did not create additional health or safety risks "
    "for the public or for responders, and followed the applicable plans, policies, "
    "procedures, regulations and laws.",
    "S": "The targets and critical tasks were achieved without hurting other activities "
    "or adding health or safety risks, and in line with the applicable plans, policies, "
    "procedures, regulations and laws; but some opportunities to perform more effectively "
    "or efficiently were seen.",
    "M": "The targets and critical tasks were achieved, but with one or more of these: "
    "other activities were hurt, additional health or safety risks arose for the public "
    "or for responders, or the applicable plans, policies, procedures, regulations and "
    "laws were not followed.",
    "U": "The targets and critical tasks were not performed as expected.",
}
"""What each objective rating means, in the sense of the HSEEP (2020) rating scale:
the report prints these beside its ratings."""

ExerciseType = Literal[
    "tabletop", "workshop", "seminar", "game", "drill", "functional", "full-scale"
]
EXERCISE_TYPES: tuple[str, ...] = get_args(ExerciseType)
MissionArea = Literal["Prevention", "Protection", "Mitigation", "Response", "Recovery"]
"""The five mission areas of the National Preparedness Goal."""
MISSION_AREAS: tuple[str, ...] = get_args(MissionArea)
DEFAULT_FRAMEWORK = "fema-core-capabilities"
"""The capability framework an exercise declares when it names none."""
CLAIM_MIN_RATINGS = 3
"""The fewest ratings a 'strongest' or 'weakest' claim may rest on, by default."""

WEIGHT_MIN, WEIGHT_MAX = 1, 3
"""A checklist item's weight: 1 good practice, 2 important, 3 critical."""
PLAY_MINUTE_MAX = 24 * 60
"""A planned play minute lies within the first day of play."""
FILLED_PATTERN = r"\S"
"""Text with something in it besides spaces (a reason, a decision, a note)."""


# ---------------------------------------------------------------- for msgspec

Id = Annotated[str, msgspec.Meta(pattern=ID_PATTERN)]
ItemRef = Annotated[str, msgspec.Meta(pattern=ITEM_REF_PATTERN)]
Text = Annotated[str, msgspec.Meta(min_length=1)]
"""Text of at least one character, as the format asks of titles and names."""
Filled = Annotated[str, msgspec.Meta(pattern=FILLED_PATTERN)]
"""Text that must say something: not empty and not only spaces."""
Offset = Annotated[str, msgspec.Meta(pattern=OFFSET_PATTERN)]
Duration = Annotated[str, msgspec.Meta(pattern=DURATION_PATTERN)]
DateTimeText = Annotated[str, msgspec.Meta(pattern=DATETIME_PATTERN)]
Weight = Annotated[int, msgspec.Meta(ge=WEIGHT_MIN, le=WEIGHT_MAX)]
PlayMinute = Annotated[int, msgspec.Meta(ge=0, le=PLAY_MINUTE_MAX)]
Share = Annotated[float, msgspec.Meta(ge=0, le=1)]
AtLeastOneCount = Annotated[int, msgspec.Meta(ge=1)]
Audience = Literal["all"] | list[Id]
"""Who receives an inject: every team, or the teams listed."""
