"""Report model -> HTML, Markdown or JSON text.

Templates always run in Jinja's immutable sandbox, ours and users' alike, so a
branded template cannot reach Python internals. Escaping is on by default:
HTML autoescapes; Markdown passes every value through :func:`md_escape`, so
text typed by participants can never become markup in either format. A user's
template folder is searched first and ours fills in behind, so overriding one
file (say ``report.html``) is enough.
"""

from __future__ import annotations

import contextlib
import html
import os
import re
import signal
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
)
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from tabletop.core.bundled import templates_dir as bundled_templates
from tabletop.core.safetext import BIDI
from tabletop.report import charts
from tabletop.report.model import Report, to_json

FORMATS = ("html", "md", "json")
TEMPLATE_NAMES = {"html": "report.html", "md": "report.md"}

# Characters that start Markdown syntax anywhere in a line (GitHub flavour, incl. math).
_MD_INLINE = re.compile(r"([\\`*_\[\]{}|~$!#])")
# Syntax that only counts at the start of a line: lists, quotes, headings, rules.
_MD_LEADING = re.compile(r"^(\s*(?:\d+(?=[.)])|(?=[-+=])))(.)")
_NEWLINES = re.compile(r"\r\n?|\n")


class RenderError(Exception):
    """A template could not be rendered; str() is a one-line message."""


def md_escape(value: object) -> str:
    """Make any text inert in Markdown: HTML characters become entities, syntax is escaped."""
    if value is None:
        return ""
    if isinstance(value, Markup):
        return str(value)
    text = html.escape(str(value), quote=False)
    text = _MD_INLINE.sub(r"\\\1", text)
    text = _MD_LEADING.sub(lambda m: m.group(1) + "\\" + m.group(2), text)
    # newlines would end a table row or start a block; a <br> keeps them visible
    return _NEWLINES.sub("<br>", text)


def _html_finalize(value: object) -> object:
    """Every value a template prints: text that carries bidi controls is kept as
    it is, but isolated in a <bdi> so that it cannot reorder anything around it."""
    if value is None:
        return ""
    # An override in a decision's text must not reverse the report around it.
    if isinstance(value, str) and not isinstance(value, Markup) and BIDI.search(value):
        return Markup("<bdi>{}</bdi>").format(value)
    return value


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.0f}%"


class ContainedLoader(FileSystemLoader):
    """A template folder whose files stay inside it: a symlink in it that points
    elsewhere is refused, never read (Jinja itself already refuses '..'). The
    error is not TemplateNotFound, so the bundled template does not silently
    stand in for the user's."""

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        real = Path(os.path.realpath(filename))
        if not any(real.is_relative_to(Path(os.path.realpath(f))) for f in self.searchpath):
            raise TemplateError(
                f"{template} is a link to a file outside the folder; refusing to read it"
            )
        return source, filename, uptodate


def environment(fmt: str, templates: Path | None = None) -> ImmutableSandboxedEnvironment:
    folders = [str(templates)] if templates else []
    folders.append(str(bundled_templates()))
    loader = ChoiceLoader([ContainedLoader(f) for f in folders])
    html = fmt == "html"
    env = ImmutableSandboxedEnvironment(
        loader=loader,
        autoescape=html,  # Markdown escapes participants' text in its finalizer instead
        undefined=StrictUndefined,
        finalize=_html_finalize if html else md_escape,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=not html,
    )
    env.filters["pct"] = _pct
    return env


def context(report: Report, fmt: str) -> dict[str, Any]:
    values: dict[str, Any] = {"report": report, "r": report}
    if fmt == "html":
        values["charts"] = {
            "scores": charts.scores_chart(report),
            "timeline": charts.timeline_chart(report),
        }
    return values


RENDER_TIMEOUT = 60.0
"""Seconds a render may take; a 50,000-decision report needs a few."""


class _OutOfTime(Exception):
    pass


@contextlib.contextmanager
def _time_limit(seconds: float | None) -> Iterator[None]:
    """Stop a template that runs too long (a loop of 10^10, from a user's folder).

    A signal interrupts the pure-Python loops Jinja compiles templates into;
    off the main thread (where signals cannot be set) the render runs unbounded.
    """
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return

    def out_of_time(signum: int, frame: object) -> None:
        raise _OutOfTime

    previous = signal.signal(signal.SIGALRM, out_of_time)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def render(
    report: Report,
    fmt: str,
    templates_dir: Path | None = None,
    *,
    timeout: float | None = RENDER_TIMEOUT,
) -> str:
    """The report as text in ``fmt`` (html, md or json); JSON ignores templates."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r} (choose {', '.join(FORMATS)})")
    if fmt == "json":
        return to_json(report)
    name = TEMPLATE_NAMES[fmt]
    try:
        with _time_limit(timeout):
            template = environment(fmt, templates_dir).get_template(name)
            return template.render(context(report, fmt))
    except _OutOfTime:
        raise RenderError(
            f"template {name}: still rendering after {timeout:g} s; stopped "
            "(a loop too long? --render-timeout sets the limit)"
        ) from None
    except (OverflowError, MemoryError, RecursionError) as error:
        what = {OverflowError: "a number or a range too large", MemoryError: "out of memory",
                RecursionError: "recursion too deep"}[type(error)]
        detail = " ".join(str(error).split())[:100]
        raise RenderError(f"template {name}: {what} ({detail})") from None
    except TemplateError as error:
        line = getattr(error, "lineno", None)
        where = f"{getattr(error, 'filename', None) or name}:{line}: " if line else ""
        message = " ".join(str(error.message or error).split())
        raise RenderError(f"template {where or name + ': '}{message}") from error
