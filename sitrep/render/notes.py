"""Endnotes: one per document cited, numbered in the order first cited; grades stay where cited."""

from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup, escape

from ..analyse import Grade, grade
from ..model import Citation, Project, Source
from ..sourcing import Cited, cited


@dataclass(frozen=True)
class Relay:
    """A document on the way from the cited one to the reader, with its source and its own note, if any."""

    document: Cited
    source: Source
    number: int | None = None


@dataclass
class Note:
    """One endnote: a document, the relays it is known through, and the passages cited from it."""

    number: int
    document: Cited
    source: Source
    chain: tuple[Relay, ...]
    passages: list[str] = field(default_factory=list)
    numbers: dict[tuple[object, ...], int] = field(default_factory=dict, repr=False)

    @property
    def relays(self) -> tuple[Relay, ...]:
        """Return the relays to print: up to the first that has a note of its own, which tells the rest.

        Read once every citation is numbered, i.e. when the notes section is printed.
        """
        shown: list[Relay] = []
        for relay in self.chain:
            number = self.numbers.get(relay.document.key)
            shown.append(Relay(relay.document, relay.source, number))
            if number is not None:
                break
        return tuple(shown)

    @property
    def link(self) -> str | None:
        """Return the URL printed in the note: the document's, or that of the relay it is known through."""
        return self.document.link


class Notes:
    """The endnotes of one page or brief, filled as the template cites."""

    def __init__(self, project: Project, anchor: str = "note") -> None:
        self.project = project
        self.anchor = anchor
        self.items: list[Note] = []
        self._numbers: dict[tuple[object, ...], int] = {}

    def number(self, citation: Citation) -> int:
        """Return the note number of a citation's document, adding a note if it is new."""
        document = cited(self.project, citation)
        number = self._numbers.get(document.key)
        if number is None:
            number = self._numbers[document.key] = len(self.items) + 1
            relays = tuple(Relay(r, self.project.sources[r.source]) for r in document.chain())
            self.items.append(Note(number, document, self.project.sources[document.source], relays,
                                   numbers=self._numbers))
        passage = _passage(citation)
        note = self.items[number - 1]
        if passage and passage not in note.passages:
            note.passages.append(passage)
        return number

    def cite(self, citations: list[Citation] | tuple[Citation, ...]) -> Markup:
        """Return superscript links to the notes for these citations, each with its statement's grade."""
        if not citations:
            return Markup("")
        marks = sorted({(self.number(c), grade(self.project, c)) for c in citations},
                       key=lambda mark: (mark[0], mark[1].rank))
        links = ", ".join(f'<a href="#{self.anchor}-{n}">{n}</a>\u2009<abbr class="grade" '
                          f'title="{escape(g.meaning)}">{g}</abbr>' for n, g in marks)
        label = escape("Sources: " + "; ".join(f"note {n}, graded {g}" for n, g in marks))
        return Markup(f'<sup class="cite" role="group" aria-label="{label}">{links}</sup>')

    def grades(self, citations: list[Citation] | tuple[Citation, ...]) -> list[Grade]:
        """Return the grades of citations, once each, best first."""
        return sorted({grade(self.project, c) for c in citations}, key=lambda g: g.rank)


def _passage(citation: Citation) -> str:
    """Return the pinpoint and quote of a citation as a note lists them: 'para. 4: “…”'."""
    quote = f"“{citation.quote}”" if citation.quote else ""
    return ": ".join(part for part in (citation.pinpoint or "", quote) if part)
