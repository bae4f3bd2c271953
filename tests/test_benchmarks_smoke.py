"""The benchmark inputs are valid and the budget verdicts are judged right (tiny sizes, no timing)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tabletop.authoring import library
from tabletop.authoring.loading import load_scenario
from tabletop.authoring.validation import collect_files, validate_files
from tabletop.session.session import Session

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def _bench(name: str) -> ModuleType:
    """Import a module of benchmarks/, which runs as a script folder, not a package."""
    if str(BENCHMARKS) not in sys.path:
        sys.path.insert(0, str(BENCHMARKS))
    return importlib.import_module(name)


@pytest.fixture(autouse=True)
def fresh_library() -> None:
    library._LIBRARIES.clear()


def test_corpus_files_are_valid_and_distinct(tmp_path: Path) -> None:
    generate = _bench("generate")
    folder = generate.write_corpus(tmp_path / "corpus", 3)
    files = collect_files([folder])
    assert len(files) == 3
    report = validate_files(files)
    assert report.problems == []
    assert sorted(report.exercises) == ["bench-0001", "bench-0002", "bench-0003"]
    texts = {path.read_text(encoding="utf-8") for path in files}
    assert len(texts) == 3


def test_realistic_exercise_uses_bundled_checklists_and_library(tmp_path: Path) -> None:
    generate = _bench("generate")
    path = generate.write_scenario(tmp_path, "realistic", generate.REALISTIC)
    scenario = load_scenario(path).scenario
    assert len(scenario.injects) == generate.REALISTIC.injects
    assert {inject.library for inject in scenario.injects} - {None}, "no library inject used"
    bundled = set(generate.checklist_items())
    used = {a.item for inject in scenario.injects for a in inject.expected_actions}
    assert used and used <= bundled


def test_large_scenario_has_the_requested_shape(tmp_path: Path) -> None:
    generate = _bench("generate")
    shape = generate.large_shape(injects=120, phases=6, teams=7)
    scenario = load_scenario(generate.write_scenario(tmp_path, "large", shape)).scenario
    assert len(scenario.injects) == 120
    assert len(scenario.phases) == 6
    assert all(len(phase.injects) == 20 for phase in scenario.phases)
    assert len(scenario.teams) == 7
    assert any(inject.decision for inject in scenario.injects)
    assert any(inject.when for inject in scenario.injects)


def test_generation_is_deterministic() -> None:
    generate = _bench("generate")
    shape = generate.large_shape(injects=30, phases=3, teams=4)
    assert generate.exercise_data("same", shape, 5) == generate.exercise_data("same", shape, 5)
    assert generate.exercise_data("same", shape, 5) != generate.exercise_data("same", shape, 6)


def test_long_session_holds_exactly_the_requested_decisions(tmp_path: Path) -> None:
    generate, long_session = _bench("generate"), _bench("long_session")
    path = generate.write_scenario(tmp_path, "played", generate.Shape(phases=2, injects=8, teams=3))
    session_file = long_session.write_session(tmp_path / "s.db", load_scenario(path), 45)
    with Session.open_readonly(session_file) as session:
        kinds = [event.kind for event in session.state.history]
        assert kinds.count("decision_recorded") == 45
        assert len(session.state.decisions) == 45
        assert "decision_amended" in kinds and "item_rated" in kinds
        assert session.state.ended
        assert session.state.delivered(), "no inject was delivered"


def test_outcome_verdicts_and_lines() -> None:
    results = _bench("results")
    fast = results.Outcome("startup", "s", "b", 1.2, 1.0, "s", limit=1.3)
    slow = results.Outcome("startup", "s", "b", 1.4, 1.0, "s", limit=1.3)
    lean = results.Outcome("memory", "s", "b", 90.0, 40.0, "MB", limit=60.0, kind="excess")
    fat = results.Outcome("memory", "s", "b", 101.0, 40.0, "MB", limit=60.0, kind="excess")
    assert fast.passed and not slow.passed
    assert lean.passed and not fat.passed
    assert fast.line().startswith("PASS") and slow.line().startswith("FAIL")
    assert fat.line().startswith("FAIL") and "+61.0 MB" in fat.line()
    error = results.BudgetError("report", "boom")
    assert not error.line().startswith(("PASS", "FAIL"))


def test_side_by_side_alternates_who_goes_first() -> None:
    measure = _bench("measure")
    order: list[str] = []

    def baseline() -> list[float]:
        order.append("b")
        return [1.0]

    def subject() -> list[float]:
        order.append("s")
        return [2.0]

    base, subj = measure.side_by_side(baseline, subject, 4)
    assert order == ["b", "s", "s", "b", "b", "s", "s", "b"]
    assert base == [1.0] * 4 and subj == [2.0] * 4


def test_a_long_record_holds_exactly_the_requested_events_in_a_realistic_mix(
    tmp_path: Path,
) -> None:
    from tabletop.core.bundled import bundled_dir
    from tabletop.session.session import Session

    long_session = _bench("long_session")
    loaded = load_scenario(bundled_dir() / "exercises" / "border-tension.yaml")
    path = long_session.write_record(tmp_path / "r.db", loaded, 300)
    with Session.open_readonly(path) as session:
        kinds = {event.kind for event in session.state.history}
        assert len(session.state.history) == 300
    assert {"decision_recorded", "decision_amended", "item_rated", "note_added"} <= kinds
