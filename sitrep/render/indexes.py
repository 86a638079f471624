"""Cross-references the site shows: where each actor, place, country and event type appears."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from ..model import Actor, Citation, ContextNote, Deployment, Incident, Location, Project, Statement
from ..sourcing import cited_sources

#: An actor's parts in incidents, in the order its page lists them.
ROLES: dict[str, str] = {
    "claimed": "Claimed responsibility",
    "attributed": "Blamed by others",
    "denied": "Denied involvement",
    "no_comment": "Declined to comment",
    "disputed": "Disputed the account",
    "suspended": "Announced a suspension of operations",
    "praised": "Praised an attack without claiming it",
    "denied_by_others": "Involvement denied by others",
    "named_by_others": "Named in others' statements",
    "perpetrated": "Assessed perpetrator",
    "targeted": "Targeted",
    "attributed_by": "Blamed someone else",
    "spoke_of_others": "Spoke of another's part",
    "casualties": "Suffered casualties",
}


def actor_roles(project: Project) -> dict[str, dict[str, list[Incident]]]:
    """Return, for every actor and each role in ROLES it played, the incidents (newest first), in one pass."""
    roles: dict[str, dict[str, list[Incident]]] = {actor_id: {} for actor_id in project.actors}
    for incident in project.incidents_by_date:
        played: list[tuple[str, str]] = [(s.actor, _role(s)) for s in incident.claims]
        played += [(s.by, "attributed_by" if s.stance == "attributed" else "spoke_of_others")
                   for s in incident.claims if s.by and s.by != s.actor]
        played += [(a, "perpetrated") for a in incident.perpetrators]
        played += [(a, "targeted") for a in incident.targets]
        played += [(side, "casualties") for r in incident.casualties for side in r.covers]
        for actor_id, role in dict.fromkeys(played):
            if actor_id in roles:
                roles[actor_id].setdefault(role, []).append(incident)
    return {actor_id: {role: by_role[role] for role in ROLES if role in by_role}
            for actor_id, by_role in roles.items()}


def _role(statement: Statement) -> str:
    """Return the part a statement gives its actor: a denial made by someone else is not the actor's denial."""
    if statement.stance == "attributed" or not statement.by or statement.by == statement.actor:
        return statement.stance
    return "denied_by_others" if statement.stance == "denied" else "named_by_others"


def incidents_of(roles: Mapping[str, list[Incident]]) -> list[Incident]:
    """Return every incident among an actor's roles, newest first, each once."""
    seen = {i.id: i for incidents in roles.values() for i in incidents}
    return sorted(seen.values(), key=lambda i: i.sort_key, reverse=True)


def incident_actors(incident: Incident, actors: Mapping[str, Actor]) -> list[str]:
    """Return the ids of every actor an incident names, in order of first mention."""
    ids = [*incident.perpetrators, *incident.targets]
    for statement in incident.claims:
        ids += [statement.actor] + ([statement.by] if statement.by in actors else [])
    ids += [side for report in incident.casualties for side in report.covers]
    ids += [response.actor for response in incident.response]
    return list(dict.fromkeys(ids))


def members(project: Project, actor_id: str) -> list[Actor]:
    """Return the actors that are part of an actor."""
    return sorted((a for a in project.actors.values() if a.part_of == actor_id), key=lambda a: a.name)


def places_within(project: Project, location_id: str, children: Mapping[str, list[str]] | None = None
                  ) -> list[Location]:
    """Return the places inside a location, at any depth, by name."""
    children = children if children is not None else children_of(project)
    inside: dict[str, Location] = {}
    frontier = [location_id]
    while frontier:
        for child in children.get(frontier.pop(), ()):
            if child not in inside and child != location_id:
                inside[child] = project.locations[child]
                frontier.append(child)
    return sorted(inside.values(), key=lambda p: p.name)


def children_of(project: Project) -> dict[str, list[str]]:
    """Return the places directly inside each location."""
    children: dict[str, list[str]] = {}
    for place in project.locations.values():
        if place.within:
            children.setdefault(place.within, []).append(place.id)
    return children


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
        return tuple(sorted(seen.values(), key=lambda i: i.sort_key, reverse=True))


def incidents_by_place(project: Project) -> tuple[dict[str, list[Incident]], dict[str, list[Incident]]]:
    """Return the incidents at each location, and those launched from each, newest first, in one pass."""
    struck: dict[str, list[Incident]] = {}
    launched: dict[str, list[Incident]] = {}
    for incident in project.incidents_by_date:
        for site in dict.fromkeys(site.location for site in incident.sites):
            struck.setdefault(site, []).append(incident)
        if incident.origin:
            launched.setdefault(incident.origin.location, []).append(incident)
    return struck, launched


def location_incidents(here: Iterable[str], struck: Mapping[str, list[Incident]],
                       launched: Mapping[str, list[Incident]]) -> PlaceIncidents:
    """Return the incidents at any of the places here, and those launched from them, newest first."""
    def newest_first(groups: Iterable[list[Incident]]) -> tuple[Incident, ...]:
        found = (i for group in groups for i in group)
        return tuple(sorted(found, key=lambda i: i.sort_key, reverse=True))

    places = list(here)
    return PlaceIncidents(struck=newest_first(struck.get(p, []) for p in places),
                          launched=newest_first(launched.get(p, []) for p in places))


def location_deployments(project: Project, here: set[str]) -> list[Deployment]:
    """Return the deployments stationed at any of the places here."""
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


def country_views(project: Project) -> dict[str, CountryView]:
    """Return the incidents, places, forces, actors and notes of every country the content names, by code."""
    codes = countries(project)
    incidents: dict[str, list[Incident]] = {code: [] for code in codes}
    launched: dict[str, list[Incident]] = {code: [] for code in codes}
    for incident in project.incidents_by_date:
        here = project.countries_of(incident)  # a strike on sites in two countries is listed in both
        for code in here:
            incidents[code].append(incident)
        origin = project.locations[incident.origin.location].country if incident.origin else here[0]
        if origin not in here:
            launched[origin].append(incident)
    return {code: CountryView(
        code=code,
        incidents=tuple(incidents[code]),
        launched_from=tuple(launched[code]),
        locations=tuple(sorted((p for p in project.locations.values() if p.country == code),
                               key=lambda p: p.name)),
        deployments=tuple(d for d in project.deployments.values() if d.country == code),
        actors=tuple(sorted((a for a in project.actors.values() if a.country == code), key=lambda a: a.name)),
        context=tuple(sorted((n for n in project.context.values() if code in n.countries),
                             key=lambda n: n.date, reverse=True)),
    ) for code in codes}


# --- Event types --------------------------------------------------------------------------

def by_sub_event(incidents: Iterable[Incident]) -> dict[str, list[Incident]]:
    """Return incidents grouped by sub-event type, groups in order of first appearance."""
    groups: dict[str, list[Incident]] = {}
    for incident in incidents:
        groups.setdefault(incident.sub_event_type, []).append(incident)
    return groups


def by_year(incidents: Iterable[Incident]) -> list[tuple[int, list[Incident]]]:
    """Return incidents grouped by year, in the order given."""
    groups: dict[int, list[Incident]] = {}
    for incident in incidents:
        groups.setdefault(incident.date.year, []).append(incident)
    return list(groups.items())


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
        for source in cited_sources(project, citation):
            counts[source] = counts.get(source, 0) + 1
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
