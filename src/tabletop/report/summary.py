"""The executive summary: a few paragraphs of prose written from the numbers."""

from __future__ import annotations

from collections import defaultdict

from tabletop.core.scenario import Scenario
from tabletop.core.vocabulary import OBJECTIVE_RATING_LABELS
from tabletop.report.model import NOT_RATED, Counts, ExecutiveSummary, Overview, RatingCount
from tabletop.report.scoring import ItemScore, Scores, tally


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _pct(value: float) -> str:
    return f"{value * 100:.0f}%"


def _listing(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def objective_counts(scores: Scores) -> dict[str, int]:
    counts = dict.fromkeys((*OBJECTIVE_RATING_LABELS, NOT_RATED), 0)
    for objective in scores.objectives:
        counts[objective.rating or NOT_RATED] += 1
    return counts


def _capability_extremes(scenario: Scenario, scores: Scores) -> tuple[str, str] | None:
    """(strongest, weakest) capability with its score, over all teams' rated items."""
    by_capability: dict[str, list[ItemScore]] = defaultdict(list)
    for checklist in scores.checklists:
        for item in checklist.items:
            found = scenario.item_by_ref.get(item.ref)
            if found:
                by_capability[found[1].capability].append(item)
    rated = []
    for capability, items in by_capability.items():
        score = tally(items).score
        if score is not None:
            rated.append((score, capability))
    if len(rated) < 2:
        return None
    rated.sort(key=lambda pair: (-pair[0], pair[1]))
    best, worst = rated[0], rated[-1]
    return f"{best[1]} ({_pct(best[0])})", f"{worst[1]} ({_pct(worst[0])})"


def write_summary(
    scenario: Scenario, overview: Overview, counts: Counts, scores: Scores, draft: bool
) -> ExecutiveSummary:
    paragraphs: list[str] = []
    played = "is being played" if draft else "was played"
    when = overview.real_start_text
    scripted = (
        f"{counts.injects_delivered - counts.unscripted} of "
        f"{_plural(counts.injects_planned, 'scripted inject')} were delivered"
    )
    if counts.branch_not_taken:
        n = counts.branch_not_taken
        scripted += f" ({n} of them on {'a branch' if n == 1 else 'branches'} not taken)"
    if counts.unscripted:
        scripted += f", with {_plural(counts.unscripted, 'unscripted inject')} added"
    paragraphs.append(
        f"{overview.title} {played}"
        + (f" from {when}" if overview.real_start else "")
        + f" with {_plural(len(scenario.teams), 'team')}. {scripted}, over "
        f"{overview.actual_play} of play against {overview.planned_play} planned. "
        f"Teams recorded {_plural(counts.decisions, 'decision')}"
        + (f" ({counts.retracted} further retracted)" if counts.retracted else "")
        + "."
    )
    if draft:
        paragraphs.append(
            "The exercise has not been ended (no ENDEX recorded), so this report is a DRAFT "
            "and its figures may still change."
        )

    ratings = objective_counts(scores)
    rated = {k: v for k, v in ratings.items() if k != NOT_RATED and v}
    total = len(scores.objectives)
    if rated:
        parts = [f"{v} {OBJECTIVE_RATING_LABELS[k].split(': ', 1)[1]}" for k, v in rated.items()]
        text = f"Of {_plural(total, 'objective')}, {_listing(parts)}."
    else:
        text = f"None of the {_plural(total, 'objective')} could be rated."
    if ratings[NOT_RATED] and rated:
        text += f" {ratings[NOT_RATED]} remained {NOT_RATED} for lack of ratings."
    overrides = sum(1 for o in scores.objectives if o.override)
    if overrides:
        text += f" The facilitator set {_plural(overrides, 'rating')} by override."
    paragraphs.append(text)

    scored = [c for c in scores.checklists if c.score is not None]
    if scored:
        names = {t.id: t.name for t in scenario.teams}
        titles = {c.id: c.title for c in scenario.checklists}
        ranked = sorted(scored, key=lambda c: (-(c.score or 0.0), c.team, c.checklist))
        best, worst = ranked[0], ranked[-1]
        text = (
            f"The highest checklist score was {names.get(best.team, best.team)} on "
            f"{titles.get(best.checklist, best.checklist)} ({_pct(best.score or 0.0)})"
        )
        if worst is not best:
            text += (
                f"; the lowest was {names.get(worst.team, worst.team)} on "
                f"{titles.get(worst.checklist, worst.checklist)} ({_pct(worst.score or 0.0)})"
            )
        text += "."
        extremes = _capability_extremes(scenario, scores)
        if extremes:
            text += f" By capability, the strongest area was {extremes[0]} and the weakest "
            text += f"{extremes[1]}."
        paragraphs.append(text)
    overall = tally(item for c in scores.checklists for item in c.items)
    paragraphs.append(
        f"Evaluators recorded {_plural(counts.ratings, 'rating')}, covering "
        f"{_pct(overall.coverage)} of the applicable checklist weight across all teams. "
        f"Items nobody rated are reported as {NOT_RATED}, not as failures."
    )
    paragraphs.append(
        f"The hot wash produced {_plural(counts.hotwash, 'entry', 'entries')} and the "
        f"improvement plan holds {_plural(counts.actions, 'action')}."
    )
    table = [
        RatingCount(code, OBJECTIVE_RATING_LABELS.get(code, code), n) for code, n in ratings.items()
    ]
    return ExecutiveSummary(paragraphs, counts, table, overall.coverage)
