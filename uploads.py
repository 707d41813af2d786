"""Evidence files users upload (signed scans, visit photos): the type is read from the file's
first bytes, not its name, and each file is stored under a new name in its instance folder."""
from __future__ import annotations

import secrets
from io import BytesIO
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from flask import current_app

ACTIVITY_PHOTOS = "activities"  # instance/activities/: activity photos and their print copies
TYPES = {b"%PDF": "pdf", b"\xff\xd8\xff": "jpg", b"\x89PNG": "png"}
WRONG_TYPE = "文件内容不是 PDF、JPG 或 PNG（可能改过扩展名），请重新扫描或拍照后上传。"


def kind_of(data: bytes) -> str | None:
    """pdf / jpg / png by content, or None."""
    return next((ext for magic, ext in TYPES.items() if data.startswith(magic)), None)


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
NOT_AN_IMAGE = "图片打不开（文件可能已损坏），请重新拍照或扫描后上传。"
Image.MAX_IMAGE_PIXELS = 60_000_000  # a phone photo is ~12-50 MP; refuse decompression bombs


def print_copy(data: bytes) -> bytes:
    """A JPG or PNG downscaled for PDFs: upright (EXIF orientation), RGB, at most PRINT_SIDE
    px on its long side, JPEG quality 70 (a phone photo of 3-5 MB becomes ~100-200 KB).
    Raises ValueError(NOT_AN_IMAGE) for a file that does not decode."""
    try:
        with Image.open(BytesIO(data)) as image:
            image = ImageOps.exif_transpose(image).convert("RGB")
            image.thumbnail((PRINT_SIDE, PRINT_SIDE))
            out = BytesIO()
            image.save(out, "JPEG", quality=70, optimize=True)
            return out.getvalue()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise ValueError(NOT_AN_IMAGE) from error
