"""Observations, the roster and the improvement plan's columns (issue 15, items 4, 6
and 12): recorded, checked, corrected and retracted like every other record."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import FakeClock, Script, make_scenario, scenario_data
from scenarios import Loaded

from tabletop.cli import main
from tabletop.core.roles import PARTICIPANT_ROLES, ROLES
from tabletop.core.scenario import Scenario
from tabletop.session.authors import new_recorder
from tabletop.session.session import Refused, Session
from tabletop.session.state import ImprovementAction, StateNames


def critical_scenario() -> Scenario:
    """The drill, with 'drill/brief' a critical task (weight 3)."""
    data = scenario_data()
    data["checklists"][0]["items"][2]["weight"] = 3
    return make_scenario(checklists=data["checklists"])


@pytest.fixture
def critical(tmp_path: Path, clock: FakeClock) -> Any:
    loaded = Loaded(critical_scenario(), tmp_path / "exercises" / "drill.yaml", "cd" * 32)
    with Session.create(tmp_path / "critical.db", loaded, clock=clock) as session:
        yield session


# ------------------------------------------------------------ observations


def test_an_observation_is_kept_with_its_links_time_and_number(session: Session) -> None:
    session.deliver("intro")
    first = session.record("observation_recorded", kind="strength", text="Shared fast",
                           team="ops", objective="o1", item="drill/share", inject="intro")
    second = session.record("observation_recorded", kind="neutral", text="Quiet",
                            item="drill/brief")
    state = session.state
    assert list(state.observations) == [first.seq, second.seq]
    kept = state.observations[first.seq]
    assert (kept.number, kept.kind, kept.team, kept.objective, kept.item, kept.inject) == (
        1, "strength", "ops", "o1", "drill/share", "intro")
    assert kept.wall == first.wall and kept.story_time == state.story_now
    assert not kept.retracted and not kept.corrected and not kept.not_performed
    assert state.observations[second.seq].number == 2
    # Stored complete: every key, as docs/export.md lists them.
    assert second.data == {"kind": "neutral", "text": "Quiet", "team": None, "objective": None,
                           "item": "drill/brief", "inject": None, "not_performed": False,
                           "reference": "", "analysis": "", "recommendation": ""}


def test_an_area_for_improvement_carries_reference_analysis_and_recommendation(
    session: Session,
) -> None:
    event = session.record(
        "observation_recorded", kind="improvement", text="The ministry heard late",
        team="policy", objective="o1", reference="Liaison SOP, section 3",
        analysis="No liaison officer was named", recommendation="Name one before STARTEX",
    )
    kept = session.state.observations[event.seq]
    assert (kept.reference, kept.analysis, kept.recommendation) == (
        "Liaison SOP, section 3", "No liaison officer was named", "Name one before STARTEX")
    names = StateNames(session.state)
    assert event.payload.describe(names) == (
        "Observation (area for improvement, Policy): The ministry heard late")


@pytest.mark.parametrize(("data", "message"), [
    ({"kind": "strength", "text": "x"},
     "an observation names an objective, a checklist item, or both"),
    ({"kind": "strength", "text": "x", "objective": "o9"}, "unknown objective 'o9'"),
    ({"kind": "strength", "text": "x", "item": "drill/shar"},
     "unknown checklist item 'drill/shar' (did you mean 'drill/share'?)"),
    ({"kind": "strength", "text": "x", "item": "drill/share", "team": "navy"},
     "unknown team 'navy'"),
    ({"kind": "strength", "text": "x", "objective": "o1", "item": "drill/brief"},
     "objective 'o1' is not evaluated by 'drill/brief' (its items: drill/share, drill/liaise)"),
    ({"kind": "strength", "text": "x", "objective": "o1", "analysis": "why"},
     "only an area for improvement carries a reference, an analysis and a recommendation; "
     "this is a strength"),
    ({"kind": "neutral", "text": "x", "item": "drill/brief", "not_performed": True},
     "a critical task not performed is an area for improvement, not an observation"),
    ({"kind": "improvement", "text": "x", "objective": "o1", "not_performed": True},
     "name the critical checklist item that was not performed"),
    ({"kind": "improvement", "text": "x", "item": "drill/brief", "not_performed": True},
     "'drill/brief' has weight 1; only a critical item (weight 3) is marked not performed"),
    ({"kind": "weakness", "text": "x", "objective": "o1"}, "'kind' must be one of"),
    ({"kind": "strength", "text": " ", "objective": "o1"}, "'text'"),
])
def test_an_observation_is_checked(session: Session, data: dict[str, Any], message: str) -> None:
    before = session.state.last_seq
    with pytest.raises(ValueError) as refused:
        session.record("observation_recorded", **data)
    assert message in str(refused.value)
    assert session.state.last_seq == before and session.state.observations == {}


def test_only_a_critical_task_is_marked_not_performed(critical: Session) -> None:
    event = critical.record("observation_recorded", kind="improvement", team="ops",
                            text="Nobody briefed the minister", item="drill/brief",
                            not_performed=True)
    assert critical.state.observations[event.seq].not_performed
    assert "critical task not performed" in event.payload.describe(StateNames(critical.state))


def test_a_corrected_observation_keeps_its_place_and_a_retracted_one_stays_marked(
    critical: Session,
) -> None:
    first = critical.record("observation_recorded", kind="neutral", text="Slow", item="drill/brief")
    second = critical.record("observation_recorded", kind="strength", text="Calm", objective="o1")
    fixed = critical.record("observation_corrected", event=first.seq, kind="improvement",
                            analysis="No one owned the brief", not_performed=True,
                            reason="it was never given")
    assert fixed.data == {
        "event": first.seq, "kind": "improvement", "text": "Slow", "team": None,
        "objective": None, "item": "drill/brief", "inject": None, "not_performed": True,
        "reference": "", "analysis": "No one owned the brief", "recommendation": "",
        "reason": "it was never given",
    }
    state = critical.state
    corrected = state.observations[first.seq]
    assert corrected.corrected and corrected.kind == "improvement" and corrected.not_performed
    critical.record("observation_retracted", event=second.seq, reason="another table")
    assert list(state.observations) == [first.seq, second.seq]
    assert state.observations[second.seq].retracted and state.retracted(second.seq)
    assert state.corrections == {first.seq: [fixed.seq], second.seq: [fixed.seq + 1]}
    for kind, data, message in [
        ("observation_corrected", {"text": "again"}, f"observation {second.seq} has been retracted"),
        ("observation_retracted", {}, f"observation {second.seq} has been retracted"),
    ]:
        with pytest.raises(ValueError, match=message):
            critical.record(kind, event=second.seq, reason="r", **data)
    with pytest.raises(ValueError, match="already says that"):
        critical.record("observation_corrected", event=first.seq, text="Slow", reason="r")
    # Turning it into a strength must drop what only an area for improvement has.
    with pytest.raises(ValueError, match="only an area for improvement"):
        critical.record("observation_corrected", event=first.seq, kind="strength",
                        not_performed=False, reason="r")


def test_observations_are_the_evaluators_and_the_facilitators(
    session: Session, session_path: Path, clock: FakeClock
) -> None:
    session.close()
    observation = {"kind": "strength", "text": "Good", "team": "ops", "objective": "o1"}
    evaluator = new_recorder("evaluator", "K. Oswald", ("ops",))
    with Session.open(session_path, clock=clock, recorder=evaluator) as at_ops:
        mine = at_ops.record("observation_recorded", **observation)
        with pytest.raises(Refused, match="records for ops, not for 'policy'"):
            at_ops.record("observation_recorded", **{**observation, "team": "policy"})
        with pytest.raises(Refused, match="records for ops, not for 'policy'"):
            at_ops.record("observation_corrected", event=mine.seq, team="policy", reason="r")
    for role in ("controller", "scribe"):
        with Session.open(session_path, clock=clock,
                          recorder=new_recorder(role, "Someone", ("ops",))) as other, \
                pytest.raises(Refused, match=f"{role} cannot record observations: "
                              "evaluators and the facilitator can"):
            other.record("observation_recorded", **observation)


def test_replay_gives_the_same_observations(critical: Session) -> None:
    critical.record("observation_recorded", kind="improvement", text="Late", item="drill/brief",
                    not_performed=True, reference="SOP")
    event = critical.record("observation_recorded", kind="strength", text="Calm", objective="o1")
    critical.record("observation_corrected", event=event.seq, text="Calm, clear", reason="r")
    path = critical.store.path
    live = dict(critical.state.observations)
    critical.close()
    with Session.open_readonly(path) as again:
        assert again.state.observations == live


# ------------------------------------------------------------ improvement actions


def test_an_action_carries_the_improvement_plan_s_columns(session: Session) -> None:
    observed = session.record("observation_recorded", kind="improvement", text="Late",
                              objective="o1")
    event = session.record(
        "improvement_action", action="Name a liaison officer", item="drill/liaise",
        capability="Operational Coordination", element="Organization", organisation="MFA",
        poc="J. Doe", start="2026-07-01", completion="2026-09-30", observation=observed.seq,
    )
    assert "owner" not in event.data and "due" not in event.data
    action = session.state.actions[0]
    assert action == ImprovementAction(
        event.seq, "Name a liaison officer", "drill/liaise", "Operational Coordination",
        "Organization", "MFA", "J. Doe", "2026-07-01", "2026-09-30", observed.seq)
    assert (action.owner, action.due) == ("J. Doe", "2026-09-30")  # format 4's names read on


def test_format_4_s_owner_and_due_read_as_poc_and_completion(script: Script) -> None:
    action = script.add("improvement_action", action="SOP", owner="J5", due="2026-06-30")
    script.add("improvement_action_corrected", event=action.seq, action="SOP", item=None,
               capability="", owner="J6", due="2026-07-31", reason="old-style correction")
    kept = script.state.actions[0]
    assert (kept.poc, kept.completion, kept.element, kept.start) == ("J6", "2026-07-31", "", "")


def test_an_old_style_action_recorded_now_is_stored_with_the_new_names(session: Session) -> None:
    event = session.record("improvement_action", action="SOP", owner="J5", due="2026-06-30")
    assert event.data["poc"] == "J5" and event.data["completion"] == "2026-06-30"
    assert "owner" not in event.data
    fixed = session.record("improvement_action_corrected", event=event.seq, due="2026-08-01",
                           reason="later")
    assert fixed.data["completion"] == "2026-08-01" and "due" not in fixed.data
    with pytest.raises(ValueError, match="'owner' is the old name of 'poc', and they differ"):
        session.record("improvement_action", action="x", owner="A", poc="B")


@pytest.mark.parametrize(("data", "message"), [
    ({"start": "July"}, "start date 'July' must look like 2026-06-30"),
    ({"completion": "2026-13-01"}, "completion date '2026-13-01' must look like 2026-06-30"),
    ({"start": "2026-09-01", "completion": "2026-08-01"},
     "the start date 2026-09-01 is after the completion date 2026-08-01"),
    ({"element": "Doctrine"}, "'element' must be one of"),
    ({"observation": 1}, "event 1 is not an observation"),
])
def test_an_action_s_columns_are_checked(
    session: Session, data: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError) as refused:
        session.record("improvement_action", action="Fix", **data)
    assert message in str(refused.value)


def test_an_action_answers_a_live_area_for_improvement(session: Session) -> None:
    strength = session.record("observation_recorded", kind="strength", text="Good",
                              objective="o1")
    with pytest.raises(ValueError, match="is a strength; a corrective action answers an area"):
        session.record("improvement_action", action="Fix", observation=strength.seq)
    gap = session.record("observation_recorded", kind="improvement", text="Gap", objective="o1")
    session.record("observation_retracted", event=gap.seq, reason="not seen after all")
    with pytest.raises(ValueError, match=f"observation {gap.seq} has been retracted"):
        session.record("improvement_action", action="Fix", observation=gap.seq)


def test_dates_are_stored_as_iso_dates(session: Session) -> None:
    event = session.record("improvement_action", action="Fix", start="20260701")
    assert event.data["start"] == "2026-07-01"


# ------------------------------------------------------------ the roster


def test_one_role_vocabulary_for_recorders_and_participants() -> None:
    assert set(PARTICIPANT_ROLES) == {*ROLES, "player"}


def test_a_participant_is_added_corrected_and_removed(session: Session) -> None:
    added = session.record("participant_added", name="  Ana   Lopes ", organisation="MFA",
                           nation="Portugal", role="player", team="policy")
    assert added.data == {"name": "Ana Lopes", "organisation": "MFA", "nation": "Portugal",
                          "role": "player", "team": "policy", "name_in_report": False}
    state = session.state
    person = state.participants[added.seq]
    assert (person.name, person.role, person.team, person.name_in_report, person.removed) == (
        "Ana Lopes", "player", "policy", False, False)
    session.record("participant_corrected", event=added.seq, name_in_report=True,
                   reason="she agreed to be named")
    assert person.name_in_report and person.corrected
    with pytest.raises(ValueError, match="Ana Lopes of MFA is already on the roster"):
        session.record("participant_added", name="ana lopes", organisation="mfa")
    session.record("participant_removed", event=added.seq, reason="signed in by mistake")
    assert person.removed and list(state.participants) == [added.seq]
    with pytest.raises(ValueError, match=f"participant {added.seq} has been removed"):
        session.record("participant_corrected", event=added.seq, nation="Spain", reason="r")
    # Once removed, the same person may sign in again.
    session.record("participant_added", name="Ana Lopes", organisation="MFA")


def test_the_history_never_names_a_participant(session: Session) -> None:
    added = session.record("participant_added", name="Gen. A. Secret", organisation="MoD",
                           role="evaluator", team="ops", name_in_report=True)
    fixed = session.record("participant_corrected", event=added.seq, name="Gen. A. Secret II",
                           reason="typo")
    names = StateNames(session.state)
    said = [e.payload.describe(names) for e in (added, fixed)]
    assert said == ["Participant added: an evaluator (MoD, Ops)",
                    f"Participant #{added.seq} corrected (reason: typo)"]
    assert not any("Secret" in line for line in said)


@pytest.mark.parametrize(("data", "message"), [
    ({"name": " "}, "'name'"),
    ({"name": "A\x1b[31mB"}, "name holds control characters"),
    ({"name": "x" * 201}, "name is 201 characters long; 200 at most"),
    ({"name": "A", "role": "observr"}, "'role' must be one of"),
    ({"name": "A", "team": "navy"}, "unknown team 'navy'"),
    ({"name": "A", "nation": "P\u202eT"}, "nation holds control characters"),
])
def test_a_roster_entry_is_checked(session: Session, data: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError) as refused:
        session.record("participant_added", **data)
    assert message in str(refused.value)
    assert session.state.participants == {}


def test_the_roster_is_exercise_control_s(
    session: Session, session_path: Path, clock: FakeClock
) -> None:
    session.close()
    desk = new_recorder("controller", "Sign-in desk")
    with Session.open(session_path, clock=clock, recorder=desk) as controller:
        controller.record("participant_added", name="B. Kim", role="player", team="ops")
    with Session.open(session_path, clock=clock,
                      recorder=new_recorder("evaluator", "K. Oswald")) as evaluator, \
            pytest.raises(Refused, match="an evaluator cannot add participants to the roster: "
                          "controllers and the facilitator can"):
        evaluator.record("participant_added", name="C. Lee")


def test_an_export_of_version_5_keeps_observations_and_the_roster(
    session: Session, tmp_path: Path
) -> None:
    session.record("observation_recorded", kind="improvement", text="Late", objective="o1",
                   analysis="why")
    session.record("participant_added", name="Ana", role="observer", name_in_report=True)
    path = session.store.path
    session.close()
    out = tmp_path / "export.json"
    assert main(["export", str(path), "-o", str(out)]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["export_version"] == 5
    assert [o["analysis"] for o in data["state"]["observations"]] == ["why"]
    assert [(p["name"], p["role"]) for p in data["state"]["participants"]] == [("Ana", "observer")]
    assert main(["import", str(out), "-o", str(tmp_path / "copy.db")]) == 0
    with Session.open_readonly(tmp_path / "copy.db") as copy:
        assert [p.name for p in copy.state.participants.values()] == ["Ana"]


def test_an_export_of_version_4_with_owner_and_due_still_imports(
    session: Session, tmp_path: Path
) -> None:
    session.close()
    out = tmp_path / "export.json"
    assert main(["export", str(session.store.path), "-o", str(out)]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    data["export_version"] = 4
    data["events"].append({"seq": len(data["events"]) + 1, "kind": "improvement_action",
                           "data": {"action": "SOP", "item": None, "capability": "",
                                    "owner": "J5", "due": "2026-06-30"}})
    out.write_text(json.dumps(data), encoding="utf-8")
    assert main(["import", str(out), "-o", str(tmp_path / "old.db")]) == 0
    with Session.open_readonly(tmp_path / "old.db") as old:
        action = old.state.actions[0]
        assert (action.poc, action.completion) == ("J5", "2026-06-30")


def test_corrections_of_what_is_not_there_never_raise(script: Script) -> None:
    for kind, data in [
        ("observation_corrected", {"event": 9, "text": "x", "reason": "r"}),
        ("observation_retracted", {"event": 9, "reason": "r"}),
        ("participant_corrected", {"event": 9, "name": "x", "reason": "r"}),
        ("participant_removed", {"event": 9, "reason": "r"}),
    ]:
        script.add(kind, **data)
    assert script.state.observations == {} and script.state.participants == {}
