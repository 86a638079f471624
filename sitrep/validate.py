"""Validate stage: turn loaded documents into typed entities, and check them against each other.

Every problem is collected with its file, line and column before anything stops, so an analyst
fixes a whole batch in one pass (as mkdocs' Config.validate does).
"""

from __future__ import annotations

import difflib
import re
import typing
import zoneinfo
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pydantic

from . import geo
from .errors import Problem
from .load import Document, LoadFailed, discover, load_file, parse_yaml
from .model import (CONFIDENCE_LEVELS, ENTITY_CLASSES, LIKELIHOOD_ROWS, Brief, Entity, Origin, Project,
                    SiteConfig)

#: Keys whose values are ids of another entity, and the kind they must name.
REFERENCE_KEYS: dict[str, str] = {
    "location": "location", "within": "location",
    "actor": "actor", "by": "actor", "side": "actor", "perpetrators": "actor", "targets": "actor",
    "part_of": "actor",
    "source": "source", "via": "source",
    "context": "context", "incidents": "incident",
}
#: A location more than this far outside its stated country is a typo (a swapped sign, lat for lon).
MAX_KM_OUTSIDE_COUNTRY = 50.0


def load_project(content_dir: Path) -> tuple[Project | None, list[Problem]]:
    """Load, validate and cross-check a content tree; return the project (None on errors) and all problems."""
    problems: list[Problem] = []
    site = load_site(content_dir, problems)
    entities: dict[str, dict[str, tuple[Entity, Document]]] = {kind: {} for kind in ENTITY_CLASSES}
    documents: list[Document] = []
    for kind, path in discover(content_dir):
        try:
            document = load_file(kind, path, content_dir)
        except LoadFailed as failure:
            problems.extend(failure.problems)
            continue
        documents.append(document)
        entity = to_entity(document, problems)
        if entity is not None:
            _register(entity, document, entities[kind], problems)
    problems.extend(cross_check(entities, content_dir))
    if any(p.is_error for p in problems) or site is None:
        return None, problems
    return _project(site, entities), problems


def load_site(content_dir: Path, problems: list[Problem]) -> SiteConfig | None:
    """Read content/site.yaml (all settings optional); None if it is broken."""
    path = content_dir / "site.yaml"
    if not path.is_file():
        return SiteConfig()
    try:
        document = load_file("site", path, content_dir)
    except LoadFailed as failure:
        problems.extend(failure.problems)
        return None
    try:
        return SiteConfig.model_validate(document.data)
    except pydantic.ValidationError as exc:
        problems.extend(_pydantic_problems(exc, document, SiteConfig))
        return None


def to_entity(document: Document, problems: list[Problem]) -> Entity | None:
    """Validate one document against its kind's model, adding any problems."""
    cls = ENTITY_CLASSES[document.kind]
    data = document.data
    if document.kind == "context":
        if "body" in data:
            problems.append(document.problem(("body",), "write a context note's text below the front "
                                             "matter, not as 'body:'", key=True))
            return None
        data = {**data, "body": document.body}
    try:
        entity = cls.model_validate(data)
    except pydantic.ValidationError as exc:
        problems.extend(_pydantic_problems(exc, document, cls))
        return None
    problems.extend(check_entity(entity, document))
    return entity


def _register(entity: Entity, document: Document, seen: dict[str, tuple[Entity, Document]],
              problems: list[Problem]) -> None:
    if entity.id in seen:
        first = seen[entity.id][1]
        problems.append(document.problem(("id",), f"duplicate {document.kind} id '{entity.id}' (also used "
                                         f"in {first.rel}:{first.mark(('id',)).line}); ids must be unique"))
        return
    seen[entity.id] = (entity, document)


def _project(site: SiteConfig, entities: dict[str, dict[str, tuple[Entity, Document]]]) -> Project:
    def plain(kind: str) -> dict[str, Any]:
        return {key: value[0] for key, value in sorted(entities[kind].items())}

    origins = {(kind, key): Origin(doc.rel, doc.mark(()).line, doc.digest)
               for kind, items in entities.items() for key, (_, doc) in items.items()}
    return Project(site=site, incidents=plain("incident"), actors=plain("actor"),
                   locations=plain("location"), sources=plain("source"), deployments=plain("deployment"),
                   briefs=plain("brief"), context=plain("context"), origins=origins)


# --- Turning pydantic's errors into path:line:col messages ---------------------------------

def _pydantic_problems(exc: pydantic.ValidationError, document: Document, cls: type) -> list[Problem]:
    problems = []
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        kind = error["type"]
        if kind == "extra_forbidden":
            problems.append(document.problem(loc, _unknown_key_message(cls, loc), key=True))
        elif kind == "missing":
            problems.append(document.problem(loc[:-1], f"missing required field '{loc[-1]}'"))
        else:
            problems.append(document.problem(loc, _value_message(error, loc)))
    return problems


def _unknown_key_message(cls: type, loc: tuple[Any, ...]) -> str:
    key = str(loc[-1])
    model = _model_at(cls, loc[:-1])
    message = f"unknown key '{key}'"
    if model is not None:
        close = difflib.get_close_matches(key, list(model.model_fields), n=1, cutoff=0.6)
        if close:
            return f"{message}; did you mean '{close[0]}'?"
        return f"{message}; allowed keys: {', '.join(model.model_fields)}"
    return message


def _value_message(error: dict[str, Any], loc: tuple[Any, ...]) -> str:
    field = ".".join(str(part) for part in loc) or "file"
    text = error["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if error["type"] == "literal_error":
        given = str(error.get("input"))
        expected = re.findall(r"'([^']*)'", error.get("ctx", {}).get("expected", ""))
        close = difflib.get_close_matches(given, expected, n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        return f"{field}: '{given}' is not allowed; expected {error['ctx']['expected']}{hint}"
    if error["type"] == "string_pattern_mismatch" and field.endswith("id"):
        return f"{field}: '{error.get('input')}' is not a valid id; use lower-case letters, digits and hyphens"
    return f"{field}: {text}"


def _model_at(cls: Any, loc: tuple[Any, ...]) -> type[pydantic.BaseModel] | None:
    """Return the pydantic model that describes the mapping at loc inside cls, if any."""
    current: Any = cls
    for part in loc:
        if isinstance(part, int):
            continue
        model = _as_model(current)
        if model is None or part not in model.model_fields:
            return None
        current = model.model_fields[part].annotation
    return _as_model(current)


def _as_model(annotation: Any) -> type[pydantic.BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _as_model(arg)
        if found is not None:
            return found
    return None


# --- Checks of one entity beyond its schema -----------------------------------------------

def check_entity(entity: Entity, document: Document) -> list[Problem]:
    """Return problems a schema cannot see: time zones, countries, coordinates, estimative language."""
    problems: list[Problem] = []
    for loc, code in _country_fields(document.data):
        if geo.country_info(code) is None:
            problems.append(document.problem(loc, f"unknown country code '{code}'; use ISO 3166 alpha-3, "
                                             "e.g. IRQ, SYR, JOR"))
    timezone = document.data.get("timezone")
    if isinstance(timezone, str) and not _valid_timezone(timezone):
        problems.append(document.problem(("timezone",), f"unknown time zone '{timezone}'; use an IANA "
                                         "name such as Asia/Baghdad"))
    if document.kind == "location" and not problems:
        problems.extend(_check_coordinates(entity, document))
    if isinstance(entity, Brief):
        problems.extend(check_estimative_language(entity, document))
    return problems


def _country_fields(data: Any, loc: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    if isinstance(data, dict):
        for key, value in data.items():
            if key in ("country", "countries"):
                values = value if isinstance(value, list) else [value]
                for i, code in enumerate(values):
                    if isinstance(code, str):
                        yield ((*loc, key, i) if isinstance(value, list) else (*loc, key)), code
            else:
                yield from _country_fields(value, (*loc, key))
    elif isinstance(data, list):
        for i, item in enumerate(data):
            yield from _country_fields(item, (*loc, i))


def _valid_timezone(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _check_coordinates(location: Any, document: Document) -> list[Problem]:
    km = geo.distance_outside_country_km(location.country, location.latitude, location.longitude)
    if km is None or km <= MAX_KM_OUTSIDE_COUNTRY:
        return []
    return [document.problem(("latitude",), f"coordinates {location.latitude}, {location.longitude} lie "
                             f"about {km:,.0f} km outside {location.country}; check the signs and that "
                             "latitude and longitude are not swapped")]


_CONFIDENCE_RE = re.compile(r"\b(" + "|".join(CONFIDENCE_LEVELS) + r")[- ]confidence\b", re.IGNORECASE)


def check_estimative_language(brief: Brief, document: Document) -> list[Problem]:
    """Warn on ICD 203 misuse: terms from both rows of the table, likelihood and confidence in one sentence."""
    problems = []
    first_use: dict[int, tuple[tuple[Any, ...], str]] = {}  # table row (0 terms, 1 alternatives) -> place
    for i, judgment in enumerate(brief.key_judgments):
        loc = ("key_judgments", i, "text")
        for term in _TERM_RE.findall(judgment.text):
            first_use.setdefault(_table_row(term), (loc, term.lower()))
        if judgment.likelihood:
            first_use.setdefault(_table_row(judgment.likelihood), (("key_judgments", i, "likelihood"),
                                                                    judgment.likelihood))
        for sentence in _sentences(judgment.text):
            if _TERM_RE.search(sentence) and _CONFIDENCE_RE.search(sentence):
                problems.append(document.problem(loc, "a likelihood term and a confidence level in the same "
                                                 "sentence (ICD 203); give the confidence in its own sentence "
                                                 "or in the 'confidence' field", severity="warning"))
    if len(first_use) == 2:
        (_, term), (loc, other) = first_use[0], first_use[1]
        problems.append(document.problem(loc, f"'{other}' is from the other row of the ICD 203 table than "
                                         f"'{term}'; use one row of terms throughout a brief",
                                         severity="warning"))
    return problems


_TERMS = {term: column for row in LIKELIHOOD_ROWS for column, term in enumerate(row[:2])}
_TERM_RE = re.compile(r"\b(" + "|".join(sorted(map(re.escape, _TERMS), key=len, reverse=True)) + r")\b",
                      re.IGNORECASE)


def _table_row(term: str) -> int:
    """Return 0 for ICD 203's main terms, 1 for their alternatives."""
    return _TERMS[term.lower()]


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text) if s.strip()]


# --- Cross-file checks --------------------------------------------------------------------

def cross_check(entities: dict[str, dict[str, tuple[Entity, Document]]], content_dir: Path) -> list[Problem]:
    """Return broken references, wrong-kind references and unsafe asset paths, across all files."""
    problems = []
    for kind, items in entities.items():
        for entity, document in items.values():
            for loc, target_kind, ref in _references(document.data):
                if ref in entities[target_kind]:
                    continue
                problems.append(document.problem(loc, _broken_reference(ref, target_kind, entities)))
            if kind == "incident":
                problems.extend(_check_attachments(entity, document, content_dir))
    return problems


def _references(data: Any, loc: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str, str]]:
    if isinstance(data, dict):
        for key, value in data.items():
            target = REFERENCE_KEYS.get(key)
            if target and isinstance(value, str):
                yield (*loc, key), target, value
            elif target and isinstance(value, list) and all(isinstance(v, str) for v in value):
                yield from (((*loc, key, i), target, v) for i, v in enumerate(value))
            else:
                yield from _references(value, (*loc, key))
    elif isinstance(data, list):
        for i, item in enumerate(data):
            yield from _references(item, (*loc, i))


def _broken_reference(ref: str, kind: str, entities: dict[str, dict[str, Any]]) -> str:
    other = [k for k, items in entities.items() if ref in items]
    if other:
        return f"'{ref}' is a {other[0]}, not a {kind}; name a {kind} here"
    close = difflib.get_close_matches(ref, list(entities[kind]), n=1, cutoff=0.6)
    hint = f"; did you mean '{close[0]}'?" if close else f"; add content/{kind}s/{ref}.yaml or fix the id"
    if kind == "context":
        hint = f"; did you mean '{close[0]}'?" if close else "; add a note under content/context/"
    return f"no {kind} with id '{ref}'{hint}"


def _check_attachments(incident: Any, document: Document, content_dir: Path) -> Iterable[Problem]:
    for i, attachment in enumerate(incident.attachments):
        if resolve_asset(content_dir, attachment.path) is None:
            yield document.problem(("attachments", i, "path"), f"attachment '{attachment.path}' must be a file "
                                   "under content/assets/ (no '..', absolute paths or links leading out)")


def resolve_asset(content_dir: Path, relative: str) -> Path | None:
    """Return the real path of an asset under content/assets/, or None if it leaves that folder or is missing."""
    if not relative or relative.startswith(("/", "\\")) or ":" in relative or "\\" in relative:
        return None
    root = (content_dir / "assets").resolve()
    candidate = (root / relative).resolve()
    if not candidate.is_relative_to(root) or not candidate.is_file():
        return None
    return candidate


def parse_text_yaml(text: str, rel: str) -> Any:
    """Parse a YAML string with the same safety rules as content files (for imports and tests)."""
    return parse_yaml(text, rel)[0]
