"""Load stage: read content files into plain data that remembers where every value came from.

YAML is parsed with libyaml's composer (never constructing Python objects from tags), then
walked by hand so that duplicate keys, runaway alias expansion and absurd nesting are refused
with a file, line and column instead of a traceback or an exhausted machine.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import Problem

try:  # libyaml is an order of magnitude faster; fall back to pure Python where it is missing
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

#: Folders of content/ and the kind of entity each holds.
KINDS: dict[str, str] = {
    "incidents": "incident",
    "actors": "actor",
    "locations": "location",
    "sources": "source",
    "deployments": "deployment",
    "briefs": "brief",
    "context": "context",
}

MAX_FILE_BYTES = 1024 * 1024  # a real incident is a few KB; anything near 1 MiB is a paste accident
MAX_DEPTH = 24  # the deepest real file nests about 6 levels
MAX_NODES = 50_000  # bounds alias expansion ("billion laughs") and huge documents alike

Path_ = tuple[Any, ...]


@dataclass(frozen=True)
class Mark:
    """A 1-based line and column in a file."""

    line: int
    column: int


@dataclass(frozen=True)
class Document:
    """One content file's data, with the position of every key and value in it."""

    kind: str
    path: Path
    rel: str
    data: Any
    marks: dict[Path_, Mark] = field(repr=False)
    key_marks: dict[Path_, Mark] = field(repr=False)
    body: str = ""
    body_line: int = 0
    digest: str = ""

    def mark(self, loc: Path_, *, key: bool = False) -> Mark:
        """Return the position of the value (or key) at loc, falling back to its nearest parent."""
        loc = tuple(loc)
        if key and loc in self.key_marks:
            return self.key_marks[loc]
        while loc:
            if loc in self.marks:
                return self.marks[loc]
            loc = loc[:-1]
        return self.marks.get((), Mark(1, 1))

    def problem(self, loc: Path_, message: str, *, key: bool = False, severity: str = "error") -> Problem:
        """Return a Problem located at loc in this document."""
        mark = self.mark(loc, key=key)
        return Problem(self.rel, mark.line, mark.column, message, severity)


class LoadFailed(Exception):
    """A file could not be loaded; carries the problems found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems)
        self.problems = problems


def discover(content_dir: Path) -> list[tuple[str, Path]]:
    """Return (kind, path) for every content file, in a stable order."""
    found: list[tuple[str, Path]] = []
    for folder, kind in KINDS.items():
        base = content_dir / folder
        if not base.is_dir():
            continue
        suffixes = (".md",) if kind == "context" else (".yaml", ".yml")
        for path in sorted(base.rglob("*")):
            if path.suffix in suffixes and path.is_file() and not path.name.startswith("."):
                found.append((kind, path))
    return found


def load_file(kind: str, path: Path, content_dir: Path) -> Document:
    """Read and parse one content file, raising LoadFailed with every problem found."""
    rel = _display_path(path, content_dir)
    raw = _read_bytes(path, rel)
    text = _decode(raw, rel)
    body, body_line = "", 0
    if kind == "context":
        text, body, body_line = _split_front_matter(text, rel)
    data, marks, key_marks = parse_yaml(text, rel)
    if not isinstance(data, dict):
        found = "nothing" if data is None else _type_name(data)
        line = marks.get((), Mark(1, 1))
        raise LoadFailed([Problem(rel, line.line, line.column,
                                  f"expected a mapping of keys to values at the top of the file, found {found}")])
    digest = hashlib.sha256(raw).hexdigest()
    return Document(kind, path, rel, data, marks, key_marks, body, body_line, digest)


def parse_yaml(text: str, rel: str, line_offset: int = 0) -> tuple[Any, dict[Path_, Mark], dict[Path_, Mark]]:
    """Parse YAML text into plain data plus the marks of every value and key."""
    _refuse_tabs(text, rel, line_offset)
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        raise LoadFailed([_syntax_problem(exc, rel, line_offset)]) from None
    except yaml.YAMLError as exc:
        raise LoadFailed([Problem(rel, 1, 1, f"YAML error: {exc}")]) from None
    if node is None:
        raise LoadFailed([Problem(rel, 1 + line_offset, 1, "the file is empty: write the entity's fields, "
                                  "starting with 'id:' (see docs/analyst-guide.md)")])
    walker = _Walker(rel, line_offset)
    data = walker.walk(node, (), 0)
    if walker.problems:
        raise LoadFailed(walker.problems)
    return data, walker.marks, walker.key_marks


class _Walker:
    """Turn a composed YAML node graph into plain Python data, recording marks."""

    def __init__(self, rel: str, line_offset: int) -> None:
        self.rel = rel
        self.offset = line_offset
        self.marks: dict[Path_, Mark] = {}
        self.key_marks: dict[Path_, Mark] = {}
        self.problems: list[Problem] = []
        self.count = 0
        self.constructor = yaml.constructor.SafeConstructor()

    def mark(self, node: yaml.Node) -> Mark:
        return Mark(node.start_mark.line + 1 + self.offset, node.start_mark.column + 1)

    def fail(self, node: yaml.Node, message: str) -> None:
        mark = self.mark(node)
        self.problems.append(Problem(self.rel, mark.line, mark.column, message))

    def walk(self, node: yaml.Node, loc: Path_, depth: int) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            self.fail(node, f"the document expands to more than {MAX_NODES:,} values (too many aliases "
                      "or a runaway paste); split it or remove the '*' aliases")
            raise LoadFailed(self.problems)
        if depth > MAX_DEPTH:
            self.fail(node, f"nesting deeper than {MAX_DEPTH} levels; no sitrep file needs that many")
            raise LoadFailed(self.problems)
        self.marks[loc] = self.mark(node)
        if isinstance(node, yaml.MappingNode):
            return self.walk_mapping(node, loc, depth)
        if isinstance(node, yaml.SequenceNode):
            return [self.walk(item, (*loc, i), depth + 1) for i, item in enumerate(node.value)]
        return self.scalar(node)

    def walk_mapping(self, node: yaml.MappingNode, loc: Path_, depth: int) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.fail(key_node, "a key must be plain text, not a list or mapping")
                continue
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.fail(key_node, "merge keys ('<<') are not supported; write the fields out")
                continue
            key = self.scalar(key_node)
            if not isinstance(key, (str, int)):
                key = str(key)
            if key in result:
                first = self.key_marks[(*loc, key)]
                self.fail(key_node, f"duplicate key '{key}' (first given on line {first.line}); "
                          "keep one of them")
                continue
            self.key_marks[(*loc, key)] = self.mark(key_node)
            result[key] = self.walk(value_node, (*loc, key), depth + 1)
        return result

    def scalar(self, node: yaml.ScalarNode) -> Any:
        try:
            return self.constructor.construct_object(node, deep=True)
        except (ValueError, yaml.constructor.ConstructorError) as exc:
            if node.tag == "tag:yaml.org,2002:timestamp":
                self.fail(node, f"'{node.value}' is not a real date ({exc}); check the day and month")
            else:
                self.fail(node, f"cannot read value '{node.value}': {exc}")
            return None


def _display_path(path: Path, content_dir: Path) -> str:
    """Return path as the user knows it: relative to the content folder's parent when possible."""
    try:
        return str(path.relative_to(content_dir.parent))
    except ValueError:
        return str(path)


def _read_bytes(path: Path, rel: str) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise LoadFailed([Problem(rel, 1, 1, f"file is {size:,} bytes, over the {MAX_FILE_BYTES:,}-byte "
                                      "limit for one content file; split it or remove pasted material")])
        return path.read_bytes()
    except OSError as exc:
        raise LoadFailed([Problem(rel, 1, 1, f"cannot read file: {exc.strerror}")]) from None


def _decode(raw: bytes, rel: str) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        raise LoadFailed([Problem(rel, 1, 1, "file starts with a byte-order mark; save it as UTF-8 "
                                  "without BOM")])
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise LoadFailed([Problem(rel, line, column, f"text is not UTF-8 (byte 0x{raw[exc.start]:02x}); "
                                  "save the file as UTF-8")]) from None


def _refuse_tabs(text: str, rel: str, line_offset: int) -> None:
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent and line.strip():
            problems.append(Problem(rel, number + line_offset, indent.index("\t") + 1,
                                    "tab used for indentation; YAML needs spaces"))
    if problems:
        raise LoadFailed(problems)


def _syntax_problem(exc: yaml.MarkedYAMLError, rel: str, line_offset: int) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line = (mark.line + 1 if mark else 1) + line_offset
    column = mark.column + 1 if mark else 1
    what = exc.problem or "syntax error"
    context = f" {exc.context}" if exc.context else ""
    return Problem(rel, line, column, f"YAML syntax error: {what}{context}; check indentation and quoting "
                   "(text with ':' or '#' needs quotes)")


def _split_front_matter(text: str, rel: str) -> tuple[str, str, int]:
    """Return (front matter YAML, Markdown body, body's first line) of a Markdown file."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        raise LoadFailed([Problem(rel, 1, 1, "a context note starts with '---', then its YAML fields "
                                  "(id, title, date), then '---' and the Markdown text")])
    for i, line in enumerate(lines[1:], start=1):
        if line.strip() in ("---", "..."):
            front = "\n" + "".join(lines[1:i])  # a leading blank line keeps YAML line numbers true
            return front, "".join(lines[i + 1:]), i + 2
    raise LoadFailed([Problem(rel, 1, 1, "front matter is not closed: add a line '---' after the fields")])


def _type_name(value: Any) -> str:
    return {list: "a list", str: "text", int: "a number", float: "a number", bool: "true/false"}.get(
        type(value), type(value).__name__)
