"""Writing an import: the content folder's existing entities, and the files each ACLED event becomes.

Every file is planned and checked with sitrep's own validation before any is written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..console import shown_path
from ..errors import Problem
from ..load import Document, LoadFailed, discover, load_file, parse_yaml
from ..model import ACTOR_KINDS, SOURCE_SCALES, date_span
from ..same_event import Candidate, Site, likely_same
from ..scaffold import MAX_ID, slug, unique_id
from ..validate import to_entity
from .events import SITREP_EVENT, Event, Side, country_code

MARKER = re.compile(r"^# imported from ACLED: event (?P<event>\S+), timestamp (?P<ts>\d+), "
                    r"digest (?P<digest>[0-9a-f]{16})\b.*$")
MARKER_LINE = ("# imported from ACLED: event {event}, timestamp {ts}, digest {digest}. "
               "Delete this line to keep your edits when ACLED is imported again.\n")
ACLED_SOURCE_ID = "acled"
CREDIBILITY_REVIEWED = 3  # possibly true: ACLED reviewed the report, the analyst has not read it
CREDIBILITY_UNSEEN = 6  # truth cannot be judged: no outlet named at all
FOLDER = "acled"



@dataclass
class ImportResult:
    """What an import did, for the summary."""

    file: Path
    rows: int = 0
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    linked: list[str] = field(default_factory=list)  # 'IRQ123 → path (why)'
    asked: bool = False  # whether the analyst was asked before each link
    skipped: dict[str, list[str]] = field(default_factory=dict)
    created: dict[str, list[str]] = field(default_factory=dict)

    def skip(self, reason: str, what: str) -> None:
        """Record an event left alone, and why."""
        self.skipped.setdefault(reason, []).append(what)




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
    points: dict[str, tuple[float, float]] = field(default_factory=dict)  # location id -> coordinates
    place_data: dict[str, dict[str, Any]] = field(default_factory=dict)  # location id -> its fields
    incidents: list[Recorded] = field(default_factory=list)  # every incident, for same-event detection

    @classmethod
    def read(cls, content: Path) -> Existing:
        """Index every content file; unreadable ones still reserve their names."""
        existing = cls(content, taken={k: set() for k in ("incident", "actor", "location", "source")},
                       names={k: {} for k in ("actor", "location", "source")})
        found = [(kind, path) for kind, path in (discover(content) if content.is_dir() else [])
                 if kind in existing.taken]
        # The analyst's own actors, places and sources are found by name before any an import created.
        for kind, path in sorted(found, key=lambda item: item[1].parent.name == FOLDER):
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
        if kind == "incident":
            recorded = Recorded.read(path, entity_id, data)
            if recorded is not None:
                self.incidents.append(recorded)
        if kind == "location":
            self.place_data[entity_id] = data
        if kind == "location" and _has_point(data):
            self.points[entity_id] = (data["latitude"], data["longitude"])
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


@dataclass
class Recorded:
    """An incident already in the content, as same-event detection sees it."""

    path: Path
    id: str
    date: dt.date
    precision: int
    places: tuple[str, ...]
    acled_id: str | None
    same_as: str | None

    @classmethod
    def read(cls, path: Path, entity_id: str, data: dict[str, Any]) -> Recorded | None:
        """Return what detection needs of an incident file's data; None if it is too broken to tell."""
        day, precision = data.get("date"), data.get("time_precision", 1)
        sites = data.get("locations") if isinstance(data.get("locations"), list) else [data.get("location")]
        places = tuple(site["location"] for site in sites
                       if isinstance(site, dict) and isinstance(site.get("location"), str))
        if not isinstance(day, dt.date) or precision not in (1, 2, 3) or not places:
            return None
        acled_id = data.get("acled_id") if isinstance(data.get("acled_id"), str) else None
        same_as = data.get("same_as") if isinstance(data.get("same_as"), str) else None
        return cls(path, entity_id, day, precision, places, acled_id, same_as)

    def candidate(self, points: dict[str, tuple[float, float]]) -> Candidate:
        """Return the incident as a same-event candidate."""
        start, end = date_span(self.date, self.precision)
        sites = tuple(Site(place, points.get(place)) for place in self.places)
        return Candidate(self.id, start, end, sites, self.acled_id, self.same_as)


def _has_point(data: dict[str, Any]) -> bool:
    return all(isinstance(data.get(k), (int, float)) and not isinstance(data.get(k), bool)
               for k in ("latitude", "longitude"))


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


#: ACLED names state forces by period of government: "Military Forces of Iraq (2022-)", "(2014-2018)".
PERIOD_SUFFIX = re.compile(r"\s*\(\s*\d{4}\s*-\s*(?:\d{4})?\s*\)\s*$")


def actor_key(name: str) -> str:
    """Return an actor's name folded for matching, without ACLED's period suffix."""
    return normal(PERIOD_SUFFIX.sub("", name))


def _name_keys(kind: str, data: dict[str, Any], by_name: bool) -> Iterator[Any]:
    """Yield the keys an entity is found by: its names; a place also by name and coordinates.

    Places share names across provinces, so a place an import created is found again only by name
    and coordinates together; one written by hand is found by its name in its country.
    """
    names = [data.get("name"), data.get("short_name"), *(data.get("aliases") or [])]
    names += list((data.get("names") or {}).values()) if isinstance(data.get("names"), dict) else []
    for name in (n for n in names if isinstance(n, str) and n.strip()):
        if kind == "actor":
            yield actor_key(name)
            continue
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


#: Asked whether to link a row to an incident already written: (question) -> yes.
Ask = Callable[[str], bool]


class Planner:
    """Turn events into files, reusing the actors, places and sources the content already has."""

    def __init__(self, existing: Existing, result: ImportResult, ask: Ask | None = None) -> None:
        self.existing = existing
        self.result = result
        self.plan = Plan()
        self.ask = ask
        result.asked = ask is not None

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
        created_sources = {item.id for item in needed if item.kind == "source"}
        kept = acled_text(event, self.existing.place_data.get(location),
                          single_scale=len(event.sources) == 1 and bool(created_sources))
        data = incident_data(event, entity_id, location, side1, side2, citations, kept)
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
        key = actor_key(side.name)
        if key in self.existing.names["actor"]:
            return self.existing.names["actor"][key]
        country = _country_in_name(side.name)
        data = {"name": side.name, "kind": side.kind, **({"country": country} if country else {})}
        return self._new("actor", key, side.name, data, event, needed)

    def known_place(self, event: Event) -> str | None:
        """Return the content's place for an event's location, if it has one."""
        known = self.existing.names["location"]
        found = known.get(_placed(event)) or known.get((event.country, normal(event.location)))
        if found or event.latitude is None or event.longitude is None:
            return found
        return self.existing.nearby_place(event.country, event.location, event.latitude, event.longitude)

    def _location(self, event: Event, needed: list[Planned]) -> str:
        placed = _placed(event)
        found = self.known_place(event)
        if found:
            return found
        # ACLED's places are points; one without coordinates is an area (a region of sitrep's own export)
        kind = "other" if event.latitude is not None else "region"
        data: dict[str, Any] = {"name": event.location, "kind": kind, "country": event.country}
        data |= {k: getattr(event, k) for k in ("admin1", "admin2", "admin3") if getattr(event, k)}
        if event.latitude is not None:
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


def _placed(event: Event) -> tuple[Any, ...]:
    """Return the key an imported place is found by: its name and coordinates, or its name alone."""
    if event.latitude is None or event.longitude is None:
        return (event.country, normal(event.location))
    return (event.country, normal(event.location), round(event.latitude, 3), round(event.longitude, 3))


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


def acled_text(event: Event, place: dict[str, Any] | None, single_scale: bool) -> dict[str, Any]:
    """Return ACLED's text of the columns an export would otherwise write differently (sitrep.model.AcledText).

    place is the content's own place the event was put at, if it already existed (its admin units may
    be missing); single_scale says the event's one outlet became a source of ACLED's scale.
    """
    texts, kept = event.texts, {}
    if texts.get("event_date") and texts["event_date"] != event.date.isoformat():
        kept["event_date"] = texts["event_date"]  # '28 January 2024', as ACLED's export tool writes it
    for axis in ("latitude", "longitude"):
        text = texts.get(axis, "").strip()
        if text and text != f"{float(text):.4f}":
            kept[axis] = text
    for admin in ("admin1", "admin2", "admin3"):
        if place is not None and getattr(event, admin) and not place.get(admin):
            kept[admin] = getattr(event, admin)
    for n in ("1", "2"):
        text = texts.get(f"inter{n}", "")
        if text and (not text.isdigit() or text == "0"):  # a name, or ACLED's 0 for a side with no actor
            kept[f"inter{n}"] = text
    derived = _interaction([ACTOR_KINDS[side.kind] for side in event.side1[:1]],
                           [ACTOR_KINDS[side.kind] for side in event.side2[:1]])
    if texts.get("interaction") and texts["interaction"] != derived:
        kept["interaction"] = texts["interaction"]
    if event.source_scale and not single_scale:
        kept["source_scale"] = event.source_scale  # one scale for several outlets: no source can hold it
    if event.timestamp % 86400:
        kept["timestamp"] = event.timestamp  # an export writes the updated date's midnight otherwise
    return kept


def _interaction(first: list[int], second: list[int]) -> str:
    """Return the interaction code sitrep's export derives from the two sides' inter codes."""
    if not first:
        return ""
    if not second:
        return str(first[0] * 10)
    low, high = sorted((first[0], second[0]))
    return str(low * 10 + high)


def incident_data(event: Event, entity_id: str, location: str, side1: list[str], side2: list[str],
                  citations: list[dict[str, Any]], kept: dict[str, Any] | None = None) -> dict[str, Any]:
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
    sides = list(dict.fromkeys([*side1, *side2]))
    if event.killed is not None and not sides:
        summary += f" ACLED records {event.killed} fatalities."
    data["summary"] = Block(summary)
    if event.killed is not None and sides:
        data["casualties"] = [{
            **({"side": sides[0]} if len(sides) == 1 else {"sides": sides}), "killed": event.killed,
            "note": "ACLED's count for the whole event (its most conservative estimate), not split by side.",
            "sources": citations,
        }]
    data["sources"] = citations
    if event.tags:
        data["tags"] = event.tags
    if kept:
        data["acled"] = kept
    if event.acled_id:
        data["acled_id"] = event.acled_id
    if event.timestamp:
        data["updated"] = dt.datetime.fromtimestamp(event.timestamp, dt.UTC).date()
    return data


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


def plan_event(planner: Planner, event: Event, existing: Existing, result: ImportResult) -> None:
    """Decide what happens to one event: left alone, updated, linked to an incident already written, or added."""
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
        result.skip("already in the content, written or linked by hand (an incident with this acled_id and "
                    "no ACLED import line)", _shown(existing.by_hand[event.acled_id], existing.content))
        return
    exported = SITREP_EVENT.match(event.event_id)
    if exported and any(recorded.id == exported["id"] for recorded in existing.incidents):
        result.unchanged += 1  # a row of this content's own export: the incident is already here
        return
    same = same_event(planner, event)
    if same is not None and _link_wanted(planner, event, *same):
        _link(planner, event, *same)
        return
    _checked(planner, event, None, None, result, result.added)


def same_event(planner: Planner, event: Event) -> tuple[Recorded, str] | None:
    """Return the incident already written that is likely this ACLED event, and why; None if there is none."""
    existing = planner.existing
    start, end = date_span(event.date, event.time_precision)
    place = planner.known_place(event)
    point = None if event.latitude is None or event.longitude is None else (event.latitude, event.longitude)
    row = Candidate(f"row {event.line}", start, end, (Site(place or "", point),),
                    event.acled_id)
    for recorded in existing.incidents:
        reason = likely_same(recorded.candidate(existing.points), row)
        if reason:
            return recorded, reason
    return None


def _link_wanted(planner: Planner, event: Event, recorded: Recorded, reason: str) -> bool:
    if planner.ask is None:
        return True
    shown = _shown(recorded.path, planner.existing.content)
    return planner.ask(f"{event.event_id} (line {event.line}, {event.date.isoformat()}, {event.location}) looks like "
                       f"{shown} ({reason}). Link it, recording acled_id {event.event_id} there, instead of adding "
                       "a second incident? [Y/n] ")


def _link(planner: Planner, event: Event, recorded: Recorded, reason: str) -> None:
    """Plan the acled_id line that links an incident already written to the ACLED event it records."""
    shown = _shown(recorded.path, planner.existing.content)
    planner.result.linked.append(f"{event.event_id} → {shown} ({reason})")
    recorded.acled_id = event.acled_id or event.event_id  # one incident records one ACLED event
    if event.acled_id is None:
        return  # a row without an ACLED id (another tool's export) has nothing to record
    text = recorded.path.read_text(encoding="utf-8")
    text += ("" if text.endswith("\n") or not text else "\n") + f"acled_id: {event.acled_id}\n"
    planner.plan.add(Planned("incident", recorded.id, recorded.path, text, event.line))
    planner.existing.by_hand[event.acled_id] = recorded.path


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
    """Return a file's path as it can be opened from where the command ran."""
    return shown_path(path)


