"""What a safe build looks like, checked file by file: every leak found is returned as one line.

HTML is parsed with tinyhtml5 (the HTML5 parsing algorithm browsers use, so mutation tricks
parse here as they would in a browser), feeds and sitemaps with expat, PDFs with pypdf.
"""

from __future__ import annotations

import functools
import re
import urllib.parse
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pypdf
import tinyhtml5

BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
#: Text that only a leaked /etc/passwd would put in a page or PDF.
PASSWD_MARKERS = ("root:x:0:0", "root:*:0:0", "daemon:x:1:1", "/usr/sbin/nologin", "/bin/bash")
#: Elements that content must never bring in: they run code, load other documents or post data.
FORBIDDEN = {"iframe", "frame", "frameset", "object", "embed", "applet", "form", "input", "button", "textarea",
             "select", "base", "style", "portal", "foreignobject", "handler", "listener", "set", "animate",
             "animatemotion", "animatetransform", "template", "bgsound", "xml", "isindex"}
#: Attributes whose value a browser loads or follows.
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "background", "poster", "cite", "longdesc",
                  "lowsrc", "dynsrc", "ping", "manifest", "codebase", "archive", "icon", "profile", "srcset",
                  "usemap", "xlink:href"}
#: Attributes a browser fetches by itself as the page loads: these must stay on the site.
FETCHED = {"src", "data", "background", "poster", "lowsrc", "dynsrc", "srcset", "codebase", "archive",
           "manifest", "icon"}
#: Source expressions a directive may list: the site's own files, and what each directive really needs.
CSP_ALLOWED = {"*": {"'self'", "'none'"}, "script-src": {"'self'", "'wasm-unsafe-eval'"},
               "style-src": {"'self'", "'unsafe-inline'"}, "img-src": {"'self'", "data:"}}
CSP_REQUIRED = {"default-src": {"'self'", "'none'"}, "object-src": {"'none'"},
                "base-uri": {"'none'", "'self'"}, "form-action": {"'none'", "'self'"}}
EXTERNAL_REL = {"noopener", "noreferrer", "nofollow"}
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):", re.IGNORECASE)
_XLINK = "{http://www.w3.org/1999/xlink}href"


def check_site(output: Path, site_url: str | None = None) -> list[str]:
    """Return every leak found in a built site: its pages, feeds, sitemap, SVG files, data and PDFs.

    site_url is site.yaml's base_url: addresses under it are the site's own (the 404 page uses them).
    """
    leaks: list[str] = []
    for path in sorted(output.rglob("*")):
        if not path.is_file() or "pagefind" in path.relative_to(output).parts:
            continue
        rel = path.relative_to(output).as_posix()
        data = path.read_bytes()
        leaks += [f"{rel}: contains {m!r} from /etc/passwd" for m in PASSWD_MARKERS if m.encode() in data]
        if path.suffix == ".html":
            leaks += [f"{rel}: {leak}" for leak in check_page(data.decode("utf-8"), path, output, site_url)]
        elif path.suffix in (".xml", ".svg"):
            leaks += [f"{rel}: {leak}" for leak in check_xml(data.decode("utf-8"))]
        elif path.suffix == ".pdf":
            leaks += [f"{rel}: {leak}" for leak in check_pdf(path)]
    return leaks


# --- HTML ----------------------------------------------------------------------------------------

def check_page(html: str, path: Path, output: Path, site_url: str | None = None) -> Iterator[str]:
    """Yield what is unsafe in one page of the site."""
    root = tinyhtml5.parse(html)
    yield from check_csp(root)
    for element in root.iter():
        tag = local(element.tag)
        if tag == "script":
            yield from _check_own_script(element, path, output, site_url)
        elif tag == "link":
            yield from _check_own_link(element, path, output, site_url)
        elif tag == "meta" and element.get("http-equiv", "").lower() not in ("", "content-security-policy"):
            yield f"<meta http-equiv={element.get('http-equiv')!r}>"
        yield from check_element(element, site_url)


def check_fragment(html: str) -> Iterator[str]:
    """Yield what is unsafe in HTML carried by a feed entry: no script of any kind, nothing fetched."""
    root = tinyhtml5.parse(f"<body>{html}</body>")
    for element in root.iter():
        if local(element.tag) in ("script", "link", "meta"):
            yield f"<{local(element.tag)}> in a feed entry"
        yield from check_element(element)


def check_element(element: ET.Element, site_url: str | None = None) -> Iterator[str]:
    """Yield what is unsafe in one element, whoever wrote it: tag, handlers, URLs, styles, bidi controls."""
    tag = local(element.tag)
    if tag in FORBIDDEN:
        yield f"<{tag}> element"
    for raw_name, value in element.attrib.items():
        name = "xlink:href" if raw_name == _XLINK else local(raw_name).lower()
        if name.startswith("on"):
            yield f"<{tag} {name}=...> event handler"
        if name in URL_ATTRIBUTES and not (site_url and value.startswith(site_url)):
            yield from _check_url(tag, name, value, element)
        if name == "style" and re.search(r"url\(|expression|behavior|binding|javascript|@import", value, re.IGNORECASE):
            yield f"<{tag} style={value[:60]!r}>"
        if BIDI_CONTROLS.search(value):
            yield f"bidi control in <{tag} {name}>"
    for text in (element.text, element.tail):
        if text and BIDI_CONTROLS.search(text):
            yield f"bidi control in the text of <{tag}>: {_around(text)!r}"


def _check_url(tag: str, name: str, value: str, element: ET.Element) -> Iterator[str]:
    # Browsers drop tabs and newlines inside URLs and spaces around them: "jav\tascript:" runs.
    url = re.sub(r"[\x00-\x20]", "", value)
    scheme = _SCHEME.match(url)
    if scheme and scheme[1].lower() not in ("http", "https", "mailto"):
        yield f"<{tag} {name}={value[:60]!r}> uses the {scheme[1].lower()}: scheme"
    elif name in FETCHED and (scheme or url.startswith(("//", "\\", "/"))):
        yield f"<{tag} {name}={value[:60]!r}> would be fetched from outside the site"
    elif tag == "a" and scheme and scheme[1].lower() in ("http", "https"):
        missing = EXTERNAL_REL - set(element.get("rel", "").split())
        if missing:
            yield f"external link {value[:60]!r} without rel={' '.join(sorted(missing))}"


def _check_own_script(element: ET.Element, path: Path, output: Path, site_url: str | None) -> Iterator[str]:
    """The site's own scripts are files of the site; nothing inline may run."""
    src = element.get("src")
    if src is None:
        if element.get("type") not in ("application/json", "application/ld+json"):
            yield f"inline <script>: {(element.text or '')[:60]!r}"
    elif not _local_file(src, path, output, site_url):
        yield f"<script src={src!r}> is not one of the site's own files"


def _check_own_link(element: ET.Element, path: Path, output: Path, site_url: str | None) -> Iterator[str]:
    rel = set(element.get("rel", "").lower().split())
    href = element.get("href", "")
    if rel & {"stylesheet", "icon", "preload", "modulepreload", "prefetch", "manifest", "import"} and \
            not _local_file(href, path, output, site_url):
        yield f"<link rel={' '.join(sorted(rel))} href={href[:60]!r}> loads something that is not the site's own"


def _local_file(url: str, page: Path, output: Path, site_url: str | None = None) -> bool:
    """Return True if url is relative and stays inside the built site (the search bundle may be left out)."""
    if site_url and url.startswith(site_url):
        return True
    if not url or _SCHEME.match(url) or url.startswith(("/", "\\")):
        return False
    target = (page.parent / urllib.parse.unquote(url.split("#")[0].split("?")[0])).resolve()
    return target.is_relative_to(output.resolve())


def check_csp(root: ET.Element) -> Iterator[str]:
    """Yield what is wrong with a page's Content-Security-Policy: missing, late, or allowing other sites."""
    order = [element for element in root.iter() if local(element.tag) in ("meta", "script", "link", "style", "img")]
    metas = [e for e in order if local(e.tag) == "meta"
             and e.get("http-equiv", "").lower() == "content-security-policy"]
    if len(metas) != 1:
        yield f"{len(metas)} Content-Security-Policy meta elements, not 1"
        return
    if any(local(e.tag) != "meta" for e in order[: order.index(metas[0])]):
        yield "the Content-Security-Policy comes after something it should govern"
    policy = parse_csp(metas[0].get("content", ""))
    for directive, allowed in CSP_REQUIRED.items():
        if not policy.get(directive) or not set(policy[directive]) <= allowed:
            yield f"CSP {directive} is {' '.join(policy.get(directive, ['missing']))}"
    for directive, sources in policy.items():
        extra = set(sources) - CSP_ALLOWED["*"] - CSP_ALLOWED.get(directive, set())
        if extra:
            yield f"CSP {directive} allows {' '.join(sorted(extra))}"


def parse_csp(text: str) -> dict[str, list[str]]:
    """Return a policy's directives and their source lists."""
    policy = {}
    for part in text.split(";"):
        words = part.split()
        if words:
            policy[words[0].lower()] = words[1:]
    return policy


# --- XML: feeds, sitemap, SVG files ---------------------------------------------------------------

def check_xml(text: str) -> Iterator[str]:
    """Yield what is unsafe or broken in an XML file: not well-formed, entities, scripts, bidi controls."""
    if re.search(r"<!DOCTYPE|<!ENTITY", text, re.IGNORECASE):
        yield "declares a DOCTYPE or entities"
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        yield f"not well-formed XML: {exc}"
        return
    for element in root.iter():
        yield from check_element(element)
        if local(element.tag) == "script":
            yield "<script> in XML"
        if element.get("type") in ("html", "xhtml") and element.text:
            yield from (f"HTML in <{local(element.tag)}>: {leak}" for leak in check_fragment(element.text))
        if local(element.tag) == "loc" and element.text and _SCHEME.match(element.text.strip()) and \
                _SCHEME.match(element.text.strip())[1].lower() not in ("http", "https"):
            yield f"sitemap <loc>{element.text[:60]}</loc>"


# --- PDF ------------------------------------------------------------------------------------------

def pdf_texts(path: Path) -> tuple[str, ...]:
    """Return the text of each page of a PDF, extracted once while the file stays the same (seconds a brief)."""
    stat = path.stat()
    return _pdf_texts(path, stat.st_ino, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=8)
def _pdf_texts(path: Path, inode: int, mtime_ns: int, size: int) -> tuple[str, ...]:
    return tuple(page.extract_text() or "" for page in pypdf.PdfReader(path).pages)


def check_pdf(path: Path) -> Iterator[str]:
    """Yield what is unsafe in a PDF: bidi controls, local files, scripts, attachments, foreign links."""
    reader = pypdf.PdfReader(path)
    texts = pdf_texts(path)
    for number, text in enumerate(texts, 1):
        if BIDI_CONTROLS.search(text):
            yield f"bidi control in the text of page {number}: {_around(text)!r}"
        yield from (f"page {number} shows {m!r} from /etc/passwd" for m in PASSWD_MARKERS if m in text)
    for key, value in (reader.metadata or {}).items():
        if isinstance(value, str) and BIDI_CONTROLS.search(value):
            yield f"bidi control in the metadata {key}"
    for title in outline_titles(reader.outline):
        if BIDI_CONTROLS.search(title):
            yield f"bidi control in the outline entry {_around(title)!r}"
    catalog = reader.trailer["/Root"]
    names = catalog.get("/Names")
    names = names.get_object() if names is not None else {}
    if "/JavaScript" in names:
        yield "the document has /JavaScript"
    if "/EmbeddedFiles" in names:  # only the data a brief carries: its incidents as JSON and CSV (PDF/A-3)
        listed = names["/EmbeddedFiles"].get_object().get("/Names", [])
        for name in [str(listed[i]) for i in range(0, len(listed), 2)] or ["(a tree of files)"]:
            if not re.fullmatch(r"[a-z0-9-]+-incidents\.(?:json|csv)", name):
                yield f"the document has /EmbeddedFiles: {name}"
    for key in ("/OpenAction", "/AA"):
        if key in catalog:
            yield f"the document has {key}"
    for number, page in enumerate(reader.pages, 1):
        for annotation in page.get("/Annots") or []:
            yield from (f"page {number}: {leak}" for leak in _check_annotation(annotation.get_object()))


def _check_annotation(annotation: dict) -> Iterator[str]:
    subtype = annotation.get("/Subtype")
    if subtype in ("/FileAttachment", "/Movie", "/Sound", "/Screen", "/RichMedia", "/Widget"):
        yield f"{subtype} annotation"
    action = annotation.get("/A")
    action = action.get_object() if action is not None else {}
    kind = action.get("/S")
    if kind is not None and kind not in ("/URI", "/GoTo"):
        yield f"{kind} action"
    if kind == "/URI":
        uri = str(action.get("/URI"))
        scheme = _SCHEME.match(uri)
        if not scheme or scheme[1].lower() not in ("http", "https", "mailto"):
            yield f"link to {uri[:60]!r}"


def outline_titles(outline: list) -> Iterator[str]:
    """Yield the titles of a PDF outline, nested entries included."""
    for item in outline:
        if isinstance(item, list):
            yield from outline_titles(item)
        else:
            yield str(item.title)


# --- Helpers --------------------------------------------------------------------------------------

def local(tag: str) -> str:
    """Return an element or attribute name without its namespace, lower-case."""
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _around(text: str) -> str:
    match = BIDI_CONTROLS.search(text)
    start = max(0, match.start() - 20) if match else 0
    return text[start:start + 50]
