"""Frame a map: choose the area shown, project it to pixels and clip the countries to it.

Projection: equirectangular with its standard parallel at the frame's middle
latitude (x = R·Δλ·cos φ0, y = R·φ). For the regional extent of a brief (a few
hundred to a few thousand km) it keeps north straight up everywhere, makes the
frame a plain lon/lat rectangle to cull and clip against, and has true scale
along φ0 and along every meridian, which is what the scale bar shows. Frames
that straddle the antimeridian are not supported.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .style import MARKER_SIZE
from .svg import XY, _num, _path
from .world import KM_PER_DEGREE, BBox, LonLat, _bbox_near, _core_bbox, _Country, _country, _world, _wrap


MARGIN = 28.0
MIN_SPAN_DEG = 0.6
# The hatched area of a place known only to its region: the order of size of a district or of part of a
# province (ACLED geo_precision 3 gives the region's centre or capital), drawn at least MIN_REGION_PX across.
REGION_RADIUS_KM = 40.0
MIN_REGION_PX = 9.0
#: How far across its hatched area, from the centre away from the target, an arrow from a region starts
#: (1 is the area's edge; a little inside it, so that the tail stays within the dashed line).
REGION_ARROW_TAIL = 0.9


@dataclass(frozen=True)
class MapPoint:
    """A place or incident to draw on the map."""

    id: str
    label: str
    lat: float | None  # None, with lon, for an area whose coordinates were never published
    lon: float | None
    kind: str  # "incident", "base", "town", "region", ... (incidents are markers; others labelled places)
    category: str = ""  # for incidents: the ACLED event_type
    href: str | None = None  # link target (relative URL) or None
    # "point": the place itself or near it (ACLED geo_precision 1 or 2); "region": only the region around
    # these coordinates is known (geo_precision 3), drawn as a hatched area, never as a point symbol.
    precision: str = "point"
    reference: bool = False  # an incident before the period shown, which the text refers to
    # For a place without coordinates that is a whole country (ISO alpha-3): the country is hatched.
    whole_country: str = ""

    @property
    def is_region(self) -> bool:
        """Tell whether only the region of this place is known (always so without coordinates)."""
        return self.precision == "region" or self.lat is None or self.lon is None


@dataclass(frozen=True)
class MapArrow:
    """A launch-to-target arrow between two (lat, lon) positions."""

    start: tuple[float, float]
    end: tuple[float, float]
    href: str | None = None
    label: str = ""
    from_region: bool = False  # launched from somewhere in a region, not from a known spot


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
    for point in (p for p in points if p.is_region):  # the whole hatched area, not only its centre
        dlat = REGION_RADIUS_KM / KM_PER_DEGREE
        dlon = dlat / max(math.cos(math.radians(point.lat)), 0.1)
        lons += [point.lon - dlon, point.lon + dlon]
        lats += [point.lat - dlat, point.lat + dlat]
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

    @property
    def region_radius(self) -> float:
        """Return the radius in pixels of the hatched area of a place known only to its region."""
        return max(REGION_RADIUS_KM * self.projection.px_per_km, MIN_REGION_PX)


@dataclass(frozen=True)
class _Shape:
    """A country projected and clipped to one frame, ready to draw."""

    country: _Country
    rings: tuple[tuple[XY, ...], ...]
    main: tuple[XY, ...]  # the largest visible ring, where the name goes
    main_area: float
    main_bounds: _Box
    path: str  # every ring as path data


@dataclass(frozen=True)
class _Drawn:
    """What a map shows: points at their coordinates, countries hatched whole, and places it cannot draw."""

    points: list[MapPoint]  # with valid coordinates
    countries: list[tuple[MapPoint, _Country]]  # without coordinates, standing for a whole country
    unplaced: list[MapPoint]  # without coordinates and smaller than a country: named, never drawn
    arrows: list[MapArrow]

    @property
    def marks(self) -> list[MapPoint]:
        """Return every point drawn, at coordinates or as a hatched country."""
        return self.points + [point for point, _ in self.countries]


def _sort_out(points: Sequence[MapPoint], arrows: Sequence[MapArrow]) -> _Drawn:
    """Sort points into those drawn at coordinates, whole countries and unplaced areas; drop invalid ones."""
    located, countries, unplaced = [], [], []
    for point in points:
        if point.lat is None or point.lon is None:
            country = _country(point.whole_country)
            if country:
                countries.append((point, country))
            else:
                unplaced.append(point)
        elif _valid(point.lat, point.lon):
            located.append(point)
    return _Drawn(located, countries, unplaced, [a for a in arrows if _valid(*a.start) and _valid(*a.end)])


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


def _arrow_curve(layout: _Layout, arrow: MapArrow) -> tuple[XY, XY, XY]:
    """Return start, control and end points of an arrow's gentle curve."""
    sx, sy = layout.projection.point_xy(*arrow.start)
    ex, ey = layout.projection.point_xy(*arrow.end)
    if arrow.from_region:
        # Start on the hatched area's far side from the target, so that the shaft crosses the whole area:
        # from its centre, a launch some 60 km away (northern Nineveh to Kharab al-Jir) was a stub hidden
        # under the target's marker.
        sx, sy = _toward((sx, sy), (ex, ey), -REGION_ARROW_TAIL * layout.region_radius)
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
