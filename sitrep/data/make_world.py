"""Build ``sitrep/data/world.json.gz`` from the Natural Earth 1:50m country borders.

Source and licence: Natural Earth admin-0 countries (public domain,
https://www.naturalearthdata.com/about/terms-of-use/), as packaged in TopoJSON by
the npm package ``world-atlas`` 2.0.2 (ISC licence for the packaging).

Run once by a developer whenever the data should be refreshed; the output is
committed so that neither npm nor the network is needed at build or view time::

    mkdir -p /tmp/wa && cd /tmp/wa && npm install world-atlas@2.0.2
    pip install pycountry          # used by this script only, never at runtime
    python sitrep/data/make_world.py /tmp/wa/node_modules/world-atlas/countries-50m.json

The script decodes the TopoJSON (quantised, delta-encoded arcs), simplifies each
shared arc once (so neighbouring borders stay identical), rounds coordinates to
3 decimals (about 100 m) and writes, per country: ISO 3166 numeric code, ISO
alpha-3 code, Natural Earth short name, bounding box and polygons as lon/lat rings.
"""

from __future__ import annotations

import argparse
import gzip
import json
from pathlib import Path
from typing import Any

import pycountry

OUTPUT = Path(__file__).with_name("world.json.gz")
# Degrees; ~1 km, well below one pixel on the regional maps sitrep draws.
SIMPLIFY_TOLERANCE = 0.01
DECIMALS = 3
SOURCE = "Natural Earth 1:50m admin-0 countries via npm world-atlas 2.0.2 (countries-50m.json)"
LICENCE = "Public domain (Natural Earth terms of use)"
FORMAT = (
    "countries[]: a3 = ISO 3166-1 alpha-3, id = ISO 3166-1 numeric (0 = none), name, "
    "bbox = [min_lon, min_lat, max_lon, max_lat] within -180..180, polygons = [[ring, hole, ...], ...] "
    "with each ring a flat [lon, lat, lon, lat, ...] list in degrees (WGS 84); rings crossing the "
    "antimeridian are continuous and run past 180 or -180"
)

# Natural Earth areas without an ISO 3166 numeric code. Kosovo uses the
# widely used user-assigned XKX; the others keep Natural Earth's ADM0_A3 code.
NO_ISO_CODE = {
    "Kosovo": "XKX",
    "Somaliland": "SOL",
    "N. Cyprus": "CYN",
    "Indian Ocean Ter.": "IOA",
    "Siachen Glacier": "KAS",
}

Ring = list[tuple[float, float]]


def decode_arcs(topology: dict[str, Any]) -> list[Ring]:
    """Decode quantised, delta-encoded TopoJSON arcs to lon/lat polylines."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs: list[Ring] = []
    for arc in topology["arcs"]:
        x = y = 0
        line: Ring = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            line.append((x * sx + tx, y * sy + ty))
        arcs.append(line)
    return arcs


def simplify(line: Ring, tolerance: float) -> Ring:
    """Simplify a polyline with Douglas–Peucker, keeping both end points."""
    if len(line) < 3:
        return line
    keep = [False] * len(line)
    keep[0] = keep[-1] = True
    stack = [(0, len(line) - 1)]
    while stack:
        first, last = stack.pop()
        index, worst = _farthest(line, first, last)
        if worst > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, k in zip(line, keep, strict=True) if k]


def _farthest(line: Ring, first: int, last: int) -> tuple[int, float]:
    """Return the index and distance of the point farthest from the chord."""
    (x1, y1), (x2, y2) = line[first], line[last]
    dx, dy = x2 - x1, y2 - y1
    norm = (dx * dx + dy * dy) ** 0.5
    best, worst = first, -1.0
    for i in range(first + 1, last):
        px, py = line[i]
        if norm == 0:
            d = ((px - x1) ** 2 + (py - y1) ** 2) ** 0.5
        else:
            d = abs(dy * px - dx * py + x2 * y1 - y2 * x1) / norm
        if d > worst:
            best, worst = i, d
    return best, worst


def build_ring(indexes: list[int], arcs: list[Ring]) -> Ring:
    """Join arcs (negative index = reversed arc ~i) into one closed ring."""
    ring: Ring = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        ring.extend(arc if not ring else arc[1:])
    return ring


def unwrap_ring(ring: Ring) -> Ring | None:
    """Make a ring's longitudes continuous across the antimeridian; None if degenerate.

    world-atlas rings may jump from 180 to -180 (Russia's Chukotka, Fiji,
    Antarctica) because d3 cuts them at draw time. A planar renderer needs
    continuous rings: ones crossing the antimeridian run past ±180, and the
    ring that circles the South Pole is closed along the pole itself.
    """
    offset, previous = 0.0, ring[0][0]
    unwrapped: Ring = []
    for lon, lat in ring:
        if lon - previous > 180:
            offset -= 360
        elif previous - lon > 180:
            offset += 360
        previous = lon
        unwrapped.append((lon + offset, lat))
    if abs(unwrapped[-1][0] - unwrapped[0][0]) > 180:  # the ring circles a pole
        if all(abs(lat) > 89.9 for _, lat in unwrapped):
            return None  # d3's polar cap edge: no area of its own in a planar drawing
        pole = -90.0 if sum(lat for _, lat in unwrapped) < 0 else 90.0
        unwrapped += [(unwrapped[-1][0], pole), (unwrapped[0][0], pole), unwrapped[0]]
    centre = (min(p[0] for p in unwrapped) + max(p[0] for p in unwrapped)) / 2
    shift = -360.0 * round(centre / 360.0)
    return [(lon + shift, lat) for lon, lat in unwrapped]


def round_ring(ring: Ring) -> list[float]:
    """Round a ring and flatten it to [lon, lat, lon, lat, ...] without repeats."""
    flat: list[float] = []
    previous = None
    for lon, lat in ring:
        point = (round(lon, DECIMALS), round(lat, DECIMALS))
        if point != previous:
            flat.extend(point)
            previous = point
    return flat


def planar_ring(ring: Ring) -> list[float] | None:
    """Return a ring unwrapped, rounded and flattened, or None if it has no area."""
    unwrapped = unwrap_ring(ring)
    return round_ring(unwrapped) if unwrapped else None


def geometry_polygons(geometry: dict[str, Any], arcs: list[Ring], raw: list[Ring]) -> list[list[list[float]]]:
    """Return a geometry's polygons as lists of flat rounded rings."""
    kind = geometry["type"]
    polygons = [geometry["arcs"]] if kind == "Polygon" else geometry["arcs"] if kind == "MultiPolygon" else []
    result = []
    for polygon in polygons:
        rings = []
        for ring_arcs in polygon:
            ring = planar_ring(build_ring(ring_arcs, arcs))
            # A small island that simplification collapsed keeps its full outline.
            if ring is not None and len(ring) < 8:
                ring = planar_ring(build_ring(ring_arcs, raw))
            if ring is not None and len(ring) >= 8:
                rings.append(ring)
        if rings:
            result.append(rings)
    return result


def _normal(lon: float) -> float:
    """Return a longitude within -180..180."""
    return (lon + 180) % 360 - 180 if abs(lon) > 180 else lon


def bbox(polygons: list[list[list[float]]]) -> list[float]:
    """Return [min_lon, min_lat, max_lon, max_lat] of the polygons, within ±180°."""
    lons = [_normal(v) for poly in polygons for ring in poly for v in ring[0::2]]
    lats = [v for poly in polygons for ring in poly for v in ring[1::2]]
    return [min(lons), min(lats), max(lons), max(lats)]


def identify(geometry: dict[str, Any]) -> tuple[int, str, str]:
    """Return (numeric, alpha-3, name) for a TopoJSON country geometry."""
    name = geometry["properties"]["name"]
    if geometry.get("id") is None:
        return 0, NO_ISO_CODE[name], name
    country = pycountry.countries.get(numeric=geometry["id"])
    if country is None:
        raise SystemExit(f"no ISO 3166 entry for numeric code {geometry['id']} ({name})")
    return int(geometry["id"]), country.alpha_3, name


def _size(polygons: list[list[list[float]]]) -> int:
    """Return the number of coordinates in some polygons, a proxy for their extent."""
    return sum(len(ring) for poly in polygons for ring in poly)


def build(topology: dict[str, Any]) -> dict[str, Any]:
    """Return the compact world document for a world-atlas countries topology."""
    raw = decode_arcs(topology)
    arcs = [simplify(arc, SIMPLIFY_TOLERANCE) for arc in raw]
    countries: dict[str, dict[str, Any]] = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        numeric, alpha3, name = identify(geometry)
        polygons = geometry_polygons(geometry, arcs, raw)
        if not polygons:
            continue
        if alpha3 in countries:  # Ashmore and Cartier Is. share Australia's code 036
            merged = countries[alpha3]
            if _size(polygons) > _size(merged["polygons"]):
                merged["name"] = name  # named after the main territory, whatever the file order
            merged["polygons"].extend(polygons)
            continue
        countries[alpha3] = {"a3": alpha3, "id": numeric, "name": name, "polygons": polygons}
    for country in countries.values():
        country["bbox"] = bbox(country["polygons"])
    ordered = [countries[key] for key in sorted(countries)]
    return {"source": SOURCE, "licence": LICENCE, "format": FORMAT, "countries": ordered}


def main() -> None:
    """Convert the given world-atlas file and write the committed data file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("countries_json", type=Path, help="node_modules/world-atlas/countries-50m.json")
    parser.add_argument("-o", "--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    document = build(json.loads(args.countries_json.read_text(encoding="utf-8")))
    text = json.dumps(document, separators=(",", ":"), ensure_ascii=False, sort_keys=True)
    # mtime=0 keeps the gzip bytes reproducible between runs.
    args.output.write_bytes(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0))
    print(f"{args.output}: {len(document['countries'])} countries, {args.output.stat().st_size} bytes")


if __name__ == "__main__":
    main()
