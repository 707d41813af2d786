"""Baoxue (保学): the township intranet for 控辍保学. create_app() builds the whole app."""
from __future__ import annotations

import gc
import importlib
import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, flash, redirect, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import event
from sqlalchemy.engine import Engine

import access
import doc_codes
import audit  # noqa: F401  (registers the audit hook)
import excel
import menu
import models
import paging
import params
import typeset
import uploads
from blueprints.home import guide
from refusal import Refusal
from extensions import csrf, db, htmx, limiter, login_manager, migrate
from responses import is_htmx, message_response

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


def _instance_config(app: Flask) -> None:
    """Load instance/config.py, writing one with a fresh SECRET_KEY on the first start."""
    path = Path(app.instance_path) / "config.py"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            "# Baoxue instance settings (not committed). See README: Configuration.\n"
            f"SECRET_KEY = {secrets.token_hex(32)!r}\n"
            "# DATABASE_URL = 'postgresql://baoxue:secret@localhost/baoxue'\n",
            encoding="utf-8")
    app.config.from_pyfile(path)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=10000")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()


AREAS = ("auth", "home", "township", "students", "records", "special", "responsibility",
         "pledges", "aid", "pairs", "attendance", "cases", "dashboard", "meetings", "prints",
         "activities", "summaries", "evidence", "counseling")


# The modules whose DEFAULTS are settings (考勤预警, 风险等级, 巩固率, 结对帮扶); importing them
# does not import any area's views.
SETTINGS = ("blueprints.attendance.rules", "blueprints.attendance.risk",
            "blueprints.dashboard.rates", "blueprints.pairs.schedule")


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.request_class = params.Request
    app.url_map.converters["int"] = params.IdConverter
    app.config.from_mapping(
        SQLALCHEMY_DATABASE_URI="sqlite:///" + os.path.join(app.instance_path, "baoxue.db"),
        MAX_CONTENT_LENGTH=20 * 1024 * 1024,  # uploads (rosters, scans, a few activity photos)
        PRINT_PROCESSES=os.cpu_count() or 1,  # the print worker's renderers (printjobs.py)
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
        WTF_I18N_ENABLED=False,  # forms.Form takes WTForms' own Chinese messages
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_DURATION=60 * 60 * 24 * 14,
        PAGE_SIZE=50,
        LOGIN_LIMIT="5 per 5 minutes",  # failed sign-ins per PC and username
        LOGIN_LIMIT_PER_PC="20 per 5 minutes",  # failed sign-ins per PC, whatever the username
        # One waitress process serves a township, so counters live in memory; a county running
        # several processes sets RATELIMIT_STORAGE_URI = "redis://..." in instance/config.py.
        RATELIMIT_STORAGE_URI="memory://",
    )
    for module in SETTINGS:  # each area's settings, beside the area that reads them
        app.config.from_mapping(importlib.import_module(module).DEFAULTS)
    if config is None:
        _instance_config(app)
    else:
        app.config.update(config)
    if os.environ.get("DATABASE_URL") and not (config and "SQLALCHEMY_DATABASE_URI" in config):
        app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    elif app.config.get("DATABASE_URL") and not (config and "SQLALCHEMY_DATABASE_URI" in config):
        app.config["SQLALCHEMY_DATABASE_URI"] = app.config["DATABASE_URL"]
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith(("postgresql://", "postgres://")):  # the driver we ship is psycopg 3
        app.config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://" + uri.split("://", 1)[1]
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError("SECRET_KEY is not set (instance/config.py)")

    db.init_app(app)
    migrate.init_app(app, db, render_as_batch=True,
                     directory=os.path.join(app.root_path, "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    # before CSRF protection reads the form: the scan-in takes a whole stack of signed sheets
    # (a phone's 20 photos run to 60 MB), every other upload MAX_CONTENT_LENGTH
    app.before_request_funcs.setdefault(None, []).insert(0, _upload_limit)
    htmx.init_app(app)
    limiter.init_app(app)

    for area in AREAS:  # each area's views, registered on its blueprint
        app.register_blueprint(importlib.import_module(f"blueprints.{area}.routes").bp)

    import pdf
    if not pdf.harfbuzz_subset_available():
        app.logger.warning("libharfbuzz-subset0 is missing: every PDF will take 11-15 s instead of "
                           "0.3 s. Install it: apt-get install libharfbuzz-subset0")
    _wire_login(app)
    _wire_requests(app)
    _wire_errors(app)
    _wire_templates(app)

    import cli
    cli.register(app)
    return app


GC_THRESHOLD = (10_000, 50, 100)  # collections of cycles: Python's default is (700, 10, 10)


def serve(app: Flask | None = None) -> Flask:
    """The app for the production server (waitress-serve --call app:serve): create_app(),
    then the start-up heap (modules, mappers, the app) moved out of the garbage collector's
    reach with gc.freeze(), and collections made rarer (GC_THRESHOLD). A request's rows are
    freed as it ends (reference counts); what the collector looks for is cycles, and each full
    collection walked the rows of the request it fell in: 25-55 ms added to every tenth or so
    request (the county ledger 24 -> 74 ms, the 佐证材料 page 29 -> 57 ms). With both, the
    p95 of bench/pages.py is within 1.5 times the median on 75 of its 76 rows. Not in
    create_app(): tests build many apps, which frozen would never be freed."""
    app = app or create_app()
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLD)
    return app


def _wire_login(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录。"
    login_manager.session_protection = "basic"

    from blueprints.auth import sessions
    login_manager.user_loader(sessions.load)

    @login_manager.unauthorized_handler
    def unauthorized():
        """Signed out (in another tab, or by the idle timeout): a form sent by htmx stays on its
        page with what was typed, and says how to go on; anything else goes to the sign-in
        form, which says why and comes back to the page after it."""
        if is_htmx() and request.method == "POST":
            return message_response(SIGNED_OUT, 401)
        flash(login_manager.login_message, "error")
        if is_htmx():  # the whole page, not a table cell, goes to the sign-in form
            here = urlsplit(request.headers.get("HX-Current-URL", ""))
            back = here.path + (f"?{here.query}" if here.query else "")
            return "", 401, {"HX-Redirect": url_for("auth.login", next=back or None)}
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


SIGNED_OUT = ("登录已失效（在别的窗口退出了，或太久没有操作），这次没有保存。您填写的内容还在："
              "请在新的浏览器标签页里重新登录，再回到这里点保存。")


def _wire_requests(app: Flask) -> None:
    @app.before_request
    def setup_first():
        """An empty database has no one to sign in: send every visit to the set-up page."""
        if app.config.get("_has_users") or request.endpoint in ("static", "auth.setup"):
            return None
        if db.session.query(models.User.id).first() is None:
            return redirect(url_for("auth.setup"))
        app.config["_has_users"] = True
        return None

    app.before_request(access.check_request)

    @app.after_request
    def headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "same-origin"
        if response.mimetype == "text/html":
            response.vary.add("HX-Request")
            response.headers["Cache-Control"] = "no-store"  # minors' records: no copies on disk
        if response.status_code == 422 and is_htmx():
            # a form shown again with its errors: the address stays the page's, so that F5
            # reloads the page, not the form's POST address (/cases/4/step answered 405)
            response.headers.setdefault("HX-Push-Url", "false")
        return response


def _wire_errors(app: Flask) -> None:
    messages = {
        400: "请求无效，请返回上一页重试。",
        403: "您没有权限进行此操作。如需权限，请联系中心校管理员。",
        404: "找不到该页面或记录，或者它不在您的管理范围内。",
        405: "不支持此操作方式。",
        413: "上传的文件太大（上限 {limit}），请压缩或拆分后重新上传。",
        429: "操作过于频繁，请稍后再试。",
        500: "服务器出错了，刚才的操作没有保存。请稍后重试；如果一再出现，请联系中心校管理员。",
    }

    def handler(code):
        def handle(error):
            if code == 500:
                db.session.rollback()
            text = messages[code].format(limit=_size(request.max_content_length
                                                     or app.config["MAX_CONTENT_LENGTH"]))
            limit = getattr(error, "limit", None)  # Flask-Limiter: a limit may carry its own text
            if code == 429 and limit is not None and limit.error_message:
                text = error.description
            return message_response(text, code)
        return handle

    for code in messages:
        app.register_error_handler(code, handler(code))

    @app.errorhandler(Refusal)
    def refused(refusal):
        """A request the rules refuse (refusal.py): nothing of it is kept; the user reads why."""
        db.session.rollback()
        return message_response(str(refusal), 422)

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return message_response("页面已过期或来源不明（安全校验未通过），请刷新页面后重新提交。", 400)


def _upload_limit() -> None:
    if request.endpoint in uploads.LARGE_UPLOADS:
        request.max_content_length = uploads.LARGE_UPLOADS[request.endpoint]


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:g} MB" if n >= 1024 * 1024 else f"{max(1, round(n / 1024))} KB"


def _wire_templates(app: Flask) -> None:
    app.add_template_filter(audit.shown, "audit_value")
    typeset.register(app)

    @app.template_filter("field_label")
    def field_label(key):
        return audit.FIELD_LABELS.get(key, key)

    @app.context_processor
    def globals_():
        return {"access": access, "M": models, "current_user": current_user._get_current_object(),
                "doc_code": doc_codes.template_code, "help_section": guide.section_of,
                "timedelta": timedelta, "spreadsheets": excel.SPREADSHEET_ACCEPT,
                "row_url": paging.RowUrl, "main_menu": menu.main_menu,
                "show_student": paging.RowUrl("students.show", "student_id")}
