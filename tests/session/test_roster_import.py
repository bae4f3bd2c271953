"""``tabletop import-roster``: a sign-in sheet into the roster, every problem named
by line and column, and nothing added unless every row is good (issue 15, item 6)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import FakeClock

from tabletop.cli import main
from tabletop.session.roster import MAX_ROSTER_BYTES, header_key
from tabletop.session.session import Session

GOOD = ("Name,Organization,Country,Role,Team,Name in report?,E-mail\n"
        "Ana Lopes,MFA,Portugal,player,policy,yes,ana@example.org\n"
        "B. Kim,MoD,Korea,Observer,Ops,no,\n"
        "\n"
        "\"Cole, Dana\",Red Cross,,evaluator,,,\n")


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the sheets are named as a user types them: roster.csv


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["import-roster", *(_relative(a) for a in args)])
    out, err = capsys.readouterr()
    return code, out, err


def sheet(tmp_path: Path, text: str | bytes, name: str = "roster.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def roster(path: Path) -> list[tuple[str, str, str, str, str | None, bool]]:
    with Session.open_readonly(path) as reader:
        return [(p.name, p.organisation, p.nation, p.role, p.team, p.name_in_report)
                for p in reader.state.participants.values()]


def test_headers_match_in_any_case_and_punctuation() -> None:
    assert {header_key(h) for h in ("Name in report?", "NAME_IN_REPORT", "name in report")} == {
        "nameinreport"}


def test_a_sheet_is_added_to_the_roster(
    session: Session, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = session.store.path
    session.close()
    code, out, err = run(capsys, str(path), str(sheet(tmp_path, GOOD)))
    assert (code, err) == (0, "")
    assert "Added 3 people to the roster of sessions/drill.db" in out
    assert "Columns left out (not roster columns): E-mail" in out
    assert roster(path) == [
        ("Ana Lopes", "MFA", "Portugal", "player", "policy", True),
        ("B. Kim", "MoD", "Korea", "observer", "ops", False),
        ("Cole, Dana", "Red Cross", "", "evaluator", None, False),
    ]
    # Again, after a late arrival signed in: only the new row is added.
    late = GOOD + "Eli Roth,Coast Guard,,player,Comms,no,\n"
    code, out, _ = run(capsys, str(path), str(sheet(tmp_path, late)))
    assert code == 0 and "Added 1 person to the roster" in out and "(3 people already on it)" in out
    code, out, _ = run(capsys, str(path), str(sheet(tmp_path, late)))
    assert code == 0 and "Nobody to add: 4 people on the sheet are already on the roster" in out


def test_every_problem_is_one_line_by_line_and_column_and_nobody_is_added(
    session: Session, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = session.store.path
    session.close()
    before = _events(path)
    text = ("name;organisation;role;team;named\n"
            "Ana Lopes;MFA;player;policy;yes\n"
            "B. Kim;MoD;observr;;no\n"
            ";Red Cross;player;;\n"
            "C. Diaz;UN;player;navy;maybe\n"
            "ana lopes;mfa;player;;\n")
    code, _, err = run(capsys, str(path), str(sheet(tmp_path, text)))
    assert code == 1
    assert err.splitlines() == [
        "roster.csv:3:3: role: unknown role 'observr'; did you mean 'observer'?",
        "roster.csv:4:1: name: empty; every row names a person",
        "roster.csv:5:4: team: unknown team 'navy'",
        "roster.csv:5:5: name_in_report: 'maybe' is neither yes nor no",
        "roster.csv:6: ana lopes is on the sheet twice (also on line 2)",
        "tabletop import-roster: roster.csv: 5 problems; nobody was added",
    ]
    assert _events(path) == before  # not even the facilitator's opening


def test_a_mistyped_or_repeated_header_is_a_problem_and_name_is_required(
    session: Session, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = session.store.path
    session.close()
    for text, message in [
        ("name,rloe\nA,player\n", "roster.csv:1:2: unknown column 'rloe'; did you mean 'role'?"),
        ("name,Name\nA,B\n", "roster.csv:1:2: a second 'name' column (the first is column 1)"),
        ("organisation,role\nMFA,player\n", "roster.csv:1: no 'name' column"),
        ("name,role\nA,player,extra\n", "roster.csv:2:3: the row has 3 cells, the header 2"),
    ]:
        code, _, err = run(capsys, str(path), str(sheet(tmp_path, text)))
        assert code == 1 and message in err, err
    assert roster(path) == []


def test_a_row_for_someone_on_the_roster_with_other_details_is_refused(
    session: Session, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    session.record("participant_added", name="Ana Lopes", organisation="MFA", role="observer")
    path = session.store.path
    session.close()
    code, _, err = run(capsys, str(path), str(sheet(tmp_path, GOOD)))
    assert code == 1
    assert ("roster.csv:2: Ana Lopes is already on the roster with other details; correct "
            "that entry in the console ('participant: correct')") in err
    assert len(roster(path)) == 1


def test_beside_an_open_facilitator_console_a_controller_imports(
    session: Session, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    session.deliver("intro")  # the facilitator console stays open, holding its lock
    path = str(session.store.path)
    csv_path = str(sheet(tmp_path, GOOD))
    code, _, err = run(capsys, path, csv_path)
    assert code == 1
    assert "already has a facilitator console" in err and "--role controller --name" in err
    code, _, err = run(capsys, path, csv_path, "--role", "evaluator", "--name", "K. Oswald")
    assert code == 2 and "an evaluator cannot add participants to the roster" in err
    code, _, err = run(capsys, path, csv_path, "--role", "controller", "--name", "Desk")
    assert (code, err) == (0, ""), err
    session.refresh()  # the open console follows it, as it follows any recorder
    assert [p.name for p in session.state.participants.values()] == [
        "Ana Lopes", "B. Kim", "Cole, Dana"]
    added = [e for e in session.state.history if e.kind == "participant_added"]
    assert {e.author.describe() for e in added} == {"Desk (controller)"}
    assert session.state.injects["intro"].status == "delivered"  # nothing else touched


@pytest.mark.parametrize(("content", "message"), [
    (b"\xef\xbb\xbfname,role\nA,player\n", None),  # a BOM is fine
    ("name,role\nAna,player\n".encode("utf-16"), None),  # so is UTF-16 with its BOM
    (b"name,role\nJos\xe9,player\n", "roster.csv:2: not UTF-8 text (byte 0xe9); save the sheet "
     "as 'CSV UTF-8'"),
    (b"name,role\nA\x1b[31mB,player\n", "roster.csv:2:1: name: holds control characters"),
    (b"name,role\nA\x00,player\n", "roster.csv: it holds NUL bytes"),
    (b"name,role\n\"A,player\n", "roster.csv:2: not a CSV sheet: unexpected end of data"),
    (b"name\n" + b"x" * 300 + b"\n", "roster.csv:2:1: name: 300 characters long; 200 at most"),
    (b"", "roster.csv: the sheet is empty"),
    (b"name\n" + b"A\n" * 5002, "roster.csv: more than 5000 rows"),
])
def test_a_hostile_sheet_gets_one_line(
    session: Session, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    content: bytes, message: str | None,
) -> None:
    path = session.store.path
    session.close()
    code, _, err = run(capsys, str(path), str(sheet(tmp_path, content)))
    if message is None:
        assert (code, err) == (0, "")
        return
    assert code == 1 and message in err
    assert len(err.strip().splitlines()) == 1 or "nobody was added" in err.splitlines()[-1]
    assert roster(path) == []


def test_files_that_are_not_sheets_get_one_line(
    session: Session, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = session.store.path
    session.close()
    huge = tmp_path / "huge.csv"
    with huge.open("wb") as handle:
        handle.truncate(MAX_ROSTER_BYTES + 1)
    fifo = tmp_path / "fifo.csv"
    os.mkfifo(fifo)
    (tmp_path / "loop.csv").symlink_to(tmp_path / "loop.csv")
    (tmp_path / "dangling.csv").symlink_to(tmp_path / "nowhere.csv")
    for target, message, expected in [
        (huge, "is larger than the limit of 4,194,304 bytes", 1),
        (fifo, "the sheet is empty", 1),  # no program writes to it: read as empty, no hang
        (tmp_path / "loop.csv", "cannot read", 1),
        (tmp_path / "dangling.csv", "no such file", 2),
        (tmp_path, "cannot read", 1),
        (tmp_path / "missing.csv", "no such file", 2),
    ]:
        code, _, err = run(capsys, str(path), str(target))
        assert code == expected and message in err, (target, err)
        assert len(err.strip().splitlines()) == 1, err
    code, _, err = run(capsys, str(tmp_path / "none.db"), str(sheet(tmp_path, GOOD)))
    assert code == 1 and len(err.strip().splitlines()) == 1, err
    code, _, err = run(capsys, str(sheet(tmp_path, GOOD, "not-a-session.db")),
                       str(sheet(tmp_path, GOOD)))
    assert code == 1 and len(err.strip().splitlines()) == 1, err
    assert roster(path) == []


def test_a_named_recorder_must_give_a_name(
    session: Session, tmp_path: Path, capsys: pytest.CaptureFixture[str], clock: FakeClock
) -> None:
    code, _, err = run(capsys, str(session.store.path), str(sheet(tmp_path, GOOD)),
                       "--role", "controller")
    assert code == 2 and "a controller console needs --name" in err


def _relative(arg: str) -> str:
    here = str(Path.cwd()) + os.sep
    return arg.removeprefix(here) if arg.startswith(here) else arg


def _events(path: Path) -> list[str]:
    with Session.open_readonly(path) as reader:
        return [e.kind for e in reader.state.history]
