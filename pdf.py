"""The one PDF helper: print templates (templates/print/) rendered to PDF bytes by WeasyPrint.

render() takes a list of documents (Part: a template, its context and how many copies) and
returns one PDF with each document laid out on its own: page numbers count within a document
("第 1 页" on the first page of every pledge in a batch), and a progress callback hears the
copies done after each document, which is how the print worker (printjobs.py) reports progress.
A document printed in several identical copies (一式两份) is laid out and drawn once and its
pages repeated in the file (pypdf): 20 guardian letters as printed (40 pages) take 1.6 s so,
2.7 s when each copy is laid out and drawn (docs/benchmarks.md). The same HTML is the
browser's print preview.

WeasyPrint may read our own static files and nothing else (no network, no local paths), except
that an evidence pack may embed the print copy of an activity photo (photo_url()) or of a signed
pledge's scan (scan_copy_url()): a plain file name directly in instance/activities/ or
instance/scan-copies/, nothing above or beside it (the scans themselves are never reachable).
The documents are styled by print-ua.css (the HTML elements' defaults, in place of WeasyPrint's
own user-agent stylesheet) and print.css, each parsed once per process, and one font
configuration serves a whole batch; a long batch is laid out in the print worker's processes
(_render_parallel; docs/benchmarks.md has the figures). Every layout runs under
framestack.in_one_chunk, which spares CPython 3.11 hundreds of frame-stack chunk mappings a page
(a sheet 31-34 -> 24-26 ms). Speed depends on HarfBuzz's subsetter
(libharfbuzz-subset0): without it WeasyPrint falls back to fontTools and takes 11-15 s a page,
so create_app() warns when it is missing.
"""
from __future__ import annotations

import base64
import ctypes.util
import functools
import logging
import mimetypes
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from flask import current_app, render_template
from weasyprint import CSS, HTML
from weasyprint.logger import PROGRESS_LOGGER
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

import framestack
import uploads

ORIGIN = "http://baoxue.invalid"  # the base URL documents resolve against; never fetched
PHOTO_PREFIX = "/evidence-photo/"  # ORIGIN + this + a file name of instance/activities/
SCAN_PREFIX = "/scan-copy/"  # ORIGIN + this + a file name of instance/scan-copies/
PNG_DATA = "data:image/png;base64,"  # a document code (doc_codes.image)
STYLESHEET = "css/print.css"  # linked by print/base.html for the browser preview
USER_AGENT = "css/print-ua.css"  # the HTML elements' defaults, in place of WeasyPrint's


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
    """One document of a PDF: a print template, what it shows, and how many identical copies
    of it are printed one after another (一式两份: 2)."""
    template: str
    context: dict = field(default_factory=dict)
    copies: int = 1


def copies(parts: Sequence[Part]) -> int:
    """The documents of a print as it comes out of the printer: a pledge of 一式两份 is two."""
    return sum(part.copies for part in parts)


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
    """Lay documents out (WeasyPrint Documents, one per part, however many its copies);
    progress(n) is called when n copies are laid out, pages(n) as the n-th page of the batch
    is laid out. Tests read the rules of print (typeset.py) from these pages' boxes."""
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
        return framestack.in_one_chunk(_layout, parts, progress, counter)
    finally:
        if counter:
            PROGRESS_LOGGER.removeHandler(counter)
            PROGRESS_LOGGER.setLevel(saved[0])
            PROGRESS_LOGGER.propagate, PROGRESS_LOGGER.disabled = saved[1:]


def _folders() -> tuple[str, str]:
    """(static folder, instance folder): all a renderer needs besides the HTML."""
    return current_app.static_folder, current_app.instance_path


class _Document(HTML):
    """A print document's HTML, styled by print-ua.css in place of WeasyPrint's own user-agent
    stylesheet. `_ua_stylesheets` is the method WeasyPrint asks for it (its own test suite
    overrides it the same way); WeasyPrint is pinned, and tests/test_print.py fails if a new
    version stops asking."""

    def __init__(self, user_agent: CSS, **kwargs):
        super().__init__(**kwargs)
        self.user_agent = user_agent

    def _ua_stylesheets(self, forms=False):
        return [self.user_agent]


def _lay_out(static_folder: str, instance_path: str) -> Callable[[str], object]:
    """For one batch: a function that lays a document's HTML out (a WeasyPrint Document), with
    the parsed stylesheets, our fetcher and one font configuration."""
    static = Path(static_folder)
    user_agent, stylesheet = (_stylesheet(str(static / name), (static / name).stat().st_mtime)
                              for name in (USER_AGENT, STYLESHEET))
    instance = Path(instance_path)
    fetcher = StaticFetcher(static_folder, instance / uploads.ACTIVITY_PHOTOS,
                            instance / uploads.SCAN_COPIES)
    fonts = FontConfiguration()

    def lay_out(html: str):
        return _Document(user_agent, string=html, base_url=ORIGIN + "/", url_fetcher=fetcher
                         ).render(stylesheets=[stylesheet], font_config=fonts)
    return lay_out


def _html(part: Part) -> str:
    return render_template(part.template, pdf=True, **part.context)


def _layout(parts, progress, counter) -> list:
    lay_out = _lay_out(*_folders())
    documents, done = [], 0
    for part in parts:
        documents.append(lay_out(_html(part)))
        done += part.copies
        if counter:
            counter.next_document(sum(len(d.pages) for d in documents))
        if progress:
            progress(done)
    return documents


def _written(documents, copies: Sequence[int]) -> bytes:
    """One PDF of the documents, each repeated as many times as its copies: WeasyPrint draws
    a document's pages once, pypdf repeats them (the copies share their content streams)."""
    data = (documents[0].write_pdf() if len(documents) == 1 else
            documents[0].copy([page for d in documents for page in d.pages]).write_pdf())
    if all(count == 1 for count in copies):
        return data
    from pypdf import PdfReader, PdfWriter
    reader, writer, first = PdfReader(BytesIO(data)), PdfWriter(), 0
    for document, count in zip(documents, copies):
        pages = reader.pages[first:first + len(document.pages)]
        first += len(document.pages)
        for _ in range(count):
            for page in pages:
                writer.add_page(page)
    writer.add_metadata(reader.metadata or {})
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


PARALLEL_FROM = 2  # documents: one is laid out where it is asked for


def render(parts: Sequence[Part], progress: Callable[[int], None] | None = None,
           pages: Callable[[int], None] | None = None, pool=None) -> bytes:
    """Render documents into one PDF; progress(n) is called when n copies are laid out, pages(n)
    as pages are laid out. Given a process pool (the print worker's, printjobs.py) and at least
    PARALLEL_FROM documents, the HTML is made here and laid out in the pool's processes."""
    if pool is not None and len(parts) >= PARALLEL_FROM:
        return _render_parallel(parts, progress, pages, pool)
    return _written(layout(parts, progress, pages), [part.copies for part in parts])


def _render_parallel(parts, progress, pages, pool) -> bytes:
    """WeasyPrint is single-threaded Python: a batch is cut into runs of documents laid out at
    once in the pool's processes, then joined in order (pypdf). Runs are cut by the length of
    their HTML, about two a process, so one long document (the central school's 19 pages in
    the township's 包保责任表) runs alone while the others share the other processes. A run is
    handed to the pool as soon as its HTML is made, so the renderers start while the rest is
    being made. Each run embeds its own subset of the fonts: ~60 KB more a run (100 letters
    541 KB in four runs, 659 KB in six, in the same time)."""
    from pypdf import PdfWriter
    folders = _folders()
    htmls = ((_html(part), part.copies) for part in parts)
    runs = [(sum(count for _, count in run), pool.submit(render_html, run, *folders))
            for run in _runs(htmls, len(parts), getattr(pool, "_max_workers", 2) * 2)]
    writer, done = PdfWriter(), 0
    for count, future in runs:
        writer.append(BytesIO(future.result()))
        done += count
        if progress:
            progress(done)
        if pages:
            pages(len(writer.pages))
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def _runs(htmls: Iterator[tuple[str, int]], total: int, count: int
          ) -> Iterator[list[tuple[str, int]]]:
    """Consecutive runs of (HTML, copies) as the HTML is made, each about 1/count of all the
    HTML, whose length is foreseen from the documents made so far: a document goes to the next
    run when the run would pass its share by more than half of it (runs of 17, 17, 17, 17, 17
    and 15 letters, not 16 × 6 and a last 4 that keeps one process alone)."""
    run, size, made, length = [], 0, 0, 0
    for html, copies_of in htmls:
        made, length = made + 1, length + len(html)
        share = length / made * total / count
        if run and size + len(html) / 2 > share:
            yield run
            run, size = [], 0
        run.append((html, copies_of))
        size += len(html)
    if run:
        yield run


def render_html(htmls: list[tuple[str, int]], static_folder: str, instance_path: str) -> bytes:
    """In a pool process: documents already made into HTML, with their copies, laid out and
    written as one PDF (no app, no database: only the stylesheet, our static files and the
    evidence photos)."""
    lay_out = _kept_lay_out(static_folder, instance_path)
    return framestack.in_one_chunk(lambda: _written([lay_out(html) for html, _ in htmls],
                                                    [count for _, count in htmls]))


@functools.lru_cache(maxsize=2)
def _kept_lay_out(static_folder: str, instance_path: str):
    """A pool process's _lay_out (its font configuration, stylesheets and fetcher), kept from
    run to run and job to job: a new one laid its first document out 14 ms slower."""
    return _lay_out(static_folder, instance_path)


def render_pdf(template: str, **context) -> bytes:
    """Render one print template to PDF bytes."""
    return render([Part(template, context)])


def page_count(data: bytes) -> int:
    """The pages of a PDF we wrote."""
    from pypdf import PdfReader
    return len(PdfReader(BytesIO(data)).pages)
