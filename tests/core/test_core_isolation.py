"""The core never imports Textual: it must stay usable without the console."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

CORE_MODULES = [
    "tabletop.app.opening",
    "tabletop.app.forms",
    "tabletop.app.operations",
    "tabletop.cli",
    "tabletop.authoring.model",
    "tabletop.core.scenario",
    "tabletop.authoring.loading",
    "tabletop.authoring.checks",
    "tabletop.authoring.validation",
    "tabletop.authoring.schema",
    "tabletop.session.events",
    "tabletop.session.state",
    "tabletop.session.store.sqlite",
    "tabletop.session.session",
    "tabletop.report.scoring",
    "tabletop.report.build",
    "tabletop.report.render",
]


def test_core_imports_without_textual() -> None:
    code = (
        "import importlib, sys\n"
        f"for name in {CORE_MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_validate_command_does_not_load_the_console() -> None:
    """`validate` really runs (every bundled exercise is checked) and leaves Textual unloaded."""
    code = (
        "import sys\n"
        "from tabletop.cli import main\n"
        "code = main(['validate'])\n"
        "print('RESULT', code, 'textual' in sys.modules, file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert "checked: all valid" in result.stdout + result.stderr
    assert result.stderr.strip().splitlines()[-1] == "RESULT 0 False"


def test_resuming_an_unchanged_exercise_needs_neither_pydantic_nor_yaml(tmp_path: Path) -> None:
    """The console's start path: the stored scenario is decoded without the format
    models, so a resumed session starts without building pydantic schemas."""
    from tabletop.authoring.loading import load_scenario
    from tabletop.core.bundled import bundled_dir
    from tabletop.session.session import Session

    session_file = tmp_path / "s.db"
    loaded = load_scenario(bundled_dir() / "exercises" / "border-tension.yaml")
    Session.create(session_file, loaded).close()
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from tabletop.app.opening import open_session\n"
        f"opened = open_session('border-tension', Path({str(session_file)!r}))\n"
        "assert opened.notices == [], opened.notices\n"
        "assert opened.session.state.next_inject() is not None\n"
        "opened.session.close()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pydantic', 'yaml')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    assert result.stdout.strip() == "[]"
