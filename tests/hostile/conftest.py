"""Hostile input: crafted files, planted links, files pulled away mid-exercise."""

from __future__ import annotations

from pathlib import Path

import pytest

from tabletop.authoring.loading import LoadedScenario, load_scenario
from tabletop.core.bundled import bundled_dir
from tabletop.session.session import Session


@pytest.fixture(scope="session")
def exercise() -> LoadedScenario:
    return load_scenario(bundled_dir() / "exercises" / "border-tension.yaml")


@pytest.fixture
def closed_session(tmp_path: Path, exercise: LoadedScenario) -> Path:
    """A cleanly closed session with a delivery and a decision in it."""
    path = tmp_path / "s.db"
    with Session.create(path, exercise) as session:
        session.deliver_next()
        session.record_decision(exercise.scenario.teams[0].id, "Open the hotline")
    return path
