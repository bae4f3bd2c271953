"""Scoring rules, as pure functions of a session state built from hand-written events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from scenarios import scenario as scenario_from

from tabletop.core.scenario import Scenario, ScoringConfig
from tabletop.report.scoring import (
    Tally,
    TeamCoverage,
    expected_refs,
    hseep_rating,
    score_session,
)

from .conftest import Script, make_scenario, scenario_data

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
        (3.9, "M"),
        (0, "M"),
    ],
)
def test_hseep_thresholds(earned: float, expected: str) -> None:
    """A score gives P, S or M: a low one is M at worst, never U."""
    config = ScoringConfig(performed=0.85, some_challenges=0.65, major_challenges=0.4)
    assert hseep_rating(Tally(10, 10, 10, earned), config) == expected


def test_below_minimum_coverage_is_not_rated() -> None:
    config = ScoringConfig(min_coverage=0.5)
    assert hseep_rating(Tally(10, 10, 4, 4.0), config) is None
    assert hseep_rating(Tally(10, 10, 5, 5.0), config) == "P"
    assert hseep_rating(Tally(10, 0, 0, 0.0), config) is None


def test_objective_counts_only_owning_pairs_of_delivered_injects() -> None:
    strict = make_scenario(
        scoring={
            "performed": 0.95,
            "some_challenges": 0.9,
            "major_challenges": 0.1,
            "min_coverage": 0.3,
        }
    )
    script = Script(strict)
    # 'coordinate' is evaluated by share-picture (3) and single-lead (2). Delivered:
    # storm-warning expects share-picture of ops; pressure single-lead of gov.
    script.add("inject_delivered", inject="storm-warning")
    script.add("inject_delivered", inject="pressure")
    script.rate("ops", "coord/share-picture", "met")
    script.rate("gov", "coord/single-lead", "partial")
    script.rate("comms", "coord/single-lead", "not_met")  # no inject expects it of comms
    script.rate("ops", "coord/single-lead", "not_met")  # nor of ops, until evacuation
    scored = objective(script, "coordinate")
    assert [(i.team, i.ref) for i in scored.items] == [
        ("ops", "coord/share-picture"),
        ("gov", "coord/single-lead"),
    ]
    assert scored.tally.rated_weight == 5 and scored.tally.coverage == 1.0
    assert scored.tally.score == pytest.approx(4 / 5)
    assert scored.computed == "M"  # 0.8 is below the strict 0.9 for S
    assert scored.rating == "M"
    assert scored.override is None
    assert scored.gap_text == ""
    assert scored.basis == "80% of the rated weight met, below 90% for S."


def test_a_team_met_on_all_its_items_is_rated_p_whatever_other_teams_got(
    script: Script,
) -> None:
    """The issue's policy cell: Met on every item its injects expect gives P, not a
    coverage of 26% over every team and every item."""
    script.add("inject_delivered", inject="media")  # to comms: holding-line, one-voice
    script.rate("comms", "comms/holding-line", "met")
    script.rate("comms", "comms/one-voice", "met")
    script.rate("ops", "comms/one-voice", "not_met")  # ops is not expected to speak
    scored = objective(script, "inform")
    assert scored.computed == "P"
    assert scored.tally.coverage == 1.0
    assert scored.coverage_by_team == (TeamCoverage("comms", 2, 2),)
    assert scored.basis == "100% of the rated weight met, at or above 85% for P."
    assert scored.provisional  # checklist ratings alone


def test_a_low_partial_score_is_m_not_u(script: Script) -> None:
    script.add("inject_delivered", inject="storm-warning")
    script.add("inject_delivered", inject="pressure")
    script.rate("ops", "coord/share-picture", "partial")  # 3 * 0.5
    script.rate("gov", "coord/single-lead", "not_met")  # 2 * 0: important, not critical
    scored = objective(script, "coordinate")
    assert scored.tally.score == pytest.approx(0.3)
    assert scored.computed == "M"
    assert "below 40%" in scored.basis and "not U" in scored.basis


def test_a_critical_item_not_met_for_an_owning_team_gives_u(script: Script) -> None:
    script.add("inject_delivered", inject="storm-warning")
    script.add("inject_delivered", inject="pressure")
    script.rate("gov", "coord/single-lead", "met")
    script.rate("ops", "coord/share-picture", "not_met")  # weight 3: critical
    scored = objective(script, "coordinate")
    assert scored.computed == "U"
    assert scored.basis == (
        "A critical task was not performed: “The team share picture” "
        "(coord/share-picture) was rated not met for the Operations Cell."
    )
    assert scored.gap_text == ""


def test_a_critical_item_not_met_for_another_team_is_no_evidence(script: Script) -> None:
    script.add("inject_delivered", inject="storm-warning")
    script.add("inject_delivered", inject="pressure")
    script.rate("ops", "coord/share-picture", "met")
    script.rate("gov", "coord/single-lead", "met")
    script.rate("gov", "coord/share-picture", "not_met")  # not expected of gov yet
    assert objective(script, "coordinate").computed == "P"


def test_the_critical_weight_is_configurable() -> None:
    script = Script(make_scenario(scoring={"critical_weight": 2}))
    script.add("inject_delivered", inject="storm-warning")
    script.add("inject_delivered", inject="pressure")
    script.rate("ops", "coord/share-picture", "met")
    script.rate("gov", "coord/single-lead", "not_met")
    assert objective(script, "coordinate").computed == "U"


@dataclass(frozen=True)
class Seen:
    """Stands in for an observation of the session state."""

    objective: str | None = None
    item: str | None = None
    team: str | None = None
    not_performed: bool = False
    retracted: bool = False


def _all_met_coordinate(script: Script) -> None:
    script.add("inject_delivered", inject="storm-warning")
    script.add("inject_delivered", inject="pressure")
    script.rate("ops", "coord/share-picture", "met")
    script.rate("gov", "coord/single-lead", "met")


@pytest.mark.parametrize(
    ("seen", "computed"),
    [
        (Seen(objective="coordinate", team="gov", not_performed=True), "U"),
        (Seen(item="coord/single-lead", not_performed=True), "U"),
        (Seen(objective="coordinate", not_performed=True, retracted=True), "P"),
        (Seen(objective="inform", not_performed=True), "P"),
        (Seen(objective="coordinate", team="comms", not_performed=True), "P"),
        (Seen(objective="coordinate", team="gov"), "P"),
    ],
)
def test_an_observation_of_a_critical_task_not_performed_gives_u(
    script: Script, seen: Seen, computed: str
) -> None:
    _all_met_coordinate(script)
    scores = score_session(script.state, [seen])
    scored = next(o for o in scores.objectives if o.objective == "coordinate")
    assert scored.computed == computed
    if computed == "U":
        assert scored.basis.startswith("An observation records a critical task")


def test_an_observation_makes_a_fully_rated_objective_final(script: Script) -> None:
    _all_met_coordinate(script)
    assert objective(script, "coordinate").provisional
    scores = score_session(script.state, [Seen(objective="coordinate", team="ops")])
    assert not next(o for o in scores.objectives if o.objective == "coordinate").provisional


def test_too_little_rated_says_what_is_missing(script: Script) -> None:
    for inject in ("storm-warning", "pressure", "evacuation", "media"):
        script.add("inject_delivered", inject=inject)
    # coordinate counts ops share-picture (3) and single-lead (2), gov single-lead (2)
    script.rate("gov", "coord/single-lead", "met")  # 2 of 7 weight: below 0.5
    scored = objective(script, "coordinate")
    assert scored.computed is None
    assert scored.coverage_by_team == (
        TeamCoverage("ops", 0, 2),
        TeamCoverage("gov", 1, 1),
    )
    assert scored.gap_text == "0 of 2 items rated for Operations Cell"
    assert scored.basis == "Not rated: 0 of 2 items rated for Operations Cell."
    script.rate("ops", "coord/share-picture", "met")
    scored = objective(script, "coordinate")
    assert scored.computed == "P" and scored.gap_text == "" and scored.provisional


def test_nothing_delivered_leaves_nothing_to_count(script: Script) -> None:
    script.rate("ops", "coord/share-picture", "met")
    scored = objective(script, "coordinate")
    assert scored.computed is None and scored.items == ()
    assert scored.basis.startswith("Not rated: no delivered inject expects")


def test_an_old_scenario_derives_the_objective_teams() -> None:
    """Stored before objectives named teams: the teams any inject expects the items
    of count; naming them narrows the count."""
    assert make_scenario().objectives[0].teams == []
    derived = make_scenario()
    assert derived.objective_teams(derived.objectives[0]) == ["ops", "gov"]
    data = scenario_data()
    data["objectives"][0]["teams"] = ["gov"]
    named = Script(scenario_from(data))
    named.add("inject_delivered", inject="storm-warning")
    named.add("inject_delivered", inject="pressure")
    named.rate("ops", "coord/share-picture", "not_met")  # ops is not the objective's
    named.rate("gov", "coord/single-lead", "met")
    scored = objective(named, "coordinate")
    assert [(i.team, i.ref) for i in scored.items] == [("gov", "coord/single-lead")]
    assert scored.computed == "P"


def test_expected_refs_are_what_a_team_s_delivered_injects_expect(scenario: Scenario) -> None:
    delivered = ["storm-warning", "power-cut", "evacuation"]  # power-cut: unscripted
    assert expected_refs(scenario, "ops", delivered) == [
        "coord/share-picture",
        "coord/single-lead",
    ]
    assert expected_refs(scenario, "gov", delivered) == ["coord/single-lead"]
    assert expected_refs(scenario, "comms", delivered) == ["comms/holding-line"]
    assert expected_refs(scenario, "comms", []) == []


def test_facilitator_override_wins_and_keeps_the_computed_rating(script: Script) -> None:
    _all_met_coordinate(script)
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
