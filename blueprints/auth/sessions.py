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

Signing in (sign_in) does the same work whether or not the username exists (a password hash
checked, a log entry written), so the time of the answer does not tell which names exist; the
sign-in limits' refusals are logged by throttled().
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from functools import cache

import sqlalchemy as sa
from flask import current_app, request
from flask_login import current_user, login_user, logout_user
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

import audit
from extensions import db
from models import AuditLog, User, UserSession, now

IDLE = timedelta(hours=12)  # a working day, with the lunch break and the evening's home visits
TOUCH_EVERY = timedelta(minutes=5)


def pc() -> str:
    """The address of the PC a request comes from."""
    return request.remote_addr or ""


def _typed_name() -> str:
    return request.form.get("username", "").strip()


def pc_and_name() -> str:
    """The key of the per-PC-and-username sign-in limit."""
    return f"{pc()}|{_typed_name().lower()}"


@cache
def _dummy_hash() -> str:
    """A hash of nothing anyone knows, made as real passwords are."""
    return generate_password_hash(secrets.token_hex(16))


def sign_in(username: str, password: str, remember: bool) -> User | None:
    """The user signed in on this browser, or None (wrong password, unknown name or a
    deactivated account; logged as 登录失败, without a name nobody has: it may be a password
    typed in the wrong box). The caller commits."""
    user = db.session.scalar(sa.select(User).filter_by(username=username.strip()))
    right = check_password_hash(user.password_hash if user else _dummy_hash(), password)
    if user is None or not user.active or not right:
        audit.record("login_failed", f"{user.username if user else '（未知用户名）'} 登录失败（{pc()}）",
                     user=user, username="", school_id=user.school_id if user else None)
        return None
    start(user, remember=remember)
    user.last_login_at = now()
    audit.record("login", f"{user.name} 登录（{pc()}）", user=user)
    return user


def throttled(kind: str):
    """on_breach of a sign-in limit ("user": per PC and username, "pc": per PC): the refusal
    goes to the server's log every time, to the audit log once in the limit's window."""
    def note(limit):
        user = db.session.scalar(sa.select(User).filter_by(username=_typed_name())) \
            if kind == "user" else None
        who = (user.username if user else "（未知用户名）") if kind == "user" else "各用户名"
        summary = f"{pc()} 登录失败过多（{who}），暂停登录 5 分钟"
        current_app.logger.warning("sign-in throttled: %s", summary)
        recent = db.session.scalar(sa.select(AuditLog.id).where(
            AuditLog.action == "login_throttled", AuditLog.summary == summary,
            AuditLog.at > now() - timedelta(seconds=limit.limit.get_expiry())).limit(1))
        if recent is None:
            audit.record("login_throttled", summary, user=user, username="",
                         school_id=user.school_id if user else None,
                         after={"pc": pc(), "limit": str(limit.limit)})
            db.session.commit()
    return note


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
                                     address=pc()[:45]))
    user.session_token = token
    db.session.flush()  # a new user's id, for the cookie
    login_user(user, remember=remember)


def load(user_key: str) -> User | None:
    """Flask-Login's user loader: the user of a live sign-in, or None (signed out)."""
    user_id, _, token = user_key.partition(":")
    if not user_id.isdigit() or not token:
        return None
    found = db.session.execute(  # the user's school too: every page's scope reads it
        sa.select(User, UserSession).join(UserSession, UserSession.user_id == User.id)
        .where(UserSession.token_hash == _hash(token)).options(joinedload(User.school))).first()
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
