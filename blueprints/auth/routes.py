from urllib.parse import urlsplit

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

import access
import audit
from blueprints.auth import bp, sessions
from blueprints.auth.forms import LoginForm, PasswordForm, SetupForm
from extensions import db, limiter
from models import School, User
from responses import invalid

LOGIN_LIMIT_MESSAGE = "登录失败次数过多。为保护账号，请 5 分钟后再试；忘记密码请联系中心校管理员重置。"
PC_LIMIT_MESSAGE = ("这台电脑登录失败次数过多。为保护账号，请 5 分钟后再试；"
                    "忘记密码请联系中心校管理员重置。")


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("home.index")


@bp.route("/login", methods=["GET", "POST"])
@access.public
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT"], key_func=sessions.pc_and_name,
               methods=["POST"], deduct_when=lambda response: response.status_code == 422,
               error_message=LOGIN_LIMIT_MESSAGE, on_breach=sessions.throttled("user"))
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_PC"], key_func=sessions.pc,
               methods=["POST"], deduct_when=lambda response: response.status_code == 422,
               error_message=PC_LIMIT_MESSAGE, on_breach=sessions.throttled("pc"))
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = sessions.sign_in(form.username.data, form.password.data, form.remember.data)
        db.session.commit()  # the sign-in, or the failure's log entry
        if user is not None:
            return redirect(_safe_next(request.args.get("next")), 303)
        form.password.errors.append("用户名或密码不正确，或账号已停用。")
    if form.errors:
        return invalid("auth/login.html", form=form)
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@access.require(*access.EVERYONE, writes=False)  # the read-only inspector signs out too
def logout():
    """Ends this sign-in on the server: a copy of this browser's cookies no longer works."""
    audit.record("logout", f"{current_user.name} 退出登录（{sessions.pc()}）")
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
                    role=access.FIRST_ACCOUNT, school=school)
        user.set_password(form.password.data)
        db.session.add_all([school, user])
        sessions.start(user)
        db.session.commit()
        flash("平台已建立。下一步：在“学校”中添加村小和教学点，在“学期”中设置本学期。", "success")
        return redirect(url_for("township.schools"), 303)
    if form.errors:
        return invalid("auth/setup.html", form=form)
    return render_template("auth/setup.html", form=form)
