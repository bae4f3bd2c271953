"""Random mutations of valid exercises never crash the loader or the validator."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tabletop.authoring import library
from tabletop.authoring.validation import validate_files
from tabletop.core.bundled import bundled_dir

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "workspace" / "exercises" / "mini.yaml"
SOURCES = [*sorted((bundled_dir() / "exercises").glob("*.yaml")), MINI]
TEXTS = [p.read_text(encoding="utf-8") for p in SOURCES]
FUZZ = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(Path(__file__).resolve().parents[1] / "fixtures" / "workspace", root / "ws")
    library._LIBRARIES.clear()
    return root / "ws" / "exercises" / "fuzzed.yaml"


def check(target: Path, text: str) -> None:
    target.write_text(text, encoding="utf-8", errors="surrogatepass")
    report = validate_files([target])  # must not raise, whatever the input
    for problem in report.problems:
        assert problem.file.endswith(".yaml")
        assert len(problem.message) < 2000


text_edits = st.one_of(
    st.tuples(st.just("delete-line"), st.integers(0, 10_000)),
    st.tuples(st.just("duplicate-line"), st.integers(0, 10_000)),
    st.tuples(st.just("truncate"), st.integers(0, 100_000)),
    st.tuples(st.just("insert"), st.integers(0, 100_000), st.text(min_size=1, max_size=8)),
    st.tuples(st.just("indent"), st.integers(0, 10_000), st.sampled_from([" ", "  ", "\t", "- "])),
)


def apply_edit(text: str, edit: tuple[Any, ...]) -> str:
    lines = text.splitlines(keepends=True)
    kind = edit[0]
    if kind == "delete-line" and lines:
        del lines[edit[1] % len(lines)]
    elif kind == "duplicate-line" and lines:
        n = edit[1] % len(lines)
        lines.insert(n, lines[n])
    elif kind == "truncate":
        return text[: edit[1] % (len(text) + 1)]
    elif kind == "insert":
        at = edit[1] % (len(text) + 1)
        return text[:at] + edit[2] + text[at:]
    elif kind == "indent" and lines:
        n = edit[1] % len(lines)
        lines[n] = edit[2] + lines[n]
    return "".join(lines)


@FUZZ
@given(
    source=st.sampled_from(range(len(TEXTS))), edits=st.lists(text_edits, min_size=1, max_size=4)
)
def test_text_mutations_never_crash(
    target: Path, source: int, edits: list[tuple[Any, ...]]
) -> None:
    text = TEXTS[source]
    for edit in edits:
        text = apply_edit(text, edit)
    check(target, text)


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    st.sampled_from(["all", "+1h", "+1d 04:30", "3h", "blue", "shots", "drill/share", "x/y"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


def paths_of(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            out += paths_of(value, (*prefix, key))
    elif isinstance(data, list):
        for n, value in enumerate(data):
            out += paths_of(value, (*prefix, n))
    return out


@FUZZ
@given(
    source=st.sampled_from(range(len(TEXTS))),
    choice=st.integers(0, 10**6),
    action=st.sampled_from(["replace", "delete", "add-key"]),
    value=values,
)
def test_data_mutations_never_crash(
    target: Path, source: int, choice: int, action: str, value: Any
) -> None:
    data = yaml.safe_load(TEXTS[source])
    paths = paths_of(data)[1:]
    path = paths[choice % len(paths)]
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    if action == "replace":
        parent[path[-1]] = value
    elif action == "delete":
        del parent[path[-1]]
    elif isinstance(parent, dict):
        parent[f"extra_{choice % 7}"] = value
    check(target, yaml.safe_dump(data, allow_unicode=True))
