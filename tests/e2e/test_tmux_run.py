"""End to end: the real `tabletop run` in a tmux pane, driven by keys."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tabletop.session.session import Session

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "workspace"


def tmux(*args: str) -> str:
    done = subprocess.run(["tmux", *args], capture_output=True, text=True, check=True)
    return done.stdout


@pytest.fixture
def pane(tmp_path: Path) -> Iterator[str]:
    name = f"tabletop-e2e-{tmp_path.name}"
    yield name
    subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)


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
    env = ["-e", "XDG_CONFIG_HOME=" + str(tmp_path / "config")]
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
    wait_for(lambda: "Call the hotline first" in screen() and "Decision: Blue" not in screen(),
             "the decision in the log", screen)
    tmux("send-keys", "-t", pane, "q")
    wait_for(lambda: "TABLETOP-EXITED" in screen(), "the console to quit", screen)
    assert "tabletop report drill.db" in screen()  # relative to where it was started

    with Session.open_readonly(session_file) as session:
        state = session.state
        assert [s.inject.id for s in state.delivered()] == ["shots"]
        (decision,) = state.decisions.values()
        assert (decision.team, decision.text) == ("blue", "Call the hotline first")
        assert decision.inject == "shots"
    # A clean quit checkpoints: the .db alone holds everything.
    assert not Path(f"{session_file}-wal").exists()
