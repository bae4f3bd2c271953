"""The resolved scenario: what a session stores must decode to what was played."""

from __future__ import annotations

import msgspec
import pytest

from tabletop.loading import load_scenario
from tabletop.scenario import Scenario, decode, encode, encode_parts
from tabletop.workspace import bundled_dir


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
    ],
)
def test_a_damaged_copy_is_refused_with_where(
    scenario: Scenario, change: dict[str, object], message: str
) -> None:
    stored = {**msgspec.json.decode(encode(scenario)), **change}
    with pytest.raises(msgspec.ValidationError, match=message.replace("$", r"\$")):
        decode(msgspec.json.encode(stored))
