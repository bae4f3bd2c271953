"""``tabletop export`` and ``tabletop import``: a lossless, public interchange format."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from tabletop.authoring.loading import load_scenario
from tabletop.cli import main
from tabletop.core.bundled import bundled_dir
from tabletop.session.events import EVENT_KINDS, LEGACY_KINDS
from tabletop.session.session import Session

BUNDLED = ("disaster-relief", "cyber-incident", "border-tension")
# Rich markup, HTML, emoji, right-to-left script, and C0, C1, bidi and zero-width controls.
NASTY = "[bold]x[/] <b>y</b> 🚢 مرحبا بالعالم \u202egnp.exe\u202c \x1b[31mred\x1b[0m \u0085 z\u200bw"


def play_every_kind(session: Session, text: str = NASTY) -> None:
    """Record at least one event of every kind, with ``text`` in every free-text field."""
    scenario = session.scenario
    teams = [team.id for team in scenario.teams]
    items = list(scenario.item_by_ref)
    session.select_team(teams[1])
    session.toggle_pause()
    session.record("phase_started", phase=scenario.phases[0].id)
    first = session.deliver_next()
    assert first is not None
    session.record("delivery_undone", event=first.seq, reason=text)
    session.deliver(first.data["inject"])
    decided = next(i for i in scenario.injects if i.decision is not None)
    pending = [
        i.id for i in scenario.injects if i.id not in (first.data["inject"], decided.id)
        and i.when is None
    ]
    session.record("inject_held", inject=pending[0], reason=text)
    session.record("inject_released", inject=pending[0], reason=text)
    session.record("inject_skipped", inject=pending[1], reason=text)
    session.record("inject_retimed", inject=pending[2], play_minute=55, reason=text)
    session.record(
        "unscripted_inject",
        inject={"title": text, "channel": "phone", "from": text, "to": [teams[0]], "body": text},
    )
    session.deliver(decided.id)
    assert decided.decision is not None
    options = [option.id for option in decided.decision.options]
    decision = session.record_decision(
        decided.decision.team, text, inject=decided.id, option=options[0], items=items[:2]
    )
    session.record(
        "decision_amended", event=decision.seq, text=text + " (amended)", option=options[-1],
        reason=text,
    )
    loose = session.record_decision(teams[0], text)
    session.record("decision_moved", event=loose.seq, team=teams[-1], reason=text)
    session.record("decision_retracted", event=loose.seq, reason=text)
    rating = session.rate_item(teams[0], items[0], "partial", text)
    session.record("rating_corrected", event=rating.seq, rating="met", note=text, reason=text)
    session.rate_item(teams[1], items[1], "na")
    session.record("objective_rated", objective=scenario.objectives[0].id, rating="S", reason=text)
    note = session.record("note_added", text=text, team=teams[0], inject=decided.id)
    session.record("note_corrected", event=note.seq, text=text + " (corrected)", reason=text)
    session.record("story_clock_jumped", to="2030-01-02T03:04:05+01:00", reason=text)
    session.toggle_pause()
    entry = session.record("hotwash_entry", kind="strength", text=text, objective=None,
                           team=None)
    session.record("hotwash_entry_corrected", event=entry.seq, kind="improvement",
                   objective=scenario.objectives[0].id, reason=text)
    critical = next((ref for ref, (_c, item) in scenario.item_by_ref.items() if item.weight == 3),
                    None)
    observed = session.record(
        "observation_recorded", kind="improvement", text=text, team=teams[0],
        item=critical or items[0], inject=decided.id, not_performed=critical is not None,
        reference=text, analysis=text, recommendation=text,
    )
    session.record("observation_corrected", event=observed.seq, analysis=text + " (root)",
                   reason=text)
    action = session.record(
        "improvement_action", action=text, item=items[0], capability=text, element="Planning",
        organisation=text, poc=text, start="2026-12-01", completion="2027-01-31",
        observation=observed.seq,
    )
    session.record("improvement_action_corrected", event=action.seq, poc=text + " (new)",
                   completion="2027-02-28", reason=text)
    # A sign-in sheet holds printable text: no controls in a name.
    person = "Ana <b>Lopes</b> [bold]x[/] 🚢 مرحبا"
    participant = session.record("participant_added", name=person, organisation=person,
                                 nation=person, role="evaluator", team=teams[0],
                                 name_in_report=True)
    session.record("participant_corrected", event=participant.seq, role="player",
                   reason=text)
    for kind, data in [
        ("note", {"text": text}),
        ("hotwash_entry", {"kind": "improvement", "text": text}),
        ("improvement_action", {"action": text}),
        ("observation", {"kind": "strength", "text": text,
                         "objective": scenario.objectives[0].id}),
        ("participant", {"name": "Signed in twice"}),
    ]:
        first_kind = {"note": "note_added", "observation": "observation_recorded",
                      "participant": "participant_added"}.get(kind, kind)
        slip = session.record(first_kind, **data)
        gone = "removed" if kind == "participant" else "retracted"
        session.record(f"{kind}_{gone}", event=slip.seq, reason=text)
    session.end_exercise()


def played_session(tmp_path: Path, exercise: str) -> Path:
    path = tmp_path / f"{exercise}.db"
    loaded = load_scenario(bundled_dir() / "exercises" / f"{exercise}.yaml")
    with Session.create(path, loaded) as session:
        play_every_kind(session)
        kinds = {event.kind for event in session.state.history}
    assert kinds == EVENT_KINDS - LEGACY_KINDS, sorted(EVENT_KINDS - LEGACY_KINDS - kinds)
    return path


def export(path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    assert main(["export", str(path)]) == 0
    out = capsys.readouterr().out
    data: dict[str, Any] = json.loads(out)
    return data


def masked(data: dict[str, Any]) -> dict[str, Any]:
    """What may differ between a session and its imported copy: identity, name, creation."""
    copy = json.loads(json.dumps(data))
    for key in ("file", "session_id", "created"):
        copy["meta"].pop(key)
    return copy


def write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("exercise", BUNDLED)
def test_export_import_export_is_identical(
    exercise: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    original = played_session(tmp_path, exercise)
    first = export(original, capsys)
    dump = write_json(tmp_path / "export.json", first)
    copy = tmp_path / "copy.db"
    assert main(["import", str(dump), "-o", str(copy)]) == 0
    assert f"into {copy}" in capsys.readouterr().out
    second = export(copy, capsys)
    assert masked(second) == masked(first)
    assert second["meta"]["session_id"] != first["meta"]["session_id"]
    assert first["scenario"]["id"] == exercise
    # The copy is a complete, closed session file, and nothing else was left.
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [original.name, dump.name, copy.name]
    )


def test_export_escapes_controls_as_json_and_keeps_the_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    original = played_session(tmp_path, "border-tension")
    assert main(["export", str(original)]) == 0
    out = capsys.readouterr().out
    for raw in ("\x1b", "\u202e", "\u0085", "\u200b"):
        assert raw not in out
    assert "\\u202e" in out and "\\u001b" in out and "مرحبا" in out and "🚢" in out
    texts = [e["data"].get("text") for e in json.loads(out)["events"]]
    assert NASTY in texts


def test_state_is_ignored_on_import(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    original = played_session(tmp_path, "cyber-incident")
    data = export(original, capsys)
    expected = masked(data)
    data["state"] = {"decisions": "forged", "clocks": None}
    copy = tmp_path / "copy.db"
    assert main(["import", str(write_json(tmp_path / "e.json", data)), "-o", str(copy)]) == 0
    capsys.readouterr()
    assert masked(export(copy, capsys)) == expected


def refused(
    tmp_path: Path, data: Any, capsys: pytest.CaptureFixture[str], name: str = "new.db"
) -> str:
    source = tmp_path / "in" / "export.json"
    source.parent.mkdir(exist_ok=True)
    write_json(source, data)
    out_dir = tmp_path / "out"
    out_dir.mkdir(exist_ok=True)
    before = sorted(os.listdir(out_dir))
    assert main(["import", str(source), "-o", str(out_dir / name)]) == 1
    err = capsys.readouterr().err
    assert sorted(os.listdir(out_dir)) == before, "a refused import left files behind"
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    return err.strip()


def test_an_event_live_play_refuses_is_refused_with_its_seq(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = export(played_session(tmp_path, "disaster-relief"), capsys)
    delivered = next(e for e in data["events"] if e["kind"] == "inject_delivered")
    data["events"].append(
        {"seq": len(data["events"]) + 1, "kind": "inject_delivered", "wall": 2e9,
         "data": {"inject": delivered["data"]["inject"]}}
    )
    message = refused(tmp_path, data, capsys)
    assert f"event seq {len(data['events'])} (inject_delivered)" in message
    assert "has already been delivered" in message
    assert message.endswith("no session was made")


@pytest.mark.parametrize(
    "change,expected",
    [
        (lambda d: d["events"][3].update(seq=9), "its seq is 9"),
        (lambda d: d["events"][2].update(kind="inject_deliverd"), "did you mean"),
        (lambda d: d["events"][1].update(wall=-5), "'wall' must be a time"),
        (lambda d: d["events"][1]["data"].update(bogus=1), "unexpected field 'bogus'"),
        (lambda d: d["events"][1].update(data=[1]), "Expected `object`, got `array`"),
        (lambda d: d.update(export_version=99), "upgrade tabletop"),
        (lambda d: d["scenario"].update(teams="x"), "scenario in the export cannot be read"),
        (lambda d: d["meta"].update(exercise_id="other"), "names exercise 'other'"),
    ],
)
def test_damaged_exports_are_refused_in_one_line(
    change: Any, expected: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = export(played_session(tmp_path, "border-tension"), capsys)
    change(data)
    assert expected in refused(tmp_path, data, capsys)


def test_json_syntax_errors_and_huge_numbers_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"events": [', encoding="utf-8")
    assert main(["import", str(bad), "-o", str(tmp_path / "n.db")]) == 1
    assert "not valid JSON: Input data was truncated" in capsys.readouterr().err
    bad.write_text('{\n  "events": [x]}', encoding="utf-8")
    assert main(["import", str(bad), "-o", str(tmp_path / "n.db")]) == 1
    assert "not valid JSON at line 2, column 14: invalid character" in capsys.readouterr().err
    huge = tmp_path / "huge.json"
    huge.write_text(
        '{"exercise_id": "border-tension", "events": [{"kind": "clock_resumed", "wall": 1e400}]}',
        encoding="utf-8",
    )
    assert main(["import", str(huge), "-o", str(tmp_path / "n.db")]) == 1
    assert "Number out of range - at `$.events[0].wall`" in capsys.readouterr().err
    huge.write_text(
        '{"exercise_id": "border-tension", "events": [{"kind": "inject_retimed", "data": '
        '{"inject": "x", "play_minute": 123456789012345678901234567890}}]}',
        encoding="utf-8",
    )
    assert main(["import", str(huge), "-o", str(tmp_path / "n.db")]) == 1
    assert "(inject_retimed): inject_retimed: 'play_minute' must be a whole number from 0 to 1440" in (
        capsys.readouterr().err
    )
    assert not (tmp_path / "n.db").exists()


def test_import_never_overwrites(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = export(played_session(tmp_path, "border-tension"), capsys)
    source = write_json(tmp_path / "e.json", data)
    existing = tmp_path / "existing.db"
    existing.write_bytes(b"precious")
    assert main(["import", str(source), "-o", str(existing)]) == 1
    assert "already exists" in capsys.readouterr().err
    assert existing.read_bytes() == b"precious"
    dangling = tmp_path / "dangling.db"
    dangling.symlink_to(tmp_path / "elsewhere.db")
    assert main(["import", str(source), "-o", str(dangling)]) == 1
    assert not (tmp_path / "elsewhere.db").exists()


def hand_written_events() -> list[dict[str, Any]]:
    return [
        {"kind": "clock_resumed"},
        {"kind": "inject_delivered", "data": {"inject": "hotline-silent"}},
        {"kind": "decision_recorded", "wall": 1_900_000_000.0,
         "data": {"team": "averna-mfa", "text": "Call the attaché"}},
    ]


@pytest.mark.parametrize(
    "envelope",
    [
        lambda events: {"exercise_id": "border-tension", "events": events},
        lambda events: {"meta": {"exercise_id": "border-tension"}, "events": events},
    ],
)
def test_a_hand_written_export_imports(
    envelope: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    scenario = load_scenario(bundled_dir() / "exercises" / "border-tension.yaml").scenario
    events = hand_written_events()
    events[1]["data"]["inject"] = scenario.injects[0].id
    events[2]["data"]["team"] = scenario.teams[0].id
    source = write_json(tmp_path / "hand.json", envelope(events))
    assert main(["import", str(source), "-o", "made.db"]) == 0
    capsys.readouterr()
    data = export(tmp_path / "made.db", capsys)
    assert [e["kind"] for e in data["events"]] == [e["kind"] for e in events]
    assert [e["seq"] for e in data["events"]] == [1, 2, 3]
    walls = [e["wall"] for e in data["events"]]
    assert walls[0] == walls[1] and walls[2] == 1_900_000_000.0
    decision = data["events"][2]["data"]
    assert decision == {"team": scenario.teams[0].id, "inject": None,
                        "text": "Call the attaché", "option": None, "items": []}


def version_1(data: dict[str, Any]) -> dict[str, Any]:
    """What today's export looked like before it carried the scenario."""
    old = json.loads(json.dumps(data))
    old["export_version"] = 1
    del old["scenario"]
    del old["meta"]["session_id"]
    return old


def test_an_old_export_imports_when_its_exercise_file_is_unchanged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace = tmp_path / "ws"
    (workspace / "exercises").mkdir(parents=True)
    exercise = workspace / "exercises" / "border-tension.yaml"
    shutil.copy(bundled_dir() / "exercises" / "border-tension.yaml", exercise)
    monkeypatch.chdir(workspace)
    path = tmp_path / "old.db"
    with Session.create(path, load_scenario("border-tension")) as session:
        play_every_kind(session)
    current = export(path, capsys)
    old = version_1(current)
    source = write_json(tmp_path / "old.json", old)
    assert main(["import", str(source), "-o", str(tmp_path / "copy.db")]) == 0
    capsys.readouterr()
    again = export(tmp_path / "copy.db", capsys)
    assert masked(again) == masked(current)

    exercise.write_text(exercise.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    message = refused(tmp_path, old, capsys)
    assert "has changed since the session was recorded" in message
    assert "border-tension.yaml" in message


def test_an_old_export_of_an_unknown_exercise_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    message = refused(tmp_path, {"exercise_id": "no-such-drill", "events": []}, capsys)
    assert "exercise 'no-such-drill' is not in this workspace" in message
    message = refused(tmp_path, {"events": []}, capsys)
    assert "names no exercise" in message


def test_export_to_a_file_and_never_over_the_session(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    original = played_session(tmp_path, "border-tension")
    before = original.read_bytes()
    out = tmp_path / "export.json"
    assert main(["export", str(original), "-o", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["meta"]["exercise_id"] == "border-tension"
    assert main(["export", str(original), "-o", str(original)]) == 1
    assert "session file" in capsys.readouterr().err
    link = tmp_path / "link.json"
    link.symlink_to(original)
    assert main(["export", str(original), "-o", str(link)]) == 1
    assert original.read_bytes() == before


def test_the_documented_hand_written_example_imports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "export.md").read_text(encoding="utf-8")
    example = re.findall(r"```json\n(\{\n  \"exercise_id\".*?)```", doc, re.S)
    assert len(example) == 1
    monkeypatch.chdir(tmp_path)
    source = tmp_path / "hand.json"
    source.write_text(example[0], encoding="utf-8")
    assert main(["import", str(source), "-o", "made.db"]) == 0
    assert "Imported 3 events of 'border-tension'" in capsys.readouterr().out


def test_every_event_kind_is_documented() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "export.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([a-z_]+)` \|", doc, re.M)) & EVENT_KINDS
    assert documented == EVENT_KINDS
