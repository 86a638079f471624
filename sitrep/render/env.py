"""The one Jinja environment: the theme's templates first, then the defaults; every filter registered here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import jinja2
from markupsafe import Markup

from .. import analyse, urls
from ..geo import country_info
from ..model import (ACTOR_KIND_LABELS, CREDIBILITY, LIKELIHOOD_ROWS, RELIABILITY, STANCE_LABELS, TLP_COLOURS,
                     Actor, Citation, Count, Incident, Project, format_count)
from ..sourcing import cited
from . import rows
from .brief import Abbreviations, keep_names, note_restates
from .text import display_url, neutralise, render_markdown, search_label

DEFAULT_TEMPLATES = Path(__file__).resolve().parent.parent.parent / "templates"


def template_dirs(theme: Path | None) -> list[Path]:
    """Return the folders searched for templates and static files, the theme's first."""
    return ([theme] if theme else []) + [DEFAULT_TEMPLATES]


def make_env(theme: Path | None = None, cache_dir: Path | None = None) -> jinja2.Environment:
    """Return the Jinja environment: autoescaped, strict about undefined names, bidi-safe output."""
    cache = jinja2.FileSystemBytecodeCache(str(cache_dir)) if cache_dir else None
    if cache_dir:
        cache_dir.mkdir(parents=True, exist_ok=True)
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(d)) for d in template_dirs(theme)]),
        # Feeds and sitemaps are XML: escape them too. robots.txt is plain text, where &amp; is wrong.
        autoescape=jinja2.select_autoescape(disabled_extensions=("txt",), default_for_string=True, default=True),
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        bytecode_cache=cache,
        auto_reload=False,
    )
    env.filters.update(FILTERS)
    env.globals.update(urls=urls, RELIABILITY=RELIABILITY, CREDIBILITY=CREDIBILITY,
                       ACTOR_KIND_LABELS=ACTOR_KIND_LABELS, TLP_COLOURS=TLP_COLOURS, when=analyse.when,
                       TIME_PRECISION=analyse.PRECISION_WORDS,
                       country_name=country_name, date_span=date_span, likelihood_range=likelihood_range,
                       cited_names=cited_names, troops_by_force=troops_by_force, STANCE_LABELS=STANCE_LABELS,
                       note_restates=note_restates,
                       kept_row=rows.kept_row)
    return env


def troops_by_force(project: Project, analysis: analyse.BriefAnalysis) -> str:
    """Return whose troops the key figure adds up, where, and the brief's countries with no figure."""
    parts = [f"{_known_as(project.actors[p.deployment.actor])} in {country_name(p.deployment.country)} "
             f"{count(p.current.troops)}" for p in analysis.posture]
    counted = {p.deployment.country for p in analysis.posture}
    missing = [country_name(code) for code in analysis.brief.countries if code not in counted]
    if missing and parts:
        parts.append(f"no figure for {', '.join(missing)}")
    return "; ".join(parts) or "none recorded"


def _known_as(actor: Actor) -> str:
    return actor.short_name or actor.name


def cited_names(project: Project, citations: Sequence[Citation]) -> list[str]:
    """Return the names of the sources of the documents cited, once each, in order."""
    return list(dict.fromkeys(project.sources[cited(project, c).source].name for c in citations))


def _finalize(value: object) -> object:
    return neutralise(value) if isinstance(value, str) else value


def country_name(code: str) -> str:
    """Return a country's name from its alpha-3 code."""
    info = country_info(code)
    return info.name if info else code


def long_date(value: dt.date | dt.datetime | None) -> str:
    """Return 21 April 2024."""
    return analyse.format_date(value) if value else ""


def short_date(value: dt.date | None) -> str:
    """Return 21 Apr 2024."""
    return analyse.short_date(value) if value else ""


def incident_datetime(incident: Incident) -> str:
    """Return the datetime attribute of an incident's <time>: 2024-02-02T00:00+03:00, 2024-W05, 2023-12."""
    return analyse.when(incident).datetime


def cutoff(value: dt.datetime) -> str:
    """Return a cut-off time with its offset: 22 April 2024, 12:00 (UTC+03:00)."""
    offset = value.strftime("%z")
    return f"{analyse.format_date(value)}, {value:%H:%M} (UTC{offset[:3]}:{offset[3:]})"


def published(value: dt.date | dt.datetime) -> str:
    """Return when a document was published: 22 April 2024, or with its time and offset."""
    if isinstance(value, dt.datetime):
        return cutoff(value)
    return long_date(value)


#: Languages named in endnotes when a document is not in the site's language (ISO 639).
LANGUAGES = {"ar": "Arabic", "en": "English", "fa": "Persian", "fr": "French", "he": "Hebrew", "ku": "Kurdish",
             "ckb": "Sorani Kurdish", "tr": "Turkish", "de": "German", "ru": "Russian", "es": "Spanish"}


def language_name(code: str) -> str:
    """Return a language's English name from its ISO 639 code, or the code when it is not listed."""
    return LANGUAGES.get(code, code)


def date_span(start: dt.date, end: dt.date) -> str:
    """Return 16–22 April 2024, or 28 March – 3 April 2024."""
    if start.year != end.year:
        return f"{long_date(start)} – {long_date(end)}"
    if start.month != end.month:
        return f"{start.day} {start:%B} – {long_date(end)}"
    return f"{start.day}–{long_date(end)}"


def likelihood_range(term: str) -> str:
    """Return the ICD 203 probability range of a likelihood term."""
    return next(row[2] for row in LIKELIHOOD_ROWS if term in row[:2])


def count(value: Count | analyse.Tally) -> str:
    """Return a count or tally as written in a brief."""
    return format_count(value) if isinstance(value, Count) else str(value)


@jinja2.pass_context
def markdown(context: jinja2.runtime.Context, text: str) -> Markup:
    """Return sanitised HTML from Markdown; on the web, images point where content/assets is published."""
    html = render_markdown(text)
    if context.get("medium") == "pdf" or ' src="assets/' not in html:
        return html  # the PDF renderer's fetcher serves assets/ straight from content/assets/
    return Markup(str(html).replace(' src="assets/', f' src="{context.get("root", "")}media/'))


def spell_out(html: str, abbreviations: Abbreviations) -> Markup:
    """Return html with the abbreviations a brief has not used yet written out."""
    return abbreviations.spell_out(html)


def markdown_inline(text: str) -> Markup:
    """Return sanitised HTML from a one-paragraph Markdown text, without the paragraph."""
    return render_markdown(text, inline=True)


FILTERS = {
    "long_date": long_date, "short_date": short_date, "incident_date": analyse.incident_date,
    "incident_datetime": incident_datetime, "cutoff": cutoff, "count": count,
    "markdown": markdown, "markdown_inline": markdown_inline, "country_name": country_name,
    "slug": urls.slug, "search_label": search_label, "spell_out": spell_out, "keep_names": keep_names,
    "display_url": display_url,
    "published": published, "language_name": language_name,
}
