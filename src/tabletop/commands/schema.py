"""``tabletop schema``: print the JSON Schema of a file kind."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(sub: argparse._SubParsersAction[Any]) -> None:
    parser = sub.add_parser(
        "schema",
        help="print the JSON Schema of exercise, injects, checklist or framework files",
        description="Print a JSON Schema generated from the format's models, for editors "
        "and standard validators such as check-jsonschema.",
    )
    parser.add_argument(
        "--kind", choices=("exercise", "injects", "checklist", "framework"), default="exercise"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from tabletop.authoring.schema import schema_text

    sys.stdout.write(schema_text(args.kind))
    return 0
