"""A console over a long record: 20,000 events, and what the screen shows of them.

These assert behaviour (what is on screen, what was saved); the benchmarks own
the time each key takes.
"""

from __future__ import annotations

from rich.text import Text

from tabletop.session.session import Session
from tabletop.tui.console.app import make_app
from tabletop.tui.console.palette import JUMP_SHOWN, jump_targets
from tabletop.tui.screens.history import HistoryScreen
from tabletop.tui.widgets.decision_log import SHOWN, log_text
from tabletop.tui.widgets.history_table import HistoryTable

from .helpers import type_text, wait_until

SIZE = (120, 36)


def record_a_long_exercise(session: Session, events: int) -> None:
    """Decisions, ratings, notes and corrections up to ``events`` events, in one
    transaction (one sync for all, where live play syncs each)."""
    teams = [team.id for team in session.scenario.teams]
    items = list(session.scenario.item_by_ref)
    with session.store.transaction():
        session.deliver_next()
        n = 0
        while session.state.last_seq < events:
            n += 1
            team = teams[n % len(teams)]
            if n % 5 == 0:
                session.rate_item(team, items[n % len(items)], "met" if n % 2 else "partial")
            elif n % 7 == 0:
                session.record("note_added", text=f"Observation {n}", team=team, inject=None)
            else:
                decision = session.record_decision(team, f"Decision number {n}")
                if n % 11 == 0:
                    session.record("decision_amended", event=decision.seq,
                                   text=f"Decision number {n}, amended", reason="typo")


def log_of(app: object) -> str:
    static = app.console_screen.query_one("#decision-text")  # type: ignore[attr-defined]
    return str(static.render())


async def test_saving_a_decision_in_a_20000_event_session_shows_it_first(
    session: Session,
) -> None:
    record_a_long_exercise(session, 20_000)
    decisions = len(session.state.decisions)
    app = make_app(session, where="s.db")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("d")
        await type_text(pilot, "Close the harbour to traffic")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is app.console_screen)
        await pilot.pause()
        shown = log_of(app)
        assert shown.index("Close the harbour to traffic") < shown.index("Decision number")
        assert f"{decisions + 1 - SHOWN:,} older decisions" in shown
        assert session.state.last_seq > 20_000
        newest = list(session.state.decisions.values())[-1]
        assert newest.text == "Close the harbour to traffic"

        await pilot.press("y")
        await wait_until(pilot, lambda: isinstance(app.screen, HistoryScreen))
        table = app.screen.query_one(HistoryTable)
        assert len(table.rows) == len(session.state.history)
        await pilot.press("end")
        await pilot.pause()
        bottom = "".join(s.text for s in table.render_line(table.size.height - 1))
        assert "Defence decided: Close the harbou" in bottom
        await pilot.press("escape")


def test_the_log_shows_the_newest_decisions_and_counts_the_rest(session: Session) -> None:
    for n in range(SHOWN + 7):
        session.record_decision("mod", f"Decision {n}")
    text = log_text(session.state)
    assert isinstance(text, Text)
    assert f"Decision {SHOWN + 6}" in text.plain
    assert "Decision 7\n" in text.plain and "Decision 6\n" not in text.plain
    assert "7 older decisions: the history (y) and the report hold them all" in text.plain


def test_palette_jump_targets_are_capped_and_need_a_word(session: Session) -> None:
    state = session.state
    assert jump_targets(state, "inject: jump to") == []
    first = state.order[0]
    assert jump_targets(state, f"jump {first}")[0] == first
    title_word = state.injects[first].inject.title.split()[0].lower()
    assert first in jump_targets(state, title_word)
    assert len(jump_targets(state, "e")) <= JUMP_SHOWN
