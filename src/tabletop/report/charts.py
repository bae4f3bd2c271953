"""Inline SVG charts for the HTML report.

Plain SVG with the numbers written out as text, a <title> and <desc> for
screen readers, and shapes (not colour alone) telling series apart, so the
charts survive printing in black and white. Every piece of user text is
escaped; the result is returned as Markup for the template to embed.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from tabletop.report.model import Report

WIDTH = 760
LABEL_W = 230
BAR_W = 330
ROW_H = 20
GROUP_H = 24


def _clip(text: str, limit: int = 33) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _svg(key: str, height: int, title: str, desc: str, body: list[str]) -> Markup:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'aria-labelledby="{key}-title {key}-desc">'
        f'<title id="{key}-title">{escape(title)}</title>'
        f'<desc id="{key}-desc">{escape(desc)}</desc>'
    )
    return Markup(head + "".join(body) + "</svg>")


def scores_chart(report: Report) -> Markup:
    """Horizontal bars: each team's score per checklist, with score and coverage as text."""
    body: list[str] = []
    y = 6
    x0 = LABEL_W
    # guide lines at 0/50/100 % with the scenario's ratings implied by the text
    rows = sum(len(t.checklists) for t in report.scores)
    height = 6 + len(report.scores) * GROUP_H + rows * ROW_H + 22
    for pct in (0, 25, 50, 75, 100):
        gx = x0 + BAR_W * pct / 100
        body.append(
            f'<line x1="{gx:.1f}" y1="4" x2="{gx:.1f}" y2="{height - 18}" class="grid"/>'
            f'<text x="{gx:.1f}" y="{height - 6}" class="axis" text-anchor="middle">{pct}%</text>'
        )
    for team in report.scores:
        body.append(f'<text x="4" y="{y + 16}" class="group">{escape(_clip(team.name, 60))}</text>')
        y += GROUP_H
        for row in team.checklists:
            body.append(
                f'<text x="14" y="{y + 14}" class="label">{escape(_clip(row.title, 31))}</text>'
            )
            if row.score is None:
                body.append(
                    f'<line x1="{x0}" y1="{y + 10}" x2="{x0 + BAR_W}" y2="{y + 10}" '
                    f'class="unrated"/>'
                    f'<text x="{x0 + BAR_W + 8}" y="{y + 14}" class="value">Not rated</text>'
                )
            else:
                width = max(1.0, BAR_W * row.score)
                body.append(
                    f'<rect x="{x0}" y="{y + 3}" width="{width:.1f}" height="{ROW_H - 6}" '
                    f'class="bar"/>'
                    f'<text x="{x0 + BAR_W + 8}" y="{y + 14}" class="value">'
                    f"{escape(row.score_text)} (coverage {escape(row.coverage_text)})</text>"
                )
            y += ROW_H
    desc = "; ".join(
        f"{t.name}, {r.title}: {r.score_text}, coverage {r.coverage_text}"
        for t in report.scores
        for r in t.checklists
    )
    return _svg("chart-scores", height, "Checklist scores per team", desc or "No checklists.", body)


def timeline_chart(report: Report) -> Markup:
    """Per inject: planned play minute (hollow circle) against actual (filled square)."""
    rows = report.timeline
    ends = [report.overview.planned_minutes, 10.0]
    ends += [r.planned_minute for r in rows if r.planned_minute is not None]
    ends += [r.actual_minute for r in rows if r.actual_minute is not None]
    span = max(ends)
    step = next(s for s in (5, 10, 15, 30, 60, 120, 240, 480, 1440) if span / s <= 12)
    span = step * -(-span // step)
    x0, plot_w = LABEL_W, WIDTH - LABEL_W - 20
    height = 40 + len(rows) * ROW_H + 34

    def x(minute: float) -> float:
        return x0 + plot_w * minute / span

    body: list[str] = [
        '<circle cx="10" cy="12" r="5" class="planned"/>'
        '<text x="20" y="16" class="axis">planned play minute</text>'
        '<rect x="165" y="7" width="10" height="10" class="actual"/>'
        '<text x="181" y="16" class="axis">actual delivery</text>'
        '<text x="300" y="16" class="axis">× not delivered</text>'
    ]
    bottom = 30 + len(rows) * ROW_H
    tick = 0
    while tick <= span:
        body.append(
            f'<line x1="{x(tick):.1f}" y1="28" x2="{x(tick):.1f}" y2="{bottom}" class="grid"/>'
            f'<text x="{x(tick):.1f}" y="{bottom + 14}" class="axis" '
            f'text-anchor="middle">{tick:g}</text>'
        )
        tick += step
    body.append(
        f'<text x="{x0 + plot_w / 2:.1f}" y="{bottom + 30}" class="axis" '
        f'text-anchor="middle">play minutes</text>'
    )
    y = 30
    for row in rows:
        cy = y + ROW_H / 2
        label = ("+ " if row.unscripted else "") + _clip(row.title)
        body.append(f'<text x="4" y="{cy + 4:.1f}" class="label">{escape(label)}</text>')
        p, a = row.planned_minute, row.actual_minute
        if p is not None and a is not None:
            body.append(
                f'<line x1="{x(p):.1f}" y1="{cy:.1f}" x2="{x(a):.1f}" y2="{cy:.1f}" class="drift"/>'
            )
        if p is not None:
            body.append(f'<circle cx="{x(p):.1f}" cy="{cy:.1f}" r="5" class="planned"/>')
        if a is not None:
            body.append(
                f'<rect x="{x(a) - 5:.1f}" y="{cy - 5:.1f}" width="10" height="10" class="actual"/>'
            )
        else:
            at = x(p) if p is not None else x0 + 4
            body.append(
                f'<text x="{at:.1f}" y="{cy + 4:.1f}" class="missed" text-anchor="middle">×</text>'
            )
        y += ROW_H
    desc = "; ".join(
        f"{r.title}: planned minute {'none' if r.planned_minute is None else r.planned_minute}, "
        f"actual {'not delivered' if r.actual_minute is None else r.actual_minute}"
        for r in rows
    )
    return _svg(
        "chart-timeline", height, "Timeline, planned against actual", desc or "No injects.", body
    )
