"""The search index: what Pagefind is given of each page, and how the pages are split into shards."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from sitrep.pipeline import BuildOptions, build
from sitrep.render import search
from sitrep.render.search import assign_shards, search_record
from tests.site_helpers import KHARAB, TOWER_22, serve

ROOT = Path(__file__).resolve().parent.parent

PAGE = """<!DOCTYPE html><html lang="en"><head><title>Kharab</title></head><body>
<nav>Home · Incidents</nav>
<main id="main" class="wrap" data-pagefind-body>
<h1 data-pagefind-meta="title">Rockets fired at Kharab</h1>
<svg viewBox="0 0 10 10"><text>Baghdad</text></svg>
<p>Two rockets struck the base.</p>
<table class="incident-list" data-pagefind-ignore><tr><td>Another incident at Erbil</td></tr></table>
<ol data-pagefind-ignore><li><a data-pagefind-filter="actor:Islamic State">Islamic State</a></li></ol>
<p title="not data-pagefind-ignore">Reported by the Levant Herald.</p>
</main><footer>Footer text</footer></body></html>"""


def test_a_record_keeps_the_searchable_text_and_filters_only() -> None:
    record = search_record(PAGE)
    assert record is not None and record.startswith('<!DOCTYPE html><html lang="en">')
    for text in ("Rockets fired at Kharab", "Two rockets struck the base.", "Reported by the Levant Herald.",
                 'data-pagefind-filter="actor:Islamic State"'):
        assert text in record
    for text in ("Baghdad", "Erbil", "Footer text", "Home · Incidents"):
        assert text not in record


def test_pages_without_searchable_content_have_no_record() -> None:
    assert search_record("<html><body><main><h1>Timeline</h1></main></body></html>") is None


def test_a_small_site_is_one_index_and_a_large_one_is_sharded() -> None:
    small = [f"incidents/2024-01-{d:02}-x.html" for d in range(1, 29)] + ["actors/isis.html"]
    assert set(assign_shards(small).values()) == {"pages-0"}
    large = [f"actors/a{n}.html" for n in range(search.ONE_INDEX_PAGES)] + ["incidents/2024-01-01-x.html"]
    assert assign_shards(large)["incidents/2024-01-01-x.html"] == "2024"


def test_incidents_and_briefs_are_sharded_by_period_and_the_rest_by_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "ONE_INDEX_PAGES", 0)
    quiet = [f"incidents/2021-0{m}-01-a{m}.html" for m in range(1, 4)]
    busy = [f"incidents/2024-{m:02}-{d:02}-{x}.html" for m in range(1, 13) for d in range(1, 29) for x in "xy"]
    shards = assign_shards([*quiet, *busy, "briefs/brief-2024-11-08.html", "actors/isis.html"])
    assert {shards[path] for path in quiet} == {"2021"}
    assert shards["incidents/2024-02-03-x.html"] == shards["incidents/2024-03-28-y.html"] == "2024-q1"
    assert shards["briefs/brief-2024-11-08.html"] == "2024-q4"
    assert shards["actors/isis.html"] == "pages-0"


def test_a_rebuild_indexes_again_only_the_shard_of_the_changed_incident(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "ONE_INDEX_PAGES", 0)  # the default site is small enough to be one index
    content = Path(shutil.copytree(ROOT / "content", tmp_path / "content"))
    options = BuildOptions(content=content, output=tmp_path / "site", pdf=False)
    messages: list[str] = []
    build(options)
    bundle = options.output / "pagefind"
    shards = json.loads((bundle / "shards.json").read_text(encoding="utf-8"))
    before = {path: path.stat().st_ino for path in bundle.rglob("*") if path.is_file()}
    incident = min((content / "incidents").glob("*.yaml"))
    text = incident.read_text(encoding="utf-8")
    title = next(line for line in text.splitlines() if line.startswith("title: "))
    incident.write_text(text.replace(title, f"{title} (revised)", 1), encoding="utf-8")
    build(options, messages.append)
    assert any(message.startswith("indexed ") and f"in 1 of {len(shards) + 1} shards" in message
               for message in messages), messages
    after = {path: path.stat().st_ino for path in bundle.rglob("*") if path.is_file()}
    assert any(before.get(path) == inode for path, inode in after.items())  # the other shards are kept


def test_a_brief_is_found_by_its_own_text_not_by_the_tables_it_repeats(tmp_path: Path) -> None:
    options = BuildOptions(content=ROOT / "content", output=tmp_path / "site", pdf=False, search=False)
    build(options)
    brief = max((options.output / "briefs").glob("brief-*.html"))
    record = search_record(brief.read_text(encoding="utf-8"))
    assert record is not None
    assert ">Key judgments</h2>" in record and ">Outlook</h2>" in record
    # The incident table, timeline, force posture, method and source notes repeat other pages or
    # boilerplate: searching them would bury the incidents themselves under every brief.
    for heading in ("Incidents in the period", "Timeline", "Force posture", "Actors named", "Method and caveats",
                    "Source notes"):
        assert f">{heading}</h2>" in brief.read_text(encoding="utf-8")
        assert f">{heading}</h2>" not in record, heading
    assert 'data-pagefind-filter="country' in record


def indexed_text(bundle: Path, page: str) -> tuple[str, dict[str, list[str]]]:
    """Return the text and the filters Pagefind indexed for a page, read from its fragment file."""
    import gzip

    for fragment in bundle.rglob("*.pf_fragment"):
        raw = gzip.decompress(fragment.read_bytes())
        record = json.loads(raw[raw.index(b"{"):])
        if record["url"] == f"/{page}":
            return record["content"], record["filters"]
    raise AssertionError(f"{page} is not in the index")


def test_excerpts_keep_the_space_between_labels_values_and_cells(tmp_path: Path) -> None:
    """Pagefind joins the text of adjacent elements: "Killedunknown", "When21 April" (issue 12)."""
    options = BuildOptions(content=ROOT / "content", output=tmp_path / "site", pdf=False)
    build(options)
    text, filters = indexed_text(options.output / "pagefind", "incidents/2024-04-21-kharab-al-jir-rockets.html")
    assert "Killed not reported no report gave a figure" in text
    assert "When 21 April 2024, about 21:50 local time" in text
    assert "Event type Explosions/Remote violence" in text
    assert "Iraqi security forces" in filters["actor"] and filters["type"] == ["Incident"]
    for values in filters.values():  # a filter's value is no text of the page, run into the next words
        assert not any(f"{value}{after}" in text for value in values for after in "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


#: Every result of a query, best first, as the search page's Pagefind ranks them: [score, url, title].
RANKED = """async (query) => {
  const pagefind = await import(new URL("pagefind/pagefind.js", document.baseURI).href);
  const shards = await (await fetch(new URL("pagefind/shards.json", document.baseURI))).json();
  for (const name of shards) { await pagefind.mergeIndex(new URL(`pagefind/${name}/`, document.baseURI).pathname); }
  const found = await pagefind.search(query);
  return Promise.all(found.results.map(async (result) => {
    const data = await result.data();
    return [result.score, data.url, data.meta.title];
  }));
}"""
FIRST_RESULT_IS = """(title) => {
  const first = document.querySelector(".pagefind-ui__result-title");
  return first !== null && first.textContent.trim() === title;
}"""


@pytest.mark.browser
def test_an_incident_titled_with_the_query_ranks_above_every_context_note(tmp_path: Path, browser: object) -> None:
    """Searching "rockets" or "drone attack" finds the incident so titled before background notes (issue 12).

    Before, the incidents were a shard of their own, where every page says "rockets", so the word
    scored nothing there: the "Rockets fired..." incident came 12th, under four context notes, and
    "drone attack" scored the note on Iran's attack on Israel 19.1 against 7.4 for Tower 22.
    """
    pytest.importorskip("playwright.sync_api")
    options = BuildOptions(content=ROOT / "content", output=tmp_path / "site", pdf=False)
    build(options)
    assert json.loads((options.output / "pagefind" / "shards.json").read_text(encoding="utf-8")) == []
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    with serve(options.output) as base_url:
        page.goto(f"{base_url}search.html")
        for query, incident in (("rockets", KHARAB), ("drone attack", TOWER_22)):
            ranked = page.evaluate(RANKED, query)
            urls = [url for _, url, _ in ranked]
            assert len(urls) == len(set(urls)), ranked  # each page once
            notes = [at for at, url in enumerate(urls) if url.startswith("/context/")]
            assert notes, ranked  # the query does reach a context note: the order is what is tested
            assert urls.index(f"/incidents/{incident}.html") < min(notes), ranked[:min(notes) + 1]
            assert urls[0] == f"/incidents/{incident}.html", ranked[:3]
            page.locator(".pagefind-ui__search-input").fill(query)  # the reader sees it first too
            page.wait_for_function(FIRST_RESULT_IS, arg=ranked[0][2], timeout=15_000)
    context.close()
