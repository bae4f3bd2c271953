"""Scoring rules, as pure functions of a session state built from hand-written events."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tabletop.core.scenario import ScoringConfig
from tabletop.report.scoring import Tally, hseep_rating, score_session

from .conftest import Script, make_scenario

COORD = ("coord/share-picture", "coord/single-lead", "coord/request-aid")  # weights 3, 2, 1


def checklist(script: Script, team: str, checklist_id: str):  # type: ignore[no-untyped-def]
    scores = score_session(script.state)
    return next(c for c in scores.checklists if c.team == team and c.checklist == checklist_id)


def objective(script: Script, objective_id: str):  # type: ignore[no-untyped-def]
    return next(o for o in score_session(script.state).objectives if o.objective == objective_id)


def test_weighted_score_counts_met_partial_and_not_met(script: Script) -> None:
    script.rate("ops", "coord/share-picture", "met")  # 3 * 1
    script.rate("ops", "coord/single-lead", "not_met")  # 2 * 0
    script.rate("ops", "coord/request-aid", "partial")  # 1 * 0.5
    scored = checklist(script, "ops", "coord")
    assert scored.score == pytest.approx(3.5 / 6)
    assert scored.coverage == 1.0
    assert [i.rating for i in scored.items] == ["met", "not_met", "partial"]


def test_not_applicable_is_left_out_of_score_and_weight(script: Script) -> None:
    script.rate("ops", "coord/share-picture", "not_met")
    script.rate("ops", "coord/single-lead", "na")
    scored = checklist(script, "ops", "coord")
    assert scored.score == 0.0
    assert scored.tally == Tally(total_weight=6, applicable_weight=4, rated_weight=3, earned=0.0)
    assert scored.coverage == pytest.approx(3 / 4)


def test_unrated_items_are_not_rated_rather_than_zero(script: Script) -> None:
    script.rate("ops", "coord/request-aid", "met")
    scored = checklist(script, "ops", "coord")
    assert scored.score == 1.0  # the two unrated items do not drag it down...
    assert scored.coverage == pytest.approx(1 / 6)  # ...they lower coverage instead
    assert [i.rating for i in scored.items] == [None, None, "met"]
    untouched = checklist(script, "gov", "comms")
    assert untouched.score is None
    assert untouched.coverage == 0.0


def test_all_not_applicable_leaves_nothing_to_score(script: Script) -> None:
    for ref in COORD:
        script.rate("gov", ref, "na")
    scored = checklist(script, "gov", "coord")
    assert scored.score is None
    assert scored.tally.applicable_weight == 0


@pytest.mark.parametrize(
    ("earned", "expected"),
    [
        (10.0, "P"),
        (8.5, "P"),
        (8.49, "S"),
        (6.5, "S"),
        (6.4, "M"),
        (4.0, "M"),
        (3.9, "U"),
        (0, "U"),
    ],
)
def test_hseep_thresholds(earned: float, expected: str) -> None:
    config = ScoringConfig(performed=0.85, some_challenges=0.65, major_challenges=0.4)
    assert hseep_rating(Tally(10, 10, 10, earned), config) == expected


def test_below_minimum_coverage_is_not_rated() -> None:
    config = ScoringConfig(min_coverage=0.5)
    assert hseep_rating(Tally(10, 10, 4, 4.0), config) is None
    assert hseep_rating(Tally(10, 10, 5, 5.0), config) == "P"
    assert hseep_rating(Tally(10, 0, 0, 0.0), config) is None


def test_objective_rating_spans_all_teams_and_uses_scenario_thresholds() -> None:
    strict = make_scenario(
        scoring={
            "performed": 0.95,
            "some_challenges": 0.9,
            "major_challenges": 0.1,
            "min_coverage": 0.3,
        }
    )
    script = Script(strict)
    # 'coordinate' is evaluated by share-picture (3) and single-lead (2) for 3 teams: 15 weight
    script.rate("ops", "coord/share-picture", "met")
    script.rate("gov", "coord/single-lead", "partial")
    scored = objective(script, "coordinate")
    assert scored.tally.rated_weight == 5
    assert scored.tally.coverage == pytest.approx(5 / 15)
    assert scored.tally.score == pytest.approx(4 / 5)
    assert scored.computed == "M"  # 0.8 is below the strict 0.9 for S
    assert scored.rating == "M"
    assert scored.override is None


def test_objective_without_enough_ratings_is_not_rated(script: Script) -> None:
    script.rate("ops", "coord/share-picture", "met")  # 3 of 15: below the default 0.5
    assert objective(script, "coordinate").computed is None


def test_facilitator_override_wins_and_keeps_the_computed_rating(script: Script) -> None:
    for team in ("ops", "gov", "comms"):
        script.rate(team, "coord/share-picture", "met")
        script.rate(team, "coord/single-lead", "met")
    script.add("objective_rated", objective="coordinate", rating="S", reason="Luck, not skill")
    scored = objective(script, "coordinate")
    assert scored.computed == "P"
    assert scored.rating == "S"
    assert scored.override is not None and scored.override.reason == "Luck, not skill"


def test_corrected_rating_counts_with_its_corrected_value(script: Script) -> None:
    wrong = script.rate("ops", "coord/share-picture", "met")
    script.add("rating_corrected", event=wrong.seq, rating="not_met", note="", reason="typo")
    item = checklist(script, "ops", "coord").items[0]
    assert item.rating == "not_met"
    assert item.corrected and item.original_rating == "met"
    assert checklist(script, "ops", "coord").score == 0.0


def test_a_later_rating_replaces_an_earlier_one(script: Script) -> None:
    script.rate("ops", "coord/request-aid", "not_met")
    script.rate("ops", "coord/request-aid", "met")
    assert checklist(script, "ops", "coord").score == 1.0


def test_evidence_links_live_decisions_of_the_same_team(script: Script) -> None:
    script.add("inject_delivered", inject="storm-warning")
    kept = script.decide("ops", inject="storm-warning", items=["coord/share-picture"])
    other_team = script.decide("gov", items=["coord/share-picture"])
    gone = script.decide("ops", items=["coord/share-picture"])
    script.add("decision_retracted", event=gone.seq, reason="wrong")
    script.rate("ops", "coord/share-picture", "met")
    scores = score_session(script.state)
    assert scores.by_team_item[("ops", "coord/share-picture")].evidence == (kept.seq,)
    assert scores.by_team_item[("gov", "coord/share-picture")].evidence == (other_team.seq,)


def test_evidence_follows_amended_items_and_moved_decisions(script: Script) -> None:
    first = script.decide("ops", items=["coord/share-picture"])
    script.add(
        "decision_amended",
        event=first.seq,
        text="Changed.",
        option=None,
        items=["coord/single-lead"],
        reason="wrong item",
    )
    moved = script.decide("comms", items=["coord/request-aid"])
    script.add("decision_moved", event=moved.seq, team="ops", reason="wrong table")
    scores = score_session(script.state)
    assert scores.by_team_item[("ops", "coord/share-picture")].evidence == ()
    assert scores.by_team_item[("ops", "coord/single-lead")].evidence == (first.seq,)
    assert scores.by_team_item[("ops", "coord/request-aid")].evidence == (moved.seq,)
    assert scores.by_team_item[("comms", "coord/request-aid")].evidence == ()


def test_timeliness_in_story_and_wall_time(script: Script) -> None:
    script.add("clock_resumed")
    script.add("inject_delivered", inject="storm-warning")
    script.add("story_clock_jumped", after=60, to="2026-03-14T06:45:00Z", reason="skip ahead")
    answer = script.decide("gov", inject="storm-warning", after=240)
    script.decide("gov", inject="storm-warning", after=60)  # a later one is not the first
    scores = score_session(script.state)
    by_team = {t.team: t for t in scores.timeliness if t.inject == "storm-warning"}
    assert set(by_team) == {"ops", "gov", "comms"}  # addressed to all
    gov = by_team["gov"]
    assert gov.decision == answer.seq
    assert gov.story == timedelta(minutes=45)
    assert gov.wall_seconds == 300
    assert gov.play_seconds == 300
    assert by_team["ops"].decision is None and by_team["ops"].story is None


def test_timeliness_skips_retracted_decisions_and_pauses(script: Script) -> None:
    script.add("clock_resumed")
    script.add("inject_delivered", inject="media")  # to comms only
    hasty = script.decide("comms", inject="media", after=30)
    script.add("decision_retracted", event=hasty.seq, reason="not agreed")
    script.add("clock_paused", after=30)
    script.add("clock_resumed", after=600)
    real = script.decide("comms", inject="media", after=60)
    (entry,) = score_session(script.state).timeliness
    assert (entry.team, entry.decision) == ("comms", real.seq)
    assert entry.wall_seconds == 720
    assert entry.play_seconds == 120  # the ten-minute pause is not play


def test_undone_delivery_has_no_timeliness(script: Script) -> None:
    delivered = script.add("inject_delivered", inject="storm-warning")
    script.decide("ops", inject="storm-warning")
    script.add("delivery_undone", event=delivered.seq, reason="too early")
    assert score_session(script.state).timeliness == ()
