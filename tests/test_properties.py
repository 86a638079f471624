"""Whatever an analyst's editor saves, sitrep answers with problems located in the file, never a traceback."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from sitrep.errors import Problem, editor_lines
from sitrep.load import LoadFailed, load_file, parse_yaml
from sitrep.validate import load_project
from tests.helpers import DEFAULT_CONTENT, VALID_TREE, make_content

#: On CI (.ci/run sets SITREP_CI) the examples are the same on every run, seeded from each test: a run that
#: lands is never turned red by a case drawn for the first time. Elsewhere each run draws new examples, and
#: a case found that way is pinned with @example.
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow],
                    derandomize=bool(os.environ.get("SITREP_CI")))


def _seed_files() -> dict[str, str]:
    """Return the files to mutate: the minimal valid tree, plus the default content once it exists."""
    files = {f"tree/{name}": text for name, text in VALID_TREE.items()}
    for path in sorted(DEFAULT_CONTENT.rglob("*")):
        if path.suffix in (".yaml", ".md") and path.is_file():
            files[path.relative_to(DEFAULT_CONTENT).as_posix()] = path.read_text(encoding="utf-8")
    return files


SEEDS = _seed_files()


def assert_located(found: list[Problem]) -> None:
    """Every problem names a real position: line and column from 1."""
    for problem in found:
        assert problem.line >= 1 and problem.column >= 1, problem
        assert problem.message and "\n" not in problem.message, problem


def parse_problems(text: str) -> list[Problem]:
    try:
        parse_yaml(text, "x.yaml")
    except LoadFailed as failure:
        assert failure.problems
        return failure.problems
    return []


#: The minimal and the default tree, made once per process: (folder, every file's bytes as made).
_TREES: dict[bool, tuple[Path, dict[str, bytes]]] = {}


@contextmanager
def content_tree(default: bool = False) -> Iterator[Path]:
    """Yield the minimal (or default) tree as made, and put it back so after the example.

    tmp_path is shared by hypothesis' examples; copying the default tree afresh for each of them took
    as long as validating it.
    """
    if default not in _TREES:
        folder = Path(tempfile.mkdtemp(prefix="sitrep-prop-"))
        atexit.register(shutil.rmtree, folder, True)
        content = Path(shutil.copytree(DEFAULT_CONTENT, folder / "content")) if default else make_content(folder)
        _TREES[default] = content, _files(content)
    content, made = _TREES[default]
    try:
        yield content
    finally:
        _restore(content, made)


def _files(folder: Path) -> dict[str, bytes]:
    """Return every file under folder by relative path."""
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in folder.rglob("*") if path.is_file()}


def _restore(folder: Path, made: dict[str, bytes]) -> None:
    """Put a tree back as made: files written or deleted since are written again, files added removed."""
    for path in sorted(folder.rglob("*"), reverse=True):  # what a folder holds before the folder
        relative = path.relative_to(folder).as_posix()
        if path.is_symlink() or (path.is_file() and relative not in made):
            path.unlink()
        elif path.is_dir() and not any(name.startswith(f"{relative}/") for name in made):
            shutil.rmtree(path)
    for relative, data in made.items():
        path = folder / relative
        if not path.is_file() or path.read_bytes() != data:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)


# --- Generated text ------------------------------------------------------------------------

yaml_ish = st.text(
    alphabet=st.sampled_from(list("abc019:-#&*!|>'\"[]{},?%@` \t\n\r\\") + ["\x00", "\x85", "\u2028", "é"]),
    max_size=120)

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
                    st.text(max_size=20), st.dates())
documents = st.recursive(scalars, lambda children: st.one_of(
    st.lists(children, max_size=4), st.dictionaries(st.text(max_size=8), children, max_size=4)),
    max_leaves=20)


@SETTINGS
@given(yaml_ish)
def test_any_text_parses_or_is_located(text: str) -> None:
    assert_located(parse_problems(text))


@SETTINGS
@given(st.binary(max_size=200))
def test_any_bytes_load_or_are_located(raw: bytes) -> None:
    with content_tree() as content:
        path = content / "incidents" / "random.yaml"
        path.write_bytes(raw)
        try:
            load_file("incident", path, content)
        except LoadFailed as failure:
            assert_located(failure.problems)


@SETTINGS
@given(documents)
def test_any_yaml_document_as_incident_is_located(data: object) -> None:
    with content_tree() as content:
        (content / "incidents" / "baghdad-blast.yaml").write_text(yaml.safe_dump(data, allow_unicode=True))
        project, found = load_project(content)
        assert_located(found)
        assert project is None or not any(p.is_error for p in found)


# --- Mutations of real content files -------------------------------------------------------

@st.composite
def mutated_file(draw: st.DrawFn) -> tuple[str, str]:
    """Return a seed file's name and its text after a few edits an analyst might make by mistake."""
    name = draw(st.sampled_from(sorted(SEEDS)))
    lines = SEEDS[name].splitlines(keepends=True) or ["\n"]
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(lines) - 1))
        edit = draw(st.sampled_from(["delete", "duplicate", "indent", "dedent", "value", "tab"]))
        line = lines[i]
        if edit == "delete" and len(lines) > 1:
            del lines[i]
        elif edit == "duplicate":
            lines.insert(i, line)
        elif edit == "indent":
            lines[i] = " " * draw(st.integers(1, 4)) + line
        elif edit == "dedent":
            lines[i] = line.lstrip(" ")
        elif edit == "tab":
            lines[i] = "\t" + line.lstrip(" ")
        elif edit == "value" and ":" in line:
            key = line.split(":", 1)[0]
            lines[i] = f"{key}: {draw(yaml_ish).replace(chr(10), ' ')}\n"
    return name, "".join(lines)


@SETTINGS
@given(mutated_file())
@example(("actors/global-coalition.yaml", 'id: "\r\r0\nname: International coalition\nkind: external_forces\n'))
def test_mutated_content_file_is_located(mutation: tuple[str, str]) -> None:
    name, text = mutation
    with content_tree(default=not name.startswith("tree/")) as content:
        target = content / name.removeprefix("tree/")
        target.write_text(text, encoding="utf-8")
        project, found = load_project(content)
        assert_located(found)
        # lines as an editor counts them: a lone CR ends one too (a value can bring one in)
        lines = len(editor_lines(text)) + 2
        assert all(p.line <= lines for p in found if p.path.endswith(target.name)), found


def _paths(data: object, loc: tuple = ()) -> list[tuple]:
    """Return the location of every value in data, containers included."""
    found = [loc]
    if isinstance(data, dict):
        for key, value in data.items():
            found += _paths(value, (*loc, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            found += _paths(value, (*loc, i))
    return found


def _replace(data: object, loc: tuple, value: object) -> object:
    if not loc:
        return value
    head, rest = loc[0], loc[1:]
    if isinstance(data, dict):
        return {**data, head: _replace(data[head], rest, value)}
    assert isinstance(data, list)
    return [_replace(item, rest, value) if i == head else item for i, item in enumerate(data)]


@st.composite
def entity_with_one_bad_value(draw: st.DrawFn) -> tuple[str, str]:
    """Return a valid tree file's name and its text with one value swapped for something random."""
    name = draw(st.sampled_from(sorted(VALID_TREE)))
    data = yaml.safe_load(VALID_TREE[name])
    loc = draw(st.sampled_from(_paths(data)[1:]))
    return name, yaml.safe_dump(_replace(data, loc, draw(documents)), allow_unicode=True, sort_keys=False)


@SETTINGS
@given(entity_with_one_bad_value())
def test_any_value_in_any_field_is_located(change: tuple[str, str]) -> None:
    name, text = change
    with content_tree() as content:
        (content / name).write_text(text, encoding="utf-8")
        project, found = load_project(content)
        assert_located(found)
        assert project is None or not any(p.is_error for p in found)
