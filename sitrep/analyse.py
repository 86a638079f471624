"""Analyse stage: every figure a brief or page shows, computed from the project, never typed in.

Uncertainty is carried through arithmetic: "at least 3" plus "1–2" is "at least 4", and an
unknown figure is counted as unknown, never as zero.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from .model import (CREDIBILITY, RELIABILITY, Brief, CasualtyReport, Citation, Count, Deployment, Incident,
                    Period, Project, TroopFigure, acled_week, date_span)


# --- Uncertain sums -----------------------------------------------------------------------

@dataclass(frozen=True)
class Tally:
    """A sum of uncertain counts: a floor, a ceiling (None when open-ended) and how many were unknown."""

    low: int = 0
    high: int | None = 0
    unknown: int = 0
    known: int = 0
    approximate: bool = False

    def __add__(self, other: Tally) -> Tally:
        high = None if self.high is None or other.high is None else self.high + other.high
        return Tally(self.low + other.low, high, self.unknown + other.unknown, self.known + other.known,
                     self.approximate or other.approximate)

    @classmethod
    def of(cls, count: Count) -> Tally:
        """Return the tally of one count."""
        if count.low is None:
            return cls(0, None, unknown=1)
        approximate = count.qualifier in ("approximately", "nearly")
        high = count.low if approximate else count.high
        return cls(count.low, high, known=1, approximate=approximate)

    @classmethod
    def total(cls, counts: Iterable[Count]) -> Tally:
        """Return the sum of counts."""
        result = cls()
        for count in counts:
            result = result + cls.of(count)
        return result

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
        if self.approximate and self.unknown == 0:
            return f"about {self.low:,}"
        if self.high is None or self.unknown:
            return f"at least {self.low:,}"
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
    return Grade(project.sources[citation.source].reliability, citation.credibility)


def best_grade(project: Project, citations: Sequence[Citation]) -> Grade:
    """Return the best grade among a fact's citations."""
    return min((grade(project, c) for c in citations), key=lambda g: g.rank)


@dataclass(frozen=True)
class SideCasualties:
    """One side's casualties in one incident: the headline by ACLED's rule, and UCDP's best/low/high.

    The UCDP figures are worked out only when asked for: lists of incidents show the headline alone.
    """

    side: str
    killed: Count
    wounded: Count
    reports: tuple[CasualtyReport, ...]
    project: Project = field(repr=False, compare=False)

    @property
    def conflicting(self) -> bool:
        """Return True when sources disagree on this side's killed or wounded."""
        return len({(r.killed, r.wounded) for r in self.reports}) > 1

    @cached_property
    def killed_best(self) -> int | None:
        """Return the killed of the best-graded report that gives a figure (UCDP's best estimate)."""
        known = [r for r in self.reports if r.killed.low is not None]
        best = min(known, key=lambda r: best_grade(self.project, r.sources).rank) if known else None
        return best.killed.low if best else None

    @property
    def killed_low(self) -> int | None:
        """Return the lowest killed any report gives."""
        lows = [r.killed.low for r in self.reports if r.killed.low is not None]
        return min(lows) if lows else None

    @property
    def killed_high(self) -> int | None:
        """Return the highest killed any report gives; None when one is open-ended (or none gives one)."""
        highs = [r.killed.high for r in self.reports if r.killed.low is not None]
        return None if not highs or None in highs else max(h for h in highs if h is not None)


def side_casualties(project: Project, side: str, reports: Sequence[CasualtyReport]) -> SideCasualties:
    """Return a side's headline casualties: ACLED's most conservative estimate among the reports."""
    return SideCasualties(side=side, killed=_most_conservative([r.killed for r in reports]),
                          wounded=_most_conservative([r.wounded for r in reports]), reports=tuple(reports),
                          project=project)


def _most_conservative(counts: Sequence[Count]) -> Count:
    known = [c for c in counts if c.low is not None]
    if not known:
        return Count(qualifier="unknown")
    return min(known, key=lambda c: (c.low, c.high if c.high is not None else c.low))


def incident_casualties(project: Project, incident: Incident,
                        reports: Sequence[CasualtyReport] | None = None) -> list[SideCasualties]:
    """Return each side's casualties (from the given reports, or all), sides in the order first reported."""
    sides: dict[str, list[CasualtyReport]] = {}
    for report in incident.casualties if reports is None else reports:
        sides.setdefault(report.side, []).append(report)
    return [side_casualties(project, side, grouped) for side, grouped in sides.items()]


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


def incident_figures(project: Project, incident: Incident) -> IncidentFigures:
    """Return the headline killed and wounded of an incident; with no report at all, both are unknown."""
    sides = tuple(incident_casualties(project, incident))
    if not sides:
        unknown = Tally(0, None, unknown=1)
        return IncidentFigures(incident, sides, unknown, unknown)
    return IncidentFigures(incident, sides, Tally.total(s.killed for s in sides),
                           Tally.total(s.wounded for s in sides))


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
            return f"{day(self.date)}, {self.local} local ({self._gmt(long=True)})"
        return day(self.date)

    def _gmt(self, long: bool = False) -> str:
        """Return the GMT time, preceded by the GMT date whenever that is not the local date."""
        if not (self.utc and self.utc_date):
            return ""
        if self.utc_date == self.date:
            return f"{self.utc} GMT"
        day = format_date(self.utc_date) if long else short_date(self.utc_date)
        return f"{day}, {self.utc} GMT"

    def __str__(self) -> str:
        return self.text("time")


def when(incident: Incident) -> When:
    """Return when an incident happened, converting its local time to GMT with its time zone."""
    if incident.time is None or incident.timezone is None:
        return When(incident.date, None, None, incident.timezone, incident.time_precision)
    hour, minute = (int(part) for part in incident.time.split(":"))
    local = dt.datetime(incident.date.year, incident.date.month, incident.date.day, hour, minute,
                        tzinfo=zoneinfo.ZoneInfo(incident.timezone))
    utc = local.astimezone(dt.timezone.utc)
    offset = local.strftime("%z")
    return When(incident.date, incident.time, utc.strftime("%H:%M"), incident.timezone, incident.time_precision,
                utc.date(), f"{offset[:3]}:{offset[3:]}")


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


def period_incidents(project: Project, period: Period, countries: Sequence[str]) -> tuple[Incident, ...]:
    """Return the incidents of a period in the given countries, oldest first."""
    # An event recorded twice (same_as, or one ACLED id) counts once; a strike on sites in two
    # countries belongs to the briefs of both.
    return tuple(sorted((i for i in project.incidents_between(period.start, period.end)
                         if i.id not in project.recorded_twice
                         and any(country in countries for country in project.countries_of(i))),
                        key=lambda i: i.sort_key))


def period_figures(project: Project, period: Period, countries: Sequence[str]) -> PeriodFigures:
    """Return the incidents of a period in the given countries (oldest first) and their figures."""
    incidents = period_incidents(project, period, countries)
    figures = tuple(incident_figures(project, i) for i in incidents)
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


def period_headline(project: Project, period: Period, countries: Sequence[str]) -> Headline:
    """Return the number of incidents of a period in the given countries and their killed and wounded."""
    figures = [incident_figures(project, i) for i in period_incidents(project, period, countries)]
    return Headline(len(figures), _sum(f.killed for f in figures), _sum(f.wounded for f in figures))


def _counts(values: Iterable[object]) -> tuple[tuple[Any, int], ...]:
    return tuple(sorted(Counter(values).items()))


def involved_actors(incident: Incident) -> list[str]:
    """Return the actors an incident is counted under: perpetrators, and those claiming or blamed."""
    named = list(incident.perpetrators)
    named += [c.actor for c in incident.claims if c.stance in ("claimed", "attributed")]
    return list(dict.fromkeys(named))


@dataclass(frozen=True)
class Conflict:
    """Sources disagreeing on who was behind an incident."""

    incident: Incident
    blamed: tuple[str, ...]
    denied: tuple[str, ...]


def responsibility_conflict(incident: Incident) -> Conflict | None:
    """Return the disagreement on responsibility, if more than one actor is blamed or a blamed one denies."""
    blamed = tuple(dict.fromkeys(c.actor for c in incident.claims if c.stance in ("claimed", "attributed")))
    denied = tuple(dict.fromkeys(c.actor for c in incident.claims if c.stance == "denied"))
    if len(blamed) > 1 or set(blamed) & set(denied):
        return Conflict(incident, blamed, denied)
    return None


@dataclass(frozen=True)
class Change:
    """Something new or revised since the previous brief."""

    kind: str  # "new incident" | "casualties revised" | "new claim" | "troop figure changed"
    subject: str
    before: str
    after: str
    incident: Incident | None = None


def changes_since(project: Project, brief: Brief, previous: Brief | None) -> list[Change]:
    """Return incidents added, figures revised and troop figures changed since the previous brief."""
    changes = [Change("new incident", i.title, "", str(when(i)), i)
               for i in period_incidents(project, brief.period, brief.countries)]
    if previous is None:
        return changes
    then, now = previous.cutoff, brief.cutoff
    # Only an incident with a report dated after the previous cut-off can have been revised since.
    for incident in project.incidents_reported_between(then.date() + dt.timedelta(days=1), now.date()):
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


def _revisions(project: Project, incident: Incident, then: dt.datetime, now: dt.datetime) -> list[Change]:
    """Return an older incident's claims and casualty reports dated after the previous cut-off."""
    def late(citations: Sequence[Citation], date: dt.date | None = None) -> bool:
        dates = [date] if date else [c.date for c in citations if c.date]
        return bool(dates) and all(then.date() < d <= now.date() for d in dates)

    result = []
    for claim in incident.claims:
        if late(claim.sources, claim.date):
            result.append(Change("new claim", incident.title, "", f"{claim.stance}: {claim.actor}", incident))
    old = [r for r in incident.casualties if not late(r.sources)]
    if len(old) < len(incident.casualties):
        before = _sum(incident_figures_from(project, incident, old))
        after = incident_figures(project, incident)
        result.append(Change("casualties revised", incident.title, f"killed {before}",
                             f"killed {after.killed}", incident))
    return result


def incident_figures_from(project: Project, incident: Incident, reports: Sequence[CasualtyReport]) -> list[Tally]:
    """Return the headline killed per side using only the given reports."""
    sides = incident_casualties(project, incident, reports)
    return [Tally.of(side.killed) for side in sides] or [Tally(0, None, unknown=1)]


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


def analyse_brief(project: Project, brief: Brief) -> BriefAnalysis:
    """Return the figures, trends and force posture of a brief."""
    current = period_figures(project, brief.period, brief.countries)
    previous = period_figures(project, brief.period.previous(), brief.countries)
    forces = tuple(posture(project.deployments.values(), brief.cutoff.date(), brief.countries))
    return BriefAnalysis(
        brief=brief, current=current, previous=previous,
        trends=tuple(trend(c, current, previous, project) for c in brief.countries),
        posture=forces,
        # no recorded figure means the strength is unknown, not that no troops are there
        troops=_sum(Tally.of(p.current.troops) for p in forces) if forces else Tally(0, None, unknown=1),
        changes=tuple(changes_since(project, brief, project.previous_brief(brief))),
        conflicts=tuple(c for c in map(responsibility_conflict, current.incidents) if c),
        previous_brief=project.previous_brief(brief),
    )
