"""The PDF report: printed by headless Chromium, read back with pypdf.

pypdf rather than poppler's pdfinfo/pdftotext: it is a pinned test dependency
in pure Python, so wherever Chromium is installed the page count and the text
are checked, whether or not poppler-utils is. The runner's own behaviour (no
browser, a failing or hanging one, the links and dates it fixes) is tested with
a stand-in browser script, so it is checked on every machine.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import stat
import time
from pathlib import Path

import pytest
from fakeclock import FakeClock
from pypdf import PdfReader

from tabletop.authoring.loading import load_scenario
from tabletop.cli import main
from tabletop.report import pdf
from tabletop.report.build import build_report_model
from tabletop.report.pdf import NO_RENDERER, PdfError, find_browser, render_pdf
from tabletop.report.render import render
from tabletop.session.session import Session

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
WHEN = dt.datetime(2026, 5, 28, 21, 54, 0, tzinfo=dt.UTC)


def fake_browser(tmp_path: Path, body: str) -> str:
    """A script that takes Chromium's arguments: $out is --print-to-pdf's file and
    $page the page's file:// URL."""
    script = tmp_path / "fake-chromium"
    script.write_text(
        "#!/bin/sh\n"
        'for arg; do case "$arg" in --print-to-pdf=*) out="${arg#--print-to-pdf=}";; '
        'file://*) page="$arg";; esac; done\n' + body
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script)


def test_no_browser_is_one_clear_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(pdf.BROWSER_VARIABLE, raising=False)
    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    assert find_browser() is None
    with pytest.raises(PdfError) as error:
        render_pdf("<p>hi</p>")
    assert str(error.value) == NO_RENDERER
    assert NO_RENDERER == (
        "PDF output needs Chromium: install chromium, or use --format html and print it")


def test_the_variable_names_the_browser(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    browser = fake_browser(tmp_path, "")
    monkeypatch.setenv(pdf.BROWSER_VARIABLE, browser)
    assert find_browser() == browser
    monkeypatch.setenv(pdf.BROWSER_VARIABLE, str(tmp_path / "no-such-browser"))
    assert find_browser() is None  # not silently another one


def test_links_into_the_private_folder_become_relative_and_dates_the_reports(
    tmp_path: Path,
) -> None:
    browser = fake_browser(
        tmp_path,
        "base=\"${page%report.html}\"\n"
        "printf '%%PDF-1.4\\n<< /URI (%shandouts/map%%20a.png) >>\\n"
        "<< /CreationDate (D:20991231235959+01'\"'\"'00'\"'\"')\\n"
        "/ModDate (D:20991231235959+01'\"'\"'00'\"'\"') >>\\n' \"$base\" > \"$out\"\n"
        "printf '%s' \"$base\" > " + str(tmp_path / "base.txt") + "\n"
        'cp "$out" ' + str(tmp_path / "raw.pdf") + "\n",
    )
    data = render_pdf("<p>hi</p>", created=WHEN, browser=browser)
    base = (tmp_path / "base.txt").read_text()
    raw = (tmp_path / "raw.pdf").read_bytes()
    assert base.startswith("file:///") and base.encode() in raw
    assert b"(handouts/map%20a.png)" in data
    assert b"file:" not in data and base.encode() not in data
    assert b"/CreationDate (D:20260528215400Z)" in data
    assert b"/ModDate (D:20260528215400Z)" in data
    assert len(data) == len(raw)  # padded in place: the xref offsets still hold
    assert not Path(base.removeprefix("file://")).exists()  # the private folder is gone


def test_the_private_folder_is_private(tmp_path: Path) -> None:
    browser = fake_browser(
        tmp_path,
        'dir="$(dirname "$out")"\n'
        'stat -c %a "$dir" > ' + str(tmp_path / "mode.txt") + "\n"
        "printf '%%PDF-1.4\\n' > \"$out\"\n",
    )
    render_pdf("<p>hi</p>", browser=browser)
    assert (tmp_path / "mode.txt").read_text().strip() == "700"


def test_a_failing_browser_says_why(tmp_path: Path) -> None:
    browser = fake_browser(tmp_path, "echo 'noise' >&2\necho 'Fatal: no display' >&2\nexit 3\n")
    with pytest.raises(PdfError, match=r"^fake-chromium failed \(exit status 3\): Fatal: no display$"):
        render_pdf("<p>hi</p>", browser=browser)
    silent = fake_browser(tmp_path, "exit 0\n")
    with pytest.raises(PdfError, match=r"^fake-chromium printed no PDF$"):
        render_pdf("<p>hi</p>", browser=silent)


def test_a_hanging_browser_is_stopped_with_its_children(tmp_path: Path) -> None:
    pid_file = tmp_path / "child.pid"
    browser = fake_browser(tmp_path, f"sleep 60 & echo $! > {pid_file}\nwait\n")
    started = time.monotonic()
    with pytest.raises(PdfError, match="still printing after 1 s; stopped it"):
        render_pdf("<p>hi</p>", browser=browser, timeout=1)
    assert time.monotonic() - started < 20
    child = int(pid_file.read_text())
    for _ in range(50):  # the kill is sent; let the system reap it
        try:
            status = Path(f"/proc/{child}/stat").read_text().split()[2]
        except FileNotFoundError:
            break
        if status == "Z":
            break
        time.sleep(0.1)
    else:
        pytest.fail("the browser's child process is still running")


def test_the_command_refuses_without_a_browser(
    played: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    db = played.store.path
    played.close()
    monkeypatch.delenv(pdf.BROWSER_VARIABLE, raising=False)
    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    out = tmp_path / "aar.pdf"
    assert main(["report", str(db), "-o", str(out)]) == 1
    assert capsys.readouterr().err == f"tabletop report: {NO_RENDERER}\n"
    assert not out.exists() and not (tmp_path / "handouts").exists()


# ------------------------------------------------------------ real Chromium


def pages_and_text(data: bytes) -> tuple[int, str, PdfReader]:
    reader = PdfReader(io.BytesIO(data))
    return len(reader.pages), "\n".join(p.extract_text() for p in reader.pages), reader


def assert_no_local_traces(data: bytes, text: str) -> None:
    assert "file://" not in text and b"file://" not in data
    assert "/tmp" not in text and "tabletop-pdf-" not in text and b"tabletop-pdf-" not in data
    assert str(Path.home()) not in text
    # Chromium's default header prints the date and time, e.g. "5/28/26, 9:54 PM"
    assert not re.search(r"\d{1,2}/\d{1,2}/\d{2}, \d{1,2}:\d{2}", text)


@pytest.mark.slow
@needs_chromium
def test_a_played_session_prints_to_a4_with_its_text(played: Session, tmp_path: Path) -> None:
    db = played.store.path
    played.close()
    out = tmp_path / "aar.pdf"
    assert main(["report", str(db), "-o", str(out)]) == 0
    data = out.read_bytes()
    pages, text, reader = pages_and_text(data)
    assert 6 <= pages <= 15, pages  # the sections after the overview each start a page
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    for expected in ("Harbour Storm", "Executive Summary", "Improvement Plan", "TLP:AMBER",
                     "Write a one-page evacuation decision guide for the cabinet."):
        assert expected in text
    assert f"1 / {pages}" in reader.pages[0].extract_text()  # the page number, bottom right
    assert_no_local_traces(data, text)
    with Session.open_readonly(db) as session:
        generated = build_report_model(session).meta.generated
    created = reader.metadata.creation_date if reader.metadata else None
    assert created is not None
    assert created.strftime("%Y-%m-%dT%H:%M") == generated[:16]


@pytest.mark.slow
@needs_chromium
def test_a_bundled_exercise_played_through_prints(tmp_path: Path) -> None:
    clock = FakeClock(1_773_468_000.0)
    with Session.create(tmp_path / "s.db", load_scenario("cyber-incident", tmp_path),
                        clock=clock) as s:
        s.toggle_pause()
        while s.deliver_next() is not None:
            clock.advance(60)
        s.end_exercise()
        report = build_report_model(s)
    data = render_pdf(render(report, "html"))
    pages, text, _ = pages_and_text(data)
    assert pages >= 5
    assert report.meta.title in text
    assert_no_local_traces(data, text)
