"""What a facilitator types to jump the story clock, resolved against the story's now."""

from __future__ import annotations

from datetime import datetime

import pytest

from tabletop.core.storyjump import ACCEPTED, resolve_jump, zone_label

NOW = datetime.fromisoformat("2026-03-14T06:10:00+02:00")  # a Saturday


def at(text: str, now: datetime = NOW) -> str:
    return resolve_jump(text, now).isoformat()


@pytest.mark.parametrize(("text", "expected"), [
    ("+18h", "2026-03-15T00:10:00+02:00"),
    ("+2d", "2026-03-16T06:10:00+02:00"),
    ("+1d6h", "2026-03-15T12:10:00+02:00"),
    ("+1d 6h 30m", "2026-03-15T12:40:00+02:00"),
    ("+90m", "2026-03-14T07:40:00+02:00"),
    ("+1d 06:00", "2026-03-15T12:10:00+02:00"),  # the format's own offset spelling
    (" +2H ", "2026-03-14T08:10:00+02:00"),
    ("-2h", "2026-03-14T04:10:00+02:00"),
    ("-1d", "2026-03-13T06:10:00+02:00"),
])
def test_a_step_moves_from_now(text: str, expected: str) -> None:
    assert at(text) == expected


def test_a_time_alone_is_the_next_one_at_or_after_now() -> None:
    assert at("07:00") == "2026-03-14T07:00:00+02:00"  # later today
    assert at("06:10") == "2026-03-14T06:10:00+02:00"  # now itself
    assert at("5:00") == "2026-03-15T05:00:00+02:00"  # passed: tomorrow's
    assert at("06:00", datetime.fromisoformat("2026-03-14T06:00:30+02:00")) == (
        "2026-03-15T06:00:00+02:00"
    )


def test_next_is_strictly_after_now() -> None:
    assert at("next 07:00") == "2026-03-14T07:00:00+02:00"
    assert at("next 06:10") == "2026-03-15T06:10:00+02:00"
    assert at("Next  05:00") == "2026-03-15T05:00:00+02:00"


def test_a_time_alone_never_goes_back() -> None:
    for hour in range(24):
        for text in (f"{hour:02d}:00", f"next {hour:02d}:30"):
            assert NOW <= resolve_jump(text, NOW) < NOW.replace(day=15, hour=6, minute=11)


def test_a_date_and_time_without_a_zone_is_in_the_zone_of_now() -> None:
    assert at("2026-03-15 07:00") == "2026-03-15T07:00:00+02:00"
    assert at("2026-03-15T7:00:30") == "2026-03-15T07:00:30+02:00"
    assert at("2026-03-13 07:00") == "2026-03-13T07:00:00+02:00"  # back, as asked


def test_a_date_and_time_keeps_its_own_zone() -> None:
    assert at("2026-03-15T07:00Z") == "2026-03-15T07:00:00+00:00"
    assert at("2026-03-15 07:00 +0100") == "2026-03-15T07:00:00+01:00"
    assert at("2026-03-15t07:00-03:30") == "2026-03-15T07:00:00-03:30"
    # What the form opens with, and what the record holds, read back unchanged.
    assert at(NOW.strftime("%Y-%m-%d %H:%M")) == NOW.isoformat()
    assert at(NOW.isoformat()) == NOW.isoformat()


@pytest.mark.parametrize("text", [
    "", "tomorrow", "+", "+5", "+2w", "+6h1d", "2026-03-15", "24:00", "7", "next",
    "next 7", "07:00 tomorrow", "+1h\n+1h",
])
def test_anything_else_names_the_accepted_forms(text: str) -> None:
    with pytest.raises(ValueError) as caught:
        resolve_jump(text, NOW)
    message = str(caught.value)
    assert message.endswith(f"is not a story time: use {ACCEPTED}")
    assert "\n" not in message


def test_an_impossible_date_or_time_says_so() -> None:
    for text in ("2026-02-30 07:00", "2026-03-15 25:00", "2026-03-15 07:60",
                 "2026-03-15 07:00+25:00"):
        with pytest.raises(ValueError, match="is not a real date and time"):
            resolve_jump(text, NOW)
    with pytest.raises(ValueError, match="is beyond the calendar"):
        resolve_jump("+999d", datetime.fromisoformat("9999-12-01T00:00Z"))


def test_long_input_is_cut_in_the_message() -> None:
    with pytest.raises(ValueError) as caught:
        resolve_jump("x" * 500, NOW)
    assert len(str(caught.value)) < 160


def test_zone_label() -> None:
    assert zone_label(NOW) == "UTC+02:00"
    assert zone_label(datetime.fromisoformat("2026-03-14T06:10Z")) == "UTC"
    assert zone_label(datetime.fromisoformat("2026-03-14T06:10-03:30")) == "UTC-03:30"


def test_every_form_the_message_names_is_accepted() -> None:
    for example in ACCEPTED.replace(" or ", ", ").split(", "):
        resolve_jump(example, NOW)
