"""The executive summary states only what the record supports: each scripted
inject counted once, every hold counted, and no highest/lowest claim on too few
ratings or on items outside a team's part."""

from __future__ import annotations

from collections.abc import Callable

from tabletop.report.build import build_report_model
from tabletop.report.model import Report
from tabletop.session.session import Session

from .conftest import FakeClock, make_scenario


def summary(session: Session) -> Report:
    return build_report_model(session)


def test_each_scripted_inject_is_counted_once(
    new_session: Callable[..., Session], clock: FakeClock
) -> None:
    s = new_session()
    s.record("clock_resumed")
    s.deliver("storm-warning")
    s.deliver("pressure")
    s.record_decision("gov", "Shelter in place.", inject="pressure", option="shelter")
    s.record("inject_held", inject="media", reason="Wait for the mayor")
    clock.advance(60)
    s.record("inject_released", inject="media")
    s.deliver("media")
    s.record("inject_skipped", inject="aid-offer", reason="Out of time")
    wrap = s.deliver("wrap")
    s.record("delivery_undone", event=wrap.seq, reason="Too early")
    s.record("exercise_ended")
    report = summary(s)
    counts = report.summary.counts
    scripted = counts.injects_delivered - counts.unscripted
    assert (counts.injects_planned, scripted, counts.branch_not_taken, counts.skipped,
            counts.not_reached) == (6, 3, 1, 1, 1)
    assert scripted + counts.branch_not_taken + counts.skipped + counts.not_reached == 6
    assert (counts.ever_held, counts.held, counts.undone) == (1, 0, 1)
    injects = report.summary.paragraphs[1]
    assert injects == (
        "Of the 6 scripted injects, 3 were delivered, 1 was on a branch not taken, "
        "1 was skipped and 1 was not reached. 1 inject was put on hold (none was still "
        "held at the end) and 1 delivery was undone."
    )


def test_an_inject_still_held_at_the_end_says_so(new_session: Callable[..., Session]) -> None:
    s = new_session()
    s.record("inject_held", inject="aid-offer", reason="Waiting for the foreign ministry")
    counts = summary(s).summary.counts
    # The evacuation branch is not "not taken": its decision point was never reached.
    assert (counts.ever_held, counts.held, counts.not_reached, counts.branch_not_taken) == (
        1, 1, 6, 0)
    assert "1 inject was put on hold and still held at the end." in (
        summary(s).summary.paragraphs[1])


def test_no_claim_rests_on_fewer_ratings_than_configured(
    new_session: Callable[..., Session],
) -> None:
    s = new_session()
    s.deliver("storm-warning")
    s.deliver("pressure")
    s.rate_item("ops", "coord/share-picture", "met")
    s.rate_item("gov", "coord/single-lead", "not_met")
    # One rating each: nobody is "highest" or "lowest" on that.
    text = " ".join(summary(s).summary.paragraphs)
    assert "highest" not in text and "lowest" not in text and "strongest" not in text


def test_an_item_outside_a_teams_part_never_makes_it_the_worst(
    new_session: Callable[..., Session],
) -> None:
    s = new_session()
    for inject in ("storm-warning", "pressure", "media"):
        s.deliver(inject)
    # The communications cell's own part, rated well three times over ...
    s.rate_item("comms", "comms/holding-line", "met")
    s.rate_item("comms", "comms/one-voice", "met")
    # ... and items no inject expected of it, rated badly: they count for nothing.
    for ref in ("coord/share-picture", "coord/single-lead", "coord/request-aid"):
        s.rate_item("comms", ref, "not_met")
    for ref in ("coord/share-picture",):
        s.rate_item("ops", ref, "partial")
    s.rate_item("gov", "coord/single-lead", "partial")
    text = " ".join(summary(s).summary.paragraphs)
    assert "Communications Cell, at 0%" not in text
    assert "lowest" not in text  # no other team has three rated items of its own


def test_claims_name_teams_and_capabilities_with_enough_ratings(
    new_session: Callable[..., Session],
) -> None:
    s = new_session(make_scenario(scoring={"claim_min_ratings": 2}))
    for inject in ("storm-warning", "pressure"):
        s.deliver(inject)
    s.record_decision("gov", "Evacuate.", inject="pressure", option="evacuate")
    for inject in ("evacuation", "media"):
        s.deliver(inject)
    s.rate_item("ops", "coord/share-picture", "met")
    s.rate_item("ops", "coord/single-lead", "met")
    s.rate_item("gov", "coord/single-lead", "partial")
    s.rate_item("comms", "comms/holding-line", "partial")
    s.rate_item("comms", "comms/one-voice", "not_met")
    text = " ".join(summary(s).summary.paragraphs)
    # gov has one item of its own rated: below the bar, so it is in no claim
    assert ("Operations Cell, at 100% over 2 rated items, scored highest and "
            "Communications Cell, at 33% over 2, lowest.") in text
    assert ("Operational Coordination, at 86% over 3 rated items, was the strongest and "
            "Public Information and Warning, at 33% over 2, the weakest.") in text
    assert "Government Cell, at" not in text


def test_a_critical_item_not_met_outside_the_objectives_is_still_said(
    new_session: Callable[..., Session],
) -> None:
    s = new_session()
    s.deliver("storm-warning")
    s.rate_item("comms", "coord/share-picture", "not_met")  # weight 3, not comms' part
    text = " ".join(summary(s).summary.paragraphs)
    assert ("Outside the objectives' evaluation, a critical item was rated not met: "
            "“The team share picture” for the Communications Cell (see Checklist Scores).") in text
