"""Sourcing: what each citation points to, how it reached us, and what an editor would query.

A citation names a document (content/documents/) or, in the older form, a source and the outlet
that relayed it; both are read here as a `Cited` document with the chain of documents that relayed
it. Reliability belongs to the document's source, credibility to each cited statement (Admiralty).
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from .model import Brief, Citation, Incident, Project, counted_in, published_after

Loc = tuple[Any, ...]
T = TypeVar("T")


@dataclass(frozen=True)
class Cited:
    """A document as cited: its source, what it is, and the documents it is known through."""

    key: tuple[Any, ...]  # one endnote per key
    source: str
    title: str | None = None
    kind: str | None = None
    published: dt.date | dt.datetime | None = None
    url: str | None = None
    archive_url: str | None = None
    language: str | None = None
    document: str | None = None  # the id of a documents/ file; None for the older {source, via} form
    relayed_by: tuple[Cited, ...] = ()  # the documents that carried it to us, nearest first

    @property
    def published_date(self) -> dt.date | None:
        """Return the day it was published."""
        if isinstance(self.published, dt.datetime):
            return self.published.date()
        return self.published

    def chain(self) -> tuple[Cited, ...]:
        """Return the relays from this document to the nearest one with a link (all of them if none has)."""
        if self.url:
            return ()
        path: list[Cited] = []
        step: Cited | None = self
        while step is not None and step.relayed_by:
            linked = next((r for r in step.relayed_by if r.url), None)
            if linked is not None:
                return (*path, linked)
            step = step.relayed_by[0]
            path.append(step)
        return tuple(path)

    @property
    def link(self) -> str | None:
        """Return the URL a reader can open: its own, or the nearest relaying document's."""
        found = [self.url, *(r.url for r in self.chain())]
        return next((url for url in found if url), None)


class _Memo:
    """What was worked out about the project last asked about, each thing once.

    A document is cited a dozen times on average (115,000 citations at 10,000 incidents name a few
    thousand documents), and what a citation rests on depends on the document alone. The project is
    immutable, so the answers stay right while it is the one asked about; it is held by a weak
    reference, so that it does not outlive its build.
    """

    def __init__(self) -> None:
        self._project: weakref.ref[Project] | None = None
        self._found: dict[tuple[Any, ...], Any] = {}

    def get(self, project: Project, key: tuple[Any, ...], work_out: Callable[[], T]) -> T:
        """Return what is kept under key for project, working it out the first time."""
        if self._project is None or self._project() is not project:
            self._project, self._found = weakref.ref(project), {}
        if key not in self._found:
            self._found[key] = work_out()
        return self._found[key]  # type: ignore[no-any-return]


_MEMO = _Memo()


def cited(project: Project, citation: Citation) -> Cited:
    """Return the document a citation points to, with the documents that relayed it."""
    if citation.document is not None:
        doc_id = citation.document
        return _MEMO.get(project, ("cited", doc_id), lambda: _document(project, doc_id, ()))
    via = (Cited(("source", citation.via), citation.via),) if citation.via else ()
    assert citation.source is not None  # the model requires a document or a source
    return Cited(("source", citation.source, citation.via, citation.title, citation.date, citation.url),
                 citation.source, title=citation.title, published=citation.date, url=citation.url,
                 relayed_by=via)


def _document(project: Project, doc_id: str, seen: tuple[str, ...]) -> Cited:
    doc = project.documents[doc_id]
    relayers = tuple(_document(project, r, (*seen, doc_id)) for r in relayed_by(project).get(doc_id, ())
                     if r not in seen and r != doc_id)
    return Cited(("document", doc_id), doc.source, doc.title, doc.kind, doc.published, doc.url,
                 doc.archive_url, doc.language, doc_id, relayers)


def relayed_by(project: Project) -> dict[str, tuple[str, ...]]:
    """Return, for each document, the documents that relay it, earliest published first."""
    return project.relayed_by


def cited_sources(project: Project, citation: Citation) -> list[str]:
    """Return the ids of the sources behind a citation, once each: its own; the wire it republishes, if it
    is a republication (relays one document); then the sources of the documents that carried it to us."""
    key = ("sources", citation.document, citation.source, citation.via)  # all the answer depends on
    return list(_MEMO.get(project, key, lambda: tuple(_cited_sources(project, citation))))


def _cited_sources(project: Project, citation: Citation) -> list[str]:
    item = cited(project, citation)
    found = [item.source]
    if citation.document is not None:
        found += [project.documents[d].source for d in republished(project, citation.document)]
    stack = list(item.relayed_by)
    while stack:
        relay = stack.pop(0)
        found.append(relay.source)
        stack.extend(relay.relayed_by)
    return list(dict.fromkeys(found))


def republished(project: Project, doc_id: str) -> tuple[str, ...]:
    """Return the documents a republication carries, down its chain while each relays one document."""
    return _MEMO.get(project, ("republished", doc_id), lambda: tuple(_carried(project, doc_id)))


def _carried(project: Project, doc_id: str) -> Iterator[str]:
    seen = {doc_id}
    relays = project.documents[doc_id].relays
    while len(relays) == 1 and relays[0] in project.documents and relays[0] not in seen:
        seen.add(relays[0])
        yield relays[0]
        relays = project.documents[relays[0]].relays


def cited_documents(project: Project, citation: Citation) -> list[str]:
    """Return the ids of the documents a citation rests on: the cited one and every relay of it."""
    if citation.document is None:
        return []
    doc_id = citation.document
    return list(_MEMO.get(project, ("documents", doc_id), lambda: tuple(_relays_of(project, doc_id))))


def _relays_of(project: Project, doc_id: str) -> list[str]:
    """Return a document's id and those of every document relaying it, nearest first."""
    found: list[str] = []
    stack = [doc_id]
    while stack:
        doc_id = stack.pop(0)
        if doc_id not in found:
            found.append(doc_id)
            stack.extend(relayed_by(project).get(doc_id, ()))
    return found


# --- Independence ---------------------------------------------------------------------------

def relayed_closure(project: Project, doc_id: str) -> set[str]:
    """Return a document and every document it relays, at any depth."""
    found: set[str] = set()
    stack = [doc_id]
    while stack:
        current = stack.pop()
        if current in found or current not in project.documents:
            continue
        found.add(current)
        stack.extend(project.documents[current].relays)
    return found


def dependence(project: Project, first: Citation, second: Citation) -> str | None:
    """Return how two citations depend on each other ('same source', 'same chain', 'one wire'), or None.

    Two statements are independent when they come from different sources and neither reached us through
    the other; two outlets republishing one wire story are the wire once, not two confirmations.
    """
    one, other = cited(project, first), cited(project, second)
    if first.document and second.document:
        reach, other_reach = relayed_closure(project, first.document), relayed_closure(project, second.document)
        if first.document in other_reach or second.document in reach:
            return "same chain"
        if reach & other_reach:
            return "one wire"
    if one.source == other.source:
        relays = {r.source for r in one.relayed_by}, {r.source for r in other.relayed_by}
        plain = first.document is None and second.document is None
        return "one wire" if plain and relays[0] != relays[1] else "same source"
    return None


@dataclass(frozen=True)
class Finding:
    """Something an editor would query, located in the content file that says it."""

    kind: str
    entity_id: str
    loc: Loc
    message: str


def grade_findings(project: Project) -> Iterator[Finding]:
    """Yield credibility 1 on facts one chain carries, and relays of one wire counted as independent."""
    for kind, entity_id, loc, citations in facts(project):
        confirmed = [i for i, c in enumerate(citations) if c.credibility == 1]
        if confirmed:
            finding = _independence(project, citations, confirmed[0])
            if finding:
                yield Finding(kind, entity_id, (*loc, confirmed[0], "credibility"), finding)


def _independence(project: Project, citations: Sequence[Citation], first: int) -> str | None:
    """Return why credibility 1 is not earned by these citations, or None when two are independent."""
    links = {(i, j): dependence(project, citations[i], citations[j])
             for i in range(len(citations)) for j in range(i + 1, len(citations))}
    if any(reason is None for reason in links.values()):
        return None
    wire = next(((i, j) for (i, j), reason in links.items() if reason == "one wire"), None)
    if wire is not None:
        i, j = wire
        common = _common_origin(project, citations[i], citations[j])
        return (f"credibility 1 counts {_carrier(project, citations[i])} and {_carrier(project, citations[j])} "
                f"as independent, but both relay {common}: two relays of one wire are one source; grade it "
                "2 or lower, or cite a source that reported it independently")
    return (f"credibility 1 means confirmed by other independent sources, but only one chain of relays "
            f"carries this ({_chain_text(project, citations[first])}); grade it 2 or lower, or add an "
            "independent source")


def _common_origin(project: Project, first: Citation, second: Citation) -> str:
    """Return what two relays both carry: a document's id, or for the older form the source's name."""
    if first.document and second.document:
        common = relayed_closure(project, first.document) & relayed_closure(project, second.document)
        nearest = [d for d in common if not any(d in relayed_closure(project, o) for o in common if o != d)]
        return ", ".join(f"'{d}'" for d in sorted(nearest))
    return project.sources[cited(project, first).source].name


def _carrier(project: Project, citation: Citation) -> str:
    """Return how a citation names what it cites: 'document x' or 'source via outlet'."""
    if citation.document is not None:
        return f"'{citation.document}'"
    return f"'{citation.source}" + (f" via {citation.via}'" if citation.via else "'")


def _chain_text(project: Project, citation: Citation) -> str:
    """Return the route a citation reached the reader by: 'Iraqi security forces → AFP → Mint'."""
    item = cited(project, citation)
    return " → ".join(project.sources[step.source].name for step in (item, *item.chain()))


#: The kinds of entity that cite, and where the project holds each.
CITING = {"incident": "incidents", "actor": "actors", "deployment": "deployments", "context": "context",
          "brief": "briefs"}
#: The keys of a citation a finding points at: its grade, and the document or date that makes it late.
FINDING_KEYS = ("credibility", "document", "date")


def facts(project: Project) -> Iterator[tuple[str, str, Loc, tuple[Citation, ...]]]:
    """Yield every supported fact in the content: (kind, id, where its sources are, its citations)."""
    for kind, collection in CITING.items():
        for entity in getattr(project, collection).values():
            yield from ((kind, entity.id, loc, cites) for loc, cites in entity_facts(kind, entity))


def entity_facts(kind: str, entity: Any) -> Iterator[tuple[Loc, tuple[Citation, ...]]]:
    """Yield each supported fact of one entity with the place of its sources in its file."""
    if kind == "incident":
        yield from incident_facts(entity)
    elif kind == "deployment":
        for i, figure in enumerate(entity.figures):
            yield ("figures", i, "sources"), tuple(figure.sources)
    elif kind == "brief":
        for i, section in enumerate(entity.sections):
            if section.sources:
                yield ("sections", i, "sources"), tuple(section.sources)
    elif kind in CITING and entity.sources:
        yield ("sources",), tuple(entity.sources)


def finding_locs(kind: str, entity: Any) -> list[Loc]:
    """Return every place in an entity's file a finding about it can point at, in a fixed order.

    A finding names one citation's grade, document or date (see grade_findings, cutoff_findings); the
    build's cache keeps the position of each of these places, so that a warning about a file that did
    not change gets its line without the file being parsed again.
    """
    return [(*loc, i, key) for loc, cites in entity_facts(kind, entity)
            for i in range(len(cites)) for key in FINDING_KEYS]


def incident_facts(incident: Incident) -> Iterator[tuple[Loc, tuple[Citation, ...]]]:
    """Yield each fact of an incident with the place of its sources in the file."""
    yield ("sources",), tuple(incident.sources)
    for field in ("claims", "casualties", "response"):
        for i, part in enumerate(getattr(incident, field)):
            yield (field, i, "sources"), tuple(part.sources)


# --- Cut-off ------------------------------------------------------------------------------

def cutoff_findings(project: Project) -> Iterator[Finding]:
    """Yield documents a brief cites that were published after its cut-off."""
    from .analyse import period_incidents, posture  # analyse imports the model only; keep this one-way

    for brief in project.briefs_by_date[::-1]:
        shown = period_incidents(project, brief.period, brief.countries, brief.cutoff)
        cited_here = _incidents_cited(project, brief, shown)
        cited_here += [("brief", brief.id, loc, cites) for loc, cites in entity_facts("brief", brief)]
        for ref in brief.context:
            note = project.context.get(ref)
            if note is not None and note.sources:
                cited_here.append(("context", note.id, ("sources",), tuple(note.sources)))
        for item in posture(project.deployments.values(), brief.cutoff.date(), brief.countries):
            # the first figure equal to the current one, as list.index finds it; comparing the dates first
            # spares comparing whole models (a third of a check's time at 10,000 incidents)
            i = next(n for n, figure in enumerate(item.deployment.figures)
                     if figure.as_of == item.current.as_of and figure == item.current)
            cited_here.append(("deployment", item.deployment.id, ("figures", i, "sources"),
                               tuple(item.current.sources)))
        yield from _late(project, brief, cited_here)


def incident_cutoff_findings(project: Project, incidents: Iterable[Incident],
                             twice: frozenset[str]) -> Iterator[Finding]:
    """Yield the findings of cutoff_findings about these incidents alone (twice: the recorded_twice of all).

    The briefs, places and documents are project's; its incidents need not be all of them (cache.quick_check).
    """
    incidents = list(incidents)
    for brief in project.briefs_by_date[::-1]:
        period = brief.period
        inside = sorted((i for i in incidents if period.start <= i.date <= period.end
                         and counted_in(project, i, brief.countries, twice)
                         and project.incident_known_by(i, brief.cutoff)), key=lambda i: i.sort_key)
        yield from _late(project, brief, _incidents_cited(project, brief, inside))


Cites = list[tuple[str, str, Loc, tuple[Citation, ...]]]


def _incidents_cited(project: Project, brief: Brief, incidents: Iterable[Incident]) -> Cites:
    """Return the facts of a brief's incidents that the brief shows, with their citations."""
    # a casualty figure given or a claim made after the cut-off is not in the brief: the next one shows it
    # as new since the previous brief
    return [("incident", incident.id, loc, c) for incident in incidents for loc, c in incident_facts(incident)
            if _shown(project, incident, loc, brief)]


def _late(project: Project, brief: Brief, cited_here: Cites) -> Iterator[Finding]:
    """Yield the citations among these facts that the brief could not have read by its cut-off."""
    for kind, entity_id, loc, citations in cited_here:
        for i, citation in enumerate(citations):
            late = _after_cutoff(project, citation, brief)
            if late:
                yield Finding(kind, entity_id, (*loc, i, "document" if citation.document else "date"), late)


def _shown(project: Project, incident: Incident, loc: Loc, brief: Brief) -> bool:
    """Return False for a casualty report or claim of the incident that came after the brief's cut-off."""
    if loc[0] == "casualties":
        return project.report_known_by(incident.casualties[loc[1]], brief.cutoff)
    if loc[0] == "claims":
        return project.claim_known_by(incident.claims[loc[1]], brief.cutoff)
    return True


def _after_cutoff(project: Project, citation: Citation, brief: Brief) -> str | None:
    """Return why a citation could not have been read by a brief's cut-off, or None."""
    if citation.document is None and not published_after(citation.date, brief.cutoff):
        return None  # the older form: its relaying outlet has no date, so only its own can be late
    item = cited(project, citation)
    if published_after(item.published, brief.cutoff):
        return (f"{_named(item)} was published {_when(item.published)}, after the cut-off of brief "
                f"'{brief.id}' ({brief.cutoff.isoformat(' ', 'minutes')}) that cites it; cite what was "
                "known by then, or move the cut-off")
    known = [r for r in item.relayed_by if r.published is not None] if item.published is None else []
    if known and all(published_after(r.published, brief.cutoff) for r in known):
        return (f"{_named(item)} is known only through {', '.join(_named(r) for r in known)}, published "
                f"after the cut-off of brief '{brief.id}' ({brief.cutoff.isoformat(' ', 'minutes')}) that "
                "cites it; cite what was known by then, or move the cut-off")
    return None


def _named(item: Cited) -> str:
    return f"document '{item.document}'" if item.document else f"the report '{item.title or item.source}'"


def _when(published: dt.date | dt.datetime | None) -> str:
    if isinstance(published, dt.datetime):
        return published.isoformat(" ", "minutes")
    return str(published)
