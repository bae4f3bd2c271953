"""No command replaces a session, or anything that is not a regular file."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import socket
import threading
from pathlib import Path

import pytest

from tabletop.cli import main


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def report(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["report", *args])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


@pytest.mark.parametrize("command", ["report", "export"])
def test_output_never_replaces_the_session_by_any_name(
    command: str, closed_session: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = digest(closed_session)
    named_like_output = tmp_path / "t.html"
    shutil.copy(closed_session, named_like_output)
    symlink = tmp_path / "link.html"
    symlink.symlink_to(closed_session)
    hard = tmp_path / "hard.json"
    os.link(closed_session, hard)
    wal = closed_session.with_name(closed_session.name + "-wal")
    for session, target in [
        (closed_session, closed_session),
        (named_like_output, named_like_output),
        (closed_session, symlink),
        (closed_session, hard),
        (hard, closed_session),
        (closed_session, wal),
    ]:
        extra = ["--format", "html"] if command == "report" else []
        assert main([command, str(session), "-o", str(target), *extra]) == 1, target
        err = capsys.readouterr().err
        assert "refusing to" in err, err
        assert len(err.strip().splitlines()) == 1
    assert digest(closed_session) == before
    assert digest(named_like_output) == before
    assert not wal.exists()


def test_another_session_is_never_the_output(
    closed_session: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "other.db"
    shutil.copy(closed_session, other)
    code, err = report([str(closed_session), "-o", str(other), "--format", "html"], capsys)
    assert code == 1 and "is a session file; refusing to overwrite it" in err
    assert digest(other) == digest(closed_session)


def test_a_fifo_is_written_as_a_stream(
    closed_session: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    received: list[bytes] = []

    def drain() -> None:
        with open(fifo, "rb") as reader:
            received.append(reader.read())

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        for _ in range(200):  # until the reader has opened its end
            code, err = report([str(closed_session), "-o", str(fifo)], capsys)
            if "no program is reading" not in err:
                break
            threading.Event().wait(0.01)
    finally:
        if reader.is_alive() and not received:  # never opened for writing: release it
            with contextlib.suppress(OSError):
                os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        reader.join(timeout=10)
    assert code == 0, err
    assert fifo.is_fifo()  # still the FIFO, never replaced by a file
    assert b"# " in received[0]


def test_a_fifo_nobody_reads_is_refused_at_once(
    closed_session: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo = tmp_path / "pipe.html"
    os.mkfifo(fifo)
    code, err = report([str(closed_session), "-o", str(fifo)], capsys)
    assert code == 1 and "a FIFO that no program is reading" in err
    assert fifo.is_fifo()


def test_devices_are_streams_never_replaced(
    closed_session: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert report([str(closed_session), "-o", "/dev/null", "--format", "md"], capsys)[0] == 0
    assert Path("/dev/null").is_char_device()
    if Path("/dev/full").exists():
        code, err = report([str(closed_session), "-o", "/dev/full", "--format", "md"], capsys)
        assert code == 1 and "No space left on device" in err
        assert Path("/dev/full").is_char_device()


def test_sockets_and_folders_are_refused(
    closed_session: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "s.sock"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
        code, err = report([str(closed_session), "-o", str(path), "--format", "md"], capsys)
        assert code == 1 and "is a socket" in err
    finally:
        server.close()
    code, err = report([str(closed_session), "-o", str(tmp_path), "--format", "md"], capsys)
    assert code == 1 and "is a folder" in err


def test_a_regular_report_is_replaced_atomically_and_leaves_no_temporary(
    closed_session: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "r.md"
    out.write_text("old", encoding="utf-8")
    assert report([str(closed_session), "-o", str(out)], capsys)[0] == 0
    assert "# Tarn Bend" in out.read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_a_dangling_symlink_is_not_followed(
    closed_session: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    planted = tmp_path / "r.md"
    planted.symlink_to(tmp_path / "elsewhere" / "x.md")
    code, err = report([str(closed_session), "-o", str(planted)], capsys)
    assert code == 1 and "symbolic link to a file that does not exist" in err
    assert not (tmp_path / "elsewhere").exists()
