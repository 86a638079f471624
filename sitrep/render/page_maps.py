"""The maps of the site's pages: the incidents of a country or a place, one marker per place.

Incidents at the same place share one marker (labelled with their number and linked to the place's
page), so a country with hundreds of incidents still gets a legible map that renders quickly.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from .. import urls
from ..analyse import incident_date
from ..maps import MapArrow, MapPoint, render_map_html
from .figures import map_precision
from ..model import Deployment, Incident, Location, Project


def incidents_map(project: Project, incidents: Iterable[Incident], *, root: str, countries: Sequence[str],
                  title: str, id_prefix: str, places: Iterable[Location] = ()) -> str:
    """Return a map of incidents by place (linked to their pages), launch points, other places and a legend.

    Incidents known only to the region of a place get their own hatched area, apart from those at the place.
    """
    at_place: dict[tuple[str, str], list[Incident]] = {}
    launches: dict[tuple[str, str], list[Incident]] = {}
    for incident in incidents:
        for site in incident.sites:
            at_place.setdefault((site.location, map_precision(site)), []).append(incident)
        if incident.origin:
            launches.setdefault((incident.origin.location, incident.location.location), []).append(incident)
    # A place without published coordinates is no point: the map leaves it out rather than invent one.
    points = {_point_id(*key): _incident_point(project, *key, group, root) for key, group in at_place.items()
              if project.locations[key[0]].located}
    arrows = []
    for (start_id, end_id), group in launches.items():
        start, end = project.locations[start_id], project.locations[end_id]
        if not (start.located and end.located):
            continue
        # Drawn from a region only when no incident of the group knew the launch point better.
        precision = "region" if all(map_precision(i.origin) == "region" for i in group) else "point"
        points.setdefault(start_id, _place_point(start, root, precision))
        href = f"{root}{urls.incident(group[0])}" if len(group) == 1 else f"{root}{urls.location(end)}"
        arrows.append(MapArrow((start.latitude, start.longitude), (end.latitude, end.longitude), href,
                               f"Launched from {start.name}", from_region=precision == "region"))
    for place in places:
        if place.located:
            points.setdefault(place.id, _place_point(place, root))
    if not points:
        return ""
    return render_map_html(list(points.values()), arrows, focus_countries=list(countries), title=title,
                           id_prefix=id_prefix)


def _point_id(place_id: str, precision: str) -> str:
    """Return the id of a place's marker: the place's own, or a distinct one for its hatched region."""
    return place_id if precision == "point" else f"{place_id}~region"


def _incident_point(project: Project, place_id: str, precision: str, group: list[Incident],
                    root: str) -> MapPoint:
    """Return the marker of the incidents at one place: the incident itself, or how many there were."""
    place = project.locations[place_id]
    point_id = _point_id(place_id, precision)
    if len(group) == 1:
        incident = group[0]
        return MapPoint(point_id, f"{place.name} ({incident_date(incident, 'label')})", place.latitude,
                        place.longitude, "incident", incident.event_type, f"{root}{urls.incident(incident)}",
                        precision=precision)
    commonest = Counter(i.event_type for i in group).most_common(1)[0][0]
    return MapPoint(point_id, f"{place.name} ({len(group)} incidents)", place.latitude, place.longitude,
                    "incident", commonest, f"{root}{urls.location(place)}", precision=precision)


def deployment_places(project: Project, deployments: Iterable[Deployment]) -> list[Location]:
    """Return the bases of deployments that name one."""
    return [project.locations[d.location] for d in deployments if d.location]


def _place_point(place: Location, root: str, precision: str = "point") -> MapPoint:
    """Return the symbol of a place, linked to its page; a hatched area when only its region is known."""
    return MapPoint(place.id, place.name, place.latitude, place.longitude, place.kind,
                    href=f"{root}{urls.location(place)}", precision=precision)
