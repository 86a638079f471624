"""Live preview: build, serve output/ on this machine, rebuild on every change, reload the open page.

Each change is built in three steps. First the pages open in a browser alone, from the content kept in
memory (sitrep.live), so that they reload within a second; then every page, into a preview folder
under the build cache, while the server holds requests for any other page until it is written; then
the whole site, PDFs and search index included, into output/ in the background (dropped as soon as
the content changes again). The server takes PDFs and
the search index from output/ and everything else from the preview folder. While the content has
errors the last good site stays served and every open page shows them over its content.

The reload script is added to HTML responses as they are served, never to the files in output/:
the server rewrites each page to load /__sitrep__/reload.js, which listens for Server-Sent Events
on /__sitrep__/events. The site's Content-Security-Policy allows same-origin scripts, so no page
needs changing.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import functools
import html
import json
import select
import signal
import socket
import sys
import threading
import time
import urllib.parse
import webbrowser
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import watchfiles
from rich.text import Text

from . import live, pipeline
from .console import Reporter, excerpt_lines, plural, source_lines, write_crash_log
from .errors import ContentErrors, Problem, SitrepError
from .interrupt import Stopped, interruptible
from .render.env import template_dirs
from .render.search import BUNDLE as SEARCH_BUNDLE
from .write import check_output_folder, settle

RELOAD_SCRIPT_PATH = "/__sitrep__/reload.js"
EVENTS_PATH = "/__sitrep__/events"
KEEPALIVE_SECONDS = 15.0
GONE_CHECK_SECONDS = 1.0  # how often an event stream looks whether its page is still open
HOLD_SECONDS = 120.0  # the longest a request waits for the page pass after an edit
PORT_TRIES = 20  # without --port: 8000, or the next free one up to 8019
LOOPBACK = {"127.0.0.1", "localhost", "::1"}

#: What only the background pass makes; the server takes these from output/, the rest from the page build.
SLOW_SUFFIXES = (".pdf",)
SLOW_FOLDERS = (f"{SEARCH_BUNDLE}/",)


@dataclass(frozen=True)
class ServeOptions:
    """What to build, and where to listen."""

    build: pipeline.BuildOptions
    host: str = "127.0.0.1"
    port: int = 8000
    port_given: bool = False
    open_browser: bool = False

    @property
    def slow_pass(self) -> bool:
        """Return True when PDFs or a search index are wanted."""
        return self.build.pdf or self.build.search

    @property
    def pages(self) -> pipeline.BuildOptions:
        """Return the quick build: the pages alone, into a folder of their own under the build cache.

        The full build goes on into output/; each folder keeps its own incremental state, so
        neither build ever redoes the other's work.
        """
        if not self.slow_pass:
            return self.build
        return dataclasses.replace(self.build, output=self.build.cache / "preview", pdf=False, search=False)


# --- State shared with open pages ----------------------------------------------------------

@dataclass(frozen=True)
class State:
    """What every open page should show: the last good build and the current problems, if any."""

    version: int = 0
    build: int = 0
    problems: tuple[dict[str, Any], ...] = ()

    def message(self) -> bytes:
        """Return this state as one Server-Sent Event."""
        if self.problems:
            payload = {"build": self.build, "problems": list(self.problems)}
            return f"event: problems\ndata: {json.dumps(payload)}\n\n".encode()
        return f"event: build\ndata: {json.dumps({'build': self.build})}\n\n".encode()


class Channel:
    """The preview's state, the pages open in browsers, and a way for each to wait for its next change."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._state = State()
        self._closed = False
        self._open: Counter[str] = Counter()  # site path -> pages showing it
        self._held: frozenset[str] | None = None  # while pages are written: the only ones ready

    def opened(self, path: str) -> None:
        """Note that a browser shows the page at path."""
        with self._changed:
            self._open[path] += 1

    def closed(self, path: str) -> None:
        """Note that a browser no longer shows the page at path."""
        with self._changed:
            self._open[path] -= 1
            if self._open[path] <= 0:
                del self._open[path]

    def open_pages(self) -> list[str]:
        """Return the paths of the pages open in browsers."""
        with self._changed:
            return sorted(self._open)

    def hold(self, ready: Iterable[str]) -> None:
        """Hold requests for every page but these until release(): the others are being written."""
        with self._changed:
            self._held = frozenset(ready)

    def ready(self, path: str) -> None:
        """Let requests for the page at path through: it is written."""
        with self._changed:
            if self._held is not None:
                self._held = self._held | {path}
                self._changed.notify_all()

    def release(self) -> None:
        """Let every held request through."""
        with self._changed:
            self._held = None
            self._changed.notify_all()

    def wait_written(self, path: str, timeout: float) -> None:
        """Return once the page at path is as the last edit left it (or after timeout)."""
        with self._changed:
            self._changed.wait_for(lambda: self._closed or self._held is None or path in self._held, timeout)

    @property
    def state(self) -> State:
        """Return the current state."""
        with self._changed:
            return self._state

    def built(self) -> None:
        """Announce a good build: pages reload, overlays close."""
        self._set(lambda s: State(s.version + 1, s.build + 1, ()))

    def failed(self, problems: Iterable[dict[str, Any]]) -> None:
        """Announce problems: pages keep the last good build and show them."""
        shown = tuple(problems)
        self._set(lambda s: State(s.version + 1, s.build, shown))

    def wait(self, version: int, timeout: float) -> State | None:
        """Return the state once it differs from version (or after timeout); None once closed."""
        with self._changed:
            self._changed.wait_for(lambda: self._closed or self._state.version != version, timeout)
            return None if self._closed else self._state

    def close(self) -> None:
        """Release every waiting page so the server can stop."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()

    def _set(self, change: Any) -> None:
        with self._changed:
            self._state = change(self._state)
            self._changed.notify_all()


def problem_record(problem: Problem, content: Path) -> dict[str, Any]:
    """Return a problem as the browser overlay shows it: where, what, and the line marked."""
    path = Path(problem.path)
    lines = source_lines(path if path.is_absolute() else content.absolute().parent / path, content)
    return {"where": f"{problem.path}:{problem.line}:{problem.column}", "message": problem.message,
            "severity": problem.severity,
            "excerpt": "\n".join(t.plain for t in excerpt_lines(lines, problem.line, problem.column))}


def message_record(message: str) -> dict[str, Any]:
    """Return an error that belongs to no file line as the overlay shows it."""
    return {"where": "", "message": message, "severity": "error", "excerpt": ""}


# --- Building --------------------------------------------------------------------------------

class Superseded(Stopped):
    """The content changed again while the background pass ran: its result would be stale."""


class Builder:
    """Rebuild on request, one build at a time: the HTML first, then PDFs and search in the background."""

    def __init__(self, options: ServeOptions, channel: Channel, reporter: Reporter) -> None:
        self.options = options
        self.channel = channel
        self.reporter = reporter
        self._wake = threading.Condition()
        self._changes: set[str] = set()
        self._pending = False
        self._stopping = False
        self._slow_due = False
        self._last_good = False  # whether the last page pass built (then its cache holds every file)
        self._warned: frozenset[Problem] = frozenset()  # the warnings printed so far
        pages = options.pages
        self.memory = live.Memory(pages.content, pages.cache, pages.theme)

    def request(self, changes: Iterable[str]) -> None:
        """Ask for a rebuild after these files changed."""
        with self._wake:
            self._changes.update(changes)
            self._pending = True
            self._wake.notify_all()

    def stop(self) -> None:
        """Stop after the current step."""
        with self._wake:
            self._stopping = True
            self._wake.notify_all()

    def first_build(self) -> None:
        """Build the pages before the server starts; usage errors (a wrong folder) stop the preview."""
        check_output_folder(self.options.build.output)  # before the background pass finds it
        if self.html_pass(set(), first=True) and self.options.slow_pass:
            self._slow_due = True

    def run(self) -> None:
        """Build whatever is asked for until stopped (the builder thread)."""
        if self._last_good:
            self._remember()
        while True:
            with self._wake:
                self._wake.wait_for(lambda: self._pending or self._stopping or self._slow_due)
                if self._stopping:
                    return
                changes, html_due = set(self._changes), self._pending
                self._changes.clear()
                self._pending = False
                if not html_due:
                    self._slow_due = False
            if html_due:
                if self.html_pass(changes) and self.options.slow_pass:
                    self._slow_due = True
            else:
                self.slow_pass()

    def html_pass(self, changes: set[str], first: bool = False) -> bool:
        """Build the pages alone, those open in a browser first; return True when the build was good."""
        if changes:
            self._say(Text.assemble(("changed: ", "dim"), ", ".join(sorted(self._shown(p) for p in changes))))
        options = self.options.pages
        shown = self._glance(changes) if changes else None  # the open pages reload as they are written
        try:
            with interruptible(self._stop_if_superseded):
                report = self._build(options, first=first)
        except Superseded:  # saved again: the next pass takes both edits, and pages stay held till then
            self.reporter.step("page pass dropped: the content changed again")
            return False
        self.channel.release()
        self._last_good = report is not None
        if report is None:
            return False
        missed = bool(shown) and any(_bytes_of(options.output / path) != data for path, data in shown.items())
        if missed:
            self.memory.forget()  # the first look missed something: read the cache again
        if not shown or missed:
            self.channel.built()
        if self.memory.records is None and not first:
            self._remember()
        self._warn(report.warnings, options.content)
        later = f" ({self._slow_names()} to follow)" if self.options.slow_pass else ""
        self._say(Text.assemble(("built ", "bold green"), f"{plural(report.pages, 'page')} in "
                                f"{report.seconds:.1f} s, {plural(report.written, 'file')} written{later}"))
        return True

    def _warn(self, warnings: list[Problem], content: Path) -> None:
        """Print the warnings not printed after an earlier pass, and how many of those still stand."""
        new = [warning for warning in warnings if warning not in self._warned]
        standing = len(warnings) - len(new)
        self.reporter.problems(new, content)
        if standing:
            self._say(Text(f"{plural(standing, 'warning')} printed earlier still "
                           f"{'stands' if standing == 1 else 'stand'}", style="yellow"))
        self._warned = frozenset(warnings)

    def _remember(self) -> None:
        """Read the content as the last page pass validated it, for the next first look."""
        try:
            self.memory.sync()
        except Exception:  # noqa: BLE001 - without it each edit is built by the page pass alone
            self.memory.forget()

    def _glance(self, changes: set[str]) -> dict[str, bytes] | None:
        """Render the pages open in a browser from the content in memory; None if the page pass must."""
        started = time.perf_counter()
        try:
            open_pages = self.channel.open_pages()
            if not self.memory.take(changes):
                self.reporter.step("first look: left to the page pass (a change outside the content files)")
                return None
            if not open_pages:
                return None
            self.channel.hold(())  # each open page reloads as soon as it is written; any other page waits
            reloaded = False

            def written(path: str, _data: bytes) -> None:
                nonlocal reloaded
                self.channel.ready(path)
                if not reloaded:  # the first page is there: open pages reload, each waiting for its own
                    self.channel.built()
                    reloaded = True

            shown = self.memory.render(open_pages, self.options.pages.output, written)
        except Exception as exc:  # noqa: BLE001 - the page pass that follows builds, or reports, the same
            self.reporter.step(f"first look failed, left to the page pass: {exc!r}")
            self.memory.forget()
            shown = None
        if shown is not None:
            self._say(Text.assemble(("shown ", "bold green"), f"{plural(len(shown), 'open page')} in "
                                    f"{time.perf_counter() - started:.2f} s; building the rest"))
        return shown

    def slow_pass(self) -> None:
        """Build everything, PDFs and search index included, unless the content changes meanwhile."""
        try:
            with interruptible(self._stop_if_superseded):
                report = self._build(self.options.build, quick=False, progress=self._raise_if_superseded)
        except (Superseded, ContentErrors):  # content changed since the quick build, which will report it
            self.reporter.step("background pass dropped: the content changed again")
            return
        if report is None:
            return
        done = [f"{plural(report.pdfs_rendered, 'PDF')} rendered, {report.pdfs_reused} reused"] \
            if self.options.build.pdf else []
        done += ["search index ready"] if self.options.build.search else []
        self._say(Text.assemble(("full build ", "bold green"), f"{'; '.join(done)} ({report.seconds:.1f} s)"))

    def _slow_names(self) -> str:
        names = ["PDFs"] if self.options.build.pdf else []
        return " and ".join(names + (["search index"] if self.options.build.search else []))

    def _build(self, options: pipeline.BuildOptions, *, first: bool = False, quick: bool = True,
               progress: Any = None) -> pipeline.BuildReport | None:
        """Run one build, reporting failures to the terminal and every open page; None on failure.

        Content errors in the background build are raised instead: the content changed after the
        quick build, and the quick build of that change reports them.
        """
        try:
            return pipeline.build(options, progress=progress or self.reporter.step)
        except Superseded:
            raise
        except ContentErrors as exc:
            if not quick:
                raise
            self.reporter.problems(exc.problems, options.content)
            kept = "still serving the last good build" if self.channel.state.build else "nothing built yet"
            self._say(Text(f"{kept}; the browser shows the problems", style="yellow"))
            self.channel.failed(problem_record(p, options.content) for p in exc.problems)
        except SitrepError as exc:
            if first and exc.exit_code == 2:
                raise  # a wrong folder: nothing to preview
            self.reporter.error(str(exc))
            self.channel.failed([message_record(str(exc))])
        except Exception:  # noqa: BLE001 - a bug in one rebuild must not stop the preview
            log = write_crash_log()
            message = f"sitrep hit an internal error (a bug in sitrep, not in your content); details in {log}"
            self.reporter.error(message)
            self.channel.failed([message_record(message)])
        return None

    def _raise_if_superseded(self, message: str) -> None:
        self.reporter.step(message)
        self._stop_if_superseded()

    def _stop_if_superseded(self) -> None:
        with self._wake:
            if self._pending or self._stopping:
                raise Superseded()

    def _say(self, text: Text) -> None:
        if not self.reporter.quiet:
            self.reporter.out.print(Text.assemble((time.strftime("%H:%M:%S "), "dim"), text))

    def _shown(self, path: str) -> str:
        for base in (self.options.build.content.absolute().parent, Path.cwd()):
            with contextlib.suppress(ValueError):
                return str(Path(path).relative_to(base))
        return path


def _bytes_of(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def is_slow(relative: str) -> bool:
    """Return True for what only the full build makes: PDFs and the search index."""
    return relative.endswith(SLOW_SUFFIXES) or relative.startswith(SLOW_FOLDERS)


# --- Serving ---------------------------------------------------------------------------------

RELOAD_SCRIPT = (Path(__file__).parent / "data" / "reload.js").read_text(encoding="utf-8")

NOT_FOUND_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Not found · sitrep preview</title>{script}</head>
<body style="font:16px/1.5 system-ui,sans-serif;margin:3rem">
<h1>Not found</h1>
<p><code>{path}</code> is not in the built site{why}.</p>
<p><a href="/">Go to the home page</a></p>
</body></html>
"""


def site_path(url_path: str) -> str:
    """Return the site file a URL path names: /briefs/ is briefs/index.html."""
    relative = urllib.parse.unquote(url_path).lstrip("/")
    return f"{relative}index.html" if relative == "" or relative.endswith("/") else relative


def script_tag(build: int) -> str:
    """Return the tag that loads the reload script, naming the build the page comes from."""
    return f'<script src="{RELOAD_SCRIPT_PATH}" data-build="{build}" defer></script>'


def inject(page: bytes, build: int) -> bytes:
    """Return an HTML page with the reload script added at the end of its head (or body)."""
    tag = script_tag(build).encode()
    lowered = page.lower()
    for marker in (b"</head>", b"</body>"):
        index = lowered.find(marker)
        if index >= 0:
            return page[:index] + tag + page[index:]
    return page + tag


class PreviewServer(ThreadingHTTPServer):
    """An HTTP server for output/ that knows the preview's state."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], pages: Path, output: Path, channel: Channel,
                 reporter: Reporter, check_host: bool) -> None:
        self.pages = pages
        self.output = output
        self.channel = channel
        self.reporter = reporter
        self.check_host = check_host
        self.allowed_hosts = LOOPBACK | {address[0]}
        super().__init__(address, functools.partial(PreviewHandler, directory=str(pages)))

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Log a failed request in one line; a browser closing a connection is not worth one."""
        error = _current_exception()
        if isinstance(error, ConnectionError):
            return
        self.reporter.step(f"request from {client_address[0]} failed: {error!r}")


def _current_exception() -> BaseException | None:
    return sys.exc_info()[1]


class PreviewHandler(SimpleHTTPRequestHandler):
    """Serve output/ with the reload script in every page, plus the script and the event stream."""

    server: PreviewServer

    def do_GET(self) -> None:
        """Serve a page with the reload script, the script itself, the event stream, or a file."""
        if not self._host_allowed() or not self._path_allowed():
            return
        path = urllib.parse.urlsplit(self.path).path
        if path == RELOAD_SCRIPT_PATH:
            self._send(HTTPStatus.OK, RELOAD_SCRIPT.encode(), "text/javascript; charset=utf-8")
        elif path == EVENTS_PATH:
            self._stream_events()
        elif (page := self._page()) is not None:
            build = self.server.channel.state.build
            self._send(HTTPStatus.OK, inject(page, build), "text/html; charset=utf-8")
        else:
            super().do_GET()

    def do_HEAD(self) -> None:
        """Answer HEAD like GET without a body."""
        if self._host_allowed() and self._path_allowed():
            super().do_HEAD()

    def _path_allowed(self) -> bool:
        """Answer 400 for a path no file can have: a NUL byte (/%00) or another control character."""
        path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
        if not any(ord(c) < 32 or ord(c) == 127 for c in path):
            return True
        self._send(HTTPStatus.BAD_REQUEST, b"Bad request: the path holds a control character.\n",
                   "text/plain; charset=utf-8")
        return False

    def _host_allowed(self) -> bool:
        """Refuse requests naming another host: a web page must not read the preview by DNS rebinding."""
        if not self.server.check_host:
            return True
        host = (self.headers.get("Host") or "").strip().lower()
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        if name.strip("[]") in self.server.allowed_hosts:
            return True
        self._send(HTTPStatus.FORBIDDEN, b"This preview only answers requests for localhost.\n",
                   "text/plain; charset=utf-8")
        return False

    def translate_path(self, path: str) -> str:
        """Return the file for a URL: PDFs and search index from output/, the rest from the quick build."""
        relative = urllib.parse.unquote(urllib.parse.urlsplit(path).path).lstrip("/")
        self.directory = str(self.server.output if is_slow(relative) else self.server.pages)
        return super().translate_path(path)

    def _page(self) -> bytes | None:
        """Return the bytes of the HTML page the request names, if it is one."""
        target = Path(self.translate_path(self.path))
        if target.is_dir():
            if not urllib.parse.urlsplit(self.path).path.endswith("/"):
                return None  # the parent class redirects to the URL with a slash
            target = target / "index.html"
        if target.suffix != ".html":
            return None
        # while an edit's pages are written, a page other than those open when it was saved waits for them
        self.server.channel.wait_written(site_path(urllib.parse.urlsplit(self.path).path), HOLD_SECONDS)
        try:
            return target.read_bytes()
        except OSError:  # missing, or swapped out by a build this instant
            return None

    def _stream_events(self) -> None:
        """Send the current state, then every change, until the page goes away."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        version = -1
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
        shown = site_path(query["page"][0]) if query.get("page") else None
        channel = self.server.channel
        if shown is not None:
            channel.opened(shown)
        with contextlib.suppress(ConnectionError, ValueError, OSError):  # ValueError: closed on shutdown
            self.wfile.write(b"retry: 1000\n\n")
            self.wfile.flush()
            quiet_since = time.monotonic()
            while True:
                state = channel.wait(version, GONE_CHECK_SECONDS)
                if state is None or self._peer_gone():
                    break
                if state.version == version and time.monotonic() - quiet_since < KEEPALIVE_SECONDS:
                    continue
                self.wfile.write(state.message() if state.version != version else b": keep-alive\n\n")
                self.wfile.flush()
                version, quiet_since = state.version, time.monotonic()
        if shown is not None:
            channel.closed(shown)

    def _peer_gone(self) -> bool:
        """Return True once the browser closed the connection (the page was closed or left)."""
        readable, _, _ = select.select([self.connection], [], [], 0)
        return bool(readable) and not self.connection.recv(1, socket.MSG_PEEK)

    def _send(self, status: HTTPStatus, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Answer 404 with a page that reloads once the build produces the missing file."""
        if code != HTTPStatus.NOT_FOUND:
            super().send_error(code, message, explain)
            return
        state = self.server.channel.state
        why = "" if state.build else " (nothing has been built yet)"
        body = NOT_FOUND_PAGE.format(script=script_tag(state.build), why=why,
                                     path=html.escape(urllib.parse.urlsplit(self.path).path)).encode()
        self._send(HTTPStatus.NOT_FOUND, body, "text/html; charset=utf-8")

    def end_headers(self) -> None:
        """Forbid caching: a reload must show the new build."""
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """Log requests only when verbose."""
        self.server.reporter.step(f"{self.address_string()} {format % args}")


def make_server(options: ServeOptions, channel: Channel, reporter: Reporter) -> PreviewServer:
    """Listen on the host and port asked for (without --port, the first free port from 8000)."""
    host = options.host.strip("[]")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    server_class = type("PreviewServer", (PreviewServer,), {"address_family": family})
    ports = [options.port] if options.port_given or options.port == 0 else \
        range(options.port, options.port + PORT_TRIES)
    wildcard = host in ("0.0.0.0", "::", "")
    for port in ports:
        try:
            return server_class((host, port), options.pages.output, options.build.output, channel, reporter,
                                check_host=not wildcard)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE and port != ports[-1]:
                continue
            if exc.errno == errno.EADDRINUSE:
                raise SitrepError(f"port {port} is in use; choose another with --port") from None
            raise SitrepError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    raise AssertionError("unreachable: the loop returns or raises")


def url_of(server: PreviewServer) -> str:
    """Return the address to open in a browser."""
    host, port = server.server_address[:2]
    if host in ("0.0.0.0", "::"):
        host = "localhost"
    shown = f"[{host}]" if ":" in str(host) else host
    return f"http://{shown}:{port}/"


# --- Watching -------------------------------------------------------------------------------

def watched_folders(options: ServeOptions) -> list[Path]:
    """Return the folders whose changes trigger a rebuild: content, the theme and the default templates."""
    folders = [options.build.content, *template_dirs(options.build.theme)]
    return [folder for folder in dict.fromkeys(f.absolute() for f in folders) if folder.is_dir()]


class EditorFilter(watchfiles.DefaultFilter):
    """Ignore what editors and tools write beside a file while saving it, as well as watchfiles' defaults.

    sed -i writes sedXXXXXX and renames it over the file; vim writes 4913 to test the folder, and
    .name.swp (or .swo, .swx...) while editing; Emacs writes .#name locks and #name# autosaves;
    many editors keep name~ backups. The rename onto the real file is the change that counts.
    """

    ignore_entity_patterns = (
        *watchfiles.DefaultFilter.ignore_entity_patterns,
        r"^sed[A-Za-z0-9]{6}$", r"^4913$", r"\.sw[a-p]$", r"~$", r"^\.#", r"^#.*#$",
    )


def watch(folders: list[Path], builder: Builder, stop: threading.Event) -> None:
    """Request a rebuild for every batch of changes until stop is set (the watcher thread)."""
    for changes in watchfiles.watch(*folders, watch_filter=EditorFilter(), stop_event=stop,
                                    raise_interrupt=False, debounce=400):
        builder.request(path for _, path in changes)


# --- The command -----------------------------------------------------------------------------

def serve(options: ServeOptions, reporter: Reporter) -> int:
    """Build, serve and rebuild until interrupted (Ctrl-C), then return 0."""
    channel = Channel()
    builder = Builder(options, channel, reporter)
    builder.first_build()
    server = make_server(options, channel, reporter)
    stop = threading.Event()
    folders = watched_folders(options)
    threads = [threading.Thread(target=server.serve_forever, name="sitrep-http", daemon=True),
               threading.Thread(target=builder.run, name="sitrep-builder", daemon=True),
               threading.Thread(target=watch, args=(folders, builder, stop), name="sitrep-watch",
                                daemon=True)]
    for thread in threads:
        thread.start()
    previous = _stop_on_sigterm()
    # Ctrl-C is a clean stop from here on: the announcement invites it, so it may come at once
    try:
        url = url_of(server)
        _announce(reporter, url, folders, options)
        if options.open_browser:
            webbrowser.open(url)
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        reporter.out.print("stopping…")
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        stop.set()
        builder.stop()
        channel.close()
        server.shutdown()
        server.server_close()
        threads[1].join(timeout=60)  # let a build in progress finish or drop its stage cleanly
        settle()  # and the stages of passes dropped for a newer one be deleted
    return 0


def _stop_on_sigterm() -> Any:
    """Stop on SIGTERM (a service manager, `kill`) as on Ctrl-C; return the handler it replaces."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    return signal.signal(signal.SIGTERM, interrupt)


def _announce(reporter: Reporter, url: str, folders: list[Path], options: ServeOptions) -> None:
    reporter.out.print(Text.assemble(("Serving ", "bold"), (url, "bold cyan"),
                                     f" (the full build goes to {options.build.output})"))
    if not reporter.quiet:
        shown = ", ".join(str(f) for f in folders)
        reporter.out.print(Text(f"Watching {shown}; Ctrl-C to stop.", style="dim"))
    if options.host.strip("[]") not in LOOPBACK:
        reporter.out.print(Text(f"Listening on {options.host}: other machines can read this preview; "
                                "mind the TLP marks of what it shows.", style="yellow"))
