"""The evaluation model: the teams objectives and expected actions name, the
AAR's header fields, and capabilities declared by a framework."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from tabletop.authoring.loading import load_scenario
from tabletop.authoring.validation import validate_files
from tabletop.core.bundled import bundled_dir
from tabletop.core.scenario import Scenario, decode, encode


def problems_after(
    workspace: Path, old: str, new: str, file: str = "exercises/mini.yaml"
) -> list[str]:
    """Validate the mini exercise after replacing ``old`` with ``new`` in ``file``."""
    from tabletop.authoring import library

    path = workspace / file
    text = path.read_text()
    assert old in text, f"fixture no longer contains {old!r}"
    path.write_text(text.replace(old, new, 1))
    library._LIBRARIES.clear()  # a test may edit library files twice
    return [str(p) for p in validate_files([workspace / "exercises" / "mini.yaml"]).problems]


def test_the_fixture_resolves_objective_teams_and_header_fields(workspace: Path) -> None:
    scenario = load_scenario("mini").scenario
    teams = {o.id: o.teams for o in scenario.objectives}
    # 'talk' is expected of both (shots goes to all); 'inform' of blue (troops-move)
    # and green (talks names green as the owner of its action).
    assert teams == {"talk": ["blue", "green"], "inform": ["blue", "green"]}
    assert scenario.inject_by_id["talks"].expected_actions[0].team == "green"
    assert scenario.exercise_type == "tabletop"
    assert scenario.mission_areas == ["Response", "Protection"]
    assert scenario.location == "Exercise hall B"
    assert scenario.threat_or_hazard == "Armed clash at the border"
    assert scenario.handling_instructions == "For the exercise team only."
    (contact,) = scenario.points_of_contact
    assert (contact.name, contact.organisation, contact.phone) == ("Ada Example", "Drill staff", "")


def test_an_action_s_own_team_narrows_the_derived_objective_teams(workspace: Path) -> None:
    problems_after(workspace, "            team: green\n", "            team: blue\n")
    scenario = load_scenario("mini").scenario
    # troops-move (to blue) and talks (to all, owned by blue) expect 'share' of blue only
    assert {o.id: o.teams for o in scenario.objectives}["inform"] == ["blue"]


def test_named_objective_teams_are_kept_as_written(workspace: Path) -> None:
    assert problems_after(
        workspace, "evaluated_by: [drill/hotline]", "evaluated_by: [drill/hotline]\n    teams: [green]"
    ) == []
    assert load_scenario("mini").scenario.objectives[0].teams == ["green"]


def test_the_default_framework_is_the_bundled_fema_list(workspace: Path) -> None:
    scenario = load_scenario("mini").scenario
    (framework,) = scenario.frameworks
    assert framework.id == "fema-core-capabilities"
    assert "National Preparedness Goal" in framework.source
    used = {c.name: (c.framework, c.mission_areas) for c in scenario.capabilities}
    assert used == {
        "Intelligence and Information Sharing": (
            "fema-core-capabilities",
            ["Prevention", "Protection"],
        ),
        "Operational Coordination": (
            "fema-core-capabilities",
            ["Prevention", "Protection", "Mitigation", "Response", "Recovery"],
        ),
        "Public Information and Warning": (
            "fema-core-capabilities",
            ["Prevention", "Protection", "Mitigation", "Response", "Recovery"],
        ),
    }


def test_the_fema_list_has_the_32_core_capabilities() -> None:
    import yaml

    data = yaml.safe_load(
        (bundled_dir() / "frameworks" / "fema-core-capabilities.yaml").read_text(encoding="utf-8")
    )
    capabilities = {c["name"]: c["mission_areas"] for c in data["capabilities"]}
    assert len(capabilities) == 32
    assert all(capabilities.values())
    assert capabilities["Infrastructure Systems"] == ["Response", "Recovery"]
    assert capabilities["Cybersecurity"] == ["Protection"]
    assert sum("Response" in areas for areas in capabilities.values()) == 15


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "evaluated_by: [drill/hotline]",
            "evaluated_by: [drill/hotline]\n    teams: [blu]",
            "exercises/mini.yaml:13:13: objectives[0].teams[0]: no team 'blu' "
            "(did you mean 'blue'?)",
        ),
        (
            "evaluated_by: [drill/share]",
            "evaluated_by: [drill/share]\n    teams: [blue]",
            None,
        ),
        (
            "item: drill/hotline\n",
            "item: drill/hotline\n            team: gren\n",
            "expected_actions[0].team: no team 'gren' (did you mean 'green'?)",
        ),
        (
            "item: drill/share\n",
            "item: drill/share\n            team: green\n",
            "phases[1].injects[0].expected_actions[0].team: team 'green' owns this action but "
            "does not receive the inject (it goes to blue)",
        ),
        (
            "exercise_type: tabletop",
            "exercise_type: tabeltop",
            "exercise_type: ",
        ),
        (
            "mission_areas: [Response, Protection]",
            "mission_areas: [Respons]",
            "mission_areas[0]: ",
        ),
        (
            "  - name: Ada Example\n",
            "  - title: nobody\n",
            "points_of_contact[0]",
        ),
    ],
)
def test_team_and_header_problems_are_one_line_each(
    workspace: Path, old: str, new: str, expected: str | None
) -> None:
    problems = problems_after(workspace, old, new)
    if expected is None:
        assert problems == []
        return
    assert any(expected in p for p in problems), problems
    assert all(p.startswith("exercises/mini.yaml:") and "\n" not in p for p in problems)


def test_a_named_team_that_is_never_expected_to_act_is_refused(workspace: Path) -> None:
    problems = problems_after(
        workspace, "evaluated_by: [drill/hotline]", "evaluated_by: [drill/statement]\n    teams: [blue]"
    )
    # 'statement' is expected only by press-call, which goes to green
    assert problems == [
        "exercises/mini.yaml:13:13: objectives[0].teams[0]: team 'blue' receives no inject "
        "that expects an item of objective 'talk' (drill/statement), so it could never be "
        "rated on it"
    ]


def test_a_capability_outside_the_declared_frameworks_is_refused_with_a_suggestion(
    workspace: Path,
) -> None:
    problems = problems_after(
        workspace,
        "capability: Operational Coordination",
        "capability: operational co-ordination",
        file="checklists/drill.yaml",
    )
    assert problems == [
        "checklists/drill.yaml:14:5: items[1].capability: capability 'operational "
        "co-ordination' is in none of the exercise's frameworks (fema-core-capabilities) "
        "(did you mean 'Operational Coordination'?)"
    ]


def test_an_objective_capability_is_checked_too(workspace: Path) -> None:
    problems = problems_after(
        workspace,
        "evaluated_by: [drill/hotline]",
        "evaluated_by: [drill/hotline]\n    capability: Hotline Diplomacy",
    )
    assert problems == [
        "exercises/mini.yaml:13:5: objectives[0].capability: capability 'Hotline "
        "Diplomacy' is in none of the exercise's frameworks (fema-core-capabilities)"
    ]


def test_an_unknown_framework_is_refused_with_did_you_mean(workspace: Path) -> None:
    problems = problems_after(
        workspace, "exercise_type: tabletop", "exercise_type: tabletop\nframeworks: [fema-core-capabilitis]"
    )
    assert len(problems) == 1
    assert problems[0].endswith(
        "frameworks[0]: no capability framework 'fema-core-capabilitis' in frameworks/ "
        "(did you mean 'fema-core-capabilities'?)"
    )


def _own_framework(workspace: Path, capabilities: str) -> None:
    (workspace / "frameworks").mkdir()
    (workspace / "frameworks" / "drill-functions.yaml").write_text(
        "format: tabletop/1\nkind: framework\nid: drill-functions\ntitle: Drill functions\n"
        f"source: Written for tabletop's tests.\ncapabilities:\n{capabilities}",
        encoding="utf-8",
    )


def test_an_exercise_may_declare_its_own_framework_beside_fema(workspace: Path) -> None:
    _own_framework(workspace, "  - name: Hotline Diplomacy\n")
    problems = problems_after(
        workspace,
        "exercise_type: tabletop",
        "exercise_type: tabletop\nframeworks: [drill-functions, fema-core-capabilities]",
    )
    assert problems == []
    problems = problems_after(
        workspace,
        "capability: Operational Coordination",
        "capability: Hotline Diplomacy",
        file="checklists/drill.yaml",
    )
    assert problems == []
    scenario = load_scenario("mini").scenario
    assert [f.id for f in scenario.frameworks] == ["drill-functions", "fema-core-capabilities"]
    assert scenario.capability_by_name["Hotline Diplomacy"].framework == "drill-functions"


def test_only_the_declared_frameworks_count(workspace: Path) -> None:
    _own_framework(workspace, "  - name: Hotline Diplomacy\n")
    problems = problems_after(
        workspace, "exercise_type: tabletop", "exercise_type: tabletop\nframeworks: [drill-functions]"
    )
    # the drill checklist's three FEMA capabilities are now unknown
    assert len(problems) == 3
    assert all("in none of the exercise's frameworks (drill-functions)" in p for p in problems)


def test_a_framework_file_is_checked_like_a_checklist(workspace: Path) -> None:
    from tabletop.authoring import library

    _own_framework(workspace, "  - name: Hotline Diplomacy\n  - name: Hotline Diplomacy\n")
    path = workspace / "frameworks" / "drill-functions.yaml"
    problems = [str(p) for p in validate_files([path]).problems]
    assert problems == [
        "frameworks/drill-functions.yaml:8:5: capabilities[1].name: duplicate capability "
        "'Hotline Diplomacy' (also capabilities[0])"
    ]
    path.write_text(path.read_text().replace("kind: framework", "kind: frameworks"))
    library._LIBRARIES.clear()
    (problem,) = validate_files([path]).problems
    assert "unknown kind 'frameworks'" in str(problem) and "did you mean 'framework'" in str(problem)


def test_a_scenario_stored_before_these_fields_still_decodes(workspace: Path) -> None:
    scenario = load_scenario("mini").scenario
    stored = msgspec.json.decode(encode(scenario))
    for key in (
        "exercise_type", "mission_areas", "location", "threat_or_hazard",
        "handling_instructions", "points_of_contact", "frameworks", "capabilities",
    ):
        del stored[key]
    for objective in stored["objectives"]:
        del objective["teams"]
    for inject in stored["injects"]:
        for action in inject["expected_actions"]:
            action.pop("team", None)
    old = decode(msgspec.json.encode(stored))
    assert isinstance(old, Scenario)
    assert old.exercise_type == "tabletop" and old.frameworks == [] and old.capabilities == []
    assert [o.teams for o in old.objectives] == [[], []]
    # scoring derives the teams the resolver would have filled in (here without the
    # action's own team, which the old copy lacks: talks goes to all)
    assert [old.objective_teams(o) for o in old.objectives] == [["blue", "green"]] * 2
