"""The DOCX report, read back with python-docx: Word headings, the marking on every
page, the HSEEP Improvement Plan's columns, hostile text and --templates."""

from __future__ import annotations

import dataclasses
import io
import os
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.document import Document as DocumentObject
from docx.oxml.ns import qn
from hypothesis import given, settings
from hypothesis import strategies as st

from tabletop.report.build import build_report_model
from tabletop.report.docx import LABELS, DocxError, render_docx, xml_text
from tabletop.report.model import Contact, Handout, Report
from tabletop.session.session import Session

IP_COLUMNS = [
    "Core Capability", "Issue/Area for Improvement", "Corrective Action", "Capability Element",
    "Primary Responsible Organization", "Organization POC", "Start Date", "Completion Date",
]


@pytest.fixture
def report(played: Session) -> Report:
    path = played.store.path
    played.close()
    with Session.open_readonly(path) as session:
        return build_report_model(session)


@pytest.fixture
def evaluated(played: Session) -> Report:
    """The played session with what an evaluation adds: a roster, an area for
    improvement with its reference and root cause, and the action that answers it
    with every column of the Improvement Plan."""
    for name, organisation, role, named in (
        ("Ana Costa", "Regional Crisis Office", "facilitator", True),
        ("Col. B. Stone", "Ministry of Defence", "player", False),
        ("C. Dunn", "Harbour Authority", "player", False),
        ("D. Eze", "Regional Crisis Office", "evaluator", True),
    ):
        played.record("participant_added", name=name, organisation=organisation, role=role,
                      team="gov" if role == "player" else None, name_in_report=named)
    observed = played.record(
        "observation_recorded", kind="improvement", team="comms", objective="inform",
        text="Two spokespeople briefed the press in the first hour.",
        reference="Harbour crisis communication plan, section 3",
        analysis="No spokesperson had been named before the exercise.",
        recommendation="Name one spokesperson per shift.",
    )
    played.record(
        "improvement_action", action="Name a spokesperson for each shift.",
        observation=observed.seq, element="Planning", organisation="Regional Crisis Office",
        poc="Head of communications", start="2026-06-01", completion="2026-07-31",
    )
    path = played.store.path
    played.close()
    with Session.open_readonly(path) as session:
        return build_report_model(session)


def read(data: bytes) -> DocumentObject:
    return Document(io.BytesIO(data))


def headings(doc: DocumentObject) -> list[tuple[str, str]]:
    return [(p.style.name, p.text) for p in doc.paragraphs
            if p.style is not None and p.style.name.startswith("Heading")]


def everything(doc: DocumentObject) -> str:
    """Every text of the document body: paragraphs and table cells."""
    texts = [p.text for p in doc.paragraphs]
    texts += [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    return "\n".join(texts)


def after(doc: DocumentObject, heading: str, count: int = 1) -> list[str]:
    """The texts of the ``count`` paragraphs after the first one reading ``heading``."""
    texts = [p.text for p in doc.paragraphs]
    start = texts.index(heading) + 1
    return texts[start:start + count]


def table_starting(doc: DocumentObject, first: str) -> list[list[str]]:
    for table in doc.tables:
        if table.rows[0].cells[0].text == first:
            return [[c.text for c in row.cells] for row in table.rows]
    raise AssertionError(f"no table whose first heading is {first!r}")


def test_sections_are_word_headings_in_the_aar_order(report: Report) -> None:
    doc = read(render_docx(report))
    found = headings(doc)
    level1 = [text for style, text in found if style == "Heading 1"]
    assert level1 == [
        "Handling Instructions", "Exercise Overview", "Executive Summary",
        "Analysis of Core Capabilities", "Checklist Scores", "Appendix A: Improvement Plan",
        "Appendix B: Exercise Participants", "Appendices C–H: The Record",
    ]
    appendices = [text for style, text in found if style == "Heading 2"
                  and text.startswith("Appendix ")]
    assert appendices == [  # the HTML's letters; no handouts, so no Appendix I
        "Appendix C: Decision log", "Appendix D: Delivery timeline",
        "Appendix E: Facilitator notes", "Appendix F: Checklist definitions",
        "Appendix G: Corrections", "Appendix H: Session history",
    ]
    assert after(doc, "Appendix H: Session history")[0].startswith("Left out of this editable")
    objectives = [text for style, text in found if style == "Heading 2"
                  and text.startswith("Objective ")]
    assert objectives == [f"Objective {o.number}: {o.text}" for o in report.objectives]
    assert [o.number for o in report.objectives] == [1, 2, 3]
    assert ("Heading 3", "Areas for Improvement") in found
    title = [p.text for p in doc.paragraphs if p.style is not None and p.style.name == "Title"]
    assert title == ["Harbour Storm"]
    starts_page = {p.text for p in doc.paragraphs if p.paragraph_format.page_break_before}
    assert starts_page == {"Exercise Overview", "Executive Summary",
                           "Analysis of Core Capabilities", "Checklist Scores",
                           "Appendices C–H: The Record"}


def test_handouts_are_appendix_i_after_the_session_history(report: Report) -> None:
    given = dataclasses.replace(report, handouts=[
        Handout("map.png", "handouts/map.png", "image", ["Storm warning issued"]),
        Handout("brief.pdf", "brief.pdf", "PDF", ["Mayor demands a decision"], note="missing"),
    ])
    doc = read(render_docx(given))
    found = [text for _, text in headings(doc)]
    assert "Appendices C–I: The Record" in found
    assert found.index("Appendix I: Handouts") == found.index("Appendix H: Session history") + 1
    assert table_starting(doc, "File")[1:] == [
        ["map.png", "image", "Storm warning issued"],
        ["brief.pdf\nNot copied: missing", "PDF", "Mayor demands a decision"]]


def test_the_overview_has_the_templates_rows(report: Report) -> None:
    rows = table_starting(read(render_docx(report)), "Exercise Name")
    assert [row[0] for row in rows] == [
        "Exercise Name", "Exercise Dates", "Exercise Type", "Scope", "Mission Area(s)",
        "Core Capabilities", "Objectives", "Threat or Hazard", "Location", "Scenario",
        "Sponsor", "Participating Organizations", "Point of Contact",
    ]
    by_label = dict(rows)
    assert by_label["Exercise Type"] == report.overview.exercise_type
    assert by_label["Participating Organizations"] == "No roster recorded (Appendix B)"
    assert by_label["Core Capabilities"].startswith(", ".join(report.overview.capabilities))
    assert by_label["Objectives"].splitlines()[0] == f"1. {report.objectives[0].text}"


def test_scenario_actors_are_labelled_apart_from_who_took_part(evaluated: Report) -> None:
    doc = read(render_docx(evaluated))
    assert table_starting(doc, "Organisation") == [
        ["Organisation", "Part in the story"], ["Harbour Authority", "Host"]]
    by_label = dict(table_starting(doc, "Exercise Name"))
    assert by_label["Participating Organizations"] == (
        "Regional Crisis Office, Ministry of Defence, Harbour Authority")


def test_the_marking_heads_every_page_and_the_footer_counts_pages(report: Report) -> None:
    doc = read(render_docx(report))
    assert len(doc.sections) == 3  # portrait, the landscape Improvement Plan, portrait
    assert not doc.sections[0].header.is_linked_to_previous
    for section in doc.sections:
        # a linked header is the first section's: python-docx reads through to it
        assert section.header.paragraphs[0].text == "TLP:AMBER"
        fields = [e.text.strip() for e in section.footer._element.iter(qn("w:instrText"))]
        assert fields == ["PAGE", "NUMPAGES"]
    assert doc.sections[1].page_width > doc.sections[1].page_height
    assert doc.sections[0].page_width < doc.sections[0].page_height
    assert round(doc.sections[0].page_width.cm, 1) == 21.0  # A4, not python-docx's Letter


def test_a_draft_says_so_in_the_header(report: Report) -> None:
    draft = dataclasses.replace(report, meta=dataclasses.replace(report.meta, draft=True))
    doc = read(render_docx(draft))
    assert doc.sections[0].header.paragraphs[0].text == "TLP:AMBER · DRAFT"
    assert any(p.text.startswith("DRAFT: the exercise has not been ended") for p in doc.paragraphs)


def test_improvement_plan_has_the_hseep_columns(report: Report) -> None:
    doc = read(render_docx(report))
    rows = table_starting(doc, "Core Capability")
    assert rows[0] == IP_COLUMNS
    body = {row[2]: row for row in rows[1:]}
    guide = body["1. Write a one-page evacuation decision guide for the cabinet."]
    assert guide[0] == "Operational Coordination"  # the item's capability
    assert guide[1] == "The team single lead.\ncoord/single-lead"  # the item, as the issue
    assert guide[5] == "Regional Crisis Office"  # the old owner is the POC
    assert guide[7] == "2026-06-30"  # the old due date is the completion date
    assert guide[3] == guide[4] == guide[6] == ""  # columns old actions never had
    assert len(rows) == 1 + len(report.improvement_plan)


def test_an_action_with_every_column_fills_the_improvement_plans_row(
    evaluated: Report,
) -> None:
    rows = table_starting(read(render_docx(evaluated)), "Core Capability")
    assert rows[-1] == [
        "Public Information and Warning",  # the capability of the observation's objective
        "Two spokespeople briefed the press in the first hour.",
        "3. Name a spokesperson for each shift.",
        "Planning", "Regional Crisis Office", "Head of communications",
        "2026-06-01", "2026-07-31",
    ]


def test_an_area_for_improvement_shows_under_its_objective_with_its_analysis(
    evaluated: Report,
) -> None:
    doc = read(render_docx(evaluated))
    texts = [p.text for p in doc.paragraphs]
    objective = texts.index("Objective 2: Inform the public quickly and consistently.")
    afi = texts.index("Areas for Improvement", objective)
    assert afi < texts.index("Objective 3: Accept outside aid in an orderly way.")
    first, *details = texts[afi + 1:afi + 6]
    assert first.startswith("Area for Improvement 1: Communications Cell: Two spokespeople "
                            "briefed the press in the first hour. (observation #1, area for "
                            "improvement")
    assert details == [
        "Reference: Harbour crisis communication plan, section 3",
        "Analysis: No spokesperson had been named before the exercise.",
        "Recommendation: Name one spokesperson per shift.",
        "Corrective action in Appendix A: #3",
    ]
    strengths = texts.index("Strengths", texts.index("Objective 1: Coordinate the evacuation "
                                                     "decision across cells."))
    assert texts[strengths + 1].startswith("Strength 1: ")


def test_appendix_b_counts_people_and_names_only_those_marked_for_the_report(
    evaluated: Report,
) -> None:
    doc = read(render_docx(evaluated))
    assert after(doc, "Appendix B: Exercise Participants") == [
        "4 people took part; 2 of them are counted but not named in this report."]
    assert table_starting(doc, "Participating organization") == [
        ["Participating organization", "People"], ["Regional Crisis Office", "2"],
        ["Ministry of Defence", "1"], ["Harbour Authority", "1"]]
    assert table_starting(doc, "Role") == [
        ["Role", "People"], ["Facilitator", "1"], ["Players", "2"], ["Evaluator", "1"]]
    named = table_starting(doc, "Name")
    assert [row[0] for row in named] == ["Name", "Ana Costa", "D. Eze"]
    text = everything(doc)
    assert "Stone" not in text and "Dunn" not in text


def test_without_a_roster_appendix_b_says_how_to_record_one(report: Report) -> None:
    doc = read(render_docx(report))
    assert after(doc, "Appendix B: Exercise Participants")[0].startswith(
        "No roster was recorded.")
    assert not any(t.rows[0].cells[0].text == "Participating organization" for t in doc.tables)


def test_tables_repeat_their_header_row_and_rows_do_not_split(report: Report) -> None:
    doc = read(render_docx(report))
    decision_log = next(t for t in doc.tables if t.rows[0].cells[0].text == "#"
                        and t.rows[0].cells[3].text == "Decision")
    first, second = decision_log.rows[0]._tr.trPr, decision_log.rows[1]._tr.trPr
    assert first.find(qn("w:tblHeader")) is not None
    assert second.find(qn("w:tblHeader")) is None
    assert second.find(qn("w:cantSplit")) is not None


def test_summary_table_marks_each_objectives_rating(report: Report) -> None:
    doc = read(render_docx(report))
    rows = table_starting(doc, "Objective")
    assert rows[0] == ["Objective", "Core Capability", "P", "S", "M", "U"]
    assert [row[0] for row in rows[1:]] == [
        f"{o.number}. {o.text}" for o in report.objectives]
    for row, summary in zip(rows[1:], report.capability_summary, strict=True):
        mark = "*" if summary.provisional else ""  # a provisional rating says so
        assert row[2:] == [code + mark if summary.rating == code else "" for code in "PSMU"]
    assert any(summary.provisional for summary in report.capability_summary)
    assert any(p.text.startswith("* Provisional:") for p in doc.paragraphs)
    assert rows[3][1:] == ["–", "", "", "", "U"]  # no capability named; the override's U
    unrated = dataclasses.replace(report, capability_summary=[
        dataclasses.replace(row, rating=None) for row in report.capability_summary])
    rows = table_starting(read(render_docx(unrated)), "Objective")
    assert all(row[2:] == ["", "", "", ""] for row in rows[1:])  # not rated: no mark


def test_the_rating_definitions_follow_table_1(report: Report) -> None:
    doc = read(render_docx(report))
    firsts = [[c.text for c in row.cells] for t in doc.tables for row in t.rows]
    definitions = [row for row in firsts if row[0].endswith(("(P)", "(S)", "(M)", "(U)"))]
    assert definitions == [[f"{d.label} ({d.code})", d.definition]
                           for d in report.rating_definitions]
    assert [d.code for d in report.rating_definitions] == ["P", "S", "M", "U"]


def test_unrated_checklists_fold_into_one_line(report: Report) -> None:
    ops = next(team for team in report.scores if team.name == "Operations Cell")
    assert [cl.title for cl in ops.checklists] == ["Crisis coordination"]
    assert ops.unrated == ["Public communication"]
    doc = read(render_docx(report))
    texts = [p.text for p in doc.paragraphs]
    section = texts[texts.index("Operations Cell"):texts.index("Government Cell")]
    assert [p for p in section if p.startswith(("Crisis", "Public"))] == [
        f"Crisis coordination: {ops.checklists[0].score_text} (coverage "
        f"{ops.checklists[0].coverage_text}, {ops.checklists[0].rated_weight} of "
        f"{ops.checklists[0].applicable_weight} weight rated)"]
    assert section[-1] == "Not rated for Operations Cell: Public communication."
    assert ("Heading 2", "Operations Cell") in headings(doc)


def test_cover_has_handling_instructions_and_contacts_when_the_model_has_them(
    report: Report,
) -> None:
    kim = Contact("A. Kim", "Exercise director", "Regional Crisis Office", "kim@example.org", "")
    given = dataclasses.replace(
        report, handling_instructions="Exercise use only. Do not forward.",
        point_of_contact=[kim],
        overview=dataclasses.replace(report.overview, points_of_contact=[kim]))
    doc = read(render_docx(given))
    assert after(doc, "Handling Instructions", 3) == [
        "Exercise use only. Do not forward.", "Point of contact",
        "A. Kim\nExercise director\nRegional Crisis Office\nkim@example.org"]
    assert ("Heading 2", "Point of contact") in headings(doc)
    overview = dict(table_starting(doc, "Exercise Name"))
    assert overview["Point of Contact"] == (
        "A. Kim, Exercise director, Regional Crisis Office, kim@example.org")

    plain = read(render_docx(report))  # the harbour exercise gives neither
    assert after(plain, "Handling Instructions", 2) == [
        "The title of this document is Harbour Storm. It is marked TLP:AMBER; handle it as "
        "that marking requires.", "Exercise Overview"]
    assert dict(table_starting(plain, "Exercise Name"))["Point of Contact"] == "None recorded"


HOSTILE = "a\x00b\x01c\x1b[31md\x0be\x0cf\ufffeg\uffffh\ud800i\u202eevil\u2066iso | <w:t>&amp;"


def test_hostile_text_is_held_safely(report: Report) -> None:
    meta = dataclasses.replace(report.meta, title=HOSTILE, marking=HOSTILE)
    first = report.appendices.decisions[0]
    decisions = [dataclasses.replace(first, text=HOSTILE), *report.appendices.decisions[1:]]
    hostile = dataclasses.replace(
        report, meta=meta,
        appendices=dataclasses.replace(report.appendices, decisions=decisions),
        improvement_plan=[dataclasses.replace(a, action=HOSTILE) for a in report.improvement_plan],
    )
    doc = read(render_docx(hostile))
    safe = "a\ufffdb\ufffdc\ufffd[31md\ufffde\ufffdf\ufffdg\ufffdh\ufffdi\u202eevil\u2066iso | <w:t>&amp;"
    closed = safe + "\u2069\u202c"  # the isolate, then the override, closed at the end
    assert doc.sections[0].header.paragraphs[0].text == closed
    assert [p.text for p in doc.paragraphs if p.style.name == "Title"] == [closed]
    assert table_starting(doc, "Core Capability")[1][2] == "1. " + closed
    log = table_starting(doc, "#")
    # closed on its own line: the items line after it reads left to right again
    assert log[1][3].split("\n") == [closed, "coord/share-picture"]


@settings(deadline=None, max_examples=60)
@given(st.text())
def test_any_text_becomes_xml_that_python_docx_accepts(text: str) -> None:
    doc = Document()
    doc.add_paragraph(xml_text(text))
    doc.save(io.BytesIO())


def test_closing_bidi_controls_keeps_balanced_text_as_it_is() -> None:
    assert xml_text("\u202bשלום\u202c ok") == "\u202bשלום\u202c ok"
    assert xml_text("\u2067x\u2069\u202ey") == "\u2067x\u2069\u202ey\u202c"
    assert xml_text(None) == ""


def test_the_same_report_gives_the_same_bytes(report: Report) -> None:
    first = render_docx(report)
    assert render_docx(report) == first
    with zipfile.ZipFile(io.BytesIO(first)) as package:
        assert {info.date_time[:3] for info in package.infolist()} == {
            tuple(int(x) for x in report.meta.generated[:10].split("-"))}
    props = read(first).core_properties
    assert props.title == "Harbour Storm: After-Action Report"
    assert props.created is not None and props.created.year == int(report.meta.generated[:4])


# ----------------------------------------------------------------- --templates


def test_a_headings_file_translates_headings_and_columns(report: Report, tmp_path: Path) -> None:
    (tmp_path / "docx-headings.yaml").write_text(
        "overview: Übersicht der Übung\nip_1: Kernfähigkeit\nappendix: Anhang\n"
        "improvement_plan: Verbesserungsplan\n", encoding="utf-8")
    doc = read(render_docx(report, tmp_path))
    level1 = [text for style, text in headings(doc) if style == "Heading 1"]
    assert level1[1] == "Übersicht der Übung"
    assert "Anhang A: Verbesserungsplan" in level1
    assert table_starting(doc, "Kernfähigkeit")[0][1] == "Issue/Area for Improvement"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("overveiw: Overview\n", "docx-headings.yaml:1:1: overveiw: no such heading; "
                                 "did you mean 'overview'?"),
        ("overview:\n  - a list\n", "docx-headings.yaml:2:3: overview: expected a text"),
        ("overview: ''\n", "docx-headings.yaml:1:11: overview: empty; leave the key out "
                           "to keep the default"),
        ("- overview\n", "docx-headings.yaml:1:1: expected a mapping of heading keys to texts"),
        ("overview: [unclosed\n", "docx-headings.yaml:2:1: not valid YAML: "),
    ],
)
def test_a_bad_headings_file_is_one_line_with_its_place(
    report: Report, tmp_path: Path, text: str, message: str
) -> None:
    (tmp_path / "docx-headings.yaml").write_text(text)
    with pytest.raises(DocxError) as error:
        render_docx(report, tmp_path)
    assert str(error.value).startswith(message)
    assert "\n" not in str(error.value)


def test_the_bundled_headings_file_lists_every_label() -> None:
    import yaml

    from tabletop.core.bundled import templates_dir

    bundled = yaml.safe_load((templates_dir() / "docx-headings.yaml").read_text("utf-8"))
    assert bundled == LABELS


def test_a_base_document_gives_its_styles_and_header(report: Report, tmp_path: Path) -> None:
    base = Document()
    base.add_paragraph("Delete me: the base's own body.")
    base.sections[0].header.paragraphs[0].text = "ACME Civil Protection"
    base.styles["Normal"].font.name = "Georgia"
    for name in ("Heading 1", "Title", "List Bullet"):  # a base without them still works
        base.styles[name].element.getparent().remove(base.styles[name].element)
    base.save(str(tmp_path / "report.docx"))
    doc = read(render_docx(report, tmp_path))
    assert doc.styles["Normal"].font.name == "Georgia"
    assert [p.text for p in doc.sections[0].header.paragraphs] == [
        "TLP:AMBER", "ACME Civil Protection"]
    assert not any("Delete me" in p.text for p in doc.paragraphs)
    assert ("Heading 1", "Exercise Overview") in headings(doc)
    outline = doc.styles["Heading 1"].element.find(qn("w:pPr")).find(qn("w:outlineLvl"))
    assert outline.get(qn("w:val")) == "0"  # Word's navigation pane lists it


@pytest.mark.parametrize("data", [b"not a zip at all", b"PK\x03\x04broken"])
def test_a_base_that_is_not_a_word_document_is_one_line(
    report: Report, tmp_path: Path, data: bytes
) -> None:
    (tmp_path / "report.docx").write_bytes(data)
    with pytest.raises(DocxError, match=r"^report\.docx: not a Word document"):
        render_docx(report, tmp_path)


def test_a_zip_that_is_not_a_docx_is_refused(report: Report, tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "report.docx", "w") as package:
        package.writestr("hello.txt", "hi")
    with pytest.raises(DocxError, match=r"^report\.docx: not a Word document"):
        render_docx(report, tmp_path)


@pytest.mark.parametrize("name", ["report.docx", "docx-headings.yaml"])
def test_a_link_out_of_the_templates_folder_is_refused(
    report: Report, tmp_path: Path, name: str
) -> None:
    outside = tmp_path / "secret"
    outside.write_text("overview: stolen\n")
    folder = tmp_path / "brand"
    folder.mkdir()
    os.symlink(outside, folder / name)
    with pytest.raises(DocxError, match="link to a file outside the folder"):
        render_docx(report, folder)
