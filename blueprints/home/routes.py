"""The home page: the register at a glance, one's own classes, 待办 (home/overview.py), and for
the central officer the health panel (home/health.py); and 帮助, the user guide (home/guide.py)."""
from flask import abort, render_template, send_file, send_from_directory, url_for

import access
import audit
import clock
from blueprints.home import bp, guide, health, overview
from extensions import db


@bp.route("/")
@access.require(*access.EVERYONE)
def index():
    today = clock.today()
    by_status, flags = overview.register_counts()
    return render_template("home/index.html", by_status=by_status, flags=flags,
                           total=sum(by_status.values()), classes=overview.own_classes(),
                           todo=overview.todo(today), today=today,
                           health=health.check() if access.acts_for_township() else None)


@bp.route("/backups/<name>")
@access.require(*access.OFFICER)
def backup_file(name):
    """A backup from the health panel, as a download (audited)."""
    found = next((p for p in health.backups() if p.name == name), None)
    if found is None:
        abort(404)
    audit.record("export", f"下载数据库备份 {found.name}", after={"format": found.suffix[1:]})
    db.session.commit()
    return send_file(found, as_attachment=True, download_name=found.name)


@bp.route("/help")
@access.require(*access.EVERYONE)
def help_page():
    return render_template("home/help.html", guide=guide.html(
        lambda name: url_for("home.help_image", name=name)))


@bp.route("/help/img/<name>")
@access.require(*access.EVERYONE)
def help_image(name):
    if not name.endswith(".png"):
        abort(404)
    return send_from_directory(guide.GUIDE / "img", name, max_age=86400)
