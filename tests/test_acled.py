"""`import acled`: an ACLED export becomes incidents, actors, places and sources, safely re-importable."""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

import pytest
import yaml

from sitrep.cli import main
from sitrep.validate import load_project

DATA = Path(__file__).resolve().parent / "data"
SAMPLE = DATA / "acled-sample.csv"  # invented events in ACLED's 31 columns
REVISED = DATA / "acled-sample-revised.csv"  # the same, a week later: IRQ90002 revised, IRQ90008 added
ROOT = Path(__file__).resolve().parent.parent
CLASH = "incidents/acled/2024-04-06-wadi-al-shay-irq90002.yaml"


def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def import_acled(csv_file: Path, content: Path, *flags: str) -> tuple[int, str, str]:
    return run(["import", "acled", str(csv_file), "--content", str(content), *flags])


def read(content: Path, relative: str) -> dict:
    return yaml.safe_load((content / relative).read_text())


def digest(folder: Path) -> str:
    hashed = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        hashed.update(path.relative_to(folder).as_posix().encode())
        if path.is_file():
            hashed.update(path.read_bytes())
    return hashed.hexdigest()


@pytest.fixture()
def imported(tmp_path: Path) -> Path:
    """Return an empty content folder after importing the sample."""
    content = tmp_path / "content"
    assert import_acled(SAMPLE, content)[0] == 0
    return content


# --- The mapping ----------------------------------------------------------------------------

def test_import_into_an_empty_folder_summarises_and_passes_check(tmp_path: Path):
    content = tmp_path / "content"
    code, out, err = import_acled(SAMPLE, content)
    assert (code, err) == (0, "")
    assert out.splitlines()[:5] == [
        f"ACLED import of {SAMPLE}: 7 rows",
        ("  added: 7 incidents: 2024-04-02-ain-al-asad-air-base-irq90001, 2024-04-06-wadi-al-shay-irq90002, "
         "2024-04-12-baghdad-al-resafa-irq90003, 2024-04-19-basra-irq90004, 2024-04-21-kharab-al-jir-syr90005, "
         "and 2 more; new 14 actors, 7 locations, 8 sources"),
        "  updated: 0 incidents",
        "  unchanged: 0 incidents",
        "  skipped: 0 events",
    ]
    assert "ACLED's terms restrict republishing its data" in out
    project, problems = load_project(content)
    assert problems == [] and project is not None and len(project.incidents) == 7


def test_an_event_becomes_an_incident_with_acled_fields(imported: Path):
    clash = read(imported, CLASH)
    assert (imported / CLASH).read_text().startswith(
        "# imported from ACLED: event IRQ90002, timestamp 1712793600, digest ")
    assert clash["title"] == "Armed clash near Wadi al-Shay"  # geo_precision 2: near the named place
    assert (clash["event_type"], clash["sub_event_type"]) == ("Battles", "Armed clash")
    assert clash["location"] == {"location": "wadi-al-shay", "geo_precision": 2}
    assert clash["perpetrators"] == ["military-forces-of-iraq-2020", "police-forces-of-iraq-2020"]
    assert clash["targets"] == ["islamic-state-iraq"]
    assert clash["summary"].startswith("On 6 April 2024, Iraqi army and police units clashed")
    assert clash["casualties"] == [{  # ACLED's 2 are the event's dead: not put on IS alone
        "sides": ["military-forces-of-iraq-2020", "police-forces-of-iraq-2020", "islamic-state-iraq"], "killed": 2,
        "note": "ACLED's count for the whole event (its most conservative estimate), not split by side.",
        "sources": [{"source": "iraqi-security-media-cell", "via": "acled", "credibility": 3}]}]
    assert clash["acled_id"] == "IRQ90002" and str(clash["updated"]) == "2024-04-11"


def test_actors_places_and_sources(imported: Path):
    assert read(imported, "actors/acled/military-forces-of-iraq-2020.yaml") == {
        "id": "military-forces-of-iraq-2020", "name": "Military Forces of Iraq (2020-)", "kind": "state_forces",
        "country": "IRQ"}
    assert read(imported, "actors/acled/islamic-state-iraq.yaml")["kind"] == "rebel_group"  # inter code 2
    assert read(imported, "actors/acled/unidentified-armed-group-syria.yaml")["kind"] == "political_militia"
    assert read(imported, "actors/acled/civilians-syria.yaml")["kind"] == "civilians"  # inter given as text
    assert read(imported, "actors/acled/teachers-iraq.yaml")["kind"] == "protesters"  # as its main actor
    assert read(imported, "locations/acled/wadi-al-shay.yaml") == {
        "id": "wadi-al-shay", "name": "Wadi al-Shay", "kind": "other", "country": "IRQ", "admin1": "Kirkuk",
        "admin2": "Hawija", "admin3": "Al-Riyadh", "latitude": 35.351, "longitude": 43.811}
    rudaw = read(imported, "sources/acled/rudaw.yaml")
    assert (rudaw["reliability"], rudaw["scale"]) == ("F", "Other")
    assert read(imported, "sources/acled/roya-news.yaml")["scale"] == "National"  # one source, one scale
    assert read(imported, "sources/acled/acled.yaml")["kind"] == "research"


@pytest.mark.parametrize(("relative", "field", "value"), [
    ("incidents/acled/2024-04-12-baghdad-al-resafa-irq90003.yaml", "civilian_targeting", True),
    ("incidents/acled/2024-04-12-baghdad-al-resafa-irq90003.yaml", "time_precision", 2),
    ("incidents/acled/2024-04-15-deir-ez-zor-countryside-syr90006.yaml", "time_precision", 3),
    ("incidents/acled/2024-04-15-deir-ez-zor-countryside-syr90006.yaml", "title",
     "Looting/property destruction in the area of Deir ez Zor countryside"),
    ("incidents/acled/2024-04-19-basra-irq90004.yaml", "tags", ["crowd size=around 200"]),
    ("incidents/acled/2024-04-19-basra-irq90004.yaml", "disorder_type", "Demonstrations"),
    ("incidents/acled/2024-04-19-basra-irq90004.yaml", "targets", []),
])
def test_precision_flags_and_tags(imported: Path, relative: str, field: str, value: object):
    assert read(imported, relative)[field] == value


def test_fatalities_cover_every_side_of_the_event_and_blank_means_unknown(imported: Path):
    protest = read(imported, "incidents/acled/2024-04-05-amman-jor90007.yaml")
    assert protest["casualties"][0]["sides"] == ["protesters-jordan", "police-forces-of-jordan-1999"]
    fire = read(imported, "incidents/acled/2024-04-15-deir-ez-zor-countryside-syr90006.yaml")
    assert "casualties" not in fire  # no fatalities figure in the export
    strike = read(imported, "incidents/acled/2024-04-02-ain-al-asad-air-base-irq90001.yaml")
    assert strike["sources"] == [{"source": "shafaq-news", "via": "acled", "credibility": 3},
                                 {"source": "rudaw", "via": "acled", "credibility": 3}]


# --- Importing again ------------------------------------------------------------------------

def test_reimporting_the_same_export_changes_nothing(imported: Path):
    before = digest(imported)
    code, out, _ = import_acled(SAMPLE, imported)
    assert code == 0 and digest(imported) == before
    assert "  added: 0 incidents\n  updated: 0 incidents\n  unchanged: 7 incidents\n  skipped: 0 events\n" in out


def test_a_newer_export_updates_what_acled_revised(imported: Path):
    basra = (imported / "incidents/acled/2024-04-19-basra-irq90004.yaml").read_text()
    code, out, _ = import_acled(REVISED, imported)
    assert code == 0
    assert "  added: 1 incident: 2024-04-23-ain-al-asad-air-base-irq90008\n" in out
    assert "  updated: 1 incident: 2024-04-06-wadi-al-shay-irq90002 (ACLED revised them since the last import)\n" \
        in out
    assert "  unchanged: 6 incidents\n" in out
    clash = read(imported, CLASH)
    assert clash["casualties"][0]["killed"] == 3 and "one of them a local leader" in " ".join(clash["summary"].split())
    assert (imported / "incidents/acled/2024-04-19-basra-irq90004.yaml").read_text() == basra
    assert load_project(imported)[1] == []


def test_hand_edits_are_never_overwritten(imported: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(imported.parent)
    clash = imported / CLASH
    clash.write_text(clash.read_text().replace("killed: 2", "killed: 4"))  # edited, ACLED line kept
    edited = clash.read_text()
    code, out, _ = import_acled(REVISED, imported)
    assert code == 0 and clash.read_text() == edited
    assert ("    1 edited by hand since the import (its ACLED line no longer matches): "
            f"content/{CLASH}\n") in out


def test_deleting_the_acled_line_keeps_the_file(imported: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(imported.parent)
    clash = imported / CLASH
    clash.write_text(clash.read_text().split("\n", 1)[1])
    kept = clash.read_text()
    code, out, _ = import_acled(REVISED, imported)
    assert code == 0 and clash.read_text() == kept
    assert ("    1 already in the content, written or linked by hand (an incident with this acled_id and no ACLED "
            f"import line): content/{CLASH}\n") in out


def test_incidents_written_by_hand_are_never_overwritten(content_copy: Path, monkeypatch: pytest.MonkeyPatch):
    """An analyst's own incident with an ACLED id stays as written; the rest imports around it."""
    monkeypatch.chdir(content_copy.parent)
    mine = content_copy / "incidents" / "2024-04-21-kharab-al-jir-rockets.yaml"
    mine.write_text(mine.read_text() + "acled_id: SYR90005\n")
    before = mine.read_text()
    code, out, _ = import_acled(SAMPLE, content_copy)
    assert code == 0 and mine.read_text() == before
    assert "    1 already in the content, written or linked by hand (an incident with this acled_id and no ACLED " \
           "import line): content/incidents/2024-04-21-kharab-al-jir-rockets.yaml\n" in out
    assert "  added: 6 incidents" in out


def test_existing_actors_places_and_sources_are_reused(content_copy: Path):
    rockets = content_copy / "incidents" / "2024-04-21-kharab-al-jir-rockets.yaml"
    rockets.write_text(rockets.read_text().replace("date: 2024-04-21", "date: 2024-04-20"))  # not ACLED's event
    assert import_acled(SAMPLE, content_copy)[0] == 0
    rockets = read(content_copy, "incidents/acled/2024-04-21-kharab-al-jir-syr90005.yaml")
    assert rockets["location"]["location"] == "kharab-al-jir"  # 'Kharab al-Jir base', same spot
    assert rockets["perpetrators"] == ["unidentified-armed-group-iraq"]
    # ACLED's 'Military Forces of the United States (2021-)' is the content's us-forces, period suffix aside
    assert rockets["targets"] == ["us-forces", "global-coalition-against-daesh"]  # a name the content lacks
    assert [c["source"] for c in rockets["sources"]] == ["sohr", "afp"]  # by name, and by id
    assert not (content_copy / "sources" / "acled" / "afp.yaml").exists()
    clash = read(content_copy, CLASH)  # 'Military Forces of Iraq (2020-)': an alias of iraqi-security-forces
    assert clash["perpetrators"] == ["iraqi-security-forces", "police-forces-of-iraq-2020"]
    assert not (content_copy / "actors" / "acled" / "military-forces-of-iraq-2020.yaml").exists()
    assert not (content_copy / "actors" / "acled" / "military-forces-of-the-united-states-2021.yaml").exists()
    project, problems = load_project(content_copy)
    assert [str(p) for p in problems] == [] and len(project.incidents) == 10


# --- Choosing events ------------------------------------------------------------------------

def test_country_and_since_filters(tmp_path: Path):
    content = tmp_path / "content"
    code, out, _ = import_acled(SAMPLE, content, "--country", "Iraq", "--country", "760", "--since", "2024-04-10")
    assert code == 0
    assert "    1 outside --country IRQ, SYR: JOR90007\n" in out
    assert "    2 before --since 2024-04-10: IRQ90001, IRQ90002\n" in out
    assert sorted(p.name[:10] for p in (content / "incidents" / "acled").iterdir()) == [
        "2024-04-12", "2024-04-15", "2024-04-19", "2024-04-21"]


def test_dry_run_writes_nothing(tmp_path: Path):
    code, out, _ = import_acled(SAMPLE, tmp_path / "content", "--dry-run")
    assert code == 0 and "(dry run: nothing written)" in out and "  would be added: 7 incidents" in out
    assert not (tmp_path / "content").exists()


def test_unknown_country_flag_is_a_usage_error(tmp_path: Path):
    code, _, err = import_acled(SAMPLE, tmp_path / "content", "--country", "Atlantis")
    assert code == 2 and "--country Atlantis: not a country name, ISO alpha-3 or numeric code" in err


# --- Bad exports: one file per case ---------------------------------------------------------

@pytest.mark.parametrize(("case", "message"), [
    ("acled_missing_columns", (":1:1: not an ACLED export: missing column(s) latitude, longitude; expected "
                               "ACLED's 31 columns")),
    ("acled_unknown_event_type", (":3:51: event_type: 'Drone strikes' is not one of Battles, "
                                  "Explosions/Remote violence,")),
    ("acled_bad_coordinates", ":3:250: latitude: 133.7856 is outside -90..90"),
    ("acled_impossible_date", ":3:10: event_date: '2024-02-30' is not a date (YYYY-MM-DD)"),
    ("acled_not_utf8", ":4:1: the file is not UTF-8 text; export it from ACLED again as CSV"),
])
def test_bad_exports_are_reported_by_line_and_column_and_nothing_is_written(tmp_path: Path, case: str,
                                                                             message: str,
                                                                             monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(ROOT)  # the path is shown as it can be opened from where the command ran
    path = DATA / f"{case}.csv"
    code, out, err = import_acled(path, tmp_path / "content")
    assert (code, out) == (1, "")
    assert f"  tests/data/{case}.csv{message}" in err, err
    assert not (tmp_path / "content").exists()


def test_a_missing_file_is_a_usage_error(tmp_path: Path):
    code, _, err = import_acled(tmp_path / "nope.csv", tmp_path / "content")
    assert code == 2 and err == f"error: {tmp_path / 'nope.csv'} does not exist\n"


# --- Round trip -----------------------------------------------------------------------------

def test_export_then_import_keeps_the_key_fields(tmp_path: Path):
    exported = tmp_path / "export.csv"
    assert run(["export", "acled", "--content", str(ROOT / "content"), "--output", str(exported)])[0] == 0
    content = tmp_path / "content"
    code, _, err = import_acled(exported, content)
    assert code == 0, err
    original, _ = load_project(ROOT / "content")
    copy, problems = load_project(content)
    assert problems == [] and copy is not None
    assert set(copy.incidents) == set(original.incidents)  # sitrep's own ids come back

    def key_fields(project, incident):
        place = project.locations[incident.location.location]
        from sitrep.analyse import incident_figures
        return (incident.date, incident.time_precision, incident.event_type, incident.sub_event_type,
                incident.disorder, incident.location.geo_precision, place.country, place.name, place.admin1,
                round(place.latitude, 4), round(place.longitude, 4), incident.civilian_targeting,
                [project.actors[a].name for a in incident.perpetrators],
                [project.actors[a].name for a in incident.targets], incident.tags,
                incident_figures(project, incident).killed.low, incident.acled_id)

    for incident_id, incident in original.incidents.items():
        assert key_fields(copy, copy.incidents[incident_id]) == key_fields(original, incident), incident_id
    with exported.open(newline="", encoding="utf-8") as handle:
        assert len(list(csv.DictReader(handle))) == 3


def test_a_spreadsheet_export_with_semicolons_and_a_byte_order_mark_is_read(tmp_path: Path):
    with SAMPLE.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    resaved = tmp_path / "resaved.csv"
    with resaved.open("w", newline="", encoding="utf-8-sig") as handle:
        csv.writer(handle, delimiter=";").writerows(rows)
    code, out, _ = import_acled(resaved, tmp_path / "content")
    assert code == 0 and "  added: 7 incidents" in out
    assert read(tmp_path / "content", CLASH)["acled_id"] == "IRQ90002"


# --- What went in comes back out (issue 11) --------------------------------------------------

CAMPAIGN = DATA / "acled-campaign.csv"  # dates as '28 January 2024', several outlets, exact timestamps


def rows_of(path: Path) -> dict[str, dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return {row["event_id_cnty"]: row for row in csv.DictReader(handle)}


def exported(content: Path, tmp_path: Path) -> dict[str, dict[str, str]]:
    target = tmp_path / "export.csv"
    assert run(["export", "acled", "--content", str(content), "--output", str(target)])[0] == 0
    return rows_of(target)


@pytest.mark.parametrize("export", [CAMPAIGN, REVISED])
def test_imported_values_come_back_out_of_export_acled_exactly(tmp_path: Path, export: Path):
    content = tmp_path / "content"
    assert import_acled(export, content)[0] == 0
    given, back = rows_of(export), exported(content, tmp_path)
    assert set(back) == set(given)
    differences = {(key, column): (value, back[key][column]) for key, row in given.items()
                   for column, value in row.items() if back[key][column] != value}
    if export == REVISED:  # an empty fatalities cell goes out as 0, its note saying none was reported
        notes = given["SYR90006"]["notes"]
        assert differences.pop(("SYR90006", "notes")) == (notes, notes + " [Fatalities not reported; coded 0.]")
        assert differences.pop(("SYR90006", "fatalities")) == ("", "0")
    assert differences == {}


def test_what_an_analyst_changes_is_exported_as_changed(tmp_path: Path):
    content = tmp_path / "content"
    assert import_acled(CAMPAIGN, content)[0] == 0
    kharab = content / "incidents" / "acled" / "2024-04-21-kharab-al-jir-syr90103.yaml"
    kharab.write_text(kharab.read_text().replace("date: 2024-04-21", "date: 2024-04-22")
                      .replace("updated: 2024-04-24", "updated: 2024-04-25"))
    place = content / "locations" / "acled" / "kharab-al-jir.yaml"
    place.write_text(place.read_text().replace("latitude: 36.8733", "latitude: 36.87"))
    sohr = content / "sources" / "acled" / "sohr.yaml"
    sohr.write_text(sohr.read_text().replace("scale: Other", "scale: International"))  # graded by the analyst
    actor = content / "actors" / "acled" / "unidentified-armed-group-iraq.yaml"
    actor.write_text(actor.read_text().replace("kind: political_militia", "kind: rebel_group"))
    row = exported(content, tmp_path)["SYR90103"]
    given = rows_of(CAMPAIGN)["SYR90103"]
    assert (given["event_date"], row["event_date"]) == ("21 April 2024", "2024-04-22")
    assert (given["latitude"], row["latitude"]) == ("36.8733", "36.8700")
    assert (given["source_scale"], row["source_scale"]) == ("Other-National", "International-Other")
    assert (given["inter1"], row["inter1"], given["interaction"], row["interaction"]) == ("3", "2", "38", "28")
    assert (given["timestamp"], row["timestamp"]) == ("1713983422", str(1714003200))  # 25 April, midnight
    assert (given["source"], row["source"]) == ("SOHR; Kurdistan24", "SOHR; Kurdistan24")  # not 'ACLED'


def test_acled_period_suffixes_are_one_actor(tmp_path: Path):
    """ACLED names state forces by period; the import makes one actor of them, found by its aliases too."""
    content = tmp_path / "content"
    (content / "actors").mkdir(parents=True)
    (content / "actors" / "iraqi-forces.yaml").write_text(
        "id: iraqi-forces\nname: Iraqi security forces\nkind: state_forces\ncountry: IRQ\n"
        "aliases:\n  - Military Forces of Iraq\n")
    assert import_acled(SAMPLE, content)[0] == 0
    assert import_acled(CAMPAIGN, content)[0] == 0
    clash = read(content, CLASH)  # 'Military Forces of Iraq (2020-)'
    kalsu = read(content, "incidents/acled/2024-04-20-kalsu-military-base-irq90102.yaml")  # '(2022-)'
    assert clash["perpetrators"][0] == kalsu["targets"][0] == "iraqi-forces"
    us = [read(content, f"incidents/acled/{name}.yaml")
          for name in ("2024-04-02-ain-al-asad-air-base-irq90001", "2024-01-28-tower-22-jor90101")]
    assert us[0]["perpetrators"] == us[1]["targets"] == ["military-forces-of-the-united-states-2021"]
    assert sorted(p.name for p in (content / "actors" / "acled").iterdir() if "military" in p.name) == [
        "military-forces-of-the-united-states-2021.yaml"]
