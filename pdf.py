"""The one PDF helper: print templates (templates/print/) rendered to PDF bytes by WeasyPrint.

render() takes a list of documents (Part: a template and its context) and returns one PDF with
each document laid out on its own: page numbers count within a document ("— 1 —" on the first
page of every pledge in a batch), and a progress callback hears after each document, which is how
the print worker (printjobs.py) reports progress. The same HTML is the browser's print preview.

WeasyPrint may read our own static files and nothing else (no network, no local paths), except
that an evidence pack may embed the print copy of an activity photo (photo_url()) or of a signed
pledge's scan (scan_copy_url()): a plain file name directly in instance/activities/ or
instance/scan-copies/, nothing above or beside it (the scans themselves are never reachable). The print
stylesheet is parsed once per process and one font configuration serves a whole batch; a long
batch is laid out in the print worker's processes (_render_parallel; docs/benchmarks.md has the
figures). Speed depends on HarfBuzz's subsetter
(libharfbuzz-subset0): without it WeasyPrint falls back to fontTools and takes 11-15 s a page,
so create_app() warns when it is missing.
"""
from __future__ import annotations

import base64
import ctypes.util
import functools
import logging
import mimetypes
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from flask import current_app, render_template
from weasyprint import CSS, HTML
from weasyprint.logger import PROGRESS_LOGGER
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

import uploads

ORIGIN = "http://baoxue.invalid"  # the base URL documents resolve against; never fetched
PHOTO_PREFIX = "/evidence-photo/"  # ORIGIN + this + a file name of instance/activities/
SCAN_PREFIX = "/scan-copy/"  # ORIGIN + this + a file name of instance/scan-copies/
PNG_DATA = "data:image/png;base64,"  # a document code (doc_codes.image)
STYLESHEET = "css/print.css"  # linked by print/base.html for the browser preview


def harfbuzz_subset_available() -> bool:
    return ctypes.util.find_library("harfbuzz-subset") is not None


class StaticFetcher(URLFetcher):
    """Serves /static/... from our static folder and, when given a photo folder (a scan copy
    folder), /evidence-photo/<name> (/scan-copy/<name>) from it (a plain file name in that
    folder: no "/", no "..", no hidden file), and the PNG data: URLs of the document codes
    (doc_codes.py); refuses every other URL."""

    def __init__(self, static_folder: str, photo_folder: str | Path | None = None,
                 scan_copies: str | Path | None = None):
        super().__init__(allowed_protocols=["http"], allow_redirects=False)
        self.static = Path(static_folder).resolve()
        self.folders = {prefix: Path(folder).resolve() for prefix, folder in (
            (PHOTO_PREFIX, photo_folder), (SCAN_PREFIX, scan_copies)) if folder}

    def fetch(self, url, headers=None):
        if url.startswith(PNG_DATA):
            return URLFetcherResponse(url, body=base64.b64decode(url[len(PNG_DATA):]),
                                      headers={"Content-Type": "image/png"})
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


class _PageCounter(logging.Handler):
    """Hears WeasyPrint's "Creating layout - Page N" (its progress logger) as pages are laid
    out, so a long single document reports pages, not 0 of 1."""

    def __init__(self, pages: Callable[[int], None]):
        super().__init__(logging.INFO)
        self.pages, self.done, self.seen = pages, 0, 0

    def emit(self, record):
        if record.msg.startswith("Step 5 - Creating layout - Page") and record.args:
            number = record.args[0]
            if number > self.seen:  # a repagination lays the same pages out again
                self.seen = number
                self.pages(self.done + number)

    def next_document(self, pages_before: int):
        self.done, self.seen = pages_before, 0


def layout(parts: Sequence[Part], progress: Callable[[int], None] | None = None,
           pages: Callable[[int], None] | None = None) -> list:
    """Lay documents out (WeasyPrint Documents, one per part); progress(n) is called after the
    n-th, pages(n) as the n-th page of the batch is laid out. Tests read the rules of print
    (typeset.py) from these pages' boxes."""
    if not parts:
        raise ValueError("nothing to print")
    counter = _PageCounter(pages) if pages else None
    saved = PROGRESS_LOGGER.level, PROGRESS_LOGGER.propagate, PROGRESS_LOGGER.disabled
    if counter:  # the print worker: one job at a time in its process
        PROGRESS_LOGGER.addHandler(counter)
        PROGRESS_LOGGER.setLevel(logging.INFO)
        # not to the app's log; and heard even after a logging.config (Alembic's fileConfig
        # disables the loggers that exist when a migration runs in the same process)
        PROGRESS_LOGGER.propagate, PROGRESS_LOGGER.disabled = False, False
    try:
        return _layout(parts, progress, counter)
    finally:
        if counter:
            PROGRESS_LOGGER.removeHandler(counter)
            PROGRESS_LOGGER.setLevel(saved[0])
            PROGRESS_LOGGER.propagate, PROGRESS_LOGGER.disabled = saved[1:]


def _folders() -> tuple[str, str]:
    """(static folder, instance folder): all a renderer needs besides the HTML."""
    return current_app.static_folder, current_app.instance_path


def _tools(static_folder: str, instance_path: str):
    """The parsed stylesheet, the fetcher and a font configuration for one batch."""
    css_path = Path(static_folder) / STYLESHEET
    stylesheet = _stylesheet(str(css_path), css_path.stat().st_mtime)
    instance = Path(instance_path)
    fetcher = StaticFetcher(static_folder, instance / uploads.ACTIVITY_PHOTOS,
                            instance / uploads.SCAN_COPIES)
    return stylesheet, fetcher, FontConfiguration()


def _html(part: Part) -> str:
    return render_template(part.template, pdf=True, **part.context)


def _layout(parts, progress, counter) -> list:
    stylesheet, fetcher, fonts = _tools(*_folders())
    documents = []
    for n, part in enumerate(parts, 1):
        documents.append(HTML(string=_html(part), base_url=ORIGIN + "/", url_fetcher=fetcher)
                         .render(stylesheets=[stylesheet], font_config=fonts))
        if counter:
            counter.next_document(sum(len(d.pages) for d in documents))
        if progress:
            progress(n)
    return documents


def _written(documents) -> bytes:
    if len(documents) == 1:
        return documents[0].write_pdf()
    return documents[0].copy([page for d in documents for page in d.pages]).write_pdf()


PARALLEL_FROM = 2  # documents: one is laid out where it is asked for


def render(parts: Sequence[Part], progress: Callable[[int], None] | None = None,
           pages: Callable[[int], None] | None = None, pool=None) -> bytes:
    """Render documents into one PDF; progress(n) is called after the n-th document, pages(n)
    as pages are laid out. Given a process pool (the print worker's, printjobs.py) and at least
    PARALLEL_FROM documents, the HTML is made here and laid out in the pool's processes."""
    if pool is not None and len(parts) >= PARALLEL_FROM:
        return _render_parallel(parts, progress, pages, pool)
    return _written(layout(parts, progress, pages))


def _render_parallel(parts, progress, pages, pool) -> bytes:
    """WeasyPrint is single-threaded Python: a batch is cut into runs of documents laid out at
    once in the pool's processes, then joined in order (pypdf). Runs are cut by the length of
    their HTML, about three a process, so one long document (the central school's 19 pages in
    the township's 包保责任表) runs alone while the others share the other processes. A run is
    handed to the pool as soon as its HTML is made, so the renderers start while the rest is
    being made. Each run embeds its own subset of the fonts: ~60 KB more a run."""
    from pypdf import PdfWriter
    htmls = [_html(part) for part in parts]
    folders = _folders()
    runs = [(len(run), pool.submit(render_html, run, *folders))
            for run in _runs(htmls, getattr(pool, "_max_workers", 2) * 3)]
    writer, done, laid = PdfWriter(), 0, 0
    for count, future in runs:
        data = future.result()
        writer.append(BytesIO(data))
        done, laid = done + count, laid + page_count(data)
        if progress:
            progress(done)
        if pages:
            pages(laid)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def _runs(htmls: list[str], count: int) -> list[list[str]]:
    """Consecutive runs of about len(all HTML) / count characters each."""
    budget = sum(map(len, htmls)) / count
    runs, size = [[]], 0
    for html in htmls:
        if runs[-1] and size + len(html) > budget:
            runs.append([])
            size = 0
        runs[-1].append(html)
        size += len(html)
    return runs


def render_html(htmls: list[str], static_folder: str, instance_path: str) -> bytes:
    """In a pool process: documents already made into HTML, laid out and written as one PDF
    (no app, no database: only the stylesheet, our static files and the evidence photos)."""
    stylesheet, fetcher, fonts = _tools(static_folder, instance_path)
    return _written([HTML(string=html, base_url=ORIGIN + "/", url_fetcher=fetcher)
                     .render(stylesheets=[stylesheet], font_config=fonts) for html in htmls])


def render_pdf(template: str, **context) -> bytes:
    """Render one print template to PDF bytes."""
    return render([Part(template, context)])


def page_count(data: bytes) -> int:
    """The pages of a PDF we wrote."""
    from pypdf import PdfReader
    return len(PdfReader(BytesIO(data)).pages)
