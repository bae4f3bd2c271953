"""Text cut from the middle keeps neighbours apart (pure)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len

from tabletop.tui.widgets.fitting import shorten_middle, shorten_title


def test_titles_that_differ_at_the_end_stay_apart() -> None:
    leave, stay = (shorten_middle(t, 14) for t in ("Frigates leave port", "Frigates stay in port"))
    assert leave != stay
    assert leave.startswith("Frigate") and leave.endswith("port") and "…" in leave
    assert shorten_middle("Short", 14) == "Short"


@given(st.text(min_size=0, max_size=60), st.integers(min_value=0, max_value=40))
def test_never_wider_than_asked(text: str, width: int) -> None:
    fitted = shorten_middle(text, width)
    assert cell_len(fitted) <= max(width, 0)
    if cell_len(text) <= width:
        assert fitted == text


def test_wide_characters_count_as_two_cells() -> None:
    fitted = shorten_middle("東京湾の火災と港の閉鎖", 9)
    assert cell_len(fitted) <= 9 and "…" in fitted


def test_a_shared_label_goes_first_when_room_is_short() -> None:
    isolated = "SITREP: network isolated, but the intruder was already in the port"
    watched = "SITREP: analysts watched the intruder move into the port"
    assert shorten_title(isolated, 10) != shorten_title(watched, 10)
    assert shorten_title(isolated, 10).startswith("netw")
    assert shorten_title("SITREP: calm", 40) == "SITREP: calm"
