"""PDF briefs with WeasyPrint, through a URL fetcher that serves only sitrep's own files.

Briefs are PDF/A-3b (ISO 19005-3, level B), tagged: an archival PDF that may carry files, so each brief
carries its incidents as JSON and CSV, and embeds its fonts, an sRGB output intent and XMP metadata.

WeasyPrint's security notes advise a restricted fetcher for untrusted HTML: ours answers only
for the theme's static files and content/assets, never for other local files or the network,
and its logged errors (a missing stylesheet, a refused image) fail the build instead of
shipping a brief with a hole in it.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import mimetypes
import signal
import threading
import urllib.parse
import datetime as dt
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import FrameType

import pydyf
import weasyprint
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from ..errors import RenderError
from ..validate import resolve_asset

#: The PDF/A part and level briefs conform to: part 3 allows embedded files of any type, level B (basic)
#: asks that the pages look the same everywhere; the tags WeasyPrint writes are kept on top of it.
PDF_VARIANT = "pdf/a-3b"

#: A file a brief's PDF carries: its name (its extension gives its MIME type), its text, and a description.
Attachment = tuple[str, str, str]

#: The base URL of every PDF document: a name for sitrep's own files that no real file has.
BASE_URL = "file:///sitrep-assets/"
#: URL prefixes, relative to BASE_URL, of the theme's static files and of content/assets/.
#: Markdown images are written "assets/..." (see text.is_asset_image), so that prefix is content's too.
_STATIC_PREFIX = "static/"
_CONTENT_PREFIXES = ("content-assets/", "assets/")


class SafeFetcher(URLFetcher):
    """Serve the theme's static files and content assets; refuse everything else, and remember both."""

    def __init__(self, static_dirs: Sequence[Path], content_dir: Path | None) -> None:
        super().__init__(allowed_protocols=("file",), allow_redirects=False, fail_on_errors=True)
        self.static_dirs = [d.resolve() / "static" for d in static_dirs]
        self.content_dir = content_dir
        self.served: list[tuple[str, Path]] = []
        self.refused: list[str] = []

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        """Return the file behind one of our URLs, or refuse the fetch."""
        path = self.resolve(url)
        if path is None:
            self.refused.append(url)
            raise FatalURLFetchingError(f"refused to fetch {_shorten(url)}: a brief may only use the theme's "
                                        "static files and files under content/assets/")
        self.served.append((url, path))
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})

    def resolve(self, url: str) -> Path | None:
        """Return the real file a URL names, or None if it is not one of ours."""
        if not url.startswith(BASE_URL):
            return None
        relative = urllib.parse.unquote(url[len(BASE_URL):].split("?")[0].split("#")[0])
        for prefix in _CONTENT_PREFIXES:
            if relative.startswith(prefix):
                return resolve_asset(self.content_dir, relative[len(prefix):]) if self.content_dir else None
        if relative.startswith(_STATIC_PREFIX):
            return find_static(self.static_dirs, relative[len(_STATIC_PREFIX):])
        return None


def find_static(dirs: Sequence[Path], relative: str) -> Path | None:
    """Return the first file named relative inside one of dirs, never leaving them."""
    if not relative or relative.startswith("/") or "\\" in relative or "\0" in relative:
        return None
    for folder in dirs:
        root = folder.resolve()
        candidate = (root / relative).resolve()
        if candidate.is_relative_to(root) and candidate.is_file():
            return candidate
    return None


def _shorten(url: str, limit: int = 120) -> str:
    """Return a URL quoted for a message, cut to limit characters."""
    return repr(url if len(url) <= limit else url[: limit - 1] + "…")


class _ErrorCollector(logging.Handler):
    """Collect WeasyPrint's logged errors, which it otherwise only prints."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def write_pdf(html: str, target: Path, *, static_dirs: Sequence[Path], content_dir: Path | None,
              name: str, attachments: Sequence[Attachment] = (), created: dt.datetime | None = None) -> None:
    """Render html to a PDF/A-3b at target, carrying the attachments; fail on any resource error.

    The attachments are dated created (the brief's cut-off), so that the same brief gives the same bytes.
    """
    collector = _ErrorCollector()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collector)
    try:
        with _noticing_ctrl_c() as pressed:
            document = weasyprint.HTML(string=html, base_url=BASE_URL,
                                       url_fetcher=SafeFetcher(static_dirs, content_dir))
            identifier = hashlib.sha256(html.encode("utf-8")).hexdigest()[:32].encode("ascii")
            document.write_pdf(target, pdf_identifier=identifier, uncompressed_pdf=False, pdf_tags=True,
                               pdf_variant=PDF_VARIANT, attachments=_attachments(attachments, created),
                               finisher=_finish_pdfa)
        if pressed:
            raise KeyboardInterrupt
    except FatalURLFetchingError as exc:
        raise RenderError(f"{name}: {exc}") from None
    finally:
        logger.removeHandler(collector)
    if collector.messages:
        raise RenderError(f"{name}: the PDF renderer reported: " + "; ".join(collector.messages[:5]))


def _attachments(files: Sequence[Attachment], created: dt.datetime | None) -> list[weasyprint.Attachment]:
    """Return the files as WeasyPrint attachments, marked as the data the document is about (PDF/A-3 'Data')."""
    when = (created or dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)).astimezone(dt.timezone.utc)
    return [weasyprint.Attachment(string=text, name=name, description=description, created=when, modified=when,
                                  relationship="Data")
            for name, text, description in files]


def _finish_pdfa(document: weasyprint.Document, pdf: pydyf.PDF) -> None:
    """Mend what WeasyPrint 70 writes against PDF/A: each carried file named twice, smoothed images."""
    if "AF" in pdf.catalog:
        pdf.catalog["AF"] = pydyf.Array(dict.fromkeys(pdf.catalog["AF"]))
    for item in pdf.objects:
        # ISO 19005-2 and -3, 6.2.8.1: an image's Interpolate key, if present, shall be false
        extra = getattr(item, "extra", None)
        if isinstance(extra, dict) and extra.get("Subtype") == "/Image" and "Interpolate" in extra:
            extra["Interpolate"] = "false"


@contextlib.contextmanager
def _noticing_ctrl_c() -> Iterator[list[bool]]:
    """Remember a Ctrl-C pressed while rendering, so that it can be raised again afterwards.

    WeasyPrint catches even KeyboardInterrupt while drawing an SVG and only logs "Failed to render
    SVG image", which would pass an interruption off as a broken brief.
    """
    pressed: list[bool] = []
    previous = signal.getsignal(signal.SIGINT)
    if threading.current_thread() is not threading.main_thread() or not callable(previous):
        yield pressed  # a worker that ignores Ctrl-C, or a thread that cannot handle signals
        return

    def interrupted(signum: int, frame: FrameType | None) -> None:
        pressed.append(True)
        previous(signum, frame)

    signal.signal(signal.SIGINT, interrupted)
    try:
        yield pressed
    finally:
        signal.signal(signal.SIGINT, previous)
