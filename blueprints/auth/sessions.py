"""Sign-ins kept on the server (models.UserSession), so that signing out ends them.

Flask's session is a signed cookie: on its own, a copy of it (or of the remember-me cookie)
taken before signing out would still work afterwards, which matters on the shared PCs of a
village school. Each sign-in therefore gets a random token; the cookies carry
"<user id>:<token>" (User.get_id), the database the token's SHA-256, and a request is signed in
only while that row exists:

- 退出登录 deletes the row of this sign-in;
- a new password (the user's own or a reset by the officer) and a deactivated account delete
  every row of the user (User.end_sessions);
- a sign-in without 保持登录 ends after IDLE without a request (a browser left open overnight);
  with it, when the remember-me cookie does (REMEMBER_COOKIE_DURATION, two weeks).

A sign-in's last use is written at most every TOUCH_EVERY, on a connection of its own, so
reading a page does not write on every request.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, request
from flask_login import current_user, login_user, logout_user

from extensions import db
from models import User, UserSession, now

IDLE = timedelta(hours=12)  # a working day, with the lunch break and the evening's home visits
TOUCH_EVERY = timedelta(minutes=5)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _live(row: UserSession) -> bool:
    """True while the sign-in may still be used."""
    if row.remember:
        duration = current_app.config["REMEMBER_COOKIE_DURATION"]
        if isinstance(duration, int):
            duration = timedelta(seconds=duration)
        return row.created_at > now() - duration
    return row.seen_at > now() - IDLE


def start(user: User, remember: bool = False) -> None:
    """Sign the user in on this browser: a new sign-in row and its token in the cookies. The
    user's expired rows are cleared on the way. The caller commits."""
    for row in [r for r in user.sessions if not _live(r)]:
        user.sessions.remove(row)
    token = secrets.token_urlsafe(32)
    user.sessions.append(UserSession(token_hash=_hash(token), remember=remember,
                                     address=(request.remote_addr or "")[:45]))
    user.session_token = token
    db.session.flush()  # a new user's id, for the cookie
    login_user(user, remember=remember)


def load(user_key: str) -> User | None:
    """Flask-Login's user loader: the user of a live sign-in, or None (signed out)."""
    user_id, _, token = user_key.partition(":")
    if not user_id.isdigit() or not token:
        return None
    found = db.session.execute(
        sa.select(User, UserSession).join(UserSession, UserSession.user_id == User.id)
        .where(UserSession.token_hash == _hash(token))).first()
    if found is None:
        return None
    user, row = found
    if user.id != int(user_id) or not user.active or not _live(row):
        return None
    if row.seen_at < now() - TOUCH_EVERY:
        with db.engine.begin() as conn:  # outside the request's transaction, which may not commit
            conn.execute(sa.update(UserSession).where(UserSession.id == row.id)
                         .values(seen_at=now()))
    user.session_token = token
    return user


def current() -> UserSession | None:
    """This request's sign-in row."""
    token = getattr(current_user, "session_token", "")
    if not token:
        return None
    return db.session.scalar(sa.select(UserSession).where(UserSession.token_hash == _hash(token)))


def end() -> None:
    """Sign out this browser: its sign-in row goes, so copies of its cookies stop working.
    The caller commits."""
    row = current()
    if row is not None:
        db.session.delete(row)
    logout_user()
