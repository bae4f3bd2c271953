"""Crafted session files: one line and exit 1, never a traceback, a hang or a wrong record."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from tabletop.cli import main

CRAFTED = {
    "text where a time belongs": ["UPDATE events SET wall = 'yesterday' WHERE seq = 1"],
    "a huge time": ["UPDATE events SET wall = 1e308 WHERE seq = 1"],
    "an infinite time": ["UPDATE events SET wall = 9e999 WHERE seq = 1"],
    "a payload that is not JSON": ["INSERT INTO events (seq, kind, wall, data) VALUES (4, 'note_added', 1, 'nope')"],
    "a payload that is a list": ["INSERT INTO events (seq, kind, wall, data) VALUES (4, 'inject_delivered', 1, '[1]')"],
    "a wrong-typed payload": [
        "INSERT INTO events (seq, kind, wall, data) VALUES (4, 'inject_delivered', 1, '{\"inject\": 5}')"
    ],
    "an unknown objective rating": [
        "INSERT INTO events (seq, kind, wall, data) VALUES (4, 'objective_rated', 1,"
        " '{\"objective\": \"direct-channels\", \"rating\": \"Q\", \"reason\": \"\"}')"
    ],
    "a number out of range": [
        "INSERT INTO events (seq, kind, wall, data) VALUES (4, 'inject_retimed', 1, '{\"inject\": \"first-report\","
        " \"play_minute\": 9223372036854775807, \"reason\": \"\"}')"
    ],
    "NaN in a payload": ["INSERT INTO events (seq, kind, wall, data) VALUES (4, 'note_added', 1, '{\"text\": NaN}')"],
    "an empty kind": ["INSERT INTO events (seq, kind, wall, data) VALUES (4, '', 1, '{}')"],
    "events taken out": ["DELETE FROM events WHERE seq = 2"],
    "a stored scenario with no teams": [
        "UPDATE meta SET value = json_set(value, '$.teams', json('[]')) WHERE key = 'scenario'"
    ],
    "text where the creation time belongs": ["UPDATE meta SET value = 'soon' WHERE key = 'created'"],
    "a huge format version": [
        "UPDATE meta SET value = '99999999999999999999999' WHERE key = 'format_version'"
    ],
}


@pytest.fixture
def played(tmp_path: Path, exercise: object) -> Path:
    from tabletop.session.session import Session

    path = tmp_path / "played.db"
    with Session.create(path, exercise) as session:  # type: ignore[arg-type]
        session.deliver_next()
        session.record_decision(session.scenario.teams[0].id, "Open the hotline")
    return path


@pytest.mark.parametrize("case", sorted(CRAFTED))
def test_a_crafted_session_is_refused_in_one_line(
    case: str, played: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    crafted = tmp_path / "crafted.db"
    shutil.copy(played, crafted)
    conn = sqlite3.connect(crafted)
    for statement in CRAFTED[case]:
        conn.execute(statement)
    conn.commit()
    conn.close()
    for argv in (["report", str(crafted), "-o", str(tmp_path / "r.html")],
                 ["export", str(crafted)],
                 ["run", "border-tension", "--session", str(crafted), "--headless-smoke"]):
        assert main(argv) == 1, argv
        err = capsys.readouterr().err
        assert "Traceback" not in err
        assert err.strip().splitlines()[0].startswith(f"tabletop {argv[0]}: "), err
    assert not (tmp_path / "r.html").exists()
    assert main(["sessions", str(tmp_path)]) == 0
    listing = capsys.readouterr().out
    assert "crafted.db" in listing
    # A listing reads no payload (a folder of long sessions lists in a blink):
    # damage inside one is found when the session is opened, as above.
    if case not in PAYLOAD_DAMAGE:
        assert "(unreadable)" in listing.split("crafted.db", 1)[1].splitlines()[0]


PAYLOAD_DAMAGE = {
    "a payload that is not JSON",
    "a payload that is a list",
    "a wrong-typed payload",
    "an unknown objective rating",
    "a number out of range",
    "NaN in a payload",
}


def test_a_fifo_or_device_named_like_a_session_is_listed_as_skipped_not_opened(
    played: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    os.mkfifo(tmp_path / "pipe.db")
    os.symlink("/dev/zero", tmp_path / "zero.db")
    assert main(["sessions", str(tmp_path)]) == 0  # returns at once: nothing was read
    listing = capsys.readouterr().out
    for name in ("pipe.db", "zero.db"):
        line = next(row for row in listing.splitlines() if row.startswith(name))
        assert "not a regular file" in line
    assert main(["report", str(tmp_path / "pipe.db"), "-o", "-", "--format", "md"]) == 1
    assert "not a regular file" in capsys.readouterr().err
