"""The live preview: pages served with the reload script, rebuilds on change, errors shown in the browser."""

from __future__ import annotations

import contextlib
import http.client
import io
import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pypdf
import pytest
import watchfiles

from sitrep.console import Reporter
from sitrep.errors import SitrepError
from sitrep.pipeline import BuildOptions
from sitrep.serve import Channel, EditorFilter, ServeOptions, inject, make_server, url_of
from tests.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.snapshots import ctrl_c_as_in_a_terminal

ROOT = Path(__file__).resolve().parent.parent
KHARAB = "2024-04-21-kharab-al-jir-rockets"
INCIDENT_PAGE = f"incidents/{KHARAB}.html"
BRIEF_PAGE = "briefs/brief-2024-04-22.html"


# --- The reload script goes into served pages only ----------------------------------------

def test_inject_adds_the_script_before_the_end_of_head():
    page = b"<!DOCTYPE html><html><head><title>x</title></head><body><p>hi</p></body></html>"
    served = inject(page, 7)
    assert served == (b'<!DOCTYPE html><html><head><title>x</title><script src="/__sitrep__/reload.js" '
                      b'data-build="7" defer></script></head><body><p>hi</p></body></html>')


def test_inject_falls_back_to_the_body_then_the_end():
    assert inject(b"<p>a</p></BODY>", 1).endswith(b"defer></script></BODY>")
    assert inject(b"plain", 1).startswith(b"plain<script")


@pytest.fixture()
def site(tmp_path: Path) -> Path:
    """Return a small output folder as sitrep leaves it."""
    output = tmp_path / "out"
    (output / "incidents").mkdir(parents=True)
    (output / ".sitrep-output").write_text("made by sitrep\n")
    (output / "index.html").write_text("<html><head><title>Home</title></head><body>Home</body></html>")
    (output / "incidents" / "a.html").write_text("<html><head></head><body>A</body></html>")
    (output / "data.json").write_text('{"a": 1}')
    return output


@pytest.fixture()
def server(site: Path, tmp_path: Path) -> Iterator[tuple[str, Channel]]:
    """Return the address of a preview server for the site, and its channel."""
    channel = Channel()
    options = ServeOptions(BuildOptions(content=tmp_path / "content", output=site, pdf=False, search=False),
                           port=0, port_given=True)
    httpd = make_server(options, channel, Reporter(io.StringIO(), io.StringIO()))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    host, port = httpd.server_address[:2]
    yield f"http://{host}:{port}/", channel
    channel.close()
    httpd.shutdown()
    httpd.server_close()


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def test_served_pages_load_the_reload_script_but_files_do_not(server: tuple[str, Channel], site: Path):
    url, channel = server
    channel.built()
    status, headers, body = fetch(url + "incidents/a.html")
    assert status == 200
    assert body == '<html><head><script src="/__sitrep__/reload.js" data-build="1" defer></script></head>' \
                   "<body>A</body></html>"
    assert headers["Cache-Control"] == "no-store"
    assert "reload.js" not in (site / "incidents" / "a.html").read_text()
    assert "reload.js" in fetch(url)[2]  # the folder's index.html
    assert fetch(url + "data.json")[2] == '{"a": 1}'  # other files as they are


def test_reload_script_is_served(server: tuple[str, Channel]):
    status, headers, body = fetch(server[0] + "__sitrep__/reload.js")
    assert status == 200 and headers["Content-Type"].startswith("text/javascript")
    assert 'new EventSource("/__sitrep__/events?page=" + encodeURIComponent(location.pathname))' in body


def test_missing_page_is_a_404_that_reloads_after_the_next_build(server: tuple[str, Channel]):
    status, _, body = fetch(server[0] + "incidents/new-one.html")
    assert status == 404
    assert "<code>/incidents/new-one.html</code> is not in the built site (nothing has been built yet)" in body
    assert '<script src="/__sitrep__/reload.js" data-build="0" defer></script>' in body


def test_requests_for_other_host_names_are_refused(server: tuple[str, Channel]):
    """A page elsewhere must not read a TLP:AMBER preview by pointing its own name at 127.0.0.1."""
    status, _, body = fetch(server[0], headers={"Host": "attacker.example:8000"})
    assert status == 403 and "only answers requests for localhost" in body
    assert fetch(server[0], headers={"Host": "localhost:8000"})[0] == 200


@pytest.mark.parametrize("method", ["GET", "HEAD"])
@pytest.mark.parametrize("path", ["/%00", "/index.html%00.png", "/incidents/%00/a.html", "/%0d%0aSet-Cookie:x=1",
                                  "/%7f"])
def test_a_path_no_file_can_have_is_a_400(server: tuple[str, Channel], path: str, method: str):
    """A NUL byte used to end the request with a closed connection (and a logged ValueError)."""
    parts = urllib.parse.urlsplit(server[0])
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request(method, path)
        response = connection.getresponse()
        assert response.status == 400
        assert method == "HEAD" or b"control character" in response.read()
    finally:
        connection.close()
    assert fetch(server[0])[0] == 200  # and the server goes on serving


def read_events(url: str) -> Iterator[tuple[str, dict]]:
    """Yield (event, data) from a Server-Sent Events stream."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    connection.request("GET", "/__sitrep__/events")
    response = connection.getresponse()
    assert response.status == 200 and response.headers["Content-Type"] == "text/event-stream"
    name, data = "", ""
    try:
        while True:
            line = response.readline().decode()
            if not line:
                return
            if line.startswith("event: "):
                name = line[7:].strip()
            elif line.startswith("data: "):
                data = line[6:].strip()
            elif line == "\n" and name:
                yield name, json.loads(data)
                name, data = "", ""
    finally:
        connection.close()


def test_event_stream_sends_the_state_then_each_change(server: tuple[str, Channel]):
    url, channel = server
    channel.built()
    events = read_events(url)
    assert next(events) == ("build", {"build": 1})
    channel.failed([{"where": "content/incidents/a.yaml:3:5", "message": "bad", "severity": "error",
                     "excerpt": ""}])
    name, data = next(events)
    assert name == "problems" and data["build"] == 1
    assert data["problems"][0]["where"] == "content/incidents/a.yaml:3:5"
    channel.built()
    assert next(events) == ("build", {"build": 2})


def test_pdfs_and_search_come_from_the_full_build_and_pages_from_the_quick_one(tmp_path: Path):
    output = tmp_path / "out"
    options = ServeOptions(BuildOptions(content=tmp_path / "content", output=output), port=0, port_given=True)
    pages = options.pages.output
    assert pages == tmp_path / ".sitrep-cache" / "out" / "preview"
    assert (options.pages.pdf, options.pages.search) == (False, False)
    for folder, text in ((pages, "quick"), (output, "full")):
        (folder / "briefs").mkdir(parents=True)
        (folder / "pagefind").mkdir()
        (folder / "briefs" / "b.html").write_text(f"<p>{text}</p>")
        (folder / "briefs" / "b.pdf").write_text(f"%PDF {text}")
        (folder / "pagefind" / "pagefind.js").write_text(f"// {text}")
    channel = Channel()
    httpd = make_server(options, channel, Reporter(io.StringIO(), io.StringIO()))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = "http://{}:{}/".format(*httpd.server_address[:2])
    try:
        assert fetch(url + "briefs/b.html")[2].startswith("<p>quick</p>")
        assert fetch(url + "briefs/b.pdf")[2] == "%PDF full"
        assert fetch(url + "pagefind/pagefind.js")[2] == "// full"
    finally:
        channel.close()
        httpd.shutdown()
        httpd.server_close()


# --- The serve command, run as a user runs it ----------------------------------------------

class Serving:
    """A `python build.py serve` process, its address and what it printed."""

    def __init__(self, process: subprocess.Popen[str], url: str, lines: queue.Queue[str]) -> None:
        self.process, self.url, self.lines = process, url, lines
        self.printed: list[str] = []

    def wait_for_line(self, pattern: str, timeout: float = 60) -> str:
        """Return the next printed line matching pattern."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=deadline - time.monotonic())
            except queue.Empty:
                break
            self.printed.append(line)
            if re.search(pattern, line):
                return line
        raise AssertionError(f"no line matching {pattern!r} in:\n" + "".join(self.printed))


@contextlib.contextmanager
def serving(content: Path, output: Path, *flags: str) -> Iterator[Serving]:
    """Run the serve command on a free port; stop it with Ctrl-C (SIGINT) and check it exits 0."""
    command = [sys.executable, str(ROOT / "build.py"), "serve", "--port", "0", "--content", str(content),
               "--output", str(output), "--no-search", *flags]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1", "NO_COLOR": "1"},
                               preexec_fn=ctrl_c_as_in_a_terminal)  # noqa: PLW1509 - sets one signal
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()
    try:
        first = Serving(process, "", lines)
        url = re.search(r"http://\S+/", first.wait_for_line(r"^Serving http://")).group(0)
        first.url = url
        yield first
    finally:
        process.send_signal(signal.SIGINT)
        try:
            code = process.wait(timeout=60)
        finally:
            process.kill()
        assert code == 0, f"serve exited {code}"


def page_text(html: str) -> str:
    """Return a page's text as a reader sees it: names such as al-Jir are wrapped to keep them whole."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def title_of(incident: Path) -> str:
    return next(line[7:] for line in incident.read_text().splitlines() if line.startswith("title: "))


def retitle(incident: Path, new: str) -> None:
    text = incident.read_text()
    incident.write_text(text.replace(f"title: {title_of(incident)}", f"title: {new}", 1))


def break_geo_precision(incident: Path) -> int:
    """Set the incident's first geo_precision to 7; return its line number."""
    lines = incident.read_text().splitlines()
    number = next(i for i, line in enumerate(lines) if line.strip() == "geo_precision: 1")
    lines[number] = lines[number].replace("geo_precision: 1", "geo_precision: 7")
    incident.write_text("\n".join(lines) + "\n")
    return number + 1


@pytest.mark.slow
def test_serve_rebuilds_on_change_shows_errors_and_stops_cleanly(content_copy: Path, tmp_path: Path):
    """Edit, break and fix an incident: each time the page's event stream says so; PDFs follow the HTML."""
    incident = content_copy / "incidents" / f"{KHARAB}.yaml"
    with serving(content_copy, tmp_path / "out") as serve:
        serve.wait_for_line(r"full build 2 PDFs rendered")
        events = read_events(serve.url)
        assert next(events) == ("build", {"build": 1})

        retitle(incident, "Rockets hit Kharab al-Jir (edited)")
        assert next(events) == ("build", {"build": 2})
        served = fetch(serve.url + BRIEF_PAGE)[2]
        assert "Rockets hit Kharab al-Jir (edited)" in page_text(served) and 'data-build="2"' in served
        serve.wait_for_line(r"built \d+ pages")
        rendered = serve.wait_for_line(r"full build \d PDFs? rendered, \d reused")
        if not any("changed: templates/" in line for line in serve.printed):  # templates edited meanwhile
            assert "1 PDF rendered, 1 reused" in rendered  # only the brief showing the incident is redone
        pdf = pypdf.PdfReader(tmp_path / "out" / "briefs" / "brief-2024-04-22.pdf")
        assert "Rockets hit Kharab al-Jir (edited)" in " ".join(" ".join(p.extract_text().split()) for p in pdf.pages)

        line = break_geo_precision(incident)
        name, data = next(events)
        assert name == "problems" and data["build"] == 2
        where = f"content/incidents/{KHARAB}.yaml:{line}:"
        assert any(p["where"].startswith(where) and "geo_precision" in p["message"] for p in data["problems"])
        assert "geo_precision: 7" in data["problems"][0]["excerpt"]
        assert "Rockets hit Kharab al-Jir (edited)" in page_text(fetch(serve.url + BRIEF_PAGE)[2])  # last good build
        serve.wait_for_line(re.escape(where))  # and in the terminal

        incident.write_text(incident.read_text().replace("geo_precision: 7", "geo_precision: 1"))
        assert next(events) == ("build", {"build": 3})


def test_serve_refuses_a_missing_content_folder(tmp_path: Path):
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "serve", "--port", "0", "--content",
                             str(tmp_path / "nope"), "--output", str(tmp_path / "out")],
                            check=False, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "does not exist" in result.stderr and "Traceback" not in result.stderr


# --- In a real browser ----------------------------------------------------------------------

@pytest.mark.browser
def test_browser_reloads_on_edit_and_shows_the_error_overlay(content_copy: Path, tmp_path: Path):
    playwright_api = pytest.importorskip("playwright.sync_api")
    incident = content_copy / "incidents" / f"{KHARAB}.yaml"
    old_title = title_of(incident)
    with serving(content_copy, tmp_path / "out", "--no-pdf") as serve, \
            playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page()
        errors: list[str] = []
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.goto(serve.url + INCIDENT_PAGE)
        expect = playwright_api.expect
        expect(page.get_by_text(old_title).first).to_be_visible()
        expect(page.locator("html[data-sitrep-preview=connected]")).to_have_count(1)

        retitle(incident, "Rockets hit Kharab al-Jir after two months of calm")
        expect(page.get_by_text("Rockets hit Kharab al-Jir after two months of calm").first).to_be_visible(
            timeout=20_000)
        serve.wait_for_line(r"shown 1 open page in [\d.]+ s; building the rest")  # it came first (sitrep.live)

        line = break_geo_precision(incident)
        overlay = page.locator("#sitrep-problems")
        expect(overlay).to_be_visible(timeout=20_000)
        expect(overlay).to_contain_text(f"content/incidents/{KHARAB}.yaml:{line}:")
        expect(overlay).to_contain_text("geo_precision")
        expect(page.get_by_role("alertdialog")).to_contain_text("problem in the content")
        page.screenshot(path=str(tmp_path / "overlay.png"))
        expect(page.get_by_text("Rockets hit Kharab al-Jir after two months of calm").first).to_be_attached()

        incident.write_text(incident.read_text().replace("geo_precision: 7", "geo_precision: 1"))
        expect(overlay).to_have_count(0, timeout=20_000)
        expect(page.get_by_text("Rockets hit Kharab al-Jir after two months of calm").first).to_be_visible()
        assert not [e for e in errors if "Content Security Policy" in e], errors
        browser.close()


# --- Editors' temporary files, --host, --open and the next free port ------------------------

EDITOR_FILES = ("sedA1b2C3", "4913", ".kharab.yaml.swp", ".kharab.yaml.swx", "kharab.yaml~", ".#kharab.yaml",
                "#kharab.yaml#")


@pytest.mark.parametrize("name", EDITOR_FILES)
def test_editor_temporary_files_are_not_changes(name: str):
    assert not EditorFilter()(watchfiles.Change.added, f"/content/incidents/{name}")


@pytest.mark.parametrize("name", ["kharab.yaml", "sedimentary-basin.yaml", "gaza-war.md", "base.html"])
def test_real_files_are_changes(name: str):
    assert EditorFilter()(watchfiles.Change.modified, f"/content/incidents/{name}")


@pytest.mark.slow
def test_serve_ignores_what_editors_write_while_saving(content_copy: Path, tmp_path: Path):
    incidents = content_copy / "incidents"
    with serving(content_copy, tmp_path / "out", "--no-pdf") as serve:  # built before it serves
        for name in EDITOR_FILES:
            (incidents / name).write_text("title: half-saved\n")
        time.sleep(2)  # four times the watcher's debounce
        for name in EDITOR_FILES:
            (incidents / name).unlink()
        retitle(incidents / f"{KHARAB}.yaml", "Rockets hit Kharab al-Jir (saved)")
        changed = serve.wait_for_line(r"changed: ")
        assert changed.split("changed: ", 1)[1].strip() == f"content/incidents/{KHARAB}.yaml", serve.printed
        serve.wait_for_line(r"^\S+ built \d+ pages")


def test_without_port_the_next_free_port_is_taken(site: Path, tmp_path: Path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        options = ServeOptions(BuildOptions(content=tmp_path / "content", output=site), port=busy)
        httpd = make_server(options, Channel(), Reporter(io.StringIO(), io.StringIO()))
        try:
            port = httpd.server_address[1]
            assert busy < port < busy + 20
            assert url_of(httpd) == f"http://127.0.0.1:{port}/"
        finally:
            httpd.server_close()
        given = ServeOptions(BuildOptions(content=tmp_path / "content", output=site), port=busy,
                             port_given=True)
        with pytest.raises(SitrepError, match=rf"^port {busy} is in use; choose another with --port$"):
            make_server(given, Channel(), Reporter(io.StringIO(), io.StringIO()))


@pytest.mark.slow
def test_serve_host_listens_on_that_address_and_warns_when_not_this_machine_only(content_copy: Path,
                                                                                   tmp_path: Path):
    with serving(content_copy, tmp_path / "out", "--no-pdf", "--host", "127.0.0.2") as serve:
        assert serve.url.startswith("http://127.0.0.2:")
        status, _, body = fetch(serve.url)
        assert status == 200 and "<html" in body
        warning = serve.wait_for_line(r"Listening on")
        assert warning.strip() == ("Listening on 127.0.0.2: other machines can read this preview; mind the TLP "
                                   "marks of what it shows.")
    with serving(content_copy, tmp_path / "out", "--no-pdf") as serve:  # built: nothing to build again
        assert serve.url.startswith("http://127.0.0.1:")
        serve.wait_for_line(r"^Watching ")
    serve.wait_for_line(r"^stopping")  # all it printed, the lines after "Watching" included
    assert not any("Listening on" in line for line in serve.printed)


@pytest.mark.slow
def test_serve_open_opens_the_address_in_the_users_browser(content_copy: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch):
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "browser.sh"
    browser.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" >> "{opened}"\n')
    browser.chmod(0o755)
    monkeypatch.setenv("BROWSER", str(browser))
    with serving(content_copy, tmp_path / "out", "--no-pdf", "--open") as serve:
        deadline = time.monotonic() + 30
        while not opened.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)
        assert opened.read_text() == f"{serve.url}\n"  # the address, once
    first = serve.url
    with serving(content_copy, tmp_path / "out", "--no-pdf") as serve:  # without --open; built already
        time.sleep(1)
    assert opened.read_text() == f"{first}\n"
