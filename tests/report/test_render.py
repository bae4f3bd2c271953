"""Rendering: structure, escaping of participants' text, the sandbox and user templates."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tabletop.report.build import build_report_model
from tabletop.report.model import Report
from tabletop.report.render import RenderError, md_escape, render
from tabletop.session.session import Session

FIXED = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
HEADINGS = (  # the HSEEP AAR/IP's order, then the record
    "Handling Instructions",
    "Exercise Overview",
    "Executive Summary",
    "Analysis of Core Capabilities",
    "Checklist Scores",
    "Appendix A: Improvement Plan",
    "Appendix B: Exercise Participants",
    "Appendices C–H: The Record",  # C–I when there are handouts
)
ATTACKS = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>")


def model(session: Session) -> Report:
    return build_report_model(session, generated=FIXED)


@pytest.fixture
def hostile(new_session: Callable[..., Session]) -> Report:
    """Every free-text field a participant or facilitator types, carrying both attacks."""
    s = new_session()
    payload = " then ".join(ATTACKS)
    s.deliver("storm-warning")
    s.record(
        "unscripted_inject",
        inject={"id": "x", "title": f"Title {payload}", "channel": "news", "from": payload},
    )
    s.record_decision("ops", f"Decision {payload}", inject="x", items=["coord/share-picture"])
    s.rate_item("ops", "coord/share-picture", "met", f"Rating note {payload}")
    s.record("note_added", text=f"Note {payload}", team="ops")
    s.record(
        "hotwash_entry", objective="coordinate", kind="strength", text=f"HW {payload}", team="ops"
    )
    s.record("hotwash_entry", objective=None, kind="improvement", text=f"HW2 {payload}", team=None)
    s.record(
        "improvement_action",
        action=f"Act {payload}",
        item=None,
        capability=payload,
        owner=payload,
        due="2026-01-01",
    )
    s.record("objective_rated", objective="aid", rating="S", reason=f"Why {payload}")
    return model(s)


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_typed_markup_never_comes_out_live(hostile: Report, fmt: str) -> None:
    text = render(hostile, fmt)
    for attack in ATTACKS:
        assert attack not in text
    assert "<script" not in text.lower()
    assert "<img" not in text.lower()
    assert "onerror=alert(1)&gt;" in text  # shown as text instead
    assert text.count("&lt;script&gt;") >= 9  # every field that carried it


def test_html_structure_marking_and_headings(played: Session) -> None:
    html = render(model(played), "html")
    for heading in HEADINGS:
        assert f">{heading}</h2>" in html
    # the marking is at the top and, in print, fixed so that it repeats on every page
    assert html.index("TLP:AMBER") < html.index("<h1>")
    assert html.count('class="marking marking-') == 2
    assert re.search(r"@media print\s*\{.*?position:\s*fixed", html, re.S)
    assert "DRAFT" not in html
    badges = re.findall(r'class="rating rating-(\w+)">([^<]+)<', html)
    assert badges == [
        ("P", "P: Performed without Challenges"),
        ("S", "S: Performed with Some Challenges"),
        ("U", "U: Unable to be Performed"),
    ]


def test_html_is_self_contained(played: Session) -> None:
    html = render(model(played), "html")
    assert "<style>" in html and "<svg" in html
    for needle in ("<script", "<link", "<iframe", "url(", "@import", "https://"):
        assert needle not in html.lower()
    assert not re.search(r"<[^>]+\s(src|href)=\S", html.replace('href="#', ""))
    # the only URL is the SVG namespace, which is never fetched
    assert set(re.findall(r"http://[^\s\"']+", html)) == {"http://www.w3.org/2000/svg"}


def test_charts_have_text_and_titles(played: Session) -> None:
    html = render(model(played), "html")
    svgs = re.findall(r"<svg.*?</svg>", html, re.S)
    assert len(svgs) == 2
    scores, timeline = svgs  # the scores come before the record's delivery timeline
    assert "<title" in scores and "83% (coverage 100%)" in scores
    assert "planned play minute" in timeline and "Storm warning issued" in timeline


def test_markdown_structure(played: Session) -> None:
    md = render(model(played), "md")
    for heading in HEADINGS:
        assert f"\n## {heading}\n" in md
    assert md.startswith("**TLP:AMBER**")
    assert ("| Core Capability | Issue/Area for Improvement | Corrective Action | "
            "Capability Element | Primary Responsible Organization | Organization POC | "
            "Start Date | Completion Date |") in md
    # table rows keep their shape: every row of the plan table has 9 unescaped pipes
    plan = md.split("## Appendix A: Improvement Plan")[1].split("## Appendix B")[0]
    rows = [line for line in plan.splitlines() if line.startswith("|")]
    assert len(rows) == 4
    assert all(len(re.findall(r"(?<!\\)\|", row)) == 9 for row in rows)


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_empty_and_unfinished_sessions_say_so(
    new_session: Callable[..., Session], fmt: str
) -> None:
    text = render(model(new_session()), fmt)
    assert "DRAFT" in text
    assert text.count("None recorded") >= 5
    for heading in HEADINGS:
        assert heading in text


def test_md_escape_neutralises_markdown_and_html() -> None:
    assert md_escape("<b>x</b> & y") == "&lt;b&gt;x&lt;/b&gt; &amp; y"
    assert md_escape("a|b *c* _d_ `e` [f](g) ~h~ $i$") == (
        r"a\|b \*c\* \_d\_ \`e\` \[f\](g) \~h\~ \$i\$"
    )
    assert md_escape("# title") == r"\# title"
    assert md_escape("- item") == r"\- item"
    assert md_escape("1. first") == r"1\. first"
    assert md_escape("2026-06-30") == "2026-06-30"
    assert md_escape("line\nbreak") == "line<br>break"
    assert md_escape(None) == ""


@pytest.mark.parametrize(
    "probe",
    [
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ report.__class__.__init__.__globals__ }}",
        "{{ r.timeline.append(1) }}",
        "{{ r.meta.__dict__ }}",
    ],
)
def test_user_templates_cannot_escape_the_sandbox(
    played: Session, tmp_path: Path, probe: str
) -> None:
    (tmp_path / "report.md").write_text(f"# {{{{ r.meta.title }}}}\n{probe}\n")
    try:
        text = render(model(played), "md", tmp_path)
    except RenderError as error:
        assert "\n" not in str(error)
        assert "report.md" in str(error)
    else:  # pragma: no cover - the sandbox refuses every probe above
        pytest.fail(f"rendered: {text[:200]}")


def test_user_template_overrides_one_file_and_keeps_the_rest(
    played: Session, tmp_path: Path
) -> None:
    (tmp_path / "report.css").write_text("body { color: rebeccapurple; }\n")
    html = render(model(played), "html", tmp_path)
    assert "rebeccapurple" in html
    assert "Executive Summary" in html  # our report.html still frames it
    (tmp_path / "report.md").write_text("# Nachbesprechung: {{ r.meta.title }}\n")
    assert render(model(played), "md", tmp_path) == "# Nachbesprechung: Harbour Storm\n"


def test_user_template_errors_are_one_line(played: Session, tmp_path: Path) -> None:
    (tmp_path / "report.md").write_text("line one\n{% for x in %}\n")
    with pytest.raises(RenderError) as caught:
        render(model(played), "md", tmp_path)
    assert "report.md:2" in str(caught.value) and "\n" not in str(caught.value)
    (tmp_path / "report.md").write_text("{{ r.no_such_thing }}\n")
    with pytest.raises(RenderError, match="no_such_thing"):
        render(model(played), "md", tmp_path)


def test_unknown_format_is_refused(played: Session) -> None:
    with pytest.raises(ValueError, match="unknown report format"):
        render(model(played), "pdf")


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_a_retracted_entry_shows_only_in_the_record_and_a_corrected_one_says_so(
    played: Session, fmt: str
) -> None:
    state = played.state
    general = next(e for e in state.hotwash if e.objective is None)
    coordinate = next(e for e in state.hotwash if e.objective == "coordinate")
    rota = state.actions[1]
    played.record("hotwash_entry_retracted", event=general.seq, reason="Said of another drill")
    played.record("hotwash_entry_corrected", event=coordinate.seq,
                  text="The joint operations room worked from minute three.", reason="Timed")
    played.record("improvement_action_corrected", event=rota.seq, action="Name a rota.",
                  reason="Shorter")
    text = render(model(played), fmt)
    findings, _, appendices = text.partition(
        '<section id="appendices"' if fmt == "html" else "\n## Appendices C–")
    plan = findings.split("Improvement Plan")[-1]
    assert "Players stayed in role throughout." not in findings
    assert "minute five" not in findings and "standing spokesperson" not in plan
    assert "The joint operations room worked from minute three." in findings
    if fmt == "md":
        assert "worked from minute three. (hot wash, corrected)" in findings
        assert "| 2. Name a rota. (corrected) |" in plan
    else:
        assert ('worked from minute three. <span class="muted small">(hot wash)</span> '
                '<span class="tag">corrected</span>') in findings
        assert '<td>2. Name a rota. <span class="tag">corrected</span></td>' in plan
    # The record keeps what was said, and why it no longer stands.
    assert "Players stayed in role throughout." in appendices
    assert "Said of another drill" in appendices
