"""Handouts: the attachments of delivered injects, listed in the report and copied
into ``handouts/`` beside it; facilitator-only files never, links out of the
workspace never followed, missing files skipped with a warning."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fakeclock import FakeClock
from scenarios import HARBOUR_FILES, harbour_attachments_loaded

from tabletop.cli import main
from tabletop.report.build import build_report_model
from tabletop.session.session import Session

START = 1_773_468_000.0


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A session that delivered every inject with attachments (and one without)."""
    path = tmp_path / "sessions" / "harbour.db"
    path.parent.mkdir()
    with Session.create(path, harbour_attachments_loaded(tmp_path), clock=FakeClock(START)) as s:
        for inject_id in ("harbour-alarm", "press-call", "minister-call"):
            s.deliver(inject_id)
    return path


def test_the_report_lists_what_the_delivered_injects_handed_out(
    tmp_path: Path, clock: FakeClock
) -> None:
    with Session.create(tmp_path / "s.db", harbour_attachments_loaded(tmp_path),
                        clock=clock) as session:
        assert build_report_model(session).handouts == []
        session.deliver("harbour-alarm")
        session.deliver("press-call")
        handouts = build_report_model(session).handouts
    assert [(h.name, h.path, h.kind, h.injects, h.note) for h in handouts] == [
        ("pier-4.png", "handouts/pier-4.png", "image",
         ["Fire reported at the harbour", "Journalist asks for comment"], ""),
        ("statement.txt", "handouts/statement.txt", "text", ["Journalist asks for comment"], ""),
    ]  # the facilitator-only fire plan is not a handout; minister-call was not delivered


def test_handouts_are_copied_beside_the_report_and_listed_in_it(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = tmp_path / "ws"
    (tmp_path / "secret.txt").write_text("the minister's private number")
    planted = ws / "handouts" / "statement.txt"  # a link planted after the start
    planted.unlink()
    planted.symlink_to(tmp_path / "secret.txt")
    assert main(["report", str(db)]) == 0
    out, err = capsys.readouterr()
    report = db.with_name("harbour.report.html")
    assert out.strip() == str(report)  # stdout stays the report's path alone
    folder = db.parent / "handouts"
    assert sorted(p.name for p in folder.iterdir()) == ["pier-4.png"]
    assert (folder / "pier-4.png").read_bytes() == HARBOUR_FILES["handouts/pier-4.png"]
    warnings = err.splitlines()
    assert len(warnings) == 2 and all(w.startswith("tabletop report: warning: ") for w in warnings)
    assert "handouts/statement.txt: leads outside the workspace" in warnings[0]
    assert "handouts/missing.pdf: not found in the workspace" in warnings[1]
    html = report.read_text()
    assert '<h3>Appendix I: Handouts</h3>' in html
    assert '<a href="handouts/pier-4.png">pier-4.png</a>' in html
    assert "statement.txt<br><span class=\"muted\">Not copied: it leads outside" in html
    assert "missing.pdf<br><span class=\"muted\">Not copied: not found in the workspace" in html
    assert "fire-plan" not in html and "private number" not in html
    assert str(tmp_path) not in html  # the facilitator's folders stay out of the report


def test_a_file_already_there_is_never_replaced(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "aar"
    (out / "handouts").mkdir(parents=True)
    (out / "handouts" / "pier-4.png").write_bytes(b"someone else's picture")
    (out / "handouts" / "statement.txt").write_bytes(HARBOUR_FILES["handouts/statement.txt"])
    assert main(["report", str(db), "-o", str(out / "aar.md")]) == 0
    err = capsys.readouterr().err
    assert (out / "handouts" / "pier-4.png").read_bytes() == b"someone else's picture"
    assert "a different file named pier-4.png is already in the handouts folder" in err
    assert "statement.txt" not in err  # the same bytes: as good as copied
    md = (out / "aar.md").read_text()
    assert "### I. Handouts" in md
    assert "| statement.txt | text | Journalist asks for comment |" in md
    assert "pier-4.png<br>Not copied: a different file named pier-4.png" in md
    # Run again: nothing changes, nothing is duplicated.
    assert main(["report", str(db), "-o", str(out / "aar.md")]) == 0
    assert sorted(p.name for p in (out / "handouts").iterdir()) == ["pier-4.png",
                                                                     "statement.txt"]


def test_a_session_whose_workspace_is_elsewhere_still_reports(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "ws").rename(tmp_path / "moved")
    assert main(["report", str(db), "-o", str(tmp_path / "aar.json")]) == 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "handouts not copied: the exercise's folder" in err
    assert "Traceback" not in err
    handouts = json.loads((tmp_path / "aar.json").read_text())["handouts"]
    assert {h["note"] for h in handouts} == {"the exercise's workspace is not on this machine"}
    assert not (tmp_path / "handouts").exists()


def test_a_report_to_stdout_copies_nothing(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", str(db), "-o", "-", "--format", "json"]) == 0
    names = [h["name"] for h in json.loads(capsys.readouterr().out)["handouts"]]
    assert names == ["pier-4.png", "statement.txt", "missing.pdf"]
    assert not (db.parent / "handouts").exists()
