"""Write SVG markup safely from untrusted text, and estimate how wide text is drawn."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache, lru_cache
from xml.sax.saxutils import escape


MAX_LABEL_CHARS = 34

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

XY = tuple[float, float]


def _path(points: Iterable[XY], closed: bool = True) -> str:
    """Format vertices as path data."""
    return "M" + "L".join(f"{_num(x)} {_num(y)}" for x, y in points) + ("z" if closed else "")


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


def _linked(href: str | None, inner: str) -> str:
    """Wrap content in a link when a safe href is given."""
    safe = _safe_href(href)
    return _el("a", inner, href=safe) if safe else inner
