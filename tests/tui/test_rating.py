"""The rating screen: one key rates and moves on, the form follows the highlighted
item, and the list keeps its order while it is open."""

from __future__ import annotations

from pathlib import Path

from textual.binding import Binding
from textual.widgets import Input, OptionList, Select

from tabletop.app import forms
from tabletop.authoring.loading import LoadedScenario
from tabletop.core.scenario import Scenario, build
from tabletop.core.vocabulary import RATINGS
from tabletop.session.authors import new_recorder
from tabletop.session.session import Session
from tabletop.tui.console.app import ConsoleApp, make_app
from tabletop.tui.keys.bindings import (
    APP_BINDINGS,
    CONSOLE_BINDINGS,
    RATING_BINDINGS,
    RATING_KEYS,
    binding_ids,
)
from tabletop.tui.keys.keymap import load_keymap
from tabletop.tui.screens.rating import RatingScreen

from .conftest import START_WALL, FakeClock, scenario_data
from .helpers import type_text, wait_until

SIZE = (120, 36)


def keys_of(bindings: list[object]) -> set[str]:
    keys: set[str] = set()
    for binding in bindings:
        assert isinstance(binding, Binding)
        keys |= {key.strip() for key in binding.key.split(",")}
    return keys


def test_no_rating_key_is_a_main_screen_key() -> None:
    """Muscle memory: a rating key pressed once the screen has closed does nothing
    on the main screen (it would otherwise deliver an inject, or worse)."""
    rating_keys = keys_of([b for b in RATING_BINDINGS
                           if isinstance(b, Binding) and b.action.startswith("rate_as")])
    assert rating_keys == set(RATING_KEYS.values())
    assert len(rating_keys) == len(RATINGS)  # one key per rating, none shared
    assert rating_keys.isdisjoint(keys_of([*CONSOLE_BINDINGS, *APP_BINDINGS]))


def test_a_keymap_may_rebind_every_rating_key(tmp_path: Path) -> None:
    path = tmp_path / "keymap.toml"
    path.write_text('rating-partial = "a"\nrating-save = "ctrl+r"\n', encoding="utf-8")
    assert load_keymap(path, binding_ids()).keymap == {"rating-partial": "a",
                                                       "rating-save": "ctrl+r"}
    assert {"rating-met", "rating-partial", "rating-not-met", "rating-na",
            "rating-save", "rating-close", "rating-show-all"} <= binding_ids()


def rating_screen(app: ConsoleApp) -> RatingScreen:
    assert isinstance(app.screen, RatingScreen)
    return app.screen


def highlighted(screen: RatingScreen) -> str:
    index = screen.query_one("#rating-items", OptionList).highlighted
    assert index is not None
    return screen.items[index]


def listed(screen: RatingScreen) -> list[str | None]:
    items = screen.query_one("#rating-items", OptionList)
    return [items.get_option_at_index(i).id for i in range(items.option_count)]


async def test_one_key_rates_the_highlighted_item_and_moves_on(session: Session) -> None:
    session.deliver("harbour-alarm")
    app = make_app(session, where="harbour.db")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("r")
        screen = rating_screen(app)
        assert screen.items == ["coord/share"]  # what harbour-alarm expects
        await pilot.press("a")  # show all
        assert screen.items == ["coord/share", "coord/lead", "coord/inform"]
        await pilot.press("m")
        await wait_until(pilot, lambda: highlighted(screen) == "coord/lead")
        await pilot.press("s")
        await wait_until(pilot, lambda: highlighted(screen) == "coord/inform")
        await pilot.press("u")
        await wait_until(pilot, lambda: ("mod", "coord/inform") in session.state.ratings)
        await pilot.press("up", "x")  # back to an item rated already: rated again
        await wait_until(pilot, lambda: session.state.ratings[("mod", "coord/lead")].rating
                         == "na")
        assert app.screen is screen  # still open for the next item
        await pilot.press("escape")
    ratings = session.state.ratings
    assert {ref: (r.rating, r.note) for (_team, ref), r in ratings.items()} == {
        "coord/share": ("met", ""), "coord/lead": ("na", ""), "coord/inform": ("not_met", ""),
    }


async def test_rating_keys_typed_in_the_note_are_text(session: Session) -> None:
    app = make_app(session, where="harbour.db")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("r")
        screen = rating_screen(app)
        await pilot.press("tab", "tab")  # past the rating to the note
        assert isinstance(app.focused, Input)
        await type_text(pilot, "must fix sux ?")
        assert session.state.ratings == {}
        await pilot.press("shift+tab", "s")  # a key from outside the note rates, with it
        await wait_until(pilot, lambda: ("mod", "coord/share") in session.state.ratings)
        rated = session.state.ratings[("mod", "coord/share")]
        assert (rated.rating, rated.note) == ("partial", "must fix sux ?")
        assert screen.query_one("#rating-note", Input).value == ""
        await pilot.press("tab", "tab")
        await type_text(pilot, "late")
        await pilot.press("enter")  # enter in the note saves the rating the form shows
        await wait_until(pilot, lambda: ("mod", "coord/lead") in session.state.ratings)
        rated = session.state.ratings[("mod", "coord/lead")]
        assert (rated.rating, rated.note) == ("met", "late")


async def test_a_saved_rating_never_carries_into_the_next_item_s_form(
    session: Session,
) -> None:
    session.rate_item("mod", "coord/inform", "na", "no press yet")
    app = make_app(session, where="harbour.db")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("r")
        screen = rating_screen(app)
        choice = screen.query_one("#rating-value", Select)
        await pilot.press("tab", "enter", "down", "enter")  # met -> partial
        assert choice.value == "partial"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: highlighted(screen) == "coord/lead")
        await wait_until(pilot, lambda: choice.value == "met")  # unrated: the first choice
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: highlighted(screen) == "coord/inform")
        await wait_until(pilot, lambda: choice.value == "na")  # its own rating so far
        await pilot.press("escape")
    ratings = session.state.ratings
    assert [ratings[("mod", ref)].rating for ref in screen.items] == ["partial", "met", "na"]


def _drill_where_press_call_expects(tmp_path: Path, item: str) -> LoadedScenario:
    data = scenario_data()
    press_call = next(i for i in data["injects"] if i["id"] == "press-call")
    press_call["expected_actions"] = [{"text": "Tell the public", "item": item}]
    return LoadedScenario(build(Scenario, data), tmp_path / "drill.yaml", "0" * 64)


async def test_the_list_keeps_its_order_while_open(tmp_path: Path) -> None:
    clock = FakeClock(START_WALL)
    loaded = _drill_where_press_call_expects(tmp_path, "coord/inform")
    with Session.create(tmp_path / "drill.db", loaded, clock=clock) as facilitator:
        facilitator.deliver("harbour-alarm")
        evaluator = Session.open(tmp_path / "drill.db", clock=clock,
                                 recorder=new_recorder("evaluator", "K. Oswald", ("mod",)))
        app = make_app(evaluator, where="drill.db")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("r", "a")
            screen = rating_screen(app)
            opened = ["coord/share", "coord/lead", "coord/inform"]
            assert listed(screen) == opened
            await pilot.press("down")
            assert highlighted(screen) == "coord/lead"

            # Another console delivers an inject that expects another item first,
            # and rates an item: the labels change, the order and cursor do not.
            facilitator.deliver("press-call")
            facilitator.rate_item("mod", "coord/inform", "not_met")
            assert forms.items_to_rate(facilitator.state, "press-call")[0] == "coord/inform"
            items = screen.query_one("#rating-items", OptionList)
            await wait_until(pilot, lambda: "Not met" in str(items.get_option("coord/inform")
                                                              .prompt))
            assert listed(screen) == opened
            assert highlighted(screen) == "coord/lead"

            await pilot.press("m")  # rates the item under the cursor, not another
            await wait_until(pilot, lambda: ("mod", "coord/lead") in evaluator.state.ratings)
            assert listed(screen) == opened
            assert highlighted(screen) == "coord/inform"
            await pilot.press("escape", "q")
    ratings = evaluator.state.ratings
    assert {ref: r.rating for (_team, ref), r in ratings.items()} == {
        "coord/lead": "met", "coord/inform": "not_met"}


def test_show_all_is_no_main_screen_key_either() -> None:
    show_all = keys_of([b for b in RATING_BINDINGS
                        if isinstance(b, Binding) and b.id == "rating-show-all"])
    assert show_all == {"a"}
    assert show_all.isdisjoint(keys_of([*CONSOLE_BINDINGS, *APP_BINDINGS]))
    assert show_all.isdisjoint(RATING_KEYS.values())


async def test_a_team_is_offered_what_its_delivered_injects_expect(tmp_path: Path) -> None:
    """press-call goes to the foreign office only: its item is offered to mfa, not
    to defence; 'a' shows every item and back, keeping the cursor on its item."""
    clock = FakeClock(START_WALL)
    loaded = _drill_where_press_call_expects(tmp_path, "coord/inform")
    with Session.create(tmp_path / "drill.db", loaded, clock=clock) as session:
        session.deliver("harbour-alarm")  # to all: expects coord/share
        session.deliver("press-call")  # to mfa: expects coord/inform
        app = make_app(session, where="drill.db")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("r")
            screen = rating_screen(app)
            assert (screen.team, listed(screen)) == ("mod", ["coord/share"])
            box = screen.query_one("Vertical")
            assert "the 1 of 3 items its delivered injects expect" in str(box.border_subtitle)
            await pilot.press("escape", "2")  # the foreign office
            await wait_until(pilot, lambda: session.selected_team == "mfa")
            await pilot.press("r")
            screen = rating_screen(app)
            # the inject on screen's items first, as before; only the expected ones
            assert listed(screen) == ["coord/inform", "coord/share"]
            await pilot.press("down")
            assert highlighted(screen) == "coord/share"
            await pilot.press("a")
            await wait_until(pilot, lambda: len(listed(screen)) == 3)
            assert listed(screen) == ["coord/inform", "coord/share", "coord/lead"]
            assert highlighted(screen) == "coord/share"
            subtitle = str(screen.query_one("Vertical").border_subtitle)
            assert "all 3 items · 'Show all' again: only the 2 expected" in subtitle
            await pilot.press("down", "m")  # rates coord/lead, shown by 'show all'
            await wait_until(pilot, lambda: ("mfa", "coord/lead") in session.state.ratings)
            await pilot.press("a")
            await wait_until(pilot, lambda: len(listed(screen)) == 2)
            assert highlighted(screen) == "coord/inform"  # its item is gone: the first
            await pilot.press("escape")


async def test_with_nothing_expected_yet_every_item_is_offered(session: Session) -> None:
    app = make_app(session, where="harbour.db")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("r")
        screen = rating_screen(app)
        assert listed(screen) == ["coord/share", "coord/lead", "coord/inform"]
        subtitle = str(screen.query_one("Vertical").border_subtitle)
        assert "no delivered inject expects one of this team yet" in subtitle
        await pilot.press("a")  # nothing to narrow to: the list stays
        assert listed(screen) == ["coord/share", "coord/lead", "coord/inform"]
        await pilot.press("escape")


def test_expected_items_follow_deliveries_and_undo(session: Session) -> None:
    assert forms.expected_items(session.state, "mfa") == []
    delivered = session.deliver("harbour-alarm")
    assert forms.expected_items(session.state, "mfa") == ["coord/share"]
    session.record("delivery_undone", event=delivered.seq, reason="too early")
    assert forms.expected_items(session.state, "mfa") == []
