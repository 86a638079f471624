"""Untrusted text made safe: Markdown rendered then sanitised, and bidi controls neutralised.

Markdown is parsed by markdown-it-py (CommonMark) rather than Python-Markdown: Python-Markdown
takes quadratic time on runs of unmatched brackets or autolinks, so one pasted 40 KB summary
stalled a build for minutes; markdown-it's parser is linear. Its output, raw HTML included, then
goes through nh3 with an allow-list, and only then are bidi controls removed, because a character
reference such as ``&#x202E;`` only becomes a control character once the HTML is parsed.
"""

from __future__ import annotations

import encodings.idna
import html
import re
import threading
import unicodedata
import urllib.parse

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

# Explicit embeddings, overrides and isolates let a title visually reorder the text around it
# ("Trojan Source"); the implicit marks (LRM, RLM, ALM) are harmless and kept for Arabic names.
BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
# YAML can carry any character as an escape ("\0"), but XML 1.0 cannot hold C0 controls other than
# tab and line breaks, lone surrogates or U+FFFE/U+FFFF: one such character makes a feed unreadable.
XML_INVALID = dict.fromkeys([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0xD800, 0xE000),
                              0xFFFE, 0xFFFF])
_UNSHOWABLE = {**BIDI_CONTROLS, **XML_INVALID}
# The same characters as one pattern: re deletes them from a page-sized SVG string 18x faster than
# str.translate with a table (every string a template prints goes through neutralise).
_UNSHOWABLE_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]")

ALLOWED_TAGS = {"a", "abbr", "b", "blockquote", "br", "code", "em", "h3", "h4", "h5", "h6", "hr", "i",
                "img", "li", "ol", "p", "pre", "q", "s", "small", "strong", "sub", "sup", "table", "tbody",
                "td", "th", "thead", "tr", "ul"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "img": {"src", "alt", "title"},
                      "ol": {"start"}, "td": {"align", "style"}, "th": {"align", "style"}}
LINK_REL = "noopener noreferrer nofollow"

#: Deeper block nesting than markdown-it's default limit would be cut off silently.
MAX_NESTING = 100

# An image may only be a file under content/assets/: a remote image would be fetched by every
# reader (or by the PDF renderer), a local path would leak the build machine's files into the PDF.
_ASSET_SRC = re.compile(r"^assets(?:/[A-Za-z0-9_][A-Za-z0-9_.-]*)+$")
# A link from content must say where it goes: a relative link means something different on every
# page and becomes file:///... in a PDF; "//host" has no scheme at all.
_OUTSIDE_LINK = re.compile(r"^(?:https?://[^/\\]|mailto:)", re.IGNORECASE)

_local = threading.local()


def neutralise(text: str) -> str:
    """Return text without bidi embedding, override and isolate controls, or characters XML cannot hold."""
    if isinstance(text, Markup):
        return Markup(_UNSHOWABLE_RE.sub("", str(text)))
    return _UNSHOWABLE_RE.sub("", str(text))


def render_markdown(text: str, *, inline: bool = False) -> Markup:
    """Return Markdown from content as sanitised HTML: no script, style, forms, handlers or foreign URLs."""
    clean = sanitise(markdown_to_html(neutralise(text))).strip()
    if inline and clean.startswith("<p>") and clean.endswith("</p>") and clean.count("<p>") == 1:
        clean = clean[3:-4]
    return Markup(clean)


def markdown_to_html(text: str) -> str:
    """Return Markdown as unsanitised HTML; text nested too deep to render whole is kept as plain text."""
    parser = _parser()
    env: dict[str, object] = {}
    tokens = parser.parse(text, env)
    if any(token.level >= MAX_NESTING - 1 for token in tokens):
        return plain_paragraphs(text)
    return parser.renderer.render(tokens, parser.options, env)


def plain_paragraphs(text: str) -> str:
    """Return text as escaped paragraphs, one per blank-line-separated block."""
    blocks = (block.strip() for block in re.split(r"\n[ \t]*\n", text))
    return "".join(f"<p>{escape(block)}</p>\n" for block in blocks if block)


def sanitise(html: str) -> str:
    """Return html reduced to the allow-list, neutralised; links get rel=noopener noreferrer nofollow."""
    clean = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, attribute_filter=_filter_attribute,
                      url_schemes={"http", "https", "mailto"}, link_rel=LINK_REL, strip_comments=True,
                      filter_style_properties={"text-align"})
    return neutralise(clean)


# Pagefind's search page shows filter values (actor, country names) as HTML and decodes entities
# when indexing, so markup in a name would run there: no character that opens a tag or an entity
# may reach the index. Look-alikes keep such (rare) names readable.
_SEARCH_LABEL = str.maketrans({"<": "\u2039", ">": "\u203a", "&": "\uff06"})


def search_label(text: str) -> str:
    """Return text for a search filter value: neutralised, without characters that make HTML."""
    return neutralise(str(text)).translate(_SEARCH_LABEL)


def asset_images(markdown: str) -> list[str]:
    """Return the content/assets/ images a Markdown text shows, as written ('assets/photos/a.png')."""
    if "assets/" not in markdown:  # nearly every text: skip rendering it here
        return []
    return [html.unescape(src) for src in re.findall(r' src="(assets/[^"]*)"', str(render_markdown(markdown)))]


def is_asset_image(src: str) -> bool:
    """Return True if an image source names a file under content/assets/ the way Markdown may."""
    return bool(_ASSET_SRC.match(src))


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    """Keep images only from content/assets and links only to the web, a mailbox or this page."""
    if tag == "img" and attribute == "src":
        return value if is_asset_image(value) else None
    if tag == "a" and attribute == "href":
        return value if _OUTSIDE_LINK.match(value) or value.startswith("#") else None
    return value


def _parser() -> MarkdownIt:
    """Return this thread's Markdown parser: CommonMark with tables and strikethrough, raw HTML kept for nh3."""
    parser = getattr(_local, "parser", None)
    if parser is None:
        options = {"html": True, "maxNesting": MAX_NESTING}
        parser = _local.parser = MarkdownIt("commonmark", options).enable(["table", "strikethrough"])
    return parser


# --- Addresses as a reader should see them --------------------------------------------------------

#: Scripts a host name label may combine without looking like another name (Mozilla's IDN display
#: policy, after Unicode TR 39's "moderately restrictive" profile): Latin with the scripts written
#: beside it in East Asia; otherwise Latin and one other script, unless that is Cyrillic or Greek,
#: whose letters pass for Latin ones (a Cyrillic "а" in "аpple.com").
EAST_ASIAN_MIXES = ({"LATIN", "HAN", "HIRAGANA", "KATAKANA"}, {"LATIN", "HAN", "BOPOMOFO"},
                    {"LATIN", "HAN", "HANGUL"})
LATIN_LOOKALIKES = {"CYRILLIC", "GREEK"}


def display_url(url: str) -> str:
    """Return a URL as a reader should see it: a host that mixes scripts as punycode (xn--), as browsers do."""
    netloc = urllib.parse.urlsplit(url).netloc if "://" in url else ""
    userinfo, at, hostport = netloc.rpartition("@")
    host, colon, port = hostport.partition(":") if not hostport.startswith("[") else (hostport, "", "")
    if host.isascii() or not any(_mixes_scripts(label) for label in host.split(".")):
        return url
    shown = ".".join(label if label.isascii() else _punycode(label) for label in host.split("."))
    return url.replace(netloc, f"{userinfo}{at}{shown}{colon}{port}", 1)


def _mixes_scripts(label: str) -> bool:
    """Return True if a host name label mixes scripts in a way that can imitate another name."""
    scripts = {_script(c) for c in label} - {""}
    if len(scripts) <= 1 or any(scripts <= allowed for allowed in EAST_ASIAN_MIXES):
        return False
    others = scripts - {"LATIN"}
    return not ("LATIN" in scripts and len(others) == 1 and not others & LATIN_LOOKALIKES)


def _script(char: str) -> str:
    """Return the script of a letter from its Unicode name ('' for digits, hyphens, marks and symbols)."""
    if not unicodedata.category(char).startswith("L"):
        return ""
    words = unicodedata.name(char, "").split()
    words = words[1:] if words[:1] in (["HALFWIDTH"], ["FULLWIDTH"]) else words
    first = words[0] if words else ""
    return {"CJK": "HAN", "IDEOGRAPHIC": "HAN", "MODIFIER": "", "KATAKANA-HIRAGANA": ""}.get(first, first)


def _punycode(label: str) -> str:
    """Return a label in its ASCII form, as it goes over the network: xn-- and punycode."""
    try:
        return encodings.idna.ToASCII(label).decode("ascii")
    except UnicodeError:  # beyond IDNA 2003's nameprep: the plain punycode of the label as written
        return "xn--" + label.lower().encode("punycode").decode("ascii")
