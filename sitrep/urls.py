"""Where every page lives: stable paths made from ids, relative to the site root."""

from __future__ import annotations

import re

from .model import Actor, Brief, ContextNote, Incident, Location


def incident(item: Incident | str) -> str:
    """Return the path of an incident's page."""
    return f"incidents/{_id(item)}.html"


def timeline_year(year: int) -> str:
    """Return the path of the timeline of one year's incidents (a folder of its own: an id may be '2024')."""
    return f"incidents/years/{year}.html"


def actor(item: Actor | str) -> str:
    """Return the path of an actor's page."""
    return f"actors/{_id(item)}.html"


def location(item: Location | str) -> str:
    """Return the path of a location's page."""
    return f"locations/{_id(item)}.html"


def brief(item: Brief | str) -> str:
    """Return the path of a brief's HTML page."""
    return f"briefs/{_id(item)}.html"


def brief_pdf(item: Brief | str) -> str:
    """Return the path of a brief's PDF."""
    return f"briefs/{_id(item)}.pdf"


def context(item: ContextNote | str) -> str:
    """Return the path of a context note's page."""
    return f"context/{_id(item)}.html"


def country(code: str) -> str:
    """Return the path of a country's page."""
    return f"countries/{code.lower()}.html"


def event_type(name: str) -> str:
    """Return the path of an event type's index page."""
    return f"event-types/{slug(name)}.html"


def slug(text: str) -> str:
    """Return text as a URL segment: lower-case words joined by hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "item"


def root_of(path: str) -> str:
    """Return the relative prefix leading from a page back to the site root ('' or '../')."""
    return "../" * path.count("/")


def _id(item: object) -> str:
    return item if isinstance(item, str) else item.id  # type: ignore[attr-defined]
