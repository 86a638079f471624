"""Every figure the analyse stage computes, on a small project with known answers."""

from __future__ import annotations

import datetime as dt

import pytest

from sitrep.analyse import (Tally, acled_week, analyse_brief, changes_since, incident_figures, period_figures,
                            posture, responsibility_conflict, when)
from sitrep.model import (Actor, Brief, Count, Deployment, Incident, Location, Period, Project, SiteConfig,
                          Source, parse_count)

D = dt.date


def count(text: object) -> Count:
    return Count.model_validate(parse_count(text))


def cite(source: str = "afp", credibility: int = 2, date: dt.date | None = None) -> dict:
    return {"source": source, "credibility": credibility, **({"date": date} if date else {})}


def incident(id: str, day: dt.date, *, where: str = "baghdad", casualties=(), claims=(), event_type=None,
             sub=None) -> Incident:
    return Incident.model_validate({
        "id": id, "title": id.replace("-", " "), "date": day, "summary": "x",
        "event_type": event_type or "Explosions/Remote violence",
        "sub_event_type": sub or "Shelling/artillery/missile attack",
        "location": {"location": where, "geo_precision": 1}, "sources": [cite()],
        "casualties": list(casualties), "claims": list(claims),
    })


def project(incidents, deployments=(), briefs=()) -> Project:
    sources = {s.id: s for s in [Source(id="afp", name="AFP", kind="news_agency", reliability="B"),
                                 Source(id="monitor", name="Monitor", kind="monitor", reliability="C"),
                                 Source(id="ministry", name="Ministry", kind="official", reliability="D")]}
    actors = {a.id: a for a in [Actor(id="army", name="Army", kind="state_forces"),
                                Actor(id="militia", name="Militia", kind="political_militia"),
                                Actor(id="rebels", name="Rebels", kind="rebel_group"),
                                Actor(id="resistance", name="Resistance", kind="political_militia"),
                                Actor(id="unidentified", name="Unidentified Armed Group (Iraq)",
                                      kind="political_militia")]}
    actors["militia"] = actors["militia"].model_copy(update={"part_of": "resistance"})
    locations = {loc.id: loc for loc in [
        Location(id="baghdad", name="Baghdad", kind="city", country="IRQ", admin1="Baghdad", latitude=33.3,
                 longitude=44.4),
        Location(id="basra", name="Basra", kind="city", country="IRQ", admin1="Basra", latitude=30.5,
                 longitude=47.8),
        Location(id="hasakah", name="Al-Hasakah", kind="city", country="SYR", admin1="Al-Hasakah",
                 latitude=36.5, longitude=40.7)]}
    return Project(site=SiteConfig(), incidents={i.id: i for i in incidents}, actors=actors,
                   locations=locations, sources=sources, deployments={d.id: d for d in deployments},
                   briefs={b.id: b for b in briefs}, context={})


def brief(id: str, start: dt.date, end: dt.date, countries=("IRQ", "SYR")) -> Brief:
    return Brief.model_validate({
        "id": id, "number": 1, "title": "t", "period": {"start": start, "end": end},
        "cutoff": dt.datetime(end.year, end.month, end.day, 12, tzinfo=dt.timezone(dt.timedelta(hours=3))),
        "countries": list(countries), "key_judgments": [{"text": "x"}],
    })


def killed(n: object, side: str = "army", source: str = "afp", credibility: int = 2, wounded: object = None,
           date: dt.date | None = None) -> dict:
    return {"side": side, "killed": n, "wounded": wounded, "sources": [cite(source, credibility, date)]}


# --- Uncertain arithmetic -------------------------------------------------------------------

@pytest.mark.parametrize(("counts", "expected"), [
    (["at least 3", "1-2"], "at least 4"),
    ([3, 2], "5"),
    (["1-2", "2-4"], "3–6"),
    (["unknown", 2], "at least 2"),
    (["unknown", "unknown"], "unknown"),
    (["approximately 2,500", "nearly 900"], "about 3,400"),
    ([], "0"),
])
def test_tally_carries_uncertainty_through_sums(counts, expected):
    assert str(Tally.total(count(c) for c in counts)) == expected


def test_unknown_is_never_counted_as_zero():
    tally = Tally.total([count("unknown")])
    assert tally.is_unknown and str(tally) == "unknown"
    assert not Tally.total([count(0)]).is_unknown


# --- Conflicting reports ----------------------------------------------------------------------

def test_headline_is_the_most_conservative_report_and_ucdp_figures_sit_beside_it():
    item = incident("a", D(2024, 4, 20), casualties=[killed(5, source="ministry", credibility=3),
                                                     killed("2-3", source="afp", credibility=2),
                                                     killed("at least 7", source="monitor", credibility=3)])
    figures = incident_figures(project([item]), item)
    side = figures.sides[0]
    assert str(side.killed) == "2–3"  # ACLED: most conservative
    assert side.conflicting
    assert (side.killed_best, side.killed_low, side.killed_high) == (2, 2, None)  # best from the B2 report
    assert str(figures.killed) == "2–3"


def test_ucdp_high_is_the_largest_bounded_figure():
    item = incident("a", D(2024, 4, 20), casualties=[killed(5, source="ministry"), killed("2-3")])
    side = incident_figures(project([item]), item).sides[0]
    assert (side.killed_low, side.killed_high) == (2, 5)


def test_incident_without_casualty_reports_is_unknown_not_zero():
    item = incident("a", D(2024, 4, 20))
    figures = incident_figures(project([item]), item)
    assert str(figures.killed) == "unknown" and str(figures.wounded) == "unknown"


def test_sides_are_summed_per_incident():
    item = incident("a", D(2024, 4, 20), casualties=[killed("at least 3", side="army"),
                                                     killed("1-2", side="militia", wounded=4)])
    figures = incident_figures(project([item]), item)
    assert str(figures.killed) == "at least 4"
    assert str(figures.wounded) == "at least 4"  # army's wounded unknown, militia's 4


def test_disputed_responsibility_is_found():
    claims = [{"stance": "attributed", "actor": "militia", "by": "monitor", "sources": [cite("monitor")]},
              {"stance": "attributed", "actor": "rebels", "by": "army", "sources": [cite()]}]
    items = [incident("a", D(2024, 4, 20), claims=claims)]
    denial = [{"stance": "claimed", "actor": "militia", "sources": [cite()]},
              {"stance": "denied", "actor": "militia", "sources": [cite()]}]
    items += [incident("b", D(2024, 4, 20), claims=denial), incident("c", D(2024, 4, 20), claims=claims[:1])]
    known = project(items)
    conflict = responsibility_conflict(known, items[0])
    assert conflict is not None and conflict.blamed == ("militia", "rebels")
    assert responsibility_conflict(known, items[1]).denied == ("militia",)
    assert responsibility_conflict(known, items[2]) is None


def test_outlaw_elements_beside_a_named_group_is_not_a_conflict():
    # Iraqi forces blamed "outlaw elements" (coded Unidentified Armed Group), a monitor named the group:
    # a vaguer and a more specific account of one attack, as in the 21 April 2024 Kharab al-Jir report
    claims = [{"stance": "attributed", "actor": "unidentified", "by": "army", "sources": [cite()]},
              {"stance": "attributed", "actor": "militia", "by": "monitor", "sources": [cite("monitor")]}]
    item = incident("a", D(2024, 4, 21), claims=claims)
    assert responsibility_conflict(project([item]), item) is None


def test_an_umbrella_and_its_member_group_are_not_a_conflict_but_two_groups_are():
    umbrella = [{"stance": "claimed", "actor": "resistance", "sources": [cite()]},
                {"stance": "attributed", "actor": "militia", "by": "monitor", "sources": [cite("monitor")]}]
    rival = [*umbrella, {"stance": "attributed", "actor": "rebels", "by": "army", "sources": [cite()]}]
    items = [incident("a", D(2024, 4, 21), claims=umbrella), incident("b", D(2024, 4, 21), claims=rival)]
    known = project(items)
    assert responsibility_conflict(known, items[0]) is None
    assert responsibility_conflict(known, items[1]).blamed == ("resistance", "militia", "rebels")


def test_a_report_silent_on_a_figure_does_not_conflict_with_one_that_gives_it():
    silent = incident("a", D(2024, 4, 20), casualties=[killed(1, wounded=8), killed(1)])
    differ = incident("b", D(2024, 4, 20), casualties=[killed(1, wounded=8), killed(1, wounded=6)])
    known = project([silent, differ])
    assert not incident_figures(known, silent).conflicting
    assert incident_figures(known, differ).conflicting


# --- Time -----------------------------------------------------------------------------------

def test_local_time_is_converted_to_gmt():
    item = incident("a", D(2024, 4, 21)).model_copy(update={"time": "21:50", "timezone": "Asia/Baghdad"})
    moment = when(item)
    assert (moment.local, moment.utc) == ("21:50", "18:50")
    assert str(moment) == "21 April 2024, 21:50 local (18:50 GMT)"


def test_a_time_the_sources_give_as_approximate_is_about_that_time_in_both_zones():
    item = incident("a", D(2024, 4, 21)).model_copy(update={"time": "21:50", "timezone": "Asia/Baghdad",
                                                            "time_approximate": True})
    moment = when(item)
    assert str(moment) == "21 April 2024, about 21:50 local (about 18:50 GMT)"
    assert moment.local_text == "about 21:50" and moment.text("gmt") == "about 18:50 GMT"
    assert moment.datetime == "2024-04-21T21:50+03:00"  # machines read the time given


@pytest.mark.parametrize(("day", "saturday"), [
    (D(2024, 4, 20), D(2024, 4, 20)),  # a Saturday starts its own week
    (D(2024, 4, 26), D(2024, 4, 20)),  # Friday ends it
    (D(2024, 4, 21), D(2024, 4, 20)),
    (D(2024, 1, 28), D(2024, 1, 27)),
])
def test_acled_weeks_run_saturday_to_friday(day, saturday):
    assert acled_week(day) == saturday


# --- Counts and trends ----------------------------------------------------------------------

@pytest.fixture()
def two_weeks() -> Project:
    militia_claim = [{"stance": "claimed", "actor": "militia", "sources": [cite()]}]
    return project([
        incident("old-1", D(2024, 4, 10), casualties=[killed(1)]),
        incident("old-2", D(2024, 4, 12), where="hasakah", casualties=[killed(4)]),
        incident("new-1", D(2024, 4, 17), casualties=[killed("at least 3")], claims=militia_claim),
        incident("new-2", D(2024, 4, 20), where="basra", casualties=[killed("1-2")]),
        incident("new-3", D(2024, 4, 21), event_type="Battles", sub="Armed clash"),
        incident("outside", D(2024, 4, 21), where="hasakah", casualties=[killed(9)]).model_copy(),
    ], briefs=[brief("w16", D(2024, 4, 16), D(2024, 4, 22), countries=("IRQ",))])


def test_period_counts_by_every_dimension(two_weeks):
    figures = period_figures(two_weeks, Period(start=D(2024, 4, 16), end=D(2024, 4, 22)), ["IRQ"])
    assert [i.id for i in figures.incidents] == ["new-1", "new-2", "new-3"]
    assert dict(figures.by_event_type) == {"Battles": 1, "Explosions/Remote violence": 2}
    assert dict(figures.by_sub_event_type) == {"Armed clash": 1, "Shelling/artillery/missile attack": 2}
    assert dict(figures.by_country) == {"IRQ": 3}
    assert dict(figures.by_admin1) == {"Baghdad": 2, "Basra": 1}
    assert dict(figures.by_actor) == {"militia": 1}
    assert dict(figures.by_week) == {D(2024, 4, 13): 1, D(2024, 4, 20): 2}
    assert str(figures.killed) == "at least 4"  # at least 3 + 1–2 + unknown


def test_trend_compares_with_the_previous_period_of_the_same_length(two_weeks):
    analysis = analyse_brief(two_weeks, two_weeks.briefs["w16"])
    assert analysis.previous.period == Period(start=D(2024, 4, 9), end=D(2024, 4, 15))
    assert [i.id for i in analysis.previous.incidents] == ["old-1"]
    (iraq,) = analysis.trends
    assert (iraq.country, iraq.mark, iraq.current, iraq.previous) == ("IRQ", "deteriorated", 3, 1)


def test_trend_improves_when_fewer_incidents_and_no_more_killed():
    quiet = project([incident("a", D(2024, 4, 10), casualties=[killed(2)]),
                     incident("b", D(2024, 4, 11), casualties=[killed(2)]),
                     incident("c", D(2024, 4, 18), casualties=[killed(1)])],
                    briefs=[brief("w", D(2024, 4, 16), D(2024, 4, 22), countries=("IRQ",))])
    assert analyse_brief(quiet, quiet.briefs["w"]).trends[0].mark == "improved"


# --- Troops and changes since the previous brief --------------------------------------------

def deployment(figures) -> Deployment:
    return Deployment.model_validate({"id": "us-iraq", "actor": "army", "country": "IRQ", "mission": "m",
                                      "figures": [{"as_of": day, "troops": troops, "sources": [cite()]}
                                                  for day, troops in figures]})


def test_posture_takes_the_latest_figure_before_the_cutoff():
    forces = deployment([(D(2024, 1, 1), "approximately 2,500"), (D(2024, 5, 1), 2000)])
    (item,) = posture([forces], D(2024, 4, 22))
    assert str(item.current.troops) == "approximately 2,500" and item.previous is None
    (later,) = posture([forces], D(2024, 6, 1))
    assert later.changed and str(later.previous.troops) == "approximately 2,500"


def test_changes_since_previous_brief_lists_new_incidents_revisions_and_troop_changes():
    revised = incident("old", D(2024, 4, 12), casualties=[
        killed(1, date=D(2024, 4, 13)), killed(4, source="monitor", date=D(2024, 4, 18))],
        claims=[{"stance": "claimed", "actor": "militia", "date": D(2024, 4, 19), "sources": [cite()]}])
    forces = deployment([(D(2024, 4, 1), 2500), (D(2024, 4, 20), 2000)])
    this_week = brief("w16", D(2024, 4, 16), D(2024, 4, 22), countries=("IRQ",))
    last_week = brief("w15", D(2024, 4, 9), D(2024, 4, 15), countries=("IRQ",))
    data = project([revised, incident("fresh", D(2024, 4, 17))], [forces], [this_week, last_week])
    changes = {(c.kind, c.subject): (c.before, c.after) for c in changes_since(data, this_week, last_week)}
    assert ("new incident", "fresh") in changes
    assert changes[("new claim", "old")] == ("", "claimed: militia")
    # a later report (4 killed) came in after the cut-off; the headline stays the most conservative, 1
    assert changes[("new casualty report", "old")] == ("", "Monitor: killed 4, wounded unknown (headline unchanged)")
    assert ("casualties revised", "old") not in changes
    assert changes[("troop figure changed", "us-iraq")] == ("2,500", "2,000")


def test_no_revision_when_nothing_was_reported_after_the_cutoff():
    quiet = incident("old", D(2024, 4, 12), casualties=[killed(1, date=D(2024, 4, 13))])
    this_week = brief("w16", D(2024, 4, 16), D(2024, 4, 22), countries=("IRQ",))
    last_week = brief("w15", D(2024, 4, 9), D(2024, 4, 15), countries=("IRQ",))
    assert changes_since(project([quiet], briefs=[this_week, last_week]), this_week, last_week) == []


def test_troops_are_unknown_when_no_figure_predates_the_cutoff():
    early = brief("w15", D(2024, 4, 9), D(2024, 4, 15), countries=("IRQ",))
    data = project([], [deployment([(D(2024, 4, 21), "approximately 2,500")])], [early])
    assert str(analyse_brief(data, early).troops) == "unknown"
    later = brief("w16", D(2024, 4, 16), D(2024, 4, 22), countries=("IRQ",))
    data = project([], [deployment([(D(2024, 4, 21), "approximately 2,500")])], [later])
    assert str(analyse_brief(data, later).troops) == "about 2,500"
