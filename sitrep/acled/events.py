"""Reading an ACLED export: its rows, checked one by one, become Events; any bad cell is a path:line:col problem."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import gzip
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ContentErrors, Problem, UsageError
from ..maps import DATA_FILE
from ..model import ACTOR_KIND_LABELS, ACTOR_KINDS, DISORDER_TYPES, EVENT_TYPES

#: Columns an import cannot do without; the other ACLED columns are read when present.
REQUIRED = ("event_id_cnty", "event_date", "event_type", "sub_event_type", "actor1", "location", "latitude",
            "longitude")
#: Columns whose text an import keeps when sitrep would write it otherwise (sitrep.model.AcledText).
KEPT_AS_TEXT = ("event_date", "latitude", "longitude", "inter1", "inter2", "interaction", "source_scale")
ACLED_ID = re.compile(r"^[A-Z]{3}\d+$")
EVENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
#: A sitrep export names events it did not take from ACLED '<ISO3>-<incident id>'; the id comes back.
SITREP_EVENT = re.compile(r"^[A-Z]{3}-(?P<id>[a-z0-9][a-z0-9-]{0,79})$")
#: What a sitrep export adds to notes when the killed figure was not exact (sitrep.render.exports).
EXPORT_NOTE = re.compile(r"\s*\[Fatalities (?:(?P<unknown>not reported); coded 0"
                         r"|reported as (?P<count>[^;\]]+); coded as the lowest figure)\.\]\s*$")

_INTER_LABELS = {label.lower(): kind for kind, label in ACTOR_KIND_LABELS.items()} | {
    "rebel groups": "rebel_group", "political militias": "political_militia", "identity militias":
    "identity_militia", "state forces": "state_forces", "external/other forces": "external_forces",
    "external/other": "external_forces", "other forces": "external_forces",
}
_KIND_BY_CODE = {str(code): kind for kind, code in ACTOR_KINDS.items()}
_NAME_KINDS = (("civilians", "civilians"), ("protesters", "protesters"), ("rioters", "rioters"),
               ("military forces of", "state_forces"), ("police forces of", "state_forces"))



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
    latitude: float | None  # None for a region whose coordinates were never published (sitrep's own export)
    longitude: float | None
    geo_precision: int
    sources: list[str]
    source_scale: str
    notes: str
    killed: str | int | None
    tags: list[str]
    timestamp: int
    #: The cells as ACLED wrote them, for the columns an import keeps as text (see AcledText)
    texts: dict[str, str] = field(default_factory=dict)

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
        latitude=reader.coordinate("latitude", 90, v.get("longitude", "")),
        longitude=reader.coordinate("longitude", 180, v.get("latitude", "")),
        geo_precision=reader.precision("geo_precision"), sources=_split(v.get("source", "")),
        source_scale=v.get("source_scale", ""), notes=notes, killed=killed,
        tags=[t for t in _split(v.get("tags", "")) if len(t) <= 60], timestamp=reader.timestamp("timestamp"),
        texts={column: v.get(column, "") for column in KEPT_AS_TEXT},
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

    def coordinate(self, column: str, limit: float, other: str) -> float | None:
        if not self.get(column).strip() and not other.strip():
            return None  # a place coded without coordinates (an area): none is invented
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


