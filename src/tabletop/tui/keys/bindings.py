"""The console's key bindings: one place that names every key and what it does.

Every binding carries an ``id`` so that users can rebind it in their keymap
file (see :mod:`tabletop.tui.keys.keymap`); :data:`KEY_GROUPS` names each
screen's bindings, and the keymap accepts exactly their ids. Rare, corrective
actions have no key of their own; they live in the command palette so that the
footer stays short.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from textual.binding import Binding, BindingType

from tabletop.core.vocabulary import RATING_LABELS

TEAM_KEYS = 9

CONSOLE_BINDINGS: list[BindingType] = [
    Binding("n", "deliver_next", "Next", id="deliver-next",
            tooltip="Deliver the next pending inject to its teams", priority=True),
    Binding("p", "view_previous", "Prev", id="view-previous",
            tooltip="Show the inject delivered before the one on screen (view only)",
            priority=True),
    Binding("d", "record_decision", "Decide", id="record-decision",
            tooltip="Record a decision for the selected team", priority=True),
    Binding("t", "next_team", "Team", id="next-team",
            tooltip="Select the next team (1-9 pick a team directly)", priority=True),
    Binding("r", "rate", "Rate", id="rate",
            tooltip="Rate checklist items for the selected team", priority=True),
    Binding("space", "toggle_pause", "Pause", id="toggle-pause", key_display="space",
            tooltip="Pause or resume the play clock", priority=True),
    # Not in the footer (it is full at 80 columns): the help and the palette name it.
    Binding("o", "observe", "Observe", id="record-observation", show=False,
            tooltip="Record an observation (strength, area for improvement or neutral) "
            "for the selected team", priority=True),
    Binding("h", "hotwash", "Hot wash", id="hotwash",
            tooltip="Record strengths, areas for improvement and improvement actions",
            priority=True),
    Binding("e", "evaluation", "Evaluation", id="evaluation", show=False,
            tooltip="Per objective: what is rated, what is missing, and the rating so far",
            priority=True),
    Binding("y", "history", "History", id="history",
            tooltip="Show every recorded event, with corrections linked", priority=True),
    Binding("q", "quit_console", "Quit", id="quit",
            tooltip="Close the session (everything is already saved)", priority=True),
    *(
        Binding(str(n), f"pick_team({n})", f"Team {n}", id=f"pick-team-{n}", show=False,
                tooltip=f"Select team {n}", priority=True)
        for n in range(1, TEAM_KEYS + 1)
    ),
]

APP_BINDINGS: list[BindingType] = [
    Binding("ctrl+p", "command_palette", "Commands", id="command-palette", priority=True,
            show=False,
            tooltip="Search every command, including corrections"),
    Binding("ctrl+q", "quit_console", "Quit", id="force-quit", show=False, priority=True,
            tooltip="Close the session and leave"),
    # A priority binding still leaves "?" to a focused text field: Textual drops
    # the keys a focused widget would type from the bindings above it.
    Binding("question_mark,f1", "help", "Help", id="help", priority=True,
            tooltip="List every key, its binding id and who may use it (closes the help too)"),
]

FORM_BINDINGS: list[BindingType] = [
    Binding("ctrl+s", "save", "Save", id="form-save", priority=True,
            tooltip="Save what the form holds"),
    Binding("escape", "cancel", "Cancel", id="form-cancel",
            tooltip="Close the form without saving"),
]

RATING_KEYS: dict[str, str] = {"met": "m", "partial": "s", "not_met": "u", "na": "x"}
"""One key per rating on the rating screen: m met, s some (partially met), u unmet,
x n/a. None is a main-screen key (``p`` is previous inject there), so a key pressed
as the screen closes can never deliver an inject or record a decision."""
RATING_SHORT = {"met": "Met", "partial": "Partial", "not_met": "Not met", "na": "N/A"}

RATING_BINDINGS: list[BindingType] = [
    *(
        Binding(key, f"rate_as('{rating}')", RATING_SHORT[rating],
                id=f"rating-{rating.replace('_', '-')}",
                tooltip=f"Rate the highlighted item {RATING_LABELS[rating]} and go to the next")
        for rating, key in RATING_KEYS.items()
    ),
    Binding("ctrl+s", "save", "Save rating", id="rating-save", priority=True,
            tooltip="Record the rating chosen below, with the note, for the highlighted item"),
    Binding("a", "toggle_all", "Show all", id="rating-show-all",
            tooltip="Show every checklist item, or again only those the team's delivered "
            "injects expect"),
    Binding("escape", "close", "Close", id="rating-close", tooltip="Close the ratings"),
]


TIMELINE_BINDINGS: list[BindingType] = [
    Binding("up", "cursor(-1)", "Up", show=False, id="timeline-up"),
    Binding("down", "cursor(1)", "Down", show=False, id="timeline-down"),
    Binding("pageup", "page(-1)", "Page up", show=False, id="timeline-page-up"),
    Binding("pagedown", "page(1)", "Page down", show=False, id="timeline-page-down"),
    Binding("home", "edge(0)", "First", show=False, id="timeline-first"),
    Binding("end", "edge(1)", "Last", show=False, id="timeline-last"),
    Binding("enter", "view", "View inject", show=False, id="timeline-view",
            tooltip="Show the highlighted inject (view only)"),
]

HOTWASH_BINDINGS: list[BindingType] = [
    Binding("e", "open('entry')", "Strength/improvement", id="hotwash-entry",
            tooltip="Record a strength or an area for improvement"),
    Binding("a", "open('action')", "Improvement action", id="hotwash-action",
            tooltip="Record an improvement action with its organisation, POC and dates"),
    Binding("o", "open('objective')", "Rate objective", id="hotwash-objective",
            tooltip="Set an objective's P/S/M/U rating, with the reason"),
    Binding("escape", "close", "Close", id="hotwash-close", tooltip="Back to the console"),
]

EVALUATION_BINDINGS: list[BindingType] = [
    Binding("escape,e", "close", "Close", id="evaluation-close", tooltip="Back to the console"),
]

HISTORY_BINDINGS: list[BindingType] = [
    Binding("escape", "close", "Close", id="history-close", tooltip="Back to the console"),
    Binding("f", "focus_filter", "Filter", id="history-filter",
            tooltip="Filter by inject id"),
]

HISTORY_TABLE_BINDINGS: list[BindingType] = [
    Binding("up", "cursor(-1)", "Up", show=False, id="history-up"),
    Binding("down", "cursor(1)", "Down", show=False, id="history-down"),
    Binding("pageup", "page(-1)", "Page up", show=False, id="history-page-up"),
    Binding("pagedown", "page(1)", "Page down", show=False, id="history-page-down"),
    Binding("home", "edge(0)", "First", show=False, id="history-first"),
    Binding("end", "edge(1)", "Last", show=False, id="history-last"),
    Binding("enter", "select", "Follow link", show=False, id="history-follow",
            tooltip="Jump to the event this one corrects, or that corrects it"),
]

CONFIRM_BINDINGS: list[BindingType] = [
    Binding("y", "answer(True)", "Yes", id="confirm-yes", tooltip="Confirm"),
    Binding("n,escape", "answer(False)", "No", id="confirm-no", tooltip="Do not do it"),
]

CHOICE_BINDINGS: list[BindingType] = [
    Binding("escape", "dismiss_none", "Cancel", id="choice-cancel",
            tooltip="Do neither, and go back"),
]

HELP_BINDINGS: list[BindingType] = [
    Binding("escape,q", "close", "Close", id="help-close", tooltip="Close the help"),
]

KEY_GROUPS: tuple[tuple[str, Sequence[BindingType]], ...] = (
    ("Main screen", CONSOLE_BINDINGS),
    ("Timeline (main screen)", TIMELINE_BINDINGS),
    ("Everywhere", APP_BINDINGS),
    ("Forms", FORM_BINDINGS),
    ("Rating screen", RATING_BINDINGS),
    ("Hot wash", HOTWASH_BINDINGS),
    ("Evaluation", EVALUATION_BINDINGS),
    ("History", [*HISTORY_BINDINGS, *HISTORY_TABLE_BINDINGS]),
    ("Questions", [*CONFIRM_BINDINGS, *CHOICE_BINDINGS]),
    ("Help", HELP_BINDINGS),
)
"""Every screen's bindings, in the order the help lists them."""


def every_binding() -> Iterator[Binding]:
    for _title, bindings in KEY_GROUPS:
        for binding in bindings:
            if isinstance(binding, Binding):
                yield binding


def binding_ids() -> set[str]:
    """Every id a keymap may rebind."""
    return {binding.id for binding in every_binding() if binding.id}
