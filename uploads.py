"""Evidence files users upload (signed scans, visit photos): the type is read from the file's
first bytes, not its name, and each file is stored under a new name in its instance folder."""
from __future__ import annotations

import secrets
from pathlib import Path

from flask import current_app

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
