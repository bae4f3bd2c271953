"""Session -> report model. Everything is derived from the session state in linear time."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import TYPE_CHECKING

from tabletop import __version__
from tabletop.core.attachments import handed_out, handout_names, kind_of
from tabletop.core.scenario import Objective, Scenario
from tabletop.core.timefmt import format_duration
from tabletop.core.vocabulary import (
    DEFAULT_FRAMEWORK,
    OBJECTIVE_RATING_LABELS,
    RATING_DEFINITIONS,
    RATING_LABELS,
)
from tabletop.report.history import history_row
from tabletop.report.model import (
    NOT_RATED,
    ActionRow,
    Appendices,
    BranchConflict,
    CapabilityRow,
    ChecklistDef,
    ChecklistItemDef,
    ChecklistRow,
    Contact,
    CountRow,
    Counts,
    DecisionRow,
    Evidence,
    Finding,
    Handout,
    ItemRow,
    NamedRole,
    NoteRow,
    ObjectiveRef,
    ObjectiveSection,
    Overview,
    ParticipantRow,
    Participants,
    RatingDefinition,
    Report,
    ReportMeta,
    Revision,
    TeamCoverage,
    TeamResponse,
    TeamScores,
    TimelineRow,
)
from tabletop.report.scoring import ItemScore, Scores, score_session
from tabletop.report.summary import write_summary
from tabletop.report.timetext import (
    generated_at,
    signed_duration,
    signed_offset,
    story_iso,
    story_short,
    story_text,
    wall_iso,
    wall_text,
)
from tabletop.session.events import CORRECTION_KINDS, InjectHeld
from tabletop.session.state import (
    DecisionState,
    HotwashEntry,
    InjectState,
    ObservationState,
    SessionState,
    StateNames,
)

if TYPE_CHECKING:
    from tabletop.session.session import Session

STATUS_TEXT = {
    "pending": "Not delivered",
    "held": "Held",
    "delivered": "Delivered",
    "skipped": "Skipped",
    "skipped-branch": "Not played (branch not taken)",
    "undone": "Delivery undone",
}

EXERCISE_TYPES = {
    "tabletop": "Tabletop exercise (TTX)",
    "seminar": "Seminar",
    "workshop": "Workshop",
    "game": "Game",
    "drill": "Drill",
    "functional": "Functional exercise (FE)",
    "full-scale": "Full-scale exercise (FSE)",
}


def build_report_model(session: Session, *, generated: datetime | None = None) -> Report:
    """The report for a session (opened read-only or not); see :func:`build_from_state`."""
    meta = session.meta
    return build_from_state(
        session.state,
        session_file=session.store.name,
        scenario_sha256=meta.scenario_sha256,
        format_version=meta.format_version,
        generated=generated,
    )


def build_from_state(
    state: SessionState,
    *,
    session_file: str,
    scenario_sha256: str = "",
    format_version: int = 1,
    generated: datetime | None = None,
) -> Report:
    return _Builder(state).report(
        ReportMeta(
            title=state.scenario.title,
            marking=state.scenario.marking,
            draft=not state.ended,
            generated=(generated or generated_at()).strftime("%Y-%m-%dT%H:%M:%SZ"),
            tabletop_version=__version__,
            session_file=session_file,
            exercise_id=state.scenario.id,
            scenario_sha256=scenario_sha256,
            format_version=format_version,
        )
    )


def _pct(value: float | None) -> str:
    return NOT_RATED if value is None else f"{value * 100:.0f}%"


class _Builder:
    def __init__(self, state: SessionState) -> None:
        self.state = state
        self.scenario: Scenario = state.scenario
        self.scores: Scores = score_session(state)
        self.team_names = {t.id: t.name for t in self.scenario.teams}
        self.titles = {i: s.inject.title for i, s in state.injects.items()}
        self.item_order = {ref: n for n, ref in enumerate(self.scenario.item_by_ref)}
        self.names = StateNames(state)
        self.earlier_undo: dict[str, str] = {}
        """Inject id -> why an earlier delivery of it was taken back."""
        for delivery in state.deliveries():
            if delivery.undone:
                self.earlier_undo[delivery.inject] = delivery.undo_reason
        self.live_observations = state.live_observations()
        self.action_numbers: dict[int, int] = {
            a.seq: n for n, a in enumerate(state.actions, start=1)
        }
        """Action seq -> its number in the Improvement Plan."""
        self.answered_by: dict[int, list[int]] = defaultdict(list)
        """Observation seq -> numbers of the actions that answer it."""
        for action in state.actions:
            if action.observation is not None:
                self.answered_by[action.observation].append(self.action_numbers[action.seq])
        self.live_by_inject: dict[str, list[DecisionState]] = defaultdict(list)
        for seq in sorted(state.decisions):
            decision = state.decisions[seq]
            if not decision.retracted and decision.inject is not None:
                self.live_by_inject[decision.inject].append(decision)

    def team(self, team_id: str | None) -> str:
        return "" if team_id is None else self.team_names.get(team_id, team_id)

    # ------------------------------------------------------------- sections

    def report(self, meta: ReportMeta) -> Report:
        overview = self.overview()
        counts = self.counts()
        summary = write_summary(self.scenario, overview, counts, self.scores, meta.draft)
        objectives = self.objectives()
        return Report(
            meta=meta,
            overview=overview,
            summary=summary,
            timeline=self.timeline(),
            objectives=objectives,
            general_strengths=self.general_findings("strength"),
            general_improvements=self.general_findings("improvement"),
            scores=self.team_scores(),
            improvement_plan=self.improvement_plan(),
            appendices=self.appendices(),
            branch_conflicts=[
                BranchConflict(self.titles[source], [self.titles[i] for i in played])
                for source, played in self.state.branch_conflicts()
            ],
            handouts=self.handouts(),
            handling_instructions=self.scenario.handling_instructions,
            point_of_contact=overview.points_of_contact,
            participants=self.participants(),
            rating_definitions=[
                RatingDefinition(code, OBJECTIVE_RATING_LABELS[code].split(": ", 1)[1], text)
                for code, text in RATING_DEFINITIONS.items()
            ],
            capability_summary=[
                CapabilityRow(f"{o.number}. {o.text}", o.id, o.capability, o.rating,
                              o.overridden, o.provisional)
                for o in objectives
            ],
            observations=[self._observation_finding(o) for o in self.live_observations],
        )

    def handouts(self) -> list[Handout]:
        """Each participant attachment of the delivered injects once, with the injects
        that handed it out; facilitator-only files are never among them."""
        given: dict[str, dict[str, str]] = {}  # path -> inject id -> title
        for inject_state in self.state.delivered():
            inject = inject_state.inject
            for path in handed_out(inject):
                given.setdefault(path, {})[inject.id] = inject.title
        names = handout_names(given)
        return [Handout(names[path], path, kind_of(path), list(by.values()))
                for path, by in given.items()]

    def overview(self) -> Overview:
        s = self.scenario
        history = self.state.history
        first = history[0].wall if history else None
        last = self.state.last_activity()
        return Overview(
            title=s.title,
            exercise_id=s.id,
            summary=s.summary,
            scope=s.scope,
            sponsor=s.sponsor,
            organisations=[NamedRole("", o.name, o.role) for o in s.organisations],
            objectives=[ObjectiveRef(o.id, o.text, o.capability) for o in s.objectives],
            teams=[NamedRole(t.id, t.name, t.role) for t in s.teams],
            phases=[NamedRole(p.id, p.title, p.duration) for p in s.phases],
            story_start=story_iso(s.story_start_at),
            story_start_text=story_text(s.story_start_at),
            story_end=story_iso(self.state.story_now),
            story_end_text=story_text(self.state.story_now),
            real_start=None if first is None else wall_iso(first),
            real_start_text="Not started" if first is None else wall_text(first),
            real_end=None if last is None else wall_iso(last),
            real_end_text="Not started" if last is None else wall_text(last),
            planned_play=format_duration(s.planned_duration.total_seconds()),
            planned_minutes=s.planned_duration.total_seconds() / 60,
            actual_play=format_duration(self.state.play_seconds(last) if last else 0.0),
            exercise_type=EXERCISE_TYPES.get(s.exercise_type, s.exercise_type),
            mission_areas=list(s.mission_areas),
            location=s.location,
            threat_or_hazard=s.threat_or_hazard,
            capabilities=[self._tagged(c) for c in
                          dict.fromkeys(o.capability for o in s.objectives if o.capability)],
            frameworks=[f"{f.title} ({f.source})" if f.source else f.title for f in s.frameworks],
            participating=list(dict.fromkeys(
                f"{p.organisation} ({p.nation})" if p.nation else p.organisation
                for p in self.state.roster() if p.organisation
            )),
            points_of_contact=[
                Contact(c.name, c.title, c.organisation, c.email, c.phone)
                for c in s.points_of_contact
            ],
        )

    def _tagged(self, capability: str) -> str:
        """A capability named with its framework, unless that is the default (FEMA's
        core capabilities): a reviewer must not take a project's list for FEMA's."""
        found = self.scenario.capability_by_name.get(capability)
        if found is None or found.framework == DEFAULT_FRAMEWORK:
            return capability
        titles = {f.id: f.title for f in self.scenario.frameworks}
        return f"{capability} [{titles.get(found.framework, found.framework)}]"

    def participants(self) -> Participants:
        people = self.state.roster()
        organisations: dict[str, int] = {}
        roles: dict[str, int] = {}
        for person in people:
            where = person.organisation or "Organisation not recorded"
            if person.nation:
                where += f" ({person.nation})"
            organisations[where] = organisations.get(where, 0) + 1
            roles[person.role] = roles.get(person.role, 0) + 1
        named = [
            ParticipantRow(p.name, p.organisation, p.nation, p.role.capitalize(), self.team(p.team))
            for p in people if p.name_in_report
        ]
        return Participants(
            total=len(people),
            organisations=[CountRow(k, v) for k, v in organisations.items()],
            roles=[CountRow(k.capitalize() + ("s" if v != 1 else ""), v)
                   for k, v in roles.items()],
            named=named,
            unnamed=len(people) - len(named),
        )

    def counts(self) -> Counts:
        state = self.state
        status = {i.inject.id: self._status(i) for i in state.injects.values()}
        statuses = list(status.values())
        ever_held = {e.payload.inject for e in state.history if isinstance(e.payload, InjectHeld)}
        return Counts(
            injects_planned=len(self.scenario.injects),
            injects_delivered=len(state.delivered()),
            unscripted=sum(1 for i in state.delivered() if i.unscripted),
            skipped=statuses.count("skipped"),
            branch_not_taken=statuses.count("skipped-branch"),
            held=statuses.count("held"),
            undone=sum(1 for d in state.deliveries() if d.undone),
            decisions=sum(1 for d in state.decisions.values() if not d.retracted),
            retracted=sum(1 for d in state.decisions.values() if d.retracted),
            corrections=sum(1 for e in state.history if e.kind in CORRECTION_KINDS),
            ratings=len(state.ratings),
            notes=len(state.notes),
            hotwash=len(state.hotwash),
            actions=len(state.actions),
            not_reached=sum(
                1 for i in state.injects.values()
                if status[i.inject.id] in ("pending", "held", "undone") and not i.unscripted
            ),
            ever_held=len(ever_held),
            observations=len(self.live_observations),
            participants=len(self.state.roster()),
        )

    def _status(self, inject: InjectState) -> str:
        """The state's status, except that a delivery taken back shows as undone, and
        that a branch of a decision point the room never reached was not reached,
        not 'not taken': nobody decided anything there."""
        undone = inject.delivery is not None and inject.delivery.undone
        if undone and (inject.status == "pending" or inject.unscripted):
            return "undone"
        condition = inject.inject.when
        if inject.status == "skipped-branch" and condition is not None:
            source = self.state.injects.get(condition.inject)
            if source is None or source.status != "delivered":
                return "pending"
        return inject.status

    def timeline(self) -> list[TimelineRow]:
        rows = []
        for inject_id in self.state.order:
            inject_state = self.state.injects.get(inject_id)
            if inject_state is not None:
                rows.append(self._timeline_row(inject_state))
        return rows

    def _timeline_row(self, inject_state: InjectState) -> TimelineRow:
        inject = inject_state.inject
        status = self._status(inject_state)
        delivery = inject_state.delivery if status == "delivered" else None
        reason = {
            "skipped": inject_state.skip_reason,
            "held": inject_state.hold_reason,
            "undone": inject_state.delivery.undo_reason if inject_state.delivery else "",
        }.get(status, "")
        if not reason and status == "delivered" and inject.id in self.earlier_undo:
            reason = f"An earlier delivery was undone: {self.earlier_undo[inject.id]}"
        if not reason and inject_state.retime_reason:
            reason = f"Re-timed: {inject_state.retime_reason}"
        planned = self.scenario.story_time_of(inject)
        responses = []
        if delivery is not None:
            for t in self.scores.timeliness_by_inject.get(inject.id, ()):
                responses.append(
                    TeamResponse(
                        team=t.team,
                        team_name=self.team(t.team),
                        decision=t.decision,
                        story_delay="" if t.story is None else signed_offset(t.story),
                        wall_delay=""
                        if t.wall_seconds is None
                        else signed_duration(t.wall_seconds),
                        play_delay=""
                        if t.play_seconds is None
                        else signed_duration(t.play_seconds),
                    )
                )
        return TimelineRow(
            inject=inject.id,
            title=inject.title,
            phase=inject.phase,
            channel=inject.channel,
            sender=inject.sender,
            to=["All teams"] if inject.to == "all" and len(self.scenario.teams) > 1
            else [self.team(t) for t in self.scenario.audience(inject)],
            status=status,
            status_text=STATUS_TEXT.get(status, status),
            unscripted=inject_state.unscripted,
            reason=reason,
            planned_story=story_iso(planned),
            planned_story_text=story_short(planned),
            actual_story=None if delivery is None else story_iso(delivery.story_time),
            actual_story_text="" if delivery is None else story_short(delivery.story_time),
            planned_minute=inject_state.play_minute,
            actual_minute=None if delivery is None else round(delivery.play_seconds / 60, 1),
            decisions=[d.seq for d in self.live_by_inject.get(inject.id, ())],
            responses=responses,
        )

    # ----------------------------------------------------------- objectives

    def _rating_findings(self, items: tuple[ItemScore, ...], ratings: set[str]) -> list[Finding]:
        """One finding per item and rating, naming every team that earned it (item order)."""
        grouped: dict[tuple[str, str], list[ItemScore]] = {}
        for item in sorted(items, key=lambda i: self.item_order.get(i.ref, 0)):
            if item.rating is not None and item.rating in ratings:
                grouped.setdefault((item.ref, item.rating), []).append(item)
        findings = []
        for (ref, rating), same in grouped.items():
            found = self.scenario.item_by_ref.get(ref)
            text = found[1].text if found else ref
            notes = [(self.team(i.team), i.note) for i in same if i.note]
            if len(same) == 1 and notes:
                text += f" Evaluator: {notes[0][1]}"
            elif notes:
                text += " Evaluator notes: " + "; ".join(f"{t}: {n}" for t, n in notes)
            findings.append(
                Finding(
                    text=text,
                    source=RATING_LABELS.get(rating, rating),
                    team=", ".join(self.team(i.team) for i in same),
                    item=ref,
                    rating=rating,
                )
            )
        return findings

    def objectives(self) -> list[ObjectiveSection]:
        hotwash: dict[str, list[HotwashEntry]] = defaultdict(list)
        for entry in self.state.hotwash:
            if entry.objective is not None:
                hotwash[entry.objective].append(entry)
        sections = []
        texts = {o.id: o for o in self.scenario.objectives}
        for number, scored in enumerate(self.scores.objectives, start=1):
            objective = texts[scored.objective]
            entries = hotwash.get(objective.id, [])
            observed = self._observations_of(objective)
            strengths = [self._observation_finding(o) for o in observed if o.kind == "strength"]
            improvements = [
                self._observation_finding(o) for o in observed if o.kind == "improvement"
            ]
            strengths += [self._hotwash_finding(e) for e in entries if e.kind == "strength"]
            improvements += [self._hotwash_finding(e) for e in entries if e.kind != "strength"]
            strengths += self._rating_findings(scored.items, {"met"})
            improvements += self._rating_findings(scored.items, {"not_met", "partial"})
            override = scored.override
            sections.append(
                ObjectiveSection(
                    id=objective.id,
                    text=objective.text,
                    capability=objective.capability,
                    rating=scored.rating,
                    rating_text=OBJECTIVE_RATING_LABELS.get(scored.rating or "", NOT_RATED),
                    computed_text=OBJECTIVE_RATING_LABELS.get(scored.computed or "", NOT_RATED),
                    overridden=override is not None,
                    override_reason="" if override is None else override.reason,
                    score=scored.tally.score,
                    coverage=scored.tally.coverage,
                    items=list(dict.fromkeys(objective.evaluated_by)),
                    strengths=strengths,
                    improvements=improvements,
                    number=number,
                    teams=[self.team(c.team) for c in scored.coverage_by_team],
                    provisional=scored.provisional and override is None,
                    basis=scored.basis,
                    gap_text=scored.gap_text,
                    coverage_by_team=[
                        TeamCoverage(self.team(c.team), c.rated, c.expected)
                        for c in scored.coverage_by_team
                    ],
                    other=[self._observation_finding(o) for o in observed
                           if o.kind not in ("strength", "improvement")],
                )
            )
        return sections

    def _observations_of(self, objective: Objective) -> list[ObservationState]:
        """The live observations about an objective (see :meth:`Objective.concerns`)."""
        return [o for o in self.live_observations if objective.concerns(o.objective, o.item)]

    def _capability_of(self, o: ObservationState) -> str:
        """The core capability an observation speaks to: its objective's, else that of
        the first objective its item evaluates, else the item's own."""
        for objective in self.scenario.objectives:
            if objective.capability and objective.concerns(o.objective, o.item):
                return objective.capability
        found = self.scenario.item_by_ref.get(o.item) if o.item else None
        return found[1].capability if found else ""

    def _observation_finding(self, o: ObservationState) -> Finding:
        kind = {"strength": "strength", "improvement": "area for improvement"}.get(
            o.kind, "observation"
        )
        if o.not_performed:
            kind += "; critical task not performed"
        return Finding(
            text=o.text,
            source=f"observation #{o.number}, {kind}",
            team=self.team(o.team),
            item=o.item or "",
            seq=o.seq,
            corrected=o.corrected,
            reference=o.reference,
            analysis=o.analysis,
            recommendation=o.recommendation,
            actions=self.answered_by.get(o.seq, []),
            when=story_short(o.story_time),
        )

    def _hotwash_finding(self, entry: HotwashEntry) -> Finding:
        return Finding(entry.text, "hot wash", self.team(entry.team), "", seq=entry.seq,
                       corrected=self._corrected(entry.seq))

    def _corrected(self, seq: int) -> bool:
        """Whether a live note, hot wash entry or action was corrected (a retracted one
        is in no list, so whatever corrects it here corrected it)."""
        return seq in self.state.corrections

    def general_findings(self, kind: str) -> list[Finding]:
        """Hot wash entries not tied to a (known) objective."""
        known = {o.id for o in self.scenario.objectives}
        return [
            self._hotwash_finding(e)
            for e in self.state.hotwash
            if e.kind == kind and e.objective not in known
        ]

    # --------------------------------------------------------------- scores

    def _evidence(self, seqs: tuple[int, ...]) -> list[Evidence]:
        out = []
        for seq in seqs:
            decision = self.state.decisions[seq]
            title = "" if decision.inject is None else self.titles.get(decision.inject, "")
            out.append(Evidence(seq, decision.text, title, decision.number))
        return out

    def team_scores(self) -> list[TeamScores]:
        """Per team, the checklists with a rating and only their rated items; the rest
        fold into one line each (a table of 'Not rated' tells a sponsor nothing)."""
        titles = {c.id: c.title for c in self.scenario.checklists}
        by_team: dict[str, list[ChecklistRow]] = defaultdict(list)
        unrated: dict[str, list[str]] = defaultdict(list)
        for scored in self.scores.checklists:
            title = titles.get(scored.checklist, scored.checklist)
            rated = [item for item in scored.items if item.rating is not None]
            if not rated:
                unrated[scored.team].append(title)
                continue
            by_team[scored.team].append(
                ChecklistRow(
                    team=scored.team,
                    team_name=self.team(scored.team),
                    checklist=scored.checklist,
                    title=title,
                    score=scored.score,
                    score_text=_pct(scored.score),
                    coverage=scored.coverage,
                    coverage_text=f"{scored.coverage * 100:.0f}%",
                    rated_weight=scored.tally.rated_weight,
                    applicable_weight=scored.tally.applicable_weight,
                    items=[self._item_row(item) for item in rated],
                    unrated_items=len(scored.items) - len(rated),
                )
            )
        return [TeamScores(t.id, t.name, by_team[t.id], unrated[t.id])
                for t in self.scenario.teams]

    def _item_row(self, item: ItemScore) -> ItemRow:
        found = self.scenario.item_by_ref.get(item.ref)
        return ItemRow(
            ref=item.ref,
            text=found[1].text if found else item.ref,
            weight=item.weight,
            capability=found[1].capability if found else "",
            rating=item.rating,
            rating_text=RATING_LABELS.get(item.rating or "", NOT_RATED),
            note=item.note,
            corrected=item.corrected,
            corrected_from=RATING_LABELS.get(item.original_rating or "", ""),
            evidence=self._evidence(item.evidence),
        )

    def improvement_plan(self) -> list[ActionRow]:
        observations = self.state.observations
        rows = []
        for action in self.state.actions:
            found = self.scenario.item_by_ref.get(action.item) if action.item else None
            answered = observations.get(action.observation) if action.observation else None
            if answered is not None and answered.retracted:
                answered = None
            # The plan is by core capability: the one the issue is reported under.
            capability = action.capability or (
                self._capability_of(answered) if answered is not None else ""
            ) or (found[1].capability if found else "")
            issue = answered.text if answered is not None else (found[1].text if found else "")
            rows.append(
                ActionRow(
                    seq=action.seq,
                    action=action.action,
                    capability=capability,
                    item="" if answered is not None else (action.item or ""),
                    item_text=found[1].text if found else "",
                    owner=action.poc,
                    due=action.completion,
                    corrected=self._corrected(action.seq),
                    number=self.action_numbers[action.seq],
                    issue=issue,
                    element=action.element,
                    organisation=action.organisation,
                    poc=action.poc,
                    start=action.start,
                    completion=action.completion,
                )
            )
        return rows

    # ----------------------------------------------------------- appendices

    def _decision_row(self, d: DecisionState) -> DecisionRow:
        option = ""
        inject = self.state.injects.get(d.inject) if d.inject else None
        if d.option and inject is not None and inject.inject.decision is not None:
            labels = {o.id: o.label for o in inject.inject.decision.options}
            option = labels.get(d.option, d.option)
        elif d.option:
            option = d.option
        return DecisionRow(
            seq=d.seq,
            team=d.team,
            team_name=self.team(d.team),
            inject=d.inject or "",
            inject_title="" if d.inject is None else self.titles.get(d.inject, d.inject),
            text=d.text,
            option=option,
            items=list(d.items),
            when=wall_text(d.wall),
            play=format_duration(d.play_seconds),
            story=story_short(d.story_time),
            retracted=d.retracted,
            corrected=d.corrected,
            revisions=[Revision(r.seq, r.kind, wall_text(r.wall), r.reason) for r in d.revisions],
            number=d.number,
        )

    def _items_used(self) -> set[str]:
        """The items an objective is evaluated by or someone rated: what the report's
        ratings rest on (a checklist has more, and a library inject may name others)."""
        refs = {ref for o in self.scenario.objectives for ref in o.evaluated_by}
        return refs | {ref for _team, ref in self.state.ratings}

    def appendices(self) -> Appendices:
        state = self.state
        used = self._items_used()
        history = [history_row(e, self.names) for e in state.history]
        return Appendices(
            decisions=[self._decision_row(state.decisions[s]) for s in sorted(state.decisions)],
            notes=[
                NoteRow(
                    seq=n.seq,
                    text=n.text,
                    team=self.team(n.team),
                    inject="" if n.inject is None else self.titles.get(n.inject, n.inject),
                    when=wall_text(n.wall),
                    story=story_short(n.story_time),
                    corrected=self._corrected(n.seq),
                )
                for n in state.notes
            ],
            checklists=[
                ChecklistDef(
                    c.id,
                    c.title,
                    c.source,
                    c.description,
                    [ChecklistItemDef(i.id, i.text, i.weight, i.capability) for i in c.items
                     if f"{c.id}/{i.id}" in used],
                )
                for c in self.scenario.checklists if c.id in {ref.split("/")[0] for ref in used}
            ],
            corrections=[h for h in history if h.kind in CORRECTION_KINDS],
            unreadable=[history_row(e, self.names) for e in state.unreadable],
            history=history,
        )
