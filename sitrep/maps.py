"""Render offline SVG situation maps from Natural Earth country borders.

Borders and coastlines come from ``sitrep/data/world.json.gz`` (Natural Earth
1:50m, public domain, via the npm package world-atlas 2.0.2; see
``sitrep/data/README.md``). Nothing is fetched at build or view time.

Projection: equirectangular with its standard parallel at the frame's middle
latitude (x = R·Δλ·cos φ0, y = R·φ). For the regional extent of a brief (a few
hundred to a few thousand km) it keeps north straight up everywhere, makes the
frame a plain lon/lat rectangle to cull and clip against, and has true scale
along φ0 and along every meridian, which is what the scale bar shows. Frames
that straddle the antimeridian are not supported.

Labels are placed greedily (incidents, then bases, places, areas, arrows and
country names), each trying eight slots around its symbol and then eight more
with a leader line; a label that fits nowhere is left out of the picture but
stays in the tooltip and in the text alternative.
"""

from __future__ import annotations

import gzip
import json
import math
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

__all__ = [
    "EVENT_STYLES",
    "CountryInfo",
    "MapArrow",
    "MapPoint",
    "country_info",
    "distance_outside_country_km",
    "render_map",
]

DATA_FILE = Path(__file__).parent / "data" / "world.json.gz"
FONT_FAMILY = "Noto Sans, DejaVu Sans, sans-serif"
EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE = EARTH_RADIUS_KM * math.pi / 180

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
AREA_KINDS = frozenset({"region", "province", "district", "border_area", "governorate"})
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
LABEL_SIZE = 10.0
COUNTRY_SIZES = (12.0, 9.5)
NEIGHBOUR_SIZE = 9.0
PANEL_WIDTH = 190
MARGIN = 28.0
MIN_SPAN_DEG = 0.6
MAX_LABEL_CHARS = 34
MIN_LABELLED_ARROW = 60.0

# Advance widths (1/100 em) of printable ASCII, the wider of Noto Sans and
# DejaVu Sans, so estimated label boxes hold whichever font the viewer has.
_REGULAR_WIDTHS = bytes.fromhex(
    "20282e54405f4e1b272737542024202540404040404040404040222254545435644445464d3f3a4d4b221d42385b4c4f"
    "3c4f453f3d494463453d452725275432323d3f373f3e233f3f1c1c3a1c613f3d3f3f2934273f3b523b3b3440374054"
)
_BOLD_WIDTHS = bytes.fromhex(
    "232e34544664571f2e2e3654262a26294646464646464646464628285454543a644d4c49534444525427254d40645455"
    "49554d4844514d6e4d48492e292e54323243483b48442c4847222243226847454848313c3047415c41413a47374754"
)
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# What _attr must escape or drop: XML's special characters, those it forbids, and whitespace it would fold.
_ATTR_SPECIAL = re.compile("[&<>\"'\t\n\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_URL_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")

LonLat = tuple[float, float]
XY = tuple[float, float]
BBox = tuple[float, float, float, float]


@dataclass(frozen=True)
class MapPoint:
    """A place or incident to draw on the map."""

    id: str
    label: str
    lat: float
    lon: float
    kind: str  # "incident", "base", "town", "region", ... (incidents are markers; others labelled places)
    category: str = ""  # for incidents: the ACLED event_type
    href: str | None = None  # link target (relative URL) or None


@dataclass(frozen=True)
class MapArrow:
    """A launch-to-target arrow between two (lat, lon) positions."""

    start: tuple[float, float]
    end: tuple[float, float]
    href: str | None = None
    label: str = ""


@dataclass(frozen=True)
class CountryInfo:
    """Identity and extent of one country in the bundled border data."""

    alpha3: str
    numeric: int  # ISO 3166-1 numeric; 0 for areas without one (Kosovo is XKX)
    name: str  # Natural Earth's short name, e.g. "Syria"
    bbox: BBox  # min_lon, min_lat, max_lon, max_lat, within -180..180


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class _Ring:
    bbox: BBox
    points: tuple[LonLat, ...]


@dataclass(frozen=True)
class _Country:
    info: CountryInfo
    polygons: tuple[tuple[_Ring, ...], ...]  # each polygon: exterior ring, then holes


def _make_ring(flat: list[float]) -> _Ring:
    """Build a ring with its bounding box from a flat lon/lat list."""
    lons, lats = flat[0::2], flat[1::2]
    return _Ring((min(lons), min(lats), max(lons), max(lats)), tuple(zip(lons, lats, strict=True)))


@lru_cache(maxsize=1)
def _world() -> dict[str, _Country]:
    """Load the bundled country borders once, keyed by ISO alpha-3."""
    document = json.loads(gzip.decompress(DATA_FILE.read_bytes()))
    world: dict[str, _Country] = {}
    for entry in document["countries"]:
        bbox = tuple(float(v) for v in entry["bbox"])
        info = CountryInfo(entry["a3"], int(entry["id"]), entry["name"], bbox)  # type: ignore[arg-type]
        polygons = tuple(tuple(_make_ring(ring) for ring in poly) for poly in entry["polygons"])
        world[info.alpha3] = _Country(info, polygons)
    return world


def _country(alpha3: str) -> _Country | None:
    """Return the bundled country for an alpha-3 code, if any."""
    return _world().get(alpha3.strip().upper()) if isinstance(alpha3, str) else None


def country_info(alpha3: str) -> CountryInfo | None:
    """Return the identity and bounding box of a country by ISO alpha-3 code."""
    country = _country(alpha3)
    return country.info if country else None


def distance_outside_country_km(alpha3: str, lat: float, lon: float) -> float | None:
    """Return 0 inside the country, else the approximate km to its border; None if unknown."""
    country = _country(alpha3)
    if country is None:
        return None
    # Rings that cross the antimeridian run past ±180°, so test both copies of lon.
    lons = (lon, lon + 360.0) if lon < 0 else (lon, lon - 360.0)
    if any(_inside_polygon(poly, x, lat) for poly in country.polygons for x in lons):
        return 0.0
    return min(_ring_distance_km(ring, lat, lon) for poly in country.polygons for ring in poly)


def _inside_polygon(polygon: Sequence[_Ring], x: float, y: float) -> bool:
    """Test a point against a polygon with holes using the even-odd rule."""
    outer = polygon[0].bbox
    if not (outer[0] <= x <= outer[2] and outer[1] <= y <= outer[3]):
        return False
    return _crossings((ring.points for ring in polygon), x, y) % 2 == 1


def _crossings(rings: Iterable[Sequence[XY]], x: float, y: float) -> int:
    """Count how many ring edges a ray from (x, y) towards +x crosses."""
    count = 0
    for points in rings:
        x1, y1 = points[-1]
        for x2, y2 in points:
            if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                count += 1
            x1, y1 = x2, y2
    return count


def _ring_distance_km(ring: _Ring, lat: float, lon: float) -> float:
    """Return the great-circle km from a point to the nearest point of a ring."""
    # Find the nearest point in a local plane around (lat, lon), then measure it on the sphere.
    scale_x = max(math.cos(math.radians(lat)), 1e-9)
    best, nearest = math.inf, (lon, lat)
    ax, ay = _wrap(ring.points[-1][0] - lon) * scale_x, ring.points[-1][1] - lat
    for plon, plat in ring.points:
        bx, by = _wrap(plon - lon) * scale_x, plat - lat
        t = _segment_t(ax, ay, bx, by)
        cx, cy = ax + t * (bx - ax), ay + t * (by - ay)
        if cx * cx + cy * cy < best:
            best, nearest = cx * cx + cy * cy, (lon + cx / scale_x, lat + cy)
        ax, ay = bx, by
    return _haversine_km(lat, lon, nearest[1], nearest[0])


def _segment_t(ax: float, ay: float, bx: float, by: float) -> float:
    """Return the parameter along segment a→b of the point nearest the origin."""
    dx, dy = bx - ax, by - ay
    length = dx * dx + dy * dy
    return 0.0 if length == 0 else min(1.0, max(0.0, -(ax * dx + ay * dy) / length))


def _wrap(delta_lon: float) -> float:
    """Wrap a longitude difference into [-180, 180)."""
    return (delta_lon + 180.0) % 360.0 - 180.0


def _haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Return the great-circle distance between two positions in km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def _core_bbox(country: _Country) -> BBox:
    """Return the bbox of a country's main territory, leaving out far-off islands."""
    # Frames France on Europe rather than on French Guiana and Réunion too.
    exteriors = sorted((poly[0] for poly in country.polygons), key=_bbox_area, reverse=True)
    box, remaining = exteriors[0].bbox, exteriors[1:]
    grew = True
    while grew:
        near = [ring for ring in remaining if _bbox_near(box, ring.bbox, 5.0)]
        for ring in near:
            box = _bbox_union(box, ring.bbox)
        remaining = [ring for ring in remaining if ring not in near]
        grew = bool(near)
    return box


def _bbox_area(ring: _Ring) -> float:
    """Return the lon/lat area of a ring's bounding box."""
    return (ring.bbox[2] - ring.bbox[0]) * (ring.bbox[3] - ring.bbox[1])


def _bbox_near(a: Sequence[float], b: Sequence[float], margin: float) -> bool:
    """Tell whether two boxes come within margin of each other."""
    return a[0] - margin <= b[2] and b[0] <= a[2] + margin and a[1] - margin <= b[3] and b[1] <= a[3] + margin


def _bbox_union(a: Sequence[float], b: Sequence[float]) -> BBox:
    """Return the smallest box holding both boxes."""
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


# --------------------------------------------------------------------- projection


@dataclass(frozen=True)
class _Projection:
    """Equirectangular projection with standard parallel lat0, in SVG pixels."""

    lon0: float
    lat0: float
    k: float  # pixels per degree of latitude
    cx: float
    cy: float

    @property
    def cos0(self) -> float:
        """Return the east-west shrink factor at the standard parallel."""
        return math.cos(math.radians(self.lat0))

    @property
    def px_per_km(self) -> float:
        """Return the map scale in pixels per km (true along lat0 and every meridian)."""
        return self.k / KM_PER_DEGREE

    def xy(self, lat: float, lon: float) -> XY:
        """Project a position to SVG pixels."""
        return (self.cx + (lon - self.lon0) * self.cos0 * self.k, self.cy - (lat - self.lat0) * self.k)

    def xy_ring(self, positions: Iterable[LonLat], shift: float) -> list[XY]:
        """Project (lon, lat) positions moved west by shift degrees, as xy() does one by one."""
        lon0, lat0, k, cx, cy, cos0 = self.lon0, self.lat0, self.k, self.cx, self.cy, self.cos0
        return [(cx + (lon - shift - lon0) * cos0 * k, cy - (lat - lat0) * k) for lon, lat in positions]

    def point_xy(self, lat: float, lon: float) -> XY:
        """Project a single position, taking the copy of its longitude nearest the centre."""
        return self.xy(lat, self.lon0 + _wrap(lon - self.lon0))

    def window(self, width: float, height: float) -> BBox:
        """Return the lon/lat box visible in a width × height frame."""
        half_lon = width / 2 / (self.k * self.cos0)
        half_lat = height / 2 / self.k
        return (self.lon0 - half_lon, self.lat0 - half_lat, self.lon0 + half_lon, self.lat0 + half_lat)


def _frame_bounds(points: Sequence[MapPoint], arrows: Sequence[MapArrow], focus: Sequence[_Country]) -> BBox:
    """Return the lon/lat box the map must show: points, arrows and focus countries."""
    lons = [p.lon for p in points] + [end[1] for a in arrows for end in (a.start, a.end)]
    lats = [p.lat for p in points] + [end[0] for a in arrows for end in (a.start, a.end)]
    for country in focus:
        box = _core_bbox(country)
        lons += [box[0], box[2]]
        lats += [box[1], box[3]]
    if not lons:
        return (-180.0, -58.0, 180.0, 78.0)
    return _widen((min(lons), min(lats), max(lons), max(lats)), MIN_SPAN_DEG)


def _widen(box: BBox, span: float) -> BBox:
    """Grow a box around its centre to at least span degrees each way."""
    lon_pad = max(0.0, span - (box[2] - box[0])) / 2
    lat_pad = max(0.0, span - (box[3] - box[1])) / 2
    return (box[0] - lon_pad, max(-85.0, box[1] - lat_pad), box[2] + lon_pad, min(85.0, box[3] + lat_pad))


def _fit_projection(box: BBox, width: float, height: float) -> _Projection:
    """Fit a projection so the box fills the frame less a margin, centred."""
    lat0, lon0 = (box[1] + box[3]) / 2, (box[0] + box[2]) / 2
    span_x = max((box[2] - box[0]) * math.cos(math.radians(lat0)), 1e-6)
    span_y = max(box[3] - box[1], 1e-6)
    margin = min(MARGIN, width / 6, height / 6)
    k = min((width - 2 * margin) / span_x, (height - 2 * margin) / span_y)
    return _Projection(lon0, lat0, k, width / 2, height / 2)


# ---------------------------------------------------------------- pixel geometry


@dataclass(frozen=True)
class _Box:
    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: _Box) -> bool:
        """Tell whether two boxes share any area."""
        return self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1

    def within(self, other: _Box) -> bool:
        """Tell whether this box lies entirely inside another."""
        return self.x0 >= other.x0 and self.y0 >= other.y0 and self.x1 <= other.x1 and self.y1 <= other.y1

    def grown(self, by: float) -> _Box:
        """Return the box enlarged by a margin on every side."""
        return _Box(self.x0 - by, self.y0 - by, self.x1 + by, self.y1 + by)

    def attr(self) -> str:
        """Format the box as 'x0 y0 x1 y1' for a data attribute."""
        return " ".join(_num(v) for v in (self.x0, self.y0, self.x1, self.y1))


def _square(x: float, y: float, r: float) -> _Box:
    """Return the box of half-size r around a point."""
    return _Box(x - r, y - r, x + r, y + r)


def _clip_ring(points: Sequence[XY], box: _Box) -> list[XY]:
    """Clip a closed ring to a rectangle (Sutherland–Hodgman)."""
    ring = list(points)
    edges = ((0, box.x0, True), (0, box.x1, False), (1, box.y0, True), (1, box.y1, False))
    for axis, limit, keep_above in edges:
        if not ring:
            break
        ring = _clip_edge(ring, axis, limit, keep_above)
    return ring


def _clip_edge(ring: list[XY], axis: int, limit: float, keep_above: bool) -> list[XY]:
    """Clip a closed ring against one axis-parallel half-plane."""
    out: list[XY] = []
    prev = ring[-1]
    prev_in = (prev[axis] >= limit) == keep_above
    for cur in ring:
        cur_in = (cur[axis] >= limit) == keep_above
        if cur_in != prev_in:
            t = (limit - prev[axis]) / (cur[axis] - prev[axis])
            out.append((prev[0] + t * (cur[0] - prev[0]), prev[1] + t * (cur[1] - prev[1])))
        if cur_in:
            out.append(cur)
        prev, prev_in = cur, cur_in
    return out


def _thin(points: Sequence[XY], min_step: float = 0.7) -> list[XY]:
    """Drop vertices closer than min_step pixels to the last kept one."""
    kept = [points[0]]
    for x, y in points[1:]:
        if abs(x - kept[-1][0]) + abs(y - kept[-1][1]) >= min_step:
            kept.append((x, y))
    return kept


def _area(points: Sequence[XY]) -> float:
    """Return the unsigned area of a ring (shoelace formula)."""
    total = 0.0
    x1, y1 = points[-1]
    for x2, y2 in points:
        total += x1 * y2 - x2 * y1
        x1, y1 = x2, y2
    return abs(total) / 2


def _centroid(points: Sequence[XY]) -> XY:
    """Return the vertex mean of a ring, a cheap centre for the label search."""
    return (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))


def _path(points: Iterable[XY], closed: bool = True) -> str:
    """Format vertices as path data."""
    return "M" + "L".join(f"{_num(x)} {_num(y)}" for x, y in points) + ("z" if closed else "")


# -------------------------------------------------------------------- text & svg


def _num(value: float) -> str:
    """Format a coordinate with one decimal, without '-0' or a trailing '.0'."""
    text = f"{value:.1f}"
    text = text.removesuffix(".0")
    return "0" if text == "-0" else text


def _clean(text: object) -> str:
    """Return text without the characters XML 1.0 forbids."""
    return _XML_INVALID.sub("", str(text))


def _text(text: object) -> str:
    """Escape untrusted text for element content."""
    return escape(_clean(text))


def _attr(text: object) -> str:
    """Escape untrusted text for a double-quoted attribute value."""
    text = str(text)
    if not _ATTR_SPECIAL.search(text):
        return text  # most values are numbers, colours and plain names
    return escape(_clean(text), {'"': "&quot;", "'": "&apos;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})


def _start_tag(tag: str, **attrs: object) -> str:
    """Return an unclosed start tag; every attribute value is escaped, floats get one decimal.

    Attribute names use '_' for '-' (a trailing '_' is dropped: class_); None values are left out.
    """
    parts = [tag]
    for name, value in attrs.items():
        if value is None:
            continue
        if isinstance(value, float):
            text = _num(value)  # digits, a sign and a point: nothing to escape
        elif isinstance(value, int):
            text = str(value)
        else:
            text = _attr(value)
        parts.append(f'{_attr_name(name)}="{text}"')
    return "<" + " ".join(parts)


@cache
def _attr_name(name: str) -> str:
    """Return the SVG attribute name for a keyword: '_' becomes '-', a trailing '_' is dropped."""
    return name.rstrip("_").replace("_", "-")


def _el(tag: str, content: str | None = None, **attrs: object) -> str:
    """Return an SVG element; content must already be markup or escaped text."""
    start = _start_tag(tag, **attrs)
    return f"{start}/>" if content is None else f"{start}>{content}</{tag}>"


def _safe_href(href: str | None) -> str | None:
    """Return the link if it is relative or http(s)/mailto, else None."""
    if not href:
        return None
    link = _clean(href).strip()
    # Browsers ignore tabs and newlines inside URLs: check the scheme without them.
    match = _URL_SCHEME.match(re.sub(r"[\x00-\x20]", "", link))
    if match and match.group(1).lower() not in {"http", "https", "mailto"}:
        return None  # javascript:, data: and the like from untrusted content
    return link or None


def _shorten(text: str, limit: int = MAX_LABEL_CHARS) -> str:
    """Collapse whitespace and cut a label to limit characters with an ellipsis."""
    text = " ".join(_clean(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@lru_cache(maxsize=4096)
def _text_width(text: str, size: float, bold: bool = False) -> float:
    """Estimate the rendered width of text in pixels."""
    table = _BOLD_WIDTHS if bold else _REGULAR_WIDTHS
    units = 0
    for char in text:
        code = ord(char)
        if 32 <= code < 127:
            units += table[code - 32]
        elif unicodedata.combining(char):
            continue
        elif unicodedata.east_asian_width(char) in "WF":
            units += 100
        else:
            units += 72  # generous for accented Latin, Arabic and Cyrillic
    return units * size / 100


# ----------------------------------------------------------------- marker shapes


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


# --------------------------------------------------------------- label placement

# Candidate slots around a symbol, in order of preference: right-hand side
# first (reads on from the symbol), then left, then above and below.
_SLOTS: tuple[tuple[int, int], ...] = ((1, 0), (1, -1), (1, 1), (-1, 0), (-1, -1), (-1, 1), (0, -1), (0, 1))
_SLOT_GAP = 2.5
_LEADER_GAP = 14.0
_CELL = 32.0  # pixels: the side of the placer's grid cells


@dataclass(frozen=True)
class _Style:
    size: float
    kind: str  # what the label names: incident, base, place, area, arrow or country
    bold: bool = False
    italic: bool = False
    fill: str = INK
    halo: bool = True
    href: str | None = None


@dataclass(frozen=True)
class _Label:
    text: str
    box: _Box
    x: float
    baseline: float
    anchor: str
    style: _Style
    leader: tuple[XY, XY] | None = None


class _Placer:
    """Greedy label placer that keeps labels off each other, off symbols and inside the frame.

    Obstacles and placed labels are filed in a grid of square cells, so a candidate box is tested
    only against the boxes that share a cell with it.
    """

    def __init__(self, frame: _Box) -> None:
        self.frame = frame.grown(-2.0)
        self.labels: list[_Label] = []
        self._cells: dict[tuple[int, int], list[_Box]] = {}

    def block(self, box: _Box) -> None:
        """Keep labels off a box: a symbol, a stretch of arrow or a placed label."""
        for cell in _cells_of(box):
            self._cells.setdefault(cell, []).append(box)

    def free(self, box: _Box) -> bool:
        """Tell whether a label box fits in the frame without collisions."""
        return box.within(self.frame) and self.clear(box)

    def clear(self, box: _Box) -> bool:
        """Tell whether a box overlaps no obstacle and no placed label."""
        return not any(box.overlaps(other) for cell in _cells_of(box) for other in self._cells.get(cell, ()))

    def add(self, label: _Label) -> None:
        """Keep a placed label and keep later labels off it."""
        self.labels.append(label)
        self.block(label.box)

    def place_at(self, text: str, at: XY, radius: float, style: _Style, centre_first: bool = False) -> bool:
        """Place a label beside a symbol: 8 slots, then 8 further out with a leader line."""
        candidates = [(0, 0, 0.0)] if centre_first else []
        candidates += [(dx, dy, radius + _SLOT_GAP) for dx, dy in _SLOTS]
        candidates += [(dx, dy, radius + _LEADER_GAP) for dx, dy in _SLOTS] if radius else []
        for dx, dy, gap in candidates:
            label = _slot_label(text, at, (dx, dy), gap, style)
            if self.free(label.box.grown(1.0)):
                if gap > radius + _SLOT_GAP:
                    label = _with_leader(label, at, radius)
                self.add(label)
                return True
        return False

    def place_first_clear(self, labels: Iterable[_Label]) -> bool:
        """Place the first of the labels, already known to fit the frame, that collides with nothing."""
        for label in labels:
            if self.clear(label.box.grown(1.0)):
                self.add(label)
                return True
        return False


def _cells_of(box: _Box) -> list[tuple[int, int]]:
    """Return the grid cells a box touches."""
    columns = range(math.floor(box.x0 / _CELL), math.floor(box.x1 / _CELL) + 1)
    rows = range(math.floor(box.y0 / _CELL), math.floor(box.y1 / _CELL) + 1)
    return [(column, row) for column in columns for row in rows]


def _slot_label(text: str, at: XY, slot: tuple[int, int], gap: float, style: _Style) -> _Label:
    """Build the label for one slot around a point; diagonal slots clear the symbol's corner."""
    (x, y), (dx, dy) = at, slot
    width, height = _text_width(text, style.size, style.bold), style.size * 1.02
    x0 = x + gap if dx > 0 else x - gap - width if dx < 0 else x - width / 2
    y0 = y - gap - height if dy < 0 else y + gap if dy > 0 else y - height / 2
    box = _Box(x0, y0, x0 + width, y0 + height)
    # Anchor on the side nearest the symbol, so a width misestimate grows away from it.
    anchor, text_x = ("start", box.x0) if dx > 0 else ("end", box.x1) if dx < 0 else ("middle", x)
    return _Label(text, box, text_x, box.y0 + 0.77 * style.size, anchor, style)


def _with_leader(label: _Label, at: XY, radius: float) -> _Label:
    """Return the label with a leader line from the symbol's edge to the label box."""
    x, y = at
    bx, by = min(max(x, label.box.x0), label.box.x1), min(max(y, label.box.y0), label.box.y1)
    length = math.hypot(bx - x, by - y) or 1.0
    start = (x + (bx - x) / length * (radius + 1), y + (by - y) / length * (radius + 1))
    return replace(label, leader=(start, (bx, by)))


def _box_in_polygon(box: _Box, polygon: Sequence[XY], bounds: _Box) -> bool:
    """Tell whether the box's corners, edge midpoints and centre all lie in the polygon (within bounds).

    The nine points are tested by the even-odd rule in one pass over the edges.
    """
    if not box.within(bounds):
        return False  # a point outside the polygon's bounding box is outside the polygon
    xs, ys = (box.x0, (box.x0 + box.x1) / 2, box.x1), (box.y0, (box.y0 + box.y1) / 2, box.y1)
    crossings = [0] * 9
    x1, y1 = polygon[-1]
    for x2, y2 in polygon:
        for row, y in enumerate(ys):
            if (y1 > y) != (y2 > y):
                edge_x = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
                for column, x in enumerate(xs):
                    if x < edge_x:
                        crossings[3 * row + column] += 1
        x1, y1 = x2, y2
    return all(count % 2 == 1 for count in crossings)


# ------------------------------------------------------------------- map builder


@dataclass(frozen=True)
class _Layout:
    width: int
    height: int
    map_w: float  # the map frame's width; the legend panel fills the rest
    prefix: str
    projection: _Projection

    @property
    def frame(self) -> _Box:
        """Return the map frame, left of the legend panel."""
        return _Box(0.0, 0.0, self.map_w, float(self.height))


@dataclass(frozen=True)
class _Shape:
    """A country projected and clipped to one frame, ready to draw."""

    country: _Country
    rings: tuple[tuple[XY, ...], ...]
    main: tuple[XY, ...]  # the largest visible ring, where the name goes
    main_area: float
    main_bounds: _Box
    path: str  # every ring as path data


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


def _valid(lat: float, lon: float) -> bool:
    """Tell whether a position is a finite coordinate on Earth."""
    try:
        return math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180
    except TypeError:
        return False


def _unique_countries(codes: Sequence[str]) -> list[_Country]:
    """Resolve alpha-3 codes to countries, dropping unknown and repeated ones."""
    found: dict[str, _Country] = {}
    for code in codes:
        country = _country(code)
        if country and country.info.alpha3 not in found:
            found[country.info.alpha3] = country
    return list(found.values())


def _safe_prefix(prefix: str) -> str:
    """Make id_prefix a valid start of an XML id, so every derived id is valid too."""
    cleaned = re.sub(r"[^A-Za-z0-9_-]", "-", str(prefix)) or "map"
    return cleaned if cleaned[0].isalpha() or cleaned[0] == "_" else f"m{cleaned}"


def _svg_open(layout: _Layout, title: str, desc: str, *, linked: bool = False) -> str:
    """Return the SVG root, its accessible name and description, the defs and the sea.

    A map with links is a labelled group, not an image: assistive technology hides the children of
    role="img", so its links could be focused but never announced (axe: nested-interactive).
    """
    p = layout.prefix
    root = _start_tag(
        "svg", xmlns="http://www.w3.org/2000/svg", width=layout.width, height=layout.height,
        viewBox=f"0 0 {layout.width} {layout.height}", role="group" if linked else "img", aria_labelledby=f"{p}-title {p}-desc",
        font_family=FONT_FAMILY, class_="sitrep-map",
        # Shrinks to narrow pages in browsers and WeasyPrint alike, keeping the aspect ratio.
        style=f"width:100%;max-width:{layout.width}px;height:auto",
    ) + ">"
    head = _el(
        "marker", _el("path", d="M0 0L10 5L0 10L2.5 5z", fill=INK), id=f"{p}-arrowhead",
        viewBox="0 0 10 10", refX=7, refY=5, markerWidth=10, markerHeight=10,
        markerUnits="userSpaceOnUse", orient="auto",
    )
    return "\n".join([
        root,
        _el("title", _text(title), id=f"{p}-title"),
        _el("desc", _text(desc), id=f"{p}-desc"),
        _el("defs", head),
        _el("rect", x=0, y=0, width=layout.map_w, height=layout.height, fill=SEA),
    ])


# ---------------------------------------------------------------------- countries


class _Backdrop:
    """The countries seen in one frame and the spots where their names fit, each worked out once."""

    def __init__(self, projection: _Projection, frame: _Box) -> None:
        self.frame = frame
        self.shapes = _country_shapes(projection, frame)
        self._spots: dict[tuple[str, _Style], _Spots] = {}

    def name_spots(self, shape: _Shape, style: _Style) -> Iterable[_Label]:
        """Return the labels of a country's name that fit inside its shape and the frame, best first."""
        key = (shape.country.info.alpha3, style)
        if key not in self._spots:
            self._spots[key] = _Spots(_name_spots(shape, style, self.frame.grown(-2.0)))
        return self._spots[key]


class _Spots:
    """A sequence read from an iterator only as far as it is asked for, and kept for the next reader."""

    def __init__(self, source: Iterator[_Label]) -> None:
        self._source = source
        self._found: list[_Label] = []

    def __iter__(self) -> Iterator[_Label]:
        """Yield the items found so far, then go on finding more."""
        index = 0
        while True:
            if index == len(self._found):
                found = next(self._source, None)
                if found is None:
                    return
                self._found.append(found)
            yield self._found[index]
            index += 1


@lru_cache(maxsize=64)
def _backdrop(projection: _Projection, map_w: float, height: int) -> _Backdrop:
    """Return the countries of a frame, shared by the maps with the same frame.

    A frame depends only on what a map shows, so the place pages of a country mostly share one.
    """
    return _Backdrop(projection, _Box(0.0, 0.0, map_w, float(height)))


def _country_shapes(projection: _Projection, frame: _Box) -> list[_Shape]:
    """Project, cull and clip every country that shows in the frame."""
    window = projection.window(frame.x1, frame.y1)
    shapes = []
    for country in _world().values():
        rings = _visible_rings(country, projection, frame, window)
        if rings:
            shapes.append(_shape(country, rings))
    return shapes


def _shape(country: _Country, rings: Sequence[tuple[XY, ...]]) -> _Shape:
    """Return a country's visible rings with its largest one, where the name goes."""
    main = max(rings, key=_area)
    xs, ys = [p[0] for p in main], [p[1] for p in main]
    bounds = _Box(min(xs), min(ys), max(xs), max(ys))
    return _Shape(country, tuple(rings), main, _area(main), bounds, "".join(_path(r) for r in rings))


def _visible_rings(
    country: _Country, projection: _Projection, frame: _Box, window: BBox
) -> list[tuple[XY, ...]]:
    """Return a country's rings projected and clipped to the frame."""
    rings = []
    for polygon in country.polygons:
        for ring in polygon:
            # Shift a whole ring by 360° so it sits on the side nearest the centre.
            shift = 360.0 * round(((ring.bbox[0] + ring.bbox[2]) / 2 - projection.lon0) / 360.0)
            shifted = (ring.bbox[0] - shift, ring.bbox[1], ring.bbox[2] - shift, ring.bbox[3])
            if not _bbox_near(window, shifted, 0.0):
                continue
            clipped = _clip_ring(projection.xy_ring(ring.points, shift), frame)
            thinned = _thin(clipped) if len(clipped) >= 3 else []
            if len(thinned) >= 3 and _area(thinned) >= 0.5:
                rings.append(tuple(thinned))
    return rings


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


def _place_country_labels(backdrop: _Backdrop, focus_codes: set[str], placer: _Placer) -> None:
    """Name the focus countries, then the larger neighbours where room is left."""
    ordered = sorted(backdrop.shapes, key=lambda s: (s.country.info.alpha3 not in focus_codes, -s.main_area,
                                                     s.country.info.alpha3))
    for shape in ordered:
        focus = shape.country.info.alpha3 in focus_codes
        sizes = COUNTRY_SIZES if focus else (NEIGHBOUR_SIZE,)
        fill = FOCUS_NAME_INK if focus else NEIGHBOUR_NAME_INK
        for size in sizes:
            style = _Style(size, "country", bold=focus, fill=fill, halo=False)
            if placer.place_first_clear(backdrop.name_spots(shape, style)):
                break


def _name_spots(shape: _Shape, style: _Style, frame: _Box) -> Iterator[_Label]:
    """Yield the labels of a country's name centred on each candidate that fit its shape and the frame."""
    text = shape.country.info.name.upper()
    for at in _label_candidates(shape.main):
        label = _slot_label(text, at, (0, 0), 0.0, style)
        if label.box.grown(1.0).within(frame) and _box_in_polygon(label.box, shape.main, shape.main_bounds):
            yield label


def _label_candidates(ring: Sequence[XY], steps: int = 14) -> list[XY]:
    """Return the ring's centre, then grid points over its box, nearest the centre first."""
    xs, ys = [p[0] for p in ring], [p[1] for p in ring]
    cx, cy = _centroid(ring)
    left, width = min(xs), max(xs) - min(xs)  # once, not for each of the steps² points: rings are long
    bottom, height = min(ys), max(ys) - min(ys)
    grid = [
        (left + width * (i + 0.5) / steps, bottom + height * (j + 0.5) / steps)
        for i in range(steps)
        for j in range(steps)
    ]
    return [(cx, cy)] + sorted(grid, key=lambda p: (round((p[0] - cx) ** 2 + (p[1] - cy) ** 2, 3), p))


# ------------------------------------------------------------------------ points


def _symbols_svg(layout: _Layout, points: Sequence[MapPoint], placer: _Placer) -> str:
    """Return place symbols, then incident markers on top, registering them as obstacles."""
    places = [p for p in points if _role(p.kind) in ("base", "place")]
    incidents = [p for p in points if p.kind == "incident"]
    rows = [_place_symbol(layout, p, placer) for p in places]
    rows += [_incident_marker(layout, p, placer) for p in incidents]
    return _el("g", "\n" + "\n".join(rows) + "\n", class_="points") if rows else ""


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
    """Return an incident marker whose shape and colour encode its event type."""
    x, y = layout.projection.point_xy(point.lat, point.lon)
    _, colour, shape = _event_style(point.category)
    box = _square(x, y, _symbol_radius("incident"))
    placer.block(box.grown(0.5))
    body = _el(
        "path", d=_shape_path(shape, x, y, MARKER_SIZE), fill=colour, stroke=INK, stroke_width=0.9,
        stroke_linejoin="round",
    )
    return _linked(point.href, _point_group(point, box, body))


def _point_group(point: MapPoint, box: _Box, body: str) -> str:
    """Wrap a symbol in a group carrying its tooltip and data attributes."""
    is_event = point.kind == "incident" and point.category
    tooltip = f"{point.label} — {point.category}" if is_event else point.label
    return _el(
        "g", _el("title", _text(tooltip)) + body, class_=_role(point.kind), data_id=point.id,
        data_kind=point.kind, data_category=point.category, data_box=box.attr(),
    )


def _linked(href: str | None, inner: str) -> str:
    """Wrap content in a link when a safe href is given."""
    safe = _safe_href(href)
    return _el("a", inner, href=safe) if safe else inner


def _place_point_labels(layout: _Layout, points: Sequence[MapPoint], placer: _Placer) -> None:
    """Place point labels by priority, skipping a repeat of the same name at the same spot."""
    ordered = sorted(enumerate(points), key=lambda item: (ROLE_PRIORITY[_role(item[1].kind)], item[0]))
    seen: list[tuple[str, XY]] = []
    for _, point in ordered:
        text = _shorten(point.label)
        at = layout.projection.point_xy(point.lat, point.lon)
        if not text or any(t == text and math.dist(at, spot) < 12 for t, spot in seen):
            continue
        seen.append((text, at))
        role = _role(point.kind)
        style = _point_style(role, point.href)
        placer.place_at(text, at, _symbol_radius(role), style, centre_first=role == "area")


def _point_style(role: str, href: str | None) -> _Style:
    """Return the typographic style of a point label by role."""
    if role == "area":
        return _Style(LABEL_SIZE + 0.5, role, italic=True, fill=AREA_INK, href=_safe_href(href))
    return _Style(LABEL_SIZE, role, bold=role == "incident", href=_safe_href(href))


# ------------------------------------------------------------------------ arrows


def _arrow_curve(layout: _Layout, arrow: MapArrow) -> tuple[XY, XY, XY]:
    """Return start, control and end points of an arrow's gentle curve."""
    sx, sy = layout.projection.point_xy(*arrow.start)
    ex, ey = layout.projection.point_xy(*arrow.end)
    length = math.hypot(ex - sx, ey - sy)
    # Bow to the left of travel by 15% of the length, so it reads as a trajectory.
    control = ((sx + ex) / 2 + (ey - sy) * 0.15, (sy + ey) / 2 - (ex - sx) * 0.15)
    start = _toward((sx, sy), control, min(3.0, length / 4))
    # Stop short of the target so the arrowhead does not hide its symbol.
    end = _toward((ex, ey), control, min(MARKER_SIZE + 3.0, length / 3))
    return start, control, end


def _toward(a: XY, b: XY, distance: float) -> XY:
    """Return the point distance pixels from a towards b."""
    length = math.dist(a, b) or 1.0
    return (a[0] + (b[0] - a[0]) / length * distance, a[1] + (b[1] - a[1]) / length * distance)


def _quad(p0: XY, p1: XY, p2: XY, t: float) -> XY:
    """Evaluate a quadratic Bézier curve at t."""
    u = 1 - t
    return (
        u * u * p0[0] + 2 * u * t * p1[0] + t * t * p2[0],
        u * u * p0[1] + 2 * u * t * p1[1] + t * t * p2[1],
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
        body = "".join([
            _el("title", _text(arrow.label or "Launch point to target")),
            _el("path", d=d, fill="none", stroke=HALO, stroke_width=4, stroke_opacity=0.85,
                stroke_linecap="round"),
            _el("path", d=d, fill="none", stroke=INK, stroke_width=1.8, stroke_linecap="round",
                marker_end=f"url(#{layout.prefix}-arrowhead)"),
            _el("path", d=_shape_path("circle", *launch, 2.4), fill=HALO, stroke=INK, stroke_width=1.2),
        ])
        rows.append(_linked(arrow.href, _el("g", body, class_="arrow", data_arrow=index)))
    return _el("g", "\n" + "\n".join(rows) + "\n", class_="arrows") if rows else ""


def _place_arrow_labels(layout: _Layout, arrows: Sequence[MapArrow], placer: _Placer) -> None:
    """Label arrows long enough to carry a label, beside the curve's midpoint."""
    for arrow in arrows:
        text = _shorten(arrow.label)
        p0, p1, p2 = _arrow_curve(layout, arrow)
        if text and math.dist(p0, p2) >= MIN_LABELLED_ARROW:
            style = _Style(LABEL_SIZE - 1, "arrow", italic=True, href=_safe_href(arrow.href))
            placer.place_at(text, _quad(p0, p1, p2, 0.5), 3.0, style)


# ------------------------------------------------------------------------ labels


def _labels_svg(labels: Sequence[_Label]) -> str:
    """Return placed labels, each over a white halo so it reads on any background."""
    rows = []
    for label in labels:
        style = label.style
        font = {
            "font_size": style.size,
            "font_weight": "bold" if style.bold else None,
            "font_style": "italic" if style.italic else None,
        }
        where = {"x": label.x, "y": label.baseline, "text_anchor": label.anchor}
        parts = []
        if label.leader:
            leader = _path(label.leader, closed=False)
            parts.append(_el("path", d=leader, stroke=INK, stroke_width=0.7, fill="none"))
        if style.halo:
            # A stroked copy underneath: WeasyPrint does not support paint-order.
            parts.append(_el("text", _text(label.text), **where, **font, fill=HALO, stroke=HALO,
                             stroke_width=3, stroke_linejoin="round", aria_hidden="true"))
        parts.append(_el("text", _text(label.text), **where, **font, fill=style.fill,
                         data_label_box=label.box.attr(), data_kind=style.kind))
        rows.append(_linked(style.href, "".join(parts)))
    return _el("g", "\n" + "\n".join(rows) + "\n", class_="labels") if rows else ""


# ------------------------------------------------------------- legend and scale


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


# ------------------------------------------------------------------ description


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
