"""The central officer's health panel (issue 22, part 2): the version, the newest backup and
where backups go, the last nightly run, disk and database size, and a red line for an old
backup, a failed nightly run or a nearly full disk; a backup downloaded from it is audited."""
import os
import time
from pathlib import Path
from unittest import mock

from extensions import db
from models import AuditLog


def test_the_panel_tells_the_officer_what_to_act_on(app, world, login):
    officer = login("officer")
    page = officer.get("/").text
    assert "系统运行情况" in page and "还没有数据库备份" in page
    assert "夜间运行（预警规则和风险评分）还没有运行过" in page
    assert "系统运行情况" not in login("head").get("/").text  # the officer's alone

    runner = app.test_cli_runner()
    assert runner.invoke(args=["backup"]).exit_code == 0
    assert runner.invoke(args=["rules", "run"]).exit_code == 0
    page = officer.get("/").text
    assert "还没有数据库备份" not in page and "还没有运行过" not in page
    assert "，完成：预警" in page and "数据库结构 00" in page

    # a backup of three days ago is a red line
    backup = next(p for p in (Path(app.instance_path) / "backups").iterdir())
    old = time.time() - 3 * 86400
    os.utime(backup, (old, old))
    assert "已超过 2 天：请检查自动备份" in officer.get("/").text

    # a nightly run that fails says so
    with mock.patch("blueprints.attendance.rules.run_all", side_effect=RuntimeError("磁盘只读")):
        assert runner.invoke(args=["rules", "run"]).exit_code != 0
    assert "的夜间运行失败：RuntimeError: 磁盘只读" in officer.get("/").text


def test_a_backup_is_downloaded_from_the_panel_and_audited(app, world, login):
    assert app.test_cli_runner().invoke(args=["backup"]).exit_code == 0
    officer = login("officer")
    page = officer.get("/").text
    name = page.split('/backups/')[1].split('"')[0]
    with officer.get(f"/backups/{name}") as response:
        assert response.status_code == 200
        assert response.data[:16] == b"SQLite format 3\x00" or response.data[:5] == b"PGDMP"
    assert db.session.scalar(db.select(AuditLog).filter_by(action="export")).summary == \
        f"下载数据库备份 {name}"
    assert officer.get("/backups/..%2Fbaoxue.db").status_code == 404
    assert login("head").get(f"/backups/{name}").status_code == 403


def test_a_nearly_full_disk_is_a_red_line(app, world, login):
    from collections import namedtuple
    usage = namedtuple("usage", "total used free")(100 * 1024 ** 3, 99 * 1024 ** 3, 1024 ** 3)
    with mock.patch("shutil.disk_usage", return_value=usage):
        assert "磁盘快满了：只剩 1.0 GB" in login("officer").get("/").text
