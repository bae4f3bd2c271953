"""A modal form shown from a :class:`tabletop.app.forms.FormSpec`; saving submits it.

The spec does the recording. If it raises (a bad value, a journal that
cannot be written), the form stays open with everything typed in it and shows
the error, so nothing the facilitator typed is lost.

Titles, intros and choice labels carry text that people typed (inject titles,
decision texts, team names), so they are always shown as plain text: a ``[/]``
in a decision must never be read as Textual markup.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Footer, Input, Label, Select, SelectionList, Static, TextArea

from tabletop.app.fields import CONFIRMED, AskFirst, FieldKind, FormField, Values, error_message
from tabletop.app.forms import FormSpec
from tabletop.tui.keys.bindings import FORM_BINDINGS
from tabletop.tui.widgets.fields import FieldArea, FieldInput

__all__ = ["FieldKind", "FormField", "FormScreen", "Values", "error_message"]


class FormScreen(ModalScreen[bool]):
    """A form shown from its spec; ctrl+s submits it (``FormSpec.submit``), escape cancels."""

    BINDINGS: ClassVar[list[BindingType]] = FORM_BINDINGS
    DEFAULT_CSS = """
    FormScreen { align: center middle; }
    FormScreen > #form {
        width: 90; max-width: 100%; height: auto; max-height: 100%;
        border: thick $accent; background: $surface; padding: 0 1;
    }
    FormScreen #form-fields { height: auto; max-height: 1fr; }
    FormScreen Label { margin-top: 1; text-style: bold; }
    FormScreen #form-intro { color: $text; }
    FormScreen TextArea { height: 6; }
    FormScreen SelectionList { height: auto; max-height: 8; }
    FormScreen #form-error { color: $error; text-style: bold; height: auto; }
    """

    def __init__(self, spec: FormSpec, *, name: str | None = None) -> None:
        super().__init__(name=name)
        self.spec = spec
        self.form_title = spec.title
        self.fields = list(spec.fields)
        self.intro = spec.intro

    def compose(self) -> ComposeResult:
        with Vertical(id="form") as form:
            form.border_title = Text(self.form_title)
            form.border_subtitle = "ctrl+s save · escape cancel"
            with VerticalScroll(id="form-fields"):
                if self.intro:
                    yield Static(self.intro, id="form-intro", markup=False)
                for spec in self.fields:
                    suffix = " *" if spec.required else ""
                    yield Label(f"{spec.label}{suffix}", markup=False)
                    yield self._widget(spec)
            yield Static("", id="form-error")
        yield Footer()

    def _widget(self, spec: FormField) -> Widget:
        wid = f"field-{spec.name}"
        if spec.kind == "text":
            area = FieldArea(str(spec.value), id=wid, soft_wrap=True, tab_behavior="focus")
            area.show_line_numbers = False
            return area
        if spec.kind == "select":
            value = spec.value if isinstance(spec.value, str) and spec.value else Select.NULL
            return Select(
                [(Text(label), v) for label, v in spec.choices],
                value=value,
                allow_blank=not spec.required,
                prompt="(none)",
                id=wid,
            )
        if spec.kind == "multi":
            ticked = set(spec.value) if not isinstance(spec.value, str) else set()
            return SelectionList[str](
                *((Text(lab), v, v in ticked) for lab, v in spec.choices), id=wid
            )
        return FieldInput(str(spec.value), placeholder=spec.placeholder, id=wid)

    def on_mount(self) -> None:
        if self.fields:
            self.query_one(f"#field-{self.fields[0].name}").focus()

    def values(self) -> Values:
        out: Values = {}
        for spec in self.fields:
            widget = self.query_one(f"#field-{spec.name}")
            if isinstance(widget, TextArea):
                out[spec.name] = widget.text.strip()
            elif isinstance(widget, Select):
                out[spec.name] = None if widget.value is Select.NULL else widget.value
            elif isinstance(widget, SelectionList):
                out[spec.name] = list(widget.selected)
            elif isinstance(widget, Input):
                out[spec.name] = widget.value.strip()
        return out

    def show_error(self, message: str) -> None:
        self.query_one("#form-error", Static).update(Text(f"✗ {message}"))

    def action_save(self) -> None:
        # ctrl+s is a priority binding: it can overtake keys still queued for the
        # focused field (fast typing, a paste). Read the form after they land.
        (self.focused or self).call_later(self._save)

    def on_select_changed(self, event: Select.Changed) -> None:
        self._refill(event.select.id)

    def on_input_changed(self, event: Input.Changed) -> None:
        self._refill(event.input.id)

    def _refill(self, widget_id: str | None) -> None:
        """Fill in the fields that follow the one just changed (``FormSpec.refill``)."""
        if not widget_id or not widget_id.startswith("field-") or self.spec.refill is None:
            return
        for name, value in self.spec.changed(widget_id[len("field-"):], self.values()).items():
            widget = self.query_one(f"#field-{name}")
            if isinstance(widget, TextArea):
                widget.text = str(value or "")
            elif isinstance(widget, Select):
                widget.value = Select.NULL if value is None else value
            elif isinstance(widget, Input):
                widget.value = str(value or "")

    def _save(self, confirmed: tuple[str, ...] = ()) -> None:
        values = self.values()
        values[CONFIRMED] = confirmed
        try:
            message = self.spec.submit(values)
        except AskFirst as question:
            self._ask(question, confirmed)
            return
        except Exception as exc:  # the form must survive any failure; the text stays
            self.show_error(error_message(exc))
            # On a small screen the message may sit below the fold: bring the first
            # empty required field into view, and say it where it is always seen.
            empty = next((f for f in self.fields if f.required and not values.get(f.name)),
                         None)
            if empty is not None:
                self.query_one(f"#field-{empty.name}").focus()
            self.notify(error_message(exc), title=f"Not saved: {self.form_title}",
                        severity="error", timeout=8, markup=False)
            return
        self.dismiss(True)
        if message:
            self.app.notify(message, title=self.form_title, timeout=30, markup=False)

    def _ask(self, question: AskFirst, confirmed: tuple[str, ...]) -> None:
        """Put the form's question; yes saves again with it answered, no stays here."""
        from tabletop.tui.screens.confirm import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if yes:
                self._save((*confirmed, question.key))

        self.app.push_screen(ConfirmScreen(question.title, question.question), answered)

    def action_cancel(self) -> None:
        self.dismiss(False)
