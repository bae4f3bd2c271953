"""A standing hostile property: control characters, bidi, emoji and huge values in
every text field of a scenario and of a session's events never crash a command,
never reach the terminal raw, and never change the data on the way through."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scenarios import harbour_drill_data

from tabletop.cli import main
from tabletop.core.scenario import Scenario, build
from tabletop.session.session import Session

RAW = set("\x1b\x07\x9b\x85\u202e\u2066\u200b\ufeff")
NASTY_CHARS = st.sampled_from(
    ["\x1b", "\x1b[2J", "\x07", "\x9b", "\x85", "\u202e", "\u2066", "\u200b", "\ufeff",
     "\x00", "\r", "\n", "\t", "[b]", "[/]", "<b>", "{{ x }}", "🚢", "مرحبا", "\udcff"[:0]]
)
NASTY_TEXT = st.lists(st.one_of(NASTY_CHARS, st.text(min_size=0, max_size=3)),
                      min_size=1, max_size=8).map("".join).filter(lambda s: s.strip() != "")
HUGE_TEXT = st.integers(min_value=1, max_value=3).map(lambda n: "W" * (10_000 * n))
TEXT = st.one_of(NASTY_TEXT, HUGE_TEXT)

# Text fields that hold prose, not ids: every one of them gets a hostile value.
SCENARIO_TEXT = ("title", "summary", "scope", "sponsor", "marking")
INJECT_TEXT = ("title", "from", "body", "facilitator_notes")
TEAM_TEXT = ("name", "role")

HOSTILE = settings(
    max_examples=12, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.function_scoped_fixture],
)


def hostile_scenario(draw: Any) -> dict[str, Any]:
    data = harbour_drill_data()
    for key in SCENARIO_TEXT:
        data[key] = draw(TEXT)
    for inject in data["injects"]:
        for key in INJECT_TEXT:
            inject[key] = draw(TEXT)
        inject["questions"] = [draw(TEXT)]
    for team in data["teams"]:
        for key in TEAM_TEXT:
            team[key] = draw(TEXT)
    for objective in data["objectives"]:
        objective["text"] = draw(TEXT)
    for phase in data["phases"]:
        phase["title"] = draw(TEXT)
        phase["questions"] = [draw(TEXT)]
    for checklist in data["checklists"]:
        checklist["title"] = draw(TEXT)
        for item in checklist["items"]:
            item["text"] = draw(TEXT)
    return data


@st.composite
def hostile_cases(draw: Any) -> tuple[dict[str, Any], list[str]]:
    return hostile_scenario(draw), draw(st.lists(TEXT, min_size=6, max_size=6))


def no_raw(text: str) -> bool:
    return not (RAW & set(text))


@HOSTILE
@given(case=hostile_cases())
def test_hostile_text_everywhere_never_crashes_or_reaches_the_terminal(
    case: tuple[dict[str, Any], list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    data, texts = case
    scenario = build(Scenario, data)
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        from scenarios import Loaded

        path = tmp / "s.db"
        with Session.create(path, Loaded(scenario, tmp / "x.yaml", "0" * 64)) as session:
            session.deliver_next()
            session.record_decision("mod", texts[0], inject="harbour-alarm")
            session.rate_item("mod", "coord/share", "partial", texts[1])
            session.record("note_added", text=texts[2], team="mfa", inject=None)
            session.record("hotwash_entry", kind="improvement", text=texts[3],
                           objective=None, team=None)
            session.record("improvement_action", action=texts[4], item=None, capability="",
                           owner=texts[5], due="")
            session.record("unscripted_inject", inject={
                "title": texts[0], "channel": "news", "from": texts[1], "to": "all",
                "body": texts[2]})
        capsys.readouterr()

        assert main(["export", str(path)]) == 0
        exported = capsys.readouterr().out
        assert no_raw(exported)
        first = json.loads(exported)
        assert first["events"][2]["data"]["text"] == texts[0]  # the data is unchanged
        (tmp / "e.json").write_text(exported, encoding="utf-8")
        assert main(["import", str(tmp / "e.json"), "-o", str(tmp / "copy.db")]) == 0
        capsys.readouterr()
        assert main(["export", str(tmp / "copy.db")]) == 0
        second = json.loads(capsys.readouterr().out)
        for copy in (first, second):
            for key in ("file", "session_id", "created"):
                copy["meta"].pop(key)
        assert second == first

        for fmt in ("md", "json"):
            assert main(["report", str(path), "-o", "-", "--format", fmt]) == 0
            assert no_raw(capsys.readouterr().out), fmt
        assert main(["report", str(path), "-o", str(tmp / "r.html")]) == 0
        assert main(["sessions", str(tmp)]) == 0
        out = capsys.readouterr()
        assert no_raw(out.out + out.err)

        workspace = tmp / "ws" / "exercises"
        workspace.mkdir(parents=True)
        (workspace / "hostile.yaml").write_text(json.dumps(data), encoding="utf-8")
        code = main(["validate", str(workspace / "hostile.yaml")])
        out = capsys.readouterr()
        assert code in (0, 1)
        assert no_raw(out.out + out.err)
        assert all(len(line) <= 500 for line in out.out.splitlines())
