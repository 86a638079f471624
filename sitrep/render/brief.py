"""A brief's template context, shared by its web page and its PDF so both say the same thing."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import urls
from ..analyse import TREND_RULE, BriefAnalysis
from ..model import Brief, Project
from .notes import Notes


def brief_context(project: Project, analysis: BriefAnalysis, *, medium: str,
                  visuals: Mapping[str, str]) -> dict[str, Any]:
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
        "context_notes": [project.context[ref] for ref in brief.context],
        "trend_rule": TREND_RULE,
        "sections": sections_with_incidents(project, analysis),
        "visuals": visuals,
        "actors_named": actors_named,
    }


def sections_with_incidents(project: Project, analysis: BriefAnalysis) -> list[tuple[Any, list[Any]]]:
    """Return each section with the period's incidents in its countries."""
    result = []
    for section in analysis.brief.sections:
        inside = [f for f in analysis.current.figures
                  if not section.countries or project.country_of(f.incident) in section.countries]
        result.append((section, inside))
    return result


def actors_named(incidents: list[Any]) -> list[str]:
    """Return the ids of every actor an incident in the list names, in order of first mention."""
    ids: list[str] = []
    for incident in incidents:
        ids += incident.perpetrators + incident.targets
        ids += [c.actor for c in incident.claims] + [c.by for c in incident.claims if c.by]
        ids += [r.side for r in incident.casualties] + [r.actor for r in incident.response]
    return list(dict.fromkeys(ids))


def pdf_title(brief: Brief) -> str:
    """Return the PDF's document title."""
    return f"Situation brief {brief.number}: {brief.title}"
