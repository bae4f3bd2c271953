"""The report names who recorded each event, but never an evaluator."""

from __future__ import annotations

import pytest

from tabletop.core.roles import Role
from tabletop.report.history import recorded_by
from tabletop.session.authors import Author
from tabletop.session.events import Event, payload_of


@pytest.mark.parametrize(
    ("role", "kind", "data", "shown"),
    [
        ("scribe", "decision_recorded", {"team": "ops", "text": "Go"}, "P. Ndiaye (scribe)"),
        ("facilitator", "note_added", {"text": "hm"}, "P. Ndiaye (facilitator)"),
        ("evaluator", "item_rated", {"team": "ops", "item": "c/i", "rating": "met"},
         "evaluator"),
        ("evaluator", "hotwash_entry", {"kind": "strength", "text": "Fast"}, "evaluator"),
        ("facilitator", "objective_rated", {"objective": "o", "rating": "P", "reason": "r"},
         "facilitator"),
    ],
)
def test_the_report_names_recorders_but_never_beside_a_score(
    role: Role, kind: str, data: dict[str, object], shown: str
) -> None:
    event = Event(1, kind, 0.0, payload_of(kind, data), Author("P. Ndiaye", role, "c0"))
    assert recorded_by(event) == shown


def test_an_unnamed_recorder_is_shown_by_role() -> None:
    event = Event(1, "note_added", 0.0, payload_of("note_added", {"text": "x"}))
    assert recorded_by(event) == "facilitator"
