"""An incremental build writes exactly what a clean build of the same content writes.

A small generated tree goes through a sequence of edits (an incident changed, added and deleted, a
place, an actor and a source renamed, a place added inside another and an incident moved there, a
template overridden through a theme folder); after each one the incremental build's output is
compared, file by file, with a clean build's.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from bench.generate import generate
from sitrep import cache, pipeline, validate
from sitrep.pipeline import BuildOptions, BuildReport, build
from sitrep.console import plural
from sitrep.load import discover
from sitrep.render.env import DEFAULT_TEMPLATES
from sitrep.validate import load_project
from tests.snapshots import run_cli


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a generated content tree: 10 incidents in two countries over two weeks, two briefs."""
    content = tmp_path_factory.mktemp("generated") / "content"
    generate(content, 10, weeks=2, countries=2, seed=7)
    return content


@pytest.fixture()
def content(tree: Path, tmp_path: Path) -> Path:
    """Return a writable copy of the generated tree."""
    return Path(shutil.copytree(tree, tmp_path / "content"))


def files(folder: Path) -> dict[str, bytes]:
    """Return every file under folder by relative path."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_same_as_clean(options: BuildOptions, tmp_path: Path, label: str) -> None:
    """Build the same content from scratch elsewhere and compare every file."""
    clean = BuildOptions(content=options.content, output=tmp_path / f"clean-{label}", theme=options.theme,
                         pdf=options.pdf, search=options.search, jobs=options.jobs)
    build(clean)
    got, want = files(options.output), files(clean.output)
    assert sorted(got) == sorted(want), f"after {label}: files differ"
    differ = [name for name in want if got[name] != want[name]]
    assert not differ, f"after {label}: these files differ from a clean build: {differ[:10]}"
    # pages whose keys were taken from the last build depend on what they would have worked out again
    kept, fresh = cache.read_state(options.cache), cache.read_state(clean.cache)
    assert kept is not None and fresh is not None
    differ = [path for path in fresh.pages if kept.pages.get(path) != fresh.pages[path]]
    assert not differ, f"after {label}: these pages' keys differ from a clean build's: {differ[:10]}"


def incidents(content: Path) -> list[Path]:
    return sorted((content / "incidents").glob("*.yaml"))


def cited_by_briefs(content: Path) -> set[str]:
    """Return the ids of incidents a brief's judgments name (they cannot be deleted)."""
    named: set[str] = set()
    for path in (content / "briefs").glob("*.yaml"):
        for judgment in yaml.safe_load(path.read_text())["key_judgments"]:
            named.update(judgment.get("incidents", []))
    return named


def edit_yaml(path: Path, change: Callable[[dict], None]) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def edits(content: Path, theme: Path, rng: random.Random) -> Iterator[str]:
    """Apply one edit after another to content (and the theme), yielding a label after each."""
    target = rng.choice(incidents(content))
    edit_yaml(target, lambda d: d.update(summary=d["summary"] + "\nA later report added detail.\n",
                                         casualties=[{**d["casualties"][0], "killed": "at least 4"}]
                                         if d.get("casualties") else []))
    yield "an incident changed"

    source = rng.choice(incidents(content))
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    data["id"] = "added-incident"
    data["title"] = "A new incident, added after the first build"
    (content / "incidents" / "added-incident.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    yield "an incident added"

    deletable = [p for p in incidents(content) if p.stem not in cited_by_briefs(content)]
    rng.choice(deletable).unlink()
    yield "an incident deleted"

    place = yaml.safe_load(rng.choice(incidents(content)).read_text())["location"]["location"]
    edit_yaml(content / "locations" / f"{place}.yaml", lambda d: d.update(name=d["name"] + " Junction"))
    yield "a place renamed"

    places = [yaml.safe_load(p.read_text()) for p in sorted((content / "locations").glob("*.yaml"))]
    data = rng.choice([place for place in places if "within" in place])
    data.update(id="added-place", name="Added Crossing")
    (content / "locations" / "added-place.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    yield "a place added inside another"

    edit_yaml(rng.choice(incidents(content)), lambda d: d["location"].update(location="added-place"))
    yield "an incident moved to the new place"

    actor = yaml.safe_load(rng.choice(incidents(content)).read_text())["perpetrators"][0]
    edit_yaml(content / "actors" / f"{actor}.yaml", lambda d: d.update(name=d["name"] + " (renamed)"))
    yield "an actor renamed"

    source = yaml.safe_load(rng.choice(incidents(content)).read_text())["sources"][0]["source"]
    edit_yaml(content / "sources" / f"{source}.yaml", lambda d: d.update(name=d["name"] + " (renamed)"))
    yield "a source renamed"

    (theme / "site").mkdir(parents=True, exist_ok=True)
    page = (DEFAULT_TEMPLATES / "site" / "incident.html").read_text(encoding="utf-8")
    (theme / "site" / "incident.html").write_text(page.replace("{% block main %}",
                                                               "{% block main %}<!-- themed -->", 1))
    yield "a template overridden by the theme"


def test_incremental_builds_equal_clean_builds(content: Path, tmp_path: Path) -> None:
    theme = tmp_path / "theme"
    theme.mkdir()
    options = BuildOptions(content=content, output=tmp_path / "site", theme=theme, pdf=False, jobs=2)
    first = build(options)
    assert not first.nothing_changed
    for label in edits(content, theme, random.Random(3)):
        report = build(options)
        assert not report.nothing_changed, label
        assert_same_as_clean(options, tmp_path, label.replace(" ", "-"))
    assert "<!-- themed -->" in next((options.output / "incidents").glob("*.html")).read_text()


def test_a_rebuild_with_nothing_changed_writes_nothing(content: Path, tmp_path: Path) -> None:
    options = BuildOptions(content=content, output=tmp_path / "site", pdf=False)
    build(options)
    before = {p: p.stat().st_mtime_ns for p in options.output.rglob("*")}
    report = build(options)
    assert report.nothing_changed and report.written == 0 and report.rendered == 0
    assert {p: p.stat().st_mtime_ns for p in options.output.rglob("*")} == before


def test_a_file_edited_in_the_output_is_put_back(content: Path, tmp_path: Path) -> None:
    options = BuildOptions(content=content, output=tmp_path / "site", pdf=False, search=False)
    build(options)
    page = next((options.output / "incidents").glob("*.html"))
    original = page.read_bytes()
    page.write_text("edited by hand")
    (options.output / "stray.html").write_text("not from sitrep")
    report = build(options)
    assert not report.nothing_changed
    assert page.read_bytes() == original
    assert not (options.output / "stray.html").exists()


def test_an_unchanged_brief_keeps_its_pdf(content: Path, tmp_path: Path) -> None:
    options = BuildOptions(content=content, output=tmp_path / "site", search=False, jobs=1)
    first = build(options)
    assert first.pdfs_rendered == 2
    brief = max((content / "briefs").glob("*.yaml"))  # the later brief
    edit_yaml(brief, lambda d: d.update(summary=d["summary"] + " A correction was issued."))
    report = build(options)
    assert (report.pdfs_rendered, report.pdfs_reused) == (1, 1)
    assert_same_as_clean(options, tmp_path, "brief-edited")


def test_a_brief_keeps_its_map_and_charts_while_what_they_show_is_the_same(content: Path, tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from sitrep.render import drawn as drawn_module
    from sitrep.render import figures, page_maps

    options = BuildOptions(content=content, output=tmp_path / "site", pdf=False, search=False, jobs=1)
    build(options)
    drawn: list[str] = []

    def logged(name: str, draw: Callable[..., str]) -> Callable[..., str]:
        return lambda *args, **kwargs: drawn.append(name) or draw(*args, **kwargs)

    monkeypatch.setattr(figures, "_draw_weekly_charts", logged("charts", figures._draw_weekly_charts))
    monkeypatch.setattr(figures, "render_map_html", logged("map", figures.render_map_html))
    monkeypatch.setattr(page_maps, "render_map_html", logged("map", page_maps.render_map_html))
    target = incidents(content)[-1]  # the newest: in the later brief's period, on its map and charts
    brief = options.output / "briefs" / f"{max((content / 'briefs').glob('*.yaml')).stem}.html"
    edit_yaml(target, lambda d: d.update(title=d["title"] + " (retitled)"))
    build(options)
    assert "(retitled)" in brief.read_text()  # the brief's page was made again, with the map and charts kept
    assert drawn == []
    assert_same_as_clean(options, tmp_path, "retitled")

    edit_yaml(target, lambda d: d.update(casualties=[{**d["casualties"][0], "killed": 40}]))
    build(options)
    assert "charts" in drawn  # its week's dead changed: drawn again
    assert_same_as_clean(options, tmp_path, "toll-revised")
    # a build that draws every page keeps only what it drew: nothing for pages gone
    kept = {options.cache / "drawn" / f"{drawn_module._digest(repr(('charts', path.stem, f'{path.stem}-')))[:40]}.pickle"
            for path in (content / "briefs").glob("*.yaml")}
    assert kept and all(path.is_file() for path in kept)
    shutil.rmtree(content / "briefs")
    settings = content / "site.yaml"
    settings.write_text(settings.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")  # redo all
    build(options)
    assert_same_as_clean(options, tmp_path, "no-briefs")
    assert not any(path.exists() for path in kept)
    assert any(options.cache.joinpath("drawn").iterdir())  # the places' maps


def test_lists_print_again_only_the_rows_of_incidents_changed(content: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from sitrep.render import rows

    options = BuildOptions(content=content, output=tmp_path / "site", pdf=False, search=False, jobs=1)
    build(options)
    made: list[str] = []
    row = rows._Rows.row

    def logged(self: rows._Rows, incident: Any, root: str, show_country: bool, make: Callable[[], str]) -> str:
        return row(self, incident, root, show_country, lambda: made.append(incident.id) or make())

    monkeypatch.setattr(rows._Rows, "row", logged)
    target = incidents(content)[-1]
    edit_yaml(target, lambda d: d.update(title=d["title"] + " (retitled)"))
    build(options)
    assert made and set(made) == {target.stem}  # on its place's, country's, event type's and actors' pages
    assert_same_as_clean(options, tmp_path, "row-retitled")

    place = yaml.safe_load(target.read_text())["location"]["location"]
    edit_yaml(content / "locations" / f"{place}.yaml", lambda d: d.update(name=d["name"] + " Crossing"))
    made.clear()
    build(options)
    at_place = {p.stem for p in incidents(content)
                if yaml.safe_load(p.read_text())["location"]["location"] == place}
    assert set(made) == at_place
    assert_same_as_clean(options, tmp_path, "row-place-renamed")


def test_a_document_published_after_a_cutoff_changes_the_list_of_briefs(tmp_path: Path) -> None:
    """A brief's headline counts the casualty reports known by its cut-off, dated by the documents cited."""
    content = Path(shutil.copytree(Path(__file__).resolve().parent.parent / "content", tmp_path / "content"))
    options = BuildOptions(content=content, output=tmp_path / "site", pdf=False, search=False)
    build(options)
    listed = options.output / "briefs" / "index.html"
    before = listed.read_text()
    # the only report of the Kalsu blast's 1 killed and 8 wounded, now published after the brief's cut-off
    document = content / "documents" / "mint-2024-04-21-iraq-says-outlaws-fired-rockets.yaml"
    document.write_text(document.read_text().replace("published: 2024-04-21", "published: 2024-04-23"))
    build(options)
    assert listed.read_text() != before
    assert_same_as_clean(options, tmp_path, "document-dated-later")


def test_the_source_of_a_document_republished_is_shown_where_the_republication_is_cited(tmp_path: Path) -> None:
    """Mint republished AFP's wire (and MENAFN, Mint's): a page citing either names AFP among its sources."""
    content = Path(shutil.copytree(Path(__file__).resolve().parent.parent / "content", tmp_path / "content"))
    options = BuildOptions(content=content, output=tmp_path / "site", pdf=False, search=False)
    build(options)
    wire = content / "documents" / "afp-2024-04-21-rockets-fired-from-iraq.yaml"
    wire.write_text(wire.read_text().replace("source: afp\n", "source: associated-press\n"))
    build(options)
    assert_same_as_clean(options, tmp_path, "wire-source-changed")


def test_the_cached_project_equals_a_fresh_validation(content: Path, tmp_path: Path) -> None:
    options = BuildOptions(content=content, output=tmp_path / "site", pdf=False, search=False)
    build(options)
    edit_yaml(incidents(content)[0], lambda d: d.update(title="Retitled"))
    hasher = cache.Hasher()
    digests = hasher.tree(content)
    loaded, _records, changed = cache.load(content, cache.ContentCache(options.cache).read(), digests, jobs=1)
    assert changed == {incidents(content)[0].relative_to(content).as_posix()}
    project, problems = load_project(content)
    assert loaded.project == project
    assert loaded.warnings == [p for p in problems if not p.is_error]


def test_a_place_moved_to_another_country_moves_what_its_incidents_touch(content: Path,
                                                                         tmp_path: Path) -> None:
    """Entities keep the keys they touched while they and what they name are unchanged: not here."""
    options = BuildOptions(content=content, output=tmp_path / "site", pdf=False, search=False)
    build(options)
    place = yaml.safe_load(incidents(content)[0].read_text())["location"]["location"]
    moved = yaml.safe_load((content / "locations" / f"{place}.yaml").read_text())
    places = [yaml.safe_load(path.read_text()) for path in sorted((content / "locations").glob("*.yaml"))]
    there = next(data for data in places if data["country"] != moved["country"] and "within" in data)
    edit_yaml(content / "locations" / f"{place}.yaml", lambda d: d.update(
        {key: there[key] for key in ("country", "admin1", "within", "latitude", "longitude")}))
    build(options)
    assert_same_as_clean(options, tmp_path, "place-moved")
    loaded, _records, _changed = cache.load(content, cache.ContentCache(options.cache).read(),
                                            cache.Hasher().tree(content), jobs=1)
    touched = cache.read_state(options.cache).touches
    assert touched == cache.touch_keys(loaded)
    assert ("country", there["country"]) in touched[("incident", incidents(content)[0].stem)]


def test_content_errors_are_reported_as_without_the_cache(content: Path, tmp_path: Path) -> None:
    options = BuildOptions(content=content, output=tmp_path / "site", pdf=False, search=False)
    build(options)
    target = incidents(content)[0]
    text = target.read_text()
    target.write_text(text.replace("location:\n  location: ", "location:\n  location: nowhere-"))
    with pytest.raises(pipeline.ContentErrors) as raised:
        build(options)
    _project, expected = load_project(content)
    assert raised.value.problems == sorted(expected)
    assert any("no location with id 'nowhere-" in p.message for p in raised.value.problems)


def test_one_incident_changed_redoes_only_what_shows_it(content: Path, tmp_path: Path) -> None:
    options = BuildOptions(content=content, output=tmp_path / "site", pdf=False, jobs=2)
    first = build(options)
    target = incidents(content)[-1]
    edit_yaml(target, lambda d: d.update(title=d["title"] + " (updated)"))
    report: BuildReport = build(options)
    kept = first.rendered - report.rendered
    assert kept >= len(incidents(content)) - 1  # at least the other incident pages
    assert_same_as_clean(options, tmp_path, "one-incident")
    assert "(updated)" in (options.output / "incidents" / f"{target.stem}.html").read_text()


def test_check_reads_only_the_files_changed_since_the_build(content: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    options = BuildOptions(content=content, output=tmp_path / "site", pdf=False, search=False)
    unfinished = incidents(content)[1]
    edit_yaml(unfinished, lambda d: d.update(title="TODO"))  # a warning, kept in the cache
    build(options)
    edited = incidents(content)[0]
    edit_yaml(edited, lambda d: d.update(title="Retitled"))
    read: list[str] = []
    check_file = cache.check_file

    def counted(kind: str, path: Path, content_dir: Path) -> cache.FileRecord | None:
        read.append(path.relative_to(content_dir).as_posix())
        return check_file(kind, path, content_dir)

    monkeypatch.setattr(cache, "check_file", counted)
    kept = files(options.cache)
    project, warnings = pipeline.check(content, options.cache)
    assert read == [edited.relative_to(content).as_posix()]
    fresh, problems = load_project(content)
    assert project == fresh
    assert warnings == [p for p in problems if not p.is_error]
    assert files(options.cache) == kept, "a check writes nothing"
    # a content folder of another name: every file is read, so that problems name its own files
    read.clear()
    elsewhere = Path(shutil.copytree(content, tmp_path / "elsewhere"))
    assert pipeline.check(elsewhere, options.cache)[0] == load_project(elsewhere)[0]
    assert len(read) == len(discover(elsewhere))
    # an error reads as without the cache, and only the files it is about are read again to say where
    text = edited.read_text()
    edited.write_text(text.replace("location:\n  location: ", "location:\n  location: nowhere-"))
    read.clear()
    located: list[str] = []
    load_file = validate.load_file
    monkeypatch.setattr(validate, "load_file", lambda kind, path, content_dir: located.append(
        path.relative_to(content_dir).as_posix()) or load_file(kind, path, content_dir))
    with pytest.raises(pipeline.ContentErrors) as raised:
        pipeline.check(content, options.cache)
    assert read == [edited.relative_to(content).as_posix()]  # as it changed
    assert [name for name in located if name != "site.yaml"] == read  # and again to say where
    assert raised.value.problems == sorted(load_project(content)[1])
    assert any("no location with id 'nowhere-" in p.message for p in raised.value.problems)
    assert any(p.severity == "warning" and p.path.endswith(unfinished.name) for p in raised.value.problems)


def test_check_of_content_unchanged_since_the_build_reads_no_file(content: Path, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    unfinished = incidents(content)[1]
    edit_yaml(unfinished, lambda d: d.update(title="TODO"))  # a warning the check must still report
    options = BuildOptions(content=content, output=tmp_path / "site", pdf=False, search=False)
    build(options)
    _project, problems = load_project(content)
    monkeypatch.setattr(cache, "check_file", lambda *args: pytest.fail("a content file was read"))
    monkeypatch.setattr(validate, "load_file", lambda *args: pytest.fail("a content file was read"))
    run = run_cli("check", "--content", content, "--output", options.output)
    assert run.status == 0, run.err
    assert f"{unfinished.name}:" in run.err and "TODO" in run.err
    counts = [plural(len(list((content / f"{kind}s").glob("*.yaml"))), kind)
              for kind in ("incident", "brief", "actor", "location")]
    assert run.out.startswith(f"content OK: {', '.join(counts)}\n")
    assert [p for p in problems if not p.is_error] == cache.unchanged_since_build(content, options.cache)[1]
    # in a fresh process, without importing the content model and pydantic (a third of a second)
    probe = subprocess.run([sys.executable, "-c", "import sys; from sitrep import cli; "
                            "status = cli.main(sys.argv[1:]); print(status, 'sitrep.model' in sys.modules)",
                            "check", "--content", str(content), "--output", str(options.output)],
                           cwd=Path(__file__).resolve().parent.parent, capture_output=True, text=True)
    assert probe.stdout.endswith("0 False\n") and "TODO" in probe.stderr, probe.stderr
    # a link leading out of content/ is not hashed, but the check must still refuse it
    (content / "incidents" / "leak.yaml").symlink_to("/etc/hostname")
    assert cache.unchanged_since_build(content, options.cache) is None


def line_of(path: Path, text: str) -> tuple[int, int]:
    """Return the line and column (1-based) of the value of the one line of a file holding text."""
    found = [(n, line) for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if text in line]
    assert len(found) == 1, f"{text!r} in {path.name}: {found}"
    number, line = found[0]
    return number, line.index(text) + len(text.split(": ")[0]) + 3


def warnings_at(warnings: list, path: Path, saying: str) -> list[tuple[int, int]]:
    """Return where the warnings about path whose message says so are placed."""
    return [(p.line, p.column) for p in warnings if p.path.endswith(f"/{path.name}") and saying in p.message]


def reading(monkeypatch: pytest.MonkeyPatch, content: Path) -> list[str]:
    """Return the list that records every content file parsed from now on, by the cache or by validation."""
    read: list[str] = []
    for module in (cache, validate):
        parse = module.load_file

        def counted(kind: str, path: Path, content_dir: Path, parse=parse) -> object:  # noqa: ANN001
            read.append(path.relative_to(content_dir).as_posix())
            return parse(kind, path, content_dir)

        monkeypatch.setattr(module, "load_file", counted)
    return read


def late_and_overgraded(content: Path) -> tuple[Path, Path, Path]:
    """Give one incident a report dated after its brief's cut-off, another a grade one chain cannot earn.

    Return (the incident with the late report, its brief, the incident graded 1); the brief's cut-off
    is moved past the report, so that only moving it back makes the warning.
    """
    brief = max((content / "briefs").glob("*.yaml"))
    period = yaml.safe_load(brief.read_text())["period"]
    inside = [p for p in incidents(content) if period["start"] <= yaml.safe_load(p.read_text())["date"]
              <= period["end"]]
    late, graded = inside[0], inside[-1]
    edit_yaml(late, lambda d: d["sources"][0].update(date=period["end"] + dt.timedelta(days=9)))
    edit_yaml(graded, lambda d: d.update(sources=[{**d["sources"][0], "credibility": 1}]))
    edit_yaml(brief, lambda d: d.update(cutoff=d["cutoff"] + dt.timedelta(days=30)))
    return late, brief, graded


def test_sourcing_warnings_about_unchanged_files_are_placed_without_reading_them(
        content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A warning across files gets its line from the cache, even one no earlier build gave."""
    late, brief, graded = late_and_overgraded(content)
    options = BuildOptions(content=content, output=tmp_path / "site", pdf=False, search=False)
    report = build(options)
    assert warnings_at(report.warnings, graded, "credibility 1") == [line_of(graded, "credibility: 1")]
    assert warnings_at(report.warnings, late, "after the cut-off") == []  # the cut-off is after it
    edit_yaml(brief, lambda d: d.update(cutoff=d["cutoff"] - dt.timedelta(days=30)))
    read = reading(monkeypatch, content)
    _project, warnings = pipeline.check(content, options.cache)
    assert [name for name in read if name != "site.yaml"] == [brief.relative_to(content).as_posix()]
    day = yaml.safe_load(late.read_text())["sources"][0]["date"]
    assert warnings_at(warnings, late, f"published {day}") == [line_of(late, f"date: {day}")]
    assert warnings_at(warnings, graded, "credibility 1") == [line_of(graded, "credibility: 1")]
    monkeypatch.undo()
    assert warnings == [p for p in load_project(content)[1] if not p.is_error]


def test_warning_lines_follow_an_edit_that_moves_them(content: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    late, brief, graded = late_and_overgraded(content)
    edit_yaml(brief, lambda d: d.update(cutoff=d["cutoff"] - dt.timedelta(days=30)))
    options = BuildOptions(content=content, output=tmp_path / "site", pdf=False, search=False)
    build(options)
    before = line_of(graded, "credibility: 1")
    graded.write_text("# Regraded after the editor's query:\n# the wire story was checked again\n#\n"
                      + graded.read_text(encoding="utf-8"), encoding="utf-8")
    assert line_of(graded, "credibility: 1")[0] == before[0] + 3
    report = build(options)  # the graded file is read again, and its new positions kept
    assert warnings_at(report.warnings, graded, "credibility 1") == [(before[0] + 3, before[1])]
    edit_yaml(incidents(content)[0] if incidents(content)[0] not in (late, graded) else incidents(content)[1],
              lambda d: d.update(title="Retitled"))
    read = reading(monkeypatch, content)
    _project, warnings = pipeline.check(content, options.cache)
    assert graded.relative_to(content).as_posix() not in read
    assert warnings_at(warnings, graded, "credibility 1") == [(before[0] + 3, before[1])]
    day = yaml.safe_load(late.read_text())["sources"][0]["date"]
    assert warnings_at(warnings, late, f"published {day}") == [line_of(late, f"date: {day}")]
    monkeypatch.undo()
    assert warnings == [p for p in load_project(content)[1] if not p.is_error]
