"""Derived state: what sequences of events add up to (pure: no journal involved)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from conftest import Script

from tabletop.core.scenario import Scenario
from tabletop.session.events import Event, InjectDelivered, PayloadError, payload_of
from tabletop.session.state import SessionState


def statuses(state: SessionState) -> dict[str, str]:
    return {inject_id: state.injects[inject_id].status for inject_id in state.order}


def test_fresh_state_follows_the_default_branch(script: Script) -> None:
    state = script.state
    assert statuses(state) == {
        "intro": "pending",
        "choice": "pending",
        "escalation": "skipped-branch",
        "talks": "pending",
        "strike": "skipped-branch",
        "wrapup": "pending",
    }
    assert state.paused
    assert state.selected_team == "ops"
    assert state.current_phase is None
    assert state.story_now == state.scenario.story_start_at
    assert state.chosen_option("choice") == "talk"
    assert state.chosen_option("intro") is None


def test_first_team_can_be_chosen(scenario: Scenario) -> None:
    assert SessionState(scenario, first_team="comms").selected_team == "comms"


def test_next_inject_walks_the_timeline(script: Script) -> None:
    state = script.state
    seen = []
    while (upcoming := state.next_inject()) is not None:
        seen.append(upcoming.inject.id)
        script.add("inject_delivered", inject=upcoming.inject.id)
    assert seen == ["intro", "choice", "talks", "wrapup"]
    assert [s.inject.id for s in state.delivered()] == seen
    assert state.current_inject == "wrapup"


def test_delivery_moves_the_story_clock_forward_only(script: Script) -> None:
    state = script.state
    start = state.scenario.story_start_at
    script.add("inject_delivered", inject="talks")  # +1h
    assert state.story_now == start + timedelta(hours=1)
    script.add("inject_delivered", inject="choice")  # +30m: earlier, clock stays
    assert state.story_now == start + timedelta(hours=1)
    assert state.injects["choice"].delivery is not None
    assert state.injects["choice"].delivery.story_time == start + timedelta(hours=1)
    script.add("story_clock_jumped", to="2026-03-14T05:00:00+00:00", reason="rewind")
    assert state.story_now == datetime.fromisoformat("2026-03-14T05:00:00+00:00")


def test_play_clock_starts_paused_and_counts_only_running_time(script: Script) -> None:
    state = script.state
    t0 = script.wall
    script.add("clock_resumed", after=10)
    assert state.play_seconds(t0 + 70) == 60
    script.add("clock_paused", after=100)
    assert state.paused
    assert state.play_seconds(t0 + 1000) == 100
    script.add("clock_resumed", after=500)  # paused for 500 s
    assert state.play_seconds(script.wall + 5) == 105


def test_session_opened_ends_the_previous_run_at_its_last_event(script: Script) -> None:
    state = script.state
    script.add("clock_resumed")
    script.add("note_added", after=120, text="last thing before the crash")
    # The console died here; it is restarted an hour later.
    script.add("session_opened", after=3600)
    assert state.paused
    assert state.play_seconds(script.wall + 999) == 120
    script.add("clock_resumed", after=30)
    assert state.play_seconds(script.wall + 10) == 130


def test_facilitator_opened_stops_a_left_running_clock_when_the_last_one_was_seen(
    script: Script,
) -> None:
    state = script.state
    script.add("clock_resumed")
    seen = script.wall + 60  # the lost facilitator console's last heartbeat
    script.add("note_added", after=120, text="an evaluator's note, after the facilitator died")
    script.add("facilitator_opened", after=3600, clock_stopped_at=seen)
    assert state.paused
    assert state.play_seconds(script.wall + 999) == 60


def test_facilitator_opened_without_a_last_sighting_ends_at_the_last_event(
    script: Script,
) -> None:
    state = script.state
    script.add("clock_resumed")
    script.add("note_added", after=120, text="last thing before the crash")
    script.add("facilitator_opened", after=3600)
    assert state.play_seconds(script.wall + 999) == 120


def test_phases_follow_deliveries_and_count_play_time(script: Script) -> None:
    state = script.state
    script.add("clock_resumed")
    assert state.current_phase == "p1"
    script.add("inject_delivered", after=60, inject="intro")
    script.add("inject_delivered", after=60, inject="talks")  # a p2 inject
    assert state.current_phase == "p2"
    script.add("inject_delivered", after=60, inject="choice")  # back in p1: phase stays
    assert state.current_phase == "p2"
    script.add("phase_started", after=30, phase="p3")
    assert state.phase_play_seconds("p1", script.wall) == 120
    assert state.phase_play_seconds("p2", script.wall) == 90
    assert state.phase_play_seconds("p3", script.wall + 15) == 15


def test_unscripted_inject_is_delivered_and_placed_after_the_current_one(script: Script) -> None:
    state = script.state
    script.add("inject_delivered", inject="intro")
    script.add(
        "unscripted_inject",
        inject={
            "id": "rumour",
            "title": "A rumour",
            "channel": "social-media",
            "from": "Crowd",
            "to": ["comms"],
            "body": "Something is afoot.",
        },
    )
    script.add(
        "unscripted_inject",
        inject={
            "id": "denial",
            "title": "A denial",
            "channel": "news",
            "from": "Press",
            "to": "all",
            "body": "",
        },
    )
    assert state.order[:4] == ["intro", "rumour", "denial", "choice"]
    assert state.injects["rumour"].unscripted
    assert state.injects["rumour"].status == "delivered"
    assert state.injects["rumour"].inject.phase == "p1"
    assert state.current_inject == "denial"
    assert state.next_inject() is not None
    assert state.next_inject().inject.id == "choice"  # type: ignore[union-attr]
    assert [s.inject.id for s in state.visible_to("comms")] == ["intro", "rumour", "denial"]
    assert [s.inject.id for s in state.visible_to("ops")] == ["intro", "denial"]


def test_skip_hold_release_and_retime(script: Script) -> None:
    state = script.state
    script.add("inject_skipped", inject="intro", reason="covered in the briefing")
    script.add("inject_held", inject="choice", reason="waiting for the minister")
    assert state.injects["intro"].status == "skipped"
    assert state.injects["intro"].skip_reason == "covered in the briefing"
    assert state.injects["choice"].status == "held"
    assert state.next_inject().inject.id == "talks"  # type: ignore[union-attr]
    script.add("inject_released", inject="choice", reason="minister arrived")
    assert state.injects["choice"].status == "pending"
    assert state.next_inject().inject.id == "choice"  # type: ignore[union-attr]
    script.add("inject_retimed", inject="wrapup", play_minute=75, reason="running late")
    assert state.injects["wrapup"].play_minute == 75
    assert state.injects["wrapup"].retime_reason == "running late"


def test_undone_delivery_returns_to_pending_and_leaves_the_participant_view(
    script: Script,
) -> None:
    state = script.state
    script.add("inject_delivered", inject="intro")
    wrong = script.add("inject_delivered", inject="talks")
    script.add("delivery_undone", event=wrong.seq, reason="too early")
    talks = state.injects["talks"]
    assert talks.status == "pending"
    assert talks.delivery is not None and talks.delivery.undone
    assert talks.delivery.undo_reason == "too early"
    assert [s.inject.id for s in state.visible_to(None)] == ["intro"]
    assert state.current_inject == "intro"
    assert state.corrections == {wrong.seq: [wrong.seq + 1]}
    # Delivered again later: one live delivery, the undone one stays on record.
    script.add("inject_delivered", inject="choice")
    script.add("inject_delivered", inject="talks")
    assert [d.undone for d in state.deliveries() if d.inject == "talks"] == [True, False]
    assert [s.inject.id for s in state.delivered()] == ["intro", "choice", "talks"]


def test_undoing_a_delivery_rewinds_the_story_clock_and_the_phase(script: Script) -> None:
    state = script.state
    start = state.scenario.story_start_at
    script.add("clock_resumed")
    script.add("inject_delivered", inject="intro", after=60)  # p1, +0m
    wrong = script.add("inject_delivered", inject="wrapup", after=60)  # p3, +1d 02:00
    assert state.current_phase == "p3"
    assert state.story_now == start + timedelta(days=1, hours=2)
    script.add("delivery_undone", event=wrong.seq, reason="pressed n by mistake", after=5)
    # Participants must not be left in phase 3 on the next day.
    assert state.current_phase == "p1"
    assert state.story_now == start
    script.add("inject_delivered", inject="choice", after=60)  # p1, +30m
    assert state.current_phase == "p1"
    assert state.story_now == start + timedelta(minutes=30)


def test_undo_keeps_a_story_clock_jump_and_an_explicit_phase(script: Script) -> None:
    state = script.state
    start = state.scenario.story_start_at
    script.add("clock_resumed")
    script.add("inject_delivered", inject="intro")
    script.add("story_clock_jumped", to="2026-03-14T09:00:00+00:00", reason="overnight")
    script.add("phase_started", phase="p2")
    wrong = script.add("inject_delivered", inject="wrapup")
    script.add("delivery_undone", event=wrong.seq, reason="mistake")
    assert state.story_now == start + timedelta(hours=3)
    assert state.current_phase == "p2"


def test_undone_unscripted_inject_is_withdrawn(script: Script) -> None:
    state = script.state
    event = script.add(
        "unscripted_inject",
        inject={
            "id": "oops",
            "title": "Wrong room",
            "channel": "phone",
            "from": "X",
            "to": "all",
            "body": "",
        },
    )
    script.add("delivery_undone", event=event.seq, reason="meant for another exercise")
    assert state.injects["oops"].status == "skipped"
    assert state.visible_to(None) == []
    assert state.current_inject is None
    assert state.next_inject().inject.id == "intro"  # type: ignore[union-attr]


def test_decision_amended_keeps_the_original(script: Script) -> None:
    state = script.state
    first = script.add(
        "decision_recorded",
        team="policy",
        inject="choice",
        text="Talk first",
        option="talk",
        items=["drill/share"],
    )
    script.add(
        "decision_amended",
        event=first.seq,
        text="Escalate now",
        option="escalate",
        items=["drill/liaise"],
        reason="misheard",
    )
    decision = state.decisions[first.seq]
    assert (decision.text, decision.option, decision.items) == (
        "Escalate now",
        "escalate",
        ["drill/liaise"],
    )
    assert decision.corrected
    assert [r.kind for r in decision.revisions] == ["decision_recorded", "decision_amended"]
    assert decision.revisions[0].text == "Talk first"
    assert decision.revisions[0].option == "talk"
    assert decision.revisions[1].reason == "misheard"
    assert state.chosen_option("choice") == "escalate"
    assert state.injects["escalation"].status == "pending"
    assert state.injects["talks"].status == "skipped-branch"


def test_retracted_decision_counts_for_nothing(script: Script) -> None:
    state = script.state
    first = script.add(
        "decision_recorded",
        team="policy",
        inject="choice",
        text="Escalate",
        option="escalate",
        items=[],
    )
    assert state.chosen_option("choice") == "escalate"
    script.add("decision_retracted", event=first.seq, reason="recorded in error")
    assert state.decisions[first.seq].retracted
    assert state.live_decisions() == []
    assert state.chosen_option("choice") == "talk"  # back to the default
    assert state.injects["escalation"].status == "skipped-branch"


def test_latest_live_decision_of_the_deciding_team_wins(script: Script) -> None:
    state = script.state
    script.add("decision_recorded", team="policy", inject="choice", text="a", option="escalate")
    second = script.add(
        "decision_recorded", team="policy", inject="choice", text="b", option="talk"
    )
    assert state.chosen_option("choice") == "talk"
    # Another team's view never decides the branch.
    script.add("decision_recorded", team="ops", inject="choice", text="c", option="escalate")
    assert state.chosen_option("choice") == "talk"
    script.add("decision_retracted", event=second.seq, reason="superseded")
    assert state.chosen_option("choice") == "escalate"
    assert [d.text for d in state.live_decisions(inject="choice")] == ["c", "a"]
    assert [d.text for d in state.live_decisions(team="policy")] == ["a"]


def test_moving_a_decision_changes_who_decided(script: Script) -> None:
    state = script.state
    wrong = script.add(
        "decision_recorded", team="ops", inject="choice", text="Escalate", option="escalate"
    )
    assert state.chosen_option("choice") == "talk"
    script.add("decision_moved", event=wrong.seq, team="policy", reason="wrong table")
    assert state.decisions[wrong.seq].team == "policy"
    assert state.chosen_option("choice") == "escalate"
    assert state.corrections[wrong.seq] == [wrong.seq + 1]


def test_amendment_never_undoes_a_delivery(script: Script) -> None:
    state = script.state
    first = script.add(
        "decision_recorded", team="policy", inject="choice", text="Escalate", option="escalate"
    )
    script.add("inject_delivered", inject="escalation")
    script.add("decision_amended", event=first.seq, option="talk", reason="changed course")
    assert state.injects["escalation"].status == "delivered"
    # The branch already played: the amendment is on record, the timeline stays.
    assert state.decisions[first.seq].option == "talk"
    assert state.injects["talks"].status == "skipped-branch"
    assert state.branch_taken("choice") == "escalate"
    assert state.branch_conflicts() == []


def test_facilitator_skipped_decision_falls_back_to_default(script: Script) -> None:
    state = script.state
    script.add(
        "decision_recorded", team="policy", inject="choice", text="Escalate", option="escalate"
    )
    script.add("inject_skipped", inject="choice", reason="no time")
    assert state.chosen_option("choice") == "talk"
    assert state.injects["talks"].status == "pending"
    assert state.injects["escalation"].status == "skipped-branch"
    script.add("inject_released", inject="choice")
    assert state.chosen_option("choice") == "escalate"


def test_branch_on_a_skipped_branch_is_skipped_too(script: Script) -> None:
    state = script.state
    escalate = script.add(
        "decision_recorded", team="policy", inject="choice", text="Go", option="escalate"
    )
    script.add("decision_recorded", team="ops", inject="escalation", text="Strike", option="strike")
    assert state.injects["strike"].status == "pending"
    script.add("decision_amended", event=escalate.seq, option="talk", reason="correction")
    assert state.injects["escalation"].status == "skipped-branch"
    # ops still chose strike, but 'escalation' is off the timeline, so 'strike' is too.
    assert state.injects["strike"].status == "skipped-branch"
    # A delivered decision inject keeps steering its branch even if its own branch closes.
    script.add("decision_amended", event=escalate.seq, option="escalate", reason="again")
    script.add("inject_delivered", inject="escalation")
    script.add("decision_amended", event=escalate.seq, option="talk", reason="and back")
    assert state.injects["escalation"].status == "delivered"
    assert state.injects["strike"].status == "pending"


def test_a_late_decision_never_opens_the_branch_not_taken(script: Script) -> None:
    state = script.state
    for inject_id in ("intro", "choice", "talks"):  # the default branch plays
        script.add("inject_delivered", inject=inject_id)
    assert state.next_inject().inject.id == "wrapup"  # type: ignore[union-attr]
    late = script.add(
        "decision_recorded", team="policy", inject="choice", text="Escalate after all",
        option="escalate",
    )
    assert state.chosen_option("choice") == "escalate"  # what the team said, on record
    assert state.injects["escalation"].status == "skipped-branch"
    assert state.next_inject().inject.id == "wrapup"  # type: ignore[union-attr]
    assert (state.settled_options("choice"), state.branch_taken("choice")) == (
        frozenset({"talk"}), "talk")
    # Undoing the branch's delivery unsettles it: now the late decision steers.
    talks = state.injects["talks"].delivery
    assert talks is not None
    script.add("delivery_undone", event=talks.seq, reason="played the wrong branch")
    assert state.settled_options("choice") is None
    assert state.injects["escalation"].status == "pending"
    assert state.injects["talks"].status == "skipped-branch"
    assert state.next_inject().inject.id == "escalation"  # type: ignore[union-attr]
    script.add("decision_retracted", event=late.seq, reason="never said")
    assert state.next_inject().inject.id == "talks"  # type: ignore[union-attr]


def test_an_old_record_with_both_branches_is_replayed_and_named(script: Script) -> None:
    # Before the rule, a late decision let the second branch be delivered too.
    state = script.state
    script.add("inject_delivered", inject="talks")
    script.add("inject_delivered", inject="escalation")
    assert state.injects["escalation"].status == "delivered"
    assert state.branch_conflicts() == [("choice", ["escalation", "talks"])]
    assert state.branch_taken("choice") is None


def test_ratings_latest_wins_and_corrections_apply(script: Script) -> None:
    state = script.state
    first = script.add("item_rated", team="ops", item="drill/share", rating="partial", note="")
    second = script.add("item_rated", team="ops", item="drill/share", rating="met", note="ok")
    assert state.ratings[("ops", "drill/share")].seq == second.seq
    script.add("rating_corrected", event=second.seq, rating="not_met", note="no", reason="typo")
    # Correcting the older rating does not make it the latest.
    script.add("rating_corrected", event=first.seq, rating="na", reason="n/a")
    latest = state.ratings[("ops", "drill/share")]
    assert (latest.rating, latest.note, latest.original_rating) == ("not_met", "no", "met")
    assert latest.corrected_by == [second.seq + 1]
    assert latest.correction_reasons == ["typo"]
    assert [r.rating for r in state.rating_history] == ["na", "not_met"]


def test_evaluation_records(script: Script) -> None:
    state = script.state
    script.add("objective_rated", objective="o1", rating="S", reason="mostly fine")
    script.add("objective_rated", objective="o1", rating="M", reason="on reflection")
    script.add("inject_delivered", inject="talks")
    script.add("note_added", text="Good liaison", team="ops", inject="talks")
    script.add("hotwash_entry", objective="o1", kind="strength", text="Fast", team=None)
    script.add(
        "improvement_action",
        action="Write SOP",
        item="drill/brief",
        capability="Coordination",
        owner="J5",
        due="2026-06-30",
    )
    script.add("team_selected", team="comms")
    script.add("exercise_ended")
    assert state.objective_overrides["o1"].rating == "M"
    assert state.notes[0].text == "Good liaison"
    assert state.notes[0].story_time == state.scenario.story_start_at + timedelta(hours=1)
    assert state.hotwash[0].kind == "strength"
    assert state.actions[0].owner == "J5"
    assert state.selected_team == "comms"
    assert state.ended and state.paused


def test_unknown_references_never_raise_and_unknown_kinds_are_kept(script: Script) -> None:
    state = script.state
    odd = [
        ("inject_delivered", {"inject": "gone"}),
        ("decision_amended", {"event": 999, "text": "x", "reason": "r"}),
        ("rating_corrected", {"event": 1, "rating": "met", "reason": "r"}),
        ("team_selected", {"team": "nobody"}),
        ("phase_started", {"phase": "p9"}),
        ("decision_recorded", {"team": "ghosts", "inject": "nowhere", "text": "boo"}),
        ("from_the_future", {"anything": 1}),
    ]
    for kind, data in odd:
        script.add(kind, **data)
    assert len(state.history) == len(odd)
    assert [e.kind for e in state.unreadable] == ["from_the_future"]
    assert state.unreadable[0].data == {"anything": 1}
    assert state.selected_team == "ops"
    assert state.delivered() == []
    assert state.current_phase is None
    assert state.chosen_option("choice") == "talk"


@pytest.mark.parametrize(
    ("kind", "data", "said"),
    [
        ("inject_delivered", {}, "inject_delivered: 'inject' is missing"),
        ("delivery_undone", {"event": "nonsense", "reason": "r"}, "'event' must be a whole number"),
        ("unscripted_inject", {"inject": {"id": "BAD ID"}}, "'inject.id' must be an id"),
    ],
)
def test_a_payload_without_its_kind_s_shape_never_reaches_the_state(
    kind: str, data: dict[str, Any], said: str
) -> None:
    with pytest.raises(PayloadError, match=re.escape(said)):
        payload_of(kind, data)


def test_applying_an_event_twice_changes_nothing(script: Script) -> None:
    state = script.state
    event = script.add("inject_delivered", inject="intro")
    state.apply(event)
    state.apply(Event(event.seq, "inject_delivered", event.wall, InjectDelivered(inject="choice")))
    assert [s.inject.id for s in state.delivered()] == ["intro"]
    assert len(state.history) == 1


def test_decisions_are_numbered_in_the_order_recorded_and_keep_their_number(
    script: Script,
) -> None:
    state = script.state
    script.add("inject_delivered", inject="intro")
    first = script.add("decision_recorded", team="ops", text="One")
    second = script.add("decision_recorded", team="policy", text="Two")
    script.add("decision_retracted", event=second.seq, reason="wrong table")
    script.add("note_added", text="between")
    third = script.add("decision_recorded", team="ops", text="Three")
    numbers = {d.text: d.number for d in state.decisions.values()}
    assert numbers == {"One": 1, "Two": 2, "Three": 3}
    assert state.decision_numbered(2) is state.decisions[second.seq]
    assert state.decision_numbered(3) is state.decisions[third.seq]
    assert state.decision_numbered(4) is None and state.decision_numbered(0) is None
    assert first.seq != 1  # numbers are not the journal's seqs
