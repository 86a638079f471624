"""The build: load and validate everything, analyse, render, then swap the new output in at once."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import hashlib
import multiprocessing
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2

from . import cache, urls
from .analyse import BriefAnalysis, analyse_brief
from .errors import ContentErrors, Problem, RenderError, UsageError, writing
from .interrupt import Stopped, checkpoint
from .model import Brief, Project
from .render.brief import brief_context, pdf_attachments
from .render.env import make_env, template_dirs
from .render.search import BUNDLE, index_site
from .validate import load_project
from .workers import start_worker
from .write import MARKER, Stage, remove_stale_stages

# The pages, and through them the charts (matplotlib), and the PDFs (WeasyPrint) take most of a second
# to load: they are imported where first needed, so that a build with nothing to do answers at once.
if TYPE_CHECKING:
    from .render.pages import Page

Progress = Callable[[str], None]
Files = dict[str, tuple[int, int]]  # output file -> (size, mtime_ns)


@dataclass(frozen=True)
class BuildOptions:
    """What to build, from where, to where."""

    content: Path
    output: Path
    theme: Path | None = None
    pdf: bool = True
    search: bool = True
    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)

    @property
    def cache(self) -> Path:
        """Return the folder of build caches, beside the output."""
        return cache.folder_for(self.output)


@dataclass
class BuildReport:
    """What a build did."""

    pages: int = 0
    rendered: int = 0  # pages rendered this time; the others were kept from the last build
    pdfs_rendered: int = 0
    pdfs_reused: int = 0
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    warnings: list[Problem] = field(default_factory=list)
    seconds: float = 0.0
    nothing_changed: bool = False  # no input changed and output/ was as the last build left it


def check(content: Path, cache_folder: Path | None = None) -> tuple[Project, list[Problem]]:
    """Validate a content tree; raise ContentErrors with every problem, or return the project and warnings.

    With a build's cache folder, the files whose hash is the one that build validated are not read
    again (the cache is only read: a check writes nothing).
    """
    if not content.is_dir():
        raise UsageError(f"content folder {content} does not exist")
    if cache_folder is not None:
        loaded = cache.check_content(content, cache_folder, os.cpu_count() or 1)
        return loaded.project, loaded.warnings
    project, problems = load_project(content)
    if project is None:
        raise ContentErrors(problems)
    return project, problems


def build(options: BuildOptions, progress: Progress = lambda message: None) -> BuildReport:
    """Build the site, briefs and PDFs into options.output; on any failure output/ stays as it was.

    After a first build, a build redoes only what its inputs reach: nothing at all when no input
    changed, and otherwise the pages whose dependencies (Page.deps) an edit touched. The output is
    byte for byte what a clean build would write (tests/test_incremental.py).
    """
    started = time.perf_counter()
    _check_folders(options)
    # The last build's state and the project live as long as the build: the collector is paused while
    # they are read, then they are frozen, so that it never walks their millions of objects again.
    with cache.paused_gc():
        state = cache.read_state(options.cache)
        hasher = cache.Hasher(state.hasher.known, state.hasher.since_ns) if state else cache.Hasher()
        inputs = cache.fingerprint(options.content, template_dirs(options.theme), _option_key(options),
                                   hasher)
        scan = cache.scan_output(options.output) if (options.output / MARKER).is_file() else {}
        if state is not None and state.inputs == inputs and scan == state.outputs:
            progress("nothing changed since the last build")
            remove_stale_stages(options.output.absolute())  # a build killed since then left its stage behind
            return BuildReport(pages=state.page_count, unchanged=len(scan), warnings=list(state.warnings),
                               seconds=time.perf_counter() - started, nothing_changed=True)
        checkpoint()
        content_cache = cache.ContentCache(options.cache).read()
        checkpoint()
        loaded, records, changed_files = cache.load(options.content, content_cache, inputs.content,
                                                    options.jobs)
        touches = cache.touch_keys(loaded, state)
        gc.freeze()
    try:
        project = loaded.project
        progress(f"loaded {len(project.incidents)} incidents, {len(project.briefs)} briefs "
                 f"({len(changed_files)} file(s) read again)")
        plan = _plan(state, inputs, loaded, touches, scan)
        report = BuildReport(warnings=loaded.warnings)
        page_deps, pdf_keys, outputs, stage = _make_output(project, plan, scan, options, report, progress)
        try:  # while the last build's files are deleted
            cache.write_state(options.cache, cache.BuildState(
                inputs=inputs, hasher=hasher.remembered(), digests=plan.digests, touches=touches,
                pages=page_deps, outputs=outputs, pdf_keys=pdf_keys, warnings=report.warnings,
                page_count=report.pages, findings=loaded.findings), state)
            content_cache.write(records, changed_files)
        finally:
            stage.finish()
    finally:
        # Free the cycles rendering made (Jinja's macros hold their context, which holds the project)
        # while the project is still frozen, so that this walks only what the build itself made: left for
        # later, they would keep the project alive for the collector to walk whole, at the latest when
        # the process exits (0.3-0.7 s at 10,000 incidents).
        gc.collect()
        gc.unfreeze()
    report.seconds = time.perf_counter() - started
    return report


def _make_output(project: Project, plan: Plan, scan: Files, options: BuildOptions, report: BuildReport,
                 progress: Progress) -> tuple[PageDeps, dict[str, str], Files, Stage]:
    """Render what the plan does not keep into a stage and swap it in; return what the build state keeps.

    That is what each page depends on, each PDF's key, and the size and time of every output file; and the
    stage, whose finish() waits until the last build's files are deleted.
    """
    from .render import drawn, figures, rows

    env = make_env(options.theme, options.cache / "jinja")
    analyses = Analyses(project)
    stage = _TrackedStage(options.output)
    try:  # from the stage's first moment: Ctrl-C while the last build's rows are read must not leave it behind
        stage.open(reuse=True, wait=False)  # linked while the pages are listed
        figures.keep_charts(project if options.pdf else None)  # a brief's PDF shows its page's charts
        drawn.keep_in(options.cache / "drawn")
        rows.keep_in(options.cache / "pieces" / "rows.pickle", project, plan.templates)
        produced, page_deps = _render_site(env, project, analyses, stage, plan, options, report, progress)
        produced |= _copy_static(options, stage)
        produced |= _copy_attachments(project, options.content, stage)
        pdf_keys: dict[str, str] = {}
        if options.pdf:
            pdf_keys = _render_pdfs(env, project, analyses, stage, options, plan, page_deps, report, progress)
            produced |= set(pdf_keys)
        # Prune before indexing, so that the search never finds a page this build dropped.
        bundle = {path for path in scan if path.startswith(f"{BUNDLE}/")} if options.search else set()
        report.removed = _prune(stage, scan, produced | bundle)
        if plan.full:  # every page and PDF was made: the drawings none of them used are for pages gone
            drawn.prune()
        rows.save()
        if options.search:
            produced |= _index_search(stage, plan, options.jobs, progress)
        report.written, report.unchanged = stage.written, stage.unchanged
        outputs = cache.scan_output(stage.path)
        # Forget the last build first: killed between the commit and the new state, a build would
        # otherwise leave a state describing files output/ no longer holds.
        cache.forget_state(options.cache)
        stage.commit(wait=False)
    except Stopped:  # the live preview has a newer pass to run: it must not wait for 13,000 files' deletion
        stage.discard(wait=False)
        raise
    except BaseException:
        stage.discard()
        raise
    finally:
        figures.keep_charts(None)
        drawn.keep_in(None)
        rows.keep_in(None)
    return page_deps, pdf_keys, outputs, stage


def _option_key(options: BuildOptions) -> tuple[object, ...]:
    """Return the options that change the output (not the number of processes)."""
    return (options.pdf, options.search, str(options.theme.absolute()) if options.theme else None,
            os.environ.get("SOURCE_DATE_EPOCH"))


@dataclass(frozen=True)
class Plan:
    """What this build must redo, given the last one."""

    full: bool  # no usable last build, or templates, code, options, site settings or assets changed
    dirty: frozenset[cache.Key]  # keys touched by entities added, changed or removed
    old_pages: dict[str, frozenset[cache.Key] | None]
    old_pdf_keys: dict[str, str]
    present: frozenset[str]  # files of the last build still in output/ exactly as it left them
    previous: Files  # every file the last build left in output/, with its size and time
    digests: dict[cache.Key, str]
    inputs: dict[str, str]  # content-relative path -> SHA-256
    templates: str = ""  # the hash of the theme's and default templates (cache.Inputs.templates)

    def clean(self, path: str, deps: frozenset[cache.Key] | None) -> bool:
        """Return True when a page or PDF can be kept from the last build as it is."""
        if self.full or deps is None or path not in self.present:
            return False
        old = self.old_pages.get(path)
        return old is not None and not (deps & self.dirty) and not (old & self.dirty)

    def known_deps(self, path: str) -> frozenset[cache.Key] | None:
        """Return what a page depended on in the last build if none of it changed since; None if unknown."""
        old = None if self.full else self.old_pages.get(path)
        return old if old is not None and old.isdisjoint(self.dirty) else None


def _plan(state: cache.BuildState | None, inputs: cache.Inputs, loaded: cache.Loaded,
          touches: dict[cache.Key, frozenset[cache.Key]], scan: dict[str, tuple[int, int]]) -> Plan:
    digests = {key: record.digest for key, record in loaded.records.items()}
    if state is None:
        return Plan(True, frozenset(), {}, {}, frozenset(), {}, digests, inputs.content, inputs.templates)
    old, new = state.inputs.content, inputs.content
    settings_changed = any(old.get(name) != new.get(name) for name in set(old) | set(new)
                           if name == "site.yaml" or name.startswith("assets/"))
    full = settings_changed or not inputs.same_shape(state.inputs)
    present = frozenset(path for path, seen in scan.items() if state.outputs.get(path) == seen)
    return Plan(full, frozenset(cache.changed_keys(state, digests, touches)), state.pages, state.pdf_keys,
                present, state.outputs, digests, inputs.content, inputs.templates)


class Analyses(Mapping[str, BriefAnalysis]):
    """Each brief's analysis, newest brief first, computed the first time it is asked for."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.order = [brief.id for brief in project.briefs_by_date]
        self.done: dict[str, BriefAnalysis] = {}

    def __getitem__(self, brief_id: str) -> BriefAnalysis:
        if brief_id not in self.done:
            self.done[brief_id] = analyse_brief(self.project, self.project.briefs[brief_id])
        return self.done[brief_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self.order)

    def __len__(self) -> int:
        return len(self.order)


class _TrackedStage(Stage):
    """A stage that remembers which files this build wrote."""

    def __init__(self, output: Path) -> None:
        super().__init__(output)
        self.changed: set[str] = set()

    def write(self, relative: str, data: bytes | list[str]) -> None:
        """Write a file unless the same bytes are there, remembering it if written."""
        before = self.written
        super().write(relative, data)
        if self.written != before:
            self.changed.add(relative)


def _check_folders(options: BuildOptions) -> None:
    output, content = options.output.absolute(), options.content.absolute()
    if output == content or content.is_relative_to(output) or output.is_relative_to(content):
        raise UsageError("the output folder must be outside the content folder, and not contain it")


PageDeps = dict[str, frozenset[cache.Key] | None]


def _render_site(env: jinja2.Environment, project: Project, analyses: Analyses, stage: _TrackedStage,
                 plan: Plan, options: BuildOptions, report: BuildReport, progress: Progress
                 ) -> tuple[set[str], PageDeps]:
    """Render every page the plan does not keep; return the site's paths and what each depends on."""
    page_deps: dict[str, frozenset[cache.Key] | None] = {}
    from .render.pages import site_pages

    deferred: list[Page] = []
    for number, page in enumerate(site_pages(project, analyses, options.cache / "pieces", plan.known_deps)):
        if number % CHECK_EVERY == 0:
            checkpoint()
        page_deps[page.path] = page.deps
        if plan.clean(page.path, page.deps):
            continue
        if callable(page.context):
            deferred.append(page)
        else:  # its names are already computed: render now rather than hold them all in memory
            stage.write(page.path, page_output(env, project, page))
            report.rendered += 1
    # Largest first, as the last build wrote them: no core is left with a data download while the other
    # is idle.
    last_size = {page.path: plan.previous.get(page.path, (0, 0))[0] for page in deferred}
    deferred.sort(key=lambda page: -last_size[page.path])
    stage.ready()  # before forking: a renderer must not write into a stage still being linked
    _render_deferred(env, project, deferred, stage, options.jobs, sum(last_size.values()))
    report.rendered += len(deferred)
    report.pages = len(page_deps)
    progress(f"rendered {report.rendered} of {report.pages} pages")
    return set(page_deps), page_deps


#: What forked page renderers work on: set just before the fork, so nothing is pickled.
_RENDER_JOB: tuple[jinja2.Environment, Project, list[Page], _TrackedStage] | None = None
CHECK_EVERY = 500  # pages listed between two safe points (see interruptible)
PARALLEL_PAGES = 48  # this many pages are worth forking for, however small
PARALLEL_BYTES = 1_000_000  # and so are fewer that weighed this much in the last build (forking costs ~20 ms)


def _render_deferred(env: jinja2.Environment, project: Project, pages: list[Page], stage: _TrackedStage,
                     jobs: int, last_bytes: int) -> None:
    """Render pages whose names were deferred, across processes when they are many or were big."""
    global _RENDER_JOB
    if jobs <= 1 or len(pages) < 2 or (len(pages) < PARALLEL_PAGES and last_bytes < PARALLEL_BYTES):
        for page in pages:
            checkpoint()
            stage.write(page.path, page_output(env, project, page))
        return
    from .render import drawn, figures, rows

    for name in sorted({page.template for page in pages}):
        env.get_template(name)  # compile once, before the fork
    _RENDER_JOB = (env, project, pages, stage)
    size = max(1, min(16, len(pages) // (jobs * 8)))  # small enough to share a few pages evenly
    chunks = [range(i, min(i + size, len(pages))) for i in range(0, len(pages), size)]
    try:
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"),
                                 initializer=start_worker, initargs=(os.getpid(),)) as pool, \
                _cancelled_on_failure(pool):
            for written, unchanged, changed, charts, used, made in pool.map(_render_chunk, chunks):
                checkpoint()
                stage.written += written
                stage.unchanged += unchanged
                stage.changed |= changed
                figures.add_charts(project, charts)
                drawn.add_used(used)
                rows.add_made(made)
    finally:
        _RENDER_JOB = None


def _render_chunk(indices: range) -> tuple[int, int, set[str], dict[tuple[str, str], dict[str, Any]], set[str],
                                           dict[str, Any]]:
    """Render some of the deferred pages (runs in a forked worker); return what it wrote, the charts it kept,
    the kept drawings it used and the table rows it made."""
    from .render import drawn, figures, rows

    assert _RENDER_JOB is not None
    env, project, pages, stage = _RENDER_JOB
    stage.written = stage.unchanged = 0
    stage.changed = set()
    for i in indices:
        stage.write(pages[i].path, page_output(env, project, pages[i]))
    return stage.written, stage.unchanged, stage.changed, figures.take_charts(), drawn.take_used(), rows.take_made()


def render_page(env: jinja2.Environment, project: Project, page: Page) -> bytes:
    """Return a page's bytes, turning a template failure into a RenderError naming the template."""
    return _rendered(env, project, page, page.names()).encode("utf-8")


#: What a page's template is given in place of a verbatim text, to find where the text goes.
_VERBATIM_MARK = "\x00sitrep verbatim text\x00"


def page_output(env: jinja2.Environment, project: Project, page: Page) -> bytes | list[str]:
    """Return a page's bytes, or the parts of its text when it prints a verbatim text once (Stage.write).

    A data download is hundreds of megabytes at 100,000 incidents: printed through its template whole,
    it would be held as its pieces, joined, then encoded (issue 14). Its template is rendered with a mark
    in the text's place, and the file is made of what surrounds the mark and the text's own parts. A
    template that does more with the text than print it once gets it whole, as any other page.
    """
    from .render.pages import Verbatim

    names = page.names()
    verbatim = [name for name, value in names.items() if isinstance(value, Verbatim)]
    if len(verbatim) == 1:
        text = _rendered(env, project, page, {**names, verbatim[0]: Verbatim([_VERBATIM_MARK])})
        before, mark, after = text.partition(_VERBATIM_MARK)
        if mark and _VERBATIM_MARK not in after:
            return [before, *names[verbatim[0]].parts, after]
    return _rendered(env, project, page, names).encode("utf-8")


def _rendered(env: jinja2.Environment, project: Project, page: Page, names: Mapping[str, Any]) -> str:
    try:
        template = env.get_template(page.template)
        return template.render(site=project.site, project=project, root=urls.root_of(page.path),
                               page_path=page.path, **names)
    except jinja2.TemplateError as exc:
        raise RenderError(f"template {page.template} failed for {page.path}: {exc}") from None


def _copy_attachments(project: Project, content: Path, stage: Stage) -> set[str]:
    """Publish incident attachments under media/ (see render.pages)."""
    from .render.pages import copy_attachments

    return copy_attachments(project, content, stage)


def _copy_static(options: BuildOptions, stage: Stage) -> set[str]:
    """Copy the theme's static files to assets/, the theme's copy winning over the default."""
    produced: set[str] = set()
    for folder in template_dirs(options.theme):
        base = folder / "static"
        for path in sorted(base.rglob("*")) if base.is_dir() else ():
            relative = f"assets/{path.relative_to(base).as_posix()}"
            if path.is_file() and relative not in produced:
                stage.write(relative, path.read_bytes())
                produced.add(relative)
    return produced


# --- PDFs ---------------------------------------------------------------------------------

def pdf_html(env: jinja2.Environment, project: Project, analysis: BriefAnalysis) -> str:
    """Return the HTML a brief's PDF is rendered from."""
    base = f"{project.site.base_url.rstrip('/')}/" if project.site.base_url else None
    from .render.figures import brief_visuals
    from .render.pages import Page

    visuals = brief_visuals(project, analysis, link_prefix=base)
    page = Page(urls.brief_pdf(analysis.brief), "pdf/brief.html",
                brief_context(project, analysis, medium="pdf", visuals=visuals))
    return render_page(env, project, page).decode("utf-8")


def _render_pdfs(env: jinja2.Environment, project: Project, analyses: Analyses, stage: _TrackedStage,
                 options: BuildOptions, plan: Plan, page_deps: dict[str, frozenset[cache.Key] | None],
                 report: BuildReport, progress: Progress) -> dict[str, str]:
    """Render every brief whose input changed, in parallel across cores; reuse the rest; return their keys.

    A brief whose web page the plan keeps keeps its PDF without even computing its HTML; any other
    brief's PDF is reused when the HTML it is made from is the same as last time.
    """
    statics = template_dirs(options.theme)
    fingerprint = _static_fingerprint(statics) + _assets_fingerprint(plan, options.content)
    keys: dict[str, str] = {}
    to_check = []
    for brief_id in analyses:
        path = urls.brief_pdf(brief_id)
        old_key = plan.old_pdf_keys.get(path)
        web = urls.brief(brief_id)
        if old_key and path in plan.present and plan.clean(web, page_deps.get(web)):
            keys[path] = old_key
            report.pdfs_reused += 1
        else:
            to_check.append(brief_id)

    def jobs() -> Iterator[PdfJob]:
        for brief_id in to_check:
            path = urls.brief_pdf(brief_id)
            html = pdf_html(env, project, analyses[brief_id])
            attachments = pdf_attachments(project, analyses[brief_id])
            keys[path] = hashlib.sha256((fingerprint + html + repr(attachments)).encode("utf-8")).hexdigest()
            if plan.old_pdf_keys.get(path) == keys[path] and path in plan.present:
                report.pdfs_reused += 1
                continue
            yield (html, str(stage.file(path)), [str(d) for d in statics], str(options.content), path, attachments,
                   analyses[brief_id].brief.cutoff)

    processes = 0 if options.jobs <= 1 else min(options.jobs, len(to_check))
    report.pdfs_rendered = _run_pdf_jobs(jobs(), processes) if to_check else 0
    progress(f"rendered {report.pdfs_rendered} PDF(s), reused {report.pdfs_reused}")
    return keys


def _assets_fingerprint(plan: Plan, content: Path) -> str:
    """Return a hash of content/assets/, whose images a PDF embeds."""
    digest = hashlib.sha256()
    for name, sha in sorted(plan.inputs.items()):
        if name.startswith("assets/"):
            digest.update(f"{name}:{sha}\n".encode())
    return digest.hexdigest()


#: A PDF to render: its HTML, the target file, the theme's folders, the content folder, its name, the files
#: it carries (name, text, description) and the brief's cut-off, which dates them.
PdfJob = tuple[str, str, list[str], str, str, list[tuple[str, str, str]], dt.datetime]


def _run_pdf_jobs(jobs: Iterable[PdfJob], processes: int) -> int:
    """Render PDFs as the jobs come, in this process (processes=0) or in workers; return how many.

    Workers start before the first job is taken, so that they load WeasyPrint (about half a second)
    while the main process prepares the HTML, and each PDF renders while the next brief's HTML is
    prepared. With --jobs 1 everything happens in the build's own process.
    """
    if processes <= 0:
        rendered = 0
        for job in jobs:
            checkpoint()
            _pdf_job(*job)
            rendered += 1
        return rendered
    with ProcessPoolExecutor(max_workers=processes, initializer=_start_pdf_worker,
                             initargs=(os.getpid(),)) as pool, \
            _cancelled_on_failure(pool):
        pool.submit(int)  # start the workers now rather than at the first job
        futures = []
        for job in jobs:
            checkpoint()
            futures.append(pool.submit(_pdf_job, *job))
        for future in futures:
            checkpoint()
            future.result()
    return len(futures)


def _start_pdf_worker(build_pid: int) -> None:
    """Set up a PDF worker: leave Ctrl-C to the main process, die with it, and load the renderer."""
    start_worker(build_pid)
    from .render import pdf  # noqa: F401


@contextlib.contextmanager
def _cancelled_on_failure(pool: ProcessPoolExecutor) -> Iterator[None]:
    """On Ctrl-C or a failed job, drop the jobs not started and wait for the running ones to end.

    Leaving the pool would otherwise run every job. It must wait here: once shut down without
    waiting, the pool's own exit no longer waits either, and a worker still rendering would write
    into the stage after the build discarded it.
    """
    try:
        yield
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise


def _pdf_job(html: str, target: str, statics: list[str], content: str, name: str,
             attachments: list[tuple[str, str, str]], created: dt.datetime) -> None:
    """Render one PDF (runs in a worker process); write beside the target, then rename over it."""
    temporary = Path(target).with_name(f".{Path(target).name}.tmp")
    from .render.pdf import write_pdf  # loaded as the worker started, or here with --jobs 1

    with writing(target):
        write_pdf(html, temporary, static_dirs=[Path(d) for d in statics], content_dir=Path(content), name=name,
                  attachments=attachments, created=created)
    os.replace(temporary, target)


def _static_fingerprint(folders: Iterable[Path]) -> str:
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.suffix in (".css", ".ttf", ".otf", ".woff", ".woff2", ".svg", ".png"):
                digest.update(path.as_posix().encode() + path.read_bytes())
    return digest.hexdigest()


def _index_search(stage: _TrackedStage, plan: Plan, jobs: int, progress: Progress) -> set[str]:
    """Index the staged site for search again where its pages changed, keeping the rest of the last index.

    The last index is trusted only when the code, templates and options are the same and every file of
    it is as the last build left it.
    """
    previous = {path for path in plan.previous if path.startswith(f"{BUNDLE}/")}
    trusted = not plan.full and previous <= plan.present
    written = {path for path in stage.changed if path.endswith(".html")} if trusted else None
    return index_site(stage.path, written, previous, progress, jobs)


def _prune(stage: Stage, scan: dict[str, tuple[int, int]], keep: set[str]) -> int:
    """Remove the last build's files that this build did not produce; return how many."""
    removed = 0
    folders: set[Path] = set()
    for relative in sorted(set(scan) - keep - {MARKER}):
        path = stage.path / relative
        if path.is_file() or path.is_symlink():
            path.unlink()
            removed += 1
            folders.add(path.parent)
    for folder in sorted(folders, key=lambda f: len(f.parts), reverse=True):
        while folder != stage.path and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent
    return removed


def latest_brief(project: Project) -> Brief | None:
    """Return the most recent brief."""
    return project.briefs_by_date[0] if project.briefs_by_date else None
