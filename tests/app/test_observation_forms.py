"""The forms of observations, the roster and the improvement plan (issue 15), filled
in with a dict and saved as ctrl+s saves them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fakeclock import FakeClock

from tabletop.app import forms
from tabletop.app.forms import FormSpec
from tabletop.session.authors import new_recorder
from tabletop.session.session import Session


def fill(spec: FormSpec | None, **values: Any) -> str | None:
    assert spec is not None
    return spec.submit({**spec.defaults(), **values})


def last(session: Session, kind: str) -> dict[str, Any]:
    events = [e for e in session.store.events() if e.kind == kind]
    assert events, f"no {kind} event recorded"
    return events[-1].data


def kinds(session: Session) -> list[str]:
    return [e.kind for e in session.store.events()]


def test_an_observation_is_recorded_for_the_selected_team_on_the_inject_on_screen(
    session: Session,
) -> None:
    session.deliver("harbour-alarm")
    session.select_team("mfa")
    spec = forms.observation_record(session, "harbour-alarm")
    assert spec.intro == "Attached to inject harbour-alarm"
    opened = spec.defaults()
    assert (opened["team"], opened["kind"], opened["not_performed"]) == ("mfa", "neutral", "no")
    # The inject's expected items are offered first.
    expected = [a.item for a in session.state.injects["harbour-alarm"].inject.expected_actions]
    item_field = next(f for f in spec.fields if f.name == "item")
    assert [value for _label, value in item_field.choices][: len(expected)] == expected
    fill(spec, kind="improvement", text="No lead agency was named", item="coord/lead",
         objective="coordinate", reference="National crisis plan, 2.1",
         analysis="Each ministry waited for another", recommendation="Name the lead in the plan",
         not_performed="yes")
    assert last(session, "observation_recorded") == {
        "kind": "improvement", "text": "No lead agency was named", "team": "mfa",
        "objective": "coordinate", "item": "coord/lead", "inject": "harbour-alarm",
        "not_performed": True, "reference": "National crisis plan, 2.1",
        "analysis": "Each ministry waited for another",
        "recommendation": "Name the lead in the plan",
    }


def test_an_observation_on_an_undelivered_inject_is_attached_to_none(session: Session) -> None:
    spec = forms.observation_record(session, "harbour-alarm")
    assert spec.intro == ""
    fill(spec, text="Before the start", objective="coordinate")
    assert last(session, "observation_recorded")["inject"] is None


def test_the_form_says_what_the_checks_refuse_and_records_nothing(session: Session) -> None:
    before = kinds(session)
    for values, message in [
        ({"text": "Seen"}, "names an objective, a checklist item, or both"),
        ({"text": "Seen", "objective": "coordinate", "kind": "strength", "analysis": "why"},
         "only an area for improvement carries"),
        ({"text": "Seen", "item": "coord/share", "kind": "improvement", "not_performed": "yes"},
         r"only a critical item \(weight 3\) is marked not performed"),
    ]:
        with pytest.raises(ValueError, match=message):
            fill(forms.observation_record(session, None), **values)
    assert kinds(session) == before


def test_correct_and_retract_an_observation(session: Session) -> None:
    assert forms.observation_correct(session) is None
    assert forms.observation_retract(session) is None
    first = session.record("observation_recorded", kind="strength", text="Calm chairing",
                           objective="coordinate", team="mod")
    spec = forms.observation_correct(session)
    assert spec is not None
    assert spec.fields[0].choices == [(f"#{first.seq} strength · Defence: Calm chairing",
                                       str(first.seq))]
    opened = spec.defaults()
    assert (opened["text"], opened["team"], opened["objective"], opened["not_performed"]) == (
        "Calm chairing", "mod", "coordinate", "no")
    fill(spec, kind="improvement", analysis="The chair had no deputy", reason="heard again")
    fixed = last(session, "observation_corrected")
    assert (fixed["kind"], fixed["analysis"], fixed["text"]) == (
        "improvement", "The chair had no deputy", "Calm chairing")
    assert session.state.observations[first.seq].corrected
    retract = forms.observation_retract(session)
    fill(retract, reason="another exercise")
    assert session.state.observations[first.seq].retracted
    assert forms.observation_correct(session) is None  # nothing live is left to correct


def test_an_action_answers_an_area_for_improvement_chosen_from_the_list(
    session: Session,
) -> None:
    session.record("observation_recorded", kind="strength", text="Good", objective="coordinate")
    gap = session.record("observation_recorded", kind="improvement", text="Slow lead",
                         objective="coordinate")
    spec = forms.improvement_action(session)
    answers = next(f for f in spec.fields if f.name == "observation")
    assert answers.choices == [(f"#{gap.seq} Slow lead", str(gap.seq))]  # strengths are not
    fill(spec, action="Name the lead agency in the plan", organisation="Cabinet Office",
         poc="Deputy secretary", start="2026-07-01", completion="2026-12-31",
         element="Planning", observation=str(gap.seq))
    (action,) = session.state.actions
    assert (action.observation, action.element, action.start) == (gap.seq, "Planning",
                                                                  "2026-07-01")
    with pytest.raises(ValueError, match="start date 2026-12-31 is after the completion"):
        fill(forms.improvement_action(session), action="x", organisation="y",
             start="2026-12-31", completion="2026-01-31")


def test_the_roster_forms(session: Session) -> None:
    assert forms.participant_correct(session) is None
    spec = forms.participant_add(session)
    assert spec.defaults()["name_in_report"] == "no" and spec.defaults()["role"] == "player"
    fill(spec, name="Ana Lopes", organisation="Port Authority", nation="Portugal", team="civ")
    added = last(session, "participant_added")
    assert added == {"name": "Ana Lopes", "organisation": "Port Authority", "nation": "Portugal",
                     "role": "player", "team": "civ", "name_in_report": False}
    correct = forms.participant_correct(session)
    assert correct is not None
    assert correct.fields[0].choices[0][0].endswith(
        "Ana Lopes (player, Port Authority, Civil Protection)")
    fill(correct, name_in_report="yes", role="observer", reason="she watched, and agreed")
    (person,) = session.state.participants.values()
    assert (person.role, person.name_in_report) == ("observer", True)
    with pytest.raises(ValueError, match="already on the roster"):
        fill(forms.participant_add(session), name="ana lopes", organisation="port authority")
    fill(forms.participant_remove(session), reason="signed in by mistake")
    assert person.removed and forms.participant_remove(session) is None


def test_an_observation_form_of_a_console_for_one_team_offers_that_team(
    session: Session, tmp_path: Path, clock: FakeClock
) -> None:
    path = session.store.path
    session.close()
    evaluator = new_recorder("evaluator", "K. Oswald", ("civ",))
    with Session.open(path, clock=clock, recorder=evaluator) as mine:
        spec = forms.observation_record(mine, None)
        team: Any = next(f for f in spec.fields if f.name == "team")
        assert [value for _label, value in team.choices] == ["civ"] and team.value == "civ"
        fill(spec, text="Quick public warning", objective="coordinate", kind="strength")
        assert last(mine, "observation_recorded")["team"] == "civ"
