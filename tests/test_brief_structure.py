"""The brief's structure and reader language, on a small content tree built without PDFs.

A busy week (two incidents in Iraq, one attributed to attackers nobody named) and a quiet one (no incident,
no deployment) show what the brief puts first, what it leaves out and how it words what the data holds.
"""

from __future__ import annotations

import html as markup
import re
from pathlib import Path

import pytest

from sitrep.cli import main

from .helpers import make_content, write_tree
from .site_helpers import LATEST_BRIEF, build_default_site

EXTRA: dict[str, str] = {
    "sources/isf-statements.yaml": """\
id: isf-statements
name: Iraqi security forces (official statements)
kind: official
reliability: C
""",
    "sources/centcom.yaml": """\
id: centcom
name: US Central Command (CENTCOM)
kind: official
reliability: B
""",
    "actors/iri.yaml": """\
id: iri
name: Islamic Resistance in Iraq
short_name: IRI
kind: political_militia
country: IRQ
""",
    "actors/isf.yaml": """\
id: isf
name: Iraqi security forces
kind: state_forces
country: IRQ
""",
    "actors/unidentified-armed-group-iraq.yaml": """\
id: unidentified-armed-group-iraq
name: Unidentified Armed Group (Iraq)
kind: political_militia
country: IRQ
""",
    "locations/al-qaim.yaml": """\
id: al-qaim
name: Al-Qaim
kind: town
country: IRQ
admin1: Al-Anbar
latitude: 34.37
longitude: 41.09
""",
    "incidents/al-qaim-rockets.yaml": """\
id: al-qaim-rockets
title: Rockets fired at a base near Al-Qaim
date: 2024-04-19
time: "23:10"
timezone: Asia/Baghdad
event_type: Explosions/Remote violence
sub_event_type: Shelling/artillery/missile attack
location:
  location: al-qaim
  geo_precision: 2
perpetrators:
  - unidentified-armed-group-iraq
summary: Rockets were fired at a base near Al-Qaim. CENTCOM said no US forces were hurt.
claims:
  - stance: attributed
    actor: unidentified-armed-group-iraq
    by: isf
    sources:
      - source: isf-statements
        credibility: 2
        quote: outlaw elements
  - stance: attributed
    actor: iri
    by: afp
    sources:
      - source: afp
        credibility: 3
  - stance: denied
    actor: iri
    by: iri
    note: The IRI denied any part in the attack in a Telegram post.
    sources:
      - source: afp
        credibility: 2
sources:
  - source: isf-statements
    credibility: 2
""",
    "context/standing.md": """\
---
id: standing
title: The coalition's mission in Iraq
date: 2024-01-10
---
The coalition has advised Iraqi forces since 2014. STANDING-BODY-MARK
""",
    "context/news.md": """\
---
id: news
title: Talks on the coalition's future resume
date: 2024-04-18
---
Baghdad and Washington resumed talks on the coalition's future this week. NEWS-BODY-MARK
""",
    "briefs/brief-1.yaml": """\
id: brief-1
number: 1
title: Iraq situation brief
period:
  start: 2024-04-15
  end: 2024-04-21
cutoff: 2024-04-22T12:00:00+03:00
countries: [IRQ]
summary: Two attacks on bases in Iraq after a quiet month. The IRI is the likeliest culprit.
key_judgments:
  - text: The IRI will likely claim further attacks on bases near Baghdad.
    likelihood: likely
    confidence: moderate
    incidents: [baghdad-blast]
sections:
  - title: Iraq
    countries: [IRQ]
    assessment: Attacks resumed, blamed on the IRI by one outlet.
  - title: Kuwait
    countries: [KWT]
    assessment: ""
context: [standing, news]
""",
    "site.yaml": "title: Test monitor\nmonitoring_since: 2024-04-17\n",
    "briefs/brief-3.yaml": """\
id: brief-3
number: 3
title: Iraq situation brief
period:
  start: 2024-04-29
  end: 2024-05-05
cutoff: 2024-05-03T12:00:00+03:00
countries: [IRQ]
key_judgments:
  - text: Attacks on bases in Iraq are unlikely to stop.
""",
    "briefs/brief-2.yaml": """\
id: brief-2
number: 2
title: Jordan situation brief
period:
  start: 2024-04-22
  end: 2024-04-28
cutoff: 2024-04-29T12:00:00+03:00
countries: [JOR]
key_judgments:
  - text: Attacks on US forces in Jordan are unlikely in the coming week.
    likelihood: unlikely
    confidence: low
sections:
  - title: Jordan
    countries: [JOR]
    assessment: Jordan stayed quiet.
""",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the small tree's site (no PDFs, no search) and return the output folder."""
    root = tmp_path_factory.mktemp("structure")
    content = make_content(root)
    write_tree(content, EXTRA)
    output = root / "output"
    assert main(["--content", str(content), "--output", str(output), "--no-pdf", "--no-search", "-q"]) == 0
    return output


def brief_html(site: Path, brief_id: str) -> str:
    """Return the brief's article, as the web page and the PDF share it."""
    html = (site / "briefs" / f"{brief_id}.html").read_text(encoding="utf-8")
    return html[html.index('<article class="brief"'):html.index("</article>")]


def text(html: str) -> str:
    """Return the words of some HTML, tags and SVG drawings removed, white space squashed."""
    html = re.sub(r"<svg\b.*?</svg>", " ", html, flags=re.DOTALL)
    return re.sub(r"\s+", " ", markup.unescape(re.sub(r"<[^>]+>", "", html))).strip()


def test_key_judgments_and_summary_lead_with_the_key_figures_beside_them(site: Path):
    html = brief_html(site, "brief-1")
    bluf = html[html.index('<div class="bluf">'):html.index('<section class="area"')]
    main_column = bluf[:bluf.index('<aside class="key-figures"')]
    assert main_column.index("Key judgments") < main_column.index("Summary")
    assert "Key figures" in bluf[bluf.index('<aside class="key-figures"'):]
    # nothing but the title block comes before them
    assert html.index('<div class="bluf">') < html.index("Context") < html.index('<section class="area"')


def test_a_quiet_week_says_so_in_one_line_and_leaves_empty_sections_out(site: Path):
    words = text(brief_html(site, "brief-2"))
    assert "No incidents were recorded in Jordan between 22 April and 28 April 2024." in words
    for filler in ("No incidents in the period", "No deployments", "Timeline", "Force posture", "Troops deployed"):
        assert filler not in words


def test_a_section_with_no_assessment_and_no_incident_is_left_out(site: Path):
    html = brief_html(site, "brief-1")
    assert ">Iraq</h2>" in html and ">Kuwait</h2>" not in html


def test_context_dated_in_the_period_leads_and_standing_background_is_one_linked_line(site: Path):
    html = brief_html(site, "brief-1")
    context = html[html.index('<section class="context"'):]
    context = context[:context.index("</section>")]
    assert "NEWS-BODY-MARK" in context and "STANDING-BODY-MARK" not in html
    background = context[context.index('<p class="background">'):]
    assert "Standing background, unchanged this period:" in text(background)
    assert '<a href="../context/standing.html">' in background
    assert context.index("NEWS-BODY-MARK") < context.index('<p class="background">')


def test_trend_marks_follow_crisiswatch_and_state_the_rule(tmp_path_factory: pytest.TempPathFactory):
    # the default content's latest brief: Iraq had two incidents (one killed) against none the week before
    html = brief_html(build_default_site(tmp_path_factory), LATEST_BRIEF)
    trend = re.search(r'<li class="trend trend-deteriorated">(.*?)</li>', html, re.DOTALL)
    assert trend and "Iraq" in trend.group(1)
    # a red arrow pointing down: the shaft on top, the head at the bottom (y = 11)
    assert re.search(r'<path fill="#9c2a00" d="M4\.5 1h3v5\.5H10L6 11 2 6\.5h2\.5z"/>', trend.group(1))
    words = text(html)
    assert "Arrows as in Crisis Group's CrisisWatch" in words
    assert ("An area is marked deteriorated (red arrow pointing down, as in Crisis Group's CrisisWatch) when it had "
            "more incidents, or more people killed (conservative figure), than in the previous period") in words


def test_claims_say_each_thing_once_and_unnamed_attackers_as_the_source_put_them(site: Path):
    words = text(brief_html(site, "brief-1"))
    assert "Iraqi security forces attributed it to “outlaw elements”" in words
    assert "Agence France-Presse attributed it to Islamic Resistance in Iraq" in words
    assert "Attributed:" not in words
    assert "Unidentified Armed Group" not in words
    assert "Attributed to “outlaw elements” by Iraqi security forces" in words  # the incident table
    # a note that says the claim itself stands alone, not after a sentence saying the same
    assert "IRI denied any part in the attack in a Telegram post." in words
    assert "denied involvement" not in words


def test_no_acled_codes_or_field_names_in_the_brief(site: Path):
    words = text(brief_html(site, "brief-1"))
    assert "(ACLED)" not in words.replace("Armed Conflict Location & Event Data Project (ACLED)", "")
    assert not re.search(r"Political militia \(\d\)|State forces \(\d\)", words)
    assert "headline" not in words.lower() and "UCDP style" not in words


def test_abbreviations_are_spelled_out_at_first_use_only(site: Path):
    words = text(brief_html(site, "brief-1"))
    assert words.count("Islamic Resistance in Iraq (IRI)") == 1
    first = words.index("Islamic Resistance in Iraq (IRI)")
    assert words.index("The Islamic Resistance in Iraq (IRI) will likely claim") == first - 4  # the first judgment
    assert "The IRI is the likeliest culprit" in words  # the summary, after it
    assert "US Central Command (CENTCOM) said no US forces were hurt" in words


def test_times_in_the_incident_table_are_local_with_gmt_beside_them_elsewhere(site: Path):
    html = brief_html(site, "brief-1")
    table = html[html.index('<table class="incident-table">'):html.index("</table>")]
    assert "Date, local time" in table
    assert '<time datetime="2024-04-19T23:10+03:00" title="20:10 GMT">19 Apr 2024<br>23:10</time>' in table
    assert "GMT</small>" not in table
    assert "Times are local, as the sources gave them" in text(html)


def test_hyphenated_names_do_not_break_at_the_hyphen(site: Path):
    html = brief_html(site, "brief-1")
    assert '<span class="nobr">Al-Qaim</span>' in html
    assert '<span class="nobr">Al-Anbar</span>' in html
    # inside SVG drawings and tag attributes nothing is wrapped
    for drawing in re.findall(r"<svg\b.*?</svg>", html, flags=re.DOTALL):
        assert "nobr" not in drawing
    assert not re.search(r'="[^"]*<span', html)


def chart_desc(html: str, name: str) -> str:
    """Return the text description of one of a brief's charts."""
    svg = re.search(rf'<svg[^>]*id="[^"]*chart-{name}"[^>]*>.*?</svg>', html, flags=re.DOTALL)
    assert svg, name
    desc = re.search(r"<desc[^>]*>(.*?)</desc>", svg.group(0), flags=re.DOTALL)
    assert desc
    return markup.unescape(desc.group(1))


def test_charts_show_the_brief_s_own_weeks_from_when_monitoring_began(site: Path):
    html = brief_html(site, "brief-3")
    # weeks end on a Sunday as the period 29 April to 5 May does; none before monitoring began on 17 April
    incidents = chart_desc(html, "incidents")
    assert incidents.startswith("2 incidents over 3 weeks (21 Apr 2024 to 5 May 2024)"), incidents
    assert ">Week ending (Sunday)<" in html
    # the first week began before monitoring did, the last ends after the cut-off: both are partial
    assert "Partial data for the week ending 21 Apr 2024 and the week ending 5 May 2024." in incidents
    assert "Partial data for the week ending 21 Apr 2024 and the week ending 5 May 2024." in chart_desc(
        html, "casualties")
    assert ("Each bar is a week ending on a Sunday, as this brief's period does, from 17 April 2024, when "
            "monitoring began. Shaded weeks are partial: the data covers only 17 Apr to 21 Apr; 29 Apr to "
            "3 May.") in text(html)
    assert html.count('id="brief-3-chart-incidents-partial-week-') == 2


def test_weeks_without_any_incident_are_said_in_a_sentence_not_drawn_as_empty_charts(site: Path):
    # brief-2 covers Jordan from 22 to 28 April; monitoring began on 17 April and nothing happened in Jordan
    html = brief_html(site, "brief-2")
    charts = html[html.index('<section class="charts"'):]
    charts = charts[:charts.index("</section>")]
    assert text(charts) == ("Trends No incident was recorded from 17 April 2024 to 28 April 2024, the 2 weeks "
                            "the charts would show; none is drawn.")
    assert "<svg" not in charts and "<table" not in charts


def test_the_last_bar_of_a_weekly_brief_is_its_own_period(site: Path):
    html = brief_html(site, "brief-1")
    incidents = chart_desc(html, "incidents")
    # monitoring began on 17 April, so the brief's only chart week (15-21 April) is partial
    assert incidents.startswith("2 incidents in the week ending 21 Apr 2024."), incidents


def test_no_figure_or_trend_is_compared_with_days_before_monitoring_began(site: Path):
    # brief-1 covers 15-21 April; the week before it, 8-14 April, came before monitoring began on 17 April:
    # its figures are not known, not zero
    words = text(brief_html(site, "brief-1"))
    assert re.search(r"Incidents ?2 previous 7 days: not monitored", words), words
    assert re.search(r"Killed ?.*? previous: not monitored", words)
    assert ("Trend against the previous 7 days Not assessed: the previous 7 days (8 April 2024 to 14 April "
            "2024) began before this monitor's weekly monitoring, which started on 17 April 2024.") in words
    assert '<ul class="trends">' not in brief_html(site, "brief-1")
    # brief-3's previous week (22-28 April) was monitored: it is compared
    words = text(brief_html(site, "brief-3"))
    assert "previous 7 days: 0" in words and "not monitored" not in words and "Not assessed" not in words


def test_charts_say_since_when_and_why_they_start_there() -> None:
    import datetime as dt

    from sitrep.model import Period
    from sitrep.render.figures import ChartWeek, charts_note

    def weeks(first: dt.date, count: int, began: dt.date) -> list[ChartWeek]:
        ends = [first + dt.timedelta(weeks=n, days=6) for n in range(count)]
        return [ChartWeek(end - dt.timedelta(days=6), end,
                          Period(start=max(end - dt.timedelta(days=6), began), end=end)) for end in ends]

    # sixteen weeks of a monitor that began a year earlier: the note must not say monitoring began then
    long_running = weeks(dt.date(2024, 1, 1), 16, dt.date(2023, 1, 2))
    assert charts_note(long_running, "Sunday", dt.date(2023, 1, 2), declared=True) == (
        "Each bar is a week ending on a Sunday, as this brief's period does, from 1 January 2024, the last "
        "16 weeks.")
    young = weeks(dt.date(2024, 4, 9), 2, dt.date(2024, 4, 9))
    assert charts_note(young, "Monday", dt.date(2024, 4, 9), declared=True).endswith(
        "from 9 April 2024, when monitoring began.")
    # not declared in site.yaml: the day is only the earliest brief's first, and the note says so
    assert charts_note(young, "Monday", dt.date(2024, 4, 9), declared=False).endswith(
        "from 9 April 2024, the first day of this monitor's earliest brief.")
