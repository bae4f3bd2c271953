"""Nothing reaches the terminal raw, and every bad path gets one line."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tabletop.cli import main
from tabletop.core.bundled import bundled_dir
from tabletop.core.problems import Problem
from tabletop.core.safetext import for_terminal, json_text

PAYLOAD = "A\x1b[2J\x1b]52;c;cHduZWQ=\x07B\u009bC\u0085D\u202eE\u2066F\u200bG"
RAW = ("\x1b", "\x07", "\u009b", "\u0085", "\u202e", "\u2066", "\u200b")


def assert_inert(text: str) -> None:
    for char in RAW:
        assert char not in text, repr(char)


def test_the_sanitiser_makes_every_control_visible() -> None:
    shown = for_terminal(PAYLOAD)
    assert_inert(shown)
    assert "\\x1b[2J" in shown and "<U+202E>" in shown and "\\x9b" in shown
    assert for_terminal("tab\tand\nnewline") == "tab\tand\nnewline"
    assert for_terminal("a\nb", one_line=True) == "a\\x0ab"
    assert for_terminal(os.fsdecode(b"caf\xff")) == "caf\\xff"


def test_json_keeps_the_data_and_escapes_the_controls() -> None:
    text = json_text({"t": PAYLOAD, "ok": "مرحبا 🚢"})
    assert_inert(text)
    assert json.loads(text) == {"t": PAYLOAD, "ok": "مرحبا 🚢"}
    assert "مرحبا 🚢" in text


def test_a_problem_line_is_one_safe_line_of_at_most_500_characters() -> None:
    problem = Problem(f"ex{PAYLOAD}.yaml", 3, 4, ("injects", 0, "x" * 3000), PAYLOAD * 20)
    line = str(problem)
    assert_inert(line)
    assert "\n" not in line and len(line) <= 500
    assert line.startswith("exA\\x1b[2J")


def workspace_with_title(tmp_path: Path, title: str) -> Path:
    source = (bundled_dir() / "exercises" / "border-tension.yaml").read_text(encoding="utf-8")
    lines = source.splitlines()
    for n, line in enumerate(lines):
        if line.startswith("title:"):
            lines[n] = f"title: {json.dumps(title)}"
            break
    (tmp_path / "exercises").mkdir()
    (tmp_path / "exercises" / "border-tension.yaml").write_text(
        "\n".join(lines) + "\n", encoding="utf-8"
    )
    return tmp_path


def test_list_validate_and_run_print_nothing_raw(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(workspace_with_title(tmp_path, PAYLOAD))
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert_inert(out)
    assert "A\\x1b[2J" in out
    bad = tmp_path / "exercises" / "bad.yaml"
    bad.write_text(f"format: tabletop/1\nkind: exercise\n{json.dumps(PAYLOAD)}: 1\n",
                   encoding="utf-8")
    assert main(["validate", str(bad)]) == 1
    captured = capsys.readouterr()
    assert_inert(captured.out + captured.err)
    assert main(["run", f"missing{PAYLOAD}"]) == 2
    assert_inert(capsys.readouterr().err)


def test_reports_to_stdout_keep_nothing_raw_for_a_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tabletop.authoring.loading import load_scenario
    from tabletop.session.session import Session

    session_file = tmp_path / "s.db"
    monkeypatch.chdir(workspace_with_title(tmp_path, PAYLOAD))
    with Session.create(session_file, load_scenario("border-tension")) as session:
        session.deliver_next()
        session.record_decision(session.scenario.teams[0].id, PAYLOAD)
    assert main(["report", str(session_file), "-o", "-", "--format", "md"]) == 0
    assert_inert(capsys.readouterr().out)
    assert main(["report", str(session_file), "-o", "-", "--format", "json"]) == 0
    out = capsys.readouterr().out
    assert_inert(out)
    assert json.loads(out)["meta"]["title"] == PAYLOAD  # the data itself is unchanged
    html = tmp_path / "r.html"
    assert main(["report", str(session_file), "-o", str(html)]) == 0
    text = html.read_text(encoding="utf-8")
    assert "<bdi>" in text and "\u202e" in text  # kept, but isolated


LONG = "n" * 5000


@pytest.mark.parametrize(
    "argv",
    [
        ["validate", "/no/such/file.yaml"],
        ["list", "/no/such/folder"],
        ["sessions", "/no/such/folder"],
        ["present", "/no/such/s.db"],
        ["report", "/no/such/s.db"],
        ["export", "/no/such/s.db"],
        ["import", "/no/such/e.json"],
        ["run", "/no/such/exercise.yaml"],
        ["validate", "nul\0byte.yaml"],
        ["report", "nul\0byte.db"],
        ["run", "border-tension", "--session", "nul\0.db"],
        ["validate", LONG],
        ["export", LONG],
        ["sessions", LONG],
        ["present", LONG],
        ["run", "border-tension", "--session", LONG],
    ],
)
def test_a_bad_path_gets_one_line_and_exit_2_in_every_command(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:  # argparse's own usage error
        code = main(argv)
        raise SystemExit(code)
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.strip()
    assert err.strip().splitlines()[-1].startswith("tabletop ")
    assert "\0" not in err


def test_a_file_name_that_is_not_utf8_is_shown_as_bytes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = os.fsdecode(os.fsencode(str(tmp_path)) + b"/caf\xff\x1b.db")
    assert main(["report", name]) == 2
    err = capsys.readouterr().err
    assert "caf\\xff\\x1b.db: no such session file" in err


def test_a_closed_standard_output_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "tabletop", "list"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        text=True, check=False, cwd=tmp_path, preexec_fn=lambda: os.close(1),
    )
    assert result.returncode == 1
    assert result.stderr.strip() == "tabletop list: the output is closed"
