"""Same-event detection (issue 11): one event recorded twice is flagged, linked, and counted once."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from pathlib import Path

import pytest

from sitrep.acled import ImportOptions, import_acled, summary_lines
from sitrep.analyse import analyse_brief
from sitrep.cli import main
from sitrep.model import date_span
from sitrep.same_event import (NEAR_KM, Candidate, Event, Site, event_candidate, haversine_km,
                               incident_candidate, incident_event, likely_same)
from sitrep.validate import load_project
from tests.helpers import make_content, write_tree

DATA = Path(__file__).resolve().parent / "data"
#: ACLED's coding of the three events the default content already has by hand: Tower 22 (28 January),
#: Kalsu (20 April) and Kharab al-Jir (21 April), dated as ACLED's export tool writes them.
CAMPAIGN = DATA / "acled-campaign.csv"
TOWER, KALSU, KHARAB = ("incidents/2024-01-28-tower-22-drone-attack.yaml",
                        "incidents/2024-04-20-kalsu-base-explosion.yaml",
                        "incidents/2024-04-21-kharab-al-jir-rockets.yaml")


#: The 16-22 April brief of the default content: Kalsu (1 killed, 8 wounded) and Kharab al-Jir (no figures).
TWO_INCIDENTS = (["2024-04-20-kalsu-base-explosion", "2024-04-21-kharab-al-jir-rockets"], "at least 1", "at least 8")


def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def digest(folder: Path) -> str:
    hashed = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        hashed.update(path.relative_to(folder).as_posix().encode())
        if path.is_file():
            hashed.update(path.read_bytes())
    return hashed.hexdigest()


def week_of_22_april(content: Path) -> tuple[list[str], str, str]:
    """Return the incidents of the 16-22 April brief, and its killed and wounded."""
    project, problems = load_project(content)
    assert project is not None, problems
    current = analyse_brief(project, project.briefs["brief-2024-04-22"]).current
    return [i.id for i in current.incidents], str(current.killed), str(current.wounded)


# --- The import links instead of adding -----------------------------------------------------

def test_import_beside_hand_written_incidents_links_them(content_copy: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(content_copy.parent)
    assert week_of_22_april(content_copy) == TWO_INCIDENTS
    before = {name: (content_copy / name).read_text() for name in (TOWER, KALSU, KHARAB)}
    code, out, err = run(["import", "acled", str(CAMPAIGN), "--content", str(content_copy)])
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[1:3] == ["  added: 0 incidents", "  updated: 0 incidents"]
    assert lines[3] == (
        "  linked: 3 events: JOR90101 → content/incidents/2024-01-28-tower-22-drone-attack.yaml (same day, same "
        "place 'tower-22'), IRQ90102 → content/incidents/2024-04-20-kalsu-base-explosion.yaml (same day, same "
        "place 'kalsu-base'), SYR90103 → content/incidents/2024-04-21-kharab-al-jir-rockets.yaml (same day, same "
        "place 'kharab-al-jir') (likely the same event as an incident already written: its acled_id was recorded "
        "there instead of adding a second incident; linked without asking, as no terminal could answer: if one is "
        "another event, delete that acled_id line and import again from a terminal, answering n)")
    for name, acled_id in ((TOWER, "JOR90101"), (KALSU, "IRQ90102"), (KHARAB, "SYR90103")):
        assert (content_copy / name).read_text() == before[name] + f"acled_id: {acled_id}\n"
    assert not (content_copy / "incidents" / "acled").exists()
    assert week_of_22_april(content_copy) == TWO_INCIDENTS
    assert load_project(content_copy)[1] == []


def test_dry_run_says_it_would_link_and_writes_nothing(content_copy: Path):
    before = digest(content_copy)
    code, out, _ = run(["import", "acled", str(CAMPAIGN), "--content", str(content_copy), "--dry-run"])
    assert code == 0 and digest(content_copy) == before
    assert "  would be linked: 3 events: JOR90101 → " in out and "  would be added: 0 incidents" in out


def test_importing_again_or_importing_the_export_changes_nothing(content_copy: Path, tmp_path: Path):
    assert run(["import", "acled", str(CAMPAIGN), "--content", str(content_copy)])[0] == 0
    linked = digest(content_copy)
    code, out, _ = run(["import", "acled", str(CAMPAIGN), "--content", str(content_copy)])
    assert code == 0 and digest(content_copy) == linked and "  added: 0 incidents" in out
    exported = tmp_path / "export.csv"
    assert run(["export", "acled", "--content", str(content_copy), "--output", str(exported)])[0] == 0
    code, out, _ = run(["import", "acled", str(exported), "--content", str(content_copy)])
    assert code == 0 and digest(content_copy) == linked
    assert "  added: 0 incidents\n" in out and "  linked: " not in out


def test_the_export_of_hand_written_content_imports_back_into_it_unchanged(content_copy: Path, tmp_path: Path):
    exported = tmp_path / "export.csv"
    assert run(["export", "acled", "--content", str(content_copy), "--output", str(exported)])[0] == 0
    before = digest(content_copy)
    code, out, _ = run(["import", "acled", str(exported), "--content", str(content_copy)])
    assert code == 0 and digest(content_copy) == before
    assert "  added: 0 incidents\n" in out and "  unchanged: 3 incidents\n" in out


# --- Declining: check warns until the analyst says which -------------------------------------

def declined(content: Path) -> list[str]:
    """Import the campaign answering no to every link; return the questions asked."""
    asked: list[str] = []

    def ask(question: str) -> bool:
        asked.append(question)
        return False

    result = import_acled(ImportOptions(file=CAMPAIGN, content=content, ask=ask))
    assert not any("linked" in line for line in summary_lines(result))
    assert len(result.added) == 3
    return asked


def test_a_declined_link_adds_the_event_and_check_warns_naming_both_files(content_copy: Path,
                                                                            monkeypatch: pytest.MonkeyPatch):
    asked = declined(content_copy)
    assert asked[0] == (
        f"JOR90101 (line 2, 2024-01-28, Tower 22) looks like {content_copy / TOWER} (same day, same place "
        "'tower-22'). Link it, recording acled_id JOR90101 there, instead of adding a second incident? [Y/n] ")
    project, problems = load_project(content_copy)
    assert project is not None
    assert [str(p) for p in problems if "Kalsu" in str(p) or "kalsu" in str(p)] == [
        "content/incidents/acled/2024-04-20-kalsu-military-base-irq90102.yaml:2:1: warning: likely the same event "
        "as content/incidents/2024-04-20-kalsu-base-explosion.yaml:1 (same day, same place 'kalsu-base'); if it "
        "is, keep one file or write 'same_as: 2024-04-20-kalsu-base-explosion' here so it is counted once; if they "
        "are two events, write 'not_same_as: [2024-04-20-kalsu-base-explosion]'"]
    assert len(problems) == 3
    monkeypatch.chdir(content_copy)  # check prints the paths as they open from here, both files alike
    code, out, err = run(["check", "--content", str(content_copy)])
    assert code == 0 and "\n  incidents/acled/2024-04-20-kalsu-military-base-irq90102.yaml:2:1: warning: " \
        "likely the same event as incidents/2024-04-20-kalsu-base-explosion.yaml:1 (same day" in err
    elsewhere = content_copy.parent / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # a folder the content is not in: both absolute
    code, out, err = run(["check", "--content", str(content_copy)])
    assert code == 0 and f"\n  {content_copy}/incidents/acled/2024-04-20-kalsu-military-base-irq90102.yaml:2:1: " \
        f"warning: likely the same event as {content_copy}/incidents/2024-04-20-kalsu-base-explosion.yaml:1 (" in err


def test_same_as_counts_the_event_once_and_silences_the_warning(content_copy: Path):
    declined(content_copy)
    ids, killed, wounded = week_of_22_april(content_copy)
    assert len(ids) == 4  # the analyst said they were other events: until told otherwise, four
    for folder_name, same in (("2024-04-20-kalsu-military-base-irq90102", "2024-04-20-kalsu-base-explosion"),
                              ("2024-04-21-kharab-al-jir-syr90103", "2024-04-21-kharab-al-jir-rockets"),
                              ("2024-01-28-tower-22-jor90101", "2024-01-28-tower-22-drone-attack")):
        path = content_copy / "incidents" / "acled" / f"{folder_name}.yaml"
        path.write_text(path.read_text() + f"same_as: {same}\n")
    project, problems = load_project(content_copy)
    assert problems == []
    assert week_of_22_april(content_copy) == TWO_INCIDENTS
    tower = analyse_brief(project, project.briefs["brief-2024-04-15"])
    assert "2024-01-28-tower-22-jor90101" not in {i.id for i in tower.current.incidents}


def test_not_same_as_silences_the_warning_and_both_count(content_copy: Path):
    declined(content_copy)
    for name, other in ((KALSU, "2024-04-20-kalsu-military-base-irq90102"),
                        (KHARAB, "2024-04-21-kharab-al-jir-syr90103"), (TOWER, "2024-01-28-tower-22-jor90101")):
        path = content_copy / name
        path.write_text(path.read_text() + f"not_same_as: [{other}]\n")
    assert load_project(content_copy)[1] == []
    assert len(week_of_22_april(content_copy)[0]) == 4


# --- The rules ------------------------------------------------------------------------------

D = dt.date


def candidate(key: str, day: dt.date, precision: int = 1, place: str = "x", point: tuple[float, float] | None = None,
              acled_id: str | None = None, **links: object) -> Candidate:
    start, end = date_span(day, precision)
    return Candidate(key, start, end, (Site(place, point),), acled_id, **links)  # type: ignore[arg-type]


def test_date_spans_follow_acled_precision():
    assert date_span(D(2024, 4, 20), 1) == (D(2024, 4, 20), D(2024, 4, 20))
    assert date_span(D(2024, 4, 17), 2) == (D(2024, 4, 13), D(2024, 4, 19))  # ACLED weeks: Saturday to Friday
    assert date_span(D(2024, 2, 15), 3) == (D(2024, 2, 1), D(2024, 2, 29))


def test_haversine():
    assert round(haversine_km(32.87, 44.34, 32.888, 44.353), 2) == 2.34  # ACLED's Kalsu and ours
    assert round(haversine_km(33.3152, 44.3661, 36.1901, 43.993), 0) == 321  # Baghdad to Erbil


@pytest.mark.parametrize(("first", "second", "why"), [
    (candidate("a", D(2024, 4, 20), place="kalsu"), candidate("b", D(2024, 4, 20), place="kalsu"),
     "same day, same place 'kalsu'"),
    (candidate("a", D(2024, 4, 20), place="p", point=(32.87, 44.34)),
     candidate("b", D(2024, 4, 20), place="q", point=(32.888, 44.353)), "same day, 2.3 km apart"),
    (candidate("a", D(2024, 4, 20), place="p", point=(32.87, 44.34)),
     candidate("b", D(2024, 4, 20), place="q", point=(32.87 + 5.2 / 111.2, 44.34)), None),  # 5.2 km: two places
    (candidate("a", D(2024, 4, 20), place="kalsu"), candidate("b", D(2024, 4, 21), place="kalsu"), None),
    (candidate("a", D(2023, 12, 15), 3, place="kalsu"), candidate("b", D(2023, 12, 3), place="kalsu"),
     "dates overlap, same place 'kalsu'"),  # a month-precision report covers the 3rd
    (candidate("a", D(2024, 4, 17), 2, place="kalsu"), candidate("b", D(2024, 4, 20), place="kalsu"), None),
    (candidate("a", D(2024, 4, 20), place="kalsu", acled_id="IRQ1"),
     candidate("b", D(2024, 4, 20), place="kalsu", acled_id="IRQ2"), None),  # ACLED coded two events
    (candidate("a", D(2024, 4, 20), place="kalsu", acled_id="IRQ1"),
     candidate("b", D(2024, 4, 22), place="basra", acled_id="IRQ1"), "same ACLED id IRQ1"),
    (candidate("a", D(2024, 4, 20), place="kalsu"), candidate("b", D(2024, 4, 20), place="kalsu", same_as="a"),
     None),
    (candidate("a", D(2024, 4, 20), place="kalsu", not_same_as=("b",)), candidate("b", D(2024, 4, 20),
                                                                                  place="kalsu"), None),
])
def test_likely_same(first: Candidate, second: Candidate, why: str | None):
    assert likely_same(first, second) == why
    assert NEAR_KM == 5.0


def test_same_acled_id_counts_once_whatever_the_dates(tmp_path: Path):
    content = make_content(tmp_path)
    blast = (content / "incidents" / "baghdad-blast.yaml").read_text()
    write_tree(content, {
        "incidents/baghdad-blast.yaml": blast + "acled_id: IRQ4242\n",
        # the same ACLED event written again, a day earlier (a first report's date) and without the photo
        "incidents/baghdad-blast-2.yaml": blast.replace("id: baghdad-blast", "id: baghdad-blast-2")
        .replace("2024-04-20", "2024-04-19").split("attachments:")[0] + "sources:\n  - source: afp\n"
        "    credibility: 2\nacled_id: IRQ4242\n"})
    project, problems = load_project(content)
    assert [str(p) for p in problems] == [
        "content/incidents/baghdad-blast-2.yaml:1:1: warning: likely the same event as "
        "content/incidents/baghdad-blast.yaml:1 (same ACLED id IRQ4242); if it is, keep one file or write "
        "'same_as: baghdad-blast' here so it is counted once; if they are two events, write "
        "'not_same_as: [baghdad-blast]'"]
    figures = analyse_brief(project, project.briefs["brief-1"]).current
    assert [i.id for i in figures.incidents] == ["baghdad-blast"] and str(figures.killed) == "1"


def test_pairs_finds_what_comparing_every_pair_finds():
    """The grid and date filter only skip pairs that cannot match: the answer is that of every pair compared."""
    import random

    from sitrep.same_event import pairs
    chance = random.Random(11)
    places = [(f"p{i}", (chance.uniform(29, 37), chance.uniform(36, 48))) for i in range(60)]
    places += [(f"q{i}", (place[1][0] + 0.02, place[1][1] - 0.03)) for i, place in enumerate(places[:20])]  # ~3 km
    found = []
    for i in range(800):
        place = chance.choice(places)
        day = D(2024, 1, 1) + dt.timedelta(days=chance.randrange(120))
        found.append(candidate(f"i{i}", day, chance.choice([1, 1, 1, 2, 3]), place[0], place[1],
                               chance.choice([None, None, f"IRQ{chance.randrange(40)}"])))
    every = {(a.key, b.key, likely_same(a, b)) for n, a in enumerate(found) for b in found[n + 1:]
             if likely_same(a, b)}
    assert {(a.key, b.key, why) for a, b, why in pairs(found)} == every and len(every) > 50


def test_pairs_with_some_candidates_finds_what_pairs_finds_of_them():
    """A check after an edit compares the edited incidents alone (cache.quick_check): same pairs, same why."""
    import random
    from types import SimpleNamespace

    from sitrep.same_event import pairs, pairs_with
    chance = random.Random(5)
    locations = {f"p{i}": SimpleNamespace(latitude=chance.uniform(29, 37), longitude=chance.uniform(36, 48))
                 for i in range(50)}
    locations |= {f"q{i}": SimpleNamespace(latitude=locations[f"p{i}"].latitude + 0.02,
                                           longitude=locations[f"p{i}"].longitude - 0.03) for i in range(20)}
    locations |= {f"r{i}": SimpleNamespace(latitude=None, longitude=None) for i in range(5)}  # not located
    bare = []
    for i in range(600):
        day = D(2024, 1, 1) + dt.timedelta(days=chance.randrange(90))
        place = chance.choice(sorted(locations))
        acled_id = chance.choice([None, None, f"IRQ{chance.randrange(30)}"])
        bare.append(candidate(f"i{i:03}", day, chance.choice([1, 1, 1, 2, 3]), place, None, acled_id,
                              same_as=chance.choice([None] * 20 + ["i001"]),
                              not_same_as=tuple(chance.choice([[], [], ["i002"]]))))
    events = {c.key: Event(c.start, c.end, tuple(site.location for site in c.sites), c.acled_id, c.same_as,
                           c.not_same_as) for c in bare}
    every = [(a.key, b.key, why) for a, b, why in pairs([event_candidate(k, e, locations)
                                                          for k, e in events.items()])]
    assert len(every) > 40
    for keys in [{"i001"}, {"i002", "i450"}, *({c.key} for c in chance.sample(bare, 40))]:
        assert pairs_with(events, keys, locations) == [p for p in every if p[0] in keys or p[1] in keys]


def test_an_incidents_event_makes_its_candidate(content_copy: Path):
    project, _problems = load_project(content_copy)
    assert project is not None and project.incidents
    for incident in project.incidents.values():
        assert event_candidate(incident.id, incident_event(incident), project.locations) == \
            incident_candidate(project, incident)
