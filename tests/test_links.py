"""Who may, as the pages show it (issue 17.2): every page every role opens, followed link by
link from the home page, shows only links and forms that role may use (access.can, the routes'
own declarations), and every page a role may open is reached from its menu and pages."""
from collections import Counter
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from werkzeug.exceptions import MethodNotAllowed, NotFound

import access
from extensions import db
from models import ROLES
from tests import factories as f
from tests.test_access import NO_DATA, _url_args

PER_ENDPOINT = 3
FILES = (".pdf", ".xlsx", ".docx", ".jpg", "/file", "/scan")  # checked, not fetched
# Pages reached only from a form that has to be filled (a search's preview, a set-up step)
# or by htmx while typing: they are checked where a form or hx-get names them.
NOT_LINKED = {"auth.setup", "auth.login", "students.import_preview", "students.class_options",
              "cases.reconcile_page",
              "pairs.need"}  # linked when a need has more children than 结对帮扶 lists (test_pairs)


class Targets(HTMLParser):
    """(method, url) of every link, form and htmx request of a page."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.found.append(("GET", a["href"]))
        if tag == "form" and a.get("action"):
            self.found.append(((a.get("method") or "get").upper(), a["action"]))
        for verb in ("get", "post", "delete"):
            if a.get(f"hx-{verb}"):
                self.found.append((verb.upper(), a[f"hx-{verb}"]))


def _crawl(app, client, role):
    """Open every page reachable from "/" (files are checked, not fetched); returns the
    endpoints reached and the (page, method, url) the role is shown but may not use."""
    adapter = app.url_map.bind("localhost")
    user = type("Role", (), {"role": role, "is_authenticated": True})()
    seen, queue, reached, wrong = set(), ["/"], set(), []
    opened = Counter()  # pages opened per endpoint: a few do (a calendar's weeks never end)
    while queue:
        page = queue.pop(0)
        response = client.get(page)
        assert response.status_code in (200, 302, 303), f"{role}: {page} {response.status_code}"
        if response.mimetype != "text/html" or response.status_code != 200:
            continue
        parser = Targets()
        parser.feed(response.text)
        for method, url in parser.found:
            parts = urlsplit(url)
            if parts.netloc or not parts.path.startswith("/") or parts.path.startswith("/static/"):
                continue
            try:
                endpoint, _ = adapter.match(parts.path, method=method)
            except (NotFound, MethodNotAllowed) as error:
                wrong.append((page, method, url, type(error).__name__))
                continue
            reached.add(endpoint)
            with app.test_request_context():
                if not access.can(endpoint, method, user):
                    wrong.append((page, method, url, "not allowed"))
                    continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if method == "GET" and target not in seen and not parts.path.endswith(FILES) \
                    and opened[endpoint] < PER_ENDPOINT:
                seen.add(target)
                opened[endpoint] += 1
                queue.append(target)
    return reached, wrong


@pytest.mark.parametrize("role", list(ROLES))
def test_every_link_and_form_shown_is_allowed_and_every_page_is_reached(app, world, login, role):
    _url_args(world, f.student(world.a1, world.class_a1, name="误登记"))
    db.session.commit()
    reached, wrong = _crawl(app, login(world.users[role].username), role)
    assert wrong == [], wrong
    user = type("Role", (), {"role": role, "is_authenticated": True})()
    with app.test_request_context():
        may_open = {rule.endpoint for rule in app.url_map.iter_rules()
                    if "GET" in rule.methods and rule.endpoint != "static"
                    and access.can(rule.endpoint, "GET", user)}
    missing = may_open - reached - NO_DATA - NOT_LINKED
    assert missing == set(), f"{role} may open {sorted(missing)}, but no page links them"
