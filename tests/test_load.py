"""Load stage: every unreadable file is reported as path:line:col: message, never as a traceback."""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from sitrep.errors import excerpt
from sitrep.load import (MAX_DEPTH, MAX_FILE_BYTES, Document, LoadFailed, Mark, discover, load_file,
                         parse_yaml)
from sitrep.validate import load_project
from tests.helpers import CASES, make_content, problems

INCIDENT = "content/incidents/baghdad-blast.yaml"

#: case folder under tests/cases/ -> every problem the user sees for it.
LOAD_CASES: dict[str, list[str]] = {
    "yaml_syntax_error": [
        f"{INCIDENT}:2:15: YAML syntax error: mapping values are not allowed in this context; "
        "check indentation and quoting (text with ':' or '#' needs quotes)"],
    "tab_indentation": [f"{INCIDENT}:9:1: tab used for indentation; YAML needs spaces"],
    "not_utf8": [f"{INCIDENT}:13:35: text is not UTF-8 (byte 0xe9); save the file as UTF-8"],
    "byte_order_mark": [f"{INCIDENT}:1:1: file starts with a byte-order mark; save it as UTF-8 without BOM"],
    "duplicate_keys": [f"{INCIDENT}:4:1: duplicate key 'title' (first given on line 2); keep one of them"],
    "empty_file": [f"{INCIDENT}:1:1: the file is empty: write the entity's fields, starting with 'id:' "
                   "(see docs/analyst-guide.md)"],
    "list_at_top": [f"{INCIDENT}:1:1: expected a mapping of keys to values at the top of the file, "
                    "found a list"],
    "scalar_at_top": [f"{INCIDENT}:1:1: expected a mapping of keys to values at the top of the file, "
                      "found text"],
    "too_deep": [f"{INCIDENT}:21:31: nesting deeper than {MAX_DEPTH} levels; no sitrep file needs that many"],
    "billion_laughs": [f"{INCIDENT}:2:45: the document expands to more than 50,000 values (too many aliases "
                       "or a runaway paste); split it or remove the '*' aliases"],
    "impossible_date": [f"{INCIDENT}:3:7: '2024-02-30' is not a real date (day is out of range for month); "
                        "check the day and month"],
    "yaml_tag": [f"{INCIDENT}:13:10: YAML tags such as '!!python/object/apply:os.system' are not supported; "
                 "remove the tag and write the value plainly"],
    "control_character": [f"{INCIDENT}:13:31: control character U+000C is not allowed in a content file; "
                          "delete it (it often comes with text pasted from a PDF or web page)"],
    "context_front_matter_error": [
        "content/context/iraq.md:4:7: '2024-04-31' is not a real date (day is out of range for month); "
        "check the day and month"],
    # Fine as they are: YAML 1.1 would read 01:30 as the number 90; a tab inside a '|' block is text.
    "unquoted_time": [],
    "tab_in_text_block": [],
}


@pytest.mark.parametrize("case", sorted(LOAD_CASES))
def test_bad_file_reports_exact_problem(tmp_path: Path, case: str) -> None:
    assert problems(make_content(tmp_path, case)) == LOAD_CASES[case]


def test_every_load_case_has_a_fixture() -> None:
    folders = {path.name for path in CASES.iterdir()}
    assert set(LOAD_CASES) <= folders


def test_syntax_error_shows_the_offending_line(tmp_path: Path) -> None:
    content = make_content(tmp_path, "yaml_syntax_error")
    (problem,) = load_project(content)[1]
    assert excerpt(content.parent / problem.path, problem.line, problem.column) == (
        "       2 | title: Baghdad: explosion at a base\n"
        "         |               ^")


def test_file_over_size_limit_is_refused_before_reading(tmp_path: Path) -> None:
    content = make_content(tmp_path)
    big = content / "incidents" / "pasted.yaml"
    big.write_text("id: pasted\nsummary: |\n" + "  x\n" * (MAX_FILE_BYTES // 4 + 1))
    assert problems(content) == [
        f"content/incidents/pasted.yaml:1:1: file is {big.stat().st_size:,} bytes, over the 1,048,576-byte "
        "limit for one content file; split it or remove pasted material"]


def measure(action: Callable[[], object]) -> tuple[float, int]:
    """Return the seconds action takes (untraced: tracing slows it several times) and its peak bytes."""
    started = time.perf_counter()
    action()
    elapsed = time.perf_counter() - started
    tracemalloc.start()
    try:
        action()
        return elapsed, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_billion_laughs_is_refused_fast_and_small(tmp_path: Path) -> None:
    content = make_content(tmp_path, "billion_laughs")
    path = content / "incidents" / "baghdad-blast.yaml"

    def load() -> None:
        with pytest.raises(LoadFailed) as failure:
            load_file("incident", path, content)
        assert [str(p) for p in failure.value.problems] == LOAD_CASES["billion_laughs"]

    elapsed, peak = measure(load)
    # Expanded, the document is 10^9 values: unrefused it runs for minutes and out of memory. The time
    # bound is loose so a loaded machine cannot fail it; the memory bound is the sharp one.
    assert elapsed < 10.0
    assert peak < 50 * 1024 * 1024


def test_alias_repeating_a_long_value_is_refused(tmp_path: Path) -> None:
    # Few values but a long one: 200 KB of YAML would otherwise become a gigabyte of sections.
    content = make_content(tmp_path)
    brief = content / "briefs" / "brief-1.yaml"
    brief.write_text(brief.read_text() + f"outlook: &long {'x' * 90_000}\nsections:\n"
                     "  - &section {title: Iraq, assessment: *long}\n" + "  - *section\n" * 15_000)

    def load() -> None:
        assert problems(content) == [
            "content/briefs/brief-1.yaml:15:10: the document expands to more than 2,097,152 characters of "
            "text (an alias repeats a long value); remove the '*' aliases"]

    elapsed, peak = measure(load)
    # Expanded, the document is 10^9 values: unrefused it runs for minutes and out of memory. The time
    # bound is loose so a loaded machine cannot fail it; the memory bound is the sharp one.
    assert elapsed < 10.0
    assert peak < 50 * 1024 * 1024


def test_alias_inside_itself_is_refused() -> None:
    with pytest.raises(LoadFailed) as failure:
        parse_yaml("id: a\ntags: &tags [x, *tags]\n", "x.yaml")
    assert [str(p) for p in failure.value.problems] == [
        "x.yaml:2:7: an alias ('*name') refers to the list or mapping that contains it; write the value "
        "out instead"]


def test_unquoted_time_is_read_as_text(tmp_path: Path) -> None:
    content = make_content(tmp_path, "unquoted_time")
    document = load_file("incident", content / "incidents" / "baghdad-blast.yaml", content)
    assert document.data["time"] == "01:30"


def test_tab_inside_text_block_is_kept(tmp_path: Path) -> None:
    content = make_content(tmp_path, "tab_in_text_block")
    document = load_file("incident", content / "incidents" / "baghdad-blast.yaml", content)
    assert document.data["summary"] == "Statement as released:\n\tAn explosion struck a base near Baghdad.\n"


def test_all_problems_of_one_file_are_reported_together() -> None:
    text = "id: a\ndate: 2024-02-30\nid: b\nnote: !!binary aGk=\n"
    with pytest.raises(LoadFailed) as failure:
        parse_yaml(text, "x.yaml")
    assert [str(p) for p in failure.value.problems] == [
        "x.yaml:2:7: '2024-02-30' is not a real date (day is out of range for month); check the day and "
        "month",
        "x.yaml:3:1: duplicate key 'id' (first given on line 1); keep one of them",
        "x.yaml:4:7: YAML tags such as '!!binary' are not supported; remove the tag and write the value "
        "plainly"]


@pytest.mark.parametrize(("text", "expected"), [
    ("a: 1\n---\nb: 2\n", "x.yaml:2:1: YAML syntax error: expected a single document in the stream, but "
     "found another document; check indentation and quoting (text with ':' or '#' needs quotes)"),
    ("a: &x 1\nb: &x 2\n", "x.yaml:2:4: YAML syntax error: the same anchor ('&name') is defined twice "
     "(first on line 1); check indentation and quoting (text with ':' or '#' needs quotes)"),
    ("base: &b {a: 1}\nother:\n  <<: *b\n", "x.yaml:3:3: merge keys ('<<') are not supported; write the "
     "fields out"),
    ("? [a, b]\n: 1\n", "x.yaml:1:3: a key must be plain text, not a list or mapping"),
    ("1: one\n'1': also one\n", "x.yaml:2:1: duplicate key '1' (first given on line 1); keep one of them"),
    ("a: " + "[" * 1200,
     f"x.yaml:1:1003: nesting deeper than {MAX_DEPTH} levels; no sitrep file needs that many"),
    ("a: b\r\nc: d: e\r\n", "x.yaml:2:5: YAML syntax error: mapping values are not allowed in this context; "
     "check indentation and quoting (text with ':' or '#' needs quotes)"),
    ("caf\u00e9: \u00e9\x00\n", "x.yaml:1:8: control character U+0000 is not allowed in a content file; "
     "delete it (it often comes with text pasted from a PDF or web page)"),
])
def test_yaml_edge_cases(text: str, expected: str) -> None:
    with pytest.raises(LoadFailed) as failure:
        parse_yaml(text, "x.yaml")
    assert [str(p) for p in failure.value.problems] == [expected]


@pytest.mark.parametrize(("text", "expected"), [
    # YAML breaks lines at U+2028, U+2029 and U+0085 too; an editor shows them inside the line, so the
    # error must be placed where the editor shows it: line 3 here, not YAML's line 4 or 5.
    ('title: "Rockets\u2028fired"\nid: a\nb: [1\n', "x.yaml:4:1: YAML syntax error: did not find expected ',' "
     "or ']' while parsing a flow sequence; check indentation and quoting (text with ':' or '#' needs quotes)"),
    ('a: "one\x85two\u2029three"\nb: 1\nb: 2\n',
     "x.yaml:3:1: duplicate key 'b' (first given on line 2); keep one of them"),
    ('a: "x\u2028y" \x00\n', "x.yaml:1:10: control character U+0000 is not allowed in a content file; "
     "delete it (it often comes with text pasted from a PDF or web page)"),
])
def test_lines_are_counted_as_an_editor_counts_them(text: str, expected: str) -> None:
    with pytest.raises(LoadFailed) as failure:
        parse_yaml(text, "x.yaml")
    assert [str(p) for p in failure.value.problems] == [expected]


def test_marks_after_a_line_separator_keep_line_and_column() -> None:
    data, marks, _ = parse_yaml('note: "a\u2028b"\nid: x\nsummary: "c\u2029d"\ntags: [e]\n', "x.yaml")
    assert data["id"] == "x"
    assert (marks[("id",)], marks[("summary",)], marks[("tags", 0)]) == (Mark(2, 5), Mark(3, 10), Mark(4, 8))


def test_keys_stay_as_written() -> None:
    data = parse_yaml("yes: 1\n2024-01-01: 2\n~: 3\n1.5: 4\n", "x.yaml")[0]
    assert data == {"yes": 1, "2024-01-01": 2, "~": 3, "1.5": 4}


def test_marks_locate_keys_and_values() -> None:
    text = "id: a\nlocation:\n  location: baghdad\n  geo_precision: 2\ntags:\n  - x\n  - y\n"
    data, marks, key_marks = parse_yaml(text, "x.yaml")
    document = Document("incident", Path("x.yaml"), "x.yaml", data, marks, key_marks)
    assert document.mark(("location", "geo_precision"), key=True) == Mark(4, 3)
    assert document.mark(("location", "geo_precision")) == Mark(4, 18)
    assert document.mark(("tags", 1)) == Mark(7, 5)
    assert document.mark(("location", "missing", 3)) == document.mark(("location",))  # nearest parent


def test_context_note_keeps_its_body_and_line_numbers(tmp_path: Path) -> None:
    content = make_content(tmp_path)
    (content / "context").mkdir()
    note = content / "context" / "iraq.md"
    note.write_text("---\nid: iraq\ntitle: Iraq\ndate: 2024-04-01\n---\n\n# Iraq\n")
    document = load_file("context", note, content)
    assert (document.body, document.body_line, document.mark(("date",)).line) == ("\n# Iraq\n", 6, 4)


@pytest.mark.parametrize(("text", "expected"), [
    ("id: iraq\n", "content/context/iraq.md:1:1: a context note starts with '---', then its YAML fields (id, "
     "title, date), then '---' and the Markdown text"),
    ("---\nid: iraq\n", "content/context/iraq.md:1:1: front matter is not closed: add a line '---' after the "
     "fields"),
])
def test_context_note_without_front_matter(tmp_path: Path, text: str, expected: str) -> None:
    content = make_content(tmp_path)
    (content / "context").mkdir()
    (content / "context" / "iraq.md").write_text(text)
    assert problems(content) == [expected]


def test_discover_finds_content_files_in_order(tmp_path: Path) -> None:
    content = make_content(tmp_path)
    (content / "incidents" / ".draft.yaml").write_text("id: draft\n")
    (content / "incidents" / "notes.txt").write_text("not content")
    (content / "incidents" / "2023").mkdir()
    (content / "incidents" / "2023" / "old.yml").write_text("id: old\n")
    found = [(kind, path.relative_to(content).as_posix()) for kind, path in discover(content)]
    assert found == [("incident", "incidents/2023/old.yml"), ("incident", "incidents/baghdad-blast.yaml"),
                     ("actor", "actors/pmf.yaml"), ("location", "locations/baghdad.yaml"),
                     ("source", "sources/afp.yaml"), ("brief", "briefs/brief-1.yaml")]


def test_discover_lists_links_to_files_for_load_to_judge_but_not_folders(tmp_path: Path) -> None:
    """A broken link is listed too: load_file refuses it at the file instead of it vanishing silently."""
    content = make_content(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "kept.yaml").write_text("id: kept\n")
    (content / "incidents" / "linked.yaml").symlink_to(elsewhere / "kept.yaml")
    (content / "incidents" / "folder").symlink_to(elsewhere)
    (content / "incidents" / "broken.yaml").symlink_to(tmp_path / "missing.yaml")
    found = [path.relative_to(content).as_posix() for kind, path in discover(content) if kind == "incident"]
    assert found == ["incidents/baghdad-blast.yaml", "incidents/broken.yaml", "incidents/linked.yaml"]

