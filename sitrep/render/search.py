"""Search stage: index the staged site with Pagefind, in shards that a rebuild indexes again only when they change.

Pages mark what is searchable with data-pagefind-body and what can be filtered with
data-pagefind-filter (country, actor, event type). Pagefind is given, for each such page, only what
it would index: the element with data-pagefind-body, without inline SVG (maps, charts) and without
the data-pagefind-ignore parts that hold no filter or metadata.

A site of up to ONE_INDEX_PAGES pages is one index, so that every page is scored against the same
word statistics. A larger index is split into shards, each a Pagefind bundle: incidents and briefs
by period (a year, a quarter or a month, so that no shard grows large), the other pages by a hash of
their path. The search page merges them in the browser with Pagefind's mergeIndex (results sorted
by score, filter counts added up). The first shard, with Pagefind's interface, is pagefind/ itself; the others are
pagefind/<shard>/, listed in pagefind/shards.json. Each shard keeps in pages.json a digest of what
was indexed of each of its pages, so that a rebuild indexes again only the shards whose pages were
added, removed or changed in what Pagefind reads: a change to a table that search ignores re-indexes
nothing. Pagefind's output depends only on the pages of a shard, so a kept shard is the same bytes as
a clean build would write.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import zlib
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from pathlib import Path

from ..errors import RenderError
from ..interrupt import checkpoint
from .search_order import stabilise

BUNDLE = "pagefind"
SHARD_LIST = "shards.json"  # the merged shards, read by the search page
PAGE_LIST = "pages.json"  # in each shard: page path -> digest of what was indexed of it
NEARLY_FULL = 1024 * 1024  # bytes free below which a failed index is put down to a full disk
PRIMARY = "pages-0"  # the shard that is pagefind/ itself, when there is one
TIMEOUT_SECONDS = 300
POLL_SECONDS = 0.1  # how often a build waiting for the indexers may stop (sitrep.interrupt)
#: Pagefind's own launcher (`python -m pagefind`, which execs the binary), run so that the kernel kills it
#: when the build dies (Linux's PR_SET_PDEATHSIG, kept across exec): a build killed with SIGKILL would
#: otherwise leave it running, writing an index into a stage folder the next build reuses.
_LAUNCH = """\
import ctypes, os, runpy, signal, sys
try:
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)
except (OSError, AttributeError):
    pass
if os.getppid() != int(sys.argv.pop(1)):
    sys.exit(1)
runpy.run_module("pagefind", run_name="__main__", alter_sys=True)
"""
SHARD_PAGES = 1000  # undated pages per hash shard
#: Searchable pages up to which the site is one index. Pagefind scores a page against the statistics
#: of its own shard (how rare a word is there, how long its pages are): in a small shard of incidents
#: that all say "rockets", the word counts for nothing, and the incident titled "Rockets fired..."
#: fell below every background page of the other shard. One index ranks all pages on one scale.
ONE_INDEX_PAGES = 1000
YEAR_PAGES, QUARTER_PAGES = 600, 2400  # dated pages a year may have to be one shard, or four

_INDEX_FILES = ("pagefind-entry.json", "index", "fragment", "filter")  # besides pagefind.*.pf_meta
_DATED = re.compile(r"(?:^|/)[^/]*?(\d{4})-(\d\d)-\d\d[^/]*\.html$")
_HTML_TAG = re.compile(r"<html\b[^>]*>")
_SVG = re.compile(r"<svg\b")
_ATTRIBUTES = r'(?:\s+[\w:.-]+(?:="[^"]*")?)*'  # Jinja escapes the quotes inside attribute values
_IGNORED = "data-pagefind-ignore"
#: The ends of elements a reader sees apart (a label and its value, two table cells): Pagefind joins
#: their text with nothing between, so excerpts read "Killedunknown" unless a space is put there.
_APART = re.compile(r"</(?:address|article|aside|blockquote|caption|dd|div|dl|dt|figcaption|figure|footer|h[1-6]"
                    r"|header|li|nav|ol|p|section|table|tbody|td|tfoot|th|thead|tr|ul)>|<br\s*/?>", re.IGNORECASE)
#: A hidden filter whose value is its text: Pagefind would also index the text, run into the words
#: around it. Written as data-pagefind-filter="name:value" instead, the value stays out of excerpts.
_FILTER_TEXT = re.compile(r'<span([^>]*?) data-pagefind-filter="([\w-]+)"([^>]*)>([^<]*)</span>')
_IGNORED_TAG = re.compile(rf'<(\w+){_ATTRIBUTES}\s+{_IGNORED}(?:="[^"]*")?{_ATTRIBUTES}\s*>')

Progress = Callable[[str], None]


def index_site(site_dir: Path, written: set[str] | None, previous: set[str], progress: Progress,
               jobs: int = 2) -> set[str]:
    """Index the HTML under site_dir into site_dir/pagefind/; return the site-relative paths of the bundle.

    written holds the HTML files this build wrote, or None to index every page again; previous, the
    files of the last bundle, all still in site_dir as the last build left them. Shards whose pages
    are the same are kept; the others are indexed again.
    """
    bundle = site_dir / BUNDLE
    pages = _html_pages(site_dir)
    shard_of = assign_shards(pages)
    last = None if written is None else _old_digests(bundle, previous)
    old = None if last is None else last[0]
    with tempfile.TemporaryDirectory(prefix="sitrep-search-") as scratch:
        inputs = Path(scratch)
        digests = _digests(site_dir, pages, shard_of, None if old is None else written, old, inputs)
        shards = _group(digests, shard_of)
        primary = PRIMARY if PRIMARY in shards else min(shards, default=None)
        if last is not None and last[1] != primary:  # the interface moves: index every shard again
            old = None
        stale = sorted(name for name, members in shards.items() if old is None or old.get(name) != members)
        for name in stale:
            _write_inputs(site_dir, shards[name], inputs / name)
        _run_pagefind(bundle, inputs, stale, primary, jobs)
    kept = set(shards) - set(stale)
    produced = {path for path in previous if _owner(path, primary) in kept}
    for name in stale:
        produced |= _finish_shard(bundle, name, shards[name], primary)
    if primary is not None:
        _write_if_changed(bundle / SHARD_LIST, _json(sorted(set(shards) - {primary})))
        produced.add(f"{BUNDLE}/{SHARD_LIST}")
        if f"{BUNDLE}/pagefind-ui.js" not in produced:
            raise RenderError("the search indexer (Pagefind) wrote no search interface; is the pagefind[bin] "
                              "package installed?")
    _tidy(bundle, produced)
    progress(f"indexed {sum(len(shards[name]) for name in stale)} pages for search in {len(stale)} of "
             f"{len(shards)} shards")
    return produced


def assign_shards(pages: Iterable[str]) -> dict[str, str]:
    """Return the shard of each page path: dated pages by period, the others by a hash of the path.

    The periods depend on how many dated pages a year has, and the number of hash shards on how many
    other pages there are, so that each shard stays small enough to index again quickly. A site of
    up to ONE_INDEX_PAGES pages is one shard, so that its pages are ranked on one scale.
    """
    pages = list(pages)
    if len(pages) <= ONE_INDEX_PAGES:
        return {path: PRIMARY for path in pages}
    dated: dict[str, tuple[str, str]] = {}
    undated: list[str] = []
    for path in pages:
        match = _DATED.search(path)
        if match:
            dated[path] = (match[1], match[2])
        else:
            undated.append(path)
    per_year = Counter(year for year, _ in dated.values())
    shard_of = {path: _period(year, month, per_year[year]) for path, (year, month) in dated.items()}
    buckets = max(1, -(-len(undated) // SHARD_PAGES))
    for path in undated:
        shard_of[path] = f"pages-{zlib.crc32(path.encode('utf-8')) % buckets}"
    return shard_of


def _period(year: str, month: str, count: int) -> str:
    if count <= YEAR_PAGES:
        return year
    if count <= QUARTER_PAGES:
        return f"{year}-q{(int(month) - 1) // 3 + 1}"
    return f"{year}-{month}"


def search_record(html: str) -> str | None:
    """Return the part of a page Pagefind indexes, as a small HTML document; None if it is not searchable."""
    body_at = html.find("data-pagefind-body")
    if body_at < 0:
        return None
    start, end = html.find("<main"), html.rfind("</main>")
    if 0 <= start < body_at < html.find(">", start) and end > start:
        body = html[start:end + len("</main>")]
    else:  # searchable content marked somewhere else: keep the whole page
        body = html
    body = _without_ignored(_without_svg(body))
    body = _APART.sub(lambda end: end[0] + " ", _FILTER_TEXT.sub(r'<span\1 data-pagefind-filter="\2:\4"\3></span>', body))
    tag = _HTML_TAG.search(html)
    return (f'<!DOCTYPE html>{tag[0] if tag else "<html>"}<head><meta charset="utf-8"></head>'
            f"<body>{body}</body></html>")


def _without_svg(html: str) -> str:
    """Leave out inline SVG (maps and charts): Pagefind would read their labels as text."""
    kept, at = [], 0
    while (start := _SVG.search(html, at)) and (end := html.find("</svg>", start.start())) >= 0:
        kept.append(html[at:start.start()])
        at = end + len("</svg>")
    kept.append(html[at:])
    return "".join(kept)


def _without_ignored(html: str) -> str:
    """Leave out the elements marked data-pagefind-ignore, unless they hold filters, metadata or sort keys.

    An element ends at the first closing tag of its name: if it nests one of the same name, the rest
    of it stays, which only indexes more than Pagefind would.
    """
    kept, at = [], 0
    while (found := html.find(_IGNORED, at)) >= 0:
        opening = html.rfind("<", at, found)
        tag = _IGNORED_TAG.match(html, opening) if opening >= 0 else None
        end = html.find(f"</{tag[1]}>", tag.end()) if tag else -1
        if tag is None or end < 0 or "data-pagefind-" in html[tag.end():end]:
            kept.append(html[at:found + len(_IGNORED)])
            at = found + len(_IGNORED)
            continue
        kept.append(html[at:tag.start()])
        at = end + len(tag[1]) + 3
    kept.append(html[at:])
    return "".join(kept)


def _html_pages(site_dir: Path) -> list[str]:
    """Return the site-relative paths of the HTML files outside the bundle, sorted."""
    found = []
    for folder, dirs, files in os.walk(site_dir):
        relative = Path(folder).relative_to(site_dir).as_posix()
        if relative == ".":
            dirs[:] = [d for d in dirs if d != BUNDLE]
            relative = ""
        found.extend(f"{relative}/{name}".lstrip("/") for name in files if name.endswith(".html"))
    return sorted(found)


def _old_digests(bundle: Path, previous: set[str]) -> tuple[dict[str, dict[str, str]], str] | None:
    """Return the last build's shards with the digests of their pages, and which one was first.

    None when the last bundle has no readable list of pages.
    """
    old: dict[str, dict[str, str]] = {}
    first = None
    for path in sorted(p for p in previous if p.endswith(f"/{PAGE_LIST}")):
        try:
            data = json.loads((bundle.parent / path).read_text(encoding="utf-8"))
            name, members = data["shard"], data["pages"]
        except (OSError, ValueError, TypeError, KeyError):
            return None
        folder = path[len(BUNDLE) + 1:-len(PAGE_LIST) - 1]
        if not isinstance(name, str) or not isinstance(members, dict) or folder not in ("", name):
            return None
        old[name] = members
        first = name if not folder else first
    return None if first is None else (old, first)


def _owner(path: str, primary: str | None) -> str | None:
    """Return the shard a file of the bundle belongs to (None: the list of shards)."""
    parts = path.split("/")
    if len(parts) > 2 and parts[1] not in _INDEX_FILES:
        return parts[1]
    return None if parts[1] == SHARD_LIST else primary


def _digests(site_dir: Path, pages: list[str], shard_of: dict[str, str], written: set[str] | None,
             old: dict[str, dict[str, str]] | None, inputs: Path) -> dict[str, str]:
    """Return the digest of each searchable page, reading only the pages this build wrote.

    Records read here are saved under inputs/<shard>/ for indexing.
    """
    known = {path: digest for members in (old or {}).values() for path, digest in members.items()}
    digests = {}
    for path in pages:
        if written is not None and path not in written:
            if path in known:
                digests[path] = known[path]
            continue
        record = search_record((site_dir / path).read_text(encoding="utf-8"))
        if record is not None:
            digests[path] = _save(inputs / shard_of[path] / path, record)
    return digests


def _group(digests: dict[str, str], shard_of: dict[str, str]) -> dict[str, dict[str, str]]:
    shards: dict[str, dict[str, str]] = {}
    for path in sorted(digests):
        shards.setdefault(shard_of[path], {})[path] = digests[path]
    return shards


def _write_inputs(site_dir: Path, members: dict[str, str], folder: Path) -> None:
    """Save the record of each page of a shard not saved yet, as Pagefind will read it."""
    for path in members:
        target = folder / path
        if not target.exists():
            record = search_record((site_dir / path).read_text(encoding="utf-8"))
            if record is not None:
                _save(target, record)


def _save(target: Path, record: str) -> str:
    data = record.encode("utf-8")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return hashlib.sha256(data).hexdigest()[:32]


def _run_pagefind(bundle: Path, inputs: Path, stale: list[str], primary: str | None, jobs: int) -> None:
    """Index each stale shard with the Pagefind CLI, several at a time, the largest first."""
    for name in stale:
        _remove_shard(bundle, name, primary)
    by_size = sorted(stale, key=lambda name: -sum(f.stat().st_size for f in (inputs / name).rglob("*.html")))
    stop = threading.Event()  # set when the build stops at a safe point: the indexers are killed
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        running = {pool.submit(_pagefind, inputs / name, _shard_dir(bundle, name, primary), stop) for name in by_size}
        try:
            while running:
                done, running = wait(running, timeout=POLL_SECONDS, return_when=FIRST_EXCEPTION)
                for future in done:
                    future.result()
                checkpoint()
        except BaseException:
            stop.set()
            for future in running:
                future.cancel()
            raise


def _pagefind(site: Path, output: Path, stop: threading.Event | None = None) -> None:
    command = [sys.executable, "-c", _LAUNCH, str(os.getpid()), "--site", str(site), "--output-path", str(output),
               "--keep-index-url", "--quiet"]
    try:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    except OSError as exc:
        raise RenderError(f"the search indexer (Pagefind) could not run: {exc}") from None
    with process:
        for _ in range(int(TIMEOUT_SECONDS / POLL_SECONDS)):
            try:
                stdout, stderr = process.communicate(timeout=POLL_SECONDS)
                break
            except subprocess.TimeoutExpired:
                if stop is not None and stop.is_set():
                    process.kill()
                    process.communicate()
                    return  # the build stopped: its stage, and this index in it, are thrown away
        else:
            process.kill()
            process.communicate()
            raise RenderError(f"the search indexer (Pagefind) could not run: it took over {TIMEOUT_SECONDS} s")
    result = subprocess.CompletedProcess(command, process.returncode, stdout, stderr)
    if result.returncode != 0 or not _entry_written(output):
        if shutil.disk_usage(output.parent if not output.exists() else output).free < NEARLY_FULL:
            # Pagefind may exit 0 having written a truncated index: the disk filled up under it.
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(output))
        detail = (result.stderr or result.stdout).strip().splitlines()[-5:]
        raise RenderError("the search indexer (Pagefind) failed: " + (" / ".join(detail) or "it wrote no index"))


def _entry_written(output: Path) -> bool:
    """Return True if Pagefind wrote its entry file whole."""
    try:
        json.loads((output / "pagefind-entry.json").read_bytes())
    except (OSError, ValueError):
        return False
    return True


def _shard_dir(bundle: Path, name: str, primary: str | None) -> Path:
    return bundle if name == primary else bundle / name


def _remove_shard(bundle: Path, name: str, primary: str | None) -> None:
    """Delete a shard's old files: they may be hard links to the live output, never to rewrite in place."""
    if name != primary:
        shutil.rmtree(bundle / name, ignore_errors=True)
        return
    if not bundle.is_dir():
        return
    for entry in bundle.iterdir():
        if entry.is_dir() and entry.name in _INDEX_FILES:
            shutil.rmtree(entry)
        elif not entry.is_dir():
            entry.unlink()


def _finish_shard(bundle: Path, name: str, members: dict[str, str], primary: str | None) -> set[str]:
    """Make a new shard reproducible, drop the interface merged shards do not need, list its pages.

    Return the site-relative paths of the shard's files.
    """
    folder = _shard_dir(bundle, name, primary)
    stabilise(folder)
    (folder / PAGE_LIST).write_bytes(_json({"shard": name, "pages": members}))
    files = set()
    for path in folder.rglob("*"):
        relative = path.relative_to(bundle.parent).as_posix()
        if not path.is_file() or _owner(relative, primary) != name:
            continue
        if name != primary and path.parent == folder and not _is_index_file(path.name):
            path.unlink()
        else:
            files.add(relative)
    return files


def _is_index_file(name: str) -> bool:
    return name in _INDEX_FILES or name == PAGE_LIST or name.endswith(".pf_meta")


def _tidy(bundle: Path, produced: set[str]) -> None:
    """Remove what the bundle holds besides the files produced, and the folders left empty."""
    if not bundle.is_dir():
        return
    for path in sorted(bundle.rglob("*"), reverse=True):
        if path.is_file() and path.relative_to(bundle.parent).as_posix() not in produced:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    if not any(bundle.iterdir()):
        bundle.rmdir()


def _write_if_changed(target: Path, data: bytes) -> None:
    """Write a file unless it holds these bytes; replace it rather than write into a linked file."""
    if target.is_file() and target.read_bytes() == data:
        return
    target.unlink(missing_ok=True)
    target.write_bytes(data)


def _json(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
