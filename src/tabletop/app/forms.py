"""The console's forms as plain specs: what each asks for and what saving does.

A :class:`FormSpec` knows nothing of widgets. The console shows it with
``tabletop.tui.screens.form.FormScreen``; tests fill it in with a dict and
call :meth:`FormSpec.submit`, exactly as ctrl+s does, without a terminal. Each
``save`` is one call into the session (or one :mod:`tabletop.app.operations`
operation of two events), which checks and records durably or raises with a
message for the facilitator, in which case the form stays open with its text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar

from tabletop.app.fields import FormField, Values, ask_first
from tabletop.app.operations import DeliverOutOfOrder, WriteUnscripted
from tabletop.core.roles import PARTICIPANT_ROLES
from tabletop.core.storyjump import resolve_jump, zone_label
from tabletop.core.timefmt import format_offset, format_story
from tabletop.core.vocabulary import CHANNELS, OBJECTIVE_RATING_LABELS, RATING_LABELS, RATINGS
from tabletop.report.scoring import expected_refs
from tabletop.session.events import CAPABILITY_ELEMENTS, OBSERVATION_KIND_LABELS
from tabletop.session.session import Session
from tabletop.session.state import (
    HotwashEntry,
    ImprovementAction,
    Note,
    ObservationState,
    ParticipantState,
    SessionState,
)

REASON = FormField("reason", "Reason (kept in the record)", required=True)

Save = Callable[[Values], "str | None"]
"""Records what the form says; may return a message to show once it has. It may
raise :class:`~tabletop.app.fields.AskFirst` for a question to answer first."""

Refill = Callable[[str, Values], Values]
"""Given the field just changed and the form's values, the values to show in other
fields (an amendment starts from the text of the decision it amends)."""

R = TypeVar("R", HotwashEntry, ImprovementAction, Note, ObservationState, ParticipantState)


@dataclass(frozen=True)
class FormSpec:
    title: str
    fields: Sequence[FormField]
    save: Save
    intro: str = ""
    refill: Refill | None = None

    def submit(self, values: Values) -> str | None:
        """What saving the form does: required fields first, then ``save``.

        Raises ValueError (a required field is empty) or whatever the session
        raises; either way nothing was recorded by this call's failing step.
        """
        missing = [f.label for f in self.fields if f.required and not values.get(f.name)]
        if missing:
            raise ValueError(f"{missing[0]} is required")
        return self.save(values)

    def changed(self, name: str, values: Values) -> Values:
        """The fields to fill in again once field ``name`` has changed."""
        return {} if self.refill is None else self.refill(name, values)

    def defaults(self) -> Values:
        """The values of a form saved as it opens (tests start from these)."""
        out: Values = {}
        for spec in self.fields:
            if spec.kind == "multi":
                out[spec.name] = [] if isinstance(spec.value, str) else list(spec.value)
            elif spec.kind == "select":
                out[spec.name] = spec.value or None
            else:
                out[spec.name] = spec.value
        return out


# ------------------------------------------------------------------ labels


def team_name(state: SessionState, team_id: str) -> str:
    team = state.scenario.team_by_id.get(team_id)
    return team.name if team else team_id


CHOICE_WIDTH = 64
"""What a choice's label may take: a select box in a form on an 80-column screen
shows about this much, and cuts the rest wherever it falls."""


def choice_label(text: str, width: int = CHOICE_WIDTH) -> str:
    """``text`` in at most ``width`` characters, cut between words, with '…'."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    cut = text[: width - 1]
    space = cut.rfind(" ")
    if space >= width // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:·-") + "…"


def item_label(state: SessionState, ref: str) -> str:
    found = state.scenario.item_by_ref.get(ref)
    return choice_label(f"{ref}: {found[1].text if found else ''}")


def described(state: SessionState, inject_id: str) -> str:
    inject_state = state.injects[inject_id]
    return f"{inject_id}: {inject_state.inject.title} ({inject_state.status})"


def team_choices(state: SessionState) -> list[tuple[str, str]]:
    return [(t.name, t.id) for t in state.scenario.teams]


def objective_choices(state: SessionState) -> list[tuple[str, str]]:
    return [(choice_label(f"{o.id}: {o.text}"), o.id) for o in state.scenario.objectives]


def items_to_rate(state: SessionState, inject_id: str | None) -> list[str]:
    """The inject's expected-action items first, then the objectives', then the rest."""
    scenario = state.scenario
    ordered: list[str] = []
    inject = state.injects[inject_id].inject if inject_id in state.injects else None
    if inject is not None:
        ordered += [a.item for a in inject.expected_actions]
    for objective in scenario.objectives:
        ordered += objective.evaluated_by
    ordered += list(scenario.item_by_ref)
    return [ref for ref in dict.fromkeys(ordered) if ref in scenario.item_by_ref]


def expected_items(state: SessionState, team: str) -> list[str]:
    """The items the injects delivered to ``team`` expect of it, delivery order."""
    return expected_refs(state.scenario, team, [s.inject.id for s in state.delivered()])


def decision_inject(state: SessionState, viewing: str | None) -> str | None:
    """The inject a new decision answers: the one on screen if delivered, else the current."""
    if viewing and state.injects[viewing].status == "delivered":
        return viewing
    return state.current_inject


# ------------------------------------------------------------------ recording


def record_decision(session: Session, team: str, inject_id: str | None) -> FormSpec:
    state = session.state
    inject = state.injects[inject_id].inject if inject_id else None
    fields = [FormField("text", "Decision: what the team decided", "text", required=True)]
    intro = "No inject delivered yet."
    if inject is not None:
        intro = f"On inject {inject.id}: {inject.title}"
        if inject.decision is not None:
            decider = inject.decision.team
            who = f" (decided by {team_name(state, decider)})" if decider else ""
            intro += f"\nDecision point: {inject.decision.prompt}{who}"
            fields.append(FormField(
                "option", "Option chosen (optional)", "select",
                [(o.label, o.id) for o in inject.decision.options],
            ))
    fields.append(FormField(
        "items", "Checklist items it addresses (space to tick, optional)", "multi",
        [(item_label(state, ref), ref) for ref in items_to_rate(state, inject_id)],
    ))

    def save(v: Values) -> None:
        option = v.get("option")
        if inject is not None:
            confirm_option(session, v, inject.id, team, option)
        session.record_decision(team, v["text"], inject=inject_id, option=option,
                                items=v.get("items") or ())

    return FormSpec(f"Decision: {team_name(state, team)}", fields, save, intro)


def confirm_option(
    session: Session, values: Values, inject_id: str, team: str, option: str | None
) -> None:
    """Ask before a decision that leaves its decision point on the default, or that
    chooses a branch other than the one already played (see docs/format.md)."""
    state = session.state
    decision = state.injects[inject_id].inject.decision
    if decision is None or decision.team not in (None, team):
        return
    labels = {o.id: o.label for o in decision.options}
    if option is None:
        ask_first(values, "no-option", "decision: no option",
                  f"This team decides '{decision.prompt}', and no option is chosen: the "
                  f"branches keep following the default, '{labels[decision.default]}'.\n\n"
                  "Record it without an option? (n goes back to choose one)")
        return
    settled = state.settled_options(inject_id)
    if settled is not None and option not in settled:
        played = [i for i in state.dependents(inject_id)
                  if state.injects[i].status == "delivered"]
        ask_first(values, "branch-played", "decision: the branch already played",
                  f"'{state.injects[played[0]].inject.title}' was delivered on the branch "
                  f"of another option. The record keeps '{labels[option]}', but the "
                  "timeline does not switch: the other branch stays off it (undo that "
                  "delivery, with a reason, to switch).\n\nRecord the decision?")


def note_add(session: Session, inject_id: str | None) -> FormSpec:
    fields = [
        FormField("text", "Note", "text", required=True),
        _team_field(session, "Team (optional)"),
    ]

    def save(v: Values) -> None:
        session.record("note_added", text=v["text"], team=v["team"], inject=inject_id)

    return FormSpec("note: add", fields, save,
                    f"Attached to inject {inject_id}" if inject_id else "")


def story_clock_jump(session: Session) -> FormSpec:
    now = session.state.story_now
    fields = [FormField("to", "New story time", value=now.strftime("%Y-%m-%d %H:%M"),
                        required=True, placeholder="2026-03-15 07:00, 07:00, next 07:00, +18h"),
              REASON]

    def save(v: Values) -> str:
        current = session.state.story_now
        moment = resolve_jump(v["to"], current)
        session.record("story_clock_jumped", to=moment.isoformat(), reason=v["reason"])
        step = moment - current
        moved = format_offset(step) if step >= timedelta(0) else "-" + format_offset(-step)[1:]
        return f"Story clock now {format_story(moment)} ({moved})"

    return FormSpec(
        "story clock: jump", fields, save,
        "Move the in-story date and time (e.g. overnight). Type:\n"
        f"  2026-03-15 07:00   that date and time; no zone: the story's ({zone_label(now)})\n"
        "  07:00              the next 07:00, tomorrow's if today's has passed\n"
        "  next 07:00         the next 07:00 after now, never now itself\n"
        "  +18h  +1d6h  -2h   that far ahead or back (d, h, m: +2d, +90m)\n"
        "Only a date and time or a step back moves the clock back.",
    )


# ------------------------------------------------------------------ hot wash


def _hotwash_fields(state: SessionState, session: Session | None = None) -> list[FormField]:
    """With ``session``, a new entry's team field offers what its console records for."""
    team = (_team_field(session, "Team (optional)") if session is not None
            else FormField("team", "Team (optional)", "select", team_choices(state)))
    return [
        FormField("text", "What was observed", required=True),
        FormField("kind", "Kind", "select",
                  [("Strength", "strength"), ("Area for improvement", "improvement")],
                  value="strength", required=True),
        FormField("objective", "Objective (none = general)", "select", objective_choices(state)),
        team,
    ]


def _team_field(session: Session, label: str) -> FormField:
    """The team a new record is for. A console that records for some teams offers
    only those and starts on the team it has selected: its evaluator or scribe sits
    with that table, and an entry left on no team would be lost to the team's view."""
    state, recorder = session.state, session.recorder
    if not recorder.teams:
        return FormField("team", label, "select", team_choices(state))
    mine = [(name, team) for name, team in team_choices(state) if recorder.covers(team)]
    selected = session.selected_team
    return FormField("team", label, "select", mine,
                     value=selected if recorder.covers(selected) else mine[0][1])


def _hotwash_data(v: Values) -> dict[str, Any]:
    return {"objective": v["objective"], "kind": v["kind"], "text": v["text"],
            "team": v["team"]}


def hotwash_entry(session: Session) -> FormSpec:
    def save(v: Values) -> None:
        session.record("hotwash_entry", **_hotwash_data(v))

    return FormSpec("hot wash: strength or improvement",
                    _hotwash_fields(session.state, session), save)


def _action_fields(state: SessionState, *, new: bool = False) -> list[FormField]:
    """The improvement plan's columns (HSEEP's Appendix A), the ones a plan cannot do
    without required: what, who answers for it, and by when. A correction may leave
    the organisation empty: an action recorded before the column had none."""
    items = [(item_label(state, ref), ref) for ref in state.scenario.item_by_ref]
    return [
        FormField("action", "Corrective action", required=True),
        FormField("organisation", "Primary responsible organisation", required=new),
        FormField("poc", "Organisation point of contact (optional)"),
        FormField("start", "Start date (optional)", placeholder="YYYY-MM-DD"),
        FormField("completion", "Completion date", required=True, placeholder="YYYY-MM-DD"),
        FormField("element", "Capability element (optional)", "select",
                  [(element, element) for element in CAPABILITY_ELEMENTS]),
        FormField("capability", "Core capability (optional)"),
        FormField("item", "Checklist item (optional)", "select", items),
        FormField("observation", "Area for improvement it answers (optional)", "select",
                  [(choice_label(f"#{o.seq} {_line(o.text)}"), str(o.seq))
                   for o in reversed(state.observations.values())
                   if o.kind == "improvement" and not o.retracted][:ENTRIES_LISTED]),
    ]


def _action_data(v: Values) -> dict[str, Any]:
    observation = v.get("observation")
    return {"action": v["action"], "item": v["item"], "capability": v["capability"],
            "element": v.get("element") or "", "organisation": v["organisation"],
            "poc": v["poc"], "start": v["start"], "completion": v["completion"],
            "observation": int(observation) if observation else None}


def improvement_action(session: Session) -> FormSpec:
    def save(v: Values) -> None:
        session.record("improvement_action", **_action_data(v))

    return FormSpec("hot wash: improvement action", _action_fields(session.state, new=True),
                    save)


# ------------------------------------------------------------------ observations

YES_NO = [("No", "no"), ("Yes", "yes")]


def _observation_fields(state: SessionState, inject_id: str | None,
                        team: FormField) -> list[FormField]:
    items = [(item_label(state, ref), ref) for ref in items_to_rate(state, inject_id)]
    return [
        FormField("kind", "Kind", "select",
                  [("Strength", "strength"), ("Area for improvement", "improvement"),
                   ("Neutral", "neutral")], value="neutral", required=True),
        team,
        FormField("objective", "Objective (objective and/or item)", "select",
                  objective_choices(state)),
        FormField("item", "Checklist item (objective and/or item)", "select", items),
        FormField("text", "What was observed", "text", required=True),
        FormField("reference", "Reference: plan, policy or doctrine (area for improvement)"),
        FormField("analysis", "Analysis: the root cause (area for improvement)", "text"),
        FormField("recommendation", "Recommendation (area for improvement)"),
        FormField("not_performed", "A critical task (weight 3) not performed?", "select",
                  YES_NO, value="no", required=True),
    ]


def _observation_data(v: Values) -> dict[str, Any]:
    return {"kind": v["kind"], "team": v["team"], "objective": v["objective"],
            "item": v["item"], "text": v["text"], "reference": v["reference"],
            "analysis": v["analysis"], "recommendation": v["recommendation"],
            "not_performed": v.get("not_performed") == "yes"}


def observation_record(session: Session, inject_id: str | None) -> FormSpec:
    """An evaluator's observation, for the selected team (a console for some teams
    offers only those), attached to the inject on screen when it is delivered."""
    state = session.state
    team = _team_field(session, "Team (optional)")
    if not session.recorder.teams and session.selected_team in state.scenario.team_by_id:
        team = replace(team, value=session.selected_team)
    shown = state.injects.get(inject_id or "")
    attached = inject_id if shown is not None and shown.status == "delivered" else None

    def save(v: Values) -> None:
        session.record("observation_recorded", inject=attached, **_observation_data(v))

    return FormSpec("observation: record", _observation_fields(state, attached, team), save,
                    f"Attached to inject {attached}" if attached else "")


def _observation_label(state: SessionState) -> Callable[[ObservationState], str]:
    def label(o: ObservationState) -> str:
        team = f" · {team_name(state, o.team)}" if o.team else ""
        return f"{OBSERVATION_KIND_LABELS[o.kind]}{team}: {o.text}"

    return label


def _live_observations(session: Session) -> Iterator[ObservationState]:
    return _covered(session, session.state.live_observations())


def observation_correct(session: Session) -> FormSpec | None:
    """Starts from the observation chosen, newest first; None when none is recorded."""
    state = session.state
    team = FormField("team", "Team (optional)", "select", team_choices(state))
    return _entry_correction(
        session, "observation: correct", "observation_corrected", "observation",
        _live_observations(session), _observation_label(state), state.observation,
        _observation_fields(state, None, team), _observation_data,
        lambda o: {"kind": o.kind, "team": o.team, "objective": o.objective, "item": o.item,
                   "text": o.text, "reference": o.reference, "analysis": o.analysis,
                   "recommendation": o.recommendation,
                   "not_performed": "yes" if o.not_performed else "no"},
    )


def observation_retract(session: Session) -> FormSpec | None:
    state = session.state
    return _entry_correction(
        session, "observation: retract", "observation_retracted", "observation",
        _live_observations(session), _observation_label(state), state.observation,
    )


# ------------------------------------------------------------------ the roster


def _participant_fields(state: SessionState) -> list[FormField]:
    return [
        FormField("name", "Name", required=True),
        FormField("organisation", "Organisation"),
        FormField("nation", "Nation"),
        FormField("role", "Role", "select", [(role, role) for role in PARTICIPANT_ROLES],
                  value="player", required=True),
        FormField("team", "Team (optional)", "select", team_choices(state)),
        FormField("name_in_report", "Name them in the report?", "select", YES_NO,
                  value="no", required=True),
    ]


def _participant_data(v: Values) -> dict[str, Any]:
    return {"name": v["name"], "organisation": v["organisation"], "nation": v["nation"],
            "role": v["role"], "team": v["team"],
            "name_in_report": v.get("name_in_report") == "yes"}


def participant_add(session: Session) -> FormSpec:
    def save(v: Values) -> None:
        session.record("participant_added", **_participant_data(v))

    return FormSpec("participant: add", _participant_fields(session.state), save,
                    "Who took part. The report names only those marked to be named; "
                    "it counts the others by organisation and role.")


def _participant_label(state: SessionState) -> Callable[[ParticipantState], str]:
    def label(p: ParticipantState) -> str:
        where = ", ".join(part for part in (p.organisation,
                                            team_name(state, p.team) if p.team else "") if part)
        return f"{p.name} ({p.role}{', ' + where if where else ''})"

    return label


def _on_roster(session: Session) -> Iterator[ParticipantState]:
    return _covered(session, session.state.roster())


def participant_correct(session: Session) -> FormSpec | None:
    """Starts from the entry chosen, newest first; None when the roster is empty."""
    state = session.state
    return _entry_correction(
        session, "participant: correct", "participant_corrected", "participant",
        _on_roster(session), _participant_label(state), state.participant,
        _participant_fields(state), _participant_data,
        lambda p: {"name": p.name, "organisation": p.organisation, "nation": p.nation,
                   "role": p.role, "team": p.team,
                   "name_in_report": "yes" if p.name_in_report else "no"},
    )


def participant_remove(session: Session) -> FormSpec | None:
    state = session.state
    return _entry_correction(
        session, "participant: remove", "participant_removed", "participant",
        _on_roster(session), _participant_label(state), state.participant,
    )


def objective_rating(session: Session) -> FormSpec:
    fields = [
        FormField("objective", "Objective", "select", objective_choices(session.state),
                  required=True),
        FormField("rating", "Rating", "select",
                  [(label, key) for key, label in OBJECTIVE_RATING_LABELS.items()],
                  required=True),
        REASON,
    ]

    def save(v: Values) -> None:
        session.record("objective_rated", objective=v["objective"], rating=v["rating"],
                       reason=v["reason"])

    return FormSpec("objective: rate", fields, save)


# ------------------------------------------------------------------ the timeline


def _inject_reason(
    session: Session,
    title: str,
    inject_id: str,
    kind: str,
    extra: Sequence[FormField] = (),
    payload: Callable[[Values], dict[str, Any]] | None = None,
) -> FormSpec:
    def save(v: Values) -> None:
        data = payload(v) if payload else {}
        session.record(kind, inject=inject_id, reason=v["reason"], **data)

    return FormSpec(title, [*extra, REASON], save, described(session.state, inject_id))


def inject_skip(session: Session, inject_id: str) -> FormSpec:
    return _inject_reason(session, "inject: skip", inject_id, "inject_skipped")


def inject_hold(session: Session, inject_id: str) -> FormSpec:
    return _inject_reason(session, "inject: hold", inject_id, "inject_held")


def inject_release(session: Session, inject_id: str) -> FormSpec:
    return _inject_reason(session, "inject: release", inject_id, "inject_released")


def inject_retime(session: Session, inject_id: str) -> FormSpec:
    current = session.state.injects[inject_id].play_minute
    minute = FormField("play_minute", "Planned play minute", required=True,
                       value="" if current is None else str(current))
    return _inject_reason(session, "inject: re-time", inject_id, "inject_retimed", [minute],
                          lambda v: {"play_minute": whole_minutes(v["play_minute"])})


def whole_minutes(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"play minute must be a whole number, not {text!r}") from None
    if value < 0:
        raise ValueError("play minute cannot be negative")
    return value


def deliver_out_of_order(session: Session, inject_id: str) -> FormSpec:
    operation = DeliverOutOfOrder(session, inject_id)

    def save(v: Values) -> None:
        operation(v["reason"])

    return FormSpec("inject: deliver out of order", [REASON], save,
                    described(session.state, inject_id))


def write_unscripted(session: Session) -> FormSpec:
    fields = [
        FormField("title", "Title", required=True),
        FormField("channel", "Channel", "select", [(c, c) for c in CHANNELS],
                  value="other", required=True),
        FormField("sender", "From", required=True),
        FormField("to", "To (none ticked = all teams)", "multi", team_choices(session.state)),
        FormField("body", "Text (Markdown)", "text"),
        FormField("id", "Inject id (optional)", placeholder="e.g. u1-press-leak"),
        REASON,
    ]
    operation = WriteUnscripted(session)

    def save(v: Values) -> None:
        operation(
            {"id": v["id"] or None, "title": v["title"], "channel": v["channel"],
             "from": v["sender"], "to": v["to"] or "all", "body": v["body"]},
            v["reason"],
        )

    return FormSpec("inject: write unscripted", fields, save,
                    "Written now, delivered at once, marked unscripted.")


def delivery_undo(session: Session, inject_id: str) -> FormSpec | None:
    """None when the inject has no delivery that can be undone."""
    inject_state = session.state.injects.get(inject_id)
    delivery = inject_state.delivery if inject_state else None
    if delivery is None or delivery.undone:
        return None
    seq = delivery.seq

    def save(v: Values) -> None:
        session.record("delivery_undone", event=seq, reason=v["reason"])

    return FormSpec("delivery: undo", [REASON], save,
                    f"Undo the delivery of {described(session.state, inject_id)}. "
                    "The delivery stays in the history, marked undone.")


# ------------------------------------------------------------------ corrections


DECISIONS_LISTED = 200
"""A correction form lists the newest this many decisions; an older one is named
by its number (a list of every decision made the form slower with each one)."""
ENTRIES_LISTED = 200
"""The same for notes, hot wash entries and improvement actions."""


def _pick_fields(noun: str, choices: Sequence[tuple[str, str]], listed: int) -> list[FormField]:
    """The choice of what to correct (newest first) and, when the list is full, a
    field to name an older one by its number."""
    fields = [FormField("event", noun[0].upper() + noun[1:], "select", choices,
                        value=choices[0][1], required=True)]
    if len(choices) == listed:
        fields.append(FormField("older", f"Or an older {noun}: its number (the list holds "
                                f"the newest {listed})", placeholder="e.g. 42"))
    return fields


def _older(values: Values, noun: str) -> str:
    """The number typed in the 'older' field, without its '#'; '' when none."""
    older = str(values.get("older") or "").strip().lstrip("#")
    if older and not older.isdigit():
        raise ValueError(f"'{older[:20]}' is not a {noun} number")
    return older


def _decision_seq(state: SessionState, number: str) -> str:
    """The seq of decision #``number`` ('' for no number): decisions are named by
    their number (#1, #2 … in the order recorded), the record by seq."""
    if not number:
        return ""
    numbered = state.decision_numbered(int(number))
    if numbered is None:
        raise ValueError(f"there is no decision #{number}")
    return str(numbered.seq)


def _following(
    current: Callable[[str], Values], by_number: Callable[[str], str] = str
) -> Refill:
    """A refill that brings the values of the record chosen (or typed) into the form;
    ``by_number`` turns a typed number into the record's seq."""
    def refill(name: str, v: Values) -> Values:
        if name == "older":
            older = str(v.get("older") or "").strip().lstrip("#")
            try:
                return current(by_number(older)) if older.isdigit() else {}
            except ValueError:
                return {}
        return current(str(v.get("event"))) if name == "event" else {}

    return refill


def _starting_from(
    spec: FormSpec, current: Callable[[str], Values], by_number: Callable[[str], str] = str
) -> FormSpec:
    """``spec`` with the fields filled in from the record first listed, following the choice."""
    first = current(str(spec.fields[0].value))
    fields = [replace(f, value=first.get(f.name) or "") if f.name in first else f
              for f in spec.fields]
    return replace(spec, fields=fields, refill=_following(current, by_number))


def decision_choices(
    state: SessionState, *, live_only: bool = True, teams: Sequence[str] = ()
) -> list[tuple[str, str]]:
    """The newest decisions to pick from; only ``teams``' when given (a console that
    records for some teams corrects only theirs)."""
    # Decisions are kept in the order recorded: the newest are the last.
    newest = (
        d for d in reversed(state.decisions.values())
        if not (live_only and d.retracted) and (not teams or d.team in teams)
    )
    return [
        (choice_label(f"#{d.number} {team_name(state, d.team)}: {d.text}"), str(d.seq))
        for d in islice(newest, DECISIONS_LISTED)
    ]


def _decision_correction(
    session: Session,
    title: str,
    kind: str,
    extra: Sequence[FormField],
    payload: Callable[[Values], dict[str, Any]],
) -> FormSpec | None:
    """None when no live decision is recorded yet."""
    choices = decision_choices(session.state, teams=session.recorder.teams)
    if not choices:
        return None
    fields = [*_pick_fields("decision", choices, DECISIONS_LISTED), *extra, REASON]

    def save(v: Values) -> None:
        chosen = {**v, "event": _decision_seq(session.state, _older(v, "decision"))
                  or v["event"]}
        session.record(kind, event=int(chosen["event"]), reason=v["reason"], **payload(chosen))

    return FormSpec(title, fields, save)


def decision_retract(session: Session) -> FormSpec | None:
    return _decision_correction(session, "decision: retract", "decision_retracted", [],
                                lambda v: {})


def decision_move(session: Session) -> FormSpec | None:
    team = FormField("team", "Move to team", "select", team_choices(session.state),
                     required=True)
    return _decision_correction(session, "decision: move to team", "decision_moved", [team],
                                lambda v: {"team": v["team"]})


def decision_amend(session: Session) -> FormSpec | None:
    """Starts from the text and option of the decision chosen, and follows the choice."""
    state = session.state
    points = [s.inject for s in state.injects.values() if s.inject.decision is not None]
    option_choices = [
        (choice_label(f"{inject.id}: {o.label}"), f"{inject.id}\t{o.id}")
        for inject in points for o in inject.decision.options  # type: ignore[union-attr]
    ]
    text = FormField("text", "Decision text (as corrected)", "text", required=True)
    option = FormField("option", "Option chosen (none: no option)", "select", option_choices)

    def current(event: str) -> Values:
        try:
            old = state.decisions.get(int(event))
        except ValueError:
            return {}
        if old is None:
            return {}
        return {"text": old.text,
                "option": f"{old.inject}\t{old.option}" if old.option else None}

    def payload(v: Values) -> dict[str, Any]:
        old = state.decisions.get(int(v["event"]))
        if old is None:
            raise ValueError(f"there is no decision #{v['event']}")
        chosen = v.get("option")
        inject, _tab, picked = (chosen or "").partition("\t")
        if chosen and inject != old.inject:
            raise ValueError(
                f"that option belongs to inject '{inject}'; this decision answers "
                + (f"'{old.inject}'" if old.inject else "no inject"))
        new_option = picked or None
        if old.inject is not None and new_option != old.option:
            confirm_option(session, v, old.inject, old.team, new_option)
        return {"text": v["text"], "option": new_option, "items": list(old.items)}

    spec = _decision_correction(session, "decision: amend", "decision_amended",
                                [text, option], payload)
    return None if spec is None else _starting_from(
        spec, current, lambda number: _decision_seq(state, number))


def rating_correct(session: Session) -> FormSpec | None:
    """None when no rating is recorded yet."""
    state = session.state
    ratings = sorted((r for r in state.ratings.values() if session.recorder.covers(r.team)),
                     key=lambda r: r.seq, reverse=True)
    if not ratings:
        return None
    choices = [
        (choice_label(f"{team_name(state, r.team)} · {r.item}: "
                      f"{RATING_LABELS.get(r.rating, r.rating)}"),
         str(r.seq))
        for r in ratings
    ]
    fields = [
        FormField("event", "Rating to correct", "select", choices, value=choices[0][1],
                  required=True),
        FormField("rating", "Correct rating", "select",
                  [(RATING_LABELS[r], r) for r in RATINGS], required=True),
        FormField("note", "New note (empty keeps the note already given)"),
        REASON,
    ]

    def save(v: Values) -> None:
        # Without a note the core keeps the rating's own; "" would blank it.
        note = {"note": v["note"]} if v["note"] else {}
        session.record("rating_corrected", event=int(v["event"]), rating=v["rating"],
                       reason=v["reason"], **note)

    return FormSpec("rating: correct", fields, save)


def _line(text: str) -> str:
    return " ".join(text.split())


def _entry_correction(
    session: Session,
    title: str,
    kind: str,
    noun: str,
    newest: Iterable[R],
    label: Callable[[R], str],
    find: Callable[[int], R | None],
    extra: Sequence[FormField] = (),
    payload: Callable[[Values], dict[str, Any]] = lambda v: {},
    current: Callable[[R], Values] | None = None,
) -> FormSpec | None:
    """A form that corrects (``extra`` fields, starting from ``current``) or retracts
    one of ``newest``, or an older one by its number; None when there is none."""
    listed = list(islice(newest, ENTRIES_LISTED))
    if not listed:
        return None
    choices: list[tuple[str, str]] = [
        (choice_label(f"#{r.seq} {_line(label(r))}"), str(r.seq)) for r in listed
    ]
    fields = [*_pick_fields(noun, choices, ENTRIES_LISTED), *extra, REASON]

    def chosen(event: str) -> R | None:
        return find(int(event)) if event.isdigit() else None

    def save(v: Values) -> None:
        seq = _older(v, noun) or str(v["event"])
        if chosen(seq) is None:
            raise ValueError(f"there is no {noun} #{seq}")
        session.record(kind, event=int(seq), reason=v["reason"], **payload(v))

    spec = FormSpec(title, fields, save)
    if current is None:
        return spec
    values_of = current  # narrowed, for the closure

    def current_of(event: str) -> Values:
        record = chosen(event)
        return {} if record is None else values_of(record)

    return _starting_from(spec, current_of)


def _covered(session: Session, records: Sequence[R]) -> Iterator[R]:
    """Newest first, only those of the teams this console records for."""
    return (r for r in reversed(records) if session.recorder.covers(getattr(r, "team", None)))


def _hotwash_label(state: SessionState) -> Callable[[HotwashEntry], str]:
    def label(entry: HotwashEntry) -> str:
        team = f" · {team_name(state, entry.team)}" if entry.team else ""
        return f"{entry.kind}{team}: {entry.text}"

    return label


def hotwash_correct(session: Session) -> FormSpec | None:
    """Starts from the entry chosen, newest first; None when none is recorded."""
    state = session.state
    return _entry_correction(
        session, "hot wash: correct", "hotwash_entry_corrected", "hot wash entry",
        _covered(session, state.hotwash), _hotwash_label(state), state.hotwash_entry,
        _hotwash_fields(state), _hotwash_data,
        lambda e: {"text": e.text, "kind": e.kind, "objective": e.objective, "team": e.team},
    )


def hotwash_retract(session: Session) -> FormSpec | None:
    state = session.state
    return _entry_correction(
        session, "hot wash: retract", "hotwash_entry_retracted", "hot wash entry",
        _covered(session, state.hotwash), _hotwash_label(state), state.hotwash_entry,
    )


def _action_label(action: ImprovementAction) -> str:
    who = action.organisation or action.poc or "–"
    return f"{who}, by {action.completion or '–'}: {action.action}"


def action_correct(session: Session) -> FormSpec | None:
    """Starts from the action chosen, newest first; None when none is recorded."""
    state = session.state
    return _entry_correction(
        session, "action: correct", "improvement_action_corrected", "improvement action",
        reversed(state.actions), _action_label, state.improvement_action,
        _action_fields(state), _action_data,
        lambda a: {"action": a.action, "organisation": a.organisation, "poc": a.poc,
                   "start": a.start, "completion": a.completion, "element": a.element or None,
                   "capability": a.capability, "item": a.item,
                   "observation": str(a.observation) if a.observation is not None else None},
    )


def action_retract(session: Session) -> FormSpec | None:
    state = session.state
    return _entry_correction(
        session, "action: retract", "improvement_action_retracted", "improvement action",
        reversed(state.actions), _action_label, state.improvement_action,
    )


def _note_label(state: SessionState) -> Callable[[Note], str]:
    def label(note: Note) -> str:
        return f"{team_name(state, note.team)}: {note.text}" if note.team else note.text

    return label


def note_correct(session: Session) -> FormSpec | None:
    """Starts from the note chosen, newest first (its inject stays); None when none."""
    state = session.state
    fields = [
        FormField("text", "Note", "text", required=True),
        FormField("team", "Team (optional)", "select", team_choices(state)),
    ]
    return _entry_correction(
        session, "note: correct", "note_corrected", "note",
        _covered(session, state.notes), _note_label(state), state.note, fields,
        lambda v: {"text": v["text"], "team": v["team"]},
        lambda n: {"text": n.text, "team": n.team},
    )


def note_retract(session: Session) -> FormSpec | None:
    state = session.state
    return _entry_correction(
        session, "note: retract", "note_retracted", "note",
        _covered(session, state.notes), _note_label(state), state.note,
    )


# ------------------------------------------------------------------ the file


def save_a_copy(session: Session) -> FormSpec:
    """Everything the console holds, to a new file: the way out when the session
    file was removed or replaced under it."""
    from tabletop.session.importing import save_copy

    current = Path(session.location)  # the file the user opened
    suggested = current.with_name(f"{current.stem}-copy{current.suffix or '.db'}")
    fields = [FormField("path", "New session file", required=True, value=str(suggested))]

    def save(v: Values) -> str:
        copy = save_copy(session, Path(v["path"]).expanduser())
        return (
            f"Saved a copy with {copy.events} events: {copy.path}. To go on recording "
            f"there, quit (q) and run: tabletop run {copy.exercise_id} --session {copy.path}"
        )

    return FormSpec("session: save a copy", fields, save,
                    "A new session file with every event recorded so far. It must not exist yet.")
