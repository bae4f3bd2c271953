"""A session file written by an earlier version opens, resumes and reports unchanged."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from report.test_golden import mask

from tabletop.report.build import build_report_model
from tabletop.report.render import render
from tabletop.session.exporting import export_session
from tabletop.session.session import Session
from tabletop.session.state import SessionState

OLD = Path(__file__).parent.parent / "fixtures" / "sessions"
NAMES = ["harbour-0.1.0", "harbour-format3"]
READ_AT = 1_780_100_000.0


@pytest.fixture(params=NAMES)
def name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def old_copy(tmp_path: Path, name: str) -> Path:
    """A private copy: the committed file is never opened for writing."""
    copy = tmp_path / f"{name}.db"
    shutil.copyfile(OLD / f"{name}.db", copy)
    return copy


OLD_ACTOR = {"name": "", "role": "facilitator", "console": ""}


def _export(session: Session, old_events: int | None = None) -> dict[str, object]:
    """The export as the old version made it: this version adds who recorded each
    event, which for an old file is always the facilitator, unknown by name."""
    data = export_session(session, READ_AT, live=False)
    meta = data["meta"]
    assert isinstance(meta, dict)
    meta.pop("file")
    assert meta.pop("branch_conflicts") == []
    assert data["export_version"] == 5
    data["export_version"] = 2
    for event in data["events"][:old_events]:
        assert event.pop("actor") == OLD_ACTOR
        assert event.pop("received") is None
    # Decisions are numbered #1, #2 … now: a field this version adds.
    decisions = data["state"]["decisions"]  # type: ignore[index]
    assert [d.pop("number") for d in decisions] == list(range(1, len(decisions) + 1))
    # Export 5 adds observations and the roster (an old file has neither) and the
    # improvement plan's columns: an old action's owner and due read as its
    # point of contact and completion date, and the columns it never had are empty.
    state = data["state"]
    assert isinstance(state, dict)
    assert state.pop("observations") == [] and state.pop("participants") == []
    for action in state["actions"]:
        action["owner"], action["due"] = action.pop("poc"), action.pop("completion")
        added = {key: action.pop(key) for key in ("element", "organisation", "start",
                                                  "observation")}
        assert added == {"element": "", "organisation": "", "start": "", "observation": None}
    _without_new_scenario_fields(data["scenario"])  # type: ignore[arg-type]
    return data


NEW_SCENARIO_FIELDS = {
    "exercise_type": "tabletop",
    "mission_areas": [],
    "location": "",
    "threat_or_hazard": "",
    "handling_instructions": "",
    "points_of_contact": [],
    "frameworks": [],
    "capabilities": [],
}
"""Fields the resolved scenario gained since, each at the default an old copy reads as."""


def _without_new_scenario_fields(scenario: dict[str, object]) -> None:
    """The scenario as the old version exported it: an old stored copy decodes with
    the new fields at their defaults (asserted here), objectives with no teams."""
    for key, default in NEW_SCENARIO_FIELDS.items():
        assert scenario.pop(key) == default, key
    scoring = scenario["scoring"]
    assert isinstance(scoring, dict)
    assert (scoring.pop("critical_weight"), scoring.pop("claim_min_ratings")) == (3, 3)
    objectives = scenario["objectives"]
    assert isinstance(objectives, list)
    for objective in objectives:
        assert objective.pop("teams") == []


def _expected_export(name: str) -> dict[str, object]:
    data = json.loads((OLD / f"{name}.export.json").read_text(encoding="utf-8"))
    data["meta"].pop("file")
    return data


def _without_authors(text: str, fmt: str) -> str:
    """The report as the old version laid it out: the history's "By" column, new
    since, says "facilitator" on every event of an old file (asserted here)."""
    if fmt == "html":
        head = '<th scope="col">Recorded</th><th scope="col">By</th>'
        cell = re.compile(r'(<td class="when">[^<]*</td>)<td>([^<]*)</td>')
    else:
        head = "| No. | Recorded | By | Event |\n|--:|---|---|---|"
        cell = re.compile(r"^(\| \d+ \| [^|]* \|) ([^|]*) \|", re.M)
    before, heading, history = text.partition(
        "Appendix H: Session history" if fmt == "html" else "H. Session history")
    assert history.count(head) == 1
    old_head = head.replace('<th scope="col">By</th>', "").replace(" By |", "")
    history = history.replace(head, old_head.replace("|---|---|---|", "|---|---|"))
    assert {m[2].strip() for m in cell.finditer(history)} == {"facilitator"}
    return before + heading + cell.sub(r"\1", history)


def _decisions_by_seq(text: str, fmt: str, state: SessionState) -> str:
    """The report as the old version numbered decisions, by their journal seq: this
    version numbers them #1, #2 … in the order recorded, and names a revision's
    event as "event 16"."""
    seq = {d.number: d.seq for d in state.decisions.values()}

    def by_seq(pattern: str, template: str, part: str) -> str:
        return re.sub(pattern, lambda m: template.format(seq[int(m[1])]), part, flags=re.M)

    heading = "<h3>Appendix C: Decision log</h3>" if fmt == "html" else "### C. Decision log"
    following = '<h3 id="timeline">Appendix D' if fmt == "html" else "### D. "
    before, found, rest = text.partition(heading)
    log, after, tail = rest.partition(following)
    assert found and after, "the decision log moved"
    if fmt == "html":
        before = by_seq(r"<li>#(\d+) ", "<li>#{} ", before)
        log = by_seq(r'<td class="num">(\d+)</td>', '<td class="num">{}</td>', log)
        log = re.sub(r"event (\d+) (amended|moved|retracted)", r"#\1 \2", log)
        tail = by_seq(r"Decision #(\d+) ", "Decision #{} ", tail)
    else:
        before = by_seq(r"#(\d+): ", "{}: ", before)
        log = by_seq(r"^\| (\d+) \|", "| {} |", log)
        log = re.sub(r"<br>event (\d+) ", r"<br>\1 ", log)
        tail = by_seq(r"Decision \\#(\d+) ", "Decision \\#{} ", tail)
    return before + found + log + after + tail


RECORD = {  # the record's sections: then (0.1.0 and format 3), and now
    "decisions": (("A. Decision log", "C. Decision log"),),
    "notes": (("B. Facilitator notes", "E. Facilitator notes"),),
    "history": (("E. Session history", "H. Session history"),),
}


def _rows(text: str, heading: str, fmt: str) -> list[str]:
    """The table rows of the section under ``heading``, up to the next heading."""
    start = text.index(heading)
    marker = "<h3" if fmt == "html" else "\n### "
    end = text.find(marker, start + len(heading))
    part = text[start : end if end > 0 else len(text)]
    if fmt == "html":
        return re.findall(r"<tr(?: class=\"struck\")?>.*?</tr>", part, re.S)
    return [line for line in part.splitlines() if line.startswith("|")]


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_an_old_session_reports_its_whole_record_as_it_did(
    old_copy: Path, name: str, fmt: str
) -> None:
    """The AAR's analysis follows today's rules (issue 15 changed how objectives are
    rated and the report's order), but the record an older version reported, every
    decision with its corrections, every note and every event, reads the same."""
    with Session.open_readonly(old_copy) as session:
        text = render(build_report_model(session), fmt)
        text = _decisions_by_seq(text, fmt, session.state)
    text = mask(_without_authors(text, fmt))
    expected = (OLD / f"{name}.{fmt}").read_text(encoding="utf-8")
    for (then, now), in RECORD.values():
        if fmt == "html":  # "C. Decision log" is "Appendix C: Decision log" there
            now = "Appendix " + now.replace(". ", ": ", 1)
        old_rows = _rows(expected, then, fmt)
        assert old_rows, then
        assert _rows(text, now, fmt) == old_rows, now
    assert "Analysis of Core Capabilities" in text and "Appendix A" in text


def test_an_old_session_exports_as_it_did(old_copy: Path, name: str) -> None:
    with Session.open_readonly(old_copy) as session:
        assert _export(session) == _expected_export(name)


def test_an_old_session_resumes_and_keeps_every_event(old_copy: Path, name: str) -> None:
    expected = _expected_export(name)
    with Session.open(old_copy) as session:
        session.record("note_added", text="Added by this version.", team=None, inject=None)
    old_events = expected["events"]
    assert isinstance(old_events, list)
    with Session.open_readonly(old_copy) as session:
        events = _export(session, len(old_events))["events"]
    assert isinstance(events, list)
    assert events[: len(old_events)] == old_events
    assert [e["kind"] for e in events[len(old_events) :]] == ["facilitator_opened", "note_added"]
