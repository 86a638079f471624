"""The JSON Schemas in schemas/: in step with the model, valid, and accepting the default content."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from sitrep import invocation, schema
from sitrep.load import KINDS, discover

try:
    import jsonschema
except ImportError:  # the drift tests below still run; the validation tests need the package
    jsonschema = None

needs_jsonschema = pytest.mark.skipif(jsonschema is None, reason="needs the jsonschema package")

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "schemas"
CONTENT = ROOT / "content"


# --- Helpers -------------------------------------------------------------------------------

def python_regex(pattern: str) -> str:
    """Return an ECMA-262 pattern in Python's spelling: (?<name>…) becomes (?P<name>…)."""
    return re.sub(r"\(\?<(?![=!])", "(?P<", pattern)


def _ecma_pattern(validator: Any, pattern: str, instance: Any, _schema: Any) -> Any:
    if validator.is_type(instance, "string") and not re.search(python_regex(pattern), instance):
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


def _format_checker() -> Any:
    checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
    checker = jsonschema.FormatChecker(list(checker.checkers))
    checker.checks("regex", raises=re.error)(
        lambda value: not isinstance(value, str) or bool(re.compile(python_regex(value))))
    return checker


# jsonschema evaluates "pattern" with Python's re, which rejects ECMA-262 named groups.
if jsonschema is not None:
    Validator = jsonschema.validators.extend(jsonschema.Draft202012Validator, {"pattern": _ecma_pattern})
    FORMATS = _format_checker()


def validator_for(kind: str) -> Any:
    """Return a validator for the committed schema of one kind of file."""
    committed = json.loads((SCHEMAS / schema.filename(kind)).read_text(encoding="utf-8"))
    return Validator(committed, format_checker=FORMATS)


def plain(value: Any) -> Any:
    """Return YAML data as JSON would carry it: dates and datetimes become ISO 8601 strings."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def read_content(kind: str, path: Path) -> Any:
    """Return a content file's data: the whole YAML file, or a context note's front matter."""
    text = path.read_text(encoding="utf-8")
    if kind == "context":
        text = text.split("\n---", 1)[0].removeprefix("---\n")
    return plain(yaml.safe_load(text))


def errors(kind: str, data: Any) -> list[str]:
    """Return the schema errors of data as 'path: message' lines."""
    found = validator_for(kind).iter_errors(data)
    return [f"{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in found]


CONTENT_FILES = [(kind, path) for kind, path in discover(CONTENT)] + [("site", CONTENT / "site.yaml")]


# --- The committed schemas -----------------------------------------------------------------

@pytest.mark.parametrize("kind", list(schema.MODELS))
def test_committed_schema_matches_model(kind: str) -> None:
    committed = (SCHEMAS / schema.filename(kind)).read_text(encoding="utf-8")
    assert committed == schema.dumps(schema.schema_for(kind)), (
        f"schemas/{schema.filename(kind)} is out of date; run {invocation.module('sitrep.schema')}")


def test_no_stray_schema_files() -> None:
    expected = {schema.filename(kind) for kind in schema.MODELS}
    assert {path.name for path in SCHEMAS.glob("*.json")} == expected


def test_every_content_folder_has_a_schema() -> None:
    assert set(KINDS.values()) | {"site"} == set(schema.MODELS)


@needs_jsonschema
@pytest.mark.parametrize("kind", list(schema.MODELS))
def test_schema_is_valid_draft_2020_12(kind: str) -> None:
    committed = validator_for(kind).schema
    assert committed["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert committed["$id"] == f"https://sitrep.example/schemas/{kind}.schema.json"
    assert committed["title"] == f"sitrep {kind}"
    meta = Validator(jsonschema.Draft202012Validator.META_SCHEMA, format_checker=FORMATS)
    assert [error.message for error in meta.iter_errors(committed)] == []


def test_context_schema_leaves_the_body_out_of_the_front_matter() -> None:
    context = schema.schema_for("context")
    assert "body" not in context["properties"]
    assert context["additionalProperties"] is False


# --- Content against the schemas -----------------------------------------------------------

@needs_jsonschema
@pytest.mark.parametrize("kind,path", CONTENT_FILES,
                         ids=[str(path.relative_to(CONTENT)) for _, path in CONTENT_FILES])
def test_default_content_validates(kind: str, path: Path) -> None:
    assert errors(kind, read_content(kind, path)) == []


@needs_jsonschema
def test_unknown_key_is_rejected() -> None:
    data = read_content("source", CONTENT / "sources" / "afp.yaml")
    assert errors("source", {**data, "reliabilty": "B"}) == [
        ": Additional properties are not allowed ('reliabilty' was unexpected)"]


@needs_jsonschema
@pytest.mark.parametrize("troops", [2500, "approximately 2,500", "nearly 900", "at least 3", "1-2", "1–2",
                                    "unknown", None])
def test_counts_the_model_accepts_pass(troops: Any) -> None:
    data = read_content("deployment", CONTENT / "deployments" / "us-forces-iraq.yaml")
    data["figures"][0]["troops"] = troops
    assert errors("deployment", data) == []


@needs_jsonschema
@pytest.mark.parametrize("troops", ["lots", "2,500 or so", -1])
def test_counts_the_model_rejects_fail(troops: Any) -> None:
    data = read_content("deployment", CONTENT / "deployments" / "us-forces-iraq.yaml")
    data["figures"][0]["troops"] = troops
    assert errors("deployment", data) != []


@needs_jsonschema
def test_bad_date_is_rejected() -> None:
    data = read_content("incident", CONTENT / "incidents" / "2024-04-20-kalsu-base-explosion.yaml")
    assert errors("incident", {**data, "date": "2024-02-30"}) != []


# --- The command ---------------------------------------------------------------------------

def test_write_schemas_writes_one_file_per_kind(tmp_path: Path) -> None:
    written = schema.write_schemas(tmp_path / "out")
    assert sorted(path.name for path in written) == sorted(schema.filename(k) for k in schema.MODELS)
    for path in written:
        assert json.loads(path.read_text(encoding="utf-8"))["$schema"] == schema.DIALECT


def test_main_check_reports_stale_schemas(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert schema.main(["--check", str(tmp_path)]) == 1
    assert f"out of date; run {invocation.module('sitrep.schema')}\n" in capsys.readouterr().err
    assert schema.main([str(tmp_path)]) == 0
    assert schema.main(["--check", str(tmp_path)]) == 0


def test_committed_schemas_pass_check() -> None:
    assert schema.main(["--check", str(SCHEMAS)]) == 0
