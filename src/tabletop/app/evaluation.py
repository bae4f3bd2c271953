"""The evaluation as it forms: per objective, what is rated and what is missing.

The console shows this before ENDEX so that gaps are filled while the teams are
still in the room. It is the report's own scoring, run on the live state, so
the console and the report can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from tabletop.core.vocabulary import OBJECTIVE_RATING_LABELS
from tabletop.report.scoring import score_session
from tabletop.session.state import SessionState


@dataclass(frozen=True)
class TeamProgress:
    team: str
    """Team name."""
    rated: int
    expected: int
    missing: tuple[str, ...] = ()
    """The expected items nobody has rated yet for the team ('checklist/item')."""


@dataclass(frozen=True)
class ObjectiveProgress:
    number: int
    id: str
    text: str
    capability: str
    rating: str | None
    """P/S/M/U as it stands now, or None."""
    rating_text: str
    provisional: bool
    overridden: bool
    basis: str
    gap_text: str
    teams: tuple[TeamProgress, ...]

    @property
    def rated(self) -> int:
        return sum(t.rated for t in self.teams)

    @property
    def expected(self) -> int:
        return sum(t.expected for t in self.teams)


def evaluation_progress(state: SessionState) -> list[ObjectiveProgress]:
    scores = score_session(state)
    names = {t.id: t.name for t in state.scenario.teams}
    texts = {o.id: o for o in state.scenario.objectives}
    out = []
    for number, scored in enumerate(scores.objectives, start=1):
        objective = texts[scored.objective]
        out.append(
            ObjectiveProgress(
                number=number,
                id=objective.id,
                text=objective.text,
                capability=objective.capability,
                rating=scored.rating,
                rating_text=OBJECTIVE_RATING_LABELS.get(scored.rating or "", "Not rated yet"),
                provisional=scored.provisional and scored.override is None,
                overridden=scored.override is not None,
                basis=scored.basis,
                gap_text=scored.gap_text,
                teams=tuple(
                    TeamProgress(
                        names.get(c.team, c.team), c.rated, c.expected,
                        tuple(i.ref for i in scored.items if i.team == c.team and i.rating is None),
                    )
                    for c in scored.coverage_by_team
                ),
            )
        )
    return out
