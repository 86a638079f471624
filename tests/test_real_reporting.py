"""Real reporting from the 2023–2024 campaign against US forces: dates at their precision and time zone.

The content tree is small and written as an analyst would; every expected figure and date below was
worked out by hand.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from sitrep.analyse import analyse_brief, incident_date, period_figures, when
from sitrep.model import Period
from sitrep.render.figures import _count_week
from sitrep.validate import load_project

from .helpers import write_tree
from .site_helpers import build_site

D = dt.date

SOURCES = {
    "sources/centcom.yaml": "id: centcom\nname: US Central Command\nkind: military\nreliability: B\n",
    "sources/afp.yaml": "id: afp\nname: Agence France-Presse\nkind: news_agency\nreliability: B\n",
    "sources/sohr.yaml": "id: sohr\nname: Syrian Observatory for Human Rights\nkind: monitor\nreliability: C\n",
}
ACTORS = {
    "actors/us-forces.yaml": "id: us-forces\nname: US forces\nkind: external_forces\ncountry: USA\n",
    "actors/iri.yaml": "id: iri\nname: Islamic Resistance in Iraq\nkind: political_militia\ncountry: IRQ\n",
    "actors/civilians.yaml": "id: civilians\nname: Civilians\nkind: civilians\n",
}
LOCATIONS = {
    "locations/tower-22.yaml": ("id: tower-22\nname: Tower 22\nkind: base\ncountry: JOR\nlatitude: 33.32\n"
                                "longitude: 38.69\n"),
    "locations/erbil-airbase.yaml": ("id: erbil-airbase\nname: Erbil air base\nkind: base\ncountry: IRQ\n"
                                     "admin1: Erbil\nlatitude: 36.24\nlongitude: 43.96\n"),
    "locations/al-shaddadi.yaml": ("id: al-shaddadi\nname: Al-Shaddadi\nkind: town\ncountry: SYR\n"
                                   "admin1: Al-Hasakah\nlatitude: 36.06\nlongitude: 40.73\n"),
    "locations/ain-al-asad.yaml": ("id: ain-al-asad\nname: Ain al-Asad\nkind: base\ncountry: IRQ\n"
                                   "admin1: Al-Anbar\nlatitude: 33.80\nlongitude: 42.44\n"),
}


def incident_yaml(id: str, title: str, date: str, where: str, extra: str = "", casualties: str = "") -> str:
    """Return an incident file: a drone attack on US forces claimed by nobody yet."""
    return f"""\
id: {id}
title: {title}
date: {date}
{extra}event_type: Explosions/Remote violence
sub_event_type: Air/drone strike
location:
  location: {where}
  geo_precision: 1
targets:
  - us-forces
summary: A one-way attack drone struck the base.
{casualties}sources:
  - source: afp
    credibility: 2
"""


DATED = {
    # Midnight in Baghdad (UTC+3) is 21:00 GMT the evening before.
    "incidents/erbil-midnight.yaml": incident_yaml(
        "erbil-midnight", "Drone attack on Erbil air base", "2024-02-02", "erbil-airbase",
        'time: "00:00"\ntimezone: Asia/Baghdad\n'),
    # ACLED codes a month-only event to the 15th: it is December, not 15 December.
    "incidents/shaddadi-december.yaml": incident_yaml(
        "shaddadi-december", "Drone attacks on al-Shaddadi base during December", "2023-12-15", "al-shaddadi",
        # December holds the 15th's rocket attack at the same base: the analyst says they are other events
        "time_precision: 3\nnot_same_as: [shaddadi-day]\n"),
    # Only the week is known: the ACLED week holding Tuesday 23 January runs Saturday 20 to Friday 26.
    "incidents/asad-week.yaml": incident_yaml(
        "asad-week", "Rocket attack on Ain al-Asad reported during the week", "2024-01-23", "ain-al-asad",
        "time_precision: 2\nnot_same_as: [asad-tuesday]\n"),
    "incidents/asad-tuesday.yaml": incident_yaml(
        "asad-tuesday", "Drone shot down near Ain al-Asad", "2024-01-22", "ain-al-asad"),
    "incidents/shaddadi-day.yaml": incident_yaml(
        "shaddadi-day", "Rocket attack on al-Shaddadi", "2023-12-15", "al-shaddadi",
        'time: "14:10"\ntimezone: Asia/Damascus\n'),
    "briefs/brief-5.yaml": """\
id: brief-5
number: 5
title: Attacks on US forces
period:
  start: 2023-12-09
  end: 2023-12-15
cutoff: 2023-12-16T12:00:00+03:00
countries: [IRQ, SYR, JOR]
key_judgments:
  - text: Attacks on US bases in Syria will likely continue.
""",
    "briefs/brief-6.yaml": """\
id: brief-6
number: 6
title: Attacks on US forces
period:
  start: 2024-01-27
  end: 2024-02-02
cutoff: 2024-02-03T12:00:00+03:00
countries: [IRQ, SYR, JOR]
key_judgments:
  - text: Attacks on US bases in Iraq will likely continue.
""",
}


def campaign(tmp_path: Path, files: dict[str, str]) -> Path:
    """Write the sources, actors and places of the campaign and the given files; return the content folder."""
    content = tmp_path / "content"
    write_tree(content, {**SOURCES, **ACTORS, **LOCATIONS, **files})
    return content


def loaded(content: Path):
    project, errors = load_project(content)
    assert not errors, [str(e) for e in errors]
    return project


@pytest.fixture(scope="module")
def dated_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    root = tmp_path_factory.mktemp("dated")
    content = campaign(root, DATED)
    return build_site(content, root / "output"), loaded(content)


# --- Time done right -------------------------------------------------------------------------

def test_midnight_in_baghdad_is_the_evening_before_in_gmt(dated_site):
    _, project = dated_site
    incident = project.incidents["erbil-midnight"]
    assert incident_date(incident, "time") == "2 February 2024, 00:00 local (1 February 2024, 21:00 GMT)"
    assert incident_date(incident, "gmt") == "1 Feb 2024, 21:00 GMT"
    assert when(incident).datetime == "2024-02-02T00:00+03:00"
    # the same day in GMT needs no second date
    damascus = project.incidents["shaddadi-day"]
    assert incident_date(damascus, "time") == "15 December 2023, 14:10 local (11:10 GMT)"
    assert incident_date(damascus, "gmt") == "11:10 GMT"


def test_month_and_week_precision_read_as_the_month_and_the_week(dated_site):
    _, project = dated_site
    month, week = project.incidents["shaddadi-december"], project.incidents["asad-week"]
    assert [incident_date(month, s) for s in ("long", "short", "label", "time")] == [
        "December 2023", "Dec 2023", "Dec 2023", "December 2023"]
    assert when(month).datetime == "2023-12"
    assert [incident_date(week, s) for s in ("long", "short", "label")] == [
        "week of 20–26 January 2024", "20–26 Jan 2024 (week)", "week 20–26 Jan"]
    assert when(week).datetime == "2024-W04"


def test_a_time_of_day_needs_the_exact_day(tmp_path):
    bad = incident_yaml("x", "Drone attack", "2023-12-15", "al-shaddadi",
                        'time: "14:10"\ntimezone: Asia/Damascus\ntime_precision: 3\n')
    content = campaign(tmp_path, {"incidents/x.yaml": bad})
    _, errors = load_project(content)
    assert any("a time of day needs the exact day (time_precision 1)" in str(e) for e in errors)


def test_a_month_sorts_as_the_month_and_is_in_no_week(dated_site):
    _, project = dated_site
    # newest first: a week or month as a whole comes after the days it holds
    assert [i.id for i in project.incidents_by_date] == [
        "erbil-midnight", "asad-tuesday", "asad-week", "shaddadi-day", "shaddadi-december"]
    figures = period_figures(project, Period(start=D(2023, 12, 9), end=D(2023, 12, 15)), ["SYR"])
    # both are counted in the period their coded date falls in (once each), oldest first ...
    assert [i.id for i in figures.incidents] == ["shaddadi-december", "shaddadi-day"]
    # ... but only the dated one is in a week: the month-only one is named beside the chart instead
    assert dict(figures.by_week) == {D(2023, 12, 9): 1}
    assert [i.id for i in figures.month_only] == ["shaddadi-december"]
    december_week = Period(start=D(2023, 12, 9), end=D(2023, 12, 15))
    assert dict(_count_week(project, december_week, ("SYR",), None).by_type) == {"Explosions/Remote violence": 1}
    # the week-only incident is in its ACLED week, Saturday 20 to Friday 26 January
    january_week = Period(start=D(2024, 1, 20), end=D(2024, 1, 26))
    assert dict(_count_week(project, january_week, ("IRQ",), None).by_type) == {"Explosions/Remote violence": 2}


def _time_elements(html: str) -> list[tuple[str, str]]:
    return [(attr, re.sub(r"<[^>]+>", "", text)) for attr, text in
            re.findall(r'<time datetime="([^"]+)"[^>]*>(.*?)</time>', html, re.S)]


def test_pages_timelines_and_feeds_show_each_date_at_its_precision(dated_site):
    site, _ = dated_site
    month_page = (site / "incidents/shaddadi-december.html").read_text()
    assert ("2023-12", "December 2023") in _time_elements(month_page)
    # the only 15 December on the page is the end of the brief's period it is listed in, "9–15 December"
    assert not re.search(r"(?<![–\d])15 Dec", month_page) and "9–15 December 2023" in month_page
    assert "Only the month is known." in month_page  # in words, not "Time precision 3"
    week_page = (site / "incidents/asad-week.html").read_text()
    assert "Only the week is known (a week from Saturday to Friday)." in week_page
    assert "precision" not in re.sub(r"<[^>]+>", " ", week_page)  # the ACLED code only in a title attribute
    midnight = (site / "incidents/erbil-midnight.html").read_text()
    assert ("2024-02-02T00:00+03:00", "2 February 2024") in _time_elements(midnight)
    assert "00:00 local time (Asia/Baghdad), 1 Feb 2024, 21:00 GMT" in midnight
    timeline = (site / "incidents/years/2023.html").read_text()
    assert ("2023-12", "Dec 2023") in _time_elements(timeline)
    timeline_2024 = (site / "incidents/years/2024.html").read_text()
    assert ("2024-W04", "20–26 Jan 2024 (week)") in _time_elements(timeline_2024)
    assert "1 Feb 2024, 21:00 GMT" in timeline_2024
    feed = (site / "feeds/incidents.xml").read_text()
    assert "December 2023, Al-Shaddadi" in feed
    assert "2 February 2024, 00:00 local (1 February 2024, 21:00 GMT), Erbil air base" in feed


def test_briefs_show_dates_at_their_precision_and_name_what_the_weekly_chart_leaves_out(dated_site):
    site, project = dated_site
    december = (site / "briefs/brief-5.html").read_text()
    times = _time_elements(december)
    assert ("2023-12", "Dec 2023") in times and ("2023-12", "December 2023") in times
    assert ("Not in the weekly bars, known only to the month: Drone attacks on al-Shaddadi base during December "
            "(December 2023).") in re.sub(r"<[^>]+>", "", december)
    february = (site / "briefs/brief-6.html").read_text()
    assert ("2024-02-02T00:00+03:00", "2 February 2024, 00:00 local (1 February 2024, 21:00 GMT)") in \
        _time_elements(february)
    analysis = analyse_brief(project, project.briefs["brief-6"])
    assert [i.id for i in analysis.current.incidents] == ["erbil-midnight"]


# --- Counts as sources say them ----------------------------------------------------------------

COUNT_SOURCES = {
    "sources/dod.yaml": "id: dod\nname: US Department of Defense\nkind: official\nreliability: B\n",
    "sources/iraqi-government.yaml": ("id: iraqi-government\nname: Iraqi government spokesman\nkind: official\n"
                                      "reliability: C\n"),
    "locations/al-qaim.yaml": ("id: al-qaim\nname: Al-Qaim\nkind: town\ncountry: IRQ\nadmin1: Al-Anbar\n"
                               "latitude: 34.37\nlongitude: 41.09\n"),
    "locations/al-mayadin.yaml": ("id: al-mayadin\nname: Al-Mayadin\nkind: town\ncountry: SYR\n"
                                  "admin1: Deir ez-Zor\nlatitude: 35.02\nlongitude: 40.45\n"),
}


def report(side: str, killed: object, wounded: object, source: str, date: str, extra: str = "") -> str:
    """Return one casualty report of an incident file."""
    return (f"  - {extra}{side}\n    killed: {killed}\n    wounded: {wounded}\n    date: {date}\n"
            f"    sources:\n      - source: {source}\n        credibility: 2\n")


COUNTED = {
    **COUNT_SOURCES,
    # CENTCOM first gave 25 wounded; the Pentagon then said 34 (naming the report it replaces), then
    # "more than 40" (its own later figure supersedes its own earlier one by date).
    "incidents/tower-22.yaml": incident_yaml(
        "tower-22", "Drone attack on Tower 22", "2024-01-28", "tower-22", casualties="casualties:\n" +
        report("side: us-forces", 3, 25, "centcom", "2024-01-28", "id: centcom-first\n    ") +
        report("side: us-forces", 3, 34, "dod", "2024-01-29", "id: dod-34\n    ").replace(
            "    date: 2024-01-29\n", "    date: 2024-01-29\n    supersedes: [centcom-first]\n") +
        report("side: us-forces", 3, '"more than 40"', "dod", "2024-02-01")),
    # wounded first unknown, then 4, from the same source
    "incidents/asad-rockets.yaml": incident_yaml(
        "asad-rockets", "Rockets fired at Ain al-Asad", "2024-01-29", "ain-al-asad", casualties="casualties:\n" +
        report("side: us-forces", 0, "unknown", "centcom", "2024-01-29") +
        report("side: us-forces", 0, 4, "centcom", "2024-02-01")),
    # "16 killed, including civilians" covers two sides; AFP's 2 civilians are among them, not added
    "incidents/qaim-strikes.yaml": incident_yaml(
        "qaim-strikes", "US strikes near al-Qaim", "2024-02-02", "al-qaim", casualties="casualties:\n" +
        report("sides: [iri, civilians]", 16, 25, "iraqi-government", "2024-02-03") +
        report("side: civilians", 2, "unknown", "afp", "2024-02-03")),
    "incidents/mayadin-strikes.yaml": incident_yaml(
        "mayadin-strikes", "US strikes on al-Mayadin", "2024-02-02", "al-mayadin", casualties="casualties:\n" +
        report("side: iri", "dozens", "a few", "sohr", "2024-02-03")),
    # recoded after the previous brief, with no new figure
    "incidents/shaddadi-recoded.yaml": incident_yaml(
        "shaddadi-recoded", "Explosion at al-Shaddadi base", "2024-01-25", "al-shaddadi", "updated: 2024-02-04\n"),
    "briefs/brief-7.yaml": """\
id: brief-7
number: 7
title: Attacks on US forces
period:
  start: 2024-01-24
  end: 2024-01-30
cutoff: 2024-01-31T12:00:00+03:00
countries: [IRQ, SYR, JOR]
key_judgments:
  - text: Attacks on US bases will likely continue.
""",
    "briefs/brief-8.yaml": """\
id: brief-8
number: 8
title: Attacks on US forces
period:
  start: 2024-01-31
  end: 2024-02-06
cutoff: 2024-02-07T12:00:00+03:00
countries: [IRQ, SYR, JOR]
key_judgments:
  - text: The US strikes will likely reduce attacks for some weeks.
""",
}


@pytest.fixture(scope="module")
def counted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    root = tmp_path_factory.mktemp("counted")
    content = campaign(root, COUNTED)
    return build_site(content, root / "output"), loaded(content)


@pytest.mark.parametrize(("written", "shown", "floor"), [
    ("more than 40", "more than 40", 41),
    ("over 40", "more than 40", 41),
    ("at least 40", "at least 40", 40),
    ("dozens", "dozens (at least 12)", 12),
    ("several", "several (at least 3)", 3),
    ("a few", "a few (at least 2)", 2),
    ("scores", "scores (at least 20)", 20),
    ("many", "many (at least 3)", 3),
    ("hundreds", "hundreds (at least 100)", 100),
    ("Dozens (at least 12)", "dozens (at least 12)", 12),  # as an export writes it, read back
])
def test_counts_keep_the_sources_words(written, shown, floor):
    from sitrep.model import Count, parse_count

    count = Count.model_validate(parse_count(written))
    assert (str(count), count.floor) == (shown, floor)


def test_a_word_that_is_no_count_says_what_to_write(tmp_path):
    bad = incident_yaml("x", "Drone attack", "2024-01-28", "tower-22", casualties="casualties:\n" +
                        report("side: us-forces", '"a handful"', 0, "afp", "2024-01-28"))
    _, errors = load_project(campaign(tmp_path, {"incidents/x.yaml": bad}))
    (error,) = [str(e) for e in errors]
    assert "'a handful' is not a count; write 3, 'at least 3', 'more than 40'" in error
    assert "dozens" in error and "several" in error


def test_later_reports_supersede_and_the_headline_follows_current_reports_only(counted):
    from sitrep.analyse import incident_figures

    _, project = counted
    figures = incident_figures(project, project.incidents["tower-22"])
    (us,) = figures.sides
    assert (str(us.killed), str(us.wounded)) == ("3", "more than 40")
    assert (str(figures.killed), str(figures.wounded)) == ("3", "more than 40")
    # 25 superseded by the 34 that names it, 34 by the same source's later "more than 40"
    assert [(str(h.report.wounded), str(h.by.wounded), h.reason) for h in us.history] == [
        ("25", "34", "explicit"), ("34", "more than 40", "later")]
    assert not us.conflicting
    assert str(us.wounded_estimate) == "more than 40 (low 41, high no upper figure)"
    assert str(us.killed_estimate) == "3 (low 3, high 3)"


def test_a_report_covering_two_sides_is_not_counted_twice(counted):
    from sitrep.analyse import incident_figures

    _, project = counted
    figures = incident_figures(project, project.incidents["qaim-strikes"])
    assert [g.sides for g in figures.sides] == [("iri", "civilians"), ("civilians",)]
    # the 2 civilians AFP counts are among the government's 16, not beside them (16 + 2 would be 18)
    assert (str(figures.killed), str(figures.wounded)) == ("16", "25")
    vague = incident_figures(project, project.incidents["mayadin-strikes"])
    assert (str(vague.killed), str(vague.wounded)) == ("dozens (at least 12)", "a few (at least 2)")


def test_brief_totals_carry_more_than_and_vague_words(counted):
    _, project = counted
    february = analyse_brief(project, project.briefs["brief-8"]).current
    assert [i.id for i in february.incidents] == ["mayadin-strikes", "qaim-strikes"]
    assert (str(february.killed), str(february.wounded)) == ("at least 28", "at least 27")  # 16 + 12; 25 + 2
    january = analyse_brief(project, project.briefs["brief-7"]).current
    # As known at its cut-off (31 January): killed 3 + 0 + unknown; wounded 34 (the Pentagon's figure of
    # 29 January; "more than 40" came on 1 February) + unknown (Ain al-Asad's 4 also came on 1 February)
    # + unknown, i.e. at least 34. The later figures are brief 8's revisions, never brief 7's totals.
    assert (str(january.killed), str(january.wounded)) == ("at least 3", "at least 34")


def test_an_issued_brief_keeps_the_figures_known_at_its_cut_off(counted):
    site, project = counted
    page = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", (site / "briefs/brief-7.html").read_text()))
    assert "Wounded at least 34" in page and "more than 40" not in page and "more than 44" not in page
    headline = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", (site / "briefs/index.html").read_text()))
    assert "No. 7 · 24–30 January 2024 Attacks on US forces 3 incidents · killed at least 3 · wounded at least 34" in \
        headline
    # the incident's own page is live: it shows every report, the latest first in its headline
    tower = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", (site / "incidents/tower-22.html").read_text()))
    assert "more than 40" in tower


def test_incident_page_shows_history_and_ranges_for_wounded_as_for_killed(counted):
    site, _ = counted
    page = (site / "incidents/tower-22.html").read_text()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    # the current report first, then the history, each superseded one saying what replaced it
    # each row: source, its note number, the statement's grade, the report's date, killed, wounded
    assert ("US Department of Defense 2 B2 1 February 2024 3 more than 40 US Central Command 3 B2 28 January "
            "2024 3 25 Superseded by the report of US Department of Defense, 29 January 2024. US Department of "
            "Defense 2 B2 29 January 2024 3 34 Superseded by the report of US Department of Defense, "
            "1 February 2024.") in text
    assert "<s>25</s>" in page and "<s>34</s>" in page
    assert re.search(r"Lowest current figure \(used in totals\)\s*3\s*more than 40", text)
    assert "Best estimate (lowest, highest) 3 (low 3, high 3) more than 40 (low 41, high no upper figure)" in text
    qaim = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", (site / "incidents/qaim-strikes.html").read_text()))
    assert "Islamic Resistance in Iraq and Civilians (counted together)" in qaim
    assert "counted once" in qaim
    mayadin = (site / "incidents/mayadin-strikes.html").read_text()
    assert "dozens (at least 12)" in mayadin and "a few (at least 2)" in mayadin


def test_acled_export_codes_the_conservative_figure_and_keeps_the_words(counted):
    import csv

    site, _ = counted
    rows = {row["event_id_cnty"]: row for row in csv.DictReader(
        (site / "data/incidents.csv").read_text(encoding="utf-8").splitlines())}
    assert rows["IRQ-qaim-strikes"]["fatalities"] == "16"
    mayadin = rows["SYR-mayadin-strikes"]
    assert mayadin["fatalities"] == "12"
    assert mayadin["notes"].endswith("[Fatalities reported as dozens (at least 12); coded as the lowest figure.]")


# --- Revisions since the previous brief ------------------------------------------------------

def test_new_since_the_previous_brief_counts_every_changed_figure_and_update(counted):
    from sitrep.analyse import changes_since

    _, project = counted
    changes = [(c.kind, c.subject, c.detail, c.before, c.after)
               for c in changes_since(project, project.briefs["brief-8"], project.briefs["brief-7"])]
    assert changes == [
        ("new incident", "US strikes on al-Mayadin", "", "", "2 February 2024"),
        ("new incident", "US strikes near al-Qaim", "", "", "2 February 2024"),
        # older incidents, oldest first
        ("incident updated", "Explosion at al-Shaddadi base", "", "", "updated 4 February 2024"),
        # by the previous cut-off (31 January) the Pentagon had said 34; on 1 February, more than 40
        ("casualties revised", "Drone attack on Tower 22", "wounded, US forces", "34", "more than 40"),
        ("casualties revised", "Rockets fired at Ain al-Asad", "wounded, US forces", "unknown", "4"),
    ]


def test_the_brief_says_what_changed_without_repeating_unchanged_figures(counted):
    site, _ = counted
    page = (site / "briefs/brief-8.html").read_text()
    section = page[page.index('class="changes"'):page.index("</section>", page.index('class="changes"'))]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section))
    assert "Rockets fired at Ain al-Asad — wounded, US forces: unknown → 4" in text
    assert "Drone attack on Tower 22 — wounded, US forces: 34 → more than 40" in text
    assert "killed" not in text  # no killed figure changed: no "killed 0 → killed 0"
    assert "Incident updated Explosion at al-Shaddadi base updated 4 February 2024" in text


@pytest.mark.parametrize(("reports", "message"), [
    (report("side: us-forces", 3, 34, "dod", "2024-01-29", "supersedes: [first]\n    "),
     "supersedes 'first': no casualty report of this incident has that id (ids: none has an id yet); "
     "add 'id: first' to the report it replaces"),
    (report("side: us-forces", 3, 25, "centcom", "2024-01-28", "id: a\n    supersedes: [b]\n    ")
     + report("side: us-forces", 3, 34, "dod", "2024-01-29", "id: b\n    supersedes: [a]\n    "),
     "casualty reports supersede each other in a circle, back to 'a'"),
    (report("side: us-forces", 3, 25, "centcom", "2024-01-28").replace("  - side: us-forces\n", "  - killed: 1\n")
     .replace("    killed: 3\n", ""), "a casualty report needs 'side: <actor id>', or 'sides: [<actor id>, ...]'"),
])
def test_casualty_reports_that_cannot_be_read_say_what_to_write(tmp_path, reports, message):
    bad = incident_yaml("x", "Drone attack", "2024-01-28", "tower-22", casualties="casualties:\n" + reports)
    _, errors = load_project(campaign(tmp_path, {"incidents/x.yaml": bad}))
    assert any(message in str(e) for e in errors), [str(e) for e in errors]


def test_a_group_whose_reports_are_all_superseded_counts_nothing(counted):
    from sitrep.analyse import across_sides, incident_casualties
    from sitrep.model import Incident

    _, project = counted
    # the government's joint figure replaces AFP's civilians-only count
    qaim = project.incidents["qaim-strikes"]
    data = qaim.model_dump(exclude_none=True)
    data["casualties"][1]["id"] = "afp-civilians"
    data["casualties"][0]["supersedes"] = ["afp-civilians"]
    revised = Incident.model_validate(data)
    groups = incident_casualties(project, revised)
    assert [(g.sides, len(g.reports), len(g.history)) for g in groups] == [
        (("iri", "civilians"), 1, 0), (("civilians",), 0, 1)]
    assert str(across_sides(groups, "killed")) == "16"
