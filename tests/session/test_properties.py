"""Properties of replay: random event sequences, including nonsense, give a consistent state."""

from __future__ import annotations

import dataclasses
from typing import Any

from conftest import ITEMS, TEAMS
from hypothesis import given, settings
from hypothesis import strategies as st

from tabletop.core.scenario import Scenario, ScenarioInject
from tabletop.session.events import Event, payload_of
from tabletop.session.state import InjectState, SessionState

SCRIPTED = ("intro", "choice", "escalation", "talks", "strike", "wrapup")
OPTIONS = (None, "escalate", "talk", "strike", "wait", "bogus")
REF = st.integers(min_value=1, max_value=45)

inject_ids = st.sampled_from((*SCRIPTED, "ghost"))
teams = st.sampled_from(TEAMS)
texts = st.sampled_from(("a", "b", "c"))
ENTRIES = {  # what corrections of notes, hot wash entries and actions are named by
    "note": ("note_added", "text"),
    "hotwash_entry": ("hotwash_entry", "text"),
    "improvement_action": ("improvement_action", "action"),
}
entry_kinds = st.sampled_from(tuple(ENTRIES))


def _added(kind: str, text: str) -> tuple[str, dict[str, Any]]:
    added, field = ENTRIES[kind]
    return added, {field: text, **({"kind": "strength"} if kind == "hotwash_entry" else {})}

EVENT = st.one_of(
    st.builds(lambda i: ("inject_delivered", {"inject": i}), inject_ids),
    st.builds(
        lambda i, to: (
            "unscripted_inject",
            {
                "inject": {
                    "id": i,
                    "title": "U",
                    "channel": "news",
                    "from": "X",
                    "to": to,
                    "body": "",
                }
            },
        ),
        st.sampled_from(("u1", "u2", "u3")),
        st.sampled_from(("all", ["ops"])),
    ),
    st.builds(
        lambda k, i: (k, {"inject": i, "reason": "r"}),
        st.sampled_from(("inject_skipped", "inject_held", "inject_released")),
        inject_ids,
    ),
    st.builds(lambda e: ("delivery_undone", {"event": e, "reason": "r"}), REF),
    st.builds(
        lambda t, i, o, x: (
            "decision_recorded",
            {"team": t, "inject": i, "text": x, "option": o, "items": []},
        ),
        teams,
        st.sampled_from((None, "choice", "escalation", "intro")),
        st.sampled_from(OPTIONS),
        texts,
    ),
    st.builds(
        lambda e, o, x: (
            "decision_amended",
            {"event": e, "text": x, "option": o, "items": [], "reason": "r"},
        ),
        REF,
        st.sampled_from(OPTIONS),
        texts,
    ),
    st.builds(lambda e: ("decision_retracted", {"event": e, "reason": "r"}), REF),
    st.builds(lambda e, t: ("decision_moved", {"event": e, "team": t, "reason": "r"}), REF, teams),
    st.builds(
        lambda t, i, r: ("item_rated", {"team": t, "item": i, "rating": r, "note": ""}),
        teams,
        st.sampled_from(ITEMS),
        st.sampled_from(("met", "partial", "not_met")),
    ),
    st.builds(
        lambda e, r: ("rating_corrected", {"event": e, "rating": r, "note": "", "reason": "r"}),
        REF,
        st.sampled_from(("met", "na")),
    ),
    st.builds(_added, entry_kinds, texts),
    st.builds(
        lambda k, e, x: (f"{k}_corrected", {"event": e, ENTRIES[k][1]: x, "reason": "r"}),
        entry_kinds,
        REF,
        texts,
    ),
    st.builds(lambda k, e: (f"{k}_retracted", {"event": e, "reason": "r"}), entry_kinds, REF),
    st.sampled_from(
        [
            ("clock_resumed", {}),
            ("clock_paused", {}),
            ("session_opened", {}),
            ("facilitator_opened", {}),
            ("phase_started", {"phase": "p2"}),
            ("exercise_ended", {}),
        ]
    ),
)


def as_events(specs: list[tuple[str, dict[str, Any]]]) -> list[Event]:
    return [
        Event(n, kind, 1000.0 + 10 * n, payload_of(kind, data))
        for n, (kind, data) in enumerate(specs, 1)
    ]


def replay(scenario: Scenario, events: list[Event], *, query: bool = False) -> SessionState:
    state = SessionState(scenario)
    for event in events:
        state.apply(event)
        if query:  # the console asks after every keystroke; answers must not drift
            state.next_inject()
    return state


def targets(events: list[Event], kind: str) -> set[int]:
    """Seqs that events of ``kind`` point at (a pointer to a later event points at nothing)."""
    return {e.data["event"] for e in events if e.kind == kind and e.data["event"] < e.seq}


def comparable(state: SessionState) -> dict[str, Any]:
    values = dict(vars(state))
    values.pop("_cursor")  # a cache of next_inject's position, not state
    return values


# ------------------------------------------------------------ brute-force references


def live(inject: InjectState) -> bool:
    return inject.delivery is not None and not inject.delivery.undone


def expected_choice(state: SessionState, inject_id: str) -> str | None:
    inject = state.injects[inject_id]
    decision = inject.inject.decision
    if decision is None:
        return None
    if inject.skipped and not live(inject):
        return decision.default
    valid = {o.id for o in decision.options}
    counted = [
        d
        for d in state.decisions.values()
        if d.inject == inject_id
        and not d.retracted
        and d.option in valid
        and (decision.team is None or d.team == decision.team)
    ]
    return max(counted, key=lambda d: d.seq).option if counted else decision.default


def branch_open(state: SessionState, inject: ScenarioInject) -> bool:
    if inject.when is None:
        return True
    source = state.injects[inject.when.inject]
    if not live(source) and not branch_open(state, source.inject):
        return False
    played = [  # a delivered branch settles its decision point
        set(other.inject.when.options) for other in state.injects.values()
        if live(other) and other.inject.when is not None
        and other.inject.when.inject == inject.when.inject
    ]
    if played:
        return bool(set.intersection(*played) & set(inject.when.options))
    return expected_choice(state, inject.when.inject) in inject.when.options


def expected_status(state: SessionState, inject: InjectState) -> str:
    if live(inject):
        return "delivered"
    if inject.skipped:
        return "skipped"
    if not branch_open(state, inject.inject):
        return "skipped-branch"
    return "held" if inject.held else "pending"


@settings(max_examples=300, deadline=None)
@given(st.lists(EVENT, max_size=45))
def test_replay_is_consistent(specs: list[tuple[str, dict[str, Any]]]) -> None:
    from conftest import make_scenario

    scenario = make_scenario()
    events = as_events(specs)
    state = replay(scenario, events, query=True)
    again = replay(scenario, events)
    assert comparable(state) == comparable(again)
    assert state.next_inject() == again.next_inject()

    for inject_id in state.order:
        inject = state.injects[inject_id]
        assert inject.status == expected_status(state, inject), inject_id
        if inject.inject.decision is not None:
            assert state.chosen_option(inject_id) == expected_choice(state, inject_id)

    pending = [i for i in state.order if state.injects[i].status == "pending"]
    upcoming = state.next_inject()
    assert (upcoming.inject.id if upcoming else None) == (pending[0] if pending else None)

    undone = targets(events, "delivery_undone")
    shown = state.visible_to(None)
    assert len({s.inject.id for s in shown}) == len(shown)
    for inject in shown:
        assert inject.delivery is not None and not inject.delivery.undone
        assert inject.delivery.seq not in undone
    for delivery in state.deliveries():
        assert delivery.undone == (delivery.seq in undone)

    retracted = targets(events, "decision_retracted")
    assert all(d.seq not in retracted for d in state.live_decisions())
    assert {d.seq for d in state.decisions.values() if d.retracted} == retracted & set(
        state.decisions
    )
    assert state.current_inject == (shown[-1].inject.id if shown else None)
    assert_entries(state, events)


def assert_entries(state: SessionState, events: list[Event]) -> None:
    """Notes, hot wash entries and actions: all but the retracted, each as corrected last."""
    lists = {"note": state.notes, "hotwash_entry": state.hotwash,
             "improvement_action": state.actions}
    for kind, (added, field) in ENTRIES.items():
        made = [e for e in events if e.kind == added]
        gone = targets(events, f"{kind}_retracted")
        assert [x.seq for x in lists[kind]] == [e.seq for e in made if e.seq not in gone]
        for entry in lists[kind]:
            said = [e.data[field] for e in events if e.kind in (added, f"{kind}_corrected")
                    and (e.seq == entry.seq or e.data.get("event") == entry.seq < e.seq)]
            assert getattr(entry, field) == said[-1]
    # Each correction counts while what it corrects is live: none after a retraction.
    expected: dict[int, list[int]] = {}
    closed: set[int] = set()
    for event in events:
        kind, _, verb = event.kind.rpartition("_")
        target = state.event(event.data.get("event", 0)) if kind in ENTRIES else None
        if (target is None or target.kind != ENTRIES[kind][0] or target.seq in closed
                or target.seq > event.seq):
            continue
        expected.setdefault(target.seq, []).append(event.seq)
        if verb == "retracted":
            closed.add(target.seq)
    added = {added for added, _ in ENTRIES.values()}
    assert {seq: by for seq, by in state.corrections.items()
            if getattr(state.event(seq), "kind", None) in added} == expected


ENTRY_BASE = [_added(kind, "first") for kind in ENTRIES for _ in range(2)]
"""Two notes (seq 1, 2), two hot wash entries (3, 4) and two actions (5, 6)."""
NEAR = st.integers(min_value=1, max_value=8)  # mostly the base, of every kind


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(
    st.builds(lambda k, e, x: (f"{k}_corrected", {"event": e, ENTRIES[k][1]: x, "reason": "r"}),
              entry_kinds, NEAR, texts),
    st.builds(lambda k, e: (f"{k}_retracted", {"event": e, "reason": "r"}), entry_kinds, NEAR),
), max_size=20))
def test_entries_read_as_corrected_last_until_retracted(
    specs: list[tuple[str, dict[str, Any]]],
) -> None:
    from conftest import make_scenario

    events = as_events(ENTRY_BASE + specs)
    assert_entries(replay(make_scenario(), events), events)


# ------------------------------------------------------------ corrections commute

BASE: list[tuple[str, dict[str, Any]]] = [
    ("inject_delivered", {"inject": "intro"}),  # 1
    ("inject_delivered", {"inject": "choice"}),  # 2
    (
        "decision_recorded",
        {"team": "policy", "inject": "choice", "text": "go", "option": "escalate", "items": []},
    ),  # 3
    (
        "decision_recorded",
        {"team": "ops", "inject": None, "text": "watch", "option": None, "items": []},
    ),  # 4
    ("item_rated", {"team": "ops", "item": "drill/share", "rating": "met", "note": ""}),  # 5
    ("item_rated", {"team": "comms", "item": "drill/brief", "rating": "partial", "note": ""}),
    ("inject_delivered", {"inject": "escalation"}),  # 7
    ("note_added", {"text": "seen", "team": "ops"}),  # 8
    ("hotwash_entry", {"kind": "strength", "text": "fast"}),  # 9
    ("improvement_action", {"action": "write it down"}),  # 10
]

CORRECTIONS: list[tuple[str, dict[str, Any]]] = [
    ("delivery_undone", {"event": 1, "reason": "r"}),
    ("delivery_undone", {"event": 7, "reason": "r"}),
    (
        "decision_amended",
        {"event": 3, "text": "talk", "option": "talk", "items": [], "reason": "r"},
    ),
    ("decision_moved", {"event": 3, "team": "comms", "reason": "r"}),
    ("decision_retracted", {"event": 4, "reason": "r"}),
    ("decision_moved", {"event": 4, "team": "policy", "reason": "r"}),
    ("rating_corrected", {"event": 5, "rating": "not_met", "note": "n", "reason": "r"}),
    ("rating_corrected", {"event": 6, "rating": "na", "note": "", "reason": "r"}),
    ("note_corrected", {"event": 8, "text": "seen twice", "team": "policy", "reason": "r"}),
    ("hotwash_entry_corrected", {"event": 9, "kind": "improvement", "reason": "r"}),
    ("improvement_action_retracted", {"event": 10, "reason": "r"}),
]


def outcome(state: SessionState) -> dict[str, Any]:
    """What the record says, leaving out the order in which corrections arrived."""
    return {
        "status": {i: state.injects[i].status for i in state.order},
        "delivered": [s.inject.id for s in state.delivered()],
        "current": state.current_inject,
        "story_now": state.story_now,
        "decisions": {
            seq: (d.team, d.text, d.option, d.items, d.retracted)
            for seq, d in state.decisions.items()
        },
        "chosen": state.chosen_option("choice"),
        "ratings": {
            k: dataclasses.replace(r, corrected_by=[], correction_reasons=[])
            for k, r in state.ratings.items()
        },
        "entries": [dataclasses.astuple(e) for e in (*state.notes, *state.hotwash,
                                                       *state.actions)],
        "corrected": {seq: len(by) for seq, by in state.corrections.items()},
    }


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.sampled_from(range(len(CORRECTIONS))), unique=True, min_size=1).flatmap(
        lambda picked: st.tuples(st.just(picked), st.permutations(picked))
    )
)
def test_corrections_of_different_things_commute(picked: tuple[list[int], list[int]]) -> None:
    from conftest import make_scenario

    scenario = make_scenario()
    in_order, shuffled = picked
    one = replay(scenario, as_events(BASE + [CORRECTIONS[i] for i in in_order]))
    two = replay(scenario, as_events(BASE + [CORRECTIONS[i] for i in shuffled]))
    assert outcome(one) == outcome(two)
