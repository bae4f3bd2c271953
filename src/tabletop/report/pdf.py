"""The HTML report -> PDF, printed by headless Chromium when it is installed.

Why Chromium, and not a Python library: the PDF must look like the HTML report
(ours or a user's branded template), and that report is laid out with CSS
grids, SVG charts, table headers repeated across pages and ``@page`` rules. A
pure-Python renderer such as xhtml2pdf (ReportLab underneath) knows a subset of
CSS 2 and no grid, so it would print a different, worse document; WeasyPrint
lays CSS out well but needs the system's Pango and its libraries, so it is no
more "pip install and go" than a browser, and a core dependency on it would
break a plain install where those are missing. A browser prints exactly what a
reader sees on screen, and most machines that run a facilitator's console have
one. When none is found the command says so in one line, and the HTML report
prints from any browser.

How it prints: the HTML goes into a private temporary folder (mode 0700) with a
throwaway browser profile; Chromium runs headless with no network at all (every
host name fails to resolve), with the default header and footer turned off so
that neither the temporary file's path nor the print time appears on a page,
and is stopped, with every process it started, after ``timeout`` seconds. The
links that the page makes relative (``handouts/...``) come out of the browser as
``file://`` URLs into that folder; they are turned back into relative links, and
the PDF's creation and modification dates into the report's own time, without
moving a byte of the file (the PDF's cross-reference table stays valid).

``--no-sandbox`` is passed because Chromium refuses to start as root without it
(containers, CI); the page it prints is our own template's output with every
participant's text escaped, and the browser cannot reach the network.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
"""The names a Chromium-based browser goes by, tried in this order."""
BROWSER_VARIABLE = "TABLETOP_CHROMIUM"
"""An environment variable naming the browser to use, when it is none of those."""
NO_RENDERER = "PDF output needs Chromium: install chromium, or use --format html and print it"
PDF_TIMEOUT = 120.0
"""Seconds the browser may take; a report of thousands of decisions prints in a few."""


class PdfError(Exception):
    """No PDF could be printed; str() is a one-line message."""


def find_browser() -> str | None:
    """The browser to print with: $TABLETOP_CHROMIUM, else the first of BROWSERS on PATH."""
    named = os.environ.get(BROWSER_VARIABLE, "").strip()
    if named:
        return shutil.which(named)
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


def _command(browser: str, folder: Path, page: Path, pdf: Path) -> list[str]:
    return [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-pdf-header-footer",  # the header with the page's URL and the print time
        "--print-to-pdf-no-header",  # the same, as Chromium before 120 spells it
        f"--print-to-pdf={pdf}",
        f"--user-data-dir={folder / 'profile'}",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-extensions",
        "--disable-sync",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-default-apps",
        "--disable-breakpad",
        "--mute-audio",
        "--host-resolver-rules=MAP * ~NOTFOUND",  # no network: nothing loads, nothing leaks
        page.as_uri(),
    ]


def _private_folder(browser: str) -> str:
    """A new folder only we can read; under the home folder for a snap's browser,
    which cannot see the system's /tmp."""
    if os.path.realpath(browser).startswith("/snap/"):
        return tempfile.mkdtemp(prefix=".tabletop-pdf-", dir=Path.home())
    return tempfile.mkdtemp(prefix="tabletop-pdf-")


def render_pdf(
    html: str,
    *,
    created: dt.datetime | None = None,
    timeout: float = PDF_TIMEOUT,
    browser: str | None = None,
) -> bytes:
    """``html`` printed to A4 PDF by Chromium (see the module's docstring).

    ``created`` (the report's time) becomes the PDF's creation and modification
    date. Raises :class:`PdfError` when no browser is found, it fails or it
    takes longer than ``timeout`` seconds.
    """
    browser = browser or find_browser()
    if browser is None:
        raise PdfError(NO_RENDERER)
    folder = Path(_private_folder(browser))
    try:
        page = folder / "report.html"
        pdf = folder / "report.pdf"
        page.write_text(html, encoding="utf-8")
        env = dict(os.environ)
        if not os.path.realpath(browser).startswith("/snap/"):
            # Chromium writes caches and a certificate store into the home folder.
            env.update(HOME=str(folder), XDG_CONFIG_HOME=str(folder / "config"),
                       XDG_CACHE_HOME=str(folder / "cache"))
        _run(_command(browser, folder, page, pdf), env, timeout)
        try:
            data = pdf.read_bytes()
        except OSError:
            data = b""
        if not data.startswith(b"%PDF"):
            raise PdfError(f"{Path(browser).name} printed no PDF")
        return _tidy(data, folder, created)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _run(command: list[str], env: dict[str, str], timeout: float) -> None:
    name = Path(command[0]).name
    try:
        process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, env=env, start_new_session=True,
        )
    except OSError as error:
        raise PdfError(f"cannot start {name}: {error.strerror or error}") from None
    try:
        _, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _stop(process)
        raise PdfError(f"{name} was still printing after {timeout:g} s; stopped it") from None
    except BaseException:
        _stop(process)
        raise
    finally:
        _stop_group(process)
    if process.returncode != 0:
        lines = [line for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()]
        detail = f": {' '.join(lines[-1].split())[:160]}" if lines else ""
        raise PdfError(f"{name} failed (exit status {process.returncode}){detail}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    _stop_group(process)
    process.kill()
    process.wait()


def _stop_group(process: subprocess.Popen[bytes]) -> None:
    """The browser's helpers (renderer, zygote) live in its process group: end them too."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


_DATE = re.compile(rb"/(CreationDate|ModDate) ?\(D:\d{4}[^)]{0,30}\)")


def _tidy(data: bytes, folder: Path, created: dt.datetime | None) -> bytes:
    """Relative links back, and the report's own dates in, at the same length."""
    base = re.escape(folder.as_uri().encode("ascii") + b"/")

    def relative(match: re.Match[bytes]) -> bytes:
        kept = b"(" + match.group(1) + b")"
        return kept + b" " * (len(match.group(0)) - len(kept))

    data = re.sub(rb"\(" + base + rb"([^()\\]*)\)", relative, data)
    if created is not None:
        stamp = created.astimezone(dt.UTC).strftime("D:%Y%m%d%H%M%SZ").encode("ascii")

        def dated(match: re.Match[bytes]) -> bytes:
            new = b"/" + match.group(1) + b" (" + stamp + b")"
            return new + b" " * (len(match.group(0)) - len(new)) if len(new) <= len(
                match.group(0)) else match.group(0)

        data = _DATE.sub(dated, data)
    return data
