"""The core never imports Textual: it must stay usable without the console."""

from __future__ import annotations

import subprocess
import sys

CORE_MODULES = [
    "tabletop.cli",
    "tabletop.model",
    "tabletop.loading",
    "tabletop.checks",
    "tabletop.validation",
    "tabletop.schema",
    "tabletop.session.events",
    "tabletop.session.state",
    "tabletop.session.journal",
    "tabletop.session.session",
    "tabletop.scoring",
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
    code = (
        "import sys\n"
        "from tabletop.cli import main\n"
        "main(['schema'])\n"
        "print('textual' in sys.modules, file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stderr.strip().splitlines()[-1] == "False"
