"""A session that crashed, then read from read-only media: intact, not "damaged"."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tabletop.cli import main

CRASHING_WRITER = """
import sys, time
sys.path.insert(0, {tests!r})
from pathlib import Path
from scenarios import harbour_drill_loaded
from tabletop.session.session import Session
folder = Path({folder!r})
s = Session.create(folder / "c.db", harbour_drill_loaded(folder))
s.deliver_next()
s.record_decision("mod", "only in the WAL")
print("ready", flush=True)
time.sleep(60)
"""


@pytest.fixture
def read_only_mount() -> Iterator[Path]:
    """A small tmpfs we can remount read-only (root can write anywhere else)."""
    if shutil.which("mount") is None or os.geteuid() != 0:
        pytest.skip("needs root and mount(8) to make read-only media")
    folder = Path(tempfile.mkdtemp(prefix="tabletop-ro-"))
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(folder)],
                             capture_output=True, check=False)
    if mounted.returncode != 0:
        folder.rmdir()
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False)
        folder.rmdir()


def test_a_crashed_session_on_read_only_media_opens_read_only(
    read_only_mount: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    tests = str(Path(__file__).resolve().parents[1])
    code = CRASHING_WRITER.format(tests=tests, folder=str(read_only_mount))
    writer = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait()
    # Copied to a stick without its shared-memory file, as a file manager would.
    for leftover in ("c.db-shm", "c.db.lock"):
        (read_only_mount / leftover).unlink(missing_ok=True)
    subprocess.run(["mount", "-o", "remount,ro", str(read_only_mount)], check=True)
    assert (read_only_mount / "c.db-wal").stat().st_size > 0
    assert main(["export", str(read_only_mount / "c.db")]) == 0
    assert "only in the WAL" in capsys.readouterr().out
    assert main(["report", str(read_only_mount / "c.db"), "-o", str(tmp_path / "r.md")]) == 0
    assert "only in the WAL" in (tmp_path / "r.md").read_text(encoding="utf-8")
    assert sorted(p.name for p in read_only_mount.iterdir()) == ["c.db", "c.db-wal"]
