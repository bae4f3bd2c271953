"""Budget outcomes: how each is judged, printed as a table line, and saved as JSON."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from measure import median  # raises BenchError when a side took no samples

Kind = Literal["ratio", "excess"]


@dataclass
class Outcome:
    """One budget: a subject measured side by side with its baseline."""

    budget: str
    subject: str
    baseline: str
    subject_value: float
    baseline_value: float
    unit: str
    limit: float
    kind: Kind = "ratio"
    """'ratio': subject / baseline <= limit; 'excess': subject - baseline <= limit (same unit)."""
    samples: dict[str, list[float]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @classmethod
    def of(
        cls,
        budget: str,
        *,
        subject: tuple[str, list[float]],
        baseline: tuple[str, list[float]],
        unit: str,
        limit: float,
        kind: Kind = "ratio",
    ) -> Outcome:
        """An outcome judged on the medians of the two sides' samples."""
        return cls(
            budget=budget,
            subject=subject[0],
            baseline=baseline[0],
            subject_value=median(subject[1]),
            baseline_value=median(baseline[1]),
            unit=unit,
            limit=limit,
            kind=kind,
            samples={"subject": subject[1], "baseline": baseline[1]},
        )

    @property
    def measured(self) -> float:
        if self.kind == "excess":
            return self.subject_value - self.baseline_value
        return self.subject_value / self.baseline_value if self.baseline_value else float("inf")

    @property
    def passed(self) -> bool:
        return self.measured <= self.limit

    def line(self) -> str:
        """The table line; the only kind of line that starts with PASS or FAIL."""
        verdict = "PASS" if self.passed else "FAIL"
        if self.kind == "excess":
            judged = f"{self.measured:+7.1f} {self.unit} (limit +{self.limit:g} {self.unit})"
        else:
            judged = f"{self.measured:7.2f}×  (limit {self.limit:g}×)"
        return (
            f"{verdict}  {self.budget:<18} {_figure(self.subject_value, self.unit):>11} "
            f"vs {_figure(self.baseline_value, self.unit):>11}  {judged}"
        )

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(measured=self.measured, passed=self.passed)
        return data


@dataclass
class BudgetError:
    budget: str
    message: str

    def line(self) -> str:
        return f"ERROR {self.budget:<18} {self.message}"


def _figure(value: float, unit: str) -> str:
    if unit == "s" and value < 0.1:
        return f"{value * 1000:.2f} ms"
    if unit == "s":
        return f"{value:.3f} s"
    return f"{value:.1f} {unit}"


def legend(outcomes: list[Outcome]) -> list[str]:
    """What each line compared, printed under the table."""
    return [f"  {o.budget}: {o.subject}  vs  {o.baseline}" for o in outcomes]


def write_json(
    path: Path,
    meta: dict[str, Any],
    outcomes: list[Outcome],
    errors: list[BudgetError],
    figures: dict[str, float],
) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "meta": meta,
        "budgets": [o.to_json() for o in outcomes],
        "errors": [asdict(e) for e in errors],
        "figures": figures,
    }
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
