"""A decision point's branches never both play: live, in an import, and in old records."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tabletop.report.build import build_report_model
from tabletop.report.render import render
from tabletop.session.exporting import export_session
from tabletop.session.importing import ExportRefused, import_session, parse_export
from tabletop.session.session import Session


def play_the_default_branch_then_decide_late(session: Session) -> None:
    for inject_id in ("intro", "choice", "talks"):
        session.deliver(inject_id)
    # The policy team decides late, for the branch the room did not play.
    session.record_decision("policy", "Escalate after all", inject="choice", option="escalate")


def test_the_other_branch_cannot_be_delivered_once_one_has_played(session: Session) -> None:
    play_the_default_branch_then_decide_late(session)
    state = session.state
    assert state.decisions[max(state.decisions)].option == "escalate"  # kept on record
    assert state.injects["escalation"].status == "skipped-branch"
    assert session.deliver_next() is not None
    assert state.current_inject == "wrapup"  # 'n' walked past the other branch
    with pytest.raises(ValueError, match="decision point 'choice' has already played "
                       "another branch \\('talks' was delivered\\); undo that delivery"):
        session.deliver("escalation")
    assert state.injects["escalation"].status == "skipped-branch"
    # Undoing the branch played (with a reason) lets the late decision steer.
    talks = state.injects["talks"].delivery
    assert talks is not None
    session.record("delivery_undone", event=talks.seq, reason="wrong branch played")
    session.deliver("escalation")
    assert state.branch_conflicts() == []


def both_branches(session: Session) -> dict[str, Any]:
    """An export of a record made before the rule: both branches delivered."""
    play_the_default_branch_then_decide_late(session)
    data = json.loads(json.dumps(export_session(session, session.clock())))
    seq = len(data["events"]) + 1
    data["events"].append({"seq": seq, "kind": "inject_delivered", "wall": 1_800_000_000.0,
                           "data": {"inject": "escalation"}})
    return data


def imported(data: dict[str, Any], target: Path) -> Session:
    import_session(parse_export(json.dumps(data).encode()), target, lambda _id: None)
    return Session.open_readonly(target)


def test_an_export_made_before_the_rule_imports_and_names_the_conflict(
    session: Session, tmp_path: Path
) -> None:
    data = both_branches(session)
    data["export_version"] = 3
    copy = imported(data, tmp_path / "old.db")
    try:
        assert copy.state.branch_conflicts() == [("choice", ["escalation", "talks"])]
        report = build_report_model(copy)
        again = export_session(copy, copy.clock(), live=False)
    finally:
        copy.close()
    # Its export lists the deliveries made before the rule, and imports again.
    listed = again["meta"]["branch_conflicts"]
    assert [e["data"]["inject"] for e in again["events"] if e["seq"] in listed] == [
        "talks", "escalation"]
    imported(json.loads(json.dumps(again)), tmp_path / "again.db").close()
    # The report says so at the top instead of refusing the file.
    flagged = [(c.decision, c.played) for c in report.branch_conflicts]
    titles = {i.id: i.title for i in copy.state.scenario.injects}
    assert flagged == [(titles["choice"], [titles["escalation"], titles["talks"]])]
    for fmt in ("html", "md"):
        text = render(report, fmt)
        assert text.count(f"decision point \"{titles['choice']}\"") == 1
        assert text.index("Both branches") < text.index("Exercise Overview")


def test_an_export_under_the_rule_cannot_deliver_both(session: Session, tmp_path: Path) -> None:
    data = both_branches(session)
    assert data["export_version"] == 5 and data["meta"]["branch_conflicts"] == []
    target = tmp_path / "refused.db"
    with pytest.raises(ExportRefused, match=f"event seq {len(data['events'])} "
                       "\\(inject_delivered\\): decision point 'choice' has already played"):
        import_session(parse_export(json.dumps(data).encode()), target, lambda _id: None)
    assert not target.exists()
