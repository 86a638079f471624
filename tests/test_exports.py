"""Data exports: JSON and GeoJSON round-trip to the incidents; the CSV reads as ACLED data."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
from pathlib import Path

import pytest

from sitrep.model import Incident, Project
from sitrep.render.exports import (
    ACLED_COLUMNS,
    incidents_acled_csv,
    incidents_geojson,
    incidents_json,
    interaction,
)
from sitrep.validate import load_project
from tests.site_helpers import DEFAULT_CONTENT, KALSU, KHARAB, TOWER_22, build_default_site

#: ACLED's export header, written out in full so a change to the constant cannot hide a change here.
ACLED_HEADER = ("event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,"
                "assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,civilian_targeting,iso,region,"
                "country,admin1,admin2,admin3,location,latitude,longitude,geo_precision,source,source_scale,"
                "notes,fatalities,tags,timestamp")
DERIVED = ("country", "location_name", "latitude", "longitude", "sites", "page")


@pytest.fixture(scope="module")
def project() -> Project:
    """Return the default content."""
    loaded, problems = load_project(DEFAULT_CONTENT)
    assert loaded is not None, problems
    return loaded


def rows(text: str) -> dict[str, dict[str, str]]:
    """Return CSV rows keyed by event_id_cnty."""
    return {row["event_id_cnty"]: row for row in csv.DictReader(io.StringIO(text, newline=""))}


def with_incident(project: Project, incident: Incident) -> Project:
    """Return the project with one incident replaced or added."""
    return dataclasses.replace(project, incidents={**project.incidents, incident.id: incident})


# --- CSV ----------------------------------------------------------------------------------

def test_csv_header_is_exactly_acleds_31_columns(project: Project) -> None:
    text = incidents_acled_csv(project)
    assert text.split("\r\n")[0] == ACLED_HEADER
    assert ACLED_COLUMNS == tuple(ACLED_HEADER.split(",")) and len(ACLED_COLUMNS) == 31
    assert len(rows(text)) == len(project.incidents)


def test_csv_codes_the_kharab_al_jir_attack_as_acled_would(project: Project) -> None:
    row = rows(incidents_acled_csv(project))[f"SYR-{KHARAB}"]
    assert row["event_date"] == "2024-04-21" and row["year"] == "2024" and row["time_precision"] == "1"
    assert (row["disorder_type"], row["event_type"], row["sub_event_type"]) == (
        "Political violence", "Explosions/Remote violence", "Shelling/artillery/missile attack")
    assert (row["actor1"], row["inter1"]) == ("Unidentified Armed Group (Iraq)", "3")
    assert row["actor2"] == "International coalition against the Islamic State group" and row["inter2"] == "8"
    assert row["assoc_actor_2"] == "Military Forces of the United States"
    assert row["interaction"] == "38"  # the two inter codes, smaller first
    assert (row["iso"], row["region"], row["country"], row["admin1"]) == ("760", "Middle East", "Syria",
                                                                          "Al-Hasakah")
    assert (row["location"], row["latitude"], row["longitude"], row["geo_precision"]) == (
        "Kharab al-Jir base", "36.8700", "42.0400", "1")
    # each cited document's source, then the documents that carried it to us, once each
    assert row["source"].split("; ") == [
        "Iraqi security forces (official statements)", "Agence France-Presse", "Mint",
        "MENAFN (Middle East North Africa Financial Network)", "Syrian Observatory for Human Rights"]
    assert row["civilian_targeting"] == ""
    assert row["tags"] == "coalition; rockets; cross-border"
    # no death was reported: ACLED codes 0, and the notes say why
    assert row["fatalities"] == "0" and row["notes"].endswith("[Fatalities not reported; coded 0.]")
    # every report is of 21 April, the day of the attack, 21:50 in Baghdad: the last change is no earlier
    assert row["timestamp"] == str(int(dt.datetime(2024, 4, 21, 18, 50, tzinfo=dt.UTC).timestamp())) == "1713725400"


def test_csv_fatalities_are_the_conservative_headline(project: Project) -> None:
    table = rows(incidents_acled_csv(project))
    assert table[f"IRQ-{KALSU}"]["fatalities"] == "1"
    assert table[f"JOR-{TOWER_22}"]["fatalities"] == "3"
    assert table[f"IRQ-{KALSU}"]["iso"] == "368" and table[f"JOR-{TOWER_22}"]["iso"] == "400"


def test_csv_sources_are_every_report_the_row_rests_on(project: Project) -> None:
    table = rows(incidents_acled_csv(project))
    tower = table[f"JOR-{TOWER_22}"]
    # Democracy Now! gives the claim and the Pentagon's 34 wounded: cited there only, it is a source of the row;
    # it is a national outlet, so the scale runs from National (AP and the others are International)
    assert tower["source"].split("; ")[-1] == "Democracy Now!"
    assert tower["source_scale"] == "National-International"
    # CENTCOM's denial of Kalsu is cited by the claim alone
    assert "US Central Command (CENTCOM)" in table[f"IRQ-{KALSU}"]["source"].split("; ")


def test_csv_leaves_interaction_empty_without_a_perpetrator(project: Project) -> None:
    row = rows(incidents_acled_csv(project))[f"IRQ-{KALSU}"]
    assert (row["actor1"], row["inter1"], row["interaction"]) == ("", "", "")
    assert row["actor2"] == "Iraqi security forces" and row["inter2"] == "1"


def test_csv_uses_an_imported_acled_id_civilian_targeting_and_the_updated_date(project: Project) -> None:
    changed = project.incidents[KALSU].model_copy(update={
        "acled_id": "IRQ34567", "civilian_targeting": True, "updated": dt.date(2024, 5, 2)})
    row = rows(incidents_acled_csv(with_incident(project, changed)))["IRQ34567"]
    assert row["civilian_targeting"] == "Civilian targeting"
    assert row["timestamp"] == str(int(dt.datetime(2024, 5, 2, tzinfo=dt.UTC).timestamp()))


def midnight(year: int, month: int, day: int) -> str:
    return str(int(dt.datetime(year, month, day, tzinfo=dt.UTC).timestamp()))


def test_csv_timestamp_is_the_day_of_the_newest_report_not_of_the_event(project: Project) -> None:
    table = rows(incidents_acled_csv(project))
    # Kalsu: the blast on 20 April, Iraq's statement and CENTCOM's denial that day, AFP's and Mint's reports
    # on 21 April, no `updated:`. The record last changed on the 21st, not before anyone reported it.
    assert table[f"IRQ-{KALSU}"]["timestamp"] == "1713657600" == midnight(2024, 4, 21)
    # Tower 22, 28 January: AP that day, Democracy Now! on the 29th, Mint's 21 April report cited for it too
    assert table[f"JOR-{TOWER_22}"]["timestamp"] == midnight(2024, 4, 21)
    # a revised casualty figure dated 23 April, after an `updated:` of the 22nd: the revision is the last change
    report = project.incidents[KALSU].casualties[0]
    revised = report.model_copy(update={"id": "revised", "date": dt.date(2024, 4, 23), "supersedes": []})
    changed = project.incidents[KALSU].model_copy(update={
        "updated": dt.date(2024, 4, 22), "casualties": [report, revised]})
    assert rows(incidents_acled_csv(with_incident(project, changed)))[f"IRQ-{KALSU}"]["timestamp"] == \
        midnight(2024, 4, 23)
    # the same incident citing only what was said on its own day (Iraq's statement, CENTCOM's denial)
    kalsu = project.incidents[KALSU]
    alone = kalsu.model_copy(update={"claims": kalsu.claims[:1], "casualties": [], "sources": kalsu.sources[:1]})
    assert rows(incidents_acled_csv(with_incident(project, alone)))[f"IRQ-{KALSU}"]["timestamp"] == \
        midnight(2024, 4, 20)


def test_csv_survives_commas_quotes_and_line_breaks_in_text(project: Project) -> None:
    changed = project.incidents[KALSU].model_copy(update={
        "summary": 'A "blast", then\n\nanother, at the base.', "tags": ["a, b", 'say "no"']})
    row = rows(incidents_acled_csv(with_incident(project, changed)))[f"IRQ-{KALSU}"]
    assert row["notes"] == 'A "blast", then another, at the base.'
    assert row["tags"] == 'a, b; say "no"'


@pytest.mark.parametrize(("codes", "expected"), [((3, 8), 38), ((8, 3), 38), ((1, 1), 11), ((6, None), 60),
                                                 ((None, 1), "")])
def test_interaction_code(project: Project, codes: tuple[int | None, int | None],
                          expected: int | str) -> None:
    by_code = {a.inter_code: a for a in project.actors.values()}
    by_code[6] = project.actors["iraqi-security-forces"].model_copy(update={"kind": "protesters"})
    actors = [by_code[c] if c is not None else None for c in codes]
    assert interaction(*actors) == expected


# --- JSON and GeoJSON ---------------------------------------------------------------------

def test_json_round_trips_to_the_incidents(project: Project) -> None:
    document = json.loads(incidents_json(project))
    assert [r["id"] for r in document["incidents"]] == [i.id for i in project.incidents_by_date]
    for record in document["incidents"]:
        fields = {k: v for k, v in record.items() if k not in DERIVED}
        assert Incident.model_validate(fields) == project.incidents[record["id"]]
    kharab = next(r for r in document["incidents"] if r["id"] == KHARAB)
    assert kharab["country"] == "SYR" and kharab["page"] == f"incidents/{KHARAB}.html"


def test_geojson_has_a_point_feature_per_incident_that_round_trips(project: Project) -> None:
    collection = json.loads(incidents_geojson(project))
    assert collection["type"] == "FeatureCollection"
    assert len(collection["features"]) == len(project.incidents)
    for feature in collection["features"]:
        incident = project.incidents[feature["id"]]
        place = project.locations[incident.location.location]
        assert feature["type"] == "Feature"
        assert feature["geometry"] == {"type": "Point", "coordinates": [place.longitude, place.latitude]}
        fields = {k: v for k, v in feature["properties"].items() if k not in DERIVED}
        assert Incident.model_validate(fields) == incident


def test_the_site_publishes_the_exports(tmp_path_factory: pytest.TempPathFactory, project: Project) -> None:
    site = build_default_site(tmp_path_factory)
    assert (site / "data/incidents.csv").read_bytes().decode("utf-8") == incidents_acled_csv(project)
    assert (site / "data/incidents.json").read_text(encoding="utf-8") == incidents_json(project)
    assert json.loads((site / "data/incidents.geojson").read_text(encoding="utf-8")) == json.loads(
        incidents_geojson(project))


# --- Data downloads as the build writes them -----------------------------------------------

def test_a_data_download_is_written_from_its_parts_as_its_template_prints_it(project: Project,
                                                                             tmp_path: Path) -> None:
    from sitrep.pipeline import page_output, render_page
    from sitrep.render.env import make_env
    from sitrep.render.pages import data_pages
    from sitrep.write import Stage

    env = make_env()
    stage = Stage(tmp_path / "site").open(reuse=False)
    for page in data_pages(project):
        parts = page_output(env, project, page)
        assert isinstance(parts, list) and len(parts) > len(project.incidents)  # never joined whole
        stage.write(page.path, parts)
        assert (stage.path / page.path).read_bytes() == render_page(env, project, page), page.path
        stage.write(page.path, page_output(env, project, page))  # the same bytes: the file is left alone
    assert (stage.written, stage.unchanged) == (4, 4)
    assert json.loads((stage.path / "data/incidents.json").read_text(encoding="utf-8"))["incidents"]
    # a theme's template that does more than print the text once gets it whole, as any page
    theme = tmp_path / "theme"
    (theme / "site").mkdir(parents=True)
    (theme / "site" / "data.txt").write_text("{{ data }}\n--\n{{ data }}", encoding="utf-8")
    page = next(data_pages(project))
    twice = page_output(make_env(theme), project, page)
    once = render_page(env, project, page)
    assert twice == once + b"\n--\n" + once
