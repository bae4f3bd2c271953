"""Every kind of broken file gets its own clear message and never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tabletop.cli import main

INVALID = Path(__file__).resolve().parents[1] / "fixtures" / "invalid"
CASES = sorted(p.stem for p in INVALID.glob("*.yaml"))


@pytest.mark.parametrize("name", CASES)
def test_invalid_file_gets_expected_message(
    name: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(INVALID.parent)
    expected = (INVALID / f"{name}.expected").read_text().strip()
    code = main(["validate", f"invalid/{name}.yaml"])
    out = capsys.readouterr()
    assert code == 1
    assert expected in out.out
    assert out.out.startswith(f"invalid/{name}.yaml:")
    assert "Traceback" not in out.out + out.err


def test_every_fixture_has_an_expectation() -> None:
    assert CASES
    for name in CASES:
        assert (INVALID / f"{name}.expected").is_file(), name


def test_python_tag_never_executes(tmp_path: Path) -> None:
    marker = Path("/tmp/tabletop-pwned")
    marker.unlink(missing_ok=True)
    subprocess.run(
        [sys.executable, "-m", "tabletop", "validate", str(INVALID / "python-tag.yaml")],
        capture_output=True,
        check=False,
    )
    assert not marker.exists()


def test_validate_reports_all_files_at_once(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["validate", str(INVALID)])
    lines = [line for line in capsys.readouterr().out.splitlines() if line]
    assert code == 1
    assert len({line.split(":", 1)[0] for line in lines}) == len(CASES)


def test_missing_path_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "does/not/exist.yaml"]) == 2
    assert "no such file or folder" in capsys.readouterr().err
