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
* An objective counts only its *owning pairs*: (team, item) where the team is
  one of the objective's teams, the item is one of its ``evaluated_by``, and a
  delivered inject expects the item of that team (the expected action's own
  team, else the inject's audience). Other teams' ratings of the item say
  nothing about this objective.
* U needs evidence that a critical task was not performed: a critical item
  (weight ``critical_weight``, 3 by default) rated not met for an owning pair,
  or an observation marking a critical task of the objective not performed.
  Otherwise, below the minimum coverage the objective stays "Not rated" and
  says how much is missing; above it the weighted score gives P, S or M (a
  low score is M at worst). A rating that rests on checklist ratings alone,
  or on part of the owning pairs, is provisional. A facilitator override wins,
  and is reported as one.
* Retracted decisions count for nothing, undone deliveries do not exist and a
  corrected rating counts with its corrected value (the state applies these).

Decisions are indexed once (:class:`DecisionIndex`) so that the whole
scoring pass is linear in the number of events.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property
from typing import Protocol

from tabletop.core.scenario import Objective, Scenario, ScoringConfig
from tabletop.core.scenario import action_owners as _owners
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


class Evidence(Protocol):
    """What scoring reads of an observation (the session's observations fit)."""

    @property
    def objective(self) -> str | None: ...
    @property
    def item(self) -> str | None: ...
    @property
    def team(self) -> str | None: ...
    @property
    def not_performed(self) -> bool: ...
    @property
    def retracted(self) -> bool: ...


@dataclass(frozen=True)
class TeamCoverage:
    team: str
    rated: int
    """Owning pairs of this team rated (not applicable included: it was judged)."""
    expected: int
    """Owning pairs of this team: items its delivered injects expect of it."""


@dataclass(frozen=True)
class ObjectiveScore:
    objective: str
    items: tuple[ItemScore, ...]
    """The owning (team, item) pairs: the objective's teams, its items, as
    delivered injects expect them."""
    tally: Tally
    computed: str | None
    """P/S/M/U by the rules, or None: not rated."""
    override: ObjectiveOverride | None
    coverage_by_team: tuple[TeamCoverage, ...] = ()
    """Per objective team (scenario order): how many of its owning pairs are rated."""
    gap_text: str = ""
    """What is missing for a rating, e.g. '3 of 5 items rated for the Policy Cell';
    '' when enough is rated."""
    basis: str = ""
    """One sentence: why the computed rating (or why none)."""
    provisional: bool = False
    """The computed rating rests on checklist ratings alone, or on part of the pairs."""

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
    """P/S/M for a tally by the thresholds, or None when coverage is below the
    configured minimum. Never U: a score says how well, not whether, critical
    tasks were performed (see :func:`score_objectives`)."""
    score = tally.score
    if score is None or tally.applicable_weight == 0 or tally.coverage < config.min_coverage:
        return None
    if score >= config.performed:
        return "P"
    if score >= config.some_challenges:
        return "S"
    return "M"


def expected_refs(scenario: Scenario, team: str, delivered_ids: Iterable[str]) -> list[str]:
    """The items the delivered injects expect of ``team``, in delivery order, each
    once (ids the scenario does not script, such as unscripted injects, expect nothing)."""
    teams = [t.id for t in scenario.teams]
    out: dict[str, None] = {}
    for inject_id in delivered_ids:
        inject = scenario.inject_by_id.get(inject_id)
        if inject is None:
            continue
        for action in inject.expected_actions:
            if action.item in scenario.item_by_ref and team in _owners(inject, action, teams):
                out.setdefault(action.item)
    return list(out)


def owning_pairs(
    scenario: Scenario, objective: Objective, delivered_ids: Sequence[str]
) -> list[tuple[str, str]]:
    """(team, item) pairs that count for ``objective``: the objective's teams, its
    known items, as the delivered injects expect them; team order, then item order."""
    return _pairs(scenario, objective, _expected_of(scenario, delivered_ids))


def _pairs(
    scenario: Scenario, objective: Objective, expected: dict[str, set[str]]
) -> list[tuple[str, str]]:
    refs = [r for r in dict.fromkeys(objective.evaluated_by) if r in scenario.item_by_ref]
    return [
        (team, ref)
        for team in scenario.objective_teams(objective)
        for ref in refs
        if ref in expected.get(team, ())
    ]


def _expected_of(scenario: Scenario, delivered_ids: Sequence[str]) -> dict[str, set[str]]:
    teams = [t.id for t in scenario.teams]
    out: dict[str, set[str]] = defaultdict(set)
    for inject_id in delivered_ids:
        inject = scenario.inject_by_id.get(inject_id)
        if inject is None:
            continue
        for action in inject.expected_actions:
            for team in _owners(inject, action, teams):
                out[team].add(action.item)
    return out


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


def score_objectives(
    state: SessionState, index: DecisionIndex, observations: Iterable[Evidence] = ()
) -> tuple[ObjectiveScore, ...]:
    """Rate every objective over its owning pairs; ``observations`` add evidence
    (a live one marking a critical task not performed makes its objective U)."""
    scenario = state.scenario
    expected = _expected_of(scenario, [s.inject.id for s in state.delivered()])
    live = [o for o in observations if not o.retracted]
    out: list[ObjectiveScore] = []
    for objective in scenario.objectives:
        pairs = _pairs(scenario, objective, expected)
        items = tuple(item_score(state, index, team, ref) for team, ref in pairs)
        counted = tally(items)
        teams = scenario.objective_teams(objective)
        coverage = tuple(
            TeamCoverage(
                team,
                sum(1 for i in items if i.team == team and i.rating is not None),
                sum(1 for i in items if i.team == team),
            )
            for team in teams
        )
        about = [o for o in live if _concerns(o, objective, teams)]
        computed, basis = _rate(scenario, counted, items, about)
        gap = "" if computed is not None else _gap_text(scenario, coverage)
        if computed is None and not basis:
            basis = (
                f"Not rated: {gap}." if gap
                else "Not rated: every counted item was rated not applicable."
            )
        out.append(
            ObjectiveScore(
                objective.id,
                items,
                counted,
                computed,
                state.objective_overrides.get(objective.id),
                coverage_by_team=coverage,
                gap_text=gap,
                basis=basis,
                provisional=computed is not None
                and (not about or any(c.rated < c.expected for c in coverage)),
            )
        )
    return tuple(out)


def _concerns(observation: Evidence, objective: Objective, teams: list[str]) -> bool:
    """An observation is evidence for an objective it names, or, naming none, for the
    objective of its item; one about a team outside the objective's is not."""
    if observation.team is not None and observation.team not in teams:
        return False
    return objective.concerns(observation.objective, observation.item)


def _rate(
    scenario: Scenario,
    counted: Tally,
    items: Sequence[ItemScore],
    observations: Sequence[Evidence],
) -> tuple[str | None, str]:
    """The computed rating and the sentence that says why."""
    config = scenario.scoring
    if not items:
        return None, (
            "Not rated: no delivered inject expects an item of this objective "
            "of the teams it concerns."
        )
    critical = [
        i for i in items if i.weight >= config.critical_weight and i.rating == "not_met"
    ]
    if critical:
        first = critical[0]
        more = f" (and {len(critical) - 1} more)" if len(critical) > 1 else ""
        found = scenario.item_by_ref.get(first.ref)
        task = f"“{found[1].text.rstrip('.')}”" if found else first.ref
        return "U", (
            f"A critical task was not performed: {task} ({first.ref}) was rated not met "
            f"for the {_team_name(scenario, first.team)}{more}."
        )
    not_done = [o for o in observations if o.not_performed]
    if not_done:
        first_obs = not_done[0]
        who = f" by {_team_name(scenario, first_obs.team)}" if first_obs.team else ""
        what = f" ({first_obs.item})" if first_obs.item else ""
        return "U", f"An observation records a critical task{what} not performed{who}."
    rating = hseep_rating(counted, config)
    score = counted.score
    if rating is None or score is None:
        return None, ""
    # One decimal near a threshold: 84.6% must not read as "85%, at or above 65%".
    shown = f"{score:.0%}"
    if any(abs(score - t) < 0.01 for t in (config.performed, config.some_challenges,
                                          config.major_challenges)):
        shown = f"{score:.1%}"
    share = f"{shown} of the rated weight met"
    if rating == "P":
        return "P", f"{share}, at or above {config.performed:.0%} for P."
    if rating == "S":
        return "S", (f"{share}: below {config.performed:.0%} for P, at or above "
                     f"{config.some_challenges:.0%} for S.")
    if score >= config.major_challenges:
        return "M", f"{share}, below {config.some_challenges:.0%} for S."
    return "M", (
        f"{share}, below {config.major_challenges:.0%}; M, not U, as no critical "
        "task is recorded as not performed."
    )


def _team_name(scenario: Scenario, team: str) -> str:
    found = scenario.team_by_id.get(team)
    return found.name if found else team


def _gap_text(scenario: Scenario, coverage: Sequence[TeamCoverage]) -> str:
    """'3 of 5 items rated for the Policy Cell; 0 of 2 for the Press Cell'."""
    short = [c for c in coverage if c.rated < c.expected]
    parts = []
    for n, c in enumerate(short):
        noun = ("item" if c.expected == 1 else "items") + " rated " if n == 0 else ""
        parts.append(f"{c.rated} of {c.expected} {noun}for {_team_name(scenario, c.team)}")
    return "; ".join(parts)


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


def score_session(
    state: SessionState, observations: Iterable[Evidence] | None = None
) -> Scores:
    """Every score of a session. The session's observations add evidence to the
    objective ratings; ``observations`` replaces them (for tests of the rules)."""
    index = DecisionIndex.of(state)
    evidence = state.observations.values() if observations is None else observations
    return Scores(
        score_checklists(state, index),
        score_objectives(state, index, evidence),
        timeliness(state, index),
        index,
    )
