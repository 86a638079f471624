"""Render accessible, deterministic SVG charts for situation briefs.

Charts are drawn with matplotlib's SVG backend on a standalone ``Figure``
(never pyplot), so no global figure state is shared between processes, and
are returned as SVG markup ready to be inlined in HTML and rendered by
WeasyPrint.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from io import BytesIO

import matplotlib as mpl
from matplotlib.axes import Axes
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

__all__ = [
    "EVENT_COLOURS",
    "EVENT_TYPES",
    "Range",
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
_MARGIN_BOTTOM = 62.0
_TITLE_HEIGHT = 34.0
_LEGEND_ROW = 17.0
_MAX_TICK_LABELS = 9
_MIN_SLOTS = 6
_MAX_TITLE_CHARS = 84
_TICK_STEPS = (1, 2, 4, 8, 13, 26, 52, 104, 208, 520)
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun",
           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

_SVG_NS = "http://www.w3.org/2000/svg"
_XLINK_NS = "http://www.w3.org/1999/xlink"
# Without this ElementTree would write "ns1:href", which HTML parsers ignore.
ET.register_namespace("xlink", _XLINK_NS)

_ID_PREFIX_RE = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")
_XML_INVALID_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_URL_REF_RE = re.compile(r"url\(#([^)]+)\)")
# gids we set are "<kind>-<series>-<index>"; the kind becomes a CSS class.
_GID_KIND_RE = re.compile(r"(bar|range|open-marker|unknown-marker)-")

_RC = {
    "svg.fonttype": "none",
    "svg.hashsalt": "sitrep-charts",
    "svg.id": None,
    "font.family": ["sans-serif"],
    "font.sans-serif": ["Noto Sans", "DejaVu Sans"],
    "font.size": 10.0,
    "text.color": _TEXT,
    "axes.labelcolor": _MUTED,
    "axes.labelsize": 10.0,
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
    "xtick.labelsize": 9.0,
    "xtick.major.size": 3.0,
    "xtick.major.width": 0.8,
    "ytick.labelcolor": _MUTED,
    "ytick.labelsize": 9.0,
    "ytick.left": False,
    "ytick.major.pad": 4.0,
    "hatch.linewidth": 0.6,
    "legend.frameon": False,
    "legend.fontsize": 9.0,
    "legend.handlelength": 1.3,
    "legend.handleheight": 0.9,
    "legend.handletextpad": 0.5,
    "legend.columnspacing": 1.4,
    "legend.borderpad": 0.0,
    "legend.borderaxespad": 0.0,
}


@dataclass(frozen=True)
class Range:
    """An uncertain count: ``low`` is None when unknown, ``high`` None when open-ended."""

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


# ---------------------------------------------------------------- public API


def incidents_per_week_chart(
    weeks: Sequence[date],
    counts: Mapping[str, Sequence[int]],
    *,
    title: str = "Incidents per week by event type",
    id_prefix: str = "chart1",
) -> str:
    """Return an SVG stacked bar chart: one bar per ACLED week (weeks are the Saturday starting each week), stacked by event type."""
    _check_weeks(weeks)
    _check_id_prefix(id_prefix)
    series = _ordered_counts(counts, len(weeks))
    slots = _week_slots(weeks)
    title = _clean_text(title)
    with mpl.rc_context(_RC):
        handles = _legend_patches(series)
        fig, ax = _new_figure(title, handles, ncol=3)
        _draw_stacked_bars(ax, slots, series)
        _style_axes(ax, weeks, slots, "Incidents", _stacked_max(series))
        raw = _render(fig)
    desc = _incidents_summary(weeks, series)
    return _finalise_svg(raw, id_prefix=id_prefix, title=title, desc=desc)


def casualties_per_week_chart(
    weeks: Sequence[date],
    killed: Sequence[Range],
    wounded: Sequence[Range],
    *,
    title: str = "Killed and wounded per week",
    id_prefix: str = "chart2",
) -> str:
    """Return an SVG grouped bar chart of killed and wounded per week; the low (conservative) figure as the bar, an error bar / hatched extension up to the high where known, a '+' marker where open-ended, and an 'unknown' marker where low is None (never drawn as zero)."""
    _check_weeks(weeks)
    _check_id_prefix(id_prefix)
    for name, values in (("killed", killed), ("wounded", wounded)):
        if len(values) != len(weeks):
            raise ValueError(f"{name} has {len(values)} values for {len(weeks)} weeks")
    slots = _week_slots(weeks)
    title = _clean_text(title)
    groups = (("Killed", killed, KILLED_COLOUR, -1), ("Wounded", wounded, WOUNDED_COLOUR, 1))
    with mpl.rc_context(_RC):
        handles = _casualty_legend(killed, wounded)
        fig, ax = _new_figure(title, handles, ncol=len(handles))
        for label, values, colour, side in groups:
            _draw_range_bars(ax, slots, values, label.lower(), colour, side)
        _style_axes(ax, weeks, slots, "People", _range_max([*killed, *wounded]))
        raw = _render(fig)
    desc = _casualties_summary(weeks, killed, wounded)
    return _finalise_svg(raw, id_prefix=id_prefix, title=title, desc=desc)


# ---------------------------------------------------------------- validation


def _check_weeks(weeks: Sequence[date]) -> None:
    """Require strictly increasing Saturdays, so bars sit on a true time axis."""
    for week in weeks:
        if week.weekday() != SATURDAY:
            raise ValueError(f"ACLED weeks begin on a Saturday, got {week:%A} {week}")
    for earlier, later in zip(weeks, weeks[1:]):
        if later <= earlier:
            raise ValueError(f"weeks must be strictly increasing: {earlier} then {later}")


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
    fig.text(8 / _WIDTH, 1 - 10 / _HEIGHT, shown, ha="left", va="top", fontsize=13,
             fontweight="bold", color=_TEXT, parse_math=False)
    rows = -(-len(handles) // ncol) if handles else 0
    if handles:
        fig.legend(handles=handles, loc="upper left", ncol=ncol,
                   bbox_to_anchor=(8 / _WIDTH, 1 - _TITLE_HEIGHT / _HEIGHT))
    top = _TITLE_HEIGHT + rows * _LEGEND_ROW + 14
    ax = fig.add_axes((left, _MARGIN_BOTTOM / _HEIGHT,
                       1 - left - _MARGIN_RIGHT / _WIDTH, 1 - (top + _MARGIN_BOTTOM) / _HEIGHT))
    return fig, ax


def _bar_edge_width(slots: list[int]) -> float:
    """Return a separator width that stays thin relative to narrow bars."""
    span = slots[-1] + 1 if slots else 1
    return 0.6 if span <= 26 else 0.4 if span <= 80 else 0.2


def _draw_stacked_bars(ax: Axes, slots: list[int], series: Mapping[str, Sequence[int]]) -> None:
    """Stack one segment per non-zero count, each tagged with a gid for tests and CSS."""
    bottoms = [0] * len(slots)
    lw = _bar_edge_width(slots)
    for name, values in series.items():
        idx = [i for i, v in enumerate(values) if v > 0]
        if idx:
            bars = ax.bar([slots[i] for i in idx], [values[i] for i in idx], width=0.8,
                          bottom=[bottoms[i] for i in idx], color=EVENT_COLOURS[name],
                          hatch=EVENT_HATCHES[name], edgecolor="white", linewidth=lw)
            for bar, i in zip(bars, idx):
                bar.set_gid(f"bar-{_slug(name)}-{i}")
        bottoms = [b + v for b, v in zip(bottoms, values)]


def _draw_range_bars(ax: Axes, slots: list[int], values: Sequence[Range], series: str,
                     colour: str, side: int) -> None:
    """Draw low bars, hatched low-to-high extensions, '+' and '?' markers for one series."""
    width = 0.38
    offset = side * width / 2
    lw = _bar_edge_width(slots)
    for i, (slot, value) in enumerate(zip(slots, values)):
        x = slot + offset
        if value.low is None:
            _marker(ax, x, 0, "?", _FAINT, f"unknown-marker-{series}-{i}")
            continue
        if value.low > 0:
            ax.bar(x, value.low, width=width, color=colour, edgecolor="white",
                   linewidth=lw, gid=f"bar-{series}-{i}")
        if value.high is not None and value.high > value.low:
            ax.bar(x, value.high - value.low, width=width, bottom=value.low, facecolor="white",
                   edgecolor=colour, hatchcolor=colour, hatch="//////", linewidth=0.6,
                   gid=f"range-{series}-{i}")
        if value.high is None:
            _marker(ax, x, value.low, "+", colour, f"open-marker-{series}-{i}")


def _marker(ax: Axes, x: float, y: float, symbol: str, colour: str, gid: str) -> None:
    """Write a small text marker just above (x, y)."""
    ax.annotate(symbol, (x, y), xytext=(0, 1), textcoords="offset points", ha="center",
                va="bottom", fontsize=9, fontweight="bold", color=colour,
                annotation_clip=False, gid=gid)


def _legend_patches(series: Mapping[str, Sequence[int]]) -> list[Patch | Line2D]:
    """Return legend entries for the event types that have any incidents."""
    return [Patch(facecolor=EVENT_COLOURS[name], hatch=EVENT_HATCHES[name],
                  edgecolor="white", linewidth=0.4, label=name)
            for name, values in series.items() if any(values)]


def _casualty_legend(killed: Sequence[Range], wounded: Sequence[Range]) -> list[Patch | Line2D]:
    """Return legend entries, adding range/open/unknown keys only when they occur."""
    both = [*killed, *wounded]
    handles: list[Patch | Line2D] = [
        Patch(facecolor=KILLED_COLOUR, label="Killed (lowest figure)"),
        Patch(facecolor=WOUNDED_COLOUR, label="Wounded (lowest figure)"),
    ]
    if any(r.low is not None and r.high is not None and r.high > r.low for r in both):
        handles.append(Patch(facecolor="white", edgecolor=_MUTED, hatchcolor=_MUTED,
                             hatch="//////", linewidth=0.6, label="Up to highest figure"))
    if any(r.open_ended for r in both):
        handles.append(_symbol_handle("+", _MUTED, "At least (no upper figure)"))
    if any(not r.known for r in both):
        handles.append(_symbol_handle("?", _FAINT, "Unknown"))
    return handles


def _symbol_handle(symbol: str, colour: str, label: str) -> Line2D:
    """Return a legend handle that shows a text symbol as its marker."""
    return Line2D([], [], linestyle="none", marker=f"${symbol}$", markersize=7,
                  color=colour, label=label)


def _style_axes(ax: Axes, weeks: Sequence[date], slots: list[int], ylabel: str,
                ymax: float) -> None:
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
    ax.set_xlabel(X_LABEL)
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


def _finalise_svg(raw: bytes, *, id_prefix: str, title: str, desc: str) -> str:
    """Return inlinable SVG: prefixed ids, ARIA title/desc, fluid width, no prolog."""
    # Parsing drops the XML declaration, DOCTYPE and comments for us.
    root = ET.fromstring(raw)
    _drop_global_style(root)
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
    return ET.tostring(root, encoding="unicode", default_namespace=_SVG_NS)


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


def _prefix_ids(root: ET.Element, id_prefix: str) -> None:
    """Prefix every id and every reference to one, tagging our gids with a class."""
    ids = {el.get("id") for el in root.iter() if el.get("id")}

    def rename(old: str) -> str:
        return f"{id_prefix}-{old}" if old in ids else old

    for el in root.iter():
        for name, value in el.attrib.items():
            if name == "id":
                el.set(name, rename(value))
                kind = _GID_KIND_RE.match(value)
                if kind:
                    el.set("class", kind.group(1))
            elif name in ("href", f"{{{_XLINK_NS}}}href") and value.startswith("#"):
                el.set(name, "#" + rename(value[1:]))
            elif "url(#" in value:
                el.set(name, _URL_REF_RE.sub(lambda m: f"url(#{rename(m.group(1))})", value))


# ---------------------------------------------------------------- summaries


def _incidents_summary(weeks: Sequence[date], series: Mapping[str, Sequence[int]]) -> str:
    """Summarise the incident counts in a sentence or two for screen readers."""
    if not weeks:
        return "No weeks of data."
    totals = [sum(col) for col in zip(*series.values())] if series else [0] * len(weeks)
    total = sum(totals)
    text = f"{_plural(total, 'incident')} {_period(weeks)}"
    if total == 0:
        return text + "."
    if len(weeks) > 1:
        peak = max(range(len(weeks)), key=lambda i: (totals[i], -i))
        text += f"; most in the week beginning {_long_date(weeks[peak])} ({totals[peak]:,})"
    by_type = [f"{name} {sum(v):,}" for name, v in series.items() if sum(v)]
    return f"{text}. By event type: {', '.join(by_type)}."


def _casualties_summary(weeks: Sequence[date], killed: Sequence[Range],
                        wounded: Sequence[Range]) -> str:
    """Summarise killed and wounded, with uncertainty, for screen readers."""
    if not weeks:
        return "No weeks of data."
    parts = [f"{_range_total(killed)} killed and {_range_total(wounded)} wounded {_period(weeks)}"]
    for label, values in (("killed", killed), ("wounded", wounded)):
        peak = _peak_week(values)
        if peak is not None and len(weeks) > 1:
            parts.append(f"most {label} in the week beginning {_long_date(weeks[peak])} "
                         f"({_format_range(values[peak])})")
    unknown = [f"{label} unknown for {_plural(n, 'week')}"
               for label, values in (("Killed", killed), ("Wounded", wounded))
               if (n := sum(not r.known for r in values))]
    text = "; ".join(parts) + ". Bars show the lowest reported figure."
    return text + (" " + "; ".join(unknown) + "." if unknown else "")


def _range_total(values: Sequence[Range]) -> str:
    """Return the summed range over the weeks whose figure is known."""
    known = [r for r in values if r.known]
    low = sum(r.low or 0 for r in known)
    if any(r.open_ended for r in known):
        return f"at least {low:,}"
    high = sum(r.high or 0 for r in known)
    return f"{low:,}" if high == low else f"{low:,} to {high:,}"


def _format_range(value: Range) -> str:
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


def _period(weeks: Sequence[date]) -> str:
    """Describe the period covered, e.g. "over 4 weeks (13 Apr 2024 to 4 May 2024)"."""
    if len(weeks) == 1:
        return f"in the week beginning {_long_date(weeks[0])}"
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

