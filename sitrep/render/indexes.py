"""Cross-references the site shows: where each actor, place, country and event type appears."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from ..model import Actor, Citation, ContextNote, Deployment, Incident, Location, Project

#: An actor's parts in incidents, in the order its page lists them.
ROLES: dict[str, str] = {
    "claimed": "Claimed responsibility",
    "attributed": "Blamed by others",
    "denied": "Denied involvement",
    "no_comment": "Declined to comment",
    "perpetrated": "Assessed perpetrator",
    "targeted": "Targeted",
    "attributed_by": "Blamed someone else",
    "casualties": "Suffered casualties",
}


def actor_roles(project: Project, actor_id: str) -> dict[str, list[Incident]]:
    """Return, for each role in ROLES, the incidents (newest first) in which an actor played it."""
    roles: dict[str, list[Incident]] = {role: [] for role in ROLES}
    for incident in project.incidents_by_date:
        played = [s.stance for s in incident.claims if s.actor == actor_id]
        played += ["attributed_by" for s in incident.claims if s.by == actor_id and s.actor != actor_id]
        played += ["perpetrated"] if actor_id in incident.perpetrators else []
        played += ["targeted"] if actor_id in incident.targets else []
        played += ["casualties"] if any(r.side == actor_id for r in incident.casualties) else []
        for role in dict.fromkeys(played):
            roles[role].append(incident)
    return roles


def actor_incidents(project: Project, actor_id: str) -> list[Incident]:
    """Return every incident an actor appears in, newest first."""
    seen = {i.id for incidents in actor_roles(project, actor_id).values() for i in incidents}
    return [i for i in project.incidents_by_date if i.id in seen]


def incident_actors(incident: Incident, actors: Mapping[str, Actor]) -> list[str]:
    """Return the ids of every actor an incident names, in order of first mention."""
    ids = [*incident.perpetrators, *incident.targets]
    for statement in incident.claims:
        ids += [statement.actor] + ([statement.by] if statement.by in actors else [])
    ids += [report.side for report in incident.casualties] + [response.actor for response in incident.response]
    return list(dict.fromkeys(ids))


def members(project: Project, actor_id: str) -> list[Actor]:
    """Return the actors that are part of an actor."""
    return sorted((a for a in project.actors.values() if a.part_of == actor_id), key=lambda a: a.name)


def places_within(project: Project, location_id: str) -> list[Location]:
    """Return the places inside a location, at any depth, by name."""
    inside: dict[str, Location] = {}
    frontier = [location_id]
    while frontier:
        parent = frontier.pop()
        for place in project.locations.values():
            if place.within == parent and place.id not in inside and place.id != location_id:
                inside[place.id] = place
                frontier.append(place.id)
    return sorted(inside.values(), key=lambda p: p.name)


def enclosing(project: Project, location_id: str) -> list[Location]:
    """Return the locations a place sits in, nearest first (a cycle stops the walk)."""
    chain: list[Location] = []
    current = project.locations[location_id].within
    while current and current in project.locations and all(p.id != current for p in chain):
        chain.append(project.locations[current])
        current = project.locations[current].within
    return chain


@dataclass(frozen=True)
class PlaceIncidents:
    """The incidents at a place (or inside it), and those launched from it."""

    struck: tuple[Incident, ...]
    launched: tuple[Incident, ...]

    @property
    def all(self) -> tuple[Incident, ...]:
        """Return both lists, newest first, each incident once."""
        seen = {i.id: i for i in (*self.struck, *self.launched)}
        return tuple(sorted(seen.values(), key=lambda i: (i.date, i.id), reverse=True))


def location_incidents(project: Project, location_id: str) -> PlaceIncidents:
    """Return the incidents at a location or a place inside it, and those launched from there."""
    here = {location_id} | {p.id for p in places_within(project, location_id)}
    return PlaceIncidents(
        struck=tuple(i for i in project.incidents_by_date if i.location.location in here),
        launched=tuple(i for i in project.incidents_by_date if i.origin and i.origin.location in here),
    )


def location_deployments(project: Project, location_id: str) -> list[Deployment]:
    """Return the deployments stationed at a location or a place inside it."""
    here = {location_id} | {p.id for p in places_within(project, location_id)}
    return [d for d in project.deployments.values() if d.location in here]


# --- Countries ----------------------------------------------------------------------------

def countries(project: Project) -> list[str]:
    """Return every country the content names (places, forces, actors, briefs, notes), sorted by code."""
    codes: set[str] = {loc.country for loc in project.locations.values()}
    codes |= {d.country for d in project.deployments.values()}
    codes |= {a.country for a in project.actors.values() if a.country}
    codes |= {c for b in project.briefs.values() for c in b.countries}
    codes |= {c for n in project.context.values() for c in n.countries}
    return sorted(codes)


@dataclass(frozen=True)
class CountryView:
    """What a country's page lists."""

    code: str
    incidents: tuple[Incident, ...]
    launched_from: tuple[Incident, ...]
    locations: tuple[Location, ...]
    deployments: tuple[Deployment, ...]
    actors: tuple[Actor, ...]
    context: tuple[ContextNote, ...]


def country_view(project: Project, code: str) -> CountryView:
    """Return the incidents, places, forces, actors and notes of one country."""
    def launched(incident: Incident) -> bool:
        return bool(incident.origin) and project.locations[incident.origin.location].country == code \
            and project.country_of(incident) != code

    return CountryView(
        code=code,
        incidents=tuple(i for i in project.incidents_by_date if project.country_of(i) == code),
        launched_from=tuple(i for i in project.incidents_by_date if launched(i)),
        locations=tuple(sorted((p for p in project.locations.values() if p.country == code), key=lambda p: p.name)),
        deployments=tuple(d for d in project.deployments.values() if d.country == code),
        actors=tuple(sorted((a for a in project.actors.values() if a.country == code), key=lambda a: a.name)),
        context=tuple(sorted((n for n in project.context.values() if code in n.countries),
                             key=lambda n: n.date, reverse=True)),
    )


# --- Event types --------------------------------------------------------------------------

def by_sub_event(incidents: Iterable[Incident]) -> dict[str, list[Incident]]:
    """Return incidents grouped by sub-event type, groups in order of first appearance."""
    groups: dict[str, list[Incident]] = {}
    for incident in incidents:
        groups.setdefault(incident.sub_event_type, []).append(incident)
    return groups


def by_month(incidents: Iterable[Incident]) -> list[tuple[str, list[Incident]]]:
    """Return incidents grouped under 'April 2024' headings, in the order given."""
    groups: dict[str, list[Incident]] = {}
    for incident in incidents:
        groups.setdefault(f"{incident.date:%B %Y}", []).append(incident)
    return list(groups.items())


def citation_counts(project: Project) -> dict[str, int]:
    """Return how many times each source is cited (directly or as the relay) across the content."""
    counts = dict.fromkeys(project.sources, 0)
    for citation in _all_citations(project):
        counts[citation.source] = counts.get(citation.source, 0) + 1
        if citation.via:
            counts[citation.via] = counts.get(citation.via, 0) + 1
    return counts


def _all_citations(project: Project) -> Iterator[Citation]:
    for incident in project.incidents.values():
        yield from incident.sources
        for part in (*incident.claims, *incident.casualties, *incident.response):
            yield from part.sources
    for actor in project.actors.values():
        yield from actor.sources
    for deployment in project.deployments.values():
        for figure in deployment.figures:
            yield from figure.sources
    for note in project.context.values():
        yield from note.sources
