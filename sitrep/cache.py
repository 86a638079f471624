"""Build caches: each content file parsed and validated once per version, and what the last build made.

Everything here only saves time: deleting .sitrep-cache/ changes no byte of the output.

- Content files are hashed (SHA-256); a file's parsed and validated entity is kept under its path
  and reused while the hash is the same. The size, times and inode of a file only decide whether
  it must be hashed again, and a file changed less than a second before it was last hashed is
  always hashed again, as git does for "racily clean" files.
- Files not in the cache are parsed in parallel across cores when there are many of them.
- The last build's state (its inputs, what each page depends on, the files it wrote) lets the next
  build do nothing when nothing changed, and redo only the pages an edit reaches.
- A check after edits of incidents alone validates those incidents again and takes the rest, with the
  warnings across files about what did not change, from the last build (quick_check).
"""

from __future__ import annotations

import functools
import gc
import hashlib
import importlib.metadata
import multiprocessing
import os
import pickle
import stat
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from .errors import ContentErrors, Problem, UsageError, writing
from .interrupt import checkpoint
from .load import LoadFailed, content_files, display_path, load_file
from .workers import start_worker

# The content model and its validation (pydantic) take a third of a second to import: they are imported
# where first needed, so that a check of content unchanged since the last build answers without them.
if TYPE_CHECKING:
    from .model import Entity, Project, SiteConfig
    from .same_event import Event
    from .validate import Known

PACKAGE = Path(__file__).resolve().parent
FORMAT = 5  # bump when the layout of the pickles changes
RACY_NS = 1_000_000_000  # a file changed this close to its hashing is hashed again next time
BATCH_FILES = 250  # files a worker checks between two safe points (sitrep.interrupt)
PARALLEL_FROM = 400  # below this many files to parse, starting processes costs more than it saves
DELTA_SHARE = 10  # rewrite the whole content cache once the changes reach 1/DELTA_SHARE of it
QUICK_UP_TO = 100  # quick_check parses changed incidents in one process: past this many, check in full

Key = tuple[str, str]
T = TypeVar("T")


# --- Fingerprints --------------------------------------------------------------------------

@functools.cache
def code_fingerprint() -> str:
    """Return a hash of sitrep's own code and data and of the libraries whose output it ships."""
    digest = hashlib.sha256(f"{FORMAT} {sys.version}".encode())
    for path in sorted(PACKAGE.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0" + path.read_bytes())
    for name in ("pydantic", "pydantic-core", "pyyaml", "jinja2", "markupsafe", "markdown-it-py", "nh3",
                 "orjson", "weasyprint", "pydyf", "matplotlib", "pagefind", "tzdata"):
        try:
            digest.update(f"{name}={importlib.metadata.version(name)}".encode())
        except importlib.metadata.PackageNotFoundError:
            continue
    return digest.hexdigest()


StatKey = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode


@dataclass
class Hasher:
    """SHA-256 of files, re-hashing only files whose size, times or inode changed since last time."""

    known: dict[str, tuple[StatKey, str]] = field(default_factory=dict)
    since_ns: int = 0  # when the known hashes were taken
    seen: dict[str, tuple[StatKey, str]] = field(default_factory=dict)
    started_ns: int = field(default_factory=time.time_ns)

    def digest(self, path: str, info: os.stat_result) -> str:
        """Return the SHA-256 of a file, from the last build when it certainly did not change."""
        key = (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)
        previous = self.known.get(path)
        if previous is not None and previous[0] == key and info.st_mtime_ns < self.since_ns - RACY_NS \
                and info.st_ctime_ns < self.since_ns - RACY_NS:
            digest = previous[1]
        else:
            digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
        self.seen[path] = (key, digest)
        return digest

    def tree(self, root: Path) -> dict[str, str]:
        """Return {relative path: SHA-256} for every file under root, skipping hidden names."""
        result: dict[str, str] = {}
        for relative, path, info in _walk(root):
            result[relative] = self.digest(path, info)
        return result

    def remembered(self) -> Hasher:
        """Return what to keep for the next build: the hashes taken now, dated when hashing began."""
        return Hasher(known=self.seen, since_ns=self.started_ns)


def _walk(root: Path | str, prefix: str = "", top: str = "",
          above: frozenset[str] = frozenset()) -> Iterator[tuple[str, str, os.stat_result]]:
    """Yield (relative path, path, stat) for the files under root, sorted, skipping hidden names.

    Symbolic links are followed only while they stay inside root: one leading back up would loop
    for ever, one leading to / would hash the whole machine, and nothing outside can be published.
    """
    real = os.path.realpath(root)
    top = top or real
    inside = top.rstrip(os.sep) + os.sep  # a file that is no link is inside its folder, already checked
    if real in above or not (real == top or real.startswith(inside)):
        return
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except (FileNotFoundError, NotADirectoryError):
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        relative = f"{prefix}{entry.name}"
        try:
            is_dir, is_file = entry.is_dir(follow_symlinks=True), entry.is_file(follow_symlinks=True)
        except OSError:  # a symbolic link loop: validation reports it at the file when it is content
            continue
        if is_dir:
            yield from _walk(entry.path, relative + "/", top, above | {real})
        elif is_file and (not entry.is_symlink() or os.path.realpath(entry.path).startswith(inside)):
            yield relative, entry.path, entry.stat(follow_symlinks=True)


@dataclass(frozen=True)
class Inputs:
    """Everything a build's output is made from."""

    content: dict[str, str]  # content-relative path -> SHA-256, every file (assets too)
    templates: str  # one hash over the theme's and the default templates and static files
    code: str
    options: tuple[Any, ...]

    def same_shape(self, other: Inputs) -> bool:
        """Return True when templates, code and options are the same (content may differ)."""
        return (self.templates, self.code, self.options) == (other.templates, other.code, other.options)


def fingerprint(content: Path, template_dirs: Iterable[Path], options: tuple[Any, ...],
                hasher: Hasher) -> Inputs:
    """Return the fingerprint of a build's inputs."""
    files = hasher.tree(content)
    digest = hashlib.sha256()
    for n, folder in enumerate(template_dirs):
        for relative, sha in hasher.tree(folder).items():
            digest.update(f"{n}:{relative}:{sha}\n".encode())
    return Inputs(files, digest.hexdigest(), code_fingerprint(), options)


# --- Content: parse and validate each file once per version ----------------------------------

@dataclass(frozen=True)
class FileRecord:
    """One content file, parsed and validated on its own."""

    kind: str
    rel: str  # as problems name it: relative to the content folder's parent
    digest: str
    entity: Entity | None
    problems: tuple[Problem, ...]  # from this file alone (warnings; errors mean entity is None)
    refs: tuple[tuple[tuple[str, ...], str], ...]  # (kinds the id may name, id) for each reference
    line: int
    images: tuple[str, ...] = ()  # the content/assets/ images its Markdown shows, checked on every build
    marks: bytes = b""  # where sourcing findings about it can point (validate.finding_marks)
    # What a check needs of the entity when it does not validate it again (quick_check): its id, the
    # files it attaches, and for an incident what same-event detection compares
    id: str | None = None
    attachments: tuple[str, ...] = ()
    event: Event | None = None

    def warning(self, loc: tuple[Any, ...], message: str) -> Problem | None:
        """Return the warning at loc in this file from the positions kept; None if they do not hold it."""
        from .validate import kept_warning

        assert self.entity is not None  # only valid files are assembled into a project
        return kept_warning(self.kind, self.entity, self.rel, self.marks, loc, message)


def check_file(kind: str, path: Path, content_dir: Path) -> FileRecord | None:
    """Parse and validate one file; None if it cannot even be parsed."""
    from .same_event import incident_event
    from .validate import ALSO_ALLOWED, _references, finding_marks, markdown_images, to_entity

    try:
        document = load_file(kind, path, content_dir)
    except LoadFailed:
        return None
    problems: list[Problem] = []
    item = to_entity(document, problems)
    refs = tuple(_shared_ref(((target, *ALSO_ALLOWED.get(loc[-1], ())), ref))
                 for loc, target, ref in _references(document.data))
    images = tuple(src for _, src in markdown_images(document))
    marks = finding_marks(document, item) if item is not None else b""
    attachments = tuple(a.path for a in getattr(item, "attachments", ()))
    event = incident_event(item) if kind == "incident" and item is not None else None  # type: ignore
    return FileRecord(kind, document.rel, document.digest, item, tuple(problems), refs,
                      document.mark(()).line, images, marks, item.id if item is not None else None,
                      attachments, event)


#: Each reference kept once, however many files make it: 115,000 references at 10,000 incidents name a
#: few thousand things (a pickle keeps the sharing, so the content cache reads back as small).
_REFS: dict[tuple[tuple[str, ...], str], tuple[tuple[str, ...], str]] = {}


def _shared_ref(ref: tuple[tuple[str, ...], str]) -> tuple[tuple[str, ...], str]:
    """Return the reference, as the one object kept for all equal to it."""
    return _REFS.setdefault(ref, ref)


def _check_files(jobs: list[tuple[str, str, str]]) -> list[FileRecord | None]:
    """Check a batch of files (runs in a worker process)."""
    return [check_file(kind, Path(path), Path(content)) for kind, path, content in jobs]


@dataclass(frozen=True)
class Findings:
    """The warnings validation gives across files, by the entities they are about (see quick_check)."""

    sourcing: tuple[tuple[str, str, Problem], ...]  # (kind, id, warning) from sitrep.sourcing's findings
    pairs: tuple[tuple[str, str, Problem], ...]  # (first id, second id, warning) of likely same events


@dataclass
class Loaded:
    """A validated project, its warnings, and each entity's file record."""

    project: Project
    warnings: list[Problem]
    records: dict[Key, FileRecord]  # (kind, id) -> record
    findings: Findings | None = None  # when the project was assembled from the records (assemble)


class Kept:
    """A dict kept between builds: a pickle of all of it, and a small one of the entries changed since.

    Rewriting tens of megabytes for a few changed entries would cost more than the rest of a small
    rebuild; all of it is written again once the changes reach 1/DELTA_SHARE of it. Pickles written by
    other code are ignored. Values are never None: None in the changes means an entry removed.
    """

    def __init__(self, path: Path) -> None:
        self.base_path = path
        self.delta_path = path.with_name(f"{path.stem}-delta{path.suffix}")
        self.delta: dict[str, Any] = {}
        self.base_id: str | None = None  # the delta applies to this version of the whole

    def read(self) -> dict[str, Any]:
        """Return the dict as last written; empty if there is none this code can use."""
        base = _read_pickle(self.base_path)
        if not isinstance(base, dict) or base.get("code") != code_fingerprint():
            return {}
        items: dict[str, Any] = base["items"]
        delta = _read_pickle(self.delta_path)
        current = isinstance(delta, dict) and delta.get("code") == code_fingerprint()
        if current and delta.get("base") == base["id"]:
            self.delta = delta["items"]
            for name, value in self.delta.items():
                if value is None:
                    items.pop(name, None)
                else:
                    items[name] = value
        self.base_id = base["id"]
        return items

    def write(self, items: dict[str, Any], changed: set[str],
              kept: Callable[[Any], Any] | None = None) -> None:
        """Save items, whose entries named in changed are all that differ from what read() returned.

        kept: what of a value to write (all of it when None).
        """
        if not changed:
            return
        self.delta.update({name: items.get(name) for name in changed})
        if self.base_id is not None and len(self.delta) * DELTA_SHARE < len(items):
            delta = {name: kept(value) if kept and value is not None else value
                     for name, value in self.delta.items()}
            _write_pickle(self.delta_path, {"code": code_fingerprint(), "base": self.base_id, "items": delta})
            return
        base_id = hashlib.sha256(os.urandom(16)).hexdigest()
        whole = {name: kept(value) for name, value in items.items()} if kept else items
        _write_pickle(self.base_path, {"code": code_fingerprint(), "id": base_id, "items": whole})
        self.delta_path.unlink(missing_ok=True)
        self.base_id, self.delta = base_id, {}


class ContentCache:
    """Validated entities of the last builds, keyed by content-relative path and checked by hash.

    The records without their entities, the entities of incidents and those of the other files are kept
    apart: a check after an edit of incidents reads neither the other incidents' entities (two thirds of
    the cache) nor validates them again (quick_check). A record whose entity was kept for another version
    of its file (a build stopped between the writes) is no record.
    """

    def __init__(self, folder: Path) -> None:
        self.kept = {part: Kept(folder / f"{part}.pickle") for part in ("records", "incidents", "entities")}
        self.parts: dict[str, dict[str, Any]] = {part: {} for part in self.kept}
        self.records: dict[str, FileRecord] = {}
        self.stale: set[str] = set()

    def read(self) -> ContentCache:
        """Load the cached records, ignoring a cache written by other code."""
        self.read_records()
        entities = {**self.read_entities("incidents"), **self.read_entities("entities")}
        for name, record in self.parts["records"].items():
            kept = entities.get(name)
            if kept is not None and kept[0] == record.digest:
                # the record was read for this cache alone: given its entity in place, as copying 13,000
                # records would take a tenth of the reading (written, it is written without it again)
                object.__setattr__(record, "entity", kept[1])
                self.records[name] = record
        self.stale = self.parts["records"].keys() - self.records.keys()  # dropped at the next write
        return self

    def read_records(self) -> dict[str, FileRecord]:
        """Return the records without their entities (entity None)."""
        self.parts["records"] = self.kept["records"].read()
        return self.parts["records"]

    def read_entities(self, part: str) -> dict[str, tuple[str, Entity | None]]:
        """Return the kept entities of incidents ('incidents') or of the other files ('entities') by name."""
        self.parts[part] = self.kept[part].read()
        return self.parts[part]

    def write(self, records: dict[str, FileRecord], changed: set[str]) -> None:
        """Save the records: only what changed while that is small, else everything."""
        parts = self.parts
        touched: dict[str, set[str]] = {part: set() for part in parts}
        for name in changed | self.stale:
            for part in parts:
                if parts[part].pop(name, None) is not None:
                    touched[part].add(name)
            record = records.get(name)
            if record is not None:
                part = "incidents" if record.kind == "incident" else "entities"
                parts["records"][name] = record
                parts[part][name] = (record.digest, record.entity)
                touched["records"].add(name)
                touched[part].add(name)
        self.kept["records"].write(parts["records"], touched["records"], _without_entity)
        for part in ("incidents", "entities"):
            self.kept[part].write(parts[part], touched[part])


def _without_entity(record: FileRecord) -> FileRecord:
    """Return a record as the cache keeps it: without its entity, which is kept apart."""
    return record if record.entity is None else replace(record, entity=None)


def load(content: Path, cache: ContentCache, digests: dict[str, str], jobs: int, *,
         warnings: bool = True) -> tuple[Loaded, dict[str, FileRecord], set[str]]:
    """Return the project, the records to cache and the files read again; raise ContentErrors on errors.

    Only files whose hash changed are parsed and validated again. Without warnings, the findings across
    files (sourcing, likely duplicates) are left out: the live preview's first look at an edit needs the
    project at once, and its full pass reports them.

    The checks across files (references, duplicate ids, attachments, circles of places) run on every
    build; when anything is wrong, validate.load_project says exactly what, reading again only the files
    a problem can be about and taking the others from the cache.
    """
    from .validate import load_project, load_site

    if not content.is_dir():
        raise UsageError(f"content folder {content} does not exist")
    found = [(kind, Path(path), name) for kind, name, path in content_files(content)]
    # how problems name a file: a cache made from a content folder of another name names it wrongly
    shown = display_path(content / "-", content)[:-1]
    records: dict[str, FileRecord | None] = {}
    missing = []
    for kind, path, name in found:
        record = cache.records.get(name)
        if record is not None and record.kind == kind and record.digest == digests.get(name) \
                and record.rel == shown + name:
            records[name] = record
        else:
            missing.append((kind, path, name))
    for (_kind, _path, name), record in zip(missing, _check_all(missing, content, jobs), strict=True):
        records[name] = record
    checkpoint()
    changed = {name for _k, _p, name in missing} | (set(cache.records) - set(records))
    problems: list[Problem] = []
    site = load_site(content, problems)
    loaded = assemble(site, records, problems, content, warnings)
    if loaded is None:  # something is wrong: validation says exactly what, reading the files involved again
        project, every_problem = load_project(content, _known(found, records, content))
        if project is None:
            raise ContentErrors(every_problem)
        by_id = {(r.kind, r.entity.id): r for r in records.values() if r is not None and r.entity is not None}
        loaded = Loaded(project, [p for p in every_problem if not p.is_error], by_id)
    kept = {name: record for name, record in records.items() if record is not None}
    return loaded, kept, changed


def folder_for(output: Path) -> Path:
    """Return the folder of an output's build caches: beside it, never inside it."""
    return output.absolute().parent / ".sitrep-cache" / output.name


@dataclass(frozen=True)
class Look:
    """What a check sees first: the last build's state, and the hash of every content file now."""

    state: Validated | None
    digests: dict[str, str]  # content-relative path -> SHA-256


def look(content: Path, folder: Path) -> Look:
    """Read the last build's state and hash the content files, hashing again only those that may differ."""
    state = read_validated(folder)
    return Look(state, (Hasher(state.hasher.known, state.hasher.since_ns) if state else Hasher()).tree(content))


def unchanged_since_build(content: Path, folder: Path, seen: Look | None = None
                          ) -> tuple[Counter[str], list[Problem]] | None:
    """Return what a check finds (entities of each kind, warnings) if the last build validated these files.

    Nothing is read but the build's state, the files' hashes and site.yaml (seen: what look() found of
    them); None if anything may differ. The build validated every file and every reference between them:
    with the same code and every file hashing the same, only the theme folder site.yaml names, which lies
    outside content/, can have changed.
    """
    seen = seen or look(content, folder)
    state, digests = seen.state, seen.digests
    if state is None:
        return None
    shown = display_path(content / "-", content)[:-1]  # the warnings name the files as this check would
    if digests != state.inputs.content or not _theme_still_there(content) \
            or any(not warning.path.startswith(shown) for warning in state.warnings) \
            or any(name not in digests for _kind, name, _path in content_files(content)):
        return None  # (the last: a content file that is a link leading out, which hashing skips)
    return Counter(kind for kind, _id in state.digests), list(state.warnings)


def _theme_still_there(content: Path) -> bool:
    """Return False unless the theme folder site.yaml names (if any) is still a folder next to content/."""
    import yaml

    try:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        site = yaml.load((content / "site.yaml").read_bytes(), Loader=loader)  # noqa: S506 - a safe loader
    except FileNotFoundError:
        return True
    except (OSError, yaml.YAMLError):
        return False
    theme = site.get("theme") if isinstance(site, dict) else None
    return theme is None or (isinstance(theme, str) and ".." not in theme.split("/")
                             and (content.parent / theme).is_dir())


def check_content(content: Path, folder: Path, jobs: int, seen: Look | None = None) -> Loaded:
    """Validate a content tree as a build does, from the build's cache in folder, writing nothing.

    Only files changed since that build are read: their hashes are taken again only when their size,
    times or inode changed (seen: what look() found, if it was called already). Raise ContentErrors
    with every problem.
    """
    digests = (seen or look(content, folder)).digests
    with paused_gc():
        loaded, _records, _changed = load(content, ContentCache(folder).read(), digests, jobs)
        # the project lives until the command ends: frozen before the collector is back, it is never
        # walked (else the collector's first pass walks all of it, a quarter of a second at 10,000)
        gc.freeze()
    return loaded


def quick_check(content: Path, folder: Path, seen: Look | None = None
                ) -> tuple[Counter[str], list[Problem]] | None:
    """Return what a check finds (entities of each kind, warnings) when only incidents changed since a build.

    Only the incidents changed, added or removed are validated again. The other files are the last build's
    records, and the warnings across files about entities that did not change are the ones it found
    (Findings): a sourcing finding depends on its entity, the briefs, places, sources and documents, and
    whether its incident is recorded twice; a likely pair on its two incidents and their places. The
    changed incidents' findings are made as validation makes them. None when that does not hold or
    anything is wrong: check_content then validates as a build does and says exactly what.
    """
    seen = seen or look(content, folder)
    if seen.state is None or seen.state.findings is None:
        return None
    with paused_gc():  # what is read lives until the command ends: never walked by the collector
        found = _quick_check(content, folder, seen.state, seen.digests)
        gc.freeze()
    return found


def _quick_check(content: Path, folder: Path, state: Validated, digests: dict[str, str]
                 ) -> tuple[Counter[str], list[Problem]] | None:
    """Return what quick_check says, state being the last build's (with its findings)."""
    assert state.findings is not None
    changed = {name for name in state.inputs.content.keys() | digests.keys()
               if state.inputs.content.get(name) != digests.get(name)}
    if len(changed) > QUICK_UP_TO:
        return None
    found = {name: (kind, path) for kind, name, path in content_files(content)}
    if any(found[name][0] != "incident" if name in found else name in digests for name in changed):
        return None  # a file other than an incident changed, or one that no kind of content is (an asset)
    cache = ContentCache(folder)
    kept = cache.read_records()
    before = _incidents_before(changed, kept, state.inputs.content)
    if before is None or not _unchanged_valid(found, kept, changed, digests, content):
        return None
    records = {name: kept[name] for name in found if name not in changed}
    for name in sorted(changed & found.keys()):
        record = check_file(found[name][0], Path(found[name][1]), content)
        if record is None or record.entity is None or any(p.is_error for p in record.problems):
            return None
        records[name] = record
    problems: list[Problem] = []
    project = _quick_project(content, cache, records, changed, problems)
    if project is None:
        return None
    fresh = {name: records[name] for name in sorted(changed & found.keys())}
    same_ids = {(r.kind, r.id) for r in records.values()} == state.digests.keys()
    if not _cross_valid(content, records, list(fresh.values()) if same_ids else list(records.values())):
        return None
    findings = _quick_findings(content, project, records, fresh, before, state.findings)
    if findings is None:
        return None
    problems.extend(p for record in records.values() for p in record.problems)
    return Counter(r.kind for r in records.values()), sorted([*problems, *findings])


def _incidents_before(changed: set[str], kept: dict[str, FileRecord], old: dict[str, str]
                      ) -> list[FileRecord] | None:
    """Return the last build's records of the changed files it had; None unless each is an incident's."""
    before = []
    for name in changed:
        if name in old:
            record = kept.get(name)
            if record is None or record.kind != "incident" or record.digest != old[name] or record.id is None:
                return None
            before.append(record)
    return before


def _unchanged_valid(found: dict[str, tuple[str, str]], kept: dict[str, FileRecord], changed: set[str],
                     digests: dict[str, str], content: Path) -> bool:
    """Return True if every unchanged content file has the valid record the last build made, as named now."""
    shown = display_path(content / "-", content)[:-1]  # problems name the files as this check would
    for name, (kind, _path) in found.items():
        if name not in digests:
            return False  # a link leading out of content/, which hashing skips
        if name in changed:
            continue
        record = kept.get(name)
        if record is None or record.kind != kind or record.digest != digests[name] or record.id is None \
                or record.rel != shown + name or any(p.is_error for p in record.problems):
            return False
    return True


def _quick_project(content: Path, cache: ContentCache, records: dict[str, FileRecord], changed: set[str],
                   problems: list[Problem]) -> Project | None:
    """Return the project of every entity but the unchanged incidents; None if site.yaml or an id is wrong."""
    from .model import Project
    from .validate import load_site

    site = load_site(content, problems)
    if site is None or any(p.is_error for p in problems):
        return None
    entities = cache.read_entities("entities")
    by_kind: dict[str, dict[str, Any]] = {kind: {} for kind in _COLLECTIONS}
    seen: set[Key] = set()
    for name, record in records.items():
        assert record.id is not None  # valid records only
        if (record.kind, record.id) in seen:
            return None
        seen.add((record.kind, record.id))
        if record.kind == "incident":
            if name in changed:
                by_kind["incident"][record.id] = record.entity
            continue
        kept = entities.get(name)
        if kept is None or kept[0] != record.digest or kept[1] is None:
            return None
        by_kind[record.kind][record.id] = kept[1]
    return Project(site=site, origins={}, **{_COLLECTIONS[kind]: {key: items[key] for key in sorted(items)}
                                             for kind, items in by_kind.items()})


def _cross_valid(content: Path, records: dict[str, FileRecord], checked: list[FileRecord]) -> bool:
    """Return True if the checked records' references resolve, and every attachment and image is there."""
    from .validate import attachment_problem, resolve_asset

    ids: dict[str, set[str]] = {kind: set() for kind in _COLLECTIONS}
    for record in records.values():
        ids[record.kind].add(record.id)  # type: ignore[arg-type]  # valid records only
    for record in checked:
        if not all(ref in ids[kinds[0]] or any(ref in ids[k] for k in kinds[1:])
                   for kinds, ref in record.refs):
            return False
    for record in records.values():
        if any(attachment_problem(content, path) for path in record.attachments) \
                or any(resolve_asset(content, src.removeprefix("assets/")) is None for src in record.images):
            return False
    return True


def _quick_findings(content: Path, project: Project, records: dict[str, FileRecord],
                    fresh: dict[str, FileRecord], before: list[FileRecord], last: Findings
                    ) -> list[Problem] | None:
    """Return the warnings across files: the build's about what did not change, and the changed incidents'.

    None when the edit changes which other incidents are recorded twice (their cut-off findings change).
    """
    from .model import recorded_twice_of
    from .same_event import duplicate_problem, pairs_with
    from .sourcing import grade_findings, incident_cutoff_findings

    incidents = {r.id: r for r in records.values() if r.kind == "incident"}
    events = {key: incidents[key].event for key in sorted(incidents)}
    ids = ids_of(fresh) | {r.id for r in before}  # the incidents whose warnings are made again
    events_before = {key: event for key, event in events.items() if key not in ids}
    events_before.update((r.id, r.event) for r in before)
    twice = recorded_twice_of(events)
    if (twice ^ recorded_twice_of(events_before)) - ids:
        return None
    names = {r.id: name for name, r in fresh.items()}
    sourcing = [f for f in grade_findings(project) if f.kind == "incident"]
    edited = [r.entity for r in fresh.values()]
    sourcing += incident_cutoff_findings(project, edited, twice)  # type: ignore[arg-type]
    problems = [p for kind, key, p in last.sourcing if kind != "incident" or key not in ids]
    for finding in sourcing:
        name = names[finding.entity_id]
        problems.append(fresh[name].warning(finding.loc, finding.message) or load_file(
            "incident", content / name, content).problem(finding.loc, finding.message, severity="warning"))
    problems += [p for first, second, p in last.pairs if first not in ids and second not in ids]
    for first, second, reason in pairs_with(events, set(names), project.locations):
        here, there = incidents[second], incidents[first]
        problems.append(duplicate_problem(first, reason, (here.rel, here.line), (there.rel, there.line)))
    return problems


def ids_of(records: dict[str, FileRecord]) -> set[str | None]:
    """Return the ids of the entities of records."""
    return {record.id for record in records.values()}


def _known(found: list[tuple[str, Path, str]], records: dict[str, FileRecord | None],
           content: Path) -> dict[Path, Known]:
    """Return the files no problem can be about: valid, of an id of their own, naming only what exists."""
    from .deps import KINDS
    from .validate import CONTAINMENT, Known, attachment_problem, containment_cycles, resolve_asset

    ids: dict[str, Counter[str]] = {kind: Counter() for kind in KINDS}
    parents: dict[str, dict[str, str | None]] = {kind: {} for kind in CONTAINMENT}
    for record in records.values():
        if record is not None and record.entity is not None:  # validation registers it, errors or not
            ids[record.kind][record.entity.id] += 1
            if record.kind in CONTAINMENT:
                parents[record.kind][record.entity.id] = getattr(record.entity, CONTAINMENT[record.kind][0])
    # on a circle of 'within' or 'part_of' (any, while ids are duplicated: which one counts is validation's)
    circled = {kind: set(containment_cycles(links)) if max(ids[kind].values(), default=0) < 2 else set(links)
               for kind, links in parents.items()}
    known = {}
    for _kind, path, name in found:
        record = records[name]
        if record is None or record.entity is None or any(p.is_error for p in record.problems) \
                or ids[record.kind][record.entity.id] > 1 or record.entity.id in circled.get(record.kind, ()):
            continue
        attachments = getattr(record.entity, "attachments", ())
        if all(ref in ids[kinds[0]] or any(ref in ids[k] for k in kinds[1:]) for kinds, ref in record.refs) \
                and not any(attachment_problem(content, a.path) for a in attachments) \
                and all(resolve_asset(content, src.removeprefix("assets/")) for src in record.images):
            known[path] = Known(record.entity, path, record.rel, record.line, record.digest, record.problems)
    return known


def _check_all(missing: list[tuple[str, Path, str]], content: Path, jobs: int) -> list[FileRecord | None]:
    """Check files, across processes when there are many."""
    if jobs <= 1 or len(missing) < PARALLEL_FROM:
        return [check_file(kind, path, content) for kind, path, _name in missing]
    count = max(jobs * 4, -(-len(missing) // BATCH_FILES))
    batches = [[(kind, str(path), str(content)) for kind, path, _name in missing[i::count]]
               for i in range(count)]
    ordered: list[FileRecord | None] = [None] * len(missing)
    with paused_gc(), ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"),
                                          initializer=start_worker, initargs=(os.getpid(),)) as pool:
        try:
            for i, batch in enumerate(pool.map(_check_files, batches)):
                ordered[i::count] = batch
                checkpoint()
        except BaseException:  # stopped (Ctrl-C, the preview): drop the batches not started
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    return ordered


def assemble(site: SiteConfig | None, records: dict[str, FileRecord | None], problems: list[Problem],
              content: Path, warnings: bool = True) -> Loaded | None:
    """Return the project made of valid records, or None if anything across files is wrong."""
    from .deps import KINDS
    from .model import Origin, Project, narrower_than_site
    from .same_event import duplicate_pairs
    from .sourcing import cutoff_findings, grade_findings
    from .validate import CONTAINMENT, attachment_problem, containment_cycles, resolve_asset

    if site is None or any(p.is_error for p in problems):
        return None
    by_kind: dict[str, dict[str, FileRecord]] = {kind: {} for kind in KINDS}
    for record in records.values():
        if record is None or record.entity is None or any(p.is_error for p in record.problems):
            return None
        if record.entity.id in by_kind[record.kind]:
            return None
        by_kind[record.kind][record.entity.id] = record
        problems.extend(record.problems)
    for record in records.values():
        assert record is not None  # checked above
        if not all(ref in by_kind[kinds[0]] or any(ref in by_kind[k] for k in kinds[1:])
                   for kinds, ref in record.refs):
            return None
        if any(attachment_problem(content, a.path) for a in getattr(record.entity, "attachments", ())):
            return None
        if any(resolve_asset(content, src.removeprefix("assets/")) is None for src in record.images):
            return None
    for kind, (key, _, _) in CONTAINMENT.items():
        if containment_cycles({id_: getattr(r.entity, key) for id_, r in by_kind[kind].items()}):
            return None
    if any(narrower_than_site(r.entity.tlp, site.tlp) for r in by_kind["brief"].values()):  # type: ignore[union-attr]
        return None  # the full check places the error

    def plain(kind: str) -> dict[str, Any]:
        return {key: by_kind[kind][key].entity for key in sorted(by_kind[kind])}

    origins = {(kind, key): Origin(r.rel, r.line, r.digest)
               for kind, items in by_kind.items() for key, r in items.items()}
    project = Project(site=site, incidents=plain("incident"), actors=plain("actor"),
                      locations=plain("location"), sources=plain("source"), deployments=plain("deployment"),
                      briefs=plain("brief"), context=plain("context"), origins=origins,
                      documents=plain("document"))
    by_id = {(kind, key): r for kind, items in by_kind.items() for key, r in items.items()}
    names = {(r.kind, r.entity.id): name for name, r in records.items() if r is not None and r.entity is not None}

    def locate(kind: str, key: str, loc: tuple[Any, ...], message: str) -> Problem:
        # the positions kept hold every place a finding names; reading the file again is the safe way out
        kept = by_id[kind, key].warning(loc, message)
        return kept or load_file(kind, content / names[kind, key], content).problem(loc, message,
                                                                                    severity="warning")

    if not warnings:
        return Loaded(project, sorted(problems), by_id)
    checkpoint()
    # as validate.sourcing_problems, keeping which entity each warning is about
    sourcing = tuple((f.kind, f.entity_id, locate(f.kind, f.entity_id, f.loc, f.message))
                     for f in [*grade_findings(project), *cutoff_findings(project)])
    checkpoint()
    findings = Findings(sourcing, tuple(duplicate_pairs(project)))
    every = [*problems, *(p for _k, _id, p in findings.sourcing), *(p for _a, _b, p in findings.pairs)]
    return Loaded(project, sorted(every), by_id, findings)


def touch_keys(loaded: Loaded, last: BuildState | None = None) -> dict[Key, frozenset[Key]]:
    """Return, for every entity, the keys a change of it dirties (see sitrep.deps).

    What an entity touches is made from it and from the entities it names (which kind an id names, the
    country of a place): an entity whose file is the same as in the last build, and whose every named
    id names the same entities, keeps the keys it touched then.
    """
    from . import deps

    project = loaded.project
    old_digests, old_touches = (last.digests, last.touches) if last else ({}, {})
    digests = {key: record.digest for key, record in loaded.records.items()}
    changed_ids = {key[1] for key in digests.keys() | old_digests.keys()
                   if digests.get(key) != old_digests.get(key)}
    result = {}
    shared: dict[Key, Key] = {}
    for (kind, key), record in loaded.records.items():
        old = old_touches.get((kind, key))
        if old is not None and key not in changed_ids and \
                not any(ref in changed_ids for _kinds, ref in record.refs):
            result[(kind, key)] = old
            continue
        item = record.entity
        assert item is not None
        refs = [(_resolved_kind(project, kinds, ref), ref) for kinds, ref in record.refs]
        # one object for each key, however many entities touch it (at 10,000 incidents: 25 MiB to 12)
        touched = deps.touches(project, kind, item, refs)
        result[(kind, key)] = frozenset([shared.setdefault(k, k) for k in touched])
    return result


_COLLECTIONS = {"incident": "incidents", "actor": "actors", "location": "locations", "source": "sources",
                "deployment": "deployments", "brief": "briefs", "context": "context",
                "document": "documents"}


def _resolved_kind(project: Project, kinds: tuple[str, ...], ref: str) -> str:
    for kind in kinds:
        if ref in getattr(project, _COLLECTIONS[kind], {}):
            return kind
    return kinds[0]


# --- The last build ------------------------------------------------------------------------

@dataclass
class BuildState:
    """What the last successful build read and wrote."""

    inputs: Inputs
    hasher: Hasher
    digests: dict[Key, str]  # (kind, id) -> SHA-256 of its file
    touches: dict[Key, frozenset[Key]]
    pages: dict[str, frozenset[Key] | None]  # site path -> what it depends on (None: always redone)
    outputs: dict[str, tuple[int, int]]  # every output file -> (size, mtime_ns) as committed
    pdf_keys: dict[str, str]
    warnings: list[Problem]
    page_count: int = 0
    findings: Findings | None = None  # the warnings across files, when the content came from the cache


@dataclass(frozen=True)
class Validated:
    """What the last build found of the content: all a check needs of its state."""

    inputs: Inputs
    hasher: Hasher
    digests: dict[Key, str]  # (kind, id) -> SHA-256 of its file
    warnings: list[Problem]
    findings: Findings | None = None


# The state's file holds two pickles: what validation found, then what the pages depend on and what was
# written (four fifths of it), which a check does not read.
VALIDATED = ("inputs", "hasher", "digests", "warnings", "page_count", "findings")


def read_state(folder: Path) -> BuildState | None:
    """Return the last build's state, or None if there is none this code can use."""
    head, tail = _read_pickles(folder / "state.pickle", 2)
    if not isinstance(head, dict) or head.get("code") != code_fingerprint() or not isinstance(tail, dict):
        return None
    return BuildState(**{name: head[name] for name in VALIDATED}, **tail)


def read_validated(folder: Path) -> Validated | None:
    """Return what the last build found of the content, reading only that part of its state."""
    head, = _read_pickles(folder / "state.pickle", 1)
    if not isinstance(head, dict) or head.get("code") != code_fingerprint():
        return None
    return Validated(head["inputs"], head["hasher"], head["digests"], head["warnings"], head["findings"])


def write_state(folder: Path, state: BuildState, last: BuildState | None = None) -> None:
    """Save the state of a build that has just been committed (last: the state it started from)."""
    fields = vars(_sharing_keys(state, last))
    head = {"code": code_fingerprint(), **{name: fields[name] for name in VALIDATED}}
    _write_pickle(folder / "state.pickle", head, {name: value for name, value in fields.items()
                                                  if name not in VALIDATED})


def _sharing_keys(state: BuildState, last: BuildState | None) -> BuildState:
    """Return the state with one object for each key, however many pages and entities name it.

    Pickle writes an object it has already written as a reference to it: at 10,000 incidents, the
    420,000 keys that pages depend on are 23,000 distinct ones, and the state is written in a fifth
    of the time and read in half. Sets of keys equal to the last build's are taken from it, whose
    keys are already shared.
    """
    old_pages, old_touches = (last.pages, last.touches) if last else ({}, {})
    shared: dict[Key, Key] = {}
    for key, keys in state.touches.items():
        if old_touches.get(key) is keys:
            shared.update(zip(keys, keys))

    def share(keys: frozenset[Key]) -> frozenset[Key]:
        return frozenset([shared.setdefault(key, key) for key in keys])

    touches = {key: keys if old_touches.get(key) is keys else share(keys)
               for key, keys in state.touches.items()}
    pages: dict[str, frozenset[Key] | None] = {}
    for path, keys in state.pages.items():
        old = old_pages.get(path)
        pages[path] = None if keys is None else old if keys is old or keys == old else share(keys)
    return replace(state, touches=touches, pages=pages)


def forget_state(folder: Path) -> None:
    """Drop the last build's state (before a build that may leave output/ different from it)."""
    (folder / "state.pickle").unlink(missing_ok=True)


def scan_output(output: Path) -> dict[str, tuple[int, int]]:
    """Return (size, mtime_ns) of every file in an output folder (hidden names included)."""
    result: dict[str, tuple[int, int]] = {}
    stack = [(output, "")]
    while stack:
        folder, prefix = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except (FileNotFoundError, NotADirectoryError):
            continue
        for entry in entries:
            info = entry.stat(follow_symlinks=False)
            if stat.S_ISDIR(info.st_mode):
                stack.append((Path(entry.path), f"{prefix}{entry.name}/"))
            else:
                result[f"{prefix}{entry.name}"] = (info.st_size, info.st_mtime_ns)
    return result


def changed_keys(old: BuildState, digests: dict[Key, str], touches: dict[Key, frozenset[Key]]) -> set[Key]:
    """Return every key dirtied by entities added, changed or removed since the last build."""
    dirty: set[Key] = set()
    for key in set(old.digests) | set(digests):
        if old.digests.get(key) != digests.get(key):
            dirty |= old.touches.get(key, frozenset()) | touches.get(key, frozenset())
            dirty.add(("*", key[0]))
    return dirty


# --- Helpers -------------------------------------------------------------------------------

@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many objects that all stay alive.

    Loading 10,000 incidents creates millions of objects and no garbage; CPython's collector would
    otherwise scan them all again and again (half the load time).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _read_pickle(path: Path) -> Any:
    return _read_pickles(path, 1)[0]


def _read_pickles(path: Path, count: int) -> list[Any]:
    """Return the first count pickles of a file; None for each if it cannot be read whole."""
    try:
        with paused_gc(), path.open("rb") as file:
            return [pickle.load(file) for _ in range(count)]
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError, ValueError):
        return [None] * count  # a missing, truncated or outdated cache is simply rebuilt


def _write_pickle(path: Path, *data: Any) -> None:
    """Write one pickle of each of data into path, one after the other, replacing it at once."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with writing(path), temporary.open("wb") as file:
        for item in data:
            pickle.dump(item, file, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(temporary, path)


class Pieces:
    """The pieces of one output file, each kept between builds under a key of what it is made from.

    A file made of thousands of independent pieces (a data download: one per incident) then costs
    only the pieces whose key changed. Pieces made by other code or libraries are never reused, and
    a piece without a key (None) is always made again.
    """

    def __init__(self, path: Path | None = None) -> None:
        self.store = Kept(path) if path else None
        self.kept: dict[str, tuple[Any, Any]] = self.store.read() if self.store else {}
        self.used: dict[str, tuple[Any, Any]] = {}

    def get(self, name: str, key: Any, make: Callable[[], T]) -> T:
        """Return the piece called name: the one kept if its key is the same, else make() it."""
        kept = self.kept.get(name)
        if key is not None and kept is not None and kept[0] == key:
            self.used[name] = kept
            return kept[1]  # type: ignore[no-any-return]
        piece = make()
        self.used[name] = (key, piece)
        return piece

    def save(self) -> None:
        """Keep the pieces used this time, and only those, for the next build."""
        if self.store is not None:
            changed = {name for name, used in self.used.items() if self.kept.get(name) is not used}
            self.store.write(self.used, changed | (self.kept.keys() - self.used.keys()))
