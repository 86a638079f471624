"""Country borders from the bundled Natural Earth data, and position tests against them.

Borders and coastlines come from ``sitrep/data/world.json.gz`` (Natural Earth
1:50m, public domain, via the npm package world-atlas 2.0.2; see
``sitrep/data/README.md``). Nothing is fetched at build or view time.
"""

from __future__ import annotations

import gzip
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .svg import XY


DATA_FILE = Path(__file__).parent.parent / "data" / "world.json.gz"
EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE = EARTH_RADIUS_KM * math.pi / 180

LonLat = tuple[float, float]
BBox = tuple[float, float, float, float]


@dataclass(frozen=True)
class CountryInfo:
    """Identity and extent of one country in the bundled border data."""

    alpha3: str
    numeric: int  # ISO 3166-1 numeric; 0 for areas without one (Kosovo is XKX)
    name: str  # Natural Earth's short name, e.g. "Syria"
    bbox: BBox  # min_lon, min_lat, max_lon, max_lat, within -180..180


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


def _entries() -> list[dict[str, Any]]:
    """Return the countries of the bundled border data, as stored."""
    return json.loads(gzip.decompress(DATA_FILE.read_bytes()))["countries"]  # type: ignore[no-any-return]


def _info(entry: dict[str, Any]) -> CountryInfo:
    bbox = tuple(float(v) for v in entry["bbox"])
    return CountryInfo(entry["a3"], int(entry["id"]), entry["name"], bbox)  # type: ignore[arg-type]


@lru_cache(maxsize=1)
def _world() -> dict[str, _Country]:
    """Load the bundled country borders once, keyed by ISO alpha-3."""
    world: dict[str, _Country] = {}
    for entry in _entries():
        info = _infos().get(entry["a3"]) or _info(entry)
        polygons = tuple(tuple(_make_ring(ring) for ring in poly) for poly in entry["polygons"])
        world[info.alpha3] = _Country(info, polygons)
    return world


@lru_cache(maxsize=1)
def _infos() -> dict[str, CountryInfo]:
    """Load the countries' names and extents once, without their borders (most pages only name countries)."""
    return {info.alpha3: info for info in map(_info, _entries())}


def _country(alpha3: str) -> _Country | None:
    """Return the bundled country for an alpha-3 code, if any."""
    return _world().get(alpha3.strip().upper()) if isinstance(alpha3, str) else None


def country_info(alpha3: str) -> CountryInfo | None:
    """Return the identity and bounding box of a country by ISO alpha-3 code."""
    return _infos().get(alpha3.strip().upper()) if isinstance(alpha3, str) else None


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
