"""The brief's map draws what the content says: precise places as symbols, region-level ones as hatched areas,
earlier incidents apart from the period's, and the launch arrow visibly."""

from __future__ import annotations

import math
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from sitrep.analyse import analyse_brief
from sitrep.model import Project
from sitrep.render.figures import brief_map
from sitrep.render.page_maps import incidents_map
from sitrep.validate import load_project
from tests.site_helpers import DEFAULT_CONTENT, KALSU, KHARAB, LATEST_BRIEF, TOWER_22

SVG = "{http://www.w3.org/2000/svg}"
BOMB_COLOUR = "#D55E00"


def content(tmp_path: Path, edits: dict[str, tuple[str, str]] | None = None) -> Project:
    """Load a copy of the default content with some files' text replaced: path -> (old, new)."""
    tree = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT, tree)
    for relative, (old, new) in (edits or {}).items():
        path = tree / relative
        text = path.read_text(encoding="utf-8")
        assert old in text, relative
        path.write_text(text.replace(old, new), encoding="utf-8")
    project, problems = load_project(tree)
    assert project is not None, problems
    return project


def marks(svg: str) -> dict[str, ET.Element]:
    """Return the group drawn for each point, by its data-id."""
    return {g.get("data-id"): g for g in ET.fromstring(svg).iter(f"{SVG}g") if g.get("data-id")}


def test_brief_map_draws_a_launch_region_as_an_area_and_the_january_attack_as_earlier(tmp_path: Path) -> None:
    project = content(tmp_path)
    svg = brief_map(project, analyse_brief(project, project.briefs[LATEST_BRIEF]), None)
    drawn = marks(svg)
    # 21 April, in the period, at Kharab al-Jir (geo_precision 1): a filled point marker
    assert drawn[KHARAB].get("class") == "incident" and drawn[KHARAB].get("data-box")
    # launched from "northern Nineveh" (geo_precision 3): a hatched area, no point symbol
    launch = drawn["northern-nineveh"]
    assert launch.get("class") == "area region" and launch.get("data-box") is None
    assert launch.find(f"{SVG}path").get("fill").startswith("url(#map-brief-2024-04-22-hatch-")
    # Tower 22, 28 January: outside 16-22 April, named by a key judgment: outlined
    assert drawn[TOWER_22].get("class") == "incident reference"
    assert drawn[TOWER_22].find(f"{SVG}path").get("fill") == "#ffffff"
    assert drawn[KALSU].get("class") == "incident"


def test_brief_map_launch_arrow_is_visible_over_the_launch_area(tmp_path: Path) -> None:
    project = content(tmp_path)
    svg = brief_map(project, analyse_brief(project, project.briefs[LATEST_BRIEF]), None)
    root = ET.fromstring(svg)
    (arrow,) = [g for g in root.iter(f"{SVG}g") if g.get("data-arrow") is not None]
    line = next(p for p in arrow.iter(f"{SVG}path") if p.get("marker-end"))
    assert line.get("stroke") == "#1f1f1f" and float(line.get("stroke-width")) >= 2
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", line.get("d"))]
    # Northern Nineveh to Kharab al-Jir is about 58 km: a short arrow, but longer than its own head
    assert math.dist(numbers[0:2], numbers[4:6]) >= 10
    assert len(list(arrow.iter(f"{SVG}path"))) == 2  # no launch-point dot for a launch region
    assert "Launched from Northern Nineveh province" in arrow.find(f"{SVG}title").text
    layers = [g.get("class") for g in root if g.tag == f"{SVG}g"]
    assert layers.index("areas") < layers.index("arrows")


def test_an_incident_placed_only_in_its_province_is_hatched_not_a_star(tmp_path: Path) -> None:
    # Reported only as "in Babylon province": ACLED geo_precision 3 at the province's capital.
    project = content(tmp_path, {f"incidents/{KALSU}.yaml": (
        "location:\n  location: kalsu-base\n  geo_precision: 1",
        "location:\n  location: babil-province\n  geo_precision: 3")})
    svg = brief_map(project, analyse_brief(project, project.briefs[LATEST_BRIEF]), None)
    kalsu = marks(svg)[KALSU]
    assert kalsu.get("class") == "incident region" and kalsu.get("data-precision") == "region"
    (shape,) = kalsu.iter(f"{SVG}path")
    assert shape.get("fill") == "url(#map-brief-2024-04-22-hatch-d55e00)" and shape.get("stroke") == BOMB_COLOUR
    assert "Babylon province (20 Apr) — Explosions/Remote violence (only the region is known)" == (
        kalsu.find(f"{SVG}title").text)


@pytest.mark.parametrize("precision, expected", [(1, "incident"), (3, "incident region")])
def test_site_maps_split_a_place_by_precision(tmp_path: Path, precision: int, expected: str) -> None:
    project = content(tmp_path, {f"incidents/{KALSU}.yaml": (
        "geo_precision: 1", f"geo_precision: {precision}")})
    kalsu = project.incidents[KALSU]
    html = incidents_map(project, [kalsu], root="", countries=["IRQ"], title="Iraq", id_prefix="map-irq")
    svg = html[html.index("<svg"):html.index("</svg>") + len("</svg>")]
    (mark,) = [g for g in marks(svg).values() if g.get("data-kind") == "incident"]
    assert mark.get("class") == expected
    assert 'class="map-legend"' in html
