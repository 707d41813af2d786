"""The one PDF helper: a print template (templates/print/) rendered to PDF bytes by WeasyPrint.

The same HTML is the browser's print preview. WeasyPrint may read our own static files and
nothing else (no network, no local paths). Speed depends on HarfBuzz's subsetter
(libharfbuzz-subset0): with it a Chinese page renders in about 0.3 s, without it WeasyPrint
falls back to fontTools and takes 11-15 s, so create_app() warns when it is missing.
"""
from __future__ import annotations

import ctypes.util
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import current_app, render_template
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

ORIGIN = "http://baoxue.invalid"  # the base URL documents resolve against; never fetched


def harfbuzz_subset_available() -> bool:
    return ctypes.util.find_library("harfbuzz-subset") is not None


class StaticFetcher(URLFetcher):
    """Serves /static/... from our static folder and refuses every other URL."""

    def __init__(self, static_folder: str):
        super().__init__(allowed_protocols=["http"], allow_redirects=False)
        self.static = Path(static_folder).resolve()

    def fetch(self, url, headers=None):
        path_part = urlsplit(url).path
        if url.startswith(ORIGIN + "/static/"):
            path = (self.static / unquote(path_part[len("/static/"):])).resolve()
            if path.is_relative_to(self.static) and path.is_file():
                mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, body=path.read_bytes(),
                                          headers={"Content-Type": mime})
        raise ValueError(f"PDF documents may only load our own static files, not {url!r}")


def render_pdf(template: str, **context) -> bytes:
    """Render a print template to PDF bytes."""
    html = render_template(template, pdf=True, **context)
    return HTML(string=html, base_url=ORIGIN + "/",
                url_fetcher=StaticFetcher(current_app.static_folder)).write_pdf()
