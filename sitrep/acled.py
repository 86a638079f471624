"""ACLED import: turn an ACLED export (CSV, 31 columns) into incident, actor, location and source files.

Imported files go under an `acled/` folder of each kind and start with a marker line naming the
ACLED event, its timestamp and a digest of the file. Re-importing compares timestamps: the same
export changes nothing, a newer one rewrites the incidents ACLED revised. A file whose marker was
deleted, or whose text no longer matches its digest, has been edited by hand and is never
overwritten; nor is any incident written by hand (no marker).

Choices made where ACLED says less than sitrep needs (also in docs/acled.md):
- ACLED's `fatalities` is its most conservative count of deaths for the whole event; it becomes the
  `killed` figure of one casualty report on the side attacked (actor 2; actor 1 for protests), with
  a note saying it is not split by side. ACLED does not count wounded, so they stay unknown.
- Each outlet in `source` becomes a source with reliability F (cannot be judged) unless a source of
  that name already exists, cited via ACLED with credibility 3 (possibly true): ACLED's coders
  reviewed the report, but the analyst has not read it. With no outlet named, ACLED itself is cited
  with credibility 6 (truth cannot be judged).
- Actors take their kind from the inter code; an associated actor, which has no code of its own,
  takes its main actor's kind unless its name says otherwise ("Civilians (Iraq)").
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import gzip
import hashlib
import json
import math
import re
import textwrap
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .console import plural
from .errors import ContentErrors, Problem, UsageError
from .load import Document, LoadFailed, discover, load_file, parse_yaml
from .maps import DATA_FILE
from .model import ACTOR_KIND_LABELS, ACTOR_KINDS, DISORDER_TYPES, EVENT_TYPES, SOURCE_SCALES
from .scaffold import MAX_ID, slug, unique_id
from .validate import to_entity

Progress = Callable[[str], None]
Track = Callable[[Sequence[Any], str], Iterable[Any]]

#: Columns an import cannot do without; the other ACLED columns are read when present.
REQUIRED = ("event_id_cnty", "event_date", "event_type", "sub_event_type", "actor1", "location", "latitude",
            "longitude")
ACLED_ID = re.compile(r"^[A-Z]{3}\d+$")
EVENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
#: A sitrep export names events it did not take from ACLED '<ISO3>-<incident id>'; the id comes back.
SITREP_EVENT = re.compile(r"^[A-Z]{3}-(?P<id>[a-z0-9][a-z0-9-]{0,79})$")
MARKER = re.compile(r"^# imported from ACLED: event (?P<event>\S+), timestamp (?P<ts>\d+), "
                    r"digest (?P<digest>[0-9a-f]{16})\b.*$")
MARKER_LINE = ("# imported from ACLED: event {event}, timestamp {ts}, digest {digest}. "
               "Delete this line to keep your edits when ACLED is imported again.\n")
#: What a sitrep export adds to notes when the killed figure was not exact (sitrep.render.exports).
EXPORT_NOTE = re.compile(r"\s*\[Fatalities (?:(?P<unknown>not reported); coded 0"
                         r"|reported as (?P<count>[^;\]]+); coded as the lowest figure)\.\]\s*$")
ACLED_SOURCE_ID = "acled"
CREDIBILITY_REVIEWED = 3  # possibly true: ACLED reviewed the report, the analyst has not read it
CREDIBILITY_UNSEEN = 6  # truth cannot be judged: no outlet named at all
FOLDER = "acled"

_INTER_LABELS = {label.lower(): kind for kind, label in ACTOR_KIND_LABELS.items()} | {
    "rebel groups": "rebel_group", "political militias": "political_militia", "identity militias":
    "identity_militia", "state forces": "state_forces", "external/other forces": "external_forces",
    "external/other": "external_forces", "other forces": "external_forces",
}
_KIND_BY_CODE = {str(code): kind for kind, code in ACTOR_KINDS.items()}
_NAME_KINDS = (("civilians", "civilians"), ("protesters", "protesters"), ("rioters", "rioters"),
               ("military forces of", "state_forces"), ("police forces of", "state_forces"))


@dataclass(frozen=True)
class ImportOptions:
    """What to import, into which content folder, and which events to keep."""

    file: Path
    content: Path
    countries: tuple[str, ...] = ()
    since: dt.date | None = None
    dry_run: bool = False


@dataclass
class ImportResult:
    """What an import did, for the summary."""

    file: Path
    rows: int = 0
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    skipped: dict[str, list[str]] = field(default_factory=dict)
    created: dict[str, list[str]] = field(default_factory=dict)

    def skip(self, reason: str, what: str) -> None:
        """Record an event left alone, and why."""
        self.skipped.setdefault(reason, []).append(what)


# --- Countries -----------------------------------------------------------------------------

@functools.cache
def _countries() -> tuple[dict[int, str], dict[str, str]]:
    """Return ISO numeric -> alpha-3 and lower-case name -> alpha-3, from the bundled border data."""
    entries = json.loads(gzip.decompress(DATA_FILE.read_bytes()))["countries"]
    numeric = {int(e["id"]): e["a3"] for e in entries if int(e["id"])}
    names = {e["name"].lower(): e["a3"] for e in entries} | {e["a3"].lower(): e["a3"] for e in entries}
    return numeric, names


def country_code(text: str) -> str | None:
    """Return the alpha-3 code of a country given by name, alpha-3 or ISO numeric code."""
    numeric, names = _countries()
    given = text.strip()
    if given.isdigit():
        return numeric.get(int(given))
    return names.get(given.lower())


def _row_country(values: dict[str, str]) -> str | None:
    for candidate in (values.get("iso", ""), values.get("country", ""), values.get("event_id_cnty", "")[:3]):
        code = country_code(candidate) if candidate.strip() else None
        if code:
            return code
    return None


# --- Reading the CSV -----------------------------------------------------------------------

@dataclass(frozen=True)
class Row:
    """One record of the export: its first line in the file and its values by column."""

    line: int
    raw: str
    values: dict[str, str]


@dataclass(frozen=True)
class Table:
    """The export's rows, its columns, and where the file is shown in messages."""

    shown: str
    columns: tuple[str, ...]
    rows: list[Row]
    delimiter: str

    def problem(self, row: Row, column: str, message: str) -> Problem:
        """Return a problem located at a row's field."""
        return Problem(self.shown, row.line, self._column(row, column), message)

    def _column(self, row: Row, column: str) -> int:
        if column not in self.columns:
            return 1
        offsets = _field_offsets(row.raw, self.delimiter)
        index = self.columns.index(column)
        return offsets[index] + 1 if index < len(offsets) else 1


def _field_offsets(line: str, delimiter: str) -> list[int]:
    """Return where each field of a CSV line starts (quotes respected)."""
    offsets, quoted = [0], False
    for index, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == delimiter and not quoted:
            offsets.append(index + 1)
    return offsets


def read_table(path: Path) -> Table:
    """Read an ACLED CSV export, raising ContentErrors when it cannot be one."""
    shown = str(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise UsageError(f"{path} does not exist") from None
    except IsADirectoryError:
        raise UsageError(f"{path} is a folder, not an ACLED CSV export") from None
    except UnicodeDecodeError as exc:
        line = text_line_of(path.read_bytes(), exc.start)
        raise ContentErrors([Problem(shown, line, 1, "the file is not UTF-8 text; export it from ACLED again "
                                     "as CSV")]) from None
    lines = text.splitlines()
    first = lines[0] if lines else ""
    delimiter = ";" if first.count(";") > first.count(",") else ","  # spreadsheets in some locales save ';'
    reader = csv.reader(text.splitlines(keepends=True), delimiter=delimiter, strict=True)
    try:
        header = tuple(h.strip().lower() for h in next(reader, []))
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise ContentErrors([Problem(shown, 1, 1, "not an ACLED export: missing column(s) "
                                         + ", ".join(missing) + "; expected ACLED's 31 columns starting "
                                         "event_id_cnty, event_date, year…")])
        rows = list(_records(reader, header, lines))
    except csv.Error as exc:
        raise ContentErrors([Problem(shown, reader.line_num, 1, f"broken CSV: {exc}")]) from None
    return Table(shown, header, rows, delimiter)


def text_line_of(data: bytes, offset: int) -> int:
    """Return the 1-based line holding a byte offset."""
    return data.count(b"\n", 0, offset) + 1


def _records(reader: Any, header: tuple[str, ...], lines: list[str]) -> Iterator[Row]:
    start = reader.line_num + 1
    for record in reader:
        if any(cell.strip() for cell in record):
            values = {name: (record[i].strip() if i < len(record) else "") for i, name in enumerate(header)}
            yield Row(start, lines[start - 1] if start <= len(lines) else "", values)
        start = reader.line_num + 1


# --- One ACLED event -----------------------------------------------------------------------

@dataclass(frozen=True)
class Side:
    """An ACLED actor and its kind."""

    name: str
    kind: str


@dataclass(frozen=True)
class Event:
    """One ACLED event, read and checked."""

    line: int
    event_id: str
    date: dt.date
    time_precision: int
    disorder_type: str | None
    event_type: str
    sub_event_type: str
    side1: list[Side]
    side2: list[Side]
    civilian_targeting: bool
    country: str
    admin1: str
    admin2: str
    admin3: str
    location: str
    latitude: float
    longitude: float
    geo_precision: int
    sources: list[str]
    source_scale: str
    notes: str
    killed: str | int | None
    tags: list[str]
    timestamp: int

    @property
    def acled_id(self) -> str | None:
        """Return the ACLED id when the event id is one (a sitrep export's own ids are not)."""
        return self.event_id if ACLED_ID.match(self.event_id) else None


def read_event(table: Table, row: Row) -> tuple[Event | None, list[Problem]]:
    """Return the event in a row, or the problems that stop it being read."""
    reader = _Cells(table, row)
    v = row.values
    event_type = reader.choice("event_type", tuple(EVENT_TYPES))
    sub_event_type = reader.choice("sub_event_type", EVENT_TYPES.get(event_type or "", ()))
    country = _row_country(v)
    if country is None:
        reader.fail("country", f"unknown country '{v.get('country', '')}' (iso '{v.get('iso', '')}')")
    notes, killed = _notes_and_killed(v.get("notes", ""), reader.count("fatalities"))
    event = Event(
        line=row.line, event_id=reader.event_id("event_id_cnty"), date=reader.date("event_date"),
        time_precision=reader.precision("time_precision"),
        disorder_type=v.get("disorder_type") if v.get("disorder_type") in DISORDER_TYPES else None,
        event_type=event_type or "", sub_event_type=sub_event_type or "",
        side1=_sides(v.get("actor1", ""), v.get("assoc_actor_1", ""), reader.inter("inter1")),
        side2=_sides(v.get("actor2", ""), v.get("assoc_actor_2", ""), reader.inter("inter2")),
        civilian_targeting=bool(v.get("civilian_targeting", "").strip()),
        country=country or "", admin1=v.get("admin1", ""), admin2=v.get("admin2", ""),
        admin3=v.get("admin3", ""), location=reader.required("location"),
        latitude=reader.coordinate("latitude", 90), longitude=reader.coordinate("longitude", 180),
        geo_precision=reader.precision("geo_precision"), sources=_split(v.get("source", "")),
        source_scale=v.get("source_scale", ""), notes=notes, killed=killed,
        tags=[t for t in _split(v.get("tags", "")) if len(t) <= 60], timestamp=reader.timestamp("timestamp"),
    )
    return (None, reader.problems) if reader.problems else (event, [])


class _Cells:
    """Read a row's cells, collecting a problem for each bad one."""

    def __init__(self, table: Table, row: Row) -> None:
        self.table, self.row = table, row
        self.problems: list[Problem] = []

    def fail(self, column: str, message: str) -> None:
        self.problems.append(self.table.problem(self.row, column, f"{column}: {message}"))

    def get(self, column: str) -> str:
        return self.row.values.get(column, "")

    def required(self, column: str) -> str:
        if not self.get(column):
            self.fail(column, "is empty")
        return self.get(column)

    def event_id(self, column: str) -> str:
        value = self.required(column)
        if value and not EVENT_ID.match(value):
            self.fail(column, f"'{value}' is not an event id such as IRQ12345")
        return value

    def choice(self, column: str, options: tuple[str, ...]) -> str | None:
        value = self.get(column)
        if value in options:
            return value
        if options:  # an unknown event type already failed; do not repeat it for the sub-event type
            self.fail(column, f"'{value}' is not one of {', '.join(options)}")
        return None

    def date(self, column: str) -> dt.date:
        value = self.get(column)
        for parse in (dt.date.fromisoformat, lambda text: dt.datetime.strptime(text, "%d %B %Y").date()):
            try:
                return parse(value)
            except ValueError:
                continue
        self.fail(column, f"'{value}' is not a date (YYYY-MM-DD)")
        return dt.date.min

    def precision(self, column: str) -> int:
        value = self.get(column) or "1"
        if value not in ("1", "2", "3"):
            self.fail(column, f"'{value}' is not 1, 2 or 3")
            return 1
        return int(value)

    def coordinate(self, column: str, limit: float) -> float:
        try:
            value = float(self.get(column))
        except ValueError:
            self.fail(column, f"'{self.get(column)}' is not a number")
            return 0.0
        if not -limit <= value <= limit:
            self.fail(column, f"{value} is outside -{limit:g}..{limit:g}")
        return value

    def count(self, column: str) -> int | None:
        value = self.get(column)
        if not value:
            return None
        if not value.isdigit():
            self.fail(column, f"'{value}' is not a whole number")
            return None
        return int(value)

    def timestamp(self, column: str) -> int:
        value = self.get(column) or "0"
        if not value.isdigit():
            self.fail(column, f"'{value}' is not a Unix time")
            return 0
        return int(value)

    def inter(self, column: str) -> str | None:
        value = self.get(column).strip()
        if value in ("", "0"):
            return None
        kind = _KIND_BY_CODE.get(value) or _INTER_LABELS.get(value.lower())
        if kind is None:
            self.fail(column, f"'{value}' is not an ACLED inter code (1-8 or a name such as 'State forces')")
        return kind


def _split(text: str) -> list[str]:
    return list(dict.fromkeys(part.strip() for part in text.split(";") if part.strip()))


def _sides(main: str, associated: str, kind: str | None) -> list[Side]:
    """Return an ACLED side: its main actor, then its associated actors."""
    if not main.strip():
        return []
    base = kind or _kind_from_name(main) or "external_forces"  # 8, External/Other: the kind is not known
    others = [name for name in _split(associated) if name != main.strip()]
    return [Side(main.strip(), base)] + [Side(name, _kind_from_name(name) or base) for name in others]


def _kind_from_name(name: str) -> str | None:
    lowered = name.lower()
    return next((kind for start, kind in _NAME_KINDS if lowered.startswith(start)), None)


def _notes_and_killed(notes: str, fatalities: int | None) -> tuple[str, str | int | None]:
    """Return the notes and the killed count, reading back what a sitrep export says of inexact counts."""
    match = EXPORT_NOTE.search(notes)
    if match is None:
        return notes.strip(), fatalities
    text = notes[:match.start()].strip()
    return text, "unknown" if match["unknown"] else match["count"].strip()


# --- What the content folder already holds -------------------------------------------------

@dataclass
class Existing:
    """The content folder's incidents by ACLED event, and its actors, places and sources by name."""

    content: Path
    #: ACLED event -> (file, timestamp, whether its text matches its digest, incident id)
    imported: dict[str, tuple[Path, int, bool, str]] = field(default_factory=dict)
    by_hand: dict[str, Path] = field(default_factory=dict)  # acled_id -> path
    taken: dict[str, set[str]] = field(default_factory=dict)
    names: dict[str, dict[Any, str]] = field(default_factory=dict)  # kind -> normalised key -> id
    places: list[tuple[str, str, float, float, str]] = field(default_factory=list)  # hand-written places

    @classmethod
    def read(cls, content: Path) -> Existing:
        """Index every content file; unreadable ones still reserve their names."""
        existing = cls(content, taken={k: set() for k in ("incident", "actor", "location", "source")},
                       names={k: {} for k in ("actor", "location", "source")})
        for kind, path in discover(content) if content.is_dir() else []:
            if kind in existing.taken:
                existing.add(kind, path)
        return existing

    def add(self, kind: str, path: Path) -> None:
        """Index one file."""
        self.taken[kind].add(path.stem)
        marker = _marker(path) if kind == "incident" else None
        try:
            data = load_file(kind, path, self.content).data
        except LoadFailed:
            data = {}
        entity_id = data.get("id") if isinstance(data.get("id"), str) else path.stem
        self.taken[kind].add(entity_id)
        if marker is not None:
            self.imported[marker[0]] = (path, marker[1], marker[2], entity_id)
        elif kind == "incident" and isinstance(data.get("acled_id"), str):
            self.by_hand[data["acled_id"]] = path
        elif kind != "incident":
            imported = path.parent.name == FOLDER
            for key in _name_keys(kind, data, by_name=not imported):
                self.names[kind].setdefault(key, entity_id)
            if kind == "source":
                self.names[kind].setdefault(("id", entity_id), entity_id)
            if kind == "location" and not imported and _has_place(data):
                self.places.append((data["country"], normal(data["name"]), data["latitude"],
                                    data["longitude"], entity_id))

    def nearby_place(self, country: str, name: str, latitude: float, longitude: float) -> str | None:
        """Return a hand-written place of the same country within 5 km whose name starts like name.

        ACLED names a base 'Kharab al-Jir' where the analyst wrote 'Kharab al-Jir base'.
        """
        wanted = normal(name)
        for place_country, place_name, lat, lon, entity_id in self.places:
            km = math.hypot(lat - latitude, (lon - longitude) * math.cos(math.radians(latitude))) * 111.2
            alike = place_name.startswith(wanted) or wanted.startswith(place_name)
            if place_country == country and km < 5 and alike:
                return entity_id
        return None


def _has_place(data: dict[str, Any]) -> bool:
    return (isinstance(data.get("name"), str) and isinstance(data.get("country"), str)
            and all(isinstance(data.get(k), (int, float)) for k in ("latitude", "longitude")))


def _marker(path: Path) -> tuple[str, int, bool] | None:
    """Return an imported file's event, timestamp and whether its text still matches its digest."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    first, _, rest = text.partition("\n")
    match = MARKER.match(first)
    if match is None:
        return None
    return match["event"], int(match["ts"]), _digest(rest) == match["digest"]


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def normal(name: str) -> str:
    """Return a name folded for matching: case, spacing and punctuation ignored."""
    return " ".join(re.sub(r"[^\w]+", " ", name.casefold()).split())


def _name_keys(kind: str, data: dict[str, Any], by_name: bool) -> Iterator[Any]:
    """Yield the keys an entity is found by: its names; a place also by name and coordinates.

    Places share names across provinces, so a place an import created is found again only by name
    and coordinates together; one written by hand is found by its name in its country.
    """
    names = [data.get("name"), data.get("short_name"), *(data.get("aliases") or [])]
    names += list((data.get("names") or {}).values()) if isinstance(data.get("names"), dict) else []
    for name in (n for n in names if isinstance(n, str) and n.strip()):
        if kind != "location":
            yield normal(name)
            continue
        if by_name:
            yield (data.get("country"), normal(name))
        if isinstance(data.get("latitude"), (int, float)) and isinstance(data.get("longitude"), (int, float)):
            yield (data.get("country"), normal(name), round(data["latitude"], 3), round(data["longitude"], 3))


# --- Planning: what to write ---------------------------------------------------------------

@dataclass(frozen=True)
class Planned:
    """A file to write and the ACLED line it comes from."""

    kind: str
    id: str
    path: Path
    text: str
    line: int


@dataclass
class Plan:
    """Every file an import writes, checked before any is written."""

    files: list[Planned] = field(default_factory=list)

    def add(self, item: Planned) -> None:
        """Add a file to write."""
        self.files.append(item)


class Planner:
    """Turn events into files, reusing the actors, places and sources the content already has."""

    def __init__(self, existing: Existing, result: ImportResult) -> None:
        self.existing = existing
        self.result = result
        self.plan = Plan()

    def incident(self, event: Event, entity_id: str | None, path: Path | None) -> list[Planned]:
        """Return the incident's file and any actor, place or source files it needs first."""
        needed: list[Planned] = []
        location = self._location(event, needed)
        side1 = [self._actor(side, event, needed) for side in event.side1]
        side2 = [self._actor(side, event, needed) for side in event.side2]
        citations = self._citations(event, needed)
        if entity_id is None:
            entity_id = unique_id(_incident_id(event, location), self.existing.taken["incident"])
        self.existing.taken["incident"].add(entity_id)
        data = incident_data(event, entity_id, location, side1, side2, citations)
        target = path or self._path("incident", entity_id)
        needed.append(Planned("incident", entity_id, target, _document(data, event), event.line))
        return needed

    def _path(self, kind: str, entity_id: str) -> Path:
        return self.existing.content / f"{kind}s" / FOLDER / f"{entity_id}.yaml"

    def _new(self, kind: str, key: Any, base: str, data: dict[str, Any], event: Event,
             needed: list[Planned]) -> str:
        entity_id = unique_id(slug(base) if slug(base) != "item" else kind, self.existing.taken[kind])
        self.existing.taken[kind].add(entity_id)
        self.existing.names[kind][key] = entity_id
        text = _entity_header(kind) + _yaml({"id": entity_id, **data})
        needed.append(Planned(kind, entity_id, self._path(kind, entity_id), text, event.line))
        return entity_id

    def _actor(self, side: Side, event: Event, needed: list[Planned]) -> str:
        key = normal(side.name)
        if key in self.existing.names["actor"]:
            return self.existing.names["actor"][key]
        country = _country_in_name(side.name)
        data = {"name": side.name, "kind": side.kind, **({"country": country} if country else {})}
        return self._new("actor", key, side.name, data, event, needed)

    def _location(self, event: Event, needed: list[Planned]) -> str:
        known = self.existing.names["location"]
        placed = (event.country, normal(event.location), round(event.latitude, 3), round(event.longitude, 3))
        found = known.get(placed) or known.get((event.country, normal(event.location))) \
            or self.existing.nearby_place(event.country, event.location, event.latitude, event.longitude)
        if found:
            return found
        data: dict[str, Any] = {"name": event.location, "kind": "other", "country": event.country}
        data |= {k: getattr(event, k) for k in ("admin1", "admin2", "admin3") if getattr(event, k)}
        data |= {"latitude": event.latitude, "longitude": event.longitude}
        taken_name = slug(event.location) in self.existing.taken["location"]
        base = f"{event.location} {event.admin1}" if taken_name and event.admin1 else event.location
        return self._new("location", placed, base, data, event, needed)

    def _source(self, name: str, event: Event, needed: list[Planned], scale: str) -> str:
        key = normal(name)
        known = self.existing.names["source"]
        if key in known:
            return known[key]
        if ("id", slug(name)) in known:
            return known[("id", slug(name))]
        data = {"name": name, "kind": "other", "reliability": "F", "scale": scale,
                "description": Block("Named as a source by ACLED. Reliability F (cannot be judged) until you "
                                     "grade it.")}
        source_id = self._new("source", key, name, data, event, needed)
        known[("id", source_id)] = source_id
        return source_id

    def _acled_source(self, event: Event, needed: list[Planned]) -> str:
        if ("id", ACLED_SOURCE_ID) in self.existing.names["source"]:
            return ACLED_SOURCE_ID
        data = {"name": "ACLED (Armed Conflict Location & Event Data)", "kind": "research",
                "reliability": "B", "scale": "International", "url": "https://acleddata.com",
                "description": Block("Conflict event dataset coded by ACLED's researchers from public "
                                     "reports. Graded B (usually reliable) by default; change the grade to "
                                     "your own.")}
        key = normal(data["name"])
        source_id = self._new("source", key, ACLED_SOURCE_ID, data, event, needed)
        self.existing.names["source"][("id", source_id)] = source_id
        return source_id

    def _citations(self, event: Event, needed: list[Planned]) -> list[dict[str, Any]]:
        via = self._acled_source(event, needed)
        # ACLED gives one scale for all of an event's sources ('National-International'): only a lone
        # source can take it as its own.
        single = event.source_scale in SOURCE_SCALES and len(event.sources) == 1
        scale = event.source_scale if single else "Other"
        cited = [self._source(name, event, needed, scale) for name in event.sources]
        if not cited:
            return [{"source": via, "credibility": CREDIBILITY_UNSEEN}]
        return [{"source": s, "via": via, "credibility": CREDIBILITY_REVIEWED} for s in dict.fromkeys(cited)
                if s != via] or [{"source": via, "credibility": CREDIBILITY_REVIEWED}]


def _country_in_name(name: str) -> str | None:
    """Return the country an ACLED actor name gives: 'Civilians (Iraq)', 'Military Forces of Iraq (2020-)'."""
    bracket = re.search(r"\(([^()]+)\)\s*$", name)
    forces = re.search(r"\bForces of (?:the )?(.+?)(?:\s*\(|$)", name)
    for match in (bracket, forces):
        code = country_code(match[1]) if match else None
        if code:
            return code
    return None


def _incident_id(event: Event, location: str) -> str:
    exported = SITREP_EVENT.match(event.event_id)
    if exported:
        return exported["id"]
    tail = f"-{slug(event.event_id)}"
    head = f"{event.date.isoformat()}-{slug(event.location, MAX_ID - 11 - len(tail))}"
    return head + tail


def incident_title(event: Event) -> str:
    """Return a title made from what ACLED says: 'Air/drone strike near Erbil'."""
    where = {1: "in", 2: "near", 3: "in the area of"}[event.geo_precision]
    return f"{event.sub_event_type} {where} {event.location}"


def incident_data(event: Event, entity_id: str, location: str, side1: list[str], side2: list[str],
                  citations: list[dict[str, Any]]) -> dict[str, Any]:
    """Return an incident's fields, in the order an analyst reads them."""
    data: dict[str, Any] = {
        "id": entity_id, "title": incident_title(event), "date": event.date,
        "time_precision": event.time_precision, "event_type": event.event_type,
        "sub_event_type": event.sub_event_type,
    }
    if event.disorder_type:
        data["disorder_type"] = event.disorder_type
    data["location"] = {"location": location, "geo_precision": event.geo_precision}
    data["perpetrators"] = list(dict.fromkeys(side1))
    data["targets"] = list(dict.fromkeys(side2))
    data["civilian_targeting"] = event.civilian_targeting
    summary = event.notes or f"ACLED recorded a {event.sub_event_type.lower()} at {event.location}."
    side = _casualty_side(event, side1, side2)
    if event.killed is not None and side is None:
        summary += f" ACLED records {event.killed} fatalities."
    data["summary"] = Block(summary)
    if event.killed is not None and side is not None:
        data["casualties"] = [{
            "side": side, "killed": event.killed,
            "note": "ACLED's count for the whole event (its most conservative estimate), not split by side.",
            "sources": citations,
        }]
    data["sources"] = citations
    if event.tags:
        data["tags"] = event.tags
    if event.acled_id:
        data["acled_id"] = event.acled_id
    if event.timestamp:
        data["updated"] = dt.datetime.fromtimestamp(event.timestamp, dt.UTC).date()
    return data


def _casualty_side(event: Event, side1: list[str], side2: list[str]) -> str | None:
    """Return the side ACLED's fatalities are put on: those attacked, or the protesters in a protest."""
    first = side1 if event.event_type == "Protests" else side2
    second = side2 if event.event_type == "Protests" else side1
    return (first or second or [None])[0]


class Block(str):
    """Long text written as a YAML '|' block, wrapped for reading in an editor."""


class _Dumper(yaml.SafeDumper):
    """YAML as an analyst writes it: indented lists, no anchors, long text as wrapped blocks."""

    def ignore_aliases(self, data: Any) -> bool:
        return True

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_block(dumper: yaml.SafeDumper, value: Block) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", _wrap(str(value)), style="|")


def _wrap(text: str, width: int = 96) -> str:
    """Return text wrapped at width with its paragraphs kept."""
    paragraphs = re.split(r"\n\s*\n", text.strip())
    filled = (textwrap.fill(" ".join(p.split()), width, break_on_hyphens=False, break_long_words=False)
              for p in paragraphs)
    return "\n\n".join(filled) + "\n"


_Dumper.add_representer(Block, _represent_block)


def _yaml(data: dict[str, Any]) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1000,
                     default_flow_style=False)


def _document(data: dict[str, Any], event: Event) -> str:
    body = _yaml(data)
    return MARKER_LINE.format(event=event.event_id, ts=event.timestamp, digest=_digest(body)) + body


def _entity_header(kind: str) -> str:
    return (f"# Created by an ACLED import; edit freely: an import never changes an existing {kind}.\n")


# --- The import ----------------------------------------------------------------------------

def import_acled(options: ImportOptions, progress: Progress = lambda message: None,
                 track: Track = lambda items, description: items) -> ImportResult:
    """Import an ACLED export into the content folder, reporting every problem before writing anything.

    progress hears each step; track may wrap the rows and events in a progress bar.
    """
    table = read_table(options.file)
    progress(f"read {len(table.rows):,} rows")
    countries = _wanted_countries(options.countries)
    result = ImportResult(options.file, rows=len(table.rows))
    events = _read_events(track(table.rows, "Checking rows"), table, countries, options.since, result)
    existing = Existing.read(options.content)
    progress("compared with the content folder")
    planner = Planner(existing, result)
    for event in track(events, "Comparing with the content"):
        _plan_event(planner, event, existing, result)
    if not options.dry_run:
        write_files(planner.plan.files)
    progress(f"wrote {len(planner.plan.files)} files")
    return result


def _wanted_countries(given: Iterable[str]) -> set[str]:
    wanted = set()
    for text in given:
        for part in text.split(","):
            code = country_code(part) if part.strip() else None
            if part.strip() and code is None:
                raise UsageError(f"--country {part.strip()}: not a country name, ISO alpha-3 or numeric code")
            if code:
                wanted.add(code)
    return wanted


def _read_events(rows: Iterable[Row], table: Table, countries: set[str], since: dt.date | None,
                 result: ImportResult) -> list[Event]:
    """Return the rows' events, newest version of each, after the --country and --since filters."""
    problems: list[Problem] = []
    latest: dict[str, Event] = {}
    for row in rows:
        event, row_problems = read_event(table, row)
        problems.extend(row_problems)
        if event is None:
            continue
        if countries and event.country not in countries:
            result.skip("outside --country " + ", ".join(sorted(countries)), event.event_id)
        elif since and event.date < since:
            result.skip(f"before --since {since.isoformat()}", event.event_id)
        elif event.event_id in latest:
            kept, dropped = sorted((latest[event.event_id], event), key=lambda e: (e.timestamp, e.line))[::-1]
            latest[event.event_id] = kept
            result.skip("listed twice in the export (the later timestamp was kept)",
                        f"{dropped.event_id} (line {dropped.line})")
        else:
            latest[event.event_id] = event
    if problems:
        raise ContentErrors(problems)
    return list(latest.values())


def _plan_event(planner: Planner, event: Event, existing: Existing, result: ImportResult) -> None:
    """Decide what happens to one event, and plan its files if it is added or updated."""
    if event.event_id in existing.imported:
        path, timestamp, intact, entity_id = existing.imported[event.event_id]
        shown = _shown(path, existing.content)
        if not intact:
            result.skip("edited by hand since the import (its ACLED line no longer matches)", shown)
        elif timestamp == event.timestamp:
            result.unchanged += 1
        elif event.timestamp < timestamp:
            result.skip("older than the version already imported", shown)
        else:
            _checked(planner, event, entity_id, path, result, result.updated)
        return
    if event.acled_id and event.acled_id in existing.by_hand:
        result.skip("written by hand (it has this acled_id but no ACLED import line)",
                    _shown(existing.by_hand[event.acled_id], existing.content))
        return
    _checked(planner, event, None, None, result, result.added)


def _checked(planner: Planner, event: Event, entity_id: str | None, path: Path | None, result: ImportResult,
             into: list[str]) -> None:
    """Plan an event's files if sitrep's own checks pass them; otherwise skip it and say why."""
    snapshot = {kind: (set(ids), dict(planner.existing.names.get(kind, {})))
                for kind, ids in planner.existing.taken.items()}
    files = planner.incident(event, entity_id, path)
    problems = [p for item in files for p in check_file(item, planner.existing.content)]
    if problems:
        for kind, (ids, names) in snapshot.items():  # forget the entities this event would have created
            planner.existing.taken[kind] = ids
            if kind in planner.existing.names:
                planner.existing.names[kind] = names
        result.skip(f"refused by sitrep's checks: {problems[0].message}",
                    f"{event.event_id} (line {event.line})")
        return
    for item in files:
        planner.plan.add(item)
        if item.kind != "incident":
            result.created.setdefault(item.kind, []).append(item.id)
    into.append(files[-1].id)


def check_file(item: Planned, content: Path) -> list[Problem]:
    """Return the problems sitrep's validation finds in one planned file."""
    rel = str(item.path)
    try:
        data, marks, key_marks = parse_yaml(item.text, rel)
    except LoadFailed as failure:
        return failure.problems
    problems: list[Problem] = []
    to_entity(Document(item.kind, item.path, rel, data, marks, key_marks), problems)
    return [p for p in problems if p.is_error]


def write_files(files: list[Planned]) -> None:
    """Write each planned file through a temporary name, so none is ever half written."""
    for item in files:
        item.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = item.path.with_name(f".{item.path.name}.tmp")
        temporary.write_text(item.text, encoding="utf-8")
        temporary.replace(item.path)


def _shown(path: Path, content: Path) -> str:
    try:
        return str(path.relative_to(content.parent))
    except ValueError:
        return str(path)


# --- The summary ---------------------------------------------------------------------------

def summary_lines(result: ImportResult, dry_run: bool = False) -> list[str]:
    """Return what the import added, updated and skipped, and why."""
    would = "would be " if dry_run else ""
    created = ", ".join(plural(len(ids), kind) for kind, ids in sorted(result.created.items()))
    lines = [f"ACLED import of {result.file}: {plural(result.rows, 'row')}"
             + (" (dry run: nothing written)" if dry_run else ""),
             f"  {would}added: {plural(len(result.added), 'incident')}" + _listed(result.added)
             + (f"; new {created}" if created else ""),
             f"  {would}updated: {plural(len(result.updated), 'incident')}" + _listed(result.updated)
             + (" (ACLED revised them since the last import)" if result.updated else ""),
             f"  unchanged: {plural(result.unchanged, 'incident')}"]
    skipped = sum(len(items) for items in result.skipped.values())
    lines.append(f"  skipped: {plural(skipped, 'event')}")
    for reason, items in sorted(result.skipped.items()):
        lines.append(f"    {len(items)} {reason}:{_listed(items).removeprefix(':')}")
    if result.added or result.updated:
        lines.append("Imported events are for analysis: ACLED's terms restrict republishing its data, so a "
                     "published site should show your own incidents (see docs/acled.md).")
    return lines


def _listed(items: list[str], limit: int = 5) -> str:
    if not items:
        return ""
    more = f", and {len(items) - limit} more" if len(items) > limit else ""
    return ": " + ", ".join(items[:limit]) + more
