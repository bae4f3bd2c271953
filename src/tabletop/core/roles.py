"""Who sits at a console: the roles of an exercise's recorders.

One vocabulary, shared by the session's permission rules, the console, the
report's roster and the browser's links. What each role may record is decided
in :mod:`tabletop.session.permissions`; this module only names the roles.
"""

from __future__ import annotations

from typing import Literal, get_args

Role = Literal["facilitator", "controller", "evaluator", "scribe", "observer"]

ROLES: tuple[Role, ...] = get_args(Role)

ParticipantRole = Literal["player", "facilitator", "controller", "evaluator", "scribe", "observer"]
"""What a person did in the exercise, as the roster (the sign-in sheet) records it:
the recorders' roles, plus the players who sit at the teams' tables."""

PARTICIPANT_ROLES: tuple[ParticipantRole, ...] = get_args(ParticipantRole)

FACILITATOR: Role = "facilitator"

DUTIES: dict[Role, str] = {
    "facilitator": "steers the exercise: deliveries, clocks, branches, ENDEX, and all the rest",
    "controller": "writes unscripted injects and notes to its teams (a SimCell); keeps the roster",
    "evaluator": "records observations and ratings, for its teams or for any team",
    "scribe": "records the decisions and notes of its team",
    "observer": "watches the facilitator's view and records nothing",
}
"""One line per role, for ``--help`` and the console's header."""

NAME_REQUIRED: frozenset[Role] = frozenset(ROLES) - {FACILITATOR}
"""Every recorder but the facilitator says who they are (``--name``)."""

TEAM_REQUIRED: frozenset[Role] = frozenset({"scribe"})
"""A scribe records for a team, so it must name one (``--team``)."""

NAME_MAX = 80
"""A recorder's name is a person's name or a call sign, never a paragraph."""
