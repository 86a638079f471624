"""Numbered source notes: each distinct report cited gets a number, in the order first cited."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

from ..analyse import Grade, grade
from ..model import Citation, Project, Source


@dataclass(frozen=True)
class Note:
    """One endnote: a report by a source, with its grade."""

    number: int
    citation: Citation
    source: Source
    via: Source | None
    grade: Grade


class Notes:
    """The source notes of one document, filled as the template cites."""

    def __init__(self, project: Project, anchor: str = "note") -> None:
        self.project = project
        self.anchor = anchor
        self.items: list[Note] = []
        self._numbers: dict[Citation, int] = {}

    def number(self, citation: Citation) -> int:
        """Return the note number of a citation, adding it if new."""
        if citation not in self._numbers:
            number = len(self.items) + 1
            self._numbers[citation] = number
            via = self.project.sources.get(citation.via) if citation.via else None
            self.items.append(Note(number, citation, self.project.sources[citation.source], via,
                                   grade(self.project, citation)))
        return self._numbers[citation]

    def cite(self, citations: list[Citation] | tuple[Citation, ...]) -> Markup:
        """Return superscript links to the notes for these citations."""
        if not citations:
            return Markup("")
        numbers = sorted({self.number(c) for c in citations})
        links = ", ".join(f'<a href="#{self.anchor}-{n}">{n}</a>' for n in numbers)
        label = escape("Sources: " + ", ".join(str(n) for n in numbers))
        return Markup(f'<sup class="cite" role="group" aria-label="{label}">{links}</sup>')
