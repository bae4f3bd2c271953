"""Durable write: Session.record_decision against a bare SQLite INSERT + COMMIT.

Both write to the same folder with the same durability (WAL, synchronous=FULL),
so both pay the same fsync; the budget bounds what the session adds on top.
The session is a copy of the long report session, so the journal is already big.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from context import Context
from measure import side_by_side
from results import Outcome

from tabletop.session.session import Session

LIMIT = 2.0
TEXT = "Agreed to share the situation report with all partners within the hour."


class BareTable:
    """The baseline: one table shaped like the journal's, one transaction per row."""

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode = WAL")
        self.conn.execute("PRAGMA synchronous = FULL")
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY, kind TEXT NOT NULL,"
            " wall REAL NOT NULL, data TEXT NOT NULL)"
        )

    def insert(self, team: str, item: str) -> None:
        payload = {"team": team, "inject": None, "text": TEXT, "option": None, "items": [item]}
        self.conn.execute("BEGIN")
        self.conn.execute(
            "INSERT INTO events (kind, wall, data) VALUES (?, ?, ?)",
            ("decision_recorded", time.time(), json.dumps(payload, separators=(",", ":"))),
        )
        self.conn.execute("COMMIT")


def measure(ctx: Context) -> list[Outcome]:
    s = ctx.sizes
    folder = ctx.folder("durable")
    path = folder / "session.db"
    shutil.copyfile(ctx.session(s.decisions), path)
    bare = BareTable(folder / "bare.db")
    session = Session.open(path)
    team = session.scenario.teams[0].id
    item = sorted(session.scenario.item_by_ref)[0]

    def block(write: Callable[[], object]) -> list[float]:
        samples = []
        for _ in range(s.writes_per_round):
            start = time.perf_counter()
            write()
            samples.append(time.perf_counter() - start)
        return samples

    try:
        block(lambda: bare.insert(team, item))  # warm-up of both sides
        block(lambda: session.record_decision(team, TEXT, items=[item]))
        base, subj = side_by_side(
            lambda: block(lambda: bare.insert(team, item)),
            lambda: block(lambda: session.record_decision(team, TEXT, items=[item])),
            s.write_rounds,
        )
    finally:
        session.close()
        bare.conn.close()
    return [
        Outcome.of(
            "durable-write",
            subject=(f"Session.record_decision (journal of {s.decisions} decisions)", subj),
            baseline=("sqlite3 INSERT + COMMIT, WAL, synchronous=FULL, same folder", base),
            unit="s",
            limit=LIMIT,
        )
    ]
