"""The map and charts of a brief, computed from its analysis."""

from __future__ import annotations

import datetime as dt
import weakref
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .. import urls
from ..analyse import BriefAnalysis, Tally, acled_week, incident_date, incident_figures, period_incidents
from ..maps import MapArrow, MapPoint, render_map
from ..model import Incident, Period, Project

# The charts load matplotlib (a third of a second): imported when a brief's charts are first drawn, so
# that a build rendering no brief, and the processes that list pages for others to render, never load it.
if TYPE_CHECKING:
    from ..charts import Range

CHART_WEEKS = 16  # a quarter and a bit: enough to see a lull end


def brief_visuals(project: Project, analysis: BriefAnalysis, link_prefix: str | None = None) -> dict[str, str]:
    """Return {'map', 'incidents_chart', 'casualties_chart'} as SVG strings for a brief."""
    brief = analysis.brief
    return {
        "map": brief_map(project, analysis, link_prefix),
        **weekly_charts(project, brief.period.end, brief.countries, prefix=f"{brief.id}-"),
    }


def brief_map(project: Project, analysis: BriefAnalysis, link_prefix: str | None) -> str:
    """Return the SVG map of a brief's incidents, their launch points and the places named."""
    points: dict[str, MapPoint] = {}
    arrows = []
    for incident in map_incidents(project, analysis):
        href = f"{link_prefix}{urls.incident(incident)}" if link_prefix is not None else None
        # Only a place with published coordinates is a point; an area without them is not drawn as one.
        sites = [project.locations[site.location] for site in incident.sites]
        for n, place in enumerate(p for p in sites if p.located):
            key = incident.id if n == 0 else f"{incident.id}-site-{n + 1}"
            points[key] = MapPoint(key, f"{place.name} ({incident_date(incident, 'label')})",
                                   place.latitude, place.longitude, "incident", incident.event_type, href)
        place = sites[0]
        if incident.origin:
            start = project.locations[incident.origin.location]
            if start.located:
                points.setdefault(start.id, MapPoint(start.id, start.name, start.latitude, start.longitude,
                                                     start.kind))
            if start.located and place.located:
                arrows.append(MapArrow((start.latitude, start.longitude), (place.latitude, place.longitude),
                                       href, f"Launched from {start.name}"))
    for posture in analysis.posture:
        if posture.deployment.location:
            base = project.locations[posture.deployment.location]
            if base.located:
                points.setdefault(base.id, MapPoint(base.id, base.name, base.latitude, base.longitude,
                                                    base.kind))
    if not points:
        return ""
    return render_map(list(points.values()), arrows, focus_countries=brief_countries(analysis),
                      title=f"Incidents, {analysis.brief.period.start:%d %b} to {analysis.brief.period.end:%d %b %Y}",
                      id_prefix=f"map-{analysis.brief.id}")


def map_incidents(project: Project, analysis: BriefAnalysis) -> list[Incident]:
    """Return the period's incidents and the earlier ones the key judgments refer to."""
    ids = [i.id for i in analysis.current.incidents]
    ids += [ref for judgment in analysis.brief.key_judgments for ref in judgment.incidents]
    return [project.incidents[ref] for ref in dict.fromkeys(ids)]


def brief_countries(analysis: BriefAnalysis) -> list[str]:
    """Return the brief's countries, in the order written."""
    return list(analysis.brief.countries)


def weekly_charts(project: Project, end: dt.date, countries: list[str], prefix: str) -> dict[str, str]:
    """Return the incidents-per-week and casualties-per-week charts for the weeks up to end."""
    from ..charts import casualties_per_week_chart, incidents_per_week_chart

    last = acled_week(end)
    weeks = [last - dt.timedelta(weeks=n) for n in range(CHART_WEEKS - 1, -1, -1)]
    counted = [_WEEKS.get(project, week, tuple(countries)) for week in weeks]
    by_type: dict[str, list[int]] = defaultdict(lambda: [0] * len(weeks))
    for slot, week in enumerate(counted):
        for event_type, count in week.by_type.items():
            by_type[event_type][slot] = count
    killed = [week.killed for week in counted]
    wounded = [week.wounded for week in counted]
    return {
        "incidents_chart": incidents_per_week_chart(weeks, dict(by_type), id_prefix=f"{prefix}chart-incidents"),
        "casualties_chart": casualties_per_week_chart(weeks, [_range(t) for t in killed],
                                                      [_range(t) for t in wounded],
                                                      id_prefix=f"{prefix}chart-casualties"),
    }


@dataclass(frozen=True)
class _Week:
    """One week's incidents by event type and their killed and wounded."""

    by_type: Mapping[str, int]
    killed: Tally
    wounded: Tally


class _WeekCounts:
    """Each week's figures for a set of countries, counted once for the project last asked about.

    Each week is in the charts of CHART_WEEKS briefs; the project is immutable, so its weeks stay
    right for as long as it is the one asked about. The project is held by a weak reference: kept
    alive by this cache, it would outlive its build, and the collector would walk its hundreds of
    thousands of objects again and again as the process exits (0.6 s at 10,000 incidents).
    """

    def __init__(self) -> None:
        self._project: weakref.ref[Project] | None = None
        self._weeks: dict[tuple[dt.date, tuple[str, ...]], _Week] = {}

    def get(self, project: Project, week: dt.date, countries: tuple[str, ...]) -> _Week:
        """Return the figures of the ACLED week beginning on week, in the given countries."""
        if self._project is None or project is not self._project():
            self._project, self._weeks = weakref.ref(project), {}
        key = (week, countries)
        if key not in self._weeks:
            self._weeks[key] = _count_week(project, week, countries)
        return self._weeks[key]


def _count_week(project: Project, week: dt.date, countries: tuple[str, ...]) -> _Week:
    """Count a week's incidents by event type and add up their killed and wounded."""
    week_period = Period.model_construct(start=week, end=week + dt.timedelta(days=6))  # computed, not content
    incidents = period_incidents(project, week_period, countries)
    # known only to the month, an incident is in no week: ACLED's mid-month date is not a day it happened
    incidents = tuple(incident for incident in incidents if incident.time_precision < 3)
    figures = [incident_figures(project, incident) for incident in incidents]
    return _Week(Counter(incident.event_type for incident in incidents),
                 sum((f.killed for f in figures), Tally()), sum((f.wounded for f in figures), Tally()))


_WEEKS = _WeekCounts()


def _range(tally: Tally) -> Range:
    """Return a week's tally as a chart range: no incident is zero, only unknowns is unknown."""
    from ..charts import Range

    if tally.is_unknown:
        return Range(None, None)
    high = None if tally.unknown else tally.high
    return Range(tally.low, high)
