"""The live preview's first look at an edit: the open pages, rendered from memory, as the page pass makes them."""

from __future__ import annotations

import io
import re
import shutil
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from sitrep import cache, write
from sitrep.console import Reporter
from sitrep.live import Memory, content_kind
from sitrep.interrupt import Stopped, interruptible
from sitrep.pipeline import Analyses, BuildOptions, build
from sitrep.render.pages import page_at, site_pages
from sitrep.serve import Channel, ServeOptions, make_server, site_path
from tests.snapshots import leftovers

ROOT = Path(__file__).resolve().parent.parent
KHARAB = "2024-04-21-kharab-al-jir-rockets"
INCIDENT_PAGE = f"incidents/{KHARAB}.html"
BRIEF_PAGE = "briefs/brief-2024-04-22.html"
#: One page of each family, and the pages of none.
OPEN_PAGES = [INCIDENT_PAGE, BRIEF_PAGE, "index.html", "briefs/index.html", "incidents/index.html",
              "incidents/years/2024.html", "actors/islamic-resistance-in-iraq.html", "countries/irq.html",
              "locations/kharab-al-jir.html", "event-types/explosions-remote-violence.html", "forces/index.html",
              "sources/index.html", "404.html"]


def page_words(html: bytes) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.decode()))


def pages_only(content: Path, output: Path) -> BuildOptions:
    return BuildOptions(content=content, output=output, pdf=False, search=False, jobs=1)


@pytest.fixture()
def preview(content_copy: Path, tmp_path: Path) -> tuple[Memory, BuildOptions]:
    """Return the memory of a page pass over the default content, as `serve` keeps it, and the pass's options."""
    options = pages_only(content_copy, tmp_path / "preview")
    build(options)
    memory = Memory(content_copy, options.cache, None)
    memory.sync()
    return memory, options


def clean_build(content: Path, tmp_path: Path) -> Path:
    """Build the content from nothing into a new folder; return it."""
    output = tmp_path / f"clean-{time.monotonic_ns()}"
    build(pages_only(content, output))
    return output


def test_page_at_makes_every_html_page_as_the_build_does(content_copy: Path, tmp_path: Path):
    options = pages_only(content_copy, tmp_path / "out")
    build(options)
    memory = Memory(content_copy, options.cache, None)
    memory.sync()
    every = sorted(page.path for page in site_pages(_project(memory), Analyses(_project(memory)))
                   if page.path.endswith(".html"))
    assert set(OPEN_PAGES) <= set(every)
    shown = memory.render(every, tmp_path / "out")
    assert shown is not None and sorted(shown) == every
    for path in every:
        assert shown[path] == (tmp_path / "out" / path).read_bytes(), path
    order: list[str] = []
    memory.render([BRIEF_PAGE, "index.html", INCIDENT_PAGE], tmp_path / "out", lambda path, data: order.append(path))
    assert order == [INCIDENT_PAGE, BRIEF_PAGE, "index.html"]  # an incident's page first: it is the quickest
    assert page_at(_project(memory), Analyses(_project(memory)), "incidents/no-such-incident.html") is None
    assert page_at(_project(memory), Analyses(_project(memory)), "data/incidents.csv") is None


def _project(memory: Memory):  # noqa: ANN202 - the project of the records in memory
    from sitrep import cache
    from sitrep.validate import load_site

    loaded = cache.assemble(load_site(memory.content, []), memory.records, [], memory.content, warnings=False)
    assert loaded is not None
    return loaded.project


def test_an_edit_shows_on_the_open_pages_byte_for_byte_as_a_clean_build(preview, tmp_path: Path, monkeypatch):
    memory, options = preview
    assert memory.render(OPEN_PAGES, options.output) is not None  # the project the next look patches
    incident = options.content / "incidents" / f"{KHARAB}.yaml"
    incident.write_text(incident.read_text().replace("title: ", "title: Revised ", 1))
    tower = options.content / "incidents" / "2024-01-28-tower-22-drone-attack.yaml"
    tower.write_text(tower.read_text().replace("    wounded: 34\n", "    wounded: 47\n", 1))
    assert memory.take([str(incident.absolute()), str(tower)])

    def whole(*args: object, **kwargs: object) -> None:
        raise AssertionError("an edit keeping every id patches the last project")

    monkeypatch.setattr(cache, "assemble", whole)
    shown = memory.render(OPEN_PAGES, options.output)
    assert shown is not None and sorted(shown) == sorted(OPEN_PAGES)
    assert "Revised " in shown[INCIDENT_PAGE].decode() and "Revised " in shown[BRIEF_PAGE].decode()
    assert "47" in page_words(shown["incidents/years/2024.html"])
    monkeypatch.undo()
    clean = clean_build(options.content, tmp_path)
    for path in OPEN_PAGES:
        assert shown[path] == (clean / path).read_bytes(), path
        assert (options.output / path).read_bytes() == shown[path], path  # written where the server reads


def test_a_new_and_a_removed_file_are_taken_as_the_build_takes_them(preview, tmp_path: Path):
    memory, options = preview
    incidents = options.content / "incidents"
    added = incidents / "2024-04-22-kharab-al-jir-second-strike.yaml"
    text = (incidents / f"{KHARAB}.yaml").read_text()
    added.write_text(text.replace(f"id: {KHARAB}", "id: 2024-04-22-kharab-al-jir-second-strike", 1)
                     .replace("title: ", "title: Second strike ", 1))
    (incidents / "notes.txt").write_text("not content: no build reads it\n")
    assert memory.take([str(added), str(incidents / "notes.txt")])
    pages = ["incidents/2024-04-22-kharab-al-jir-second-strike.html", "incidents/index.html", "index.html"]
    shown = memory.render(pages, options.output)
    assert shown is not None and "Second strike " in shown[pages[0]].decode()
    clean = clean_build(options.content, tmp_path)
    for path in pages:
        assert shown[path] == (clean / path).read_bytes(), path

    added.unlink()
    assert memory.take([str(added)])
    shown = memory.render(pages, options.output)
    assert shown is not None and sorted(shown) == pages[1:]  # the removed incident's page is no more
    assert "Second strike " not in shown["incidents/index.html"].decode()
    clean = clean_build(options.content, tmp_path)
    for path in pages[1:]:
        assert shown[path] == (clean / path).read_bytes(), path


def test_what_the_first_look_cannot_take_is_left_to_the_page_pass(preview, tmp_path: Path):
    memory, options = preview
    template = ROOT / "templates" / "site" / "incident.html"
    assert not memory.take([str(template)])  # a template: the page pass compiles them again
    assert memory.records is None
    memory.sync()
    assert not memory.take([str(options.content / "site.yaml")])
    memory.sync()
    folder = options.content / "incidents" / "2024"
    folder.mkdir()
    assert not memory.take([str(folder)])
    memory.sync()
    incident = options.content / "incidents" / f"{KHARAB}.yaml"
    before = (options.output / INCIDENT_PAGE).read_bytes()
    assert memory.render([INCIDENT_PAGE], options.output) == {INCIDENT_PAGE: before}
    good = incident.read_text()
    incident.write_text(good.replace("geo_precision: 1", "geo_precision: 7", 1))
    assert memory.take([str(incident)])
    assert memory.render([INCIDENT_PAGE], options.output) is None  # the page pass reports the error
    assert (options.output / INCIDENT_PAGE).read_bytes() == before  # and the last good page stays
    incident.write_text(good.replace("actor: islamic-resistance-in-iraq", "actor: islamic-resistance", 1))
    assert memory.take([str(incident)])
    assert memory.render([INCIDENT_PAGE], options.output) is None  # it names an actor there is no file for
    incident.write_text(good)
    assert memory.take([str(incident)])
    assert memory.render([INCIDENT_PAGE], options.output) == {INCIDENT_PAGE: before}


@pytest.mark.parametrize(("name", "kind"), [
    ("incidents/2024/a.yaml", "incident"), ("incidents/a.yml", "incident"), ("context/a.md", "context"),
    ("incidents/.a.yaml", None), ("incidents/a.yaml~", None), ("context/a.yaml", None), ("notes/a.yaml", None),
    ("site.yaml", None), ("documents/d.yaml", "document"),
])
def test_content_kind_is_what_discover_finds(name: str, kind: str | None):
    assert content_kind(name) == kind


# --- The server: which pages are open, and holding the others while they are written ----------

@pytest.fixture()
def served(tmp_path: Path):
    output = tmp_path / "out"
    (output / "incidents").mkdir(parents=True)
    (output / ".sitrep-output").write_text("made by sitrep\n")
    (output / "index.html").write_text("<html><head></head><body>Home</body></html>")
    (output / "incidents" / "a.html").write_text("<html><head></head><body>A</body></html>")
    channel = Channel()
    options = ServeOptions(pages_only(tmp_path / "content", output), port=0, port_given=True)
    httpd = make_server(options, channel, Reporter(io.StringIO(), io.StringIO()))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield "http://{}:{}/".format(*httpd.server_address[:2]), channel
    channel.close()
    httpd.shutdown()
    httpd.server_close()


def test_the_server_knows_which_pages_browsers_show(served):
    url, channel = served
    stream = urllib.request.urlopen(url + "__sitrep__/events?page=%2Fincidents%2Fa.html", timeout=5)
    stream.readline()
    other = urllib.request.urlopen(url + "__sitrep__/events?page=%2F", timeout=5)
    other.readline()
    assert channel.open_pages() == ["incidents/a.html", "index.html"]
    stream.close()
    channel.built()  # the server notices a page went away when it next writes to it
    deadline = time.monotonic() + 5
    while channel.open_pages() != ["index.html"] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert channel.open_pages() == ["index.html"]
    other.close()


def test_while_an_edit_is_written_only_the_pages_shown_are_served(served):
    url, channel = served
    channel.hold({"incidents/a.html"})
    assert b"A" in urllib.request.urlopen(url + "incidents/a.html", timeout=5).read()
    answered: list[bytes] = []
    waiting = threading.Thread(target=lambda: answered.append(urllib.request.urlopen(url, timeout=10).read()))
    waiting.start()
    time.sleep(0.5)
    assert answered == []  # the home page waits for the page pass
    channel.release()
    waiting.join(timeout=5)
    assert answered and b"Home" in answered[0]


@pytest.mark.parametrize(("url_path", "path"), [("/", "index.html"), ("/briefs/", "briefs/index.html"),
                                                ("/incidents/a%20b.html", "incidents/a b.html")])
def test_site_path(url_path: str, path: str):
    assert site_path(url_path) == path



# --- A pass the content outdates stops at its next safe point ---------------------------------

class Outdated(Exception):
    """What the preview raises to stop a pass (serve.Superseded)."""


def built_then_edited(content: Path, output: Path, *, search: bool) -> tuple[BuildOptions, dict[Path, bytes]]:
    """Build the content, then retitle an incident; return the options and the files of that build."""
    options = BuildOptions(content=content, output=output, pdf=False, search=search, jobs=2)
    build(options)
    before = {p: p.read_bytes() for p in output.rglob("*") if p.is_file()}
    incident = content / "incidents" / f"{KHARAB}.yaml"
    incident.write_text(incident.read_text().replace("title: ", "title: Revised ", 1))
    return options, before


def test_a_build_stops_at_a_safe_point_and_leaves_the_output_as_it_was(content_copy: Path, tmp_path: Path):
    options, before = built_then_edited(content_copy, tmp_path / "out", search=False)

    def outdated() -> None:
        if leftovers(options.output):  # the stage is there: pages are being rendered into it
            raise Outdated

    with pytest.raises(Outdated), interruptible(outdated):
        build(options)
    assert {p: p.read_bytes() for p in options.output.rglob("*") if p.is_file()} == before
    assert leftovers(options.output) == []  # any other stop deletes the stage before the build returns
    build(options)  # not stopped: the edit is there, as a clean build makes it
    clean = clean_build(content_copy, tmp_path)
    assert "Revised " in (options.output / INCIDENT_PAGE).read_text()
    for path in (INCIDENT_PAGE, BRIEF_PAGE, "index.html"):
        assert (options.output / path).read_bytes() == (clean / path).read_bytes(), path


class Dropped(Stopped):
    """What the preview raises when the content changed again (serve.Superseded)."""


def test_a_pass_dropped_for_a_newer_one_leaves_its_stage_to_be_deleted_in_a_thread(
        content_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The next pass must not wait while the stage's files are deleted (half a second at 10,000 incidents)."""
    options, before = built_then_edited(content_copy, tmp_path / "out", search=False)
    released = threading.Event()
    deleting: list[str] = []  # the threads that deleted a trash folder
    rmtree = shutil.rmtree

    def held(path: str | Path, *args: object, **kwargs: object) -> None:
        if Path(path).name.startswith(".sitrep-trash-"):
            deleting.append(threading.current_thread().name)
            released.wait(10)
        rmtree(path, *args, **kwargs)  # type: ignore[arg-type]

    def dropped() -> None:
        if leftovers(options.output):  # the stage is there: pages are being rendered into it
            raise Dropped

    monkeypatch.setattr(shutil, "rmtree", held)
    try:
        with pytest.raises(Dropped), interruptible(dropped):
            build(options)
        # back while its stage is still being deleted: renamed to trash, so no build can take it for its own
        assert [name.startswith(".sitrep-trash-") for name in leftovers(options.output)] == [True]
        assert {p: p.read_bytes() for p in options.output.rglob("*") if p.is_file()} == before
        build(options)  # the next pass runs meanwhile, and leaves that trash to the thread deleting it
        assert deleting == ["sitrep-stage"]
        assert "Revised " in (options.output / INCIDENT_PAGE).read_text()
    finally:
        released.set()
    write.settle()
    assert leftovers(options.output) == []


def test_serve_prints_a_warning_once_then_says_how_many_still_stand(tmp_path: Path):
    from sitrep.errors import Problem
    from sitrep.serve import Builder

    out = io.StringIO()
    options = ServeOptions(pages_only(tmp_path / "content", tmp_path / "out"), port=0, port_given=True)
    builder = Builder(options, Channel(), Reporter(out, out))
    old = Problem("content/incidents/a.yaml", 3, 1, "no document supports this figure", "warning")
    new = Problem("content/incidents/b.yaml", 7, 5, "likely the same event as a", "warning")
    builder._warn([old], tmp_path)
    assert "no document supports this figure" in out.getvalue()
    out.truncate(0), out.seek(0)
    builder._warn([old, new], tmp_path)
    printed = out.getvalue()
    assert "likely the same event as a" in printed and "no document supports" not in printed
    assert "1 warning printed earlier still stands" in printed
    out.truncate(0), out.seek(0)
    builder._warn([new], tmp_path)  # the first was fixed
    assert out.getvalue().count("warning") == 1 and "1 warning printed earlier still stands" in out.getvalue()


def test_each_open_page_is_served_as_soon_as_it_is_written(served):
    url, channel = served
    channel.hold(())  # a first look has begun: nothing of this edit is written yet
    answered: list[bytes] = []
    waiting = threading.Thread(target=lambda: answered.append(urllib.request.urlopen(url, timeout=10).read()))
    waiting.start()
    time.sleep(0.3)
    assert answered == []
    channel.ready("incidents/a.html")
    assert b"A" in urllib.request.urlopen(url + "incidents/a.html", timeout=5).read()
    assert answered == []  # the home page is not written yet
    channel.ready("index.html")
    waiting.join(timeout=5)
    assert answered and b"Home" in answered[0]
    channel.release()


def test_a_build_stops_while_pagefind_indexes_and_leaves_no_indexer_running(content_copy: Path, tmp_path: Path):
    options, before = built_then_edited(content_copy, tmp_path / "out", search=True)
    stopped_in: list[str] = []

    def outdated() -> None:
        caller = sys._getframe(2).f_code.co_name  # noqa: SLF001 - what called the safe point
        if caller == "_run_pagefind":
            stopped_in.append(caller)
            raise Outdated

    with pytest.raises(Outdated), interruptible(outdated):
        build(options)
    assert stopped_in == ["_run_pagefind"]
    assert {p: p.read_bytes() for p in options.output.rglob("*") if p.is_file()} == before
    indexers = [p for p in Path("/proc").glob("[0-9]*/cmdline")
                if str(tmp_path).encode() in _read(p) and b"pagefind" in _read(p)]
    assert indexers == []
    build(options)
    assert "Revised " in (options.output / INCIDENT_PAGE).read_text()


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""
