"""Hostile values put into a copy of the content, every field at once, keeping every file valid YAML.

Files are composed into YAML node trees rather than loaded: the values nobody touches keep their
exact form, and a rewritten value is written double-quoted, so that any text at all (quotes,
colons, control characters as escapes) stays one valid string.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

#: Free text shown escaped (names, titles, notes): the model allows up to 2,000 characters.
SHORT_TEXT = {"title", "subtitle", "name", "short_name", "note", "quote", "caption", "credit", "action",
              "mission", "admin1", "admin2", "admin3", "organisation", "caveat", "producer", "text", "aliases",
              "speaker"}
#: Markdown: rendered, then sanitised.
MARKDOWN = {"summary", "assessment", "outlook", "profile", "description"}
URLS = {"url", "base_url"}
TAGS = {"tags"}
SHORT_LIMIT, TAG_LIMIT = 2000, 60
_STR = "tag:yaml.org,2002:str"


@dataclass
class Slot:
    """One scalar of one content file, and what kind of field holds it."""

    file: str  # content-relative
    node: yaml.ScalarNode
    loc: tuple[str | int, ...]

    @property
    def field(self) -> str:
        """Return the name of the field: the last key above the value ('aliases' for its items)."""
        keys = [part for part in self.loc if isinstance(part, str)]
        if len(keys) >= 2 and keys[-2] == "names":
            return "names"
        return keys[-1] if keys else ""

    @property
    def kind(self) -> str:
        """Return 'short', 'markdown', 'url', 'tag' or 'structured' (ids, references, codes, dates, numbers)."""
        field = self.field
        if field == "description" and self.file == "site.yaml":
            return "short"
        if field in SHORT_TEXT or field == "names":
            return "short"
        if field in MARKDOWN:
            return "markdown"
        if field in URLS:
            return "url"
        if field in TAGS:
            return "tag"
        return "structured"

    @property
    def limit(self) -> int:
        """Return the longest value the model accepts here."""
        return {"tag": TAG_LIMIT, "short": SHORT_LIMIT}.get(self.kind, 100_000)


@dataclass
class ContentFile:
    """A content file as a YAML node tree, with the Markdown body of a context note."""

    path: Path
    root: yaml.Node
    body: str | None = None  # context notes: the Markdown after the front matter


class HostileTree:
    """A content tree whose every value can be replaced, written back as valid YAML."""

    def __init__(self, content: Path) -> None:
        self.content = content
        self.files: dict[str, ContentFile] = {}
        self._saved: dict[str, tuple[str, dict[str, list[int]]]] = {}  # lines_of's index of each file as saved
        for path in sorted(content.rglob("*")):
            if path.suffix in (".yaml", ".md") and "assets" not in path.relative_to(content).parts:
                self.files[path.relative_to(content).as_posix()] = _read(path)

    def slots(self, *kinds: str) -> list[Slot]:
        """Return every scalar of the given kinds, in file order."""
        found = [slot for rel, item in self.files.items() for slot in _walk(rel, item.root, ())]
        return [slot for slot in found if not kinds or slot.kind in kinds]

    def bodies(self) -> list[str]:
        """Return the content-relative paths of the Markdown bodies (context notes)."""
        return [rel for rel, item in self.files.items() if item.body is not None]

    @staticmethod
    def set(slot: Slot, value: str) -> None:
        """Replace a value with text, written so that YAML reads back exactly that text."""
        slot.node.value = value
        slot.node.tag = _STR
        slot.node.style = "|" if slot.kind == "markdown" and "\n" in value else '"'

    def set_body(self, rel: str, text: str) -> None:
        """Replace the Markdown body of a context note."""
        self.files[rel].body = text

    def add(self, rel: str, key: str, value: str | list[dict[str, str]]) -> None:
        """Add a key at the top of a file: a text, or a list of mappings of text (e.g. attachments)."""
        root = self.files[rel].root
        assert isinstance(root, yaml.MappingNode)
        if isinstance(value, str):
            node: yaml.Node = yaml.ScalarNode(_STR, value, style='"')
        else:
            node = yaml.SequenceNode("tag:yaml.org,2002:seq", [
                yaml.MappingNode("tag:yaml.org,2002:map", [
                    (yaml.ScalarNode(_STR, k), yaml.ScalarNode(_STR, v, style='"')) for k, v in item.items()])
                for item in value])
        root.value.append((yaml.ScalarNode(_STR, key), node))

    def add_to_every(self, having: str, key: str, value: str, unless: str | None = None) -> None:
        """Add key: value to every mapping that has the key having and not unless (e.g. a url to every citation)."""
        for item in self.files.values():
            for mapping in _mappings(item.root):
                keys = [k.value for k, _ in mapping.value]
                if having in keys and key not in keys and (unless is None or unless not in keys):
                    mapping.value.append((yaml.ScalarNode(_STR, key), yaml.ScalarNode(_STR, value, style='"')))

    def save(self) -> None:
        """Write every file back."""
        for rel, item in self.files.items():
            text = yaml.serialize(item.root, allow_unicode=True, width=10**9)
            if item.body is not None:
                text = f"---\n{text}---\n{item.body}"
            (self.content / rel).write_text(text, encoding="utf-8")

    def lines_of(self, value: str) -> set[tuple[str, int]]:
        """Return the (content-relative path, 1-based line) of every saved value equal to value."""
        found = set()
        for rel in self.files:
            found |= {(rel, line) for line in self._saved_lines(rel).get(value, ())}
        return found

    def _saved_lines(self, rel: str) -> dict[str, list[int]]:
        """Return the 1-based lines of every value of a file as saved, read again only once it changed."""
        path = self.content / rel
        text = path.read_text(encoding="utf-8")
        if rel not in self._saved or self._saved[rel][0] != text:
            lines: dict[str, list[int]] = {}
            for slot in _walk(rel, _compose_fast(text.split("---\n", 2)[1] if path.suffix == ".md" else text), ()):
                lines.setdefault(slot.node.value, []).append(slot.node.start_mark.line + 1 + _front_offset(path))
            self._saved[rel] = (text, lines)
        return self._saved[rel][1]


def _read(path: Path) -> ContentFile:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".md":
        _, front, body = text.split("---\n", 2)
        return ContentFile(path, yaml.compose(front), body)
    return ContentFile(path, yaml.compose(text))


def _compose_fast(text: str) -> yaml.Node:
    """Compose with libyaml, which places every node as the Python composer does, forty times faster.

    libyaml refuses an escaped lone surrogate ("\\uD800") that the Python composer reads: that file
    is composed in Python.
    """
    try:
        return yaml.compose(text, Loader=yaml.CSafeLoader)
    except yaml.YAMLError:
        return yaml.compose(text)


def _front_offset(path: Path) -> int:
    """Return the lines before the YAML of a file: 1 for a context note's opening '---'."""
    return 1 if path.suffix == ".md" else 0


def _mappings(node: yaml.Node) -> Iterator[yaml.MappingNode]:
    if isinstance(node, yaml.MappingNode):
        yield node
        for _, value in node.value:
            yield from _mappings(value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _mappings(item)


def _walk(rel: str, node: yaml.Node, loc: tuple[str | int, ...]) -> Iterator[Slot]:
    if isinstance(node, yaml.ScalarNode):
        if loc:
            yield Slot(rel, node, loc)
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield from _walk(rel, value, (*loc, key.value))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _walk(rel, item, (*loc, index))


def chunks(values: list[str], start: int, limit: int, separator: str = " ") -> str:
    """Return values from start onwards (wrapping round), joined, as many as fit within limit characters."""
    picked: list[str] = []
    size = 0
    for offset in range(len(values)):
        value = values[(start + offset) % len(values)]
        extra = len(value) + (len(separator) if picked else 0)
        if size + extra > limit:
            if picked:
                break
            continue
        picked.append(value)
        size += extra
    return separator.join(picked)
