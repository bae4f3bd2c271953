"""JSON Schemas of the four file kinds, generated from the models.

Copies ship in ``tabletop/authoring/schemas/`` for editors; a test fails when they are stale.
Regenerate them with ``python -m tabletop.authoring.schema``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tabletop.authoring.model import FILE_MODELS, document_fields

SCHEMA_DIR = Path(__file__).parent / "schemas"
FILE_NAMES = {kind: kind for kind in ("exercise", "injects", "checklist", "framework")}


def schema_for(kind: str) -> dict[str, Any]:
    document_fields()
    model = FILE_MODELS[kind]
    schema = model.model_json_schema(by_alias=True, mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"tabletop/1/{kind}.schema.json"
    return schema


def schema_text(kind: str) -> str:
    return json.dumps(schema_for(kind), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def shipped_path(kind: str) -> Path:
    return SCHEMA_DIR / f"{FILE_NAMES[kind]}.schema.json"


def write_all() -> None:
    SCHEMA_DIR.mkdir(exist_ok=True)
    for kind in FILE_MODELS:
        shipped_path(kind).write_text(schema_text(kind), encoding="utf-8")


if __name__ == "__main__":
    write_all()
