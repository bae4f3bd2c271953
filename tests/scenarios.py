"""The one builder of test scenarios in code, shared by every suite.

Each suite describes its own small exercise with these helpers (the session
tests a branching drill, the console tests a harbour fire, the report tests a
harbour storm), so no test depends on the bundled content and the dicts all
follow one shape: the exercise format, resolved (checklists inline).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tabletop.core.scenario import Scenario, build


def inject(
    id_: str,
    phase: str,
    story: str,
    *,
    title: str,
    sender: str = "Exercise control",
    body: str | None = None,
    channel: str = "email",
    play_minute: int | None = None,
    **extra: Any,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": id_,
        "phase": phase,
        "title": title,
        "channel": channel,
        "from": sender,
        "story_time": story,
        "body": f"Body of {id_}." if body is None else body,
    }
    if play_minute is not None:
        data["play_minute"] = play_minute
    data.update(extra)
    return data


def phases(
    injects: Sequence[dict[str, Any]], specs: Iterable[tuple[str, str, str, list[str]]]
) -> list[dict[str, Any]]:
    """Phases as (id, title, duration, questions), each holding its injects in order."""
    return [
        {
            "id": phase_id,
            "title": title,
            "duration": duration,
            "questions": questions,
            "injects": [i["id"] for i in injects if i["phase"] == phase_id],
        }
        for phase_id, title, duration, questions in specs
    ]


def checklist(
    id_: str,
    title: str,
    items: Sequence[dict[str, Any]],
    *,
    source: str = "Written for the tests",
    **extra: Any,
) -> dict[str, Any]:
    return {
        "format": "tabletop/1",
        "kind": "checklist",
        "id": id_,
        "title": title,
        "source": source,
        **extra,
        "items": list(items),
    }


def exercise(
    id_: str,
    title: str,
    *,
    summary: str,
    duration: str,
    objectives: list[dict[str, Any]],
    teams: list[dict[str, Any]],
    phases: list[dict[str, Any]],
    injects: list[dict[str, Any]],
    checklists: list[dict[str, Any]],
    story_start: str = "2026-03-14T06:00:00Z",
    **header: Any,
) -> dict[str, Any]:
    return {
        "format": "tabletop/1",
        "kind": "exercise",
        "id": id_,
        "title": title,
        "summary": summary,
        "duration": duration,
        "story_start": story_start,
        **header,
        "objectives": objectives,
        "teams": teams,
        "phases": phases,
        "injects": injects,
        "checklists": checklists,
    }


def scenario(data: dict[str, Any], **changes: Any) -> Scenario:
    return build(Scenario, {**data, **changes})


@dataclass(frozen=True)
class Loaded:
    """Stands in for ``tabletop.authoring.loading.LoadedScenario``: what a session
    needs of a loaded exercise, without the authoring layer."""

    scenario: Scenario
    path: Path
    sha256: str


# ------------------------------------------------ the harbour drill (console, forms)
#
# A fire at the harbour: three ministries, a decision point whose options branch,
# one checklist. ``extra_injects`` pads the response phase for size tests.


def _harbour_inject(
    id: str, phase: str, story: str, minute: int | None, **more: Any
) -> dict[str, Any]:
    """The drill's defaults: harbour messages from the port authority."""
    return inject(
        id, phase, story,
        title=more.pop("title", f"Inject {id}"),
        sender=more.pop("sender", "Port Authority"),
        body=more.pop("body", f"Text of **{id}**."),
        play_minute=minute,
        **more,
    )


def harbour_drill_data(extra_injects: int = 0) -> dict[str, Any]:
    injects = [
        _harbour_inject("harbour-alarm", "alert", "+00:10", 0, title="Fire reported at the harbour",
               body="## Fire at pier 4\n\nThe harbour master reports **smoke** over pier 4.",
               expected_actions=[
                   {"text": "Share the report with the other ministries", "item": "coord/share"},
               ],
               questions=["Who leads the response?"],
               facilitator_notes="Watch whether the defence team waits for the foreign office."),
        _harbour_inject("press-call", "alert", "+00:40", 10, channel="phone", sender="Daily Courier",
               to=["mfa"], title="Journalist asks for comment",
               body="A reporter asks whether the navy is involved.",
               decision={"team": "mod", "prompt": "Send the navy?",
                         "options": [{"id": "send", "label": "Send ships"},
                                     {"id": "wait", "label": "Wait"}],
                         "default": "wait"}),
        _harbour_inject("ships-sail", "response", "+02:00", 25, title="Frigates leave port",
               when={"inject": "press-call", "option": "send"}),
        _harbour_inject("ships-stay", "response", "+02:00", 25, title="Frigates stay in port",
               when={"inject": "press-call", "option": "wait"}),
        _harbour_inject("minister-call", "response", "+03:00", 40, channel="hotline",
               sender="Minister", title="Minister wants a briefing"),
    ]
    for n in range(extra_injects):
        injects.append(_harbour_inject(f"filler-{n}", "response", "+04:00", None, title=f"Filler {n}"))
    return exercise(
        "harbour-drill",
        "Harbour Drill",
        summary="A fire at the harbour tests civil-military coordination.",
        marking="TLP:AMBER",
        duration="1h",
        objectives=[
            {"id": "coordinate", "text": "Coordinate the first hour across ministries",
             "evaluated_by": ["coord/share", "coord/lead"]},
        ],
        teams=[
            {"id": "mod", "name": "Defence", "role": "Ministry of Defence"},
            {"id": "mfa", "name": "Foreign Office", "role": "Ministry of Foreign Affairs"},
            {"id": "civ", "name": "Civil Protection", "role": "Civil protection agency"},
        ],
        phases=phases(injects, [
            ("alert", "Alert", "20m", ["What do we know?"]),
            ("response", "Response", "40m", ["Who speaks to the press?"]),
        ]),
        injects=injects,
        checklists=[
            checklist("coord", "Coordination", [
                {"id": "share", "text": "Shares information early", "capability": "Info"},
                {"id": "lead", "text": "Names a lead agency", "weight": 3,
                 "capability": "Operational Coordination"},
                {"id": "inform", "text": "Informs the public", "capability": "Public Info"},
            ], source="Test doctrine"),
        ],
    )


def harbour_drill(extra_injects: int = 0) -> Scenario:
    return scenario(harbour_drill_data(extra_injects))


def harbour_drill_loaded(tmp_path: Path, extra_injects: int = 0) -> Loaded:
    return Loaded(harbour_drill(extra_injects), tmp_path / "harbour-drill.yaml", "0" * 64)


# ------------------------------------- the harbour drill with attachments, on disk

HARBOUR_FILES = {
    "handouts/pier-4.png": b"\x89PNG pier 4",
    "handouts/statement.txt": b"Holding statement\n",
    "control/fire-plan.pdf": b"%PDF-1.4 the fire brigade's plan",
}


def harbour_attachments_loaded(tmp_path: Path) -> Loaded:
    """The harbour drill whose injects carry attachments (a facilitator-only one
    among them), its exercise file in a workspace under ``tmp_path`` that holds them."""
    ws = tmp_path / "ws"
    (ws / "exercises").mkdir(parents=True)
    for name, data in HARBOUR_FILES.items():
        (ws / name).parent.mkdir(parents=True, exist_ok=True)
        (ws / name).write_bytes(data)
    drill = harbour_drill_data()
    attachments: dict[str, list[Any]] = {
        "harbour-alarm": ["handouts/pier-4.png",
                          {"path": "control/fire-plan.pdf", "facilitator_only": True}],
        "press-call": ["handouts/statement.txt", "handouts/pier-4.png"],
        "minister-call": ["handouts/missing.pdf"],
    }
    for entry in drill["injects"]:
        entry["attachments"] = attachments.get(entry["id"], [])
    return Loaded(scenario(drill), ws / "exercises" / "harbour-drill.yaml", "0" * 64)
