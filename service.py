"""Baoxue as a system service (`make install`, issue 22): the systemd units that start it at
boot and restart it after a crash, and the timers of the nightly work, written from one place.

- baoxue.service (or baoxue@.service, one a port, for a county's several processes): waitress
  running as the unprivileged user that owns instance/;
- baoxue-nightly.service/.timer: `flask rules run` at 02:30 (warnings and risk scores);
- baoxue-backup.service/.timer: `flask backup --keep-days 30` at 22:30, copied to BACKUP_COPY_TO
  when instance/config.py sets one (a USB disk's mount point, another PC's share). On
  PostgreSQL `flask backup` runs pg_dump.
Timers are Persistent=true: a PC switched off at 22:30 runs the backup when it next starts."""
from __future__ import annotations

from pathlib import Path

UNIT_DIR = Path("/etc/systemd/system")


def units(root: Path, user: str = "baoxue", port: int = 8000, threads: int = 8,
          processes: int = 1, database_url: str = "") -> dict[str, str]:
    """{file name: content} of every unit, for a checkout at `root`. processes > 1 (a county
    on PostgreSQL behind nginx) gives a template unit started once per port from `port` on."""
    # a database URL holds a password: it goes in instance/service.env (0600, the service
    # user's), never in a unit file, which every user of the machine may read
    env = f"EnvironmentFile={root}/instance/service.env\n" if database_url else ""
    common = (f"User={user}\nGroup={user}\nWorkingDirectory={root}\n"
              f"Environment=FLASK_APP=app:create_app\n{env}")
    serve = (f"{root}/.venv/bin/waitress-serve --host={'127.0.0.1' if processes > 1 else '0.0.0.0'}"
             f" --port={'%i' if processes > 1 else port} --threads={threads} --call app:serve")
    web = ("[Unit]\nDescription=Baoxue (保学) intranet" + (" on port %i" if processes > 1 else "")
           + "\nAfter=network-online.target postgresql.service\nWants=network-online.target\n\n"
           f"[Service]\n{common}ExecStart={serve}\nRestart=always\nRestartSec=5\n"
           "NoNewPrivileges=true\nPrivateTmp=true\nProtectSystem=full\n\n"
           "[Install]\nWantedBy=multi-user.target\n")
    out = {("baoxue@.service" if processes > 1 else "baoxue.service"): web}
    for name, what, command, when in (
            ("nightly", "warnings and risk scores", "rules run", "*-*-* 02:30:00"),
            ("backup", "database backup", "backup --keep-days 30", "*-*-* 22:30:00")):
        out[f"baoxue-{name}.service"] = (
            f"[Unit]\nDescription=Baoxue {what} (flask {command.split(' -')[0]})\n\n"
            f"[Service]\nType=oneshot\n{common}ExecStart={root}/.venv/bin/flask {command}\n")
        out[f"baoxue-{name}.timer"] = (
            f"[Unit]\nDescription=Baoxue {what}, daily\n\n"
            f"[Timer]\nOnCalendar={when}\nPersistent=true\nRandomizedDelaySec=10min\n\n"
            "[Install]\nWantedBy=timers.target\n")
    return out


def enabled(units_written: dict[str, str], processes: int = 1, port: int = 8000) -> list[str]:
    """What `systemctl enable --now` starts: the web process(es) and the timers."""
    web = [f"baoxue@{port + n}.service" for n in range(processes)] if processes > 1 \
        else ["baoxue.service"]
    return web + [name for name in units_written if name.endswith(".timer")]


def write(folder: Path, files: dict[str, str]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
        written.append(folder / name)
    return written


def verify(paths: list[Path]) -> str:
    """`systemd-analyze verify` of the written units where it exists ("" when all is well)."""
    import shutil
    import subprocess
    if not shutil.which("systemd-analyze"):
        return ""
    done = subprocess.run(["systemd-analyze", "verify", *map(str, paths)], capture_output=True,
                          text=True)
    # a unit whose ExecStart is not there yet (the venv of a fresh clone) is fine to write
    return "\n".join(line for line in (done.stdout + done.stderr).splitlines()
                     if line.strip() and "is not executable" not in line
                     and "No such file" not in line)


def main(argv: list[str]) -> int:
    """python service.py install|uninstall [--user U] [--port P] [--processes N] [--dest D]
    (make install / make uninstall, as root). --dest writes the units elsewhere and touches
    neither users nor systemd (a check, or a county's review before installing)."""
    import argparse
    import os
    import subprocess
    parser = argparse.ArgumentParser(prog="service.py")
    parser.add_argument("action", choices=("install", "uninstall", "print"))
    parser.add_argument("--user", default="baoxue")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--dest", type=Path)
    args = parser.parse_args(argv)
    root = Path(__file__).resolve().parent
    files = units(root, args.user, args.port, args.threads, args.processes, args.database_url)
    if args.action == "print":
        print("\n".join(f"# {name}\n{text}" for name, text in files.items()))
        return 0
    dest = args.dest or UNIT_DIR
    live = args.dest is None
    if live and os.geteuid() != 0:
        print("make install 需要 root 权限：请用 sudo make install。")
        return 1
    run = (lambda *cmd: subprocess.run(cmd, check=True)) if live else (lambda *cmd: None)
    if args.action == "uninstall":  # the units go; instance/ (the data and backups) stays
        run("systemctl", "disable", "--now", *enabled(files, args.processes, args.port))
        for name in files:
            (dest / name).unlink(missing_ok=True)
        run("systemctl", "daemon-reload")
        print(f"已移除 Baoxue 服务；数据仍在 {root / 'instance'}。")
        return 0
    if live and subprocess.run(["id", args.user], capture_output=True).returncode != 0:
        run("useradd", "--system", "--home-dir", str(root / "instance"), "--shell",
            "/usr/sbin/nologin", args.user)
    (root / "instance").mkdir(exist_ok=True)
    if args.database_url and live:
        secret = root / "instance" / "service.env"
        secret.touch(mode=0o600)
        secret.chmod(0o600)
        secret.write_text(f"DATABASE_URL={args.database_url}\n", encoding="utf-8")
    run("chown", "-R", f"{args.user}:{args.user}", str(root / "instance"))
    problems = verify(write(dest, files))
    if problems:
        print("systemd-analyze verify:\n" + problems)
        return 1
    if not live:
        print(f"已把服务文件写到 {dest}（没有安装）。")
        return 0
    run("systemctl", "daemon-reload")
    run("systemctl", "enable", "--now", *enabled(files, args.processes, args.port))
    print(f"已安装 Baoxue 服务（{', '.join(enabled(files, args.processes, args.port))}）：开机自动启动，"
          "每晚 02:30 运行预警规则，22:30 备份数据库。")
    return 0


if __name__ == "__main__":
    import sys
    sys.exit(main(sys.argv[1:]))
