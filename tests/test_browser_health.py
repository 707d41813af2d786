"""Issue 22, part 2 in Chromium: the central officer signs in on a morning after the backups
stopped, sees the health panel's red line for a backup three days old, and downloads it."""
import os
import re
import shutil
import time
from pathlib import Path
from urllib.parse import urljoin

import pytest

from tests import factories as f
from tests.test_browser import shot

pytestmark = pytest.mark.skipif(not shutil.which("chromium"),
                                reason="Debian's chromium is not installed (make test installs it)")


def test_the_officer_sees_an_old_backup_in_red_and_downloads_it(app, world, live_server,
                                                                chromium):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["rules", "run"]).exit_code == 0
    assert runner.invoke(args=["backup"]).exit_code == 0
    backup = next((Path(app.instance_path) / "backups").iterdir())
    old = time.time() - 3 * 86400
    os.utime(backup, (old, old))
    page = chromium.new_page(viewport={"width": 1024, "height": 768})
    page.goto(live_server + "/login")
    page.fill("#username", "officer")
    page.fill("#password", f.PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))
    warning = page.locator(".health .msg.error", has_text="已超过 2 天")
    assert warning.is_visible()
    assert "夜间运行" in page.inner_text(".health") and "完成" in page.inner_text(".health")
    shot(page, "29-系统运行情况")
    link = page.locator(".health").get_by_role("link", name="下载")
    response = page.request.get(urljoin(page.url, link.get_attribute("href")))
    assert response.ok and backup.name in response.headers["content-disposition"]
    page.context.close()
