"""Facilitator-only material for the inject on screen: never shown to participants."""

from __future__ import annotations

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from tabletop.core.scenario import ScenarioInject
from tabletop.session.state import SessionState


def _section(text: Text, title: str) -> None:
    if text:
        text.append("\n\n")
    text.append(title.upper(), style="bold underline")


def facilitator_text(state: SessionState, inject_id: str | None) -> Text:
    text = Text()
    inject = state.injects[inject_id].inject if inject_id in state.injects else None
    if inject is not None:
        _inject_sections(text, state, inject)
    phase = state.scenario.phase_by_id.get(
        inject.phase if inject is not None else (state.current_phase or "")
    ) or (state.scenario.phases[0] if state.scenario.phases else None)
    if phase is not None:
        _section(text, f"Phase questions: {phase.title}")
        for question in phase.questions:
            text.append(f"\n? {question}")
    notes = [n for n in state.notes if inject_id is None or n.inject in (None, inject_id)]
    if notes:
        _section(text, "Notes")
        for note in notes[-8:]:
            who = f" [{note.team}]" if note.team else ""
            text.append(f"\n- {note.text}{who}")
    return text


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

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(Static(id="facilitator-text"), id=id)
        self.border_title = "FACILITATOR ONLY"

    def show(self, state: SessionState, inject_id: str | None) -> None:
        self.query_one("#facilitator-text", Static).update(facilitator_text(state, inject_id))
