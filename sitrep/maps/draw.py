"""Draw a framed map's parts as SVG: the root and sea, the countries, the symbols and the arrows."""

from __future__ import annotations

import re
from collections.abc import Sequence

from .frame import MapArrow, MapPoint, _arrow_curve, _Box, _Drawn, _Layout, _quad, _Shape, _square
from .labels import _Placer
from .style import (
    ARROW_WIDTH, ARROWHEAD, AREA_INK, BASE_FILL, FOCUS, FOCUS_EDGE, FONT_FAMILY, HALO, INK, LAND, LAND_EDGE,
    MARKER_SIZE, SEA, _event_style, _role, _shape_path, _symbol_radius,
)
from .svg import _el, _linked, _num, _path, _start_tag, _text


def _safe_prefix(prefix: str) -> str:
    """Make id_prefix a valid start of an XML id, so every derived id is valid too."""
    cleaned = re.sub(r"[^A-Za-z0-9_-]", "-", str(prefix)) or "map"
    return cleaned if cleaned[0].isalpha() or cleaned[0] == "_" else f"m{cleaned}"


def _svg_open(layout: _Layout, title: str, desc: str, *, linked: bool = False,
              hatches: Sequence[str] = ()) -> str:
    """Return the SVG root, its accessible name and description, the defs and the sea.

    A map with links is a labelled group, not an image: assistive technology hides the children of
    role="img", so its links could be focused but never announced (axe: nested-interactive).
    """
    p = layout.prefix
    root = _start_tag(
        "svg", xmlns="http://www.w3.org/2000/svg", width=layout.width, height=layout.height,
        viewBox=f"0 0 {layout.width} {layout.height}", role="group" if linked else "img",
        aria_labelledby=f"{p}-title {p}-desc",
        font_family=FONT_FAMILY, class_="sitrep-map",
        # Shrinks to narrow pages in browsers and WeasyPrint alike, keeping the aspect ratio.
        style=f"width:100%;max-width:{layout.width}px;height:auto",
    ) + ">"
    head = _arrowhead(p) + "".join(_hatch_pattern(p, colour) for colour in hatches)
    return "\n".join([
        root,
        _el("title", _text(title), id=f"{p}-title"),
        _el("desc", _text(desc), id=f"{p}-desc"),
        _el("defs", head),
        _el("rect", x=0, y=0, width=layout.map_w, height=layout.height, fill=SEA),
    ])


def _arrowhead(prefix: str) -> str:
    """Return the arrowhead marker the launch arrows and their legend swatch end with."""
    return _el(
        "marker", _el("path", d="M0 0L10 5L0 10L2.5 5z", fill=INK), id=f"{prefix}-arrowhead",
        viewBox="0 0 10 10", refX=7, refY=5, markerWidth=ARROWHEAD, markerHeight=ARROWHEAD,
        markerUnits="userSpaceOnUse", orient="auto",
    )


def _hatch_id(prefix: str, colour: str) -> str:
    """Return the id of the hatching pattern in a colour."""
    return f"{prefix}-hatch-{colour.lstrip('#').lower()}"


def _hatch_pattern(prefix: str, colour: str) -> str:
    """Return a pattern of diagonal lines in a colour over a pale wash, for areas known only as regions."""
    return _el(
        "pattern", _el("rect", x=0, y=0, width=6, height=6, fill=HALO, fill_opacity=0.45)
        + _el("rect", x=0, y=0, width=2, height=6, fill=colour),
        id=_hatch_id(prefix, colour), patternUnits="userSpaceOnUse", width=6, height=6,
        patternTransform="rotate(45)",
    )


def _hatch_colours(points: Sequence[MapPoint]) -> list[str]:
    """Return the colours of the hatched areas a map draws, in a fixed order."""
    return sorted({_area_colour(p) for p in points if p.is_region})


def _area_colour(point: MapPoint) -> str:
    """Return the colour of a point's hatched area: its event type's for an incident."""
    return _event_style(point.category)[1] if point.kind == "incident" else AREA_INK


def _countries_svg(shapes: Sequence[_Shape], focus_codes: set[str]) -> str:
    """Return the country fills and borders, focus countries drawn last so their edges show."""
    rows = []
    for shape in sorted(shapes, key=lambda s: s.country.info.alpha3 in focus_codes):
        focus = shape.country.info.alpha3 in focus_codes
        fill, edge, width = (FOCUS, FOCUS_EDGE, 0.9) if focus else (LAND, LAND_EDGE, 0.6)
        rows.append(_el(
            "path", data_country=shape.country.info.alpha3, d=shape.path,
            fill=fill, fill_rule="evenodd", stroke=edge, stroke_width=width, stroke_linejoin="round",
        ))
    return _el("g", "\n" + "\n".join(rows) + "\n", class_="countries")


def _areas_svg(layout: _Layout, drawn: _Drawn, shapes: Sequence[_Shape]) -> str:
    """Return the hatched areas of places known only to their region, drawn under the arrows and symbols."""
    by_code = {shape.country.info.alpha3: shape for shape in shapes}
    rows = [_country_area(layout, point, by_code[country.info.alpha3])
            for point, country in drawn.countries if country.info.alpha3 in by_code]
    rows += [_region_area(layout, p) for p in drawn.points if p.is_region]
    return _el("g", "\n" + "\n".join(rows) + "\n", class_="areas") if rows else ""


def _country_area(layout: _Layout, point: MapPoint, shape: _Shape) -> str:
    """Return a whole country hatched, for a place known only as that country (no coordinates published)."""
    colour = _area_colour(point)
    body = _el("path", d=shape.path, fill=f"url(#{_hatch_id(layout.prefix, colour)})", fill_rule="evenodd",
               fill_opacity=0.6, stroke=colour, stroke_width=1.2, stroke_dasharray="4 2.5")
    return _linked(point.href, _point_group(point, shape.main_bounds, body, data="data_area_box"))


def _symbols_svg(layout: _Layout, points: Sequence[MapPoint], placer: _Placer) -> str:
    """Return place symbols, then incident markers on top, registering them as obstacles.

    Earlier incidents go under the period's, so a marker of the period is never hidden by one for reference.
    """
    places = [p for p in points if not p.is_region and _role(p.kind) in ("base", "place")]
    incidents = [p for p in points if not p.is_region and p.kind == "incident"]
    incidents.sort(key=lambda p: not p.reference)
    rows = [_place_symbol(layout, p, placer) for p in places]
    rows += [_incident_marker(layout, p, placer) for p in incidents]
    return _el("g", "\n" + "\n".join(rows) + "\n", class_="points") if rows else ""


def _region_area(layout: _Layout, point: MapPoint) -> str:
    """Return the hatched area of a place or incident whose region only is known.

    Labels may cross it (they have a halo): an area is not an obstacle like a point symbol.
    """
    x, y = layout.projection.point_xy(point.lat, point.lon)
    r = layout.region_radius
    colour = _area_colour(point)
    body = _el("path", d=_shape_path("circle", x, y, r), fill=f"url(#{_hatch_id(layout.prefix, colour)})",
               stroke=colour, stroke_width=1.2, stroke_dasharray="4 2.5")
    return _linked(point.href, _point_group(point, _square(x, y, r), body, data="data_area_box"))


def _place_symbol(layout: _Layout, point: MapPoint, placer: _Placer) -> str:
    """Return the small symbol of a base, town or other named place."""
    x, y = layout.projection.point_xy(point.lat, point.lon)
    role = _role(point.kind)
    r = _symbol_radius(role)
    if role == "base":
        box = _Box(x - r, y - r * 0.7, x + r, y + r * 0.7)
        corners = [(box.x0, box.y0), (box.x1, box.y0), (box.x1, box.y1), (box.x0, box.y1)]
        body = _el("path", d=_path(corners), fill=BASE_FILL, stroke=HALO, stroke_width=1)
    else:
        box = _square(x, y, r)
        body = _el("path", d=_shape_path("circle", x, y, 3.0), fill=HALO, stroke=INK, stroke_width=1.4)
    placer.block(box.grown(1.0))
    return _linked(point.href, _point_group(point, box, body))


def _incident_marker(layout: _Layout, point: MapPoint, placer: _Placer) -> str:
    """Return an incident marker whose shape and colour encode its event type; hollow for an earlier one."""
    x, y = layout.projection.point_xy(point.lat, point.lon)
    _, colour, shape = _event_style(point.category)
    box = _square(x, y, _symbol_radius("incident"))
    placer.block(box.grown(0.5))
    if point.reference:
        paint = {"fill": HALO, "stroke": colour, "stroke_width": 2.0}
    else:
        paint = {"fill": colour, "stroke": INK, "stroke_width": 0.9}
    body = _el("path", d=_shape_path(shape, x, y, MARKER_SIZE), **paint, stroke_linejoin="round")
    return _linked(point.href, _point_group(point, box, body))


def _point_group(point: MapPoint, box: _Box, body: str, data: str = "data_box") -> str:
    """Wrap a symbol in a group carrying its tooltip, classes and data attributes."""
    is_event = point.kind == "incident" and point.category
    tooltip = f"{point.label} — {point.category}" if is_event else point.label
    if point.lat is None or point.lon is None:
        tooltip += " (no coordinates published: the whole country is hatched)"
    elif point.is_region:
        tooltip += " (only the region is known)"
    classes = [_role(point.kind)] + ["region"] * point.is_region + ["reference"] * point.reference
    return _el(
        "g", _el("title", _text(tooltip)) + body, class_=" ".join(classes), data_id=point.id,
        data_kind=point.kind, data_category=point.category, data_precision=point.precision,
        **{data: box.attr()},
    )


def _arrows_svg(layout: _Layout, arrows: Sequence[MapArrow], placer: _Placer) -> str:
    """Return the arrows, registering their curves as label obstacles."""
    rows = []
    for index, arrow in enumerate(arrows):
        p0, p1, p2 = _arrow_curve(layout, arrow)
        for i in range(25):
            placer.block(_square(*_quad(p0, p1, p2, i / 24), 2.5))
        d = f"M{_num(p0[0])} {_num(p0[1])}Q{_num(p1[0])} {_num(p1[1])} {_num(p2[0])} {_num(p2[1])}"
        launch = layout.projection.point_xy(*arrow.start)
        parts = [
            _el("title", _text(arrow.label or "Launch point to target")),
            _el("path", d=d, fill="none", stroke=HALO, stroke_width=ARROW_WIDTH + 3, stroke_opacity=0.9,
                stroke_linecap="round"),
            _el("path", d=d, fill="none", stroke=INK, stroke_width=ARROW_WIDTH, stroke_linecap="round",
                marker_end=f"url(#{layout.prefix}-arrowhead)", class_="arrow-line"),
        ]
        if not arrow.from_region:  # a launch point; from a region, the hatched area shows where
            parts.append(_el("path", d=_shape_path("circle", *launch, 2.6), fill=HALO, stroke=INK,
                             stroke_width=1.3))
        body = "".join(parts)
        rows.append(_linked(arrow.href, _el("g", body, class_="arrow", data_arrow=index)))
    return _el("g", "\n" + "\n".join(rows) + "\n", class_="arrows") if rows else ""
