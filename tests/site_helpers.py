"""The built default site, shared by the site, export and browser tests, and tools to read it."""

from __future__ import annotations

import fcntl
import functools
import http.server
import io
import os
import shutil
import socketserver
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from sitrep.cli import main

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONTENT = ROOT / "content"
KHARAB = "2024-04-21-kharab-al-jir-rockets"
KALSU = "2024-04-20-kalsu-base-explosion"
TOWER_22 = "2024-01-28-tower-22-drone-attack"
LATEST_BRIEF = "brief-2024-04-22"

_built: dict[str, Path] = {}


def build_default_site(factory: pytest.TempPathFactory) -> Path:
    """Build the default content (with PDFs and search) once per test run; return the output folder.

    Under pytest-xdist the workers share one build, made by the first to ask, in the run's own
    temporary folder (see the pytest-xdist documentation, "Making session-scoped fixtures execute only
    once"); tests only read it.
    """
    if "default" not in _built:
        if os.environ.get("PYTEST_XDIST_WORKER") is None:
            _built["default"] = _build_default(factory.mktemp("site") / "output")
        else:
            shared = factory.getbasetemp().parent / "default-site"  # this run's, seen by every worker
            with (shared.parent / "default-site.lock").open("w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)  # released as the file closes
                if not (shared / "complete").is_file():
                    shutil.rmtree(shared, ignore_errors=True)
                    _build_default(shared / "output")
                    (shared / "complete").touch()
            _built["default"] = shared / "output"
    return _built["default"]


def _build_default(output: Path) -> Path:
    """Build the default content with PDFs and search into output; return output."""
    out, err = io.StringIO(), io.StringIO()
    status = main(["build", "--content", str(DEFAULT_CONTENT), "--output", str(output), "--jobs", "1"],
                  out=out, err=err)
    assert status == 0, err.getvalue()
    return output


def build_site(content: Path, output: Path, *extra: str) -> Path:
    """Build a content tree into output (no PDFs, no search unless asked); return output."""
    err = io.StringIO()
    status = main(["build", "--content", str(content), "--output", str(output), "--no-pdf", *extra],
                  out=io.StringIO(), err=err)
    assert status == 0, err.getvalue()
    return output


# --- Reading pages ------------------------------------------------------------------------

class PageLinks(HTMLParser):
    """Collect a page's links, resources, element ids and attributes of interest."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []
        self.srcs: list[str] = []
        self.ids: set[str] = set()
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.elements.append((tag, values))
        if values.get("id"):
            self.ids.add(values["id"] or "")
        href = values.get("href", values.get("xlink:href"))
        if tag in ("a", "link", "area") and href is not None:
            self.hrefs.append(href)
        if tag in ("img", "script", "source", "iframe", "audio", "video") and values.get("src") is not None:
            self.srcs.append(values["src"] or "")

    handle_startendtag = handle_starttag


@functools.cache
def parse(path: Path) -> PageLinks:
    """Return the links and ids of an HTML file."""
    parser = PageLinks()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def is_external(url: str) -> bool:
    """Return True for a link that leaves the site (another scheme or host)."""
    parts = urlsplit(url)
    return bool(parts.scheme or parts.netloc)


def resolve(page: Path, url: str) -> tuple[Path, str]:
    """Return the file a relative link on page names, as a browser does from file://, and its fragment."""
    parts = urlsplit(url)
    target = page if not parts.path else (page.parent / unquote(parts.path))
    return Path(os.path.normpath(target)), unquote(parts.fragment)


def html_pages(site: Path) -> list[Path]:
    """Return every HTML file of the site except the search bundle's own."""
    return sorted(p for p in site.rglob("*.html") if "pagefind" not in p.relative_to(site).parts)


# --- Searching in a browser ---------------------------------------------------------------

def search_until(page: object, query: str, settled: Callable[[], bool]) -> None:
    """Search the open search page for query until settled() holds (three tries of 15 s at most).

    Pagefind counts the filters of a first search from the filter files loaded by then, and its
    interface keeps that first set until the next search: on a slow machine (where its worker gives
    up after 5 s and it starts again in the page) the panel can lack groups. A reader's next
    keystroke completes it; so does typing the query again here.
    """
    box = page.locator(".pagefind-ui__search-input")
    for _ in range(3):
        box.fill("")
        box.fill(query)
        for _ in range(150):
            if settled():
                return
            page.wait_for_timeout(100)


# --- Serving ------------------------------------------------------------------------------

class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve(site: Path) -> Iterator[str]:
    """Serve site on 127.0.0.1 at a free port for the duration; yield its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
