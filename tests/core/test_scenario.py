"""The resolved scenario: what a session stores must decode to what was played."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

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
    "Attachment": ("Attachment", set()),
    "Organisation": ("Organisation", set()),
    "Objective": ("Objective", set()),
    "Team": ("Team", set()),
    "Contact": ("Contact", set()),
    "Capability": ("Capability", {"framework"}),
    "ScoringConfig": ("ScoringConfig", set()),
    "ScenarioInject": ("Inject", {"phase", "library"}),
    "ScenarioPhase": ("Phase", set()),
    "Scenario": ("Exercise", {"injects", "checklists", "capabilities"}),
}
"""Each resolved struct, its format model, and the fields resolving adds."""
RESOLVED_DIFFERENTLY = {("ScenarioPhase", "injects"), ("Scenario", "frameworks")}
"""A phase's entries (inline injects and library references) resolve to inject ids;
an exercise's framework ids resolve to the frameworks' titles and sources."""
STRUCT_OF_MODEL = {"Inject": "ScenarioInject", "Phase": "ScenarioPhase", "Exercise": "Scenario"}


def _facts(node: Any, rename: dict[str, str]) -> Any:
    """A JSON Schema node reduced to what validates: type, enum, pattern, bounds,
    default and references (titles and descriptions dropped; enums sorted)."""
    if isinstance(node, list):
        return [_facts(n, rename) for n in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in ("title", "description"):
            continue
        if key == "$ref":
            name = value.rsplit("/", 1)[-1]
            out[key] = rename.get(name, name)
        elif key == "const":
            out["enum"] = [value]
        elif key == "oneOf":
            # A tagged union (pydantic) tries one alternative, by type, as msgspec's
            # union of a string and a struct does: the two validate alike.
            out["anyOf"] = _facts(value, rename)
        else:
            out[key] = _facts(value, rename)
    if "enum" in out:
        out["enum"] = sorted(out["enum"])
        out.pop("type", None)
    if "anyOf" in out:
        out["anyOf"] = sorted(out["anyOf"], key=lambda n: json.dumps(n, sort_keys=True))
    return out


def _plain(value: Any) -> Any:
    return value.model_dump(by_alias=True) if hasattr(value, "model_dump") else value


def _model_fields(name: str) -> dict[str, Any]:
    from tabletop.authoring import model

    cls = model.__dict__[name]
    properties = cls.model_json_schema(by_alias=True)["properties"]
    fields = {}
    for attr, info in cls.model_fields.items():
        key = info.alias or attr
        fact = _facts(properties[key], STRUCT_OF_MODEL)
        if not info.is_required() and "default" not in fact:  # a default_factory
            fact["default"] = msgspec.to_builtins(_plain(info.get_default(call_default_factory=True)))
        fields[key] = fact
    return fields


def _struct_fields(name: str) -> dict[str, Any]:
    import tabletop.core.scenario as resolved

    cls = getattr(resolved, name)
    _, definitions = msgspec.json.schema_components([cls])
    properties = definitions[name]["properties"]
    fields = {}
    for spec in msgspec.structs.fields(cls):
        fact = _facts(properties[spec.encode_name], {})
        if spec.default_factory is not msgspec.NODEFAULT and "default" not in fact:
            fact["default"] = msgspec.to_builtins(spec.default_factory())
        fields[spec.encode_name] = fact
    return fields


@pytest.mark.parametrize("struct_name", sorted(FORMAT_OF))
def test_each_struct_validates_as_its_format_model_does(struct_name: str) -> None:
    """Field by field, the JSON Schemas of the struct and of the format model agree
    on type, enum, pattern, bounds and default: a constraint added to one and not
    the other fails here."""
    format_name, added = FORMAT_OF[struct_name]
    written, struct = _model_fields(format_name), _struct_fields(struct_name)
    assert set(struct) == set(written) | added
    for key, facts in written.items():
        if (struct_name, key) not in RESOLVED_DIFFERENTLY:
            assert struct[key] == facts, f"{struct_name}.{key}"


def test_the_comparison_sees_a_constraint_that_one_side_lacks() -> None:
    written = _model_fields("ChecklistItem")
    assert written["weight"] == {"type": "integer", "minimum": 1, "maximum": 3, "default": 1}
    loose = _facts({"type": "integer", "default": 1}, {})
    assert loose != written["weight"]


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (
            lambda d: d["injects"][0].update(channel="pigeon"),
            "injects[0].channel must be one of email, phone, hotline,",
        ),
        (
            lambda d: d["checklists"][0]["items"][0].update(weight=0),
            "checklists[0].items[0].weight must be a whole number from 1 to 3",
        ),
        (
            lambda d: d["teams"][0].update(id="NOT AN ID!"),
            "teams[0].id must be an id: lowercase letters, digits, '-' and '_'",
        ),
        (lambda d: d["teams"].clear(), "teams must be a list of at least one entry"),
        (
            lambda d: d["injects"][1].update(play_minute=5000),
            "injects[1].play_minute must be a whole number from 0 to 1440 or null",
        ),
    ],
)
def test_a_stored_scenario_that_breaks_the_format_is_refused_in_one_line(
    scenario: Scenario, damage: Callable[[dict[str, Any]], None], message: str
) -> None:
    from tabletop.core.struct_errors import explain

    stored = msgspec.json.decode(encode(scenario))
    damage(stored)
    with pytest.raises(msgspec.ValidationError) as refused:
        decode(msgspec.json.encode(stored))
    said = str(explain(refused.value, Scenario))
    assert said.startswith(message)
    assert "\n" not in said and "regex" not in said


def test_an_unscripted_inject_is_held_to_the_rules_of_an_inject() -> None:
    """Its fields are the resolved inject's own, constraint for constraint."""
    from tabletop.session.events import UnscriptedSpec

    _, definitions = msgspec.json.schema_components([UnscriptedSpec])
    spec = {k: _facts(v, {}) for k, v in definitions["UnscriptedSpec"]["properties"].items()}
    inject = _struct_fields("ScenarioInject")
    assert set(spec) == {"id", "title", "channel", "from", "to", "body"}
    for key, facts in spec.items():
        assert facts == inject[key], key
