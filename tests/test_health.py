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


def test_backups_are_kept_30_days_and_copied_to_a_second_place(app, world, login, tmp_path):
    runner = app.test_cli_runner()
    folder = Path(app.instance_path) / "backups"
    assert runner.invoke(args=["backup"]).exit_code == 0
    old = next(folder.iterdir())
    stamp = time.time() - 31 * 86400
    os.utime(old, (stamp, stamp))
    usb = tmp_path / "usb"
    usb.mkdir()
    app.config["BACKUP_COPY_TO"] = str(usb)
    time.sleep(1)  # a new file name (to the second)
    result = runner.invoke(args=["backup", "--keep-days", "30"])
    assert result.exit_code == 0 and "Removed 1 backups" in result.output
    assert not old.exists() and len(list(folder.iterdir())) == 1
    assert [p.name for p in usb.iterdir()] == [p.name for p in folder.iterdir()]
    assert "另存一份到" in login("officer").get("/").text
    # the USB disk unplugged: the backup is made, the copy fails, the panel says so in red
    app.config["BACKUP_COPY_TO"] = str(tmp_path / "unplugged")
    time.sleep(1)  # a new file name (to the second)
    assert runner.invoke(args=["backup"]).exit_code != 0
    assert len(list(folder.iterdir())) == 2
    assert "备份只在本机，请检查第二个备份位置" in login("officer").get("/").text


def test_the_service_files_are_generated_and_verified(tmp_path):
    import subprocess
    import sys

    import service
    files = service.units(Path("/srv/baoxue"))
    assert set(files) == {"baoxue.service", "baoxue-nightly.service", "baoxue-nightly.timer",
                          "baoxue-backup.service", "baoxue-backup.timer"}
    web = files["baoxue.service"]
    assert "User=baoxue" in web and "Restart=always" in web and "WantedBy=multi-user.target" in web
    assert "waitress-serve --host=0.0.0.0 --port=8000" in web
    assert "ExecStart=/srv/baoxue/.venv/bin/flask backup --keep-days 30" in \
        files["baoxue-backup.service"]
    assert "Persistent=true" in files["baoxue-nightly.timer"]
    county = service.units(Path("/srv/baoxue"), processes=3, port=8001,
                           database_url="postgresql://baoxue@/baoxue")
    assert "baoxue@.service" in county and "--port=%i" in county["baoxue@.service"]
    assert "EnvironmentFile=/srv/baoxue/instance/service.env" in county["baoxue@.service"]
    assert "postgresql://" not in "".join(county.values())  # the password stays out of units
    assert service.enabled(county, 3, 8001)[:3] == ["baoxue@8001.service", "baoxue@8002.service",
                                                    "baoxue@8003.service"]
    # the command make install runs, writing elsewhere: systemd-analyze verify passes
    done = subprocess.run([sys.executable, "service.py", "install", "--dest", str(tmp_path)],
                          capture_output=True, text=True, cwd=Path(service.__file__).parent)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "已把服务文件写到" in done.stdout and len(list(tmp_path.iterdir())) == 5
    assert service.verify(list(tmp_path.iterdir())) == ""
    gone = subprocess.run([sys.executable, "service.py", "uninstall", "--dest", str(tmp_path)],
                          capture_output=True, text=True, cwd=Path(service.__file__).parent)
    assert gone.returncode == 0 and list(tmp_path.iterdir()) == []
