"""Main pages on a slow PC: Debian's Chromium at 1024×768 with the CPU throttled 4× (Chrome
DevTools protocol, Emulation.setCPUThrottlingRate), against the production server (waitress)
on the demo township over loopback. For each page, as the user who uses it: time to usable
(navigation start to the load event, by which htmx has wired the page), the HTML's transfer
size, and the requests it made (none may leave 127.0.0.1).

    .venv/bin/python bench/throttled.py [--rate 4]
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import serve  # noqa: E402

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PAGES = {
    "head": ["/", "/students/", "/students/?q=zs", "/attendance/", "/attendance/warnings",
             "/cases/", "/pledges/", "/activities/", "/dashboard/", "/summaries/"],
    "teacher": ["/", "/pairs/mine"],
    "admin": ["/dashboard/", "/students/", "/cases/ledger", "/meetings/", "/aid/"],
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=4)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        instance = Path(tmp)
        url = serve.database_url("sqlite", instance)
        serve.prepare(url, instance)
        server = serve.Server(url, instance).start()
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=shutil.which("chromium")
                                            or "/usr/bin/chromium", args=ARGS)
                for user, paths in PAGES.items():
                    page = browser.new_page(viewport={"width": 1024, "height": 768})
                    cdp = page.context.new_cdp_session(page)
                    cdp.send("Emulation.setCPUThrottlingRate", {"rate": args.rate})
                    outside = []
                    page.on("request", lambda r: r.url.startswith(server.base)
                            or r.url.startswith("data:") or outside.append(r.url))
                    page.goto(server.base + "/login")
                    page.fill("#username", user)
                    page.fill("#password", "demo1234")
                    page.click("main button[type=submit]")
                    page.wait_for_url(server.base + "/")
                    for path in paths:
                        times, requests = [], 0
                        for _ in range(args.repeat):
                            seen: list = []

                            def listen(request, seen=seen):
                                seen.append(request)
                            page.on("request", listen)
                            page.goto(server.base + path, wait_until="load")
                            page.remove_listener("request", listen)
                            timing = page.evaluate(
                                "() => { const n = performance.getEntriesByType('navigation')[0];"
                                " return [n.loadEventEnd, n.transferSize || n.encodedBodySize]; }")
                            times.append(timing[0])
                            size, requests = timing[1], len(seen)
                        rows.append((user, path, statistics.median(times), size, requests))
                    rows.append((user, "(requests leaving 127.0.0.1)", None, None, len(outside)))
                    page.close()
                browser.close()
        finally:
            server.stop()
    print(f"Throttled {args.rate:g}× CPU, 1024×768, Chromium, {date.today()} (median of "
          f"{args.repeat} loads; the browser caches CSS and JS after the first)")
    print("| user | page | time to usable | HTML transferred | requests |")
    print("|---|---|---|---|---|")
    for user, path, ms, size, requests in rows:
        if ms is None:
            print(f"| {user} | {path} | | | {requests} |")
        else:
            print(f"| {user} | `{path}` | {ms:.0f} ms | {size / 1024:.1f} KB | {requests} |")


if __name__ == "__main__":
    main()
