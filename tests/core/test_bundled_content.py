"""The bundled library: it validates, matches the shipped schemas, and lints clean."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tabletop.authoring.loading import load_scenario
from tabletop.authoring.schema import schema_text, shipped_path
from tabletop.authoring.validation import validate_files
from tabletop.core.bundled import bundled_dir

ROOT = bundled_dir()
KIND_OF_FOLDER = {
    "exercises": "exercise",
    "injects": "injects",
    "checklists": "checklist",
    "frameworks": "framework",
}
BUNDLED = sorted(p for folder in KIND_OF_FOLDER for p in (ROOT / folder).glob("*.yaml"))
EXERCISES = sorted(p.stem for p in (ROOT / "exercises").glob("*.yaml"))


def test_bundled_library_is_not_empty() -> None:
    assert len(list((ROOT / "checklists").glob("*.yaml"))) >= 8
    assert list((ROOT / "injects").glob("*.yaml"))


def test_all_bundled_content_validates() -> None:
    report = validate_files(BUNDLED)
    assert [str(p) for p in report.problems] == []


@pytest.mark.parametrize("kind", list(KIND_OF_FOLDER.values()))
def test_shipped_schema_is_current(kind: str) -> None:
    shipped = shipped_path(kind)
    assert shipped.read_text(encoding="utf-8") == schema_text(kind), (
        f"{shipped} is stale: run `python -m tabletop.authoring.schema`"
    )


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_bundled_file_declares_its_schema(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    kind = KIND_OF_FOLDER[path.parent.name]
    assert first == f"# yaml-language-server: $schema=../src/tabletop/authoring/schemas/{kind}.schema.json"


def _check_jsonschema() -> str:
    exe = shutil.which("check-jsonschema") or str(Path(sys.executable).parent / "check-jsonschema")
    if not Path(exe).exists():
        pytest.skip("check-jsonschema is not installed")
    return exe


@pytest.mark.parametrize("folder", list(KIND_OF_FOLDER))
def test_standard_validator_accepts_bundled_files(folder: str) -> None:
    files = sorted(str(p) for p in (ROOT / folder).glob("*.yaml"))
    schema = shipped_path(KIND_OF_FOLDER[folder])
    result = subprocess.run(
        [_check_jsonschema(), "--schemafile", str(schema), *files],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_standard_validator_flags_a_misspelt_key(tmp_path: Path) -> None:
    source = (ROOT / "checklists" / "de-escalation.yaml").read_text(encoding="utf-8")
    broken = tmp_path / "broken.yaml"
    broken.write_text(source.replace("\ntitle:", "\ntitel:", 1), encoding="utf-8")
    result = subprocess.run(
        [_check_jsonschema(), "--schemafile", str(shipped_path("checklist")), str(broken)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "titel" in result.stdout + result.stderr


def test_schema_patterns_agree_with_the_loader(tmp_path: Path) -> None:
    """Values the loader refuses, the schema refuses too (offsets, dates, ids)."""
    schema = json.loads(shipped_path("exercise").read_text(encoding="utf-8"))
    inject = schema["$defs"]["Inject"]["properties"]
    import re

    offset = re.compile(inject["story_time"]["pattern"])
    for good in ["+30m", "+2h15m", "+1d 04:30", "+04:30", "+3d"]:
        assert offset.search(good), good
    for bad in ["+1:3", "1:30", "+", "90", "+1x"]:
        assert not offset.search(bad), bad


def test_yamllint_relaxed_has_no_errors() -> None:
    exe = shutil.which("yamllint") or str(Path(sys.executable).parent / "yamllint")
    if not Path(exe).exists():
        pytest.skip("yamllint is not installed")
    result = subprocess.run(
        [exe, "-d", "relaxed", "-f", "parsable", *map(str, BUNDLED)],
        capture_output=True,
        text=True,
    )
    errors = [line for line in result.stdout.splitlines() if "[error]" in line]
    assert errors == []


@pytest.mark.parametrize("exercise", EXERCISES)
def test_flagship_exercise_meets_the_content_bar(exercise: str) -> None:
    scenario = load_scenario(exercise).scenario
    assert len(scenario.phases) >= 3
    assert len(scenario.injects) >= 12
    assert len(scenario.teams) >= 3
    deciders = [i.id for i in scenario.injects if i.decision]
    branched = {i.when.inject for i in scenario.injects if i.when}
    assert len(branched & set(deciders)) >= 2
    for decision_id in branched:
        options = {
            o
            for i in scenario.injects
            if i.when and i.when.inject == decision_id
            for o in i.when.options
        }
        assert len(options) >= 2, f"{decision_id} does not branch two ways"
    assert all(i.expected_actions for i in scenario.injects)
    assert all(p.questions for p in scenario.phases)
    assert all(i.facilitator_notes.strip() for i in scenario.injects)


def test_inject_library_is_shared_by_two_exercises() -> None:
    users: dict[str, set[str]] = {}
    for exercise in EXERCISES:
        for inject in load_scenario(exercise).scenario.injects:
            if inject.library:
                users.setdefault(inject.library, set()).add(exercise)
    assert len({e for es in users.values() for e in es}) >= 2
