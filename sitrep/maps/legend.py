"""Explain a map: the legend panel with its scale bar and north arrow, and the text alternative."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from .frame import MapArrow, MapPoint, _Layout
from .style import (
    AREA_INK, BASE_FILL, EVENT_STYLES, FOCUS, FOCUS_EDGE, HALO, INK, LEGEND_ROLES, OTHER_EVENT, _event_style,
    _role, _shape_path,
)
from .svg import _el, _num, _path, _shorten, _text, _text_width
from .world import _Country


def _panel_svg(
    layout: _Layout, points: Sequence[MapPoint], arrows: Sequence[MapArrow], has_focus: bool
) -> str:
    """Return the legend panel: the symbols shown, a scale bar, a north arrow and the source."""
    x0, right = layout.map_w, float(layout.width)
    rows = [_el("rect", x=x0, y=0, width=right - x0, height=layout.height, fill="#ffffff")]
    entries = _legend_entries(points, arrows, has_focus)
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


def _legend_entries(
    points: Sequence[MapPoint], arrows: Sequence[MapArrow], has_focus: bool
) -> list[tuple[str, str]]:
    """Return (symbol, text) legend rows for what the map actually shows."""
    present = {_event_style(p.category)[0] for p in points if p.kind == "incident"}
    rows = [("event:" + name, name) for name in [*EVENT_STYLES, OTHER_EVENT] if name in present]
    roles = {_role(p.kind) for p in points}
    rows += [(role, text) for role, text in LEGEND_ROLES if role in roles]
    if arrows:
        rows.append(("arrow", "Launch point → target"))
    if has_focus:
        rows.append(("focus", "Country of focus"))
    return rows


def _legend_symbol(symbol: str, x: float, y: float, prefix: str) -> str:
    """Return the legend swatch for one entry."""
    if symbol.startswith("event:"):
        _, colour, shape = _event_style(symbol.removeprefix("event:"))
        return _el("path", d=_shape_path(shape, x, y, 5.5), fill=colour, stroke=INK, stroke_width=0.9,
                   stroke_linejoin="round")
    if symbol == "base":
        return _el("path", d=_path([(x - 5, y - 3.5), (x + 5, y - 3.5), (x + 5, y + 3.5), (x - 5, y + 3.5)]),
                   fill=BASE_FILL)
    if symbol == "place":
        return _el("path", d=_shape_path("circle", x, y, 3.0), fill=HALO, stroke=INK, stroke_width=1.4)
    if symbol == "area":
        return _el("text", "Ab", x=x, y=y + 3.5, font_size=10, font_style="italic", fill=AREA_INK,
                   text_anchor="middle")
    if symbol == "arrow":
        curve = f"M{_num(x - 9)} {_num(y + 3)}Q{_num(x - 2)} {_num(y - 5)} {_num(x + 6)} {_num(y)}"
        return _el("path", d=curve, fill="none", stroke=INK, stroke_width=1.8,
                   marker_end=f"url(#{prefix}-arrowhead)") + _el(
            "path", d=_shape_path("circle", x - 9, y + 3, 2.2), fill=HALO, stroke=INK, stroke_width=1.2)
    return _el("path", d=_path([(x - 8, y - 5), (x + 8, y - 5), (x + 8, y + 5), (x - 8, y + 5)]), fill=FOCUS,
               stroke=FOCUS_EDGE, stroke_width=0.9)


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


def _description(points: Sequence[MapPoint], arrows: Sequence[MapArrow], focus: Sequence[_Country]) -> str:
    """Return the text alternative: the area, every incident, the places and the arrows."""
    parts = ["Map of " + _join([c.info.name for c in focus]) + "."] if focus else []
    incidents = [p for p in points if p.kind == "incident"]
    listed = "; ".join(
        f"{_shorten(p.label, 80)} ({p.category or OTHER_EVENT}, {_coords(p.lat, p.lon)})" for p in incidents
    )
    noun = "incident" if len(incidents) == 1 else "incidents"
    parts.append(f"{len(incidents)} {noun} shown" + (f": {listed}." if listed else "."))
    places = [f"{_shorten(p.label, 80)} ({p.kind})" for p in points if p.kind != "incident"]
    if places:
        parts.append("Places: " + "; ".join(places) + ".")
    for arrow in arrows:
        what = f"{_shorten(arrow.label, 80)}: " if arrow.label else ""
        ends = f"from {_place_name(points, arrow.start)} to {_place_name(points, arrow.end)}"
        parts.append(f"Arrow {what}{ends}.")
    return " ".join(parts)


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
