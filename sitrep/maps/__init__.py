"""Render offline SVG situation maps from Natural Earth country borders.

A map is made in stages, one module each:

- ``world``: the bundled country borders, and position tests against them;
- ``frame``: what the map shows, its projection to pixels, and the countries clipped to the frame;
- ``labels``: label placement, keeping labels off each other and off the symbols;
- ``draw`` and ``legend``: the SVG of the countries, symbols and arrows, the legend panel and the
  text alternative, in the symbology of ``style``, written with the safe markup helpers of ``svg``.

Names that start with an underscore are shared between these modules only.
"""

from __future__ import annotations

from collections.abc import Sequence

from .draw import _arrows_svg, _countries_svg, _safe_prefix, _svg_open, _symbols_svg
from .frame import MapArrow, MapPoint, _fit_projection, _frame_bounds, _Layout, _unique_countries, _valid
from .labels import (
    _backdrop, _labels_svg, _place_arrow_labels, _place_country_labels, _place_point_labels, _Placer,
)
from .legend import _description, _panel_svg
from .style import EVENT_STYLES, PANEL_WIDTH
from .svg import _el
from .world import DATA_FILE, CountryInfo, country_info, distance_outside_country_km

__all__ = [
    "DATA_FILE",
    "EVENT_STYLES",
    "CountryInfo",
    "MapArrow",
    "MapPoint",
    "country_info",
    "distance_outside_country_km",
    "render_map",
]


def render_map(
    points: Sequence[MapPoint],
    arrows: Sequence[MapArrow] = (),
    *,
    focus_countries: Sequence[str] = (),
    title: str = "Map",
    width: int = 720,
    height: int = 480,
    id_prefix: str = "map",
) -> str:
    """Return a standalone inline SVG string of the area."""
    points = [p for p in points if _valid(p.lat, p.lon)]
    arrows = [a for a in arrows if _valid(*a.start) and _valid(*a.end)]
    focus = _unique_countries(focus_countries)
    width, height = max(int(width), 320), max(int(height), 200)
    map_w = float(width - min(PANEL_WIDTH, width // 3))
    projection = _fit_projection(_frame_bounds(points, arrows, focus), map_w, height)
    layout = _Layout(width, height, map_w, _safe_prefix(id_prefix), projection)
    backdrop = _backdrop(projection, map_w, height)
    focus_codes = {c.info.alpha3 for c in focus}
    placer = _Placer(layout.frame)
    symbols = _symbols_svg(layout, points, placer)
    arrow_svg = _arrows_svg(layout, arrows, placer)
    _place_point_labels(layout, points, placer)
    _place_arrow_labels(layout, arrows, placer)
    _place_country_labels(backdrop, focus_codes, placer)
    parts = [
        _svg_open(layout, title, _description(points, arrows, focus),
                  linked=any(point.href for point in points) or any(arrow.href for arrow in arrows)),
        _countries_svg(backdrop.shapes, focus_codes),
        _labels_svg([label for label in placer.labels if label.style.kind == "country"]),
        arrow_svg,
        symbols,
        _labels_svg([label for label in placer.labels if label.style.kind != "country"]),
        _el("rect", x=0.5, y=0.5, width=map_w - 1, height=height - 1.0, fill="none", stroke="#4a4a4a"),
        _panel_svg(layout, points, arrows, bool(focus)),
        "</svg>",
    ]
    return "\n".join(part for part in parts if part) + "\n"
