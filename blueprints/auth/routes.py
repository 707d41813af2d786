import secrets
from datetime import timedelta
from functools import cache
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.security import check_password_hash, generate_password_hash

import access
import audit
from blueprints.auth import bp, sessions
from blueprints.auth.forms import LoginForm, PasswordForm, SetupForm
from extensions import db, limiter
from models import AuditLog, School, User, now
from responses import invalid

LOGIN_LIMIT_MESSAGE = "登录失败次数过多。为保护账号，请 5 分钟后再试；忘记密码请联系中心校管理员重置。"
PC_LIMIT_MESSAGE = ("这台电脑登录失败次数过多。为保护账号，请 5 分钟后再试；"
                    "忘记密码请联系中心校管理员重置。")


def _pc() -> str:
    return request.remote_addr or ""


def _typed_name() -> str:
    return request.form.get("username", "").strip()


def _login_key() -> str:
    return f"{_pc()}|{_typed_name().lower()}"


@cache
def _dummy_hash() -> str:
    """A hash of nothing anyone knows, made as real passwords are: an unknown username costs
    the same check as a wrong password, so the time of the answer does not tell which names
    exist."""
    return generate_password_hash(secrets.token_hex(16))


def _throttled(kind: str):
    """on_breach of a sign-in limit: the refusal is logged (the server's log every time, the
    audit log once per PC, or PC and username, in a 5-minute window)."""
    def note(limit):
        user = db.session.scalar(sa.select(User).filter_by(username=_typed_name())) \
            if kind == "user" else None
        who = (user.username if user else "（未知用户名）") if kind == "user" else "各用户名"
        summary = f"{_pc()} 登录失败过多（{who}），暂停登录 5 分钟"
        current_app.logger.warning("sign-in throttled: %s", summary)
        recent = db.session.scalar(sa.select(AuditLog.id).where(
            AuditLog.action == "login_throttled", AuditLog.summary == summary,
            AuditLog.at > now() - timedelta(seconds=limit.limit.get_expiry())).limit(1))
        if recent is None:
            audit.record("login_throttled", summary, user=user, username="",
                         school_id=user.school_id if user else None,
                         after={"pc": _pc(), "limit": str(limit.limit)})
            db.session.commit()
    return note


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("home.index")


@bp.route("/login", methods=["GET", "POST"])
@access.public
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT"], key_func=_login_key, methods=["POST"],
               deduct_when=lambda response: response.status_code == 422,
               error_message=LOGIN_LIMIT_MESSAGE, on_breach=_throttled("user"))
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_PC"], key_func=_pc, methods=["POST"],
               deduct_when=lambda response: response.status_code == 422,
               error_message=PC_LIMIT_MESSAGE, on_breach=_throttled("pc"))
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.scalar(db.select(User).filter_by(username=form.username.data.strip()))
        # the same work whether or not the name exists: one password check, one log entry
        right = check_password_hash(user.password_hash if user else _dummy_hash(),
                                    form.password.data)
        if user and user.active and right:
            sessions.start(user, remember=form.remember.data)
            user.last_login_at = now()
            audit.record("login", f"{user.name} 登录（{_pc()}）", user=user)
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")), 303)
        audit.record("login_failed", f"{user.username if user else '（未知用户名）'} 登录失败（{_pc()}）",
                     user=user, username="", school_id=user.school_id if user else None)
        db.session.commit()
        form.password.errors.append("用户名或密码不正确，或账号已停用。")
    if form.errors:
        return invalid("auth/login.html", form=form)
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@access.require(*access.EVERYONE, writes=False)  # the read-only inspector signs out too
def logout():
    """Ends this sign-in on the server: a copy of this browser's cookies no longer works."""
    audit.record("logout", f"{current_user.name} 退出登录（{_pc()}）")
    sessions.end()
    db.session.commit()
    flash("您已退出登录。", "success")
    return redirect(url_for("auth.login"), 303)


@bp.route("/password", methods=["GET", "POST"])
@access.require(*access.EVERYONE, writes=False)  # one's own password, the inspector's too
def password():
    form = PasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors.append("当前密码不正确。")
        else:
            user, here = current_user._get_current_object(), sessions.current()
            user.set_password(form.new.data)  # ends every sign-in, this one too
            sessions.start(user, remember=bool(here and here.remember))
            db.session.commit()
            flash("密码已修改。其他电脑上的登录已退出。", "success")
            return redirect(url_for("home.index"), 303)
    if form.errors:
        return invalid("auth/password.html", form=form)
    return render_template("auth/password.html", form=form)


@bp.route("/setup", methods=["GET", "POST"])
@access.public
def setup():
    """First start without demo data: create the central school and its first administrator."""
    if db.session.query(User.id).first() is not None:
        abort(404)
    form = SetupForm()
    if form.validate_on_submit():
        school = School(name=form.school_name.data.strip(), kind="central",
                        code=form.school_code.data or None, village=form.village.data or "")
        user = User(username=form.username.data.strip(), name=form.name.data.strip(),
                    role="central_officer", school=school)
        user.set_password(form.password.data)
        db.session.add_all([school, user])
        sessions.start(user)
        db.session.commit()
        flash("平台已建立。下一步：在“学校”中添加村小和教学点，在“学期”中设置本学期。", "success")
        return redirect(url_for("township.schools"), 303)
    if form.errors:
        return invalid("auth/setup.html", form=form)
    return render_template("auth/setup.html", form=form)
