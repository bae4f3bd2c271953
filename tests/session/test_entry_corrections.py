"""Notes, hot wash entries and improvement actions are corrected and retracted with
a reason, as decisions and ratings are (issue 14, item 12)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import FakeClock, Script

from tabletop.session.authors import new_recorder
from tabletop.session.events import payload_of
from tabletop.session.permissions import refusal
from tabletop.session.session import Refused, Session
from tabletop.session.state import HotwashEntry, ImprovementAction, Note

# ------------------------------------------------------------ the state (pure)


def test_a_corrected_entry_reads_as_corrected_and_keeps_its_place(script: Script) -> None:
    state = script.state
    first = script.add("hotwash_entry", kind="strength", text="Fast", objective="o1")
    second = script.add("hotwash_entry", kind="strength", text="Calm", team="ops")
    fix = script.add("hotwash_entry_corrected", event=first.seq, kind="improvement",
                     text="Fast, but without the ministry", objective=None, team="policy",
                     reason="misheard")
    assert state.hotwash == [
        HotwashEntry(first.seq, None, "improvement", "Fast, but without the ministry", "policy"),
        HotwashEntry(second.seq, None, "strength", "Calm", "ops"),
    ]
    assert state.corrections == {first.seq: [fix.seq]}
    assert state.hotwash_entry(first.seq) is state.hotwash[0]


def test_a_correction_that_leaves_a_field_out_keeps_it(script: Script) -> None:
    state = script.state
    action = script.add("improvement_action", action="Write SOP", item="drill/brief",
                        capability="Coordination", owner="J5", due="2026-06-30")
    script.add("improvement_action_corrected", event=action.seq, due="2026-09-30",
               reason="J5 asked for the summer")
    note = script.add("note_added", text="Good liaison", team="ops", inject=None)
    script.add("note_corrected", event=note.seq, text="Good liaison with policy", reason="typo")
    assert state.actions == [ImprovementAction(action.seq, "Write SOP", "drill/brief",
                                               "Coordination", poc="J5",
                                               completion="2026-09-30")]
    assert (state.notes[0].text, state.notes[0].team) == ("Good liaison with policy", "ops")


def test_a_retracted_entry_leaves_the_lists_and_the_history_keeps_it(script: Script) -> None:
    state = script.state
    kept = script.add("note_added", text="Kept")
    slip = script.add("note_added", text="Wrong table")
    entry = script.add("hotwash_entry", kind="strength", text="Never said")
    action = script.add("improvement_action", action="Duplicate")
    for kind, target in [("note", slip), ("hotwash_entry", entry),
                         ("improvement_action", action)]:
        script.add(f"{kind}_retracted", event=target.seq, reason="recorded by mistake")
    assert [n.text for n in state.notes] == ["Kept"]
    assert state.hotwash == [] and state.actions == []
    assert all(state.retracted(e.seq) for e in (slip, entry, action))
    assert not state.retracted(kept.seq)
    retracted_note = state.note(slip.seq)
    assert isinstance(retracted_note, Note) and retracted_note.text == "Wrong table"
    assert [e.kind for e in state.history].count("note_added") == 2
    assert set(state.corrections) == {slip.seq, entry.seq, action.seq}


def test_corrections_of_what_is_not_there_never_raise(script: Script) -> None:
    state = script.state
    note = script.add("note_added", text="Once")
    script.add("note_retracted", event=note.seq, reason="gone")
    odd = [
        ("note_corrected", {"event": note.seq, "text": "after the retraction", "reason": "r"}),
        ("note_retracted", {"event": note.seq, "reason": "twice"}),
        ("hotwash_entry_corrected", {"event": 99, "text": "x", "reason": "r"}),
        ("improvement_action_retracted", {"event": 1, "reason": "not an action"}),
    ]
    for kind, data in odd:
        script.add(kind, **data)
    assert state.notes == [] and state.hotwash == [] and state.actions == []
    assert state.corrections == {note.seq: [note.seq + 1]}
    note_state = state.note(note.seq)
    assert note_state is not None and note_state.text == "Once"


# ------------------------------------------------------------ the checks


def test_a_stored_correction_is_complete(session: Session) -> None:
    session.deliver("intro")
    entry = session.record("hotwash_entry", kind="strength", text="Fast", objective="o1")
    fixed = session.record("hotwash_entry_corrected", event=entry.seq, text="Very fast",
                           reason="typo")
    assert fixed.data == {"event": entry.seq, "objective": "o1", "kind": "strength",
                          "text": "Very fast", "team": None, "reason": "typo"}
    note = session.record("note_added", text="Seen", team="ops", inject="intro")
    fixed = session.record("note_corrected", event=note.seq, team="", reason="all teams")
    assert fixed.data == {"event": note.seq, "text": "Seen", "team": None, "inject": "intro",
                          "reason": "all teams"}
    action = session.record("improvement_action", action="SOP", poc="J5")
    fixed = session.record("improvement_action_corrected", event=action.seq, item="drill/brief",
                           reason="the item it answers")
    assert fixed.data == {"event": action.seq, "action": "SOP", "item": "drill/brief",
                          "capability": "", "element": "", "organisation": "", "poc": "J5",
                          "start": "", "completion": "", "observation": None,
                          "reason": "the item it answers"}


def test_corrections_are_checked_like_what_they_correct(session: Session) -> None:
    entry = session.record("hotwash_entry", kind="strength", text="Fast")
    action = session.record("improvement_action", action="SOP")
    note = session.record("note_added", text="Seen")
    r = {"reason": "r"}
    refused = [
        ("hotwash_entry_corrected", {"event": entry.seq, "objective": "o9", **r},
         "unknown objective 'o9'"),
        ("hotwash_entry_corrected", {"event": entry.seq, "team": "navy", **r},
         "unknown team 'navy'"),
        ("hotwash_entry_corrected", {"event": entry.seq, "kind": "weakness", **r},
         "'kind' must be one of"),
        ("hotwash_entry_corrected", {"event": entry.seq, "text": " ", **r}, "'text'"),
        ("improvement_action_corrected", {"event": action.seq, "due": "next week", **r},
         "must look like 2026-06-30"),
        ("improvement_action_corrected", {"event": action.seq, "item": "drill/none", **r},
         "unknown checklist item 'drill/none'"),
        ("note_corrected", {"event": note.seq, "inject": "nowhere", **r},
         "unknown inject 'nowhere'"),
        ("note_corrected", {"event": entry.seq, "text": "x", **r},
         f"note_corrected corrects note_added events, but event {entry.seq} is hotwash_entry"),
        ("note_retracted", {"event": 99, **r}, "there is no event 99 to correct"),
        ("hotwash_entry_retracted", {"event": entry.seq}, "'reason' is missing"),
        ("hotwash_entry_corrected", {"event": entry.seq, "text": "Fast", **r},
         f"hot wash entry {entry.seq} already says that: change something, or retract it"),
        ("improvement_action_corrected", {"event": action.seq, **r},
         f"improvement action {action.seq} already says that"),
    ]
    before = session.store.events()
    for kind, data, message in refused:
        with pytest.raises(ValueError, match=re.escape(message)):
            session.record(kind, **data)
    assert session.store.events() == before


@pytest.mark.parametrize(("added", "data", "what"), [
    ("note_added", {"text": "Seen"}, "note"),
    ("hotwash_entry", {"kind": "strength", "text": "Fast"}, "hot wash entry"),
    ("improvement_action", {"action": "SOP"}, "improvement action"),
])
def test_nothing_retracted_is_corrected_or_retracted_again(
    session: Session, added: str, data: dict[str, str], what: str
) -> None:
    kind = "note" if added == "note_added" else added
    event = session.record(added, **data)
    session.record(f"{kind}_retracted", event=event.seq, reason="a slip")
    for again in (f"{kind}_retracted", f"{kind}_corrected"):
        with pytest.raises(ValueError, match=f"^{what} {event.seq} has been retracted$"):
            session.record(again, event=event.seq, reason="again")


def test_corrections_replay_when_the_session_reopens(session: Session, clock: FakeClock) -> None:
    entry = session.record("hotwash_entry", kind="strength", text="Fast")
    session.record("hotwash_entry_corrected", event=entry.seq, text="Quick", reason="word")
    action = session.record("improvement_action", action="SOP")
    session.record("improvement_action_retracted", event=action.seq, reason="duplicate")
    path = Path(session.location)
    expected = (session.state.hotwash, session.state.actions, session.state.corrections)
    session.close()
    with Session.open_readonly(path) as reader:
        state = reader.state
        assert (state.hotwash, state.actions, state.corrections) == expected
        assert state.retracted(action.seq)
    with Session.open(path, clock=clock) as writer, \
            pytest.raises(ValueError, match="has been retracted"):
        writer.record("improvement_action_corrected", event=action.seq, owner="x", reason="r")


# ------------------------------------------------------------ who may correct


def test_whoever_adds_an_entry_corrects_it_and_the_facilitator_corrects_actions(
    session: Session,
) -> None:
    state = session.state
    note = session.record("note_added", text="Seen")
    entry = session.record("hotwash_entry", kind="strength", text="Fast")
    action = session.record("improvement_action", action="SOP")

    def check(role: str, kind: str, **data: object) -> str | None:
        name = None if role == "facilitator" else "X"
        teams = ("ops",) if role == "scribe" else ()
        payload = payload_of(kind, {**data, "reason": "r"})
        return refusal(new_recorder(role, name, teams), payload, state)

    for role in ("controller", "evaluator", "scribe", "facilitator"):
        assert check(role, "note_corrected", event=note.seq, text="Seen twice") is None
        assert check(role, "note_retracted", event=note.seq) is None
    for role in ("evaluator", "scribe", "facilitator"):
        assert check(role, "hotwash_entry_corrected", event=entry.seq, text="Quick") is None
        assert check(role, "hotwash_entry_retracted", event=entry.seq) is None
    assert check("controller", "hotwash_entry_retracted", event=entry.seq) == (
        "a controller cannot retract hot wash entries: evaluators and scribes and the "
        "facilitator can"
    )
    assert check("facilitator", "improvement_action_retracted", event=action.seq) is None
    for role in ("controller", "evaluator", "scribe"):
        assert check(role, "improvement_action_corrected", event=action.seq, owner="Y") == (
            f"a{'n' if role == 'evaluator' else ''} {role} cannot correct improvement actions: "
            "the facilitator can"
        )
    assert check("observer", "note_retracted", event=note.seq) == (
        "an observer console records nothing; join with another role to record"
    )


def test_a_console_given_teams_corrects_only_its_teams_entries(
    session: Session, session_path: Path, clock: FakeClock
) -> None:
    theirs = session.record("hotwash_entry", kind="strength", text="Fast", team="policy")
    ours = session.record("note_added", text="Seen", team="ops")
    general = session.record("hotwash_entry", kind="strength", text="Calm")
    with Session.open(session_path, clock=clock,
                      recorder=new_recorder("evaluator", "K. Oswald", ("ops",))) as evaluator:
        with pytest.raises(Refused, match="records for ops, not for 'policy'"):
            evaluator.record("hotwash_entry_retracted", event=theirs.seq, reason="not ours")
        # Giving an entry another team records for that team: not from this console.
        with pytest.raises(Refused, match="records for ops, not for 'comms'"):
            evaluator.record("note_corrected", event=ours.seq, team="comms", reason="moved")
        with pytest.raises(Refused, match="records for ops, not for 'policy'"):
            evaluator.record("hotwash_entry_corrected", event=general.seq, team="policy",
                             reason="theirs")
        evaluator.record("note_corrected", event=ours.seq, text="Seen at once", reason="r")
        evaluator.record("hotwash_entry_corrected", event=general.seq, team="ops", reason="r")
    session.refresh()
    assert session.state.notes[0].text == "Seen at once"
    assert [(e.text, e.team) for e in session.state.hotwash] == [("Fast", "policy"),
                                                                 ("Calm", "ops")]
