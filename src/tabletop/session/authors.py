"""Who recorded an event, and who sits at a console.

Every event carries its :class:`Author`: the recorder's name and role and the
console it came from. Events recorded before authors existed read as the
(unnamed) facilitator, who was then the only one who could record.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from tabletop.core.roles import FACILITATOR, NAME_MAX, NAME_REQUIRED, ROLES, TEAM_REQUIRED, Role
from tabletop.core.safetext import for_terminal


@dataclass(frozen=True, slots=True)
class Author:
    name: str = ""
    """As the recorder gave it; empty for a facilitator who gave none."""
    role: Role = FACILITATOR
    console: str = ""
    """A random id of the console that recorded it; empty when not known."""

    def describe(self) -> str:
        """"K. Oswald (evaluator)", or "the facilitator" when no name was given."""
        if not self.name:
            return f"the {self.role}"
        return f"{self.name} ({self.role})"


UNNAMED_FACILITATOR = Author()


@dataclass(frozen=True, slots=True)
class Recorder:
    """The person at one console: who they are, and the teams they record for."""

    author: Author
    teams: tuple[str, ...] = ()
    """The teams this console records for; empty means any team."""

    @property
    def role(self) -> Role:
        return self.author.role

    @property
    def is_facilitator(self) -> bool:
        return self.author.role == FACILITATOR

    @property
    def writes(self) -> bool:
        """An observer writes nothing."""
        return self.author.role != "observer"

    def covers(self, team: str | None) -> bool:
        """Whether this console may record for ``team`` (None: no team named)."""
        return not self.teams or team is None or team in self.teams


def new_recorder(role: str, name: str | None = None, teams: tuple[str, ...] = ()) -> Recorder:
    """A recorder for a new console, checked; raises ValueError with one line."""
    if role not in ROLES:
        from tabletop.core.problems import did_you_mean

        raise ValueError(
            f"'{for_terminal(role[:40], one_line=True)}' is not a role (roles: "
            f"{', '.join(ROLES)})" + did_you_mean(role, ROLES)
        )
    checked: Role = ROLES[ROLES.index(role)]
    clean = " ".join((name or "").split())
    if checked in NAME_REQUIRED and not clean:
        raise ValueError(f"a {checked} console needs --name: who is recording")
    if len(clean) > NAME_MAX:
        raise ValueError(f"--name is {len(clean)} characters long; {NAME_MAX} at most")
    if not clean.isprintable():
        raise ValueError("--name holds control characters")
    if checked in TEAM_REQUIRED and not teams:
        raise ValueError(f"a {checked} console needs --team: the team it records for")
    if teams and checked in TEAMLESS:
        raise ValueError(f"a {checked} console is for every team; --team is for controllers, "
                         "evaluators and scribes")
    console = os.urandom(8).hex()
    return Recorder(Author(clean, checked, console), tuple(dict.fromkeys(teams)))


TEAMLESS: frozenset[Role] = frozenset({FACILITATOR, "observer"})
"""Roles that see and steer (or watch) every team: they take no ``--team``."""

FACILITATOR_RECORDER = Recorder(UNNAMED_FACILITATOR)
"""A console or tool that records as the facilitator without saying who they are."""
