"""Analyse stage: every figure a brief or page shows, computed from the project, never typed in.

Uncertainty is carried through arithmetic: "at least 3" plus "1–2" is "at least 4", and an
unknown figure is counted as unknown, never as zero.
"""

from __future__ import annotations

import datetime as dt
import itertools
import weakref
import zoneinfo
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from .model import (CREDIBILITY, RELIABILITY, RESPONSIBLE_STANCES, Brief, CasualtyReport, Citation, Count,
                    Deployment, Incident, Period, Project, TroopFigure, acled_week, counted_in, date_span,
                    format_count)


# --- Uncertain sums -----------------------------------------------------------------------

@dataclass(frozen=True)
class Tally:
    """A sum of uncertain counts: a floor, a ceiling (None when open-ended) and how many were unknown.

    ``low`` is the smallest total the counts allow (41 for "more than 40"); ``strict`` remembers that
    a source said "more than", so a lone "more than 40" is still written so; ``words`` keeps a vague
    count's own words ("dozens") while the tally is that one count.
    """

    low: int = 0
    high: int | None = 0
    unknown: int = 0
    known: int = 0
    approximate: bool = False
    strict: bool = False
    words: str | None = None

    def __add__(self, other: Tally) -> Tally:
        if self.empty:
            return other
        if other.empty:
            return self
        high = None if self.high is None or other.high is None else self.high + other.high
        return Tally(self.low + other.low, high, self.unknown + other.unknown, self.known + other.known,
                     self.approximate or other.approximate, self.strict or other.strict)

    @classmethod
    def of(cls, count: Count) -> Tally:
        """Return the tally of one count."""
        if count.low is None:
            return cls(0, None, unknown=1)
        approximate = count.qualifier in ("approximately", "nearly")
        floor = count.floor or 0
        high = floor if approximate else count.high
        return cls(floor, high, known=1, approximate=approximate, strict=count.qualifier == "more_than",
                   words=count.words)

    @classmethod
    def total(cls, counts: Iterable[Count]) -> Tally:
        """Return the sum of counts."""
        result = cls()
        for count in counts:
            result = result + cls.of(count)
        return result

    @property
    def empty(self) -> bool:
        """Return True for the sum of no counts at all."""
        return self.known == 0 and self.unknown == 0

    @property
    def is_unknown(self) -> bool:
        """Return True when nothing was known."""
        return self.known == 0 and self.unknown > 0

    @property
    def exact(self) -> bool:
        """Return True when the sum is a single certain number."""
        return self.unknown == 0 and self.high == self.low and not self.approximate

    def __str__(self) -> str:
        if self.is_unknown:
            return "unknown"
        if self.words and self.known == 1 and self.unknown == 0:
            return f"{self.words} (at least {self.low:,})"
        if self.high is None or self.unknown:
            # for whole numbers "at least 44" and "more than 43" say the same; keep the source's way
            return f"more than {self.low - 1:,}" if self.strict else f"at least {self.low:,}"
        if self.approximate:
            return f"about {self.low:,}"
        if self.high != self.low:
            return f"{self.low:,}–{self.high:,}"
        return f"{self.low:,}"


# --- Conflicting casualty reports ---------------------------------------------------------

@dataclass(frozen=True)
class Grade:
    """An Admiralty grade: the source's reliability and the report's credibility, e.g. B2."""

    reliability: str
    credibility: int

    def __str__(self) -> str:
        return f"{self.reliability}{self.credibility}"

    @property
    def meaning(self) -> str:
        """Return the grade in words."""
        return f"{RELIABILITY[self.reliability]}; {CREDIBILITY[self.credibility].lower()}"

    @property
    def rank(self) -> tuple[int, int]:
        """Return a sort key: lower is better."""
        return ("ABCDEF".index(self.reliability), self.credibility)


def grade(project: Project, citation: Citation) -> Grade:
    """Return the Admiralty grade of a cited report."""
    source = citation.source if citation.document is None else project.documents[citation.document].source
    assert source is not None  # the model requires a document or a source
    return Grade(project.sources[source].reliability, citation.credibility)


def best_grade(project: Project, citations: Sequence[Citation]) -> Grade:
    """Return the best grade among a fact's citations."""
    return min((grade(project, c) for c in citations), key=lambda g: g.rank)


MEASURES = ("killed", "wounded")


@dataclass(frozen=True)
class Estimate:
    """UCDP-style figures of one measure across current reports: best (best-graded source), low and high."""

    best: Count | None
    low: int | None
    high: int | None
    open_ended: bool

    def __str__(self) -> str:
        if self.best is None or self.low is None:
            return "unknown"
        high = "no upper figure" if self.high is None else f"{self.high:,}"
        return f"{format_count(self.best)} (low {self.low:,}, high {high})"


@dataclass(frozen=True)
class Superseded:
    """A casualty report no longer current, and the report that replaced it."""

    report: CasualtyReport
    by: CasualtyReport
    reason: str  # "explicit" (the later report's supersedes:) | "later" (a later report of the same source)


@dataclass(frozen=True)
class SideCasualties:
    """The casualties of one side (or of several sides counted together) in one incident.

    The headline follows ACLED's rule over the current reports only: the most conservative figure.
    Superseded reports are kept as ``history``; the UCDP figures are worked out only when asked for.
    """

    sides: tuple[str, ...]
    killed: Count
    wounded: Count
    reports: tuple[CasualtyReport, ...]
    project: Project = field(repr=False, compare=False)
    history: tuple[Superseded, ...] = ()

    @property
    def side(self) -> str:
        """Return the first side covered (the only one, unless a report counts several together)."""
        return self.sides[0]

    @property
    def conflicting(self) -> bool:
        """Return True when two reports give different figures for this side's killed or wounded.

        A report silent on a figure (unknown) does not disagree with one that gives it.
        """
        killed = {r.killed for r in self.reports if r.killed.known}
        wounded = {r.wounded for r in self.reports if r.wounded.known}
        return len(killed) > 1 or len(wounded) > 1

    def estimate(self, measure: str) -> Estimate:
        """Return UCDP's best, low and high of killed or wounded among the current reports."""
        known = [r for r in self.reports if getattr(r, measure).low is not None]
        if not known:
            return Estimate(None, None, None, False)
        best = min(known, key=lambda r: best_grade(self.project, r.sources).rank)
        counts: list[Count] = [getattr(r, measure) for r in known]
        open_ended = any(c.high is None for c in counts)
        high = None if open_ended else max(c.high for c in counts if c.high is not None)
        return Estimate(getattr(best, measure), min(c.floor for c in counts if c.floor is not None), high,
                        open_ended)

    @cached_property
    def killed_estimate(self) -> Estimate:
        """Return UCDP's best, low and high of the killed."""
        return self.estimate("killed")

    @cached_property
    def wounded_estimate(self) -> Estimate:
        """Return UCDP's best, low and high of the wounded."""
        return self.estimate("wounded")

    @property
    def killed_best(self) -> int | None:
        """Return the killed of the best-graded report that gives a figure (UCDP's best estimate)."""
        best = self.killed_estimate.best
        return best.floor if best else None

    @property
    def killed_low(self) -> int | None:
        """Return the lowest killed any current report allows."""
        return self.killed_estimate.low

    @property
    def killed_high(self) -> int | None:
        """Return the highest killed any current report gives; None when one is open-ended (or none gives one)."""
        return self.killed_estimate.high


def supersessions(project: Project, reports: Sequence[CasualtyReport]) -> dict[int, Superseded]:
    """Return, by position, the reports another one supersedes: by its supersedes, or by a later date.

    A report dated later than another from the same sources on the same sides is that source's
    revision of its own figure (25 wounded, then 34, then "more than 40"); reports from different
    sources disagree rather than supersede, unless one names the other in ``supersedes``.
    """
    by_id = {r.id: n for n, r in enumerate(reports) if r.id}
    result: dict[int, Superseded] = {}
    for report in reports:
        for ref in report.supersedes:
            if ref in by_id:  # a reference into reports left out (an earlier cut-off) has nothing to replace
                result[by_id[ref]] = Superseded(reports[by_id[ref]], report, "explicit")
    for n, report in enumerate(reports):
        day = project.report_day(report)
        later = [r for r in reports if r is not report and _same_reporter(project, r, report)
                 and day and (other := project.report_day(r)) and other > day]
        if later and n not in result:
            result[n] = Superseded(report, max(later, key=lambda r: project.report_day(r) or dt.date.min), "later")
    return result


def _same_reporter(project: Project, one: CasualtyReport, other: CasualtyReport) -> bool:
    """Return True when two reports count the same sides and come from the same sources."""
    def sources(report: CasualtyReport) -> set[str | None]:
        return {c.source if c.document is None else project.documents[c.document].source for c in report.sources}
    return set(one.covers) == set(other.covers) and sources(one) == sources(other)


def side_casualties(project: Project, sides: Sequence[str], reports: Sequence[CasualtyReport],
                    history: Sequence[Superseded] = ()) -> SideCasualties:
    """Return the casualties of a side (or sides counted together): ACLED's most conservative current figure."""
    return SideCasualties(sides=tuple(sides), killed=_most_conservative([r.killed for r in reports]),
                          wounded=_most_conservative([r.wounded for r in reports]), reports=tuple(reports),
                          project=project, history=tuple(history))


def _most_conservative(counts: Sequence[Count]) -> Count:
    known = [c for c in counts if c.low is not None]
    if not known:
        return Count(qualifier="unknown")
    return min(known, key=lambda c: (c.floor or 0, c.high if c.high is not None else float("inf")))


def incident_casualties(project: Project, incident: Incident,
                        reports: Sequence[CasualtyReport] | None = None) -> list[SideCasualties]:
    """Return the casualties of each side or set of sides counted together, in the order first reported.

    Only current reports make a headline; those superseded are kept as each group's history.
    """
    chosen = list(incident.casualties if reports is None else reports)
    replaced = supersessions(project, chosen)
    groups: dict[frozenset[str], tuple[list[str], list[CasualtyReport], list[Superseded]]] = {}
    for n, report in enumerate(chosen):
        _, current, history = groups.setdefault(frozenset(report.covers), (list(report.covers), [], []))
        if n in replaced:
            history.append(replaced[n])
        else:
            current.append(report)
    return [side_casualties(project, sides, current, history) for sides, current, history in groups.values()]


@dataclass(frozen=True)
class IncidentFigures:
    """An incident's killed and wounded across sides."""

    incident: Incident
    sides: tuple[SideCasualties, ...]
    killed: Tally
    wounded: Tally

    @property
    def conflicting(self) -> bool:
        """Return True when any side's figures are disputed."""
        return any(side.conflicting for side in self.sides)

    @property
    def counted_together(self) -> bool:
        """Return True when a report counts several sides together."""
        return any(len(side.sides) > 1 for side in self.sides)


def incident_figures(project: Project, incident: Incident,
                     reports: Sequence[CasualtyReport] | None = None) -> IncidentFigures:
    """Return the headline killed and wounded of an incident (from the given reports, or all).

    From all its reports, an incident's figures are worked out once per project: its page, the lists
    and timelines that show it, the briefs, charts and downloads all ask for them.
    """
    if reports is not None and len(reports) != len(incident.casualties):
        return _incident_figures(project, incident, reports)
    if _FIGURES.project is None or _FIGURES.project() is not project:
        _FIGURES.project, _FIGURES.found = weakref.ref(project), {}
    found = _FIGURES.found.get(incident.id)
    if found is None or found.incident is not incident:
        found = _FIGURES.found[incident.id] = _incident_figures(project, incident, None)
    return found


class _FiguresOfProject:
    """Each incident's figures from all its reports, for the project last asked about.

    The project is held by a weak reference, so that this never keeps a build's project alive.
    """

    def __init__(self) -> None:
        self.project: weakref.ref[Project] | None = None
        self.found: dict[str, IncidentFigures] = {}


_FIGURES = _FiguresOfProject()


def _incident_figures(project: Project, incident: Incident,
                      reports: Sequence[CasualtyReport] | None) -> IncidentFigures:
    sides = tuple(incident_casualties(project, incident, reports))
    if not sides:  # with no report at all, both are unknown
        unknown = Tally(0, None, unknown=1)
        return IncidentFigures(incident, sides, unknown, unknown)
    return IncidentFigures(incident, sides, across_sides(sides, "killed"), across_sides(sides, "wounded"))


def across_sides(groups: Sequence[SideCasualties], measure: str) -> Tally:
    """Return the total of killed or wounded over every side, counting no one twice.

    Groups that share a side (a report of "16 killed, including civilians" beside one of civilians
    alone) make one component, whose total comes from groups that have no side in common.
    """
    current = [group for group in groups if group.reports]  # a group all superseded counts nothing
    if not current:
        return Tally(0, None, unknown=1)
    total = Tally()
    for component in _components(current):
        total = total + _component_total(component, measure)
    return total


def _components(groups: Sequence[SideCasualties]) -> list[list[SideCasualties]]:
    """Return the groups joined wherever they share a side, in the order first reported."""
    components: list[tuple[set[str], list[SideCasualties]]] = []
    for group in groups:
        linked = [c for c in components if c[0] & set(group.sides)]
        merged = (set(group.sides).union(*(c[0] for c in linked)), [g for c in linked for g in c[1]] + [group])
        components = [c for c in components if all(c is not link for link in linked)] + [merged]
    return sorted((c[1] for c in components), key=lambda members: min(map(list(groups).index, members)))


#: The most groups sharing sides in one incident that are tried together (2^12 ways at most).
_MAX_COMBINED_GROUPS = 12


def _component_total(component: list[SideCasualties], measure: str) -> Tally:
    """Return a component's total: of the ways to cover its sides with groups that share no side, the
    one leaving fewest sides and figures unknown and, among those, the most conservative (ACLED's rule)."""
    if len(component) == 1:
        return Tally.of(getattr(component[0], measure))
    everyone = set().union(*(g.sides for g in component))
    candidates = []
    for size in range(1, min(len(component), _MAX_COMBINED_GROUPS) + 1):
        for chosen in itertools.combinations(component[:_MAX_COMBINED_GROUPS], size):
            covered = [side for group in chosen for side in group.sides]
            if len(covered) != len(set(covered)):
                continue  # two groups counting the same people
            tally = Tally.total(getattr(group, measure) for group in chosen)
            missing = len(everyone - set(covered))
            if missing:
                tally = tally + Tally(0, None, unknown=1)
            candidates.append(((missing, tally.unknown, tally.low), tally))
    return min(candidates, key=lambda candidate: candidate[0])[1]


# --- Time ---------------------------------------------------------------------------------

PRECISION_WORDS = {1: "exact day known", 2: "only the week known (an ACLED week, Saturday to Friday)",
                   3: "only the month known"}


@dataclass(frozen=True)
class When:
    """An incident's date at its precision, and its time local and in GMT (UTC)."""

    date: dt.date
    local: str | None
    utc: str | None
    zone: str | None
    precision: int
    utc_date: dt.date | None = None
    offset: str | None = None
    approximate: bool = False  # the sources give the time as approximate

    @property
    def local_text(self) -> str | None:
        """Return the local time as briefs write it: '21:50', or 'about 21:50' when it is approximate."""
        if self.local is None:
            return None
        return f"about {self.local}" if self.approximate else self.local

    @property
    def span(self) -> tuple[dt.date, dt.date]:
        """Return the first and last day the date may be: the day, its ACLED week or its month."""
        return date_span(self.date, self.precision)

    @property
    def datetime(self) -> str:
        """Return the value of a <time datetime> attribute: a day, a moment, an ISO week or a month."""
        if self.precision == 3:
            return f"{self.date:%Y-%m}"
        if self.precision == 2:
            # HTML has no Saturday-to-Friday week: give the ISO week holding the ACLED week's middle day
            year, week, _ = (self.span[0] + dt.timedelta(days=3)).isocalendar()
            return f"{year}-W{week:02d}"
        if self.local and self.offset:
            return f"{self.date.isoformat()}T{self.local}{self.offset}"
        return self.date.isoformat()

    def text(self, style: str = "long") -> str:
        """Return the date as briefs write it at its precision, in one of DATE_STYLES."""
        if style == "gmt":
            return self._gmt()
        day = _DAY_STYLES[style if style != "time" else "long"]
        if self.precision == 3:
            return self.date.strftime("%b %Y" if style in ("short", "label") else "%B %Y")
        if self.precision == 2:
            return _week_text(*self.span, style)
        if style == "time" and self.local and self.utc:
            return f"{day(self.date)}, {self.local_text} local ({self._gmt(long=True)})"
        return day(self.date)

    def _gmt(self, long: bool = False) -> str:
        """Return the GMT time, preceded by the GMT date whenever that is not the local date."""
        if not (self.utc and self.utc_date):
            return ""
        utc = f"about {self.utc}" if self.approximate else self.utc
        if self.utc_date == self.date:
            return f"{utc} GMT"
        day = format_date(self.utc_date) if long else short_date(self.utc_date)
        return f"{day}, {utc} GMT"

    def __str__(self) -> str:
        return self.text("time")


def when(incident: Incident) -> When:
    """Return when an incident happened, converting its local time to GMT with its time zone."""
    local = _local_time(incident)
    if local is None:
        return When(incident.date, None, None, incident.timezone, incident.time_precision)
    utc = local.astimezone(dt.timezone.utc)
    offset = local.strftime("%z")
    return When(incident.date, incident.time, utc.strftime("%H:%M"), incident.timezone, incident.time_precision,
                utc.date(), f"{offset[:3]}:{offset[3:]}", incident.time_approximate)


def happened_utc(incident: Incident) -> dt.datetime:
    """Return when an incident happened, in UTC: its local time converted, or its day at 00:00 UTC.

    A day without a time stays that day: its local midnight in UTC would be the day before east of
    Greenwich, and a platform showing times in UTC would then date the incident a day early.
    """
    local = _local_time(incident)
    if local is None:
        return dt.datetime(incident.date.year, incident.date.month, incident.date.day, tzinfo=dt.timezone.utc)
    return local.astimezone(dt.timezone.utc)


def _local_time(incident: Incident) -> dt.datetime | None:
    """Return an incident's local date and time in its time zone; None when no time was reported."""
    if incident.time is None or incident.timezone is None:
        return None
    hour, minute = (int(part) for part in incident.time.split(":"))
    return dt.datetime(incident.date.year, incident.date.month, incident.date.day, hour, minute,
                       tzinfo=zoneinfo.ZoneInfo(incident.timezone))


#: How incident_date writes a date: long (21 April 2024), short (21 Apr 2024), label (21 Apr, for maps),
#: time (long, with the local time and GMT) and gmt (the GMT time alone, with its date when it differs).
DATE_STYLES = ("long", "short", "label", "time", "gmt")


def incident_date(incident: Incident, style: str = "long") -> str:
    """Return an incident's date at its precision: '2 February 2024', 'week of …', 'December 2023'."""
    if style not in DATE_STYLES:
        raise ValueError(f"unknown date style {style!r}; use one of: {', '.join(DATE_STYLES)}")
    return when(incident).text(style)


def short_date(day: dt.date) -> str:
    """Return a date as tables write it: 21 Apr 2024."""
    return f"{day.day} {day:%b %Y}"


def _label_date(day: dt.date) -> str:
    return f"{day.day} {day:%b}"


def _week_text(start: dt.date, end: dt.date, style: str) -> str:
    """Return an ACLED week: 'week of 20–26 January 2024', short '20–26 Jan 2024 (week)', label 'week 20–26 Jan'."""
    month = "%B" if style in ("long", "time") else "%b"
    if start.year != end.year and style != "label":
        first = f"{start.day} {start:{month} %Y} – "
    elif start.month != end.month:
        first = f"{start.day} {start:{month}} – "
    else:
        first = f"{start.day}–"
    if style == "label":
        return f"week {first}{end.day} {end:{month}}"
    last = f"{end.day} {end:{month} %Y}"
    return f"{first}{last} (week)" if style == "short" else f"week of {first}{last}"


def format_date(day: dt.date) -> str:
    """Return a date as briefs write it: 21 April 2024."""
    return f"{day.day} {day:%B %Y}"


_DAY_STYLES = {"long": format_date, "short": short_date, "label": _label_date}


# --- Troops -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Posture:
    """A deployment's troop figure as of a date, with the one before it."""

    deployment: Deployment
    current: TroopFigure
    previous: TroopFigure | None

    @property
    def changed(self) -> bool:
        """Return True when the figure differs from the previous one."""
        return self.previous is not None and self.previous.troops != self.current.troops


def posture(deployments: Iterable[Deployment], as_of: dt.date, countries: Sequence[str] = ()) -> list[Posture]:
    """Return each deployment's latest figure on or before as_of, in the given countries."""
    result = []
    for deployment in deployments:
        if countries and deployment.country not in countries:
            continue
        figures = sorted((f for f in deployment.figures if f.as_of <= as_of), key=lambda f: f.as_of)
        if figures:
            result.append(Posture(deployment, figures[-1], figures[-2] if len(figures) > 1 else None))
    return sorted(result, key=lambda p: (p.deployment.country, p.deployment.id))


# --- A brief's figures --------------------------------------------------------------------

@dataclass(frozen=True)
class PeriodFigures:
    """Counts and casualties for one period and area."""

    period: Period
    incidents: tuple[Incident, ...]
    figures: tuple[IncidentFigures, ...]
    killed: Tally
    wounded: Tally
    by_event_type: tuple[tuple[str, int], ...]
    by_sub_event_type: tuple[tuple[str, int], ...]
    by_country: tuple[tuple[str, int], ...]
    by_admin1: tuple[tuple[str, int], ...]
    by_actor: tuple[tuple[str, int], ...]
    by_week: tuple[tuple[dt.date, int], ...]

    @property
    def month_only(self) -> tuple[Incident, ...]:
        """Return the incidents known only to the month, which no weekly figure holds."""
        return tuple(i for i in self.incidents if i.time_precision == 3)


def period_incidents(project: Project, period: Period, countries: Sequence[str],
                     as_of: dt.datetime | None = None) -> tuple[Incident, ...]:
    """Return the incidents of a period in the given countries, oldest first (reported by as_of, if given).

    An incident first reported after a brief's cut-off is not in that brief, though it happened in its
    period: the next brief lists it as new (changes_since).
    """
    # An event recorded twice (same_as, or one ACLED id) counts once; a strike on sites in two
    # countries belongs to the briefs of both.
    twice = project.recorded_twice
    return tuple(sorted((i for i in project.incidents_between(period.start, period.end)
                         if counted_in(project, i, countries, twice)
                         and (as_of is None or project.incident_known_by(i, as_of))), key=lambda i: i.sort_key))


def known_reports(project: Project, incident: Incident, as_of: dt.datetime | None) -> list[CasualtyReport] | None:
    """Return an incident's casualty reports given by as_of (a brief's cut-off); None for all of them.

    A brief says what was known at its cut-off: a figure given later belongs to the next brief, which
    shows it as a revision, and never changes a brief already issued.
    """
    if as_of is None:
        return None
    return [r for r in incident.casualties if project.report_known_by(r, as_of)]


def period_figures(project: Project, period: Period, countries: Sequence[str],
                   as_of: dt.datetime | None = None) -> PeriodFigures:
    """Return the incidents of a period in the given countries (oldest first) and their figures.

    With as_of (a brief's cut-off), the figures are those the reports given by then make.
    """
    incidents = period_incidents(project, period, countries, as_of)
    figures = tuple(incident_figures(project, i, known_reports(project, i, as_of)) for i in incidents)
    return PeriodFigures(
        period=period, incidents=incidents, figures=figures,
        killed=_sum(f.killed for f in figures),
        wounded=_sum(f.wounded for f in figures),
        by_event_type=_counts(i.event_type for i in incidents),
        by_sub_event_type=_counts(i.sub_event_type for i in incidents),
        by_country=_counts(project.country_of(i) for i in incidents),
        by_admin1=_counts(project.locations[i.location.location].admin1 or "unknown" for i in incidents),
        by_actor=_counts(actor for i in incidents for actor in involved_actors(i)),
        # a month-precision incident belongs to no week (ACLED codes it mid-month; charting it there invents a day)
        by_week=_counts(acled_week(i.date) for i in incidents if i.time_precision < 3),
    )


@dataclass(frozen=True)
class Headline:
    """How many incidents a period had and their killed and wounded: what a list of briefs shows."""

    incidents: int
    killed: Tally
    wounded: Tally


def period_headline(project: Project, period: Period, countries: Sequence[str],
                    as_of: dt.datetime | None = None) -> Headline:
    """Return the number of incidents of a period in the given countries and their killed and wounded
    (known by as_of, a brief's cut-off, if given)."""
    figures = [incident_figures(project, i, known_reports(project, i, as_of))
               for i in period_incidents(project, period, countries, as_of)]
    return Headline(len(figures), _sum(f.killed for f in figures), _sum(f.wounded for f in figures))


def _counts(values: Iterable[object]) -> tuple[tuple[Any, int], ...]:
    return tuple(sorted(Counter(values).items()))


def involved_actors(incident: Incident) -> list[str]:
    """Return the actors an incident is counted under: perpetrators, and those claiming or blamed."""
    named = list(incident.perpetrators)
    named += [c.actor for c in incident.claims if c.stance in RESPONSIBLE_STANCES]
    return list(dict.fromkeys(named))


@dataclass(frozen=True)
class Conflict:
    """Sources disagreeing on who was behind an incident."""

    incident: Incident
    blamed: tuple[str, ...]
    denied: tuple[str, ...]


def responsibility_conflict(project: Project, incident: Incident, as_of: dt.datetime | None = None) -> Conflict | None:
    """Return the disagreement on responsibility: different actors held responsible, or a blamed one denies.

    An unnamed actor ("outlaw elements", coded Unidentified Armed Group) beside a named one, or an umbrella
    beside one of its member groups, is a vaguer and a more specific account of the same thing, not a
    disagreement. With as_of (a brief's cut-off), only the claims made by then count.
    """
    claims = [c for c in incident.claims if as_of is None or project.claim_known_by(c, as_of)]
    blamed = tuple(dict.fromkeys(c.actor for c in claims if c.stance in RESPONSIBLE_STANCES))
    denied = tuple(dict.fromkeys(c.actor for c in claims if c.stance in ("denied", "disputed")))
    specific = [a for a in blamed if not any(_vaguer(project, a, other) for other in blamed if other != a)]
    if len(specific) > 1 or set(blamed) & set(denied):
        return Conflict(incident, blamed, denied)
    return None


def _vaguer(project: Project, actor: str, other: str) -> bool:
    """Return True when naming actor says less than naming other: it is unidentified, or other is part of it."""
    if is_unidentified(project, actor) and not is_unidentified(project, other):
        return True
    seen: set[str] = set()
    step = project.actors[other].part_of if other in project.actors else None
    while step and step not in seen:
        if step == actor:
            return True
        seen.add(step)
        step = project.actors[step].part_of if step in project.actors else None
    return False


def is_unidentified(project: Project, actor: str) -> bool:
    """Return True for ACLED's placeholder actors, 'Unidentified Armed Group (Iraq)' and the like."""
    found = project.actors.get(actor)
    return found is not None and found.name.lower().startswith("unidentified")


@dataclass(frozen=True)
class Change:
    """Something new or revised since the previous brief."""

    kind: str  # "new incident" | "casualties revised" | "new claim" | "incident updated" | "troop figure changed"
    subject: str
    before: str
    after: str
    incident: Incident | None = None
    detail: str = ""  # what changed, e.g. "wounded, US forces"


def changes_since(project: Project, brief: Brief, previous: Brief | None) -> list[Change]:
    """Return incidents added, figures revised, incidents updated and troop figures changed since the previous brief."""
    changes = [Change("new incident", i.title, "", str(when(i)), i)
               for i in period_incidents(project, brief.period, brief.countries, brief.cutoff)]
    if previous is None:
        return changes
    then, now = previous.cutoff, brief.cutoff
    changes[:0] = [Change("new incident", i.title, "", str(when(i)), i, "reported after the previous cut-off")
                   for i in reported_late(project, brief, then)]
    # Only an incident with a report or an update dated after the previous cut-off can have been revised since.
    revised = project.incidents_reported_between(then.date() + dt.timedelta(days=1), now.date())
    for incident in sorted(revised, key=lambda i: i.sort_key):
        if incident.date > previous.period.end or project.country_of(incident) not in brief.countries:
            continue
        changes.extend(_revisions(project, incident, then, now))
    for item in posture(project.deployments.values(), brief.cutoff.date(), brief.countries):
        before = [f for f in item.deployment.figures if f.as_of <= previous.cutoff.date()]
        latest_before = max(before, key=lambda f: f.as_of) if before else None
        if latest_before is not None and latest_before.troops != item.current.troops:
            changes.append(Change("troop figure changed", item.deployment.id, str(latest_before.troops),
                                  str(item.current.troops)))
    return changes


def reported_late(project: Project, brief: Brief, then: dt.datetime) -> list[Incident]:
    """Return the incidents before a brief's period first reported between the previous cut-off (then) and its own.

    They happened in an earlier brief's period but were not known at its cut-off, so no brief counted them.
    """
    twice = project.recorded_twice
    late = [incident for incident in project.incidents_reported_between(then.date(), brief.cutoff.date())
            if incident.date < brief.period.start and counted_in(project, incident, brief.countries, twice)
            and not project.incident_known_by(incident, then) and project.incident_known_by(incident, brief.cutoff)]
    return sorted(late, key=lambda incident: incident.sort_key)


def _revisions(project: Project, incident: Incident, then: dt.datetime, now: dt.datetime) -> list[Change]:
    """Return an older incident's new claims, changed figures and update dated after the previous cut-off."""
    def late(day: dt.date | None) -> bool:
        return day is not None and then.date() < day <= now.date()

    def all_late(citations: Sequence[Citation], date: dt.date | None = None) -> bool:
        dates = [date] if date else [day for c in citations if (day := project.citation_day(c))]
        return bool(dates) and all(late(d) for d in dates)

    result = [Change("new claim", incident.title, "", f"{claim.stance}: {claim.actor}", incident)
              for claim in incident.claims if all_late(claim.sources, claim.date)]
    known_now = [r for r in incident.casualties if project.report_known_by(r, now)]
    known_then = [r for r in known_now if project.report_known_by(r, then)]
    revised = figure_changes(project, incident, known_then, known_now)
    result += revised or [_new_report(project, incident, r) for r in known_now if r not in known_then]
    if not result and incident.updated and late(incident.updated):
        result.append(Change("incident updated", incident.title, "", f"updated {format_date(incident.updated)}",
                             incident))
    return result


def _new_report(project: Project, incident: Incident, report: CasualtyReport) -> Change:
    """Return a casualty report that came in after the cut-off without changing a headline figure."""
    names = ", ".join(dict.fromkeys(project.sources[c.source if c.document is None else
                                                    project.documents[c.document].source].name
                                    for c in report.sources))
    sides = " and ".join(project.actors[side].name for side in report.covers)
    return Change("new casualty report", incident.title, "",
                  f"{names}: killed {report.killed}, wounded {report.wounded} (headline unchanged)", incident,
                  detail=sides)


def figure_changes(project: Project, incident: Incident, before: Sequence[CasualtyReport],
                   after: Sequence[CasualtyReport]) -> list[Change]:
    """Return each headline figure, of every side and measure, that differs between two sets of reports."""
    then = {frozenset(g.sides): g for g in incident_casualties(project, incident, before)}
    now = {frozenset(g.sides): g for g in incident_casualties(project, incident, after)}
    changes = []
    for key in dict.fromkeys([*then, *now]):
        sides = (now.get(key) or then[key]).sides
        names = " and ".join(project.actors[side].name if side in project.actors else side for side in sides)
        for measure in MEASURES:
            old = format_count(getattr(then[key], measure)) if key in then else "unknown"
            new = format_count(getattr(now[key], measure)) if key in now else "unknown"
            if old != new:
                changes.append(Change("casualties revised", incident.title, old, new, incident,
                                      detail=f"{measure}, {names}"))
    return changes


def _sum(tallies: Iterable[Tally]) -> Tally:
    result = Tally()
    for tally in tallies:
        result = result + tally
    return result


@dataclass(frozen=True)
class Trend:
    """CrisisWatch-style trend of an area against the previous period."""

    country: str
    mark: str  # "deteriorated" | "improved" | "unchanged"
    current: int
    previous: int
    killed_now: Tally
    killed_before: Tally


# Crisis Group's CrisisWatch marks a deteriorated situation with a red arrow pointing down, an improved
# one with a green arrow pointing up and an unchanged one with a side arrow: briefs draw the same marks.
TREND_RULE = ("An area is marked deteriorated (red arrow pointing down, as in Crisis Group's CrisisWatch) when it "
              "had more incidents, or more people killed (conservative figure), than in the previous period of "
              "the same length; improved (green arrow pointing up) when it had fewer incidents and no more "
              "killed; otherwise unchanged (grey side arrow).")


def trend(country: str, now: PeriodFigures, before: PeriodFigures, project: Project) -> Trend:
    """Return an area's trend mark by the rule in TREND_RULE."""
    n_now = sum(1 for i in now.incidents if project.country_of(i) == country)
    n_before = sum(1 for i in before.incidents if project.country_of(i) == country)
    k_now = _sum(f.killed for f in now.figures if project.country_of(f.incident) == country)
    k_before = _sum(f.killed for f in before.figures if project.country_of(f.incident) == country)
    if n_now > n_before or k_now.low > k_before.low:
        mark = "deteriorated"
    elif n_now < n_before and k_now.low <= k_before.low:
        mark = "improved"
    else:
        mark = "unchanged"
    return Trend(country, mark, n_now, n_before, k_now, k_before)


def monitoring_start(project: Project) -> dt.date | None:
    """Return the first day the monitor recorded: site.yaml's monitoring_since, else the earliest brief's start."""
    if project.site.monitoring_since:
        return project.site.monitoring_since
    global _FIRST_DAY
    if _FIRST_DAY is None or _FIRST_DAY[0]() is not project:  # asked for every brief: worked out once
        _FIRST_DAY = (weakref.ref(project), min((b.period.start for b in project.briefs.values()), default=None))
    return _FIRST_DAY[1]


#: The earliest brief's start, for the project last asked about (weakly held: serve loads new projects).
_FIRST_DAY: tuple[weakref.ref[Project], dt.date | None] | None = None


@dataclass(frozen=True)
class BriefAnalysis:
    """Everything computed for one brief."""

    brief: Brief
    current: PeriodFigures
    previous: PeriodFigures
    trends: tuple[Trend, ...]
    posture: tuple[Posture, ...]
    troops: Tally
    changes: tuple[Change, ...] = field(default=())
    conflicts: tuple[Conflict, ...] = field(default=())
    previous_brief: Brief | None = None
    #: the first day the monitor recorded, when that is after the previous period began: the previous
    #: period's figures are then not known, and no figure or trend is compared with them
    unmonitored_before: dt.date | None = None


def analyse_brief(project: Project, brief: Brief) -> BriefAnalysis:
    """Return the figures, trends and force posture of a brief."""
    # what was known at the cut-off, for both periods compared
    current = period_figures(project, brief.period, brief.countries, brief.cutoff)
    previous = period_figures(project, brief.period.previous(), brief.countries, brief.cutoff)
    forces = tuple(posture(project.deployments.values(), brief.cutoff.date(), brief.countries))
    first = monitoring_start(project)
    return BriefAnalysis(
        brief=brief, current=current, previous=previous,
        trends=tuple(trend(c, current, previous, project) for c in brief.countries),
        posture=forces,
        # no recorded figure means the strength is unknown, not that no troops are there
        troops=_sum(Tally.of(p.current.troops) for p in forces) if forces else Tally(0, None, unknown=1),
        changes=tuple(changes_since(project, brief, project.previous_brief(brief))),
        conflicts=tuple(c for c in (responsibility_conflict(project, i, brief.cutoff) for i in current.incidents)
                        if c),
        previous_brief=project.previous_brief(brief),
        unmonitored_before=first if first and first > brief.period.previous().start else None,
    )
