"""The site in a real browser (Debian's chromium through Playwright), served over http and read from disk."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.site_helpers import KHARAB, LATEST_BRIEF, ROOT, build_default_site, html_pages, search_until, serve

playwright_api = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.browser

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the built default site."""
    return build_default_site(tmp_path_factory)


@pytest.fixture(scope="module")
def base_url(site: Path) -> Iterator[str]:
    """Serve the site on 127.0.0.1 at a free port for this module's tests."""
    with serve(site) as url:
        yield url


class Watch:
    """Every request a page makes, and every console error or uncaught exception it reports."""

    def __init__(self, page: object) -> None:
        self.urls: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda request: self.urls.append(request.url))
        page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def hosts(self) -> set[str]:
        """Return the hosts (host:port) requested; file:// and data: URLs have none."""
        parts = [urlsplit(url) for url in self.urls]
        return {part.netloc for part in parts if part.scheme not in ("data", "file", "blob")}


@pytest.fixture()
def page(browser: object) -> Iterator[object]:
    """Return a fresh page at a laptop's width."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def test_reader_clicks_from_home_to_a_brief_an_incident_and_an_actor(page: object, base_url: str) -> None:
    watch = Watch(page)
    page.goto(f"{base_url}index.html")
    assert page.locator("h1").first.inner_text() == "Iraq–Syria Security Monitor"

    page.get_by_role("link", name="Read the brief").click()
    page.wait_for_url(f"**/briefs/{LATEST_BRIEF}.html")
    assert page.locator("h1").first.inner_text() == "Iraq–Syria Security Brief"
    assert page.get_by_role("link", name="Download the PDF brief").is_visible()

    page.get_by_role("link", name="Home", exact=True).click()
    cards = page.locator(".incident-cards")
    cards.get_by_role("link", name=re.compile("^Rockets fired from northern Iraq")).click()
    page.wait_for_url(f"**/incidents/{KHARAB}.html")
    assert page.locator("h1").inner_text().startswith("Rockets fired from northern Iraq")
    assert "18:50 GMT" in page.locator(".facts").inner_text()

    page.locator(".facts").get_by_role("link", name="An unidentified armed group").click()
    page.wait_for_url("**/actors/unidentified-armed-group-iraq.html")
    assert page.locator("h1").inner_text() == "Unidentified armed group (Iraq)"

    assert watch.errors == []
    assert watch.hosts() == {urlsplit(base_url).netloc}


def test_search_for_kharab_reaches_the_21_april_incident(page: object, base_url: str) -> None:
    watch = Watch(page)
    page.goto(f"{base_url}search.html")
    page.locator(".pagefind-ui__search-input").fill("Kharab")
    result = page.locator(".pagefind-ui__result").filter(has_text="Rockets fired from northern Iraq")
    result.first.wait_for(timeout=15_000)
    assert "21 April 2024" in result.first.inner_text()  # the incident's date is in the result
    result.first.get_by_role("link").first.click()
    page.wait_for_url(f"**/incidents/{KHARAB}.html")
    assert page.locator("h1").inner_text().startswith("Rockets fired from northern Iraq")
    assert watch.errors == []
    assert watch.hosts() == {urlsplit(base_url).netloc}


def test_the_site_and_its_search_work_under_a_sub_path(page: object, site: Path) -> None:
    watch = Watch(page)
    with serve(site.parent) as parent_url:
        base = f"{parent_url}{site.name}/"
        page.goto(f"{base}index.html")
        page.get_by_role("link", name="Search", exact=True).click()
        page.locator(".pagefind-ui__search-input").fill("Kharab")
        result = page.locator(".pagefind-ui__result").filter(has_text="Rockets fired from northern Iraq")
        result.first.get_by_role("link").first.click()
        page.wait_for_url(f"{base}incidents/{KHARAB}.html")
    assert watch.errors == []


TOWER_22 = "Drone attack kills three US soldiers at Tower 22, Jordan"
KHARAB_TITLE = "Rockets fired from northern Iraq at the coalition base at Kharab al-Jir, Syria"
KALSU_TITLE = "Unexplained explosion at Kalsu military base, Babylon province"


def search_results(page: object, expected: list[str]) -> list[str]:
    """Return the titles of the results once they are the expected ones, or after 15 seconds.

    A filter changes the results a moment after it is ticked, so the list is read until it settles.
    """
    titles: list[str] = []
    for _ in range(150):
        message = page.locator(".pagefind-ui__message").inner_text()
        titles = sorted(t.strip() for t in page.locator(".pagefind-ui__result-title").all_inner_texts())
        if titles == sorted(expected) and message.startswith(f"{len(expected)} result"):
            break
        page.wait_for_timeout(100)
    return titles


def filter_box(page: object, name: str, value: str) -> object:
    """Return a filter's checkbox, opening its group in the filter panel."""
    title = re.compile(f"^{re.escape(name)}$", re.IGNORECASE)
    block = page.locator("details.pagefind-ui__filter-block", has=page.locator("summary", has_text=title))
    if block.get_attribute("open") is None:
        block.locator("summary").click()
    return block.locator(f'input[name="{name.lower()}"][value="{value}"]')


def search_with_every_filter(page: object, query: str, groups: list[str]) -> None:
    """Search for query and wait until the filter panel names every group (see search_until)."""
    summaries = page.locator("details.pagefind-ui__filter-block summary")
    search_until(page, query, lambda: set(groups) <= {name.strip() for name in summaries.all_inner_texts()})
    assert sorted(name.strip() for name in summaries.all_inner_texts()) == sorted(groups)


def test_search_filters_by_country_actor_and_event_type(page: object, base_url: str) -> None:
    page.goto(f"{base_url}search.html")
    search_with_every_filter(page, "US forces", ["Actor", "Country", "Event type", "Type"])
    unfiltered = page.locator(".pagefind-ui__message").inner_text()
    # All three incidents are explosions/remote violence; no other page carries an event type
    filter_box(page, "Event type", "Explosions/Remote violence").check()
    every_incident = [TOWER_22, KHARAB_TITLE, KALSU_TITLE]
    assert search_results(page, every_incident) == sorted(every_incident), unfiltered
    # The Islamic Resistance in Iraq was named for Tower 22 (by AFP) and Kharab al-Jir (by SOHR), not Kalsu
    filter_box(page, "Actor", "Islamic Resistance in Iraq").check()
    assert search_results(page, [TOWER_22, KHARAB_TITLE]) == sorted([TOWER_22, KHARAB_TITLE])
    filter_box(page, "Country", "Jordan").check()
    assert search_results(page, [TOWER_22]) == [TOWER_22]
    filter_box(page, "Country", "Jordan").uncheck()
    filter_box(page, "Country", "Syria").check()
    assert search_results(page, [KHARAB_TITLE]) == [KHARAB_TITLE]
    filter_box(page, "Country", "Syria").uncheck()
    filter_box(page, "Actor", "Islamic Resistance in Iraq").uncheck()
    filter_box(page, "Country", "Iraq").check()
    assert search_results(page, [KALSU_TITLE]) == [KALSU_TITLE]


def test_the_site_works_from_disk(page: object, site: Path) -> None:
    watch = Watch(page)
    page.goto((site / "index.html").as_uri())
    page.locator(".incident-cards").get_by_role("link", name=re.compile("^Unexplained explosion")).click()
    page.wait_for_url("**/incidents/2024-04-20-kalsu-base-explosion.html")
    page.get_by_role("link", name="Iraq", exact=True).first.click()
    page.wait_for_url("**/countries/irq.html")
    assert page.locator("h1").inner_text() == "Iraq"
    assert watch.errors == []
    assert watch.hosts() == set()


def test_keyboard_reaches_the_skip_link_first_and_it_moves_to_the_content(page: object,
                                                                          base_url: str) -> None:
    page.goto(f"{base_url}incidents/{KHARAB}.html")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


def test_every_page_fits_a_360_pixel_phone_without_sideways_scrolling(browser: object, base_url: str,
                                                                     site: Path) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740})
    too_wide = {}
    try:
        phone = context.new_page()
        for path in html_pages(site):
            relative = path.relative_to(site).as_posix()
            phone.goto(f"{base_url}{relative}")
            width = phone.evaluate("document.documentElement.scrollWidth")
            if width > 360:
                too_wide[relative] = width
    finally:
        context.close()
    assert too_wide == {}


@pytest.mark.skipif(not AXE.is_file(), reason="needs node_modules/axe-core")
@pytest.mark.parametrize("path", ["index.html", f"briefs/{LATEST_BRIEF}.html", f"incidents/{KHARAB}.html",
                                  "actors/islamic-resistance-in-iraq.html", "search.html?q=Kharab"])
def test_axe_finds_no_serious_or_critical_violations(browser: object, base_url: str, path: str) -> None:
    # axe is injected as an inline script, which the page's Content-Security-Policy would block.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    try:
        checked = context.new_page()
        checked.goto(f"{base_url}{path}")
        if path.startswith("search.html"):
            checked.locator(".pagefind-ui__result").first.wait_for(timeout=15_000)
        checked.add_script_tag(path=str(AXE))
        results = checked.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    finally:
        context.close()
    serious = [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
               for v in results["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == []


MAP_LAYOUT = """() => {
  const box = (el) => el.getBoundingClientRect();
  const shown = (el) => getComputedStyle(el).display !== 'none' && box(el).width > 1 && box(el).height > 1;
  const frame = document.querySelector('.map-frame');
  const legend = document.querySelector('.map-legend');
  const read = (li) => ({
    text: li.textContent.trim(), size: parseFloat(getComputedStyle(li).fontSize),
    left: box(li).left, right: box(li).right, clipped: li.scrollWidth > li.clientWidth, shown: shown(li),
  });
  const svg = frame.querySelector('svg');
  const numbers = [...frame.querySelectorAll('.label-numbers [data-number]')];
  return {
    items: [...legend.querySelectorAll('li')].map(read),
    places: [...document.querySelectorAll('.map-places li')].map(read),
    numbers: numbers.filter(shown).map((g) => ({number: g.textContent, height: box(g).height})),
    labelsShown: [...frame.querySelectorAll('.place-labels text')].some(shown),
    countrySizes: [...frame.querySelectorAll('text[data-kind="country"]')]  // in screen pixels
      .map((t) => parseFloat(getComputedStyle(t).fontSize) * box(svg).width / parseFloat(svg.getAttribute('width'))),
    page: document.documentElement.scrollWidth, viewport: innerWidth,
    mapDrawn: box(svg).width, mapRight: box(svg).right, mapWidth: parseFloat(svg.getAttribute('width')),
    frameRight: box(frame).right, legendLeft: box(legend).left, legendTop: box(legend).top,
    frameBottom: box(frame).bottom,
    charts: [...document.querySelectorAll('figure.chart svg')].map((chart) => box(chart).right),
    chartTable: [...document.querySelectorAll('.chart-table')].filter((t) => shown(t.closest('.chart-data')))
      .map((t) => t.innerText),
    chartTablesRead: document.querySelectorAll('.chart-table caption').length,
  };
}"""


@pytest.mark.parametrize("path", [f"briefs/{LATEST_BRIEF}.html", "index.html", "countries/irq.html",
                                  "locations/kharab-al-jir.html"])
def test_map_is_drawn_to_a_390_pixel_phone_with_numbered_places(browser: object, base_url: str, path: str) -> None:
    """The map shrinks to the screen; its labels, too small there, give way to numbers keyed to a list."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        phone = context.new_page()
        phone.goto(f"{base_url}{path}")
        layout = phone.evaluate(MAP_LAYOUT)
    finally:
        context.close()
    texts = [item["text"] for item in layout["items"]]
    assert "Explosions/Remote violence" in texts and "Country of focus" in texts
    for item in layout["items"] + layout["places"]:
        assert item["size"] >= 13, item  # the page's text size, not the map's shrunk to the screen
        assert item["shown"] and 0 <= item["left"] and item["right"] <= 390 and not item["clipped"], item
    assert layout["legendTop"] >= layout["frameBottom"]  # below the map, in the page's width
    # the whole map in the screen's width, nothing to scroll sideways, in the page or in the map's frame
    assert layout["mapRight"] <= 390 and layout["mapDrawn"] >= 350 and layout["page"] == 390
    assert not layout["labelsShown"]
    numbers = [n["number"] for n in layout["numbers"]]
    assert numbers == [str(n) for n in range(1, len(layout["places"]) + 1)] and numbers
    assert all(n["height"] >= 13 for n in layout["numbers"])  # a 19-unit disc drawn about 14 px across
    assert any(place["text"].endswith("Kharab al-Jir base (21 Apr)") for place in layout["places"])
    assert layout["countrySizes"] and min(layout["countrySizes"]) >= 10  # country names stay legible


def test_brief_charts_fit_a_390_pixel_phone_with_their_figures_as_a_table(browser: object, base_url: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        phone = context.new_page()
        phone.goto(f"{base_url}briefs/{LATEST_BRIEF}.html")
        layout = phone.evaluate(MAP_LAYOUT)
    finally:
        context.close()
    assert layout["charts"] and all(right <= 390 for right in layout["charts"])
    (table,) = layout["chartTable"]
    rows = [" ".join(line.split()) for line in table.splitlines() if line.strip()]
    # 16-22 April: Kalsu (1 killed, 8 wounded) and Kharab al-Jir (no figures): at least, as the bars say
    assert "22 Apr 2024 2 at least 1 at least 8" in rows and "15 Apr 2024 0 0 0" in rows


@pytest.mark.parametrize("path", [f"briefs/{LATEST_BRIEF}.html", f"incidents/{KHARAB}.html", "countries/irq.html",
                                  "locations/kharab-al-jir.html"])
def test_no_page_scrolls_sideways_on_a_390_pixel_phone(browser: object, base_url: str, path: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        phone = context.new_page()
        phone.goto(f"{base_url}{path}")
        width = phone.evaluate("document.documentElement.scrollWidth")
        wide = phone.evaluate("""() => [...document.querySelectorAll('main svg, main figure, main img')]
          .filter((el) => el.getBoundingClientRect().right > innerWidth + 0.5)
          .map((el) => el.outerHTML.slice(0, 80))""")
    finally:
        context.close()
    assert width <= 390 and wide == []


def test_incident_page_keeps_hyphenated_names_whole_on_a_390_pixel_phone(browser: object, base_url: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        phone = context.new_page()
        phone.goto(f"{base_url}incidents/{KHARAB}.html")
        names = phone.evaluate("""() => [...document.querySelectorAll('main .nobr')]
          .map((span) => [span.textContent, span.getClientRects().length])""")
    finally:
        context.close()
    assert ["al-Jir", 1] in names  # in the title, which wraps on a phone
    assert [name for name, lines in names if lines != 1] == []


def test_map_legend_sits_beside_the_map_on_a_laptop(page: object, base_url: str) -> None:
    page.goto(f"{base_url}briefs/{LATEST_BRIEF}.html")
    layout = page.evaluate(MAP_LAYOUT)
    assert layout["legendLeft"] >= layout["frameRight"]
    assert layout["mapDrawn"] == pytest.approx(layout["mapWidth"], abs=1)
    assert "Launched from the hatched area → target" in [item["text"] for item in layout["items"]]
    # the map's own labels on a laptop: no numbers, no list, the chart table for screen readers only
    assert layout["labelsShown"] and layout["numbers"] == [] and layout["places"]
    assert not any(place["shown"] for place in layout["places"]) and layout["chartTable"] == []
    assert layout["chartTablesRead"] == 1  # still in the page, for a screen reader
