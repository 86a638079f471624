"""Load stage: read content files into plain data that remembers where every value came from.

YAML is parsed with libyaml's composer (never constructing Python objects from tags), then
walked by hand so that duplicate keys, runaway alias expansion and absurd nesting are refused
with a file, line and column instead of a traceback or an exhausted machine.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import EDITOR_BREAK, Problem

try:  # libyaml is an order of magnitude faster; fall back to pure Python where it is missing
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

#: YAML also breaks lines at U+0085, U+2028 and U+2029, which editors show inside a line, so every
#: line and column reported is translated to the editor's count (see errors.editor_lines).
_YAML_ONLY_BREAKS = "\x85\u2028\u2029"
_YAML_BREAK = re.compile("\r\n|[\n\r\x85\u2028\u2029]")


class _EditorPositions:
    """Translate a YAML mark's 0-based line and column into the 1-based ones an editor shows."""

    def __init__(self, text: str, line_offset: int) -> None:
        self.offset = line_offset
        self.table: list[tuple[int, int]] | None = None  # per YAML line: (editor line, columns before it)
        if any(ch in text for ch in _YAML_ONLY_BREAKS):
            table, line, start = [(0, 0)], 0, 0
            for match in _YAML_BREAK.finditer(text):
                if match.group() in _YAML_ONLY_BREAKS:
                    table.append((line, match.end() - start))
                else:
                    line, start = line + 1, match.end()
                    table.append((line, 0))
            self.table = table

    def __call__(self, line: int, column: int) -> tuple[int, int]:
        if self.table is None:
            return line + 1 + self.offset, column + 1
        last = len(self.table) - 1
        editor_line, shift = self.table[min(line, last)]
        return editor_line + max(line - last, 0) + 1 + self.offset, column + shift + 1


#: Folders of content/ and the kind of entity each holds.
KINDS: dict[str, str] = {
    "incidents": "incident",
    "actors": "actor",
    "locations": "location",
    "sources": "source",
    "deployments": "deployment",
    "briefs": "brief",
    "context": "context",
    "documents": "document",
}

MAX_FILE_BYTES = 1024 * 1024  # a real incident is a few KB; anything near 1 MiB is a paste accident
MAX_DEPTH = 24  # the deepest real file nests about 6 levels
MAX_NODES = 50_000  # bounds alias expansion ("billion laughs") and huge documents alike
MAX_TEXT = 2 * MAX_FILE_BYTES  # bounds a long value repeated by aliases: 200 KB can otherwise become 1 GB

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
    """Return (kind, path) for every content file, in a stable order: by folder, then by name."""
    return [(kind, Path(path)) for kind, _name, path in content_files(content_dir)]


def content_files(content_dir: Path) -> list[tuple[str, str, str]]:
    """Return (kind, content-relative name, path) for every content file, as discover orders them.

    Names as strings: a check of 13,000 files from the build's cache spends a tenth of its time making
    paths otherwise.
    """
    found: list[tuple[str, str, str]] = []
    for folder, kind in KINDS.items():
        base = os.path.join(content_dir, folder)
        if not os.path.isdir(base):
            continue
        found.extend((kind, "/".join((folder, *parts)), path) for parts, path in sorted(_files(base))
                     if is_entity_file(kind, parts[-1]))
    return found


def is_entity_file(kind: str, file_name: str) -> bool:
    """Return True if a file of this name in a kind's folder holds an entity (not hidden, the right suffix)."""
    suffixes = (".md",) if kind == "context" else (".yaml", ".yml")
    return file_name.endswith(suffixes) and not file_name.startswith(".")


def _files(folder: str, parts: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], str]]:
    """Yield (path parts below the first folder, path) for every file under a folder, as Path.rglob would.

    Links to files are followed, links to folders are not, and unreadable folders are skipped.
    """
    try:
        with os.scandir(folder) as entries:
            listed = list(entries)
    except (PermissionError, FileNotFoundError, NotADirectoryError):
        return
    for entry in listed:
        if entry.is_dir(follow_symlinks=False):
            yield from _files(entry.path, (*parts, entry.name))
        elif entry.is_symlink() or entry.is_file():  # load_file refuses a link leading out, looping or broken
            yield (*parts, entry.name), entry.path


def leaves_content(path: Path, content_dir: Path) -> str | None:
    """Return why a file under content_dir may not be read (a link out, a loop, a broken link), or None.

    Content files are confined to content/ as attachments are: git stores symbolic links, so a pull
    request can add `incidents/x.yaml -> /etc/passwd`, which must be refused before it is read. Only
    the names between content/ and the file are looked at (lstat, cheap), unless one of them is a link.
    """
    try:
        relative = path.relative_to(content_dir)
    except ValueError:
        return "is not inside the content folder"
    if ".." in relative.parts:
        return "is not inside the content folder"
    step = content_dir
    for part in relative.parts:
        step = step / part
        if os.path.islink(step):
            return _link_problem(path, content_dir)
    return None


def _link_problem(path: Path, content_dir: Path) -> str | None:
    """Return what is wrong with a file reached through a link, or None if it is a file inside content/."""
    try:
        real = os.path.realpath(path, strict=True)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "is a symbolic link that leads back to itself (a loop); replace it with the file"
        return "is a symbolic link to a file that does not exist; replace it with the file or delete it"
    root = os.path.realpath(content_dir)
    if not real.startswith(root.rstrip(os.sep) + os.sep):
        return ("is a symbolic link leading out of the content folder; content files must lie inside it "
                "(replace the link with the file itself)")
    if not os.path.isfile(real):
        return "is a symbolic link to a folder, not a file; replace it with the file or delete it"
    return None


def load_file(kind: str, path: Path, content_dir: Path) -> Document:
    """Read and parse one content file, raising LoadFailed with every problem found."""
    rel = display_path(path, content_dir)
    outside = leaves_content(path, content_dir)
    if outside:
        raise LoadFailed([Problem(rel, 1, 1, f"this file {outside}")])
    raw = _read_bytes(path, rel)
    text = _decode(raw, rel)
    body, body_line = "", 0
    if kind == "context":
        text, body, body_line = _split_front_matter(text, rel)
    data, marks, key_marks = parse_yaml(text, rel)
    if not isinstance(data, dict):
        found = "nothing" if data is None else _type_name(data)
        top = marks.get((), Mark(1, 1))
        raise LoadFailed([Problem(rel, top.line, top.column, "expected a mapping of keys to values at the "
                                  f"top of the file, found {found}")])
    digest = hashlib.sha256(raw).hexdigest()
    return Document(kind, path, rel, data, marks, key_marks, body, body_line, digest)


def parse_yaml(text: str, rel: str, line_offset: int = 0) -> tuple[Any, dict[Path_, Mark], dict[Path_, Mark]]:
    """Parse YAML text into plain data plus the marks of every value and key."""
    position = _EditorPositions(text, line_offset)
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        # A tab is only wrong where it breaks the parse: pasted text in a '|' block may keep its tabs.
        tab = _tab_problem(text, exc, rel, position)
        raise LoadFailed([tab or _syntax_problem(exc, rel, position)]) from None
    except yaml.reader.ReaderError as exc:
        raise LoadFailed([_character_problem(exc, text, rel, line_offset)]) from None
    except yaml.YAMLError as exc:  # pragma: no cover - every libyaml error is one of the above
        raise LoadFailed([Problem(rel, 1 + line_offset, 1, f"YAML error: {exc}")]) from None
    if node is None:
        raise LoadFailed([Problem(rel, 1 + line_offset, 1, "the file is empty: write the entity's fields, "
                                  "starting with 'id:' (see docs/analyst-guide.md)")])
    walker = _Walker(rel, position)
    data = walker.walk(node, (), 0)
    if walker.problems:
        raise LoadFailed(walker.problems)
    return data, walker.marks, walker.key_marks


class _Walker:
    """Turn a composed YAML node graph into plain Python data, recording marks."""

    def __init__(self, rel: str, position: _EditorPositions) -> None:
        self.rel = rel
        self.position = position
        self.marks: dict[Path_, Mark] = {}
        self.key_marks: dict[Path_, Mark] = {}
        self.problems: list[Problem] = []
        self.count = 0
        self.text = 0
        self.open: set[int] = set()  # ids of the collections being walked, to catch self-referring aliases
        self.constructor = yaml.constructor.SafeConstructor()

    def mark(self, node: yaml.Node) -> Mark:
        return Mark(*self.position(node.start_mark.line, node.start_mark.column))

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
            self.fail(node, _too_deep())
            raise LoadFailed(self.problems)
        self.marks[loc] = self.mark(node)
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node)
        if id(node) in self.open:
            self.fail(node, "an alias ('*name') refers to the list or mapping that contains it; write the "
                      "value out instead")
            raise LoadFailed(self.problems)
        self.open.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                self.refuse_tag(node, _MAP)
                return self.walk_mapping(node, loc, depth)
            self.refuse_tag(node, _SEQ)
            return [self.walk(item, (*loc, i), depth + 1) for i, item in enumerate(node.value)]
        finally:
            self.open.discard(id(node))

    def refuse_tag(self, node: yaml.Node, expected: str) -> None:
        """Record a problem if node carries an explicit tag that sitrep does not read."""
        if node.tag != expected:
            self.fail(node, f"YAML tags such as '{shorten(_short_tag(node.tag))}' are not supported; remove "
                      "the tag and write the value plainly")

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
            if not isinstance(key, str):
                # Keys are names: '1', 'yes' and '2024-01-01' stay as written (True == 1 would merge keys).
                key = key_node.value
            if key in result:
                first = self.key_marks[(*loc, key)]
                self.fail(key_node, f"duplicate key '{shorten(key)}' (first given on line {first.line}); "
                          "keep one of them")
                continue
            self.key_marks[(*loc, key)] = self.mark(key_node)
            result[key] = self.walk(value_node, (*loc, key), depth + 1)
        return result

    def scalar(self, node: yaml.ScalarNode) -> Any:
        self.text += len(node.value)
        if self.text > MAX_TEXT:
            self.fail(node, f"the document expands to more than {MAX_TEXT:,} characters of text (an "
                      "alias repeats a long value); remove the '*' aliases")
            raise LoadFailed(self.problems)
        implicit = _STR if node.style else _RESOLVER.resolve(yaml.ScalarNode, node.value, (True, False))
        if node.tag != implicit and node.tag != _STR:  # only '!!str' may force a reading
            self.refuse_tag(node, implicit)
            return None
        if node.tag == _VALUE or (node.tag in (_INT, _FLOAT) and ":" in node.value):
            return node.value  # YAML 1.1 reads '23:40' as 1420 (base 60) and '=' as a special key
        try:
            return self.constructor.construct_object(node, deep=True)
        except (ValueError, yaml.constructor.ConstructorError) as exc:
            if node.tag == _TIMESTAMP:
                self.fail(node, f"'{shorten(node.value)}' is not a real date ({exc}); check the day and "
                          "month")
            else:
                tag = shorten(_short_tag(node.tag))
                self.fail(node, f"cannot read '{shorten(node.value)}' as {tag}; put it in quotes if it is "
                          "text")
            return None


_RESOLVER = yaml.resolver.Resolver()
_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_VALUE = "tag:yaml.org,2002:value"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"


def shorten(value: Any, limit: int | None = 60) -> str:
    """Return value as one line for a message: control characters escaped, text over limit cut."""
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(value))
    return text if limit is None or len(text) <= limit else text[: limit - 3] + "..."


def _short_tag(tag: str) -> str:
    """Return a tag as written in YAML: '!!bool' rather than 'tag:yaml.org,2002:bool'."""
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml.org,2002:") else tag


def display_path(path: Path, content_dir: Path) -> str:
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
        before = raw[:exc.start].decode("utf-8")  # valid: the error is the first bad byte
        line, column = _position(before, len(before))
        raise LoadFailed([Problem(rel, line, column, f"text is not UTF-8 (byte 0x{raw[exc.start]:02x}); "
                                  "save the file as UTF-8")]) from None


def _tab_problem(text: str, exc: yaml.MarkedYAMLError, rel: str,
                 position: _EditorPositions) -> Problem | None:
    """Return a problem at the tab that broke the parse, if the failing line is indented with one."""
    mark = exc.problem_mark
    if mark is None:
        return None
    lines = text.splitlines()  # as YAML counts them: the mark's line is one of these
    if mark.line >= len(lines):
        return None
    line = lines[mark.line]
    indent = line[: len(line) - len(line.lstrip(" \t-"))]
    if "\t" not in indent:
        return None
    return Problem(rel, *position(mark.line, indent.index("\t")), "tab used for indentation; YAML needs spaces")


def _syntax_problem(exc: yaml.MarkedYAMLError, rel: str, position: _EditorPositions) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line, column = position(mark.line, mark.column) if mark else position(0, 0)
    if "maximum nesting depth" in (exc.problem or ""):  # libyaml's own limit, far above ours
        return Problem(rel, line, column, _too_deep())
    return Problem(rel, line, column, f"YAML syntax error: {_describe(exc)}; check indentation and quoting "
                   "(text with ':' or '#' needs quotes)")


def _too_deep() -> str:
    return f"nesting deeper than {MAX_DEPTH} levels; no sitrep file needs that many"


def _describe(exc: yaml.MarkedYAMLError) -> str:
    """Return libyaml's problem and context as one phrase, in the order that reads as English."""
    problem = exc.problem or "syntax error"
    context = exc.context or ""
    if context.startswith("found duplicate anchor") and exc.context_mark is not None:
        return f"the same anchor ('&name') is defined twice (first on line {exc.context_mark.line + 1})"
    if not context:
        return problem
    if context.startswith("while "):
        return f"{problem} {context}"
    return f"{context}, {problem}"


def _character_problem(exc: yaml.reader.ReaderError, text: str, rel: str, line_offset: int) -> Problem:
    """Return a problem at the first character YAML refuses (a control character, usually pasted)."""
    char = chr(exc.character) if isinstance(exc.character, int) else str(exc.character)
    line, column = _position(text, max(text.find(char), 0))
    return Problem(rel, line + line_offset, column, f"control character U+{ord(char):04X} is not allowed "
                   "in a content file; delete it (it often comes with text pasted from a PDF or web page)")


def _position(text: str, index: int) -> tuple[int, int]:
    """Return the 1-based line and column (in characters) of text[index], as an editor counts them."""
    breaks = list(EDITOR_BREAK.finditer(text, 0, index))
    start = breaks[-1].end() if breaks else 0
    return len(breaks) + 1, index - start + 1


def _split_front_matter(text: str, rel: str) -> tuple[str, str, int]:
    """Return (front matter YAML, Markdown body, body's first line) of a Markdown file."""
    lines = [line for line in re.split(r"(?<=\n)|(?<=\r)(?!\n)", text) if line]  # ends kept, as an editor splits
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
