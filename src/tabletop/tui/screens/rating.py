"""Rate checklist items for one team: met, partially met, not met, not applicable.

The list offers the items the team's delivered injects expect of it (what its
objectives are rated on); one key (``rating-show-all``) shows every item, and
again only those. With nothing expected yet, every item is shown.

One key rates the highlighted item and moves to the next (``RATING_KEYS``); the
note is optional. The form below the list always shows the highlighted item's
own rating, so nothing chosen for one item carries into the next. The list keeps
the order it opened with while the screen is open: ratings recorded here or by
another console change an item's label, never its place under the cursor.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from tabletop.core.vocabulary import RATING_LABELS, RATINGS
from tabletop.session.state import SessionState
from tabletop.tui.following import StateChanged
from tabletop.tui.keys.bindings import RATING_BINDINGS
from tabletop.tui.screens.form import error_message
from tabletop.tui.widgets.fields import FieldInput

MARKS = {"met": "✓", "partial": "◐", "not_met": "✗", "na": "–"}
UNRATED_CHOICE = "met"
"""What the form offers for an item not rated yet."""

SaveRating = Callable[[str, str, str], None]
"""(item ref, rating, note) -> None; raises when nothing could be recorded."""


def item_label(state: SessionState, team: str, ref: str) -> Text:
    rating = state.ratings.get((team, ref))
    mark = MARKS.get(rating.rating, "?") if rating else "·"
    word = RATING_LABELS.get(rating.rating, rating.rating) if rating else "unrated"
    item = state.scenario.item_by_ref[ref][1]
    text = Text(f"{mark} {word:<14} ", style="bold" if rating else "")
    text.append(f"{ref}: {item.text}")
    return text


class RatingScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = RATING_BINDINGS
    DEFAULT_CSS = """
    RatingScreen { align: center middle; }
    RatingScreen > Vertical {
        width: 110; max-width: 100%; height: 90%; border: thick $accent;
        background: $surface; padding: 0 1;
    }
    RatingScreen OptionList { height: 1fr; }
    RatingScreen Label { margin-top: 1; text-style: bold; }
    RatingScreen #rating-error { color: $error; text-style: bold; height: auto; }
    """

    def __init__(
        self,
        state: SessionState,
        team: str,
        items: Sequence[str],
        on_save: SaveRating,
        *,
        expected: Sequence[str] | None = None,
    ) -> None:
        """``items``: every item, in the order to list them; ``expected``: those the
        team's delivered injects expect (None: show every item)."""
        super().__init__()
        self.state = state
        self.team = team
        self.all_items = list(items)
        wanted = set(expected or ())
        self.expected = [ref for ref in self.all_items if ref in wanted]
        """The expected items, in the list's order."""
        self.show_all = not self.expected
        self.items = self.all_items if self.show_all else self.expected
        """What the list shows, in an order fixed while the screen is open."""
        self.on_save = on_save

    def compose(self) -> ComposeResult:
        team = self.state.scenario.team_by_id.get(self.team)
        with Vertical() as box:
            box.border_title = Text(f"Rate checklist items: {team.name if team else self.team}")
            box.border_subtitle = self._subtitle()
            yield OptionList(*self._options(), id="rating-items")
            yield Label("Rating")
            yield Select(
                [(RATING_LABELS[r], r) for r in RATINGS],
                value=UNRATED_CHOICE,
                allow_blank=False,
                id="rating-value",
            )
            yield Label("Note (what you saw, optional; enter saves)")
            yield FieldInput(placeholder="short note", id="rating-note")
            yield Static("", id="rating-error")
        yield Footer()

    def _options(self) -> list[Option]:
        return [Option(item_label(self.state, self.team, ref), id=ref) for ref in self.items]

    def _subtitle(self) -> str:
        expected, every = len(self.expected), len(self.all_items)
        if not expected:
            shown = "every item: no delivered inject expects one of this team yet"
        elif self.show_all:
            shown = f"all {every} items · 'Show all' again: only the {expected} expected"
        else:
            shown = f"the {expected} of {every} items its delivered injects expect"
        return f"{shown} · one key rates and moves on"

    def action_toggle_all(self) -> None:
        """Show every item, or again only the expected ones; the cursor stays on its
        item when the new list has it."""
        if not self.expected:
            self.notify("No delivered inject expects an item of this team yet.")
            return
        options = self.query_one("#rating-items", OptionList)
        index = options.highlighted
        current = self.items[index] if index is not None and self.items else None
        self.show_all = not self.show_all
        self.items = self.all_items if self.show_all else self.expected
        options.clear_options()
        options.add_options(self._options())
        options.highlighted = self.items.index(current) if current in self.items else 0
        box = self.query_one(Vertical)
        box.border_subtitle = self._subtitle()

    def on_mount(self) -> None:
        items = self.query_one("#rating-items", OptionList)
        items.highlighted = 0 if self.items else None
        items.focus()

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id is not None:
            self._show_choice_for(event.option.id)

    def _show_choice_for(self, ref: str) -> None:
        """The form shows ``ref``'s own rating (an unrated one UNRATED_CHOICE)."""
        rated = self.state.ratings.get((self.team, ref))
        self.query_one("#rating-value", Select).value = rated.rating if rated else UNRATED_CHOICE

    def on_state_changed(self, _message: StateChanged) -> None:
        """Another console recorded: relabel every item in place, keeping the order."""
        items = self.query_one("#rating-items", OptionList)
        for ref in self.items:
            items.replace_option_prompt(ref, item_label(self.state, self.team, ref))

    def action_rate_as(self, rating: str) -> None:
        (self.focused or self).call_later(self._save, rating)

    def action_save(self) -> None:
        # Let keys still queued for the focused field (the note) land first.
        (self.focused or self).call_later(self._save)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def _save(self, rating: str | None = None) -> None:
        """Record ``rating`` (else the one the form shows) for the highlighted item,
        with the note, then move to the next item."""
        items = self.query_one("#rating-items", OptionList)
        error = self.query_one("#rating-error", Static)
        index = items.highlighted
        if index is None:
            error.update("✗ Highlight an item to rate")
            return
        ref = self.items[index]
        chosen = rating or str(self.query_one("#rating-value", Select).value)
        note = self.query_one("#rating-note", Input)
        try:
            self.on_save(ref, chosen, note.value.strip())
        except Exception as exc:  # keep the note; say what went wrong
            error.update(Text(f"✗ {error_message(exc)}"))
            return
        error.update(Text(f"✓ Saved {ref}: {RATING_LABELS.get(chosen, chosen)}"))
        items.replace_option_prompt(ref, item_label(self.state, self.team, ref))
        note.value = ""
        if index < len(self.items) - 1:
            items.highlighted = index + 1  # the form follows (on_option_list_option_highlighted)
        else:
            self._show_choice_for(ref)
        items.focus()

    def action_close(self) -> None:
        self.dismiss(None)
