"""The document number every printed page of a pledge, a notice and a visit form carries as a
small QR code, and reading it back from a scanned page.

A code says what the sheet is: BX/P/<doc no> (a pledge; the copies of 一式两份 are identical),
BX/N/<doc no> (a case notice), BX/V/<visit id> (a 家访记录表). Sheets printed before 2026-12
carry the copy too (BX/P/<doc no>/<copy>); it is read and ignored. Only QR's alphanumeric
characters (0-9 A-Z space $%*+-./:), so a code is version 2 (25 × 25 modules): 15 mm on paper
gives a module of 0.5 mm, read at 150 dpi from a scanner or a phone photo. segno writes it as a
PNG of a pixel a module, inlined as a data: URL (no file, no fetch: print templates put it in a
running element on every page) and drawn without smoothing (image-rendering: pixelated); as
inline SVG it cost WeasyPrint 11 ms a page to draw its path, as a PNG under 1 ms. zxing-cpp
reads it from a page in any of the four orientations.
"""
from __future__ import annotations

from dataclasses import dataclass

import segno
from markupsafe import Markup
from PIL import Image

PREFIX = "BX"
MASK = 2  # QR mask pattern 2 (every third column), chosen once
KINDS = {"P": "pledge", "N": "notice", "V": "visit"}


@dataclass(frozen=True)
class Code:
    kind: str  # pledge / notice / visit
    number: str  # a pledge's or notice's doc_no, a visit's id

    @property
    def text(self) -> str:
        letter = next(k for k, v in KINDS.items() if v == self.kind)
        return f"{PREFIX}/{letter}/{self.number}".upper()


def parse(text: str) -> Code | None:
    """A scanned code's text as a Code; None for another QR code (a poster's URL)."""
    parts = (text or "").strip().upper().split("/")
    if len(parts) < 3 or parts[0] != PREFIX or parts[1] not in KINDS or not parts[2]:
        return None
    return Code(KINDS[parts[1]], parts[2])


def image(code: Code) -> Markup:
    """The code as an <img> of a PNG data: URL, sized by CSS (.doc-code). The mask is fixed:
    segno scoring the 8 masks took 12 of a pledge's ~80 ms; any mask reads (tests/test_scanin.py)."""
    qr = segno.make(code.text, error="m", micro=False, mask=MASK)
    return Markup('<img class="doc-code" alt="" src="{}">').format(
        qr.png_data_uri(scale=1, border=2))


def template_code(kind: str, number, shown: str | None = None) -> Markup:
    """Print templates' doc_code(): the running element that puts the code on every page, with
    the document's number under it as the paper prints it (`shown`: a visit's JF-000001)."""
    code = Code(kind, str(number))
    return Markup('<div class="doc-code-box">{}<span>{}</span></div>').format(
        image(code), shown or code.number)


def read(image: Image.Image) -> list[Code]:
    """Every one of our codes on a scanned page (usually one)."""
    import zxingcpp
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    return [c for c in (parse(r.text) for r in found) if c is not None]
