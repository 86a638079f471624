"""The rows of incident tables, kept between builds while what each shows is the same.

A country's, an event type's, a place's or an actor's page lists thousands of incidents, and each such
list is made again whenever any incident in it changes: working out the figures of every incident and
printing its row were most of those pages' cost. `m.incident_table` prints each row through
`{% call kept_row(incident, root, show_country) %}`: a row is kept (in the build cache) under the
digests of the files it shows (the incident, its place, the documents that date and source its
casualty reports) and of the templates, and printed again only when one of them changed. Deleting the
cache changes no byte of the output.

Forked page renderers hand back the rows they made; the build saves them once (see pipeline).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from markupsafe import Markup

from ..cache import Kept
from ..model import Incident, Project
from .exports import made_from

Row = tuple[Any, str]  # (what it was made from, its HTML)


class _Rows:
    """The rows kept for one build: read when first asked for, saved by the build."""

    def __init__(self, path: Path, project: Project, templates: str) -> None:
        self.store = Kept(path)
        self.project = project
        self.templates = templates
        self.items: dict[str, Row] | None = None
        self.made: dict[str, Row] = {}

    def row(self, incident: Incident, root: str, show_country: bool, make: Callable[[], str]) -> str:
        """Return an incident's row: the one kept if made from the same files, else make() it."""
        name = f"{incident.id} {root} {int(bool(show_country))}"
        key = self.key(incident)
        if self.items is None:
            self.items = self.store.read()
        found = self.items.get(name)
        if key is not None and found is not None and found[0] == key:
            return found[1]
        html = str(make())
        self.items[name] = self.made[name] = (key, html)
        return html

    def key(self, incident: Incident) -> Any:
        """Return what an incident's row is made from; None if a file of it is unknown."""
        inputs = [("incident", incident.id), ("location", incident.location.location)]
        inputs += [("document", c.document) for report in incident.casualties for c in report.sources
                   if c.document is not None]
        digests = made_from(self.project, inputs)
        return None if digests is None else (self.templates, digests)

    def save(self) -> None:
        """Keep the rows made this time with those kept, forgetting those of incidents gone."""
        if not self.made:
            return
        items = self.items if self.items is not None else self.store.read()
        changed = set(self.made)
        items.update(self.made)
        gone = {name for name in items if name.partition(" ")[0] not in self.project.incidents}
        for name in gone:
            del items[name]
        self.store.write(items, changed | gone)
        self.made = {}


_rows: _Rows | None = None


def keep_in(path: Path | None, project: Project | None = None, templates: str = "") -> None:
    """Keep rows in path for this project's build from now on, or (None) stop keeping them."""
    global _rows
    _rows = _Rows(path, project, templates) if path is not None and project is not None else None


def kept_row(incident: Incident, root: str, show_country: bool = True, *, caller: Callable[[], str]) -> Markup:
    """Return an incident's table row, as the call block prints it, or the one kept (see the module)."""
    if _rows is None:
        return Markup(caller())
    return Markup(_rows.row(incident, root, show_country, caller))


def take_made() -> dict[str, Row]:
    """Return and forget the rows made in this process (a forked renderer hands them back)."""
    if _rows is None:
        return {}
    made, _rows.made = _rows.made, {}
    return made


def add_made(made: Mapping[str, Row]) -> None:
    """Count rows made by a forked renderer as made by this build."""
    if _rows is not None:
        _rows.made.update(made)


def save() -> None:
    """Save the rows made in this build (in the build's own process)."""
    if _rows is not None:
        _rows.save()
