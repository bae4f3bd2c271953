"""Opening an attachment: found in the session's workspace, checked at the time,
shown in the system viewer or given as a path; never a traceback."""

from __future__ import annotations

import os
import stat
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fakeclock import FakeClock
from scenarios import harbour_attachments_loaded

from tabletop.app import attachments
from tabletop.app.attachments import Unreachable, attachment_file, open_attachment, viewer
from tabletop.authoring.workspace import session_workspace
from tabletop.session.session import Session


@pytest.fixture
def played(tmp_path: Path, clock: FakeClock) -> Iterator[Session]:
    s = Session.create(tmp_path / "harbour.db", harbour_attachments_loaded(tmp_path), clock=clock)
    yield s
    s.close()


def test_the_workspace_is_the_exercise_file_s(played: Session, tmp_path: Path) -> None:
    assert session_workspace(played.meta.source_path) == (tmp_path / "ws").resolve()
    real = attachment_file(played, "control/fire-plan.pdf")
    assert real == (tmp_path / "ws" / "control" / "fire-plan.pdf").resolve()


def test_an_exercise_file_outside_any_workspace_means_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "loose").mkdir()
    assert session_workspace(str(tmp_path / "loose" / "drill.yaml")) == tmp_path.resolve()


@pytest.mark.parametrize(("source", "says"), [
    ("", "does not say which exercise file"),
    ("/nowhere/at/all/exercises/drill.yaml", "/nowhere/at/all/exercises is not on this machine"),
])
def test_a_session_from_elsewhere_says_why_nothing_opens(source: str, says: str) -> None:
    with pytest.raises(Unreachable, match=says):
        session_workspace(source)


def test_a_link_planted_after_the_start_is_refused(played: Session, tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("not for the room")
    planted = tmp_path / "ws" / "handouts" / "statement.txt"
    planted.unlink()
    planted.symlink_to(tmp_path / "secret.txt")
    with pytest.raises(Unreachable, match="leads outside the workspace"):
        open_attachment(played, "handouts/statement.txt")


def test_the_viewer_gets_the_real_path(
    played: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[Path] = []
    monkeypatch.setattr(attachments, "viewer", lambda: shown.append)
    opened = open_attachment(played, "handouts/pier-4.png")
    real = (tmp_path / "ws" / "handouts" / "pier-4.png").resolve()
    assert (opened.path, opened.in_viewer, shown) == (real, True, [real])


def test_without_a_viewer_or_when_it_fails_the_path_is_given(
    played: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(attachments, "viewer", lambda: None)
    opened = open_attachment(played, "handouts/pier-4.png")
    assert not opened.in_viewer and opened.path.is_absolute() and opened.path.is_file()

    def broken(path: Path) -> None:
        raise FileNotFoundError(2, "No such file or directory", "xdg-open")

    monkeypatch.setattr(attachments, "viewer", lambda: broken)
    assert not open_attachment(played, "handouts/pier-4.png").in_viewer


def test_over_ssh_no_viewer_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.setenv("SSH_CONNECTION", "10.0.0.2 50000 10.0.0.1 22")
    assert viewer() is None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="xdg-open is the Linux viewer")
def test_on_a_linux_desktop_xdg_open_is_started_detached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("SSH_CONNECTION", "SSH_CLIENT", "SSH_TTY", "WAYLAND_DISPLAY", "DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    assert viewer() is None  # a terminal with no desktop
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "xdg-open"
    fake.write_text(f'#!/bin/sh\nprintf "%s" "$1" > {tmp_path / "asked"}\n')
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setenv("DISPLAY", ":0")
    show = viewer()
    assert show is not None
    show(tmp_path / "a file.pdf")
    asked = tmp_path / "asked"
    for _ in range(500):
        if asked.exists() and asked.read_text():
            break
        time.sleep(0.01)
    assert asked.read_text() == str(tmp_path / "a file.pdf")
