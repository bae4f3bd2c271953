"""Plays a long, realistic session through the public Session API.

The mix follows a busy exercise: injects delivered as play moves on, decisions
by every team (some choosing a decision's option, some citing checklist
items), ratings, notes, a few amendments and retractions, then the hot wash.
Time comes from a fake clock so that the play clock and the report read like
hours of play even though the file is written in seconds.
"""

from __future__ import annotations

import random
from pathlib import Path

import prose

from tabletop.authoring.loading import LoadedScenario
from tabletop.core.vocabulary import RATINGS
from tabletop.session.session import Session

START = 1_793_000_000.0  # a fixed wall-clock start, in 2026


class FakeClock:
    def __init__(self, start: float = START) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def write_session(path: Path, loaded: LoadedScenario, decisions: int, seed: int = 11) -> Path:
    """A closed session file at ``path`` holding exactly ``decisions`` decisions."""
    rng = random.Random(seed)
    clock = FakeClock()
    session = Session.create(path, loaded, clock=clock)
    try:
        _play(session, clock, rng, decisions)
    finally:
        session.close()
    return path


def _play(session: Session, clock: FakeClock, rng: random.Random, decisions: int) -> None:
    scenario = session.scenario
    teams = [team.id for team in scenario.teams]
    items = sorted(scenario.item_by_ref)
    deliver_every = max(1, decisions // max(1, len(scenario.injects)))
    session.record("clock_resumed")
    recorded: list[int] = []
    for n in range(decisions):
        if n % deliver_every == 0:
            session.deliver_next()
        clock.advance(rng.uniform(2.0, 20.0))
        team = rng.choice(teams)
        current = session.state.current_inject
        event = session.record_decision(
            team,
            prose.sentence(rng),
            inject=current,
            option=_option(session, current, team, rng),
            items=rng.sample(items, rng.randint(0, 2)),
        )
        recorded.append(event.seq)
        if n % 10 == 0:
            session.rate_item(team, rng.choice(items), rng.choice(RATINGS), prose.sentence(rng))
        if n % 25 == 0:
            session.record("note_added", text=prose.sentence(rng), team=team, inject=current)
        if n % 40 == 39:
            session.record(
                "decision_amended",
                event=recorded[-1],
                text=prose.sentence(rng),
                reason="the team clarified its position",
            )
        if n % 97 == 96:
            session.record("decision_retracted", event=recorded[-1], reason="recorded in error")
    _hotwash(session, rng, teams, items)
    session.end_exercise()


def _option(session: Session, inject: str | None, team: str, rng: random.Random) -> str | None:
    """Half the time, the deciding team picks one of the inject's options."""
    if inject is None:
        return None
    decision = session.scenario.inject_by_id[inject].decision
    if decision is None or decision.team != team or rng.random() < 0.5:
        return None
    return rng.choice([option.id for option in decision.options])


def _hotwash(session: Session, rng: random.Random, teams: list[str], items: list[str]) -> None:
    objectives = [objective.id for objective in session.scenario.objectives]
    for n in range(20):
        session.record(
            "hotwash_entry",
            objective=objectives[n % len(objectives)],
            kind="strength" if n % 2 else "improvement",
            text=prose.paragraph(rng, 2),
            team=teams[n % len(teams)],
        )
    for n in range(10):
        session.record(
            "improvement_action",
            action=prose.sentence(rng),
            item=items[n % len(items)],
            capability="Operational Coordination",
            owner=f"Team {teams[n % len(teams)][-2:]}",
            due="2026-12-31",
        )


def write_record(path: Path, loaded: LoadedScenario, events: int) -> Path:
    """A closed session file holding ``events`` events of a busy exercise: decisions
    (one in eleven amended), ratings, notes and deliveries, written in one
    transaction (one sync for all) so that 100,000 events take seconds."""
    rng = random.Random(events)
    session = Session.create(path, loaded, clock=FakeClock())
    teams = [team.id for team in session.scenario.teams]
    items = list(session.scenario.item_by_ref)
    try:
        with session.store.transaction():
            session.deliver_next()
            n = 0
            while session.state.last_seq < events:
                n += 1
                team = teams[n % len(teams)]
                if n % 5 == 0:
                    session.rate_item(team, items[n % len(items)], RATINGS[n % 3])
                elif n % 7 == 0:
                    session.record("note_added", text=prose.sentence(rng), team=team, inject=None)
                elif n % 40 == 0 and session.state.next_inject() is not None:
                    session.deliver_next()
                else:
                    decision = session.record_decision(team, prose.sentence(rng))
                    if n % 11 == 0:
                        session.record("decision_amended", event=decision.seq,
                                       text=prose.sentence(rng), reason="typed too fast")
    finally:
        session.close()
    return path
