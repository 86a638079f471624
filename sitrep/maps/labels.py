"""Place labels greedily so they keep off each other, off the symbols and inside the frame.

Labels are placed in turn (incidents, then bases, places, areas, arrows and
country names), each trying eight slots around its symbol and then eight more
with a leader line; a label that fits nowhere is left out of the picture but
stays in the tooltip and in the text alternative.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from .frame import (
    MapArrow, MapPoint, _arrow_curve, _Box, _centroid, _country_shapes, _Layout, _Projection, _quad, _Shape,
)
from .style import (
    AREA_INK, COUNTRY_SIZES, FOCUS_NAME_INK, HALO, INK, LABEL_SIZE, NEIGHBOUR_NAME_INK, NEIGHBOUR_SIZE,
    ROLE_PRIORITY, _role, _symbol_radius,
)
from .svg import XY, _el, _linked, _path, _safe_href, _shorten, _text, _text_width


MIN_LABELLED_ARROW = 60.0


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


def _place_point_labels(layout: _Layout, points: Sequence[MapPoint], placer: _Placer) -> None:
    """Place point labels by priority, skipping a repeat of the same name at the same spot."""
    ordered = sorted(enumerate(points),
                     key=lambda item: (ROLE_PRIORITY[_role(item[1].kind)], item[1].reference, item[0]))
    seen: list[tuple[str, XY]] = []
    for _, point in ordered:
        text = _shorten(point.label)
        at = layout.projection.point_xy(point.lat, point.lon)
        if not text or any(t == text and math.dist(at, spot) < 12 for t, spot in seen):
            continue
        seen.append((text, at))
        role = _role(point.kind)
        style = _point_style(role, point.href, point.reference)
        # A hatched area's name goes on it first, as an area's does; where an arrow or a symbol is there, beside
        # it, clear of its edge, rather than half across it.
        radius = layout.region_radius if point.is_region else _symbol_radius(role)
        placer.place_at(text, at, radius, style, centre_first=role == "area" or point.is_region)


def _point_style(role: str, href: str | None, reference: bool = False) -> _Style:
    """Return the typographic style of a point label by role; an earlier incident's is not bold."""
    if role == "area":
        return _Style(LABEL_SIZE + 0.5, role, italic=True, fill=AREA_INK, href=_safe_href(href))
    return _Style(LABEL_SIZE, role, bold=role == "incident" and not reference, href=_safe_href(href))


def _place_arrow_labels(layout: _Layout, arrows: Sequence[MapArrow], placer: _Placer) -> None:
    """Label arrows long enough to carry a label, beside the curve's midpoint."""
    for arrow in arrows:
        text = _shorten(arrow.label)
        p0, p1, p2 = _arrow_curve(layout, arrow)
        if text and math.dist(p0, p2) >= MIN_LABELLED_ARROW:
            style = _Style(LABEL_SIZE - 1, "arrow", italic=True, href=_safe_href(arrow.href))
            placer.place_at(text, _quad(p0, p1, p2, 0.5), 3.0, style)


def _labels_svg(labels: Sequence[_Label], kind: str = "labels") -> str:
    """Return placed labels, each over a white halo so it reads on any background; kind is the group's class."""
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
    return _el("g", "\n" + "\n".join(rows) + "\n", class_=kind) if rows else ""


#: The radius and type size of a label's number, in map units: a 530-unit map drawn 390 px wide on a phone
#: shows them 14 px across, their digits about 10 px high, where a 10-unit label would be 7 px.
NUMBER_RADIUS = 9.5
NUMBER_SIZE = 14.0


def _numbers_svg(labels: Sequence[_Label]) -> str:
    """Return a numbered disc where each label is, for a phone, which shows the numbers and lists the words below.

    site.css hides them on wider screens, and the labels on a phone.
    """
    rows = []
    for number, label in enumerate(labels, start=1):
        box = label.box
        middle = (box.y0 + box.y1) / 2
        x = {"start": box.x0 + NUMBER_RADIUS, "end": box.x1 - NUMBER_RADIUS}.get(label.anchor, (box.x0 + box.x1) / 2)
        disc = _el("circle", cx=x, cy=middle, r=NUMBER_RADIUS, fill=INK, stroke=HALO, stroke_width=1.5)
        digits = _el("text", str(number), x=x, y=middle + NUMBER_SIZE * 0.36, text_anchor="middle",
                     font_size=NUMBER_SIZE, font_weight="bold", fill=HALO)
        rows.append(_linked(label.style.href, _el("g", disc + digits, data_number=number)))
    return _el("g", "\n" + "\n".join(rows) + "\n", class_="label-numbers", aria_hidden="true") if rows else ""


def _numbers_html(labels: Sequence[_Label], prefix: str) -> str:
    """Return the words of the numbered labels as an HTML list, for a phone (site.css shows it there only)."""
    items = []
    for number, label in enumerate(labels, start=1):
        linked = _linked(label.style.href, _text(label.text))
        items.append(f'<li><span class="map-number" aria-hidden="true">{number}</span> {linked}</li>')
    if not items:
        return ""
    return f'<ol class="map-places" id="{prefix}-places">\n' + "\n".join(items) + "\n</ol>"
