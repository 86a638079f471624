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

from .draw import (
    _areas_svg, _arrows_svg, _countries_svg, _hatch_colours, _safe_prefix, _svg_open, _symbols_svg,
)
from .frame import MapArrow, MapPoint, _fit_projection, _frame_bounds, _Layout, _sort_out, _unique_countries
from .labels import (
    _backdrop, _Label, _labels_svg, _numbers_html, _numbers_svg, _place_arrow_labels, _place_country_labels,
    _place_point_labels, _Placer,
)
from .legend import _description, _frame_scale_svg, _legend_html, _panel_svg
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
    "render_map_html",
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
    """Return a standalone inline SVG string of the area, with its legend panel on the right."""
    return _render(points, arrows, focus_countries, title, width, height, id_prefix, panel=True)[0]


def render_map_html(
    points: Sequence[MapPoint],
    arrows: Sequence[MapArrow] = (),
    *,
    focus_countries: Sequence[str] = (),
    title: str = "Map",
    width: int = 530,
    height: int = 480,
    id_prefix: str = "map",
) -> str:
    """Return the map for a web page: the SVG without a panel in a frame, its numbered places, its legend as HTML.

    On a phone the map shrinks to the screen's width, where its labels would be too small to read: site.css
    then shows a number in place of each label and the list of the numbered places below the map. The
    legend's text is the page's own and reflows (site.css lays it beside the map where there is room).
    """
    prefix = _safe_prefix(id_prefix)
    svg, labels = _render(points, arrows, focus_countries, title, width, height, id_prefix, panel=False)
    legend = _legend_html(_sort_out(points, arrows), bool(_unique_countries(focus_countries)), prefix)
    frame = f'<div class="map-frame" role="group" aria-labelledby="{prefix}-title">'
    return f"{frame}\n{svg}</div>\n{_numbers_html(labels, prefix)}\n{legend}"


def _render(points: Sequence[MapPoint], arrows: Sequence[MapArrow], focus_countries: Sequence[str],
            title: str, width: int, height: int, id_prefix: str, *, panel: bool) -> tuple[str, list[_Label]]:
    """Return the SVG of a map, with the legend panel on its right or a scale bar in its frame, and its place labels.

    Without the panel (a web page's map), each place label also has a number, which a phone shows instead.
    """
    drawn = _sort_out(points, arrows)
    points, arrows = drawn.points, drawn.arrows
    focus = _unique_countries(focus_countries)
    width, height = max(int(width), 320), max(int(height), 200)
    map_w = float(width - min(PANEL_WIDTH, width // 3)) if panel else float(width)
    shown = focus + [country for _, country in drawn.countries]  # a hatched country is shown whole
    projection = _fit_projection(_frame_bounds(points, arrows, shown), map_w, height)
    layout = _Layout(width, height, map_w, _safe_prefix(id_prefix), projection)
    backdrop = _backdrop(projection, map_w, height)
    focus_codes = {c.info.alpha3 for c in focus}
    placer = _Placer(layout.frame)
    scale, scale_box = ("", None) if panel else _frame_scale_svg(layout)
    if scale_box:
        placer.block(scale_box)
    symbols = _symbols_svg(layout, points, placer)
    arrow_svg = _arrows_svg(layout, arrows, placer)
    _place_point_labels(layout, points, placer)
    _place_arrow_labels(layout, arrows, placer)
    _place_country_labels(backdrop, focus_codes, placer)
    named = [label for label in placer.labels if label.style.kind != "country"]
    parts = [
        _svg_open(layout, title, _description(drawn, focus),
                  linked=any(point.href for point in drawn.marks) or any(arrow.href for arrow in arrows),
                  hatches=_hatch_colours(drawn.marks)),
        _countries_svg(backdrop.shapes, focus_codes),
        _areas_svg(layout, drawn, backdrop.shapes),
        _labels_svg([label for label in placer.labels if label.style.kind == "country"]),
        arrow_svg,
        symbols,
        _labels_svg(named, "labels place-labels"),
        "" if panel else _numbers_svg(named),
        scale,
        _el("rect", x=0.5, y=0.5, width=map_w - 1, height=height - 1.0, fill="none", stroke="#4a4a4a"),
        _panel_svg(layout, drawn, bool(focus)) if panel else "",
        "</svg>",
    ]
    return "\n".join(part for part in parts if part) + "\n", named
