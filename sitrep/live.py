"""The live preview's first look at an edit: the pages open in a browser, rendered at once.

`serve` keeps every content file's parsed record in memory. When files change it parses only those,
assembles the project without the findings across files (sourcing, likely duplicates: the page pass
that follows reports them) and renders only the pages open in a browser, so that they reload within
a second of the save even at 10,000 incidents. The page pass then builds the whole preview as
before; until it is done the server holds requests for any other page (serve.Channel.hold), so a
reader never sees a page older than the edit.

Anything this cannot take on its own (a template, site.yaml or an asset changed, a folder moved, a
file that does not validate) is left to the page pass, and nothing is written.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2

from . import cache
from .errors import Problem
from .load import KINDS, is_entity_file
from .write import replace_file

if TYPE_CHECKING:
    from .model import Project, SiteConfig

#: What makes every page, not one: a change here is left to the page pass.
WHOLE_SITE = ("site.yaml", "assets/")
#: The templates of the pages most often open while writing, loaded before the first edit.
WARM_TEMPLATES = ("site/incident.html", "site/brief.html", "site/index.html")
#: The field of Project holding each kind of entity: the name of the kind's folder.
FIELDS = {kind: folder for folder, kind in KINDS.items()}


class Memory:
    """The content as the last page pass validated it, kept between edits, and the pages' templates."""

    def __init__(self, content: Path, cache_folder: Path, theme: Path | None) -> None:
        self.content = content
        self.cache_folder = cache_folder
        self.theme = theme
        self.records: dict[str, cache.FileRecord | None] | None = None
        self._env: jinja2.Environment | None = None
        self._project: Project | None = None  # the project of the records as they were...
        self._since: dict[str, cache.FileRecord | None] = {}  # ...before these files changed (their records then)

    def sync(self) -> None:
        """Take the records the last page pass cached (it validated every file), and get ready to render.

        The project is assembled and the pages' templates loaded now, between edits, so that the first
        look at the next edit patches the project and renders at once.
        """
        self.records = dict(cache.ContentCache(self.cache_folder).read().records) or None
        self._project, self._since = None, {}
        if self.records is None:
            return  # no cache this code can read: each edit waits for the page pass until one is written
        self.project()
        for name in WARM_TEMPLATES:
            self.env.get_template(name)

    def forget(self) -> None:
        """Drop what may no longer hold: read the records and templates again before the next look."""
        self.records = None
        self._env = None
        self._project = None
        self._since = {}

    def take(self, changed: Iterable[str]) -> bool:
        """Parse the changed content files again; return False (forgetting all) if the page pass must do it.

        That is when the records were not read yet, or a change is not one this can take alone: a
        template, site.yaml or an asset, a folder, a link (see the module).
        """
        if self.records is not None and self._update(changed):
            return True
        self.forget()
        return False

    def render(self, paths: Iterable[str], output: Path,
               written: Callable[[str, bytes], None] = lambda path, data: None) -> dict[str, bytes] | None:
        """Render the pages at paths into output from the records; return what each now holds.

        The pages are rendered quickest first (an incident's page before a list of every brief), and
        written() is told of each as soon as it is in output. None when the content does not validate
        as it is: the page pass reports what is wrong.
        """
        from .pipeline import Analyses, render_page
        from .render.pages import page_at

        project = self.project()
        if project is None:
            return None
        analyses = Analyses(project)
        shown: dict[str, bytes] = {}
        for path in sorted(paths, key=lambda path: (not path.startswith("incidents/"), path)):
            page = page_at(project, analyses, path, self.cache_folder / "pieces")
            if page is None:
                continue
            data = render_page(self.env, project, page)
            target = output / path
            if not (target.is_file() and target.read_bytes() == data):
                target.parent.mkdir(parents=True, exist_ok=True)
                replace_file(target, data)
            shown[path] = data
            written(path, data)
        return shown

    def project(self) -> Project | None:
        """Return the project of the records now, None if they do not validate together.

        After edits that keep every entity's id (an incident's title, figures, sources), the last
        project is patched with the new entities; anything else (a file added, removed or renamed, a
        place or an actor, whose nesting may close a circle) assembles it again from all the records.
        """
        from .validate import load_site

        assert self.records is not None
        problems: list[Problem] = []
        site = load_site(self.content, problems)
        if site is None:
            self._project = None
            return None
        project = self._patched(site) if self._project is not None else None
        if project is None:
            loaded = cache.assemble(site, self.records, problems, self.content, warnings=False)
            project = loaded.project if loaded is not None else None
        self._project, self._since = project, {}
        return project

    def _patched(self, site: SiteConfig) -> Project | None:
        """Return the last project with the changed entities in place of the old; None if that may not hold."""
        from .model import Origin
        from .validate import CONTAINMENT, attachment_problem, resolve_asset

        assert self._project is not None and self.records is not None
        last = self._project
        changed: dict[str, dict[str, Any]] = {}
        origins = dict(last.origins)
        for name, before in self._since.items():
            after = self.records.get(name)
            if before is None or after is None or after.entity is None or before.entity is None \
                    or after.kind != before.kind or after.entity.id != before.entity.id \
                    or after.kind in CONTAINMENT or any(p.is_error for p in after.problems):
                return None
            if not all(any((kind, ref) in last.origins for kind in kinds) for kinds, ref in after.refs) \
                    or any(attachment_problem(self.content, a.path) for a in getattr(after.entity, "attachments", ())) \
                    or any(resolve_asset(self.content, src.removeprefix("assets/")) is None for src in after.images):
                return None
            field = FIELDS[after.kind]
            changed.setdefault(field, dict(getattr(last, field)))[after.entity.id] = after.entity
            origins[after.kind, after.entity.id] = Origin(after.rel, after.line, after.digest)
        return dataclasses.replace(last, site=site, origins=origins, **changed)

    @property
    def env(self) -> jinja2.Environment:
        """Return the pages' Jinja environment, made once while the templates stay as they are."""
        from .render.env import make_env

        if self._env is None:
            self._env = make_env(self.theme, self.cache_folder / "jinja")
        return self._env

    def _update(self, changed: Iterable[str]) -> bool:
        """Parse the changed content files again; return False if a change needs the page pass."""
        assert self.records is not None
        base = self.content.absolute()
        for changed_path in changed:
            absolute = Path(changed_path).absolute()
            if not absolute.is_relative_to(base):
                self._env = None  # a template or theme file: compile the templates again
                return False
            name = absolute.relative_to(base).as_posix()
            if name.startswith(WHOLE_SITE):
                return False
            path = self.content / name
            if os.path.islink(path) or path.is_dir() \
                    or (not path.exists() and any(known.startswith(f"{name}/") for known in self.records)):
                return False  # a link (load refuses those that lead out), or a folder made, moved or removed
            kind = content_kind(name)
            if kind is None:
                continue  # a file no build reads: a note beside the incidents, an editor's backup
            self._since.setdefault(name, self.records.get(name))
            if path.is_file():
                self.records[name] = cache.check_file(kind, path, self.content)
            else:
                self.records.pop(name, None)
        return True


def content_kind(name: str) -> str | None:
    """Return the kind of entity a content-relative path holds, as sitrep.load.discover finds them."""
    folder, _, rest = name.partition("/")
    kind = KINDS.get(folder)
    return kind if kind is not None and is_entity_file(kind, rest.rpartition("/")[2]) else None

