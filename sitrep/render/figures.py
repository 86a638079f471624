"""The map and charts of a brief, computed from its analysis."""

from __future__ import annotations

import datetime as dt
import weakref
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .. import urls
from ..analyse import (BriefAnalysis, Tally, incident_date, incident_figures, known_reports, monitoring_start,
                       period_incidents)
from ..maps import MapArrow, MapPoint, render_map, render_map_html
from ..model import Brief, Incident, Location, Period, Place, Project
from . import drawn as kept_drawings

# The charts load matplotlib (a third of a second): imported when a brief's charts are first drawn, so
# that a build rendering no brief, and the processes that list pages for others to render, never load it.
if TYPE_CHECKING:
    from ..charts import Range

CHART_WEEKS = 16  # a quarter and a bit: enough to see a lull end


def brief_visuals(project: Project, analysis: BriefAnalysis, link_prefix: str | None = None,
                  medium: str = "pdf") -> dict[str, Any]:
    """Return {'map', 'incidents_chart', 'casualties_chart', 'charts_note', 'chart_table', 'charts_empty'}.

    The charts are SVG strings and the note a sentence; the map is an SVG in the PDF, HTML on the web.
    """
    brief = analysis.brief
    drawn = medium != "web" or project.site.site_figures
    return {
        "map": brief_map(project, analysis, link_prefix, medium),
        **weekly_charts(project, brief, prefix=f"{brief.id}-", drawn=drawn),
    }


def brief_map(project: Project, analysis: BriefAnalysis, link_prefix: str | None, medium: str = "pdf") -> str:
    """Return the map of a brief's incidents, their launch points and the places named.

    Incidents of the period are filled markers, earlier ones the key judgments refer to are outlined, and a
    place known only to its region is a hatched area. The PDF's map carries its legend; the web page's
    legend is HTML beside or below it.
    """
    if medium == "web" and not project.site.site_figures:
        return ""
    points: dict[str, MapPoint] = {}
    arrows = []
    in_period = {i.id for i in analysis.current.incidents}
    for incident in map_incidents(project, analysis):
        href = f"{link_prefix}{urls.incident(incident)}" if link_prefix is not None else None
        targets = []
        for n, site in enumerate(incident.sites):  # every site of a strike on several
            place = project.locations[site.location]
            key = incident.id if n == 0 else f"{incident.id}-site-{n + 1}"
            label = f"{place.name} ({incident_date(incident, 'label')})"
            points[key] = map_point(place, site, key, label, "incident", incident.event_type, href,
                                    reference=incident.id not in in_period)
            targets.append(place)
        if incident.origin:
            start = project.locations[incident.origin.location]
            points.setdefault(start.id, map_point(start, incident.origin))
            arrows += launch_arrows(start, incident.origin, targets, href)
    for posture in analysis.posture:
        if posture.deployment.location:
            base = project.locations[posture.deployment.location]
            points.setdefault(base.id, map_point(base))
    if not points:
        return ""
    period = analysis.brief.period
    render = render_map_html if medium == "web" else render_map
    shown, countries = list(points.values()), brief_countries(analysis)
    title, id_prefix = f"Incidents, {period.start:%d %b} to {period.end:%d %b %Y}", f"map-{analysis.brief.id}"
    return kept_drawings.kept(("map", medium, id_prefix, link_prefix), (shown, arrows, countries, title),
                              lambda: render(shown, arrows, focus_countries=countries, title=title,
                                             id_prefix=id_prefix))


def map_point(place: Location, site: Place | None = None, point_id: str = "", label: str = "",
              kind: str = "", category: str = "", href: str | None = None, *, reference: bool = False,
              precision: str = "") -> MapPoint:
    """Return a place as the map draws it: at its coordinates, as its whole country hatched, or named only.

    A place without published coordinates is never given a point: a country is hatched whole, and a smaller
    area is named under the legend as not on the map.
    """
    return MapPoint(point_id or place.id, label or place.name, place.latitude, place.longitude,
                    kind or place.kind, category, href,
                    precision=precision or (map_precision(site) if site else "point"),
                    reference=reference, whole_country=place.country if place.kind == "country" else "")


def launch_arrows(start: Location, origin: Place, targets: Sequence[Location], href: str | None,
                  ) -> list[MapArrow]:
    """Return an arrow from a launch point or region to each site it hit that has coordinates."""
    if not start.located:
        return []  # launched from an area drawn hatched (a country) or named only: no point to start from
    return [MapArrow((start.latitude, start.longitude), (place.latitude, place.longitude), href,
                     f"Launched from {start.name}", from_region=map_precision(origin) == "region")
            for place in {p.id: p for p in targets}.values() if place.located]


def map_precision(place: Place) -> str:
    """Return how a map draws a place: 'region' when only the region is known (ACLED geo_precision 3)."""
    return "region" if place.geo_precision == 3 else "point"


def map_incidents(project: Project, analysis: BriefAnalysis) -> list[Incident]:
    """Return the period's incidents and the earlier ones the key judgments refer to."""
    ids = [i.id for i in analysis.current.incidents]
    ids += [ref for judgment in analysis.brief.key_judgments for ref in judgment.incidents]
    return [project.incidents[ref] for ref in dict.fromkeys(ids)]


def brief_countries(analysis: BriefAnalysis) -> list[str]:
    """Return the brief's countries, in the order written."""
    return list(analysis.brief.countries)


@dataclass(frozen=True)
class ChartWeek:
    """One bar of a brief's charts: seven days ending on the weekday the brief's period ends on.

    covered is the part of the week the monitor recorded: less than the week before monitoring began
    or past the brief's cut-off, and the bar is then marked partial.
    """

    start: dt.date
    end: dt.date
    covered: Period

    @property
    def partial(self) -> bool:
        """Return True when the monitor recorded only part of the week."""
        return (self.covered.start, self.covered.end) != (self.start, self.end)


def chart_weeks(project: Project, brief: Brief) -> list[ChartWeek]:
    """Return the weeks a brief's charts show, oldest first: its own weeks, back to when monitoring began.

    The last week ends on the brief's last day, so the last bar is the brief's own period (for a weekly
    brief) and the charts' weeks are the brief's. At most CHART_WEEKS weeks; none before monitoring began.
    """
    first = monitoring_start(project) or brief.period.start
    last_day = min(brief.period.end, brief.cutoff.date())
    weeks = []
    for back in range(CHART_WEEKS):
        end = brief.period.end - dt.timedelta(weeks=back)
        start = end - dt.timedelta(days=6)
        if end < first:
            break
        if start > last_day:  # a cut-off before the period's last week began: nothing recorded in it
            continue
        weeks.append(ChartWeek(start, end, Period(start=max(start, first), end=min(end, last_day))))
    return weeks[::-1]


@dataclass(frozen=True)
class ChartRow:
    """One week of a brief's charts as a table row: what its two bars show, in words."""

    week: ChartWeek
    incidents: int
    by_type: tuple[tuple[str, int], ...]
    killed: str  # "8", "at least 8", "8 to 12" or "unknown", as the chart's description says it
    wounded: str


def weekly_charts(project: Project, brief: Brief, prefix: str, drawn: bool = True) -> dict[str, Any]:
    """Return the incidents-per-week and casualties-per-week charts of a brief's weeks, a note on them, and
    their figures as table rows (`chart_table`), which a phone shows in place of the charts' shrunken words.

    Not drawn, the charts are empty and the table stands for them.
    """
    if not drawn:  # nothing for the PDF to share: its charts are drawn
        return _draw_weekly_charts(project, brief, prefix, drawn=False)
    return _CHARTS.get(project, (brief.id, prefix), lambda: kept_drawings.kept(
        ("charts", brief.id, prefix), _chart_inputs(project, brief),
        lambda: _draw_weekly_charts(project, brief, prefix, drawn=True)))


def _chart_inputs(project: Project, brief: Brief) -> tuple[Any, ...]:
    """Return everything a brief's charts, their note and their table are drawn from, by value."""
    weeks = chart_weeks(project, brief)
    counted = [_WEEKS.get(project, week.covered, tuple(brief.countries), brief.cutoff) for week in weeks]
    return (brief.period.end, monitoring_start(project), project.site.monitoring_since is not None,
            [(week.start, week.end, week.covered.start, week.covered.end) for week in weeks],
            [(sorted(week.by_type.items()), week.killed, week.wounded) for week in counted])


def _draw_weekly_charts(project: Project, brief: Brief, prefix: str, drawn: bool) -> dict[str, Any]:
    """Draw a brief's weekly charts (matplotlib: about 50 ms a chart, and a third of a second to load it)."""
    from ..charts import WeekAxis, casualties_per_week_chart, format_range, incidents_per_week_chart

    weeks = chart_weeks(project, brief)
    counted = [_WEEKS.get(project, week.covered, tuple(brief.countries), brief.cutoff) for week in weeks]
    if weeks and not any(sum(week.by_type.values()) for week in counted):  # empty frames say it less well
        first, last = weeks[0].covered.start, weeks[-1].covered.end
        return {"incidents_chart": "", "casualties_chart": "", "charts_note": "", "chart_table": [],
                "charts_empty": f"No incident was recorded from {first.day} {first:%B %Y} to {last.day} "
                                f"{last:%B %Y}, the {_plural_weeks(len(weeks))} the charts would show; "
                                "none is drawn."}
    by_type: dict[str, list[int]] = defaultdict(lambda: [0] * len(weeks))
    for slot, week in enumerate(counted):
        for event_type, count in week.by_type.items():
            by_type[event_type][slot] = count
    weekday = f"{brief.period.end:%A}"
    axis = WeekAxis(label=f"Week ending ({weekday})", named_by="ending", weekday=brief.period.end.weekday(),
                    partial=tuple(slot for slot, week in enumerate(weeks) if week.partial))
    ends = [week.end for week in weeks]
    return {
        "incidents_chart": incidents_per_week_chart(ends, dict(by_type), id_prefix=f"{prefix}chart-incidents",
                                                    axis=axis) if drawn else "",
        "casualties_chart": casualties_per_week_chart(ends, [_range(week.killed) for week in counted],
                                                      [_range(week.wounded) for week in counted],
                                                      id_prefix=f"{prefix}chart-casualties", axis=axis)
                            if drawn else "",
        "charts_empty": "",
        "charts_note": charts_note(weeks, weekday, monitoring_start(project),
                                   declared=project.site.monitoring_since is not None),
        "chart_table": [ChartRow(week, sum(count.by_type.values()), tuple(sorted(count.by_type.items())),
                                 format_range(_range(count.killed)), format_range(_range(count.wounded)))
                        for week, count in zip(weeks, counted)],
    }


def charts_note(weeks: list[ChartWeek], weekday: str, began: dt.date | None = None, *,
                declared: bool = False) -> str:
    """Return the sentence under a brief's charts: whose weeks they are, since when, and which are partial.

    began is the first day the monitor recorded; declared, whether site.yaml says so (monitoring_since) or
    it is taken from the earliest brief. The note says monitoring began on a day only when it was declared.
    """
    if not weeks:
        return ""
    first = weeks[0].covered.start
    since = f"{first.day} {first:%B %Y}"
    if first != began:
        since += f", the last {_plural_weeks(len(weeks))}"
    elif declared:
        since += ", when monitoring began"
    else:
        since += ", the first day of this monitor's earliest brief"
    note = f"Each bar is a week ending on a {weekday}, as this brief's period does, from {since}."
    partial = [week for week in weeks if week.partial]
    if partial:
        spans = "; ".join(f"{w.covered.start.day} {w.covered.start:%b} to {w.covered.end.day} {w.covered.end:%b}"
                          for w in partial)
        note += f" Shaded weeks are partial: the data covers only {spans}."
    return note


def _plural_weeks(n: int) -> str:
    return "week" if n == 1 else f"{n} weeks"


@dataclass(frozen=True)
class _Week:
    """One week's incidents by event type and their killed and wounded."""

    by_type: Mapping[str, int]
    killed: Tally
    wounded: Tally
    last_report: dt.date | None = None  # the latest day a report of these incidents or a casualty figure was given


class _WeekCounts:
    """Each week's figures for a set of countries, counted once for the project last asked about.

    Each week is in the charts of CHART_WEEKS briefs; the project is immutable, so its weeks stay
    right for as long as it is the one asked about. The project is held by a weak reference: kept
    alive by this cache, it would outlive its build, and the collector would walk its hundreds of
    thousands of objects again and again as the process exits (0.6 s at 10,000 incidents).
    """

    def __init__(self) -> None:
        self._project: weakref.ref[Project] | None = None
        self._weeks: dict[tuple[dt.date, dt.date, tuple[str, ...]], _Week] = {}

    def get(self, project: Project, week: Period, countries: tuple[str, ...],
            as_of: dt.datetime | None = None) -> _Week:
        """Return the figures of the days of week, in the given countries, as known by as_of (a cut-off).

        A week whose every figure was given by as_of is counted once for all the briefs that chart it.
        """
        if self._project is None or project is not self._project():
            self._project, self._weeks = weakref.ref(project), {}
        key: tuple[Any, ...] = (week.start, week.end, countries)
        if key not in self._weeks:
            self._weeks[key] = _count_week(project, week, countries, None)
        counted = self._weeks[key]
        if as_of is None or counted.last_report is None or counted.last_report < as_of.date():
            return counted
        key = (*key, as_of)
        if key not in self._weeks:
            self._weeks[key] = _count_week(project, week, countries, as_of)
        return self._weeks[key]


def _count_week(project: Project, week: Period, countries: tuple[str, ...], as_of: dt.datetime | None) -> _Week:
    """Count a week's incidents by event type and add up their killed and wounded (known by as_of)."""
    incidents = period_incidents(project, week, countries, as_of)
    # known only to the month, an incident is in no week: ACLED's mid-month date is not a day it happened
    incidents = tuple(incident for incident in incidents if incident.time_precision < 3)
    figures = [incident_figures(project, incident, known_reports(project, incident, as_of)) for incident in incidents]
    days = [day for incident in incidents for report in incident.casualties if (day := project.report_day(report))]
    days += [day for incident in incidents for c in incident.sources if (day := project.citation_day(c))]
    return _Week(Counter(incident.event_type for incident in incidents),
                 sum((f.killed for f in figures), Tally()), sum((f.wounded for f in figures), Tally()),
                 max(days, default=None))


_WEEKS = _WeekCounts()


class _ChartsForPdfs:
    """The charts a brief's web page drew, kept for its PDF, which shows the same ones, while a build keeps them.

    A build making PDFs draws each brief's charts for its page (in a forked renderer, which hands them back)
    and again for its PDF: kept, they are drawn once. Only while keep() is on, and each is dropped once its
    PDF took it: the charts of 10,000 incidents' briefs weigh tens of megabytes. The project is held by a
    weak reference, as in _WeekCounts.
    """

    def __init__(self) -> None:
        self._project: weakref.ref[Project] | None = None
        self._charts: dict[tuple[str, str], dict[str, Any]] = {}

    def keep(self, project: Project | None) -> None:
        """Keep the charts drawn for project's briefs from now on, or (None) stop and forget them."""
        self._project = weakref.ref(project) if project is not None else None
        self._charts = {}

    def get(self, project: Project, key: tuple[str, str], draw: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """Return the charts kept under key (forgetting them), or draw them, keeping them if keep() is on."""
        if self._project is None or project is not self._project():
            return draw()
        if key in self._charts:
            return self._charts.pop(key)
        charts = self._charts[key] = draw()
        return charts

    def take(self) -> dict[tuple[str, str], dict[str, Any]]:
        """Return and forget the charts kept (a forked renderer hands them back to the build)."""
        charts, self._charts = self._charts, {}
        return charts

    def add(self, project: Project, charts: Mapping[tuple[str, str], dict[str, Any]]) -> None:
        """Keep charts drawn for project's briefs elsewhere, if charts are being kept for it."""
        if self._project is not None and project is self._project():
            self._charts.update(charts)


_CHARTS = _ChartsForPdfs()
keep_charts, take_charts, add_charts = _CHARTS.keep, _CHARTS.take, _CHARTS.add


def _range(tally: Tally) -> Range:
    """Return a week's tally as a chart range: no incident is zero, only unknowns is unknown."""
    from ..charts import Range

    if tally.is_unknown:
        return Range(None, None)
    high = None if tally.unknown else tally.high
    return Range(tally.low, high)
