"""What each entity touches and what each page shows: the keys an incremental build compares.

A key is a pair of strings. An entity touches
- its own key, (kind, id), e.g. ("incident", "2024-04-21-kharab-al-jir-rockets");
- a mention key for every entity it names, ("mentions:actor", "us-forces"), so that a page listing
  everything about an actor is redone when an incident naming it is added, edited or removed;
- topic keys derived from it: ("country", "SYR"), ("incidents-on", "2024-04-21"),
  ("event-type", "Battles"), ("briefs-on", ...), ("reported-on", ...).

A page declares the keys it depends on (Page.deps). When an entity is added, changed or removed,
every key it touched before or touches now is dirty, and so is ("*", kind); a page is rendered
again when one of its keys is dirty. Declaring too much only costs time; declaring too little
makes an incremental build differ from a clean one, which tests/test_incremental.py looks for.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Iterator
from typing import Any

from .model import Brief, Citation, ContextNote, Deployment, Entity, Incident, Project
from .sourcing import cited_documents, cited_sources, incident_facts, republished

Key = tuple[str, str]

#: The kinds of content entity, as written in keys.
KINDS = ("incident", "actor", "location", "source", "deployment", "brief", "context", "document")

#: Depends on every entity of every kind: the home page, the timeline, feeds, data downloads.
EVERYTHING: frozenset[Key] = frozenset(("*", kind) for kind in KINDS)


def every(*kinds: str) -> frozenset[Key]:
    """Return the keys of a page that depends on every entity of the given kinds."""
    return frozenset(("*", kind) for kind in kinds)


#: Each key made once: at 10,000 incidents the 13,391 pages declare about 420,000 keys, 23,000 of them
#: distinct, and a tuple and a string for each would weigh as much as the project's incidents.
_KEYS: dict[Key, Key] = {}


def _key(key: Key) -> Key:
    return _KEYS.setdefault(key, key)


def entity(kind: str, entity_id: str) -> Key:
    """Return the key of one entity itself."""
    return _key((kind, entity_id))


def mentions(kind: str, entity_id: str) -> Key:
    """Return the key dirtied by any entity that names this one (for pages listing what refers to it)."""
    return _key((f"mentions:{kind}", entity_id))


def country(code: str) -> Key:
    """Return the key of everything in a country: its incidents, places, forces, actors and notes."""
    return _key(("country", code))


@functools.cache  # a brief's keys name every day of its windows: each day's made once
def incidents_on(day: dt.date) -> Key:
    """Return the key of the incidents dated on a day."""
    return _key(("incidents-on", day.isoformat()))


@functools.cache
def briefs_on(day: dt.date) -> Key:
    """Return the key of the briefs whose period includes a day."""
    return _key(("briefs-on", day.isoformat()))


@functools.cache
def reported_on(day: dt.date) -> Key:
    """Return the key of the reports (claims, citations, revisions) dated on a day."""
    return _key(("reported-on", day.isoformat()))


def event_type(name: str) -> Key:
    """Return the key of the incidents of an ACLED event type."""
    return _key(("event-type", name))


def days(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    """Yield every day from start to end, both included."""
    for n in range((end - start).days + 1):
        yield start + dt.timedelta(days=n)


# --- What an entity touches ----------------------------------------------------------------

def touches(project: Project, kind: str, item: Entity, refs: Iterable[tuple[str, str]]) -> frozenset[Key]:
    """Return every key a change of this entity dirties: itself, what it names, its topics.

    refs are the (kind, id) of the entities it names, as validation found them in its file.
    """
    keys = {(kind, item.id)}
    keys.update(mentions(ref_kind, ref) for ref_kind, ref in refs)
    keys.update(_topics(project, item))
    return frozenset(keys)


def _topics(project: Project, item: Entity) -> Iterator[Key]:
    if isinstance(item, Incident):
        yield from _incident_topics(project, item)
    elif isinstance(item, Brief):
        yield from (briefs_on(day) for day in days(item.period.start, item.period.end))
        yield from (country(code) for code in item.countries)
    elif isinstance(item, ContextNote):
        yield from (country(code) for code in item.countries)
    elif isinstance(item, Deployment):
        yield country(item.country)
        yield from (reported_on(figure.as_of) for figure in item.figures)
    else:
        code = getattr(item, "country", None)
        if code:
            yield country(code)


def _incident_topics(project: Project, incident: Incident) -> Iterator[Key]:
    yield incidents_on(incident.date)
    yield event_type(incident.event_type)
    for place in (*incident.sites, incident.origin):
        if place is not None and place.location in project.locations:
            yield country(project.locations[place.location].country)
    for day in _report_dates(project, incident):
        yield reported_on(day)


def _report_dates(project: Project, incident: Incident) -> Iterator[dt.date]:
    """Yield every date an incident's reports carry: when later reports revise it matters to briefs."""
    if incident.updated:
        yield incident.updated
    parts: list[Any] = [*incident.claims, *incident.casualties, *incident.response]
    for part in parts:
        if getattr(part, "date", None):
            yield part.date
        yield from (day for c in part.sources if (day := project.citation_day(c)))
    yield from (day for c in incident.sources if (day := project.citation_day(c)))


# --- What a page shows: helpers for Page.deps -----------------------------------------------

def incident_shown(project: Project, incident: Incident) -> set[Key]:
    """Return the keys of an incident as a line in a list shows it: itself and its places."""
    return {("incident", incident.id), *places_of([incident])}


def incident_page(project: Project, incident: Incident) -> frozenset[Key]:
    """Return the keys of an incident's own page: it, every entity it names, the briefs covering it."""
    keys = incident_shown(project, incident)
    keys.update(("actor", a) for a in _actors_named(incident))
    keys.update(("source", s) for s in _sources_cited(incident))
    keys.update(citation_keys(project, (c for _loc, cites in incident_facts(incident) for c in cites)))
    keys.add(briefs_on(incident.date))
    return frozenset(keys)


def incidents_listed(project: Project, incidents: Iterable[Incident]) -> set[Key]:
    """Return the keys of a list of incidents, each shown with its place."""
    listed = list(incidents)
    return {("incident", incident.id) for incident in listed} | places_of(listed)


def places_of(incidents: Iterable[Incident]) -> set[Key]:
    """Return the keys of the places of incidents: where each happened and where it was launched from."""
    keys: set[Key] = set()
    for incident in incidents:
        keys.update(("location", site.location) for site in incident.sites)
        if incident.origin:
            keys.add(("location", incident.origin.location))
    return keys


class PlacesByDay:
    """The keys of the places of each day's incidents, gathered once for the many date ranges asked."""

    def __init__(self, project: Project) -> None:
        self.days: dict[dt.date, set[Key]] = {}
        for incident in project.incidents.values():
            self.days.setdefault(incident.date, set()).update(places_of([incident]))

    def between(self, start: dt.date, end: dt.date) -> set[Key]:
        """Return the keys of the places of the incidents dated from start to end."""
        return set().union(*(self.days.get(day, ()) for day in days(start, end)))


def brief_page(project: Project, brief: Brief, previous: Brief | None, window_start: dt.date,
               places: PlacesByDay) -> frozenset[Key]:
    """Return the keys of a brief (web page or PDF) whose figures and charts start at window_start.

    It shows the incidents of its windows (any country: a place may move into its countries),
    the previous brief and any brief that could come between them, every deployment, its context
    notes, and the reports dated since the previous cut-off (revisions of older incidents).
    """
    keys = {entity("brief", brief.id), *every("deployment", "source", "actor", "document")}
    first = min(window_start, brief.period.previous().start)
    # an incident added, changed or removed in the windows touches its day; its places may change apart
    keys.update(incidents_on(day) for day in days(first, brief.period.end))
    keys.update(places.between(first, brief.period.end))
    if previous is None:  # any brief added before this one would become its previous brief
        keys |= every("brief")
    else:  # a brief added between the two would
        keys.update(briefs_on(day) for day in days(previous.period.start, brief.period.end))
        keys.add(entity("brief", previous.id))
        keys.update(reported_on(day) for day in days(previous.cutoff.date(), brief.cutoff.date()))
    keys.update(entity("context", ref) for ref in brief.context)
    keys.update(entity("incident", ref) for judgment in brief.key_judgments for ref in judgment.incidents)
    return frozenset(keys)


def _actors_named(incident: Incident) -> Iterator[str]:
    yield from incident.perpetrators
    yield from incident.targets
    for statement in incident.claims:
        yield statement.actor
        if statement.by:
            yield statement.by
    yield from (side for report in incident.casualties for side in report.covers)
    yield from (response.actor for response in incident.response)


def _sources_cited(incident: Incident) -> Iterator[str]:
    # an attribution's 'by' may name a source (a monitor) as well as an actor: depend on both
    yield from (statement.by for statement in incident.claims if statement.by)


def citation_keys(project: Project, citations: Iterable[Citation]) -> set[Key]:
    """Return the keys of what citations show: each document and its relays (and who relays them), the
    documents a republication carries (whose sources it names), and sources.

    A document added that relays a cited one changes the cited one's note: it touches the mention key.
    """
    keys: set[Key] = set()
    for citation in citations:
        keys.update(entity("source", s) for s in cited_sources(project, citation))
        for doc in cited_documents(project, citation):
            keys.update((entity("document", doc), mentions("document", doc)))
        if citation.document is not None:
            keys.update(entity("document", doc) for doc in republished(project, citation.document))
    return keys
