"""Report model -> an editable Word document (DOCX), for the after-action meeting.

Built with python-docx from the typed model, not converted from the HTML, so
the document has what an editor expects: the built-in heading styles (the
navigation pane and a table of contents work), real tables whose header rows
repeat on every page and whose rows do not split, the marking in the header of
every page and "Page N of M" in the footer.

Each section of the report is one small function in :data:`SECTIONS`, taking a
:class:`Writer`; a new section is a new function in that list. Appendices take
their letter from :meth:`Writer.appendix`, in the order they are written.

What ``--templates DIR`` does for DOCX (both files optional):

* ``report.docx``: the base document. Its styles, page setup, headers and
  footers (a logo, say) are kept and its body is replaced by the report; the
  marking is added at the top of each header and the page numbers at the end
  of each footer. Styles the report needs and the base lacks are added.
* ``docx-headings.yaml``: the headings, column headings and labels, by key, to
  translate or rename them. The bundled ``templates/docx-headings.yaml`` lists
  every key with its English text; a file may give only some of them.

Both are read as data, never run; a link in the folder that points outside it
is refused, as the HTML and Markdown templates' loader refuses one.

Every text goes through :func:`xml_text` first: XML 1.0 cannot hold most C0
controls, lone surrogates or U+FFFE/U+FFFF (lxml refuses them), so they become
U+FFFD; bidi embeddings and overrides left open are closed at the end of their
text, so that a decision's text cannot reverse what follows it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import io
import os
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml
from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.section import Section
from docx.shared import Cm, Emu, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph

from tabletop import __version__
from tabletop.core.files import TooLarge, read_bounded, reason
from tabletop.report.model import (
    ChecklistRow,
    Contact,
    DecisionRow,
    Finding,
    ItemRow,
    ObjectiveSection,
    Overview,
    Report,
    TimelineRow,
)

BASE_NAME = "report.docx"
HEADINGS_NAME = "docx-headings.yaml"
BASE_LIMIT = 20 * 1024 * 1024
"""Bytes a base document may have, packed."""
BASE_UNPACKED_LIMIT = 100 * 1024 * 1024
"""Bytes its parts may have, unpacked (a zip of zeros must not fill memory)."""
HEADINGS_LIMIT = 256 * 1024

IMPROVEMENT_PLAN_COLUMNS = (
    "Core Capability",
    "Issue/Area for Improvement",
    "Corrective Action",
    "Capability Element",
    "Primary Responsible Organization",
    "Organization POC",
    "Start Date",
    "Completion Date",
)
"""The HSEEP Improvement Plan's columns, in its order."""
RATING_CODES = ("P", "S", "M", "U")
"""Table 1's rating columns, in HSEEP's order."""

LABELS: dict[str, str] = {
    # cover
    "subtitle": "After-Action Report/Improvement Plan",
    "draft": "DRAFT: the exercise has not been ended (no ENDEX recorded). "
             "Figures may still change.",
    "handling": "Handling Instructions",
    "handling_default": "The title of this document is {title}. It is marked {marking}; "
                        "handle it as that marking requires.",
    "cover_poc": "Point of contact",
    # page furniture
    "page": "Page",
    "page_of": "of",
    # Exercise Overview
    "overview": "Exercise Overview",
    "exercise_name": "Exercise Name",
    "exercise_dates": "Exercise Dates",
    "story_dates": "Story: {start} to {end}; play time {played} against {planned} planned",
    "exercise_type": "Exercise Type",
    "scope": "Scope",
    "mission_areas": "Mission Area(s)",
    "core_capabilities": "Core Capabilities",
    "capabilities_from": "From",
    "objectives": "Objectives",
    "threat_or_hazard": "Threat or Hazard",
    "location": "Location",
    "scenario": "Scenario",
    "sponsor": "Sponsor",
    "participating": "Participating Organizations",
    "no_roster_short": "No roster recorded (Appendix B)",
    "point_of_contact": "Point of Contact",
    "teams": "Teams",
    "team": "Team",
    "role": "Role",
    "scenario_actors": "Scenario actors",
    "scenario_actors_note": "The organisations of the story. They are part of the scenario, "
                            "not the organisations that took part (Appendix B lists those).",
    "organisation": "Organisation",
    "part_in_story": "Part in the story",
    "phases": "Phases",
    "phase": "Phase",
    "planned": "Planned",
    "none_recorded": "None recorded",
    # Executive Summary
    "summary": "Executive Summary",
    "in_numbers": "The session in numbers",
    "injects_planned": "Scripted injects planned",
    "injects_accounted": "Delivered / branch not taken / skipped / not reached",
    "unscripted": "Unscripted injects added",
    "held_undone": "Put on hold / deliveries undone",
    "decisions_retracted": "Decisions (retracted)",
    "ratings_observations": "Item ratings / observations",
    "coverage": "Coverage of expected items",
    "corrections_count": "Corrections",
    "notes_hotwash_actions": "Notes / hot wash entries / actions",
    # Analysis of Core Capabilities
    "analysis": "Analysis of Core Capabilities",
    "analysis_intro": "Each objective was evaluated against the core capability it exercises, "
                      "from the ratings of the checklist items that the delivered injects "
                      "expected of the teams the objective concerns, and from evaluators' "
                      "observations. Table 1 summarises the ratings; the definitions follow it.",
    "summary_table": "Table 1. Summary of core capability performance",
    "objective": "Objective",
    "core_capability": "Core Capability",
    "no_objectives": "No objectives.",
    "rating_definitions": "Ratings definitions",
    "none_named": "None named",
    "provisional": "provisional",
    "provisional_note": "* Provisional: the rating rests on checklist ratings, without an "
                        "observation or the facilitator's confirmation behind it, or on part "
                        "of what was expected; the after-action meeting confirms it.",
    "override_tag": "facilitator override",
    "missing": "Missing for a rating",
    "override_text": "The ratings alone give {computed}; reason for the override: {reason}.",
    "rated": "Rated",
    "of": "of",
    "expected_items": "expected items",
    "score": "Checklist score",
    "not_rated": "not rated",
    "strengths": "Strengths",
    "strength": "Strength",
    "from_ratings": "From the checklist ratings",
    "improvements": "Areas for Improvement",
    "improvement": "Area for Improvement",
    "reference": "Reference",
    "root_cause": "Analysis",
    "recommendation": "Recommendation",
    "action_one": "Corrective action in Appendix A",
    "action_many": "Corrective actions in Appendix A",
    "other": "Other observations",
    "general": "Observations not tied to an objective",
    # Checklist Scores
    "scores": "Checklist Scores",
    "scores_intro": "Met scores 1, partially met 0.5, not met 0, weighted by item weight "
                    "(3 critical, 2 important, 1 good practice); items not applicable are left "
                    "out. Only rated items are listed; coverage is the rated share of each "
                    "checklist's applicable weight for the team.",
    "checklist_coverage": "coverage {coverage}, {rated} of {applicable} weight rated",
    "item_not_rated": "{count} item not rated",
    "items_not_rated": "{count} items not rated",
    "item": "Item",
    "weight": "Weight",
    "rating": "Rating",
    "evidence": "Evidence (decisions)",
    "first_rated": "first rated",
    "not_rated_for": "Not rated for {team}",
    # Appendix A
    "appendix": "Appendix",
    "improvement_plan": "Improvement Plan",
    "ip_intro": "The corrective actions the exercise produced, for the organisations to track "
                "to completion.",
    **{f"ip_{n}": text for n, text in enumerate(IMPROVEMENT_PLAN_COLUMNS, 1)},
    # Appendix B
    "participants": "Exercise Participants",
    "took_part_one": "{count} person took part",
    "took_part_many": "{count} people took part",
    "unnamed_one": "; {count} of them is counted but not named in this report",
    "unnamed_many": "; {count} of them are counted but not named in this report",
    "participating_organisation": "Participating organization",
    "people": "People",
    "name": "Name",
    "organization": "Organization",
    "nation": "Nation",
    "no_roster": "No roster was recorded. Record who took part in the console or with "
                 "tabletop import-roster.",
    # Appendices C-I
    "appendices": "Appendices",
    "record": "The Record",
    "record_intro": "What the room decided and was given, as recorded, with every correction.",
    "decision_log": "Decision log",
    "decision_log_intro": "Every decision recorded, in order. Retracted decisions count for "
                          "nothing; corrected ones show their revisions.",
    "decision": "Decision",
    "inject": "Inject",
    "story_play": "Story time / play",
    "play": "play",
    "event": "event",
    "retracted": "retracted",
    "corrected": "corrected",
    "timeline": "Delivery timeline",
    "to": "To",
    "status": "Status",
    "story_plan_actual": "Story time plan / actual",
    "play_plan_actual": "Play min. plan / actual",
    "first_decision": "First decision (story / play delay)",
    "no_decision": "no decision",
    "unscripted_tag": "unscripted",
    "decision_count_one": "{count} decision",
    "decision_count_many": "{count} decisions",
    "notes": "Facilitator notes",
    "note": "Note",
    "about": "About",
    "story_time": "Story time",
    "checklists": "Checklist definitions",
    "source": "Source",
    "behaviour": "Behaviour",
    "capability": "Capability",
    "corrections": "Corrections",
    "corrects": "Corrects",
    "what_changed": "What changed",
    "recorded": "Recorded",
    "history": "Session history",
    "history_left_out": "Left out of this editable document: the HTML, PDF and JSON reports "
                        "list every event of the session in order.",
    "handouts": "Handouts",
    "handouts_intro": "The files the delivered injects handed out, copied into the handouts "
                      "folder beside this report.",
    "file": "File",
    "kind": "Kind",
    "handed_out_with": "Handed out with",
    "not_copied": "Not copied",
    "colophon": "Generated {generated} by tabletop {version} from session {session} "
                "(exercise {exercise}, file SHA-256 {sha256}).",
}
"""Every heading and label of the document, by key: what docx-headings.yaml translates."""


class DocxError(Exception):
    """The document could not be made (a bad base document or headings file);
    str() is a one-line message."""


# ------------------------------------------------------------------ safe text

# What XML 1.0 cannot hold: C0 controls but tab, newline and carriage return,
# lone surrogates (bytes that were not UTF-8), and the two non-characters.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_OPENERS = {"\u202a": "\u202c", "\u202b": "\u202c", "\u202d": "\u202c", "\u202e": "\u202c",
            "\u2066": "\u2069", "\u2067": "\u2069", "\u2068": "\u2069"}
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def xml_text(value: object) -> str:
    """``value`` as text that a Word document can hold and that cannot reorder the
    text around it (see the module's docstring)."""
    text = "" if value is None else str(value)
    text = _NOT_XML.sub("\ufffd", text)
    if _BIDI_CONTROLS.search(text):
        open_: list[str] = []
        for char in _BIDI_CONTROLS.findall(text):
            if char in _OPENERS:
                open_.append(_OPENERS[char])
            elif open_ and open_[-1] == char:
                open_.pop()
        text += "".join(reversed(open_))
    return text


# --------------------------------------------------------------- the writer


@dataclasses.dataclass
class Writer:
    """The document being written, with the helpers every section uses."""

    doc: DocumentObject
    report: Report
    labels: dict[str, str]
    appendices: int = 0
    style_ids: dict[str, str] = dataclasses.field(default_factory=dict)
    """Style name -> id: python-docx's own lookup walks every style each time."""

    def label(self, key: str) -> str:
        return self.labels[key]

    def fill(self, key: str, **values: object) -> str:
        """A label with its ``{placeholders}`` filled in; a translation that names
        a placeholder it does not have is shown as written, never an error."""
        try:
            return self.labels[key].format(**values)
        except (KeyError, IndexError, ValueError, AttributeError):
            return self.labels[key]

    def heading(self, text: str, level: int = 1, *, new_page: bool = False) -> None:
        """A Word heading; ``new_page`` starts it on a page of its own, as the HTML's
        major sections are printed."""
        paragraph = self.para(text, style=f"Heading {level}")
        if new_page:
            paragraph.paragraph_format.page_break_before = True

    def _style_id(self, name: str) -> str:
        if name not in self.style_ids:
            self.style_ids[name] = self.doc.styles[name].style_id
        return self.style_ids[name]

    def appendix(self, key: str, level: int = 1) -> None:
        """An appendix heading, lettered in the order written: 'Appendix A: ...'."""
        letter = chr(ord("A") + self.appendices)
        self.appendices += 1
        self.heading(f"{self.label('appendix')} {letter}: {self.label(key)}", level)

    def para(self, text: str = "", *, style: str | None = None, bold: bool = False,
             italic: bool = False, size: float | None = None) -> Paragraph:
        paragraph = self.doc.add_paragraph()
        if style is not None:
            paragraph._p.style = self._style_id(style)
        if text:
            run = paragraph.add_run(xml_text(text))
            run.bold = bold or None
            run.italic = italic or None
            if size:
                run.font.size = Pt(size)
        return paragraph

    def rich(self, parts: Sequence[tuple[str, bool]], *, indent: bool = False,
             size: float | None = None) -> Paragraph:
        """One paragraph of runs, each (text, bold): 'Strength 1: ' in bold, then the text."""
        paragraph = self.doc.add_paragraph()
        if indent:
            paragraph.paragraph_format.left_indent = Cm(0.6)
        for text, bold in parts:
            if text:
                run = paragraph.add_run(xml_text(text))
                run.bold = bold or None
                if size:
                    run.font.size = Pt(size)
        return paragraph

    def bullets(self, texts: Iterable[str]) -> None:
        for text in texts:
            self.para(text, style="List Bullet")

    def none_recorded(self) -> None:
        self.para(self.label("none_recorded") + ".", italic=True)

    def table(self, headers: Sequence[str], rows: Iterable[Sequence[object]],
              widths: Sequence[float] | None = None, *, size: float = 9,
              centred: Sequence[int] = ()) -> None:
        """A table whose first row is a header repeated on every page; no row splits.
        The columns numbered in ``centred`` (from 0) are centred, headers included."""
        table = self.doc.add_table(rows=1, cols=len(headers))
        table.style = self.doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        _repeat_and_keep(table.rows[0]._tr, header=True)
        for cell, header in zip(table.rows[0].cells, headers, strict=True):
            _fill(cell.paragraphs[0], header, size=size, bold=True)
            _shade(cell._tc, "D9E2F3")
        for values in rows:
            row = table.add_row()
            _repeat_and_keep(row._tr, header=False)
            for cell, value in zip(row.cells, values, strict=True):
                _fill(cell.paragraphs[0], value, size=size)
        for column in centred:
            for cell in table.columns[column].cells:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        if widths:
            self._widths(table, widths)
        self.doc.add_paragraph()

    def facts(self, pairs: Iterable[tuple[str, object]]) -> None:
        """A two-column table of label and value, without a header row."""
        pairs = [(k, v) for k, v in pairs if v not in ("", None, [])]
        if not pairs:
            return
        table = self.doc.add_table(rows=0, cols=2)
        table.style = self.doc.styles["Table Grid"]
        for key, value in pairs:
            row = table.add_row()
            _repeat_and_keep(row._tr, header=False)
            _fill(row.cells[0].paragraphs[0], key, bold=True, size=10)
            _shade(row.cells[0]._tc, "F2F2F2")
            _fill(row.cells[1].paragraphs[0], value, size=10)
        self._widths(table, [5, 11])
        self.doc.add_paragraph()

    def _widths(self, table: Table, shares: Sequence[float]) -> None:
        """Column widths in proportion to ``shares``, filling the page between its margins
        (whatever the base document's page size and orientation)."""
        section = self.doc.sections[-1]
        usable = (section.page_width or Cm(21)) - (section.left_margin or 0) - (
            section.right_margin or 0)
        total = sum(shares)
        widths = [Emu(int(usable * share / total)) for share in shares]
        table.autofit = False
        for column, width in zip(table.columns, widths, strict=True):
            column.width = width
        for row in table.rows:
            for cell, width in zip(row.cells, widths, strict=True):
                cell.width = width


def _fill(paragraph: Paragraph, value: object, *, size: float, bold: bool = False) -> None:
    """A cell's text; a list is one line per entry (python-docx makes a newline a break),
    each made safe on its own, so that bidi controls left open in one line are closed
    before the next."""
    lines = list(value) if isinstance(value, list | tuple) else [value]
    run = paragraph.add_run("\n".join(xml_text(line) for line in lines))
    run.font.size = Pt(size)
    run.bold = bold or None


def _repeat_and_keep(tr: Any, *, header: bool) -> None:
    tr_pr = tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:cantSplit"))
    if header:
        tr_pr.append(OxmlElement("w:tblHeader"))


def _shade(tc: Any, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    tc.get_or_add_tcPr().append(shading)


def _field(paragraph: Paragraph, instruction: str, placeholder: str, *, size: float) -> None:
    """A Word field (PAGE, NUMPAGES) that the word processor fills in."""
    def run_with(child: Any) -> None:
        run = OxmlElement("w:r")
        properties = OxmlElement("w:rPr")
        half_points = OxmlElement("w:sz")
        half_points.set(qn("w:val"), str(int(size * 2)))
        properties.append(half_points)
        run.append(properties)
        run.append(child)
        paragraph._p.append(run)

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run_with(begin)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run_with(instr)
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    run_with(separate)
    text = OxmlElement("w:t")
    text.text = placeholder
    run_with(text)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


# ---------------------------------------------------------------- sections


def _marking(report: Report) -> str:
    meta = report.meta
    return meta.marking + (" · DRAFT" if meta.draft else "")


def _contact(contact: Contact) -> list[str]:
    """A point of contact's filled-in fields, in the template's order."""
    return [part for part in (contact.name, contact.title, contact.organisation,
                              contact.email, contact.phone) if part]


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.0f}%"


def _real_dates(o: Overview) -> str:
    if o.real_end and o.real_end != o.real_start:
        return f"{o.real_start_text} to {o.real_end_text}"
    return o.real_start_text


def cover(w: Writer) -> None:
    r = w.report
    mark = w.para(_marking(r), bold=True, size=12)
    mark.alignment = WD_ALIGN_PARAGRAPH.CENTER
    w.para()
    w.para(r.meta.title, style="Title")
    w.para(w.label("subtitle"), style="Subtitle")
    w.para(_real_dates(r.overview))
    if r.meta.draft:
        w.para(w.label("draft"), bold=True)
    if r.appendices.unreadable:
        kinds = sorted({h.kind for h in r.appendices.unreadable})
        w.para(f"{len(r.appendices.unreadable)} event(s) in this session were written by a "
               f"newer version of tabletop and are not counted in this report (kinds: "
               f"{', '.join(kinds)}).", bold=True)
    for conflict in r.branch_conflicts:
        w.para(f'Both branches of the decision point "{conflict.decision}" were delivered '
               f"({', '.join(conflict.played)}): the timeline shows what the room was given.",
               bold=True)
    w.heading(w.label("handling"))
    w.para(r.handling_instructions
           or w.fill("handling_default", title=r.meta.title, marking=r.meta.marking))
    if r.point_of_contact:
        w.heading(w.label("cover_poc"), 2)
        for contact in r.point_of_contact:
            w.para("\n".join(_contact(contact)))


def overview(w: Writer) -> None:
    o = w.report.overview
    none = w.label("none_recorded")
    w.heading(w.label("overview"), new_page=True)
    story = w.fill("story_dates", start=o.story_start_text, end=o.story_end_text,
                   played=o.actual_play, planned=o.planned_play)
    capabilities = ", ".join(o.capabilities) or none
    if o.frameworks:
        capabilities += f"\n{w.label('capabilities_from')}: {'; '.join(o.frameworks)}"
    w.facts([
        (w.label("exercise_name"), o.title),
        (w.label("exercise_dates"), [_real_dates(o), story]),
        (w.label("exercise_type"), o.exercise_type),
        (w.label("scope"), o.scope or none),
        (w.label("mission_areas"), ", ".join(o.mission_areas) or none),
        (w.label("core_capabilities"), capabilities),
        (w.label("objectives"), [f"{n}. {obj.text}" for n, obj in enumerate(o.objectives, 1)]),
        (w.label("threat_or_hazard"), o.threat_or_hazard or none),
        (w.label("location"), o.location or none),
        (w.label("scenario"), o.summary),
        (w.label("sponsor"), o.sponsor or none),
        (w.label("participating"), ", ".join(o.participating) or w.label("no_roster_short")),
        (w.label("point_of_contact"),
         [", ".join(_contact(c)) for c in o.points_of_contact] or none),
    ])
    w.heading(w.label("teams"), 2)
    w.table([w.label("team"), w.label("role")], [(t.name, t.role) for t in o.teams], [5, 11])
    if o.organisations:
        w.heading(w.label("scenario_actors"), 2)
        w.para(w.label("scenario_actors_note"), italic=True, size=9)
        w.table([w.label("organisation"), w.label("part_in_story")],
                [(org.name, org.role) for org in o.organisations], [6, 10])
    w.heading(w.label("phases"), 2)
    w.table([w.label("phase"), w.label("planned")], [(p.name, p.role) for p in o.phases], [11, 5])


def summary(w: Writer) -> None:
    r = w.report
    w.heading(w.label("summary"), new_page=True)
    for paragraph in r.summary.paragraphs:
        w.para(paragraph)
    c = r.summary.counts
    w.para(w.label("in_numbers"), italic=True, size=9)
    w.facts([
        (w.label("injects_planned"), c.injects_planned),
        (w.label("injects_accounted"), f"{c.injects_delivered - c.unscripted} / "
                                       f"{c.branch_not_taken} / {c.skipped} / {c.not_reached}"),
        (w.label("unscripted"), c.unscripted),
        (w.label("held_undone"), f"{c.ever_held} / {c.undone}"),
        (w.label("decisions_retracted"), f"{c.decisions} ({c.retracted})"),
        (w.label("ratings_observations"), f"{c.ratings} / {c.observations}"),
        (w.label("coverage"), _pct(r.summary.coverage)),
        (w.label("corrections_count"), c.corrections),
        (w.label("notes_hotwash_actions"), f"{c.notes} / {c.hotwash} / {c.actions}"),
    ])


def _said(w: Writer, f: Finding) -> str:
    """A finding's text with who and where it comes from: 'Ops: … (hot wash, D+1 06:30)'."""
    text = f"{f.team}: {f.text}" if f.team else f.text
    text += f" ({f.source}{', ' + f.when if f.when else ''})"
    return text + (f" [{w.label('corrected')}]" if f.corrected else "")


def _rated_line(w: Writer, findings: list[Finding]) -> None:
    """Findings drawn from checklist ratings, in one line as the HTML has them: the
    numbered entries are what evaluators observed and the hot wash said."""
    rated = [f for f in findings if f.rating]
    if rated:
        said = "; ".join(f"{f.text} ({f.source}: {f.team})" for f in rated)
        w.rich([(f"{w.label('from_ratings')}: ", True), (said, False)], size=9)


def _strengths(w: Writer, findings: list[Finding]) -> None:
    w.heading(w.label("strengths"), 3)
    if not findings:
        w.none_recorded()
    observed = [f for f in findings if not f.rating]
    for n, f in enumerate(observed, 1):
        w.rich([(f"{w.label('strength')} {n}: ", True), (_said(w, f), False)])
    _rated_line(w, findings)


def _improvements(w: Writer, findings: list[Finding]) -> None:
    w.heading(w.label("improvements"), 3)
    if not findings:
        w.none_recorded()
    observed = [f for f in findings if not f.rating]
    for n, f in enumerate(observed, 1):
        w.rich([(f"{w.label('improvement')} {n}: ", True), (_said(w, f), False)])
        for key, text in (("reference", f.reference), ("root_cause", f.analysis),
                          ("recommendation", f.recommendation)):
            if text:
                w.rich([(f"{w.label(key)}: ", True), (text, False)], indent=True)
        if f.actions:
            key = "action_one" if len(f.actions) == 1 else "action_many"
            w.rich([(f"{w.label(key)}: {', '.join(f'#{n}' for n in f.actions)}", False)],
                   indent=True, size=9)
    _rated_line(w, findings)


def analysis(w: Writer) -> None:
    r = w.report
    w.heading(w.label("analysis"), new_page=True)
    w.para(w.label("analysis_intro"))
    w.para(w.label("summary_table"), bold=True, size=9)
    if r.capability_summary:
        w.table([w.label("objective"), w.label("core_capability"), *RATING_CODES],
                [(row.objective, row.capability or "–",
                  *((code + ("*" if row.provisional else "")) if row.rating == code else ""
                    for code in RATING_CODES))
                 for row in r.capability_summary],
                [7.4, 4.6, 1, 1, 1, 1], centred=(2, 3, 4, 5))
        if any(row.provisional for row in r.capability_summary):
            w.para(w.label("provisional_note"), italic=True, size=9)
    else:
        w.para(w.label("no_objectives"), italic=True)
    if r.rating_definitions:
        w.para(w.label("rating_definitions"), bold=True, size=9)
        w.facts([(f"{d.label} ({d.code})", d.definition) for d in r.rating_definitions])
    for obj in r.objectives:
        _objective(w, obj)
    if not r.objectives:
        w.none_recorded()
    if r.general_strengths or r.general_improvements:
        w.heading(w.label("general"), 2)
        _strengths(w, r.general_strengths)
        _improvements(w, r.general_improvements)


def _objective(w: Writer, obj: ObjectiveSection) -> None:
    w.heading(f"{w.label('objective')} {obj.number}: {obj.text}", 2)
    about = [(f"{w.label('core_capability')}: ", True),
             (obj.capability or w.label("none_named"), False)]
    if obj.teams:
        about += [(" · ", False), (f"{w.label('teams')}: ", True), (", ".join(obj.teams), False)]
    w.rich(about)
    tag = "override_tag" if obj.overridden else "provisional" if obj.provisional else ""
    w.rich([(obj.rating_text, True), (f" ({w.label(tag)})" if tag else "", False)])
    why = [obj.basis] if obj.basis else []
    if obj.gap_text:
        why.append(f"{w.label('missing')}: {obj.gap_text}.")
    if obj.overridden:
        why.append(w.fill("override_text", computed=obj.computed_text,
                          reason=obj.override_reason))
    if why:
        w.para(" ".join(why), size=9)
    if sum(t.expected for t in obj.coverage_by_team):
        rated = "; ".join(f"{t.team} {t.rated} {w.label('of')} {t.expected}"
                          for t in obj.coverage_by_team)
        w.para(f"{w.label('rated')}: {rated} {w.label('expected_items')}. "
               f"{w.label('score')} {_pct(obj.score) or w.label('not_rated')}.",
               italic=True, size=9)
    _strengths(w, obj.strengths)
    _improvements(w, obj.improvements)
    if obj.other:
        w.heading(w.label("other"), 3)
        w.bullets(_said(w, f) for f in obj.other)


def _checklist_heading(w: Writer, cl: ChecklistRow) -> str:
    detail = w.fill("checklist_coverage", coverage=cl.coverage_text, rated=cl.rated_weight,
                    applicable=cl.applicable_weight)
    if cl.unrated_items:
        key = "item_not_rated" if cl.unrated_items == 1 else "items_not_rated"
        detail += "; " + w.fill(key, count=cl.unrated_items)
    return f"{cl.title}: {cl.score_text} ({detail})"


def _item_rating(w: Writer, i: ItemRow) -> list[str]:
    lines = [i.rating_text + (f" [{w.label('corrected')}]" if i.corrected else "")]
    if i.corrected and i.corrected_from:
        lines.append(f"{w.label('first_rated')} {i.corrected_from}")
    if i.note:
        lines.append(i.note)
    return lines


def scores(w: Writer) -> None:
    """Per team, the checklists someone rated (rated items only); the rest in one line."""
    w.heading(w.label("scores"), new_page=True)
    w.para(w.label("scores_intro"), italic=True, size=9)
    shown = [team for team in w.report.scores if team.checklists or team.unrated]
    if not shown:
        w.none_recorded()
    for team in shown:
        w.heading(team.name, 2)
        for cl in team.checklists:
            w.heading(_checklist_heading(w, cl), 3)
            w.table(
                [w.label("item"), w.label("weight"), w.label("rating"), w.label("evidence")],
                [([i.text, f"{i.ref} · {i.capability}"], i.weight, _item_rating(w, i),
                  [f"#{e.number} {e.text}" + (f" ({e.inject})" if e.inject else "")
                   for e in i.evidence] or w.label("none_recorded"))
                 for i in cl.items],
                [7, 1.6, 3, 5.4], size=8)
        if team.unrated:
            w.para(f"{w.fill('not_rated_for', team=team.name)}: {', '.join(team.unrated)}.",
                   italic=True, size=9)


def improvement_plan(w: Writer) -> None:
    """Appendix A, on landscape pages: its eight columns do not fit portrait."""
    section = w.doc.add_section(WD_SECTION.NEW_PAGE)
    _orient(section, landscape=True)
    w.appendix("improvement_plan")
    w.para(w.label("ip_intro"), italic=True, size=9)
    headers = [w.label(f"ip_{n}") for n in range(1, len(IMPROVEMENT_PLAN_COLUMNS) + 1)]
    rows = [(a.capability, [a.issue, a.item] if a.item else a.issue,
             f"{a.number}. {a.action}" + (f" [{w.label('corrected')}]" if a.corrected else ""),
             a.element, a.organisation, a.poc, a.start, a.completion)
            for a in w.report.improvement_plan]
    if rows:
        w.table(headers, rows, [3.2, 4.4, 5.3, 2.4, 3.2, 2.8, 2, 2.2], size=8)
    else:
        w.none_recorded()
    section = w.doc.add_section(WD_SECTION.NEW_PAGE)
    _orient(section, landscape=False)


def _orient(section: Section, *, landscape: bool) -> None:
    width, height = section.page_width, section.page_height
    if width is None or height is None:
        return
    if landscape != (width > height):
        section.page_width, section.page_height = height, width
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT


def participants(w: Writer) -> None:
    """Appendix B: who took part, by organisation and by role; names only of the
    people marked 'name in report' (the model holds no other names)."""
    w.appendix("participants")  # the portrait section after Appendix A starts its page
    pp = w.report.participants
    if not pp.total:
        w.para(w.label("no_roster"), italic=True)
        return
    took_part = w.fill("took_part_one" if pp.total == 1 else "took_part_many", count=pp.total)
    if pp.unnamed:
        took_part += w.fill("unnamed_one" if pp.unnamed == 1 else "unnamed_many",
                            count=pp.unnamed)
    w.para(took_part + ".")
    w.table([w.label("participating_organisation"), w.label("people")],
            [(row.label, row.count) for row in pp.organisations], [12, 4])
    w.table([w.label("role"), w.label("people")],
            [(row.label, row.count) for row in pp.roles], [12, 4])
    if pp.named:
        w.table([w.label("name"), w.label("organization"), w.label("nation"), w.label("role"),
                 w.label("team")],
                [(p.name, p.organisation, p.nation, p.role, p.team) for p in pp.named],
                [4, 4, 2.5, 2.5, 3], size=8)


def record(w: Writer) -> None:
    """The heading over Appendices C to the last: the record the template has no place for."""
    # C to H always (decision log, timeline, notes, checklists, corrections, history),
    # I when there are handouts
    first = ord("A") + w.appendices
    last = first + 5 + (1 if w.report.handouts else 0)
    w.heading(f"{w.label('appendices')} {chr(first)}–{chr(last)}: {w.label('record')}",
              new_page=True)
    w.para(w.label("record_intro"), italic=True, size=9)


def _decision(w: Writer, d: DecisionRow) -> list[str]:
    text = d.text + (f" [{d.option}]" if d.option else "")
    if d.retracted:
        text += f" [{w.label('retracted')}]"
    elif d.corrected:
        text += f" [{w.label('corrected')}]"
    lines = [text]
    if d.items:
        lines.append(", ".join(d.items))
    if d.corrected:
        lines.append("; ".join(
            f"{w.label('event')} {rev.seq} {rev.kind.replace('decision_', '')}"
            + (f": {rev.reason}" if rev.reason else "") for rev in d.revisions[1:]))
    return lines


def decision_log(w: Writer) -> None:
    w.appendix("decision_log", 2)
    rows = [(d.number, d.team_name, d.inject_title or "–", _decision(w, d),
             [d.story, f"{w.label('play')} {d.play}"])
            for d in w.report.appendices.decisions]
    if rows:
        w.para(w.label("decision_log_intro"), italic=True, size=9)
        w.table(["#", w.label("team"), w.label("inject"), w.label("decision"),
                 w.label("story_play")], rows, [0.8, 3, 3.2, 6.6, 2.4], size=8)
    else:
        w.none_recorded()


def _minute(value: float | None) -> str:
    return "–" if value is None else f"{value:g}"


def _responses(w: Writer, t: TimelineRow) -> list[str]:
    lines = [f"{resp.team_name}: "
             + (w.label("no_decision") if resp.decision is None
                else f"{resp.story_delay} / {resp.play_delay}") for resp in t.responses]
    if t.decisions:
        key = "decision_count_one" if len(t.decisions) == 1 else "decision_count_many"
        lines.append(w.fill(key, count=len(t.decisions)))
    return lines


def timeline(w: Writer) -> None:
    w.appendix("timeline", 2)
    rows = [([t.title + (f" [{w.label('unscripted_tag')}]" if t.unscripted else ""),
              f"{t.phase} · {t.channel} · {t.sender}"],
             t.to, [t.status_text, t.reason] if t.reason else t.status_text,
             f"{t.planned_story_text} / {t.actual_story_text or '–'}",
             f"{_minute(t.planned_minute)} / {_minute(t.actual_minute)}",
             _responses(w, t))
            for t in w.report.timeline]
    if rows:
        w.table([w.label("inject"), w.label("to"), w.label("status"),
                 w.label("story_plan_actual"), w.label("play_plan_actual"),
                 w.label("first_decision")], rows, [4, 3, 2.2, 2.2, 1.4, 3.6], size=8)
    else:
        w.none_recorded()


def notes(w: Writer) -> None:
    w.appendix("notes", 2)
    rows = [(n.seq, n.text + (f" [{w.label('corrected')}]" if n.corrected else ""),
             " · ".join(p for p in (n.team, n.inject) if p), n.story)
            for n in w.report.appendices.notes]
    if rows:
        w.table(["#", w.label("note"), w.label("about"), w.label("story_time")],
                rows, [1, 9, 3.5, 2.5], size=8)
    else:
        w.none_recorded()


def checklist_definitions(w: Writer) -> None:
    w.appendix("checklists", 2)
    if not w.report.appendices.checklists:
        w.none_recorded()
    for cl in w.report.appendices.checklists:
        w.heading(f"{cl.title} ({cl.id})", 3)
        if cl.description:
            w.para(cl.description, size=9)
        w.para(f"{w.label('source')}: {cl.source}", italic=True, size=9)
        w.table([w.label("item"), w.label("behaviour"), w.label("weight"), w.label("capability")],
                [(i.id, i.text, i.weight, i.capability) for i in cl.items],
                [3, 8, 1.5, 3.5], size=8)


def corrections(w: Writer) -> None:
    w.appendix("corrections", 2)
    rows = [(h.seq, "–" if h.target is None else h.target, h.summary, h.when)
            for h in w.report.appendices.corrections]
    if rows:
        w.table(["#", w.label("corrects"), w.label("what_changed"), w.label("recorded")],
                rows, [1.2, 1.8, 10, 3], size=8)
    else:
        w.none_recorded()


def history(w: Writer) -> None:
    """Appendix H keeps its letter, so the appendices are lettered as in the HTML and
    PDF; the event-by-event history is not worth editing at the after-action meeting."""
    w.appendix("history", 2)
    w.para(w.label("history_left_out"), italic=True, size=9)


def handouts(w: Writer) -> None:
    if not w.report.handouts:
        return
    w.appendix("handouts", 2)
    w.para(w.label("handouts_intro"), italic=True, size=9)
    w.table([w.label("file"), w.label("kind"), w.label("handed_out_with")],
            [([h.name, f"{w.label('not_copied')}: {h.note}"] if h.note else h.name, h.kind,
              ", ".join(h.injects)) for h in w.report.handouts], [6, 2, 8], size=8)


def colophon(w: Writer) -> None:
    m = w.report.meta
    w.para(w.fill("colophon", generated=m.generated, version=m.tabletop_version,
                  session=m.session_file, exercise=m.exercise_id,
                  sha256=m.scenario_sha256 or "unknown"), italic=True, size=8)


SECTIONS: tuple[Callable[[Writer], None], ...] = (
    cover,
    overview,
    summary,
    analysis,
    scores,
    improvement_plan,  # Appendix A
    participants,  # Appendix B
    record,
    decision_log,  # Appendix C
    timeline,
    notes,
    checklist_definitions,
    corrections,
    history,
    handouts,  # Appendix I, when there are any
    colophon,
)
"""The document, in order: each function writes one section. The HTML template
(templates/report.html) has the same sections, headings and appendix letters."""

# ------------------------------------------------------- the whole document


def render_docx(report: Report, templates: Path | None = None) -> bytes:
    """The report as a Word document; ``templates`` as the module docstring says."""
    labels = load_labels(templates)
    doc = base_document(templates)
    _ensure_styles(doc)
    _page_furniture(doc, report, labels)
    writer = Writer(doc, report, labels)
    for section in SECTIONS:
        section(writer)
    _properties(doc, report)
    out = io.BytesIO()
    doc.save(out)
    return _reproducible(out.getvalue(), _generated(report))


def _contained(templates: Path, name: str) -> Path | None:
    """``templates/name`` when it exists; refused when it leads out of the folder."""
    path = templates / name
    if not os.path.lexists(path):
        return None
    real = Path(os.path.realpath(path))
    if not real.is_relative_to(Path(os.path.realpath(templates))):
        raise DocxError(f"{name} is a link to a file outside the folder; refusing to read it")
    return path


def _read(path: Path, limit: int) -> bytes:
    try:
        return read_bounded(path, limit)
    except TooLarge:
        raise DocxError(f"{path.name}: larger than {limit // 1024} KiB; refusing to read it")\
            from None
    except OSError as error:
        raise DocxError(f"{path.name}: cannot read it: {reason(error)}") from None


def load_labels(templates: Path | None) -> dict[str, str]:
    """The default labels, with those of the folder's docx-headings.yaml over them."""
    labels = dict(LABELS)
    path = None if templates is None else _contained(templates, HEADINGS_NAME)
    if path is None:
        return labels
    text = _read(path, HEADINGS_LIMIT).decode("utf-8", errors="replace")
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"{HEADINGS_NAME}:{mark.line + 1}:{mark.column + 1}" if mark else HEADINGS_NAME
        raise DocxError(f"{where}: not valid YAML: {error.problem or error.context}") from None
    except yaml.YAMLError as error:
        raise DocxError(f"{HEADINGS_NAME}: not valid YAML: {error}") from None
    if node is None:
        return labels
    if not isinstance(node, yaml.MappingNode):
        raise DocxError(_at(node, "", "expected a mapping of heading keys to texts"))
    for key_node, value_node in node.value:
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
        if not isinstance(key, str) or key not in LABELS:
            near = difflib.get_close_matches(str(key), LABELS, n=1)
            hint = f"; did you mean '{near[0]}'?" if near else ""
            raise DocxError(_at(key_node, str(key), f"no such heading{hint}"))
        if not isinstance(value_node, yaml.ScalarNode):
            raise DocxError(_at(value_node, key, "expected a text"))
        value = str(value_node.value).strip()
        if not value:
            raise DocxError(_at(value_node, key, "empty; leave the key out to keep the default"))
        labels[key] = value
    return labels


def _at(node: yaml.Node, key: str, message: str) -> str:
    mark = node.start_mark
    where = f"{HEADINGS_NAME}:{mark.line + 1}:{mark.column + 1}"
    return f"{where}: {key + ': ' if key else ''}{message}"


def base_document(templates: Path | None) -> DocumentObject:
    """python-docx's blank document, or the folder's report.docx with its body emptied."""
    path = None if templates is None else _contained(templates, BASE_NAME)
    if path is None:
        doc = Document()  # US Letter: made A4, the page the exercise world prints on
        section = doc.sections[0]
        section.page_width, section.page_height = Cm(21), Cm(29.7)
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, Cm(2))
        section.header_distance = section.footer_distance = Cm(1)
        return doc
    data = _read(path, BASE_LIMIT)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            if sum(info.file_size for info in package.infolist()) > BASE_UNPACKED_LIMIT:
                raise DocxError(f"{BASE_NAME}: unpacks to more than "
                                f"{BASE_UNPACKED_LIMIT // 2**20} MiB; refusing to read it")
        doc = Document(io.BytesIO(data))
    except DocxError:
        raise
    except (zipfile.BadZipFile, PackageNotFoundError):
        raise DocxError(f"{BASE_NAME}: not a Word document (.docx)") from None
    except (KeyError, ValueError, SyntaxError, NotImplementedError, zipfile.LargeZipFile,
            EOFError) as error:
        detail = " ".join(str(error).split())[:120]
        raise DocxError(f"{BASE_NAME}: not a Word document python-docx can read ({detail})")\
            from None
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    return doc


def _ensure_styles(doc: DocumentObject) -> None:
    """The styles the report uses, added when a base document lacks them."""
    styles = doc.styles
    for name, level, size in (("Title", None, 26), ("Subtitle", None, 15),
                              ("Heading 1", 0, 16), ("Heading 2", 1, 13),
                              ("Heading 3", 2, 11)):
        if name in styles:
            continue
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles["Normal"]
        style.font.size = Pt(size)
        style.font.bold = level is not None
        style.font.color.rgb = RGBColor(0x1F, 0x4E, 0x79)
        style.paragraph_format.keep_with_next = True
        style.paragraph_format.space_before = Pt(12)
        if level is not None:
            outline = OxmlElement("w:outlineLvl")
            outline.set(qn("w:val"), str(level))
            style.element.get_or_add_pPr().append(outline)
    if "List Bullet" not in styles:
        style = styles.add_style("List Bullet", WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles["Normal"]
        style.paragraph_format.left_indent = Cm(0.6)
        style.paragraph_format.first_line_indent = Cm(-0.4)
    if "Table Grid" not in styles:
        style = styles.add_style("Table Grid", WD_STYLE_TYPE.TABLE)
        borders = OxmlElement("w:tblBorders")
        for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
            line = OxmlElement(f"w:{edge}")
            for attr, value in (("val", "single"), ("sz", "4"), ("space", "0"),
                                ("color", "auto")):
                line.set(qn(f"w:{attr}"), value)
            borders.append(line)
        tbl_pr = OxmlElement("w:tblPr")
        tbl_pr.append(borders)
        style.element.append(tbl_pr)


def _page_furniture(doc: DocumentObject, report: Report, labels: dict[str, str]) -> None:
    """The marking at the top of every page's header, 'Page N of M' in the footer.

    Later sections (the landscape Improvement Plan) link to these, so every
    page has them."""
    section = doc.sections[-1]
    headers = [section.header]
    footers = [section.footer]
    if section.different_first_page_header_footer:
        headers.append(section.first_page_header)
        footers.append(section.first_page_footer)
    if doc.settings.odd_and_even_pages_header_footer:
        headers.append(section.even_page_header)
        footers.append(section.even_page_footer)
    for header in headers:
        header.is_linked_to_previous = False
        first = header.paragraphs[0]
        mark = first if not first.text and len(header.paragraphs) == 1 else \
            first.insert_paragraph_before()
        mark.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = mark.add_run(xml_text(_marking(report)))
        run.bold = True
        run.font.size = Pt(9)
        run.font.color.rgb = RGBColor(0x8B, 0x00, 0x00)
    for footer in footers:
        footer.is_linked_to_previous = False
        last = footer.paragraphs[-1]
        line = last if not last.text and len(footer.paragraphs) == 1 else footer.add_paragraph()
        line.alignment = WD_ALIGN_PARAGRAPH.CENTER
        line.add_run(xml_text(f"{_marking(report)} · {labels['page']} ")).font.size = Pt(8)
        _field(line, "PAGE", "1", size=8)
        line.add_run(xml_text(f" {labels['page_of']} ")).font.size = Pt(8)
        _field(line, "NUMPAGES", "1", size=8)


def _generated(report: Report) -> dt.datetime:
    try:
        when = dt.datetime.strptime(report.meta.generated, "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        when = dt.datetime(1980, 1, 1)
    return max(when, dt.datetime(1980, 1, 1)).replace(tzinfo=dt.UTC)


def _properties(doc: DocumentObject, report: Report) -> None:
    props = doc.core_properties
    props.title = xml_text(f"{report.meta.title}: After-Action Report")[:255]
    props.subject = "After-Action Report / Improvement Plan"
    props.author = "tabletop"
    props.last_modified_by = f"tabletop {__version__}"
    props.comments = ""
    props.keywords = xml_text(report.meta.marking)[:255]
    props.revision = 1
    props.created = props.modified = _generated(report)


def _reproducible(data: bytes, when: dt.datetime) -> bytes:
    """The same package with every member dated ``when``: the same report, the same bytes."""
    stamp = when.timetuple()[:6]
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=stamp)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            target.writestr(member, source.read(info))
    return out.getvalue()
