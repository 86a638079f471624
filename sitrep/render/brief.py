"""A brief's template context, shared by its web page and its PDF so both say the same thing."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from .. import urls
from ..analyse import TREND_RULE, BriefAnalysis
from ..geo import country_info
from ..model import ABBREVIATION, Brief, ContextNote, Project
from .notes import Notes


def brief_context(project: Project, analysis: BriefAnalysis, *, medium: str,
                  visuals: Mapping[str, Any]) -> dict[str, Any]:
    """Return the names a brief template receives; medium is 'web' or 'pdf'."""
    brief = analysis.brief
    return {
        "brief": brief,
        "analysis": analysis,
        "notes": Notes(project, anchor=f"{brief.id}-note"),
        "tlp": brief.tlp or project.site.tlp,
        "producer": brief.producer or project.site.organisation,
        "medium": medium,
        "pdf_path": urls.brief_pdf(brief),
        "web_url": web_url(project, brief),
        "context_notes": brief_context_notes(project, brief),
        "trend_rule": TREND_RULE,
        "sections": sections_with_incidents(project, analysis),
        "none_recorded": none_recorded(brief),
        "visuals": visuals,
        # a claim made after the cut-off is the next brief's news ("new claim"), not this one's
        "claims_of": lambda incident: [c for c in incident.claims if project.claim_known_by(c, brief.cutoff)],
        "actors_named": lambda incidents: [ref for ref in actors_named(incidents, brief.cutoff, project)
                                           if not unnamed_actor(project, ref)],
        "unnamed_actor": lambda ref: unnamed_actor(project, ref),
        "abbreviations": Abbreviations(project),
    }


def web_url(project: Project, brief: Brief) -> str | None:
    """Return the address of the brief's web page, when the site's base URL is known."""
    base = project.site.base_url
    return f"{base.rstrip('/')}/{urls.brief(brief)}" if base else None


@dataclass(frozen=True)
class BriefContextNotes:
    """A brief's context notes: those written or revised in its period lead, the standing ones are linked."""

    news: tuple[ContextNote, ...]
    standing: tuple[ContextNote, ...]


def brief_context_notes(project: Project, brief: Brief) -> BriefContextNotes:
    """Split the brief's context notes into news (dated inside its period, up to the cut-off) and standing."""
    notes = [project.context[ref] for ref in brief.context]
    last = min(brief.period.end, brief.cutoff.date())

    def is_news(note: ContextNote) -> bool:
        return brief.period.start <= note.date <= last

    return BriefContextNotes(tuple(n for n in notes if is_news(n)), tuple(n for n in notes if not is_news(n)))


def none_recorded(brief: Brief) -> str:
    """Return the one line a brief without incidents says: what was not recorded, where and when."""
    names = [_country_name(code) for code in brief.countries]
    area = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
    return (f"No incidents were recorded in {area} between {brief.period.start.day} {brief.period.start:%B} "
            f"and {brief.period.end.day} {brief.period.end:%B %Y}.")


def _country_name(code: str) -> str:
    info = country_info(code)
    return info.name if info else code


def sections_with_incidents(project: Project, analysis: BriefAnalysis) -> list[tuple[Any, list[Any]]]:
    """Return each section with the period's incidents in its countries, leaving out a section with neither."""
    result = []
    for section in analysis.brief.sections:
        inside = [f for f in analysis.current.figures
                  if not section.countries or project.country_of(f.incident) in section.countries]
        if section.assessment.strip() or inside:
            result.append((section, inside))
    return result


def actors_named(incidents: list[Any], cutoff: dt.datetime, project: Project) -> list[str]:
    """Return the ids of every actor an incident in the list names by the cut-off, in order of first mention."""
    ids: list[str] = []
    for incident in incidents:
        claims = [c for c in incident.claims if project.claim_known_by(c, cutoff)]
        ids += incident.perpetrators + incident.targets
        ids += [c.actor for c in claims] + [c.by for c in claims if c.by]
        ids += [side for r in incident.casualties for side in r.covers] + [r.actor for r in incident.response]
    return list(dict.fromkeys(ids))


def unnamed_actor(project: Project, ref: str) -> bool:
    """Return True for an actor that stands for attackers nobody named (ACLED's 'Unidentified ...')."""
    actor = project.actors.get(ref)
    return actor is not None and actor.unnamed


#: Words by which a claim's note says its stance itself.
_STANCE_WORDS = {"claimed": ("claim",), "attributed": ("attribut", "blame"), "denied": ("denied", "deny", "denies"),
                 "no_comment": ("comment", "declined")}


def note_restates(claim: Any) -> bool:
    """Return True when a claim's note already says the claim ("CENTCOM denied that US forces were involved")."""
    note = (claim.note or "").lower()
    return any(word in note for word in _STANCE_WORDS.get(claim.stance, ()))


# --- Abbreviations ------------------------------------------------------------------------

_TAG_OR_TEXT = re.compile(r"(<[^>]*>)")


class Abbreviations:
    """Spell out each known abbreviation at its first use in one brief: 'Islamic Resistance in Iraq (IRI)'.

    Known abbreviations are the actors' and sources' short names written in capitals and the capitals a
    source's name ends with in brackets, e.g. 'US Central Command (CENTCOM)'. Text is read in the order the template
    renders it, which is the order a reader meets it.
    """

    def __init__(self, project: Project, shown: Collection[tuple[str, str]] | None = None) -> None:
        """Know every actor's and source's abbreviation, or only those of the ("actor"/"source", id) keys shown."""
        self.long: dict[str, str] = {}
        actors = list(project.actors.values()) if shown is None else _shown(project.actors, "actor", shown)
        sources = list(project.sources.values()) if shown is None else _shown(project.sources, "source", shown)
        for actor in actors:
            if actor.short_name and ABBREVIATION.fullmatch(actor.short_name):
                self.long.setdefault(actor.short_name, actor.name)
        for source in sources:
            if source.short_name and ABBREVIATION.fullmatch(source.short_name):
                self.long.setdefault(source.short_name, source.name)
            found = re.match(r"^(.*\S)\s*\(([A-Z][A-Z0-9]{1,9})\)$", source.name)
            if found:
                self.long.setdefault(found.group(2), found.group(1))
        self.seen: set[str] = set()
        self._pattern = (re.compile(r"\b(" + "|".join(sorted(map(re.escape, self.long), key=len, reverse=True))
                                    + r")\b(['’]s\b)?") if self.long else None)

    def spell_out(self, html: str) -> Markup:
        """Return html with each abbreviation not met before written out, and note those met."""
        if self._pattern is None:
            return Markup(html)
        parts = _TAG_OR_TEXT.split(str(html))
        return Markup("".join(part if part.startswith("<") else self._text(part) for part in parts))

    def _text(self, text: str) -> str:
        return self._pattern.sub(self._first_use(text), text) if self._pattern else text

    def _first_use(self, text: str) -> Any:
        def replace(found: re.Match[str]) -> str:
            short, possessive = found.group(1), found.group(2) or ""
            if short in self.seen:
                return found.group(0)
            self.seen.add(short)
            long = self.long[short]
            already = text[max(0, found.start() - len(long) - 2):found.start()]
            # "Agence France-Presse's (AFP) report", not "Agence France-Presse (AFP)'s report"
            return found.group(0) if already.startswith(long) else f"{long}{possessive} ({short})"
        return replace


def _shown(entities: Mapping[str, Any], kind: str, shown: Collection[tuple[str, str]]) -> list[Any]:
    """Return the entities of a kind among a page's keys, in the order of their ids (a stable first pick)."""
    return [entities[ref] for ref in sorted(ref for key, ref in shown if key == kind and ref in entities)]


# --- Names ---------------------------------------------------------------------------------

_HYPHENATED = re.compile(r"(?<![\w&#-])(\w{1,12}(?:-\w{1,12}){1,2})(?![\w-])")
_RAW = re.compile(r"<(svg|style|script)\b.*?</\1>", re.DOTALL | re.IGNORECASE)


def keep_names(html: str) -> Markup:
    """Return html with each short hyphenated word ('al-Jir', 'Al-Hasakah') kept from breaking at its hyphen."""
    text = str(html)
    out, last = [], 0
    for raw in _RAW.finditer(text):
        out.append(_keep_in_text(text[last:raw.start()]))
        out.append(raw.group(0))
        last = raw.end()
    out.append(_keep_in_text(text[last:]))
    return Markup("".join(out))


def _keep_in_text(html: str) -> str:
    parts = _TAG_OR_TEXT.split(html)
    # most text between tags has no hyphen: the pattern's look-arounds need not be tried on it at all
    return "".join(part if part.startswith("<") or "-" not in part
                   else _HYPHENATED.sub(r'<span class="nobr">\1</span>', part) for part in parts)


def pdf_title(brief: Brief) -> str:
    """Return the PDF's document title."""
    return f"Situation brief {brief.number}: {brief.title}"


# --- The data a brief's PDF carries -------------------------------------------------------

def pdf_attachments(project: Project, analysis: BriefAnalysis) -> list[tuple[str, str, str]]:
    """Return the files a brief's PDF carries: its period's incidents as JSON and as ACLED-style CSV."""
    from .exports import ACLED_COLUMNS, csv_line, csv_row, json_document, json_record

    brief = analysis.brief
    incidents = analysis.current.incidents
    head = {"title": project.site.title, "brief": brief.id, "number": brief.number,
            "period": {"start": brief.period.start.isoformat(), "end": brief.period.end.isoformat()},
            "cutoff": brief.cutoff.isoformat(), "countries": list(brief.countries), "caveat": project.site.caveat}
    records = json_document(head, "incidents", [json_record(project, incident) for incident in incidents])
    rows = csv_line(ACLED_COLUMNS) + "".join(csv_row(project, incident) for incident in incidents)
    period = f"{brief.period.start.isoformat()} to {brief.period.end.isoformat()}"
    return [
        (f"{brief.id}-incidents.json", records,
         f"The {len(incidents)} incidents of brief No. {brief.number} ({period}), every field as recorded"),
        (f"{brief.id}-incidents.csv", rows,
         f"The {len(incidents)} incidents of brief No. {brief.number} ({period}), in ACLED's 31 columns"),
    ]
