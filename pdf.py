"""The one PDF helper: print templates (templates/print/) rendered to PDF bytes by WeasyPrint.

render() takes a list of documents (Part: a template and its context) and returns one PDF with
each document laid out on its own: page numbers count within a document ("— 1 —" on the first
page of every pledge in a batch), and a progress callback hears after each document, which is how
the print worker (printjobs.py) reports progress. The same HTML is the browser's print preview.

WeasyPrint may read our own static files and nothing else (no network, no local paths), except
that an evidence pack may embed the print copy of an activity photo (photo_url()) or of a signed
pledge's scan (scan_copy_url()): a plain file name directly in instance/activities/ or
instance/scan-copies/, nothing above or beside it (the scans themselves are never reachable). The print
stylesheet is parsed once per process and one font configuration serves a whole batch: 100
pledges render in ~2.2 s instead of ~3.9 s. Speed depends on HarfBuzz's subsetter
(libharfbuzz-subset0): without it WeasyPrint falls back to fontTools and takes 11-15 s a page,
so create_app() warns when it is missing.
"""
from __future__ import annotations

import ctypes.util
import functools
import mimetypes
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from flask import current_app, render_template
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

import uploads

ORIGIN = "http://baoxue.invalid"  # the base URL documents resolve against; never fetched
PHOTO_PREFIX = "/evidence-photo/"  # ORIGIN + this + a file name of instance/activities/
SCAN_PREFIX = "/scan-copy/"  # ORIGIN + this + a file name of instance/scan-copies/
STYLESHEET = "css/print.css"  # linked by print/base.html for the browser preview


def harfbuzz_subset_available() -> bool:
    return ctypes.util.find_library("harfbuzz-subset") is not None


class StaticFetcher(URLFetcher):
    """Serves /static/... from our static folder and, when given a photo folder (a scan copy
    folder), /evidence-photo/<name> (/scan-copy/<name>) from it (a plain file name in that
    folder: no "/", no "..", no hidden file); refuses every other URL."""

    def __init__(self, static_folder: str, photo_folder: str | Path | None = None,
                 scan_copies: str | Path | None = None):
        super().__init__(allowed_protocols=["http"], allow_redirects=False)
        self.static = Path(static_folder).resolve()
        self.folders = {prefix: Path(folder).resolve() for prefix, folder in (
            (PHOTO_PREFIX, photo_folder), (SCAN_PREFIX, scan_copies)) if folder}

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        path_part = parts.path
        if url.startswith(ORIGIN + "/static/"):
            path = (self.static / unquote(path_part[len("/static/"):])).resolve()
            if path.is_relative_to(self.static) and path.is_file():
                return self._response(url, path)
        for prefix, folder in self.folders.items():
            if url.startswith(ORIGIN + prefix) and not parts.query and not parts.fragment:
                name = unquote(path_part[len(prefix):])
                if _plain_name(name):
                    path = (folder / name).resolve()
                    if path.parent == folder and path.is_file():
                        return self._response(url, path)
        raise ValueError(f"PDF documents may only load our own static files, not {url!r}")

    @staticmethod
    def _response(url: str, path: Path) -> URLFetcherResponse:
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": mime})


def _plain_name(name: str) -> bool:
    """A file name with no folder in it: photo-1a2b.jpg, not ../x, a/b, .hidden or C:x."""
    return bool(name) and name == Path(name).name and not name.startswith(".") \
        and not any(c in name for c in "/\\:\0")


def photo_url(name: str) -> str:
    """The URL a print template uses to embed an activity photo's print copy."""
    return ORIGIN + PHOTO_PREFIX + quote(name)


def scan_copy_url(name: str) -> str:
    """The URL a print template uses to embed the print copy of a signed scan."""
    return ORIGIN + SCAN_PREFIX + quote(name)


@dataclass
class Part:
    """One document of a PDF: a print template and what it shows."""
    template: str
    context: dict = field(default_factory=dict)


@functools.lru_cache(maxsize=4)
def _stylesheet(path: str, mtime: float) -> CSS:
    return CSS(filename=path)  # no @font-face, so one parse serves every font configuration


def layout(parts: Sequence[Part], progress: Callable[[int], None] | None = None) -> list:
    """Lay documents out (WeasyPrint Documents, one per part); progress(n) is called after the
    n-th. Tests read the rules of print (typeset.py) from these pages' boxes."""
    if not parts:
        raise ValueError("nothing to print")
    css_path = Path(current_app.static_folder) / STYLESHEET
    stylesheet = _stylesheet(str(css_path), css_path.stat().st_mtime)
    instance = Path(current_app.instance_path)
    fetcher = StaticFetcher(current_app.static_folder, instance / uploads.ACTIVITY_PHOTOS,
                            instance / uploads.SCAN_COPIES)
    fonts = FontConfiguration()
    documents = []
    for n, part in enumerate(parts, 1):
        html = render_template(part.template, pdf=True, **part.context)
        documents.append(HTML(string=html, base_url=ORIGIN + "/", url_fetcher=fetcher)
                         .render(stylesheets=[stylesheet], font_config=fonts))
        if progress:
            progress(n)
    return documents


def render(parts: Sequence[Part], progress: Callable[[int], None] | None = None) -> bytes:
    """Render documents into one PDF; progress(n) is called after the n-th document."""
    documents = layout(parts, progress)
    if len(documents) == 1:
        return documents[0].write_pdf()
    return documents[0].copy([page for d in documents for page in d.pages]).write_pdf()


def render_pdf(template: str, **context) -> bytes:
    """Render one print template to PDF bytes."""
    return render([Part(template, context)])
