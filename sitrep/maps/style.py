"""The map's symbology: colours, sizes, event-type markers and how each kind of place is drawn."""

from __future__ import annotations

import math

from .svg import XY, _num, _path


FONT_FAMILY = "Noto Sans, DejaVu Sans, sans-serif"

# Okabe & Ito (2008) colours stay apart under the common colour-vision
# deficiencies; each event type also has its own shape, so colour is never alone.
EVENT_STYLES: dict[str, tuple[str, str]] = {
    "Battles": ("#E69F00", "diamond"),
    "Explosions/Remote violence": ("#D55E00", "burst"),
    "Violence against civilians": ("#CC79A7", "triangle-down"),
    "Protests": ("#56B4E9", "circle"),
    "Riots": ("#009E73", "square"),
    "Strategic developments": ("#0072B2", "hexagon"),
}
OTHER_EVENT = "Other event"
OTHER_STYLE = ("#999999", "triangle-up")
LEGEND_ROLES = (("base", "Military base"), ("place", "Town / place"), ("area", "Region / area"))
# Location kinds that name an area rather than a spot: an italic label, no symbol.
AREA_KINDS = frozenset({"country", "region", "province", "district", "border_area", "governorate"})
ROLE_PRIORITY = {"incident": 0, "base": 1, "place": 2, "area": 3}

SEA = "#d3e3ee"
LAND = "#e6e4df"
LAND_EDGE = "#a9a59c"
FOCUS = "#fbf6e8"
FOCUS_EDGE = "#6f6756"
INK = "#1f1f1f"
HALO = "#ffffff"
BASE_FILL = "#263238"
AREA_INK = "#5b4a36"
FOCUS_NAME_INK = "#5e5444"
NEIGHBOUR_NAME_INK = "#8b877f"

MARKER_SIZE = 6.5
# Launch arrows: a line and head that stay visible printed small and over the hatching of a launch area.
ARROW_WIDTH = 2.4
ARROWHEAD = 12
LABEL_SIZE = 10.0
COUNTRY_SIZES = (12.0, 9.5)
NEIGHBOUR_SIZE = 9.0
PANEL_WIDTH = 190


def _event_style(category: str) -> tuple[str, str, str]:
    """Return (legend label, colour, shape) for an ACLED event type."""
    if category in EVENT_STYLES:
        return (category, *EVENT_STYLES[category])
    return (OTHER_EVENT, *OTHER_STYLE)


def _shape_path(shape: str, x: float, y: float, r: float) -> str:
    """Return path data for a marker shape of radius r centred on (x, y)."""
    if shape == "circle":
        arc = f"a{_num(r)} {_num(r)} 0 1 0"
        return f"M{_num(x - r)} {_num(y)}{arc} {_num(2 * r)} 0{arc} {_num(-2 * r)} 0z"
    return _path(_shape_vertices(shape, x, y, r))


def _regular(x: float, y: float, count: int, radius: float, start: float) -> list[XY]:
    """Return the vertices of a regular polygon starting at angle start."""
    step = 2 * math.pi / count
    angles = [start + i * step for i in range(count)]
    return [(x + radius * math.cos(a), y + radius * math.sin(a)) for a in angles]


def _shape_vertices(shape: str, x: float, y: float, r: float) -> list[XY]:
    """Return the vertices of a polygonal marker shape."""
    up, down = -math.pi / 2, math.pi / 2
    if shape == "square":
        return _regular(x, y, 4, r * 1.2, math.pi / 4)
    if shape == "diamond":
        return _regular(x, y, 4, r * 1.15, up)
    if shape == "triangle-up":
        return _regular(x, y, 3, r * 1.15, up)
    if shape == "triangle-down":
        return _regular(x, y, 3, r * 1.15, down)
    if shape == "hexagon":
        return _regular(x, y, 6, r, 0.0)
    if shape == "burst":  # eight-point star, the usual explosion symbol
        outer, inner = _regular(x, y, 8, r * 1.3, up), _regular(x, y, 8, r * 0.6, up + math.pi / 8)
        return [p for pair in zip(outer, inner, strict=True) for p in pair]
    raise ValueError(f"unknown marker shape {shape!r}")


def _role(kind: str) -> str:
    """Return how a point kind is drawn: incident, base, place (a symbol) or area (a label)."""
    if kind in ("incident", "base"):
        return kind
    return "area" if kind in AREA_KINDS else "place"


def _symbol_radius(role: str) -> float:
    """Return the half-size of a role's symbol box, for collisions and label offsets."""
    return {"incident": MARKER_SIZE * 1.3, "base": 5.0, "place": 3.5}.get(role, 0.0)
