"""The executive summary: a few paragraphs of prose that state only what the record supports.

Every count comes from one partition of the scripted injects (delivered, on a
branch not taken, skipped, not reached), so each inject is counted once. A
"highest" or "lowest" claim needs at least ``scoring.claim_min_ratings`` rated
items behind it, and only items within a team's part count: the (team, item)
pairs that the objectives' scores are made of (what a delivered inject
expected of one of an objective's teams).
"""

from __future__ import annotations

from collections import defaultdict

from tabletop.core.scenario import Scenario
from tabletop.core.vocabulary import OBJECTIVE_RATING_LABELS
from tabletop.report.model import NOT_RATED, Counts, ExecutiveSummary, Overview, RatingCount
from tabletop.report.scoring import ItemScore, Scores, tally


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _were(n: int) -> str:
    return "was" if n == 1 else "were"


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


def owned_items(scores: Scores) -> list[ItemScore]:
    """Each (team, item) pair that some objective counts, once."""
    seen: dict[tuple[str, str], ItemScore] = {}
    for objective in scores.objectives:
        for item in objective.items:
            seen.setdefault((item.team, item.ref), item)
    return list(seen.values())


def _extremes(groups: dict[str, list[ItemScore]], least: int) -> tuple[str, str] | None:
    """(highest, lowest) among the groups with at least ``least`` rated items, or
    None when fewer than two qualify or they all score the same."""
    ranked = []
    for name, items in groups.items():
        rated = sum(1 for i in items if i.value is not None)
        score = tally(items).score
        if score is not None and rated >= least:
            ranked.append((score, name, rated))
    if len(ranked) < 2:
        return None
    ranked.sort(key=lambda entry: (-entry[0], entry[1]))
    best, worst = ranked[0], ranked[-1]
    if best[0] == worst[0]:
        return None
    return (f"{best[1]}, at {_pct(best[0])} over {best[2]} rated items,",
            f"{worst[1]}, at {_pct(worst[0])} over {worst[2]}")


def _critical_outside(scenario: Scenario, scores: Scores, owned: list[ItemScore]) -> list[str]:
    """Critical items rated not met for a team no objective counts them for: the
    objectives leave them out, but a sponsor must not miss the worst rating of the day."""
    counted = {(i.team, i.ref) for i in owned}
    names = {t.id: t.name for t in scenario.teams}
    found = []
    for checklist in scores.checklists:
        for item in checklist.items:
            if (item.rating == "not_met" and item.weight >= scenario.scoring.critical_weight
                    and (item.team, item.ref) not in counted):
                known = scenario.item_by_ref.get(item.ref)
                what = f"“{known[1].text.rstrip('.')}”" if known else item.ref
                found.append(f"{what} for the {names.get(item.team, item.team)}")
    return found


def _injects_paragraph(counts: Counts) -> str:
    scripted = counts.injects_delivered - counts.unscripted
    parts = [f"{scripted} {_were(scripted)} delivered"]
    if counts.branch_not_taken:
        parts.append(f"{counts.branch_not_taken} {_were(counts.branch_not_taken)} on "
                     f"{'a branch' if counts.branch_not_taken == 1 else 'branches'} not taken")
    if counts.skipped:
        parts.append(f"{counts.skipped} {_were(counts.skipped)} skipped")
    if counts.not_reached:
        parts.append(f"{counts.not_reached} {_were(counts.not_reached)} not reached")
    text = f"Of the {_plural(counts.injects_planned, 'scripted inject')}, {_listing(parts)}."
    extra = []
    if counts.unscripted:
        extra.append(f"{_plural(counts.unscripted, 'unscripted inject')} "
                     f"{_were(counts.unscripted)} added during play")
    if counts.ever_held:
        held = f"{_plural(counts.ever_held, 'inject')} {_were(counts.ever_held)} put on hold"
        if not counts.held:
            held += " (none was still held at the end)"
        elif counts.held == counts.ever_held:
            held += " and still held at the end"
        else:
            held += f" ({counts.held} still held at the end)"
        extra.append(held)
    if counts.undone:
        extra.append(f"{_plural(counts.undone, 'delivery', 'deliveries')} "
                     f"{_were(counts.undone)} undone")
    if extra:
        sentence = _listing(extra)
        text += " " + sentence[0].upper() + sentence[1:] + "."
    return text


def write_summary(
    scenario: Scenario, overview: Overview, counts: Counts, scores: Scores, draft: bool
) -> ExecutiveSummary:
    paragraphs: list[str] = []
    played = "is being played" if draft else "was played"
    when = overview.real_start_text
    paragraphs.append(
        f"{overview.title} {played}"
        + (f" from {when}" if overview.real_start else "")
        + f" with {_plural(len(scenario.teams), 'team')}, over "
        f"{overview.actual_play} of play against {overview.planned_play} planned. "
        f"Teams recorded {_plural(counts.decisions, 'decision')}"
        + (f" ({counts.retracted} more retracted)" if counts.retracted else "")
        + "."
    )
    paragraphs.append(_injects_paragraph(counts))
    if draft:
        paragraphs.append(
            "The exercise has not been ended (no ENDEX recorded), so this report is a DRAFT "
            "and its figures may still change."
        )

    ratings = objective_counts(scores)
    rated = {k: v for k, v in ratings.items() if k != NOT_RATED and v}
    total = len(scores.objectives)
    if rated:
        parts = [f"{v} {_were(v)} rated {k} ({OBJECTIVE_RATING_LABELS[k].split(': ', 1)[1]})"
                 for k, v in rated.items()]
        text = f"Of {_plural(total, 'objective')}, {_listing(parts)}."
        for number, (_objective, scored) in enumerate(
            zip(scenario.objectives, scores.objectives, strict=True), start=1
        ):
            if scored.rating == "U" and scored.override is None:
                text += f" Objective {number} was rated U: {scored.basis}"
    else:
        text = f"None of the {_plural(total, 'objective')} could be rated."
    gaps = [o for o in scores.objectives if o.rating is None]
    if gaps and rated:
        text += f" {len(gaps)} could not be rated on the evidence recorded."
    provisional = sum(1 for o in scores.objectives if o.rating and o.provisional and not o.override)
    if provisional:
        text += (f" {_plural(provisional, 'rating')} {'is' if provisional == 1 else 'are'} "
                 "provisional (marked * in Table 1) until the after-action meeting "
                 f"confirms {'it' if provisional == 1 else 'them'}.")
    overrides = sum(1 for o in scores.objectives if o.override)
    if overrides:
        text += f" The facilitator set {_plural(overrides, 'rating')} by override."
    paragraphs.append(text)

    least = scenario.scoring.claim_min_ratings
    owned = owned_items(scores)
    names = {t.id: t.name for t in scenario.teams}
    by_team: dict[str, list[ItemScore]] = defaultdict(list)
    for item in owned:
        by_team[names.get(item.team, item.team)].append(item)
    by_capability: dict[str, list[ItemScore]] = defaultdict(list)
    for objective, scored in zip(scenario.objectives, scores.objectives, strict=True):
        if objective.capability:
            by_capability[objective.capability].extend(scored.items)
    claims = []
    teams = _extremes(by_team, least)
    if teams:
        claims.append(f"Across the items within each team's part, {teams[0]} scored highest "
                      f"and {teams[1]}, lowest.")
    capabilities = _extremes(by_capability, least)
    if capabilities:
        claims.append(f"Of the objectives' capabilities, {capabilities[0]} was the strongest "
                      f"and {capabilities[1]}, the weakest.")
    if claims:
        paragraphs.append(" ".join(claims))

    outside = _critical_outside(scenario, scores, owned)
    if outside:
        what = "a critical item was" if len(outside) == 1 else f"{len(outside)} critical items were"
        paragraphs.append(f"Outside the objectives' evaluation, {what} rated not met: "
                          f"{_listing(outside)} (see Checklist Scores).")
    overall = tally(owned)
    paragraphs.append(
        f"Evaluators recorded {_plural(counts.ratings, 'rating')}"
        + (f" and {_plural(counts.observations, 'observation')}" if counts.observations else "")
        + f", covering {_pct(overall.coverage)} of what the delivered injects expected of "
        "the objectives' teams. Items nobody rated are reported as "
        f"{NOT_RATED}, not as failures."
    )
    paragraphs.append(
        f"The hot wash produced {_plural(counts.hotwash, 'entry', 'entries')} and the "
        f"improvement plan holds {_plural(counts.actions, 'action')}."
    )
    table = [
        RatingCount(code, OBJECTIVE_RATING_LABELS.get(code, code), n) for code, n in ratings.items()
    ]
    return ExecutiveSummary(paragraphs, counts, table, overall.coverage)
