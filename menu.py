"""The main menu at the top of every page: its entries, and each role's menu written once.

A user sees an entry exactly when they may open it (access.can, which depends on the role
alone for a page), and the entry of the area they are in is marked aria-current. So the menu
is a function of (role, the app's root URL, the page's endpoint): it is written the first time
and kept on the app. Written in the template, its 17 links with their access checks took 1.8
of the 7.7 ms of a small page (issue 21)."""
from __future__ import annotations

from flask import current_app, request
from flask_login import current_user
from markupsafe import Markup

import access

# (endpoint, label, the endpoint prefixes of the area it marks as current); an entry of
# alternatives shows the first the user may open
ENTRIES = (
    (("home.index", "首页", ()),),
    (("dashboard.index", "总览", ()),),
    (("meetings.index", "月度推进会", ("meetings.",)),),
    (("students.index", "学生名册", ("students.", "records.", "special.")),),
    (("attendance.index", "考勤预警", ("attendance.",)),),
    (("cases.index", "劝返", ("cases.",)),),
    (("responsibility.index", "包保", ("responsibility.",)),),
    (("pledges.index", "责任书", ("pledges.",)),),
    (("pairs.index", "结对帮扶", ("pairs.",)), ("pairs.mine", "我的结对", ("pairs.",))),
    (("aid.index", "资助", ("aid.",)),),
    (("activities.index", "工作活动", ("activities.",)),),
    (("summaries.index", "工作总结", ("summaries.", "evidence.")),),
    (("township.schools", "学校", ("township.school",)),),
    (("township.terms", "学期", ("township.term",)),),
    (("township.users", "用户", ("township.user",)),),
    (("township.audit", "操作日志", ()),),
    (("township.classes", "班级", ("township.class",)),),
)


def main_menu() -> Markup:
    """The signed-in user's menu for this page (a template global): templates/_menu.html,
    rendered the first time for its (role, root URL, endpoint) and kept."""
    key = (current_user.role, request.script_root, request.endpoint or "")
    written = current_app.extensions.setdefault("baoxue_menus", {})
    if key not in written:
        written[key] = Markup(current_app.jinja_env.get_template("_menu.html").render(
            links=_links(current_user, key[2])))
    return written[key]


def _links(user, here: str) -> list[tuple[str, str, bool]]:
    """(endpoint, label, is the area of `here`) of each entry the user may open."""
    links = []
    for alternatives in ENTRIES:
        allowed = [entry for entry in alternatives if access.can(entry[0], user=user)]
        if allowed:
            endpoint, label, area = allowed[0]
            links.append((endpoint, label, here == endpoint or here.startswith(area)))
    return links
