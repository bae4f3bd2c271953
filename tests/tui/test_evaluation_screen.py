"""The evaluation screen: per objective, what is rated, what is missing and the
rating so far, one key away, and up to date while it is open."""

from __future__ import annotations

from pathlib import Path

from fakeclock import FakeClock
from textual.widgets import Static

from tabletop.session.authors import new_recorder
from tabletop.session.session import Session
from tabletop.tui.console.app import make_app
from tabletop.tui.screens.evaluation import EvaluationScreen, evaluation_text

from .helpers import wait_until

SIZE = (120, 36)


def test_nothing_delivered_yet_nothing_is_expected(session: Session) -> None:
    text = evaluation_text(session.state).plain
    assert "0 of 1 objectives can be rated now." in text
    assert "0 of 0 expected items rated" in text
    assert "Not rated: no delivered inject expects an item" in text  # and says why


def test_coverage_counts_what_delivered_injects_expect_of_each_team(session: Session) -> None:
    session.deliver("harbour-alarm")  # to every team, expecting coord/share
    text = evaluation_text(session.state).plain
    assert "0 of 3 expected items rated" in text
    assert "Defence: 0 of 1  to rate: coord/share" in text
    assert "Civil Protection: 0 of 1  to rate: coord/share" in text
    assert "missing:" in text
    session.rate_item("mod", "coord/share", "met")
    session.rate_item("mfa", "coord/share", "met")
    text = evaluation_text(session.state).plain
    assert "2 of 3 expected items rated" in text and "Defence: 1 of 1\n" in text
    assert "1 of 1 objectives can be rated now." in text
    assert " P  P: Performed without Challenges  provisional" in text
    session.rate_item("civ", "coord/share", "na")  # judged: it counts as covered
    assert "3 of 3 expected items rated" in evaluation_text(session.state).plain


async def test_e_opens_it_and_it_follows_an_evaluators_ratings(
    session: Session, clock: FakeClock
) -> None:
    session.deliver("harbour-alarm")
    evaluator = Session.open(Path(session.location), clock=clock,
                             recorder=new_recorder("evaluator", "K. Oswald", ()))
    app = make_app(session, where="harbour.db")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, EvaluationScreen))
        shown = app.screen.query_one("#evaluation-text", Static)
        assert "0 of 3 expected items rated" in str(shown.render())
        evaluator.rate_item("mod", "coord/share", "met")  # at another console
        await wait_until(pilot, lambda: "1 of 3 expected items rated" in str(shown.render()))
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, EvaluationScreen))
    evaluator.close()
    assert [e.kind for e in session.state.history].count("item_rated") == 1


def test_the_hot_wash_starts_from_the_observations_by_their_numbers(session: Session) -> None:
    from tabletop.tui.screens.hotwash import hotwash_text

    session.deliver("harbour-alarm")
    seen = session.record("observation_recorded", kind="improvement", team="mod",
                          item="coord/share", text="Defence waited for the Foreign Office.")
    session.record("improvement_action", action="Agree who calls whom first.",
                   organisation="Ministry of Defence", completion="2026-09-30",
                   observation=seen.seq)
    text = hotwash_text(session.state).plain
    # under the objective its item evaluates, numbered as the report numbers it
    objective = text.split("coordinate: ")[1].split("IMPROVEMENT ACTIONS")[0]
    assert "- observed     #1 Defence waited for the Foreign Office. [mod]" in objective
    assert "nothing recorded yet" not in objective
    assert "answers observation #1" in text and f"#{seen.seq}" not in text.split("ACTIONS")[1]
