"""`make update` (issue 22, part 3) on a copy of this repository: a clone installed and migrated
with a school in its database, and the clone it updates from. A new version whose migration
fails leaves the old version running with its data (restored from the backup made first); a
good one updates. On SQLite files (the PostgreSQL backup and restore are test_cli.py's), so
only in the SQLite run."""
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.sqlite_only
ROOT = Path(__file__).resolve().parents[1]
BROKEN = '''"""a migration that fails (test_update.py)"""
revision = "0999"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade():
    raise RuntimeError("迁移出错（测试）")


def downgrade():
    pass
'''


def run(cwd, *cmd):
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)


def git(cwd, *args):
    done = run(cwd, "git", "-c", "user.name=t", "-c", "user.email=t@t", *args)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.fixture
def clones(tmp_path, monkeypatch, migrated_db):
    """The clone to update from, and an install of it: its database the suite's migrated
    template (what `flask db upgrade` made of this version) holding one school."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("FLASK_APP", "app:create_app")
    origin, install = tmp_path / "origin", tmp_path / "install"
    git(tmp_path, "clone", "-q", str(ROOT), str(origin))
    git(origin, "checkout", "-q", "-B", "release")  # a branch, even from a detached checkout
    git(tmp_path, "clone", "-q", "--branch", "release", str(origin), str(install))
    (install / "instance").mkdir(exist_ok=True)
    shutil.copy(migrated_db, install / "instance" / "baoxue.db")
    with sqlite3.connect(install / "instance" / "baoxue.db") as con:
        con.execute("INSERT INTO schools (name, kind, village, address, active) "
                    "VALUES ('测试中心学校', 'central', '', '', 1)")
    return origin, install


def schools(install) -> list[str]:
    with sqlite3.connect(install / "instance" / "baoxue.db") as con:
        return [name for (name,) in con.execute("SELECT name FROM schools")]


def head_revision(install) -> str:
    with sqlite3.connect(install / "instance" / "baoxue.db") as con:
        return con.execute("SELECT version_num FROM alembic_version").fetchone()[0]


def test_a_failed_migration_brings_the_old_version_back_with_its_data(clones):
    origin, install = clones
    old, revision = git(install, "rev-parse", "HEAD"), head_revision(install)
    (origin / "migrations" / "versions" / "0999_broken.py").write_text(
        BROKEN.format(head=revision), encoding="utf-8")
    git(origin, "add", "-A")
    git(origin, "commit", "-qm", "a broken migration")
    done = run(install, sys.executable, "update.py", "--no-pip")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "更新前已备份数据库" in done.stdout
    assert "更新失败：新版本的数据库迁移出错，已用更新前的备份恢复数据，并回到原来的版本" in done.stdout
    assert "迁移出错（测试）" in done.stdout
    assert git(install, "rev-parse", "HEAD") == old
    assert not (install / "migrations" / "versions" / "0999_broken.py").exists()
    assert schools(install) == ["测试中心学校"] and head_revision(install) == revision


def test_a_good_version_updates_and_migrates(clones):
    origin, install = clones
    revision = head_revision(install)
    (origin / "migrations" / "versions" / "0999_fine.py").write_text(
        BROKEN.format(head=revision).replace('raise RuntimeError("迁移出错（测试）")', "pass"),
        encoding="utf-8")
    git(origin, "add", "-A")
    git(origin, "commit", "-qm", "a fine migration")
    done = run(install, sys.executable, "update.py", "--no-pip")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "已更新到" in done.stdout and head_revision(install) == "0999"
    assert schools(install) == ["测试中心学校"]
    again = run(install, sys.executable, "update.py", "--no-pip")
    assert again.returncode == 0 and "已经是最新版本" in again.stdout
