"""The website's pages: each a path, a template and the names it receives."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .. import urls
from ..analyse import BriefAnalysis
from ..model import Project
from .brief import brief_context
from .figures import brief_visuals


@dataclass(frozen=True)
class Page:
    """One HTML or XML file of the site."""

    path: str
    template: str
    context: Mapping[str, Any] = field(default_factory=dict)


def site_pages(project: Project, analyses: Mapping[str, BriefAnalysis]) -> Iterator[Page]:
    """Yield every page of the site."""
    yield Page("index.html", "site/index.html")
    for brief_id, analysis in analyses.items():
        path = urls.brief(brief_id)
        visuals = brief_visuals(project, analysis, link_prefix=urls.root_of(path))
        yield Page(path, "site/brief.html", brief_context(project, analysis, medium="web", visuals=visuals))
