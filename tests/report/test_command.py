"""`tabletop report`: formats, output paths, user templates and clear failures."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from tabletop.cli import main
from tabletop.session.session import Session


@pytest.fixture
def db(played: Session) -> Path:
    path = played.store.path
    played.close()
    return path


def files(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def test_default_is_html_next_to_the_session(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    assert main(["report", str(db)]) == 0
    target = db.with_name("harbour.report.html")
    assert capsys.readouterr().out.strip() == str(target)
    assert target.read_text().startswith("<!DOCTYPE html>")
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before  # opened read-only
    assert not list(db.parent.glob("*.tmp"))


def test_format_from_extension_and_flag(db: Path, tmp_path: Path) -> None:
    assert main(["report", str(db), "-o", str(tmp_path / "aar.md")]) == 0
    assert (tmp_path / "aar.md").read_text().startswith("**TLP:AMBER**")
    assert main(["report", str(db), "--format", "json", "-o", str(tmp_path / "aar.txt")]) == 0
    assert json.loads((tmp_path / "aar.txt").read_text())["meta"]["title"] == "Harbour Storm"
    assert main(["report", str(db), "--format", "md"]) == 0
    assert db.with_name("harbour.report.md").exists()


def test_stdout(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(db), "-o", "-", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["meta"]["draft"] is False


def test_unknown_extension_is_a_usage_error(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", str(db), "-o", str(tmp_path / "aar.odt")]) == 2
    assert "--format" in capsys.readouterr().err
    assert not (tmp_path / "aar.odt").exists()


def test_missing_session(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.db"
    assert main(["report", str(missing)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("tabletop report: ") and err.count("\n") == 1
    assert "Traceback" not in err
    assert files(tmp_path) == set()  # neither a report nor an empty session file


def test_corrupt_session(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"SQLite format 3\x00" + b"\xff" * 200)
    assert main(["report", str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("tabletop report: ") and err.count("\n") == 1
    assert files(tmp_path) == {"bad.db"}


def test_user_templates(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    brand = tmp_path / "brand"
    brand.mkdir()
    (brand / "report.md").write_text("Bericht: {{ r.meta.title }} {{ r.timeline|length }}\n")
    out = tmp_path / "out.md"
    assert main(["report", str(db), "--templates", str(brand), "-o", str(out)]) == 0
    assert out.read_text() == "Bericht: Harbour Storm 7\n"

    (brand / "report.md").write_text("{{ ''.__class__.__mro__[1].__subclasses__() }}\n")
    out.unlink()
    assert main(["report", str(db), "--templates", str(brand), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "report.md" in err and err.count("\n") == 1
    assert not out.exists()

    assert main(["report", str(db), "--templates", str(tmp_path / "none")]) == 2


def test_unwritable_target_is_reported(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "no-such-folder" / "aar.html"
    assert main(["report", str(db), "-o", str(target)]) == 1
    err = capsys.readouterr().err
    assert "cannot write" in err and err.count("\n") == 1


def test_report_file_is_readable_by_others(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "shared.html"
    previous = os.umask(0o022)
    try:
        assert main(["report", str(db), "-o", str(out)]) == 0
    finally:
        os.umask(previous)
    assert out.stat().st_mode & 0o777 == 0o644


def test_docx_by_extension_flag_and_default_path(db: Path, tmp_path: Path) -> None:
    from docx import Document

    out = tmp_path / "aar.docx"
    assert main(["report", str(db), "-o", str(out)]) == 0
    headings = [p.text for p in Document(str(out)).paragraphs if p.style.name == "Heading 1"]
    assert headings[:2] == ["Handling Instructions", "Exercise Overview"]
    assert main(["report", str(db), "--format", "docx"]) == 0
    assert db.with_name("harbour.report.docx").read_bytes().startswith(b"PK\x03\x04")


def test_binary_output_never_replaces_the_session(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = db.read_bytes()
    assert main(["report", str(db), "--format", "docx", "-o", str(db)]) == 1
    assert "is the session file itself; refusing" in capsys.readouterr().err
    assert db.read_bytes() == before


def test_binary_output_is_refused_on_a_terminal(
    db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import sys

    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    assert main(["report", str(db), "--format", "docx", "-o", "-"]) == 2
    err = capsys.readouterr().err
    assert "not for a terminal" in err and err.count("\n") == 1


def test_docx_to_a_pipe_is_the_document(db: Path, capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    assert main(["report", str(db), "--format", "docx", "-o", "-"]) == 0
    assert capfdbinary.readouterr().out.startswith(b"PK\x03\x04")


def test_a_bad_docx_template_is_one_line(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    brand = tmp_path / "brand"
    brand.mkdir()
    (brand / "docx-headings.yaml").write_text("overveiw: Übersicht\n", encoding="utf-8")
    out = tmp_path / "aar.docx"
    assert main(["report", str(db), "--templates", str(brand), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert err == ("tabletop report: docx-headings.yaml:1:1: overveiw: no such heading; "
                   "did you mean 'overview'?\n")
    assert not out.exists()
