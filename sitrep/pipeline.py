"""The build: load and validate everything, analyse, render, then swap the new output in at once."""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from . import urls
from .analyse import BriefAnalysis, analyse_brief
from .errors import ContentErrors, Problem, RenderError, UsageError
from .model import Brief, Project
from .render.brief import brief_context
from .render.env import make_env, template_dirs
from .render.figures import brief_visuals
from .render.pages import Page, copy_attachments, site_pages
from .render.pdf import write_pdf
from .validate import load_project
from .write import Stage

Progress = Callable[[str], None]


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
        return self.output.absolute().parent / ".sitrep-cache" / self.output.name


@dataclass
class BuildReport:
    """What a build did."""

    pages: int = 0
    pdfs_rendered: int = 0
    pdfs_reused: int = 0
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    warnings: list[Problem] = field(default_factory=list)
    seconds: float = 0.0


def check(content: Path) -> tuple[Project, list[Problem]]:
    """Validate a content tree; raise ContentErrors with every problem, or return the project and warnings."""
    if not content.is_dir():
        raise UsageError(f"content folder {content} does not exist")
    project, problems = load_project(content)
    if project is None:
        raise ContentErrors(problems)
    return project, problems


def build(options: BuildOptions, progress: Progress = lambda message: None) -> BuildReport:
    """Build the site, briefs and PDFs into options.output; on any failure output/ stays as it was."""
    started = time.perf_counter()
    _check_folders(options)
    project, warnings = check(options.content)
    report = BuildReport(warnings=[p for p in warnings if not p.is_error])
    progress(f"loaded {len(project.incidents)} incidents, {len(project.briefs)} briefs")
    env = make_env(options.theme, options.cache / "jinja")
    analyses = {brief.id: analyse_brief(project, brief) for brief in project.briefs_by_date}
    stage = Stage(options.output).open(reuse=True)
    try:
        produced = _render_site(env, project, analyses, stage, report, progress)
        produced |= _copy_static(options, stage)
        produced |= copy_attachments(project, options.content, stage)
        pdf_keys: dict[str, str] = {}
        if options.pdf:
            pdf_keys = _render_pdfs(env, project, analyses, stage, options, report, progress)
            produced |= set(pdf_keys)
        if options.search:
            from .render.search import index_site

            produced |= index_site(stage.path, progress)
        report.removed = stage.prune(produced)
        report.written, report.unchanged = stage.written, stage.unchanged
        stage.commit()
    except BaseException:
        stage.discard()
        raise
    if options.pdf:  # only once the PDFs they describe are really in output/
        _write_json(options.cache / "pdf-keys.json", pdf_keys)
    report.seconds = time.perf_counter() - started
    return report


def _check_folders(options: BuildOptions) -> None:
    output, content = options.output.absolute(), options.content.absolute()
    if output == content or content.is_relative_to(output) or output.is_relative_to(content):
        raise UsageError("the output folder must be outside the content folder, and not contain it")


def _render_site(env: jinja2.Environment, project: Project, analyses: dict[str, BriefAnalysis], stage: Stage,
                 report: BuildReport, progress: Progress) -> set[str]:
    produced = set()
    for page in site_pages(project, analyses):
        stage.write(page.path, render_page(env, project, page))
        produced.add(page.path)
    report.pages = len(produced)
    progress(f"rendered {report.pages} pages")
    return produced


def render_page(env: jinja2.Environment, project: Project, page: Page) -> bytes:
    """Return a page's bytes, turning a template failure into a RenderError naming the template."""
    try:
        template = env.get_template(page.template)
        text = template.render(site=project.site, project=project, root=urls.root_of(page.path),
                               page_path=page.path, **page.names())
    except jinja2.TemplateError as exc:
        raise RenderError(f"template {page.template} failed for {page.path}: {exc}") from None
    return text.encode("utf-8")


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
    visuals = brief_visuals(project, analysis, link_prefix=base)
    page = Page(urls.brief_pdf(analysis.brief), "pdf/brief.html",
                brief_context(project, analysis, medium="pdf", visuals=visuals))
    return render_page(env, project, page).decode("utf-8")


def _render_pdfs(env: jinja2.Environment, project: Project, analyses: dict[str, BriefAnalysis], stage: Stage,
                 options: BuildOptions, report: BuildReport, progress: Progress) -> dict[str, str]:
    """Render every brief whose input changed, in parallel across cores; reuse the rest; return their keys."""
    statics = template_dirs(options.theme)
    fingerprint = _static_fingerprint(statics)
    old_keys = _read_json(options.cache / "pdf-keys.json")
    jobs, keys = [], {}
    for brief_id, analysis in analyses.items():
        html = pdf_html(env, project, analysis)
        path = urls.brief_pdf(brief_id)
        keys[path] = hashlib.sha256((fingerprint + html).encode("utf-8")).hexdigest()
        if old_keys.get(path) == keys[path] and (stage.path / path).is_file():
            report.pdfs_reused += 1
            continue
        jobs.append((html, str(stage.file(path)), [str(d) for d in statics], str(options.content), path))
    _run_pdf_jobs(jobs, options.jobs)
    report.pdfs_rendered = len(jobs)
    progress(f"rendered {len(jobs)} PDF(s), reused {report.pdfs_reused}")
    return keys


def _run_pdf_jobs(jobs: list[tuple[str, str, list[str], str, str]], workers: int) -> None:
    if len(jobs) <= 1 or workers <= 1:
        for job in jobs:
            _pdf_job(*job)
        return
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs))) as pool:
        for future in [pool.submit(_pdf_job, *job) for job in jobs]:
            future.result()


def _pdf_job(html: str, target: str, statics: list[str], content: str, name: str) -> None:
    """Render one PDF (runs in a worker process); write beside the target, then rename over it."""
    temporary = Path(target).with_name(f".{Path(target).name}.tmp")
    write_pdf(html, temporary, static_dirs=[Path(d) for d in statics], content_dir=Path(content), name=name)
    os.replace(temporary, target)


def _static_fingerprint(folders: Iterable[Path]) -> str:
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.suffix in (".css", ".ttf", ".otf", ".woff", ".woff2", ".svg", ".png"):
                digest.update(path.as_posix().encode() + path.read_bytes())
    return digest.hexdigest()


def _write_json(path: Path, data: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=0, sort_keys=True))


def _read_json(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def latest_brief(project: Project) -> Brief | None:
    """Return the most recent brief."""
    return project.briefs_by_date[0] if project.briefs_by_date else None
