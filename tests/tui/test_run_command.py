"""`tabletop run` / `tabletop present` start-up: new, resumed, refused sessions."""

from __future__ import annotations

import gc
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from tabletop.app.opening import open_session
from tabletop.cli import main
from tabletop.session.session import Session
from tabletop.session.store.errors import SessionWrongExercise

from .helpers import press_in_a_burst


def test_new_session_goes_under_sessions_and_is_announced(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", "mini", "--headless-smoke"]) == 0
    (created,) = (workspace / "sessions").glob("mini-*.db")
    out = capsys.readouterr().out
    shown = str(created.relative_to(workspace))
    assert f"Session: {shown}" in out
    assert f"tabletop report {shown}" in out
    with Session.open_readonly(created) as session:
        assert [e.kind for e in session.store.events()] == ["facilitator_opened"]


@pytest.mark.parametrize(
    ("argv", "code"),
    [
        (["run", "mini", "--headless-smoke"], 0),
        (["run", "no-such-exercise"], 2),
        (["run", "mini", "--session", "not-a-session.txt"], 1),
    ],
)
def test_the_garbage_collector_runs_again_after_start_up(
    workspace: Path, argv: list[str], code: int
) -> None:
    (workspace / "not-a-session.txt").write_text("hello")
    gc.enable()
    assert main(argv) == code
    assert gc.isenabled()


def test_resume_plays_the_stored_copy_and_says_the_file_changed(workspace: Path) -> None:
    path = workspace / "s.db"
    first = open_session("mini", path)
    assert first.notices == []
    first.session.deliver_next()
    first.session.close()

    exercise = workspace / "exercises" / "mini.yaml"
    exercise.write_text(exercise.read_text().replace("Mini drill", "Renamed drill"))
    again = open_session("mini", path)
    try:
        assert "changed since this session began" in again.notices[0]
        assert again.session.scenario.title == "Mini drill"  # the stored copy
        assert again.session.state.current_inject == "shots"
        assert again.session.state.paused
    finally:
        again.session.close()


def test_resume_carries_on_when_the_file_no_longer_validates(workspace: Path) -> None:
    path = workspace / "s.db"
    open_session("mini", path).session.close()
    exercise = workspace / "exercises" / "mini.yaml"
    exercise.write_text(exercise.read_text().replace("duration: 1h", "duration: soon"))
    again = open_session("mini", path)
    try:
        assert "no longer validates" in again.notices[0]
        assert again.session.scenario.id == "mini"
    finally:
        again.session.close()


def test_a_file_that_no_longer_validates_leaves_no_parse_behind(workspace: Path) -> None:
    """The caught problems must not hold the loader's frames (and with them the
    whole parse) in a cycle: the console freezes what is alive when it starts."""
    path = workspace / "s.db"
    open_session("mini", path).session.close()
    exercise = workspace / "exercises" / "mini.yaml"
    exercise.write_text(exercise.read_text().replace("duration: 1h", "duration: soon"))
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        open_session("mini", path).session.close()
        gc.collect()
        frames = {o.f_code.co_name for o in gc.garbage if isinstance(o, types.FrameType)}
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert not frames & {"load_scenario", "_resume", "open_session"}


def test_resume_reads_the_exercise_file_only_when_it_changed(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tabletop.authoring.loading

    path = workspace / "s.db"
    open_session("mini", path).session.close()
    real = tabletop.authoring.loading.load_scenario
    calls: list[object] = []

    def spy(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(tabletop.authoring.loading, "load_scenario", spy)
    again = open_session("mini", path)
    try:
        assert calls == []  # same bytes as when the session began: nothing parsed
        assert again.notices == []
        assert again.session.scenario.title == "Mini drill"
    finally:
        again.session.close()

    exercise = workspace / "exercises" / "mini.yaml"
    exercise.write_text(exercise.read_text().replace("Mini drill", "Renamed drill"))
    changed = open_session("mini", path)
    try:
        assert len(calls) == 1
        assert "changed since this session began" in changed.notices[0]
        assert changed.session.scenario.title == "Mini drill"
    finally:
        changed.session.close()


def test_a_session_of_another_exercise_is_refused(
    workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from .conftest import loaded_scenario

    other = workspace / "other.db"
    Session.create(other, loaded_scenario(tmp_path)).close()
    with pytest.raises(SessionWrongExercise):
        open_session("mini", other)
    assert main(["run", "mini", "--session", str(other)]) == 1
    err = capsys.readouterr().err
    assert "harbour-drill" in err and "Traceback" not in err


def test_a_locked_session_says_who_holds_it(workspace: Path) -> None:
    path = workspace / "s.db"
    holder = open_session("mini", path).session
    try:
        # flock is per open file: a second process is needed to see the lock.
        code = (
            "import sys; from tabletop.cli import main; "
            f"sys.exit(main(['run', 'mini', '--session', {str(path)!r}]))"
        )
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              cwd=workspace, timeout=60)
        assert done.returncode == 1
        assert "already has a facilitator console: " in done.stderr
        assert "Traceback" not in done.stderr
    finally:
        holder.close()


def test_a_bad_exercise_starts_nothing(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exercise = workspace / "exercises" / "mini.yaml"
    exercise.write_text(exercise.read_text().replace("duration: 1h", "duration: soon"))
    assert main(["run", "mini"]) == 1
    err = capsys.readouterr().err
    assert "mini.yaml" in err and "duration" in err and "Traceback" not in err
    assert not (workspace / "sessions").exists()


async def test_the_readme_exercise_plays_to_the_end_by_keys(tmp_path: Path) -> None:
    """Smoke test on real content: deliver every inject, decide, rate, open every view.
    Every bundled exercise plays through the same services, without a terminal, in
    tests/app/test_bundled_exercises_play.py."""
    exercise = "border-tension"
    from tabletop.authoring.loading import load_scenario
    from tabletop.tui.console.app import make_app
    from tabletop.tui.screens.choice import ChoiceScreen

    from .conftest import START_WALL, FakeClock

    session = Session.create(tmp_path / "s.db", load_scenario(exercise, tmp_path),
                             clock=FakeClock(START_WALL))
    app = make_app(session, where="s.db")
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            await press_in_a_burst(pilot, *["n"] * (len(session.scenario.injects) + 1))
            while isinstance(app.screen, ChoiceScreen):  # an undecided decision point
                await pilot.press("g")  # go on with the default
                await press_in_a_burst(pilot, *["n"] * len(session.scenario.injects))
            await pilot.press("d", *"ok", "ctrl+s")
            await pilot.press("r", "ctrl+s", "escape", "h", "escape", "y", "escape", "p")
            await pilot.press("q")
        state = session.state
        assert state.next_inject() is None
        assert all(s.status != "pending" for s in state.injects.values())
        assert len(state.decisions) == 1 and len(state.ratings) == 1
    finally:
        session.close()


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["nothere.db"], "nothere.db: no such session file; the facilitator starts"),
        (["mini", "--session", "nothere.db"], "nothere.db: no such session file"),
        (["mini"], "this console joins a session: name its file"),
    ],
)
def test_a_console_with_no_session_to_join_is_told_in_one_line(
    argv: list[str], said: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    code = main(["run", *argv, "--role", "evaluator", "--name", "K. Oswald"])
    err = capsys.readouterr().err
    assert code == 2 and said in err and len(err.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []  # nothing created
