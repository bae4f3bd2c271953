"""--templates from a user's folder: contained, bounded in time, errors in one line."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tabletop.cli import main


@pytest.fixture
def session_file(tmp_path: Path, exercise: object) -> Path:
    from tabletop.session.session import Session

    path = tmp_path / "s.db"
    with Session.create(path, exercise) as session:  # type: ignore[arg-type]
        session.deliver_next()
    return path


def render_with(
    tmp_path: Path, session_file: Path, template: str, capsys: pytest.CaptureFixture[str],
    *extra: str,
) -> tuple[int, str]:
    folder = tmp_path / "templates"
    folder.mkdir(exist_ok=True)
    (folder / "report.md").write_text(template, encoding="utf-8")
    code = main(["report", str(session_file), "--templates", str(folder), "-o",
                 str(tmp_path / "out.md"), *extra])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err.strip()


def test_a_symlink_in_the_templates_folder_cannot_pull_in_a_file_outside(
    tmp_path: Path, session_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET", encoding="utf-8")
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "report.md").symlink_to(secret)
    code = main(["report", str(session_file), "--templates", str(folder), "-o",
                 str(tmp_path / "out.md")])
    err = capsys.readouterr().err
    assert code == 1 and "outside the folder" in err
    assert not (tmp_path / "out.md").exists()


def test_a_render_that_never_ends_is_stopped(
    tmp_path: Path, session_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    started = time.monotonic()
    code, err = render_with(
        tmp_path, session_file,
        "{% for a in range(100000) %}{% for b in range(100000) %}x{% endfor %}{% endfor %}",
        capsys, "--render-timeout", "0.5",
    )
    assert code == 1 and "still rendering after 0.5 s" in err
    assert time.monotonic() - started < 10
    assert len(err.splitlines()) == 1


@pytest.mark.parametrize(
    "template,expected",
    [
        ("{{ range(10**10) | list }}", "too large"),
        ("{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}", "recursion too deep"),
        ("{{ r.nothing_here }}", "template"),
        ("{{ ().__class__.__base__.__subclasses__() }}", "template"),
    ],
)
def test_template_errors_are_one_line(
    template: str, expected: str, tmp_path: Path, session_file: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, err = render_with(tmp_path, session_file, template, capsys)
    assert code == 1 and expected in err, err
    assert len(err.splitlines()) == 1
