"""A sign-in sheet (CSV) read as roster entries, for ``tabletop import-roster``.

The sheet is whatever a spreadsheet saved: UTF-8 with or without a byte-order
mark (or UTF-16 with one), commas, semicolons or tabs, headers in any case and
punctuation ("Organization", "NAME IN REPORT?", "Country"). Every problem is
one line naming the row and column (``roster.csv:4:3: role: …``), and they are
all found before anything is recorded: :func:`read_roster` returns the entries
only when every row is good. ``docs/roster.md`` documents the columns.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
import re
from dataclasses import dataclass, field
from typing import Any

from tabletop.core.problems import excerpt
from tabletop.core.roles import PARTICIPANT_ROLES
from tabletop.session.checks import PARTICIPANT_TEXT_MAX, same_person
from tabletop.session.state import SessionState

MAX_ROSTER_BYTES = 4 * 1024 * 1024
"""A sign-in sheet of thousands of people is a few hundred kilobytes."""
MAX_ROWS = 5000
MAX_PROBLEMS = 20
"""Problems listed before the rest are only counted."""

COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("name", "fullname", "participant", "participantname", "person"),
    "organisation": ("organisation", "organization", "org", "agency", "organisationname",
                     "organizationname"),
    "nation": ("nation", "country", "nationality"),
    "role": ("role", "exerciserole", "participantrole"),
    "team": ("team", "cell", "table", "group"),
    "name_in_report": ("nameinreport", "nameinthereport", "namedinreport",
                       "namedinthereport", "named", "publishname", "showname"),
}
"""Each column and the headers that mean it, as :func:`header_key` reduces them."""
_ALIAS: dict[str, str] = {alias: column for column, aliases in COLUMNS.items()
                          for alias in aliases}
_DETAILS = ("nation", "role", "team", "name_in_report")
"""What a row must say as the roster does to count as already on it (the name and
organisation match in any case)."""
YES = frozenset({"yes", "y", "true", "1", "x", "oui", "ja", "si", "sí"})
NO = frozenset({"no", "n", "false", "0", "", "non", "nein"})


class RosterRefused(ValueError):
    """The sheet cannot be read at all; ``str()`` is one line."""


@dataclass
class Roster:
    """What a sheet adds: its entries (event payloads, each with its line), the
    rows already on the roster as they are, and the columns it ignored."""

    entries: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    already: int = 0
    ignored: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    """``file:line:col: column: message``, one per problem; empty when all is well."""


def header_key(header: str) -> str:
    """A header as matched: letters and digits only, in lower case."""
    return re.sub(r"[\W_]+", "", header.casefold())


def decode(raw: bytes, name: str) -> str:
    """The sheet's text: UTF-8 (a BOM is dropped) or UTF-16 with its BOM."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            raise RosterRefused(f"{name}: it starts as UTF-16 text but is not") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise RosterRefused(
            f"{name}:{line}: not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the sheet "
            "as 'CSV UTF-8' and import it again"
        ) from None


def _delimiter(text: str) -> str:
    """The separator the header line uses most: a comma, a semicolon or a tab."""
    first = text.split("\n", 1)[0]
    return max((",", ";", "\t"), key=first.count)


def read_roster(raw: bytes, name: str, state: SessionState) -> Roster:
    """The sheet's entries, checked against the session; RosterRefused when it is
    not a sheet at all, else every problem in ``problems``."""
    text = decode(raw, name)
    if "\x00" in text:
        raise RosterRefused(f"{name}: it holds NUL bytes; it is not a CSV sheet")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    rows: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for row in reader:
            if len(rows) > MAX_ROWS:
                raise RosterRefused(f"{name}: more than {MAX_ROWS} rows; split the sheet")
            if any(cell.strip() for cell in row):
                rows.append((start, row))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise RosterRefused(f"{name}:{reader.line_num}: not a CSV sheet: {exc}") from None
    if not rows:
        raise RosterRefused(f"{name}: the sheet is empty; its first row names the columns")
    roster = Roster()
    line, header = rows[0]
    columns = _columns(header, line, name, roster)
    if roster.problems:
        return roster
    if "name" not in columns.values():
        roster.problems.append(f"{name}:{line}: no 'name' column (columns: "
                               f"{', '.join(COLUMNS)}; see docs/roster.md)")
        return roster
    teams = _team_names(state)
    seen: dict[tuple[str, str], int] = {}
    for line, row in rows[1:]:
        if len(row) > len(header):
            roster.problems.append(f"{name}:{line}:{len(header) + 1}: the row has {len(row)} "
                                   f"cells, the header {len(header)}")
            continue
        said = _row(row, columns, line, name, teams, roster)
        if said is None:
            continue
        who = same_person(said["name"], said["organisation"])
        if who in seen:
            roster.problems.append(f"{name}:{line}: {said['name']} is on the sheet twice "
                                   f"(also on line {seen[who]})")
            continue
        seen[who] = line
        on_roster = _on_roster(state, who)
        if on_roster is None:
            roster.entries.append((line, said))
        elif all(on_roster[key] == said[key] for key in _DETAILS):
            roster.already += 1
        else:
            roster.problems.append(
                f"{name}:{line}: {said['name']} is already on the roster with other details; "
                "correct that entry in the console ('participant: correct')")
    return roster


def _columns(header: list[str], line: int, name: str, roster: Roster) -> dict[int, str]:
    """Which column each header cell is, by position; unknown ones are ignored unless
    they look like a mistyped known one."""
    known: dict[int, str] = {}
    taken: dict[str, int] = {}
    for n, cell in enumerate(header, 1):
        key = header_key(cell)
        column = _ALIAS.get(key)
        if column is None:
            if not key:
                continue
            close = _mistyped(key)
            if close:
                roster.problems.append(f"{name}:{line}:{n}: unknown column '{excerpt(cell)}'; "
                                       f"did you mean '{close}'?")
            else:
                roster.ignored.append(excerpt(cell.strip()))
            continue
        if column in taken:
            roster.problems.append(f"{name}:{line}:{n}: a second '{column}' column "
                                   f"(the first is column {taken[column]})")
            continue
        taken[column] = n
        known[n - 1] = column
    return known


def _mistyped(key: str) -> str | None:
    """The column a header not known is most likely a typo of (letters swapped, one
    missed or added), or None: other columns of a sign-in sheet are left out."""
    for alias, column in _ALIAS.items():
        if len(key) > 2 and sorted(key) == sorted(alias):
            return column
    close = difflib.get_close_matches(key, _ALIAS, n=1, cutoff=0.8)
    return _ALIAS[close[0]] if close else None


def _team_names(state: SessionState) -> dict[str, str]:
    """Each team by its id and by its name, as a sheet may give it."""
    names: dict[str, str] = {}
    for team in state.scenario.teams:
        names[header_key(team.name)] = team.id
        names[team.id.casefold()] = team.id
    return names


def _row(
    row: list[str], columns: dict[int, str], line: int, name: str, teams: dict[str, str],
    roster: Roster,
) -> dict[str, Any] | None:
    """One row as a participant_added payload; None (its problems noted) when bad."""
    said: dict[str, Any] = {"name": "", "organisation": "", "nation": "", "role": "player",
                            "team": None, "name_in_report": False}
    problems = len(roster.problems)

    def problem(index: int, column: str, message: str) -> None:
        roster.problems.append(f"{name}:{line}:{index + 1}: {column}: {message}")

    for index, column in columns.items():
        cell = row[index] if index < len(row) else ""
        value = " ".join(cell.split())
        if not value.isprintable():
            problem(index, column, "holds control characters")
            continue
        if len(value) > PARTICIPANT_TEXT_MAX:
            problem(index, column, f"{len(value)} characters long; {PARTICIPANT_TEXT_MAX} at most")
            continue
        if column == "role":
            role = value.casefold() or "player"
            if role not in PARTICIPANT_ROLES:
                problem(index, column, f"unknown role '{excerpt(value)}'"
                        + (_did_you_mean(role, PARTICIPANT_ROLES)
                           or f" (roles: {', '.join(PARTICIPANT_ROLES)})"))
                continue
            said["role"] = role
        elif column == "team":
            if value:
                team = teams.get(header_key(value)) or teams.get(value.casefold())
                if team is None:
                    problem(index, column, f"unknown team '{excerpt(value)}'"
                            + _did_you_mean(value.casefold(), sorted(teams)))
                    continue
                said["team"] = team
        elif column == "name_in_report":
            answer = value.casefold()
            if answer not in YES | NO:
                problem(index, column, f"'{excerpt(value)}' is neither yes nor no")
                continue
            said["name_in_report"] = answer in YES
        else:
            said[column] = value
    if not said["name"] and len(roster.problems) == problems:
        index = next(i for i, c in columns.items() if c == "name")
        problem(index, "name", "empty; every row names a person")
    return said if len(roster.problems) == problems else None


def _did_you_mean(value: str, known: Any) -> str:
    close = difflib.get_close_matches(value, list(known), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def _on_roster(state: SessionState, who: tuple[str, str]) -> dict[str, Any] | None:
    """The entry of this person on the roster, as a row would say it; None if absent."""
    for entry in state.participants.values():
        if not entry.removed and same_person(entry.name, entry.organisation) == who:
            return {"name": entry.name, "organisation": entry.organisation,
                    "nation": entry.nation, "role": entry.role, "team": entry.team,
                    "name_in_report": entry.name_in_report}
    return None
