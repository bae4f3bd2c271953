"""A small scenario built in code, so session tests do not depend on the bundled content.

Timeline (phase: inject):

    p1: intro            all teams
    p1: choice           decision by 'policy': escalate | talk (default talk)
    p2: escalation       when choice = escalate; itself a decision by 'ops': strike | wait
    p2: talks            when choice = talk
    p3: strike           when escalation = strike (a branch on a branch)
    p3: wrapup           unconditional, planned at play minute 90
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fakeclock import FakeClock
from scenarios import Loaded, checklist, exercise, inject, phases
from scenarios import scenario as scenario_from

from tabletop.core.scenario import Scenario
from tabletop.session.events import Event, payload_of
from tabletop.session.session import Session
from tabletop.session.state import SessionState

TEAMS = ("ops", "policy", "comms")
ITEMS = ("drill/share", "drill/liaise", "drill/brief")
START = 1_800_000_000.0  # the wall clock of every session here


def scenario_data() -> dict[str, Any]:
    def step(id_: str, phase: str, story: str, **extra: Any) -> dict[str, Any]:
        return inject(id_, phase, story, title=f"The {id_} inject", **extra)

    injects = [
        step("intro", "p1", "+0m"),
        step(
            "choice",
            "p1",
            "+30m",
            to=["policy"],
            decision={
                "team": "policy",
                "prompt": "Escalate or talk?",
                "options": [
                    {"id": "escalate", "label": "Escalate"},
                    {"id": "talk", "label": "Talk"},
                ],
                "default": "talk",
            },
        ),
        step(
            "escalation",
            "p2",
            "+2h",
            to=["ops"],
            when={"inject": "choice", "option": "escalate"},
            decision={
                "team": "ops",
                "prompt": "Strike or wait?",
                "options": [{"id": "strike", "label": "Strike"}, {"id": "wait", "label": "Wait"}],
                "default": "wait",
            },
        ),
        step("talks", "p2", "+1h", when={"inject": "choice", "option": ["talk"]}),
        step("strike", "p3", "+3h", when={"inject": "escalation", "option": "strike"}),
        step("wrapup", "p3", "+1d 02:00", play_minute=90),
    ]
    return exercise(
        "drill",
        "Session test drill",
        summary="A tiny exercise for the session tests.",
        duration="1h30m",
        objectives=[{"id": "o1", "text": "Coordinate.", "evaluated_by": list(ITEMS[:2])}],
        teams=[{"id": t, "name": t.title(), "role": f"The {t} cell"} for t in TEAMS],
        phases=phases(injects, [(p, f"Phase {p}", "30m", ["What now?"]) for p in ("p1", "p2", "p3")]),
        injects=injects,
        checklists=[
            checklist(
                "drill",
                "Drill checklist",
                [
                    {"id": ref.split("/")[1], "text": f"Does {ref}", "capability": "Coordination"}
                    for ref in ITEMS
                ],
                source="Written for these tests",
            )
        ],
    )


def make_scenario(**changes: Any) -> Scenario:
    return scenario_from(scenario_data(), **changes)


@pytest.fixture(scope="session")
def scenario() -> Scenario:
    return make_scenario()


@pytest.fixture
def loaded(scenario: Scenario, tmp_path: Path) -> Loaded:
    return Loaded(scenario, tmp_path / "exercises" / "drill.yaml", "ab" * 32)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def session_path(tmp_path: Path) -> Path:
    return tmp_path / "sessions" / "drill.db"


@pytest.fixture
def session(session_path: Path, loaded: Loaded, clock: FakeClock) -> Iterator[Session]:
    opened = Session.create(session_path, loaded, clock=clock)
    yield opened
    opened.close()


def wait_for(predicate: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.01)


class Script:
    """Builds events by hand and applies them to a fresh state: pure, no journal."""

    def __init__(self, scenario: Scenario, start: float = START) -> None:
        self.state = SessionState(scenario)
        self.events: list[Event] = []
        self.wall = start

    def add(self, kind: str, /, *, after: float = 0.0, **data: Any) -> Event:
        self.wall += after
        event = Event(len(self.events) + 1, kind, self.wall, payload_of(kind, data))
        self.events.append(event)
        self.state.apply(event)
        return event


@pytest.fixture
def script(scenario: Scenario) -> Script:
    return Script(scenario)


STORES = ("sqlite", "postgres")


@pytest.fixture(params=STORES)
def store_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def place(store_kind: str, tmp_path: Path) -> Any:
    """Where a new session goes, in each store: a file, or a fresh session name in
    the test server's database (skipped, saying why, without a server)."""
    if store_kind == "sqlite":
        return tmp_path / "sessions" / "drill.db"
    from pgserver import server_url, unique_session

    from tabletop.session.store.location import parse_url

    return parse_url(unique_session(server_url()))
