"""Semantic checks: ids, references, time, branches and evaluation coverage."""

from __future__ import annotations

from pathlib import Path

import pytest

from tabletop.authoring.loading import load_scenario
from tabletop.authoring.validation import validate_files


def problems_after(
    workspace: Path, old: str, new: str, file: str = "exercises/mini.yaml"
) -> list[str]:
    path = workspace / file
    text = path.read_text()
    assert old in text, f"fixture no longer contains {old!r}"
    path.write_text(text.replace(old, new, 1))
    return [str(p) for p in validate_files([workspace / "exercises" / "mini.yaml"]).problems]


def test_fixture_workspace_is_valid(workspace: Path) -> None:
    assert validate_files([workspace / "exercises" / "mini.yaml"]).problems == []


def test_resolved_scenario_merges_the_library(workspace: Path) -> None:
    loaded = load_scenario("mini")
    scenario = loaded.scenario
    assert [i.id for i in scenario.injects] == ["shots", "press-call", "troops-move", "talks"]
    press = scenario.inject_by_id["press-call"]
    assert press.library == "press-call"
    assert press.to == ["green"]
    assert press.body.startswith("We hear")
    assert [c.id for c in scenario.checklists] == ["drill"]
    assert scenario.phases[1].injects == ["troops-move", "talks"]
    assert len(loaded.sha256) == 64


@pytest.mark.parametrize(
    "old,new,expected",
    [
        ("  - id: green\n", "  - id: blue\n", "teams[1].id: duplicate id 'blue'"),
        ("to: [green]", "to: [gren]", "no team 'gren' (did you mean 'green'?)"),
        ("[drill/hotline]", "[drill/hotlin]", "has no item 'hotlin' (did you mean 'hotline'?)"),
        ("[drill/hotline]", "[dril/hotline]", "no checklist 'dril' (did you mean 'drill'?)"),
        ("use: press-call", "use: press-cal", "no library inject 'press-cal'"),
        ("default: hold", "default: hodl", "default 'hodl' is not one of the options"),
        ("team: blue\n", "team: bleu\n", "no team 'bleu' (did you mean 'blue'?)"),
        ("option: reinforce}", "option: reinforc}", "has no option 'reinforc'"),
        ("{inject: shots, option: hold}", "{inject: shot, option: hold}", "no inject 'shot'"),
        ("story_time: +1h", "story_time: +1m", "earlier than the inject before it"),
        ("play_minute: 10", "play_minute: 100", "after the exercise's 1h of play"),
        (
            'duration: 30m\n    questions: ["What',
            'duration: 45m\n    questions: ["What',
            "add up to 1h15m",
        ),
    ],
)
def test_semantic_problem_is_reported(workspace: Path, old: str, new: str, expected: str) -> None:
    problems = problems_after(workspace, old, new)
    matching = [p for p in problems if expected in p]
    assert matching, problems
    assert all(p.startswith("exercises/mini.yaml:") for p in matching)


def test_misspelt_key_gets_did_you_mean_with_line(workspace: Path) -> None:
    problems = problems_after(workspace, "    title: First hours", "    titel: First hours")
    assert (
        "exercises/mini.yaml:25:5: phases[0].titel: unknown key 'titel' (did you mean 'title'?)"
        in problems
    )


def test_condition_must_name_an_earlier_inject(workspace: Path) -> None:
    problems = problems_after(
        workspace, "when: {inject: shots, option: reinforce}", "when: {inject: talks, option: x}"
    )
    assert any("'talks', which is not earlier on the timeline" in p for p in problems)


def test_condition_on_inject_without_decision(workspace: Path) -> None:
    problems = problems_after(
        workspace, "when: {inject: shots, option: hold}", "when: {inject: press-call, option: x}"
    )
    assert any("has no decision to branch on" in p for p in problems)


def test_unevaluated_objective(workspace: Path) -> None:
    path = workspace / "exercises" / "mini.yaml"
    path.write_text(path.read_text().replace("item: drill/share", "item: drill/hotline"))
    problems = [str(p) for p in validate_files([path]).problems]
    assert any(
        "objectives[1].evaluated_by: objective 'inform' is never evaluated" in p for p in problems
    )


def test_attachment_cannot_escape_workspace(workspace: Path) -> None:
    problems = problems_after(
        workspace,
        "        body: Shots were heard",
        "        attachments: [../../etc/passwd]\n        body: Shots were heard",
    )
    assert any("must be a path inside the workspace" in p for p in problems)


def test_attachment_symlink_cannot_escape(workspace: Path) -> None:
    (workspace / "link").symlink_to("/etc")
    problems = problems_after(
        workspace,
        "        body: Shots were heard",
        "        attachments: [link/passwd]\n        body: Shots were heard",
    )
    assert any("leads outside the workspace" in p for p in problems)


def test_a_facilitator_only_attachment_is_held_to_the_same_rules(workspace: Path) -> None:
    (workspace / "link").symlink_to("/etc")
    problems = problems_after(
        workspace,
        "        body: Shots were heard",
        "        attachments:\n"
        "          - {path: link/passwd, facilitator_only: true}\n"
        "          - {path: control/key.pdf, facilitator_only: true}\n"
        "          - {path: ../key.pdf}\n"
        "          - {facilitator_only: true}\n"
        "        body: Shots were heard",
    )
    assert problems == [
        "exercises/mini.yaml:40:13: phases[0].injects[0].attachments[3].path: "
        "missing required key 'path'",
    ]
    (workspace / "exercises" / "mini.yaml").write_text(
        (workspace / "exercises" / "mini.yaml").read_text().replace(
            "          - {facilitator_only: true}\n", ""
        )
    )
    problems = [str(p) for p in validate_files([workspace / "exercises" / "mini.yaml"]).problems]
    assert problems == [
        "exercises/mini.yaml:37:14: phases[0].injects[0].attachments[0].path: "
        "attachment 'link/passwd' leads outside the workspace",
        "exercises/mini.yaml:38:14: phases[0].injects[0].attachments[1].path: "
        "attachment 'control/key.pdf' not found in the workspace (mini.yaml)",
        "exercises/mini.yaml:39:14: phases[0].injects[0].attachments[2].path: "
        "attachment '../key.pdf' must be a path inside the workspace, without '..'",
    ]


def test_a_library_inject_keeps_its_attachments_where_it_is_used(workspace: Path) -> None:
    from tabletop.core.attachments import handed_out, listed
    from tabletop.core.scenario import Attachment

    (workspace / "handouts").mkdir()
    (workspace / "handouts" / "statement.txt").write_text("Holding statement\n")
    (workspace / "handouts" / "lines.md").write_text("What not to say\n")
    library = workspace / "injects" / "drill.yaml"
    library.write_text(library.read_text().replace(
        "    body: We hear there was an incident. Comment?\n",
        "    body: We hear there was an incident. Comment?\n"
        "    attachments:\n"
        "      - handouts/statement.txt\n"
        "      - {path: handouts/lines.md, facilitator_only: true}\n",
    ))
    press = load_scenario("mini").scenario.inject_by_id["press-call"]
    assert press.attachments == [
        "handouts/statement.txt", Attachment(path="handouts/lines.md", facilitator_only=True),
    ]
    assert handed_out(press) == ["handouts/statement.txt"]
    assert [(a.name, a.kind, a.facilitator_only) for a in listed(press, staff=True)] == [
        ("statement.txt", "text", False), ("lines.md", "text", True),
    ]


def test_library_problems_point_at_the_library_file(workspace: Path) -> None:
    path = workspace / "injects" / "drill.yaml"
    path.write_text(path.read_text().replace("item: drill/statement", "item: drill/statment"))
    problems = [str(p) for p in validate_files([workspace / "exercises" / "mini.yaml"]).problems]
    assert any(
        p.startswith("injects/drill.yaml:12:") and "did you mean 'statement'" in p for p in problems
    ), problems


def test_duplicate_exercise_ids_in_workspace(workspace: Path) -> None:
    (workspace / "exercises" / "copy.yaml").write_text(
        (workspace / "exercises" / "mini.yaml").read_text()
    )
    problems = [
        str(p) for p in validate_files(sorted((workspace / "exercises").glob("*.yaml"))).problems
    ]
    assert any("exercise id 'mini' is also used by" in p for p in problems)


def test_every_problem_is_reported_at_once(workspace: Path) -> None:
    path = workspace / "exercises" / "mini.yaml"
    text = (
        path.read_text().replace("to: [green]", "to: [gren]").replace("default: hold", "default: x")
    )
    path.write_text(text.replace("    title: First hours", "    titel: First hours"))
    problems = validate_files([path]).problems
    # structural problems stop the semantic pass for that file, but all of them are listed
    assert any("titel" in str(p) for p in problems)
    path.write_text(text)
    messages = [str(p) for p in validate_files([path]).problems]
    assert any("no team 'gren'" in m for m in messages)
    assert any("default 'x'" in m for m in messages)


def test_duplicate_library_use_points_at_the_second_entry(workspace: Path) -> None:
    text = (workspace / "exercises" / "mini.yaml").read_text()
    first_line = text.splitlines().index("      - use: press-call") + 1
    problems = problems_after(
        workspace,
        "        play_minute: 10\n",
        "        play_minute: 10\n      - use: press-call\n        story_time: +1h\n",
    )
    second = f"exercises/mini.yaml:{first_line + 4}:9: phases[0].injects[2].use: duplicate inject id 'press-call'"
    assert any(p.startswith(second) for p in problems), problems


def test_decision_team_without_a_decision(workspace: Path) -> None:
    problems = problems_after(
        workspace,
        "        play_minute: 10\n",
        "        play_minute: 10\n        decision_team: blue\n",
    )
    assert any("carries no decision to give a team" in p for p in problems)


def test_scoring_thresholds_must_be_ordered(workspace: Path) -> None:
    problems = problems_after(
        workspace,
        "duration: 1h\n",
        "duration: 1h\nscoring: {performed: 0.5, some_challenges: 0.7}\n",
    )
    assert any("scoring: thresholds must not increase" in p for p in problems)


def test_duplicate_checklist_item_ids(workspace: Path) -> None:
    path = workspace / "checklists" / "drill.yaml"
    path.write_text(path.read_text().replace("  - id: hotline\n", "  - id: share\n"))
    problems = [str(p) for p in validate_files([path]).problems]
    assert any("items[1].id: duplicate id 'share' (also items[0])" in p for p in problems), problems
