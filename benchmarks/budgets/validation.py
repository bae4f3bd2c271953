"""Validation: ``tabletop validate`` on a corpus against a bare libyaml parse of it.

Also checks linear growth: ten times the files may take at most 12 times as long.
"""

from __future__ import annotations

from pathlib import Path

from context import Context
from measure import python, run_process, side_by_side
from results import Outcome

LIMIT = 2.0
GROWTH_LIMIT = 12.0
PARSE_ONLY = Path(__file__).resolve().parent.parent / "parse_only.py"


def _validate(folder: Path, cwd: Path) -> list[float]:
    argv = python("-m", "tabletop", "validate", str(folder))
    return [run_process(argv, cwd=cwd, label=f"tabletop validate {folder.name}").seconds]


def _parse_only(folder: Path, cwd: Path) -> list[float]:
    argv = python(str(PARSE_ONLY), str(folder))
    return [run_process(argv, cwd=cwd, label="yaml.load(CSafeLoader) baseline").seconds]


def measure(ctx: Context) -> list[Outcome]:
    cwd = ctx.folder("validation")
    count = ctx.sizes.corpus
    full, tenth = ctx.corpus(count), ctx.corpus(count // 10)
    rounds = ctx.sizes.validation_rounds
    _validate(full, cwd)  # warm the page and byte-code caches
    _parse_only(full, cwd)
    base, subj = side_by_side(lambda: _parse_only(full, cwd), lambda: _validate(full, cwd), rounds)
    small, big = side_by_side(lambda: _validate(tenth, cwd), lambda: _validate(full, cwd), rounds)
    big += subj  # every run on the full corpus counts towards its median
    return [
        Outcome.of(
            "validation",
            subject=(f"tabletop validate on {count} exercise files", subj),
            baseline=("python parsing the same files with yaml.load(CSafeLoader)", base),
            unit="s",
            limit=LIMIT,
        ),
        Outcome.of(
            "validation-growth",
            subject=(f"tabletop validate on {count} files", big),
            baseline=(f"tabletop validate on {count // 10} files (10x fewer)", small),
            unit="s",
            limit=GROWTH_LIMIT,
        ),
    ]
