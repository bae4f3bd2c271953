"""End to end: the real `tabletop run` in a tmux pane, driven by keys."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import tabletop
from tabletop.session.session import Session
from tabletop.session.store.location import Location, parse_url

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "workspace"
SOURCE = Path(tabletop.__file__).resolve().parents[1]
"""Where this test run imports tabletop from: the pane's console runs the same code
(a relative PYTHONPATH would not reach it from the workspace the pane starts in)."""


def tmux(*args: str) -> str:
    done = subprocess.run(["tmux", *args], capture_output=True, text=True, check=True)
    return done.stdout


@pytest.fixture
def pane(tmp_path: Path) -> Iterator[str]:
    name = f"tabletop-e2e-{tmp_path.name}"
    yield name
    subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)


def pane_env(tmp_path: Path) -> list[str]:
    """``tmux new-session`` options for the pane's environment."""
    return ["-e", "XDG_CONFIG_HOME=" + str(tmp_path / "config"), "-e", f"PYTHONPATH={SOURCE}"]


def wait_for(
    check: Callable[[], bool], what: str, screen: Callable[[], str], timeout: float = 30.0
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}; the screen:\n{screen()}")


def test_deliver_decide_quit_in_tmux(tmp_path: Path, pane: str) -> None:
    workspace = tmp_path / "ws"
    shutil.copytree(FIXTURE, workspace)
    session_file = workspace / "drill.db"
    # The short sleep lets tmux give the pane its final size before the console
    # reads it (a resize that lands before Textual listens for it is lost).
    command = (
        f"sleep 0.5; {sys.executable} -m tabletop run mini --session {session_file}; "
        "echo TABLETOP-EXITED; sleep 60"
    )
    env = pane_env(tmp_path)
    tmux("new-session", "-d", "-s", pane, "-x", "120", "-y", "36", *env, "-c",
         str(workspace), command)

    def screen() -> str:
        return tmux("capture-pane", "-t", pane, "-p")

    wait_for(lambda: "PAUSED" in screen(), "the console", screen)
    assert "Mini drill" in screen()
    assert "^p Commands" in screen()  # the 120-column layout, not the narrow one
    tmux("send-keys", "-t", pane, "n")
    wait_for(lambda: "● delivered" in screen(), "the delivery", screen)
    tmux("send-keys", "-t", pane, "d")
    wait_for(lambda: "Decision: Blue" in screen(), "the decision form", screen)
    # Typed text and ctrl+s arrive at once, as in a paste: no character may be lost.
    tmux("send-keys", "-t", pane, "-l", "Call the hotline first")
    tmux("send-keys", "-t", pane, "C-s")
    # Blue decides this decision point: without an option, the console asks first.
    wait_for(lambda: "decision: no option" in screen(), "the question", screen)
    tmux("send-keys", "-t", pane, "y")
    wait_for(lambda: "Call the hotline first" in screen() and "Decision: Blue" not in screen(),
             "the decision in the log", screen)
    tmux("send-keys", "-t", pane, "q")  # no dialog, though the first delivery ran the clock
    wait_for(lambda: "TABLETOP-EXITED" in screen(), "the console to quit", screen)
    assert "The play clock was running: it stopped at" in screen()
    assert "tabletop report drill.db" in screen()  # relative to where it was started

    with Session.open_readonly(session_file) as session:
        state = session.state
        assert [s.inject.id for s in state.delivered()] == ["shots"]
        (decision,) = state.decisions.values()
        assert (decision.team, decision.text) == ("blue", "Call the hotline first")
        assert decision.inject == "shots"
    # A clean quit checkpoints: the .db alone holds everything.
    assert not Path(f"{session_file}-wal").exists()


def test_a_late_decision_never_plays_the_second_branch_in_tmux(tmp_path: Path, pane: str) -> None:
    """Issue 14's scenario: the default branch plays past an undecided decision point,
    then the team decides the other way; 'n' must not deliver the other branch."""
    workspace = tmp_path / "ws"
    shutil.copytree(FIXTURE, workspace)
    session_file = workspace / "late.db"
    command = (
        f"sleep 0.5; {sys.executable} -m tabletop run mini --session {session_file}; "
        "echo TABLETOP-EXITED; sleep 60"
    )
    tmux("new-session", "-d", "-s", pane, "-x", "120", "-y", "36", *pane_env(tmp_path),
         "-c", str(workspace), command)

    def screen() -> str:
        return tmux("capture-pane", "-t", pane, "-p")

    def keys(*sent: str) -> None:
        tmux("send-keys", "-t", pane, *sent)

    wait_for(lambda: "PAUSED" in screen(), "the console", screen)
    keys("n")
    wait_for(lambda: "RUNNING" in screen() or "play clock started" in screen().lower(),
             "the clock started by the first delivery", screen)
    keys("n")
    wait_for(lambda: "Journalist" in screen() or "press" in screen().lower(),
             "the second delivery", screen)
    keys("n")  # 'talks' hangs on the undecided 'shots': the console asks
    wait_for(lambda: "no decision recorded" in screen(), "the question", screen)
    assert "Go on with the default: Hold (g)" in screen()
    keys("g")
    wait_for(lambda: "Talks offered" in screen() and "no decision recorded" not in screen(),
             "the default branch delivered", screen)
    keys("p", "p", "1", "d")  # back to 'shots'; Blue decides it
    wait_for(lambda: "Decision: Blue" in screen(), "the decision form", screen)
    keys("-l", "Reinforce after all")
    # The option list, as a person picks it: each key once the last has landed.
    for key in ("Tab", "Enter", "Down", "Enter"):
        time.sleep(0.4)
        keys(key)
    wait_for(lambda: "▼" in screen() and "Reinforce  " in screen(), "Reinforce chosen", screen)
    keys("C-s")
    wait_for(lambda: "the branch already played" in screen(), "the warning", screen)
    keys("y")
    wait_for(lambda: "Reinforce after all" in screen() and "Decision: Blue" not in screen(),
             "the late decision in the log", screen)
    keys("n")
    wait_for(lambda: "No inject is waiting" in screen(), "nothing left to deliver", screen)
    keys("q")
    wait_for(lambda: "TABLETOP-EXITED" in screen(), "the console to quit", screen)

    with Session.open_readonly(session_file) as session:
        state = session.state
        assert [s.inject.id for s in state.delivered()] == ["shots", "press-call", "talks"]
        assert state.injects["troops-move"].status == "skipped-branch"
        (decision,) = state.decisions.values()
        assert (decision.team, decision.option) == ("blue", "reinforce")


@pytest.mark.parametrize("store", ["sqlite", "postgres"])
def test_a_facilitator_and_an_evaluator_in_two_terminals_see_each_other(
    tmp_path: Path, pane: str, store: str
) -> None:
    """Two real consoles on one session, in two tmux panes: the facilitator delivers,
    the evaluator sees it and rates, the facilitator sees the rating in its history.
    Once on a session file, once on a session in PostgreSQL (skipped without a server)."""
    workspace = tmp_path / "ws"
    shutil.copytree(FIXTURE, workspace)
    session_file: Location = workspace / "drill.db"
    if store == "postgres":
        from pgserver import server_url, unique_session

        session_file = parse_url(unique_session(server_url()))
    where = shlex.quote(str(session_file))
    env = pane_env(tmp_path)
    run = f"{sys.executable} -m tabletop run"
    tmux("new-session", "-d", "-s", pane, "-x", "120", "-y", "36", *env, "-c",
         str(workspace), f"sleep 0.5; {run} mini --session {where}; sleep 60")
    facilitator = f"{pane}:0.0"

    def fac_screen() -> str:
        return tmux("capture-pane", "-t", facilitator, "-p")

    wait_for(lambda: "PAUSED" in fac_screen(), "the facilitator console", fac_screen)
    evaluator = tmux(
        "split-window", "-t", pane, "-v", "-P", "-F", "#{pane_id}", "-c", str(workspace),
        f"sleep 0.5; {run} {where} --role evaluator --name 'K. Oswald' --team blue; "
        "echo EVALUATOR-EXITED; sleep 60",
    ).strip()
    tmux("resize-window", "-t", pane, "-x", "120", "-y", "72")

    def eva_screen() -> str:
        return tmux("capture-pane", "-t", evaluator, "-p")

    wait_for(lambda: "K. Oswald" in eva_screen() and "EVALUATOR" in eva_screen(),
             "the evaluator console", eva_screen)
    assert " n Next" not in eva_screen() and "r Rate" in eva_screen()
    tmux("send-keys", "-t", facilitator, "n")
    wait_for(lambda: "● delivered" in eva_screen(), "the delivery on the evaluator's console",
             eva_screen)
    tmux("send-keys", "-t", evaluator, "r")
    wait_for(lambda: "Rate checklist items" in eva_screen(), "the rating form", eva_screen)
    tmux("send-keys", "-t", evaluator, "C-s")
    wait_for(lambda: "✓ Saved" in eva_screen(), "the saved rating", eva_screen)
    tmux("send-keys", "-t", evaluator, "Escape")
    tmux("send-keys", "-t", facilitator, "y")
    wait_for(lambda: "item_rated" in fac_screen() and "K. Oswald" in fac_screen(),
             "the evaluator's rating in the facilitator's history", fac_screen)
    tmux("send-keys", "-t", facilitator, "Escape")
    tmux("send-keys", "-t", evaluator, "q")
    wait_for(lambda: "EVALUATOR-EXITED" in eva_screen(), "the evaluator to quit", eva_screen)

    with Session.open_readonly(session_file) as session:
        rated = [e for e in session.state.history if e.kind == "item_rated"]
        assert [(e.author.name, e.data["team"]) for e in rated] == [("K. Oswald", "blue")]
        # Opening and quitting the evaluator's console recorded nothing else.
        by_evaluator = [e.kind for e in session.state.history if e.author.role == "evaluator"]
        assert by_evaluator == ["item_rated"]


def field_text(screen: str, label: str) -> str:
    """What the single-line field below ``label`` shows (its placeholder when empty)."""
    lines = screen.splitlines()
    row = next(i for i, line in enumerate(lines) if label in line) + 2  # + its top edge
    return lines[row].split("▊", 1)[1].split("▎", 1)[0].strip()


def test_backspaces_then_typing_in_one_burst_lose_no_key_in_tmux(
    tmp_path: Path, pane: str
) -> None:
    """Issue 14, item 19: 30 backspaces and then ``ab`` in one send-keys (the console
    reads them all at once), twenty times: the single-line field reads ``ab`` each time.
    Textual ran the backspaces only after they had bubbled up to the app, so the late
    ones deleted what was typed after them (tabletop.tui.widgets.fields)."""
    workspace = tmp_path / "ws"
    shutil.copytree(FIXTURE, workspace)
    command = f"sleep 0.5; {sys.executable} -m tabletop run mini --session drill.db; sleep 60"
    env = pane_env(tmp_path)
    tmux("new-session", "-d", "-s", pane, "-x", "120", "-y", "36", *env, "-c",
         str(workspace), command)

    def screen() -> str:
        return tmux("capture-pane", "-t", pane, "-p")

    wait_for(lambda: "PAUSED" in screen(), "the console", screen)
    tmux("send-keys", "-t", pane, "C-p")
    wait_for(lambda: "🔎" in screen(), "the command palette", screen)
    tmux("send-keys", "-t", pane, "-l", "story clock: jump")
    wait_for(lambda: "set the in-story date and time" in screen(), "the command", screen)
    tmux("send-keys", "-t", pane, "Enter")
    label = "New story time"
    wait_for(lambda: label in screen(), "the story clock form", screen)

    burst = ["BSpace"] * 30 + ["a", "b"]
    read: list[str] = []
    for _ in range(20):
        tmux("send-keys", "-t", pane, *burst)
        deadline = time.monotonic() + 1.5
        shown = field_text(screen(), label)
        while shown != "ab" and time.monotonic() < deadline:
            time.sleep(0.05)
            shown = field_text(screen(), label)
        if shown == "ab":  # and it stays so: no late backspace takes it away
            time.sleep(0.25)
            shown = field_text(screen(), label)
        read.append(shown)
    lost = [shown for shown in read if shown != "ab"]
    assert not lost, f"{len(lost)} of 20 bursts lost keys; the field read {read}"
