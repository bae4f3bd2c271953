"""Report: the whole HTML report of a long session against rendering alone.

Subject: open the session read-only, build the report model, render HTML.
Baseline: render the same templates from the already built report model.
Also checks linear growth: ten times the decisions may take at most 12 times as long.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from context import Context
from measure import BenchError, side_by_side, timed
from results import Outcome

from tabletop.session.session import Session

LIMIT = 3.0
GROWTH_LIMIT = 12.0


def _renderer() -> Callable[[Any], str]:
    try:
        from tabletop.report.render import render
    except ImportError as exc:
        raise BenchError(f"the report renderer is not available: {exc}") from exc
    return lambda report: render(report, "html", None)  # None: the bundled templates


def full_report(path: Path) -> str:
    """What ``tabletop report SESSION`` does, minus writing the file."""
    from tabletop.report.build import build_report_model

    render = _renderer()
    with Session.open_readonly(path) as session:
        return render(build_report_model(session))


def prebuilt(path: Path) -> Any:
    from tabletop.report.build import build_report_model

    with Session.open_readonly(path) as session:
        return build_report_model(session)


def measure(ctx: Context) -> list[Outcome]:
    s = ctx.sizes
    big, small = ctx.session(s.decisions), ctx.session(s.decisions // 10)
    render = _renderer()
    model = prebuilt(big)
    html = full_report(big)  # warm-up; also proves the pipeline works
    ctx.figures[f"HTML report of {s.decisions} decisions (MB)"] = len(html.encode()) / 1e6
    render(model)
    base, subj = side_by_side(
        lambda: [timed(lambda: render(model))],
        lambda: [timed(lambda: full_report(big))],
        s.report_rounds,
    )
    small_t, big_t = side_by_side(
        lambda: [timed(lambda: full_report(small))],
        lambda: [timed(lambda: full_report(big))],
        s.report_rounds,
    )
    big_t += subj
    return [
        Outcome.of(
            "report",
            subject=(f"open + build model + render HTML, {s.decisions} decisions", subj),
            baseline=("render the same templates from the prebuilt report model", base),
            unit="s",
            limit=LIMIT,
        ),
        Outcome.of(
            "report-growth",
            subject=(f"whole HTML report, {s.decisions} decisions", big_t),
            baseline=(f"whole HTML report, {s.decisions // 10} decisions (10x fewer)", small_t),
            unit="s",
            limit=GROWTH_LIMIT,
        ),
    ]
