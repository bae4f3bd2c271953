"""An inject body's header block (From:, To:, Subject: ...) shows one header a line.

Bodies are Markdown, where a single newline is a soft break: the bundled
narratives are wrapped mid-sentence and must flow as paragraphs. A message's
``From:`` / ``To:`` / ``Sent:`` / ``Subject:`` lines, or a cable's ``FM`` /
``TO`` / ``SUBJ`` lines, written one under the other would run together into
one line just the same. :func:`keep_header_lines` turns the breaks before each
header line of that block into hard breaks (a trailing backslash) and leaves
the rest of the body as written. The console and the projector both show bodies
through it.
"""

from __future__ import annotations

import re

__all__ = ["CABLE_KEYS", "HEADER_KEYS", "is_header_line", "keep_header_lines"]

HEADER_KEYS = frozenset({
    "from", "to", "cc", "bcc", "sent", "date", "time", "subject", "subj", "re",
    "reply-to", "attachment", "attachments", "handling", "priority", "precedence",
    "classification", "distribution", "reference", "ref", "dtg", "fm", "info",
    "originator", "releasability", "caveat",
})
"""Keys a header line may have, in any case (``**From:**``, ``Subject:``, ``DTG:``)."""

CABLE_KEYS = frozenset({"FM", "TO", "INFO", "SUBJ", "REF", "DTG", "CLASSIFICATION"})
"""Cable keys that may also stand without a colon (``FM AMEMBASSY KORVANY``)."""

_INDENT = r" {0,3}"  # four spaces would make an indented code block
_KEY = r"[A-Za-z][A-Za-z0-9/-]*(?: [A-Za-z0-9/-]+){0,2}"
_KEYED = re.compile(
    rf"{_INDENT}(?:\*\*(?P<bold>{_KEY}):\*\*|\*\*(?P<bold2>{_KEY})\*\*:|(?P<plain>{_KEY}):)"
    r"(?:\s|$)"
)
_BARE_CABLE = re.compile(rf"{_INDENT}(?P<key>[A-Z]+) +\S")
_TITLE = re.compile(rf"{_INDENT}\*\*[^*\s].*\*\*\s*")
"""A first line all in bold: the block's title (``**FLASH SITREP 001**``)."""


def is_header_line(line: str) -> bool:
    """A line that starts a header: a known key and a colon (bold or not), an
    all-caps key and a colon (``SUBJ:``), or a bare cable key (``FM ...``)."""
    keyed = _KEYED.match(line)
    if keyed is not None:
        key = keyed.group("bold") or keyed.group("bold2") or keyed.group("plain")
        return key.lower() in HEADER_KEYS or key.isupper()
    bare = _BARE_CABLE.match(line)
    return bare is not None and bare.group("key") in CABLE_KEYS


def _hard_broken(line: str) -> bool:
    """Whether ``line`` already ends in a Markdown hard break."""
    if line.endswith("  "):
        return True
    stripped = line.rstrip()
    return (len(stripped) - len(stripped.rstrip("\\"))) % 2 == 1


def keep_header_lines(body: str) -> str:
    """``body`` with each line of its leading header block on a line of its own.

    The block is the body's first paragraph when its first line is a header line
    or a bold title, and at least one more header line follows. A line that is not
    a header line continues the header above it (a long value wrapped), softly as
    before. Everything else, and every other body, is returned unchanged.
    """
    lines = body.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), len(lines))
    end = next((i for i in range(first, len(lines)) if not lines[i].strip()), len(lines))
    block = lines[first:end]
    if not block or not (is_header_line(block[0]) or _TITLE.fullmatch(block[0])):
        return body
    starts = [i for i in range(1, len(block)) if is_header_line(block[i])]
    if not starts:
        return body
    for i in starts:
        above = block[i - 1].rstrip("\r")
        if not _hard_broken(above):
            block[i - 1] = above + "\\"
    return "\n".join([*lines[:first], *block, *lines[end:]])
