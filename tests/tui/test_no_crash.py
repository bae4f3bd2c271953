"""Nothing a facilitator types or presses takes the console down.

Text that people type is shown as typed, never read as Textual markup: a
decision reading "[/]" or an unscripted inject titled "[bold]..." used to
crash the console (MarkupError) when a form, the history, a toast or the
command palette showed it, and "[UPDATE] ..." silently lost its first word.
Fast keys in the command palette used to hit two crashes inside Textual.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.command import CommandPalette
from textual.widgets import Input, Static
from textual.widgets._toast import Toast

from tabletop.session.session import Session
from tabletop.tui.console.app import make_app
from tabletop.tui.screens.form import FormScreen
from tabletop.tui.screens.history import HistoryScreen
from tabletop.tui.widgets.history_table import HistoryTable

from .helpers import palette, wait_until

SIZE = (120, 36)
NASTY = "[/] Leak [bold]video[/b] [UPDATE] <script>"


def record_nasty(session: Session) -> None:
    session.deliver_next()
    session.record_decision("mod", f"Call them {NASTY}")
    session.record(
        "unscripted_inject",
        inject={"id": "leak", "title": NASTY, "channel": "news", "from": "[red]Press [/",
                "to": "all", "body": "Body [/]"},
    )


def journal_events(session: Session) -> list[tuple[int, str, dict[str, object]]]:
    return [(event.seq, event.kind, event.data) for event in session.store.events()]


def palette_rows(app: object) -> list[str]:
    screen = app.screen  # type: ignore[attr-defined]
    assert isinstance(screen, CommandPalette)
    from textual.widgets import OptionList

    options = screen.query_one(OptionList)
    return [str(options.get_option_at_index(n).prompt) for n in range(options.option_count)]


async def test_decision_form_shows_a_markup_like_inject_title(session: Session) -> None:
    record_nasty(session)
    app = make_app(session, where="s.db")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, FormScreen)
        intro = app.screen.query_one("#form-intro", Static)
        assert NASTY in str(intro.render())
        await pilot.press("escape")


async def test_history_shows_a_markup_like_decision(session: Session) -> None:
    record_nasty(session)
    app = make_app(session, where="s.db")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen)
        table = app.screen.query_one(HistoryTable)
        assert any(NASTY in table.describe(row)[1] for row in table.rows)
        shown = ["".join(s.text for s in table.render_line(y)) for y in range(len(table.rows))]
        assert any("[/] Leak [bold]" in line for line in shown), shown
        await pilot.press("escape")


async def test_palette_lists_a_markup_like_inject_title(session: Session) -> None:
    record_nasty(session)
    app = make_app(session, where="s.db")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        app.screen.query_one(Input).value = "jump leak"
        await wait_until(pilot, lambda: any(NASTY in row for row in palette_rows(app)))
        await pilot.press("escape")


def test_correction_forms_list_a_markup_like_decision(session: Session) -> None:
    from tabletop.app import forms

    record_nasty(session)
    for spec in (forms.decision_retract(session), forms.decision_move(session),
                 forms.decision_amend(session)):
        assert spec is not None
        assert any(NASTY in label for label, _ in spec.fields[0].choices), spec.title
    undo = forms.delivery_undo(session, "leak")
    assert undo is not None and NASTY in undo.intro


async def test_a_correction_form_opens_on_a_markup_like_decision(session: Session) -> None:
    record_nasty(session)
    app = make_app(session, where="s.db")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        before = journal_events(session)
        assert any(event[1] == "decision_recorded" for event in before)
        await palette(pilot, "decision: retract")
        assert isinstance(app.screen, FormScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert journal_events(session) == before  # nothing was changed by looking


async def test_keymap_problem_with_brackets_is_reported_not_fatal(
    session: Session, tmp_path: Path
) -> None:
    keymap = tmp_path / "keymap.toml"
    keymap.write_text('"[/]" = "x"\n', encoding="utf-8")
    app = make_app(session, where="s.db", keymap_file=keymap)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_until(pilot, lambda: any(
            "unknown binding id '[/]'" in str(toast.render()) for toast in app.screen.query(Toast)
        ))


async def test_a_core_error_with_brackets_is_shown_as_text(session: Session) -> None:
    from tabletop.session.store.errors import JournalWriteError

    def refuse(*_args: object) -> None:
        raise JournalWriteError("could not save to sessions/[/]drill.db: the disk is full")

    app = make_app(session, where="s.db")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        session.deliver = refuse  # type: ignore[method-assign,assignment]
        await pilot.press("space", "n")
        await wait_until(pilot, lambda: any(
            "[/]drill.db" in str(toast.render()) for toast in app.screen.query(Toast)
        ))
        await pilot.press("space")
    assert session.state.history[-1].kind == "clock_paused"


async def test_paging_a_palette_list_not_laid_out_does_not_crash(session: Session) -> None:
    """Page down while fresh results have a highlight but no size yet (just after
    a search that matched nothing) crashed inside Textual with KeyError."""
    import asyncio

    from textual.command import CommandList

    app = make_app(session, where="s.db")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        palette_screen = app.screen
        query = palette_screen.query_one(Input)
        results = palette_screen.query_one(CommandList)
        query.value = "zzzz"
        await wait_until(pilot, lambda: results.option_count == 0)
        query.value = ""
        for _ in range(400):  # the moment the results are back but not laid out
            if results.option_count:
                break
            await asyncio.sleep(0.001)
        if results.scrollable_content_region:  # a slow machine laid it out already
            pytest.skip("missed the moment between results and layout")
        assert results.highlighted is not None
        await palette_screen.run_action("command_list('page_down')")
        await pilot.pause()
        assert app.screen is palette_screen
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("n")
    assert session.state.current_inject == "harbour-alarm"


async def test_a_search_left_running_as_the_palette_closes_does_not_crash(
    session: Session,
) -> None:
    """Fast ctrl+p / escape could leave a search starting on a palette whose result
    list was already gone: Textual raised NoMatches in a worker and quit the app."""
    from textual.command import CommandList

    app = make_app(session, where="s.db")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        palette_screen = app.screen
        assert isinstance(palette_screen, CommandPalette)
        await palette_screen.query_one(CommandList).remove()  # as when it closes
        search = palette_screen._gather_commands("deliver")
        await wait_until(pilot, lambda: search.is_finished)
        assert app.is_running
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("n")
    assert session.state.current_inject == "harbour-alarm"
