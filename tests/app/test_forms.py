"""Every console form as a spec: filled in with a dict and submitted as ctrl+s does.

What used to need a Pilot session per form (the corrections of issue 6) is
checked here against the journal in milliseconds; tests/tui keeps a few
smoke tests that drive the same forms by keys.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fakeclock import FakeClock
from scenarios import Loaded, harbour_drill_data, scenario

from tabletop.app import forms
from tabletop.app.fields import AskFirst
from tabletop.app.forms import FormSpec
from tabletop.session.session import Session
from tabletop.session.store.errors import JournalWriteError


def fill(spec: FormSpec | None, **values: Any) -> str | None:
    assert spec is not None
    return spec.submit({**spec.defaults(), **values})


def last(session: Session, kind: str) -> dict[str, Any]:
    events = [e for e in session.store.events() if e.kind == kind]
    assert events, f"no {kind} event recorded"
    return events[-1].data


def kinds(session: Session) -> list[str]:
    return [e.kind for e in session.store.events()]


def test_required_fields_are_checked_before_anything_is_recorded(session: Session) -> None:
    before = kinds(session)
    with pytest.raises(ValueError, match=r"Reason .* is required"):
        fill(forms.inject_skip(session, "harbour-alarm"), reason="")
    assert kinds(session) == before


def test_skip(session: Session) -> None:
    fill(forms.inject_skip(session, "harbour-alarm"), reason="fire brigade already on scene")
    assert last(session, "inject_skipped") == {
        "inject": "harbour-alarm", "reason": "fire brigade already on scene",
    }
    assert session.state.next_inject().inject.id == "press-call"  # type: ignore[union-attr]


def test_hold_then_release(session: Session) -> None:
    fill(forms.inject_hold(session, "harbour-alarm"), reason="waiting for the minister")
    assert session.state.injects["harbour-alarm"].status == "held"
    session.deliver_next()
    assert session.state.current_inject == "press-call"
    fill(forms.inject_release(session, "harbour-alarm"), reason="minister arrived")
    assert last(session, "inject_released")["reason"] == "minister arrived"
    assert session.state.injects["harbour-alarm"].status == "pending"


def test_retime_prefills_the_planned_minute(session: Session) -> None:
    spec = forms.inject_retime(session, "minister-call")
    assert spec.defaults()["play_minute"] == "40"
    fill(spec, play_minute="55", reason="running late")
    assert last(session, "inject_retimed") == {
        "inject": "minister-call", "play_minute": 55, "reason": "running late",
    }


@pytest.mark.parametrize("minute,message", [("x", "whole number"), ("-5", "cannot be negative")])
def test_retime_refuses_a_bad_minute(session: Session, minute: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        fill(forms.inject_retime(session, "minister-call"), play_minute=minute, reason="late")
    assert "inject_retimed" not in kinds(session)


def test_deliver_out_of_order_keeps_the_reason(session: Session) -> None:
    fill(forms.deliver_out_of_order(session, "minister-call"), reason="minister called early")
    assert last(session, "inject_delivered") == {"inject": "minister-call"}
    note = last(session, "note_added")
    assert note["inject"] == "minister-call"
    assert "minister called early" in note["text"]
    assert session.state.current_inject == "minister-call"


def failing_notes(session: Session, monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Make the next note fail as a full disk would; returns a switch to heal it."""
    failing = [True]
    real = session.record

    def record(kind: str, /, **data: Any) -> Any:
        if kind == "note_added" and failing[0]:
            raise JournalWriteError("could not save: the disk is full")
        return real(kind, **data)

    monkeypatch.setattr(session, "record", record)
    return failing


def test_a_retry_after_the_note_failed_never_delivers_twice(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    failing = failing_notes(session, monkeypatch)
    spec = forms.deliver_out_of_order(session, "minister-call")
    with pytest.raises(JournalWriteError):
        fill(spec, reason="early")
    failing[0] = False
    fill(spec, reason="early")  # the same open form, saved again
    assert kinds(session).count("inject_delivered") == 1
    assert kinds(session).count("note_added") == 1


def test_write_unscripted_takes_the_next_free_id_and_notes_the_reason(session: Session) -> None:
    session.deliver_next()
    fill(forms.write_unscripted(session), title="Ferry collision", sender="Coast Guard",
         to=["mod"], body="A ferry hit the quay.", reason="players ahead of the script")
    spec = last(session, "unscripted_inject")["inject"]
    assert spec == {"id": "unscripted-1", "title": "Ferry collision", "channel": "other",
                    "from": "Coast Guard", "to": ["mod"], "body": "A ferry hit the quay."}
    order = session.state.order
    assert order.index("unscripted-1") == order.index("harbour-alarm") + 1
    note = last(session, "note_added")
    assert note["inject"] == "unscripted-1" and "players ahead" in note["text"]
    fill(forms.write_unscripted(session), title="Second", sender="X", reason="again")
    assert last(session, "unscripted_inject")["inject"]["id"] == "unscripted-2"


def test_a_retry_after_the_note_failed_never_writes_the_inject_twice(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    failing = failing_notes(session, monkeypatch)
    spec = forms.write_unscripted(session)
    with pytest.raises(JournalWriteError):
        fill(spec, title="Ferry", sender="Coast Guard", reason="ahead")
    failing[0] = False
    fill(spec, title="Ferry", sender="Coast Guard", reason="ahead")
    assert kinds(session).count("unscripted_inject") == 1
    assert last(session, "note_added")["inject"] == "unscripted-1"


def test_undo_a_delivery(session: Session) -> None:
    session.deliver_next()
    second = session.deliver_next()
    assert second is not None
    fill(forms.delivery_undo(session, "press-call"), reason="delivered by mistake")
    assert last(session, "delivery_undone") == {"event": second.seq,
                                                 "reason": "delivered by mistake"}
    assert session.state.current_inject == "harbour-alarm"
    assert forms.delivery_undo(session, "press-call") is None  # nothing left to undo


def test_decision_corrections_need_a_decision(session: Session) -> None:
    assert forms.decision_retract(session) is None
    assert forms.decision_move(session) is None
    assert forms.decision_amend(session) is None
    assert forms.rating_correct(session) is None


def test_record_a_decision_with_its_option_and_items(session: Session) -> None:
    session.deliver_next()
    session.deliver_next()  # press-call: a decision point for Defence
    spec = forms.record_decision(session, "mod", forms.decision_inject(session.state, None))
    assert "Decision point: Send the navy?" in spec.intro
    assert [f.name for f in spec.fields] == ["text", "option", "items"]
    fill(spec, text="Send two frigates", option="send", items=["coord/lead"])
    assert last(session, "decision_recorded") == {
        "team": "mod", "inject": "press-call", "text": "Send two frigates", "option": "send",
        "items": ["coord/lead"],
    }
    assert session.state.chosen_option("press-call") == "send"


def test_retract_move_and_amend_the_newest_decision(session: Session) -> None:
    session.deliver_next()
    session.record_decision("mod", "Close the port")
    decision = session.record_decision("mod", "Call the embassy")
    move = forms.decision_move(session)
    assert move is not None and move.defaults()["event"] == str(decision.seq)  # newest first
    fill(move, team="mfa", reason="it was the foreign office")
    fill(forms.decision_amend(session), text="Call both embassies", reason="typo")
    fill(forms.decision_retract(session), reason="misheard the team")
    changed = session.state.decisions[decision.seq]
    assert (changed.team, changed.text, changed.retracted) == ("mfa", "Call both embassies", True)
    assert [d.text for d in session.state.decisions.values() if not d.retracted] == [
        "Close the port"
    ]
    assert forms.decision_choices(session.state) == [("#1 Defence: Close the port",
                                                      str(decision.seq - 1))]


def test_correct_a_rating_with_and_without_a_note(session: Session) -> None:
    session.rate_item("mod", "coord/share", "met", "shared at once with the MFA")
    fill(forms.rating_correct(session), rating="partial", note="", reason="only one ministry")
    rating = session.state.ratings[("mod", "coord/share")]
    assert (rating.rating, rating.note) == ("partial", "shared at once with the MFA")
    fill(forms.rating_correct(session), rating="not_met", note="no lead named", reason="wrong")
    rating = session.state.ratings[("mod", "coord/share")]
    assert (rating.rating, rating.note) == ("not_met", "no lead named")
    assert len(rating.corrected_by) == 2


def test_jump_the_story_clock(session: Session) -> None:
    spec = forms.story_clock_jump(session)
    assert spec.defaults()["to"] == "2026-03-14 06:00"
    assert "the story's (UTC)" in spec.intro
    message = fill(spec, to="2026-03-15T08:00Z", reason="overnight")
    assert last(session, "story_clock_jumped") == {"to": "2026-03-15T08:00:00+00:00",
                                                   "reason": "overnight"}
    assert message == "Story clock now Sun 15 Mar 08:00 (+1d 02:00)"


def test_the_story_clock_jumps_by_what_a_facilitator_types(session: Session) -> None:
    def jump(text: str) -> str:
        fill(forms.story_clock_jump(session), to=text, reason="move on")
        return str(last(session, "story_clock_jumped")["to"])

    assert jump("+18h") == "2026-03-15T00:00:00+00:00"
    assert jump("+1d6h") == "2026-03-16T06:00:00+00:00"
    assert jump("+90m") == "2026-03-16T07:30:00+00:00"
    assert jump("07:00") == "2026-03-17T07:00:00+00:00"  # 07:00 has passed: tomorrow's
    assert jump("07:00") == "2026-03-17T07:00:00+00:00"  # now itself
    assert jump("next 07:00") == "2026-03-18T07:00:00+00:00"
    assert jump("2026-03-20 09:30") == "2026-03-20T09:30:00+00:00"  # the story's zone
    assert session.state.story_now.isoformat() == "2026-03-20T09:30:00+00:00"


def test_the_story_clock_goes_back_only_when_told_to(session: Session) -> None:
    fill(forms.story_clock_jump(session), to="+2d", reason="weekend")
    message = fill(forms.story_clock_jump(session), to="-2h", reason="too far")
    assert last(session, "story_clock_jumped")["to"] == "2026-03-16T04:00:00+00:00"
    assert message == "Story clock now Mon 16 Mar 04:00 (-02:00)"
    fill(forms.story_clock_jump(session), to="2026-03-14 06:00", reason="start again")
    assert session.state.story_now.isoformat() == "2026-03-14T06:00:00+00:00"


def test_a_jump_the_form_cannot_read_records_nothing(session: Session) -> None:
    before = kinds(session)
    with pytest.raises(ValueError, match=r"^'tomorrow' is not a story time: use .*next 07:00"):
        fill(forms.story_clock_jump(session), to="tomorrow", reason="overnight")
    with pytest.raises(ValueError, match="New story time is required"):
        fill(forms.story_clock_jump(session), to="", reason="overnight")
    assert kinds(session) == before


def test_the_jump_form_reads_the_story_zone(tmp_path: Path, clock: FakeClock) -> None:
    zoned_drill = scenario(harbour_drill_data(), story_start="2026-10-06T03:30:00+02:00")
    loaded = Loaded(zoned_drill, tmp_path / "zoned.yaml", "0" * 64)
    with Session.create(tmp_path / "zoned.db", loaded, clock=clock) as zoned:
        spec = forms.story_clock_jump(zoned)
        assert spec.defaults()["to"] == "2026-10-06 03:30"
        assert "the story's (UTC+02:00)" in spec.intro
        fill(spec, to="next 03:00", reason="overnight")
        assert last(zoned, "story_clock_jumped")["to"] == "2026-10-07T03:00:00+02:00"


def test_a_note_is_attached_to_the_inject_on_screen(session: Session) -> None:
    spec = forms.note_add(session, "press-call")
    assert spec.intro == "Attached to inject press-call"
    fill(spec, text="Press room is full", team="mfa")
    assert last(session, "note_added") == {"text": "Press room is full", "team": "mfa",
                                           "inject": "press-call"}


def test_hot_wash_forms(session: Session) -> None:
    fill(forms.hotwash_entry(session), text="Calm chairing", objective="coordinate")
    fill(forms.improvement_action(session), action="Write a port SOP", organisation="Port",
         poc="J3", completion="2026-06-30", item="coord/lead", element="Planning")
    fill(forms.objective_rating(session), objective="coordinate", rating="S", reason="slow")
    assert last(session, "hotwash_entry") == {"objective": "coordinate", "kind": "strength",
                                              "text": "Calm chairing", "team": None}
    assert last(session, "improvement_action") == {
        "action": "Write a port SOP", "item": "coord/lead", "capability": "",
        "element": "Planning", "organisation": "Port", "poc": "J3", "start": "",
        "completion": "2026-06-30", "observation": None}
    assert last(session, "objective_rated") == {"objective": "coordinate", "rating": "S",
                                                "reason": "slow"}
    with pytest.raises(ValueError, match="must look like 2026-06-30"):
        fill(forms.improvement_action(session), action="x", organisation="y",
             completion="next week")


def test_save_a_copy_says_where_and_how_to_go_on(session: Session, tmp_path: Path) -> None:
    session.deliver_next()
    spec = forms.save_a_copy(session)
    assert spec.defaults()["path"].endswith("harbour-copy.db")
    message = fill(spec, path=str(tmp_path / "copy.db"))
    assert message is not None and "tabletop run harbour-drill --session" in message
    with Session.open_readonly(tmp_path / "copy.db") as copy:
        assert [e.kind for e in copy.state.history] == kinds(session)


def test_items_to_rate_puts_the_injects_own_first(session: Session) -> None:
    assert forms.items_to_rate(session.state, "harbour-alarm")[0] == "coord/share"
    assert set(forms.items_to_rate(session.state, None)) == set(session.scenario.item_by_ref)


def test_a_correction_lists_the_newest_decisions_and_takes_an_older_one_by_number(
    session: Session,
) -> None:
    first = session.record_decision("mod", "The very first decision")
    for n in range(forms.DECISIONS_LISTED + 5):
        session.record_decision("mod", f"Decision {n}")
    spec = forms.decision_amend(session)
    assert spec is not None
    listed = next(f for f in spec.fields if f.name == "event").choices
    assert len(listed) == forms.DECISIONS_LISTED
    assert str(first.seq) not in {value for _, value in listed}
    # Older decisions are named by their number (#1), not by the journal's seq.
    assert session.state.decisions[first.seq].number == 1 and first.seq != 1
    fill(spec, older="#1", text="The very first decision, corrected", reason="typo")
    assert session.state.decisions[first.seq].text == "The very first decision, corrected"
    spec = forms.decision_amend(session)
    assert spec is not None
    with pytest.raises(ValueError, match="there is no decision #999"):
        fill(spec, older="999", text="x", reason="typo")


def asked(spec: FormSpec | None, **values: Any) -> AskFirst:
    """The question saving ``values`` puts first (nothing is recorded before the yes)."""
    assert spec is not None
    with pytest.raises(AskFirst) as question:
        fill(spec, **values)
    return question.value


def test_a_decision_for_the_deciding_team_without_an_option_asks_first(
    session: Session,
) -> None:
    session.deliver_next()
    session.deliver_next()  # press-call: Defence decides, default "wait"
    spec = forms.record_decision(session, "mod", "press-call")
    before = kinds(session)
    question = asked(spec, text="We will see")
    assert "no option is chosen" in question.question and "'Wait'" in question.question
    assert kinds(session) == before
    fill(spec, text="We will see", confirmed=(question.key,))
    assert last(session, "decision_recorded")["option"] is None
    # Another team's view of it is not the decision: no question.
    fill(forms.record_decision(session, "mfa", "press-call"), text="Say nothing yet")
    assert last(session, "decision_recorded")["team"] == "mfa"


def test_a_late_decision_against_the_branch_played_is_recorded_only_when_confirmed(
    session: Session,
) -> None:
    for _ in range(3):  # alarm, press-call, ships-stay: the default branch plays
        session.deliver_next()
    spec = forms.record_decision(session, "mod", "press-call")
    question = asked(spec, text="Send them after all", option="send")
    assert "'Frigates stay in port' was delivered" in question.question
    assert "the timeline does not switch" in question.question
    fill(spec, text="Send them after all", option="send", confirmed=(question.key,))
    state = session.state
    assert last(session, "decision_recorded")["option"] == "send"
    assert state.injects["ships-sail"].status == "skipped-branch"
    # The option of the branch that played needs no question.
    fill(spec, text="Stay", option="wait")


def test_amend_starts_from_the_decision_and_can_change_its_option(session: Session) -> None:
    session.deliver_next()
    session.deliver_next()
    first = session.record_decision("mod", "Send two frigates", inject="press-call",
                                    option="send")
    session.record_decision("mfa", "Brief the press at noon")
    spec = forms.decision_amend(session)
    assert spec is not None
    opened = spec.defaults()
    assert (opened["text"], opened["option"]) == ("Brief the press at noon", None)
    # Choosing the older decision brings its own text and option into the form.
    refilled = spec.changed("event", {**opened, "event": str(first.seq)})
    assert refilled == {"text": "Send two frigates", "option": "press-call\tsend"}
    fill(spec, **{**refilled, "option": "press-call\twait"}, event=str(first.seq),
         reason="they chose to wait")
    amended = session.state.decisions[first.seq]
    assert (amended.text, amended.option) == ("Send two frigates", "wait")
    assert session.state.chosen_option("press-call") == "wait"
    with pytest.raises(ValueError, match="belongs to inject 'press-call'; this decision "
                       "answers no inject"):
        fill(forms.decision_amend(session), option="press-call\tsend", reason="x")


# ------------------------------------------------ hot wash, actions and notes (issue 14, 12)

ENTRY_FORMS = ("hotwash_correct", "hotwash_retract", "action_correct", "action_retract",
               "note_correct", "note_retract")


def test_entry_corrections_need_an_entry(session: Session) -> None:
    for name in ENTRY_FORMS:
        assert getattr(forms, name)(session) is None, name


def test_correcting_a_hot_wash_entry_starts_from_the_newest_and_follows_the_choice(
    session: Session,
) -> None:
    first = session.record("hotwash_entry", kind="strength", text="Calm chairing",
                           objective="coordinate", team="mod")
    newest = session.record("hotwash_entry", kind="improvement", text="Slow\nstart")
    spec = forms.hotwash_correct(session)
    assert spec is not None and spec.title == "hot wash: correct"
    assert [f.name for f in spec.fields] == ["event", "text", "kind", "objective", "team",
                                             "reason"]
    assert spec.fields[0].choices == [
        (f"#{newest.seq} improvement: Slow start", str(newest.seq)),
        (f"#{first.seq} strength · Defence: Calm chairing", str(first.seq)),
    ]
    opened = spec.defaults()
    assert {k: opened[k] for k in ("event", "text", "kind", "objective", "team")} == {
        "event": str(newest.seq), "text": "Slow\nstart", "kind": "improvement",
        "objective": None, "team": None,
    }
    refilled = spec.changed("event", {**opened, "event": str(first.seq)})
    assert refilled == {"text": "Calm chairing", "kind": "strength", "objective": "coordinate",
                        "team": "mod"}
    fill(spec, **{**refilled, "kind": "improvement", "team": None}, event=str(first.seq),
         reason="it was said of the chair, not of Defence")
    assert last(session, "hotwash_entry_corrected") == {
        "event": first.seq, "objective": "coordinate", "kind": "improvement",
        "text": "Calm chairing", "team": None,
        "reason": "it was said of the chair, not of Defence",
    }
    assert [(e.text, e.kind, e.team) for e in session.state.hotwash] == [
        ("Calm chairing", "improvement", None), ("Slow\nstart", "improvement", None),
    ]


def test_a_correction_saved_unchanged_records_nothing(session: Session) -> None:
    session.record("hotwash_entry", kind="strength", text="Calm chairing")
    session.record("improvement_action", action="Write a port SOP", owner="J3",
                   due="2026-06-30")
    session.record("note_added", text="Press room is full")
    before = kinds(session)
    for name, what in [("hotwash_correct", "hot wash entry"),
                       ("action_correct", "improvement action"), ("note_correct", "note")]:
        with pytest.raises(ValueError, match=f"^{what} \\d+ already says that"):
            fill(getattr(forms, name)(session), reason="no change")
    assert kinds(session) == before


def test_correct_an_improvement_action(session: Session) -> None:
    action = session.record("improvement_action", action="Write a port SOP", owner="J3",
                            due="2026-06-30", item="coord/lead", capability="")
    spec = forms.action_correct(session)
    assert spec is not None
    assert spec.fields[0].choices == [(f"#{action.seq} J3, by 2026-06-30: Write a port SOP",
                                       str(action.seq))]
    opened = spec.defaults()
    assert (opened["action"], opened["poc"], opened["completion"], opened["item"]) == (
        "Write a port SOP", "J3", "2026-06-30", "coord/lead")
    with pytest.raises(ValueError, match="must look like 2026-06-30"):
        fill(spec, completion="autumn", reason="later")
    assert "improvement_action_corrected" not in kinds(session)
    fill(spec, organisation="Port Authority", poc="Harbour master", start="2026-07-01",
         completion="2026-09-30", item=None, element="Training", reason="handed over")
    assert last(session, "improvement_action_corrected") == {
        "event": action.seq, "action": "Write a port SOP", "item": None, "capability": "",
        "element": "Training", "organisation": "Port Authority", "poc": "Harbour master",
        "start": "2026-07-01", "completion": "2026-09-30", "observation": None,
        "reason": "handed over",
    }
    (corrected,) = session.state.actions
    assert (corrected.poc, corrected.completion, corrected.item) == (
        "Harbour master", "2026-09-30", None)


def test_correcting_a_note_keeps_the_inject_it_is_attached_to(session: Session) -> None:
    fill(forms.note_add(session, "press-call"), text="Press room is full", team="mfa")
    spec = forms.note_correct(session)
    assert spec is not None
    assert spec.fields[0].choices[0][0].endswith("Foreign Office: Press room is full")
    assert (spec.defaults()["text"], spec.defaults()["team"]) == ("Press room is full", "mfa")
    fill(spec, text="Press room is half full", reason="counted again")
    assert last(session, "note_corrected")["inject"] == "press-call"
    (note,) = session.state.notes
    assert (note.text, note.team, note.inject) == ("Press room is half full", "mfa",
                                                   "press-call")


def test_retracted_entries_actions_and_notes_leave_the_lists_and_the_forms(
    session: Session,
) -> None:
    entry = session.record("hotwash_entry", kind="strength", text="Calm chairing")
    action = session.record("improvement_action", action="Write a port SOP")
    note = session.record("note_added", text="Press room is full")
    for name, kind, seq in [("hotwash_retract", "hotwash_entry_retracted", entry.seq),
                            ("action_retract", "improvement_action_retracted", action.seq),
                            ("note_retract", "note_retracted", note.seq)]:
        spec = getattr(forms, name)(session)
        assert spec is not None and [f.name for f in spec.fields] == ["event", "reason"]
        fill(spec, reason="recorded by mistake")
        assert last(session, kind) == {"event": seq, "reason": "recorded by mistake"}
    state = session.state
    assert state.hotwash == [] and state.actions == [] and state.notes == []
    for name in ENTRY_FORMS:
        assert getattr(forms, name)(session) is None, name


def test_an_entry_correction_lists_the_newest_and_takes_an_older_one_by_number(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(forms, "ENTRIES_LISTED", 3)
    first = session.record("note_added", text="The very first note")
    for n in range(4):
        session.record("note_added", text=f"Note {n}")
    spec = forms.note_correct(session)
    assert spec is not None
    listed = spec.fields[0].choices
    assert [label for label, _ in listed] == [f"#{first.seq + n} Note {n - 1}"
                                              for n in (4, 3, 2)]
    assert spec.fields[1].name == "older" and "the newest 3" in spec.fields[1].label
    assert spec.changed("older", {"older": f"#{first.seq}"}) == {
        "text": "The very first note", "team": None}
    fill(spec, older=f"#{first.seq}", text="The very first note, corrected", reason="typo")
    assert session.state.notes[0].text == "The very first note, corrected"
    retract = forms.note_retract(session)
    with pytest.raises(ValueError, match="'x1' is not a note number"):
        fill(retract, older="x1", reason="typo")
    with pytest.raises(ValueError, match=r"there is no note #1$"):
        fill(retract, older="1", reason="typo")  # the session's opening, not a note
    fill(retract, older=str(first.seq), reason="not a note after all")
    with pytest.raises(ValueError, match=f"note {first.seq} has been retracted"):
        fill(forms.note_retract(session), older=str(first.seq), reason="again")


def test_a_console_given_teams_lists_and_corrects_only_its_teams_entries(
    session: Session, clock: FakeClock
) -> None:
    from tabletop.session.authors import new_recorder

    theirs = session.record("hotwash_entry", kind="strength", text="Fast", team="mfa")
    ours = session.record("note_added", text="Seen", team="mod")
    general = session.record("hotwash_entry", kind="strength", text="Calm")
    path = Path(session.location)
    with Session.open(path, clock=clock,
                      recorder=new_recorder("scribe", "P. Ndiaye", ("mod",))) as scribe:
        spec = forms.hotwash_correct(scribe)
        assert spec is not None
        assert [value for _, value in spec.fields[0].choices] == [str(general.seq)]
        with pytest.raises(ValueError, match="records for mod, not for 'mfa'"):
            fill(spec, team="mfa", reason="theirs")
        with pytest.raises(ValueError, match="records for mod, not for 'mfa'"):
            fill(forms.hotwash_retract(scribe), older=str(theirs.seq), reason="not ours")
        fill(forms.note_retract(scribe), reason="wrong table")
        assert forms.action_correct(scribe) is None  # a scribe's console has no actions to fix
    session.refresh()
    assert session.state.retracted(ours.seq)


def test_a_console_bound_to_teams_starts_its_entries_on_its_team(
    session: Session, clock: Any
) -> None:
    from tabletop.session.authors import new_recorder

    path = Path(session.location)
    with Session.open(path, clock=clock,
                      recorder=new_recorder("evaluator", "K. Oswald", ("mfa", "civ"))) as mine:
        mine.select_team("civ")
        for spec in (forms.hotwash_entry(mine), forms.note_add(mine, None)):
            team = next(f for f in spec.fields if f.name == "team")
            assert [value for _, value in team.choices] == ["mfa", "civ"]
            assert spec.defaults()["team"] == "civ"
        fill(forms.hotwash_entry(mine), text="Clear public line")
    session.refresh()
    assert session.state.hotwash[-1].team == "civ"
    # The facilitator's console starts on no team and offers every one.
    team = next(f for f in forms.hotwash_entry(session).fields if f.name == "team")
    assert len(team.choices) == 3 and forms.hotwash_entry(session).defaults()["team"] is None


def test_choice_labels_are_cut_between_words() -> None:
    long = "#12 Defence: Send two frigates to the harbour mouth and keep the third in reserve"
    label = forms.choice_label(long)
    assert len(label) <= forms.CHOICE_WIDTH and label.endswith("…")
    assert long.startswith(label[:-1]) and long[len(label) - 1] == " "  # a word ends there
    assert forms.choice_label("short\nand   spaced") == "short and spaced"
    unbroken = "x" * 100
    assert forms.choice_label(unbroken) == "x" * (forms.CHOICE_WIDTH - 1) + "…"
