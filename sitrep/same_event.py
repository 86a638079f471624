"""Same-event detection: incidents that are likely one event recorded twice, and which one a count keeps.

Two incidents are likely the same event when their dates overlap at their precision (a day, an ACLED
week, a month) and they happened at the same place or within NEAR_KM of each other, or when they carry
the same ACLED id. An analyst settles a pair by writing `same_as: <id>` on one of them (it is then
counted once, under the other) or `not_same_as: [<id>]` (two events after all: a base hit twice a day).
Two different ACLED ids also settle it: ACLED's coders already decided they were two events.

The import (sitrep.acled), `check` and the build all use these rules.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from .errors import Problem

if TYPE_CHECKING:  # the build's cache keeps candidates, and a check reads them without the model
    from .model import Incident, Location, Project

#: Reports of one event place it up to a few km apart (a base or its town, a district's centre).
NEAR_KM = 5.0
EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Return the great-circle distance between two points in km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class Site:
    """A place an incident happened, by id, with its coordinates when they are known."""

    location: str
    point: tuple[float, float] | None


@dataclass(frozen=True)
class Candidate:
    """What same-event detection needs to know of one incident (or of one ACLED row)."""

    key: str
    start: dt.date
    end: dt.date
    sites: tuple[Site, ...]
    acled_id: str | None = None
    same_as: str | None = None
    not_same_as: tuple[str, ...] = ()


def where_alike(first: Candidate, second: Candidate) -> str | None:
    """Return how two candidates' places match ('same place X', '1.2 km apart'), or None."""
    ids = {site.location for site in first.sites} & {site.location for site in second.sites}
    if ids:
        return f"same place '{sorted(ids)[0]}'"
    distances = [haversine_km(*a.point, *b.point) for a in first.sites for b in second.sites
                 if a.point is not None and b.point is not None]
    if distances and min(distances) <= NEAR_KM:
        return f"{min(distances):.1f} km apart"
    return None


def likely_same(first: Candidate, second: Candidate) -> str | None:
    """Return why two candidates are likely one event, or None when they are not (or were settled)."""
    if first.key == second.key or _settled(first, second) or _settled(second, first):
        return None
    if first.acled_id and second.acled_id:
        return f"same ACLED id {first.acled_id}" if first.acled_id == second.acled_id else None
    if first.end < second.start or second.end < first.start:
        return None
    where = where_alike(first, second)
    if where is None:
        return None
    when = "same day" if (first.start, first.end) == (second.start, second.end) == (first.start, first.start) \
        else "dates overlap"
    return f"{when}, {where}"


def _settled(one: Candidate, other: Candidate) -> bool:
    return one.same_as == other.key or other.key in one.not_same_as


def pairs(candidates: Sequence[Candidate]) -> Iterator[tuple[Candidate, Candidate, str]]:
    """Yield each pair of candidates likely to be one event, and why, in the candidates' order.

    Only candidates at the same place or in neighbouring cells of a grid about NEAR_KM wide are
    compared, so that 10,000 incidents take milliseconds rather than a comparison of every pair.
    """
    order = {c.key: n for n, c in enumerate(candidates)}
    near: dict[object, list[Candidate]] = {}
    for candidate in candidates:
        for key in {*_keys(candidate)}:
            near.setdefault(key, []).append(candidate)
    found: dict[tuple[str, str], tuple[Candidate, Candidate, str]] = {}
    for n, candidate in enumerate(candidates):
        start, end = candidate.start, candidate.end
        others = {id(o): o for key in _neighbourhood(candidate) for o in near.get(key, ())
                  if o.start <= end and start <= o.end and order[o.key] < n}  # dates overlap, earlier
        for other in others.values():
            reason = likely_same(other, candidate)
            if reason:
                found[(other.key, candidate.key)] = (other, candidate, reason)
    for first, second, reason in _same_acled_id(candidates, order, set(found)):
        found[(first.key, second.key)] = (first, second, reason)
    yield from sorted(found.values(), key=lambda item: (order[item[0].key], order[item[1].key]))


CELL = NEAR_KM / 111.32  # degrees of latitude in NEAR_KM


def _cell(point: tuple[float, float], d_lat: int = 0, d_lon: int = 0) -> tuple[str, int, int]:
    lat, lon = point
    width = CELL / max(math.cos(math.radians(min(abs(lat), 89.0))), 0.01)  # NEAR_KM of longitude there
    return "cell", math.floor(lat / CELL) + d_lat, math.floor(lon / width) + d_lon


def _keys(candidate: Candidate) -> Iterator[object]:
    """Yield where a candidate is filed: its places and the grid cells of their points."""
    for site in candidate.sites:
        yield "place", site.location
        if site.point is not None:
            yield _cell(site.point)


def _neighbourhood(candidate: Candidate) -> Iterator[object]:
    """Yield where candidates that may be near this one are filed: its places and the cells around them."""
    for site in candidate.sites:
        yield "place", site.location
        if site.point is not None:
            _, row, column = _cell(site.point)  # once: the cosine is most of a cell's cost
            for d_lat in (-1, 0, 1):
                for d_lon in (-1, 0, 1):
                    yield "cell", row + d_lat, column + d_lon


def _same_acled_id(candidates: Sequence[Candidate], order: dict[str, int],
                   seen: set[tuple[str, str]]) -> Iterator[tuple[Candidate, Candidate, str]]:
    """Yield pairs sharing an ACLED id whatever their dates (an edited date does not make two events)."""
    by_id: dict[str, list[Candidate]] = {}
    for candidate in candidates:
        if candidate.acled_id:
            by_id.setdefault(candidate.acled_id, []).append(candidate)
    for group in by_id.values():
        for i, first in enumerate(group):
            for second in group[i + 1:]:
                if (first.key, second.key) not in seen and likely_same(first, second):
                    yield first, second, f"same ACLED id {first.acled_id}"


# --- The project's incidents --------------------------------------------------------------

def incident_candidate(project: Project, incident: Incident) -> Candidate:
    """Return what detection compares of an incident: its date span, places and links."""
    start, end = incident.span
    sites = tuple(Site(place.location, _point(project.locations[place.location])) for place in incident.sites)
    return Candidate(incident.id, start, end, sites, incident.acled_id, incident.same_as,
                     tuple(incident.not_same_as))


class Event(NamedTuple):
    """What detection compares of an incident, but the points of its places: the build's cache keeps it."""

    start: dt.date
    end: dt.date
    places: tuple[str, ...]
    acled_id: str | None
    same_as: str | None
    not_same_as: tuple[str, ...]


def incident_event(incident: Incident) -> Event:
    """Return what detection compares of an incident, but the points of its places."""
    start, end = incident.span
    return Event(start, end, tuple(place.location for place in incident.sites), incident.acled_id,
                 incident.same_as, tuple(incident.not_same_as))


def event_candidate(key: str, event: Event, locations: Mapping[str, Location]) -> Candidate:
    """Return the candidate of an incident from its event: incident_candidate's, made in two steps."""
    sites = tuple(Site(place, _point(locations[place])) for place in event.places)
    return Candidate(key, event.start, event.end, sites, event.acled_id, event.same_as, event.not_same_as)


def _point(location: Location) -> tuple[float, float] | None:
    if location.latitude is None or location.longitude is None:
        return None
    return location.latitude, location.longitude


def likely_duplicates(project: Project) -> list[tuple[str, str, str]]:
    """Return (first id, second id, why) for each pair of incidents likely to be one event."""
    candidates = [incident_candidate(project, i) for i in project.incidents.values()]
    return [(a.key, b.key, reason) for a, b, reason in pairs(candidates)]


def pairs_with(events: Mapping[str, Event], keys: set[str], locations: Mapping[str, Location]
               ) -> list[tuple[str, str, str]]:
    """Return (first id, second id, why) for each likely pair with one in keys, as likely_duplicates finds it.

    events: every incident's event by id, in the project's order. Whether pairs() finds a pair, and why,
    depends on the two candidates and their order alone, and a pair needs dates that overlap or one ACLED
    id: only those incidents are compared with the ones in keys (a check after an edit of one incident
    compares it with a few dozen, not ten thousand).
    """
    chosen = [events[key] for key in keys]
    acled = {event.acled_id for event in chosen if event.acled_id}
    near = [event_candidate(key, event, locations) for key, event in events.items()
            if key in keys or (event.acled_id and event.acled_id in acled)
            or any(event.start <= other.end and other.start <= event.end for other in chosen)]
    return [(a.key, b.key, reason) for a, b, reason in pairs(near) if a.key in keys or b.key in keys]


def duplicate_warnings(project: Project) -> list[Problem]:
    """Return a warning on the second incident of each likely pair, naming both files."""
    return [problem for _first, _second, problem in duplicate_pairs(project)]


def duplicate_pairs(project: Project) -> list[tuple[str, str, Problem]]:
    """Return (first id, second id, the warning on the second) for each likely pair."""
    problems = []
    for first, second, reason in likely_duplicates(project):
        here, there = project.origins.get(("incident", second)), project.origins.get(("incident", first))
        if here is None or there is None:
            continue
        problems.append((first, second, duplicate_problem(first, reason, (here.path, here.line),
                                                          (there.path, there.line))))
    return problems


def duplicate_problem(first: str, reason: str, here: tuple[str, int], there: tuple[str, int]) -> Problem:
    """Return the warning on the second incident of a pair: here its file and line, there the first's."""
    return Problem(here[0], here[1], 1, (
        f"likely the same event as {there[0]}:{there[1]} ({reason}); if it is, keep one file or write "
        f"'same_as: {first}' here so it is counted once; if they are two events, write "
        f"'not_same_as: [{first}]'"), "warning", related=there[0])


def counted_once(project: Project, incidents: Iterable[Incident]) -> list[Incident]:
    """Return the incidents with every second record of one event left out (its same_as, or a shared ACLED id)."""
    return [i for i in incidents if i.id not in project.recorded_twice]
