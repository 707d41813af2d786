"""Evidence files users upload (signed scans, visit photos, activity photos): the type is read
from the file's first bytes, not its name; an image's pixel size from its header, before
anything is decoded; each file is stored under a new name in its instance folder."""
from __future__ import annotations

import secrets
import warnings
from io import BytesIO
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from flask import current_app
from refusal import Refusal

ACTIVITY_PHOTOS = "activities"  # instance/activities/: activity photos and their print copies
SCANS = "scans"  # instance/scans/: signed papers as scanned (pledges, notices' 回执)
SCAN_COPIES = "scan-copies"  # instance/scan-copies/: a scan's print copy, for the evidence pack
TYPES = {b"%PDF": "pdf", b"\xff\xd8\xff": "jpg", b"\x89PNG": "png"}
WRONG_TYPE = "文件内容不是 PDF、JPG 或 PNG（可能改过扩展名），请重新扫描或拍照后上传。"
NOT_AN_IMAGE = "图片打不开（文件可能已损坏），请重新拍照或扫描后上传。"
# A decoded image takes 3-4 bytes a pixel: a 94 KB PNG of 10,000 x 10,000 pixels took ~480 MB
# of the server's memory to make its print copy. A phone photo is 12-16 MP in its normal mode
# (50 MP and more only in a "high resolution" mode); an A4 scan at 300 dpi is 8.7 MP.
MAX_PIXELS = 40_000_000
TOO_MANY_PIXELS = ("图片像素太多（{size}），最多 4000 万像素。请用手机的普通拍照模式，或用扫描仪 "
                   "300 dpi 以下，重新拍照或扫描后上传。")
Image.MAX_IMAGE_PIXELS = 3 * MAX_PIXELS  # Pillow refuses past twice this even to open a file


def kind(data: bytes) -> str:
    """pdf / jpg / png by content. Raises Refusal with the Chinese reason for another
    content, an image that does not open, or one of more than MAX_PIXELS pixels (read from
    its header: nothing is decoded)."""
    ext = next((ext for magic, ext in TYPES.items() if data.startswith(magic)), None)
    if ext is None:
        raise Refusal(WRONG_TYPE)
    if ext == "pdf":
        return ext
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(BytesIO(data)) as image:
                width, height = image.size
    except Image.DecompressionBombError as error:
        raise Refusal(TOO_MANY_PIXELS.format(
            size=f"超过 {2 * Image.MAX_IMAGE_PIXELS // 10_000} 万像素")) from error
    except (UnidentifiedImageError, OSError) as error:
        raise Refusal(NOT_AN_IMAGE) from error
    if width * height > MAX_PIXELS:
        raise Refusal(TOO_MANY_PIXELS.format(
            size=f"{width}×{height}，约 {round(width * height / 10_000)} 万像素"))
    return ext


def folder(name: str) -> Path:
    path = Path(current_app.instance_path) / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def store(folder_name: str, prefix: str, data: bytes, ext: str) -> str:
    """Write the file under a fresh name; returns the name to keep on the row."""
    name = f"{prefix}-{secrets.token_hex(6)}.{ext}"
    (folder(folder_name) / name).write_bytes(data)
    return name


PRINT_SIDE = 1200  # px: the long side of a photo as PDFs embed it (~15 cm at 200 dpi)


def print_copy(data: bytes) -> bytes:
    """A JPG or PNG that kind() accepted, downscaled for PDFs: upright (EXIF orientation),
    RGB, at most PRINT_SIDE px on its long side, JPEG quality 70 (a phone photo of 3-5 MB
    becomes ~100-200 KB). A JPEG is decoded at the smallest scale that still covers PRINT_SIDE
    (draft: 1/2, 1/4 or 1/8 of its pixels). Raises Refusal(NOT_AN_IMAGE) for a file that
    does not decode."""
    try:
        with Image.open(BytesIO(data)) as image:
            image.draft("RGB", (PRINT_SIDE, PRINT_SIDE))
            image = ImageOps.exif_transpose(image).convert("RGB")
            image.thumbnail((PRINT_SIDE, PRINT_SIDE))
            out = BytesIO()
            image.save(out, "JPEG", quality=70, optimize=True)
            return out.getvalue()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise Refusal(NOT_AN_IMAGE) from error


def scan_copy(scan_name: str) -> str | None:
    """The print copy (JPEG, PRINT_SIDE px) of a signed scan in SCANS, made the first time it
    is asked for: an image downscaled, a scanned PDF's page image (a scanner's PDF holds one
    image a page). None when the scan is gone or holds no image."""
    name = Path(scan_name).stem + ".jpg"
    copy = folder(SCAN_COPIES) / name
    if copy.is_file():
        return name
    source = folder(SCANS) / scan_name
    if not source.is_file():
        return None
    data = source.read_bytes()
    if data.startswith(b"%PDF"):
        data = page_image(data)
        if data is None:
            return None
    try:
        copy.write_bytes(print_copy(data))
    except Refusal:
        return None
    return name


# Endpoints that take more than MAX_CONTENT_LENGTH: a stack of signed sheets scanned at once
# (a phone's 20 photos run to 60 MB).
LARGE_UPLOADS = {"prints.scan_in_upload": 120 * 1024 * 1024}

SCANNED_SIDE = 500  # px: an A4 page scanned or photographed at 60 dpi or more


def page_image(data: bytes, page: int = 0) -> bytes | None:
    """The picture of a scanned page of a PDF (its largest image, at least SCANNED_SIDE px on
    its shorter side), as its own file's bytes; None for a page that is not a scan. A PDF the
    app printed is not one: its images are QR codes of 29 px, which WeasyPrint lists in every
    page's resources (a reviewer's upload of a printed batch matched pages to the wrong
    pledges by them)."""
    from pypdf import PdfReader
    try:
        images = PdfReader(BytesIO(data)).pages[page].images
        best = max(images, key=lambda i: len(i.data), default=None)
        if best is None or min(best.image.size) < SCANNED_SIDE:
            return None
    except Exception:  # noqa: BLE001 - a damaged PDF has no image to show
        return None
    out = BytesIO()
    best.image.convert("RGB").save(out, "JPEG", quality=85)
    return out.getvalue()
