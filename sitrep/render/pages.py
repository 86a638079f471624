"""The website's pages: each a path, a template and the names it receives.

Every link between pages is relative (the templates prefix paths with `root`), so the site works
under any sub-path and from file://; links always name an explicit .../index.html file.

Each page's names are computed only when it is rendered (maps are costly, and the build renders
deferred pages in parallel), and each page declares what it shows (sitrep.deps keys) so that an
incremental build redoes it only when one of those changed.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache, partial
from pathlib import Path
from typing import Any

from .. import deps, urls
from ..analyse import (
    BriefAnalysis,
    IncidentFigures,
    incident_figures,
    period_headline,
    period_incidents,
    posture,
    when,
)
from ..cache import Pieces
from ..model import (
    EVENT_TYPES,
    Actor,
    Attachment,
    Brief,
    Citation,
    ContextNote,
    Deployment,
    Incident,
    Location,
    Project,
)
from ..validate import resolve_asset
from ..write import Stage
from . import exports, indexes, stix
from .exports import made_from
from .brief import Abbreviations, brief_context
from .figures import brief_map, brief_visuals, chart_weeks
from .notes import Notes
from .page_maps import deployment_places, incidents_map

Keys = frozenset[deps.Key]
#: What a page depended on in the last build, if none of it changed since (None: work it out again).
KnownKeys = Callable[[str], Keys | None]

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


def site_pages(project: Project, analyses: Mapping[str, BriefAnalysis], pieces: Path | None = None,
               known: KnownKeys = lambda path: None) -> Iterator[Page]:
    """Yield every page of the site; the data downloads keep their pieces between builds in pieces/.

    known gives what a page depended on in the last build when none of that changed since: the page of an
    incident, a place, an actor, a country or an event type then takes it as it is (worked out from only
    what those keys name, it would be the same) rather than work out its keys again, most of the cost of
    listing 10,000 incidents' pages.
    """
    places = deps.PlacesByDay(project)
    yield Page("index.html", "site/index.html", partial(home_context, project, analyses),
               home_keys(project, places))
    yield from brief_pages(project, analyses, places, pieces)
    yield from incident_pages(project, known)
    yield from actor_pages(project, known)
    yield from location_pages(project, known)
    yield from country_pages(project, known)
    yield from event_type_pages(project, known)
    yield from context_pages(project)
    yield from _single_pages(project)
    yield from feed_pages(project)
    yield from data_pages(project, pieces)


def _single_pages(project: Project) -> Iterator[Page]:
    """Yield the pages of no family: forces, sources, the data page, search and 404."""
    yield Page("forces/index.html", "site/forces.html", partial(forces_context, project),
               deps.every("deployment", "actor", "location", "source", "document"))
    yield Page("sources/index.html", "site/sources.html",
               lambda: {"section": "sources", "citations": indexes.citation_counts(project)}, deps.EVERYTHING)
    yield Page("data/index.html", "site/data.html",
               {"section": "data", "files": DATA_FILES, "feed_entries": FEED_ENTRIES}, frozenset())
    yield Page("search.html", "site/search.html", {"section": "search"}, frozenset())
    yield Page("404.html", "site/404.html", _not_found_context(project), frozenset())


#: The families of pages by where they live, for page_at: each yields every page under its folder.
_FAMILIES: dict[str, Callable[[Project, Mapping[str, BriefAnalysis], Path | None], Iterable[Page]]] = {
    "briefs/": lambda project, analyses, pieces: brief_pages(project, analyses, deps.PlacesByDay(project), pieces),
    "incidents/": lambda project, _analyses, _pieces: incident_pages(project),
    "actors/": lambda project, _analyses, _pieces: actor_pages(project),
    "locations/": lambda project, _analyses, _pieces: location_pages(project),
    "countries/": lambda project, _analyses, _pieces: country_pages(project),
    "event-types/": lambda project, _analyses, _pieces: event_type_pages(project),
    "context/": lambda project, _analyses, _pieces: context_pages(project),
}


def page_at(project: Project, analyses: Mapping[str, BriefAnalysis], path: str, pieces: Path | None = None
            ) -> Page | None:
    """Return the HTML page site_pages yields at path, making only that page's family; None if there is none.

    The live preview renders the pages open in a browser first (sitrep.live): an incident's page is
    made on its own, any other from the pages of its folder, never from all 13,000 of a large site.
    """
    if not path.endswith(".html"):
        return None
    incident_id = path.removeprefix("incidents/").removesuffix(".html")
    if path.startswith("incidents/") and incident_id in project.incidents:
        return incident_page(project, project.incidents[incident_id])
    family = next((make for folder, make in _FAMILIES.items() if path.startswith(folder)), None)
    if family is not None:
        pages = family(project, analyses, pieces)
    else:
        pages = site_pages(project, analyses, pieces) if path == "index.html" else _single_pages(project)
    return next((page for page in pages if page.path == path), None)


def figures(project: Project, incidents: Iterable[Incident]) -> list[IncidentFigures]:
    """Return the headline figures of each incident, in the order given, each worked out when first read."""
    return [LazyFigures(project, incident) for incident in incidents]  # type: ignore[misc]


class LazyFigures:
    """An incident's figures (analyse.IncidentFigures), worked out when first read.

    A list prints the rows it kept from the last build (render.rows) without reading their figures.
    """

    __slots__ = ("_found", "_project", "incident")

    def __init__(self, project: Project, incident: Incident) -> None:
        self._project, self.incident = project, incident
        self._found: IncidentFigures | None = None

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        if self._found is None:
            self._found = incident_figures(self._project, self.incident)
        return getattr(self._found, name)


# --- Home and briefs ----------------------------------------------------------------------

def home_context(project: Project, analyses: Mapping[str, BriefAnalysis]) -> dict[str, Any]:
    """Return the home page's names: the latest brief's judgments and figures, recent incidents, a map."""
    latest = analyses[project.briefs_by_date[0].id] if project.briefs_by_date else None
    recent = project.incidents_by_date[:RECENT_INCIDENTS]
    if latest is not None:
        map_svg = brief_map(project, latest, link_prefix="", medium="web")
    else:
        map_svg = incidents_map(project, recent, root="", countries=indexes.countries(project),
                                title="Recent incidents", id_prefix="map-home")
    return {"section": "home", "latest": latest, "recent": figures(project, recent), "map_svg": map_svg}


def home_keys(project: Project, places: deps.PlacesByDay) -> Keys:
    """Return what the home page shows: the latest brief as its page does, the newest incidents, briefs."""
    if not project.briefs_by_date:  # the map then spans every country the content names
        return deps.EVERYTHING
    recent = deps.incidents_listed(project, project.incidents_by_date[:RECENT_INCIDENTS])
    return brief_keys(project, project.briefs_by_date[0], places) | recent | deps.every("brief", "incident")


def brief_pages(project: Project, analyses: Mapping[str, BriefAnalysis], places: deps.PlacesByDay,
                pieces: Path | None = None) -> Iterator[Page]:
    """Yield the list of briefs and a page per brief; the list keeps its headlines between builds in pieces/."""
    kept = pieces / "headlines.pickle" if pieces else None
    # a document's date decides whether a casualty report was known by a brief's cut-off
    yield Page("briefs/index.html", "site/briefs.html", partial(brief_list_context, project, kept),
               deps.every("brief", "incident", "location", "document"))
    for brief in project.briefs_by_date:
        yield Page(urls.brief(brief), "site/brief.html",
                   partial(brief_page_context, project, analyses, brief.id),
                   brief_keys(project, brief, places))


def brief_list_context(project: Project, kept: Path | None = None) -> dict[str, Any]:
    """Return the list of briefs' names: each brief, newest first, with its period's headline figures.

    A brief's headline is kept (in kept) while its period's incidents and the documents their casualty
    reports cite are the same: working out the figures of every incident is most of this page's cost.
    """
    pieces = Pieces(kept)
    briefs = [(b, pieces.get(b.id, headline_key(project, b),
                             partial(period_headline, project, b.period, b.countries, b.cutoff)))
              for b in project.briefs_by_date]
    pieces.save()
    return {"section": "briefs", "briefs": briefs}


def headline_key(project: Project, brief: Brief) -> tuple[Any, ...] | None:
    """Return what a brief's headline is worked out from: its period's incidents and what dates their reports."""
    shown = period_incidents(project, brief.period, brief.countries)
    inputs = [("incident", i.id) for i in shown]
    inputs += [("document", c.document) for i in shown for report in i.casualties for c in report.sources
               if c.document is not None]
    # an incident counts once it was reported by the cut-off: when its reports were published matters too
    inputs += [("document", c.document) for i in shown for c in i.sources if c.document is not None]
    digests = made_from(project, inputs)
    return None if digests is None else (brief.period.start, brief.period.end, tuple(brief.countries),
                                         brief.cutoff.isoformat(), tuple(i.id for i in shown), digests)


def brief_page_context(project: Project, analyses: Mapping[str, BriefAnalysis],
                       brief_id: str) -> dict[str, Any]:
    """Return a brief page's names: the brief as in its PDF, with maps and charts linking into the site."""
    analysis = analyses[brief_id]
    visuals = brief_visuals(project, analysis, link_prefix=urls.root_of(urls.brief(brief_id)),
                            medium="web")
    return {**brief_context(project, analysis, medium="web", visuals=visuals), "section": "briefs"}


def brief_keys(project: Project, brief: Brief, places: deps.PlacesByDay) -> Keys:
    """Return what a brief page shows: the same as its PDF, whose charts start at most CHART_WEEKS back."""
    weeks = chart_weeks(project, brief)
    window_start = weeks[0].start if weeks else brief.period.start
    return deps.brief_page(project, brief, project.previous_brief(brief), window_start, places)


# --- Incidents ----------------------------------------------------------------------------

def incident_pages(project: Project, known: KnownKeys = lambda path: None) -> Iterator[Page]:
    """Yield the timeline's years and months, a page per year of incidents, and a page per incident."""
    years = indexes.by_year(project.incidents_by_date)
    yield Page("incidents/index.html", "site/incidents.html", partial(timeline_context, years),
               deps.every("incident"))
    for year, items in years:
        yield Page(urls.timeline_year(year), "site/incidents-year.html",
                   partial(year_context, project, year, items),
                   frozenset(deps.incidents_listed(project, items)))
    for incident in project.incidents_by_date:
        yield incident_page(project, incident, known)


def incident_page(project: Project, incident: Incident, known: KnownKeys = lambda path: None) -> Page:
    """Return an incident's page (known: as for site_pages)."""
    path = urls.incident(incident)
    keys = known(path)
    if keys is None:
        keys = deps.incident_page(project, incident)
    return Page(path, "site/incident.html", partial(incident_context, project, incident, keys), keys)


def timeline_context(years: list[tuple[int, list[Incident]]]) -> dict[str, Any]:
    """Return the timeline's names: each year, newest first, with its months and their incidents."""
    return {"section": "incidents",
            "years": [(year, items, indexes.by_month(items)) for year, items in years]}


def year_context(project: Project, year: int, items: list[Incident]) -> dict[str, Any]:
    """Return a year's timeline names: its incidents with their figures, grouped by month, newest first."""
    return {"section": "incidents", "year": year, "count": len(items),
            "months": [(month, figures(project, group)) for month, group in indexes.by_month(items)]}


def incident_context(project: Project, incident: Incident, keys: Keys) -> dict[str, Any]:
    """Return an incident page's names: its facts, figures, places, statements and notes; keys are its deps."""
    return {
        "section": "incidents",
        "incident": incident,
        "facts": incident_figures(project, incident),
        "timing": when(incident),
        "place": project.locations[incident.location.location],
        "sites": [(project.locations[site.location], site) for site in incident.sites],
        "origin": project.locations[incident.origin.location] if incident.origin else None,
        "country": project.country_of(incident),
        "notes": Notes(project, anchor="note"),
        # only the actors and sources the page depends on: an incremental build then stays exact
        "abbreviations": Abbreviations(project, keys),
        "actor_ids": indexes.incident_actors(incident, project.actors),
        "attachments": [(a, attachment_path(a)) for a in incident.attachments],
        "briefs": [b for b in project.briefs_by_date
                   if incident.date in b.period
                   and any(code in b.countries for code in project.countries_of(incident))],
    }


def attachment_path(attachment: Attachment) -> str:
    """Return where an attachment from content/assets/ is published."""
    return f"media/{attachment.path}"


def copy_attachments(project: Project, content_dir: Path, stage: Stage) -> set[str]:
    """Copy every attachment and Markdown image into the stage under media/; return the paths written."""
    written: set[str] = set()
    wanted = [a.path for i in project.incidents.values() for a in i.attachments] + markdown_images(project)
    for relative in wanted:
        source = resolve_asset(content_dir, relative)
        target = f"media/{relative}"
        if source is not None and target not in written:
            stage.write(target, source.read_bytes())
            written.add(target)
    return written


_MARKDOWN_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?assets/([A-Za-z0-9_][A-Za-z0-9_./-]*\.(?:png|jpe?g|gif|webp))")


def markdown_images(project: Project) -> list[str]:
    """Return the content/assets paths of images written in Markdown anywhere in the content."""
    texts = [i.summary for i in project.incidents.values()] + [a.profile for a in project.actors.values()]
    texts += [loc.description for loc in project.locations.values()] + [c.body for c in project.context.values()]
    texts += [s.description for s in project.sources.values()]
    for brief in project.briefs.values():
        texts += [brief.summary, brief.outlook, *(section.assessment for section in brief.sections)]
    return sorted({match for text in texts for match in _MARKDOWN_IMAGE.findall(text)})


# --- Actors -------------------------------------------------------------------------------

def actor_pages(project: Project, known: KnownKeys = lambda path: None) -> Iterator[Page]:
    """Yield the index of actors by kind and a page per actor."""
    all_roles = cache(partial(indexes.actor_roles, project))  # only when a page needs them
    yield Page("actors/index.html", "site/actors.html", partial(actors_context, all_roles),
               deps.every("actor", "incident"))
    for actor in project.actors.values():
        path = urls.actor(actor)
        keys = known(path)
        yield Page(path, "site/actor.html", partial(_actor_names, project, actor, all_roles),
                   actor_keys(project, actor, all_roles()[actor.id]) if keys is None else keys)


def actors_context(all_roles: Callable[[], Mapping[str, Mapping[str, list[Incident]]]]) -> dict[str, Any]:
    """Return the index of actors' names: how many incidents each actor played a part in."""
    return {"section": "actors",
            "counts": {actor_id: len(indexes.incidents_of(roles)) for actor_id, roles in all_roles().items()}}


def _actor_names(project: Project, actor: Actor,
                 all_roles: Callable[[], Mapping[str, Mapping[str, list[Incident]]]]) -> dict[str, Any]:
    return actor_context(project, actor, all_roles()[actor.id])


def actor_context(project: Project, actor: Actor, roles: Mapping[str, list[Incident]]) -> dict[str, Any]:
    """Return an actor page's names: its profile, members, deployments and incidents by role."""
    return {
        "section": "actors",
        "actor": actor,
        "roles": {role: figures(project, items) for role, items in roles.items()},
        "role_labels": indexes.ROLES,
        "members": indexes.members(project, actor.id),
        "deployments": [d for d in project.deployments.values() if d.actor == actor.id],
        "notes": Notes(project, anchor="note"),
    }


def actor_keys(project: Project, actor: Actor, roles: Mapping[str, list[Incident]]) -> Keys:
    """Return what an actor page shows: itself, what names it, its incidents, parent, members and forces."""
    keys = {deps.entity("actor", actor.id), deps.mentions("actor", actor.id)}
    keys |= deps.incidents_listed(project, indexes.incidents_of(roles))
    keys |= {deps.entity("actor", a.id) for a in indexes.members(project, actor.id)}
    keys |= {deps.entity("actor", actor.part_of)} if actor.part_of else set()
    keys |= _citation_keys(project, actor.sources)
    for deployment in project.deployments.values():
        if deployment.actor == actor.id:
            keys |= _deployment_keys(deployment)
    return frozenset(keys)


def _citation_keys(project: Project, citations: Iterable[Citation]) -> set[deps.Key]:
    return deps.citation_keys(project, citations)


def _deployment_keys(deployment: Deployment) -> set[deps.Key]:
    keys = {deps.entity("deployment", deployment.id), deps.entity("actor", deployment.actor)}
    return keys | ({deps.entity("location", deployment.location)} if deployment.location else set())


# --- Places and countries -----------------------------------------------------------------

def location_pages(project: Project, known: KnownKeys = lambda path: None) -> Iterator[Page]:
    """Yield the index of places by country and a page per location."""
    yield Page("locations/index.html", "site/locations.html",
               {"section": "places", "countries": indexes.countries(project)}, deps.every("location"))
    children = indexes.children_of(project)
    struck, launched = indexes.incidents_by_place(project)
    for place in project.locations.values():
        path = urls.location(place)
        shown = partial(_place_shows, project, place, children, struck, launched)
        keys = known(path)
        yield Page(path, "site/location.html", partial(_location_names, project, place, shown),
                   location_keys(project, place, *shown()) if keys is None else keys)


def _place_shows(project: Project, place: Location, children: Mapping[str, list[str]],
                 struck: Mapping[str, list[Incident]], launched: Mapping[str, list[Incident]]
                 ) -> tuple[list[Location], indexes.PlaceIncidents, list[Deployment]]:
    """Return the places inside a place, the incidents at and launched from any of them, and their forces."""
    inside = indexes.places_within(project, place.id, children)
    here = [place.id, *(p.id for p in inside)]
    return inside, indexes.location_incidents(here, struck, launched), indexes.location_deployments(project, set(here))


def _location_names(project: Project, place: Location,
                    shown: Callable[[], tuple[list[Location], indexes.PlaceIncidents, list[Deployment]]]
                    ) -> dict[str, Any]:
    return location_context(project, place, *shown())


def location_context(project: Project, place: Location, inside: list[Location], found: indexes.PlaceIncidents,
                     deployments: list[Deployment]) -> dict[str, Any]:
    """Return a location page's names: its facts, the incidents there and launched from there, forces, map."""
    return {
        "section": "places",
        "place": place,
        "struck": figures(project, found.struck),
        "launched": figures(project, found.launched),
        "deployments": [_posture_of(d) for d in deployments],
        "inside": inside,
        "enclosing": indexes.enclosing(project, place.id),
        "map_svg": incidents_map(project, found.all, root=urls.root_of(urls.location(place)),
                                 countries=[place.country], title=f"Incidents at and near {place.name}",
                                 id_prefix=f"map-{place.id}",
                                 places=[place, *deployment_places(project, deployments)])
        if found.all or deployments else "",
    }


def location_keys(project: Project, place: Location, inside: list[Location], found: indexes.PlaceIncidents,
                  deployments: list[Deployment]) -> Keys:
    """Return what a location page shows: itself, the places around and inside it, their incidents and forces.

    Anything added at the place or inside it names one of them (an incident's location or origin, a
    deployment's base, a place's parent), so it touches the mention key of one of them.
    """
    keys = {deps.entity("location", place.id), deps.mentions("location", place.id)}
    keys |= {deps.entity("location", p.id) for p in [*inside, *indexes.enclosing(project, place.id)]}
    keys |= {deps.mentions("location", p.id) for p in inside}
    keys |= deps.incidents_listed(project, found.all)
    for deployment in deployments:
        keys |= _deployment_keys(deployment)
    return frozenset(keys)


def country_pages(project: Project, known: KnownKeys = lambda path: None) -> Iterator[Page]:
    """Yield the index of countries and a page per country the content names."""
    views = indexes.country_views(project)
    yield Page("countries/index.html", "site/countries.html", {"section": "places", "views": views},
               deps.every("incident", "location", "deployment", "actor", "brief", "context"))
    for view in views.values():
        path = urls.country(view.code)
        keys = known(path)
        yield Page(path, "site/country.html", partial(country_context, project, view),
                   country_keys(project, view) if keys is None else keys)


def country_context(project: Project, view: indexes.CountryView) -> dict[str, Any]:
    """Return a country page's names: incidents in and launched from it, forces, places, actors, notes."""
    code = view.code
    return {
        "section": "places",
        "code": code,
        "view": view,
        "incidents": figures(project, view.incidents),
        "launched_from": figures(project, view.launched_from),
        "deployments": [_posture_of(d) for d in view.deployments],
        "briefs": [b for b in project.briefs_by_date if code in b.countries],
        "map_svg": incidents_map(project, (*view.incidents, *view.launched_from),
                                 root=urls.root_of(urls.country(code)), countries=[code],
                                 title=f"Incidents in {_country_name(code)}", id_prefix=f"map-{code.lower()}",
                                 places=deployment_places(project, view.deployments))
        if view.incidents or view.launched_from or view.deployments else "",
    }


def country_keys(project: Project, view: indexes.CountryView) -> Keys:
    """Return what a country page shows: everything in the country, and the places and forces it names."""
    keys = {deps.country(view.code)} | deps.incidents_listed(project, (*view.incidents, *view.launched_from))
    for deployment in view.deployments:
        keys |= _deployment_keys(deployment)
    return frozenset(keys)


def _country_name(code: str) -> str:
    from .env import country_name

    return country_name(code)


def _posture_of(deployment: Deployment) -> Any:
    """Return a deployment's latest troop figure and the one before it."""
    return posture([deployment], deployment.latest.as_of)[0]


# --- Event types, forces, context ---------------------------------------------------------

def event_type_pages(project: Project, known: KnownKeys = lambda path: None) -> Iterator[Page]:
    """Yield the index of ACLED event types and a page per type, each listing its incidents."""
    by_type = {name: [i for i in project.incidents_by_date if i.event_type == name] for name in EVENT_TYPES}
    yield Page("event-types/index.html", "site/event-types.html",
               {"section": "incidents", "by_type": by_type, "event_types": EVENT_TYPES},
               deps.every("incident"))
    for name, items in by_type.items():
        path = urls.event_type(name)
        keys = known(path)
        yield Page(path, "site/event-type.html", partial(event_type_context, project, name, items),
                   frozenset({deps.event_type(name)} | deps.incidents_listed(project, items))
                   if keys is None else keys)


def event_type_context(project: Project, name: str, items: list[Incident]) -> dict[str, Any]:
    """Return an event type page's names: its incidents grouped by sub-event type."""
    return {"section": "incidents", "name": name, "sub_types": EVENT_TYPES[name], "count": len(items),
            "groups": {sub: figures(project, group) for sub, group in indexes.by_sub_event(items).items()}}


def forces_context(project: Project) -> dict[str, Any]:
    """Return the force-posture page's names: every deployment's troop figures over time."""
    deployments = sorted(project.deployments.values(), key=lambda d: (d.country, d.actor, d.id))
    return {
        "section": "forces",
        "deployments": [(d, sorted(d.figures, key=lambda f: f.as_of, reverse=True)) for d in deployments],
        "notes": Notes(project, anchor="note"),
    }


def context_pages(project: Project) -> Iterator[Page]:
    """Yield the list of context notes and a page per note."""
    notes = sorted(project.context.values(), key=lambda n: (n.date, n.id), reverse=True)
    yield Page("context/index.html", "site/context-index.html", {"section": "context", "items": notes},
               deps.every("context"))
    for note in notes:
        keys = {deps.entity("context", note.id), deps.mentions("context", note.id)}
        keys |= _citation_keys(project, note.sources)
        yield Page(urls.context(note), "site/context.html", partial(context_note_context, project, note),
                   frozenset(keys))


def context_note_context(project: Project, note: ContextNote) -> dict[str, Any]:
    """Return a context note page's names: the note, its sources and the briefs that cite it."""
    return {"section": "context", "note": note, "notes": Notes(project, anchor="note"),
            "briefs": [b for b in project.briefs_by_date if note.id in b.context]}


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
    }, deps.every("brief"))
    yield Page("feeds/incidents.xml", "site/feeds/incidents.xml",
               partial(incident_feed_context, project, common), deps.every("incident", "location"))
    yield Page("sitemap.xml", "site/sitemap.xml", lambda: {**common, "paths": sitemap_paths(project)},
               deps.every("brief", "incident", "actor", "location", "deployment", "context"))
    yield Page("robots.txt", "site/robots.txt", common, frozenset())


#: How many incidents the feed carries: those most recently recorded or revised. Feed readers fetch
#: it again and again; the whole log is in the data downloads.
FEED_ENTRIES = 100


def incident_feed_context(project: Project, common: Mapping[str, Any]) -> dict[str, Any]:
    """Return the incidents feed's names: the incidents most recently recorded or revised, latest first."""
    latest = sorted(project.incidents.values(), key=lambda i: (i.updated or i.date, i.date, i.id),
                    reverse=True)[:FEED_ENTRIES]
    updated = max(((i.updated or i.date) for i in latest), default=_EPOCH.date())
    return {**common, "items": figures(project, latest), "updated": f"{updated.isoformat()}T00:00:00Z"}


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


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
    paths += [urls.timeline_year(year) for year, _ in indexes.by_year(project.incidents_by_date)]
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
    "data/incidents.geojson": "GeoJSON: a point feature per incident, its fields as properties.",
    "data/incidents.csv": "ACLED's 31 columns and codes, for tools built for ACLED data.",
    "data/sitrep.stix.json": "A STIX 2.1 bundle of the incidents, actors, places, sources and briefs, for "
                             "OpenCTI, MISP and other threat-intelligence platforms.",
}


#: What makes each data download, and the kinds of entity whose fields it carries.
DATA_EXPORTS: dict[str, tuple[Callable[[Project, Pieces], list[str]], tuple[str, ...]]] = {
    "data/incidents.json": (exports.incidents_json_parts, ("incident", "location")),
    "data/incidents.geojson": (exports.incidents_geojson_parts, ("incident", "location")),
    "data/incidents.csv": (exports.incidents_acled_csv_parts,
                           ("incident", "location", "actor", "source", "document")),
    "data/sitrep.stix.json": (stix.stix_bundle_parts, ("incident", "location", "actor", "source", "brief",
                                                       "document")),
}


def data_pages(project: Project, pieces: Path | None = None) -> Iterator[Page]:
    """Yield the data downloads: incidents as JSON, GeoJSON and ACLED-style CSV, made only when rendered."""
    for path, (make, kinds) in DATA_EXPORTS.items():
        kept = pieces / f"{Path(path).name}.pickle" if pieces else None
        yield Page(path, "site/data.txt", partial(data_context, project, make, kept), deps.every(*kinds))


def data_context(project: Project, make: Callable[[Project, Pieces], list[str]], kept: Path | None
                 ) -> dict[str, Any]:
    """Return a data download's names: its text, in its final form and printed as it is, in parts."""
    pieces = Pieces(kept)
    parts = make(project, pieces)
    pieces.save()
    return {"data": Verbatim(parts)}


@dataclass(frozen=True)
class Verbatim:
    """Text a template prints as it is: in its final form, without the characters pages drop.

    Not a str, so the environment's finalize (which drops those characters) does not scan it again,
    30 MB for the JSON download; __html__ tells autoescaping it is safe as it is.
    """

    parts: list[str]  # joined only if the template does more than print it once (pipeline.page_output)

    def __html__(self) -> str:
        """Return the text, safe to print as it is."""
        return "".join(self.parts)

    def __str__(self) -> str:
        # a .txt template (data.txt prints the CSV) is not autoescaped, so Jinja asks str(), not __html__
        return "".join(self.parts)
