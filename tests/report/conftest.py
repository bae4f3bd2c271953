"""A small but realistic exercise built in code, and sessions played through it.

``harbour`` has three teams, two checklists (one item weighted 3), three
objectives and two phases; its injects' expected actions say which team owns
each item, so an objective counts only those teams' ratings; ``pressure`` is a decision point for 'gov' whose
'evacuate' option opens the ``evacuation`` branch. ``played`` is a finished
session that uses most of the event vocabulary: unscripted, skipped, held and
undone injects, amended, moved and retracted decisions, corrected ratings, an
objective override, notes, hot wash entries and improvement actions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
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

START = 1_780_000_000.0  # a fixed wall clock: 2026-05-28 UTC


def _inject(id_: str, phase: str, story: str, title: str, **extra: Any) -> dict[str, Any]:
    return inject(id_, phase, story, title=title, **extra)


def _checklist(id_: str, title: str, items: list[tuple[str, int, str]]) -> dict[str, Any]:
    return checklist(
        id_,
        title,
        [
            {"id": i, "text": f"The team {i.replace('-', ' ')}.", "weight": w, "capability": c}
            for i, w, c in items
        ],
        source="Written for the report tests",
        description=f"What {title.lower()} looks like.",
    )


def _expects(*pairs: tuple[str, str | None]) -> list[dict[str, Any]]:
    """Expected actions as (item, owning team or None for the whole audience)."""
    return [
        {"text": f"Act on {item}.", "item": item, **({"team": team} if team else {})}
        for item, team in pairs
    ]


def scenario_data() -> dict[str, Any]:
    injects = [
        _inject(
            "storm-warning", "p1", "+0m", "Storm warning issued", play_minute=0,
            expected_actions=_expects(
                ("coord/share-picture", "ops"), ("comms/holding-line", "comms")
            ),
        ),
        _inject(
            "pressure",
            "p1",
            "+2h",
            "Mayor demands a decision",
            play_minute=20,
            to=["gov"],
            expected_actions=_expects(("coord/single-lead", None)),
            decision={
                "team": "gov",
                "prompt": "Evacuate the harbour district?",
                "options": [
                    {"id": "evacuate", "label": "Evacuate"},
                    {"id": "shelter", "label": "Shelter in place"},
                ],
                "default": "shelter",
            },
        ),
        _inject(
            "evacuation",
            "p2",
            "+6h",
            "Evacuation routes flooding",
            play_minute=45,
            to=["ops", "gov"],
            when={"inject": "pressure", "option": "evacuate"},
            expected_actions=_expects(("coord/share-picture", "ops"), ("coord/single-lead", None)),
        ),
        _inject(
            "media", "p2", "+8h", "Press conference requested", play_minute=60, to=["comms"],
            expected_actions=_expects(("comms/holding-line", None), ("comms/one-voice", None)),
        ),
        _inject(
            "aid-offer", "p2", "+1d 02:00", "Neighbour offers aid", play_minute=75,
            expected_actions=_expects(("coord/request-aid", None)),
        ),
        _inject("wrap", "p2", "+1d 06:00", "Storm passes", play_minute=85),
    ]
    stages = [("p1", "Warning", "45m", ["What now?"]), ("p2", "Impact", "45m", ["What now?"])]
    return exercise(
        "harbour",
        "Harbour Storm",
        summary="A storm surge threatens the harbour district.\nThree cells must coordinate.",
        scope="Civil protection response; military support on request only.",
        sponsor="Regional Crisis Office",
        marking="TLP:AMBER",
        duration="1h30m",
        organisations=[{"name": "Harbour Authority", "role": "Host"}],
        objectives=[
            {
                "id": "coordinate",
                "text": "Coordinate the evacuation decision across cells.",
                "capability": "Operational Coordination",
                "evaluated_by": ["coord/share-picture", "coord/single-lead"],
            },
            {
                "id": "inform",
                "text": "Inform the public quickly and consistently.",
                "capability": "Public Information and Warning",
                "evaluated_by": ["comms/holding-line", "comms/one-voice"],
            },
            {
                "id": "aid",
                "text": "Accept outside aid in an orderly way.",
                "evaluated_by": ["coord/request-aid"],
            },
        ],
        teams=[
            {"id": "ops", "name": "Operations Cell", "role": "Runs the response"},
            {"id": "gov", "name": "Government Cell", "role": "Decides policy"},
            {"id": "comms", "name": "Communications Cell", "role": "Talks to the public"},
        ],
        phases=phases(injects, stages),
        injects=injects,
        checklists=[
            _checklist(
                "comms",
                "Public communication",
                [
                    ("holding-line", 2, "Public Information and Warning"),
                    ("one-voice", 1, "Public Information and Warning"),
                ],
            ),
            _checklist(
                "coord",
                "Crisis coordination",
                [
                    ("share-picture", 3, "Situational Assessment"),
                    ("single-lead", 2, "Operational Coordination"),
                    ("request-aid", 1, "Operational Coordination"),
                ],
            ),
        ],
    )


def make_scenario(**changes: Any) -> Scenario:
    return scenario_from(scenario_data(), **changes)


@pytest.fixture(scope="session")
def scenario() -> Scenario:
    return make_scenario()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def new_session(tmp_path: Path, clock: FakeClock) -> Iterator[Callable[..., Session]]:
    """Creates sessions (closed at the end of the test) for a scenario."""
    opened: list[Session] = []

    def create(scenario: Scenario | None = None, name: str = "harbour.db") -> Session:
        loaded = Loaded(scenario or make_scenario(), tmp_path / "harbour.yaml", "cd" * 32)
        session = Session.create(tmp_path / name, loaded, clock=clock)  # type: ignore[arg-type]
        opened.append(session)
        return session

    yield create
    for session in opened:
        session.close()


def play_harbour(s: Session, clock: FakeClock) -> None:
    """A full exercise: the story the golden files and the screenshots show."""

    def at(minutes: float) -> None:
        clock.advance(minutes * 60)

    s.record("clock_resumed")
    s.deliver("storm-warning")
    at(4)
    s.record_decision(
        "ops",
        "Open the joint operations room and share one situation picture.",
        inject="storm-warning",
        items=["coord/share-picture"],
    )
    at(3)
    s.record_decision(
        "comms",
        "Issue a holding line within 15 minutes: <script>alert(1)</script>",
        inject="storm-warning",
        items=["comms/holding-line"],
    )
    s.record_decision("gov", "Convene the crisis cabinet.", inject="storm-warning")
    at(13)
    s.deliver("pressure")
    at(6)
    first = s.record_decision(
        "gov", "Shelter in place for now.", inject="pressure", option="shelter"
    )
    at(2)
    s.record(
        "decision_amended",
        event=first.seq,
        text="Evacuate the harbour district before high tide.",
        option="evacuate",
        items=["coord/single-lead"],
        reason="Cabinet changed its mind after the tide forecast",
    )
    s.record(
        "note_added", text="Gov hesitated for six minutes; ops pressed for a call.", team="gov"
    )
    at(5)
    s.record("clock_paused")
    at(10)  # a coffee break: wall time passes, play time does not
    s.record("clock_resumed")
    s.record(
        "unscripted_inject",
        inject={
            "id": "power-cut",
            "title": "Power cut at the port <img src=x onerror=alert(1)>",
            "channel": "phone",
            "from": "Harbour master",
            "to": ["ops"],
            "body": "Cranes are down.",
        },
    )
    at(3)
    s.record_decision("ops", "Send generators from the depot.", inject="power-cut")
    wrong = s.record_decision(
        "comms", "Route the generators via the ring road.", inject="power-cut"
    )
    s.record("decision_moved", event=wrong.seq, team="ops", reason="Typed at the wrong table")
    at(12)
    s.deliver("evacuation")
    at(4)
    s.record_decision(
        "ops",
        "Close the coast road and use the hill route.",
        inject="evacuation",
        items=["coord/share-picture", "coord/single-lead"],
    )
    retracted = s.record_decision("gov", "Ask the army to run the evacuation.", inject="evacuation")
    s.record("decision_retracted", event=retracted.seq, reason="Recorded by mistake")
    at(6)
    s.deliver("media")
    s.record("inject_held", inject="aid-offer", reason="Waiting for the foreign ministry")
    at(8)
    s.record_decision(
        "comms", "Spokesperson gives the only briefing.", inject="media", items=["comms/one-voice"]
    )
    wrong_delivery = s.deliver("wrap")
    s.record("delivery_undone", event=wrong_delivery.seq, reason="Delivered too early")
    s.record("inject_skipped", inject="aid-offer", reason="Out of time")
    at(9)
    s.deliver("wrap")
    at(2)
    s.rate_item("ops", "coord/share-picture", "met", "Clear common picture.")
    s.rate_item("ops", "coord/single-lead", "partial")
    s.rate_item("ops", "coord/request-aid", "na")
    s.rate_item("gov", "coord/single-lead", "met")
    wrong_rating = s.rate_item("gov", "coord/share-picture", "met")
    s.record(
        "rating_corrected",
        event=wrong_rating.seq,
        rating="not_met",
        note="Gov kept its own picture.",
        reason="Evaluator mixed up the cells",
    )
    s.rate_item("comms", "comms/holding-line", "met")
    s.rate_item("comms", "comms/one-voice", "partial", "Two spokespeople at first.")
    s.record(
        "objective_rated",
        objective="aid",
        rating="U",
        reason="The aid inject was never played",
    )
    s.record(
        "hotwash_entry",
        objective="coordinate",
        kind="strength",
        text="The joint operations room worked from minute five.",
        team="ops",
    )
    s.record(
        "hotwash_entry",
        objective="inform",
        kind="improvement",
        text="Agree the spokesperson before the exercise: <b>bold</b> | pipe",
        team=None,
    )
    s.record(
        "hotwash_entry",
        objective=None,
        kind="strength",
        text="Players stayed in role throughout.",
        team=None,
    )
    s.record(
        "improvement_action",
        action="Write a one-page evacuation decision guide for the cabinet.",
        item="coord/single-lead",
        capability="",
        owner="Regional Crisis Office",
        due="2026-06-30",
    )
    s.record(
        "improvement_action",
        action="Name a standing spokesperson rota.",
        item=None,
        capability="Public Information and Warning",
        owner="Communications Cell",
        due="2026-07-15",
    )
    at(1)
    s.end_exercise()


@pytest.fixture
def played(new_session: Callable[..., Session], clock: FakeClock) -> Session:
    session = new_session()
    play_harbour(session, clock)
    return session


class Script:
    """Applies hand-written events to a fresh state: pure, no journal, no checks."""

    def __init__(self, scenario: Scenario, start: float = START) -> None:
        self.state = SessionState(scenario)
        self.wall = start
        self.seq = 0

    def add(self, kind: str, /, *, after: float = 0.0, **data: Any) -> Event:
        self.wall += after
        self.seq += 1
        event = Event(self.seq, kind, self.wall, payload_of(kind, data))
        self.state.apply(event)
        return event

    def decide(
        self,
        team: str,
        text: str = "A decision.",
        *,
        inject: str | None = None,
        items: list[str] | None = None,
        option: str | None = None,
        after: float = 0.0,
    ) -> Event:
        return self.add(
            "decision_recorded",
            after=after,
            team=team,
            inject=inject,
            text=text,
            option=option,
            items=items or [],
        )

    def rate(self, team: str, item: str, rating: str, note: str = "") -> Event:
        return self.add("item_rated", team=team, item=item, rating=rating, note=note)


@pytest.fixture
def script(scenario: Scenario) -> Script:
    return Script(scenario)
