"""The shapes of real events (issue 11): places without published coordinates, several sites per incident."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from sitrep.analyse import analyse_brief
from sitrep.render.exports import incidents_acled_csv, incidents_geojson, incidents_json
from sitrep.render.indexes import country_views, incidents_by_place
from sitrep.validate import load_project
from tests.helpers import make_content, problems, write_tree

#: The US strikes of 2 February 2024: one package, seven sites in Iraq and Syria (four of them here),
#: launched from outside the region; one more incident whose drones came "from Iraq", no place given.
PLACES = {
    "locations/al-qaim.yaml": "id: al-qaim\nname: Al-Qaim\nkind: town\ncountry: IRQ\nadmin1: Al-Anbar\n"
                              "latitude: 34.37\nlongitude: 41.09\n",
    "locations/akashat.yaml": "id: akashat\nname: Akashat\nkind: town\ncountry: IRQ\nadmin1: Al-Anbar\n"
                              "latitude: 33.8\nlongitude: 40.61\n",
    "locations/deir-ez-zor.yaml": "id: deir-ez-zor\nname: Deir ez-Zor\nkind: city\ncountry: SYR\n"
                                  "latitude: 35.33\nlongitude: 40.14\n",
    "locations/syrian-desert.yaml": "id: syrian-desert\nname: Syrian desert (Badia)\nkind: region\n"
                                    "country: SYR\n",
    "locations/iraq.yaml": "id: iraq\nname: Iraq\nkind: country\ncountry: IRQ\n",
    "locations/anbar.yaml": "id: anbar\nname: Al-Anbar\nkind: province\ncountry: IRQ\n",
    "actors/us-forces.yaml": "id: us-forces\nname: Military Forces of the United States\nkind: external_forces\n"
                             "country: USA\n",
}
STRIKES = """\
id: us-strikes
title: US strikes on seven sites in Iraq and Syria
date: 2024-04-18
event_type: Explosions/Remote violence
sub_event_type: Air/drone strike
locations:
  - location: al-qaim
    geo_precision: 1
  - location: akashat
    geo_precision: 2
  - location: deir-ez-zor
    geo_precision: 1
  - location: syrian-desert
    geo_precision: 3
perpetrators: [us-forces]
targets: [pmf]
summary: US aircraft struck command centres and depots at seven sites in Iraq and Syria.
casualties:
  - side: pmf
    killed: 16
    sources:
      - source: afp
        credibility: 2
sources:
  - source: afp
    credibility: 2
"""
DRONES = """\
id: drones-from-iraq
title: Drones launched from Iraq shot down near Baghdad
date: 2024-04-17
event_type: Strategic developments
sub_event_type: Disrupted weapons use
location:
  location: baghdad
  geo_precision: 2
origin:
  location: iraq
  geo_precision: 3
  note: The statement said only that the drones came from Iraq.
summary: Two drones were shot down.
sources:
  - source: afp
    credibility: 3
"""


@pytest.fixture()
def content(tmp_path: Path) -> Path:
    content = make_content(tmp_path)
    brief = (content / "briefs" / "brief-1.yaml").read_text().replace("  - IRQ\n", "  - IRQ\n  - SYR\n")
    write_tree(content, {**PLACES, "incidents/us-strikes.yaml": STRIKES, "incidents/drones-from-iraq.yaml": DRONES,
                         "briefs/brief-1.yaml": brief,
                         "briefs/brief-syria.yaml": brief.replace("id: brief-1", "id: brief-syria")
                         .replace("number: 1", "number: 2").replace("  - IRQ\n  - SYR\n", "  - SYR\n")
                         .replace("      - baghdad-blast\n", "      - us-strikes\n")})
    return content


def test_the_tree_is_valid(content: Path):
    assert problems(content) == []


@pytest.mark.parametrize(("text", "message"), [
    ("id: kalsu\nname: Kalsu\nkind: base\ncountry: IRQ\n",
     "content/locations/kalsu.yaml:3:7: kind: a base is a point: give its latitude and longitude (approximate is fine, "
     "and say so in the description); only a country, province, region, border area or district may go without"),
    ("id: kalsu\nname: Kalsu\nkind: base\ncountry: IRQ\nlatitude: 32.87\n",
     "content/locations/kalsu.yaml:5:11: latitude is given without longitude; give both, or leave both out for an "
     "area whose coordinates were never published"),
])
def test_only_an_area_may_go_without_coordinates(tmp_path: Path, text: str, message: str):
    content = make_content(tmp_path)
    write_tree(content, {"locations/kalsu.yaml": text})
    assert problems(content) == [message]


def test_location_and_locations_together_are_refused(tmp_path: Path):
    content = make_content(tmp_path)
    write_tree(content, PLACES)
    write_tree(content, {"incidents/us-strikes.yaml": STRIKES.replace(
        "locations:\n", "location:\n  location: al-qaim\n  geo_precision: 1\nlocations:\n  - location: akashat\n"
        "    geo_precision: 1\n")})
    assert problems(content) == [
        "content/incidents/us-strikes.yaml:10:3: write either 'locations:' (several sites) or 'location:' (one "
        "place), not both"]


def test_a_strike_on_sites_in_two_countries_is_one_incident_in_each_countrys_brief(content: Path):
    project, _ = load_project(content)
    assert project is not None
    strikes = project.incidents["us-strikes"]
    assert strikes.location.location == "al-qaim"  # the first site is its main place
    assert project.countries_of(strikes) == ["IRQ", "SYR"]
    both = analyse_brief(project, project.briefs["brief-1"]).current
    assert [i.id for i in both.incidents] == ["drones-from-iraq", "us-strikes", "baghdad-blast"]
    assert str(both.killed) == "at least 17"  # 16 + 1: the strike package counted once
    syria = analyse_brief(project, project.briefs["brief-syria"]).current
    assert [i.id for i in syria.incidents] == ["us-strikes"] and str(syria.killed) == "16"
    struck, launched = incidents_by_place(project)
    assert [key for key, found in struck.items() if strikes in found] == [
        "al-qaim", "akashat", "deir-ez-zor", "syrian-desert"]
    assert [i.id for i in launched["iraq"]] == ["drones-from-iraq"]
    views = country_views(project)
    assert strikes in views["IRQ"].incidents and strikes in views["SYR"].incidents


def test_exports_never_invent_a_point(content: Path):
    project, _ = load_project(content)
    features = {f["id"]: f for f in json.loads(incidents_geojson(project))["features"]}
    assert features["us-strikes"]["geometry"] == {  # the region has no point: three sites, not four
        "type": "MultiPoint", "coordinates": [[41.09, 34.37], [40.61, 33.8], [40.14, 35.33]]}
    assert features["drones-from-iraq"]["geometry"] == {"type": "Point", "coordinates": [44.4, 33.3]}
    records = {r["id"]: r for r in json.loads(incidents_json(project))["incidents"]}
    assert records["us-strikes"]["sites"][3] == {"location": "syrian-desert", "name": "Syrian desert (Badia)",
                                                  "country": "SYR", "kind": "region", "latitude": None,
                                                  "longitude": None}
    rows = {r["event_id_cnty"]: r for r in csv.DictReader(io.StringIO(incidents_acled_csv(project)))}
    strikes = rows["IRQ-us-strikes"]
    assert (strikes["location"], strikes["latitude"], strikes["longitude"]) == ("Al-Qaim", "34.3700", "41.0900")
    assert strikes["notes"].endswith(" [Also at: Akashat; Deir ez-Zor (Syria); Syrian desert (Badia) (Syria).]")


def test_an_incident_at_an_area_has_no_geometry_and_is_coded_as_a_region(content: Path):
    write_tree(content, {"incidents/anbar-clash.yaml": DRONES.replace("drones-from-iraq", "anbar-clash")
               .replace("location: baghdad\n  geo_precision: 2", "location: anbar\n  geo_precision: 2")})
    project, found = load_project(content)
    assert project is not None, found
    feature = next(f for f in json.loads(incidents_geojson(project))["features"] if f["id"] == "anbar-clash")
    assert feature["geometry"] is None and feature["properties"]["latitude"] is None
    row = next(r for r in csv.DictReader(io.StringIO(incidents_acled_csv(project)))
               if r["event_id_cnty"] == "IRQ-anbar-clash")
    assert (row["location"], row["admin1"], row["latitude"], row["longitude"], row["geo_precision"]) == (
        "Al-Anbar", "Al-Anbar", "", "", "3")


def test_the_stix_bundle_places_areas_without_a_point_and_targets_every_site(content: Path):
    from tests.test_stix import assert_round_trip, assert_valid, bundle_of, named, objects

    text = bundle_of(content)
    assert_valid(text)
    assert_round_trip(text)
    found = objects(text)
    assert "latitude" not in named(found, "location", "Syrian desert (Badia)")
    assert [o.get("latitude") for o in found.values() if o["type"] == "location" and o["name"] == "Iraq"] == [
        None, None]  # the country STIX names, and the content's place "Iraq": neither is a point
    assert named(found, "location", "Akashat")["latitude"] == 33.8
    strikes = named(found, "incident", "US strikes on seven sites in Iraq and Syria")["id"]
    hit = {o["target_ref"] for o in found.values()
           if o["type"] == "relationship" and o["source_ref"] == strikes and o["relationship_type"] == "targets"
           and o["target_ref"].startswith("location--")}
    assert hit == {named(found, "location", name)["id"]
                   for name in ("Al-Qaim", "Akashat", "Deir ez-Zor", "Syrian desert (Badia)")}


def test_an_export_with_areas_imports_back_without_inventing_a_point(content: Path, tmp_path: Path):
    from tests.test_same_event import digest, run

    write_tree(content, {"incidents/anbar-clash.yaml": DRONES.replace("drones-from-iraq", "anbar-clash")
               .replace("location: baghdad\n  geo_precision: 2", "location: anbar\n  geo_precision: 3")
               .replace("origin:\n  location: iraq\n  geo_precision: 3\n  note: The statement said only that "
                        "the drones came from Iraq.\n", "")})
    exported = tmp_path / "export.csv"
    assert run(["export", "acled", "--content", str(content), "--output", str(exported)])[0] == 0
    before = digest(content)
    code, out, _ = run(["import", "acled", str(exported), "--content", str(content)])
    assert code == 0 and digest(content) == before and "  unchanged: 4 incidents\n" in out
    elsewhere = tmp_path / "elsewhere"
    code, out, err = run(["import", "acled", str(exported), "--content", str(elsewhere)])
    assert code == 0, err
    anbar = (elsewhere / "locations" / "acled" / "al-anbar.yaml").read_text()
    assert "kind: region\n" in anbar and "latitude" not in anbar
    project, problems = load_project(elsewhere)
    assert problems == [] and project.incidents["anbar-clash"].location.geo_precision == 3
