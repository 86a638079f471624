"""Render accessible, deterministic SVG charts for situation briefs.

Charts are drawn with matplotlib's SVG backend on a standalone ``Figure``
(never pyplot), so no global figure state is shared between processes, and
are returned as SVG markup ready to be inlined in HTML and rendered by
WeasyPrint.
"""

from __future__ import annotations

import functools
import itertools
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from io import BytesIO

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path
from matplotlib.ticker import FuncFormatter, MaxNLocator

__all__ = [
    "EVENT_COLOURS",
    "EVENT_TYPES",
    "Range",
    "WeekAxis",
    "casualties_per_week_chart",
    "incidents_per_week_chart",
]

# ACLED event types in the order they are stacked and listed in legends.
EVENT_TYPES: tuple[str, ...] = (
    "Battles",
    "Explosions/Remote violence",
    "Violence against civilians",
    "Protests",
    "Riots",
    "Strategic developments",
)

# Okabe-Ito colours; yellow is left out because it vanishes on white paper.
EVENT_COLOURS: Mapping[str, str] = {
    "Battles": "#D55E00",
    "Explosions/Remote violence": "#E69F00",
    "Violence against civilians": "#CC79A7",
    "Protests": "#0072B2",
    "Riots": "#56B4E9",
    "Strategic developments": "#009E73",
}

# Hatching repeats the colour coding for greyscale prints and colour-blind readers.
EVENT_HATCHES: Mapping[str, str] = {
    "Battles": "",
    "Explosions/Remote violence": "////",
    "Violence against civilians": "\\\\\\\\",
    "Protests": "",
    "Riots": "....",
    "Strategic developments": "xxx",
}

KILLED_COLOUR = "#D55E00"
WOUNDED_COLOUR = "#0072B2"

X_LABEL = "Week beginning (Saturday)"
SATURDAY = 5

_TEXT = "#222222"
_MUTED = "#555555"
_FAINT = "#767676"
_GRID = "#e3e3e3"
_AXIS = "#9a9a9a"

# The figure is sized in points at 72 dpi so the SVG viewBox is 680 x 300.
_WIDTH = 680.0
_HEIGHT = 300.0
_MARGIN_LEFT = 56.0
_MARGIN_RIGHT = 14.0
_MARGIN_BOTTOM = 68.0
_TITLE_HEIGHT = 36.0
_LEGEND_ROW = 19.0
_MAX_TICK_LABELS = 9
_STACK_WIDTH = 0.8
_GROUP_WIDTH = 0.38
_RANGE_HATCH = "//////"
_MIN_SLOTS = 6
_MAX_TITLE_CHARS = 84
_TICK_STEPS = (1, 2, 4, 8, 13, 26, 52, 104, 208, 520)
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun",
           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

_SVG_NS = "http://www.w3.org/2000/svg"
_XLINK_NS = "http://www.w3.org/1999/xlink"
_XLINK_HREF = f"{{{_XLINK_NS}}}href"

_ID_PREFIX_RE = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")
_XML_INVALID_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_URL_REF_RE = re.compile(r"url\(#([^)]+)\)")
_SUBPATH_RE = re.compile(r"M[^M]*")
# gids we set are "<kind>-<series>-<index>"; the kind becomes a CSS class.
_GID_KIND_RE = re.compile(r"(bar|range|open-marker|unknown-marker)-")

_RC = {
    "svg.fonttype": "none",
    "svg.hashsalt": "sitrep-charts",
    "svg.id": None,
    "font.family": ["sans-serif"],
    "font.sans-serif": ["Noto Sans", "DejaVu Sans"],
    "font.size": 11.0,
    "text.color": _TEXT,
    "axes.labelcolor": _MUTED,
    "axes.labelsize": 11.0,
    "axes.labelpad": 6.0,
    "axes.edgecolor": _AXIS,
    "axes.linewidth": 0.8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.spines.left": False,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "axes.axisbelow": True,
    "grid.color": _GRID,
    "grid.linewidth": 0.7,
    "xtick.color": _AXIS,
    "xtick.labelcolor": _MUTED,
    "xtick.labelsize": 10.5,
    "xtick.major.size": 3.0,
    "xtick.major.width": 0.8,
    "ytick.labelcolor": _MUTED,
    "ytick.labelsize": 10.5,
    "ytick.left": False,
    "ytick.major.pad": 4.0,
    "hatch.linewidth": 0.6,
    "legend.frameon": False,
    "legend.fontsize": 10.5,
    "legend.handlelength": 1.3,
    "legend.handleheight": 0.9,
    "legend.handletextpad": 0.5,
    "legend.columnspacing": 1.4,
    "legend.borderpad": 0.0,
    "legend.borderaxespad": 0.0,
}


@dataclass(frozen=True)
class Range:
    """An uncertain count: ``low`` is None when unknown, ``high`` None when open-ended.

    A figure without a ``low`` is drawn as unknown even if ``high`` is set,
    because the bars always show the conservative figure.
    """

    low: int | None
    high: int | None

    def __post_init__(self) -> None:
        """Reject negative counts and inverted ranges."""
        for value in (self.low, self.high):
            if value is not None and value < 0:
                raise ValueError(f"counts cannot be negative: {self!r}")
        if self.low is not None and self.high is not None and self.high < self.low:
            raise ValueError(f"high is below low: {self!r}")

    @property
    def known(self) -> bool:
        """Return True when at least the conservative figure is known."""
        return self.low is not None

    @property
    def open_ended(self) -> bool:
        """Return True for "at least low" figures."""
        return self.low is not None and self.high is None


@dataclass(frozen=True)
class WeekAxis:
    """How a chart's weeks are named and which of them the data covers only in part.

    By default weeks are ACLED's, each named by the Saturday it begins on; a brief names each of its
    weeks by the day it ends on, so that the last bar is the brief's own period.
    """

    label: str = X_LABEL
    named_by: str = "beginning"  # "the week beginning 13 Apr 2024" | "the week ending 22 Apr 2024"
    weekday: int | None = SATURDAY  # the weekday every week's date falls on, checked; None for any
    partial: tuple[int, ...] = ()  # indices of the weeks the data covers only in part

    def phrase(self, day: date) -> str:
        """Return how a week is named in words: "the week beginning 13 Apr 2024"."""
        return f"the week {self.named_by} {_long_date(day)}"


PARTIAL_COLOUR = "#eef0f2"

# ---------------------------------------------------------------- public API


def incidents_per_week_chart(
    weeks: Sequence[date],
    counts: Mapping[str, Sequence[int]],
    *,
    title: str = "Incidents per week by event type",
    id_prefix: str = "chart1",
    axis: WeekAxis = WeekAxis(),
) -> str:
    """Return an SVG stacked bar chart: one bar per week (ACLED's, named by their Saturday, unless axis says otherwise), stacked by event type."""
    _check_weeks(weeks, axis)
    _check_id_prefix(id_prefix)
    series = _ordered_counts(counts, len(weeks))
    slots = _week_slots(weeks)
    title = _clean_text(title)
    with mpl.rc_context(_RC):
        handles = _legend_patches(series, slots) + _partial_legend(axis)
        fig, ax = _new_figure(title, handles, ncol=3)
        _shade_partial(ax, slots, axis)
        bar_sets = _draw_stacked_bars(ax, slots, series)
        _style_axes(ax, weeks, slots, "Incidents", _stacked_max(series), axis)
        raw = _render(fig)
    desc = _incidents_summary(weeks, series, axis)
    return _finalise_svg(raw, id_prefix=id_prefix, title=title, desc=desc, bar_sets=bar_sets)


def casualties_per_week_chart(
    weeks: Sequence[date],
    killed: Sequence[Range],
    wounded: Sequence[Range],
    *,
    title: str = "Killed and wounded per week",
    id_prefix: str = "chart2",
    axis: WeekAxis = WeekAxis(),
) -> str:
    """Return an SVG grouped bar chart of killed and wounded per week; the low (conservative) figure as the bar, an error bar / hatched extension up to the high where known, a '+' marker where open-ended, and an 'unknown' marker where low is None (never drawn as zero)."""
    _check_weeks(weeks, axis)
    _check_id_prefix(id_prefix)
    for name, values in (("killed", killed), ("wounded", wounded)):
        if len(values) != len(weeks):
            raise ValueError(f"{name} has {len(values)} values for {len(weeks)} weeks")
    slots = _week_slots(weeks)
    title = _clean_text(title)
    groups = (("Killed", killed, KILLED_COLOUR, -1), ("Wounded", wounded, WOUNDED_COLOUR, 1))
    with mpl.rc_context(_RC):
        handles = _casualty_legend(killed, wounded, slots) + _partial_legend(axis)
        fig, ax = _new_figure(title, handles, ncol=min(len(handles), 4))
        _shade_partial(ax, slots, axis)
        bar_sets = [bar_set for label, values, colour, side in groups
                    for bar_set in _draw_range_bars(ax, slots, values, label.lower(), colour, side)]
        _style_axes(ax, weeks, slots, "People", _range_max([*killed, *wounded]), axis)
        raw = _render(fig)
    desc = _casualties_summary(weeks, killed, wounded, axis)
    return _finalise_svg(raw, id_prefix=id_prefix, title=title, desc=desc, bar_sets=bar_sets)


# ---------------------------------------------------------------- validation


def _check_weeks(weeks: Sequence[date], axis: WeekAxis) -> None:
    """Require strictly increasing dates a whole number of weeks apart, so bars sit on a true time axis."""
    for week in weeks:
        if axis.weekday is not None and week.weekday() != axis.weekday:
            raise ValueError(f"weeks must fall on a {_WEEKDAYS[axis.weekday]}, got {week:%A} {week}")
    for earlier, later in zip(weeks, weeks[1:]):
        if later <= earlier:
            raise ValueError(f"weeks must be strictly increasing: {earlier} then {later}")
        if (later - earlier).days % 7:
            raise ValueError(f"weeks must be whole weeks apart: {earlier} then {later}")
    if any(not 0 <= index < len(weeks) for index in axis.partial):
        raise ValueError(f"partial weeks {axis.partial} are not among the {len(weeks)} weeks")


def _check_id_prefix(id_prefix: str) -> None:
    """Reject prefixes that would not make valid, url()-safe element ids."""
    if not _ID_PREFIX_RE.match(id_prefix):
        raise ValueError(f"id_prefix must be a letter then letters, digits, - or _: {id_prefix!r}")


def _ordered_counts(counts: Mapping[str, Sequence[int]], n_weeks: int) -> dict[str, list[int]]:
    """Return the counts in canonical event-type order, checking names and lengths."""
    unknown = sorted(set(counts) - set(EVENT_TYPES))
    if unknown:
        raise ValueError(f"unknown event types {unknown}; expected some of {list(EVENT_TYPES)}")
    series = {name: [int(v) for v in counts[name]] for name in EVENT_TYPES if name in counts}
    for name, values in series.items():
        if len(values) != n_weeks:
            raise ValueError(f"{name!r} has {len(values)} counts for {n_weeks} weeks")
        if any(v < 0 for v in values):
            raise ValueError(f"{name!r} has a negative count")
    return series


def _clean_text(text: str) -> str:
    """Collapse whitespace and drop characters that XML cannot carry."""
    return " ".join(_XML_INVALID_RE.sub("", str(text)).split())


# ---------------------------------------------------------------- drawing


def _new_figure(title: str, handles: list[Patch | Line2D], *, ncol: int) -> tuple[Figure, Axes]:
    """Create a figure with the title and legend on top and the plot area below."""
    fig = Figure(figsize=(_WIDTH / 72, _HEIGHT / 72), dpi=72)
    FigureCanvasSVG(fig)
    left = _MARGIN_LEFT / _WIDTH
    shown = title if len(title) <= _MAX_TITLE_CHARS else title[: _MAX_TITLE_CHARS - 1] + "…"
    # parse_math=False: a "$" in content must print as a dollar, not start mathtext.
    fig.text(8 / _WIDTH, 1 - 10 / _HEIGHT, shown, ha="left", va="top", fontsize=14.5,
             fontweight="bold", color=_TEXT, parse_math=False)
    rows = -(-len(handles) // ncol) if handles else 0
    if handles:
        fig.legend(handles=handles, loc="upper left", ncol=ncol,
                   bbox_to_anchor=(8 / _WIDTH, 1 - _TITLE_HEIGHT / _HEIGHT))
    top = _TITLE_HEIGHT + rows * _LEGEND_ROW + 14
    ax = fig.add_axes((left, _MARGIN_BOTTOM / _HEIGHT,
                       1 - left - _MARGIN_RIGHT / _WIDTH, 1 - (top + _MARGIN_BOTTOM) / _HEIGHT))
    return fig, ax


def _bar_look(slots: list[int], width: float) -> tuple[float, bool]:
    """Return (edge width, hatched?) suited to how many pixels wide each bar is."""
    span = max(slots[-1] + 1 if slots else 1, _MIN_SLOTS)
    pixels = width * (_WIDTH - _MARGIN_LEFT - _MARGIN_RIGHT) / (span + 0.2)
    # Separators and hatching turn into noise on bars only a few pixels wide.
    edge = 0.6 if pixels >= 12 else 0.3 if pixels >= 4 else 0.0
    return edge, pixels >= 5


def _tint(colour: str, amount: float = 0.25) -> tuple[float, float, float]:
    """Return an opaque mix of colour with white, so PDF output needs no transparency."""
    r, g, b = to_rgb(colour)
    return (1 - amount * (1 - r), 1 - amount * (1 - g), 1 - amount * (1 - b))


@dataclass
class _BarSet:
    """Bars that look alike, drawn as one patch and written as one SVG path per bar.

    A patch per bar would cost matplotlib a few hundred microseconds each to add and draw;
    ``_split_bar_sets`` gives each bar its own path and id again.
    """

    gid: str
    width: float
    style: Mapping[str, object]
    bars: list[tuple[float, float, float]] = field(default_factory=list)  # x centre, bottom, height
    ids: list[str] = field(default_factory=list)

    def add(self, x: float, bottom: float, height: float, gid: str) -> None:
        """Add a bar centred on x, tagged with a gid for tests and CSS."""
        self.bars.append((x, bottom, height))
        self.ids.append(gid)

    def draw(self, ax: Axes) -> None:
        """Add the bars to the axes as one patch, if there are any."""
        if not self.bars:
            return
        half = self.width / 2
        vertices = [corner for x, b, h in self.bars
                    for corner in ((x - half, b), (x + half, b), (x + half, b + h), (x - half, b + h), (x - half, b))]
        codes = [Path.MOVETO, Path.LINETO, Path.LINETO, Path.LINETO, Path.CLOSEPOLY] * len(self.bars)
        # Not add_patch: it would widen the data limits segment by segment; _style_axes sets them.
        ax.add_artist(PathPatch(Path(vertices, codes), gid=self.gid, **self.style))


def _draw_stacked_bars(ax: Axes, slots: list[int], series: Mapping[str, Sequence[int]]) -> list[_BarSet]:
    """Stack one segment per non-zero count, a set of bars per event type."""
    bottoms = [0] * len(slots)
    edge, hatched = _bar_look(slots, _STACK_WIDTH)
    bar_sets = []
    for name, values in series.items():
        bars = _BarSet(f"bars-{_slug(name)}", _STACK_WIDTH, {
            "facecolor": EVENT_COLOURS[name], "hatch": EVENT_HATCHES[name] if hatched else None,
            "edgecolor": "white", "linewidth": edge})
        for i, value in enumerate(values):
            if value > 0:
                bars.add(slots[i], bottoms[i], value, f"bar-{_slug(name)}-{i}")
        bars.draw(ax)
        bar_sets.append(bars)
        bottoms = [b + v for b, v in zip(bottoms, values)]
    return bar_sets


def _draw_range_bars(ax: Axes, slots: list[int], values: Sequence[Range], series: str,
                     colour: str, side: int) -> list[_BarSet]:
    """Draw low bars, hatched low-to-high extensions, '+' and '?' markers for one series."""
    x_offset = side * _GROUP_WIDTH / 2
    edge, hatched = _bar_look(slots, _GROUP_WIDTH)
    lows = _BarSet(f"bars-{series}", _GROUP_WIDTH,
                   {"facecolor": colour, "edgecolor": "white", "linewidth": edge})
    ranges = _BarSet(f"ranges-{series}", _GROUP_WIDTH, {
        "facecolor": _tint(colour), "edgecolor": colour, "hatchcolor": colour,
        "hatch": _RANGE_HATCH if hatched else None, "linewidth": edge})
    for i, (slot, value) in enumerate(zip(slots, values)):
        x = slot + x_offset
        if value.low is None:
            _marker(ax, x, 0, "?", _FAINT, f"unknown-marker-{series}-{i}")
            continue
        if value.low > 0:
            lows.add(x, 0, value.low, f"bar-{series}-{i}")
        if value.high is not None and value.high > value.low:
            ranges.add(x, value.low, value.high - value.low, f"range-{series}-{i}")
        if value.high is None:
            _marker(ax, x, value.low, "+", colour, f"open-marker-{series}-{i}")
    # Each extension is drawn after the bar below it, as its edge lies on the bar's top.
    lows.draw(ax)
    ranges.draw(ax)
    return [lows, ranges]


def _marker(ax: Axes, x: float, y: float, symbol: str, colour: str, gid: str) -> None:
    """Write a small bold text marker sitting just above (x, y)."""
    ax.annotate(symbol, (x, y), xytext=(0, 2), textcoords="offset points", ha="center",
                va="baseline", fontsize=12, fontweight="bold", color=colour,
                annotation_clip=False, gid=gid)


def _legend_patches(series: Mapping[str, Sequence[int]], slots: list[int]) -> list[Patch | Line2D]:
    """Return legend entries for the event types that have any incidents."""
    _edge, hatched = _bar_look(slots, _STACK_WIDTH)
    return [Patch(facecolor=EVENT_COLOURS[name], hatch=EVENT_HATCHES[name] if hatched else None,
                  edgecolor="white", linewidth=0.4, label=name)
            for name, values in series.items() if any(values)]


def _casualty_legend(killed: Sequence[Range], wounded: Sequence[Range],
                     slots: list[int]) -> list[Patch | Line2D]:
    """Return legend entries, adding range/open/unknown keys only when they occur."""
    both = [*killed, *wounded]
    _edge, hatched = _bar_look(slots, _GROUP_WIDTH)
    handles: list[Patch | Line2D] = [
        Patch(facecolor=KILLED_COLOUR, label="Killed (lowest figure)"),
        Patch(facecolor=WOUNDED_COLOUR, label="Wounded (lowest figure)"),
    ]
    if any(r.low is not None and r.high is not None and r.high > r.low for r in both):
        handles.append(Patch(facecolor=_tint(_MUTED), edgecolor=_MUTED, hatchcolor=_MUTED,
                             hatch=_RANGE_HATCH if hatched else None, linewidth=0.6,
                             label="Up to highest figure"))
    if any(r.open_ended for r in both):
        handles.append(_symbol_handle("+", _MUTED, "At least (no upper figure)"))
    if any(not r.known for r in both):
        handles.append(_symbol_handle("?", _FAINT, "Unknown"))
    return handles


def _symbol_handle(symbol: str, colour: str, label: str) -> Line2D:
    """Return a legend handle that shows a text symbol as its marker."""
    return Line2D([], [], linestyle="none", marker=f"${symbol}$", markersize=7,
                  color=colour, label=label)


def _partial_legend(axis: WeekAxis) -> list[Patch | Line2D]:
    """Return the legend entry of the shading behind weeks the data covers only in part."""
    return [Patch(facecolor=PARTIAL_COLOUR, edgecolor=_AXIS, linewidth=0.6, linestyle=(0, (2, 2)),
                  label="Partial week")] if axis.partial else []


def _shade_partial(ax: Axes, slots: list[int], axis: WeekAxis) -> None:
    """Shade the slot of each partial week behind its bars, and write 'partial' at its top."""
    for index in axis.partial:
        slot = slots[index]
        ax.axvspan(slot - 0.48, slot + 0.48, facecolor=PARTIAL_COLOUR, edgecolor=_AXIS, linewidth=0.6,
                   linestyle=(0, (2, 2)), zorder=0, gid=f"partial-week-{index}")
        ax.text(slot, 0.98, "partial", transform=ax.get_xaxis_transform(), ha="center", va="top",
                fontsize=9, color=_MUTED, parse_math=False)


def _style_axes(ax: Axes, weeks: Sequence[date], slots: list[int], ylabel: str,
                ymax: float, axis: WeekAxis) -> None:
    """Apply limits, integer y ticks, thinned date ticks and axis labels."""
    span = slots[-1] + 1 if slots else 0
    pad = max(0, _MIN_SLOTS - span) / 2
    ax.set_xlim(-0.6 - pad, span - 0.4 + pad)
    # Headroom keeps '+' and '?' markers inside the plot area.
    ax.set_ylim(0, max(ymax * 1.1, 1))
    ax.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.0f}"))
    ticks, labels = _date_ticks(weeks[0], span) if weeks else ([], [])
    ax.set_xticks(ticks, labels)
    ax.set_xlabel(axis.label)
    ax.set_ylabel(ylabel)
    if not weeks:
        ax.text(0.5, 0.5, "No data", transform=ax.transAxes, ha="center", va="center",
                color=_FAINT)


def _date_ticks(first: date, span: int) -> tuple[list[int], list[str]]:
    """Return thinned tick positions and "20 Apr" labels, adding the year when it changes."""
    step = next((s for s in _TICK_STEPS if span / s <= _MAX_TICK_LABELS), _TICK_STEPS[-1])
    ticks = list(range(0, span, step))
    labels, last_year = [], None
    for slot in ticks:
        day = first + timedelta(weeks=slot)
        label = f"{day.day} {_MONTHS[day.month - 1]}"
        labels.append(label if day.year == last_year else f"{label}\n{day.year}")
        last_year = day.year
    return ticks, labels


def _render(fig: Figure) -> bytes:
    """Serialise the figure to SVG bytes with no timestamp."""
    buf = BytesIO()
    fig.savefig(buf, format="svg",
                metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    return buf.getvalue()


# ---------------------------------------------------------------- post-processing


def _finalise_svg(raw: bytes, *, id_prefix: str, title: str, desc: str, bar_sets: Sequence[_BarSet]) -> str:
    """Return inlinable SVG: a path per bar, prefixed ids, ARIA title/desc, fluid width, no prolog."""
    # Parsing drops the XML declaration, DOCTYPE and comments for us.
    root = ET.fromstring(raw)
    _split_bar_sets(root, bar_sets)
    _compact_dot_hatches(root)
    _drop_global_style(root)
    _styles_to_attributes(root)
    _prefix_ids(root, id_prefix)
    root.attrib.pop("height", None)
    root.set("width", "100%")
    root.set("id", id_prefix)
    root.set("role", "img")
    root.set("aria-labelledby", f"{id_prefix}-title {id_prefix}-desc")
    for pos, (tag, text) in enumerate((("title", title), ("desc", desc))):
        element = ET.Element(f"{{{_SVG_NS}}}{tag}", id=f"{id_prefix}-{tag}")
        element.text = text
        root.insert(pos, element)
    _use_literal_prefixes(root)
    return ET.tostring(root, encoding="unicode")


def _split_bar_sets(root: ET.Element, bar_sets: Sequence[_BarSet]) -> None:
    """Replace the group of each set of bars by a group per bar, with the bar's id and its own path."""
    ids = {bar_set.gid: bar_set.ids for bar_set in bar_sets}
    found = [(parent, group) for parent in root.iter() for group in parent if group.get("id") in ids]
    for parent, group in found:
        path = group.find(f"{{{_SVG_NS}}}path")
        if path is None:
            raise ValueError(f"no path in the group of bars {group.get('id')!r}")
        at = list(parent).index(group)
        parent.remove(group)
        bars = _SUBPATH_RE.findall(path.get("d", ""))
        for offset, (gid, d) in enumerate(zip(ids[group.get("id", "")], bars, strict=True)):
            bar = ET.Element(group.tag, id=gid)
            ET.SubElement(bar, path.tag, {**path.attrib, "d": d.strip()})
            parent.insert(at + offset, bar)


def _compact_dot_hatches(root: ET.Element) -> None:
    """Draw each dotted hatch (Riots' "....") on a smaller tile: the same dots, a third of the SVG.

    matplotlib writes a dotted hatch as one path of 613 small circles on a 72-unit tile: 250 KB in every
    chart with Riots, which WeasyPrint took 3.3 s of CPU to draw. The dots lie on a lattice that repeats
    far sooner, so a tile of a few rows, drawn the way matplotlib draws its own (dots on an edge drawn on
    both sides, each half cut off by the tile), gives the same dots.
    """
    for pattern in root.iter(f"{{{_SVG_NS}}}pattern"):
        rect, path = pattern.find(f"{{{_SVG_NS}}}rect"), pattern.find(f"{{{_SVG_NS}}}path")
        if rect is None or path is None or len(pattern) != 2:
            continue
        compacted = _compacted(path.get("d", ""), float(pattern.get("width", "0")), float(pattern.get("height", "0")))
        if compacted is None:
            continue
        side, d = compacted
        pattern.set("width", _number(side))
        pattern.set("height", _number(side))
        rect.set("width", _number(side + 1))  # as matplotlib does, a little past the tile: no seams
        rect.set("height", _number(side + 1))
        path.set("d", d)


@functools.lru_cache(maxsize=64)
def _compacted(d: str, width: float, height: float) -> tuple[float, str] | None:
    """Return the side of the smaller tile and the path of its dots, or None to leave the hatch as it is.

    Every chart with Riots has the same hatch: worked out once per process.
    """
    lattice = _dot_lattice(d, width, height)
    if lattice is None:
        return None
    step, row, _radius, dot = lattice
    side = _tile_side(step, 2 * row, width, height)
    if side is None:
        return None
    return side, "  ".join(_moved(dot, x, y) for x, y in _lattice_points(step, row, side, side))


#: The smallest tile a dotted hatch is drawn on, in the chart's units. A PDF viewer repeats a tile
#: rounded to whole pixels, so a small one drifts: poppler draws the 12- and 24-unit tiles' dots as
#: stripes, and the 36-unit tile exactly as the 72-unit one (every pixel the same at 60 and 150 dpi).
#: It has 163 dots rather than 613: WeasyPrint draws a chart with Riots in 1.1 s of CPU, not 3.5 s.
_MIN_DOT_TILE = 36.0


def _tile_side(step: float, period: float, width: float, height: float) -> float | None:
    """Return the side of the smallest square tile, at least _MIN_DOT_TILE, that repeats the lattice and the tile."""
    for count in range(1, round(width / step) + 1):
        side = count * step
        if side >= _MIN_DOT_TILE and _whole(side / period) and _whole(width / side) and _whole(height / side):
            return side if side < width else None
    return None


def _lattice_points(step: float, row: float, width: float, height: float) -> list[tuple[float, float]]:
    """Return the dots of the staggered lattice from (0, 0) on a tile, edges included."""
    return [((i + (j % 2) / 2) * step, j * row)
            for j in range(round(height / row) + 1) for i in range(round(width / step) + 1 - j % 2)]


_NUMBER_RE = re.compile(r"-?\d+(?:\.\d*)?(?:e-?\d+)?")
#: str.translate tables keeping only a path's commands, or only its numbers (matplotlib writes no exponents).
_NOT_COMMANDS = {ord(c): None for c in "0123456789.- \n\t"}
_COMMANDS = {ord(c): " " for c in "MLHVCSQTAZz"}


def _dot_lattice(d: str, width: float, height: float) -> tuple[float, float, float, str] | None:
    """Return the lattice's step and row height, the dots' radius and the path of the dot at (0, 0).

    None unless the path is nothing but equal closed curves whose centres are exactly the points of a
    staggered lattice from the corner (0, 0) (rows `row` apart, dots `step` apart, every other row
    shifted by half a step) over the whole tile, edges included, as matplotlib draws its dotted and
    circled hatches: any other path is left as it is.
    """
    dots = _SUBPATH_RE.findall(d)
    commands = d.translate(_NOT_COMMANDS)
    if len(dots) < 16 or commands != commands[: len(commands) // len(dots)] * len(dots) or commands[-1:] != "z":
        return None  # not one closed shape drawn again and again
    try:
        numbers = np.array(d.translate(_COMMANDS).split(), dtype=float)
    except ValueError:  # something other than numbers and those commands
        return None
    if not numbers.size or numbers.size % (2 * len(dots)):
        return None
    points = numbers.reshape(len(dots), -1, 2)
    low, high = points.min(axis=1), points.max(axis=1)
    centres, sizes = (low + high) / 2, (high - low) / 2
    if not np.allclose(sizes, sizes[0], rtol=0, atol=1e-6):
        return None
    rows = np.unique(centres[:, 1].round(6))
    in_row = np.unique(centres[centres[:, 1].round(6) == rows[0]][:, 0].round(6))
    if len(rows) < 3 or len(in_row) < 3:
        return None
    row, step = float(rows[1] - rows[0]), float(in_row[1] - in_row[0])
    if (in_row[0], rows[0]) != (0, 0) or not (_whole(width / step) and _whole(height / (2 * row))):
        return None
    expected = {(round(x, 6), round(y, 6)) for x, y in _lattice_points(step, row, width, height)}
    found = {(float(x), float(y)) for x, y in centres.round(6)}
    if found != expected or len(found) != len(dots):
        return None
    corner = int(np.flatnonzero((centres.round(6) == 0).all(axis=1))[0])
    return step, row, float(sizes[0][0]), dots[corner].strip()


def _whole(value: float) -> bool:
    """Return True if value is a whole number, to a millionth."""
    return abs(value - round(value)) < 1e-6


def _moved(path: str, dx: float, dy: float) -> str:
    """Return an absolute SVG path of M, C and z commands moved by (dx, dy)."""
    count = itertools.count()
    return _NUMBER_RE.sub(lambda m: _number(float(m.group(0)) + (dy if next(count) % 2 else dx)), path)


def _number(value: float) -> str:
    """Return a coordinate as matplotlib writes one: at most six decimals, no trailing zeros."""
    text = f"{round(value, 6):f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _use_literal_prefixes(root: ET.Element) -> None:
    """Write plain SVG tags and a literal "xlink:href", as HTML parsers expect.

    ElementTree would otherwise invent "ns0:"/"ns1:" prefixes, which an HTML
    parser does not map back to the SVG and XLink namespaces.
    """
    for el in root.iter():
        el.tag = el.tag.removeprefix(f"{{{_SVG_NS}}}")
        if _XLINK_HREF in el.attrib:
            el.set("xlink:href", el.attrib.pop(_XLINK_HREF))
    root.set("xmlns", _SVG_NS)
    root.set("xmlns:xlink", _XLINK_NS)


def _drop_global_style(root: ET.Element) -> None:
    """Replace matplotlib's ``*{...}`` stylesheet, which would leak into the host page."""
    for defs in root.findall(f"{{{_SVG_NS}}}defs"):
        for style in defs.findall(f"{{{_SVG_NS}}}style"):
            defs.remove(style)
        if len(defs) == 0:
            root.remove(defs)
    # Both properties inherit, so setting them on the root has the same effect.
    root.set("stroke-linejoin", "round")
    root.set("stroke-linecap", "butt")


def _styles_to_attributes(root: ET.Element) -> None:
    """Turn ``style`` declarations into SVG presentation attributes.

    WeasyPrint runs inline SVG ``style`` attributes through its HTML CSS parser
    and logs a warning for every SVG-only property; attributes avoid that noise
    and let a host stylesheet still override them.
    """
    for el in root.iter():
        style = el.attrib.pop("style", None)
        for declaration in (style or "").split(";"):
            name, _, value = declaration.partition(":")
            if name.strip() and value.strip():
                el.set(name.strip(), value.strip())


def _prefix_ids(root: ET.Element, id_prefix: str) -> None:
    """Prefix every id and every reference to one, tagging our gids with a class."""
    ids = {el.get("id") for el in root.iter() if el.get("id")}

    def rename(old: str) -> str:
        return f"{id_prefix}-{old}" if old in ids else old

    for el in root.iter():
        for name, value in list(el.attrib.items()):
            if name == "id":
                el.set(name, rename(value))
                kind = _GID_KIND_RE.match(value)
                if kind:
                    el.set("class", kind.group(1))
            elif name in ("href", _XLINK_HREF) and value.startswith("#"):
                el.set(name, "#" + rename(value[1:]))
            elif "url(#" in value:
                el.set(name, _URL_REF_RE.sub(lambda m: f"url(#{rename(m.group(1))})", value))


# ---------------------------------------------------------------- summaries


def _incidents_summary(weeks: Sequence[date], series: Mapping[str, Sequence[int]], axis: WeekAxis) -> str:
    """Summarise the incident counts in a sentence or two for screen readers."""
    if not weeks:
        return "No weeks of data."
    totals = [sum(col) for col in zip(*series.values())] if series else [0] * len(weeks)
    total = sum(totals)
    text = f"{_plural(total, 'incident')} {_period(weeks, axis)}"
    if total == 0:
        return text + "." + _partial_summary(weeks, axis)
    if len(weeks) > 1:
        peak = max(range(len(weeks)), key=lambda i: (totals[i], -i))
        text += f"; most in {axis.phrase(weeks[peak])} ({totals[peak]:,})"
    by_type = [f"{name} {sum(v):,}" for name, v in series.items() if sum(v)]
    return f"{text}. By event type: {', '.join(by_type)}." + _partial_summary(weeks, axis)


def _partial_summary(weeks: Sequence[date], axis: WeekAxis) -> str:
    """Say which weeks the data covers only in part."""
    named = [axis.phrase(weeks[index]) for index in axis.partial]
    if not named:
        return ""
    return f" Partial data for {' and '.join(named)}."


def _casualties_summary(weeks: Sequence[date], killed: Sequence[Range],
                        wounded: Sequence[Range], axis: WeekAxis) -> str:
    """Summarise killed and wounded, with uncertainty, for screen readers."""
    if not weeks:
        return "No weeks of data."
    totals = f"{_range_total(killed, 'killed')} and {_range_total(wounded, 'wounded')}"
    text = f"{_period(weeks, axis)}: {totals}"
    for noun, values in (("killed", killed), ("wounded", wounded)):
        peak = _peak_week(values)
        if peak is not None and len(weeks) > 1:
            text += f"; most {noun} in {axis.phrase(weeks[peak])} ({format_range(values[peak])})"
    text = text[0].upper() + text[1:] + ". Bars show the lowest reported figure."
    unknown = [f"{noun} unknown for {_plural(n, 'week')}"
               for noun, values in (("Killed", killed), ("Wounded", wounded))
               if (n := sum(not r.known for r in values))]
    return text + (" " + "; ".join(unknown) + "." if unknown else "") + _partial_summary(weeks, axis)


def _range_total(values: Sequence[Range], noun: str) -> str:
    """Phrase the total over the weeks whose figure is known, e.g. "25 to 40 killed"."""
    known = [r for r in values if r.known]
    if not known:
        return f"number {noun} unknown"
    low = sum(r.low or 0 for r in known)
    if any(r.open_ended for r in known):
        return f"at least {low:,} {noun}"
    high = sum(r.high or 0 for r in known)
    return f"{low:,} {noun}" if high == low else f"{low:,} to {high:,} {noun}"


def format_range(value: Range) -> str:
    """Return one week's figure as words: "12", "12 to 20", "at least 12" or "unknown"."""
    if value.low is None:
        return "unknown"
    if value.high is None:
        return f"at least {value.low:,}"
    return f"{value.low:,}" if value.high == value.low else f"{value.low:,} to {value.high:,}"


def _peak_week(values: Sequence[Range]) -> int | None:
    """Return the index of the earliest week with the highest low figure, if any is above 0."""
    known = [(r.low, -i) for i, r in enumerate(values) if r.low]
    return -max(known)[1] if known else None


def _period(weeks: Sequence[date], axis: WeekAxis) -> str:
    """Describe the period covered, e.g. "over 4 weeks (13 Apr 2024 to 4 May 2024)"."""
    if len(weeks) == 1:
        return f"in {axis.phrase(weeks[0])}"
    span = (weeks[-1] - weeks[0]).days // 7 + 1
    return f"over {span} weeks ({_long_date(weeks[0])} to {_long_date(weeks[-1])})"


# ---------------------------------------------------------------- small helpers


def _week_slots(weeks: Sequence[date]) -> list[int]:
    """Return each week's offset from the first, so missing weeks leave gaps."""
    return [(week - weeks[0]).days // 7 for week in weeks]


def _stacked_max(series: Mapping[str, Sequence[int]]) -> int:
    """Return the tallest stacked bar."""
    return max((sum(col) for col in zip(*series.values())), default=0)


def _range_max(values: Sequence[Range]) -> int:
    """Return the tallest bar including high-figure extensions."""
    return max((max(r.low, r.high or 0) for r in values if r.low is not None), default=0)


def _long_date(day: date) -> str:
    """Format a date as "13 Apr 2024" independent of the process locale."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def _plural(n: int, noun: str) -> str:
    """Return "1 week" or "3 weeks" with thousands separators."""
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


def _slug(name: str) -> str:
    """Turn an event type into an id-safe slug."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")

