"""The hostile build in a real browser: every page opened and the search used, nothing may run or call out.

The XSS corpus is planted in every text field (as in tests/test_hostile.py), the site built with its
search index and served on 127.0.0.1. Chromium opens every page and searches for the vectors; a
dialog (every vector calls alert), a Content-Security-Policy violation (something tried and was
blocked: the sanitiser let it through) or a request to any other host fails the test.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.hostile_content import HostileTree
from tests.site_helpers import search_until, serve
from tests.snapshots import run_cli
from tests.test_hostile import plant_xss

playwright_api = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.browser

WATCH = """
window.__caught = [];
document.addEventListener("securitypolicyviolation",
    (event) => window.__caught.push(`CSP ${event.violatedDirective} blocked ${event.blockedURI}`));
for (const name of ["alert", "confirm", "prompt", "print"]) {
    window[name] = (...args) => window.__caught.push(`${name}(${args.join(", ")})`);
}
"""


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the site built, search index included, from content with the XSS corpus in every field."""
    base = tmp_path_factory.mktemp("hostile-browser")
    content = base / "content"
    __import__("shutil").copytree(Path(__file__).resolve().parent.parent / "content", content)
    tree = HostileTree(content)
    plant_xss(tree)
    tree.save()
    run = run_cli("build", "--content", content, "--output", base / "output", "--no-pdf")
    assert run.status == 0, run.err
    return base / "output"


class Sentinel:
    """A browser page that records dialogs, blocked content and every request that leaves the site."""

    def __init__(self, browser: object, site_url: str) -> None:
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.context.add_init_script(WATCH)
        self.outside: list[str] = []
        self.dialogs: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("dialog", self._dialog)
        self.site_url = site_url

    def _route(self, route: object) -> None:
        if route.request.url.startswith(self.site_url):
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()

    def _dialog(self, dialog: object) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def caught(self) -> list[str]:
        """Return what the page tried that it must not, since it loaded."""
        return self.page.evaluate("window.__caught") + self.dialogs + self.outside


def test_no_page_of_the_hostile_site_runs_or_loads_anything_foreign(hostile_site: Path, browser: object) -> None:
    pages = sorted(p.relative_to(hostile_site).as_posix() for p in hostile_site.rglob("*.html")
                   if "pagefind" not in p.parts)
    assert len(pages) > 40
    with serve(hostile_site) as site_url:
        sentinel = Sentinel(browser, site_url)
        caught = {}
        for path in pages:
            # The search page draws its filters (content's actor and country names) once its index loads.
            sentinel.page.goto(f"{site_url}{path}", wait_until="networkidle" if path == "search.html" else "load")
            sentinel.page.mouse.move(400, 300)
            sentinel.page.mouse.move(600, 500)
            found = sentinel.caught()
            if found:
                caught[path] = found
            sentinel.outside.clear()
            sentinel.dialogs.clear()
        sentinel.context.close()
    assert caught == {}


@pytest.mark.parametrize("query", ["alert", "script", "onerror", "javascript"])
def test_search_results_of_the_hostile_site_run_nothing(query: str, hostile_site: Path, browser: object) -> None:
    with serve(hostile_site) as site_url:
        sentinel = Sentinel(browser, site_url)
        sentinel.page.goto(f"{site_url}search.html", wait_until="load")
        sentinel.page.locator(".pagefind-ui__search-input").fill(query)
        results = sentinel.page.locator(".pagefind-ui__result")
        results.first.wait_for(timeout=15_000)
        assert results.count() > 0
        sentinel.page.wait_for_timeout(500)
        caught = sentinel.caught()
        sentinel.context.close()
    assert caught == []


def test_search_filters_show_hostile_names_as_text(hostile_site: Path, browser: object) -> None:
    """Pagefind's interface writes filter values as HTML: names reach it without anything that makes a tag."""
    with serve(hostile_site) as site_url:
        sentinel = Sentinel(browser, site_url)
        sentinel.page.goto(f"{site_url}search.html", wait_until="networkidle")
        labels = sentinel.page.locator(".pagefind-ui__filter-label")
        search_until(sentinel.page, "Kharab", lambda: any("SCRIPT" in text for text in labels.all_text_contents()))
        texts = labels.all_text_contents()
        markup = sentinel.page.locator(".pagefind-ui__filter-label *").count()
        caught = sentinel.caught()
        sentinel.context.close()
    assert any("SCRIPT" in text for text in texts), texts[:5]
    assert markup == 0
    assert caught == []
