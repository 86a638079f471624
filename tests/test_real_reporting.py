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
    assert dict(_count_week(project, D(2023, 12, 9), ("SYR",)).by_type) == {"Explosions/Remote violence": 1}
    # the week-only incident is in its ACLED week, Saturday 20 to Friday 26 January
    assert dict(_count_week(project, D(2024, 1, 20), ("IRQ",)).by_type) == {"Explosions/Remote violence": 2}


def _time_elements(html: str) -> list[tuple[str, str]]:
    return [(attr, re.sub(r"<[^>]+>", "", text)) for attr, text in
            re.findall(r'<time datetime="([^"]+)"[^>]*>(.*?)</time>', html, re.S)]


def test_pages_timelines_and_feeds_show_each_date_at_its_precision(dated_site):
    site, _ = dated_site
    month_page = (site / "incidents/shaddadi-december.html").read_text()
    assert ("2023-12", "December 2023") in _time_elements(month_page)
    # the only 15 December on the page is the end of the brief's period it is listed in, "9–15 December"
    assert not re.search(r"(?<![–\d])15 Dec", month_page) and "9–15 December 2023" in month_page
    assert "only the month known" in month_page
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
