"""Validate stage: turn loaded documents into typed entities, and check them against each other.

Every problem is collected with its file, line and column before anything stops, so an analyst
fixes a whole batch in one pass (as mkdocs' Config.validate does).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import functools
import os
import re
import typing
import zoneinfo
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pydantic

from . import sourcing
from .errors import Problem, editor_lines
from .load import Document, LoadFailed, Mark, discover, load_file, parse_yaml, shorten
from .model import (CONFIDENCE_LEVELS, ENTITY_CLASSES, LIKELIHOOD_ROWS, Brief, Entity, Origin, Project,
                    SiteConfig, Sharing, narrower_than_site, tlp_message)
from .same_event import duplicate_warnings

#: One for the process: parts equal across files are kept once (model.Sharing).
SHARING = Sharing()

#: Keys whose values are ids of another entity, and the kind they must name.
REFERENCE_KEYS: dict[str, str] = {
    "location": "location", "within": "location",
    "actor": "actor", "by": "actor", "side": "actor", "sides": "actor", "perpetrators": "actor",
    "targets": "actor",
    "part_of": "actor",
    "source": "source", "via": "source", "document": "document", "relays": "document",
    "context": "context", "incidents": "incident", "same_as": "incident", "not_same_as": "incident",
}
#: Keys that may also name an entity of another kind: an attribution can come from a monitor (a source).
ALSO_ALLOWED: dict[str, tuple[str, ...]] = {"by": ("source",)}
#: A location more than this far outside its stated country is a typo (a swapped sign, lat for lon).
MAX_KM_OUTSIDE_COUNTRY = 50.0


@dataclass(frozen=True)
class Known:
    """A file validated before and unchanged since, whose references all resolve: it is not read again."""

    entity: Entity
    path: Path
    rel: str
    line: int  # where its data starts
    digest: str
    warnings: tuple[Problem, ...]

    def mark(self, loc: tuple[Any, ...]) -> Mark:
        """Return where the file's data starts (all that is asked of a file that has no problem)."""
        return Mark(self.line, 1)


def load_project(content_dir: Path, known: Mapping[Path, Known] | None = None
                 ) -> tuple[Project | None, list[Problem]]:
    """Load, validate and cross-check a content tree; return the project (None on errors) and every problem.

    The files in known (by path, as discover names them) are taken as they are instead of being read:
    the build's cache knows them valid, and they are neither duplicates nor name anything missing.
    """
    problems: list[Problem] = []
    site = load_site(content_dir, problems)
    entities: dict[str, dict[str, tuple[Entity, Document]]] = {kind: {} for kind in ENTITY_CLASSES}
    broken: dict[str, set[str]] = {kind: set() for kind in ENTITY_CLASSES}
    unvalidated: list[Document] = []  # parsed but refused: their references are checked all the same
    for kind, path in discover(content_dir):
        if known and path in known:
            item = known[path]
            problems.extend(item.warnings)
            entities[kind][item.entity.id] = (item.entity, item)  # type: ignore[assignment]
            continue
        try:
            document = load_file(kind, path, content_dir)
        except LoadFailed as failure:
            problems.extend(failure.problems)
            broken[kind].add(path.stem)  # its id is unknown; files are usually named after their ids
            continue
        entity = to_entity(document, problems)
        if entity is not None:
            _register(entity, document, entities[kind], problems)
        else:
            claimed = document.data.get("id")
            broken[kind].update({path.stem, claimed} if isinstance(claimed, str) else {path.stem})
            unvalidated.append(document)
    flagged = {(p.path, p.line, p.column) for p in problems}  # one message per spot: the schema's first
    problems.extend(p for p in cross_check(entities, content_dir, broken, unvalidated)
                    if (p.path, p.line, p.column) not in flagged)
    if site is not None:
        problems.extend(tlp_problems(site.tlp, entities["brief"], content_dir))
    if any(p.is_error for p in problems) or site is None:
        return None, sorted(problems)
    project = _project(site, entities)

    def locate(kind: str, key: str, loc: sourcing.Loc, message: str) -> Problem:
        document = entities[kind][key][1]
        if isinstance(document, Known):  # unread, from the cache: only ever when another file has an error
            document = load_file(kind, document.path, content_dir)
        return document.problem(loc, message, severity="warning")

    problems.extend(sourcing_problems(project, locate))
    problems.extend(duplicate_warnings(project))
    return project, sorted(problems)


def tlp_problems(site_tlp: str, briefs: Mapping[str, tuple[Entity, Document]], content_dir: Path) -> list[Problem]:
    """Return an error at the tlp of each brief marked for fewer readers than the website that publishes it."""
    problems = []
    for brief, document in briefs.values():
        tlp = getattr(brief, "tlp", None)
        if narrower_than_site(tlp, site_tlp):
            if isinstance(document, Known):  # from the cache, unread
                document = load_file("brief", document.path, content_dir)
            problems.append(document.problem(("tlp",), tlp_message(tlp, site_tlp)))
    return problems


def sourcing_problems(project: Project, locate: Callable[[str, str, sourcing.Loc, str], Problem]
                      ) -> list[Problem]:
    """Return, as warnings, what an editor would query in the sourcing (see sitrep.sourcing).

    locate(kind, id, loc, message) returns the warning placed at loc in the file of that entity.
    """
    findings = [*sourcing.grade_findings(project), *sourcing.cutoff_findings(project)]
    return [locate(f.kind, f.entity_id, f.loc, f.message) for f in findings]


def finding_marks(document: Document, entity: Entity) -> bytes:
    """Return the line and column of every place a sourcing finding about entity can point at, packed.

    Findings across files (a grade one chain cannot earn, a report later than a brief's cut-off) depend on
    other files; keeping these positions with the file's cached entity lets a warning about a file that
    did not change be placed without parsing it again.
    """
    marks = array("I")
    for loc in sourcing.finding_locs(document.kind, entity):
        mark = document.mark(loc)
        marks.extend((mark.line, mark.column))
    return marks.tobytes()


def kept_warning(kind: str, entity: Entity, rel: str, marks: bytes, loc: sourcing.Loc,
                 message: str) -> Problem | None:
    """Return the warning at loc from positions kept by finding_marks; None if they do not hold loc."""
    locs = sourcing.finding_locs(kind, entity)
    packed = array("I", marks)
    if loc not in locs or len(packed) != 2 * len(locs):
        return None
    i = 2 * locs.index(loc)
    return Problem(rel, packed[i], packed[i + 1], message, "warning")


def load_site(content_dir: Path, problems: list[Problem]) -> SiteConfig | None:
    """Read content/site.yaml (all settings optional); None if it is broken."""
    path = content_dir / "site.yaml"
    if not path.is_file() and not path.is_symlink():  # a link is refused by load_file, even a broken one
        return SiteConfig()
    try:
        document = load_file("site", path, content_dir)
    except LoadFailed as failure:
        problems.extend(failure.problems)
        return None
    try:
        site = SiteConfig.model_validate(document.data)
    except pydantic.ValidationError as exc:
        problems.extend(_pydantic_problems(exc, document, SiteConfig))
        return None
    site_problems = list(_check_timezone(document))
    theme_message = theme_problem(site.theme, content_dir) if site.theme else None
    if theme_message:
        site_problems.append(document.problem(("theme",), theme_message))
    problems.extend(site_problems)
    return None if site_problems else site


def theme_problem(theme: str, content_dir: Path) -> str | None:
    """Return why site.yaml may not name this theme folder, or None if it may.

    A theme is code: its templates run during the build. Content arrives from many hands, so a theme
    named in content/site.yaml must be a folder the site's owner controls, outside content/ (issue 13).
    """
    folder = content_dir.parent / theme
    if ".." in theme.split("/"):
        return f"theme folder '{theme}' leaves the folder holding content/; name a folder next to content/"
    # Both as written (a symlink inside content/ is content's to point anywhere) and as resolved.
    if _overlaps(Path(os.path.normpath(folder.absolute())), Path(os.path.normpath(content_dir.absolute()))) \
            or _overlaps(Path(os.path.realpath(folder)), Path(os.path.realpath(content_dir))):
        return (f"theme folder '{theme}' is inside content/ (or holds it): a theme is code, its templates run "
                "during the build, so it may not come from content/; put it in a folder next to content/ "
                "(theme: house-style) or pass --theme")
    if not folder.is_dir():
        return f"theme folder '{theme}' not found next to content/; create it or remove the setting"
    return None


def _overlaps(folder: Path, content: Path) -> bool:
    """Return True if folder is content, lies inside it, or holds it."""
    return folder == content or content in folder.parents or folder in content.parents


def site_theme(content_dir: Path) -> Path | None:
    """Return the theme folder content/site.yaml names, if any (problems are reported by the build)."""
    site = load_site(content_dir, [])
    return content_dir.parent / site.theme if site is not None and site.theme else None


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
        schema_problems = _pydantic_problems(exc, document, cls)
        flagged = {(p.line, p.column) for p in schema_problems}
        problems.extend(schema_problems)
        problems.extend(p for p in check_data(document) if (p.line, p.column) not in flagged)
        return None
    problems.extend(check_entity(entity, document))
    return SHARING.entity(entity)


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
                   briefs=plain("brief"), context=plain("context"), origins=origins,
                   documents=plain("document"))


# --- Turning pydantic's errors into path:line:col messages ---------------------------------

def _pydantic_problems(exc: pydantic.ValidationError, document: Document, cls: type) -> list[Problem]:
    errors = exc.errors(include_url=False)
    suggested = set()  # (parent loc, field) offered for a misspelt key: 'missing title' would repeat it
    problems = []
    for error in errors:
        loc = tuple(error["loc"])
        if error["type"] == "extra_forbidden":
            message, suggestion = _unknown_key_message(cls, loc)
            suggested.add((loc[:-1], suggestion))
            problems.append(document.problem(loc, message, key=True))
    for error in errors:
        loc = tuple(error["loc"])
        if error["type"] == "extra_forbidden":
            continue
        if error["type"] == "missing":
            if (loc[:-1], loc[-1]) not in suggested:
                problems.append(document.problem(loc[:-1], f"missing required field '{loc[-1]}'"))
            continue
        text = _value_message(error, loc)
        problems.append(document.problem(_field_named_in(text, loc, document.data), text))
    return problems


def _unknown_key_message(cls: type, loc: tuple[Any, ...]) -> tuple[str, str | None]:
    """Return the message for an unknown key, and the field it suggests instead (if any)."""
    key = str(loc[-1])
    model = _model_at(cls, loc[:-1])
    message = f"unknown key '{shorten(key)}'"
    if model is not None:
        close = difflib.get_close_matches(key, list(model.model_fields), n=1, cutoff=0.6)
        if close:
            return f"{message}; did you mean '{close[0]}'?", close[0]
        return f"{message}; allowed keys: {', '.join(model.model_fields)}", None
    return message, None


def _field_named_in(message: str, loc: tuple[Any, ...], data: Any) -> tuple[Any, ...]:
    """Return loc, or for a check spanning a whole mapping the first of its keys the message names."""
    value = _value_at(data, loc)
    if not isinstance(value, dict):
        return loc
    for word in re.findall(r"[a-z_]+", message):
        if word in value:
            return (*loc, word)
    return loc


def _value_at(data: Any, loc: tuple[Any, ...]) -> Any:
    for part in loc:
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
        else:
            return None
    return data


#: pydantic's wording for a wrong type, said the way an analyst reads YAML.
_EXPECTED_TYPES = {
    "list_type": "a list (one '- ' line per item)", "dict_type": "a mapping (indented 'key: value' lines)",
    "model_type": "a mapping (indented 'key: value' lines)", "model_attributes_type":
    "a mapping (indented 'key: value' lines)", "string_type": "text", "int_type": "a whole number",
    "int_parsing": "a whole number", "float_type": "a number", "float_parsing": "a number",
    "bool_type": "true or false", "bool_parsing": "true or false",
}


def _value_message(error: dict[str, Any], loc: tuple[Any, ...]) -> str:
    field = ".".join(str(part) for part in loc)
    text = shorten(error["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, "), None)
    kind = error["type"]
    given = error.get("input")
    ctx = error.get("ctx", {})
    if kind == "literal_error":
        expected = re.findall(r"'([^']*)'", ctx.get("expected", ""))
        hint = _did_you_mean(str(given), expected)
        text = f"'{shorten(given)}' is not allowed; expected {ctx['expected']}{hint}"
    elif kind == "string_pattern_mismatch" and field.endswith("id"):
        text = f"'{shorten(given)}' is not a valid id; use lower-case letters, digits and hyphens"
    elif kind in _EXPECTED_TYPES:
        text = f"expected {_EXPECTED_TYPES[kind]}, found {_describe_value(given)}"
    elif isinstance(given, float) and given != given:  # .nan compares false with every limit
        text = "expected a number, found .nan"
    elif kind in ("less_than_equal", "greater_than_equal"):
        limit, word = (ctx["le"], "largest") if "le" in ctx else (ctx["ge"], "smallest")
        size = "large" if word == "largest" else "small"
        text = f"{shorten(given)} is too {size}; the {word} allowed is {_number(limit)}"
    elif kind.startswith(("date_", "datetime_")):
        text = _date_message(given, datetime=kind.startswith("datetime_"))
    elif kind == "string_too_short" and ctx.get("min_length") == 1:
        text = "must not be empty"
    elif kind == "too_short" and ctx.get("min_length") == 1:
        text = "needs at least one entry"
    if not field or text.startswith(str(loc[-1])):  # the model's own message already names the field
        return text
    return f"{field}: {text}"


_WRITTEN_DATE = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$")


def _date_message(given: Any, datetime: bool = False) -> str:
    """Return what to write instead of a date sitrep cannot read: YYYY-MM-DD, read from the text if it can."""
    form = "YYYY-MM-DDTHH:MM:SS+03:00 (with its UTC offset)" if datetime else "YYYY-MM-DD"
    shown = f"'{shorten(given)}'" if isinstance(given, str) else _describe_value(given)
    message = f"{shown} is not a {'date and time' if datetime else 'date'}; write {form}"
    match = _WRITTEN_DATE.match(given) if isinstance(given, str) else None
    if match is None:
        return message
    first, second, year = (int(part) for part in match.groups())
    readings = []
    for day, month in ((first, second), (second, first)):  # day first (29/01) as in most of the world
        with contextlib.suppress(ValueError):
            readings.append(dt.date(year, month, day).isoformat())
    readings = list(dict.fromkeys(readings))
    if len(readings) == 1:
        return f"{message}: {readings[0]}"
    if readings:
        return f"{message}: {readings[0]} if the day comes first, {readings[1]} if the month does"
    return message


def _did_you_mean(given: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(given, choices, n=1, cutoff=0.6)
    if not close and given.strip():
        close = [c for c in choices if c.lower().startswith(given.strip().lower())][:1]
    return f"; did you mean '{close[0]}'?" if close else ""


def _describe_value(value: Any) -> str:
    if isinstance(value, str):
        return f"text '{shorten(value)}'"
    if isinstance(value, bool):
        return f"{str(value).lower()}"
    if value is None:
        return "nothing"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    return {list: "a list", dict: "a mapping"}.get(type(value), type(value).__name__)


def _number(value: Any) -> str:
    """Return 90 for 90.0: limits are written as whole numbers in the analyst guide."""
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)




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
    problems = check_data(document)
    if document.kind == "location" and not problems:
        problems.extend(_check_coordinates(entity, document))
    if isinstance(entity, Brief):
        problems.extend(check_estimative_language(entity, document))
    problems.extend(_placeholders(document.data, document))
    return problems


def _placeholders(data: Any, document: Document, loc: tuple[Any, ...] = ()) -> Iterator[Problem]:
    """Warn on 'TODO' text left by `build.py new`: it passes the checks but must not be published."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _placeholders(value, document, (*loc, key))
    elif isinstance(data, list):
        for i, item in enumerate(data):
            yield from _placeholders(item, document, (*loc, i))
    elif isinstance(data, str) and re.search(r"\bTODO\b", data):
        field = ".".join(str(part) for part in loc)
        yield document.problem(loc, f"{field} still holds a TODO placeholder; write it before publishing",
                               severity="warning")


def check_data(document: Document) -> list[Problem]:
    """Return unknown country codes and time zones, read from the raw data (the schema may have failed)."""
    problems = []
    for loc, code in _country_fields(document.data):
        if re.fullmatch(r"[A-Z]{3}", code) and _country_info(code) is None:
            problems.append(document.problem(loc, f"unknown country code '{code}'; use ISO 3166 alpha-3, "
                                             "e.g. IRQ, SYR, JOR"))
    problems.extend(_check_timezone(document))
    return problems


def _country_info(code: str) -> Any:
    """Return geo.country_info(code), importing the maps' country shapes only for files naming one."""
    from . import geo

    return geo.country_info(code)


def _check_timezone(document: Document) -> Iterator[Problem]:
    timezone = document.data.get("timezone")
    if isinstance(timezone, str) and not _valid_timezone(timezone):
        close = difflib.get_close_matches(timezone, _timezone_names(), n=1, cutoff=0.8)
        hint = f"did you mean '{close[0]}'?" if close else "use an IANA name such as Asia/Baghdad"
        yield document.problem(("timezone",), f"unknown time zone '{shorten(timezone)}'; {hint}")


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
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):  # 'Asia' is a folder: IsADirectoryError
        return False
    return True


@functools.cache
def _timezone_names() -> list[str]:
    return sorted(zoneinfo.available_timezones())


def _check_coordinates(location: Any, document: Document) -> list[Problem]:
    from . import geo

    if not location.located:
        return []
    km = geo.distance_outside_country_km(location.country, location.latitude, location.longitude)
    if km is None or km <= MAX_KM_OUTSIDE_COUNTRY:
        return []
    return [document.problem(("latitude",), f"coordinates {location.latitude}, {location.longitude} lie "
                             f"about {km:,.0f} km outside {location.country}; check the signs and that "
                             "latitude and longitude are not swapped")]


_CONFIDENCE_RE = re.compile(r"\b(" + "|".join(CONFIDENCE_LEVELS) + r")[- ]confidence\b", re.IGNORECASE)


def check_estimative_language(brief: Brief, document: Document) -> list[Problem]:
    """Warn on ICD 203 misuse: terms from both rows of its table, or likelihood with confidence."""
    problems = []
    uses: list[tuple[tuple[Any, ...], str]] = []  # (place, term) in reading order
    for loc, text in _brief_texts(brief):
        uses.extend((loc, term.lower()) for term in _TERM_RE.findall(text))
        if any(_TERM_RE.search(s) and _CONFIDENCE_RE.search(s) for s in _sentences(text)):
            problems.append(document.problem(loc, "a likelihood term and a confidence level in the same "
                                             "sentence (ICD 203); give the confidence in its own sentence "
                                             "or in the 'confidence' field", severity="warning"))
        if loc[0] == "key_judgments" and brief.key_judgments[loc[1]].likelihood:
            uses.append(((*loc[:2], "likelihood"), str(brief.key_judgments[loc[1]].likelihood)))
    if uses:
        first = uses[0][1]
        mixed = next(((loc, term) for loc, term in uses if _table_row(term) != _table_row(first)), None)
        if mixed:
            problems.append(document.problem(mixed[0], f"'{mixed[1]}' is from the other row of the ICD 203 "
                                             f"table than '{first}'; use one row of terms throughout a brief",
                                             severity="warning"))
    return problems


def _brief_texts(brief: Brief) -> Iterator[tuple[tuple[Any, ...], str]]:
    """Yield the place and text of every judgment a brief's reader sees, in reading order."""
    yield ("summary",), brief.summary
    for i, judgment in enumerate(brief.key_judgments):
        yield ("key_judgments", i, "text"), judgment.text
    for i, section in enumerate(brief.sections):
        yield ("sections", i, "assessment"), section.assessment
    yield ("outlook",), brief.outlook


_TERMS = {term: column for row in LIKELIHOOD_ROWS for column, term in enumerate(row[:2])}
# 'remote' is a likelihood only as in "a remote chance"; "remote explosive" is an ACLED sub-event type.
_TERM_RE = re.compile(r"\b(" + "|".join(sorted((re.escape(t) for t in _TERMS if t != "remote"), key=len,
                                               reverse=True))
                      + r"|remote(?=\s+(?:chance|possibility|prospect|likelihood|probability)\b)"
                      + r"|(?<=\bis )remote|(?<=\bremains )remote|(?<=\bseems )remote)\b", re.IGNORECASE)


def _table_row(term: str) -> int:
    """Return 0 for ICD 203's main terms, 1 for their alternatives."""
    return _TERMS[term.lower()]


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text) if s.strip()]


# --- Cross-file checks --------------------------------------------------------------------

def cross_check(entities: dict[str, dict[str, tuple[Entity, Document]]], content_dir: Path,
                broken: dict[str, set[str]] | None = None,
                unvalidated: Iterable[Document] = ()) -> list[Problem]:
    """Return broken references, wrong-kind references and unsafe asset paths, across all files.

    References to the ids in broken (files that already failed) are not reported again: the
    analyst fixes the file itself, not every file that names it. The references of files that
    parsed but were refused (unvalidated) are checked too, so that one run reports every mistake.
    """
    broken = broken or {}
    problems = []
    for kind, items in entities.items():
        for entity, document in items.values():
            if isinstance(document, Known):
                continue
            problems.extend(_reference_problems(document, entities, broken))
            if kind == "incident":
                problems.extend(_check_attachments(entity, document, content_dir))
    for document in unvalidated:
        problems.extend(_reference_problems(document, entities, broken))
    problems.extend(_cycle_problems(entities))
    for items in entities.values():
        for _, document in items.values():
            if not isinstance(document, Known):
                problems.extend(_image_problems(document, content_dir))
    return problems


#: Fields holding Markdown, whose images the PDF renderer fetches from content/assets/.
MARKDOWN_KEYS = frozenset({"summary", "assessment", "outlook", "profile", "description", "body"})


def markdown_images(document: Document) -> Iterator[tuple[tuple[Any, ...], str]]:
    """Yield (where, src) for each content/assets/ image the document's Markdown shows."""
    texts = list(_markdown_texts(document.data))
    if document.kind == "context":
        texts.append((("body",), document.body))
    # a text that does not name assets/ shows none of them (asset_images): nearly every file, whose check
    # need not import the Markdown renderer
    if any("assets/" in text for _loc, text in texts):
        from .render.text import asset_images  # the renderer's own reading of the Markdown

        for loc, text in texts:
            yield from ((loc, src) for src in asset_images(text))


def _markdown_texts(data: Any, loc: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    if isinstance(data, dict):
        for key, value in data.items():
            if key in MARKDOWN_KEYS and isinstance(value, str):
                yield (*loc, key), value
            elif isinstance(value, (dict, list)):
                yield from _markdown_texts(value, (*loc, key))
    elif isinstance(data, list):
        for i, item in enumerate(data):
            yield from _markdown_texts(item, (*loc, i))


def _image_problems(document: Document, content_dir: Path) -> Iterator[Problem]:
    """Yield a problem at each Markdown image that is no file under content/assets/ (the PDF would refuse it)."""
    for loc, src in markdown_images(document):
        if resolve_asset(content_dir, src.removeprefix("assets/")) is None:
            line, column = _reference_position(document, loc, src)
            yield Problem(document.rel, line, column, f"image '{shorten(src)}' must be a file under "
                          "content/assets/ (it is missing, or a link leads out of the folder); add the file "
                          "or remove the image")


def _reference_position(document: Document, loc: tuple[Any, ...], text: str) -> tuple[int, int]:
    """Return the line and column where text is written in the value at loc (read again: errors are rare)."""
    start = document.body_line if loc == ("body",) else document.mark(loc).line
    try:
        lines = editor_lines(document.path.read_text(encoding="utf-8"))
    except OSError:
        lines = []
    for number in range(max(start, 1), len(lines) + 1):
        column = lines[number - 1].find(text)
        if column >= 0:
            return number, column + 1
    mark = document.mark(loc)
    return mark.line, mark.column


#: Keys that place an entity inside another of its kind: following them must never come back.
CONTAINMENT = {"location": ("within", "place", "lie within"), "actor": ("part_of", "group", "be part of")}


def _cycle_problems(entities: dict[str, dict[str, tuple[Entity, Document]]]) -> Iterator[Problem]:
    """Yield a problem at each 'within' (or 'part_of') that closes a circle: A within B within A."""
    for kind, (key, noun, verb) in CONTAINMENT.items():
        parents = {id_: getattr(entity, key) for id_, (entity, _) in entities[kind].items()}
        for id_, circle in containment_cycles(parents).items():
            document = entities[kind][id_][1]
            chain = " → ".join(f"'{step}'" for step in circle)
            yield document.problem((key,), f"a {noun} cannot {verb} itself ({chain}); remove '{key}' from "
                                   f"one of them")


def containment_cycles(parents: dict[str, str | None]) -> dict[str, list[str]]:
    """Return each id on a cycle of parents, with the circle from it back to itself."""
    cycles: dict[str, list[str]] = {}
    settled: set[str] = set()
    for start in parents:
        path: list[str] = []
        current: str | None = start
        while current is not None and current in parents and current not in settled and current not in path:
            path.append(current)
            current = parents[current]
        if current is not None and current in path:
            circle = path[path.index(current):]
            for i, member in enumerate(circle):
                cycles[member] = [*circle[i:], *circle[:i], member]
        settled.update(path)
    return cycles


def _reference_problems(document: Document, entities: dict[str, dict[str, Any]],
                        broken: dict[str, set[str]]) -> Iterator[Problem]:
    """Yield a problem for each id in a document that names nothing of the kind its key needs."""
    for loc, target_kind, ref in _references(document.data):
        kinds = (target_kind, *ALSO_ALLOWED.get(loc[-1], ()))
        if any(ref in entities[k] or ref in broken.get(k, ()) for k in kinds):
            continue
        yield document.problem(loc, _broken_reference(ref, kinds, entities, broken))


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


def _broken_reference(ref: str, kinds: tuple[str, ...], entities: dict[str, dict[str, Any]],
                      broken: dict[str, set[str]]) -> str:
    wanted = " or ".join(kinds)
    other = [k for k, items in entities.items() if ref in items]
    if other:
        return f"'{shorten(ref)}' is {_a(other[0])}, not {_a(wanted)}; name {_a(wanted)} here"
    known = sorted({key for kind in kinds for key in (*entities[kind], *broken.get(kind, ()))})
    close = difflib.get_close_matches(ref, known, n=1, cutoff=0.6)
    hint = (f"; did you mean '{close[0]}'?" if close
            else f"; add content/{kinds[0]}s/{shorten(ref)}.yaml or fix the id")
    if kinds[0] == "context":
        hint = f"; did you mean '{close[0]}'?" if close else "; add a note under content/context/"
    return f"no {wanted} with id '{shorten(ref)}'{hint}"


def _a(noun: str) -> str:
    return f"an {noun}" if noun[0] in "aeiou" else f"a {noun}"


#: Attachments are published under media/ on the site's own address, where an HTML page, an SVG or
#: other XML would run its scripts for every reader: only formats a browser does not run are taken.
ATTACHMENT_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".pdf", ".csv", ".txt")


def _check_attachments(incident: Any, document: Document, content_dir: Path) -> Iterable[Problem]:
    for i, attachment in enumerate(incident.attachments):
        message = attachment_problem(content_dir, attachment.path)
        if message:
            yield document.problem(("attachments", i, "path"), message)


def attachment_problem(content_dir: Path, path: str) -> str | None:
    """Return what is wrong with an attachment's path, or None if it can be published."""
    if resolve_asset(content_dir, path) is None:
        return (f"attachment '{shorten(path)}' must be a file under content/assets/ "
                "(no '..', absolute paths or links leading out)")
    if not path.lower().endswith(ATTACHMENT_SUFFIXES):
        return (f"attachment '{shorten(path)}' is not an image (.png, .jpg, .gif, .webp), PDF, CSV or text "
                "file; pages, SVG and scripts would run in readers' browsers")
    return None


def resolve_asset(content_dir: Path, relative: str) -> Path | None:
    """Return the real path of an asset under content/assets/, or None if missing or leading out of it."""
    if (not relative or relative.startswith(("/", "\\")) or any(c in relative for c in ":\\\0")
            or ".." in relative.split("/")):
        return None
    try:
        root = (content_dir / "assets").resolve()
        candidate = (root / relative).resolve()
        if not candidate.is_relative_to(root) or not candidate.is_file():
            return None
    except (OSError, RuntimeError):  # a name too long for the file system, a symlink loop
        return None
    return candidate


def parse_text_yaml(text: str, rel: str) -> Any:
    """Parse a YAML string with the same safety rules as content files (for imports and tests)."""
    return parse_yaml(text, rel)[0]
