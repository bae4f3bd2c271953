"""Hostile input to the reader and the checks: endless pipes, trailing newlines."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from tabletop.authoring import yamlsource
from tabletop.cli import main


def test_an_endless_pipe_stops_at_the_size_limit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`tabletop validate <(yes)`: reading stops at the limit, never grows to gigabytes."""
    monkeypatch.setattr(yamlsource, "MAX_FILE_BYTES", 1 << 20)
    fifo = tmp_path / "endless.yaml"
    os.mkfifo(fifo)
    stop = threading.Event()

    def yes() -> None:
        with open(fifo, "wb") as writer:
            try:
                while not stop.is_set():
                    writer.write(b"y: y\n" * 10_000)
            except BrokenPipeError:
                pass

    writer = threading.Thread(target=yes, daemon=True)  # never keeps the run alive
    writer.start()
    try:
        assert main(["validate", str(fifo)]) == 1
    finally:
        stop.set()
        writer.join(timeout=10)
    out = capsys.readouterr().out
    assert "larger than the limit of 1048576 bytes" in out


def test_a_fifo_nobody_writes_reads_as_empty_and_never_hangs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo = tmp_path / "silent.yaml"
    os.mkfifo(fifo)
    assert main(["validate", str(fifo)]) == 1
    assert "the file is empty" in capsys.readouterr().out


@pytest.mark.parametrize(
    "key,value",
    [("id", '"drill\\n"'), ("duration", '"1h\\n"'), ("story_start", '"2026-03-14T06:00:00Z\\n"')],
)
def test_a_trailing_newline_is_not_an_id_time_or_duration(
    key: str, value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exercise = tmp_path / "exercises" / "drill.yaml"
    exercise.parent.mkdir()
    from tabletop.core.bundled import bundled_dir

    text = (bundled_dir() / "exercises" / "border-tension.yaml").read_text(encoding="utf-8")
    lines = text.splitlines()
    for n, line in enumerate(lines):
        if line.startswith(f"{key}:"):
            lines[n] = f"{key}: {value}"
            break
    else:
        raise AssertionError(f"no top-level {key}")
    exercise.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["validate", str(exercise)]) == 1
    out = capsys.readouterr().out
    assert f": {key}: " in out and "Traceback" not in out
