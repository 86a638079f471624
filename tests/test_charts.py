"""Tests for the SVG charts in sitrep.charts."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from pathlib import Path

import pytest

from sitrep.charts import (
    EVENT_COLOURS,
    EVENT_TYPES,
    Range,
    casualties_per_week_chart,
    incidents_per_week_chart,
)

SVG = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
REPO_ROOT = Path(__file__).resolve().parents[1]
X_LABEL_TEXT = "Week beginning (Saturday)"

WEEKS = [date(2024, 4, 13) + timedelta(weeks=i) for i in range(4)]
COUNTS = {
    "Protests": [2, 0, 1, 1],
    "Battles": [3, 1, 0, 4],
}
KILLED = [Range(3, 3), Range(None, None), Range(2, 10), Range(4, None)]
WOUNDED = [Range(0, 0), Range(5, 5), Range(None, None), Range(1, 6)]


def parse(svg: str) -> ET.Element:
    """Parse an SVG string, failing the test if it is not well-formed XML."""
    return ET.fromstring(svg)


def ids(root: ET.Element) -> list[str]:
    """Return every id in document order."""
    return [el.get("id") for el in root.iter() if el.get("id")]


def with_class(root: ET.Element, name: str) -> list[ET.Element]:
    """Return the elements carrying a CSS class."""
    return [el for el in root.iter() if name in (el.get("class") or "").split()]


def incidents(**kwargs: object) -> str:
    """Return the sample incidents chart."""
    return incidents_per_week_chart(WEEKS, COUNTS, **kwargs)


def casualties(**kwargs: object) -> str:
    """Return the sample casualties chart."""
    return casualties_per_week_chart(WEEKS, KILLED, WOUNDED, **kwargs)


@pytest.fixture(params=["incidents", "casualties"])
def svg(request: pytest.FixtureRequest) -> str:
    """Provide each chart type in turn."""
    return incidents() if request.param == "incidents" else casualties()


# ---------------------------------------------------------------- structure


def test_is_inlinable_well_formed_svg(svg: str) -> None:
    root = parse(svg)
    assert root.tag == f"{SVG}svg"
    assert svg.startswith("<svg")
    assert "<?xml" not in svg and "<!DOCTYPE" not in svg
    assert 'xlink:href="' in svg or "href" not in svg  # HTML parsers know only this prefix
    assert not re.search(r"\bns\d+:", svg)


def test_scales_with_its_container(svg: str) -> None:
    root = parse(svg)
    assert root.get("width") == "100%"
    assert root.get("height") is None
    assert root.get("viewBox") == "0 0 680 300"


def test_has_no_script_or_global_css(svg: str) -> None:
    root = parse(svg)
    assert root.find(f".//{SVG}script") is None
    assert root.find(f".//{SVG}style") is None  # matplotlib's "*{...}" would leak into the page
    assert not [name for el in root.iter() for name in el.attrib if name.startswith("on")]


def test_text_is_kept_as_text_in_the_configured_fonts(svg: str) -> None:
    root = parse(svg)
    texts = list(root.iter(f"{SVG}text"))
    assert texts
    assert all(t.get("font-family") == "'Noto Sans', 'DejaVu Sans', sans-serif" for t in texts)
    assert X_LABEL_TEXT in {t.text for t in texts}


# ---------------------------------------------------------------- accessibility


def test_root_is_labelled_by_title_and_desc(svg: str) -> None:
    root = parse(svg)
    assert root.get("role") == "img"
    title, desc = root[0], root[1]
    assert (title.tag, desc.tag) == (f"{SVG}title", f"{SVG}desc")
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert title.text and desc.text


def test_incidents_desc_summarises_the_data() -> None:
    root = parse(incidents())
    assert root.find(f"{SVG}title").text == "Incidents per week by event type"
    desc = root.find(f"{SVG}desc").text
    assert "12 incidents over 4 weeks" in desc
    assert "most in the week beginning 13 Apr 2024 (5)" in desc
    assert "Battles 8" in desc and "Protests 4" in desc


def test_casualties_desc_summarises_ranges_and_unknowns() -> None:
    desc = parse(casualties()).find(f"{SVG}desc").text
    assert "at least 9 killed" in desc
    assert "6 to 11 wounded" in desc
    assert "Killed unknown for 1 week" in desc
    assert "Wounded unknown for 1 week" in desc


# ---------------------------------------------------------------- ids


@pytest.mark.parametrize("prefix", ["chart1", "brief-3_x"])
def test_all_ids_are_prefixed(prefix: str) -> None:
    for svg in (incidents(id_prefix=prefix), casualties(id_prefix=prefix)):
        root = parse(svg)
        assert root.get("id") == prefix
        assert all(i.startswith(f"{prefix}-") for i in ids(root)[1:])


def test_every_reference_points_at_a_prefixed_id_in_the_same_svg(svg: str) -> None:
    root = parse(svg)
    known = set(ids(root))
    refs = [v[1:] for el in root.iter() for k, v in el.attrib.items()
            if k in ("href", XLINK_HREF) and v.startswith("#")]
    refs += [m for el in root.iter() for v in el.attrib.values()
             for m in re.findall(r"url\(#([^)]+)\)", v)]
    assert refs, "expected clip paths, markers or hatches to be referenced"
    assert set(refs) <= known


def test_ids_are_unique_within_and_across_charts() -> None:
    first, second = ids(parse(incidents())), ids(parse(casualties()))
    assert len(first) == len(set(first)) and len(second) == len(set(second))
    assert not set(first) & set(second)
    twin = ids(parse(incidents(id_prefix="chart3")))
    assert not set(first) & set(twin)


def test_rejects_an_unsafe_id_prefix() -> None:
    with pytest.raises(ValueError):
        incidents(id_prefix='x" onload="alert(1)')


# ---------------------------------------------------------------- determinism


def test_same_input_gives_identical_output() -> None:
    assert incidents() == incidents()
    assert casualties() == casualties()


def test_output_is_identical_across_processes() -> None:
    code = ("from tests.test_charts import incidents, casualties;"
            "import sys; sys.stdout.write(incidents() + casualties())")
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, env=env,
                         capture_output=True, text=True, check=True).stdout
    assert out == incidents() + casualties()


# ---------------------------------------------------------------- bars and markers


def test_one_bar_per_non_zero_count() -> None:
    root = parse(incidents())
    non_zero = sum(1 for values in COUNTS.values() for v in values if v)
    assert len(with_class(root, "bar")) == non_zero


def bar_box(root: ET.Element, bar_id: str) -> tuple[float, float, float, float]:
    """Return (left, top, right, bottom) of a bar, which must be drawn as one rectangle."""
    bar = next(el for el in root.iter() if el.get("id") == bar_id)
    numbers = [float(n) for n in re.findall(r"-?[\d.]+", bar.find(f"{SVG}path").get("d"))]
    assert bar.find(f"{SVG}path").get("d").count("M") == 1 and len(numbers) == 8
    xs, ys = numbers[0::2], numbers[1::2]
    return min(xs), min(ys), max(xs), max(ys)


def test_each_bar_is_a_rectangle_as_tall_as_its_count() -> None:
    root = parse(incidents())
    heights = {}
    for name, values in COUNTS.items():
        for week, value in enumerate(values):
            if value:
                _, top, _, bottom = bar_box(root, f"chart1-bar-{name.lower()}-{week}")
                heights[name, week] = (bottom - top) / value
    assert max(heights.values()) == pytest.approx(min(heights.values()))
    # Protests stack on Battles in the same week, and weeks run left to right.
    assert bar_box(root, "chart1-bar-protests-0")[3] == pytest.approx(bar_box(root, "chart1-bar-battles-0")[1])
    assert bar_box(root, "chart1-bar-battles-0")[2] < bar_box(root, "chart1-bar-battles-1")[0]


def test_range_extends_its_bar_from_low_to_high() -> None:
    root = parse(casualties())
    _, low_top, _, low_bottom = bar_box(root, "chart2-bar-killed-2")  # 2 to 10
    _, high_top, _, high_bottom = bar_box(root, "chart2-range-killed-2")
    assert high_bottom == pytest.approx(low_top)
    assert (high_bottom - high_top) == pytest.approx(4 * (low_bottom - low_top))


def test_event_colours_are_fixed_whatever_the_mapping_order() -> None:
    reordered = dict(reversed(list(COUNTS.items())))
    for svg in (incidents(), incidents_per_week_chart(WEEKS, reordered)):
        bar = next(el for el in parse(svg).iter() if el.get("id") == "chart1-bar-battles-0")
        assert bar.find(f"{SVG}path").get("fill") == EVENT_COLOURS["Battles"].lower()


def test_unknown_week_gets_a_marker_not_a_zero_bar() -> None:
    root = parse(casualties())
    found = {el.get("id") for el in with_class(root, "unknown-marker")}
    assert found == {"chart2-unknown-marker-killed-1", "chart2-unknown-marker-wounded-2"}
    bar_ids = {el.get("id") for el in with_class(root, "bar")}
    assert "chart2-bar-killed-1" not in bar_ids
    assert "chart2-bar-wounded-2" not in bar_ids


def test_casualty_bars_ranges_and_open_ended_markers() -> None:
    root = parse(casualties())
    bars = {el.get("id") for el in with_class(root, "bar")}
    # Known lows above zero only: a true zero (wounded week 0) draws nothing.
    assert bars == {f"chart2-bar-{s}" for s in
                    ("killed-0", "killed-2", "killed-3", "wounded-1", "wounded-3")}
    ranges = {el.get("id") for el in with_class(root, "range")}
    assert ranges == {"chart2-range-killed-2", "chart2-range-wounded-3"}
    opened = {el.get("id") for el in with_class(root, "open-marker")}
    assert opened == {"chart2-open-marker-killed-3"}


def test_legend_lists_only_event_types_present() -> None:
    texts = {t.text for t in parse(incidents()).iter(f"{SVG}text")}
    assert {"Battles", "Protests"} <= texts
    assert not (set(EVENT_TYPES) - {"Battles", "Protests"}) & texts


# ---------------------------------------------------------------- escaping


HOSTILE = '</title><script>alert("x")</script> & <b>$5</b> \x00\x1b'


@pytest.mark.parametrize("chart", [incidents, casualties])
def test_hostile_title_is_escaped(chart) -> None:
    svg = chart(title=HOSTILE)
    root = parse(svg)
    assert root.find(f".//{SVG}script") is None and root.find(f".//{SVG}b") is None
    expected = '</title><script>alert("x")</script> & <b>$5</b>'
    assert root.find(f"{SVG}title").text == expected
    assert expected in {t.text for t in root.iter(f"{SVG}text")}  # "$" did not start mathtext
    assert "<script>" not in svg


# ---------------------------------------------------------------- sizes and ticks


def tick_labels(root: ET.Element) -> list[str]:
    """Return the x tick label texts (first line of each)."""
    axis = next(el for el in root.iter() if el.get("id", "").endswith("matplotlib.axis_1"))
    return [t.text for t in axis.iter(f"{SVG}text") if t.text and t.text != X_LABEL_TEXT]


def test_single_week() -> None:
    root = parse(incidents_per_week_chart(WEEKS[:1], {"Riots": [2]}))
    assert len(with_class(root, "bar")) == 1
    assert "2 incidents in the week beginning 13 Apr 2024" in root.find(f"{SVG}desc").text
    assert tick_labels(root)[0] == "13 Apr"


def test_two_hundred_weeks_thins_the_date_labels() -> None:
    weeks = [date(2022, 1, 1) + timedelta(weeks=i) for i in range(200)]
    counts = {"Battles": [i % 7 for i in range(200)]}
    root = parse(incidents_per_week_chart(weeks, counts))
    labels = tick_labels(root)
    assert 4 <= len([lbl for lbl in labels if re.fullmatch(r"\d{1,2} [A-Z][a-z]{2}", lbl)]) <= 9
    assert len(with_class(root, "bar")) == sum(1 for v in counts["Battles"] if v)


def test_y_ticks_are_integers() -> None:
    root = parse(incidents_per_week_chart(WEEKS[:2], {"Riots": [1, 0]}))
    axis = next(el for el in root.iter() if el.get("id", "").endswith("matplotlib.axis_2"))
    labels = [t.text for t in axis.iter(f"{SVG}text") if t.text != "Incidents"]
    assert labels and all(re.fullmatch(r"\d[\d,]*", lbl) for lbl in labels)


def test_no_weeks_renders_an_empty_chart() -> None:
    root = parse(incidents_per_week_chart([], {}))
    assert root.find(f"{SVG}desc").text == "No weeks of data."
    assert not with_class(root, "bar")


# ---------------------------------------------------------------- validation


@pytest.mark.parametrize("call", [
    lambda: incidents_per_week_chart([date(2024, 4, 14)], {"Riots": [1]}),  # a Sunday
    lambda: incidents_per_week_chart(WEEKS[::-1], COUNTS),
    lambda: incidents_per_week_chart(WEEKS, {"Looting": [1, 2, 3, 4]}),
    lambda: incidents_per_week_chart(WEEKS, {"Riots": [1, 2]}),
    lambda: incidents_per_week_chart(WEEKS, {"Riots": [1, 2, -1, 0]}),
    lambda: casualties_per_week_chart(WEEKS, KILLED[:2], WOUNDED),
])
def test_rejects_inconsistent_input(call) -> None:
    with pytest.raises(ValueError):
        call()


@pytest.mark.parametrize("low, high", [(-1, None), (5, 2), (None, -3)])
def test_range_rejects_impossible_values(low: int | None, high: int | None) -> None:
    with pytest.raises(ValueError):
        Range(low, high)


# ---------------------------------------------------------------- hatching


def dotted_patterns(root: ET.Element) -> list[ET.Element]:
    """Return the patterns that draw dots (closed curves) rather than lines."""
    return [p for p in root.iter(f"{SVG}pattern") if p.find(f"{SVG}path").get("d", "").rstrip().endswith("z")]


def dots_over(pattern: ET.Element, extent: float) -> set[tuple[float, float, float]]:
    """Return the centre and radius of every dot a pattern draws from (0, 0) to (extent, extent), edges included."""
    side = float(pattern.get("width"))
    assert float(pattern.get("height")) == side
    x0, y0 = float(pattern.get("x", "0")), float(pattern.get("y", "0"))
    found = set()
    for dot in re.findall(r"M[^M]*", pattern.find(f"{SVG}path").get("d")):
        numbers = [float(n) for n in re.findall(r"-?[\d.]+", dot)]
        xs, ys = numbers[0::2], numbers[1::2]
        x, y, r = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2, (max(xs) - min(xs)) / 2
        for i in range(-1, round(extent / side) + 2):
            for j in range(-1, round(extent / side) + 2):
                at = (round(x0 + x + i * side, 4), round(y0 + y + j * side, 4))
                if 0 <= at[0] <= extent and 0 <= at[1] <= extent:
                    found.add((*at, round(r, 4)))
    return found


def test_a_dotted_hatch_draws_matplotlibs_dots_on_a_smaller_tile(monkeypatch: pytest.MonkeyPatch) -> None:
    from sitrep import charts

    counts = {"Riots": [3, 1, 2, 4], "Protests": [1, 0, 2, 0]}
    compact = incidents_per_week_chart(WEEKS, counts)
    monkeypatch.setattr(charts, "_compact_dot_hatches", lambda root: None)
    drawn = incidents_per_week_chart(WEEKS, counts)
    (small,), (large,) = dotted_patterns(parse(compact)), dotted_patterns(parse(drawn))
    assert (small.get("width"), large.get("width")) == ("36", "72")
    assert len(dots_over(large, 72)) == 613 and dots_over(small, 72) == dots_over(large, 72)
    for tag in ("rect", "path"):  # the same colours and strokes
        kept = {k: v for k, v in large.find(f"{SVG}{tag}").attrib.items() if k not in ("d", "width", "height")}
        assert {k: v for k, v in small.find(f"{SVG}{tag}").attrib.items() if k in kept} == kept
    assert len(compact) < len(drawn) / 3
    # the bars and the legend key still use it
    uses = [el for el in parse(compact).iter() if el.get("fill") == f"url(#{small.get('id')})"]
    assert len(uses) == 5
