"""Untrusted text made safe: Markdown rendered then sanitised, and bidi controls neutralised."""

from __future__ import annotations

import re
import threading

import markdown as markdown_lib
import nh3
from markupsafe import Markup

# Explicit embeddings, overrides and isolates let a title visually reorder the text around it
# ("Trojan Source"); the implicit marks (LRM, RLM, ALM) are harmless and kept for Arabic names.
BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))

ALLOWED_TAGS = {"a", "abbr", "b", "blockquote", "br", "code", "em", "h3", "h4", "h5", "h6", "hr", "i",
                "img", "li", "ol", "p", "pre", "q", "s", "small", "strong", "sub", "sup", "table", "tbody",
                "td", "th", "thead", "tr", "ul"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "img": {"src", "alt", "title"},
                      "td": {"align"}, "th": {"align"}}
_ASSET_SRC = re.compile(r"^assets/[A-Za-z0-9_./-]+$")

_local = threading.local()


def neutralise_bidi(text: str) -> str:
    """Return text without explicit bidi embedding, override and isolate controls."""
    if isinstance(text, Markup):
        return Markup(str(text).translate(BIDI_CONTROLS))
    return text.translate(BIDI_CONTROLS)


def render_markdown(text: str, *, inline: bool = False) -> Markup:
    """Return Markdown from content as sanitised HTML: no script, style, forms, handlers or foreign URLs."""
    converter = getattr(_local, "markdown", None)
    if converter is None:
        converter = _local.markdown = markdown_lib.Markdown(extensions=["tables", "sane_lists"],
                                                            output_format="html")
    html = converter.reset().convert(neutralise_bidi(text))
    clean = sanitise(html)
    if inline and clean.startswith("<p>") and clean.endswith("</p>") and clean.count("<p>") == 1:
        clean = clean[3:-4]
    return Markup(clean)


def sanitise(html: str) -> str:
    """Return html reduced to the allow-list; links get rel=noopener noreferrer nofollow."""
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, attribute_filter=_filter_attribute,
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer nofollow",
                     strip_comments=True)


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    """Keep images only from content/assets: a remote or local-file image would leak or be fetched."""
    if tag == "img" and attribute == "src":
        return value if _ASSET_SRC.match(value) and ".." not in value else None
    return value
