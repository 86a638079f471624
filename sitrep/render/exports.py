"""Data exports: the project's incidents as JSON, GeoJSON and an ACLED-compatible CSV.

The CSV follows ACLED's export columns and codes (../shared/domain.md) so that tools built for
ACLED data read it; JSON and GeoJSON carry every field an analyst wrote, plus where it is.

JSON is written by orjson, indented by two spaces: the standard library's encoder runs in pure
Python as soon as it indents, which took seconds at 10,000 incidents.

Each incident's piece of a download (its JSON record, GeoJSON feature or CSV line) is made from its
own file and its place's (and, for the CSV, its actors' and sources'), so a build keeps the pieces
(sitrep.cache.Pieces) and makes again only those whose files changed. Pieces are made without the
characters no page of the site carries (bidi controls, what XML cannot hold), as pages are.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Iterator
from functools import partial
from typing import Any

import orjson

from .. import urls
from ..analyse import happened_utc, incident_figures
from ..cache import Pieces
from ..geo import country_info
from ..model import ACTOR_KIND_LABELS, ACTOR_KINDS, SOURCE_SCALES, Actor, Incident, Location, Project
from ..sourcing import cited, cited_documents, cited_sources
from .text import neutralise

#: ACLED's export columns, in ACLED's order.
ACLED_COLUMNS: tuple[str, ...] = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction",
    "civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3", "location", "latitude",
    "longitude", "geo_precision", "source", "source_scale", "notes", "fatalities", "tags", "timestamp",
)

#: ACLED's region of each country this project covers; a country not listed gets an empty region.
ACLED_REGIONS: dict[str, str] = dict.fromkeys(
    ["ARE", "BHR", "IRN", "IRQ", "ISR", "JOR", "KWT", "LBN", "OMN", "PSE", "QAT", "SAU", "SYR", "TUR", "YEM"],
    "Middle East")


# --- JSON and GeoJSON ---------------------------------------------------------------------

def incident_record(project: Project, incident: Incident) -> dict[str, Any]:
    """Return an incident's fields as written, plus its country, coordinates, sites and page.

    A place whose coordinates were never published has null ones: none is made up.
    """
    place = project.locations[incident.location.location]
    return {
        **incident.model_dump(mode="json"),
        "country": place.country,
        "location_name": place.name,
        "latitude": place.latitude,
        "longitude": place.longitude,
        "sites": [_site(project.locations[site.location]) for site in incident.sites],
        "page": urls.incident(incident),
    }


def _site(place: Location) -> dict[str, Any]:
    return {"location": place.id, "name": place.name, "country": place.country, "kind": place.kind,
            "latitude": place.latitude, "longitude": place.longitude}


def incidents_json(project: Project, pieces: Pieces | None = None) -> str:
    """Return every incident, newest first, as a JSON document (reusing the pieces kept of it)."""
    return "".join(incidents_json_parts(project, pieces))


def incidents_json_parts(project: Project, pieces: Pieces | None = None) -> list[str]:
    """Return the JSON document of every incident as the parts it is joined from (see json_parts)."""
    pieces = pieces or Pieces()
    records = [pieces.get(i.id, made_from(project, record_inputs(i)), partial(json_record, project, i))
               for i in project.incidents_by_date]
    return json_parts({"title": project.site.title, "caveat": project.site.caveat}, "incidents", records)


def incidents_geojson(project: Project, pieces: Pieces | None = None) -> str:
    """Return a GeoJSON FeatureCollection with one Point Feature per incident (reusing the pieces kept)."""
    return "".join(incidents_geojson_parts(project, pieces))


def incidents_geojson_parts(project: Project, pieces: Pieces | None = None) -> list[str]:
    """Return the GeoJSON FeatureCollection as the parts it is joined from (see json_parts)."""
    pieces = pieces or Pieces()
    features = [pieces.get(i.id, made_from(project, record_inputs(i)), partial(json_feature, project, i))
                for i in project.incidents_by_date]
    return json_parts({"type": "FeatureCollection"}, "features", features)


def record_inputs(incident: Incident) -> list[tuple[str, str]]:
    """Return the (kind, id) of the content an incident's record is made from: itself and its places."""
    places = dict.fromkeys(site.location for site in incident.sites)
    return [("incident", incident.id), *(("location", place) for place in places)]


def made_from(project: Project, inputs: Iterable[tuple[str, str]]) -> tuple[str, ...] | None:
    """Return the SHA-256 digests of the content files of the given entities; None if one is unknown."""
    try:
        digests = tuple([project.origins[ref].digest for ref in inputs])
    except KeyError:
        return None
    return None if "" in digests else digests


def json_record(project: Project, incident: Incident) -> str:
    """Return an incident's record as JSON, indented as an item of the document's list."""
    return to_json(incident_record(project, incident), depth=2)


def json_feature(project: Project, incident: Incident) -> str:
    """Return an incident's GeoJSON Feature as JSON, indented as an item of the document's list."""
    return to_json(geojson_feature(incident_record(project, incident)), depth=2)


def geojson_feature(record: dict[str, Any]) -> dict[str, Any]:
    """Return an incident's record as a GeoJSON Feature: a Point, a MultiPoint for several sites.

    Sites without published coordinates are left out of the geometry, and an incident with none
    has a null geometry (RFC 7946, 3.2): no point is invented for a country or a border area.
    """
    # RFC 7946: positions are longitude, latitude
    positions = [[site["longitude"], site["latitude"]] for site in record["sites"]
                 if site["latitude"] is not None and site["longitude"] is not None]
    positions = [p for n, p in enumerate(positions) if p not in positions[:n]]
    geometry: dict[str, Any] | None = None
    if len(positions) == 1:
        geometry = {"type": "Point", "coordinates": positions[0]}
    elif positions:
        geometry = {"type": "MultiPoint", "coordinates": positions}
    return {"type": "Feature", "id": record["id"], "geometry": geometry, "properties": record}


def to_json(value: Any, depth: int = 0) -> str:
    """Return a value as JSON indented by two spaces, as it reads depth levels into a document.

    Characters that no page of the site carries (bidi controls, what XML cannot hold) are dropped.
    """
    text = orjson.dumps(value, option=orjson.OPT_INDENT_2).decode("utf-8")
    return neutralise(text.replace("\n", "\n" + "  " * depth) if depth else text)


def json_document(head: dict[str, Any], key: str, items: list[str]) -> str:
    """Return head as indented JSON with one more member, key, listing items (each from to_json, depth 2).

    The items are serialised one by one, so the document is the same as to_json would write whole.
    """
    return "".join(json_parts(head, key, items))


def json_parts(head: dict[str, Any], key: str, items: list[str]) -> list[str]:
    """Return the parts json_document joins: the head, each item with the separators between, the end.

    The items themselves are among the parts, not copies: a data download is written part by part from
    them, and never held whole (380 MB of JSON at 100,000 incidents, besides its pieces).
    """
    empty = to_json({**head, key: []})
    if not items:
        return [empty + "\n"]
    return [empty.removesuffix("[]\n}") + "[\n    ", *joined(items, ",\n    "), "\n  ]\n}\n"]


def joined(items: list[str], separator: str) -> Iterator[str]:
    """Yield the items with separator between them."""
    for n, item in enumerate(items):
        if n:
            yield separator
        yield item


# --- ACLED CSV ----------------------------------------------------------------------------

def incidents_acled_csv(project: Project, pieces: Pieces | None = None) -> str:
    """Return every incident, newest first, as CSV with ACLED's 31 columns and codes (reusing pieces kept)."""
    return "".join(incidents_acled_csv_parts(project, pieces))


def incidents_acled_csv_parts(project: Project, pieces: Pieces | None = None) -> list[str]:
    """Return the ACLED CSV as its header line and one row per incident, the parts it is joined from."""
    pieces = pieces or Pieces()
    rows = [pieces.get(i.id, made_from(project, row_inputs(project, i)), partial(csv_row, project, i))
            for i in project.incidents_by_date]
    return [csv_line(ACLED_COLUMNS), *rows]


def row_inputs(project: Project, incident: Incident) -> list[tuple[str, str]]:
    """Return the (kind, id) of the content an incident's ACLED row is made from: also actors and sources.

    Every cited document counts, those of claims and casualty reports too: their days date the last change.
    """
    actors = [("actor", a) for a in (*incident.perpetrators, *incident.targets)]
    citations = incident.citations
    documents = dict.fromkeys(("document", d) for c in citations for d in cited_documents(project, c))
    sources = dict.fromkeys(("source", s) for c in citations for s in cited_sources(project, c))
    return [*record_inputs(incident), *actors, *documents, *sources]


def csv_row(project: Project, incident: Incident) -> str:
    """Return an incident's line of the ACLED CSV."""
    row = acled_row(project, incident)
    return csv_line([spreadsheet_safe(row[column]) for column in ACLED_COLUMNS])


def csv_line(values: Iterable[Any]) -> str:
    """Return one CSV line (RFC 4180 quoting, CRLF), without the characters no page of the site carries."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(values)
    return neutralise(buffer.getvalue())


# A cell starting with one of these is a formula to Excel and LibreOffice ("CSV injection"): a name
# such as =HYPERLINK(...) in content would run in the spreadsheet of whoever opens the download.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def spreadsheet_safe(value: Any) -> Any:
    """Return a text cell that a spreadsheet would take for a formula behind a quote, as OWASP advises."""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def acled_row(project: Project, incident: Incident) -> dict[str, Any]:
    """Return one incident as an ACLED row."""
    place = project.locations[incident.location.location]
    info = country_info(place.country)
    side1 = [project.actors[a] for a in incident.perpetrators]
    side2 = [project.actors[a] for a in incident.targets]
    killed = incident_figures(project, incident).killed
    row = {
        "event_id_cnty": incident.acled_id or f"{place.country}-{incident.id}",
        "event_date": incident.date.isoformat(),
        "year": incident.date.year,
        "time_precision": incident.time_precision,
        "disorder_type": incident.disorder,
        "event_type": incident.event_type,
        "sub_event_type": incident.sub_event_type,
        "actor1": side1[0].name if side1 else "",
        "assoc_actor_1": "; ".join(a.name for a in side1[1:]),
        "inter1": side1[0].inter_code if side1 else "",
        "actor2": side2[0].name if side2 else "",
        "assoc_actor_2": "; ".join(a.name for a in side2[1:]),
        "inter2": side2[0].inter_code if side2 else "",
        "interaction": interaction(side1[0] if side1 else None, side2[0] if side2 else None),
        "civilian_targeting": "Civilian targeting" if incident.civilian_targeting else "",
        "iso": info.numeric if info else "",
        "region": ACLED_REGIONS.get(place.country, ""),
        "country": info.name if info else place.country,
        **acled_place(place, incident.location.geo_precision),
        "source": "; ".join(source_names(project, incident)),
        "source_scale": source_scale(project, incident),
        "notes": acled_notes(incident, killed.is_unknown, killed.exact, str(killed)) + other_sites(project, incident),
        # ACLED counts reported deaths, taking the most conservative estimate; none reported is 0.
        "fatalities": killed.low,
        "tags": "; ".join(incident.tags),
        # ACLED's "last change": the newest report or update, never before the event itself
        "timestamp": max(calendar.timegm(project.last_changed(incident).timetuple()),
                         int(happened_utc(incident).timestamp())),
    }
    return given_back(row, project, incident, side1[:1], side2[:1]) if incident.acled else row


def given_back(row: dict[str, Any], project: Project, incident: Incident, actor1: list[Actor],
               actor2: list[Actor]) -> dict[str, Any]:
    """Return the row with ACLED's own text put back wherever what it describes is unchanged.

    An import keeps that text (sitrep.model.AcledText) for the columns sitrep writes another way, so
    that an export gives the imported values back exactly; an analyst's change wins over it.
    """
    kept = incident.acled
    assert kept is not None
    place = project.locations[incident.location.location]
    if kept.event_date and _acled_date(kept.event_date) == incident.date:
        row["event_date"] = kept.event_date
    for axis, text in (("latitude", kept.latitude), ("longitude", kept.longitude)):
        if text and getattr(place, axis) is not None and float(text) == getattr(place, axis):
            row[axis] = text
    for admin in ("admin1", "admin2", "admin3"):
        if getattr(kept, admin) and not row[admin]:  # the place has none: ACLED's fills the gap
            row[admin] = getattr(kept, admin)
    for column, text, side in (("inter1", kept.inter1, actor1), ("inter2", kept.inter2, actor2)):
        if text and (_inter_code(text) == side[0].inter_code if side else text == "0"):
            row[column] = text
    codes = [actor.inter_code for actor in (*actor1, *actor2)]
    if kept.interaction is not None and sorted(_interaction_codes(kept.interaction)) == sorted(codes):
        row["interaction"] = kept.interaction
    if kept.source_scale and _scales_within(kept.source_scale, _outlet_scales(project, incident)):
        row["source_scale"] = kept.source_scale
    if kept.timestamp is not None and project.last_changed(incident) == \
            dt.datetime.fromtimestamp(kept.timestamp, dt.timezone.utc).date():
        row["timestamp"] = kept.timestamp
    return row


def _acled_date(text: str) -> dt.date | None:
    """Return the day of an ACLED event_date: 2024-01-28 or 28 January 2024."""
    for parse in (dt.date.fromisoformat, lambda value: dt.datetime.strptime(value, "%d %B %Y").date()):
        try:
            return parse(text)
        except ValueError:
            continue
    return None


_INTER_NAMES = {label.lower(): code for kind, code in ACTOR_KINDS.items()
                for label in (ACTOR_KIND_LABELS[kind], ACTOR_KIND_LABELS[kind] + "s")}


def _inter_code(text: str) -> int | None:
    """Return the inter code ACLED wrote as a digit or as its name ('Political militia')."""
    return int(text) if text.isdigit() else _INTER_NAMES.get(text.strip().lower())


def _interaction_codes(text: str) -> list[int]:
    """Return the inter codes an interaction holds: '38', '30', or names joined by '-'."""
    if text.isdigit():
        return [int(digit) for digit in text if digit != "0"]
    codes = [_inter_code(part) for part in text.split("-")]
    return [code for code in codes if code is not None]


def _outlet_scales(project: Project, incident: Incident) -> set[str]:
    return {project.sources[cited(project, c).source].scale for c in incident.citations
            if cited(project, c).source != ACLED_SOURCE}


def _scales_within(kept: str, scales: set[str]) -> bool:
    """Return True when the outlets' scales (ungraded 'Other' aside) lie in the range ACLED gave."""
    ends = [part for part in kept.split("-") if part in SOURCE_SCALES and part != "Other"]
    if not ends:
        return False
    indexes = [SOURCE_SCALES.index(end) for end in ends]
    low, high = min(indexes), max(indexes)
    return all(scale == "Other" or low <= SOURCE_SCALES.index(scale) <= high for scale in scales)

def acled_place(place: Location, geo_precision: int) -> dict[str, Any]:
    """Return the place columns of an ACLED row.

    A place without published coordinates is coded as ACLED codes a region (geo precision 3, its
    name as the location, a province as its own admin1) with empty coordinates: none is invented.
    """
    admin1 = place.admin1 or (place.name if place.kind == "province" else "")
    return {
        "admin1": admin1,
        "admin2": place.admin2 or "",
        "admin3": place.admin3 or "",
        "location": place.name,
        "latitude": f"{place.latitude:.4f}" if place.latitude is not None else "",
        "longitude": f"{place.longitude:.4f}" if place.longitude is not None else "",
        "geo_precision": geo_precision if place.located else 3,
    }


def other_sites(project: Project, incident: Incident) -> str:
    """Return ' [Also at: …]' naming an incident's sites after the first (ACLED has one place per row)."""
    others = [project.locations[site.location] for site in incident.sites[1:]]
    if not others:
        return ""
    main = project.locations[incident.location.location].country
    names = [p.name if p.country == main else f"{p.name} ({_country_name(p.country)})" for p in others]
    return f" [Also at: {'; '.join(names)}.]"


def _country_name(code: str) -> str:
    info = country_info(code)
    return info.name if info else code


def interaction(actor1: Actor | None, actor2: Actor | None) -> int | str:
    """Return ACLED's interaction code: both inter codes, the smaller first (38); actor1 alone is 30.

    Without an actor1 (an unattributed attack) there is no interaction to code, so it is left empty.
    """
    if actor1 is None:
        return ""
    if actor2 is None:
        return actor1.inter_code * 10
    low, high = sorted((actor1.inter_code, actor2.inter_code))
    return low * 10 + high


#: The source an import adds for ACLED itself: it relays the outlets ACLED's source column names, and
#: is not one of them.
ACLED_SOURCE = "acled"


def source_names(project: Project, incident: Incident) -> list[str]:
    """Return the names of the sources an incident cites, and the outlets that relayed them, once each.

    Those its claims and casualty reports cite count too: the attribution and the fatalities rest on them.
    ACLED itself, the relay of an imported event's outlets, is not named among them.
    """
    ids = [part for c in incident.citations for part in cited_sources(project, c)]
    return [project.sources[i].name for i in dict.fromkeys(ids) if i != ACLED_SOURCE]


def source_scale(project: Project, incident: Incident) -> str:
    """Return ACLED's source scale: one, or the narrowest and widest joined ('National-International')."""
    scales = {project.sources[cited(project, c).source].scale for c in incident.citations}
    ordered = sorted(scales, key=SOURCE_SCALES.index)
    return ordered[0] if len(ordered) == 1 else f"{ordered[0]}-{ordered[-1]}"


def acled_notes(incident: Incident, unknown: bool, exact: bool, killed: str) -> str:
    """Return the summary as one plain paragraph, saying how fatalities were coded when not exact."""
    text = re.sub(r"\s+", " ", re.sub(r"[*_`#>]", "", incident.summary)).strip()
    if unknown:
        return f"{text} [Fatalities not reported; coded 0.]"
    if not exact:
        return f"{text} [Fatalities reported as {killed}; coded as the lowest figure.]"
    return text
