"""The report model built from real sessions (journal on disk, opened read-only)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tabletop.report.build import build_report_model
from tabletop.report.model import Report, to_dict, to_json
from tabletop.session.session import Session

from .conftest import FakeClock

FIXED = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def reopen(session: Session) -> Report:
    """Build from a read-only reopening, as `tabletop report` does."""
    path = session.store.path
    session.close()
    with Session.open_readonly(path) as readonly:
        return build_report_model(readonly, generated=FIXED)


def test_finished_session_report(played: Session) -> None:
    report = reopen(played)
    assert not report.meta.draft
    assert report.meta.marking == "TLP:AMBER"
    assert report.meta.session_file == "harbour.db"
    assert report.meta.generated == "2026-06-01T12:00:00Z"
    counts = report.summary.counts
    assert (counts.injects_planned, counts.injects_delivered, counts.unscripted) == (6, 6, 1)
    assert (counts.decisions, counts.retracted, counts.undone, counts.skipped) == (8, 1, 1, 1)
    assert (counts.hotwash, counts.actions, counts.notes) == (3, 2, 1)


def test_timeline_shows_unscripted_skipped_and_undone(played: Session) -> None:
    timeline = reopen(played).timeline
    rows = {row.inject: row for row in timeline}
    order = [row.inject for row in timeline]
    # the unscripted inject sits right after the inject current when it was written
    assert order.index("power-cut") == order.index("pressure") + 1
    assert rows["power-cut"].unscripted and rows["power-cut"].status == "delivered"
    assert rows["aid-offer"].status == "skipped" and rows["aid-offer"].reason == "Out of time"
    assert rows["wrap"].status == "delivered"
    assert "Delivered too early" in rows["wrap"].reason
    evacuation = rows["evacuation"]
    assert evacuation.planned_minute == 45 and evacuation.actual_minute == 48.0
    assert [(r.team, r.story_delay, r.play_delay) for r in evacuation.responses] == [
        ("ops", "+00:00", "0:04:00"),
        ("gov", "", ""),  # its only decision was retracted
    ]


def test_undone_unscripted_inject_shows_as_undone(
    new_session: Callable[..., Session], clock: FakeClock
) -> None:
    s = new_session()
    s.deliver("storm-warning")
    made = s.record(
        "unscripted_inject",
        inject={"id": "rumour", "title": "Rumour", "channel": "news", "from": "TV", "to": "all"},
    )
    s.record("delivery_undone", event=made.seq, reason="Not in this exercise")
    row = next(r for r in reopen(s).timeline if r.inject == "rumour")
    assert (row.status, row.status_text, row.reason) == (
        "undone",
        "Delivery undone",
        "Not in this exercise",
    )


def test_objectives_are_spelled_out_with_findings(played: Session) -> None:
    objectives = {o.id: o for o in reopen(played).objectives}
    coordinate = objectives["coordinate"]
    # Counted: what the delivered injects expect of a team. ops: share 3 met + lead 2
    # partial; gov: lead 2 met = 6/7. Gov's share-picture (not met) was never expected
    # of gov, so it is no finding of this objective.
    assert coordinate.score == pytest.approx(6 / 7)
    assert coordinate.rating_text == "P: Performed without Challenges"
    assert [(f.source, f.team) for f in coordinate.strengths] == [
        ("hot wash", "Operations Cell"),
        ("Met", "Operations Cell"),
        ("Met", "Government Cell"),
    ]
    assert [(f.source, f.item, f.team) for f in coordinate.improvements] == [
        ("Partially met", "coord/single-lead", "Operations Cell"),
    ]
    # comms: holding-line 2 met + one-voice 1 partial = 2.5/3
    assert objectives["inform"].rating_text == "S: Performed with Some Challenges"
    aid = objectives["aid"]
    assert aid.overridden and aid.rating_text == "U: Unable to be Performed"
    assert aid.computed_text == "Not rated"
    assert aid.override_reason == "The aid inject was never played"


def test_findings_from_ratings_name_every_team_once_per_item(
    new_session: Callable[..., Session],
) -> None:
    s = new_session()
    s.deliver("aid-offer")  # to all: request-aid is expected of every team
    s.rate_item("comms", "coord/request-aid", "met", "Fast.")
    s.rate_item("ops", "coord/request-aid", "met")
    s.rate_item("gov", "coord/request-aid", "met", "Clear.")
    s.rate_item("gov", "coord/share-picture", "partial")  # expected of no one yet
    objectives = {o.id: o for o in reopen(s).objectives}
    (met,) = objectives["aid"].strengths
    assert met.team == "Operations Cell, Government Cell, Communications Cell"
    assert met.text.endswith("Evaluator notes: Government Cell: Clear.; Communications Cell: Fast.")
    assert objectives["coordinate"].improvements == []


def test_scores_carry_evidence_and_corrections(played: Session) -> None:
    teams = {t.team: t for t in reopen(played).scores}
    gov_coord = next(c for c in teams["gov"].checklists if c.checklist == "coord")
    share = gov_coord.items[0]
    assert (share.rating_text, share.corrected, share.corrected_from) == ("Not met", True, "Met")
    lead = gov_coord.items[1]
    # the amended decision lists the item now; the retracted one never counts
    assert [e.text for e in lead.evidence] == ["Evacuate the harbour district before high tide."]
    # a checklist nobody rated for a team is one line, not a table of "Not rated"
    assert "comms" not in {c.checklist for c in teams["ops"].checklists}
    assert teams["ops"].unrated == ["Public communication"]
    # a rated table lists only what was rated, and says how much was not
    ops_coord = next(c for c in teams["ops"].checklists if c.checklist == "coord")
    assert all(item.rating is not None for item in ops_coord.items)


def test_improvement_plan_and_appendices(played: Session) -> None:
    report = reopen(played)
    plan = report.improvement_plan
    assert [(a.capability, a.item, a.owner, a.due) for a in plan] == [
        ("Operational Coordination", "coord/single-lead", "Regional Crisis Office", "2026-06-30"),
        ("Public Information and Warning", "", "Communications Cell", "2026-07-15"),
    ]
    decisions = {d.text: d for d in report.appendices.decisions}
    assert decisions["Ask the army to run the evacuation."].retracted
    moved = decisions["Route the generators via the ring road."]
    assert moved.team == "ops" and moved.corrected
    assert [r.kind for r in moved.revisions] == ["decision_recorded", "decision_moved"]
    amended = decisions["Evacuate the harbour district before high tide."]
    assert amended.option == "Evacuate"
    assert [c.target for c in report.appendices.corrections] == [8, 15, 19, 24, 32, None]
    assert len(report.appendices.history) == 42
    assert report.general_strengths[0].text == "Players stayed in role throughout."


def test_empty_session_is_a_draft_with_nothing_recorded(
    new_session: Callable[..., Session],
) -> None:
    report = reopen(new_session())
    assert report.meta.draft
    assert report.summary.counts.decisions == 0
    assert all(row.status == "pending" or row.status == "skipped-branch" for row in report.timeline)
    assert [o.rating_text for o in report.objectives] == ["Not rated"] * 3
    assert report.improvement_plan == [] and report.appendices.decisions == []
    assert any("DRAFT" in p for p in report.summary.paragraphs)


def test_json_is_the_model(played: Session) -> None:
    report = reopen(played)
    assert json.loads(to_json(report)) == json.loads(json.dumps(to_dict(report)))
    assert json.loads(to_json(report))["meta"]["exercise_id"] == "harbour"


def test_build_is_deterministic_and_honours_source_date_epoch(
    played: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    path: Path = played.store.path
    played.close()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    with Session.open_readonly(path) as a, Session.open_readonly(path) as b:
        first, second = build_report_model(a), build_report_model(b)
    assert first == second
    assert first.meta.generated == "2023-11-14T22:13:20Z"


def test_retracted_hot_wash_actions_and_notes_leave_the_report_and_corrected_ones_say_so(
    played: Session,
) -> None:
    state = played.state
    general = next(e for e in state.hotwash if e.objective is None)
    spokesperson = next(e for e in state.hotwash if e.objective == "inform")
    guide, rota = state.actions
    (note,) = state.notes
    played.record("hotwash_entry_corrected", event=general.seq, kind="improvement",
                  text="Players drifted out of role after the break.", reason="Misheard")
    played.record("hotwash_entry_retracted", event=spokesperson.seq, reason="Said of another drill")
    played.record("improvement_action_corrected", event=guide.seq, owner="Cabinet Office",
                  due="2026-09-30", reason="Owner changed at the hot wash")
    played.record("improvement_action_retracted", event=rota.seq, reason="Already in place")
    played.record("note_corrected", event=note.seq, text="Gov hesitated for four minutes.",
                  reason="Timed again")
    report = reopen(played)

    assert report.general_strengths == []
    (drifted,) = report.general_improvements
    assert (drifted.text, drifted.source, drifted.corrected) == (
        "Players drifted out of role after the break.", "hot wash", True)
    inform = next(o for o in report.objectives if o.id == "inform")
    assert all(f.source != "hot wash" for f in inform.improvements + inform.strengths)
    coordinate = next(o for o in report.objectives if o.id == "coordinate")
    assert [f.corrected for f in coordinate.strengths if f.source == "hot wash"] == [False]
    assert [(a.action, a.owner, a.due, a.corrected) for a in report.improvement_plan] == [
        ("Write a one-page evacuation decision guide for the cabinet.", "Cabinet Office",
         "2026-09-30", True),
    ]
    assert [(n.text, n.corrected) for n in report.appendices.notes] == [
        ("Gov hesitated for four minutes.", True)
    ]
    counts = report.summary.counts
    assert (counts.hotwash, counts.actions, counts.notes, counts.corrections) == (2, 1, 1, 11)
    assert [c.summary for c in report.appendices.corrections[-5:]] == [
        f"Hot wash entry #{general.seq} corrected to (improvement): Players drifted out of "
        "role after the break. (reason: Misheard)",
        f"Hot wash entry #{spokesperson.seq} retracted (reason: Said of another drill)",
        f"Action #{guide.seq} corrected to: Write a one-page evacuation decision guide for the "
        "cabinet. (POC Cabinet Office, completion 2026-09-30) (reason: Owner changed at the hot wash)",
        f"Action #{rota.seq} retracted (reason: Already in place)",
        f"Note #{note.seq} corrected to: Gov hesitated for four minutes. (reason: Timed again)",
    ]


def test_an_area_for_improvement_carries_its_analysis_and_the_action_that_answers_it(
    new_session: Callable[..., Session],
) -> None:
    s = new_session()
    s.deliver("storm-warning")
    s.rate_item("ops", "coord/share-picture", "met")
    strength = s.record("observation_recorded", kind="strength", team="ops",
                        objective="coordinate", text="One picture on one wall.")
    afi = s.record(
        "observation_recorded", kind="improvement", team="ops", item="coord/share-picture",
        text="The picture left out the port's own sensors.",
        reference="Harbour emergency plan, annex C", analysis="Nobody owned the feed.",
        recommendation="Name a feed owner.",
    )
    s.record("observation_recorded", kind="neutral", objective="coordinate",
             text="The room was too small.")
    s.record("improvement_action", action="Assign the sensor feed to the port duty officer.",
             element="Organization", organisation="Harbour Authority", poc="Duty manager",
             start="2026-06-01", completion="2026-09-30", observation=afi.seq)
    report = build_report_model(s)
    coordinate = next(o for o in report.objectives if o.id == "coordinate")
    assert [f.seq for f in coordinate.strengths][:1] == [strength.seq]
    found = next(f for f in coordinate.improvements if f.seq == afi.seq)
    assert (found.reference, found.analysis, found.recommendation, found.actions) == (
        "Harbour emergency plan, annex C", "Nobody owned the feed.", "Name a feed owner.", [1])
    assert [f.text for f in coordinate.other] == ["The room was too small."]
    (row,) = report.improvement_plan
    assert (row.number, row.capability, row.issue, row.element, row.organisation, row.poc,
            row.start, row.completion) == (
        1, "Operational Coordination", "The picture left out the port's own sensors.",
        "Organization", "Harbour Authority", "Duty manager", "2026-06-01", "2026-09-30")
    assert report.summary.counts.observations == 3
    assert [f.seq for f in report.observations][:2] == [strength.seq, afi.seq]


def test_participants_are_counted_and_named_only_where_marked(
    new_session: Callable[..., Session],
) -> None:
    s = new_session()
    s.record("participant_added", name="Col. A. Brandt", organisation="MoD", nation="Aldoria",
             role="player", team="ops", name_in_report=False)
    s.record("participant_added", name="Dr. M. Ionescu", organisation="Regional Crisis Office",
             role="evaluator", name_in_report=True)
    gone = s.record("participant_added", name="Signed in twice", organisation="MoD",
                    role="player")
    s.record("participant_removed", event=gone.seq, reason="Signed in twice")
    report = build_report_model(s)
    people = report.participants
    assert (people.total, people.unnamed) == (2, 1)
    assert [(c.label, c.count) for c in people.organisations] == [
        ("MoD (Aldoria)", 1), ("Regional Crisis Office", 1)]
    assert [(c.label, c.count) for c in people.roles] == [("Player", 1), ("Evaluator", 1)]
    assert [p.name for p in people.named] == ["Dr. M. Ionescu"]
    assert report.overview.participating == ["MoD (Aldoria)", "Regional Crisis Office"]
    text = to_json(report)
    assert "Brandt" not in text  # neither in Appendix B nor in the history's lines
