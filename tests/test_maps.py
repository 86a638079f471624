"""Maps: offline SVG of a brief's area, readable in browsers and WeasyPrint, safe with any label."""

from __future__ import annotations

import itertools
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from sitrep.maps import (
    EVENT_STYLES,
    MapArrow,
    MapPoint,
    country_info,
    distance_outside_country_km,
    render_map,
    render_map_html,
)

SVG = "{http://www.w3.org/2000/svg}"
ROOT = Path(__file__).resolve().parents[1]
BOMB = "Explosions/Remote violence"

MIDDLE_EAST_POINTS = (
    MapPoint("kharab", "Kharab al-Jir", 36.87, 42.06, "base"),
    MapPoint("kalsu", "Kalsu base", 32.80, 44.30, "base"),
    MapPoint("kalsu-strike", "Kalsu base", 32.80, 44.30, "incident", BOMB, "incidents/kalsu.html"),
    MapPoint("tower-22", "Tower 22", 33.32, 38.70, "incident", BOMB, "incidents/tower-22.html"),
    MapPoint("nineveh", "northern Nineveh", 36.6, 42.6, "region"),
)
MIDDLE_EAST_ARROWS = (MapArrow((36.6, 42.6), (36.87, 42.06), href="incidents/kharab.html"),)
FOCUS = ("IRQ", "SYR", "JOR")
Box = tuple[float, float, float, float]


def middle_east(**kwargs: object) -> str:
    """Render the reference map of the April 2024 attacks."""
    return render_map(MIDDLE_EAST_POINTS, MIDDLE_EAST_ARROWS, focus_countries=FOCUS, title="Attacks",
                      **kwargs)


def parse(svg: str) -> ET.Element:
    """Parse an SVG string; raises if it is not well-formed XML."""
    return ET.fromstring(svg)


def boxes(root: ET.Element, attribute: str) -> list[Box]:
    """Return every 'x0 y0 x1 y1' box stored in the given data attribute."""
    return [tuple(map(float, el.get(attribute, "").split())) for el in root.iter() if el.get(attribute)]


def overlap(a: Box, b: Box) -> bool:
    """Tell whether two boxes share area."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def links(root: ET.Element) -> dict[str, str]:
    """Map each linked point's data-id to its href."""
    return {
        child.get("data-id"): a.get("href")
        for a in root.iter(f"{SVG}a")
        for child in a
        if child.get("data-id") is not None
    }


def legend(root: ET.Element) -> list[str]:
    """Return the legend entries in order."""
    entries = [el.get("data-legend") for el in root.iter(f"{SVG}text") if el.get("data-legend")]
    return list(dict.fromkeys(entries))


def label_texts(root: ET.Element) -> list[str]:
    """Return the text of every placed label."""
    return [el.text for el in root.iter(f"{SVG}text") if el.get("data-label-box")]


def clustered_points() -> list[MapPoint]:
    """Return a dense cluster of incidents and towns around Khartoum that forces label conflicts."""
    categories = [*EVENT_STYLES, "Something else"]
    points = [
        MapPoint(f"i{i}", f"Incident number {i}", 15.5 + (i % 5) * 0.02, 32.5 + (i // 5) * 0.03,
                 "incident", categories[i % 7], f"i/{i}.html")
        for i in range(20)
    ]
    towns = [("Khartoum", 15.59, 32.53), ("Omdurman", 15.64, 32.48), ("Bahri", 15.63, 32.63),
             ("Jebel Aulia", 15.24, 32.50)]
    return points + [MapPoint(name, name, lat, lon, "town") for name, lat, lon in towns]


def test_svg_is_well_formed_and_accessible() -> None:
    root = parse(middle_east())
    assert root.tag == f"{SVG}svg"
    # markers link to incident pages, so the map is a group of links, not one opaque image
    assert root.get("role") == "group"
    unlinked = [MapPoint(p.id, p.label, p.lat, p.lon, p.kind, p.category) for p in MIDDLE_EAST_POINTS]
    assert parse(render_map(unlinked, focus_countries=FOCUS)).get("role") == "img"
    ids = {el.get("id"): el for el in root.iter() if el.get("id")}
    labelled_by = root.get("aria-labelledby").split()
    assert [ids[i].tag for i in labelled_by] == [f"{SVG}title", f"{SVG}desc"]
    assert ids[labelled_by[0]].text == "Attacks"
    desc = ids[labelled_by[1]].text
    assert desc.startswith("Map of Iraq, Syria and Jordan. 2 incidents shown: Kalsu base")
    assert "Tower 22 (Explosions/Remote violence, 33.32°N 38.70°E)" in desc
    assert "Arrow from northern Nineveh to Kharab al-Jir." in desc


def test_every_incident_has_a_marker_and_a_link() -> None:
    root = parse(middle_east())
    markers = {g.get("data-id"): g for g in root.iter(f"{SVG}g") if g.get("data-kind") == "incident"}
    assert set(markers) == {"kalsu-strike", "tower-22"}
    for marker in markers.values():
        assert marker.find(f"{SVG}title").text.endswith(f"— {BOMB}")
        assert marker.find(f"{SVG}path") is not None
    found = links(root)
    assert found["kalsu-strike"] == "incidents/kalsu.html"
    assert found["tower-22"] == "incidents/tower-22.html"


def test_places_and_focus_countries_are_labelled_once() -> None:
    texts = label_texts(parse(middle_east()))
    expected = {"Kharab al-Jir", "Kalsu base", "Tower 22", "northern Nineveh", "IRAQ", "SYRIA", "JORDAN"}
    assert expected <= set(texts)
    # The strike on Kalsu shares its name and spot with the base: one label, not two.
    assert texts.count("Kalsu base") == 1


def test_areas_get_a_label_but_no_symbol() -> None:
    root = parse(render_map([MapPoint("n", "Nineveh province", 36.3, 43.1, "province")]))
    assert not [g for g in root.iter(f"{SVG}g") if g.get("data-id") == "n"]
    assert "Nineveh province" in label_texts(root)
    assert "Region / area" in legend(root)


@pytest.mark.parametrize("points", [MIDDLE_EAST_POINTS, clustered_points()], ids=["middle-east", "cluster"])
def test_labels_overlap_neither_each_other_nor_markers(points: list[MapPoint]) -> None:
    focus = FOCUS if len(points) < 10 else ()
    root = parse(render_map(points, MIDDLE_EAST_ARROWS, focus_countries=focus))
    labels, markers = boxes(root, "data-label-box"), boxes(root, "data-box")
    assert len(labels) >= 5 and len(markers) >= 4
    for a, b in itertools.combinations(labels, 2):
        assert not overlap(a, b), (a, b)
    for label, marker in itertools.product(labels, markers):
        assert not overlap(label, marker), (label, marker)


def test_crowded_labels_use_leader_lines_or_are_dropped() -> None:
    root = parse(render_map(clustered_points()))
    placed = label_texts(root)
    assert 0 < len([t for t in placed if t.startswith("Incident")]) < 20
    leaders = [el for el in root.iter(f"{SVG}path") if el.get("stroke-width") == "0.7"]
    assert leaders


def test_labels_stay_inside_the_map_frame() -> None:
    root = parse(middle_east())
    frame = next(el for el in root.iter(f"{SVG}rect") if el.get("fill") == "none")
    right, bottom = float(frame.get("width")), float(frame.get("height"))
    for x0, y0, x1, y1 in boxes(root, "data-label-box"):
        assert x0 >= 0 and x1 <= right and y0 >= 0 and y1 <= bottom


def test_arrow_is_drawn_with_an_arrowhead_and_link() -> None:
    root = parse(middle_east(id_prefix="brief1"))
    arrows = [g for g in root.iter(f"{SVG}g") if g.get("data-arrow") is not None]
    assert len(arrows) == 1
    heads = [p.get("marker-end") for p in arrows[0].iter(f"{SVG}path") if p.get("marker-end")]
    assert heads == ["url(#brief1-arrowhead)"]
    assert root.find(f".//{SVG}marker[@id='brief1-arrowhead']") is not None
    assert any(a.find(f"{SVG}g[@data-arrow]") is not None and a.get("href") == "incidents/kharab.html"
               for a in root.iter(f"{SVG}a"))


def test_legend_lists_only_present_event_types() -> None:
    entries = legend(parse(middle_east()))
    assert [item for item in entries if item in EVENT_STYLES] == [BOMB]
    assert entries == [BOMB, "Military base", "Region / area", "Launch point → target", "Country of focus"]


def test_legend_orders_all_event_types_and_groups_unknown_ones() -> None:
    entries = legend(parse(render_map(clustered_points())))
    assert entries == [*EVENT_STYLES, "Other event", "Town / place"]


def outline(d: str) -> tuple[tuple[float, float], ...]:
    """Return a path's vertices relative to their mean, so equal shapes compare equal anywhere."""
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", d)]
    xs, ys = numbers[0::2], numbers[1::2]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return tuple((round(x - mx), round(y - my)) for x, y in zip(xs, ys, strict=True))


def test_event_types_differ_in_colour_and_shape() -> None:
    root = parse(render_map(clustered_points()))
    styles = {
        g.get("data-category"): (path.get("fill"), outline(path.get("d")))
        for g in root.iter(f"{SVG}g")
        if g.get("data-kind") == "incident"
        for path in g.iter(f"{SVG}path")
    }
    assert len(styles) == 7
    assert len({fill for fill, _ in styles.values()}) == 7
    assert len({shape for _, shape in styles.values()}) == 7


def test_hostile_text_is_escaped() -> None:
    hostile = '<script>alert(1)</script>" onload="x'
    points = [
        MapPoint(hostile, hostile, 33.3, 44.4, "incident", hostile, 'x.html" onmouseover="alert(1)'),
        MapPoint("js", '" onload="x', 34.0, 43.0, "town", href="javascript:alert(1)"),
        MapPoint("js2", "tabbed", 34.5, 42.0, "town", href="java\tscript:alert(1)"),
    ]
    arrows = [MapArrow((33.0, 44.0), (33.3, 44.4), href=" JavaScript:alert(1)", label=hostile)]
    svg = render_map(points, arrows, title=hostile, id_prefix='x" onload="y')
    root = parse(svg)
    assert not any(el.tag.endswith("script") for el in root.iter())
    assert not any(name.startswith("on") for el in root.iter() for name in el.attrib)
    assert "script:" not in svg.lower().replace("<script>", "")
    assert links(root) == {hostile: 'x.html" onmouseover="alert(1)'}  # an inert, quoted relative link
    assert root.find(f"{SVG}title").text == hostile
    assert '" onload="x' in label_texts(root)


def test_control_characters_do_not_break_the_xml() -> None:
    point = MapPoint("a\x00", "bad\x07label\x1b\ud800", 33.3, 44.4, "town")
    root = parse(render_map([point], title="t\x0c"))
    assert "badlabel" in label_texts(root)


def test_invalid_coordinates_are_skipped() -> None:
    points = [MapPoint("nan", "NaN", float("nan"), 44.0, "town"),
              MapPoint("ok", "Baghdad", 33.3, 44.4, "city")]
    root = parse(render_map(points))
    assert [g.get("data-id") for g in root.iter(f"{SVG}g") if g.get("data-id")] == ["ok"]


def test_ids_are_prefixed_and_references_resolve() -> None:
    svg = middle_east(id_prefix="brief-2")
    root = parse(svg)
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    assert ids and all(i.startswith("brief-2-") for i in ids)
    assert len(ids) == len(set(ids))
    for ref in re.findall(r"url\(#([^)]+)\)", svg) + root.get("aria-labelledby").split():
        assert ref in ids
    other = parse(middle_east(id_prefix="brief-3"))
    assert not set(ids) & {el.get("id") for el in other.iter() if el.get("id")}


def test_output_is_deterministic_across_processes() -> None:
    first = middle_east()
    assert first == middle_east()
    code = "import sys; from tests.test_maps import middle_east; sys.stdout.write(middle_east())"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    other = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                           check=True)
    assert other.stdout == first


def test_coordinates_have_at_most_one_decimal() -> None:
    root = parse(middle_east())
    numbers = [
        number
        for el in root.iter()
        for key in ("d", "x", "y", "width", "height", "data-box", "data-label-box")
        for number in re.findall(r"-?\d+(?:\.\d+)?", el.get(key, ""))
    ]
    assert numbers and all(len(n.split(".")[1]) == 1 for n in numbers if "." in n)


def test_focus_countries_are_shaded_and_far_countries_culled() -> None:
    root = parse(middle_east())
    fills = {p.get("data-country"): p.get("fill") for p in root.iter(f"{SVG}path") if p.get("data-country")}
    assert fills["IRQ"] == fills["SYR"] == fills["JOR"]
    assert fills["TUR"] != fills["IRQ"] and fills["SAU"] == fills["TUR"]
    assert "USA" not in fills and "FRA" not in fills


def test_focus_on_france_frames_europe_not_its_overseas_departments() -> None:
    root = parse(render_map([], focus_countries=["FRA"]))
    drawn = {p.get("data-country") for p in root.iter(f"{SVG}path") if p.get("data-country")}
    assert {"FRA", "ESP", "DEU"} <= drawn
    assert "BRA" not in drawn and "MDG" not in drawn


def test_scale_bar_uses_a_round_distance() -> None:
    root = parse(middle_east())
    km = float(next(g.get("data-km") for g in root.iter(f"{SVG}g") if g.get("data-km")))
    mantissa = km / 10 ** int(f"{km:e}".split("e")[1])
    assert mantissa in (1.0, 2.0, 5.0)


def test_empty_and_single_point_maps_render() -> None:
    assert parse(render_map([])).find(f"{SVG}desc").text == "0 incidents shown."
    root = parse(render_map([MapPoint("t", "Tower 22", 33.32, 38.70, "incident", "Battles")]))
    assert root.find(f"{SVG}desc").text == "1 incident shown: Tower 22 (Battles, 33.32°N 38.70°E)."


def test_country_info_codes() -> None:
    assert country_info("IRQ").numeric == 368
    assert country_info("SYR").numeric == 760
    assert country_info("JOR").numeric == 400
    assert country_info("IRN").numeric == 364
    assert country_info("irq").name == "Iraq"
    assert country_info("XKX").numeric == 0
    assert country_info("XXX") is None
    min_lon, min_lat, max_lon, max_lat = country_info("IRQ").bbox
    assert 38 < min_lon < 39.5 and 48 < max_lon < 49 and 29 < min_lat < 29.5 and 37 < max_lat < 37.5


def test_distance_outside_country() -> None:
    assert distance_outside_country_km("IRQ", 33.3, 44.4) == 0
    assert distance_outside_country_km("IRQ", 46.6, 2.4) > 1000  # middle of France
    assert distance_outside_country_km("JOR", 33.32, 38.70) == 0  # Tower 22
    assert 0 < distance_outside_country_km("SYR", 33.32, 38.70) < 10  # ...a few km from Syria
    assert distance_outside_country_km("SYR", 36.87, 42.06) == 0  # Kharab al-Jir
    assert 0 < distance_outside_country_km("IRQ", 36.87, 42.06) < 15
    assert distance_outside_country_km("XXX", 0.0, 0.0) is None


def test_distance_handles_the_antimeridian() -> None:
    assert distance_outside_country_km("RUS", 66.0, -172.0) == 0  # Chukotka, west of 180°
    assert distance_outside_country_km("RUS", 66.0, 175.0) == 0
    assert distance_outside_country_km("USA", 64.0, -150.0) == 0  # Alaska


# --------------------------------------------------------------- precision and time on the map

# The 16-22 April 2024 brief: rockets on Kharab al-Jir launched from somewhere in northern Nineveh
# (geo_precision 3), and Tower 22 in January, an earlier incident the key judgments refer to.
PRECISION_POINTS = (
    MapPoint("kharab", "Kharab al-Jir base (21 Apr)", 36.87, 42.04, "incident", BOMB,
             "incidents/kharab.html"),
    MapPoint("tower-22", "Tower 22 (28 Jan)", 33.32, 38.70, "incident", BOMB, "incidents/tower-22.html",
             reference=True),
    MapPoint("northern-nineveh", "Northern Nineveh province", 36.60, 42.60, "region", precision="region"),
    MapPoint("kalsu-base", "Kalsu military base", 32.80, 44.30, "base"),
)
PRECISION_ARROWS = (MapArrow((36.60, 42.60), (36.87, 42.04), "incidents/kharab.html",
                             "Launched from Northern Nineveh province", from_region=True),)
INK = "#1f1f1f"


def precision_map(**kwargs: object) -> str:
    """Render the brief's map of a precise target, a launch region and an earlier incident."""
    return render_map(PRECISION_POINTS, PRECISION_ARROWS, focus_countries=FOCUS, id_prefix="brief", **kwargs)


def group(root: ET.Element, point_id: str) -> ET.Element:
    """Return the group drawn for a point."""
    (found,) = [g for g in root.iter(f"{SVG}g") if g.get("data-id") == point_id]
    return found


def px_per_km(root: ET.Element) -> float:
    """Return the map's scale, read off its scale bar: its length in pixels over its km."""
    bar = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "scale-bar")
    left, right = (list(map(float, re.findall(r"-?\d+(?:\.\d+)?", path.get("d"))))
                   for path in bar.iter(f"{SVG}path"))
    return (right[2] - left[0]) / float(bar.get("data-km"))


def test_a_place_known_only_to_its_region_is_a_hatched_area_not_a_point_symbol() -> None:
    root = parse(precision_map())
    area = group(root, "northern-nineveh")
    assert area.get("class").split() == ["area", "region"] and area.get("data-precision") == "region"
    assert area.get("data-box") is None  # not a symbol that claims a spot
    (shape,) = area.iter(f"{SVG}path")
    hatch = re.fullmatch(r"url\(#(.+)\)", shape.get("fill")).group(1)
    pattern = root.find(f".//{SVG}pattern[@id='{hatch}']")
    assert pattern.get("patternTransform") == "rotate(45)" and shape.get("stroke-dasharray")
    x0, y0, x1, y1 = map(float, area.get("data-area-box").split())
    # 40 km around the region's coordinates, read against the scale bar (rounding: 0.1 px per coordinate)
    assert (x1 - x0) / 2 == pytest.approx(40 * px_per_km(root), abs=0.3)
    assert "Northern Nineveh province" in label_texts(root)
    assert "Northern Nineveh province (region, only the region is known)" in root.find(f"{SVG}desc").text


def test_a_region_label_goes_on_its_area_or_clear_beside_it_never_across_its_edge() -> None:
    root = parse(precision_map())
    area = tuple(map(float, group(root, "northern-nineveh").get("data-area-box").split()))
    (label,) = [tuple(map(float, t.get("data-label-box").split())) for t in root.iter(f"{SVG}text")
                if t.get("data-label-box") and "".join(t.itertext()) == "Northern Nineveh province"]
    centred = abs((label[0] + label[2]) / 2 - (area[0] + area[2]) / 2) < 0.5 and \
        abs((label[1] + label[3]) / 2 - (area[1] + area[3]) / 2) < 0.5
    # here the arrow from the area takes its centre, so the name goes beside it
    assert not centred and not overlap(label, area), (label, area)


def test_an_incident_known_only_to_its_region_is_hatched_in_its_event_colour() -> None:
    babil = MapPoint("babil", "Babil province (20 Apr)", 32.47, 44.42, "incident", BOMB, precision="region")
    root = parse(render_map([babil], id_prefix="m"))
    marker = group(root, "babil")
    assert marker.get("class").split() == ["incident", "region"]
    (shape,) = marker.iter(f"{SVG}path")
    assert shape.get("fill") == "url(#m-hatch-d55e00)" and shape.get("stroke") == EVENT_STYLES[BOMB][0]
    assert root.find(f".//{SVG}pattern[@id='m-hatch-d55e00']") is not None
    assert "Only the region is known (hatched)" in legend(root)
    # the frame holds the whole area, not only its centre
    x0, y0, x1, y1 = map(float, marker.get("data-area-box").split())
    assert x0 >= 0 and y0 >= 0 and x1 <= 720 - 190 and y1 <= 480


def test_a_pinpointed_base_and_incident_keep_their_point_symbols() -> None:
    root = parse(precision_map())
    assert group(root, "kalsu-base").get("class") == "base" and group(root, "kalsu-base").get("data-box")
    kharab = group(root, "kharab")
    assert kharab.get("class") == "incident" and kharab.get("data-precision") == "point"
    assert [p.get("fill") for p in kharab.iter(f"{SVG}path")] == [EVENT_STYLES[BOMB][0]]


def test_earlier_incidents_are_outlined_and_drawn_under_the_periods() -> None:
    root = parse(precision_map())
    tower = group(root, "tower-22")
    assert tower.get("class").split() == ["incident", "reference"]
    (shape,) = tower.iter(f"{SVG}path")
    assert (shape.get("fill"), shape.get("stroke")) == ("#ffffff", EVENT_STYLES[BOMB][0])
    order = [g.get("data-id") for g in root.iter(f"{SVG}g") if g.get("data-kind") == "incident"]
    assert order == ["tower-22", "kharab"]
    assert "Earlier incident (outline)" in legend(root)
    bold = {el.text: el.get("font-weight") for el in root.iter(f"{SVG}text") if el.get("data-label-box")}
    assert bold["Kharab al-Jir base (21 Apr)"] == "bold" and bold["Tower 22 (28 Jan)"] is None
    assert "Tower 22 (28 Jan) (Explosions/Remote violence, 33.32°N 38.70°E, an earlier incident)" in (
        root.find(f"{SVG}desc").text)


def test_launch_arrow_is_drawn_over_the_launch_area_with_a_visible_stroke() -> None:
    root = parse(precision_map())
    (arrow,) = [g for g in root.iter(f"{SVG}g") if g.get("data-arrow") is not None]
    paths = list(arrow.iter(f"{SVG}path"))
    halo, line = paths[0], paths[1]
    assert line.get("stroke") == INK and float(line.get("stroke-width")) >= 2
    assert line.get("marker-end") == "url(#brief-arrowhead)" and line.get("fill") == "none"
    assert halo.get("stroke") == "#ffffff"
    assert float(halo.get("stroke-width")) > float(line.get("stroke-width"))
    assert len(paths) == 2  # no launch-point dot: the hatched area is where it came from
    layers = [g.get("class") for g in root if g.tag == f"{SVG}g"]
    assert layers.index("areas") < layers.index("arrows") < layers.index("points")
    assert "Launched from the hatched area → target" in legend(root)
    assert "Launch point → target" not in legend(root)


def test_a_launch_from_a_known_point_keeps_its_dot_and_legend() -> None:
    root = parse(middle_east())
    (arrow,) = [g for g in root.iter(f"{SVG}g") if g.get("data-arrow") is not None]
    assert len(list(arrow.iter(f"{SVG}path"))) == 3
    assert "Launch point → target" in legend(root)


def test_web_map_puts_its_legend_in_html_beside_a_panel_less_svg() -> None:
    html = render_map_html(PRECISION_POINTS, PRECISION_ARROWS, focus_countries=FOCUS, id_prefix="brief")
    page = ET.fromstring(f"<body>{html}</body>")  # our markup is well-formed XML throughout
    frame, places, legend_box = list(page)
    # the map fits the screen's width, so its frame never scrolls and needs no keyboard focus
    assert frame.get("class") == "map-frame" and frame.get("tabindex") is None
    svg = frame.find(f"{SVG}svg")
    # each place label has a number, and the list below the map keys the numbers to the words (a phone's form)
    labels = [text for g in svg.iter(f"{SVG}g") if g.get("class") == "labels place-labels"
              for text in g.iter(f"{SVG}text") if text.get("data-label-box")]
    (numbers,) = [g for g in svg.iter(f"{SVG}g") if g.get("class") == "label-numbers"]
    discs = [g for g in numbers.iter(f"{SVG}g") if g.get("data-number")]
    assert places.tag == "ol" and places.get("class") == "map-places"
    assert [" ".join("".join(li.itertext()).split()) for li in places] == \
        [f"{n} {label.text}" for n, label in enumerate(labels, start=1)]
    assert "1 Kharab al-Jir base (21 Apr)" in [" ".join("".join(li.itertext()).split()) for li in places]
    assert ["".join(d.itertext()) for d in discs] == [str(n) for n in range(1, len(labels) + 1)]
    assert numbers.get("aria-hidden") == "true"  # the list says it in words
    kharab = next(li for li in places if "Kharab" in "".join(li.itertext()))
    assert kharab.find("a").get("href") == "incidents/kharab.html"
    assert svg.get("width") == "530" and not [g for g in svg.iter(f"{SVG}g") if g.get("class") == "legend"]
    scale = [g.get("class") for g in svg.iter(f"{SVG}g") if g.get("class") in ("scale-bar", "north-arrow")]
    assert scale == ["scale-bar", "north-arrow"]
    items = ["".join(li.itertext()).strip() for li in legend_box.iter("li")]
    assert items == legend(parse(precision_map()))
    assert items == ["Explosions/Remote violence", "Earlier incident (outline)",
                     "Only the region is known (hatched)", "Military base",
                     "Launched from the hatched area → target", "Country of focus"]
    ids = {el.get("id") for el in svg.iter() if el.get("id")}
    swatches = "".join(ET.tostring(s, encoding="unicode") for s in legend_box.iter("svg"))  # HTML: no xmlns
    refs = re.findall(r"url\(#([^)]+)\)", swatches)
    assert refs and set(refs) <= ids


def test_scale_bar_inside_the_frame_keeps_labels_off_it() -> None:
    html = render_map_html(clustered_points(), id_prefix="c")
    svg = ET.fromstring(f"<body>{html}</body>").find(f".//{SVG}svg")
    scale = next(g for g in svg.iter(f"{SVG}g") if g.get("class") == "scale")
    rect = scale.find(f"{SVG}rect")
    x, y = float(rect.get("x")), float(rect.get("y"))
    box = (x, y, x + float(rect.get("width")), y + float(rect.get("height")))
    assert not [label for label in boxes(svg, "data-label-box") if overlap(label, box)]


def test_a_country_without_published_coordinates_is_hatched_whole() -> None:
    # "Launched from Iraq": a place with no coordinates that stands for the whole country.
    iraq = MapPoint("iraq", "Iraq", None, None, "country", whole_country="IRQ")
    target = MapPoint("tower-22", "Tower 22 (28 Jan)", 33.32, 38.70, "incident", BOMB)
    root = parse(render_map([iraq, target], focus_countries=["JOR"], id_prefix="m"))
    area = group(root, "iraq")
    assert area.get("class").split() == ["area", "region"] and area.get("data-box") is None
    (shape,) = area.iter(f"{SVG}path")
    country = next(p for p in root.iter(f"{SVG}path") if p.get("data-country") == "IRQ")
    assert shape.get("d") == country.get("d") and shape.get("fill").startswith("url(#m-hatch-")
    assert "Only the region is known (hatched)" in legend(root)
    assert "Iraq (country, no coordinates published, the whole country hatched)" in root.find(f"{SVG}desc").text
    assert not [g for g in root.iter(f"{SVG}g") if g.get("data-box") and g.get("data-id") == "iraq"]


def test_an_incident_known_only_by_its_country_is_hatched_in_its_event_colour() -> None:
    syria = MapPoint("strike", "Syria (2 Feb)", None, None, "incident", BOMB, whole_country="SYR")
    root = parse(render_map([syria], id_prefix="m"))
    marker = group(root, "strike")
    assert marker.get("class").split() == ["incident", "region"]
    assert marker.find(f"{SVG}path").get("fill") == "url(#m-hatch-d55e00)"
    assert root.find(f"{SVG}desc").text == ("1 incident shown: Syria (2 Feb) (Explosions/Remote violence, "
                                            "no coordinates published, the whole country hatched).")
    drawn = {p.get("data-country") for p in root.iter(f"{SVG}path") if p.get("data-country")}
    assert "SYR" in drawn  # the frame holds the country hatched for it


def test_an_area_without_coordinates_is_named_but_never_drawn() -> None:
    border = MapPoint("border", "Iraq–Syria border area", None, None, "border_area")
    root = parse(render_map([border, *PRECISION_POINTS], focus_countries=FOCUS))
    assert not [g for g in root.iter(f"{SVG}g") if g.get("data-id") == "border"]
    assert "Not on the map, no coordinates published: Iraq–Syria border area" in legend(root)
    assert root.find(f"{SVG}desc").text.endswith(
        "Not on the map, no coordinates published: Iraq–Syria border area (border_area).")


def test_the_pdf_map_keeps_its_labels_and_draws_no_numbers() -> None:
    """Paper has no phone-sized screen: the PDF's map is labelled as before, with its legend panel."""
    svg = render_map(PRECISION_POINTS, PRECISION_ARROWS, focus_countries=FOCUS, id_prefix="brief")
    root = ET.fromstring(svg)
    assert not [g for g in root.iter(f"{SVG}g") if g.get("class") == "label-numbers"]
    assert "Kharab al-Jir base (21 Apr)" in ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
