"""The help: every key as bound now, with its binding id and who may use it; opened
with ? or F1 (never while ? is typed into a field) and from the palette."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console
from textual.binding import Binding
from textual.widgets import Input, Static, TextArea

from tabletop.session.authors import new_recorder
from tabletop.session.session import Session
from tabletop.tui.console.app import ConsoleApp, make_app
from tabletop.tui.console.screen import ACTION_RECORDS, STAFF_VIEWS
from tabletop.tui.keys.bindings import CONSOLE_BINDINGS, binding_ids
from tabletop.tui.keys.reference import (
    RECORDS,
    STAFF_ONLY,
    KeyRow,
    key_display,
    key_reference,
    roles_for,
)
from tabletop.tui.screens.help import HelpScreen
from tabletop.tui.screens.rating import RatingScreen

from .conftest import FakeClock
from .helpers import palette, type_text, wait_until

SIZE = (120, 36)


def rows_by_id(keymap: dict[str, str] | None = None) -> dict[str | None, KeyRow]:
    return {row.binding_id: row for section in key_reference(keymap or {})
            for row in section.rows}


def test_the_reference_lists_every_binding_id_once_in_its_screen_s_section() -> None:
    sections = key_reference({})
    ids = [row.binding_id for section in sections for row in section.rows if row.binding_id]
    assert sorted(ids) == sorted(binding_ids())
    titles = [section.title for section in sections]
    assert titles[:2] == ["Main screen", "Timeline (main screen)"]
    assert {"Everywhere", "Forms", "Rating screen"} <= set(titles)
    assert titles[-1].startswith("Command palette (ctrl+p")
    rating = next(s for s in sections if s.title == "Rating screen")
    assert [(row.keys, row.binding_id) for row in rating.rows][:4] == [
        (("m",), "rating-met"), (("s",), "rating-partial"), (("u",), "rating-not-met"),
        (("x",), "rating-na"),
    ]


def test_keys_are_shown_as_the_keymap_binds_them() -> None:
    default = rows_by_id()
    assert default["help"].keys == ("?", "f1")
    assert default["form-save"].keys == ("ctrl+s",)
    assert default["deliver-next"].keys == ("n",) and not default["deliver-next"].rebound
    rebound = rows_by_id({"deliver-next": "x,f5", "help": "question_mark"})
    assert rebound["deliver-next"].keys == ("x", "f5") and rebound["deliver-next"].rebound
    assert rebound["help"].keys == ("?",)
    assert rebound["view-previous"].keys == ("p",) and not rebound["view-previous"].rebound


def test_key_names_read_as_people_say_them() -> None:
    assert [key_display(k) for k in ("question_mark", "ctrl+s", "escape", "enter", "f1",
                                     "space", "pageup", "ctrl+home")] == [
        "?", "ctrl+s", "esc", "enter", "f1", "space", "pgup", "ctrl+home"]


def test_the_help_says_who_may_use_a_key_as_the_console_decides_it() -> None:
    """The main screen's keys: the help's roles follow what check_action hides."""
    for binding in CONSOLE_BINDINGS:
        assert isinstance(binding, Binding) and binding.id
        assert RECORDS.get(binding.id) is ACTION_RECORDS.get(binding.action), binding.id
        assert (binding.id in STAFF_ONLY) == (binding.action in STAFF_VIEWS)
    assert roles_for("deliver-next") == ("facilitator",)
    assert roles_for("rating-met") == ("facilitator", "evaluator")
    assert roles_for("history") == ("facilitator", "controller", "evaluator", "observer")
    assert roles_for("next-team") is None
    rows = rows_by_id()
    assert rows["rate"].usable_by("evaluator", read_only=False)
    assert not rows["rate"].usable_by("scribe", read_only=False)
    assert not rows["rate"].usable_by("facilitator", read_only=True)
    assert rows["next-team"].usable_by("observer", read_only=True)


def shown(screen: HelpScreen) -> str:
    """The help's text as drawn, every section, scrolled into view or not."""
    out = io.StringIO()
    console = Console(file=out, width=104, color_system=None)
    for static in screen.query(Static):
        console.print(static.content)
    return out.getvalue()


def help_screen(app: ConsoleApp) -> HelpScreen:
    assert isinstance(app.screen, HelpScreen)
    return app.screen


async def test_question_mark_and_f1_open_the_help_and_it_closes_every_way(
    session: Session,
) -> None:
    app = make_app(session, where="harbour.db")
    async with app.run_test(size=SIZE) as pilot:
        for opening, closing in (("question_mark", "question_mark"), ("f1", "escape"),
                                 ("question_mark", "q"), ("question_mark", "f1")):
            await pilot.press(opening)
            text = shown(help_screen(app))
            assert "deliver-next" in text and "Deliver the next pending inject" in text
            await pilot.press(closing)
            await wait_until(pilot, lambda: app.screen is app.console_screen)
        assert app.is_running and not app.session_closed  # q closed the help only
        await pilot.press("q")
    assert app.session_closed
    # No key reached the main screen (q there would have recorded the clock too).
    assert [e.kind for e in session.state.history] == ["facilitator_opened"]


async def test_a_question_mark_typed_into_a_field_is_text(session: Session) -> None:
    app = make_app(session, where="harbour.db")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("d")
        await type_text(pilot, "Who leads? Navy?")
        assert isinstance(app.focused, TextArea)
        assert app.focused.text == "Who leads? Navy?"
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("f1")  # F1 types nothing: the help opens over the form
        help_screen(app)
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, HelpScreen))
        assert isinstance(app.focused, TextArea) and app.focused.text == "Who leads? Navy?"
        await pilot.press("escape")

        await pilot.press("r")
        assert isinstance(app.screen, RatingScreen)
        await pilot.press("question_mark")  # from the list: the help
        help_screen(app)
        await pilot.press("escape", "tab", "tab")
        assert isinstance(app.focused, Input)
        await type_text(pilot, "why?")
        assert app.focused.value == "why?"
        assert isinstance(app.screen, RatingScreen)
        await pilot.press("escape")


async def test_the_palette_opens_the_help(session: Session) -> None:
    app = make_app(session, where="harbour.db")
    async with app.run_test(size=SIZE) as pilot:
        await palette(pilot, "help: keys")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        await pilot.press("escape")


async def test_the_help_and_the_palette_show_the_keys_a_keymap_set(
    session: Session, tmp_path: Path
) -> None:
    path = tmp_path / "keymap.toml"
    path.write_text('deliver-next = "x,f5"\nrating-partial = "a"\n', encoding="utf-8")
    app = make_app(session, where="harbour.db", keymap_file=path)
    async with app.run_test(size=SIZE) as pilot:
        hints = {c.title: c.help for c in app.console_screen.palette_commands("")}
        assert hints["inject: deliver next"] == "key x / f5"
        assert hints["help: keys"].startswith("key ? / f1;")
        await pilot.press("question_mark")
        screen = help_screen(app)
        rows = {row.binding_id: row for section in screen.sections for row in section.rows}
        assert rows["deliver-next"].keys == ("x", "f5")
        assert rows["rating-partial"].keys == ("a",)
        text = shown(screen)
        assert "x / f5*" in text and "a*" in text and str(path) in text
        await pilot.press("escape")


async def test_an_evaluator_s_help_names_the_role_and_who_may_use_each_key(
    session: Session, clock: FakeClock
) -> None:
    evaluator = Session.open(Path(session.location), clock=clock,
                             recorder=new_recorder("evaluator", "K. Oswald", ("mod",)))
    app = make_app(evaluator, where="harbour.db")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        screen = help_screen(app)
        assert screen.role == "evaluator"
        text = shown(screen)
        assert "This console: evaluator" in text
        line = next(line for line in text.splitlines() if "deliver-next" in line)
        assert line.rstrip().endswith("facilitator")
        rows = {row.binding_id: row for section in screen.sections for row in section.rows}
        assert rows["rating-met"].usable_by(screen.role, screen.read_only)
        assert not rows["deliver-next"].usable_by(screen.role, screen.read_only)
        await pilot.press("escape", "q")


async def test_the_footer_offers_the_help_and_a_narrow_header_names_it(
    session: Session,
) -> None:
    from textual.widgets._footer import FooterKey

    def footer_actions() -> set[str]:
        return {key.action for key in app.console_screen.query(FooterKey)}

    app = make_app(session, where="harbour.db")
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: "help" in footer_actions())
        hint = app.console_screen.query_one("#palette-hint", Static)
        assert not hint.display
        await pilot.resize_terminal(80, 24)
        await wait_until(pilot, lambda: "help" not in footer_actions())
        assert "deliver_next" in footer_actions()  # the console's keys keep the width
        assert hint.display and "? help" in str(hint.content)
        await pilot.press("q")
