"""The words every layer shares: ids, item references, channels and ratings.

The format models (authoring), the resolved structs, the session's checks, the
console and the report all read these, so they live once, in the core.
"""

from __future__ import annotations

from typing import Literal, get_args

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
