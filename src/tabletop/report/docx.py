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
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.section import Section
from docx.shared import Cm, Emu, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph

from tabletop import __version__
from tabletop.core.files import TooLarge, read_bounded, reason
from tabletop.core.vocabulary import OBJECTIVE_RATING_LABELS
from tabletop.report.model import NOT_RATED, Finding, Report

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

LABELS: dict[str, str] = {
    # cover
    "subtitle": "After-Action Report / Improvement Plan",
    "draft": "DRAFT: the exercise has not been ended (no ENDEX recorded). "
             "Figures may still change.",
    "exercise_dates": "Exercise dates (story)",
    "conducted": "Conducted (real time)",
    "handling": "Handling instructions",
    "marking": "Marking",
    "point_of_contact": "Point of contact",
    # page furniture
    "page": "Page",
    "page_of": "of",
    # Exercise Overview
    "overview": "Exercise Overview",
    "exercise_name": "Exercise name",
    "exercise_type": "Exercise type",
    "play_time": "Play time",
    "played": "played",
    "planned": "planned",
    "scope": "Scope",
    "mission_areas": "Mission areas",
    "core_capabilities": "Core capabilities",
    "objectives": "Objectives",
    "threat_or_hazard": "Threat or hazard",
    "location": "Location",
    "scenario": "Scenario",
    "sponsor": "Sponsor",
    "organisations": "Scenario organisations",
    "organisation": "Organisation",
    "role": "Role",
    "teams": "Teams",
    "team": "Team",
    "phases": "Phases",
    "phase": "Phase",
    "none_recorded": "None recorded",
    # Executive Summary
    "summary": "Executive Summary",
    "rating": "Rating",
    "objectives_by_rating": "Objectives by rating",
    "in_numbers": "The session in numbers",
    "injects_planned": "Scripted injects planned",
    "injects_delivered": "Injects delivered (incl. unscripted)",
    "unscripted": "Unscripted injects",
    "skipped_held_undone": "Skipped / held / undone",
    "branch_not_taken": "Branches not taken",
    "decisions_retracted": "Decisions (retracted)",
    "ratings": "Item ratings",
    "coverage": "Checklist coverage",
    "corrections_count": "Corrections",
    "notes_hotwash_actions": "Notes / hot wash entries / actions",
    # Analysis of Core Capabilities
    "analysis": "Analysis of Core Capabilities",
    "summary_table": "Table 1. Summary of core capability performance",
    "objective": "Objective",
    "core_capability": "Core Capability",
    "rating_definitions": "Ratings definitions",
    "strengths": "Strengths",
    "improvements": "Areas for Improvement",
    "general": "General observations",
    "capability": "Capability",
    "score": "Checklist score",
    "override": "Facilitator override; the scores alone give",
    "scores": "Checklist scores",
    "not_rated_tables": "Not rated",
    "item": "Item",
    "weight": "Weight",
    "evidence": "Evidence (decisions)",
    # appendices
    "appendix": "Appendix",
    "improvement_plan": "Improvement Plan",
    **{f"ip_{n}": text for n, text in enumerate(IMPROVEMENT_PLAN_COLUMNS, 1)},
    "decision_log": "Decision Log",
    "decision": "Decision",
    "inject": "Inject",
    "story_play": "Story time / play",
    "retracted": "retracted",
    "corrected": "corrected",
    "timeline": "Timeline",
    "to": "To",
    "status": "Status",
    "story_time": "Story time (plan / actual)",
    "notes": "Facilitator Notes",
    "note": "Note",
    "about": "About",
    "checklists": "Checklist Sources",
    "source": "Source",
    "behaviour": "Behaviour",
    "corrections": "Corrections",
    "corrects": "Corrects",
    "what_changed": "What changed",
    "recorded": "Recorded",
    "handouts": "Handouts",
    "file": "File",
    "kind": "Kind",
    "handed_out_with": "Handed out with",
    "not_copied": "Not copied",
    "colophon": "Generated {generated} by tabletop {version} from session {session}.",
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

    def heading(self, text: str, level: int = 1) -> None:
        self.para(text, style=f"Heading {level}")

    def _style_id(self, name: str) -> str:
        if name not in self.style_ids:
            self.style_ids[name] = self.doc.styles[name].style_id
        return self.style_ids[name]

    def appendix(self, key: str) -> None:
        """An appendix heading, lettered in the order written: 'Appendix A: ...'."""
        letter = chr(ord("A") + self.appendices)
        self.appendices += 1
        self.heading(f"{self.label('appendix')} {letter}: {self.label(key)}", 1)

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

    def bullets(self, texts: Iterable[str]) -> None:
        for text in texts:
            self.para(text, style="List Bullet")

    def none_recorded(self) -> None:
        self.para(self.label("none_recorded") + ".", italic=True)

    def table(self, headers: Sequence[str], rows: Iterable[Sequence[object]],
              widths: Sequence[float] | None = None, *, size: float = 9) -> None:
        """A table whose first row is a header repeated on every page; no row splits."""
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
    """A cell's text; a list is one line per entry (python-docx makes a newline a break)."""
    lines = [str(v) for v in value] if isinstance(value, list | tuple) else [
        "" if value is None else str(value)]
    run = paragraph.add_run(xml_text("\n".join(lines)))
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


def _optional(report: Report, name: str) -> Any:
    """A field the report model may have (the HSEEP cover and overview fields are
    being added): on the report, its meta or its overview; None when absent."""
    for holder in (report, report.meta, report.overview):
        value = getattr(holder, name, None)
        if value is not None:
            return value
    return None


def _contacts(report: Report) -> list[str]:
    """The points of contact, one line each: name, title, organisation, email, phone."""
    found = _optional(report, "point_of_contact") or _optional(report, "points_of_contact") or []
    lines = []
    for contact in found if isinstance(found, list | tuple) else [found]:
        fields = ("name", "title", "organisation", "email", "phone")
        parts = [str(getattr(contact, f, "") or "") for f in fields]
        lines.append(", ".join(p for p in parts if p))
    return [line for line in lines if line]


def _listed(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def cover(w: Writer) -> None:
    r, o = w.report, w.report.overview
    mark = w.para(_marking(r), bold=True, size=12)
    mark.alignment = WD_ALIGN_PARAGRAPH.CENTER
    w.para()
    w.para(r.meta.title, style="Title")
    w.para(w.label("subtitle"), style="Subtitle")
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
    conducted = o.real_start_text
    if o.real_end and o.real_end != o.real_start:
        conducted += f" to {o.real_end_text}"
    w.facts([
        (w.label("exercise_dates"), f"{o.story_start_text} to {o.story_end_text}"),
        (w.label("conducted"), conducted),
        (w.label("marking"), r.meta.marking),
        (w.label("handling"), _listed(_optional(r, "handling_instructions"))),
        (w.label("point_of_contact"), _contacts(r)),
    ])
    w.para().add_run().add_break(WD_BREAK.PAGE)


def overview(w: Writer) -> None:
    r, o = w.report, w.report.overview
    w.heading(w.label("overview"))
    conducted = o.real_start_text
    if o.real_end and o.real_end != o.real_start:
        conducted += f" to {o.real_end_text}"
    capabilities = list(dict.fromkeys(obj.capability for obj in o.objectives if obj.capability))
    organisations = [f"{org.name} ({org.role})" if org.role else org.name
                     for org in o.organisations]
    w.facts([
        (w.label("exercise_name"), o.title),
        (w.label("exercise_type"), _listed(_optional(r, "exercise_type"))),
        (w.label("exercise_dates"), f"{o.story_start_text} to {o.story_end_text}"),
        (w.label("conducted"), conducted),
        (w.label("play_time"),
         f"{o.actual_play} {w.label('played')}, {o.planned_play} {w.label('planned')}"),
        (w.label("scope"), o.scope or w.label("none_recorded")),
        (w.label("mission_areas"), _listed(_optional(r, "mission_areas"))),
        (w.label("core_capabilities"), capabilities),
        (w.label("objectives"), [f"{n}. {obj.text}" for n, obj in enumerate(o.objectives, 1)]),
        (w.label("threat_or_hazard"), _listed(_optional(r, "threat_or_hazard"))),
        (w.label("location"), _listed(_optional(r, "location"))),
        (w.label("scenario"), o.summary),
        (w.label("sponsor"), o.sponsor or w.label("none_recorded")),
        (w.label("organisations"), organisations),
        (w.label("point_of_contact"), _contacts(r)),
    ])
    w.heading(w.label("teams"), 2)
    w.table([w.label("team"), w.label("role")], [(t.name, t.role) for t in o.teams], [5, 11])
    w.heading(w.label("phases"), 2)
    w.table([w.label("phase"), w.label("planned")], [(p.name, p.role) for p in o.phases], [11, 5])


def summary(w: Writer) -> None:
    r = w.report
    w.heading(w.label("summary"))
    for paragraph in r.summary.paragraphs:
        w.para(paragraph)
    w.para(w.label("objectives_by_rating"), italic=True, size=9)
    w.table([w.label("rating"), w.label("objectives")],
            [(rc.label, rc.count) for rc in r.summary.ratings], [11, 5])
    c = r.summary.counts
    w.para(w.label("in_numbers"), italic=True, size=9)
    w.facts([
        (w.label("injects_planned"), c.injects_planned),
        (w.label("injects_delivered"), c.injects_delivered),
        (w.label("unscripted"), c.unscripted),
        (w.label("skipped_held_undone"), f"{c.skipped} / {c.held} / {c.undone}"),
        (w.label("branch_not_taken"), c.branch_not_taken),
        (w.label("decisions_retracted"), f"{c.decisions} ({c.retracted})"),
        (w.label("ratings"), c.ratings),
        (w.label("coverage"), f"{r.summary.coverage * 100:.0f}%"),
        (w.label("corrections_count"), c.corrections),
        (w.label("notes_hotwash_actions"), f"{c.notes} / {c.hotwash} / {c.actions}"),
    ])


def _finding(f: Finding) -> str:
    text = f"{f.team}: {f.text}" if f.team else f.text
    return f"{text} ({f.source})"


def _findings(w: Writer, strengths: list[Finding], improvements: list[Finding]) -> None:
    for key, findings in (("strengths", strengths), ("improvements", improvements)):
        w.heading(w.label(key), 3)
        if findings:
            w.bullets(_finding(f) for f in findings)
        else:
            w.none_recorded()


def analysis(w: Writer) -> None:
    r = w.report
    w.heading(w.label("analysis"))
    w.para(w.label("summary_table"), bold=True, size=9)
    rows = []
    for obj in r.objectives:
        marks = ["X" if obj.rating == code else "" for code in "PSMU"]
        rows.append((obj.text, obj.capability, *marks))
    if rows:
        w.table([w.label("objective"), w.label("core_capability"), "P", "S", "M", "U"],
                rows, [7, 4.4, 1.15, 1.15, 1.15, 1.15])
    else:
        w.none_recorded()
    w.para(w.label("rating_definitions"), bold=True, size=9)
    definitions = _optional(r, "rating_definitions")
    if isinstance(definitions, dict) and definitions:
        w.facts([(code, text) for code, text in definitions.items()])
    else:
        w.facts([(code, label.split(": ", 1)[1]) for code, label
                 in OBJECTIVE_RATING_LABELS.items()])
    for n, obj in enumerate(r.objectives, 1):
        w.heading(f"{w.label('objective')} {n}: {obj.text}", 2)
        rating = obj.rating_text
        if obj.overridden:
            rating += f" ({w.label('override')} {obj.computed_text}: {obj.override_reason})"
        score = NOT_RATED if obj.score is None else f"{obj.score * 100:.0f}%"
        w.facts([
            (w.label("capability"), obj.capability),
            (w.label("rating"), rating),
            (w.label("score"), f"{score}, {w.label('coverage').lower()} {obj.coverage * 100:.0f}%"),
        ])
        _findings(w, obj.strengths, obj.improvements)
    w.heading(w.label("general"), 2)
    _findings(w, r.general_strengths, r.general_improvements)


def scores(w: Writer) -> None:
    """The checklist tables that have ratings; the unrated ones fold into one line."""
    r = w.report
    w.heading(w.label("scores"), 2)
    unrated = []
    for team in r.scores:
        for cl in team.checklists:
            if not cl.rated_weight:
                unrated.append(f"{team.name}: {cl.title}")
                continue
            w.heading(f"{team.name}: {cl.title}: {cl.score_text} "
                      f"({w.label('coverage').lower()} {cl.coverage_text})", 3)
            w.table(
                [w.label("item"), w.label("weight"), w.label("rating"), w.label("evidence")],
                [(f"{i.text}\n{i.ref} · {i.capability}", i.weight,
                  i.rating_text + (f"\n{i.note}" if i.note else ""),
                  [f"#{e.number} {e.text}" for e in i.evidence]) for i in cl.items],
                [7, 1.8, 3, 5.2], size=8)
    if unrated:
        w.para(f"{w.label('not_rated_tables')}: {'; '.join(unrated)}.", italic=True, size=9)


def improvement_plan(w: Writer) -> None:
    """Appendix A, on landscape pages: its eight columns do not fit portrait."""
    section = w.doc.add_section(WD_SECTION.NEW_PAGE)
    _orient(section, landscape=True)
    w.appendix("improvement_plan")
    headers = [w.label(f"ip_{n}") for n in range(1, len(IMPROVEMENT_PLAN_COLUMNS) + 1)]
    rows = []
    for a in w.report.improvement_plan:
        issue = f"{a.item}: {a.item_text}" if a.item and a.item_text else a.item
        fields = {name: str(getattr(a, name, "") or "") for name in
                  ("element", "organisation", "poc", "start", "completion")}
        rows.append((
            a.capability, issue, a.action + (f" ({w.label('corrected')})" if a.corrected else ""),
            fields["element"], fields["organisation"], fields["poc"] or a.owner,
            fields["start"], fields["completion"] or a.due,
        ))
    w.table(headers, rows, [3.2, 4.2, 5.5, 2.4, 3.2, 2.8, 2, 2.2], size=8)
    section = w.doc.add_section(WD_SECTION.NEW_PAGE)
    _orient(section, landscape=False)


def _orient(section: Section, *, landscape: bool) -> None:
    width, height = section.page_width, section.page_height
    if width is None or height is None:
        return
    if landscape != (width > height):
        section.page_width, section.page_height = height, width
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT


def decision_log(w: Writer) -> None:
    w.appendix("decision_log")
    rows = []
    for d in w.report.appendices.decisions:
        text = d.text + (f" [{d.option}]" if d.option else "")
        if d.retracted:
            text += f" ({w.label('retracted')})"
        elif d.corrected:
            text += f" ({w.label('corrected')})"
        rows.append((d.number, d.team_name, d.inject_title or "–", text, f"{d.story}\n{d.play}"))
    if rows:
        w.table(["#", w.label("team"), w.label("inject"), w.label("decision"),
                 w.label("story_play")], rows, [1, 2.6, 3.6, 6.4, 2.4], size=8)
    else:
        w.none_recorded()


def timeline(w: Writer) -> None:
    w.appendix("timeline")
    rows = [(f"{t.title}\n{t.phase} · {t.channel} · {t.sender}", ", ".join(t.to),
             t.status_text + (f"\n{t.reason}" if t.reason else ""),
             f"{t.planned_story_text} / {t.actual_story_text or '–'}")
            for t in w.report.timeline]
    if rows:
        w.table([w.label("inject"), w.label("to"), w.label("status"), w.label("story_time")],
                rows, [6, 3.5, 3.5, 3], size=8)
    else:
        w.none_recorded()


def notes(w: Writer) -> None:
    if not w.report.appendices.notes:
        return
    w.appendix("notes")
    w.table(["#", w.label("note"), w.label("about"), w.label("story_time")],
            [(n.seq, n.text, " · ".join(p for p in (n.team, n.inject) if p), n.story)
             for n in w.report.appendices.notes], [1, 9, 3.5, 2.5], size=8)


def checklist_sources(w: Writer) -> None:
    w.appendix("checklists")
    if not w.report.appendices.checklists:
        w.none_recorded()
    for cl in w.report.appendices.checklists:
        w.heading(f"{cl.title} ({cl.id})", 2)
        if cl.description:
            w.para(cl.description)
        w.para(f"{w.label('source')}: {cl.source}", italic=True, size=9)
        w.table([w.label("item"), w.label("behaviour"), w.label("weight"), w.label("capability")],
                [(i.id, i.text, i.weight, i.capability) for i in cl.items],
                [3, 8, 1.5, 3.5], size=8)


def corrections(w: Writer) -> None:
    w.appendix("corrections")
    rows = [(h.seq, "–" if h.target is None else h.target, h.summary, h.when)
            for h in w.report.appendices.corrections]
    if rows:
        w.table(["#", w.label("corrects"), w.label("what_changed"), w.label("recorded")],
                rows, [1.2, 1.8, 10, 3], size=8)
    else:
        w.none_recorded()


def handouts(w: Writer) -> None:
    if not w.report.handouts:
        return
    w.appendix("handouts")
    w.table([w.label("file"), w.label("kind"), w.label("handed_out_with")],
            [(h.name + (f"\n{w.label('not_copied')}: {h.note}" if h.note else ""), h.kind,
              ", ".join(h.injects)) for h in w.report.handouts], [6, 2, 8], size=8)


def colophon(w: Writer) -> None:
    m = w.report.meta
    try:
        text = w.label("colophon").format(
            generated=m.generated, version=m.tabletop_version, session=m.session_file)
    except (KeyError, IndexError, ValueError):
        text = w.label("colophon")
    w.para(text, italic=True, size=8)


SECTIONS: tuple[Callable[[Writer], None], ...] = (
    cover,
    overview,
    summary,
    analysis,
    scores,
    improvement_plan,  # Appendix A
    # Appendix B, Exercise Participants, goes here once the model has them.
    decision_log,
    timeline,
    notes,
    checklist_sources,
    corrections,
    handouts,
    colophon,
)
"""The document, in order: each function writes one section."""


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
