"""Fixtures for the console tests: a small scenario built in code, a fixed clock,
and a session in tmp_path, so no test depends on the bundled content."""

from __future__ import annotations

import asyncio
import gc
import inspect
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fakeclock import FakeClock

from tabletop.authoring.loading import LoadedScenario
from tabletop.core.scenario import Scenario, build
from tabletop.session.session import Session

START_WALL = 1_773_468_000.0  # 2026-03-14 06:00 UTC


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run ``async def`` tests on a fresh event loop (no async plugin needed)."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    names = pyfuncitem._fixtureinfo.argnames
    asyncio.run(pyfuncitem.obj(**{name: pyfuncitem.funcargs[name] for name in names}))
    return True


def inject(id: str, phase: str, story: str, minute: int | None, **more: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": id,
        "phase": phase,
        "title": more.pop("title", f"Inject {id}"),
        "channel": more.pop("channel", "email"),
        "from": more.pop("sender", "Port Authority"),
        "story_time": story,
        "body": more.pop("body", f"Text of **{id}**."),
    }
    if minute is not None:
        data["play_minute"] = minute
    data.update(more)
    return data


def scenario_data(extra_injects: int = 0) -> dict[str, Any]:
    injects = [
        inject("harbour-alarm", "alert", "+00:10", 0, title="Fire reported at the harbour",
               body="## Fire at pier 4\n\nThe harbour master reports **smoke** over pier 4.",
               expected_actions=[
                   {"text": "Share the report with the other ministries", "item": "coord/share"},
               ],
               questions=["Who leads the response?"],
               facilitator_notes="Watch whether the defence team waits for the foreign office."),
        inject("press-call", "alert", "+00:40", 10, channel="phone", sender="Daily Courier",
               to=["mfa"], title="Journalist asks for comment",
               body="A reporter asks whether the navy is involved.",
               decision={"team": "mod", "prompt": "Send the navy?",
                         "options": [{"id": "send", "label": "Send ships"},
                                     {"id": "wait", "label": "Wait"}],
                         "default": "wait"}),
        inject("ships-sail", "response", "+02:00", 25, title="Frigates leave port",
               when={"inject": "press-call", "option": "send"}),
        inject("ships-stay", "response", "+02:00", 25, title="Frigates stay in port",
               when={"inject": "press-call", "option": "wait"}),
        inject("minister-call", "response", "+03:00", 40, channel="hotline",
               sender="Minister", title="Minister wants a briefing"),
    ]
    for n in range(extra_injects):
        injects.append(inject(f"filler-{n}", "response", "+04:00", None, title=f"Filler {n}"))
    return {
        "format": "tabletop/1",
        "kind": "exercise",
        "id": "harbour-drill",
        "title": "Harbour Drill",
        "summary": "A fire at the harbour tests civil-military coordination.",
        "marking": "TLP:AMBER",
        "duration": "1h",
        "story_start": "2026-03-14T06:00:00Z",
        "objectives": [
            {"id": "coordinate", "text": "Coordinate the first hour across ministries",
             "evaluated_by": ["coord/share", "coord/lead"]},
        ],
        "teams": [
            {"id": "mod", "name": "Defence", "role": "Ministry of Defence"},
            {"id": "mfa", "name": "Foreign Office", "role": "Ministry of Foreign Affairs"},
            {"id": "civ", "name": "Civil Protection", "role": "Civil protection agency"},
        ],
        "phases": [
            {"id": "alert", "title": "Alert", "duration": "20m",
             "questions": ["What do we know?"],
             "injects": ["harbour-alarm", "press-call"]},
            {"id": "response", "title": "Response", "duration": "40m",
             "questions": ["Who speaks to the press?"],
             "injects": [i["id"] for i in injects[2:]]},
        ],
        "injects": injects,
        "checklists": [
            {"format": "tabletop/1", "kind": "checklist", "id": "coord", "title": "Coordination",
             "source": "Test doctrine",
             "items": [
                 {"id": "share", "text": "Shares information early", "capability": "Info"},
                 {"id": "lead", "text": "Names a lead agency", "weight": 3,
                  "capability": "Operational Coordination"},
                 {"id": "inform", "text": "Informs the public", "capability": "Public Info"},
             ]},
        ],
    }


def make_scenario(extra_injects: int = 0) -> Scenario:
    return build(Scenario, scenario_data(extra_injects))


def loaded_scenario(tmp_path: Path, extra_injects: int = 0) -> LoadedScenario:
    return LoadedScenario(make_scenario(extra_injects), tmp_path / "harbour-drill.yaml", "0" * 64)


@pytest.fixture(autouse=True)
def _unfreeze_after_run() -> Iterator[None]:
    """`tabletop run` in-process freezes the heap (gc.freeze); give it back."""
    yield
    gc.unfreeze()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START_WALL)


@pytest.fixture
def session(tmp_path: Path, clock: FakeClock) -> Iterator[Session]:
    s = Session.create(tmp_path / "harbour.db", loaded_scenario(tmp_path), clock=clock)
    yield s
    s.close()


def kinds(session: Session) -> list[str]:
    """The kinds of every event in the journal, read back from disk."""
    return [e.kind for e in session.journal.events()]
