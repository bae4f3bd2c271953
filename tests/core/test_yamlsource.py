"""The bounded YAML reader: values, positions, limits and refusals."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest
import yaml

from tabletop.authoring.yamlsource import load_file, load_text
from tabletop.core.problems import ProblemsFound


def load(text: str) -> object:
    return load_text(text, "f.yaml").data


def error(text: str) -> str:
    with pytest.raises(ProblemsFound) as info:
        load_text(text, "f.yaml")
    return str(info.value)


def test_no_yaml_11_surprises() -> None:
    data = load("a: [NO, off, yes, On, +1:30, 1:30, 2026-01-01, 0o7, 1_000, 012]\n")
    assert data == {
        "a": ["NO", "off", "yes", "On", "+1:30", "1:30", "2026-01-01", "0o7", "1_000", 12]
    }


def test_core_scalars_resolve() -> None:
    assert load("a: 1\nb: -2.5\nc: true\nd: null\ne: ~\nf: 'true'\ng: \"3\"\n") == {
        "a": 1,
        "b": -2.5,
        "c": True,
        "d": None,
        "e": None,
        "f": "true",
        "g": "3",
    }


@pytest.mark.parametrize("released", [False, True])
def test_positions_point_at_keys_and_items(released: bool) -> None:
    doc = load_text("top:\n  list:\n    - x\n    - y: 1\n  z: 2\n", "f.yaml")
    if released:  # as after validation: the model holds the values
        doc.release_data()
    assert doc.position(("top",)) == (1, 1)
    assert doc.position(("top", "list")) == (2, 3)
    assert doc.position(("top", "list", 1)) == (4, 7)
    assert doc.position(("top", "list", 1, "y")) == (4, 7)
    assert doc.position(("top", "list", 1, "y", "deeper")) == (4, 7)
    assert doc.position(("top", "z")) == (5, 3)
    assert doc.position(("top", "missing")) == (1, 1)
    assert doc.position(("top", "list", 9)) == (2, 3)


def test_positions_of_a_file_are_found_when_first_asked_for(tmp_path: Path) -> None:
    path = tmp_path / "f.yaml"
    path.write_text("a: 1\nb:\n  - x\n  - y\n")
    doc = load_file(path)
    assert doc.marks == {}  # a valid file never pays for its positions
    doc.release_data()
    assert doc.position(("b", 1)) == (4, 5)
    assert doc.position(("a",)) == (1, 1)


def test_a_file_changed_since_reading_gives_no_positions_rather_than_wrong_ones(
    tmp_path: Path,
) -> None:
    path = tmp_path / "f.yaml"
    path.write_text("a: 1\nb: 2\n")
    doc = load_file(path)
    path.write_text("\n\n\nb: 2\na: 1\n")
    assert doc.position(("b",)) == (1, 1)


def test_a_pipe_read_once_still_gives_positions(tmp_path: Path) -> None:
    fifo = tmp_path / "f.yaml"
    os.mkfifo(fifo)
    # The text waits in the pipe before the loader opens it: a writer thread racing
    # the loader could open after it, and then (a FIFO nobody writes to reads as
    # empty) wait forever for a reader.
    keep = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        writer = os.open(fifo, os.O_WRONLY)
        os.write(writer, b"a: 1\nb:\n  c: 2\n")
        os.close(writer)
        doc = load_file(fifo)
    finally:
        os.close(keep)
    assert doc.position(("b", "c")) == (3, 3)


def test_duplicate_key_is_an_error() -> None:
    assert "2:1: a: duplicate key 'a' (first defined on line 1)" in error("a: 1\na: 2\n")


@pytest.mark.parametrize(
    "text",
    [
        "!!python/object/apply:os.system ['true']",
        "a: !!python/name:os.system x",
        "a: !!binary aGVsbG8=",
        "a: !custom {b: 1}",
    ],
)
def test_tags_are_refused_never_run(text: str) -> None:
    assert "is not allowed" in error(text)


def test_billion_laughs_is_refused_fast_and_small() -> None:
    text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for i in range(1, 9):
        text += f"{chr(97 + i)}: &{chr(97 + i)} [" + ",".join(["*" + chr(96 + i)] * 9) + "]\n"
    tracemalloc.start()
    started = time.perf_counter()
    message = error(text)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert "too many aliases" in message
    assert elapsed < 1.0
    assert peak < 5_000_000


def test_small_alias_use_is_allowed() -> None:
    assert load("a: &x [1, 2]\nb: *x\n") == {"a": [1, 2], "b": [1, 2]}


@pytest.mark.parametrize("opener,closer", [("[", "]"), ("{a: ", "}")])
def test_deep_nesting_is_refused(opener: str, closer: str) -> None:
    started = time.perf_counter()
    message = error("x: " + opener * 5000 + closer * 5000)
    assert "nesting is deeper than 64 levels" in message
    assert time.perf_counter() - started < 1.0


def test_nesting_below_libyamls_own_limit_is_refused_by_ours() -> None:
    """libyaml before 0.2.6 has no limit, and later ones stop at 1000: ours is
    the check for everything in between."""
    assert error("x: " + "[" * 100 + "]" * 100) == (
        "f.yaml:1:67: (document): nesting is deeper than 64 levels"
    )


@pytest.mark.parametrize(
    "problem,context",
    [
        ("exceeded maximum nesting depth", "while increasing flow level"),
        ("exceeded maximum nesting depth", "while increasing block level"),
        ("Maximum nesting level reached, set with yaml_set_max_nest_level())", "while parsing"),
    ],
)
def test_libyamls_depth_error_becomes_ours_where_our_limit_was_crossed(
    problem: str, context: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever libyaml says, and wherever it says it, authors read our message
    at the line and column where the 65th level opens."""
    text = "a: 1\nx:\n" + "".join(" " * i + "k:\n" for i in range(1, 1200))
    real_parse = yaml.parse

    def libyaml_refusing(stream: object, Loader: object) -> object:
        if stream == text:  # the whole file: refused as libyaml 0.2.6 would
            mark = yaml.Mark("<unicode string>", 0, 1001, 1001, None, None)
            raise yaml.MarkedYAMLError(context, mark, problem, mark)
        return real_parse(stream, Loader=Loader)  # type: ignore[arg-type]

    monkeypatch.setattr(yaml, "parse", libyaml_refusing)
    assert error(text) == "f.yaml:66:65: (document): nesting is deeper than 64 levels"


def test_real_libyaml_refusals_read_as_ours() -> None:
    for text in ("[" * 5000, "{a: " * 5000, "".join(" " * i + "k:\n" for i in range(5000))):
        message = error(text)
        assert message.endswith("(document): nesting is deeper than 64 levels"), message
        assert "exceeded" not in message


def test_messages_quote_only_a_short_excerpt() -> None:
    message = error("a: !!python/" + "x" * 100_000 + " 1\n")
    assert len(message) < 200


def test_one_document_per_file() -> None:
    assert "only one YAML document" in error("a: 1\n---\nb: 2\n")


def test_complex_keys_are_refused() -> None:
    assert "mapping key must be a plain value" in error("? [a]\n: 1\n")


def test_extreme_nesting_cannot_crash_the_process(tmp_path: Path) -> None:
    """libyaml's own composer recurses in C and segfaults near 100,000 levels; ours never recurses."""
    bomb = tmp_path / "deep.yaml"
    bomb.write_text("[" * 1_000_000 + "]" * 1_000_000)
    result = subprocess.run(
        [sys.executable, "-m", "tabletop", "validate", str(bomb)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "nesting is deeper than 64 levels" in result.stdout
