"""JSON Schemas (draft 2020-12) for every kind of content file, generated from the content model.

The schemas let an editor check a file while it is being written (e.g. the YAML language server's
`# yaml-language-server: $schema=...` comment) and let other tools read sitrep's content. They are
committed under schemas/ and regenerated with `.venv/bin/python -m sitrep.schema`; a test fails when they
drift from sitrep.model, which stays the single source of truth.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from . import invocation
from .model import ENTITY_CLASSES, SiteConfig

DIALECT = "https://json-schema.org/draft/2020-12/schema"
#: Schemas are identified by URI, not fetched from it; .example is reserved for such names (RFC 2606).
BASE_URI = "https://sitrep.example/schemas/"
DEFAULT_FOLDER = Path("schemas")

#: Every kind of content file and the model that describes it.
MODELS: dict[str, type[BaseModel]] = {**ENTITY_CLASSES, "site": SiteConfig}

#: Where each kind of file lives, for the schema's title and description.
FILES: dict[str, str] = {
    "incident": "content/incidents/*.yaml",
    "actor": "content/actors/*.yaml",
    "location": "content/locations/*.yaml",
    "source": "content/sources/*.yaml",
    "deployment": "content/deployments/*.yaml",
    "brief": "content/briefs/*.yaml",
    "context": "the front matter of content/context/*.md",
    "document": "content/documents/*.yaml",
    "site": "content/site.yaml",
}


def schema_for(kind: str) -> dict[str, Any]:
    """Return the JSON Schema of one kind of content file."""
    model = MODELS[kind]
    generated = model.model_json_schema()
    if kind == "context":
        generated = _front_matter_only(generated)
    header = {
        "$schema": DIALECT,
        "$id": f"{BASE_URI}{filename(kind)}",
        "title": f"sitrep {kind}",
        "description": _description(model, kind),
    }
    rest = {key: value for key, value in generated.items() if key not in ("title", "description")}
    return {**header, **rest}


def _description(model: type[BaseModel], kind: str) -> str:
    """Return the model's docstring, naming the files the schema is for unless it already does."""
    doc = (model.__doc__ or "").strip()
    return doc if FILES[kind] in doc else f"{doc} File: {FILES[kind]}."


def _front_matter_only(schema: dict[str, Any]) -> dict[str, Any]:
    """Drop 'body' from a context note's schema: its text goes below the front matter, not in it."""
    properties = {key: value for key, value in schema["properties"].items() if key != "body"}
    required = [key for key in schema.get("required", []) if key != "body"]
    return {**schema, "properties": properties, "required": required}


def filename(kind: str) -> str:
    """Return the file name of a kind's schema, e.g. 'incident.schema.json'."""
    return f"{kind}.schema.json"


def schemas() -> dict[str, dict[str, Any]]:
    """Return the schema of every kind of content file, keyed by kind."""
    return {kind: schema_for(kind) for kind in MODELS}


def dumps(schema: dict[str, Any]) -> str:
    """Return a schema as the stable text committed to schemas/."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def write_schemas(folder: Path) -> list[Path]:
    """Write schemas/<kind>.schema.json for every kind; return the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for kind, schema in schemas().items():
        path = folder / filename(kind)
        path.write_text(dumps(schema), encoding="utf-8")
        written.append(path)
    return written


def stale_schemas(folder: Path) -> list[Path]:
    """Return the schema files in folder that are missing or differ from the model."""
    stale = []
    for kind, schema in schemas().items():
        path = folder / filename(kind)
        if not path.is_file() or path.read_text(encoding="utf-8") != dumps(schema):
            stale.append(path)
    return stale


def main(argv: Sequence[str] | None = None) -> int:
    """Write the schemas (or, with --check, report stale ones); return the exit code."""
    parser = argparse.ArgumentParser(prog=invocation.module("sitrep.schema"),
                                     description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT_FOLDER,
                        help="where to write the schemas (default: schemas)")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if any schema is missing or out of date")
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_schemas(args.folder)
        for path in stale:
            print(f"{path}: out of date; run {invocation.module('sitrep.schema')}", file=sys.stderr)
        return 1 if stale else 0
    for path in write_schemas(args.folder):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
