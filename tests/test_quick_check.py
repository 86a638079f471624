"""A check after edits of incidents alone says exactly what a fresh validation says.

cache.quick_check validates again only the incidents changed since the last build and takes every other
file, and the warnings across files about what did not change, from that build. Each edit below adds or
removes a warning of another kind (a likely pair, a grade, a late source, a file's own), adds or deletes
an incident, or is one the quick check must leave to a full validation (an error, a brief, an incident
that makes another one count twice); after each, the check's output is compared with a check that has
no build to start from.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections import Counter
from pathlib import Path

import pytest
import yaml

from bench.generate import generate
from sitrep import cache
from sitrep.pipeline import BuildOptions, build
from sitrep.validate import load_project
from tests.snapshots import run_cli
from tests.test_incremental import cited_by_briefs, edit_yaml, incidents, reading


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a generated content tree: 10 incidents in two countries over two weeks, two briefs."""
    content = tmp_path_factory.mktemp("generated") / "content"
    generate(content, 10, weeks=2, countries=2, seed=7)
    return content


def built(content: Path, tmp_path: Path) -> BuildOptions:
    """Build content without PDFs or search, and return the options."""
    options = BuildOptions(content=content, output=tmp_path / "site", pdf=False, search=False, jobs=1)
    build(options)
    return options


def same_as_fresh(content: Path, options: BuildOptions, tmp_path: Path, *, quick: bool = True) -> list:
    """Assert that the check from the build's cache says what one without it says; return the warnings.

    quick: whether quick_check must answer (else it must leave the check to a full validation).
    """
    found = cache.quick_check(content, options.cache)
    project, problems = load_project(content)
    assert (found is not None) == quick
    if found is not None:
        assert project is not None
        counts, warnings = found
        assert warnings == [p for p in problems if not p.is_error]
        assert counts == Counter({kind: len(getattr(project, collection))
                                  for kind, collection in cache._COLLECTIONS.items()
                                  if getattr(project, collection)})
    cached = run_cli("check", "--content", content, "--output", options.output)
    fresh = run_cli("check", "--content", content, "--output", tmp_path / "never-built")
    assert (cached.status, cached.out, cached.err) == (fresh.status, fresh.out, fresh.err)
    return [p for p in problems if not p.is_error]


def about(warnings: list, path: Path, saying: str) -> list:
    """Return the warnings on path whose message says so."""
    return [p for p in warnings if p.path.endswith(f"/{path.name}") and saying in p.message]


def test_edits_of_incidents_are_checked_as_a_fresh_validation_checks_them(tree: Path, tmp_path: Path) -> None:
    content = Path(shutil.copytree(tree, tmp_path / "content"))
    files = incidents(content)
    first, twin, unfinished = files[0], files[1], files[2]
    where = yaml.safe_load(first.read_text())
    edit_yaml(twin, lambda d: d.update(date=where["date"], location=where["location"]))
    edit_yaml(unfinished, lambda d: d.update(title="TODO"))
    options = built(content, tmp_path)
    warnings = same_as_fresh(content, options, tmp_path)
    assert about(warnings, twin, "likely the same event") and about(warnings, unfinished, "TODO")

    edit_yaml(files[3], lambda d: d.update(title="Retitled"))
    same_as_fresh(content, options, tmp_path)

    edit_yaml(twin, lambda d: d.update(date=where["date"] - dt.timedelta(days=400)))  # the pair is gone
    assert not about(same_as_fresh(content, options, tmp_path), twin, "likely the same event")

    other = yaml.safe_load(files[5].read_text())
    edit_yaml(files[4], lambda d: d.update(date=other["date"], location=other["location"]))  # a new pair
    assert about(same_as_fresh(content, options, tmp_path), files[4] if files[4] > files[5] else files[5],
                 "likely the same event")

    data = yaml.safe_load(files[6].read_text())
    data.update(id="zz-added-incident", title="A new incident, added after the build")
    added = content / "incidents" / "zz-added-incident.yaml"
    added.write_text(yaml.safe_dump(data, sort_keys=False))
    assert about(same_as_fresh(content, options, tmp_path), added, files[6].stem)

    deletable = [p for p in files[7:] if p.stem not in cited_by_briefs(content)]
    deletable[0].unlink()
    same_as_fresh(content, options, tmp_path)

    edit_yaml(unfinished, lambda d: d.update(title="Finished"))  # its own warning is gone
    assert not about(same_as_fresh(content, options, tmp_path), unfinished, "TODO")


def test_sourcing_warnings_of_edited_incidents_come_and_go_as_without_the_cache(tree: Path,
                                                                                tmp_path: Path) -> None:
    content = Path(shutil.copytree(tree, tmp_path / "content"))
    brief = max((content / "briefs").glob("*.yaml"))
    period = yaml.safe_load(brief.read_text())["period"]
    inside = [p for p in incidents(content) if period["start"] <= yaml.safe_load(p.read_text())["date"]
              <= period["end"]]
    late, graded = inside[0], inside[-1]
    options = built(content, tmp_path)
    edit_yaml(late, lambda d: d["sources"][0].update(date=period["end"] + dt.timedelta(days=9)))
    edit_yaml(graded, lambda d: d.update(sources=[{**d["sources"][0], "credibility": 1}]))
    warnings = same_as_fresh(content, options, tmp_path)
    assert about(warnings, late, "after the cut-off") and about(warnings, graded, "credibility 1")
    build(options)  # now the build holds them; taken back, the check drops them
    edit_yaml(late, lambda d: d["sources"][0].update(date=period["start"]))
    edit_yaml(graded, lambda d: d.update(sources=[{**d["sources"][0], "credibility": 3}]))
    warnings = same_as_fresh(content, options, tmp_path)
    assert not about(warnings, late, "after the cut-off") and not about(warnings, graded, "credibility 1")


def test_documents_relayed_and_published_late_are_judged_as_without_the_cache(content_copy: Path,
                                                                              tmp_path: Path) -> None:
    """The default content cites documents through chains of relays, and a brief's cut-off dates them."""
    options = built(content_copy, tmp_path)
    before = same_as_fresh(content_copy, options, tmp_path)
    for path in incidents(content_copy):
        edit_yaml(path, lambda d: d.update(sources=[{**c, "credibility": 1} for c in d["sources"]]))
    warnings = same_as_fresh(content_copy, options, tmp_path)
    assert len(about(warnings, incidents(content_copy)[1], "credibility 1")) > \
        len(about(before, incidents(content_copy)[1], "credibility 1"))
    cited = {c["document"] for p in incidents(content_copy) for c in yaml.safe_load(p.read_text())["sources"]
             if "document" in c}
    late = sorted(cited)[0]
    document = content_copy / "documents" / f"{late}.yaml"
    edit_yaml(document, lambda d: d.update(published=dt.date(2030, 1, 1)))  # not an incident: a full check
    same_as_fresh(content_copy, options, tmp_path, quick=False)


def test_what_the_quick_check_cannot_vouch_for_is_validated_in_full(tree: Path, tmp_path: Path) -> None:
    content = Path(shutil.copytree(tree, tmp_path / "content"))
    files = incidents(content)
    options = built(content, tmp_path)
    # an ACLED id shared with an unchanged incident makes the later of the two count twice: its cut-off
    # warnings go, which only a full validation sees
    edit_yaml(files[0], lambda d: d.update(acled_id="IRQ12345"))
    edit_yaml(files[1], lambda d: d.update(acled_id="IRQ12345"))
    build(options)
    edit_yaml(files[0], lambda d: d.pop("acled_id"))
    same_as_fresh(content, options, tmp_path, quick=False)
    edit_yaml(files[0], lambda d: d.update(acled_id="IRQ12345"))
    same_as_fresh(content, options, tmp_path)  # as built again
    # an error: the check says exactly what, as without the cache
    text = files[2].read_text()
    files[2].write_text(text.replace("location:\n  location: ", "location:\n  location: nowhere-"))
    same_as_fresh(content, options, tmp_path, quick=False)
    files[2].write_text(text)
    # a file other than an incident
    brief = max((content / "briefs").glob("*.yaml"))
    edit_yaml(brief, lambda d: d.update(summary=d["summary"] + " A correction was issued."))
    same_as_fresh(content, options, tmp_path, quick=False)


def test_the_quick_check_reads_only_the_edited_incident_and_no_other_incident(tree: Path, tmp_path: Path,
                                                                              monkeypatch: pytest.MonkeyPatch
                                                                              ) -> None:
    content = Path(shutil.copytree(tree, tmp_path / "content"))
    options = built(content, tmp_path)
    edited = incidents(content)[3]
    edit_yaml(edited, lambda d: d.update(title="Retitled"))
    read = reading(monkeypatch, content)
    parts: list[str] = []
    read_entities = cache.ContentCache.read_entities
    monkeypatch.setattr(cache.ContentCache, "read_entities",
                        lambda self, part: parts.append(part) or read_entities(self, part))
    kept = {p: p.read_bytes() for p in options.cache.rglob("*") if p.is_file()}
    assert cache.quick_check(content, options.cache) is not None
    assert [name for name in read if name != "site.yaml"] == [edited.relative_to(content).as_posix()]
    assert parts == ["entities"]  # the other incidents' entities are not even unpickled
    assert {p: p.read_bytes() for p in options.cache.rglob("*") if p.is_file()} == kept, "it writes nothing"
    # a check in a fresh process answers from it too
    run = run_cli("check", "--content", content, "--output", options.output)
    assert run.status == 0 and run.out.startswith("content OK: 10 incidents")


def test_a_cache_whose_parts_disagree_is_read_again(tree: Path, tmp_path: Path) -> None:
    """A build stopped between writing the records and their entities leaves records of no use."""
    content = Path(shutil.copytree(tree, tmp_path / "content"))
    options = built(content, tmp_path)
    stale = dict(cache.ContentCache(options.cache).read_entities("incidents"))
    edit_yaml(incidents(content)[0], lambda d: d.update(title="Retitled"))
    build(options)
    name = incidents(content)[0].relative_to(content).as_posix()
    store = cache.ContentCache(options.cache)
    store.read()
    store.parts["incidents"][name] = stale[name]  # the entity of the version before the edit
    store.kept["incidents"].write(store.parts["incidents"], {name})
    again = cache.ContentCache(options.cache).read()
    assert name not in again.records and len(again.records) == len(store.records) - 1
    loaded, _records, changed = cache.load(content, again, cache.Hasher().tree(content), jobs=1)
    assert changed == {name}
    assert loaded.project == load_project(content)[0]


def test_records_are_kept_without_their_entities_through_small_and_large_changes(tree: Path,
                                                                                 tmp_path: Path) -> None:
    """A build reads records and gives them their entities in place; what it writes back holds none."""
    content = Path(shutil.copytree(tree, tmp_path / "content"))
    options = built(content, tmp_path)
    for n, path in enumerate(incidents(content)):
        edit_yaml(path, lambda d, n=n: d.update(title=f"Retitled {n}"))
        build(options)  # the first edits are written apart (records-delta.pickle), then all of it again
        records = cache.ContentCache(options.cache).read_records()
        assert len(records) == len(cache.ContentCache(options.cache).read().records) > 10
        assert all(record.entity is None for record in records.values()), n
    assert (options.cache / "records.pickle").is_file()
    same_as_fresh(content, options, tmp_path)


def test_an_incident_given_another_id_is_checked_as_without_the_cache(tree: Path, tmp_path: Path) -> None:
    content = Path(shutil.copytree(tree, tmp_path / "content"))
    files = incidents(content)
    where = yaml.safe_load(files[0].read_text())
    renamed = next(p for p in files[1:] if p.stem not in cited_by_briefs(content))
    edit_yaml(renamed, lambda d: d.update(date=where["date"], location=where["location"]))  # a pair
    options = built(content, tmp_path)
    edit_yaml(renamed, lambda d: d.update(id=d["id"] + "-renamed"))  # its file keeps its name
    warnings = same_as_fresh(content, options, tmp_path)
    assert [p for p in warnings if "likely the same event" in p.message
            and (p.path.endswith(f"/{renamed.name}") and files[0].stem in p.message
                 or p.path.endswith(f"/{files[0].name}") and f"{renamed.stem}-renamed" in p.message)]
    renamed.rename(renamed.with_name(f"{renamed.stem}-renamed.yaml"))
    same_as_fresh(content, options, tmp_path)


def test_many_changed_incidents_are_left_to_the_full_check(tree: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    content = Path(shutil.copytree(tree, tmp_path / "content"))
    options = built(content, tmp_path)
    for path in incidents(content)[:3]:
        edit_yaml(path, lambda d: d.update(title=d["title"] + " (revised)"))
    monkeypatch.setattr(cache, "QUICK_UP_TO", 2)
    same_as_fresh(content, options, tmp_path, quick=False)
    monkeypatch.setattr(cache, "QUICK_UP_TO", 3)
    same_as_fresh(content, options, tmp_path)
