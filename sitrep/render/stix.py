"""STIX 2.1 export: incidents, actors, places, sources and briefs as one bundle for OpenCTI or MISP.

How sitrep's model maps onto STIX (docs/stix.md says it for readers, with the reasons):
- an incident is an `incident` SDO (the one STIX type for "something happened"; OpenCTI imports it as
  an Incident) named by its title, described by its summary and headline casualties, created at the
  time it happened; the hit place is a `targets` relationship, the launch site `originates-from`;
- an armed actor (state forces, rebels, militias, external forces) is a `threat-actor`; rioters,
  protesters and civilians are an `identity` (a group or class of people, not a threat);
- a place is a `location` with its coordinates and country (ISO 3166-1 alpha-2), `located-at` the
  place it lies within or its country, which is a `location` too;
- a claim or attribution is an `attributed-to` relationship from the incident to the actor, the
  analyst's own assessment (perpetrators) one more, the targets `targets`; a denial or a refusal to
  comment is a `note` on the incident and the actor, since it asserts no link;
- a source and what it published is an external reference on the object it supports, its
  Admiralty grade (B2) in words in the description; a claim's STIX confidence is the STIX 2.1
  Admiralty credibility mapping (appendix A of the specification) of its most credible citation;
- a brief is a `report` whose object_refs are the incidents it covers and everything they refer to;
- every object but the marking definitions carries a TLP 2.0 marking: the brief's for a report,
  the site's for the rest; the markings are OASIS's published TLP 2.0 definitions.

Ids are UUIDv5 of the organisation, the kind and the content id, and every timestamp comes from the
content, so exporting unchanged content gives the same bytes. Each incident's objects are a piece
kept between builds (sitrep.cache.Pieces): the stix2 library checks every object it makes, which
costs about a third of a millisecond an object, and a rebuild makes again only what changed. Objects
are written as stix2 writes them (pretty_json), without the cost of its way of ordering properties.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json.encoder
import re
import urllib.parse
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from .. import urls
from ..analyse import happened_utc, incident_figures, period_incidents
from ..cache import Pieces
from ..maps.world import country_info
from ..model import CREDIBILITY, RELIABILITY, Actor, Brief, Citation, Incident, Location, Project, Statement
from ..sourcing import cited, cited_documents, cited_sources
from .exports import joined, made_from
from .text import neutralise

#: A string as JSON with only ASCII characters, as stix2's encoder writes it (C-accelerated).
_quoted: Callable[[str], str] = json.encoder.encode_basestring_ascii

#: OASIS's TLP 2.0 marking definitions (cti-stix-common-objects, extension-definition--60a3c5c5...).
TLP_EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
TLP_MARKINGS: dict[str, tuple[str, str]] = {
    "TLP:CLEAR": ("marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", "clear"),
    "TLP:GREEN": ("marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", "green"),
    "TLP:AMBER": ("marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", "amber"),
    "TLP:AMBER+STRICT": ("marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003", "amber+strict"),
    "TLP:RED": ("marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", "red"),
}
TLP_CREATED = "2022-10-01T00:00:00.000Z"

#: The namespace of sitrep's STIX ids; each id also names the organisation, so two sites never clash.
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://stix.sitrep.invalid/ids")
#: created and modified of what has no date of its own (actors, places): STIX needs both, and they
#: must not change from one export to the next.
UNDATED = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)

ARMED_KINDS = {"state_forces", "rebel_group", "political_militia", "identity_militia", "external_forces"}
STATE_KINDS = {"state_forces", "external_forces"}
#: OpenCTI's location types (x_opencti_location_type) for sitrep's kinds of place.
OPENCTI_PLACE = {"town": "City", "city": "City", "village": "City", "district": "Administrative-Area",
                 "province": "Administrative-Area", "region": "Region", "border_area": "Region",
                 "country": "Country"}
PRECISION = {1: "day", 2: "week", 3: "month"}


# --- The bundle -------------------------------------------------------------------------------

def stix_bundle(project: Project, pieces: Pieces | None = None) -> str:
    """Return the project as a STIX 2.1 bundle, JSON indented by four spaces (reusing the pieces kept)."""
    return "".join(stix_bundle_parts(project, pieces))


def stix_bundle_parts(project: Project, pieces: Pieces | None = None) -> list[str]:
    """Return the STIX bundle as the parts it is joined from: its objects' pieces and what goes between."""
    pieces = pieces or Pieces()
    ids = Ids(project.site.organisation)
    marking = TLP_MARKINGS[project.site.tlp][0]
    site_key = (project.site.organisation, project.site.tlp, project.site.base_url)
    parts = [serialise(_markings(project)), serialise([producer(project, ids)])]
    for code in sorted({place.country for place in project.locations.values()}):
        parts.append(pieces.get(f"country:{code}", site_key,
                                lambda c=code: serialise(country(c, ids, marking))))
    for place in sorted(project.locations.values(), key=lambda p: p.id):
        key = _key(project, site_key, [("location", place.id)])
        parts.append(pieces.get(f"location:{place.id}", key,
                                lambda p=place: serialise(location(project, p, ids, marking))))
    memo: dict[tuple[Any, ...], list[tuple[str, str]]] = {}  # what each document or source cited rests on
    inputs: dict[str, list[tuple[str, str]]] = {}  # each incident's, for its objects and the briefs covering it
    for actor in sorted(project.actors.values(), key=lambda a: a.id):
        key = _key(project, site_key, [("actor", actor.id), *_cited(project, actor.sources, memo)])
        parts.append(pieces.get(f"actor:{actor.id}", key,
                                lambda a=actor: serialise([actor_object(project, a, ids, marking)])))
    for incident in sorted(project.incidents.values(), key=lambda i: i.id):
        inputs[incident.id] = incident_inputs(project, incident, memo)
        key = _key(project, site_key, inputs[incident.id])
        parts.append(pieces.get(f"incident:{incident.id}", key,
                                lambda i=incident: serialise(incident_objects(project, i, ids, marking))))
    for brief in sorted(project.briefs.values(), key=lambda b: b.id):
        period = period_incidents(project, brief.period, brief.countries)  # whether each was known depends on it
        covered = tuple(i for i in period if project.incident_known_by(i, brief.cutoff))
        refs = [("brief", brief.id), *(ref for i in period for ref in inputs[i.id])]
        parts.append(pieces.get(f"report:{brief.id}", _key(project, site_key, refs),
                                lambda b=brief, c=covered: serialise([report(project, b, c, ids)])))
    parts = [part for part in parts if part]
    # the bundle's id is a hash of its objects, taken piece by piece: the bundle is written part by part,
    # never held whole (it was, two or three times over, the largest thing a build held)
    digest = hashlib.sha256()
    for n, part in enumerate(parts):
        digest.update(b",\n" if n else b"")
        digest.update(part.encode("utf-8"))
    bundle_id = uuid.uuid5(NAMESPACE, digest.hexdigest())
    head = '{\n    "type": "bundle",\n    "id": "bundle--' + str(bundle_id) + '",\n'
    return [head, '    "objects": [\n', *joined(parts, ",\n"), "\n    ]\n}\n"]


def serialise(objects: Iterable[Any]) -> str:
    """Return STIX objects as items of the bundle's list: stix2's JSON, four spaces further in."""
    indent = "\n        "
    return ",\n".join("        " + pretty_json(item).replace("\n", indent) for item in objects)


def pretty_json(item: Any) -> str:
    """Return what stix2's item.serialize(pretty=True) returns, byte for byte, at a fraction of its cost.

    stix2 orders each mapping's properties by searching the whole object again for every property
    (serialization.find_property_index), and writes with simplejson's pure-Python indenting encoder:
    together about a fifth of a millisecond an object, a third of the cost of the bundle. Its search
    finds the first mapping, in pre-order, that holds the property with that value, and ranks the
    property by its place there; that is worked out here once per object.
    """
    from stix2.serialization import find_property_index

    found: dict[tuple[str, Any], int] = {}
    _index_properties(item, found)

    def rank(prop: tuple[str, Any]) -> int:
        name, value = prop
        if name.isdigit():
            return int(name)
        try:
            return found.get(prop, -1)
        except TypeError:  # a list or mapping as the value: let stix2 search for it
            return find_property_index(item, name, value)

    return _json_text(item, rank, "\n")


_SCALARS = (str, int, float, bool, type(None))


@functools.lru_cache(maxsize=4096)
def _timestamp(when: dt.datetime, naive: bool, precision: Any, constraint: Any) -> str:
    """Return a timestamp as stix2 writes it; an incident's objects share theirs, so it is worked out once.

    The arguments besides when are what format_datetime reads beyond the instant, so that equal instants
    (whatever their time zone) differing in them are never taken for one another.
    """
    from stix2.utils import format_datetime

    return _quoted(format_datetime(when))


def _index_properties(node: Any, found: dict[tuple[str, Any], int]) -> None:
    """Record where each (name, value) is first held, walking mappings and lists as stix2's search does."""
    if isinstance(node, list):
        for element in node:
            if type(element) not in _SCALARS:
                _index_properties(element, found)
        return
    if not isinstance(node, Mapping):
        return
    names = list(node) if not isinstance(node, dict) else sorted(node)
    place = {name: n for n, name in enumerate(names)}
    values = []
    for name, value in node.items():
        if type(value) in _SCALARS:
            found.setdefault((name, value), place[name])
        else:
            values.append(value)
            try:
                found.setdefault((name, value), place[name])
            except TypeError:  # unhashable: never a match for the hashable values looked up here
                pass
    for value in values:
        _index_properties(value, found)


def _json_text(node: Any, rank: Callable[[tuple[str, Any]], int], newline: str) -> str:
    """Return a value as stix2's encoder writes it: its mappings in rank order, indented by four spaces."""
    kind = type(node)
    if kind is str:
        return _quoted(node)
    if node is None or kind is bool:
        return "null" if node is None else "true" if node else "false"
    if kind is int:
        return int.__repr__(node)
    if kind is float:
        return float.__repr__(node)
    inner = newline + "    "
    if isinstance(node, Mapping):
        items = dict(node)
        for name in getattr(node, "_defaulted_optional_properties", ()):  # stix2 leaves out defaults
            del items[name]
        if not items:
            return "{}"
        return "{" + inner + ("," + inner).join(
            _quoted(name) + ": " + _json_text(value, rank, inner)
            for name, value in sorted(items.items(), key=rank)) + newline + "}"
    if isinstance(node, (list, tuple)):
        if not node:
            return "[]"
        return "[" + inner + ("," + inner).join(_json_text(value, rank, inner) for value in node) + newline + "]"
    if isinstance(node, dt.datetime):
        naive = node.tzinfo is None or node.utcoffset() is None
        return _timestamp(node, naive, getattr(node, "precision", None), getattr(node, "precision_constraint", None))
    if isinstance(node, dt.date):
        from stix2.utils import format_datetime

        return _quoted(format_datetime(node))
    if isinstance(node, str):
        return _quoted(node)
    if isinstance(node, (int, float)):  # an int or float of another class, written as its value
        return _json_text(bool(node) if isinstance(node, bool) else
                          int(node) if isinstance(node, int) else float(node), rank, newline)
    raise TypeError(f"cannot write {kind.__name__} in a STIX object")


def _key(project: Project, site_key: tuple[Any, ...], inputs: Iterable[tuple[str, str]]) -> Any:
    digests = made_from(project, inputs)
    return None if digests is None else (site_key, digests)


def _cited(project: Project, citations: Iterable[Citation],
           memo: dict[tuple[Any, ...], list[tuple[str, str]]] | None = None) -> list[tuple[str, str]]:
    """Return the documents a citation rests on (with their relays) and the sources behind them.

    They depend on the document cited (or the source and its relay) alone: memo keeps them by that.
    """
    memo = {} if memo is None else memo
    found: list[tuple[str, str]] = []
    for c in citations:
        key = ("document", c.document) if c.document is not None else ("source", c.source, c.via)
        if key not in memo:
            memo[key] = [*(("document", d) for d in cited_documents(project, c)),
                         *(("source", s) for s in cited_sources(project, c))]
        found += memo[key]
    return found


def incident_inputs(project: Project, incident: Incident,
                    memo: dict[tuple[Any, ...], list[tuple[str, str]]] | None = None) -> list[tuple[str, str]]:
    """Return the (kind, id) of the content an incident's STIX objects are made from."""
    places = [site.location for site in incident.sites] + ([incident.origin.location] if incident.origin else [])
    actors = [*incident.perpetrators, *incident.targets, *(c.actor for c in incident.claims),
              *(side for c in incident.casualties for side in c.covers)]
    citations = incident.citations
    return [("incident", incident.id), *(("location", p) for p in dict.fromkeys(places)),
            *(("actor", a) for a in dict.fromkeys(actors)), *dict.fromkeys(_cited(project, citations, memo))]


class Ids:
    """Deterministic STIX ids: UUIDv5 of the organisation, the kind of thing and its content id."""

    def __init__(self, organisation: str) -> None:
        self.organisation = organisation

    def __call__(self, stix_type: str, *key: str) -> str:
        """Return the id of the STIX object of stix_type made for key."""
        return f"{stix_type}--{uuid.uuid5(NAMESPACE, '/'.join([self.organisation, stix_type, *key]))}"


# --- Markings and the producer -----------------------------------------------------------------

def _markings(project: Project) -> list[Any]:
    """Return the TLP 2.0 marking definitions the bundle uses, as OASIS publishes them."""
    import stix2

    used = {project.site.tlp, *(b.tlp for b in project.briefs.values() if b.tlp)}
    return [stix2.v21.MarkingDefinition(
        id=marking, created=TLP_CREATED, name=name,
        extensions={TLP_EXTENSION: {"extension_type": "property-extension", "tlp_2_0": level}})
        for name, (marking, level) in TLP_MARKINGS.items() if name in used]


def producer(project: Project, ids: Ids) -> Any:
    """Return the identity of the organisation that publishes the site: the author of every object."""
    import stix2

    site = project.site
    return stix2.v21.Identity(
        id=ids("identity", "producer"), created=UNDATED, modified=UNDATED, name=clean(site.organisation),
        identity_class="organization", description=clean(site.description),
        object_marking_refs=[TLP_MARKINGS[site.tlp][0]], **_page_refs(project, ""))


def _common(ids: Ids, marking: str, created: dt.datetime = UNDATED, modified: dt.datetime | None = None
            ) -> dict[str, Any]:
    return {"created_by_ref": ids("identity", "producer"), "created": created,
            "modified": modified or created, "object_marking_refs": [marking]}


def _page_refs(project: Project, path: str | None) -> dict[str, Any]:
    """Return the external reference to a page of the published site, when its address is known."""
    base = project.site.base_url
    if not base or path is None:
        return {}
    return {"external_references": [{"source_name": clean(project.site.title),
                                     "url": uri(base.rstrip("/") + "/" + path)}]}


# --- Places and actors -------------------------------------------------------------------------

def country(code: str, ids: Ids, marking: str) -> list[Any]:
    """Return a country as a STIX location (none for a code without an ISO alpha-2 equivalent)."""
    import stix2

    alpha2 = ALPHA2.get(code)
    if alpha2 is None:
        return []
    info = country_info(code)
    return [stix2.v21.Location(id=ids("location", "country", code), **_common(ids, marking),
                               name=info.name if info else code, country=alpha2,
                               x_opencti_location_type="Country", allow_custom=True)]


def location(project: Project, place: Location, ids: Ids, marking: str) -> list[Any]:
    """Return a place as a STIX location and the relationship to where it lies."""
    import stix2

    fields: dict[str, Any] = {"name": clean(place.name), "x_opencti_location_type":
                              OPENCTI_PLACE.get(place.kind, "Position")}
    if place.located:  # an area whose coordinates were never published gets none
        fields |= {"latitude": place.latitude, "longitude": place.longitude}
    if place.country in ALPHA2:
        fields["country"] = ALPHA2[place.country]
    if place.admin1:
        fields["administrative_area"] = clean(place.admin1)
    if place.description.strip():
        fields["description"] = clean(place.description)
    this = ids("location", place.id)
    objects = [stix2.v21.Location(id=this, **_common(ids, marking), **fields,
                                  **_page_refs(project, urls.location(place)), allow_custom=True)]
    within = ids("location", place.within) if place.within in project.locations else \
        ids("location", "country", place.country) if place.country in ALPHA2 else None
    if within:
        objects.append(stix2.v21.Relationship(id=ids("relationship", "located-at", place.id),
                                              **_common(ids, marking), relationship_type="located-at",
                                              source_ref=this, target_ref=within))
    return objects


def actor_ref(project: Project, actor_id: str, ids: Ids) -> str:
    """Return the STIX id of an actor: a threat actor if armed, else an identity."""
    armed = project.actors[actor_id].kind in ARMED_KINDS
    return ids("threat-actor" if armed else "identity", actor_id)


def actor_object(project: Project, actor: Actor, ids: Ids, marking: str) -> Any:
    """Return an actor as a STIX threat actor (armed) or identity (rioters, protesters, civilians)."""
    import stix2

    names = [actor.short_name or "", *actor.aliases, *actor.names.values()]
    aliases = list(dict.fromkeys(clean(name) for name in names if name and name != actor.name))
    fields: dict[str, Any] = {"name": clean(actor.name), **_common(ids, marking),
                              **_references(project, actor.sources, urls.actor(actor))}
    if actor.profile.strip():
        fields["description"] = clean(actor.profile)
    if actor.kind in ARMED_KINDS:
        if aliases:
            fields["aliases"] = aliases
        if actor.kind in STATE_KINDS:
            fields["threat_actor_types"] = ["nation-state"]
        return stix2.v21.ThreatActor(id=actor_ref(project, actor.id, ids), **fields)
    if aliases:  # an identity has no aliases in STIX
        known = "Also known as: " + ", ".join(aliases)
        fields["description"] = "\n\n".join([fields.get("description", ""), known]).strip()
    return stix2.v21.Identity(id=actor_ref(project, actor.id, ids), identity_class="class"
                              if actor.kind == "civilians" else "group", **fields)


# --- Sources: external references with their grades --------------------------------------------

def citation_reference(project: Project, citation: Citation) -> dict[str, Any]:
    """Return a citation as an external reference: the source, who relayed it, its Admiralty grade in words."""
    document = cited(project, citation)
    source = project.sources[document.source]
    grade = f"{source.reliability}{citation.credibility}"
    words = f"{RELIABILITY[source.reliability].lower()} source, {CREDIBILITY[citation.credibility].lower()}"
    parts = [f"Admiralty grade {grade}: {words}."]
    relays = document.chain()
    if relays:
        parts.append("Relayed by " + ", then ".join(clean(project.sources[r.source].name) for r in relays) + ".")
    day = document.published_date
    if document.title:
        parts.append(f"“{clean(document.title)}”" + (f", {day.isoformat()}." if day else "."))
    elif day:
        parts.append(f"Published {day.isoformat()}.")
    if citation.pinpoint:
        parts.append(f"At {clean(citation.pinpoint)}.")
    if citation.quote:
        parts.append(f"Quote: “{clean(citation.quote)}”")
    reference = {"source_name": clean(source.name), "description": " ".join(parts)}
    url = document.link or source.url
    if url:
        reference["url"] = uri(clean(url))
    return reference


_BARE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


def uri(url: str) -> str:
    """Return a web address as an RFC 3986 URI, as STIX requires: what a URI cannot hold percent-encoded.

    The model takes any text after http:// (a pasted address may hold spaces, quotes, non-ASCII
    letters); STIX consumers and the validator take only URIs.
    """
    return urllib.parse.quote(_BARE_PERCENT.sub("%25", url), safe=":/?#[]@!$&'()*+,;=%-._~")


def _references(project: Project, citations: Iterable[Citation], page: str | None = None) -> dict[str, Any]:
    references = _page_refs(project, page).get("external_references", [])
    seen: set[str] = set()
    for citation in citations:
        reference = citation_reference(project, citation)
        text = repr(sorted(reference.items()))
        if text not in seen:
            seen.add(text)
            references.append(reference)
    return {"external_references": references} if references else {}


def confidence(citations: Iterable[Citation]) -> dict[str, Any]:
    """Return the STIX confidence of the most credible citation (none if its truth cannot be judged).

    STIX 2.1, appendix A, Admiralty credibility: 1 confirmed 90, 2 probably true 70, 3 possibly true 50,
    4 doubtful 30, 5 improbable 10, 6 truth cannot be judged: no confidence.
    """
    from stix2.confidence.scales import admiralty_credibility_to_value

    best = min((c.credibility for c in citations), default=6)
    if best == 6:
        return {}
    return {"confidence": admiralty_credibility_to_value(f"{best} - {ADMIRALTY_WORDS[best]}")}


ADMIRALTY_WORDS = {1: "Confirmed by other sources", 2: "Probably True", 3: "Possibly True", 4: "Doubtful",
                   5: "Improbable"}


# --- Incidents ---------------------------------------------------------------------------------

def incident_objects(project: Project, incident: Incident, ids: Ids, marking: str) -> list[Any]:
    """Return an incident and its relationships and notes as STIX objects."""
    import stix2

    created = happened_utc(incident)
    # the newest report or update, as the ACLED CSV's timestamp; never before the incident itself
    modified = max(created, dt.datetime.combine(project.last_changed(incident), dt.time(), dt.timezone.utc))
    common = _common(ids, marking, created, modified)
    this = ids("incident", incident.id)
    words = [incident.event_type, incident.sub_event_type, *incident.tags]
    labels = list(dict.fromkeys(clean(label) for label in words if clean(label)))
    objects: list[Any] = [stix2.v21.Incident(
        id=this, **common, name=clean(incident.title), description=describe(project, incident), labels=labels,
        **_references(project, incident.sources, urls.incident(incident)))]
    objects += _relationships(project, incident, ids, common, this)
    for number, claim in enumerate(incident.claims):
        objects.append(statement(project, incident, claim, number, ids, common, this))
    return objects


def describe(project: Project, incident: Incident) -> str:
    """Return the incident's summary, when and where, and its headline casualties."""
    figures = incident_figures(project, incident)
    place = project.locations[incident.location.location]
    about = "about " if incident.time_approximate else ""
    day = incident.date.isoformat() + (f" {about}{incident.time} ({incident.timezone})" if incident.time else "")
    precision = "" if incident.time_precision == 1 else f", known to the {PRECISION[incident.time_precision]}"
    info = country_info(place.country)
    return clean(f"{incident.summary.strip()}\n\nWhen: {day}{precision}. Where: {place.name}, "
                 f"{info.name if info else place.country}. "
                 f"Killed: {figures.killed}; wounded: {figures.wounded} (current reports).")


def _relationships(project: Project, incident: Incident, ids: Ids, common: dict[str, Any], this: str
                   ) -> Iterator[Any]:
    import stix2

    def link(kind: str, target: str, key: str, **more: Any) -> Any:
        return stix2.v21.Relationship(id=ids("relationship", incident.id, kind, key), **common,
                                      relationship_type=kind, source_ref=this, target_ref=target, **more)

    for n, site in enumerate(dict.fromkeys(site.location for site in incident.sites)):
        yield link("targets", ids("location", site), "hit" if n == 0 else f"hit/{site}",
                   description="Where it happened: the place hit." if n == 0 else
                   "Where it happened: another site hit.")
    if incident.origin:
        yield link("originates-from", ids("location", incident.origin.location), "origin",
                   description="Where it was launched from.")
    organisation = clean(project.site.organisation)
    for actor in incident.perpetrators:
        yield link("attributed-to", actor_ref(project, actor, ids), f"assessed/{actor}",
                   description=f"Assessed responsible by {organisation} (ACLED actor 1).")
    for actor in incident.targets:
        yield link("targets", actor_ref(project, actor, ids), f"actor/{actor}",
                   description="Attacked (ACLED actor 2).")


def statement(project: Project, incident: Incident, claim: Statement, number: int, ids: Ids,
              common: dict[str, Any], this: str) -> Any:
    """Return a claim or attribution as an attributed-to relationship, a denial or no comment as a note."""
    import stix2

    actor = clean(project.actors[claim.actor].name)
    by = _by(project, claim)
    when = f" on {claim.date.isoformat()}" if claim.date else ""
    headline = {"claimed": f"{actor} claimed responsibility",
                "attributed": f"Attributed to {actor}{' by ' + by if by else ''}",
                "denied": f"{actor} denied responsibility",
                "no_comment": f"{actor} would not comment"}[claim.stance]
    said = f"{headline}{when}."
    if claim.speaker:
        said += f" Speaker: {clean(claim.speaker)}."
    if claim.note:
        said += f" {clean(claim.note)}"
    fields = {**common, **_references(project, claim.sources), **confidence(claim.sources)}
    target = actor_ref(project, claim.actor, ids)
    if claim.stance in ("claimed", "attributed"):
        return stix2.v21.Relationship(id=ids("relationship", incident.id, "claim", str(number)), **fields,
                                      relationship_type="attributed-to", source_ref=this, target_ref=target,
                                      description=said)
    return stix2.v21.Note(id=ids("note", incident.id, "claim", str(number)), **fields,
                          abstract=headline, content=said, object_refs=[this, target])


def _by(project: Project, claim: Statement) -> str:
    if claim.by is None:
        return ""
    known = project.actors.get(claim.by) or project.sources.get(claim.by)
    return clean(known.name) if known else claim.by


# --- Briefs ------------------------------------------------------------------------------------

def report(project: Project, brief: Brief, covered: Iterable[Incident], ids: Ids) -> Any:
    """Return a brief as a STIX report referring to the incidents it covers and all they refer to."""
    import stix2

    marking = TLP_MARKINGS[brief.tlp or project.site.tlp][0]
    cutoff = brief.cutoff.astimezone(dt.timezone.utc)
    # published on its day, and never before the cut-off of what it says
    published = max(cutoff, dt.datetime.combine(brief.published, dt.time(), dt.timezone.utc)) \
        if brief.published else cutoff
    refs: list[str] = []
    for incident in covered:
        refs += covered_refs(project, incident, ids)
    refs = list(dict.fromkeys(refs))
    judgments = "\n".join(judgment(k) for k in brief.key_judgments)
    period = (f"Period {brief.period.start} to {brief.period.end}; information cut-off "
              f"{brief.cutoff.isoformat()}.")
    description = clean("\n\n".join(part for part in [brief.summary.strip(), "Key judgments:\n" + judgments,
                                                      period] if part))
    return stix2.v21.Report(
        id=ids("report", brief.id), **_common(ids, marking, cutoff, max(cutoff, published)),
        name=clean(brief.title), description=description, published=published, report_types=["threat-report"],
        object_refs=refs or [ids("identity", "producer")], **_brief_refs(project, brief))


def judgment(item: Any) -> str:
    """Return a key judgment as a line of the report: its text, likelihood and confidence."""
    words = [item.likelihood, f"{item.confidence} confidence" if item.confidence else None]
    shown = "; ".join(word for word in words if word)
    return f"- {clean(item.text)}" + (f" ({shown})" if shown else "")


def covered_refs(project: Project, incident: Incident, ids: Ids) -> list[str]:
    """Return the ids of an incident's objects and of the places and actors they refer to."""
    this = incident.id
    refs = [ids("incident", this), ids("relationship", this, "targets", "hit"),
            ids("location", incident.location.location)]
    if incident.origin:
        refs += [ids("relationship", this, "originates-from", "origin"),
                 ids("location", incident.origin.location)]
    for actor in incident.perpetrators:
        refs += [ids("relationship", this, "attributed-to", f"assessed/{actor}"),
                 actor_ref(project, actor, ids)]
    for actor in incident.targets:
        refs += [ids("relationship", this, "targets", f"actor/{actor}"), actor_ref(project, actor, ids)]
    for number, claim in enumerate(incident.claims):
        kind = "relationship" if claim.stance in ("claimed", "attributed") else "note"
        refs += [ids(kind, this, "claim", str(number)), actor_ref(project, claim.actor, ids)]
    return refs


def _brief_refs(project: Project, brief: Brief) -> dict[str, Any]:
    base = project.site.base_url
    if not base:
        return {}
    root = base.rstrip("/") + "/"
    return {"external_references": [
        {"source_name": clean(project.site.title), "description": "The brief as a web page.",
         "url": uri(root + urls.brief(brief))},
        {"source_name": clean(project.site.title), "description": "The brief as a PDF.",
         "url": uri(root + urls.brief_pdf(brief))}]}


def clean(text: str) -> str:
    """Return text without the characters no output of the site carries (bidi controls, say)."""
    return neutralise(text)


def _load_alpha2() -> dict[str, str]:
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "data" / "iso3166-alpha2.json"
    return json.loads(path.read_text(encoding="utf-8"))["alpha3_to_alpha2"]


#: ISO 3166-1 alpha-3 to alpha-2 (STIX locations name countries by alpha-2).
ALPHA2: dict[str, str] = _load_alpha2()
