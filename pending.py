"""An uploaded list kept between its preview and its confirmation (the roster import, the 户籍
list): every import that writes is preview → confirm, and the confirmation reads the same file
again, never one sent anew.

keep() stores the file under instance/imports/ with a random token and binds it, in the user's
session, to what it was checked for (the school a roster goes into); load() gives it back only
to the same user, with the same token and binding, else 404. A user has one pending file per
kind: a new preview replaces the last, and files left by abandoned previews go after a day.
"""
from __future__ import annotations

import time
from pathlib import Path
from uuid import uuid4

from flask import abort, current_app, session
from flask_login import current_user

MAX_AGE = 24 * 3600


def _folder() -> Path:
    path = Path(current_app.instance_path) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _path(kind: str, token: str) -> Path:
    return _folder() / f"{kind}-{current_user.id}-{token}.sheet"


def keep(kind: str, data: bytes, **bound) -> str:
    """Store a previewed file for its confirmation; returns its token."""
    stale = time.time() - MAX_AGE
    for old in _folder().glob("*.sheet"):
        if old.name.startswith(f"{kind}-{current_user.id}-") or old.stat().st_mtime < stale:
            old.unlink(missing_ok=True)
    token = uuid4().hex
    _path(kind, token).write_bytes(data)
    session[f"pending_{kind}"] = {"token": token, **bound}
    return token


def load(kind: str, token: str, **bound) -> bytes:
    """The file behind a preview: only its uploader, with its token and binding, reaches it."""
    if not token.isalnum() or session.get(f"pending_{kind}") != {"token": token, **bound}:
        abort(404)
    path = _path(kind, token)
    if not path.exists():
        abort(404)
    return path.read_bytes()


def drop(kind: str, token: str) -> None:
    """The file has been imported: it and its binding go."""
    _path(kind, token).unlink(missing_ok=True)
    session.pop(f"pending_{kind}", None)
