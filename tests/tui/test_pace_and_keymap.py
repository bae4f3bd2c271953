"""Pace cues, the timeline's incremental refresh, and the user keymap."""

from __future__ import annotations

from pathlib import Path

from tabletop.session.session import Session
from tabletop.tui.console.app import make_app
from tabletop.tui.keys.bindings import binding_ids
from tabletop.tui.keys.keymap import keymap_path, load_keymap
from tabletop.tui.widgets.clocks import clock_text
from tabletop.tui.widgets.pace import pace
from tabletop.tui.widgets.timeline import Timeline

from .conftest import START_WALL, FakeClock, kinds, loaded_scenario


def test_pace_counts_down_to_the_next_planned_inject(session: Session, clock: FakeClock) -> None:
    session.deliver_next()  # harbour-alarm, minute 0; next is press-call at minute 10
    session.toggle_pause()
    clock.advance(4 * 60)
    p = pace(session.state, clock.now)
    assert p.next_inject == "press-call"
    assert p.due_in == 6 * 60
    assert not p.behind
    text = clock_text(session.state, clock.now).plain
    assert "RUNNING" in text and "in 6:00" in text and "BEHIND" not in text


def test_behind_schedule_when_the_next_inject_is_late(session: Session, clock: FakeClock) -> None:
    session.deliver_next()
    session.toggle_pause()
    clock.advance(12 * 60)
    p = pace(session.state, clock.now)
    assert p.due_in == -2 * 60
    assert p.behind
    assert "BEHIND SCHEDULE" in clock_text(session.state, clock.now).plain
    assert "late by 2:00" in clock_text(session.state, clock.now).plain


def test_after_endex_nothing_is_due_and_nobody_is_behind(
    session: Session, clock: FakeClock
) -> None:
    session.deliver_next()
    session.toggle_pause()
    clock.advance(12 * 60)  # press-call is late ...
    session.record("exercise_ended")  # ... but the exercise is over
    text = clock_text(session.state, clock.now).plain
    assert "ENDEX" in text and "nothing more due" in text
    assert "press-call" not in text and "BEHIND" not in text and "late by" not in text


def test_behind_schedule_when_the_phase_overruns(session: Session, clock: FakeClock) -> None:
    session.record("inject_retimed", inject="press-call", play_minute=60, reason="later")
    session.deliver_next()
    session.toggle_pause()
    clock.advance(21 * 60)  # the alert phase is planned for 20 minutes
    p = pace(session.state, clock.now)
    assert p.phase is not None and p.phase.over
    assert p.behind


def test_paused_is_written_not_only_coloured(session: Session, clock: FakeClock) -> None:
    assert "‖ PAUSED" in clock_text(session.state, clock.now).plain
    session.toggle_pause()
    assert "PAUSED" not in clock_text(session.state, clock.now).plain


async def test_time_to_the_next_inject_stays_visible_at_80_columns(tmp_path: Path) -> None:
    from textual.geometry import Region

    from tabletop.authoring.loading import LoadedScenario
    from tabletop.core.scenario import Scenario, build

    from .conftest import scenario_data

    data = scenario_data()
    data["phases"][0]["title"] = "Alert and first reports from the harbour master"
    data["injects"][0]["id"] = "harbour-alarm-from-the-port-authority"
    data["phases"][0]["injects"][0] = "harbour-alarm-from-the-port-authority"
    loaded = LoadedScenario(build(Scenario, data), tmp_path / "x.yaml", "0" * 64)
    clock = FakeClock(START_WALL)
    narrow = Session.create(tmp_path / "narrow.db", loaded, clock=clock)
    narrow.toggle_pause()
    clock.advance(90)  # the first inject is 1:30 late
    app = make_app(narrow, where="narrow.db")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        bar = app.console_screen.query_one("#clocks")
        strips = bar.render_lines(Region(0, 0, bar.size.width, bar.size.height))
        shown = "\n".join("".join(segment.text for segment in strip) for strip in strips)
        assert "BEHIND SCHEDULE" in shown
        assert "late by 1:30" in shown, shown
        await pilot.press("q")
    narrow.close()


async def test_timeline_refreshes_only_changed_rows(tmp_path: Path) -> None:
    big = Session.create(tmp_path / "big.db", loaded_scenario(tmp_path, extra_injects=5000),
                         clock=FakeClock(START_WALL))
    app = make_app(big, where="big.db")
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            timeline = app.console_screen.query_one(Timeline)
            assert len(timeline.rows) == 5005 + 2  # injects and two phase headers
            # Run the clock and stop it: 'n' then starts no clock whose ticks would
            # redraw rows of their own.
            await pilot.press("space", "space")
            await pilot.pause()  # the phase it entered is drawn before we count
            refreshed: list[int] = []
            original = timeline.refresh_line
            timeline.refresh_line = lambda y: (refreshed.append(y), original(y))[1]  # type: ignore[method-assign]
            rows_before = timeline.rows
            await pilot.press("n")
            assert timeline.rows is rows_before  # not rebuilt
            phases = {phase.id for phase in big.scenario.phases}
            changed = {timeline.rows[y].key for y in refreshed} - phases
            # The delivered inject and the new "next" one, nothing else of the 5,000
            # (a phase's header may redraw its time as well).
            assert changed == {"harbour-alarm", "press-call"}
            await pilot.press("q")
    finally:
        big.close()


def test_keymap_file_is_read_and_problems_reported(tmp_path: Path) -> None:
    path = tmp_path / "keymap.toml"
    path.write_text(
        'deliver-next = "x,f5"\n'
        'toggle-pause = ["ctrl+space", "space"]\n'
        'no-such-action = "z"\n'
        "rate = 3\n",
        encoding="utf-8",
    )
    result = load_keymap(path, binding_ids())
    assert result.keymap == {"deliver-next": "x,f5", "toggle-pause": "ctrl+space,space"}
    assert len(result.problems) == 2
    assert "unknown binding id 'no-such-action'" in result.problems[0]
    assert "rate" in result.problems[1]


def test_broken_keymap_file_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "keymap.toml"
    path.write_text("deliver-next = \n", encoding="utf-8")
    result = load_keymap(path, binding_ids())
    assert result.keymap == {}
    assert "cannot read keymap" in result.problems[0]
    assert load_keymap(tmp_path / "absent.toml", binding_ids()).keymap == {}


def test_keymap_path_follows_xdg() -> None:
    assert keymap_path({"XDG_CONFIG_HOME": "/cfg"}) == Path("/cfg/tabletop/keymap.toml")
    assert keymap_path({"HOME": "/home/ana"}) == Path("/home/ana/.config/tabletop/keymap.toml")


def test_every_binding_has_its_own_id_and_says_what_it_does() -> None:
    from tabletop.tui.keys.bindings import every_binding

    ids = [binding.id for binding in every_binding()]
    assert all(ids) and len(ids) == len(set(ids))  # a keymap's id names one binding
    for binding in every_binding():
        assert binding.description
        assert binding.tooltip or not binding.show  # the footer shows it


def test_every_key_of_every_screen_is_one_a_keymap_may_rebind() -> None:
    """A screen's bindings come from keys/bindings.py, so the keymap and the help
    know them all."""
    import importlib
    import inspect
    import pkgutil

    import tabletop.tui
    from tabletop.tui.keys.bindings import every_binding

    known = {id(binding) for binding in every_binding()}
    holders = []
    for module_info in pkgutil.walk_packages(tabletop.tui.__path__, "tabletop.tui."):
        module = importlib.import_module(module_info.name)
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == module.__name__ and "BINDINGS" in cls.__dict__:
                holders.append(cls.__name__)
                assert all(id(b) in known for b in cls.__dict__["BINDINGS"]), cls
    assert {"ConsoleScreen", "ConsoleApp", "RatingScreen", "Timeline"} <= set(holders)


async def test_user_keymap_rebinds_a_key(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "keymap.toml"
    path.write_text('deliver-next = "x"\n', encoding="utf-8")
    app = make_app(session, where="s.db", keymap_file=path)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("n")
        assert "inject_delivered" not in kinds(session)
        await pilot.press("x")
        assert "inject_delivered" in kinds(session)
