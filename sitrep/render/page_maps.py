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
from . import drawn as kept_drawings
from .figures import map_point, map_precision
from ..model import Deployment, Incident, Location, Project


def incidents_map(project: Project, incidents: Iterable[Incident], *, root: str, countries: Sequence[str],
                  title: str, id_prefix: str, places: Iterable[Location] = ()) -> str:
    """Return a map of incidents by place (linked to their pages), launch points, other places and a legend.

    Every site of an incident on several is drawn. Incidents known only to the region of a place get their own
    hatched area, apart from those at the place; a place without published coordinates is never a point (a
    country is hatched whole, a smaller area named as not on the map).
    """
    if not project.site.site_figures:
        return ""
    at_place: dict[tuple[str, str], list[Incident]] = {}
    launches: dict[tuple[str, str], list[Incident]] = {}
    for incident in incidents:
        for site in incident.sites:
            at_place.setdefault((site.location, map_precision(site)), []).append(incident)
        for site in incident.sites if incident.origin else ():
            launches.setdefault((incident.origin.location, site.location), []).append(incident)
    points = {_point_id(*key): _incident_point(project, *key, group, root) for key, group in at_place.items()}
    arrows = []
    for (start_id, end_id), group in launches.items():
        start, end = project.locations[start_id], project.locations[end_id]
        # Drawn from a region only when no incident of the group knew the launch point better.
        precision = "region" if all(map_precision(i.origin) == "region" for i in group) else "point"
        points.setdefault(start_id, _place_point(start, root, precision))
        if not (start.located and end.located):
            continue  # no point to draw from or to: the hatched country or the legend's note says where
        href = f"{root}{urls.incident(group[0])}" if len(group) == 1 else f"{root}{urls.location(end)}"
        arrows.append(MapArrow((start.latitude, start.longitude), (end.latitude, end.longitude), href,
                               f"Launched from {start.name}", from_region=precision == "region"))
    for place in places:
        points.setdefault(place.id, _place_point(place, root))
    if not points:
        return ""
    shown, focus = list(points.values()), list(countries)
    return kept_drawings.kept(("map", "web", id_prefix, root), (shown, arrows, focus, title),
                              lambda: render_map_html(shown, arrows, focus_countries=focus, title=title,
                                                      id_prefix=id_prefix))


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
        return map_point(place, None, point_id, f"{place.name} ({incident_date(incident, 'label')})",
                         "incident", incident.event_type, f"{root}{urls.incident(incident)}",
                         precision=precision)
    commonest = Counter(i.event_type for i in group).most_common(1)[0][0]
    return map_point(place, None, point_id, f"{place.name} ({len(group)} incidents)", "incident", commonest,
                     f"{root}{urls.location(place)}", precision=precision)


def deployment_places(project: Project, deployments: Iterable[Deployment]) -> list[Location]:
    """Return the bases of deployments that name one."""
    return [project.locations[d.location] for d in deployments if d.location]


def _place_point(place: Location, root: str, precision: str = "point") -> MapPoint:
    """Return the symbol of a place, linked to its page; a hatched area when only its region is known."""
    return map_point(place, href=f"{root}{urls.location(place)}", precision=precision)
