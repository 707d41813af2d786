"""Paper as it comes back: a PDF the app printed, rasterised page by page (pdftoppm, as a
scanner sees the sheets), some pages turned, made into one scanned PDF (each page a JPEG, as a
scanner's PDF holds it) or a set of phone-style JPEGs."""
from __future__ import annotations

import re
import subprocess
import tempfile
from io import BytesIO
from pathlib import Path

from PIL import Image


def raster(pdf: bytes, dpi: int = 150) -> list[Image.Image]:
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-jpeg", "-", f"{folder}/p"],
                       input=pdf, check=True, capture_output=True)
        return [Image.open(p).copy() for p in sorted(Path(folder).glob("p-*.jpg"))]


def cut_off(pdf: bytes, word: str, dpi: int = 150) -> Image.Image:
    """What is below the line holding `word` on the last page, as a slip cut off along that
    line and scanned alone (pdftotext -bbox finds the line)."""
    boxes = subprocess.run(["pdftotext", "-bbox", "-", "-"], input=pdf, check=True,
                           capture_output=True).stdout.decode().split("<page ")[-1]
    top = next(float(y) for y, text in re.findall(r'<word xMin="[\d.]+" yMin="([\d.]+)"[^>]*>'
                                                  r'([^<]*)</word>', boxes) if word in text)
    page = raster(pdf, dpi)[-1]
    return page.crop((0, int(top * dpi / 72), page.width, page.height))


def scanned_pdf(pages: list[Image.Image], turn: dict[int, int] | None = None) -> bytes:
    """One PDF of the pages (turned by `turn`: page index -> degrees), each a JPEG image."""
    turned = [p.rotate((turn or {}).get(i, 0), expand=True).convert("L")
              for i, p in enumerate(pages)]
    out = BytesIO()
    turned[0].save(out, "PDF", resolution=150, save_all=True, append_images=turned[1:])
    return out.getvalue()


def jpeg(page: Image.Image, turn: int = 0) -> bytes:
    out = BytesIO()
    page.rotate(turn, expand=True).convert("RGB").save(out, "JPEG", quality=80)
    return out.getvalue()


def blank_page() -> Image.Image:
    return Image.new("L", (1240, 1754), 255)  # an A4 sheet at 150 dpi with nothing on it
