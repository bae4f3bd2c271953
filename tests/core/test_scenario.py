"""The resolved scenario: what a session stores must decode to what was played."""

from __future__ import annotations

import re

import msgspec
import pytest

from tabletop.authoring.loading import load_scenario
from tabletop.core.bundled import bundled_dir
from tabletop.core.scenario import Scenario, decode, encode, encode_parts


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return load_scenario(bundled_dir() / "exercises" / "border-tension.yaml").scenario


def test_the_stored_form_round_trips(scenario: Scenario) -> None:
    again = decode(encode(scenario))
    assert again == scenario
    assert again.inject_by_id.keys() == scenario.inject_by_id.keys()


def test_parts_are_the_same_bytes_as_one_encoding(scenario: Scenario) -> None:
    parts = list(encode_parts(scenario))
    assert b"".join(parts) == encode(scenario)
    # One part per inject at most: nothing near the size of the whole.
    assert len(parts) > len(scenario.injects)
    assert max(map(len, parts)) < len(encode(scenario)) / 4


def test_parts_of_a_scenario_with_no_injects_still_decode(scenario: Scenario) -> None:
    empty = msgspec.structs.replace(scenario, injects=[])
    assert decode(b"".join(encode_parts(empty))) == empty


def test_the_sender_is_stored_under_the_format_s_key(scenario: Scenario) -> None:
    stored = msgspec.json.decode(encode(scenario))
    assert stored["injects"][0]["from"] == scenario.injects[0].sender


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"id": 7}, "Expected `str`, got `int` - at `$.id`"),
        ({"surprise": True}, "unknown field `surprise`"),
        ({"duration": "a while"}, "at `$.duration`"),
        ({"story_start": "2026-13-45T00:00:00Z"}, "at `$.story_start`"),
    ],
)
def test_a_damaged_copy_is_refused_with_where(
    scenario: Scenario, change: dict[str, object], message: str
) -> None:
    stored = {**msgspec.json.decode(encode(scenario)), **change}
    with pytest.raises(msgspec.ValidationError, match=re.escape(message)):
        decode(msgspec.json.encode(stored))


def test_a_damaged_inject_time_is_refused_with_where(scenario: Scenario) -> None:
    stored = msgspec.json.decode(encode(scenario))
    stored["injects"][3]["story_time"] = "soon"
    with pytest.raises(msgspec.ValidationError, match=re.escape("at `$.injects[3].story_time`")):
        decode(msgspec.json.encode(stored))


FORMAT_OF = {
    "Checklist": ("Checklist", set()),
    "ChecklistItem": ("ChecklistItem", set()),
    "ExpectedAction": ("ExpectedAction", set()),
    "DecisionOption": ("DecisionOption", set()),
    "Decision": ("Decision", set()),
    "Condition": ("Condition", set()),
    "Organisation": ("Organisation", set()),
    "Objective": ("Objective", set()),
    "Team": ("Team", set()),
    "ScoringConfig": ("ScoringConfig", set()),
    "ScenarioInject": ("Inject", {"phase", "library"}),
    "ScenarioPhase": ("Phase", set()),
    "Scenario": ("Exercise", {"injects", "checklists"}),
}


@pytest.mark.parametrize("struct_name", sorted(FORMAT_OF))
def test_each_struct_carries_the_fields_and_defaults_of_its_format_model(
    struct_name: str,
) -> None:
    """The structs repeat the format's fields; this keeps the two from drifting apart."""
    from pydantic_core import PydanticUndefined

    import tabletop.core.scenario as resolved
    from tabletop.authoring import model

    format_name, added = FORMAT_OF[struct_name]
    fields = model.__dict__[format_name].model_fields
    struct = {f.encode_name: f for f in msgspec.structs.fields(getattr(resolved, struct_name))}
    written = {info.alias or name: info for name, info in fields.items()}
    assert set(struct) == set(written) | added
    for key, info in written.items():
        if info.default is not PydanticUndefined:
            assert struct[key].default == info.default, key
        elif info.default_factory is not None:
            assert struct[key].default_factory is not msgspec.NODEFAULT, key
