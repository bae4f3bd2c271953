"""Reading one authoring file: its YAML, its header, its model.

``parse_file`` never raises for bad input: it collects every problem.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from tabletop.authoring.model import (
    FILE_MODELS,
    FORMAT,
    Strict,
)
from tabletop.authoring.workspace import Workspace
from tabletop.core.problems import Problem, ProblemsFound, did_you_mean, excerpt

if TYPE_CHECKING:
    # The YAML reader and the error translator load with the first file parsed:
    # resuming a session whose exercise file is unchanged never needs them.
    from tabletop.authoring.yamlsource import Document

_FORMAT_RE = re.compile(r"tabletop/(\d+)\Z")
_FOLDER_KINDS = {"exercises": "exercise", "injects": "injects", "checklists": "checklist",
                 "frameworks": "framework"}


@dataclass
class ParsedFile:
    path: Path
    doc: Document | None
    model: Strict | None
    problems: list[Problem] = field(default_factory=list)


def parse_file(path: Path, ws: Workspace, expected_kind: str | None = None) -> ParsedFile:
    """Read, check the header of, and validate one file; never raises for bad input."""
    from tabletop.authoring.pydantic_errors import problems_from
    from tabletop.authoring.yamlsource import load_file

    name = ws.display(path)
    try:
        doc = load_file(path, name)
    except ProblemsFound as exc:
        return ParsedFile(path, None, None, list(exc.problems))
    data = doc.data
    if not isinstance(data, dict):
        what = "empty" if data is None else f"a {type(data).__name__}"
        message = (
            "the file is empty; expected a mapping starting with 'format: tabletop/1'"
            if data is None
            else f"the top level must be a mapping of keys, but it is {what}"
        )
        return ParsedFile(path, doc, None, [Problem(name, 1, 1, (), message)])
    header = _check_header(doc, path, expected_kind)
    if isinstance(header, Problem):
        return ParsedFile(path, doc, None, [header])
    model_cls = FILE_MODELS[header]
    try:
        model = model_cls.model_validate(data)
    except ValidationError as exc:
        return ParsedFile(path, doc, None, problems_from(exc, doc))
    del data
    doc.release_data()  # the model holds the values; later checks need only positions
    return ParsedFile(path, doc, model, [])


def _check_header(doc: Document, path: Path, expected_kind: str | None) -> str | Problem:
    data: dict[str, Any] = doc.data
    fmt = data.get("format")
    if fmt is None:
        return doc.problem((), f"missing 'format: {FORMAT}' at the top of the file")
    match = _FORMAT_RE.match(fmt) if isinstance(fmt, str) else None
    if not match:
        return doc.problem(("format",), f"unknown format '{excerpt(fmt)}'; expected '{FORMAT}'")
    if int(match.group(1)) != 1:
        return doc.problem(
            ("format",),
            f"this file uses format '{excerpt(fmt)}', but this version of tabletop reads "
            f"'{FORMAT}' only; upgrade tabletop to open it",
        )
    kind = data.get("kind")
    if not isinstance(kind, str) or kind not in FILE_MODELS:
        guess = _FOLDER_KINDS.get(path.parent.name, "exercise")
        if kind is None:
            return doc.problem((), f"missing key 'kind' (for this folder: 'kind: {guess}')")
        return doc.problem(
            ("kind",),
            f"unknown kind '{excerpt(kind)}'; expected one of: {', '.join(FILE_MODELS)}"
            + did_you_mean(str(kind), FILE_MODELS),
        )
    if expected_kind and kind != expected_kind:
        return doc.problem(("kind",), f"expected a file of kind '{expected_kind}', not '{kind}'")
    return str(kind)
