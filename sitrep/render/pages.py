"""The website's pages: each a path, a template and the names it receives.

Every link between pages is relative (the templates prefix paths with `root`), so the site works
under any sub-path and from file://; links always name an explicit .../index.html file.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markupsafe import Markup

from .. import urls
from ..analyse import BriefAnalysis, IncidentFigures, incident_figures, posture, when
from ..model import EVENT_TYPES, Attachment, Incident, Project
from ..validate import resolve_asset
from ..write import Stage
from . import exports, indexes
from .brief import brief_context
from .figures import brief_map, brief_visuals
from .notes import Notes
from .page_maps import deployment_places, incidents_map, linked_map

RECENT_INCIDENTS = 8  # on the home page: about two weeks of a busy theatre


@dataclass(frozen=True)
class Page:
    """One HTML or XML file of the site.

    context may be a function returning the names, so a build that skips the page never computes
    them (maps and charts are costly). deps names what the page shows, so an incremental build
    re-renders it only when one of those changed: keys from sitrep.deps such as ("incident", id),
    ("location", id), ("country", "IRQ"), or ("*", "incident") for all incidents; None (the
    default) means render on every build.
    """

    path: str
    template: str
    context: Mapping[str, Any] | Callable[[], Mapping[str, Any]] = field(default_factory=dict)
    deps: frozenset[tuple[str, str]] | None = None

    def names(self) -> Mapping[str, Any]:
        """Return the names the template receives, computing them now if they were deferred."""
        return self.context() if callable(self.context) else self.context


def site_pages(project: Project, analyses: Mapping[str, BriefAnalysis]) -> Iterator[Page]:
    """Yield every page of the site."""
    yield home_page(project, analyses)
    yield from brief_pages(project, analyses)
    yield from incident_pages(project)
    yield from actor_pages(project)
    yield from location_pages(project)
    yield from country_pages(project)
    yield from event_type_pages(project)
    yield from context_pages(project)
    yield forces_page(project)
    yield Page("sources/index.html", "site/sources.html",
               {"section": "sources", "citations": indexes.citation_counts(project)})
    yield Page("data/index.html", "site/data.html", {"section": "data", "files": DATA_FILES})
    yield Page("search.html", "site/search.html", {"section": "search"})
    yield Page("404.html", "site/404.html", _not_found_context(project))
    yield from feed_pages(project)
    yield from data_pages(project)


def figures(project: Project, incidents: Any) -> list[IncidentFigures]:
    """Return the headline figures of each incident, in the order given."""
    return [incident_figures(project, incident) for incident in incidents]


# --- Home and briefs ----------------------------------------------------------------------

def home_page(project: Project, analyses: Mapping[str, BriefAnalysis]) -> Page:
    """Return the home page: the latest brief's judgments and figures, recent incidents, all briefs."""
    latest = analyses[project.briefs_by_date[0].id] if project.briefs_by_date else None
    recent = project.incidents_by_date[:RECENT_INCIDENTS]
    if latest is not None:
        map_svg = linked_map(brief_map(project, latest, link_prefix=""))
    else:
        map_svg = incidents_map(project, recent, root="", countries=indexes.countries(project),
                                title="Recent incidents", id_prefix="map-home")
    return Page("index.html", "site/index.html", {
        "section": "home", "latest": latest, "recent": figures(project, recent), "map_svg": map_svg,
    })


def brief_pages(project: Project, analyses: Mapping[str, BriefAnalysis]) -> Iterator[Page]:
    """Yield the list of briefs and a page per brief."""
    yield Page("briefs/index.html", "site/briefs.html", {"section": "briefs", "analyses": analyses})
    for brief_id, analysis in analyses.items():
        path = urls.brief(brief_id)
        visuals = brief_visuals(project, analysis, link_prefix=urls.root_of(path))
        visuals = {**visuals, "map": linked_map(visuals["map"])}
        context = brief_context(project, analysis, medium="web", visuals=visuals)
        yield Page(path, "site/brief.html", {**context, "section": "briefs"})


# --- Incidents ----------------------------------------------------------------------------

def incident_pages(project: Project) -> Iterator[Page]:
    """Yield the timeline of all incidents and a page per incident."""
    everything = figures(project, project.incidents_by_date)
    yield Page("incidents/index.html", "site/incidents.html", {
        "section": "incidents", "months": _months(everything),
    })
    for incident in project.incidents_by_date:
        path = urls.incident(incident)
        root = urls.root_of(path)
        place = project.locations[incident.location.location]
        yield Page(path, "site/incident.html", {
            "section": "incidents",
            "incident": incident,
            "facts": incident_figures(project, incident),
            "timing": when(incident),
            "place": place,
            "origin": project.locations[incident.origin.location] if incident.origin else None,
            "country": project.country_of(incident),
            "notes": Notes(project, anchor="note"),
            "actor_ids": indexes.incident_actors(incident, project.actors),
            "attachments": [(a, attachment_path(a)) for a in incident.attachments],
            "briefs": [b for b in project.briefs_by_date
                       if incident.date in b.period and project.country_of(incident) in b.countries],
            "map_svg": incidents_map(project, [incident], root=root, countries=_countries_of(project, incident),
                                     title=f"Where: {place.name}", id_prefix=f"map-{incident.id}"),
        })


def _countries_of(project: Project, incident: Incident) -> list[str]:
    """Return the country an incident happened in, then the one it was launched from."""
    codes = [project.country_of(incident)]
    if incident.origin:
        codes.append(project.locations[incident.origin.location].country)
    return list(dict.fromkeys(codes))


def _months(items: list[IncidentFigures]) -> list[tuple[str, list[IncidentFigures]]]:
    by_id = {f.incident.id: f for f in items}
    return [(month, [by_id[i.id] for i in group])
            for month, group in indexes.by_month(f.incident for f in items)]


def attachment_path(attachment: Attachment) -> str:
    """Return where an attachment from content/assets/ is published."""
    return f"media/{attachment.path}"


def copy_attachments(project: Project, content_dir: Path, stage: Stage) -> set[str]:
    """Copy every incident attachment into the stage under media/; return the paths written."""
    written: set[str] = set()
    for incident in project.incidents.values():
        for attachment in incident.attachments:
            source = resolve_asset(content_dir, attachment.path)
            target = attachment_path(attachment)
            if source is not None and target not in written:
                stage.write(target, source.read_bytes())
                written.add(target)
    return written


# --- Actors, places, countries ------------------------------------------------------------

def actor_pages(project: Project) -> Iterator[Page]:
    """Yield the index of actors by kind and a page per actor."""
    counts = {a: len(indexes.actor_incidents(project, a)) for a in project.actors}
    yield Page("actors/index.html", "site/actors.html", {"section": "actors", "counts": counts})
    for actor in project.actors.values():
        roles = indexes.actor_roles(project, actor.id)
        yield Page(urls.actor(actor), "site/actor.html", {
            "section": "actors",
            "actor": actor,
            "roles": {role: figures(project, items) for role, items in roles.items() if items},
            "role_labels": indexes.ROLES,
            "members": indexes.members(project, actor.id),
            "deployments": [d for d in project.deployments.values() if d.actor == actor.id],
            "notes": Notes(project, anchor="note"),
        })


def location_pages(project: Project) -> Iterator[Page]:
    """Yield the index of places by country and a page per location."""
    yield Page("locations/index.html", "site/locations.html", {
        "section": "places", "countries": indexes.countries(project),
    })
    for place in project.locations.values():
        path = urls.location(place)
        found = indexes.location_incidents(project, place.id)
        deployments = indexes.location_deployments(project, place.id)
        inside = indexes.places_within(project, place.id)
        yield Page(path, "site/location.html", {
            "section": "places",
            "place": place,
            "struck": figures(project, found.struck),
            "launched": figures(project, found.launched),
            "deployments": [_posture_of(project, d) for d in deployments],
            "inside": inside,
            "enclosing": indexes.enclosing(project, place.id),
            "map_svg": incidents_map(project, found.all, root=urls.root_of(path), countries=[place.country],
                                     title=f"Incidents at and near {place.name}", id_prefix=f"map-{place.id}",
                                     places=[place, *deployment_places(project, deployments)]),
        })


def country_pages(project: Project) -> Iterator[Page]:
    """Yield the index of countries and a page per country the content names."""
    codes = indexes.countries(project)
    views = {code: indexes.country_view(project, code) for code in codes}
    yield Page("countries/index.html", "site/countries.html", {"section": "places", "views": views})
    for code, view in views.items():
        path = urls.country(code)
        yield Page(path, "site/country.html", {
            "section": "places",
            "code": code,
            "view": view,
            "incidents": figures(project, view.incidents),
            "launched_from": figures(project, view.launched_from),
            "deployments": [_posture_of(project, d) for d in view.deployments],
            "briefs": [b for b in project.briefs_by_date if code in b.countries],
            "map_svg": incidents_map(project, (*view.incidents, *view.launched_from), root=urls.root_of(path),
                                     countries=[code], title=f"Incidents in {_country_name(code)}",
                                     id_prefix=f"map-{code.lower()}",
                                     places=deployment_places(project, view.deployments))
            if view.incidents or view.launched_from or view.deployments else "",
        })


def _country_name(code: str) -> str:
    from .env import country_name

    return country_name(code)


def _posture_of(project: Project, deployment: Any) -> Any:
    """Return a deployment's latest troop figure and the one before it."""
    latest = deployment.latest.as_of
    return posture([deployment], latest)[0]


# --- Event types, forces, context ---------------------------------------------------------

def event_type_pages(project: Project) -> Iterator[Page]:
    """Yield the index of ACLED event types and a page per type, each listing its incidents."""
    by_type = {name: [i for i in project.incidents_by_date if i.event_type == name] for name in EVENT_TYPES}
    yield Page("event-types/index.html", "site/event-types.html", {
        "section": "incidents", "by_type": by_type, "event_types": EVENT_TYPES,
    })
    for name, items in by_type.items():
        groups = indexes.by_sub_event(items)
        yield Page(urls.event_type(name), "site/event-type.html", {
            "section": "incidents", "name": name, "sub_types": EVENT_TYPES[name],
            "groups": {sub: figures(project, group) for sub, group in groups.items()},
            "count": len(items),
        })


def forces_page(project: Project) -> Page:
    """Return the force-posture page: every deployment's troop figures over time."""
    deployments = sorted(project.deployments.values(), key=lambda d: (d.country, d.actor, d.id))
    return Page("forces/index.html", "site/forces.html", {
        "section": "forces",
        "deployments": [(d, sorted(d.figures, key=lambda f: f.as_of, reverse=True)) for d in deployments],
        "notes": Notes(project, anchor="note"),
    })


def context_pages(project: Project) -> Iterator[Page]:
    """Yield the list of context notes and a page per note."""
    notes = sorted(project.context.values(), key=lambda n: (n.date, n.id), reverse=True)
    yield Page("context/index.html", "site/context-index.html", {"section": "context", "items": notes})
    for note in notes:
        yield Page(urls.context(note), "site/context.html", {
            "section": "context", "note": note, "notes": Notes(project, anchor="note"),
            "briefs": [b for b in project.briefs_by_date if note.id in b.context],
        })


def _not_found_context(project: Project) -> dict[str, Any]:
    """Return the 404 page's names: it is served at any depth, so it links absolutely when it can."""
    base = project.site.base_url
    return {"section": "", "site_root": f"{base.rstrip('/')}/" if base else ""}


# --- Feeds, sitemap, data -----------------------------------------------------------------

def feed_pages(project: Project) -> Iterator[Page]:
    """Yield the Atom feeds, the sitemap and robots.txt."""
    common = {"absolute": _absolute(project), "atom_id": lambda kind, key: atom_id(project, kind, key)}
    briefs = project.briefs_by_date
    yield Page("feeds/briefs.xml", "site/feeds/briefs.xml", {
        **common, "updated": max((b.cutoff for b in briefs), default=_EPOCH).isoformat(),
    })
    incidents = project.incidents_by_date
    latest = max(((i.updated or i.date) for i in incidents), default=_EPOCH.date())
    yield Page("feeds/incidents.xml", "site/feeds/incidents.xml", {
        **common, "items": figures(project, incidents), "updated": f"{latest.isoformat()}T00:00:00Z",
    })
    yield Page("sitemap.xml", "site/sitemap.xml", {**common, "paths": sitemap_paths(project)})
    yield Page("robots.txt", "site/robots.txt", common)


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def atom_id(project: Project, kind: str, key: str) -> str:
    """Return a permanent Atom id: a name-based UUID of the site's title, the kind and the id."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'sitrep:{project.site.title}:{kind}:{key}')}"


def _absolute(project: Project) -> str:
    """Return the prefix that makes a site path absolute ('' when no base_url is set)."""
    base = project.site.base_url
    return f"{base.rstrip('/')}/" if base else ""


def sitemap_paths(project: Project) -> list[str]:
    """Return the path of every HTML page a reader may land on (not the search or 404 pages)."""
    paths = ["index.html", "briefs/index.html", "incidents/index.html", "actors/index.html",
             "locations/index.html", "countries/index.html", "event-types/index.html", "forces/index.html",
             "context/index.html", "sources/index.html", "data/index.html"]
    paths += [urls.brief(b) for b in project.briefs_by_date]
    paths += [urls.incident(i) for i in project.incidents_by_date]
    paths += [urls.actor(a) for a in sorted(project.actors)]
    paths += [urls.location(p) for p in sorted(project.locations)]
    paths += [urls.country(c) for c in indexes.countries(project)]
    paths += [urls.event_type(t) for t in EVENT_TYPES]
    paths += [urls.context(n) for n in sorted(project.context)]
    return paths


#: The downloadable data files, with what a reader is told about each.
DATA_FILES: dict[str, str] = {
    "data/incidents.json": "Every incident with every field, as JSON.",
    "data/incidents.geojson": "A GeoJSON FeatureCollection: one point per incident, its fields as properties.",
    "data/incidents.csv": "ACLED's 31 columns and codes, for tools built for ACLED data.",
}


def data_pages(project: Project) -> Iterator[Page]:
    """Yield the data downloads: incidents as JSON, GeoJSON and ACLED-style CSV."""
    for path, text in (("data/incidents.json", exports.incidents_json(project)),
                       ("data/incidents.geojson", exports.incidents_geojson(project)),
                       ("data/incidents.csv", exports.incidents_acled_csv(project))):
        # Markup: the text is already in its final form and must not be HTML-escaped.
        yield Page(path, "site/data.txt", {"data": Markup(text)})

