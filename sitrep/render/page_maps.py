"""The maps of the site's pages: the incidents of a country or place, and one incident's map."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .. import urls
from ..maps import MapArrow, MapPoint, render_map
from ..model import Deployment, Incident, Location, Project


def incidents_map(project: Project, incidents: Iterable[Incident], *, root: str, countries: Sequence[str],
                  title: str, id_prefix: str, places: Iterable[Location] = ()) -> str:
    """Return an SVG map of incidents (linked to their pages), their launch points and other places."""
    points: dict[str, MapPoint] = {}
    arrows: list[MapArrow] = []
    for incident in incidents:
        place = project.locations[incident.location.location]
        href = f"{root}{urls.incident(incident)}"
        points[incident.id] = MapPoint(incident.id, f"{place.name} ({incident.date.day} {incident.date:%b})",
                                       place.latitude, place.longitude, "incident", incident.event_type, href)
        if incident.origin:
            start = project.locations[incident.origin.location]
            points.setdefault(start.id, _place_point(start, root))
            arrows.append(MapArrow((start.latitude, start.longitude), (place.latitude, place.longitude), href,
                                   f"Launched from {start.name}"))
    for place in places:
        points.setdefault(place.id, _place_point(place, root))
    if not points:
        return ""
    return linked_map(render_map(list(points.values()), arrows, focus_countries=list(countries), title=title,
                                 id_prefix=id_prefix))


def linked_map(svg: str) -> str:
    """Return a map whose markers link to pages as a labelled group of links rather than one image.

    The children of role="img" are hidden from assistive technology, so links inside it could be
    focused but not announced (axe: nested-interactive); a group keeps the title and description.
    """
    if "<a " not in svg:
        return svg
    head, bracket, rest = svg.partition(">")
    return head.replace(' role="img"', ' role="group"', 1) + bracket + rest


def deployment_places(project: Project, deployments: Iterable[Deployment]) -> list[Location]:
    """Return the bases of deployments that name one."""
    return [project.locations[d.location] for d in deployments if d.location]


def _place_point(place: Location, root: str) -> MapPoint:
    return MapPoint(place.id, place.name, place.latitude, place.longitude, place.kind,
                    href=f"{root}{urls.location(place)}")
