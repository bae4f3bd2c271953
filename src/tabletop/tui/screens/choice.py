"""A question with a few named answers, each on its own key, in a modal."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from tabletop.tui.keys.bindings import CHOICE_BINDINGS


class ChoiceScreen(ModalScreen[str | None]):
    """Dismissed with the value of the answer chosen (its key or its button), or None
    on escape. ``answers`` are (key, label, value); labels may quote what people
    typed, so nothing here is read as markup."""

    BINDINGS: ClassVar[list[BindingType]] = CHOICE_BINDINGS
    DEFAULT_CSS = """
    ChoiceScreen { align: center middle; }
    ChoiceScreen > Vertical {
        width: 72; max-width: 100%; height: auto; border: thick $warning;
        background: $surface; padding: 1 2;
    }
    ChoiceScreen Button { width: 100%; margin-top: 1; }
    """

    def __init__(self, title: str, question: str, answers: Sequence[tuple[str, str, str]]) -> None:
        super().__init__()
        self.title_text = title
        self.question = question
        self.answers = list(answers)
        self.answered = False
        """Set by the first answer: a burst of keys must not answer twice."""

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = self.title_text
            box.border_subtitle = "escape: neither"
            yield Static(self.question, markup=False)
            for n, (key, label, _value) in enumerate(self.answers):
                yield Button(Content(f"{label} ({key})"), id=f"answer-{n}",  # plain text
                             variant="primary" if n == 0 else "default")

    def on_key(self, event: events.Key) -> None:
        for key, _label, value in self.answers:
            if event.key == key:
                event.stop()
                self._answer(value)
                return

    def on_button_pressed(self, event: Button.Pressed) -> None:
        index = int((event.button.id or "answer-0").removeprefix("answer-"))
        self._answer(self.answers[index][2])

    def action_dismiss_none(self) -> None:
        self._answer(None)

    def _answer(self, value: str | None) -> None:
        if not self.answered:
            self.answered = True
            self.dismiss(value)
