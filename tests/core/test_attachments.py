"""Attachments: what each screen may list, handout names, and finding a file safely."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from scenarios import inject

from tabletop.core.attachments import (
    Unreachable,
    handed_out,
    handout_names,
    kind_of,
    listed,
    locate,
)
from tabletop.core.files import copy_new
from tabletop.core.scenario import ScenarioInject, build


def _inject(*attachments: object) -> ScenarioInject:
    return build(ScenarioInject, inject("i", "p", "+00:10", title="T",
                                        attachments=list(attachments)))


@pytest.mark.parametrize(("path", "kind"), [
    ("handouts/port-map.PDF", "PDF"), ("a/photo.jpeg", "image"), ("x.svg", "image"),
    ("notes.md", "text"), ("list.csv", "text"), ("brief.docx", "file"), ("README", "file"),
])
def test_the_kind_comes_from_the_extension(path: str, kind: str) -> None:
    assert kind_of(path) == kind


def test_participants_never_see_a_facilitator_only_attachment() -> None:
    shown = _inject("handouts/map.pdf", {"path": "control/key.pdf", "facilitator_only": True},
                    {"path": "handouts/photo.png"})
    assert handed_out(shown) == ["handouts/map.pdf", "handouts/photo.png"]
    assert [a.name for a in listed(shown, staff=False)] == ["map.pdf", "photo.png"]
    staff = listed(shown, staff=True)
    assert [(a.path, a.facilitator_only) for a in staff] == [
        ("handouts/map.pdf", False), ("control/key.pdf", True), ("handouts/photo.png", False),
    ]


def test_handout_names_are_unique_without_case() -> None:
    names = handout_names(["a/map.pdf", "b/map.pdf", "c/MAP.pdf", "map-2.pdf", "a/map.pdf",
                           "notes"])
    assert names == {"a/map.pdf": "map.pdf", "b/map.pdf": "map-2.pdf",
                     "c/MAP.pdf": "MAP-3.pdf", "map-2.pdf": "map-2-2.pdf", "notes": "notes"}


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    (ws / "handouts").mkdir(parents=True)
    (ws / "handouts" / "map.pdf").write_bytes(b"%PDF-1.4 map")
    (tmp_path / "secret.txt").write_text("outside")
    return ws


def test_a_file_in_the_workspace_is_found_by_its_real_path(workspace: Path) -> None:
    (workspace / "maps").symlink_to("handouts")  # a link that stays inside is fine
    assert locate(workspace, "maps/map.pdf") == (workspace / "handouts" / "map.pdf").resolve()


@pytest.mark.parametrize(("path", "says"), [
    ("handouts/gone.pdf", "handouts/gone.pdf: not found in the workspace"),
    ("handouts", "handouts: not a file"),
    ("../secret.txt", "not a path inside the workspace"),
    ("/etc/passwd", "not a path inside the workspace"),
    ("planted/secret.txt", "planted/secret.txt: leads outside the workspace"),
])
def test_what_cannot_be_reached_is_said_in_one_line(
    workspace: Path, path: str, says: str
) -> None:
    # A link planted after validation: resolved and refused when opened.
    (workspace / "planted").symlink_to(workspace.parent)
    with pytest.raises(Unreachable) as refused:
        locate(workspace, path)
    assert says in str(refused.value) and "\n" not in str(refused.value)


def test_a_workspace_that_is_not_here_is_said_so(tmp_path: Path) -> None:
    with pytest.raises(Unreachable, match=r"the workspace .*elsewhere is not on this machine"):
        locate(tmp_path / "elsewhere", "handouts/map.pdf")


def test_a_copy_never_replaces_a_file_nor_reads_through_a_link(workspace: Path) -> None:
    source = workspace / "handouts" / "map.pdf"
    target = workspace / "copy.pdf"
    copy_new(source, target)
    assert target.read_bytes() == b"%PDF-1.4 map"
    with pytest.raises(FileExistsError):
        copy_new(workspace.parent / "secret.txt", target)
    assert target.read_bytes() == b"%PDF-1.4 map"
    (workspace / "link.pdf").symlink_to(source)
    with pytest.raises(OSError):
        copy_new(workspace / "link.pdf", workspace / "other.pdf")
    assert not os.path.lexists(workspace / "other.pdf")
    assert sorted(p.name for p in workspace.iterdir()) == ["copy.pdf", "handouts", "link.pdf"]
