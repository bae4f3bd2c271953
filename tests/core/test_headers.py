"""Issue 14, item 8: a header block at the top of an inject body keeps its lines;
paragraphs keep their soft wraps. Checked on the Markdown as markdown-it renders it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from markdown_it import MarkdownIt

from tabletop.core.headers import is_header_line, keep_header_lines

ROOT = Path(__file__).resolve().parents[2]

EMAIL = """\
**From:** Dario Pell, Head of IT Security
**To:** KAL-CERT duty desk
**Sent:** 12 May 06:10Z
**Subject:** Odd traffic from the military gateway

Since 05:40Z our monitoring shows traffic from the gateway to an address we
do not know. We have not blocked it.
"""


def html(markdown: str) -> str:
    return str(MarkdownIt().render(markdown))


def first_paragraph_lines(markdown: str) -> list[str]:
    """The lines of the first paragraph as rendered: split at hard breaks only."""
    paragraph = html(markdown).split("</p>", 1)[0].removeprefix("<p>")
    return [line.strip() for line in paragraph.split("<br />")]


def test_an_email_header_block_keeps_one_line_a_header() -> None:
    assert first_paragraph_lines(keep_header_lines(EMAIL)) == [
        "<strong>From:</strong> Dario Pell, Head of IT Security",
        "<strong>To:</strong> KAL-CERT duty desk",
        "<strong>Sent:</strong> 12 May 06:10Z",
        "<strong>Subject:</strong> Odd traffic from the military gateway",
    ]
    # Without it, Markdown runs them into one line.
    assert len(first_paragraph_lines(EMAIL)) == 1


def test_the_paragraphs_after_the_block_keep_their_soft_wraps() -> None:
    after = html(keep_header_lines(EMAIL)).split("</p>", 1)[1]
    assert after == html(EMAIL).split("</p>", 1)[1]
    assert "<br" not in after
    assert "address we\ndo not know" in after


@pytest.mark.parametrize("block", [
    "FM AMEMBASSY KORVANY\nTO SECSTATE IMMEDIATE\nINFO MERIDIAN FORUM COLLECTIVE\n"
    "SUBJ: TARN BEND INCIDENT",
    "CLASSIFICATION: RESTRICTED\nDTG: 060410Z OCT 26\nFM: 14 BORDER BN\nTO: MOD OPS",
    "From: Duty director\nTo: Embassy of Estmark\nSubject: URGENT",
    "**From**: Duty director\n**To**: Embassy of Estmark",
])
def test_cable_and_plain_headers_keep_their_lines(block: str) -> None:
    rendered = first_paragraph_lines(keep_header_lines(block + "\n\nText."))
    assert [re.sub("</?strong>", "", line) for line in rendered] == \
        block.replace("**", "").split("\n")


def test_a_bold_title_stands_above_its_headers_and_a_wrapped_value_stays_one() -> None:
    body = ("**FLASH: INITIAL INCIDENT REPORT 001, CCOC, 12 May 05:30Z**\n"
            "Classification: EXERCISE / RESTRICTED. Distribution: CCOC, exercise HQ,\n"
            "liaison officer, PA cell.\n\n| Item | Status |\n|---|---|\n| A | B |\n")
    assert first_paragraph_lines(keep_header_lines(body)) == [
        "<strong>FLASH: INITIAL INCIDENT REPORT 001, CCOC, 12 May 05:30Z</strong>",
        "Classification: EXERCISE / RESTRICTED. Distribution: CCOC, exercise HQ,\n"
        "liaison officer, PA cell.",
    ]


@pytest.mark.parametrize("body", [
    # A paragraph that opens with a bold lead-in and wraps: prose, not headers.
    "**Gaps:** no releasable human or signals intelligence corroboration; Belmoran\n"
    "analysis still pending; port-side telemetry incomplete.",
    # A letterhead: a title over a line that is no header.
    "**Parliament of the Republic of Averna: Defence and Security Committee**\n"
    "Delivered by hand to the Office of the President, Wednesday 7 October, 09:30",
    # Prose that happens to hold a colon, and "To" without one.
    "Note: the bridge was closed at dawn and\nTo the north the road is open.",
    # Headers further down the body are not the body's header block.
    "Minister,\n\n**From:** a\n**To:** b",
    "",
    "Shots were heard near the bridge.",
])
def test_anything_else_is_left_as_written(body: str) -> None:
    assert keep_header_lines(body) == body


def test_breaks_already_hard_are_kept_and_it_is_idempotent() -> None:
    body = "**From:** a\\\n**To:** b  \n**Cc:** c \\\\\n**Sent:** d\n\nText."
    once = keep_header_lines(body)
    assert first_paragraph_lines(once) == [
        "<strong>From:</strong> a", "<strong>To:</strong> b",
        "<strong>Cc:</strong> c \\", "<strong>Sent:</strong> d",
    ]
    assert keep_header_lines(once) == once


@pytest.mark.parametrize(("line", "header"), [
    ("**Subject:** Request for decision", True),
    ("  Subject: indented a little", True),
    ("SUBJ: ALL CAPS KEY", True),
    ("POC: ANY ALL-CAPS KEY", True),
    ("DTG 060410Z OCT 26", True),
    ("**Casualties, own:** 2 wounded", False),
    ("**Request from the NDMA Director of Operations:** decide today", False),
    ("Minister: please decide", False),
    ("    From: four spaces is code", False),
    ("TOTAL 14 vehicles", False),
])
def test_what_counts_as_a_header_line(line: str, header: bool) -> None:
    assert is_header_line(line) is header


def bundled_bodies() -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []

    def walk(node: object, where: str) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("body"), str):
                found.append((f"{where}:{node.get('id')}", node["body"]))
            for value in node.values():
                walk(value, where)
        elif isinstance(node, list):
            for value in node:
                walk(value, where)

    for path in sorted([*ROOT.glob("exercises/*.yaml"), *ROOT.glob("injects/*.yaml")]):
        walk(yaml.safe_load(path.read_text(encoding="utf-8")), path.name)
    return found


def test_in_the_bundled_content_only_the_header_blocks_change() -> None:
    changed = 0
    for where, body in bundled_bodies():
        before, after = html(body), html(keep_header_lines(body))
        # Everything after the first paragraph renders exactly as before.
        assert after.split("</p>", 1)[1:] == before.split("</p>", 1)[1:], where
        if after != before:
            changed += 1
            lines = body.lstrip("\n").split("\n\n", 1)[0].split("\n")
            # Each header line of the block starts a rendered line of its own.
            starts = [line for line in lines[1:] if is_header_line(line)]
            assert after.split("</p>", 1)[0].count("<br />") == len(starts), where
    assert changed >= 15  # the bundled messages with From/To/Subject blocks
