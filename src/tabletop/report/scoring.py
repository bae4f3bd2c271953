"""Scoring: checklist scores, objective ratings, timeliness and evidence.

Everything here is a pure function of a :class:`~tabletop.session.state.SessionState`
(which carries its scenario). The rules:

* An item scores 1 when met, 0.5 when partially met, 0 when not met. An item
  rated not applicable is left out of the sum *and* of the weight it is
  divided by. An item nobody rated is "not rated": it counts for nothing and
  lowers coverage instead of silently scoring zero.
* A score is ``sum(weight * value) / sum(weight)`` over the rated items;
  coverage is the rated weight over the applicable weight (all weight minus
  the weight rated not applicable).
* An objective is scored over its ``evaluated_by`` items for every team and
  turned into an HSEEP rating with the scenario's thresholds; below the
  minimum coverage it stays "Not rated". A facilitator override wins, and is
  reported as one.
* Retracted decisions count for nothing, undone deliveries do not exist and a
  corrected rating counts with its corrected value (the state applies these).

Decisions are indexed once (:class:`DecisionIndex`) so that the whole
scoring pass is linear in the number of events.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property

from tabletop.core.scenario import ScoringConfig
from tabletop.core.vocabulary import RATING_SCORES
from tabletop.session.state import DecisionState, ObjectiveOverride, SessionState

HSEEP_ORDER = ("P", "S", "M", "U")


@dataclass(frozen=True)
class DecisionIndex:
    """Live (not retracted) decisions, grouped once for constant-time lookups."""

    by_team_item: dict[tuple[str, str], list[DecisionState]]
    """(team, "checklist/item") -> decisions listing that item, oldest first."""
    first_by_team_inject: dict[tuple[str, str], DecisionState]
    """(team, inject) -> the team's first live decision on that inject."""

    @classmethod
    def of(cls, state: SessionState) -> DecisionIndex:
        by_item: dict[tuple[str, str], list[DecisionState]] = defaultdict(list)
        first: dict[tuple[str, str], DecisionState] = {}
        for seq in sorted(state.decisions):
            decision = state.decisions[seq]
            if decision.retracted:
                continue
            for item in dict.fromkeys(decision.items):  # an item listed twice is one piece
                by_item[(decision.team, item)].append(decision)
            if decision.inject is not None:
                first.setdefault((decision.team, decision.inject), decision)
        return cls(dict(by_item), first)


@dataclass(frozen=True)
class ItemScore:
    team: str
    ref: str
    """'checklist/item'."""
    weight: int
    rating: str | None
    """met / partial / not_met / na, or None when nobody rated it."""
    note: str
    rating_seq: int | None
    """The item_rated event, for the record."""
    corrected: bool
    original_rating: str | None
    """The rating first recorded, when a correction changed it."""
    evidence: tuple[int, ...]
    """Seqs of the team's live decisions that list this item."""

    @property
    def value(self) -> float | None:
        return None if self.rating is None else RATING_SCORES.get(self.rating)


@dataclass(frozen=True)
class Tally:
    """Weighted sums over a set of items."""

    total_weight: int
    applicable_weight: int
    rated_weight: int
    earned: float

    @property
    def score(self) -> float | None:
        """Weighted mean over the rated items; None when nothing is rated."""
        return self.earned / self.rated_weight if self.rated_weight else None

    @property
    def coverage(self) -> float:
        """Rated share of the applicable weight (0 when nothing applies)."""
        return self.rated_weight / self.applicable_weight if self.applicable_weight else 0.0


def tally(items: Iterable[ItemScore]) -> Tally:
    total = applicable = rated = 0
    earned = 0.0
    for item in items:
        total += item.weight
        if item.rating == "na":
            continue
        applicable += item.weight
        value = item.value
        if value is not None:
            rated += item.weight
            earned += item.weight * value
    return Tally(total, applicable, rated, earned)


@dataclass(frozen=True)
class ChecklistScore:
    team: str
    checklist: str
    items: tuple[ItemScore, ...]
    tally: Tally

    @property
    def score(self) -> float | None:
        return self.tally.score

    @property
    def coverage(self) -> float:
        return self.tally.coverage


@dataclass(frozen=True)
class ObjectiveScore:
    objective: str
    items: tuple[ItemScore, ...]
    """Every (team, item) pair that evaluates the objective."""
    tally: Tally
    computed: str | None
    """P/S/M/U from the thresholds, or None: not rated."""
    override: ObjectiveOverride | None

    @property
    def rating(self) -> str | None:
        """The rating that stands: the facilitator's override, else the computed one."""
        return self.override.rating if self.override else self.computed


@dataclass(frozen=True)
class Timeliness:
    inject: str
    team: str
    decision: int | None
    """Seq of the team's first live decision on the inject; None when there is none."""
    story: timedelta | None
    """Story time from delivery to that decision."""
    wall_seconds: float | None
    """Wall-clock seconds from delivery to that decision."""
    play_seconds: float | None
    """Play-clock seconds (pauses excluded) from delivery to that decision."""


@dataclass(frozen=True)
class Scores:
    checklists: tuple[ChecklistScore, ...]
    """Per team (scenario order), then per checklist (scenario order)."""
    objectives: tuple[ObjectiveScore, ...]
    timeliness: tuple[Timeliness, ...]
    """Per delivered inject (delivery order), then per addressed team."""
    index: DecisionIndex

    @cached_property
    def timeliness_by_inject(self) -> dict[str, list[Timeliness]]:
        grouped: dict[str, list[Timeliness]] = defaultdict(list)
        for entry in self.timeliness:
            grouped[entry.inject].append(entry)
        return dict(grouped)

    @cached_property
    def by_team_item(self) -> dict[tuple[str, str], ItemScore]:
        return {(i.team, i.ref): i for c in self.checklists for i in c.items}


def hseep_rating(tally: Tally, config: ScoringConfig) -> str | None:
    """P/S/M/U for a tally, or None when coverage is below the configured minimum."""
    score = tally.score
    if score is None or tally.applicable_weight == 0 or tally.coverage < config.min_coverage:
        return None
    if score >= config.performed:
        return "P"
    if score >= config.some_challenges:
        return "S"
    if score >= config.major_challenges:
        return "M"
    return "U"


def item_score(state: SessionState, index: DecisionIndex, team: str, ref: str) -> ItemScore:
    found = state.scenario.item_by_ref.get(ref)
    weight = found[1].weight if found else 1
    rated = state.ratings.get((team, ref))
    evidence = tuple(d.seq for d in index.by_team_item.get((team, ref), ()))
    if rated is None:
        return ItemScore(team, ref, weight, None, "", None, False, None, evidence)
    corrected = bool(rated.corrected_by)
    return ItemScore(
        team,
        ref,
        weight,
        rated.rating,
        rated.note,
        rated.seq,
        corrected,
        rated.original_rating if corrected else None,
        evidence,
    )


def score_checklists(state: SessionState, index: DecisionIndex) -> tuple[ChecklistScore, ...]:
    out: list[ChecklistScore] = []
    for team in state.scenario.teams:
        for checklist in state.scenario.checklists:
            items = tuple(
                item_score(state, index, team.id, f"{checklist.id}/{item.id}")
                for item in checklist.items
            )
            out.append(ChecklistScore(team.id, checklist.id, items, tally(items)))
    return tuple(out)


def score_objectives(state: SessionState, index: DecisionIndex) -> tuple[ObjectiveScore, ...]:
    scenario = state.scenario
    out: list[ObjectiveScore] = []
    for objective in scenario.objectives:
        refs = [ref for ref in dict.fromkeys(objective.evaluated_by) if ref in scenario.item_by_ref]
        items = tuple(item_score(state, index, t.id, ref) for t in scenario.teams for ref in refs)
        counted = tally(items)
        out.append(
            ObjectiveScore(
                objective.id,
                items,
                counted,
                hseep_rating(counted, scenario.scoring),
                state.objective_overrides.get(objective.id),
            )
        )
    return tuple(out)


def timeliness(state: SessionState, index: DecisionIndex) -> tuple[Timeliness, ...]:
    out: list[Timeliness] = []
    for inject_state in state.delivered():
        delivery = inject_state.delivery
        if delivery is None:  # delivered() only returns delivered injects; keeps mypy honest
            continue
        inject = inject_state.inject
        for team in state.scenario.audience(inject):
            first = index.first_by_team_inject.get((team, inject.id))
            if first is None:
                out.append(Timeliness(inject.id, team, None, None, None, None))
                continue
            out.append(
                Timeliness(
                    inject.id,
                    team,
                    first.seq,
                    first.story_time - delivery.story_time,
                    first.wall - delivery.wall,
                    first.play_seconds - delivery.play_seconds,
                )
            )
    return tuple(out)


def score_session(state: SessionState) -> Scores:
    index = DecisionIndex.of(state)
    return Scores(
        score_checklists(state, index),
        score_objectives(state, index),
        timeliness(state, index),
        index,
    )
