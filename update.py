"""`make update`: a new version in place, safely (issue 22).

1. a backup of the database first (`flask backup`);
2. the new code (`git pull --ff-only` from where this clone came from);
3. its requirements (`pip install -r requirements.txt`);
4. its migrations (`flask db upgrade`);
5. the service restarted, when `make install` installed one.
If the migration fails, the database is restored from the backup of step 1, the code goes back
to the commit it was on with its requirements, the old version is started again, and the
officer is told so in Chinese; the command exits 1."""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def sh(*cmd: str, check: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "FLASK_APP": "app:create_app"}
    return subprocess.run(cmd, cwd=ROOT, check=check, capture_output=True, text=True, env=env)


def flask(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return sh(sys.executable, "-m", "flask", *args, check=check)


def restart() -> str:
    """Restart the installed service (nothing when `make install` was not run)."""
    units = [u for u in ("baoxue.service", "baoxue@*.service")
             if list(Path("/etc/systemd/system").glob(u.replace("*", "")))]
    if not units:
        return "（没有安装为系统服务：请重新运行 make run）"
    sh("systemctl", "restart", *units)
    return "，服务已重新启动"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="update.py")
    parser.add_argument("--no-pip", action="store_true", help="keep the installed packages")
    args = parser.parse_args(argv)
    old = sh("git", "rev-parse", "HEAD").stdout.strip()
    made = flask("backup")
    backup = re.search(r"Backup written to (\S+) \(", made.stdout).group(1)
    print(f"更新前已备份数据库：{backup}")
    pulled = sh("git", "pull", "--ff-only", check=False)
    if pulled.returncode != 0:
        print(f"没有取到新版本，什么都没有改变：{pulled.stderr.strip()[:300]}")
        return 1
    new = sh("git", "rev-parse", "HEAD").stdout.strip()
    if new == old:
        print("已经是最新版本。")
        return 0
    if not args.no_pip:
        sh(sys.executable, "-m", "pip", "install", "-q", "-r", "requirements.txt")
    upgraded = flask("db", "upgrade", check=False)
    if upgraded.returncode != 0:  # the old code first, then its data back with it
        sh("git", "reset", "--hard", old)
        if not args.no_pip:
            sh(sys.executable, "-m", "pip", "install", "-q", "-r", "requirements.txt")
        flask("restore", backup, "--yes")
        print(f"更新失败：新版本的数据库迁移出错，已用更新前的备份恢复数据，并回到原来的版本 {old[:7]}"
              f"{restart()}。请把下面的错误发给技术人员：\n{upgraded.stderr.strip()[-1500:]}")
        return 1
    print(f"已更新到 {new[:7]}，数据库已迁移{restart()}。")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
