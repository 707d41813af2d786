"""What the browser gets: scripts that parse on Chrome 70, no external URL, no inline script,
security headers, light pages."""
import re
from pathlib import Path

import esprima
import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = sorted((ROOT / "static").rglob("*.js"))


def test_htmx_is_vendored_at_a_version_that_runs_on_chrome_70():
    assert (ROOT / "static/vendor/htmx-2.0.4.min.js").exists()
    base = (ROOT / "templates/base.html").read_text(encoding="utf-8")
    assert "vendor/htmx-2.0.4.min.js" in base


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: p.name)
def test_every_script_parses_as_es2018(path):
    # esprima implements ECMAScript 2017 plus object spread: it rejects ?. and ?? (ES2020),
    # which Chrome 70 (360 browser) cannot parse.
    esprima.parseScript(path.read_text(encoding="utf-8"))


def test_the_parser_really_rejects_es2020():
    with pytest.raises(esprima.Error):
        esprima.parseScript("var a = b?.c;")
    with pytest.raises(esprima.Error):
        esprima.parseScript("var a = b ?? c;")


def test_no_external_url_and_no_inline_script_in_templates_or_static():
    external = re.compile(r"https?://(?!www\.w3\.org)")
    inline = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+=|hx-on", re.I)
    for path in list((ROOT / "templates").rglob("*.html")) + list((ROOT / "static").rglob("*")):
        if path.is_dir() or path.suffix not in (".html", ".css", ".js"):
            continue
        text = path.read_text(encoding="utf-8")
        if "vendor" not in path.parts:
            assert not external.search(text), path
        if path.suffix == ".html":
            assert not inline.search(text), path
            assert "style=" not in text, path  # CSP style-src 'self'


def test_security_headers_and_light_pages(world, login):
    client = login("head")
    response = client.get("/students/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"
    assert "HX-Request" in response.headers["Vary"]
    assert len(response.data) < 60_000
    with client.get("/static/css/app.css") as css:
        assert css.status_code == 200 and len(css.data) < 20_000
