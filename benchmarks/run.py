"""Run the benchmark suite: ``python benchmarks/run.py [--quick] [--output FILE]``.

Generates its inputs under ``benchmarks/.work/``, measures every budget side by
side with its baseline, prints one PASS/FAIL line per budget, and writes the
figures as JSON. The exit code is non-zero only when something could not be
measured (an ERROR), never because a budget failed: timings are noisy, and CI
runs ``--quick`` to keep this code working, not to judge speed.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from budgets import (
    durable,
    memory,
    record,
    recorders,
    report,
    sites,
    startup,
    step,
    validation,
)
from context import FULL, QUICK, Context
from measure import BenchError, timed
from results import BudgetError, Outcome, legend, write_json

HERE = Path(__file__).resolve().parent
BUDGETS: dict[str, Callable[[Context], list[Outcome]]] = {
    "startup": startup.measure,
    "validation": validation.measure,
    "step": step.measure,
    "durable": durable.measure,
    "report": report.measure,
    "memory": memory.measure,
    "record": record.measure,
    "recorders": recorders.measure,
    "sites": sites.measure,
}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer rounds")
    parser.add_argument(
        "--output",
        type=Path,
        default=HERE / "results.json",
        help="where to write the figures (default: benchmarks/results.json)",
    )
    parser.add_argument(
        "--only",
        nargs="+",
        choices=sorted(BUDGETS),
        metavar="BUDGET",
        help=f"run only these budgets: {', '.join(BUDGETS)}",
    )
    parser.add_argument(
        "--work",
        type=Path,
        default=None,
        help="folder for generated inputs (default: benchmarks/.work/MODE)",
    )
    return parser.parse_args(argv)


def generate_inputs(ctx: Context, names: list[str]) -> None:
    """Make every input up front, so budget timings never include generation."""
    s = ctx.sizes
    if "validation" in names:
        ctx.corpus(s.corpus)
        ctx.corpus(s.corpus // 10)
    if "step" in names or "memory" in names:
        ctx.big_scenario()
        ctx.small_scenario()
    if "durable" in names or "report" in names:
        ctx.session(s.decisions)
        ctx.session(s.decisions // 10)


def progress(message: str) -> None:
    print(f"... {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    mode = "quick" if args.quick else "full"
    names = args.only or list(BUDGETS)
    try:
        ctx = Context.fresh(QUICK if args.quick else FULL, args.work or HERE / ".work" / mode)
    except BenchError as exc:
        print(BudgetError("inputs", str(exc)).line())
        return 1
    began = time.perf_counter()
    outcomes: list[Outcome] = []
    errors: list[BudgetError] = []
    durations: dict[str, float] = {}
    progress(f"generating inputs in {ctx.work}")
    try:
        durations["inputs"] = timed(lambda: generate_inputs(ctx, names))
    except Exception as exc:
        traceback.print_exc()
        errors.append(BudgetError("inputs", f"{type(exc).__name__}: {exc}"))
        names = []
    for name in names:
        progress(f"measuring {name}")
        start = time.perf_counter()
        try:
            outcomes += BUDGETS[name](ctx)
        except Exception as exc:
            traceback.print_exc()
            errors.append(BudgetError(name, f"{type(exc).__name__}: {exc}"))
        durations[name] = time.perf_counter() - start
    total = time.perf_counter() - began
    _print_table(mode, outcomes, errors, ctx.figures, durations, total)
    meta = _meta(mode, ctx, durations, total)
    write_json(args.output, meta, outcomes, errors, ctx.figures)
    print(f"Figures written to {args.output}")
    return 1 if errors else 0


def _print_table(
    mode: str,
    outcomes: list[Outcome],
    errors: list[BudgetError],
    figures: dict[str, float],
    durations: dict[str, float],
    total: float,
) -> None:
    print(f"\nBudgets ({mode} run; medians, subject vs baseline measured side by side):")
    print(f"      {'budget':<18} {'subject':>11}    {'baseline':>11}  measured")
    for outcome in outcomes:
        print(outcome.line())
    for error in errors:
        print(error.line())
    print("\nWhat was compared:")
    for line in legend(outcomes):
        print(line)
    print("\nOther figures:")
    for name, value in figures.items():
        print(f"  {name}: {value:.3f}" if isinstance(value, float) else f"  {name}: {value}")
    spent = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in durations.items())
    print(f"\nDuration: {total:.1f} s ({spent})")


def _meta(mode: str, ctx: Context, durations: dict[str, float], total: float) -> dict[str, Any]:
    import textual

    import tabletop

    return {
        "mode": mode,
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "duration_s": total,
        "durations_s": durations,
        "sizes": vars(ctx.sizes),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpus": _cpus(),
        "tabletop": tabletop.__version__,
        "textual": textual.__version__,
    }


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


if __name__ == "__main__":
    sys.exit(main())
