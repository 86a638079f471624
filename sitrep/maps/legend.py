"""Explain a map: the legend panel with its scale bar and north arrow, and the text alternative."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from .draw import _area_colour, _hatch_id
from .frame import MapPoint, _Box, _Drawn, _Layout
from .style import (
    ARROW_WIDTH, AREA_INK, BASE_FILL, EVENT_STYLES, FOCUS, FOCUS_EDGE, HALO, INK, LEGEND_ROLES, OTHER_EVENT,
    _event_style, _role, _shape_path,
)
from .svg import _el, _num, _path, _shorten, _text, _text_width
from .world import _Country


def _panel_svg(layout: _Layout, drawn: _Drawn, has_focus: bool) -> str:
    """Return the legend panel: the symbols shown, a scale bar, a north arrow and the source."""
    x0, right = layout.map_w, float(layout.width)
    rows = [_el("rect", x=x0, y=0, width=right - x0, height=layout.height, fill="#ffffff")]
    entries = _legend_entries(drawn, has_focus)
    if entries:
        rows.append(_el("text", "Legend", x=x0 + 12, y=20, font_size=11, font_weight="bold", fill=INK))
    y = 36.0
    for symbol, text in entries:
        lines = _wrap_text(text, right - x0 - 44, 9.5)
        rows.append(_legend_symbol(symbol, x0 + 20, y, layout.prefix))
        rows += [
            _el("text", _text(line), x=x0 + 34, y=y + 3.5 + i * 11, font_size=9.5, fill=INK, data_legend=text)
            for i, line in enumerate(lines)
        ]
        y += 8 + 11 * len(lines)
    rows.append(_scale_bar(layout, x0 + 14, layout.height - 40.0, right - x0 - 62))
    rows.append(_north_arrow(right - 20, layout.height - 38.0))
    rows.append(_el("text", "Borders: Natural Earth (public domain)", x=x0 + 12, y=layout.height - 12.0,
                    font_size=7.5, fill="#6b6b6b"))
    return _el("g", "\n" + "\n".join(rows) + "\n", class_="legend")


def _legend_entries(drawn: _Drawn, has_focus: bool) -> list[tuple[str, str]]:
    """Return (symbol, text) legend rows for what the map actually shows, and what it could not place."""
    points, arrows = drawn.marks, drawn.arrows
    incidents = [p for p in points if p.kind == "incident"]
    present = {_event_style(p.category)[0] for p in incidents}
    rows = [("event:" + name, name) for name in [*EVENT_STYLES, OTHER_EVENT] if name in present]
    earlier = [p for p in incidents if p.reference and not p.is_region]
    if earlier:
        rows.append(("reference:" + _event_style(earlier[0].category)[0], "Earlier incident (outline)"))
    regions = [p for p in points if p.is_region]
    if regions:
        rows.append(("region:" + _area_colour(regions[0]), "Only the region is known (hatched)"))
    roles = {_role(p.kind) for p in points if not p.is_region}
    rows += [(role, text) for role, text in LEGEND_ROLES if role in roles]
    if any(not a.from_region for a in arrows):
        rows.append(("arrow", "Launch point → target"))
    if any(a.from_region for a in arrows):
        rows.append(("arrow-region", "Launched from the hatched area → target"))
    if has_focus:
        rows.append(("focus", "Country of focus"))
    if drawn.unplaced:
        names = "; ".join(dict.fromkeys(_shorten(p.label, 40) for p in drawn.unplaced))
        rows.append(("none", f"Not on the map, no coordinates published: {names}"))
    return rows


def _legend_symbol(symbol: str, x: float, y: float, prefix: str) -> str:
    """Return the legend swatch for one entry."""
    kind, _, value = symbol.partition(":")
    if kind in ("event", "reference"):
        _, colour, shape = _event_style(value)
        paint = {"fill": HALO, "stroke": colour, "stroke_width": 1.8} if kind == "reference" else {
            "fill": colour, "stroke": INK, "stroke_width": 0.9}
        return _el("path", d=_shape_path(shape, x, y, 5.5), **paint, stroke_linejoin="round")
    if kind == "none":
        return ""
    if kind == "region":
        return _el("path", d=_shape_path("circle", x, y, 6.5), fill=f"url(#{_hatch_id(prefix, value)})",
                   stroke=value, stroke_width=1.1, stroke_dasharray="3 2")
    if symbol == "base":
        return _el("path", d=_path([(x - 5, y - 3.5), (x + 5, y - 3.5), (x + 5, y + 3.5), (x - 5, y + 3.5)]),
                   fill=BASE_FILL)
    if symbol == "place":
        return _el("path", d=_shape_path("circle", x, y, 3.0), fill=HALO, stroke=INK, stroke_width=1.4)
    if symbol == "area":
        return _el("text", "Ab", x=x, y=y + 3.5, font_size=10, font_style="italic", fill=AREA_INK,
                   text_anchor="middle")
    if kind in ("arrow", "arrow-region"):
        curve = f"M{_num(x - 9)} {_num(y + 3)}Q{_num(x - 2)} {_num(y - 5)} {_num(x + 6)} {_num(y)}"
        line = _el("path", d=curve, fill="none", stroke=INK, stroke_width=ARROW_WIDTH,
                   marker_end=f"url(#{prefix}-arrowhead)")
        if kind == "arrow-region":
            return line
        return line + _el("path", d=_shape_path("circle", x - 9, y + 3, 2.4), fill=HALO, stroke=INK,
                          stroke_width=1.3)
    return _el("path", d=_path([(x - 8, y - 5), (x + 8, y - 5), (x + 8, y + 5), (x - 8, y + 5)]), fill=FOCUS,
               stroke=FOCUS_EDGE, stroke_width=0.9)


def _legend_html(drawn: _Drawn, has_focus: bool, prefix: str) -> str:
    """Return the legend as an HTML list, whose swatches use the map's own arrowhead and hatching.

    Text in the page reflows and keeps its size on a phone, where a legend inside the SVG shrinks with it.
    """
    items = [
        f'<li><svg class="map-key" width="24" height="16" viewBox="-12 -8 24 16" aria-hidden="true" '
        f'focusable="false">{_legend_symbol(symbol, 0.0, 0.0, prefix)}</svg>{_text(text)}</li>'
        for symbol, text in _legend_entries(drawn, has_focus)
    ]
    if not items:
        return ""
    return (f'<div class="map-legend" id="{prefix}-legend"><p class="map-legend-title">Legend</p>\n<ul>\n'
            + "\n".join(items) + "\n</ul></div>")


def _frame_scale_svg(layout: _Layout) -> tuple[str, _Box]:
    """Return a scale bar and north arrow on a white box in the frame's lower left, and the box."""
    box = _Box(8.0, layout.height - 40.0, 132.0, layout.height - 8.0)
    rows = [
        _el("rect", x=box.x0, y=box.y0, width=box.x1 - box.x0, height=box.y1 - box.y0, fill="#ffffff",
            fill_opacity=0.85, stroke="#b9b4aa", stroke_width=0.6, rx=2),
        _scale_bar(layout, box.x0 + 10, box.y1 - 12, box.x1 - box.x0 - 44),
        _north_arrow(box.x1 - 12, box.y1 - 9),
    ]
    return _el("g", "".join(rows), class_="scale"), box


def _wrap_text(text: str, max_width: float, size: float) -> list[str]:
    """Break text into lines no wider than max_width, at spaces or after slashes."""
    words = re.findall(r"[^\s/]*/|[^\s/]+|\s+", _shorten(text, 60))
    lines, current = [], ""
    for word in words:
        trial = current + word
        if current.strip() and _text_width(trial.strip(), size) > max_width:
            lines.append(current.strip())
            current = word.lstrip()
        else:
            current = trial
    return lines + [current.strip()] if current.strip() else lines


def _nice_distance(max_km: float) -> float:
    """Return the largest 1, 2 or 5 × 10^n km not above max_km."""
    exponent = math.floor(math.log10(max(max_km, 1e-3)))
    return next(step * 10.0**exponent for step in (5, 2, 1) if step * 10.0**exponent <= max_km)


def _scale_bar(layout: _Layout, x: float, y: float, max_px: float) -> str:
    """Return a two-segment scale bar in km with a round length."""
    km = _nice_distance(max_px / layout.projection.px_per_km)
    length = km * layout.projection.px_per_km
    half = length / 2
    bar = [(x, y), (x + half, y), (x + half, y + 4), (x, y + 4)]
    rest = [(x + half, y), (x + length, y), (x + length, y + 4), (x + half, y + 4)]
    return _el("g", "".join([
        _el("path", d=_path(bar), fill=INK, stroke=INK, stroke_width=0.8),
        _el("path", d=_path(rest), fill="#ffffff", stroke=INK, stroke_width=0.8),
        _el("text", "0", x=x, y=y - 4, font_size=8.5, fill=INK, text_anchor="middle"),
        _el("text", f"{km:g} km", x=x + length, y=y - 4, font_size=8.5, fill=INK, text_anchor="middle"),
    ]), class_="scale-bar", data_km=f"{km:g}")


def _north_arrow(x: float, y: float) -> str:
    """Return a small north arrow; the projection keeps north straight up."""
    return _el("g", "".join([
        _el("path", d=_path([(x, y - 12), (x + 5, y + 4), (x, y)]), fill=INK),
        _el("path", d=_path([(x, y - 12), (x - 5, y + 4), (x, y)]), fill="#ffffff", stroke=INK,
            stroke_width=0.8),
        _el("text", "N", x=x, y=y - 15, font_size=9, font_weight="bold", fill=INK, text_anchor="middle"),
    ]), class_="north-arrow")


def _description(drawn: _Drawn, focus: Sequence[_Country]) -> str:
    """Return the text alternative: the area, every incident, the places, the arrows and what is not drawn."""
    points, arrows = drawn.marks, drawn.arrows
    parts = ["Map of " + _join([c.info.name for c in focus]) + "."] if focus else []
    incidents = [p for p in points if p.kind == "incident"]
    listed = "; ".join(
        f"{_shorten(p.label, 80)} ({p.category or OTHER_EVENT}, {_where(p)}{_qualifiers(p)})"
        for p in incidents
    )
    noun = "incident" if len(incidents) == 1 else "incidents"
    parts.append(f"{len(incidents)} {noun} shown" + (f": {listed}." if listed else "."))
    places = [f"{_shorten(p.label, 80)} ({p.kind}{_qualifiers(p)}{_unlocated(p)})" for p in points
              if p.kind != "incident"]
    if places:
        parts.append("Places: " + "; ".join(places) + ".")
    for arrow in arrows:
        what = f"{_shorten(arrow.label, 80)}: " if arrow.label else ""
        ends = f"from {_place_name(drawn.points, arrow.start)} to {_place_name(drawn.points, arrow.end)}"
        parts.append(f"Arrow {what}{ends}.")
    if drawn.unplaced:
        names = "; ".join(f"{_shorten(p.label, 80)} ({p.kind})" for p in drawn.unplaced)
        parts.append(f"Not on the map, no coordinates published: {names}.")
    return " ".join(parts)


def _unlocated(point: MapPoint) -> str:
    """Say so of a place drawn as a hatched country for want of coordinates."""
    located = point.lat is not None and point.lon is not None
    return "" if located else ", no coordinates published, the whole country hatched"


def _where(point: MapPoint) -> str:
    """Return where a point is drawn: its coordinates, or the country hatched for it."""
    if point.lat is None or point.lon is None:
        return "no coordinates published, the whole country hatched"
    return _coords(point.lat, point.lon)


def _qualifiers(point: MapPoint) -> str:
    """Return what the text alternative adds about a point's precision and time."""
    located = point.lat is not None and point.lon is not None
    region = ", only the region is known" if point.is_region and located else ""
    return region + ", an earlier incident" * point.reference


def _join(names: Sequence[str]) -> str:
    """Join names as 'A, B and C'."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _coords(lat: float, lon: float) -> str:
    """Format a position as e.g. '33.32°N 38.70°E'."""
    return f"{abs(lat):.2f}°{'N' if lat >= 0 else 'S'} {abs(lon):.2f}°{'E' if lon >= 0 else 'W'}"


def _place_name(points: Sequence[MapPoint], position: tuple[float, float]) -> str:
    """Name an arrow end after a point at the same spot, else by its coordinates."""
    for point in points:
        if abs(point.lat - position[0]) < 0.02 and abs(point.lon - position[1]) < 0.02:
            return _shorten(point.label, 80)
    return _coords(*position)
