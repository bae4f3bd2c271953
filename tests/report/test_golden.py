"""Golden files: the whole HTML and Markdown report of known sessions.

Only the generation time and tabletop's version are masked. After an intended
change, regenerate with ``UPDATE_GOLDEN=1 pytest tests/report/test_golden.py``
and review the diff like code.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tabletop.report.build import build_report_model
from tabletop.report.render import render
from tabletop.session.session import Session

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


def mask(text: str) -> str:
    text = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "<generated>", text)
    return re.sub(r"tabletop \d[\w.\\+-]*", "tabletop <version>", text)


def check(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(exist_ok=True)
        path.write_text(mask(text), encoding="utf-8")
    assert path.exists(), f"{path} is missing: run with UPDATE_GOLDEN=1 to create it"
    assert mask(text) == path.read_text(encoding="utf-8"), (
        f"{name} differs from its golden file; if the change is intended, "
        "rerun with UPDATE_GOLDEN=1 and review the diff"
    )


def reread(session: Session) -> Session:
    path = session.store.path
    session.close()
    return Session.open_readonly(path)


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_played_session(played: Session, fmt: str) -> None:
    with reread(played) as session:
        check(f"played.{fmt}", render(build_report_model(session), fmt))


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_empty_session(new_session: Callable[..., Session], fmt: str) -> None:
    with reread(new_session()) as session:
        check(f"empty.{fmt}", render(build_report_model(session), fmt))
