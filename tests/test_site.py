"""The static website as a reader and a web server see it: pages, links, feeds, search index, markup."""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections import deque
from pathlib import Path

import feedparser
import pytest

from tests.helpers import make_content
from tests.site_helpers import (
    KALSU,
    KHARAB,
    LATEST_BRIEF,
    ROOT,
    TOWER_22,
    build_default_site,
    build_site,
    html_pages,
    is_external,
    parse,
    resolve,
)

VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
CSP = ("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
       "form-action 'none'")


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the output folder of the default content's build."""
    return build_default_site(tmp_path_factory)


def text_of(site: Path, relative: str) -> str:
    """Return a page's text with tags removed and whitespace collapsed, as a reader scans it."""
    html = (site / relative).read_text(encoding="utf-8")
    html = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", html, flags=re.DOTALL)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split()).replace(" ,", ",").replace(" .", ".")


# --- Pages and links ----------------------------------------------------------------------

def test_every_page_the_issue_lists_exists_at_its_stable_path(site: Path) -> None:
    expected = ["index.html", "404.html", "search.html", "briefs/index.html", f"briefs/{LATEST_BRIEF}.html",
                f"briefs/{LATEST_BRIEF}.pdf", "incidents/index.html", *(f"incidents/{i}.html" for i in
                                                                        (KHARAB, KALSU, TOWER_22)),
                "actors/index.html", "actors/islamic-resistance-in-iraq.html", "locations/index.html",
                "locations/kharab-al-jir.html", "countries/index.html", "countries/syr.html",
                "countries/irq.html", "forces/index.html", "context/index.html", "context/gaza-war.html",
                "event-types/index.html", "event-types/explosions-remote-violence.html", "sources/index.html",
                "data/index.html", "feeds/briefs.xml", "feeds/incidents.xml", "sitemap.xml", "robots.txt",
                "data/incidents.json", "data/incidents.geojson", "data/incidents.csv",
                "pagefind/pagefind-ui.js", "pagefind/pagefind-ui.css"]
    assert [path for path in expected if not (site / path).is_file()] == []


def test_every_internal_href_and_src_resolves_as_from_file_urls(site: Path) -> None:
    broken = []
    for page in html_pages(site):
        links = parse(page)
        for url in links.hrefs + links.srcs:
            if is_external(url) or url.startswith("mailto:"):
                continue
            target, fragment = resolve(page, url)
            where = f"{page.relative_to(site)} -> {url}"
            if not target.is_file():
                broken.append(f"{where}: no such file")
            elif fragment and target.suffix == ".html" and fragment not in parse(target).ids:
                broken.append(f"{where}: no element with id {fragment!r}")
    assert broken == []


def test_links_are_relative_and_name_files_never_bare_folders(site: Path) -> None:
    bad = []
    for page in html_pages(site):
        for url in parse(page).hrefs + parse(page).srcs:
            if is_external(url) or url.startswith(("#", "mailto:")):
                continue
            path = url.split("#")[0].split("?")[0]
            if path and (url.startswith("/") or path.endswith("/") or path in (".", "..")):
                bad.append(f"{page.relative_to(site)}: {url}")
    assert bad == []


def test_nothing_is_loaded_from_another_host(site: Path) -> None:
    remote = []
    for page in html_pages(site):
        links = parse(page)
        remote += [f"{page.relative_to(site)}: {src}" for src in links.srcs if is_external(src)]
        remote += [f"{page.relative_to(site)}: <{tag}> {attrs.get('href')}" for tag, attrs in links.elements
                   if tag == "link" and is_external(attrs.get("href") or "")]
    assert remote == []
    for css in site.glob("assets/css/*.css"):
        assert not re.search(r"url\(\s*['\"]?(https?:)?//", css.read_text()), css.name


def test_every_page_is_reachable_by_clicking_from_the_home_page(site: Path) -> None:
    seen, queue = {site / "index.html"}, deque([site / "index.html"])
    while queue:
        page = queue.popleft()
        for url in parse(page).hrefs:
            if is_external(url):
                continue
            target, _ = resolve(page, url)
            if target.suffix == ".html" and target.is_file() and target not in seen:
                seen.add(target)
                queue.append(target)
    unreachable = {p.relative_to(site).as_posix() for p in html_pages(site)} - {
        p.relative_to(site).as_posix() for p in seen}
    assert unreachable == {"404.html"}


def test_every_page_keeps_the_content_security_policy_and_declares_its_language(site: Path) -> None:
    for page in html_pages(site):
        elements = parse(page).elements
        policies = [a.get("content") for t, a in elements if t == "meta" and a.get("http-equiv") ==
                    "Content-Security-Policy"]
        assert policies == [CSP], page
        assert [a.get("lang") for t, a in elements if t == "html"] == ["en"], page


def test_the_404_page_links_back_into_the_site(site: Path) -> None:
    assert "Page not found" in text_of(site, "404.html")
    assert "index.html" in parse(site / "404.html").hrefs


# --- What the pages say -------------------------------------------------------------------

def test_home_page_leads_with_the_latest_brief_its_figures_and_recent_incidents(site: Path) -> None:
    text = text_of(site, "index.html")
    assert "Latest brief" in text and "No. 2 · 16–22 April 2024" in text
    assert "Key figures" in text and "Troops deployed" in text and "about 3,400" in text
    assert "Iran-backed groups fighting under the Islamic Resistance in Iraq banner likely fired" in text
    assert text.index("Rockets fired from northern Iraq") < text.index("Unexplained explosion at Kalsu")
    assert "No. 1:" in text  # every brief is listed
    hrefs = parse(site / "index.html").hrefs
    assert f"briefs/{LATEST_BRIEF}.pdf" in hrefs and f"incidents/{KHARAB}.html" in hrefs
    svg = [a for t, a in parse(site / "index.html").elements if t == "svg" and a.get("class") != "map-key"]
    assert len(svg) == 1 and svg[0].get("aria-labelledby")  # the map, with its title and description
    keys = [a for t, a in parse(site / "index.html").elements if t == "svg" and a.get("class") == "map-key"]
    assert keys and all(a.get("aria-hidden") == "true" for a in keys)  # legend swatches beside their text
    # its markers are links, so it is a group of links rather than one image (axe: nested-interactive)
    assert svg[0].get("role") == "group"


def test_incident_page_shows_every_fact_with_its_source_and_grade(site: Path) -> None:
    text = text_of(site, f"incidents/{KHARAB}.html")
    assert "21 April 2024, about 21:50 local time (Asia/Baghdad), about 18:50 GMT" in text
    assert "18:50 GMT The exact day is known." in text
    assert "Kharab al-Jir base, Al-Hasakah, Syria" in text
    assert "Kharab al-Jir base, Al-Hasakah, Syria At the place named." in text
    assert "Launched from Northern Nineveh province, Iraq" in text
    assert "Iraq Only the wider area is known. Iraqi forces searched northern Nineveh" in text
    assert "Explosions/Remote violence — Shelling/artillery/missile attack" in text
    assert "Perpetrators An unidentified armed group (not reliably attributed)" in text
    # the statement's own words for attackers it did not name, not ACLED's 'Unidentified Armed Group (Iraq)'
    assert ("Iraqi security forces attributed it to “outlaw elements”, 21 April 2024. "
            "The statement named no group.") in text
    assert "Killed not reported no report gave a figure" in text
    assert re.search(r"Syrian Observatory for Human Rights \d+ C3", text)  # the monitor's attribution, graded
    assert "No casualty figures were reported" in text
    assert "Launched a large search operation in northern Nineveh province" in text
    # one note per document: the Iraqi statement, noted with the link of the page that carries AFP's story
    assert "Source notes" in text and "“[Statement on rockets fired from northern Iraq at a coalition base in " \
        "Syria]” (statement, in Arabic), 21 April 2024; reported in Agence France-Presse" in text
    hrefs = parse(site / f"incidents/{KHARAB}.html").hrefs
    assert "../actors/islamic-resistance-in-iraq.html" in hrefs and "../countries/syr.html" in hrefs
    assert "#note-1" in hrefs and "note-1" in parse(site / f"incidents/{KHARAB}.html").ids


def test_incident_casualties_show_each_source_and_the_headline_rule(site: Path) -> None:
    text = text_of(site, f"incidents/{KALSU}.html")
    assert "Totals use the lowest current figure reported for each side (ACLED's rule" in text
    assert re.search(r"Mint \d+ B2", text)  # AFP's toll, read in Mint: graded where it is cited
    assert "Lowest current figure (used in totals) 1 8" in text
    assert "Best estimate (lowest, highest) 1 (low 1, high 1) 8 (low 8, high 8)" in text
    assert "Killed 1 the lowest current figure, all sides together" in text
    # actors by the names readers know; CENTCOM spelled out where the page first uses it
    assert "US forces (CENTCOM) denied involvement." in text
    assert "AFP reported that the Israeli army did not comment." in text  # said once, by the note
    assert "declined to comment" not in text
    assert "wounding eight, Agence France-Presse (AFP) reported" in text
    assert "US Central Command (CENTCOM), the US military command" in text


def test_a_figure_superseded_by_another_documents_report_names_that_report(site: Path) -> None:
    """Tower 22: the first US figure of 25 wounded (Newser) was replaced by the Pentagon's 34 (Democracy Now!)."""
    text = text_of(site, "incidents/2024-01-28-tower-22-drone-attack.html")
    assert "Newser 3 C2 3 25 Superseded by the report of Democracy Now! The first US figures" in text
    assert "Lowest current figure (used in totals) 3 34" in text
    # 25 was reported too, and replaced: 34 is the lowest current figure, not the lowest reported
    assert "Wounded 34 the lowest current figure, all sides together" in text


def test_the_troops_figure_says_whose_troops_it_adds_and_where_none_is_recorded(site: Path) -> None:
    """About 3,400 is US forces in Iraq and Syria; the brief also covers Jordan, where no figure is recorded."""
    words = "Troops deployed about 3,400 US forces in Iraq approximately 2,500; US forces in Syria nearly 900; " \
            "no figure for Jordan"
    assert words in text_of(site, "index.html")
    assert words in text_of(site, f"briefs/{LATEST_BRIEF}.html")


#: ACLED codes and field names a reader should never meet in a page's text (issue 12: reader language).
CODED_WORDS = ("inter code", "Disorder type", "Time precision", "Geo precision", "time_precision", "geo_precision",
               "Military Forces of", "Unidentified Armed Group", "all sides, lowest figure reported", "in supersedes")


def test_reader_pages_speak_plainly_not_in_acled_codes_or_field_names(site: Path) -> None:
    """Only the data page, which documents the ACLED columns, and an actor's own names may use them."""
    found = []
    for page in html_pages(site):
        relative = page.relative_to(site).as_posix()
        if relative.startswith(("data/", "pagefind/")):
            continue
        text = text_of(site, relative)
        if relative.startswith("actors/"):  # its full name and aliases: ACLED's name is one of them
            text = re.sub(r"Full name .*? Country|Also known as .*? Profile", "", text)
        found += [f"{relative}: {word}" for word in CODED_WORDS if word in text]
    assert found == []
    assert "Military Forces of the United States" in text_of(site, "data/incidents.csv")  # exports keep ACLED's
    actors = text_of(site, "actors/index.html")
    assert "External/Other forces Israeli army Israel · 1 incident US forces United States" in actors
    us_forces = text_of(site, "actors/us-forces.html")
    assert "External/Other forces US forces" in us_forces
    assert "Full name Military Forces of the United States" in us_forces


def test_actor_page_lists_incidents_by_role_and_its_arabic_name_right_to_left(site: Path) -> None:
    page = site / "actors/islamic-resistance-in-iraq.html"
    text = text_of(site, "actors/islamic-resistance-in-iraq.html")
    assert "Blamed by others (1)" in text and "Claimed responsibility (1)" in text
    assert "Rockets fired from northern Iraq" in text
    assert "Profile" in text and "A coalition of Iran-backed Iraqi armed groups" in text
    arabic = [a for t, a in parse(page).elements if a.get("lang") == "ar"]
    assert arabic and all(a.get("dir") == "rtl" for a in arabic)
    assert "المقاومة الإسلامية في العراق" in page.read_text(encoding="utf-8")
    targeted = text_of(site, "actors/us-forces.html")
    assert "Targeted (2)" in targeted and "Denied involvement (1)" in targeted


def test_location_and_country_pages_list_incidents_and_forces(site: Path) -> None:
    base = text_of(site, "locations/kharab-al-jir.html")
    assert "Incidents at Kharab al-Jir base" in base and "Rockets fired from northern Iraq" in base
    province = text_of(site, "locations/northern-nineveh.html")
    assert "Attacks launched from Northern Nineveh province" in province
    syria = text_of(site, "countries/syr.html")
    assert "Incidents in Syria" in syria and "nearly 900" in syria and "Forces stationed" in syria
    iraq = text_of(site, "countries/irq.html")
    assert "Attacks launched from Iraq into other countries" in iraq


def test_timeline_force_posture_event_types_context_and_sources(site: Path) -> None:
    timeline = text_of(site, "incidents/index.html")
    assert "2024 3 incidents April 2 · January 1" in timeline  # months newest first, each linked
    year = text_of(site, "incidents/years/2024.html")
    assert "Incidents in 2024" in year and year.index("April 2024") < year.index("January 2024")
    assert "Rockets fired from northern Iraq" in year
    forces = text_of(site, "forces/index.html")
    assert "US forces in Iraq" in forces and "approximately 2,500" in forces
    assert "Troop figures" in forces and re.search(r"Mint \d+ B2", forces)
    types = text_of(site, "event-types/index.html")
    assert "Explosions/Remote violence" in types and "3 incidents" in types and "Riots" in types
    assert "Air/drone strike (1)" in text_of(site, "event-types/explosions-remote-violence.html")
    assert "The Gaza war and the attacks on US forces" in text_of(site, "context/index.html")
    sources = text_of(site, "sources/index.html")
    assert "Syrian Observatory for Human Rights" in sources and "C Fairly reliable" in sources
    assert "source-sohr" in parse(site / "sources/index.html").ids


def test_brief_page_keeps_its_pdf_link_and_search_filters(site: Path) -> None:
    page = site / f"briefs/{LATEST_BRIEF}.html"
    assert f"../briefs/{LATEST_BRIEF}.pdf" in parse(page).hrefs
    filters = {a.get("data-pagefind-filter") for _, a in parse(page).elements} - {None}
    assert {"type", "country"} <= filters


def test_incident_pages_carry_search_filters_and_metadata(site: Path) -> None:
    html = (site / f"incidents/{KHARAB}.html").read_text(encoding="utf-8")
    # Links give the value in the attribute (tests/test_hostile_browser.py: names made safe for the index)
    assert re.search(r'data-pagefind-filter="country:Syria"[^>]*>Syria<', html)
    assert re.search(r'data-pagefind-filter="actor:Unidentified armed group \(Iraq\)"[^>]*>An unidentified armed '
                     r'group<', html)
    assert re.search(r'data-pagefind-filter="actor:US forces"[^>]*>US forces<', html)
    assert re.search(r'data-pagefind-filter="event type:Explosions/Remote violence"[^>]*>Explosions/Remote '
                     r'violence<', html)
    assert re.search(r'data-pagefind-meta="date">21 April 2024<', html)
    assert re.search(r'data-pagefind-meta="title"[^>]*>Rockets fired', html)


def test_search_page_uses_the_local_pagefind_bundle(site: Path) -> None:
    links = parse(site / "search.html")
    assert "pagefind/pagefind-ui.js" in links.srcs and "assets/js/search.js" in links.srcs
    assert "pagefind/pagefind-ui.css" in links.hrefs
    index = list((site / "pagefind").rglob("*.pf_fragment"))
    assert len(index) >= 3  # one fragment per indexed page at least


# --- Feeds, sitemap, robots ---------------------------------------------------------------

def test_feeds_parse_and_link_to_pages_that_exist(site: Path) -> None:
    for name, count in (("briefs", 2), ("incidents", 3)):
        feed = feedparser.parse((site / f"feeds/{name}.xml").read_bytes())
        assert not feed.bozo, feed.get("bozo_exception")
        assert feed.feed.title.startswith("Iraq–Syria Security Monitor")
        assert len(feed.entries) == count
        ids = [entry.id for entry in feed.entries]
        assert len(set(ids)) == count and all(i.startswith("urn:uuid:") for i in ids)
        for entry in feed.entries:
            target, _ = resolve(site / "feeds" / f"{name}.xml", entry.link)
            assert target.is_file(), entry.link
    incidents = feedparser.parse((site / "feeds/incidents.xml").read_bytes())
    assert incidents.entries[0].title.startswith("Rockets fired from northern Iraq")
    assert incidents.entries[0].updated.startswith("2024-04-21")
    briefs = feedparser.parse((site / "feeds/briefs.xml").read_bytes())
    assert any(link.type == "application/pdf" for link in briefs.entries[0].links)


def test_sitemap_lists_reachable_pages_relative_without_a_base_url(site: Path) -> None:
    locs = [e.text for e in ET.parse(site / "sitemap.xml").getroot().iter(
        "{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert f"incidents/{KHARAB}.html" in locs and "index.html" in locs
    assert [loc for loc in locs if not (site / loc).is_file()] == []
    assert "Sitemap:" not in (site / "robots.txt").read_text()


def test_with_a_base_url_feeds_and_sitemap_use_absolute_urls(content_copy: Path, tmp_path: Path) -> None:
    settings = content_copy / "site.yaml"
    settings.write_text(settings.read_text() + "base_url: https://monitor.example.org/briefs/\n")
    output = build_site(content_copy, tmp_path / "out", "--no-search")
    locs = [e.text for e in ET.parse(output / "sitemap.xml").getroot().iter(
        "{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert f"https://monitor.example.org/briefs/incidents/{KHARAB}.html" in locs
    assert "Sitemap: https://monitor.example.org/briefs/sitemap.xml" in (output / "robots.txt").read_text()
    feed = feedparser.parse((output / "feeds/incidents.xml").read_bytes())
    assert feed.entries[0].link == f"https://monitor.example.org/briefs/incidents/{KHARAB}.html"
    # the 404 page may be served at any depth, so it links absolutely when it can
    assert "https://monitor.example.org/briefs/index.html" in parse(output / "404.html").hrefs
    # every other page still links relatively
    assert "../index.html" in parse(output / f"incidents/{KHARAB}.html").hrefs


# --- Markup validity ----------------------------------------------------------------------

@pytest.mark.skipif(shutil.which("java") is None or not VNU.is_file(),
                    reason="needs Java and node_modules/vnu-jar")
def test_nu_html_checker_finds_no_errors(site: Path) -> None:
    result = subprocess.run(["java", "-jar", str(VNU), "--errors-only", "--skip-non-html", str(site)],
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[:4000]


# --- Attachments --------------------------------------------------------------------------

def test_attachments_are_published_and_shown_with_their_caption(tmp_path: Path) -> None:
    output = build_site(make_content(tmp_path), tmp_path / "out", "--no-search")
    assert (output / "media/photos/base.jpg").read_bytes().startswith(b"\xff\xd8")
    page = output / "incidents/baghdad-blast.html"
    images = [a for t, a in parse(page).elements if t == "img"]
    assert images == [{"src": "../media/photos/base.jpg", "alt": "The base after the blast.",
                       "loading": "lazy"}]
    assert resolve(page, images[0]["src"])[0].is_file()


def test_a_text_only_site_draws_no_map_or_chart_and_keeps_the_figures_in_words(
        content_copy: Path, tmp_path: Path) -> None:
    def pages(output: Path) -> dict[str, str]:
        return {path.relative_to(output).as_posix(): path.read_text(encoding="utf-8")
                for path in output.rglob("*.html")}

    drawn = ('<figure class="map">', '<figure class="chart">', 'class="map-frame"')
    with_figures = pages(build_site(content_copy, tmp_path / "drawn", "--no-search"))
    assert {name for name, html in with_figures.items() if any(mark in html for mark in drawn)} >= {
        "index.html", f"briefs/{LATEST_BRIEF}.html", "countries/irq.html", "locations/kharab-al-jir.html"}
    settings = content_copy / "site.yaml"
    settings.write_text(settings.read_text(encoding="utf-8") + "site_figures: false\n", encoding="utf-8")
    text_only = pages(build_site(content_copy, tmp_path / "text", "--no-search"))
    assert text_only.keys() == with_figures.keys()
    assert not [name for name, html in text_only.items() if any(mark in html for mark in drawn)]
    brief = text_only[f"briefs/{LATEST_BRIEF}.html"]
    # The charts' table stands for them, shown on every screen: in the brief's week, Kalsu (1 killed, 8
    # wounded) and Kharab al-Jir (no figures), as the drawn charts say.
    assert '<div class="chart-data alone">' in brief and "The charts' figures, week by week" in brief
    assert re.search(r'<th scope="row">22 Apr 2024</th>\s*<td class="num">2</td>\s*<td class="num">at least 1</td>'
                     r'<td class="num">at least 8</td>', brief)


def test_the_pdf_keeps_its_map_and_charts_on_a_text_only_site(content_copy: Path) -> None:
    from sitrep.pipeline import Analyses
    from sitrep.render.figures import brief_visuals
    from sitrep.validate import load_project

    settings = content_copy / "site.yaml"
    settings.write_text(settings.read_text(encoding="utf-8") + "site_figures: false\n", encoding="utf-8")
    project, problems = load_project(content_copy)
    assert project is not None and not [p for p in problems if p.is_error]
    analysis = Analyses(project)[LATEST_BRIEF]
    pdf, web = brief_visuals(project, analysis, medium="pdf"), brief_visuals(project, analysis, medium="web")
    assert "<svg" in pdf["map"] and "<svg" in pdf["incidents_chart"] and "<svg" in pdf["casualties_chart"]
    assert (web["map"], web["incidents_chart"], web["casualties_chart"]) == ("", "", "")
    assert web["chart_table"] == pdf["chart_table"]
