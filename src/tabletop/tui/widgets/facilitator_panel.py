"""Staff-only material for the inject on screen: never shown to participants.

The facilitator, controllers and observers see the facilitator's material; an
evaluator sees it too, led by the ratings recorded so far for the selected
team on the inject's expected actions (what the evaluator is there to judge).
"""

from __future__ import annotations

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from tabletop.core.scenario import ScenarioInject
from tabletop.core.vocabulary import RATING_LABELS
from tabletop.session.state import SessionState


def _section(text: Text, title: str) -> None:
    if text:
        text.append("\n\n")
    text.append(title.upper(), style="bold underline")


def facilitator_text(
    state: SessionState,
    inject_id: str | None,
    evaluating: str | None = None,
    team: str | None = None,
) -> Text:
    """The material for ``inject_id``; ``evaluating`` names the team an evaluator rates,
    ``team`` the selected team, whose briefing is shown with the phase's narrative
    (what the participants see, so that staff know what they have been told)."""
    text = Text()
    inject = state.injects[inject_id].inject if inject_id in state.injects else None
    if inject is not None and evaluating is not None:
        _ratings_section(text, state, inject, evaluating)
    if inject is not None:
        _inject_sections(text, state, inject)
    phase = state.scenario.phase_by_id.get(
        inject.phase if inject is not None else (state.current_phase or "")
    ) or (state.scenario.phases[0] if state.scenario.phases else None)
    if phase is not None:
        _section(text, f"Phase questions: {phase.title}")
        for question in phase.questions:
            text.append(f"\n? {question}")
        if phase.narrative.strip():
            _section(text, f"Narrative: {phase.title} (participants see this)")
            text.append("\n" + phase.narrative.strip())
    briefed = state.scenario.team_by_id.get(team or "")
    if briefed is not None and briefed.briefing.strip():
        _section(text, f"Briefing: {briefed.name} (participants see this)")
        text.append("\n" + briefed.briefing.strip())
    notes = [n for n in state.notes if inject_id is None or n.inject in (None, inject_id)]
    if notes:
        _section(text, "Notes")
        for note in notes[-8:]:
            who = f" [{note.team}]" if note.team else ""
            text.append(f"\n- {note.text}{who}")
    return text


def _ratings_section(text: Text, state: SessionState, inject: ScenarioInject, team: str) -> None:
    if not inject.expected_actions:
        return
    found = state.scenario.team_by_id.get(team)
    _section(text, f"Rated for {found.name if found else team}")
    for action in inject.expected_actions:
        rated = state.ratings.get((team, action.item))
        label = RATING_LABELS.get(rated.rating, rated.rating) if rated else "not rated yet"
        short = action.item.rpartition("/")[2]  # the checklist's name is long; the item's is not
        text.append(f"\n{'●' if rated else '○'} {short}: {label}")


def _inject_sections(text: Text, state: SessionState, inject: ScenarioInject) -> None:
    if inject.decision is not None:
        decision = inject.decision
        _section(text, "Decision point")
        team = decision.team or "?"
        text.append(f"\n{decision.prompt}  (decides: {team})")
        chosen = state.chosen_option(inject.id)
        for option in decision.options:
            mark = "◉" if option.id == chosen else "○"
            default = " (default)" if option.id == decision.default else ""
            text.append(f"\n {mark} {option.label}{default}")
    if inject.expected_actions:
        _section(text, "Expected actions")
        for action in inject.expected_actions:
            found = state.scenario.item_by_ref.get(action.item)
            text.append(f"\n- {action.text}")
            item_text = f": {found[1].text}" if found else ""
            text.append(f"\n  ↳ {action.item}{item_text}", style="italic")
    if inject.questions:
        _section(text, "Discussion questions")
        for question in inject.questions:
            text.append(f"\n? {question}")
    if inject.facilitator_notes:
        _section(text, "Facilitator notes")
        text.append("\n" + inject.facilitator_notes.strip())


class FacilitatorPanel(VerticalScroll):
    DEFAULT_CSS = """
    FacilitatorPanel { height: 1fr; }
    FacilitatorPanel > Static { padding: 0 1; }
    """

    def __init__(self, *, id: str | None = None, role: str = "facilitator") -> None:
        super().__init__(Static(id="facilitator-text"), id=id)
        self.evaluator = role == "evaluator"
        self.border_title = "EVALUATOR · STAFF ONLY" if self.evaluator else "FACILITATOR ONLY"

    def show(self, state: SessionState, inject_id: str | None, team: str | None = None) -> None:
        evaluating = team if self.evaluator else None
        self.query_one("#facilitator-text", Static).update(
            facilitator_text(state, inject_id, evaluating, team)
        )
